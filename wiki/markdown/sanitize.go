package markdown

import (
	"bytes"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark/text"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Raw HTML in Markdown. Handbooks written for other sites use it for what
// Markdown lacks: tables with formatted cells, collapsible answers
// (<details>), keys (<kbd>), sub- and superscripts, sized images, line
// breaks. It is kept as far as the allowlist below goes, at render time
// (editors type HTML too, not only imports), in two steps:
//
//  1. The whole rendered body is parsed as a browser parses it
//     (golang.org/x/net/html), so tags that raw HTML leaves open or closes
//     too often are balanced and cannot break the page around it, and the
//     tree is rebuilt from the allowlist: elements off the list are dropped
//     (scripts, frames, styles, forms and the like with their content,
//     others keeping their text), attributes off the list are dropped,
//     every src and href passes the same URL check as Markdown's (and a
//     page's file names become their addresses), and a video frame from a
//     few well-known hosts becomes a link to the video.
//  2. The result goes through bluemonday with a policy made from the same
//     allowlist: a second, independent sanitiser, so a mistake in step 1
//     alone does not become a script in a reader's browser.
//
// A text without raw HTML skips both: goldmark's output is safe as it is.

// allowedElements maps each element raw HTML may keep to the attributes it
// may keep besides the global ones (id, title, class).
var allowedElements = map[string][]string{
	"p": {"align"}, "div": {"align", "role"}, "span": nil, "br": nil, "hr": nil, "wbr": nil,
	"h1": nil, "h2": nil, "h3": nil, "h4": nil, "h5": nil, "h6": nil,
	"blockquote": nil, "pre": nil, "code": nil, "kbd": nil, "samp": nil, "var": nil,
	"em": nil, "strong": nil, "b": nil, "i": nil, "u": nil, "s": nil, "del": nil, "ins": nil,
	"mark": nil, "small": nil, "sub": nil, "sup": nil, "abbr": nil, "cite": nil, "q": nil, "dfn": nil,
	"ul": nil, "ol": {"start", "reversed"}, "li": nil, "dl": nil, "dt": nil, "dd": nil,
	"table": {"align"}, "caption": nil, "colgroup": {"span"}, "col": {"span"},
	"thead": nil, "tbody": nil, "tfoot": nil, "tr": nil,
	"th": {"align", "colspan", "rowspan", "scope"}, "td": {"align", "colspan", "rowspan"},
	"details": {"open"}, "summary": nil, "figure": nil, "figcaption": nil,
	"a":       {"href", "rel", "role", "aria-label"},
	"img":     {"src", "alt", "width", "height", "align"},
	"input":   {"type", "checked", "disabled"},
	"section": {"role"}, // goldmark's footnotes are a <div>, but handbooks wrap text in <section>
}

// dropWithContent are elements removed together with everything inside
// them: what they hold is script, style, a document of its own or a form
// control, never text for the page.
var dropWithContent = map[string]bool{
	"script": true, "style": true, "iframe": true, "frame": true, "frameset": true, "object": true,
	"embed": true, "applet": true, "noscript": true, "noembed": true, "noframes": true, "template": true,
	"textarea": true, "select": true, "option": true, "button": true, "title": true, "head": true,
	"meta": true, "link": true, "base": true, "svg": true, "math": true, "audio": true, "video": true,
	"source": true, "track": true, "canvas": true, "map": true, "area": true, "param": true,
	"xmp": true, "plaintext": true, "dialog": true, "portal": true,
}

// classRe is the class attribute values kept: the classes faqwiki's own
// Markdown output uses, so that pasted HTML cannot borrow the look of the
// site's own controls.
var classRe = regexp.MustCompile(`^(?:table-scroll|anchor|wikilink|new|video-link|footnotes|footnote-ref|footnote-backref|markdown-alert(?:-title|-note|-tip|-important|-warning|-caution)?|task-list-item|language-[A-Za-z0-9_+#-]{1,40})(?: (?:markdown-alert(?:-note|-tip|-important|-warning|-caution)|language-[A-Za-z0-9_+#-]{1,40}))*$`)

// idRe is the id values kept: what headings, footnotes and handbook
// anchors use.
var idRe = regexp.MustCompile(`^[\p{L}\p{N}_:.-]{1,128}$`)

// PageIDs are the ids of the page around the text: its search box, the
// editor's fields, the skip link's target. Raw HTML in a page may not
// take them: the page's script finds its elements by id, and a pasted
// <input id="q"> would stand in for the search box. (A test in wiki/web
// keeps the list to what the templates use.)
var PageIDs = map[string]bool{
	"add": true, "add-cohort": true, "add-name": true, "add-role": true, "add-trainer": true,
	"add-username": true, "all": true, "answer-confirm": true, "answer-feedback": true,
	"answer-resolve": true, "answer-title": true, "answer-url": true, "asked-title": true,
	"backlinks-title": true, "changed": true, "close-title": true, "decline-reason": true,
	"display_name": true, "draft-offer": true, "dup-of": true, "edit": true,
	"edit-form": true, "f-author": true, "f-cohort": true, "f-prefix": true, "f-since": true,
	"f-tag": true, "f-until": true, "feed-changes": true, "feed-watching": true,
	"file": true, "file-list": true, "files": true, "files-title": true, "flag-note": true,
	"flagged-title": true, "front-title": true, "gaps": true, "hand-on": true, "id": true,
	"impact-title": true, "inherited": true, "invite": true, "invite_code": true,
	"login-form": true, "login-next": true, "main": true, "markdown": true, "members": true,
	"move-user": true, "name": true, "new": true, "new_password": true, "old_password": true,
	"open-questions-title": true, "opened": true, "page-picker": true, "password": true,
	"password-rules": true, "password_again": true, "picker-help": true, "picker-q": true,
	"picker-results": true, "picker-title": true, "popular-title": true, "preview": true, "preview-pane": true,
	"preview-title": true, "previous": true, "q": true, "question-text": true,
	"quick-results": true, "r-cohort": true, "reading": true, "reading-slugs": true,
	"recent": true, "reset-link": true, "restore-summary": true, "resolve-note": true, "results": true,
	"save-button": true, "search-q": true, "sections": true, "similar-title": true,
	"slug": true, "slug-preview": true, "stale-title": true, "starts_on": true,
	"summary": true, "tab-preview": true, "tab-write": true, "tags": true, "text": true,
	"text-error": true, "title": true, "toc-title": true, "token-name": true,
	"token-value": true, "tokens": true, "trainer-offer": true, "trainers": true,
	"true": true, "unhelpful-title": true, "upload-status": true, "username": true,
	"w-answers": true, "w-changed": true, "w-feeds": true, "w-rest": true, "w-unread": true,
	"write-pane": true, "write-slug": true,
}

// relRe is the rel values kept: the ones the renderer writes.
var relRe = regexp.MustCompile(`^(?:nofollow|nofollow noopener|noopener)$`)

// HTMLReport says what became of a text's raw HTML: how many of each
// element the allowlist kept, and what was dropped ("<script>", "style
// attribute on <td>", "<iframe> (video kept as a link)").
type HTMLReport struct {
	Kept    map[string]int
	Dropped map[string]int
}

func (r *HTMLReport) drop(what string) {
	if r.Dropped == nil {
		r.Dropped = map[string]int{}
	}
	r.Dropped[what]++
}

// noteRaw records raw HTML in segs for the render: the body will need
// sanitize, and its kept elements are counted for the report.
func (p *pageInfo) noteRaw(segs *text.Segments, src []byte) {
	p.rawHTML = true
	for i := 0; i < segs.Len(); i++ {
		seg := segs.At(i)
		p.countKept(seg.Value(src))
	}
}

// countKept counts the start tags in b that the allowlist keeps.
func (p *pageInfo) countKept(b []byte) {
	z := html.NewTokenizer(bytes.NewReader(b))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if _, ok := allowedElements[string(name)]; ok {
				if p.rawKept == nil {
					p.rawKept = map[string]int{}
				}
				p.rawKept["<"+string(name)+">"]++
			}
		}
	}
}

