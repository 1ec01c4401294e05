package web

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/faqwiki/faqwiki/templates"
	"github.com/faqwiki/faqwiki/wiki"
)

func TestEveryTemplateFileIsParsed(t *testing.T) {
	ts := newTestServer(t)
	files, err := fs.Glob(templates.FS, "*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if _, ok := ts.srv.pages.pages[f]; !ok && f != "layout.html" {
			t.Errorf("%s is not registered", f)
		}
	}
}

func TestHomeListsRecentAndAllPages(t *testing.T) {
	ts := newTestServer(t)
	ts.create("it/vpn", "VPN access", "x\n")
	ts.create("travel/per-diem", "Per diem", "x\n")
	w := ts.browse("GET", "/", nil)
	wantStatus(t, w, 200)
	doc := parseHTML(t, w.Body.String())
	if n := len(queryAll(doc, "ul.changes li")); n != 2 {
		t.Errorf("%d recent changes, want 2", n)
	}
	// Sections by title; a section with one page under it opens as a
	// section (no page lives at travel itself).
	mustFind(t, doc, `ul.tree a[href="/?section=travel#sections"]`)
	doc2 := parseHTML(t, ts.browse("GET", "/?section=travel", nil).Body.String())
	mustFind(t, doc2, `ul.tree a[href=/wiki/travel/per-diem]`)
	wantStatus(t, ts.browse("GET", "/?section=nothing-here", nil), 404)
	wantStatus(t, ts.browse("GET", "/?section=Bad%20Slug", nil), 400)
	if got := textOf(mustFind(t, doc, "ul.changes li a")); got != "Per diem" {
		t.Errorf("newest change first: got %q", got)
	}
	mustFind(t, doc, `a[href=/new]`)
}

