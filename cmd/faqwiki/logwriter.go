package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"
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
type flushingHandler struct {
	slog.Handler
	out *logWriter
}

func (h flushingHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		if ferr := h.out.Flush(); err == nil {
			err = ferr
		}
	}
	return err
}

func (h flushingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return flushingHandler{h.Handler.WithAttrs(as), h.out}
}

func (h flushingHandler) WithGroup(name string) slog.Handler {
	return flushingHandler{h.Handler.WithGroup(name), h.out}
}
