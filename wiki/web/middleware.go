package web

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// requestState is what the middleware learns of a request that later
// handlers ask about. It lives in the request's context beside its user
// (identify puts it there): gin's keys would make a map for every
// request.
type requestState struct {
	bearer  bool   // authenticated with a bearer token
	metrics bool   // sent the metrics scraper's token
	csrf    string // the CSRF token the request's forms carry
}

type requestStateKey struct{}

// stateOf returns what the middleware learnt of c's request: nothing
// before identify has run.
func stateOf(c *gin.Context) *requestState {
	if st, ok := c.Request.Context().Value(requestStateKey{}).(*requestState); ok {
		return st
	}
	return &requestState{}
}

// withState returns ctx with user and st.
func withState(ctx context.Context, user *wiki.User, st requestState) context.Context {
	return &stateContext{Context: wiki.NewContextWithUser(ctx, user), st: st}
}

// stateContext is a request's context that holds its requestState: one
// allocation on every request for what context.WithValue and the state
// made two.
type stateContext struct {
	context.Context
	st requestState
}

func (c *stateContext) Value(key any) any {
	if _, ok := key.(requestStateKey); ok {
		return &c.st
	}
	return c.Context.Value(key)
}

// Names of the cookies faqwiki sets.
const (
	csrfCookie  = "faqwiki_csrf"
	flashCookie = "faqwiki_flash"
)

// logRequests gives every request an id and logs one line for it when it
// is done: method, route pattern, path, status, bytes, duration, user and
// request id. The id is also sent back in the X-Request-Id header and
// shown on error pages, so a person can quote it and an operator find the
// line. Errors (>= 500) are logged at Error level, client errors at Warn.
//
// Nothing secret is logged: no query string (search words, feed tokens),
// no header, cookie or body, and the value of a path parameter named
// token (setup and reset links) is replaced by "…".
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	if s.cfg.Writing != nil && !readOnly(c.Request.Method) {
		s.cfg.Writing()
	}
	id := s.requestID(c)
	// The id travels in the answer's header, where reqID finds it: a
	// gin key would make a map for every request.
	c.Writer.Header()[requestIDHeader] = []string{id}
	c.Next()
	status := c.Writer.Status()
	d := time.Since(start)
	route := routeLabel(c)
	if s.cfg.Observer != nil {
		s.cfg.Observer.ObserveRequest(route, c.Request.Method, status, d)
	}
	level := slog.LevelInfo
	switch {
	case status >= 500 && clientGone(c):
		// The client hung up before the answer (see clientLeft).
	case status >= 500:
		level = slog.LevelError
	case status >= 400:
		level = slog.LevelWarn
	}
	ctx := c.Request.Context()
	h := s.log.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	line := RequestLine{Time: start.Add(d), Level: level, Method: c.Request.Method, Route: route, Path: logPath(c),
		Status: status, Bytes: max(c.Writer.Size(), 0), Duration: d, User: wiki.UserFromContext(ctx).Name, ID: id}
	if rl, ok := h.(RequestLogger); ok {
		_ = rl.LogRequest(ctx, &line)
		return
	}
	_ = h.Handle(ctx, line.Record())
}

// RequestLine is the one log line of a request (logRequests).
type RequestLine struct {
	Time                time.Time
	Level               slog.Level
	Method, Route, Path string
	Status, Bytes       int
	Duration            time.Duration
	User, ID            string
}

// RequestLogger is a slog.Handler that can write a request's line itself,
// as it would the line's Record, without a record made and its attributes
// walked: that was a tenth of what serving a cached page cost.
type RequestLogger interface {
	slog.Handler
	LogRequest(context.Context, *RequestLine) error
}

// Record is l as a record of message "request", its attributes method,
// route, path, status, bytes, duration, user and request_id. It is made
// without the caller's program counter that Logger.LogAttrs looks up on
// every call: the line never shows its source.
func (l *RequestLine) Record() slog.Record {
	r := slog.NewRecord(l.Time, l.Level, "request", 0)
	r.AddAttrs(
		slog.String("method", l.Method),
		slog.String("route", l.Route),
		slog.String("path", l.Path),
		slog.Int("status", l.Status),
		slog.Int("bytes", l.Bytes),
		slog.Duration("duration", l.Duration),
		slog.String("user", l.User),
		slog.String("request_id", l.ID),
	)
	return r
}

