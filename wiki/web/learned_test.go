package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/faqwiki/faqwiki/wiki"
)

// People who open a section from a search teach search their words; a
// trainer sees the words per section and removes one.
func TestLearningFromOpens(t *testing.T) {
	ts := newTestServer(t)
	ts.create("travel/leave", "Leave", "## Annual leave\n\nYou earn annual leave every pay period.\n\n## Sick leave\n\nFor illness.\n")
	ts.create("tools/pto", "PTO tracker", "## What is the PTO tracker?\n\nA spreadsheet some teams keep.\n")
	if got := ts.firstHit("pto carry over"); got == "travel/leave#annual-leave" {
		t.Fatal("annual leave first before anyone opened it")
	}
	for _, name := range []string{"ada", "bob", "cy"} {
		ts.addUser(name, wiki.RoleReader, "")
		ts.signIn(name)
		w := ts.browse("GET", "/search/open?q="+url.QueryEscape("PTO carry over")+"&slug=travel/leave&anchor=annual-leave", nil)
		wantStatus(t, w, 303)
	}
	// An open by a visitor of an open wiki (no account) teaches nothing:
	// it is not counted as a person. (Here: the admin again, who counts
	// once however often.)
	ts.signIn("admin")
	for range 5 {
		ts.browse("GET", "/search/open?q=pto+carry+over&slug=travel/leave&anchor=sick-leave", nil)
	}
	if got := ts.firstHit("pto carry over"); got != "travel/leave#annual-leave" {
		t.Errorf("after three people opened annual leave for the query, first hit = %q", got)
	}

	terms := decode[[]apiSearchTerm](t, ts.api("GET", "/api/v1/pages/travel/leave/sections/annual-leave/search-terms", ""))
	if len(terms) != 2 || terms[0].People != 3 || terms[1].People != 3 { // "over" is a stop word
		t.Fatalf("learned terms = %+v, want carri and pto with 3 people each", terms)
	}
	sick := decode[[]apiSearchTerm](t, ts.api("GET", "/api/v1/pages/travel/leave/sections/sick-leave/search-terms", ""))
	if len(sick) == 0 || sick[0].People != 1 {
		t.Errorf("one person opening five times = %+v, want one person", sick)
	}

	// Each has the word people typed for it ("carry" for the stem carri).
	for _, tm := range terms {
		if want := map[string]string{"carri": "carry", "pto": "pto"}[tm.Term]; tm.Word != want {
			t.Errorf("term %q shows as %q, want %q", tm.Term, tm.Word, want)
		}
	}
	// The trainer's page lists them, by the word, with remove buttons.
	doc := parseHTML(t, ts.browse("GET", "/search/learned/travel/leave", nil).Body.String())
	mustFind(t, doc, `form[action="/search/learned/travel/leave"] input[name=term][value=pto]`)
	if got := textOf(mustFind(t, doc, "section.learned table tbody")); !strings.Contains(got, "carry") || strings.Contains(got, "carri") {
		t.Errorf("the page lists %q, want the word carry, not the stem", got)
	}
	wantStatus(t, ts.post("/search/learned/travel/leave", url.Values{"anchor": {"annual-leave"}, "term": {"pto"}}), 303)
	wantStatus(t, ts.api("DELETE", "/api/v1/pages/travel/leave/sections/annual-leave/search-terms/carri", ""), 204)
	wantError(t, ts.api("DELETE", "/api/v1/pages/travel/leave/sections/annual-leave/search-terms/carri", ""), 404, "not_found")
	terms = decode[[]apiSearchTerm](t, ts.api("GET", "/api/v1/pages/travel/leave/sections/annual-leave/search-terms", ""))
	if len(terms) != 0 {
		t.Errorf("after removing both words: %+v", terms)
	}
	// Removed words are not learned there again; new ones are.
	ts.signIn("ada")
	ts.browse("GET", "/search/open?q=pto+balance&slug=travel/leave&anchor=annual-leave", nil)
	terms = decode[[]apiSearchTerm](t, ts.api("GET", "/api/v1/pages/travel/leave/sections/annual-leave/search-terms", ""))
	if len(terms) != 1 || terms[0].Term != "balanc" {
		t.Errorf("after a removed word was searched again: %+v", terms)
	}
}

// Someone whose search found nothing and who then found an answer with
// other words suggests those words as a synonym; a trainer adds it.
func TestGapFoundWithSuggestsSynonyms(t *testing.T) {
	ts := newTestServer(t)
	ts.create("office/parking", "Parking", "## Where can I park?\n\nIn the garage under the building.\n")
	ts.addUser("ada", wiki.RoleReader, "")
	ts.signIn("ada")
	ts.browse("GET", "/search?q=car+pound", nil) // nothing
	ts.browse("GET", "/search?q=parking", nil)
	ts.browse("GET", "/search/open?q=parking&slug=office/parking&anchor=where-can-i-park", nil)
	ts.signIn("admin")
	if err := ts.searchLog.Flush(); err != nil {
		t.Fatal(err)
	}
	gaps := decode[[]apiGap](t, ts.api("GET", "/api/v1/search/gaps", ""))
	if len(gaps) != 1 || gaps[0].Query != "car pound" || len(gaps[0].FoundWith) != 1 || gaps[0].FoundWith[0].Query != "parking" || gaps[0].FoundWith[0].People != 1 {
		t.Fatalf("gaps = %+v", gaps)
	}
	// One person's next search may be about anything: it is shown, with
	// no one-click buttons until a second person does the same.
	doc := parseHTML(t, ts.browse("GET", "/gaps", nil).Body.String())
	if n := len(queryAll(doc, `.found-with form`)) + len(queryAll(doc, `.gap-actions form.inline input[name=slug]`)); n != 0 {
		t.Errorf("%d one-click forms for one person's next search", n)
	}
	mustFind(t, doc, ".found-with p.hint")
	ts.addUser("bob", wiki.RoleReader, "")
	ts.signIn("bob")
	ts.browse("GET", "/search?q=car+pound", nil)
	ts.browse("GET", "/search/open?q=parking&slug=office/parking&anchor=where-can-i-park", nil)
	ts.signIn("admin")
	if err := ts.searchLog.Flush(); err != nil {
		t.Fatal(err)
	}
	doc = parseHTML(t, ts.browse("GET", "/gaps", nil).Body.String())
	if got := textOf(mustFind(t, doc, `.gap-actions form.inline button`)); !strings.Contains(got, "/wiki/office/parking#where-can-i-park") {
		t.Errorf("the answer button says %q, want where it links", got)
	}
	if v, _ := attr(mustFind(t, doc, `.found-with form[action="/search/synonyms/add"] input[name=gap]`), "value"); v != "car pound" {
		t.Errorf("the add button names the gap %q", v)
	}
	wantStatus(t, ts.post("/search/synonyms/add", url.Values{"gap": {"car pound"}, "terms": {"parking"}}), 303)
	if got := ts.firstHit("car pound"); got != "office/parking#where-can-i-park" {
		t.Errorf("after adding the synonym, car pound finds %q", got)
	}
	// Adding the same group again changes nothing.
	wantStatus(t, ts.post("/search/synonyms/add", url.Values{"gap": {"car pound"}, "terms": {"parking"}}), 303)
	if revs, _ := ts.synonyms.Revisions(t.Context()); len(revs) != 1 {
		t.Errorf("%d revisions after adding the same group twice, want 1", len(revs))
	}
}
