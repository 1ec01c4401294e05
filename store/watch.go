// Watchlists: watches (what each person watches), seen (the revision of
// each watched page they last opened) and cohortwatches (the pages a
// cohort's members must read), and the watchlist read that joins them
// with the pages.

package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// watchRecord is the value under username+0x00+slug in watches.
type watchRecord struct {
	Prefix  bool  `json:"prefix,omitempty"`
	Created int64 `json:"created"` // Unix ns
}

// Watch adds or updates username's watch of w.Slug, and if they have no
// seen revision for that page yet, records its head (0 if it does not
// exist) as seen: watching starts from what is there now. A
// *wiki.ValidationError for an empty username or slug, or a time out of
// range.
func (db *DB) Watch(ctx context.Context, username string, w wiki.Watch) error {
	v := &wiki.ValidationError{}
	addKeyProblem(v, "username", username)
	addKeyProblem(v, "slug", string(w.Slug))
	addTimeProblem(v, "created_at", w.CreatedAt)
	if err := validationResult(v); err != nil {
		return fmt.Errorf("store: watch %q: %w", w.Slug, err)
	}
	created, err := db.stamp(w.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: watch %q: %w", w.Slug, err)
	}
	err = db.update(ctx, func(tx *bbolt.Tx) error {
		watches, err := bucket(tx, bucketWatches)
		if err != nil {
			return err
		}
		seen, err := bucket(tx, bucketSeen)
		if err != nil {
			return err
		}
		key := userKey(username, string(w.Slug))
		if err := putJSON(watches, key, &watchRecord{Prefix: w.Prefix, Created: created}); err != nil {
			return err
		}
		if seen.Get(key) != nil {
			return nil
		}
		head := 0
		rec, err := findPage(ctx, tx, string(w.Slug))
		switch {
		case errors.Is(err, wiki.ErrNotFound):
		case err != nil:
			return err
		default:
			head = rec.Revision
		}
		return seen.Put(key, u64(uint64(head)))
	})
	if err != nil {
		return fmt.Errorf("store: watch %q: %w", w.Slug, err)
	}
	return nil
}

// Unwatch removes username's watch of slug (the seen revision stays, in
// case they watch it again); a missing watch is no error.
func (db *DB) Unwatch(ctx context.Context, username string, slug wiki.Slug) error {
	err := db.update(ctx, func(tx *bbolt.Tx) error {
		watches, err := bucket(tx, bucketWatches)
		if err != nil {
			return err
		}
		return watches.Delete(userKey(username, string(slug)))
	})
	if err != nil {
		return fmt.Errorf("store: unwatch %q: %w", slug, err)
	}
	return nil
}

// Watches lists username's watches by slug.
func (db *DB) Watches(ctx context.Context, username string) ([]wiki.Watch, error) {
	var out []wiki.Watch
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		var err error
		out, err = findWatches(tx, username)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: watches of %q: %w", username, err)
	}
	return out, nil
}

func findWatches(tx *bbolt.Tx, username string) ([]wiki.Watch, error) {
	watches, err := bucket(tx, bucketWatches)
	if err != nil {
		return nil, err
	}
	out := []wiki.Watch{}
	if strings.IndexByte(username, 0) >= 0 || username == "" {
		return out, nil
	}
	prefix := keyPrefix(username)
	c := watches.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var rec watchRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return nil, fmt.Errorf("watch %q: %w", k, err)
		}
		out = append(out, wiki.Watch{Slug: wiki.Slug(k[len(prefix):]), Prefix: rec.Prefix, CreatedAt: fromNanos(rec.Created)})
	}
	return out, nil
}

// findCohortWatches returns the reading list of cohort by slug.
func findCohortWatches(tx *bbolt.Tx, cohort string) ([]wiki.Slug, error) {
	cw, err := bucket(tx, bucketCohortWatches)
	if err != nil {
		return nil, err
	}
	out := []wiki.Slug{}
	if cohort == "" || strings.IndexByte(cohort, 0) >= 0 {
		return out, nil
	}
	prefix := keyPrefix(cohort)
	c := cw.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		out = append(out, wiki.Slug(k[len(prefix):]))
	}
	return out, nil
}

