package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/faqwiki/faqwiki/wiki"
)

// TestAdminAddsAPersonOnTheWeb: the people page adds someone, shows their
// one-time link once, and the link sets their first password: before it,
// nobody can sign in to the account.
func TestAdminAddsAPersonOnTheWeb(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	if _, err := ts.cohorts.Create(ctx, wiki.NewCohort{ID: "nov", Name: "November hires", StartsOn: ts.srv.now()}); err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, ts.browse("GET", "/admin/users", nil).Body.String())
	mustFind(t, doc, `form[action="/admin/users"] input[name=username]`)
	mustFind(t, doc, `form[action="/admin/users"] select[name=cohort] option[value=nov]`)

	// A bad username shows the form again with what was typed.
	w := ts.post("/admin/users", url.Values{"username": {"9lives"}, "display_name": {"Nine"}, "role": {"editor"}})
	wantStatus(t, w, http.StatusUnprocessableEntity)
	if doc := parseHTML(t, w.Body.String()); !strings.Contains(textOf(mustFind(t, doc, ".notice.error")), "username") {
		t.Error("no word about the username")
	}
	if _, err := ts.accounts.Account(ctx, "9lives"); err == nil {
		t.Error("a bad username was created")
	}

	w = ts.post("/admin/users", url.Values{"username": {"Nina"}, "display_name": {"Nina Nowak"}, "role": {"editor"}, "cohort": {"nov"}})
	wantStatus(t, w, http.StatusOK)
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q: the link is a secret", cc)
	}
	doc = parseHTML(t, w.Body.String())
	link, _ := attr(mustFind(t, doc, "input#reset-link"), "value")
	if got := strings.Join(strings.Fields(textOf(mustFind(t, doc, "main p"))), " "); !strings.HasPrefix(got, "Added nina as an editor in November hires.") {
		t.Errorf("the page says %q", got)
	}
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(u.Path, "/reset/") {
		t.Fatalf("link %q", link)
	}
	acct, err := ts.accounts.Account(ctx, "nina")
	if err != nil || acct.HasPassword() || acct.Cohort != "nov" || acct.DisplayName != "Nina Nowak" {
		t.Fatalf("account %+v, %v", acct, err)
	}
	// Taken: 409 with the form.
	wantStatus(t, ts.post("/admin/users", url.Values{"username": {"nina"}, "role": {"editor"}}), http.StatusConflict)
	// No password, no sign-in (not even with an empty one).
	if _, _, err := ts.accounts.Login(ctx, "nina", "", "192.0.2.9"); err == nil {
		t.Error("signed in to an account without a password")
	}
	// The people page says so.
	doc = parseHTML(t, ts.browse("GET", "/admin/users", nil).Body.String())
	if !strings.Contains(textOf(doc), "no password yet") {
		t.Error("the list does not say nina has no password yet")
	}

	// Nina opens her link: a welcome, not "reset", with the rules.
	ts.signOut()
	w = ts.browse("GET", u.Path, nil)
	wantStatus(t, w, http.StatusOK)
	doc = parseHTML(t, w.Body.String())
	if h := textOf(mustFind(t, doc, "h1")); !strings.Contains(h, "Welcome, Nina Nowak") {
		t.Errorf("heading %q", h)
	}
	mustFind(t, doc, `#password-rules`)
	w = ts.post(u.Path, url.Values{"password": {testPassword}, "password_again": {testPassword}})
	wantStatus(t, w, http.StatusSeeOther)
	if _, _, err := ts.accounts.Login(ctx, "nina", testPassword, "192.0.2.9"); err != nil {
		t.Errorf("nina cannot sign in with the password she chose: %v", err)
	}
	// The used link says so at once, on GET.
	w = ts.browse("GET", u.Path, nil)
	wantStatus(t, w, http.StatusNotFound)
	doc = parseHTML(t, w.Body.String())
	if h := textOf(mustFind(t, doc, "h1")); !strings.Contains(h, "no longer works") {
		t.Errorf("used link: heading %q", h)
	}
	if n := len(queryAll(doc, "input[type=password]")); n != 0 {
		t.Error("a used link still shows the form")
	}
}

