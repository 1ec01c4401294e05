package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/faqwiki/faqwiki/wiki"
)

type saveAnswer struct {
	Slug      string `json:"slug"`
	Revision  int    `json:"revision"`
	Merged    bool   `json:"merged"`
	Unchanged bool   `json:"unchanged"`
}

func put(md string, base int, extra string) string {
	b, _ := json.Marshal(md)
	return fmt.Sprintf(`{"markdown":%s,"base_revision":%d%s}`, b, base, extra)
}

const vpn = "## Who gives access?\n\nThe service desk.\n\n## How long?\n\nOne day.\n\n## Which client?\n\nThe standard one.\n"

func TestAPIPageLifecycle(t *testing.T) {
	ts := newTestServer(t)
	// Create.
	w := ts.api("PUT", "/api/v1/pages/it/vpn", put(vpn, 0, `,"title":"VPN access","tags":["IT","first week"],"summary":"first answers"`))
	wantStatus(t, w, http.StatusCreated)
	if loc := w.Header().Get("Location"); loc != "/api/v1/pages/it/vpn" {
		t.Errorf("Location = %q", loc)
	}
	if a := decode[saveAnswer](t, w); a.Slug != "it/vpn" || a.Revision != 1 || a.Merged {
		t.Errorf("create answer %+v", a)
	}
	// Read.
	w = ts.api("GET", "/api/v1/pages/it/vpn", "")
	wantStatus(t, w, 200)
	p := decode[apiPage](t, w)
	if p.Title != "VPN access" || p.Markdown != vpn || p.Revision != 1 || p.Author != "admin" ||
		strings.Join(p.Tags, ",") != "first-week,it" || !strings.Contains(p.HTML, `<h2 id="who-gives-access">`) || len(p.TOC) != 3 {
		t.Errorf("page = %+v", p)
	}
	// Two editors start from revision 1: the second is merged.
	top := strings.Replace(vpn, "The service desk.", "The IT service desk.", 1)
	bottom := strings.Replace(vpn, "The standard one.", "WireGuard.", 1)
	wantStatus(t, ts.api("PUT", "/api/v1/pages/it/vpn", put(top, 1, "")), 200)
	w = ts.api("PUT", "/api/v1/pages/it/vpn", put(bottom, 1, `,"summary":"client"`))
	wantStatus(t, w, 200)
	if a := decode[saveAnswer](t, w); !a.Merged || a.Revision != 3 {
		t.Errorf("second editor: %+v, want merged revision 3", a)
	}
	// A third overlaps: 409 with both texts, nothing saved.
	mine := strings.Replace(vpn, "The service desk.", "Your manager.", 1)
	before := ts.lastSeq()
	w = ts.api("PUT", "/api/v1/pages/it/vpn", put(mine, 1, ""))
	wantStatus(t, w, http.StatusConflict)
	c := decode[conflictBody](t, w)
	if c.Error.Code != "conflict" || c.Current.Revision != 3 || !strings.Contains(c.Current.Markdown, "WireGuard.") || c.Yours != mine {
		t.Errorf("conflict body %+v", c)
	}
	if ts.lastSeq() != before {
		t.Error("a conflicting PUT wrote something")
	}
	// The same text again makes no revision.
	w = ts.api("PUT", "/api/v1/pages/it/vpn", put(strings.Replace(top, "The standard one.", "WireGuard.", 1), 3, ""))
	wantStatus(t, w, 200)
	if a := decode[saveAnswer](t, w); !a.Unchanged || a.Revision != 3 {
		t.Errorf("identical PUT: %+v", a)
	}
	// History, one revision, diff.
	w = ts.api("GET", "/api/v1/pages/it/vpn/revisions", "")
	wantStatus(t, w, 200)
	revs := decode[[]apiRevision](t, w)
	if len(revs) != 3 || revs[0].Revision != 3 || revs[2].Revision != 1 || revs[0].Markdown != nil || !revs[0].Merged || revs[0].Summary != "client" {
		t.Errorf("revisions = %+v", revs)
	}
	w = ts.api("GET", "/api/v1/pages/it/vpn/revisions/1", "")
	wantStatus(t, w, 200)
	if r := decode[apiRevision](t, w); r.Markdown == nil || *r.Markdown != vpn || r.Added != 11 {
		t.Errorf("revision 1 = %+v", r)
	}
	w = ts.api("GET", "/api/v1/pages/it/vpn/diff?from=1&to=3", "")
	wantStatus(t, w, 200)
	d := decode[apiDiff](t, w)
	if d.From != 1 || d.To != 3 || d.Stats.Added != 2 || d.Stats.Removed != 2 {
		t.Errorf("diff = %+v", d)
	}
	words := 0
	for _, h := range d.Hunks {
		words += len(h.Words)
	}
	if words == 0 {
		t.Error("diff has no word-level detail")
	}
	// Default range: the last change.
	if d := decode[apiDiff](t, ts.api("GET", "/api/v1/pages/it/vpn/diff", "")); d.From != 2 || d.To != 3 {
		t.Errorf("default diff range %d..%d", d.From, d.To)
	}
	// Revert to 1, delete, restore.
	w = ts.api("POST", "/api/v1/pages/it/vpn/revert", `{"revision":1,"summary":"back"}`)
	wantStatus(t, w, 200)
	if a := decode[saveAnswer](t, w); a.Revision != 4 {
		t.Errorf("revert answer %+v", a)
	}
	if p := decode[apiPage](t, ts.api("GET", "/api/v1/pages/it/vpn", "")); p.Markdown != vpn {
		t.Errorf("after revert: %q", p.Markdown)
	}
	wantStatus(t, ts.api("DELETE", "/api/v1/pages/it/vpn", ""), http.StatusNoContent)
	wantError(t, ts.api("GET", "/api/v1/pages/it/vpn", ""), 404, "not_found")
	wantError(t, ts.api("DELETE", "/api/v1/pages/it/vpn", ""), 404, "not_found")
	wantStatus(t, ts.api("POST", "/api/v1/pages/it/vpn/revert", `{"revision":3}`), 200)
	if p := decode[apiPage](t, ts.api("GET", "/api/v1/pages/it/vpn", "")); p.Revision != 6 || !strings.Contains(p.Markdown, "WireGuard.") {
		t.Errorf("after restore: %+v", p)
	}
	if ts.changed < 5 {
		t.Errorf("Changed called %d times", ts.changed)
	}
	// A write names its page exactly: a trailing or doubled slash is a
	// 400 (it made the page without it); a read is let off.
	wantError(t, ts.api("PUT", "/api/v1/pages/it/vpn/", put("x\n", 0, "")), 400, "bad_request")
	wantError(t, ts.api("PUT", "/api/v1/pages/it//vpn", put("x\n", 0, "")), 400, "bad_request")
	wantStatus(t, ts.api("GET", "/api/v1/pages/it/vpn/revisions/", ""), 200)
	// A page made again over a deleted one is created, as the contract
	// says of base_revision 0: 201.
	wantStatus(t, ts.api("DELETE", "/api/v1/pages/it/vpn", ""), http.StatusNoContent)
	wantStatus(t, ts.api("PUT", "/api/v1/pages/it/vpn", put("Written again.\n", 0, "")), http.StatusCreated)
}

