package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
)

// checkCSRF guards every state-changing request in one place, never opted
// into per route:
//   - net/http's CrossOriginProtection refuses requests that browsers mark
//     as cross-origin (Sec-Fetch-Site, Origin);
//   - a request that carries our cookies (so has ambient authority in a
//     browser) must also echo the CSRF token from its cookie in the
//     X-CSRF-Token header or the csrf_token form field (double submit,
//     compared in constant time).
//
// Requests without cookies and requests with a bearer token (scripts,
// curl) have no ambient authority to abuse and pass the token check. Every response to a browser
// gets the cookie so that its forms can carry the token (a request with a
// bearer token is not a browser's, and gets none).
func (s *Server) checkCSRF(c *gin.Context) {
	token := ""
	if ck, err := c.Request.Cookie(csrfCookie); err == nil && validToken(ck.Value) {
		token = ck.Value
	}
	hadCookie := token != ""
	st := stateOf(c)
	if !hadCookie && !st.bearer {
		// A script with a bearer token is no browser: it has no use for
		// the cookie, nor its forms for a token.
		token = s.setCSRFCookie(c)
	}
	st.csrf = token

	if readOnly(c.Request.Method) {
		c.Next()
		return
	}
	if st.bearer {
		// A bearer token is not sent by browsers on their own: no ambient
		// authority to abuse, so no token to check.
		c.Next()
		return
	}
	if err := s.csrf.Check(c.Request); err != nil {
		s.fail(c, errForbiddenf("cross-origin request refused"))
		c.Abort()
		return
	}
	if hadCookie || hasOurCookie(c.Request) {
		sent := c.GetHeader("X-CSRF-Token")
		if sent == "" && isForm(c.Request) {
			if err := parseForm(c.Request); err != nil {
				s.fail(c, formError(err)) // 413 for a body over the limit
				c.Abort()
				return
			}
			sent = c.Request.PostFormValue("csrf_token")
		}
		if !hadCookie || subtle.ConstantTimeCompare([]byte(sent), []byte(token)) != 1 {
			s.fail(c, errForbiddenf("missing or wrong CSRF token: reload the page and try again"))
			c.Abort()
			return
		}
	}
	c.Next()
}

// setCSRFCookie gives the browser a new CSRF token and returns it.
func (s *Server) setCSRFCookie(c *gin.Context) string {
	token := newToken()
	http.SetCookie(c.Writer, &http.Cookie{
		Name: csrfCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure(c),
		MaxAge: 365 * 24 * 3600,
	})
	return token
}

// renewCSRF replaces the browser's CSRF token when a session starts or
// ends: a token someone planted or read before (on a shared computer, from
// a sibling subdomain that can set cookies) does not carry over into the
// session. The request's later forms and answers carry the new one.
func (s *Server) renewCSRF(c *gin.Context) {
	st := stateOf(c)
	if st.bearer {
		return
	}
	// One cookie of the name in the answer: the token checkCSRF gave a
	// browser that had none goes.
	h := c.Writer.Header()
	h["Set-Cookie"] = slices.DeleteFunc(h["Set-Cookie"], func(v string) bool { return strings.HasPrefix(v, csrfCookie+"=") })
	st.csrf = s.setCSRFCookie(c)
}

// hasOurCookie reports whether r carries any faqwiki cookie (other sites on
// the same host may set cookies of their own; those don't matter here).
func hasOurCookie(r *http.Request) bool {
	for _, ck := range r.Cookies() {
		if strings.HasPrefix(ck.Name, "faqwiki_") {
			return true
		}
	}
	return false
}

// parseForm reads a form body (within the limit limitBodies set).
func parseForm(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(maxSmallBytes)
	}
	return r.ParseForm()
}

func isForm(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data")
}

func newToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics on failure)
	return base64.RawURLEncoding.EncodeToString(b)
}

func validToken(s string) bool {
	if len(s) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}
