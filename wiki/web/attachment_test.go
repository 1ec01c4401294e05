package web

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/faqwiki/faqwiki/wiki"
)

func testPNG(t *testing.T, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.Set(0, 0, c)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// multipartBody builds a multipart form with fields and files (field ->
// file name -> content).
func multipartBody(t *testing.T, fields url.Values, field string, files map[string][]byte) (string, *bytes.Buffer) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for name, data := range files {
		w, err := mw.CreateFormFile(field, name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(data)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), &b
}

// upload posts a file to a page's attachments with a bearer token.
func (ts *testServer) upload(token, slug, name string, data []byte) *httptest.ResponseRecorder {
	ts.t.Helper()
	ct, body := multipartBody(ts.t, nil, "file", map[string][]byte{name: data})
	r := httptest.NewRequest("POST", "/api/v1/pages/"+slug+"/attachments", body)
	r.Header.Set("Content-Type", ct)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return ts.serve(r)
}

func TestAPIAttachments(t *testing.T) {
	ts := newTestServer(t)
	ts.create("it/vpn", "VPN", "![The login screen](screen.png)\n")
	img := testPNG(t, color.White)
	w := ts.upload(ts.token, "it/vpn", "Screen.PNG", img)
	wantStatus(t, w, http.StatusCreated)
	got := decode[apiAttached](t, w)
	if got.Name != "screen.png" || got.Revision != 2 || got.ContentType != "image/png" || got.Size != int64(len(img)) ||
		got.URL != "/files/"+got.SHA256+"/screen.png" || w.Header().Get("Location") != "/api/v1/pages/it/vpn/attachments/screen.png" {
		t.Fatalf("upload answer %+v, Location %q", got, w.Header().Get("Location"))
	}
	list := decode[[]apiAttachment](t, ts.api("GET", "/api/v1/pages/it/vpn/attachments", ""))
	if len(list) != 1 || list[0] != got.apiAttachment {
		t.Errorf("list = %+v", list)
	}
	page := decode[apiPage](t, ts.api("GET", "/api/v1/pages/it/vpn", ""))
	if !strings.Contains(page.HTML, `<img src="`+got.URL+`" alt="The login screen">`) || len(page.Attachments) != 1 {
		t.Errorf("page HTML %s", page.HTML)
	}
	// The stable address leads to the content.
	w = ts.api("GET", "/api/v1/pages/it/vpn/attachments/screen.png", "")
	if w.Code != http.StatusFound || w.Header().Get("Location") != got.URL {
		t.Errorf("by name: %d %q", w.Code, w.Header().Get("Location"))
	}
	// The content, as a browser gets it.
	w = ts.browse("GET", got.URL, nil)
	wantStatus(t, w, 200)
	h := w.Header()
	if !bytes.Equal(w.Body.Bytes(), img) || h.Get("Content-Type") != "image/png" || h.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(h.Get("Content-Disposition"), "inline") || !strings.Contains(h.Get("Cache-Control"), "immutable") ||
		!strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("served with %v", h)
	}
	r := httptest.NewRequest("GET", got.URL, nil)
	r.Header.Set("Authorization", "Bearer "+ts.token)
	r.Header.Set("If-None-Match", `"`+got.SHA256+`"`)
	if w := ts.serve(r); w.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", w.Code)
	}
	wantStatus(t, ts.browse("GET", "/files/"+strings.Repeat("0", 64)+"/x.png", nil), 404)
	wantStatus(t, ts.browse("GET", "/files/nothex/x.png", nil), 404)
	// Removing is a revision; the old revision still shows the image.
	wantStatus(t, ts.api("DELETE", "/api/v1/pages/it/vpn/attachments/screen.png", ""), http.StatusNoContent)
	wantError(t, ts.api("DELETE", "/api/v1/pages/it/vpn/attachments/screen.png", ""), 404, "not_found")
	if list := decode[[]apiAttachment](t, ts.api("GET", "/api/v1/pages/it/vpn/attachments", "")); len(list) != 0 {
		t.Errorf("after delete: %+v", list)
	}
	old := ts.browse("GET", "/wiki/it/vpn?rev=2", nil)
	wantStatus(t, old, 200)
	if !strings.Contains(old.Body.String(), `src="`+got.URL+`"`) {
		t.Errorf("revision 2 lost its image:\n%s", old.Body.String())
	}
	cur := ts.browse("GET", "/wiki/it/vpn", nil)
	if strings.Contains(cur.Body.String(), got.URL) {
		t.Error("the current page still shows the removed image")
	}
	wantStatus(t, ts.browse("GET", got.URL, nil), 200) // history needs it
}

