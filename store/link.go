// The link index, in links and backlinks: the wiki links of every live
// page's current text, filed by Commit in the same transaction as the
// revision, and the reads built on it (what links here, wanted pages,
// orphans). The version 4 migration builds it for existing pages.

package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/faqwiki/faqwiki/wiki"
)

// linkKey is the key of a link from page from to page to: in links
// (from, to) and in backlinks (to, from).
func linkKey(a, b string) []byte {
	k := make([]byte, 0, len(a)+1+len(b))
	k = append(k, a...)
	k = append(k, 0)
	return append(k, b...)
}

// fileLinks replaces the outgoing links of slug in the index with links:
// none for a deleted page. Links to slug itself, and targets a key cannot
// hold, are left out.
func fileLinks(tx *bbolt.Tx, slug string, links []wiki.Link, deleted bool) error {
	out, err := bucket(tx, bucketLinks)
	if err != nil {
		return err
	}
	in, err := bucket(tx, bucketBacklinks)
	if err != nil {
		return err
	}
	// Only what changed is written: most edits keep a page's links, and
	// a page of bbolt written for nothing is 4 KB more to sync.
	want := map[string]string{} // target -> name as written
	if !deleted {
		for _, l := range links {
			if to := string(l.Slug); to != slug && storableSlug(to) {
				if _, dup := want[to]; !dup {
					want[to] = l.Title
				}
			}
		}
	}
	prefix := slugPrefix(slug)
	var gone [][]byte
	c := out.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		to := string(k[len(prefix):])
		if name, ok := want[to]; ok && name == string(v) {
			delete(want, to) // already filed as it is
			continue
		}
		gone = append(gone, bytes.Clone(k))
	}
	for _, k := range gone {
		to := string(k[len(prefix):])
		if err := out.Delete(k); err != nil {
			return err
		}
		if _, stays := want[to]; stays {
			continue // its name changed: the backlink stays
		}
		if err := in.Delete(linkKey(to, slug)); err != nil {
			return err
		}
	}
	for to, name := range want {
		if err := out.Put(linkKey(slug, to), []byte(name)); err != nil {
			return err
		}
		if err := in.Put(linkKey(to, slug), empty); err != nil {
			return err
		}
	}
	return nil
}

// Backlinks lists the live pages other than slug whose current text has a
// wiki link to slug, by slug ("what links here"). Only live pages have
// links in the index, so a deleted page links nowhere. It reads the
// backlinks index under slug, and each linking page's head.
func (db *DB) Backlinks(ctx context.Context, slug wiki.Slug) ([]wiki.PageSummary, error) {
	out := []wiki.PageSummary{}
	if !storableSlug(string(slug)) {
		return out, nil
	}
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		var err error
		out, err = findBacklinks(ctx, tx, string(slug))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: backlinks of %q: %w", slug, err)
	}
	return out, nil
}

// findBacklinks returns the live pages that link to slug, by slug.
func findBacklinks(ctx context.Context, tx *bbolt.Tx, slug string) ([]wiki.PageSummary, error) {
	out := []wiki.PageSummary{}
	in, err := bucket(tx, bucketBacklinks)
	if err != nil {
		return nil, err
	}
	prefix := slugPrefix(slug)
	c := in.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		from := string(k[len(prefix):])
		rec, err := findIndexedPage(ctx, tx, "backlinks", from)
		if err != nil {
			return nil, err
		}
		if rec.Deleted {
			return nil, fmt.Errorf("backlinks index names deleted page %q", from)
		}
		out = append(out, rec.summary(from))
	}
	return out, nil
}

