package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// Recent changes: every revision across the wiki, newest first, filtered
// and paged, as an HTML page, as JSON and as an Atom feed. The three read
// the same query parameters (changeQuery).

// changeQuery reads the filter of recent changes from the query string:
// cohort, author, prefix, page, tag, since and until (RFC 3339 or a
// YYYY-MM-DD date; until's date includes that whole day), unreviewed
// (true/1/on), limit and cursor. Bad values are a 400 that names the
// parameter.
func changeQuery(c *gin.Context, defaultLimit int) (wiki.ChangeFilter, error) {
	f := wiki.ChangeFilter{
		Cohort: strings.TrimSpace(c.Query("cohort")),
		Author: strings.ToLower(strings.TrimSpace(c.Query("author"))),
		Prefix: strings.TrimSpace(c.Query("prefix")),
		Tag:    queryTag(c),
		Cursor: c.Query("cursor"),
		Limit:  defaultLimit,
	}
	for name, v := range map[string]string{"cohort": f.Cohort, "author": f.Author, "prefix": f.Prefix, "tag": f.Tag, "cursor": f.Cursor} {
		if len(v) > 200 || strings.IndexByte(v, 0) >= 0 {
			return f, errBadRequestf("%s is too long or holds a NUL byte", name)
		}
	}
	if p := strings.TrimSpace(c.Query("page")); p != "" {
		slug, err := wiki.ParseSlug(p)
		if err != nil {
			return f, errBadRequestf("page must be a page's slug, like onboarding/vpn")
		}
		f.Page = slug
	}
	var err error
	if f.Since, err = queryTime(c.Query("since"), false); err != nil {
		return f, errBadRequestf("since must be an RFC 3339 time or a date like 2026-11-02")
	}
	if f.Until, err = queryTime(c.Query("until"), true); err != nil {
		return f, errBadRequestf("until must be an RFC 3339 time or a date like 2026-11-30")
	}
	switch v := c.Query("unreviewed"); v {
	case "", "false", "0", "off":
	case "true", "1", "on":
		f.Unreviewed = true
	default:
		return f, errBadRequestf("unreviewed must be true or false")
	}
	limit, err := queryLimit(c, wiki.MaxChangeLimit)
	if err != nil {
		return f, err
	}
	if limit > 0 {
		f.Limit = limit
	}
	return f, nil
}

// queryTime reads an RFC 3339 time or a date; a date as an upper bound
// (endOfDay) means the end of that day.
func queryTime(v string, endOfDay bool) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	d, err := time.Parse("2006-01-02", v)
	if err != nil {
		return time.Time{}, err
	}
	if endOfDay {
		d = d.Add(24*time.Hour - time.Nanosecond)
	}
	return d, nil
}

// filterValues is f as query parameters (without the cursor and limit),
// for links that keep the filter.
func filterValues(f wiki.ChangeFilter) url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("cohort", f.Cohort)
	set("author", f.Author)
	set("prefix", f.Prefix)
	set("page", string(f.Page))
	set("tag", f.Tag)
	if !f.Since.IsZero() {
		q.Set("since", f.Since.Format(time.RFC3339))
	}
	if !f.Until.IsZero() {
		q.Set("until", f.Until.Format(time.RFC3339))
	}
	if f.Unreviewed {
		q.Set("unreviewed", "true")
	}
	return q
}

// apiRecentChange is a row of GET /api/v1/changes.
type apiRecentChange struct {
	Seq        uint64            `json:"seq,omitempty"`
	Slug       wiki.Slug         `json:"slug"`
	Title      string            `json:"title"`
	Revision   int               `json:"revision"`
	Kind       wiki.RevisionKind `json:"kind"`
	Author     string            `json:"author"`
	Cohort     string            `json:"cohort"`
	Summary    string            `json:"summary"`
	CreatedAt  time.Time         `json:"created_at"`
	Added      int               `json:"added"`
	Removed    int               `json:"removed"`
	Tags       []string          `json:"tags"`
	Reviewed   bool              `json:"reviewed"`
	ReviewedBy string            `json:"reviewed_by"`
	ReviewedAt *time.Time        `json:"reviewed_at"`
	DiffURL    string            `json:"diff_url"`
	HistoryURL string            `json:"history_url"`
}

type apiRecentList struct {
	Changes    []apiRecentChange `json:"changes"`
	NextCursor string            `json:"next_cursor"`
}

func toAPIRecentChange(r wiki.RecentChange) apiRecentChange {
	out := apiRecentChange{Seq: r.Seq, Slug: r.Slug, Title: r.Title, Revision: r.Revision, Kind: r.Kind, Author: r.Author, Cohort: r.Cohort,
		Summary: r.Summary, CreatedAt: r.Time.UTC(), Added: r.Added, Removed: r.Removed, Tags: nonNil(r.Tags),
		Reviewed: r.Reviewed(), ReviewedBy: r.ReviewedBy, DiffURL: diffURL(r.Slug, r.Revision-1, r.Revision), HistoryURL: historyURL(r.Slug)}
	if !r.ReviewedAt.IsZero() {
		t := r.ReviewedAt.UTC()
		out.ReviewedAt = &t
	}
	return out
}

func (s *Server) handleAPIChanges(c *gin.Context) {
	f, err := changeQuery(c, 50)
	if err != nil {
		s.fail(c, err)
		return
	}
	rows, next, err := s.wiki.RecentChanges(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := apiRecentList{Changes: make([]apiRecentChange, 0, len(rows)), NextCursor: next}
	for _, r := range rows {
		out.Changes = append(out.Changes, toAPIRecentChange(r))
	}
	c.JSON(http.StatusOK, out)
}

// changesPage is the data of changes.html.
type changesPage struct {
	BasePage
	Filter  wiki.ChangeFilter
	Since   string // the form's date fields
	Until   string
	Rows    []wiki.RecentChange
	NextURL string // older changes with the same filter, or ""
	AtomURL string
	Cohorts []*wiki.Cohort
	Scanned bool // fewer rows than asked but more to read: the scan was bounded
}

func (s *Server) handleChanges(c *gin.Context) {
	f, err := changeQuery(c, 100)
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	rows, next, err := s.wiki.RecentChanges(ctx, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := &changesPage{BasePage: s.base(c, "Recent changes"), Filter: f, Rows: rows, AtomURL: changesAtomURL(filterValues(f), "")}
	if !f.Since.IsZero() {
		v.Since = f.Since.Format("2006-01-02")
	}
	if !f.Until.IsZero() {
		v.Until = f.Until.Format("2006-01-02")
	}
	if next != "" {
		q := filterValues(f)
		q.Set("cursor", next)
		v.NextURL = changesURL(q)
		v.Scanned = len(rows) < f.Limit
	}
	if v.Cohorts, err = s.cohorts.List(ctx); err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "changes.html", v)
}
