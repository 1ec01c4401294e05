package main

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browserPNG is a real PNG of w×h pixels in one colour.
func browserPNG(t *testing.T, w, h int, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// An editor drops a screenshot into the text: it is uploaded at once, the
// Markdown that shows it is inserted at the cursor, the preview shows it,
// and after saving the page shows it to readers; an old revision does not.
func TestBrowserDropImageIntoEditor(t *testing.T) {
	w := startWiki(t, "editor")
	w.putPage(t, "vpn", "How do I get VPN access?", "## Where is the client?\n\nOn the portal.\n", 0)
	tb := openTab(t, newBrowser(t))
	tb.signIn(w, "/edit/vpn")
	b64 := base64.StdEncoding.EncodeToString(browserPNG(t, 40, 20, color.RGBA{29, 78, 216, 255}))
	tb.do("put the caret at the end", chromedp.Evaluate[chromedp.Void](`(() => { const t = document.getElementById("markdown"); t.focus(); t.setSelectionRange(t.value.length, t.value.length); })()`))
	// What a drag of a file from the desktop delivers to the text field.
	tb.do("drop an image on the text", chromedp.Evaluate[chromedp.Void](`(() => {
		const bytes = Uint8Array.from(atob("`+b64+`"), c => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], "Login Screen.png", { type: "image/png" }));
		const t = document.getElementById("markdown");
		t.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
		t.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
	})()`))
	step(tb, "wait for the upload and the preview", chromedp.Poll[bool](
		`(() => { const i = document.querySelector("#preview img"); return !!i && i.complete && i.naturalWidth === 40; })()`,
		chromedp.WithPollingTimeout(10*time.Second)))
	wantContains(t, "text field", tb.value("#markdown"), "![Login Screen](login-screen.png)")
	wantContains(t, "upload status", tb.text("#upload-status"), "Attached login-screen.png as revision 2.")
	wantEqual(t, "files listed", tb.count("#file-list li"), 1)
	tb.screenshot("editor-after-drop")
	wantEqual(t, "status after Save", tb.follow(`button[name=action][value=save]`), 200)
	wantEqual(t, "path after Save", tb.path(), "/wiki/vpn")
	wantEqual(t, "flash", tb.flash(), "Saved revision 3.")
	step(tb, "wait for the image on the page", chromedp.Poll[bool](
		`(() => { const i = document.querySelector(".markdown img"); return !!i && i.complete && i.naturalWidth === 40 && i.alt === "Login Screen"; })()`,
		chromedp.WithPollingTimeout(10*time.Second)))
	wantContains(t, "files section", tb.text(".page-files"), "login-screen.png")
	tb.screenshot("page-with-image")
	// Revision 1 had no image.
	tb.open(w.base + "/wiki/vpn?rev=1")
	wantEqual(t, "images in revision 1", tb.count(".markdown img"), 0)
}

// Without drag and drop, the file field attaches files with the save.
func TestBrowserFileFieldAttachesOnSave(t *testing.T) {
	w := startWiki(t, "editor")
	w.putPage(t, "badge", "Getting your badge", "Ask at the front desk.\n", 0)
	tb := openTab(t, newBrowser(t))
	tb.signIn(w, "/edit/badge")
	file := filepath.Join(t.TempDir(), "Badge Photo.png")
	if err := os.WriteFile(file, browserPNG(t, 30, 30, color.RGBA{200, 30, 30, 255}), 0o644); err != nil {
		t.Fatal(err)
	}
	tb.do("choose a file", chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{file}))
	step(tb, "wait for the reference", chromedp.Poll[bool](`document.getElementById("markdown").value.includes("![Badge Photo](badge-photo.png)")`,
		chromedp.WithPollingTimeout(5*time.Second)))
	wantEqual(t, "status after Save", tb.follow(`button[name=action][value=save]`), 200)
	wantEqual(t, "flash", tb.flash(), "Saved revision 2.")
	step(tb, "wait for the image", chromedp.Poll[bool](
		`(() => { const i = document.querySelector(".markdown img"); return !!i && i.complete && i.naturalWidth === 30; })()`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if !strings.Contains(tb.text(".page-files"), "badge-photo.png") {
		t.Errorf("files: %q", tb.text(".page-files"))
	}
}
