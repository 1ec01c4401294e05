// Pages: the head of each page, in pages, and what is read from it and its
// indexes (tags, recent): listings, and the wiki at a point in time
// (PageAt, PagesAt, from the revision records). Listing by title is in
// title.go.

package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// pageRecord is the head of a page, the value under its slug in pages. It
// repeats what listings need from the head revision so that they read one
// small record per page; the text stays in texts.
type pageRecord struct {
	Title    string   `json:"title"`
	Tags     []string `json:"tags,omitempty"`
	Revision int      `json:"rev"`               // number of the head revision
	Deleted  bool     `json:"deleted,omitempty"` // the head revision is a delete
	Created  int64    `json:"created"`           // Unix ns of revision 1
	Updated  int64    `json:"updated"`           // Unix ns of the head revision
	Author   string   `json:"author,omitempty"`
	Cohort   string   `json:"cohort,omitempty"`

	// TitleKey is foldTitle(Title) as it was when the page was filed in
	// titles, so that the next commit removes that very key ("" for a
	// deleted page, which is not filed).
	TitleKey string `json:"title_key,omitempty"`

	// Unreviewed is how many of the page's revisions await review and
	// FirstUnreviewed the oldest of them (0 for none): from that one on,
	// every revision without a reviewer is unreviewed (from schema
	// version 9; review.go).
	Unreviewed      int `json:"unreviewed,omitempty"`
	FirstUnreviewed int `json:"first_unreviewed,omitempty"`
}

// summary returns the listing entry of the page slug.
func (r *pageRecord) summary(slug string) wiki.PageSummary {
	return wiki.PageSummary{
		Slug:      wiki.Slug(slug),
		Title:     r.Title,
		Revision:  r.Revision,
		UpdatedAt: fromNanos(r.Updated),
		Author:    r.Author,
		Cohort:    r.Cohort,
		Tags:      r.Tags,
	}
}

// Page returns the head of the page slug, including a deleted page (with
// Deleted set). It returns an error wrapping wiki.ErrNotFound if the page
// never existed, and a plain error if its records cannot be read.
func (db *DB) Page(ctx context.Context, slug wiki.Slug) (*wiki.Page, error) {
	var p *wiki.Page
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		rec, err := findPage(ctx, tx, string(slug))
		if err != nil {
			return err
		}
		text, err := db.findText(tx, string(slug), rec.Revision)
		if err != nil {
			return err
		}
		rev, err := findRevision(ctx, tx, string(slug), rec.Revision)
		if err != nil {
			return err
		}
		p = &wiki.Page{
			Attachments: rev.Attachments,
			Slug:        slug,
			Title:       rec.Title,
			Markdown:    text,
			Tags:        rec.Tags,
			Revision:    rec.Revision,
			Deleted:     rec.Deleted,
			CreatedAt:   fromNanos(rec.Created),
			UpdatedAt:   fromNanos(rec.Updated),
			Author:      rec.Author,
			Cohort:      rec.Cohort,
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: page %q: %w", slug, err)
	}
	return p, nil
}

// PageAt returns the page slug as it stood at time t: built from the last
// revision created at or before t, with Deleted set if that revision was a
// delete and CreatedAt the time of revision 1. It returns an error wrapping
// wiki.ErrNotFound if the page did not exist at t (or never did), and a
// plain error if its records cannot be read.
//
// It finds the revision from the page's record, or by a binary search of
// its revisions' times (findRevisionAt), so its cost grows with the log
// of the page's history.
func (db *DB) PageAt(ctx context.Context, slug wiki.Slug, t time.Time) (*wiki.Page, error) {
	var p *wiki.Page
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		head, err := findPage(ctx, tx, string(slug))
		if err != nil {
			return err
		}
		n, err := findRevisionAt(ctx, tx, string(slug), head, t)
		if err != nil {
			return err
		}
		rev, err := findRevision(ctx, tx, string(slug), n)
		if err != nil {
			return err
		}
		if rev.Markdown, err = db.findText(tx, string(slug), n); err != nil {
			return err
		}
		p = &wiki.Page{
			Attachments: rev.Attachments,
			Slug:        slug,
			Title:       rev.Title,
			Markdown:    rev.Markdown,
			Tags:        rev.Tags,
			Revision:    rev.Number,
			Deleted:     rev.Deleted(),
			CreatedAt:   fromNanos(head.Created),
			UpdatedAt:   rev.CreatedAt,
			Author:      rev.Author,
			Cohort:      rev.Cohort,
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: page %q at %s: %w", slug, t.UTC().Format(time.RFC3339), err)
	}
	return p, nil
}

