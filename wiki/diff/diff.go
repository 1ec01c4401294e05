// Package diff compares and merges texts line by line: line diffs with
// word-level detail inside replaced lines, the inline and side-by-side view
// models that pages draw them with, and a three-way line merge.
//
// Vocabulary shared with the edit screen and the API: base is the revision
// an editor started from, current is the text saved since (the page's head
// now, someone else's work) and yours is the editor's text.
//
// It imports nothing of faqwiki's: it works on plain strings.
package diff

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// How a diff is computed:
//
//  1. Both texts are cut into lines (each keeping its "\n"; the last line of
//     a text may lack one, so "x" and "x\n" are different lines).
//  2. Lines common to the start and end are trimmed off, lines that occur on
//     only one side are set aside (they can never match), and each distinct
//     remaining line becomes one rune. go-diff then diffs the two rune
//     strings. This is what keeps two 1 MB texts with a few changed lines to
//     milliseconds, and two unrelated texts cheap too.
//  3. Each replaced block (a delete hunk followed by an insert hunk) gets a
//     word-level diff, cleaned up with DiffCleanupSemantic, as Words on both
//     hunks. Big blocks and slow diffs go without: detail is a nicety.
//
// go-diff's own DiffLinesToChars numbers lines the same way but panics past
// about 1.1 million distinct lines; ours falls back to "replace everything"
// there instead, which no page within MaxMarkdownBytes can reach.

// Limits that keep a diff's cost bounded whatever the input.
const (
	// lineDiffTimeout caps the line-level diff. Past it go-diff returns a
	// valid but coarser diff, so a pathological pair of texts costs at most
	// this much on every save.
	lineDiffTimeout = time.Second
	// wordDetailMaxBytes: a replaced block bigger than this on either side
	// gets no word-level detail.
	wordDetailMaxBytes = 10 << 10
	// wordDiffTimeout caps one block's word diff, wordDetailBudget all of
	// them together.
	wordDiffTimeout  = 100 * time.Millisecond
	wordDetailBudget = 500 * time.Millisecond
)

// Op says what a piece of a diff does to the old text.
type Op string

// The diff operations, as they appear in the API's JSON.
const (
	OpEqual  Op = "equal"
	OpInsert Op = "insert"
	OpDelete Op = "delete"
)

// Word is a piece of a changed line: text that is unchanged (OpEqual)
// or that only this side has (OpDelete on the old side, OpInsert on the
// new).
type Word struct {
	Op   Op     `json:"op"`
	Text string `json:"text"`
}

// Hunk is a run of whole lines with one op. Text keeps the lines'
// newlines. Words, on insert/delete hunks that replace lines, holds that
// side's text split into equal/changed pieces (word-level detail): equal and
// delete pieces on a delete hunk, equal and insert pieces on an insert hunk.
// Concatenated, they give Text. Words is nil when there is no detail: a pure
// insertion or deletion, or a block too big to compare word by word.
type Hunk struct {
	Op    Op     `json:"op"`
	Text  string `json:"text"`
	Words []Word `json:"words,omitempty"`
}

// Diff is the line-based difference between two texts. Hunks alternate
// between equal runs and changes; within a change the delete hunk comes
// before the insert hunk. Added and Removed count lines.
type Diff struct {
	Hunks   []Hunk
	Added   int
	Removed int
}

// Compare compares two texts line by line, with word-level detail inside
// replaced lines. Identical texts give no insert or delete hunks (one equal
// hunk, or none when both are empty). It never fails: when a diff would
// take too long it settles for a coarser one.
func Compare(oldText, newText string) *Diff {
	a, b := splitLines(oldText), splitLines(newText)
	d := &Diff{}
	var (
		ia, ib int // line indexes into a and b
		oa, ob int // byte offsets into oldText and newText
	)
	for _, r := range lineRuns(a, b) {
		var text string
		switch r.op {
		case OpEqual:
			n := textLen(a[ia : ia+r.n])
			text = oldText[oa : oa+n]
			ia, ib, oa, ob = ia+r.n, ib+r.n, oa+n, ob+n
		case OpDelete:
			n := textLen(a[ia : ia+r.n])
			text = oldText[oa : oa+n]
			ia, oa = ia+r.n, oa+n
			d.Removed += r.n
		case OpInsert:
			n := textLen(b[ib : ib+r.n])
			text = newText[ob : ob+n]
			ib, ob = ib+r.n, ob+n
			d.Added += r.n
		}
		d.Hunks = append(d.Hunks, Hunk{Op: r.op, Text: text})
	}
	d.addWordDetail()
	return d
}

