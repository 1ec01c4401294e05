package web

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
)

// TestPageViewCache_SameAsDrawnAfresh: a page view from the cache is byte
// for byte the page drawn afresh, for readers of every kind and after
// every change that alters what the page shows.
func TestPageViewCache_SameAsDrawnAfresh(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	ts := newTestServerWith(t, Config{Clock: clock, OpenReading: true})
	ctx := context.Background()
	ts.create("faq", "FAQ & more", "# FAQ\n\nSee [[Travel]] and [[Missing page]].\n\n## One?\n\nA.\n\n## Two?\n\nB.\n\n## Three?\n\nC.\n")
	ts.create("travel", "Travel", "Go.\n")
	if _, err := ts.accounts.CreateAccount(ctx, wiki.NewAccount{Username: "ada", DisplayName: `Ada <"Lovelace"> & co`, Password: testPassword, Role: wiki.RoleEditor, Cohort: ""}); err != nil {
		t.Fatal(err)
	}
	ts.addUser("tina", wiki.RoleTrainer, "")
	ts.addUser("rita", wiki.RoleReader, "")

	same := func(step string) {
		t.Helper()
		ts.srv.noViewCache = false
		cached := ts.browse("GET", "/wiki/faq", nil)
		again := ts.browse("GET", "/wiki/faq", nil) // from the cache now
		ts.srv.noViewCache = true
		fresh := ts.browse("GET", "/wiki/faq", nil)
		ts.srv.noViewCache = false
		wantStatus(t, cached, 200)
		wantStatus(t, fresh, 200)
		if cached.Body.String() != fresh.Body.String() || again.Body.String() != fresh.Body.String() {
			t.Errorf("%s: the cached view differs from the page drawn afresh:\n%s", step, firstDiff(again.Body.String(), fresh.Body.String()))
		}
	}
	same("admin")
	ts.signIn("ada")
	same("editor with a display name")
	wantStatus(t, ts.post("/feedback/faq", map[string][]string{"vote": {"yes:one"}}), 303)
	ts.browse("GET", "/wiki/faq", nil) // its thanks, shown once
	same("after the reader's vote")
	wantStatus(t, ts.post("/flag/faq", map[string][]string{"anchor": {"two"}, "note": {"Moved to <b>B2</b>"}}), 303)
	if w := ts.browse("GET", "/wiki/faq", nil); !strings.Contains(w.Body.String(), "may be out of date") {
		t.Error("the flagged answer is not shown as flagged")
	}
	same("an answer flagged")
	if err := ts.wiki.Watch(wiki.NewContextWithUser(ctx, &wiki.User{Name: "ada", Role: wiki.RoleEditor}), "faq", false); err != nil {
		t.Fatal(err)
	}
	same("watching")
	ts.create("other", "Other", "Links to [[FAQ]] here... [[faq]]\n")
	same("a new backlink")
	ts.create("missing-page", "Missing page", "Now it exists.\n")
	same("a missing link target created")
	// [[Travel]] leads to the page titled so, wherever it lives.
	ts.create("trips", "Trips", "Away.\n")
	same("a page made that no link names")
	if w := ts.post("/edit/travel", map[string][]string{"title": {"Journeys"}, "markdown": {"Go.\n"}, "base_revision": {"1"}}); w.Code != 303 {
		t.Fatalf("retitle: %d", w.Code)
	}
	if w := ts.post("/edit/trips", map[string][]string{"title": {"Travel"}, "markdown": {"Away.\n"}, "base_revision": {"1"}}); w.Code != 303 {
		t.Fatalf("retitle: %d", w.Code)
	}
	if w := ts.browse("GET", "/wiki/faq", nil); !strings.Contains(w.Body.String(), `href="/wiki/trips"`) {
		t.Error("[[Travel]] does not lead to the page now titled Travel")
	}
	same("a link target retitled")
	ts.signIn("tina")
	same("trainer, review count")
	ts.create("more", "More", "one more page to review\n")
	same("trainer, review count up")
	mu.Lock()
	now = now.Add(5 * time.Minute)
	mu.Unlock()
	same("five minutes later")
	ts.signIn("rita")
	same("reader")
	ts.signOut()
	same("visitor of an open wiki")
	// A flash message (after a save) is drawn afresh and shown.
	ts.signIn("admin")
	if w := ts.post("/edit/faq", map[string][]string{"title": {"FAQ & more"}, "markdown": {"Changed.\n"}, "base_revision": {"1"}}); w.Code != 303 {
		t.Fatalf("save: %d", w.Code)
	}
	if w := ts.browse("GET", "/wiki/faq", nil); !strings.Contains(w.Body.String(), "Saved revision 2") {
		t.Error("the flash message is not shown")
	}
	same("the next revision")
}

