package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// Blame: the current text with, for every line and for the words inside
// it, the revision that wrote them; shaded by cohort, each piece a link to
// that revision's diff.

// blameCohortShades is how many cohort shades style.css defines.
const blameCohortShades = 8

// blamePage is the data of blame.html.
type blamePage struct {
	BasePage
	Page   *wiki.Page
	Lines  []blameLineView
	Legend []blameLegend
}

type blameLineView struct {
	Number int
	Rev    *wiki.Revision // the revision that wrote most of the line; nil for a blank line
	First  bool           // the first line of a run from the same revision: show who
	Shade  string
	Spans  []blameSpanView
}

type blameSpanView struct {
	Text  string
	Trail string // white space after the words, shown unshaded
	Rev   *wiki.Revision
	Shade string
	Other bool // written by another revision than most of its line
}

type blameLegend struct {
	Cohort string
	Shade  string
	Lines  int
}

// shades gives each cohort of a blame a CSS shade class, in order of first
// appearance; text by people in no cohort is "shade-none".
type shades map[string]string

func (sh shades) of(r *wiki.Revision) string {
	if r == nil || r.Cohort == "" {
		return "shade-none"
	}
	if c, ok := sh[r.Cohort]; ok {
		return c
	}
	c := "shade-" + string(rune('0'+len(sh)%blameCohortShades))
	sh[r.Cohort] = c
	return c
}

func (s *Server) handlePageBlame(c *gin.Context) {
	slug, ok := s.slugParam(c)
	if !ok {
		return
	}
	b, err := s.wiki.Blame(c.Request.Context(), slug)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := &blamePage{BasePage: s.base(c, "Who wrote "+b.Page.Title), Page: b.Page}
	sh := shades{}
	count := map[string]int{}
	noCohort := false
	prev, prevShade := -1, "shade-none"
	for _, l := range b.Lines {
		lv := blameLineView{Number: l.Number, Rev: b.Revisions[l.Revision]}
		lv.Shade = sh.of(lv.Rev)
		if lv.Rev != nil {
			lv.First = l.Revision != prev
			prev, prevShade = l.Revision, lv.Shade
			count[lv.Rev.Cohort]++
		} else {
			lv.Shade = prevShade // a blank line does not break its run's band
		}
		for _, sp := range l.Spans {
			r := b.Revisions[sp.Revision]
			noCohort = noCohort || r != nil && r.Cohort == ""
			text := strings.TrimRight(sp.Text, " \t")
			lv.Spans = append(lv.Spans, blameSpanView{Text: text, Trail: sp.Text[len(text):], Rev: r, Shade: sh.of(r), Other: r != nil && sp.Revision != l.Revision})
		}
		v.Lines = append(v.Lines, lv)
	}
	for cohort, shade := range sh {
		v.Legend = append(v.Legend, blameLegend{Cohort: cohort, Shade: shade, Lines: count[cohort]})
	}
	slices.SortFunc(v.Legend, func(a, b blameLegend) int { return b.Lines - a.Lines })
	if noCohort {
		v.Legend = append(v.Legend, blameLegend{Shade: "shade-none", Lines: count[""]})
	}
	s.render(c, http.StatusOK, "blame.html", v)
}

// apiBlame is the answer of GET /api/v1/pages/{slug}/blame.
type apiBlame struct {
	Slug     wiki.Slug      `json:"slug"`
	Revision int            `json:"revision"`
	Lines    []apiBlameLine `json:"lines"`
}

type apiBlameWho struct {
	Revision  int        `json:"revision"`
	Author    string     `json:"author"`
	Cohort    string     `json:"cohort"`
	CreatedAt *time.Time `json:"created_at"`
}

type apiBlameLine struct {
	Line int    `json:"line"`
	Text string `json:"text"`
	apiBlameWho
	Spans []apiBlameSpan `json:"spans"`
}

type apiBlameSpan struct {
	Text string `json:"text"`
	apiBlameWho
}

func blameWho(revs map[int]*wiki.Revision, n int) apiBlameWho {
	r := revs[n]
	if r == nil {
		return apiBlameWho{}
	}
	t := r.CreatedAt.UTC()
	return apiBlameWho{Revision: n, Author: r.Author, Cohort: r.Cohort, CreatedAt: &t}
}

func (s *Server) apiBlame(c *gin.Context, slug wiki.Slug, _ []string) {
	b, err := s.wiki.Blame(c.Request.Context(), slug)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := apiBlame{Slug: slug, Revision: b.Page.Revision, Lines: make([]apiBlameLine, 0, len(b.Lines))}
	for _, l := range b.Lines {
		al := apiBlameLine{Line: l.Number, apiBlameWho: blameWho(b.Revisions, l.Revision), Spans: make([]apiBlameSpan, 0, len(l.Spans))}
		for _, sp := range l.Spans {
			al.Text += sp.Text
			al.Spans = append(al.Spans, apiBlameSpan{Text: sp.Text, apiBlameWho: blameWho(b.Revisions, sp.Revision)})
		}
		out.Lines = append(out.Lines, al)
	}
	c.JSON(http.StatusOK, out)
}
