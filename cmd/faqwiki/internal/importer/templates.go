package importer

import (
	"fmt"
	"maps"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Site generators' template syntax. Handbooks kept for Jekyll, Eleventy or
// Hugo hold Liquid tags ({% include x.html %}, {{ site.baseurl }}) and
// shortcodes ({{< ref "x" >}}) that their generator replaced when it built
// the site; Docusaurus and MkDocs have admonitions (":::note", "!!! tip").
// Imported as written, they showed on the pages as code. templates turns
// what has a Markdown equivalent into it and drops the rest, each drop in
// the report with its line:
//
//   - links ({% link p %}, {% page p %}, {% post_url p %}, {{< ref p >}},
//     {{< relref p >}}) become the path they name, from the site's root,
//     which the link rewriting then takes to its page; {{ site.baseurl }}
//     and {{ site.url }} become nothing;
//   - callouts ({% alert "Title" %}…{% endalert %}, {{< notice tip >}}…
//     {{< /notice >}}, ":::note Title"…":::", "!!! note "Title"" and its
//     indented lines) become GitHub alerts ("> [!TIP]"), which pages show
//     as call-out boxes, with their title in bold;
//   - {% raw %} and {% endraw %} go, their text stays; {% comment %}…
//     {% endcomment %} and {% capture %}…{% endcapture %} go with their
//     text; other paired tags ({% if %}…
//     {% endif %}, {{% details %}}…{{% /details %}}) go, their text stays;
//   - {{< highlight go >}} and {{< mermaid >}} become fenced code (their
//     text untouched), {{< youtube ID >}}, {{< vimeo ID >}} and
//     {% embed url=… %} links, {{< figure src=… >}} an image;
//   - every other tag ({% include %}, {{ page.title }}) goes.
//
// Code is code: in code blocks and code spans only {% raw %} and
// {% endraw %} (which exist for code) are taken out. Line numbers stay as
// they were: what goes leaves its line breaks.

// callouts are the tag and admonition names taken for block quotes.
var callouts = map[string]bool{
	"alert": true, "note": true, "notice": true, "callout": true, "tip": true, "hint": true, "info": true,
	"warning": true, "caution": true, "danger": true, "important": true, "admonition": true, "success": true,
	"error": true, "attention": true, "example": true, "quote": true, "abstract": true, "question": true,
}

// templateTag matches a Liquid tag or output, or a Hugo shortcode.
var templateTag = regexp.MustCompile(`(?s)\{%-?\s*(.*?)\s*-?%\}|\{\{<\s*(.*?)\s*>\}\}|\{\{%\s*(.*?)\s*%\}\}|\{\{-?\s*([^\n]*?)\s*-?\}\}`)

// linkTags name a page by its path.
var linkTags = map[string]bool{"link": true, "page": true, "post_url": true, "ref": true, "relref": true}

// blockOpen is a tag that opens a block whose end it awaits.
type blockOpen struct {
	name    string
	start   int      // offset of the tag in the text
	callout *callout // for a callout: what it becomes
}

// callout is a callout's alert kind ("NOTE", "TIP", "IMPORTANT",
// "WARNING", "CAUTION": GitHub's, which pages render as call-out boxes)
// and its own title, if it has one.
type callout struct{ kind, title string }

// alertKinds maps callout names to the alert kind nearest in meaning.
var alertKinds = map[string]string{
	"tip": "TIP", "hint": "TIP", "success": "TIP",
	"important": "IMPORTANT", "attention": "IMPORTANT",
	"warning": "WARNING", "alert": "WARNING",
	"caution": "CAUTION", "danger": "CAUTION", "error": "CAUTION",
}

// namedArg is a name="value" argument of a tag.
var namedArg = regexp.MustCompile(`(\w+)=["']([^"']*)["']`)

// argKinds maps the style or colour a callout tag names to a callout name.
var argKinds = map[string]string{
	"info": "note", "primary": "note", "secondary": "note", "note": "note",
	"success": "tip", "tip": "tip",
	"warning": "warning", "danger": "danger", "error": "danger",
}

// newCallout is the callout a name (of a tag or admonition) and a title
// make; the title counts only if it is not the name's own word.
func newCallout(name, title string) *callout {
	name = strings.ToLower(name)
	kind := alertKinds[name]
	if kind == "" {
		kind = "NOTE"
	}
	if strings.EqualFold(title, name) || strings.EqualFold(title, kind) {
		title = ""
	}
	return &callout{kind: kind, title: title}
}

// quoteCallout makes lines a callout: lines[0], the line the opening tag
// was on (with any text left on it), and the rest, its text. The alert
// line takes lines[0] if it is empty; a title goes in bold before the
// first line of text. Nothing is added or taken away but the marks, so
// the lines stay as many.
func quoteCallout(lines []string, c *callout) {
	title := ""
	if c.title != "" {
		title = "**" + c.title + "** "
	}
	head := strings.TrimSpace(lines[0])
	if head != "" {
		lines[0] = "> " + title + head
		title = ""
	} else {
		lines[0] = "> [!" + c.kind + "]"
	}
	for i := 1; i < len(lines); i++ {
		if title != "" && strings.TrimSpace(lines[i]) != "" {
			lines[i] = title + lines[i]
			title = ""
		}
		lines[i] = quoteLine(lines[i])
	}
	if title != "" { // no text: the title is all there is
		lines[0] = "> " + strings.TrimSpace(title)
	}
}

// templates rewrites the template syntax of body (see above), reporting
// to rd.rep under file; firstLine is body's first line in the file.
func (rd *reader) templates(file, body string, firstLine int) string {
	if !strings.Contains(body, "{%") && !strings.Contains(body, "{{") && !strings.Contains(body, ":::") && !strings.Contains(body, "!!!") && !strings.Contains(body, "???") && !strings.Contains(body, "===") {
		return body
	}
	code := codeRanges(body)
	lineOf := func(i int) int { return firstLine + strings.Count(body[:i], "\n") }
	dropped := map[string]int{} // tag name -> count, for one note a page
	firstDrop := map[string]int{}
	drop := func(name string, at int) {
		if dropped[name] == 0 {
			firstDrop[name] = lineOf(at)
		}
		dropped[name]++
	}

	var out strings.Builder
	type quoteSpan struct {
		start, end int
		c          *callout
	}
	var quotes []quoteSpan // ranges of out that become callouts
	var stack []blockOpen
	pos := 0
	commentDepth, swallowing := 0, "" // inside a comment or capture, and which
	raw := false                      // inside {% raw %}: tags are text
	fence := ""                       // inside {{< highlight >}} (the shortcode's name): its text is code
	for _, m := range templateTag.FindAllStringSubmatchIndex(body, -1) {
		start, end := m[0], m[1]
		inner, hugo, closing, output := "", false, false, false
		for g := 1; g <= 4; g++ {
			if m[2*g] >= 0 {
				inner = body[m[2*g]:m[2*g+1]]
				hugo = g == 2 || g == 3
				output = g == 4
			}
		}
		if raw && !(inner == "endraw") {
			continue
		}
		name, args := tagName(inner)
		if fence != "" {
			if !(hugo && name == "/"+fence) {
				continue
			}
			out.WriteString(body[pos:start])
			out.WriteString("```" + newlines(body[start:end]))
			pos, fence = end, ""
			continue
		}
		if hugo && strings.HasPrefix(name, "/") {
			name, closing = name[1:], true
		}
		if !hugo && strings.HasPrefix(name, "end") && len(name) > 3 {
			name, closing = name[3:], true
		}
		if name == "raw" { // {% raw %} or {% endraw %}
			out.WriteString(body[pos:start])
			out.WriteString(newlines(body[start:end]))
			pos = end
			raw = !closing && !inCode(code, start)
			continue
		}
		if inCode(code, start) {
			continue
		}
		if commentDepth > 0 {
			switch {
			case name == swallowing && closing:
				commentDepth--
			case name == swallowing:
				commentDepth++
			}
			if commentDepth == 0 {
				out.WriteString(newlines(body[pos:end]))
				pos = end
			}
			continue
		}
		out.WriteString(body[pos:start])
		pos = end
		keep := newlines(body[start:end])
		switch {
		case !hugo && (name == "comment" || name == "capture") && !closing && pairedLater(body[end:], name, false):
			// A comment, or text captured into a variable: it goes with
			// its text, at its end tag.
			commentDepth, swallowing = 1, name
			pos = start
		case (name == "ref" || name == "relref") && hugo && !closing:
			out.WriteString(rd.hugoRef(file, args))
		case linkTags[name] && !closing:
			out.WriteString(linkPath(args))
		case hugo && codeShortcodes[name] && !closing && pairedLater(body[end:], name, true):
			// {{< highlight bash >}}…{{< /highlight >}}: a fenced code block.
			lang, _ := tagName(args)
			if name != "highlight" {
				lang = name
			}
			out.WriteString("```" + strings.Trim(lang, `"'`) + keep)
			fence = name
		case (hugo || !output) && embedOf(name, args) != "":
			out.WriteString(embedOf(name, args) + keep)
		case output && urlFilter.MatchString(inner):
			// {{ "/tools/slack/" | relative_url }}: the path it wraps.
			out.WriteString(urlFilter.FindStringSubmatch(inner)[1])
		case !hugo && (inner == "site.baseurl" || inner == "site.url" || strings.HasPrefix(inner, "site.baseurl ") || strings.HasPrefix(inner, "site.url ")):
			out.WriteString(keep)
		case closing:
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i].name != name {
					continue
				}
				o := stack[i]
				stack = stack[:i]
				if o.callout != nil {
					quotes = append(quotes, quoteSpan{o.start, out.Len(), o.callout})
				}
				break
			}
			out.WriteString(keep)
		case name == "tab" && pairedLater(body[end:], name, hugo):
			// A tab of a set ({% tab title="Remote" %}, {{% tab "US" %}}):
			// its label in bold before its text.
			if label := tabLabel(args); label != "" {
				out.WriteString("**" + label + "**")
			}
			stack = append(stack, blockOpen{name: name, start: out.Len()})
			out.WriteString(keep)
		case pairedLater(body[end:], name, hugo):
			o := blockOpen{name: name, start: out.Len()}
			if callouts[name] {
				o.callout = tagCallout(name, args)
			} else {
				drop(pairShown(name, hugo)+keptMark, start)
			}
			stack = append(stack, o)
			out.WriteString(keep)
		default:
			drop(tagShown(name, inner, hugo, output), start)
			out.WriteString(keep)
		}
	}
	out.WriteString(body[pos:])
	text := out.String()
	// Innermost and last first; a callout around one grows with it.
	slices.SortStableFunc(quotes, func(a, b quoteSpan) int { return b.start - a.start })
	for i, q := range quotes {
		quoted := blockQuote(text[q.start:q.end], q.c)
		text = text[:q.start] + quoted + text[q.end:]
		for j := i + 1; j < len(quotes); j++ {
			if quotes[j].end >= q.end {
				quotes[j].end += len(quoted) - (q.end - q.start)
			}
		}
	}
	text = rd.admonitions(text)
	for _, name := range slices.Sorted(maps.Keys(dropped)) {
		n := dropped[name]
		shown, kept := strings.CutSuffix(name, keptMark)
		what := fmt.Sprintf("template tag %s dropped (line %d", shown, firstDrop[name])
		if kept {
			what = fmt.Sprintf("template tags %s dropped, the text between them kept (line %d", shown, firstDrop[name])
		}
		if n > 1 {
			what += fmt.Sprintf(", %d in all", n)
		}
		rd.rep.change(file, what+"): the site's generator filled it in; the wiki has no equivalent")
	}
	return text
}

