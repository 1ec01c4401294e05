package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/faqwiki/faqwiki/wiki/diff"
	"github.com/faqwiki/faqwiki/wiki/markdown"
	"github.com/gin-gonic/gin"
)

// slugParam reads the page slug from the route's *slug wildcard. A path
// that is not a slug but can be made into one (upper case, spaces, a
// trailing slash) is redirected to its canonical address; ok is false when
// the request has been answered.
func (s *Server) slugParam(c *gin.Context) (slug wiki.Slug, ok bool) {
	raw := strings.TrimPrefix(c.Param("slug"), "/")
	slug, err := wiki.ParseSlug(raw)
	if err == nil {
		return slug, true
	}
	if c.Request.Method == http.MethodGet {
		// Redirect only to an address that is a slug and differs, so a
		// redirect can never lead back to itself.
		if fixed := wiki.SlugFromTitle(raw); fixed != "" && string(fixed) != raw && validSlug(fixed) && !isAPI(c) {
			target := strings.TrimSuffix(c.Request.URL.Path, raw) + string(fixed)
			if c.Request.URL.RawQuery != "" {
				target += "?" + c.Request.URL.RawQuery
			}
			c.Redirect(http.StatusMovedPermanently, target)
			return "", false
		}
	}
	s.fail(c, err)
	return "", false
}

func validSlug(s wiki.Slug) bool {
	_, err := wiki.ParseSlug(string(s))
	return err == nil
}

// pageView is the data of page_view.html: a page's current text, an old
// revision (?rev=N) or the page as it stood at a time (?at=...).
type pageView struct {
	BasePage
	Page    *wiki.Page
	Body    template.HTML
	TOC     []markdown.Heading
	TOCHTML template.HTML  // the TOC's list items, rendered once per revision
	OldRev  *wiki.Revision // set when showing an old revision
	AsOf    time.Time      // set when showing the page as of a time
	Newest  int            // the page's newest revision number

	// Links, review and watching: the current text's view only.
	Backlinks      []wiki.PageSummary
	Head           *wiki.Revision // the head revision's metadata: who reviewed it
	Unreviewed     int            // the page's revisions that wait for review
	Watching       bool
	WatchingPrefix bool

	// Answers (answer.go): the body drawn with a box after each answer,
	// the answers flagged out of date, and the page's info address.
	AnswerBody  template.HTML
	Flagged     []*wiki.AnswerState
	InfoURL     string
	AnswerForms *answerForms
	// AnswersKey names the state AnswerBody and Flagged show, for the
	// page-view cache (pageview.go).
	AnswersKey string
}

// notFoundPage is the data of not_found.html: a missing or deleted page,
// with a way to create or restore it.
type notFoundPage struct {
	BasePage
	Slug    wiki.Slug
	Title   string
	Deleted *wiki.Page // the deleted page's head, or nil if it never existed
}

func (s *Server) handlePageView(c *gin.Context) {
	slug, ok := s.slugParam(c)
	if !ok {
		return
	}
	switch {
	case c.Request.URL.RawQuery == "":
		s.showPage(c, slug) // the common case, without parsing a query into a map
	case c.Query("rev") != "":
		s.showRevision(c, slug, c.Query("rev"))
	case c.Query("at") != "":
		s.showPageAt(c, slug)
	default:
		s.showPage(c, slug)
	}
}