// fragmentContext is the element rendered Markdown sits in.
var fragmentContext = &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}

// sanitize rebuilds body (rendered Markdown with raw HTML in it) from the
// allowlist; see the top of this file.
func (r *Renderer) sanitize(body string, files *fileTable) (string, *HTMLReport) {
	rep := &HTMLReport{}
	nodes, err := html.ParseFragment(strings.NewReader(body), fragmentContext)
	if err != nil {
		// x/net/html reports only reader errors; a string reader has none.
		// Still: nothing unchecked goes out.
		rep.drop("unreadable HTML")
		return "", rep
	}
	var buf bytes.Buffer
	buf.Grow(len(body))
	for _, n := range nodes {
		if keep := cleanNode(n, files, rep); keep != nil {
			for _, k := range keep {
				if err := html.Render(&buf, k); err != nil {
					rep.drop("unrenderable HTML")
					return "", rep
				}
			}
		}
	}
	return policy().Sanitize(buf.String()), rep
}

// cleanNode returns what n becomes under the allowlist: itself cleaned,
// its cleaned children in its place (an element off the list), or nothing.
func cleanNode(n *html.Node, files *fileTable, rep *HTMLReport) []*html.Node {
	switch n.Type {
	case html.TextNode:
		return []*html.Node{n}
	case html.ElementNode:
	default: // comments, doctypes
		return nil
	}
	name := n.Data
	if n.Namespace != "" {
		// SVG or MathML content: foreign parsing rules, never kept.
		rep.drop("<" + name + ">")
		return nil
	}
	if name == "iframe" {
		if link := videoLink(n); link != nil {
			rep.drop("<iframe> (video kept as a link)")
			return []*html.Node{link}
		}
	}
	if dropWithContent[name] {
		rep.drop("<" + name + ">")
		return nil
	}
	extra, ok := allowedElements[name]
	if name == "input" && !isCheckbox(n) {
		ok = false
	}
	var kids []*html.Node
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		n.RemoveChild(c)
		kids = append(kids, cleanNode(c, files, rep)...)
		c = next
	}
	if !ok {
		rep.drop("<" + name + "> (its text kept)")
		return kids
	}
	n.Attr = cleanAttrs(n, extra, files, rep)
	for _, k := range kids {
		if k.Parent != nil {
			k.Parent.RemoveChild(k)
		}
		n.AppendChild(k)
	}
	return []*html.Node{n}
}

