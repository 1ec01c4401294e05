// Tests of the per-cohort totals and the migration that counts them.

package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// mustCohortTotals returns db's CohortTotals and fails the test on error.
func mustCohortTotals(tb testing.TB, db *DB) map[string]wiki.CohortTotals {
	tb.Helper()
	got, err := db.CohortTotals(context.Background())
	if err != nil {
		tb.Fatalf("CohortTotals: %v", err)
	}
	return got
}

// linesRev returns newRev with cohort, added and removed lines set.
func linesRev(slug string, kind wiki.RevisionKind, cohort string, added, removed int, at time.Time) *wiki.Revision {
	rev := newRev(slug, kind, "Title "+slug, "x", at)
	rev.Cohort, rev.Added, rev.Removed = cohort, added, removed
	return rev
}

func TestCohortTotals(t *testing.T) {
	db := MustOpen(t)
	if got := mustCohortTotals(t, db); got == nil || len(got) != 0 {
		t.Errorf("CohortTotals of an empty store = %v, want an empty map", got)
	}
	mustCommit(t, db, linesRev("vpn", wiki.KindCreate, "2024-09", 10, 0, t0), 0)
	mustCommit(t, db, linesRev("vpn", wiki.KindEdit, "2024-09", 3, 2, t0.Add(time.Minute)), 1)
	mustCommit(t, db, linesRev("wifi", wiki.KindCreate, "2025-01", 4, 0, t0.Add(2*time.Minute)), 0)
	mustCommit(t, db, linesRev("vpn", wiki.KindDelete, "2025-01", 0, 13, t0.Add(3*time.Minute)), 2)
	mustCommit(t, db, linesRev("vpn", wiki.KindRestore, "2024-09", 13, 0, t0.Add(4*time.Minute)), 3)
	// No cohort: counted nowhere.
	mustCommit(t, db, linesRev("wifi", wiki.KindEdit, "", 100, 100, t0.Add(5*time.Minute)), 1)
	mustCommit(t, db, linesRev("lunch", wiki.KindCreate, "", 7, 0, t0.Add(6*time.Minute)), 0)

	want := map[string]wiki.CohortTotals{
		"2024-09": {Revisions: 3, Added: 26, Removed: 2, Created: 1},
		"2025-01": {Revisions: 2, Added: 4, Removed: 13, Created: 1},
	}
	if got := mustCohortTotals(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("CohortTotals = %+v\nwant %+v", got, want)
	}
	// The counters agree with the changes they count.
	for cohort, w := range want {
		changes, err := db.CohortChanges(context.Background(), cohort)
		if err != nil {
			t.Fatal(err)
		}
		var sum wiki.CohortTotals
		for _, c := range changes {
			sum.Revisions++
			sum.Added += c.Added
			sum.Removed += c.Removed
			if c.Kind == wiki.KindCreate {
				sum.Created++
			}
		}
		if sum != w {
			t.Errorf("cohort %s: changes add up to %+v, counters say %+v", cohort, sum, w)
		}
	}
	if got := countKeys(t, db, bucketCohortTotals); got != 2 {
		t.Errorf("cohorttotals holds %d keys, want 2", got)
	}
}

func TestCohortTotals_FailedCommit(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustCommit(t, db, linesRev("vpn", wiki.KindCreate, "2024-09", 10, 0, t0), 0)
	before := mustCohortTotals(t, db)
	for _, tt := range []struct {
		name string
		rev  *wiki.Revision
		head int
	}{
		{"stale head", linesRev("vpn", wiki.KindEdit, "2024-09", 5, 5, t0.Add(time.Minute)), 0},
		{"head ahead", linesRev("vpn", wiki.KindEdit, "2024-09", 5, 5, t0.Add(time.Minute)), 2},
		{"create over a page", linesRev("vpn", wiki.KindCreate, "2024-09", 5, 0, t0.Add(time.Minute)), 0},
		{"no such page", linesRev("nope", wiki.KindEdit, "2025-01", 5, 0, t0.Add(time.Minute)), 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := db.Commit(ctx, tt.rev, tt.head); !errors.Is(err, wiki.ErrConflict) {
				t.Fatalf("Commit = %v, want ErrConflict", err)
			}
			if got := mustCohortTotals(t, db); !reflect.DeepEqual(got, before) {
				t.Errorf("after a failed commit CohortTotals = %+v, want %+v", got, before)
			}
		})
	}
}

func TestCohortTotals_Canceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := MustOpen(t).CohortTotals(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("CohortTotals(canceled) = %v", err)
	}
}

func TestMigrateV3(t *testing.T) {
	path := filepath.Join(t.TempDir(), "faqwiki.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.bolt.NoSync = true // setup speed only
	want := map[string]wiki.CohortTotals{}
	for i := range 50 {
		cohort := fmt.Sprintf("c%d", i%3)
		slug := fmt.Sprintf("p%02d", i)
		mustCommit(t, db, linesRev(slug, wiki.KindCreate, cohort, i, 0, t0), 0)
		mustCommit(t, db, linesRev(slug, wiki.KindEdit, cohort, 1, i%5, t0.Add(time.Minute)), 1)
		w := want[cohort]
		w.Revisions += 2
		w.Created++
		w.Added += i + 1
		w.Removed += i % 5
		want[cohort] = w
	}
	mustCommit(t, db, linesRev("anon", wiki.KindCreate, "", 9, 0, t0), 0)
	db.bolt.NoSync = false
	// Turn the file into what version 3 wrote: no cohorttotals bucket.
	db = reopenAsVersion(t, db, 3, func(tx *bbolt.Tx) error {
		return tx.DeleteBucket(bucketCohortTotals)
	})
	if got := mustCohortTotals(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("CohortTotals after migration = %+v\nwant %+v", got, want)
	}
	// New commits keep the counters going.
	mustCommit(t, db, linesRev("p00", wiki.KindEdit, "c0", 2, 1, t0.Add(2*time.Minute)), 2)
	w := want["c0"]
	w.Revisions++
	w.Added += 2
	w.Removed++
	want["c0"] = w
	if got := mustCohortTotals(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("CohortTotals after a new commit = %+v\nwant %+v", got, want)
	}
}

// TestMigrateV3_Recount checks that the migration counts from scratch: a
// version 3 file whose cohorttotals already holds stale figures (written by
// this faqwiki, then opened by an older one that committed past them) ends
// up with the feed's figures, not the sum of both.
func TestMigrateV3_Recount(t *testing.T) {
	path := filepath.Join(t.TempDir(), "faqwiki.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustCommit(t, db, linesRev("vpn", wiki.KindCreate, "2024-09", 10, 0, t0), 0)
	mustCommit(t, db, linesRev("vpn", wiki.KindEdit, "2024-09", 1, 1, t0.Add(time.Minute)), 1)
	db = reopenAsVersion(t, db, 3, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketCohortTotals)
		if err := putJSON(b, []byte("2024-09"), &cohortTotalsRecord{Revisions: 1, Added: 10, Created: 1}); err != nil {
			return err
		}
		return putJSON(b, []byte("gone"), &cohortTotalsRecord{Revisions: 7})
	})
	want := map[string]wiki.CohortTotals{"2024-09": {Revisions: 2, Added: 11, Removed: 1, Created: 1}}
	if got := mustCohortTotals(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("CohortTotals after migration = %+v\nwant %+v", got, want)
	}
}
