package importer

import (
	"fmt"
	iofs "io/fs"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/faqwiki/faqwiki/wiki/markdown"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Links between the files of a site become links between pages: a
// destination is found in the text (inline links and images, reference
// definitions, src and href in raw HTML, outside code), resolved against
// the folder, and replaced by the page's address (/wiki/slug#anchor) or,
// for a file that is not Markdown, by the name of the attachment the file
// becomes. What cannot be resolved stays as written and is reported.

var (
	// refDefRe finds reference definitions: "[label]: destination".
	// A label starting with '^' is a footnote's, not a link's.
	refDefRe = regexp.MustCompile(`(?m)^ {0,3}\[[^^\]\\\n](?:[^\]\\\n]|\\.){0,998}\]:[ \t]*(<[^>\n]*>|\S+)`)
	// htmlTagRe finds the raw HTML tags whose src or href may name a file.
	htmlTagRe = regexp.MustCompile(`(?i)<(?:img|a|source|video|audio|iframe|embed)\b[^>]*>`)
	// htmlURLAttrRe finds src and href attributes inside such a tag.
	htmlURLAttrRe = regexp.MustCompile(`(?i)\s(?:src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>` + "`" + `]+))`)
	// htmlIDRe finds ids and names in raw HTML, which links may target.
	htmlIDRe = regexp.MustCompile(`(?i)\s(?:id|name)\s*=\s*["']([^"']+)["']`)
)

// anchorsOf returns the fragments a link into s may name: its headings'
// ids and the ids (and names) of its raw HTML elements. They are found
// the first time a link with a fragment points into s: finding them is
// a parse of the page, which was a fifth of an import's reading and
// parsing when done for every page, and most pages are never the target
// of such a link.
func (rd *reader) anchorsOf(s *source) map[string]bool {
	if s.ids != nil {
		return s.ids
	}
	s.ids = map[string]bool{}
	heads := rd.r.Headings(s.body)
	for _, h := range heads {
		s.ids[h.ID] = true
	}
	for id, line := range s.headingIDs {
		text := rd.r.PlainInline(line)
		for _, h := range heads {
			if h.Text == text {
				if s.idAlias == nil {
					s.idAlias = map[string]string{}
				}
				s.idAlias[id] = h.ID
				break
			}
		}
	}
	for _, m := range htmlIDRe.FindAllStringSubmatch(s.body, -1) {
		s.ids[m[1]] = true
	}
	return s.ids
}

// span is a destination in the text: where it is and what it says.
type span struct {
	start, end int    // byte offsets in the body
	raw        string // as written, angle brackets and all
	html       bool   // a raw HTML attribute value (no Markdown escapes)
}

// codeRanges returns the byte ranges of body that are code: code blocks
// and code spans, where nothing looks like a link.
func codeRanges(body string) [][2]int {
	src := []byte(body)
	doc := codeParser.Parse(text.NewReader(src))
	var out [][2]int
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindCodeBlock, ast.KindFencedCodeBlock:
			lines := n.Lines()
			if lines.Len() > 0 {
				out = append(out, [2]int{lines.At(0).Start, lines.At(lines.Len() - 1).Stop})
			}
			return ast.WalkSkipChildren, nil
		case ast.KindCodeSpan:
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				if t, ok := c.(*ast.Text); ok {
					out = append(out, [2]int{t.Segment.Start, t.Segment.Stop})
				}
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return out
}

// codeParser is CommonMark's parser, made once: it is safe for
// concurrent use and costly to make.
var codeParser = parser.NewParser(
	parser.WithBlockParsers(parser.DefaultBlockParsers()...),
	parser.WithInlineParsers(parser.DefaultInlineParsers()...),
	parser.WithParagraphTransformers(parser.DefaultParagraphTransformers()...),
)

func inCode(code [][2]int, off int) bool {
	for _, r := range code {
		if off >= r[0] && off < r[1] {
			return true
		}
	}
	return false
}

// destinations finds every link destination in body, in order.
func destinations(body string) []span {
	if !strings.Contains(body, "](") && !strings.Contains(body, "]:") && !strings.Contains(body, "<") {
		return nil // nothing that could be one: no need to parse
	}
	code := codeRanges(body)
	var out []span
	// Inline links and images: "](" then the destination.
	for i := 0; ; {
		j := strings.Index(body[i:], "](")
		if j < 0 {
			break
		}
		at := i + j
		i = at + 2
		if inCode(code, at) || (at > 0 && body[at-1] == '\\') {
			continue
		}
		if sp, ok := inlineDest(body, at+2); ok {
			out = append(out, sp)
		}
	}
	for _, m := range refDefRe.FindAllStringSubmatchIndex(body, -1) {
		if !inCode(code, m[0]) {
			out = append(out, span{start: m[2], end: m[3], raw: body[m[2]:m[3]]})
		}
	}
	for _, t := range htmlTagRe.FindAllStringIndex(body, -1) {
		if inCode(code, t[0]) {
			continue
		}
		tag := body[t[0]:t[1]]
		for _, a := range htmlURLAttrRe.FindAllStringSubmatchIndex(tag, -1) {
			for g := 2; g < 8; g += 2 {
				if a[g] >= 0 {
					out = append(out, span{start: t[0] + a[g], end: t[0] + a[g+1], raw: tag[a[g]:a[g+1]], html: true})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b span) int { return a.start - b.start })
	return out
}

// inlineDest reads the destination of an inline link that starts at i
// (just after "]("), as CommonMark does: <...>, or a run without spaces
// whose parentheses balance.
func inlineDest(s string, i int) (span, bool) {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if i < len(s) && s[i] == '\n' {
		i++
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
	}
	if i >= len(s) {
		return span{}, false
	}
	if s[i] == '<' {
		j := strings.IndexAny(s[i+1:], ">\n")
		if j < 0 || s[i+1+j] != '>' {
			return span{}, false
		}
		return span{start: i, end: i + j + 2, raw: s[i : i+j+2]}, true
	}
	depth, j := 0, i
	for ; j < len(s); j++ {
		c := s[j]
		if c == '\\' && j+1 < len(s) {
			j++
			continue
		}
		if c == ' ' || c == '\t' || c == '\n' || c < 0x20 {
			break
		}
		if c == '(' {
			depth++
		}
		if c == ')' {
			if depth == 0 {
				break
			}
			depth--
		}
	}
	if j == i {
		return span{}, false
	}
	return span{start: i, end: j, raw: s[i:j]}, true
}

// unescapeDest returns what a destination says: without angle brackets,
// with Markdown's backslash escapes resolved.
func unescapeDest(sp span) string {
	d := sp.raw
	if sp.html {
		return strings.TrimSpace(d)
	}
	if strings.HasPrefix(d, "<") && strings.HasSuffix(d, ">") {
		d = d[1 : len(d)-1]
	}
	var b strings.Builder
	for i := 0; i < len(d); i++ {
		if d[i] == '\\' && i+1 < len(d) && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", d[i+1]) >= 0 {
			i++
		}
		b.WriteByte(d[i])
	}
	return b.String()
}

// hasScheme reports whether d names another site or a scheme: an
// absolute URL, "//host", "mailto:".
func hasScheme(d string) bool {
	if strings.HasPrefix(d, "//") {
		return true
	}
	if i := strings.IndexByte(d, ':'); i > 0 {
		scheme := d[:i]
		for _, c := range scheme {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
				return false
			}
		}
		return true
	}
	return false
}

// fileSet is the attachments one page is collecting.
type fileSet struct {
	byPath map[string]string // rel path of a file -> its attachment name
	names  map[string]bool
	files  []wiki.File
	total  int
}

// rewrite resolves every destination of s's text and records the page's
// text and files.
func (rd *reader) rewrite(s *source) {
	body := s.body
	fs := &fileSet{byPath: map[string]string{}, names: map[string]bool{}}
	dir := path.Dir(s.rel)
	var b strings.Builder
	last := 0
	for _, sp := range destinations(body) {
		if sp.start < last {
			continue
		}
		line := s.bodyLine + strings.Count(body[:sp.start], "\n")
		repl, ok := rd.resolve(s, dir, sp, line, fs)
		if !ok {
			continue
		}
		b.WriteString(body[last:sp.start])
		b.WriteString(repl)
		last = sp.end
	}
	b.WriteString(body[last:])
	out := b.String()
	// Files the front matter lists (faqwiki's export) are the page's too.
	for _, name := range s.fmFiles {
		rel := path.Join(dir, name)
		if rd.others[rel] {
			rd.attach(s, rel, fs, 0)
		} else {
			rd.rep.unresolved(s.rel, 0, name, "listed under attachments but not in the folder")
		}
	}
	out = convertHTMLTables(out)
	s.page.Markdown = out
	s.page.Files = fs.files
	if s.page.Files == nil {
		s.page.Files = []wiki.File{}
	}
	// What the renderer keeps of the page's raw HTML, and drops.
	files := make([]markdown.File, 0, len(fs.files))
	for _, f := range fs.files {
		files = append(files, markdown.File{Name: f.Name, ID: "import"})
	}
	if !strings.Contains(out, "<") {
		return // no raw HTML to report on: no need to render
	}
	if r, err := rd.r.RenderDoc(out, markdown.Doc{Files: files}); err == nil && r.RawHTML != nil {
		rd.rep.html(s.rel, r.RawHTML)
	}
}

// resolve returns what the destination sp of s should say instead, or
// ok=false to leave it as it is.
func (rd *reader) resolve(s *source, dir string, sp span, line int, fs *fileSet) (string, bool) {
	d := unescapeDest(sp)
	if d == "" || hasScheme(d) || strings.HasPrefix(d, "/wiki/") {
		return "", false
	}
	p, frag, _ := strings.Cut(d, "#")
	p, _, _ = strings.Cut(p, "?")
	if dp, err := url.PathUnescape(p); err == nil {
		p = dp
	}
	if p == "" {
		// A link within the page.
		if frag == "" {
			return "", false
		}
		id, ok := rd.anchor(s, frag)
		if !ok {
			rd.rep.unresolved(s.rel, line, d, "no heading or anchor with that name on the page")
			return "", false
		}
		if id == frag {
			return "", false
		}
		rd.rep.rewroteLink()
		return rd.quote(sp, "#"+id), true
	}
	var targets []string
	if strings.HasPrefix(p, "/") {
		targets = []string{path.Clean(strings.TrimPrefix(p, "/"))}
		if rest, ok := strings.CutPrefix(targets[0], rd.urlBase+"/"); ok && rd.urlBase != "" {
			targets = append(targets, rest)
		}
	} else {
		targets = []string{path.Join(dir, p)}
		if s.folderDir == "" {
			// Sites published with "pretty" addresses serve x.md at x/,
			// and their links are relative to that: "y/" from x.md means
			// x/y.
			targets = append(targets, path.Join(strings.TrimSuffix(s.rel, path.Ext(s.rel)), p))
		}
	}
	var target string
	for _, t := range targets {
		if t == ".." || strings.HasPrefix(t, "../") {
			continue
		}
		if target == "" {
			target = t
		}
		if rd.findPage(t) != nil {
			target = t
			break
		}
		if _, ok := rd.findFile(t); ok {
			target = t
			break
		}
	}
	if target == "" {
		rd.rep.unresolved(s.rel, line, d, "outside the imported folder")
		return "", false
	}
	if page := rd.findPage(target); page != nil {
		u := "/wiki/" + string(page.page.Slug)
		if frag != "" {
			id, ok := rd.anchor(page, frag)
			switch {
			case ok:
				u += "#" + id
			case page.page.Title != "" && anchorKey(frag) == anchorKey(page.page.Title):
				// The page's own title, which other sites render as its
				// first heading: the top of the page.
			default:
				rd.rep.unresolved(s.rel, line, d, "the page has no heading or anchor #"+frag+" (linked to the page)")
			}
		}
		rd.rep.rewroteLink()
		return rd.quote(sp, u), true
	}
	if rel, ok := rd.findFile(target); ok {
		name := rd.attach(s, rel, fs, line)
		if name == "" {
			return "", false
		}
		rd.rep.linkedFile()
		return rd.quote(sp, name), true
	}
	rd.rep.unresolved(s.rel, line, d, "no such file or page in the folder")
	return "", false
}

// quote writes a new destination in the form sp's context needs.
func (rd *reader) quote(sp span, u string) string {
	if sp.html {
		return strings.ReplaceAll(u, `"`, "%22")
	}
	if strings.ContainsAny(u, " ()<>") {
		return "<" + strings.ReplaceAll(u, ">", "%3E") + ">"
	}
	return u
}

// findPage returns the Markdown file a link target names: the file, the
// file with .md added (or in place of .html), or a folder's own page.
func (rd *reader) findPage(target string) *source {
	t := strings.TrimSuffix(target, "/")
	if t == "" || t == "." {
		return rd.dirs["."]
	}
	candidates := []string{t}
	bare := strings.TrimSuffix(strings.TrimSuffix(t, ".html"), ".htm")
	for _, ext := range markdownExts {
		candidates = append(candidates, t+ext)
		if bare != t {
			candidates = append(candidates, bare+ext)
		}
	}
	for _, c := range candidates {
		if s := rd.byPath[c]; s != nil {
			return s
		}
	}
	if s := rd.dirs[t]; s != nil {
		return s
	}
	if s := rd.permalinks[permalinkKey(t)]; s != nil {
		return s
	}
	// The page's address as the site made it from the file's name
	// ("/travel/per-diem/" for Travel/Per Diem.md; "/start/laptop" for
	// Docusaurus' 01-start/02-laptop.md).
	if s := rd.bySlug[wiki.Slug(strings.ToLower(bare))]; s != nil {
		return s
	}
	// A different case than the file has (sites built on case-insensitive
	// disks link like that).
	for _, c := range candidates {
		if real, ok := rd.lower[strings.ToLower(c)]; ok {
			if s := rd.byPath[real]; s != nil {
				return s
			}
		}
	}
	return nil
}

// findFile returns the file (not Markdown) a link target names.
func (rd *reader) findFile(target string) (string, bool) {
	if rd.others[target] {
		return target, true
	}
	if real, ok := rd.lower[strings.ToLower(target)]; ok && rd.others[real] {
		return real, true
	}
	return "", false
}

// attach makes the file rel an attachment of s and returns its name, or
// "" when it cannot be one (reported).
func (rd *reader) attach(s *source, rel string, fs *fileSet, line int) string {
	if name, ok := fs.byPath[rel]; ok {
		return name
	}
	name := wiki.AttachmentNameFrom(path.Base(rel))
	if name == "" {
		rd.rep.refusedFile(s.rel, line, rel, "its name has no letters or digits to keep")
		return ""
	}
	for i := 2; fs.names[name]; i++ {
		ext := path.Ext(name)
		name = wiki.AttachmentNameFrom(strings.TrimSuffix(name, ext) + fmt.Sprintf("-%d", i) + ext)
	}
	data, err := iofs.ReadFile(rd.fsys, rel)
	if err != nil {
		rd.rep.refusedFile(s.rel, line, rel, "unreadable: "+err.Error())
		return ""
	}
	if len(data) == 0 {
		rd.rep.refusedFile(s.rel, line, rel, "empty")
		return ""
	}
	if len(data) > wiki.MaxAttachmentBytes {
		rd.rep.refusedFile(s.rel, line, rel, fmt.Sprintf("%d bytes; a file may have %d", len(data), wiki.MaxAttachmentBytes))
		return ""
	}
	if len(fs.files) >= wiki.MaxAttachments || fs.total+len(data) > wiki.MaxPageAttachmentBytes {
		rd.rep.refusedFile(s.rel, line, rel, "the page has as many files as it may hold")
		return ""
	}
	if _, err := wiki.DetectFileType(name, data); err != nil {
		rd.rep.refusedFile(s.rel, line, rel, err.Error())
		return ""
	}
	fs.byPath[rel] = name
	fs.names[name] = true
	fs.files = append(fs.files, wiki.File{Name: name, Data: data})
	fs.total += len(data)
	rd.rep.storedFile(len(data))
	return name
}

// matchAnchor finds the anchor a fragment names among ids: itself, or the
// id it becomes under GitHub's rule or other sites' rules (mkdocs and
// Hugo lower-case and drop punctuation too, but fold runs of '-').
// anchor is matchAnchor on s's anchors, an id an attribute list gave a
// heading ({#2fa}) first.
func (rd *reader) anchor(s *source, frag string) (string, bool) {
	ids := rd.anchorsOf(s)
	if id, ok := s.idAlias[frag]; ok {
		return id, true
	}
	return matchAnchor(ids, frag)
}

func matchAnchor(ids map[string]bool, frag string) (string, bool) {
	if f, err := url.PathUnescape(frag); err == nil {
		frag = f
	}
	if ids[frag] {
		return frag, true
	}
	key := anchorKey(frag)
	if key == "" {
		return "", false
	}
	var found []string
	for id := range ids {
		if anchorKey(id) == key {
			found = append(found, id)
		}
	}
	if len(found) == 0 {
		return "", false
	}
	slices.Sort(found)
	return found[0], true
}

// anchorKey reduces an anchor to lower-case letters and digits.
func anchorKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 && !strings.ContainsRune("–—’“”", r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
