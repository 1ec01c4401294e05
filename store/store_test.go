// Tests of Open, and the helpers every test uses: opening a store, making
// and committing revisions, and reopening a file as an older schema version.

package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// t0 is the time history starts in tests.
var t0 = time.Date(2024, 9, 2, 9, 0, 0, 0, time.UTC)

// MustOpen opens a store in a new temporary folder and closes it when the
// test ends.
func MustOpen(tb testing.TB) *DB {
	tb.Helper()
	return mustOpenPath(tb, filepath.Join(tb.TempDir(), "faqwiki.db"))
}

// reopenAsVersion turns db's file into what schema version v wrote (undo
// removes what the later versions added), closes it and opens it again,
// which runs the migrations, and checks that Open brought the file to the
// current version. It returns the reopened store.
func reopenAsVersion(tb testing.TB, db *DB, v uint64, undo func(tx *bbolt.Tx) error) *DB {
	tb.Helper()
	path := db.Path()
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		if v < 9 {
			// Before version 9 a page's unreviewed revisions were in
			// pendingrevs (from version 5), not in its record.
			if err := unfileReviews(tx, v >= 5); err != nil {
				return err
			}
		}
		if v < 6 {
			// Before version 6 texts were stored whole and raw.
			if err := rawTexts(db, tx); err != nil {
				return err
			}
		}
		if v < 8 {
			// Before version 8 texts were under their revisions' keys.
			if err := unnumberTexts(tx); err != nil {
				return err
			}
		}
		if err := undo(tx); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(metaSchemaVersion, u64(v))
	})
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	db = mustOpenPath(tb, path)
	err = db.bolt.View(func(tx *bbolt.Tx) error {
		if got := tx.Bucket(bucketMeta).Get(metaSchemaVersion); string(got) != string(u64(schemaVersion)) {
			tb.Errorf("schema version after Open = %x, want %d", got, schemaVersion)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return db
}

// storedRevision is a revision record and its key.
type storedRevision struct {
	key []byte
	rec revisionRecord
}

// allRevisionRecords decodes every record of revisions, in key order.
func allRevisionRecords(revisions *bbolt.Bucket) ([]storedRevision, error) {
	var revs []storedRevision
	err := revisions.ForEach(func(k, v []byte) error {
		r := storedRevision{key: bytes.Clone(k)}
		if err := json.Unmarshal(v, &r.rec); err != nil {
			return err
		}
		revs = append(revs, r)
		return nil
	})
	return revs, err
}

// unfileReviews takes the review state out of the page records and the
// changes' numbers out of the revision records, as schema version 8 and
// older had them, and lists each page's unreviewed revisions in
// pendingrevs if pending (as versions 5 to 8 did).
func unfileReviews(tx *bbolt.Tx, pending bool) error {
	pages, revisions := tx.Bucket(bucketPages), tx.Bucket(bucketRevisions)
	var list *bbolt.Bucket
	if pending {
		var err error
		if list, err = tx.CreateBucket(bucketPendingRevs); err != nil {
			return err
		}
	}
	revs, err := allRevisionRecords(revisions)
	if err != nil {
		return err
	}
	for _, r := range revs {
		slug, n := string(r.key[:len(r.key)-9]), r.rec.Number
		page, err := findPage(context.Background(), tx, slug)
		if err != nil {
			return err
		}
		if list != nil && page.Unreviewed > 0 && n >= page.FirstUnreviewed && r.rec.ReviewedBy == "" {
			if err := list.Put(r.key, u64(r.rec.Seq)); err != nil {
				return err
			}
		}
		r.rec.Seq = 0
		if err := putJSON(revisions, r.key, &r.rec); err != nil {
			return err
		}
	}
	var slugs [][]byte
	pages.ForEach(func(k, _ []byte) error { slugs = append(slugs, bytes.Clone(k)); return nil })
	for _, slug := range slugs {
		page, err := findPage(context.Background(), tx, string(slug))
		if err != nil {
			return err
		}
		page.Unreviewed, page.FirstUnreviewed = 0, 0
		if err := putJSON(pages, slug, page); err != nil {
			return err
		}
	}
	return nil
}

// unnumberTexts stores every text of tx under its revision's key, and
// its record without the text's number, as schema version 7 and older
// did.
func unnumberTexts(tx *bbolt.Tx) error {
	texts, revisions := tx.Bucket(bucketTexts), tx.Bucket(bucketRevisions)
	revs, err := allRevisionRecords(revisions)
	if err != nil {
		return err
	}
	for _, r := range revs {
		text := bytes.Clone(texts.Get(u64(r.rec.Text)))
		if text == nil {
			return fmt.Errorf("revision %q: no text %d", r.key, r.rec.Text)
		}
		if err := texts.Delete(u64(r.rec.Text)); err != nil {
			return err
		}
		if err := texts.Put(r.key, text); err != nil {
			return err
		}
		r.rec.Text = 0
		if err := putJSON(revisions, r.key, &r.rec); err != nil {
			return err
		}
	}
	return texts.SetSequence(0)
}

// rawTexts stores every text of tx whole and raw again, as schema
// version 5 and older did.
func rawTexts(db *DB, tx *bbolt.Tx) error {
	b := tx.Bucket(bucketTexts)
	raw := map[string][]byte{} // by key in texts
	err := tx.Bucket(bucketRevisions).ForEach(func(k, _ []byte) error {
		slug, n := string(k[:len(k)-9]), int(binary.BigEndian.Uint64(k[len(k)-8:]))
		text, err := db.findText(tx, slug, n)
		if err != nil {
			return err
		}
		tk, err := textKeyOf(tx, slug, n)
		raw[string(tk)] = []byte(text)
		return err
	})
	if err != nil {
		return err
	}
	for k, v := range raw {
		if err := b.Put([]byte(k), v); err != nil {
			return err
		}
	}
	return nil
}

// mustOpenPath opens the store at path and closes it when the test ends.
func mustOpenPath(tb testing.TB, path string) *DB {
	tb.Helper()
	db, err := Open(path, Options{Timeout: 100 * time.Millisecond})
	if err != nil {
		tb.Fatalf("Open(%q): %v", path, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

// newRev returns a revision of slug made at time at.
func newRev(slug string, kind wiki.RevisionKind, title, markdown string, at time.Time, tags ...string) *wiki.Revision {
	return &wiki.Revision{
		Slug:      wiki.Slug(slug),
		Kind:      kind,
		Title:     title,
		Markdown:  markdown,
		Tags:      tags,
		Author:    "ada",
		Cohort:    "2024-09",
		Summary:   string(kind) + " " + slug,
		CreatedAt: at,
	}
}

// mustCommit commits rev on top of head and fails the test on error.
func mustCommit(tb testing.TB, db *DB, rev *wiki.Revision, head int) *wiki.Revision {
	tb.Helper()
	if err := db.Commit(context.Background(), rev, head); err != nil {
		tb.Fatalf("Commit(%q, head %d): %v", rev.Slug, head, err)
	}
	return rev
}

// mustLastSeq returns the store's last change sequence number.
func mustLastSeq(tb testing.TB, db *DB) uint64 {
	tb.Helper()
	seq, err := db.LastSeq(context.Background())
	if err != nil {
		tb.Fatalf("LastSeq: %v", err)
	}
	return seq
}

func TestOpen_ReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "data", "faqwiki.db") // folder made by Open
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if db.Path() != path {
		t.Errorf("Path() = %q, want %q", db.Path(), path)
	}
	mustCommit(t, db, newRev("vpn", wiki.KindCreate, "VPN", "# VPN\n", t0, "it"), 0)
	mustCommit(t, db, newRev("vpn", wiki.KindEdit, "VPN access", "# VPN\nAsk IT.\n", t0.Add(time.Hour), "it"), 1)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := db.Page(ctx, "vpn"); err == nil {
		t.Error("Page on a closed store: no error")
	}

	db = mustOpenPath(t, path)
	p, err := db.Page(ctx, "vpn")
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "VPN access" || p.Revision != 2 || p.Markdown != "# VPN\nAsk IT.\n" {
		t.Errorf("after reopen: %+v", p)
	}
	if got := mustLastSeq(t, db); got != 2 {
		t.Errorf("LastSeq after reopen = %d, want 2", got)
	}
	mustCommit(t, db, newRev("wifi", wiki.KindCreate, "Wi-Fi", "x", t0), 0)
	if got := mustLastSeq(t, db); got != 3 {
		t.Errorf("LastSeq after another commit = %d, want 3", got)
	}
}

func TestOpen_LockedFailsFast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "faqwiki.db")
	mustOpenPath(t, path)

	start := time.Now()
	db, err := Open(path, Options{Timeout: 50 * time.Millisecond})
	if err == nil {
		db.Close()
		t.Fatal("second Open succeeded")
	}
	if !errors.Is(err, ErrLocked) {
		t.Errorf("err = %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), "in use by another faqwiki process") {
		t.Errorf("err = %q, want it to say the folder is in use", err)
	}
	// The lock timeout is short; this only catches an Open that hangs.
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("second Open took %s", d)
	}
}

func TestOpen_Errors(t *testing.T) {
	t.Run("empty path", func(t *testing.T) {
		if _, err := Open("", Options{}); err == nil {
			t.Error("no error")
		}
	})
	t.Run("newer schema", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "faqwiki.db")
		db, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		err = db.bolt.Update(func(tx *bbolt.Tx) error {
			return tx.Bucket(bucketMeta).Put(metaSchemaVersion, u64(schemaVersion+1))
		})
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		db, err = Open(path, Options{})
		if err == nil {
			db.Close()
			t.Fatal("Open of a newer schema succeeded")
		}
		if !strings.Contains(err.Error(), "newer") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("not a bolt file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "faqwiki.db")
		if err := os.WriteFile(path, []byte(strings.Repeat("not a database ", 1000)), 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := Open(path, Options{})
		if err == nil {
			db.Close()
			t.Fatal("Open succeeded")
		}
	})
}

func TestClampLimit(t *testing.T) {
	tests := []struct {
		name string
		in   int
		want int
	}{
		{"negative", -5, defaultLimit},
		{"zero", 0, defaultLimit},
		{"one", 1, 1},
		{"max", maxLimit, maxLimit},
		{"over max", maxLimit + 1, maxLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := clampLimit(tt.in); got != tt.want {
				t.Errorf("clampLimit(%d) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}
