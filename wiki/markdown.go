package wiki

import (
	"bytes"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Markdown in faqwiki is CommonMark plus GitHub's extensions (tables, task
// lists, strikethrough, bare URLs as links) plus wiki links:
//
//	[[Page title]]                  -> /wiki/page-title, shown "Page title"
//	[[travel/per-diem|Per diem]]    -> /wiki/travel/per-diem, shown "Per diem"
//	[[Page#Some question]]          -> /wiki/page#some-question
//
// Inside a table cell the '|' of a wiki link must be escaped, as every '|'
// there: "[[travel/per-diem\|Per diem]]".
//
// The output is safe to put in a page as it is: raw HTML is dropped (only a
// bare <br> survives), and only URLs of an allowed scheme (see checkURL)
// become an href or src. Every heading gets a GitHub-style id so that a FAQ
// question can be linked to; search sections (Sections) use the same ids.

// Heading is a heading of a page: a FAQ question, with its anchor id.
type Heading struct {
	Level int    // 1 to 6
	Text  string // plain text, no Markdown
	ID    string // the id of the heading element, unique in the page
}

// Rendered is the HTML of a revision plus what the page view needs around it.
type Rendered struct {
	HTML    template.HTML // safe HTML
	TOC     []Heading     // the page's headings in order (the questions), for a table of contents
	TOCHTML template.HTML // TOC as the <li> items of an <ol>, links to the headings
	Links   []Slug        // distinct targets of wiki links, in order of first appearance
	Missing []bool        // parallel to Links: true where the target did not exist at render time
}

// Renderer turns Markdown into safe HTML. It is safe for concurrent use;
// build one and share it, since building the Markdown engine is not free.
type Renderer struct {
	md goldmark.Markdown
}

// NewRenderer returns a Renderer for faqwiki's Markdown.
func NewRenderer() *Renderer {
	md := goldmark.New(
		goldmark.WithParser(newParser()),
		goldmark.WithExtensions(
			// extension.GFM, except that table cells are aligned with the
			// align attribute: GFM's default is a style attribute, which a
			// strict Content-Security-Policy refuses.
			extension.Linkify,
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough,
			extension.TaskList,
		),
		goldmark.WithRendererOptions(
			// Ahead of goldmark's HTML renderer (1000): ours wins for the
			// kinds it registers. Never html.WithUnsafe.
			renderer.WithNodeRenderers(util.Prioritized(nodeRenderer{}, 100), util.Prioritized(tableScrollRenderer{}, 100)),
		),
	)
	return &Renderer{md: md}
}

// newParser returns goldmark's default parser plus wiki links and the page
// transformer, with two guards against input whose parse time grows with
// the square of its size (goldmark v1.8.7; each was minutes for 1 MiB):
// block quotes and lists nest at most maxNesting deep, and a link's
// "(destination "title")" part may be at most maxLinkTail bytes long.
func newParser() parser.Parser {
	blocks := parser.DefaultBlockParsers()
	for i, v := range blocks {
		if v.Value == parser.NewBlockquoteParser() || v.Value == parser.NewListParser() {
			blocks[i].Value = shallowBlockParser{v.Value.(parser.BlockParser)}
		}
	}
	inlines := parser.DefaultInlineParsers()
	for i, v := range inlines {
		if v.Value == parser.NewLinkParser() {
			inlines[i].Value = boundedLinkParser{v.Value.(linkParser)}
		}
	}
	// Before the standard link parser (200), so that "[[" is ours.
	inlines = append(inlines, util.Prioritized(wikiLinkParser{}, 199))
	return parser.NewParser(
		parser.WithBlockParsers(blocks...),
		parser.WithInlineParsers(inlines...),
		parser.WithParagraphTransformers(parser.DefaultParagraphTransformers()...),
		parser.WithASTTransformers(util.Prioritized(pageTransformer{}, 1000), util.Prioritized(tableTransformer{}, 1001)),
	)
}

// maxNesting is how deep block quotes and lists may nest. goldmark's cost
// grows with the square of the depth (">>>>…" 64 KiB deep took 2 s); people
// write three or four levels. Deeper markers stay text.
const maxNesting = 32

// shallowBlockParser is a block parser that opens no block at a depth of
// maxNesting quotes and lists.
type shallowBlockParser struct{ parser.BlockParser }

func (p shallowBlockParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	depth := 0
	for n := parent; n != nil; n = n.Parent() {
		if k := n.Kind(); k == ast.KindBlockquote || k == ast.KindList {
			depth++
		}
	}
	if depth >= maxNesting {
		return nil, parser.NoChildren
	}
	return p.BlockParser.Open(parent, reader, pc)
}

// maxLinkTail is how far past a ']' the link parser may read for the
// "(destination "title")" of an inline link. goldmark scans an unfinished
// destination to the end of the line at every ']', so a long line of "[a]("
// cost quadratic time (1 MiB: five minutes). A longer tail is no link.
const maxLinkTail = 2048

// linkParser is what goldmark's link parser implements.
type linkParser interface {
	parser.InlineParser
	parser.CloseBlocker
}

// boundedLinkParser is goldmark's link parser, shown at a ']' no more of
// the text than maxLinkTail bytes.
type boundedLinkParser struct{ linkParser }

func (p boundedLinkParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	if line, seg := block.PeekLine(); len(line) > maxLinkTail && line[0] == ']' {
		block = &boundedReader{Reader: block, limit: seg.Start + maxLinkTail}
	}
	return p.linkParser.Parse(parent, block, pc)
}

// boundedReader is a text.Reader that ends at the source offset limit. It
// bounds only what the link parser looks at: Peek and PeekLine (its
// destination scan); moving delegates to the real reader.
type boundedReader struct {
	text.Reader
	limit int
}

func (r *boundedReader) Peek() byte {
	if _, pos := r.Position(); pos.Start >= r.limit {
		return text.EOF
	}
	return r.Reader.Peek()
}

func (r *boundedReader) PeekLine() ([]byte, text.Segment) {
	line, seg := r.Reader.PeekLine()
	if seg.Start >= r.limit {
		return nil, seg
	}
	if n := r.limit - seg.Start + seg.Padding; n < len(line) {
		return line[:n], seg.WithStop(r.limit)
	}
	return line, seg
}

// parsedPage is a parsed document and what the transformer found in it.
type parsedPage struct {
	src []byte
	doc ast.Node
	pageInfo
}

// parse parses src with a fresh id table (parser.IDs is stateful).
func (r *Renderer) parse(src string) *parsedPage {
	b := []byte(src)
	pc := parser.NewContext(parser.WithIDs(newHeadingIDs()))
	doc := r.md.Parser().Parse(text.NewReader(b), parser.WithContext(pc))
	p := &parsedPage{src: b, doc: doc}
	if info, ok := pc.Get(pageInfoKey).(*pageInfo); ok {
		p.pageInfo = *info
	}
	return p
}

// targets returns the distinct wiki-link targets in order of first
// appearance, and each target's index in that list.
func (p *parsedPage) targets() ([]Slug, map[Slug]int) {
	if len(p.links) == 0 {
		return nil, nil
	}
	var out []Slug
	index := make(map[Slug]int)
	for _, l := range p.links {
		if _, ok := index[l.target]; !ok {
			index[l.target] = len(out)
			out = append(out, l.target)
		}
	}
	return out, index
}

// WikiLinks returns the distinct targets of [[...]] links in src, in order of
// first appearance. It parses but does not render.
func (r *Renderer) WikiLinks(src string) []Slug {
	targets, _ := r.parse(src).targets()
	return targets
}

// Render renders src. If there are wiki links, exists is called once with
// their targets (the Links of the result) and reports which name existing
// pages; it is not called when there are none, and a nil exists means every
// target exists. A link to an existing page is rendered with class
// "wikilink" and href "/wiki/<slug>[#anchor]"; a link to a missing page with
// class "new" and an href to the create-page form, "/new?title=<title>".
// Render returns exists' error, wrapped, and fails if exists answers for a
// different number of targets. A panic inside goldmark (a bug, but text
// comes from users) becomes an error rather than taking the process down.
func (r *Renderer) Render(src string, exists func([]Slug) ([]bool, error)) (out *Rendered, err error) {
	defer func() {
		if v := recover(); v != nil {
			out, err = nil, fmt.Errorf("wiki: render: panic: %v", v)
		}
	}()
	return r.render(src, exists)
}

func (r *Renderer) render(src string, exists func([]Slug) ([]bool, error)) (*Rendered, error) {
	p := r.parse(src)
	out := &Rendered{TOC: p.toc}
	var index map[Slug]int
	out.Links, index = p.targets()
	if len(out.Links) > 0 {
		out.Missing = make([]bool, len(out.Links))
		if exists != nil {
			ok, err := exists(out.Links)
			if err != nil {
				return nil, fmt.Errorf("wiki: render: check link targets: %w", err)
			}
			if len(ok) != len(out.Links) {
				return nil, fmt.Errorf("wiki: render: exists answered %d of %d link targets", len(ok), len(out.Links))
			}
			for i := range ok {
				out.Missing[i] = !ok[i]
			}
		}
		// The nodes carry the answer to the renderer: the engine is shared,
		// the AST is this call's own.
		for _, l := range p.links {
			l.missing = out.Missing[index[l.target]]
		}
	}
	var buf bytes.Buffer
	buf.Grow(len(src) + len(src)/4)
	if err := r.md.Renderer().Render(&buf, p.src, p.doc); err != nil {
		return nil, fmt.Errorf("wiki: render: %w", err)
	}
	// The table of contents is rendered here too, once per revision, so
	// that a cached page view does not walk hundreds of headings in a
	// template on every request.
	toc := buf.Len()
	writeTOC(&buf, out.TOC)
	// The one place package wiki makes template.HTML. It is safe because
	// every byte of buf comes from goldmark's renderers without raw HTML,
	// from nodeRenderer below, which escapes all text and attribute values
	// and lets only checked URLs through, or from writeTOC, which escapes
	// the heading texts and ids.
	all := buf.String()
	out.HTML, out.TOCHTML = template.HTML(all[:toc]), template.HTML(all[toc:])
	return out, nil
}

// writeTOC writes the headings as the list items of a table of contents:
// <li class="l2"><a href="#id">Text</a></li>, escaped.
func writeTOC(buf *bytes.Buffer, toc []Heading) {
	for _, h := range toc {
		fmt.Fprintf(buf, `<li class="l%d"><a href="#`, h.Level)
		buf.WriteString(template.HTMLEscapeString(url.PathEscape(h.ID)))
		buf.WriteString(`">`)
		buf.WriteString(template.HTMLEscapeString(h.Text))
		buf.WriteString("</a></li>")
	}
}

// ---- heading ids ----

// headingIDs is the parser.IDs of one document: it makes GitHub-style ids
// and numbers duplicates "-1", "-2"... It is stateful, so every parse gets
// a new one.
type headingIDs struct {
	used map[string]bool
	next map[string]int // base id -> last suffix handed out
}

var _ parser.IDs = (*headingIDs)(nil)

func newHeadingIDs() *headingIDs {
	return &headingIDs{used: map[string]bool{}, next: map[string]int{}}
}

// Generate returns a new id for the plain text value, unique in the document.
func (ids *headingIDs) Generate(value []byte, _ ast.NodeKind) []byte {
	base := headingSlug(string(value))
	if base == "" {
		base = "section"
	}
	id := base
	if ids.used[id] {
		// Start after the last suffix used for base, so that a page of
		// many equal headings stays linear.
		n := ids.next[base]
		for {
			n++
			id = base + "-" + strconv.Itoa(n)
			if !ids.used[id] {
				break
			}
		}
		ids.next[base] = n
	}
	ids.used[id] = true
	return []byte(id)
}

// Put records an id that is already in use.
func (ids *headingIDs) Put(value []byte) { ids.used[string(value)] = true }

// headingSlug turns heading text into an anchor the way GitHub does:
// lower-case, letters (of any script), digits, marks, '-' and '_' kept,
// each space turned into '-', everything else dropped. Unlike a Slug it
// keeps non-ASCII letters and does not fold runs of '-'.
func headingSlug(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(s) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_':
			b.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ---- AST transformer ----

// pageInfoKey is where pageTransformer leaves its pageInfo in the parser
// context.
var pageInfoKey = parser.NewContextKey()

// pageInfo is what the page view and the link table need from a document.
type pageInfo struct {
	toc   []Heading
	links []*wikiLink // live wiki links in document order, duplicates included
}

// pageTransformer gives every heading its id and collects the headings and
// wiki links of a document. Ids are made from the heading's plain text
// after inline parsing, so "## Use `go vet` [[Tools|here]]" gets
// "use-go-vet-here", as on GitHub, not an id with Markdown syntax in it.
type pageTransformer struct{}

func (pageTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	info := &pageInfo{}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			t := inlineText(n, src)
			id := pc.IDs().Generate([]byte(t), ast.KindHeading)
			n.SetAttribute(attrID, id)
			info.toc = append(info.toc, Heading{Level: n.Level, Text: t, ID: string(id)})
		case *wikiLink:
			if insideLink(n) {
				// A link in a link is not a link: show the text.
				n.plain = true
			} else {
				info.links = append(info.links, n)
			}
		}
		return ast.WalkContinue, nil
	})
	pc.Set(pageInfoKey, info)
}

