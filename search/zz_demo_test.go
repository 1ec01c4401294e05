package search

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/faqwiki/faqwiki/wiki"
)

func TestZZDemo(t *testing.T) {
	f := os.Getenv("ZZQ")
	if f == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(f)
	e := mustOpenEvalEnv(t, evalCorpora[0])
	if _, err := e.synonyms.EnsureSynonyms(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.ix.SynonymsChanged()
	for _, q := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		res := e.search(t, wiki.SearchQuery{Text: q, Limit: 3})
		fmt.Printf("Q %s  weak=%v\n", q, res.Weak)
		for _, h := range res.Hits {
			fmt.Printf("   %-50s %s › %s\n", string(h.Slug)+"#"+h.Anchor, h.Title, h.Heading)
		}
	}
}
