package web

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// A small CSS-selector matcher for tests, in the spirit of pkgsite's
// internal/testing/htmlcheck: compound selectors (tag, #id, .class,
// [attr] and [attr=value]) joined by descendant combinators (spaces).

type compound struct {
	tag, id string
	classes []string
	attrs   [][2]string // name, value ("" value with present=true means any)
	present []string
}

func parseSelector(sel string) []compound {
	var out []compound
	for _, part := range strings.Fields(sel) {
		var c compound
		for len(part) > 0 {
			i := strings.IndexAny(part[1:], "#.[")
			tok := part
			if i >= 0 {
				tok = part[:i+1]
			}
			if tok[0] == '[' {
				end := strings.IndexByte(part, ']')
				tok = part[:end+1]
				body := tok[1 : len(tok)-1]
				if k, v, ok := strings.Cut(body, "="); ok {
					c.attrs = append(c.attrs, [2]string{k, strings.Trim(v, `"'`)})
				} else {
					c.present = append(c.present, body)
				}
			} else {
				switch tok[0] {
				case '#':
					c.id = tok[1:]
				case '.':
					c.classes = append(c.classes, tok[1:])
				default:
					c.tag = tok
				}
			}
			part = part[len(tok):]
		}
		out = append(out, c)
	}
	return out
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func (c compound) matches(n *html.Node) bool {
	if n.Type != html.ElementNode || c.tag != "" && n.Data != c.tag {
		return false
	}
	if c.id != "" {
		if v, _ := attr(n, "id"); v != c.id {
			return false
		}
	}
	cls, _ := attr(n, "class")
	for _, want := range c.classes {
		found := false
		for _, have := range strings.Fields(cls) {
			found = found || have == want
		}
		if !found {
			return false
		}
	}
	for _, kv := range c.attrs {
		if v, ok := attr(n, kv[0]); !ok || v != kv[1] {
			return false
		}
	}
	for _, k := range c.present {
		if _, ok := attr(n, k); !ok {
			return false
		}
	}
	return true
}

// queryAll returns the elements of doc that match sel, in document order.
func queryAll(doc *html.Node, sel string) []*html.Node {
	chain := parseSelector(sel)
	var out []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if len(chain) > 0 && chain[len(chain)-1].matches(n) && ancestorsMatch(n.Parent, chain[:len(chain)-1]) {
			out = append(out, n)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(doc)
	return out
}

func ancestorsMatch(n *html.Node, chain []compound) bool {
	if len(chain) == 0 {
		return true
	}
	for ; n != nil; n = n.Parent {
		if chain[len(chain)-1].matches(n) {
			return ancestorsMatch(n.Parent, chain[:len(chain)-1])
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(n)
	return b.String()
}

func parseHTML(t *testing.T, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// mustFind returns the first element matching sel, failing the test if
// there is none.
func mustFind(t *testing.T, doc *html.Node, sel string) *html.Node {
	t.Helper()
	all := queryAll(doc, sel)
	if len(all) == 0 {
		t.Fatalf("no element matches %q", sel)
	}
	return all[0]
}

func TestSelectorMatcher(t *testing.T) {
	doc := parseHTML(t, `<div class="a b"><p id="x"><a href="/y" class="new">t</a></p></div><a href="/z">u</a>`)
	for sel, want := range map[string]int{"a": 2, "div a": 1, "a.new": 1, "p#x a[href=/y]": 1, "[href]": 2, "div.b p": 1, "div.c p": 0, "span": 0} {
		if got := len(queryAll(doc, sel)); got != want {
			t.Errorf("%q matched %d, want %d", sel, got, want)
		}
	}
}
