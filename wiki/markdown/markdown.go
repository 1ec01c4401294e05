// Package markdown renders faqwiki's Markdown to safe HTML and splits it
// into sections. It is a leaf: it knows nothing of pages, stores or
// services, only how a wiki link's page name becomes a slug, which the
// caller passes in (Options.LinkSlug).
//
// Markdown in faqwiki is CommonMark plus GitHub's extensions (tables, task
// lists, strikethrough, bare URLs as links) plus wiki links:
//
//	[[Page title]]                  -> /wiki/page-title, shown "Page title"
//	[[travel/per-diem|Per diem]]    -> /wiki/travel/per-diem, shown "Per diem"
//	[[Page#Some question]]          -> /wiki/page#some-question
//
// Inside a table cell the '|' of a wiki link must be escaped, as every '|'
// there: "[[travel/per-diem\|Per diem]]".
//
// Footnotes ([^1]) and GitHub's alerts ("> [!IMPORTANT]") render too. A
// page's files (attachments) are referred to by name relative to the page:
// ![The login screen](screen.png) shows the page's file screen.png.
//
// The output is safe to put in a page as it is: raw HTML is kept only as
// far as the allowlist in sanitize.go goes (tables, details, kbd, sub/sup,
// images...; never a script, a frame, a style or an event handler), and
// only URLs of an allowed scheme (see checkURL) become an href or src. Every heading gets a GitHub-style id so that a FAQ
// question can be linked to; search sections (Sections) use the same ids.
package markdown

