package search

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/faqwiki/faqwiki/wiki"
)

// A load by a search that began before a change to the page is never
// kept: that search may have read the index before the change.
func TestMetaCache_RefusesLoadsFromBeforeAChange(t *testing.T) {
	c := newMetaCache(10, 1<<20)
	old, cur := pageMeta{title: "Old"}, pageMeta{title: "New"}

	g0 := c.generation()
	c.put(g0, "a", old)
	if m, ok := c.get("a"); !ok || m.title != "Old" {
		t.Fatalf("get a = %v %v, want Old", m, ok)
	}

	g1 := c.generation()
	c.changed([]wiki.Slug{"a"})
	if _, ok := c.get("a"); ok {
		t.Fatal("a is still kept after it changed")
	}
	c.put(g1, "a", old) // began before the change: perhaps the old title
	if m, ok := c.get("a"); ok {
		t.Fatalf("a load from before the change was kept: %v", m)
	}
	c.put(g1, "b", pageMeta{title: "B"}) // another page: nothing changed it
	if _, ok := c.get("b"); !ok {
		t.Error("b, which did not change, was refused")
	}
	c.put(c.generation(), "a", cur)
	if m, ok := c.get("a"); !ok || m.title != "New" {
		t.Errorf("get a = %v %v after a load from after the change, want New", m, ok)
	}

	// A reset (a rebuilt index) refuses every load begun before it.
	g2 := c.generation()
	c.reset()
	if _, ok := c.get("a"); ok {
		t.Error("a is kept after a reset")
	}
	c.put(g2, "c", pageMeta{title: "C"})
	if _, ok := c.get("c"); ok {
		t.Error("a load from before the reset was kept")
	}
}

// When the cache is full it starts again, and the changes it forgot
// cannot let an old load in.
func TestMetaCache_Bounded(t *testing.T) {
	c := newMetaCache(3, 1<<20)
	g := c.generation()
	for i := range 10 {
		c.put(c.generation(), wiki.Slug(fmt.Sprint(i)), pageMeta{title: fmt.Sprint(i)})
		if n := c.size(); n > 3 {
			t.Fatalf("%d entries, want at most 3", n)
		}
	}
	c.changed([]wiki.Slug{"x"})           // a tombstone for x, from generation g+1
	c.changed([]wiki.Slug{"y", "z", "w"}) // too many: the cache starts again, x's tombstone with it
	c.put(g, "x", pageMeta{title: "old x"})
	if _, ok := c.get("x"); ok {
		t.Error("a load from before x changed was kept once the cache had forgotten the change")
	}
}

