package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
)

func TestEachAnswerHasABoxThatWorksWithoutJavaScript(t *testing.T) {
	ts := newTestServer(t)
	ts.create("office", "Office", "Intro text.\n\n"+officeMD+"\n## Travel\n### Per diem\n\n40 a day.\n")
	doc := parseHTML(t, ts.browse("GET", "/wiki/office", nil).Body.String())
	boxes := queryAll(doc, ".markdown .answer-box")
	// lunch, toilets, per diem: not the intro, not "Travel" (no text of its own).
	if len(boxes) != 3 {
		t.Fatalf("%d answer boxes", len(boxes))
	}
	var anchors []string
	for _, b := range queryAll(doc, ".answer-box button[name=vote]") {
		v, _ := attr(b, "value")
		anchors = append(anchors, v)
	}
	if strings.Join(anchors, ",") != "yes:where-is-lunch,no:where-is-lunch,yes:where-are-the-toilets,no:where-are-the-toilets,yes:per-diem,no:per-diem" {
		t.Errorf("boxes for %v", anchors)
	}
	// Each box follows its own answer: the first comes after the lunch
	// text and before the toilets heading.
	body := ts.browse("GET", "/wiki/office", nil).Body.String()
	lunch, box, toilets := strings.Index(body, "from noon"), strings.Index(body, `class="answer-box"`), strings.Index(body, `id="where-are-the-toilets"`)
	if !(lunch < box && box < toilets) {
		t.Errorf("box at %d, lunch text at %d, next heading at %d", box, lunch, toilets)
	}
	// The buttons submit the page's one feedback form, which posts plain
	// fields with the CSRF token: no script needed.
	if f, _ := attr(mustFind(t, doc, ".answer-box button[name=vote]"), "form"); f != "answer-feedback" {
		t.Errorf("the vote buttons belong to form %q", f)
	}
	f := mustFind(t, doc, "form#answer-feedback")
	if a, _ := attr(f, "action"); a != "/feedback/office" {
		t.Errorf("action %q", a)
	}
	mustFind(t, f, "input[name=csrf_token]")
	if f, _ := attr(mustFind(t, doc, ".answer-box button.confirm"), "form"); f != "answer-confirm" {
		t.Errorf("the confirm button belongs to form %q", f)
	}
	mustFind(t, doc, `form#answer-confirm[action="/confirm/office"] input[name=csrf_token]`)
	// An old revision and the page as of a time have no boxes.
	if n := len(queryAll(parseHTML(t, ts.browse("GET", "/wiki/office?rev=1", nil).Body.String()), ".answer-box")); n != 0 {
		t.Errorf("%d boxes on an old revision", n)
	}
	// A page without questions is one answer.
	ts.create("how-do-i-get-vpn", "How do I get VPN?", "Ask the service desk.\n")
	doc = parseHTML(t, ts.browse("GET", "/wiki/how-do-i-get-vpn", nil).Body.String())
	if v, _ := attr(mustFind(t, doc, ".answer-box button[name=vote]"), "value"); v != "yes:~page" {
		t.Errorf("whole-page anchor %q", v)
	}
}

