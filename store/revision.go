// Revisions: Commit, which appends one and keeps the page head, every index
// and the feed in step, and the reads of a page's history.

package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// revisionRecord is the metadata of one immutable revision, the value under
// slug+0x00+number in revisions. Its text is in texts under Text.
type revisionRecord struct {
	Number     int      `json:"n"`
	Kind       string   `json:"kind"`
	Title      string   `json:"title"`
	Tags       []string `json:"tags,omitempty"`
	Author     string   `json:"author,omitempty"`
	Cohort     string   `json:"cohort,omitempty"`
	Summary    string   `json:"summary,omitempty"`
	Created    int64    `json:"created"` // Unix ns
	Base       int      `json:"base,omitempty"`
	Merged     bool     `json:"merged,omitempty"`
	RevertOf   int      `json:"revert_of,omitempty"`
	Size       int      `json:"size"`
	Added      int      `json:"added,omitempty"`
	Removed    int      `json:"removed,omitempty"`
	ReviewedBy string   `json:"reviewed_by,omitempty"`
	ReviewedAt *int64   `json:"reviewed_at,omitempty"` // Unix ns; nil if never
	// Files are the page's attachments as of this revision (their content
	// is in blobs). Absent in records written before attachments existed,
	// which had none.
	Files []fileRecord `json:"files,omitempty"`
	// Seq is the number of the revision's change in the feed (from
	// schema version 9).
	Seq uint64 `json:"seq,omitempty"`
	// Text is the number of the revision's text, its key in texts
	// (from schema version 8; numbers start at 1). It is the last field:
	// trailingTextNumber reads it from the end of the record.
	Text uint64 `json:"text_no,omitempty"`
}

// revision returns the record as a wiki.Revision of slug, without Markdown.
func (r *revisionRecord) revision(slug string) *wiki.Revision {
	rev := &wiki.Revision{
		Slug:        wiki.Slug(slug),
		Number:      r.Number,
		Kind:        wiki.RevisionKind(r.Kind),
		Title:       r.Title,
		Tags:        r.Tags,
		Author:      r.Author,
		Cohort:      r.Cohort,
		Summary:     r.Summary,
		CreatedAt:   fromNanos(r.Created),
		Base:        r.Base,
		Merged:      r.Merged,
		RevertOf:    r.RevertOf,
		Size:        r.Size,
		Added:       r.Added,
		Removed:     r.Removed,
		ReviewedBy:  r.ReviewedBy,
		Attachments: fromFileRecords(r.Files),
	}
	if r.ReviewedAt != nil {
		rev.ReviewedAt = fromNanos(*r.ReviewedAt)
	}
	return rev
}

