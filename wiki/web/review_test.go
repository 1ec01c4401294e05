package web

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed/atom"
	"golang.org/x/net/html"

	"github.com/faqwiki/faqwiki/wiki"
)

// reviewWiki is a test server with two cohorts and people in them:
// olga (editor, oct), nina (editor, nov), tina (trainer), rita (reader),
// with their API tokens.
type reviewWiki struct {
	*testServer
	olga, nina, tina, rita string
}

func newReviewWiki(t *testing.T) *reviewWiki {
	t.Helper()
	ts := newTestServer(t)
	ctx := context.Background()
	day := time.Now().UTC().Truncate(24 * time.Hour)
	for _, c := range []wiki.NewCohort{{ID: "oct", Name: "October", StartsOn: day.AddDate(0, 0, -30)}, {ID: "nov", Name: "November", StartsOn: day}} {
		if _, err := ts.cohorts.Create(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	ts.addUser("olga", wiki.RoleEditor, "oct")
	ts.addUser("nina", wiki.RoleEditor, "nov")
	ts.addUser("tina", wiki.RoleTrainer, "")
	ts.addUser("rita", wiki.RoleReader, "")
	return &reviewWiki{testServer: ts, olga: ts.tokenFor("olga"), nina: ts.tokenFor("nina"), tina: ts.tokenFor("tina"), rita: ts.tokenFor("rita")}
}

// save PUTs a page as the holder of token and returns the new revision.
func (rw *reviewWiki) save(token, slug, md string, base int) int {
	rw.t.Helper()
	w := rw.apiAs(token, "PUT", "/api/v1/pages/"+slug, put(md, base, ""))
	if w.Code != 200 && w.Code != 201 {
		rw.t.Fatalf("PUT %s: %d %s", slug, w.Code, w.Body.String())
	}
	return decode[apiSaveResponse](rw.t, w).Revision
}

func (rw *reviewWiki) queue(token, cohort string) []apiReviewItem {
	rw.t.Helper()
	p := "/api/v1/review"
	if cohort != "" {
		p += "?cohort=" + cohort
	}
	w := rw.apiAs(token, "GET", p, "")
	wantStatus(rw.t, w, 200)
	return decode[[]apiReviewItem](rw.t, w)
}

func queueSummary(items []apiReviewItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, string(it.Slug)+" "+strings.Join(it.Authors, ",")+" "+strings.Join(it.Cohorts, ",")+
			" "+itoa(it.FromRevision)+".."+itoa(it.ToRevision))
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestReviewQueueAPI(t *testing.T) {
	rw := newReviewWiki(t)
	rw.create("vpn", "VPN", "## Who?\n\nThe service desk.\n\n## How long?\n\nOne day.\n") // by the admin: reviewed
	rw.create("laptop", "Laptop", "Collect it on day one.\n")
	rw.save(rw.olga, "vpn", "## Who?\n\nThe IT service desk.\n\n## How long?\n\nOne day.\n", 1)
	rw.save(rw.nina, "vpn", "## Who?\n\nThe IT service desk.\n\n## How long?\n\nTwo days.\n", 2)
	rw.save(rw.nina, "laptop", "Collect it on day two.\n", 1)
	rw.save(rw.nina, "parking", "Behind building B.\n", 0)

	want := []string{"vpn olga,nina oct,nov 1..3", "laptop nina nov 1..2", "parking nina nov 0..1"}
	if got := queueSummary(rw.queue(rw.tina, "")); !slices.Equal(got, want) {
		t.Errorf("queue\n got %v\nwant %v", got, want)
	}
	if got := queueSummary(rw.queue(rw.tina, "oct")); !slices.Equal(got, want[:1]) {
		t.Errorf("queue of oct %v", got)
	}
	// One combined diff from the last reviewed revision to the newest.
	vpn := rw.queue(rw.tina, "")[0]
	if vpn.Diff.From != 1 || vpn.Diff.To != 3 || vpn.Diff.Stats.Added != 2 || vpn.Diff.Stats.Removed != 2 || len(vpn.Revisions) != 2 {
		t.Errorf("vpn's diff %+v, %d revisions", vpn.Diff, len(vpn.Revisions))
	}
	var inserted string
	for _, h := range vpn.Diff.Hunks {
		if h.Op == "insert" {
			inserted += h.Text
		}
	}
	if inserted != "The IT service desk.\nTwo days.\n" {
		t.Errorf("inserted text of the combined diff %q", inserted)
	}

	// Only trainers review.
	wantError(t, rw.apiAs(rw.nina, "GET", "/api/v1/review", ""), 403, "forbidden")
	wantError(t, rw.apiAs(rw.nina, "POST", "/api/v1/pages/vpn/revisions/3/review", ""), 403, "forbidden")
	wantError(t, rw.apiAs(rw.rita, "POST", "/api/v1/pages/vpn/revisions/3/review", ""), 403, "forbidden")
	wantError(t, rw.apiAs("", "GET", "/api/v1/review", ""), 401, "unauthorized")
	wantError(t, rw.apiAs(rw.tina, "POST", "/api/v1/pages/vpn/revisions/x/review", ""), 400, "bad_request")
	wantError(t, rw.apiAs(rw.tina, "POST", "/api/v1/pages/vpn/revisions/9/review", ""), 404, "not_found")
	wantError(t, rw.apiAs(rw.tina, "GET", "/api/v1/pages/vpn/revisions/3/review", ""), 405, "method_not_allowed")

	// The trainer looked at vpn up to 3; olga saves 4 meanwhile. Marking
	// 3 reviewed leaves 4 in the queue.
	rw.save(rw.olga, "vpn", "## Who?\n\nThe IT service desk.\n\n## How long?\n\nTwo days.\n\n## Where?\n\nFloor 2.\n", 3)
	w := rw.apiAs(rw.tina, "POST", "/api/v1/pages/vpn/revisions/3/review", "")
	wantStatus(t, w, 200)
	if r := decode[apiReviewResult](t, w); r.Marked != 2 || r.Revision != 3 {
		t.Errorf("review answer %+v", r)
	}
	if got := queueSummary(rw.queue(rw.tina, ""))[2]; got != "vpn olga oct 3..4" {
		t.Errorf("vpn after reviewing 3: %q", got)
	}
	revs := decode[[]apiRevision](t, rw.api("GET", "/api/v1/pages/vpn/revisions", ""))
	for _, r := range revs {
		switch {
		case r.Revision == 4 && (r.ReviewedBy != "" || r.ReviewedAt != nil):
			t.Errorf("revision 4 reviewed: %+v", r)
		case r.Revision == 2 || r.Revision == 3:
			if r.ReviewedBy != "tina" || r.ReviewedAt == nil {
				t.Errorf("revision %d: reviewed_by %q at %v", r.Revision, r.ReviewedBy, r.ReviewedAt)
			}
		case r.Revision == 1 && r.ReviewedBy != "admin":
			t.Errorf("the admin's revision was not reviewed on save: %q", r.ReviewedBy)
		}
	}
	// The header counts the pages to review, for trainers only.
	rw.signIn("tina")
	body := rw.browse("GET", "/", nil).Body.String()
	if !strings.Contains(body, "3 pages to review") {
		t.Error("the header does not say 3 pages to review")
	}
	// The phone menu's badge says what it counts, to the eye and aloud.
	if got := textOf(mustFind(t, parseHTML(t, body), "details.menu summary .badge-count")); got != "3 pages to review" {
		t.Errorf("menu badge reads %q", got)
	}
	rw.signIn("nina")
	if body := rw.browse("GET", "/", nil).Body.String(); strings.Contains(body, "to review") {
		t.Error("an editor sees the review count")
	}
	wantStatus(t, rw.browse("GET", "/review", nil), 403)
}

func TestReviewQueuePage(t *testing.T) {
	rw := newReviewWiki(t)
	rw.create("vpn", "VPN", "The service desk.\n")
	rw.create("laptop", "Laptop", "Collect it on day one.\n")
	rw.save(rw.olga, "vpn", "The service desk, floor 2.\n", 1)
	rw.save(rw.nina, "laptop", "Nobody knows.\n", 1)
	rw.signIn("tina")
	w := rw.browse("GET", "/review", nil)
	wantStatus(t, w, 200)
	doc := parseHTML(t, w.Body.String())
	items := queryAll(doc, "section.review-item")
	if len(items) != 2 {
		t.Fatalf("%d queue entries, want 2", len(items))
	}
	if got := textOf(mustFind(t, doc, "section.review-item h2")); got != "VPN" {
		t.Errorf("first entry %q, want VPN (oldest first)", got)
	}
	if ins := textOf(mustFind(t, doc, "section.review-item table.diff ins")); ins != ", floor 2" {
		t.Errorf("the diff shows %q inserted", ins)
	}
	// Cohort filter.
	doc = parseHTML(t, rw.browse("GET", "/review?cohort=nov", nil).Body.String())
	if n := len(queryAll(doc, "section.review-item")); n != 1 {
		t.Errorf("nov's queue has %d entries", n)
	}
	// Mark reviewed, then revert the other; both go back to the queue.
	w = rw.post("/review", url.Values{"slug": {"vpn"}, "revision": {"2"}, "action": {"reviewed"}})
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/review" {
		t.Errorf("redirect to %q", loc)
	}
	// The flash names the page by its title.
	if got := textOf(mustFind(t, parseHTML(t, rw.browse("GET", "/review", nil).Body.String()), "p.flash")); !strings.Contains(got, "of “VPN” reviewed") {
		t.Errorf("flash %q", got)
	}
	// A revert against a stale view is refused and changes nothing.
	rw.save(rw.nina, "laptop", "Nobody knows at all.\n", 2)
	wantStatus(t, rw.post("/review", url.Values{"slug": {"laptop"}, "revision": {"2"}, "action": {"revert"}, "cohort": {"nov"}}), http.StatusConflict)
	w = rw.post("/review", url.Values{"slug": {"laptop"}, "revision": {"3"}, "action": {"revert"}, "cohort": {"nov"}})
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/review?cohort=nov" {
		t.Errorf("redirect to %q", loc)
	}
	w = rw.browse("GET", "/review", nil)
	if !strings.Contains(w.Body.String(), "Reverted “Laptop”") || !strings.Contains(w.Body.String(), "Nothing to review") {
		t.Errorf("after the revert the queue says: %s", textOf(mustFind(t, parseHTML(t, w.Body.String()), "main")))
	}
	p := decode[apiPage](t, rw.api("GET", "/api/v1/pages/laptop", ""))
	if p.Markdown != "Collect it on day one.\n" || p.Revision != 4 {
		t.Errorf("laptop after revert: %d %q", p.Revision, p.Markdown)
	}
	// Bad form input is a 400 and changes nothing.
	for _, f := range []url.Values{
		{"slug": {"vpn"}, "revision": {"2"}, "action": {"approve"}},
		{"slug": {"Not a slug!"}, "revision": {"2"}, "action": {"reviewed"}},
		{"slug": {"vpn"}, "revision": {"0"}, "action": {"reviewed"}},
	} {
		wantStatus(t, rw.post("/review", f), 400)
	}
	// History and the page's info show who reviewed.
	doc = parseHTML(t, rw.browse("GET", "/history/vpn", nil).Body.String())
	if got := textOf(mustFind(t, doc, "table.history tbody tr span.reviewed")); got != "✓ tina" {
		t.Errorf("history says %q", got)
	}
	doc = parseHTML(t, rw.browse("GET", "/wiki/vpn", nil).Body.String())
	if got := textOf(mustFind(t, doc, ".page-head .meta .reviewed")); got != "reviewed by tina" {
		t.Errorf("page info says %q", got)
	}
}

