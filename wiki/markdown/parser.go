package markdown

import (
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// newParser returns goldmark's default parser plus wiki links and the page
// transformer, with two guards against input whose parse time grows with
// the square of its size (goldmark v1.8.7; each was minutes for 1 MiB):
// block quotes and lists nest at most maxNesting deep, and a link's
// "(destination "title")" part may be at most maxLinkTail bytes long.
func newParser(linkSlug func(string) string) parser.Parser {
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
	inlines = append(inlines, util.Prioritized(wikiLinkParser{linkSlug: linkSlug}, 199))
	return parser.NewParser(
		parser.WithBlockParsers(blocks...),
		parser.WithInlineParsers(inlines...),
		parser.WithParagraphTransformers(parser.DefaultParagraphTransformers()...),
		parser.WithASTTransformers(util.Prioritized(alertTransformer{}, 999), util.Prioritized(pageTransformer{}, 1000),
			util.Prioritized(tableTransformer{}, 1001)),
	)
}

// newInlineParser returns a parser that reads its whole input as one
// paragraph's inline content (no headings, lists or quotes), for
// PlainInline: "1. Intro" is a title, not a list.
func newInlineParser(linkSlug func(string) string) parser.Parser {
	inlines := parser.DefaultInlineParsers()
	for i, v := range inlines {
		if v.Value == parser.NewLinkParser() {
			inlines[i].Value = boundedLinkParser{v.Value.(linkParser)}
		}
	}
	inlines = append(inlines, util.Prioritized(wikiLinkParser{linkSlug: linkSlug}, 199))
	return parser.NewParser(
		parser.WithBlockParsers(util.Prioritized(parser.NewParagraphParser(), 1000)),
		parser.WithInlineParsers(inlines...),
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
