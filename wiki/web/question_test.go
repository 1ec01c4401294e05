package web

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/faqwiki/faqwiki/wiki"
	"golang.org/x/net/html"
)

const officeMD = "## Where is lunch?\n\nIn the canteen, from noon.\n\n## Where are the toilets?\n\nDown the hall.\n"

// questionOf reads question id through the API.
func (ts *testServer) questionOf(id string) apiQuestion {
	ts.t.Helper()
	w := ts.api("GET", "/api/v1/questions/"+id, "")
	wantStatus(ts.t, w, 200)
	return decode[apiQuestion](ts.t, w)
}

func TestAskFromAFailedSearch(t *testing.T) {
	ts := newTestServer(t)
	ts.create("office", "Office", officeMD)
	ts.addUser("ada", wiki.RoleEditor, "")
	ts.signIn("ada")
	doc := parseHTML(t, ts.browse("GET", "/search?q=gym+opening+hours", nil).Body.String())
	ask := mustFind(t, doc, ".notice.gap a.button")
	href, _ := attr(ask, "href")
	if textOf(ask) != "Ask this" || href != askURL("gym opening hours", "gym opening hours") {
		t.Fatalf("ask link %q %q", textOf(ask), href)
	}
	doc = parseHTML(t, ts.browse("GET", href, nil).Body.String())
	if v, _ := attr(mustFind(t, doc, "form.ask input[name=text]"), "value"); v != "gym opening hours" {
		t.Errorf("the form holds %q", v)
	}
	if v, _ := attr(mustFind(t, doc, "form.ask input[name=from]"), "value"); v != "gym opening hours" {
		t.Errorf("the form's search is %q", v)
	}
	w := ts.post("/questions", url.Values{"text": {"gym opening hours"}, "from": {"gym opening hours"}, "checked": {"1"}})
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/questions/1" {
		t.Fatalf("Location %q", loc)
	}
	q := ts.questionOf("1")
	if q.Text != "gym opening hours" || q.Asker != "ada" || q.FromSearch != "gym opening hours" || q.Status != "open" || q.Votes != 1 {
		t.Errorf("question = %+v", q)
	}
	// The search and the question are one gap.
	if err := ts.searchLog.Flush(); err != nil {
		t.Fatal(err)
	}
	gaps := decode[[]apiGapItem](t, ts.api("GET", "/api/v1/gaps", ""))
	if len(gaps) != 1 || gaps[0].ID != "q-1" || gaps[0].Kind != "question" || gaps[0].Searches != 1 {
		t.Errorf("gaps = %+v", gaps)
	}
	// The questions list and the home page show it.
	mustFind(t, parseHTML(t, ts.browse("GET", "/questions", nil).Body.String()), `ul.questions li a[href="/questions/1"]`)
	mustFind(t, parseHTML(t, ts.browse("GET", "/", nil).Body.String()), `.open-questions a[href="/questions/1"]`)
}

func TestAskShowsSimilarAnswersBeforeSaving(t *testing.T) {
	ts := newTestServer(t)
	ts.create("office", "Office", officeMD)
	w := ts.post("/questions", url.Values{"text": {"where can I get lunch"}})
	wantStatus(t, w, 200)
	doc := parseHTML(t, w.Body.String())
	mustFind(t, doc, `section.similar ol.results a.hit[href="/wiki/office#where-is-lunch"]`)
	if v, _ := attr(mustFind(t, doc, "form.ask input[name=checked]"), "value"); v != "1" {
		t.Errorf("checked = %q", v)
	}
	if textOf(mustFind(t, doc, "form.ask button")) != "Ask it anyway" {
		t.Error("no ask-anyway button")
	}
	if qs := decode[[]apiQuestion](t, ts.api("GET", "/api/v1/questions?status=all", "")); len(qs) != 0 {
		t.Fatalf("saved before the similar answers were seen: %+v", qs)
	}
	wantStatus(t, ts.post("/questions", url.Values{"text": {"where can I get lunch"}, "checked": {"1"}}), http.StatusSeeOther)
	// The API saves at once and says what looks similar.
	w = ts.api("POST", "/api/v1/questions", `{"text":"Where do I get lunch on Fridays?"}`)
	wantStatus(t, w, 201)
	res := decode[apiAskResult](t, w)
	if res.ID != 2 || len(res.Similar) == 0 || res.Similar[0].Slug != "office" || res.Similar[0].Anchor != "where-is-lunch" || len(res.SimilarQuestions) != 1 {
		t.Errorf("ask = %+v", res)
	}
	// A script in a question is text.
	w = ts.api("POST", "/api/v1/questions", `{"text":"<script>alert(1)</script> is it safe?"}`)
	wantStatus(t, w, 201)
	body := ts.browse("GET", "/questions/3", nil).Body.String()
	if strings.Contains(body, "<script>alert") {
		t.Error("a question's script reached the page")
	}
	for _, bad := range []string{`{"text":""}`, `{"text":"hi"}`, `{"text":"` + strings.Repeat("why ", 100) + `"}`, `{"nope":1}`} {
		wantError(t, ts.api("POST", "/api/v1/questions", bad), 400, "bad_request")
	}
	wantStatus(t, ts.post("/questions", url.Values{"text": {"hi"}}), 422)
}

