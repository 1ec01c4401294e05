package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/faqwiki/faqwiki/wiki"
)

type apiSearchAnswer = apiSearch

func TestSearchFindsTheQuestion(t *testing.T) {
	ts := newTestServer(t)
	wantStatus(t, ts.api("PUT", "/api/v1/pages/it/vpn", put(vpn, 0, `,"title":"VPN access","tags":["it"]`)), 201)
	wantStatus(t, ts.api("PUT", "/api/v1/pages/travel", put("## How do I book a flight?\n\nUse the travel portal.\n", 0, `,"title":"Travel","tags":["travel"]`)), 201)

	w := ts.api("GET", "/api/v1/search?q=which+client+is+standard", "")
	wantStatus(t, w, 200)
	res := decode[apiSearchAnswer](t, w)
	if res.Total < 1 || res.Hits[0].Slug != "it/vpn" || res.Hits[0].Anchor != "which-client" || res.Hits[0].Snippet != "The <mark>standard</mark> one." {
		t.Fatalf("search: %+v", res)
	}
	// A typo still finds it, with a suggestion.
	res = decode[apiSearchAnswer](t, ts.api("GET", "/api/v1/search?q=travle+portal", ""))
	if res.Total < 1 || res.Hits[0].Slug != "travel" || res.Suggestion == "" {
		t.Errorf("typo search: %+v", res)
	}
	// Tag filter.
	res = decode[apiSearchAnswer](t, ts.api("GET", "/api/v1/search?q=service+desk&tag=travel", ""))
	if res.Total != 0 {
		t.Errorf("tag filter let through %+v", res.Hits)
	}

	// The results page: the question, its page, a link that lands on it.
	w = ts.browse("GET", "/search?q=which+client+is+standard", nil)
	wantStatus(t, w, 200)
	doc := parseHTML(t, w.Body.String())
	hit := mustFind(t, doc, "ol.results a.hit")
	if got := textOf(hit); got != "Which client?" {
		t.Errorf("first hit %q", got)
	}
	href, _ := attr(hit, "href")
	mustFind(t, doc, "ol.results .snippet mark")
	if v, _ := attr(mustFind(t, doc, "form.search-page input#search-q"), "value"); v != "which client is standard" {
		t.Errorf("the search box holds %q", v)
	}
	if len(queryAll(doc, "header form.search")) != 0 {
		t.Error("the results page shows a second search box in the header")
	}
	// Every other page has the search box in its header.
	mustFind(t, parseHTML(t, ts.browse("GET", "/wiki/it/vpn", nil).Body.String()), "header form.search input#q")
	u, _ := url.Parse(href)
	if u.Path != "/search/open" || u.Fragment != "which-client" || u.Query().Get("slug") != "it/vpn" {
		t.Fatalf("hit link %q", href)
	}
	w = ts.browse("GET", u.RequestURI(), nil)
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/wiki/it/vpn" {
		t.Errorf("open redirects to %q", loc)
	}

	// Search as you type gets the results block alone.
	w = ts.browse("GET", "/search?q=which+client&partial=1", nil)
	wantStatus(t, w, 200)
	if strings.Contains(w.Body.String(), "<html") || !strings.Contains(w.Body.String(), "Which client?") {
		t.Errorf("partial results: %.300s", w.Body.String())
	}
}

func TestSearchFindsEditsDeletesAndReverts(t *testing.T) {
	ts := newTestServer(t)
	wantStatus(t, ts.api("PUT", "/api/v1/pages/p", put("## Where is the canteen?\n\nOn floor 2.\n", 0, "")), 201)
	count := func(q string) int {
		return decode[apiSearchAnswer](t, ts.api("GET", "/api/v1/search?q="+url.QueryEscape(q), "")).Total
	}
	if count("canteen") != 1 {
		t.Fatal("a new page is not found")
	}
	wantStatus(t, ts.api("PUT", "/api/v1/pages/p", put("## Where is the cafeteria?\n\nOn floor 3.\n", 1, "")), 200)
	if count("cafeteria") != 1 || count("canteen") != 0 {
		t.Error("an edit is not reflected")
	}
	wantStatus(t, ts.api("DELETE", "/api/v1/pages/p", ""), 204)
	if count("cafeteria") != 0 {
		t.Error("a deleted page is still found")
	}
	wantStatus(t, ts.api("POST", "/api/v1/pages/p/revert", `{"revision":1}`), 200)
	if count("canteen") != 1 {
		t.Error("reverted text is not found again")
	}
}

