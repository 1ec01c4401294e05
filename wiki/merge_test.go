package wiki

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestMerge3(t *testing.T) {
	const base = "a\nb\nc\nd\ne\n"
	tests := []struct {
		name               string
		base, ours, theirs string
		want               string // "" when it conflicts
		ok                 bool
	}{
		{
			name: "edits at top and bottom merge",
			base: base, ours: "A\nb\nc\nd\ne\n", theirs: "a\nb\nc\nd\nE\n",
			want: "A\nb\nc\nd\nE\n", ok: true,
		},
		{
			name: "overlapping edits conflict",
			base: base, ours: "a\nB\nc\nd\ne\n", theirs: "a\nX\nc\nd\ne\n",
		},
		{
			name: "overlapping multi-line edits conflict",
			base: base, ours: "a\nB\nC\nd\ne\n", theirs: "a\nb\nX\nY\ne\n",
		},
		{
			name: "identical edits merge",
			base: base, ours: "a\nB\nc\nd\ne\n", theirs: "a\nB\nc\nd\nE\n",
			want: "a\nB\nc\nd\nE\n", ok: true,
		},
		{
			name: "identical insertions merge",
			base: base, ours: "a\nnew\nb\nc\nd\ne\n", theirs: "a\nnew\nb\nc\nd\nE\n",
			want: "a\nnew\nb\nc\nd\nE\n", ok: true,
		},
		{
			name: "ours unchanged gives theirs",
			base: base, ours: base, theirs: "x\n",
			want: "x\n", ok: true,
		},
		{
			name: "theirs unchanged gives ours",
			base: base, ours: "", theirs: base,
			want: "", ok: true,
		},
		{
			name: "both append different lines at the end",
			base: base, ours: base + "f\n", theirs: base + "g\n",
		},
		{
			name: "both append the same line at the end",
			base: base, ours: base + "f\n", theirs: "A\n" + base[2:] + "f\n",
			want: "A\nb\nc\nd\ne\nf\n", ok: true,
		},
		{
			name: "both insert different lines at the same place",
			base: base, ours: "a\nb\nx\nc\nd\ne\n", theirs: "a\nb\ny\nc\nd\ne\n",
		},
		{
			name: "delete vs edit of the same line",
			base: base, ours: "a\nb\nd\ne\n", theirs: "a\nb\nC\nd\ne\n",
		},
		{
			name: "adjacent line edits merge",
			base: base, ours: "a\nB\nc\nd\ne\n", theirs: "a\nb\nC\nd\ne\n",
			want: "a\nB\nC\nd\ne\n", ok: true,
		},
		{
			name: "adjacent delete and edit merge",
			base: base, ours: "a\nc\nd\ne\n", theirs: "a\nb\nC\nd\ne\n",
			want: "a\nC\nd\ne\n", ok: true,
		},
		{
			name: "insertion before lines the other side deleted conflicts",
			base: base, ours: "a\nb\ne\n", theirs: "a\nb\nnew\nc\nd\ne\n",
		},
		{
			name: "insertion after lines the other side changed conflicts",
			base: base, ours: "a\nb\nC\nd\ne\n", theirs: "a\nb\nc\nnew\nd\ne\n",
		},
		{
			name: "insertion one line away from a change merges",
			base: base, ours: "a\nB\nc\nd\ne\n", theirs: "a\nb\nc\nnew\nd\ne\n",
			want: "a\nB\nc\nnew\nd\ne\n", ok: true,
		},
		{
			name: "insertions at different places merge",
			base: base, ours: "new1\na\nb\nc\nd\ne\n", theirs: "a\nb\nc\nd\nnew2\ne\n",
			want: "new1\na\nb\nc\nd\nnew2\ne\n", ok: true,
		},
		{
			name: "many scattered edits merge",
			base: "1\n2\n3\n4\n5\n6\n7\n8\n9\n",
			ours: "1\nTWO\n3\n5\n6\nsix and a half\n7\n8\n9\n", theirs: "one\n2\n3\n4\nFIVE\n6\n7\nEIGHT\n9\nten\n",
			want: "one\nTWO\n3\nFIVE\n6\nsix and a half\n7\nEIGHT\n9\nten\n", ok: true,
		},
		{
			name: "ours deletes everything, theirs edits",
			base: base, ours: "", theirs: "a\nb\nC\nd\ne\n",
		},
		{
			name: "both add to an empty page",
			base: "", ours: "x\n", theirs: "y\n",
		},
		{
			name: "one side adds the final newline, the other edits above",
			base: "a\nb\nc", ours: "a\nb\nc\n", theirs: "A\nb\nc",
			want: "A\nb\nc\n", ok: true,
		},
		{
			name: "both extend a last line without a newline",
			base: "a\nb", ours: "a\nb\nc", theirs: "a\nb\nd\n",
		},
		{
			name: "both end the text the same way",
			base: "a\nb", ours: "A\nb\n", theirs: "a\nb\n",
			want: "A\nb\n", ok: true,
		},
		{
			name: "one side adds the final newline, the other edits the last line",
			base: "a\nb", ours: "a\nb\n", theirs: "a\nB",
			want: "a\nB\n", ok: true,
		},
		{
			name: "one side drops the final newline, the other appends a line",
			base: "a\nb\n", ours: "a\nb", theirs: "a\nb\nc\n",
			want: "a\nb\nc", ok: true,
		},
		{
			name: "one side appends a line without a newline, the other edits above",
			base: "a\nb\n", ours: "a\nb\nc", theirs: "A\nb\n",
			want: "A\nb\nc", ok: true,
		},
		{
			// Ours' diff deletes the second "x", theirs' the first; merging
			// those literally would delete both.
			name: "both delete one of two repeated lines",
			base: "a\nb\nx\nx\n", ours: "a\nb\nx\n", theirs: "A\nb\nx\n",
			want: "A\nb\nx\n", ok: true,
		},
		{
			name: "deleting one of repeated blank lines merges with an edit further away",
			base: "# T\n\n\n\np1\n\np2\n", ours: "# T\n\np1\n\np2\n", theirs: "# T\n\n\n\np1\n\nP2\n",
			want: "# T\n\np1\n\nP2\n", ok: true,
		},
		{
			// Ours inserted an "x" that could sit after either "x"; theirs
			// rewrote the line before them and added an "x" too.
			name: "insertion among repeated lines next to a change conflicts",
			base: "a\nx\nb\n", ours: "a\nx\nx\nb\n", theirs: "A\nx\nx\nb\n",
		},
		{
			name: "unicode lines",
			base: "Über\ncafé\n日本\n", ours: "Über alles\ncafé\n日本\n", theirs: "Über\ncafé\n日本語\n",
			want: "Über alles\ncafé\n日本語\n", ok: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Merge3(tt.base, tt.ours, tt.theirs)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Merge3 = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
			// Which side is "ours" must not matter.
			got, ok = Merge3(tt.base, tt.theirs, tt.ours)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Merge3 swapped = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
			mergeTestCheck(t, tt.base, tt.ours, tt.theirs)
		})
	}
}

