package web

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
)

// logBuffer collects a server's JSON log lines.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// lines returns the log lines whose msg is msg, decoded.
func (l *logBuffer) lines(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

func newLoggedServer(t *testing.T, cfg Config) (*testServer, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	cfg.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	return newTestServerWith(t, cfg), logs
}

func TestRequestLogLineAndID(t *testing.T) {
	ts, logs := newLoggedServer(t, Config{})
	ts.create("it/vpn", "VPN", "text\n")
	w := ts.browse("GET", "/wiki/it/vpn", nil)
	wantStatus(t, w, 200)
	id := w.Header().Get("X-Request-Id")
	if !plainID(id) {
		t.Fatalf("X-Request-Id = %q", id)
	}
	var line map[string]any
	for _, l := range logs.lines(t, "request") {
		if l["request_id"] == id {
			line = l
		}
	}
	if line == nil {
		t.Fatalf("no request line with id %s in:\n%s", id, logs)
	}
	t.Logf("request log line: %v", line)
	want := map[string]any{"level": "INFO", "method": "GET", "route": "/wiki/*slug", "path": "/wiki/it/vpn", "status": float64(200), "user": "admin"}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %v, want %v", k, line[k], v)
		}
	}
	if d, ok := line["duration"].(float64); !ok || d <= 0 {
		t.Errorf("duration = %v", line["duration"])
	}

	// Each request its own id; an error page shows it, and the error line
	// is at Warn level with the route that did not match.
	w2 := ts.browse("GET", "/no/such/thing", nil)
	wantStatus(t, w2, 404)
	id2 := w2.Header().Get("X-Request-Id")
	if id2 == "" || id2 == id {
		t.Errorf("second id %q (first %q)", id2, id)
	}
	if !strings.Contains(w2.Body.String(), id2) {
		t.Error("the error page does not show the request id")
	}
	found := false
	for _, l := range logs.lines(t, "request") {
		if l["request_id"] == id2 && l["level"] == "WARN" && l["route"] == "unmatched" && l["status"] == float64(404) {
			found = true
		}
	}
	if !found {
		t.Errorf("no WARN line for the 404:\n%s", logs)
	}

	// A request id from a client is not taken unless it comes through a
	// trusted proxy.
	r := httptest.NewRequest("GET", "/healthz", nil)
	r.Header.Set("X-Request-Id", "from-the-client")
	if got := ts.serve(r).Header().Get("X-Request-Id"); got == "from-the-client" {
		t.Error("an untrusted client chose its request id")
	}
	tp, _ := newLoggedServer(t, Config{TrustedProxies: []string{"192.0.2.0/24"}})
	r = httptest.NewRequest("GET", "/healthz", nil) // RemoteAddr 192.0.2.1
	r.Header.Set("X-Request-Id", "from-the-proxy")
	if got := tp.serve(r).Header().Get("X-Request-Id"); got != "from-the-proxy" {
		t.Errorf("a trusted proxy's request id was replaced by %q", got)
	}
	r.Header.Set("X-Request-Id", "bad id with spaces")
	if got := tp.serve(r).Header().Get("X-Request-Id"); got == "bad id with spaces" {
		t.Error("a malformed request id was taken")
	}
}

