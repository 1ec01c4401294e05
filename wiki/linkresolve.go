package wiki

import (
	"context"
	"slices"
	"strings"

	"github.com/faqwiki/faqwiki/wiki/markdown"
)

// maxSharedShown is how many other pages with a link's title a page
// names beside the link.
const maxSharedShown = 3

// resolveLinks answers the renderer's question where links lead (see
// markdown.LinkQuery): a wiki link that gives a page's title opens the
// live page with that title (case and accents aside) wherever it lives,
// the one at the slug the title makes if several share it, else the
// first by slug, naming the others; a link whose name is no page's title,
// and a Markdown link to a page's address, open the page at their slug
// if it exists. Two store reads, however many links.
func (w *Wiki) resolveLinks(ctx context.Context) func([]markdown.LinkQuery) ([]markdown.LinkAnswer, error) {
	return func(qs []markdown.LinkQuery) ([]markdown.LinkAnswer, error) {
		var titles []string
		titled := make([]int, len(qs)) // index in titles, or -1
		for i, q := range qs {
			titled[i] = -1
			if q.Title != "" {
				titled[i] = len(titles)
				titles = append(titles, q.Title)
			}
		}
		var byTitle [][]Slug
		if len(titles) > 0 {
			var err error
			if byTitle, err = w.store.PagesTitled(ctx, titles); err != nil {
				return nil, err
			}
		}
		out := make([]markdown.LinkAnswer, len(qs))
		var check []Slug
		var checkAt []int
		for i, q := range qs {
			if t := titled[i]; t >= 0 && len(byTitle[t]) > 0 {
				out[i] = pickTitled(byTitle[t], Slug(q.Slug))
				continue
			}
			check = append(check, Slug(q.Slug))
			checkAt = append(checkAt, i)
		}
		if len(check) > 0 {
			ok, err := w.store.Exists(ctx, check)
			if err != nil {
				return nil, err
			}
			for j, i := range checkAt {
				if ok[j] {
					out[i].Slug = string(check[j])
				}
			}
		}
		return out, nil
	}
}

// pickTitled chooses among the pages that share a link's title: the one
// at the slug the title makes if it is among them, else the first.
func pickTitled(pages []Slug, own Slug) markdown.LinkAnswer {
	pick := pages[0]
	if slices.Contains(pages, own) {
		pick = own
	}
	a := markdown.LinkAnswer{Slug: string(pick)}
	for _, p := range pages {
		if p != pick && len(a.Others) < maxSharedShown {
			a.Others = append(a.Others, string(p))
		}
	}
	return a
}

// PageBacklinks is Backlinks for a page as its view shows them: also the
// pages whose [[Title]] links were filed, before this page had its title
// or existed, under the slug its title makes (the link index files a
// title link where it led when the linking page was saved), as long as no
// page lives at that slug to take them.
func (w *Wiki) PageBacklinks(ctx context.Context, p *Page) ([]PageSummary, error) {
	back, err := w.store.Backlinks(ctx, p.Slug)
	if err != nil {
		return nil, err
	}
	return w.titleBacklinks(ctx, p, back)
}

// titleBacklinks adds to back, the pages that link to p's slug, those
// whose [[Title]] links were filed under the slug p's title makes before
// p had that title (as long as no page lives there).
func (w *Wiki) titleBacklinks(ctx context.Context, p *Page, back []PageSummary) ([]PageSummary, error) {
	alt := SlugFromTitle(p.Title)
	if alt == "" || alt == p.Slug {
		return back, nil
	}
	if ok, err := w.store.Exists(ctx, []Slug{alt}); err != nil || ok[0] {
		return back, err
	}
	more, err := w.store.Backlinks(ctx, alt)
	if err != nil {
		return back, err
	}
	return mergeBacklinks(p.Slug, back, more), nil
}

// mergeBacklinks returns back with the pages of more it lacks (but self),
// in slug order; back is not changed (the store's copies are shared).
func mergeBacklinks(self Slug, back, more []PageSummary) []PageSummary {
	if len(more) == 0 {
		return back
	}
	out := slices.Clone(back)
	seen := map[Slug]bool{self: true}
	for _, b := range back {
		seen[b.Slug] = true
	}
	for _, b := range more {
		if !seen[b.Slug] {
			seen[b.Slug] = true
			out = append(out, b)
		}
	}
	slices.SortFunc(out, func(a, b PageSummary) int { return strings.Compare(string(a.Slug), string(b.Slug)) })
	return out
}
