package main

// Browser tests: what people click, driven through Debian's chromium with
// chromedp against the real server (MustRunMain) on a temp data folder.
// Without chromium they skip with a message saying how to run them, unless
// FAQWIKI_REQUIRE_BROWSER=1 (CI) makes a missing browser a failure. Set
// FAQWIKI_SCREENSHOTS to a folder to keep full-page screenshots of the main
// screens for a human to look at.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/faqwiki/faqwiki/wiki"
)

const (
	// browserTestTimeout bounds a whole browser test, browser start included.
	browserTestTimeout = 60 * time.Second
	// browserStepTimeout bounds one step (a navigation, a query, a poll), so
	// a missing element fails the test quickly with a useful message.
	browserStepTimeout = 15 * time.Second
)

// chromiumPath finds Debian's chromium.
func chromiumPath() (string, bool) {
	if p, err := exec.LookPath("chromium"); err == nil {
		return p, true
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", true
	}
	return "", false
}

// newBrowser starts a headless chromium for this test and returns a
// chromedp context on its first tab. The browser, its temp profile and
// every tab opened from the context go away when the test ends, and the
// whole test is bounded by browserTestTimeout.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	return newBrowserWithin(t, browserTestTimeout)
}

// newBrowserWithin is newBrowser for a test whose work needs a bound
// other than browserTestTimeout.
func newBrowserWithin(t *testing.T, bound time.Duration) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests do not run with -short")
	}
	path, ok := chromiumPath()
	if !ok {
		if os.Getenv("FAQWIKI_REQUIRE_BROWSER") == "1" {
			t.Fatal("FAQWIKI_REQUIRE_BROWSER=1 but chromium is not installed: apt-get install chromium")
		}
		t.Skip("browser tests need Debian's chromium: apt-get install chromium")
	}
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	var out syncBuffer
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(&out),
	)
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc() // waits for the browser to exit, before TempDir's cleanup
		cancel()
	})
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium %s: %v\n%s", path, err, out.String())
	}
	return bctx
}

// tab is one browser tab with the steps the tests take in it. Every step
// has its own timeout and fails the test with what it was doing.
type tab struct {
	t   *testing.T
	ctx context.Context

	mu      sync.Mutex
	dialogs []string // JavaScript dialogs that opened, "type: message"
}

// openTab wraps ctx's tab (use the context newBrowser returned for the
// first tab) or, with newTab, a new tab of the same browser, which shares
// its cookies. JavaScript dialogs are recorded and closed; any but the
// "leave this page?" one fails the test.
func openTab(t *testing.T, ctx context.Context) *tab {
	t.Helper()
	tb := &tab{t: t, ctx: ctx}
	err := chromedp.Listen(ctx, func(ev any) {
		// This runs in the tab's event loop: record, and answer elsewhere.
		d, ok := ev.(*page.EventJavascriptDialogOpening)
		if !ok {
			return
		}
		tb.mu.Lock()
		tb.dialogs = append(tb.dialogs, string(d.Type)+": "+d.Message)
		tb.mu.Unlock()
		accept := d.Type == page.DialogTypeBeforeunload
		go chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept}) //nolint:errcheck // the tab may be closing
	})
	if err != nil {
		t.Fatalf("listen for dialogs: %v", err)
	}
	t.Cleanup(func() {
		for _, d := range tb.unexpectedDialogs() {
			t.Errorf("a JavaScript dialog opened: %s", d)
		}
	})
	return tb
}

// newTab opens another tab in bctx's browser.
func newTab(t *testing.T, bctx context.Context) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(bctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return openTab(t, ctx)
}

// unexpectedDialogs returns, and forgets, the dialogs other than "leave
// this page?" that opened so far.
func (tb *tab) unexpectedDialogs() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var out []string
	for _, d := range tb.dialogs {
		if !strings.HasPrefix(d, string(page.DialogTypeBeforeunload)+":") {
			out = append(out, d)
		}
	}
	tb.dialogs = nil
	return out
}

// step runs a with the step timeout.
func step[T any](tb *tab, what string, a chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserStepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.t.Fatalf("%s: %v (at %s)", what, err, tb.locationNoFail())
	}
	return v
}

func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	step(tb, what, chromedp.Steps(steps...))
}

// locationNoFail is the tab's URL for error messages.
func (tb *tab) locationNoFail() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "unknown URL"
	}
	return loc
}

// open loads u and returns the HTTP status of the document.
func (tb *tab) open(u string) int64 {
	tb.t.Helper()
	resp := step(tb, "open "+u, chromedp.NavigateResponse(u))
	return resp.Status
}

// follow clicks sel, which must load a new page (a link or a submit
// button), waits for it and returns its HTTP status after redirects.
func (tb *tab) follow(sel string) int64 {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserStepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("click %s and wait for the next page: %v (at %s)", sel, err, tb.locationNoFail())
	}
	return resp.Status
}

func (tb *tab) location() string {
	tb.t.Helper()
	return step(tb, "read the location", chromedp.Location())
}

// path is the location without the scheme and host.
func (tb *tab) path() string {
	tb.t.Helper()
	u, err := url.Parse(tb.location())
	if err != nil {
		tb.t.Fatal(err)
	}
	return u.RequestURI()
}

