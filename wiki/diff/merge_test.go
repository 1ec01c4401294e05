package diff

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestMerge3(t *testing.T) {
	const base = "a\nb\nc\nd\ne\n"
	tests := []struct {
		name                 string
		base, current, yours string
		want                 string // "" when it conflicts
		ok                   bool
	}{
		{
			name: "edits at top and bottom merge",
			base: base, current: "A\nb\nc\nd\ne\n", yours: "a\nb\nc\nd\nE\n",
			want: "A\nb\nc\nd\nE\n", ok: true,
		},
		{
			name: "overlapping edits conflict",
			base: base, current: "a\nB\nc\nd\ne\n", yours: "a\nX\nc\nd\ne\n",
		},
		{
			name: "overlapping multi-line edits conflict",
			base: base, current: "a\nB\nC\nd\ne\n", yours: "a\nb\nX\nY\ne\n",
		},
		{
			name: "identical edits merge",
			base: base, current: "a\nB\nc\nd\ne\n", yours: "a\nB\nc\nd\nE\n",
			want: "a\nB\nc\nd\nE\n", ok: true,
		},
		{
			name: "identical insertions merge",
			base: base, current: "a\nnew\nb\nc\nd\ne\n", yours: "a\nnew\nb\nc\nd\nE\n",
			want: "a\nnew\nb\nc\nd\nE\n", ok: true,
		},
		{
			name: "current unchanged gives yours",
			base: base, current: base, yours: "x\n",
			want: "x\n", ok: true,
		},
		{
			name: "yours unchanged gives current",
			base: base, current: "", yours: base,
			want: "", ok: true,
		},
		{
			name: "both append different lines at the end",
			base: base, current: base + "f\n", yours: base + "g\n",
		},
		{
			name: "both append the same line at the end",
			base: base, current: base + "f\n", yours: "A\n" + base[2:] + "f\n",
			want: "A\nb\nc\nd\ne\nf\n", ok: true,
		},
		{
			name: "both insert different lines at the same place",
			base: base, current: "a\nb\nx\nc\nd\ne\n", yours: "a\nb\ny\nc\nd\ne\n",
		},
		{
			name: "delete vs edit of the same line",
			base: base, current: "a\nb\nd\ne\n", yours: "a\nb\nC\nd\ne\n",
		},
		{
			name: "adjacent line edits merge",
			base: base, current: "a\nB\nc\nd\ne\n", yours: "a\nb\nC\nd\ne\n",
			want: "a\nB\nC\nd\ne\n", ok: true,
		},
		{
			name: "adjacent delete and edit merge",
			base: base, current: "a\nc\nd\ne\n", yours: "a\nb\nC\nd\ne\n",
			want: "a\nC\nd\ne\n", ok: true,
		},
		{
			name: "insertion before lines the other side deleted conflicts",
			base: base, current: "a\nb\ne\n", yours: "a\nb\nnew\nc\nd\ne\n",
		},
		{
			name: "insertion after lines the other side changed conflicts",
			base: base, current: "a\nb\nC\nd\ne\n", yours: "a\nb\nc\nnew\nd\ne\n",
		},
		{
			name: "insertion one line away from a change merges",
			base: base, current: "a\nB\nc\nd\ne\n", yours: "a\nb\nc\nnew\nd\ne\n",
			want: "a\nB\nc\nnew\nd\ne\n", ok: true,
		},
		{
			name: "insertions at different places merge",
			base: base, current: "new1\na\nb\nc\nd\ne\n", yours: "a\nb\nc\nd\nnew2\ne\n",
			want: "new1\na\nb\nc\nd\nnew2\ne\n", ok: true,
		},
		{
			name:    "many scattered edits merge",
			base:    "1\n2\n3\n4\n5\n6\n7\n8\n9\n",
			current: "1\nTWO\n3\n5\n6\nsix and a half\n7\n8\n9\n", yours: "one\n2\n3\n4\nFIVE\n6\n7\nEIGHT\n9\nten\n",
			want: "one\nTWO\n3\nFIVE\n6\nsix and a half\n7\nEIGHT\n9\nten\n", ok: true,
		},
		{
			name: "current deletes everything, yours edits",
			base: base, current: "", yours: "a\nb\nC\nd\ne\n",
		},
		{
			name: "both add to an empty page",
			base: "", current: "x\n", yours: "y\n",
		},
		{
			name: "one side adds the final newline, the other edits above",
			base: "a\nb\nc", current: "a\nb\nc\n", yours: "A\nb\nc",
			want: "A\nb\nc\n", ok: true,
		},
		{
			name: "both extend a last line without a newline",
			base: "a\nb", current: "a\nb\nc", yours: "a\nb\nd\n",
		},
		{
			name: "both end the text the same way",
			base: "a\nb", current: "A\nb\n", yours: "a\nb\n",
			want: "A\nb\n", ok: true,
		},
		{
			name: "one side adds the final newline, the other edits the last line",
			base: "a\nb", current: "a\nb\n", yours: "a\nB",
			want: "a\nB\n", ok: true,
		},
		{
			name: "one side drops the final newline, the other appends a line",
			base: "a\nb\n", current: "a\nb", yours: "a\nb\nc\n",
			want: "a\nb\nc", ok: true,
		},
		{
			name: "one side appends a line without a newline, the other edits above",
			base: "a\nb\n", current: "a\nb\nc", yours: "A\nb\n",
			want: "A\nb\nc", ok: true,
		},
		{
			// Current' diff deletes the second "x", yours' the first; merging
			// those literally would delete both.
			name: "both delete one of two repeated lines",
			base: "a\nb\nx\nx\n", current: "a\nb\nx\n", yours: "A\nb\nx\n",
			want: "A\nb\nx\n", ok: true,
		},
		{
			name: "deleting one of repeated blank lines merges with an edit further away",
			base: "# T\n\n\n\np1\n\np2\n", current: "# T\n\np1\n\np2\n", yours: "# T\n\n\n\np1\n\nP2\n",
			want: "# T\n\np1\n\nP2\n", ok: true,
		},
		{
			// Current inserted an "x" that could sit after either "x"; yours
			// rewrote the line before them and added an "x" too.
			name: "insertion among repeated lines next to a change conflicts",
			base: "a\nx\nb\n", current: "a\nx\nx\nb\n", yours: "A\nx\nx\nb\n",
		},
		{
			name: "unicode lines",
			base: "Über\ncafé\n日本\n", current: "Über alles\ncafé\n日本\n", yours: "Über\ncafé\n日本語\n",
			want: "Über alles\ncafé\n日本語\n", ok: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Merge3(tt.base, tt.current, tt.yours)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Merge3 = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
			// Which side is "current" must not matter.
			got, ok = Merge3(tt.base, tt.yours, tt.current)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Merge3 swapped = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
			mergeCheck(t, tt.base, tt.current, tt.yours)
		})
	}
}

