package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// publicError is an error whose message is safe to show to the client. All
// other errors become a generic "internal" answer; their detail goes only
// to the log.
type publicError struct {
	status int
	code   string
	msg    string
}

func (e *publicError) Error() string { return e.msg }

var errInternal = errors.New("internal error")

func errBadRequestf(format string, args ...any) error {
	return &publicError{http.StatusBadRequest, "bad_request", fmt.Sprintf(format, args...)}
}

func errNotFoundf(format string, args ...any) error {
	return &publicError{http.StatusNotFound, "not_found", fmt.Sprintf(format, args...)}
}

func errForbiddenf(format string, args ...any) error {
	return &publicError{http.StatusForbidden, "forbidden", fmt.Sprintf(format, args...)}
}

// apiError is the contract's error shape: {"error": {"code", "message"}}.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// conflictBody is the 409 answer to an edit that overlaps another.
type conflictBody struct {
	Error   apiErrorBody    `json:"error"`
	Current conflictCurrent `json:"current"`
	Yours   string          `json:"yours"`
}

// conflictListBody is conflictBody for the synonym list.
type conflictListBody struct {
	Error   apiErrorBody        `json:"error"`
	Current conflictCurrentList `json:"current"`
	Yours   string              `json:"yours"`
}

type conflictCurrent struct {
	Revision int    `json:"revision"`
	Title    string `json:"title"`
	Markdown string `json:"markdown"`
	Author   string `json:"author"`
}

// conflictCurrentList is conflictCurrent for the synonym list, which has
// a text, not Markdown and a title.
type conflictCurrentList struct {
	Revision int    `json:"revision"`
	Text     string `json:"text"`
	Author   string `json:"author"`
}

// classify maps an error to a status, a code and a message safe to show.
// It is the one place that decides what clients learn about an error.
func classify(err error) (status int, body apiErrorBody) {
	var pe *publicError
	var ve *wiki.ValidationError
	var mbe *http.MaxBytesError
	var te *wiki.TakenError
	var uce *wiki.UndoConflictError
	switch {
	case errors.As(err, &pe):
		return pe.status, apiErrorBody{Code: pe.code, Message: pe.msg}
	case errors.As(err, &ve):
		return http.StatusBadRequest, apiErrorBody{Code: "bad_request", Message: ve.Error(), Fields: ve.Fields}
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, apiErrorBody{Code: "too_large",
			Message: fmt.Sprintf("the request is too large: this request may send at most %d KiB", mbe.Limit>>10)}
	case errors.Is(err, wiki.ErrFileTooLarge):
		return http.StatusRequestEntityTooLarge, apiErrorBody{Code: "too_large",
			Message: fmt.Sprintf("the file is too large: a file may have %d MiB, a page's files %d MiB together, a page %d files",
				wiki.MaxAttachmentBytes>>20, wiki.MaxPageAttachmentBytes>>20, wiki.MaxAttachments)}
	case errors.Is(err, wiki.ErrTooLarge):
		return http.StatusRequestEntityTooLarge, apiErrorBody{Code: "too_large",
			Message: fmt.Sprintf("the request is too large: page text is limited to %d MiB", wiki.MaxMarkdownBytes>>20)}
	case errors.Is(err, wiki.ErrStorage):
		return http.StatusInsufficientStorage, apiErrorBody{Code: "storage_failed",
			Message: "the server could not write your change to its disk (it may be full); nothing was saved, and everything saved before is safe. Keep your text and try again later"}
	case errors.Is(err, wiki.ErrBusy):
		return http.StatusServiceUnavailable, apiErrorBody{Code: "busy", Message: "the server is busy; try again in a moment"}
	case errors.Is(err, wiki.ErrTooComplex):
		return http.StatusUnprocessableEntity, apiErrorBody{Code: "too_complex", Message: "this text takes too long to preview; save it, or simplify deeply nested or unbalanced markup"}
	case errors.Is(err, wiki.ErrNotFound):
		return http.StatusNotFound, apiErrorBody{Code: "not_found", Message: notFoundMsg}
	case errors.As(err, &uce):
		return http.StatusConflict, apiErrorBody{Code: "conflict", Message: fmt.Sprintf("changes saved after revision %d overlap what it changed, so it cannot be undone on its own; nothing was saved. Open an older revision to restore it, or edit the page", uce.Revision)}
	case errors.As(err, &te):
		return http.StatusConflict, apiErrorBody{Code: "conflict", Message: "that " + te.What + " is taken; choose another (nothing was saved)"}
	case errors.Is(err, wiki.ErrConflict):
		what := "the page"
		if ce := (*wiki.ConflictError)(nil); errors.As(err, &ce) && ce.Of != "" {
			what = ce.Of
		}
		return http.StatusConflict, apiErrorBody{Code: "conflict", Message: what + " changed since your base revision in a way that overlaps your edit; nothing was saved"}
	case errors.Is(err, wiki.ErrRateLimited):
		wait := "a few minutes"
		var rle *wiki.RateLimitError
		if errors.As(err, &rle) {
			wait = waitWords(rle.RetryAfter)
		}
		return http.StatusTooManyRequests, apiErrorBody{Code: "rate_limited", Message: "too many failed attempts; try again in " + wait}
	case errors.Is(err, wiki.ErrBadLogin):
		return http.StatusUnauthorized, apiErrorBody{Code: "unauthorized", Message: "wrong username or password"}
	case errors.Is(err, wiki.ErrUnauthorized):
		return http.StatusUnauthorized, apiErrorBody{Code: "unauthorized", Message: "please sign in"}
	case errors.Is(err, wiki.ErrForbidden):
		return http.StatusForbidden, apiErrorBody{Code: "forbidden", Message: "you may not do this"}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, apiErrorBody{Code: "unavailable", Message: "the request was cancelled or took too long"}
	default:
		return http.StatusInternalServerError, apiErrorBody{Code: "internal", Message: "something went wrong on our side; it has been logged"}
	}
}

