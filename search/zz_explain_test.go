package search

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

func TestZZExplain(t *testing.T) {
	q := os.Getenv("ZZX")
	if q == "" {
		t.Skip()
	}
	e := mustOpenEvalEnv(t, evalCorpora[0])
	if _, err := e.synonyms.EnsureSynonyms(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.ix.SynonymsChanged()
	ix := e.ix
	idx, _ := ix.current()
	pq := parseQuery(q)
	plan, err := ix.plan(context.Background(), idx, pq.words, ix.synonyms.get(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range plan.words {
		fmt.Printf("word %q stems %v docs %d fuzz %d alt %q\n", w.word, w.stems, w.docs, w.fuzz, w.alt)
		for _, s := range w.synonyms {
			fmt.Printf("    syn %q stems %v weight %.3f\n", s.text, s.stems, s.weight)
		}
	}
	bq := plan.query(queryOptions{})
	req := bleve.NewSearchRequestOptions(bq, 5, 0, true)
	r, _ := idx.Search(req)
	show := func(id string, score float64, expl string) {
		fmt.Printf("== %s %.4f\n", id, score)
		if os.Getenv("ZZV") != "" {
			fmt.Println(expl)
		}
	}
	for _, h := range r.Hits {
		show(h.ID, h.Score, h.Expl.String())
	}
	for _, id := range strings.Fields(os.Getenv("ZZW")) {
		dq := query.NewDocIDQuery([]string{id})
		r2, _ := idx.Search(bleve.NewSearchRequestOptions(query.NewConjunctionQuery([]query.Query{bq, dq}), 1, 0, true))
		for _, h := range r2.Hits {
			show(h.ID, h.Score, h.Expl.String())
		}
	}
}
