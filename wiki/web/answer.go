package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/faqwiki/faqwiki/wiki/markdown"
	"github.com/gin-gonic/gin"
)

// Answers on a page: after each answer a small box, "Did this answer your
// question? Yes / No", when it was last confirmed and by which cohort,
// "Still right" and "Out of date…" (editors); after the heading of a
// flagged answer, a notice every reader sees until a trainer resolves it.
// All of it is plain forms, so it works without JavaScript.
//
// The rendered page is cached per revision and must stay the same for
// everyone, so nothing is put into it: the page is cut at the outline's
// headings (markdown.Rendered.Sections, found once per render) and the
// template puts the boxes between the pieces. The per-reader part (their
// own vote) comes from one read of the store.

// answerChunk is one piece of a page's body: a heading, the notice of
// its open flags, its text, and the box of its answer (nil: none).
type answerChunk struct {
	Head   template.HTML
	Body   template.HTML
	Answer *answerBox
}

// answerBox is the box after one answer. Its buttons belong to forms the
// page has once (answerForms), so that a page of a hundred answers does
// not carry a hundred copies of the CSRF token and the form addresses:
// the button's value names the answer.
type answerBox struct {
	// Flat fields, each read once by the template: a page may have a
	// hundred boxes, and html/template's reflection is most of their cost.
	Label     string // what it is about, for screen readers
	DomID     string // the id of the box's question text, unique in the page
	VoteYes   string // the values of its vote buttons: "yes:" or "no:" and the anchor
	VoteNo    string
	FormID    string // the anchor as forms post it (WholePage for the page)
	SignedIn  bool
	CanVerify bool // may confirm and flag
	CanTrain  bool
	LoginURL  string // sign in and come back, for visitors
	FlagURL   string // the form to say what is out of date
	// The latest confirmation, said in words.
	ConfirmedOn, ConfirmedISO, ConfirmedBy, ConfirmedCohortURL string
	// The reader's vote, and the votes on this version of the text.
	VotedYes, VotedNo, HasVotes bool
	Yes, No                     int
	Flags                       []wiki.Flag // open
}

// answerForms are the page's forms that the boxes' buttons belong to.
type answerForms struct {
	Feedback, Confirm, Resolve string // their actions
}

// pageAnswers cuts the page's body into answers and fills in their boxes.
// Nothing here may fail the page: a problem is logged and the page shown
// without boxes.
func (s *Server) pageAnswers(c *gin.Context, v *pageView, r *markdown.Rendered) {
	if s.cfg.Answers == nil {
		return
	}
	ctx := c.Request.Context()
	pa, err := s.cfg.Answers.PageAnswers(ctx, v.Page, r)
	if err != nil {
		s.log.Warn("page answers", "slug", v.Page.Slug, "err", err)
		return
	}
	v.Flagged = pa.Flagged
	u := wiki.UserFromContext(ctx)
	class := "visitor"
	switch {
	case u.Has(wiki.RoleTrainer) && u.SignedIn():
		class = "trainer"
	case u.Has(wiki.RoleEditor) && u.SignedIn():
		class = "editor"
	case u.SignedIn():
		class = "reader"
	}
	// The body with its boxes is the same for everyone of one class with
	// the same votes while the render and the answers' state stay the
	// same: it is drawn once and kept, with the page's addresses the
	// boxes' forms post to (made once, not on every view).
	var stack [256]byte
	key := appendAnswersKey(stack[:0], v.Page, r, pa.Version, class)
	if d, ok := s.answerBodies.get(key); ok {
		v.AnswersKey, v.AnswerBody, v.InfoURL, v.AnswerForms = d.key, d.body, d.info, d.forms
		return
	}
	d := &drawnAnswers{key: string(key), info: pageInfoURL(v.Page.Slug),
		forms: &answerForms{Feedback: feedbackURL(v.Page.Slug), Confirm: confirmURL(v.Page.Slug), Resolve: resolveURL(v.Page.Slug)}}
	v.AnswersKey, v.InfoURL, v.AnswerForms = d.key, d.info, d.forms
	body, err := s.drawAnswers(v, r, pa, u)
	if err != nil {
		s.log.Error("draw the answers of a page", "slug", v.Page.Slug, "err", err, "request_id", reqID(c))
		return
	}
	d.body = body
	s.answerBodies.put(d)
	v.AnswerBody = body
}

