package search

import (
	"context"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	index "github.com/blevesearch/bleve_index_api"
)

// Typos. Every word of a query is looked up in the index's dictionaries.
// A word that the wiki does not contain (not even its stem) is replaced by
// the closest word the wiki does contain: fewest edits (a swap of two
// neighbouring letters is one edit), then the most documents. A word the
// wiki contains only once or twice, next to a word one edit away that is
// far more common, is searched as both. Either way the result carries the
// corrected query as its suggestion. When a query still finds fewer than
// fewPages pages, Search runs it again with fuzzy matching of every word.

const (
	minFuzzyRunes  = 4   // shorter words are not fuzzed
	minFixRunes    = 5   // shorter words are not corrected: too many real words are one edit apart
	maxCandidates  = 500 // dictionary entries looked at per word
	rareDocs       = 2   // a word in at most this many documents may still be a typo
	commonerFactor = 25  // ... if a word one edit away is this much more common
)

func hasDigit(s string) bool { return strings.IndexFunc(s, unicode.IsDigit) >= 0 }

// correction returns a word of the wiki to search instead of w (when no
// document has w, known == 0) or besides it (when only a few do), at most
// fuzz edits away; see the top of this file.
func (d *dict) correction(w string, known, fuzz int) (string, bool) {
	if known > rareDocs {
		return "", false
	}
	maxDist := fuzz
	if known > 0 {
		maxDist = 1
	}
	c, ok := d.closest(w, fuzz, maxDist)
	if !ok || known > 0 && c.count < commonerFactor*max(1, d.count(fieldWords, w)) {
		return "", false
	}
	return c.term, true
}

// dict answers dictionary questions on one index snapshot.
type dict struct {
	ctx context.Context
	r   index.IndexReader
}

// docs returns the most documents that have any one of the terms.
func (d *dict) docs(terms []string) int {
	n := 0
	for _, t := range terms {
		n = max(n, d.count(fieldAll, t))
	}
	return n
}

// count returns the number of documents whose field has term (0 on error:
// a suggestion is a nicety).
func (d *dict) count(field, term string) int {
	tfr, err := d.r.TermFieldReader(d.ctx, []byte(term), field, false, false, false)
	if err != nil {
		return 0
	}
	defer tfr.Close()
	return int(tfr.Count())
}

type candidate struct {
	term  string
	dist  int
	count int
}

// closest returns the word of the wiki nearest to w, at most maxDist
// edits away (searching the dictionary with fuzziness fuzz).
func (d *dict) closest(w string, fuzz, maxDist int) (candidate, bool) {
	fr, ok := d.r.(index.IndexReaderFuzzy)
	if !ok {
		return candidate{}, false
	}
	fd, err := fr.FieldDictFuzzy(fieldWords, w, fuzz, "")
	if err != nil {
		return candidate{}, false
	}
	defer fd.Close()
	var cands []candidate
	best := maxDist
	for range maxCandidates {
		e, err := fd.Next()
		if err != nil || e == nil {
			break
		}
		if e.Term == w || utf8.RuneCountInString(e.Term) < minFuzzyRunes-1 || hasDigit(e.Term) {
			continue
		}
		dist := editDistance(w, e.Term)
		if dist > best {
			continue
		}
		best = dist
		cands = append(cands, candidate{term: e.Term, dist: dist})
	}
	cands = slices.DeleteFunc(cands, func(c candidate) bool { return c.dist > best })
	if len(cands) == 0 {
		return candidate{}, false
	}
	for i := range cands {
		cands[i].count = d.count(fieldWords, cands[i].term)
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		if a.count != b.count {
			return b.count - a.count
		}
		return strings.Compare(a.term, b.term)
	})
	return cands[0], cands[0].count > 0
}

// editDistance is the optimal string alignment distance between a and b
// in characters: insertions, deletions, substitutions and swaps of two
// neighbouring characters each count one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 0 || len(rb) == 0 {
		return max(len(ra), len(rb))
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
