package markdown

import (
	"strings"

	"github.com/yuin/goldmark/util"
)

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

// writeFileURL writes ` attr="u"` for u, the address of one of the page's
// files (Options.FileURL made it: it needs no check, only escaping).
func writeFileURL(w util.BufWriter, attr string, u []byte) {
	_ = w.WriteByte(' ')
	_, _ = w.WriteString(attr)
	_, _ = w.WriteString(`="`)
	_, _ = w.Write(util.EscapeHTML(u))
	_ = w.WriteByte('"')
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
		// An image with a path in the wiki that is not one of the page's
		// files (those the renderer points at before this check, see
		// file.go) can only be a page or an action: a way to make every
		// reader's browser request it. Refused.
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
