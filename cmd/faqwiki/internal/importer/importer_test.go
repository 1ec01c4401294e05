package importer

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/faqwiki/faqwiki/wiki"
)

func readSite(t *testing.T, dir string) (*Site, map[wiki.Slug]*Page) {
	t.Helper()
	site, err := Read(dir, wiki.NewRenderer())
	if err != nil {
		t.Fatal(err)
	}
	pages := map[wiki.Slug]*Page{}
	for _, p := range site.Pages {
		if pages[p.Slug] != nil {
			t.Fatalf("two pages at %s", p.Slug)
		}
		pages[p.Slug] = p
	}
	return site, pages
}

func fileNames(p *Page) []string {
	var out []string
	for _, f := range p.Files {
		out = append(out, f.Name)
	}
	slices.Sort(out)
	return out
}

func TestReadSite(t *testing.T) {
	site, pages := readSite(t, "testdata/site")
	long := wiki.Slug("a-very-long-folder-name-for-the-people-operations-team/another-long-folder-name-about-benefits-and-perks/what-1b46a5ce")
	var slugs []string
	for s := range pages {
		slugs = append(slugs, string(s))
	}
	slices.Sort(slugs)
	want := []string{string(long), "foo-bar", "foo-bar-2", "guides", "guides/setup", "home", "ruby"}
	if !slices.Equal(slugs, want) {
		t.Fatalf("slugs %v, want %v", slugs, want)
	}
	if len(long) > wiki.MaxSlugLen {
		t.Errorf("long slug is %d bytes", len(long))
	}

	home := pages["home"]
	// Front matter: title (plain text), tags, aliases; never text.
	if home.Title != "Team handbook" || !slices.Equal(home.Tags, []string{"handbook", "onboarding"}) || !slices.Equal(home.Aliases, []wiki.Slug{"start"}) {
		t.Errorf("home: %q %v %v", home.Title, home.Tags, home.Aliases)
	}
	for _, w := range []string{
		"[guides](/wiki/guides)",
		"[set up your laptop](/wiki/guides/setup#install-the-tools)",
		"[without the extension](/wiki/guides/setup)",
		"[travel policy](policy.pdf)",
		"![Our logo](logo.png)",
		"[nowhere](./missing.md)", // unresolved: kept as written
		`[ref-link]: /wiki/guides/setup "Setup"`,
		"[Ruby guide](/wiki/ruby)",
		"[not a link](inside-code.md)", // code is not touched
	} {
		if !strings.Contains(home.Markdown, w) {
			t.Errorf("home lacks %q:\n%s", w, home.Markdown)
		}
	}
	if strings.Contains(home.Markdown, "title:") || strings.HasPrefix(home.Markdown, "---") {
		t.Errorf("front matter in the text:\n%s", home.Markdown)
	}
	if got := fileNames(home); !slices.Equal(got, []string{"logo.png", "policy.pdf"}) {
		t.Errorf("home files %v", got)
	}

	guides := pages["guides"]
	if guides.Title != "Guides" || !slices.Equal(guides.Aliases, []wiki.Slug{"old/guides", "guides-page"}) && !slices.Equal(guides.Aliases, []wiki.Slug{"old/guides"}) {
		t.Errorf("guides: %q %v", guides.Title, guides.Aliases)
	}
	for _, w := range []string{"[handbook](/wiki/home)", `src="screen-shot.png"`, "[setup guide](/wiki/guides/setup#install-the-tools)",
		"![A fake image](../images/fake.png)", "<table", "<details>"} {
		if !strings.Contains(guides.Markdown, w) {
			t.Errorf("guides lacks %q:\n%s", w, guides.Markdown)
		}
	}
	if got := fileNames(guides); !slices.Equal(got, []string{"screen-shot.png"}) {
		t.Errorf("guides files %v", got)
	}

	setup := pages["guides/setup"]
	if setup.Title != "Set up your laptop" || strings.HasPrefix(setup.Markdown, "#") {
		t.Errorf("setup title %q, text %q", setup.Title, setup.Markdown[:20])
	}
	for _, w := range []string{"[back](/wiki/guides)", "[home page](/wiki/home)", "[logo](logo.png)", "[this section](#install-the-tools)",
		"(/wiki/guides/setup#ask-for-access)"} {
		if !strings.Contains(setup.Markdown, w) {
			t.Errorf("setup lacks %q:\n%s", w, setup.Markdown)
		}
	}
	if got := fileNames(pages["ruby"]); !slices.Equal(got, []string{"sample.rb"}) || !strings.Contains(pages["ruby"].Markdown, "[its sixth line](sample.rb)") {
		t.Errorf("ruby: %v\n%s", got, pages["ruby"].Markdown)
	}
	if p := pages[long]; len([]rune(p.Title)) > wiki.MaxTitleLen || !strings.HasSuffix(p.Title, "…") {
		t.Errorf("long title %q", p.Title)
	}

	// The report names every problem with its file and line.
	rep := site.Report
	var unresolved []string
	for _, u := range rep.Unresolved {
		unresolved = append(unresolved, where(u)+" "+u.What)
	}
	wantUnresolved := []string{"README.md:12 ./missing.md", "README.md:12 ../outside.md", "guides/setup.md:7 #nothing-here", "guides/setup.md:11 index.md#no-such-anchor"}
	if !slices.Equal(unresolved, wantUnresolved) {
		t.Errorf("unresolved %q, want %q", unresolved, wantUnresolved)
	}
	if len(rep.RefusedFiles) != 1 || where(rep.RefusedFiles[0]) != "guides/index.md:49" || !strings.Contains(rep.RefusedFiles[0].Why, "holds HTML") {
		t.Errorf("refused %+v", rep.RefusedFiles)
	}
	if rep.LinksRewritten != 11 || rep.LinksToFiles != 6 || rep.FilesStored != 5 {
		t.Errorf("counts: %d links, %d to files, %d files", rep.LinksRewritten, rep.LinksToFiles, rep.FilesStored)
	}
	if rep.HTMLKept["<table>"] != 1 || rep.HTMLKept["<details>"] != 1 || rep.HTMLDropped["<script>"] != 1 || rep.HTMLDropped["<iframe> (video kept as a link)"] != 1 ||
		rep.HTMLDropped["style attribute on <td>"] != 1 {
		t.Errorf("html kept %v dropped %v", rep.HTMLKept, rep.HTMLDropped)
	}
	if len(rep.DroppedByPage) != 1 || rep.DroppedByPage[0].File != "guides/index.md" {
		t.Errorf("dropped by page %+v", rep.DroppedByPage)
	}
	var changes string
	for _, c := range rep.Changes {
		changes += c.File + ": " + c.What + "\n"
	}
	for _, w := range []string{"shortened to " + string(long), "foo-bar.md: slug foo-bar is Foo_Bar.md's, so this page is foo-bar-2", "title is longer than 200"} {
		if !strings.Contains(changes, w) {
			t.Errorf("changes lack %q:\n%s", w, changes)
		}
	}
	var out strings.Builder
	rep.Print(&out, "testdata/site", len(site.Pages), true)
	for _, w := range []string{"dry run", "7 would be imported", "11 rewritten to pages, 6 to files, 4 unresolved", "README.md:12: ./missing.md", "guides/index.md: "} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("report lacks %q:\n%s", w, out.String())
		}
	}
}

