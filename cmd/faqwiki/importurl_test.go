package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestImportIntoARunningServer: while the server holds the data folder, a
// local import says how to import through the server, and import -url
// does, files and all; again, it changes nothing.
func TestImportIntoARunningServer(t *testing.T) {
	data := t.TempDir()
	token := mustAdmin(t, data)
	base := MustRunMain(t, data)

	_, _, err := runCmd(t, data, "import", siteFixture)
	if err == nil || !strings.Contains(err.Error(), "in use by a running server") || !strings.Contains(err.Error(), "faqwiki import -url") {
		t.Fatalf("a local import beside a running server: %v", err)
	}
	out, errb, err := runCmd(t, data, "import", "-url", base, "-token", token, siteFixture)
	if err != nil || !strings.Contains(out, "6 created, 1 updated, 0 unchanged") || !strings.Contains(out, "files uploaded") {
		t.Fatalf("import -url: %v\n%s\n%s", err, out, errb)
	}
	get := func(path string, v any) int {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if v != nil {
			if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
				t.Fatal(err)
			}
		}
		return resp.StatusCode
	}
	var page struct {
		Title       string `json:"title"`
		Attachments []struct {
			Name string `json:"name"`
		} `json:"attachments"`
	}
	if code := get("/api/v1/pages/guides", &page); code != 200 || len(page.Attachments) == 0 {
		t.Errorf("guides after the import: %d %+v", code, page)
	}
	out, _, err = runCmd(t, data, "import", "-url", base, "-token", token, siteFixture)
	if err != nil || !strings.Contains(out, "0 created, 0 updated, 7 unchanged") || !strings.Contains(out, "0 files uploaded") {
		t.Errorf("the same folder again: %v\n%s", err, out)
	}
	// A wrong token fails at once, saying so.
	if _, _, err := runCmd(t, data, "import", "-url", base, "-token", "wrong", siteFixture); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("a wrong token: %v", err)
	}
	if _, _, err := runCmd(t, data, "import", "-url", "ftp://x", "-token", token, siteFixture); err == nil {
		t.Error("an ftp address was taken")
	}
}