// fail answers a request with err: JSON for the API, an error page for
// people. Server-side errors are logged here, once.
func (s *Server) fail(c *gin.Context, err error) {
	status, body := classify(err)
	if body.Message == notFoundMsg {
		body.Message = notFoundIn(c.Request.URL.Path)
	}
	setRetryAfter(c, err)
	switch {
	case clientLeft(c, err):
		// The client hung up (or its body stopped coming): nothing went
		// wrong here, and nobody reads the answer.
		s.log.Info("request abandoned by the client", "method", c.Request.Method, "route", routeLabel(c), "path", logPath(c), "request_id", reqID(c))
	case status >= 500:
		s.log.Error("request failed", "method", c.Request.Method, "route", routeLabel(c), "path", logPath(c), "request_id", reqID(c), "err", err)
	}
	if isAPI(c) {
		var ce *wiki.ConflictError
		if errors.As(err, &ce) {
			if ce.Of != "" { // not a page: the synonym list
				c.JSON(status, conflictListBody{Error: body, Current: conflictCurrentList{Revision: ce.Current.Number, Text: ce.Current.Markdown, Author: ce.Current.Author}, Yours: ce.Yours})
				return
			}
			c.JSON(status, conflictBody{Error: body, Current: conflictCurrent{Revision: ce.Current.Number, Title: ce.Current.Title, Markdown: ce.Current.Markdown, Author: ce.Current.Author}, Yours: ce.Yours})
			return
		}
		c.JSON(status, apiError{Error: body})
		return
	}
	s.render(c, status, "error.html", &errorPage{BasePage: s.base(c, "Error"), Status: status, Message: body.Message, Fields: body.Fields, RequestID: reqID(c),
		Back: cameFrom(c)})
}

// cameFrom is the page of this wiki a form was sent from (its Referer's
// path and query), for a way back from the error a form got; "" for a
// request that is no form's, or from elsewhere.
func cameFrom(c *gin.Context) string {
	if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
		return ""
	}
	ref, err := url.Parse(c.Request.Referer())
	if err != nil || ref.Host != c.Request.Host || !strings.HasPrefix(ref.Path, "/") || strings.HasPrefix(ref.Path, "//") {
		return ""
	}
	back := ref.EscapedPath()
	if ref.RawQuery != "" {
		back += "?" + ref.RawQuery
	}
	return back
}

// notFoundMsg is the message of a wiki.ErrNotFound; notFoundIn names
// what is missing by where it was asked for.
const notFoundMsg = "no such page or revision"