func TestPlusOneOncePerPerson(t *testing.T) {
	ts := newTestServer(t)
	wantStatus(t, ts.api("POST", "/api/v1/questions", `{"text":"Is there a gym?"}`), 201)
	ts.addUser("bob", wiki.RoleEditor, "")
	bob := ts.tokenFor("bob")
	for i, want := range []struct {
		changed bool
		votes   int
	}{{true, 2}, {false, 2}} {
		r := decode[apiVoteResult](t, ts.apiAs(bob, "POST", "/api/v1/questions/1/vote", ""))
		if r.Changed != want.changed || r.Question.Votes != want.votes || !r.Question.Mine {
			t.Errorf("vote %d: %+v", i, r)
		}
	}
	// The asker's +1 and asking the same again count nothing more.
	wantStatus(t, ts.api("POST", "/api/v1/questions/1/vote", ""), 200)
	w := ts.apiAs(bob, "POST", "/api/v1/questions", `{"text":"is there a GYM"}`)
	wantStatus(t, w, 200)
	if r := decode[apiAskResult](t, w); !r.Existing || r.ID != 1 || r.Question.Votes != 2 {
		t.Errorf("asking again = %+v", r)
	}
	ts.signIn("bob")
	wantStatus(t, ts.post("/questions/1/vote", url.Values{}), http.StatusSeeOther)
	if q := ts.questionOf("1"); q.Votes != 2 {
		t.Errorf("votes after a form +1 again = %d", q.Votes)
	}
	wantError(t, ts.api("POST", "/api/v1/questions/99/vote", ""), 404, "not_found")
	wantError(t, ts.api("POST", "/api/v1/questions/abc/vote", ""), 400, "bad_request")
	ts.addUser("rita", wiki.RoleReader, "")
	wantError(t, ts.apiAs(ts.tokenFor("rita"), "POST", "/api/v1/questions/1/vote", ""), 403, "forbidden")
}

