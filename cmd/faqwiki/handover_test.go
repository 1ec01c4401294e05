package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/faqwiki/faqwiki/wiki"
)

// Two cohorts in sequence against the real server on loopback: the first
// asks, answers, confirms and flags; the second inherits the FAQ, fixes
// and confirms some of it, asks its own; the second cohort's hand-over
// shows what the first left open and what went stale. Run it with -v to
// read the transcript:
//
//	go test -v -run TestTwoCohortsHandOver ./cmd/faqwiki/
//
// "Stale" needs time to pass: the server runs with -stale-after 2s, so
// three seconds stand for half a year.
func TestTwoCohortsHandOver(t *testing.T) {
	data := t.TempDir()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	tokens := seedCohorts(t, data, today)
	base := runServe(t, data, "-stale-after", "3s")
	c := &cohortScript{t: t, base: base, tokens: tokens}

	c.say("== Cohort 2026-autumn (started %s): ada and bob; trainer tina ==", today.AddDate(0, 0, -1).Format("2 Jan"))
	c.put("tina", "it/vpn", "VPN", "## How do I get VPN access?\n\nAsk the service desk for a token.\n\n## Which VPN client do I use?\n\nThe standard one from the software centre.\n")
	c.put("tina", "office", "Office", "## Where is lunch?\n\nIn the canteen on floor 2, from noon.\n\n## Where are the toilets?\n\nDown the hall, past the kitchen.\n")
	c.search("ada", "bike parking")
	park := c.ask("ada", "Where do I park my bike?", "bike parking")
	laptop := c.ask("bob", "How do I get a laptop?", "")
	c.vote("bob", park)
	payday := c.ask("ada", "When is payday?", "")
	c.put("bob", "it/laptop", "Laptop", "## How do I get a laptop?\n\nIT hands it over on your first morning; bring an ID.\n")
	c.answer("bob", laptop, "it/laptop", "how-do-i-get-a-laptop")
	c.confirm("ada", "it/vpn", "how-do-i-get-vpn-access")
	c.confirm("ada", "office", "where-is-lunch")
	c.flag("bob", "office", "where-are-the-toilets", "They moved to floor 3 in October.")
	for _, who := range []string{"ada", "bob"} {
		c.open(who, "vpn token", "it/vpn", "how-do-i-get-vpn-access")
	}
	c.handover("2026-autumn")

	c.say("")
	c.say("== Months pass (three seconds: -stale-after 3s) ==")
	c.waitStale()

	c.say("")
	c.say("== Cohort 2026-winter (starts %s): cleo and dan ==", today.AddDate(0, 0, 1).Format("2 Jan"))
	c.put("cleo", "office", "Office", "## Where is lunch?\n\nIn the canteen on floor 2, from noon.\n\n## Where are the toilets?\n\nOn floor 3, by the lifts.\n")
	c.resolve("tina", "office", "where-are-the-toilets", "Cleo fixed the floor.")
	c.confirm("cleo", "it/vpn", "how-do-i-get-vpn-access")
	for _, who := range []string{"cleo", "dan"} {
		c.open(who, "laptop first day", "it/laptop", "how-do-i-get-a-laptop")
		c.open(who, "lunch", "office", "where-is-lunch")
	}
	c.open("dan", "vpn", "it/vpn", "how-do-i-get-vpn-access")
	c.helpful("dan", "it/laptop", "how-do-i-get-a-laptop", true)
	c.helpful("cleo", "office", "where-is-lunch", false)
	c.flag("dan", "it/vpn", "which-vpn-client-do-i-use", "The software centre now offers two clients.")
	gym := c.ask("dan", "Is there a gym?", "")
	c.put("cleo", "hr/pay", "Pay", "## When is payday?\n\nThe 25th of each month, or the working day before.\n")
	c.answer("cleo", payday, "hr/pay", "when-is-payday")
	ho := c.handover("2026-winter")

	c.say("")
	c.say("== What the first cohort left, as the second's hand-over shows it ==")
	prev := c.handoverQuiet("2026-autumn")
	for _, q := range prev.OpenQuestions {
		c.say("  left open: %q (%d asked it)", q.Text, q.Votes)
	}
	c.impact("user=bob")
	c.impact("cohort=2026-autumn")

	// What the story must show.
	if !hasAge(ho.Unconfirmed, "office#where-is-lunch") || hasAge(ho.Unconfirmed, "it/vpn#how-do-i-get-vpn-access") {
		t.Errorf("winter's unconfirmed inherited answers: %v", ages(ho.Unconfirmed))
	}
	if !hasAge(ho.Flagged, "it/vpn#which-vpn-client-do-i-use") || hasAge(ho.Flagged, "office#where-are-the-toilets") {
		t.Errorf("flagged: %v", ages(ho.Flagged))
	}
	if !hasAge(ho.Stale, "office#where-is-lunch") || hasAge(ho.Stale, "office#where-are-the-toilets") || hasAge(ho.Stale, "it/vpn#how-do-i-get-vpn-access") {
		t.Errorf("stale: %v", ages(ho.Stale))
	}
	if len(ho.OpenQuestions) != 1 || ho.OpenQuestions[0].ID != gym {
		t.Errorf("winter leaves open %+v", ho.OpenQuestions)
	}
	if len(prev.OpenQuestions) != 1 || prev.OpenQuestions[0].ID != park || prev.OpenQuestions[0].Votes != 2 {
		t.Errorf("autumn left open %+v", prev.OpenQuestions)
	}
	if len(ho.UsedMost) == 0 || ho.UsedMost[0].Opens != 2 {
		t.Errorf("winter used most %+v", ho.UsedMost)
	}
	// The cohort page says it in words.
	page := c.get("tina", "/cohorts/2026-winter")
	for _, want := range []string{"What it hands on", "Questions it leaves open", "Is there a gym?", "It left", "Where do I park my bike?", "nobody in it confirmed"} {
		if !strings.Contains(page, want) {
			t.Errorf("the winter cohort page does not say %q:\n%.3000s", want, page)
		}
	}
	if dir := os.Getenv("FAQWIKI_SCREENSHOTS"); dir != "" {
		screenshotCohort(t, base, "/cohorts/2026-winter")
	}
}

