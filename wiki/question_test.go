package wiki_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/search"
	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
)

// faqEnv is the wiki with questions and answers over a real store, a real
// search index and a real search log, on a clock the test moves.
type faqEnv struct {
	db        *store.DB
	w         *wiki.Wiki
	questions *wiki.Questions
	answers   *wiki.Answers
	cohorts   *wiki.Cohorts
	accounts  *wiki.Accounts
	index     *search.Index
	log       *search.Log

	mu  sync.Mutex
	now time.Time
}

func (e *faqEnv) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(time.Second)
	return e.now
}

// advance moves the clock on by d.
func (e *faqEnv) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

func newFAQEnv(t *testing.T) *faqEnv {
	t.Helper()
	e := &faqEnv{now: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}
	db, err := store.Open(t.TempDir()+"/faqwiki.db", store.Options{Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e.db = db
	e.log, err = search.OpenLog(t.TempDir()+"/searchlog.db", search.LogOptions{FlushInterval: time.Hour, Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.log.Close() })
	e.index, err = search.Open(t.TempDir()+"/index", db, wiki.NewRenderer(), search.Options{Learner: e.log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.index.Close() })
	e.w = wiki.New(wiki.Config{Store: db, Clock: e.clock, OnCommit: func(*wiki.Revision) {
		if err := e.index.CatchUp(context.Background()); err != nil {
			t.Error(err)
		}
	}})
	e.accounts = wiki.NewAccounts(wiki.AccountsConfig{Store: db, Clock: e.clock, Password: wiki.PasswordParams{Time: 1, Memory: 64, Threads: 1}})
	e.cohorts = wiki.NewCohorts(wiki.CohortsConfig{Accounts: db, Pages: db, Clock: e.clock})
	e.questions = wiki.NewQuestions(wiki.QuestionsConfig{Store: db, Wiki: e.w, Search: e.index, SearchLog: e.log, Clock: e.clock})
	e.answers = wiki.NewAnswers(wiki.AnswersConfig{Store: db, Wiki: e.w, Questions: e.questions, Cohorts: e.cohorts, Clock: e.clock})
	return e
}

func editor(name, cohort string) context.Context { return asRole(name, cohort, wiki.RoleEditor) }
func trainer(name string) context.Context        { return asRole(name, "", wiki.RoleTrainer) }
func reader(name, cohort string) context.Context { return asRole(name, cohort, wiki.RoleReader) }

func mustAsk(t *testing.T, e *faqEnv, ctx context.Context, text, from string) *wiki.Question {
	t.Helper()
	res, err := e.questions.Ask(ctx, text, from)
	if err != nil {
		t.Fatalf("ask %q: %v", text, err)
	}
	return res.Question
}

func TestAskShowsSimilarAnswersAndOpenQuestions(t *testing.T) {
	e := newFAQEnv(t)
	mustSave(t, e.w, editor("ada", "c1"), wiki.Edit{Slug: "it/vpn", Title: "VPN", Markdown: "## How do I get VPN access?\n\nAsk the service desk for a VPN token.\n"})
	first := mustAsk(t, e, editor("bob", "c1"), "Where is the parking garage?", "")
	sim, err := e.questions.Similar(context.Background(), "how can I get vpn access from home")
	if err != nil {
		t.Fatal(err)
	}
	if len(sim.Answers) == 0 || sim.Answers[0].Slug != "it/vpn" || sim.Answers[0].Anchor != "how-do-i-get-vpn-access" {
		t.Errorf("similar answers = %+v", sim.Answers)
	}
	sim, err = e.questions.Similar(context.Background(), "parking garage where")
	if err != nil {
		t.Fatal(err)
	}
	if len(sim.Questions) != 1 || sim.Questions[0].ID != first.ID {
		t.Errorf("similar questions = %+v", sim.Questions)
	}
	res, err := e.questions.Ask(editor("cy", "c1"), "how do I get VPN access at home?", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Similar.Answers) == 0 || res.Similar.Answers[0].Slug != "it/vpn" {
		t.Errorf("ask returned similar %+v", res.Similar.Answers)
	}
}

func TestAskValidatesAndSameWordsAddAVote(t *testing.T) {
	e := newFAQEnv(t)
	for _, bad := range []string{"", "  ", "hi", string(make([]byte, 400))} {
		if _, err := e.questions.Ask(editor("ada", ""), bad, ""); !isValidation(err) {
			t.Errorf("ask %q: err %v, want a validation error", bad, err)
		}
	}
	if _, err := e.questions.Ask(reader("rita", ""), "Where is lunch?", ""); !errors.Is(err, wiki.ErrForbidden) {
		t.Errorf("a reader asked: %v", err)
	}
	if _, err := e.questions.Ask(context.Background(), "Where is lunch?", ""); !errors.Is(err, wiki.ErrUnauthorized) {
		t.Errorf("a visitor asked: %v", err)
	}
	q := mustAsk(t, e, editor("ada", "c1"), "Where is lunch?", "")
	res, err := e.questions.Ask(editor("bob", "c1"), "  where is LUNCH ", "")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Existing || res.Question.ID != q.ID || res.Question.Votes() != 2 {
		t.Errorf("asking again = %+v (existing %v)", res.Question, res.Existing)
	}
}

func TestVoteOncePerPerson(t *testing.T) {
	e := newFAQEnv(t)
	q := mustAsk(t, e, editor("ada", "c1"), "Where is lunch?", "")
	for i, tc := range []struct {
		who     string
		changed bool
		votes   int
	}{{"bob", true, 2}, {"bob", false, 2}, {"ada", false, 2}, {"cy", true, 3}} {
		got, changed, err := e.questions.Vote(editor(tc.who, "c1"), q.ID)
		if err != nil {
			t.Fatal(err)
		}
		if changed != tc.changed || got.Votes() != tc.votes {
			t.Errorf("vote %d by %s: changed %v votes %d, want %v %d", i, tc.who, changed, got.Votes(), tc.changed, tc.votes)
		}
	}
	if _, _, err := e.questions.Vote(editor("dan", ""), 999); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("vote on a missing question: %v", err)
	}
}

func TestAnswerFromEditLinksTheNewHeading(t *testing.T) {
	e := newFAQEnv(t)
	mustSave(t, e.w, editor("ada", "c1"), wiki.Edit{Slug: "office", Markdown: "## Where are the toilets?\n\nDown the hall.\n"})
	q := mustAsk(t, e, editor("bob", "c1"), "Where is lunch served?", "where is lunch")
	// The answerer wrote the heading a little differently than asked.
	res := mustSave(t, e.w, editor("cy", "c1"), wiki.Edit{Slug: "office", Base: 1,
		Markdown: "## Where are the toilets?\n\nDown the hall.\n\n## Where is lunch served\n\nIn the canteen, from noon.\n"})
	got, err := e.questions.AnswerFromEdit(editor("cy", "c1"), q.ID, res.Revision)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != wiki.QuestionAnswered || got.Answer.Slug != "office" || got.Answer.Anchor != "where-is-lunch-served" || got.Answer.By != "cy" || got.AnswerSeen {
		t.Errorf("answered = %+v, answer %+v", got, got.Answer)
	}
	// The asker is told: it is a new answer for them until they look.
	unseen, _, err := e.questions.NewAnswers(editor("bob", "c1"), 10)
	if err != nil || len(unseen) != 1 || unseen[0].ID != q.ID {
		t.Fatalf("bob's new answers = %v, %v", unseen, err)
	}
	if err := e.questions.MarkAnswerSeen(editor("bob", "c1"), got); err != nil {
		t.Fatal(err)
	}
	unseen, seen, _ := e.questions.NewAnswers(editor("bob", "c1"), 10)
	if len(unseen) != 0 || len(seen) != 1 {
		t.Errorf("after looking: unseen %v seen %v", unseen, seen)
	}
	// The search it was asked from learned its answer: searching it again
	// finds the section, and it is no longer a gap.
	if err := e.log.Flush(); err != nil {
		t.Fatal(err)
	}
	gaps, _ := e.log.Gaps(context.Background(), time.Time{})
	for _, g := range gaps {
		if g.Query == "where is lunch" {
			t.Errorf("the answered search is still a gap: %+v", g)
		}
	}
}

func TestAnswerChecksTheLink(t *testing.T) {
	e := newFAQEnv(t)
	mustSave(t, e.w, editor("ada", ""), wiki.Edit{Slug: "office", Markdown: "## Toilets?\n\nDown the hall.\n"})
	q := mustAsk(t, e, editor("bob", ""), "Where are the toilets?", "")
	for _, tc := range []struct {
		slug   wiki.Slug
		anchor string
	}{{"nope", ""}, {"office", "nope"}, {"Bad Slug", ""}} {
		if _, err := e.questions.Answer(editor("cy", ""), q.ID, tc.slug, tc.anchor); !isValidation(err) {
			t.Errorf("answer %s#%s: %v", tc.slug, tc.anchor, err)
		}
	}
	got, err := e.questions.Answer(editor("cy", ""), q.ID, "office", "toilets")
	if err != nil || got.Status != wiki.QuestionAnswered {
		t.Fatalf("answer: %+v %v", got, err)
	}
	if q2, _ := e.questions.Question(context.Background(), q.ID); q2.Answer == nil || q2.Answer.Revision != 1 {
		t.Errorf("stored answer %+v", q2.Answer)
	}
}

func TestMergeDuplicatesAndDecline(t *testing.T) {
	e := newFAQEnv(t)
	a := mustAsk(t, e, editor("ada", "c1"), "Where is lunch?", "")
	b := mustAsk(t, e, editor("bob", "c1"), "When does the canteen open?", "")
	if _, _, err := e.questions.Vote(editor("cy", "c1"), b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.questions.Close(editor("ada", "c1"), b.ID, wiki.QuestionDuplicate, "", a.ID); !errors.Is(err, wiki.ErrForbidden) {
		t.Errorf("an editor merged: %v", err)
	}
	if _, err := e.questions.Close(trainer("tina"), b.ID, wiki.QuestionDuplicate, "", b.ID); !isValidation(err) {
		t.Errorf("merged into itself: %v", err)
	}
	dup, err := e.questions.Close(trainer("tina"), b.ID, wiki.QuestionDuplicate, "same thing", a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if dup.Status != wiki.QuestionDuplicate || dup.DuplicateOf != a.ID {
		t.Errorf("duplicate = %+v", dup)
	}
	root, _ := e.questions.Question(context.Background(), a.ID)
	if root.Votes() != 3 || !slices.Contains(root.Wordings, "When does the canteen open?") {
		t.Errorf("merged into = votes %d wordings %v", root.Votes(), root.Wordings)
	}
	// A duplicate cannot be answered or +1'd; its root can.
	if _, _, err := e.questions.Vote(editor("dan", ""), b.ID); !isValidation(err) {
		t.Errorf("+1 on a duplicate: %v", err)
	}
	// Decline needs a reason.
	c := mustAsk(t, e, editor("eve", ""), "What is the meaning of life?", "")
	if _, err := e.questions.Close(trainer("tina"), c.ID, wiki.QuestionDeclined, " ", 0); !isValidation(err) {
		t.Errorf("decline without a reason: %v", err)
	}
	got, err := e.questions.Close(trainer("tina"), c.ID, wiki.QuestionDeclined, "Not about onboarding", 0)
	if err != nil || got.Status != wiki.QuestionDeclined || got.Reason != "Not about onboarding" {
		t.Fatalf("declined %+v %v", got, err)
	}
	if _, err := e.questions.Answer(editor("eve", ""), c.ID, "x", ""); !isValidation(err) {
		t.Errorf("answered a declined question: %v", err)
	}
	if got, err = e.questions.Reopen(trainer("tina"), c.ID); err != nil || got.Status != wiki.QuestionOpen {
		t.Errorf("reopen: %+v %v", got, err)
	}
}

func TestGapsJoinSearchesAndQuestions(t *testing.T) {
	e := newFAQEnv(t)
	ctx := context.Background()
	mustSave(t, e.w, editor("ada", ""), wiki.Edit{Slug: "office", Markdown: "## Toilets?\n\nDown the hall.\n"})
	for _, p := range []string{"p1", "p2", "p3"} {
		mustLog(t, e, wiki.SearchEvent{Query: "parking garage", Person: p})
	}
	mustLog(t, e, wiki.SearchEvent{Query: "car park", Person: "p4"})
	mustLog(t, e, wiki.SearchEvent{Query: "lunch", Person: "p5"})
	// A question asked from the "lunch" search is the same gap.
	q := mustAsk(t, e, editor("bob", "c1"), "Where is lunch?", "lunch")
	gaps, err := e.questions.Gaps(editor("ed", ""), wiki.GapFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*wiki.GapItem{}
	for _, g := range gaps {
		byID[g.ID] = g
	}
	park := byID[wiki.SearchGapID("parking garage")]
	lunch := byID[wiki.QuestionGapID(q.ID)]
	if park == nil || park.Kind != wiki.GapSearch || park.People != 3 || park.Status != wiki.GapOpen {
		t.Fatalf("parking gap = %+v (gaps %+v)", park, gaps)
	}
	if lunch == nil || lunch.Kind != wiki.GapQuestion || lunch.People != 2 || !slices.Contains(lunch.Texts, "lunch") {
		t.Fatalf("lunch gap = %+v", lunch)
	}
	if byID[wiki.SearchGapID("lunch")] != nil {
		t.Error("the search a question was asked from is listed twice")
	}
	if gaps[0].ID != park.ID {
		t.Errorf("most hit first: %v", gaps[0].Texts)
	}
	if _, err := e.questions.Gaps(reader("rita", ""), wiki.GapFilter{}); !errors.Is(err, wiki.ErrForbidden) {
		t.Errorf("a reader listed gaps: %v", err)
	}

	// Merge "car park" into "parking garage": one gap, both wordings.
	if _, err := e.questions.MergeGap(editor("ed", ""), wiki.SearchGapID("car park"), park.ID); !errors.Is(err, wiki.ErrForbidden) {
		t.Errorf("an editor merged gaps: %v", err)
	}
	merged, err := e.questions.MergeGap(trainer("tina"), wiki.SearchGapID("car park"), park.ID)
	if err != nil {
		t.Fatal(err)
	}
	if merged.People != 4 || !slices.Contains(merged.Texts, "car park") {
		t.Errorf("merged = %+v", merged)
	}
	// A question cannot go into a search.
	if _, err := e.questions.MergeGap(trainer("tina"), lunch.ID, park.ID); !isValidation(err) {
		t.Errorf("question into search: %v", err)
	}
	// Answer the parking gap with an existing section; dismiss nothing
	// without a reason.
	if _, err := e.questions.DismissGap(trainer("tina"), lunch.ID, ""); !isValidation(err) {
		t.Errorf("dismiss without reason: %v", err)
	}
	if _, err := e.questions.AnswerGap(editor("ed", ""), park.ID, "office", "toilets"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.questions.DismissGap(trainer("tina"), lunch.ID, "Lunch is not provided"); err != nil {
		t.Fatal(err)
	}
	open, _ := e.questions.Gaps(editor("ed", ""), wiki.GapFilter{Status: wiki.GapOpen})
	answered, _ := e.questions.Gaps(editor("ed", ""), wiki.GapFilter{Status: wiki.GapAnswered})
	dismissed, _ := e.questions.Gaps(editor("ed", ""), wiki.GapFilter{Status: wiki.GapDismissed})
	if len(open) != 0 || len(answered) != 1 || answered[0].ID != park.ID || answered[0].Answer.Anchor != "toilets" ||
		len(dismissed) != 1 || dismissed[0].Reason != "Lunch is not provided" {
		t.Errorf("open %v answered %v dismissed %v", ids(open), ids(answered), ids(dismissed))
	}
	// Reopen puts a question back.
	if _, err := e.questions.ReopenGap(trainer("tina"), lunch.ID); err != nil {
		t.Fatal(err)
	}
	open, _ = e.questions.Gaps(editor("ed", ""), wiki.GapFilter{})
	if len(open) != 1 || open[0].ID != lunch.ID {
		t.Errorf("after reopen: %v", ids(open))
	}
	if _, err := e.questions.DismissGap(trainer("tina"), "s-nothex", "x"); !isValidation(err) {
		t.Errorf("bad id: %v", err)
	}
	_ = ctx
}

func ids(gs []*wiki.GapItem) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.ID+":"+g.Texts[0])
	}
	return out
}

func mustLog(t *testing.T, e *faqEnv, ev wiki.SearchEvent) {
	t.Helper()
	if err := e.log.LogSearch(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
}

func isValidation(err error) bool {
	var ve *wiki.ValidationError
	return errors.As(err, &ve)
}