// LineStats returns the number of lines added and removed between two
// texts, as Compare counts them but without the word-level detail. It is
// computed for every saved revision.
func LineStats(oldText, newText string) (added, removed int) {
	for _, r := range lineRuns(splitLines(oldText), splitLines(newText)) {
		switch r.op {
		case OpInsert:
			added += r.n
		case OpDelete:
			removed += r.n
		}
	}
	return added, removed
}

// run is n consecutive lines with one op.
type run struct {
	op Op
	n  int
}

// appendRun appends a run, merging it into the last one when the op is the
// same and dropping it when empty.
func appendRun(runs []run, op Op, n int) []run {
	if n <= 0 {
		return runs
	}
	if k := len(runs) - 1; k >= 0 && runs[k].op == op {
		runs[k].n += n
		return runs
	}
	return append(runs, run{op, n})
}

// splitLines cuts s into lines, each keeping its "\n". The last line
// lacks one when s does not end in a newline. "" has no lines.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := make([]string, 0, strings.Count(s, "\n")+1)
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i+1])
		s = s[i+1:]
	}
	return lines
}

// countLines counts the lines of s as splitLines would cut them.
func countLines(s string) int {
	n := strings.Count(s, "\n")
	if s != "" && s[len(s)-1] != '\n' {
		n++
	}
	return n
}

// textLen returns the length in bytes of lines joined.
func textLen(lines []string) int {
	n := 0
	for _, l := range lines {
		n += len(l)
	}
	return n
}

// lineRuns returns the line edit script turning a into b: runs of equal,
// deleted and inserted lines, with a change's deletions before its
// insertions.
func lineRuns(a, b []string) []run {
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	var runs []run
	runs = appendRun(runs, OpEqual, p)
	runs = middleRuns(runs, a[p:len(a)-s], b[p:len(b)-s])
	return appendRun(runs, OpEqual, s)
}

// maxRuneCodes is how many distinct values codeRune can encode: every code
// point except the surrogates, which don't survive a string conversion.
const maxRuneCodes = int(utf8.MaxRune) + 1 - 0x800

// codeRune encodes i (0 <= i < maxRuneCodes) as a valid rune.
func codeRune(i int) rune {
	if i < 0xD800 {
		return rune(i)
	}
	return rune(i + 0x800)
}

// codeIndex undoes codeRune.
func codeIndex(r rune) int {
	if r < 0xD800 {
		return int(r)
	}
	return int(r) - 0x800
}

// middleRuns appends the edit script turning a into b, which have no common
// first or last line.
func middleRuns(runs []run, a, b []string) []run {
	replaceAll := func() []run {
		runs = appendRun(runs, OpDelete, len(a))
		return appendRun(runs, OpInsert, len(b))
	}
	if len(a) == 0 || len(b) == 0 {
		return replaceAll()
	}

	// Number b's distinct lines, then give a rune to each line that a has
	// too. Lines found on one side only are left out of the diff: no common
	// subsequence can contain them, and leaving them out makes unrelated
	// texts cheap.
	ids := make(map[string]int, len(b))
	for _, l := range b {
		if _, ok := ids[l]; !ok {
			ids[l] = len(ids)
		}
	}
	codes := make([]rune, len(ids))
	for i := range codes {
		codes[i] = -1
	}
	var (
		ra, rb []rune // the shared lines, encoded
		ia, ib []int  // their indexes in a and b
		next   int
	)
	for i, l := range a {
		id, ok := ids[l]
		if !ok {
			continue
		}
		if codes[id] < 0 {
			if next == maxRuneCodes {
				return replaceAll()
			}
			codes[id] = codeRune(next)
			next++
		}
		ra = append(ra, codes[id])
		ia = append(ia, i)
	}
	if len(ra) == 0 {
		return replaceAll()
	}
	for j, l := range b {
		if c := codes[ids[l]]; c >= 0 {
			rb = append(rb, c)
			ib = append(ib, j)
		}
	}

	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = lineDiffTimeout
	var i, j, lastA, lastB int
	for _, d := range dmp.DiffMainRunes(ra, rb, false) {
		n := utf8.RuneCountInString(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			for k := range n {
				x, y := ia[i+k], ib[j+k]
				runs = appendRun(runs, OpDelete, x-lastA)
				runs = appendRun(runs, OpInsert, y-lastB)
				runs = appendRun(runs, OpEqual, 1)
				lastA, lastB = x+1, y+1
			}
			i, j = i+n, j+n
		case diffmatchpatch.DiffDelete:
			i += n
		case diffmatchpatch.DiffInsert:
			j += n
		}
	}
	runs = appendRun(runs, OpDelete, len(a)-lastA)
	return appendRun(runs, OpInsert, len(b)-lastB)
}

