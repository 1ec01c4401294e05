package markdown

import (
	"bytes"
	"net/url"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// nodeRenderer renders the nodes whose output faqwiki decides itself:
// headings (id and self-link), links, images and autolinks (our URL check
// and rel, a page's files), raw HTML (written as it is, for sanitize to
// rebuild from its allowlist: see Render) and wiki links. Everything else
// is goldmark's HTML renderer in its safe mode.
type nodeRenderer struct{}

func (nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindHeading, renderHeading)
	reg.Register(ast.KindLink, renderLink)
	reg.Register(ast.KindImage, renderImage)
	reg.Register(ast.KindAutoLink, renderAutoLink)
	reg.Register(ast.KindRawHTML, renderRawHTML)
	reg.Register(ast.KindHTMLBlock, renderHTMLBlock)
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
		// No text of its own: the "#" people see comes from the style
		// sheet, so the link's name is its label alone, and copying the
		// heading copies no "#".
		_, _ = w.WriteString(`" aria-label="Link to this question"></a>`)
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
	if isFileNode(n) {
		writeFileURL(w, "href", n.Destination)
	} else {
		writeURL(w, "href", util.URLEscape(n.Destination, true), false)
		if _, missing := n.Attribute(attrMissing); missing {
			// A link to a page's address where no page is (resolve.go).
			_, _ = w.WriteString(` class="new"`)
			if n.Title == nil {
				_, _ = w.WriteString(` title="No page here yet"`)
			}
		}
	}
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
	if isFileNode(n) {
		writeFileURL(w, "src", n.Destination)
	} else {
		writeURL(w, "src", util.URLEscape(n.Destination, true), true)
	}
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

// renderRawHTML writes a bare line break as <br> and any other inline HTML
// as it was written. The page transformer has noted it (pageInfo.rawHTML),
// so Render passes the whole output through sanitize: nothing written here
// reaches a browser unchecked.
func renderRawHTML(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*ast.RawHTML)
	if isBreak(n, source) {
		_, _ = w.WriteString("<br>")
		return ast.WalkSkipChildren, nil
	}
	for i := 0; i < n.Segments.Len(); i++ {
		seg := n.Segments.At(i)
		_, _ = w.Write(seg.Value(source))
	}
	return ast.WalkSkipChildren, nil
}

// renderHTMLBlock writes a block of raw HTML as it was written, for
// sanitize, as renderRawHTML does.
func renderHTMLBlock(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*ast.HTMLBlock)
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		_, _ = w.Write(seg.Value(source))
	}
	if n.HasClosure() {
		_, _ = w.Write(n.ClosureLine.Value(source))
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
		target := n.target
		if n.resolved != "" {
			target = n.resolved
		}
		_, _ = w.WriteString(`<a class="wikilink" href="/wiki/`)
		// Escaped although Options.LinkSlug promises a URL-safe slug: the
		// renderer's safety must not rest on its caller.
		_, _ = w.Write(util.EscapeHTML(util.URLEscape([]byte(target), false)))
		if n.anchor != "" {
			_ = w.WriteByte('#')
			_, _ = w.Write(util.EscapeHTML(util.URLEscape([]byte(n.anchor), false)))
		}
		_, _ = w.WriteString(`">`)
	}
	_, _ = w.Write(label)
	_, _ = w.WriteString("</a>")
	if len(n.others) > 0 && !n.missing {
		// Two pages share the title: say so, and link the others by their
		// address, which a link can name to pick one.
		_, _ = w.WriteString(`<span class="link-shared"> (also titled so:`)
		for i, o := range n.others {
			if i > 0 {
				_ = w.WriteByte(',')
			}
			_, _ = w.WriteString(` <a class="wikilink" href="/wiki/`)
			_, _ = w.Write(util.EscapeHTML(util.URLEscape([]byte(o), false)))
			_, _ = w.WriteString(`">`)
			_, _ = w.Write(util.EscapeHTML([]byte(o)))
			_, _ = w.WriteString(`</a>`)
		}
		_, _ = w.WriteString(`)</span>`)
	}
	return ast.WalkContinue, nil
}
