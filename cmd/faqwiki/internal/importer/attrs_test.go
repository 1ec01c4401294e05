package importer

import (
	"bytes"
	"image"
	"image/png"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/faqwiki/faqwiki/wiki"
)

func TestAttributes(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"heading id", "## Collaboration {#collaboration}\n\nText.\n", "## Collaboration\n\nText.\n"},
		{"mkdocs heading", "## Terms { #terms .big }\n", "## Terms\n"},
		{"kramdown block", "Intro paragraph.\n{:.usa-intro}\n\nMore.\n", "Intro paragraph.\n\n\nMore.\n"},
		{"toc list", "* TOC\n{:toc}\n\n## First\n", "\n\n\n## First\n"},
		{"no_toc and options", "## Contents\n{: .no_toc }\n{::options parse_block_html=\"true\" /}\n", "## Contents\n\n\n"},
		{"after links and images", "![Laptop](laptop.png){:width=\"400px\"} [Start](start.md){ .md-button .md-button--primary }\n",
			"![Laptop](laptop.png) [Start](start.md)\n"},
		{"code untouched", "```\n## Not {#a-heading}\n{:.x}\n```\n\nUse `{:toc}` to make one.\n", "```\n## Not {#a-heading}\n{:.x}\n```\n\nUse `{:toc}` to make one.\n"},
		{"braces in prose stay", "Send {name} and {a: b} please.\n", "Send {name} and {a: b} please.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &source{body: tt.in}
			(&reader{rep: newReport()}).attributes(s)
			if s.body != tt.want {
				t.Errorf("attributes(%q)\n got %q\nwant %q", tt.in, s.body, tt.want)
			}
			if strings.Count(s.body, "\n") != strings.Count(tt.in, "\n") {
				t.Error("the lines are not as many")
			}
		})
	}
	if title, id := stripTitleAttrs("Incident response {#ir}"); title != "Incident response" || id != "ir" {
		t.Errorf("title %q id %q", title, id)
	}
}

// TestReadSiteWithHeadingIDs: a link to a heading's own id ({#2fa})
// arrives at the heading's anchor, from the page and from another page,
// and the id is not shown.
func TestReadSiteWithHeadingIDs(t *testing.T) {
	fsys := fstest.MapFS{
		"it.md":    {Data: []byte("# IT {#it}\n\n## Two-factor authentication {#2fa}\n\nUse the app.\n\n### Paid leave\n{: #parental-leave}\n\nSee [above](#2fa).\n")},
		"start.md": {Data: []byte("# Start\n\nSet up [2FA](it.md#2fa) and read about [leave](it.md#parental-leave).\n")},
	}
	site, pages := readFS(t, fsys)
	it, start := pages["it"], pages["start"]
	if it == nil || start == nil {
		t.Fatalf("pages %+v", site.Pages)
	}
	if it.Title != "IT" || strings.Contains(it.Markdown, "{#") || strings.Contains(it.Markdown, "{:") {
		t.Errorf("it: title %q, text %q", it.Title, it.Markdown)
	}
	for _, want := range []string{"[above](#two-factor-authentication)"} {
		if !strings.Contains(it.Markdown, want) {
			t.Errorf("it %q lacks %q", it.Markdown, want)
		}
	}
	for _, want := range []string{"(/wiki/it#two-factor-authentication)", "(/wiki/it#paid-leave)"} {
		if !strings.Contains(start.Markdown, want) {
			t.Errorf("start %q lacks %q", start.Markdown, want)
		}
	}
	if len(site.Report.Unresolved) != 0 {
		t.Errorf("unresolved: %+v", site.Report.Unresolved)
	}
}

