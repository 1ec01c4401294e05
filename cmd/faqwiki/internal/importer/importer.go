// Package importer reads a folder of Markdown files, as handbooks built with
// mkdocs, Hugo, Jekyll, Docusaurus or a GitHub repository of READMEs keep
// them, into the pages faqwiki saves, and says what it changed on the way:
//
//   - each *.md file is a page; x/index.md, x/README.md and x/_index.md are
//     the page x (a folder's own page);
//   - front matter (YAML or TOML) gives the title, tags and old addresses
//     and is never page text; without a title there, a first "# " line is
//     the title; titles are plain text;
//   - relative links to other Markdown files (with or without .md, with
//     #fragments, to folders) become links to their pages and sections;
//     links to other files (images, PDFs, samples) make those files
//     attachments of the page; links that lead nowhere are reported with
//     their file and line;
//   - simple HTML tables become Markdown tables (so Markdown in their cells
//     renders); other raw HTML is kept as far as the renderer's allowlist
//     goes, and what it drops is reported page by page;
//   - slugs over the limit are shortened stably, titles over the limit are
//     cut, and clashing slugs numbered, each reported rather than failed.
//
// Read does all of that without writing anything; the caller saves the
// pages (cmd/faqwiki import) or prints the report alone (--dry-run).
package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/faqwiki/faqwiki/wiki/markdown"
)

// Page is one page to save: what its file says, after the import's
// rewriting.
type Page struct {
	Path     string    // of its file, relative to the folder, with '/'
	Slug     wiki.Slug // where it goes
	Title    string    // plain text; "" lets the wiki derive it from the slug
	Markdown string
	Tags     []string // nil: the file says nothing about tags
	Aliases  []wiki.Slug
	Files    []wiki.File // its attachments, exactly
}

// Site is a folder read for import: its pages and the report.
type Site struct {
	Root   string
	Pages  []*Page
	Report *Report
}

// folderPageNames are the file names that stand for their folder.
var folderPageNames = []string{"index.md", "readme.md", "_index.md", "index.mdx", "readme.mdx", "index.markdown", "readme.markdown"}

// markdownExts are the extensions of Markdown files (.mdx: Docusaurus and
// other React sites, whose import and export lines are not page text).
var markdownExts = []string{".md", ".markdown", ".mdx"}

// source is a Markdown file being read.
type source struct {
	rel      string // path relative to the root, '/'-separated
	page     *Page
	body     string          // the text after front matter and title
	bodyLine int             // line number (from 1) of body's first line in the file
	ids      map[string]bool // anchors in the page (heading ids, raw HTML ids), once a link needs them: see anchorsOf
	// headingIDs are the ids attribute lists gave headings ({#2fa}), and
	// the heading each was on, as written; idAlias (made by anchorsOf)
	// maps each to the anchor the heading has here.
	headingIDs map[string]string
	idAlias    map[string]string
	fmFiles    []string
	folderDir  string // for a folder page, its folder; else ""
}

// reader holds the state of one Read.
type reader struct {
	fsys    fs.FS // the folder
	skip    func(rel string) bool
	r       *markdown.Renderer
	rep     *Report
	sources []*source
	byPath  map[string]*source // rel path of every Markdown file
	dirs    map[string]*source // folder -> its folder page
	others  map[string]bool    // rel paths of every other file
	lower   map[string]string  // lower-cased rel path -> rel path, for near misses
	// permalinks are the pages by the address their front matter says
	// they were published at (permalinkKey).
	permalinks map[string]*source
	// numbered: the site's generator leaves number prefixes that order
	// files ("01-intro.md") out of their addresses (Docusaurus).
	numbered bool
	// urlBase is the folder the site serves its pages under ("docs"
	// for Docusaurus): links from the root name it, the pages do not.
	urlBase string
	bySlug  map[wiki.Slug]*source
}

