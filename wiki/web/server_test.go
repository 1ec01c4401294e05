package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/search"
	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

// testServer is the real router over a real bbolt store in a temp folder,
// plus a tiny browser: a cookie jar and the CSRF token it was given.
type testServer struct {
	t        *testing.T
	srv      *Server
	wiki     *wiki.Wiki
	accounts *wiki.Accounts
	cohorts  *wiki.Cohorts
	db       *store.DB
	cookies  map[string]*http.Cookie
	referer  string // sent by browse when set
	token    string // the admin's API token, sent by api()
	changed  int

	index     *search.Index
	searchLog *search.Log
	synonyms  *wiki.Synonyms
	questions *wiki.Questions
	answers   *wiki.Answers
}

// mustIndex opens a real bleve index in a temp folder over db.
func mustIndex(tb testing.TB, db *store.DB, opts ...search.Options) *search.Index {
	tb.Helper()
	var o search.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	ix, err := search.Open(tb.TempDir()+"/index", db, wiki.NewRenderer(), o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	if err := ix.CatchUp(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return ix
}

// newCohorts returns the cohorts service over db.
func newCohorts(db *store.DB) *wiki.Cohorts {
	return wiki.NewCohorts(wiki.CohortsConfig{Accounts: db, Pages: db})
}

// cheapPasswords makes argon2id fast enough for tests that sign in often.
var cheapPasswords = wiki.PasswordParams{Time: 1, Memory: 64, Threads: 1}

const testPassword = "correct horse battery"

// newTestServer returns the real router over a real store, with an admin
// account "admin" whose API token api() sends and whose session browse()
// sends.
func newTestServer(t *testing.T) *testServer {
	return newTestServerWith(t, Config{})
}

func newTestServerWith(t *testing.T, cfg Config) *testServer {
	t.Helper()
	db, err := store.Open(t.TempDir()+"/faqwiki.db", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ts := &testServer{t: t, db: db, cookies: map[string]*http.Cookie{}}
	ts.searchLog, err = search.OpenLog(t.TempDir()+"/searchlog.db", search.LogOptions{FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ts.searchLog.Close() })
	ts.synonyms = wiki.NewSynonyms(wiki.SynonymsConfig{Store: db, OnCommit: func(*wiki.SynonymList) { ts.index.SynonymsChanged() }})
	ts.index = mustIndex(t, db, search.Options{Synonyms: ts.synonyms, Learner: ts.searchLog})
	ts.wiki = wiki.New(wiki.Config{Store: db, OnCommit: func(*wiki.Revision) {
		ts.changed++
		// Index at once, so tests can search for what they just saved.
		if err := ts.index.CatchUp(context.Background()); err != nil {
			t.Error(err)
		}
	}})
	ts.accounts = wiki.NewAccounts(wiki.AccountsConfig{Store: db, Password: cheapPasswords})
	ts.cohorts = newCohorts(db)
	cfg.Wiki, cfg.Accounts, cfg.Cohorts, cfg.Search, cfg.SearchLog = ts.wiki, ts.accounts, ts.cohorts, ts.index, ts.searchLog
	cfg.Learning, cfg.Synonyms, cfg.Opens = ts.searchLog, ts.synonyms, ts.searchLog
	if cfg.Questions == nil {
		ts.questions = wiki.NewQuestions(wiki.QuestionsConfig{Store: db, Wiki: ts.wiki, Search: ts.index, SearchLog: ts.searchLog, Clock: cfg.Clock})
		ts.answers = wiki.NewAnswers(wiki.AnswersConfig{Store: db, Wiki: ts.wiki, Questions: ts.questions, Cohorts: ts.cohorts, Clock: cfg.Clock})
		cfg.Questions, cfg.Answers = ts.questions, ts.answers
	}
	if cfg.Backups == nil {
		cfg.Backups = db
	}
	ts.srv, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts.addUser("admin", wiki.RoleAdmin, "")
	ts.token = ts.tokenFor("admin")
	ts.signIn("admin")
	return ts
}

// addUser creates an account with testPassword.
func (ts *testServer) addUser(name string, role wiki.Role, cohort string) {
	ts.t.Helper()
	if _, err := ts.accounts.CreateAccount(context.Background(), wiki.NewAccount{Username: name, Password: testPassword, Role: role, Cohort: cohort}); err != nil {
		ts.t.Fatal(err)
	}
}

// tokenFor returns a new API token of name.
func (ts *testServer) tokenFor(name string) string {
	ts.t.Helper()
	tok, _, err := ts.accounts.CreateToken(context.Background(), name, "test")
	if err != nil {
		ts.t.Fatal(err)
	}
	return tok
}

// signIn makes browse() act as name from now on.
func (ts *testServer) signIn(name string) {
	ts.t.Helper()
	tok, _, err := ts.accounts.Login(context.Background(), name, testPassword, "192.0.2.1")
	if err != nil {
		ts.t.Fatal(err)
	}
	ts.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: tok}
}

// signOut makes browse() act as a visitor without an account.
func (ts *testServer) signOut() { delete(ts.cookies, sessionCookie) }

// serve runs one request through the router.
func (ts *testServer) serve(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	ts.srv.ServeHTTP(w, r)
	return w
}

// api sends a JSON request the way a script would: no cookies, the
// admin's bearer token.
func (ts *testServer) api(method, path, body string) *httptest.ResponseRecorder {
	ts.t.Helper()
	return ts.apiAs(ts.token, method, path, body)
}

// apiAs sends a JSON request with the given bearer token ("" for none).
func (ts *testServer) apiAs(token, method, path, body string) *httptest.ResponseRecorder {
	ts.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return ts.serve(r)
}

// browse sends a request the way a browser would: with the cookies set so
// far, keeping the ones the answer sets.
func (ts *testServer) browse(method, path string, form url.Values) *httptest.ResponseRecorder {
	ts.t.Helper()
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, path, rd)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	if ts.referer != "" {
		r.Header.Set("Referer", ts.referer)
	}
	for _, c := range ts.cookies {
		r.AddCookie(c)
	}
	w := ts.serve(r)
	for _, c := range w.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(ts.cookies, c.Name)
		} else {
			ts.cookies[c.Name] = c
		}
	}
	return w
}

