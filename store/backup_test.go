// Tests of Snapshot, SnapshotTo, Restore and Check.

package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// mustCheck checks the file at path and fails the test if it is not sound.
func mustCheck(tb testing.TB, path string) *CheckReport {
	tb.Helper()
	rep, err := Check(context.Background(), path)
	if err != nil {
		tb.Fatalf("Check: %v", err)
	}
	if !rep.OK() {
		tb.Fatalf("Check found problems: %q", rep.Problems)
	}
	return rep
}

func fileSHA(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestSnapshot_UnderConcurrentCommits takes snapshots while writers commit
// and checks that each one verifies, holds every revision committed before
// it began, and nothing beyond its own change feed.
func TestSnapshot_UnderConcurrentCommits(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	var stop atomic.Bool
	var wg sync.WaitGroup
	var mu sync.Mutex
	acked := map[string]int{} // slug -> last committed revision
	var commits atomic.Int64
	for w := range 4 {
		wg.Go(func() {
			for i := 0; !stop.Load() && i < 400; i++ {
				slug := fmt.Sprintf("w%d/p%d", w, i%7)
				mu.Lock()
				head := acked[slug]
				mu.Unlock()
				kind := wiki.KindEdit
				if head == 0 {
					kind = wiki.KindCreate
				}
				// Texts of a few KiB, so that pages are freed and reused.
				rev := newRev(slug, kind, "T", strings.Repeat(fmt.Sprintf("w%d i%d\n", w, i), 200), t0)
				if err := db.Commit(ctx, rev, head); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked[slug] = rev.Number
				mu.Unlock()
				commits.Add(1)
			}
		})
	}
	defer func() { stop.Store(true); wg.Wait() }()
	for i := range 8 {
		// Let the writers move on between snapshots (they make 1600
		// commits in all, so this always ends).
		for want, guard := int64(i+1)*60, time.Now().Add(time.Minute); commits.Load() < want; {
			if time.Now().After(guard) {
				t.Fatal("the writers stopped committing")
			}
			time.Sleep(time.Millisecond)
		}
		mu.Lock()
		before := make(map[string]int, len(acked))
		for k, v := range acked {
			before[k] = v
		}
		mu.Unlock()
		snap, err := db.Snapshot(ctx)
		if err != nil {
			t.Fatalf("snapshot %d: %v", i, err)
		}
		if got := fileSHA(t, snap.Path); got != snap.SHA256 {
			t.Errorf("snapshot %d: SHA256 %s, file has %s", i, snap.SHA256, got)
		}
		if fi, err := os.Stat(snap.Path); err != nil || fi.Size() != snap.Size {
			t.Errorf("snapshot %d: size %d, file %v %v", i, snap.Size, fi.Size(), err)
		}
		rep := mustCheck(t, snap.Path)
		if rep.LastSeq != snap.Seq || rep.Pages != snap.Pages {
			t.Errorf("snapshot %d: report %+v, snapshot %+v", i, rep, snap)
		}
		copyDB, err := Open(snap.Path, Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		for slug, n := range before {
			p, err := copyDB.Page(ctx, wiki.Slug(slug))
			if err != nil || p.Revision < n {
				t.Errorf("snapshot %d: %s: %v, revision %d; %d was committed before it began", i, slug, err, p.Revision, n)
			}
		}
		copyDB.Close()
		os.Remove(snap.Path)
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("8 snapshots verified during %d commits", commits.Load())
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(db.Path()), snapshotPattern)); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestSnapshotToAndRestore(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustCommit(t, db, newRev("vpn", wiki.KindCreate, "VPN", "# VPN\n", t0), 0)
	mustCommit(t, db, newRev("vpn", wiki.KindEdit, "VPN", "# VPN\nAsk IT.\n", t0), 1)
	mustCreateAccount(t, db, "ada")

	dir := t.TempDir()
	out := filepath.Join(dir, "backup.db")
	snap, err := db.SnapshotTo(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Path != out || snap.Seq != 2 || snap.Pages != 1 || snap.Revisions != 2 {
		t.Errorf("snapshot = %+v", snap)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only the backup", len(entries))
	}

	dst := filepath.Join(t.TempDir(), "data", "faqwiki.db")
	rep, err := Restore(ctx, out, dst)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accounts != 1 || rep.LastSeq != 2 {
		t.Errorf("report = %+v", rep)
	}
	restored := mustOpenPath(t, dst)
	p, err := restored.Page(ctx, "vpn")
	if err != nil || p.Markdown != "# VPN\nAsk IT.\n" || p.Revision != 2 {
		t.Errorf("restored page = %+v, %v", p, err)
	}
	if _, err := restored.Account(ctx, "ada"); err != nil {
		t.Error(err)
	}

	// Never over an existing database.
	if _, err := Restore(ctx, out, dst); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("restore over a database: %v, want ErrNotEmpty", err)
	}
}

func TestRestore_RefusesABadBackup(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustCommit(t, db, newRev("vpn", wiki.KindCreate, "VPN", "# VPN\n", t0), 0)
	// A head that points past the stored revisions.
	if err := db.bolt.Update(putRaw(bucketPages, []byte("vpn"), []byte(`{"title":"VPN","rev":5,"created":1,"updated":1}`))); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.db")
	if err := db.bolt.View(func(tx *bbolt.Tx) error { return tx.CopyFile(bad, 0o600) }); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "faqwiki.db")
	if _, err := Restore(ctx, bad, dst); err == nil || !strings.Contains(err.Error(), "head is revision 5") {
		t.Errorf("restore of a bad backup: %v", err)
	}
	if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused restore wrote %s: %v", dst, err)
	}
	// And the live store refuses to hand out such a snapshot.
	if _, err := db.Snapshot(ctx); err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Errorf("snapshot of a damaged store: %v", err)
	}
}