// notFoundIn says what a path names that does not exist: a person, a
// cohort, a question, a gap, a section or a file; else a page or revision.
func notFoundIn(path string) string {
	for _, w := range []struct{ prefix, msg string }{
		{prefixPeople, "no such person"}, {"/api/v1/users/", "no such person"},
		{prefixCohorts + "/", "no such cohort"}, {"/api/v1/cohorts/", "no such cohort"},
		{"/questions/", "no such question"}, {"/api/v1/questions/", "no such question"},
		{"/gaps/", "no such search gap"}, {"/api/v1/gaps/", "no such search gap"},
		{wiki.FilesPath, "no such file"},
	} {
		if strings.HasPrefix(path, w.prefix) {
			return w.msg
		}
	}
	if strings.HasPrefix(path, "/api/v1/pages/") {
		switch {
		case strings.Contains(path, "/sections/"):
			return "no such page, or no such question on it with an answer of its own"
		case strings.Contains(path, "/attachments/"):
			return "no such page, or no such file on it"
		}
	}
	return notFoundMsg
}

// setRetryAfter tells a client refused for a while (a *RateLimitError)
// when to try again, in whole seconds.
func setRetryAfter(c *gin.Context, err error) {
	var rle *wiki.RateLimitError
	if errors.As(err, &rle) {
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(rle.RetryAfter.Seconds()))))
	}
}

// waitWords says a wait in whole minutes, or seconds under one.
func waitWords(d time.Duration) string {
	switch s := int(math.Ceil(d.Seconds())); {
	case s <= 1:
		return "a second"
	case s < 60:
		return strconv.Itoa(s) + " seconds"
	case s <= 60:
		return "a minute"
	default:
		return strconv.Itoa((s+59)/60) + " minutes"
	}
}

// clientLeft reports whether err is the request's own end: its client
// hung up (or the server is shutting down), which cancels the request's
// context; the server's own time limits are deadlines of child contexts.
func clientLeft(c *gin.Context, err error) bool {
	return errors.Is(err, context.Canceled) && clientGone(c)
}

// clientGone reports whether the request's context has ended (see
// clientLeft).
func clientGone(c *gin.Context) bool { return c.Request.Context().Err() != nil }

func isAPI(c *gin.Context) bool {
	p := c.Request.URL.Path
	return len(p) >= 8 && p[:8] == "/api/v1/" || p == "/api/v1" || p == "/healthz" || p == "/metrics"
}

func (s *Server) handleNoRoute(c *gin.Context) {
	s.fail(c, errNotFoundf("there is nothing at %s", c.Request.URL.Path))
}

func (s *Server) handleNoMethod(c *gin.Context) {
	// gin's Allow lists the routes' methods; a GET route answers HEAD too
	// (ServeHTTP), and the list of pages only GET.
	h := c.Writer.Header()
	allow := h.Get("Allow")
	if c.FullPath() == prefixAPI+"/pages" {
		allow = http.MethodGet
	}
	if strings.Contains(allow, http.MethodGet) && !strings.Contains(allow, http.MethodHead) {
		allow += ", " + http.MethodHead
	}
	if allow != "" {
		h.Set("Allow", allow)
	}
	s.fail(c, &publicError{http.StatusMethodNotAllowed, "method_not_allowed", c.Request.Method + " is not allowed here"})
}

// errorPage is the data of error.html.
type errorPage struct {
	BasePage
	Status    int
	Message   string
	Fields    map[string]string
	RequestID string // to quote when reporting the problem
	Back      string // the page the failed form was sent from (cameFrom), or ""
	// Also is a page that has what was asked for, or near it (a missing
	// revision's page history), with its link text.
	Also, AlsoText string
}

// fieldLabels are how the forms name the fields that validation errors
// name by their API key: an error page says "Address", not "slug".
var fieldLabels = map[string]string{
	"slug": "Address", "slugs": "Addresses", "markdown": "Text", "base_revision": "Revision",
	"display_name": "Name", "old_password": "Current password", "duplicate_of": "Duplicate of",
	"into": "Merge into", "url": "Link", "anchor": "Section", "starts_on": "Start date",
	"trainer_of": "Trainer of", "invite_code": "Invite code", "disabled": "Account",
	"helpful": "Answer", "terms": "Words", "note": "Note",
}

// fieldLabel is field's name on a form: its label, or the key in words
// ("cohort" is "Cohort").
func fieldLabel(field string) string {
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	l := strings.ReplaceAll(field, "_", " ")
	if l == "" {
		return l
	}
	return strings.ToUpper(l[:1]) + l[1:]
}
