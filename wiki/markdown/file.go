package markdown

import (
	"net/url"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
)

// A page's files: Markdown names them relative to the page, as a folder of
// Markdown files names the images beside it: ![screen](screen.png),
// [the form](form.pdf). The page transformer points such links and images
// at the files' addresses; sanitize does the same for raw HTML's src and
// href.

// filesKey is where parse leaves the page's files for the transformer.
var filesKey = parser.NewContextKey()

// fileTable maps what a page's text may write to name a file to the file's
// address, and knows those addresses.
type fileTable struct {
	byName map[string]string // file name -> URL
	urls   map[string]bool   // the URLs themselves
}

func (r *Renderer) fileTable(files []File) *fileTable {
	t := &fileTable{byName: make(map[string]string, len(files)), urls: make(map[string]bool, len(files))}
	for _, f := range files {
		u := r.fileURL(f.Name, f.ID)
		t.byName[f.Name] = u
		t.urls[u] = true
	}
	return t
}

// resolve returns the address of the file dest names, or "" when dest
// names none. dest is a destination as written: "screen.png",
// "./screen.png" or "screen%20shot.png" all name their file; a path with
// another folder, a query or a fragment names none.
func (t *fileTable) resolve(dest string) string {
	if t == nil || len(t.byName) == 0 {
		return ""
	}
	dest = strings.TrimPrefix(strings.TrimSpace(dest), "./")
	if u, ok := t.byName[dest]; ok {
		return u
	}
	if d, err := url.PathUnescape(dest); err == nil {
		if u, ok := t.byName[d]; ok {
			return u
		}
	}
	return ""
}

// known reports whether u is the address of one of the page's files.
func (t *fileTable) known(u string) bool { return t != nil && t.urls[u] }

// attrFile marks a link or image whose destination the transformer set to
// a file's address: the URL check lets it through (it names the wiki's own
// file route, which the check refuses for images in general).
var attrFile = []byte("faqwiki-file")

// resolveFile points n (a link or image) at the file its destination
// names, if any.
func resolveFile(n ast.Node, t *fileTable) {
	var dest *[]byte
	switch n := n.(type) {
	case *ast.Link:
		dest = &n.Destination
	case *ast.Image:
		dest = &n.Destination
	default:
		return
	}
	if u := t.resolve(string(*dest)); u != "" {
		*dest = []byte(u)
		n.SetAttribute(attrFile, true)
	}
}

// isFileNode reports whether the transformer pointed n at a file.
func isFileNode(n ast.Node) bool {
	_, ok := n.Attribute(attrFile)
	return ok
}
