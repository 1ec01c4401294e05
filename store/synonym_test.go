package store

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/faqwiki/faqwiki/wiki"
)

func TestSynonymRevisions(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	if _, err := db.SynonymList(ctx); !errors.Is(err, wiki.ErrNotFound) {
		t.Fatalf("SynonymList of a new file: %v, want ErrNotFound", err)
	}
	if revs, err := db.SynonymRevisions(ctx); err != nil || len(revs) != 0 {
		t.Fatalf("SynonymRevisions of a new file: %v %v", revs, err)
	}
	first := &wiki.SynonymList{Text: "pto, vacation\n", Author: "tina", Cohort: "staff", Summary: "start", CreatedAt: t0}
	if err := db.CommitSynonyms(ctx, first, 0); err != nil {
		t.Fatal(err)
	}
	if first.Revision != 1 {
		t.Errorf("first revision = %d, want 1", first.Revision)
	}
	// A commit from a stale head changes nothing.
	if err := db.CommitSynonyms(ctx, &wiki.SynonymList{Text: "x, y\n", CreatedAt: t0}, 0); !errors.Is(err, wiki.ErrConflict) {
		t.Errorf("commit on a stale head: %v, want ErrConflict", err)
	}
	second := &wiki.SynonymList{Text: "pto, vacation, annual leave\n", Author: "ada", Base: 1, Added: 1, Removed: 1, CreatedAt: t0.Add(1)}
	if err := db.CommitSynonyms(ctx, second, 1); err != nil {
		t.Fatal(err)
	}
	cur, err := db.SynonymList(ctx)
	if err != nil || cur.Revision != 2 || cur.Text != second.Text || cur.Author != "ada" || cur.Base != 1 {
		t.Fatalf("SynonymList = %+v, %v", cur, err)
	}
	old, err := db.SynonymRevision(ctx, 1)
	if err != nil || old.Text != first.Text || old.Cohort != "staff" || !old.CreatedAt.Equal(t0) {
		t.Fatalf("SynonymRevision(1) = %+v, %v", old, err)
	}
	for _, n := range []int{0, 3, -1} {
		if _, err := db.SynonymRevision(ctx, n); !errors.Is(err, wiki.ErrNotFound) {
			t.Errorf("SynonymRevision(%d): %v, want ErrNotFound", n, err)
		}
	}
	revs, err := db.SynonymRevisions(ctx)
	if err != nil || len(revs) != 2 || revs[0].Revision != 2 || revs[1].Revision != 1 || revs[0].Text != "" {
		t.Fatalf("SynonymRevisions = %+v, %v", revs, err)
	}
	if err := db.CommitSynonyms(ctx, &wiki.SynonymList{Text: strings.Repeat("x", wiki.MaxSynonymBytes+1)}, 2); err == nil {
		t.Error("a list over the limit was stored")
	}
}

// Writers racing from the same head: exactly one wins each round.
func TestCommitSynonymsRace(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range 8 {
		wg.Go(func() {
			err := db.CommitSynonyms(ctx, &wiki.SynonymList{Text: "a, b\n", Author: string(rune('a' + i)), CreatedAt: t0}, 0)
			if err == nil {
				mu.Lock()
				won++
				mu.Unlock()
			} else if !errors.Is(err, wiki.ErrConflict) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if won != 1 {
		t.Errorf("%d writers committed from head 0, want 1", won)
	}
}
