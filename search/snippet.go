package search

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// Snippets. A snippet is built here, not by bleve's highlighter: the
// section's stored text is analysed again with the same English analyzer,
// the tokens whose terms the query matched are wrapped in <mark>, and
// every other byte goes through html.EscapeString. So a snippet holds no
// markup but <mark> whatever the page says (wiki.IsSafeSnippet checks
// exactly that), and no term vectors need to be stored in the index.

const (
	snippetBytes  = 220 // about how long a snippet is, before escaping
	snippetBefore = 50  // context kept before the first match
)

// match is a matched word's byte range in the text.
type match struct {
	start, end int
	term       string
}

// snippet returns the best excerpt of text for plan (nil: the beginning,
// with no marks) as safe HTML.
func (ix *Index) snippet(text string, plan *queryPlan) string {
	if text == "" {
		return ""
	}
	src := cutUTF8(text, snippetSource)
	var matches []match
	if plan != nil {
		matches = ix.matches(src, plan)
	}
	start, end := bestWindow(src, matches)
	var b strings.Builder
	if start > 0 {
		b.WriteString("… ")
	}
	pos := start
	for _, m := range matches {
		if m.start < start || m.end > end || m.start < pos {
			continue
		}
		writeText(&b, src[pos:m.start])
		b.WriteString("<mark>")
		writeText(&b, src[m.start:m.end])
		b.WriteString("</mark>")
		pos = m.end
	}
	writeText(&b, src[pos:end])
	if end < len(text) {
		b.WriteString(" …")
	}
	return strings.TrimSpace(b.String())
}

// matches finds the words of src that the query matched.
func (ix *Index) matches(src string, plan *queryPlan) []match { return ix.matchesIn(src, plan, false) }

// matchesIn is matches; full analyses every token (see analyzeFor), for
// tests.
func (ix *Index) matchesIn(src string, plan *queryPlan, full bool) []match {
	terms := map[string]bool{}
	var fuzzy []wordPlan
	for _, w := range plan.words {
		for _, s := range w.stems {
			terms[s] = !w.replace
		}
		for _, s := range w.altStems {
			terms[s] = true
		}
		for _, s := range w.parts {
			terms[s] = true
		}
		for _, syn := range w.synonyms {
			if len(syn.stems) == 1 {
				terms[syn.stems[0]] = true
			}
		}
		if plan.fuzzy && w.fuzz > 0 {
			fuzzy = append(fuzzy, w)
		}
	}
	var out []match
	for _, t := range analyzeFor(ix.mapped.AnalyzerNamed(textAnalyzer), src, terms, !full && len(fuzzy) == 0) {
		if t.Start < 0 || t.End > len(src) || t.Start >= t.End {
			continue
		}
		term := string(t.Term)
		ok := terms[term]
		if !ok && len(fuzzy) > 0 {
			surface := strings.ToLower(src[t.Start:t.End])
			for _, w := range fuzzy {
				if sharesPrefix(surface, w.word, w.fuzzPrefix()) && editDistance(surface, w.word) <= w.fuzz {
					ok = true
					break
				}
			}
		}
		switch {
		case !ok:
		case len(out) > 0 && t.Start < out[len(out)-1].end:
			// A compound and its parts ("stand-up", "stand"): one mark.
			out[len(out)-1].end = max(out[len(out)-1].end, t.End)
		default:
			out = append(out, match{start: t.Start, end: t.End, term: term})
		}
	}
	return out
}

// sharesPrefix reports whether a and b start with the same n runes.
func sharesPrefix(a, b string, n int) bool {
	for i := 0; i < n; i++ {
		ra, sa := utf8.DecodeRuneInString(a)
		rb, sb := utf8.DecodeRuneInString(b)
		if sa == 0 || sb == 0 || ra != rb {
			return false
		}
		a, b = a[sa:], b[sb:]
	}
	return true
}

// bestWindow picks about snippetBytes of src: the stretch with the most
// different matched words (then the most matches), starting a little
// before its first match, cut at spaces and character boundaries.
func bestWindow(src string, matches []match) (start, end int) {
	if len(matches) > 0 {
		bestI, bestDistinct, bestCount := 0, -1, -1
		for i, m := range matches {
			limit := m.start - min(snippetBefore, m.start) + snippetBytes
			seen := map[string]bool{}
			count := 0
			for _, n := range matches[i:] {
				if n.end > limit {
					break
				}
				seen[n.term] = true
				count++
			}
			if len(seen) > bestDistinct || len(seen) == bestDistinct && count > bestCount {
				bestI, bestDistinct, bestCount = i, len(seen), count
			}
		}
		start = matches[bestI].start - min(snippetBefore, matches[bestI].start)
		// Start at a word: after the first space in the lead-in, if any.
		if start > 0 {
			if i := strings.IndexFunc(src[start:matches[bestI].start], unicode.IsSpace); i >= 0 {
				start += i + 1
			} else {
				start = matches[bestI].start
			}
		}
	}
	for start > 0 && start < len(src) && !utf8.RuneStart(src[start]) {
		start++
	}
	end = min(len(src), start+snippetBytes)
	if end < len(src) {
		// End at a word: before the last space, unless that drops a match.
		if i := strings.LastIndexFunc(src[start:end], unicode.IsSpace); i > 0 {
			cut := start + i
			keep := true
			for _, m := range matches {
				if m.start < end && m.end > cut {
					keep = false
					break
				}
			}
			if keep {
				end = cut
			}
		}
		for end > start && end < len(src) && !utf8.RuneStart(src[end]) {
			end--
		}
		// A match cut by the window end is dropped from the window.
		for _, m := range matches {
			if m.start < end && m.end > end {
				end = m.start
			}
		}
	}
	return start, end
}

// writeText writes s escaped for HTML, with each run of white space
// (newlines, tabs) as one space.
func writeText(b *strings.Builder, s string) {
	space := false
	var chunk strings.Builder
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			chunk.WriteByte(' ')
			space = false
		}
		chunk.WriteRune(r)
	}
	if space {
		chunk.WriteByte(' ')
	}
	b.WriteString(html.EscapeString(chunk.String()))
}

// analyzeFor analyses src with a as Analyze would, but when onlyTerms is
// set it returns only the tokens that could become one of terms: a token
// that starts with an ASCII letter or digit other than the first byte of
// every term is dropped after the tokenizer, before the filters (lower
// case, stop words, stemming: most of the cost), since those never
// change a word's first letter but for its case. Any other token goes
// through them all.
func analyzeFor(a analysis.Analyzer, src string, terms map[string]bool, onlyTerms bool) analysis.TokenStream {
	da, ok := a.(*analysis.DefaultAnalyzer)
	if !ok || !onlyTerms || da.CharFilters != nil {
		return a.Analyze([]byte(src))
	}
	var first [utf8.RuneSelf]bool
	for t := range terms {
		if t != "" && t[0] < utf8.RuneSelf {
			first[t[0]] = true
		}
	}
	tokens := da.Tokenizer.Tokenize([]byte(src))
	kept := tokens[:0]
	for _, t := range tokens {
		if len(t.Term) > 0 {
			if b := asciiLower(t.Term[0]); isASCIIAlnum(b) && !first[b] {
				continue
			}
		}
		kept = append(kept, t)
	}
	for _, f := range da.TokenFilters {
		kept = f.Filter(kept)
	}
	return kept
}

func asciiLower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

func isASCIIAlnum(b byte) bool { return 'a' <= b && b <= 'z' || '0' <= b && b <= '9' }
