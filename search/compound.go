package search

import (
	"iter"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	bleveunicode "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// Hyphenated compounds. People write "stand-up" and "standup", "e-mail"
// and "email", "check-in" and "checkin", "log-in" and "login" for the same
// thing, and the Unicode word segmenter cuts the hyphenated spelling into
// its parts, so the two spellings never met: "when is standup" missed the
// question "When is stand-up?". The text analyzer's tokenizer therefore
// adds, for each hyphenated compound, the compound written solid ("stand",
// "standup", "up"), and a query word typed with a hyphen is searched as
// the solid compound first and its parts after (compoundParts).

// compoundTokenizerName is the tokenizer of textAnalyzer.
const compoundTokenizerName = "faqwiki_unicode_compounds"

// maxCompoundParts is the most parts a compound is joined from ("up-to-date",
// "face-to-face"); longer runs are names, slugs and codes, not words.
const maxCompoundParts = 3

// isHyphen reports whether r joins the parts of a compound: the ASCII
// hyphen-minus, the hyphen and the non-breaking hyphen. Dashes do not
// ("9–5" is a range).
func isHyphen(r rune) bool { return r == '-' || r == '\u2010' || r == '\u2011' }

// compoundTokenizer is bleve's Unicode tokenizer with solid compounds
// added: each at the position of its first part, so that phrases of the
// parts still match.
type compoundTokenizer struct {
	words *bleveunicode.UnicodeTokenizer
}

func (t compoundTokenizer) Tokenize(input []byte) analysis.TokenStream {
	tokens := t.words.Tokenize(input)
	var out analysis.TokenStream
	for i := 0; i < len(tokens); {
		j := i + 1 // tokens[i:j] is a run joined by single hyphens
		for j < len(tokens) && hyphenBetween(input, tokens[j-1], tokens[j]) {
			j++
		}
		if j-i < 2 || j-i > maxCompoundParts || allNumeric(tokens[i:j]) {
			if out != nil {
				out = append(out, tokens[i:j]...)
			}
			i = j
			continue
		}
		if out == nil {
			out = make(analysis.TokenStream, 0, len(tokens)+8)
			out = append(out, tokens[:i]...)
		}
		var term []byte
		for _, p := range tokens[i:j] {
			term = append(term, p.Term...)
		}
		solid := &analysis.Token{Term: term, Start: tokens[i].Start, End: tokens[j-1].End,
			Position: tokens[i].Position, Type: analysis.AlphaNumeric}
		out = append(out, tokens[i], solid)
		out = append(out, tokens[i+1:j]...)
		i = j
	}
	if out == nil {
		return tokens
	}
	return out
}

// hyphenBetween reports whether a and b, tokens of input, are word tokens
// with exactly one hyphen between them.
func hyphenBetween(input []byte, a, b *analysis.Token) bool {
	if a.Type != analysis.AlphaNumeric && a.Type != analysis.Numeric ||
		b.Type != analysis.AlphaNumeric && b.Type != analysis.Numeric || b.Start <= a.End {
		return false
	}
	r, n := utf8.DecodeRune(input[a.End:b.Start])
	return n == b.Start-a.End && isHyphen(r)
}

func allNumeric(ts analysis.TokenStream) bool {
	for _, t := range ts {
		if t.Type != analysis.Numeric {
			return false
		}
	}
	return true
}

func init() {
	if err := registry.RegisterTokenizer(compoundTokenizerName, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return compoundTokenizer{bleveunicode.NewUnicodeTokenizer()}, nil
	}); err != nil {
		panic(err)
	}
}

// splitQueryWords is splitWords that keeps a hyphenated compound that the
// index also holds solid as one word, with its hyphens made ASCII
// ("stand-up"): a hyphen between two letters, digits or marks is part of
// the word.
func splitQueryWords(s string) iter.Seq[string] {
	return func(yield func(string) bool) {
		start := -1      // of the word being read
		hyphens := false // it has a hyphen
		other := false   // it has a curly apostrophe or a hyphen other than ASCII's
		prevWord := false
		emit := func(w string) bool {
			if other {
				w = strings.Map(func(r rune) rune {
					switch {
					case r == '’':
						return '\''
					case isHyphen(r):
						return '-'
					}
					return r
				}, w)
			}
			if hyphens {
				if n := strings.Count(w, "-") + 1; n > maxCompoundParts || allDigits(w) {
					for p := range splitWords(w) {
						if !yield(p) {
							return false
						}
					}
					return true
				}
			}
			w = strings.Trim(w, "'")
			return w == "" || yield(w)
		}
		for i := 0; i < len(s); {
			r, n := utf8.DecodeRuneInString(s[i:])
			word := isWordRune(r)
			in := word || r == '\'' || r == '’'
			if !in && isHyphen(r) && prevWord && i+n < len(s) {
				next, _ := utf8.DecodeRuneInString(s[i+n:])
				if in = isWordRune(next); in {
					hyphens = true
					other = other || r != '-'
				}
			}
			switch {
			case in && start < 0:
				start = i
				other = r == '’'
			case in:
				other = other || r == '’'
			case start >= 0:
				if !emit(s[start:i]) {
					return
				}
				start, hyphens, other = -1, false, false
			}
			prevWord = word
			i += n
		}
		if start >= 0 {
			emit(s[start:])
		}
	}
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) }

// allDigits reports whether a compound is numbers only ("555-1234").
func allDigits(w string) bool {
	for _, r := range w {
		if r != '-' && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// isCompound reports whether a query word is a hyphenated compound.
func isCompound(w string) bool { return strings.Contains(w, "-") }

// compoundStems returns how a query word is searched: for a compound, the
// stems of its solid spelling, and its parts (their stems, and the text of
// them as a phrase) as the word's next alternative; for any other word its
// stems and no parts.
func compoundStems(a analysis.Analyzer, w string) (stems, parts []string, phrase string) {
	if !isCompound(w) {
		return analyze(a, w), nil, ""
	}
	phrase = strings.ReplaceAll(w, "-", " ")
	return analyze(a, strings.ReplaceAll(w, "-", "")), analyze(a, phrase), phrase
}
