package wiki_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/faqwiki/faqwiki/wiki"
)

// pngImage returns a real w×h PNG whose first pixel is c.
func pngImage(tb testing.TB, w, h int, c color.Color) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, c)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// pngBomb returns a few hundred bytes of PNG that claim w×h pixels: its
// header says so (with a valid checksum), whatever the data holds.
func pngBomb(tb testing.TB, w, h uint32) []byte {
	b := pngImage(tb, 1, 1, color.Black)
	// Signature (8), IHDR length (4) and type (4), then width and height.
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func mustAttach(tb testing.TB, w *wiki.Wiki, ctx context.Context, slug wiki.Slug, name string, data []byte) *wiki.EditResult {
	tb.Helper()
	res, err := w.Attach(ctx, slug, wiki.File{Name: name, Data: data}, "")
	if err != nil {
		tb.Fatalf("attach %s: %v", name, err)
	}
	return res
}

func TestAttachmentsAreVersionedWithThePage(t *testing.T) {
	w := MustOpenWiki(t)
	ctx := as("ada", "c1")
	mustSave(t, w, ctx, wiki.Edit{Slug: "vpn", Title: "VPN", Markdown: "![The login screen](screen.png)\n"})
	red, blue := pngImage(t, 4, 3, color.RGBA{255, 0, 0, 255}), pngImage(t, 4, 3, color.RGBA{0, 0, 255, 255})
	r2 := mustAttach(t, w.Wiki, ctx, "vpn", "screen.png", red)
	r3 := mustAttach(t, w.Wiki, ctx, "vpn", "screen.png", blue)
	if r2.Revision.Number != 2 || r3.Revision.Number != 3 || r2.Revision.Summary != "Attached screen.png" {
		t.Fatalf("revisions %d %d %q", r2.Revision.Number, r3.Revision.Number, r2.Revision.Summary)
	}
	html := func(n int) string {
		t.Helper()
		rev, err := w.Revision(ctx, "vpn", n)
		if err != nil {
			t.Fatal(err)
		}
		out, err := w.RenderRevision(ctx, rev)
		if err != nil {
			t.Fatal(err)
		}
		return string(out.HTML)
	}
	if h := html(1); strings.Contains(h, "src=") {
		t.Errorf("revision 1 had no file, yet: %s", h)
	}
	redURL := wiki.AttachmentURL(r2.Revision.Attachments[0])
	blueURL := wiki.AttachmentURL(r3.Revision.Attachments[0])
	if redURL == blueURL || !strings.Contains(html(2), `src="`+redURL+`"`) || !strings.Contains(html(3), `src="`+blueURL+`"`) {
		t.Errorf("old revisions must show the images they had:\n2: %s\n3: %s", html(2), html(3))
	}
	// The old content is still there for revision 2.
	if got, err := w.Blob(ctx, r2.Revision.Attachments[0].SHA256); err != nil || !bytes.Equal(got, red) {
		t.Errorf("old blob: %v", err)
	}
	// Attaching the same content again saves nothing.
	if res := mustAttach(t, w.Wiki, ctx, "vpn", "screen.png", blue); !res.Unchanged {
		t.Error("the same file twice made a revision")
	}
	// An edit of the text keeps the files, also when merged.
	mustSave(t, w, ctx, wiki.Edit{Slug: "vpn", Markdown: "intro\n\n![The login screen](screen.png)\n", Base: 3})
	mustSave(t, w, ctx, wiki.Edit{Slug: "vpn", Markdown: "intro\n\n![The login screen](screen.png)\n\nmore\n", Base: 3})
	p, _ := w.Page(ctx, "vpn")
	if len(p.Attachments) != 1 || p.Attachments[0].SHA256 != r3.Revision.Attachments[0].SHA256 || p.Attachments[0].ContentType != "image/png" {
		t.Fatalf("after edits: %+v", p.Attachments)
	}
	// Deleting the page drops its files from the head; a revert brings them back.
	if _, err := w.Delete(ctx, "vpn", ""); err != nil {
		t.Fatal(err)
	}
	if p, _ := w.Page(ctx, "vpn"); len(p.Attachments) != 0 {
		t.Errorf("a deleted page still has %v", p.Attachments)
	}
	if _, err := w.Attach(ctx, "vpn", wiki.File{Name: "x.png", Data: red}, ""); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("attach to a deleted page: %v", err)
	}
	if _, err := w.Revert(ctx, "vpn", p.Revision, ""); err != nil {
		t.Fatal(err)
	}
	if p, _ := w.Page(ctx, "vpn"); len(p.Attachments) != 1 || p.Attachments[0].Name != "screen.png" {
		t.Errorf("restored page has %v", p.Attachments)
	}
	// Removing is a revision too.
	res, err := w.Detach(ctx, "vpn", "screen.png", "")
	if err != nil || len(res.Revision.Attachments) != 0 {
		t.Fatalf("detach: %v %+v", err, res)
	}
	if _, err := w.Detach(ctx, "vpn", "screen.png", ""); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("detach twice: %v", err)
	}
}

