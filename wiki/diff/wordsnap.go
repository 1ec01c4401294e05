package diff

import (
	"strings"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// wordChange is a stretch of a word diff where the two sides differ: what the
// old side had there and what the new side has.
type wordChange struct{ del, ins string }

// wordSegment is an equal stretch (eq) or a change (chg) of a word diff.
type wordSegment struct {
	eq  string
	chg *wordChange
}

// snapToWords widens the changes of a character-level diff so that none
// starts or ends inside a word (a run of tokWord characters): the part of
// the word on the equal side moves into the change, on both sides, as
// the equal text is the same on both. Without it a word that changed only
// in its middle ("09:00" -> "08:30") is shown as two half-words.
func snapToWords(diffs []diffmatchpatch.Diff) []diffmatchpatch.Diff {
	var segs []wordSegment
	for _, d := range diffs {
		if d.Type == diffmatchpatch.DiffEqual {
			segs = append(segs, wordSegment{eq: d.Text})
			continue
		}
		if len(segs) == 0 || segs[len(segs)-1].chg == nil {
			segs = append(segs, wordSegment{chg: &wordChange{}})
		}
		c := segs[len(segs)-1].chg
		if d.Type == diffmatchpatch.DiffDelete {
			c.del += d.Text
		} else {
			c.ins += d.Text
		}
	}
	for i := range segs {
		if segs[i].chg != nil {
			continue
		}
		// The head of this equal stretch continues a word the change
		// before it ends in (on either side).
		if i > 0 && segs[i-1].chg != nil {
			c := segs[i-1].chg
			if endsInWord(c.del) || endsInWord(c.ins) {
				n := wordHead(segs[i].eq)
				c.del += segs[i].eq[:n]
				c.ins += segs[i].eq[:n]
				segs[i].eq = segs[i].eq[n:]
			}
		}
		// Its tail begins a word the change after it starts with.
		if i+1 < len(segs) && segs[i+1].chg != nil {
			c := segs[i+1].chg
			if startsInWord(c.del) || startsInWord(c.ins) {
				n := wordTail(segs[i].eq)
				tail := segs[i].eq[len(segs[i].eq)-n:]
				c.del = tail + c.del
				c.ins = tail + c.ins
				segs[i].eq = segs[i].eq[:len(segs[i].eq)-n]
			}
		}
	}
	// Back to diffs, merging changes that met where an equal stretch was
	// used up, and dropping the common ends a change may now have.
	var out []diffmatchpatch.Diff
	var pending *wordChange
	flush := func() {
		if pending == nil {
			return
		}
		if pending.del != "" {
			out = append(out, diffmatchpatch.Diff{Type: diffmatchpatch.DiffDelete, Text: pending.del})
		}
		if pending.ins != "" {
			out = append(out, diffmatchpatch.Diff{Type: diffmatchpatch.DiffInsert, Text: pending.ins})
		}
		pending = nil
	}
	for _, sg := range segs {
		if sg.chg != nil {
			if pending == nil {
				pending = &wordChange{}
			}
			pending.del += sg.chg.del
			pending.ins += sg.chg.ins
			continue
		}
		if sg.eq == "" {
			continue
		}
		flush()
		out = append(out, diffmatchpatch.Diff{Type: diffmatchpatch.DiffEqual, Text: sg.eq})
	}
	flush()
	return out
}

func isWordRune(r rune) bool { return r != utf8.RuneError && wordClass(r) == tokWord }

func endsInWord(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return s != "" && isWordRune(r)
}

func startsInWord(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return s != "" && isWordRune(r)
}

// wordHead is the length in bytes of the run of word characters s starts
// with; wordTail of the run it ends with.
func wordHead(s string) int {
	if i := strings.IndexFunc(s, func(r rune) bool { return !isWordRune(r) }); i >= 0 {
		return i
	}
	return len(s)
}

func wordTail(s string) int {
	i := strings.LastIndexFunc(s, func(r rune) bool { return !isWordRune(r) })
	if i < 0 {
		return len(s)
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return len(s) - i - n
}
