package web

import (
	"net/http"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// accountPage is the data of account.html: change password, sign out.
type accountPage struct {
	BasePage
	Account *wiki.Account
	Cohort  *wiki.Cohort
	Errors  map[string]string
	Tokens  []*wiki.Token // token.go
}

func (s *Server) handleAccount(c *gin.Context) {
	s.showAccount(c, http.StatusOK, nil)
}

func (s *Server) showAccount(c *gin.Context, status int, errs map[string]string) {
	ctx := c.Request.Context()
	u := wiki.UserFromContext(ctx)
	acct, err := s.accounts.Account(ctx, u.Name)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := &accountPage{BasePage: s.base(c, "Your account"), Account: acct, Errors: errs}
	if v.Cohort, err = s.cohorts.MemberOf(ctx, acct); err != nil {
		s.fail(c, err)
		return
	}
	if v.Tokens, err = s.accounts.Tokens(ctx, acct.Username); err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, status, "account.html", v)
}

func (s *Server) handlePasswordChange(c *gin.Context) {
	ctx := c.Request.Context()
	u := wiki.UserFromContext(ctx)
	keep := ""
	if ck, err := c.Request.Cookie(sessionCookie); err == nil {
		keep = wiki.SecretID(ck.Value)
	}
	err := s.accounts.ChangePassword(ctx, u.Name, c.PostForm("old_password"), c.PostForm("new_password"), keep)
	if err != nil {
		s.failForm(c, err, func(status int, errs map[string]string) { s.showAccount(c, status, errs) }, nil)
		return
	}
	s.setFlash(c, "Password changed. Every other place you were signed in is signed out.")
	c.Redirect(http.StatusSeeOther, accountURL())
}
