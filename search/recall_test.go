package search

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/faqwiki/faqwiki/wiki"
)

// minRecallAt3 is the share of testdata/recall.tsv queries whose answer
// (the exact section) must be among the first three hits. It sits just
// below what the index achieves, so a change that makes search worse fails
// the test; raise it when search gets better. (It was 0.78 for the ranking
// that required common words to co-occur; the recall-first ranking that
// replaced it finds the right page among the first three for 88% of
// testdata/eval's tune questions instead of 78%, and gets 0.76 here.)
const minRecallAt3 = 0.75

// recallQuery is one line of testdata/recall.tsv.
type recallQuery struct {
	kind, text string
	answers    map[string]bool // slug#anchor
}

func loadRecallSet(tb testing.TB) []recallQuery {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", "recall.tsv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var qs []recallQuery
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "\t")
		if len(parts) != 3 {
			tb.Fatalf("recall.tsv: bad line %q", line)
		}
		q := recallQuery{kind: parts[0], text: parts[1], answers: map[string]bool{}}
		for _, a := range strings.Fields(parts[2]) {
			q.answers[a] = true
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return qs
}

// metrics accumulates recall@1, recall@3 and mean reciprocal rank of
// the right section, and recall@1 of the right page (any section).
type metrics struct {
	n, at1, at3, page1 int
	rr                 float64
}

// add counts one query: rank is the 1-based rank of the right section, 0
// if it is not among the first ten; page tells whether the first hit is
// the right page.
func (m *metrics) add(rank int, page bool) {
	m.n++
	if page {
		m.page1++
	}
	if rank == 1 {
		m.at1++
	}
	if rank >= 1 && rank <= 3 {
		m.at3++
	}
	if rank > 0 {
		m.rr += 1 / float64(rank)
	}
}

func (m *metrics) recall1() float64     { return float64(m.at1) / float64(m.n) }
func (m *metrics) pageRecall1() float64 { return float64(m.page1) / float64(m.n) }
func (m *metrics) recall3() float64     { return float64(m.at3) / float64(m.n) }
func (m *metrics) mrr() float64         { return m.rr / float64(m.n) }

// rankOf returns the 1-based rank of the first hit that is an answer.
func rankOf(hits []string, answers map[string]bool) int {
	for i, h := range hits {
		if answers[h] {
			return i + 1
		}
	}
	return 0
}

// samePage reports whether hit (slug#anchor) is on the page of an answer.
func samePage(hit string, answers map[string]bool) bool {
	slug, _ := splitDocID(hit)
	for a := range answers {
		if s, _ := splitDocID(a); s == slug {
			return true
		}
	}
	return false
}

// TestRecall measures how often the right section of the handbook comes
// first, or among the first three, for testdata/recall.tsv, and compares
// with plain bleve (its default mapping, a match query) over the same
// section documents, grouped into pages the same way.
func TestRecall(t *testing.T) {
	e := mustOpenEnv(t)
	pages := e.mustLoadHandbook(t)
	e.catchUp(t)
	queries := loadRecallSet(t)

	// Every answer must be a section of the test pages.
	known := map[string]bool{}
	var docs []sectionDoc
	for _, p := range pages {
		for _, d := range e.ix.pageDocs(&wiki.Page{Slug: wiki.Slug(p.slug), Title: p.title, Markdown: p.markdown, Tags: p.tags}) {
			known[d.id] = true
			docs = append(docs, d)
		}
	}
	for _, q := range queries {
		for a := range q.answers {
			if !known[a] {
				t.Fatalf("recall.tsv: %q: answer %q is not a section of testdata/handbook", q.text, a)
			}
		}
	}

	plain, err := bleve.NewMemOnly(bleve.NewIndexMapping())
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	b := plain.NewBatch()
	for _, d := range docs {
		fields := map[string]any{}
		for _, f := range []string{fieldSlug, fieldTitle, fieldHeading, fieldText, fieldTags} {
			fields[f] = d.fields[f]
		}
		if err := b.Index(d.id, fields); err != nil {
			t.Fatal(err)
		}
	}
	if err := plain.Batch(b); err != nil {
		t.Fatal(err)
	}

	ours, base := map[string]*metrics{"all": {}}, map[string]*metrics{"all": {}}
	for _, q := range queries {
		res := e.search(t, wiki.SearchQuery{Text: q.text, Limit: 10})
		var got []string
		for _, h := range res.Hits {
			got = append(got, docID(h.Slug, h.Anchor))
		}
		rank := rankOf(got, q.answers)

		req := bleve.NewSearchRequestOptions(bleve.NewMatchQuery(q.text), 200, 0, false)
		pr, err := plain.SearchInContext(context.Background(), req)
		if err != nil {
			t.Fatalf("plain bleve %q: %v", q.text, err)
		}
		var plainGot []string
		seen := map[wiki.Slug]bool{}
		for _, h := range pr.Hits {
			if slug, _ := splitDocID(h.ID); !seen[slug] && len(plainGot) < 10 {
				seen[slug] = true
				plainGot = append(plainGot, h.ID)
			}
		}
		plainRank := rankOf(plainGot, q.answers)

		for _, k := range []string{"all", q.kind} {
			if ours[k] == nil {
				ours[k], base[k] = &metrics{}, &metrics{}
			}
			ours[k].add(rank, len(got) > 0 && samePage(got[0], q.answers))
			base[k].add(plainRank, len(plainGot) > 0 && samePage(plainGot[0], q.answers))
		}
		if testing.Verbose() && len(got) > 0 && !samePage(got[0], q.answers) {
			t.Logf("wrong page first for %q: %s (plain bleve: %v)", q.text, got[0], plainGot[:min(1, len(plainGot))])
		}
		if testing.Verbose() && rank != 1 {
			t.Logf("rank %d (plain %d) for %q (suggestion %q): got %v", rank, plainRank, q.text, res.Suggestion, got[:min(3, len(got))])
		}
	}
	for _, k := range []string{"all", "question", "paraphrase", "keyword", "typo"} {
		if ours[k] == nil {
			continue
		}
		o, p := ours[k], base[k]
		t.Logf("%-10s n=%2d  faqwiki: recall@1 %.3f recall@3 %.3f MRR %.3f (right page first %.3f) | plain bleve: recall@1 %.3f recall@3 %.3f MRR %.3f (right page first %.3f)",
			k, o.n, o.recall1(), o.recall3(), o.mrr(), o.pageRecall1(), p.recall1(), p.recall3(), p.mrr(), p.pageRecall1())
	}
	if r := ours["all"].recall3(); r < minRecallAt3 {
		t.Errorf("recall@3 = %.3f, want at least %.3f", r, minRecallAt3)
	}
}