func TestAttachmentsAreStoredOncePerContent(t *testing.T) {
	w := MustOpenWiki(t)
	ctx := as("ada", "")
	img := pngImage(t, 2, 2, color.White)
	for _, slug := range []wiki.Slug{"a", "b"} {
		mustSave(t, w, ctx, wiki.Edit{Slug: slug, Title: string(slug), Markdown: "x", Files: []wiki.File{{Name: "logo.png", Data: img}, {Name: "copy.png", Data: img}}})
	}
	pa, _ := w.Page(ctx, "a")
	pb, _ := w.Page(ctx, "b")
	if len(pa.Attachments) != 2 || pa.Attachments[0].SHA256 != pb.Attachments[1].SHA256 {
		t.Fatalf("attachments %+v %+v", pa.Attachments, pb.Attachments)
	}
	if n, err := w.db.BlobCount(context.Background()); err != nil || n != 1 {
		t.Errorf("%d blobs stored for one content (%v)", n, err)
	}
	// The same files again: nothing to save.
	res := mustSave(t, w, ctx, wiki.Edit{Slug: "a", Markdown: "x", Base: 1, Files: []wiki.File{{Name: "copy.png", Data: img}, {Name: "logo.png", Data: img}}})
	if !res.Unchanged {
		t.Error("importing the same files again made a revision")
	}
}

