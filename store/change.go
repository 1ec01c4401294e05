// The change feed, in changes: one entry per commit under a global,
// gap-free sequence number, which the search index and other derived views
// follow.

package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// changeRecord is one entry of the change feed, the value under its
// sequence number in changes.
type changeRecord struct {
	Slug     string `json:"slug"`
	Revision int    `json:"rev"`
	Kind     string `json:"kind"`
	Title    string `json:"title"`
	Author   string `json:"author,omitempty"`
	Cohort   string `json:"cohort,omitempty"`
	Summary  string `json:"summary,omitempty"`
	Time     int64  `json:"time"` // Unix ns
	Added    int    `json:"added,omitempty"`
	Removed  int    `json:"removed,omitempty"`
}

// change returns the record as the wiki.Change with sequence number seq.
func (r *changeRecord) change(seq uint64) wiki.Change {
	return wiki.Change{
		Seq:      seq,
		Slug:     wiki.Slug(r.Slug),
		Revision: r.Revision,
		Kind:     wiki.RevisionKind(r.Kind),
		Title:    r.Title,
		Author:   r.Author,
		Cohort:   r.Cohort,
		Summary:  r.Summary,
		Time:     fromNanos(r.Time),
		Added:    r.Added,
		Removed:  r.Removed,
	}
}

// decodeChangeEntry reads one entry of the changes bucket: its big-endian
// sequence number key and its record. Every reader of the feed goes
// through it, so a corrupt key or record is reported the same way.
func decodeChangeEntry(k, v []byte) (uint64, *changeRecord, error) {
	if len(k) != 8 {
		return 0, nil, fmt.Errorf("corrupt change key %q", k)
	}
	seq := binary.BigEndian.Uint64(k)
	rec, err := decodeChange(seq, v)
	return seq, rec, err
}

// decodeChange decodes the record of change seq.
func decodeChange(seq uint64, v []byte) (*changeRecord, error) {
	var rec changeRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("decode change %d: %w", seq, err)
	}
	return &rec, nil
}

// Changes returns up to limit changes with Seq > since, oldest first (50 if
// limit is zero or less, 1000 at most). Sequence numbers have no gaps: a
// follower that has applied since can ask for since+1 onwards and miss
// nothing. It returns an error only if the records cannot be read.
func (db *DB) Changes(ctx context.Context, since uint64, limit int) ([]wiki.Change, error) {
	limit = clampLimit(limit)
	changes := []wiki.Change{}
	if since == math.MaxUint64 {
		return changes, nil
	}
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketChanges)
		if err != nil {
			return err
		}
		c := b.Cursor()
		for k, v := c.Seek(seqKey(since + 1)); k != nil && len(changes) < limit; k, v = c.Next() {
			seq, rec, err := decodeChangeEntry(k, v)
			if err != nil {
				return err
			}
			changes = append(changes, rec.change(seq))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: changes since %d: %w", since, err)
	}
	return changes, nil
}

// LastSeq returns the sequence number of the newest change, 0 if there is
// none. It returns an error only if the file cannot be read.
func (db *DB) LastSeq(ctx context.Context) (uint64, error) {
	var seq uint64
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketChanges)
		if err != nil {
			return err
		}
		seq = b.Sequence()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: last sequence: %w", err)
	}
	return seq, nil
}

// appendChange adds rec to the feed under the next sequence number and
// returns it. The number comes from the bucket's sequence inside tx, so a
// transaction that rolls back hands its number to the next one: no gaps.
func appendChange(ctx context.Context, tx *bbolt.Tx, rec *changeRecord) (uint64, error) {
	b, err := bucket(tx, bucketChanges)
	if err != nil {
		return 0, err
	}
	b.FillPercent = fillSequence
	seq, err := b.NextSequence()
	if err != nil {
		return 0, fmt.Errorf("next change sequence: %w", err)
	}
	if err := putJSON(b, seqKey(seq), rec); err != nil {
		return 0, fmt.Errorf("append change %d: %w", seq, err)
	}
	return seq, nil
}