var attrID = []byte("id")

// insideLink reports whether n is within a link or an image description.
func insideLink(n ast.Node) bool {
	for p := n.Parent(); p != nil && p.Type() == ast.TypeInline; p = p.Parent() {
		switch p.Kind() {
		case ast.KindLink, ast.KindImage, ast.KindAutoLink:
			return true
		}
	}
	return false
}

// ---- wiki links ----

// maxWikiLinkLen bounds the text between "[[" and "]]", so that a line full
// of "[[" costs linear time.
const maxWikiLinkLen = 512

// kindWikiLink is the AST node kind of a [[...]] link.
var kindWikiLink = ast.NewNodeKind("WikiLink")

// wikiLink is a [[target#anchor|label]] link. It has no children: the label
// is plain text.
type wikiLink struct {
	ast.BaseInline
	target  Slug
	title   string // the target as written, for the create-page form
	anchor  string // heading id in the target page, or ""
	label   string
	missing bool // set by Render before rendering
	plain   bool // inside another link: render the label only
}

func (n *wikiLink) Kind() ast.NodeKind { return kindWikiLink }

func (n *wikiLink) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{
		"Target": string(n.target),
		"Anchor": n.anchor,
		"Label":  n.label,
	}, nil)
}

// newWikiLink parses the text between "[[" and "]]". It returns nil when
// there is no usable target; the text then stays literal.
func newWikiLink(raw []byte) *wikiLink {
	target, label, hasLabel := strings.Cut(string(raw), "|")
	if hasLabel {
		// In a table cell the '|' must be escaped, "[[slug\|text]]", and
		// goldmark leaves the backslash in the cell's text.
		target = strings.TrimSuffix(target, `\`)
	}
	page, anchor, _ := strings.Cut(target, "#")
	page = strings.TrimSpace(resolveText(page))
	slug := SlugFromTitle(page)
	if slug == "" {
		return nil
	}
	label = strings.TrimSpace(resolveText(label))
	if !hasLabel || label == "" {
		label = strings.TrimSpace(resolveText(target))
	}
	return &wikiLink{
		target: slug,
		title:  page,
		anchor: headingSlug(strings.TrimSpace(resolveText(anchor))),
		label:  label,
	}
}

// wikiLinkParser is a goldmark inline parser for [[...]]. Being an inline
// parser, it never sees code spans or code blocks. A link stays on one line
// and holds no brackets.
type wikiLinkParser struct{}

func (wikiLinkParser) Trigger() []byte { return []byte{'['} }

func (wikiLinkParser) Parse(_ ast.Node, block text.Reader, _ parser.Context) ast.Node {
	line, _ := block.PeekLine()
	if len(line) < 5 || line[1] != '[' {
		return nil
	}
	end := -1
scan:
	for i := 2; i < len(line) && i < 2+maxWikiLinkLen; i++ {
		switch line[i] {
		case ']':
			if i+1 < len(line) && line[i+1] == ']' {
				end = i
				break scan
			}
			return nil
		case '[', '\n', '\r':
			return nil
		}
	}
	if end < 0 {
		return nil
	}
	n := newWikiLink(line[2:end])
	if n == nil {
		return nil
	}
	block.Advance(end + 2)
	return n
}

// resolveText decodes backslash escapes and entity references in Markdown
// text, as goldmark's HTML writer does when it renders text.
func resolveText(s string) string {
	if !strings.ContainsAny(s, `\&`) {
		return s
	}
	b := util.UnescapePunctuations([]byte(s))
	b = util.ResolveNumericReferences(b)
	return string(util.ResolveEntityNames(b))
}

// ---- HTML ----

// nodeRenderer renders the nodes whose output faqwiki decides itself:
// headings (id and self-link), links, images and autolinks (our URL check
// and rel), inline raw HTML (<br> only) and wiki links. Everything else is
// goldmark's HTML renderer in its safe mode.
type nodeRenderer struct{}

func (nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindHeading, renderHeading)
	reg.Register(ast.KindLink, renderLink)
	reg.Register(ast.KindImage, renderImage)
	reg.Register(ast.KindAutoLink, renderAutoLink)
	reg.Register(ast.KindRawHTML, renderRawHTML)
	reg.Register(kindWikiLink, renderWikiLink)
}

func renderHeading(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Heading)
	level := byte('0' + n.Level)
	id, _ := n.AttributeString("id")
	idb, _ := id.([]byte)
	if entering {
		_, _ = w.WriteString("<h")
		_ = w.WriteByte(level)
		if len(idb) > 0 {
			_, _ = w.WriteString(` id="`)
			_, _ = w.Write(util.EscapeHTML(idb))
			_ = w.WriteByte('"')
		}
		_ = w.WriteByte('>')
		return ast.WalkContinue, nil
	}
	if len(idb) > 0 {
		_, _ = w.WriteString(` <a class="anchor" href="#`)
		_, _ = w.Write(util.EscapeHTML(util.URLEscape(idb, false)))
		_, _ = w.WriteString(`" aria-label="Link to this question">#</a>`)
	}
	_, _ = w.WriteString("</h")
	_ = w.WriteByte(level)
	_, _ = w.WriteString(">\n")
	return ast.WalkContinue, nil
}

