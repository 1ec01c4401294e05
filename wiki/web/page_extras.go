package web

import (
	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// pageExtras adds to the view of a page's current text what links here,
// who reviewed its head revision and whether the reader watches it, and
// records that the reader has now seen this revision (which clears it from
// their watchlist). None of it may fail the page: a problem is logged and
// the page shown without it.
func (s *Server) pageExtras(c *gin.Context, v *pageView) {
	ctx := c.Request.Context()
	slug := v.Page.Slug
	var err error
	if v.Backlinks, err = s.wiki.PageBacklinks(ctx, v.Page); err != nil {
		s.log.Warn("backlinks", "slug", slug, "err", err)
	}
	if v.Head, err = s.wiki.RevisionInfo(ctx, slug, v.Page.Revision); err != nil {
		s.log.Warn("head revision", "slug", slug, "err", err)
	}
	if !wiki.UserFromContext(ctx).SignedIn() {
		return
	}
	if v.Watching, v.WatchingPrefix, err = s.wiki.IsWatching(ctx, slug); err != nil {
		s.log.Warn("watching", "slug", slug, "err", err)
	}
	if err := s.wiki.MarkSeen(ctx, slug, v.Page.Revision); err != nil {
		s.log.Warn("mark seen", "slug", slug, "err", err)
	}
}