// Read reads the Markdown site in the folder root into pages, writing
// nothing.
func Read(root string, r *markdown.Renderer) (*Site, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a folder", root)
	}
	site, err := ReadFS(os.DirFS(root), r, nil)
	if site != nil {
		site.Root = root
	}
	return site, err
}

// ReadFS reads the Markdown site that is the whole of fsys (an embedded
// folder, a folder on disk: see Read) into pages, writing nothing. skip,
// if set, leaves out the files (paths with '/', relative to the root) it
// names, such as a SOURCE.md that describes the folder rather than being
// a page of it.
func ReadFS(fsys fs.FS, r *markdown.Renderer, skip func(rel string) bool) (*Site, error) {
	rep := newReport()
	numbered, urlBase := false, ""
	if g, pages, ok := generatorOf(fsys); ok {
		if g.name == "Docusaurus" {
			numbered, urlBase = true, g.pages
		}
		// A generator's whole project: its pages are those of its pages
		// folder, and the files it serves from the site's root (static/)
		// are where the pages' links from the root look for them.
		rep.Hint = fmt.Sprintf("this is a %s site (%s): imported the pages in %s/", g.name, g.config, g.pages)
		if static, ok := subFolder(fsys, g.static); ok {
			pages = overlayFS{pages, static}
			rep.Hint += fmt.Sprintf(", with the files in %s/, which the site serves from its root", g.static)
		}
		rep.Hint += fmt.Sprintf(" (file names below are within %s/)", g.pages)
		fsys = pages
		if skip != nil {
			inner := skip
			skip = func(rel string) bool { return inner(g.pages + "/" + rel) }
		}
	}
	rd := &reader{fsys: fsys, skip: skip, r: r, rep: rep, byPath: map[string]*source{}, dirs: map[string]*source{},
		others: map[string]bool{}, lower: map[string]string{}, permalinks: map[string]*source{}, numbered: numbered, urlBase: urlBase, bySlug: map[wiki.Slug]*source{}}
	if err := rd.walk(); err != nil {
		return nil, err
	}
	rd.assignSlugs()
	for _, s := range rd.sources {
		if err := rd.readFile(s); err != nil {
			return nil, err
		}
	}
	site := &Site{Root: ".", Report: rd.rep}
	for _, s := range rd.sources {
		rd.rewrite(s)
		site.Pages = append(site.Pages, s.page)
	}
	return site, nil
}

// buildFolders are the folders of site generators' templates, themes,
// build output and installed packages: their Markdown files (a theme's
// README, a gem's docs, an archetype) are not the handbook's pages.
var buildFolders = map[string]bool{
	"node_modules": true, "vendor": true, // packages
	"_includes": true, "_layouts": true, "_sass": true, "_site": true, // Jekyll
	"archetypes": true, "layouts": true, "themes": true, "resources": true, // Hugo
}

// generators are site generators' project files, the folder each keeps
// the pages in, and the folder of files it serves from the site's root.
var generators = []struct{ name, config, pages, static string }{
	{"Hugo", "hugo.toml", "content", "static"}, {"Hugo", "hugo.yaml", "content", "static"}, {"Hugo", "hugo.json", "content", "static"},
	{"Hugo", "config.toml", "content", "static"}, {"Hugo", "config/_default/hugo.toml", "content", "static"},
	{"Hugo", "config/_default/config.toml", "content", "static"}, {"Hugo", "config/_default/hugo.yaml", "content", "static"},
	{"MkDocs", "mkdocs.yml", "docs", ""}, {"MkDocs", "mkdocs.yaml", "docs", ""},
	{"Docusaurus", "docusaurus.config.js", "docs", "static"}, {"Docusaurus", "docusaurus.config.ts", "docs", "static"},
	{"Docusaurus", "docusaurus.config.mjs", "docs", "static"},
}

