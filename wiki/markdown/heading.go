package markdown

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

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
	// pageLinks are ordinary Markdown links to wiki pages' addresses
	// (resolve.go).
	pageLinks []pageLink
	files     *fileTable // the page's files, or nil
	// rawHTML is set when the text has raw HTML other than a bare <br>;
	// rawKept counts its elements that the allowlist keeps.
	rawHTML bool
	rawKept map[string]int
}

// pageTransformer gives every heading its id and collects the headings and
// wiki links of a document. Ids are made from the heading's plain text
// after inline parsing, so "## Use `go vet` [[Tools|here]]" gets
// "use-go-vet-here", as on GitHub, not an id with Markdown syntax in it.
type pageTransformer struct{}

func (pageTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	info := &pageInfo{}
	info.files, _ = pc.Get(filesKey).(*fileTable)
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			resolveFile(n, info.files)
			if !isFileNode(n) {
				if slug := wikiPagePath(n.Destination); slug != "" {
					info.pageLinks = append(info.pageLinks, pageLink{node: n, slug: slug})
				}
			}
		case *ast.Image:
			resolveFile(n, info.files)
		case *ast.RawHTML:
			if !isBreak(n, src) {
				info.noteRaw(n.Segments, src)
			}
		case *ast.HTMLBlock:
			info.noteRaw(n.Lines(), src)
			if n.HasClosure() {
				info.countKept(n.ClosureLine.Value(src))
			}
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