// addWordDetail fills Words on every delete hunk followed by an insert hunk,
// within the size limit and the time budget.
func (d *Diff) addWordDetail() {
	var (
		dmp      *diffmatchpatch.DiffMatchPatch
		deadline time.Time
	)
	for k := 0; k+1 < len(d.Hunks); k++ {
		del, ins := &d.Hunks[k], &d.Hunks[k+1]
		if del.Op != OpDelete || ins.Op != OpInsert {
			continue
		}
		k++
		if len(del.Text) > wordDetailMaxBytes || len(ins.Text) > wordDetailMaxBytes ||
			!utf8.ValidString(del.Text) || !utf8.ValidString(ins.Text) {
			// go-diff would turn invalid UTF-8 into U+FFFD, and the
			// pieces would no longer add up to the hunk's text.
			continue
		}
		if dmp == nil {
			dmp = diffmatchpatch.New()
			dmp.DiffTimeout = wordDiffTimeout
			deadline = time.Now().Add(wordDetailBudget)
		} else if time.Now().After(deadline) {
			return
		}
		del.Words, ins.Words = wordDiff(dmp, del.Text, ins.Text)
	}
}

// wordDiff compares two blocks word by word and returns the pieces of each
// side: equal and deleted pieces of a, equal and inserted pieces of b.
func wordDiff(dmp *diffmatchpatch.DiffMatchPatch, a, b string) (oldWords, newWords []Word) {
	// Diff words rather than characters, "brown" -> "red" rather than
	// "b[-rown-][+red+]", by giving each distinct word a rune as lineRuns
	// does for lines. A block is at most wordDetailMaxBytes, so the codes
	// never run out.
	var table []string
	ids := map[string]rune{}
	encode := func(s string) []rune {
		toks := wordTokens(s)
		rs := make([]rune, len(toks))
		for i, t := range toks {
			c, ok := ids[t]
			if !ok {
				c = codeRune(len(table))
				ids[t] = c
				table = append(table, t)
			}
			rs[i] = c
		}
		return rs
	}
	ra, rb := encode(a), encode(b)
	diffs := dmp.DiffMainRunes(ra, rb, false)
	for i := range diffs {
		var sb strings.Builder
		for _, r := range diffs[i].Text {
			sb.WriteString(table[codeIndex(r)])
		}
		diffs[i].Text = sb.String()
	}
	// Semantic cleanup drops short coincidental matches ("the", " ") in a
	// rewritten sentence, leaving fewer, readable pieces.
	diffs = dmp.DiffCleanupSemantic(diffs)
	// The cleanup works on characters and may move a boundary into a
	// word ("9:00" -> "8:30" became "[-9:0-][+8:3+]0"): widen every change
	// back out to whole words.
	diffs = snapToWords(diffs)
	for _, df := range diffs {
		switch df.Type {
		case diffmatchpatch.DiffEqual:
			oldWords = appendWord(oldWords, OpEqual, df.Text)
			newWords = appendWord(newWords, OpEqual, df.Text)
		case diffmatchpatch.DiffDelete:
			oldWords = appendWord(oldWords, OpDelete, df.Text)
		case diffmatchpatch.DiffInsert:
			newWords = appendWord(newWords, OpInsert, df.Text)
		}
	}
	return oldWords, newWords
}

// appendWord appends a piece, merging it into the last one when the op is
// the same and dropping it when empty.
func appendWord(words []Word, op Op, text string) []Word {
	if text == "" {
		return words
	}
	if k := len(words) - 1; k >= 0 && words[k].Op == op {
		words[k].Text += text
		return words
	}
	return append(words, Word{op, text})
}