// readOnly reports whether a request of method only reads (GET, HEAD,
// OPTIONS): it needs no CSRF token and sets no write going.
func readOnly(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	return false
}

// requestIDHeader is the answer's header that carries the request's id.
const requestIDHeader = "X-Request-Id"

// requestID returns the id of the request: the one a trusted proxy sent
// in X-Request-Id, if it is a plain token of at most 64 characters, so
// that its log lines and ours can be matched, else a new random one.
func (s *Server) requestID(c *gin.Context) string {
	if s.trustProxyHeaders(c) {
		if v := c.GetHeader("X-Request-Id"); plainID(v) {
			return v
		}
	}
	// An id tells requests apart; it is no secret, so the runtime's
	// generator does (crypto/rand is a system call).
	return strconv.FormatUint(rand.Uint64()|1<<63, 16)
}

// plainID reports whether v is 1..64 characters of A-Z a-z 0-9 . _ -.
func plainID(v string) bool {
	if len(v) == 0 || len(v) > 64 {
		return false
	}
	for i := 0; i < len(v); i++ {
		ch := v[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '_' || ch == '-') {
			return false
		}
	}
	return true
}

// reqID returns the id logRequests gave the request.
func reqID(c *gin.Context) string {
	if v := c.Writer.Header()[requestIDHeader]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// routeLabel is the route pattern that matched (such as /wiki/*slug), or
// "unmatched": few distinct values, fit for a metric label.
func routeLabel(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// logPath is the request's path with the value of any path parameter
// named token replaced by "…": secrets in links never reach the log.
func logPath(c *gin.Context) string {
	p := c.Request.URL.Path
	for _, prm := range c.Params {
		if prm.Key == "token" && prm.Value != "" {
			p = strings.Replace(p, prm.Value, "…", 1)
		}
	}
	return p
}

// recoverPanics turns a panic in a handler into a clean 500 and logs the
// stack; the client never sees it.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic serving request", "route", routeLabel(c), "path", logPath(c), "request_id", reqID(c), "panic", v, "stack", string(debug.Stack()))
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
	for _, kv := range hardening {
		h[kv.key] = kv.value
	}
	c.Next()
}

// hardening is what securityHeaders sets, keys already canonical and
// values made once: net/http copies them into each answer's own header,
// and a handler that adds to one gets a slice of its own (len == cap).
var hardening = []struct {
	key   string
	value []string
}{
	{"Content-Security-Policy", []string{"default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"}},
	{"X-Content-Type-Options", []string{"nosniff"}},
	{"Referrer-Policy", []string{"same-origin"}},
	{"X-Frame-Options", []string{"DENY"}},
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

// checkQuery refuses a query string that does not parse (a bad %
// escape, a ';'): net/url drops such a pair, so "limit=%zz" was read as
// no limit at all.
func (s *Server) checkQuery(c *gin.Context) {
	if q := c.Request.URL.RawQuery; q != "" {
		if _, err := url.ParseQuery(q); err != nil {
			s.fail(c, errBadRequestf("the query string is malformed: %v", err))
			c.Abort()
			return
		}
	}
	c.Next()
}

// limitBodies caps every request body, in one place and before anything
// reads it (the CSRF check reads forms). Reading past the cap fails with
// *http.MaxBytesError, which fail maps to 413.
//
// A body that says in advance (Content-Length) that it is over the limit
// is refused at once, unread, and the connection is closed after the
// answer so that the rest of it need not be read either.
func (s *Server) limitBodies(c *gin.Context) {
	if c.Request.Body != nil && c.Request.Body != http.NoBody {
		limit := bodyLimitFor(c.Request.Method, c.Request.URL.Path)
		if c.Request.ContentLength > limit {
			c.Header("Connection", "close")
			c.Request.Close = true
			s.fail(c, &http.MaxBytesError{Limit: limit})
			c.Abort()
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	}
	c.Next()
}
