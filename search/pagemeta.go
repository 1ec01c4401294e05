package search

import (
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2"

	"github.com/faqwiki/faqwiki/wiki"
)

// What a search shows of a page besides its sections: its title and tags,
// the same on every section document of the page. A search groups some
// fifty sections into pages and needs the tags of every page for the
// facets, but loading a document's stored fields decodes the whole
// document, its text too: asking bleve for them with the hits cost more
// than a third of a search. So they are kept here, per page, and loaded
// only for the pages that are not. So are the stored fields of the
// sections searches showed (for their snippets), within maxDocBytes.
//
// The cache follows the index: apply drops the pages of every batch
// once the batch is searchable, and a rebuild's swap drops them all. A
// search notes the cache's generation before it asks the index, and what
// it loads is kept only if no change to that page (or reset) came since:
// a search that read the index before a change can never leave the old
// title behind.

// maxMetaPages bounds the pages kept: about a hundred bytes each; and
// maxDocBytes the sections' stored text. Past either, the cache starts
// again.
const (
	maxMetaPages = 200_000
	maxDocBytes  = 64 << 20
)

// pageMeta is a page's title and tags as its section documents hold them.
type pageMeta struct {
	title string
	tags  []string
}

type metaEntry struct {
	meta    pageMeta
	hasMeta bool
	docs    map[string]*storedDoc // sections of the page, by document id
	// gone, if not 0, is the generation at which the page changed: an
	// entry loaded by a search that began before it is refused.
	gone uint64
}

// metaCache keeps pageMeta per page; see the top of this file.
type metaCache struct {
	mu       sync.Mutex
	gen      uint64 // moves on at every change to the index
	floor    uint64 // loads by searches that began before this generation are refused
	max      int    // pages
	maxBytes int    // of the sections kept
	bytes    int
	pages    map[wiki.Slug]*metaEntry
}

func newMetaCache(max, maxBytes int) *metaCache {
	return &metaCache{max: max, maxBytes: maxBytes, pages: map[wiki.Slug]*metaEntry{}}
}

// generation is what a search notes before it asks the index, to give
// to put.
func (c *metaCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// get returns the kept title and tags of slug.
func (c *metaCache) get(slug wiki.Slug) (pageMeta, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.pages[slug]
	if !ok || !e.hasMeta {
		return pageMeta{}, false
	}
	return e.meta, true
}

// put keeps m for slug, as read by a search that began at generation gen,
// unless the page changed (or the cache was reset) since.
func (c *metaCache) put(gen uint64, slug wiki.Slug, m pageMeta) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entryLocked(gen, slug, 0); e != nil {
		e.meta, e.hasMeta = m, true
	}
}

// getDoc returns the kept stored fields of document id of page slug.
func (c *metaCache) getDoc(slug wiki.Slug, id string) (*storedDoc, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.pages[slug]
	if !ok {
		return nil, false
	}
	d, ok := e.docs[id]
	return d, ok
}

// putDoc keeps d as document id of page slug, as put keeps a page's
// title and tags.
func (c *metaCache) putDoc(gen uint64, slug wiki.Slug, id string, d *storedDoc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := d.size()
	if n > c.maxBytes/16 {
		return // one huge section would empty the cache
	}
	if e := c.entryLocked(gen, slug, n); e != nil {
		if e.docs == nil {
			e.docs = map[string]*storedDoc{}
		}
		if _, ok := e.docs[id]; !ok {
			e.docs[id] = d
			c.bytes += n
		}
	}
}

// entryLocked returns the entry of slug to store into, for a load by a
// search that began at gen, with room for n more bytes of sections; nil
// if the load is refused.
func (c *metaCache) entryLocked(gen uint64, slug wiki.Slug, n int) *metaEntry {
	if gen < c.floor {
		return nil
	}
	e, ok := c.pages[slug]
	if ok && e.gone > gen {
		return nil
	}
	if !ok && len(c.pages) >= c.max || c.bytes+n > c.maxBytes {
		c.clearLocked()
		if gen < c.floor {
			return nil
		}
		ok = false
	}
	if !ok || e.gone != 0 {
		e = &metaEntry{}
		c.pages[slug] = e
	}
	return e
}

