package markdown

import (
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

// Section is a heading with its text down to the next heading of the same
// or a higher level (a smaller Level number). Search indexes sections, so
// that a hit opens the question that answers it, not just the page.
type Section struct {
	Anchor  string // heading id ("" for text before the first heading: the page's intro)
	Heading string // heading text, plain
	Level   int    // 1 to 6; 0 for the intro
	Text    string // the section's own plain text (no Markdown syntax, no HTML), including sub-sections' text
}

// Sections splits src at its headings, in document order. A section's Text
// leaves out its own heading but includes its sub-sections, headings and
// all, so a "##" question holds the text of its "###" parts. The intro, the
// text before the first heading, comes first with Level 0 and is left out
// when it is empty. Anchors are the ids Render gives the headings (the
// same as Rendered.TOC); a "#" line inside a code block is no heading. If
// goldmark panics on src, the whole text is one intro section.
func (r *Renderer) Sections(src string) (secs []Section) {
	defer func() {
		if v := recover(); v != nil {
			secs = []Section{{Text: src}}
		}
	}()
	if secs, ok := r.sections.get(src); ok {
		return secs
	}
	return sectionsOf(r.parse(src))
}

// sectionsOf returns the sections of a parsed page (see Sections).
func sectionsOf(p *parsedPage) []Section {
	t := &textWriter{src: p.src}

	type span struct{ start, end int }
	secs := []Section{{}} // [0] is the intro
	spans := []span{{0, -1}}
	var open []int // sections not yet ended, by increasing level
	next := 0      // the heading's index in p.toc: same document, same walk order
	t.enterHeading = func(h *ast.Heading) {
		pos := t.b.Len()
		if spans[0].end < 0 {
			spans[0].end = pos
		}
		for len(open) > 0 && secs[open[len(open)-1]].Level >= h.Level {
			spans[open[len(open)-1]].end = pos
			open = open[:len(open)-1]
		}
		var hd Heading
		if next < len(p.toc) {
			hd = p.toc[next]
		}
		next++
		secs = append(secs, Section{Anchor: hd.ID, Heading: hd.Text, Level: h.Level})
		spans = append(spans, span{-1, -1})
		open = append(open, len(secs)-1)
	}
	t.exitHeading = func(*ast.Heading) {
		// The section's own text starts after its heading line.
		spans[open[len(open)-1]].start = t.b.Len()
	}
	// A footnote's text belongs where it is referred to, not to the last
	// section, under which goldmark lists the page's footnotes: the
	// sections it is referred to from (and the sections around those)
	// get it, each once.
	refs := map[int][]int{} // footnote index -> sections, in order
	t.footnoteRef = func(n *east.FootnoteLink) {
		in := open
		if len(in) == 0 {
			in = []int{0}
		}
		for _, i := range in {
			if !slices.Contains(refs[n.Index], i) {
				refs[n.Index] = append(refs[n.Index], i)
			}
		}
	}
	t.footnotes = map[int]string{}
	t.walk(p.doc)

	all := t.b.String()
	for i := range secs {
		if spans[i].end < 0 {
			spans[i].end = len(all)
		}
		secs[i].Text = strings.TrimSpace(all[spans[i].start:spans[i].end])
	}
	for _, index := range slices.Sorted(maps.Keys(t.footnotes)) {
		in := refs[index]
		if len(in) == 0 {
			// Referred to only from another footnote: where goldmark
			// prints it, as before.
			in = []int{len(secs) - 1}
		}
		for _, i := range in {
			secs[i].Text = strings.TrimSpace(secs[i].Text + "\n" + t.footnotes[index])
		}
	}
	if secs[0].Text == "" {
		secs = secs[1:]
	}
	if len(secs) == 0 {
		return nil
	}
	return secs
}

// sectionCache keeps the sections of the texts lately rendered without
// files (a page's files change no section text), so that Sections of the
// same text, which the search index asks for right after a save rendered
// it, needs no second parse. It holds at most SectionCacheBytes of text;
// the oldest go first.
type sectionCache struct {
	mu    sync.Mutex
	m     map[string][]Section
	order []string // keys, oldest first
	size  int
}

// SectionCacheBytes is how much text the renderer keeps the sections of:
// an index that falls further behind the saves than this parses each
// page again.
const SectionCacheBytes = 8 << 20

func (c *sectionCache) get(src string) ([]Section, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	secs, ok := c.m[src]
	return slices.Clone(secs), ok
}

func (c *sectionCache) put(src string, secs []Section) {
	if len(src) > SectionCacheBytes/16 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[src]; ok {
		return
	}
	if c.m == nil {
		c.m = map[string][]Section{}
	}
	c.m[src] = secs
	c.order = append(c.order, src)
	c.size += len(src)
	for c.size > SectionCacheBytes {
		old := c.order[0]
		c.order = c.order[1:]
		delete(c.m, old)
		c.size -= len(old)
	}
}

// PlainText returns the text of src without Markdown syntax or HTML, for
// snippets and summaries: one line per paragraph, heading, list item or
// table row (cells separated by tabs), code blocks verbatim.
func (r *Renderer) PlainText(src string) string {
	p := r.parse(src)
	t := &textWriter{src: p.src}
	t.walk(p.doc)
	return strings.TrimSpace(t.b.String())
}

// PlainInline returns the plain text of s read as one line of inline
// Markdown, as it would show in a heading: "**Policy** for `go vet`" ->
// "Policy for go vet". Titles of imported pages go through it, since a
// title is plain text wherever it is shown (<title>, headings, search).
func (r *Renderer) PlainInline(s string) string {
	src := []byte(strings.ReplaceAll(s, "\n", " "))
	doc := r.inline.Parse(text.NewReader(src))
	return inlineText(doc, src)
}

// inlineText returns the plain text of n's inline content on one line, as
// a heading's text or an image's alt text.
func inlineText(n ast.Node, src []byte) string {
	t := &textWriter{src: src}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		t.walk(c)
	}
	return strings.TrimSpace(strings.ReplaceAll(t.b.String(), "\n", " "))
}

