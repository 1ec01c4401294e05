package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/faqwiki/faqwiki/wiki"
)

// TestHomePage: the front page above sections by title, the most opened
// questions this month, recent changes, and gaps for those who can
// answer them.
func TestHomePage(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	ts.create("home", "Start here", "Read [[VPN access]] first.\n")
	ts.create("it", "IT and accounts", "x\n")
	ts.create("it/vpn", "VPN access", "## Who gives access?\n\nIT.\n\n## Which client?\n\nThe blue one.\n")
	ts.create("it/laptop", "Laptop", "x\n")
	ts.create("travel/per-diem", "Per diem", "x\n")
	for _, o := range []wiki.OpenEvent{
		{Query: "vpn", Slug: "it/vpn", Anchor: "who-gives-access"},
		{Query: "vpn who", Slug: "it/vpn", Anchor: "who-gives-access"},
		{Query: "vpn client", Slug: "it/vpn", Anchor: "which-client"},
		{Query: "gone", Slug: "it/vpn", Anchor: "no-such-question"},
	} {
		if err := ts.searchLog.LogOpen(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	// Two people searched for parking permits; one person's search for
	// something else stays off the front page.
	for _, e := range []wiki.SearchEvent{{Query: "parking permit", Person: "x"}, {Query: "parking permit", Person: "y"}, {Query: "reset your password at evil example", Person: "z"}} {
		if err := ts.searchLog.LogSearch(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := ts.searchLog.Flush(); err != nil {
		t.Fatal(err)
	}
	ts.addUser("reader", wiki.RoleReader, "")
	ts.addUser("ed", wiki.RoleEditor, "")
	ts.signIn("ed")
	doc := parseHTML(t, ts.browse("GET", "/", nil).Body.String())
	if h := textOf(mustFind(t, doc, ".front h1")); h != "Start here" {
		t.Errorf("front page title %q", h)
	}
	mustFind(t, doc, `.front .markdown a.wikilink[href=/wiki/it/vpn]`)
	mustFind(t, doc, `.front a[href=/edit/home]`)
	// Sections by title, with counts; the front page is not a section.
	var secs []string
	for _, a := range queryAll(doc, ".sections ul.tree li") {
		secs = append(secs, strings.Join(strings.Fields(textOf(a)), " "))
	}
	if got := strings.Join(secs, " | "); got != "IT and accounts 3 pages | Travel 1 page" {
		t.Errorf("sections: %s", got)
	}
	// Most opened: the question by its heading, most first; a question
	// that is gone is left out.
	opened := queryAll(doc, "ol.opened li a")
	if len(opened) != 2 || textOf(opened[0]) != "Who gives access?" {
		t.Errorf("most opened: %d, first %q", len(opened), textOf(opened[0]))
	} else if href, _ := attr(opened[0], "href"); href != "/wiki/it/vpn#who-gives-access" {
		t.Errorf("opens at %q", href)
	}
	if n := len(queryAll(doc, "ul.changes li")); n != 5 {
		t.Errorf("%d recent changes", n)
	}
	mustFind(t, doc, `ul.gaps a[href="/new?title=parking%20permit"]`)
	if got := textOf(mustFind(t, doc, "ul.gaps")); strings.Contains(got, "evil") {
		t.Errorf("one person's search is on the front page: %q", got)
	}
	// A reader cannot write the answer: no gaps for them.
	ts.signIn("reader")
	doc = parseHTML(t, ts.browse("GET", "/", nil).Body.String())
	if len(queryAll(doc, "ul.gaps")) != 0 {
		t.Error("a reader is asked to write answers")
	}
	if len(queryAll(doc, ".front a[href=/edit/home]")) != 0 {
		t.Error("a reader is offered to edit the front page")
	}
	// A section opened: the pages right below it.
	doc = parseHTML(t, ts.browse("GET", "/?section=it", nil).Body.String())
	mustFind(t, doc, `a.button[href=/wiki/it]`)
	var below []string
	for _, a := range queryAll(doc, "ul.tree li a") {
		below = append(below, textOf(a))
	}
	if strings.Join(below, ",") != "Laptop,VPN access" {
		t.Errorf("below it: %q", below)
	}
	// A new page shows in the sections at once.
	ts.create("zebra", "Aardvark care", "x\n")
	doc = parseHTML(t, ts.browse("GET", "/", nil).Body.String())
	if first := textOf(mustFind(t, doc, ".sections ul.tree li a")); first != "Aardvark care" {
		t.Errorf("after a create, first section %q", first)
	}
}

// TestDeletedPageSaysWhoRestoresIt: the delete page says trainers and
// admins restore it; the deleted page's address offers them the button,
// and tells an editor whom to ask.
func TestDeletedPageSaysWhoRestoresIt(t *testing.T) {
	ts := newTestServer(t)
	ts.create("old", "Old page", "text\n")
	doc := parseHTML(t, ts.browse("GET", "/delete/old", nil).Body.String())
	if p := textOf(mustFind(t, doc, "main p")); !strings.Contains(p, "Trainers and admins") {
		t.Errorf("delete page: %q", p)
	}
	wantStatus(t, ts.post("/delete/old", url.Values{"summary": {"gone"}}), 303)
	w := ts.browse("GET", "/wiki/old", nil)
	wantStatus(t, w, 404)
	doc = parseHTML(t, w.Body.String())
	mustFind(t, doc, `form[action="/revert/old"] input[name=revision][value="1"]`)
	doc = parseHTML(t, ts.browse("GET", "/history/old", nil).Body.String())
	mustFind(t, doc, `form[action="/revert/old"] button`)
	// The button works: the page is back.
	wantStatus(t, ts.post("/revert/old", url.Values{"revision": {"1"}}), 303)
	wantStatus(t, ts.browse("GET", "/wiki/old", nil), 200)
	// An editor sees whom to ask, no button.
	wantStatus(t, ts.post("/delete/old", url.Values{}), 303)
	ts.addUser("ed", wiki.RoleEditor, "")
	ts.signIn("ed")
	doc = parseHTML(t, ts.browse("GET", "/wiki/old", nil).Body.String())
	if len(queryAll(doc, `form[action="/revert/old"]`)) != 0 {
		t.Error("an editor is offered to restore")
	}
	if !strings.Contains(textOf(doc), "Trainers and admins can restore it") {
		t.Error("an editor is not told who restores it")
	}
}