func TestAnswerInTheFAQ(t *testing.T) {
	ts := newTestServer(t)
	ts.create("office", "Office", officeMD)
	ts.addUser("ada", wiki.RoleEditor, "")
	ts.signIn("ada")
	wantStatus(t, ts.post("/questions", url.Values{"text": {"Where do I park my bike?"}, "checked": {"1"}}), http.StatusSeeOther)
	ts.addUser("bob", wiki.RoleEditor, "")
	ts.signIn("bob")
	// "Answer in the FAQ" on the office page opens its editor with the
	// question as a new heading.
	w := ts.browse("GET", "/questions/1/write?slug=office", nil)
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/edit/office?question=1" {
		t.Fatalf("Location %q", loc)
	}
	doc := parseHTML(t, ts.browse("GET", "/edit/office?question=1", nil).Body.String())
	md := textOf(mustFind(t, doc, "textarea#markdown"))
	if !strings.HasSuffix(md, "\n\n## Where do I park my bike?\n\n") {
		t.Errorf("editor text ends %q", md[max(0, len(md)-60):])
	}
	mustFind(t, doc, "form#edit-form input[name=question][value=1]")
	mustFind(t, doc, ".notice.answering")
	w = ts.post("/edit/office", url.Values{"title": {"Office"}, "base_revision": {"1"}, "question": {"1"},
		"markdown": {md + "In the rack by the back door.\n"}})
	wantStatus(t, w, http.StatusSeeOther)
	q := ts.questionOf("1")
	if q.Status != "answered" || q.Answer == nil || q.Answer.Slug != "office" || q.Answer.Anchor != "where-do-i-park-my-bike" || q.Answer.By != "bob" {
		t.Fatalf("question after the edit = %+v %+v", q, q.Answer)
	}
	// The asker is told: on their watchlist, in their feed, on their page.
	ts.signIn("ada")
	doc = parseHTML(t, ts.browse("GET", "/me/watching", nil).Body.String())
	mustFind(t, doc, `section ul.watch-list a[href="/questions/1"]`)
	mustFind(t, doc, `section ul.watch-list .pending`)
	var feed struct {
		Entries []struct {
			Title string `xml:"title"`
			Link  struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(ts.browse("GET", "/me/watching.atom", nil).Body.Bytes(), &feed); err != nil {
		t.Fatal(err)
	}
	if len(feed.Entries) != 1 || !strings.Contains(feed.Entries[0].Title, "Where do I park my bike?") || !strings.HasSuffix(feed.Entries[0].Link.Href, "/wiki/office#where-do-i-park-my-bike") {
		t.Errorf("feed = %+v", feed.Entries)
	}
	mustFind(t, parseHTML(t, ts.browse("GET", "/people/ada", nil).Body.String()), `ul.questions li.answered a[href="/questions/1"]`)
	// Opening the question clears the notice.
	ts.browse("GET", "/questions/1", nil)
	if len(queryAll(parseHTML(t, ts.browse("GET", "/me/watching", nil).Body.String()), "ul.watch-list .pending")) != 0 {
		t.Error("the new-answer mark stays after the asker looked")
	}
}

func TestAnswerALinkedSectionAndNewPage(t *testing.T) {
	ts := newTestServer(t)
	ts.create("office", "Office", officeMD)
	wantStatus(t, ts.api("POST", "/api/v1/questions", `{"text":"When is lunch served?"}`), 201)
	wantStatus(t, ts.api("POST", "/api/v1/questions", `{"text":"How do I expense a taxi?"}`), 201)
	for _, bad := range []string{`{"slug":"nope"}`, `{"slug":"office","anchor":"nope"}`, `{}`, `{"url":"%zz"}`} {
		wantError(t, ts.api("POST", "/api/v1/questions/1/answer", bad), 400, "bad_request")
	}
	if q := ts.questionOf("1"); q.Status != "open" {
		t.Fatalf("a bad link changed the question: %+v", q)
	}
	wantStatus(t, ts.post("/questions/1/answer", url.Values{"url": {"/wiki/office#where-is-lunch"}}), http.StatusSeeOther)
	if q := ts.questionOf("1"); q.Answer == nil || q.Answer.Anchor != "where-is-lunch" {
		t.Errorf("linked = %+v", q)
	}
	// A new page titled as the question answers it as a whole.
	w := ts.browse("GET", "/questions/2/write", nil)
	loc := w.Header().Get("Location")
	if !strings.HasPrefix(loc, "/new?") || !strings.Contains(loc, "question=2") {
		t.Fatalf("Location %q", loc)
	}
	doc := parseHTML(t, ts.browse("GET", loc, nil).Body.String())
	if v, _ := attr(mustFind(t, doc, "input#title"), "value"); v != "How do I expense a taxi?" {
		t.Errorf("title %q", v)
	}
	wantStatus(t, ts.post("/new", url.Values{"title": {"How do I expense a taxi?"}, "markdown": {"Keep the receipt; file it in the expenses tool.\n"}, "question": {"2"}}), http.StatusSeeOther)
	if q := ts.questionOf("2"); q.Status != "answered" || q.Answer.Slug != "how-do-i-expense-a-taxi" || q.Answer.Anchor != "" {
		t.Errorf("new-page answer = %+v %+v", q, q.Answer)
	}
}

func TestMergeDuplicatesAndDeclineOnTheWeb(t *testing.T) {
	ts := newTestServer(t)
	wantStatus(t, ts.api("POST", "/api/v1/questions", `{"text":"Where is lunch?"}`), 201)
	ts.addUser("bob", wiki.RoleEditor, "")
	wantStatus(t, ts.apiAs(ts.tokenFor("bob"), "POST", "/api/v1/questions", `{"text":"When does the canteen open?"}`), 201)
	wantStatus(t, ts.api("POST", "/api/v1/questions", `{"text":"What is the meaning of life?"}`), 201)
	// The trainer's merge menu is on the question's page.
	mustFind(t, parseHTML(t, ts.browse("GET", "/questions/2", nil).Body.String()), `form.merge select[name=duplicate_of] option[value="1"]`)
	w := ts.post("/questions/2/close", url.Values{"status": {"duplicate"}, "duplicate_of": {"1"}})
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/questions/1" {
		t.Errorf("after merge: %q", loc)
	}
	if q := ts.questionOf("1"); q.Votes != 2 || len(q.Wordings) != 1 {
		t.Errorf("merged into = %+v", q)
	}
	if q := ts.questionOf("2"); q.Status != "duplicate" || q.DuplicateOf != 1 {
		t.Errorf("duplicate = %+v", q)
	}
	wantError(t, ts.api("POST", "/api/v1/questions/3/close", `{"status":"declined"}`), 400, "bad_request")
	wantError(t, ts.api("POST", "/api/v1/questions/3/close", `{"status":"closed","reason":"x"}`), 400, "bad_request")
	wantError(t, ts.api("POST", "/api/v1/questions/3/close", `{"status":"duplicate","duplicate_of":3}`), 400, "bad_request")
	wantStatus(t, ts.api("POST", "/api/v1/questions/3/close", `{"status":"declined","reason":"Not about onboarding"}`), 200)
	doc := parseHTML(t, ts.browse("GET", "/questions/3", nil).Body.String())
	if !strings.Contains(textOf(mustFind(t, doc, ".notice")), "Not about onboarding") {
		t.Error("the reason is not shown")
	}
	open := decode[[]apiQuestion](t, ts.api("GET", "/api/v1/questions", ""))
	dismissed := decode[[]apiGapItem](t, ts.api("GET", "/api/v1/gaps?status=dismissed", ""))
	if len(open) != 1 || open[0].ID != 1 || len(dismissed) != 1 || dismissed[0].ID != "q-3" {
		t.Errorf("open %+v dismissed %+v", open, dismissed)
	}
	wantError(t, ts.api("GET", "/api/v1/questions?status=weird", ""), 400, "bad_request")
	wantError(t, ts.api("GET", "/api/v1/questions?sort=weird", ""), 400, "bad_request")
}