import (
	"bytes"
	"fmt"
	"html/template"
	"net/url"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Heading is a heading of a page: a FAQ question, with its anchor id.
type Heading struct {
	Level int    // 1 to 6
	Text  string // plain text, no Markdown
	ID    string // the id of the heading element, unique in the page
}

// Rendered is the HTML of a revision plus what the page view needs around it.
type Rendered struct {
	HTML    template.HTML // safe HTML
	TOC     []Heading     // the page's headings in order (the questions), for a table of contents
	TOCHTML template.HTML // TOC as the <li> items of an <ol>, links to the headings
	Links   []string      // distinct targets of wiki links, in order of first appearance
	Missing []bool        // parallel to Links: true where the target did not exist at render time
	// Targets are the same links with the page names as written, as
	// LinkTargets gives them, so that a save need not parse again.
	Targets []LinkTarget
	// Queries are the distinct links to pages (wiki links and Markdown
	// links to /wiki/ addresses) and Answers where each led at render
	// time: a cached render is right while they lead there still.
	Queries []LinkQuery
	Answers []LinkAnswer
	// HTML is what became of the raw HTML in the text: nil when it had
	// none (a bare <br> does not count).
	RawHTML *HTMLReport
	// Sections is the page's outline (see Outline) with where each part
	// lies in HTML, the intro first, so that the page view can put a
	// control after each answer without parsing the page again.
	Sections []SectionSpan
	// Notes is where the page's footnotes begin in HTML (goldmark lists
	// them after the last part's text), or len(HTML) when it has none, so
	// that the last answer's control can go before them.
	Notes int
}

// File is a file of the page being rendered, which its Markdown refers to
// by Name; ID is what Options.FileURL needs to address its content.
type File struct {
	Name string
	ID   string
}

// Doc is what a render needs besides the text: see Render.
type Doc struct {
	Exists func([]string) ([]bool, error)
	// Resolve, if set, answers where links lead (see LinkQuery) and is
	// used instead of Exists.
	Resolve func([]LinkQuery) ([]LinkAnswer, error)
	Files   []File
}

// Options are what a Renderer is built with.
type Options struct {
	// LinkSlug turns the page part of a wiki link ("Page title",
	// "travel/per-diem") into the slug of the page it names, or "" when it
	// names none (the text then stays literal). The slug is written into
	// an href as it is, so it must hold only URL-safe characters. Required.
	LinkSlug func(page string) string
	// FileURL returns the address of a page's file (see File), which
	// becomes the src or href of an image or link that names it. The
	// result is written as it is, so it must be URL-safe. Required.
	FileURL func(name, id string) string
}

// Renderer turns Markdown into safe HTML. It is safe for concurrent use;
// build one and share it, since building the Markdown engine is not free.
type Renderer struct {
	md      goldmark.Markdown
	inline  parser.Parser // paragraphs only, for PlainInline
	fileURL func(name, id string) string
	// sections keeps the sections of texts lately rendered (section.go).
	sections sectionCache
}

// New returns a Renderer for faqwiki's Markdown. It panics if
// opts.LinkSlug is nil: that is a wiring mistake, not an input.
func New(opts Options) *Renderer {
	if opts.LinkSlug == nil || opts.FileURL == nil {
		panic("markdown: Options.LinkSlug and Options.FileURL are required")
	}
	md := goldmark.New(
		goldmark.WithParser(newParser(opts.LinkSlug)),
		goldmark.WithExtensions(
			// extension.GFM, except that table cells are aligned with the
			// align attribute: GFM's default is a style attribute, which a
			// strict Content-Security-Policy refuses.
			extension.Linkify,
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough,
			extension.TaskList,
			extension.Footnote,
		),
		goldmark.WithRendererOptions(
			// Ahead of goldmark's HTML renderer (1000): ours wins for the
			// kinds it registers. Never html.WithUnsafe.
			renderer.WithNodeRenderers(util.Prioritized(nodeRenderer{}, 100), util.Prioritized(tableScrollRenderer{}, 100),
				util.Prioritized(alertRenderer{}, 100)),
		),
	)
	return &Renderer{md: md, inline: newInlineParser(opts.LinkSlug), fileURL: opts.FileURL}
}

// parsedPage is a parsed document and what the transformer found in it.
type parsedPage struct {
	src []byte
	doc ast.Node
	pageInfo
}

// parse parses src with a fresh id table (parser.IDs is stateful); links
// and images that name one of files get its address.
func (r *Renderer) parse(src string, files ...File) *parsedPage {
	b := []byte(src)
	pc := parser.NewContext(parser.WithIDs(newHeadingIDs()))
	if len(files) > 0 {
		pc.Set(filesKey, r.fileTable(files))
	}
	doc := r.md.Parser().Parse(text.NewReader(b), parser.WithContext(pc))
	p := &parsedPage{src: b, doc: doc}
	if info, ok := pc.Get(pageInfoKey).(*pageInfo); ok {
		p.pageInfo = *info
	}
	return p
}

// targets returns the distinct wiki-link targets in order of first
// appearance, and each target's index in that list.
func (p *parsedPage) targets() ([]string, map[string]int) {
	if len(p.links) == 0 {
		return nil, nil
	}
	var out []string
	index := make(map[string]int)
	for _, l := range p.links {
		if _, ok := index[l.target]; !ok {
			index[l.target] = len(out)
			out = append(out, l.target)
		}
	}
	return out, index
}

// Headings returns the headings of src with the ids Render gives them
// (Rendered.TOC), parsing only. A panic inside goldmark gives none.
func (r *Renderer) Headings(src string) (toc []Heading) {
	defer func() {
		if recover() != nil {
			toc = nil
		}
	}()
	return r.parse(src).toc
}

// WikiLinks returns the distinct targets of [[...]] links in src, in order of
// first appearance. It parses but does not render.
func (r *Renderer) WikiLinks(src string) []string {
	targets, _ := r.parse(src).targets()
	return targets
}

// Render renders src. If there are wiki links, exists is called once with
// their targets (the Links of the result) and reports which name existing
// pages; it is not called when there are none, and a nil exists means every
// target exists. A link to an existing page is rendered with class
// "wikilink" and href "/wiki/<slug>[#anchor]"; a link to a missing page with
// class "new" and an href to the create-page form, "/new?title=<title>".
// Render returns exists' error, wrapped, and fails if exists answers for a
// different number of targets. A panic inside goldmark (a bug, but text
// comes from users) becomes an error rather than taking the process down.
func (r *Renderer) Render(src string, exists func([]string) ([]bool, error)) (out *Rendered, err error) {
	return r.RenderDoc(src, Doc{Exists: exists})
}

// RenderDoc is Render with the page's files: an image or link whose
// destination is the name of one of d.Files ("screen.png") points at its
// address (Options.FileURL); any other image with a path in the wiki is
// refused, as by Render.
func (r *Renderer) RenderDoc(src string, d Doc) (out *Rendered, err error) {
	defer func() {
		if v := recover(); v != nil {
			out, err = nil, fmt.Errorf("markdown: render: panic: %v", v)
		}
	}()
	return r.render(src, d)
}

func (r *Renderer) render(src string, d Doc) (*Rendered, error) {
	p := r.parse(src, d.Files...)
	out := &Rendered{TOC: p.toc, Targets: p.linkTargets()}
	if len(d.Files) == 0 {
		// The search index asks for the sections of a text just after
		// its save rendered it: this parse serves both.
		r.sections.put(src, sectionsOf(p))
	}
	queries, qindex := p.queries()
	if len(queries) > 0 {
		resolve := d.Resolve
		if resolve == nil {
			resolve = existsResolver(d.Exists)
		}
		answers, err := resolve(queries)
		if err != nil {
			return nil, fmt.Errorf("markdown: render: check link targets: %w", err)
		}
		if len(answers) != len(queries) {
			return nil, fmt.Errorf("markdown: render: exists answered %d of %d link targets", len(answers), len(queries))
		}
		out.Queries, out.Answers = queries, answers
		// The nodes carry the answer to the renderer: the engine is shared,
		// the AST is this call's own.
		for _, l := range p.links {
			a := answers[qindex[LinkQuery{Slug: l.target, Title: l.title}]]
			l.missing, l.resolved, l.others = a.Slug == "", a.Slug, a.Others
		}
		for _, l := range p.pageLinks {
			if answers[qindex[LinkQuery{Slug: l.slug}]].Slug == "" {
				l.node.SetAttribute(attrMissing, true)
			}
		}
	}
	var index map[string]int
	out.Links, index = p.targets()
	if len(out.Links) > 0 {
		out.Missing = make([]bool, len(out.Links))
		seen := make([]bool, len(out.Links))
		for _, l := range p.links {
			if i := index[l.target]; !seen[i] {
				seen[i], out.Missing[i] = true, l.missing
			}
		}
	}
	var buf bytes.Buffer
	buf.Grow(len(src) + len(src)/4)
	if err := r.md.Renderer().Render(&buf, p.src, p.doc); err != nil {
		return nil, fmt.Errorf("markdown: render: %w", err)
	}
	body := buf.String()
	if p.rawHTML {
		// Raw HTML went out as it was written: the whole body is parsed
		// as a browser would and rebuilt from the allowlist.
		body, out.RawHTML = r.sanitize(body, p.files)
		out.RawHTML.Kept = p.rawKept
	}
	// The table of contents is rendered here too, once per revision, so
	// that a cached page view does not walk hundreds of headings in a
	// template on every request.
	var toc bytes.Buffer
	writeTOC(&toc, out.TOC)
	// The one place package wiki makes template.HTML. It is safe because
	// every byte of body comes from goldmark's renderers without raw HTML,
	// from nodeRenderer below, which escapes all text and attribute values
	// and lets only checked URLs through, or, when the text had raw HTML,
	// from sanitize, which keeps only what its allowlist names; and TOC
	// from writeTOC, which escapes the heading texts and ids.
	out.HTML, out.TOCHTML = template.HTML(body), template.HTML(toc.String())
	out.Sections = spans(outline(p), body)
	out.Notes = notesStart(p, body, out.Sections)
	return out, nil
}

// notesStart returns where the footnotes of p begin in body, or
// len(body). They are the document's last block, so their <div> is the
// last of its class, after every part's heading (a raw HTML div of that
// class earlier in the text is not taken for them).
func notesStart(p *parsedPage, body string, secs []SectionSpan) int {
	if _, ok := p.doc.LastChild().(*east.FootnoteList); !ok {
		return len(body)
	}
	at := strings.LastIndex(body, `<div class="footnotes"`)
	for _, s := range secs {
		if s.HeadEnd > at {
			return len(body)
		}
	}
	return at
}

// writeTOC writes the headings as the list items of a table of contents:
// <li class="l2"><a href="#id">Text</a></li>, escaped.
func writeTOC(buf *bytes.Buffer, toc []Heading) {
	for _, h := range toc {
		fmt.Fprintf(buf, `<li class="l%d"><a href="#`, h.Level)
		buf.WriteString(template.HTMLEscapeString(url.PathEscape(h.ID)))
		buf.WriteString(`">`)
		buf.WriteString(template.HTMLEscapeString(h.Text))
		buf.WriteString("</a></li>")
	}
}
