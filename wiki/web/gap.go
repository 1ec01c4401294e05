package web

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// The gap list: searches that found no answer and asked questions, one
// list for editors and trainers, with one-click actions (write the
// answer, link an existing section, dismiss, merge). It supersedes the
// old /search/gaps page, which redirects here; GET /api/v1/search/gaps
// still answers as before.

// gapRow is a gap as the list shows it.
type gapRow struct {
	*wiki.GapItem
	WriteURL string // write the answer on a new page
	// MergeInto are the open gaps offered to merge this one into: the
	// likeliest first (see mergeCandidates), at most maxMergeChoices.
	MergeInto []*wiki.GapItem
}

// gapsListPage is the data of gaps.html.
type gapsListPage struct {
	BasePage
	Status    string
	Gaps      []gapRow
	Since     time.Time
	Unhelpful []unhelpfulRow // trainers: answers readers said did not help
}

type unhelpfulRow struct {
	wiki.UnhelpfulAnswer
	URL string
}

// gapFilter reads ?status= and ?since= of the gap list.
func (s *Server) gapFilter(c *gin.Context) (wiki.GapFilter, error) {
	st, err := wiki.ParseGapStatus(c.Query("status"))
	if err != nil {
		return wiki.GapFilter{}, errBadRequestf("status must be open, answered or dismissed")
	}
	since, err := parseSince(c, s.now())
	if err != nil {
		return wiki.GapFilter{}, err
	}
	return wiki.GapFilter{Status: st, Since: since}, nil
}

