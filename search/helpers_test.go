package search

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
	"github.com/faqwiki/faqwiki/wiki/markdown"
)

// testEnv is a wiki on a real store in a temp folder with a search index
// beside it.
type testEnv struct {
	dir      string
	db       *store.DB
	wiki     *wiki.Wiki
	renderer *markdown.Renderer
	synonyms *wiki.Synonyms
	ix       *Index
}

// mustOpenEnv opens a store, a wiki and an index in tb's temp folder.
func mustOpenEnv(tb testing.TB) *testEnv {
	tb.Helper()
	dir := tb.TempDir()
	db, err := store.Open(filepath.Join(dir, "faqwiki.db"), store.Options{})
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	r := wiki.NewRenderer()
	e := &testEnv{dir: dir, db: db, renderer: r, wiki: wiki.New(wiki.Config{Store: db, Renderer: r}),
		synonyms: wiki.NewSynonyms(wiki.SynonymsConfig{Store: db})}
	e.ix = e.mustOpenIndex(tb)
	return e
}

func (e *testEnv) indexDir() string { return filepath.Join(e.dir, "index") }

// mustOpenIndex opens the index folder of e; the test closes it at the end.
func (e *testEnv) mustOpenIndex(tb testing.TB) *Index {
	tb.Helper()
	ix, err := Open(e.indexDir(), e.db, e.renderer, Options{Synonyms: e.synonyms})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { _ = ix.Close() })
	return ix
}

// save creates or replaces a page and fails the test on error.
func (e *testEnv) save(tb testing.TB, slug, title, markdown string, tags ...string) {
	tb.Helper()
	ctx := context.Background()
	base := 0
	if p, err := e.db.Page(ctx, wiki.Slug(slug)); err == nil {
		base = p.Revision
	}
	if tags == nil {
		tags = []string{}
	}
	if _, err := e.wiki.Save(ctx, wiki.Edit{Slug: wiki.Slug(slug), Title: title, Markdown: markdown, Tags: tags, Base: base}); err != nil {
		tb.Fatalf("Save(%q): %v", slug, err)
	}
}

// catchUp brings the index up to date and fails the test on error.
func (e *testEnv) catchUp(tb testing.TB) {
	tb.Helper()
	if err := e.ix.CatchUp(context.Background()); err != nil {
		tb.Fatalf("CatchUp: %v", err)
	}
}

// search runs a query and fails the test on error.
func (e *testEnv) search(tb testing.TB, q wiki.SearchQuery) *wiki.SearchResult {
	tb.Helper()
	res, err := e.ix.Search(context.Background(), q)
	if err != nil {
		tb.Fatalf("Search(%+v): %v", q, err)
	}
	return res
}

// handbookPage is a page of testdata/handbook: public-domain pages of the
// TTS Handbook (see testdata/handbook/README.md).
type handbookPage struct {
	slug, title, markdown string
	tags                  []string
}

// loadHandbook reads testdata/handbook. The title is the first "# " line
// (as "faqwiki import" does) and the tag the top folder.
func loadHandbook(tb testing.TB) []handbookPage {
	tb.Helper()
	root := filepath.Join("testdata", "handbook")
	var pages []handbookPage
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") || d.Name() == "README.md" {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		slug := strings.TrimSuffix(filepath.ToSlash(rel), ".md")
		md := string(b)
		title := wiki.TitleFromSlug(wiki.Slug(slug))
		if first, _, _ := strings.Cut(md, "\n"); strings.HasPrefix(first, "# ") {
			title = strings.TrimSpace(strings.TrimPrefix(first, "# "))
		}
		top, _, _ := strings.Cut(slug, "/")
		pages = append(pages, handbookPage{slug: slug, title: title, markdown: md, tags: []string{top}})
		return nil
	})
	if err != nil {
		tb.Fatalf("read testdata: %v", err)
	}
	if len(pages) == 0 {
		tb.Fatal("no pages in testdata/handbook")
	}
	return pages
}

// mustLoadHandbook saves the handbook pages in e's wiki.
func (e *testEnv) mustLoadHandbook(tb testing.TB) []handbookPage {
	tb.Helper()
	pages := loadHandbook(tb)
	for _, p := range pages {
		e.save(tb, p.slug, p.title, p.markdown, p.tags...)
	}
	return pages
}

// firstHit searches for q and fails the test unless id (slug#anchor) is
// the first hit, which it returns.
func (e *testEnv) firstHit(tb testing.TB, q, id string) *wiki.SearchHit {
	tb.Helper()
	res := e.search(tb, wiki.SearchQuery{Text: q})
	if ids := hitIDs(res); len(ids) == 0 || ids[0] != id {
		tb.Fatalf("%q: hits %v, want %s first", q, ids, id)
	}
	return &res.Hits[0]
}
