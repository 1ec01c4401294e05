package wiki_test

import (
	"context"
	"strings"
	"testing"

	"github.com/faqwiki/faqwiki/wiki"
)

// TestWikiLinksFindPagesByTitle: [[Title]] opens the page with that
// title wherever it lives, says when two pages share it, and follows the
// page when its title changes; Markdown links to pages that do not exist
// show as missing; "what links here" counts both.
func TestWikiLinksFindPagesByTitle(t *testing.T) {
	w := MustOpenWiki(t)
	ctx := as("ada", "")
	mustSave(t, w, ctx, wiki.Edit{Slug: "onboarding", Title: "Onboarding overview", Markdown: "Start here.\n"})
	mustSave(t, w, ctx, wiki.Edit{Slug: "it/vpn", Title: "VPN access", Markdown: "## Who gives access?\n\nIT.\n"})
	src := "See [[Onboarding overview]], [[onboarding OVERVIEW|the overview]], [[it/vpn#Who gives access?]] and [[Nowhere yet]].\n\n" +
		"Also [the VPN page](/wiki/it/vpn#who-gives-access), [a gap](/wiki/not/written) and [outside](https://example.com/wiki/x).\n"
	res := mustSave(t, w, ctx, wiki.Edit{Slug: "start", Title: "Start", Markdown: src})
	page, err := w.Page(context.Background(), "start")
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.RenderPage(context.Background(), page)
	if err != nil {
		t.Fatal(err)
	}
	html := string(r.HTML)
	for _, want := range []string{
		`<a class="wikilink" href="/wiki/onboarding">Onboarding overview</a>`,
		`<a class="wikilink" href="/wiki/onboarding">the overview</a>`,
		`<a class="wikilink" href="/wiki/it/vpn#who-gives-access">`,
		`<a class="new" href="/new?title=Nowhere+yet"`,
		`<a href="/wiki/it/vpn#who-gives-access">the VPN page</a>`,
		`<a href="/wiki/not/written" class="new" title="No page here yet">a gap</a>`,
		`<a href="https://example.com/wiki/x" rel="nofollow noopener">outside</a>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %s in\n%s", want, html)
		}
	}
	// The link index follows titles too: the overview knows who links to it.
	back, err := w.Backlinks(context.Background(), "onboarding")
	if err != nil || len(back) != 1 || back[0].Slug != "start" {
		t.Errorf("backlinks of onboarding: %v, %v", back, err)
	}
	back, _ = w.Backlinks(context.Background(), "it/vpn")
	if len(back) != 1 {
		t.Errorf("a Markdown link to /wiki/it/vpn is not a backlink: %v", back)
	}
	_ = res
	// A page that links [[Laptop setup]] before a page has that title:
	// once one has, its view counts the link.
	mustSave(t, w, ctx, wiki.Edit{Slug: "early", Title: "Early", Markdown: "See [[Laptop setup]].\n"})
	mustSave(t, w, ctx, wiki.Edit{Slug: "it/laptop", Title: "Laptop setup", Markdown: "x\n"})
	lp, _ := w.Page(context.Background(), "it/laptop")
	if back, err := w.PageBacklinks(context.Background(), lp); err != nil || len(back) != 1 || back[0].Slug != "early" {
		t.Errorf("backlinks of a page titled after the link was made: %v, %v", back, err)
	}

	// A second page with the same title: the link stays with the first,
	// and says so.
	mustSave(t, w, ctx, wiki.Edit{Slug: "hr/onboarding", Title: "Onboarding Overview", Markdown: "HR's.\n"})
	r, err = w.RenderPage(context.Background(), page)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(r.HTML), `<a class="wikilink" href="/wiki/onboarding">Onboarding overview</a><span class="link-shared"> (also titled so: <a class="wikilink" href="/wiki/hr/onboarding">hr/onboarding</a>)</span>`) {
		t.Errorf("a shared title is not said:\n%s", r.HTML)
	}
	// The page the title makes wins among those that share it.
	mustSave(t, w, ctx, wiki.Edit{Slug: "onboarding-overview", Title: "Onboarding overview", Markdown: "The real one.\n"})
	if r, _ = w.RenderPage(context.Background(), page); !strings.Contains(string(r.HTML), `<a class="wikilink" href="/wiki/onboarding-overview">Onboarding overview</a>`) {
		t.Errorf("the slug the title makes does not win:\n%s", r.HTML)
	}
	// Renaming the page away from the title: the cached render is
	// stale and the link goes where the title now is.
	head, _ := w.Page(context.Background(), "onboarding-overview")
	mustSave(t, w, ctx, wiki.Edit{Slug: "onboarding-overview", Title: "Something else", Markdown: head.Markdown, Base: head.Revision})
	head, _ = w.Page(context.Background(), "hr/onboarding")
	mustSave(t, w, ctx, wiki.Edit{Slug: "hr/onboarding", Title: "HR onboarding", Markdown: head.Markdown, Base: head.Revision})
	if r, _ = w.RenderPage(context.Background(), page); !strings.Contains(string(r.HTML), `<a class="wikilink" href="/wiki/onboarding">Onboarding overview</a>`) || strings.Contains(string(r.HTML), "link-shared") {
		t.Errorf("after the renames the link does not follow the title:\n%s", r.HTML)
	}
	// Writing the missing page turns its Markdown link blue.
	mustSave(t, w, ctx, wiki.Edit{Slug: "not/written", Title: "Now written", Markdown: "x\n"})
	if r, _ = w.RenderPage(context.Background(), page); strings.Contains(string(r.HTML), `class="new" title="No page here yet"`) {
		t.Errorf("the Markdown link is still missing:\n%s", r.HTML)
	}
}
