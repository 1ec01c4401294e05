// Package blame attributes every word of a text to the revision that wrote
// it, following the text through its history one revision at a time. It is
// a leaf: it knows nothing of pages or stores, only texts and the numbers
// the caller gives their revisions.
//
// Naive line blame (diff each revision against the one before, line by
// line) is wrong in three ways people notice at once: a paragraph that was
// moved is charged to whoever moved it, text deleted and then restored by a
// revert is charged to the reverter, and a change of white space or line
// wrapping takes over every line it touched. This package follows the idea
// of WikiWho (Flöck and Acosta, "WikiWho: Precise and Efficient Attribution
// of Authorship of Revisioned Content", WWW 2014):
//
//   - The text is split into tokens (words and runs of punctuation); white
//     space is not a token, so re-spacing or re-wrapping changes nothing.
//   - Tokens are grouped into paragraphs and paragraphs into sentences. A
//     paragraph or sentence of the new revision whose tokens equal one of the
//     previous revision takes that unit's attribution wherever it stood
//     (moves). One that equals a unit seen in any earlier revision takes the
//     attribution it had then (reverts and restores).
//   - What is left is compared token by token with what is left of the
//     previous revision (a Myers diff); tokens still unmatched are new, and
//     belong to the revision being added.
//
// The work per revision is proportional to the size of its text plus the
// size of what changed, so a Blamer fed revision by revision (and kept, as
// the wiki keeps one per page) is cheap to bring up to date.
package blame

