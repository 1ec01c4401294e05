package markdown

import (
	"strings"
	"testing"
)

// hostileHTML is raw HTML that tries to get script, frames, style or
// requests into a page past the allowlist; every entry must come out safe
// (checkSafeHTML) and they seed FuzzRender through hostile.
var hostileHTML = []string{
	`<table><tr><td onclick="alert(1)" style="color:red">x</td></tr></table>`,
	`<details open ontoggle="alert(1)"><summary>Q</summary>A</details>`,
	`<img src="/logout">`,
	`<img src="/api/v1/pages/x" onerror="alert(1)">`,
	`<img src="javascript:alert(1)">`,
	`<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">`,
	`<a href="javascript:alert(1)">x</a>`,
	`<a href="  JaVa&#x09;script:alert(1)">x</a>`,
	`</div></div></main><script>alert(1)</script>`,
	`<div></div></article><form action="https://evil.example"><input name=q></form>`,
	`<svg><script>alert(1)</script></svg>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
	`<template><script>alert(1)</script></template>`,
	`<iframe src="https://www.youtube.com/embed/abc" srcdoc="<script>alert(1)</script>"></iframe>`,
	`<iframe src="javascript:alert(1)"></iframe>`,
	`<object data="x.swf"></object><embed src="x.swf">`,
	`<base href="https://evil.example/">`,
	`<meta http-equiv="refresh" content="0;url=https://evil.example">`,
	`<link rel="stylesheet" href="https://evil.example/x.css">`,
	`<p style="background:url(javascript:alert(1))">x</p>`,
	`<input type="text" value="x" autofocus onfocus="alert(1)">`,
	`<button formaction="javascript:alert(1)">x</button>`,
	`<a href="x" class="button danger">x</a>`,
	`<div id="x" class="markdown-alert-important" role="alert">x</div>`,
	"<table>\n<tr><td>\n\n**bold** <script>alert(1)</script>\n\n</td></tr>\n</table>",
	`<!--><script>alert(1)</script>-->`,
	`<img src=x alt="x" width="100" height="9999999999">`,
	`<video src="x.mp4" onplay="alert(1)"></video><audio src=x>`,
	`<a href="/files/x/y.png" download>y</a>`,
}

func init() { hostile = append(hostile, hostileHTML...) }

func TestRawHTMLIsKeptAsFarAsTheAllowlistGoes(t *testing.T) {
	r := newTestRenderer()
	for _, tt := range []struct {
		name, in string
		want     []string // substrings of the output
		not      []string
		dropped  string // a key of the report's Dropped, or ""
	}{
		{"table with cell formatting", "<table>\n<tr><th colspan=\"2\" style=\"x\">Level</th></tr>\n<tr><td><b>Bold</b> <i>it</i><br><ul><li>one</li></ul></td><td rowspan=2>x</td></tr>\n</table>",
			[]string{`<th colspan="2">Level</th>`, "<b>Bold</b>", "<ul><li>one</li></ul>", `<td rowspan="2">`}, []string{"style"}, "style attribute on <th>"},
		{"comments inside a table", "<table>\n<!-- a note -->\n<tr><td>x</td></tr>\n</table>", []string{"<td>x</td>"}, []string{"a note"}, ""},
		{"markdown inside html", "<details>\n<summary>How do I?</summary>\n\nLike **this**.\n\n</details>",
			[]string{"<details>", "<summary>How do I?</summary>", "<strong>this</strong>", "</details>"}, nil, ""},
		{"kbd sub sup", "Press <kbd>Ctrl</kbd>+<kbd>C</kbd>, H<sub>2</sub>O, x<sup>2</sup>", []string{"<kbd>Ctrl</kbd>", "<sub>2</sub>", "<sup>2</sup>"}, nil, ""},
		{"img with size", `<img src="https://example.com/a.png" alt="A" width="200">`, []string{`<img src="https://example.com/a.png" alt="A" width="200"/>`}, nil, ""},
		{"video becomes a link", `<iframe width="560" src="https://www.youtube.com/embed/dQw4w9WgXcQ" title="Welcome video"></iframe>`,
			[]string{`<a class="video-link" href="https://www.youtube.com/watch?v=dQw4w9WgXcQ" rel="nofollow noopener">▶ Welcome video (www.youtube.com)</a>`}, []string{"iframe"}, "<iframe> (video kept as a link)"},
		{"other frames dropped", `<iframe src="https://evil.example/"></iframe>`, nil, []string{"iframe", "evil"}, "<iframe>"},
		{"script dropped with its text", "<script>alert(1)</script>\n\nok", []string{"<p>ok</p>"}, []string{"alert"}, "<script>"},
		{"unknown element keeps its text", "<font color=red>warm</font>", []string{"warm"}, []string{"font"}, "<font> (its text kept)"},
		{"unbalanced tags are balanced", "<div>\n<b>open\n\nafter", []string{"<b>open\n<p>after</p>\n</b></div>"}, nil, ""},
		{"closing the page is impossible", "x</div></div></main>y", []string{"xy"}, []string{"</main>"}, ""},
		{"in-wiki image path refused", `<img src="/logout" alt="x">`, []string{`<img alt="x"/>`}, []string{"logout"}, "src URL on <img>"},
		{"external link gets rel", `<a href="https://example.com">x</a>`, []string{`<a href="https://example.com" rel="nofollow noopener">x</a>`}, nil, ""},
		{"the page's own ids are not taken", `<div id="q">a</div> <img id="markdown" alt="m"> <a id="faq-7">b</a>`,
			[]string{`<div>a</div>`, `<img alt="m"/>`, `<a id="faq-7">b</a>`}, []string{`id="q"`, `id="markdown"`}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := r.Render(tt.in, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := string(out.HTML)
			checkSafeHTML(t, tt.in, got)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in\n%s", w, got)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("%q should be gone from\n%s", n, got)
				}
			}
			if out.RawHTML == nil {
				t.Fatal("no raw HTML report")
			}
			if tt.dropped != "" && out.RawHTML.Dropped[tt.dropped] == 0 {
				t.Errorf("report dropped %v, want %q", out.RawHTML.Dropped, tt.dropped)
			}
		})
	}
}

func TestTextWithoutRawHTMLSkipsTheSanitiser(t *testing.T) {
	r := newTestRenderer()
	out := mustRender(t, r, "# T\n\ntext<br>more and a [link](https://x.example)\n")
	if out.RawHTML != nil {
		t.Errorf("report for a text without raw HTML: %+v", out.RawHTML)
	}
}

func TestPageFilesResolveByName(t *testing.T) {
	r := newTestRenderer()
	files := []File{{Name: "screen.png", ID: "abc"}, {Name: "form 1.pdf", ID: "def"}}
	for _, tt := range []struct{ in, want string }{
		{"![Login](screen.png)", `<img src="/files/abc/screen.png" alt="Login">`},
		{"![Login](./screen.png)", `<img src="/files/abc/screen.png" alt="Login">`},
		{"[the form](form%201.pdf)", `<a href="/files/def/form 1.pdf">the form</a>`},
		{"[the form](<form 1.pdf>)", `<a href="/files/def/form 1.pdf">the form</a>`},
		{"![ref][s]\n\n[s]: screen.png", `<img src="/files/abc/screen.png" alt="ref">`},
		{`<img src="screen.png" alt="raw">`, `<img src="/files/abc/screen.png" alt="raw"/>`},
		{"![other](other.png)", `<img alt="other">`},
		{"![elsewhere](../x/screen.png)", `<img alt="elsewhere">`},
		{"![folder](img/screen.png)", `<img alt="folder">`},
	} {
		out, err := r.RenderDoc(tt.in, Doc{Files: files})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out.HTML), tt.want) {
			t.Errorf("%q: got %s, want %s", tt.in, out.HTML, tt.want)
		}
		checkSafeHTML(t, tt.in, string(out.HTML))
	}
	// Without the files, the same text shows no image.
	out := mustRender(t, r, "![Login](screen.png)")
	if strings.Contains(string(out.HTML), "src=") {
		t.Errorf("an in-wiki image path without a file: %s", out.HTML)
	}
}

func TestFootnotesAndAlerts(t *testing.T) {
	r := newTestRenderer()
	out := mustRender(t, r, "Claim.[^1]\n\n[^1]: The source.\n\n> [!IMPORTANT]\n> Bring your **ID**.\n\n> [!tip] not a marker line\n\n> [!NOPE]\n> plain quote\n")
	got := string(out.HTML)
	for _, w := range []string{
		`<sup id="fnref:1"><a href="#fn:1" class="footnote-ref" role="doc-noteref">1</a></sup>`,
		`<li id="fn:1">`, "The source.",
		`<div class="markdown-alert markdown-alert-important" role="note">`,
		`<p class="markdown-alert-title">Important</p>`, "<p>Bring your <strong>ID</strong>.</p>",
		"<blockquote>\n<p>[!tip] not a marker line</p>", "<blockquote>\n<p>[!NOPE]\nplain quote</p>",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in\n%s", w, got)
		}
	}
	if strings.Contains(got, "[!IMPORTANT]") {
		t.Errorf("the alert marker shows:\n%s", got)
	}
	checkSafeHTML(t, "footnotes", got)
}

func TestPlainInline(t *testing.T) {
	r := newTestRenderer()
	for _, tt := range []struct{ in, want string }{
		{"**Policy**", "Policy"},
		{"Use `go vet` and [tools](https://x.example)", "Use go vet and tools"},
		{"1. Intro", "1. Intro"},
		{"- dash", "- dash"},
		{"C\\# \\*pointers\\*", "C# *pointers*"},
		{"AT&amp;T <b>bold</b>", "AT&T bold"},
		{"[[Page|label]]", "label"},
	} {
		if got := r.PlainInline(tt.in); got != tt.want {
			t.Errorf("PlainInline(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// BenchmarkRenderRawHTML compares a page whose questions carry raw HTML (a
// table and a <details> each, so the whole body goes through the
// sanitiser) with the same page without it, in one run: the ratio is the
// sanitiser's cost.
func BenchmarkRenderRawHTML(b *testing.B) {
	r := newTestRenderer()
	plain := benchPage(50 << 10)
	var raw strings.Builder
	for i, part := range strings.SplitAfter(plain, "\n## ") {
		raw.WriteString(part)
		if i%2 == 1 {
			raw.WriteString("\n<table><tr><th>Level</th><td><b>One</b><br>two</td></tr></table>\n\n<details><summary>More</summary>\n\nText.\n\n</details>\n\n")
		}
	}
	for _, bb := range []struct{ name, src string }{{"plain", plain}, {"raw-html", raw.String()}} {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(bb.src)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Render(bb.src, existsExcept()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