// The home page's "all pages" lists them by title, homeListLimit at a
// time, with a link to the next ones.
func TestHomePagesThroughAllPagesByTitle(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	for i := 0; i < homeListLimit+5; i++ {
		// Titles sort differently from slugs: z-… pages are titled A…
		slug := wiki.Slug(fmt.Sprintf("z-%03d", i))
		if _, err := ts.wiki.Save(ctx, wiki.Edit{Slug: slug, Title: fmt.Sprintf("A %03d", homeListLimit+5-i), Markdown: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	doc := parseHTML(t, ts.browse("GET", "/?all", nil).Body.String())
	items := queryAll(doc, "ul.index li a")
	if len(items) != homeListLimit || textOf(items[0]) != "A 001" {
		t.Fatalf("first page: %d items, first %q", len(items), textOf(items[0]))
	}
	more, _ := attr(mustFind(t, doc, "a.button.secondary[href]"), "href")
	more, _, _ = strings.Cut(more, "#") // browsers keep the fragment to themselves
	w := ts.browse("GET", more, nil)
	wantStatus(t, w, 200)
	doc = parseHTML(t, w.Body.String())
	items = queryAll(doc, "ul.index li a")
	if len(items) != 5 || textOf(items[4]) != fmt.Sprintf("A %03d", homeListLimit+5) {
		t.Errorf("second page: %d items", len(items))
	}
	wantStatus(t, ts.browse("GET", "/?cursor=bogus", nil), 400)
}

func TestPageViewShowsTitleTOCAndActions(t *testing.T) {
	ts := newTestServer(t)
	ts.create("it/vpn", "VPN access", vpn+"\nSee [[Laptop setup]] and [[it/vpn|this page]].\n")
	w := ts.browse("GET", "/wiki/it/vpn", nil)
	wantStatus(t, w, 200)
	doc := parseHTML(t, w.Body.String())
	if got := textOf(mustFind(t, doc, "article h1")); got != "VPN access" {
		t.Errorf("h1 = %q", got)
	}
	if n := len(queryAll(doc, "nav.toc li a")); n != 3 {
		t.Errorf("TOC has %d entries, want 3", n)
	}
	mustFind(t, doc, `nav.toc a[href=#which-client]`)
	mustFind(t, doc, `.markdown h2#which-client`)
	mustFind(t, doc, `.page-actions a[href=/edit/it/vpn]`)
	mustFind(t, doc, `.page-actions a[href=/history/it/vpn]`)
	mustFind(t, doc, `.markdown a.new`)                         // missing page
	mustFind(t, doc, `.markdown a.wikilink[href=/wiki/it/vpn]`) // existing page
	if !strings.Contains(textOf(mustFind(t, doc, "p.meta")), "admin") {
		t.Error("last editor not shown")
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options"} {
		if w.Header().Get(h) == "" {
			t.Errorf("missing header %s", h)
		}
	}
}

func TestMissingPageOffersToCreateIt(t *testing.T) {
	ts := newTestServer(t)
	w := ts.browse("GET", "/wiki/how-do-i-get-a-badge", nil)
	wantStatus(t, w, 404)
	doc := parseHTML(t, w.Body.String())
	a := mustFind(t, doc, "main a.button")
	if href, _ := attr(a, "href"); !strings.HasPrefix(href, "/edit/how-do-i-get-a-badge") {
		t.Errorf("create link %q", href)
	}
	// The create form for that address is prefilled with a title.
	w = ts.browse("GET", "/edit/how-do-i-get-a-badge", nil)
	wantStatus(t, w, 200)
	doc = parseHTML(t, w.Body.String())
	if v, _ := attr(mustFind(t, doc, "input#title"), "value"); v != "How do i get a badge" {
		t.Errorf("title prefilled as %q", v)
	}
	if v, _ := attr(mustFind(t, doc, `input[name=base_revision]`), "value"); v != "0" {
		t.Errorf("base_revision %q, want 0", v)
	}
}

func TestSloppyAddressesRedirectToTheSlug(t *testing.T) {
	ts := newTestServer(t)
	w := ts.browse("GET", "/wiki/How_Do_I%20Get%20VPN?x=1", nil)
	wantStatus(t, w, http.StatusMovedPermanently)
	if loc := w.Header().Get("Location"); loc != "/wiki/how-do-i-get-vpn?x=1" {
		t.Errorf("Location = %q", loc)
	}
	wantStatus(t, ts.browse("GET", "/wiki/%E6%97%A5%E6%9C%AC", nil), 400)
}

func TestEditFormSavesAndRedirectsWithFlash(t *testing.T) {
	ts := newTestServer(t)
	ts.create("it/vpn", "VPN access", vpn)
	w := ts.browse("GET", "/edit/it/vpn", nil)
	wantStatus(t, w, 200)
	doc := parseHTML(t, w.Body.String())
	if v, _ := attr(mustFind(t, doc, `input[name=base_revision]`), "value"); v != "1" {
		t.Errorf("base_revision = %q", v)
	}
	if got := textOf(mustFind(t, doc, "textarea#markdown")); got != vpn {
		t.Errorf("textarea holds %q", got)
	}
	form := url.Values{"title": {"VPN access"}, "markdown": {strings.Replace(vpn, "One day.", "Two days.", 1)},
		"base_revision": {"1"}, "summary": {"slower now"}, "tags": {"it, network"}, "action": {"save"}}
	w = ts.post("/edit/it/vpn", form)
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/wiki/it/vpn" {
		t.Errorf("Location = %q", loc)
	}
	w = ts.browse("GET", "/wiki/it/vpn", nil)
	doc = parseHTML(t, w.Body.String())
	if got := textOf(mustFind(t, doc, "p.flash")); !strings.Contains(got, "Saved revision 2") {
		t.Errorf("flash = %q", got)
	}
	if !strings.Contains(textOf(mustFind(t, doc, ".markdown")), "Two days.") {
		t.Error("the edit is not on the page")
	}
	// The flash shows once.
	if len(queryAll(parseHTML(t, ts.browse("GET", "/wiki/it/vpn", nil).Body.String()), "p.flash")) != 0 {
		t.Error("flash shown twice")
	}
	// A form without the tags field keeps them; the field emptied takes
	// them away.
	form.Set("base_revision", "2")
	form.Del("tags")
	form.Set("markdown", vpn)
	wantStatus(t, ts.post("/edit/it/vpn", form), http.StatusSeeOther)
	if p := decode[apiPage](t, ts.api("GET", "/api/v1/pages/it/vpn", "")); p.Revision != 3 || !slices.Equal(p.Tags, []string{"it", "network"}) {
		t.Fatalf("without the field: revision %d, tags %v", p.Revision, p.Tags)
	}
	form.Set("base_revision", "3")
	form.Set("tags", " ")
	wantStatus(t, ts.post("/edit/it/vpn", form), http.StatusSeeOther)
	if p := decode[apiPage](t, ts.api("GET", "/api/v1/pages/it/vpn", "")); p.Revision != 4 || len(p.Tags) != 0 {
		t.Errorf("the field emptied: revision %d, tags %v", p.Revision, p.Tags)
	}
}

func TestEditFormMergesAndTellsSo(t *testing.T) {
	ts := newTestServer(t)
	ts.create("it/vpn", "VPN access", vpn)
	ts.addUser("bob", wiki.RoleEditor, "")
	wantStatus(t, ts.apiAs(ts.tokenFor("bob"), "PUT", "/api/v1/pages/it/vpn", put(strings.Replace(vpn, "The service desk.", "The IT desk.", 1), 1, "")), 200)
	w := ts.post("/edit/it/vpn", url.Values{"title": {"VPN access"}, "markdown": {strings.Replace(vpn, "The standard one.", "WireGuard.", 1)}, "base_revision": {"1"}, "action": {"save"}})
	wantStatus(t, w, http.StatusSeeOther)
	doc := parseHTML(t, ts.browse("GET", "/wiki/it/vpn", nil).Body.String())
	// It says with whom: the person who saved meanwhile.
	if got := textOf(mustFind(t, doc, "p.flash")); !strings.Contains(got, "bob saved changes while you were editing; yours were merged with theirs") {
		t.Errorf("flash = %q, want a merge notice naming bob", got)
	}
	body := textOf(mustFind(t, doc, ".markdown"))
	if !strings.Contains(body, "The IT desk.") || !strings.Contains(body, "WireGuard.") {
		t.Errorf("merged page lost a change: %s", body)
	}
}

func TestEditFormConflictKeepsTheUsersText(t *testing.T) {
	ts := newTestServer(t)
	ts.create("it/vpn", "VPN access", vpn)
	wantStatus(t, ts.api("PUT", "/api/v1/pages/it/vpn", put(strings.Replace(vpn, "The service desk.", "The IT desk.", 1), 1, "")), 200)
	mine := strings.Replace(vpn, "The service desk.", "Your manager <script>alert(1)</script>.", 1)
	before := ts.lastSeq()
	w := ts.post("/edit/it/vpn", url.Values{"title": {"VPN access"}, "markdown": {mine}, "base_revision": {"1"}, "summary": {"mine"}, "action": {"save"}})
	wantStatus(t, w, http.StatusConflict)
	if ts.lastSeq() != before {
		t.Fatal("a conflicting form save wrote something")
	}
	doc := parseHTML(t, w.Body.String())
	if got := textOf(mustFind(t, doc, "textarea#markdown")); got != mine {
		t.Errorf("the editor holds %q, want the user's text", got)
	}
	if v, _ := attr(mustFind(t, doc, `input[name=base_revision]`), "value"); v != "2" {
		t.Errorf("base_revision = %q, want the current head 2", v)
	}
	if v, _ := attr(mustFind(t, doc, `input#summary`), "value"); v != "mine" {
		t.Errorf("summary not kept: %q", v)
	}
	mustFind(t, doc, ".conflict table.diff")
	if got := textOf(mustFind(t, doc, "textarea.current-text")); !strings.Contains(got, "The IT desk.") {
		t.Errorf("their text not shown: %q", got)
	}
	if strings.Contains(w.Body.String(), "<script>alert") {
		t.Error("the user's script came back unescaped")
	}
	// Saving again now goes through on purpose.
	w = ts.post("/edit/it/vpn", url.Values{"title": {"VPN access"}, "markdown": {mine}, "base_revision": {"2"}, "action": {"save"}})
	wantStatus(t, w, http.StatusSeeOther)
}

func TestPreviewWorksWithoutJavaScript(t *testing.T) {
	ts := newTestServer(t)
	ts.create("p", "P", "old\n")
	before := ts.lastSeq()
	w := ts.post("/edit/p", url.Values{"title": {"P"}, "markdown": {"## Fresh question\n\n**bold** answer"}, "base_revision": {"1"}, "action": {"preview"}})
	wantStatus(t, w, 200)
	doc := parseHTML(t, w.Body.String())
	mustFind(t, doc, "#preview h2#fresh-question")
	mustFind(t, doc, "#preview strong")
	if got := textOf(mustFind(t, doc, "textarea#markdown")); !strings.Contains(got, "**bold** answer") {
		t.Errorf("textarea lost the text: %q", got)
	}
	if ts.lastSeq() != before {
		t.Error("preview saved")
	}
	// The fragment endpoint the live preview uses.
	w = ts.post("/preview", url.Values{"markdown": {"*hi* <script>x</script>"}})
	wantStatus(t, w, 200)
	if b := w.Body.String(); !strings.Contains(b, "<em>hi</em>") || strings.Contains(b, "<script") {
		t.Errorf("preview fragment %q", b)
	}
}

func TestNewPageForm(t *testing.T) {
	ts := newTestServer(t)
	w := ts.browse("GET", "/new?title=How+do+I+get+a+badge%3F", nil)
	wantStatus(t, w, 200)
	doc := parseHTML(t, w.Body.String())
	if v, _ := attr(mustFind(t, doc, "input#title"), "value"); v != "How do I get a badge?" {
		t.Errorf("title = %q", v)
	}
	mustFind(t, doc, "form[action=/new] input#slug")
	// With the title given (a red link, a gap), the cursor starts in the
	// text; without, in the title.
	mustFind(t, doc, "textarea#markdown[autofocus]")
	if len(queryAll(doc, "input#title[autofocus]")) != 0 {
		t.Error("the given title has the focus")
	}
	blank := parseHTML(t, ts.browse("GET", "/new", nil).Body.String())
	mustFind(t, blank, "input#title[autofocus]")
	if len(queryAll(blank, "textarea#markdown[autofocus]")) != 0 {
		t.Error("a new page without a title starts in the text")
	}
	w = ts.post("/new", url.Values{"title": {"How do I get a badge?"}, "markdown": {"Ask security."}, "action": {"save"}})
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/wiki/how-do-i-get-a-badge" {
		t.Errorf("Location = %q", loc)
	}
	// The same title again: the address is taken; the text is kept.
	w = ts.post("/new", url.Values{"title": {"How do I get a badge?"}, "markdown": {"Other text"}, "action": {"save"}})
	wantStatus(t, w, http.StatusConflict)
	if got := textOf(mustFind(t, parseHTML(t, w.Body.String()), "textarea#markdown")); got != "Other text" {
		t.Errorf("text not kept: %q", got)
	}
	// An explicit address for a sub-page.
	w = ts.post("/new", url.Values{"title": {"VPN"}, "slug": {"IT/VPN access"}, "markdown": {"x"}, "action": {"save"}})
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/wiki/it/vpn-access" {
		t.Errorf("Location = %q", loc)
	}
	// No usable title.
	wantStatus(t, ts.post("/new", url.Values{"title": {"???"}, "markdown": {"x"}}), http.StatusUnprocessableEntity)
}

