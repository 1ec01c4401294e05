package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// Questions: asking (with the answers that look similar shown first),
// +1s, answering in the FAQ, and trainers' merges and declines. The HTML
// pages and the JSON API share the domain calls; see questionRoutes for
// who may do what.

// questionRoutes adds questions, the gap list and answers (issue 10),
// grouped by role like the routes in routes(). Nothing is added when the
// features are off.
func (s *Server) questionRoutes(r *gin.Engine, api *gin.RouterGroup) {
	if s.cfg.Questions == nil || s.cfg.Answers == nil {
		return
	}
	read := r.Group("/", s.require(wiki.RoleReader))
	read.GET(questionsURL(), s.handleQuestions)
	read.GET(questionsURL()+"/:id", s.handleQuestion)
	read.GET(prefixInfo+"*slug", s.handlePageInfo)
	readAPI := api.Group("/", s.require(wiki.RoleReader))
	readAPI.GET("/questions", s.handleAPIQuestions)
	readAPI.GET("/questions/:id", s.handleAPIQuestion)
	readAPI.GET("/impact", s.handleAPIImpact)

	me := r.Group("/", s.require(wiki.RoleReader), s.requireAccount)
	me.POST(prefixFeedback+"*slug", s.handleFeedback)

	edit := r.Group("/", s.require(wiki.RoleEditor))
	edit.GET(askURL("", ""), s.handleAskForm)
	edit.POST(questionsURL(), s.handleAsk)
	edit.POST(questionsURL()+"/:id/vote", s.handleQuestionVote)
	edit.POST(questionsURL()+"/:id/answer", s.handleQuestionAnswer)
	edit.GET(questionsURL()+"/:id/write", s.handleQuestionWrite)
	edit.GET(gapsURL(), s.handleGaps)
	edit.GET(oldGapsURL(), func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, gapsURL()) })
	edit.POST(gapsURL()+"/:id/answer", s.handleGapAnswer)
	edit.POST(prefixConfirm+"*slug", s.handleConfirm)
	edit.GET(prefixFlag+"*slug", s.handleFlagForm)
	edit.POST(prefixFlag+"*slug", s.handleFlag)
	editAPI := api.Group("/", s.require(wiki.RoleEditor))
	editAPI.POST("/questions", s.handleAPIAsk)
	editAPI.POST("/questions/:id/vote", s.handleAPIQuestionVote)
	editAPI.POST("/questions/:id/answer", s.handleAPIQuestionAnswer)
	editAPI.GET("/gaps", s.handleAPIGapList)
	editAPI.POST("/gaps/:id/answer", s.handleAPIGapAnswer)

	train := r.Group("/", s.require(wiki.RoleTrainer))
	train.POST(questionsURL()+"/:id/close", s.handleQuestionClose)
	train.POST(questionsURL()+"/:id/reopen", s.handleQuestionReopen)
	train.POST(gapsURL()+"/:id/dismiss", s.handleGapDismiss)
	train.POST(gapsURL()+"/:id/merge", s.handleGapMerge)
	train.POST(gapsURL()+"/:id/reopen", s.handleGapReopen)
	train.POST(prefixResolve+"*slug", s.handleResolve)
	train.GET(freshnessURL(), s.handleFreshness)
	trainAPI := api.Group("/", s.require(wiki.RoleTrainer))
	trainAPI.POST("/questions/:id/close", s.handleAPIQuestionClose)
	trainAPI.POST("/questions/:id/reopen", s.handleAPIQuestionReopen)
	trainAPI.POST("/gaps/:id/dismiss", s.handleAPIGapDismiss)
	trainAPI.POST("/gaps/:id/merge", s.handleAPIGapMerge)
	trainAPI.POST("/gaps/:id/reopen", s.handleAPIGapReopen)
	trainAPI.GET("/freshness", s.handleAPIFreshness)
	trainAPI.GET("/feedback", s.handleAPIUnhelpful)
}

// questionID reads the :id of a question's address.
func questionID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(c.Param("id"), "q-"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errBadRequestf("%q is not a question number", c.Param("id"))
	}
	return id, nil
}

// similarHit is an answer that looks like a question, its snippet
// trusted as HTML only after wiki.IsSafeSnippet.
type similarHit struct {
	wiki.SimilarAnswer
	Snippet template.HTML
}

