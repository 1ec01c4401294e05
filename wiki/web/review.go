package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/faqwiki/faqwiki/wiki/diff"
	"github.com/gin-gonic/gin"
)

// The review queue: pages with unreviewed revisions, oldest first, each
// with one diff from its last reviewed revision to its head, and the two
// things a trainer does with it: mark it reviewed up to the revision shown,
// or revert it to the last reviewed revision.

// reviewPageSize is how many pages the queue shows at once, each with its
// diff; marking them reviewed brings on the next ones.
const reviewPageSize = 30

// reviewPage is the data of review.html.
type reviewPage struct {
	BasePage
	Cohort   string
	Cohorts  []*wiki.Cohort
	Items    []reviewItemView
	PageSize int
}

// reviewItemView is one page of the queue as review.html shows it.
type reviewItemView struct {
	wiki.ReviewItem
	Inline []diff.Block
}

func (s *Server) handleReview(c *gin.Context) {
	ctx := c.Request.Context()
	cohort := c.Query("cohort")
	items, err := s.wiki.ReviewQueue(ctx, cohort, reviewPageSize)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := &reviewPage{BasePage: s.base(c, "Review"), Cohort: cohort, PageSize: reviewPageSize}
	if v.Cohorts, err = s.cohorts.List(ctx); err != nil {
		s.fail(c, err)
		return
	}
	for _, it := range items {
		v.Items = append(v.Items, reviewItemView{ReviewItem: it, Inline: it.Diff.Inline(2)})
	}
	s.render(c, http.StatusOK, "review.html", v)
}

// reviewForm is what a queue entry's buttons post.
type reviewForm struct {
	Slug     string `form:"slug"`
	Revision int    `form:"revision"` // the head the trainer was shown
	Action   string `form:"action"`   // "reviewed" or "revert"
	Cohort   string `form:"cohort"`   // the queue's filter, to go back to
}

func (s *Server) handleReviewAction(c *gin.Context) {
	var f reviewForm
	if err := c.ShouldBind(&f); err != nil {
		s.fail(c, formError(err))
		return
	}
	slug, err := wiki.ParseSlug(f.Slug)
	if err != nil {
		s.fail(c, err)
		return
	}
	if f.Revision < 1 {
		s.fail(c, errBadRequestf("revision must be the revision you were shown"))
		return
	}
	ctx := c.Request.Context()
	switch f.Action {
	case "reviewed":
		n, err := s.wiki.MarkReviewed(ctx, slug, f.Revision)
		if err != nil {
			s.fail(c, err)
			return
		}
		head, herr := s.wiki.Page(ctx, slug)
		name := string(slug)
		if herr == nil && head.Title != "" {
			name = head.Title
		}
		msg := "Marked " + plural(n, "revision") + " of “" + name + "” reviewed, up to revision " + strconv.Itoa(f.Revision) + "."
		if herr == nil && head.Revision > f.Revision {
			msg += " It changed again since you looked: the newer revisions wait below."
		}
		s.setFlash(c, msg)
	case "revert":
		res, err := s.wiki.RevertUnreviewed(ctx, slug, f.Revision)
		if errors.Is(err, wiki.ErrConflict) {
			err = &publicError{http.StatusConflict, "conflict", "the page changed since you looked at it; nothing was reverted. Review it again."}
		}
		if err != nil {
			s.fail(c, err)
			return
		}
		if res.Unchanged {
			s.setFlash(c, "The unreviewed changes of “"+res.Revision.Title+"” undid themselves; marked them reviewed.")
		} else {
			s.setFlash(c, "Reverted “"+res.Revision.Title+"” to its last reviewed revision (now revision "+strconv.Itoa(res.Revision.Number)+").")
		}
	default:
		s.fail(c, errBadRequestf("action must be reviewed or revert"))
		return
	}
	c.Redirect(http.StatusSeeOther, reviewCohortURL(f.Cohort))
}

// apiReviewItem is an entry of GET /api/v1/review.
type apiReviewItem struct {
	Slug         wiki.Slug     `json:"slug"`
	Title        string        `json:"title"`
	Deleted      bool          `json:"deleted"`
	FromRevision int           `json:"from_revision"`
	ToRevision   int           `json:"to_revision"`
	Since        time.Time     `json:"since"`
	Authors      []string      `json:"authors"`
	Cohorts      []string      `json:"cohorts"`
	Revisions    []apiRevision `json:"revisions"`
	Diff         apiDiff       `json:"diff"`
}

func (s *Server) handleAPIReview(c *gin.Context) {
	limit, err := queryLimit(c, wiki.MaxReviewItems)
	if err != nil {
		s.fail(c, err)
		return
	}
	if limit == 0 {
		limit = 50
	}
	items, err := s.wiki.ReviewQueue(c.Request.Context(), c.Query("cohort"), limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]apiReviewItem, 0, len(items))
	for _, it := range items {
		a := apiReviewItem{Slug: it.Page.Slug, Title: it.Page.Title, Deleted: it.Deleted, FromRevision: it.From, ToRevision: it.To,
			Since: it.Since.UTC(), Authors: nonNil(it.Authors), Cohorts: nonNil(it.Cohorts), Revisions: []apiRevision{},
			Diff: apiDiff{From: it.From, To: it.To, Hunks: nonNilHunks(it.Diff.Hunks), Stats: apiDiffStats{Added: it.Diff.Added, Removed: it.Diff.Removed}}}
		for _, r := range it.Revisions {
			a.Revisions = append(a.Revisions, toAPIRevision(r, false))
		}
		out = append(out, a)
	}
	c.JSON(http.StatusOK, out)
}

func nonNilHunks(h []diff.Hunk) []diff.Hunk {
	if h == nil {
		return []diff.Hunk{}
	}
	return h
}

type apiReviewResult struct {
	Slug     wiki.Slug `json:"slug"`
	Revision int       `json:"revision"`
	Marked   int       `json:"marked"`
}

// apiReviewRevision serves POST /api/v1/pages/{slug}/revisions/{n}/review.
func (s *Server) apiReviewRevision(c *gin.Context, slug wiki.Slug, args []string) {
	v := args[0]
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		s.fail(c, errBadRequestf("%q is not a revision number (1 or more)", v))
		return
	}
	marked, err := s.wiki.MarkReviewed(c.Request.Context(), slug, n)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, apiReviewResult{Slug: slug, Revision: n, Marked: marked})
}