// appendAnswersKey appends the name of the answer boxes drawn into the
// body of page's render r (the render itself, by its address: a page it
// links to made anew is a new render of the same revision) for the
// answers' state version and a reader of the class. It is made on every
// view, into a buffer the caller keeps on the stack.
func appendAnswersKey(b []byte, page *wiki.Page, r *markdown.Rendered, version, class string) []byte {
	b = append(b, page.Slug...)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(page.Revision), 10)
	b = append(b, 0)
	b = strconv.AppendUint(b, uint64(reflect.ValueOf(r).Pointer()), 16)
	b = append(b, 0)
	b = append(b, version...)
	b = append(b, 0)
	return append(b, class...)
}

// drawAnswers cuts the page's body into answers and draws each with its
// box ("answer_body" in partials/answer.html).
func (s *Server) drawAnswers(v *pageView, r *markdown.Rendered, pa *wiki.PageAnswers, u *wiki.User) (template.HTML, error) {
	html := string(r.HTML)
	// The pieces start at the intro and at every heading found in the HTML.
	type cut struct {
		anchor         string
		start, headEnd int
	}
	cuts := []cut{{"", 0, 0}}
	for _, sp := range r.Sections[1:] {
		if sp.Start >= 0 {
			cuts = append(cuts, cut{sp.Anchor, sp.Start, sp.HeadEnd})
		}
	}
	// The footnotes come after the last answer's box, not inside its text
	// (the renderer puts r.Notes after every heading, or at the end).
	notes := r.Notes
	var chunks []answerChunk
	for i, ct := range cuts {
		end := notes
		if i+1 < len(cuts) {
			end = cuts[i+1].start
		}
		// Safe: the pieces are cut from the renderer's safe HTML at the
		// start of a top-level heading's tag and just after its closing
		// tag, and at the start of the footnotes' <div>, never inside a
		// tag, an attribute or a text run.
		ch := answerChunk{Head: template.HTML(html[ct.start:ct.headEnd]), Body: template.HTML(html[ct.headEnd:end])}
		if st := pa.States[ct.anchor]; st != nil {
			ch.Answer = s.answerBox(v.Page, st, i, u)
		}
		chunks = append(chunks, ch)
	}
	if notes < len(html) {
		chunks = append(chunks, answerChunk{Body: template.HTML(html[notes:])})
	}
	t, ok := s.pages.pages["page_view.html"]
	if !ok {
		return "", errors.New("no page_view.html template")
	}
	var b strings.Builder
	b.Grow(len(html) + len(chunks)*900)
	if err := t.ExecuteTemplate(&b, "answer_body", chunks); err != nil {
		return "", err
	}
	// Safe: html/template drew it from the safe pieces and escaped values.
	return template.HTML(b.String()), nil
}