func TestAPIPageAsOf(t *testing.T) {
	ts := newTestServer(t)
	ts.create("p", "P", "one\n")
	r1 := decode[apiRevision](t, ts.api("GET", "/api/v1/pages/p/revisions/1", ""))
	wantStatus(t, ts.api("PUT", "/api/v1/pages/p", put("two\n", 1, "")), 200)
	at := r1.CreatedAt.Format("2006-01-02T15:04:05.999999999Z07:00")
	w := ts.api("GET", "/api/v1/pages/p?at="+at, "")
	wantStatus(t, w, 200)
	if p := decode[apiPage](t, w); p.Markdown != "one\n" || p.Revision != 1 {
		t.Errorf("as of revision 1's time: %+v", p)
	}
	wantError(t, ts.api("GET", "/api/v1/pages/p?at=2000-01-01T00:00:00Z", ""), 404, "not_found")
	wantError(t, ts.api("GET", "/api/v1/pages/p?at=yesterday", ""), 400, "bad_request")
}

func TestAPIPageList(t *testing.T) {
	ts := newTestServer(t)
	for i := 0; i < 7; i++ {
		ts.create(fmt.Sprintf("travel/p%d", i), fmt.Sprintf("Travel %d", i), "x\n")
	}
	ts.create("it/vpn", "VPN", "x\n")
	wantStatus(t, ts.api("PUT", "/api/v1/pages/it/laptop", `{"title":"Laptop","markdown":"x","tags":["hardware"]}`), 201)
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		w := ts.api("GET", "/api/v1/pages?prefix=travel/&limit=3&cursor="+cursor, "")
		wantStatus(t, w, 200)
		l := decode[apiPageList](t, w)
		for _, p := range l.Pages {
			if seen[string(p.Slug)] || !strings.HasPrefix(string(p.Slug), "travel/") {
				t.Errorf("page %s listed twice or outside the prefix", p.Slug)
			}
			seen[string(p.Slug)] = true
		}
		if l.NextCursor == "" {
			break
		}
		cursor = l.NextCursor
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	if len(seen) != 7 {
		t.Errorf("listed %d travel pages, want 7", len(seen))
	}
	l := decode[apiPageList](t, ts.api("GET", "/api/v1/pages?tag=hardware", ""))
	if len(l.Pages) != 1 || l.Pages[0].Slug != "it/laptop" {
		t.Errorf("tag filter: %+v", l.Pages)
	}
	byTitle := decode[apiPageList](t, ts.api("GET", "/api/v1/pages?order=title&limit=3", ""))
	if len(byTitle.Pages) != 3 || byTitle.Pages[0].Title != "Laptop" || byTitle.Pages[1].Title != "Travel 0" {
		t.Errorf("by title: %+v", byTitle.Pages)
	}
	wantError(t, ts.api("GET", "/api/v1/pages?order=title&cursor="+byTitle.NextCursor[:0]+"x", ""), 400, "bad_request")
	wantError(t, ts.api("GET", "/api/v1/pages?order=size", ""), 400, "bad_request")
	wantError(t, ts.api("GET", "/api/v1/pages?limit=0", ""), 400, "bad_request")
	wantError(t, ts.api("GET", "/api/v1/pages?limit=x", ""), 400, "bad_request")
	wantError(t, ts.api("GET", "/api/v1/pages?cursor=!!!", ""), 400, "bad_request")
}

