package wiki

import (
	"context"
	"slices"

	"github.com/faqwiki/faqwiki/wiki/markdown"
)

// Links between pages: which pages a page's wiki links point at, kept in a
// link index that the store updates in the same transaction as each commit
// (from Revision.Links), so "what links here", wanted pages and orphans are
// right after every save, revert, delete and restore.

// Link is the target of a wiki link: the page it names and the name as the
// author wrote it (the title a page created from the link gets).
type Link struct {
	Slug  Slug
	Title string
}

// WantedPage is a page that wiki links point at but nobody wrote yet (or
// that was deleted): how many live pages link to it, and some of them.
type WantedPage struct {
	Slug     Slug
	Title    string // as the first linking page wrote it
	WantedBy int    // distinct live pages linking here
	From     []Slug // up to 10 of them, by slug
}

// LinkStore is the link index the store keeps at commit.
type LinkStore interface {
	// Backlinks lists the live pages other than slug whose current text
	// links to slug, by slug.
	Backlinks(ctx context.Context, slug Slug) ([]PageSummary, error)
	// Wanted lists link targets that are not live pages, most wanted
	// first, at most limit.
	Wanted(ctx context.Context, limit int) ([]WantedPage, error)
	// Orphans lists live pages that no other live page links to, by slug,
	// at most limit.
	Orphans(ctx context.Context, limit int) ([]PageSummary, error)
}

// linksOf returns the distinct wiki-link targets of a text, as Commit
// files them; a link to the page itself is kept out.
//
// With a store at hand, a wiki link that names a page by its title is
// filed under that page (as the rendered link opens it), so "what links
// here" finds it; the title is looked up as the commit is prepared, so a
// page given that title later is linked once the linking page is saved
// again.
func (w *Wiki) linksOf(ctx context.Context, self Slug, text string) []Link {
	return w.linksFrom(ctx, self, w.render.LinkTargets(text))
}

// linksFrom is linksOf for the targets of a text parsed already (a
// render's).
func (w *Wiki) linksFrom(ctx context.Context, self Slug, ls []markdown.LinkTarget) []Link {
	out := make([]Link, 0, len(ls))
	var titles []string
	var titledAt []int
	for _, l := range ls {
		s := Slug(l.Slug)
		if !validLinkSlug(s) {
			continue
		}
		title := l.Title
		if l.ByAddress {
			title = TitleFromSlug(s)
		} else if w.store != nil && title != "" {
			titles = append(titles, title)
			titledAt = append(titledAt, len(out))
		}
		out = append(out, Link{Slug: s, Title: title})
	}
	if len(titles) > 0 {
		if found, err := w.store.PagesTitled(ctx, titles); err == nil {
			for j, i := range titledAt {
				if len(found[j]) > 0 {
					out[i].Slug = Slug(pickTitled(found[j], out[i].Slug).Slug)
				}
			}
		}
	}
	// A link to the page itself is kept out, and each target once.
	seen := map[Slug]bool{self: true}
	return slices.DeleteFunc(out, func(l Link) bool {
		if seen[l.Slug] {
			return true
		}
		seen[l.Slug] = true
		return false
	})
}

// LinksOf is linksOf for a migration or a rebuild outside the service:
// the links a wiki rendering with r would file for text on page self.
func LinksOf(r *markdown.Renderer, self Slug, text string) []Link {
	return (&Wiki{render: r}).linksOf(context.Background(), self, text)
}

func validLinkSlug(s Slug) bool {
	_, err := ParseSlug(string(s))
	return err == nil
}

// Backlinks lists the live pages that link to slug ("what links here").
func (w *Wiki) Backlinks(ctx context.Context, slug Slug) ([]PageSummary, error) {
	return w.store.Backlinks(ctx, slug)
}

// Wanted lists pages that links point at but that do not exist, most
// wanted first (at most limit; 100 if limit <= 0).
func (w *Wiki) Wanted(ctx context.Context, limit int) ([]WantedPage, error) {
	if limit <= 0 {
		limit = 100
	}
	return w.store.Wanted(ctx, limit)
}

// Orphans lists live pages that no other page links to (at most limit;
// 100 if limit <= 0).
func (w *Wiki) Orphans(ctx context.Context, limit int) ([]PageSummary, error) {
	if limit <= 0 {
		limit = 100
	}
	pages, err := w.store.Orphans(ctx, limit)
	if err != nil {
		return nil, err
	}
	return slices.Clip(pages), nil
}
