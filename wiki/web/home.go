package web

import (
	"net/http"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// homePage is the data of home.html.
type homePage struct {
	BasePage
	Recent     []wiki.PageSummary
	All        []wiki.PageSummary
	NextCursor string
	Cursor     string
}

// homeListLimit is how many pages the home page's index lists at a time.
const homeListLimit = 200

func (s *Server) handleHome(c *gin.Context) {
	ctx := c.Request.Context()
	cursor := c.Query("cursor")
	var recent []wiki.PageSummary
	var err error
	if cursor == "" {
		if recent, err = s.wiki.RecentPages(ctx, 12); err != nil {
			s.fail(c, err)
			return
		}
	}
	all, next, err := s.wiki.Pages(ctx, wiki.PageFilter{Limit: homeListLimit, Cursor: cursor, ByTitle: true})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "home.html", &homePage{
		BasePage: s.base(c, ""), Recent: recent, All: all, NextCursor: next, Cursor: cursor,
	})
}