func TestRecentChanges(t *testing.T) {
	rw := newReviewWiki(t)
	rw.create("travel/trains", "Trains", "Book through the portal.\n")
	rw.save(rw.olga, "travel/trains", "Book through the portal. Second class.\n", 1)
	w := rw.apiAs(rw.nina, "PUT", "/api/v1/pages/vpn", put("Ask IT.\n", 0, `,"tags":["it"]`))
	wantStatus(t, w, 201)
	rw.save(rw.olga, "vpn", "Ask IT first.\n", 1)
	get := func(q string) apiRecentList {
		t.Helper()
		w := rw.apiAs(rw.rita, "GET", "/api/v1/changes"+q, "")
		wantStatus(t, w, 200)
		return decode[apiRecentList](t, w)
	}
	names := func(l apiRecentList) []string {
		var out []string
		for _, c := range l.Changes {
			out = append(out, string(c.Slug)+"#"+itoa(c.Revision))
		}
		return out
	}
	cases := []struct{ q, want string }{
		{"", "vpn#2 vpn#1 travel/trains#2 travel/trains#1"},
		{"?cohort=oct", "vpn#2 travel/trains#2"},
		{"?author=nina", "vpn#1"},
		{"?prefix=travel/", "travel/trains#2 travel/trains#1"},
		{"?tag=it", "vpn#2 vpn#1"},
		{"?unreviewed=true", "vpn#2 vpn#1 travel/trains#2"},
		{"?unreviewed=true&cohort=nov", "vpn#1"},
		{"?page=vpn", "vpn#2 vpn#1"},
		{"?since=2000-01-01&until=2999-12-31", "vpn#2 vpn#1 travel/trains#2 travel/trains#1"},
		{"?until=2000-01-01", ""},
	}
	for _, c := range cases {
		if got := strings.Join(names(get(c.q)), " "); got != c.want {
			t.Errorf("changes%s = %q, want %q", c.q, got, c.want)
		}
	}
	// Paging by cursor, one at a time, gives the same rows.
	var all []string
	q := "?limit=1"
	for i := 0; i < 10; i++ {
		l := get(q)
		all = append(all, names(l)...)
		if l.NextCursor == "" {
			break
		}
		q = "?limit=1&cursor=" + url.QueryEscape(l.NextCursor)
	}
	if got := strings.Join(all, " "); got != cases[0].want {
		t.Errorf("paged one at a time: %q", got)
	}
	row := get("?limit=1").Changes[0]
	if row.Reviewed || row.DiffURL != "/diff/vpn?from=1&to=2" || row.HistoryURL != "/history/vpn" || row.Added != 1 || row.Removed != 1 {
		t.Errorf("row %+v", row)
	}
	if row := get("?author=admin").Changes[0]; !row.Reviewed || row.ReviewedBy != "admin" || row.ReviewedAt == nil {
		t.Errorf("the admin's row %+v", row)
	}
	for _, bad := range []string{"?limit=0", "?limit=501", "?since=yesterday", "?unreviewed=maybe", "?cursor=nonsense", "?page=Not%20a%20slug", "?since=2026-02-01&until=2026-01-01"} {
		wantError(t, rw.apiAs(rw.rita, "GET", "/api/v1/changes"+bad, ""), 400, "bad_request")
	}
	wantError(t, rw.apiAs("", "GET", "/api/v1/changes", ""), 401, "unauthorized")

	// The HTML page shows the same rows, with review state and links.
	rw.signIn("rita")
	w = rw.browse("GET", "/changes?cohort=oct", nil)
	wantStatus(t, w, 200)
	doc := parseHTML(t, w.Body.String())
	rows := queryAll(doc, "table.changes tbody tr")
	if len(rows) != 2 {
		t.Fatalf("%d rows for oct", len(rows))
	}
	if got := textOf(mustFind(t, doc, "table.changes tbody tr .pending")); got != "not reviewed" {
		t.Errorf("review column %q", got)
	}
	if a := mustFind(t, doc, `table.changes a[href="/diff/vpn?from=1&to=2"]`); textOf(a) != "diff" {
		t.Error("no diff link")
	}
	wantStatus(t, rw.browse("GET", "/changes?limit=abc", nil), 400)
	doc = parseHTML(t, rw.browse("GET", "/changes?limit=1", nil).Body.String())
	if a := mustFind(t, doc, ".pager a"); !strings.Contains(htmlAttr(a, "href"), "cursor=") {
		t.Errorf("older link %q", htmlAttr(a, "href"))
	}
}

