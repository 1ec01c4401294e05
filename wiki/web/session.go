package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// secure reports whether the request reached us over TLS, directly or
// (when the site trusts its proxy) as the proxy says.
func (s *Server) secure(c *gin.Context) bool {
	return c.Request.TLS != nil || s.trustProxyHeaders(c) && strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https")
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
	s.renewCSRF(c)
	return true
}

func (s *Server) setSessionCookie(c *gin.Context, token string) {
	s.renewCSRF(c)
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
		setRetryAfter(c, err)
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

type apiSessionAnswer struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
	Cohort      string `json:"cohort"`
	CSRFToken   string `json:"csrf_token"`
}

func (s *Server) sessionAnswer(c *gin.Context, u *wiki.User) apiSessionAnswer {
	return apiSessionAnswer{Username: u.Name, DisplayName: u.DisplayName, Role: u.Role.String(), Cohort: u.Cohort, CSRFToken: stateOf(c).csrf}
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