func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-80)
	return "cached: …" + a[from:min(len(a), i+80)] + "\nfresh:  …" + b[from:min(len(b), i+80)]
}

// TestPageViewKeyCoversEveryField: every field of the data of a page view
// is in the cache key, a hole, or named as drawn afresh (pageViewKeyed).
// A field added to pageView, BasePage or wiki.User fails here until
// appendPageViewKey covers it.
func TestPageViewKeyCoversEveryField(t *testing.T) {
	covered := map[string]bool{}
	for _, f := range pageViewKeyed {
		name, _, _ := strings.Cut(f, " ")
		covered[name] = true
	}
	for _, typ := range []reflect.Type{reflect.TypeOf(pageView{}), reflect.TypeOf(BasePage{}), reflect.TypeOf(wiki.User{})} {
		for i := range typ.NumField() {
			if f := typ.Field(i); !covered[f.Name] {
				t.Errorf("%s.%s is not in the page-view cache key (appendPageViewKey, pageViewKeyed)", typ.Name(), f.Name)
			}
		}
	}
}

// TestPageViewCache_RefusesEscapedHoles: a sentinel that html/template
// escaped (a value used in a URL or a script) makes the page uncacheable.
func TestPageViewCache_RefusesEscapedHoles(t *testing.T) {
	pc := newPageViewCache()
	whole := "<p>" + pc.sentinel(holeName) + "</p><a href=\"/x\">" + pc.sentinel(holeBody) + "</a>"
	parts, ok := pc.split([]byte(whole))
	if !ok || len(parts) != 5 || parts[1].hole != holeName || parts[3].hole != holeBody || string(parts[4].html) != "</a>" {
		t.Fatalf("split(%q) = %+v, %v", whole, parts, ok)
	}
	escaped := "<a href=\"/people/%1e" + pc.nonce + ":name%1f\">x</a>"
	if _, ok := pc.split([]byte(escaped)); ok {
		t.Error("a URL-escaped sentinel was taken for a page that can be cached")
	}
}

// TestPageViewShowsTitleLinksMadeBeforeTheTitle: a [[Title]] link saved
// while no page had that title is filed under the slug the title makes;
// the page that takes the title later (at another slug) lists the linking
// page under What links here, until a page lives at that slug.
func TestPageViewShowsTitleLinksMadeBeforeTheTitle(t *testing.T) {
	ts := newTestServer(t)
	ts.create("start", "Start here", "Read [[Travel policy]] first.\n")
	ts.create("hr/travel", "Travel policy", "Book with the agency.\n")
	linksHere := func() []string {
		t.Helper()
		doc := parseHTML(t, ts.browse("GET", "/wiki/hr/travel", nil).Body.String())
		var out []string
		for _, a := range queryAll(doc, "section.backlinks li a") {
			href, _ := attr(a, "href")
			out = append(out, href)
		}
		return out
	}
	if got := linksHere(); len(got) != 1 || got[0] != "/wiki/start" {
		t.Errorf("What links here = %v, want [/wiki/start]", got)
	}
	// The API's backlinks are the same; a missing page's are the links
	// that want it.
	apiBack := func(slug string) []string {
		t.Helper()
		w := ts.api("GET", "/api/v1/pages/"+slug+"/backlinks", "")
		wantStatus(t, w, 200)
		var out []string
		for _, p := range decode[[]struct{ Slug string }](t, w) {
			out = append(out, p.Slug)
		}
		return out
	}
	if got := apiBack("hr/travel"); len(got) != 1 || got[0] != "start" {
		t.Errorf("API backlinks of hr/travel = %v, want [start]", got)
	}
	if got := apiBack("travel-policy"); len(got) != 1 || got[0] != "start" {
		t.Errorf("API backlinks of the missing travel-policy = %v, want [start]", got)
	}
	// A page at the slug the title makes takes the links filed there.
	ts.create("travel-policy", "Old travel policy", "Superseded.\n")
	if got := linksHere(); len(got) != 0 {
		t.Errorf("with a page at travel-policy, What links here = %v, want none", got)
	}
}