// answerBox is the box of answer st, the i-th piece of page p.
func (s *Server) answerBox(p *wiki.Page, st *wiki.AnswerState, i int, u *wiki.User) *answerBox {
	label := st.Heading
	if label == "" {
		label = p.Title
	}
	id := formAnchor(st.Anchor)
	box := &answerBox{Label: label, DomID: "answer-" + strconv.Itoa(i), VoteYes: "yes:" + id, VoteNo: "no:" + id,
		FormID: id, SignedIn: u.SignedIn(), CanVerify: u.Has(wiki.RoleEditor) && u.SignedIn(), CanTrain: u.Has(wiki.RoleTrainer),
		VotedYes: st.MyVote == "yes", VotedNo: st.MyVote == "no", HasVotes: st.Yes+st.No > 0, Yes: st.Yes, No: st.No, Flags: st.Flags}
	if !box.SignedIn {
		box.LoginURL = loginURL() + "?next=" + url.QueryEscape(anchorURL(p.Slug, st.Anchor))
	}
	if box.CanVerify || box.CanTrain {
		box.FlagURL = flagURL(p.Slug) + "?anchor=" + url.QueryEscape(id)
	}
	if c := st.Confirmed; c != nil {
		// A date, not "3 minutes ago": the box is drawn once and kept.
		box.ConfirmedOn, box.ConfirmedISO, box.ConfirmedBy = c.At.UTC().Format("2 Jan 2006"), c.At.UTC().Format(time.RFC3339), c.By
		if c.Cohort != "" {
			box.ConfirmedBy, box.ConfirmedCohortURL = "cohort "+c.Cohort, cohortURL(c.Cohort)
		}
	}
	return box
}

// answerBodies keeps drawn page bodies with their answer boxes, by page,
// render, answers' state and kind of reader: a bounded map emptied when
// full (a page's entry is redrawn in a millisecond).
type answerBodies struct {
	mu    sync.Mutex
	m     map[string]*drawnAnswers
	bytes int
}

// drawnAnswers is a page body drawn with its answer boxes, under its key
// (appendAnswersKey), with the page's addresses its forms use.
type drawnAnswers struct {
	key   string
	body  template.HTML
	info  string
	forms *answerForms
}

const maxAnswerBodyBytes = 32 << 20

// get looks up the key held in k; the map index does not copy it.
func (a *answerBodies) get(k []byte) (*drawnAnswers, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	d, ok := a.m[string(k)]
	return d, ok
}

func (a *answerBodies) put(d *drawnAnswers) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil || a.bytes+len(d.body) > maxAnswerBodyBytes {
		a.m, a.bytes = map[string]*drawnAnswers{}, 0
	}
	if _, ok := a.m[d.key]; !ok {
		a.bytes += len(d.body) + len(d.key)
	}
	a.m[d.key] = d
}

// countLinkOpen counts a view of a page's current text that came from a
// link on another page of this wiki (the Referer, which the browser sends
// for the site's own pages: Referrer-Policy same-origin). A link's #part
// stays in the browser, so link opens count for the page as a whole.
// Searches count their opens at /search/open, with the section.
func (s *Server) countLinkOpen(c *gin.Context, slug wiki.Slug) {
	if s.cfg.Answers == nil || !askedByAPerson(c.Request) {
		return
	}
	referer := c.Request.Referer()
	if referer == "" {
		return // most views: not worth parsing
	}
	ref, err := url.Parse(referer)
	if err != nil || ref.Host != c.Request.Host || !strings.HasPrefix(ref.Path, prefixWiki) {
		return
	}
	if from := strings.TrimPrefix(ref.Path, prefixWiki); from == string(slug) || from == "" {
		return
	}
	s.cfg.Answers.CountOpen(c.Request.Context(), slug, "", wiki.OpenedFromLink, "")
}

// answerActionForm is what an answer box's forms post.
type answerActionForm struct {
	Anchor  string `form:"anchor"`
	Helpful string `form:"helpful"` // "yes" or "no"
	Note    string `form:"note"`
	// Vote is a box's vote button: "yes:" or "no:" and the anchor, in
	// place of helpful and anchor.
	Vote string `form:"vote"`
}

