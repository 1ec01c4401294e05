package search

import (
	"context"
	"fmt"
	"iter"
	"slices"
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
// character that is not part of a word (letters, digits, marks, an
// apostrophe inside a word and the hyphens of a compound) only separates
// words.
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
	for w := range splitQueryWords(strings.ToLower(text)) {
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
	parts    []string // for a compound ("stand-up"), the analysis of its parts
	phrase   string   // and their text ("stand up")
	alt      string   // a correction, or ""
	altStems []string
	replace  bool          // the word is not in the wiki: search only the correction
	fuzz     int           // edits allowed when fuzzy matching; 0: none
	docs     int           // documents that have the word (the most of its fields)
	synonyms []synonymTerm // other ways to say it, from the synonym list
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
func (ix *Index) plan(ctx context.Context, idx bleve.Index, words []string, syn *synonymSet) (*queryPlan, error) {
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
		wp := wordPlan{word: w}
		wp.stems, wp.parts, wp.phrase = compoundStems(analyzer, w)
		if len(wp.stems) == 0 {
			continue // a stop word
		}
		n := utf8.RuneCountInString(w)
		if isCompound(w) {
			n = 0 // its parts are its other spelling; the words field has no hyphens
		}
		// A real English word is never a typo: the wiki may just not have
		// it, and "correcting" it to a near word it has ("dental" to
		// "detail") finds the wrong answer and suggests nonsense.
		if n >= minFuzzyRunes && !hasDigit(w) && !isEnglish(w) {
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
	syn.expand(p, words, suggested, func(stems []string) int {
		// A phrase is in at most as many documents as its rarest word.
		n := -1
		for _, s := range stems {
			if c := d.count(fieldAll, s); n < 0 || c < n {
				n = c
			}
		}
		return max(n, 0)
	})
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
	main := p.wordsQuery(fieldAll, 1, opts.fuzzy, true)
	if main == nil {
		return query.NewMatchNoneQuery()
	}
	var bonus []query.Query
	for _, f := range bonusFields {
		if f.boost > 0 {
			if q := p.wordsQuery(f.field, f.boost, false, false); q != nil {
				bonus = append(bonus, q)
			}
		}
	}
	if len(bonus) == 0 {
		return main
	}
	// Built by hand rather than with NewBooleanQuery, which wraps the one
	// must clause in a conjunction and the should clauses in one more
	// disjunction: each wrapper is a searcher that every matching section
	// passes through, for the same score (a conjunction of one sums one
	// score, a disjunction of one scales it by 1/1).
	should := disjunction(bonus)
	if d, ok := should.(*query.DisjunctionQuery); ok {
		d.SetMin(0)
	}
	return &query.BooleanQuery{Must: main, Should: should}
}

// wordsQuery is the disjunction of the words in field, with boost; nil if
// no word can match there. phrases says whether field keeps positions, so
// that a phrase synonym can match as a phrase (elsewhere it is left out).
func (p *queryPlan) wordsQuery(field string, boost float64, fuzzy, phrases bool) query.Query {
	var words []query.Query
	for _, w := range p.words {
		if q := w.query(field, boost, fuzzy, phrases); q != nil {
			words = append(words, q)
		}
	}
	if len(words) == 0 {
		return nil
	}
	return disjunction(words)
}

// alternative is one way a query word may match: its stems (several for
// a phrase) and weight.
type alternative struct {
	stems  []string
	text   string // for a phrase: the text, as the match-phrase query analyses it
	weight float64
	fuzzy  bool // a fuzzy match of the typed word in the words field
}

// alternatives lists how w may match: as typed, its correction, a
// compound's parts, near spellings (if fuzzy) and its synonyms. A
// compound's parts are a phrase where phrases can match, and any of them
// elsewhere.
func (w *wordPlan) alternatives(fuzzy, phrases bool) []alternative {
	var alts []alternative
	if !w.replace && len(w.stems) > 0 {
		alts = append(alts, alternative{stems: w.stems, weight: 1})
	}
	if w.alt != "" && len(w.altStems) > 0 {
		weight := correctionBoost
		if w.replace {
			weight = 1
		}
		alts = append(alts, alternative{stems: w.altStems, weight: weight})
	}
	if len(w.parts) > 0 {
		a := alternative{stems: w.parts, weight: 1}
		if phrases && len(w.parts) > 1 {
			a.text = w.phrase
		}
		alts = append(alts, a)
	}
	if fuzzy && w.fuzz > 0 {
		alts = append(alts, alternative{weight: fuzzyBoost, fuzzy: true})
	}
	for _, syn := range w.synonyms {
		if len(syn.stems) > 1 && !phrases {
			continue
		}
		alts = append(alts, alternative{stems: syn.stems, text: syn.text, weight: syn.weight})
	}
	return alts
}

// query matches w in field: the disjunction of its alternatives, in the
// order alternatives gives them (the word as typed, its correction, near
// spellings, synonyms). A section counts the word once, through the first
// alternative it has: each clause leaves out the sections that have an
// earlier one. (Summed, a section listing several of a word's synonyms,
// "vacation, annual leave, sick leave, ...", had the word's weight once for
// each and outranked the section that says the word.) bleve scales a
// disjunction's score by the share of its clauses that matched, here one
// of n; each alternative's weight is multiplied by n to undo that.
func (w *wordPlan) query(field string, boost float64, fuzzy, phrases bool) query.Query {
	alts := w.alternatives(fuzzy, phrases)
	n := float64(len(alts))
	var qs []query.Query
	for _, a := range alts {
		b := boost * a.weight * n
		switch {
		case a.fuzzy:
			f := query.NewFuzzyQuery(w.word)
			f.SetField(fieldWords)
			f.SetFuzziness(w.fuzz)
			f.SetPrefix(w.fuzzPrefix())
			f.SetBoost(b)
			qs = append(qs, f)
		case len(a.stems) > 1 && a.text != "":
			m := query.NewMatchPhraseQuery(a.text)
			m.SetField(field)
			m.SetBoost(b)
			qs = append(qs, m)
		default:
			qs = append(qs, stemsQuery(a.stems, b, []fieldBoost{{field, 1}}))
		}
	}
	if len(qs) == 0 {
		return nil
	}
	for i := len(qs) - 1; i > 0; i-- {
		qs[i] = &query.BooleanQuery{Must: qs[i], MustNot: disjunction(slices.Clone(qs[:i]))}
	}
	return disjunction(qs)
}

// fieldBoost is a field and its weight.
type fieldBoost struct {
	field string
	boost float64
}

// bonusFields are the fields whose matches add to a section's score on
// top of fieldAll's (see query).
var bonusFields = []fieldBoost{{fieldHeading, headingBonus}}

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