func renderLink(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Link)
	if !entering {
		_, _ = w.WriteString("</a>")
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString("<a")
	writeURL(w, "href", util.URLEscape(n.Destination, true), false)
	if n.Title != nil {
		_, _ = w.WriteString(` title="`)
		html.DefaultWriter.Write(w, n.Title)
		_ = w.WriteByte('"')
	}
	_ = w.WriteByte('>')
	return ast.WalkContinue, nil
}

func renderImage(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.Image)
	_, _ = w.WriteString("<img")
	writeURL(w, "src", util.URLEscape(n.Destination, true), true)
	_, _ = w.WriteString(` alt="`)
	_, _ = w.Write(util.EscapeHTML([]byte(inlineText(n, source))))
	_ = w.WriteByte('"')
	if n.Title != nil {
		_, _ = w.WriteString(` title="`)
		html.DefaultWriter.Write(w, n.Title)
		_ = w.WriteByte('"')
	}
	_ = w.WriteByte('>')
	return ast.WalkSkipChildren, nil
}

func renderAutoLink(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.AutoLink)
	u := util.URLEscape(n.URL(source), false)
	if n.AutoLinkType == ast.AutoLinkEmail && !bytes.HasPrefix(bytes.ToLower(u), []byte("mailto:")) {
		u = append([]byte("mailto:"), u...)
	}
	_, _ = w.WriteString("<a")
	writeURL(w, "href", u, false)
	_ = w.WriteByte('>')
	_, _ = w.Write(util.EscapeHTML(n.Label(source)))
	_, _ = w.WriteString("</a>")
	return ast.WalkSkipChildren, nil
}