func TestAPIAddsAPerson(t *testing.T) {
	ts := newTestServer(t)
	w := ts.api("POST", "/api/v1/users", `{"username":"tina","display_name":"Tina T","role":"trainer"}`)
	wantStatus(t, w, http.StatusCreated)
	got := decode[apiPersonAdded](t, w)
	if got.Username != "tina" || got.Role != "trainer" || !strings.Contains(got.URL, "/reset/") || got.ExpiresAt.IsZero() {
		t.Errorf("answer %+v", got)
	}
	w = ts.api("POST", "/api/v1/users", `{"username":"tina","role":"editor"}`)
	wantError(t, w, 409, "conflict")
	// It says what is taken, not that a page changed.
	if msg := decode[apiError](t, w).Error.Message; !strings.Contains(msg, "username is taken") || strings.Contains(msg, "page") {
		t.Errorf("message %q", msg)
	}
	wantError(t, ts.api("POST", "/api/v1/users", `{"username":"x","role":"editor"}`), 400, "bad_request")
	wantError(t, ts.api("POST", "/api/v1/users", `{"username":"bob","role":"boss"}`), 400, "bad_request")
	wantError(t, ts.api("POST", "/api/v1/users", `{"username":"bob","role":"editor","cohort":"nope"}`), 400, "bad_request")
	wantError(t, ts.api("POST", "/api/v1/users", `{"username":"bob","role":"editor","trainer_of":"nope"}`), 400, "bad_request")
	ts.addUser("ed", wiki.RoleEditor, "")
	wantError(t, ts.apiAs(ts.tokenFor("ed"), "POST", "/api/v1/users", `{"username":"bob","role":"admin"}`), 403, "forbidden")
	if _, err := ts.accounts.Account(context.Background(), "bob"); err == nil {
		t.Error("a refused request created bob")
	}
}

// TestDisableAsksFirstAndNeverYourself: disabling takes a confirmation
// page (no JavaScript needed), and an admin cannot disable themselves.
func TestDisableAsksFirstAndNeverYourself(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	ts.addUser("ada", wiki.RoleEditor, "")
	doc := parseHTML(t, ts.browse("GET", "/admin/users", nil).Body.String())
	mustFind(t, doc, `a[href="/admin/users/ada/disable"]`)
	if n := len(queryAll(doc, `a[href="/admin/users/admin/disable"]`)); n != 0 {
		t.Error("the admin is offered to disable their own account")
	}
	// A bare "disable" (an old form, a crafted request) asks first.
	w := ts.post("/admin/users/ada", url.Values{"action": {"disable"}})
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/admin/users/ada/disable" {
		t.Errorf("Location %q", loc)
	}
	if a, _ := ts.accounts.Account(ctx, "ada"); a.Disabled {
		t.Fatal("disabled without a confirmation")
	}
	doc = parseHTML(t, ts.browse("GET", "/admin/users/ada/disable", nil).Body.String())
	mustFind(t, doc, `form[action="/admin/users/ada"] input[name=confirm][value=yes]`)
	wantStatus(t, ts.post("/admin/users/ada", url.Values{"action": {"disable"}, "confirm": {"yes"}}), http.StatusSeeOther)
	if a, _ := ts.accounts.Account(ctx, "ada"); !a.Disabled {
		t.Fatal("not disabled after the confirmation")
	}
	// Never yourself, on the web or the API, even with another admin
	// around (the last-admin rule would not catch it then).
	ts.addUser("root2", wiki.RoleAdmin, "")
	wantStatus(t, ts.browse("GET", "/admin/users/admin/disable", nil), http.StatusBadRequest)
	wantStatus(t, ts.post("/admin/users/admin", url.Values{"action": {"disable"}, "confirm": {"yes"}}), http.StatusBadRequest)
	wantError(t, ts.api("PATCH", "/api/v1/users/admin", `{"disabled":true}`), 400, "bad_request")
	if a, _ := ts.accounts.Account(ctx, "admin"); a.Disabled {
		t.Error("the admin disabled themselves")
	}
}

// TestOneTimeLinksSayAtOnceWhenUsed: a used setup link answers its GET
// with "used", not the form.
func TestOneTimeLinksSayAtOnceWhenUsed(t *testing.T) {
	ts := newTestServer(t) // has an admin: setup is done
	ts.signOut()
	w := ts.browse("GET", "/setup/some-old-token", nil)
	wantStatus(t, w, http.StatusGone)
	doc := parseHTML(t, w.Body.String())
	if h := textOf(mustFind(t, doc, "h1")); !strings.Contains(h, "was used") {
		t.Errorf("heading %q", h)
	}
	if len(queryAll(doc, "input[type=password]")) != 0 {
		t.Error("the used setup link shows the form")
	}
	mustFind(t, doc, `a.button[href="/login"]`)
	w = ts.browse("GET", "/reset/not-a-token", nil)
	wantStatus(t, w, http.StatusNotFound)
	if len(queryAll(parseHTML(t, w.Body.String()), "input[type=password]")) != 0 {
		t.Error("a bad reset link shows the form")
	}
}

