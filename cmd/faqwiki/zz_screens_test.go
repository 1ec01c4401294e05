package main

import (
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/faqwiki/faqwiki/wiki/wikitest"
)

func TestZZScreens(t *testing.T) {
	w := startWiki(t, "trainer")
	root := "demo/handbook"
	n := 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if d.IsDir() || !strings.HasSuffix(p, ".md") || d.Name() == "SOURCE.md" || n > 60 {
			return nil
		}
		if !strings.Contains(p, "travel-and-leave") && !strings.Contains(p, "getting-started") {
			return nil
		}
		b, _ := os.ReadFile(p)
		md := string(b)
		first, rest, _ := strings.Cut(md, "\n")
		title := strings.TrimPrefix(first, "# ")
		slug := strings.TrimSuffix(strings.TrimPrefix(p, root+"/"), ".md")
		resp := w.api(t, http.MethodPut, "/api/v1/pages/"+slug, map[string]any{"title": title, "markdown": rest, "base_revision": 0})
		resp.Body.Close()
		n++
		return nil
	})
	wikitest.Eventually(t, "index", func() bool {
		resp := w.api(t, "GET", "/api/v1/search?offset=1&q=leave", nil)
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	tb := openTab(t, newBrowser(t))
	tb.signIn(w, "/search")
	shots := func(name, path string) {
		tb.open(w.base + path)
		tb.screenshot(name)
	}
	shots("search-paraphrase", "/search?q="+url.QueryEscape("how much vacation can I carry over"))
	shots("search-weak", "/search?q="+url.QueryEscape("dental insurance plan"))
	shots("synonyms", "/search/synonyms")
	tb.open(w.base + "/search/open?q=pto+carry+over&slug=travel-and-leave/leave&anchor=annual-leave")
	shots("learned", "/search/learned/travel-and-leave/leave")
	tb.open(w.base + "/search?q=car+pound")
	tb.open(w.base + "/search?q=parking")
	shots("gaps", "/search/gaps")
	tb.open(w.base + "/wiki/getting-started/equipment")
	tb.do("type", chromedp.SendKeys(chromedp.ID("q"), "laptop broken"))
	step(tb, "wait", chromedp.Poll[bool](`!document.getElementById("quick-results").hidden`))
	tb.screenshot("quick")
	tb.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateTouch, chromedp.EmulateScale(2)))
	shots("search-phone", "/search?q="+url.QueryEscape("how much vacation can I carry over"))
	shots("synonyms-phone", "/search/synonyms")
}
