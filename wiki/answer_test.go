package wiki_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
)

const officePage = "## Where is lunch?\n\nIn the canteen, from noon.\n\n## Where are the toilets?\n\nDown the hall.\n"

func TestHelpfulVotesOncePerPersonPerVersion(t *testing.T) {
	e := newFAQEnv(t)
	mustSave(t, e.w, editor("ada", ""), wiki.Edit{Slug: "office", Markdown: officePage})
	vote := func(who string, helpful bool) *wiki.AnswerState {
		t.Helper()
		st, err := e.answers.Feedback(reader(who, ""), "office", "where-is-lunch", helpful)
		if err != nil {
			t.Fatalf("%s votes: %v", who, err)
		}
		return st
	}
	vote("r1", true)
	vote("r1", true) // again: still one vote
	st := vote("r2", false)
	if st.Yes != 1 || st.No != 1 || st.MyVote != "no" {
		t.Errorf("after r1 yes twice, r2 no: %+v", st)
	}
	st = vote("r2", true) // changed their mind: still one vote each
	if st.Yes != 2 || st.No != 0 {
		t.Errorf("after r2 changed: yes %d no %d", st.Yes, st.No)
	}
	// Editing the other answer keeps these votes; rewriting this one
	// starts a new version, in which r1 may vote again.
	mustSave(t, e.w, editor("bob", ""), wiki.Edit{Slug: "office", Base: 1, Markdown: officePage + "Ask reception.\n"})
	if st, _ = e.answers.State(reader("r1", ""), "office", "where-is-lunch"); st.Yes != 2 || st.MyVote != "yes" {
		t.Errorf("after another answer changed: %+v", st)
	}
	mustSave(t, e.w, editor("bob", ""), wiki.Edit{Slug: "office", Base: 2, Markdown: "## Where is lunch?\n\nIn the canteen on floor 2, from 11:30.\n\n## Where are the toilets?\n\nDown the hall.\n"})
	st = vote("r1", false)
	if st.Yes != 0 || st.No != 1 || st.AllYes != 2 || st.AllNo != 1 || st.Revision != 3 {
		t.Errorf("on the new version: %+v", st)
	}
	// Bad input.
	if _, err := e.answers.Feedback(reader("r1", ""), "office", "nope", true); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("vote on a missing answer: %v", err)
	}
	if _, err := e.answers.Feedback(context.Background(), "office", "where-is-lunch", true); !errors.Is(err, wiki.ErrUnauthorized) {
		t.Errorf("a visitor voted: %v", err)
	}
	// A page without headings is one answer, the page itself.
	mustSave(t, e.w, editor("ada", ""), wiki.Edit{Slug: "how-do-i-get-vpn", Markdown: "Ask the service desk.\n"})
	if st, err := e.answers.Feedback(reader("r1", ""), "how-do-i-get-vpn", "", true); err != nil || st.Yes != 1 {
		t.Errorf("whole-page vote: %+v %v", st, err)
	}
}

