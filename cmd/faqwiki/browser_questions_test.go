package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A new hire searches, finds nothing, asks right there; someone answers it
// in the FAQ from the question's page; the question shows answered and
// leads to the answer, which takes a "did this help?" vote. All of it by
// clicking, as a person would.
func TestBrowserAskAnswerAnswered(t *testing.T) {
	w := startWiki(t, "trainer")
	w.putPage(t, "office", "Office", "## Where is lunch?\n\nIn the canteen on floor 2, from noon.\n\n## Where are the toilets?\n\nDown the hall, past the kitchen.\n", 0)
	w.putPage(t, "it/vpn", "VPN", "## How do I get VPN access?\n\nAsk the service desk for a token.\n", 0)
	for _, q := range []string{"gym opening hours", "parental leave", "parental leave policy"} {
		resp := w.api(t, http.MethodGet, "/api/v1/search?q="+url.QueryEscape(q), nil)
		resp.Body.Close()
	}
	ctx := newBrowser(t)
	tb := openTab(t, ctx)
	tb.signIn(w, "/")

	// Search, find nothing useful, ask right there.
	tb.open(w.base + "/search?q=" + url.QueryEscape("where do I park my bike"))
	if code := tb.follow(`.notice.gap a.button[href^="/questions/new"]`); code != 200 {
		t.Fatalf("ask this: %d", code)
	}
	wantEqual(t, "question field", tb.value("#question-text"), "where do I park my bike")
	tb.follow("form.ask button[type=submit]")
	if strings.HasPrefix(tb.path(), "/questions/new") || tb.count("section.similar") > 0 {
		// Similar answers were shown first: none of them is it.
		tb.follow("form.ask button[type=submit]")
	}
	qpath := tb.path()
	if !strings.HasPrefix(qpath, "/questions/") {
		t.Fatalf("after asking, at %s: %s", qpath, tb.text("main"))
	}
	wantContains(t, "flash", tb.flash(), "on the list")
	wantEqual(t, "status", tb.text("strong.status"), "open")
	tb.screenshot("question-open")

	// Answer it in the FAQ, on the office page.
	tb.do("choose another page", chromedp.SendKeys(chromedp.ID("write-slug"), "office"))
	tb.follow("form.write button[type=submit]")
	wantEqual(t, "editor", tb.path(), "/edit/office?question=1")
	wantContains(t, "editor notice", tb.text(".notice.answering"), "where do I park my bike")
	if v := tb.value("#markdown"); !strings.HasSuffix(v, "## where do I park my bike\n\n") {
		t.Fatalf("the editor text ends %q", v[max(0, len(v)-40):])
	}
	tb.typeAtEnd("#markdown", "In the bike rack behind the building; the door code is on the wiki's security page.")
	tb.follow("#edit-form button[value=save]")
	wantEqual(t, "after saving", tb.path(), "/wiki/office")
	wantContains(t, "flash", tb.flash(), "is answered here now")

	// The question shows answered and leads to the answer.
	tb.open(w.base + qpath)
	wantEqual(t, "status", tb.text("strong.status"), "answered")
	wantEqual(t, "answer link", tb.text("a.answer-link"), "/wiki/office#where-do-i-park-my-bike")
	tb.screenshot("question-answered")
	tb.follow("a.answer-link")
	wantEqual(t, "answer", tb.path(), "/wiki/office")

	// The answer takes a vote, without a script's help: the button
	// submits the page's feedback form.
	tb.follow(`.answer-box button[value="yes:where-do-i-park-my-bike"]`)
	wantContains(t, "flash", tb.flash(), "glad it answered")
	wantEqual(t, "my vote", js[string](tb, `document.querySelector('.answer-box button[value="yes:where-do-i-park-my-bike"]').getAttribute("aria-pressed")`), "true")
	// Flag another answer: every reader sees the notice under its heading.
	tb.follow(`.answer-box a.flag-link[href*="where-are-the-toilets"]`)
	tb.do("say what is wrong", chromedp.SendKeys(chromedp.ID("flag-note"), "The toilets moved to floor 3 in March."))
	tb.follow(`form.flag button[type=submit]`)
	wantContains(t, "notice", tb.text(".markdown .notice.flagged"), "floor 3")
	tb.follow(`.answer-box button.confirm[value="where-is-lunch"]`)
	wantContains(t, "flash", tb.flash(), "Confirmed still right")
	wantContains(t, "confirmed", js[string](tb, `document.querySelectorAll('.answer-box .verified')[0].textContent`), "Confirmed right on")
	tb.screenshot("page-answers")

	// The gap list: searches and the (now answered) question in one list.
	tb.open(w.base + "/gaps")
	if n := tb.count("ol.gaps li.gap"); n < 2 {
		t.Errorf("%d open gaps", n)
	}
	tb.screenshot("gaps")
	tb.open(w.base + "/gaps?status=answered")
	wantContains(t, "answered gaps", tb.text("ol.gaps"), "where do I park my bike")
	tb.open(w.base + "/info/office")
	tb.screenshot("page-info")
	tb.open(w.base + "/")
	tb.screenshot("home")
	tb.open(w.base + "/questions?status=all")
	tb.screenshot("questions")
}

// The question, gap and answer pages fit a phone: nothing scrolls
// sideways, and the answer boxes' buttons are there to tap.
func TestBrowserQuestionsOnAPhone(t *testing.T) {
	w := startWiki(t, "trainer")
	w.putPage(t, "office", "Office", "## Where is lunch?\n\nIn the canteen on floor 2, from noon.\n\n## Where are the toilets?\n\nDown the hall.\n", 0)
	for _, body := range []map[string]string{{"text": "Where do I park my bike on a rainy day near the north entrance?"}, {"text": "Is there a gym?"}} {
		resp := w.api(t, http.MethodPost, "/api/v1/questions", body)
		resp.Body.Close()
	}
	resp := w.api(t, http.MethodPost, "/api/v1/pages/office/sections/where-is-lunch/flag", map[string]string{"note": "The canteen opens at 11:30 now"})
	resp.Body.Close()
	tb := openTab(t, newBrowser(t))
	tb.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateTouch, chromedp.EmulateScale(2)))
	tb.signIn(w, "/")
	for _, p := range []string{"/", "/questions", "/questions/1", "/questions/new?text=bike", "/gaps", "/wiki/office", "/info/office", "/freshness", "/flag/office?anchor=where-is-lunch"} {
		wantEqual(t, "status of "+p, tb.open(w.base+p), 200)
		if sw, iw := js[int](tb, `document.documentElement.scrollWidth`), js[int](tb, `window.innerWidth`); sw > iw {
			t.Errorf("%s scrolls sideways on a phone: %d > %d", p, sw, iw)
		}
		if p == "/wiki/office" {
			if h := js[int](tb, `document.querySelector('.answer-box button[name=vote]').getBoundingClientRect().height`); h < 36 {
				t.Errorf("the vote button is %dpx high: too small to tap", h)
			}
			tb.screenshot("phone-page-answers")
		}
		if p == "/questions/1" {
			tb.screenshot("phone-question")
		}
	}
}
