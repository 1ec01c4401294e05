package wiki

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/faqwiki/faqwiki/wiki/diff"
)

// Review after publishing, as MediaWiki's patrol: every edit goes live at
// once, and trainers later read what each page gained since it was last
// reviewed, as one diff, then mark it reviewed or revert it. Nothing waits
// in a pending state. The store keeps which revisions are unreviewed, a
// queue of pages by their oldest unreviewed revision, and a count of the
// queue, all updated in the commit's transaction.

// RecentChange is a row of recent changes: a change of the feed with the
// revision's tags and who reviewed it.
type RecentChange struct {
	Change
	Tags       []string
	ReviewedBy string    // "" while unreviewed
	ReviewedAt time.Time // zero while unreviewed
}

// Reviewed reports whether the change has been reviewed.
func (c *RecentChange) Reviewed() bool { return c.ReviewedBy != "" }

// ChangeFilter selects recent changes. Zero fields do not filter.
type ChangeFilter struct {
	Cohort     string    // the author's cohort when they wrote it
	Author     string    // username
	Prefix     string    // slug prefix, e.g. "travel/"
	Page       Slug      // one page only
	Tag        string    // the revision carries this tag
	Since      time.Time // made at or after
	Until      time.Time // made at or before
	Unreviewed bool      // not reviewed yet
	Limit      int       // rows per call (50 if zero, 500 at most)
	Cursor     string    // from the previous call's next cursor
}

// MaxChangeLimit is the most rows one call of RecentChanges returns.
const MaxChangeLimit = 500

// ReviewItem is a page in the review queue: everything it gained since
// its last reviewed revision, as one diff.
type ReviewItem struct {
	Page      PageSummary // the page's head
	Deleted   bool        // the head deletes the page
	From      int         // the last reviewed revision, before which all are reviewed (0: none)
	To        int         // the head: what the trainer sees and marks
	Since     time.Time   // when the oldest unreviewed revision was made
	Revisions []*Revision // From+1..To, oldest first, without text
	Authors   []string    // distinct, in order of first revision
	Cohorts   []string    // distinct, in order of first revision; "" left out
	Diff      *diff.Diff  // From -> To; set by Wiki.ReviewQueue
}

// ReviewStore is what review needs from the store.
type ReviewStore interface {
	// MarkReviewed marks every unreviewed revision of slug numbered n or
	// less reviewed by `by` at `at`, in one transaction, and returns how
	// many it marked. A revision above n (one that arrived after the
	// reviewer looked) stays unreviewed. ErrNotFound if the page or
	// revision n does not exist.
	MarkReviewed(ctx context.Context, slug Slug, n int, by string, at time.Time) (int, error)
	// ReviewQueue returns up to limit pages with unreviewed revisions,
	// the one whose oldest unreviewed revision is oldest first, without
	// diffs.
	ReviewQueue(ctx context.Context, limit int) ([]ReviewItem, error)
	// ReviewCount returns how many pages have unreviewed revisions, from a
	// counter kept at commit.
	ReviewCount(ctx context.Context) (int, error)
	// RecentChanges returns changes newest first that pass f, and a cursor
	// for the next ones ("" at the end). It reads a bounded number of feed
	// entries per call, so it may return fewer than f.Limit rows with a
	// cursor: keep going. A bad cursor is a *ValidationError.
	RecentChanges(ctx context.Context, f ChangeFilter) ([]RecentChange, string, error)
	// RevisionInfo returns revision n of slug without its text (cheap, for
	// a page's info line), or ErrNotFound.
	RevisionInfo(ctx context.Context, slug Slug, n int) (*Revision, error)
}

// autoReview marks rev reviewed on save when the site counts its author's
// revisions as reviewed: trainers' (unless TrainerEditsNeedReview), and
// the wiki's own (import and the welcome page, which act with an admin's
// authority).
func (w *Wiki) autoReview(rev *Revision, u *User) {
	if u.Has(RoleTrainer) && !w.trainerEditsNeedReview {
		rev.ReviewedBy = u.Name
		rev.ReviewedAt = rev.CreatedAt
	}
}

// requireTrainer returns ErrForbidden unless the user in ctx is a trainer.
func requireTrainer(ctx context.Context) (*User, error) {
	u := UserFromContext(ctx)
	if !u.Has(RoleTrainer) {
		return nil, fmt.Errorf("reviewing needs the trainer role: %w", ErrForbidden)
	}
	return u, nil
}

// MarkReviewed marks revision n of slug and every unreviewed one before it
// reviewed by the trainer in ctx, and returns how many it marked (0 when
// all were reviewed already). Revisions after n stay unreviewed, so a
// trainer marks exactly what they were shown. ErrForbidden for anyone but
// a trainer; ErrNotFound if there is no revision n.
func (w *Wiki) MarkReviewed(ctx context.Context, slug Slug, n int) (int, error) {
	u, err := requireTrainer(ctx)
	if err != nil {
		return 0, err
	}
	if n < 1 {
		return 0, Invalid("revision", "must be 1 or more")
	}
	return w.store.MarkReviewed(ctx, slug, n, u.Name, w.now().UTC())
}

// MaxReviewItems is the most queue entries one call of ReviewQueue
// returns, each with its diff.
const MaxReviewItems = 200