func isCheckbox(n *html.Node) bool {
	for _, a := range n.Attr {
		if a.Key == "type" && strings.EqualFold(a.Val, "checkbox") {
			return true
		}
	}
	return false
}

// cleanAttrs returns the attributes of n that the allowlist keeps, with
// URLs checked (and page file names resolved).
func cleanAttrs(n *html.Node, extra []string, files *fileTable, rep *HTMLReport) []html.Attribute {
	out := n.Attr[:0:0]
	external, hasRel := false, false
	for _, a := range n.Attr {
		key := a.Key
		if a.Namespace != "" {
			rep.drop(key + " attribute")
			continue
		}
		switch {
		case key == "id" && idRe.MatchString(a.Val) && !PageIDs[a.Val],
			key == "title",
			key == "class" && classRe.MatchString(a.Val):
		case key == "rel":
			if n.Data != "a" || !relRe.MatchString(a.Val) {
				continue
			}
			hasRel = true
		case slices.Contains(extra, key):
			switch key {
			case "href", "src":
				u, ok, ext := checkAttrURL(a.Val, key == "src", files)
				if !ok {
					rep.drop(key + " URL on <" + n.Data + ">")
					continue
				}
				a.Val = u
				external = ext
			case "width", "height", "colspan", "rowspan", "span", "start":
				if !isSmallNumber(a.Val) {
					rep.drop(key + " attribute on <" + n.Data + ">")
					continue
				}
			case "type":
				if !strings.EqualFold(a.Val, "checkbox") {
					continue
				}
				a.Val = "checkbox"
			}
		default:
			if key == "class" || key == "id" {
				// Kept out quietly: foreign classes and odd ids change
				// nothing a reader sees under faqwiki's style sheet.
				continue
			}
			rep.drop(key + " attribute on <" + n.Data + ">")
			continue
		}
		out = append(out, html.Attribute{Key: key, Val: a.Val})
	}
	if n.Data == "a" && external && !hasRel {
		out = append(out, html.Attribute{Key: "rel", Val: "nofollow noopener"})
	}
	return out
}

// checkAttrURL applies Markdown's URL policy to a raw src or href: a page's
// file name becomes its address, the address itself stays, anything else
// must pass checkURL. It returns the value to keep.
func checkAttrURL(v string, image bool, files *fileTable) (u string, ok, external bool) {
	if u := files.resolve(v); u != "" {
		return u, true, false
	}
	if files.known(v) {
		return v, true, false
	}
	ok, external = checkURL([]byte(v), image)
	return v, ok, external
}