// showPage shows the page's current text: the view the wiki reads in one
// go (wiki.View), drawn from the page-view cache (pageview.go).
func (s *Server) showPage(c *gin.Context, slug wiki.Slug) {
	ctx := c.Request.Context()
	view, err := s.wiki.View(ctx, slug)
	switch {
	case errors.Is(err, wiki.ErrNotFound):
		// An old name of a page (an imported site's old path) leads to it.
		if to, aerr := s.wiki.Redirect(ctx, slug); aerr == nil {
			c.Redirect(http.StatusMovedPermanently, pageURL(to))
			return
		}
		s.showMissing(c, slug, nil)
		return
	case err != nil:
		s.fail(c, err)
		return
	case view.Page.Deleted:
		s.showMissing(c, slug, view.Page)
		return
	}
	if view.SeenErr != nil {
		s.log.Warn("mark seen", "slug", slug, "err", view.SeenErr)
	}
	r := view.Rendered
	v := &pageView{BasePage: s.baseCounted(c, view.Page.Title, view.ReviewCount), Page: view.Page, Body: r.HTML, TOC: r.TOC, TOCHTML: r.TOCHTML,
		Newest: view.Page.Revision, Backlinks: view.Backlinks, Head: view.Head, Unreviewed: view.Unreviewed, Watching: view.Watching, WatchingPrefix: view.WatchingPrefix}
	s.pageAnswers(c, v, r)
	s.countLinkOpen(c, slug)
	s.renderPageView(c, v)
}

// showPageAt shows the page as it stood at ?at=RFC3339.
func (s *Server) showPageAt(c *gin.Context, slug wiki.Slug) {
	ctx := c.Request.Context()
	page, asOf, err := s.pageAsOf(c, slug)
	if errors.Is(err, wiki.ErrNotFound) || err == nil && page.Deleted {
		s.showMissing(c, slug, page)
		return
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
	v := &pageView{BasePage: s.base(c, page.Title), Page: page, Body: r.HTML, TOC: r.TOC, TOCHTML: r.TOCHTML, AsOf: asOf, Newest: page.Revision}
	if head, err := s.wiki.Page(ctx, slug); err == nil {
		v.Newest = head.Revision
	}
	s.render(c, http.StatusOK, "page_view.html", v)
}

// pageAsOf reads the page at slug: its head, or with ?at=RFC3339 the page
// as it stood then (asOf is zero for the head). A malformed at is a
// *publicError; a page that did not exist is wiki.ErrNotFound.
func (s *Server) pageAsOf(c *gin.Context, slug wiki.Slug) (page *wiki.Page, asOf time.Time, err error) {
	v := c.Query("at")
	if v == "" {
		page, err = s.wiki.Page(c.Request.Context(), slug)
		return page, asOf, err
	}
	if asOf, err = time.Parse(time.RFC3339, v); err != nil {
		return nil, asOf, errBadRequestf("at must be an RFC 3339 time, e.g. 2026-11-29T10:00:00Z")
	}
	page, err = s.wiki.PageAt(c.Request.Context(), slug, asOf)
	return page, asOf, err
}

func (s *Server) showMissing(c *gin.Context, slug wiki.Slug, deleted *wiki.Page) {
	v := &notFoundPage{BasePage: s.base(c, "Page not found"), Slug: slug, Title: wiki.TitleFromSlug(slug), Deleted: deleted}
	if deleted != nil {
		v.BasePage.Title = deleted.Title + " (deleted)"
		v.Title = deleted.Title
	}
	s.render(c, http.StatusNotFound, "not_found.html", v)
}

func (s *Server) showRevision(c *gin.Context, slug wiki.Slug, v string) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		s.fail(c, errBadRequestf("rev must be a revision number (1 or more)"))
		return
	}
	ctx := c.Request.Context()
	rev, err := s.wiki.Revision(ctx, slug, n)
	if errors.Is(err, wiki.ErrNotFound) {
		// The page may be there without that revision: say how many it
		// has, and lead to them.
		if head, herr := s.wiki.Page(ctx, slug); herr == nil {
			s.render(c, http.StatusNotFound, "error.html", &errorPage{BasePage: s.base(c, "Not found"), Status: http.StatusNotFound,
				Message: fmt.Sprintf("“%s” has no revision %d: its revisions are 1 to %d", head.Title, n, head.Revision), RequestID: reqID(c),
				Also: historyURL(slug), AlsoText: "Its history"})
			return
		}
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	head, err := s.wiki.Page(ctx, slug)
	if err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.wiki.RenderRevision(ctx, rev)
	if err != nil {
		s.fail(c, err)
		return
	}
	page := &wiki.Page{Slug: slug, Title: rev.Title, Attachments: rev.Attachments, Markdown: rev.Markdown, Tags: rev.Tags, Revision: rev.Number,
		Deleted: rev.Deleted(), UpdatedAt: rev.CreatedAt, Author: rev.Author, Cohort: rev.Cohort}
	s.render(c, http.StatusOK, "page_view.html", &pageView{
		BasePage: s.base(c, rev.Title+" (revision "+v+")"), Page: page, Body: r.HTML, TOC: r.TOC, TOCHTML: r.TOCHTML, OldRev: rev, Newest: head.Revision,
	})
}