// renderRawHTML keeps a bare line break, which tables and addresses in
// imported pages use, and drops all other inline HTML, as goldmark's safe
// mode does.
func renderRawHTML(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	if isBreak(node.(*ast.RawHTML), source) {
		_, _ = w.WriteString("<br>")
	} else {
		_, _ = w.WriteString("<!-- raw HTML omitted -->")
	}
	return ast.WalkSkipChildren, nil
}

// isBreak reports whether n is exactly <br>, <br/> or <br /> in any case.
func isBreak(n *ast.RawHTML, source []byte) bool {
	if n.Segments.Len() != 1 {
		return false
	}
	seg := n.Segments.At(0)
	s := seg.Value(source)
	if len(s) < 4 || len(s) > 6 {
		return false
	}
	switch strings.ToLower(string(s)) {
	case "<br>", "<br/>", "<br />":
		return true
	}
	return false
}

func renderWikiLink(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*wikiLink)
	label := util.EscapeHTML([]byte(n.label))
	if n.plain {
		_, _ = w.Write(label)
		return ast.WalkContinue, nil
	}
	if n.missing {
		_, _ = w.WriteString(`<a class="new" href="/new?title=`)
		_, _ = w.Write(util.EscapeHTML([]byte(url.QueryEscape(n.title))))
		_, _ = w.WriteString(`" rel="nofollow">`)
	} else {
		// A Slug holds only a-z, 0-9, '-' and '/': nothing to escape.
		_, _ = w.WriteString(`<a class="wikilink" href="/wiki/`)
		_, _ = w.WriteString(string(n.target))
		if n.anchor != "" {
			_ = w.WriteByte('#')
			_, _ = w.Write(util.EscapeHTML(util.URLEscape([]byte(n.anchor), false)))
		}
		_, _ = w.WriteString(`">`)
	}
	_, _ = w.Write(label)
	_, _ = w.WriteString("</a>")
	return ast.WalkContinue, nil
}

