package search

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
	"github.com/faqwiki/faqwiki/wiki/wikitest"
)

const vpnPage = `Everything about getting on the network from home.

## How do I get VPN access?

Ask the service desk for the VPN profile; it arrives by e-mail within a day.

## Which laptop do I get?

New hires get a MacBook. The laptop is handed out on the first day.

### Can I choose a Linux laptop?

Yes: ask the service desk for a Linux laptop before your first day.
`

// hitIDs returns the slug#anchor of each hit.
func hitIDs(res *wiki.SearchResult) []string {
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, docID(h.Slug, h.Anchor))
	}
	return ids
}

func TestSearch_SectionAnchors(t *testing.T) {
	e := mustOpenEnv(t)
	e.save(t, "it/remote-access", "Remote access", vpnPage, "it")
	e.catchUp(t)

	// The anchors are the ids the page view gives its headings.
	rendered, err := e.renderer.Render(vpnPage, func(s []string) ([]bool, error) { return make([]bool, len(s)), nil })
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, h := range rendered.TOC {
		ids[h.Text] = h.ID
	}

	tests := []struct {
		query, anchor, heading string
	}{
		{"vpn access", ids["How do I get VPN access?"], "How do I get VPN access?"},
		{"linux laptop", ids["Can I choose a Linux laptop?"], "Can I choose a Linux laptop?"},
		{"macbook", ids["Which laptop do I get?"], "Which laptop do I get?"},
		{"network from home", "", ""}, // the intro: the page as a whole
		{"remote access", "", ""},     // the title: the page as a whole
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := e.search(t, wiki.SearchQuery{Text: tt.query})
			if len(res.Hits) != 1 {
				t.Fatalf("got %d hits %v, want 1", len(res.Hits), hitIDs(res))
			}
			h := res.Hits[0]
			if h.Slug != "it/remote-access" || h.Anchor != tt.anchor || h.Heading != tt.heading || h.Title != "Remote access" {
				t.Errorf("hit = %s#%s %q (title %q), want anchor %q heading %q", h.Slug, h.Anchor, h.Heading, h.Title, tt.anchor, tt.heading)
			}
			if h.Score <= 0 {
				t.Errorf("score = %v, want > 0", h.Score)
			}
		})
	}
	if ids["How do I get VPN access?"] == "" {
		t.Fatal("the renderer gave the heading no id")
	}
}

// TestSearch_FootnotesCountWhereReferred checks that a footnote's words
// find the question that refers to it, not the page's last question,
// under which the footnotes are printed.
func TestSearch_FootnotesCountWhereReferred(t *testing.T) {
	e := mustOpenEnv(t)
	e.save(t, "people/one-on-ones", "One-on-ones", "## How often do we meet?\n\nWeekly.[^1]\n\n## What if it does not work?\n\nTry a walk instead.\n\n[^1]: Vacations are an exception: skip the meeting.\n")
	e.catchUp(t)
	res := e.search(t, wiki.SearchQuery{Text: "vacations"})
	if len(res.Hits) != 1 || res.Hits[0].Anchor != "how-often-do-we-meet" {
		t.Fatalf("hits %v, want people/one-on-ones#how-often-do-we-meet alone", hitIDs(res))
	}
	if !strings.Contains(res.Hits[0].Snippet, "Vacations") {
		t.Errorf("snippet %q does not show the footnote's words", res.Hits[0].Snippet)
	}
	for _, h := range res.Hits[0].Sections {
		if h.Anchor == "what-if-it-does-not-work" {
			t.Errorf("the last question matched a footnote it does not refer to: %+v", h)
		}
	}
}