// Commit appends rev as the next revision of rev.Slug if the page's head is
// still revision head (0: the page must not exist yet), in one transaction
// that also moves the page head, updates the indexes and appends a
// wiki.Change to the feed (indexed under rev.Cohort and rev.Author, when
// set, for CohortChanges and AuthorChanges). In the same transaction it
// replaces the page's links in the link index with rev.Links (none for a
// delete: Commit files exactly what the caller computed, so every commit
// path must fill Links), and files the revision as unreviewed unless
// rev.ReviewedBy is set. On success it sets rev.Number
// to head+1, and rev.CreatedAt and rev.Size to what was stored: a zero
// CreatedAt becomes the clock's time, and one earlier than the previous
// revision is raised to it, so that a page's revision times never
// decrease.
//
// It returns an error wrapping wiki.ErrConflict if the head moved, a
// *wiki.ValidationError if rev cannot be stored (no slug, a NUL byte in
// the slug, the author, the cohort or a tag, a time outside 1678..2262,
// head < 0), and a plain error if the write fails. On any error nothing is
// written and rev is unchanged.
//
// Commits that arrive while another is being written are grouped into the
// next transaction, which shares one fsync (group.go).
func (db *DB) Commit(ctx context.Context, rev *wiki.Revision, head int) error {
	if rev == nil {
		return errors.New("store: commit: nil revision")
	}
	if err := validateCommit(rev, head); err != nil {
		return fmt.Errorf("store: commit %q: %w", rev.Slug, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: commit %q: %w", rev.Slug, err)
	}
	created := rev.CreatedAt
	if created.IsZero() {
		// Read the clock here, not in the transaction function: Batch may
		// run that more than once and it must give the same answer.
		created = db.now()
		if !timeInRange(created) {
			return fmt.Errorf("store: commit %q: clock time %s is out of range", rev.Slug, created)
		}
	}

	// fn may run more than once (a group is run again without a member
	// that failed, which then runs alone: see group.go), so it only
	// computes res from the transaction's state and never touches rev.
	//
	// fnErr is what the last run of fn returned: when bbolt fails although
	// fn did not, the transaction could not be written (see update).
	var res commitResult
	var fnErr error
	fn := func(tx *bbolt.Tx) error {
		res, fnErr = db.commit(ctx, tx, rev, head, nanos(created))
		return fnErr
	}
	err := db.commits.run(db.bolt, fn)
	db.writes.Add(1)
	if err != nil && fnErr == nil {
		err = storageError(err)
	}
	if err != nil {
		return fmt.Errorf("store: commit %q: %w", rev.Slug, err)
	}
	rev.Number = res.number
	rev.CreatedAt = fromNanos(res.created)
	rev.Size = len(rev.Markdown)
	db.texts.put(string(revKey(string(rev.Slug), rev.Number)), rev.Markdown)
	return nil
}

// validateCommit checks, cheaply, what the store needs of a revision to
// file it. Content rules (title, size, slug syntax) belong to wiki.
func validateCommit(rev *wiki.Revision, head int) error {
	v := &wiki.ValidationError{}
	if !storableSlug(string(rev.Slug)) {
		v.Add("slug", "is empty or contains a NUL byte")
	}
	if strings.IndexByte(rev.Cohort, 0) >= 0 {
		v.Add("cohort", "contains a NUL byte")
	}
	if strings.IndexByte(rev.Author, 0) >= 0 {
		v.Add("author", "contains a NUL byte")
	}
	for _, t := range rev.Tags {
		if strings.IndexByte(t, 0) >= 0 {
			v.Add("tags", "a tag contains a NUL byte")
			break
		}
	}
	if !rev.CreatedAt.IsZero() && !timeInRange(rev.CreatedAt) {
		v.Add("created_at", "is outside the years 1678 to 2262")
	}
	if !rev.ReviewedAt.IsZero() && !timeInRange(rev.ReviewedAt) {
		v.Add("reviewed_at", "is outside the years 1678 to 2262")
	}
	if head < 0 {
		v.Add("head", "is negative")
	}
	validateFiles(rev, v)
	if len(v.Fields) > 0 {
		return v
	}
	return nil
}

// commitResult is what a commit transaction decided.
type commitResult struct {
	number  int   // the new revision's number
	created int64 // its time, Unix ns, after clamping
}

// commit writes rev as revision head+1 of its page in tx, made at ns (or at
// the previous revision's time, if later): the revision and its text, the
// page head and its tags, recent and titles entries, the change, the
// change's cohortchanges and authorchanges entries, and its cohort's
// cohorttotals counters. It returns wiki.ErrConflict if the head is
// not head.
func (db *DB) commit(ctx context.Context, tx *bbolt.Tx, rev *wiki.Revision, head int, ns int64) (commitResult, error) {
	slug := string(rev.Slug)
	b, err := openBuckets(tx)
	if err != nil {
		return commitResult{}, err
	}

	old, err := findPage(ctx, tx, slug)
	switch {
	case errors.Is(err, wiki.ErrNotFound):
		if head != 0 {
			return commitResult{}, refuse(fmt.Errorf("page does not exist, not at revision %d: %w", head, wiki.ErrConflict))
		}
	case err != nil:
		return commitResult{}, err
	case old.Revision != head:
		return commitResult{}, refuse(fmt.Errorf("head is revision %d, not %d: %w", old.Revision, head, wiki.ErrConflict))
	}

	n := head + 1
	if old != nil && ns < old.Updated {
		ns = old.Updated // the clock went back: keep times in order
	}
	key := revKey(slug, n)

	rr := revisionRecord{
		Number:     n,
		Kind:       string(rev.Kind),
		Title:      rev.Title,
		Tags:       rev.Tags,
		Author:     rev.Author,
		Cohort:     rev.Cohort,
		Summary:    rev.Summary,
		Created:    ns,
		Base:       rev.Base,
		Merged:     rev.Merged,
		RevertOf:   rev.RevertOf,
		Size:       len(rev.Markdown),
		Added:      rev.Added,
		Removed:    rev.Removed,
		ReviewedBy: rev.ReviewedBy,
		Files:      toFileRecords(rev.Attachments),
	}
	if !rev.ReviewedAt.IsZero() {
		at := nanos(rev.ReviewedAt)
		rr.ReviewedAt = &at
	}
	if err := putFiles(b.blobs, rev); err != nil {
		return commitResult{}, err
	}
	seq, err := appendChange(ctx, tx, &changeRecord{
		Slug:     slug,
		Revision: n,
		Kind:     string(rev.Kind),
		Title:    rev.Title,
		Author:   rev.Author,
		Cohort:   rev.Cohort,
		Summary:  rev.Summary,
		Time:     ns,
		Added:    rev.Added,
		Removed:  rev.Removed,
	})
	if err != nil {
		return commitResult{}, err
	}
	rr.Seq = seq
	if rr.Text, err = db.putText(tx, b.texts, b.revisions, slug, n, rev.Markdown); err != nil {
		return commitResult{}, err
	}
	if err := putJSON(b.revisions, key, &rr); err != nil {
		return commitResult{}, err
	}

	page := pageRecord{
		Title:    rev.Title,
		Tags:     rev.Tags,
		Revision: n,
		Deleted:  rev.Kind == wiki.KindDelete,
		Created:  ns,
		Updated:  ns,
		Author:   rev.Author,
		Cohort:   rev.Cohort,
	}
	if old != nil {
		page.Created = old.Created
		page.Unreviewed, page.FirstUnreviewed = old.Unreviewed, old.FirstUnreviewed
	}
	// The review state, in the same transaction: an unreviewed revision
	// is counted in the page's record.
	if rev.ReviewedBy == "" {
		if err := fileUnreviewed(tx, &page, slug, n, ns, seq); err != nil {
			return commitResult{}, err
		}
	}
	retitled, err := b.refile(slug, old, &page, ns)
	if err != nil {
		return commitResult{}, err
	}
	if err := putJSON(b.pages, []byte(slug), &page); err != nil {
		return commitResult{}, err
	}
	// Links by title resolve to a page through its title: a new title
	// counts as coming to exist under it.
	if old == nil || old.Deleted != page.Deleted || retitled {
		if err := bumpExistence(tx); err != nil {
			return commitResult{}, err
		}
	}
	if err := indexChange(b.cohortChanges, b.authorChanges, rev.Cohort, rev.Author, seq); err != nil {
		return commitResult{}, err
	}
	if err := countChange(b.cohortTotals, rev.Cohort, string(rev.Kind), rev.Added, rev.Removed); err != nil {
		return commitResult{}, err
	}
	// The link index, in the same transaction.
	if err := fileLinks(tx, slug, rev.Links, page.Deleted); err != nil {
		return commitResult{}, err
	}
	return commitResult{number: n, created: ns}, nil
}

// refile moves the index entries of a page's old head (nil for a new
// page) to its new one: the recent list, the titles and the tags. It
// reports whether the page's title as filed changed.
func (b *buckets) refile(slug string, old, page *pageRecord, ns int64) (retitled bool, err error) {
	// The index entries of the old head go and those of the new come; an
	// entry that stays the same (a title or tag an edit kept) is not
	// written again: a page of bbolt written for nothing is 4 KB more to
	// sync.
	if !page.Deleted {
		page.TitleKey = foldTitle(page.Title)
	}
	oldTags, oldTitle := map[string]bool{}, ""
	if old != nil {
		if !old.Deleted {
			if err := b.recent.Delete(recentKey(old.Updated, slug)); err != nil {
				return false, err
			}
			for _, t := range old.Tags {
				oldTags[t] = true
			}
			oldTitle = old.indexedTitle()
			if page.Deleted || oldTitle != page.TitleKey {
				if err := b.titles.Delete(titleKey(oldTitle, slug)); err != nil {
					return false, err
				}
			}
		}
	}
	newTags := map[string]bool{}
	if !page.Deleted {
		for _, t := range page.Tags {
			if t != "" { // Pages treats an empty tag as no filter
				newTags[t] = true
			}
		}
	}
	for t := range oldTags {
		if !newTags[t] {
			if err := b.tags.Delete(tagKey(t, slug)); err != nil {
				return false, err
			}
		}
	}
	if !page.Deleted {
		if err := b.recent.Put(recentKey(ns, slug), empty); err != nil {
			return false, err
		}
		if old == nil || old.Deleted || oldTitle != page.TitleKey {
			if err := b.titles.Put(titleKey(page.TitleKey, slug), empty); err != nil {
				return false, err
			}
		}
		for t := range newTags {
			if !oldTags[t] {
				if err := b.tags.Put(tagKey(t, slug), empty); err != nil {
					return false, err
				}
			}
		}
	}
	return oldTitle != page.TitleKey, nil
}

// Revision returns revision n of the page slug, with its Markdown. It
// returns an error wrapping wiki.ErrNotFound if the page or the revision
// does not exist, and a plain error if the records cannot be read.
func (db *DB) Revision(ctx context.Context, slug wiki.Slug, n int) (*wiki.Revision, error) {
	var rev *wiki.Revision
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		head, err := findPage(ctx, tx, string(slug))
		if err != nil {
			return err
		}
		if n < 1 || n > head.Revision {
			return wiki.ErrNotFound
		}
		if rev, err = findRevision(ctx, tx, string(slug), n); err != nil {
			return err
		}
		rev.Markdown, err = db.findText(tx, string(slug), n)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: page %q: revision %d: %w", slug, n, err)
	}
	return rev, nil
}