// answerAction runs act on the answer a box's form names and goes back
// to it with flash.
func (s *Server) answerAction(c *gin.Context, act func(slug wiki.Slug, anchor string, f answerActionForm) (string, error)) {
	slug, ok := s.slugParam(c)
	if !ok {
		return
	}
	var f answerActionForm
	if err := c.ShouldBind(&f); err != nil {
		s.fail(c, formError(err))
		return
	}
	if h, a, ok := strings.Cut(f.Vote, ":"); ok {
		f.Helpful, f.Anchor = h, a
	}
	anchor, err := wiki.ParseAnswerAnchor(f.Anchor)
	if err != nil {
		s.fail(c, err)
		return
	}
	flash, err := act(slug, anchor, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setFlash(c, flash)
	c.Redirect(http.StatusSeeOther, anchorURL(slug, anchor))
}

func parseHelpful(s string) (bool, error) {
	switch s {
	case "yes", "true":
		return true, nil
	case "no", "false":
		return false, nil
	}
	return false, wiki.Invalid("helpful", "must be yes or no")
}

func (s *Server) handleFeedback(c *gin.Context) {
	s.answerAction(c, func(slug wiki.Slug, anchor string, f answerActionForm) (string, error) {
		helpful, err := parseHelpful(f.Helpful)
		if err != nil {
			return "", err
		}
		if _, err := s.cfg.Answers.Feedback(c.Request.Context(), slug, anchor, helpful); err != nil {
			return "", err
		}
		if helpful {
			return "Thanks: glad it answered your question.", nil
		}
		return "Thanks for saying so. If you know what is missing, improve the answer, or ask your question so that someone does.", nil
	})
}

func (s *Server) handleConfirm(c *gin.Context) {
	s.answerAction(c, func(slug wiki.Slug, anchor string, f answerActionForm) (string, error) {
		if _, err := s.cfg.Answers.Confirm(c.Request.Context(), slug, anchor, f.Note); err != nil {
			return "", err
		}
		if wiki.UserFromContext(c.Request.Context()).Cohort != "" {
			return "Confirmed still right, for your cohort. Thank you: the next cohort will know this answer was checked.", nil
		}
		return "Confirmed still right. Thank you: the next cohort will know this answer was checked.", nil
	})
}

func (s *Server) handleFlag(c *gin.Context) {
	s.answerAction(c, func(slug wiki.Slug, anchor string, f answerActionForm) (string, error) {
		if _, err := s.cfg.Answers.Flag(c.Request.Context(), slug, anchor, f.Note); err != nil {
			return "", err
		}
		return "Flagged as out of date: readers see your note until a trainer resolves it. If you know the right answer, edit it in.", nil
	})
}

// flagPage is the data of answer_flag.html: the form to say what is out
// of date in an answer.
type flagPage struct {
	BasePage
	State  *wiki.AnswerState
	Anchor string // as the form posts it
	Errors map[string]string
	Note   string
}

func (s *Server) handleFlagForm(c *gin.Context) {
	slug, ok := s.slugParam(c)
	if !ok {
		return
	}
	anchor, err := wiki.ParseAnswerAnchor(c.Query("anchor"))
	if err != nil {
		s.fail(c, err)
		return
	}
	st, err := s.cfg.Answers.State(c.Request.Context(), slug, anchor)
	if err != nil {
		s.fail(c, err)
		return
	}
	label := st.Heading
	if label == "" {
		label = st.Title
	}
	s.render(c, http.StatusOK, "answer_flag.html", &flagPage{BasePage: s.base(c, "Out of date: "+label), State: st, Anchor: formAnchor(anchor)})
}

func (s *Server) handleResolve(c *gin.Context) {
	s.answerAction(c, func(slug wiki.Slug, anchor string, f answerActionForm) (string, error) {
		if _, err := s.cfg.Answers.Resolve(c.Request.Context(), slug, anchor, f.Note); err != nil {
			return "", err
		}
		return "Resolved: the notice is gone, and the answer counts as confirmed by you.", nil
	})
}

// pageInfoPage is the data of page_info.html.
type pageInfoPage struct {
	BasePage
	Page    *wiki.Page
	Answers []wiki.AnswerReport
	Whole   *wiki.AnswerReport // the page as a whole: its link opens
}

func (s *Server) handlePageInfo(c *gin.Context) {
	slug, ok := s.slugParam(c)
	if !ok {
		return
	}
	p, reps, err := s.cfg.Answers.PageReport(c.Request.Context(), slug)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := &pageInfoPage{BasePage: s.base(c, "Page info: "+p.Title), Page: p}
	for i := range reps {
		if reps[i].Part.Anchor == "" && !reps[i].Part.HasText {
			v.Whole = &reps[i]
			continue
		}
		if reps[i].Part.Anchor == "" && len(reps) > 1 {
			v.Whole = &reps[i]
			continue
		}
		v.Answers = append(v.Answers, reps[i])
	}
	s.render(c, http.StatusOK, "page_info.html", v)
}

// freshnessPage is the data of freshness.html.
type freshnessPage struct {
	BasePage
	Flagged    []wiki.AnswerAge
	Stale      []wiki.AnswerAge
	StaleAfter time.Duration
}

func (s *Server) handleFreshness(c *gin.Context) {
	ctx := c.Request.Context()
	v := &freshnessPage{BasePage: s.base(c, "Answers to check"), StaleAfter: s.cfg.Answers.StaleAfter()}
	var err error
	if v.Flagged, err = s.cfg.Answers.Freshness(ctx, wiki.FreshnessFilter{Status: wiki.FreshFlagged}); err != nil {
		s.fail(c, err)
		return
	}
	if v.Stale, err = s.cfg.Answers.Freshness(ctx, wiki.FreshnessFilter{Status: wiki.FreshStale}); err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "freshness.html", v)
}

