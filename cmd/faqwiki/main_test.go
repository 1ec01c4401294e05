package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/wiki/wikitest"
)

// syncBuffer is a bytes.Buffer safe to write from the server goroutine and
// read from the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runCmd runs one faqwiki command to completion.
func runCmd(t *testing.T, dataDir string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return runCmdIn(t, dataDir, "", args...)
}

// runCmdIn is runCmd with stdin as the command's standard input.
func runCmdIn(t *testing.T, dataDir, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb syncBuffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "FAQWIKI_DATA" {
			return dataDir
		}
		return ""
	}}
	err = m.Run(context.Background(), args)
	return out.String(), errb.String(), err
}

// MustRunMain starts the server on a free loopback port over dataDir and
// returns its base URL; the server stops when the test ends.
func MustRunMain(t *testing.T, dataDir string) string {
	t.Helper()
	return runServe(t, dataDir)
}

// mustAdmin adds an admin account to dataDir with the command line and
// returns an API token for it, as a script author would.
func mustAdmin(t *testing.T, dataDir string) string {
	t.Helper()
	if _, errb, err := runCmdIn(t, dataDir, "a long admin passphrase\n", "user", "add", "boss", "--role", "admin"); err != nil {
		t.Fatalf("user add: %v\n%s", err, errb)
	}
	out, errb, err := runCmd(t, dataDir, "token", "create", "boss", "--name", "tests")
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, errb)
	}
	return strings.TrimSpace(out)
}

