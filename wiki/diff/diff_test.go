package diff

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestDiffText(t *testing.T) {
	tests := []struct {
		name           string
		old, new       string
		want           []Hunk
		added, removed int
	}{
		{
			name: "identical",
			old:  "a\nb\n", new: "a\nb\n",
			want: []Hunk{{Op: OpEqual, Text: "a\nb\n"}},
		},
		{
			name: "both empty",
		},
		{
			name: "empty old",
			old:  "", new: "a\nb\n",
			want:  []Hunk{{Op: OpInsert, Text: "a\nb\n"}},
			added: 2,
		},
		{
			name: "empty new",
			old:  "a\nb", new: "",
			want:    []Hunk{{Op: OpDelete, Text: "a\nb"}},
			removed: 2,
		},
		{
			name: "insert",
			old:  "a\nc\n", new: "a\nb\nc\n",
			want: []Hunk{
				{Op: OpEqual, Text: "a\n"},
				{Op: OpInsert, Text: "b\n"},
				{Op: OpEqual, Text: "c\n"},
			},
			added: 1,
		},
		{
			name: "delete",
			old:  "a\nb\nc\nd\n", new: "a\nd\n",
			want: []Hunk{
				{Op: OpEqual, Text: "a\n"},
				{Op: OpDelete, Text: "b\nc\n"},
				{Op: OpEqual, Text: "d\n"},
			},
			removed: 2,
		},
		{
			name: "replace with word detail",
			old:  "# Title\nthe quick brown fox jumps\nend\n",
			new:  "# Title\nthe quick red fox jumps\nend\n",
			want: []Hunk{
				{Op: OpEqual, Text: "# Title\n"},
				{Op: OpDelete, Text: "the quick brown fox jumps\n", Words: []Word{
					{OpEqual, "the quick "}, {OpDelete, "brown"}, {OpEqual, " fox jumps\n"},
				}},
				{Op: OpInsert, Text: "the quick red fox jumps\n", Words: []Word{
					{OpEqual, "the quick "}, {OpInsert, "red"}, {OpEqual, " fox jumps\n"},
				}},
				{Op: OpEqual, Text: "end\n"},
			},
			added: 1, removed: 1,
		},
		{
			name: "replace two lines with one",
			old:  "keep\nVPN access needs a ticket.\nAsk IT.\n",
			new:  "keep\nVPN access needs a form; ask IT.\n",
			want: []Hunk{
				{Op: OpEqual, Text: "keep\n"},
				{Op: OpDelete, Text: "VPN access needs a ticket.\nAsk IT.\n", Words: []Word{
					{OpEqual, "VPN access needs a "}, {OpDelete, "ticket.\nAsk"}, {OpEqual, " IT.\n"},
				}},
				{Op: OpInsert, Text: "VPN access needs a form; ask IT.\n", Words: []Word{
					{OpEqual, "VPN access needs a "}, {OpInsert, "form; ask"}, {OpEqual, " IT.\n"},
				}},
			},
			added: 1, removed: 2,
		},
		{
			name: "newline added at end",
			old:  "a\nx", new: "a\nx\n",
			want: []Hunk{
				{Op: OpEqual, Text: "a\n"},
				{Op: OpDelete, Text: "x", Words: []Word{{OpEqual, "x"}}},
				{Op: OpInsert, Text: "x\n", Words: []Word{{OpEqual, "x"}, {OpInsert, "\n"}}},
			},
			added: 1, removed: 1,
		},
		{
			name: "line appended after last line without newline",
			old:  "x", new: "x\ny",
			want: []Hunk{
				{Op: OpDelete, Text: "x", Words: []Word{{OpEqual, "x"}}},
				{Op: OpInsert, Text: "x\ny", Words: []Word{{OpEqual, "x"}, {OpInsert, "\ny"}}},
			},
			added: 2, removed: 1,
		},
		{
			name: "unicode",
			old:  "Über naïve café\n日本語の文章です\n",
			new:  "Über naïve caffè\n日本語の記事です\n",
			want: []Hunk{
				{Op: OpDelete, Text: "Über naïve café\n日本語の文章です\n", Words: []Word{
					{OpEqual, "Über naïve "}, {OpDelete, "café"}, {OpEqual, "\n日本語の"}, {OpDelete, "文章"}, {OpEqual, "です\n"},
				}},
				{Op: OpInsert, Text: "Über naïve caffè\n日本語の記事です\n", Words: []Word{
					{OpEqual, "Über naïve "}, {OpInsert, "caffè"}, {OpEqual, "\n日本語の"}, {OpInsert, "記事"}, {OpEqual, "です\n"},
				}},
			},
			added: 2, removed: 2,
		},
		{
			// Character cleanup once cut these inside the words: "[-9:0-][+8:3+]0".
			name: "word changed in its middle is highlighted whole",
			old:  "Stand-up at 09:00 in the helpdesk room\n",
			new:  "Stand-up at 08:30 in the servicedesk room\n",
			want: []Hunk{
				{Op: OpDelete, Text: "Stand-up at 09:00 in the helpdesk room\n", Words: []Word{
					{OpEqual, "Stand-up at "}, {OpDelete, "09:00"}, {OpEqual, " in the "}, {OpDelete, "helpdesk"}, {OpEqual, " room\n"},
				}},
				{Op: OpInsert, Text: "Stand-up at 08:30 in the servicedesk room\n", Words: []Word{
					{OpEqual, "Stand-up at "}, {OpInsert, "08:30"}, {OpEqual, " in the "}, {OpInsert, "servicedesk"}, {OpEqual, " room\n"},
				}},
			},
			added: 1, removed: 1,
		},
		{
			name: "block too big for word detail",
			old:  "a\n" + strings.Repeat("x", wordDetailMaxBytes+1) + "\n",
			new:  "a\n" + strings.Repeat("y", 10) + "\n",
			want: []Hunk{
				{Op: OpEqual, Text: "a\n"},
				{Op: OpDelete, Text: strings.Repeat("x", wordDetailMaxBytes+1) + "\n"},
				{Op: OpInsert, Text: strings.Repeat("y", 10) + "\n"},
			},
			added: 1, removed: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Compare(tt.old, tt.new)
			if got, want := diffHunks(d.Hunks), diffHunks(tt.want); got != want {
				t.Errorf("hunks:\n%s\nwant:\n%s", got, want)
			}
			if d.Added != tt.added || d.Removed != tt.removed {
				t.Errorf("added, removed = %d, %d; want %d, %d", d.Added, d.Removed, tt.added, tt.removed)
			}
			diffCheck(t, tt.old, tt.new, d)
		})
	}
}

