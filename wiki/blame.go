package wiki

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/faqwiki/faqwiki/wiki/blame"
)

// Blame: who wrote each word of a page's current text. The attribution
// follows the text through every revision (see package blame), so a
// paragraph that moved keeps its author, text a revert restored goes back
// to whoever first wrote it, and re-wrapping takes over nothing. The wiki
// keeps the attribution of recently blamed pages in memory and brings it up
// to date by feeding it only the revisions saved since, so blaming a page
// with a thousand revisions costs the whole history once and a diff's worth
// of work after each save.

// BlameSpan is a run of a line written by one revision.
type BlameSpan struct {
	Text     string
	Revision int // 0 for white space on a line no revision's words are on
}

// BlameLine is a line of the current text, in spans, with the revision that
// wrote most of it (0 for a blank line).
type BlameLine struct {
	Number   int // from 1
	Revision int
	Spans    []BlameSpan
}

// Blame is the attribution of a page's current text.
type Blame struct {
	Page      *Page
	Lines     []BlameLine
	Revisions map[int]*Revision // every revision a line or span names, without text
}

// blameEntry is the cached attribution of one page, advanced revision by
// revision under its lock.
type blameEntry struct {
	mu   sync.Mutex
	b    *blame.Blamer
	revs map[int]*Revision // metadata of the revisions fed, without text
}

// MaxBlameLines is the most lines a page may have for Blame: a page of
// the most text allowed, written as prose, has about a tenth of this, and
// the attribution of a million one-word lines was hundreds of megabytes.
const MaxBlameLines = 20_000

// Blame attributes the current text of slug line by line and word by
// word. ErrNotFound if the page does not exist or is deleted; a
// *ValidationError if it has more than MaxBlameLines lines.
func (w *Wiki) Blame(ctx context.Context, slug Slug) (*Blame, error) {
	page, err := w.store.Page(ctx, slug)
	if err != nil {
		return nil, err
	}
	if page.Deleted {
		return nil, fmt.Errorf("page %q is deleted: %w", slug, ErrNotFound)
	}
	if n := strings.Count(page.Markdown, "\n") + 1; n > MaxBlameLines {
		return nil, Invalid("page", "has %d lines; who wrote what is shown for pages of up to %d lines", n, MaxBlameLines)
	}
	key := string(slug)
	e, ok := w.blames.Get(key)
	if !ok {
		e = &blameEntry{b: blame.New(), revs: map[int]*Revision{}}
		// Cached at once: a long history cut short by a cancelled request
		// keeps the revisions it got through for the next one.
		w.blames.Put(key, e, 64)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.b.Revisions() > page.Revision {
		e.b, e.revs = blame.New(), map[int]*Revision{} // cannot happen with immutable history; start again rather than lie
	}
	for n := e.b.Revisions() + 1; n <= page.Revision; n++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rev, err := w.store.Revision(ctx, slug, n)
		if err != nil {
			return nil, err
		}
		e.b.Add(n, rev.Markdown)
		rev.Markdown, rev.Links = "", nil
		e.revs[n] = rev
	}
	byNumber := e.revs
	out := &Blame{Page: page, Revisions: map[int]*Revision{}}
	for i, l := range e.b.Lines() {
		bl := BlameLine{Number: i + 1, Revision: max(l.Origin, 0)}
		for _, s := range l.Spans {
			bl.Spans = append(bl.Spans, BlameSpan{Text: s.Text, Revision: max(s.Origin, 0)})
			if r := byNumber[s.Origin]; r != nil {
				out.Revisions[s.Origin] = r
			}
		}
		out.Lines = append(out.Lines, bl)
	}
	w.blames.Put(key, e, e.b.Size()+len(key)+64+256*len(e.revs))
	return out, nil
}
