// Review state, kept by Commit in the same transaction as each revision:
// in each page's head record, how many of its revisions are unreviewed
// and the first of them (every revision from that one on without a
// reviewer is unreviewed); unreviewed (the same revisions, in feed order,
// for recent changes); reviewqueue (pages by their oldest unreviewed
// revision) and the meta counter of the queue. MarkReviewed, the queue,
// recent changes, the version 4 migration that fills them, and the
// version 8 one that moves a page's unreviewed revisions from pendingrevs
// to its record.

package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// fileUnreviewed files revision n of slug, recorded as change seq at ns,
// as unreviewed: in unreviewed, and in page (the page's new head record,
// which the caller writes), which counts it and, if it is the page's
// only unreviewed revision, names it first; that page enters the queue
// under this revision's time, and the queue counter goes up.
func fileUnreviewed(tx *bbolt.Tx, page *pageRecord, slug string, n int, ns int64, seq uint64) error {
	unrev, err := bucket(tx, bucketUnreviewed)
	if err != nil {
		return err
	}
	unrev.FillPercent = fillSequence
	if err := unrev.Put(seqKey(seq), empty); err != nil {
		return err
	}
	page.Unreviewed++
	if page.Unreviewed > 1 {
		return nil
	}
	page.FirstUnreviewed = n
	queue, err := bucket(tx, bucketReviewQueue)
	if err != nil {
		return err
	}
	if err := queue.Put(recentKey(ns, slug), u64(uint64(n))); err != nil {
		return err
	}
	return addReviewCount(tx, 1)
}

// addReviewCount adds d to the count of pages in the review queue.
func addReviewCount(tx *bbolt.Tx, d int) error {
	meta, err := bucket(tx, bucketMeta)
	if err != nil {
		return err
	}
	var n uint64
	if v := meta.Get(metaReviewCount); v != nil {
		if len(v) != 8 {
			return fmt.Errorf("corrupt review count %x", v)
		}
		n = binary.BigEndian.Uint64(v)
	}
	switch {
	case d < 0 && n < uint64(-d):
		return fmt.Errorf("review count %d would go below zero", n)
	case d < 0:
		n -= uint64(-d)
	default:
		n += uint64(d)
	}
	return meta.Put(metaReviewCount, u64(n))
}

// ReviewCount returns how many pages have unreviewed revisions: one read
// of the counter Commit and MarkReviewed keep.
func (db *DB) ReviewCount(ctx context.Context) (int, error) {
	var n int
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		var err error
		n, err = findReviewCount(tx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: review count: %w", err)
	}
	return n, nil
}

// findReviewCount reads the count of pages in the review queue.
func findReviewCount(tx *bbolt.Tx) (int, error) {
	meta, err := bucket(tx, bucketMeta)
	if err != nil {
		return 0, err
	}
	v := meta.Get(metaReviewCount)
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("corrupt review count %x", v)
	}
	return int(binary.BigEndian.Uint64(v)), nil
}