// TestLogsHoldNoSecrets signs in with a password, uses a bearer token and
// a session cookie, saves page text, opens setup and reset links and
// searches, then checks that none of those values is anywhere in the log.
func TestLogsHoldNoSecrets(t *testing.T) {
	ts, logs := newLoggedServer(t, Config{})
	ctx := context.Background()
	const password = "zebra-password-1234"
	if _, err := ts.accounts.CreateAccount(ctx, wiki.NewAccount{Username: "ada", Password: password, Role: wiki.RoleEditor}); err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"password": password, "bearer token": ts.token}

	// Sign in through the form and the API, and fail once.
	ts.signOut()
	ts.browse("GET", "/login", nil)
	ts.post("/login", url.Values{"username": {"ada"}, "password": {password}})
	secrets["session cookie"] = ts.cookies[sessionCookie].Value
	secrets["csrf cookie"] = ts.cookies[csrfCookie].Value
	ts.post("/login", url.Values{"username": {"ada"}, "password": {"wrong-" + password}})
	r := httptest.NewRequest("POST", "/api/v1/session", strings.NewReader(`{"username":"ada","password":"`+password+`"}`))
	r.Header.Set("Content-Type", "application/json")
	ts.serve(r)

	// Page text, through the API and the edit form.
	const text = "quokka-secret-page-text"
	wantStatus(t, ts.api("PUT", "/api/v1/pages/p", `{"title":"P","markdown":"`+text+`\n"}`), 201)
	ts.post("/edit/p", url.Values{"title": {"P"}, "markdown": {text + " again"}, "base_revision": {"1"}})
	ts.api("PUT", "/api/v1/pages/p", "not json "+text) // a bad body must not be echoed into the log

	// A search (the query string is never logged).
	ts.api("GET", "/api/v1/search?q=wombat-search-words", "")
	secrets["search words"] = "wombat-search-words"

	// A reset link, opened and used.
	w := ts.api("POST", "/api/v1/users/ada/reset", "")
	wantStatus(t, w, 201)
	link := decode[apiReset](t, w).URL
	u, _ := url.Parse(link)
	resetToken := strings.TrimPrefix(u.Path, "/reset/")
	secrets["reset token"] = resetToken
	ts.browse("GET", u.Path, nil)
	ts.post(u.Path, url.Values{"password": {"new-" + password}, "password_again": {"new-" + password}})
	secrets["new password"] = "new-" + password

	// A setup link (the wiki has accounts, so it is refused: still not logged).
	ts.browse("GET", "/setup/setup-token-that-is-secret", nil)
	ts.post("/setup/setup-token-that-is-secret", url.Values{"username": {"x"}, "password": {password}})
	secrets["setup token"] = "setup-token-that-is-secret"

	all := logs.String()
	if !strings.Contains(all, `"msg":"request"`) {
		t.Fatal("nothing was logged")
	}
	for what, v := range secrets {
		if strings.Contains(all, v) {
			t.Errorf("the log holds the %s %q", what, v)
		}
	}
	if strings.Contains(all, text) || strings.Contains(all, "quokka") {
		t.Error("the log holds page text")
	}
	if !strings.Contains(all, `"path":"/reset/…"`) {
		t.Error("the reset link's path is not logged with its token replaced")
	}
}

func TestJSONBodyMustBeJSON(t *testing.T) {
	ts := newTestServer(t)
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "", "application/jsonx", "multipart/form-data; boundary=x"} {
		r := httptest.NewRequest("PUT", "/api/v1/pages/p", strings.NewReader(`{"title":"P","markdown":"x"}`))
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		r.Header.Set("Authorization", "Bearer "+ts.token)
		w := ts.serve(r)
		wantError(t, w, http.StatusUnsupportedMediaType, "unsupported_media_type")
	}
	if _, err := ts.wiki.Page(context.Background(), "p"); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("a refused body saved the page: %v", err)
	}
	// With parameters, and the other JSON routes.
	r := httptest.NewRequest("PUT", "/api/v1/pages/p", strings.NewReader(`{"title":"P","markdown":"x"}`))
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	r.Header.Set("Authorization", "Bearer "+ts.token)
	wantStatus(t, ts.serve(r), 201)
	r = httptest.NewRequest("POST", "/api/v1/session", strings.NewReader(`{"username":"admin","password":"`+testPassword+`"}`))
	r.Header.Set("Content-Type", "text/plain")
	wantError(t, ts.serve(r), http.StatusUnsupportedMediaType, "unsupported_media_type")
	// Invalid UTF-8 is refused, not saved with U+FFFD in its place.
	w := ts.api("PUT", "/api/v1/pages/p", "{\"markdown\":\"caf\xe9\",\"base_revision\":1}")
	wantError(t, w, http.StatusBadRequest, "bad_request")
	if got := decode[apiError](t, w).Error.Message; got != "the request body is not valid UTF-8" {
		t.Errorf("invalid UTF-8: %q", got)
	}
	if p, _ := ts.wiki.Page(context.Background(), "p"); p.Markdown != "x" {
		t.Errorf("the page became %q", p.Markdown)
	}
}