// editForm is what the edit and new-page forms post.
type editForm struct {
	Title    string `form:"title"`
	Slug     string `form:"slug"`
	Markdown string `form:"markdown"`
	Tags     string `form:"tags"`
	Summary  string `form:"summary"`
	Base     string `form:"base_revision"`
	Action   string `form:"action"` // "preview" or "save"
	// SameTitle is "1" when the person chose to create a page with the
	// title of another (handlePageCreate asks first).
	SameTitle string `form:"same_title"`
	// Remove names files of the page to remove with this save; the files
	// to add come in the multipart field "file".
	Remove []string `form:"remove_file"`
	// Question or Gap is what this edit answers ("Answer in the FAQ"):
	// saving links it to the heading written for it (question.go).
	Question string `form:"question"`
	Gap      string `form:"gap"`
}

// editPage is the data of page_edit.html.
type editPage struct {
	BasePage
	Slug      wiki.Slug
	New       bool // creating a page (the /new form, with a slug field)
	Form      editForm
	Base      int
	Preview   template.HTML
	Previewed bool
	Errors    map[string]string
	Conflict  *conflictView
	Files     []wiki.Attachment // the page's files now
	Answering string            // the question this edit answers, if any
	// SameTitle: the pages that already have the new page's title (the
	// form asks whether to create it anyway); TakesTitleLinks: the new
	// page's address is the one its title makes, so [[Title]] links would
	// open it rather than them (wiki.PagesTitled's rule).
	SameTitle       []wiki.Slug
	TakesTitleLinks bool
}

// showEdit draws the edit form v again with the person's text (see
// failForm).
func (s *Server) showEdit(c *gin.Context, v *editPage) showForm {
	return func(status int, errs map[string]string) {
		v.Errors = errs
		s.render(c, status, "page_edit.html", v)
	}
}

// conflictView shows an overlapping edit: the text saved meanwhile and how
// the user's text differs from it.
type conflictView struct {
	Current *wiki.Revision
	Diff    []diff.Block
	// TitleOnly: only the title conflicts, and the editor holds the texts
	// merged; TitleToo: the title conflicts as well as the text.
	TitleOnly, TitleToo bool
}

func (s *Server) handlePageEdit(c *gin.Context) {
	slug, ok := s.slugParam(c)
	if !ok {
		return
	}
	page, err := s.wiki.Page(c.Request.Context(), slug)
	v := &editPage{BasePage: s.base(c, ""), Slug: slug}
	switch {
	case errors.Is(err, wiki.ErrNotFound):
		title := wiki.NormalizeTitle(c.Query("title"))
		if title == "" {
			title = wiki.TitleFromSlug(slug)
		}
		v.Form.Title = title
		v.Title = "Create " + title
	case err != nil:
		s.fail(c, err)
		return
	default:
		v.Form = editForm{Title: page.Title, Markdown: page.Markdown, Tags: strings.Join(page.Tags, ", ")}
		v.Base = page.Revision
		v.Files = page.Attachments
		v.Title = "Edit " + page.Title
		if page.Deleted {
			v.Title = "Recreate " + page.Title
		}
	}
	s.answering(c, v, err == nil && !page.Deleted)
	s.render(c, http.StatusOK, "page_edit.html", v)
}

