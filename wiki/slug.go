package wiki

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Vocabulary used across faqwiki:
//
//   - Title: what people read and type, e.g. "How do I get VPN access?".
//   - Slug:  the page's identity and the tail of its URL, e.g.
//     "how-do-i-get-vpn-access" or "travel/per-diem". Lower-case a-z, 0-9
//     and '-', with '/' between sub-page segments; 1..MaxSlugLen bytes; no
//     leading, trailing or doubled '/' or '-' (within a segment either).
//   - URL path: "/wiki/" + slug for people, "/api/v1/pages/" + slug for tools.
//
// Because a slug may contain '/', the API finds the page's slug by reading
// its URL from the right: a segment from ReservedSegments ends the slug.
// Those words can therefore never be a segment of a slug.

// MaxSlugLen is the longest slug accepted, in bytes.
const MaxSlugLen = 120

// ReservedSegments are the words that may not be a slug segment, because
// the API uses them after a slug (/api/v1/pages/{slug}/revisions/3 ...).
var ReservedSegments = map[string]bool{
	"revisions": true,
	"diff":      true,
	"revert":    true,
	"blame":     true,
	"backlinks": true,
	"sections":  true,
	// A page's files: /api/v1/pages/{slug}/attachments/{name}.
	"attachments": true,
	"watch":       true,
}

// Slug identifies a page. The zero value is not a valid slug; get one from
// ParseSlug or SlugFromTitle.
type Slug string

// String returns the slug as text.
func (s Slug) String() string { return string(s) }

// Parent returns the slug of the page above s ("a/b" -> "a"), or "" at the top.
func (s Slug) Parent() Slug {
	i := strings.LastIndexByte(string(s), '/')
	if i < 0 {
		return ""
	}
	return s[:i]
}

// ParseSlug checks that s is a well-formed slug and returns it. It does not
// rewrite anything: use SlugFromTitle to derive a slug from free text.
func ParseSlug(s string) (Slug, error) {
	if s == "" {
		return "", Invalid("slug", "is empty")
	}
	if len(s) > MaxSlugLen {
		return "", Invalid("slug", "is longer than %d characters", MaxSlugLen)
	}
	for seg := range strings.SplitSeq(s, "/") {
		if seg == "" {
			return "", Invalid("slug", "has an empty segment (leading, trailing or doubled '/')")
		}
		if seg[0] == '-' || seg[len(seg)-1] == '-' || strings.Contains(seg, "--") {
			return "", Invalid("slug", "has a leading, trailing or doubled '-'")
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", Invalid("slug", "may contain only a-z, 0-9, '-' and '/'")
			}
		}
		if ReservedSegments[seg] {
			return "", Invalid("slug", "may not use the reserved word %q as a segment", seg)
		}
	}
	return Slug(s), nil
}

// SlugFromTitle derives a slug from a title or any free text: accents are
// dropped, letters lower-cased, every run of other characters becomes one
// '-', and '/' separates sub-pages. The result is cut to MaxSlugLen at a
// word boundary. It returns "" when nothing usable is left; a reserved
// segment gets "-page" appended so the result always parses.
func SlugFromTitle(title string) Slug {
	var segs []string
	for _, part := range strings.Split(title, "/") {
		if seg := slugSegment(part); seg != "" {
			if ReservedSegments[seg] {
				seg += "-page"
			}
			segs = append(segs, seg)
		}
	}
	s := strings.Join(segs, "/")
	for len(s) > MaxSlugLen {
		cut := strings.LastIndexAny(s[:MaxSlugLen+1], "-/")
		if cut <= 0 {
			cut = MaxSlugLen
		}
		s = strings.TrimRight(s[:cut], "-/")
	}
	// Cutting can leave a reserved word as the last segment again
	// ("…/revisions-page" cut to "…/revisions"): drop that segment.
	for {
		i := strings.LastIndexByte(s, '/')
		if !ReservedSegments[s[i+1:]] {
			break
		}
		s = strings.TrimRight(s[:max(i, 0)], "/")
	}
	return Slug(s)
}

// slugSegment turns one '/'-free part of a title into a segment.
func slugSegment(part string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(part) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// a combining accent left by NFKD: drop it ("é" -> "e")
			continue
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '\u2019':
			// "don't" -> "dont", as people expect
		default:
			dash = true
		}
	}
	return b.String()
}