// TestOversizedBodyRefusedUnread sends a request that announces a body far
// over the limit and sends only its first bytes: the answer, 413, comes
// without the server waiting for the rest, and the connection is closed.
func TestOversizedBodyRefusedUnread(t *testing.T) {
	ts := newTestServer(t)
	hs := httptest.NewServer(ts.srv)
	defer hs.Close()
	conn, err := net.Dial("tcp", hs.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second)) // a hang guard, not a timing
	fmt.Fprintf(conn, "PUT /api/v1/pages/big HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"title\":", ts.token, 1<<30)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer before the body was sent: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 413 || !strings.Contains(string(body), "too_large") {
		t.Errorf("status %d, body %s", resp.StatusCode, body)
	}
	if !resp.Close {
		t.Error("the connection is kept open after refusing an unread body")
	}
	// A body without a length that grows past the limit is cut off too.
	r := httptest.NewRequest("PUT", "/api/v1/pages/big", io.MultiReader(strings.NewReader(`{"title":"T","markdown":"`), strings.NewReader(strings.Repeat("x", maxJSONBytes+10))))
	r.ContentLength = -1
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+ts.token)
	wantError(t, ts.serve(r), 413, "too_large")
}

// statusFunc is a Config.Status that reports st.
func statusFunc(st *Status) func(context.Context) Status {
	return func(context.Context) Status { return *st }
}

func TestHealthzDetailAndLag(t *testing.T) {
	st := &Status{StoreSeq: 50, IndexSeq: 45, DBBytes: 1 << 20}
	started := time.Now().Add(-time.Hour)
	ts := newTestServerWith(t, Config{Status: statusFunc(st), MaxIndexLag: 10, Version: "v1.2.3", Started: started})

	// Anyone: the status and nothing else.
	w := ts.apiAs("", "GET", "/healthz", "")
	wantStatus(t, w, 200)
	if got := strings.TrimSpace(w.Body.String()); got != `{"status":"ok"}` {
		t.Errorf("anonymous healthz = %s", got)
	}
	// Admins: the detail.
	w = ts.api("GET", "/healthz", "")
	wantStatus(t, w, 200)
	d := decode[healthDetail](t, w)
	if d.IndexLag != 5 || d.StoreSeq != 50 || d.IndexSeq != 45 || d.DBBytes != 1<<20 || d.Version != "v1.2.3" || d.UptimeSeconds < 3500 || d.MaxIndexLag != 10 {
		t.Errorf("detail = %+v", d)
	}
	// Too far behind: 503, saying why.
	st.IndexSeq = 20
	w = ts.apiAs("", "GET", "/healthz", "")
	wantStatus(t, w, 503)
	if ans := decode[healthAnswer](t, w); ans.Status != "unavailable" || len(ans.Problems) != 1 || !strings.Contains(ans.Problems[0], "30 changes behind") {
		t.Errorf("lagging healthz = %+v", ans)
	}
	// The store does not answer: 503, without the error's detail.
	st.IndexSeq, st.Store = 50, errors.New("disk on fire at /secret/path")
	w = ts.apiAs("", "GET", "/healthz", "")
	wantStatus(t, w, 503)
	if strings.Contains(w.Body.String(), "/secret/path") || !strings.Contains(w.Body.String(), "the store does not answer") {
		t.Errorf("store failure healthz = %s", w.Body)
	}
}

func TestMetricsAccess(t *testing.T) {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "faqwiki_up 1\n") })
	get := func(ts *testServer, remote, bearer string, hdr map[string]string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/metrics", nil)
		r.RemoteAddr = remote
		if bearer != "" {
			r.Header.Set("Authorization", "Bearer "+bearer)
		}
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		return ts.serve(r)
	}
	ts := newTestServerWith(t, Config{Metrics: handler, MetricsToken: "scrape-me", MetricsLocal: true})
	tests := []struct {
		name   string
		remote string
		bearer string
		hdr    map[string]string
		want   int
	}{
		{"anyone", "192.0.2.7:1000", "", nil, 403},
		{"metrics token", "192.0.2.7:1000", "scrape-me", nil, 200},
		{"wrong token", "192.0.2.7:1000", "scrape-you", nil, 401},
		{"admin token", "192.0.2.7:1000", ts.token, nil, 200},
		{"local", "127.0.0.1:1000", "", nil, 200},
		{"local ipv6", "[::1]:1000", "", nil, 200},
		{"through a local proxy", "127.0.0.1:1000", "", map[string]string{"X-Forwarded-For": "203.0.113.9"}, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := get(ts, tt.remote, tt.bearer, tt.hdr)
			if w.Code != tt.want {
				t.Errorf("status %d, want %d", w.Code, tt.want)
			}
			if tt.want == 200 && w.Body.String() != "faqwiki_up 1\n" {
				t.Errorf("body %q", w.Body)
			}
		})
	}
	// The metrics token opens nothing else.
	r := httptest.NewRequest("GET", "/api/v1/pages", nil)
	r.Header.Set("Authorization", "Bearer scrape-me")
	wantStatus(t, ts.serve(r), 401)
	// Without the local flag, a local client needs the token too.
	closed := newTestServerWith(t, Config{Metrics: handler})
	wantStatus(t, get(closed, "127.0.0.1:1000", "", nil), 403)
}