// API shapes of answers.

type apiVotes struct {
	Yes int `json:"yes"`
	No  int `json:"no"`
}

type apiConfirmation struct {
	By     string    `json:"by"`
	Cohort string    `json:"cohort"`
	At     time.Time `json:"at"`
	Note   string    `json:"note,omitempty"`
}

type apiFlag struct {
	ID     int       `json:"id"`
	Note   string    `json:"note"`
	By     string    `json:"by"`
	Cohort string    `json:"cohort"`
	At     time.Time `json:"at"`
}

func toAPIConfirmation(c *wiki.Confirmation) *apiConfirmation {
	if c == nil {
		return nil
	}
	return &apiConfirmation{By: c.By, Cohort: c.Cohort, At: c.At.UTC(), Note: c.Note}
}

func toAPIFlags(fs []wiki.Flag) []apiFlag {
	out := []apiFlag{}
	for _, f := range fs {
		out = append(out, apiFlag{ID: f.ID, Note: f.Note, By: f.By, Cohort: f.Cohort, At: f.At.UTC()})
	}
	return out
}

// apiAnswerState is the answer to the feedback, confirm, flag and resolve
// calls.
type apiAnswerState struct {
	Slug      wiki.Slug        `json:"slug"`
	Anchor    string           `json:"anchor"`
	Heading   string           `json:"heading"`
	Revision  int              `json:"revision"`
	Version   string           `json:"version"` // names the version of the text the votes are for
	Helpful   apiVotes         `json:"helpful"`
	AllTime   apiVotes         `json:"helpful_all_versions"`
	MyVote    string           `json:"my_vote"`
	Confirmed *apiConfirmation `json:"confirmed"`
	Flags     []apiFlag        `json:"flags"`
}

func toAPIAnswerState(st *wiki.AnswerState) apiAnswerState {
	return apiAnswerState{Slug: st.Slug, Anchor: formAnchor(st.Anchor), Heading: st.Heading, Revision: st.Revision, Version: st.Hash,
		Helpful: apiVotes{st.Yes, st.No}, AllTime: apiVotes{st.AllYes, st.AllNo}, MyVote: st.MyVote,
		Confirmed: toAPIConfirmation(st.Confirmed), Flags: toAPIFlags(st.Flags)}
}