func TestHelpfulVotesOnePerPersonPerRevisionOfTheAnswer(t *testing.T) {
	ts := newTestServer(t)
	ts.create("office", "Office", officeMD)
	vote := func(who, helpful string) {
		t.Helper()
		ts.signIn(who)
		w := ts.post("/feedback/office", url.Values{"vote": {helpful + ":where-is-lunch"}})
		wantStatus(t, w, http.StatusSeeOther)
		if loc := w.Header().Get("Location"); loc != "/wiki/office#where-is-lunch" {
			t.Errorf("back to %q", loc)
		}
	}
	sections := func() apiSection {
		t.Helper()
		for _, s := range decode[[]apiSection](t, ts.api("GET", "/api/v1/pages/office/sections", "")) {
			if s.Anchor == "where-is-lunch" {
				return s
			}
		}
		t.Fatal("no lunch section")
		return apiSection{}
	}
	for _, u := range []string{"r1", "r2", "r3"} {
		ts.addUser(u, wiki.RoleReader, "")
	}
	vote("r1", "yes")
	vote("r1", "yes")
	vote("r2", "no")
	vote("r3", "no")
	vote("r3", "yes") // changed their mind
	if s := sections(); s.Helpful != (apiVotes{2, 1}) {
		t.Errorf("votes = %+v", s.Helpful)
	}
	// The page is drawn once and kept, but never shows old counts: r1 sees
	// r2's vote as soon as it is cast.
	ts.signIn("r1")
	hint := func() string {
		doc := parseHTML(t, ts.browse("GET", "/wiki/office", nil).Body.String())
		return textOf(mustFind(t, doc, ".answer-box .helpful .hint"))
	}
	before := hint()
	ts.addUser("r4", wiki.RoleReader, "")
	vote("r4", "no")
	ts.signIn("r1")
	if after := hint(); before != "2 yes · 1 no" || after != "2 yes · 2 no" {
		t.Errorf("counts before and after another vote: %q, %q", before, after)
	}
	vote("r4", "yes")
	vote("r4", "no")
	// The reader sees their vote.
	ts.signIn("r2")
	doc := parseHTML(t, ts.browse("GET", "/wiki/office", nil).Body.String())
	mustFind(t, doc, `.answer-box button.chosen[value="no:where-is-lunch"][aria-pressed=true]`)
	// A new revision of the answer's text takes new votes; the old ones
	// stay with the old text.
	wantStatus(t, ts.api("PUT", "/api/v1/pages/office", put(strings.Replace(officeMD, "from noon", "from 11:30", 1), 1, "")), 200)
	vote("r1", "no")
	s := sections()
	if s.Helpful != (apiVotes{0, 1}) || s.AllTime != (apiVotes{2, 3}) {
		t.Errorf("after the answer changed: %+v all %+v", s.Helpful, s.AllTime)
	}
	// The API votes the same way, once.
	tok := ts.tokenFor("r2")
	for range 2 {
		w := ts.apiAs(tok, "POST", "/api/v1/pages/office/sections/where-is-lunch/feedback", `{"helpful":true}`)
		wantStatus(t, w, 200)
		if st := decode[apiAnswerState](t, w); st.Helpful != (apiVotes{1, 1}) || st.MyVote != "yes" || st.Revision != 2 {
			t.Errorf("api vote = %+v", st)
		}
	}
	// Bad input changes nothing.
	for _, c := range []struct{ path, body string }{
		{"/api/v1/pages/office/sections/where-is-lunch/feedback", `{}`},
		{"/api/v1/pages/office/sections/where-is-lunch/feedback", `{"helpful":"maybe"}`},
		{"/api/v1/pages/office/sections/where-is-lunch/feedback", ``},
	} {
		wantError(t, ts.apiAs(tok, "POST", c.path, c.body), 400, "bad_request")
	}
	wantError(t, ts.apiAs(tok, "POST", "/api/v1/pages/office/sections/nope/feedback", `{"helpful":true}`), 404, "not_found")
	wantError(t, ts.apiAs(tok, "POST", "/api/v1/pages/nope/sections/x/feedback", `{"helpful":true}`), 404, "not_found")
	ts.signIn("r1")
	wantStatus(t, ts.post("/feedback/office", url.Values{"anchor": {"where-is-lunch"}, "helpful": {"maybe"}}), 400)
	if s := sections(); s.AllTime != (apiVotes{3, 3}) {
		t.Errorf("after bad input: %+v", s.AllTime)
	}
	// A visitor of an open wiki is asked to sign in instead.
	ts2 := newTestServerWith(t, Config{OpenReading: true})
	ts2.create("office", "Office", officeMD)
	ts2.signOut()
	doc = parseHTML(t, ts2.browse("GET", "/wiki/office", nil).Body.String())
	mustFind(t, doc, `.answer-box p.helpful a[href]`)
	if len(queryAll(doc, "form#answer-feedback")) != 1 || len(queryAll(doc, ".answer-box button")) != 0 {
		t.Error("a visitor gets vote buttons")
	}
	wantError(t, ts2.apiAs("", "POST", "/api/v1/pages/office/sections/where-is-lunch/feedback", `{"helpful":true}`), 401, "unauthorized")
}

