package search

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// What ranking adds to bleve's scores: the evidence learned from use, the
// cut between results and pages that merely share a word, the judgement
// that the best hit is too weak to be an answer, and a page's other strong
// sections.

// Learner gives what search learned from use; *Log is one.
type Learner interface {
	// Learned returns, for each section (docID) that people opened from
	// queries with some of stems, the evidence.
	Learned(stems []string) map[string]Evidence
}

// Evidence is what search learned of a section for some query's words.
type Evidence struct {
	People float64 // distinct people per word, faded with age, summed over the words
	Stems  int     // how many of the words it has evidence for
}

const (
	// learnWeight and learnPeople turn a section's evidence e (people per
	// query word) into a bonus of learnWeight * e²/(e²+learnPeople²) times
	// the best score of the search: one person adds a fifth of it (a nudge
	// that one person's clicks cannot turn into a win), two half, three
	// people who asked the same and opened the same answer make it win.
	learnWeight = 1.5
	learnPeople = 2.0
	// learnCoverage is the share of a query's words a section needs
	// evidence for before its evidence counts.
	learnCoverage = 0.75
	// relevantShare: pages scoring less than this share of the best page
	// are not results (see grouped.cut).
	relevantShare = 0.2
	// weakCoverage: when the best section has less than this share of the
	// query's weight (rare words weigh more), the search found nothing
	// useful (see weak).
	weakCoverage = 0.45
	// sectionShare: a page's other sections scoring at least this share
	// of its best are listed with the hit, at most maxHitSections.
	sectionShare   = 0.6
	maxHitSections = 3
)

// learnStems are the stems whose evidence counts for plan: the words as
// typed, or their corrections.
func (p *queryPlan) learnStems() []string {
	var out []string
	for _, w := range p.words {
		stems := w.stems
		if w.replace {
			stems = w.altStems
		}
		out = append(out, stems...)
	}
	return out
}

// learned returns the evidence for plan's words as a strength per
// section: its people per query word, for sections with evidence for at
// least learnCoverage of the words (evidence for one word of a long
// question says little about the question); nil when there is none or no
// learner.
func (ix *Index) learned(plan *queryPlan) map[string]float64 {
	if ix.learner == nil || plan.stopOnly {
		return nil
	}
	stems := plan.learnStems()
	if len(stems) == 0 {
		return nil
	}
	out := map[string]float64{}
	for id, e := range ix.learner.Learned(stems) {
		if float64(e.Stems) >= learnCoverage*float64(len(stems)) {
			out[id] = e.People / float64(len(stems))
		}
	}
	return out
}

// addLearned adds each section's learned bonus to its score, fetching the
// sections with evidence that the words alone did not find (tag permitting),
// and sorts the hits again. It returns the hits, the ids of those it
// fetched and the bonus each section got.
func (ix *Index) addLearned(ctx context.Context, idx bleve.Index, hits []*search.DocumentMatch, learned map[string]float64, tag string) ([]*search.DocumentMatch, map[string]bool, map[string]float64, error) {
	top := 0.0
	seen := map[string]bool{}
	for _, h := range hits {
		top = math.Max(top, h.Score)
		seen[h.ID] = true
	}
	var missing []string
	for id := range learned {
		if !seen[id] {
			missing = append(missing, id)
		}
	}
	var fetched map[string]bool
	if len(missing) > 0 {
		slices.Sort(missing)
		req := bleve.NewSearchRequestOptions(withTag(query.NewDocIDQuery(missing), tag), len(missing), 0, false)
		req.Score = "none"
		r, err := idx.SearchInContext(ctx, req)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("search: learned sections: %w", err)
		}
		fetched = make(map[string]bool, len(r.Hits))
		for _, h := range r.Hits {
			h.Score = 0
			hits = append(hits, h)
			fetched[h.ID] = true
		}
	}
	if top == 0 {
		top = 1 // nothing matched the words: the evidence alone ranks
	}
	bonus := make(map[string]float64, len(learned))
	for _, h := range hits {
		if e := learned[h.ID]; e > 0 {
			bonus[h.ID] = top * learnWeight * e * e / (e*e + learnPeople*learnPeople)
			h.Score += bonus[h.ID]
		}
	}
	slices.SortStableFunc(hits, func(a, b *search.DocumentMatch) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	return hits, fetched, bonus, nil
}

// weak reports whether best, the first hit, is too weak to be an answer:
// its section holds less than weakCoverage of the query's weight, each
// word weighing its idf (so "laptop" in "how do I get a laptop" weighs
// far more than "get"), where a word counts as held if the section has it,
// its correction, a one-word synonym, or evidence learned for it.
func (ix *Index) weak(idx bleve.Index, plan *queryPlan, best *search.DocumentMatch, learned map[string]float64, docs *docMemo) bool {
	if plan.stopOnly || len(plan.words) == 0 {
		return false
	}
	if learned[best.ID] > 0 {
		return false
	}
	d, err := docs.load(idx, best.ID)
	if err != nil || d == nil {
		return false
	}
	has := ix.stems(d.title + "\n" + d.heading + "\n" + d.text + "\n")
	total, held := 0.0, 0.0
	for _, w := range plan.words {
		idf := 1 + math.Log(float64(max(plan.docs, 1))/float64(w.docs+1))
		total += idf
		if w.heldBy(has) {
			held += idf
		}
	}
	return total > 0 && held/total < weakCoverage
}

// heldBy reports whether a section whose stems are has contains w, its
// correction, a compound's parts or one of its synonyms.
func (w *wordPlan) heldBy(has map[string]bool) bool {
	all := func(stems []string) bool {
		for _, s := range stems {
			if !has[s] {
				return false
			}
		}
		return len(stems) > 0
	}
	if !w.replace && all(w.stems) || all(w.altStems) || all(w.parts) {
		return true
	}
	for _, s := range w.synonyms {
		if all(s.stems) {
			return true
		}
	}
	return false
}
