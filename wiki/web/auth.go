package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

const (
	sessionCookie = "faqwiki_session"
)

// identify finds who is behind a request and puts them in its context:
// an API token (Authorization: Bearer), else a session cookie, else an
// anonymous visitor who may read only when the site allows it. A bad
// bearer token is refused outright (a script should learn at once that its
// token is wrong); a stale cookie is simply dropped.
func (s *Server) identify(c *gin.Context) {
	ctx := c.Request.Context()
	var user *wiki.User
	var st requestState
	if h := c.GetHeader("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if len(c.Request.Header.Values("Authorization")) > 1 {
			// Which one counts would depend on who reads the request.
			s.fail(c, errBadRequestf("send one Authorization header, not several"))
			c.Abort()
			return
		}
		if !ok {
			s.fail(c, &publicError{http.StatusUnauthorized, "unauthorized", "use Authorization: Bearer <token>"})
			c.Abort()
			return
		}
		if s.isMetricsToken(c.Request.URL.Path, strings.TrimSpace(token)) {
			// The scraper's token: it opens /metrics and nothing else.
			c.Request = c.Request.WithContext(withState(ctx, &wiki.User{Name: wiki.Anonymous, Role: wiki.RoleNone}, requestState{metrics: true}))
			c.Next()
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
		st.bearer = true
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
	c.Request = c.Request.WithContext(withState(ctx, user, st))
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
		msg := "please sign in first"
		if !isAPI(c) {
			// A form sent after the session ended: say what became of it.
			msg = "You are not signed in (your session may have ended), so this was not saved. Sign in in another tab, then send it again; the editor also keeps your unsaved text in this browser and offers it back when you open it."
		}
		s.fail(c, &publicError{http.StatusUnauthorized, "unauthorized", msg})
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
