// Tests of the change feed.

package store

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
)

func TestChanges(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	if got := mustLastSeq(t, db); got != 0 {
		t.Errorf("LastSeq of a new store = %d, want 0", got)
	}
	for i := range 5 {
		mustCommit(t, db, newRev(fmt.Sprintf("p%d", i%2), wiki.KindEdit, "P", "x", t0.Add(time.Duration(i)*time.Minute)), i/2)
	}
	if got := mustLastSeq(t, db); got != 5 {
		t.Errorf("LastSeq = %d, want 5", got)
	}

	tests := []struct {
		name  string
		since uint64
		limit int
		want  []uint64
	}{
		{"from the start", 0, 0, []uint64{1, 2, 3, 4, 5}},
		{"limited", 0, 2, []uint64{1, 2}},
		{"from the middle", 2, 10, []uint64{3, 4, 5}},
		{"negative limit: default", 3, -1, []uint64{4, 5}},
		{"at the end", 5, 10, []uint64{}},
		{"past the end", 99, 10, []uint64{}},
		{"max since", math.MaxUint64, 10, []uint64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changes, err := db.Changes(ctx, tt.since, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if changes == nil {
				t.Error("nil slice, want empty")
			}
			var got []uint64
			for _, c := range changes {
				got = append(got, c.Seq)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("seqs = %v, want %v", got, tt.want)
			}
		})
	}

	changes, err := db.Changes(ctx, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := wiki.Change{Seq: 5, Slug: "p0", Revision: 3, Kind: wiki.KindEdit, Title: "P",
		Author: "ada", Cohort: "2024-09", Summary: "edit p0", Time: t0.Add(4 * time.Minute)}
	if len(changes) != 1 || changes[0] != want {
		t.Errorf("Changes(4, 1) = %+v, want %+v", changes, want)
	}
}