// urlFilter is a Liquid output of a quoted path through a URL filter:
// {{ "/x/" | relative_url }}, {{ '/x' | absolute_url }},
// {{ "/x" | prepend: site.baseurl }}.
var urlFilter = regexp.MustCompile(`^["']([^"']*)["']\s*\|\s*(?:relative_url|absolute_url|prepend:\s*site\.baseurl|url)\s*$`)

// tabLabel is a tab's label: its title= or name= argument, or its first
// quoted one.
func tabLabel(args string) string {
	for _, m := range namedArg.FindAllStringSubmatch(args, -1) {
		if m[1] == "title" || m[1] == "name" || m[1] == "label" {
			return m[2]
		}
	}
	if i := strings.IndexAny(args, `"'`); i >= 0 {
		if j := strings.IndexByte(args[i+1:], args[i]); j > 0 {
			return args[i+1 : i+1+j]
		}
	}
	return ""
}

// codeShortcodes are Hugo's shortcodes whose text is code.
var codeShortcodes = map[string]bool{"highlight": true, "mermaid": true, "code": true}

// embedOf is the Markdown for a shortcode or tag that embeds a video, a
// page or a figure: a link to the video or page, the figure's image;
// "" for any other.
func embedOf(name, args string) string {
	first, _ := tagName(args)
	first = strings.Trim(first, `"'`)
	named := map[string]string{}
	for _, m := range namedArg.FindAllStringSubmatch(args, -1) {
		named[m[1]] = m[2]
	}
	if v := named["id"]; v != "" {
		first = v
	}
	switch name {
	case "youtube":
		if first != "" && !strings.Contains(first, "=") {
			return "[YouTube video](https://www.youtube.com/watch?v=" + url.QueryEscape(first) + ")"
		}
	case "vimeo":
		if first != "" && !strings.Contains(first, "=") {
			return "[Vimeo video](https://vimeo.com/" + url.PathEscape(first) + ")"
		}
	case "embed":
		if u := named["url"]; hasScheme(u) {
			return "<" + u + ">"
		}
	case "figure":
		if src := named["src"]; src != "" {
			alt := named["alt"]
			if alt == "" {
				alt = named["caption"]
			}
			md := "![" + strings.NewReplacer("[", "", "]", "").Replace(alt) + "](" + src + ")"
			if c := named["caption"]; c != "" && c != alt {
				md += " *" + c + "*"
			}
			return md
		}
	}
	return ""
}