func TestGapListJoinsSearchesAndQuestions(t *testing.T) {
	ts := newTestServer(t)
	ts.create("office", "Office", officeMD)
	for _, u := range []string{"p1", "p2", "p3"} {
		ts.addUser(u, wiki.RoleReader, "")
		ts.apiAs(ts.tokenFor(u), "GET", "/api/v1/search?q=parking+garage", "")
	}
	ts.apiAs(ts.tokenFor("p1"), "GET", "/api/v1/search?q=car+park", "")
	wantStatus(t, ts.api("POST", "/api/v1/questions", `{"text":"Is there a gym?"}`), 201)
	if err := ts.searchLog.Flush(); err != nil {
		t.Fatal(err)
	}
	gaps := decode[[]apiGapItem](t, ts.api("GET", "/api/v1/gaps", ""))
	if len(gaps) != 3 || gaps[0].Texts[0] != "parking garage" || gaps[0].People != 3 || gaps[0].Kind != "search" || gaps[0].Results != 0 {
		t.Fatalf("gaps = %+v", gaps)
	}
	park, carPark := gaps[0].ID, ""
	for _, g := range gaps {
		if g.Texts[0] == "car park" {
			carPark = g.ID
		}
	}
	// One list on the page, with its actions.
	doc := parseHTML(t, ts.browse("GET", "/gaps", nil).Body.String())
	if n := len(queryAll(doc, "ol.gaps li.gap")); n != 3 {
		t.Errorf("%d gaps on the page", n)
	}
	mustFind(t, doc, `li.gap.question a[href="/questions/1"]`)
	mustFind(t, doc, `form[action="/gaps/`+park+`/dismiss"]`)
	// Merge, answer, dismiss.
	wantStatus(t, ts.post("/gaps/"+carPark+"/merge", url.Values{"into": {park}}), http.StatusSeeOther)
	wantError(t, ts.api("POST", "/api/v1/gaps/q-1/merge", `{"into":"`+park+`"}`), 400, "bad_request")
	wantError(t, ts.api("POST", "/api/v1/gaps/"+park+"/dismiss", `{"reason":""}`), 400, "bad_request")
	wantError(t, ts.api("POST", "/api/v1/gaps/s-000000000000/dismiss", `{"reason":"x"}`), 404, "not_found")
	wantError(t, ts.api("POST", "/api/v1/gaps/bogus/dismiss", `{"reason":"x"}`), 400, "bad_request")
	w := ts.api("POST", "/api/v1/gaps/"+park+"/answer", `{"url":"/wiki/office#where-are-the-toilets"}`)
	wantStatus(t, w, 200)
	if g := decode[apiGapItem](t, w); g.Status != "answered" || len(g.Texts) != 2 || g.People != 4 || g.Answer.Anchor != "where-are-the-toilets" {
		t.Errorf("answered gap = %+v", g)
	}
	wantStatus(t, ts.api("POST", "/api/v1/gaps/q-1/dismiss", `{"reason":"There is no gym"}`), 200)
	if gaps := decode[[]apiGapItem](t, ts.api("GET", "/api/v1/gaps", "")); len(gaps) != 0 {
		t.Errorf("open after closing all: %+v", gaps)
	}
	answered := decode[[]apiGapItem](t, ts.api("GET", "/api/v1/gaps?status=answered", ""))
	if len(answered) != 1 || answered[0].ID != park {
		t.Errorf("answered = %+v", answered)
	}
	// Search learned the gap's words: they now find the answer. A link
	// given on purpose counts as more than one person's click (search's
	// linkedPeople per word).
	if got := ts.firstHit("parking garage"); got != "office#where-are-the-toilets" {
		t.Errorf("parking garage finds %q", got)
	}
	if ev := ts.searchLog.Learned([]string{"park", "garag"})["office#where-are-the-toilets"]; ev.Stems != 2 || ev.People < 2*2.5 {
		t.Errorf("evidence the link left for parking garage = %+v, want that of about three people per word", ev)
	}
	wantError(t, ts.api("GET", "/api/v1/gaps?status=weird", ""), 400, "bad_request")
	// The old list answers as before.
	wantStatus(t, ts.api("GET", "/api/v1/search/gaps", ""), 200)
	_ = context.Background()
}