// htmlAttr is the value of n's attribute key, "" if it has none.
func htmlAttr(n *html.Node, key string) string {
	v, _ := attr(n, key)
	return v
}

// parseAtom checks that body is well-formed XML and an Atom feed with the
// elements RFC 4287 requires, and parses it with gofeed's Atom parser.
func parseAtom(t *testing.T, body []byte) *atom.Feed {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		if _, err := dec.Token(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("the feed is not well-formed XML: %v\n%s", err, body)
		}
	}
	f, err := (&atom.Parser{}).Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("gofeed cannot parse the feed: %v\n%s", err, body)
	}
	if f.ID == "" || f.Title == "" || f.Updated == "" || f.UpdatedParsed == nil {
		t.Errorf("feed lacks id, title or a valid updated: %+v", f)
	}
	for _, e := range f.Entries {
		if e.ID == "" || e.Title == "" || e.UpdatedParsed == nil || len(e.Authors) == 0 || e.Authors[0].Name == "" {
			t.Errorf("entry lacks id, title, updated or author: %+v", e)
		}
		alt := false
		for _, l := range e.Links {
			alt = alt || l.Rel == "alternate" && strings.HasPrefix(l.Href, "http://")
		}
		if !alt {
			t.Errorf("entry %q has no absolute alternate link", e.Title)
		}
	}
	return f
}