// A sub-question is found by the words of the questions it belongs to:
// "Returning it", under "Laptops", answers "return my laptop", though only
// its parent says "laptop" (and the other page's section, which says
// neither word of its own, is not ahead of it).
func TestSearch_SubQuestionHasItsQuestionsWords(t *testing.T) {
	e := mustOpenEnv(t)
	e.save(t, "equipment", "Equipment", "## Laptops\n\nEveryone gets one on the first day.\n\n"+
		"### Returning it\n\nShip it back in its box; the help desk sends a label.\n\n"+
		"## Phones\n\nAsk for one if your job needs it.\n")
	e.save(t, "leaving", "Leaving", "## Your last day\n\nReturn your badge at the front desk.\n")
	e.save(t, "laptop-care", "Laptop care", "## Cleaning\n\nWipe the screen with a dry cloth.\n")
	e.catchUp(t)
	res := e.search(t, wiki.SearchQuery{Text: "return my laptop"})
	if len(res.Hits) == 0 || res.Hits[0].Slug != "equipment" || res.Hits[0].Anchor != "returning-it" {
		t.Fatalf("hits %v, want equipment#returning-it first", hitIDs(res))
	}
	// The hit names the question it belongs to; a question has none.
	if got := res.Hits[0].Under; got != "Laptops" {
		t.Errorf("Under = %q, want Laptops", got)
	}
	if res := e.search(t, wiki.SearchQuery{Text: "phones"}); len(res.Hits) == 0 || res.Hits[0].Anchor != "phones" || res.Hits[0].Under != "" {
		t.Errorf("phones: hits %v, want equipment#phones with no question above it", hitIDs(res))
	}
}

func TestSearch_GroupsSectionsIntoPages(t *testing.T) {
	e := mustOpenEnv(t)
	e.save(t, "laptops", "Laptops", "## Which laptop?\n\nA laptop.\n\n## Laptop bags\n\nEvery laptop comes with a bag.\n\n## Laptop repairs\n\nBroken laptop? Call us.\n")
	e.save(t, "phones", "Phones", "## Phone or laptop?\n\nYou get a phone, not a second laptop.\n")
	e.save(t, "coffee", "Coffee", "The kitchen has coffee.\n")
	e.catchUp(t)

	res := e.search(t, wiki.SearchQuery{Text: "laptop"})
	if res.Total != 2 || len(res.Hits) != 2 {
		t.Fatalf("total %d, hits %v; want 2 pages", res.Total, hitIDs(res))
	}
	if res.Hits[0].Slug != "laptops" || res.Hits[1].Slug != "phones" {
		t.Errorf("hits = %v, want laptops first, then phones", hitIDs(res))
	}
	if res.Hits[0].Score < res.Hits[1].Score {
		t.Errorf("scores %v < %v: hits are not best first", res.Hits[0].Score, res.Hits[1].Score)
	}

	// Paging is by page, not by section.
	res = e.search(t, wiki.SearchQuery{Text: "laptop", Limit: 1, Offset: 1})
	if res.Total != 2 || len(res.Hits) != 1 || res.Hits[0].Slug != "phones" {
		t.Errorf("second page: total %d hits %v, want phones", res.Total, hitIDs(res))
	}
	res = e.search(t, wiki.SearchQuery{Text: "laptop", Limit: 5, Offset: 7})
	if res.Total != 2 || len(res.Hits) != 0 {
		t.Errorf("past the end: total %d hits %v", res.Total, hitIDs(res))
	}
}

func TestSearch_SnippetIsSafeHTML(t *testing.T) {
	e := mustOpenEnv(t)
	md := "## What about scripts?\n\n" +
		"Never paste `<script>alert(\"owned\")</script>` into a page & don't use <b>raw</b> HTML; " +
		"the word script is fine, and so is 'quoting' \"script\" <img src=x onerror=alert(1)>.\n"
	e.save(t, "scripts", "<script>Scripts</script>", md)
	e.catchUp(t)

	res := e.search(t, wiki.SearchQuery{Text: "script"})
	if len(res.Hits) != 1 {
		t.Fatalf("hits %v", hitIDs(res))
	}
	s := res.Hits[0].Snippet
	t.Logf("snippet: %s", s)
	if !wiki.IsSafeSnippet(s) {
		t.Errorf("snippet is not safe: %s", s)
	}
	if !strings.Contains(s, "&lt;<mark>script</mark>&gt;alert(&#34;owned&#34;)") {
		t.Errorf("snippet does not show the escaped code: %s", s)
	}
	if strings.Contains(s, "<script") || strings.Contains(s, "<img") || strings.Contains(s, "<b>") {
		t.Errorf("snippet holds markup: %s", s)
	}
	if n := strings.Count(s, "<mark>"); n < 2 {
		t.Errorf("snippet marks %d words, want every 'script': %s", n, s)
	}
	if res.Hits[0].Title != "<script>Scripts</script>" {
		t.Errorf("title = %q: the title is plain text, for the template to escape", res.Hits[0].Title)
	}
}