// Each gap's "the same as" menu offers the gaps that share its words
// first and holds at most maxMergeChoices: a menu of every other gap made
// the page grow with the square of the gaps.
func TestGapMergeMenuIsShortAndLikeliestFirst(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	log := func(q, person string) {
		if err := ts.searchLog.LogSearch(ctx, wiki.SearchEvent{Query: q, Person: person}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 30 {
		log(fmt.Sprintf("zorblax%d quux", i), fmt.Sprintf("p%d", i))
	}
	log("vacation days", "ada")
	log("how many vacation days", "bob")
	if err := ts.searchLog.Flush(); err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, ts.browse("GET", "/gaps", nil).Body.String())
	var vacation *html.Node
	for _, li := range queryAll(doc, "ol.gaps li.gap") {
		if strings.Contains(textOf(mustFind(t, li, "h2.gap-text")), "“vacation days”") {
			vacation = li
		}
	}
	if vacation == nil {
		t.Fatal("no vacation days gap on the page")
	}
	opts := queryAll(vacation, "select[name=into] option")
	if len(opts) != maxMergeChoices {
		t.Errorf("%d choices to merge into, want %d", len(opts), maxMergeChoices)
	}
	if len(opts) == 0 || textOf(opts[0]) != "how many vacation days" {
		t.Errorf("first choice %q, want the gap that shares its words", textOf(opts[0]))
	}
}
