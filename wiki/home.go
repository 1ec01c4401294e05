package wiki

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"time"
)

// The home page: an editable front page (an ordinary page, HomeSlug), the
// sections of the wiki, the questions opened most, recent changes and
// what the FAQ does not answer yet.

// HomeSlug is the front page: an ordinary, versioned page that the home
// route shows above the rest.
const HomeSlug Slug = "home"

// SectionOpen is a section (a FAQ question) with how often people opened
// it from a search in some period. Counts are aggregate: nobody's opens
// are named.
type SectionOpen struct {
	Slug   Slug
	Anchor string // "" for the page as a whole
	Opens  int
}

// OpenCounts counts the sections people open from searches (the search
// log keeps them).
type OpenCounts interface {
	// MostOpened lists up to limit sections opened at or after since,
	// most opened first.
	MostOpened(ctx context.Context, since time.Time, limit int) ([]SectionOpen, error)
}

// WikiSection is a part of the wiki: the pages under a slug prefix. Its
// Title is the title of the page at the prefix itself when there is one.
type WikiSection struct {
	Slug  Slug   // the prefix, "onboarding" for onboarding/...
	Title string // of the page at Slug, else made from the slug
	Page  bool   // a page lives at Slug itself
	Pages int    // pages under it, itself included
}

// sectionTree is the top of the wiki's tree of pages, kept in memory: the
// home page shows it on every view, and it changes only when a page is
// created, deleted or restored, or a section's own page is retitled.
type sectionTree struct {
	building sync.Mutex    // one build at a time
	mu       sync.Mutex    // guards the rest; never held while reading the store
	sections []WikiSection // nil: not built (or out of date)
	top      map[Slug]bool // slugs whose title the tree shows
	built    time.Time
	gen      uint64 // changes seen; a build that saw one meanwhile is not kept
}

// sectionTreeTTL bounds how stale the tree may be when other servers
// change the pages (this one's own commits rebuild it at once).
const sectionTreeTTL = 5 * time.Minute

// maxTreePages bounds the pages read to build the tree; a wiki beyond it
// shows the sections of its first maxTreePages pages by slug.
const maxTreePages = 200_000

func (w *Wiki) sectionsChanged(rev *Revision) {
	t := w.tree
	t.mu.Lock()
	defer t.mu.Unlock()
	if rev.Kind != KindEdit || t.top[rev.Slug] {
		t.sections = nil
		t.gen++
	}
}

// cached returns the tree if it is built and fresh, and the generation
// it is at.
func (t *sectionTree) cached(now time.Time) ([]WikiSection, uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.sections != nil && now.Sub(t.built) < sectionTreeTTL {
		return t.sections, t.gen
	}
	return nil, t.gen
}

// Sections returns the top of the wiki's tree: every first slug segment
// under which pages live, by title, with how many. It reads the pages
// only when they changed (a page created, deleted or restored, a
// section's page retitled) since it last did.
func (w *Wiki) Sections(ctx context.Context) ([]WikiSection, error) {
	t := w.tree
	if s, _ := t.cached(w.now()); s != nil {
		return s, nil
	}
	t.building.Lock()
	defer t.building.Unlock()
	s, gen := t.cached(w.now()) // another caller may have built it meanwhile
	if s != nil {
		return s, nil
	}
	count := map[Slug]int{}
	titles := map[Slug]string{}
	cursor := ""
	for n := 0; n < maxTreePages; {
		pages, next, err := w.store.Pages(ctx, PageFilter{Limit: 1000, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, p := range pages {
			top := p.Slug
			if i := strings.IndexByte(string(p.Slug), '/'); i >= 0 {
				top = p.Slug[:i]
			} else {
				titles[top] = p.Title
			}
			count[top]++
		}
		n += len(pages)
		if next == "" {
			break
		}
		cursor = next
	}
	out := make([]WikiSection, 0, len(count))
	top := make(map[Slug]bool, len(count))
	for s, n := range count {
		sec := WikiSection{Slug: s, Pages: n, Title: titles[s]}
		sec.Page = sec.Title != ""
		if !sec.Page {
			sec.Title = TitleFromSlug(s)
		}
		top[s] = true
		out = append(out, sec)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := strings.ToLower(out[i].Title), strings.ToLower(out[j].Title)
		if a != b {
			return a < b
		}
		return out[i].Slug < out[j].Slug
	})
	t.mu.Lock()
	if t.gen == gen {
		t.sections, t.top, t.built = out, top, w.now()
	}
	t.mu.Unlock()
	return out, nil
}

// SectionPages returns a section's own page (nil if none) and the pages
// right below it, each as a WikiSection counting the pages under it, by
// title: one range of the pages by slug, at most limit pages read (more
// reports that there were more).
func (w *Wiki) SectionPages(ctx context.Context, prefix Slug, limit int) (self *PageSummary, below []WikiSection, more bool, err error) {
	if _, err := ParseSlug(string(prefix)); err != nil {
		return nil, nil, false, err
	}
	if p, err := w.store.Page(ctx, prefix); err == nil && !p.Deleted {
		self = &PageSummary{Slug: p.Slug, Title: p.Title, Revision: p.Revision, UpdatedAt: p.UpdatedAt, Author: p.Author, Cohort: p.Cohort, Tags: p.Tags}
	} else if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, nil, false, err
	}
	pages, next, err := w.store.Pages(ctx, PageFilter{Prefix: string(prefix) + "/", Limit: limit})
	if err != nil {
		return nil, nil, false, err
	}
	idx := map[Slug]int{}
	for _, p := range pages {
		rest := strings.TrimPrefix(string(p.Slug), string(prefix)+"/")
		child := prefix + "/" + Slug(rest)
		direct := true
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			child, direct = prefix+"/"+Slug(rest[:i]), false
		}
		k, ok := idx[child]
		if !ok {
			k = len(below)
			idx[child] = k
			below = append(below, WikiSection{Slug: child, Title: TitleFromSlug(child)})
		}
		below[k].Pages++
		if direct {
			below[k].Title, below[k].Page = p.Title, true
		}
	}
	sort.SliceStable(below, func(i, j int) bool { return strings.ToLower(below[i].Title) < strings.ToLower(below[j].Title) })
	if self == nil && len(below) == 0 {
		return nil, nil, false, ErrNotFound
	}
	return self, below, next != "", nil
}