func TestSearch_SnippetWindow(t *testing.T) {
	e := mustOpenEnv(t)
	long := strings.Repeat("Filler words about nothing in particular. ", 40) +
		"The parking garage opens at seven. " + strings.Repeat("More filler text here. ", 40)
	e.save(t, "parking", "Getting here", long)
	e.catchUp(t)
	res := e.search(t, wiki.SearchQuery{Text: "parking garage"})
	if len(res.Hits) != 1 {
		t.Fatalf("hits %v", hitIDs(res))
	}
	s := res.Hits[0].Snippet
	if !strings.Contains(s, "<mark>parking</mark> <mark>garage</mark>") || !strings.HasPrefix(s, "… ") || !strings.HasSuffix(s, " …") {
		t.Errorf("snippet = %q, want the middle of the text with the match", s)
	}
	if len(s) > 400 {
		t.Errorf("snippet is %d bytes long", len(s))
	}
}

func TestSearch_TypoSuggestion(t *testing.T) {
	e := mustOpenEnv(t)
	e.save(t, "leave", "Leave", "## How do I book vacation?\n\nBook vacation days in the HR portal.\n\n## Sick days\n\nCall in sick before nine.\n")
	e.save(t, "travel", "Travel", "Business travel is booked through the travel desk; vacation travel is your own.\n")
	e.catchUp(t)

	tests := []struct {
		query, suggestion, first string
	}{
		{"vacaton", "vacation", "leave"},
		{"how do I book vacaton", "how do i book vacation", "leave"},
		{"vacatoin days", "vacation days", "leave"}, // a swap is one edit
		{"vacation", "", "leave"},                   // spelled right: no suggestion
		{"vacations", "", "leave"},                  // a form of a known word is known
		{"zzzzqqqq", "", ""},                        // nothing close
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := e.search(t, wiki.SearchQuery{Text: tt.query})
			if res.Suggestion != tt.suggestion {
				t.Errorf("suggestion = %q, want %q", res.Suggestion, tt.suggestion)
			}
			first := ""
			if len(res.Hits) > 0 {
				first = string(res.Hits[0].Slug)
			}
			if first != tt.first {
				t.Errorf("first hit = %q, want %q (hits %v)", first, tt.first, hitIDs(res))
			}
		})
	}

	// A short misspelled word gets no correction (too many real words are
	// one edit apart), but when the query finds little, fuzzy matching
	// still finds the page, and the snippet marks the near match.
	res := e.search(t, wiki.SearchQuery{Text: "desj"})
	if len(res.Hits) == 0 || res.Hits[0].Slug != "travel" || res.Suggestion != "" {
		t.Errorf("desj: hits %v suggestion %q, want travel and none", hitIDs(res), res.Suggestion)
	}
	if len(res.Hits) > 0 && !strings.Contains(res.Hits[0].Snippet, "<mark>desk</mark>") {
		t.Errorf("desj: snippet does not mark desk: %s", res.Hits[0].Snippet)
	}
}

func TestSearch_TagFilterAndFacets(t *testing.T) {
	e := mustOpenEnv(t)
	e.save(t, "laptop", "Laptop", "Your laptop arrives on day one.", "it", "equipment")
	e.save(t, "laptop-bag", "Laptop bag", "A bag for the laptop.", "equipment")
	e.save(t, "laptop-policy", "Laptop policy", "Laptop rules.", "policy")
	e.save(t, "coffee", "Coffee", "The kitchen.", "it")
	e.catchUp(t)

	res := e.search(t, wiki.SearchQuery{Text: "laptop"})
	if res.Total != 3 {
		t.Errorf("total = %d, want 3", res.Total)
	}
	want := []wiki.TagCount{{Tag: "equipment", Count: 2}, {Tag: "it", Count: 1}, {Tag: "policy", Count: 1}}
	if !equalFacets(res.Facets, want) {
		t.Errorf("facets = %v, want %v", res.Facets, want)
	}

	res = e.search(t, wiki.SearchQuery{Text: "laptop", Tag: "equipment"})
	if res.Total != 2 || len(res.Hits) != 2 {
		t.Fatalf("tag equipment: total %d hits %v", res.Total, hitIDs(res))
	}
	for _, h := range res.Hits {
		if !strings.HasPrefix(string(h.Slug), "laptop") || !contains(h.Tags, "equipment") {
			t.Errorf("hit %s with tags %v does not have the tag", h.Slug, h.Tags)
		}
	}
	if !equalFacets(res.Facets, want) {
		t.Errorf("facets with a tag filter = %v, want those of the whole query %v", res.Facets, want)
	}

	// The tag is normalized like page tags are.
	if res := e.search(t, wiki.SearchQuery{Text: "laptop", Tag: " Policy "}); res.Total != 1 || res.Hits[0].Slug != "laptop-policy" {
		t.Errorf("tag ' Policy ': total %d hits %v", res.Total, hitIDs(res))
	}
	// No words: the pages with the tag, by slug.
	res = e.search(t, wiki.SearchQuery{Tag: "it"})
	if got := hitIDs(res); res.Total != 2 || strings.Join(got, " ") != "coffee# laptop#" {
		t.Errorf("tag only: total %d hits %v", res.Total, got)
	}
	if res := e.search(t, wiki.SearchQuery{Text: "laptop", Tag: "nosuchtag"}); res.Total != 0 || len(res.Hits) != 0 {
		t.Errorf("unknown tag: %v", hitIDs(res))
	}
}