// writeURL writes ` attr="u"` if u passes checkURL, and for a link that
// leaves the wiki also rel="nofollow noopener". A refused URL writes
// nothing: an <a> without href is not a link, an <img> without src shows
// its alt text.
func writeURL(w util.BufWriter, attr string, u []byte, image bool) {
	ok, external := checkURL(u, image)
	if !ok {
		return
	}
	_ = w.WriteByte(' ')
	_, _ = w.WriteString(attr)
	_, _ = w.WriteString(`="`)
	_, _ = w.Write(util.EscapeHTML(u))
	_ = w.WriteByte('"')
	if external && !image {
		_, _ = w.WriteString(` rel="nofollow noopener"`)
	}
}

// checkURL decides whether u, as it will appear in the attribute (already
// URL-escaped by goldmark), may become an href (image false) or img src
// (image true), and whether it leads outside the wiki.
//
// goldmark's own IsDangerousURL is a blocklist matched on the raw prefix;
// this is an allowlist matched on the scheme a browser would see: browsers
// drop leading C0 controls and spaces and every tab and newline before
// they read the scheme ("java\tscript:" is "javascript:"), and compare it
// case-insensitively. Allowed: relative URLs, http, https, and for links
// mailto and tel, for images data:image/{png,gif,jpeg,webp}.
func checkURL(u []byte, image bool) (ok, external bool) {
	i := 0
	for i < len(u) && u[i] <= ' ' {
		i++
	}
	var scheme [8]byte // longest allowed scheme is 6 bytes
	n := 0
	j := i
scan:
	for ; j < len(u); j++ {
		c := u[j]
		switch {
		case c == '\t' || c == '\n' || c == '\r':
			continue
		case c >= 'a' && c <= 'z':
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case n > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			break scan
		}
		if n < len(scheme) {
			scheme[n] = c
		}
		n++
	}
	if n == 0 || j == len(u) || u[j] != ':' {
		// No scheme: a path, query or fragment in the wiki, unless it
		// starts "//" (browsers read '\' as '/'), which names another host.
		rest := stripTabs(u[i:], 2)
		external = len(rest) == 2 && (rest[0] == '/' || rest[0] == '\\') && (rest[1] == '/' || rest[1] == '\\')
		// The wiki serves no images of its own (no uploads), so an image
		// with a path in the wiki can only be a page or an action: a way
		// to make every reader's browser request it. Refused.
		return external || !image, external
	}
	if n > len(scheme) {
		return false, false
	}
	switch string(scheme[:n]) {
	case "http", "https":
		return true, true
	case "mailto", "tel":
		return !image, !image
	case "data":
		return image && isImageData(stripTabs(u[j+1:], 11)), false
	}
	return false, false
}

// stripTabs returns up to limit leading bytes of b without tabs and newlines.
func stripTabs(b []byte, limit int) []byte {
	out := make([]byte, 0, limit)
	for _, c := range b {
		if len(out) == limit {
			break
		}
		if c != '\t' && c != '\n' && c != '\r' {
			out = append(out, c)
		}
	}
	return out
}

// isImageData reports whether the start of a data: URL's body names a
// raster image type, which a browser will never run as a document or script.
func isImageData(b []byte) bool {
	s := strings.ToLower(string(b))
	for _, t := range []string{"image/png", "image/gif", "image/jpeg", "image/webp"} {
		if strings.HasPrefix(s, t) && len(s) > len(t) && (s[len(t)] == ';' || s[len(t)] == ',') {
			return true
		}
	}
	return false
}