// PagesAt lists the pages that existed and were not deleted at time t,
// ordered by slug, each as the revision that was its head then (title,
// number, time, author, cohort and tags of that revision): the wiki as it
// stood. It returns an empty slice if there were none, and an error only if
// the records cannot be read.
//
// It walks the pages bucket and finds each page's revision as PageAt does:
// from its record for a page not changed since t (or made after it), else
// by a binary search of its revisions' times.
func (db *DB) PagesAt(ctx context.Context, t time.Time) ([]wiki.PageSummary, error) {
	pages := []wiki.PageSummary{}
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketPages)
		if err != nil {
			return err
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			slug := string(k)
			head, err := decodePage(v)
			if err != nil {
				return fmt.Errorf("page %q: %w", slug, err)
			}
			n, err := findRevisionAt(ctx, tx, slug, head, t)
			switch {
			case errors.Is(err, wiki.ErrNotFound):
				continue // created after t
			case err != nil:
				return fmt.Errorf("page %q: %w", slug, err)
			}
			rev, err := findRevision(ctx, tx, slug, n)
			switch {
			case errors.Is(err, wiki.ErrNotFound):
				return fmt.Errorf("revision %d of %q, made at or before %s, does not exist", n, slug, t)
			case err != nil:
				return fmt.Errorf("page %q: %w", slug, err)
			}
			if rev.Deleted() {
				continue
			}
			pages = append(pages, wiki.PageSummary{
				Slug:      rev.Slug,
				Title:     rev.Title,
				Revision:  rev.Number,
				UpdatedAt: rev.CreatedAt,
				Author:    rev.Author,
				Cohort:    rev.Cohort,
				Tags:      rev.Tags,
			})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: pages at %s: %w", t.UTC().Format(time.RFC3339), err)
	}
	return pages, nil
}

