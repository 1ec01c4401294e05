package search

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/faqwiki/faqwiki/wiki"
)

// From the text people type to a bleve query. The text is never parsed as
// a query language: parseQuery takes words out of it, plan looks them up
// in the index (stop words, typos, how common they are), and
// queryPlan.query builds the query from term queries only.

// parsedQuery is the user's text reduced to what the search uses.
type parsedQuery struct {
	text  string   // cleaned text: no control characters, white space folded, cut to MaxQueryBytes
	words []string // distinct lower-cased words, at most MaxQueryTerms
}

// parseQuery turns any text into words. Nothing in it is syntax: every
// character that is not part of a word (letters, digits, marks and an
// apostrophe inside a word) only separates words.
func parseQuery(raw string) parsedQuery {
	raw = cutUTF8(raw, maxRawQueryBytes)
	raw = strings.ToValidUTF8(raw, " ")
	raw = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, raw)
	text := cutUTF8(strings.Join(strings.Fields(raw), " "), wiki.MaxQueryBytes)
	text = strings.TrimSpace(text)

	var words []string
	seen := map[string]bool{}
	for w := range splitWords(strings.ToLower(text)) {
		w = cutUTF8(w, maxWordBytes)
		if seen[w] {
			continue
		}
		seen[w] = true
		words = append(words, w)
		if len(words) == wiki.MaxQueryTerms {
			break
		}
	}
	return parsedQuery{text: text, words: words}
}

// splitWords yields the words of s: runs of letters, digits and marks,
// with apostrophes inside a word kept ("don't") and curly ones made
// straight. Every other character separates words. Queries and the words
// field of the index are split the same way.
func splitWords(s string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, f := range strings.FieldsFunc(s, func(r rune) bool {
			return !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '\'' || r == '’')
		}) {
			w := strings.Trim(strings.ReplaceAll(f, "’", "'"), "'")
			if w != "" && !yield(w) {
				return
			}
		}
	}
}

// wordPlan is how one query word is searched.
type wordPlan struct {
	word     string   // as typed, lower-cased
	stems    []string // its English analysis; empty for a stop word
	alt      string   // a correction, or ""
	altStems []string
	replace  bool // the word is not in the wiki: search only the correction
	fuzz     int  // edits allowed when fuzzy matching; 0: none
	docs     int  // documents that have the word (the most of its fields)
}

// queryPlan is a parsed query checked against the index's dictionaries.
type queryPlan struct {
	words      []wordPlan // the words that take part (stop words do not, unless there is nothing else)
	suggestion string
	fuzzy      bool // the results came from the fuzzy query
	stopOnly   bool // every word is a stop word: match them unstemmed
	docs       int  // documents in the index
	pages      int  // pages in the index
}

