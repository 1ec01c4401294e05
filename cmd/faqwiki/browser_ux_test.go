package main

// Browser tests of issue 14 on the demo wiki: the home page, the editor,
// people admin, cohorts, links and sign-in, on a desktop and a phone.
// With FAQWIKI_SCREENSHOTS set they keep full-page screenshots of each
// screen, desktop and phone.

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/faqwiki/faqwiki/wiki/wikitest"
)

// signOut forgets the browser's cookies (the sign-out button may be in a
// closed menu).
func (tb *tab) signOut() {
	tb.t.Helper()
	step(tb, "clear cookies", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}))
}

// demoWiki is a running server over a fresh demo data folder, with the
// demo's passwords.
type demoWiki struct {
	testWiki
	passwords map[string]string
}

func startDemo(t *testing.T) *demoWiki {
	t.Helper()
	data := t.TempDir()
	var out, errb syncBuffer
	m := &Main{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, cheapPasswords: true}
	if err := m.Run(context.Background(), []string{"demo", "-data", data}); err != nil {
		t.Fatalf("demo: %v\n%s", err, errb.String())
	}
	d := &demoWiki{passwords: map[string]string{}}
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 3 && strings.Count(f[1], "-") == 3 {
			d.passwords[f[0]] = f[1]
		}
	}
	if len(d.passwords) != len(demoPeople) {
		t.Fatalf("passwords of %d people in the demo's output:\n%s", len(d.passwords), out.String())
	}
	d.base = MustRunMain(t, data)
	return d
}

// signInAs signs in through the form as one of the demo's people and
// lands on next.
func (tb *tab) signInAs(d *demoWiki, user, next string) {
	tb.t.Helper()
	tb.open(d.base + "/login?next=" + url.QueryEscape(next))
	tb.do("fill in the sign-in form",
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), d.passwords[user]),
	)
	if code := tb.follow(`form.login button[type=submit]`); code != 200 {
		tb.t.Fatalf("sign in as %s: status %d: %s", user, code, tb.text("main"))
	}
}

// screenshotTop saves what the screen shows (not the whole page) as
// name.png in $FAQWIKI_SCREENSHOTS: a phone's first screen.
func (tb *tab) screenshotTop(name string) {
	tb.t.Helper()
	dir := os.Getenv("FAQWIKI_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := step(tb, "take a screenshot of the screen", chromedp.CaptureScreenshot())
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

func (tb *tab) phone() {
	tb.t.Helper()
	tb.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateTouch, chromedp.EmulateScale(2)))
}

// noSideways fails the test if the page is wider than the screen, naming
// the elements that stick out.
func (tb *tab) noSideways(what string) {
	tb.t.Helper()
	type widths struct{ Scroll, Inner int }
	w := js[widths](tb, `({Scroll: document.documentElement.scrollWidth, Inner: window.innerWidth})`)
	if w.Scroll <= w.Inner {
		return
	}
	wide := js[[]string](tb, `[...document.querySelectorAll("body *")].filter(e => {
		if (e.getBoundingClientRect().right <= window.innerWidth + 0.5) return false;
		for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
			if (getComputedStyle(p).overflowX !== "visible" || p.getBoundingClientRect().right > window.innerWidth + 0.5) return false;
		}
		return true;
	}).slice(0, 8).map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : "") + " (right edge at " + Math.round(e.getBoundingClientRect().right) + "px)")`)
	tb.t.Errorf("%s is wider than the screen: %d > %d; sticking out: %v", what, w.Scroll, w.Inner, wide)
}

// uxScreens are the screens of the demo people look at first.
var uxScreens = []struct{ name, user, path string }{
	{"home", "tina", "/"},
	{"section", "tina", "/?section=getting-started"},
	{"page", "tina", "/wiki/getting-started/first-week-faq"},
	{"editor", "tina", "/edit/getting-started/first-week-faq"},
	{"new-page", "tina", "/new"},
	{"history", "tina", "/history/getting-started/first-week-faq"},
	{"diff-split", "tina", "/diff/getting-started/first-week-faq?from=1&to=6&view=split"},
	{"cohorts", "tina", "/cohorts"},
	{"cohort", "tina", "/cohorts/2026-11-engineering"},
	{"cohort-future", "tina", "/cohorts/2027-01-engineering"},
	{"review", "tina", "/review"},
	{"people", "alex", "/admin/users"},
	{"directory", "lea", "/people"},
	{"disable", "alex", "/admin/users/omar/disable"},
}

