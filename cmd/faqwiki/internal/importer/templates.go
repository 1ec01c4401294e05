package importer

import (
	"fmt"
	"maps"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
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

// namedArg is a name="value" argument of a tag.
var namedArg = regexp.MustCompile(`(\w+)=["']([^"']*)["']`)

// siteSyntax rewrites a page's template tags and admonitions (see above).
func (rd *reader) siteSyntax(file, body string, firstLine int) string {
	return rd.admonitions(rd.templates(file, body, firstLine))
}

// templates rewrites the template syntax of body (see above), reporting
// to rd.rep under file; firstLine is body's first line in the file.
func (rd *reader) templates(file, body string, firstLine int) string {
	if !strings.Contains(body, "{%") && !strings.Contains(body, "{{") {
		return body
	}
	tp := &templater{rd: rd, file: file, body: body, code: codeRanges(body), firstLine: firstLine, drops: map[string]*tagDrop{}}
	for _, m := range templateTag.FindAllStringSubmatchIndex(body, -1) {
		tp.match(parseTag(body, m))
	}
	tp.out.WriteString(body[tp.pos:])
	tp.report()
	return quoteCallouts(tp.out.String(), tp.quotes)
}

// templater is the state of one templates run: the text made so far (out,
// with body copied up to pos), the open blocks and the callouts to quote.
type templater struct {
	rd        *reader
	file      string
	body      string
	code      [][2]int
	firstLine int

	out    strings.Builder
	pos    int
	stack  []blockOpen
	quotes []quoteSpan
	drops  map[string]*tagDrop // by how the report names the tag

	comments  int    // inside nested comments or captures, this deep
	swallowed string // and which: their text goes with them
	raw       bool   // inside {% raw %}: tags are text
	fence     string // inside {{< highlight >}} (the shortcode's name): its text is code
}

// tag is a template tag found in the text.
type tag struct {
	start, end int
	inner      string // inside the delimiters, trimmed
	name, args string // inner's first word (without "end" or "/") and the rest
	hugo       bool   // a shortcode
	output     bool   // a Liquid output, {{ x }}
	closing    bool   // {% endx %} or {{< /x >}}
}

// parseTag reads the tag of a templateTag match m in body.
func parseTag(body string, m []int) tag {
	t := tag{start: m[0], end: m[1]}
	for g := 1; g <= 4; g++ {
		if m[2*g] >= 0 {
			t.inner = body[m[2*g]:m[2*g+1]]
			t.hugo, t.output = g == 2 || g == 3, g == 4
		}
	}
	t.name, t.args = tagName(t.inner)
	switch {
	case t.hugo && strings.HasPrefix(t.name, "/"):
		t.name, t.closing = t.name[1:], true
	case !t.hugo && strings.HasPrefix(t.name, "end") && len(t.name) > 3:
		t.name, t.closing = t.name[3:], true
	}
	return t
}

// copyTo copies body up to i into out, and the line breaks of body[i:to]
// (a tag that goes keeps its lines).
func (tp *templater) copyTo(i, to int) {
	tp.out.WriteString(tp.body[tp.pos:i])
	tp.out.WriteString(newlines(tp.body[i:to]))
	tp.pos = to
}

// match handles one tag: the modes a raw block, a code shortcode or a
// comment put the text in first, then the tag itself.
func (tp *templater) match(t tag) {
	switch {
	case tp.raw && !(t.name == "raw" && t.closing):
		return // text, as written
	case tp.fence != "":
		if t.hugo && t.closing && t.name == tp.fence {
			tp.out.WriteString(tp.body[tp.pos:t.start] + "```" + newlines(tp.body[t.start:t.end]))
			tp.pos, tp.fence = t.end, ""
		}
		return
	case t.name == "raw": // {% raw %} or {% endraw %}
		tp.copyTo(t.start, t.end)
		tp.raw = !t.closing && !inCode(tp.code, t.start)
		return
	case inCode(tp.code, t.start):
		return
	case tp.comments > 0:
		if t.name == tp.swallowed {
			if t.closing {
				tp.comments--
			} else {
				tp.comments++
			}
		}
		if tp.comments == 0 {
			tp.copyTo(tp.pos, t.end)
		}
		return
	}
	tp.out.WriteString(tp.body[tp.pos:t.start])
	tp.pos = t.end
	keep := newlines(tp.body[t.start:t.end])
	paired := !t.closing && pairedLater(tp.body[t.end:], t.name, t.hugo)
	embed := ""
	if !t.output && !t.closing {
		embed = embedOf(t.name, t.args)
	}
	switch {
	case !t.hugo && (t.name == "comment" || t.name == "capture") && paired:
		// A comment, or text captured into a variable: it goes with its
		// text, at its end tag.
		tp.comments, tp.swallowed, tp.pos = 1, t.name, t.start
	case (t.name == "ref" || t.name == "relref") && t.hugo && !t.closing:
		tp.out.WriteString(tp.rd.hugoRef(tp.file, t.args))
	case linkTags[t.name] && !t.closing:
		tp.out.WriteString(linkPath(t.args))
	case t.hugo && codeShortcodes[t.name] && paired:
		// {{< highlight bash >}}…{{< /highlight >}}: a fenced code block.
		lang, _ := tagName(t.args)
		if t.name != "highlight" {
			lang = t.name
		}
		tp.out.WriteString("```" + strings.Trim(lang, `"'`) + keep)
		tp.fence = t.name
	case embed != "":
		tp.out.WriteString(embed + keep)
	case t.output:
		if m := urlFilter.FindStringSubmatch(t.inner); m != nil {
			tp.out.WriteString(m[1]) // {{ "/tools/slack/" | relative_url }}: the path it wraps
		} else if !isSiteURL(t.inner) {
			tp.drop(tagShown(t.name, t.inner, t.hugo, t.output), t.start)
		}
		tp.out.WriteString(keep)
	case t.closing:
		tp.close(t.name)
		tp.out.WriteString(keep)
	case paired:
		tp.open(t)
		tp.out.WriteString(keep)
	default:
		tp.drop(tagShown(t.name, t.inner, t.hugo, t.output), t.start)
		tp.out.WriteString(keep)
	}
}

// isSiteURL reports whether a Liquid output is the site's own address
// ({{ site.baseurl }}), which a wiki link does without.
func isSiteURL(inner string) bool {
	for _, v := range []string{"site.baseurl", "site.url"} {
		if inner == v || strings.HasPrefix(inner, v+" ") {
			return true
		}
	}
	return false
}

// open starts the block of a paired tag t: a tab (its label in bold
// before its text), a callout, or any other pair, whose tags go.
func (tp *templater) open(t tag) {
	o := blockOpen{name: t.name}
	switch {
	case t.name == "tab":
		// {% tab title="Remote" %}, {{% tab "US" %}}
		if label := tabLabel(t.args); label != "" {
			tp.out.WriteString("**" + label + "**")
		}
	case callouts[t.name]:
		o.callout = tagCallout(t.name, t.args)
	default:
		tp.drop(pairShown(t.name, t.hugo)+keptMark, t.start)
	}
	o.start = tp.out.Len()
	tp.stack = append(tp.stack, o)
}

// close ends the innermost open block named name (a stray end tag ends
// none); a callout's text is then one to quote.
func (tp *templater) close(name string) {
	for i := len(tp.stack) - 1; i >= 0; i-- {
		if o := tp.stack[i]; o.name == name {
			tp.stack = tp.stack[:i]
			if o.callout != nil {
				tp.quotes = append(tp.quotes, quoteSpan{o.start, tp.out.Len(), o.callout})
			}
			return
		}
	}
}

// tagDrop counts the drops of one kind of tag on a page, for one note.
type tagDrop struct{ n, line int }

func (tp *templater) drop(shown string, at int) {
	d := tp.drops[shown]
	if d == nil {
		d = &tagDrop{line: tp.firstLine + strings.Count(tp.body[:at], "\n")}
		tp.drops[shown] = d
	}
	d.n++
}

// report notes the dropped tags, one note for each kind, in name order.
func (tp *templater) report() {
	for _, name := range slices.Sorted(maps.Keys(tp.drops)) {
		d := tp.drops[name]
		shown, kept := strings.CutSuffix(name, keptMark)
		what := fmt.Sprintf("template tag %s dropped (line %d", shown, d.line)
		if kept {
			what = fmt.Sprintf("template tags %s dropped, the text between them kept (line %d", shown, d.line)
		}
		if d.n > 1 {
			what += fmt.Sprintf(", %d in all", d.n)
		}
		tp.rd.rep.change(tp.file, what+"): the site's generator filled it in; the wiki has no equivalent")
	}
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
	key := name
	if hugo {
		key = "/" + name
	}
	re, ok := endTags.Load(key)
	if !ok {
		pat := `\{%-?\s*end` + regexp.QuoteMeta(name) + `\s*-?%\}`
		if hugo {
			pat = `\{\{[<%]\s*/` + regexp.QuoteMeta(name) + `\s*[>%]\}\}`
		}
		re, _ = endTags.LoadOrStore(key, regexp.MustCompile(pat))
	}
	return re.(*regexp.Regexp).MatchString(rest)
}

// endTags are pairedLater's patterns of end tags, by name ("/name" for a
// shortcode), made once each: an import asks for the same few again and
// again (a sync.Map, as imports may run side by side, as in tests).
var endTags sync.Map

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

// newlines returns the line breaks of s, for text that goes.
func newlines(s string) string { return strings.Repeat("\n", strings.Count(s, "\n")) }

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