// feed GETs a feed without cookies or a bearer token, as a feed reader.
func (rw *reviewWiki) feed(path string) *httptest.ResponseRecorder {
	rw.t.Helper()
	return rw.serve(httptest.NewRequest("GET", path, nil))
}

func TestAtomFeedsAndFeedTokens(t *testing.T) {
	rw := newReviewWiki(t)
	rw.create("vpn", "VPN & <access>", "Ask IT.\n")
	rw.save(rw.olga, "vpn", "Ask IT first.\n", 1)
	rw.save(rw.nina, "laptop", "Day one.\n", 0)

	// No token, no session: refused.
	wantStatus(t, rw.feed("/changes.atom"), 401)
	wantStatus(t, rw.feed("/changes.atom?token=forged"), 401)

	w := rw.apiAs(rw.olga, "POST", "/api/v1/me/feed-token", "")
	wantStatus(t, w, 200)
	ft := decode[apiFeedToken](t, w)
	if ft.Token == "" || !strings.Contains(ft.ChangesURL, "token="+ft.Token) || !strings.HasSuffix(ft.WatchingURL, "/me/watching.atom?token="+ft.Token) {
		t.Fatalf("feed token answer %+v", ft)
	}
	w = rw.feed("/changes.atom?token=" + url.QueryEscape(ft.Token))
	wantStatus(t, w, 200)
	if ct := w.Header().Get("Content-Type"); ct != "application/atom+xml; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	f := parseAtom(t, w.Body.Bytes())
	if len(f.Entries) != 3 || !strings.HasPrefix(f.Entries[0].Title, "Laptop") || f.Entries[2].Title != "VPN & <access> — created by admin (revision 1)" {
		var titles []string
		for _, e := range f.Entries {
			titles = append(titles, e.Title)
		}
		t.Errorf("entries %q", titles)
	}
	if strings.Contains(w.Body.String(), ft.Token) {
		t.Error("the feed repeats its token (in its id or self link)")
	}
	// Filters apply; a page's own feed.
	f = parseAtom(t, rw.feed("/changes.atom?cohort=oct&token="+url.QueryEscape(ft.Token)).Body.Bytes())
	if len(f.Entries) != 1 || f.Entries[0].Authors[0].Name != "olga" {
		t.Errorf("oct's feed has %d entries", len(f.Entries))
	}
	f = parseAtom(t, rw.feed("/changes.atom?page=vpn&token="+url.QueryEscape(ft.Token)).Body.Bytes())
	if len(f.Entries) != 2 || !strings.Contains(f.Title, "changes to VPN") {
		t.Errorf("vpn's feed %q has %d entries", f.Title, len(f.Entries))
	}
	wantStatus(t, rw.feed("/changes.atom?limit=x&token="+url.QueryEscape(ft.Token)), 400)

	// The token opens feeds only: not the API, not pages.
	wantError(t, rw.apiAs(ft.Token, "GET", "/api/v1/changes", ""), 401, "unauthorized")
	wantStatus(t, rw.feed("/api/v1/changes?token="+url.QueryEscape(ft.Token)), 401)
	if w := rw.feed("/wiki/vpn?token=" + url.QueryEscape(ft.Token)); w.Code != http.StatusSeeOther {
		t.Errorf("a page with a feed token: %d, want a redirect to sign in", w.Code)
	}

	// Watched changes: olga's own.
	wantStatus(t, rw.apiAs(rw.olga, "PUT", "/api/v1/pages/laptop/watch", ""), 200)
	rw.save(rw.nina, "laptop", "Day two.\n", 1)
	f = parseAtom(t, rw.feed("/me/watching.atom?token="+url.QueryEscape(ft.Token)).Body.Bytes())
	if len(f.Entries) != 2 || !strings.HasPrefix(f.Entries[0].Title, "Laptop") {
		t.Errorf("watching feed has %d entries", len(f.Entries))
	}
	// A session works for a browser; a visitor gets nothing.
	rw.signIn("olga")
	wantStatus(t, rw.browse("GET", "/me/watching.atom", nil), 200)
	wantStatus(t, rw.feed("/me/watching.atom"), 401)

	// A new token revokes the old one.
	ft2 := decode[apiFeedToken](t, rw.apiAs(rw.olga, "POST", "/api/v1/me/feed-token", ""))
	wantStatus(t, rw.feed("/changes.atom?token="+url.QueryEscape(ft.Token)), 401)
	wantStatus(t, rw.feed("/changes.atom?token="+url.QueryEscape(ft2.Token)), 200)
	// A disabled account's token stops working.
	if _, err := rw.accounts.SetDisabled(context.Background(), "olga", true); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, rw.feed("/changes.atom?token="+url.QueryEscape(ft2.Token)), 401)
	// The HTML way: the watchlist page makes a token and shows it once.
	rw.signIn("nina")
	w = rw.post("/me/feed-token", url.Values{})
	wantStatus(t, w, 200)
	doc := parseHTML(t, w.Body.String())
	addr := htmlAttr(mustFind(t, doc, "#feed-watching"), "value")
	u, err := url.Parse(addr)
	if err != nil || u.Query().Get("token") == "" {
		t.Fatalf("feed address %q", addr)
	}
	wantStatus(t, rw.feed(u.RequestURI()), 200)
}