// diffQuery sums up a diff address as "path from=F to=T view=V".
func (tb *tab) diffQuery() string {
	tb.t.Helper()
	u, err := url.Parse(tb.location())
	if err != nil {
		tb.t.Fatal(err)
	}
	q := u.Query()
	return fmt.Sprintf("%s from=%s to=%s view=%s", u.Path, q.Get("from"), q.Get("to"), q.Get("view"))
}

// text is the visible text of the first element matching sel, which must
// exist.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return strings.TrimSpace(step(tb, "read the text of "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// value is the current value of a form field.
func (tb *tab) value(sel string) string {
	tb.t.Helper()
	return step(tb, "read the value of "+sel, chromedp.Value(chromedp.CSS(sel)))
}

// count is how many elements match sel right now.
func (tb *tab) count(sel string) int {
	tb.t.Helper()
	return js[int](tb, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}

// texts are the trimmed text contents of every element matching sel.
func (tb *tab) texts(sel string) []string {
	tb.t.Helper()
	return js[[]string](tb, fmt.Sprintf(`[...document.querySelectorAll(%q)].map(e => e.textContent.trim())`, sel))
}

// js evaluates a JavaScript expression in the page.
func js[T any](tb *tab, expr string) T {
	tb.t.Helper()
	return step(tb, "evaluate "+expr, chromedp.Evaluate[T](expr))
}

// typeAtEnd puts the caret at the end of a text field and types s with
// real key events, so the page's input handlers run.
func (tb *tab) typeAtEnd(sel, s string) {
	tb.t.Helper()
	js[bool](tb, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.focus(); e.setSelectionRange(e.value.length, e.value.length); return true })()`, sel))
	tb.do("type into "+sel, chromedp.KeyEvent(s))
}

// replaceIn edits a field's text the way a person would, replacing old
// (which must be there) with new.
func (tb *tab) replaceIn(sel, old, new string) {
	tb.t.Helper()
	v := tb.value(sel)
	if !strings.Contains(v, old) {
		tb.t.Fatalf("%s does not contain %q: %q", sel, old, v)
	}
	tb.do("edit "+sel, chromedp.SetValue(chromedp.CSS(sel), strings.Replace(v, old, new, 1)))
}

// flash is the flash message, or "" when the page has none.
func (tb *tab) flash() string {
	tb.t.Helper()
	return js[string](tb, `(document.querySelector("p.flash")?.textContent ?? "").trim()`)
}

// screenshot saves a full-page PNG as name.png in $FAQWIKI_SCREENSHOTS.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	dir := os.Getenv("FAQWIKI_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := step(tb, "take a screenshot", chromedp.FullScreenshot(100))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

// browserUser and browserPassword are the account the browser signs in
// with.
const (
	browserUser     = "ada"
	browserPassword = "correct horse battery staple"
)

// testWiki is a running server on a fresh data folder.
type testWiki struct {
	base  string // http://127.0.0.1:port
	token string // an API token of browserUser, for setting pages up
}

// startWiki adds browserUser with role (editor, trainer, ...) and an API
// token of theirs to a fresh data folder, and serves it. The account is
// made with the domain service rather than `faqwiki user add` so that its
// password hash is cheap: argon2id at the production cost, under -race,
// is seconds per hash on a small CI machine, and signing in checks the
// hash at the cost it was made with.
func startWiki(t *testing.T, role string) *testWiki {
	t.Helper()
	data := t.TempDir()
	r, err := wiki.ParseRole(role)
	if err != nil {
		t.Fatal(err)
	}
	db, err := openStore(data)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	acc := wiki.NewAccounts(wiki.AccountsConfig{Store: db, Password: wiki.PasswordParams{Time: 1, Memory: 64, Threads: 1}})
	if _, err := acc.CreateAccount(ctx, wiki.NewAccount{Username: browserUser, DisplayName: "Ada Lovelace", Password: browserPassword, Role: r}); err != nil {
		t.Fatal(err)
	}
	token, _, err := acc.CreateToken(ctx, browserUser, "browser tests")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return &testWiki{base: MustRunMain(t, data), token: token}
}

// signIn signs the browser in through the sign-in form and checks that
// it lands on next.
func (tb *tab) signIn(w *testWiki, next string) {
	tb.t.Helper()
	tb.open(w.base + "/login?next=" + url.QueryEscape(next))
	tb.fillSignIn()
	if p := tb.path(); p != next {
		tb.t.Fatalf("signed in at %s, want %s", p, next)
	}
}

// fillSignIn fills in and sends the sign-in form on the current page.
func (tb *tab) fillSignIn() {
	tb.t.Helper()
	tb.do("fill in the sign-in form",
		chromedp.SendKeys(chromedp.ID("username"), browserUser),
		chromedp.SendKeys(chromedp.ID("password"), browserPassword),
	)
	if code := tb.follow(`form.login button[type=submit]`); code != 200 {
		tb.t.Fatalf("sign in: status %d: %s", code, tb.text("main"))
	}
}

// api sends a JSON API request with w's token.
func (w *testWiki) api(t *testing.T, method, path string, body any) *http.Response {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+w.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// putPage saves a page through the JSON API and returns its new revision.
func (w *testWiki) putPage(t *testing.T, slug, title, markdown string, baseRev int) int {
	t.Helper()
	resp := w.api(t, http.MethodPut, "/api/v1/pages/"+slug, map[string]any{"title": title, "markdown": markdown, "base_revision": baseRev})
	defer resp.Body.Close()
	var res struct {
		Revision int `json:"revision"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || resp.StatusCode/100 != 2 {
		t.Fatalf("PUT %s: %d %v", slug, resp.StatusCode, err)
	}
	return res.Revision
}

