package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/faqwiki/faqwiki/wiki"
)

// firstHit returns the slug#anchor of the first hit of the search API
// for q, or "".
func (ts *testServer) firstHit(q string) string {
	ts.t.Helper()
	w := ts.api("GET", "/api/v1/search?offset=0&q="+url.QueryEscape(q), "")
	wantStatus(ts.t, w, 200)
	res := decode[apiSearch](ts.t, w)
	if len(res.Hits) == 0 {
		return ""
	}
	return string(res.Hits[0].Slug) + "#" + res.Hits[0].Anchor
}

// A synonym takes effect at once, without a restart or a reindex, single
// words and phrases alike; a revert brings the old list back.
func TestSynonymsTakeEffectAndRevert(t *testing.T) {
	ts := newTestServer(t)
	ts.create("travel/leave", "Leave", "## Annual leave\n\nYou earn annual leave every pay period.\n")
	ts.create("it/badge", "Badges", "## Getting a smart card\n\nThe security office issues it.\n")
	ts.create("it/laptop", "Laptops", "## Ordering a laptop\n\nAsk the service desk.\n")
	wantStatus(t, ts.api("PUT", "/api/v1/search/synonyms", `{"text":"laptop, notebook\n","base_revision":0}`), 200)
	if got := ts.firstHit("my pto balance"); got == "travel/leave#annual-leave" {
		t.Fatal("found annual leave for pto before the synonym existed")
	}
	w := ts.api("PUT", "/api/v1/search/synonyms", `{"text":"laptop, notebook\nPTO, annual leave\nPIV = smart card\n","base_revision":1,"summary":"time off and badges"}`)
	wantStatus(t, w, 200)
	if a := decode[apiSaveResponse](t, w); a.Revision != 2 || a.Unchanged {
		t.Fatalf("save answer %+v", a)
	}
	if got := ts.firstHit("my pto balance"); got != "travel/leave#annual-leave" {
		t.Errorf("pto -> annual leave (a phrase): first hit %q", got)
	}
	if got := ts.firstHit("lost my piv"); got != "it/badge#getting-a-smart-card" {
		t.Errorf("piv -> smart card: first hit %q", got)
	}
	if got := ts.firstHit("notebook"); got != "it/laptop#ordering-a-laptop" {
		t.Errorf("notebook -> laptop: first hit %q", got)
	}
	// The API shows the list, its groups and history.
	l := decode[apiSynonyms](t, ts.api("GET", "/api/v1/search/synonyms", ""))
	if l.Revision != 2 || len(l.Groups) != 3 || l.Groups[1][0] != "pto" || l.Author != "admin" {
		t.Errorf("GET synonyms = %+v", l)
	}
	revs := decode[[]apiSynonymRevision](t, ts.api("GET", "/api/v1/search/synonyms/revisions", ""))
	if len(revs) != 2 || revs[0].Revision != 2 || revs[0].Summary != "time off and badges" || revs[0].Added != 2 {
		t.Errorf("revisions = %+v", revs)
	}
	// Revert to revision 1: pto no longer finds annual leave.
	wantStatus(t, ts.api("POST", "/api/v1/search/synonyms/revert", `{"revision":1}`), 200)
	if got := ts.firstHit("my pto balance"); got == "travel/leave#annual-leave" {
		t.Errorf("after the revert pto still finds annual leave")
	}
	// Bad input: the contract's errors, and nothing saved.
	wantError(t, ts.api("PUT", "/api/v1/search/synonyms", `{"text":"lonely\n","base_revision":3}`), 400, "bad_request")
	wantError(t, ts.api("PUT", "/api/v1/search/synonyms", `{"text":"a, b\n","base_revision":9}`), 400, "bad_request")
	// Revision 3 deleted the lines that this edit of revision 2 changes.
	clash := ts.api("PUT", "/api/v1/search/synonyms", `{"text":"laptop, notebook\nPTO, vacation\nPIV = smart card\n","base_revision":2}`)
	wantError(t, clash, 409, "conflict")
	if msg := decode[apiError](t, clash).Error.Message; !strings.HasPrefix(msg, "the synonym list changed") {
		t.Errorf("conflict message %q, want it to name the synonym list", msg)
	}
	// The list's current text comes as text, as the list is read and
	// saved, not as a page's markdown.
	if cur := decode[struct{ Current map[string]any }](t, clash).Current; cur["revision"] != float64(3) || cur["text"] == nil || cur["markdown"] != nil || cur["title"] != nil {
		t.Errorf("conflict's current = %v, want revision 3 with its text", cur)
	}
	wantError(t, ts.api("PUT", "/api/v1/search/synonyms", `{"txt":"x, y\n"}`), 400, "bad_request")
	wantError(t, ts.api("PUT", "/api/v1/search/synonyms", `{"text":"`+strings.Repeat("a", wiki.MaxSynonymBytes+1)+`"}`), 413, "too_large")
	if n := len(decode[[]apiSynonymRevision](t, ts.api("GET", "/api/v1/search/synonyms/revisions", ""))); n != 3 {
		t.Errorf("%d revisions after refused saves, want 3", n)
	}
	wantError(t, ts.api("GET", "/api/v1/search/synonyms/revisions/99", ""), 404, "not_found")
	wantError(t, ts.api("GET", "/api/v1/search/synonyms/revisions/x", ""), 400, "bad_request")
}