func TestBlameAPIAndPage(t *testing.T) {
	rw := newReviewWiki(t)
	rw.save(rw.olga, "vpn", "## Who?\n\nThe service desk.\n\n## How long?\n\nOne day.\n", 0)
	rw.save(rw.nina, "vpn", "## Who?\n\nThe service desk.\n\n## How long?\n\nOne day.\n\n## Where?\n\nFloor two.\n", 1)
	// tina moves the last answer to the top and re-wraps nothing else.
	rw.save(rw.tina, "vpn", "## Where?\n\nFloor two.\n\n## Who?\n\nThe IT service desk.\n\n## How long?\n\nOne day.\n", 2)
	w := rw.apiAs(rw.rita, "GET", "/api/v1/pages/vpn/blame", "")
	wantStatus(t, w, 200)
	b := decode[apiBlame](t, w)
	var got []string
	for _, l := range b.Lines {
		got = append(got, l.Text+"="+l.Author)
	}
	want := []string{"## Where?=nina", "=", "Floor two.=nina", "=", "## Who?=olga", "=", "The IT service desk.=olga", "=", "## How long?=olga", "=", "One day.=olga"}
	if !slices.Equal(got, want) {
		t.Errorf("blame lines\n got %q\nwant %q", got, want)
	}
	it := b.Lines[6]
	if len(it.Spans) != 3 || it.Spans[1].Text != "IT " || it.Spans[1].Author != "tina" || it.Spans[1].Revision != 3 || it.Cohort != "oct" || it.CreatedAt == nil {
		t.Errorf("line 7 spans %+v", it)
	}
	wantError(t, rw.apiAs(rw.rita, "GET", "/api/v1/pages/nope/blame", ""), 404, "not_found")

	rw.signIn("rita")
	w = rw.browse("GET", "/blame/vpn", nil)
	wantStatus(t, w, 200)
	doc := parseHTML(t, w.Body.String())
	a := mustFind(t, doc, "table.blame td.text a.bl.other")
	if textOf(a) != "IT" || htmlAttr(a, "href") != "/diff/vpn?from=2&to=3" {
		t.Errorf("the changed word links %q to %q", textOf(a), htmlAttr(a, "href"))
	}
	if n := len(queryAll(doc, "ul.legend li")); n != 3 {
		t.Errorf("legend has %d cohorts, want oct, nov and none", n)
	}
	wantStatus(t, rw.browse("GET", "/blame/nope", nil), 404)
}

