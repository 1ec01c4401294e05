package diff

import (
	"cmp"
	"slices"
	"strings"
)

// Merge3 merges two edits of base: current (the text saved since base, by
// someone else: the page's head now) and yours (the text the user is
// saving, edited from base). It returns the merged text and ok=true when
// the changes don't overlap, or "" and false when they do. It never fails
// otherwise.
//
// It is a line-based diff3. Each side's line diff against base gives its
// changes, each replacing a range of base lines [b0,b1) (empty for a pure
// insertion at b0) with new lines. A change of current and a change of yours
// clash when:
//
//   - their base ranges share a line;
//   - both insert at the same position; or
//   - one inserts at a position in or at either edge of a range the other
//     deletes or rewrites (c0 <= p <= c1): which text the insertion belongs
//     with, and in what order, is a guess.
//
// Changes that merely touch, such as edits of two adjacent lines, do not
// clash and both apply; this merges more than git, which treats adjacent
// changes as a conflict. Clashing changes are grouped (transitively) into a
// region of base; the region merges cleanly only if both sides turned it
// into the same text, so identical edits on both sides are fine. Any other
// clash makes the whole merge fail.
//
// A pure deletion or insertion among repeated lines (which of two blank
// lines went?) could have been placed anywhere along them; its range is
// widened over all those places, and an insertion keeps its edge rule. So
// both sides making the same edit there agree, and different edits there
// clash instead of merging into nonsense.
//
// A missing final newline is merged on its own, as a yes/no: lines are
// compared as if every text ended in "\n", and the result lacks the final
// newline if a side that changed that from base (or base, if neither did)
// lacks it. So one side adding the final newline never clashes with the
// other side's edit of the last line.
func Merge3(base, current, yours string) (merged string, ok bool) {
	return merge3(base, current, yours, false)
}

// MergeUndo is Merge3 for taking back a change: yours is the text before
// the change (base), and one side's pure deletion does not clash with the
// other side's pure insertion at its edge. Taking back a question added
// at the end of a page, when another was added after it since, deletes
// lines right before that insertion: Merge3 refuses to guess whether the
// insertion belonged with them, but undoing means exactly that they go
// and it stays.
func MergeUndo(base, current, yours string) (merged string, ok bool) {
	return merge3(base, current, yours, true)
}

func merge3(base, current, yours string, loose bool) (merged string, ok bool) {
	switch {
	case current == yours:
		return current, true
	case base == current:
		return yours, true
	case base == yours:
		return current, true
	}
	baseEnd, currentEnd, yoursEnd := endsLine(base), endsLine(current), endsLine(yours)
	endsLine := yoursEnd
	if currentEnd != baseEnd {
		endsLine = currentEnd // and if yours changed it too, it is the same
	}
	merged, ok = merge3Lines(withEndLine(base), withEndLine(current), withEndLine(yours), loose)
	if ok && !endsLine {
		merged = strings.TrimSuffix(merged, "\n")
	}
	return merged, ok
}

// endsLine reports whether s is empty or ends in a newline.
func endsLine(s string) bool {
	return s == "" || strings.HasSuffix(s, "\n")
}

// withEndLine adds the final newline s lacks, if any.
func withEndLine(s string) string {
	if endsLine(s) {
		return s
	}
	return s + "\n"
}

// merge3Lines is Merge3 for texts that end in a newline (or are empty);
// loose is MergeUndo's rule.
func merge3Lines(base, current, yours string, loose bool) (merged string, ok bool) {
	switch {
	case current == yours:
		return current, true
	case base == current:
		return yours, true
	case base == yours:
		return current, true
	}
	baseLines := splitLines(base)
	m := merger{base: base, off: lineOffsets(baseLines)}
	all := slices.Concat(
		changesOf(baseLines, current, sideCurrent),
		changesOf(baseLines, yours, sideYours),
	)
	// Each side's changes are already sorted and separated by at least one
	// unchanged base line; sorting both by position lets one sweep find
	// the clashing groups.
	slices.SortStableFunc(all, func(x, y change) int {
		return cmp.Or(cmp.Compare(x.b0, y.b0), cmp.Compare(x.b1, y.b1))
	})

	var sb strings.Builder
	sb.Grow(max(len(current), len(yours)))
	pos := 0 // next base line to copy
	for i := 0; i < len(all); {
		// Grow the group while the next change clashes with the last
		// change of the other side in it. That last one reaches furthest,
		// and a change that clashes with none ends the group: every later
		// change starts further on still.
		var last [2]*change
		last[all[i].side] = &all[i]
		j := i + 1
		for ; j < len(all); j++ {
			x := &all[j]
			y := last[1-x.side]
			if y == nil || !clash(y, x, loose) {
				break
			}
			last[x.side] = x
		}
		group := all[i:j]
		i = j

		lo, hi := group[0].b0, 0
		for _, c := range group {
			hi = max(hi, c.b1)
		}
		sb.WriteString(m.lines(pos, lo))
		text := m.apply(group, group[0].side, lo, hi)
		if last[0] != nil && last[1] != nil && m.apply(group, 1-group[0].side, lo, hi) != text {
			return "", false
		}
		sb.WriteString(text)
		pos = hi
	}
	sb.WriteString(m.lines(pos, len(baseLines)))
	return sb.String(), true
}

