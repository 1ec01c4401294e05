package importer

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/faqwiki/faqwiki/wiki"
)

func TestTemplates(t *testing.T) {
	tests := []struct {
		name, in, want string
		dropped        []string // names the report says were dropped
	}{
		{"no template", "Plain text with a {curly} brace.\n", "Plain text with a {curly} brace.\n", nil},
		{"liquid link", "See [the code]({% link \"about-us/code-of-conduct.md\" %}) and [x]({{ site.baseurl }}/travel/).\n",
			"See [the code](/about-us/code-of-conduct.md) and [x](/travel/).\n", nil},
		{"eleventy page", "Read ({% page \"updating/components\" %}).\n", "Read (/updating/components).\n", nil},
		{"hugo ref", "[Leave]({{< ref \"policies/leave.md\" >}}) or [abs]({{< relref \"/x\" >}})\n",
			"[Leave](/policies/leave.md) or [abs](/x)\n", nil},
		{"include dropped", "Before\n{% include \"low-system.html\" %}\nAfter {{ page.title }}\n",
			"Before\n\nAfter \n", []string{"{% include %}", "{{ page.title }}"}},
		{"multi-line tag keeps its lines", "- {% slack_channel\n  \"tts\" %} here\n", "- \n here\n", []string{"{% slack_channel %}"}},
		{"alert becomes a quote", "Intro\n\n{% alert \"Heads up!\" %}\nBook **early**.\n\nReally.\n{% endalert %}\n\nAfter\n",
			"Intro\n\n> [!WARNING]\n> **Heads up!** Book **early**.\n>\n> Really.\n\n\nAfter\n", nil},
		{"hugo notice", "{{< notice tip >}}\nSave often.\n{{< /notice >}}\n", "> [!TIP]\n> Save often.\n\n", nil},
		{"paired tag kept text", "{% if site.x %}\nShown.\n{% endif %}\n", "\nShown.\n\n", []string{"template tags {% if %}…{% endif %} dropped, the text between them kept"}},
		{"comment goes", "A\n{% comment %}\nsecret\n{% endcomment %}\nB\n", "A\n\n\n\nB\n", nil},
		{"capture goes", "A {% capture x %}kept for later{% endcapture %}B\n", "A B\n", nil},
		{"unclosed comment is only a tag", "A {% comment %} B\n", "A  B\n", []string{"{% comment %}"}},
		{"raw in code", "```liquid\n{% raw %}\n{{ page.title }}\n{% endraw %}\n```\n", "```liquid\n\n{{ page.title }}\n\n```\n", nil},
		{"code untouched", "Use `{{ name }}` here.\n\n```\n{% include x %}\n```\n\n    {{ indented }}\n",
			"Use `{{ name }}` here.\n\n```\n{% include x %}\n```\n\n    {{ indented }}\n", nil},
		{"docusaurus", "::: warning Careful now\nHot.\n:::\n", "> [!WARNING]\n> **Careful now** Hot.\n\n", nil},
		{"docusaurus plain", ":::note\nA note.\n:::\nAfter\n", "> [!NOTE]\n> A note.\n\nAfter\n", nil},
		{"mkdocs", "!!! tip \"Pro tip\"\n    Use the shortcut.\n\n    Or not.\n\nAfter\n", "> [!TIP]\n> **Pro tip** Use the shortcut.\n>\n> Or not.\n\nAfter\n", nil},
		{"mkdocs tabs", "=== \"Engineering\"\n\n    Set up your laptop.\n\n=== \"Design\"\n\n    Get Figma.\n\nAfter\n",
			"**Engineering**\n\nSet up your laptop.\n\n**Design**\n\nGet Figma.\n\nAfter\n", nil},
		{"tab labels", "{% tabs %}\n{% tab title=\"Remote\" %}\nUse the VPN.\n{% endtab %}\n{% endtabs %}\n",
			"\n**Remote**\nUse the VPN.\n\n\n", []string{"{% tabs %}…{% endtabs %}"}},
		{"not an admonition", ":::unknown\nx\n:::\n", ":::unknown\nx\n:::\n", nil},
		{"raw outside code keeps its tags as text", "Write {% raw %}{{ entry.project }}{% endraw %} here, {% raw %}`{{ a }}`{% endraw %} and {% raw %}{{ b }}{% endraw %}; {{ c }} goes.\n",
			"Write {{ entry.project }} here, `{{ a }}` and {{ b }};  goes.\n", []string{"{{ c }}"}},
		{"relative_url", "[Slack]({{ \"/tools/slack/\" | relative_url }}) [x]({{ '/x' | prepend: site.baseurl }})\n", "[Slack](/tools/slack/) [x](/x)\n", nil},
		{"gitbook hint style", "{% hint style=\"warning\" %}\nProbation lasts six months.\n{% endhint %}\n", "> [!WARNING]\n> Probation lasts six months.\n\n", nil},
		{"highlight becomes a fence", "Run:\n\n{{< highlight bash >}}\ngit clone {{ repo }}\n{{< /highlight >}}\n", "Run:\n\n```bash\ngit clone {{ repo }}\n```\n", nil},
		{"mermaid", "{{< mermaid >}}\ngraph TD; A-->B\n{{< /mermaid >}}\n", "```mermaid\ngraph TD; A-->B\n```\n", nil},
		{"videos and embeds", "{{< youtube Xz2M1Bdq-Ao >}}\n{% embed url=\"https://www.loom.com/share/abc\" %}\n{{< vimeo id=\"123\" >}}\n",
			"[YouTube video](https://www.youtube.com/watch?v=Xz2M1Bdq-Ao)\n<https://www.loom.com/share/abc>\n[Vimeo video](https://vimeo.com/123)\n", nil},
		{"figure", "{{< figure src=\"img/desk.png\" alt=\"A desk\" caption=\"Floor two\" >}}\n", "![A desk](img/desk.png) *Floor two*\n", nil},
		{"nested callouts", "{% alert \"Outer\" %}\nA.\n{% note %}\nB.\n{% endnote %}\nC.\n{% endalert %}\n",
			"> [!WARNING]\n> **Outer** A.\n> > [!NOTE]\n> > B.\n>\n> C.\n\n", nil},
		{"docsy alert", "{{% alert title=\"Heads up\" color=\"primary\" %}}\nRead this.\n{{% /alert %}}\n", "> [!NOTE]\n> **Heads up** Read this.\n\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd := &reader{rep: newReport()}
			got := rd.siteSyntax("p.md", tt.in, 1)
			if got != tt.want {
				t.Errorf("siteSyntax(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			if strings.Count(got, "\n") != strings.Count(tt.in, "\n") {
				t.Errorf("%d lines, was %d: line numbers would move", strings.Count(got, "\n"), strings.Count(tt.in, "\n"))
			}
			var notes []string
			for _, c := range rd.rep.Changes {
				notes = append(notes, c.What)
			}
			if len(notes) != len(tt.dropped) {
				t.Errorf("report %q, want drops of %q", notes, tt.dropped)
			}
			for _, d := range tt.dropped {
				found := false
				for _, n := range notes {
					found = found || strings.Contains(n, d)
				}
				if !found {
					t.Errorf("report %q does not name %q", notes, d)
				}
			}
		})
	}
}

