package wiki_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
	"github.com/faqwiki/faqwiki/wiki/diff"
)

func asRole(name, cohort string, r wiki.Role) context.Context {
	return wiki.NewContextWithUser(context.Background(), &wiki.User{Name: name, Cohort: cohort, Role: r})
}

func TestTrainerRevisionsCountAsReviewed(t *testing.T) {
	for _, needReview := range []bool{false, true} {
		t.Run(fmt.Sprintf("TrainerEditsNeedReview=%v", needReview), func(t *testing.T) {
			db, err := store.Open(t.TempDir()+"/faqwiki.db", store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			w := wiki.New(wiki.Config{Store: db, TrainerEditsNeedReview: needReview})
			tina := asRole("tina", "", wiki.RoleTrainer)
			mustSave(t, w, tina, wiki.Edit{Slug: "vpn", Markdown: "a\n"})
			mustSave(t, w, asRole("olga", "oct", wiki.RoleEditor), wiki.Edit{Slug: "vpn", Markdown: "b\n", Base: 1})
			if _, err := w.Revert(tina, "vpn", 1, ""); err != nil {
				t.Fatal(err)
			}
			revs, _ := w.Revisions(tina, "vpn")
			got := []string{}
			for _, r := range revs {
				got = append(got, r.ReviewedBy)
			}
			want := "tina,,tina"
			if needReview {
				want = ",,"
			}
			if strings.Join(got, ",") != want {
				t.Errorf("reviewers newest first %q, want %q", strings.Join(got, ","), want)
			}
			n, _ := w.ReviewCount(tina)
			if n != 1 {
				t.Errorf("review count %d, want 1", n)
			}
		})
	}
}

func TestReviewNeedsATrainer(t *testing.T) {
	w := MustOpenWiki(t)
	olga := asRole("olga", "oct", wiki.RoleEditor)
	mustSave(t, w, olga, wiki.Edit{Slug: "vpn", Markdown: "a\n"})
	if _, err := w.MarkReviewed(olga, "vpn", 1); !errors.Is(err, wiki.ErrForbidden) {
		t.Errorf("an editor marked reviewed: %v", err)
	}
	if _, err := w.ReviewQueue(olga, "", 0); !errors.Is(err, wiki.ErrForbidden) {
		t.Errorf("an editor read the queue: %v", err)
	}
	if _, err := w.RevertUnreviewed(olga, "vpn", 1); !errors.Is(err, wiki.ErrForbidden) {
		t.Errorf("an editor reverted from the queue: %v", err)
	}
	if err := w.SetCohortReading(olga, "oct", []wiki.Slug{"vpn"}); !errors.Is(err, wiki.ErrForbidden) {
		t.Errorf("an editor set a reading list: %v", err)
	}
}

func TestRevertUnreviewed(t *testing.T) {
	w := MustOpenWiki(t)
	tina := asRole("tina", "", wiki.RoleTrainer)
	olga := asRole("olga", "oct", wiki.RoleEditor)
	mustSave(t, w, tina, wiki.Edit{Slug: "vpn", Markdown: "The service desk.\n"})
	mustSave(t, w, olga, wiki.Edit{Slug: "vpn", Markdown: "Nobody knows.\n", Base: 1})
	mustSave(t, w, olga, wiki.Edit{Slug: "vpn", Markdown: "Nobody knows, really.\n", Base: 2})
	q, err := w.ReviewQueue(tina, "", 0)
	if err != nil || len(q) != 1 || q[0].From != 1 || q[0].To != 3 {
		t.Fatalf("queue %+v, %v", q, err)
	}
	if want := diff.Compare("The service desk.\n", "Nobody knows, really.\n"); q[0].Diff.Added != want.Added || len(q[0].Diff.Hunks) != len(want.Hunks) {
		t.Errorf("combined diff %+v, want %+v", q[0].Diff, want)
	}
	// Someone saves after the trainer looked: nothing is reverted.
	mustSave(t, w, olga, wiki.Edit{Slug: "vpn", Markdown: "Nobody knows, really!\n", Base: 3})
	if _, err := w.RevertUnreviewed(tina, "vpn", 3); !errors.Is(err, wiki.ErrConflict) {
		t.Fatalf("revert of a stale view: %v, want a conflict", err)
	}
	res, err := w.RevertUnreviewed(tina, "vpn", 4)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := w.Page(tina, "vpn"); p.Markdown != "The service desk.\n" || p.Revision != 5 || res.Revision.Number != 5 {
		t.Errorf("after revert: revision %d %q", p.Revision, p.Markdown)
	}
	if q, _ := w.ReviewQueue(tina, "", 0); len(q) != 0 {
		t.Errorf("the reverted page is still queued: %+v", q)
	}
	revs, _ := w.Revisions(tina, "vpn")
	for _, r := range revs {
		if r.ReviewedBy != "tina" {
			t.Errorf("revision %d reviewed by %q", r.Number, r.ReviewedBy)
		}
	}
	// A page with no reviewed revision cannot go back to one.
	mustSave(t, w, olga, wiki.Edit{Slug: "new", Markdown: "x\n"})
	var v *wiki.ValidationError
	if _, err := w.RevertUnreviewed(tina, "new", 1); !errors.As(err, &v) {
		t.Errorf("revert of a never-reviewed page: %v", err)
	}
}

// TestBlameIsIncremental checks that the cached attribution brought up to
// date after more revisions equals one computed from scratch.
func TestBlameIsIncremental(t *testing.T) {
	w := MustOpenWiki(t)
	ctx := asRole("olga", "oct", wiki.RoleEditor)
	text := "## Q1\n\nAnswer one.\n\n## Q2\n\nAnswer two.\n"
	mustSave(t, w, ctx, wiki.Edit{Slug: "p", Markdown: text})
	if _, err := w.Blame(ctx, "p"); err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= 6; i++ {
		text += fmt.Sprintf("\n## Q%d\n\nAnswer %d.\n", i+1, i+1)
		mustSave(t, w, asRole(fmt.Sprintf("u%d", i), "nov", wiki.RoleEditor), wiki.Edit{Slug: "p", Markdown: text, Base: i - 1})
		if i == 4 {
			if _, err := w.Blame(ctx, "p"); err != nil {
				t.Fatal(err)
			}
		}
	}
	got, err := w.Blame(ctx, "p")
	if err != nil {
		t.Fatal(err)
	}
	fresh := wiki.New(wiki.Config{Store: w.db})
	want, err := fresh.Blame(ctx, "p")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.Lines) != fmt.Sprint(want.Lines) {
		t.Errorf("incremental blame\n%v\nfrom scratch\n%v", got.Lines, want.Lines)
	}
	last := got.Lines[len(got.Lines)-1]
	if r := got.Revisions[last.Revision]; r == nil || r.Author != "u6" || r.Cohort != "nov" {
		t.Errorf("last line by %+v", r)
	}
	if r := got.Revisions[got.Lines[0].Revision]; r.Author != "olga" {
		t.Errorf("first line by %q", r.Author)
	}
	if _, err := w.Delete(asRole("tina", "", wiki.RoleTrainer), "p", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Blame(ctx, "p"); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("blame of a deleted page: %v", err)
	}
}

