package wiki

import (
	"context"
	"time"
)

// PageStore is what the domain needs from durable storage. It is the one
// source of truth; everything else (the search index, caches) derives from
// it. Each method is atomic.
type PageStore interface {
	// Page returns the head of a page, including a deleted one (Deleted
	// set). It returns ErrNotFound if the page never existed.
	Page(ctx context.Context, slug Slug) (*Page, error)

	// PageAt returns the page as it stood at time t: the last revision
	// created at or before t. ErrNotFound if it did not exist yet.
	PageAt(ctx context.Context, slug Slug, t time.Time) (*Page, error)

	// Revision returns revision n of a page, or ErrNotFound.
	Revision(ctx context.Context, slug Slug, n int) (*Revision, error)

	// Revisions returns the revisions of a page newest first, with their
	// Markdown left empty. ErrNotFound if the page never existed.
	Revisions(ctx context.Context, slug Slug) ([]*Revision, error)

	// Pages lists pages that are not deleted, ordered by slug, or by title
	// when f.ByTitle is set. A bad cursor is a *ValidationError.
	Pages(ctx context.Context, f PageFilter) (pages []PageSummary, next string, err error)

	// RecentPages lists up to limit pages that are not deleted, most
	// recently changed first.
	RecentPages(ctx context.Context, limit int) ([]PageSummary, error)

	// Exists reports, for each slug, whether it names a page that is not
	// deleted.
	Exists(ctx context.Context, slugs []Slug) ([]bool, error)

	// Commit appends rev as the next revision of rev.Slug if the page's head
	// is still revision head (0: the page must not exist yet). It fills in
	// rev.Number and appends a Change to the feed, all in one transaction.
	// It returns ErrConflict if the head moved. Concurrent commits are
	// grouped so that they share one disk sync.
	Commit(ctx context.Context, rev *Revision, head int) error

	// Changes returns up to limit changes with Seq > since, oldest first.
	Changes(ctx context.Context, since uint64, limit int) ([]Change, error)

	// LastSeq returns the sequence number of the newest change (0 if none).
	LastSeq(ctx context.Context) (uint64, error)
}

// Clock tells the time. Tests replace it to make history deterministic.
type Clock func() time.Time
