package markdown

import (
	"bytes"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/util"
)

// An outline is a page cut at its top-level headings: the parts a reader
// takes as one answer each, which feedback ("did this answer your
// question?"), confirmations and impact attach to. Unlike Sections, which
// nest (a "##" question holds its "###" parts, for search), outline parts
// do not overlap: each runs from its heading to the next top-level heading
// of any level, so every word of the page is in exactly one part. Headings
// inside a list or a quote do not cut.

// OutlineSection is one part of an outline.
type OutlineSection struct {
	Anchor  string // the heading's id; "" for the intro (text before the first heading)
	Heading string // the heading's plain text ("" for the intro)
	Level   int    // 1 to 6; 0 for the intro
	// Hash identifies the part's text as a reader sees it (heading
	// included): it changes when the answer's words change, not when
	// another part of the page does or when a linked page comes to exist.
	Hash string
	// HasText reports whether the part has text of its own besides its
	// heading (a "## Travel" directly followed by "### Per diem" has none).
	HasText bool
	// Line is the 0-based line of the source the heading is on (0 for the
	// intro), or -1 when goldmark gave the heading no position (an empty
	// "##" line).
	Line int
}

// SectionSpan is an outline part with where it lies in Rendered.HTML: the
// heading from Start to HeadEnd, its text from HeadEnd to the next span's
// Start (or the end). Start is -1 when the heading could not be found in
// the HTML (its id did not survive the raw-HTML allowlist); such a part
// reads as the end of the part before it.
type SectionSpan struct {
	OutlineSection
	Start, HeadEnd int
}

// Outline returns the parts of src in document order, the intro first
// (always present, possibly without text). If goldmark panics on src, the
// whole text is one intro part.
func (r *Renderer) Outline(src string) (out []OutlineSection) {
	defer func() {
		if v := recover(); v != nil {
			out = []OutlineSection{{Hash: textHash("", strings.TrimSpace(src)), HasText: strings.TrimSpace(src) != ""}}
		}
	}()
	return outline(r.parse(src))
}

func outline(p *parsedPage) []OutlineSection {
	headings := make(map[string]string, len(p.toc))
	for _, h := range p.toc {
		headings[h.ID] = h.Text
	}
	secs := []OutlineSection{{}}
	t := &textWriter{src: p.src}
	start := 0
	// Headings come in the order of the text: their lines are counted on
	// from the one before (counting from the top each time was quadratic).
	lineAt, lines := 0, 0
	finish := func() {
		text := strings.TrimSpace(t.b.String()[start:])
		cur := &secs[len(secs)-1]
		cur.HasText = text != ""
		cur.Hash = textHash(cur.Heading, text)
		start = t.b.Len()
	}
	for n := p.doc.FirstChild(); n != nil; n = n.NextSibling() {
		h, ok := n.(*ast.Heading)
		if !ok {
			t.walk(n)
			continue
		}
		finish()
		id, _ := h.AttributeString("id")
		idb, _ := id.([]byte)
		line := -1
		if ls := h.Lines(); ls.Len() > 0 {
			if at := ls.At(0).Start; at >= lineAt {
				lines += bytes.Count(p.src[lineAt:at], []byte("\n"))
				lineAt = at
				line = lines
			} else {
				line = bytes.Count(p.src[:at], []byte("\n"))
			}
		}
		secs = append(secs, OutlineSection{Anchor: string(idb), Heading: headings[string(idb)], Level: h.Level, Line: line})
	}
	finish()
	return secs
}

// textHash is a short, stable name for a part's text (FNV-1a, 64 bits, in
// hex): enough to tell versions of one answer apart.
func textHash(heading, text string) string {
	h := fnv.New64a()
	h.Write([]byte(heading))
	h.Write([]byte{0})
	h.Write([]byte(text))
	return strconv.FormatUint(h.Sum64(), 16)
}

// spans finds the outline's headings in the rendered body, in order.
func spans(secs []OutlineSection, body string) []SectionSpan {
	out := make([]SectionSpan, len(secs))
	pos := 0
	for i, s := range secs {
		out[i] = SectionSpan{OutlineSection: s, Start: -1, HeadEnd: -1}
		if i == 0 {
			out[i].Start, out[i].HeadEnd = 0, 0
			continue
		}
		if s.Anchor == "" || s.Level < 1 || s.Level > 6 {
			continue
		}
		level := strconv.Itoa(s.Level)
		open := "<h" + level + ` id="` + string(util.EscapeHTML([]byte(s.Anchor))) + `">`
		at := strings.Index(body[pos:], open)
		if at < 0 {
			continue
		}
		start := pos + at
		closeTag := "</h" + level + ">"
		end := strings.Index(body[start:], closeTag)
		if end < 0 {
			continue
		}
		headEnd := start + end + len(closeTag)
		if headEnd < len(body) && body[headEnd] == '\n' {
			headEnd++
		}
		out[i].Start, out[i].HeadEnd = start, headEnd
		pos = headEnd
	}
	return out
}
