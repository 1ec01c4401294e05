package wiki

import (
	"context"
	"fmt"

	"github.com/faqwiki/faqwiki/wiki/markdown"
)

// Viewing a page: everything the view of a page's current text shows
// besides its text, read in one store transaction, and the text's render
// from the cache without reading the text at all. A page view is the
// commonest request by far; each separate read of the store costs about a
// microsecond and a decode, and the text of a long page tens of them.

// ViewStore is what the store offers for a page view.
type ViewStore interface {
	// PageView reads the head of the page slug (without its Markdown) and
	// what its view shows: the head revision's metadata, the pages that
	// link to it, whether username watches it (nothing for "") and
	// whether their watchlist still shows an older revision of it as
	// unseen, the review queue's length and the store's ExistenceSeq.
	// ErrNotFound if the page never existed.
	PageView(ctx context.Context, slug Slug, username, cohort string) (*PageViewState, error)
}

// PageViewState is what a page view shows besides the text.
type PageViewState struct {
	Page      *Page     // the head, Markdown left empty
	Head      *Revision // the head revision's metadata: who reviewed it
	Backlinks []PageSummary
	// TitleBacklinks are the pages that link to the slug the page's title
	// makes, when that is not its slug and no page lives there (see
	// PageBacklinks); View merges them into Backlinks.
	TitleBacklinks []PageSummary
	Watching       bool // the user watches this page (Prefix: and its sub-pages)
	WatchingPrefix bool
	// Unseen is set when the page is on the user's watchlist (or their
	// cohort's reading list) with an older revision seen: the view marks
	// the head seen.
	Unseen bool
	// ReviewCount is how many pages wait for review (trainers' header).
	ReviewCount int
	// Unreviewed is how many of this page's revisions wait for review: a
	// trainer's own edit is reviewed as it is saved, and a page whose head
	// is reviewed may still have earlier changes nobody looked at.
	Unreviewed int
	// ExistenceSeq moves on whenever a page comes to exist, stops
	// existing or changes its title (a create, a delete, a restore, a
	// retitle): renders whose wiki links were checked at the same number
	// are still right.
	ExistenceSeq uint64
}

// PageView is a page view: the state and the rendered text.
type PageView struct {
	*PageViewState
	Rendered *markdown.Rendered
	// SeenErr is why marking the head seen failed, if it did: the view
	// goes on without it.
	SeenErr error
}

// View returns what the view of the page slug's current text needs: one
// read of the store, and the text's render from the cache (the text is
// read and rendered only on a cache miss). It marks the head seen on the
// user's watchlist when it was not (a failure to is in SeenErr: it does
// not fail the view). ErrNotFound if the page never existed; a deleted
// page comes back with Page.Deleted set and no render.
func (w *Wiki) View(ctx context.Context, slug Slug) (*PageView, error) {
	u := UserFromContext(ctx)
	name, cohort := "", ""
	if u.SignedIn() {
		name, cohort = u.Name, u.Cohort
	}
	st, err := w.store.PageView(ctx, slug, name, cohort)
	if err != nil {
		return nil, err
	}
	v := &PageView{PageViewState: st}
	if st.Page.Deleted {
		return v, nil
	}
	st.Backlinks = mergeBacklinks(st.Page.Slug, st.Backlinks, st.TitleBacklinks)
	if v.Rendered, err = w.renderHead(ctx, st); err != nil {
		return nil, err
	}
	if st.Unseen {
		if err := w.MarkSeen(ctx, slug, st.Page.Revision); err != nil {
			v.SeenErr = fmt.Errorf("mark %q seen: %w", slug, err)
		}
	}
	return v, nil
}

// renderHead returns the render of the head of st's page: cached, when
// the cached render's links were checked at st.ExistenceSeq or still
// hold, else from the text, read now.
func (w *Wiki) renderHead(ctx context.Context, st *PageViewState) (*markdown.Rendered, error) {
	p := st.Page
	if r, ok := w.cachedRender(ctx, p.Slug, p.Revision, st.ExistenceSeq); ok {
		return r, nil
	}
	rev, err := w.store.Revision(ctx, p.Slug, p.Revision)
	if err != nil {
		return nil, err
	}
	return w.renderCached(ctx, p.Slug, p.Revision, rev.Markdown, p.Attachments, st.ExistenceSeq)
}
