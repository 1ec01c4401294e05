package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

const (
	sessionCookie = "faqwiki_session"
	bearerKey     = "faqwiki.bearer" // set when the request authenticated with a bearer token
)

// identify finds who is behind a request and puts them in its context:
// an API token (Authorization: Bearer), else a session cookie, else an
// anonymous visitor who may read only when the site allows it. A bad
// bearer token is refused outright (a script should learn at once that its
// token is wrong); a stale cookie is simply dropped.
func (s *Server) identify(c *gin.Context) {
	ctx := c.Request.Context()
	var user *wiki.User
	if h := c.GetHeader("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			s.fail(c, &publicError{http.StatusUnauthorized, "unauthorized", "use Authorization: Bearer <token>"})
			c.Abort()
			return
		}
		u, err := s.accounts.TokenUser(ctx, strings.TrimSpace(token))
		if err != nil {
			if !errors.Is(err, wiki.ErrUnauthorized) {
				s.fail(c, err)
			} else {
				s.fail(c, &publicError{http.StatusUnauthorized, "unauthorized", "the API token is not valid (revoked, or its account disabled)"})
			}
			c.Abort()
			return
		}
		user = u
		c.Set(bearerKey, true)
	} else if ck, err := c.Request.Cookie(sessionCookie); err == nil {
		u, _, err := s.accounts.SessionUser(ctx, ck.Value)
		switch {
		case err == nil:
			user = u
		case errors.Is(err, wiki.ErrUnauthorized):
			s.clearCookie(c, sessionCookie)
		default:
			s.fail(c, err)
			c.Abort()
			return
		}
	}
	if user == nil {
		user = &wiki.User{Name: wiki.Anonymous, Role: wiki.RoleNone}
		if s.cfg.OpenReading {
			user.Role = wiki.RoleReader
		}
	}
	c.Request = c.Request.WithContext(wiki.NewContextWithUser(ctx, user))
	c.Next()
}

// require lets the request through only if its user has role r: a visitor
// who is not signed in is sent to the sign-in page (or gets 401 from the
// API), a signed-in one without the role gets 403.
func (s *Server) require(r wiki.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.allowed(c, r) {
			c.Abort()
			return
		}
		c.Next()
	}
}

// allowed is require for use inside a handler: it answers the request
// itself and returns false when the user lacks role r.
func (s *Server) allowed(c *gin.Context, r wiki.Role) bool {
	u := wiki.UserFromContext(c.Request.Context())
	if u.Has(r) {
		return true
	}
	if !u.SignedIn() {
		if !isAPI(c) && c.Request.Method == http.MethodGet {
			redirectToLogin(c)
			return false
		}
		s.fail(c, &publicError{http.StatusUnauthorized, "unauthorized", "please sign in first"})
		return false
	}
	s.fail(c, &publicError{http.StatusForbidden, "forbidden", "this needs the " + r.String() + " role; you are " + aOrAn(u.Role.String())})
	return false
}

// redirectToLogin sends the browser to the sign-in page, to come back to
// where it was.
func redirectToLogin(c *gin.Context) {
	c.Redirect(http.StatusSeeOther, loginURL()+"?next="+url.QueryEscape(c.Request.URL.RequestURI()))
}

func aOrAn(w string) string {
	if w != "" && strings.ContainsRune("aeiou", rune(w[0])) {
		return "an " + w
	}
	return "a " + w
}

// secure reports whether the request reached us over TLS, directly or
// (when the site trusts its proxy) as the proxy says.
func (s *Server) secure(c *gin.Context) bool {
	return c.Request.TLS != nil || s.cfg.TrustProxy && strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https")
}

// startSession signs a newly created account in and sets the cookie; it
// answers the request itself and returns false on failure.
func (s *Server) startSession(c *gin.Context, username string) bool {
	token, _, err := s.accounts.StartSession(c.Request.Context(), username)
	if err != nil {
		s.fail(c, err)
		return false
	}
	s.setSessionCookie(c, token)
	return true
}

