package main

// Browser tests of search: the header search box, search as you type,
// spelling suggestions, tag facets without JavaScript, and the trainers'
// list of searches that found nothing.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdpinput "github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/faqwiki/faqwiki/wiki/wikitest"
)

// searchFixturePage is a page of the search fixture.
type searchFixturePage struct {
	slug, title, markdown string
	tags                  []string
}

// searchFixture is three onboarding pages with several questions each.
// The VPN question sits far down its page, so opening it must scroll.
func searchFixture() []searchFixturePage {
	var laptop strings.Builder
	for i := range 25 {
		fmt.Fprintf(&laptop, "Laptop note %d: your manager orders it before your first day and it is imaged overnight.\n\n", i+1)
	}
	return []searchFixturePage{
		{"it-basics", "IT basics", "What gets set up for you in your first week. The IT desk is on floor 2.\n\n" +
			"## How do I get a laptop?\n\n" + laptop.String() +
			"## How do I get VPN access?\n\nInstall the GlobalConnect VPN client, then ask the IT desk for a hardware token.\n\n" +
			"## Who resets my password?\n\nThe IT desk, at extension 4000.\n",
			[]string{"it", "first-week"}},
		{"travel", "Business travel", "Booking and expenses for work trips. The travel desk is on floor 1.\n\n" +
			"## How do I book a business trip?\n\nUse the travel portal; the travel desk approves it within a day.\n\n" +
			"## Does the VPN work abroad?\n\nYes, except in a few countries: ask before you fly.\n\n" +
			"## Are train tickets refunded?\n\nYes, second class, with the receipt.\n",
			[]string{"travel"}},
		{"parking", "Parking and commuting", "Getting to the office. Ask the reception desk if anything here is out of date.\n\n" +
			"## How do I get a parking permit?\n\nFacilities hands out parking permits at reception on Mondays.\n\n" +
			"## Is there an electric car charger?\n\nTwo, on level -1 of the garage.\n\n" +
			"## Is there a shuttle from the station?\n\nEvery 20 minutes in the morning.\n",
			[]string{"facilities", "first-week"}},
	}
}

// putSearchFixture saves the fixture through the JSON API and waits until
// the search index has it.
func (w *testWiki) putSearchFixture(t *testing.T) {
	t.Helper()
	for _, p := range searchFixture() {
		resp := w.api(t, http.MethodPut, "/api/v1/pages/"+p.slug, map[string]any{"title": p.title, "markdown": p.markdown, "tags": p.tags, "base_revision": 0})
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("PUT %s: %d", p.slug, resp.StatusCode)
		}
	}
	// The index follows the store's change feed and applies changes in
	// order: once the last page is found, all of them are. offset=1 keeps
	// these searches out of the gap log (only first result pages are
	// logged); Total counts every match all the same.
	wikitest.Eventually(t, "the search index to pick up the fixture pages", func() bool {
		resp := w.api(t, http.MethodGet, "/api/v1/search?offset=1&q="+url.QueryEscape("shuttle station"), nil)
		defer resp.Body.Close()
		var res struct {
			Total int `json:"total"`
		}
		return json.NewDecoder(resp.Body).Decode(&res) == nil && resp.StatusCode == 200 && res.Total > 0
	})
}

