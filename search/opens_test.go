package search

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
)

// TestMostOpened: opens count per section, aggregate, within the period
// asked, and survive a restart.
func TestMostOpened(t *testing.T) {
	path := filepath.Join(t.TempDir(), "searchlog.db")
	clock := &testClock{now: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	l, err := OpenLog(path, LogOptions{Clock: clock.Now, FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	open := func(q, slug, anchor, person string) {
		t.Helper()
		if err := l.LogOpen(ctx, wiki.OpenEvent{Query: q, Slug: wiki.Slug(slug), Anchor: anchor, Person: person}); err != nil {
			t.Fatal(err)
		}
	}
	// Forty days ago: outside "this month".
	clock.Add(-40 * 24 * time.Hour)
	open("old", "old", "", "x")
	clock.Add(40 * 24 * time.Hour)
	for i := 0; i < 3; i++ {
		open("vpn", "it/vpn", "who", fmt.Sprintf("p%d", i))
	}
	open("laptop", "laptop", "", "p1")
	open("vpn client", "it/vpn", "client", "")
	open("vpn client", "it/vpn", "client", "")
	open("", "ignored", "", "p1") // no query: not an open from a search
	since := clock.Now().AddDate(0, 0, -30)
	want := "it/vpn#who=3 it/vpn#client=2 laptop#=1 "
	summary := func(l *Log) string {
		got, err := l.MostOpened(ctx, since, 10)
		if err != nil {
			t.Fatal(err)
		}
		s := ""
		for _, o := range got {
			s += fmt.Sprintf("%s#%s=%d ", o.Slug, o.Anchor, o.Opens)
		}
		return s
	}
	if got := summary(l); got != want {
		t.Errorf("before a flush: %s, want %s", got, want)
	}
	if got, _ := l.MostOpened(ctx, since, 1); len(got) != 1 || got[0].Anchor != "who" {
		t.Errorf("limit 1: %+v", got)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l2 := mustOpenLog(t, path, clock, LogOptions{FlushInterval: time.Hour})
	if got := summary(l2); got != want {
		t.Errorf("after a restart: %s, want %s", got, want)
	}
	// Counted on: another open after the restart adds to the stored count.
	open2 := func() {
		if err := l2.LogOpen(ctx, wiki.OpenEvent{Query: "laptop", Slug: "laptop"}); err != nil {
			t.Fatal(err)
		}
	}
	open2()
	open2()
	if err := l2.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := summary(l2); got != "it/vpn#who=3 laptop#=3 it/vpn#client=2 " {
		t.Errorf("after more opens: %s", got)
	}
}