// TestBrowserDemoScreens opens the demo's main screens on a desktop and a
// phone: each answers, nothing is wider than the screen, and the phone's
// header stays one row with search first.
func TestBrowserDemoScreens(t *testing.T) {
	d := startDemo(t)
	// Two browsers: tabs of one share their cookies.
	desk, ph := openTab(t, newBrowser(t)), openTab(t, newBrowser(t))
	ph.phone()
	signedIn := map[*tab]string{}
	for _, s := range uxScreens {
		for _, tb := range []*tab{desk, ph} {
			if signedIn[tb] != s.user {
				if signedIn[tb] != "" {
					tb.signOut()
				}
				tb.signInAs(d, s.user, s.path)
				signedIn[tb] = s.user
			}
			if code := tb.open(d.base + s.path); code != 200 {
				t.Errorf("%s: status %d", s.path, code)
			}
			suffix, screen := "-desktop", "a desktop"
			if tb == ph {
				suffix, screen = "-phone", "a phone"
				tb.noSideways(s.path + " on a phone")
			}
			// The header is sticky: a second row would cover what the
			// page scrolls to.
			if h := js[float64](tb, `document.querySelector("header.site").getBoundingClientRect().height`); h > 80 {
				t.Errorf("%s: the header is %.0f px high on %s: more than one row", s.path, h, screen)
			}
			tb.screenshot("ux-" + s.name + suffix)
			if tb == ph {
				tb.screenshotTop("ux-" + s.name + "-phone-top")
			}
		}
	}
}