// TestAPIBadInputChangesNothing sends what a careless or hostile client
// might, and checks each gets the contract's error and writes nothing.
func TestAPIBadInputChangesNothing(t *testing.T) {
	ts := newTestServer(t)
	ts.create("p", "P", "one\n")
	big := strings.Repeat("x", 2<<20+1)
	tests := []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"bad slug", "PUT", "/api/v1/pages/Bad_Slug", put("x", 0, ""), 400, "bad_request"},
		{"doubled slash", "PUT", "/api/v1/pages/a//b", put("x", 0, ""), 400, "bad_request"},
		{"reserved word as slug", "PUT", "/api/v1/pages/revisions", put("x", 0, ""), 400, "bad_request"},
		{"empty slug", "PUT", "/api/v1/pages/", put("x", 0, ""), 400, "bad_request"},
		{"not json", "PUT", "/api/v1/pages/q", "title=x", 400, "bad_request"},
		{"empty body", "PUT", "/api/v1/pages/q", "", 400, "bad_request"},
		{"wrong type", "PUT", "/api/v1/pages/q", `{"markdown":"x","base_revision":"one"}`, 400, "bad_request"},
		{"unknown field", "PUT", "/api/v1/pages/q", `{"markdown":"x","bsae_revision":1}`, 400, "bad_request"},
		{"trailing data", "PUT", "/api/v1/pages/q", `{"markdown":"x"} {}`, 400, "bad_request"},
		{"no markdown", "PUT", "/api/v1/pages/q", `{"title":"x"}`, 400, "bad_request"},
		{"markdown too large", "PUT", "/api/v1/pages/q", put(big, 0, ""), 413, "too_large"},
		{"body too large", "PUT", "/api/v1/pages/q", `{"markdown":"` + strings.Repeat("\\u0041", 1<<20) + `"}`, 413, "too_large"},
		{"negative base", "PUT", "/api/v1/pages/p", put("y", -1, ""), 400, "bad_request"},
		{"base from the future", "PUT", "/api/v1/pages/p", put("y", 9, ""), 400, "bad_request"},
		{"base on missing page", "PUT", "/api/v1/pages/nope", put("y", 2, ""), 404, "not_found"},
		{"title too long", "PUT", "/api/v1/pages/q", put("x", 0, `,"title":"`+strings.Repeat("t", 201)+`"`), 400, "bad_request"},
		{"revision not a number", "GET", "/api/v1/pages/p/revisions/abc", "", 400, "bad_request"},
		{"revision zero", "GET", "/api/v1/pages/p/revisions/0", "", 400, "bad_request"},
		{"revision missing", "GET", "/api/v1/pages/p/revisions/9", "", 404, "not_found"},
		{"diff from bad", "GET", "/api/v1/pages/p/diff?from=x", "", 400, "bad_request"},
		{"diff to missing", "GET", "/api/v1/pages/p/diff?to=5", "", 404, "not_found"},
		{"missing page", "GET", "/api/v1/pages/nope", "", 404, "not_found"},
		{"revert bad revision", "POST", "/api/v1/pages/p/revert", `{"revision":0}`, 400, "bad_request"},
		{"revert missing revision", "POST", "/api/v1/pages/p/revert", `{"revision":7}`, 404, "not_found"},
		{"revert bad json", "POST", "/api/v1/pages/p/revert", `{"revision":`, 400, "bad_request"},
		{"unknown sub-resource", "GET", "/api/v1/pages/p/sections/x", "", 404, "not_found"},
		{"wrong method", "POST", "/api/v1/pages/p", "{}", 405, "method_not_allowed"},
		{"unknown api route", "GET", "/api/v1/nothing", "", 404, "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := ts.lastSeq()
			wantError(t, ts.api(tt.method, tt.path, tt.body), tt.status, tt.code)
			if ts.lastSeq() != before {
				t.Error("the refused request wrote something")
			}
		})
	}
}