// MarkReviewed marks every unreviewed revision of slug numbered n or less
// reviewed by `by` at `at`, in one transaction: their records get
// ReviewedBy and ReviewedAt, they leave unreviewed and the page's count,
// and the page moves in the review queue to its next unreviewed revision
// or leaves it. Revisions above n are left as they are, whatever arrived
// since the caller looked. It returns how many revisions it marked; an
// error wrapping wiki.ErrNotFound if the page or revision n does not
// exist, a *wiki.ValidationError for an empty reviewer or a time out of
// range.
func (db *DB) MarkReviewed(ctx context.Context, slug wiki.Slug, n int, by string, at time.Time) (int, error) {
	v := &wiki.ValidationError{}
	addKeyProblem(v, "reviewed_by", by)
	addTimeProblem(v, "reviewed_at", at)
	if err := validationResult(v); err != nil {
		return 0, fmt.Errorf("store: review %q: %w", slug, err)
	}
	ats := nanos(at)
	marked := 0
	err := db.update(ctx, func(tx *bbolt.Tx) error {
		marked = 0
		head, err := findPage(ctx, tx, string(slug))
		if err != nil {
			return err
		}
		if n < 1 || n > head.Revision {
			return fmt.Errorf("revision %d: %w", n, wiki.ErrNotFound)
		}
		first := head.FirstUnreviewed
		if head.Unreviewed == 0 || first > n {
			return nil
		}
		b, err := openReviewBuckets(tx)
		if err != nil {
			return err
		}
		// From the first unreviewed revision on, every revision without
		// a reviewer is unreviewed (Commit files each one that is not
		// reviewed on save): they are marked up to n, and the next is
		// the first after n without one.
		next := 0
		var firstTime, nextTime int64
		for k := first; k <= head.Revision && next == 0; k++ {
			key := revKey(string(slug), k)
			var rec revisionRecord
			raw := b.revisions.Get(key)
			if raw == nil {
				return fmt.Errorf("revision %d is missing", k)
			}
			if err := json.Unmarshal(raw, &rec); err != nil {
				return fmt.Errorf("decode revision %d: %w", k, err)
			}
			if k == first {
				firstTime = rec.Created
			}
			switch {
			case rec.ReviewedBy != "":
			case k > n:
				next, nextTime = k, rec.Created
			case rec.Seq == 0:
				return fmt.Errorf("revision %d has no change number", k)
			default:
				rec.ReviewedBy, rec.ReviewedAt = by, &ats
				if err := putJSON(b.revisions, key, &rec); err != nil {
					return err
				}
				if err := b.unreviewed.Delete(seqKey(rec.Seq)); err != nil {
					return err
				}
				marked++
			}
		}
		left := head.Unreviewed - marked
		if marked == 0 || left < 0 || (left > 0) != (next > 0) {
			return fmt.Errorf("the page counts %d unreviewed revisions from %d; %d were up to %d, and the next is %d", head.Unreviewed, first, marked, n, next)
		}
		if err := b.queue.Delete(recentKey(firstTime, string(slug))); err != nil {
			return err
		}
		head.Unreviewed, head.FirstUnreviewed = left, next
		if err := putJSON(b.pages, []byte(slug), head); err != nil {
			return err
		}
		if left == 0 {
			return addReviewCount(tx, -1)
		}
		return b.queue.Put(recentKey(nextTime, string(slug)), u64(uint64(next)))
	})
	if err != nil {
		return 0, fmt.Errorf("store: review %q up to revision %d: %w", slug, n, err)
	}
	return marked, nil
}

// reviewBuckets are the buckets MarkReviewed writes.
type reviewBuckets struct{ pages, revisions, unreviewed, queue *bbolt.Bucket }

func openReviewBuckets(tx *bbolt.Tx) (*reviewBuckets, error) {
	var b reviewBuckets
	var err error
	if b.revisions, err = bucket(tx, bucketRevisions); err != nil {
		return nil, err
	}
	if b.pages, err = bucket(tx, bucketPages); err != nil {
		return nil, err
	}
	if b.unreviewed, err = bucket(tx, bucketUnreviewed); err != nil {
		return nil, err
	}
	if b.queue, err = bucket(tx, bucketReviewQueue); err != nil {
		return nil, err
	}
	return &b, nil
}

// RevisionInfo returns revision n of slug without its Markdown, or an
// error wrapping wiki.ErrNotFound.
func (db *DB) RevisionInfo(ctx context.Context, slug wiki.Slug, n int) (*wiki.Revision, error) {
	var rev *wiki.Revision
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		if !storableSlug(string(slug)) || n < 1 {
			return wiki.ErrNotFound
		}
		var err error
		rev, err = findRevision(ctx, tx, string(slug), n)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: page %q: revision %d: %w", slug, n, err)
	}
	return rev, nil
}

// revisionTime returns when revision n of slug was made, Unix ns, from
// its record (decoding only its time).
func revisionTime(tx *bbolt.Tx, slug string, n int) (int64, error) {
	revisions, err := bucket(tx, bucketRevisions)
	if err != nil {
		return 0, err
	}
	v := revisions.Get(revKey(slug, n))
	if v == nil {
		return 0, fmt.Errorf("revision %d: %w", n, wiki.ErrNotFound)
	}
	var rec struct {
		Created int64 `json:"created"`
	}
	if err := json.Unmarshal(v, &rec); err != nil {
		return 0, fmt.Errorf("decode revision %d: %w", n, err)
	}
	return rec.Created, nil
}