// apiFeedbackRequest is the body of .../feedback; apiNoteRequest of
// .../confirm, .../flag and .../resolve.
type apiFeedbackRequest struct {
	Helpful *bool `json:"helpful"`
}

type apiNoteRequest struct {
	Note string `json:"note"`
}

// apiSectionAction decodes body, if one was sent, and runs act on the answer
// args[0] names.
func (s *Server) apiSectionAction(c *gin.Context, slug wiki.Slug, args []string, body any, act func(anchor string) (*wiki.AnswerState, error)) {
	if !s.answersOn(c) {
		return
	}
	anchor, err := wiki.ParseAnswerAnchor(args[0])
	if err != nil {
		s.fail(c, err)
		return
	}
	// The body is optional: no body is no note.
	if c.Request.ContentLength != 0 && c.Request.Body != nil && c.Request.Body != http.NoBody {
		if err := decodeJSON(c, body); err != nil {
			s.fail(c, err)
			return
		}
	}
	st, err := act(anchor)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toAPIAnswerState(st))
}

// answersOn answers 404 when the answers features are off.
func (s *Server) answersOn(c *gin.Context) bool {
	if s.cfg.Answers == nil {
		s.handleNoRoute(c)
		return false
	}
	return true
}

func (s *Server) apiSectionFeedback(c *gin.Context, slug wiki.Slug, args []string) {
	if !s.answersOn(c) {
		return
	}
	var req apiFeedbackRequest
	anchor, err := wiki.ParseAnswerAnchor(args[0])
	if err == nil {
		err = decodeJSON(c, &req)
	}
	if err == nil && req.Helpful == nil {
		err = wiki.Invalid("helpful", "is required: true or false")
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	st, err := s.cfg.Answers.Feedback(c.Request.Context(), slug, anchor, *req.Helpful)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toAPIAnswerState(st))
}

func (s *Server) apiSectionConfirm(c *gin.Context, slug wiki.Slug, args []string) {
	var req apiNoteRequest
	s.apiSectionAction(c, slug, args, &req, func(anchor string) (*wiki.AnswerState, error) {
		return s.cfg.Answers.Confirm(c.Request.Context(), slug, anchor, req.Note)
	})
}

func (s *Server) apiSectionFlag(c *gin.Context, slug wiki.Slug, args []string) {
	var req apiNoteRequest
	s.apiSectionAction(c, slug, args, &req, func(anchor string) (*wiki.AnswerState, error) {
		return s.cfg.Answers.Flag(c.Request.Context(), slug, anchor, req.Note)
	})
}

func (s *Server) apiSectionResolve(c *gin.Context, slug wiki.Slug, args []string) {
	var req apiNoteRequest
	s.apiSectionAction(c, slug, args, &req, func(anchor string) (*wiki.AnswerState, error) {
		return s.cfg.Answers.Resolve(c.Request.Context(), slug, anchor, req.Note)
	})
}

type apiCredit struct {
	Username string  `json:"username"`
	Cohort   string  `json:"cohort"`
	Share    float64 `json:"share"`
}

type apiQueryCount struct {
	Query string `json:"query"`
	Count int    `json:"count"`
}

// apiSection is an answer of GET /api/v1/pages/{slug}/sections.
type apiSection struct {
	Anchor            string           `json:"anchor"`
	Heading           string           `json:"heading"`
	Level             int              `json:"level"`
	Version           string           `json:"version"`
	TextSince         *time.Time       `json:"text_since"`
	Helpful           apiVotes         `json:"helpful"`
	AllTime           apiVotes         `json:"helpful_all_versions"`
	Confirmed         *apiConfirmation `json:"confirmed"`
	Confirmations     int              `json:"confirmations"`
	Flags             []apiFlag        `json:"flags"`
	OpenedFromSearch  int              `json:"opened_from_search"`
	OpenedFromLinks   int              `json:"opened_from_links"`
	QuestionsAnswered int              `json:"questions_answered"`
	Authors           []apiCredit      `json:"authors"`
	// Searches that led there (trainers only).
	Queries []apiQueryCount `json:"queries,omitempty"`
}