func TestHistoryDiffRevertDeletePages(t *testing.T) {
	ts := newTestServer(t)
	ts.create("p", "P", "a\nb\nc\n")
	wantStatus(t, ts.api("PUT", "/api/v1/pages/p", put("a\nB\nc\n", 1, `,"summary":"capital b"`)), 200)
	w := ts.browse("GET", "/history/p", nil)
	wantStatus(t, w, 200)
	doc := parseHTML(t, w.Body.String())
	rows := queryAll(doc, "table.history tbody tr")
	if len(rows) != 2 || !strings.Contains(textOf(rows[0]), "capital b") || !strings.Contains(textOf(rows[0]), "admin") {
		t.Fatalf("history rows: %d", len(rows))
	}
	mustFind(t, doc, `form[action=/diff/p] input[name=from][value=1][checked]`)
	mustFind(t, doc, `form[action=/diff/p] input[name=to][value=2][checked]`)

	for _, view := range []string{"", "&view=split"} {
		w = ts.browse("GET", "/diff/p?from=1&to=2"+view, nil)
		wantStatus(t, w, 200)
		doc = parseHTML(t, w.Body.String())
		mustFind(t, doc, "table.diff del")
		mustFind(t, doc, "table.diff ins")
	}
	wantStatus(t, ts.browse("GET", "/diff/p?from=1&to=9", nil), 404)
	// A diff of one revision lists none in between; of two, both, with
	// their summaries.
	if n := len(queryAll(parseHTML(t, ts.browse("GET", "/diff/p?from=1&to=2", nil).Body.String()), "ol.between li")); n != 0 {
		t.Errorf("a one-revision diff lists %d revisions", n)
	}
	between := queryAll(parseHTML(t, ts.browse("GET", "/diff/p?from=0&to=2", nil).Body.String()), "ol.between li")
	if len(between) != 2 || !strings.Contains(textOf(between[0]), "revision 1") || !strings.Contains(textOf(between[1]), "revision 2") {
		t.Errorf("a two-revision diff lists %d revisions", len(between))
	}
	wantStatus(t, ts.browse("GET", "/diff/p?from=x", nil), 400)

	// An old revision, with a restore button that works.
	w = ts.browse("GET", "/wiki/p?rev=1", nil)
	wantStatus(t, w, 200)
	doc = parseHTML(t, w.Body.String())
	mustFind(t, doc, `form[action=/revert/p] input[name=revision][value=1]`)
	// It says what restoring does, and asks why.
	if got := textOf(mustFind(t, doc, `form[action=/revert/p] p.hint`)); !strings.Contains(got, "up to revision 2, stay in the history, but what they changed is taken back") {
		t.Errorf("the restore form says %q", got)
	}
	mustFind(t, doc, `form[action=/revert/p] input[name=summary]`)
	if !strings.Contains(textOf(mustFind(t, doc, ".markdown")), "b") {
		t.Error("old text not shown")
	}
	// Its edit button says which text it opens: the current one.
	if got := textOf(mustFind(t, doc, `.page-actions a[href="/edit/p"]`)); !strings.Contains(got, "Edit the current version") {
		t.Errorf("edit button on an old revision: %q", got)
	}
	if got := textOf(mustFind(t, parseHTML(t, ts.browse("GET", "/wiki/p?rev=2", nil).Body.String()), `.page-actions a[href="/edit/p"]`)); strings.Contains(got, "current version") {
		t.Errorf("edit button on the newest revision: %q", got)
	}
	wantStatus(t, ts.post("/revert/p", url.Values{"revision": {"1"}, "summary": {"the new line was wrong"}}), http.StatusSeeOther)
	if p := decode[apiPage](t, ts.api("GET", "/api/v1/pages/p", "")); p.Markdown != "a\nb\nc\n" || p.Revision != 3 {
		t.Errorf("after restore: %+v", p)
	}
	if revs := decode[[]apiRevision](t, ts.api("GET", "/api/v1/pages/p/revisions", "")); revs[0].Summary != "the new line was wrong" {
		t.Errorf("the restore's summary: %q", revs[0].Summary)
	}
	wantStatus(t, ts.browse("GET", "/wiki/p?rev=x", nil), 400)
	w = ts.browse("GET", "/wiki/p?rev=99", nil)
	wantStatus(t, w, 404)
	doc = parseHTML(t, w.Body.String())
	if got := textOf(mustFind(t, doc, "main p")); !strings.Contains(got, "has no revision 99: its revisions are 1 to 3") {
		t.Errorf("a missing revision says %q", got)
	}
	mustFind(t, doc, `main a[href="/history/p"]`)

	// Delete through the confirmation page; the page then says so.
	w = ts.browse("GET", "/delete/p", nil)
	wantStatus(t, w, 200)
	mustFind(t, parseHTML(t, w.Body.String()), `form[action=/delete/p] button`)
	wantStatus(t, ts.post("/delete/p", url.Values{"summary": {"obsolete"}}), http.StatusSeeOther)
	w = ts.browse("GET", "/wiki/p", nil)
	wantStatus(t, w, 404)
	mustFind(t, parseHTML(t, w.Body.String()), `a[href=/history/p]`)
	wantStatus(t, ts.browse("GET", "/delete/p", nil), 404)
}