// TestBrowserEditor: the editor opens with the cursor in the text; the
// toolbar and the page picker write Markdown; a draft survives a reload
// and is offered back; Ctrl+S saves, after which the draft is gone.
func TestBrowserEditor(t *testing.T) {
	d := startDemo(t)
	tb := openTab(t, newBrowser(t))
	const slug = "/getting-started/first-week-faq"
	tb.signInAs(d, "lea", "/edit"+slug)
	step(tb, "wait for the focus in the text", chromedp.Poll[bool](`document.activeElement.id === "markdown"`))
	wantEqual(t, "toolbar shown", js[bool](tb, `!document.querySelector(".toolbar").hidden`), true)

	// A question at the end.
	js[bool](tb, `(() => { const e = document.getElementById("markdown"); e.setSelectionRange(e.value.length, e.value.length); return true })()`)
	tb.do("add a question", chromedp.Click(chromedp.CSS(`button[data-tool=question]`)))
	wantEqual(t, "selected placeholder", js[string](tb, `(e => e.value.slice(e.selectionStart, e.selectionEnd))(document.getElementById("markdown"))`), "What is the question?")
	tb.do("type the question", chromedp.KeyEvent("Where do I get lunch?"))
	wantContains(t, "text after the question tool", tb.value("#markdown"), "\n\n## Where do I get lunch?\n\nThe answer.")
	// The preview shows it, scrolled down to where the cursor is (the
	// page's preview is taller than its box).
	step(tb, "wait for the preview of the new question", chromedp.Poll[bool](`document.getElementById("preview").textContent.includes("Where do I get lunch?")`))
	step(tb, "wait for the preview to follow the cursor", chromedp.Poll[bool](`(s => s.scrollHeight > s.clientHeight && s.scrollTop > 0)(document.querySelector(".preview"))`))

	// A link to a page, chosen by its title.
	js[bool](tb, `(() => { const e = document.getElementById("markdown"); e.setSelectionRange(e.value.length, e.value.length); return true })()`)
	tb.do("open the page picker", chromedp.Click(chromedp.CSS(`button[data-tool=wikilink]`)))
	wantEqual(t, "picker open", js[bool](tb, `document.getElementById("page-picker").open`), true)
	tb.do("type a title", chromedp.SendKeys(chromedp.ID("picker-q"), "onboarding ov"))
	tb.do("wait for the titles", chromedp.WaitVisible(chromedp.CSS(`#picker-results button.pick`)))
	wantContains(t, "first choice", tb.text(`#picker-results button.pick`), "Onboarding overview")
	tb.do("choose it", chromedp.Click(chromedp.CSS(`#picker-results button.pick`)))
	wantEqual(t, "picker closed", js[bool](tb, `document.getElementById("page-picker").open`), false)
	wantContains(t, "text after the picker", tb.value("#markdown"), "[[Onboarding overview]]")
	tb.do("wait for the preview", chromedp.WaitVisible(chromedp.CSS(`#preview a.wikilink[href="/wiki/getting-started"]`)))

	// Reload without saving: the draft is offered back.
	step(tb, "wait for the draft to be kept", chromedp.Poll[bool](`localStorage.getItem("faqwiki-draft:getting-started/first-week-faq") !== null`))
	tb.open(d.base + "/edit" + slug) // the "leave?" dialog is accepted
	tb.do("wait for the offer", chromedp.WaitVisible(chromedp.ID("draft-offer")))
	if strings.Contains(tb.value("#markdown"), "Where do I get lunch?") {
		t.Fatal("the server's text has the unsaved question")
	}
	tb.do("restore the draft", chromedp.Click(chromedp.CSS(`#draft-offer button`)))
	wantContains(t, "text after restoring", tb.value("#markdown"), "## Where do I get lunch?")

	// The session ends before the save: nothing is saved, the page says
	// why, and after signing in again the editor offers the text back.
	step(tb, "end the session", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "faqwiki_session", URL: d.base + "/"})
		return err
	}))
	wantEqual(t, "status of a save without a session", tb.follow(`#save-button`), 401)
	wantContains(t, "what the page says", tb.text("main"), "not saved")
	tb.signInAs(d, "lea", "/edit"+slug)
	tb.do("wait for the offer after signing in again", chromedp.WaitVisible(chromedp.ID("draft-offer")))
	tb.do("restore the draft again", chromedp.Click(chromedp.CSS(`#draft-offer button`)))
	wantContains(t, "text after restoring again", tb.value("#markdown"), "## Where do I get lunch?")

	// Ctrl+S saves.
	tb.do("focus the text", chromedp.Focus(chromedp.ID("markdown")))
	step(tb, "press Ctrl+S and wait for the page", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.RunResponse(ctx, chromedp.KeyEvent("s", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
		return err
	}))
	wantEqual(t, "after Ctrl+S", tb.path(), "/wiki"+slug)
	wantContains(t, "flash", tb.flash(), "Saved revision")
	wantContains(t, "saved text", tb.text(".markdown"), "Where do I get lunch?")
	wantEqual(t, "draft after saving", js[bool](tb, `localStorage.getItem("faqwiki-draft:getting-started/first-week-faq") === null`), true)
	// The Edit button says its key.
	wantEqual(t, "e hint on a desktop", js[string](tb, `getComputedStyle(document.querySelector(".page-actions kbd.key-hint")).display`), "inline")
}

// TestBrowserNewPageAddress: the new-page form shows the address the
// title makes as it is typed, and says when a page lives there.
func TestBrowserNewPageAddress(t *testing.T) {
	d := startDemo(t)
	tb := openTab(t, newBrowser(t))
	tb.signInAs(d, "sam", "/new")
	step(tb, "wait for the focus in the title", chromedp.Poll[bool](`document.activeElement.id === "title"`))
	tb.do("type a title", chromedp.SendKeys(chromedp.ID("title"), "Where is the gym?"))
	step(tb, "wait for the address", chromedp.Poll[bool](`document.getElementById("slug-preview").textContent.includes("/wiki/where-is-the-gym")`))
	js[bool](tb, `(document.getElementById("title").value = "", true)`)
	tb.do("type a taken title", chromedp.SendKeys(chromedp.ID("title"), "About"))
	step(tb, "wait for the warning", chromedp.Poll[bool](`document.getElementById("slug-preview").textContent.includes("already lives there")`))
}