// Trainers edit the list on its page: a bad list shows the form again with
// the text kept, an overlapping edit shows the conflict, history and diff
// list what changed.
func TestSynonymsPages(t *testing.T) {
	ts := newTestServer(t)
	if _, err := ts.synonyms.EnsureSynonyms(t.Context()); err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, ts.browse("GET", "/search/synonyms", nil).Body.String())
	mustFind(t, doc, `table.synonyms a[href="/search?q=pto"]`)
	mustFind(t, doc, `form[action="/search/synonyms"] textarea#text`)

	w := ts.post("/search/synonyms", url.Values{"text": {"lonely\n"}, "base_revision": {"1"}})
	wantStatus(t, w, 422)
	doc = parseHTML(t, w.Body.String())
	if got := textOf(mustFind(t, doc, "textarea#text")); got != "lonely\n" {
		t.Errorf("the refused text was not kept: %q", got)
	}
	if !strings.Contains(textOf(mustFind(t, doc, ".notice.error")), "line 1") {
		t.Error("the error does not name the line")
	}

	wantStatus(t, ts.post("/search/synonyms", url.Values{"text": {"a, b\nc, d\n"}, "base_revision": {"1"}, "summary": {"mine"}}), 303)
	w = ts.post("/search/synonyms", url.Values{"text": {"a, x\nc, d\n"}, "base_revision": {"1"}})
	wantStatus(t, w, 409)
	doc = parseHTML(t, w.Body.String())
	mustFind(t, doc, ".notice.conflict table.diff")
	if got := textOf(mustFind(t, doc, "textarea#text")); got != "a, x\nc, d\n" {
		t.Errorf("the conflicting text was not kept: %q", got)
	}

	doc = parseHTML(t, ts.browse("GET", "/search/synonyms/history", nil).Body.String())
	if n := len(queryAll(doc, "table.history tbody tr")); n != 2 {
		t.Errorf("history lists %d revisions, want 2", n)
	}
	mustFind(t, doc, `form[action="/search/synonyms/revert"] input[name=revision][value="1"]`)
	doc = parseHTML(t, ts.browse("GET", "/search/synonyms/diff?from=1&to=2", nil).Body.String())
	mustFind(t, doc, "table.diff tr.insert")
	wantStatus(t, ts.post("/search/synonyms/revert", url.Values{"revision": {"1"}}), 303)
	if cur, _ := ts.synonyms.Current(t.Context()); cur.Revision != 3 || cur.Text != wiki.StarterSynonyms {
		t.Errorf("after the revert: revision %d", cur.Revision)
	}
	// Readers see the list but no form.
	ts.addUser("rita", wiki.RoleReader, "")
	ts.signIn("rita")
	doc = parseHTML(t, ts.browse("GET", "/search/synonyms", nil).Body.String())
	if queryAll(doc, "textarea#text") != nil {
		t.Error("a reader is offered the edit form")
	}
}
