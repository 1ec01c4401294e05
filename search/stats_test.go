package search

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
)

// TestIndex_RebuildsWhenAheadOfStore opens an index filled from a store
// over an older copy of that store (a restore from a backup beside the
// newer index): the index holds a page the store does not have, and no
// change would ever remove it, so CatchUp rebuilds.
func TestIndex_RebuildsWhenAheadOfStore(t *testing.T) {
	ctx := context.Background()
	e := mustOpenEnv(t)
	e.save(t, "a", "Alpha", "Alpha text.")
	backup := filepath.Join(t.TempDir(), "backup.db")
	if _, err := e.db.SnapshotTo(ctx, backup); err != nil {
		t.Fatal(err)
	}
	e.save(t, "b", "Bravo", "Bravo text, saved after the backup.")
	e.catchUp(t)
	e.ix.Close()
	e.db.Close()

	// Put the backup in place of the database, next to the newer index.
	if err := os.Remove(filepath.Join(e.dir, "faqwiki.db")); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Restore(ctx, backup, filepath.Join(e.dir, "faqwiki.db")); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(e.dir, "faqwiki.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e.db = db
	e.ix = e.mustOpenIndex(t)
	if e.ix.Seq() != 2 {
		t.Fatalf("the old index is at seq %d, want 2", e.ix.Seq())
	}
	e.catchUp(t)
	if res := e.search(t, wiki.SearchQuery{Text: "bravo"}); len(res.Hits) != 0 {
		t.Errorf("a page the store does not have is still found: %v", hitIDs(res))
	}
	if res := e.search(t, wiki.SearchQuery{Text: "alpha"}); len(res.Hits) != 1 {
		t.Errorf("alpha after the rebuild: %v", hitIDs(res))
	}
	if st := e.ix.Stats(); st.Ahead != 1 || st.Rebuilds != 1 || st.Seq != 1 {
		t.Errorf("Stats = %+v, want one rebuild for being ahead, at seq 1", st)
	}
}

// TestOpen_RebuildsWhenEveryFileIsDamaged overwrites every file of the
// index with junk: Open must give a working (empty) index that searches
// without error at once, and the first CatchUp fills it.
func TestOpen_RebuildsWhenEveryFileIsDamaged(t *testing.T) {
	e := mustOpenEnv(t)
	e.save(t, "a", "Alpha", "Alpha text.")
	e.catchUp(t)
	e.ix.Close()
	n := 0
	err := filepath.WalkDir(e.indexDir(), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		return os.WriteFile(path, []byte("junk junk junk"), 0o600)
	})
	if err != nil || n == 0 {
		t.Fatalf("damaged %d files: %v", n, err)
	}
	e.ix = e.mustOpenIndex(t)
	if res := e.search(t, wiki.SearchQuery{Text: "alpha"}); len(res.Hits) != 0 {
		t.Errorf("alpha before the rebuild: %v", hitIDs(res))
	}
	e.catchUp(t)
	if res := e.search(t, wiki.SearchQuery{Text: "alpha"}); len(res.Hits) != 1 {
		t.Errorf("alpha after the rebuild: %v", hitIDs(res))
	}
	if st := e.ix.Stats(); st.Resets != 1 || st.Rebuilds != 1 {
		t.Errorf("Stats = %+v, want one reset and one rebuild", st)
	}
}

func TestStatsAndLag(t *testing.T) {
	ctx := context.Background()
	e := mustOpenEnv(t)
	e.catchUp(t)
	e.save(t, "a", "Alpha", "Alpha text.")
	e.save(t, "b", "Bravo", "Bravo text.")
	if lag, err := e.ix.Lag(ctx); err != nil || lag != 2 {
		t.Errorf("Lag = %d, %v, want 2", lag, err)
	}
	e.catchUp(t)
	if lag, _ := e.ix.Lag(ctx); lag != 0 {
		t.Errorf("Lag after catching up = %d", lag)
	}
	if st := e.ix.Stats(); st.Applied != 2 || st.Seq != 2 || !st.Built || st.Rebuilds != 1 {
		t.Errorf("Stats = %+v", st)
	}
}

func TestReadSeq(t *testing.T) {
	e := mustOpenEnv(t)
	if seq, built, err := ReadSeq(filepath.Join(e.dir, "none")); err != nil || built || seq != 0 {
		t.Errorf("missing index: %d %v %v", seq, built, err)
	}
	e.save(t, "a", "Alpha", "Alpha text.")
	e.catchUp(t)
	e.ix.Close()
	seq, built, err := ReadSeq(e.indexDir())
	if err != nil || !built || seq != 1 {
		t.Errorf("ReadSeq = %d %v %v, want 1 true", seq, built, err)
	}
	// It changes nothing: the index opens as before.
	e.ix = e.mustOpenIndex(t)
	if e.ix.Seq() != 1 {
		t.Errorf("seq after ReadSeq = %d", e.ix.Seq())
	}
}
