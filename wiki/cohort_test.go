package wiki_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
)

// cohortWorld is the three services over one real store, with a clock
// the test moves.
type cohortWorld struct {
	w   *wiki.Wiki
	acc *wiki.Accounts
	co  *wiki.Cohorts
	mu  sync.Mutex
	now time.Time
}

func (cw *cohortWorld) clock() time.Time {
	cw.mu.Lock()
	defer cw.mu.Unlock()
	cw.now = cw.now.Add(time.Second)
	return cw.now
}

func (cw *cohortWorld) set(t time.Time) {
	cw.mu.Lock()
	cw.now = t
	cw.mu.Unlock()
}

func newCohortWorld(tb testing.TB, now time.Time) *cohortWorld {
	tb.Helper()
	db, err := store.Open(tb.TempDir()+"/faqwiki.db", store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	cw := &cohortWorld{now: now}
	cw.w = wiki.New(wiki.Config{Store: db, Clock: cw.clock})
	cw.acc = wiki.NewAccounts(wiki.AccountsConfig{Store: db, Password: cheapPasswords, Clock: cw.clock})
	cw.co = wiki.NewCohorts(wiki.CohortsConfig{Accounts: db, Pages: db, Clock: cw.clock})
	return cw
}

func (cw *cohortWorld) user(tb testing.TB, name string, role wiki.Role, cohort string) context.Context {
	tb.Helper()
	a, err := cw.acc.CreateAccount(context.Background(), wiki.NewAccount{Username: name, DisplayName: "Name of " + name, Password: "a long enough password", Role: role, Cohort: cohort})
	if err != nil {
		tb.Fatal(err)
	}
	return wiki.NewContextWithUser(context.Background(), a.User())
}

// TestTrainersAreNotCohortWork: a trainer with a cohort set on their
// account (one who signed up through an invite and was promoted, say)
// edits the cohort's pages; neither their revisions nor they themselves
// count as the cohort's.
func TestTrainersAreNotCohortWork(t *testing.T) {
	day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	cw := newCohortWorld(t, day.Add(8*time.Hour))
	ctx := context.Background()
	if _, err := cw.co.Create(ctx, wiki.NewCohort{ID: "nov", Name: "November", StartsOn: day}); err != nil {
		t.Fatal(err)
	}
	nina := cw.user(t, "nina", wiki.RoleEditor, "nov")
	tina := cw.user(t, "tina", wiki.RoleTrainer, "nov")
	mustSave(t, cw.w, nina, wiki.Edit{Slug: "vpn", Markdown: "a\n"})
	res := mustSave(t, cw.w, tina, wiki.Edit{Slug: "vpn", Markdown: "a\nb\n", Base: 1})
	if res.Revision.Cohort != "" {
		t.Errorf("the trainer's revision is filed under cohort %q", res.Revision.Cohort)
	}
	work, err := cw.co.Work(ctx, "nov")
	if err != nil {
		t.Fatal(err)
	}
	if work.Revisions != 1 || len(work.People) != 1 || work.People[0].Username != "nina" {
		t.Errorf("work: %d revisions by %+v, want nina's one", work.Revisions, work.People)
	}
	h, err := cw.co.Handover(ctx, "nov")
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Members) != 1 || h.Members[0].Username != "nina" {
		t.Errorf("members: %v, want nina alone", h.Members)
	}
	sums, err := cw.co.Summaries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sums[0].Members != 1 {
		t.Errorf("summary counts %d members, want 1", sums[0].Members)
	}

	// Moving a trainer into a cohort makes them one of its trainers.
	cw.user(t, "theo", wiki.RoleTrainer, "")
	acct, err := cw.co.Move(ctx, "theo", "nov")
	if err != nil {
		t.Fatal(err)
	}
	if acct.Cohort != "" {
		t.Errorf("theo's account is now in %q", acct.Cohort)
	}
	c, _ := cw.co.Cohort(ctx, "nov")
	if !slices.Contains(c.Trainers, "theo") {
		t.Errorf("trainers %v, want theo among them", c.Trainers)
	}
	if _, err := cw.co.AddTrainer(ctx, "nov", "nobody"); err == nil {
		t.Error("a trainer without an account was added")
	}
	if _, err := cw.co.AddTrainer(ctx, "nov", "nina"); err == nil {
		t.Error("an editor was made a trainer of the cohort")
	}
}