// Every sub-resource of the page API is a reserved slug segment:
// otherwise the slug would swallow it and the route could never match.
func TestPageRoutesUseReservedSegments(t *testing.T) {
	for _, r := range pageRoutes {
		first, _, _ := strings.Cut(r.path, "/")
		if r.path != "" && !wiki.ReservedSegments[first] {
			t.Errorf("page API sub-resource %q does not start with a reserved slug segment", r.path)
		}
	}
}

// A new title over a title changed since the base is a 409 like an
// overlapping text, with the title the page has now, and saves nothing,
// even though the texts would merge.
func TestAPITitleConflict(t *testing.T) {
	ts := newTestServer(t)
	wantStatus(t, ts.api("PUT", "/api/v1/pages/it/vpn", put(vpn, 0, `,"title":"VPN access"`)), 201)
	top := strings.Replace(vpn, "The service desk.", "The IT service desk.", 1)
	bottom := strings.Replace(vpn, "The standard one.", "WireGuard.", 1)
	wantStatus(t, ts.api("PUT", "/api/v1/pages/it/vpn", put(top, 1, `,"title":"Remote access"`)), 200)
	before := ts.lastSeq()
	w := ts.api("PUT", "/api/v1/pages/it/vpn", put(bottom, 1, `,"title":"Getting on the VPN"`))
	wantStatus(t, w, http.StatusConflict)
	if c := decode[conflictBody](t, w); c.Error.Code != "conflict" || c.Current.Title != "Remote access" || c.Current.Revision != 2 {
		t.Errorf("title conflict body %+v", c)
	}
	if ts.lastSeq() != before {
		t.Error("a conflicting PUT wrote something")
	}
	// Leaving the title as it was merges the text and keeps the new title.
	w = ts.api("PUT", "/api/v1/pages/it/vpn", put(bottom, 1, `,"title":"VPN access"`))
	wantStatus(t, w, 200)
	if p := decode[apiPage](t, ts.api("GET", "/api/v1/pages/it/vpn", "")); p.Title != "Remote access" || !strings.Contains(p.Markdown, "WireGuard.") || !strings.Contains(p.Markdown, "IT service desk") {
		t.Errorf("after the merge: %q %q", p.Title, p.Markdown)
	}
}