// Search results show a page's tags as they are now: after an edit that
// changes them, after a rebuild, and after many edits made while others
// search.
func TestSearch_TagsFollowChanges(t *testing.T) {
	ctx := context.Background()
	e := mustOpenEnv(t)
	e.save(t, "laptop", "Laptop", "Your laptop arrives on day one.", "it")
	e.save(t, "laptop-bag", "Laptop bag", "A bag for the laptop.", "equipment")
	e.catchUp(t)
	check := func(when string, want map[wiki.Slug][]string, facets []wiki.TagCount) {
		t.Helper()
		res := e.search(t, wiki.SearchQuery{Text: "laptop"})
		if len(res.Hits) != len(want) {
			t.Fatalf("%s: hits %v, want %d", when, hitIDs(res), len(want))
		}
		for _, h := range res.Hits {
			if !slices.Equal(h.Tags, want[h.Slug]) {
				t.Errorf("%s: %s has tags %v, want %v", when, h.Slug, h.Tags, want[h.Slug])
			}
		}
		if !equalFacets(res.Facets, facets) {
			t.Errorf("%s: facets %v, want %v", when, res.Facets, facets)
		}
	}
	check("at first", map[wiki.Slug][]string{"laptop": {"it"}, "laptop-bag": {"equipment"}},
		[]wiki.TagCount{{Tag: "equipment", Count: 1}, {Tag: "it", Count: 1}})

	e.save(t, "laptop", "Laptop", "Your laptop arrives on day one.", "hardware", "it")
	e.catchUp(t)
	check("after an edit", map[wiki.Slug][]string{"laptop": {"hardware", "it"}, "laptop-bag": {"equipment"}},
		[]wiki.TagCount{{Tag: "equipment", Count: 1}, {Tag: "hardware", Count: 1}, {Tag: "it", Count: 1}})

	// Saved but not applied: a rebuild reads the store, and the swap
	// must drop what searches kept of the old index.
	e.save(t, "laptop-bag", "Laptop bag", "A bag for the laptop.", "bags")
	if err := e.ix.Rebuild(ctx, nil); err != nil {
		t.Fatal(err)
	}
	check("after a rebuild", map[wiki.Slug][]string{"laptop": {"hardware", "it"}, "laptop-bag": {"bags"}},
		[]wiki.TagCount{{Tag: "bags", Count: 1}, {Tag: "hardware", Count: 1}, {Tag: "it", Count: 1}})

	// Edits applied while searches run: once the last is applied, every
	// search shows its tags.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := e.ix.Search(ctx, wiki.SearchQuery{Text: "laptop"}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for i := range 30 {
		e.save(t, "laptop", "Laptop", "Your laptop arrives on day one.", fmt.Sprintf("tag%02d", i))
		e.catchUp(t)
	}
	close(stop)
	wg.Wait()
	check("after edits during searches", map[wiki.Slug][]string{"laptop": {"tag29"}, "laptop-bag": {"bags"}},
		[]wiki.TagCount{{Tag: "bags", Count: 1}, {Tag: "tag29", Count: 1}})
}

// The sections searches keep for their snippets follow edits too.
func TestSearch_SnippetsFollowEdits(t *testing.T) {
	e := mustOpenEnv(t)
	md := func(when string) string {
		return "Intro.\n\n## Parking\n\nThe garage opens at " + when + ".\n\n## Lunch\n\nThe kitchen has coffee.\n"
	}
	e.save(t, "site", "Site", md("seven"))
	e.catchUp(t)
	snippet := func() string {
		t.Helper()
		res := e.search(t, wiki.SearchQuery{Text: "garage opens"})
		if len(res.Hits) != 1 || res.Hits[0].Anchor != "parking" {
			t.Fatalf("hits %v", hitIDs(res))
		}
		return res.Hits[0].Snippet
	}
	for range 2 { // the second from what the first kept
		if s := snippet(); !strings.Contains(s, "seven") {
			t.Fatalf("snippet %q, want seven", s)
		}
	}
	if e.ix.meta.size() == 0 {
		t.Fatal("the search kept nothing")
	}
	e.save(t, "site", "Site", md("eight"))
	e.catchUp(t)
	if s := snippet(); !strings.Contains(s, "eight") || strings.Contains(s, "seven") {
		t.Errorf("snippet after the edit %q, want eight", s)
	}
}

// Sections beyond the byte budget start the cache again, and a section
// too big for it is not kept.
func TestMetaCache_DocBytes(t *testing.T) {
	c := newMetaCache(100, 16<<10)
	doc := func(n int) *storedDoc { return &storedDoc{text: strings.Repeat("x", n)} }
	for i := range 20 {
		c.putDoc(c.generation(), wiki.Slug(fmt.Sprint(i)), fmt.Sprint(i)+"#", doc(800))
		if c.bytes > 16<<10 {
			t.Fatalf("%d bytes kept, budget %d", c.bytes, 16<<10)
		}
	}
	if _, ok := c.getDoc("19", "19#"); !ok {
		t.Error("the last section is not kept")
	}
	c.putDoc(c.generation(), "big", "big#", doc(8<<10))
	if _, ok := c.getDoc("big", "big#"); ok {
		t.Error("a section of half the budget was kept")
	}
	before := c.bytes
	c.changed([]wiki.Slug{"19"})
	if c.bytes >= before {
		t.Errorf("bytes %d after dropping a page, were %d", c.bytes, before)
	}
}