// do sends a request with a bearer token.
func do(t *testing.T, token, method, url, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func getJSON(t *testing.T, token, url string, v any) int {
	t.Helper()
	resp := do(t, token, "GET", url, "")
	defer resp.Body.Close()
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

func TestImportServeExportRoundTrip(t *testing.T) {
	data := t.TempDir()
	out, _, err := runCmd(t, data, "import", "testdata/handbook")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "3 created, 0 updated, 0 unchanged, 0 skipped") {
		t.Errorf("first import: %q", out)
	}
	out, _, err = runCmd(t, data, "import", "testdata/handbook")
	if err != nil || !strings.Contains(out, "0 created, 0 updated, 3 unchanged") {
		t.Errorf("second import: %q %v", out, err)
	}

	token := mustAdmin(t, data)
	base := MustRunMain(t, data)
	var page struct {
		Title, Markdown, Author string
		Revision                int
	}
	if code := getJSON(t, token, base+"/api/v1/pages/travel/fmla", &page); code != 200 {
		t.Fatalf("GET fmla: %d", code)
	}
	if page.Title != "Family Medical Leave Act (FMLA)" || strings.HasPrefix(page.Markdown, "# ") || page.Author != "import" || page.Revision != 1 {
		t.Errorf("imported page: %q by %q, rev %d, starts %q", page.Title, page.Author, page.Revision, page.Markdown[:20])
	}
	// The data folder is locked while the server runs: commands fail at once.
	start := time.Now()
	_, _, err = runCmd(t, data, "import", "testdata/handbook")
	if err == nil || !strings.Contains(err.Error(), "in use by a running server") || !strings.Contains(err.Error(), "import -url") {
		t.Errorf("import while serving: %v", err)
	}
	if d := time.Since(start); d > 15*time.Second { // a hang, not a speed test
		t.Errorf("import waited %v for the lock", d)
	}
	// An imported wiki is not empty, so no welcome page was added.
	if code := getJSON(t, token, base+"/api/v1/pages/welcome", nil); code != 404 {
		t.Errorf("welcome page on an imported wiki: %d", code)
	}
}

func TestExportReimportsUnchanged(t *testing.T) {
	data := t.TempDir()
	if _, _, err := runCmd(t, data, "import", "testdata/handbook"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out, _, err := runCmd(t, data, "export", dir)
	if err != nil || !strings.Contains(out, "exported 3 pages") {
		t.Fatalf("export: %q %v", out, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "travel", "fmla.md"))
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := os.ReadFile("testdata/handbook/travel/fmla.md")
	if string(b) != string(orig) {
		t.Errorf("export differs from the imported file")
	}
	out, _, err = runCmd(t, data, "import", dir)
	if err != nil || !strings.Contains(out, "3 unchanged") {
		t.Errorf("re-import of the export: %q %v", out, err)
	}
}

func TestFirstStartCreatesTheWelcomePage(t *testing.T) {
	data := t.TempDir()
	token := mustAdmin(t, data)
	base := MustRunMain(t, data)
	var page struct{ Title, Markdown string }
	if code := getJSON(t, token, base+"/api/v1/pages/welcome", &page); code != 200 || !strings.Contains(page.Markdown, "How do I add a question") {
		t.Fatalf("welcome: %d %q", code, page.Title)
	}
	resp := do(t, token, "GET", base+"/", "")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `href="/wiki/welcome"`) {
		t.Errorf("home page: %d", resp.StatusCode)
	}
}

func TestEditsSurviveARestart(t *testing.T) {
	data := t.TempDir()
	token := mustAdmin(t, data)
	func() {
		ctx, cancel := context.WithCancel(context.Background())
		ready := make(chan string, 1)
		done := make(chan error, 1)
		m := &Main{Stdout: io.Discard, Stderr: io.Discard, Ready: func(a string) { ready <- a }}
		go func() { done <- m.Run(ctx, []string{"-addr", "127.0.0.1:0", "-data", data}) }()
		base := "http://" + <-ready
		resp := do(t, token, "PUT", base+"/api/v1/pages/kept", `{"title":"Kept","markdown":"acknowledged\n"}`)
		resp.Body.Close()
		if resp.StatusCode != 201 {
			t.Fatalf("PUT: %d", resp.StatusCode)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}()
	base := MustRunMain(t, data)
	var page struct{ Markdown string }
	if code := getJSON(t, token, base+"/api/v1/pages/kept", &page); code != 200 || page.Markdown != "acknowledged\n" {
		t.Errorf("after restart: %d %q", code, page.Markdown)
	}
}

func TestUsageErrors(t *testing.T) {
	data := t.TempDir()
	for _, args := range [][]string{{"import"}, {"export", "a", "b"}, {"frobnicate"}, {"serve", "extra"}, {"-log", "xml"}} {
		if _, _, err := runCmd(t, data, args...); err == nil || exitCode(err) != 2 {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
	if _, _, err := runCmd(t, data, "import", "no/such/folder"); err == nil {
		t.Error("import of a missing folder succeeded")
	}
}

func TestUserAndTokenCommands(t *testing.T) {
	data := t.TempDir()
	if _, _, err := runCmdIn(t, data, "short\n", "user", "add", "ada", "--role", "editor"); err == nil {
		t.Error("a weak password was accepted")
	}
	if _, _, err := runCmdIn(t, data, "", "user", "add", "ada"); err == nil {
		t.Error("an empty password was accepted")
	}
	out, _, err := runCmdIn(t, data, "a long enough passphrase\n", "user", "add", "Ada", "--role", "trainer", "--name", "Ada Lovelace")
	if err != nil || !strings.Contains(out, "created ada (trainer)") {
		t.Fatalf("user add: %q %v", out, err)
	}
	if _, _, err := runCmdIn(t, data, "a long enough passphrase\n", "user", "add", "ada"); err == nil {
		t.Error("a duplicate username was accepted")
	}
	if _, _, err := runCmdIn(t, data, "a long enough passphrase\n", "user", "add", "bad\x01name"); err == nil {
		t.Error("a control character in a username was accepted")
	}
	if out, _, err := runCmd(t, data, "user", "set-role", "ada", "admin"); err != nil || !strings.Contains(out, "ada is now admin") {
		t.Errorf("set-role: %q %v", out, err)
	}
	if _, _, err := runCmd(t, data, "user", "set-role", "ada", "king"); err == nil {
		t.Error("an unknown role was accepted")
	}
	out, _, err = runCmd(t, data, "user", "list")
	if err != nil || !strings.Contains(out, "ada") || !strings.Contains(out, "admin") || strings.Contains(out, "argon2") {
		t.Errorf("user list: %q %v", out, err)
	}
	token, stderr, err := runCmd(t, data, "token", "create", "ada", "--name", "import script")
	token = strings.TrimSpace(token)
	if err != nil || len(token) < 40 || !strings.Contains(stderr, "shown only now") {
		t.Fatalf("token create: %q %q %v", token, stderr, err)
	}
	out, _, err = runCmd(t, data, "token", "list")
	if err != nil || !strings.Contains(out, "import script") || strings.Contains(out, token) {
		t.Errorf("token list: %q %v", out, err)
	}
	id := strings.Fields(strings.Split(out, "\n")[1])[0]
	base := MustRunMain(t, data)
	if code := getJSON(t, token, base+"/api/v1/pages", nil); code != 200 {
		t.Errorf("the new token is refused: %d", code)
	}
	// Commands that write the data folder fail at once while a server
	// holds it (bbolt's lock); TestTokenRevoke revokes with it stopped.
	if _, _, err := runCmd(t, data, "token", "revoke", id); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("revoke while serving: %v", err)
	}
}

func TestTokenRevoke(t *testing.T) {
	data := t.TempDir()
	token := mustAdmin(t, data)
	out, _, _ := runCmd(t, data, "token", "list")
	id := strings.Fields(strings.Split(out, "\n")[1])[0]
	if _, _, err := runCmd(t, data, "token", "revoke", "abc"); err == nil {
		t.Error("a too-short id was accepted")
	}
	if out, _, err := runCmd(t, data, "token", "revoke", id); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke: %q %v", out, err)
	}
	base := MustRunMain(t, data)
	if code := getJSON(t, token, base+"/api/v1/pages", nil); code != 401 {
		t.Errorf("a revoked token still works: %d", code)
	}
}

func TestFirstStartPrintsTheSetupLink(t *testing.T) {
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var out syncBuffer
	m := &Main{Stdout: &out, Stderr: io.Discard, Ready: func(a string) { ready <- a }}
	go func() { done <- m.Run(ctx, []string{"-addr", "127.0.0.1:0", "-data", data}) }()
	base := "http://" + <-ready
	defer func() {
		cancel()
		<-done
	}()
	i := strings.Index(out.String(), base+"/setup/")
	if i < 0 {
		t.Fatalf("no setup link printed:\n%s", out.String())
	}
	link := strings.Fields(out.String()[i:])[0]
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("setup page: %d", resp.StatusCode)
	}
}

func TestImportKeepsHTMLTablesAsTables(t *testing.T) {
	data := t.TempDir()
	if _, _, err := runCmd(t, data, "import", "testdata/htmltable"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, _, err := runCmd(t, data, "export", dir); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCmd(t, data, "import", dir)
	if err != nil || !strings.Contains(out, "1 unchanged") {
		t.Errorf("re-import of the export: %q %v", out, err)
	}
	token := mustAdmin(t, data)
	base := MustRunMain(t, data)
	var page struct{ HTML string }
	getJSON(t, token, base+"/api/v1/pages/chicago", &page)
	if !strings.Contains(page.HTML, "<strong>Location</strong>") || !strings.Contains(page.HTML, "35th floor SW<br>Chicago") {
		t.Errorf("the office table did not survive the import:\n%s", page.HTML)
	}
}

// searchTotal asks the running server how many pages match q.
func searchTotal(t *testing.T, token, base, q string) int {
	t.Helper()
	var res struct{ Total int }
	if code := getJSON(t, token, base+"/api/v1/search?q="+q, &res); code != 200 {
		t.Fatalf("search %q: %d", q, code)
	}
	return res.Total
}

func TestSearchIndexIsRebuiltAndCaughtUp(t *testing.T) {
	data := t.TempDir()
	if _, _, err := runCmd(t, data, "import", "testdata/handbook"); err != nil {
		t.Fatal(err)
	}
	out, errb, err := runCmd(t, data, "reindex")
	if err != nil || !strings.Contains(out, "rebuilt the search index") || !strings.Contains(errb, "indexed 3 of 3 pages") {
		t.Fatalf("reindex: %q %q %v", out, errb, err)
	}
	// Pages imported while no server ran, and a deleted index folder: the
	// next start catches up / rebuilds without being asked.
	if _, _, err := runCmd(t, data, "import", "testdata/htmltable"); err != nil {
		t.Fatal(err)
	}
	token := mustAdmin(t, data)
	base := MustRunMain(t, data)
	wikitest.Eventually(t, "dearborn to be searchable", func() bool { return searchTotal(t, token, base, "dearborn") == 1 })
	if n := searchTotal(t, token, base, "fmla"); n < 1 {
		t.Errorf("fmla: %d pages", n)
	}
	// An edit is searchable within a second.
	resp := do(t, token, "PUT", base+"/api/v1/pages/fresh", `{"title":"Fresh","markdown":"## Where do I park my bicycle?\n\nIn the basement.\n"}`)
	resp.Body.Close()
	start := time.Now()
	wikitest.Eventually(t, "bicycle to be searchable", func() bool { return searchTotal(t, token, base, "bicycle") == 1 })
	t.Logf("the edit was searchable after %v", time.Since(start))
}

func TestDeletedIndexFolderIsRebuiltOnStart(t *testing.T) {
	data := t.TempDir()
	if _, _, err := runCmd(t, data, "import", "testdata/handbook"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t, data, "reindex"); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(data, "index")); err != nil {
		t.Fatal(err)
	}
	token := mustAdmin(t, data)
	base := MustRunMain(t, data)
	wikitest.Eventually(t, "the rebuilt index to find overtime", func() bool { return searchTotal(t, token, base, "overtime") >= 1 })
}
