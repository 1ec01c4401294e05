package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"go.etcd.io/bbolt"
)

// TestCommitGroup: commits made at once all land, in shared
// transactions; one that fails leaves nothing behind and gets its own
// error, and the others are not held back by it.
func TestCommitGroup(t *testing.T) {
	b, err := bbolt.Open(filepath.Join(t.TempDir(), "g.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	name := []byte("b")
	b.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket(name); return err })
	var g commitGroup
	errBad := errors.New("bad")
	var wg sync.WaitGroup
	errs := make([]error, 200)
	for i := range errs {
		wg.Go(func() {
			errs[i] = g.run(b, func(tx *bbolt.Tx) error {
				if err := tx.Bucket(name).Put(fmt.Appendf(nil, "%03d", i), []byte("x")); err != nil {
					return err
				}
				if i%50 == 7 {
					return errBad // after writing: the write must not stay
				}
				return nil
			})
		})
	}
	wg.Wait()
	b.View(func(tx *bbolt.Tx) error {
		for i, err := range errs {
			stored := tx.Bucket(name).Get(fmt.Appendf(nil, "%03d", i)) != nil
			switch {
			case i%50 == 7 && (!errors.Is(err, errBad) || stored):
				t.Errorf("commit %d failed with %v, stored %v; want errBad and nothing stored", i, err, stored)
			case i%50 != 7 && (err != nil || !stored):
				t.Errorf("commit %d: %v, stored %v", i, err, stored)
			}
		}
		return nil
	})
}
