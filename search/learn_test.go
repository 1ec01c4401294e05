package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
)

func openLearnLog(t *testing.T, clock *testClock) (*Log, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "searchlog.db")
	l, err := OpenLog(path, LogOptions{FlushInterval: time.Hour, Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, path
}

func open(t *testing.T, l *Log, query, slug, anchor, person string) {
	t.Helper()
	if err := l.LogOpen(context.Background(), wiki.OpenEvent{Query: query, Slug: wiki.Slug(slug), Anchor: anchor, Person: person}); err != nil {
		t.Fatal(err)
	}
}

func TestLearnedEvidence(t *testing.T) {
	clock := &testClock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	l, path := openLearnLog(t, clock)
	stems := func(q string) []string { return l.lr.stems(q) }
	people := func(q, id string) float64 { return l.Learned(stems(q))[id].People }
	const id = "travel/leave#annual-leave"

	open(t, l, "how much PTO carries over", "travel/leave", "annual-leave", "ada")
	if got := people("pto carry over", id); math.Abs(got-2) > 1e-9 { // pto + carri, one person each
		t.Fatalf("evidence after one open = %v, want 2 (one person for each of two words)", got)
	}
	// The same person again, on the same or another day: still one person.
	open(t, l, "how much PTO carries over", "travel/leave", "annual-leave", "ada")
	clock.Add(24 * time.Hour)
	open(t, l, "PTO carry over", "travel/leave", "annual-leave", "ada")
	if got := l.Learned(stems("pto"))[id]; got.Stems != 1 || got.People > 1 {
		t.Errorf("one person opening three times = %+v, want one person", got)
	}
	open(t, l, "PTO carry over", "travel/leave", "annual-leave", "bob")
	if got := l.Learned(stems("pto"))[id].People; got < 1.9 {
		t.Errorf("two people = %v, want about 2", got)
	}
	// Anonymous opens and opens without a page teach nothing.
	open(t, l, "PTO", "travel/leave", "annual-leave", "")
	if got := l.Learned(stems("pto"))[id].People; got > 2.01 {
		t.Errorf("an anonymous open counted: %v", got)
	}
	// Evidence fades: after a half-life each person weighs half.
	before := l.Learned(stems("pto"))[id].People
	clock.Add(learnHalfLife)
	if got := l.Learned(stems("pto"))[id].People; math.Abs(got-before/2) > 0.02 {
		t.Errorf("after a half-life: %v, want about %v", got, before/2)
	}
	// It survives a restart (written on flush/close) ...
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l2, err := OpenLog(path, LogOptions{FlushInterval: time.Hour, Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	if got := l2.Learned(stems("pto"))[id].People; math.Abs(got-before/2) > 0.02 {
		t.Errorf("after a restart: %v, want about %v", got, before/2)
	}
	// ... and is forgotten once too old.
	clock.Add(learnForget)
	l2.Close()
	l3, err := OpenLog(path, LogOptions{FlushInterval: time.Hour, Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer l3.Close()
	if got := l3.Learned(stems("pto")); len(got) != 0 {
		t.Errorf("evidence older than %v kept: %v", learnForget, got)
	}
}

func TestLearnedEvidenceIsBounded(t *testing.T) {
	clock := &testClock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	l, _ := openLearnLog(t, clock)
	for i := range learnMaxPeople + 20 {
		open(t, l, "badge", "it/badge", "", fmt.Sprintf("p%d", i))
	}
	r := l.lr.evidence["it/badge#"]
	if n := len(r.Terms["badg"]); n != learnMaxPeople {
		t.Errorf("%d people kept for one word, want at most %d", n, learnMaxPeople)
	}
	for i := range learnMaxTerms + 30 {
		open(t, l, fmt.Sprintf("word%d", i), "it/badge", "", "p0")
	}
	if n := len(r.Terms); n > learnMaxTerms {
		t.Errorf("%d words kept for one section, want at most %d", n, learnMaxTerms)
	}
}

func TestRemoveSectionTerm(t *testing.T) {
	clock := &testClock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	l, _ := openLearnLog(t, clock)
	ctx := context.Background()
	open(t, l, "free pizza vacation", "travel/leave", "annual-leave", "spammer")
	open(t, l, "vacation", "travel/leave", "annual-leave", "ada")
	terms, err := l.SectionTerms(ctx, "travel/leave", "annual-leave")
	if err != nil || len(terms) != 3 || terms[0].Term != "vacat" || terms[0].People < 1.9 {
		t.Fatalf("SectionTerms = %+v, %v", terms, err)
	}
	// A trainer removes "pizza", typed as a word.
	if err := l.RemoveSectionTerm(ctx, "travel/leave", "annual-leave", "Pizza"); err != nil {
		t.Fatal(err)
	}
	if got := l.Learned([]string{"pizza"}); len(got) != 0 {
		t.Errorf("removed word still learned: %v", got)
	}
	// It is not learned there again.
	open(t, l, "pizza", "travel/leave", "annual-leave", "spammer2")
	if got := l.Learned([]string{"pizza"}); len(got) != 0 {
		t.Errorf("removed word learned again: %v", got)
	}
	if err := l.RemoveSectionTerm(ctx, "travel/leave", "annual-leave", "nothing"); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("removing an unknown word: %v, want ErrNotFound", err)
	}
}

// An open makes the section rank first for its query's words, even when
// the section does not use those words itself; the evidence of one word
// of a long question does not.
func TestSearchLearnsFromOpens(t *testing.T) {
	e := mustOpenEnv(t)
	e.save(t, "travel/leave", "Leave", "## Annual leave\n\nYou earn annual leave every pay period.\n\n## Sick leave\n\nSick leave is for illness.\n")
	e.save(t, "tools/pto-tracker", "PTO tracker", "## What is the PTO tracker\n\nA spreadsheet some teams keep.\n")
	e.catchUp(t)
	clock := &testClock{now: time.Now()}
	l, _ := openLearnLog(t, clock)
	e.ix.learner = l
	first := func(q string) string {
		res := e.search(t, wiki.SearchQuery{Text: q})
		if len(res.Hits) == 0 {
			return ""
		}
		return docID(res.Hits[0].Slug, res.Hits[0].Anchor)
	}
	if got := first("pto balance"); got == "travel/leave#annual-leave" {
		t.Fatalf("annual leave first before anything was learned")
	}
	for _, p := range []string{"ada", "bob", "cy"} {
		open(t, l, "pto balance", "travel/leave", "annual-leave", p)
	}
	if got := first("pto balance"); got != "travel/leave#annual-leave" {
		t.Errorf("after three people opened annual leave for %q, first hit = %s", "pto balance", got)
	}
	if got := first("how do I set up the pto tracker spreadsheet"); got != "tools/pto-tracker#what-is-the-pto-tracker" {
		t.Errorf("evidence for one word of a long question took over: first hit = %s", got)
	}
}

// An answer linked on purpose (the gap list, a question's answer) makes
// its section the hit for those words at once, where one person's click
// is only a nudge.
func TestSearchLearnsFromALinkedAnswer(t *testing.T) {
	e := mustOpenEnv(t)
	e.save(t, "travel/leave", "Leave", "## Annual leave\n\nYou earn annual leave every pay period.\n\n## Sick leave\n\nSick leave is for illness.\n")
	e.save(t, "schedules", "Work schedules", "## Definitions\n\nHow many days and hours make a week, and what vacation days mean for a schedule.\n")
	e.catchUp(t)
	l, _ := openLearnLog(t, &testClock{now: time.Now()})
	e.ix.learner = l
	const q, want = "how many vacation days do I get", "travel/leave#annual-leave"
	first := func() string {
		res := e.search(t, wiki.SearchQuery{Text: q})
		if len(res.Hits) == 0 {
			return ""
		}
		return docID(res.Hits[0].Slug, res.Hits[0].Anchor)
	}
	if got := first(); got == want {
		t.Fatalf("annual leave first before anything was learned")
	}
	open(t, l, q, "travel/leave", "annual-leave", "ada")
	if got := first(); got == want {
		t.Fatalf("one person's click made annual leave the hit: it should only nudge")
	}
	if err := l.LogOpen(context.Background(), wiki.OpenEvent{Query: q, Slug: "travel/leave", Anchor: "annual-leave", Person: "tina", Linked: true}); err != nil {
		t.Fatal(err)
	}
	if got := first(); got != want {
		t.Errorf("after a trainer linked annual leave to %q, first hit = %s", q, got)
	}
	if got := l.Learned(l.lr.stems("vacation"))[want].People; math.Abs(got-(1+linkedPeople)) > 1e-9 {
		t.Errorf("evidence for vacation = %v, want one person and a link (%v)", got, 1+linkedPeople)
	}
}

// What one person opened makes its section the hit, and the page's other
// strong sections for the words are still listed with it: the bonus of
// learning does not push them below the share of the best. (Lost phone
// scores about 0.7 of Lost laptop for the words, and the bonus of one
// person would take that under 0.6.)
func TestLearningKeepsThePagesOtherAnswers(t *testing.T) {
	e := mustOpenEnv(t)
	e.save(t, "equipment", "Equipment", "## Lost laptop\n\nTell the help desk about a lost laptop at once.\n\n"+
		"## Lost phone\n\nA lost phone: tell the help desk, as for a laptop, and your manager, and security, the same day.\n\n## Chargers\n\nAsk reception.\n")
	e.save(t, "travel", "Travel", "## Booking\n\nUse the portal.\n")
	e.catchUp(t)
	clock := &testClock{now: time.Now()}
	l, _ := openLearnLog(t, clock)
	e.ix.learner = l
	shown := func() []string {
		res := e.search(t, wiki.SearchQuery{Text: "lost laptop help desk"})
		if len(res.Hits) == 0 {
			t.Fatal("no hits")
		}
		out := []string{res.Hits[0].Anchor}
		for _, s := range res.Hits[0].Sections {
			out = append(out, s.Anchor)
		}
		return out
	}
	if got := shown(); len(got) != 2 || got[0] != "lost-laptop" || got[1] != "lost-phone" {
		t.Fatalf("before anything was learned: %v, want lost-laptop with lost-phone", got)
	}
	open(t, l, "lost laptop help desk", "equipment", "lost-laptop", "ada")
	if got := shown(); len(got) != 2 || got[0] != "lost-laptop" || got[1] != "lost-phone" {
		t.Errorf("after one person opened lost-laptop: %v, want lost-phone still listed", got)
	}
}
