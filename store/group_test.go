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
	b, name := openGroupTestDB(t)
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

// TestCommitGroupRefusal: a call that refuses before writing gets its
// error without costing the others a rollback: every function of the
// group runs once, and what the others wrote lands.
func TestCommitGroupRefusal(t *testing.T) {
	b, name := openGroupTestDB(t)
	errStale := errors.New("stale")
	runs := make([]int, 6)
	group := make([]*groupCall, len(runs))
	for i := range group {
		group[i] = &groupCall{done: make(chan struct{}), fn: func(tx *bbolt.Tx) error {
			runs[i]++
			if i%2 == 1 {
				return refuse(fmt.Errorf("call %d: %w", i, errStale))
			}
			return tx.Bucket(name).Put(fmt.Appendf(nil, "%d", i), []byte("x"))
		}}
	}
	runGroup(b, group)
	b.View(func(tx *bbolt.Tx) error {
		for i, c := range group {
			<-c.done
			stored := tx.Bucket(name).Get(fmt.Appendf(nil, "%d", i)) != nil
			var r refusal
			switch {
			case runs[i] != 1:
				t.Errorf("call %d ran %d times, want once", i, runs[i])
			case i%2 == 1 && (!errors.Is(c.err, errStale) || errors.As(c.err, &r) || stored):
				t.Errorf("refusing call %d: err %v (%T), stored %v; want its own error, unwrapped, and nothing stored", i, c.err, c.err, stored)
			case i%2 == 0 && (c.err != nil || !stored):
				t.Errorf("call %d: err %v, stored %v", i, c.err, stored)
			}
		}
		return nil
	})
}

// openGroupTestDB opens a new bbolt file for the test with one bucket,
// whose name it returns.
func openGroupTestDB(t *testing.T) (*bbolt.DB, []byte) {
	t.Helper()
	b, err := bbolt.Open(filepath.Join(t.TempDir(), "g.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	name := []byte("b")
	if err := b.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket(name); return err }); err != nil {
		t.Fatal(err)
	}
	return b, name
}