// tagShown is how the report names a tag: {% include %}, {{ page.title }},
// {{< youtube >}}.
func tagShown(name, inner string, hugo, output bool) string {
	switch {
	case output:
		if utf8.RuneCountInString(inner) > 40 {
			inner = string([]rune(inner)[:39]) + "…"
		}
		return "{{ " + inner + " }}"
	case hugo:
		return "{{< " + name + " >}}"
	}
	return "{% " + name + " %}"
}

// pairShown names a pair of tags: {% if %}…{% endif %}.
func pairShown(name string, hugo bool) string {
	if hugo {
		return "{{< " + name + " >}}…{{< /" + name + " >}}"
	}
	return "{% " + name + " %}…{% end" + name + " %}"
}

// keptMark marks a dropped pair of tags in templates' count.
const keptMark = "\x00kept"

// tagName splits a tag's inside into its name and the rest.
func tagName(inner string) (name, args string) {
	inner = strings.TrimSpace(inner)
	i := strings.IndexFunc(inner, unicode.IsSpace)
	if i < 0 {
		return inner, ""
	}
	return inner[:i], strings.TrimSpace(inner[i:])
}

// pairedLater reports whether rest has the end of a block named name.
func pairedLater(rest, name string, hugo bool) bool {
	if name == "" || !isIdent(name) {
		return false
	}
	var re *regexp.Regexp
	if hugo {
		re = regexp.MustCompile(`\{\{[<%]\s*/` + regexp.QuoteMeta(name) + `\s*[>%]\}\}`)
	} else {
		re = regexp.MustCompile(`\{%-?\s*end` + regexp.QuoteMeta(name) + `\s*-?%\}`)
	}
	return re.MatchString(rest)
}