// revision is the page's current revision number from the JSON API.
func (w *testWiki) revision(t *testing.T, slug string) int {
	t.Helper()
	resp := w.api(t, http.MethodGet, "/api/v1/pages/"+slug, nil)
	defer resp.Body.Close()
	var p struct {
		Revision int `json:"revision"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", slug, resp.StatusCode, err)
	}
	return p.Revision
}

func wantEqual[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func wantContains(t *testing.T, what, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Errorf("%s = %q, want it to contain %q", what, got, want)
	}
}

func TestBrowserCreatePage(t *testing.T) {
	w := startWiki(t, "editor")
	tb := openTab(t, newBrowser(t))

	// A visitor is sent to sign in, and comes back where they started.
	tb.open(w.base + "/")
	wantEqual(t, "path of a signed-out visit", tb.path(), "/login?next=%2F")
	tb.fillSignIn()
	wantEqual(t, "path after signing in", tb.path(), "/")
	wantEqual(t, "the header's account link", tb.text("header.site .me"), "Ada Lovelace")
	wantEqual(t, `the header's "New page" button`, tb.text(`header.site nav a[href="/new"]`), "New page")
	wantEqual(t, "status of the new-page form", tb.follow(`header.site nav a[href="/new"]`), 200)
	wantEqual(t, "path after New page", tb.path(), "/new")

	const title = "How do I get a laptop?"
	md := "Everything about your first laptop.\n\n" +
		"## Who orders it?\n\nYour manager, before your first day.\n\n" +
		"## When does it arrive?\n\nOn day one, at the IT desk.\n\n" +
		"## Can I use my own?\n\nNo: only company laptops get VPN access.\n"
	tb.do("fill in the new page",
		chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SetValue(chromedp.ID("markdown"), md),
		chromedp.SendKeys(chromedp.ID("tags"), "it, first-week"),
		chromedp.SendKeys(chromedp.ID("summary"), "First version"),
	)
	wantEqual(t, "status after Save", tb.follow(`button[name=action][value=save]`), 200)

	wantEqual(t, "path after Save", tb.path(), "/wiki/how-do-i-get-a-laptop")
	wantEqual(t, "h1", tb.text("h1"), title)
	wantContains(t, "flash", tb.flash(), "Created the page")
	wantEqual(t, "TOC entries", strings.Join(tb.texts("nav.toc li"), " | "),
		"Who orders it? | When does it arrive? | Can I use my own?")
	// Every TOC entry leads to its question's heading in the text.
	broken := js[[]string](tb, `[...document.querySelectorAll("nav.toc a")].filter(a => {
		const h = document.getElementById(decodeURIComponent(a.hash.slice(1)));
		return !h || !h.closest(".markdown") || h.textContent.indexOf(a.textContent.trim()) < 0;
	}).map(a => a.getAttribute("href"))`)
	if len(broken) > 0 {
		t.Errorf("TOC links that lead to no question: %v", broken)
	}
	wantContains(t, "page text", tb.text(".markdown"), "only company laptops get VPN access")
	tags := tb.texts(".page-head .tag")
	slices.Sort(tags)
	wantEqual(t, "tags", strings.Join(tags, ","), "first-week,it")
	wantEqual(t, "Edit link", js[string](tb, `document.querySelector(".page-actions a.button").getAttribute("href")`), "/edit/how-do-i-get-a-laptop")
	tb.screenshot("page-view")

	// The flash shows once.
	tb.open(w.base + "/wiki/how-do-i-get-a-laptop")
	wantEqual(t, "flash on reload", tb.flash(), "")

	// Two questions are not worth a table of contents.
	w.putPage(t, "short", "Short page", "## One?\n\nYes.\n\n## Two?\n\nNo.\n", 0)
	tb.open(w.base + "/wiki/short")
	wantEqual(t, "TOCs on a two-question page", tb.count("nav.toc"), 0)
}

func TestBrowserEditWithLivePreview(t *testing.T) {
	w := startWiki(t, "editor")
	w.putPage(t, "lunch", "Where do we eat lunch?", "## Is there a canteen?\n\nYes, on floor 2.\n", 0)
	tb := openTab(t, newBrowser(t))
	tb.signIn(w, "/wiki/lunch")
	wantEqual(t, "status of the edit form", tb.follow(`.page-actions a[href="/edit/lunch"]`), 200)
	wantEqual(t, "path", tb.path(), "/edit/lunch")
	wantEqual(t, "base revision", tb.value(`input[name=base_revision]`), "1")
	wantEqual(t, "title field", tb.value("#title"), "Where do we eat lunch?")
	wantContains(t, "text field", tb.value("#markdown"), "Yes, on floor 2.")

	tb.typeAtEnd("#markdown", "\n## Can I bring food?\n\nTyped in the browser, previewed live.\n")
	// app.js re-renders the preview a moment after typing stops.
	step(tb, "wait for the live preview", chromedp.Poll[bool](
		`[...document.querySelectorAll("#preview h2")].some(h => h.textContent.includes("Can I bring food?")) && document.querySelector("#preview").textContent.includes("Typed in the browser, previewed live.")`,
		chromedp.WithPollingTimeout(10*time.Second)))
	wantContains(t, "live preview", tb.text("#preview"), "Typed in the browser, previewed live.")
	wantEqual(t, "preview visible", js[bool](tb, `!document.querySelector("section.preview").hasAttribute("data-empty") && document.querySelector("section.preview").offsetHeight > 0`), true)
	wantEqual(t, "path after previewing (no reload)", tb.path(), "/edit/lunch")

	tb.do("fill in the summary", chromedp.SendKeys(chromedp.ID("summary"), "Added food question"))
	wantEqual(t, "status after Save", tb.follow(`button[name=action][value=save]`), 200)
	wantEqual(t, "path after Save", tb.path(), "/wiki/lunch")
	wantEqual(t, "flash", tb.flash(), "Saved revision 2.")
	wantContains(t, "page text", tb.text(".markdown"), "Typed in the browser, previewed live.")
	wantContains(t, "page text", tb.text(".markdown"), "Yes, on floor 2.")
	wantContains(t, "meta", tb.text(".page-head .meta"), "revision 2")
}

func TestBrowserPreviewWithoutJavaScript(t *testing.T) {
	w := startWiki(t, "editor")
	w.putPage(t, "parking", "Where can I park?", "Ask at reception.\n", 0)
	tb := openTab(t, newBrowser(t))
	step(tb, "turn JavaScript off", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))

	// Signing in works without JavaScript too.
	tb.signIn(w, "/edit/parking")
	tb.replaceIn("#markdown", "Ask at reception.\n", "Ask at reception.\n\n## Is parking free?\n\nYes, with a **permit** from facilities.\n")
	// app.js marks the page when it runs; with JavaScript off it must not.
	wantEqual(t, "app.js ran with JavaScript off", js[bool](tb, `document.documentElement.classList.contains("js")`), false)
	wantEqual(t, "preview panels shown before Preview (app.js must not run)", tb.count("section.preview:not([data-empty])"), 0)
	// The toolbar's buttons need the script: without it they are not shown.
	wantEqual(t, "toolbars displayed without JavaScript", js[int](tb, `[...document.querySelectorAll(".toolbar")].filter(e => getComputedStyle(e).display != "none").length`), 0)
	// Nor are the hints of its keyboard shortcuts ("/", "e").
	wantEqual(t, "shortcut hints displayed without JavaScript", js[int](tb, `[...document.querySelectorAll(".key-hint, .key-hint-row")].filter(e => getComputedStyle(e).display != "none").length`), 0)

	wantEqual(t, "status after Preview", tb.follow(`button[name=action][value=preview]`), 200)
	wantEqual(t, "path after Preview", tb.path(), "/edit/parking")
	wantContains(t, "preview heading", tb.text("#preview h2"), "Is parking free?")
	wantEqual(t, "preview bold", tb.text("#preview strong"), "permit")
	wantEqual(t, "preview shown", tb.count("section.preview:not([data-empty])"), 1)
	wantContains(t, "text kept in the editor", tb.value("#markdown"), "Yes, with a **permit** from facilities.")
	wantEqual(t, "title kept", tb.value("#title"), "Where can I park?")
	wantEqual(t, "base revision kept", tb.value(`input[name=base_revision]`), "1")
	wantEqual(t, "nothing saved by Preview", w.revision(t, "parking"), 1)
	tb.screenshot("nojs-preview")

	wantEqual(t, "status after Save", tb.follow(`button[name=action][value=save]`), 200)
	wantEqual(t, "path after Save", tb.path(), "/wiki/parking")
	wantEqual(t, "flash", tb.flash(), "Saved revision 2.")
	wantContains(t, "saved heading", tb.text(".markdown h2"), "Is parking free?")
}

