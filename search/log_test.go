package search

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// testClock is a settable clock for the gap log.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// mustOpenLog opens a gap log in a temp folder with a test clock.
func mustOpenLog(tb testing.TB, path string, clock *testClock, opts LogOptions) *Log {
	tb.Helper()
	opts.Clock = clock.Now
	l, err := OpenLog(path, opts)
	if err != nil {
		tb.Fatalf("OpenLog: %v", err)
	}
	tb.Cleanup(func() { _ = l.Close() })
	return l
}

func mustGaps(tb testing.TB, l *Log, since time.Time) []wiki.Gap {
	tb.Helper()
	gaps, err := l.Gaps(context.Background(), since)
	if err != nil {
		tb.Fatalf("Gaps: %v", err)
	}
	return gaps
}

func gapSummary(gaps []wiki.Gap) string {
	s := ""
	for _, g := range gaps {
		s += fmt.Sprintf("%s=%d/%d ", g.Query, g.Count, g.Results)
	}
	return s
}

func TestLog_Gaps(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{now: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)}
	l := mustOpenLog(t, filepath.Join(t.TempDir(), "searchlog.db"), clock, LogOptions{})
	start := clock.Now()

	log := func(q string, results int, cohort string) {
		t.Helper()
		if err := l.LogSearch(ctx, wiki.SearchEvent{Query: q, Results: results, Cohort: cohort}); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Minute)
	}
	log("How do I get VPN?", 0, "2025-02")
	log("how do i get vpn", 0, "2025-02")
	log("  HOW do I get   VPN?! ", 0, "2025-03")
	log("parking", 4, "2025-03") // found pages, nobody opened one
	log("laptop", 3, "2025-03")  // found and opened: no gap
	log("", 0, "2025-03")        // ignored
	log(" ?? ", 0, "2025-03")    // ignored
	log("dental plan", 0, "")    // anonymous
	log("dental plan", 2, "")    // someone wrote the page meanwhile
	if err := l.LogOpen(ctx, wiki.OpenEvent{Query: "Laptop", Slug: "equipment", Anchor: "laptop"}); err != nil {
		t.Fatal(err)
	}

	gaps := mustGaps(t, l, start)
	if got, want := gapSummary(gaps), "how do i get vpn=3/0 dental plan=2/2 parking=1/4 "; got != want {
		t.Fatalf("gaps = %s, want %s", got, want)
	}
	vpn := gaps[0]
	if vpn.Cohorts["2025-02"] != 2 || vpn.Cohorts["2025-03"] != 1 || len(vpn.Cohorts) != 2 {
		t.Errorf("vpn cohorts = %v", vpn.Cohorts)
	}
	if want := start.Add(2 * time.Minute); !vpn.LastAt.Equal(want) {
		t.Errorf("vpn last at %v, want %v", vpn.LastAt, want)
	}
	if gaps[1].Cohorts[""] != 2 {
		t.Errorf("dental plan cohorts = %v", gaps[1].Cohorts)
	}

	// Opening a result of a gap takes it off the list.
	if err := l.LogOpen(ctx, wiki.OpenEvent{Query: "how do I get VPN", Slug: "it/vpn", Anchor: "how-do-i-get-vpn-access"}); err != nil {
		t.Fatal(err)
	}
	if got := gapSummary(mustGaps(t, l, start)); got != "dental plan=2/2 parking=1/4 " {
		t.Errorf("after an open: %s", got)
	}

	// since leaves out what came before it.
	clock.Add(48 * time.Hour)
	log("parking", 4, "2025-03")
	if got := gapSummary(mustGaps(t, l, clock.Now().Add(-time.Hour))); got != "parking=1/4 " {
		t.Errorf("since an hour ago: %s", got)
	}
	if got := gapSummary(mustGaps(t, l, start)); got != "parking=2/4 dental plan=2/2 " {
		t.Errorf("since the start: %s", got)
	}
}