func TestSearchGaps(t *testing.T) {
	ts := newTestServer(t)
	wantStatus(t, ts.api("PUT", "/api/v1/pages/p", put("## Where is the canteen?\n\nOn floor 2.\n", 0, "")), 201)
	ts.browse("GET", "/search?q=parking+permit", nil)
	ts.browse("GET", "/search?q=Parking+permit%3F", nil) // the same person again: one intent
	ts.addUser("ada", wiki.RoleReader, "")
	ts.apiAs(ts.tokenFor("ada"), "GET", "/api/v1/search?q=parking+permit", "") // someone else: another
	ts.browse("GET", "/search?q=canteen", nil)                                 // found, but never opened
	ts.browse("GET", "/search?q=floor", nil)
	ts.browse("GET", "/search/open?q=floor&slug=p&anchor=where-is-the-canteen", nil) // found and opened
	if err := ts.searchLog.Flush(); err != nil {
		t.Fatal(err)
	}
	w := ts.api("GET", "/api/v1/search/gaps", "")
	wantStatus(t, w, 200)
	gaps := decode[[]apiGap](t, w)
	if len(gaps) != 2 || gaps[0].Query != "parking permit" || gaps[0].Count != 2 || gaps[0].People != 2 || gaps[1].Query != "canteen" {
		t.Fatalf("gaps: %+v", gaps)
	}
	wantError(t, ts.api("GET", "/api/v1/search/gaps?since=last+week", ""), 400, "bad_request")

	// The old page leads to the gap list, which offers to write the answer.
	w = ts.browse("GET", "/search/gaps", nil)
	if w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != "/gaps" {
		t.Errorf("old gaps page: %d %q", w.Code, w.Header().Get("Location"))
	}
	doc := parseHTML(t, ts.browse("GET", "/gaps", nil).Body.String())
	a := mustFind(t, doc, "ol.gaps li.gap .gap-actions a.button")
	if href, _ := attr(a, "href"); href != "/new?gap="+wiki.SearchGapID("parking permit")+"&title=parking+permit" {
		t.Errorf("write-the-answer link %q", href)
	}
	// The page for a search that found nothing offers to write the answer.
	doc = parseHTML(t, ts.browse("GET", "/search?q=parking+permit", nil).Body.String())
	mustFind(t, doc, `.gap a.button[href="/new?title=parking%20permit"]`)
}

