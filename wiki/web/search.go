package web

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// searchHit is a hit as the results page shows it: the snippet trusted as
// HTML only after it passed wiki.IsSafeSnippet.
type searchHit struct {
	wiki.SearchHit
	Snippet  template.HTML
	OpenURL  string // through /search/open, so opening it is logged
	Sections []searchSection
}

// searchSection is another strong section of a hit's page.
type searchSection struct {
	wiki.SectionHit
	Snippet template.HTML
	OpenURL string
}

// searchPage is the data of search.html.
type searchPage struct {
	BasePage
	Tag        string
	Result     *wiki.SearchResult
	Hits       []searchHit
	Page       int // 1-based
	PrevURL    string
	NextURL    string
	FacetURLs  map[string]string // tag -> results URL with that tag filter
	AllTagsURL string
	Partial    bool // just the results, for search as you type
	Gap        bool // nothing found: offer to write the answer
	Weak       bool // something found, but probably not the answer: say so, and offer to write it
	Degraded   bool // the index failed: no results, and a word about it
	// Popular are the answers opened most this month, shown on the search
	// page before anything is asked (the home page's list).
	Popular []homeOpen
}

// searchPerPage is how many pages of hits the results page shows at once.
const searchPerPage = 10

func (s *Server) handleSearch(c *gin.Context) {
	q := c.Query("q")
	tag := queryTag(c)
	page := 1
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || (n-1)*searchPerPage > wiki.MaxSearchOffset {
			s.fail(c, errBadRequestf("page must be a number from 1 to %d", wiki.MaxSearchOffset/searchPerPage+1))
			return
		}
		page = n
	}
	partial := c.Query("partial") == "1" || c.Query("partial") == "quick"
	v := &searchPage{BasePage: s.base(c, "Search"), Tag: tag, Page: page, Partial: partial}
	v.Query = q
	if strings.TrimSpace(q) != "" || tag != "" {
		v.Title = "Search: " + q
		res, degraded, err := s.search(c, wiki.SearchQuery{Text: q, Tag: tag, Limit: searchPerPage, Offset: (page - 1) * searchPerPage})
		if err != nil {
			s.fail(c, err)
			return
		}
		v.Result = res
		v.Degraded = degraded
		v.Gap = res.Total == 0 && !degraded
		v.Weak = !v.Gap && !degraded && res.Weak
		if !partial && page == 1 && !degraded {
			s.logSearch(c, q, res)
		}
		for _, h := range res.Hits {
			hit := searchHit{SearchHit: h, Snippet: safeSnippet(h.Snippet), OpenURL: searchOpenURL(res.Query, h.Slug, h.Anchor)}
			for _, sec := range h.Sections {
				hit.Sections = append(hit.Sections, searchSection{SectionHit: sec, Snippet: safeSnippet(sec.Snippet), OpenURL: searchOpenURL(res.Query, h.Slug, sec.Anchor)})
			}
			v.Hits = append(v.Hits, hit)
		}
		link := func(tag string, page int) string { return searchPageURL(q, tag, page) }
		if page > 1 {
			v.PrevURL = link(tag, page-1)
		}
		if page*searchPerPage < res.Total && page*searchPerPage <= wiki.MaxSearchOffset {
			v.NextURL = link(tag, page+1)
		}
		v.FacetURLs = map[string]string{}
		for _, f := range res.Facets {
			v.FacetURLs[f.Tag] = link(f.Tag, 1)
		}
		v.AllTagsURL = link("", 1)
	}
	if v.Result == nil && !partial {
		v.Popular = s.homeDigest(c.Request.Context()).opened
	}
	switch {
	case partial && c.Query("partial") == "quick":
		s.renderPartial(c, "search.html", "quick", v) // the header's box, as you type
		return
	case partial:
		s.renderPartial(c, "search.html", "results", v)
		return
	}
	s.render(c, http.StatusOK, "search.html", v)
}

// search asks the index. The index is derived data and may be damaged,
// missing or rebuilding; a search it cannot answer is logged and answered
// with no results and degraded set, never with an error page, since
// everything else about the wiki still works. Only the request's own end
// (the client left) is an error.
func (s *Server) search(c *gin.Context, q wiki.SearchQuery) (res *wiki.SearchResult, degraded bool, err error) {
	ctx := c.Request.Context()
	res, err = s.cfg.Search.Search(ctx, q)
	if err == nil {
		return res, false, nil
	}
	if ctx.Err() != nil {
		return nil, false, err
	}
	s.log.Error("search failed; answering with no results", "err", err, "request_id", reqID(c))
	return &wiki.SearchResult{Query: q.Text, Hits: []wiki.SearchHit{}, Facets: []wiki.TagCount{}}, true, nil
}

