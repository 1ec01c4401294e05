// Checking a database file: bbolt's own page-level check, then the
// promises this package makes about its contents (a gap-free change feed,
// every page head at a stored revision, gap-free revision numbers). Used
// by "faqwiki check", and on every backup before anyone may download it.

package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// CheckReport is what Check found in a database file. The file is sound
// when Problems is empty.
type CheckReport struct {
	Path          string
	Size          int64  // bytes of the data in the file (the transaction's size)
	SchemaVersion uint64 // as stamped in the file
	Pages         int    // page heads, deleted pages included
	Revisions     int
	LastSeq       uint64 // the newest change in the feed
	Accounts      int
	Problems      []string // what is wrong, at most maxProblems of them
	// More counts problems found beyond maxProblems.
	More int
}

// OK reports whether the check found nothing wrong.
func (r *CheckReport) OK() bool { return len(r.Problems) == 0 }

// maxProblems bounds the problems a report lists: a badly damaged file
// would otherwise give one line per key.
const maxProblems = 50

func (r *CheckReport) problem(format string, args ...any) {
	if len(r.Problems) >= maxProblems {
		r.More++
		return
	}
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// Check opens the database file at path read-only (so it fails with
// ErrLocked while a server holds it) and checks it: bbolt's consistency
// check of every page, the schema version, every bucket, the change feed
// numbered 1..LastSeq without gaps and each change naming a stored
// revision, and every page's revisions numbered 1..head without gaps, with
// their texts (each resolving, through its deltas, to its checksum and
// size), and no revisions without a page. It returns an error only
// if the file cannot be opened or read; what is wrong with its contents is
// in the report.
func Check(ctx context.Context, path string) (*CheckReport, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("store: check %s: %w", path, err)
	}
	b, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: DefaultTimeout, ReadOnly: true})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("store: check %s: the data folder is in use by another faqwiki process (stop it first): %w", path, ErrLocked)
		}
		return nil, fmt.Errorf("store: check %s: %w", path, err)
	}
	defer b.Close()
	r := &CheckReport{Path: path}
	err = b.View(func(tx *bbolt.Tx) error {
		r.Size = tx.Size()
		for err := range tx.Check() {
			r.problem("bbolt: %v", err)
		}
		return checkContents(ctx, tx, r)
	})
	if err != nil {
		return nil, fmt.Errorf("store: check %s: %w", path, err)
	}
	return r, nil
}

// checkContents checks what the file holds, in tx, into r. It returns an
// error only when ctx ends.
func checkContents(ctx context.Context, tx *bbolt.Tx, r *CheckReport) error {
	v, err := fileSchemaVersion(tx)
	if err != nil {
		r.problem("%v", err)
		return nil
	}
	r.SchemaVersion = v
	if v > schemaVersion {
		r.problem("%v", newerSchemaError(v))
		return nil
	}
	// An older file lacks the buckets of later versions until it is
	// migrated; the current version must have them all.
	if v == schemaVersion {
		for _, name := range allBuckets {
			if tx.Bucket(name) == nil {
				r.problem("bucket %s is missing", name)
			}
		}
	}
	if accounts := tx.Bucket(bucketAccounts); accounts != nil {
		r.Accounts = accounts.Stats().KeyN
	}
	if err := checkRevisions(ctx, tx, v, r); err != nil {
		return err
	}
	if v >= 6 {
		// From version 6 texts are deltas: each must resolve, through
		// the revisions before it, to its checksum and size.
		checkTexts(tx, v >= 8, r)
	}
	if v >= 9 {
		checkReviews(tx, r)
	}
	return checkFeed(ctx, tx, r)
}

