package web

import (
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

// Body limits. Markdown is capped by wiki.MaxMarkdownBytes; JSON escaping
// and form URL-encoding can make the body larger than the text, so the
// transport limits leave room and the domain enforces the exact limit.
// Every other request body is small.
const (
	maxJSONBytes  = 2*wiki.MaxMarkdownBytes + 64<<10
	maxFormBytes  = 3*wiki.MaxMarkdownBytes + 64<<10
	maxSmallBytes = 64 << 10
	// Uploads: one file through the API; the edit form may bring a page's
	// worth of files with its text.
	maxUploadBytes   = wiki.MaxAttachmentBytes + 1<<20
	maxEditFormBytes = maxFormBytes + wiki.MaxPageAttachmentBytes + 1<<20
)

// bodyLimitFor is the most a request to method and path may send: page
// text for the routes that save or preview a page, a small form or JSON
// object for everything else.
func bodyLimitFor(method, path string) int64 {
	switch {
	case method == http.MethodPut && strings.HasPrefix(path, "/api/v1/pages/"):
		return maxJSONBytes
	case method == http.MethodPost && strings.HasPrefix(path, "/api/v1/pages/") && strings.HasSuffix(path, "/attachments"):
		return maxUploadBytes
	case method == http.MethodPost && (strings.HasPrefix(path, "/edit/") || path == "/new"):
		return maxEditFormBytes
	case method == http.MethodPost && path == "/preview":
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