func similarHits(sim *wiki.Similar) []similarHit {
	if sim == nil {
		return nil
	}
	out := make([]similarHit, 0, len(sim.Answers))
	for _, a := range sim.Answers {
		out = append(out, similarHit{SimilarAnswer: a, Snippet: safeSnippet(a.Snippet)})
	}
	return out
}

// askForm is what the ask form posts.
type askForm struct {
	Text string `form:"text"`
	From string `form:"from"` // the search it was asked from
	// Checked says the asker saw the similar answers and asks anyway.
	Checked string `form:"checked"`
}

// askPage is the data of question_new.html.
type askPage struct {
	BasePage
	Form      askForm
	Answers   []similarHit
	Weak      bool
	Questions []*wiki.Question
	Shown     bool // similar answers or questions are shown
	Errors    map[string]string
}

func (s *Server) handleAskForm(c *gin.Context) {
	v := &askPage{BasePage: s.base(c, "Ask a question"), Form: askForm{Text: c.Query("text"), From: c.Query("from")}}
	if strings.TrimSpace(v.Form.Text) != "" {
		if !s.showSimilar(c, v) {
			return
		}
	}
	s.render(c, http.StatusOK, "question_new.html", v)
}

// showSimilar fills in what looks like the question in v; it answers the
// request itself and returns false on failure.
func (s *Server) showSimilar(c *gin.Context, v *askPage) bool {
	sim, err := s.cfg.Questions.Similar(c.Request.Context(), v.Form.Text)
	if err != nil {
		s.fail(c, err)
		return false
	}
	v.Answers, v.Weak, v.Questions = similarHits(sim), sim.Weak, sim.Questions
	v.Shown = len(v.Answers) > 0 || len(v.Questions) > 0
	v.Form.Checked = "1"
	return true
}

func (s *Server) handleAsk(c *gin.Context) {
	var f askForm
	if err := c.ShouldBind(&f); err != nil {
		s.fail(c, formError(err))
		return
	}
	v := &askPage{BasePage: s.base(c, "Ask a question"), Form: f}
	show := func(status int, errs map[string]string) {
		v.Errors = errs
		s.render(c, status, "question_new.html", v)
	}
	text, err := wiki.CheckQuestion(f.Text)
	if err != nil {
		s.failForm(c, err, show, nil)
		return
	}
	if f.Checked != "1" {
		// Before saving, show what the FAQ already has that looks like it.
		if !s.showSimilar(c, v) {
			return
		}
		if v.Shown {
			s.render(c, http.StatusOK, "question_new.html", v)
			return
		}
	}
	res, err := s.cfg.Questions.Ask(c.Request.Context(), text, f.From)
	if err != nil {
		s.failForm(c, err, show, nil)
		return
	}
	if res.Existing {
		s.setFlash(c, "Someone already asked this: your +1 is counted, and you will see the answer on your watchlist.")
	} else {
		s.setFlash(c, "Your question is on the list. Your cohort and trainers see it; when someone answers it in the FAQ, it shows on your watchlist.")
	}
	c.Redirect(http.StatusSeeOther, questionURL(res.Question.ID))
}

// questionRow is a question in a list, with whether the reader asked it.
type questionRow struct {
	*wiki.Question
	Mine bool // the reader asked it or +1'd it
}

func (s *Server) rows(c *gin.Context, qs []*wiki.Question) []questionRow {
	me := wiki.UserFromContext(c.Request.Context())
	out := make([]questionRow, 0, len(qs))
	for _, q := range qs {
		out = append(out, questionRow{Question: q, Mine: me.SignedIn() && q.AskedBy(me.Name)})
	}
	return out
}

// questionsPage is the data of questions.html.
type questionsPage struct {
	BasePage
	Status    string
	ByVotes   bool
	Questions []questionRow
	Statuses  []string
}

// questionFilter reads ?status= and ?sort= of a question list.
func questionFilter(c *gin.Context) (wiki.QuestionFilter, error) {
	f := wiki.QuestionFilter{Status: wiki.QuestionOpen}
	switch st := c.Query("status"); st {
	case "":
	case "all":
		f.Status = ""
	default:
		s, err := wiki.ParseQuestionStatus(st)
		if err != nil {
			return f, errBadRequestf("status must be open, answered, duplicate, declined or all")
		}
		f.Status = s
	}
	switch c.Query("sort") {
	case "", "new":
	case "votes":
		f.ByVotes = true
	default:
		return f, errBadRequestf("sort must be new or votes")
	}
	var err error
	if f.Limit, err = queryLimit(c, 1000); err != nil {
		return f, err
	}
	return f, nil
}