func TestLinksFollowCommits(t *testing.T) {
	w := MustOpenWiki(t)
	tina := asRole("tina", "", wiki.RoleTrainer)
	mustSave(t, w, tina, wiki.Edit{Slug: "start", Markdown: "Read [[VPN access|vpn]] and [[Laptops]] and [[start]]."})
	mustSave(t, w, tina, wiki.Edit{Slug: "vpn-access", Markdown: "Ask IT."})
	bl, err := w.Backlinks(tina, "vpn-access")
	if err != nil || len(bl) != 1 || bl[0].Slug != "start" {
		t.Errorf("backlinks %+v, %v", bl, err)
	}
	ws, _ := w.Wanted(tina, 0)
	if len(ws) != 1 || ws[0].Slug != "laptops" || ws[0].Title != "Laptops" || ws[0].WantedBy != 1 {
		t.Errorf("wanted %+v", ws)
	}
	if _, err := w.Revert(tina, "start", 1, ""); err != nil { // unchanged: no new revision
		t.Fatal(err)
	}
	mustSave(t, w, tina, wiki.Edit{Slug: "start", Markdown: "Nothing here.", Base: 1})
	if bl, _ := w.Backlinks(tina, "vpn-access"); len(bl) != 0 {
		t.Errorf("backlinks after the link went: %+v", bl)
	}
	if _, err := w.Revert(tina, "start", 1, ""); err != nil {
		t.Fatal(err)
	}
	if bl, _ := w.Backlinks(tina, "vpn-access"); len(bl) != 1 {
		t.Errorf("backlinks after a revert brought the link back: %+v", bl)
	}
}