// pageTags are a page's tags from the JSON API.
func (w *testWiki) pageTags(t *testing.T, slug string) []string {
	t.Helper()
	resp := w.api(t, http.MethodGet, "/api/v1/pages/"+slug, nil)
	defer resp.Body.Close()
	var p struct {
		Tags []string `json:"tags"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", slug, resp.StatusCode, err)
	}
	return p.Tags
}

// hitSlugs are the pages of the hits on a results page, in order, read
// from the slug parameter of their /search/open links.
func (tb *tab) hitSlugs() []string {
	tb.t.Helper()
	return js[[]string](tb, `[...document.querySelectorAll("ol.results a.hit")].map(a => new URL(a.href).searchParams.get("slug"))`)
}

// pressShortcut presses a key the way a keyboard does: one keydown that
// carries the character, so a handler that cancels the keydown stops the
// character too. (chromedp.KeyEvent sends the character as a separate
// "char" event, which Chrome types even after a cancelled keydown.)
func (tb *tab) pressShortcut(key, code string, keyCode int64) {
	tb.t.Helper()
	step(tb, "press "+key, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		down := cdpinput.DispatchKeyEventParams{Type: cdpinput.DispatchKeyEventTypeKeyDown, Key: key, Code: code, Text: key, UnmodifiedText: key, WindowsVirtualKeyCode: keyCode, NativeVirtualKeyCode: keyCode}
		if _, err := chromedp.Call(ctx, cdpinput.DispatchKeyEvent, down); err != nil {
			return err
		}
		up := cdpinput.DispatchKeyEventParams{Type: cdpinput.DispatchKeyEventTypeKeyUp, Key: key, Code: code, WindowsVirtualKeyCode: keyCode, NativeVirtualKeyCode: keyCode}
		_, err := chromedp.Call(ctx, cdpinput.DispatchKeyEvent, up)
		return err
	}))
}

// searchQuery sums up a search address as "path q=Q tag=T", whichever
// way the query is encoded.
func (tb *tab) searchQuery() string {
	tb.t.Helper()
	u, err := url.Parse(tb.location())
	if err != nil {
		tb.t.Fatal(err)
	}
	q := u.Query()
	return fmt.Sprintf("%s q=%s tag=%s", u.Path, q.Get("q"), q.Get("tag"))
}

// pressKeyAndWait sends keys that must load a new page (Enter in a form)
// and waits for it.
func (tb *tab) pressKeyAndWait(what, keys string) int64 {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserStepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(keys))
	if err != nil {
		tb.t.Fatalf("%s: %v (at %s)", what, err, tb.locationNoFail())
	}
	return resp.Status
}

func TestBrowserSearchFromHeader(t *testing.T) {
	w := startWiki(t, "editor")
	w.putSearchFixture(t)
	tb := openTab(t, newBrowser(t))
	tb.signIn(w, "/wiki/travel")

	// "/" anywhere on a page focuses the header's search box.
	tb.pressShortcut("/", "Slash", 191)
	wantEqual(t, `focused element after pressing "/"`, js[string](tb, `document.activeElement.id`), "q")
	wantEqual(t, `search box after pressing "/" (the key is not typed)`, tb.value("#q"), "")

	tb.do("type a question", chromedp.KeyEvent("get vpn access"))
	wantEqual(t, "status of the results", tb.pressKeyAndWait("press Enter in the search box", "\r"), 200)
	wantEqual(t, "path of the results", tb.path(), "/search?q=get+vpn+access") // as the form sends it
	wantEqual(t, "query kept in the results page's box", tb.value("#search-q"), "get vpn access")
	wantEqual(t, "search boxes in the header of the results page (the page has its own)", tb.count("header.site form.search"), 0)
	wantEqual(t, "first hit", tb.text("ol.results li:first-child a.hit"), "How do I get VPN access?")
	wantEqual(t, "where the first hit is", tb.text("ol.results li:first-child .where"), "IT basics · /wiki/it-basics#how-do-i-get-vpn-access")
	marks := tb.texts("ol.results li:first-child p.snippet mark")
	if len(marks) == 0 {
		t.Errorf("the first hit's snippet marks no words: %q", tb.text("ol.results li:first-child p.snippet"))
	}
	for _, m := range marks {
		if !slices.Contains([]string{"get", "vpn", "access"}, strings.ToLower(m)) {
			t.Errorf("snippet marks %q, which is not a word of the query", m)
		}
	}
	wantContains(t, "result count", tb.text("#results p.meta"), "found")
	tb.screenshot("search-results")

	// The hit goes through /search/open (which logs the open) to the
	// question, and the browser scrolls to it.
	wantEqual(t, "status after opening the first hit", tb.follow("ol.results li:first-child a.hit"), 200)
	wantEqual(t, "path after opening the hit", tb.path(), "/wiki/it-basics")
	wantEqual(t, "fragment after opening the hit", js[string](tb, `location.hash`), "#how-do-i-get-vpn-access")
	heading := `document.getElementById(decodeURIComponent(location.hash.slice(1)))`
	wantEqual(t, "text of the heading with that id", js[string](tb, `(() => {
		const h = `+heading+`.cloneNode(true);
		h.querySelectorAll(".anchor").forEach(a => a.remove());
		return h.textContent.trim();
	})()`), "How do I get VPN access?")
	// Browsers scroll to the fragment as the page finishes loading, and the
	// question must stop below the sticky header, not under it.
	inView := `(() => { const top = ` + heading + `.getBoundingClientRect().top; return window.scrollY > 0 && top >= document.querySelector("header.site").getBoundingClientRect().bottom && top < window.innerHeight; })()`
	ctx, cancel := context.WithTimeout(tb.ctx, 3*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](inView, chromedp.WithPollingTimeout(3*time.Second))); err != nil {
		t.Errorf("the question is not in view below the header: scrollY %v, heading top %v, header bottom %v, viewport height %v",
			js[float64](tb, `window.scrollY`), js[float64](tb, heading+`.getBoundingClientRect().top`),
			js[float64](tb, `document.querySelector("header.site").getBoundingClientRect().bottom`), js[float64](tb, `window.innerHeight`))
	}
}

func TestBrowserSearchAsYouType(t *testing.T) {
	w := startWiki(t, "editor")
	w.putSearchFixture(t)
	tb := openTab(t, newBrowser(t))
	tb.signIn(w, "/search")
	wantEqual(t, "hits before typing", tb.count("ol.results a.hit"), 0)
	js[bool](tb, `window.__sameDocument = true`)

	// On the search page "/" focuses the page's own search box.
	tb.pressShortcut("/", "Slash", 191)
	wantEqual(t, `focused element after pressing "/"`, js[string](tb, `document.activeElement.id`), "search-q")
	tb.do("type a query without submitting", chromedp.SendKeys(chromedp.ID("search-q"), "parking permit"))
	// app.js fetches the results block 250 ms after typing stops and
	// records the query in the address with history.replaceState.
	step(tb, "wait for the live results", chromedp.Poll[bool](
		`location.search === "?q=parking+permit" && [...document.querySelectorAll("#results ol.results a.hit")].some(a => a.textContent.trim() === "How do I get a parking permit?")`,
		chromedp.WithPollingTimeout(10*time.Second)))
	wantEqual(t, "first live hit", tb.text("#results ol.results li:first-child a.hit"), "How do I get a parking permit?")
	wantEqual(t, "same document (no page load)", js[bool](tb, `window.__sameDocument === true`), true)
	wantEqual(t, "path after typing", tb.path(), "/search?q=parking+permit")
	wantEqual(t, "live hit visible", js[bool](tb, `document.querySelector("#results ol.results a.hit").offsetHeight > 0`), true)
	wantEqual(t, "results blocks", tb.count("#results"), 1)
	wantEqual(t, "nested pages in the results (the partial must not bring the layout)", tb.count("#results header, #results main, #results form"), 0)
	wantContains(t, "live snippet", tb.text("#results ol.results li:first-child p.snippet"), "permit")

	// The address is the search: reloading it shows the same results.
	tb.open(tb.location())
	wantEqual(t, "first hit after reloading", tb.text("ol.results li:first-child a.hit"), "How do I get a parking permit?")
	wantEqual(t, "query after reloading", tb.value("#search-q"), "parking permit")
}

// The header's search box shows the best answers as you type, on any
// page, and one click lands on the question.
func TestBrowserHeaderSearchAsYouType(t *testing.T) {
	w := startWiki(t, "editor")
	w.putSearchFixture(t)
	tb := openTab(t, newBrowser(t))
	tb.signIn(w, "/wiki/welcome")
	wantEqual(t, "answers shown before typing", js[bool](tb, `!document.getElementById("quick-results").hidden`), false)
	tb.do("type in the header's box", chromedp.SendKeys(chromedp.ID("q"), "parking permit"))
	step(tb, "wait for the answers under the box", chromedp.Poll[bool](
		`!document.getElementById("quick-results").hidden && [...document.querySelectorAll("#quick-results li a .question")].some(a => a.textContent.trim() === "How do I get a parking permit?")`,
		chromedp.WithPollingTimeout(10*time.Second)))
	wantEqual(t, "path while typing (still the page)", tb.path(), "/wiki/welcome")
	wantEqual(t, "first answer", tb.text("#quick-results li:first-child .question"), "How do I get a parking permit?")
	wantContains(t, "the link to all results", tb.text("#quick-results .quick-more a"), "All results")
	// Escape closes the list (and, in a search box, the browser clears
	// it); typing again opens it; a click opens the answer.
	tb.do("press Escape", chromedp.KeyEvent(kb.Escape))
	wantEqual(t, "answers shown after Escape", js[bool](tb, `!document.getElementById("quick-results").hidden`), false)
	tb.typeAtEnd("#q", "parking permit")
	step(tb, "wait for the answers again", chromedp.Poll[bool](`!document.getElementById("quick-results").hidden`, chromedp.WithPollingTimeout(10*time.Second)))
	wantEqual(t, "status after clicking the first answer", tb.follow("#quick-results li:first-child a"), 200)
	wantContains(t, "address after the click", tb.location(), "#how-do-i-get-a-parking-permit")
}

func TestBrowserSearchTypoSuggestion(t *testing.T) {
	w := startWiki(t, "editor")
	w.putSearchFixture(t)
	tb := openTab(t, newBrowser(t))
	tb.signIn(w, "/search")

	tb.do("type a misspelled query", chromedp.SendKeys(chromedp.ID("search-q"), "parkng permt"))
	wantEqual(t, "status of the results", tb.follow("form.search-page button[type=submit]"), 200)
	wantEqual(t, "results address", tb.searchQuery(), "/search q=parkng permt tag=")
	wantEqual(t, "suggestion", tb.text("p.suggestion"), "Did you mean parking permit?")
	wantEqual(t, "first hit despite the typos", tb.text("ol.results li:first-child a.hit"), "How do I get a parking permit?")
	wantEqual(t, "page of the first hit", strings.Join(tb.hitSlugs()[:1], ""), "parking")
	tb.screenshot("search-typo")

	wantEqual(t, "status after taking the suggestion", tb.follow("p.suggestion a"), 200)
	wantEqual(t, "address after taking the suggestion", tb.searchQuery(), "/search q=parking permit tag=")
	wantEqual(t, "suggestions for the corrected query", tb.count("p.suggestion"), 0)
	wantEqual(t, "first hit of the corrected query", tb.text("ol.results li:first-child a.hit"), "How do I get a parking permit?")
	wantEqual(t, "corrected query in the box", tb.value("#search-q"), "parking permit")
}

func TestBrowserSearchWithoutJavaScript(t *testing.T) {
	w := startWiki(t, "editor")
	w.putSearchFixture(t)
	tb := openTab(t, newBrowser(t))
	step(tb, "turn JavaScript off", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	tb.signIn(w, "/wiki/parking")

	tb.do("type in the header's search box", chromedp.SendKeys(chromedp.ID("q"), "desk"))
	wantEqual(t, "status of the results", tb.follow("header.site form.search button[type=submit]"), 200)
	wantEqual(t, "results address", tb.searchQuery(), "/search q=desk tag=")
	all := tb.hitSlugs()
	for _, want := range []string{"it-basics", "travel", "parking"} {
		if !slices.Contains(all, want) {
			t.Errorf("results for desk %v lack %s", all, want)
		}
	}
	wantContains(t, "result count", tb.text("#results p.meta"), fmt.Sprintf("%d pages found", len(all)))
	wantContains(t, "facets", strings.Join(tb.texts("p.facets a.tag"), " | "), "first-week 2")
	wantEqual(t, "facets switched on before choosing one", tb.count("p.facets a.tag.on"), 0)

	wantEqual(t, "status after choosing a tag", tb.follow(`p.facets a.tag[href$="tag=first-week"]`), 200)
	wantEqual(t, "address after choosing a tag", tb.searchQuery(), "/search q=desk tag=first-week")
	tagged := tb.hitSlugs()
	if len(tagged) == 0 {
		t.Fatal("no results tagged first-week")
	}
	slices.Sort(tagged)
	wantEqual(t, "pages tagged first-week", strings.Join(tagged, ","), "it-basics,parking")
	for _, slug := range tagged {
		if tags := w.pageTags(t, slug); !slices.Contains(tags, "first-week") {
			t.Errorf("result %s is not tagged first-week: %v", slug, tags)
		}
	}
	wantContains(t, "result count with the tag", tb.text("#results p.meta"), "2 pages found tagged first-week")
	wantEqual(t, "chosen facet", tb.text("p.facets a.tag.on"), "first-week 2")
	wantEqual(t, "tag kept by the search form", tb.value(`form.search-page input[name=tag]`), "first-week")
	tb.screenshot("nojs-search-facet")

	wantEqual(t, "status after all tags", tb.follow(`#results p.meta a`), 200)
	wantEqual(t, "address after all tags", tb.searchQuery(), "/search q=desk tag=")
	wantEqual(t, "hits with all tags", len(tb.hitSlugs()), len(all))
}

func TestBrowserSearchGapToNewPage(t *testing.T) {
	w := startWiki(t, "trainer")
	w.putSearchFixture(t)
	tb := openTab(t, newBrowser(t))
	tb.signIn(w, "/")

	const query = "bike storage"
	tb.do("type in the header's search box", chromedp.SendKeys(chromedp.ID("q"), query))
	wantEqual(t, "status of the results", tb.follow("header.site form.search button[type=submit]"), 200)
	wantEqual(t, "results address", tb.searchQuery(), "/search q=bike storage tag=")
	// Nothing in the wiki is about bikes or storage.
	if slugs := tb.hitSlugs(); len(slugs) > 0 {
		t.Errorf("a search for %q found pages %v (first: %q, snippet %q)", query, slugs, tb.text("ol.results li:first-child a.hit"), tb.text("ol.results li:first-child"))
	}
	wantContains(t, "result count", tb.text("#results p.meta"), "0 pages found")
	wantEqual(t, "gap notices", tb.count(".notice.gap"), 1)
	wantEqual(t, "Write the answer buttons on the results", strings.Join(tb.texts(`.notice.gap a.button[href^="/new?"]`), ","), "Write the answer")
	tb.screenshot("search-nothing-found")

	// The gap log writes its counts every 2 s. The gap list (/gaps) has
	// searches and questions in one list.
	wantEqual(t, "status of the gap list", tb.follow(`header.site nav a[href="/gaps"]`), 200)
	row := `[...document.querySelectorAll("ol.gaps li.gap")].findIndex(li => li.querySelector("h2").textContent.trim() === ` + fmt.Sprintf("%q", "“"+query+"”") + `) + 1`
	wikitest.Eventually(t, "a gap for "+query, func() bool {
		if js[int](tb, row) > 0 {
			return true
		}
		tb.open(w.base + "/gaps")
		return false
	})
	n := js[int](tb, row)
	li := fmt.Sprintf("ol.gaps li.gap:nth-child(%d)", n)
	wantEqual(t, "gaps", tb.count("ol.gaps li.gap"), 1)
	wantContains(t, "how often and how many", tb.text(li+" p.meta"), "1 person, 1 search")
	wantContains(t, "found", tb.text(li+" p.meta"), "found nothing")
	tb.screenshot("search-gaps")

	wantEqual(t, "status of the new-page form", tb.follow(li+" .gap-actions a.button"), 200)
	if p := tb.path(); !strings.HasPrefix(p, "/new?gap=s-") || !strings.HasSuffix(p, "&title=bike+storage") {
		t.Errorf("path of the new-page form %q", p)
	}
	wantEqual(t, "h1 of the new-page form", tb.text("h1"), "New page")
	wantEqual(t, "title of the new page", tb.value("#title"), query)
	tb.do("write the answer", chromedp.SetValue(chromedp.ID("markdown"), "## Where can I leave my bike?\n\nIn the bike storage room next to the garage; reception has the key.\n"))
	wantEqual(t, "status after Save", tb.follow(`button[name=action][value=save]`), 200)
	wantEqual(t, "path after Save", tb.path(), "/wiki/bike-storage")
	wantContains(t, "flash", tb.flash(), "Created the page")
	wantContains(t, "flash", tb.flash(), "is answered here now")
	wantEqual(t, "h1", tb.text("h1"), query)
	wantEqual(t, "revision from the API", w.revision(t, "bike-storage"), 1)

	// The next person who asks finds the answer (once the index has it).
	wikitest.Eventually(t, "the new page to be the first hit for "+query, func() bool {
		tb.open(w.base + "/search?q=" + url.QueryEscape(query))
		slugs := tb.hitSlugs()
		return len(slugs) > 0 && slugs[0] == "bike-storage"
	})
	wantEqual(t, "first hit for the gap's query", tb.text("ol.results li:first-child a.hit"), "Where can I leave my bike?")
}