func (s *Server) handleQuestions(c *gin.Context) {
	f, err := questionFilter(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	qs, err := s.cfg.Questions.List(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := string(f.Status)
	if status == "" {
		status = "all"
	}
	s.render(c, http.StatusOK, "questions.html", &questionsPage{BasePage: s.base(c, "Questions"), Status: status, ByVotes: f.ByVotes,
		Questions: s.rows(c, qs), Statuses: []string{"open", "answered", "declined", "duplicate", "all"}})
}

// questionPage is the data of question.html.
type questionPage struct {
	BasePage
	Q           *wiki.Question
	Mine        bool
	IsAsker     bool
	DuplicateOf *wiki.Question
	// Answers that look like it, to link with one click; Pages to write
	// the answer in (the pages of those answers).
	Answers []similarHit
	Pages   []wiki.SimilarAnswer
	// Others are the other open questions, for trainers' merge.
	Others    []*wiki.Question
	AnswerURL string // the answer's address
}

func (s *Server) handleQuestion(c *gin.Context) {
	id, err := questionID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	q, err := s.cfg.Questions.Question(ctx, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	me := wiki.UserFromContext(ctx)
	v := &questionPage{BasePage: s.base(c, q.Text), Q: q, Mine: me.SignedIn() && q.AskedBy(me.Name), IsAsker: me.SignedIn() && me.Name == q.Asker}
	if q.Answer != nil {
		v.AnswerURL = anchorURL(q.Answer.Slug, q.Answer.Anchor)
	}
	if q.Status == wiki.QuestionDuplicate {
		if d, err := s.cfg.Questions.Question(ctx, q.DuplicateOf); err == nil {
			v.DuplicateOf = d
		}
	}
	if v.CanEdit && (q.Status == wiki.QuestionOpen || q.Status == wiki.QuestionAnswered) {
		sim, err := s.cfg.Questions.Similar(ctx, q.Text)
		if err != nil {
			s.fail(c, err)
			return
		}
		v.Answers = similarHits(sim)
		seen := map[wiki.Slug]bool{}
		for _, a := range sim.Answers {
			if !seen[a.Slug] {
				seen[a.Slug] = true
				v.Pages = append(v.Pages, a)
			}
		}
	}
	if v.CanTrain && q.Status == wiki.QuestionOpen {
		open, err := s.cfg.Questions.List(ctx, wiki.QuestionFilter{Status: wiki.QuestionOpen, Limit: 500})
		if err != nil {
			s.fail(c, err)
			return
		}
		for _, o := range open {
			if o.ID != q.ID {
				v.Others = append(v.Others, o)
			}
		}
	}
	if err := s.cfg.Questions.MarkAnswerSeen(ctx, q); err != nil {
		s.log.Warn("mark answer seen", "question", q.ID, "err", err)
	}
	s.render(c, http.StatusOK, "question.html", v)
}

// questionForm answers a form posted on one question: the id from the
// path, act on it, then its flash message and back to where act says.
func (s *Server) questionForm(c *gin.Context, act func(ctx context.Context, id int64) (flash, to string, err error)) {
	id, err := questionID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	flash, to, err := act(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setFlash(c, flash)
	c.Redirect(http.StatusSeeOther, to)
}

func (s *Server) handleQuestionVote(c *gin.Context) {
	s.questionForm(c, func(ctx context.Context, id int64) (string, string, error) {
		_, changed, err := s.cfg.Questions.Vote(ctx, id)
		if err != nil {
			return "", "", err
		}
		flash := "You asked this already: your +1 was counted before."
		if changed {
			flash = "+1 counted: you will see the answer on your watchlist too."
		}
		if c.PostForm("next") == "list" {
			return flash, questionsURL(), nil
		}
		return flash, questionURL(id), nil
	})
}

// answerForm is what linking an answer posts: a slug and an anchor, or an
// address such as /wiki/it/vpn#who-gives-access.
type answerForm struct {
	Slug   string `form:"slug" json:"slug"`
	Anchor string `form:"anchor" json:"anchor"`
	URL    string `form:"url" json:"url"`
}

// link reads the answer a form names.
func (f answerForm) link() (wiki.Slug, string, error) {
	raw, anchor := f.Slug, f.Anchor
	if strings.TrimSpace(f.URL) != "" {
		u, err := url.Parse(strings.TrimSpace(f.URL))
		if err != nil {
			return "", "", wiki.Invalid("url", "is not an address like /wiki/it/vpn#who-gives-access")
		}
		raw, anchor = strings.TrimPrefix(u.Path, prefixWiki), u.Fragment
	}
	raw = strings.Trim(raw, "/ ")
	if raw == "" {
		return "", "", wiki.Invalid("slug", "is required: the page that answers it")
	}
	slug, err := wiki.ParseSlug(raw)
	if err != nil {
		return "", "", err
	}
	if anchor == wiki.WholePage {
		anchor = ""
	}
	return slug, strings.TrimPrefix(anchor, "#"), nil
}

func (s *Server) handleQuestionAnswer(c *gin.Context) {
	s.questionForm(c, func(ctx context.Context, id int64) (string, string, error) {
		var f answerForm
		if err := c.ShouldBind(&f); err != nil {
			return "", "", formError(err)
		}
		slug, anchor, err := f.link()
		if err == nil {
			_, err = s.cfg.Questions.Answer(ctx, id, slug, anchor)
		}
		if err != nil {
			return "", "", err
		}
		return "Answered: the question now links to " + anchorURL(slug, anchor) + ", and whoever asked it sees that on their watchlist.", questionURL(id), nil
	})
}

// handleQuestionWrite opens the editor to answer a question in the FAQ:
// on the page ?other= or ?slug= as a new heading, or on a new page titled
// as the question (both empty).
func (s *Server) handleQuestionWrite(c *gin.Context) {
	id, err := questionID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	q, err := s.cfg.Questions.Question(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	raw := c.Query("other") // typed in, over the choice of pages
	if strings.TrimSpace(raw) == "" {
		raw = c.Query("slug")
	}
	raw = strings.Trim(strings.TrimPrefix(strings.TrimSpace(raw), prefixWiki), "/")
	if raw == "" {
		c.Redirect(http.StatusSeeOther, answerNewPageURL(q.Text, q.ID, ""))
		return
	}
	slug, err := wiki.ParseSlug(raw)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, answerEditURL(slug, q.ID, ""))
}

// closeForm is what a trainer's close form posts.
type closeForm struct {
	Status      string `form:"status" json:"status"`
	Reason      string `form:"reason" json:"reason"`
	DuplicateOf string `form:"duplicate_of" json:"-"`
}

func parseDuplicateOf(s string) (int64, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "q-")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, wiki.Invalid("duplicate_of", "must be the number of a question")
	}
	return n, nil
}

func (s *Server) handleQuestionClose(c *gin.Context) {
	s.questionForm(c, func(ctx context.Context, id int64) (string, string, error) {
		var f closeForm
		if err := c.ShouldBind(&f); err != nil {
			return "", "", formError(err)
		}
		dup, err := parseDuplicateOf(f.DuplicateOf)
		if err == nil {
			_, err = s.cfg.Questions.Close(ctx, id, wiki.QuestionStatus(f.Status), f.Reason, dup)
		}
		if err != nil {
			return "", "", err
		}
		if f.Status == string(wiki.QuestionDuplicate) {
			return "Merged: its asker and +1s now count for question " + strconv.FormatInt(dup, 10) + ".", questionURL(dup), nil
		}
		return "Declined, with your reason shown to everyone.", questionURL(id), nil
	})
}

func (s *Server) handleQuestionReopen(c *gin.Context) {
	s.questionForm(c, func(ctx context.Context, id int64) (string, string, error) {
		if _, err := s.cfg.Questions.Reopen(ctx, id); err != nil {
			return "", "", err
		}
		return "Reopened: the question is on the open list again.", questionURL(id), nil
	})
}

// linkQuestion links the question or gap the edit form carried to the
// revision just saved, and says so in the flash. A failure does not undo
// the save: it is reported in the flash.
func (s *Server) linkQuestion(c *gin.Context, f editForm, res *wiki.EditResult, flash string) string {
	if s.cfg.Questions == nil || res.Unchanged || f.Question == "" && f.Gap == "" {
		return flash
	}
	ctx := c.Request.Context()
	var err error
	switch {
	case f.Question != "":
		var id int64
		if id, err = parseDuplicateOf(f.Question); err == nil && id > 0 {
			var q *wiki.Question
			if q, err = s.cfg.Questions.AnswerFromEdit(ctx, id, res.Revision); err == nil {
				return flash + " The question “" + q.Text + "” is answered here now; whoever asked it will see that."
			}
		}
	default:
		var g *wiki.GapItem
		if g, err = s.cfg.Questions.AnswerGapFromEdit(ctx, f.Gap, res.Revision); err == nil {
			return flash + " The gap “" + g.Texts[0] + "” is answered here now."
		}
	}
	var ve *wiki.ValidationError
	if !errors.As(err, &ve) && !errors.Is(err, wiki.ErrNotFound) {
		s.log.Error("link the answer to its question", "question", f.Question, "gap", f.Gap, "err", err, "request_id", reqID(c))
	}
	_, body := classify(err)
	return flash + " The question could not be marked answered (" + body.Message + "); link it from the question's page."
}

// answering fills in the editor for answering a question or gap given as
// ?question= or ?gap=: the hidden fields and a notice, and for an
// existing page the question as a new heading at the end of the text.
func (s *Server) answering(c *gin.Context, v *editPage, existing bool) {
	if s.cfg.Questions == nil {
		return
	}
	ctx := c.Request.Context()
	text := ""
	if raw := c.Query("question"); raw != "" {
		id, err := parseDuplicateOf(raw)
		if err != nil || id == 0 {
			return
		}
		q, err := s.cfg.Questions.Question(ctx, id)
		if err != nil {
			return
		}
		v.Form.Question, text = strconv.FormatInt(id, 10), q.Text
	} else if raw := c.Query("gap"); raw != "" {
		gaps, err := s.cfg.Questions.Gaps(ctx, wiki.GapFilter{Status: wiki.GapOpen, Since: s.now().AddDate(-1, 0, 0)})
		if err != nil {
			return
		}
		for _, g := range gaps {
			if g.ID == raw {
				v.Form.Gap, text = g.ID, g.Texts[0]
			}
		}
	}
	if text == "" {
		return
	}
	v.Answering = text
	if existing {
		v.Form.Markdown = strings.TrimRight(v.Form.Markdown, "\n") + "\n\n## " + headingText(text) + "\n\n"
	}
}

// headingText makes a question safe to use as a Markdown heading's text:
// one line, with the characters that would start Markdown syntax
// escaped, so it reads as typed.
func headingText(s string) string {
	s = wiki.NormalizeTitle(s)
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>#|!~", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// API shapes of questions.

type apiAnswerLink struct {
	Slug   wiki.Slug `json:"slug"`
	Anchor string    `json:"anchor"`
	URL    string    `json:"url"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

func toAPIAnswerLink(a *wiki.AnswerLink) *apiAnswerLink {
	if a == nil {
		return nil
	}
	return &apiAnswerLink{Slug: a.Slug, Anchor: a.Anchor, URL: anchorURL(a.Slug, a.Anchor), By: a.By, At: a.At.UTC()}
}

type apiQuestion struct {
	ID          int64          `json:"id"`
	Text        string         `json:"text"`
	Status      string         `json:"status"`
	Asker       string         `json:"asker"`
	Cohort      string         `json:"cohort"`
	Votes       int            `json:"votes"`
	AskedAt     time.Time      `json:"asked_at"`
	LastAt      time.Time      `json:"last_at"`
	Answer      *apiAnswerLink `json:"answer"`
	DuplicateOf int64          `json:"duplicate_of,omitempty"`
	Reason      string         `json:"reason,omitempty"`
	Wordings    []string       `json:"wordings"`
	FromSearch  string         `json:"from_search,omitempty"`
	GapID       string         `json:"gap_id"`
	// Mine says the caller asked it or +1'd it.
	Mine bool `json:"mine"`
}

func toAPIQuestion(q *wiki.Question, me *wiki.User) apiQuestion {
	return apiQuestion{ID: q.ID, Text: q.Text, Status: string(q.Status), Asker: q.Asker, Cohort: q.Cohort, Votes: q.Votes(),
		AskedAt: q.AskedAt.UTC(), LastAt: q.LastAt.UTC(), Answer: toAPIAnswerLink(q.Answer), DuplicateOf: q.DuplicateOf,
		Reason: q.Reason, Wordings: nonNil(q.Wordings), FromSearch: q.FromSearch, GapID: wiki.QuestionGapID(q.ID),
		Mine: me.SignedIn() && q.AskedBy(me.Name)}
}

type apiSimilar struct {
	Slug    wiki.Slug `json:"slug"`
	Anchor  string    `json:"anchor"`
	Title   string    `json:"title"`
	Heading string    `json:"heading"`
	URL     string    `json:"url"`
}

type apiAskResult struct {
	ID       int64        `json:"id"`
	Question apiQuestion  `json:"question"`
	Existing bool         `json:"existing"`
	Similar  []apiSimilar `json:"similar"`
	// SimilarQuestions are open questions that look like it: +1 one of
	// them if it is the same.
	SimilarQuestions []apiQuestion `json:"similar_questions"`
}

func (s *Server) handleAPIQuestions(c *gin.Context) {
	f, err := questionFilter(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	qs, err := s.cfg.Questions.List(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	me := wiki.UserFromContext(c.Request.Context())
	out := make([]apiQuestion, 0, len(qs))
	for _, q := range qs {
		out = append(out, toAPIQuestion(q, me))
	}
	c.JSON(http.StatusOK, out)
}

// apiQuestionAct answers a call on one question: the id from the path,
// act on it, and the question as it is after.
func (s *Server) apiQuestionAct(c *gin.Context, act func(ctx context.Context, id int64) (*wiki.Question, error)) {
	id, err := questionID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	q, err := act(ctx, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toAPIQuestion(q, wiki.UserFromContext(ctx)))
}

func (s *Server) handleAPIQuestion(c *gin.Context) {
	s.apiQuestionAct(c, s.cfg.Questions.Question)
}

// apiAskRequest is the body of POST /api/v1/questions.
type apiAskRequest struct {
	Text       string `json:"text"`
	FromSearch string `json:"from_search"`
}

func (s *Server) handleAPIAsk(c *gin.Context) {
	var req apiAskRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.cfg.Questions.Ask(c.Request.Context(), req.Text, req.FromSearch)
	if err != nil {
		s.fail(c, err)
		return
	}
	me := wiki.UserFromContext(c.Request.Context())
	out := apiAskResult{ID: res.Question.ID, Question: toAPIQuestion(res.Question, me), Existing: res.Existing, Similar: []apiSimilar{}, SimilarQuestions: []apiQuestion{}}
	if res.Similar != nil {
		for _, a := range res.Similar.Answers {
			out.Similar = append(out.Similar, apiSimilar{Slug: a.Slug, Anchor: a.Anchor, Title: a.Title, Heading: a.Heading, URL: anchorURL(a.Slug, a.Anchor)})
		}
		for _, q := range res.Similar.Questions {
			out.SimilarQuestions = append(out.SimilarQuestions, toAPIQuestion(q, me))
		}
	}
	status := http.StatusCreated
	if res.Existing {
		status = http.StatusOK
	} else {
		c.Header("Location", prefixAPI+questionURL(res.Question.ID))
	}
	c.JSON(status, out)
}

type apiVoteResult struct {
	Question apiQuestion `json:"question"`
	Changed  bool        `json:"changed"`
}

func (s *Server) handleAPIQuestionVote(c *gin.Context) {
	id, err := questionID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	q, changed, err := s.cfg.Questions.Vote(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, apiVoteResult{Question: toAPIQuestion(q, wiki.UserFromContext(c.Request.Context())), Changed: changed})
}

func (s *Server) handleAPIQuestionAnswer(c *gin.Context) {
	s.apiQuestionAct(c, func(ctx context.Context, id int64) (*wiki.Question, error) {
		var f answerForm
		if err := decodeJSON(c, &f); err != nil {
			return nil, err
		}
		slug, anchor, err := f.link()
		if err != nil {
			return nil, err
		}
		return s.cfg.Questions.Answer(ctx, id, slug, anchor)
	})
}

// apiCloseRequest is the body of POST /api/v1/questions/{id}/close.
type apiCloseRequest struct {
	Status      string `json:"status"`
	Reason      string `json:"reason"`
	DuplicateOf int64  `json:"duplicate_of"`
}

func (s *Server) handleAPIQuestionClose(c *gin.Context) {
	s.apiQuestionAct(c, func(ctx context.Context, id int64) (*wiki.Question, error) {
		var req apiCloseRequest
		if err := decodeJSON(c, &req); err != nil {
			return nil, err
		}
		return s.cfg.Questions.Close(ctx, id, wiki.QuestionStatus(req.Status), req.Reason, req.DuplicateOf)
	})
}

func (s *Server) handleAPIQuestionReopen(c *gin.Context) {
	s.apiQuestionAct(c, s.cfg.Questions.Reopen)
}