// A body of the wrong JSON shape is answered in JSON's words, never with
// a Go type name.
func TestJSONShapeErrorsSayWhatWasExpected(t *testing.T) {
	ts := newTestServer(t)
	for _, tt := range []struct{ body, want string }{
		{`[]`, "the body must be a JSON object, not a list"},
		{`"x"`, "the body must be a JSON object, not a string"},
		{`{"title":5,"markdown":"x"}`, `field "title" must be a string, not a number`},
		{`{"title":true,"markdown":"x"}`, `field "title" must be a string, not true or false`},
		{`{"markdown":"x","tags":"one"}`, `field "tags" must be a list, not a string`},
		{`{"markdown":"x","base_revision":"1"}`, `field "base_revision" must be a whole number, not a string`},
		{`{"markdown":"x","base_revision":1e20}`, `field "base_revision" must be a whole number, not 1e20`},
		{`{"markdown":"x","base_revision":1.5}`, `field "base_revision" must be a whole number, not 1.5`},
	} {
		w := ts.api("PUT", "/api/v1/pages/shape", tt.body)
		wantError(t, w, 400, "bad_request")
		msg := decode[apiError](t, w).Error.Message
		if !strings.Contains(msg, tt.want) || strings.Contains(msg, "web.") || strings.Contains(msg, "int") {
			t.Errorf("%s: message %q, want %q", tt.body, msg, tt.want)
		}
	}
}

// Writing to the list of pages is a JSON 405, not a redirect to the empty
// slug.
func TestAPIPageListOnlyLists(t *testing.T) {
	ts := newTestServer(t)
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"} {
		w := ts.api(m, "/api/v1/pages", `{}`)
		if got := w.Header().Get("Allow"); got != "GET, HEAD" {
			t.Errorf("%s: Allow %q", m, got)
		}
		wantError(t, w, http.StatusMethodNotAllowed, "method_not_allowed")
	}
	wantStatus(t, ts.api("GET", "/api/v1/pages", ""), 200)
}

