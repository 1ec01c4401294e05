package markdown

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// maxWikiLinkLen bounds the text between "[[" and "]]", so that a line full
// of "[[" costs linear time.
const maxWikiLinkLen = 512

// kindWikiLink is the AST node kind of a [[...]] link.
var kindWikiLink = ast.NewNodeKind("WikiLink")

// wikiLink is a [[target#anchor|label]] link. It has no children: the label
// is plain text.
type wikiLink struct {
	ast.BaseInline
	target  string // the slug the link points at
	title   string // the target as written, for the create-page form
	anchor  string // heading id in the target page, or ""
	label   string
	missing bool // set by Render before rendering
	plain   bool // inside another link: render the label only
	// resolved is the slug of the page the link opens (Render sets it: it
	// may differ from target when the link named a page by its title);
	// others are pages that share the title.
	resolved string
	others   []string
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
func newWikiLink(raw []byte, linkSlug func(string) string) *wikiLink {
	target, label, hasLabel := strings.Cut(string(raw), "|")
	if hasLabel {
		// In a table cell the '|' must be escaped, "[[slug\|text]]", and
		// goldmark leaves the backslash in the cell's text.
		target = strings.TrimSuffix(target, `\`)
	}
	page, anchor, _ := strings.Cut(target, "#")
	page = strings.TrimSpace(resolveText(page))
	slug := linkSlug(page)
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
type wikiLinkParser struct {
	linkSlug func(string) string // Options.LinkSlug
}

func (wikiLinkParser) Trigger() []byte { return []byte{'['} }

func (p wikiLinkParser) Parse(_ ast.Node, block text.Reader, _ parser.Context) ast.Node {
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
	n := newWikiLink(line[2:end], p.linkSlug)
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