func equalFacets(a, b []wiki.TagCount) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestIndex_FollowsEditsDeletesAndReverts(t *testing.T) {
	ctx := context.Background()
	e := mustOpenEnv(t)
	e.save(t, "pets", "Pets", "## Can I bring my quokka?\n\nYes, quokkas are welcome.\n\n## Dogs\n\nDogs too.\n")
	e.catchUp(t)
	if res := e.search(t, wiki.SearchQuery{Text: "quokka"}); len(res.Hits) != 1 {
		t.Fatalf("quokka: %v", hitIDs(res))
	}

	// An edit removes a section: its document goes, and its words.
	e.save(t, "pets", "Pets", "## Dogs\n\nDogs are welcome; so are cats.\n")
	e.catchUp(t)
	if res := e.search(t, wiki.SearchQuery{Text: "quokka"}); len(res.Hits) != 0 {
		t.Errorf("quokka after the edit: %v", hitIDs(res))
	}
	if res := e.search(t, wiki.SearchQuery{Text: "cats"}); len(res.Hits) != 1 || res.Hits[0].Anchor != "dogs" {
		t.Errorf("cats after the edit: %v", hitIDs(res))
	}
	if n, _ := e.ix.DocCount(); n != 1 {
		t.Errorf("%d documents, want 1 (the old section is gone)", n)
	}

	// A revert brings the text back.
	if _, err := e.wiki.Revert(ctx, "pets", 1, ""); err != nil {
		t.Fatal(err)
	}
	e.catchUp(t)
	if res := e.search(t, wiki.SearchQuery{Text: "quokka"}); len(res.Hits) != 1 || res.Hits[0].Anchor != "can-i-bring-my-quokka" {
		t.Errorf("quokka after the revert: %v", hitIDs(res))
	}

	// A delete takes every section away.
	if _, err := e.wiki.Delete(ctx, "pets", ""); err != nil {
		t.Fatal(err)
	}
	e.catchUp(t)
	for _, q := range []string{"quokka", "dogs", "pets"} {
		if res := e.search(t, wiki.SearchQuery{Text: q}); len(res.Hits) != 0 || res.Total != 0 {
			t.Errorf("%s after the delete: %v", q, hitIDs(res))
		}
	}
	if n, _ := e.ix.DocCount(); n != 0 {
		t.Errorf("%d documents after the delete, want 0", n)
	}

	// Restoring it (a revert of the delete) brings it back.
	if _, err := e.wiki.Revert(ctx, "pets", 1, ""); err != nil {
		t.Fatal(err)
	}
	e.catchUp(t)
	if res := e.search(t, wiki.SearchQuery{Text: "quokka"}); len(res.Hits) != 1 {
		t.Errorf("quokka after the restore: %v", hitIDs(res))
	}
	last, _ := e.db.LastSeq(ctx)
	if e.ix.Seq() != last {
		t.Errorf("index seq %d, store %d", e.ix.Seq(), last)
	}
}