// textWriter collects the plain text of nodes: what a reader sees, with no
// Markdown syntax and no HTML. Every block ends with a newline; a soft line
// break is a space.
type textWriter struct {
	src []byte
	b   strings.Builder
	// If set, called when the walk enters a heading (before its text is
	// written) and when it leaves it (after the newline that ends it).
	enterHeading func(*ast.Heading)
	exitHeading  func(*ast.Heading)
	// If footnotes is not nil, the footnotes' texts go in it by index
	// instead of at the end of the text, and footnoteRef, if set, is
	// called at each reference to one.
	footnotes   map[int]string
	footnoteRef func(*east.FootnoteLink)
}

func (t *textWriter) walk(n ast.Node) { _ = ast.Walk(n, t.visit) }

// newline ends the current line, if one has begun.
func (t *textWriter) newline() {
	if s := t.b.String(); s != "" && s[len(s)-1] != '\n' {
		t.b.WriteByte('\n')
	}
}

func (t *textWriter) visit(node ast.Node, entering bool) (ast.WalkStatus, error) {
	switch n := node.(type) {
	case *ast.Text:
		if !entering {
			return ast.WalkContinue, nil
		}
		v := n.Segment.Value(t.src)
		if n.IsRaw() {
			// Code span content: a line break in it is a space.
			t.b.WriteString(strings.ReplaceAll(string(v), "\n", " "))
		} else {
			t.b.WriteString(resolveText(string(v)))
		}
		switch {
		case n.HardLineBreak():
			t.b.WriteByte('\n')
		case n.SoftLineBreak():
			t.b.WriteByte(' ')
		}
		return ast.WalkContinue, nil
	case *ast.String:
		if entering {
			if n.IsRaw() || n.IsCode() {
				t.b.Write(n.Value)
			} else {
				t.b.WriteString(resolveText(string(n.Value)))
			}
		}
		return ast.WalkContinue, nil
	case *ast.AutoLink:
		if entering {
			t.b.Write(n.Label(t.src))
		}
		return ast.WalkSkipChildren, nil
	case *wikiLink:
		if entering {
			t.b.WriteString(n.label)
		}
		return ast.WalkContinue, nil
	case *ast.RawHTML:
		if entering && isBreak(n, t.src) {
			t.b.WriteByte('\n')
		}
		return ast.WalkSkipChildren, nil
	case *ast.HTMLBlock:
		// Its text shows (as far as the allowlist keeps it), so it is text.
		if entering {
			t.newline()
			lines := n.Lines()
			var raw []byte
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				raw = append(raw, seg.Value(t.src)...)
			}
			t.b.WriteString(htmlText(raw))
			t.newline()
		}
		return ast.WalkSkipChildren, nil
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		if entering {
			t.newline()
			lines := n.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				t.b.Write(seg.Value(t.src))
			}
			t.newline()
		}
		return ast.WalkSkipChildren, nil
	case *ast.Heading:
		t.newline()
		if entering && t.enterHeading != nil {
			t.enterHeading(n)
		}
		if !entering && t.exitHeading != nil {
			t.exitHeading(n)
		}
		return ast.WalkContinue, nil
	case *east.FootnoteLink:
		if entering && t.footnoteRef != nil {
			t.footnoteRef(n)
		}
		return ast.WalkSkipChildren, nil
	case *east.FootnoteList:
		if t.footnotes == nil || !entering {
			break
		}
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if fn, ok := c.(*east.Footnote); ok {
				ft := &textWriter{src: t.src}
				ft.walk(fn)
				t.footnotes[fn.Index] = strings.TrimSpace(ft.b.String())
			}
		}
		return ast.WalkSkipChildren, nil
	case *east.TableCell:
		if !entering {
			t.b.WriteByte('\t')
		}
		return ast.WalkContinue, nil
	}
	if !entering && node.Type() == ast.TypeBlock {
		t.newline()
	}
	return ast.WalkContinue, nil
}