func toAPICredits(cs []wiki.Credit) []apiCredit {
	out := []apiCredit{}
	for _, c := range cs {
		out = append(out, apiCredit{Username: c.Username, Cohort: c.Cohort, Share: float64(int(c.Share*1000+0.5)) / 1000})
	}
	return out
}

func (s *Server) apiSections(c *gin.Context, slug wiki.Slug, _ []string) {
	if !s.answersOn(c) {
		return
	}
	_, reps, err := s.cfg.Answers.PageReport(c.Request.Context(), slug)
	if err != nil {
		s.fail(c, err)
		return
	}
	trainer := wiki.UserFromContext(c.Request.Context()).Has(wiki.RoleTrainer)
	out := []apiSection{}
	for _, r := range reps {
		a := apiSection{Anchor: formAnchor(r.Part.Anchor), Heading: r.Part.Heading, Level: r.Part.Level, Version: r.Part.Hash,
			Helpful: apiVotes{r.Yes, r.No}, Flags: []apiFlag{}, QuestionsAnswered: r.QuestionsAnswered, Authors: toAPICredits(r.Authors)}
		if !r.TextSince.IsZero() {
			t := r.TextSince.UTC()
			a.TextSince = &t
		}
		if rec := r.Record; rec != nil {
			a.AllTime.Yes, a.AllTime.No = rec.Votes()
			a.Confirmed, a.Confirmations, a.Flags = toAPIConfirmation(rec.Confirmed), rec.Confirmations, toAPIFlags(rec.OpenFlags())
			a.OpenedFromSearch, a.OpenedFromLinks = rec.OpenCount(wiki.OpenedFromSearch), rec.OpenCount(wiki.OpenedFromLink)
			if trainer {
				for q, n := range rec.Queries {
					a.Queries = append(a.Queries, apiQueryCount{q, n})
				}
			}
		}
		out = append(out, a)
	}
	c.JSON(http.StatusOK, out)
}

// apiAnswerAge is an entry of GET /api/v1/freshness.
type apiAnswerAge struct {
	Slug       wiki.Slug        `json:"slug"`
	Title      string           `json:"title"`
	Anchor     string           `json:"anchor"`
	Heading    string           `json:"heading"`
	URL        string           `json:"url"`
	TextSince  time.Time        `json:"text_since"`
	VerifiedAt time.Time        `json:"verified_at"`
	Confirmed  *apiConfirmation `json:"confirmed"`
	Flags      []apiFlag        `json:"flags"`
}

func toAPIAnswerAges(as []wiki.AnswerAge) []apiAnswerAge {
	out := []apiAnswerAge{}
	for _, a := range as {
		out = append(out, apiAnswerAge{Slug: a.Slug, Title: a.Title, Anchor: formAnchor(a.Anchor), Heading: a.Heading, URL: anchorURL(a.Slug, a.Anchor),
			TextSince: a.TextSince.UTC(), VerifiedAt: a.Verified.UTC(), Confirmed: toAPIConfirmation(a.Confirmed), Flags: toAPIFlags(a.Flags)})
	}
	return out
}

func (s *Server) handleAPIFreshness(c *gin.Context) {
	f := wiki.FreshnessFilter{Status: c.DefaultQuery("status", wiki.FreshStale), Cohort: c.Query("cohort")}
	var err error
	if f.Limit, err = queryLimit(c, 1000); err != nil {
		s.fail(c, err)
		return
	}
	ages, err := s.cfg.Answers.Freshness(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toAPIAnswerAges(ages))
}