// Watchlist returns every page on username's watchlist, by slug, at most
// limit (all of them if limit <= 0): the pages they watch, the pages under
// the ones they watch with sub-pages, and cohort's reading list; each with
// the revision they last saw. A page they have no seen revision for counts
// as seen as it stood when they started watching it (through a prefix), or
// as never seen (a reading-list page they have not opened). Pages that do
// not exist (watched before they were written) are left out.
func (db *DB) Watchlist(ctx context.Context, username, cohort string, limit int) ([]wiki.WatchedItem, error) {
	var out []wiki.WatchedItem
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		watches, err := findWatches(tx, username)
		if err != nil {
			return err
		}
		reading, err := findCohortWatches(tx, cohort)
		if err != nil {
			return err
		}
		l := &watchlist{ctx: ctx, tx: tx, username: username, limit: limit, got: map[string]bool{}}
		if l.seen, err = bucket(tx, bucketSeen); err != nil {
			return err
		}
		if l.pages, err = bucket(tx, bucketPages); err != nil {
			return err
		}
		for _, w := range watches {
			if err := l.addWatch(w); err != nil {
				return err
			}
		}
		for _, s := range reading {
			rec, err := findPage(ctx, tx, string(s))
			switch {
			case errors.Is(err, wiki.ErrNotFound):
				continue
			case err != nil:
				return err
			}
			if err := l.add(string(s), rec, wiki.WatchedCohort, s, 0); err != nil {
				return err
			}
		}
		out = l.items
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: watchlist of %q: %w", username, err)
	}
	if out == nil {
		out = []wiki.WatchedItem{}
	}
	return out, nil
}

// watchlist is a watchlist being read in one transaction.
type watchlist struct {
	ctx         context.Context
	tx          *bbolt.Tx
	username    string
	limit       int
	seen, pages *bbolt.Bucket
	got         map[string]bool // slugs listed already
	items       []wiki.WatchedItem
}

// addWatch lists a watched page and, for a prefix watch, every page under it.
func (l *watchlist) addWatch(w wiki.Watch) error {
	rec, err := findPage(l.ctx, l.tx, string(w.Slug))
	switch {
	case errors.Is(err, wiki.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := l.add(string(w.Slug), rec, wiki.WatchedPage, w.Slug, nanos(w.CreatedAt)); err != nil {
			return err
		}
	}
	if !w.Prefix {
		return nil
	}
	p := []byte(string(w.Slug) + "/")
	c := l.pages.Cursor()
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		if err := l.ctx.Err(); err != nil {
			return err
		}
		rec, err := decodePage(v)
		if err != nil {
			return fmt.Errorf("page %q: %w", k, err)
		}
		if err := l.add(string(k), rec, wiki.WatchedPrefix, w.Slug, nanos(w.CreatedAt)); err != nil {
			return err
		}
	}
	return nil
}

// add lists one page once, with the revision its watcher last saw: the
// one recorded, or for a page under a watched prefix the one it was at
// when the watch began (since, in nanoseconds).
func (l *watchlist) add(slug string, rec *pageRecord, via string, watch wiki.Slug, since int64) error {
	if l.got[slug] || l.limit > 0 && len(l.items) >= l.limit {
		return nil
	}
	l.got[slug] = true
	it := wiki.WatchedItem{Page: rec.summary(slug), Deleted: rec.Deleted, Via: via, Watch: watch}
	if v := l.seen.Get(userKey(l.username, slug)); v != nil {
		if len(v) != 8 {
			return fmt.Errorf("corrupt seen value %x", v)
		}
		it.Seen = int(binary.BigEndian.Uint64(v))
	} else if via == wiki.WatchedPrefix {
		n, err := findRevisionAt(l.ctx, l.tx, slug, rec, fromNanos(since))
		switch {
		case errors.Is(err, wiki.ErrNotFound):
		case err != nil:
			return err
		default:
			it.Seen = n
		}
	}
	l.items = append(l.items, it)
	return nil
}