// nameText returns a damage function that makes the record of revision n
// of slug name text number no.
func nameText(slug string, n int, no uint64) func(*bbolt.Tx) error {
	return func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketRevisions)
		var rec revisionRecord
		if err := json.Unmarshal(b.Get(revKey(slug, n)), &rec); err != nil {
			return err
		}
		rec.Text = no
		return putJSON(b, revKey(slug, n), &rec)
	}
}

// countUnreviewed returns a damage function that makes the page record of
// slug count n unreviewed revisions from revision first.
func countUnreviewed(slug string, n, first int) func(*bbolt.Tx) error {
	return func(tx *bbolt.Tx) error {
		page, err := findPage(context.Background(), tx, slug)
		if err != nil {
			return err
		}
		page.Unreviewed, page.FirstUnreviewed = n, first
		return putJSON(tx.Bucket(bucketPages), []byte(slug), page)
	}
}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	build := func(t *testing.T) *DB {
		db := MustOpen(t)
		mustCommit(t, db, newRev("a", wiki.KindCreate, "A", "a1", t0), 0)
		mustCommit(t, db, newRev("a", wiki.KindEdit, "A", "a2", t0), 1)
		mustCommit(t, db, newRev("a-b", wiki.KindCreate, "AB", "ab1", t0), 0)
		mustCommit(t, db, newRev("a/c", wiki.KindCreate, "AC", "ac1", t0), 0)
		return db
	}
	// copyOf copies db's file after damage and checks the copy.
	checkAfter := func(t *testing.T, damage func(tx *bbolt.Tx) error) *CheckReport {
		t.Helper()
		db := build(t)
		if damage != nil {
			if err := db.bolt.Update(damage); err != nil {
				t.Fatal(err)
			}
		}
		path := filepath.Join(t.TempDir(), "copy.db")
		if err := db.bolt.View(func(tx *bbolt.Tx) error { return tx.CopyFile(path, 0o600) }); err != nil {
			t.Fatal(err)
		}
		rep, err := Check(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	t.Run("sound", func(t *testing.T) {
		rep := checkAfter(t, nil)
		if !rep.OK() || rep.Pages != 3 || rep.Revisions != 4 || rep.LastSeq != 4 || rep.SchemaVersion != schemaVersion {
			t.Errorf("report = %+v", rep)
		}
	})
	tests := []struct {
		name   string
		damage func(tx *bbolt.Tx) error
		want   string
	}{
		{"feed gap", deleteRaw(bucketChanges, seqKey(2)), "change 3 follows change 1"},
		{"feed end", func(tx *bbolt.Tx) error { return tx.Bucket(bucketChanges).SetSequence(9) }, "last change is 4 but the feed's sequence is 9"},
		{"revision gap", func(tx *bbolt.Tx) error {
			if err := deleteText("a", 1)(tx); err != nil {
				return err
			}
			return tx.Bucket(bucketRevisions).Delete(revKey("a", 1))
		}, `page "a": revision 2 is stored after revision 0`},
		{"missing text", deleteText("a-b", 1), `page "a-b": revision 1 has no text`},
		{"head past revisions", putRaw(bucketPages, []byte("a/c"), []byte(`{"title":"AC","rev":3,"created":1,"updated":1}`)), `page "a/c": its head is revision 3, but the newest stored revision is 1`},
		{"revisions without page", deleteRaw(bucketPages, []byte("a-b")), `page "a-b": 1 revisions are stored but there is no page head`},
		{"change of a missing revision", putRaw(bucketChanges, seqKey(5), []byte(`{"slug":"zz","rev":1,"kind":"create","title":"Z","time":1}`)), `change 5 names revision 1 of "zz"`},
		{"text named twice", nameText("a-b", 1, 1), `page "a-b": revision 1 has no text: text 1 is named by another revision too`},
		{"text past the sequence", nameText("a-b", 1, 9), `page "a-b": revision 1 has no text: text 9 is past the texts' sequence 4`},
		{"texts' sequence", func(tx *bbolt.Tx) error { return tx.Bucket(bucketTexts).SetSequence(1 << 62) }, "the texts' sequence is 4611686018427387904, for 4 revisions"},
		{"text no revision names", putRaw(bucketTexts, u64(7), []byte("x")), "1 texts are stored that no revision names"},
		{"unreviewed count", countUnreviewed("a-b", 2, 1), `page "a-b": counts 2 unreviewed revisions; 1 from revision 1 have no reviewer`},
		{"unreviewed index", deleteRaw(bucketUnreviewed, seqKey(3)), "the pages count 4 unreviewed revisions; the unreviewed index lists 3"},
		{"first unreviewed past the head", countUnreviewed("a/c", 1, 2), `page "a/c": 1 unreviewed revisions from revision 2, of 1`},
		{"missing bucket", func(tx *bbolt.Tx) error { return tx.DeleteBucket(bucketTitles) }, "bucket titles is missing"},
		{"newer schema", putRaw(bucketMeta, metaSchemaVersion, u64(schemaVersion+1)), "written by a newer faqwiki"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := checkAfter(t, tt.damage)
			if rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), tt.want) {
				t.Errorf("problems = %q, want one with %q", rep.Problems, tt.want)
			}
		})
	}
	t.Run("not a database", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "x.db")
		os.WriteFile(path, []byte(strings.Repeat("junk", 4096)), 0o600)
		if _, err := Check(ctx, path); err == nil {
			t.Error("Check of junk: no error")
		}
	})
	t.Run("locked", func(t *testing.T) {
		db := build(t)
		if _, err := Check(ctx, db.Path()); !errors.Is(err, ErrLocked) {
			t.Errorf("Check of an open store: %v, want ErrLocked", err)
		}
	})
}

func TestOpen_ReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "faqwiki.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustCommit(t, db, newRev("a", wiki.KindCreate, "A", "a1", t0), 0)
	db.Close()

	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	// Two readers at once.
	ro2, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	ro2.Close()
	if p, err := ro.Page(ctx, "a"); err != nil || p.Markdown != "a1" {
		t.Errorf("Page = %+v, %v", p, err)
	}
	if err := ro.Commit(ctx, newRev("b", wiki.KindCreate, "B", "b", t0), 0); err == nil {
		t.Error("Commit on a read-only store succeeded")
	}
	if _, err := Open(filepath.Join(t.TempDir(), "none.db"), Options{ReadOnly: true}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("read-only Open of a missing file: %v", err)
	}
}