func TestConfirmFlagTheReaderNoticeAndFreshness(t *testing.T) {
	// The pages are saved on the real clock; the freshness lists read
	// this one, which the test moves on.
	now := time.Now().UTC()
	clock := func() time.Time { return now }
	ts := newTestServerWith(t, Config{Clock: clock})
	ts.create("office", "Office", officeMD)
	ts.addUser("cleo", wiki.RoleEditor, "")
	ts.signIn("cleo")
	wantStatus(t, ts.post("/confirm/office", url.Values{"anchor": {"where-is-lunch"}}), http.StatusSeeOther)
	// The flag form names the answer and its page by their titles.
	if got := textOf(mustFind(t, parseHTML(t, ts.browse("GET", "/flag/office?anchor=where-are-the-toilets", nil).Body.String()), "p.meta")); !strings.HasSuffix(got, "on Office") {
		t.Errorf("the flag form says %q", got)
	}
	wantStatus(t, ts.post("/flag/office", url.Values{"anchor": {"where-are-the-toilets"}, "note": {""}}), 400)
	wantStatus(t, ts.post("/flag/office", url.Values{"anchor": {"where-are-the-toilets"}, "note": {"They moved to <b>floor 3</b>"}}), http.StatusSeeOther)
	// Every reader sees the notice, after the heading and at the top.
	ts.addUser("rita", wiki.RoleReader, "")
	ts.signIn("rita")
	body := ts.browse("GET", "/wiki/office", nil).Body.String()
	doc := parseHTML(t, body)
	notice := mustFind(t, doc, ".markdown .notice.flagged")
	if !strings.Contains(textOf(notice), "They moved to <b>floor 3</b>") {
		t.Errorf("notice %q", textOf(notice))
	}
	if strings.Index(body, `id="where-are-the-toilets"`) > strings.Index(body, "They moved to") {
		t.Error("the notice is not under the flagged answer's heading")
	}
	mustFind(t, doc, `article.page p.notice.flagged a[href="#where-are-the-toilets"]`)
	if len(queryAll(doc, "form.resolve")) != 0 || len(queryAll(doc, ".answer-box .verify")) != 0 {
		t.Error("a reader sees the trainer's or editors' forms")
	}
	mustFind(t, doc, ".answer-box .verified") // "Confirmed still right …"
	// Trainers see the flagged list, then resolve it.
	ts.signIn("admin")
	flagged := decode[[]apiAnswerAge](t, ts.api("GET", "/api/v1/freshness?status=flagged", ""))
	if len(flagged) != 1 || flagged[0].Anchor != "where-are-the-toilets" || flagged[0].Flags[0].By != "cleo" {
		t.Fatalf("flagged = %+v", flagged)
	}
	mustFind(t, parseHTML(t, ts.browse("GET", "/freshness", nil).Body.String()), `ul.ages a[href="/wiki/office#where-are-the-toilets"]`)
	wantStatus(t, ts.post("/resolve/office", url.Values{"anchor": {"where-are-the-toilets"}, "note": {"fixed"}}), http.StatusSeeOther)
	if n := len(queryAll(parseHTML(t, ts.browse("GET", "/wiki/office", nil).Body.String()), ".notice.flagged")); n != 0 {
		t.Errorf("%d notices after resolving", n)
	}
	wantError(t, ts.api("POST", "/api/v1/pages/office/sections/where-are-the-toilets/resolve", ""), 400, "bad_request")
	// Half a year on, the unconfirmed answers are stale, oldest first.
	if got := decode[[]apiAnswerAge](t, ts.api("GET", "/api/v1/freshness?status=stale", "")); len(got) != 0 {
		t.Errorf("stale at once: %+v", got)
	}
	now = now.Add(190 * 24 * time.Hour)
	stale := decode[[]apiAnswerAge](t, ts.api("GET", "/api/v1/freshness", ""))
	if len(stale) != 2 || stale[0].Confirmed == nil || stale[1].Confirmed == nil {
		t.Errorf("stale = %+v", stale)
	}
	wantError(t, ts.api("GET", "/api/v1/freshness?status=rotten", ""), 400, "bad_request")
	wantError(t, ts.api("GET", "/api/v1/freshness?status=unconfirmed", ""), 400, "bad_request")
	wantError(t, ts.api("GET", "/api/v1/freshness?status=unconfirmed&cohort=nope", ""), 404, "not_found")
}

func TestImpactFromScriptedTraffic(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser("ada", wiki.RoleEditor, "")
	ts.signIn("ada")
	wantStatus(t, ts.post("/new", url.Values{"title": {"Office"}, "slug": {"office"}, "markdown": {officeMD}}), http.StatusSeeOther)
	ts.signIn("admin")
	ts.create("welcome-here", "Welcome", "See [[office]].\n")
	// Ten readers find lunch through search (one of them twice), four
	// come to the page from a link, one opens it from elsewhere.
	for i := range 10 {
		name := "reader" + string(rune('a'+i))
		ts.addUser(name, wiki.RoleReader, "")
		ts.signIn(name)
		for range 1 + i/9 {
			ts.browse("GET", "/search/open?q=lunch+time&slug=office&anchor=where-is-lunch", nil)
		}
		if i < 4 {
			r := httptestRequest("GET", "/wiki/office", nil)
			r.Header.Set("Referer", "http://example.com/wiki/welcome-here")
			r.AddCookie(ts.cookies[sessionCookie])
			wantStatus(t, ts.serve(r), 200)
		}
	}
	r := httptestRequest("GET", "/wiki/office", nil)
	r.Header.Set("Referer", "http://elsewhere.example/wiki/welcome-here")
	r.AddCookie(ts.cookies[sessionCookie])
	ts.serve(r)
	if err := ts.answers.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	ts.signIn("admin")
	im := decode[apiImpact](t, ts.api("GET", "/api/v1/impact?user=ada", ""))
	if im.OpenedFromSearch != 10 || im.OpenedFromLinks != 4 {
		t.Errorf("impact = %+v", im)
	}
	doc := parseHTML(t, ts.browse("GET", "/people/ada", nil).Body.String())
	if s := textOf(mustFind(t, doc, ".impact-summary")); !strings.Contains(s, "Opened 14 times") {
		t.Errorf("person page says %q", s)
	}
	// The page info shows it per answer, and the searches to trainers.
	doc = parseHTML(t, ts.browse("GET", "/info/office", nil).Body.String())
	if s := textOf(mustFind(t, doc, "table.page-info tbody tr")); !strings.Contains(s, "10") || !strings.Contains(s, "lunch time") || !strings.Contains(s, "ada 100%") {
		t.Errorf("page info row %q", s)
	}
	wantError(t, ts.api("GET", "/api/v1/impact?user=ada&cohort=c1", ""), 400, "bad_request")
	wantError(t, ts.api("GET", "/api/v1/impact?user=nobody", ""), 404, "not_found")
}