// TestMerge3Random checks the properties of mergeCheck on random texts
// made of a few distinct lines, which collide and overlap a lot.
func TestMerge3Random(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	merged := 0
	for range 3000 {
		base := diffRandomText(r)
		current, yours := mergeMutate(r, base), mergeMutate(r, base)
		if _, ok := Merge3(base, current, yours); ok {
			merged++
		}
		mergeCheck(t, base, current, yours)
	}
	if merged < 300 {
		t.Errorf("only %d of 3000 random edits merged; the test no longer exercises merging", merged)
	}
}

func FuzzMerge3(f *testing.F) {
	for _, seed := range [][3]string{
		{"a\nb\nc\nd\ne\n", "A\nb\nc\nd\ne\n", "a\nb\nc\nd\nE\n"},
		{"a\nb\nc\n", "a\nB\nc\n", "a\nX\nc\n"},
		{"a\nb\nc\n", "a\nb\nc\nd\n", "a\nb\nc\ne\n"},
		{"a\nb", "a\nb\n", "A\nb"},
		{"", "x", "y"},
		{"a\nb\nc\n", "a\nc\n", "a\nb\nnew\nc\n"},
		{"\x00\x01\x02\x03", "\x00\x02\x03\x01", "\x04\x01\x02"},
		{"b\ne\nc\ne\nd\ne", "b\na\ne\ne\ne", "b\ne\nc\ne\nd"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, base, current, yours string) {
		mergeCheck(t, base, current, yours)
		// The fuzzer rarely writes many lines; read each byte as a line
		// from a small set too, so that lines repeat and edits collide.
		mergeCheck(t, mergeExpand(base), mergeExpand(current), mergeExpand(yours))
	})
}

// mergeCheck checks what must hold for any three texts: merging with an
// unchanged side gives the other side, identical edits merge, the result
// doesn't depend on which side is current, and a clean merge keeps every line
// both sides kept, in order, and adds no line that neither side has.
func mergeCheck(t *testing.T, base, current, yours string) {
	t.Helper()
	for _, x := range []string{current, yours} {
		if got, ok := Merge3(base, base, x); got != x || !ok {
			t.Fatalf("Merge3(base, base, x) = %q, %v; want %q, true", got, ok, x)
		}
		if got, ok := Merge3(base, x, base); got != x || !ok {
			t.Fatalf("Merge3(base, x, base) = %q, %v; want %q, true", got, ok, x)
		}
		if got, ok := Merge3(base, x, x); got != x || !ok {
			t.Fatalf("Merge3(base, x, x) = %q, %v; want %q, true", got, ok, x)
		}
	}
	merged, ok := Merge3(base, current, yours)
	swapped, swappedOK := Merge3(base, yours, current)
	if merged != swapped || ok != swappedOK {
		t.Fatalf("Merge3(%q, %q, %q) = %q, %v but swapped %q, %v", base, current, yours, merged, ok, swapped, swappedOK)
	}
	if !ok {
		if merged != "" {
			t.Fatalf("conflict with text %q", merged)
		}
		return
	}

	// Merge3 compares lines as if every text ended in a newline, so "kept"
	// means kept in that sense.
	baseLines := splitLines(withEndLine(base))
	keptOurs := mergeKept(baseLines, withEndLine(current))
	keptTheirs := mergeKept(baseLines, withEndLine(yours))
	mergedLines := splitLines(withEndLine(merged))
	k := 0
	for i, l := range baseLines {
		if !keptOurs[i] || !keptTheirs[i] {
			continue
		}
		for k < len(mergedLines) && mergedLines[k] != l {
			k++
		}
		if k == len(mergedLines) {
			t.Fatalf("Merge3(%q, %q, %q) = %q lost base line %d %q that both kept", base, current, yours, merged, i+1, l)
		}
		k++
	}
	known := map[string]bool{}
	for _, s := range []string{base, current, yours} {
		for _, l := range splitLines(withEndLine(s)) {
			known[l] = true
		}
	}
	for _, l := range mergedLines {
		if !known[l] {
			t.Fatalf("Merge3(%q, %q, %q) = %q has line %q that no side has", base, current, yours, merged, l)
		}
	}
}

