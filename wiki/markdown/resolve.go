package markdown

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/yuin/goldmark/ast"
)

// Resolving links to pages. A wiki link names a page by its title or its
// slug ([[Onboarding overview]], [[it/vpn]]); an ordinary Markdown link
// may point at a page's address ([text](/wiki/it/vpn#who)). Render asks
// Doc.Resolve once, with every distinct link, where each leads: a wiki
// link goes to the page that has its title (even under another slug), or
// else to the page at the slug its name makes; a Markdown link to the page
// at its address. Links to pages that do not exist show as missing.

// LinkQuery is a link to resolve: Slug is the slug it names (for a wiki
// link, Options.LinkSlug of its page name), Title the page name a wiki
// link wrote ("" for a Markdown link, which names its page by address
// alone).
type LinkQuery struct {
	Slug  string
	Title string
}

// LinkAnswer is where a link leads: the slug of the page (may differ from
// the query's for a wiki link that named a page by title), or "" when no
// page exists; Others are further pages that share the title, which the
// link does not open (at most a few, by slug).
type LinkAnswer struct {
	Slug   string
	Others []string
}

// equal reports whether a and b lead to the same pages.
func (a LinkAnswer) equal(b LinkAnswer) bool {
	if a.Slug != b.Slug || len(a.Others) != len(b.Others) {
		return false
	}
	for i := range a.Others {
		if a.Others[i] != b.Others[i] {
			return false
		}
	}
	return true
}

// SameAnswers reports whether two resolutions of the same queries lead to
// the same pages: a cached render is still right when they do.
func SameAnswers(a, b []LinkAnswer) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].equal(b[i]) {
			return false
		}
	}
	return true
}

// pageLink is an ordinary Markdown link to a wiki page's address.
type pageLink struct {
	node *ast.Link
	slug string
}

// attrMissing marks a Markdown link to a page that does not exist.
var attrMissing = []byte("faqwiki-missing")

// wikiPagePath returns the slug of a link destination that is a wiki
// page's address ("/wiki/it/vpn#who", "/wiki/it%2Fvpn?rev=2"), or "".
// Only lower-case a-z, 0-9, '-' and '/' make a slug; anything else is not
// checked (the page view would redirect or refuse it).
func wikiPagePath(dest []byte) string {
	d := string(dest)
	rest, ok := strings.CutPrefix(d, "/wiki/")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	if u, err := url.PathUnescape(rest); err == nil {
		rest = u
	}
	rest = strings.TrimSuffix(rest, "/")
	if rest == "" || len(rest) > 120 {
		return ""
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '/') {
			return ""
		}
	}
	if strings.Contains(rest, "//") || rest[0] == '/' {
		return ""
	}
	return rest
}

// queries returns the distinct links of the page to resolve, wiki links
// first in order of appearance, then Markdown links to pages, and each
// link's index among them.
func (p *parsedPage) queries() ([]LinkQuery, map[LinkQuery]int) {
	if len(p.links) == 0 && len(p.pageLinks) == 0 {
		return nil, nil
	}
	var out []LinkQuery
	index := map[LinkQuery]int{}
	add := func(q LinkQuery) {
		if _, ok := index[q]; !ok {
			index[q] = len(out)
			out = append(out, q)
		}
	}
	for _, l := range p.links {
		add(LinkQuery{Slug: l.target, Title: l.title})
	}
	for _, l := range p.pageLinks {
		add(LinkQuery{Slug: l.slug})
	}
	return out, index
}

// existsResolver answers queries with an Exists function: each leads to
// its own slug if that page exists (the behaviour without title lookups).
func existsResolver(exists func([]string) ([]bool, error)) func([]LinkQuery) ([]LinkAnswer, error) {
	return func(qs []LinkQuery) ([]LinkAnswer, error) {
		var slugs []string // distinct, in order of first appearance
		at := map[string]int{}
		for _, q := range qs {
			if _, ok := at[q.Slug]; !ok {
				at[q.Slug] = len(slugs)
				slugs = append(slugs, q.Slug)
			}
		}
		ok := make([]bool, len(slugs))
		if exists != nil {
			var err error
			if ok, err = exists(slugs); err != nil {
				return nil, err
			}
			if len(ok) != len(slugs) {
				return nil, fmt.Errorf("exists answered %d of %d link targets", len(ok), len(slugs))
			}
		} else {
			for i := range ok {
				ok[i] = true
			}
		}
		out := make([]LinkAnswer, len(qs))
		for i, q := range qs {
			if ok[at[q.Slug]] {
				out[i].Slug = q.Slug
			}
		}
		return out, nil
	}
}