// post submits a form with the CSRF token, as the site's own forms do.
func (ts *testServer) post(path string, form url.Values) *httptest.ResponseRecorder {
	ts.t.Helper()
	if _, ok := ts.cookies[csrfCookie]; !ok {
		ts.browse("GET", "/", nil)
	}
	form.Set("csrf_token", ts.cookies[csrfCookie].Value)
	return ts.browse("POST", path, form)
}

func (ts *testServer) lastSeq() uint64 {
	ts.t.Helper()
	n, err := ts.db.LastSeq(context.Background())
	if err != nil {
		ts.t.Fatal(err)
	}
	return n
}

func decode[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", w.Body.String(), err)
	}
	return v
}

func wantStatus(t *testing.T, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d; body: %.600s", w.Code, status, w.Body.String())
	}
}

// wantError checks the contract's error shape and code.
func wantError(t *testing.T, w *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	wantStatus(t, w, status)
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error Content-Type %q", ct)
	}
	e := decode[apiError](t, w)
	if e.Error.Code != code || e.Error.Message == "" {
		t.Errorf("error = %+v, want code %q with a message", e.Error, code)
	}
}

func (ts *testServer) create(slug, title, md string) {
	ts.t.Helper()
	b, _ := json.Marshal(map[string]any{"title": title, "markdown": md})
	wantStatus(ts.t, ts.api("PUT", "/api/v1/pages/"+slug, string(b)), http.StatusCreated)
}

func TestHealthz(t *testing.T) {
	ts := newTestServer(t)
	w := ts.api("GET", "/healthz", "")
	wantStatus(t, w, 200)
	if got := decode[map[string]any](t, w); got["status"] != "ok" {
		t.Errorf("healthz = %v", got)
	}
}

// HEAD is answered as GET without the body, on every route that GET
// has (monitors and link checkers send it); a route without GET still
// refuses it.
func TestHeadIsGetWithoutTheBody(t *testing.T) {
	ts := newTestServer(t)
	ts.create("vpn", "VPN", "Ask IT.\n")
	hs := httptest.NewServer(ts.srv)
	defer hs.Close()
	for _, c := range []struct {
		path, auth string
		want       int
	}{
		{"/healthz", "", 200},
		{"/wiki/vpn", "Bearer " + ts.token, 200},
		{"/api/v1/pages/vpn", "Bearer " + ts.token, 200},
		{"/wiki/nothing-here", "Bearer " + ts.token, 404},
		{"/preview", "Bearer " + ts.token, 405},
	} {
		req, _ := http.NewRequest(http.MethodHead, hs.URL+c.path, nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		resp, err := hs.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want || len(body) != 0 || resp.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("HEAD %s: %d, %d bytes of body, CSP %q; want %d, none, a CSP", c.path, resp.StatusCode, len(body), resp.Header.Get("Content-Security-Policy"), c.want)
		}
	}
}

func TestStaticAssetsAreCheckedAndCached(t *testing.T) {
	ts := newTestServer(t)
	u := ts.srv.assets.url("style.css")
	w := ts.api("GET", u, "")
	wantStatus(t, w, 200)
	if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("Cache-Control = %q", cc)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("Content-Type = %q", ct)
	}
	// The length is kept with the file: it must be the file's.
	if got, n := w.Header().Get("Content-Length"), w.Body.Len(); got != fmt.Sprint(n) || n == 0 {
		t.Errorf("Content-Length = %s, body %d bytes", got, n)
	}
	wantStatus(t, ts.api("GET", "/static/000000000000/style.css", ""), 404)
	wantStatus(t, ts.api("GET", "/static/x/nope.css", ""), 404)
}

func httptestRequest(method, path string, form url.Values) *http.Request {
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, path, rd)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return r
}

func nopCloser(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

func recorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
