package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// Links between pages: what links here, wanted pages and orphans.

type apiLinkedPage struct {
	Slug      wiki.Slug `json:"slug"`
	Title     string    `json:"title"`
	Revision  int       `json:"revision"`
	UpdatedAt time.Time `json:"updated_at"`
}

type apiWanted struct {
	Slug     wiki.Slug   `json:"slug"`
	Title    string      `json:"title"`
	WantedBy int         `json:"wanted_by"`
	From     []wiki.Slug `json:"from"`
}

func linkedPages(pages []wiki.PageSummary) []apiLinkedPage {
	out := make([]apiLinkedPage, 0, len(pages))
	for _, p := range pages {
		out = append(out, apiLinkedPage{Slug: p.Slug, Title: p.Title, Revision: p.Revision, UpdatedAt: p.UpdatedAt.UTC()})
	}
	return out
}

func (s *Server) apiBacklinks(c *gin.Context, slug wiki.Slug, _ []string) {
	// A page's backlinks are those its view lists, [[Title]] links filed
	// before it had its title among them; a missing page's are the links
	// that want it.
	ctx := c.Request.Context()
	var pages []wiki.PageSummary
	p, err := s.wiki.Page(ctx, slug)
	switch {
	case err == nil:
		pages, err = s.wiki.PageBacklinks(ctx, p)
	case errors.Is(err, wiki.ErrNotFound):
		pages, err = s.wiki.Backlinks(ctx, slug)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, linkedPages(pages))
}

func (s *Server) handleAPIWanted(c *gin.Context) {
	ws, err := s.wiki.Wanted(c.Request.Context(), 1000)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]apiWanted, 0, len(ws))
	for _, w := range ws {
		out = append(out, apiWanted{Slug: w.Slug, Title: w.Title, WantedBy: w.WantedBy, From: w.From})
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) handleAPIOrphans(c *gin.Context) {
	pages, err := s.wiki.Orphans(c.Request.Context(), 1000)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, linkedPages(pages))
}

// linksPage is the data of wanted.html and orphans.html.
type linksPage struct {
	BasePage
	Wanted  []wiki.WantedPage
	Orphans []wiki.PageSummary
}

func (s *Server) handleWanted(c *gin.Context) {
	ws, err := s.wiki.Wanted(c.Request.Context(), 500)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "wanted.html", &linksPage{BasePage: s.base(c, "Wanted pages"), Wanted: ws})
}

func (s *Server) handleOrphans(c *gin.Context) {
	pages, err := s.wiki.Orphans(c.Request.Context(), 500)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "orphans.html", &linksPage{BasePage: s.base(c, "Orphan pages"), Orphans: pages})
}