func TestConfirmFlagResolveAndTheReaderNotice(t *testing.T) {
	e := newFAQEnv(t)
	mustSave(t, e.w, editor("ada", "c1"), wiki.Edit{Slug: "office", Markdown: officePage})
	if _, err := e.answers.Confirm(reader("rita", ""), "office", "where-is-lunch", ""); !errors.Is(err, wiki.ErrForbidden) {
		t.Errorf("a reader confirmed: %v", err)
	}
	st, err := e.answers.Confirm(editor("bob", "c1"), "office", "where-is-lunch", "used it today")
	if err != nil || st.Confirmed == nil || st.Confirmed.Cohort != "c1" || st.Confirmed.By != "bob" {
		t.Fatalf("confirm: %+v %v", st, err)
	}
	if _, err := e.answers.Flag(editor("bob", "c1"), "office", "where-are-the-toilets", ""); !isValidation(err) {
		t.Errorf("flag without a note: %v", err)
	}
	if _, err := e.answers.Flag(editor("bob", "c1"), "office", "where-are-the-toilets", "They moved upstairs"); err != nil {
		t.Fatal(err)
	}
	st, _ = e.answers.Flag(editor("bob", "c1"), "office", "where-are-the-toilets", "They moved to floor 3") // same person: one flag
	if len(st.Flags) != 1 || st.Flags[0].Note != "They moved to floor 3" {
		t.Errorf("flags = %+v", st.Flags)
	}
	// Every reader sees the notice on the page.
	p, _ := e.w.Page(context.Background(), "office")
	r, _ := e.w.RenderPage(context.Background(), p)
	pa, err := e.answers.PageAnswers(reader("anyone", ""), p, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(pa.Flagged) != 1 || pa.Flagged[0].Anchor != "where-are-the-toilets" || len(pa.States) != 2 {
		t.Errorf("page answers: %d states, flagged %+v", len(pa.States), pa.Flagged)
	}
	if _, err := e.answers.Resolve(editor("bob", "c1"), "office", "where-are-the-toilets", ""); !errors.Is(err, wiki.ErrForbidden) {
		t.Errorf("an editor resolved: %v", err)
	}
	st, err = e.answers.Resolve(trainer("tina"), "office", "where-are-the-toilets", "Fixed the floor")
	if err != nil || len(st.Flags) != 0 || st.Confirmed == nil || st.Confirmed.By != "tina" {
		t.Fatalf("resolve: %+v %v", st, err)
	}
	if _, err := e.answers.Resolve(trainer("tina"), "office", "where-are-the-toilets", ""); !isValidation(err) {
		t.Errorf("resolving nothing: %v", err)
	}
	pa, _ = e.answers.PageAnswers(reader("anyone", ""), p, r)
	if len(pa.Flagged) != 0 {
		t.Errorf("notice after resolve: %+v", pa.Flagged)
	}
}

func TestFreshnessFollowsCohorts(t *testing.T) {
	e := newFAQEnv(t)
	ctx := trainer("tina")
	mustCohort(t, e, "c1", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	mustSave(t, e.w, editor("ada", "c1"), wiki.Edit{Slug: "office", Markdown: officePage})
	mustSave(t, e.w, editor("ada", "c1"), wiki.Edit{Slug: "travel", Markdown: "## Per diem?\n\n40 a day.\n"})
	e.advance(60 * 24 * time.Hour)
	mustCohort(t, e, "c2", e.clock())
	e.advance(24 * time.Hour)
	// c2 uses and confirms one inherited answer, flags another, writes a
	// new one.
	if _, err := e.answers.Confirm(editor("cleo", "c2"), "office", "where-is-lunch", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.answers.Flag(editor("cleo", "c2"), "travel", "per-diem", "It is 45 now"); err != nil {
		t.Fatal(err)
	}
	mustSave(t, e.w, editor("cleo", "c2"), wiki.Edit{Slug: "office", Base: 1, Markdown: officePage + "\n## Where do I park?\n\nBehind the building.\n"})

	unconf, err := e.answers.Freshness(ctx, wiki.FreshnessFilter{Status: wiki.FreshUnconfirmed, Cohort: "c2"})
	if err != nil {
		t.Fatal(err)
	}
	if got := ages(unconf); len(got) != 2 || got[0] != "office#where-are-the-toilets" || got[1] != "travel#per-diem" {
		t.Errorf("unconfirmed by c2 = %v", got)
	}
	flagged, _ := e.answers.Freshness(ctx, wiki.FreshnessFilter{Status: wiki.FreshFlagged})
	if got := ages(flagged); len(got) != 1 || got[0] != "travel#per-diem" || flagged[0].Flags[0].Note != "It is 45 now" {
		t.Errorf("flagged = %v", got)
	}
	stale, _ := e.answers.Freshness(ctx, wiki.FreshnessFilter{Status: wiki.FreshStale})
	if len(stale) != 0 {
		t.Errorf("stale after 2 months = %v", ages(stale))
	}
	// Half a year on, everything not confirmed since is stale, oldest
	// first: the toilets and per diem (written in January), then lunch
	// (confirmed in March), then parking (written in March, later).
	e.advance(200 * 24 * time.Hour)
	stale, err = e.answers.Freshness(ctx, wiki.FreshnessFilter{Status: wiki.FreshStale})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"office#where-are-the-toilets", "travel#per-diem", "office#where-is-lunch", "office#where-do-i-park"}
	if got := ages(stale); !equal(got, want) {
		t.Errorf("stale = %v, want %v", got, want)
	}
	if !stale[0].TextSince.Before(stale[3].TextSince) || stale[2].Confirmed == nil {
		t.Errorf("stale ages: %+v", stale)
	}
	if _, err := e.answers.Freshness(editor("ada", ""), wiki.FreshnessFilter{Status: wiki.FreshStale}); !errors.Is(err, wiki.ErrForbidden) {
		t.Errorf("an editor read freshness: %v", err)
	}
	if _, err := e.answers.Freshness(ctx, wiki.FreshnessFilter{Status: "rotten"}); !isValidation(err) {
		t.Errorf("unknown list: %v", err)
	}
	// The hand-over of c2 puts it together, with the questions c2 leaves.
	q := mustAsk(t, e, editor("cleo", "c2"), "Is there a gym?", "")
	h, err := e.cohorts.Handover(ctx, "c2")
	if err != nil {
		t.Fatal(err)
	}
	on, err := e.answers.HandOn(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	if on.UnconfirmedTotal != 2 || on.Confirmed != 1 || len(on.Flagged) != 1 || on.StaleTotal != 4 || len(on.OpenQuestions) != 1 || on.OpenQuestions[0].ID != q.ID {
		t.Errorf("hand-on = unconfirmed %d confirmed %d flagged %d stale %d questions %v", on.UnconfirmedTotal, on.Confirmed, len(on.Flagged), on.StaleTotal, on.OpenQuestions)
	}
}

func TestTextSinceFindsWhereTheTextWasWritten(t *testing.T) {
	e := newFAQEnv(t)
	mustSave(t, e.w, editor("ada", ""), wiki.Edit{Slug: "p", Markdown: "## A\n\none\n\n## B\n\nb\n"})
	var bWritten time.Time
	for i := 2; i <= 40; i++ {
		md := "## A\n\nversion " + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "\n\n## B\n\nb\n"
		if i == 30 {
			md = "## A\n\nversion 30\n\n## B\n\nb changed\n"
		}
		if i > 30 {
			md = "## A\n\nversion " + string(rune('a'+i%26)) + "x\n\n## B\n\nb changed\n"
		}
		res := mustSave(t, e.w, editor("ada", ""), wiki.Edit{Slug: "p", Base: i - 1, Markdown: md})
		if i == 30 {
			bWritten = res.Revision.CreatedAt
		}
	}
	e.advance(365 * 24 * time.Hour)
	stale, err := e.answers.Freshness(trainer("tina"), wiki.FreshnessFilter{Status: wiki.FreshStale})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range stale {
		if a.Anchor == "b" && !a.TextSince.Equal(bWritten) {
			t.Errorf("B written %s, found %s", bWritten, a.TextSince)
		}
	}
}

func TestOpensAndImpactFromScriptedTraffic(t *testing.T) {
	e := newFAQEnv(t)
	bg := context.Background()
	mustCohort(t, e, "c1", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	for _, u := range []struct{ name, cohort string }{{"ada", "c1"}, {"bob", "c1"}} {
		if _, err := e.accounts.CreateAccount(bg, wiki.NewAccount{Username: u.name, Password: "correct horse battery", Role: wiki.RoleEditor, Cohort: u.cohort}); err != nil {
			t.Fatal(err)
		}
	}
	mustSave(t, e.w, editor("ada", "c1"), wiki.Edit{Slug: "office", Markdown: officePage})
	// bob rewrites the toilets answer: it becomes his.
	mustSave(t, e.w, editor("bob", "c1"), wiki.Edit{Slug: "office", Base: 1,
		Markdown: "## Where is lunch?\n\nIn the canteen, from noon.\n\n## Where are the toilets?\n\nUpstairs: floor three, turn left past reception.\n"})
	e.advance(40 * 24 * time.Hour)
	mustCohort(t, e, "c2", e.clock())
	mustCohort(t, e, "c3", e.clock().Add(24*time.Hour))
	// Scripted traffic: 5 readers of c2 and 2 of c3 open lunch from search
	// (one of them three times: it counts once a day), 2 open the page
	// from a link; one reader with no cohort.
	for i, r := range []struct {
		who, cohort string
		times       int
	}{{"r1", "c2", 3}, {"r2", "c2", 1}, {"r3", "c2", 1}, {"r4", "c2", 1}, {"r5", "c2", 1}, {"r6", "c3", 1}, {"r7", "c3", 1}, {"staff", "", 1}} {
		for range r.times {
			e.answers.CountOpen(reader(r.who, r.cohort), "office", "where-is-lunch", wiki.OpenedFromSearch, "lunch canteen")
		}
		if i < 2 {
			e.answers.CountOpen(reader(r.who, r.cohort), "office", "", wiki.OpenedFromLink, "")
		}
	}
	e.answers.CountOpen(reader("r1", "c2"), "office", "where-are-the-toilets", wiki.OpenedFromSearch, "toilet")
	if err := e.answers.Flush(bg); err != nil {
		t.Fatal(err)
	}
	q := mustAsk(t, e, editor("r1", "c2"), "What time is lunch?", "")
	if _, err := e.questions.Answer(editor("r2", "c2"), q.ID, "office", "where-is-lunch"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.answers.Feedback(reader("r1", "c2"), "office", "where-is-lunch", true); err != nil {
		t.Fatal(err)
	}

	ada, err := e.answers.Impact(bg, wiki.ImpactFilter{User: "ada"})
	if err != nil {
		t.Fatal(err)
	}
	if ada.OpenedFromSearch != 8 || ada.OpenedFromLinks != 2 || ada.QuestionsAnswered != 1 || ada.HelpfulYes != 1 || ada.LaterCohorts != 2 || ada.OpenedByLaterCohorts != 9 {
		t.Errorf("ada's impact: search %d links %d questions %d yes %d later cohorts %d (%d opens)",
			ada.OpenedFromSearch, ada.OpenedFromLinks, ada.QuestionsAnswered, ada.HelpfulYes, ada.LaterCohorts, ada.OpenedByLaterCohorts)
	}
	bob, _ := e.answers.Impact(bg, wiki.ImpactFilter{User: "bob"})
	if bob.OpenedFromSearch != 1 || !hasSection(bob, "where-are-the-toilets") || hasSection(bob, "where-is-lunch") {
		t.Errorf("bob's impact: %+v", bob)
	}
	c1, _ := e.answers.Impact(bg, wiki.ImpactFilter{Cohort: "c1"})
	if c1.OpenedFromSearch != 9 || c1.LaterCohorts != 2 {
		t.Errorf("c1's impact: search %d later %d", c1.OpenedFromSearch, c1.LaterCohorts)
	}
	if _, err := e.answers.Impact(bg, wiki.ImpactFilter{}); !isValidation(err) {
		t.Errorf("impact of nobody: %v", err)
	}
	if _, err := e.answers.Impact(bg, wiki.ImpactFilter{User: "nobody"}); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("impact of an unknown user: %v", err)
	}
	// The hand-over of c2 shows the inherited answer it used most.
	h, _ := e.cohorts.Handover(bg, "c2")
	on, err := e.answers.HandOn(trainer("tina"), h)
	if err != nil {
		t.Fatal(err)
	}
	if len(on.UsedMost) == 0 || on.UsedMost[0].Anchor != "where-is-lunch" || on.UsedMost[0].Opens != 5 {
		t.Errorf("used most by c2: %+v", on.UsedMost)
	}
	// The unhelpful list names the searches that led there.
	if _, err := e.answers.Feedback(reader("r2", "c2"), "office", "where-is-lunch", false); err != nil {
		t.Fatal(err)
	}
	un, err := e.answers.Unhelpful(trainer("tina"), 10)
	if err != nil || len(un) != 1 || un[0].No != 1 || len(un[0].Queries) != 1 || un[0].Queries[0].Query != "lunch canteen" || un[0].Queries[0].Count != 8 {
		t.Errorf("unhelpful = %+v %v", un, err)
	}
}

func hasSection(im *wiki.Impact, anchor string) bool {
	for _, s := range im.Sections {
		if s.Anchor == anchor {
			return true
		}
	}
	return false
}

func mustCohort(t *testing.T, e *faqEnv, id string, start time.Time) {
	t.Helper()
	if _, err := e.cohorts.Create(trainer("tina"), wiki.NewCohort{ID: id, Name: "Cohort " + id, StartsOn: start}); err != nil {
		t.Fatal(err)
	}
}

func ages(as []wiki.AnswerAge) []string {
	var out []string
	for _, a := range as {
		out = append(out, string(a.Slug)+"#"+a.Anchor)
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