// checkReviews checks each page's count of unreviewed revisions against
// its revisions (from the first it names, those without a reviewer), and
// the total against the unreviewed index.
func checkReviews(tx *bbolt.Tx, r *CheckReport) {
	pages, revisions, unrev := tx.Bucket(bucketPages), tx.Bucket(bucketRevisions), tx.Bucket(bucketUnreviewed)
	if pages == nil || revisions == nil || unrev == nil {
		return
	}
	total := 0
	_ = pages.ForEach(func(k, v []byte) error {
		rec, err := decodePage(v)
		if err != nil || rec.Unreviewed == 0 && rec.FirstUnreviewed == 0 {
			return nil // checkRevisions reports a page that does not decode
		}
		slug := string(k)
		if rec.Unreviewed < 0 || rec.FirstUnreviewed < 1 || rec.FirstUnreviewed > rec.Revision {
			r.problem("page %q: %d unreviewed revisions from revision %d, of %d", slug, rec.Unreviewed, rec.FirstUnreviewed, rec.Revision)
			return nil
		}
		found := 0
		for n := rec.FirstUnreviewed; n <= rec.Revision; n++ {
			var rr revisionRecord
			if err := json.Unmarshal(revisions.Get(revKey(slug, n)), &rr); err != nil {
				return nil // checkRevisions reports it
			}
			if rr.ReviewedBy == "" {
				found++
			} else if n == rec.FirstUnreviewed {
				r.problem("page %q: its first unreviewed revision %d has a reviewer", slug, n)
			}
		}
		if found != rec.Unreviewed {
			r.problem("page %q: counts %d unreviewed revisions; %d from revision %d have no reviewer", slug, rec.Unreviewed, found, rec.FirstUnreviewed)
		}
		total += rec.Unreviewed
		return nil
	})
	if n := unrev.Stats().KeyN; n != total {
		r.problem("the pages count %d unreviewed revisions; the unreviewed index lists %d", total, n)
	}
}

// checkRevisions checks that each page's revisions are numbered 1..head
// and that no revisions lack a page (checkTexts checks their texts), in a
// file of schema version v.
func checkRevisions(ctx context.Context, tx *bbolt.Tx, v uint64, r *CheckReport) error {
	pages, revisions, texts := tx.Bucket(bucketPages), tx.Bucket(bucketRevisions), tx.Bucket(bucketTexts)
	if pages == nil || revisions == nil || texts == nil {
		r.problem("the pages, revisions or texts bucket is missing")
		return nil
	}
	// Revision keys sort by slug, then number: one pass finds each page's
	// highest revision and any gap before it.
	stored := map[string]int{}
	var cur []byte
	want := 1
	c := revisions.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if r.Revisions%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		r.Revisions++
		if len(k) < 10 || k[len(k)-9] != 0 {
			r.problem("corrupt revision key %q", k)
			continue
		}
		prefix := k[:len(k)-8]
		n := binary.BigEndian.Uint64(k[len(k)-8:])
		if !bytes.Equal(prefix, cur) {
			cur = append(cur[:0], prefix...)
			want = 1
		}
		slug := string(prefix[:len(prefix)-1])
		if n != uint64(want) {
			r.problem("page %q: revision %d is stored after revision %d (revision numbers have a gap)", slug, n, want-1)
		}
		want = int(n) + 1
		stored[slug] = int(n)
		if v < 8 && texts.Get(k) == nil {
			// Before version 8 a revision's text was under its key.
			r.problem("page %q: revision %d has no text", slug, n)
		}
	}
	err := pages.ForEach(func(k, v []byte) error {
		r.Pages++
		slug := string(k)
		rec, err := decodePage(v)
		if err != nil {
			r.problem("page %q: %v", slug, err)
			delete(stored, slug)
			return nil
		}
		switch head, ok := stored[slug]; {
		case !ok:
			r.problem("page %q: its head is revision %d, but no revision of it is stored", slug, rec.Revision)
		case head != rec.Revision:
			r.problem("page %q: its head is revision %d, but the newest stored revision is %d", slug, rec.Revision, head)
		}
		delete(stored, slug)
		return nil
	})
	if err != nil {
		return err
	}
	for slug, n := range stored {
		r.problem("page %q: %d revisions are stored but there is no page head", slug, n)
	}
	return nil
}

// checkFeed checks that the change feed is numbered 1..its sequence with
// no gaps, that every entry decodes, and that each names a stored
// revision.
func checkFeed(ctx context.Context, tx *bbolt.Tx, r *CheckReport) error {
	changes, revisions := tx.Bucket(bucketChanges), tx.Bucket(bucketRevisions)
	if changes == nil || revisions == nil {
		r.problem("the changes or revisions bucket is missing")
		return nil
	}
	r.LastSeq = changes.Sequence()
	var want uint64 = 1
	c := changes.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if want%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		seq, rec, err := decodeChangeEntry(k, v)
		if err != nil {
			r.problem("change feed: %v", err)
			want++
			continue
		}
		if seq != want {
			r.problem("change feed: change %d follows change %d (the feed has a gap)", seq, want-1)
		}
		want = seq + 1
		if rec.Revision <= 0 || revisions.Get(revKey(rec.Slug, rec.Revision)) == nil {
			r.problem("change %d names revision %d of %q, which is not stored", seq, rec.Revision, rec.Slug)
		}
	}
	if last := want - 1; last != r.LastSeq {
		r.problem("change feed: the last change is %d but the feed's sequence is %d", last, r.LastSeq)
	}
	return nil
}