func (s *Server) handlePageNew(c *gin.Context) {
	title := wiki.NormalizeTitle(c.Query("title"))
	v := &editPage{BasePage: s.base(c, "New page"), New: true, Form: editForm{Title: title}}
	s.answering(c, v, false)
	s.render(c, http.StatusOK, "page_edit.html", v)
}

func (s *Server) handlePageCreate(c *gin.Context) {
	var f editForm
	if err := c.ShouldBind(&f); err != nil {
		s.fail(c, formError(err))
		return
	}
	v := &editPage{BasePage: s.base(c, "New page"), New: true, Form: f}
	slug := wiki.SlugFromTitle(f.Slug)
	if strings.TrimSpace(f.Slug) == "" {
		slug = wiki.SlugFromTitle(f.Title)
	}
	if slug == "" {
		s.failForm(c, wiki.Invalid("title", "give the page a title with some letters or digits in it"), s.showEdit(c, v), nil)
		return
	}
	v.Slug = slug
	if f.Action == "preview" {
		s.preview(c, v)
		return
	}
	base := 0
	if p, err := s.wiki.Page(c.Request.Context(), slug); err == nil {
		if !p.Deleted {
			s.failForm(c, wiki.ErrConflict, s.showEdit(c, v), map[string]string{
				"slug": "a page already lives at " + pageURL(slug) + ": choose another title or address, or edit that page"})
			return
		}
		base = p.Revision // a deleted page's address: write it anew, history kept
	}
	// Another page with the same title: [[Title]] links would keep
	// opening that one. Ask before making a second.
	if title := wiki.NormalizeTitle(f.Title); title != "" && f.SameTitle != "1" {
		others, err := s.wiki.PagesTitled(c.Request.Context(), title)
		if err != nil {
			s.fail(c, err)
			return
		}
		if others = slices.DeleteFunc(others, func(o wiki.Slug) bool { return o == slug }); len(others) > 0 {
			v.SameTitle, v.TakesTitleLinks = others, slug == wiki.SlugFromTitle(title)
			s.render(c, http.StatusConflict, "page_edit.html", v)
			return
		}
	}
	s.save(c, v, base)
}

func (s *Server) handlePageSave(c *gin.Context) {
	slug, ok := s.slugParam(c)
	if !ok {
		return
	}
	var f editForm
	if err := c.ShouldBind(&f); err != nil {
		s.fail(c, formError(err))
		return
	}
	base, err := strconv.Atoi(f.Base)
	if f.Base == "" {
		base, err = 0, nil
	}
	if err != nil || base < 0 {
		s.fail(c, errBadRequestf("base_revision must be a revision number"))
		return
	}
	v := &editPage{BasePage: s.base(c, "Edit "+f.Title), Slug: slug, Form: f, Base: base}
	if p, err := s.wiki.Page(c.Request.Context(), slug); err == nil {
		v.Files = p.Attachments
	}
	if f.Action == "preview" {
		s.preview(c, v)
		return
	}
	s.save(c, v, base)
}

// preview shows the edit form again with the rendered text below it; this
// is how preview works without JavaScript.
func (s *Server) preview(c *gin.Context, v *editPage) {
	r, err := s.wiki.Preview(c.Request.Context(), v.Form.Markdown, v.Files...)
	if err != nil {
		s.failForm(c, err, s.showEdit(c, v), nil)
		return
	}
	v.Preview, v.Previewed = r.HTML, true
	s.render(c, http.StatusOK, "page_edit.html", v)
}