func TestScriptInTitleAndBodyIsEscaped(t *testing.T) {
	ts := newTestServer(t)
	wantStatus(t, ts.api("PUT", "/api/v1/pages/x", `{"title":"<script>alert(1)</script>","markdown":"<script>alert(2)</script>\n\n<img src=x onerror=alert(3)>\n\n[c](javascript:alert(4))","summary":"<b>s</b>"}`), 201)
	for _, path := range []string{"/wiki/x", "/history/x", "/edit/x", "/", "/diff/x?from=0&to=1"} {
		w := ts.browse("GET", path, nil)
		wantStatus(t, w, 200)
		doc := parseHTML(t, w.Body.String())
		for _, s := range queryAll(doc, "script") {
			if src, _ := attr(s, "src"); !strings.HasPrefix(src, "/static/") {
				t.Errorf("%s: a script element that is not ours: %v", path, s.Attr)
			}
		}
		for _, sel := range []string{"[onerror]", "a[href=javascript:alert(4)]"} {
			if len(queryAll(doc, sel)) > 0 {
				t.Errorf("%s: found %s", path, sel)
			}
		}
	}
}

func TestCSRF(t *testing.T) {
	ts := newTestServer(t)
	ts.create("p", "P", "x\n")
	form := url.Values{"title": {"P"}, "markdown": {"changed"}, "base_revision": {"1"}}
	before := ts.lastSeq()

	// A browser (it has our cookie) that posts without the token.
	ts.browse("GET", "/", nil)
	w := ts.browse("POST", "/edit/p", form)
	wantStatus(t, w, http.StatusForbidden)
	// With a wrong token.
	bad := url.Values{"csrf_token": {strings.Repeat("A", 43)}}
	for k, v := range form {
		bad[k] = v
	}
	wantStatus(t, ts.browse("POST", "/edit/p", bad), http.StatusForbidden)
	withCookies := func(r *http.Request) *http.Request {
		r.AddCookie(ts.cookies[csrfCookie])
		r.AddCookie(ts.cookies[sessionCookie])
		return r
	}
	// A cross-site form post with the victim's cookies, token or not.
	withToken := url.Values{"csrf_token": {ts.cookies[csrfCookie].Value}}
	for k, v := range form {
		withToken[k] = v
	}
	r := withCookies(httptestRequest("POST", "/edit/p", withToken))
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	wantStatus(t, ts.serve(r), http.StatusForbidden)
	r = withCookies(httptestRequest("POST", "/edit/p", withToken))
	r.Header.Set("Origin", "https://evil.example")
	r.Host = "wiki.example"
	wantStatus(t, ts.serve(r), http.StatusForbidden)
	// The JSON API from a browser page needs the header.
	r = withCookies(httptestRequest("PUT", "/api/v1/pages/p", nil))
	r.Body = nopCloser(put("changed", 1, ""))
	wantError(t, ts.serve(r), http.StatusForbidden, "forbidden")
	if ts.lastSeq() != before {
		t.Fatal("a refused request wrote something")
	}
	// With the header it goes through.
	r = withCookies(httptestRequest("PUT", "/api/v1/pages/p", nil))
	r.Body = nopCloser(put("changed", 1, ""))
	r.Header.Set("X-CSRF-Token", ts.cookies[csrfCookie].Value)
	wantStatus(t, ts.serve(r), http.StatusOK)
	// A bearer-token request needs no CSRF token, cookies or not.
	r = withCookies(httptestRequest("PUT", "/api/v1/pages/p", nil))
	r.Body = nopCloser(put("again", 2, ""))
	r.Header.Set("Authorization", "Bearer "+ts.token)
	wantStatus(t, ts.serve(r), http.StatusOK)
}