// ReviewQueue returns up to limit pages with unreviewed revisions (50 if
// zero or less, 1000 at most), the page whose oldest unreviewed revision
// is oldest first: each with its head, the revision before its first
// unreviewed one (From), its head revision (To), and the revisions
// between, without text. It reads the reviewqueue index, not the pages.
func (db *DB) ReviewQueue(ctx context.Context, limit int) ([]wiki.ReviewItem, error) {
	limit = clampLimit(limit)
	items := []wiki.ReviewItem{}
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		queue, err := bucket(tx, bucketReviewQueue)
		if err != nil {
			return err
		}
		c := queue.Cursor()
		for k, v := c.First(); k != nil && len(items) < limit; k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			if len(k) <= 8 || len(v) != 8 {
				return fmt.Errorf("corrupt reviewqueue entry %q", k)
			}
			slug := string(k[8:])
			first := int(binary.BigEndian.Uint64(v))
			rec, err := findIndexedPage(ctx, tx, "reviewqueue", slug)
			if err != nil {
				return err
			}
			it := wiki.ReviewItem{Page: rec.summary(slug), Deleted: rec.Deleted, From: first - 1, To: rec.Revision,
				Since: fromNanos(int64(binary.BigEndian.Uint64(k[:8]) ^ (1 << 63)))}
			for n := first; n <= rec.Revision; n++ {
				r, err := findRevision(ctx, tx, slug, n)
				if err != nil {
					return fmt.Errorf("page %q: revision %d: %w", slug, n, err)
				}
				it.Revisions = append(it.Revisions, r)
				if !slices.Contains(it.Authors, r.Author) {
					it.Authors = append(it.Authors, r.Author)
				}
				if r.Cohort != "" && !slices.Contains(it.Cohorts, r.Cohort) {
					it.Cohorts = append(it.Cohorts, r.Cohort)
				}
			}
			items = append(items, it)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: review queue: %w", err)
	}
	return items, nil
}

// maxChangeScan bounds the feed entries one RecentChanges call reads, so
// a narrow filter over a long history answers in bounded time (with a
// cursor to read on) rather than scanning everything at once.
const maxChangeScan = 5000

// sinceSlack is how far out of time order the feed may be: commits that
// run together are sequenced in the order they commit, not the order their
// clocks were read. A walk back in time stops this far past Since.
const sinceSlack = time.Minute

// RecentChanges returns changes newest first that pass f (see
// wiki.ChangeFilter), at most f.Limit (50 if zero or less, 500 at most),
// each with its revision's tags and review, and a cursor for the next
// ones: "" when there are no more. It walks the narrowest index that f
// allows (the page's revisions, unreviewed, cohortchanges, authorchanges,
// or the feed) and reads at most maxChangeScan entries, so it may return
// fewer rows than asked with a cursor. A cursor that RecentChanges did not
// make for the same kind of walk is a *wiki.ValidationError.
func (db *DB) RecentChanges(ctx context.Context, f wiki.ChangeFilter) ([]wiki.RecentChange, string, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, wiki.MaxChangeLimit)
	kind := byte('f')
	switch {
	case f.Page != "":
		kind = 'p'
	case f.Unreviewed:
		kind = 'u'
	case f.Cohort != "":
		kind = 'c'
	case f.Author != "":
		kind = 'a'
	}
	before := uint64(0) // 0: from the newest
	if f.Cursor != "" {
		if len(f.Cursor) < 2 || f.Cursor[0] != kind {
			return nil, "", fmt.Errorf("store: recent changes: %w", wiki.Invalid("cursor", "is not a cursor from the same listing; start again without it"))
		}
		v, err := strconv.ParseUint(f.Cursor[1:], 10, 64)
		if err != nil || v == 0 {
			return nil, "", fmt.Errorf("store: recent changes: %w", wiki.Invalid("cursor", "is not a cursor from a previous listing"))
		}
		before = v
	}
	rows := []wiki.RecentChange{}
	next := ""
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		w, err := newChangeWalk(tx, kind, f, before)
		if err != nil {
			return err
		}
		for scanned := 0; ; scanned++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			pos, row, ok, err := w.next()
			if err != nil {
				return err
			}
			if !ok {
				return nil
			}
			if !f.Since.IsZero() && row.Time.Before(f.Since.Add(-sinceSlack)) {
				return nil
			}
			if scanned == maxChangeScan {
				next = string(kind) + strconv.FormatUint(pos+1, 10) // resume at this entry
				return nil
			}
			if !passes(&row, f) {
				continue
			}
			if len(rows) == limit {
				next = string(kind) + strconv.FormatUint(pos+1, 10)
				return nil
			}
			rows = append(rows, row)
		}
	})
	if err != nil {
		return nil, "", fmt.Errorf("store: recent changes: %w", err)
	}
	return rows, next, nil
}