func TestRenderedImportShowsWhatHandbooksUse(t *testing.T) {
	_, pages := readSite(t, "testdata/site")
	g := pages["guides"]
	var files []wiki.Attachment
	for _, f := range g.Files {
		files = append(files, wiki.Attachment{Name: f.Name, SHA256: strings.Repeat("a", 64)})
	}
	r := wiki.NewRenderer()
	out, err := r.Render(g.Markdown, nil)
	if err != nil {
		t.Fatal(err)
	}
	html := string(out.HTML)
	for _, w := range []string{"<table>", "<strong>Engineer I</strong>", "<em>small</em>", "<summary>What if I am stuck?</summary>", "<kbd>Ctrl</kbd>",
		"<sub>2</sub>", `class="footnote-ref"`, "markdown-alert-important", `class="video-link" href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"`} {
		if !strings.Contains(html, w) {
			t.Errorf("rendered guides lack %q:\n%s", w, html)
		}
	}
	for _, n := range []string{"<script", "onclick", "style=", "the career ladder", "<iframe"} {
		if strings.Contains(html, n) {
			t.Errorf("rendered guides have %q", n)
		}
	}
	_ = files
}

func TestSlugsFromPaths(t *testing.T) {
	for _, tt := range []struct {
		in               string
		folder, numbered bool
		want             string
	}{
		{"travel-and-leave/fmla.md", false, false, "travel-and-leave/fmla"},
		{"Travel/Per Diem.md", false, false, "travel/per-diem"},
		{"travel/index.md", true, false, "travel"},
		{"travel/README.md", true, false, "travel"},
		{"travel/_index.md", true, false, "travel"},
		{"index.md", false, false, "index"},
		{"getting_started.md", false, false, "getting-started"},
		{"api/revisions.md", false, false, "api/revisions-page"},
		{"01-start/02_laptop.md", false, false, "01-start/02-laptop"},
		{"01-start/02_laptop.md", false, true, "start/laptop"},
		{"10-start/index.md", true, true, "start"},
		{"2024.md", false, true, "2024"},
		{"3.faq.md", false, true, "faq"},
	} {
		got, _ := slugFromPath(tt.in, tt.folder, tt.numbered)
		if string(got) != tt.want {
			t.Errorf("slugFromPath(%q, numbered %v) = %q, want %q", tt.in, tt.numbered, got, tt.want)
		}
	}
	// No usable characters: a stable name instead of a failure.
	a, notes := slugFromPath("日本.md", false, false)
	b, _ := slugFromPath("日本.md", false, false)
	if a != b || len(notes) != 1 || !strings.HasPrefix(string(a), "page-") {
		t.Errorf("slugFromPath(日本.md) = %q %q %v", a, b, notes)
	}
	// Long paths that share a beginning stay distinct and stable.
	p1 := strings.Repeat("handbook-section/", 8) + "first-page.md"
	p2 := strings.Repeat("handbook-section/", 8) + "second-page.md"
	s1, _ := slugFromPath(p1, false, false)
	s2, _ := slugFromPath(p2, false, false)
	s1again, _ := slugFromPath(p1, false, false)
	if s1 == s2 || s1 != s1again || len(s1) > wiki.MaxSlugLen {
		t.Errorf("long slugs %q %q", s1, s2)
	}
	if _, err := wiki.ParseSlug(string(s1)); err != nil {
		t.Error(err)
	}
}