// Token classes for wordTokens.
const (
	tokSingle = iota // a token of its own: punctuation, "\n", a CJK character
	tokWord
	tokSpace
)

// wordTokens cuts s into words, runs of blanks, and single other
// characters. Han, Hiragana and Katakana characters are tokens of their
// own: those scripts don't put spaces between words.
func wordTokens(s string) []string {
	var toks []string
	for s != "" {
		r, n := utf8.DecodeRuneInString(s)
		class := wordClass(r)
		if class != tokSingle {
			for n < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[n:])
				if wordClass(r2) != class {
					break
				}
				n += n2
			}
		}
		toks = append(toks, s[:n])
		s = s[n:]
	}
	return toks
}

func wordClass(r rune) int {
	switch {
	case r == '\n' || r == utf8.RuneError:
		return tokSingle
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
		return tokSingle
	case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '_':
		return tokWord
	case unicode.IsSpace(r):
		return tokSpace
	}
	return tokSingle
}

// Line is one line of a rendered diff, with line numbers (0 = none: a
// deleted line has no new number, an inserted one no old number) and word
// pieces. Words hold the line's text without its newline: one equal piece
// when there is no word-level detail, else the equal and changed pieces of
// this line. NoNewline marks a line that ends its text without a newline,
// so that "x" against "x\n" can be shown as a change.
type Line struct {
	Op           Op
	OldNo, NewNo int
	Words        []Word
	NoNewline    bool
}

// Block is a stretch of lines to show, or a fold of unchanged lines
// hidden between them. OldStart and NewStart are the old and new line
// numbers at which the block starts (for a fold, those of its first hidden
// line).
type Block struct {
	Lines              []Line
	Folded             int // >0: this many unchanged lines are hidden here; Lines is empty
	OldStart, NewStart int
}

// minFold is the fewest unchanged lines worth folding away: a fold row that
// hides one or two lines takes as much room as the lines themselves.
const minFold = 3

// Inline returns the lines to show in an inline (unified) view: every
// changed line, and `context` unchanged lines (at least 0) before and after
// each change. Longer unchanged stretches are folded: those between two
// changes when they hide at least minFold lines beyond 2*context, those at
// the start or end when they hide at least minFold lines beyond context. Without changes the whole text is one fold; a diff of two
// empty texts has no blocks.
func (d *Diff) Inline(context int) []Block {
	if d == nil {
		return nil
	}
	context = max(context, 0)
	var b inlineBuilder
	for k, h := range d.Hunks {
		if h.Op != OpEqual {
			b.showLines(h.Op, h.Text, h.Words)
			continue
		}
		// Hunks of one op are merged, so an equal hunk's neighbours are
		// changes.
		hasPrev, hasNext := k > 0, k < len(d.Hunks)-1
		n := countLines(h.Text)
		var head, tail int
		switch {
		case hasPrev && hasNext:
			if n-context-context >= minFold {
				head, tail = context, context
			} else {
				head = n
			}
		case hasPrev:
			head = min(n, context)
			if n-head < minFold {
				head = n
			}
		case hasNext:
			tail = min(n, context)
			if n-tail < minFold {
				tail = n
			}
		}
		headEnd := headEnd(h.Text, head)
		tailStart := tailStart(h.Text, tail)
		b.showLines(OpEqual, h.Text[:headEnd], nil)
		b.fold(n - head - tail)
		b.showLines(OpEqual, h.Text[tailStart:], nil)
	}
	b.flush()
	return b.blocks
}

// inlineBuilder collects the blocks of Inline.
type inlineBuilder struct {
	blocks             []Block
	lines              []Line // of the block being built
	oldStart, newStart int    // of the block being built
	oldNo, newNo       int    // lines passed so far
}

// showLines adds the lines of text, all with op, using words for detail
// when given.
func (b *inlineBuilder) showLines(op Op, text string, words []Word) {
	if text == "" {
		return
	}
	lines := splitLines(text)
	var perLine [][]Word
	if words != nil {
		perLine = splitWordsByLine(words)
		if len(perLine) != len(lines) {
			perLine = nil // can't happen when the words add up to text
		}
	}
	if len(b.lines) == 0 {
		b.oldStart, b.newStart = b.oldNo+1, b.newNo+1
	}
	for i, l := range lines {
		dl := Line{Op: op, NoNewline: !strings.HasSuffix(l, "\n")}
		if op != OpInsert {
			b.oldNo++
			dl.OldNo = b.oldNo
		}
		if op != OpDelete {
			b.newNo++
			dl.NewNo = b.newNo
		}
		if perLine != nil && len(perLine[i]) > 0 {
			dl.Words = perLine[i]
		} else {
			dl.Words = []Word{{OpEqual, strings.TrimSuffix(l, "\n")}}
		}
		b.lines = append(b.lines, dl)
	}
}