func TestHostileQueriesAreAnswered(t *testing.T) {
	ts := newTestServer(t)
	wantStatus(t, ts.api("PUT", "/api/v1/pages/p", put("## Where is the canteen?\n\nOn floor 2.\n", 0, "")), 201)
	for _, q := range []string{
		`"unclosed`, `title:canteen`, `+canteen -floor`, `*`, `?anteen`, `can*`, `/regex.*/`, `canteen~5`, `a:b:c`, `((((`,
		`\`, "\x00\x01\x02", strings.Repeat("canteen ", 500), strings.Repeat("x", 5000), "<script>alert(1)</script>", `^2 AND OR NOT`, "日本語 検索",
	} {
		w := ts.api("GET", "/api/v1/search?q="+url.QueryEscape(q), "")
		if w.Code != 200 {
			t.Errorf("q=%.40q: status %d %s", q, w.Code, w.Body.String())
			continue
		}
		page := ts.browse("GET", "/search?q="+url.QueryEscape(q), nil)
		if page.Code != 200 || strings.Contains(page.Body.String(), "<script>alert") {
			t.Errorf("q=%.40q: results page %d or unescaped", q, page.Code)
		}
	}
	for _, bad := range []string{"limit=0", "limit=51", "limit=x", "offset=-1", "offset=5000"} {
		wantError(t, ts.api("GET", "/api/v1/search?q=canteen&"+bad, ""), 400, "bad_request")
	}
	wantStatus(t, ts.browse("GET", "/search?q=x&page=0", nil), 400)
}

// A page can embed <img src="https://wiki/search?q=junk">; such requests
// (Sec-Fetch-Dest: image) must neither log searches nor opens.
func TestEmbeddedRequestsDoNotTouchTheGapLog(t *testing.T) {
	ts := newTestServer(t)
	wantStatus(t, ts.api("PUT", "/api/v1/pages/p", put("## Where is the canteen?\n\nOn floor 2.\n", 0, "")), 201)
	ts.browse("GET", "/search?q=parking", nil) // a real gap
	for _, path := range []string{"/search?q=junk+from+an+image", "/search/open?q=parking&slug=p"} {
		r := httptestRequest("GET", path, nil)
		r.AddCookie(ts.cookies[sessionCookie])
		r.Header.Set("Sec-Fetch-Dest", "image")
		ts.serve(r)
	}
	if err := ts.searchLog.Flush(); err != nil {
		t.Fatal(err)
	}
	gaps := decode[[]apiGap](t, ts.api("GET", "/api/v1/search/gaps", ""))
	if len(gaps) != 1 || gaps[0].Query != "parking" {
		t.Errorf("gaps %+v, want just parking", gaps)
	}
}

// A sub-question's hit names the question it belongs to, in the API
// (parent_heading) and on the results page before its heading: "Other"
// alone says nothing.
func TestSearchHitNamesTheQuestionAbove(t *testing.T) {
	ts := newTestServer(t)
	md := "## Laptop\n\nYou get one on your first day.\n\n## Lost or stolen equipment\n\n" +
		"### Other\n\nFor lost work laptops and phones, call the service desk and file a police report.\n"
	wantStatus(t, ts.api("PUT", "/api/v1/pages/equipment", put(md, 0, `,"title":"Equipment"`)), 201)
	res := decode[apiSearchAnswer](t, ts.api("GET", "/api/v1/search?q=police+report", ""))
	if res.Total < 1 || res.Hits[0].Anchor != "other" || res.Hits[0].Under != "Lost or stolen equipment" {
		t.Fatalf("search: %+v", res.Hits)
	}
	if !strings.Contains(ts.api("GET", "/api/v1/search?q=police+report", "").Body.String(), `"parent_heading":"Lost or stolen equipment"`) {
		t.Error("the API's hit has no parent_heading")
	}
	doc := parseHTML(t, ts.browse("GET", "/search?q=police+report", nil).Body.String())
	if got := textOf(mustFind(t, doc, "ol.results a.hit")); got != "Lost or stolen equipment › Other" {
		t.Errorf("first hit %q, want the question above it before the heading", got)
	}
	// A question of its own names nothing above it.
	res = decode[apiSearchAnswer](t, ts.api("GET", "/api/v1/search?q=first+day", ""))
	if res.Total < 1 || res.Hits[0].Anchor != "laptop" || res.Hits[0].Under != "" {
		t.Errorf("search: %+v", res.Hits)
	}
}

// The search page before anything is asked says how to ask and lists the
// answers people opened most, each a link to its question.
func TestSearchPageBeforeAQuery(t *testing.T) {
	ts := newTestServer(t)
	ts.create("it/vpn", "VPN access", "## Who gives access?\n\nIT.\n")
	if err := ts.searchLog.LogOpen(context.Background(), wiki.OpenEvent{Query: "vpn", Slug: "it/vpn", Anchor: "who-gives-access"}); err != nil {
		t.Fatal(err)
	}
	if err := ts.searchLog.Flush(); err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, ts.browse("GET", "/search", nil).Body.String())
	if got := textOf(mustFind(t, doc, `ol.opened a[href="/wiki/it/vpn#who-gives-access"]`)); got != "Who gives access?" {
		t.Errorf("most opened answer %q", got)
	}
	if !strings.Contains(textOf(mustFind(t, doc, "main")), "Ask in your own words") {
		t.Error("no word on how to ask")
	}
	// With a query, the results take the place of both.
	doc = parseHTML(t, ts.browse("GET", "/search?q=vpn", nil).Body.String())
	if len(queryAll(doc, "ol.opened")) != 0 {
		t.Error("the most opened answers shown with results")
	}
}