// TestMerge3Random checks the properties of mergeTestCheck on random texts
// made of a few distinct lines, which collide and overlap a lot.
func TestMerge3Random(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	merged := 0
	for range 3000 {
		base := diffTestRandomText(r)
		ours, theirs := mergeTestMutate(r, base), mergeTestMutate(r, base)
		if _, ok := Merge3(base, ours, theirs); ok {
			merged++
		}
		mergeTestCheck(t, base, ours, theirs)
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
	f.Fuzz(func(t *testing.T, base, ours, theirs string) {
		mergeTestCheck(t, base, ours, theirs)
		// The fuzzer rarely writes many lines; read each byte as a line
		// from a small set too, so that lines repeat and edits collide.
		mergeTestCheck(t, mergeTestExpand(base), mergeTestExpand(ours), mergeTestExpand(theirs))
	})
}

// mergeTestCheck checks what must hold for any three texts: merging with an
// unchanged side gives the other side, identical edits merge, the result
// doesn't depend on which side is ours, and a clean merge keeps every line
// both sides kept, in order, and adds no line that neither side has.
func mergeTestCheck(t *testing.T, base, ours, theirs string) {
	t.Helper()
	for _, x := range []string{ours, theirs} {
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
	merged, ok := Merge3(base, ours, theirs)
	swapped, swappedOK := Merge3(base, theirs, ours)
	if merged != swapped || ok != swappedOK {
		t.Fatalf("Merge3(%q, %q, %q) = %q, %v but swapped %q, %v", base, ours, theirs, merged, ok, swapped, swappedOK)
	}
	if !ok {
		if merged != "" {
			t.Fatalf("conflict with text %q", merged)
		}
		return
	}

	// Merge3 compares lines as if every text ended in a newline, so "kept"
	// means kept in that sense.
	baseLines := diffSplitLines(mergeEndLine(base))
	keptOurs := mergeTestKept(baseLines, mergeEndLine(ours))
	keptTheirs := mergeTestKept(baseLines, mergeEndLine(theirs))
	mergedLines := diffSplitLines(mergeEndLine(merged))
	k := 0
	for i, l := range baseLines {
		if !keptOurs[i] || !keptTheirs[i] {
			continue
		}
		for k < len(mergedLines) && mergedLines[k] != l {
			k++
		}
		if k == len(mergedLines) {
			t.Fatalf("Merge3(%q, %q, %q) = %q lost base line %d %q that both kept", base, ours, theirs, merged, i+1, l)
		}
		k++
	}
	known := map[string]bool{}
	for _, s := range []string{base, ours, theirs} {
		for _, l := range diffSplitLines(mergeEndLine(s)) {
			known[l] = true
		}
	}
	for _, l := range mergedLines {
		if !known[l] {
			t.Fatalf("Merge3(%q, %q, %q) = %q has line %q that no side has", base, ours, theirs, merged, l)
		}
	}
}

// mergeTestKept reports, for each base line, whether text kept it.
func mergeTestKept(base []string, text string) []bool {
	kept := make([]bool, len(base))
	i := 0
	for _, r := range diffLines(base, diffSplitLines(text)) {
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

// mergeTestExpand turns each byte of s into a line from a small set; an odd
// first byte leaves the last line without its newline.
func mergeTestExpand(s string) string {
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

// mergeTestMutate edits a few random lines of text: changes, deletions and
// insertions.
func mergeTestMutate(r *rand.Rand, text string) string {
	lines := diffSplitLines(text)
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
	base := diffTestPage(50 << 10)
	lines := diffSplitLines(base)
	// Ours edits near the top and middle, theirs near the bottom.
	ours := append([]string(nil), lines...)
	theirs := append([]string(nil), lines...)
	ours[len(ours)/10] = "ours was here\n"
	ours[len(ours)/2] = "and here\n"
	theirs[len(theirs)*9/10] = "theirs was here\n"
	theirs = append(theirs, "theirs added this\n")
	o, t := strings.Join(ours, ""), strings.Join(theirs, "")
	b.SetBytes(int64(len(base)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Merge3(base, o, t); !ok {
			b.Fatal("conflict")
		}
	}
}