// ReviewQueue returns up to limit pages with unreviewed revisions (50 if
// limit <= 0, MaxReviewItems at most), oldest first, each with one diff
// from its last reviewed revision to its head. With a cohort, only pages
// that a member of that cohort changed since their last review.
// ErrForbidden for anyone but a trainer.
func (w *Wiki) ReviewQueue(ctx context.Context, cohort string, limit int) ([]ReviewItem, error) {
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, MaxReviewItems)
	if _, err := requireTrainer(ctx); err != nil {
		return nil, err
	}
	items, err := w.store.ReviewQueue(ctx, 1000)
	if err != nil {
		return nil, err
	}
	out := items[:0]
	for _, it := range items {
		if cohort != "" && !slices.Contains(it.Cohorts, cohort) {
			continue
		}
		if len(out) == limit {
			break
		}
		d, _, err := w.Diff(ctx, it.Page.Slug, it.From, it.To)
		if errors.Is(err, ErrNotFound) {
			continue // changed under us; the next look shows it
		}
		if err != nil {
			return nil, err
		}
		it.Diff = d
		out = append(out, it)
	}
	return out, nil
}

// ReviewCount returns how many pages wait for review. It reads one
// counter, so the header can show it on every page.
func (w *Wiki) ReviewCount(ctx context.Context) (int, error) {
	return w.store.ReviewCount(ctx)
}

// RevertUnreviewed undoes everything a page gained since its last
// reviewed revision: a revert to that revision, marked reviewed together
// with what it undoes. shown is the head the trainer was shown; if the
// page moved on since, nothing is reverted and the error is ErrConflict,
// so an edit the trainer never saw is never thrown away. A page with no
// reviewed revision at all cannot be reverted this way (delete it
// instead). ErrForbidden for anyone but a trainer.
func (w *Wiki) RevertUnreviewed(ctx context.Context, slug Slug, shown int) (*EditResult, error) {
	u, err := requireTrainer(ctx)
	if err != nil {
		return nil, err
	}
	items, err := w.store.ReviewQueue(ctx, 1000)
	if err != nil {
		return nil, err
	}
	var item *ReviewItem
	for i := range items {
		if items[i].Page.Slug == slug {
			item = &items[i]
		}
	}
	switch {
	case item == nil:
		return nil, fmt.Errorf("page %q has nothing to review: %w", slug, ErrNotFound)
	case item.To != shown:
		return nil, fmt.Errorf("page %q is at revision %d, not %d: look again: %w", slug, item.To, shown, ErrConflict)
	case item.From == 0:
		return nil, Invalid("revision", "the page has no reviewed revision to go back to; delete it instead")
	}
	target, err := w.store.Revision(ctx, slug, item.From)
	if err != nil {
		return nil, err
	}
	rev := &Revision{
		Slug: slug, Kind: KindRevert, Title: target.Title, Markdown: target.Markdown, Tags: target.Tags,
		Summary: fmt.Sprintf("Reverted unreviewed changes back to revision %d", item.From), RevertOf: item.From,
		Author: u.Name, Cohort: u.Cohort, CreatedAt: w.now().UTC(), Base: shown,
	}
	if target.Deleted() {
		rev.Kind, rev.Markdown = KindDelete, ""
	}
	head, err := w.store.Page(ctx, slug)
	if err != nil {
		return nil, err
	}
	if head.Deleted == target.Deleted() && head.Markdown == target.Markdown && head.Title == target.Title && slices.Equal(head.Tags, target.Tags) {
		// The unreviewed revisions undo themselves: nothing to revert,
		// only to mark.
		if _, err := w.store.MarkReviewed(ctx, slug, shown, u.Name, w.now().UTC()); err != nil {
			return nil, err
		}
		cur, err := w.store.Revision(ctx, slug, shown)
		if err != nil {
			return nil, err
		}
		return &EditResult{Revision: cur, Unchanged: true}, nil
	}
	if head.Deleted && !target.Deleted() {
		rev.Kind = KindRestore
	}
	rev.Size = len(rev.Markdown)
	rev.Added, rev.Removed = diff.LineStats(head.Markdown, rev.Markdown)
	rev.Links = w.linksOf(ctx, slug, rev.Markdown)
	w.autoReview(rev, u)
	if err := w.store.Commit(ctx, rev, shown); err != nil {
		return nil, err // ErrConflict: someone saved after shown
	}
	w.onCommit(rev)
	// The revert undoes revisions From+1..shown: they are reviewed now, by
	// this trainer. A revision committed after the revert stays unreviewed.
	if _, err := w.store.MarkReviewed(ctx, slug, rev.Number, u.Name, w.now().UTC()); err != nil {
		return nil, err
	}
	return &EditResult{Revision: rev}, nil
}

// RevisionInfo returns revision n of slug without its text: who wrote and
// who reviewed it. ErrNotFound if there is none.
func (w *Wiki) RevisionInfo(ctx context.Context, slug Slug, n int) (*Revision, error) {
	return w.store.RevisionInfo(ctx, slug, n)
}

// RecentChanges returns changes across the wiki, newest first, that pass
// f, with a cursor for more. A bad cursor or limit is a *ValidationError.
func (w *Wiki) RecentChanges(ctx context.Context, f ChangeFilter) ([]RecentChange, string, error) {
	if f.Limit < 0 || f.Limit > MaxChangeLimit {
		return nil, "", Invalid("limit", "must be from 1 to %d", MaxChangeLimit)
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && f.Until.Before(f.Since) {
		return nil, "", Invalid("until", "is before since")
	}
	return w.store.RecentChanges(ctx, f)
}