// TestNotFoundSaysWhat: a 404 names what is missing, a person, a cohort,
// a question or a page, on the web and in the API.
func TestNotFoundSaysWhat(t *testing.T) {
	ts := newTestServer(t)
	ts.create("p", "P", "## Parent\n\n### Child\n\nText.\n")
	for _, c := range []struct{ path, want string }{
		{"/api/v1/users/nobody", "no such person"},
		{"/api/v1/cohorts/nope/handover", "no such cohort"},
		{"/api/v1/questions/999", "no such question"},
		{"/api/v1/pages/nope", "no such page or revision"},
		{"/api/v1/pages/p/revisions/9", "no such page or revision"},
	} {
		w := ts.api("GET", c.path, "")
		wantError(t, w, 404, "not_found")
		if got := decode[apiError](t, w).Error.Message; got != c.want {
			t.Errorf("GET %s: %q, want %q", c.path, got, c.want)
		}
	}
	w := ts.api("POST", "/api/v1/pages/p/sections/parent/feedback", `{"helpful":true}`)
	wantError(t, w, 404, "not_found")
	if got := decode[apiError](t, w).Error.Message; !strings.Contains(got, "no such question on it with an answer of its own") {
		t.Errorf("feedback on a heading with no text: %q", got)
	}
	for _, c := range []struct{ path, want string }{
		{"/people/nobody", "no such person"},
		{"/cohorts/nope", "no such cohort"},
		{"/questions/999", "no such question"},
	} {
		w := ts.browse("GET", c.path, nil)
		wantStatus(t, w, 404)
		if !strings.Contains(strings.ToLower(w.Body.String()), c.want) {
			t.Errorf("GET %s does not say %q", c.path, c.want)
		}
	}
}

// TestMalformedQueryIsRefused: a query string that does not parse is a
// 400, not read as if the bad pair were absent; a limit out of range
// says its range.
func TestMalformedQueryIsRefused(t *testing.T) {
	ts := newTestServer(t)
	ts.create("p", "P", "x\n")
	for _, path := range []string{"/api/v1/pages?limit=%zz", "/api/v1/changes?limit=5&x=%", "/api/v1/search?q=a;b"} {
		w := ts.api("GET", path, "")
		wantError(t, w, 400, "bad_request")
		if got := decode[apiError](t, w).Error.Message; !strings.Contains(got, "the query string is malformed") {
			t.Errorf("GET %s: %q", path, got)
		}
	}
	wantStatus(t, ts.browse("GET", "/search?q=%zz", nil), 400)
	w := ts.api("GET", "/api/v1/pages?limit=0", "")
	wantError(t, w, 400, "bad_request")
	if got := decode[apiError](t, w).Error.Message; got != "limit must be a number from 1 to 1000" {
		t.Errorf("limit=0: %q", got)
	}
	wantStatus(t, ts.api("GET", "/api/v1/pages?limit=2&prefix=", ""), 200)
}

// TestTagFiltersAreNormalized: ?tag= is read as tags are filed, so
// "Onboarding" and "On Boarding" find the pages tagged on-boarding.
func TestTagFiltersAreNormalized(t *testing.T) {
	ts := newTestServer(t)
	wantStatus(t, ts.api("PUT", "/api/v1/pages/p", `{"title":"P","markdown":"Laptops are handed out.\n","tags":["On Boarding"]}`), 201)
	for _, tag := range []string{"on-boarding", "On Boarding", " ON-BOARDING "} {
		l := decode[apiPageList](t, ts.api("GET", "/api/v1/pages?tag="+url.QueryEscape(tag), ""))
		if len(l.Pages) != 1 || l.Pages[0].Slug != "p" {
			t.Errorf("tag %q: %+v", tag, l.Pages)
		}
	}
	if l := decode[apiPageList](t, ts.api("GET", "/api/v1/pages?tag="+url.QueryEscape("???"), "")); len(l.Pages) != 0 {
		t.Errorf("a tag of punctuation matched %+v", l.Pages)
	}
}

func TestSentence(t *testing.T) {
	for in, want := range map[string]string{
		"no such person":             "No such person.",
		"wrong username or password": "Wrong username or password.",
		"über alles!":                "Über alles!",
		"ends in a colon:":           "Ends in a colon:",
		"":                           "",
	} {
		if got := sentence(in); got != want {
			t.Errorf("sentence(%q) = %q, want %q", in, got, want)
		}
	}
}
