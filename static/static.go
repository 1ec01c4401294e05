// Package static embeds faqwiki's CSS, JavaScript and icons. The web package
// serves them under checksummed URLs with long cache lifetimes.
package static

import "embed"

// FS holds every static file.
//
//go:embed *.css *.js *.svg
var FS embed.FS