// TestHandoverTakeOver: when a cohort took the wiki over, and whether it
// has started.
func TestHandoverTakeOver(t *testing.T) {
	day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	cw := newCohortWorld(t, day.Add(8*time.Hour)) // 08:00 on the start day
	ctx := context.Background()
	trainer := cw.user(t, "tina", wiki.RoleTrainer, "")
	for _, s := range []wiki.Slug{"a", "b", "c", "d"} {
		mustSave(t, cw.w, trainer, wiki.Edit{Slug: s, Markdown: "x\n"})
	}
	// Made at 08:00 with today's date: it takes over the four pages the
	// trainers wrote this morning, not the wiki as of midnight.
	if _, err := cw.co.Create(ctx, wiki.NewCohort{ID: "today", Name: "Today", StartsOn: day}); err != nil {
		t.Fatal(err)
	}
	h, err := cw.co.Handover(ctx, "today")
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Inherited) != 4 || !h.Started {
		t.Errorf("started today: inherited %d pages (as of %s), started %v; want 4, true", len(h.Inherited), h.InheritedAt, h.Started)
	}
	// A member's first change ends the take-over: their page is not
	// inherited, even on the start day.
	nina := cw.user(t, "nina", wiki.RoleEditor, "today")
	mustSave(t, cw.w, nina, wiki.Edit{Slug: "e", Markdown: "x\n"})
	if h, _ = cw.co.Handover(ctx, "today"); len(h.Inherited) != 4 {
		t.Errorf("after a member's edit: inherited %d pages, want 4", len(h.Inherited))
	}

	// A cohort that starts next month has not started, and takes over the
	// wiki as it is now.
	if _, err := cw.co.Create(ctx, wiki.NewCohort{ID: "dec", Name: "December", StartsOn: day.AddDate(0, 1, 0)}); err != nil {
		t.Fatal(err)
	}
	h, err = cw.co.Handover(ctx, "dec")
	if err != nil {
		t.Fatal(err)
	}
	if h.Started || len(h.Inherited) != 5 || h.InheritedAt.After(cw.clock()) {
		t.Errorf("future cohort: started %v, inherited %d pages as of %s; want false, 5, not after now", h.Started, len(h.Inherited), h.InheritedAt)
	}

	// A cohort made long before its start takes over at its start.
	cw.set(day.AddDate(0, 2, 0))
	if _, err := cw.co.Create(ctx, wiki.NewCohort{ID: "feb", Name: "February", StartsOn: day.AddDate(0, 3, 0)}); err != nil {
		t.Fatal(err)
	}
	cw.set(day.AddDate(0, 4, 0))
	mustSave(t, cw.w, trainer, wiki.Edit{Slug: "later", Markdown: "x\n"}) // after February's start
	if h, _ = cw.co.Handover(ctx, "feb"); !h.InheritedAt.Equal(day.AddDate(0, 3, 0)) || len(h.Inherited) != 5 {
		t.Errorf("february: inherited %d pages as of %s, want 5 as of its start", len(h.Inherited), h.InheritedAt)
	}
}

// TestNames: display names and cohort names for history, with the cache
// seeing this process's new accounts at once.
func TestNames(t *testing.T) {
	cw := newCohortWorld(t, time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC))
	ctx := context.Background()
	if got := cw.acc.DisplayName(ctx, "ada"); got != "ada" {
		t.Errorf("unknown person: %q", got)
	}
	cw.user(t, "ada", wiki.RoleEditor, "")
	if got := cw.acc.DisplayName(ctx, "ada"); got != "Name of ada" {
		t.Errorf("display name %q, want the new account's", got)
	}
	if _, err := cw.co.Create(ctx, wiki.NewCohort{ID: "nov", Name: "November hires", StartsOn: cw.now}); err != nil {
		t.Fatal(err)
	}
	if got := cw.co.Name(ctx, "nov"); got != "November hires" {
		t.Errorf("cohort name %q", got)
	}
	if got := cw.co.Name(ctx, "gone"); got != "gone" {
		t.Errorf("unknown cohort: %q", got)
	}
}
