package web

import (
	"net/http"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// The editor's helpers (issue 14): the address a title makes, asked as
// people type it.

// apiSlug is the answer to GET /api/v1/slug?title=.
type apiSlug struct {
	Slug  wiki.Slug `json:"slug"`
	URL   string    `json:"url"`
	Taken bool      `json:"taken"`           // a live page has that address
	Title string    `json:"title,omitempty"` // that page's title
}

func (s *Server) handleAPISlug(c *gin.Context) {
	title := c.Query("title")
	if len(title) > 4*wiki.MaxTitleLen {
		s.fail(c, errBadRequestf("title is too long"))
		return
	}
	slug := wiki.SlugFromTitle(title)
	if slug == "" {
		c.JSON(http.StatusOK, apiSlug{})
		return
	}
	out := apiSlug{Slug: slug, URL: pageURL(slug)}
	if p, err := s.wiki.Page(c.Request.Context(), slug); err == nil && !p.Deleted {
		out.Taken, out.Title = true, p.Title
	}
	c.JSON(http.StatusOK, out)
}
