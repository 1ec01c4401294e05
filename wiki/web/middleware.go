package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// Context keys set by the middleware.
const (
	csrfKey = "faqwiki.csrf"
)

// Names of the cookies faqwiki sets.
const (
	csrfCookie  = "faqwiki_csrf"
	flashCookie = "faqwiki_flash"
)

// logRequests logs one line per request: method, path, status, duration,
// user. Errors (>= 500) are logged at Error level, client errors at Warn.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	status := c.Writer.Status()
	level := slog.LevelInfo
	switch {
	case status >= 500:
		level = slog.LevelError
	case status >= 400:
		level = slog.LevelWarn
	}
	s.log.LogAttrs(c.Request.Context(), level, "request",
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(start)),
		slog.String("user", wiki.UserFromContext(c.Request.Context()).Name),
	)
}

// recoverPanics turns a panic in a handler into a clean 500 and logs the
// stack; the client never sees it.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic serving request", "path", c.Request.URL.Path, "panic", v, "stack", string(debug.Stack()))
			if !c.Writer.Written() {
				s.fail(c, errInternal)
			}
			c.Abort()
		}
	}()
	c.Next()
}

// securityHeaders sets a strict Content-Security-Policy (no inline script
// or style anywhere, so rendered Markdown cannot run a script even if
// something slipped through) and the usual hardening headers.
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	c.Next()
}

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
// gets the cookie so that its forms can carry the token.
func (s *Server) checkCSRF(c *gin.Context) {
	token := ""
	if ck, err := c.Request.Cookie(csrfCookie); err == nil && validToken(ck.Value) {
		token = ck.Value
	}
	hadCookie := token != ""
	if !hadCookie {
		token = newToken()
		http.SetCookie(c.Writer, &http.Cookie{
			Name: csrfCookie, Value: token, Path: "/", HttpOnly: true,
			SameSite: http.SameSiteLaxMode, Secure: s.secure(c),
			MaxAge: 365 * 24 * 3600,
		})
	}
	c.Set(csrfKey, token)

	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	if c.GetBool(bearerKey) {
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

// Body limits. Markdown is capped by wiki.MaxMarkdownBytes; JSON escaping
// and form URL-encoding can make the body larger than the text, so the
// transport limits leave room and the domain enforces the exact limit.
// Every other request body is small.
const (
	maxJSONBytes  = 2*wiki.MaxMarkdownBytes + 64<<10
	maxFormBytes  = 3*wiki.MaxMarkdownBytes + 64<<10
	maxSmallBytes = 64 << 10
)

// bodyLimitFor is the most a request to method and path may send: page
// text for the routes that save or preview a page, a small form or JSON
// object for everything else.
func bodyLimitFor(method, path string) int64 {
	switch {
	case method == http.MethodPut && strings.HasPrefix(path, "/api/v1/pages/"):
		return maxJSONBytes
	case method == http.MethodPost && (strings.HasPrefix(path, "/edit/") || path == "/new" || path == "/preview"):
		return maxFormBytes
	}
	return maxSmallBytes
}

// limitBodies caps every request body, in one place and before anything
// reads it (the CSRF check reads forms). Reading past the cap fails with
// *http.MaxBytesError, which fail maps to 413.
func (s *Server) limitBodies(c *gin.Context) {
	if c.Request.Body != nil && c.Request.Body != http.NoBody {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, bodyLimitFor(c.Request.Method, c.Request.URL.Path))
	}
	c.Next()
}

// setFlash leaves a one-time message for the next page the browser shows.
func (s *Server) setFlash(c *gin.Context, msg string) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(msg)), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(c), MaxAge: 60,
	})
}

// takeFlash returns the pending flash message, if any, and clears it.
func takeFlash(c *gin.Context, secure bool) string {
	ck, err := c.Request.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure})
	b, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil || len(b) > 500 {
		return ""
	}
	return string(b)
}