func TestCohortPageHandsOn(t *testing.T) {
	ts := newTestServer(t)
	ctx := t.Context()
	tr := wiki.NewContextWithUser(ctx, &wiki.User{Name: "admin", Role: wiki.RoleAdmin})
	for _, co := range []wiki.NewCohort{{ID: "c1", Name: "One", StartsOn: time.Now().AddDate(0, 0, -2)}, {ID: "c2", Name: "Two", StartsOn: time.Now().AddDate(0, 0, 1)}} {
		if _, err := ts.cohorts.Create(tr, co); err != nil {
			t.Fatal(err)
		}
	}
	ts.addUser("ada", wiki.RoleEditor, "c1")
	ts.addUser("cleo", wiki.RoleEditor, "c2")
	ts.create("office", "Office", officeMD)
	ada, cleo := ts.tokenFor("ada"), ts.tokenFor("cleo")
	wantStatus(t, ts.apiAs(ada, "POST", "/api/v1/questions", `{"text":"Where do I park my bike?"}`), 201)
	wantStatus(t, ts.apiAs(ada, "POST", "/api/v1/pages/office/sections/where-is-lunch/confirm", ""), 200)
	// c2's first change: it takes the wiki over from here.
	wantStatus(t, ts.apiAs(cleo, "PUT", "/api/v1/pages/office", put(strings.Replace(officeMD, "Down the hall", "On floor 3", 1), 1, "")), 200)
	wantStatus(t, ts.apiAs(cleo, "POST", "/api/v1/questions", `{"text":"Is there a gym?"}`), 201)
	h := decode[struct {
		HandOn apiHandOn `json:"hand_on"`
	}](t, ts.api("GET", "/api/v1/cohorts/c2/handover", ""))
	if h.HandOn.UnconfirmedTotal != 1 || h.HandOn.Unconfirmed[0].Anchor != "where-is-lunch" || h.HandOn.Confirmed != 1 ||
		len(h.HandOn.OpenQuestions) != 1 || h.HandOn.OpenQuestions[0].Text != "Is there a gym?" {
		t.Errorf("c2 hands on %+v", h.HandOn)
	}
	body := ts.browse("GET", "/cohorts/c2", nil).Body.String()
	for _, want := range []string{"What it hands on", "Is there a gym?", "Where do I park my bike?", "It left"} {
		if !strings.Contains(body, want) {
			t.Errorf("the cohort page does not say %q", want)
		}
	}
	doc := parseHTML(t, body)
	mustFind(t, doc, `section.hand-on table.ages a[href="/wiki/office#where-is-lunch"]`)
}

// TestLastAnswerBoxComesBeforeTheFootnotes checks that the footnotes,
// which goldmark lists after the last question's text, follow that
// question's box instead of sitting between its answer and its box.
func TestLastAnswerBoxComesBeforeTheFootnotes(t *testing.T) {
	ts := newTestServer(t)
	ts.create("leave", "Leave", "## How many days?\n\nTwenty.[^1]\n\n## Who approves?\n\nYour manager.\n\n[^1]: Pro rata for part-timers.\n")
	body := ts.browse("GET", "/wiki/leave", nil).Body.String()
	answer, box, notes := strings.Index(body, "Your manager."), strings.LastIndex(body, `class="answer-box"`), strings.Index(body, `class="footnotes"`)
	if answer < 0 || box < 0 || notes < 0 || !(answer < box && box < notes) {
		t.Errorf("last answer at %d, its box at %d, the footnotes at %d", answer, box, notes)
	}
	if !strings.Contains(body[notes:], "Pro rata for part-timers.") {
		t.Error("the footnote's text is not in the footnotes")
	}
	if n := len(queryAll(parseHTML(t, body), ".markdown .answer-box")); n != 2 {
		t.Errorf("%d answer boxes, want 2", n)
	}
}
