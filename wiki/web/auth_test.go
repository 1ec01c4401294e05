package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
)

// roleCase is one route in the role table: who may use it.
type roleCase struct {
	method, path, body string
	form               url.Values // an HTML form post (sent with a session and CSRF token)
	min                wiki.Role
}

// routeTable lists every state-changing route, and the reading ones, with
// the weakest role that may use it (docs/API.md's tables).
func routeTable() []roleCase {
	page := put("changed\n", 1, "")
	return []roleCase{
		{method: "GET", path: "/", min: wiki.RoleReader},
		{method: "GET", path: "/wiki/p", min: wiki.RoleReader},
		{method: "GET", path: "/history/p", min: wiki.RoleReader},
		{method: "GET", path: "/diff/p?from=1&to=1", min: wiki.RoleReader},
		{method: "GET", path: "/cohorts", min: wiki.RoleReader},
		{method: "GET", path: "/cohorts/c1", min: wiki.RoleReader},
		{method: "GET", path: "/people/admin", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/pages", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/pages/p", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/pages/p/revisions", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/pages/p/diff", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/cohorts", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/cohorts/c1/handover", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/users/admin", min: wiki.RoleReader},
		{method: "GET", path: "/search?q=x", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/search?q=x", min: wiki.RoleReader},
		{method: "GET", path: "/search/gaps", min: wiki.RoleEditor}, // leads to /gaps
		{method: "GET", path: "/search/synonyms", min: wiki.RoleReader},
		{method: "GET", path: "/search/synonyms/history", min: wiki.RoleReader},
		{method: "GET", path: "/search/synonyms/diff?from=0&to=1", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/search/synonyms", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/search/synonyms/revisions", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/search/synonyms/revisions/1", min: wiki.RoleReader},
		{method: "POST", path: "/search/synonyms", form: url.Values{"text": {"a, b\nc, d\n"}, "base_revision": {"1"}}, min: wiki.RoleTrainer},
		{method: "POST", path: "/search/synonyms/revert", form: url.Values{"revision": {"1"}}, min: wiki.RoleTrainer},
		{method: "POST", path: "/search/synonyms/add", form: url.Values{"gap": {"car park"}, "terms": {"parking"}}, min: wiki.RoleTrainer},
		{method: "PUT", path: "/api/v1/search/synonyms", body: `{"text":"a, b\nc, d\n","base_revision":1}`, min: wiki.RoleTrainer},
		{method: "POST", path: "/api/v1/search/synonyms/revert", body: `{"revision":1}`, min: wiki.RoleTrainer},
		{method: "GET", path: "/search/learned/p", min: wiki.RoleTrainer},
		{method: "GET", path: "/api/v1/pages/p/sections/q/search-terms", min: wiki.RoleTrainer},
		{method: "GET", path: "/api/v1/search/gaps", min: wiki.RoleTrainer},
		{method: "GET", path: "/new", min: wiki.RoleEditor},
		{method: "GET", path: "/edit/p", min: wiki.RoleEditor},
		{method: "POST", path: "/edit/p", form: url.Values{"title": {"P"}, "markdown": {"changed"}, "base_revision": {"1"}}, min: wiki.RoleEditor},
		{method: "POST", path: "/new", form: url.Values{"title": {"Fresh"}, "markdown": {"x"}}, min: wiki.RoleEditor},
		{method: "POST", path: "/preview", form: url.Values{"markdown": {"x"}}, min: wiki.RoleEditor},
		{method: "PUT", path: "/api/v1/pages/p", body: page, min: wiki.RoleEditor},
		{method: "PUT", path: "/api/v1/pages/fresh", body: put("x", 0, ""), min: wiki.RoleEditor},
		{method: "POST", path: "/revert/p", form: url.Values{"revision": {"1"}}, min: wiki.RoleTrainer},
		{method: "GET", path: "/delete/p", min: wiki.RoleTrainer},
		{method: "POST", path: "/delete/p", form: url.Values{}, min: wiki.RoleTrainer},
		{method: "DELETE", path: "/api/v1/pages/p", min: wiki.RoleTrainer},
		{method: "POST", path: "/api/v1/pages/p/revert", body: `{"revision":1}`, min: wiki.RoleTrainer},
		{method: "POST", path: "/cohorts", form: url.Values{"name": {"New cohort"}, "starts_on": {"2026-12-01"}}, min: wiki.RoleTrainer},
		{method: "POST", path: "/cohorts/c1/invite", form: url.Values{}, min: wiki.RoleTrainer},
		{method: "POST", path: "/cohorts/c1/members", form: url.Values{"username": {"someone"}}, min: wiki.RoleTrainer},
		{method: "POST", path: "/api/v1/cohorts", body: `{"name":"New cohort","starts_on":"2026-12-01"}`, min: wiki.RoleTrainer},
		{method: "POST", path: "/api/v1/cohorts/c1/invite", min: wiki.RoleTrainer},
		{method: "POST", path: "/api/v1/cohorts/c1/members", body: `{"username":"someone"}`, min: wiki.RoleTrainer},
		{method: "GET", path: "/admin/users", min: wiki.RoleAdmin},
		{method: "POST", path: "/admin/users/someone", form: url.Values{"role": {"trainer"}}, min: wiki.RoleAdmin},
		{method: "GET", path: "/api/v1/users", min: wiki.RoleAdmin},
		{method: "PATCH", path: "/api/v1/users/someone", body: `{"role":"trainer"}`, min: wiki.RoleAdmin},
		{method: "POST", path: "/admin/users/someone/reset", form: url.Values{}, min: wiki.RoleAdmin},
		{method: "POST", path: "/api/v1/users/someone/reset", min: wiki.RoleAdmin},
		{method: "GET", path: "/api/v1/admin/backup", min: wiki.RoleAdmin},
		// Recent changes, review, blame, links and watching.
		{method: "GET", path: "/changes", min: wiki.RoleReader},
		{method: "GET", path: "/people", min: wiki.RoleReader},
		{method: "GET", path: "/changes.atom", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/changes", min: wiki.RoleReader},
		{method: "GET", path: "/blame/p", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/pages/p/blame", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/pages/p/backlinks", min: wiki.RoleReader},
		{method: "GET", path: "/wanted", min: wiki.RoleReader},
		{method: "GET", path: "/orphans", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/wanted", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/orphans", min: wiki.RoleReader},
		{method: "GET", path: "/me/watching", min: wiki.RoleReader},
		{method: "GET", path: "/me/watching.atom", min: wiki.RoleReader},
		{method: "POST", path: "/watch/p", form: url.Values{"action": {"watch"}}, min: wiki.RoleReader},
		{method: "POST", path: "/me/feed-token", form: url.Values{}, min: wiki.RoleReader},
		{method: "PUT", path: "/api/v1/pages/p/watch", min: wiki.RoleReader},
		{method: "DELETE", path: "/api/v1/pages/p/watch", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/me/watching", min: wiki.RoleReader},
		{method: "POST", path: "/api/v1/me/feed-token", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/cohorts/c1/reading", min: wiki.RoleReader},
		{method: "GET", path: "/review", min: wiki.RoleTrainer},
		{method: "GET", path: "/api/v1/review", min: wiki.RoleTrainer},
		{method: "POST", path: "/review", form: url.Values{"slug": {"p"}, "revision": {"1"}, "action": {"reviewed"}}, min: wiki.RoleTrainer},
		{method: "POST", path: "/api/v1/pages/p/revisions/1/review", min: wiki.RoleTrainer},
		{method: "POST", path: "/cohorts/c1/reading", form: url.Values{"slugs": {"p"}}, min: wiki.RoleTrainer},
		{method: "PUT", path: "/api/v1/cohorts/c1/reading", body: `{"slugs":["p"]}`, min: wiki.RoleTrainer},
		// Questions, the gap list and answers (issue 10). The fixture has
		// questions 1 and 3 open, 2 declined, and a flag on page p.
		{method: "GET", path: "/questions", min: wiki.RoleReader},
		{method: "GET", path: "/questions/1", min: wiki.RoleReader},
		{method: "GET", path: "/info/p", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/questions?status=all", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/questions/1", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/impact?user=someone", min: wiki.RoleReader},
		{method: "GET", path: "/api/v1/pages/p/sections", min: wiki.RoleReader},
		{method: "POST", path: "/feedback/p", form: url.Values{"anchor": {"~page"}, "helpful": {"yes"}}, min: wiki.RoleReader},
		{method: "POST", path: "/api/v1/pages/p/sections/~page/feedback", body: `{"helpful":false}`, min: wiki.RoleReader},
		{method: "GET", path: "/questions/new?text=where", min: wiki.RoleEditor},
		{method: "POST", path: "/questions", form: url.Values{"text": {"Is there a gym?"}, "checked": {"1"}}, min: wiki.RoleEditor},
		{method: "POST", path: "/questions/1/vote", form: url.Values{}, min: wiki.RoleEditor},
		{method: "POST", path: "/questions/1/answer", form: url.Values{"slug": {"p"}}, min: wiki.RoleEditor},
		{method: "GET", path: "/questions/1/write?slug=p", min: wiki.RoleEditor},
		{method: "GET", path: "/gaps", min: wiki.RoleEditor},
		{method: "POST", path: "/gaps/q-1/answer", form: url.Values{"url": {"/wiki/p"}}, min: wiki.RoleEditor},
		{method: "POST", path: "/confirm/p", form: url.Values{"anchor": {"~page"}}, min: wiki.RoleEditor},
		{method: "POST", path: "/flag/p", form: url.Values{"anchor": {"~page"}, "note": {"old"}}, min: wiki.RoleEditor},
		{method: "POST", path: "/api/v1/questions", body: `{"text":"Is there a gym?"}`, min: wiki.RoleEditor},
		{method: "POST", path: "/api/v1/questions/1/vote", min: wiki.RoleEditor},
		{method: "POST", path: "/api/v1/questions/1/answer", body: `{"slug":"p"}`, min: wiki.RoleEditor},
		{method: "GET", path: "/api/v1/gaps", min: wiki.RoleEditor},
		{method: "POST", path: "/api/v1/gaps/q-1/answer", body: `{"slug":"p"}`, min: wiki.RoleEditor},
		{method: "POST", path: "/api/v1/pages/p/sections/~page/confirm", min: wiki.RoleEditor},
		{method: "POST", path: "/api/v1/pages/p/sections/~page/flag", body: `{"note":"old"}`, min: wiki.RoleEditor},
		{method: "POST", path: "/questions/1/close", form: url.Values{"status": {"declined"}, "reason": {"off topic"}}, min: wiki.RoleTrainer},
		{method: "POST", path: "/questions/2/reopen", form: url.Values{}, min: wiki.RoleTrainer},
		{method: "POST", path: "/gaps/q-1/dismiss", form: url.Values{"reason": {"off topic"}}, min: wiki.RoleTrainer},
		{method: "POST", path: "/gaps/q-1/merge", form: url.Values{"into": {"q-3"}}, min: wiki.RoleTrainer},
		{method: "POST", path: "/gaps/q-2/reopen", form: url.Values{}, min: wiki.RoleTrainer},
		{method: "POST", path: "/resolve/p", form: url.Values{"anchor": {"~page"}}, min: wiki.RoleTrainer},
		{method: "GET", path: "/freshness", min: wiki.RoleTrainer},
		{method: "POST", path: "/api/v1/questions/1/close", body: `{"status":"duplicate","duplicate_of":3}`, min: wiki.RoleTrainer},
		{method: "POST", path: "/api/v1/questions/2/reopen", min: wiki.RoleTrainer},
		{method: "POST", path: "/api/v1/gaps/q-1/dismiss", body: `{"reason":"off topic"}`, min: wiki.RoleTrainer},
		{method: "POST", path: "/api/v1/gaps/q-1/merge", body: `{"into":"q-3"}`, min: wiki.RoleTrainer},
		{method: "POST", path: "/api/v1/gaps/q-2/reopen", min: wiki.RoleTrainer},
		{method: "POST", path: "/api/v1/pages/p/sections/~page/resolve", body: `{"note":"checked"}`, min: wiki.RoleTrainer},
		{method: "GET", path: "/api/v1/freshness?status=stale", min: wiki.RoleTrainer},
		{method: "GET", path: "/api/v1/freshness?status=unconfirmed&cohort=c1", min: wiki.RoleTrainer},
		{method: "GET", path: "/api/v1/feedback", min: wiki.RoleTrainer},
	}
}

// questionFixture asks questions 1 to 3 (2 declined) and flags page p, for
// the role table.
func questionFixture(t *testing.T, ts *testServer) {
	t.Helper()
	ed := wiki.NewContextWithUser(context.Background(), &wiki.User{Name: "someone", Role: wiki.RoleEditor})
	tr := wiki.NewContextWithUser(context.Background(), &wiki.User{Name: "admin", Role: wiki.RoleAdmin})
	for _, text := range []string{"Where is lunch?", "Where is the gym?", "Where is the canteen?"} {
		if _, err := ts.questions.Ask(ed, text, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ts.questions.Close(tr, 2, wiki.QuestionDeclined, "no gym", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.answers.Flag(ed, "p", "", "out of date"); err != nil {
		t.Fatal(err)
	}
}

// TestRoleRouteTable runs every route of the table as a visitor and as each
// role, on a fresh wiki each time, and checks who gets through.
func TestRoleRouteTable(t *testing.T) {
	roles := append([]wiki.Role{wiki.RoleNone}, wiki.Roles...)
	for _, rc := range routeTable() {
		for _, role := range roles {
			t.Run(fmt.Sprintf("%s %s as %s", rc.method, rc.path, role), func(t *testing.T) {
				ts := newTestServer(t)
				ctx := context.Background()
				if _, err := ts.cohorts.Create(ctx, wiki.NewCohort{ID: "c1", Name: "Cohort one", StartsOn: time.Now()}); err != nil {
					t.Fatal(err)
				}
				ts.addUser("someone", wiki.RoleEditor, "")
				ts.create("p", "P", "x\n")
				if _, err := ts.synonyms.EnsureSynonyms(ctx); err != nil {
					t.Fatal(err)
				}
				questionFixture(t, ts)
				token := ""
				ts.signOut()
				if role != wiki.RoleNone {
					ts.addUser("actor", role, "")
					token = ts.tokenFor("actor")
					ts.signIn("actor")
				}
				var w interface{ Result() *http.Response }
				switch {
				case rc.form != nil:
					w = ts.post(rc.path, rc.form)
				case strings.HasPrefix(rc.path, "/api/"):
					w = ts.apiAs(token, rc.method, rc.path, rc.body)
				default:
					w = ts.browse(rc.method, rc.path, nil)
				}
				status := w.Result().StatusCode
				denied := status == http.StatusUnauthorized || status == http.StatusForbidden ||
					status == http.StatusSeeOther && strings.HasPrefix(w.Result().Header.Get("Location"), "/login")
				if want := role < rc.min; denied != want {
					t.Errorf("status %d (denied=%v), want denied=%v", status, denied, want)
				}
				if !denied && status >= 400 {
					t.Errorf("allowed but failed: status %d", status)
				}
			})
		}
	}
}

func TestOpenReadingLetsVisitorsReadButNotWrite(t *testing.T) {
	ts := newTestServerWith(t, Config{OpenReading: true})
	ts.create("p", "P", "x\n")
	ts.signOut()
	wantStatus(t, ts.browse("GET", "/wiki/p", nil), 200)
	wantStatus(t, ts.apiAs("", "GET", "/api/v1/pages/p", ""), 200)
	wantError(t, ts.apiAs("", "PUT", "/api/v1/pages/p", put("y", 1, "")), 401, "unauthorized")
	w := ts.browse("GET", "/edit/p", nil)
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/login?next=%2Fedit%2Fp" {
		t.Errorf("Location = %q", loc)
	}
	// No edit button for a visitor.
	if len(queryAll(parseHTML(t, ts.browse("GET", "/wiki/p", nil).Body.String()), ".page-actions a[href=/edit/p]")) != 0 {
		t.Error("a visitor sees the Edit button")
	}
}

func TestClosedWikiSendsVisitorsToSignIn(t *testing.T) {
	ts := newTestServer(t)
	ts.signOut()
	w := ts.browse("GET", "/wiki/welcome?x=1", nil)
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/login?next=%2Fwiki%2Fwelcome%3Fx%3D1" {
		t.Errorf("Location = %q", loc)
	}
	wantError(t, ts.apiAs("", "GET", "/api/v1/pages", ""), 401, "unauthorized")
	wantError(t, ts.apiAs("not-a-token", "GET", "/api/v1/pages", ""), 401, "unauthorized")
	r := httptestRequest("GET", "/api/v1/pages", nil)
	r.Header.Set("Authorization", "Basic YWRtaW46eA==")
	wantError(t, ts.serve(r), 401, "unauthorized")
	// Two Authorization headers: neither is taken over the other.
	ts.addUser("ada", wiki.RoleEditor, "")
	r = httptestRequest("GET", "/api/v1/pages", nil)
	r.Header.Add("Authorization", "Bearer "+ts.tokenFor("ada"))
	r.Header.Add("Authorization", "Bearer not-a-token")
	wantError(t, ts.serve(r), 400, "bad_request")
	wantStatus(t, ts.browse("GET", "/login", nil), 200)
	wantStatus(t, ts.browse("GET", "/healthz", nil), 200)
}

func TestLoginLogoutAndNext(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser("ada", wiki.RoleEditor, "")
	ts.signOut()
	w := ts.post("/login", url.Values{"username": {"ADA"}, "password": {testPassword}, "next": {"/wiki/welcome#how"}})
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/wiki/welcome#how" {
		t.Errorf("Location = %q", loc)
	}
	ck := ts.cookies[sessionCookie]
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie %+v", ck)
	}
	if doc := parseHTML(t, ts.browse("GET", "/", nil).Body.String()); textOf(mustFind(t, doc, "summary.me")) != "ada" {
		t.Error("the header does not show who is signed in")
	}
	// Logging out ends the session on the server: the old cookie is dead.
	old := *ck
	wantStatus(t, ts.post("/logout", url.Values{}), http.StatusSeeOther)
	ts.cookies[sessionCookie] = &old
	w = ts.browse("GET", "/wiki/welcome", nil)
	wantStatus(t, w, http.StatusSeeOther)
	if _, ok := ts.cookies[sessionCookie]; ok {
		t.Error("a dead session cookie was not cleared")
	}
	// next= only ever goes to this site.
	for _, next := range []string{"https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", "/ok\r\nSet-Cookie: x=y"} {
		ts.signOut()
		w := ts.post("/login", url.Values{"username": {"ada"}, "password": {testPassword}, "next": {next}})
		if loc := w.Header().Get("Location"); loc != "/" {
			t.Errorf("next=%q redirected to %q", next, loc)
		}
	}
}

func TestFailedLoginsAreVagueAndLimited(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser("ada", wiki.RoleEditor, "")
	ts.signOut()
	wrong := ts.apiAs("", "POST", "/api/v1/session", `{"username":"ada","password":"wrong password"}`)
	missing := ts.apiAs("", "POST", "/api/v1/session", `{"username":"nobody","password":"wrong password"}`)
	wantError(t, wrong, 401, "unauthorized")
	wantError(t, missing, 401, "unauthorized")
	if wrong.Body.String() != missing.Body.String() {
		t.Errorf("answers differ: %s vs %s", wrong.Body, missing.Body)
	}
	// Five failures lock the account for a while, even with the right password.
	for i := 0; i < 4; i++ {
		ts.apiAs("", "POST", "/api/v1/session", `{"username":"ada","password":"wrong password"}`)
	}
	limited := ts.apiAs("", "POST", "/api/v1/session", `{"username":"ada","password":"`+testPassword+`"}`)
	wantError(t, limited, 429, "rate_limited")
	// It says when to try again: the first failure leaves the 15-minute
	// window in about 15 minutes.
	if ra, err := strconv.Atoi(limited.Header().Get("Retry-After")); err != nil || ra < 14*60 || ra > 15*60 {
		t.Errorf("Retry-After %q, want about 900 seconds", limited.Header().Get("Retry-After"))
	}
	if msg := decode[apiError](t, limited).Error.Message; !strings.Contains(msg, "try again in 15 minutes") {
		t.Errorf("message %q, want the wait in minutes", msg)
	}
	// The HTML form says so too, and keeps the username.
	w := ts.post("/login", url.Values{"username": {"ada"}, "password": {testPassword}})
	wantStatus(t, w, http.StatusTooManyRequests)
	if w.Header().Get("Retry-After") == "" {
		t.Error("the form's 429 has no Retry-After")
	}
	if v, _ := attr(mustFind(t, parseHTML(t, w.Body.String()), "input#username"), "value"); v != "ada" {
		t.Errorf("username not kept: %q", v)
	}
}

func TestAPISessionLogin(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser("ada", wiki.RoleEditor, "")
	w := ts.apiAs("", "POST", "/api/v1/session", `{"username":"ada","password":"`+testPassword+`"}`)
	wantStatus(t, w, 200)
	a := decode[apiSessionAnswer](t, w)
	if a.Username != "ada" || a.Role != "editor" || a.CSRFToken == "" {
		t.Errorf("answer %+v", a)
	}
	var session *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie {
			session = c
		}
	}
	if session == nil || strings.Contains(w.Body.String(), session.Value) {
		t.Fatal("no session cookie, or its secret echoed in the body")
	}
	r := httptestRequest("DELETE", "/api/v1/session", nil)
	r.AddCookie(session)
	for _, c := range w.Result().Cookies() {
		if c.Name == csrfCookie {
			r.AddCookie(c)
		}
	}
	r.Header.Set("X-CSRF-Token", a.CSRFToken)
	wantStatus(t, ts.serve(r), http.StatusNoContent)
	r = httptestRequest("GET", "/api/v1/pages", nil)
	r.AddCookie(session)
	wantError(t, ts.serve(r), 401, "unauthorized")
}

func TestSessionExpires(t *testing.T) {
	db, err := store.Open(t.TempDir()+"/faqwiki.db", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	clock := func() time.Time { return now }
	acc := wiki.NewAccounts(wiki.AccountsConfig{Store: db, Clock: clock, Password: cheapPasswords, SessionTTL: time.Hour})
	w := wiki.New(wiki.Config{Store: db})
	srv, err := New(Config{Wiki: w, Accounts: acc, Cohorts: newCohorts(db), Search: mustIndex(t, db)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := acc.CreateAccount(ctx, wiki.NewAccount{Username: "ada", Password: testPassword, Role: wiki.RoleReader}); err != nil {
		t.Fatal(err)
	}
	tok, _, err := acc.Login(ctx, "ada", testPassword, "x")
	if err != nil {
		t.Fatal(err)
	}
	get := func() int {
		r := httptestRequest("GET", "/api/v1/pages", nil)
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: tok})
		w := recorder()
		srv.ServeHTTP(w, r)
		return w.Code
	}
	if code := get(); code != 200 {
		t.Fatalf("fresh session: %d", code)
	}
	_ = clock
	// The store checks expiry against the real clock: move the session's
	// end into the past by asking for one that already expired.
	expired := &wiki.Session{ID: wiki.SecretID("expired-token"), Username: "ada", CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}
	if err := db.CreateSession(ctx, expired); err != nil {
		t.Fatal(err)
	}
	tok = "expired-token"
	if code := get(); code != 401 {
		t.Errorf("expired session: %d, want 401", code)
	}
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser("ada", wiki.RoleEditor, "")
	other, _, err := ts.accounts.Login(context.Background(), "ada", testPassword, "x")
	if err != nil {
		t.Fatal(err)
	}
	ts.signIn("ada")
	mine := ts.cookies[sessionCookie].Value
	w := ts.post("/account/password", url.Values{"old_password": {"wrong one here"}, "new_password": {"a brand new passphrase"}})
	wantStatus(t, w, http.StatusUnprocessableEntity)
	w = ts.post("/account/password", url.Values{"old_password": {testPassword}, "new_password": {"a brand new passphrase"}})
	wantStatus(t, w, http.StatusSeeOther)
	if _, _, err := ts.accounts.SessionUser(context.Background(), other); err == nil {
		t.Error("the other session survived a password change")
	}
	if _, _, err := ts.accounts.SessionUser(context.Background(), mine); err != nil {
		t.Errorf("the session that changed the password ended: %v", err)
	}
	if _, _, err := ts.accounts.Login(context.Background(), "ada", "a brand new passphrase", "y"); err != nil {
		t.Errorf("new password does not work: %v", err)
	}
}

func TestSignupByInvite(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	c, err := ts.cohorts.Create(ctx, wiki.NewCohort{Name: "2026 November engineering", StartsOn: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != "2026-november-engineering" {
		t.Errorf("cohort id %q", c.ID)
	}
	body := func(code, user, pw, name string) string {
		return fmt.Sprintf(`{"invite_code":%q,"username":%q,"password":%q,"display_name":%q}`, code, user, pw, name)
	}
	count := func() int {
		n, _ := ts.db.CountAccounts(ctx)
		return n
	}
	before := count()
	bad := []struct {
		name, body string
		status     int
		code       string
	}{
		{"wrong invite", body("nope-nope-nope", "ada", testPassword, "Ada"), 400, "bad_request"},
		{"short password", body(c.InviteCode, "ada", "short", "Ada"), 400, "bad_request"},
		{"huge password", body(c.InviteCode, "ada", strings.Repeat("p", 300), "Ada"), 400, "bad_request"},
		{"password is username", body(c.InviteCode, "adalovelace", "adalovelace1", "Ada"), 400, "bad_request"},
		{"common password", body(c.InviteCode, "ada", "password123", "Ada"), 400, "bad_request"},
		{"control characters", body(c.InviteCode, "ada\u0000x", testPassword, "Ada"), 400, "bad_request"},
		{"look-alike letters", body(c.InviteCode, "\u0430da", testPassword, "Ada"), 400, "bad_request"},
		{"bidi override in name", body(c.InviteCode, "ada", testPassword, "Ada\u202egnp.exe"), 400, "bad_request"},
		{"reserved name", body(c.InviteCode, "anonymous", testPassword, ""), 400, "bad_request"},
		{"taken", body(c.InviteCode, "admin", testPassword, ""), 409, "conflict"},
		{"unknown field", `{"invite_code":"x","user":"ada"}`, 400, "bad_request"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			w := ts.apiAs("", "POST", "/api/v1/signup", tt.body)
			wantError(t, w, tt.status, tt.code)
			if strings.Contains(w.Body.String(), c.InviteCode) {
				t.Error("the answer leaks the invite code")
			}
			if count() != before {
				t.Error("an account was created")
			}
		})
	}
	w := ts.apiAs("", "POST", "/api/v1/signup", body(c.InviteCode, "Ada", testPassword, "Ada Lovelace"))
	wantStatus(t, w, http.StatusCreated)
	if a := decode[apiSessionAnswer](t, w); a.Username != "ada" || a.Role != "editor" || a.Cohort != c.ID {
		t.Errorf("signed up as %+v", a)
	}
	// Rotating the invite retires the old code.
	if _, err := ts.cohorts.RotateInvite(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	wantError(t, ts.apiAs("", "POST", "/api/v1/signup", body(c.InviteCode, "bob", testPassword, "")), 400, "bad_request")
}

func TestRevisionsCarryAuthorAndCohort(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	for _, id := range []string{"oct", "nov"} {
		if _, err := ts.cohorts.Create(ctx, wiki.NewCohort{ID: id, Name: id, StartsOn: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	ts.addUser("ada", wiki.RoleEditor, "oct")
	ada := ts.tokenFor("ada")
	wantStatus(t, ts.apiAs(ada, "PUT", "/api/v1/pages/p", put("one\n", 0, "")), 201)
	// Moving ada keeps her old revision in the old cohort.
	if _, err := ts.cohorts.Move(ctx, "ada", "nov"); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, ts.apiAs(ada, "PUT", "/api/v1/pages/p", put("two\n", 1, "")), 200)
	revs := decode[[]apiRevision](t, ts.api("GET", "/api/v1/pages/p/revisions", ""))
	if revs[0].Author != "ada" || revs[0].Cohort != "nov" || revs[1].Author != "ada" || revs[1].Cohort != "oct" {
		t.Errorf("revisions: %+v", revs)
	}
	doc := parseHTML(t, ts.browse("GET", "/history/p", nil).Body.String())
	mustFind(t, doc, "table.history a.author[href=/people/ada]")
	mustFind(t, doc, "table.history a.cohort[href=/cohorts/oct]")
	mustFind(t, doc, "table.history a.cohort[href=/cohorts/nov]")

	// Her page lists both revisions, newest first, each with its cohort.
	person := parseHTML(t, ts.browse("GET", "/people/ada", nil).Body.String())
	rows := queryAll(person, "table.history tbody tr")
	if len(rows) != 2 || !strings.Contains(textOf(rows[0]), "#2") || !strings.Contains(textOf(rows[0]), "nov") || !strings.Contains(textOf(rows[1]), "oct") {
		t.Errorf("ada's page lists %d revisions", len(rows))
	}
	if p := decode[apiPerson](t, ts.api("GET", "/api/v1/users/ada", "")); p.Cohort != "nov" || len(p.Revisions) != 2 || p.Revisions[0].Revision != 2 {
		t.Errorf("ada via the API: %+v", p)
	}
}

func TestNoSecretsLeak(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	c, err := ts.cohorts.Create(ctx, wiki.NewCohort{ID: "c1", Name: "C1", StartsOn: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	ts.addUser("ada", wiki.RoleEditor, "c1")
	ada := ts.tokenFor("ada")
	acct, _ := ts.db.Account(ctx, "ada")
	for _, path := range []string{"/api/v1/cohorts", "/api/v1/cohorts/c1/handover", "/api/v1/users/ada", "/api/v1/users/admin"} {
		w := ts.apiAs(ada, "GET", path, "")
		wantStatus(t, w, 200)
		for _, secret := range []string{c.InviteCode, acct.PasswordHash, "argon2id", ada} {
			if strings.Contains(w.Body.String(), secret) {
				t.Errorf("%s leaks %.12s… to an editor", path, secret)
			}
		}
	}
	ts.signIn("ada")
	for _, path := range []string{"/cohorts", "/cohorts/c1", "/people/ada", "/account"} {
		if b := ts.browse("GET", path, nil).Body.String(); strings.Contains(b, c.InviteCode) || strings.Contains(b, "argon2id") {
			t.Errorf("%s leaks a secret to an editor", path)
		}
	}
	// Trainers see the invite.
	ts.addUser("tina", wiki.RoleTrainer, "")
	if b := ts.apiAs(ts.tokenFor("tina"), "GET", "/api/v1/cohorts", "").Body.String(); !strings.Contains(b, c.InviteCode) {
		t.Error("a trainer does not see the invite code")
	}
}

func TestHandover(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	day := func(d int) time.Time { return time.Now().UTC().AddDate(0, 0, d).Truncate(24 * time.Hour) }
	wantStatus(t, ts.api("PUT", "/api/v1/pages/before", put("from the trainers\n", 0, "")), 201)
	for _, c := range []wiki.NewCohort{{ID: "oct", Name: "October", StartsOn: day(-30)}, {ID: "nov", Name: "November", StartsOn: day(0)}} {
		if _, err := ts.cohorts.Create(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	ts.addUser("olga", wiki.RoleEditor, "oct")
	ts.addUser("nina", wiki.RoleEditor, "nov")
	ts.addUser("ned", wiki.RoleEditor, "nov")
	olga, nina, ned := ts.tokenFor("olga"), ts.tokenFor("nina"), ts.tokenFor("ned")
	wantStatus(t, ts.apiAs(olga, "PUT", "/api/v1/pages/vpn", put("a\nb\n", 0, "")), 201)
	wantStatus(t, ts.apiAs(nina, "PUT", "/api/v1/pages/vpn", put("a\nb\nc\n", 1, "")), 200)
	wantStatus(t, ts.apiAs(nina, "PUT", "/api/v1/pages/laptop", put("x\ny\n", 0, "")), 201)
	wantStatus(t, ts.apiAs(ned, "PUT", "/api/v1/pages/vpn", put("A\nb\nc\n", 2, "")), 200)

	w := ts.api("GET", "/api/v1/cohorts/nov/handover", "")
	wantStatus(t, w, 200)
	h := decode[apiHandover](t, w)
	if h.Changed.Revisions != 3 || h.Changed.Added != 4 || h.Changed.Removed != 1 || len(h.Changed.Created) != 1 || len(h.Changed.Edited) != 2 {
		t.Errorf("changed: %+v", h.Changed)
	}
	if len(h.Changed.People) != 2 || h.Changed.People[0].Username != "nina" || h.Changed.People[0].Revisions != 2 || h.Changed.People[0].Pages != 2 {
		t.Errorf("people: %+v", h.Changed.People)
	}
	if h.Previous == nil || h.Previous.Cohort.ID != "oct" || h.Previous.Left.Revisions != 1 {
		t.Errorf("previous: %+v", h.Previous)
	}
	if h.Cohort.InviteCode == "" {
		t.Error("the admin does not see the invite")
	}
	wantError(t, ts.api("GET", "/api/v1/cohorts/none/handover", ""), 404, "not_found")

	// A cohort whose start date is still ahead but that already edits
	// inherits the wiki as it stood just before its first change, not its
	// own pages.
	if _, err := ts.cohorts.Create(ctx, wiki.NewCohort{ID: "dec", Name: "December", StartsOn: day(30)}); err != nil {
		t.Fatal(err)
	}
	ts.addUser("dora", wiki.RoleEditor, "dec")
	wantStatus(t, ts.apiAs(ts.tokenFor("dora"), "PUT", "/api/v1/pages/dora-page", put("x\n", 0, "")), 201)
	dec := decode[apiHandover](t, ts.api("GET", "/api/v1/cohorts/dec/handover", ""))
	inherited := map[wiki.Slug]bool{}
	for _, p := range dec.Inherited.Pages {
		inherited[p.Slug] = true
	}
	if !inherited["before"] || !inherited["vpn"] || inherited["dora-page"] {
		t.Errorf("December inherited %v (as of %s)", dec.Inherited.Pages, dec.Inherited.AsOf)
	}

	doc := parseHTML(t, ts.browse("GET", "/cohorts/nov", nil).Body.String())
	mustFind(t, doc, "h1")
	mustFind(t, doc, `a[href=/people/nina]`)
	mustFind(t, doc, `a[href=/cohorts/oct]`)
	mustFind(t, doc, `input.copy`)
	list := parseHTML(t, ts.browse("GET", "/cohorts", nil).Body.String())
	if n := len(queryAll(list, "table.cohorts tbody tr")); n != 3 {
		t.Errorf("%d cohorts listed", n)
	}
}

func TestAdminManagesPeople(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser("ada", wiki.RoleEditor, "")
	ada := ts.tokenFor("ada")
	wantStatus(t, ts.post("/admin/users/ada", url.Values{"role": {"trainer"}}), http.StatusSeeOther)
	if a, _ := ts.db.Account(context.Background(), "ada"); a.Role != wiki.RoleTrainer {
		t.Errorf("role %s", a.Role)
	}
	wantStatus(t, ts.apiAs(ada, "PUT", "/api/v1/pages/p", put("x\n", 0, "")), 201)
	wantStatus(t, ts.post("/admin/users/ada", url.Values{"action": {"disable"}, "confirm": {"yes"}}), http.StatusSeeOther)
	wantError(t, ts.apiAs(ada, "GET", "/api/v1/pages", ""), 401, "unauthorized")
	wantError(t, ts.apiAs("", "POST", "/api/v1/session", `{"username":"ada","password":"`+testPassword+`"}`), 401, "unauthorized")
	// Her history stays.
	if revs := decode[[]apiRevision](t, ts.api("GET", "/api/v1/pages/p/revisions", "")); len(revs) != 1 || revs[0].Author != "ada" {
		t.Errorf("history after disabling: %+v", revs)
	}
	// The last admin cannot demote or disable themselves.
	wantError(t, ts.api("PATCH", "/api/v1/users/admin", `{"role":"editor"}`), 400, "bad_request")
	wantError(t, ts.api("PATCH", "/api/v1/users/admin", `{"disabled":true}`), 400, "bad_request")
	wantError(t, ts.api("PATCH", "/api/v1/users/ada", `{"role":"boss"}`), 400, "bad_request")
	wantError(t, ts.api("PATCH", "/api/v1/users/nobody", `{"role":"editor"}`), 404, "not_found")
	// Nor can an admin with another admin beside them: never your own
	// account. The other admin can.
	ts.addUser("bea", wiki.RoleAdmin, "")
	wantError(t, ts.api("PATCH", "/api/v1/users/admin", `{"role":"trainer"}`), 400, "bad_request")
	w := ts.post("/admin/users/admin", url.Values{"role": {"trainer"}})
	wantStatus(t, w, 400)
	// The error page names the field as the form does.
	if got := textOf(mustFind(t, parseHTML(t, w.Body.String()), "main li")); got != "Role: you cannot change your own role; another admin can" {
		t.Errorf("the error page says %q", got)
	}
	if a, _ := ts.db.Account(context.Background(), "admin"); a.Role != wiki.RoleAdmin {
		t.Errorf("the admin changed their own role to %s", a.Role)
	}
	wantStatus(t, ts.apiAs(ts.tokenFor("bea"), "PATCH", "/api/v1/users/admin", `{"role":"trainer"}`), 200)
	wantStatus(t, ts.apiAs(ts.tokenFor("bea"), "PATCH", "/api/v1/users/admin", `{"role":"admin"}`), 200)
	doc := parseHTML(t, ts.browse("GET", "/admin/users", nil).Body.String())
	if n := len(queryAll(doc, "table.people tbody tr")); n != 3 {
		t.Errorf("%d people listed", n)
	}
}

func TestFirstRunSetup(t *testing.T) {
	db, err := store.Open(t.TempDir()+"/faqwiki.db", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	acc := wiki.NewAccounts(wiki.AccountsConfig{Store: db, Password: cheapPasswords})
	ts := &testServer{t: t, db: db, accounts: acc, wiki: wiki.New(wiki.Config{Store: db}), cookies: map[string]*http.Cookie{}}
	if ts.srv, err = New(Config{Wiki: ts.wiki, Accounts: acc, Cohorts: newCohorts(db), Search: mustIndex(t, db)}); err != nil {
		t.Fatal(err)
	}
	token, needed, err := acc.FirstRun(context.Background())
	if err != nil || !needed {
		t.Fatalf("first run: %v %v", needed, err)
	}
	wantStatus(t, ts.browse("GET", "/setup/"+token, nil), 200)
	wantStatus(t, ts.post("/setup/wrong-token", url.Values{"username": {"root2"}, "password": {testPassword}}), 404)
	w := ts.post("/setup/"+token, url.Values{"username": {"boss"}, "password": {testPassword}, "display_name": {"The Boss"}})
	wantStatus(t, w, http.StatusSeeOther)
	if a, err := db.Account(context.Background(), "boss"); err != nil || a.Role != wiki.RoleAdmin {
		t.Fatalf("admin: %+v %v", a, err)
	}
	wantStatus(t, ts.browse("GET", "/admin/users", nil), 200) // signed in as the admin
	// The link works once.
	wantStatus(t, ts.post("/setup/"+token, url.Values{"username": {"boss2"}, "password": {testPassword}}), 404)
	if _, needed, _ := acc.FirstRun(context.Background()); needed {
		t.Error("setup still offered after the admin exists")
	}
}

// Findings of a review, each pinned by a test.
func TestReviewFindings(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	ts.create("p", "P", "x\n")
	ts.addUser("ed", wiki.RoleEditor, "")

	t.Run("the last admin stays, whatever the case of the name", func(t *testing.T) {
		w := ts.post("/admin/users/ADMIN", url.Values{"role": {"reader"}})
		wantStatus(t, w, http.StatusBadRequest)
		if a, _ := ts.db.Account(ctx, "admin"); a.Role != wiki.RoleAdmin {
			t.Errorf("admin is now %s", a.Role)
		}
	})
	t.Run("a partly bad PATCH changes nothing", func(t *testing.T) {
		wantError(t, ts.api("PATCH", "/api/v1/users/ed", `{"role":"trainer","cohort":"nope"}`), 400, "bad_request")
		if a, _ := ts.db.Account(ctx, "ed"); a.Role != wiki.RoleEditor {
			t.Errorf("ed became %s", a.Role)
		}
	})
	t.Run("revert and delete summaries are bounded", func(t *testing.T) {
		long := strings.Repeat("s", wiki.MaxSummaryLen+1)
		wantError(t, ts.api("POST", "/api/v1/pages/p/revert", `{"revision":1,"summary":"`+long+`"}`), 400, "bad_request")
		wantError(t, ts.api("DELETE", "/api/v1/pages/p?summary="+long, ""), 400, "bad_request")
		if p, _ := ts.db.Page(ctx, "p"); p.Deleted || p.Revision != 1 {
			t.Errorf("page changed: %+v", p)
		}
	})
	t.Run("small forms have small bodies", func(t *testing.T) {
		w := ts.post("/revert/p", url.Values{"revision": {"1"}, "pad": {strings.Repeat("x", 200<<10)}})
		wantStatus(t, w, http.StatusRequestEntityTooLarge)
		wantError(t, ts.api("POST", "/api/v1/pages/p/revert", `{"revision":1,"summary":"`+strings.Repeat(" ", 100<<10)+`"}`), 413, "too_large")
	})
	t.Run("no redirect leads back to itself", func(t *testing.T) {
		path := "/wiki/" + strings.Repeat("a", 110) + "/revisions"
		w := ts.browse("GET", path, nil)
		if w.Code == http.StatusMovedPermanently && w.Header().Get("Location") == path {
			t.Fatalf("%s redirects to itself", path)
		}
	})
	t.Run("wrong invite codes are rate limited per address", func(t *testing.T) {
		limited := false
		for i := 0; i < 40 && !limited; i++ {
			w := ts.apiAs("", "POST", "/api/v1/signup", fmt.Sprintf(`{"invite_code":"guess-%d","username":"u%d","password":%q}`, i, i, testPassword))
			limited = w.Code == http.StatusTooManyRequests
		}
		if !limited {
			t.Error("40 wrong invite codes in a row were never refused")
		}
	})
}

func TestParallelLoginsCannotPassTheLimit(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser("bob", wiki.RoleEditor, "")
	codes := make(chan int, 30)
	var wg sync.WaitGroup
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- ts.apiAs("", "POST", "/api/v1/session", `{"username":"bob","password":"wrong password here"}`).Code
		}()
	}
	wg.Wait()
	close(codes)
	checked := 0
	for c := range codes {
		if c == http.StatusUnauthorized {
			checked++
		}
	}
	if checked > 5 {
		t.Errorf("%d passwords were checked at once; the limit is 5", checked)
	}
}

// Signing in gives the browser a new CSRF token: one planted or read
// before (a shared computer, a sibling subdomain that can set cookies)
// does not work in the session. Signing out renews it too.
func TestSignInRenewsTheCSRFToken(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser("ada", wiki.RoleEditor, "")
	cookie := func(w *httptest.ResponseRecorder, name string) *http.Cookie {
		t.Helper()
		var found *http.Cookie
		for _, c := range w.Result().Cookies() {
			if c.Name == name {
				if found != nil {
					t.Errorf("two %s cookies in one answer", name)
				}
				found = c
			}
		}
		return found
	}
	before := cookie(ts.serve(httptestRequest("GET", "/login", nil)), csrfCookie)
	if before == nil {
		t.Fatal("no CSRF cookie on the sign-in page")
	}
	r := httptestRequest("POST", "/login", url.Values{"username": {"ada"}, "password": {testPassword}, "csrf_token": {before.Value}})
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.AddCookie(before)
	w := ts.serve(r)
	wantStatus(t, w, http.StatusSeeOther)
	session, after := cookie(w, sessionCookie), cookie(w, csrfCookie)
	if session == nil || after == nil || after.Value == before.Value {
		t.Fatalf("after signing in: session %v, CSRF cookie %v (before %q)", session, after, before.Value)
	}
	post := func(token string) *httptest.ResponseRecorder {
		r := httptestRequest("POST", "/preview", url.Values{"markdown": {"hi"}, "csrf_token": {token}})
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		r.AddCookie(session)
		r.AddCookie(after)
		return ts.serve(r)
	}
	wantStatus(t, post(before.Value), http.StatusForbidden)
	wantStatus(t, post(after.Value), http.StatusOK)
	r = httptestRequest("POST", "/logout", url.Values{"csrf_token": {after.Value}})
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.AddCookie(session)
	r.AddCookie(after)
	w = ts.serve(r)
	wantStatus(t, w, http.StatusSeeOther)
	if out := cookie(w, csrfCookie); out == nil || out.Value == after.Value {
		t.Errorf("signing out kept the CSRF token")
	}
}