func TestIndex_CatchesUpAfterCrash(t *testing.T) {
	ctx := context.Background()
	e := mustOpenEnv(t)
	e.save(t, "one", "One", "The first page.")
	e.catchUp(t)
	before := e.ix.Seq()
	if err := e.ix.Close(); err != nil {
		t.Fatal(err)
	}

	// The store commits while the index is down (as after a crash between
	// a commit and its indexing).
	for i, w := range []string{"aardvark", "bison", "capybara", "dingo", "echidna"} {
		e.save(t, "page-"+w, "Page "+w, "All about the "+w+".")
		if i == 2 {
			e.save(t, "one", "One", "The first page, now about the platypus.")
		}
	}
	last, _ := e.db.LastSeq(ctx)

	e.ix = e.mustOpenIndex(t)
	if e.ix.Seq() != before {
		t.Fatalf("reopened at seq %d, want %d", e.ix.Seq(), before)
	}
	if res := e.search(t, wiki.SearchQuery{Text: "capybara"}); len(res.Hits) != 0 {
		t.Fatalf("capybara before catching up: %v", hitIDs(res))
	}
	e.catchUp(t)
	if e.ix.Seq() != last {
		t.Errorf("seq after catching up = %d, want %d", e.ix.Seq(), last)
	}
	for _, q := range []string{"aardvark", "capybara", "echidna", "platypus"} {
		if res := e.search(t, wiki.SearchQuery{Text: q}); len(res.Hits) != 1 {
			t.Errorf("%s after catching up: %v", q, hitIDs(res))
		}
	}
}