// safeSnippet trusts a snippet as HTML only if it is escaped text with
// <mark> tags; anything else is shown as plain text.
func safeSnippet(s string) template.HTML {
	if wiki.IsSafeSnippet(s) {
		return template.HTML(s)
	}
	return template.HTML(template.HTMLEscapeString(s))
}

// askedByAPerson reports whether a request is a page the browser navigated
// to or a fetch (or a client that sends no Fetch Metadata, such as curl),
// rather than something a page embeds: an <img src=".../search?q=junk">
// on a wiki page must not fill the gap log or hide a gap.
func askedByAPerson(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Dest") {
	case "", "document", "empty":
		return true
	}
	return false
}

// logSearch records a search for the gap list. A failure to log never
// fails the search.
func (s *Server) logSearch(c *gin.Context, q string, res *wiki.SearchResult) {
	if s.cfg.SearchLog == nil || !askedByAPerson(c.Request) {
		return
	}
	u := wiki.UserFromContext(c.Request.Context())
	e := wiki.SearchEvent{Query: q, Results: res.Total, Weak: res.Weak, Person: personOf(u), Cohort: u.Cohort}
	if err := s.cfg.SearchLog.LogSearch(c.Request.Context(), e); err != nil {
		s.log.Warn("log search", "err", err)
	}
}