// generatorOf finds the site generator whose whole project fsys is, and
// returns its pages folder.
func generatorOf(fsys fs.FS) (g struct{ name, config, pages, static string }, pages fs.FS, ok bool) {
	for _, g := range generators {
		if _, err := fs.Stat(fsys, g.config); err != nil {
			continue
		}
		if pages, ok := subFolder(fsys, g.pages); ok {
			return g, pages, true
		}
	}
	return g, nil, false
}

// subFolder returns the folder name of fsys, if there is one.
func subFolder(fsys fs.FS, name string) (fs.FS, bool) {
	if name == "" {
		return nil, false
	}
	if fi, err := fs.Stat(fsys, name); err != nil || !fi.IsDir() {
		return nil, false
	}
	sub, err := fs.Sub(fsys, name)
	return sub, err == nil
}

// overlayFS is a generator's pages folder with the files it serves from
// the site's root laid under it: a file of pages wins over one of files
// at the same path, and the files' Markdown (a theme's README) is not
// seen.
type overlayFS struct {
	pages, files fs.FS
}

func (o overlayFS) Open(name string) (fs.File, error) {
	f, err := o.pages.Open(name)
	if err == nil || !errors.Is(err, fs.ErrNotExist) || isMarkdown(name) {
		return f, err
	}
	return o.files.Open(name)
}

func (o overlayFS) ReadDir(name string) ([]fs.DirEntry, error) {
	a, errA := fs.ReadDir(o.pages, name)
	b, errB := fs.ReadDir(o.files, name)
	if errA != nil && errB != nil {
		return nil, errA
	}
	seen := map[string]bool{}
	for _, e := range a {
		seen[e.Name()] = true
	}
	for _, e := range b {
		if !seen[e.Name()] && (e.IsDir() || !isMarkdown(e.Name())) {
			a = append(a, e)
		}
	}
	slices.SortFunc(a, func(x, y fs.DirEntry) int { return strings.Compare(x.Name(), y.Name()) })
	return a, nil
}

// isMarkdown reports whether name is a Markdown file's.
func isMarkdown(name string) bool {
	return slices.Contains(markdownExts, strings.ToLower(path.Ext(name)))
}

