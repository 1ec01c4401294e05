// Tests of the change indexes and the migration that fills them.

package store

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

func TestCohortChanges(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	commits := []struct {
		slug, author, cohort string
	}{
		{"vpn", "ada", "c1"},
		{"wifi", "bob", ""},
		{"vpn", "ada", "c1-b"}, // ada moved on: later revisions carry her new cohort
		{"lunch", "cy", "c1"},
		{"wifi", "ada", ""},
		{"vpn", "cy", "c1"},
	}
	heads := map[string]int{}
	for i, c := range commits {
		rev := newRev(c.slug, wiki.KindEdit, strings.ToUpper(c.slug), "x", t0.Add(time.Duration(i)*time.Minute))
		rev.Author, rev.Cohort = c.author, c.cohort
		mustCommit(t, db, rev, heads[c.slug])
		heads[c.slug]++
	}
	all, err := db.Changes(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	pick := func(seqs ...int) []wiki.Change {
		out := []wiki.Change{}
		for _, s := range seqs {
			out = append(out, all[s-1])
		}
		return out
	}

	t.Run("by cohort", func(t *testing.T) {
		tests := []struct {
			cohort string
			want   []wiki.Change
		}{
			{"c1", pick(1, 4, 6)},
			{"c1-b", pick(3)},
			{"c", pick()},
			{"unknown", pick()},
		}
		for _, tt := range tests {
			t.Run(tt.cohort, func(t *testing.T) {
				got, err := db.CohortChanges(ctx, tt.cohort)
				if err != nil {
					t.Fatal(err)
				}
				if got == nil || !reflect.DeepEqual(got, tt.want) {
					t.Errorf("CohortChanges(%q) = %+v\nwant %+v", tt.cohort, got, tt.want)
				}
			})
		}
	})

	t.Run("by author", func(t *testing.T) {
		tests := []struct {
			author string
			limit  int
			want   []wiki.Change
		}{
			{"ada", 0, pick(5, 3, 1)},
			{"ada", 2, pick(5, 3)},
			{"bob", 10, pick(2)},
			{"cy", 1, pick(6)},
			{"ad", 10, pick()},
			{"nobody", 10, pick()},
		}
		for _, tt := range tests {
			t.Run(tt.author, func(t *testing.T) {
				got, err := db.AuthorChanges(ctx, tt.author, tt.limit)
				if err != nil {
					t.Fatal(err)
				}
				if got == nil || !reflect.DeepEqual(got, tt.want) {
					t.Errorf("AuthorChanges(%q, %d) = %+v\nwant %+v", tt.author, tt.limit, got, tt.want)
				}
			})
		}
	})

	t.Run("NUL cohort refused by Commit", func(t *testing.T) {
		rev := newRev("x", wiki.KindCreate, "X", "x", t0)
		rev.Cohort = "c1\x00"
		var v *wiki.ValidationError
		if err := db.Commit(ctx, rev, 0); !errors.As(err, &v) {
			t.Errorf("Commit = %v, want a *wiki.ValidationError", err)
		}
	})
}

// TestMigrateV1 opens a version 1 file, which has no change indexes, and
// checks that Open indexes the changes already in the feed.
func TestMigrateV1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "faqwiki.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustCommit(t, db, newRev("vpn", wiki.KindCreate, "VPN", "x", t0), 0) // ada, 2024-09
	anon := newRev("wifi", wiki.KindCreate, "Wi-Fi", "x", t0)
	anon.Author, anon.Cohort = "", ""
	mustCommit(t, db, anon, 0)
	mustCommit(t, db, newRev("vpn", wiki.KindEdit, "VPN", "y", t0.Add(time.Minute)), 1)
	// Turn the file into what version 1 wrote: no index buckets.
	db = reopenAsVersion(t, db, 1, func(tx *bbolt.Tx) error {
		for _, name := range [][]byte{bucketCohortChanges, bucketAuthorChanges, bucketAccounts, bucketInvites} {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := db.CohortChanges(ctx, "2024-09")
	if err != nil || len(got) != 2 || got[0].Seq != 1 || got[1].Seq != 3 {
		t.Errorf("CohortChanges after migration = %+v, %v; want seqs 1 and 3", got, err)
	}
	got, err = db.AuthorChanges(ctx, "ada", 10)
	if err != nil || len(got) != 2 || got[0].Seq != 3 || got[1].Seq != 1 {
		t.Errorf("AuthorChanges after migration = %+v, %v; want seqs 3 and 1", got, err)
	}
	if n, err := db.CountAccounts(ctx); err != nil || n != 0 {
		t.Errorf("CountAccounts = %d, %v", n, err)
	}
	// Later steps run too: the counters are rebuilt from the feed.
	wantTotals := map[string]wiki.CohortTotals{"2024-09": {Revisions: 2, Created: 1}}
	if got, err := db.CohortTotals(ctx); err != nil || !reflect.DeepEqual(got, wantTotals) {
		t.Errorf("CohortTotals after migration = %+v, %v; want %+v", got, err, wantTotals)
	}
	// New commits keep the index going.
	mustCommit(t, db, newRev("vpn", wiki.KindEdit, "VPN", "z", t0.Add(2*time.Minute)), 2)
	if got, err := db.CohortChanges(ctx, "2024-09"); err != nil || len(got) != 3 {
		t.Errorf("CohortChanges after a new commit = %d changes, %v; want 3", len(got), err)
	}
}