func (s *Server) handleSearchOpen(c *gin.Context) {
	slug, err := wiki.ParseSlug(c.Query("slug"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if q := c.Query("q"); q != "" && s.cfg.SearchLog != nil && askedByAPerson(c.Request) {
		e := wiki.OpenEvent{Query: q, Slug: slug, Anchor: c.Query("anchor"), Person: personOf(wiki.UserFromContext(c.Request.Context()))}
		if err := s.cfg.SearchLog.LogOpen(c.Request.Context(), e); err != nil {
			s.log.Warn("log search open", "err", err)
		}
	}
	if s.cfg.Answers != nil && askedByAPerson(c.Request) {
		s.cfg.Answers.CountOpen(c.Request.Context(), slug, c.Query("anchor"), wiki.OpenedFromSearch, c.Query("q"))
	}
	c.Redirect(http.StatusSeeOther, pageURL(slug))
}

// personOf is who the search log may count and learn from: a signed-in
// person ("" for a visitor of an open wiki, whose opens teach nothing).
func personOf(u *wiki.User) string {
	if !u.SignedIn() {
		return ""
	}
	return u.Name
}

// renderPartial executes one named template of a page set (no layout):
// the results block for search as you type.
func (s *Server) renderPartial(c *gin.Context, page, name string, data any) {
	t, ok := s.pages.pages[page]
	if !ok {
		s.fail(c, errInternal)
		return
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, data); err != nil {
		s.log.Error("template failed", "page", page, "block", name, "err", err)
		s.fail(c, errInternal)
		return
	}
	writeWhole(c, http.StatusOK, htmlType, b.Bytes())
}

// API shapes of search.

type apiSearchHit struct {
	Slug     wiki.Slug          `json:"slug"`
	Title    string             `json:"title"`
	Anchor   string             `json:"anchor"`
	Heading  string             `json:"heading"`
	Under    string             `json:"parent_heading"`
	Snippet  string             `json:"snippet"`
	Score    float64            `json:"score"`
	Tags     []string           `json:"tags"`
	Sections []apiSearchSection `json:"sections"`
}

type apiSearchSection struct {
	Anchor  string  `json:"anchor"`
	Heading string  `json:"heading"`
	Under   string  `json:"parent_heading"`
	Snippet string  `json:"snippet"`
	Score   float64 `json:"score"`
}

type apiFacet struct {
	Tag   string `json:"tag"`
	Count int    `json:"count"`
}

type apiSearch struct {
	Query      string         `json:"query"`
	Total      int            `json:"total"`
	TookMS     int64          `json:"took_ms"`
	Suggestion string         `json:"suggestion"`
	Weak       bool           `json:"weak"`
	Hits       []apiSearchHit `json:"hits"`
	Facets     []apiFacet     `json:"facets"`
	// Degraded is true when the index could not answer (it is being
	// repaired): the result is empty, and the page says so.
	Degraded bool `json:"degraded,omitempty"`
}

func (s *Server) handleAPISearch(c *gin.Context) {
	q := wiki.SearchQuery{Text: c.Query("q"), Tag: queryTag(c)}
	for _, p := range []struct {
		name     string
		dst      *int
		min, max int
	}{{"limit", &q.Limit, 1, wiki.MaxSearchLimit}, {"offset", &q.Offset, 0, wiki.MaxSearchOffset}} {
		if v := c.Query(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < p.min || n > p.max {
				s.fail(c, errBadRequestf("%s must be a number from %d to %d", p.name, p.min, p.max))
				return
			}
			*p.dst = n
		}
	}
	res, degraded, err := s.search(c, q)
	if err != nil {
		s.fail(c, err)
		return
	}
	// log=0: a search a tool makes for its own use (the editor's page
	// picker), which is no question anyone asked the FAQ.
	if q.Offset == 0 && !degraded && c.Query("log") != "0" {
		s.logSearch(c, q.Text, res)
	}
	out := apiSearch{Query: res.Query, Total: res.Total, TookMS: res.Took.Milliseconds(), Suggestion: res.Suggestion,
		Weak: res.Weak, Hits: []apiSearchHit{}, Facets: []apiFacet{}, Degraded: degraded}
	for _, h := range res.Hits {
		hit := apiSearchHit{Slug: h.Slug, Title: h.Title, Anchor: h.Anchor, Heading: h.Heading, Under: h.Under,
			Snippet: string(safeSnippet(h.Snippet)), Score: h.Score, Tags: nonNil(h.Tags), Sections: []apiSearchSection{}}
		for _, sec := range h.Sections {
			hit.Sections = append(hit.Sections, apiSearchSection{Anchor: sec.Anchor, Heading: sec.Heading, Under: sec.Under, Snippet: string(safeSnippet(sec.Snippet)), Score: sec.Score})
		}
		out.Hits = append(out.Hits, hit)
	}
	for _, f := range res.Facets {
		out.Facets = append(out.Facets, apiFacet(f))
	}
	c.JSON(http.StatusOK, out)
}

type apiGap struct {
	Query     string         `json:"query"`
	Count     int            `json:"count"`
	People    int            `json:"people"`
	LastAt    time.Time      `json:"last_at"`
	Results   int            `json:"results"`
	Cohorts   map[string]int `json:"cohorts"`
	FoundWith []apiFoundWith `json:"found_with"`
}

// apiFoundWith is a query that answered a gap for some who searched it.
type apiFoundWith struct {
	Query  string    `json:"query"`
	People int       `json:"people"`
	Slug   wiki.Slug `json:"slug"`
	Anchor string    `json:"anchor"`
}

// parseSince reads ?since= (RFC 3339 or a date); the default is 30 days
// before now.
func parseSince(c *gin.Context, now time.Time) (time.Time, error) {
	v := c.Query("since")
	if v == "" {
		return now.UTC().AddDate(0, 0, -30), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	return time.Time{}, errBadRequestf("since must be a time like 2026-11-01T00:00:00Z or a date like 2026-11-01")
}

func (s *Server) gaps(c *gin.Context) ([]wiki.Gap, time.Time, bool) {
	since, err := parseSince(c, s.now())
	if err != nil {
		s.fail(c, err)
		return nil, since, false
	}
	if s.cfg.SearchLog == nil {
		return nil, since, true
	}
	gaps, err := s.cfg.SearchLog.Gaps(c.Request.Context(), since)
	if err != nil {
		s.fail(c, err)
		return nil, since, false
	}
	return gaps, since, true
}

func (s *Server) handleAPIGaps(c *gin.Context) {
	gaps, _, ok := s.gaps(c)
	if !ok {
		return
	}
	out := make([]apiGap, 0, len(gaps))
	for _, g := range gaps {
		if g.Cohorts == nil {
			g.Cohorts = map[string]int{}
		}
		a := apiGap{Query: g.Query, Count: g.Count, People: g.People, LastAt: g.LastAt.UTC(), Results: g.Results, Cohorts: g.Cohorts, FoundWith: []apiFoundWith{}}
		for _, f := range g.FoundWith {
			a.FoundWith = append(a.FoundWith, apiFoundWith(f))
		}
		out = append(out, a)
	}
	c.JSON(http.StatusOK, out)
}
