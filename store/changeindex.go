// The change indexes: cohortchanges and authorchanges file every change of
// the feed under its author's cohort and under its author, so that
// CohortChanges and AuthorChanges read only the changes they return.

package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strings"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// CohortChanges returns every change made by a member of cohort while they
// were in it (the cohort recorded on the revision), oldest first: an empty
// slice if there are none, including for a cohort that does not exist. It
// reads the cohortchanges index, not the whole feed. It returns a
// *wiki.ValidationError if cohort is empty or has a NUL byte, and a plain
// error if the records cannot be read.
func (db *DB) CohortChanges(ctx context.Context, cohort string) ([]wiki.Change, error) {
	if err := checkKey("cohort", cohort); err != nil {
		return nil, fmt.Errorf("store: cohort %q: changes: %w", cohort, err)
	}
	var changes []wiki.Change
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		var err error
		changes, err = findIndexedChanges(ctx, tx, bucketCohortChanges, cohort, 0, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: cohort %q: changes: %w", cohort, err)
	}
	return changes, nil
}

// AuthorChanges returns up to limit changes made by username (50 if limit
// is zero or less, 1000 at most), newest first: an empty slice if there
// are none, including for an unknown username. It reads the authorchanges
// index, not the whole feed. It returns a *wiki.ValidationError if
// username is empty or has a NUL byte, and a plain error if the records
// cannot be read.
func (db *DB) AuthorChanges(ctx context.Context, username string, limit int) ([]wiki.Change, error) {
	if err := checkKey("username", username); err != nil {
		return nil, fmt.Errorf("store: author %q: changes: %w", username, err)
	}
	limit = clampLimit(limit)
	var changes []wiki.Change
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		var err error
		changes, err = findIndexedChanges(ctx, tx, bucketAuthorChanges, username, limit, true)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: author %q: changes: %w", username, err)
	}
	return changes, nil
}

// findIndexedChanges returns the changes filed under owner in the feed
// index named index (cohortchanges or authorchanges): oldest first, or
// newest first if newestFirst, and at most limit of them unless limit is 0.
func findIndexedChanges(ctx context.Context, tx *bbolt.Tx, index []byte, owner string, limit int, newestFirst bool) ([]wiki.Change, error) {
	idx, err := bucket(tx, index)
	if err != nil {
		return nil, err
	}
	feed, err := bucket(tx, bucketChanges)
	if err != nil {
		return nil, err
	}
	prefix := keyPrefix(owner)
	c := idx.Cursor()
	var k []byte
	step := c.Next
	if newestFirst {
		// owner+0x01 is the first key past all of owner's: seek there and
		// step back.
		end := append([]byte(owner), 1)
		if k, _ = c.Seek(end); k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		step = c.Prev
	} else {
		k, _ = c.Seek(prefix)
	}
	changes := []wiki.Change{}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = step() {
		if limit > 0 && len(changes) == limit {
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(k) != len(prefix)+8 {
			return nil, fmt.Errorf("corrupt %s key %q", index, k)
		}
		seq := binary.BigEndian.Uint64(k[len(prefix):])
		v := feed.Get(seqKey(seq))
		if v == nil {
			return nil, fmt.Errorf("%s index names change %d, which does not exist", index, seq)
		}
		rec, err := decodeChange(seq, v)
		if err != nil {
			return nil, err
		}
		changes = append(changes, rec.change(seq))
	}
	return changes, nil
}

// indexChange files change seq under its author's cohort in cohorts and
// under its author in authors, skipping whichever is empty.
func indexChange(cohorts, authors *bbolt.Bucket, cohort, author string, seq uint64) error {
	if cohort != "" {
		if err := cohorts.Put(changeIndexKey(cohort, seq), empty); err != nil {
			return err
		}
	}
	if author != "" {
		if err := authors.Put(changeIndexKey(author, seq), empty); err != nil {
			return err
		}
	}
	return nil
}

// indexChanges is the migration from schema version 1: it files every
// change already in the feed in cohortchanges and authorchanges. Version 1
// did not refuse NUL bytes in authors and cohorts; such a name cannot be a
// key prefix, so its changes are left out of that index.
func indexChanges(tx *bbolt.Tx) error {
	cohorts, err := bucket(tx, bucketCohortChanges)
	if err != nil {
		return err
	}
	authors, err := bucket(tx, bucketAuthorChanges)
	if err != nil {
		return err
	}
	feed, err := bucket(tx, bucketChanges)
	if err != nil {
		return err
	}
	return feed.ForEach(func(k, v []byte) error {
		seq, rec, err := decodeChangeEntry(k, v)
		if err != nil {
			return err
		}
		cohort, author := rec.Cohort, rec.Author
		if strings.IndexByte(cohort, 0) >= 0 {
			cohort = ""
		}
		if strings.IndexByte(author, 0) >= 0 {
			author = ""
		}
		return indexChange(cohorts, authors, cohort, author, seq)
	})
}