// TestPageViewAnswerFollowsTheRender: a reader who views a page again
// gets the answer kept for them only while the revision's HTML is the one
// it was made with. Creating a page a link names draws the revision anew
// under the same view key (on a wiki without answer boxes, whose state
// would name the render), and the next view shows the link alive.
func TestPageViewAnswerFollowsTheRender(t *testing.T) {
	ts := newTestServer(t)
	ts.srv.cfg.Answers = nil
	ts.create("faq", "FAQ", "See [[Travel]].\n")
	view := func() string {
		t.Helper()
		w := ts.browse("GET", "/wiki/faq", nil)
		wantStatus(t, w, 200)
		return w.Body.String()
	}
	first, again := view(), view()
	if first != again {
		t.Fatalf("a second view differs from the first:\n%s", firstDiff(again, first))
	}
	if !strings.Contains(first, `class="new"`) {
		t.Fatal("the link to a missing page is not drawn as one")
	}
	ts.create("travel", "Travel", "Go.\n")
	if got := view(); strings.Contains(got, `class="new"`) || !strings.Contains(got, `href="/wiki/travel"`) {
		t.Error("after the linked page was made, the view still shows the link as missing: an answer kept from the old render")
	}
}

// TestPageViewKeptAnswerKeepsItsLength: the second view by a signed-in
// reader is the answer kept from the first, sent with the length kept
// with it; after an edit, the new answer's length.
func TestPageViewKeptAnswerKeepsItsLength(t *testing.T) {
	ts := newTestServer(t)
	ts.create("faq", "FAQ", "## Short?\n\nYes.\n")
	view := func() string {
		t.Helper()
		w := ts.api("GET", "/wiki/faq", "")
		wantStatus(t, w, 200)
		if got, n := w.Header().Get("Content-Length"), w.Body.Len(); got != fmt.Sprint(n) || n == 0 {
			t.Errorf("Content-Length = %s, body %d bytes", got, n)
		}
		return w.Body.String()
	}
	first, again := view(), view()
	if first != again {
		t.Fatalf("a second view differs from the first:\n%s", firstDiff(again, first))
	}
	b, _ := json.Marshal(map[string]any{"title": "FAQ", "markdown": "## Short?\n\nYes, and now a good deal longer than it was.\n", "base_revision": 1})
	wantStatus(t, ts.api("PUT", "/api/v1/pages/faq", string(b)), http.StatusOK)
	if got := view(); len(got) <= len(first) {
		t.Errorf("after a longer text was saved the view is %d bytes, was %d", len(got), len(first))
	}
}

// TestPageViewFirstVisitsGetTheirOwnToken: each visitor without a cookie
// gets a CSRF token of their own, in the cookie and in the page's forms
// alike. Their answers, each the only one of its kind, are not kept; a
// signed-in reader's is.
func TestPageViewFirstVisitsGetTheirOwnToken(t *testing.T) {
	ts := newTestServerWith(t, Config{OpenReading: true})
	ts.create("faq", "FAQ", "## Where do I park?\n\nBehind the building.\n")
	seen := map[string]bool{}
	for range 3 {
		w := httptest.NewRecorder()
		ts.srv.ServeHTTP(w, httptest.NewRequest("GET", "/wiki/faq", nil))
		wantStatus(t, w, 200)
		var cookie string
		for _, c := range w.Result().Cookies() {
			if c.Name == csrfCookie {
				cookie = c.Value
			}
		}
		if cookie == "" || seen[cookie] {
			t.Fatalf("a first visit got CSRF cookie %q (seen before: %v); want a new one", cookie, seen[cookie])
		}
		seen[cookie] = true
		body := w.Body.String()
		if !strings.Contains(body, `name="csrf_token" value="`+cookie+`"`) {
			t.Errorf("the page's forms do not carry the visitor's own token %q", cookie)
		}
	}
	if n := ts.srv.views.answers.Len(); n != 0 {
		t.Errorf("%d answers to first visits kept; want none", n)
	}
	ts.signIn("admin")
	ts.browse("GET", "/wiki/faq", nil)
	ts.browse("GET", "/wiki/faq", nil)
	if n := ts.srv.views.answers.Len(); n != 1 {
		t.Errorf("%d answers kept after a reader viewed a page twice; want 1", n)
	}
}

// TestFNV64aIsHashFNV checks the page-view key's inline hash against
// hash/fnv's New64a over the same bytes (each string and a NUL), and that
// moving a byte from one string to the next changes it.
func TestFNV64aIsHashFNV(t *testing.T) {
	parts := []string{"handbook/laptops", "Laptops", "", "é and ü", "x"}
	var h fnv64a = fnvOffset64
	want := fnv.New64a()
	for _, p := range parts {
		h.add(p)
		want.Write([]byte(p))
		want.Write([]byte{0})
	}
	if uint64(h) != want.Sum64() {
		t.Errorf("fnv64a = %x, hash/fnv = %x", uint64(h), want.Sum64())
	}
	a, b := fnvOffset64, fnvOffset64
	a.add("ab")
	a.add("c")
	b.add("a")
	b.add("bc")
	if a == b {
		t.Error(`"ab","c" and "a","bc" hash the same`)
	}
}