func TestBrowserConcurrentEditConflict(t *testing.T) {
	w := startWiki(t, "editor")
	const md = "## Where is the office?\n\nThe office is on floor 3.\n\n" +
		"## Who do I ask first?\n\nAsk your buddy.\n\n" +
		"## When is the team lunch?\n\nOn Thursdays.\n"
	w.putPage(t, "office", "Office basics", md, 0)
	bctx := newBrowser(t)
	a, b := openTab(t, bctx), newTab(t, bctx)

	// Overlapping edits: both change the same line from revision 1.
	a.signIn(w, "/edit/office") // the tabs share the session cookie
	b.open(w.base + "/edit/office")
	wantEqual(t, "A's base revision", a.value(`input[name=base_revision]`), "1")
	wantEqual(t, "B's base revision", b.value(`input[name=base_revision]`), "1")

	a.replaceIn("#markdown", "floor 3.", "floor 4, since the move.")
	wantEqual(t, "A's save status", a.follow(`button[name=action][value=save]`), 200)
	wantEqual(t, "A's flash", a.flash(), "Saved revision 2.")

	b.replaceIn("#markdown", "floor 3.", "floor 5, by the kitchen.")
	bText := b.value("#markdown")
	wantEqual(t, "B's save status", b.follow(`button[name=action][value=save]`), 409)
	wantEqual(t, "B's path", b.path(), "/edit/office")
	wantEqual(t, "conflict notices", b.count(".conflict"), 1)
	wantEqual(t, "conflict heading", b.text(".conflict h2"), "The page changed while you were editing")
	wantContains(t, "conflict notice", b.text(".conflict"), "Your text is still in the editor below.")
	wantEqual(t, "B's text after the conflict", b.value("#markdown"), bText)
	wantEqual(t, "B's base revision after the conflict", b.value(`input[name=base_revision]`), "2")
	wantContains(t, "the text saved meanwhile", js[string](b, `document.querySelector(".conflict textarea.current-text").value`), "floor 4, since the move.")
	wantContains(t, "deleted words in the conflict diff", strings.Join(b.texts(".conflict table.diff del"), " "), "4")
	wantContains(t, "inserted words in the conflict diff", strings.Join(b.texts(".conflict table.diff ins"), " "), "5")
	// Only the line both changed differs: the browser posts the text with
	// CRLF line ends, which must not make every line look changed.
	wantEqual(t, "deleted lines in the conflict diff", strings.Join(b.texts(".conflict table.diff tr.delete td.text"), " | "), "The office is on floor 4, since the move.")
	wantEqual(t, "inserted lines in the conflict diff", strings.Join(b.texts(".conflict table.diff tr.insert td.text"), " | "), "The office is on floor 5, by the kitchen.")
	wantEqual(t, "revision after the conflict", w.revision(t, "office"), 2)
	b.screenshot("edit-conflict")

	wantEqual(t, "B's second save status", b.follow(`button[name=action][value=save]`), 200)
	wantEqual(t, "B's flash", b.flash(), "Saved revision 3.")
	text := b.text(".markdown")
	wantContains(t, "page after B wins", text, "floor 5, by the kitchen.")
	if strings.Contains(text, "floor 4") {
		t.Errorf("A's overwritten line is still on the page: %q", text)
	}

	// Edits of different lines from the same revision merge.
	a.open(w.base + "/edit/office")
	b.open(w.base + "/edit/office")
	a.replaceIn("#markdown", "Ask your buddy.", "Ask your buddy, then your manager.")
	wantEqual(t, "A's save status", a.follow(`button[name=action][value=save]`), 200)
	wantEqual(t, "A's flash", a.flash(), "Saved revision 4.")
	b.replaceIn("#markdown", "On Thursdays.", "On Thursdays at noon.")
	wantEqual(t, "B's save status", b.follow(`button[name=action][value=save]`), 200)
	wantEqual(t, "B's path", b.path(), "/wiki/office")
	wantContains(t, "B's flash", b.flash(), "merged")
	wantEqual(t, "conflict notices", b.count(".conflict"), 0)
	text = b.text(".markdown")
	wantContains(t, "merged page", text, "Ask your buddy, then your manager.")
	wantContains(t, "merged page", text, "On Thursdays at noon.")
	wantContains(t, "merged page", text, "floor 5, by the kitchen.")
	b.open(w.base + "/history/office")
	wantEqual(t, "merged badges in the history", strings.Join(b.texts("table.history .badge"), ","), "merged")
}