// passes reports whether a change passes the filter (what the walk's
// index does not already guarantee is checked again; it is cheap).
func passes(r *wiki.RecentChange, f wiki.ChangeFilter) bool {
	switch {
	case f.Cohort != "" && r.Cohort != f.Cohort,
		f.Author != "" && r.Author != f.Author,
		f.Prefix != "" && !strings.HasPrefix(string(r.Slug), f.Prefix),
		f.Page != "" && r.Slug != f.Page,
		f.Tag != "" && !slices.Contains(r.Tags, f.Tag),
		!f.Since.IsZero() && r.Time.Before(f.Since),
		!f.Until.IsZero() && r.Time.After(f.Until),
		f.Unreviewed && r.ReviewedBy != "":
		return false
	}
	return true
}

// changeWalk steps back through one index of changes. Its positions are
// feed sequence numbers, or revision numbers for one page's walk.
type changeWalk struct {
	tx     *bbolt.Tx
	feed   *bbolt.Bucket
	c      *bbolt.Cursor
	prefix []byte // of the index keys walked; nil for the feed and unreviewed
	k      []byte
	slug   string // for a page's walk
	n      int    // next revision number of a page's walk
	first  bool
}

func newChangeWalk(tx *bbolt.Tx, kind byte, f wiki.ChangeFilter, before uint64) (*changeWalk, error) {
	feed, err := bucket(tx, bucketChanges)
	if err != nil {
		return nil, err
	}
	w := &changeWalk{tx: tx, feed: feed, first: true}
	if kind == 'p' {
		w.slug = string(f.Page)
		head, err := findPage(context.Background(), tx, w.slug)
		switch {
		case errors.Is(err, wiki.ErrNotFound):
			w.n = 0
		case err != nil:
			return nil, err
		default:
			w.n = head.Revision
			if before > 0 {
				w.n = min(w.n, int(min(before-1, uint64(head.Revision))))
			}
		}
		return w, nil
	}
	var idx *bbolt.Bucket
	switch kind {
	case 'u':
		idx, err = bucket(tx, bucketUnreviewed)
	case 'c':
		idx, err = bucket(tx, bucketCohortChanges)
		w.prefix = keyPrefix(f.Cohort)
	case 'a':
		idx, err = bucket(tx, bucketAuthorChanges)
		w.prefix = keyPrefix(f.Author)
	default:
		idx = feed
	}
	if err != nil {
		return nil, err
	}
	w.c = idx.Cursor()
	// Seek to the first key at or past the end, then step back.
	var end []byte
	switch {
	case before > 0:
		end = append(bytes.Clone(w.prefix), seqKey(before)...)
	case w.prefix != nil:
		end = append(bytes.Clone(w.prefix[:len(w.prefix)-1]), 1)
	}
	if end == nil {
		w.k, _ = w.c.Last()
	} else if k, _ := w.c.Seek(end); k == nil {
		w.k, _ = w.c.Last()
	} else {
		w.k, _ = w.c.Prev()
	}
	return w, nil
}

