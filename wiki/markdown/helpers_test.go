package markdown

import (
	"strings"
	"unicode"
)

// testSlug is the LinkSlug the tests render with: a small stand-in for
// wiki.SlugFromTitle (lower-case ASCII letters and digits, every other run
// a single '-', '/' kept between segments, apostrophes dropped). wiki's own
// tests check the renderer with the real slug rules.
func testSlug(page string) string {
	var segs []string
	for _, part := range strings.Split(page, "/") {
		var b strings.Builder
		dash := false
		for _, r := range part {
			switch {
			case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
				if dash && b.Len() > 0 {
					b.WriteByte('-')
				}
				dash = false
				b.WriteRune(unicode.ToLower(r))
			case r == '\'' || r == '\u2019':
			default:
				dash = true
			}
		}
		if b.Len() > 0 {
			segs = append(segs, b.String())
		}
	}
	return strings.Join(segs, "/")
}

func newTestRenderer() *Renderer { return New(Options{LinkSlug: testSlug, FileURL: testFileURL}) }

// testFileURL addresses a page's file in tests.
func testFileURL(name, id string) string { return "/files/" + id + "/" + name }

// isTestSlug reports whether s could have come from testSlug.
func isTestSlug(s string) bool {
	if s == "" || strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") || strings.Contains(s, "//") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '/') {
			return false
		}
	}
	return true
}
