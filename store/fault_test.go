// Tests of a full disk: a commit that cannot be written fails with
// wiki.ErrStorage, writes nothing, leaves reads working, and the store
// works again once there is room.

package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
)

func TestCommit_DiskFull(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "faqwiki.db")
	const limit = 4 << 20
	db, err := Open(path, Options{Timeout: 100 * time.Millisecond, MaxSize: limit})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustCommit(t, db, newRev("keep", wiki.KindCreate, "Keep", "# Keep\nthis text\n", t0), 0)
	mustCreateAccount(t, db, "ada")

	// Fill the "disk" with 512 KiB revisions until a commit fails: each
	// all different (no delta helps) and random (compression halves it at
	// best).
	rng := rand.New(rand.NewPCG(1, 2))
	bigText := func() string {
		var b strings.Builder
		for b.Len() < 512<<10 {
			fmt.Fprintf(&b, "%016x", rng.Uint64())
		}
		return b.String()
	}
	head, failed := 0, false
	var before string
	for i := 0; i < 64 && !failed; i++ {
		before = snapshot(t, db)
		kind := wiki.KindEdit
		if head == 0 {
			kind = wiki.KindCreate
		}
		rev := newRev("big", kind, "Big", bigText(), t0)
		err := db.Commit(ctx, rev, head)
		switch {
		case err == nil:
			head = rev.Number
		case errors.Is(err, wiki.ErrStorage):
			failed = true
			t.Logf("commit %d failed as on a full disk: %v", i+1, err)
			if rev.Number != 0 {
				t.Errorf("a failed commit set rev.Number to %d", rev.Number)
			}
		default:
			t.Fatalf("commit %d: %v, want wiki.ErrStorage", i+1, err)
		}
	}
	if !failed {
		t.Fatalf("no commit failed below the %d byte limit", limit)
	}
	if after := snapshot(t, db); after != before {
		t.Error("the failed commit changed the file")
	}
	// Reads go on working.
	if p, err := db.Page(ctx, "keep"); err != nil || p.Markdown != "# Keep\nthis text\n" {
		t.Errorf("read after the failure: %+v, %v", p, err)
	}
	// Other writes fail the same way, with the same kind.
	if _, err := db.UpdateAccount(ctx, "ada", func(a *wiki.Account) error { a.DisplayName = strings.Repeat("x", 4<<20); return nil }); !errors.Is(err, wiki.ErrStorage) {
		t.Errorf("account update on a full disk: %v, want wiki.ErrStorage", err)
	}
	// A write that fails in its own function is not a storage error.
	if _, err := db.UpdateAccount(ctx, "nobody", func(*wiki.Account) error { return nil }); errors.Is(err, wiki.ErrStorage) || !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("update of a missing account: %v", err)
	}

	// Room again: the same commit goes through, numbered right after the
	// last one stored.
	db.bolt.MaxSize = 0
	rev := newRev("big", wiki.KindEdit, "Big", "after\n"+bigText(), t0)
	if err := db.Commit(ctx, rev, head); err != nil {
		t.Fatalf("commit after room returned: %v", err)
	}
	if rev.Number != head+1 {
		t.Errorf("revision %d after the failure, want %d", rev.Number, head+1)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	rep := mustCheck(t, path)
	t.Logf("check after recovery: %d pages, %d revisions, feed 1..%d, gap-free", rep.Pages, rep.Revisions, rep.LastSeq)
}
