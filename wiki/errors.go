package wiki

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// The closed set of error kinds the domain reports. Stores and indexes wrap
// them with %w and context; callers test them with errors.Is.
var (
	// ErrNotFound means the page, revision or other record does not exist.
	ErrNotFound = errors.New("wiki: not found")
	// ErrConflict means the page moved on since the revision an edit was
	// based on (store level), or that an edit overlaps another (domain level,
	// see *ConflictError).
	ErrConflict = errors.New("wiki: conflict")
	// ErrForbidden means the current user may not do this.
	ErrForbidden = errors.New("wiki: forbidden")
	// ErrUnauthorized means the request needs a signed-in user.
	ErrUnauthorized = errors.New("wiki: unauthorized")
	// ErrTooLarge means a text is over its size limit.
	ErrTooLarge = errors.New("wiki: too large")
	// ErrBusy means the server is doing too much of this already; try again.
	ErrBusy = errors.New("wiki: busy")
	// ErrTooComplex means a text takes too long to render for a preview.
	ErrTooComplex = errors.New("wiki: too complex")
	// ErrFileTooLarge means a file, or a page's files together, are over
	// their size limit. It is an ErrTooLarge.
	ErrFileTooLarge = fmt.Errorf("wiki: file too large: %w", ErrTooLarge)
	// ErrStorage means the store could not write a change to disk (the
	// disk is full, or failing). Nothing of the change was stored; reads
	// go on working, and the same change can be tried again later.
	ErrStorage = errors.New("wiki: the change could not be written to disk")
)

// ValidationError reports what is wrong with a client's input, field by
// field. Its messages are safe to show to the user.
type ValidationError struct {
	Fields map[string]string // field name -> what is wrong with it
}

// Invalid returns a ValidationError for one field.
func Invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Fields: map[string]string{field: fmt.Sprintf(format, args...)}}
}

// Add records a problem with field and returns e for chaining.
func (e *ValidationError) Add(field, format string, args ...any) *ValidationError {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	e.Fields[field] = fmt.Sprintf(format, args...)
	return e
}

// Error lists the problems in a stable order.
func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+e.Fields[k])
	}
	return strings.Join(parts, "; ")
}

// orNil returns nil when there is nothing to report, so a *ValidationError
// never becomes a non-nil error holding a nil pointer.
func (e *ValidationError) orNil() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

// ConflictError is returned by an edit that overlaps a change someone else
// saved after the editor's base revision. Nothing was saved; it carries both
// texts so the client can show them side by side and keep the user's work.
type ConflictError struct {
	Current *Revision // the head of the page now
	Yours   string    // the text the user tried to save
	// Title: the user and the head changed the title, each to another one.
	Title bool
	// Merged is, when only the title conflicts, the user's text merged
	// with the head's (which saving again should keep); "" otherwise.
	Merged string
	// Of names what changed, for messages: "" for a page, "the synonym
	// list" for that.
	Of string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("wiki: edit conflicts with revision %d", e.Current.Number)
}

// Unwrap makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// TakenError says a name that must be unique is taken: a username, a
// cohort's name, an invite code. errors.Is(err, ErrConflict) is true.
type TakenError struct {
	What string // what is taken, in words safe to show: "username"
}

func (e *TakenError) Error() string { return e.What + " is taken" }

// Unwrap makes errors.Is(err, ErrConflict) true.
func (e *TakenError) Unwrap() error { return ErrConflict }

// Errors of signing in. Both map to statuses in the web layer; neither says
// whether the account exists.
var (
	// ErrBadLogin means the username or password is wrong, or the account
	// is disabled: deliberately one error for all three.
	ErrBadLogin = fmt.Errorf("wrong username or password: %w", ErrUnauthorized)
	// ErrRateLimited means too many failed sign-ins; try again later. The
	// error returned is a *RateLimitError, which says when.
	ErrRateLimited = errors.New("wiki: too many attempts")
)

// RateLimitError is ErrRateLimited with the time until an attempt may be
// made again (the oldest failure that counts leaves the window).
type RateLimitError struct{ RetryAfter time.Duration }

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%v; try again in %v", ErrRateLimited, e.RetryAfter.Round(time.Second))
}

func (e *RateLimitError) Unwrap() error { return ErrRateLimited }