// TestReadSiteWithTemplates: a Jekyll page's link tag leads to the page it
// names, its callout is an alert that renders as a call-out box, and a
// dropped include is reported with its line.
func TestReadSiteWithTemplates(t *testing.T) {
	fsys := fstest.MapFS{
		"index.md": {Data: []byte("---\ntitle: Home\n---\nRead [the travel policy]({% link travel/policy.md %}).\n\n" +
			"{% include banner.html %}\n\n{% alert \"Heads up\" %}\nBook early.\n{% endalert %}\n")},
		"travel/policy.md": {Data: []byte("# Travel policy\n\nBook with the agency.\n")},
	}
	site, pages := readFS(t, fsys)
	home := pages["home"]
	if home == nil {
		t.Fatalf("no home page in %+v", site.Pages)
	}
	for _, want := range []string{"[the travel policy](/wiki/travel/policy)", "> [!WARNING]\n> **Heads up** Book early."} {
		if !strings.Contains(home.Markdown, want) {
			t.Errorf("home page %q lacks %q", home.Markdown, want)
		}
	}
	if strings.Contains(home.Markdown, "{%") {
		t.Errorf("a template tag is left: %q", home.Markdown)
	}
	if r, err := wiki.NewRenderer().Render(home.Markdown, nil); err != nil || !strings.Contains(string(r.HTML), "markdown-alert-warning") {
		t.Errorf("the callout does not render as an alert: %v %v", r, err)
	}
	found := false
	for _, c := range site.Report.Changes {
		found = found || c.File == "index.md" && strings.Contains(c.What, `{% include %} dropped (line 6)`)
	}
	if !found {
		t.Errorf("report %+v: want the include's drop on line 6", site.Report.Changes)
	}
}

// TestReadMDXSite: .mdx files are pages (index.mdx its folder's), their
// import and export lines are left out and reported, and links without an
// extension find them.
func TestReadMDXSite(t *testing.T) {
	fsys := fstest.MapFS{
		"docs/index.mdx": {Data: []byte("# Docs\n\nStart with [the setup](./setup).\n")},
		"docs/setup.mdx": {Data: []byte("---\ntitle: Setup\n---\nimport Tabs from '@theme/Tabs';\nexport const Highlight = ({children}) => (\n  <span style={{color: 'red'}}>{children}</span>\n);\n\n" +
			"Install the tools.\n\n```js\nimport x from 'y';\n```\n\n:::tip\nRestart after.\n:::\n")},
	}
	site, pages := readFS(t, fsys)
	docs, setup := pages["docs"], pages["docs/setup"]
	if docs == nil || setup == nil {
		t.Fatalf("pages %v, want docs and docs/setup", site.Pages)
	}
	if !strings.Contains(docs.Markdown, "[the setup](/wiki/docs/setup)") {
		t.Errorf("docs: %q, want the link to docs/setup", docs.Markdown)
	}
	if strings.Contains(setup.Markdown, "import Tabs") || strings.Contains(setup.Markdown, "export const") || strings.Contains(setup.Markdown, "children") {
		t.Errorf("setup keeps MDX statements: %q", setup.Markdown)
	}
	for _, want := range []string{"import x from 'y';", "> [!TIP]\n> Restart after."} {
		if !strings.Contains(setup.Markdown, want) {
			t.Errorf("setup %q lacks %q", setup.Markdown, want)
		}
	}
	found := false
	for _, c := range site.Report.Changes {
		found = found || c.File == "docs/setup.mdx" && strings.Contains(c.What, "2 MDX import or export lines left out (the first on line 4)")
	}
	if !found {
		t.Errorf("report %+v: want the MDX lines", site.Report.Changes)
	}
}

// readFS reads a site from fsys, failing the test on error, and its pages
// by slug.
func readFS(t *testing.T, fsys fstest.MapFS) (*Site, map[wiki.Slug]*Page) {
	t.Helper()
	site, err := ReadFS(fsys, wiki.NewRenderer(), nil)
	if err != nil {
		t.Fatal(err)
	}
	pages := map[wiki.Slug]*Page{}
	for _, p := range site.Pages {
		pages[p.Slug] = p
	}
	return site, pages
}