// TestDiffManyDistinctLines checks that a text with far more distinct lines
// than fit in 16 bits diffs correctly, and quickly.
func TestDiffManyDistinctLines(t *testing.T) {
	const n = 100_000
	var old, changed strings.Builder
	for i := range n {
		fmt.Fprintf(&old, "line %d\n", i)
		switch i {
		case 10, 50_000, 99_998:
			fmt.Fprintf(&changed, "line %d changed\n", i)
		case 70_000:
			// deleted
		case 80_000:
			fmt.Fprintf(&changed, "line %d\ninserted\n", i)
		default:
			fmt.Fprintf(&changed, "line %d\n", i)
		}
	}
	start := time.Now()
	d := Compare(old.String(), changed.String())
	elapsed := time.Since(start)
	if d.Added != 4 || d.Removed != 4 {
		t.Errorf("added, removed = %d, %d; want 4, 4", d.Added, d.Removed)
	}
	diffCheck(t, old.String(), changed.String(), d)
	// Speed is measured by BenchmarkDiff1MB; this only catches a diff
	// that went quadratic (minutes, not milliseconds).
	if elapsed > 30*time.Second {
		t.Errorf("diff took %v", elapsed)
	}

	// Two unrelated texts with 100k distinct lines each.
	var other strings.Builder
	for i := range n {
		fmt.Fprintf(&other, "other %d\n", i)
	}
	d = Compare(old.String(), other.String())
	if d.Added != n || d.Removed != n {
		t.Errorf("unrelated: added, removed = %d, %d; want %d, %d", d.Added, d.Removed, n, n)
	}
	diffCheck(t, old.String(), other.String(), d)
}

func TestDiffTooManyDistinctLines(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two 10 MB texts")
	}
	// More shared distinct lines than there are runes to number them (not
	// possible within MaxMarkdownBytes): the diff gives up on matching
	// them and replaces everything, rather than panic as go-diff's
	// DiffLinesToChars does.
	n := maxRuneCodes + 10
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, "%x\n", i)
	}
	lines := sb.String()
	a, b := "start\n"+lines+"end\n", "begin\n"+lines+"finish\n"
	added, removed := LineStats(a, b)
	if added != n+2 || removed != n+2 {
		t.Errorf("added, removed = %d, %d; want %d each", added, removed, n+2)
	}
}