// The two sides of a merge.
const (
	sideCurrent = 0
	sideYours   = 1
)

// change is one change a side made to base: lines [b0,b1) of base
// became text (whole lines). An insertion only adds lines; b0 < b1 when it
// was widened over repeated lines (see changesOf).
type change struct {
	b0, b1 int
	text   string
	side   int
	ins    bool
}

// clash reports whether y and x, changes from different sides with
// y.b0 <= x.b0, clash by the rules of Merge3 (loose: of MergeUndo).
func clash(y, x *change, loose bool) bool {
	if x.b0 < y.b1 {
		return true // they share a base line
	}
	// Touching at one position clashes unless neither is an insertion
	// (or, loose, one is a pure insertion and the other a pure deletion).
	if x.b0 != y.b1 || !x.ins && !y.ins {
		return false
	}
	return !(loose && (pureInsert(x) && pureDelete(y) || pureInsert(y) && pureDelete(x)))
}

func pureInsert(c *change) bool { return c.ins && c.b0 == c.b1 }
func pureDelete(c *change) bool { return !c.ins && c.text == "" && c.b0 < c.b1 }

// changesOf returns the changes that turn base's lines into text, in
// order, each separated from the next by at least one unchanged line.
//
// Where a line diff has a choice, such as which of two equal adjacent lines
// was deleted or after which of them a line was inserted, the two sides'
// diffs may choose differently, and their changes would then merge into
// nonsense (both copies deleted, or the same line inserted twice). So a
// pure deletion or insertion is widened over the repeated lines it could
// slide across, into a change that replaces them all: the same edit, just
// less minimal. Both sides' versions then clash, and merge only when
// they agree.
func changesOf(base []string, text string, side int) []change {
	lines := splitLines(text)
	type span struct {
		b0, b1, t0, t1 int // base[b0:b1] became lines[t0:t1]
		ins            bool
	}
	var (
		spans  []span
		bi, ti int
	)
	runs := lineRuns(base, lines)
	for k := 0; k < len(runs); k++ {
		r := runs[k]
		if r.op == OpEqual {
			bi, ti = bi+r.n, ti+r.n
			continue
		}
		s := span{b0: bi, t0: ti}
		if r.op == OpDelete {
			bi += r.n
			if k+1 < len(runs) && runs[k+1].op == OpInsert {
				k++
				ti += runs[k].n
			}
		} else {
			ti += r.n
		}
		s.b1, s.t1 = bi, ti
		s.ins = s.b0 == s.b1
		spans = append(spans, s)
	}

	var out []span
	for k, s := range spans {
		// Unchanged lines lie between the previous change and this one,
		// and between this one and the next, as many in base as in text.
		prevB, nextB := 0, len(base)
		if len(out) > 0 {
			prevB = out[len(out)-1].b1
		}
		if k+1 < len(spans) {
			nextB = spans[k+1].b0
		}
		switch {
		case s.t0 == s.t1: // deletion
			up, down := 0, 0
			for s.b0-up > prevB && base[s.b0-up-1] == base[s.b1-up-1] {
				up++
			}
			for s.b1+down < nextB && base[s.b0+down] == base[s.b1+down] {
				down++
			}
			s.b0, s.t0, s.b1, s.t1 = s.b0-up, s.t0-up, s.b1+down, s.t1+down
		case s.b0 == s.b1: // insertion
			up, down := 0, 0
			for s.b0-up > prevB && lines[s.t0-up-1] == lines[s.t1-up-1] {
				up++
			}
			for s.b1+down < nextB && lines[s.t0+down] == lines[s.t1+down] {
				down++
			}
			s.b0, s.t0, s.b1, s.t1 = s.b0-up, s.t0-up, s.b1+down, s.t1+down
		}
		if len(out) > 0 && s.b0 == prevB {
			// Widened up to the previous change: now they are one.
			last := &out[len(out)-1]
			last.b1, last.t1, last.ins = s.b1, s.t1, last.ins && s.ins
			continue
		}
		out = append(out, s)
	}

	off := lineOffsets(lines)
	changes := make([]change, len(out))
	for i, s := range out {
		changes[i] = change{b0: s.b0, b1: s.b1, text: text[off[s.t0]:off[s.t1]], side: side, ins: s.ins}
	}
	return changes
}

// lineOffsets returns the byte offset of each line in the text they
// were cut from, plus the text's length.
func lineOffsets(lines []string) []int {
	off := make([]int, len(lines)+1)
	for i, l := range lines {
		off[i+1] = off[i] + len(l)
	}
	return off
}

// merger holds the base text of a merge.
type merger struct {
	base string
	off  []int // lineOffsets of base
}

// lines returns base lines [from,to).
func (m *merger) lines(from, to int) string {
	return m.base[m.off[from]:m.off[to]]
}

// apply returns base lines [lo,hi) with side's changes of group applied.
func (m *merger) apply(group []change, side, lo, hi int) string {
	var sb strings.Builder
	pos := lo
	for _, c := range group {
		if c.side != side {
			continue
		}
		sb.WriteString(m.lines(pos, c.b0))
		sb.WriteString(c.text)
		pos = c.b1
	}
	sb.WriteString(m.lines(pos, hi))
	return sb.String()
}
