package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/wiki/web"
)

// fileLogger returns a log file in a temporary folder and the text logger
// of level that newLogger makes for it, with its flush.
func fileLogger(t *testing.T, level string) (*os.File, *slog.Logger, func()) {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	log, flush, err := newLogger(f, "text", level)
	if err != nil {
		t.Fatal(err)
	}
	return f, log, flush
}

// TestLogWriter: lines to a file wait to be written together, but a
// warning goes out at once with every line before it, and so does
// everything when the command ends.
func TestLogWriter(t *testing.T) {
	f, log, flush := fileLogger(t, "info")
	read := func() string {
		b, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	log.Info("request", "n", 1)
	log.Info("request", "n", 2)
	log.Warn("careful", "n", 3)
	if got := read(); strings.Count(got, "\n") != 3 || !strings.Contains(got, "n=1") || !strings.Contains(got, "careful") {
		t.Errorf("after a warning the file holds:\n%s", got)
	}
	for i := range 10 {
		log.Info("request", "n", 10+i)
	}
	flush()
	if got := read(); strings.Count(got, "\n") != 13 || !strings.Contains(got, "n=19") {
		t.Errorf("after the end the file holds:\n%s", got)
	}

	// A buffer (tests) gets each line at once.
	var buf bytes.Buffer
	log, _, _ = newLogger(&buf, "json", "info")
	log.Info("request")
	if !strings.Contains(buf.String(), `"msg":"request"`) {
		t.Errorf("a buffer got %q", buf.String())
	}
}

// TestTextRecordAsSlog: the lines the log formats itself are those of
// slog's text handler, byte for byte, whatever the strings hold; records
// it cannot format are left to slog.
func TestTextRecordAsSlog(t *testing.T) {
	strs := []string{"", "plain", "/wiki/it/vpn", "with space", "a=b", `say "hi"`, `back\slash`, "tab\there", "new\nline",
		"\x7f", "\x01", "é", "日本語", "\u00a0nbsp", "\u200bzero", "\u2028", "bad\xffutf8", "µs", "…", "/wiki/*slug", "-", "x\u0301"}
	when := []time.Time{{}, time.Date(2026, 12, 1, 9, 49, 18, 757_999_999, time.UTC), time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 5*3600+1800)),
		time.Date(2026, 1, 2, 3, 4, 5, 1_000_000, time.Local)}
	levels := []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError, slog.LevelInfo + 2}
	n := 0
	for i, msg := range strs {
		for j, s := range strs {
			r := slog.NewRecord(when[(i+j)%len(when)], levels[(i*3+j)%len(levels)], msg, 0)
			r.AddAttrs(slog.String("method", "GET"), slog.String(strs[(i+j+1)%len(strs)]+"k", s), slog.Int("status", 200-i*j),
				slog.Uint64("seq", uint64(i*j)), slog.Duration("duration", time.Duration(i*j*j*12345)), slog.Bool("ok", i%2 == 0))
			var want bytes.Buffer
			if err := slog.NewTextHandler(&want, nil).Handle(t.Context(), r); err != nil {
				t.Fatal(err)
			}
			got, ok := appendTextRecord(nil, r)
			if !ok || string(got) != want.String() {
				t.Errorf("formatted %v:\n%q\nslog:\n%q", ok, got, want.String())
			}
			n++
		}
	}
	for _, a := range []slog.Attr{slog.Float64("f", 1.5), slog.Any("err", os.ErrNotExist), slog.Group("g", "a", 1), slog.Time("t", time.Now()), {}} {
		r := slog.NewRecord(time.Now(), slog.LevelInfo, "m", 0)
		r.AddAttrs(slog.String("a", "b"), a)
		if got, ok := appendTextRecord(nil, r); ok {
			t.Errorf("a record with %v was formatted, not left to slog: %q", a, got)
		}
	}
	if n < 400 {
		t.Fatalf("only %d records compared", n)
	}
}

