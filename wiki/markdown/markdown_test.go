package markdown

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"
)

var errLookup = errors.New("lookup failed")

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// existsExcept returns an exists func for which every target exists but
// those starting with "missing" or listed in missing.
func existsExcept(missing ...string) func([]string) ([]bool, error) {
	return func(slugs []string) ([]bool, error) {
		out := make([]bool, len(slugs))
		for i, s := range slugs {
			out[i] = !strings.HasPrefix(string(s), "missing")
			for _, m := range missing {
				if s == m {
					out[i] = false
				}
			}
		}
		return out, nil
	}
}

func mustRender(tb testing.TB, r *Renderer, src string) *Rendered {
	tb.Helper()
	out, err := r.Render(src, existsExcept())
	if err != nil {
		tb.Fatalf("Render(%q): %v", src, err)
	}
	return out
}

func TestHeadingIDs(t *testing.T) {
	r := newTestRenderer()
	for _, tt := range []struct {
		name string
		in   string
		want []Heading
	}{
		{"simple", "# Hello World", []Heading{{1, "Hello World", "hello-world"}}},
		{"punctuation", "## What's up? (really!)", []Heading{{2, "What's up? (really!)", "whats-up-really"}}},
		{"ampersand keeps both spaces", "## Q & A", []Heading{{2, "Q & A", "q--a"}}},
		{"dash and underscore kept", "## snake_case and kebab-case", []Heading{{2, "snake_case and kebab-case", "snake_case-and-kebab-case"}}},
		{"numbers", "### Step 1: install v2.0", []Heading{{3, "Step 1: install v2.0", "step-1-install-v20"}}},
		{"duplicates", "## FAQ\n## FAQ\n## faq", []Heading{{2, "FAQ", "faq"}, {2, "FAQ", "faq-1"}, {2, "faq", "faq-2"}}},
		{"duplicate of a numbered id", "## FAQ 1\n## FAQ\n## FAQ", []Heading{{2, "FAQ 1", "faq-1"}, {2, "FAQ", "faq"}, {2, "FAQ", "faq-2"}}},
		{"unicode lower-cased", "## Größe Über Café", []Heading{{2, "Größe Über Café", "größe-über-café"}}},
		{"non-latin", "## Как дела?\n## 日本語の質問", []Heading{{2, "Как дела?", "как-дела"}, {2, "日本語の質問", "日本語の質問"}}},
		{"emoji dropped", "## 🎉 Party", []Heading{{2, "🎉 Party", "-party"}}},
		{"empty", "## ???\n##\n## !", []Heading{{2, "???", "section"}, {2, "", "section-1"}, {2, "!", "section-2"}}},
		{"markup is not text", "## Use `go vet` *now*", []Heading{{2, "Use go vet now", "use-go-vet-now"}}},
		{"links by their text", "## See [the docs](https://x.example/a-b) and [[Page|here]]", []Heading{{2, "See the docs and here", "see-the-docs-and-here"}}},
		{"escapes and entities", `## 1\. AT&amp;T \*`, []Heading{{2, "1. AT&T *", "1-att-"}}},
		{"setext", "Title\n=====\n\nSub\n---", []Heading{{1, "Title", "title"}, {2, "Sub", "sub"}}},
		{"nested in list and quote", "- ## In list\n\n> ### In quote", []Heading{{2, "In list", "in-list"}, {3, "In quote", "in-quote"}}},
		{"code block is no heading", "```\n## not\n```\n\n    ## not either", nil},
		{"html dropped", "## <b>Bold</b> move", []Heading{{2, "Bold move", "bold-move"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := mustRender(t, r, tt.in)
			if !reflect.DeepEqual(out.TOC, tt.want) {
				t.Errorf("TOC = %+v, want %+v", out.TOC, tt.want)
			}
			for _, h := range tt.want {
				if want := ` id="` + html.EscapeString(h.ID) + `"`; !strings.Contains(string(out.HTML), want) {
					t.Errorf("HTML lacks %s:\n%s", want, out.HTML)
				}
			}
		})
	}
}

func TestRenderHeadingAnchor(t *testing.T) {
	r := newTestRenderer()
	for _, tt := range []struct {
		name, in, want string
	}{
		{"ascii", "## How do I start?",
			`<h2 id="how-do-i-start">How do I start? <a class="anchor" href="#how-do-i-start" aria-label="Link to this question"></a></h2>` + "\n"},
		{"non-ascii href is escaped", "### Größe",
			`<h3 id="größe">Größe <a class="anchor" href="#gr%C3%B6%C3%9Fe" aria-label="Link to this question"></a></h3>` + "\n"},
		{"inline markup kept", "# *Very* `important`",
			`<h1 id="very-important"><em>Very</em> <code>important</code> <a class="anchor" href="#very-important" aria-label="Link to this question"></a></h1>` + "\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(mustRender(t, r, tt.in).HTML); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestRenderWikiLinks(t *testing.T) {
	r := newTestRenderer()
	long := strings.Repeat("a", maxWikiLinkLen+1)
	for _, tt := range []struct {
		name      string
		in        string
		want      string // the HTML inside <p>...</p>
		wantLinks []string
	}{
		{"title", "[[Page title]]",
			`<a class="wikilink" href="/wiki/page-title">Page title</a>`, []string{"page-title"}},
		{"slug and label", "[[travel/per-diem|Per diem]]",
			`<a class="wikilink" href="/wiki/travel/per-diem">Per diem</a>`, []string{"travel/per-diem"}},
		{"title with sub-page", "[[Travel/Per Diem]]",
			`<a class="wikilink" href="/wiki/travel/per-diem">Travel/Per Diem</a>`, []string{"travel/per-diem"}},
		{"anchor", "[[Page#Some question]]",
			`<a class="wikilink" href="/wiki/page#some-question">Page#Some question</a>`, []string{"page"}},
		{"anchor and label", "[[travel/per-diem#How much is it?|rates]]",
			`<a class="wikilink" href="/wiki/travel/per-diem#how-much-is-it">rates</a>`, []string{"travel/per-diem"}},
		{"non-ascii anchor", "[[Page#Größe]]",
			`<a class="wikilink" href="/wiki/page#gr%C3%B6%C3%9Fe">Page#Größe</a>`, []string{"page"}},
		{"spaces trimmed", "[[  Page title  |  shown  ]]",
			`<a class="wikilink" href="/wiki/page-title">shown</a>`, []string{"page-title"}},
		{"empty label shows the target", "[[Page|]]",
			`<a class="wikilink" href="/wiki/page">Page</a>`, []string{"page"}},
		{"missing", "[[Missing page]]",
			`<a class="new" href="/new?title=Missing+page" rel="nofollow">Missing page</a>`, []string{"missing-page"}},
		{"missing with anchor and label", "[[Missing & Co#Q|see]]",
			`<a class="new" href="/new?title=Missing+%26+Co" rel="nofollow">see</a>`, []string{"missing-co"}},
		{"label is text, not HTML", "[[Page|<b>x</b> & *y*]]",
			`<a class="wikilink" href="/wiki/page">&lt;b&gt;x&lt;/b&gt; &amp; *y*</a>`, []string{"page"}},
		{"entities resolved", "[[Q&amp;A|Q&amp;A]]",
			`<a class="wikilink" href="/wiki/q-a">Q&amp;A</a>`, []string{"q-a"}},
		{"scheme is just text", "[[javascript:alert(1)|x]]",
			`<a class="wikilink" href="/wiki/javascript-alert-1">x</a>`, []string{"javascript-alert-1"}},
		{"distinct targets in order", "[[B]] [[a]] [[b|again]] [[A#x]]",
			`<a class="wikilink" href="/wiki/b">B</a> <a class="wikilink" href="/wiki/a">a</a> <a class="wikilink" href="/wiki/b">again</a> <a class="wikilink" href="/wiki/a#x">A#x</a>`,
			[]string{"b", "a"}},
		{"in text", "See [[Page]], then [a link](/x).",
			`See <a class="wikilink" href="/wiki/page">Page</a>, then <a href="/x">a link</a>.`, []string{"page"}},
		{"extra brackets", "[[[Page]]]",
			`[<a class="wikilink" href="/wiki/page">Page</a>]`, []string{"page"}},
		{"empty", "[[]] [[ ]] [[|x]]", `[[]] [[ ]] [[|x]]`, nil},
		{"unsluggable", "[[???]] [[#anchor]]", `[[???]] [[#anchor]]`, nil},
		{"not across lines", "[[Page\ntitle]]", "[[Page\ntitle]]", nil},
		{"no brackets inside", "[[a]b]]", `[[a]b]]`, nil},
		{"too long", "[[" + long + "]]", "[[" + long + "]]", nil},
		{"escaped", `\[[Page]]`, `[[Page]]`, nil},
		{"code span", "`[[Page]]` and ``x [[Page]] y``", `<code>[[Page]]</code> and <code>x [[Page]] y</code>`, nil},
		{"inside a link", "[see [[Page]]](/x)", `<a href="/x">see Page</a>`, nil},
		{"inside an image", "![see [[Page]]](https://example.com/x.png)", `<img src="https://example.com/x.png" alt="see Page">`, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := mustRender(t, r, tt.in)
			want := "<p>" + tt.want + "</p>\n"
			if string(out.HTML) != want {
				t.Errorf("HTML\ngot  %s\nwant %s", out.HTML, want)
			}
			if !reflect.DeepEqual(out.Links, tt.wantLinks) {
				t.Errorf("Links = %q, want %q", out.Links, tt.wantLinks)
			}
			if got := r.WikiLinks(tt.in); !reflect.DeepEqual(got, tt.wantLinks) {
				t.Errorf("WikiLinks = %q, want %q", got, tt.wantLinks)
			}
		})
	}
}

func TestRenderWikiLinksInBlocks(t *testing.T) {
	r := newTestRenderer()
	for _, tt := range []struct {
		name, in, want string
		wantLinks      []string
	}{
		{"fenced code", "```\n[[Page]]\n```", "<pre><code>[[Page]]\n</code></pre>\n", nil},
		{"indented code", "    [[Page]]", "<pre><code>[[Page]]\n</code></pre>\n", nil},
		{"heading", "## About [[Page]]",
			`<h2 id="about-page">About <a class="wikilink" href="/wiki/page">Page</a> <a class="anchor" href="#about-page" aria-label="Link to this question"></a></h2>` + "\n",
			[]string{"page"}},
		{"table cell with escaped pipe", "| a |\n|---|\n| [[travel/per-diem\\|Per diem]] |",
			"<div class=\"table-scroll\">\n<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n" +
				`<td><a class="wikilink" href="/wiki/travel/per-diem">Per diem</a></td>` +
				"\n</tr>\n</tbody>\n</table>\n</div>\n",
			[]string{"travel/per-diem"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := mustRender(t, r, tt.in)
			if string(out.HTML) != tt.want {
				t.Errorf("HTML\ngot  %s\nwant %s", out.HTML, tt.want)
			}
			if !reflect.DeepEqual(out.Links, tt.wantLinks) {
				t.Errorf("Links = %q, want %q", out.Links, tt.wantLinks)
			}
		})
	}
}

func TestRenderExists(t *testing.T) {
	r := newTestRenderer()
	src := "[[A]] [[Missing b]] [[a|again]] [[C]]"

	t.Run("called once with distinct targets", func(t *testing.T) {
		var calls [][]string
		out, err := r.Render(src, func(s []string) ([]bool, error) {
			calls = append(calls, s)
			return existsExcept()(s)
		})
		if err != nil {
			t.Fatal(err)
		}
		wantLinks := []string{"a", "missing-b", "c"}
		if !reflect.DeepEqual(calls, [][]string{wantLinks}) {
			t.Errorf("exists calls = %q, want one with %q", calls, wantLinks)
		}
		if !reflect.DeepEqual(out.Links, wantLinks) || !reflect.DeepEqual(out.Missing, []bool{false, true, false}) {
			t.Errorf("Links, Missing = %q, %v", out.Links, out.Missing)
		}
		if n := strings.Count(string(out.HTML), `class="new"`); n != 1 {
			t.Errorf("%d links of class new, want 1:\n%s", n, out.HTML)
		}
	})
	t.Run("nil exists: all exist", func(t *testing.T) {
		out, err := r.Render(src, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(out.Missing, []bool{false, false, false}) || strings.Contains(string(out.HTML), `class="new"`) {
			t.Errorf("Missing = %v, HTML:\n%s", out.Missing, out.HTML)
		}
	})
	t.Run("no links: not called", func(t *testing.T) {
		out, err := r.Render("no links `[[here]]`", func([]string) ([]bool, error) {
			t.Error("exists called")
			return nil, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if out.Links != nil || out.Missing != nil {
			t.Errorf("Links, Missing = %q, %v; want nil", out.Links, out.Missing)
		}
	})
	t.Run("error", func(t *testing.T) {
		_, err := r.Render(src, func([]string) ([]bool, error) { return nil, errLookup })
		if !errors.Is(err, errLookup) {
			t.Errorf("err = %v, want it to wrap errLookup", err)
		}
	})
	t.Run("wrong length", func(t *testing.T) {
		_, err := r.Render(src, func([]string) ([]bool, error) { return []bool{true}, nil })
		if err == nil {
			t.Error("no error for an answer of the wrong length")
		}
	})
}

func TestRenderGFM(t *testing.T) {
	r := newTestRenderer()
	for _, tt := range []struct {
		name, in, want string
	}{
		{"table aligned without style",
			"| L | R | C | N |\n|:--|--:|:-:|---|\n| 1 | 2 | 3 | 4 |",
			"<div class=\"table-scroll\">\n<table>\n<thead>\n<tr>\n<th align=\"left\">L</th>\n<th align=\"right\">R</th>\n<th align=\"center\">C</th>\n<th>N</th>\n</tr>\n</thead>\n" +
				"<tbody>\n<tr>\n<td align=\"left\">1</td>\n<td align=\"right\">2</td>\n<td align=\"center\">3</td>\n<td>4</td>\n</tr>\n</tbody>\n</table>\n</div>\n"},
		{"task list", "- [x] done\n- [ ] to do",
			"<ul>\n<li><input checked=\"\" disabled=\"\" type=\"checkbox\"> done</li>\n<li><input disabled=\"\" type=\"checkbox\"> to do</li>\n</ul>\n"},
		{"strikethrough", "~~old~~ new", "<p><del>old</del> new</p>\n"},
		{"bare www link", "see www.example.com/a?b=1.",
			"<p>see <a href=\"http://www.example.com/a?b=1\" rel=\"nofollow noopener\">www.example.com/a?b=1</a>.</p>\n"},
		{"bare https link", "see https://example.com/x",
			"<p>see <a href=\"https://example.com/x\" rel=\"nofollow noopener\">https://example.com/x</a></p>\n"},
		{"bare email", "mail it@example.com",
			"<p>mail <a href=\"mailto:it@example.com\" rel=\"nofollow noopener\">it@example.com</a></p>\n"},
		{"autolink", "<https://example.com/a b>", "<p>&lt;https://example.com/a b&gt;</p>\n"},
		{"autolink ok", "<https://example.com/ab>",
			"<p><a href=\"https://example.com/ab\" rel=\"nofollow noopener\">https://example.com/ab</a></p>\n"},
		{"fenced code with language", "```go\nfmt.Println(\"<hi>\")\n```",
			"<pre><code class=\"language-go\">fmt.Println(&quot;&lt;hi&gt;&quot;)\n</code></pre>\n"},
		{"internal link unchanged", "[Q](/wiki/some-slug#anchor)",
			"<p><a href=\"/wiki/some-slug#anchor\">Q</a></p>\n"},
		{"relative and fragment links", "[a](b/c) [d](#e) [f](?g=h)",
			"<p><a href=\"b/c\">a</a> <a href=\"#e\">d</a> <a href=\"?g=h\">f</a></p>\n"},
		{"external link", "[x](https://example.com/ \"T\")",
			"<p><a href=\"https://example.com/\" rel=\"nofollow noopener\" title=\"T\">x</a></p>\n"},
		{"protocol-relative is external", "[x](//example.com/)",
			"<p><a href=\"//example.com/\" rel=\"nofollow noopener\">x</a></p>\n"},
		{"image", "![A cat](https://example.com/cat.png \"Cat\")",
			"<p><img src=\"https://example.com/cat.png\" alt=\"A cat\" title=\"Cat\"></p>\n"},
		{"br kept", "a<br>b<BR/>c<br />d", "<p>a<br>b<br>c<br>d</p>\n"},
		{"allowed html kept", "a <span>b</span> <kbd>Ctrl</kbd>", "<p>a <span>b</span> <kbd>Ctrl</kbd></p>\n"},
		{"other html dropped", "a <font color=red>b</font><script>x</script>", "<p>a b</p>\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(mustRender(t, r, tt.in).HTML); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// hostile is Markdown that tries to get script into the page. Every entry
// must render to HTML that passes checkSafeHTML; they also seed FuzzRender.
var hostile = []string{
	`<script>alert(1)</script>`,
	"<script>\nalert(1)\n</script>",
	`x <script>alert(1)</script> y`,
	`<img src=x onerror=alert(1)>`,
	`x <img src=x onerror=alert(1)> y`,
	`<iframe src="https://evil.example"></iframe>`,
	`<object data="x"></object><embed src="x">`,
	`<style>body{display:none}</style>`,
	`<svg onload=alert(1)>`,
	`<a href="javascript:alert(1)">x</a>`,
	`<div style="color:red" onclick="alert(1)">x</div>`,
	`<form><button formaction="javascript:alert(1)">x</button></form>`,
	`<iframe srcdoc="<script>alert(1)</script>"></iframe>`,
	`<!-- --><script>alert(1)</script>`,
	`<br onclick=alert(1)>`,
	`<br/ onclick=alert(1)>`,
	`[x](javascript:alert(1))`,
	`[x](JaVaScRiPt:alert(1))`,
	"[x](java\tscript:alert(1))",
	"[x](<java\tscript:alert(1)>)",
	"[x](<java\nscript:alert(1)>)",
	`[x](java&#x09;script:alert(1))`,
	`[x](java&#9;script:alert(1))`,
	`[x](java&Tab;script:alert(1))`,
	`[x](&#106;avascript:alert(1))`,
	`[x](&#x6A;avascript:alert(1))`,
	`[x](javascript&colon;alert(1))`,
	`[x](javascript&#58;alert(1))`,
	`[x](&#x01;javascript:alert(1))`,
	`[x](<  javascript:alert(1)>)`,
	`[x](\javascript:alert(1))`,
	`[x](vbscript:msgbox(1))`,
	`[x](VBScript:msgbox(1))`,
	`[x](file:///etc/passwd)`,
	`[x](FILE:///etc/passwd)`,
	`[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
	`[x](data:image/png;base64,iVBORw0KGgo=)`,
	`[x](DATA:text/html,<script>alert(1)</script>)`,
	`![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
	`![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)`,
	`![x](javascript:alert(1))`,
	`![x](mailto:a@example.com)`,
	`![x" onerror="alert(1)](/x.png)`,
	`[x](/ "a\" onmouseover=\"alert(1)")`,
	`[x](/ 'a" onmouseover="alert(1)')`,
	`[x][r]` + "\n\n" + `[r]: javascript:alert(1)`,
	`[x][r]` + "\n\n" + `[r]: <java script:alert(1)>`,
	`<javascript:alert(1)>`,
	`<JAVASCRIPT:alert(1)>`,
	`<vbscript:msgbox(1)>`,
	`<data:text/html,x>`,
	`<file:///etc/passwd>`,
	`www.example.com/"onmouseover="alert(1)`,
	`https://example.com/"><script>alert(1)</script>`,
	`[[javascript:alert(1)|x]]`,
	`[[Page|"><script>alert(1)</script>]]`,
	`[[Page#"onmouseover="alert(1)]]`,
	`[[x" onmouseover="alert(1)]]`,
	`[[Missing" onclick="alert(1)]]`,
	"```\"onmouseover=\"alert(1)\nx\n```",
	"```<script>\nx\n```",
	`## x" onmouseover="alert(1)`,
	`## <script>alert(1)</script>`,
	"| a |\n|---|\n| <script>alert(1)</script> |",
	"> <script>alert(1)</script>",
	"- <iframe src=x></iframe>",
	`![x](https://example.com/x.png "<script>")`,
	"&lt;script&gt;alert(1)&lt;/script&gt;",
	"\\<script>alert(1)\\</script>",
	"`<script>alert(1)</script>`",
	"<a href='javascript:alert(1)'>x</a>",
	"[x](javascript:alert(1) \"t\")",
	"[x]( javascript:alert(1))",
	"[x](\u00a0javascript:alert(1))",
	"[x](\u200bjavascript:alert(1))",
	"[x](ｊavascript:alert(1))",
	"[x](%6Aavascript:alert(1))",
	"[x](jav&#x0A;ascript:alert(1))",
	"[x](jav&#x0D;ascript:alert(1))",
	"[x](&#0;javascript:alert(1))",
	"[[Page]](javascript:alert(1))",
	"[![x](/i.png)](javascript:alert(1))",
}

// dangerousElements may never appear in rendered Markdown.
var dangerousElements = map[string]bool{
	"script": true, "iframe": true, "object": true, "embed": true, "style": true,
	"frame": true, "frameset": true, "applet": true, "base": true, "link": true,
	"meta": true, "form": true, "svg": true, "math": true, "template": true,
	"noscript": true, "textarea": true, "button": true, "select": true,
}

// renderedElements are all the elements Render may produce.
var renderedElements = map[string]bool{
	"p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"a": true, "em": true, "strong": true, "del": true, "code": true, "pre": true,
	"blockquote": true, "ul": true, "ol": true, "li": true, "hr": true, "br": true, "img": true,
	"table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true,
	"div":   true, // <div class="table-scroll"> around tables, alerts, footnotes, raw HTML
	"input": true,
	// Raw HTML that the allowlist keeps (sanitize.go), and footnotes.
	"span": true, "wbr": true, "kbd": true, "samp": true, "var": true, "b": true, "i": true, "u": true,
	"s": true, "ins": true, "mark": true, "small": true, "sub": true, "sup": true, "abbr": true,
	"cite": true, "q": true, "dfn": true, "dl": true, "dt": true, "dd": true, "caption": true,
	"colgroup": true, "col": true, "tfoot": true, "details": true, "summary": true, "figure": true,
	"figcaption": true, "section": true,
}

// renderedAttrs are all the attributes Render may produce.
var renderedAttrs = map[string]bool{
	"id": true, "class": true, "href": true, "rel": true, "title": true, "aria-label": true,
	"src": true, "alt": true, "align": true, "start": true,
	"type": true, "checked": true, "disabled": true,
	// Raw HTML that the allowlist keeps, and footnotes.
	"colspan": true, "rowspan": true, "scope": true, "span": true, "open": true, "width": true,
	"height": true, "reversed": true, "role": true,
}

// checkSafeHTML fails tb if out, read by a real HTML tokenizer, has an
// element or attribute that can run script, or a URL that can.
func checkSafeHTML(tb testing.TB, src, out string) {
	tb.Helper()
	if strings.Contains(strings.ToLower(out), "<script") {
		tb.Errorf("%q: output contains <script:\n%s", src, out)
	}
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() != io.EOF {
				tb.Errorf("%q: tokenizer: %v", src, z.Err())
			}
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken && tt != html.EndTagToken {
			continue
		}
		tok := z.Token()
		if dangerousElements[tok.Data] || !renderedElements[tok.Data] {
			tb.Errorf("%q: element <%s> in output:\n%s", src, tok.Data, out)
		}
		for _, a := range tok.Attr {
			name := strings.ToLower(a.Key)
			if strings.HasPrefix(name, "on") || name == "style" || name == "srcdoc" || name == "formaction" || !renderedAttrs[name] {
				tb.Errorf("%q: attribute %s=%q on <%s>:\n%s", src, a.Key, a.Val, tok.Data, out)
			}
			if name == "href" || name == "src" {
				if reason := badURL(tok.Data, name, a.Val); reason != "" {
					tb.Errorf("%q: %s %s=%q:\n%s", src, reason, name, a.Val, out)
				}
			}
		}
		if tok.Data == "input" {
			for _, a := range tok.Attr {
				if a.Key == "type" && a.Val != "checkbox" {
					tb.Errorf("%q: <input type=%q>", src, a.Val)
				}
			}
		}
	}
}

// badURL says what is wrong with an href or src as a browser would read it
// (the tokenizer has decoded entities already), or "".
func badURL(elem, attr, v string) string {
	v = strings.TrimLeft(v, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\v\f\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	v = strings.ToLower(strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(v))
	for _, p := range []string{"javascript:", "vbscript:", "file:", "livescript:"} {
		if strings.HasPrefix(v, p) {
			return p + " URL"
		}
	}
	if strings.HasPrefix(v, "data:") && !(elem == "img" && attr == "src" && strings.HasPrefix(v, "data:image/")) {
		return "data: URL"
	}
	if strings.HasPrefix(v, "data:image/svg") {
		return "SVG data: URL"
	}
	return ""
}

func TestRenderSafety(t *testing.T) {
	r := newTestRenderer()
	for _, src := range hostile {
		out, err := r.Render(src, existsExcept())
		if err != nil {
			t.Errorf("Render(%q): %v", src, err)
			continue
		}
		checkSafeHTML(t, src, string(out.HTML))
		// The same input as a link's text, in a heading and in a list must
		// be just as safe.
		for _, wrapped := range []string{"## " + src, "- " + src, "> " + src, "[" + src + "](/x)"} {
			out, err := r.Render(wrapped, nil)
			if err != nil {
				t.Errorf("Render(%q): %v", wrapped, err)
				continue
			}
			checkSafeHTML(t, wrapped, string(out.HTML))
		}
	}
}

func TestCheckURL(t *testing.T) {
	for _, tt := range []struct {
		in                 string
		image              bool
		wantOK, wantExtern bool
	}{
		{"/wiki/a#b", false, true, false},
		{"a/b:c", false, true, false},
		{"#frag", false, true, false},
		{"?q=1", false, true, false},
		{"", false, true, false},
		{"%6Aavascript:x", false, true, false},
		{"//example.com/x", false, true, true},
		{`\\example.com/x`, false, true, true},
		{"/\t/example.com/x", false, true, true},
		{"http://example.com", false, true, true},
		{"HTTPS://example.com", false, true, true},
		{"mailto:a@example.com", false, true, true},
		{"tel:+15555550100", false, true, true},
		{"mailto:a@example.com", true, false, false},
		{"javascript:alert(1)", false, false, false},
		{"JavaScript:alert(1)", false, false, false},
		{"java\tscript:alert(1)", false, false, false},
		{"java\nscript:alert(1)", false, false, false},
		{" \x01javascript:alert(1)", false, false, false},
		{"vbscript:x", false, false, false},
		{"file:///etc/passwd", false, false, false},
		{"ftp://example.com", false, false, false},
		{"data:image/png;base64,xx", false, false, false},
		{"data:image/png;base64,xx", true, true, false},
		{"DATA:IMAGE/JPEG;base64,xx", true, true, false},
		{"data:image/webp,xx", true, true, false},
		{"data:image/gif;base64,xx", true, true, false},
		{"data:image/svg+xml;base64,xx", true, false, false},
		{"data:image/pngx;base64,xx", true, false, false},
		{"data:text/html,x", true, false, false},
		{"data:", true, false, false},
		{"httpsx://example.com", false, false, false},
		{"a-very-long-scheme:x", false, false, false},
	} {
		ok, ext := checkURL([]byte(tt.in), tt.image)
		if ok != tt.wantOK || ext != tt.wantExtern {
			t.Errorf("checkURL(%q, image=%v) = %v, %v; want %v, %v", tt.in, tt.image, ok, ext, tt.wantOK, tt.wantExtern)
		}
	}
}

// goldenExists is the set of pages that exist for the golden files.
var goldenExists = existsExcept("open-questions", "elsewhere")

func TestRenderGolden(t *testing.T) {
	r := newTestRenderer()
	files, err := filepath.Glob(filepath.Join("testdata", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden inputs in testdata")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".md")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			out, err := r.Render(string(src), goldenExists)
			if err != nil {
				t.Fatal(err)
			}
			checkSafeHTML(t, name, string(out.HTML))
			golden := strings.TrimSuffix(file, ".md") + ".html"
			if *update {
				if err := os.WriteFile(golden, []byte(out.HTML), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if string(out.HTML) != string(want) {
				t.Errorf("%s differs from %s (run with -update if the change is intended):\n%s", file, golden, firstDiff(string(out.HTML), string(want)))
			}
		})
	}
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n got  " + gl + "\n want " + wl
		}
	}
	return "(no line differs)"
}

func TestRenderConcurrent(t *testing.T) {
	r := newTestRenderer()
	src, err := os.ReadFile(filepath.Join("testdata", "onboarding-faq.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := mustRender(t, r, string(src))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				got, err := r.Render(string(src), existsExcept())
				if err != nil {
					t.Error(err)
					return
				}
				if !reflect.DeepEqual(got, want) {
					t.Error("concurrent Render gave a different result")
					return
				}
				_ = r.Sections(string(src))
			}
		})
	}
	wg.Wait()
}

func FuzzRender(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Add("intro\n## Q\n### Sub\ntext [[Page#a|b]]\n## Q\n```\n## no\n```")
	r := newTestRenderer()
	f.Fuzz(func(t *testing.T, src string) {
		out, err := r.Render(src, existsExcept())
		if err != nil {
			t.Fatalf("Render: %v", err)
		}
		checkSafeHTML(t, src, string(out.HTML))
		checkSafeHTML(t, src, "<ol>"+string(out.TOCHTML)+"</ol>")
		if got := strings.Count(string(out.TOCHTML), "<li "); got != len(out.TOC) {
			t.Errorf("TOC HTML has %d items for %d headings", got, len(out.TOC))
		}
		if len(out.Missing) != len(out.Links) {
			t.Errorf("%d Missing for %d Links", len(out.Missing), len(out.Links))
		}
		for _, l := range out.Links {
			if !isTestSlug(l) {
				t.Errorf("link target %q is not a slug", l)
			}
		}
		ids := make(map[string]bool, len(out.TOC))
		for _, h := range out.TOC {
			if ids[h.ID] {
				t.Errorf("duplicate heading id %q", h.ID)
			}
			ids[h.ID] = true
		}
		for _, s := range r.Sections(src) {
			if s.Level == 0 {
				if s.Anchor != "" {
					t.Errorf("intro with anchor %q", s.Anchor)
				}
				continue
			}
			if !ids[s.Anchor] {
				t.Errorf("section anchor %q is not a TOC id (TOC %+v)", s.Anchor, out.TOC)
			}
		}
	})
}

// benchPage returns a realistic FAQ page of about size bytes.
func benchPage(size int) string {
	const question = `## How do I get access to the %d system?

You need a ticket first: see [[Access requests]] and the [request form](https://it.example.com/forms/access?id=%d).
Most people wait **one or two days**; if it takes longer, ask in [#help](https://chat.example.com/help)
or mail helpdesk@example.com. Don't share your *password* with anyone.

### What if it is urgent?

1. Call the on-call person (see [[On call#Who is on call?|the rota]]).
2. Run ` + "`access-check --user \"$USER\"`" + ` and paste the output:

   ` + "```" + `sh
   access-check --user "$USER" --verbose
   ` + "```" + `

| Team | Contact | Hours |
|:-----|:-------:|------:|
| IT   | [[IT team]] | 9-5 |
| Security | security@example.com | 24/7 |

- [x] Ticket filed
- [ ] Access granted ~~tomorrow~~ soon

> **Note:** links like [this one](/wiki/tools/slack#channels) stay as they are.

`
	var b strings.Builder
	b.WriteString("# Access FAQ\n\nEverything about getting access, for new hires.\n\n")
	for i := 0; b.Len() < size; i++ {
		q := strings.ReplaceAll(question, "%d", strconv.Itoa(i))
		b.WriteString(q)
	}
	return b.String()
}

func TestRenderLimits(t *testing.T) {
	r := newTestRenderer()
	long := strings.Repeat("x", maxLinkTail)
	for _, tt := range []struct {
		name, in, elem string
		want           int // how many elem in the output
	}{
		{"quotes nest maxNesting deep", strings.Repeat(">", maxNesting+10) + " x", "<blockquote>", maxNesting},
		{"lists nest maxNesting deep", strings.Repeat("- ", maxNesting+10) + "x", "<ul>", maxNesting},
		{"quotes and lists together", strings.Repeat("> - ", maxNesting) + "x", "<li>", maxNesting / 2},
		{"short link on a long line", "[a](/x) " + long, "<a href", 1},
		{"link with a long tail is text", "[a](/" + long + ")", "<a", 0},
		{"image with a long tail is text", "![a](data:image/png;base64," + long + ")", "<img", 0},
		{"long destination just fits", "[a](/" + strings.Repeat("x", maxLinkTail-4) + ") " + long, "<a href", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := mustRender(t, r, tt.in)
			if got := strings.Count(string(out.HTML), tt.elem); got != tt.want {
				t.Errorf("%d of %s, want %d", got, tt.elem, tt.want)
			}
		})
	}
}

func BenchmarkRender(b *testing.B) {
	r := newTestRenderer()
	for _, bb := range []struct {
		name string
		size int
	}{{"50KB", 50 << 10}, {"1MB", 1 << 20}} {
		src := benchPage(bb.size)
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Render(src, existsExcept()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// An image can't point at the wiki's own routes: every reader's browser
// would request them (a search, a result "open", an action).
func TestRenderImagesNeverPointIntoTheWiki(t *testing.T) {
	r := newTestRenderer()
	for _, src := range []string{"![x](/search/open?q=a&slug=b)", "![x](/search?q=junk)", "![x](relative.png)", "![x](?q=1)", "![x](#top)"} {
		out, err := r.Render(src, nil)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out.HTML), "src=") {
			t.Errorf("%s rendered %s", src, out.HTML)
		}
	}
	out, _ := r.Render("![x](https://example.com/a.png) ![y](//cdn.example.com/b.png)", nil)
	if strings.Count(string(out.HTML), "src=") != 2 {
		t.Errorf("external images lost: %s", out.HTML)
	}
}