// save commits the form and redirects to the page, or shows the form again
// with what went wrong and the user's text kept.
func (s *Server) save(c *gin.Context, v *editPage, base int) {
	ctx := c.Request.Context()
	files, err := formFiles(c, "file")
	if err != nil {
		s.failForm(c, err, s.showEdit(c, v), nil)
		return
	}
	// The form's tags field, emptied, takes the page's tags away; a form
	// without the field leaves them as they are.
	var tags []string
	if _, ok := c.GetPostForm("tags"); ok {
		tags = nonNil(wiki.ParseTagList(v.Form.Tags))
	}
	res, err := s.wiki.Save(ctx, wiki.Edit{
		Slug: v.Slug, Title: v.Form.Title, Markdown: v.Form.Markdown,
		Tags: tags, Summary: v.Form.Summary, Base: base,
		Attach: files, Detach: v.Form.Remove,
	})
	var ce *wiki.ConflictError
	switch {
	case errors.As(err, &ce):
		// ce.Yours is the user's text as the wiki reads it (browsers send
		// CRLF line ends; comparing those would mark every line changed).
		v.Form.Markdown = ce.Yours
		if ce.Merged != "" {
			v.Form.Markdown = ce.Merged // only the title conflicts: keep both texts
		}
		d := diff.Compare(ce.Current.Markdown, v.Form.Markdown)
		v.Conflict = &conflictView{Current: ce.Current, Diff: d.Inline(3), TitleOnly: ce.Title && ce.Merged != "", TitleToo: ce.Title && ce.Merged == ""}
		v.Base = ce.Current.Number // saving again now overwrites, on purpose
		v.New = false
		s.render(c, http.StatusConflict, "page_edit.html", v)
		return
	case err != nil:
		s.failForm(c, err, s.showEdit(c, v), nil)
		return
	}
	var flash string
	switch {
	case res.Unchanged:
		flash = "No changes to save: the page already reads like that."
	case res.Merged:
		flash = "Saved revision " + strconv.Itoa(res.Revision.Number) + ". " + s.savedMeanwhile(c, res.Revision) +
			" saved changes while you were editing; yours were merged with theirs. Check that the page reads right."
	case res.Created:
		flash = "Created the page. Thank you for adding it!"
	default:
		flash = "Saved revision " + strconv.Itoa(res.Revision.Number) + "."
	}
	s.setFlash(c, s.linkQuestion(c, v.Form, res, flash))
	c.Redirect(http.StatusSeeOther, pageURL(v.Slug))
}