func TestLog_PersistsAndAggregates(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "searchlog.db")
	clock := &testClock{now: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)}
	l, err := OpenLog(path, LogOptions{Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	for range 1000 {
		if err := l.LogSearch(ctx, wiki.SearchEvent{Query: "visa letter", Results: 0, Cohort: "c1"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.LogSearch(ctx, wiki.SearchEvent{Query: "x"}); !errors.Is(err, ErrClosed) {
		t.Errorf("LogSearch on a closed log: %v", err)
	}
	if _, err := l.Gaps(ctx, time.Time{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Gaps on a closed log: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	l = mustOpenLog(t, path, clock, LogOptions{})
	if got := gapSummary(mustGaps(t, l, time.Time{})); got != "visa letter=1000/0 " {
		t.Errorf("after reopening: %s", got)
	}
	// One record for a thousand searches.
	n := 0
	if err := l.db.View(func(tx *bbolt.Tx) error { n = tx.Bucket(bucketLogDays).Stats().KeyN; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d records, want 1", n)
	}
}

func TestLog_Bounded(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{now: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)}
	l := mustOpenLog(t, filepath.Join(t.TempDir(), "searchlog.db"), clock, LogOptions{MaxQueriesPerDay: 5, Retention: 10 * 24 * time.Hour})
	for i := range 8 {
		if err := l.LogSearch(ctx, wiki.SearchEvent{Query: fmt.Sprintf("query %d", i)}); err != nil {
			t.Fatal(err)
		}
		if err := l.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	// The day is full: a known query still counts, a new one does not.
	for _, q := range []string{"query 0", "query 9"} {
		if err := l.LogSearch(ctx, wiki.SearchEvent{Query: q}); err != nil {
			t.Fatal(err)
		}
	}
	gaps := mustGaps(t, l, time.Time{})
	if len(gaps) != 5 || gaps[0].Query != "query 0" || gaps[0].Count != 2 {
		t.Errorf("gaps = %s, want 5 queries with query 0 counted twice", gapSummary(gaps))
	}
	if l.Dropped() != 4 {
		t.Errorf("dropped %d, want 4", l.Dropped())
	}

	// The next day has room again; old days go after the retention period.
	clock.Add(24 * time.Hour)
	if err := l.LogSearch(ctx, wiki.SearchEvent{Query: "query 9"}); err != nil {
		t.Fatal(err)
	}
	if got := len(mustGaps(t, l, time.Time{})); got != 6 {
		t.Errorf("%d gaps the next day, want 6", got)
	}
	clock.Add(11 * 24 * time.Hour)
	if err := l.LogSearch(ctx, wiki.SearchEvent{Query: "fresh"}); err != nil {
		t.Fatal(err)
	}
	if got := gapSummary(mustGaps(t, l, time.Time{})); got != "fresh=1/0 " {
		t.Errorf("after the retention period: %s", got)
	}
}

func TestLog_Concurrent(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{now: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)}
	l := mustOpenLog(t, filepath.Join(t.TempDir(), "searchlog.db"), clock, LogOptions{FlushInterval: time.Millisecond})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 100 {
				if err := l.LogSearch(ctx, wiki.SearchEvent{Query: fmt.Sprintf("q%d", i%10), Cohort: fmt.Sprint(w)}); err != nil {
					t.Error(err)
					return
				}
				if i%25 == 0 {
					if _, err := l.Gaps(ctx, time.Time{}); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	total := 0
	for _, g := range mustGaps(t, l, time.Time{}) {
		total += g.Count
	}
	if total != 800 {
		t.Errorf("counted %d searches, want 800", total)
	}
}

func TestOpenLog_Locked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "searchlog.db")
	clock := &testClock{now: time.Now()}
	mustOpenLog(t, path, clock, LogOptions{})
	if _, err := OpenLog(path, LogOptions{Timeout: 50 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Errorf("second OpenLog = %v, want ErrLocked", err)
	}
}

func TestNormalizeQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  How do I get VPN?? ", "how do i get vpn"},
		{"vpn\x00\taccess\n", "vpn access"},
		{`"quoted"`, "quoted"},
		{"¿Dónde?", "¿dónde"},
		{"", ""},
		{"?!.", ""},
	}
	for _, tt := range tests {
		if got := wiki.NormalizeQuery(tt.in); got != tt.want {
			t.Errorf("NormalizeQuery(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	long := wiki.NormalizeQuery(strings.Repeat("a", wiki.MaxQueryBytes-1) + "é")
	if len(long) != wiki.MaxQueryBytes-1 {
		t.Errorf("%d bytes, want %d: cut before the 2-byte character", len(long), wiki.MaxQueryBytes-1)
	}
}