// mergeKept reports, for each base line, whether text kept it.
func mergeKept(base []string, text string) []bool {
	kept := make([]bool, len(base))
	i := 0
	for _, r := range lineRuns(base, splitLines(text)) {
		if r.op == OpEqual {
			for k := range r.n {
				kept[i+k] = true
			}
		}
		if r.op != OpInsert {
			i += r.n
		}
	}
	return kept
}

// mergeExpand turns each byte of s into a line from a small set; an odd
// first byte leaves the last line without its newline.
func mergeExpand(s string) string {
	if s == "" {
		return ""
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		sb.WriteByte('a' + s[i]%6)
		sb.WriteByte('\n')
	}
	out := sb.String()
	if s[0]%2 == 1 {
		out = strings.TrimSuffix(out, "\n")
	}
	return out
}

// mergeMutate edits a few random lines of text: changes, deletions and
// insertions.
func mergeMutate(r *rand.Rand, text string) string {
	lines := splitLines(text)
	for range r.IntN(3) {
		i := r.IntN(len(lines) + 1)
		switch op := r.IntN(3); {
		case op == 0 || len(lines) == i:
			lines = append(lines[:i], append([]string{"ins" + string(rune('0'+r.IntN(3))) + "\n"}, lines[i:]...)...)
		case op == 1:
			lines = append(lines[:i], lines[i+1:]...)
		default:
			lines[i] = "chg" + string(rune('0'+r.IntN(3))) + "\n"
		}
	}
	return strings.Join(lines, "")
}

func BenchmarkMerge3(b *testing.B) {
	base := diffPage(50 << 10)
	lines := splitLines(base)
	// Current edits near the top and middle, yours near the bottom.
	current := append([]string(nil), lines...)
	yours := append([]string(nil), lines...)
	current[len(current)/10] = "current was here\n"
	current[len(current)/2] = "and here\n"
	yours[len(yours)*9/10] = "yours was here\n"
	yours = append(yours, "yours added this\n")
	o, t := strings.Join(current, ""), strings.Join(yours, "")
	b.SetBytes(int64(len(base)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Merge3(base, o, t); !ok {
			b.Fatal("conflict")
		}
	}
}

// TestMergeUndo: a deletion right before the other side's insertion
// clashes in Merge3 but merges in MergeUndo; a rewrite beside an
// insertion still clashes in both.
func TestMergeUndo(t *testing.T) {
	base := "Q1\n\nQ2\n"          // the revision whose change is taken back (it added Q2)
	current := "Q1\n\nQ2\n\nQ3\n" // Q3 added after it since
	yours := "Q1\n"               // the text before that revision
	if _, ok := Merge3(base, current, yours); ok {
		t.Error("Merge3 merged a deletion with an insertion at its edge")
	}
	if got, ok := MergeUndo(base, current, yours); !ok || got != "Q1\n\nQ3\n" {
		t.Errorf("MergeUndo = %q, %v; want Q2 gone and Q3 kept", got, ok)
	}
	// An insertion right before the deleted lines.
	if got, ok := MergeUndo("A\nB\nC\n", "A\nnew\nB\nC\n", "A\nC\n"); !ok || got != "A\nnew\nC\n" {
		t.Errorf("insertion before a deletion: %q, %v", got, ok)
	}
	// A rewrite beside an insertion is still a guess: refused.
	if _, ok := MergeUndo("A\nB\nC\n", "A\nB\nnew\nC\n", "A\nB2\nC\n"); ok {
		t.Error("MergeUndo merged a rewrite with an insertion at its edge")
	}
	// Overlapping changes still clash.
	if _, ok := MergeUndo("A\nB\n", "A\nB!\n", "A\n"); ok {
		t.Error("MergeUndo merged changes of the same line")
	}
}
