package main

// Browser tests of issue 14 on the demo wiki: the home page, the editor,
// people admin, cohorts, links and sign-in, on a desktop and a phone.
// With FAQWIKI_SCREENSHOTS set they keep full-page screenshots of each
// screen, desktop and phone.

import (
	"bufio"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
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
			suffix := "-desktop"
			if tb == ph {
				suffix = "-phone"
				tb.noSideways(s.path + " on a phone")
				h := js[float64](tb, `document.querySelector("header.site").getBoundingClientRect().height`)
				if h > 80 {
					t.Errorf("%s: the header is %.0f px high on a phone: more than one row", s.path, h)
				}
			}
			tb.screenshot("ux-" + s.name + suffix)
			if tb == ph {
				tb.screenshotTop("ux-" + s.name + "-phone-top")
			}
		}
	}
}