func TestIndex_CatchUpInSmallBatches(t *testing.T) {
	e := mustOpenEnv(t)
	e.catchUp(t) // fills the new index (empty) and records seq 0
	for i := range 7 {
		e.save(t, "p"+string(rune('a'+i)), "Page", "Hello world.")
	}
	ix, err := Open(e.indexDir()+"-small", e.db, e.renderer, Options{BatchChanges: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	if err := ix.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	e.save(t, "pa", "Page", "Hello again, world.")
	e.save(t, "pb", "Page", "Hello again, world.")
	e.save(t, "pc", "Page", "Hello again, world.")
	if err := ix.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := ix.Search(ctx, wiki.SearchQuery{Text: "again"})
	if err != nil || res.Total != 3 {
		t.Errorf("again: %v %v", res, err)
	}
	if last, _ := e.db.LastSeq(ctx); ix.Seq() != last {
		t.Errorf("seq %d, want %d", ix.Seq(), last)
	}
}

func TestIndex_RebuildsWhenFolderIsDeleted(t *testing.T) {
	ctx := context.Background()
	e := mustOpenEnv(t)
	e.mustLoadHandbook(t)
	e.catchUp(t)
	docs, _ := e.ix.DocCount()
	if err := e.ix.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(e.indexDir()); err != nil {
		t.Fatal(err)
	}

	e.ix = e.mustOpenIndex(t)
	if n, _ := e.ix.DocCount(); n != 0 || e.ix.Seq() != 0 {
		t.Fatalf("new index has %d documents at seq %d", n, e.ix.Seq())
	}
	e.catchUp(t) // rebuilds from the pages
	last, _ := e.db.LastSeq(ctx)
	if n, _ := e.ix.DocCount(); n != docs || e.ix.Seq() != last {
		t.Errorf("rebuilt index: %d documents at seq %d, want %d at %d", n, e.ix.Seq(), docs, last)
	}
	if res := e.search(t, wiki.SearchQuery{Text: "jury duty"}); len(res.Hits) == 0 || res.Hits[0].Anchor != "court-leave-jury-duty" {
		t.Errorf("jury duty after the rebuild: %v", hitIDs(res))
	}
}

func TestIndex_Rebuild(t *testing.T) {
	ctx := context.Background()
	e := mustOpenEnv(t)
	pages := e.mustLoadHandbook(t)
	e.catchUp(t)
	docs, _ := e.ix.DocCount()
	if _, err := e.wiki.Delete(ctx, wiki.Slug(pages[0].slug), ""); err != nil {
		t.Fatal(err)
	}

	var calls []int
	var total int
	err := e.ix.Rebuild(ctx, func(done, n int) { calls = append(calls, done); total = n })
	if err != nil {
		t.Fatal(err)
	}
	if total != len(pages)-1 || len(calls) == 0 || calls[len(calls)-1] != total {
		t.Errorf("progress calls %v of %d, want to end at %d", calls, total, len(pages)-1)
	}
	n, _ := e.ix.DocCount()
	if n == 0 || n >= docs {
		t.Errorf("%d documents after the rebuild, want fewer than %d (a page was deleted)", n, docs)
	}
	if last, _ := e.db.LastSeq(ctx); e.ix.Seq() != last {
		t.Errorf("seq %d, want %d", e.ix.Seq(), last)
	}
	if _, err := os.Stat(e.indexDir() + ".rebuild"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the rebuild folder is left behind: %v", err)
	}

	// Searches still work on the swapped-in index, and it reopens.
	if res := e.search(t, wiki.SearchQuery{Text: "jury duty"}); len(res.Hits) == 0 {
		t.Error("jury duty after the rebuild: nothing")
	}
	if err := e.ix.Close(); err != nil {
		t.Fatal(err)
	}
	e.ix = e.mustOpenIndex(t)
	if m, _ := e.ix.DocCount(); m != n {
		t.Errorf("reopened: %d documents, want %d", m, n)
	}

	// A cancelled rebuild leaves the live index as it was.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := e.ix.Rebuild(cctx, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled rebuild: %v", err)
	}
	if m, _ := e.ix.DocCount(); m != n {
		t.Errorf("after a cancelled rebuild: %d documents, want %d", m, n)
	}
}

func TestOpen_RebuildsOnMappingChange(t *testing.T) {
	e := mustOpenEnv(t)
	e.save(t, "a", "Alpha", "Alpha text.")
	e.catchUp(t)
	if err := e.ix.idx.SetInternal(keyVersion, []byte("faqwiki-sections-0")); err != nil {
		t.Fatal(err)
	}
	if err := e.ix.Close(); err != nil {
		t.Fatal(err)
	}
	e.ix = e.mustOpenIndex(t)
	if n, _ := e.ix.DocCount(); n != 0 {
		t.Fatalf("an index of another mapping version was kept (%d documents)", n)
	}
	e.catchUp(t)
	if res := e.search(t, wiki.SearchQuery{Text: "alpha"}); len(res.Hits) != 1 {
		t.Errorf("alpha after the rebuild: %v", hitIDs(res))
	}
}

func TestOpen_RebuildsDamagedIndex(t *testing.T) {
	e := mustOpenEnv(t)
	e.save(t, "a", "Alpha", "Alpha text.")
	e.catchUp(t)
	if err := e.ix.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.indexDir(), "index_meta.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.ix = e.mustOpenIndex(t)
	e.catchUp(t)
	if res := e.search(t, wiki.SearchQuery{Text: "alpha"}); len(res.Hits) != 1 {
		t.Errorf("alpha after the rebuild: %v", hitIDs(res))
	}
}

func TestOpen_RefusesForeignFolder(t *testing.T) {
	e := mustOpenEnv(t)
	dir := filepath.Join(e.dir, "photos")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(dir, "holiday.jpg")
	if err := os.WriteFile(keep, []byte("jpeg"), 0o600); err != nil {
		t.Fatal(err)
	}
	if ix, err := Open(dir, e.db, e.renderer, Options{}); err == nil {
		ix.Close()
		t.Fatal("Open on a folder of other files succeeded")
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("the folder's file is gone: %v", err)
	}
}

func TestOpen_Locked(t *testing.T) {
	e := mustOpenEnv(t)
	_, err := Open(e.indexDir(), e.db, e.renderer, Options{LockTimeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Errorf("second Open = %v, want ErrLocked", err)
	}
	if n, _ := e.ix.DocCount(); n != 0 {
		t.Error("the first index was disturbed")
	}
}

func TestIndex_Closed(t *testing.T) {
	e := mustOpenEnv(t)
	if err := e.ix.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.ix.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	ctx := context.Background()
	if _, err := e.ix.Search(ctx, wiki.SearchQuery{Text: "x"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Search: %v", err)
	}
	if err := e.ix.CatchUp(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("CatchUp: %v", err)
	}
	if err := e.ix.Rebuild(ctx, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Rebuild: %v", err)
	}
	if err := e.ix.Run(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Run: %v", err)
	}
}

// TestRun_SaveIsSearchableQuickly follows the feed with Run, as the server
// does, and checks that a save is found well within a second, with Notify
// and without it (the poll).
func TestRun_SaveIsSearchableQuickly(t *testing.T) {
	e := mustOpenEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var runErr error
	wg.Go(func() { runErr = e.ix.Run(ctx) })
	defer func() {
		cancel()
		wg.Wait()
		if runErr != nil {
			t.Errorf("Run: %v", runErr)
		}
	}()

	for _, notify := range []bool{true, false} {
		word := map[bool]string{true: "wombat", false: "numbat"}[notify]
		start := time.Now()
		e.save(t, "animals-"+word, "Animals", "The "+word+" is our mascot.")
		if notify {
			e.ix.Notify()
		}
		wikitest.Eventually(t, word+" to be searchable", func() bool {
			return len(e.search(t, wiki.SearchQuery{Text: word}).Hits) == 1
		})
		t.Logf("notify=%v: searchable after %v", notify, time.Since(start).Round(time.Millisecond))
	}
}

// TestRun_ConcurrentSavesAndSearches runs saves, Run and searches at the
// same time (for the race detector) and checks that the index ends up
// with every page.
func TestRun_ConcurrentSavesAndSearches(t *testing.T) {
	e := mustOpenEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = e.ix.Run(ctx) })
	var searchers sync.WaitGroup
	for range 4 {
		searchers.Go(func() {
			for ctx.Err() == nil {
				if _, err := e.ix.Search(ctx, wiki.SearchQuery{Text: "concurrent page"}); err != nil && ctx.Err() == nil {
					t.Errorf("Search: %v", err)
					return
				}
			}
		})
	}
	var savers sync.WaitGroup
	for w := range 4 {
		savers.Go(func() {
			for i := range 10 {
				slug := wiki.Slug("concurrent-" + string(rune('a'+w)) + "-" + string(rune('a'+i)))
				if _, err := e.wiki.Save(context.Background(), wiki.Edit{Slug: slug, Title: "Concurrent page", Markdown: "Saved while searching.", Tags: []string{}}); err != nil {
					t.Errorf("Save: %v", err)
				}
				e.ix.Notify()
			}
		})
	}
	savers.Wait()
	wikitest.Eventually(t, "all 40 pages to be indexed", func() bool {
		return e.search(t, wiki.SearchQuery{Text: "concurrent"}).Total == 40
	})
	cancel()
	searchers.Wait()
	wg.Wait()
}

// TestRebuild_DuringRun swaps the index while Run and searches go on.
func TestRebuild_DuringRun(t *testing.T) {
	e := mustOpenEnv(t)
	e.mustLoadHandbook(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { _ = e.ix.Run(ctx) })
	wg.Go(func() {
		for ctx.Err() == nil {
			if _, err := e.ix.Search(ctx, wiki.SearchQuery{Text: "leave"}); err != nil && ctx.Err() == nil {
				t.Errorf("Search during a rebuild: %v", err)
				return
			}
		}
	})
	for range 2 {
		if err := e.ix.Rebuild(ctx, nil); err != nil {
			t.Fatal(err)
		}
		e.save(t, "new-page", "New page", "Written during the rebuild: kookaburra.")
		e.ix.Notify()
	}
	wikitest.Eventually(t, "the page saved during the rebuild to be indexed", func() bool {
		return len(e.search(t, wiki.SearchQuery{Text: "kookaburra"}).Hits) > 0
	})
	cancel()
	wg.Wait()
}

// Compile-time check: the real store is what the index follows.
var _ wiki.PageStore = (*store.DB)(nil)

// failingStore is the real store with reads that fail on demand.
type failingStore struct {
	wiki.PageFeed
	mu      sync.Mutex
	page    func(slug wiki.Slug) error // a non-nil error fails Page
	changes func() error               // a non-nil error fails Changes
	failed  int                        // Changes calls failed so far
}

// changesFailed returns how many Changes calls have failed.
func (s *failingStore) changesFailed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

var _ wiki.PageFeed = (*failingStore)(nil)

func (s *failingStore) set(page func(wiki.Slug) error, changes func() error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.page, s.changes = page, changes
}

func (s *failingStore) Page(ctx context.Context, slug wiki.Slug) (*wiki.Page, error) {
	s.mu.Lock()
	f := s.page
	s.mu.Unlock()
	if f != nil {
		if err := f(slug); err != nil {
			return nil, err
		}
	}
	return s.PageFeed.Page(ctx, slug)
}

func (s *failingStore) Changes(ctx context.Context, since uint64, limit int) ([]wiki.Change, error) {
	s.mu.Lock()
	f := s.changes
	s.mu.Unlock()
	if f != nil {
		if err := f(); err != nil {
			s.mu.Lock()
			s.failed++
			s.mu.Unlock()
			return nil, err
		}
	}
	return s.PageFeed.Changes(ctx, since, limit)
}

func TestCatchUp_StoreFailures(t *testing.T) {
	ctx := context.Background()
	e := mustOpenEnv(t)
	e.save(t, "kept", "Kept", "The old text about herons.")
	e.save(t, "other", "Other", "Nothing.")
	fs := &failingStore{PageFeed: e.db}
	ix, err := Open(filepath.Join(e.dir, "index2"), fs, e.renderer, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if err := ix.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}

	// A page that cannot be read keeps its old entry; the others go on.
	broken := errors.New("disk on fire")
	fs.set(func(slug wiki.Slug) error {
		if slug == "kept" {
			return broken
		}
		return nil
	}, nil)
	e.save(t, "kept", "Kept", "The new text about egrets.")
	e.save(t, "other", "Other", "Now about ibises.")
	if err := ix.CatchUp(ctx); err != nil {
		t.Fatalf("CatchUp with one unreadable page: %v", err)
	}
	for q, want := range map[string]int{"herons": 1, "egrets": 0, "ibises": 1} {
		res, err := ix.Search(ctx, wiki.SearchQuery{Text: q})
		if err != nil || len(res.Hits) != want {
			t.Errorf("%s: %d hits (%v), want %d", q, len(res.Hits), err, want)
		}
	}
	last, _ := e.db.LastSeq(ctx)
	if ix.Seq() != last {
		t.Errorf("seq %d, want %d: a bad page must not stop the feed", ix.Seq(), last)
	}

	// A feed that cannot be read is an error, and nothing moves.
	fs.set(nil, func() error { return broken })
	e.save(t, "other", "Other", "Now about storks.")
	if err := ix.CatchUp(ctx); !errors.Is(err, broken) {
		t.Errorf("CatchUp with a broken feed: %v", err)
	}
	if ix.Seq() != last {
		t.Errorf("seq moved to %d on a failed CatchUp", ix.Seq())
	}
	// Run logs it and retries; once the feed is back, it catches up.
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	failedBefore := fs.changesFailed()
	go func() { done <- ix.Run(rctx) }()
	wikitest.Eventually(t, "Run to meet the broken feed", func() bool { return fs.changesFailed() > failedBefore })
	fs.set(nil, nil)
	wikitest.Eventually(t, "Run to recover from the broken feed", func() bool {
		res, err := ix.Search(ctx, wiki.SearchQuery{Text: "storks"})
		return err == nil && len(res.Hits) == 1
	})
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// A bulk load (an import) changes only how segments are merged: the same
// documents, the same answers, and a later Open without it reads them.
func TestOpen_BulkLoadFindsTheSame(t *testing.T) {
	ctx := context.Background()
	e := mustOpenEnv(t)
	e.mustLoadHandbook(t)
	e.catchUp(t)
	bulkDir := e.indexDir() + "-bulk"
	bulk, err := Open(bulkDir, e.db, e.renderer, Options{BatchChanges: 7, BulkLoad: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := bulk.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	want, _ := e.ix.DocCount()
	if n, _ := bulk.DocCount(); n != want || n == 0 {
		t.Fatalf("bulk index has %d documents, want %d", n, want)
	}
	if err := bulk.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(bulkDir, e.db, e.renderer, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if n, _ := again.DocCount(); n != want {
		t.Fatalf("reopened bulk index has %d documents, want %d", n, want)
	}
	for _, q := range []string{"jury duty", "parental leave", "expenses"} {
		a, err := again.Search(ctx, wiki.SearchQuery{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		b := e.search(t, wiki.SearchQuery{Text: q})
		if got, want := hitIDs(a), hitIDs(b); !slices.Equal(got, want) || len(want) == 0 {
			t.Errorf("%q: bulk-loaded %v, normal %v", q, got, want)
		}
	}
}

// No query looks in bleve's _all composite field, so it is not built
// (even empty, it cost a twentieth of indexing).
func TestMapping_NoCompositeAllField(t *testing.T) {
	e := mustOpenEnv(t)
	e.save(t, "vpn", "VPN", vpnPage)
	e.catchUp(t)
	fields, err := e.ix.idx.Fields()
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(fields, "_all") || !slices.Contains(fields, fieldAll) {
		t.Errorf("fields %v: want %s and no _all", fields, fieldAll)
	}
}