func TestFrontMatter(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		title    string
		tags     []string
		body     string
		bad      bool
	}{
		{"yaml", "---\ntitle: Hello\ntags: a, b\n---\nbody\n", "Hello", []string{"a", "b"}, "body\n", false},
		{"toml", "+++\ntitle = \"Hi\"\ntags = [\"x\"]\n+++\nbody\n", "Hi", []string{"x"}, "body\n", false},
		{"yaml with dots end", "---\ntitle: T\n...\nbody\n", "T", nil, "body\n", false},
		{"a rule, not front matter", "---\n\ntext\n", "", nil, "---\n\ntext\n", false},
		{"broken yaml is still cut off", "---\ntitle: [unclosed\n---\nbody\n", "", nil, "body\n", true},
		{"numbers as titles", "---\ntitle: 2024\n---\n", "2024", nil, "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fm, body, _, err := splitFrontMatter(tt.in)
			if (err != nil) != tt.bad || fm.Title != tt.title || !slices.Equal(fm.Tags, tt.tags) || body != tt.body {
				t.Errorf("got %+v %q %v", fm, body, err)
			}
		})
	}
}

func TestPageFileReadsBackAsThePage(t *testing.T) {
	r := wiki.NewRenderer()
	for _, title := range []string{"Family Medical Leave Act (FMLA)", "C# *pointers* & [brackets]", "Use `go vet`", "1. Intro", "# hash", "Title #", "a_b_c"} {
		file := PageFile(r, title, "body\n", nil, nil, nil)
		t2, body, _ := splitTitle(file)
		if got := wiki.NormalizeTitle(r.PlainInline(t2)); got != title || body != "body\n" {
			t.Errorf("%q -> %q -> %q, %q", title, file, got, body)
		}
	}
	if f := PageFile(r, "Plain", "", []string{"a"}, []wiki.Slug{"old"}, []string{"x.png"}); !strings.HasPrefix(f, "---\ntags:\n- a\naliases:\n- old\nattachments:\n- x.png\n---\n# Plain\n") {
		t.Errorf("front matter: %q", f)
	}
}