// A title conflict on the edit form says it is the title, keeps the
// user's title, and puts the merged text in the editor, so saving again
// keeps the other editor's text change.
func TestEditFormTitleConflict(t *testing.T) {
	ts := newTestServer(t)
	ts.create("it/vpn", "VPN access", vpn)
	theirs := strings.Replace(vpn, "The service desk.", "The IT desk.", 1)
	wantStatus(t, ts.api("PUT", "/api/v1/pages/it/vpn", put(theirs, 1, `,"title":"Remote access"`)), 200)
	mine := strings.Replace(vpn, "The standard one.", "WireGuard.", 1)
	w := ts.post("/edit/it/vpn", url.Values{"title": {"Getting on the VPN"}, "markdown": {mine}, "base_revision": {"1"}, "action": {"save"}})
	wantStatus(t, w, http.StatusConflict)
	doc := parseHTML(t, w.Body.String())
	if got := textOf(mustFind(t, doc, ".conflict")); !strings.Contains(got, "changed the title to “Remote access”") {
		t.Errorf("conflict notice %q", got)
	}
	// It links the person who saved, and says which lines are whose.
	if href, _ := attr(mustFind(t, doc, ".conflict a.author"), "href"); !strings.HasPrefix(href, "/people/") {
		t.Errorf("the saver links to %q", href)
	}
	if got := textOf(mustFind(t, doc, ".conflict details p.hint")); !strings.Contains(got, "Red lines (−) are revision 2's") {
		t.Errorf("the diff's legend says %q", got)
	}
	if v, _ := attr(mustFind(t, doc, "input#title"), "value"); v != "Getting on the VPN" {
		t.Errorf("title field %q, want the user's", v)
	}
	if got := textOf(mustFind(t, doc, "textarea#markdown")); !strings.Contains(got, "The IT desk.") || !strings.Contains(got, "WireGuard.") {
		t.Errorf("the editor holds %q, want both texts merged", got)
	}
	// Lines and title both in conflict: the notice says both, and the
	// editor keeps the user's own text.
	overlap := strings.Replace(vpn, "The service desk.", "Your manager.", 1)
	w = ts.post("/edit/it/vpn", url.Values{"title": {"Getting on the VPN"}, "markdown": {overlap}, "base_revision": {"1"}, "action": {"save"}})
	wantStatus(t, w, http.StatusConflict)
	doc = parseHTML(t, w.Body.String())
	if got := textOf(mustFind(t, doc, ".conflict")); !strings.Contains(got, "same lines as you, and the title to “Remote access”") || strings.Contains(got, "merged with theirs") {
		t.Errorf("conflict notice %q", got)
	}
	if got := textOf(mustFind(t, doc, "textarea#markdown")); got != overlap {
		t.Errorf("the editor holds %q, want the user's text", got)
	}
}