func isSmallNumber(s string) bool {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	if s == "" || len(s) > 5 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// videoHosts are the hosts whose embedded players become a link to the
// video: the frame itself would run the host's script in the page.
var videoHosts = map[string]func(path string) string{
	"www.youtube.com":          youtubeWatch,
	"youtube.com":              youtubeWatch,
	"www.youtube-nocookie.com": youtubeWatch,
	"youtube-nocookie.com":     youtubeWatch,
	"player.vimeo.com": func(p string) string {
		if id, ok := strings.CutPrefix(p, "/video/"); ok && isVideoID(id) {
			return "https://vimeo.com/" + id
		}
		return ""
	},
	"www.loom.com": func(p string) string {
		if id, ok := strings.CutPrefix(p, "/embed/"); ok && isVideoID(id) {
			return "https://www.loom.com/share/" + id
		}
		return ""
	},
}

func youtubeWatch(p string) string {
	if id, ok := strings.CutPrefix(p, "/embed/"); ok && isVideoID(id) {
		return "https://www.youtube.com/watch?v=" + id
	}
	return ""
}

func isVideoID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// videoLink returns a link to the video an iframe plays, or nil when its
// source is not a known video host.
func videoLink(n *html.Node) *html.Node {
	var src, title string
	for _, a := range n.Attr {
		switch a.Key {
		case "src":
			src = a.Val
		case "title":
			title = a.Val
		}
	}
	u, err := url.Parse(strings.TrimSpace(src))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "") {
		return nil
	}
	canon := videoHosts[strings.ToLower(u.Host)]
	if canon == nil {
		return nil
	}
	href := canon(u.Path)
	if href == "" {
		return nil
	}
	if strings.TrimSpace(title) == "" {
		title = "Watch the video"
	}
	a := &html.Node{Type: html.ElementNode, Data: "a", DataAtom: atom.A, Attr: []html.Attribute{
		{Key: "class", Val: "video-link"}, {Key: "href", Val: href}, {Key: "rel", Val: "nofollow noopener"},
	}}
	a.AppendChild(&html.Node{Type: html.TextNode, Data: "▶ " + strings.TrimSpace(title) + " (" + u.Host + ")"})
	return a
}

// policy is the bluemonday policy made from the allowlist, built once.
var policy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.RequireParseableURLs(true)
	p.AllowURLSchemes("http", "https", "mailto", "tel")
	p.AllowRelativeURLs(true)
	p.AllowDataURIImages()
	p.AllowAttrs("title").Globally()
	p.AllowAttrs("id").Matching(idRe).Globally()
	p.AllowAttrs("class").Matching(classRe).Globally()
	p.AllowAttrs("rel").Matching(relRe).OnElements("a")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	for el, attrs := range allowedElements {
		p.AllowElements(el)
		for _, a := range attrs {
			if a == "type" || a == "rel" || a == "role" {
				continue
			}
			p.AllowAttrs(a).OnElements(el)
		}
	}
	// goldmark's own output that the allowlist above does not name.
	p.AllowAttrs("role").Matching(regexp.MustCompile(`^(?:doc-(?:noteref|endnotes|backlink)|note)$`)).OnElements("a", "div", "section")
	return p
})

// htmlText returns the text a reader sees of raw HTML: the text outside
// the elements dropped with their content, block elements on lines of
// their own.
func htmlText(raw []byte) string {
	var b strings.Builder
	z := html.NewTokenizer(bytes.NewReader(raw))
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.TextToken:
			if skip == 0 {
				b.WriteString(strings.Join(strings.Fields(string(z.Text())), " "))
				b.WriteByte(' ')
			}
		case html.StartTagToken:
			name, _ := z.TagName()
			if dropWithContent[string(name)] {
				skip++
			} else if isBlockTag(string(name)) {
				b.WriteByte('\n')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if dropWithContent[string(name)] && skip > 0 {
				skip--
			} else if isBlockTag(string(name)) {
				b.WriteByte('\n')
			}
		case html.SelfClosingTagToken:
			if name, _ := z.TagName(); string(name) == "br" {
				b.WriteByte('\n')
			}
		}
	}
}

func isBlockTag(name string) bool {
	switch name {
	case "p", "div", "br", "tr", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "table", "details", "summary", "blockquote", "pre":
		return true
	}
	return false
}
