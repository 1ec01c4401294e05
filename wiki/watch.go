package wiki

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// Watching, as MediaWiki's watchlist: a person watches pages (or every
// page under a prefix); their watchlist shows the watched pages that
// changed since they last opened each, with a diff from the revision they
// last saw; opening the page clears it. Trainers can make a cohort watch
// a set of pages, the hand-over pages its members must read: those show
// as unread until each member has opened them.

// Watch is one page (or prefix) a person watches.
type Watch struct {
	Slug      Slug
	Prefix    bool // also every page under Slug + "/"
	CreatedAt time.Time
}

// Why a page is on someone's watchlist.
const (
	WatchedPage   = "page"   // they watch it
	WatchedPrefix = "prefix" // they watch a page above it with its sub-pages
	WatchedCohort = "cohort" // their cohort must read it
)

// WatchedItem is a page on someone's watchlist.
type WatchedItem struct {
	Page    PageSummary // the page's head
	Deleted bool
	Seen    int    // the revision they last saw (0: never opened)
	Via     string // WatchedPage, WatchedPrefix or WatchedCohort
	Watch   Slug   // the watched slug that brought it (the prefix's page for WatchedPrefix)
}

// Changed reports whether the page changed since they last saw it.
func (it *WatchedItem) Changed() bool { return it.Page.Revision > it.Seen }

// WatchStore keeps who watches what and what they saw.
type WatchStore interface {
	// Watch adds (or updates) a watch of slug by username, remembering the
	// page's head as seen if they have no seen revision for it yet.
	Watch(ctx context.Context, username string, w Watch) error
	// Unwatch removes username's watch of slug; a missing one is no error.
	Unwatch(ctx context.Context, username string, slug Slug) error
	// Watches lists username's watches by slug.
	Watches(ctx context.Context, username string) ([]Watch, error)
	// Watchlist returns every page username watches (directly, through a
	// prefix, or through cohort's reading list), with the revision they
	// last saw, by slug, at most limit.
	Watchlist(ctx context.Context, username, cohort string, limit int) ([]WatchedItem, error)
	// MarkSeen records that username saw revision n of slug, if the page
	// is on their watchlist and they had seen an older one; otherwise it
	// writes nothing.
	MarkSeen(ctx context.Context, username, cohort string, slug Slug, n int) error
	// SetCohortWatches replaces the reading list of a cohort.
	SetCohortWatches(ctx context.Context, cohort string, slugs []Slug) error
	// CohortWatches returns a cohort's reading list by slug.
	CohortWatches(ctx context.Context, cohort string) ([]Slug, error)
}

// MaxWatches bounds the watches of one person, and the reading list of a
// cohort.
const MaxWatches = 500

// signedIn returns the user in ctx, or ErrUnauthorized for a visitor.
func signedIn(ctx context.Context) (*User, error) {
	u := UserFromContext(ctx)
	if !u.SignedIn() {
		return nil, fmt.Errorf("watching needs an account: %w", ErrUnauthorized)
	}
	return u, nil
}

// Watch makes the person in ctx watch slug (and with prefix, every page
// under it). The page need not exist yet. ErrUnauthorized for a visitor;
// a *ValidationError past MaxWatches.
func (w *Wiki) Watch(ctx context.Context, slug Slug, prefix bool) error {
	u, err := signedIn(ctx)
	if err != nil {
		return err
	}
	if _, err := ParseSlug(string(slug)); err != nil {
		return err
	}
	have, err := w.store.Watches(ctx, u.Name)
	if err != nil {
		return err
	}
	if len(have) >= MaxWatches && !slices.ContainsFunc(have, func(x Watch) bool { return x.Slug == slug }) {
		return Invalid("slug", "you already watch %d pages, the most one person can; unwatch some first", MaxWatches)
	}
	return w.store.Watch(ctx, u.Name, Watch{Slug: slug, Prefix: prefix, CreatedAt: w.now().UTC()})
}

