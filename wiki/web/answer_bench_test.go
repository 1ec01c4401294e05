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
			db, err := store.Open(b.TempDir()+"/faqwiki.db", store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			w := wiki.New(wiki.Config{Store: db})
			acc := wiki.NewAccounts(wiki.AccountsConfig{Store: db, Password: cheapPasswords})
			cohorts := newCohorts(db)
			cfg := Config{Wiki: w, Accounts: acc, Cohorts: cohorts, Search: mustIndex(b, db)}
			var answers *wiki.Answers
			if on {
				q := wiki.NewQuestions(wiki.QuestionsConfig{Store: db, Wiki: w})
				answers = wiki.NewAnswers(wiki.AnswersConfig{Store: db, Wiki: w, Questions: q, Cohorts: cohorts})
				cfg.Questions, cfg.Answers = q, answers
			}
			srv, err := New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			ctx := b.Context()
			if _, err := acc.CreateAccount(ctx, wiki.NewAccount{Username: "rita", Password: testPassword, Role: wiki.RoleEditor}); err != nil {
				b.Fatal(err)
			}
			token, _, err := acc.CreateToken(ctx, "rita", "")
			if err != nil {
				b.Fatal(err)
			}
			rita := wiki.NewContextWithUser(ctx, &wiki.User{Name: "rita", Role: wiki.RoleEditor})
			if _, err := w.Save(rita, wiki.Edit{Slug: "faq", Title: "FAQ", Markdown: benchPage()}); err != nil {
				b.Fatal(err)
			}
			if on {
				for i := range 20 {
					anchor := "how-do-i-do-task-number-" + string(rune('0'+i%10))
					if _, err := answers.Feedback(rita, "faq", anchor, i%2 == 0); err != nil {
						b.Fatal(err)
					}
					if i < 3 {
						if _, err := answers.Flag(rita, "faq", anchor, "out of date"); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			r := httptest.NewRequest(http.MethodGet, "/wiki/faq", nil)
			r.Header.Set("Authorization", "Bearer "+token)
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
