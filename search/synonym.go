package search

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/faqwiki/faqwiki/wiki"
)

// Synonyms are applied when a query is planned, from the synonym list the
// trainers keep in the store (wiki.Synonyms), so a change needs no
// reindexing: a query word, or a run of query words, that is a term of a
// group also searches the group's other terms, single words as terms and
// phrases as phrases, a little lighter than the words typed.

// SynonymSource gives the newest synonym list; *wiki.Synonyms is one.
type SynonymSource interface {
	Current(ctx context.Context) (*wiki.SynonymList, error)
}

// Synonym expansion's bounds and weight.
const (
	synonymBoost       = 0.5             // weight of a synonym next to the word typed
	synonymRaise       = 0.25            // at most this much more for a synonym the wiki says far more often (see expand)
	maxSynonymsPerWord = 12              // alternatives a query word gets from the list at most
	synonymRecheck     = 2 * time.Second // how often a search checks for a newer list
)

// synonymTerm is a term of a group as the English analyzer reads it.
type synonymTerm struct {
	text   string   // as the list has it, lower-cased
	words  []string // its words as a query's are split (stop words kept)
	stems  []string // its analysis; a phrase has several
	weight float64  // as a query word's alternative: see expand
	// searchable: the term can be searched for. A phrase that analysis
	// cuts down to one word ("time off" is "time" once "off", a stop
	// word, is gone) cannot: it would stand for every text with that one
	// common word. It still leads a query that says it to the others.
	searchable bool
}

// synonymSet is a synonym list ready for expanding queries.
type synonymSet struct {
	revision int
	groups   [][]synonymTerm
	byStem   map[string][]termRef // one-word terms by their stem
	byWord   map[string][]termRef // phrases by their first word
}

type termRef struct{ group, term int }

// newSynonymSet analyses the groups of l. Terms that analyse to nothing
// (stop words only) are left out, and groups with fewer than two terms
// left.
func newSynonymSet(l *wiki.SynonymList, a analysis.Analyzer) *synonymSet {
	s := &synonymSet{revision: l.Revision, byStem: map[string][]termRef{}, byWord: map[string][]termRef{}}
	for _, g := range l.Groups() {
		var terms []synonymTerm
		for _, t := range g {
			words := parseQuery(t).words
			stems := analyze(a, t)
			if len(words) == 1 {
				stems, _, _ = compoundStems(a, words[0])
			}
			if len(stems) == 0 {
				continue
			}
			terms = append(terms, synonymTerm{text: t, words: words, stems: stems, searchable: len(words) == 1 || len(stems) > 1})
		}
		if len(terms) < 2 {
			continue
		}
		gi := len(s.groups)
		s.groups = append(s.groups, terms)
		for ti, t := range terms {
			if len(t.words) == 1 {
				s.byStem[t.stems[0]] = append(s.byStem[t.stems[0]], termRef{gi, ti})
			} else {
				s.byWord[t.words[0]] = append(s.byWord[t.words[0]], termRef{gi, ti})
			}
		}
	}
	return s
}

// expand gives the words of p the other terms of every group whose term
// the query says: one word (matched by its stem, so "laptops" is
// "laptop"), or a phrase (matched word for word in raw, the query's words
// as typed, stop words included, or in fixed, the same with the
// corrections the plan made: "expnese report" says "expense report"),
// whose last word then carries the
// alternatives, so that a section with the synonym counts as having one of
// the query's words, not each word of the phrase. A synonym rarer than the
// word typed would outweigh it (tf-idf favours rare terms), so its weight
// is cut to match the word's: docs counts documents for that. A synonym
// the wiki says more often than the word typed is how the wiki names the
// thing ("annual leave" in a handbook that hardly says "pto"), so its
// weight rises, by up to synonymRaise as the typed word grows rarer next
// to it. (Measured on testdata/eval's tune splits: every set's r@1 and r@3
// up by 2 and 1 questions in 386, the set asked cold by 1 in 75; a full
// raise, to the typed word's weight, cost recall@3.)
func (s *synonymSet) expand(p *queryPlan, raw, fixed []string, docs func(stems []string) int) {
	if s == nil || len(s.groups) == 0 || p.stopOnly {
		return
	}
	planWord := map[string]int{} // a query word -> its index in p.words
	for i, w := range p.words {
		planWord[w.word] = i
		if w.alt != "" {
			planWord[w.alt] = i
		}
	}
	idf := func(df int) float64 { return 1 + math.Log(float64(max(p.docs, 1))/float64(df+1)) }
	add := func(w *wordPlan, ref termRef) {
		typedDocs := docs(s.groups[ref.group][ref.term].stems)
		typed := idf(typedDocs)
		for ti, other := range s.groups[ref.group] {
			if ti == ref.term || !other.searchable || len(w.synonyms) >= maxSynonymsPerWord || w.hasSynonym(other.text) {
				continue
			}
			otherDocs := docs(other.stems)
			other.weight = synonymBoost * min(1, typed/idf(otherDocs))
			if otherDocs > typedDocs {
				other.weight += synonymRaise * (1 - float64(typedDocs)/float64(otherDocs))
			}
			w.synonyms = append(w.synonyms, other)
		}
	}
	for i := range p.words {
		w := &p.words[i]
		stems := w.stems
		if w.replace {
			stems = w.altStems
		}
		if len(stems) != 1 {
			continue
		}
		for _, ref := range s.byStem[stems[0]] {
			add(w, ref)
		}
	}
	for _, raw := range [][]string{raw, fixed} {
		for i := range raw {
			for _, ref := range s.byWord[raw[i]] {
				term := s.groups[ref.group][ref.term]
				if i+len(term.words) > len(raw) || !slices.Equal(raw[i:i+len(term.words)], term.words) {
					continue
				}
				// The alternatives go on the phrase's last word that the
				// plan searches (stop words are not searched).
				for k := i + len(term.words) - 1; k >= i; k-- {
					if j, ok := planWord[raw[k]]; ok {
						add(&p.words[j], ref)
						break
					}
				}
			}
		}
	}
}

// synonymCache holds the newest synonym set, checking the source for a
// newer list at most every synonymRecheck (so that every web node of a
// wiki picks up a change within seconds), or at once after Stale.
type synonymCache struct {
	src      SynonymSource
	analyzer analysis.Analyzer

	mu      sync.Mutex
	set     *synonymSet
	checked time.Time
	stale   bool
}

// get returns the synonym set to search with (nil when there is none).
// A source that fails keeps the last set: synonyms are a help, never a
// reason for a search to fail.
func (c *synonymCache) get(ctx context.Context) *synonymSet {
	if c == nil || c.src == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.stale && time.Since(c.checked) < synonymRecheck {
		return c.set
	}
	l, err := c.src.Current(ctx)
	if err != nil {
		return c.set
	}
	c.checked, c.stale = time.Now(), false
	if c.set == nil || c.set.revision != l.Revision {
		c.set = newSynonymSet(l, c.analyzer)
	}
	return c.set
}

// markStale makes the next search read the list again.
func (c *synonymCache) markStale() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.stale = true
	c.mu.Unlock()
}

// SynonymsChanged tells the index that the synonym list changed, so the
// next search uses the new one at once. (Without it, searches notice a
// change within synonymRecheck.)
func (ix *Index) SynonymsChanged() { ix.synonyms.markStale() }

// hasSynonym reports whether w already has t as an alternative, or is t.
func (w *wordPlan) hasSynonym(t string) bool {
	if t == w.word || t == w.alt {
		return true
	}
	for _, s := range w.synonyms {
		if s.text == t {
			return true
		}
	}
	return false
}