// savedMeanwhile names who saved the revisions between rev's base and rev
// (at most maxMeanwhile names, "Someone else" if none can be read): the
// people a merged save was merged with.
func (s *Server) savedMeanwhile(c *gin.Context, rev *wiki.Revision) string {
	ctx := c.Request.Context()
	var names []string
	seen := map[string]bool{}
	for n := rev.Base + 1; n < rev.Number && n <= rev.Base+maxMeanwhile*4; n++ {
		r, err := s.wiki.Revision(ctx, rev.Slug, n)
		if err != nil || seen[r.Author] {
			continue
		}
		seen[r.Author] = true
		if len(names) == maxMeanwhile {
			names = append(names, "others")
			break
		}
		if r.Author == rev.Author {
			names = append(names, "You (in another window)")
		} else {
			names = append(names, s.accounts.DisplayName(ctx, r.Author))
		}
	}
	switch len(names) {
	case 0:
		return "Someone else"
	case 1:
		return names[0]
	default:
		return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
}

// maxMeanwhile is how many people savedMeanwhile names.
const maxMeanwhile = 3

// handlePreview renders posted Markdown for the live preview (JavaScript);
// it answers an HTML fragment.
func (s *Server) handlePreview(c *gin.Context) {
	// The page's files, when the preview is of an existing page's text.
	var files []wiki.Attachment
	if slug, err := wiki.ParseSlug(c.PostForm("slug")); err == nil {
		if p, err := s.wiki.Page(c.Request.Context(), slug); err == nil && !p.Deleted {
			files = p.Attachments
		}
	}
	r, err := s.wiki.Preview(c.Request.Context(), c.PostForm("markdown"), files...)
	if err != nil {
		s.fail(c, err)
		return
	}
	writeWhole(c, http.StatusOK, htmlType, []byte(r.HTML))
}

// historyPage is the data of page_history.html.
type historyPage struct {
	BasePage
	Page      *wiki.Page
	Revisions []*wiki.Revision
}

func (s *Server) handlePageHistory(c *gin.Context) {
	slug, ok := s.slugParam(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	page, err := s.wiki.Page(ctx, slug)
	if err != nil {
		s.fail(c, err)
		return
	}
	revs, err := s.wiki.Revisions(ctx, slug)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "page_history.html", &historyPage{BasePage: s.base(c, "History of "+page.Title), Page: page, Revisions: revs})
}

// diffPage is the data of page_diff.html.
type diffPage struct {
	BasePage
	Page       *wiki.Page
	From, To   *wiki.Revision
	Split      bool
	Inline     []diff.Block
	SideBySide []diff.RowBlock
	Added      int
	Removed    int
	// TooLarge: more lines changed than maxDiffLines, so the change is
	// not shown line by line (only its size and the two revisions).
	TooLarge bool
	// CanUndo: the diff is one revision's change, which the reader may
	// take back alone (wiki.Undo).
	CanUndo bool
	// Between are the revisions a diff of several spans, From's next to
	// To, oldest first, at most maxDiffRevisions; More says how many more.
	Between []*wiki.Revision
	More    int
}

// maxDiffRevisions is how many of the revisions a range diff spans it
// lists with their authors and summaries.
const maxDiffRevisions = 50

// maxDiffLines is the most changed lines the diff page shows: a page
// replaced by another of a million short lines made a page of 230 MB.
const maxDiffLines = 20_000

// parseRange reads ?from=&to= against a page whose newest revision is
// head: to defaults to head, from to the revision before to.
func parseRange(c *gin.Context, head int) (from, to int, err error) {
	to = head
	if v := c.Query("to"); v != "" {
		if to, err = strconv.Atoi(v); err != nil || to < 1 {
			return 0, 0, errBadRequestf("to must be a revision number (1 or more)")
		}
	}
	from = to - 1
	if v := c.Query("from"); v != "" {
		if from, err = strconv.Atoi(v); err != nil || from < 0 {
			return 0, 0, errBadRequestf("from must be a revision number (0 for the empty page)")
		}
	}
	if from > head || to > head {
		return 0, 0, errNotFoundf("the page's revisions are 1 to %d", head)
	}
	return from, to, nil
}

// readDiff reads ?from=&to= against a page's history and compares those
// revisions; it answers the request itself and returns ok=false on error.
func (s *Server) readDiff(c *gin.Context, slug wiki.Slug) (page *wiki.Page, revs [2]*wiki.Revision, d *diff.Diff, ok bool) {
	ctx := c.Request.Context()
	page, err := s.wiki.Page(ctx, slug)
	from, to := 0, 0
	if err == nil {
		from, to, err = parseRange(c, page.Revision)
	}
	if err == nil {
		d, revs, err = s.wiki.Diff(ctx, slug, from, to)
	}
	if err != nil {
		s.fail(c, err)
		return nil, revs, nil, false
	}
	return page, revs, d, true
}

func (s *Server) handlePageDiff(c *gin.Context) {
	slug, ok := s.slugParam(c)
	if !ok {
		return
	}
	page, revs, d, ok := s.readDiff(c, slug)
	if !ok {
		return
	}
	v := &diffPage{BasePage: s.base(c, "Changes to "+page.Title), Page: page, From: revs[0], To: revs[1],
		Split: c.Query("view") == "split", Added: d.Added, Removed: d.Removed, TooLarge: d.Added+d.Removed > maxDiffLines}
	v.CanUndo = v.CanEdit && !page.Deleted && revs[0].Number >= 1 && revs[1].Number == revs[0].Number+1 &&
		!revs[0].Deleted() && !revs[1].Deleted()
	if revs[1].Number > revs[0].Number+1 {
		// A diff of several revisions says what each of them was: the
		// summary of the last alone hid the others.
		all, err := s.wiki.Revisions(c.Request.Context(), slug)
		if err != nil {
			s.fail(c, err)
			return
		}
		for _, r := range all {
			if r.Number > revs[0].Number && r.Number <= revs[1].Number {
				v.Between = append(v.Between, r)
			}
		}
		slices.SortFunc(v.Between, func(a, b *wiki.Revision) int { return cmp.Compare(a.Number, b.Number) })
		if len(v.Between) > maxDiffRevisions {
			v.More = len(v.Between) - maxDiffRevisions
			v.Between = v.Between[:maxDiffRevisions]
		}
	}
	if v.TooLarge {
		s.render(c, http.StatusOK, "page_diff.html", v)
		return
	}
	if v.Split {
		v.SideBySide = d.SideBySide(3)
	}
	// Inline also under a side-by-side view: a narrow screen shows it
	// instead (style.css), as two columns of code do not fit a phone.
	v.Inline = d.Inline(3)
	s.render(c, http.StatusOK, "page_diff.html", v)
}

// revertForm is what the "restore this revision" button posts.
type revertForm struct {
	Revision int    `form:"revision"`
	Summary  string `form:"summary"`
}

// revisionAction is a button that makes a new revision from an old one
// (restore, undo): it posts a revertForm; do makes the revision, and said
// is the flash for its result.
type revisionAction struct {
	do   func(w *wiki.Wiki, ctx context.Context, slug wiki.Slug, n int, summary string) (*wiki.EditResult, error)
	said func(n int, res *wiki.EditResult) string
}

func (s *Server) handleRevisionAction(a revisionAction) gin.HandlerFunc {
	return func(c *gin.Context) {
		slug, ok := s.slugParam(c)
		if !ok {
			return
		}
		var f revertForm
		if err := c.ShouldBind(&f); err != nil {
			s.fail(c, formError(err))
			return
		}
		res, err := a.do(s.wiki, c.Request.Context(), slug, f.Revision, f.Summary)
		if err != nil {
			s.fail(c, err)
			return
		}
		s.setFlash(c, a.said(f.Revision, res))
		c.Redirect(http.StatusSeeOther, pageURL(slug))
	}
}

// restoreRevision is the "restore this revision" button.
var restoreRevision = revisionAction{(*wiki.Wiki).Revert, func(n int, res *wiki.EditResult) string {
	if res.Unchanged {
		return "The page already reads like revision " + strconv.Itoa(n) + ": nothing to restore."
	}
	return "Restored revision " + strconv.Itoa(n) + " as revision " + strconv.Itoa(res.Revision.Number) + "."
}}

// undoRevision is the diff page's "Undo this change": it takes back the
// change one revision made, keeping the changes made since.
var undoRevision = revisionAction{(*wiki.Wiki).Undo, func(n int, res *wiki.EditResult) string {
	if res.Unchanged {
		return "Nothing to undo: the page already reads as it did before revision " + strconv.Itoa(n) + "."
	}
	return "Undid the change of revision " + strconv.Itoa(n) + " as revision " + strconv.Itoa(res.Revision.Number) + "; the changes made since are kept."
}}

// deletePage is the data of page_delete.html, the confirmation step.
type deletePage struct {
	BasePage
	Page *wiki.Page
}

func (s *Server) handlePageDeleteConfirm(c *gin.Context) {
	slug, ok := s.slugParam(c)
	if !ok {
		return
	}
	page, err := s.wiki.Page(c.Request.Context(), slug)
	if err == nil && page.Deleted {
		err = errNotFoundf("the page is already deleted")
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "page_delete.html", &deletePage{BasePage: s.base(c, "Delete "+page.Title), Page: page})
}

func (s *Server) handlePageDelete(c *gin.Context) {
	slug, ok := s.slugParam(c)
	if !ok {
		return
	}
	res, err := s.wiki.Delete(c.Request.Context(), slug, c.PostForm("summary"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setFlash(c, "Deleted the page (revision "+strconv.Itoa(res.Revision.Number)+"). Its history stays; restore it from there.")
	c.Redirect(http.StatusSeeOther, historyURL(slug))
}

// formError turns a binding failure into a 400 (or 413 for a body over the
// limit) without exposing parser internals.
func formError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return errBadRequestf("the form could not be read: check the fields and try again")
}
