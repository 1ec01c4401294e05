package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLogWriter: lines to a file wait to be written together, but a
// warning goes out at once with every line before it, and so does
// everything when the command ends.
func TestLogWriter(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	log, flush, err := newLogger(f, "text", "info")
	if err != nil {
		t.Fatal(err)
	}
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