// TestPasswordRulesWhereTheyAreTyped: every form with a new password
// says the rules beside the field.
func TestPasswordRulesWhereTheyAreTyped(t *testing.T) {
	ts := newTestServer(t)
	co, err := ts.cohorts.Create(context.Background(), wiki.NewCohort{ID: "nov", Name: "November hires", StartsOn: ts.srv.now()})
	if err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, ts.browse("GET", "/account", nil).Body.String())
	if r := textOf(mustFind(t, doc, "#password-rules")); !strings.Contains(r, "10 characters") || !strings.Contains(r, "username") {
		t.Errorf("account page rules %q", r)
	}
	mustFind(t, doc, `input#new_password[aria-describedby=password-rules]`)
	ts.signOut()
	doc = parseHTML(t, ts.browse("GET", "/signup?invite="+url.QueryEscape(co.InviteCode), nil).Body.String())
	mustFind(t, doc, "#password-rules")
	// The sign-up page says which cohort you are joining.
	if j := textOf(mustFind(t, doc, ".joining")); !strings.Contains(j, "November hires") {
		t.Errorf("joining %q", j)
	}
	doc = parseHTML(t, ts.browse("GET", "/signup?invite=wrong", nil).Body.String())
	if len(queryAll(doc, ".joining")) != 0 {
		t.Error("a wrong invite names a cohort")
	}
	// It says at once that the invite is wrong, before the form is filled.
	if got := textOf(mustFind(t, doc, ".notice.error")); !strings.Contains(got, "not a valid invite") {
		t.Errorf("a wrong invite: %q", got)
	}
	doc = parseHTML(t, ts.browse("GET", "/signup?invite="+url.QueryEscape(co.InviteCode), nil).Body.String())
	if n := len(queryAll(doc, ".notice.error")); n != 0 {
		t.Error("a right invite shows an error")
	}
}

// TestCohortTrainers: a trainer added to a cohort by a name with no
// account is offered to an admin to invite; one with an account becomes a
// trainer of it, not a member.
func TestCohortTrainers(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	if _, err := ts.cohorts.Create(ctx, wiki.NewCohort{ID: "nov", Name: "November hires", StartsOn: ts.srv.now()}); err != nil {
		t.Fatal(err)
	}
	w := ts.post("/cohorts/nov/trainers", url.Values{"username": {"tessa"}})
	wantStatus(t, w, http.StatusUnprocessableEntity)
	doc := parseHTML(t, w.Body.String())
	mustFind(t, doc, `#trainer-offer a.button[href="/admin/users?add=tessa&role=trainer&trainer_of=nov#add"]`)

	// The admin follows the offer: the form is filled in, and adding her
	// makes her a trainer of the cohort.
	doc = parseHTML(t, ts.browse("GET", "/admin/users?add=tessa&role=trainer&trainer_of=nov", nil).Body.String())
	if v, _ := attr(mustFind(t, doc, "#add-username"), "value"); v != "tessa" {
		t.Errorf("username filled in %q", v)
	}
	mustFind(t, doc, `input[name=trainer_of][value=nov]`)
	wantStatus(t, ts.post("/admin/users", url.Values{"username": {"tessa"}, "role": {"trainer"}, "trainer_of": {"nov"}}), http.StatusOK)
	if c, _ := ts.cohorts.Cohort(ctx, "nov"); len(c.Trainers) != 1 || c.Trainers[0] != "tessa" {
		t.Errorf("trainers %v", c.Trainers)
	}

	// An existing trainer moved in by the members form is a trainer too.
	ts.addUser("theo", wiki.RoleTrainer, "")
	wantStatus(t, ts.post("/cohorts/nov/members", url.Values{"username": {"theo"}}), http.StatusSeeOther)
	h, _ := ts.cohorts.Handover(ctx, "nov")
	if len(h.Members) != 0 || len(h.Cohort.Trainers) != 2 {
		t.Errorf("members %v, trainers %v", h.Members, h.Cohort.Trainers)
	}
	// Someone without an account: the answer says so, not that the
	// cohort is missing.
	w = ts.api("POST", "/api/v1/cohorts/nov/members", `{"username":"nobody"}`)
	wantError(t, w, 400, "bad_request")
	if msg := decode[apiError](t, w).Error.Message; !strings.Contains(msg, `no account "nobody"`) {
		t.Errorf("moving nobody says %q", msg)
	}
	// An editor is no trainer.
	ts.addUser("ed", wiki.RoleEditor, "")
	wantStatus(t, ts.post("/cohorts/nov/trainers", url.Values{"username": {"ed"}}), http.StatusUnprocessableEntity)

	// Creating a cohort with a trainer who has no account offers to
	// invite them.
	w = ts.post("/cohorts", url.Values{"name": {"December"}, "starts_on": {"2030-12-01"}, "trainers": {"newbie"}})
	wantStatus(t, w, http.StatusUnprocessableEntity)
	mustFind(t, parseHTML(t, w.Body.String()), `a[href="/admin/users?add=newbie&role=trainer#add"]`)
}

