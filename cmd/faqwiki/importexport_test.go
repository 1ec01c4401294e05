package main

import (
	"bytes"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const siteFixture = "internal/importer/testdata/site"

// readTree returns every file below dir, by '/'-separated path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestImportExportImportRoundTrip(t *testing.T) {
	data := t.TempDir()
	out, _, err := runCmd(t, data, "import", "--dry-run", siteFixture)
	if err != nil || !strings.Contains(out, "dry run") || !strings.Contains(out, "7 would be imported") {
		t.Fatalf("dry run: %q %v", out, err)
	}
	if _, err := os.Stat(filepath.Join(data, "faqwiki.db")); !os.IsNotExist(err) {
		t.Errorf("a dry run wrote the data folder: %v", err)
	}
	out, _, err = runCmd(t, data, "import", siteFixture)
	if err != nil || !strings.Contains(out, "7 created, 0 updated, 0 unchanged, 0 skipped") || !strings.Contains(out, "README.md:12: ./missing.md") {
		t.Fatalf("import: %q %v", out, err)
	}
	out, _, err = runCmd(t, data, "import", siteFixture)
	if err != nil || !strings.Contains(out, "0 created, 0 updated, 7 unchanged") {
		t.Errorf("the same folder again: %q %v", out, err)
	}
	dir1, dir2 := t.TempDir(), t.TempDir()
	if out, _, err = runCmd(t, data, "export", dir1); err != nil || !strings.Contains(out, "exported 7 pages and 5 files") {
		t.Fatalf("export: %q %v", out, err)
	}
	tree := readTree(t, dir1)
	for _, f := range []string{"home/index.md", "home/logo.png", "home/policy.pdf", "guides/index.md", "guides/screen-shot.png", "guides/setup/index.md", "guides/setup/logo.png", "ruby/index.md", "ruby/sample.rb", "foo-bar.md"} {
		if tree[f] == nil {
			t.Errorf("export lacks %s (has %d files)", f, len(tree))
		}
	}
	orig, _ := os.ReadFile(filepath.Join(siteFixture, "images", "logo.png"))
	if !bytes.Equal(tree["home/logo.png"], orig) {
		t.Error("an exported file differs from the imported one")
	}
	// The export, imported into the same wiki, changes nothing; into a new
	// one, it exports to the very same folder.
	if out, _, err = runCmd(t, data, "import", dir1); err != nil || !strings.Contains(out, "7 unchanged") || !strings.Contains(out, "0 unresolved") && !strings.Contains(out, "unresolved") {
		t.Errorf("re-import of the export: %q %v", out, err)
	}
	data2 := t.TempDir()
	if _, _, err := runCmd(t, data2, "import", dir1); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t, data2, "export", dir2); err != nil {
		t.Fatal(err)
	}
	tree2 := readTree(t, dir2)
	if len(tree2) != len(tree) {
		t.Errorf("second export has %d files, first %d", len(tree2), len(tree))
	}
	for f, b := range tree {
		if !bytes.Equal(tree2[f], b) {
			t.Errorf("%s differs between the exports:\n%s\n---\n%s", f, b, tree2[f])
		}
	}
	if !strings.Contains(string(tree["home/index.md"]), "aliases:\n- start\n") || !strings.Contains(string(tree["home/index.md"]), "attachments:\n- logo.png\n- policy.pdf\n") {
		t.Errorf("front matter of the export:\n%s", tree["home/index.md"])
	}
}

func TestImportedSiteServesImagesTablesAndOldNames(t *testing.T) {
	data := t.TempDir()
	if _, _, err := runCmd(t, data, "import", siteFixture); err != nil {
		t.Fatal(err)
	}
	token := mustAdmin(t, data)
	base := MustRunMain(t, data)
	var page struct {
		Title, HTML string
		Tags        []string
		Attachments []struct{ Name, URL string }
	}
	if code := getJSON(t, token, base+"/api/v1/pages/home", &page); code != 200 {
		t.Fatal(code)
	}
	if page.Title != "Team handbook" || len(page.Attachments) != 2 || !strings.Contains(page.HTML, `<img src="`+page.Attachments[0].URL+`" alt="Our logo">`) {
		t.Errorf("home page: %q %+v\n%s", page.Title, page.Attachments, page.HTML)
	}
	resp := do(t, token, "GET", base+page.Attachments[0].URL, "")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	orig, _ := os.ReadFile(filepath.Join(siteFixture, "images", "logo.png"))
	if resp.StatusCode != 200 || !bytes.Equal(body, orig) || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("logo: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if code := getJSON(t, token, base+"/api/v1/pages/guides", &page); code != 200 || !strings.Contains(page.HTML, "<strong>Engineer I</strong>") || !strings.Contains(page.HTML, "<details>") {
		t.Errorf("guides: %d\n%s", code, page.HTML)
	}
	// Old addresses lead to the page.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", base+"/wiki/old/guides", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/wiki/guides" {
		t.Errorf("old name: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}