// TestRequestLineAsSlog: the line of a request that the log writes
// itself (web.RequestLogger) is the line slog's text handler writes for
// its record, byte for byte, whatever its strings hold; and a handler with
// attributes added or in JSON leaves it to slog.
func TestRequestLineAsSlog(t *testing.T) {
	strs := []string{"", "plain", "/wiki/it/vpn", "with space", "a=b", `say "hi"`, "tab\there", "new\nline", "\x01", "é",
		"\u00a0nbsp", "bad\xffutf8", "…", "/wiki/*slug", "-"}
	when := []time.Time{{}, time.Date(2026, 12, 1, 9, 49, 18, 757_999_999, time.UTC), time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 5*3600+1800))}
	levels := []slog.Level{slog.LevelInfo, slog.LevelWarn, slog.LevelError}
	f, log, flush := fileLogger(t, "debug")
	rl, ok := log.Handler().(web.RequestLogger)
	if !ok {
		t.Fatalf("the log file's handler %T writes no request lines itself", log.Handler())
	}
	var want bytes.Buffer
	ref := slog.NewTextHandler(&want, nil)
	n := 0
	for i, s := range strs {
		for j, u := range strs {
			l := &web.RequestLine{Time: when[(i+j)%len(when)], Level: levels[(i*2+j)%len(levels)], Method: strs[(i+1)%len(strs)], Route: s, Path: u,
				Status: 200 + i - j, Bytes: i * j * 997, Duration: time.Duration(i*j*j*12345 + j), User: strs[(i+j)%len(strs)], ID: strs[(j+2)%len(strs)]}
			if err := rl.LogRequest(t.Context(), l); err != nil {
				t.Fatal(err)
			}
			if err := ref.Handle(t.Context(), l.Record()); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	flush()
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	gotLines, wantLines := strings.SplitAfter(string(got), "\n"), strings.SplitAfter(want.String(), "\n")
	if len(gotLines) != n+1 || len(wantLines) != n+1 {
		t.Fatalf("%d lines written, slog wrote %d; want %d", len(gotLines)-1, len(wantLines)-1, n)
	}
	for i := range gotLines {
		if gotLines[i] != wantLines[i] {
			t.Errorf("line %d:\n%q\nslog:\n%q", i, gotLines[i], wantLines[i])
		}
	}
	// With attributes added, the handler is slog's: its line has them.
	var buf bytes.Buffer
	with := flushingHandler{Handler: slog.NewTextHandler(&buf, nil), out: &logWriter{w: &buf}, text: true}.WithAttrs([]slog.Attr{slog.String("part", "web")})
	l := &web.RequestLine{Time: when[1], Level: slog.LevelWarn, Method: "GET", Route: "/", Path: "/", Status: 404, User: "ada", ID: "1"}
	if err := with.(web.RequestLogger).LogRequest(t.Context(), l); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "part=web") || !strings.Contains(buf.String(), "request_id=1") {
		t.Errorf("a handler with attributes wrote %q; want its attribute and the request's", buf.String())
	}
	// In JSON, the line is slog's JSON of its record.
	jf, err := os.Create(filepath.Join(t.TempDir(), "json"))
	if err != nil {
		t.Fatal(err)
	}
	defer jf.Close()
	jlog, jflush, err := newLogger(jf, "json", "info")
	if err != nil {
		t.Fatal(err)
	}
	if err := jlog.Handler().(web.RequestLogger).LogRequest(t.Context(), l); err != nil {
		t.Fatal(err)
	}
	jflush()
	var jwant bytes.Buffer
	_ = slog.NewJSONHandler(&jwant, nil).Handle(t.Context(), l.Record())
	if jgot, _ := os.ReadFile(jf.Name()); string(jgot) != jwant.String() {
		t.Errorf("the JSON log holds %q; slog writes %q", jgot, jwant.String())
	}
}

// TestLogFileLinesAsSlog: a log file gets the same lines as slog's text
// handler would write, through the fast path and around it.
func TestLogFileLinesAsSlog(t *testing.T) {
	f, log, flush := fileLogger(t, "debug")
	var want bytes.Buffer
	ref := slog.New(slog.NewTextHandler(&want, &slog.HandlerOptions{Level: slog.LevelDebug}))
	stamp := time.Date(2026, 12, 1, 9, 49, 18, 757_000_000, time.UTC)
	for _, l := range []*slog.Logger{log, ref} {
		for _, lv := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn} {
			r := slog.NewRecord(stamp, lv, "request", 0)
			r.AddAttrs(slog.String("path", "/wiki/a b"), slog.Int("status", 200), slog.Duration("duration", 1210*time.Microsecond))
			l.Handler().Handle(t.Context(), r)
		}
		r := slog.NewRecord(stamp, slog.LevelError, "failed", 0)
		r.AddAttrs(slog.Any("err", os.ErrNotExist))
		l.Handler().Handle(t.Context(), r)
		l.Handler().WithAttrs([]slog.Attr{slog.String("part", "index")}).Handle(t.Context(), r)
	}
	flush()
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want.String() || strings.Count(want.String(), "\n") != 5 {
		t.Errorf("the log file holds:\n%s\nslog writes:\n%s", got, want.String())
	}
}

// BenchmarkRequestLine: the one log line of every request, to a log file,
// as faqwiki writes it ("faqwiki") and as slog's text handler would
// ("slog").
func BenchmarkRequestLine(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "log"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	out, buffered := bufferedLogOutput(f)
	for _, bc := range []struct {
		name string
		h    slog.Handler
	}{
		{"faqwiki", flushingHandler{Handler: slog.NewTextHandler(out, nil), out: buffered, text: true}},
		{"slog", flushingHandler{Handler: slog.NewTextHandler(out, nil), out: buffered}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := slog.NewRecord(time.Now(), slog.LevelInfo, "request", 0)
				r.AddAttrs(slog.String("method", "GET"), slog.String("route", "/wiki/*slug"), slog.String("path", "/wiki/it/vpn"),
					slog.Int("status", 200), slog.Int("bytes", 5213), slog.Duration("duration", 1210*time.Microsecond),
					slog.String("user", "ada"), slog.String("request_id", "9f2c41d07a3be815"))
				_ = bc.h.Handle(b.Context(), r)
			}
		})
	}
	// As logRequests writes it: through web.RequestLogger.
	b.Run("line", func(b *testing.B) {
		h := flushingHandler{Handler: slog.NewTextHandler(out, nil), out: buffered, text: true}
		b.ReportAllocs()
		for b.Loop() {
			l := web.RequestLine{Time: time.Now(), Level: slog.LevelInfo, Method: "GET", Route: "/wiki/*slug", Path: "/wiki/it/vpn",
				Status: 200, Bytes: 5213, Duration: 1210 * time.Microsecond, User: "ada", ID: "9f2c41d07a3be815"}
			_ = h.LogRequest(b.Context(), &l)
		}
	})
}