func TestDiffInline(t *testing.T) {
	old := diffNumbered(1, 10)
	tests := []struct {
		name    string
		old     string
		new     string
		context int
		want    string
	}{
		{
			name: "change in the middle",
			old:  old, new: strings.Replace(old, "l5\n", "l5 edited\n", 1),
			context: 2,
			want: `@1,1
  1  1 l1
  2  2 l2
  3  3 l3
  4  4 l4
- 5    l5
+    5 l5{+ edited+}
  6  6 l6
  7  7 l7
~3 @8,8`,
		},
		{
			name: "two changes with a short stretch between stay together",
			old:  old, new: strings.Replace(strings.Replace(old, "l2\n", "", 1), "l6\n", "l6\nnew\n", 1),
			context: 2,
			want: `@1,1
  1  1 l1
- 2    l2
  3  2 l3
  4  3 l4
  5  4 l5
  6  5 l6
+    6 new
  7  7 l7
  8  8 l8
  9  9 l9
 10 10 l10`,
		},
		{
			name: "two changes far apart fold between",
			old:  old, new: strings.Replace(strings.Replace(old, "l1\n", "L1\n", 1), "l10\n", "l10\nl11\n", 1),
			context: 1,
			want: `@1,1
- 1    [-l1-]
+    1 {+L1+}
  2  2 l2
~7 @3,3
@10,10
 10 10 l10
+   11 l11`,
		},
		{
			name: "context 0",
			old:  old, new: strings.Replace(old, "l4\n", "", 1),
			context: 0,
			want: `~3 @1,1
@4,4
- 4    l4
~6 @5,4`,
		},
		{
			name: "negative context is 0",
			old:  old, new: strings.Replace(old, "l4\n", "", 1),
			context: -5,
			want: `~3 @1,1
@4,4
- 4    l4
~6 @5,4`,
		},
		{
			name: "stretch of exactly 2*context is shown",
			old:  old, new: strings.Replace(strings.Replace(old, "l2\n", "x\n", 1), "l7\n", "y\n", 1),
			context: 2,
			want: `@1,1
  1  1 l1
- 2    [-l2-]
+    2 {+x+}
  3  3 l3
  4  4 l4
  5  5 l5
  6  6 l6
- 7    [-l7-]
+    7 {+y+}
  8  8 l8
  9  9 l9
 10 10 l10`,
		},
		{
			name: "huge context shows everything",
			old:  "a\nb\nc\n", new: "a\nB\nc\n",
			context: int(^uint(0) >> 1),
			want: `@1,1
  1  1 a
- 2    [-b-]
+    2 {+B+}
  3  3 c`,
		},
		{
			name: "identical texts are one fold",
			old:  old, new: old,
			context: 3,
			want:    `~10 @1,1`,
		},
		{
			name:    "empty texts have no blocks",
			context: 3,
			want:    ``,
		},
		{
			name: "no newline at end",
			old:  "a\nb", new: "a\nb\n",
			context: 3,
			want: `@1,1
  1  1 a
- 2    b (no newline)
+    2 b`,
		},
		{
			name: "empty lines and a multi-line replacement",
			old:  "a\n\nb c\nd\n", new: "a\n\nb\nc d\n",
			context: 1,
			want: `@1,1
  1  1 a
  2  2 
- 3    b[- c-]
- 4    d
+    3 b
+    4 {+c +}d`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Compare(tt.old, tt.new)
			if got := diffRenderInline(d.Inline(tt.context)); got != tt.want {
				t.Errorf("Inline(%d) =\n%s\nwant:\n%s", tt.context, got, tt.want)
			}
		})
	}
}

