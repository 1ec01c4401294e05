// Tests of the schema: time keys and migrations.

package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

func TestMigrate_NoPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "faqwiki.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = db.bolt.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(metaSchemaVersion, u64(0))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(path, Options{})
	if err == nil {
		db.Close()
		t.Fatal("Open of a version 0 file succeeded")
	}
	if !strings.Contains(err.Error(), "no migration") {
		t.Errorf("err = %v", err)
	}
}

func TestTimeKeyOrder(t *testing.T) {
	times := []time.Time{minTime, time.Unix(-1, 0), time.Unix(0, 0), time.Unix(0, 1), t0, maxTime}
	for i := 1; i < len(times); i++ {
		a, b := timeKey(nanos(times[i-1])), timeKey(nanos(times[i]))
		if a >= b {
			t.Errorf("timeKey(%s) = %d >= timeKey(%s) = %d", times[i-1], a, times[i], b)
		}
	}
}

// TestMigrate_DropsRevTimes: a version 6 file's revtimes index goes when
// it is opened, and the pages as they stood are still found, now from
// the revision records.
func TestMigrate_DropsRevTimes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "faqwiki.db")
	t0 := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{"one", "two", "three"} {
		kind := wiki.KindEdit
		if i == 0 {
			kind = wiki.KindCreate
		}
		if err := db.Commit(ctx, newRev("faq", kind, "FAQ", text, t0.Add(time.Duration(i)*time.Hour)), i); err != nil {
			t.Fatal(err)
		}
	}
	// As a version 6 faqwiki left it: its index, the texts under their
	// revisions' keys, and the version.
	err = db.bolt.Update(func(tx *bbolt.Tx) error {
		if err := unfileReviews(tx, true); err != nil {
			return err
		}
		if err := unnumberTexts(tx); err != nil {
			return err
		}
		b, err := tx.CreateBucket(bucketRevTimes)
		if err != nil {
			return err
		}
		if err := b.Put(append(slugPrefix("faq"), make([]byte, 16)...), nil); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(metaSchemaVersion, u64(6))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = mustOpenPath(t, path)
	db.bolt.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketRevTimes) != nil {
			t.Error("revtimes is still there after the migration")
		}
		if v := tx.Bucket(bucketMeta).Get(metaSchemaVersion); string(v) != string(u64(schemaVersion)) {
			t.Errorf("schema version %x, want %d", v, schemaVersion)
		}
		return nil
	})
	for _, tc := range []struct {
		at   time.Duration
		want string
	}{{0, "one"}, {90 * time.Minute, "two"}, {2 * time.Hour, "three"}, {48 * time.Hour, "three"}} {
		p, err := db.PageAt(ctx, "faq", t0.Add(tc.at))
		if err != nil || p.Markdown != tc.want {
			t.Errorf("PageAt(+%s) = %v, %v; want %q", tc.at, p, err, tc.want)
		}
	}
	if _, err := db.PageAt(ctx, "faq", t0.Add(-time.Second)); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("PageAt before the page = %v, want not found", err)
	}
}