// seedCohorts makes the accounts and cohorts of the story in a stopped
// data folder and returns each person's API token.
func seedCohorts(t *testing.T, data string, today time.Time) map[string]string {
	t.Helper()
	db, err := openStore(data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	acc := wiki.NewAccounts(wiki.AccountsConfig{Store: db, Password: wiki.PasswordParams{Time: 1, Memory: 64, Threads: 1}})
	cohorts := wiki.NewCohorts(wiki.CohortsConfig{Accounts: db, Pages: db})
	people := []struct {
		name, cohort string
		role         wiki.Role
	}{{"tina", "", wiki.RoleTrainer}, {"ada", "2026-autumn", wiki.RoleEditor}, {"bob", "2026-autumn", wiki.RoleEditor},
		{"cleo", "2026-winter", wiki.RoleEditor}, {"dan", "2026-winter", wiki.RoleEditor}}
	if _, err := acc.CreateAccount(ctx, wiki.NewAccount{Username: "tina", Password: browserPassword, Role: wiki.RoleTrainer}); err != nil {
		t.Fatal(err)
	}
	trainer := wiki.NewContextWithUser(ctx, &wiki.User{Name: "tina", Role: wiki.RoleTrainer})
	for _, co := range []wiki.NewCohort{
		{ID: "2026-autumn", Name: "2026 autumn", StartsOn: today.AddDate(0, 0, -1), Trainers: []string{"tina"}},
		{ID: "2026-winter", Name: "2026 winter", StartsOn: today.AddDate(0, 0, 1), Trainers: []string{"tina"}},
	} {
		if _, err := cohorts.Create(trainer, co); err != nil {
			t.Fatal(err)
		}
	}
	tokens := map[string]string{}
	for _, p := range people {
		if p.name != "tina" {
			if _, err := acc.CreateAccount(ctx, wiki.NewAccount{Username: p.name, Password: browserPassword, Role: p.role, Cohort: p.cohort}); err != nil {
				t.Fatal(err)
			}
		}
		if tokens[p.name], _, err = acc.CreateToken(ctx, p.name, "script"); err != nil {
			t.Fatal(err)
		}
	}
	return tokens
}

// runServe is runServer with flags only, for its address.
func runServe(t *testing.T, data string, flags ...string) string {
	t.Helper()
	base, _ := runServer(t, data, nil, flags...)
	return base
}

// cohortScript drives the story through the HTTP API, as each person.
type cohortScript struct {
	t      *testing.T
	base   string
	tokens map[string]string
}

func (c *cohortScript) say(format string, args ...any) {
	c.t.Helper()
	c.t.Logf(format, args...)
}

// call sends a request as who and decodes the JSON answer into v (nil:
// none), failing unless the status is 2xx or 3xx.
func (c *cohortScript) call(who, method, path string, body, v any) int {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.tokens[who])
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		c.t.Fatalf("%s %s as %s: %d %s", method, path, who, resp.StatusCode, b)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

func (c *cohortScript) get(who, path string) string {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.tokens[who])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func (c *cohortScript) put(who, slug, title, md string) {
	c.t.Helper()
	var cur struct {
		Revision int `json:"revision"`
	}
	req, _ := http.NewRequest("GET", c.base+"/api/v1/pages/"+slug, nil)
	req.Header.Set("Authorization", "Bearer "+c.tokens[who])
	if resp, err := http.DefaultClient.Do(req); err == nil {
		if resp.StatusCode == 200 {
			_ = json.NewDecoder(resp.Body).Decode(&cur)
		}
		resp.Body.Close()
	}
	c.call(who, "PUT", "/api/v1/pages/"+slug, map[string]any{"title": title, "markdown": md, "base_revision": cur.Revision}, nil)
	c.say("%-5s writes %s (%s)", who, slug, title)
}

func (c *cohortScript) search(who, q string) {
	c.t.Helper()
	var res struct {
		Total int  `json:"total"`
		Weak  bool `json:"weak"`
	}
	c.call(who, "GET", "/api/v1/search?q="+url.QueryEscape(q), nil, &res)
	c.say("%-5s searches %q: %d pages found", who, q, res.Total)
}

func (c *cohortScript) ask(who, text, from string) int64 {
	c.t.Helper()
	var res struct {
		ID      int64 `json:"id"`
		Similar []struct {
			Slug   string `json:"slug"`
			Anchor string `json:"anchor"`
		} `json:"similar"`
	}
	c.call(who, "POST", "/api/v1/questions", map[string]string{"text": text, "from_search": from}, &res)
	sim := ""
	if len(res.Similar) > 0 {
		sim = fmt.Sprintf(" (similar answers shown: %d, first %s#%s)", len(res.Similar), res.Similar[0].Slug, res.Similar[0].Anchor)
	}
	c.say("%-5s asks #%d %q%s", who, res.ID, text, sim)
	return res.ID
}

func (c *cohortScript) vote(who string, id int64) {
	c.t.Helper()
	var res struct {
		Question struct {
			Votes int `json:"votes"`
		} `json:"question"`
	}
	c.call(who, "POST", fmt.Sprintf("/api/v1/questions/%d/vote", id), nil, &res)
	c.say("%-5s +1s #%d: %d people ask it", who, id, res.Question.Votes)
}

func (c *cohortScript) answer(who string, id int64, slug, anchor string) {
	c.t.Helper()
	var q struct {
		Status string `json:"status"`
	}
	c.call(who, "POST", fmt.Sprintf("/api/v1/questions/%d/answer", id), map[string]string{"slug": slug, "anchor": anchor}, &q)
	c.say("%-5s answers #%d in the FAQ at %s#%s: %s", who, id, slug, anchor, q.Status)
}

func (c *cohortScript) confirm(who, slug, anchor string) {
	c.t.Helper()
	c.call(who, "POST", "/api/v1/pages/"+slug+"/sections/"+anchor+"/confirm", nil, nil)
	c.say("%-5s confirms %s#%s still right", who, slug, anchor)
}

func (c *cohortScript) flag(who, slug, anchor, note string) {
	c.t.Helper()
	c.call(who, "POST", "/api/v1/pages/"+slug+"/sections/"+anchor+"/flag", map[string]string{"note": note}, nil)
	c.say("%-5s flags %s#%s out of date: %q", who, slug, anchor, note)
}

func (c *cohortScript) resolve(who, slug, anchor, note string) {
	c.t.Helper()
	c.call(who, "POST", "/api/v1/pages/"+slug+"/sections/"+anchor+"/resolve", map[string]string{"note": note}, nil)
	c.say("%-5s resolves the flag on %s#%s: %q", who, slug, anchor, note)
}

func (c *cohortScript) open(who, q, slug, anchor string) {
	c.t.Helper()
	c.call(who, "GET", "/search/open?"+url.Values{"q": {q}, "slug": {slug}, "anchor": {anchor}}.Encode(), nil, nil)
	c.say("%-5s searches %q and opens %s#%s", who, q, slug, anchor)
}

func (c *cohortScript) helpful(who, slug, anchor string, yes bool) {
	c.t.Helper()
	c.call(who, "POST", "/api/v1/pages/"+slug+"/sections/"+anchor+"/feedback", map[string]bool{"helpful": yes}, nil)
	c.say("%-5s says %s#%s helped: %v", who, slug, anchor, yes)
}

// waitStale waits, bounded, until the first cohort's answers are stale,
// the last one it confirmed too.
func (c *cohortScript) waitStale() {
	c.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var stale []apiAge
		c.call("tina", "GET", "/api/v1/freshness?status=stale", nil, &stale)
		if hasAge(stale, "office#where-is-lunch") {
			c.say("freshness: %d answers are now unconfirmed for longer than the limit", len(stale))
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("answers never went stale: %+v", stale)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

type apiAge struct {
	Slug      string    `json:"slug"`
	Anchor    string    `json:"anchor"`
	Heading   string    `json:"heading"`
	TextSince time.Time `json:"text_since"`
	Confirmed *struct {
		By     string    `json:"by"`
		Cohort string    `json:"cohort"`
		At     time.Time `json:"at"`
	} `json:"confirmed"`
	Flags []struct {
		Note string `json:"note"`
		By   string `json:"by"`
	} `json:"flags"`
}

type apiHandOnOut struct {
	Unconfirmed      []apiAge `json:"unconfirmed"`
	UnconfirmedTotal int      `json:"unconfirmed_total"`
	Confirmed        int      `json:"confirmed"`
	Flagged          []apiAge `json:"flagged"`
	Stale            []apiAge `json:"stale"`
	UsedMost         []struct {
		Slug, Anchor string
		Opens        int `json:"opens"`
	} `json:"used_most"`
	OpenQuestions []struct {
		ID    int64  `json:"id"`
		Text  string `json:"text"`
		Votes int    `json:"votes"`
	} `json:"open_questions"`
}

type apiImpactOut struct {
	OpenedFromSearch     int `json:"opened_from_search"`
	OpenedFromLinks      int `json:"opened_from_links"`
	QuestionsAnswered    int `json:"questions_answered"`
	LaterCohorts         int `json:"later_cohorts"`
	OpenedByLaterCohorts int `json:"opened_by_later_cohorts"`
	Helpful              struct {
		Yes int `json:"yes"`
		No  int `json:"no"`
	} `json:"helpful"`
}

func (c *cohortScript) handoverQuiet(id string) apiHandOnOut {
	c.t.Helper()
	var h struct {
		HandOn *apiHandOnOut `json:"hand_on"`
	}
	c.call("tina", "GET", "/api/v1/cohorts/"+id+"/handover", nil, &h)
	if h.HandOn == nil {
		c.t.Fatal("the hand-over has no hand_on")
	}
	return *h.HandOn
}

func (c *cohortScript) handover(id string) apiHandOnOut {
	c.t.Helper()
	h := c.handoverQuiet(id)
	c.say("-- hand-over of %s, for the next cohort's trainers --", id)
	c.say("  inherited answers it confirmed or rewrote: %d; nobody in it confirmed: %d", h.Confirmed, h.UnconfirmedTotal)
	for _, a := range h.Unconfirmed {
		c.say("    unconfirmed: %s#%s (text since %s%s)", a.Slug, a.Anchor, a.TextSince.Format("15:04:05"), confirmedBy(a))
	}
	for _, a := range h.Flagged {
		c.say("  flagged: %s#%s: %q by %s", a.Slug, a.Anchor, a.Flags[0].Note, a.Flags[0].By)
	}
	for _, a := range h.Stale {
		c.say("  stale, oldest first: %s#%s (text since %s%s)", a.Slug, a.Anchor, a.TextSince.Format("15:04:05"), confirmedBy(a))
	}
	for _, u := range h.UsedMost {
		c.say("  inherited answer it used most: %s#%s, opened %s by its members", u.Slug, u.Anchor, times(u.Opens))
	}
	for _, q := range h.OpenQuestions {
		c.say("  question it leaves open: #%d %q (%d asked it)", q.ID, q.Text, q.Votes)
	}
	return h
}

func confirmedBy(a apiAge) string {
	if a.Confirmed == nil {
		return ", never confirmed"
	}
	who := a.Confirmed.Cohort
	if who == "" {
		who = a.Confirmed.By
	}
	return ", last confirmed by " + who + " at " + a.Confirmed.At.Format("15:04:05")
}

func (c *cohortScript) impact(q string) {
	c.t.Helper()
	var im apiImpactOut
	c.call("tina", "GET", "/api/v1/impact?"+q, nil, &im)
	c.say("impact of %s: opened %d times (%d from search, %d from links) by people in %d later cohort(s) (%d opens); %d questions answered; helpful %d yes, %d no",
		q, im.OpenedFromSearch+im.OpenedFromLinks, im.OpenedFromSearch, im.OpenedFromLinks, im.LaterCohorts, im.OpenedByLaterCohorts, im.QuestionsAnswered, im.Helpful.Yes, im.Helpful.No)
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

func hasAge(as []apiAge, key string) bool {
	for _, a := range as {
		if a.Slug+"#"+a.Anchor == key {
			return true
		}
	}
	return false
}

func ages(as []apiAge) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Slug+"#"+a.Anchor)
	}
	return out
}

// screenshotCohort keeps a picture of a cohort page, signed in as tina.
func screenshotCohort(t *testing.T, base, path string) {
	ctx := newBrowser(t)
	tb := openTab(t, ctx)
	tb.open(base + "/login?next=" + url.QueryEscape(path))
	tb.do("sign in as tina", chromedpSignIn("tina")...)
	tb.follow(`form[action="/login"] button[type=submit]`)
	tb.screenshot("cohort-handover")
}

// chromedpSignIn fills the sign-in form for name (browserPassword).
func chromedpSignIn(name string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.SendKeys(chromedp.ID("username"), name),
		chromedp.SendKeys(chromedp.ID("password"), browserPassword),
	}
}
