// Package templates embeds faqwiki's html/template files so that the binary
// is self-contained. Each page is one file (page_view.html, ...); layout.html
// and partials/*.html are shared by all of them. The web package parses them.
package templates

import "embed"

// FS holds every template file.
//
//go:embed *.html partials/*.html
var FS embed.FS
