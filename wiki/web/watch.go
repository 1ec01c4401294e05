package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/faqwiki/faqwiki/wiki/diff"
	"github.com/gin-gonic/gin"
)

// Watching: watch buttons, the watchlist with a diff from what you last
// saw, your private feed token, and cohort reading lists.

// watchForm is what a page's watch button posts.
type watchForm struct {
	Action string `form:"action"` // "watch" or "unwatch"
	Prefix string `form:"prefix"` // "on": with its sub-pages
	Next   string `form:"next"`   // "watching": go back to the watchlist
}

func (s *Server) handleWatch(c *gin.Context) {
	slug, ok := s.slugParam(c)
	if !ok {
		return
	}
	var f watchForm
	if err := c.ShouldBind(&f); err != nil {
		s.fail(c, formError(err))
		return
	}
	ctx := c.Request.Context()
	switch f.Action {
	case "watch":
		if err := s.wiki.Watch(ctx, slug, f.Prefix == "on"); err != nil {
			s.fail(c, err)
			return
		}
		if f.Prefix == "on" {
			s.setFlash(c, "You watch this page and every page under it. Changes show on your watchlist.")
		} else {
			s.setFlash(c, "You watch this page. Changes show on your watchlist.")
		}
	case "unwatch":
		if err := s.wiki.Unwatch(ctx, slug); err != nil {
			s.fail(c, err)
			return
		}
		s.setFlash(c, "You no longer watch this page.")
	default:
		s.fail(c, errBadRequestf("action must be watch or unwatch"))
		return
	}
	if f.Next == "watching" {
		c.Redirect(http.StatusSeeOther, watchingURL())
		return
	}
	c.Redirect(http.StatusSeeOther, pageURL(slug))
}

// watchingPage is the data of watching.html.
type watchingPage struct {
	BasePage
	Changed  []watchedView
	Unread   []watchedView // reading-list pages never opened, unchanged since
	UpToDate []watchedView
	Token    string // a feed token just made, shown once
	Feeds    struct{ Changes, Watching string }
	// The reader's answered questions: not seen since, and the rest.
	NewAnswers, OldAnswers []*wiki.Question
}

type watchedView struct {
	wiki.WatchedItem
	Inline []diff.Block
	Stats  [2]int
}

// maxWatchDiffs is how many changed pages the watchlist shows a diff for;
// the rest link to theirs.
const maxWatchDiffs = 20

func (s *Server) handleWatching(c *gin.Context) {
	s.showWatching(c, "")
}