// changed drops what is kept of slugs. Call it after the change is
// searchable.
func (c *metaCache) changed(slugs []wiki.Slug) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if len(c.pages)+len(slugs) > c.max {
		c.clearLocked()
		return
	}
	for _, s := range slugs {
		if e := c.pages[s]; e != nil {
			c.bytes -= e.bytes()
		}
		c.pages[s] = &metaEntry{gone: c.gen}
	}
}

// reset drops everything: the index was replaced.
func (c *metaCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.clearLocked()
}

// clearLocked empties the cache; loads begun before now are refused,
// since the changes they missed are no longer recorded.
func (c *metaCache) clearLocked() {
	clear(c.pages)
	c.bytes = 0
	c.floor = c.gen
}

func (e *metaEntry) bytes() int {
	n := 0
	for _, d := range e.docs {
		n += d.size()
	}
	return n
}

// size returns the number of entries, tombstones included (for tests).
func (c *metaCache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pages)
}

// fillMeta sets the title and tags of pages, from the cache or, for the
// pages it does not hold, from the document of their best section. gen
// is the cache's generation from before the search.
func (ix *Index) fillMeta(idx bleve.Index, gen uint64, pages []*pageHit, docs *docMemo) error {
	for _, p := range pages {
		if p.metaDone {
			continue
		}
		m, ok := ix.meta.get(p.slug)
		if !ok {
			d, err := docs.load(idx, p.best.ID)
			if err != nil {
				return err
			}
			if d == nil {
				// Gone since the search (a change the next search sees):
				// show what we have, and keep nothing.
				p.metaDone = true
				continue
			}
			m = pageMeta{title: d.title, tags: d.tags}
			ix.meta.put(gen, p.slug, m)
		}
		p.title, p.tags, p.metaDone = m.title, m.tags, true
	}
	return nil
}

// storedDoc is the stored fields of a section document. It is shared
// by searches: never changed once loaded.
type storedDoc struct {
	title, heading, text, preview, parent, under string
	tags                                         []string
}

func (d *storedDoc) size() int {
	n := 128 + len(d.title) + len(d.heading) + len(d.text) + len(d.preview) + len(d.parent) + len(d.under)
	for _, t := range d.tags {
		n += 16 + len(t)
	}
	return n
}

// docMemo holds the documents one search loaded, so that each is decoded
// once however many of its steps look at it (page titles, the parent
// question, the weak judgement, the snippets), and asks the cache (of
// generation gen, from before the search) for them first.
type docMemo struct {
	cache *metaCache
	gen   uint64
	m     map[string]*storedDoc
}

func newDocMemo(c *metaCache, gen uint64) *docMemo {
	return &docMemo{cache: c, gen: gen, m: map[string]*storedDoc{}}
}

// load returns the stored fields of document id; nil if it is gone.
func (m *docMemo) load(idx bleve.Index, id string) (*storedDoc, error) {
	if d, ok := m.m[id]; ok {
		return d, nil
	}
	slug, _ := splitDocID(id)
	if d, ok := m.cache.getDoc(slug, id); ok {
		m.m[id] = d
		return d, nil
	}
	doc, err := idx.Document(id)
	if err != nil {
		return nil, fmt.Errorf("search: load %q: %w", id, err)
	}
	if doc == nil {
		m.m[id] = nil
		return nil, nil
	}
	d := &storedDoc{}
	doc.VisitFields(func(f indexField) {
		switch f.Name() {
		case fieldTitle:
			d.title = string(f.Value())
		case fieldHeading:
			d.heading = string(f.Value())
		case fieldText:
			d.text = string(f.Value())
		case fieldPreview:
			d.preview = string(f.Value())
		case fieldParent:
			d.parent = string(f.Value())
		case fieldUnder:
			d.under = string(f.Value())
		case fieldTags:
			d.tags = append(d.tags, string(f.Value()))
		}
	})
	m.m[id] = d
	m.cache.putDoc(m.gen, slug, id, d)
	return d, nil
}