// TestBrowserPersonMenu: on a desktop the person's own links (account,
// watchlist, cohorts, people, sign out) sit under their name in the
// header; the menu opens with a click, and a click elsewhere or Escape
// closes it.
func TestBrowserPersonMenu(t *testing.T) {
	d := startDemo(t)
	tb := openTab(t, newBrowser(t))
	tb.signInAs(d, "alex", "/")
	shown := func(sel string) bool {
		return js[bool](tb, `(e => !!e && e.checkVisibility() && e.getBoundingClientRect().width > 0)(document.querySelector(`+"`"+sel+"`"+`))`)
	}
	wantEqual(t, "name in the header", tb.text("header.site nav.wide summary.me"), "Alex Admin")
	wantEqual(t, "people link before the menu opens", shown(`nav.wide details.more a[href="/admin/users"]`), false)
	tb.do("open the person's menu", chromedp.Click(chromedp.CSS(`nav.wide summary.me`)))
	for _, sel := range []string{`a[href="/account"]`, `a[href="/me/watching"]`, `a[href="/cohorts"]`, `a[href="/admin/users"]`, `button.link`} {
		wantEqual(t, sel+" in the open menu", shown(`nav.wide details.more `+sel), true)
	}
	tb.do("click beside the menu", chromedp.Click(chromedp.CSS(`main h1, main h2`)))
	wantEqual(t, "menu open after a click elsewhere", js[bool](tb, `document.querySelector("details.more").open`), false)
	tb.do("open it again", chromedp.Click(chromedp.CSS(`nav.wide summary.me`)))
	tb.do("press Escape", chromedp.KeyEvent(kb.Escape))
	wantEqual(t, "menu open after Escape", js[bool](tb, `document.querySelector("details.more").open`), false)
	tb.do("open it once more", chromedp.Click(chromedp.CSS(`nav.wide summary.me`)))
	wantEqual(t, "status of the people page", tb.follow(`nav.wide details.more a[href="/admin/users"]`), 200)
}

// TestBrowserPhoneEditorAndKeys: on a phone the editor's text and preview
// are tabs, keyboard hints are gone, and a side-by-side diff shows
// inline.
func TestBrowserPhoneEditorAndKeys(t *testing.T) {
	d := startDemo(t)
	tb := openTab(t, newBrowser(t))
	tb.phone()
	tb.signInAs(d, "lea", "/wiki/getting-started/first-week-faq")
	wantEqual(t, "e hint on a touch screen", js[string](tb, `getComputedStyle(document.querySelector(".page-actions kbd.key-hint")).display`), "none")
	wantEqual(t, "the menu is closed", js[bool](tb, `document.querySelector("details.menu").open`), false)
	tb.do("open the menu", chromedp.Click(chromedp.CSS(`details.menu > summary`)))
	wantEqual(t, "a link in the open menu", js[bool](tb, `document.querySelector("details.menu a[href='/cohorts']").getBoundingClientRect().width > 0`), true)

	tb.open(d.base + "/edit/getting-started/first-week-faq")
	visible := func(sel string) bool {
		return js[bool](tb, `(e => !!e && e.getBoundingClientRect().height > 0)(document.querySelector(`+"`"+sel+"`"+`))`)
	}
	wantEqual(t, "tabs shown", visible(".editor-tabs"), true)
	wantEqual(t, "text shown", visible("#markdown"), true)
	wantEqual(t, "preview hidden", visible("#preview-pane"), false)
	tb.do("open the preview tab", chromedp.Click(chromedp.ID("tab-preview")))
	wantEqual(t, "preview shown", visible("#preview-pane"), true)
	wantEqual(t, "text hidden", visible("#markdown"), false)
	wantEqual(t, "tab selected", js[string](tb, `document.getElementById("tab-preview").getAttribute("aria-selected")`), "true")
	tb.do("wait for the preview", chromedp.WaitVisible(chromedp.CSS(`#preview h2`)))

	tb.open(d.base + "/diff/getting-started/first-week-faq?from=1&to=6&view=split")
	wantEqual(t, "side by side hidden", visible(".split-view"), false)
	wantEqual(t, "inline shown instead", visible(".split-fallback table.diff.inline"), true)
	tb.noSideways("the diff")
}