// countingObserver records the requests it is told of.
type countingObserver struct {
	mu   sync.Mutex
	seen []string
}

func (o *countingObserver) ObserveRequest(route, method string, status int, d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seen = append(o.seen, fmt.Sprintf("%s %s %d", method, route, status))
}

func TestRequestObserver(t *testing.T) {
	obs := &countingObserver{}
	ts := newTestServerWith(t, Config{Observer: obs})
	ts.create("it/vpn", "VPN", "x\n")
	ts.api("GET", "/api/v1/pages/it/vpn", "")
	ts.api("GET", "/nothing/here", "")
	want := []string{"PUT /api/v1/pages/*rest 201", "GET /api/v1/pages/*rest 200", "GET unmatched 404"}
	if strings.Join(obs.seen, "|") != strings.Join(want, "|") {
		t.Errorf("observed %q, want %q", obs.seen, want)
	}
}

// TestWritingHook: Config.Writing hears of each request that may write,
// before it is served, and of no read.
func TestWritingHook(t *testing.T) {
	var writes atomic.Int32
	ts := newTestServerWith(t, Config{Writing: func() { writes.Add(1) }})
	ts.create("it/vpn", "VPN", "x\n")
	ts.api("GET", "/api/v1/pages/it/vpn", "")
	ts.api("HEAD", "/api/v1/pages/it/vpn", "")
	ts.api("OPTIONS", "/api/v1/pages", "")
	if n := writes.Load(); n != 1 {
		t.Errorf("after a PUT and three reads, Writing was called %d times, want 1", n)
	}
	ts.api("DELETE", "/api/v1/pages/nothing-here", "")
	ts.api("POST", "/api/v1/pages/it/vpn/attachments", "")
	if n := writes.Load(); n != 3 {
		t.Errorf("after a DELETE and a POST that failed, Writing was called %d times in all, want 3", n)
	}
}

func TestBackupEndpoint(t *testing.T) {
	ts := newTestServer(t)
	ts.create("it/vpn", "VPN", "who gives access\n")
	ts.create("lunch", "Lunch", "floor 3\n")
	w := ts.api("GET", "/api/v1/admin/backup", "")
	wantStatus(t, w, 200)
	body := w.Body.Bytes()
	sum := sha256.Sum256(body)
	if got := w.Header().Get("X-Checksum-Sha256"); got != hex.EncodeToString(sum[:]) {
		t.Errorf("X-Checksum-Sha256 = %s, body has %x", got, sum)
	}
	if got := w.Header().Get("Content-Length"); got != fmt.Sprint(len(body)) {
		t.Errorf("Content-Length = %s, body %d bytes", got, len(body))
	}
	if cd := w.Header().Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, ".db") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	path := filepath.Join(t.TempDir(), "backup.db")
	os.WriteFile(path, body, 0o600)
	rep, err := store.Check(context.Background(), path)
	if err != nil || !rep.OK() || rep.Pages != 2 || w.Header().Get("X-Faqwiki-Seq") != fmt.Sprint(rep.LastSeq) {
		t.Errorf("the backup checks as %+v, %v (seq header %s)", rep, err, w.Header().Get("X-Faqwiki-Seq"))
	}
	// The temporary file is gone.
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(ts.db.Path()), ".snapshot-*")); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

