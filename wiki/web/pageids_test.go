package web

import (
	"io/fs"
	"regexp"
	"testing"

	"github.com/faqwiki/faqwiki/templates"
	"github.com/faqwiki/faqwiki/wiki/markdown"
)

// Every id the templates give an element is one that raw HTML in a page
// may not take (markdown.PageIDs): a template that adds one adds it there.
func TestTemplateIDsAreReservedFromPages(t *testing.T) {
	idAttr := regexp.MustCompile(`\bid="([A-Za-z0-9_:.-]+)"`)
	n := 0
	err := fs.WalkDir(templates.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templates.FS, path)
		if err != nil {
			return err
		}
		for _, m := range idAttr.FindAllSubmatch(b, -1) {
			n++
			if id := string(m[1]); !markdown.PageIDs[id] {
				t.Errorf("%s: id %q is not in markdown.PageIDs", path, id)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 50 {
		t.Errorf("only %d ids found in the templates", n)
	}
}
