package importer

import (
	"strings"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/faqwiki/faqwiki/wiki/markdown"
)

// Pages travel in and out of the wiki as Markdown files: optional front
// matter (tags, aliases, attachments), then the title as a "# " heading,
// then the text. Export writes that; import reads it back, and reads what
// other sites write too (see Read).

// splitTitle takes the title from the first line of md when it is a "# "
// heading and returns it (still Markdown) with the rest of the text, the
// blank line after the heading dropped, and how many lines were taken.
// Without such a line the title is "" and md is returned whole.
func splitTitle(md string) (title, body string, lines int) {
	trimmed := strings.TrimLeft(md, "\n")
	first, rest, _ := strings.Cut(trimmed, "\n")
	if !strings.HasPrefix(first, "# ") {
		return "", md, 0
	}
	title = strings.TrimSpace(strings.TrimPrefix(first, "# "))
	// An ATX heading's closing sequence: "# Title #" (a '#' after a space).
	if t := strings.TrimRight(title, "#"); t != title && (t == "" || strings.HasSuffix(t, " ")) {
		title = strings.TrimSpace(t)
	}
	if title == "" {
		return "", md, 0
	}
	// One blank line after the heading is the file's layout (PageFile
	// writes it); any more belong to the text.
	body = strings.TrimPrefix(rest, "\n")
	return title, body, strings.Count(md[:len(md)-len(body)], "\n")
}

// titleEscaper escapes every character that Markdown could read as syntax
// in a heading, so that a title reads back as exactly itself.
var titleEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`,
	`#`, `\#`, `!`, `\!`, `&`, `\&`, `|`, `\|`, `~`, `\~`, `(`, `\(`, `)`, `\)`,
)

// PageFile is the file export writes for a page, which Read reads back as
// the same page: title, text, tags, old names and the names of its files.
// r reads titles as Read does.
func PageFile(r *markdown.Renderer, title, body string, tags []string, aliases []wiki.Slug, files []string) string {
	var al []string
	for _, a := range aliases {
		al = append(al, string(a))
	}
	// A title is written as it is when it reads back as itself, which most
	// do, and escaped otherwise.
	heading := title
	if t, _, _ := splitTitle("# " + title + "\n"); t == "" || wiki.NormalizeTitle(r.PlainInline(t)) != title {
		heading = titleEscaper.Replace(title)
	}
	head := writeFrontMatter(tags, al, files) + "# " + heading + "\n"
	if body == "" {
		return head
	}
	return head + "\n" + body
}