// next returns the next change back and its position, or ok=false at the
// end.
func (w *changeWalk) next() (pos uint64, row wiki.RecentChange, ok bool, err error) {
	if w.c == nil {
		if w.n < 1 {
			return 0, row, false, nil
		}
		rev, err := findRevision(context.Background(), w.tx, w.slug, w.n)
		if err != nil {
			return 0, row, false, fmt.Errorf("page %q: revision %d: %w", w.slug, w.n, err)
		}
		pos = uint64(w.n)
		w.n--
		return pos, recentFromRevision(rev), true, nil
	}
	if !w.first {
		w.k, _ = w.c.Prev()
	}
	w.first = false
	k := w.k
	if k == nil || w.prefix != nil && !bytes.HasPrefix(k, w.prefix) {
		return 0, row, false, nil
	}
	if len(k) != len(w.prefix)+8 {
		return 0, row, false, fmt.Errorf("corrupt change index key %q", k)
	}
	seq := binary.BigEndian.Uint64(k[len(w.prefix):])
	v := w.feed.Get(seqKey(seq))
	if v == nil {
		return 0, row, false, fmt.Errorf("an index names change %d, which does not exist", seq)
	}
	rec, err := decodeChange(seq, v)
	if err != nil {
		return 0, row, false, err
	}
	row = wiki.RecentChange{Change: rec.change(seq)}
	rev, err := findRevision(context.Background(), w.tx, rec.Slug, rec.Revision)
	if err != nil {
		return 0, row, false, fmt.Errorf("change %d names revision %d of %q: %w", seq, rec.Revision, rec.Slug, err)
	}
	row.Tags, row.ReviewedBy, row.ReviewedAt = rev.Tags, rev.ReviewedBy, rev.ReviewedAt
	return seq, row, true, nil
}

// recentFromRevision is the recent-changes row of a revision read from a
// page's history (Seq unknown: 0).
func recentFromRevision(r *wiki.Revision) wiki.RecentChange {
	return wiki.RecentChange{
		Change: wiki.Change{Slug: r.Slug, Revision: r.Number, Kind: r.Kind, Title: r.Title, Author: r.Author, Cohort: r.Cohort,
			Summary: r.Summary, Time: r.CreatedAt, Added: r.Added, Removed: r.Removed},
		Tags: r.Tags, ReviewedBy: r.ReviewedBy, ReviewedAt: r.ReviewedAt,
	}
}