func isIdent(s string) bool {
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// hugoRef is the path a Hugo {{< ref p >}} names, found as Hugo finds
// it: relative to the page, then from the site's root, then by its file
// name if one file has it; else linkPath's.
func (rd *reader) hugoRef(file, args string) string {
	p, _ := tagName(args)
	p = strings.Trim(p, `"'`)
	if p == "" || hasScheme(p) {
		return p
	}
	p, frag, _ := strings.Cut(p, "#")
	if frag != "" {
		frag = "#" + frag
	}
	tries := []string{strings.TrimPrefix(p, "/")}
	if !strings.HasPrefix(p, "/") {
		tries = append([]string{path.Join(path.Dir(file), p)}, tries...)
	}
	for _, t := range tries {
		if s := rd.findPage(t); s != nil {
			return "/" + s.rel + frag
		}
	}
	var only *source
	base := strings.TrimSuffix(path.Base(p), path.Ext(p))
	for _, s := range rd.sources {
		if strings.TrimSuffix(path.Base(s.rel), path.Ext(s.rel)) == base {
			if only != nil {
				only = nil
				break
			}
			only = s
		}
	}
	if only != nil {
		return "/" + only.rel + frag
	}
	return linkPath(p + frag)
}

// linkPath is the path a link tag names, from the site's root ("/x/y"), or
// the address it gives.
func linkPath(args string) string {
	p, _ := tagName(args)
	p = strings.Trim(p, `"'`)
	if p == "" || hasScheme(p) || strings.HasPrefix(p, "/") {
		return p
	}
	return "/" + p
}

// tagCallout is a callout tag's callout: the kind its name says (or its
// first word, for a generic name: "notice tip"), the title its first
// quoted argument gives.
func tagCallout(name, args string) *callout {
	title := ""
	if i := strings.IndexAny(args, `"'`); i >= 0 {
		q := args[i]
		if j := strings.IndexByte(args[i+1:], q); j > 0 {
			title = args[i+1 : i+1+j]
		}
	}
	if first, _ := tagName(args); (name == "notice" || name == "callout" || name == "admonition") && isIdent(first) && first != "" && !strings.Contains(first, "=") {
		name = first
	}
	// Named arguments: GitBook's {% hint style="warning" %}, Docsy's
	// {{% alert title="Note" color="primary" %}}.
	for _, m := range namedArg.FindAllStringSubmatch(args, -1) {
		switch m[1] {
		case "title":
			title = m[2]
		case "style", "type", "color":
			if k := argKinds[strings.ToLower(m[2])]; k != "" {
				name = k
			}
		}
	}
	if strings.Contains(args, "=") && !strings.Contains(args, "title=") && namedArg.MatchString(args) {
		// The first quoted value was an option, not a title.
		title = ""
	}
	return newCallout(name, title)
}

// newlines returns the line breaks of s, for text that goes.
func newlines(s string) string { return strings.Repeat("\n", strings.Count(s, "\n")) }

// blockQuote makes s a callout (see quoteCallout); its last line break
// stays as it is (the end tag's line follows).
func blockQuote(s string, c *callout) string {
	body, nl := strings.CutSuffix(s, "\n")
	lines := strings.Split(body, "\n")
	quoteCallout(lines, c)
	if nl {
		return strings.Join(lines, "\n") + "\n"
	}
	return strings.Join(lines, "\n")
}

// admonition lines: Docusaurus ":::note Title" to ":::", MkDocs
// "!!! note "Title"" (or "???", collapsible) over indented lines.
var (
	colonOpen = regexp.MustCompile(`^:::\s*([A-Za-z]+)\s*(.*)$`)
	tabOpen   = regexp.MustCompile(`^===[+!]?\s+"([^"]+)"\s*$`)
	bangOpen  = regexp.MustCompile(`^(?:!!!|\?\?\?\+?)\s*([A-Za-z]+)(?:\s+"([^"]*)")?\s*$`)
)

// admonitions turns admonitions outside code into block quotes.
func (rd *reader) admonitions(text string) string {
	if !strings.Contains(text, ":::") && !strings.Contains(text, "!!!") && !strings.Contains(text, "???") && !strings.Contains(text, "===") {
		return text
	}
	code := codeRanges(text)
	lines := strings.Split(text, "\n")
	starts := make([]int, len(lines)) // byte offset of each line
	for i, off := 1, 0; i < len(lines); i++ {
		off += len(lines[i-1]) + 1
		starts[i] = off
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if inCode(code, starts[i]) {
			continue
		}
		if m := colonOpen.FindStringSubmatch(strings.TrimSpace(l)); m != nil && callouts[strings.ToLower(m[1])] {
			end := -1
			for j := i + 1; j < len(lines); j++ {
				if strings.TrimSpace(lines[j]) == ":::" {
					end = j
					break
				}
			}
			if end < 0 {
				continue
			}
			lines[i] = ""
			quoteCallout(lines[i:end], newCallout(m[1], strings.Trim(m[2], "[] ")))
			lines[end] = ""
			i = end
			continue
		}
		if m := tabOpen.FindStringSubmatch(l); m != nil {
			// A content tab (=== "Engineering") and its indented text:
			// the label in bold, the text as the page's.
			lines[i] = "**" + m[1] + "**"
			for j := i + 1; j < len(lines); j++ {
				b := lines[j]
				if strings.TrimSpace(b) == "" {
					continue
				}
				if !strings.HasPrefix(b, "    ") && !strings.HasPrefix(b, "\t") {
					break
				}
				lines[j] = strings.TrimPrefix(strings.TrimPrefix(b, "    "), "\t")
			}
			continue
		}
		if m := bangOpen.FindStringSubmatch(l); m != nil {
			j := i + 1
			for ; j < len(lines); j++ {
				b := lines[j]
				if strings.TrimSpace(b) == "" {
					// A blank line inside, if more indented text follows.
					if j+1 < len(lines) && (strings.HasPrefix(lines[j+1], "    ") || strings.HasPrefix(lines[j+1], "\t")) {
						lines[j] = ""
						continue
					}
					break
				}
				if !strings.HasPrefix(b, "    ") && !strings.HasPrefix(b, "\t") {
					break
				}
				lines[j] = strings.TrimPrefix(strings.TrimPrefix(b, "    "), "\t")
			}
			lines[i] = ""
			quoteCallout(lines[i:j], newCallout(m[1], m[2]))
			i = j - 1
		}
	}
	return strings.Join(lines, "\n")
}

func quoteLine(l string) string {
	if strings.TrimSpace(l) == "" {
		return ">"
	}
	return "> " + l
}

// mdxStatements drops an MDX file's import and export statements (lines
// outside code that begin with "import " or "export "), which say what
// the site's React components are and are not page text, and reports
// them; their lines stay, empty.
func (rd *reader) mdxStatements(file, body string, firstLine int) string {
	code := codeRanges(body)
	lines := strings.Split(body, "\n")
	n, first := 0, 0
	for i, off := 0, 0; i < len(lines); i++ {
		l := lines[i]
		if (strings.HasPrefix(l, "import ") || strings.HasPrefix(l, "export ")) && !inCode(code, off) {
			if n == 0 {
				first = firstLine + i
			}
			n++
			// A statement of several lines ("export const X = () => (")
			// runs while its brackets are open or its line asks for more.
			depth := 0
			for ; i < len(lines); i++ {
				s := lines[i]
				depth += strings.Count(s, "(") + strings.Count(s, "{") + strings.Count(s, "[") -
					strings.Count(s, ")") - strings.Count(s, "}") - strings.Count(s, "]")
				off += len(s) + 1
				lines[i] = ""
				t := strings.TrimSpace(s)
				if depth <= 0 && !strings.HasSuffix(t, "=") && !strings.HasSuffix(t, "=>") && !strings.HasSuffix(t, ",") {
					break
				}
			}
			continue
		}
		off += len(l) + 1
	}
	if n == 0 {
		return body
	}
	rd.rep.change(file, fmt.Sprintf("%d MDX import or export lines left out (the first on line %d): they name the site's components", n, first))
	return strings.Join(lines, "\n")
}