// TestUndoOneChange: the diff of one revision's change offers to undo it
// alone; the undo keeps the changes saved since, an overlapping one is a
// 409 that saves nothing, and a reader sees no button and may not post.
func TestUndoOneChange(t *testing.T) {
	ts := newTestServer(t)
	ts.create("p", "P", "a\nb\nc\n")
	wantStatus(t, ts.api("PUT", "/api/v1/pages/p", put("a\nB\nc\n", 1, `,"summary":"capital b"`)), 200)
	wantStatus(t, ts.api("PUT", "/api/v1/pages/p", put("a\nB\nC\n", 2, `,"summary":"capital c"`)), 200)
	doc := parseHTML(t, ts.browse("GET", "/diff/p?from=1&to=2", nil).Body.String())
	mustFind(t, doc, `form[action="/undo/p"] input[name=revision][value="2"]`)
	if got := textOf(mustFind(t, doc, `form[action="/undo/p"]`)); !strings.Contains(got, "the changes saved since stay") {
		t.Errorf("undo form says %q", got)
	}
	// Not for a range of several revisions.
	if n := len(queryAll(parseHTML(t, ts.browse("GET", "/diff/p?from=1&to=3", nil).Body.String()), `form[action="/undo/p"]`)); n != 0 {
		t.Errorf("the diff of two changes offers %d undo forms", n)
	}

	w := ts.post("/undo/p", url.Values{"revision": {"2"}})
	wantStatus(t, w, http.StatusSeeOther)
	p := decode[apiPage](t, ts.api("GET", "/api/v1/pages/p", ""))
	if p.Markdown != "a\nb\nC\n" || p.Revision != 4 {
		t.Errorf("after the undo: revision %d %q, want 4 with the later change kept", p.Revision, p.Markdown)
	}
	flash := textOf(mustFind(t, parseHTML(t, ts.browse("GET", "/wiki/p", nil).Body.String()), ".flash"))
	if !strings.Contains(flash, "Undid the change of revision 2 as revision 4") {
		t.Errorf("flash %q", flash)
	}

	// Revision 3 changed the line that 5 changes again: it cannot be undone alone.
	wantStatus(t, ts.api("PUT", "/api/v1/pages/p", put("a\nb\nCC\n", 4, "")), 200)
	ts.referer = "http://example.com/diff/p?from=2&to=3"
	w = ts.post("/undo/p", url.Values{"revision": {"3"}})
	ts.referer = ""
	wantStatus(t, w, http.StatusConflict)
	if !strings.Contains(w.Body.String(), "Changes saved after revision 3 overlap what it changed") {
		t.Errorf("conflict page does not say why: %s", w.Body.String())
	}
	// It leads back to the diff the undo was asked from.
	if got := textOf(mustFind(t, parseHTML(t, w.Body.String()), `a[href="/diff/p?from=2&to=3"]`)); got != "Back to the page you came from" {
		t.Errorf("way back: %q", got)
	}
	if p := decode[apiPage](t, ts.api("GET", "/api/v1/pages/p", "")); p.Revision != 5 {
		t.Errorf("a refused undo saved revision %d", p.Revision)
	}
	wantStatus(t, ts.post("/undo/p", url.Values{"revision": {"1"}}), http.StatusBadRequest)

	ts.addUser("rita", wiki.RoleReader, "")
	ts.signIn("rita")
	if n := len(queryAll(parseHTML(t, ts.browse("GET", "/diff/p?from=4&to=5", nil).Body.String()), `form[action="/undo/p"]`)); n != 0 {
		t.Errorf("a reader is offered %d undo forms", n)
	}
	wantStatus(t, ts.post("/undo/p", url.Values{"revision": {"5"}}), http.StatusForbidden)
}

