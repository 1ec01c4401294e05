// The synonym list's revisions: one record per revision under its number,
// the newest last. The list is small (wiki.MaxSynonymBytes), so each
// record holds its text.

package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

var _ wiki.SynonymStore = (*DB)(nil)

// synonymRecord is a stored revision of the synonym list.
type synonymRecord struct {
	Text     string `json:"text"`
	Author   string `json:"author"`
	Cohort   string `json:"cohort,omitempty"`
	Summary  string `json:"summary,omitempty"`
	Created  int64  `json:"created"` // Unix ns
	Base     int    `json:"base,omitempty"`
	Merged   bool   `json:"merged,omitempty"`
	RevertOf int    `json:"revert_of,omitempty"`
	Added    int    `json:"added"`
	Removed  int    `json:"removed"`
}

func (r *synonymRecord) list(n int, withText bool) *wiki.SynonymList {
	l := &wiki.SynonymList{Revision: n, Author: r.Author, Cohort: r.Cohort, Summary: r.Summary,
		CreatedAt: fromNanos(r.Created), Base: r.Base, Merged: r.Merged, RevertOf: r.RevertOf, Added: r.Added, Removed: r.Removed}
	if withText {
		l.Text = r.Text
	}
	return l
}

func decodeSynonyms(k, v []byte) (int, *synonymRecord, error) {
	if len(k) != 8 {
		return 0, nil, fmt.Errorf("synonym list: bad key %x", k)
	}
	var r synonymRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return 0, nil, fmt.Errorf("synonym list revision %d: %w", binary.BigEndian.Uint64(k), err)
	}
	return int(binary.BigEndian.Uint64(k)), &r, nil
}

// SynonymList returns the newest revision of the synonym list, or
// wiki.ErrNotFound if it was never saved.
func (db *DB) SynonymList(ctx context.Context) (*wiki.SynonymList, error) {
	var out *wiki.SynonymList
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketSynonyms)
		if err != nil {
			return err
		}
		k, v := b.Cursor().Last()
		if k == nil {
			return wiki.ErrNotFound
		}
		n, r, err := decodeSynonyms(k, v)
		if err != nil {
			return err
		}
		out = r.list(n, true)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: synonym list: %w", err)
	}
	return out, nil
}

// SynonymRevision returns revision n of the synonym list, or
// wiki.ErrNotFound.
func (db *DB) SynonymRevision(ctx context.Context, n int) (*wiki.SynonymList, error) {
	var out *wiki.SynonymList
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketSynonyms)
		if err != nil {
			return err
		}
		if n < 1 {
			return wiki.ErrNotFound
		}
		k := u64(uint64(n))
		v := b.Get(k)
		if v == nil {
			return wiki.ErrNotFound
		}
		_, r, err := decodeSynonyms(k, v)
		if err != nil {
			return err
		}
		out = r.list(n, true)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: synonym list revision %d: %w", n, err)
	}
	return out, nil
}

// SynonymRevisions returns every revision of the synonym list newest
// first, without their text (empty if it was never saved).
func (db *DB) SynonymRevisions(ctx context.Context) ([]*wiki.SynonymList, error) {
	out := []*wiki.SynonymList{}
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketSynonyms)
		if err != nil {
			return err
		}
		c := b.Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			n, r, err := decodeSynonyms(k, v)
			if err != nil {
				return err
			}
			out = append(out, r.list(n, false))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: synonym list revisions: %w", err)
	}
	return out, nil
}

// CommitSynonyms appends l as the next revision of the synonym list if
// the newest revision is still head (0: none yet), and sets l.Revision.
// It returns wiki.ErrConflict if another revision came first, and a
// *wiki.ValidationError for a text over wiki.MaxSynonymBytes or a time
// out of range.
func (db *DB) CommitSynonyms(ctx context.Context, l *wiki.SynonymList, head int) error {
	if len(l.Text) > wiki.MaxSynonymBytes {
		return fmt.Errorf("store: commit synonym list: %w", wiki.Invalid("text", "is longer than %d bytes", wiki.MaxSynonymBytes))
	}
	if !l.CreatedAt.IsZero() && !timeInRange(l.CreatedAt) {
		return fmt.Errorf("store: commit synonym list: %w", wiki.Invalid("created_at", "is out of range"))
	}
	created, err := db.stamp(l.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: commit synonym list: %w", err)
	}
	rec := &synonymRecord{Text: l.Text, Author: l.Author, Cohort: l.Cohort, Summary: l.Summary, Created: created,
		Base: l.Base, Merged: l.Merged, RevertOf: l.RevertOf, Added: l.Added, Removed: l.Removed}
	n := 0
	err = db.update(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketSynonyms)
		if err != nil {
			return err
		}
		newest := 0
		if k, _ := b.Cursor().Last(); k != nil {
			newest = int(binary.BigEndian.Uint64(k))
		}
		if newest != head {
			return fmt.Errorf("newest revision is %d, not %d: %w", newest, head, wiki.ErrConflict)
		}
		n = newest + 1
		return putJSON(b, u64(uint64(n)), rec)
	})
	if err != nil {
		return fmt.Errorf("store: commit synonym list: %w", err)
	}
	l.Revision = n
	l.CreatedAt = fromNanos(created)
	return nil
}
