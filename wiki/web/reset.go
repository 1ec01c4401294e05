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
}

// resetPage is the data of reset.html: the form to set a new password.
type resetPage struct {
	BasePage
	Username string
	Action   string
	Errors   map[string]string
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
		err = errBadResetLink
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	s.render(c, http.StatusOK, "reset.html", &resetPage{BasePage: s.base(c, "Choose a new password"),
		Username: r.Username, Action: resetURL(c.Param("token"))})
}

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
		s.render(c, status, "reset.html", &resetPage{BasePage: s.base(c, "Choose a new password"),
			Username: r.Username, Action: resetURL(token), Errors: errs})
	}
	pw := c.PostForm("password")
	if pw != c.PostForm("password_again") {
		show(http.StatusUnprocessableEntity, map[string]string{"password_again": "is not the same as the password"})
		return
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
	s.setFlash(c, "Your new password is set, and you are signed in. Every other place you were signed in is signed out.")
	c.Redirect(http.StatusSeeOther, homeURL())
}