// Pages lists pages that are not deleted, ordered by slug, that start with
// f.Prefix and carry f.Tag (when set). With f.ByTitle they are ordered by
// title instead, case- and accent-insensitively (see foldTitle), then by
// slug; that order cannot be combined with f.Tag. It returns at most
// f.Limit pages (50 if zero or less, 1000 at most) and a cursor to pass as
// f.Cursor, with the same f.ByTitle, for the next ones: "" when there are
// no more.
//
// It returns a *wiki.ValidationError if f sets both Tag and ByTitle, or if
// f.Cursor is not one that Pages made for the same order; unreadable
// records are plain errors.
//
// By slug, it reads the pages bucket or, with a tag, the tags index; by
// title, the titles index, checking f.Prefix against every key it passes,
// so a narrow prefix by title costs a scan of the index keys.
func (db *DB) Pages(ctx context.Context, f wiki.PageFilter) ([]wiki.PageSummary, string, error) {
	if f.TitlePrefix != "" {
		f.ByTitle = true
	}
	if f.ByTitle && f.Tag != "" {
		return nil, "", fmt.Errorf("store: list pages: %w", wiki.Invalid("tag", "cannot be combined with ordering by title"))
	}
	limit := clampLimit(f.Limit)
	after, err := decodeCursor(f.Cursor, f.ByTitle)
	if err != nil {
		return nil, "", fmt.Errorf("store: list pages: %w", err)
	}
	var (
		pages []wiki.PageSummary
		last  []byte // titles key of the last page, by title
		more  bool
	)
	err = db.view(ctx, func(tx *bbolt.Tx) error {
		var err error
		switch {
		case f.ByTitle:
			pages, last, more, err = findPagesByTitle(ctx, tx, f.Prefix, f.TitlePrefix, after, limit)
		case f.Tag != "":
			pages, more, err = findPagesByTag(ctx, tx, f.Tag, f.Prefix, string(after), limit)
		default:
			pages, more, err = findPages(ctx, tx, f.Prefix, string(after), limit)
		}
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("store: list pages: %w", err)
	}
	next := ""
	switch {
	case !more || len(pages) == 0:
	case f.ByTitle:
		next = encodeTitleCursor(last)
	default:
		next = encodeCursor(string(pages[len(pages)-1].Slug))
	}
	return pages, next, nil
}

// RecentPages lists up to limit pages that are not deleted (50 if limit is
// zero or less, 1000 at most), most recently changed first. It returns an
// error only if the records cannot be read.
func (db *DB) RecentPages(ctx context.Context, limit int) ([]wiki.PageSummary, error) {
	limit = clampLimit(limit)
	pages := []wiki.PageSummary{}
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		recent, err := bucket(tx, bucketRecent)
		if err != nil {
			return err
		}
		c := recent.Cursor()
		for k, _ := c.Last(); k != nil && len(pages) < limit; k, _ = c.Prev() {
			if len(k) <= 8 {
				return fmt.Errorf("corrupt recent key %q", k)
			}
			slug := string(k[8:])
			rec, err := findIndexedPage(ctx, tx, "recent", slug)
			if err != nil {
				return err
			}
			pages = append(pages, rec.summary(slug))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: recent pages: %w", err)
	}
	return pages, nil
}

// Exists reports, for each slug, whether it names a page that is not
// deleted. It returns an error only if the records cannot be read.
func (db *DB) Exists(ctx context.Context, slugs []wiki.Slug) ([]bool, error) {
	found := make([]bool, len(slugs))
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		for i, slug := range slugs {
			rec, err := findPage(ctx, tx, string(slug))
			switch {
			case errors.Is(err, wiki.ErrNotFound):
				continue
			case err != nil:
				return fmt.Errorf("page %q: %w", slug, err)
			}
			found[i] = !rec.Deleted
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: exists: %w", err)
	}
	return found, nil
}

// findPage returns the head record of slug, or wiki.ErrNotFound.
func findPage(ctx context.Context, tx *bbolt.Tx, slug string) (*pageRecord, error) {
	if !storableSlug(slug) {
		return nil, wiki.ErrNotFound
	}
	pages, err := bucket(tx, bucketPages)
	if err != nil {
		return nil, err
	}
	v := pages.Get([]byte(slug))
	if v == nil {
		return nil, wiki.ErrNotFound
	}
	return decodePage(v)
}

// findIndexedPage is findPage for a slug read from the index bucket named
// index. A missing page is then a broken index, not wiki.ErrNotFound: the
// caller asked for a listing, not for that page.
func findIndexedPage(ctx context.Context, tx *bbolt.Tx, index, slug string) (*pageRecord, error) {
	rec, err := findPage(ctx, tx, slug)
	switch {
	case errors.Is(err, wiki.ErrNotFound):
		return nil, fmt.Errorf("%s index names page %q, which does not exist", index, slug)
	case err != nil:
		return nil, fmt.Errorf("%s index names page %q: %w", index, slug, err)
	}
	return rec, nil
}

// decodePage decodes a pages value. json.Unmarshal copies what it keeps,
// so the record is safe to use after the transaction.
func decodePage(v []byte) (*pageRecord, error) {
	var rec pageRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("decode page record: %w", err)
	}
	if rec.Revision < 1 {
		return nil, fmt.Errorf("decode page record: bad head revision %d", rec.Revision)
	}
	return &rec, nil
}

// storableSlug reports whether slug can be a key: not empty, and free of
// the 0x00 byte that separates a slug from the rest of a composite key.
// Anything else is the domain's business (wiki.ParseSlug).
func storableSlug(slug string) bool {
	return slug != "" && strings.IndexByte(slug, 0) < 0
}

// findPages returns up to limit live pages with slugs that start with prefix
// and sort after the slug after, and whether there are more.
func findPages(ctx context.Context, tx *bbolt.Tx, prefix, after string, limit int) ([]wiki.PageSummary, bool, error) {
	pages, err := bucket(tx, bucketPages)
	if err != nil {
		return nil, false, err
	}
	out := []wiki.PageSummary{}
	c := pages.Cursor()
	p := []byte(prefix)
	for k, v := c.Seek([]byte(max(prefix, after))); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		if string(k) == after {
			continue
		}
		rec, err := decodePage(v)
		if err != nil {
			return nil, false, fmt.Errorf("page %q: %w", k, err)
		}
		if rec.Deleted {
			continue
		}
		if len(out) == limit {
			return out, true, nil
		}
		out = append(out, rec.summary(string(k)))
	}
	return out, false, nil
}

