package web

import (
	"net/http"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// API tokens on the web (issue 14): people make and revoke their own
// tokens on their account page, so scripts (faqwiki import -url) need no
// stopped server to get one.

// tokenPage is the data of token_new.html: a token just made, shown once.
type tokenPage struct {
	BasePage
	Token  *wiki.Token
	Value  string
	Origin string // the site's address, for the example
}

func (s *Server) handleTokenCreate(c *gin.Context) {
	ctx := c.Request.Context()
	u := wiki.UserFromContext(ctx)
	token, t, err := s.accounts.CreateToken(ctx, u.Name, c.PostForm("name"))
	if err != nil {
		s.failForm(c, err, func(status int, errs map[string]string) { s.showAccount(c, status, errs) }, nil)
		return
	}
	c.Header("Cache-Control", "no-store")
	s.render(c, http.StatusOK, "token_new.html", &tokenPage{BasePage: s.base(c, "New API token"), Token: t, Value: token, Origin: s.absURL(c, homeURL())})
}

func (s *Server) handleTokenRevoke(c *gin.Context) {
	ctx := c.Request.Context()
	if err := s.accounts.RevokeOwnToken(ctx, wiki.UserFromContext(ctx).Name, c.PostForm("id")); err != nil {
		s.fail(c, err)
		return
	}
	s.setFlash(c, "Revoked the token: scripts that used it are refused from now on.")
	c.Redirect(http.StatusSeeOther, accountURL())
}