func TestLinksAfterRenamesAndDeletes(t *testing.T) {
	rw := newReviewWiki(t)
	rw.create("start", "Start here", "Read [[VPN]] and [[Laptops|your laptop]].\n")
	rw.create("vpn", "VPN", "Ask IT.\n")
	backlinks := func(slug string) []string {
		t.Helper()
		w := rw.apiAs(rw.rita, "GET", "/api/v1/pages/"+slug+"/backlinks", "")
		wantStatus(t, w, 200)
		var out []string
		for _, p := range decode[[]apiLinkedPage](t, w) {
			out = append(out, string(p.Slug))
		}
		return out
	}
	wanted := func() []string {
		t.Helper()
		var out []string
		for _, p := range decode[[]apiWanted](t, rw.apiAs(rw.rita, "GET", "/api/v1/wanted", "")) {
			out = append(out, string(p.Slug)+"="+itoa(p.WantedBy))
		}
		return out
	}
	orphans := func() []string {
		t.Helper()
		var out []string
		for _, p := range decode[[]apiLinkedPage](t, rw.apiAs(rw.rita, "GET", "/api/v1/orphans", "")) {
			out = append(out, string(p.Slug))
		}
		return out
	}
	if got := backlinks("vpn"); !slices.Equal(got, []string{"start"}) {
		t.Errorf("backlinks of vpn %v", got)
	}
	if got := wanted(); !slices.Equal(got, []string{"laptops=1"}) {
		t.Errorf("wanted %v", got)
	}
	if got := orphans(); !slices.Contains(got, "start") || slices.Contains(got, "vpn") {
		t.Errorf("orphans %v", got)
	}
	// Rename vpn to it/vpn the way this wiki does: write the new page,
	// delete the old. start still links to vpn, which is now wanted.
	rw.create("it/vpn", "VPN", "Ask IT.\n")
	wantStatus(t, rw.api("DELETE", "/api/v1/pages/vpn", ""), 204)
	if got := wanted(); !slices.Equal(got, []string{"laptops=1", "vpn=1"}) {
		t.Errorf("wanted after the rename %v", got)
	}
	// Fix the link: start links to it/vpn; vpn is wanted by nobody.
	rw.save(rw.olga, "start", "Read [[it/vpn|VPN]] and [[Laptops|your laptop]].\n", 1)
	if got := wanted(); !slices.Equal(got, []string{"laptops=1"}) {
		t.Errorf("wanted after fixing the link %v", got)
	}
	if got := backlinks("it/vpn"); !slices.Equal(got, []string{"start"}) {
		t.Errorf("backlinks of it/vpn %v", got)
	}
	// Someone writes the wanted page: it is wanted no more.
	rw.save(rw.nina, "laptops", "Day one.\n", 0)
	if got := wanted(); len(got) != 0 {
		t.Errorf("wanted after writing laptops %v", got)
	}
	// Deleting start takes its links away; restoring it brings them back.
	wantStatus(t, rw.api("DELETE", "/api/v1/pages/start", ""), 204)
	if got := backlinks("it/vpn"); len(got) != 0 {
		t.Errorf("backlinks from a deleted page %v", got)
	}
	wantStatus(t, rw.api("POST", "/api/v1/pages/start/revert", `{"revision":2}`), 200)
	if got := backlinks("it/vpn"); !slices.Equal(got, []string{"start"}) {
		t.Errorf("backlinks after restoring start %v", got)
	}
	// The page shows what links here; the HTML lists render.
	rw.signIn("rita")
	doc := parseHTML(t, rw.browse("GET", "/wiki/it/vpn", nil).Body.String())
	if got := textOf(mustFind(t, doc, "section.backlinks li a")); got != "Start here" {
		t.Errorf("what links here: %q", got)
	}
	wantStatus(t, rw.browse("GET", "/wanted", nil), 200)
	wantStatus(t, rw.browse("GET", "/orphans", nil), 200)
}