// endSession ends the request's session on the server and clears its
// cookie; it answers the request itself and returns false on failure.
func (s *Server) endSession(c *gin.Context) bool {
	if ck, err := c.Request.Cookie(sessionCookie); err == nil {
		if err := s.accounts.Logout(c.Request.Context(), ck.Value); err != nil {
			s.fail(c, err)
			return false
		}
	}
	s.clearCookie(c, sessionCookie)
	return true
}

func (s *Server) setSessionCookie(c *gin.Context, token string) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.secure(c), MaxAge: int(s.accounts.SessionTTL() / time.Second),
	})
}

func (s *Server) clearCookie(c *gin.Context, name string) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure(c)})
}

// safeNext returns next if it is a path on this site, else "/": a sign-in
// link must never send people to another site.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n\t\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

// loginPage is the data of login.html.
type loginPage struct {
	BasePage
	Next     string
	Username string
	Error    string
}

func (s *Server) handleLoginForm(c *gin.Context) {
	next := safeNext(c.Query("next"))
	if u := wiki.UserFromContext(c.Request.Context()); u.SignedIn() {
		c.Redirect(http.StatusSeeOther, next) // before base(), which takes the flash
		return
	}
	s.render(c, http.StatusOK, "login.html", &loginPage{BasePage: s.base(c, "Sign in"), Next: next})
}

// loginForm is what the sign-in form posts.
type loginForm struct {
	Username string `form:"username" json:"username"`
	Password string `form:"password" json:"password"`
	Next     string `form:"next" json:"-"`
}

func (s *Server) handleLogin(c *gin.Context) {
	var f loginForm
	if err := c.ShouldBind(&f); err != nil {
		s.fail(c, formError(err))
		return
	}
	token, _, err := s.accounts.Login(c.Request.Context(), f.Username, f.Password, c.ClientIP())
	if err != nil {
		status, body := classify(err)
		if status >= 500 {
			s.fail(c, err)
			return
		}
		s.render(c, status, "login.html", &loginPage{BasePage: s.base(c, "Sign in"), Next: safeNext(f.Next), Username: f.Username, Error: body.Message})
		return
	}
	s.setSessionCookie(c, token)
	c.Redirect(http.StatusSeeOther, safeNext(f.Next))
}

func (s *Server) handleLogout(c *gin.Context) {
	if !s.endSession(c) {
		return
	}
	s.setFlash(c, "You are signed out.")
	c.Redirect(http.StatusSeeOther, loginURL())
}

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
	s.render(c, http.StatusOK, "signup.html", v)
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
				Username: f.Username, DisplayName: f.DisplayName, Errors: errs, Action: signupURL()})
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
	v := &signupPage{BasePage: s.base(c, "Set up the wiki"), Action: setupURL(c.Param("token"))}
	s.render(c, http.StatusOK, "setup.html", v)
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

// accountPage is the data of account.html: change password, sign out.
type accountPage struct {
	BasePage
	Account *wiki.Account
	Cohort  *wiki.Cohort
	Errors  map[string]string
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

// API: sessions and sign-up.

type apiSessionAnswer struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
	Cohort      string `json:"cohort"`
	CSRFToken   string `json:"csrf_token"`
}

func (s *Server) sessionAnswer(c *gin.Context, u *wiki.User) apiSessionAnswer {
	return apiSessionAnswer{Username: u.Name, DisplayName: u.DisplayName, Role: u.Role.String(), Cohort: u.Cohort, CSRFToken: c.GetString(csrfKey)}
}

func (s *Server) handleAPILogin(c *gin.Context) {
	var f loginForm
	if err := decodeJSON(c, &f); err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	token, _, err := s.accounts.Login(ctx, f.Username, f.Password, c.ClientIP())
	if err != nil {
		s.fail(c, err)
		return
	}
	u, _, err := s.accounts.SessionUser(ctx, token)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setSessionCookie(c, token)
	c.JSON(http.StatusOK, s.sessionAnswer(c, u))
}

func (s *Server) handleAPILogout(c *gin.Context) {
	if !s.endSession(c) {
		return
	}
	c.Status(http.StatusNoContent)
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