// Revisions returns every revision of the page slug newest first, with
// Markdown left empty: it reads only the small metadata records, never the
// texts. It returns an error wrapping wiki.ErrNotFound if the page never
// existed, and a plain error if the records cannot be read.
func (db *DB) Revisions(ctx context.Context, slug wiki.Slug) ([]*wiki.Revision, error) {
	var revs []*wiki.Revision
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		head, err := findPage(ctx, tx, string(slug))
		if err != nil {
			return err
		}
		revisions, err := bucket(tx, bucketRevisions)
		if err != nil {
			return err
		}
		revs = make([]*wiki.Revision, 0, min(head.Revision, 1024))
		prefix := slugPrefix(string(slug))
		c := revisions.Cursor()
		want := head.Revision
		k, v := c.Seek(revKey(string(slug), want))
		for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
			n, err := parseRevKey(k, prefix)
			if err != nil {
				return err
			}
			if n != want {
				return fmt.Errorf("revision %d is missing (found %d)", want, n)
			}
			rev, err := decodeRevision(string(slug), n, v)
			if err != nil {
				return err
			}
			revs = append(revs, rev)
			want--
		}
		if want != 0 {
			return fmt.Errorf("revision %d is missing", want)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: page %q: revisions: %w", slug, err)
	}
	return revs, nil
}

// findRevision returns the metadata of revision n of slug, without its
// Markdown, or wiki.ErrNotFound.
func findRevision(ctx context.Context, tx *bbolt.Tx, slug string, n int) (*wiki.Revision, error) {
	revisions, err := bucket(tx, bucketRevisions)
	if err != nil {
		return nil, err
	}
	v := revisions.Get(revKey(slug, n))
	if v == nil {
		return nil, wiki.ErrNotFound
	}
	return decodeRevision(slug, n, v)
}

// decodeRevision decodes the revisions value of revision n of slug.
func decodeRevision(slug string, n int, v []byte) (*wiki.Revision, error) {
	var rec revisionRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("decode revision %d: %w", n, err)
	}
	if rec.Number != n {
		return nil, fmt.Errorf("decode revision %d: record says %d", n, rec.Number)
	}
	return rec.revision(slug), nil
}