// Wanted lists the targets of wiki links that are not live pages (never
// written, or deleted), the most wanted first (then by slug), at most
// limit (50 if zero or less, 1000 at most). It walks the backlinks index
// once, so its cost grows with the number of links in the wiki.
func (db *DB) Wanted(ctx context.Context, limit int) ([]wiki.WantedPage, error) {
	limit = clampLimit(limit)
	var wanted []wiki.WantedPage
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		in, err := bucket(tx, bucketBacklinks)
		if err != nil {
			return err
		}
		out, err := bucket(tx, bucketLinks)
		if err != nil {
			return err
		}
		var cur *wiki.WantedPage
		live := false
		c := in.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			i := bytes.IndexByte(k, 0)
			if i < 0 {
				return fmt.Errorf("corrupt backlinks key %q", k)
			}
			to, from := string(k[:i]), string(k[i+1:])
			if cur == nil || string(cur.Slug) != to {
				if cur != nil && !live {
					wanted = append(wanted, *cur)
				}
				cur = &wiki.WantedPage{Slug: wiki.Slug(to), Title: string(out.Get(linkKey(from, to)))}
				rec, err := findPage(ctx, tx, to)
				switch {
				case errors.Is(err, wiki.ErrNotFound):
					live = false
				case err != nil:
					return err
				default:
					live = !rec.Deleted
				}
			}
			if live {
				continue
			}
			cur.WantedBy++
			if len(cur.From) < 10 {
				cur.From = append(cur.From, wiki.Slug(from))
			}
		}
		if cur != nil && !live {
			wanted = append(wanted, *cur)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: wanted pages: %w", err)
	}
	slices.SortStableFunc(wanted, func(a, b wiki.WantedPage) int {
		if a.WantedBy != b.WantedBy {
			return b.WantedBy - a.WantedBy
		}
		return strings.Compare(string(a.Slug), string(b.Slug))
	})
	if len(wanted) > limit {
		wanted = wanted[:limit]
	}
	if wanted == nil {
		wanted = []wiki.WantedPage{}
	}
	return wanted, nil
}

// Orphans lists live pages that no other live page links to, by slug, at
// most limit (50 if zero or less, 1000 at most). It walks the pages and
// seeks each one in the backlinks index.
func (db *DB) Orphans(ctx context.Context, limit int) ([]wiki.PageSummary, error) {
	limit = clampLimit(limit)
	out := []wiki.PageSummary{}
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		pages, err := bucket(tx, bucketPages)
		if err != nil {
			return err
		}
		in, err := bucket(tx, bucketBacklinks)
		if err != nil {
			return err
		}
		bc := in.Cursor()
		c := pages.Cursor()
		for k, v := c.First(); k != nil && len(out) < limit; k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			rec, err := decodePage(v)
			if err != nil {
				return fmt.Errorf("page %q: %w", k, err)
			}
			if rec.Deleted {
				continue
			}
			prefix := slugPrefix(string(k))
			if bk, _ := bc.Seek(prefix); bk != nil && bytes.HasPrefix(bk, prefix) {
				continue
			}
			out = append(out, rec.summary(string(k)))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: orphan pages: %w", err)
	}
	return out, nil
}

// recreateBuckets empties the named buckets, so that a migration builds
// its index from scratch whatever a file held.
func recreateBuckets(tx *bbolt.Tx, names ...[]byte) error {
	for _, name := range names {
		if err := tx.DeleteBucket(name); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
			return fmt.Errorf("clear %s: %w", name, err)
		}
		if _, err := tx.CreateBucket(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return nil
}

// indexLinks is part of the migration from schema version 4: it files the
// links of every live page's current text, as Commit now does.
func indexLinks(tx *bbolt.Tx) error {
	if err := recreateBuckets(tx, bucketLinks, bucketBacklinks); err != nil {
		return err
	}
	pages, err := bucket(tx, bucketPages)
	if err != nil {
		return err
	}
	r := wiki.NewRenderer()
	type pageLinks struct {
		slug  string
		links []wiki.Link
	}
	var all []pageLinks
	err = pages.ForEach(func(k, v []byte) error {
		rec, err := decodePage(v)
		if err != nil {
			return fmt.Errorf("page %q: %w", k, err)
		}
		if rec.Deleted {
			return nil
		}
		text, err := findRawText(tx, string(k), rec.Revision)
		if err != nil {
			return fmt.Errorf("page %q: %w", k, err)
		}
		all = append(all, pageLinks{string(k), wiki.LinksOf(r, wiki.Slug(k), text)})
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range all {
		if err := fileLinks(tx, p.slug, p.links, false); err != nil {
			return fmt.Errorf("page %q: %w", p.slug, err)
		}
	}
	return nil
}