func TestHostileAndOversizedFilesAreRefused(t *testing.T) {
	w := MustOpenWiki(t)
	ctx := as("ada", "")
	mustSave(t, w, ctx, wiki.Edit{Slug: "p", Title: "P", Markdown: "x"})
	svg := []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>`)
	big := bytes.Repeat([]byte("a"), wiki.MaxAttachmentBytes+1)
	for _, tt := range []struct {
		name string
		f    wiki.File
		want error // nil: a *wiki.ValidationError
	}{
		{"HTML named .png", wiki.File{Name: "screen.png", Data: []byte("<html><script>alert(1)</script></html>")}, nil},
		{"PDF named .jpg", wiki.File{Name: "a.jpg", Data: []byte("%PDF-1.4\n...")}, nil},
		{"SVG named .png", wiki.File{Name: "logo.png", Data: svg}, nil},
		{"decompression bomb", wiki.File{Name: "bomb.png", Data: pngBomb(t, 100000, 100000)}, nil},
		{"wide bomb", wiki.File{Name: "strip.png", Data: pngBomb(t, 1<<30, 1)}, nil},
		{"broken PNG", wiki.File{Name: "bad.png", Data: []byte("\x89PNG\r\n\x1a\nxx")}, nil},
		{"empty", wiki.File{Name: "e.txt", Data: nil}, nil},
		{"bad name", wiki.File{Name: "../../etc/passwd.png", Data: pngImage(t, 1, 1, color.White)}, nil},
		{"no extension", wiki.File{Name: "readme", Data: []byte("text")}, nil},
		{"too large", wiki.File{Name: "big.txt", Data: big}, wiki.ErrFileTooLarge},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.Attach(ctx, "p", tt.f, "")
			var ve *wiki.ValidationError
			if tt.want == nil && !errors.As(err, &ve) || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Attach = %v, want %v", err, tt.want)
			}
		})
	}
	if p, _ := w.Page(ctx, "p"); p.Revision != 1 {
		t.Errorf("refused files made revisions: %d", p.Revision)
	}
	// An SVG with script is kept, but only ever as a download.
	res, err := w.Attach(ctx, "p", wiki.File{Name: "logo.svg", Data: svg}, "")
	if err != nil {
		t.Fatal(err)
	}
	if a := res.Revision.Attachments[0]; a.ContentType != "image/svg+xml" || wiki.ServedType(svg).Inline {
		t.Errorf("SVG served as %+v", a)
	}
	if ft := wiki.ServedType([]byte("<!DOCTYPE html><script>x</script>")); ft.ContentType != "text/plain; charset=utf-8" || ft.Inline {
		t.Errorf("HTML served as %+v", ft)
	}
	// Per page: the files together have a limit too.
	chunk := bytes.Repeat([]byte("b"), wiki.MaxAttachmentBytes)
	var files []wiki.File
	for i := 0; i*wiki.MaxAttachmentBytes <= wiki.MaxPageAttachmentBytes; i++ {
		files = append(files, wiki.File{Name: "part" + string(rune('a'+i)) + ".txt", Data: append(chunk[:len(chunk)-1:len(chunk)-1], byte('a'+i))})
	}
	if _, err := w.Save(ctx, wiki.Edit{Slug: "p", Markdown: "x", Base: 2, Files: files}); !errors.Is(err, wiki.ErrFileTooLarge) {
		t.Errorf("a page's worth too many files: %v", err)
	}
}

func TestAttachmentNames(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Screen Shot 2024-01-02 at 10.00.png", "screen-shot-2024-01-02-at-10.00.png"},
		{"C:\\Users\\ada\\Logo.PNG", "logo.png"},
		{"../../etc/passwd.txt", "passwd.txt"},
		{"../../etc/passwd", ""},
		{"Café menu.pdf", "cafe-menu.pdf"},
		{"notes.md", "notes.md.txt"},
		{".htaccess", ""},
		{"日本.png", ""},
		{strings.Repeat("a", 200) + ".png", strings.Repeat("a", 96) + ".png"},
	} {
		if got := wiki.AttachmentNameFrom(tt.in); got != tt.want {
			t.Errorf("AttachmentNameFrom(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if tt.want != "" {
			if _, err := wiki.ParseAttachmentName(tt.want); err != nil {
				t.Errorf("ParseAttachmentName(%q): %v", tt.want, err)
			}
		}
	}
}

func TestAliasesLeadToTheirPage(t *testing.T) {
	w := MustOpenWiki(t)
	ctx := as("ada", "")
	mustSave(t, w, ctx, wiki.Edit{Slug: "benefits", Title: "Benefits", Markdown: "x"})
	if err := w.SetAlias(ctx, "old/perks", "benefits"); err != nil {
		t.Fatal(err)
	}
	if err := w.SetAlias(ctx, "benefits", "benefits"); err == nil {
		t.Error("a page was made an alias of itself")
	}
	if to, err := w.Redirect(ctx, "old/perks"); err != nil || to != "benefits" {
		t.Errorf("Redirect = %q, %v", to, err)
	}
	if _, err := w.Redirect(ctx, "nothing"); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("Redirect of no alias: %v", err)
	}
	all, _ := w.Aliases(ctx)
	if len(all["benefits"]) != 1 || all["benefits"][0] != "old/perks" {
		t.Errorf("Aliases = %v", all)
	}
}