func (s *Server) showWatching(c *gin.Context, token string) {
	ctx := c.Request.Context()
	items, err := s.wiki.Watchlist(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := &watchingPage{BasePage: s.base(c, "Watchlist"), Token: token}
	if s.cfg.Questions != nil {
		if v.NewAnswers, v.OldAnswers, err = s.cfg.Questions.NewAnswers(ctx, 20); err != nil {
			s.fail(c, err)
			return
		}
	}
	if token != "" {
		o := s.origin(c)
		v.Feeds.Changes = o + changesAtomURL(nil, token)
		v.Feeds.Watching = o + watchingAtomURL(token)
	}
	for _, it := range items {
		wv := watchedView{WatchedItem: it}
		switch {
		case it.Changed() && it.Seen == 0 && it.Via == wiki.WatchedCohort:
			v.Unread = append(v.Unread, wv)
		case it.Changed():
			if len(v.Changed) < maxWatchDiffs && !it.Deleted {
				if d, _, err := s.wiki.Diff(ctx, it.Page.Slug, it.Seen, it.Page.Revision); err == nil {
					wv.Inline, wv.Stats = d.Inline(2), [2]int{d.Added, d.Removed}
				}
			}
			v.Changed = append(v.Changed, wv)
		default:
			v.UpToDate = append(v.UpToDate, wv)
		}
	}
	s.render(c, http.StatusOK, "watching.html", v)
}

// handleFeedTokenNew makes a new feed token from the watchlist page and
// shows it (once) with the feed addresses that carry it.
func (s *Server) handleFeedTokenNew(c *gin.Context) {
	u := wiki.UserFromContext(c.Request.Context())
	token, err := s.accounts.NewFeedToken(c.Request.Context(), u.Name)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	s.showWatching(c, token)
}

// apiWatched is an entry of GET /api/v1/me/watching.
type apiWatched struct {
	Slug         wiki.Slug `json:"slug"`
	Title        string    `json:"title"`
	Revision     int       `json:"revision"`
	SeenRevision int       `json:"seen_revision"`
	Changed      bool      `json:"changed"`
	Deleted      bool      `json:"deleted"`
	Via          string    `json:"via"`
	UpdatedAt    time.Time `json:"updated_at"`
	Author       string    `json:"author"`
	Cohort       string    `json:"cohort"`
	DiffURL      string    `json:"diff_url"`
}

// handleAPIWatching lists the watched pages that changed since the
// person last saw them (?all=true: every watched page).
func (s *Server) handleAPIWatching(c *gin.Context) {
	all := false
	switch c.Query("all") {
	case "", "false", "0":
	case "true", "1":
		all = true
	default:
		s.fail(c, errBadRequestf("all must be true or false"))
		return
	}
	items, err := s.wiki.Watchlist(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	out := []apiWatched{}
	for _, it := range items {
		if !all && !it.Changed() {
			continue
		}
		out = append(out, apiWatched{Slug: it.Page.Slug, Title: it.Page.Title, Revision: it.Page.Revision, SeenRevision: it.Seen,
			Changed: it.Changed(), Deleted: it.Deleted, Via: it.Via, UpdatedAt: it.Page.UpdatedAt.UTC(), Author: it.Page.Author,
			Cohort: it.Page.Cohort, DiffURL: diffURL(it.Page.Slug, it.Seen, it.Page.Revision)})
	}
	c.JSON(http.StatusOK, out)
}

type apiWatchResult struct {
	Slug     wiki.Slug `json:"slug"`
	Watching bool      `json:"watching"`
	Prefix   bool      `json:"prefix"`
}

func (s *Server) apiWatch(c *gin.Context, slug wiki.Slug, _ []string) {
	prefix := false
	switch c.Query("prefix") {
	case "", "false", "0":
	case "true", "1":
		prefix = true
	default:
		s.fail(c, errBadRequestf("prefix must be true or false"))
		return
	}
	if err := s.wiki.Watch(c.Request.Context(), slug, prefix); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, apiWatchResult{Slug: slug, Watching: true, Prefix: prefix})
}

func (s *Server) apiUnwatch(c *gin.Context, slug wiki.Slug, _ []string) {
	if err := s.wiki.Unwatch(c.Request.Context(), slug); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type apiFeedToken struct {
	Token       string `json:"token"`
	ChangesURL  string `json:"changes_url"`
	WatchingURL string `json:"watching_url"`
}

func (s *Server) handleAPIFeedToken(c *gin.Context) {
	u := wiki.UserFromContext(c.Request.Context())
	token, err := s.accounts.NewFeedToken(c.Request.Context(), u.Name)
	if err != nil {
		s.fail(c, err)
		return
	}
	o := s.origin(c)
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, apiFeedToken{Token: token, ChangesURL: o + changesAtomURL(nil, token), WatchingURL: o + watchingAtomURL(token)})
}

// Cohort reading lists.

type apiReading struct {
	Cohort string      `json:"cohort"`
	Slugs  []wiki.Slug `json:"slugs"`
}

type apiReadingRequest struct {
	Slugs []string `json:"slugs"`
}

func (s *Server) handleAPICohortReading(c *gin.Context) {
	id := c.Param("id")
	if _, err := s.cohorts.Cohort(c.Request.Context(), id); err != nil {
		s.fail(c, err)
		return
	}
	slugs, err := s.wiki.CohortReading(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, apiReading{Cohort: id, Slugs: slugs})
}

func (s *Server) handleAPICohortReadingSet(c *gin.Context) {
	id := c.Param("id")
	var req apiReadingRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if !s.setReading(c, id, req.Slugs) {
		return
	}
	s.handleAPICohortReading(c)
}

// setReading sets a cohort's reading list, answering the request itself on
// failure.
func (s *Server) setReading(c *gin.Context, id string, raw []string) bool {
	ctx := c.Request.Context()
	if _, err := s.cohorts.Cohort(ctx, id); err != nil {
		s.fail(c, err)
		return false
	}
	slugs := make([]wiki.Slug, 0, len(raw))
	for _, r := range raw {
		if r = strings.TrimSpace(r); r != "" {
			slugs = append(slugs, wiki.Slug(strings.TrimPrefix(r, prefixWiki)))
		}
	}
	if err := s.wiki.SetCohortReading(ctx, id, slugs); err != nil {
		s.fail(c, err)
		return false
	}
	return true
}

// handleCohortReading is the trainers' form on a cohort's page: one page
// address per line.
func (s *Server) handleCohortReading(c *gin.Context) {
	id := c.Param("id")
	if !s.setReading(c, id, strings.Split(c.PostForm("slugs"), "\n")) {
		return
	}
	s.setFlash(c, "Saved the reading list: each member sees these pages on their watchlist until they have read them.")
	c.Redirect(http.StatusSeeOther, cohortURL(id))
}
