// Tests of the schema: time keys and migrations.

package store

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"
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
