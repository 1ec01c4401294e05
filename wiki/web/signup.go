package web

import (
	"errors"
	"net/http"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// signupPage is the data of signup.html (sign-up with an invite) and
// setup.html (the first admin).
type signupPage struct {
	BasePage
	Invite      string
	Cohort      *wiki.Cohort
	Username    string
	DisplayName string
	Errors      map[string]string
	Action      string
}

// signupForm is what the sign-up and setup forms post.
type signupForm struct {
	InviteCode  string `form:"invite_code" json:"invite_code"`
	Username    string `form:"username" json:"username"`
	Password    string `form:"password" json:"password"`
	DisplayName string `form:"display_name" json:"display_name"`
}

func (s *Server) handleSignupForm(c *gin.Context) {
	v := &signupPage{BasePage: s.base(c, "Join the wiki"), Invite: c.Query("invite"), Action: signupURL()}
	if v.Invite != "" {
		co, err := s.accounts.InviteCohort(c.Request.Context(), v.Invite, c.ClientIP())
		v.Cohort = co
		if errors.Is(err, wiki.ErrNotFound) {
			// Say so before the form is filled in, not after.
			v.Errors = wiki.BadInvite().Fields
		}
	}
	s.render(c, http.StatusOK, "signup.html", v)
}

// inviteCohort is the cohort an invite code joins, to name it on the
// sign-up form (nil for no code or a wrong one: the form says so when it
// is sent, and wrong codes count against the address there).
func (s *Server) inviteCohort(c *gin.Context, code string) *wiki.Cohort {
	if code == "" {
		return nil
	}
	co, err := s.accounts.InviteCohort(c.Request.Context(), code, c.ClientIP())
	if err != nil {
		return nil
	}
	return co
}

func (s *Server) handleSignup(c *gin.Context) {
	var f signupForm
	if err := c.ShouldBind(&f); err != nil {
		s.fail(c, formError(err))
		return
	}
	ctx := c.Request.Context()
	acct, cohort, err := s.accounts.SignUp(ctx, f.InviteCode, wiki.NewAccount{Username: f.Username, Password: f.Password, DisplayName: f.DisplayName}, c.ClientIP())
	if err != nil {
		show := func(status int, errs map[string]string) {
			s.render(c, status, "signup.html", &signupPage{BasePage: s.base(c, "Join the wiki"), Invite: f.InviteCode,
				Cohort: s.inviteCohort(c, f.InviteCode), Username: f.Username, DisplayName: f.DisplayName, Errors: errs, Action: signupURL()})
		}
		s.failForm(c, err, show, map[string]string{"username": "is taken; choose another"})
		return
	}
	if !s.startSession(c, acct.Username) {
		return
	}
	s.setFlash(c, "Welcome, "+acct.User().Label()+"! You are in the cohort “"+cohort.Name+"”. Every page has an Edit button: fix what is wrong, add what is missing.")
	c.Redirect(http.StatusSeeOther, "/")
}

func (s *Server) handleSetupForm(c *gin.Context) {
	// Say at once when the link no longer works, rather than after the
	// form is filled in.
	if err := s.accounts.CheckSetup(c.Request.Context(), c.Param("token")); err != nil {
		switch {
		case errors.Is(err, wiki.ErrSetupDone):
			s.linkUsed(c, http.StatusGone, "This setup link was used", "The wiki has its admin already: the one-time setup link worked once and is used up. Sign in with the account it made.")
		case errors.Is(err, wiki.ErrNotFound):
			s.linkUsed(c, http.StatusNotFound, "This setup link does not work", "It is not the wiki's current setup link: the server prints a new one each time it starts while it has no account. Use the newest one from the server's console.")
		default:
			s.fail(c, err)
		}
		return
	}
	v := &signupPage{BasePage: s.base(c, "Set up the wiki"), Action: setupURL(c.Param("token"))}
	s.render(c, http.StatusOK, "setup.html", v)
}

// linkUsedPage is the data of link_used.html: a one-time link (setup,
// password) that no longer works.
type linkUsedPage struct {
	BasePage
	Heading, Message string
}

func (s *Server) linkUsed(c *gin.Context, status int, heading, msg string) {
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	s.render(c, status, "link_used.html", &linkUsedPage{BasePage: s.base(c, heading), Heading: heading, Message: msg})
}

func (s *Server) handleSetup(c *gin.Context) {
	var f signupForm
	if err := c.ShouldBind(&f); err != nil {
		s.fail(c, formError(err))
		return
	}
	ctx := c.Request.Context()
	acct, err := s.accounts.CompleteSetup(ctx, c.Param("token"), wiki.NewAccount{Username: f.Username, Password: f.Password, DisplayName: f.DisplayName})
	if errors.Is(err, wiki.ErrNotFound) {
		err = errNotFoundf("this setup link is not valid: it was used already, or the server was restarted and printed a new one")
	}
	if err != nil {
		show := func(status int, errs map[string]string) {
			s.render(c, status, "setup.html", &signupPage{BasePage: s.base(c, "Set up the wiki"),
				Username: f.Username, DisplayName: f.DisplayName, Errors: errs, Action: setupURL(c.Param("token"))})
		}
		s.failForm(c, err, show, nil)
		return
	}
	if !s.startSession(c, acct.Username) {
		return
	}
	s.setFlash(c, "You are the wiki's admin. Next: create a cohort for your new hires and send them its invite link.")
	c.Redirect(http.StatusSeeOther, cohortsURL())
}

func (s *Server) handleAPISignup(c *gin.Context) {
	var f signupForm
	if err := decodeJSON(c, &f); err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	acct, _, err := s.accounts.SignUp(ctx, f.InviteCode, wiki.NewAccount{Username: f.Username, Password: f.Password, DisplayName: f.DisplayName}, c.ClientIP())
	if err != nil {
		s.fail(c, err)
		return
	}
	if !s.startSession(c, acct.Username) {
		return
	}
	c.JSON(http.StatusCreated, s.sessionAnswer(c, acct.User()))
}
