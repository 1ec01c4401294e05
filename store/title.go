// The titles index: live pages by folded title, for Pages with ByTitle, and
// the version 2 migration that builds it.

package store

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
	"golang.org/x/text/unicode/norm"

	"github.com/faqwiki/faqwiki/wiki"
)

// foldTitle returns the sort key under which a page titled title is filed
// in titles: the title in compatibility decomposition (NFKD), without
// nonspacing combining marks (category Mn) and control characters, each
// remaining rune lower-cased with unicode.ToLower. So "Émile", "EMILE" and
// "émile" all fold to "emile", "ﬁle" (a ligature) to "file", and byte order
// of folded titles is code point order, which puts plain Latin titles in
// the order people expect regardless of case and accents. It is not a
// locale's collation: "ß" stays "ß" and sorts after "z".
//
// It is a pure function of title and of the Unicode tables of the Go
// standard library and x/text that faqwiki is built with, so the same
// faqwiki always folds a title the same way and never produces 0x00. A
// newer Unicode version may fold a few titles differently (in practice ones
// with characters it newly assigns); Commit removes the key a page record
// stored, not a recomputed one, so such a change can at worst put those
// pages slightly out of order, never list a page twice. Changing foldTitle
// itself needs a schema version whose migration rebuilds titles, as
// indexTitles does.
func foldTitle(title string) string {
	var b strings.Builder
	b.Grow(len(title))
	for _, r := range norm.NFKD.String(title) {
		if unicode.Is(unicode.Mn, r) || unicode.IsControl(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// indexedTitle returns the folded title the page is filed under in titles
// if it is live: the one stored when it was filed or, for a record without
// one (indexTitles gives every live record one), the title folded now.
func (r *pageRecord) indexedTitle() string {
	if r.TitleKey != "" {
		return r.TitleKey
	}
	return foldTitle(r.Title)
}

// findPagesByTitle returns up to limit live pages with slugs that start with
// prefix, ordered by folded title then slug, that come after the titles key
// after (nil: from the start), the titles key of the last page returned, and
// whether there are more. It reads the titles index and, for each matching
// key only, the page record; a prefix is checked against every key it passes.
//
// With titlePrefix, only pages whose folded title starts with its fold:
// the walk starts at the first such key and stops after the last.
func findPagesByTitle(ctx context.Context, tx *bbolt.Tx, prefix, titlePrefix string, after []byte, limit int) ([]wiki.PageSummary, []byte, bool, error) {
	out := []wiki.PageSummary{}
	if strings.IndexByte(prefix, 0) >= 0 {
		return out, nil, false, nil // no stored slug has one
	}
	titles, err := bucket(tx, bucketTitles)
	if err != nil {
		return nil, nil, false, err
	}
	c := titles.Cursor()
	var k []byte
	folded := []byte(foldTitle(titlePrefix))
	switch {
	case after == nil && len(folded) > 0:
		k, _ = c.Seek(folded)
	case after == nil:
		k, _ = c.First()
	default:
		if bytes.Compare(after, folded) < 0 {
			after = folded
		}
		if k, _ = c.Seek(after); bytes.Equal(k, after) {
			k, _ = c.Next()
		}
	}
	var last []byte
	for ; k != nil; k, _ = c.Next() {
		if !bytes.HasPrefix(k, folded) {
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, nil, false, err
		}
		slug, err := parseTitleKey(k)
		if err != nil {
			return nil, nil, false, err
		}
		if !strings.HasPrefix(slug, prefix) {
			continue
		}
		if len(out) == limit {
			return out, last, true, nil
		}
		rec, err := findIndexedPage(ctx, tx, "titles", slug)
		if err != nil {
			return nil, nil, false, err
		}
		if rec.Deleted {
			continue // cannot happen: Commit unindexes deleted pages
		}
		out = append(out, rec.summary(slug))
		last = bytes.Clone(k) // k is only valid during the transaction
	}
	return out, last, false, nil
}

// titleBatch is how many page records indexTitles rewrites at a time. A
// bbolt cursor must not walk a bucket while it is written, so the migration
// reads a batch, writes it, and seeks back to where it was.
const titleBatch = 1000

// indexTitles is the migration from schema version 2: it rebuilds titles
// from scratch with every live page and stores each one's folded title in
// its page record (TitleKey), so that Commit can later remove exactly the
// key it filed the page under.
func indexTitles(tx *bbolt.Tx) error {
	if err := tx.DeleteBucket(bucketTitles); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
		return fmt.Errorf("clear titles: %w", err)
	}
	titles, err := tx.CreateBucket(bucketTitles)
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", bucketTitles, err)
	}
	pages, err := bucket(tx, bucketPages)
	if err != nil {
		return err
	}
	type update struct {
		slug []byte
		rec  *pageRecord
	}
	c := pages.Cursor()
	k, v := c.First()
	for k != nil {
		var batch []update
		for ; k != nil && len(batch) < titleBatch; k, v = c.Next() {
			rec, err := decodePage(v)
			if err != nil {
				return fmt.Errorf("page %q: %w", k, err)
			}
			if rec.Deleted || !storableSlug(string(k)) {
				continue // a slug with 0x00 cannot end a titles key
			}
			rec.TitleKey = foldTitle(rec.Title)
			batch = append(batch, update{bytes.Clone(k), rec})
		}
		// Keys are only valid until the bucket is written: copy the next
		// unread one, to seek back to it afterwards.
		resume := bytes.Clone(k)
		for _, u := range batch {
			if err := putJSON(pages, u.slug, u.rec); err != nil {
				return err
			}
			if err := titles.Put(titleKey(u.rec.TitleKey, string(u.slug)), empty); err != nil {
				return err
			}
		}
		if resume == nil {
			break
		}
		k, v = c.Seek(resume)
	}
	return nil
}

// PagesTitled returns, for each of titles, the slugs of the live pages
// whose title folds to the same key (case and accents aside: "VPN
// access" finds "vpn Access"), the one created first first (then by
// slug): what a wiki link names when it gives a title, where a page that
// comes to share the title later does not take the link over. It reads
// one short range of the titles index per title, and the records it
// names only where pages share a title, in one transaction, and returns
// an error only if it cannot be read.
func (db *DB) PagesTitled(ctx context.Context, titles []string) ([][]wiki.Slug, error) {
	out := make([][]wiki.Slug, len(titles))
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketTitles)
		if err != nil {
			return err
		}
		c := b.Cursor()
		for i, t := range titles {
			folded := foldTitle(wiki.NormalizeTitle(t))
			if folded == "" || strings.IndexByte(folded, 0) >= 0 {
				continue
			}
			prefix := append([]byte(folded), 0)
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				slug, err := parseTitleKey(k)
				if err != nil {
					return err
				}
				out[i] = append(out[i], wiki.Slug(slug))
			}
			if len(out[i]) > 1 {
				created := map[wiki.Slug]int64{}
				for _, s := range out[i] {
					rec, err := findIndexedPage(ctx, tx, "titles", string(s))
					if err != nil {
						return err
					}
					created[s] = rec.Created
				}
				slices.SortStableFunc(out[i], func(a, b wiki.Slug) int { return cmp.Compare(created[a], created[b]) })
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: pages titled: %w", err)
	}
	return out, nil
}