func (s *Server) handleGaps(c *gin.Context) {
	f, err := s.gapFilter(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	gaps, err := s.cfg.Questions.Gaps(ctx, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := &gapsListPage{BasePage: s.base(c, "What the FAQ does not answer yet"), Status: string(f.Status), Since: f.Since}
	var open []*wiki.GapItem
	if v.CanTrain && f.Status == wiki.GapOpen {
		open = gaps
	}
	words := gapWords(open)
	for _, g := range gaps {
		row := gapRow{GapItem: g}
		if g.Kind == wiki.GapQuestion {
			row.WriteURL = answerNewPageURL(g.Texts[0], g.Question.ID, "")
		} else {
			row.WriteURL = answerNewPageURL(g.Texts[0], 0, g.ID)
		}
		if g.Status == wiki.GapOpen {
			row.MergeInto = mergeCandidates(g, open, words)
		}
		v.Gaps = append(v.Gaps, row)
	}
	if v.CanTrain && f.Status == wiki.GapOpen {
		un, err := s.cfg.Answers.Unhelpful(ctx, 20)
		if err != nil {
			s.fail(c, err)
			return
		}
		for _, u := range un {
			v.Unhelpful = append(v.Unhelpful, unhelpfulRow{UnhelpfulAnswer: u, URL: anchorURL(u.Slug, u.Anchor)})
		}
	}
	s.render(c, http.StatusOK, "gaps.html", v)
}

// gapForm is what the gap list's forms post.
type gapForm struct {
	Reason string `form:"reason"`
	Into   string `form:"into"`
	answerForm
}

func (s *Server) gapAction(c *gin.Context, act func(id string, f gapForm) (*wiki.GapItem, error), flash string) {
	var f gapForm
	if err := c.ShouldBind(&f); err != nil {
		s.fail(c, formError(err))
		return
	}
	if _, err := act(c.Param("id"), f); err != nil {
		s.fail(c, err)
		return
	}
	s.setFlash(c, flash)
	c.Redirect(http.StatusSeeOther, gapsURL())
}

func (s *Server) handleGapAnswer(c *gin.Context) {
	s.gapAction(c, func(id string, f gapForm) (*wiki.GapItem, error) {
		slug, anchor, err := f.link()
		if err != nil {
			return nil, err
		}
		return s.cfg.Questions.AnswerGap(c.Request.Context(), id, slug, anchor)
	}, "Linked to its answer: the gap is closed, and search learned that those words mean that answer.")
}

func (s *Server) handleGapDismiss(c *gin.Context) {
	s.gapAction(c, func(id string, f gapForm) (*wiki.GapItem, error) {
		return s.cfg.Questions.DismissGap(c.Request.Context(), id, f.Reason)
	}, "Dismissed, with your reason.")
}

func (s *Server) handleGapMerge(c *gin.Context) {
	s.gapAction(c, func(id string, f gapForm) (*wiki.GapItem, error) {
		return s.cfg.Questions.MergeGap(c.Request.Context(), id, f.Into)
	}, "Merged: the two are one gap now, with both wordings and everyone who hit them.")
}

func (s *Server) handleGapReopen(c *gin.Context) {
	s.gapAction(c, func(id string, f gapForm) (*wiki.GapItem, error) {
		return s.cfg.Questions.ReopenGap(c.Request.Context(), id)
	}, "Reopened.")
}

// API shapes of the gap list.

type apiGapItem struct {
	ID         string         `json:"id"`
	Kind       string         `json:"kind"`
	Texts      []string       `json:"texts"`
	People     int            `json:"people"`
	Searches   int            `json:"searches"`
	LastAt     time.Time      `json:"last_at"`
	Status     string         `json:"status"`
	Reason     string         `json:"reason,omitempty"`
	Answer     *apiAnswerLink `json:"answer"`
	Merged     []string       `json:"merged"`
	QuestionID int64          `json:"question_id,omitempty"`
	Results    int            `json:"results"`
	Weak       bool           `json:"weak"`
	FoundWith  []apiFoundWith `json:"found_with"`
}

func toAPIGapItem(g *wiki.GapItem) apiGapItem {
	out := apiGapItem{ID: g.ID, Kind: string(g.Kind), Texts: g.Texts, People: g.People, Searches: g.Searches, LastAt: g.LastAt.UTC(),
		Status: string(g.Status), Reason: g.Reason, Answer: toAPIAnswerLink(g.Answer), Merged: nonNil(g.Merged), Results: g.Results, Weak: g.Weak,
		FoundWith: []apiFoundWith{}}
	if g.Question != nil {
		out.QuestionID = g.Question.ID
	}
	for _, f := range g.FoundWith {
		out.FoundWith = append(out.FoundWith, apiFoundWith(f))
	}
	return out
}

func (s *Server) handleAPIGapList(c *gin.Context) {
	f, err := s.gapFilter(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	gaps, err := s.cfg.Questions.Gaps(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]apiGapItem, 0, len(gaps))
	for _, g := range gaps {
		out = append(out, toAPIGapItem(g))
	}
	c.JSON(http.StatusOK, out)
}

// apiGapRequest is the body of the gap actions: {reason} to dismiss,
// {into} to merge, {slug, anchor} (or {url}) to answer.
type apiGapRequest struct {
	Reason string `json:"reason"`
	Into   string `json:"into"`
	Slug   string `json:"slug"`
	Anchor string `json:"anchor"`
	URL    string `json:"url"`
}

func (s *Server) apiGapAction(c *gin.Context, body bool, act func(id string, req apiGapRequest) (*wiki.GapItem, error)) {
	var req apiGapRequest
	if body {
		if err := decodeJSON(c, &req); err != nil {
			s.fail(c, err)
			return
		}
	}
	g, err := act(c.Param("id"), req)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toAPIGapItem(g))
}

func (s *Server) handleAPIGapAnswer(c *gin.Context) {
	s.apiGapAction(c, true, func(id string, req apiGapRequest) (*wiki.GapItem, error) {
		slug, anchor, err := answerForm{Slug: req.Slug, Anchor: req.Anchor, URL: req.URL}.link()
		if err != nil {
			return nil, err
		}
		return s.cfg.Questions.AnswerGap(c.Request.Context(), id, slug, anchor)
	})
}

func (s *Server) handleAPIGapDismiss(c *gin.Context) {
	s.apiGapAction(c, true, func(id string, req apiGapRequest) (*wiki.GapItem, error) {
		return s.cfg.Questions.DismissGap(c.Request.Context(), id, req.Reason)
	})
}

func (s *Server) handleAPIGapMerge(c *gin.Context) {
	s.apiGapAction(c, true, func(id string, req apiGapRequest) (*wiki.GapItem, error) {
		return s.cfg.Questions.MergeGap(c.Request.Context(), id, req.Into)
	})
}

func (s *Server) handleAPIGapReopen(c *gin.Context) {
	s.apiGapAction(c, false, func(id string, _ apiGapRequest) (*wiki.GapItem, error) {
		return s.cfg.Questions.ReopenGap(c.Request.Context(), id)
	})
}

// maxMergeChoices bounds the "the same as" menu of each gap: a menu of
// every other open gap made the page grow with the square of the gaps
// (42 gaps, 184 KB).
const maxMergeChoices = 12

// gapWords is the set of words of each gap's texts, by gap id.
func gapWords(gaps []*wiki.GapItem) map[string]map[string]bool {
	out := make(map[string]map[string]bool, len(gaps))
	for _, g := range gaps {
		ws := map[string]bool{}
		for _, t := range g.Texts {
			for _, w := range strings.FieldsFunc(strings.ToLower(t), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
				if len([]rune(w)) > 2 {
					ws[w] = true
				}
			}
		}
		out[g.ID] = ws
	}
	return out
}

// mergeCandidates are the open gaps g may be merged into: those that
// share the most words with it first (a near-duplicate: "vacation days"
// and "how many vacation days"), then the most asked, at most
// maxMergeChoices. A question merges only into a question.
func mergeCandidates(g *wiki.GapItem, open []*wiki.GapItem, words map[string]map[string]bool) []*wiki.GapItem {
	type cand struct {
		g      *wiki.GapItem
		shared int
	}
	var cs []cand
	for _, o := range open {
		if o.ID == g.ID || g.Question != nil && o.Question == nil {
			continue
		}
		n := 0
		for w := range words[g.ID] {
			if words[o.ID][w] {
				n++
			}
		}
		cs = append(cs, cand{o, n})
	}
	slices.SortStableFunc(cs, func(a, b cand) int {
		return cmp.Or(cmp.Compare(b.shared, a.shared), cmp.Compare(b.g.People, a.g.People))
	})
	out := make([]*wiki.GapItem, 0, min(len(cs), maxMergeChoices))
	for _, c := range cs[:min(len(cs), maxMergeChoices)] {
		out = append(out, c.g)
	}
	return out
}
