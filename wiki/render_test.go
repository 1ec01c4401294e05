package wiki_test

import (
	"strings"
	"testing"

	"github.com/faqwiki/faqwiki/wiki"
)

// The wiki's renderer makes wiki-link targets with the wiki's own slug
// rules: whatever the link says, its target parses as a Slug.
func TestNewRendererLinksAreSlugs(t *testing.T) {
	r := wiki.NewRenderer()
	tests := []struct{ src, want string }{
		{"[[Café au lait]]", "cafe-au-lait"},
		{"[[Don't panic|x]]", "dont-panic"},
		{"[[Travel/Per Diem#Rates]]", "travel/per-diem"},
		{"[[revisions]]", "revisions-page"},
		{"[[" + strings.Repeat("word ", 40) + "]]", string(wiki.SlugFromTitle(strings.Repeat("word ", 40)))},
	}
	for _, tt := range tests {
		out, err := r.Render(tt.src, nil)
		if err != nil {
			t.Fatalf("Render(%q): %v", tt.src, err)
		}
		if len(out.Links) != 1 || out.Links[0] != tt.want {
			t.Errorf("Render(%q).Links = %q, want [%q]", tt.src, out.Links, tt.want)
			continue
		}
		if _, err := wiki.ParseSlug(out.Links[0]); err != nil {
			t.Errorf("link target %q of %q does not parse: %v", out.Links[0], tt.src, err)
		}
		if !strings.Contains(string(out.HTML), `href="/wiki/`+tt.want) {
			t.Errorf("Render(%q) = %s, want a link to /wiki/%s", tt.src, out.HTML, tt.want)
		}
	}
}