// MarkSeen records that username saw revision n of slug, if slug is on
// their watchlist (watched, under a watched prefix, or on cohort's
// reading list) and what they saw before is older. It looks first in a
// read transaction and writes only when there is something to record, so
// a page view by someone who watches nothing costs one short read.
func (db *DB) MarkSeen(ctx context.Context, username, cohort string, slug wiki.Slug, n int) error {
	if username == "" || strings.IndexByte(username, 0) >= 0 || !storableSlug(string(slug)) || n < 1 {
		return nil
	}
	key := userKey(username, string(slug))
	need := false
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		var err error
		need, err = seenNeedsUpdate(tx, username, cohort, string(slug), key, n)
		return err
	})
	if err != nil || !need {
		return fmtErr("store: mark seen %q", slug, err)
	}
	err = db.update(ctx, func(tx *bbolt.Tx) error {
		need, err := seenNeedsUpdate(tx, username, cohort, string(slug), key, n)
		if err != nil || !need {
			return err
		}
		seen, err := bucket(tx, bucketSeen)
		if err != nil {
			return err
		}
		return seen.Put(key, u64(uint64(n)))
	})
	return fmtErr("store: mark seen %q", slug, err)
}

// seenNeedsUpdate reports whether slug is on username's watchlist with a
// seen revision below n.
func seenNeedsUpdate(tx *bbolt.Tx, username, cohort, slug string, key []byte, n int) (bool, error) {
	seen, err := bucket(tx, bucketSeen)
	if err != nil {
		return false, err
	}
	if v := seen.Get(key); len(v) == 8 && int(binary.BigEndian.Uint64(v)) >= n {
		return false, nil
	}
	watches, err := findWatches(tx, username)
	if err != nil {
		return false, err
	}
	for _, w := range watches {
		if string(w.Slug) == slug || w.Prefix && strings.HasPrefix(slug, string(w.Slug)+"/") {
			return true, nil
		}
	}
	if cohort == "" || strings.IndexByte(cohort, 0) >= 0 {
		return false, nil
	}
	cw, err := bucket(tx, bucketCohortWatches)
	if err != nil {
		return false, err
	}
	return cw.Get(userKey(cohort, slug)) != nil, nil
}

// SetCohortWatches replaces cohort's reading list with slugs.
func (db *DB) SetCohortWatches(ctx context.Context, cohort string, slugs []wiki.Slug) error {
	v := &wiki.ValidationError{}
	addKeyProblem(v, "cohort", cohort)
	for _, s := range slugs {
		addKeyProblem(v, "slugs", string(s))
	}
	if err := validationResult(v); err != nil {
		return fmt.Errorf("store: reading list of %q: %w", cohort, err)
	}
	err := db.update(ctx, func(tx *bbolt.Tx) error {
		cw, err := bucket(tx, bucketCohortWatches)
		if err != nil {
			return err
		}
		old, err := findCohortWatches(tx, cohort)
		if err != nil {
			return err
		}
		for _, s := range old {
			if err := cw.Delete(userKey(cohort, string(s))); err != nil {
				return err
			}
		}
		for _, s := range slugs {
			if err := cw.Put(userKey(cohort, string(s)), empty); err != nil {
				return err
			}
		}
		return nil
	})
	return fmtErr("store: reading list of %q", cohort, err)
}

// CohortWatches returns cohort's reading list by slug.
func (db *DB) CohortWatches(ctx context.Context, cohort string) ([]wiki.Slug, error) {
	var out []wiki.Slug
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		var err error
		out, err = findCohortWatches(tx, cohort)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: reading list of %q: %w", cohort, err)
	}
	return out, nil
}

// fmtErr wraps err with a message about name, or returns nil.
func fmtErr[T ~string](format string, name T, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", name, err)
}