// indexReviews is part of the migration from schema version 4: it files
// every revision without a reviewer as unreviewed, as Commit now does,
// and builds the queue and its counter. Revisions by the wiki's own
// actors (import and the welcome page) and by people who are trainers or
// admins now count as reviewed on save, as they would have under the new
// rule; they are marked so, reviewed at their own time.
func indexReviews(tx *bbolt.Tx) error {
	if err := recreateBuckets(tx, bucketUnreviewed, bucketReviewQueue); err != nil {
		return err
	}
	meta, err := bucket(tx, bucketMeta)
	if err != nil {
		return err
	}
	if err := meta.Put(metaReviewCount, u64(0)); err != nil {
		return err
	}
	trusted := map[string]bool{"import": true, "faqwiki": true}
	accts, err := bucket(tx, bucketAccounts)
	if err != nil {
		return err
	}
	err = accts.ForEach(func(k, v []byte) error {
		var a struct {
			Role string `json:"role"`
		}
		if err := json.Unmarshal(v, &a); err != nil {
			return fmt.Errorf("account %q: %w", k, err)
		}
		if r, err := wiki.ParseRole(a.Role); err == nil && r >= wiki.RoleTrainer {
			trusted[string(k)] = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	revisions, err := bucket(tx, bucketRevisions)
	if err != nil {
		return err
	}
	pages, err := bucket(tx, bucketPages)
	if err != nil {
		return err
	}
	feed, err := bucket(tx, bucketChanges)
	if err != nil {
		return err
	}
	// Read first, write after: a cursor must not walk a bucket being written.
	type change struct {
		seq  uint64
		slug string
		n    int
		rec  revisionRecord
	}
	var all []change
	err = feed.ForEach(func(k, v []byte) error {
		seq, rec, err := decodeChangeEntry(k, v)
		if err != nil {
			return err
		}
		raw := revisions.Get(revKey(rec.Slug, rec.Revision))
		if raw == nil {
			return fmt.Errorf("change %d names revision %d of %q, which does not exist", seq, rec.Revision, rec.Slug)
		}
		c := change{seq: seq, slug: rec.Slug, n: rec.Revision}
		if err := json.Unmarshal(raw, &c.rec); err != nil {
			return fmt.Errorf("decode revision %d of %q: %w", rec.Revision, rec.Slug, err)
		}
		all = append(all, c)
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range all {
		if c.rec.ReviewedBy == "" && trusted[c.rec.Author] && strings.IndexByte(c.rec.Author, 0) < 0 {
			at := c.rec.Created
			c.rec.ReviewedBy, c.rec.ReviewedAt = c.rec.Author, &at
			if err := putJSON(revisions, revKey(c.slug, c.n), &c.rec); err != nil {
				return err
			}
		}
		if c.rec.ReviewedBy != "" {
			continue
		}
		page, err := findPage(context.Background(), tx, c.slug)
		if err != nil {
			return fmt.Errorf("revision %d of %q: %w", c.n, c.slug, err)
		}
		if err := fileUnreviewed(tx, page, c.slug, c.n, c.rec.Created, c.seq); err != nil {
			return fmt.Errorf("revision %d of %q: %w", c.n, c.slug, err)
		}
		if err := putJSON(pages, []byte(c.slug), page); err != nil {
			return err
		}
	}
	return nil
}

// reviewsInPages is the migration from schema version 8: every revision
// record gets the number of its change in the feed, and each page's
// unreviewed revisions, listed in pendingrevs until then, are counted in
// its record, which names the first of them; pendingrevs goes. A page
// with none listed keeps what its record says (none, or what the version
// 4 migration, run first in the same Open, filed there).
func reviewsInPages(tx *bbolt.Tx) error {
	revisions, err := bucket(tx, bucketRevisions)
	if err != nil {
		return err
	}
	feed, err := bucket(tx, bucketChanges)
	if err != nil {
		return err
	}
	pages, err := bucket(tx, bucketPages)
	if err != nil {
		return err
	}
	err = feed.ForEach(func(k, v []byte) error {
		seq, ch, err := decodeChangeEntry(k, v)
		if err != nil {
			return err
		}
		key := revKey(ch.Slug, ch.Revision)
		var rec revisionRecord
		raw := revisions.Get(key)
		if raw == nil {
			return fmt.Errorf("change %d names revision %d of %q, which does not exist", seq, ch.Revision, ch.Slug)
		}
		if err := json.Unmarshal(raw, &rec); err != nil {
			return fmt.Errorf("decode revision %d of %q: %w", ch.Revision, ch.Slug, err)
		}
		rec.Seq = seq
		return putJSON(revisions, key, &rec)
	})
	if err != nil {
		return err
	}
	pending := tx.Bucket(bucketPendingRevs)
	if pending == nil {
		return nil
	}
	var page *pageRecord
	var slug []byte
	flush := func() error {
		if page == nil {
			return nil
		}
		return putJSON(pages, slug, page)
	}
	err = pending.ForEach(func(k, _ []byte) error {
		if len(k) < 10 || k[len(k)-9] != 0 {
			return fmt.Errorf("corrupt pendingrevs key %q", k)
		}
		s, n := k[:len(k)-9], int(binary.BigEndian.Uint64(k[len(k)-8:]))
		if page == nil || !bytes.Equal(s, slug) {
			if err := flush(); err != nil {
				return err
			}
			slug = bytes.Clone(s)
			var err error
			if page, err = findPage(context.Background(), tx, string(slug)); err != nil {
				return fmt.Errorf("pendingrevs names page %q: %w", slug, err)
			}
			page.Unreviewed, page.FirstUnreviewed = 0, n
		}
		page.Unreviewed++
		return nil
	})
	if err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	return tx.DeleteBucket(bucketPendingRevs)
}
