package main

// Browser tests of review: the queue a trainer works through (mark
// reviewed while someone edits, revert), blame and the watchlist, on a
// phone as well as a desktop. With FAQWIKI_SCREENSHOTS set they keep
// screenshots of the three screens.

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/faqwiki/faqwiki/wiki"
)

// reviewWiki is a running wiki whose browserUser is a trainer, with two
// editors in two cohorts and their API tokens.
type reviewWiki struct {
	*testWiki
	ben, cy string // API tokens: ben is in October, cy in November
}

func startReviewWiki(t *testing.T) *reviewWiki {
	t.Helper()
	data := t.TempDir()
	db, err := openStore(data)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	acc := wiki.NewAccounts(wiki.AccountsConfig{Store: db, Password: wiki.PasswordParams{Time: 1, Memory: 64, Threads: 1}})
	cohorts := wiki.NewCohorts(wiki.CohortsConfig{Accounts: db, Pages: db})
	start := time.Now().UTC().AddDate(0, 0, -40)
	for _, c := range []wiki.NewCohort{{ID: "2026-10-eng", Name: "October engineers", StartsOn: start}, {ID: "2026-11-ops", Name: "November operations", StartsOn: start.AddDate(0, 0, 30)}} {
		if _, err := cohorts.Create(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	tokens := map[string]string{}
	for _, p := range []struct{ name, display, cohort string }{
		{browserUser, "Ada Lovelace", ""}, {"ben", "Ben Okafor", "2026-10-eng"}, {"cy", "Cy Tanaka", "2026-11-ops"},
	} {
		role := wiki.RoleEditor
		if p.name == browserUser {
			role = wiki.RoleTrainer
		}
		if _, err := acc.CreateAccount(ctx, wiki.NewAccount{Username: p.name, DisplayName: p.display, Password: browserPassword, Role: role, Cohort: p.cohort}); err != nil {
			t.Fatal(err)
		}
		if tokens[p.name], _, err = acc.CreateToken(ctx, p.name, "browser tests"); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return &reviewWiki{testWiki: &testWiki{base: MustRunMain(t, data), token: tokens[browserUser]}, ben: tokens["ben"], cy: tokens["cy"]}
}

// as saves a page with another person's token.
func (w *reviewWiki) as(t *testing.T, token, slug, title, markdown string, base int) int {
	t.Helper()
	saved := w.token
	w.token = token
	defer func() { w.token = saved }()
	return w.putPage(t, slug, title, markdown, base)
}

const firstWeek = `Everything you need in your first five days. Ask your buddy first; they were new here not long ago.

## When do I get my laptop?

IT hands out laptops on your first morning at the service desk on floor two. Bring your ID.

## Who is my buddy?

Your manager picks a buddy from another team before you start. You meet them at lunch on day one.

## How do I book a desk?

Use the desk app. Book by Thursday for the week after.
`

func TestBrowserReviewQueue(t *testing.T) {
	w := startReviewWiki(t)
	// The trainer writes two pages (reviewed on save); the cohorts edit them.
	w.putPage(t, "onboarding", "Onboarding", "Start with [[onboarding/first-week|your first week]].\n", 0)
	w.putPage(t, "onboarding/first-week", "Your first week", firstWeek, 0)
	vpn := "## Who gives VPN access?\n\nThe service desk, within one working day of your ticket.\n"
	w.putPage(t, "it/vpn", "VPN access", vpn, 0)
	fw := strings.Replace(firstWeek, "Bring your ID.", "Bring your ID and your signed laptop form.", 1)
	w.as(t, w.ben, "onboarding/first-week", "Your first week", fw, 1)
	fw = strings.Replace(fw, "Book by Thursday", "Book by Wednesday", 1) + "\n## Where do I park?\n\nVisitors park behind building B; staff get a permit in week two.\n"
	w.as(t, w.cy, "onboarding/first-week", "Your first week", fw, 2)
	w.as(t, w.cy, "it/vpn", "VPN access", "## Who gives VPN access?\n\nNobody, just use the guest wifi.\n", 1)
	w.as(t, w.ben, "travel/expenses", "Expenses", "## How do I claim expenses?\n\nSubmit receipts in the finance portal within 30 days.\n", 0)

	bctx := newBrowser(t)
	tb := openTab(t, bctx)
	tb.signIn(w.testWiki, "/review")
	wantEqual(t, "review count in the header", tb.text("nav a.review-count"), "3 pages to review")
	wantEqual(t, "entries in the queue", tb.count("section.review-item"), 3)
	wantEqual(t, "oldest first", tb.text("section.review-item h2"), "Your first week")
	wantContains(t, "the combined diff", tb.text("section.review-item table.diff"), "signed laptop form")
	wantContains(t, "the combined diff", tb.text("section.review-item table.diff"), "Where do I park?")
	tb.screenshot("review-queue-desktop")

	// Ben saves again while the trainer reads: marking reviewed covers
	// what she saw, and his new revision waits in the queue.
	w.as(t, w.ben, "onboarding/first-week", "Your first week", fw+"\nParking permits come from reception.\n", 3)
	if code := tb.follow(`section.review-item button[value=reviewed]`); code != 200 {
		t.Fatalf("mark reviewed: status %d", code)
	}
	wantContains(t, "flash after marking reviewed", tb.flash(), "changed again since you looked")
	wantEqual(t, "entries after marking reviewed", tb.count("section.review-item"), 3)
	first := js[[]string](tb, `[...document.querySelectorAll("section.review-item")].map(s => s.querySelector("h2").textContent.trim() + " " + s.querySelectorAll("ol.review-revs li").length)`)
	wantEqual(t, "the queue after marking reviewed", strings.Join(first, ", "), "VPN access 1, Expenses 1, Your first week 1")

	// Revert the vandalised VPN page to its last reviewed revision.
	if code := tb.follow(`section.review-item[aria-labelledby="ri-it/vpn"] button[value=revert]`); code != 200 {
		t.Fatalf("revert: status %d", code)
	}
	wantContains(t, "flash after revert", tb.flash(), "Reverted “VPN access”")
	wantEqual(t, "entries after the revert", tb.count("section.review-item"), 2)
	resp := w.api(t, http.MethodGet, "/api/v1/pages/it/vpn", nil)
	var page struct {
		Markdown string `json:"markdown"`
		Revision int    `json:"revision"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	wantEqual(t, "VPN text after the revert", page.Markdown, vpn)
	wantEqual(t, "VPN revision after the revert", page.Revision, 3)
	wantEqual(t, "review count after the revert", tb.text("nav a.review-count"), "2 pages to review")

	// Blame: the words each cohort changed, shaded, each a link to its diff.
	tb.open(w.base + "/blame/onboarding/first-week")
	wantEqual(t, "status of blame", tb.count("table.blame tbody tr") > 10, true)
	other := tb.texts("table.blame a.bl.other")
	wantContains(t, "words a later revision changed", strings.Join(other, "|"), "Wednesday")
	if code := tb.follow(`table.blame a.bl.other`); code != 200 {
		t.Fatalf("open a blamed word's diff: %d", code)
	}
	wantContains(t, "a blamed word opens its revision's diff", tb.diffQuery(), "/diff/onboarding/first-week from=")
	tb.open(w.base + "/blame/onboarding/first-week")
	tb.screenshot("blame-desktop")

	// Watch the onboarding pages, sub-pages included, from the page.
	tb.open(w.base + "/wiki/onboarding")
	tb.do("tick 'and its sub-pages'", chromedp.Click(chromedp.CSS(`form.watch input[name=prefix]`)))
	if code := tb.follow(`form.watch button[value=watch]`); code != 200 {
		t.Fatalf("watch: %d", code)
	}
	wantEqual(t, "the button after watching", tb.text("form.watch button"), "Unwatch (with sub-pages)")
	w.as(t, w.cy, "onboarding/first-week", "Your first week", strings.Replace(fw, "floor two", "floor three", 1)+"\nParking permits come from reception.\n", 4)
	w.as(t, w.cy, "onboarding/buddy", "Your buddy", "## What does my buddy do?\n\nAnswers the questions you feel silly asking.\n", 0)
	tb.open(w.base + "/me/watching")
	wantEqual(t, "changed watched pages", tb.count("article.watch-item"), 2)
	wantContains(t, "the watchlist diffs", strings.Join(tb.texts("article.watch-item table.diff"), "|"), "floor three")
	tb.screenshot("watchlist-desktop")
	tb.open(w.base + "/wiki/onboarding/first-week")
	tb.open(w.base + "/me/watching")
	wantEqual(t, "changed after opening one", tb.count("article.watch-item"), 1)

	// Recent changes: every revision, with its review state.
	tb.open(w.base + "/changes")
	wantEqual(t, "rows of recent changes", tb.count("table.changes tbody tr"), 13) // with the welcome and front pages
	wantEqual(t, "unreviewed rows", tb.count("table.changes tbody tr .pending"), 4)
	tb.screenshot("changes-desktop")

	// The same three screens on a phone: nothing scrolls sideways.
	ph := newTab(t, bctx)
	ph.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateTouch, chromedp.EmulateScale(2)))
	for _, c := range []struct{ name, path string }{
		{"review-queue-phone", "/review"},
		{"blame-phone", "/blame/onboarding/first-week"},
		{"watchlist-phone", "/me/watching"},
	} {
		wantEqual(t, "status of "+c.path, ph.open(w.base+c.path), 200)
		type widths struct{ Scroll, Inner int }
		wd := js[widths](ph, `({Scroll: document.documentElement.scrollWidth, Inner: window.innerWidth})`)
		if wd.Scroll > wd.Inner {
			t.Errorf("%s scrolls sideways on a phone: %d > %d", c.path, wd.Scroll, wd.Inner)
		}
		ph.screenshot(c.name)
	}
}

// TestBrowserUndoOneChange: from the diff of one bad change, a trainer
// takes it back alone; the change saved after it stays. On a phone the
// diff page with its undo button does not scroll sideways.
func TestBrowserUndoOneChange(t *testing.T) {
	w := startReviewWiki(t)
	w.putPage(t, "onboarding/first-week", "Your first week", firstWeek, 0)
	bad := strings.Replace(firstWeek, "Bring your ID.", "No need to bring anything.", 1)
	w.as(t, w.ben, "onboarding/first-week", "Your first week", bad, 1)
	later := strings.Replace(bad, "Book by Thursday", "Book by Wednesday", 1)
	w.as(t, w.cy, "onboarding/first-week", "Your first week", later, 2)

	bctx := newBrowser(t)
	tb := openTab(t, bctx)
	tb.signIn(w.testWiki, "/diff/onboarding/first-week?from=1&to=2")
	wantContains(t, "the undo form", tb.text("form.undo"), "the changes saved since stay")
	tb.screenshot("undo-desktop")
	if code := tb.follow(`form.undo button`); code != 200 {
		t.Fatalf("undo: status %d", code)
	}
	wantContains(t, "flash after the undo", tb.flash(), "Undid the change of revision 2 as revision 4")
	resp := w.api(t, http.MethodGet, "/api/v1/pages/onboarding/first-week", nil)
	var page struct {
		Markdown string `json:"markdown"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	wantEqual(t, "text after the undo", page.Markdown, strings.Replace(firstWeek, "Book by Thursday", "Book by Wednesday", 1))

	ph := newTab(t, bctx)
	ph.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateTouch, chromedp.EmulateScale(2)))
	wantEqual(t, "status of the diff on a phone", ph.open(w.base+"/diff/onboarding/first-week?from=2&to=3"), 200)
	type widths struct{ Scroll, Inner int }
	wd := js[widths](ph, `({Scroll: document.documentElement.scrollWidth, Inner: window.innerWidth})`)
	if wd.Scroll > wd.Inner {
		t.Errorf("the diff page scrolls sideways on a phone: %d > %d", wd.Scroll, wd.Inner)
	}
	ph.screenshot("undo-phone")
}