func TestDiffSideBySide(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		context  int
		want     string
	}{
		{
			name: "more deleted than inserted",
			old:  "a\nb\nc\nd\ne\n", new: "a\nB\ne\n",
			context: 1,
			want: `@1,1
1 a | 1 a
2 [-b-] | 2 {+B+}
3 [-c-] | 
4 [-d-] | 
5 e | 3 e`,
		},
		{
			name: "more inserted than deleted, then a fold",
			old:  diffNumbered(1, 8), new: "l1\nx\ny\n" + diffNumbered(3, 8),
			context: 1,
			want: `@1,1
1 l1 | 1 l1
2 [-l2-] | 2 {+x+}
 | 3 {+y+}
3 l3 | 4 l3
~5 @4,5`,
		},
		{
			name: "pure insertion",
			old:  "a\nb\n", new: "a\nnew\nb\n",
			context: 3,
			want: `@1,1
1 a | 1 a
 | 2 new
2 b | 3 b`,
		},
		{
			name: "identical",
			old:  "a\nb\n", new: "a\nb\n",
			context: 3,
			want:    `~2 @1,1`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Compare(tt.old, tt.new)
			if got := diffRenderSideBySide(d.SideBySide(tt.context)); got != tt.want {
				t.Errorf("SideBySide(%d) =\n%s\nwant:\n%s", tt.context, got, tt.want)
			}
		})
	}
}

// TestLineStatsMatchesDiffText checks LineStats against Compare on random
// texts made of a few distinct lines, so that they share a lot.
func TestLineStatsMatchesDiffText(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		old, changed := diffRandomText(r), diffRandomText(r)
		d := Compare(old, changed)
		added, removed := LineStats(old, changed)
		if added != d.Added || removed != d.Removed {
			t.Fatalf("#%d: LineStats(%q, %q) = %d, %d; Compare counts %d, %d",
				i, old, changed, added, removed, d.Added, d.Removed)
		}
		diffCheck(t, old, changed, d)
	}
}

func FuzzCompare(f *testing.F) {
	for _, seed := range [][2]string{
		{"", ""},
		{"a\nb\nc\n", "a\nc\n"},
		{"x", "x\n"},
		{"the quick brown fox\n", "the quick red fox\n"},
		{"Über naïve café\n日本語\n", "Über naïve caffè\n日本\n"},
		{"a\n\n\nb\n", "\n\na\n"},
		{"\xff\xfe\n", "\xff\n"},
		{"# T\n\n- one\n- two\n", "# T\n\n- one\n- 2\n- three"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, old, changed string) {
		diffCheck(t, old, changed, Compare(old, changed))
	})
}

