package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
)

// TestPageView_SeesEveryWrite: what a page view reads is kept while
// nothing is written, and every write that changes it shows at once.
func TestPageView_SeesEveryWrite(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	view := func() *wiki.PageViewState {
		t.Helper()
		st, err := db.PageView(ctx, "faq", "ada", "2024-09")
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	if _, err := db.PageView(ctx, "faq", "ada", ""); !errors.Is(err, wiki.ErrNotFound) {
		t.Fatalf("view of a page that never was: %v", err)
	}
	mustCommit(t, db, newRev("faq", wiki.KindCreate, "FAQ", "one\n", t0), 0)
	st := view()
	if st.Page.Revision != 1 || st.Page.Markdown != "" || st.Head.Number != 1 || len(st.Backlinks) != 0 || st.Watching || st.ReviewCount != 1 {
		t.Fatalf("first view: %+v page %+v", st, st.Page)
	}
	seq := st.ExistenceSeq
	// A copy each time: changing one changes nothing for the next.
	st.Page.Title = "changed"
	st.Head.ReviewedBy = "changed"
	if again := view(); again.Page.Title != "FAQ" || again.Head.ReviewedBy != "" {
		t.Fatalf("a changed view came back: %+v", again.Page)
	}

	mustCommit(t, db, newRev("faq", wiki.KindEdit, "FAQ", "two\n", t0.Add(time.Minute)), 1)
	if st := view(); st.Page.Revision != 2 || st.ExistenceSeq != seq {
		t.Errorf("after an edit: %+v (existence %d, was %d)", st.Page, st.ExistenceSeq, seq)
	}
	// A new title is a page coming to exist under it, for links by title.
	mustCommit(t, db, newRev("faq", wiki.KindEdit, "FAQ two", "two\n", t0.Add(time.Minute)), 2)
	if st := view(); st.Page.Revision != 3 || st.Page.Title != "FAQ two" || st.ExistenceSeq == seq {
		t.Errorf("after a retitle: %+v (existence %d, was %d)", st.Page, st.ExistenceSeq, seq)
	}
	seq = view().ExistenceSeq
	other := newRev("other", wiki.KindCreate, "Other", "[[faq]]\n", t0.Add(2*time.Minute))
	other.Links = []wiki.Link{{Slug: "faq", Title: "faq"}}
	mustCommit(t, db, other, 0)
	if st := view(); len(st.Backlinks) != 1 || st.Backlinks[0].Slug != "other" || st.ExistenceSeq == seq {
		t.Errorf("after a page linking here was made: backlinks %+v, existence %d", st.Backlinks, st.ExistenceSeq)
	}
	if err := db.Watch(ctx, "ada", wiki.Watch{Slug: "faq"}); err != nil {
		t.Fatal(err)
	}
	if st := view(); !st.Watching || st.WatchingPrefix || st.Unseen {
		t.Errorf("after watching: %+v", st)
	}
	mustCommit(t, db, newRev("faq", wiki.KindEdit, "FAQ two", "two, edited\n", t0.Add(3*time.Minute)), 3)
	if st := view(); !st.Unseen {
		t.Errorf("a watched page edited since: %+v", st)
	}
	if err := db.MarkSeen(ctx, "ada", "2024-09", "faq", 4); err != nil {
		t.Fatal(err)
	}
	if st := view(); st.Unseen {
		t.Error("after marking seen, still unseen")
	}
	if _, err := db.MarkReviewed(ctx, "faq", 4, "grace", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if st := view(); st.Head.ReviewedBy != "grace" {
		t.Errorf("after review: head %+v", st.Head)
	}
	if err := db.Unwatch(ctx, "ada", "faq"); err != nil {
		t.Fatal(err)
	}
	if st := view(); st.Watching {
		t.Error("after unwatching, still watching")
	}
	// Watching the page above, with its sub-pages.
	mustCommit(t, db, newRev("faq/sub", wiki.KindCreate, "Sub", "sub\n", t0.Add(3*time.Hour)), 0)
	if err := db.Watch(ctx, "ada", wiki.Watch{Slug: "faq", Prefix: true}); err != nil {
		t.Fatal(err)
	}
	st, err := db.PageView(ctx, "faq/sub", "ada", "")
	if err != nil || st.Watching || !st.Unseen {
		t.Errorf("a sub-page of a page watched with its sub-pages: %+v, %v", st, err)
	}
	mustCommit(t, db, newRev("faq", wiki.KindDelete, "FAQ two", "", t0.Add(4*time.Hour)), 4)
	if st := view(); !st.Page.Deleted {
		t.Errorf("after delete: %+v", st.Page)
	}
}

// BenchmarkPageView measures the read behind a page view: answered from
// memory while nothing is written, and read from the file (with its
// decoded records reused) when a write came in between.
func BenchmarkPageView(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	mustCommit(b, db, newRev("faq", wiki.KindCreate, "FAQ", strings.Repeat("An answer. ", 2000), t0, "it"), 0)
	if err := db.Watch(ctx, "ada", wiki.Watch{Slug: "faq"}); err != nil {
		b.Fatal(err)
	}
	b.Run("unchanged", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.PageView(ctx, "faq", "ada", "2024-09"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("after-a-write", func(b *testing.B) {
		for b.Loop() {
			db.writes.Add(1)
			if _, err := db.PageView(ctx, "faq", "ada", "2024-09"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