// blameHistory makes a page history of n revisions of an FAQ of about 60
// questions: most revisions change a word, some add or drop an answer,
// move one, re-wrap one or revert to an earlier revision, as cohorts do.
func blameHistory(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("the service desk opens a ticket for laptops badges vpn access within one day ask your buddy or manager first then the team channel payroll runs monthly benefits start after thirty days")
	sentence := func() string {
		k := 6 + r.IntN(10)
		var b strings.Builder
		for i := 0; i < k; i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[r.IntN(len(words))])
		}
		b.WriteByte('.')
		return b.String()
	}
	var paras []string
	for i := 0; i < 60; i++ {
		paras = append(paras, fmt.Sprintf("## Question %d?", i), sentence()+" "+sentence()+" "+sentence())
	}
	out := []string{strings.Join(paras, "\n\n") + "\n"}
	for len(out) < n {
		p := append([]string(nil), paras...)
		i := 1 + 2*r.IntN(len(p)/2)
		switch k := r.IntN(20); {
		case k < 12: // change a word
			ws := strings.Fields(p[i])
			ws[r.IntN(len(ws))] = words[r.IntN(len(words))]
			p[i] = strings.Join(ws, " ")
		case k < 14: // add an answer
			p = append(p, fmt.Sprintf("## New question %d?", len(out)), sentence())
		case k < 16: // move an answer to the end
			q, a := p[i-1], p[i]
			p = append(append(p[:i-1:i-1], p[i+1:]...), q, a)
		case k < 17: // re-wrap
			p[i] = strings.ReplaceAll(p[i], ". ", ".\n")
		case k < 18 && len(out) > 5 && out[len(out)-3] != out[len(out)-1]: // revert to an earlier revision
			out = append(out, out[len(out)-3])
			paras = strings.Split(strings.TrimSuffix(out[len(out)-1], "\n"), "\n\n")
			continue
		default: // add a sentence
			p[i] += " " + sentence()
		}
		next := strings.Join(p, "\n\n") + "\n"
		if next == out[len(out)-1] {
			continue // the word drawn was the word there
		}
		paras = p
		out = append(out, next)
	}
	return out
}

// BenchmarkBlame1000Revisions is blame of a page with 1,000 revisions
// from nothing in memory (its first view after a restart), through the
// service and a real store. Compare with BenchmarkDiff1000Revisions: the
// line diffs of every consecutive pair, which naive line blame needs.
func BenchmarkBlame1000Revisions(b *testing.B) {
	w, ctx := blameWiki(b, 1000)
	b.ResetTimer()
	for b.Loop() {
		fresh := wiki.New(wiki.Config{Store: w.db}) // an empty cache
		if _, err := fresh.Blame(ctx, "faq"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBlameAfterSave is blame of the 1,000-revision page when the
// cache holds it at the revision before: what a view after each save
// costs. Compare with BenchmarkDiffOneRevision.
func BenchmarkBlameAfterSave(b *testing.B) {
	w, ctx := blameWiki(b, 1000)
	texts := blameHistory(1002)
	if _, err := w.Blame(ctx, "faq"); err != nil {
		b.Fatal(err)
	}
	head := 1000
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		mustSave(b, w, ctx, wiki.Edit{Slug: "faq", Markdown: texts[1000+head%2] + strings.Repeat("x", head) + "\n", Base: head})
		head++
		b.StartTimer()
		if _, err := w.Blame(ctx, "faq"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDiff1000Revisions is the baseline for blame: diff.Compare of
// every consecutive pair of the same 1,000 revisions.
func BenchmarkDiff1000Revisions(b *testing.B) {
	texts := blameHistory(1000)
	b.ResetTimer()
	for b.Loop() {
		for i := 1; i < len(texts); i++ {
			diff.Compare(texts[i-1], texts[i])
		}
	}
}

// BenchmarkDiffOneRevision is one diff.Compare of two consecutive
// revisions of the page (the diff page's work).
func BenchmarkDiffOneRevision(b *testing.B) {
	texts := blameHistory(1000)
	b.ResetTimer()
	for b.Loop() {
		diff.Compare(texts[998], texts[999])
	}
}

func blameWiki(b *testing.B, n int) (testWiki, context.Context) {
	w := MustOpenWiki(b)
	ctx := asRole("olga", "oct", wiki.RoleEditor)
	for i, text := range blameHistory(n) {
		if res, err := w.Save(ctx, wiki.Edit{Slug: "faq", Markdown: text, Base: i}); err != nil {
			b.Fatal(err)
		} else if res.Unchanged {
			b.Fatalf("revision %d repeats the text", i+1)
		}
	}
	return w, ctx
}