// TestEditorHelpersAPI: the page picker's title search and the address a
// title makes.
func TestEditorHelpersAPI(t *testing.T) {
	ts := newTestServer(t)
	ts.create("onboarding", "Onboarding overview", "x\n")
	ts.create("it/vpn", "VPN access", "x\n")
	got := decode[apiPageList](t, ts.api("GET", "/api/v1/pages?title_prefix=onb&limit=5", ""))
	if len(got.Pages) != 1 || got.Pages[0].Slug != "onboarding" {
		t.Errorf("title_prefix: %+v", got.Pages)
	}
	wantError(t, ts.api("GET", "/api/v1/pages?title_prefix=x&tag=y", ""), 400, "bad_request")
	wantError(t, ts.api("GET", "/api/v1/pages?title_prefix="+strings.Repeat("x", 1000), ""), 400, "bad_request")
	s := decode[apiSlug](t, ts.api("GET", "/api/v1/slug?title="+url.QueryEscape("VPN access"), ""))
	if s.Slug != "vpn-access" || s.URL != "/wiki/vpn-access" || s.Taken {
		t.Errorf("slug: %+v", s)
	}
	s = decode[apiSlug](t, ts.api("GET", "/api/v1/slug?title="+url.QueryEscape("It / VPN"), ""))
	if s.Slug != "it/vpn" || !s.Taken || s.Title != "VPN access" {
		t.Errorf("taken slug: %+v", s)
	}
	if s = decode[apiSlug](t, ts.api("GET", "/api/v1/slug?title=%3F%3F", "")); s.Slug != "" {
		t.Errorf("no letters: %+v", s)
	}
}

// TestTokensOnTheWeb: people make their own API token on their account
// page while the server runs, use it, and revoke it; nobody revokes
// someone else's.
func TestTokensOnTheWeb(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser("ed", wiki.RoleEditor, "")
	ts.signIn("ed")
	w := ts.post("/account/tokens", url.Values{"name": {"nightly import"}})
	wantStatus(t, w, http.StatusOK)
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	tok, _ := attr(mustFind(t, parseHTML(t, w.Body.String()), "input#token-value"), "value")
	wantStatus(t, ts.apiAs(tok, "PUT", "/api/v1/pages/by-token", put("x\n", 0, "")), http.StatusCreated)
	doc := parseHTML(t, ts.browse("GET", "/account", nil).Body.String())
	id, _ := attr(mustFind(t, doc, `ul.tokens input[name=id]`), "value")
	// Someone else cannot revoke it.
	ts.signIn("admin")
	wantStatus(t, ts.post("/account/tokens/revoke", url.Values{"id": {id}}), http.StatusNotFound)
	wantStatus(t, ts.apiAs(tok, "GET", "/api/v1/pages", ""), http.StatusOK)
	ts.signIn("ed")
	wantStatus(t, ts.post("/account/tokens/revoke", url.Values{"id": {id}}), http.StatusSeeOther)
	wantError(t, ts.apiAs(tok, "GET", "/api/v1/pages", ""), 401, "unauthorized")
	wantStatus(t, ts.post("/account/tokens", url.Values{"name": {strings.Repeat("x", 101)}}), http.StatusUnprocessableEntity)
}

// The people directory lists everyone who can sign in, by name, with
// their cohort and role, each a link to their page; a disabled account
// is left out.
func TestPeopleDirectory(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	if _, err := ts.cohorts.Create(ctx, wiki.NewCohort{ID: "nov", Name: "November hires", StartsOn: ts.srv.now()}); err != nil {
		t.Fatal(err)
	}
	ts.addUser("zoe", wiki.RoleEditor, "nov")
	ts.addUser("ben", wiki.RoleTrainer, "")
	ts.addUser("gone", wiki.RoleEditor, "nov")
	if _, err := ts.accounts.SetDisabled(ctx, "gone", true); err != nil {
		t.Fatal(err)
	}
	ts.addUser("rita", wiki.RoleReader, "")
	ts.signIn("rita")
	w := ts.browse("GET", "/people", nil)
	wantStatus(t, w, 200)
	doc := parseHTML(t, w.Body.String())
	var rows []string
	for _, tr := range queryAll(doc, "table.people-list tbody tr") {
		rows = append(rows, strings.Join(strings.Fields(textOf(tr)), " "))
	}
	if got := strings.Join(rows, " | "); !strings.Contains(got, "zoe zoe November hires editor") || !strings.Contains(got, "ben ben none trainer") || strings.Contains(got, "gone") {
		t.Errorf("people: %s", got)
	}
	mustFind(t, doc, `table.people-list a[href="/people/zoe"]`)
	mustFind(t, doc, `table.people-list a[href="/cohorts/nov"]`)
	// The menu leads there.
	mustFind(t, doc, `header a[href="/people"]`)
}
