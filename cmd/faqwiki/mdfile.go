package main

import (
	"path"
	"strings"

	"github.com/faqwiki/faqwiki/wiki"
)

// Pages travel in and out of the wiki as Markdown files (faqwiki import and
// export): one file per page, its path below the folder giving the slug and
// its first "# " heading the title.

// slugFromPath derives a page slug from a file's path relative to the
// import folder: "Travel/Per Diem.md" -> "travel/per-diem"; a file named
// index.md stands for its folder ("travel/index.md" -> "travel").
func slugFromPath(rel string) (wiki.Slug, error) {
	rel = strings.TrimSuffix(path.Clean(strings.ReplaceAll(rel, "\\", "/")), ".md")
	segs := strings.Split(rel, "/")
	if len(segs) > 1 && segs[len(segs)-1] == "index" {
		segs = segs[:len(segs)-1]
	}
	for i, s := range segs {
		segs[i] = string(wiki.SlugFromTitle(strings.ReplaceAll(s, "_", "-")))
	}
	return wiki.ParseSlug(strings.Join(segs, "/"))
}

// splitTitle takes the title from the first line of a Markdown file when it
// is a "# " heading and returns it with the rest of the text (the blank
// lines after the heading dropped). Without such a line the title is "" and
// the text is returned whole.
func splitTitle(md string) (title, body string) {
	md = strings.TrimPrefix(md, "\uFEFF")
	md = strings.ReplaceAll(strings.ReplaceAll(md, "\r\n", "\n"), "\r", "\n")
	trimmed := strings.TrimLeft(md, "\n")
	first, rest, _ := strings.Cut(trimmed, "\n")
	if !strings.HasPrefix(first, "# ") {
		return "", md
	}
	title = wiki.NormalizeTitle(strings.TrimRight(strings.TrimPrefix(first, "# "), " #"))
	if title == "" {
		return "", md
	}
	return title, strings.TrimLeft(rest, "\n")
}

// fileText is the inverse of splitTitle: the page as a Markdown file whose
// first line is its title.
func fileText(title, body string) string {
	if body == "" {
		return "# " + title + "\n"
	}
	return "# " + title + "\n\n" + body
}