// TestBrowserSignInKeepsTheQuestion: a signed-out colleague who opens a
// link to a question lands on it after signing in, with JavaScript and
// without.
func TestBrowserSignInKeepsTheQuestion(t *testing.T) {
	d := startDemo(t)
	for _, withJS := range []bool{true, false} {
		tb := openTab(t, newBrowser(t))
		if !withJS {
			step(tb, "turn JavaScript off", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
				return err
			}))
		}
		tb.open(d.base + "/wiki/getting-started/first-week-faq#who-do-i-ask-about-the-piv-appointment")
		wantContains(t, "sent to sign in", tb.path(), "/login?next=")
		tb.do("fill in the sign-in form", chromedp.SendKeys(chromedp.ID("username"), "nina"), chromedp.SendKeys(chromedp.ID("password"), d.passwords["nina"]))
		tb.follow(`form.login button[type=submit]`)
		u, _ := url.Parse(tb.location())
		wantEqual(t, "landed on (JavaScript "+map[bool]string{true: "on", false: "off"}[withJS]+")", u.Path+"#"+u.Fragment, "/wiki/getting-started/first-week-faq#who-do-i-ask-about-the-piv-appointment")
	}
}

// TestBrowserLinksByTitle: [[Onboarding overview]] opens the page of that
// title, which lives at getting-started; a link to a page nobody wrote
// shows as missing.
func TestBrowserLinksByTitle(t *testing.T) {
	d := startDemo(t)
	tb := openTab(t, newBrowser(t))
	tb.signInAs(d, "nina", "/wiki/getting-started/first-week-faq")
	wantEqual(t, "the title link", js[string](tb, `[...document.querySelectorAll(".markdown a.wikilink")].find(a => a.textContent === "Onboarding overview")?.getAttribute("href") ?? ""`), "/wiki/getting-started")
	wantEqual(t, "the missing link", js[string](tb, `[...document.querySelectorAll(".markdown a.new")].map(a => a.textContent).join(",")`), "Parking at the office")
	wantEqual(t, "trainer counted as a member", tb.open(d.base+"/cohorts/2026-11-engineering"), 200)
	wantContains(t, "members", tb.text("section[aria-labelledby=members]"), "Léa Laurent")
	if strings.Contains(tb.text("section[aria-labelledby=members] ul"), "Tina") {
		t.Error("the trainer is listed as a member")
	}
}

// TestBrowserLongWordsWrap: a word longer than the screen is wide (a
// pasted link, a query of one long token) wraps in a search result's
// snippet, in the search page and in the gap list, on a phone and on a
// desktop, instead of making the page scroll sideways.
func TestBrowserLongWordsWrap(t *testing.T) {
	w := startWiki(t, "trainer")
	long := "https://groups.google.com/forum/feed/" + strings.Repeat("GROUP_NAME_", 12) + "/msgs/rss.xml"
	w.putPage(t, "google-groups", "Google Groups", "## Feeds\n\nEvery group has a feed of its messages at "+long+" for your reader.\n", 0)
	query := "https://example.com/a/very/long/url/without/any/spaces/" + strings.Repeat("really", 30)
	wikitest.Eventually(t, "the page is searchable", func() bool {
		resp := w.api(t, http.MethodGet, "/api/v1/search?q=feed+messages", nil)
		defer resp.Body.Close()
		var res struct{ Hits []struct{ Slug string } }
		return json.NewDecoder(resp.Body).Decode(&res) == nil && len(res.Hits) > 0
	})
	desk, ph := openTab(t, newBrowser(t)), openTab(t, newBrowser(t))
	ph.phone()
	for _, tb := range []*tab{desk, ph} {
		tb.signIn(w, "/search")
		for _, path := range []string{"/search?q=feed+messages", "/search?q=" + url.QueryEscape(query), "/gaps"} {
			if code := tb.open(w.base + path); code != 200 {
				t.Fatalf("%s: status %d", path, code)
			}
			tb.noSideways(path)
		}
		wantContains(t, "the gap list", tb.text("main"), "really")
	}
}

// TestBrowserSkipLinkShowsOnFocus: the first Tab on a page reaches "Skip
// to content", and the link is then on top, not under the sticky header.
func TestBrowserSkipLinkShowsOnFocus(t *testing.T) {
	w := startWiki(t, "reader")
	tb := openTab(t, newBrowser(t))
	tb.signIn(w, "/")
	tb.do("press Tab", chromedp.KeyEvent("\t"))
	wantEqual(t, "focused after one Tab", js[string](tb, `document.activeElement.className`), "skip")
	wantEqual(t, "the element on top at the link's middle", js[bool](tb, `(() => {
		const r = document.activeElement.getBoundingClientRect();
		return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === document.activeElement;
	})()`), true)
}
