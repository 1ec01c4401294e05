package markdown

import (
	"strings"
	"testing"
)

type outlinePart struct {
	anchor  string
	level   int
	hasText bool
	line    int
}

func TestOutlineCutsAtTopLevelHeadings(t *testing.T) {
	r := newTestRenderer()
	for _, tt := range []struct {
		name string
		in   string
		want []outlinePart
	}{
		{"no headings: one intro", "Just the answer.\n", []outlinePart{{"", 0, true, 0}}},
		{"empty page", "", []outlinePart{{"", 0, false, 0}}},
		{"intro and questions", "Intro.\n\n## One?\n\nYes.\n\n## Two?\n\nNo.\n", []outlinePart{{"", 0, true, 0}, {"one", 2, true, 2}, {"two", 2, true, 6}}},
		{"heading without text", "## Travel\n### Per diem\n\n40 a day.\n", []outlinePart{{"", 0, false, 0}, {"travel", 2, false, 0}, {"per-diem", 3, true, 1}}},
		{"a heading in a quote does not cut", "## A\n\n> ## Quoted\n> text\n\n## B\n\nb\n", []outlinePart{{"", 0, false, 0}, {"a", 2, true, 0}, {"b", 2, true, 5}}},
		{"setext heading", "Title\n=====\n\ntext\n", []outlinePart{{"", 0, false, 0}, {"title", 1, true, 0}}},
		{"a # in code is no heading", "## A\n\n```\n# not\n```\n", []outlinePart{{"", 0, false, 0}, {"a", 2, true, 0}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Outline(tt.in)
			if len(got) != len(tt.want) {
				t.Fatalf("Outline = %+v, want %d parts", got, len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Anchor != w.anchor || g.Level != w.level || g.HasText != w.hasText || g.Line != w.line {
					t.Errorf("part %d = %+v, want %+v", i, g, w)
				}
				if g.Hash == "" {
					t.Errorf("part %d has no hash", i)
				}
			}
		})
	}
}

func TestOutlineHashFollowsTheAnswersWords(t *testing.T) {
	r := newTestRenderer()
	base := r.Outline("## VPN?\n\nAsk the desk.\n\n## Laptop?\n\nIT gives one.\n")
	edited := r.Outline("## VPN?\n\nAsk the desk.\n\n## Laptop?\n\nIT gives you one on day one.\n")
	if base[1].Hash != edited[1].Hash {
		t.Error("editing another answer changed this one's hash")
	}
	if base[2].Hash == edited[2].Hash {
		t.Error("editing the answer kept its hash")
	}
	renamed := r.Outline("## VPN access?\n\nAsk the desk.\n")
	if renamed[1].Hash == base[1].Hash {
		t.Error("a new question over the same text kept the hash")
	}
	// Whether a linked page exists changes the HTML, not the words.
	a := mustRender(t, r, "## Q\n\nSee [[Missing page]].\n")
	b, err := r.Render("## Q\n\nSee [[Missing page]].\n", nil) // nil: every target exists
	if err != nil {
		t.Fatal(err)
	}
	if a.HTML == b.HTML || a.Sections[1].Hash != b.Sections[1].Hash {
		t.Errorf("hash changed with a link's target: %q vs %q", a.Sections[1].Hash, b.Sections[1].Hash)
	}
}

func TestRenderedSpansCutTheHTMLAtHeadings(t *testing.T) {
	r := newTestRenderer()
	for _, src := range []string{
		"Intro text.\n\n## One?\n\nYes.\n\n### Detail\n\nMore.\n\n## Two & three?\n\nNo.\n",
		// Raw HTML sends the whole body through the allowlist.
		"<details><summary>x</summary>hidden</details>\n\n## One?\n\n<kbd>Ctrl</kbd> yes.\n\n## Two?\n\nno\n",
	} {
		out := mustRender(t, r, src)
		html := string(out.HTML)
		if len(out.Sections) != len(r.Outline(src)) {
			t.Fatalf("%d spans, outline has %d", len(out.Sections), len(r.Outline(src)))
		}
		last := 0
		for i, s := range out.Sections[1:] {
			if s.Start < 0 {
				t.Fatalf("span %d (%s) not found in %s", i+1, s.Anchor, html)
			}
			head := html[s.Start:s.HeadEnd]
			if !strings.HasPrefix(head, "<h") || !strings.Contains(head, `id="`+s.Anchor+`"`) || !strings.HasSuffix(strings.TrimSpace(head), ">") {
				t.Errorf("span %s heading = %q", s.Anchor, head)
			}
			if s.Start < last {
				t.Errorf("span %s starts before the one before it", s.Anchor)
			}
			last = s.HeadEnd
		}
		// Cutting and joining the parts gives the body back.
		var b strings.Builder
		prev := 0
		for _, s := range out.Sections[1:] {
			b.WriteString(html[prev:s.Start])
			prev = s.Start
		}
		b.WriteString(html[prev:])
		if b.String() != html {
			t.Error("the parts do not join up to the body")
		}
	}
}

func TestSpansSkipAHeadingTheHTMLLacks(t *testing.T) {
	secs := []OutlineSection{{}, {Anchor: "gone", Level: 2}, {Anchor: "here", Level: 2}}
	got := spans(secs, `<p>x</p><h2 id="here">Here</h2>`+"\n<p>y</p>")
	if got[1].Start != -1 || got[2].Start != len("<p>x</p>") || got[2].HeadEnd != len(`<p>x</p><h2 id="here">Here</h2>`+"\n") {
		t.Errorf("spans = %+v", got)
	}
}

// TestRenderNotes checks where Rendered.Notes puts a page's footnotes: at
// their list, after the last part's heading, with or without raw HTML;
// the end of the body for a page without footnotes, even one whose raw
// HTML has a div of the footnotes' class.
func TestRenderNotes(t *testing.T) {
	r := newTestRenderer()
	for _, src := range []string{
		"## One?\n\nYes.[^1]\n\n## Two?\n\nNo.\n\n[^1]: A note.\n",
		"## One?\n\n<kbd>Ctrl</kbd> yes.[^1]\n\n## Two?\n\nNo.\n\n[^1]: A note.\n",
	} {
		out := mustRender(t, r, src)
		html := string(out.HTML)
		if !strings.HasPrefix(html[out.Notes:], `<div class="footnotes"`) || !strings.Contains(html[out.Notes:], "A note.") {
			t.Errorf("%q: notes at %d: %q", src, out.Notes, html[out.Notes:])
		}
		if last := out.Sections[len(out.Sections)-1]; out.Notes < last.HeadEnd || !strings.Contains(html[last.HeadEnd:out.Notes], "No.") {
			t.Errorf("%q: notes at %d, the last part's text from %d", src, out.Notes, last.HeadEnd)
		}
	}
	for _, src := range []string{
		"## One?\n\nYes.\n",
		"<div class=\"footnotes\">not notes</div>\n\n## One?\n\nYes.\n",
	} {
		if out := mustRender(t, r, src); out.Notes != len(out.HTML) {
			t.Errorf("%q: notes at %d of %d", src, out.Notes, len(out.HTML))
		}
	}
}