// fold hides n unchanged lines.
func (b *inlineBuilder) fold(n int) {
	if n <= 0 {
		return
	}
	b.flush()
	b.blocks = append(b.blocks, Block{Folded: n, OldStart: b.oldNo + 1, NewStart: b.newNo + 1})
	b.oldNo += n
	b.newNo += n
}

// flush ends the block being built.
func (b *inlineBuilder) flush() {
	if len(b.lines) == 0 {
		return
	}
	b.blocks = append(b.blocks, Block{Lines: b.lines, OldStart: b.oldStart, NewStart: b.newStart})
	b.lines = nil
}

// headEnd returns the byte offset just past the first k lines of s.
func headEnd(s string, k int) int {
	end := 0
	for ; k > 0 && end < len(s); k-- {
		i := strings.IndexByte(s[end:], '\n')
		if i < 0 {
			return len(s)
		}
		end += i + 1
	}
	return end
}

// tailStart returns the byte offset of the first of the last k lines
// of s.
func tailStart(s string, k int) int {
	if k <= 0 {
		return len(s)
	}
	end := len(s)
	if strings.HasSuffix(s, "\n") {
		end--
	}
	for ; k > 0; k-- {
		i := strings.LastIndexByte(s[:end], '\n')
		if i < 0 {
			return 0
		}
		end = i
	}
	return end + 1
}

// splitWordsByLine cuts a hunk's pieces into lines, dropping the newlines.
// Adding up to a hunk of n lines, they give n slices.
func splitWordsByLine(words []Word) [][]Word {
	var (
		out  [][]Word
		cur  []Word
		open bool // a line has started, possibly with no pieces yet
	)
	for _, w := range words {
		t := w.Text
		for t != "" {
			open = true
			i := strings.IndexByte(t, '\n')
			if i < 0 {
				cur = append(cur, Word{w.Op, t})
				break
			}
			if i > 0 {
				cur = append(cur, Word{w.Op, t[:i]})
			}
			out = append(out, cur)
			cur, open = nil, false
			t = t[i+1:]
		}
	}
	if open {
		out = append(out, cur)
	}
	return out
}

// Row is one row of a side-by-side view: Left from the old text, Right
// from the new. Nil is an empty cell. An unchanged line is on both sides.
type Row struct {
	Left, Right *Line
}

// RowBlock is a stretch of rows to show, or a fold of unchanged lines
// hidden between them, as Block.
type RowBlock struct {
	Rows               []Row
	Folded             int // >0: this many unchanged lines are hidden here; Rows is empty
	OldStart, NewStart int
}

// SideBySide returns the blocks of Inline as rows: in each change, the
// deleted lines (left) and the inserted lines (right) are paired row by
// row, and the shorter side is padded with empty cells.
func (d *Diff) SideBySide(context int) []RowBlock {
	blocks := d.Inline(context)
	out := make([]RowBlock, 0, len(blocks))
	for _, blk := range blocks {
		rb := RowBlock{Folded: blk.Folded, OldStart: blk.OldStart, NewStart: blk.NewStart}
		lines := blk.Lines
		for i := 0; i < len(lines); {
			if lines[i].Op == OpEqual {
				rb.Rows = append(rb.Rows, Row{&lines[i], &lines[i]})
				i++
				continue
			}
			var left, right []*Line
			for ; i < len(lines) && lines[i].Op != OpEqual; i++ {
				if lines[i].Op == OpDelete {
					left = append(left, &lines[i])
				} else {
					right = append(right, &lines[i])
				}
			}
			for k := range max(len(left), len(right)) {
				var row Row
				if k < len(left) {
					row.Left = left[k]
				}
				if k < len(right) {
					row.Right = right[k]
				}
				rb.Rows = append(rb.Rows, row)
			}
		}
		out = append(out, rb)
	}
	return out
}