func TestAPIAttachmentsRefuseBadFiles(t *testing.T) {
	ts := newTestServer(t)
	ts.create("p", "P", "x")
	bomb := testPNG(t, color.Black)
	binary.BigEndian.PutUint32(bomb[16:], 60000)
	binary.BigEndian.PutUint32(bomb[20:], 60000)
	binary.BigEndian.PutUint32(bomb[29:], crc32.ChecksumIEEE(bomb[12:29]))
	for _, tt := range []struct {
		name   string
		data   []byte
		status int
		code   string
	}{
		{"screen.png", []byte("<html><body><script>alert(1)</script></body></html>"), 400, "bad_request"},
		{"bomb.png", bomb, 400, "bad_request"},
		{"日本", []byte("x"), 400, "bad_request"},
		{"big.bin", bytes.Repeat([]byte{1}, wiki.MaxAttachmentBytes+1), 413, "too_large"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, ts.upload(ts.token, "p", tt.name, tt.data), tt.status, tt.code)
		})
	}
	// Not multipart, no file at all, a missing page, a deleted page.
	wantError(t, ts.api("POST", "/api/v1/pages/p/attachments", `{"file":"x"}`), http.StatusUnsupportedMediaType, "unsupported_media_type")
	var empty bytes.Buffer
	mw := multipart.NewWriter(&empty)
	_ = mw.WriteField("summary", "no file here")
	_ = mw.Close()
	r := httptest.NewRequest("POST", "/api/v1/pages/p/attachments", &empty)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("Authorization", "Bearer "+ts.token)
	wantError(t, ts.serve(r), 400, "bad_request")
	wantError(t, ts.upload(ts.token, "nope", "a.png", testPNG(t, color.White)), 404, "not_found")
	if p, _ := ts.wiki.Page(t.Context(), "p"); p.Revision != 1 {
		t.Errorf("refused uploads made revisions: %d", p.Revision)
	}
	// A body far over the limit is cut off before it is read whole.
	wantError(t, ts.upload(ts.token, "p", "huge.bin", bytes.Repeat([]byte{1}, maxUploadBytes+10)), 413, "too_large")
}

