package search

import (
	"context"
	"fmt"
	"testing"

	"github.com/faqwiki/faqwiki/wiki"
)

func TestSynonymSet(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	a := m.AnalyzerNamed(textAnalyzer)
	s := newSynonymSet(&wiki.SynonymList{Revision: 3, Text: "pto, vacation, time off, annual leave\nthe, a\nwfh, work from home\n"}, a)
	if s.revision != 3 || len(s.groups) != 2 {
		t.Fatalf("groups = %+v, want 2 (the stop-word group dropped)", s.groups)
	}
	for _, term := range s.groups[0] {
		if term.text == "time off" && term.searchable {
			t.Error(`"time off" (one word once "off" is gone) can be searched for`)
		}
	}
	// "my pto balance": pto gets the group's other terms; a phrase in the
	// query puts them on its last word only.
	plan := func(words ...string) *queryPlan {
		p := &queryPlan{docs: 100}
		for _, w := range words {
			p.words = append(p.words, wordPlan{word: w, stems: analyze(a, w)})
		}
		return p
	}
	p := plan("pto", "balance")
	s.expand(p, []string{"pto", "balance"}, []string{"pto", "balance"}, func([]string) int { return 10 })
	if got := len(p.words[0].synonyms); got != 2 {
		t.Errorf("pto has %d synonyms (%+v), want 2: vacation, annual leave", got, p.words[0].synonyms)
	}
	if len(p.words[1].synonyms) != 0 {
		t.Errorf("balance got synonyms: %+v", p.words[1].synonyms)
	}
	p = plan("annual", "leave", "carry")
	s.expand(p, []string{"annual", "leave", "carry"}, []string{"annual", "leave", "carry"}, func([]string) int { return 10 })
	if len(p.words[0].synonyms) != 0 || len(p.words[1].synonyms) != 2 {
		t.Errorf("the phrase's synonyms: on annual %+v, on leave %+v; want them on its last word", p.words[0].synonyms, p.words[1].synonyms)
	}
	// A synonym rarer than the word typed weighs no more than the word.
	// "time off" leads to the others, though it is not searched for; its
	// alternatives go on "time", the phrase's last searched word.
	p = plan("time", "for", "jury")
	p.words = []wordPlan{p.words[0], p.words[2]} // "for" is a stop word
	s.expand(p, []string{"time", "off", "for", "jury"}, []string{"time", "off", "for", "jury"}, func([]string) int { return 10 })
	if len(p.words[0].synonyms) != 3 {
		t.Errorf(`"time off for jury": time has %+v, want pto, vacation, annual leave`, p.words[0].synonyms)
	}
	p = plan("time", "sheet")
	s.expand(p, []string{"time", "sheet"}, []string{"time", "sheet"}, func([]string) int { return 10 })
	if len(p.words[0].synonyms) != 0 {
		t.Errorf(`"time" alone led to the time-off group: %+v`, p.words[0].synonyms)
	}
	// A phrase of the list matches the query as corrected too: "anual
	// leave" (corrected to "annual") gets the phrase's synonyms.
	p = plan("anual", "leave")
	p.words[0].alt, p.words[0].altStems = "annual", analyze(a, "annual")
	s.expand(p, []string{"anual", "leave"}, []string{"annual", "leave"}, func([]string) int { return 10 })
	if len(p.words[1].synonyms) != 2 {
		t.Errorf(`"anual leave": leave has %+v, want pto and vacation`, p.words[1].synonyms)
	}
	p = plan("vacation")
	s.expand(p, []string{"vacation"}, []string{"vacation"}, func(stems []string) int {
		if stems[0] == "pto" {
			return 1
		}
		return 50
	})
	for _, syn := range p.words[0].synonyms {
		if syn.text == "pto" && syn.weight >= synonymBoost {
			t.Errorf("pto, rarer than vacation, weighs %v", syn.weight)
		}
	}
	// The other way round, a synonym the wiki says far more often than the
	// word typed is how the wiki names it, and weighs more than one the
	// wiki says as often; still less than the word itself.
	weights := func(pto int) map[string]float64 {
		p := plan("pto")
		s.expand(p, []string{"pto"}, []string{"pto"}, func(stems []string) int {
			if stems[0] == "pto" {
				return pto
			}
			return 50
		})
		out := map[string]float64{}
		for _, syn := range p.words[0].synonyms {
			out[syn.text] = syn.weight
		}
		return out
	}
	rare, even := weights(2)["vacation"], weights(50)["vacation"]
	if even != synonymBoost || rare <= even || rare >= 1 {
		t.Errorf("vacation for pto weighs %v when pto is in 2 documents, %v when both are in 50; want more than %v, and %v, and under 1", rare, even, even, synonymBoost)
	}
}

// A section counts a query word once, whichever of its synonyms it has: a
// page listing kinds of leave, each a synonym of "pto", does not outrank the
// page about requesting PTO, where the word itself is. Summed, the list's
// three synonyms scored the word three times (each alternative weighed n
// times, to undo bleve's coordination, and the list had three of n).
func TestSearch_AWordCountsOnceWhicheverSynonymMatches(t *testing.T) {
	ctx := context.Background()
	e := mustOpenEnv(t)
	if _, err := e.synonyms.AddGroup(ctx, []string{"pto", "vacation", "annual leave", "paid time off", "holiday leave"}, "test"); err != nil {
		t.Fatal(err)
	}
	e.ix.SynonymsChanged()
	e.save(t, "kinds-of-leave", "Kinds of leave", "## Reasons to take leave\n\n"+
		"Vacation, annual leave, holiday leave and paid time off are the ones most people use; "+
		"sick leave, court leave and military leave have rules of their own.\n")
	e.save(t, "requests", "Requests", "## Asking for PTO\n\n"+
		"Ask your supervisor for PTO in the time-off tool at least a week ahead.\n")
	for i := range 12 { // pages that make "pto" as common a word as the others
		e.save(t, fmt.Sprintf("filler-%d", i), fmt.Sprintf("Filler %d", i), "Some text about travel, offices and vacation rentals nearby.\n")
	}
	e.catchUp(t)
	res := e.search(t, wiki.SearchQuery{Text: "how do I request pto"})
	if len(res.Hits) == 0 || res.Hits[0].Slug != "requests" {
		var got []string
		for _, h := range res.Hits {
			got = append(got, fmt.Sprintf("%s (%.3f)", h.Slug, h.Score))
		}
		t.Fatalf("hits %v, want requests first", got)
	}
}
