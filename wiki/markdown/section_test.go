package markdown

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const faqPage = `Welcome to the **travel** FAQ. See [[Travel policy]] first.

## How do I book a flight?

Use [Concur](https://travel.example.com).

### What if the fare is too high?

Ask your manager *before* you book.

` + "```" + `
## This is code, not a question
book --cheap
` + "```" + `

### Can I fly business class?

No.

## How do I claim the per diem?

File it within 5 days.

#### A detail

Keep receipts.

# Appendix

Nothing here.
`

func TestSections(t *testing.T) {
	r := newTestRenderer()
	for _, tt := range []struct {
		name string
		in   string
		want []Section
	}{
		{"faq page", faqPage, []Section{
			{Anchor: "", Heading: "", Level: 0, Text: "Welcome to the travel FAQ. See Travel policy first."},
			{Anchor: "how-do-i-book-a-flight", Heading: "How do I book a flight?", Level: 2,
				Text: "Use Concur.\nWhat if the fare is too high?\nAsk your manager before you book.\n## This is code, not a question\nbook --cheap\nCan I fly business class?\nNo."},
			{Anchor: "what-if-the-fare-is-too-high", Heading: "What if the fare is too high?", Level: 3,
				Text: "Ask your manager before you book.\n## This is code, not a question\nbook --cheap"},
			{Anchor: "can-i-fly-business-class", Heading: "Can I fly business class?", Level: 3, Text: "No."},
			{Anchor: "how-do-i-claim-the-per-diem", Heading: "How do I claim the per diem?", Level: 2,
				Text: "File it within 5 days.\nA detail\nKeep receipts."},
			{Anchor: "a-detail", Heading: "A detail", Level: 4, Text: "Keep receipts."},
			{Anchor: "appendix", Heading: "Appendix", Level: 1, Text: "Nothing here."},
		}},
		{"no intro", "## Q\nA.\n## Q\nB.", []Section{
			{Anchor: "q", Heading: "Q", Level: 2, Text: "A."},
			{Anchor: "q-1", Heading: "Q", Level: 2, Text: "B."},
		}},
		{"only intro", "Just text.\n\n    ## indented code", []Section{
			{Text: "Just text.\n## indented code"},
		}},
		{"empty", "", nil},
		{"empty sections", "# A\n## B\n", []Section{
			{Anchor: "a", Heading: "A", Level: 1, Text: "B"},
			{Anchor: "b", Heading: "B", Level: 2, Text: ""},
		}},
		// goldmark lists the footnotes after the last section; each goes
		// to the sections that refer to it instead, and the sections
		// around those.
		{"footnotes where they are referred to", "Intro[^i].\n\n## Leave\n\nAsk first.[^v]\n\n## Meetings\n\n### Weekly\n\nHalf an hour.[^v] [^w]\n\n## Last\n\nNothing.\n\n[^v]: Vacations are an exception.\n[^w]: Or *less*.\n[^i]: About this page.\n[^unused]: Never referred to.\n",
			[]Section{
				{Text: "Intro.\nAbout this page."},
				{Anchor: "leave", Heading: "Leave", Level: 2, Text: "Ask first.\nVacations are an exception."},
				{Anchor: "meetings", Heading: "Meetings", Level: 2, Text: "Weekly\nHalf an hour.\nVacations are an exception.\nOr less."},
				{Anchor: "weekly", Heading: "Weekly", Level: 3, Text: "Half an hour.\nVacations are an exception.\nOr less."},
				{Anchor: "last", Heading: "Last", Level: 2, Text: "Nothing."},
			}},
		{"a footnote referred to only from a footnote", "## Q\n\nA.[^a]\n\n## Last\n\nB.\n\n[^a]: See also.[^b]\n[^b]: Nested words.\n",
			[]Section{
				{Anchor: "q", Heading: "Q", Level: 2, Text: "A.\nSee also."},
				{Anchor: "last", Heading: "Last", Level: 2, Text: "B.\nNested words."},
			}},
		{"no HTML or syntax in text", "## Q <b>x</b>\n\n<div>\nshown\n</div>\n\nA [link](https://x.example) and `code` and [[Page|wiki]].\n\n| a | b |\n|---|---|\n| 1 | 2 |",
			[]Section{{Anchor: "q-x", Heading: "Q x", Level: 2, Text: "shown\nA link and code and wiki.\na\tb\t\n1\t2"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Sections(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%s\nwant\n%s", dumpSections(got), dumpSections(tt.want))
			}
		})
	}
}

func dumpSections(secs []Section) string {
	var b strings.Builder
	for _, s := range secs {
		b.WriteString(strings.Repeat("#", s.Level) + " " + s.Heading + " {" + s.Anchor + "}\n  " +
			strings.ReplaceAll(s.Text, "\n", "\n  ") + "\n")
	}
	return b.String()
}

// TestSectionsMatchTOC checks, on the golden pages, that every section but
// the intro is a heading of the TOC, in the same order.
func TestSectionsMatchTOC(t *testing.T) {
	r := newTestRenderer()
	files, _ := filepath.Glob(filepath.Join("testdata", "*.md"))
	for _, file := range append(files, "") {
		src := faqPage
		if file != "" {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			src = string(b)
		}
		out := mustRender(t, r, src)
		var got []Heading
		for _, s := range r.Sections(src) {
			if s.Level > 0 {
				got = append(got, Heading{Level: s.Level, Text: s.Heading, ID: s.Anchor})
			}
		}
		if !reflect.DeepEqual(got, out.TOC) {
			t.Errorf("%s: sections %+v\nTOC %+v", file, got, out.TOC)
		}
	}
}

func TestPlainText(t *testing.T) {
	r := newTestRenderer()
	for _, tt := range []struct {
		name, in, want string
	}{
		{"emphasis and links", "Some *em*, **strong**, ~~del~~, [link](https://x.example \"t\") and ![img alt](/i.png).",
			"Some em, strong, del, link and img alt."},
		{"wiki links and autolinks", "[[Page]] [[a|b]] <https://x.example> www.y.example z@example.com",
			"Page b https://x.example www.y.example z@example.com"},
		{"escapes and entities", `\*not em\* AT&amp;T &copy; &#65;`, "*not em* AT&T © A"},
		{"html tags dropped, text kept", "a <span>b</span> c\n\n<div>\nblock\n</div>\n\n<script>\nx()\n</script>", "a b c\nblock"},
		{"br is a line break", "a<br>b", "a\nb"},
		{"soft and hard breaks", "a\nb  \nc", "a b\nc"},
		{"blocks on lines", "# T\n\npara\n\n- one\n- two\n\n> quote\n\n---\n\n```\ncode\n  more\n```",
			"T\npara\none\ntwo\nquote\ncode\n  more"},
		{"code span", "run `go  test` now", "run go  test now"},
		{"task list", "- [x] done", "done"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.PlainText(tt.in); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func BenchmarkSections(b *testing.B) {
	r := newTestRenderer()
	for _, bb := range []struct {
		name string
		size int
	}{{"50KB", 50 << 10}, {"1MB", 1 << 20}} {
		src := benchPage(bb.size)
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if len(r.Sections(src)) == 0 {
					b.Fatal("no sections")
				}
			}
		})
	}
}
