package web

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
)

// BenchmarkPageViewAnswers measures the cost of the answer boxes on a
// page view: the 50 KB benchmark page (about 150 answers), cached, viewed
// by a signed-in reader who voted on some answers, with a few answers
// flagged; "plain" is the same server with the answer features off.
// Compare the two in one run:
//
//	go test -run '^$' -bench PageViewAnswers ./wiki/web/
func BenchmarkPageViewAnswers(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "plain"
		if on {
			name = "answers"
		}
		b.Run(name, func(b *testing.B) {
			srv, r := newAnswersViewServer(b, on)
			b.ReportAllocs()
			b.ResetTimer()
			d := &discardRecorder{}
			for b.Loop() {
				d.reset()
				srv.ServeHTTP(d, r)
				if d.code != http.StatusOK {
					b.Fatal(d.code)
				}
			}
		})
	}
}

// TestCachedViewAllocations holds the allocations of a cached page view
// by a signed-in reader to what they are: each one is work on every view
// of every page (a view made 24 before the keys were appended on the
// stack, the forms' addresses kept with the drawn answers, the request's
// state put in its context in one and the answer's length kept with it;
// 9 after).
// A change that adds one to this path should be a choice, not a surprise.
func TestCachedViewAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("sets up a 50 KB page with answers")
	}
	const most = 11
	for _, on := range []bool{false, true} {
		srv, r := newAnswersViewServer(t, on)
		d := &discardRecorder{}
		view := func() {
			d.reset()
			srv.ServeHTTP(d, r)
		}
		view() // drawn and kept
		if n := testing.AllocsPerRun(200, view); n > most || d.code != http.StatusOK {
			t.Errorf("answers %v: a cached view makes %v allocations (status %d); want at most %d", on, n, d.code, most)
		}
	}
}

// newAnswersViewServer is a server holding the 50 KB benchmark page, and
// a request for it by a signed-in editor with a token. With answers on,
// the editor voted on some answers and flagged three.
func newAnswersViewServer(tb testing.TB, on bool) (*Server, *http.Request) {
	db, err := store.Open(tb.TempDir()+"/faqwiki.db", store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	w := wiki.New(wiki.Config{Store: db})
	acc := wiki.NewAccounts(wiki.AccountsConfig{Store: db, Password: cheapPasswords})
	cohorts := newCohorts(db)
	cfg := Config{Wiki: w, Accounts: acc, Cohorts: cohorts, Search: mustIndex(tb, db)}
	var answers *wiki.Answers
	if on {
		q := wiki.NewQuestions(wiki.QuestionsConfig{Store: db, Wiki: w})
		answers = wiki.NewAnswers(wiki.AnswersConfig{Store: db, Wiki: w, Questions: q, Cohorts: cohorts})
		cfg.Questions, cfg.Answers = q, answers
	}
	srv, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := tb.Context()
	if _, err := acc.CreateAccount(ctx, wiki.NewAccount{Username: "rita", Password: testPassword, Role: wiki.RoleEditor}); err != nil {
		tb.Fatal(err)
	}
	token, _, err := acc.CreateToken(ctx, "rita", "")
	if err != nil {
		tb.Fatal(err)
	}
	rita := wiki.NewContextWithUser(ctx, &wiki.User{Name: "rita", Role: wiki.RoleEditor})
	if _, err := w.Save(rita, wiki.Edit{Slug: "faq", Title: "FAQ", Markdown: benchPage()}); err != nil {
		tb.Fatal(err)
	}
	if on {
		for i := range 20 {
			anchor := "how-do-i-do-task-number-" + string(rune('0'+i%10))
			if _, err := answers.Feedback(rita, "faq", anchor, i%2 == 0); err != nil {
				tb.Fatal(err)
			}
			if i < 3 {
				if _, err := answers.Flag(rita, "faq", anchor, "out of date"); err != nil {
					tb.Fatal(err)
				}
			}
		}
	}
	r := httptest.NewRequest(http.MethodGet, "/wiki/faq", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	return srv, r
}
