package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
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
	// Every transaction is counted, rolled back or not, and each commit
	// that landed once: the failed ones (4) ran in a group and again
	// alone, and landed in neither.
	st := g.stats.read()
	if st.Commits != 196 {
		t.Errorf("counted %d commits, want the 196 that landed", st.Commits)
	}
	if st.Transactions < 1+4*2 || st.Transactions > 200+4 {
		t.Errorf("counted %d transactions; want at least one group and each failure's rollback and lone run (9), at most one each and the failures' lone runs (204)", st.Transactions)
	}
	checkDurations(t, "total", st.Total, st.Transactions)
	checkDurations(t, "write", st.Write, st.Transactions)
	if st.Write.Sum <= 0 || st.Write.Sum > st.Total.Sum {
		t.Errorf("write time %s, total %s; want some, within the total", st.Write.Sum, st.Total.Sum)
	}
}

// checkDurations checks that d counts n durations in its buckets.
func checkDurations(t *testing.T, name string, d Durations, n uint64) {
	t.Helper()
	if len(d.Counts) != len(TxBounds())+1 {
		t.Errorf("%s: %d counts for %d bounds, want one more", name, len(d.Counts), len(TxBounds()))
	}
	var sum uint64
	for _, c := range d.Counts {
		sum += c
	}
	if sum != n {
		t.Errorf("%s: buckets count %d, want %d", name, sum, n)
	}
}

// TestDurationCounts: a duration goes in the first bucket whose bound it
// does not pass, and those past every bound in the last.
func TestDurationCounts(t *testing.T) {
	var d durationCounts
	bounds := TxBounds()
	for _, dur := range []time.Duration{0, bounds[0], bounds[0] + 1, bounds[3], time.Hour} {
		d.add(dur)
	}
	got := d.read()
	want := make([]uint64, len(bounds)+1)
	want[0], want[1], want[3], want[len(bounds)] = 2, 1, 1, 1
	if !slices.Equal(got.Counts, want) {
		t.Errorf("counts %v, want %v", got.Counts, want)
	}
	if wantSum := 2*bounds[0] + 1 + bounds[3] + time.Hour; got.Sum != wantSum {
		t.Errorf("sum %s, want %s", got.Sum, wantSum)
	}
	if !slices.IsSorted(bounds) {
		t.Errorf("bounds %v are not in order", bounds)
	}
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
	var stats txCounts
	runGroup(b, group, &stats)
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
	if st := stats.read(); st.Transactions != 1 || st.Commits != 3 || st.Writes < 2 {
		t.Errorf("counted %d transactions of %d commits, %d writes; want 1 of the 3 that did not refuse, writing at least a leaf and the root", st.Transactions, st.Commits, st.Writes)
	}
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

// TestTxStats: the store counts its commit transactions and the commits
// that landed in them; a commit refused for a stale head lands in none.
func TestTxStats(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	for i := range 3 {
		if err := db.Commit(ctx, newRev(fmt.Sprintf("p%d", i), wiki.KindCreate, "P", "text", time.Now()), 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Commit(ctx, newRev("p0", wiki.KindEdit, "P", "stale", time.Now()), 7); !errors.Is(err, wiki.ErrConflict) {
		t.Fatalf("commit on a stale head: %v, want a conflict", err)
	}
	st := db.TxStats()
	if st.Transactions != 4 || st.Commits != 3 {
		t.Errorf("counted %d transactions of %d commits, want 4 of 3", st.Transactions, st.Commits)
	}
	// Each create writes at least a leaf and the root page.
	if st.Writes < 3*2 {
		t.Errorf("counted %d writes for 3 creates, want at least 2 each", st.Writes)
	}
	checkDurations(t, "total", st.Total, 4)
	checkDurations(t, "write", st.Write, 4)
	if st.Write.Sum <= 0 || st.Write.Sum > st.Total.Sum {
		t.Errorf("write time %s, total %s; want some, within the total", st.Write.Sum, st.Total.Sum)
	}
}
