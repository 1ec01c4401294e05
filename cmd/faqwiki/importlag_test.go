package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/search"
	"github.com/faqwiki/faqwiki/wiki"
)

// TestImportIndexFollowsTheSaves checks that an import's search index
// catches up once a catch-up's worth of pages or text is saved, and that
// savers wait for it when it falls twice as far behind, with a real store
// and index.
func TestImportIndexFollowsTheSaves(t *testing.T) {
	dir := t.TempDir()
	db, err := openStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := wiki.NewRenderer()
	log := slog.New(slog.DiscardHandler)
	ix, err := openIndex(dir, db, r, search.Options{Logger: log, BatchChanges: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	w := wiki.New(wiki.Config{Store: db, Renderer: r})
	ctx := wiki.NewContextWithUser(context.Background(), importUser)
	l := &importLag{ix: ix, log: log, every: 4, everyBytes: 1000}

	n := 0
	save := func(text string) {
		t.Helper()
		n++
		if _, err := w.Save(ctx, wiki.Edit{Slug: wiki.Slug(fmt.Sprintf("p/%d", n)), Title: fmt.Sprintf("Page %d", n), Markdown: text}); err != nil {
			t.Fatal(err)
		}
		l.saved(ctx, len(text))
	}
	behind := func() uint64 {
		t.Helper()
		lag, err := ix.Lag(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return lag
	}

	// The first catch-up (of a new index: a rebuild) comes with the 4th page.
	for range 3 {
		save("A short page.")
	}
	if got := behind(); got == 0 {
		t.Fatalf("after 3 pages the index is %d behind; want a catch-up only with the 4th", got)
	}
	save("A short page.")
	if got := behind(); got != 0 {
		t.Fatalf("after the 4th page the index is %d behind; want 0", got)
	}
	// A long page is a catch-up's worth of text by itself.
	save(strings.Repeat("A long page. ", 100))
	if got := behind(); got != 0 {
		t.Fatalf("after a page of a catch-up's worth of text the index is %d behind; want 0", got)
	}

	// While a catch-up runs (here: its lock is held), saves go on without
	// waiting until the index is twice a catch-up's worth behind.
	l.mu.Lock()
	for range 7 {
		save("A short page.")
	}
	waited := make(chan struct{})
	go func() { l.wait(ctx); close(waited) }()
	select {
	case <-waited:
	case <-time.After(10 * time.Second):
		t.Fatal("a saver 7 pages ahead of the index waited for it; want it to wait only at 8")
	}
	save("A short page.")
	waited = make(chan struct{})
	go func() { l.wait(ctx); close(waited) }()
	select {
	case <-waited:
		t.Fatal("a saver 8 pages ahead of the index went on without waiting for it")
	case <-time.After(50 * time.Millisecond):
	}
	l.mu.Unlock()
	<-waited
	if got := behind(); got != 0 {
		t.Fatalf("after waiting for the index it is %d behind; want 0 (the saver that waited catches up)", got)
	}
}
