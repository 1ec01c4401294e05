// Per-cohort totals, in cohorttotals: counters Commit keeps with each
// change, so that listing cohorts with their figures costs the same at any
// history length, and the version 3 migration that counts them.

package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/faqwiki/faqwiki/wiki"
)

// cohortTotalsRecord is the value under a cohort id in cohorttotals: what
// the changes filed under that cohort in cohortchanges add up to. Commit
// keeps it in step with the feed, so listing cohorts with their counts
// reads one small record per cohort rather than every change.
type cohortTotalsRecord struct {
	Revisions int `json:"revisions"`
	Added     int `json:"added,omitempty"`
	Removed   int `json:"removed,omitempty"`
	Created   int `json:"created,omitempty"` // changes of kind create
}

// add counts one change of kind that added and removed lines.
func (r *cohortTotalsRecord) add(kind string, added, removed int) {
	r.Revisions++
	r.Added += added
	r.Removed += removed
	if kind == string(wiki.KindCreate) {
		r.Created++
	}
}

// totals returns the record as wiki.CohortTotals.
func (r *cohortTotalsRecord) totals() wiki.CohortTotals {
	return wiki.CohortTotals{Revisions: r.Revisions, Added: r.Added, Removed: r.Removed, Created: r.Created}
}

// decodeCohortTotals decodes a cohorttotals value.
func decodeCohortTotals(v []byte) (*cohortTotalsRecord, error) {
	var rec cohortTotalsRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("decode cohort totals: %w", err)
	}
	return &rec, nil
}

// countChange adds a change of kind, by a member of cohort, to cohort's
// record in totals. It does nothing if cohort is empty: such a change is in
// no cohort, as in cohortchanges.
func countChange(totals *bbolt.Bucket, cohort, kind string, added, removed int) error {
	if cohort == "" {
		return nil
	}
	rec := &cohortTotalsRecord{}
	if v := totals.Get([]byte(cohort)); v != nil {
		var err error
		if rec, err = decodeCohortTotals(v); err != nil {
			return fmt.Errorf("cohort %q: %w", cohort, err)
		}
	}
	rec.add(kind, added, removed)
	return putJSON(totals, []byte(cohort), rec)
}

// CohortTotals returns, per cohort id, what its members changed while they
// were in it: revisions, lines added and removed, and pages created. A
// cohort with no changes is absent from the map. It reads the cohorttotals
// counters that Commit keeps, in one transaction, never the changes
// themselves; it returns an error only if the records cannot be read.
func (db *DB) CohortTotals(ctx context.Context) (map[string]wiki.CohortTotals, error) {
	out := map[string]wiki.CohortTotals{}
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketCohortTotals)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			rec, err := decodeCohortTotals(v)
			if err != nil {
				return fmt.Errorf("cohort %q: %w", k, err)
			}
			out[string(k)] = rec.totals()
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: cohort totals: %w", err)
	}
	return out, nil
}

// countCohortChanges is the migration from schema version 3: it rebuilds
// cohorttotals from scratch by adding up every change in the feed, with the
// same cohorts indexChanges files them under (a cohort with a NUL byte,
// which version 1 did not refuse, is left out). The sums are kept in memory,
// one record per cohort, and written once the feed has been read, so the
// cursor never walks a bucket while it is written and no batching is
// needed.
func countCohortChanges(tx *bbolt.Tx) error {
	if err := tx.DeleteBucket(bucketCohortTotals); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
		return fmt.Errorf("clear cohort totals: %w", err)
	}
	totals, err := tx.CreateBucket(bucketCohortTotals)
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", bucketCohortTotals, err)
	}
	feed, err := bucket(tx, bucketChanges)
	if err != nil {
		return err
	}
	sums := map[string]*cohortTotalsRecord{}
	err = feed.ForEach(func(k, v []byte) error {
		_, rec, err := decodeChangeEntry(k, v)
		if err != nil {
			return err
		}
		if rec.Cohort == "" || strings.IndexByte(rec.Cohort, 0) >= 0 {
			return nil
		}
		s := sums[rec.Cohort]
		if s == nil {
			s = &cohortTotalsRecord{}
			sums[rec.Cohort] = s
		}
		s.add(rec.Kind, rec.Added, rec.Removed)
		return nil
	})
	if err != nil {
		return err
	}
	for cohort, s := range sums {
		if err := putJSON(totals, []byte(cohort), s); err != nil {
			return err
		}
	}
	return nil
}