import (
	"hash/maphash"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Blamer holds the attribution of the newest revision added and what it
// remembers of earlier ones. It is not safe for concurrent use.
type Blamer struct {
	vocab map[string]uint32 // token text -> key
	cur   *doc
	orig  []int32 // per token of cur: the origin that wrote it
	seen  map[uint64][]int32
	seed  uint64
	n     int // revisions added
	size  int // rough bytes held, for caches
	dmp   *diffmatchpatch.DiffMatchPatch
}

// tokenDiffTimeout bounds the token diff of one revision (see New).
const tokenDiffTimeout = time.Second

// New returns an empty Blamer: no revisions yet.
func New() *Blamer {
	dmp := diffmatchpatch.New()
	// What is left after units matched is usually small, and diffed
	// exactly within this time; two long unrelated texts (a page replaced
	// by another of thousands of lines) would take the square of their
	// length, so past it the rest counts as rewritten.
	dmp.DiffTimeout = tokenDiffTimeout
	return &Blamer{vocab: map[string]uint32{}, cur: &doc{}, seen: map[uint64][]int32{}, seed: new(maphash.Hash).Sum64() | 1, dmp: dmp}
}

// Revisions returns how many revisions have been added.
func (b *Blamer) Revisions() int { return b.n }

// Size returns roughly how many bytes the Blamer holds.
func (b *Blamer) Size() int { return b.size + len(b.cur.text) + 24*len(b.cur.toks) }

// Text returns the text of the newest revision added.
func (b *Blamer) Text() string { return b.cur.text }

// tok is a token of a text: text[start:end], its vocabulary key, and the
// line it is on.
type tok struct {
	start, end int
	key        uint32
	line       int32
}

// span is a range of token indexes [from, to).
type span struct{ from, to int }

// doc is a parsed text: its tokens, paragraphs and sentences.
type doc struct {
	text  string
	toks  []tok
	paras []span
	sents []span
}

// Add attributes text as the next revision, made by origin (any number
// the caller uses to name revisions, usually the revision number; it must
// fit in 31 bits and not be negative). A deleted page is an empty text: its
// words are forgotten from the current text but remembered, so that a
// restore gives them back to who wrote them.
func (b *Blamer) Add(origin int, text string) {
	nd := b.parse(text)
	pd, po := b.cur, b.orig
	orig := make([]int32, len(nd.toks))
	for i := range orig {
		orig[i] = -1
	}
	used := make([]bool, len(pd.toks))

	// Units: whole paragraphs, then sentences of what is still unmatched.
	b.matchUnits(nd, nd.paras, orig, pd, pd.paras, po, used)
	b.matchUnits(nd, nd.sents, orig, pd, pd.sents, po, used)

	// Tokens: diff what is left against what is left of the previous text.
	var oldIdx, newIdx []int
	for i := range pd.toks {
		if !used[i] {
			oldIdx = append(oldIdx, i)
		}
	}
	for i := range nd.toks {
		if orig[i] < 0 {
			newIdx = append(newIdx, i)
		}
	}
	if len(oldIdx) > 0 && len(newIdx) > 0 {
		b.matchTokens(nd, newIdx, orig, pd, oldIdx, po)
	}
	for i := range orig {
		if orig[i] < 0 {
			orig[i] = int32(origin)
		}
	}

	// Remember every unit of this revision, so a later one that brings it
	// back finds who wrote it. The first attribution of a unit wins.
	for _, units := range [][]span{nd.paras, nd.sents} {
		for _, u := range units {
			h := b.hash(nd, u)
			if _, ok := b.seen[h]; !ok {
				o := make([]int32, u.to-u.from)
				copy(o, orig[u.from:u.to])
				b.seen[h] = o
				b.size += 48 + 4*len(o)
			}
		}
	}
	b.cur, b.orig = nd, orig
	b.n++
}

// matchUnits gives every unit of nd (none of whose tokens is matched yet)
// that equals an unused unit of the previous text pd that unit's
// attribution, or else the attribution remembered for an equal unit of an
// earlier revision.
func (b *Blamer) matchUnits(nd *doc, units []span, orig []int32, pd *doc, oldUnits []span, po []int32, used []bool) {
	byHash := map[uint64][]span{}
	for _, u := range oldUnits {
		if !anyUsed(used, u) {
			h := b.hash(pd, u)
			byHash[h] = append(byHash[h], u)
		}
	}
	for _, u := range units {
		if !allUnmatched(orig, u) {
			continue
		}
		h := b.hash(nd, u)
		matched := false
		cands := byHash[h]
		for ci, c := range cands {
			if c.to-c.from != u.to-u.from || anyUsed(used, c) || !sameKeys(nd, u, pd, c) {
				continue
			}
			for i := 0; i < u.to-u.from; i++ {
				orig[u.from+i] = po[c.from+i]
				used[c.from+i] = true
			}
			byHash[h] = append(cands[:ci:ci], cands[ci+1:]...)
			matched = true
			break
		}
		if matched {
			continue
		}
		if o, ok := b.seen[h]; ok && len(o) == u.to-u.from {
			copy(orig[u.from:u.to], o)
		}
	}
}

// matchTokens runs a diff between the tokens newIdx of nd and oldIdx of pd
// and gives the new tokens on equal runs their old attribution.
func (b *Blamer) matchTokens(nd *doc, newIdx []int, orig []int32, pd *doc, oldIdx []int, po []int32) {
	a := make([]rune, len(oldIdx))
	for i, ti := range oldIdx {
		a[i] = keyRune(pd.toks[ti].key)
	}
	c := make([]rune, len(newIdx))
	for i, ti := range newIdx {
		c[i] = keyRune(nd.toks[ti].key)
	}
	ia, ic := 0, 0
	for _, d := range b.dmp.DiffMainRunes(a, c, false) {
		n := utf8.RuneCountInString(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			for k := 0; k < n; k++ {
				o, t := oldIdx[ia+k], newIdx[ic+k]
				if pd.toks[o].key == nd.toks[t].key { // keyRune folds keys past its range
					orig[t] = po[o]
				}
			}
			ia, ic = ia+n, ic+n
		case diffmatchpatch.DiffDelete:
			ia += n
		case diffmatchpatch.DiffInsert:
			ic += n
		}
	}
}

// keyRune encodes a vocabulary key as a rune for the diff: every code
// point but the surrogates. Keys past that range (over a million distinct
// tokens) share the last rune; matchTokens checks keys again.
func keyRune(k uint32) rune {
	const maxKey = utf8.MaxRune - 0x800
	switch {
	case k < 0xD800:
		return rune(k)
	case k < maxKey:
		return rune(k + 0x800)
	default:
		return utf8.MaxRune
	}
}

func anyUsed(used []bool, u span) bool {
	for i := u.from; i < u.to; i++ {
		if used[i] {
			return true
		}
	}
	return false
}

func allUnmatched(orig []int32, u span) bool {
	for i := u.from; i < u.to; i++ {
		if orig[i] >= 0 {
			return false
		}
	}
	return true
}

func sameKeys(a *doc, ua span, c *doc, uc span) bool {
	for i := 0; i < ua.to-ua.from; i++ {
		if a.toks[ua.from+i].key != c.toks[uc.from+i].key {
			return false
		}
	}
	return true
}

// hash is the hash of a unit's token sequence: white space plays no part.
// It mixes the tokens' keys (FNV-1a over 32-bit words, then a final
// avalanche), from a per-Blamer random start so that nobody can aim a
// crafted paragraph at another's hash. Units of the previous text are
// compared token by token as well; remembered ones by length.
func (b *Blamer) hash(d *doc, u span) uint64 {
	h := b.seed
	for _, t := range d.toks[u.from:u.to] {
		h ^= uint64(t.key)
		h *= 0x100000001b3
	}
	h ^= uint64(u.to - u.from)
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// parse splits text into tokens, paragraphs and sentences.
//
// A token is a run of letters, digits and marks (a word), or a run of one
// repeated punctuation or symbol character ("##", "---", "."). A paragraph
// ends at a blank line, and a heading line is a paragraph of its own. A
// sentence ends after ".", "!", "?" or ":", and before a line that starts a
// list item, a quote or a table row, so that the items of a list are
// sentences.
func (b *Blamer) parse(text string) *doc {
	d := &doc{text: text}
	// Room for as many tokens as the last text had, and a little more:
	// texts change a little at a time.
	d.toks = make([]tok, 0, len(b.cur.toks)+len(b.cur.toks)/8+16)
	d.paras = make([]span, 0, len(b.cur.paras)+8)
	d.sents = make([]span, 0, len(b.cur.sents)+8)
	line := int32(0)
	paraStart, sentStart := 0, 0
	lineEmpty := true // no token on the current line yet
	headingLine := false
	closePara := func() {
		if sentStart < len(d.toks) {
			d.sents = append(d.sents, span{sentStart, len(d.toks)})
		}
		if paraStart < len(d.toks) {
			d.paras = append(d.paras, span{paraStart, len(d.toks)})
		}
		paraStart, sentStart = len(d.toks), len(d.toks)
	}
	closeSent := func() {
		if sentStart < len(d.toks) {
			d.sents = append(d.sents, span{sentStart, len(d.toks)})
		}
		sentStart = len(d.toks)
	}
	for i := 0; i < len(text); {
		r, w := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, w = utf8.DecodeRuneInString(text[i:])
		}
		if r == '\n' {
			if lineEmpty || headingLine {
				closePara() // a blank line, or the end of a heading
			}
			headingLine = false
			line++
			lineEmpty = true
			i += w
			continue
		}
		if isSpace(r) {
			i += w
			continue
		}
		start := i
		if isWord(r) {
			for i < len(text) {
				r2, w2 := rune(text[i]), 1
				if r2 >= utf8.RuneSelf {
					r2, w2 = utf8.DecodeRuneInString(text[i:])
				}
				if !isWord(r2) {
					break
				}
				i += w2
			}
		} else {
			for i < len(text) {
				r2, w2 := utf8.DecodeRuneInString(text[i:])
				if r2 != r {
					break
				}
				i += w2
			}
		}
		word := text[start:i]
		if lineEmpty {
			// The first token of a line decides what the line is.
			switch {
			case r == '#':
				closePara()
				headingLine = true
			case r == '-' || r == '*' || r == '+' || r == '>' || r == '|' || isOrderedMarker(text, start, i):
				closeSent()
			}
		}
		key, ok := b.vocab[word]
		if !ok {
			key = uint32(len(b.vocab))
			b.vocab[string([]byte(word))] = key // own the bytes: the text may be a slice of something larger
			b.size += len(word) + 40
		}
		d.toks = append(d.toks, tok{start: start, end: i, key: key, line: line})
		lineEmpty = false
		if !isWord(r) && (r == '.' || r == '!' || r == '?' || r == ':') {
			closeSent()
		}
	}
	closePara()
	return d
}

// isOrderedMarker reports whether the word text[start:end] is the number
// of an ordered list item ("1." or "1)").
func isOrderedMarker(text string, start, end int) bool {
	for j := start; j < end; j++ {
		if text[j] < '0' || text[j] > '9' {
			return false
		}
	}
	return end < len(text) && (text[end] == '.' || text[end] == ')')
}

func isWord(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || r == '\t' || r == '\r' || r == '\v' || r == '\f'
	}
	return unicode.IsSpace(r)
}