func TestPasswordResetFlow(t *testing.T) {
	ts := newTestServerWith(t, Config{BaseURL: "https://wiki.example.com/"})
	ts.addUser("ada", wiki.RoleEditor, "")
	wantError(t, ts.api("POST", "/api/v1/users/nobody/reset", ""), 404, "not_found")
	w := ts.api("POST", "/api/v1/users/ada/reset", "")
	wantStatus(t, w, 201)
	ans := decode[apiReset](t, w)
	if !strings.HasPrefix(ans.URL, "https://wiki.example.com/reset/") || ans.Username != "ada" || ans.ExpiresAt.IsZero() {
		t.Fatalf("answer = %+v", ans)
	}
	path := strings.TrimPrefix(ans.URL, "https://wiki.example.com")

	ts.signOut()
	w = ts.browse("GET", path, nil)
	wantStatus(t, w, 200)
	doc := parseHTML(t, w.Body.String())
	if len(queryAll(doc, "form input[name=password]")) != 1 || len(queryAll(doc, "form input[name=password_again]")) != 1 {
		t.Error("the reset page has no password form")
	}
	if !strings.Contains(w.Body.String(), "ada") {
		t.Error("the reset page does not say whose password it sets")
	}
	// Two different passwords, then a short one: the form again, the link kept.
	wantStatus(t, ts.post(path, url.Values{"password": {"first passphrase"}, "password_again": {"other passphrase"}}), 422)
	wantStatus(t, ts.post(path, url.Values{"password": {"short"}, "password_again": {"short"}}), 422)
	w = ts.post(path, url.Values{"password": {"a new passphrase!"}, "password_again": {"a new passphrase!"}})
	wantStatus(t, w, http.StatusSeeOther)
	if w.Header().Get("Location") != "/" {
		t.Errorf("Location = %q", w.Header().Get("Location"))
	}
	// Signed in as ada now.
	if w := ts.browse("GET", "/account", nil); w.Code != 200 || !strings.Contains(w.Body.String(), "ada") {
		t.Errorf("after the reset: %d", w.Code)
	}
	if _, _, err := ts.accounts.Login(context.Background(), "ada", "a new passphrase!", "192.0.2.5"); err != nil {
		t.Errorf("the new password does not work: %v", err)
	}
	// Used up.
	wantStatus(t, ts.browse("GET", path, nil), 404)
	wantStatus(t, ts.post(path, url.Values{"password": {"another passphrase"}, "password_again": {"another passphrase"}}), 404)

	// From the people page: a page with the link, which works.
	ts.signIn("admin")
	w = ts.post("/admin/users/ada/reset", url.Values{})
	wantStatus(t, w, 200)
	links := queryAll(parseHTML(t, w.Body.String()), "input.reset-link")
	if len(links) != 1 {
		t.Fatalf("no link on the page:\n%s", w.Body)
	}
	if link, _ := attr(links[0], "value"); !strings.HasPrefix(link, "https://wiki.example.com/reset/") {
		t.Errorf("link %q", link)
	}
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}
}

func TestAbsURLFromRequest(t *testing.T) {
	ts := newTestServerWith(t, Config{TrustProxy: true})
	ts.addUser("ada", wiki.RoleEditor, "")
	r := httptest.NewRequest("POST", "/api/v1/users/ada/reset", nil)
	r.Host = "wiki.internal:8080"
	r.Header.Set("Authorization", "Bearer "+ts.token)
	r.RemoteAddr = "10.0.0.2:5555"
	r.Header.Set("X-Forwarded-Proto", "https")
	w := ts.serve(r)
	wantStatus(t, w, 201)
	if u := decode[apiReset](t, w).URL; !strings.HasPrefix(u, "https://wiki.internal:8080/reset/") {
		t.Errorf("URL = %q", u)
	}
	if _, err := New(Config{Wiki: ts.wiki, Accounts: ts.accounts, Cohorts: ts.cohorts, Search: ts.index, BaseURL: "ftp://x"}); err == nil {
		t.Error("a bad base URL was accepted")
	}
	if _, err := New(Config{Wiki: ts.wiki, Accounts: ts.accounts, Cohorts: ts.cohorts, Search: ts.index, TrustedProxies: []string{"not an ip"}}); err == nil {
		t.Error("a bad trusted proxy was accepted")
	}
}

// failingSearcher is a Searcher whose every search fails, as a damaged
// index would.
type failingSearcher struct{ err error }

var _ wiki.Searcher = failingSearcher{}

func (f failingSearcher) Search(context.Context, wiki.SearchQuery) (*wiki.SearchResult, error) {
	return nil, f.err
}