// TestNewPageWithATakenTitleAsksFirst: a new page with another page's
// title (case aside) is not created until the person says so, since
// [[Title]] links keep opening the other page.
func TestNewPageWithATakenTitleAsksFirst(t *testing.T) {
	ts := newTestServer(t)
	ts.create("it/vpn", "VPN access", vpn)
	form := url.Values{"title": {"vpn ACCESS"}, "markdown": {"Ask the desk.\n"}, "action": {"save"}}
	w := ts.post("/new", form)
	wantStatus(t, w, http.StatusConflict)
	doc := parseHTML(t, w.Body.String())
	notice := mustFind(t, doc, "form#edit-form .same-title")
	mustFind(t, notice, `a[href="/wiki/it/vpn"]`)
	// At vpn-access, the address its title makes, it would take the links.
	if got := textOf(notice); !strings.Contains(got, "Saving makes [[vpn ACCESS]] links, the front page's among them, open this new page instead of that one") {
		t.Errorf("notice %q", got)
	}
	mustFind(t, notice, `input[type=checkbox][name=same_title][value="1"]`)
	if v, _ := attr(mustFind(t, doc, "textarea#markdown"), "name"); v != "markdown" || !strings.Contains(textOf(mustFind(t, doc, "textarea#markdown")), "Ask the desk.") {
		t.Error("the text was not kept in the form")
	}
	wantError(t, ts.api("GET", "/api/v1/pages/vpn-access", ""), 404, "not_found")
	// At another address, the links stay with the page that has them.
	other := url.Values{"title": {"VPN access"}, "slug": {"misc/vpn-notes"}, "markdown": {"Notes.\n"}, "action": {"save"}}
	w = ts.post("/new", other)
	wantStatus(t, w, http.StatusConflict)
	if got := textOf(mustFind(t, parseHTML(t, w.Body.String()), ".same-title")); !strings.Contains(got, "A [[VPN access]] link opens that page, not this one") {
		t.Errorf("notice at another address %q", got)
	}

	form.Set("same_title", "1")
	wantStatus(t, ts.post("/new", form), http.StatusSeeOther)
	wantStatus(t, ts.api("GET", "/api/v1/pages/vpn-access", ""), 200)
	// A title no page has is created at once.
	wantStatus(t, ts.post("/new", url.Values{"title": {"Parking"}, "markdown": {"Behind building B.\n"}, "action": {"save"}}), http.StatusSeeOther)
}