// Token is a token of the current text and the origin that wrote it.
type Token struct {
	Start, End int // byte offsets in Text()
	Text       string
	Word       bool // a word rather than punctuation
	Origin     int
}

// Tokens returns the tokens of the current text with their origins.
func (b *Blamer) Tokens() []Token {
	out := make([]Token, len(b.cur.toks))
	for i, t := range b.cur.toks {
		r, _ := utf8.DecodeRuneInString(b.cur.text[t.start:])
		out[i] = Token{Start: t.start, End: t.end, Text: b.cur.text[t.start:t.end], Word: isWord(r), Origin: int(b.orig[i])}
	}
	return out
}

// Span is a run of a line's text written by one origin. White space
// between two tokens belongs to the span before it (leading white space to
// the first span).
type Span struct {
	Text   string
	Origin int
}

// Line is a line of the current text (without its newline), in spans, and
// the origin that wrote most of it (by bytes of its tokens; the earlier
// origin on a tie). A blank line has no spans and origin -1.
type Line struct {
	Spans  []Span
	Origin int
}

// Lines returns the current text line by line with its attribution.
func (b *Blamer) Lines() []Line {
	text := b.cur.text
	var out []Line
	ti := 0
	lineNo := int32(0)
	for start := 0; start <= len(text); {
		end := start
		for end < len(text) && text[end] != '\n' {
			end++
		}
		if start == len(text) && len(out) > 0 {
			break // text ends with a newline: no empty last line
		}
		var ln Line
		ln.Origin = -1
		weight := map[int32]int{}
		// The spans cut the line into runs: each starts at its first token
		// (the first at the line's start) and runs to where the next
		// starts (the last to the line's end). Their starts are noted and
		// the texts sliced once: built by appending, a long line of one
		// origin was quadratic.
		var starts []int
		for ti < len(b.cur.toks) && b.cur.toks[ti].line == lineNo {
			t := b.cur.toks[ti]
			o := b.orig[ti]
			weight[o] += t.end - t.start
			switch n := len(ln.Spans); {
			case n == 0:
				ln.Spans = append(ln.Spans, Span{Origin: int(o)})
				starts = append(starts, start)
			case ln.Spans[n-1].Origin != int(o):
				ln.Spans = append(ln.Spans, Span{Origin: int(o)})
				starts = append(starts, t.start)
			}
			ti++
		}
		for i := range ln.Spans {
			stop := end
			if i+1 < len(starts) {
				stop = starts[i+1]
			}
			ln.Spans[i].Text = text[starts[i]:stop]
		}
		if n := len(ln.Spans); n > 0 {
			best := -1
			for o, w := range weight {
				if best < 0 || w > weight[int32(best)] || w == weight[int32(best)] && int(o) < best {
					best = int(o)
				}
			}
			ln.Origin = best
		} else if end > start {
			ln.Spans = []Span{{Text: text[start:end], Origin: -1}}
		}
		out = append(out, ln)
		lineNo++
		start = end + 1
		if end == len(text) {
			break
		}
	}
	return out
}
