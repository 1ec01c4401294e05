package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// Password resets: an admin makes a one-time link (on the people page, or
// POST /api/v1/users/{name}/reset) and hands it over however they like;
// the person opens it and chooses a new password.

// apiReset is the answer to POST /api/v1/users/{name}/reset.
type apiReset struct {
	Username  string    `json:"username"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// resetLinkPage is the data of reset_link.html: the link just made.
type resetLinkPage struct {
	BasePage
	Username  string
	Link      string
	ExpiresAt time.Time
	// New says the account was just added (people.go): the link sets its
	// first password.
	New    bool
	Role   wiki.Role
	Cohort string // the new account's cohort, if any
}

// resetPage is the data of reset.html: the form to set a new password,
// or (First) the first one of an account an admin added.
type resetPage struct {
	BasePage
	Username    string
	DisplayName string
	First       bool
	Action      string
	Errors      map[string]string
}

// resetFor fills in who a reset link is for.
func (s *Server) resetFor(c *gin.Context, r *wiki.PasswordReset, action string) *resetPage {
	v := &resetPage{Username: r.Username, Action: action}
	title := "Choose a new password"
	if acct, err := s.accounts.Account(c.Request.Context(), r.Username); err == nil {
		v.DisplayName, v.First = acct.DisplayName, !acct.HasPassword()
		if v.First {
			title = "Choose your password"
		}
	}
	v.BasePage = s.base(c, title)
	return v
}

func (s *Server) handleAPIUserReset(c *gin.Context) {
	ctx := c.Request.Context()
	token, r, err := s.accounts.CreateReset(ctx, c.Param("name"), wiki.UserFromContext(ctx).Name)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, apiReset{Username: r.Username, URL: s.absURL(c, resetURL(token)), ExpiresAt: r.ExpiresAt.UTC()})
}

func (s *Server) handleAdminUserReset(c *gin.Context) {
	ctx := c.Request.Context()
	token, r, err := s.accounts.CreateReset(ctx, c.Param("name"), wiki.UserFromContext(ctx).Name)
	if err != nil {
		s.fail(c, err)
		return
	}
	// Shown on a page of its own rather than in a flash cookie: the link
	// is a secret and should not travel in a cookie.
	c.Header("Cache-Control", "no-store")
	s.render(c, http.StatusOK, "reset_link.html", &resetLinkPage{BasePage: s.base(c, "Password reset link"),
		Username: r.Username, Link: s.absURL(c, resetURL(token)), ExpiresAt: r.ExpiresAt})
}

// errBadResetLink is the answer to a wrong, used or expired link.
var errBadResetLink = errNotFoundf("this password reset link does not work: it was used already, it expired, or a newer one was made. Ask an admin for a new one")

func (s *Server) handleResetForm(c *gin.Context) {
	r, err := s.accounts.CheckReset(c.Request.Context(), c.Param("token"))
	if errors.Is(err, wiki.ErrNotFound) {
		// Said at once, not after the form is filled in.
		s.linkUsed(c, http.StatusNotFound, "This link no longer works", badResetMessage)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	s.render(c, http.StatusOK, "reset.html", s.resetFor(c, r, resetURL(c.Param("token"))))
}

const badResetMessage = "This one-time password link was used already, it expired (links work for 24 hours), or a newer one was made for the same person. If you set your password with it, sign in. Otherwise ask an admin for a new link."

func (s *Server) handleReset(c *gin.Context) {
	ctx := c.Request.Context()
	token := c.Param("token")
	r, err := s.accounts.CheckReset(ctx, token)
	if errors.Is(err, wiki.ErrNotFound) {
		err = errBadResetLink
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	show := func(status int, errs map[string]string) {
		c.Header("Referrer-Policy", "no-referrer")
		v := s.resetFor(c, r, resetURL(token))
		v.Errors = errs
		s.render(c, status, "reset.html", v)
	}
	pw := c.PostForm("password")
	if pw != c.PostForm("password_again") {
		show(http.StatusUnprocessableEntity, map[string]string{"password_again": "is not the same as the password"})
		return
	}
	first := false // the first password of an account an admin added
	if a, err := s.accounts.Account(ctx, r.Username); err == nil {
		first = !a.HasPassword()
	}
	acct, err := s.accounts.CompleteReset(ctx, token, pw)
	if errors.Is(err, wiki.ErrNotFound) {
		err = errBadResetLink
	}
	if err != nil {
		s.failForm(c, err, show, nil)
		return
	}
	if !s.startSession(c, acct.Username) {
		return
	}
	if first {
		s.setFlash(c, "Your password is set and you are signed in. Welcome, "+acct.User().Label()+"!")
		c.Redirect(http.StatusSeeOther, homeURL())
		return
	}
	s.setFlash(c, "Your new password is set, and you are signed in. Every other place you were signed in is signed out.")
	c.Redirect(http.StatusSeeOther, homeURL())
}
