package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/faqwiki/faqwiki/wiki/diff"
	"github.com/gin-gonic/gin"
)

// JSON shapes of the API (docs/API.md is the contract; field names are part
// of it).

type apiPage struct {
	Slug      wiki.Slug `json:"slug"`
	Title     string    `json:"title"`
	Markdown  string    `json:"markdown"`
	HTML      string    `json:"html"`
	Revision  int       `json:"revision"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Author    string    `json:"author"`
	Cohort    string    `json:"cohort"`
	Tags      []string  `json:"tags"`
	TOC       []apiTOC  `json:"toc"`
	// Attachments are the page's files (as of ?at=, when given).
	Attachments []apiAttachment `json:"attachments"`
}

type apiTOC struct {
	Level int    `json:"level"`
	Text  string `json:"text"`
	ID    string `json:"anchor"`
}

type apiPageSummary struct {
	Slug      wiki.Slug `json:"slug"`
	Title     string    `json:"title"`
	Revision  int       `json:"revision"`
	UpdatedAt time.Time `json:"updated_at"`
	Tags      []string  `json:"tags"`
	Author    string    `json:"author,omitempty"`
	Cohort    string    `json:"cohort,omitempty"`
}

type apiPageList struct {
	Pages      []apiPageSummary `json:"pages"`
	NextCursor string           `json:"next_cursor"`
}

type apiRevision struct {
	Slug       wiki.Slug         `json:"slug"`
	Revision   int               `json:"revision"`
	Kind       wiki.RevisionKind `json:"kind"`
	Title      string            `json:"title"`
	Markdown   *string           `json:"markdown,omitempty"`
	Tags       []string          `json:"tags"`
	Author     string            `json:"author"`
	Cohort     string            `json:"cohort"`
	Summary    string            `json:"summary"`
	CreatedAt  time.Time         `json:"created_at"`
	Base       int               `json:"base_revision"`
	Merged     bool              `json:"merged"`
	RevertOf   int               `json:"revert_of,omitempty"`
	Size       int               `json:"size"`
	Added      int               `json:"added"`
	Removed    int               `json:"removed"`
	ReviewedBy string            `json:"reviewed_by"`
	ReviewedAt *time.Time        `json:"reviewed_at"`
}

type apiSaveRequest struct {
	Title        string    `json:"title"`
	Markdown     *string   `json:"markdown"`
	BaseRevision int       `json:"base_revision"`
	Summary      string    `json:"summary"`
	Tags         *[]string `json:"tags"`
}

type apiSaveResponse struct {
	Slug      wiki.Slug `json:"slug"`
	Revision  int       `json:"revision"`
	Merged    bool      `json:"merged"`
	Unchanged bool      `json:"unchanged"`
}

type apiRevertRequest struct {
	Revision int    `json:"revision"`
	Summary  string `json:"summary"`
}

type apiDiff struct {
	From  int          `json:"from"`
	To    int          `json:"to"`
	Hunks []diff.Hunk  `json:"hunks"`
	Stats apiDiffStats `json:"stats"`
}

type apiDiffStats struct {
	Added   int `json:"added"`
	Removed int `json:"removed"`
}

func toAPIRevision(r *wiki.Revision, withText bool) apiRevision {
	out := apiRevision{
		Slug: r.Slug, Revision: r.Number, Kind: r.Kind, Title: r.Title, Tags: nonNil(r.Tags),
		Author: r.Author, Cohort: r.Cohort, Summary: r.Summary, CreatedAt: r.CreatedAt.UTC(),
		Base: r.Base, Merged: r.Merged, RevertOf: r.RevertOf, Size: r.Size, Added: r.Added, Removed: r.Removed,
		ReviewedBy: r.ReviewedBy,
	}
	if withText {
		md := r.Markdown
		out.Markdown = &md
	}
	if !r.ReviewedAt.IsZero() {
		t := r.ReviewedAt.UTC()
		out.ReviewedAt = &t
	}
	return out
}

func (s *Server) handleAPIPageList(c *gin.Context) {
	f := wiki.PageFilter{Prefix: c.Query("prefix"), Tag: queryTag(c), Cursor: c.Query("cursor"), TitlePrefix: c.Query("title_prefix")}
	if len(f.TitlePrefix) > 4*wiki.MaxTitleLen {
		s.fail(c, errBadRequestf("title_prefix is too long"))
		return
	}
	switch c.DefaultQuery("order", "slug") {
	case "slug":
	case "title":
		f.ByTitle = true
	default:
		s.fail(c, errBadRequestf("order must be slug or title"))
		return
	}
	var err error
	if f.Limit, err = queryLimit(c, 1000); err != nil {
		s.fail(c, err)
		return
	}
	pages, next, err := s.wiki.Pages(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := apiPageList{Pages: make([]apiPageSummary, 0, len(pages)), NextCursor: next}
	for _, p := range pages {
		out.Pages = append(out.Pages, apiPageSummary{Slug: p.Slug, Title: p.Title, Revision: p.Revision, UpdatedAt: p.UpdatedAt.UTC(),
			Tags: nonNil(p.Tags), Author: p.Author, Cohort: p.Cohort})
	}
	c.JSON(http.StatusOK, out)
}

// pageRoute is one action under /api/v1/pages/{slug}: a method on the
// page itself (path "") or on a sub-resource, whose path begins with a
// reserved slug segment (wiki.ReservedSegments); "*" in a path matches one
// segment, passed to the handler in args ("revisions/*" is
// revisions/{n}).
type pageRoute struct {
	method string
	path   string
	role   wiki.Role
	handle func(s *Server, c *gin.Context, slug wiki.Slug, args []string)
}

// pageRoutes is the one table of the page API: what exists, what each
// method needs, and who serves it.
var pageRoutes = []pageRoute{
	{http.MethodGet, "", wiki.RoleReader, (*Server).apiGetPage},
	{http.MethodPut, "", wiki.RoleEditor, (*Server).apiPutPage},
	{http.MethodDelete, "", wiki.RoleTrainer, (*Server).apiDeletePage},
	{http.MethodGet, "revisions", wiki.RoleReader, (*Server).apiRevisions},
	{http.MethodGet, "revisions/*", wiki.RoleReader, (*Server).apiRevision},
	{http.MethodGet, "diff", wiki.RoleReader, (*Server).apiDiff},
	{http.MethodPost, "revert", wiki.RoleTrainer, (*Server).apiRevert},
	{http.MethodGet, "sections/*/search-terms", wiki.RoleTrainer, (*Server).apiSectionTerms},
	{http.MethodDelete, "sections/*/search-terms/*", wiki.RoleTrainer, (*Server).apiSectionTermRemove},
	// A page's files (attachment.go).
	{http.MethodGet, "attachments", wiki.RoleReader, (*Server).apiAttachments},
	{http.MethodPost, "attachments", wiki.RoleEditor, (*Server).apiAttach},
	{http.MethodGet, "attachments/*", wiki.RoleReader, (*Server).apiAttachmentFile},
	{http.MethodDelete, "attachments/*", wiki.RoleEditor, (*Server).apiDetach},
	// Review, blame, links and watching (issue 9).
	{http.MethodPost, "revisions/*/review", wiki.RoleTrainer, (*Server).apiReviewRevision},
	{http.MethodGet, "blame", wiki.RoleReader, (*Server).apiBlame},
	{http.MethodGet, "backlinks", wiki.RoleReader, (*Server).apiBacklinks},
	{http.MethodPut, "watch", wiki.RoleReader, (*Server).apiWatch},
	{http.MethodDelete, "watch", wiki.RoleReader, (*Server).apiUnwatch},
	// Answers: what readers, cohorts and search say of each (issue 10;
	// answer.go). The anchor ~page is the page as a whole.
	{http.MethodGet, "sections", wiki.RoleReader, (*Server).apiSections},
	{http.MethodPost, "sections/*/feedback", wiki.RoleReader, (*Server).apiSectionFeedback},
	{http.MethodPost, "sections/*/confirm", wiki.RoleEditor, (*Server).apiSectionConfirm},
	{http.MethodPost, "sections/*/flag", wiki.RoleEditor, (*Server).apiSectionFlag},
	{http.MethodPost, "sections/*/resolve", wiki.RoleTrainer, (*Server).apiSectionResolve},
}

// match reports whether the path segments rest fit the route's path, and
// returns the segments its "*"s matched.
func (r pageRoute) match(rest []string) ([]string, bool) {
	var pat []string
	if r.path != "" {
		pat = strings.Split(r.path, "/")
	}
	if len(pat) != len(rest) {
		return nil, false
	}
	var args []string
	for i, p := range pat {
		switch {
		case p == "*":
			args = append(args, rest[i])
		case p != rest[i]:
			return nil, false
		}
	}
	return args, true
}

// handleAPIPage serves everything under /api/v1/pages/{slug}. A slug may
// contain '/', so the route is a wildcard read from the left: the first
// reserved segment ends the slug and begins the sub-resource, looked up
// in pageRoutes. A path no route has is 404, one whose method no route
// has 405; either way only after the caller is known to be a reader, so
// that a closed wiki says nothing about its pages to strangers.
func (s *Server) handleAPIPage(c *gin.Context) {
	path := c.Param("rest")
	if m := c.Request.Method; m != http.MethodGet && m != http.MethodHead && (strings.HasSuffix(path, "/") || strings.Contains(path, "//")) {
		// A write names its page exactly: PUT .../pages/a/ made "a".
		s.fail(c, wiki.Invalid("slug", "must not end with / or hold //"))
		return
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	i := 0
	for i < len(segs) && !wiki.ReservedSegments[segs[i]] {
		i++
	}
	slug, err := wiki.ParseSlug(strings.Join(segs[:i], "/"))
	if err != nil {
		s.fail(c, err)
		return
	}
	rest := segs[i:]
	pathKnown := false
	for _, r := range pageRoutes {
		args, ok := r.match(rest)
		if !ok {
			continue
		}
		pathKnown = true
		if r.method == c.Request.Method {
			if s.allowed(c, r.role) {
				r.handle(s, c, slug, args)
			}
			return
		}
	}
	if !s.allowed(c, wiki.RoleReader) {
		return
	}
	if pathKnown {
		s.handleNoMethod(c)
	} else {
		s.handleNoRoute(c)
	}
}

func (s *Server) apiGetPage(c *gin.Context, slug wiki.Slug, _ []string) {
	ctx := c.Request.Context()
	page, _, err := s.pageAsOf(c, slug)
	if err == nil && page.Deleted {
		err = errNotFoundf("the page %q was deleted; its revisions are still listed and a revert restores it", slug)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.wiki.RenderPage(ctx, page)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := apiPage{Slug: page.Slug, Title: page.Title, Markdown: page.Markdown, HTML: string(r.HTML), Revision: page.Revision,
		CreatedAt: page.CreatedAt.UTC(), UpdatedAt: page.UpdatedAt.UTC(), Author: page.Author, Cohort: page.Cohort,
		Tags: nonNil(page.Tags), TOC: []apiTOC{}, Attachments: toAPIAttachments(page.Attachments)}
	for _, h := range r.TOC {
		out.TOC = append(out.TOC, apiTOC{Level: h.Level, Text: h.Text, ID: h.ID})
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) apiPutPage(c *gin.Context, slug wiki.Slug, _ []string) {
	var req apiSaveRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if req.Markdown == nil {
		s.fail(c, wiki.Invalid("markdown", "is required"))
		return
	}
	e := wiki.Edit{Slug: slug, Title: req.Title, Markdown: *req.Markdown, Summary: req.Summary, Base: req.BaseRevision}
	if req.Tags != nil {
		e.Tags = nonNil(*req.Tags)
	}
	res, err := s.wiki.Save(c.Request.Context(), e)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
		c.Header("Location", apiPageURL(slug))
	}
	c.JSON(status, apiSaveResponse{Slug: slug, Revision: res.Revision.Number, Merged: res.Merged, Unchanged: res.Unchanged})
}

func (s *Server) apiDeletePage(c *gin.Context, slug wiki.Slug, _ []string) {
	if _, err := s.wiki.Delete(c.Request.Context(), slug, c.Query("summary")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) apiRevisions(c *gin.Context, slug wiki.Slug, _ []string) {
	revs, err := s.wiki.Revisions(c.Request.Context(), slug)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]apiRevision, 0, len(revs))
	for _, r := range revs {
		out = append(out, toAPIRevision(r, false))
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) apiRevision(c *gin.Context, slug wiki.Slug, args []string) {
	v := args[0]
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		s.fail(c, errBadRequestf("%q is not a revision number (1 or more)", v))
		return
	}
	r, err := s.wiki.Revision(c.Request.Context(), slug, n)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toAPIRevision(r, true))
}

func (s *Server) apiDiff(c *gin.Context, slug wiki.Slug, _ []string) {
	_, revs, d, ok := s.readDiff(c, slug)
	if !ok {
		return
	}
	hunks := d.Hunks
	if hunks == nil {
		hunks = []diff.Hunk{}
	}
	c.JSON(http.StatusOK, apiDiff{From: revs[0].Number, To: revs[1].Number, Hunks: hunks, Stats: apiDiffStats{Added: d.Added, Removed: d.Removed}})
}

func (s *Server) apiRevert(c *gin.Context, slug wiki.Slug, _ []string) {
	var req apiRevertRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.wiki.Revert(c.Request.Context(), slug, req.Revision, req.Summary)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, apiSaveResponse{Slug: slug, Revision: res.Revision.Number, Unchanged: res.Unchanged})
}