// diffCheck checks what must hold for any diff d of old and changed: the
// hunks rebuild both texts, the counts agree, Words add up to their hunk's
// text, and Inline and SideBySide number every line right.
func diffCheck(t *testing.T, old, changed string, d *Diff) {
	t.Helper()
	var o, n strings.Builder
	var added, removed int
	for i, h := range d.Hunks {
		if h.Text == "" {
			t.Fatalf("hunk %d is empty", i)
		}
		if i > 0 && d.Hunks[i-1].Op == h.Op {
			t.Fatalf("hunks %d and %d have the same op", i-1, i)
		}
		if h.Op != OpEqual && h.Op != OpInsert && h.Op != OpDelete {
			t.Fatalf("hunk %d: op %q", i, h.Op)
		}
		if h.Op != OpInsert {
			o.WriteString(h.Text)
		}
		if h.Op != OpDelete {
			n.WriteString(h.Text)
		}
		switch h.Op {
		case OpInsert:
			added += countLines(h.Text)
		case OpDelete:
			removed += countLines(h.Text)
		}
		if h.Words != nil {
			if h.Op == OpEqual {
				t.Fatalf("hunk %d: equal hunk has words", i)
			}
			var w strings.Builder
			for _, p := range h.Words {
				if p.Op != OpEqual && p.Op != h.Op {
					t.Fatalf("hunk %d (%s): piece with op %s", i, h.Op, p.Op)
				}
				w.WriteString(p.Text)
			}
			if w.String() != h.Text {
				t.Fatalf("hunk %d: words add up to %q; text is %q", i, w.String(), h.Text)
			}
		}
		// Hunks hold whole lines: only the text's last line may lack "\n".
		if !strings.HasSuffix(h.Text, "\n") && i != len(d.Hunks)-1 &&
			!(h.Op == OpDelete && d.Hunks[i+1].Op == OpInsert && i+1 == len(d.Hunks)-1) {
			t.Fatalf("hunk %d %q does not end a line", i, h.Text)
		}
	}
	if o.String() != old {
		t.Fatalf("equal+delete hunks give %q, want %q", o.String(), old)
	}
	if n.String() != changed {
		t.Fatalf("equal+insert hunks give %q, want %q", n.String(), changed)
	}
	if added != d.Added || removed != d.Removed {
		t.Fatalf("Added, Removed = %d, %d; hunks have %d, %d", d.Added, d.Removed, added, removed)
	}
	if a, r := LineStats(old, changed); a != d.Added || r != d.Removed {
		t.Fatalf("LineStats = %d, %d; Compare %d, %d", a, r, d.Added, d.Removed)
	}

	oldLines, newLines := splitLines(old), splitLines(changed)
	for _, context := range []int{0, 1, 3} {
		oldNo, newNo := 0, 0
		for _, b := range d.Inline(context) {
			if b.OldStart != oldNo+1 || b.NewStart != newNo+1 {
				t.Fatalf("Inline(%d): block starts at %d,%d after %d,%d", context, b.OldStart, b.NewStart, oldNo, newNo)
			}
			if b.Folded > 0 {
				if len(b.Lines) > 0 {
					t.Fatalf("Inline(%d): fold with lines", context)
				}
				for k := range b.Folded {
					if oldLines[oldNo+k] != newLines[newNo+k] {
						t.Fatalf("Inline(%d): folded line %d,%d differs", context, oldNo+k+1, newNo+k+1)
					}
				}
				oldNo += b.Folded
				newNo += b.Folded
				continue
			}
			if len(b.Lines) == 0 {
				t.Fatalf("Inline(%d): empty block", context)
			}
			for _, l := range b.Lines {
				var text strings.Builder
				for _, w := range l.Words {
					text.WriteString(w.Text)
				}
				if !l.NoNewline {
					text.WriteByte('\n')
				}
				if l.Op != OpInsert {
					oldNo++
					if l.OldNo != oldNo || oldLines[oldNo-1] != text.String() {
						t.Fatalf("Inline(%d): old line %d is %d %q, want %q", context, oldNo, l.OldNo, text.String(), oldLines[oldNo-1])
					}
				} else if l.OldNo != 0 {
					t.Fatalf("Inline(%d): inserted line has old number %d", context, l.OldNo)
				}
				if l.Op != OpDelete {
					newNo++
					if l.NewNo != newNo || newLines[newNo-1] != text.String() {
						t.Fatalf("Inline(%d): new line %d is %d %q, want %q", context, newNo, l.NewNo, text.String(), newLines[newNo-1])
					}
				} else if l.NewNo != 0 {
					t.Fatalf("Inline(%d): deleted line has new number %d", context, l.NewNo)
				}
			}
		}
		if oldNo != len(oldLines) || newNo != len(newLines) {
			t.Fatalf("Inline(%d) covers %d,%d lines of %d,%d", context, oldNo, newNo, len(oldLines), len(newLines))
		}
	}
	for _, b := range d.SideBySide(1) {
		for _, row := range b.Rows {
			if row.Left == nil && row.Right == nil {
				t.Fatal("SideBySide: empty row")
			}
			if row.Left != nil && row.Left.Op == OpInsert || row.Right != nil && row.Right.Op == OpDelete {
				t.Fatal("SideBySide: line on the wrong side")
			}
		}
	}
}