// thoughtbot/guides, a real site copied as it is (part of it: see
// testdata/thoughtbot/SOURCE.md).
func TestReadRealSite(t *testing.T) {
	site, pages := readSite(t, "testdata/thoughtbot")
	for _, s := range []wiki.Slug{"home", "testing-rspec", "ruby", "javascript-typescript", "source"} {
		if pages[s] == nil {
			t.Fatalf("no page %s", s)
		}
	}
	home := pages["home"].Markdown
	if !strings.Contains(home, "[Testing with RSpec](/wiki/testing-rspec)") || !strings.Contains(home, "[Ruby](/wiki/ruby)") {
		t.Errorf("home page links:\n%s", home)
	}
	rspec := pages["testing-rspec"]
	if !strings.Contains(rspec.Markdown, "[Sample](acceptance_test_spec.rb)") || !strings.Contains(rspec.Markdown, "[Example](avoid_let_spec.rb)") {
		t.Errorf("rspec links:\n%s", rspec.Markdown)
	}
	if got := fileNames(rspec); len(got) != 4 {
		t.Errorf("rspec files %v", got)
	}
	// Links to guides not copied, and the source's own broken links, are
	// reported with their lines; none is rewritten to a wrong page.
	var sawBroken bool
	for _, u := range site.Report.Unresolved {
		if u.File == "javascript-typescript/README.md" && strings.HasPrefix(u.What, "/javascript/sample.js") && u.Line > 0 {
			sawBroken = true
		}
	}
	if !sawBroken {
		t.Errorf("the guide's links to /javascript/sample.js (moved) were not reported: %+v", site.Report.Unresolved)
	}
}

// The site's own front page is the wiki's, unless the site has a page
// called home already; a second front page at the top keeps its name.
func TestFrontPageBecomesHome(t *testing.T) {
	_, pages := readFS(t, fstest.MapFS{
		"index.md":  {Data: []byte("# Handbook\n\nStart [here](travel.md).\n")},
		"README.md": {Data: []byte("# About this repository\n")},
		"travel.md": {Data: []byte("# Travel\n\nBack to the [start](index.md) or [the repo](README.md).\n")},
	})
	if pages["home"] == nil || pages["home"].Title != "Handbook" || pages["readme"] == nil || pages["index"] != nil {
		t.Fatalf("pages %v", slices.Sorted(maps.Keys(pages)))
	}
	if tr := pages["travel"].Markdown; !strings.Contains(tr, "[start](/wiki/home)") || !strings.Contains(tr, "[the repo](/wiki/readme)") {
		t.Errorf("links to the front pages: %s", tr)
	}

	_, pages = readFS(t, fstest.MapFS{
		"README.md": {Data: []byte("# About this repository\n")},
		"home.md":   {Data: []byte("# Welcome\n")},
	})
	if pages["home"] == nil || pages["home"].Title != "Welcome" || pages["readme"] == nil {
		t.Fatalf("with a home.md: pages %v", slices.Sorted(maps.Keys(pages)))
	}
}
