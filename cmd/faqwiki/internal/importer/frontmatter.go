package importer

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/pelletier/go-toml/v2"
)

// Front matter: the block of metadata that Jekyll, Hugo, Eleventy, mkdocs
// and Docusaurus put at the top of a Markdown file, YAML between "---"
// lines or TOML between "+++" lines. It gives a page its title, tags and
// old addresses; it is never page text.

// frontMatter is what faqwiki reads from a file's front matter.
type frontMatter struct {
	Title       string
	HasTitle    bool
	Tags        []string
	HasTags     bool
	Aliases     []string // old paths of the page ("/old/path/", "old/path.html")
	Attachments []string // faqwiki's own: files of the page beside its file (export writes them)
	// Permalink is where the site published the page (Jekyll's
	// permalink, Hugo's url): links to it lead to the page, and it is
	// one of its old addresses.
	Permalink string
	// Slug is the last part of the page's address where the site has its
	// own (Hugo's, Jekyll's and Docusaurus' slug; "/x" is a whole address),
	// and ID Docusaurus' name for the page, its address when slug is unset.
	Slug, ID string
	Draft    bool // Hugo's and Jekyll's draft: true
}

// splitFrontMatter cuts the front matter off md (which has LF line ends).
// lines is how many lines it took, for line numbers in the report. A
// block that does not parse is still cut off, and err says why.
func splitFrontMatter(md string) (fm frontMatter, body string, lines int, err error) {
	var fence, format string
	switch {
	case strings.HasPrefix(md, "---\n"):
		fence, format = "---", "yaml"
	case strings.HasPrefix(md, "+++\n"):
		fence, format = "+++", "toml"
	default:
		return fm, md, 0, nil
	}
	rest := md[len(fence)+1:]
	end := -1
	for off := 0; off <= len(rest); {
		line, _, _ := strings.Cut(rest[off:], "\n")
		if strings.TrimRight(line, " \t") == fence || (format == "yaml" && strings.TrimRight(line, " \t") == "...") {
			end = off
			break
		}
		if off+len(line) >= len(rest) {
			break
		}
		off += len(line) + 1
	}
	if end < 0 {
		// No closing fence: a "---" rule at the top, not front matter.
		return fm, md, 0, nil
	}
	block := rest[:end]
	after := rest[end:]
	if i := strings.IndexByte(after, '\n'); i >= 0 {
		after = after[i+1:]
	} else {
		after = ""
	}
	lines = strings.Count(md[:len(md)-len(after)], "\n")
	var raw map[string]any
	if format == "yaml" {
		err = yaml.Unmarshal([]byte(block), &raw)
	} else {
		err = toml.NewDecoder(bytes.NewReader([]byte(block))).Decode(&raw)
	}
	if err != nil {
		return fm, after, lines, fmt.Errorf("%s front matter does not parse: %s", format, firstLine(err.Error()))
	}
	for k, v := range raw {
		switch strings.ToLower(k) {
		case "title":
			if s := scalar(v); s != "" {
				fm.Title, fm.HasTitle = s, true
			}
		case "tags":
			fm.Tags, fm.HasTags = list(v), true
			if s, ok := v.(string); ok && !strings.Contains(s, ",") {
				fm.Tags = strings.Fields(s) // Jekyll's "tags: a b c"
			}
		case "permalink", "url":
			if s := scalar(v); s != "" && !strings.Contains(s, ":") {
				fm.Permalink = s // not a pattern such as /:categories/:title/
			}
		case "slug":
			fm.Slug = scalar(v)
		case "id":
			fm.ID = scalar(v)
		case "draft", "published":
			if b, ok := v.(bool); ok && b == (strings.ToLower(k) == "draft") {
				fm.Draft = true
			}
		case "aliases", "redirect_from", "redirects":
			fm.Aliases = append(fm.Aliases, list(v)...)
		case "attachments":
			fm.Attachments = append(fm.Attachments, list(v)...)
		}
	}
	return fm, after, lines, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// scalar returns a front matter value as text ("" for a list or map).
func scalar(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(v)
	case []any, map[string]any:
		return ""
	}
	return fmt.Sprint(v)
}

// list returns a front matter value as a list of texts: a list as it is,
// a comma-separated text split.
func list(v any) []string {
	var out []string
	switch v := v.(type) {
	case []any:
		for _, x := range v {
			if s := scalar(x); s != "" {
				out = append(out, s)
			}
		}
	case string:
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	default:
		if s := scalar(v); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// writeFrontMatter returns the YAML front matter block for a page's tags,
// old names and files, or "" when it has none.
func writeFrontMatter(tags, aliases, files []string) string {
	type fmOut struct {
		Tags        []string `yaml:"tags,omitempty"`
		Aliases     []string `yaml:"aliases,omitempty"`
		Attachments []string `yaml:"attachments,omitempty"`
	}
	if len(tags) == 0 && len(aliases) == 0 && len(files) == 0 {
		return ""
	}
	b, err := yaml.Marshal(fmOut{Tags: tags, Aliases: aliases, Attachments: files})
	if err != nil {
		// Lists of slug-like words always marshal; never reached.
		panic(err)
	}
	return "---\n" + string(b) + "---\n"
}