// TestReadSiteSkipsBuildFoldersAndKeepsGitBookAssets: a theme's README is
// not a page (and the report says why); GitBook's .gitbook/assets images
// are the pages' files.
func TestReadSiteSkipsBuildFoldersAndKeepsGitBookAssets(t *testing.T) {
	fsys := fstest.MapFS{
		"README.md":                       {Data: []byte("# Handbook\n\n![Channels](.gitbook/assets/slack.png)\n")},
		".gitbook/assets/slack.png":       {Data: tinyPNG(t)},
		".gitbook/includes/x.md":          {Data: []byte("# Not a page\n")},
		"themes/docsy/README.md":          {Data: []byte("# Docsy\n")},
		"vendor/bundle/jekyll/README.md":  {Data: []byte("# Jekyll\n")},
		"_includes/contact.md":            {Data: []byte("Ask in #help.\n")},
		"guides/layouts-of-the-office.md": {Data: []byte("# Office layouts\n")},
	}
	site, err := ReadFS(fsys, wiki.NewRenderer(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, p := range site.Pages {
		slugs = append(slugs, string(p.Slug))
		if p.Slug == "home" && (len(p.Files) != 1 || !strings.Contains(p.Markdown, "slack.png")) {
			t.Errorf("home: files %+v, text %q; refused %+v", p.Files, p.Markdown, site.Report.RefusedFiles)
		}
	}
	if strings.Join(slugs, " ") != "home guides/layouts-of-the-office" && strings.Join(slugs, " ") != "guides/layouts-of-the-office home" {
		t.Errorf("pages %v", slugs)
	}
	var notes []string
	for _, c := range site.Report.Changes {
		notes = append(notes, c.File+": "+c.What)
	}
	all := strings.Join(notes, "\n")
	for _, want := range []string{"themes/: skipped", "vendor/: skipped", "_includes/: skipped"} {
		if !strings.Contains(all, want) {
			t.Errorf("report %q lacks %q", all, want)
		}
	}
}

func tinyPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestReadJekyllPermalinks: links to where the site published a page
// (permalink:) lead to it, the permalink is an old address of the page,
// space-separated tags are tags, and a draft is reported.
func TestReadJekyllPermalinks(t *testing.T) {
	fsys := fstest.MapFS{
		"_pages/about.md": {Data: []byte("---\ntitle: About us\npermalink: /about/\ntags: team history\n---\nWe started in 2014.\n")},
		"_pages/start.md": {Data: []byte("---\ntitle: Start\ndraft: true\n---\nRead [about us](/about/) and [again]({{ site.baseurl }}/about).\n")},
	}
	site, pages := readFS(t, fsys)
	about, start := pages["pages/about"], pages["pages/start"]
	if about == nil || start == nil {
		t.Fatalf("pages %+v", site.Pages)
	}
	if strings.Count(start.Markdown, "(/wiki/pages/about)") != 2 {
		t.Errorf("start: %q, want both links to pages/about", start.Markdown)
	}
	if len(about.Aliases) != 1 || about.Aliases[0] != "about" {
		t.Errorf("about's aliases %v, want [about]", about.Aliases)
	}
	if strings.Join(about.Tags, ",") != "history,team" {
		t.Errorf("tags %v", about.Tags)
	}
	found := false
	for _, c := range site.Report.Changes {
		found = found || c.File == "_pages/start.md" && strings.Contains(c.What, "marked a draft")
	}
	if !found || len(site.Report.Unresolved) != 0 {
		t.Errorf("changes %+v unresolved %+v", site.Report.Changes, site.Report.Unresolved)
	}
}

// TestReadSiteOfAGeneratorsProject: a Hugo project imported whole is
// read as Hugo builds it: the pages of content/, with the files of
// static/ at the site's root, and the report says so.
func TestReadSiteOfAGeneratorsProject(t *testing.T) {
	hugo := fstest.MapFS{
		"config.toml":             {Data: []byte("title = 'x'\n")},
		"README.md":               {Data: []byte("# How to build this site\n")},
		"content/_index.md":       {Data: []byte("# Home\n\nSee [travel](/travel/).\n")},
		"content/travel.md":       {Data: []byte("# Travel\n\n![Map](/images/map.png) and [the form](../files/form.pdf).\n")},
		"static/images/map.png":   {Data: tinyPNG(t)},
		"content/files/form.pdf":  {Data: []byte("%PDF-1.4 new")},
		"static/files/form.pdf":   {Data: []byte("%PDF-1.4 old")},
		"static/README.md":        {Data: []byte("# Theme notes\n")},
		"layouts/partials/x.html": {Data: []byte("<p>x</p>")},
	}
	site, err := ReadFS(hugo, wiki.NewRenderer(), nil)
	if err != nil {
		t.Fatal(err)
	}
	pages := map[wiki.Slug]*Page{}
	for _, p := range site.Pages {
		pages[p.Slug] = p
	}
	if len(pages) != 2 || pages["home"] == nil || pages["travel"] == nil {
		t.Fatalf("pages %v", slices.Sorted(maps.Keys(pages)))
	}
	if !strings.Contains(pages["home"].Markdown, "[travel](/wiki/travel)") {
		t.Errorf("home: %q", pages["home"].Markdown)
	}
	tr := pages["travel"]
	if !strings.Contains(tr.Markdown, "![Map](map.png)") || !strings.Contains(tr.Markdown, "[the form](form.pdf)") || len(tr.Files) != 2 {
		t.Errorf("travel: %q files %+v unresolved %+v", tr.Markdown, tr.Files, site.Report.Unresolved)
	}
	for _, f := range tr.Files {
		if f.Name == "form.pdf" && string(f.Data) != "%PDF-1.4 new" {
			t.Errorf("form.pdf is %q: the pages' own file wins", f.Data)
		}
	}
	if !strings.Contains(site.Report.Hint, "Hugo site (config.toml): imported the pages in content/, with the files in static/") {
		t.Errorf("hint %q", site.Report.Hint)
	}
	var b strings.Builder
	site.Report.Print(&b, "site", len(site.Pages), true)
	if !strings.Contains(b.String(), "note: this is a Hugo site") {
		t.Errorf("report:\n%s", b.String())
	}
	plain := fstest.MapFS{"content/x.md": {Data: []byte("# X\n")}}
	if site, _ := ReadFS(plain, wiki.NewRenderer(), nil); site.Report.Hint != "" || len(site.Pages) != 1 || site.Pages[0].Slug != "content/x" {
		t.Errorf("a plain folder: hint %q, pages %+v", site.Report.Hint, site.Pages)
	}
}

// TestReadHugoRefs: {{< ref >}} finds its page as Hugo does: beside the
// page, from the root, or by a file name only one file has.
func TestReadHugoRefs(t *testing.T) {
	fsys := fstest.MapFS{
		"people/_index.md":        {Data: []byte("# People\n\n[PTO]({{< ref \"paid-time-off.md\" >}}), [benefits]({{< relref \"benefits\" >}}#parental-leave), [security]({{< ref \"/security/_index.md\" >}}), [setup]({{< ref \"dev-setup\" >}})\n")},
		"people/paid-time-off.md": {Data: []byte("# Paid time off\n")},
		"people/benefits.md":      {Data: []byte("# Benefits\n\n## Parental leave\n")},
		"security/_index.md":      {Data: []byte("# Security\n")},
		"eng/tools/dev-setup.md":  {Data: []byte("# Dev setup\n")},
	}
	site, pages := readFS(t, fsys)
	people := pages["people"]
	if people == nil {
		t.Fatalf("pages %+v", site.Pages)
	}
	for _, want := range []string{"(/wiki/people/paid-time-off)", "(/wiki/people/benefits#parental-leave)", "(/wiki/security)", "(/wiki/eng/tools/dev-setup)"} {
		if !strings.Contains(people.Markdown, want) {
			t.Errorf("people %q lacks %q", people.Markdown, want)
		}
	}
	if len(site.Report.Unresolved) != 0 {
		t.Errorf("unresolved %+v", site.Report.Unresolved)
	}
}

// TestReadDocusaurusProject: Docusaurus' addresses leave out the number
// prefixes that order files, take a page's id or slug from its front
// matter, and sit under /docs/; links by those addresses find their pages.
func TestReadDocusaurusProject(t *testing.T) {
	site, err := ReadFS(fstest.MapFS{
		"docusaurus.config.js":         {Data: []byte("module.exports = {}\n")},
		"docs/intro.md":                {Data: []byte("# Intro\n\n[Laptop](/docs/start/laptop-setup), [policies](/docs/guide/policies#leave), [old](/leave-rules) and ![logo](/img/logo.png).\n")},
		"docs/01-start/02-laptop.md":   {Data: []byte("---\nid: laptop-setup\n---\n# Your laptop\n")},
		"docs/03-guide/10-policies.md": {Data: []byte("---\nslug: /leave-rules\n---\n# Policies\n\n## Leave\n")},
		"static/img/logo.png":          {Data: tinyPNG(t)},
	}, wiki.NewRenderer(), nil)
	if err != nil {
		t.Fatal(err)
	}
	pages := map[wiki.Slug]*Page{}
	for _, p := range site.Pages {
		pages[p.Slug] = p
	}
	if pages["intro"] == nil || pages["start/laptop"] == nil || pages["guide/policies"] == nil {
		t.Fatalf("pages %v", slices.Sorted(maps.Keys(pages)))
	}
	md := pages["intro"].Markdown
	for _, w := range []string{"[Laptop](/wiki/start/laptop)", "[policies](/wiki/guide/policies#leave)", "[old](/wiki/guide/policies)", "![logo](logo.png)"} {
		if !strings.Contains(md, w) {
			t.Errorf("intro lacks %q: %s (unresolved %+v)", w, md, site.Report.Unresolved)
		}
	}
	if a := pages["guide/policies"].Aliases; !slices.Contains(a, "leave-rules") {
		t.Errorf("policies' old names: %v", a)
	}
}