type apiSectionImpact struct {
	Slug              wiki.Slug      `json:"slug"`
	Title             string         `json:"title"`
	Anchor            string         `json:"anchor"`
	Heading           string         `json:"heading"`
	Share             float64        `json:"share"`
	OpenedFromSearch  int            `json:"opened_from_search"`
	OpenedFromLinks   int            `json:"opened_from_links"`
	QuestionsAnswered int            `json:"questions_answered"`
	Helpful           apiVotes       `json:"helpful"`
	ByCohort          map[string]int `json:"opened_by_cohort"`
}

type apiImpact struct {
	User                 string             `json:"user,omitempty"`
	Cohort               string             `json:"cohort,omitempty"`
	OpenedFromSearch     int                `json:"opened_from_search"`
	OpenedFromLinks      int                `json:"opened_from_links"`
	QuestionsAnswered    int                `json:"questions_answered"`
	Helpful              apiVotes           `json:"helpful"`
	LaterCohorts         int                `json:"later_cohorts"`
	OpenedByLaterCohorts int                `json:"opened_by_later_cohorts"`
	Sections             []apiSectionImpact `json:"sections"`
}

func (s *Server) handleAPIImpact(c *gin.Context) {
	f := wiki.ImpactFilter{User: c.Query("user"), Cohort: c.Query("cohort")}
	if me := wiki.UserFromContext(c.Request.Context()); f.User == "" && f.Cohort == "" && me.SignedIn() {
		f.User = me.Name
	}
	if f.User != "" && f.Cohort != "" {
		s.fail(c, errBadRequestf("give user or cohort, not both"))
		return
	}
	if f.User == "" && f.Cohort == "" {
		s.fail(c, errBadRequestf("give user= or cohort="))
		return
	}
	im, err := s.cfg.Answers.Impact(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := apiImpact{User: im.User, Cohort: im.Cohort, OpenedFromSearch: im.OpenedFromSearch, OpenedFromLinks: im.OpenedFromLinks,
		QuestionsAnswered: im.QuestionsAnswered, Helpful: apiVotes{im.HelpfulYes, im.HelpfulNo}, LaterCohorts: im.LaterCohorts,
		OpenedByLaterCohorts: im.OpenedByLaterCohorts, Sections: []apiSectionImpact{}}
	for _, si := range im.Sections {
		out.Sections = append(out.Sections, apiSectionImpact{Slug: si.Slug, Title: si.Title, Anchor: formAnchor(si.Anchor), Heading: si.Heading,
			Share: float64(int(si.Share*1000+0.5)) / 1000, OpenedFromSearch: si.OpenedFromSearch, OpenedFromLinks: si.OpenedFromLinks,
			QuestionsAnswered: si.QuestionsAnswered, Helpful: apiVotes{si.HelpfulYes, si.HelpfulNo}, ByCohort: si.ByCohort})
	}
	c.JSON(http.StatusOK, out)
}

type apiUnhelpful struct {
	Slug    wiki.Slug       `json:"slug"`
	Title   string          `json:"title"`
	Anchor  string          `json:"anchor"`
	Heading string          `json:"heading"`
	URL     string          `json:"url"`
	Helpful apiVotes        `json:"helpful"`
	Queries []apiQueryCount `json:"queries"`
}

func (s *Server) handleAPIUnhelpful(c *gin.Context) {
	limit, err := queryLimit(c, 500)
	if err != nil {
		s.fail(c, err)
		return
	}
	if limit == 0 {
		limit = 50
	}
	un, err := s.cfg.Answers.Unhelpful(c.Request.Context(), limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := []apiUnhelpful{}
	for _, u := range un {
		a := apiUnhelpful{Slug: u.Slug, Title: u.Title, Anchor: formAnchor(u.Anchor), Heading: u.Heading, URL: anchorURL(u.Slug, u.Anchor),
			Helpful: apiVotes{u.Yes, u.No}, Queries: []apiQueryCount{}}
		for _, q := range u.Queries {
			a.Queries = append(a.Queries, apiQueryCount(q))
		}
		out = append(out, a)
	}
	c.JSON(http.StatusOK, out)
}