func TestWatchlistSinceLastVisit(t *testing.T) {
	rw := newReviewWiki(t)
	rw.create("vpn", "VPN", "Ask IT.\n")
	rw.create("handover", "Hand-over", "Read me.\n")
	rw.create("it/printers", "Printers", "Floor 2.\n")
	watching := func(all bool) []string {
		t.Helper()
		p := "/api/v1/me/watching"
		if all {
			p += "?all=true"
		}
		w := rw.apiAs(rw.olga, "GET", p, "")
		wantStatus(t, w, 200)
		var out []string
		for _, it := range decode[[]apiWatched](t, w) {
			out = append(out, string(it.Slug)+" "+it.Via+" "+itoa(it.SeenRevision)+"/"+itoa(it.Revision))
		}
		return out
	}
	wantStatus(t, rw.apiAs(rw.olga, "PUT", "/api/v1/pages/vpn/watch", ""), 200)
	wantStatus(t, rw.apiAs(rw.olga, "PUT", "/api/v1/pages/it/watch?prefix=true", ""), 200)
	if got := watching(false); len(got) != 0 {
		t.Errorf("changed right after watching: %v", got)
	}
	rw.save(rw.nina, "vpn", "Ask IT first.\n", 1)
	rw.save(rw.nina, "it/desks", "Book them.\n", 0)
	if got, want := watching(false), []string{"it/desks prefix 0/1", "vpn page 1/2"}; !slices.Equal(got, want) {
		t.Errorf("changed: %v, want %v", got, want)
	}
	// The HTML watchlist shows the diff from what olga saw.
	rw.signIn("olga")
	doc := parseHTML(t, rw.browse("GET", "/me/watching", nil).Body.String())
	if got := textOf(mustFind(t, doc, "article.watch-item table.diff ins")); got != " first" {
		t.Errorf("watchlist diff shows %q inserted", got)
	}
	// Opening the page clears it.
	wantStatus(t, rw.browse("GET", "/wiki/vpn", nil), 200)
	if got, want := watching(false), []string{"it/desks prefix 0/1"}; !slices.Equal(got, want) {
		t.Errorf("after opening vpn: %v, want %v", got, want)
	}
	// A trainer makes cohort oct read the hand-over page.
	wantError(t, rw.apiAs(rw.olga, "PUT", "/api/v1/cohorts/oct/reading", `{"slugs":["handover"]}`), 403, "forbidden")
	wantStatus(t, rw.apiAs(rw.tina, "PUT", "/api/v1/cohorts/oct/reading", `{"slugs":["handover","/wiki/vpn"]}`), 200)
	if r := decode[apiReading](t, rw.apiAs(rw.rita, "GET", "/api/v1/cohorts/oct/reading", "")); !slices.Equal(r.Slugs, []wiki.Slug{"handover", "vpn"}) {
		t.Errorf("reading list %v", r.Slugs)
	}
	wantError(t, rw.apiAs(rw.tina, "PUT", "/api/v1/cohorts/oct/reading", `{"slugs":["Not a slug"]}`), 400, "bad_request")
	wantError(t, rw.apiAs(rw.tina, "PUT", "/api/v1/cohorts/none/reading", `{"slugs":[]}`), 404, "not_found")
	if got, want := watching(false), []string{"it/desks prefix 0/1", "handover cohort 0/1"}; !slices.Equal(got, want) { // most recently changed first
		t.Errorf("with the reading list: %v, want %v", got, want)
	}
	doc = parseHTML(t, rw.browse("GET", "/me/watching", nil).Body.String())
	if got := textOf(mustFind(t, doc, "ul.watch-list li a")); got != "Hand-over" {
		t.Errorf("unread reading list shows %q", got)
	}
	wantStatus(t, rw.browse("GET", "/wiki/handover", nil), 200)
	if got := watching(false); slices.Contains(got, "handover cohort 0/1") {
		t.Errorf("the hand-over page is still unread after opening it: %v", got)
	}
	// Nina, in another cohort, has no reading list.
	if w := rw.apiAs(rw.nina, "GET", "/api/v1/me/watching?all=true", ""); len(decode[[]apiWatched](t, w)) != 0 {
		t.Errorf("nina's watchlist %s", w.Body.String())
	}
	// Unwatch by the HTML button, and the API.
	w := rw.post("/watch/vpn", url.Values{"action": {"unwatch"}})
	wantStatus(t, w, http.StatusSeeOther)
	wantStatus(t, rw.apiAs(rw.olga, "DELETE", "/api/v1/pages/it/watch", ""), 204)
	if got := watching(true); !slices.Equal(got, []string{"handover cohort 1/1", "vpn cohort 2/2"}) {
		t.Errorf("after unwatching: %v", got)
	}
	wantStatus(t, rw.post("/watch/vpn", url.Values{"action": {"stare"}}), 400)
	wantError(t, rw.apiAs(rw.olga, "PUT", "/api/v1/pages/vpn/watch?prefix=maybe", ""), 400, "bad_request")
	wantError(t, rw.apiAs("", "PUT", "/api/v1/pages/vpn/watch", ""), 401, "unauthorized")
	// The page's watch button says what it will do.
	w = rw.post("/watch/vpn", url.Values{"action": {"watch"}, "prefix": {"on"}})
	wantStatus(t, w, http.StatusSeeOther)
	doc = parseHTML(t, rw.browse("GET", "/wiki/vpn", nil).Body.String())
	if got := textOf(mustFind(t, doc, "form.watch button")); got != "Unwatch (with sub-pages)" {
		t.Errorf("watch button %q", got)
	}
}

// TestOpenWikiVisitorsCannotWatch: on a wiki open for reading, visitors
// read changes and blame but watching needs an account.
func TestOpenWikiVisitorsCannotWatch(t *testing.T) {
	ts := newTestServerWith(t, Config{OpenReading: true})
	ts.create("vpn", "VPN", "Ask IT.\n")
	ts.signOut()
	wantStatus(t, ts.browse("GET", "/changes", nil), 200)
	wantStatus(t, ts.browse("GET", "/blame/vpn", nil), 200)
	wantStatus(t, ts.browse("GET", "/changes.atom", nil), 200)
	wantError(t, ts.apiAs("", "PUT", "/api/v1/pages/vpn/watch", ""), 401, "unauthorized")
	wantError(t, ts.apiAs("", "GET", "/api/v1/me/watching", ""), 401, "unauthorized")
	if w := ts.browse("GET", "/me/watching", nil); w.Code != http.StatusSeeOther {
		t.Errorf("a visitor's watchlist: %d", w.Code)
	}
	wantStatus(t, ts.browse("GET", "/me/watching.atom", nil), 401)
}

