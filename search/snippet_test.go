package search

import (
	"context"
	"slices"
	"testing"

	"github.com/faqwiki/faqwiki/wiki"
)

// The words a snippet marks are the same whether every token goes
// through the English analysis or only those that can match (see
// analyzeFor): on every section of the handbook, for its eval questions,
// and on text with capitals, accents, possessives, digits and quotes.
func TestSnippet_OnlyTermsMatchesFullAnalysis(t *testing.T) {
	if testing.Short() {
		t.Skip("analyses the whole handbook")
	}
	e := mustOpenEvalEnv(t, evalCorpora[0])
	if _, err := e.synonyms.EnsureSynonyms(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.ix.SynonymsChanged()
	var texts []string
	for _, p := range e.pages {
		for _, d := range e.ix.pageDocs(&wiki.Page{Slug: wiki.Slug(p.slug), Title: p.title, Markdown: p.markdown, Tags: p.tags}) {
			if s, _ := d.fields[fieldText].(string); s != "" {
				texts = append(texts, s)
			}
		}
	}
	texts = append(texts,
		"ÜBER Über über café's Café CAFÉ's naïve Naïve's 'Quoted' \"Laptops\" LAPTOP's 1099s 401(k) W-2 Ḱnot",
		"Don't DON'T won’t I'm Employees' employee's EMPLOYEES KELVIN \u212Aelvin İstanbul ß Straße")
	queries := []string{"über cafe laptop", "employee's laptops", "don't quoted", "1099 401k", "kelvin istanbul strasse", "naive cafés"}
	for _, q := range loadEvalSet(t, evalCorpora[0].sets[0].file) {
		queries = append(queries, q.text)
	}
	idx, err := e.ix.current()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for qi, q := range queries {
		pq := parseQuery(q)
		if len(pq.words) == 0 {
			continue
		}
		plan, err := e.ix.plan(context.Background(), idx, pq.words, e.ix.synonyms.get(context.Background()))
		if err != nil {
			t.Fatal(err)
		}
		plan.fuzzy = false
		for ti, src := range texts {
			if qi >= 6 && ti%7 != qi%7 && ti < len(texts)-2 {
				continue // a seventh of the handbook for each eval question
			}
			got, want := e.ix.matches(src, plan), e.ix.matchesIn(src, plan, true)
			if !slices.Equal(got, want) {
				t.Fatalf("query %q on %q:\n got %v\nwant %v", q, src[:min(len(src), 80)], got, want)
			}
			checked++
		}
	}
	if checked < 1000 {
		t.Errorf("only %d texts checked", checked)
	}
	// And the tricky texts do have matches, so the test can fail.
	plan, err := e.ix.plan(context.Background(), idx, parseQuery("über cafe employee laptop").words, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.ix.matches(texts[len(texts)-2], plan)); n < 5 {
		t.Errorf("%d matches in the text with capitals and accents, want at least 5", n)
	}
}

func BenchmarkSnippet(b *testing.B) {
	e := mustOpenEvalEnv(b, evalCorpora[0])
	var texts []string
	for _, p := range e.pages[:40] {
		for _, d := range e.ix.pageDocs(&wiki.Page{Slug: wiki.Slug(p.slug), Title: p.title, Markdown: p.markdown, Tags: p.tags}) {
			if s, _ := d.fields[fieldText].(string); s != "" {
				texts = append(texts, s)
			}
		}
	}
	idx, err := e.ix.current()
	if err != nil {
		b.Fatal(err)
	}
	plan, err := e.ix.plan(context.Background(), idx, parseQuery("how do I get a laptop for work").words, nil)
	if err != nil {
		b.Fatal(err)
	}
	// full: every token through the English analysis, as before
	// analyzeFor; terms: only those that can match.
	for _, full := range []bool{true, false} {
		name := "terms"
		if full {
			name = "full"
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				e.ix.matchesIn(texts[i%len(texts)], plan, full)
			}
		})
	}
}