func TestBrowserHistoryDiffRestore(t *testing.T) {
	w := startWiki(t, "trainer") // restoring a revision is a trainer's job
	r := w.putPage(t, "vpn", "How do I get VPN access?", "Install the OldVPN client.\n\nAsk IT for a token.\n", 0)
	r = w.putPage(t, "vpn", "How do I get VPN access?", "Install the NewVPN client.\n\nAsk IT for a token.\n", r)
	w.putPage(t, "vpn", "How do I get VPN access?", "Install the NewVPN client.\n\nAsk IT for a token.\n\nTokens expire after a year.\n", r)
	tb := openTab(t, newBrowser(t))
	tb.signIn(w, "/history/vpn")
	wantEqual(t, "history rows", tb.count("table.history tbody tr"), 3)
	tb.do("choose revisions 1 and 3",
		chromedp.Click(chromedp.CSS(`input[name=from][value="1"]`)),
		chromedp.Click(chromedp.CSS(`input[name=to][value="3"]`)),
	)
	wantEqual(t, "status of the diff", tb.follow(`form.history button[type=submit]`), 200)
	wantEqual(t, "diff address", tb.diffQuery(), "/diff/vpn from=1 to=3 view=")
	wantEqual(t, "inline diff tables", tb.count("table.diff.inline"), 1)
	wantContains(t, "deleted words", strings.Join(tb.texts("table.diff tr.delete del"), " "), "Old")
	wantContains(t, "inserted words", strings.Join(tb.texts("table.diff tr.insert ins"), " "), "New")
	wantContains(t, "added line", strings.Join(tb.texts("table.diff tr.insert td.text"), " "), "Tokens expire after a year.")
	wantEqual(t, "stats", tb.text(".stats .added")+" "+tb.text(".stats .removed"), "+3 −1")
	tb.screenshot("diff-inline")

	tb.open(w.base + "/history/vpn")
	tb.do("choose revisions 1 and 2, side by side",
		chromedp.Click(chromedp.CSS(`input[name=from][value="1"]`)),
		chromedp.Click(chromedp.CSS(`input[name=to][value="2"]`)),
		chromedp.Click(chromedp.CSS(`input[name=view][value=split]`)),
	)
	wantEqual(t, "status of the split diff", tb.follow(`form.history button[type=submit]`), 200)
	wantEqual(t, "split diff address", tb.diffQuery(), "/diff/vpn from=1 to=2 view=split")
	wantEqual(t, "split diff tables", tb.count("table.diff.split"), 1)
	wantContains(t, "left side", strings.Join(tb.texts("table.diff.split td.text.delete del"), " "), "Old")
	wantContains(t, "right side", strings.Join(tb.texts("table.diff.split td.text.insert ins"), " "), "New")
	tb.screenshot("diff-split")

	tb.open(w.base + "/history/vpn")
	wantEqual(t, "status of revision 1", tb.follow(`table.history a[href="/wiki/vpn?rev=1"]`), 200)
	wantContains(t, "old revision notice", tb.text(".page-head .notice"), "You are reading revision 1")
	wantContains(t, "old text", tb.text(".markdown"), "OldVPN")
	wantEqual(t, "status after restoring", tb.follow(`form[action="/revert/vpn"] button`), 200)
	wantEqual(t, "path after restoring", tb.path(), "/wiki/vpn")
	wantEqual(t, "flash", tb.flash(), "Restored revision 1 as revision 4.")
	text := tb.text(".markdown")
	wantContains(t, "restored text", text, "Install the OldVPN client.")
	if strings.Contains(text, "NewVPN") || strings.Contains(text, "Tokens expire") {
		t.Errorf("restored page still has later text: %q", text)
	}
	wantEqual(t, "old-revision notices on the current page", tb.count(".page-head .notice"), 0)
	wantContains(t, "meta", tb.text(".page-head .meta"), "revision 4")
}

