package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/faqwiki/faqwiki/templates"
)

// Templates print addresses only through the URL helpers (url.go), so
// that a route changes in one place: no literal path in an href, src,
// action or data attribute.
func TestTemplatesHaveNoLiteralPaths(t *testing.T) {
	attr := regexp.MustCompile(`(?:href|src|action|data-[a-z-]+)="([^"]*)"`)
	action := regexp.MustCompile(`\{\{.*?\}\}`)
	err := fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templates.FS, p)
		if err != nil {
			return err
		}
		for _, m := range attr.FindAllSubmatchIndex(b, -1) {
			// What the template writes itself, outside its actions.
			literal := action.ReplaceAll(b[m[2]:m[3]], nil)
			if !strings.Contains(string(literal), "/") {
				continue
			}
			line := 1 + strings.Count(string(b[:m[0]]), "\n")
			t.Errorf("%s:%d: literal path in %s; use a URL helper", p, line, b[m[0]:m[1]])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestURLHelpers(t *testing.T) {
	tests := []struct{ got, want string }{
		{pageURL("it/vpn"), "/wiki/it/vpn"},
		{anchorURL("it/vpn", "who-gives-access?"), "/wiki/it/vpn#who-gives-access%3F"},
		{anchorURL("it/vpn", ""), "/wiki/it/vpn"},
		{revisionURL("it/vpn", 3), "/wiki/it/vpn?rev=3"},
		{diffURL("it/vpn", 1, 2), "/diff/it/vpn?from=1&to=2"},
		{newPageURL(""), "/new"},
		{newPageURL("Parking & permits?"), "/new?title=Parking%20%26%20permits%3F"},
		{createURL("it/vpn", "VPN access"), "/edit/it/vpn?title=VPN%20access"},
		{cohortURL("2026-11-eng"), "/cohorts/2026-11-eng"},
		{cohortInviteURL("c1"), "/cohorts/c1/invite"},
		{personURL("ada.l"), "/people/ada.l"},
		{searchURL("how do i get vpn"), "/search?q=how%20do%20i%20get%20vpn"},
		{searchURL(""), "/search"},
		{searchPageURL("vpn", "it", 2), "/search?page=2&q=vpn&tag=it"},
		{searchOpenURL("vpn", "it/vpn", "who"), "/search/open?anchor=who&q=vpn&slug=it%2Fvpn#who"},
		{homePageURL(""), "/"},
		{homePageURL("t:abc"), "/?cursor=t%3Aabc"},
		{inviteURL("a b"), "/signup?invite=a+b"},
		{gapsSinceURL("2026-01-01"), "/gaps?since=2026-01-01"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