func TestScriptedSVGAndHTMLAreOnlyDownloads(t *testing.T) {
	ts := newTestServer(t)
	ts.create("p", "P", "![logo](logo.svg) [page](page.html)")
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>`)
	for name, data := range map[string][]byte{"logo.svg": svg, "page.html": []byte("<!DOCTYPE html><script>alert(1)</script>")} {
		w := ts.upload(ts.token, "p", name, data)
		wantStatus(t, w, http.StatusCreated)
		a := decode[apiAttached](t, w)
		served := ts.browse("GET", a.URL, nil)
		wantStatus(t, served, 200)
		h := served.Header()
		if ct := h.Get("Content-Type"); strings.Contains(ct, "html") || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") ||
			h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("%s served with %v", name, h)
		}
	}
}

func TestReadersCannotUploadOrRemove(t *testing.T) {
	ts := newTestServer(t)
	ts.create("p", "P", "x")
	wantStatus(t, ts.upload(ts.token, "p", "a.png", testPNG(t, color.White)), http.StatusCreated)
	ts.addUser("rita", wiki.RoleReader, "")
	reader := ts.tokenFor("rita")
	wantError(t, ts.upload(reader, "p", "b.png", testPNG(t, color.Black)), 403, "forbidden")
	wantError(t, ts.apiAs(reader, "DELETE", "/api/v1/pages/p/attachments/a.png", ""), 403, "forbidden")
	wantStatus(t, ts.apiAs(reader, "GET", "/api/v1/pages/p/attachments", ""), 200)
	wantError(t, ts.upload("", "p", "b.png", testPNG(t, color.Black)), 401, "unauthorized")
	// A reader cannot attach through the edit form either.
	ts.signIn("rita")
	ct, body := multipartBody(t, url.Values{"title": {"P"}, "markdown": {"x"}, "base_revision": {"2"}, "csrf_token": {ts.csrf()}}, "file", map[string][]byte{"c.png": testPNG(t, color.Black)})
	if w := ts.browseBody("POST", "/edit/p", ct, body); w.Code != http.StatusForbidden {
		t.Errorf("reader's edit form: %d", w.Code)
	}
	if p, _ := ts.wiki.Page(t.Context(), "p"); len(p.Attachments) != 1 {
		t.Errorf("attachments %+v", p.Attachments)
	}
}

// csrf returns the browser's CSRF token, getting one first if needed.
func (ts *testServer) csrf() string {
	if _, ok := ts.cookies[csrfCookie]; !ok {
		ts.browse("GET", "/", nil)
	}
	return ts.cookies[csrfCookie].Value
}

// browseBody is browse with a body of its own content type.
func (ts *testServer) browseBody(method, path, ct string, body *bytes.Buffer) *httptest.ResponseRecorder {
	ts.t.Helper()
	r := httptest.NewRequest(method, path, body)
	r.Header.Set("Content-Type", ct)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, c := range ts.cookies {
		r.AddCookie(c)
	}
	w := ts.serve(r)
	for _, c := range w.Result().Cookies() {
		ts.cookies[c.Name] = c
	}
	return w
}

func TestEditFormAttachesAndRemovesFilesWithoutJavaScript(t *testing.T) {
	ts := newTestServer(t)
	ts.create("p", "P", "text")
	ct, body := multipartBody(t, url.Values{"title": {"P"}, "markdown": {"![Shot](shot.png)\n"}, "base_revision": {"1"}, "action": {"save"}, "csrf_token": {ts.csrf()}},
		"file", map[string][]byte{"Shot.png": testPNG(t, color.White)})
	w := ts.browseBody("POST", "/edit/p", ct, body)
	wantStatus(t, w, http.StatusSeeOther)
	p, _ := ts.wiki.Page(t.Context(), "p")
	if p.Revision != 2 || len(p.Attachments) != 1 || p.Attachments[0].Name != "shot.png" {
		t.Fatalf("after save: rev %d %+v", p.Revision, p.Attachments)
	}
	view := ts.browse("GET", "/wiki/p", nil)
	doc := parseHTML(t, view.Body.String())
	img := mustFind(t, doc, ".markdown img")
	if src, _ := attr(img, "src"); src != fileURL(p.Attachments[0]) {
		t.Errorf("img src %q", src)
	}
	mustFind(t, doc, ".page-files a")
	edit := parseHTML(t, ts.browse("GET", "/edit/p", nil).Body.String())
	form := mustFind(t, edit, "form#edit-form")
	if enc, _ := attr(form, "enctype"); enc != "multipart/form-data" {
		t.Errorf("edit form enctype %q", enc)
	}
	mustFind(t, edit, `input[type="file"]`)
	mustFind(t, edit, `input[name="remove_file"]`)
	// A too-large file shows the form again with the text kept.
	ct, body = multipartBody(t, url.Values{"title": {"P"}, "markdown": {"my unsaved words"}, "base_revision": {"2"}, "csrf_token": {ts.csrf()}},
		"file", map[string][]byte{"big.bin": bytes.Repeat([]byte{1}, wiki.MaxAttachmentBytes+1)})
	w = ts.browseBody("POST", "/edit/p", ct, body)
	if w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(w.Body.String(), "my unsaved words") {
		t.Errorf("too large: %d", w.Code)
	}
	// Removing with the checkbox.
	ct, body = multipartBody(t, url.Values{"title": {"P"}, "markdown": {"no picture"}, "base_revision": {"2"}, "remove_file": {"shot.png"}, "csrf_token": {ts.csrf()}}, "file", nil)
	wantStatus(t, ts.browseBody("POST", "/edit/p", ct, body), http.StatusSeeOther)
	if p, _ := ts.wiki.Page(t.Context(), "p"); len(p.Attachments) != 0 || p.Markdown != "no picture" {
		t.Errorf("after remove: %+v %q", p.Attachments, p.Markdown)
	}
}

func TestPreviewShowsThePagesFiles(t *testing.T) {
	ts := newTestServer(t)
	ts.create("p", "P", "x")
	a := decode[apiAttached](t, ts.upload(ts.token, "p", "a.png", testPNG(t, color.White)))
	w := ts.post("/preview", url.Values{"markdown": {"![A](a.png)"}, "slug": {"p"}})
	wantStatus(t, w, 200)
	if !strings.Contains(w.Body.String(), `src="`+a.URL+`"`) {
		t.Errorf("preview: %s", w.Body.String())
	}
}

func TestOldNamesRedirectToTheirPage(t *testing.T) {
	ts := newTestServer(t)
	ts.create("benefits", "Benefits", "## Perks\n")
	if err := ts.wiki.SetAlias(t.Context(), "old/perks", "benefits"); err != nil {
		t.Fatal(err)
	}
	w := ts.browse("GET", "/wiki/old/perks", nil)
	if w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != "/wiki/benefits" {
		t.Errorf("alias: %d %q", w.Code, w.Header().Get("Location"))
	}
	// A page at the old name wins.
	ts.create("old/perks", "Old perks", "x")
	wantStatus(t, ts.browse("GET", "/wiki/old/perks", nil), 200)
	wantStatus(t, ts.browse("GET", "/wiki/never/was", nil), 404)
}