func TestBrowserNotFoundCreatesPage(t *testing.T) {
	w := startWiki(t, "editor")
	tb := openTab(t, newBrowser(t))
	tb.signIn(w, "/")
	title := wiki.TitleFromSlug("parking-permits")

	wantEqual(t, "status of a missing page", tb.open(w.base+"/wiki/parking-permits"), 404)
	wantContains(t, "h1", tb.text("h1"), "There is no page")
	wantEqual(t, "button", tb.text(`main .buttons a.button:not(.secondary)`), "Create this page")
	wantEqual(t, "status of the form", tb.follow(`main .buttons a.button:not(.secondary)`), 200)
	if p := tb.path(); !strings.HasPrefix(p, "/edit/parking-permits?") {
		t.Errorf("Create this page led to %s", p)
	}
	wantEqual(t, "prefilled title", tb.value("#title"), title)
	wantEqual(t, "h1 of the form", tb.text("h1"), "Create "+title)
	wantEqual(t, "base revision", tb.value(`input[name=base_revision]`), "0")

	tb.do("write the page", chromedp.SetValue(chromedp.ID("markdown"), "Facilities hands out permits on Mondays.\n"))
	wantEqual(t, "status after Save", tb.follow(`button[name=action][value=save]`), 200)
	wantEqual(t, "path after Save", tb.path(), "/wiki/parking-permits")
	wantContains(t, "flash", tb.flash(), "Created the page")
	wantEqual(t, "h1", tb.text("h1"), title)
	wantContains(t, "text", tb.text(".markdown"), "Facilities hands out permits on Mondays.")
	wantEqual(t, "revision from the API", w.revision(t, "parking-permits"), 1)
}

func TestBrowserPhoneLayout(t *testing.T) {
	w := startWiki(t, "editor")
	md := "Long words, links and code must not widen the page on a phone.\n\n" +
		"## How do I reach the wiki from home?\n\n" +
		"Through https://intranet.example.com/a/very/long/path/that/does/not/break/anywhere/on/its/own/at/all/index.html today.\n\n" +
		"## What is the config?\n\n```\nvpn --server=gateway.example.com --profile=onboarding-cohort-2026-autumn --retries=5 --timeout=30s\n```\n\n" +
		"## Which rooms are there?\n\n| Room | Floor | Who to ask about booking it |\n|---|---|---|\n| Supercalifragilisticexpialidocious | 3 | Facilities-and-workplace-experience-team |\n\n" +
		"Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherungsanstalt.\n"
	for i := range 12 { // a long list of questions, as real FAQ pages have
		md += fmt.Sprintf("\n## Question %d of the page?\n\nIts answer.\n\n### Part one of %d\n\nOne.\n\n### Part two of %d\n\nTwo.\n", i, i, i)
	}
	r := w.putPage(t, "remote-work", "Working remotely", md, 0)
	w.putPage(t, "remote-work", "Working remotely", strings.Replace(md, "--retries=5", "--retries=7", 1)+"\nNew last line.\n", r)
	tb := openTab(t, newBrowser(t))
	tb.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateTouch, chromedp.EmulateScale(2)))
	tb.signIn(w, "/wiki/remote-work")

	for _, c := range []struct{ name, path string }{
		{"page view", "/wiki/remote-work"},
		{"edit form", "/edit/remote-work"},
		{"history", "/history/remote-work"},
		{"diff", "/diff/remote-work?from=1&to=2"},
	} {
		wantEqual(t, "status of the "+c.name, tb.open(w.base+c.path), 200)
		wantEqual(t, "viewport width", js[int](tb, `window.innerWidth`), 390)
		type widths struct{ Scroll, Inner int }
		w := js[widths](tb, `({Scroll: document.documentElement.scrollWidth, Inner: window.innerWidth})`)
		if w.Scroll > w.Inner {
			// The outermost elements past the right edge, not counting
			// those inside a box that scrolls or clips them.
			wide := js[[]string](tb, `[...document.querySelectorAll("body *")].filter(e => {
				if (e.getBoundingClientRect().right <= window.innerWidth + 0.5) return false;
				for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
					if (getComputedStyle(p).overflowX !== "visible" || p.getBoundingClientRect().right > window.innerWidth + 0.5) return false;
				}
				return true;
			}).slice(0, 8).map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : "") + " (right edge at " + Math.round(e.getBoundingClientRect().right) + "px)")`)
			t.Errorf("%s scrolls sideways on a phone: scrollWidth %d > innerWidth %d; elements past the edge: %v", c.name, w.Scroll, w.Inner, wide)
		}
		switch c.name {
		case "page view":
			above := js[bool](tb, `document.querySelector("nav.toc").getBoundingClientRect().bottom <= document.querySelector(".markdown").getBoundingClientRect().top`)
			wantEqual(t, "TOC above the text on a phone", above, true)
			// The list keeps to part of the screen: the answers start soon.
			if h := js[int](tb, `Math.round(document.querySelector("nav.toc ol").getBoundingClientRect().height)`); h > 844/2 {
				t.Errorf("the list of questions is %d px tall on an 844 px phone", h)
			}
			tb.screenshot("phone-page-view")
		case "edit form":
			tb.screenshot("phone-edit")
		case "history":
			tb.screenshot("phone-history")
		}
	}
}