// A page of very many lines is refused by blame with a clear 400 instead
// of hundreds of megabytes of attribution, and its diff page shows the
// size of the change, not every line of it.
func TestBlameAndDiffOfAHugePage(t *testing.T) {
	rw := newReviewWiki(t)
	rw.save(rw.olga, "big", strings.Repeat("a\n", wiki.MaxBlameLines+10), 0)
	rw.save(rw.nina, "big", strings.Repeat("b\n", wiki.MaxBlameLines+10), 1)
	wantError(t, rw.apiAs(rw.rita, "GET", "/api/v1/pages/big/blame", ""), 400, "bad_request")
	rw.signIn("rita")
	wantStatus(t, rw.browse("GET", "/blame/big", nil), 400)
	w := rw.browse("GET", "/diff/big?from=1&to=2", nil)
	wantStatus(t, w, 200)
	doc := parseHTML(t, w.Body.String())
	if got := textOf(mustFind(t, doc, "p.notice")); !strings.Contains(got, "too large to show line by line") {
		t.Errorf("notice %q", got)
	}
	if len(queryAll(doc, "table.diff")) != 0 || w.Body.Len() > 64<<10 {
		t.Errorf("the diff page shows the lines anyway (%d bytes)", w.Body.Len())
	}
	// A page under the limit is blamed as ever.
	rw.save(rw.tina, "big", strings.Repeat("c\n", 100), 2)
	wantStatus(t, rw.apiAs(rw.rita, "GET", "/api/v1/pages/big/blame", ""), 200)
}

// With a cohort chosen, a page that other cohorts changed too since its
// last review says that its buttons cover their changes as well; a page
// only that cohort changed says nothing of the kind.
func TestReviewQueueWarnsOfOtherCohorts(t *testing.T) {
	rw := newReviewWiki(t)
	rw.create("vpn", "VPN", "The service desk.\n")
	rw.create("laptop", "Laptop", "Collect it on day one.\n")
	rw.save(rw.nina, "vpn", "The service desk, floor 2.\n", 1)
	rw.save(rw.nina, "laptop", "Collect it on day two.\n", 1)
	rw.save(rw.olga, "laptop", "Collect it on day two, at reception.\n", 2)
	rw.signIn("tina")
	doc := parseHTML(t, rw.browse("GET", "/review?cohort=nov", nil).Body.String())
	items := queryAll(doc, "section.review-item")
	if len(items) != 2 {
		t.Fatalf("%d entries, want 2", len(items))
	}
	notes := queryAll(doc, "section.review-item .notice.others")
	if len(notes) != 1 {
		t.Fatalf("%d notices of other cohorts, want 1 (on laptop)", len(notes))
	}
	if got, want := textOf(notes[0]), "Changed since its last review by November, October: Mark reviewed and Revert cover all their changes, not only November's."; got != want {
		t.Errorf("notice %q, want %q", got, want)
	}
	if got := textOf(mustFind(t, items[1], "h2")); got != "Laptop" || len(queryAll(items[1], ".notice.others")) != 1 {
		t.Errorf("the notice is not on Laptop's entry (%q)", got)
	}
	// Without a cohort chosen there is nothing to warn of.
	doc = parseHTML(t, rw.browse("GET", "/review", nil).Body.String())
	if n := len(queryAll(doc, ".notice.others")); n != 0 {
		t.Errorf("%d notices with every cohort shown", n)
	}
}

// A page says how many of its changes wait for review: a trainer's own
// edit is reviewed as it is saved, but the cohort's changes before it are
// not, and the page must not read "reviewed" until they are.
func TestPageSaysWhichChangesWaitForReview(t *testing.T) {
	rw := newReviewWiki(t)
	meta := func() string {
		t.Helper()
		return strings.Join(strings.Fields(textOf(mustFind(t, parseHTML(t, rw.browse("GET", "/wiki/parking", nil).Body.String()), ".page-head .meta"))), " ")
	}
	want := func(what, in, sub string, present bool) {
		t.Helper()
		if strings.Contains(in, sub) != present {
			t.Errorf("%s: the page's line reads %q; want %q in it: %v", what, in, sub, present)
		}
	}
	r := rw.save(rw.olga, "parking", "Park behind the office.\n", 0)
	want("one change", meta(), "· not reviewed yet", true)
	r = rw.save(rw.nina, "parking", "Park behind the office, level 2.\n", r)
	want("two changes", meta(), "2 changes not reviewed yet", true)
	r = rw.save(rw.tina, "parking", "Park behind the office, level 2. Ask for a permit.\n", r)
	m := meta()
	want("after the trainer's edit", m, "2 earlier changes not reviewed yet", true)
	want("after the trainer's edit", m, "reviewed by", false)
	wantStatus(t, rw.apiAs(rw.tina, "POST", "/api/v1/pages/parking/revisions/1/review", ""), 200)
	want("one left", meta(), "an earlier change not reviewed yet", true)
	wantStatus(t, rw.apiAs(rw.tina, "POST", "/api/v1/pages/parking/revisions/"+strconv.Itoa(r)+"/review", ""), 200)
	want("all reviewed", meta(), "reviewed by tina", true)
}