// walk lists the folder: Markdown files and every other file. Hidden files
// and folders (".git", ".github") are not part of a site, but for
// GitBook's .gitbook, which holds the pages' images and files; the
// folders of buildFolders are skipped, and the report says so.
func (rd *reader) walk() error {
	return fs.WalkDir(rd.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if p != "." && strings.HasPrefix(name, ".") && name != ".gitbook" {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if p != "." && d.IsDir() && buildFolders[name] {
			if name != "node_modules" {
				rd.rep.change(p+"/", "skipped: a site generator's "+buildFolderKind(name)+" folder, not pages")
			}
			return filepath.SkipDir
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		rel := p // fs paths are '/'-separated and relative to the root
		if rd.skip != nil && rd.skip(rel) {
			return nil
		}
		rd.lower[strings.ToLower(rel)] = rel
		if isMarkdown(name) && !strings.HasPrefix(rel, ".gitbook/") {
			s := &source{rel: rel}
			rd.sources = append(rd.sources, s)
			rd.byPath[rel] = s
			return nil
		}
		rd.others[rel] = true
		return nil
	})
}

func buildFolderKind(name string) string {
	switch name {
	case "vendor", "node_modules":
		return "packages"
	case "_site":
		return "build output"
	}
	return "templates or theme"
}

// assignSlugs gives every file its page's slug: from its path, folder
// pages naming their folder, shortened when too long, numbered when two
// files would share one. Folder pages choose first, then files in path
// order, so the same folder always gives the same slugs.
func (rd *reader) assignSlugs() {
	isFolderPage := func(rel string) bool {
		return slices.Contains(folderPageNames, strings.ToLower(path.Base(rel)))
	}
	order := slices.Clone(rd.sources)
	slices.SortStableFunc(order, func(a, b *source) int {
		fa, fb := isFolderPage(a.rel), isFolderPage(b.rel)
		if fa != fb {
			if fa {
				return -1
			}
			return 1
		}
		// index.md before README.md before _index.md in one folder.
		if fa && path.Dir(a.rel) == path.Dir(b.rel) {
			return slices.Index(folderPageNames, strings.ToLower(path.Base(a.rel))) - slices.Index(folderPageNames, strings.ToLower(path.Base(b.rel)))
		}
		return strings.Compare(a.rel, b.rel)
	})
	// The site's own front page (index.md or README.md at the root)
	// becomes the wiki's (wiki.HomeSlug), unless a file of the site is
	// already called home.
	front := true
	for _, s := range order {
		if slug, _ := slugFromPath(s.rel, isFolderPage(s.rel) && path.Dir(s.rel) != ".", rd.numbered); slug == wiki.HomeSlug {
			front = false
		}
	}
	taken := map[wiki.Slug]string{}
	for _, s := range order {
		slug, notes := slugFromPath(s.rel, isFolderPage(s.rel) && path.Dir(s.rel) != ".", rd.numbered)
		if front && isFolderPage(s.rel) && path.Dir(s.rel) == "." {
			front = false
			slug = wiki.HomeSlug
			notes = append(notes, "the site's front page: it is the wiki's front page ("+string(wiki.HomeSlug)+"), which the home page shows (a front page the wiki had stays in its history)")
		}
		for _, n := range notes {
			rd.rep.change(s.rel, n)
		}
		if other, clash := taken[slug]; clash {
			base := slug
			for i := 2; ; i++ {
				slug = withSuffix(base, fmt.Sprintf("-%d", i))
				if _, ok := taken[slug]; !ok {
					break
				}
			}
			rd.rep.change(s.rel, fmt.Sprintf("slug %s is %s's, so this page is %s", base, other, slug))
		}
		taken[slug] = s.rel
		s.page = &Page{Path: s.rel, Slug: slug}
		rd.bySlug[slug] = s
		if isFolderPage(s.rel) {
			dir := path.Dir(s.rel)
			if _, ok := rd.dirs[dir]; !ok {
				rd.dirs[dir] = s
				s.folderDir = dir
			}
		}
	}
}

// slugFromPath derives a slug from a file's path: each folder and the file
// name made a slug segment ("Travel/Per Diem.md" -> "travel/per-diem"),
// with a folder page ("travel/README.md") naming its folder, and with
// numbered, without the number prefixes that order them ("01-intro").
// notes say what had to change beyond that.
func slugFromPath(rel string, folderPage, numbered bool) (wiki.Slug, []string) {
	var notes []string
	p := rel
	if folderPage {
		p = path.Dir(rel)
	} else {
		p = strings.TrimSuffix(p, path.Ext(p))
	}
	var segs []string
	for _, part := range strings.Split(p, "/") {
		if numbered {
			if rest := numberPrefix.ReplaceAllString(part, ""); rest != "" {
				part = rest
			}
		}
		seg := string(wiki.SlugFromTitle(strings.ReplaceAll(part, "_", "-")))
		if seg == "" || strings.Contains(seg, "/") {
			sum := sha256.Sum256([]byte(part))
			seg = "page-" + hex.EncodeToString(sum[:3])
			notes = append(notes, fmt.Sprintf("%q has no letters or digits a slug can use: called it %s", part, seg))
		}
		segs = append(segs, seg)
	}
	slug := strings.Join(segs, "/")
	if len(slug) > wiki.MaxSlugLen {
		short := shorten(slug)
		notes = append(notes, fmt.Sprintf("slug %s… is longer than %d characters: shortened to %s", slug[:40], wiki.MaxSlugLen, short))
		slug = string(short)
	}
	if _, err := wiki.ParseSlug(slug); err != nil {
		// SlugFromTitle's segments always parse; joined, they parse too.
		sum := sha256.Sum256([]byte(rel))
		slug = "page-" + hex.EncodeToString(sum[:4])
		notes = append(notes, "no usable slug: called it "+slug)
	}
	return wiki.Slug(slug), notes
}

// numberPrefix is the number that orders a file or folder, as
// Docusaurus leaves it out of addresses: "01-intro", "2_setup", "3.faq".
var numberPrefix = regexp.MustCompile(`^[0-9]+[-_.]`)

// shorten cuts a slug over the limit to a stable, distinct one: as much of
// it as fits at a word boundary, then '-' and 8 hex digits of a hash of
// the whole slug, so two long paths that share a beginning differ.
func shorten(slug string) wiki.Slug {
	sum := sha256.Sum256([]byte(slug))
	tail := "-" + hex.EncodeToString(sum[:4])
	return withSuffix(wiki.Slug(slug), tail)
}

// withSuffix appends suffix to slug, cutting slug first so the result fits
// the limit.
func withSuffix(slug wiki.Slug, suffix string) wiki.Slug {
	s := string(slug)
	room := wiki.MaxSlugLen - len(suffix)
	if len(s) > room {
		s = s[:room]
		if i := strings.LastIndexAny(s, "-/"); i > room/2 {
			s = s[:i]
		}
		s = strings.TrimRight(s, "-/")
	}
	out := wiki.Slug(s + suffix)
	if _, err := wiki.ParseSlug(string(out)); err != nil {
		return wiki.SlugFromTitle(string(out))
	}
	return out
}

// readFile reads a source's front matter, title and text, and the anchors
// its text offers to links.
func (rd *reader) readFile(s *source) error {
	b, err := fs.ReadFile(rd.fsys, s.rel)
	if err != nil {
		return err
	}
	if len(b) > wiki.MaxMarkdownBytes {
		rd.rep.change(s.rel, fmt.Sprintf("%d bytes is over the %d-byte limit for a page: cut at the limit", len(b), wiki.MaxMarkdownBytes))
		b = b[:wiki.MaxMarkdownBytes]
	}
	if !utf8.Valid(b) {
		rd.rep.change(s.rel, "not valid UTF-8: invalid bytes replaced")
		b = []byte(strings.ToValidUTF8(string(b), "\uFFFD"))
	}
	md := strings.TrimPrefix(string(b), "\uFEFF")
	md = strings.ReplaceAll(strings.ReplaceAll(md, "\r\n", "\n"), "\r", "\n")
	md = strings.ReplaceAll(md, "\x00", "\uFFFD")
	fm, body, fmLines, err := splitFrontMatter(md)
	if err != nil {
		rd.rep.change(s.rel, err.Error()+": left out of the page")
	}
	s.bodyLine = fmLines + 1
	title := ""
	switch {
	case fm.HasTitle:
		title = fm.Title
	default:
		t, rest, n := splitTitle(body)
		if t != "" {
			title, body = t, rest
			s.bodyLine += n
		}
	}
	if title != "" {
		title, _ = stripTitleAttrs(title)
		plain := wiki.NormalizeTitle(rd.r.PlainInline(title))
		if plain == "" {
			plain = wiki.NormalizeTitle(title)
		}
		if utf8.RuneCountInString(plain) > wiki.MaxTitleLen {
			cut := cutTitle(plain)
			rd.rep.change(s.rel, fmt.Sprintf("title is longer than %d characters: cut to %q", wiki.MaxTitleLen, cut))
			plain = cut
		}
		title = plain
	}
	s.page.Title = title
	if strings.EqualFold(path.Ext(s.rel), ".mdx") {
		body = rd.mdxStatements(s.rel, body, s.bodyLine)
	}
	s.body = rd.siteSyntax(s.rel, body, s.bodyLine)
	rd.attributes(s)
	if fm.HasTags {
		s.page.Tags = wiki.NormalizeTags(fm.Tags)
		if len(s.page.Tags) > wiki.MaxTags {
			rd.rep.change(s.rel, fmt.Sprintf("%d tags: kept the first %d", len(s.page.Tags), wiki.MaxTags))
			s.page.Tags = s.page.Tags[:wiki.MaxTags]
		}
		s.page.Tags = slices.DeleteFunc(s.page.Tags, func(t string) bool { return len(t) > wiki.MaxTagLen })
	}
	for _, a := range fm.Aliases {
		slug, ok := aliasSlug(a)
		if !ok {
			rd.rep.change(s.rel, fmt.Sprintf("alias %q is not a path in this wiki: left out", a))
			continue
		}
		if slug != s.page.Slug && !slices.Contains(s.page.Aliases, slug) {
			s.page.Aliases = append(s.page.Aliases, slug)
		}
	}
	s.fmFiles = fm.Attachments
	if fm.Permalink == "" {
		fm.Permalink = rd.publishedAt(s, fm)
	}
	if fm.Permalink != "" {
		if slug, ok := aliasSlug(fm.Permalink); ok {
			rd.permalinks[permalinkKey(fm.Permalink)] = s
			if slug != s.page.Slug && !slices.Contains(s.page.Aliases, slug) {
				s.page.Aliases = append(s.page.Aliases, slug)
			}
		}
	}
	if fm.Draft {
		rd.rep.change(s.rel, "marked a draft (draft: true or published: false): imported all the same; delete the page if it should not be read")
	}
	return nil
}

// publishedAt is the address a page's slug (or, for Docusaurus, its id)
// gives it, without its site's prefix (/docs/): a slug beginning with "/"
// is the whole address, any other replaces the file's name. "" when the
// front matter names none.
func (rd *reader) publishedAt(s *source, fm frontMatter) string {
	name := fm.Slug
	if name == "" && rd.numbered {
		name = fm.ID
	}
	if name == "" || strings.ContainsAny(name, ":{}") {
		return "" // none, or a pattern
	}
	if strings.HasPrefix(name, "/") {
		return name
	}
	// The folder's address as the site made it (its number prefixes
	// left out, for Docusaurus): the slug's.
	return path.Join(path.Dir(string(s.page.Slug)), name)
}

// permalinkKey is a published address as links give it: "/about/",
// "about.html" and "about" are "about".
func permalinkKey(p string) string {
	p, _, _ = strings.Cut(p, "#")
	p = strings.Trim(p, "/")
	for _, ext := range []string{".html", ".htm"} {
		p = strings.TrimSuffix(p, ext)
	}
	return strings.TrimSuffix(p, "/index")
}

// cutTitle cuts a title to the limit at a word boundary, with an ellipsis.
func cutTitle(t string) string {
	r := []rune(t)[:wiki.MaxTitleLen-1]
	s := string(r)
	if i := strings.LastIndexByte(s, ' '); i > len(s)/2 {
		s = s[:i]
	}
	return strings.TrimRight(s, " ,;:.-") + "…"
}

// aliasSlug turns an old address as front matter gives it ("/old/path/",
// "old/path.html", "https://handbook.example.com/old/") into a slug.
func aliasSlug(a string) (wiki.Slug, bool) {
	if i := strings.Index(a, "://"); i >= 0 {
		rest := a[i+3:]
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			return "", false
		}
		a = rest[j:]
	}
	a, _, _ = strings.Cut(a, "#")
	a, _, _ = strings.Cut(a, "?")
	a = strings.Trim(a, "/")
	for _, ext := range append([]string{".html", ".htm"}, markdownExts...) {
		a = strings.TrimSuffix(a, ext)
	}
	if a == "" {
		return "", false
	}
	var segs []string
	for _, part := range strings.Split(a, "/") {
		seg := string(wiki.SlugFromTitle(strings.ReplaceAll(part, "_", "-")))
		if seg == "" {
			return "", false
		}
		segs = append(segs, seg)
	}
	slug, err := wiki.ParseSlug(strings.Join(segs, "/"))
	return slug, err == nil
}