func TestBrowserKeyboardShortcutOpensEditor(t *testing.T) {
	w := startWiki(t, "editor")
	tb := openTab(t, newBrowser(t))
	tb.signIn(w, "/wiki/welcome")
	ctx, cancel := context.WithTimeout(tb.ctx, browserStepTimeout)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.KeyEvent("e")); err != nil {
		t.Fatalf(`press "e" on a page: %v`, err)
	}
	wantEqual(t, `path after pressing "e"`, tb.path(), "/edit/welcome")
	wantContains(t, "editor text", tb.value("#markdown"), "How do I add a question")

	// In a text field "e" is just a letter, also on a page whose "e"
	// opens the editor. A key handler that navigated would fire the
	// Navigation API's navigate event during the key event, so counting
	// those needs no waiting.
	tb.open(w.base + "/wiki/welcome")
	wantEqual(t, "app.js ran", js[bool](tb, `document.documentElement.classList.contains("js")`), true)
	js[int](tb, `window.__navigations = 0; navigation.addEventListener("navigate", () => window.__navigations++); 0`)
	tb.typeAtEnd("#q", "e")
	wantEqual(t, `navigations started by typing "e" in the search box`, js[int](tb, `window.__navigations ?? -1`), 0)
	wantEqual(t, `path after typing "e" in the search box`, tb.path(), "/wiki/welcome")
	wantEqual(t, `search box after typing "e"`, tb.value("#q"), "e")
}

func TestBrowserHostilePageIsInert(t *testing.T) {
	w := startWiki(t, "editor")
	const title = `<script>window.__pwned=1;alert("title")</script><img src=x onerror="window.__pwned=1;alert('title img')">`
	md := "<script>window.__pwned=1;alert('script')</script>\n\n" +
		"<img src=x onerror=\"window.__pwned=1;alert('img')\">\n\n" +
		"<svg onload=\"window.__pwned=1;alert('svg')\"></svg>\n\n" +
		"<iframe srcdoc=\"<script>parent.__pwned=1</script>\"></iframe>\n\n" +
		"[a markdown link](javascript:window.__pwned=1;alert('md'))\n\n" +
		"[a tab link](java\tscript:window.__pwned=1)\n\n" +
		"<a href=\"javascript:window.__pwned=1\">a raw link</a>\n\n" +
		"![an image](javascript:window.__pwned=1)\n\n" +
		"[[<img src=x onerror=window.__pwned=1>]]\n\n" +
		"## <img src=x onerror=\"window.__pwned=1;alert('heading')\"> heading\n\n" +
		"## \"><script>window.__pwned=1</script>\n\n" +
		"## third\n\n" +
		"`<script>window.__pwned=1</script>` in code.\n"
	r := w.putPage(t, "hostile", title, md, 0)
	w.putPage(t, "hostile", title, md+"\n<body onload=\"window.__pwned=1\">\n", r)
	bctx := newBrowser(t)
	openTab(t, bctx).signIn(w, "/") // the tabs below share the session

	for _, bypassCSP := range []bool{false, true} {
		// The CSP alone would stop these scripts; with it bypassed, only
		// the escaping stands between them and the reader.
		tb := newTab(t, bctx)
		if bypassCSP {
			step(tb, "bypass the CSP", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				_, err := chromedp.Call(ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true})
				return err
			}))
		}
		for _, p := range []string{"/", "/wiki/hostile", "/wiki/hostile?rev=1", "/history/hostile", "/diff/hostile?from=1&to=2", "/diff/hostile?from=0&to=2&view=split", "/edit/hostile"} {
			name := fmt.Sprintf("%s (CSP bypassed: %v)", p, bypassCSP)
			if code := tb.open(w.base + p); code != 200 {
				t.Errorf("%s: status %d", name, code)
				continue
			}
			if p == "/edit/hostile" {
				// The live preview puts server HTML into the page with innerHTML.
				step(tb, "wait for the live preview", chromedp.Poll[bool](`document.querySelector("#preview").children.length > 0`,
					chromedp.WithPollingTimeout(10*time.Second)))
			}
			// Let image errors and the like fire: every image has loaded or
			// failed, and a task has run after that.
			step(tb, "wait for images to settle", chromedp.Poll[bool](`[...document.images].every(i => i.complete)`,
				chromedp.WithPollingTimeout(10*time.Second)))
			step(tb, "run a task after that", chromedp.Evaluate[bool](`new Promise(r => setTimeout(() => r(true), 0))`,
				chromedp.EvalAwaitPromise))
			if pwned := js[bool](tb, `typeof window.__pwned !== "undefined"`); pwned {
				t.Errorf("%s: a payload ran (window.__pwned is set)", name)
			}
			live := js[[]string](tb, `[
				...[...document.scripts].filter(s => !s.src || new URL(s.src).origin !== location.origin).map(s => "script: " + s.outerHTML.slice(0, 80)),
				...[...document.querySelectorAll("*")].filter(e => [...e.attributes].some(a => a.name.startsWith("on"))).map(e => "handler: " + e.outerHTML.slice(0, 80)),
				...[...document.querySelectorAll("a[href]")].filter(a => a.protocol === "javascript:").map(a => "link: " + a.outerHTML.slice(0, 80)),
				...[...document.querySelectorAll("img[src]")].filter(i => /^\s*javascript:/i.test(i.getAttribute("src").replace(/[\t\n\r]/g, ""))).map(i => "image: " + i.outerHTML.slice(0, 80)),
				...[...document.querySelectorAll("iframe, object, embed, svg")].map(e => "element: " + e.outerHTML.slice(0, 80)),
			]`)
			for _, l := range live {
				t.Errorf("%s: live markup from the page's text: %s", name, l)
			}
		}
		// The title is shown as text, not dropped.
		tb.open(w.base + "/wiki/hostile")
		wantEqual(t, "h1 shows the title as text", tb.text("h1"), title)
		for _, d := range tb.unexpectedDialogs() {
			t.Errorf("a JavaScript dialog opened (CSP bypassed: %v): %s", bypassCSP, d)
		}
	}
}