// diffHunks renders hunks for comparison in test failures.
func diffHunks(hunks []Hunk) string {
	var sb strings.Builder
	for _, h := range hunks {
		fmt.Fprintf(&sb, "%s %q", h.Op, h.Text)
		for _, w := range h.Words {
			fmt.Fprintf(&sb, " %s:%q", w.Op, w.Text)
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

// diffLine renders a line's pieces: [-deleted-], {+inserted+}.
func diffLine(l *Line) string {
	var sb strings.Builder
	for _, w := range l.Words {
		switch w.Op {
		case OpDelete:
			sb.WriteString("[-" + w.Text + "-]")
		case OpInsert:
			sb.WriteString("{+" + w.Text + "+}")
		default:
			sb.WriteString(w.Text)
		}
	}
	if l.NoNewline {
		sb.WriteString(" (no newline)")
	}
	return sb.String()
}

// diffNo renders a line number, blank for none.
func diffNo(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

func diffRenderInline(blocks []Block) string {
	var out []string
	for _, b := range blocks {
		if b.Folded > 0 {
			out = append(out, fmt.Sprintf("~%d @%d,%d", b.Folded, b.OldStart, b.NewStart))
			continue
		}
		out = append(out, fmt.Sprintf("@%d,%d", b.OldStart, b.NewStart))
		for _, l := range b.Lines {
			op := map[Op]string{OpEqual: " ", OpDelete: "-", OpInsert: "+"}[l.Op]
			out = append(out, fmt.Sprintf("%s%2s %2s %s", op, diffNo(l.OldNo), diffNo(l.NewNo), diffLine(&l)))
		}
	}
	return strings.Join(out, "\n")
}

func diffRenderSideBySide(blocks []RowBlock) string {
	var out []string
	for _, b := range blocks {
		if b.Folded > 0 {
			out = append(out, fmt.Sprintf("~%d @%d,%d", b.Folded, b.OldStart, b.NewStart))
			continue
		}
		out = append(out, fmt.Sprintf("@%d,%d", b.OldStart, b.NewStart))
		for _, r := range b.Rows {
			var left, right string
			if r.Left != nil {
				left = diffNo(r.Left.OldNo) + " " + diffLine(r.Left)
			}
			if r.Right != nil {
				right = diffNo(r.Right.NewNo) + " " + diffLine(r.Right)
			}
			out = append(out, left+" | "+right)
		}
	}
	return strings.Join(out, "\n")
}

// diffNumbered returns lines "l<from>\n" to "l<to>\n".
func diffNumbered(from, to int) string {
	var sb strings.Builder
	for i := from; i <= to; i++ {
		fmt.Fprintf(&sb, "l%d\n", i)
	}
	return sb.String()
}

// diffRandomText returns up to 12 lines drawn from a small set, with or
// without a final newline.
func diffRandomText(r *rand.Rand) string {
	words := []string{"a", "b", "c", "a b", "b c", "", "ü", "日本"}
	var sb strings.Builder
	for range r.IntN(13) {
		sb.WriteString(words[r.IntN(len(words))])
		sb.WriteByte('\n')
	}
	s := sb.String()
	if r.IntN(3) == 0 {
		s = strings.TrimSuffix(s, "\n")
	}
	return s
}

// diffPage returns a wiki-like page of about size bytes whose lines
// are distinct, with the headings and blank lines real pages repeat.
func diffPage(size int) string {
	var sb strings.Builder
	for i := 0; sb.Len() < size; i++ {
		switch {
		case i%40 == 0:
			fmt.Fprintf(&sb, "\n## Question %d: how do I get VPN access?\n\n", i/40)
		case i%7 == 0:
			sb.WriteString("\n")
		default:
			fmt.Fprintf(&sb, "Line %d: ask the service desk for a ticket, then install the client (%d).\n", i, i*31%97)
		}
	}
	return sb.String()
}

// diffEdit changes a few lines scattered through text: one in every
// stretch of about len/parts bytes is edited, and one line is deleted and
// one inserted.
func diffEdit(text string, parts int) string {
	lines := splitLines(text)
	step := max(len(lines)/parts, 1)
	for i := step / 2; i < len(lines); i += step {
		lines[i] = strings.Replace(lines[i], "service desk", "help desk", 1)
	}
	lines = append(lines[:step/3], lines[step/3+1:]...)
	k := len(lines) * 2 / 3
	lines = append(lines[:k], append([]string{"A brand new line.\n"}, lines[k:]...)...)
	return strings.Join(lines, "")
}

func benchmarkDiff(b *testing.B, size int) {
	old := diffPage(size)
	changed := diffEdit(old, 8)
	b.SetBytes(int64(len(old)))
	b.ReportAllocs()
	for b.Loop() {
		d := Compare(old, changed)
		if d.Added == 0 {
			b.Fatal("no change found")
		}
	}
}

func BenchmarkDiff50KB(b *testing.B) { benchmarkDiff(b, 50<<10) }

func BenchmarkDiff1MB(b *testing.B) { benchmarkDiff(b, 1<<20) }

func BenchmarkLineStats1MB(b *testing.B) {
	old := diffPage(1 << 20)
	changed := diffEdit(old, 8)
	b.SetBytes(int64(len(old)))
	b.ReportAllocs()
	for b.Loop() {
		if added, _ := LineStats(old, changed); added == 0 {
			b.Fatal("no change found")
		}
	}
}
