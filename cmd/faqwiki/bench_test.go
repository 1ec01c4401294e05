package main

import (
	"bytes"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/cmd/faqwiki/internal/bench"
)

// TestBenchSuitePrintsEachFigureNextToItsCeiling runs the performance
// suite on a tiny corpus with short mixes: every phase that has a ceiling
// prints it measured in the same run and the figure's ratio to it, and
// the storage phase says what its edits added to the file.
func TestBenchSuitePrintsEachFigureNextToItsCeiling(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and three ceilings")
	}
	t.Setenv("FAQWIKI_TEST_MAIN", "1") // the children are this test binary's main
	var out bytes.Buffer
	cfg := bench.Config{Exe: os.Args[0], Dir: t.TempDir(), Pages: 30, ServerCPU: -1, ClientCPU: -1,
		Port: freePortPair(t), Conc: 2, Editors: 4, N: 40, D: 2 * time.Second,
		Phases: "load,storage,view,search,edit", Out: &out}
	if err := bench.Run(t.Context(), cfg); err != nil {
		t.Fatalf("bench: %v\n%s", err, out.String())
	}
	got := out.String()
	if !regexp.MustCompile(`(?m)^loaded 30 pages .* through the API`).MatchString(got) {
		t.Errorf("no line says the corpus was loaded:\n%s", got)
	}
	i := strings.Index(got, "summary (30 pages)")
	if i < 0 {
		t.Fatalf("no summary:\n%s", got)
	}
	summary := got[i:]
	// The edits of the storage phase add revisions: the pages counted in
	// the backup copies must have grown.
	if m := regexp.MustCompile(`pages held by the data grew (-?\d+) bytes per edit`).FindStringSubmatch(summary); m == nil || m[1] == "0" || strings.HasPrefix(m[1], "-") {
		t.Errorf("the storage row does not say the data grew: %q", m)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`pages held by the data grew \d+ bytes per edit; bytes in use \(file less free list\) -?\d+`),
		regexp.MustCompile(`(?m)^view of a cached page .*\n +ratio \d\.\d\d +\(bare gin, same bytes: \d+/s\)`),
		regexp.MustCompile(`(?m)^  \(ceiling\) bare gin handler, same bytes +\d+ `),
		regexp.MustCompile(`ratio \d+\.\d\d +\(raw bleve match query: p50 `),
		regexp.MustCompile(`(?m)^4 editors, each on a page of their own .*\n +ratio \d\.\d\d +\(raw bbolt Batch, 4 writers: \d+/s\)`),
		regexp.MustCompile(`searchable after: p50 `),
		// The edits held by the server's commit transactions, and their
		// times, from its /metrics.
		regexp.MustCompile(`(?m)^ +its transactions: [1-9]\d*, \d+\.\d commits and [1-9]\d* page writes each; writing to the disk p50 `),
		regexp.MustCompile(`(?m)^ +commit transactions: [1-9]\d*, \d+\.\d saves and [1-9]\d* page writes each; each took p50 [0-9.]+[mµ]?s p99 [0-9.]+[mµ]?s p999 [0-9.]+[mµ]?s, of which writing to the disk p50 `),
	} {
		if !want.MatchString(summary) {
			t.Errorf("the summary lacks %q:\n%s", want, summary)
		}
	}
	// The editors of one page edit the revision they know, so the server
	// merges their saves and refuses none.
	if row := regexp.MustCompile(`(?m)^4 editors on one page \(merged\) .*$`).FindString(summary); row == "" || strings.Contains(row, "errors") {
		t.Errorf("the one-page row is missing or has errors: %q", row)
	}
}

// freePortPair returns a port p on loopback such that p and p+1 were both
// free a moment ago (the suite's server and its ceilings).
func freePortPair(t *testing.T) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := l.Addr().(*net.TCPAddr).Port
		l2, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p+1)))
		l.Close()
		if err == nil {
			l2.Close()
			return p
		}
	}
	t.Fatal("no two free ports side by side")
	return 0
}