// TestBrowserSignUpWithInviteAndEdit follows a new hire: a trainer makes a
// cohort, the new hire opens its invite link, signs up, edits a page, and
// finds their name and cohort in the page's history and on the cohort's
// hand-over page.
func TestBrowserSignUpWithInviteAndEdit(t *testing.T) {
	w := startWiki(t, "trainer")
	resp := w.api(t, http.MethodPost, "/api/v1/cohorts", map[string]any{"id": "2026-11-eng", "name": "2026 November engineering", "starts_on": "2026-11-02"})
	var cohort struct {
		InviteCode string `json:"invite_code"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&cohort); err != nil || resp.StatusCode != http.StatusCreated || cohort.InviteCode == "" {
		t.Fatalf("create cohort: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	w.putPage(t, "laptop", "Laptop setup", "## Which laptop do I get?\n\nAsk IT.\n", 0)

	tb := openTab(t, newBrowser(t))
	wantEqual(t, "status of the invite link", tb.open(w.base+"/signup?invite="+url.QueryEscape(cohort.InviteCode)), 200)
	wantEqual(t, "invite prefilled", tb.value("#invite_code"), cohort.InviteCode)
	tb.do("fill in the sign-up form",
		chromedp.SendKeys(chromedp.ID("username"), "grace"),
		chromedp.SendKeys(chromedp.ID("display_name"), "Grace Hopper"),
		chromedp.SendKeys(chromedp.ID("password"), "a fine long passphrase"),
	)
	wantEqual(t, "status after sign-up", tb.follow(`form[action="/signup"] button[type=submit]`), 200)
	wantEqual(t, "path after sign-up", tb.path(), "/")
	wantContains(t, "welcome flash", tb.flash(), "2026 November engineering")
	wantEqual(t, "who is signed in", tb.text("header.site .me"), "Grace Hopper")

	tb.open(w.base + "/edit/laptop")
	tb.replaceIn("#markdown", "Ask IT.", "Ask IT at the service desk on floor 2.")
	tb.do("write a summary", chromedp.SendKeys(chromedp.ID("summary"), "Where the service desk is"))
	wantEqual(t, "status after Save", tb.follow(`button[name=action][value=save]`), 200)
	wantContains(t, "flash", tb.flash(), "Saved revision 2")

	tb.open(w.base + "/history/laptop")
	row := tb.text("table.history tbody tr:first-child")
	// Names people read: the display name and the cohort's name.
	wantContains(t, "newest history row", row, "Grace Hopper")
	wantContains(t, "newest history row", row, "2026 November engineering")
	wantContains(t, "newest history row", row, "Where the service desk is")
	wantEqual(t, "cohort link", tb.count(`table.history tbody tr:first-child a.cohort[href="/cohorts/2026-11-eng"]`), 1)

	wantEqual(t, "status of the cohort page", tb.open(w.base+"/cohorts/2026-11-eng"), 200)
	wantContains(t, "hand-over", tb.text("#changed + p"), "1 revision")
	wantEqual(t, "member listed", tb.count(`a[href="/people/grace"]`), 2) // in the work table and the member list
	tb.screenshot("cohort-as-new-hire")

	if strings.Contains(tb.text("main"), cohort.InviteCode) {
		t.Error("a new hire sees the invite code")
	}

	// The trainer's view of the same page (another browser) shows the
	// invite link.
	tr := openTab(t, newBrowser(t))
	tr.signIn(w, "/cohorts/2026-11-eng")
	wantContains(t, "invite link", tr.value("input.copy"), "/signup?invite="+cohort.InviteCode)
	tr.screenshot("cohort")
}