// Unwatch stops the person in ctx watching slug.
func (w *Wiki) Unwatch(ctx context.Context, slug Slug) error {
	u, err := signedIn(ctx)
	if err != nil {
		return err
	}
	return w.store.Unwatch(ctx, u.Name, slug)
}

// Watches lists what the person in ctx watches.
func (w *Wiki) Watches(ctx context.Context) ([]Watch, error) {
	u, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	return w.store.Watches(ctx, u.Name)
}

// IsWatching reports whether the person in ctx watches slug itself (not
// through a prefix or their cohort), and whether with its sub-pages.
func (w *Wiki) IsWatching(ctx context.Context, slug Slug) (watching, prefix bool, err error) {
	u := UserFromContext(ctx)
	if !u.SignedIn() {
		return false, false, nil
	}
	ws, err := w.store.Watches(ctx, u.Name)
	if err != nil {
		return false, false, err
	}
	for _, x := range ws {
		if x.Slug == slug {
			return true, x.Prefix, nil
		}
	}
	return false, false, nil
}

// Watchlist returns the watched pages of the person in ctx: the ones that
// changed since they last saw them first (most recently changed first),
// then the rest by title.
func (w *Wiki) Watchlist(ctx context.Context) ([]WatchedItem, error) {
	u, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	items, err := w.store.Watchlist(ctx, u.Name, u.Cohort, 2000)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(items, func(a, b WatchedItem) int {
		switch ac, bc := a.Changed(), b.Changed(); {
		case ac && !bc:
			return -1
		case bc && !ac:
			return 1
		case ac:
			return b.Page.UpdatedAt.Compare(a.Page.UpdatedAt)
		}
		return cmp.Compare(a.Page.Title, b.Page.Title)
	})
	return items, nil
}

// MarkSeen records that the person in ctx opened revision n of slug; it
// clears the page from their watchlist's changes. It does nothing for a
// visitor or a page they do not watch.
func (w *Wiki) MarkSeen(ctx context.Context, slug Slug, n int) error {
	u := UserFromContext(ctx)
	if !u.SignedIn() {
		return nil
	}
	return w.store.MarkSeen(ctx, u.Name, u.Cohort, slug, n)
}

// SetCohortReading replaces the pages a cohort's members must read (they
// show on each member's watchlist until opened). ErrForbidden for anyone
// but a trainer; a *ValidationError for a bad slug or too many.
func (w *Wiki) SetCohortReading(ctx context.Context, cohort string, slugs []Slug) error {
	if _, err := requireTrainer(ctx); err != nil {
		return err
	}
	if _, err := ParseCohortID(cohort); err != nil {
		return err
	}
	if len(slugs) > MaxWatches {
		return Invalid("slugs", "a reading list holds at most %d pages", MaxWatches)
	}
	seen := map[Slug]bool{}
	var clean []Slug
	for _, s := range slugs {
		if _, err := ParseSlug(string(s)); err != nil {
			return Invalid("slugs", "%q is not a page address", s)
		}
		if !seen[s] {
			seen[s] = true
			clean = append(clean, s)
		}
	}
	slices.Sort(clean)
	return w.store.SetCohortWatches(ctx, cohort, clean)
}

// CohortReading returns the pages a cohort's members must read.
func (w *Wiki) CohortReading(ctx context.Context, cohort string) ([]Slug, error) {
	return w.store.CohortWatches(ctx, cohort)
}

// WatchedChanges returns up to limit recent changes to the pages on the
// watchlist of the person in ctx, newest first, for their Atom feed.
func (w *Wiki) WatchedChanges(ctx context.Context, limit int) ([]RecentChange, error) {
	u, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	items, err := w.store.Watchlist(ctx, u.Name, u.Cohort, 2000)
	if err != nil {
		return nil, err
	}
	var out []RecentChange
	for _, it := range items {
		rows, _, err := w.store.RecentChanges(ctx, ChangeFilter{Page: it.Page.Slug, Limit: limit})
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	slices.SortFunc(out, func(a, b RecentChange) int {
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		return cmp.Compare(b.Seq, a.Seq)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