func TestSearchFailureIsNoServerError(t *testing.T) {
	ts, logs := newLoggedServer(t, Config{})
	srv, err := New(Config{Wiki: ts.wiki, Accounts: ts.accounts, Cohorts: ts.cohorts, Search: failingSearcher{errors.New("bleve: segment file damaged")},
		Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ts.srv = srv
	w := ts.api("GET", "/api/v1/search?q=vpn", "")
	wantStatus(t, w, 200)
	if ans := decode[apiSearch](t, w); !ans.Degraded || ans.Total != 0 || ans.Hits == nil {
		t.Errorf("answer = %+v", ans)
	}
	w = ts.browse("GET", "/search?q=vpn", nil)
	wantStatus(t, w, 200)
	if !strings.Contains(w.Body.String(), "Search cannot answer right now") {
		t.Error("the results page does not say search is unavailable")
	}
	if !strings.Contains(logs.String(), "segment file damaged") {
		t.Error("the failure was not logged")
	}
}

func TestStorageFailureKeepsTheText(t *testing.T) {
	// A store whose "disk" is nearly full.
	db, err := store.Open(filepath.Join(t.TempDir(), "faqwiki.db"), store.Options{MaxSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ts := newTestServer(t)
	w := wiki.New(wiki.Config{Store: db})
	acc := wiki.NewAccounts(wiki.AccountsConfig{Store: db, Password: cheapPasswords})
	if _, err := acc.CreateAccount(context.Background(), wiki.NewAccount{Username: "admin", Password: testPassword, Role: wiki.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	ts.srv, err = New(Config{Wiki: w, Accounts: acc, Cohorts: newCohorts(db), Search: mustIndex(t, db)})
	if err != nil {
		t.Fatal(err)
	}
	ts.accounts = acc
	ts.token = ts.tokenFor("admin")
	ts.signIn("admin")
	ts.create("small", "Small", "fits\n")

	big := "a long line of text that fills the disk\n" + incompressible(1600000)
	body, _ := json.Marshal(map[string]any{"title": "Big", "markdown": big})
	wantError(t, ts.api("PUT", "/api/v1/pages/big", string(body)), http.StatusInsufficientStorage, "storage_failed")
	// Reads go on.
	wantStatus(t, ts.api("GET", "/api/v1/pages/small", ""), 200)
	wantStatus(t, ts.browse("GET", "/wiki/small", nil), 200)
	// The edit form keeps the text and says why.
	resp := ts.post("/new", url.Values{"title": {"Big"}, "markdown": {big}})
	wantStatus(t, resp, http.StatusInsufficientStorage)
	doc := parseHTML(t, resp.Body.String())
	if ta := queryAll(doc, "textarea[name=markdown]"); len(ta) != 1 || !strings.HasPrefix(textOf(ta[0]), "a long line of text") {
		t.Error("the editor lost the text")
	}
	if !strings.Contains(resp.Body.String(), "could not write your change to its disk") {
		t.Error("the form does not say the disk refused the change")
	}
}

// incompressible returns n bytes of text that neither a delta nor
// compression can make much smaller (lines of base64 of random bytes), to
// fill a disk with.
func incompressible(n int) string {
	rng := rand.New(rand.NewPCG(uint64(n), 1))
	var b strings.Builder
	raw := make([]byte, 48)
	for b.Len() < n {
		for i := range raw {
			raw[i] = byte(rng.Uint32())
		}
		b.WriteString(base64.StdEncoding.EncodeToString(raw))
		b.WriteByte('\n')
	}
	return b.String()[:n]
}

// A client that hangs up is no server error: the request's line and the
// note of it are not at level ERROR.
func TestClientThatLeftIsNoError(t *testing.T) {
	ts, logs := newLoggedServer(t, Config{})
	ts.create("it/vpn", "VPN", "text\n")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequest("GET", "/api/v1/pages/it/vpn/revisions", nil).WithContext(ctx)
	r.Header.Set("Authorization", "Bearer "+ts.token)
	w := httptest.NewRecorder()
	ts.srv.ServeHTTP(w, r)
	if w.Code < 500 {
		t.Fatalf("the cancelled request was answered %d, want the 503 of a cancelled request", w.Code)
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("a client that left was logged as an error:\n%s", logs)
	}
	if len(logs.lines(t, "request abandoned by the client")) != 1 {
		t.Errorf("no note of the abandoned request:\n%s", logs)
	}
}