// findPagesByTag is findPages for the live pages tagged tag, read from the
// tags index.
func findPagesByTag(ctx context.Context, tx *bbolt.Tx, tag, prefix, after string, limit int) ([]wiki.PageSummary, bool, error) {
	out := []wiki.PageSummary{}
	if strings.IndexByte(tag, 0) >= 0 {
		return out, false, nil // no stored tag has one
	}
	tags, err := bucket(tx, bucketTags)
	if err != nil {
		return nil, false, err
	}
	tp := tagPrefix(tag)
	p := tagKey(tag, prefix)
	c := tags.Cursor()
	for k, _ := c.Seek(tagKey(tag, max(prefix, after))); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		slug := string(k[len(tp):])
		if slug == after {
			continue
		}
		rec, err := findIndexedPage(ctx, tx, "tags", slug)
		if err != nil {
			return nil, false, err
		}
		if rec.Deleted {
			continue // cannot happen: Commit unindexes deleted pages
		}
		if len(out) == limit {
			return out, true, nil
		}
		out = append(out, rec.summary(slug))
	}
	return out, false, nil
}

// findRevisionAt returns the number of the last revision of slug created
// at or before t, or wiki.ErrNotFound; head is the page's record. Commit
// keeps a page's revision times in order (one earlier than the head's is
// raised to it), so the head's record answers for t at or after its time
// and for t before the first revision's, and otherwise a binary search of
// the page's revision records does, reading the times of about
// log2(head.Revision) of them.
func findRevisionAt(ctx context.Context, tx *bbolt.Tx, slug string, head *pageRecord, t time.Time) (int, error) {
	switch {
	case t.Before(minTime):
		return 0, wiki.ErrNotFound
	case t.After(maxTime):
		t = maxTime
	}
	ns := nanos(t)
	switch {
	case ns >= head.Updated:
		return head.Revision, nil
	case ns < head.Created:
		return 0, wiki.ErrNotFound
	}
	// How many of revisions 1..head-1 were made at or before ns: revision
	// 1 was (its time is head.Created) and the head was not.
	var failed error
	n := sort.Search(head.Revision-1, func(i int) bool {
		if failed != nil {
			return true
		}
		created, err := revisionTime(tx, slug, i+1)
		if errors.Is(err, wiki.ErrNotFound) {
			// Below the head, so it was written: the file is damaged.
			err = fmt.Errorf("revision %d of %q is missing", i+1, slug)
		}
		if err != nil {
			failed = err
			return true
		}
		return created > ns
	})
	if failed != nil {
		return 0, failed
	}
	if n == 0 {
		return 0, fmt.Errorf("page %q: revision 1 is later than the page's creation time", slug)
	}
	return n, nil
}

// A cursor is the base64url of the key a listing resumes after. By slug,
// that is the slug itself, which never starts with 0x00; by title, it is
// 0x00, cursorByTitle and the titles key. The leading 0x00 tells the two
// apart, so a cursor from one order is refused by the other rather than
// read as a key of the wrong index, and slug cursors made before there was
// an order by title still work. A later order can take another byte.
const cursorByTitle = 't'

// encodeCursor makes the opaque cursor that resumes a listing by slug
// after slug.
func encodeCursor(slug string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(slug))
}

// encodeTitleCursor makes the opaque cursor that resumes a listing by
// title after the titles key k.
func encodeTitleCursor(k []byte) string {
	b := make([]byte, 0, 2+len(k))
	b = append(b, 0, cursorByTitle)
	return base64.RawURLEncoding.EncodeToString(append(b, k...))
}

// decodeCursor returns the key a cursor resumes after (nil for no cursor):
// a slug, or with byTitle a titles key. It returns a *wiki.ValidationError
// if the cursor is not one of ours or belongs to the other order.
func decodeCursor(cursor string, byTitle bool) ([]byte, error) {
	if cursor == "" {
		return nil, nil
	}
	bad := wiki.Invalid("cursor", "is not a cursor from a previous listing")
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(b) == 0 {
		return nil, bad
	}
	switch {
	case b[0] != 0: // by slug
		if byTitle {
			return nil, wiki.Invalid("cursor", "is from a listing by slug, not by title: start again without it")
		}
		if _, err := wiki.ParseSlug(string(b)); err != nil {
			return nil, bad // only a page's address is a position to go on from
		}
		return b, nil
	case len(b) >= 2 && b[1] == cursorByTitle:
		if !byTitle {
			return nil, wiki.Invalid("cursor", "is from a listing by title, not by slug: start again without it")
		}
		k := b[2:]
		if _, err := parseTitleKey(k); err != nil {
			return nil, bad
		}
		return k, nil
	}
	return nil, bad
}