// plan checks the query's words against the index and decides how to
// search each one.
func (ix *Index) plan(ctx context.Context, idx bleve.Index, words []string) (*queryPlan, error) {
	adv, err := idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer r.Close()
	d := &dict{ctx: ctx, r: r}
	analyzer := ix.mapped.AnalyzerNamed(textAnalyzer)

	p := &queryPlan{pages: d.count(fieldFirst, "1")}
	if n, err := r.DocCount(); err == nil {
		p.docs = int(n)
	}
	suggested := make([]string, len(words))
	corrected := false
	for i, w := range words {
		suggested[i] = w
		wp := wordPlan{word: w, stems: analyze(analyzer, w)}
		if len(wp.stems) == 0 {
			continue // a stop word
		}
		n := utf8.RuneCountInString(w)
		if n >= minFuzzyRunes && !hasDigit(w) {
			wp.fuzz = 1
			if n > 5 {
				wp.fuzz = 2
			}
		}
		wp.docs = d.docs(wp.stems)
		if wp.fuzz > 0 && n >= minFixRunes {
			if c, ok := d.correction(w, wp.docs, wp.fuzz); ok {
				wp.alt, wp.altStems, wp.replace = c, analyze(analyzer, c), wp.docs == 0
				wp.docs = max(wp.docs, d.docs(wp.altStems))
				suggested[i] = c
				corrected = true
			}
		}
		p.words = append(p.words, wp)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if corrected {
		p.suggestion = strings.Join(suggested, " ")
	}
	if len(p.words) == 0 {
		p.stopOnly = true
		for _, w := range words {
			p.words = append(p.words, wordPlan{word: w})
		}
	}
	return p, nil
}

// coveredBy reports whether every word of the query (or its correction)
// is among terms.
func (p *queryPlan) coveredBy(terms map[string]bool) bool {
	if p.stopOnly || len(p.words) == 0 {
		return false
	}
	in := func(stems []string) bool {
		for _, s := range stems {
			if terms[s] {
				return true
			}
		}
		return false
	}
	for _, w := range p.words {
		if !(!w.replace && in(w.stems) || in(w.altStems)) {
			return false
		}
	}
	return true
}

// stems returns the set of English terms of s.
func (ix *Index) stems(s string) map[string]bool {
	out := map[string]bool{}
	for _, t := range analyze(ix.mapped.AnalyzerNamed(textAnalyzer), s) {
		out[t] = true
	}
	return out
}

// fuzzPrefix is how many leading characters a fuzzy match must share with
// the word. Short words keep their first letter: one edit from a four-letter
// word reaches too many unrelated words ("bike" -> "like", but "desj" ->
// "desk" is the typo people make).
func (w wordPlan) fuzzPrefix() int {
	if utf8.RuneCountInString(w.word) < minFixRunes {
		return 1
	}
	return 0
}

// canFuzz reports whether fuzzy matching could find more.
func (p *queryPlan) canFuzz() bool {
	for _, w := range p.words {
		if w.fuzz > 0 {
			return true
		}
	}
	return false
}

// queryOptions say how queryPlan.query matches the words.
type queryOptions struct {
	// fuzzy also matches near spellings of every word long enough to
	// have them (see wordPlan.fuzz), at a lower weight.
	fuzzy bool
}

// query builds the bleve query. A question's words are alternatives that
// add up, not requirements: each word matches in the section's text
// (title, heading and answer together, fieldAll), or its correction does,
// or with opts.fuzzy a near spelling, and a section that has more of the
// words scores higher, since bleve's disjunction multiplies the sum of the
// matching clauses' scores by the share of clauses that matched. Words in
// the section's heading (the question) and the page's title add a bonus
// on top, in clauses of their own, so that missing them costs a section
// nothing it would have had for its text.
func (p *queryPlan) query(opts queryOptions) query.Query {
	if p.stopOnly {
		var words []query.Query
		for _, w := range p.words {
			words = append(words, termQuery(fieldWords, w.word))
		}
		return disjunction(words)
	}
	main := p.wordsQuery(fieldAll, 1, opts.fuzzy)
	if main == nil {
		return query.NewMatchNoneQuery()
	}
	var bonus []query.Query
	for _, f := range bonusFields {
		if f.boost > 0 {
			if q := p.wordsQuery(f.field, f.boost, false); q != nil {
				bonus = append(bonus, q)
			}
		}
	}
	if len(bonus) == 0 {
		return main
	}
	b := query.NewBooleanQuery([]query.Query{main}, bonus, nil)
	b.SetMinShould(0)
	return b
}

// wordsQuery is the disjunction of the words in field, with boost; nil if
// no word can match there.
func (p *queryPlan) wordsQuery(field string, boost float64, fuzzy bool) query.Query {
	// Boosts are set on the term queries: bleve ignores the boost of a
	// disjunction.
	fields := []fieldBoost{{field, boost}}
	var words []query.Query
	for _, w := range p.words {
		alts := []query.Query{}
		if q := w.fieldsQuery(fields); q != nil {
			alts = append(alts, q)
		}
		if fuzzy && w.fuzz > 0 {
			f := query.NewFuzzyQuery(w.word)
			f.SetField(fieldWords)
			f.SetFuzziness(w.fuzz)
			f.SetPrefix(w.fuzzPrefix())
			f.SetBoost(fuzzyBoost)
			alts = append(alts, f)
		}
		if len(alts) > 0 {
			words = append(words, disjunction(alts))
		}
	}
	if len(words) == 0 {
		return nil
	}
	return disjunction(words)
}

// fieldBoost is a field and its weight.
type fieldBoost struct {
	field string
	boost float64
}

// bonusFields are the fields whose matches add to a section's score on
// top of fieldAll's (see query).
var bonusFields = []fieldBoost{{fieldHeading, headingBonus}}

// fieldsQuery matches the word (unless it is replaced by its correction)
// and its correction in fields; nil if there is nothing to match.
func (w wordPlan) fieldsQuery(fields []fieldBoost) query.Query {
	var alts []query.Query
	if !w.replace && len(w.stems) > 0 {
		alts = append(alts, stemsQuery(w.stems, 1, fields))
	}
	if w.alt != "" && len(w.altStems) > 0 {
		boost := correctionBoost
		if w.replace {
			boost = 1
		}
		alts = append(alts, stemsQuery(w.altStems, boost, fields))
	}
	if len(alts) == 0 {
		return nil
	}
	return disjunction(alts)
}

// stemsQuery matches analysed terms in fields, each field's weight times
// boost (on the term queries: bleve ignores a disjunction's boost).
func stemsQuery(stems []string, boost float64, fields []fieldBoost) query.Query {
	var qs []query.Query
	for _, s := range stems {
		var fqs []query.Query
		for _, f := range fields {
			t := termQuery(f.field, s)
			t.SetBoost(f.boost * boost)
			fqs = append(fqs, t)
		}
		qs = append(qs, disjunction(fqs))
	}
	return disjunction(qs)
}

func disjunction(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewDisjunctionQuery(qs)
}

func termQuery(field, term string) *query.TermQuery {
	q := query.NewTermQuery(term)
	q.SetField(field)
	return q
}

// analyze returns the terms an analyzer makes of s.
func analyze(a analysis.Analyzer, s string) []string {
	var out []string
	for _, t := range a.Analyze([]byte(s)) {
		out = append(out, string(t.Term))
	}
	return out
}
