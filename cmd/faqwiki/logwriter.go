package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/faqwiki/faqwiki/wiki/web"
)

// Log lines to a file or a pipe (standard error, as a service manager
// reads it) are buffered and written out together: one system call per
// line was a tenth of what serving a cached page cost. A line of level
// Warn or more is written at once, with everything before it; the rest
// waits at most logFlushEvery, or until logBufferBytes gather, and
// everything is written when the command ends. A crash can lose the
// request lines of its last logFlushEvery, never a warning or an error.
// Other writers (tests give a buffer) get each line as it is made: they
// make no system call to save.
const (
	logFlushEvery  = 100 * time.Millisecond
	logBufferBytes = 64 << 10
)

// logWriter gathers lines for w.
type logWriter struct {
	mu    sync.Mutex
	w     io.Writer
	buf   []byte
	timer *time.Timer // set while lines wait
}

// bufferedLogOutput returns what a logger writing to w should write to,
// and a function that writes out what waits (nil when w is not buffered).
func bufferedLogOutput(w io.Writer) (io.Writer, *logWriter) {
	if _, ok := w.(*os.File); !ok {
		return w, nil
	}
	l := &logWriter{w: w}
	return l, l
}

func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	if len(l.buf) >= logBufferBytes {
		return len(p), l.flushLocked()
	}
	if l.timer == nil {
		l.timer = time.AfterFunc(logFlushEvery, func() { _ = l.Flush() })
	}
	return len(p), nil
}

// Flush writes out what waits.
func (l *logWriter) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.flushLocked()
}

func (l *logWriter) flushLocked() error {
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	if len(l.buf) == 0 {
		return nil
	}
	_, err := l.w.Write(l.buf)
	l.buf = l.buf[:0]
	return err
}

// flushingHandler writes out the waiting lines after every record of
// level Warn or more.
//
// With text set, it is the text handler with neither attributes nor
// groups added, and it formats the records that are flat and plain
// itself (appendTextRecord), as slog's would, byte for byte: that was a
// quarter of what serving a cached page cost (BenchmarkPageView).
type flushingHandler struct {
	slog.Handler
	out  *logWriter
	text bool
}

func (h flushingHandler) Handle(ctx context.Context, r slog.Record) error {
	var err error
	var line [512]byte
	if b, ok := h.appendText(line[:0], r); ok {
		_, err = h.out.Write(b)
	} else {
		err = h.Handler.Handle(ctx, r)
	}
	return h.flushAfter(r.Level, err)
}

// flushAfter writes out the waiting lines after one of level Warn or
// more, and returns the first error of the line's and the flush's.
func (h flushingHandler) flushAfter(level slog.Level, err error) error {
	if level >= slog.LevelWarn {
		if ferr := h.out.Flush(); err == nil {
			err = ferr
		}
	}
	return err
}

// LogRequest writes the one line of a request (web.RequestLogger), as
// Handle would write its record, without the record made.
func (h flushingHandler) LogRequest(ctx context.Context, l *web.RequestLine) error {
	if !h.text {
		return h.Handle(ctx, l.Record())
	}
	var line [512]byte
	_, err := h.out.Write(appendRequestLine(line[:0], l))
	return h.flushAfter(l.Level, err)
}

// appendRequestLine appends l as appendTextRecord would its Record.
func appendRequestLine(b []byte, l *web.RequestLine) []byte {
	b = appendTextHead(b, l.Time, l.Level, "request")
	b = append(b, " method="...)
	b = appendTextString(b, l.Method)
	b = append(b, " route="...)
	b = appendTextString(b, l.Route)
	b = append(b, " path="...)
	b = appendTextString(b, l.Path)
	b = append(b, " status="...)
	b = strconv.AppendInt(b, int64(l.Status), 10)
	b = append(b, " bytes="...)
	b = strconv.AppendInt(b, int64(l.Bytes), 10)
	b = append(b, " duration="...)
	b = append(b, l.Duration.String()...)
	b = append(b, " user="...)
	b = appendTextString(b, l.User)
	b = append(b, " request_id="...)
	b = appendTextString(b, l.ID)
	return append(b, '\n')
}

func (h flushingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return flushingHandler{Handler: h.Handler.WithAttrs(as), out: h.out}
}

func (h flushingHandler) WithGroup(name string) slog.Handler {
	return flushingHandler{Handler: h.Handler.WithGroup(name), out: h.out}
}

// appendText appends r as its text line, when h formats it itself.
func (h flushingHandler) appendText(b []byte, r slog.Record) ([]byte, bool) {
	if !h.text {
		return b, false
	}
	return appendTextRecord(b, r)
}

// appendTextRecord appends r as a line of slog's text handler (no
// source, no ReplaceAttr) would be, and reports whether it could: each
// attribute must have a key and a string, integer, duration or boolean
// value. Anything else is left to slog.
func appendTextRecord(b []byte, r slog.Record) ([]byte, bool) {
	plain := true
	r.Attrs(func(a slog.Attr) bool {
		switch a.Value.Kind() {
		case slog.KindString, slog.KindInt64, slog.KindUint64, slog.KindDuration, slog.KindBool:
			plain = a.Key != ""
		default:
			plain = false
		}
		return plain
	})
	if !plain {
		return b, false
	}
	b = appendTextHead(b, r.Time, r.Level, r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b = append(b, ' ')
		b = appendTextString(b, a.Key)
		b = append(b, '=')
		switch v := a.Value; v.Kind() {
		case slog.KindString:
			b = appendTextString(b, v.String())
		case slog.KindInt64:
			b = strconv.AppendInt(b, v.Int64(), 10)
		case slog.KindUint64:
			b = strconv.AppendUint(b, v.Uint64(), 10)
		case slog.KindDuration:
			b = append(b, v.Duration().String()...)
		case slog.KindBool:
			b = strconv.AppendBool(b, v.Bool())
		}
		return true
	})
	return append(b, '\n'), true
}

// appendTextHead appends the start of a text line: its time (none when
// zero), level and message.
func appendTextHead(b []byte, t time.Time, level slog.Level, msg string) []byte {
	if !t.IsZero() {
		b = append(b, "time="...)
		b = appendRFC3339Millis(b, t.Round(0))
		b = append(b, ' ')
	}
	b = append(b, "level="...)
	b = appendTextString(b, level.String())
	b = append(b, " msg="...)
	return appendTextString(b, msg)
}

// appendRFC3339Millis appends t as slog's text handler writes a time:
// RFC 3339 with exactly three digits of milliseconds, truncated.
func appendRFC3339Millis(b []byte, t time.Time) []byte {
	const prefix = len("2006-01-02T15:04:05.000")
	n := len(b)
	// RFC3339Nano drops trailing zeros: a tenth of a millisecond more
	// keeps four digits, of which the fourth is cut.
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefix], b[n+prefix+1:]...)
}

// appendTextString appends s as slog's text handler does: as it is, or
// quoted (strconv.Quote) when it is empty or holds a space, '=', '"', a
// control or unprintable character or broken UTF-8.
func appendTextString(b []byte, s string) []byte {
	if textNeedsQuoting(s) {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

// quotedASCII marks the ASCII characters that make slog's text handler
// quote a string: controls, space, '=' and '"'.
var quotedASCII = func() (q [utf8.RuneSelf]bool) {
	for c := range q {
		q[c] = c <= ' ' || c == '=' || c == '"'
	}
	return q
}()

func textNeedsQuoting(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if quotedASCII[c] {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}
