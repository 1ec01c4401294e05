package wiki

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"image"
	_ "image/gif"  // DecodeConfig of GIF uploads
	_ "image/jpeg" // DecodeConfig of JPEG uploads
	_ "image/png"  // DecodeConfig of PNG uploads
	"net/http"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Vocabulary of attachments:
//
//   - Attachment: a file of a page, under a Name unique in the page, e.g.
//     "screen.png". Markdown refers to it by that name, relative to the
//     page: ![The login screen](screen.png).
//   - Blob: the bytes of a file, stored once however many pages and
//     revisions hold it, under the hex SHA-256 of its content.
//
// Attachments are versioned with their page: every revision records the
// attachments it has, so an old revision shows the images it had, deleting
// the page drops them from its head and a revert brings them back. Adding
// or removing one is a new revision.

// Limits on attachments.
const (
	MaxAttachmentBytes     = 10 << 20 // one file
	MaxPageAttachmentBytes = 50 << 20 // all the files of one revision of a page
	MaxAttachments         = 100      // files per page
	MaxAttachmentNameLen   = 100      // bytes
	// An image is refused when it would take more than this many pixels
	// (or a side longer than maxImageSide) to show: a few hundred bytes of
	// PNG can claim gigapixels and make every reader's browser decode them.
	maxImagePixels = 40_000_000
	maxImageSide   = 20_000
)

// Attachment is a file of a page as a revision records it.
type Attachment struct {
	Name        string
	SHA256      string // hex SHA-256 of the content: the blob's key
	Size        int64
	ContentType string // the type its content was detected as (see DetectFileType)
}

// File is a file to attach: a name and its content.
type File struct {
	Name string
	Data []byte
}

// FileType is what an attachment's content is, and how it is served.
type FileType struct {
	// ContentType is the Content-Type the file is served with. It is never
	// text/html or anything else a browser would run.
	ContentType string
	// Inline is true for the raster images a browser shows as they are
	// (PNG, JPEG, GIF, WebP); everything else is served as a download.
	Inline bool
	// Exts are the file name extensions that belong to this type; a name
	// with an extension that belongs to another known type is refused.
	Exts []string
}

// knownExts maps each extension that names a definite type to the kind of
// content it promises. A file whose name promises one kind and whose
// content is another ("photo.png" holding HTML) is refused.
var knownExts = map[string]string{
	".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".gif": "gif", ".webp": "webp",
	".svg": "svg", ".pdf": "pdf", ".html": "html", ".htm": "html", ".xhtml": "html",
	".zip": "zip",
}

// DetectFileType decides what data is by its content, never its name, and
// checks that name (already a valid attachment name) does not promise
// something else. It returns a *ValidationError for a mismatch and for an
// image too large to show.
func DetectFileType(name string, data []byte) (FileType, error) {
	kind, ct := sniff(data)
	ext := strings.ToLower(path.Ext(name))
	if want, ok := knownExts[ext]; ok && want != kind {
		return FileType{}, Invalid("file", "%s is named like a %s file but holds %s", name, strings.TrimPrefix(ext, "."), describeKind(kind))
	}
	switch kind {
	case "png", "jpeg", "gif", "webp":
		w, h, err := imageSize(kind, data)
		if err != nil {
			return FileType{}, Invalid("file", "%s is not a readable %s image", name, kind)
		}
		if w <= 0 || h <= 0 || w > maxImageSide || h > maxImageSide || int64(w)*int64(h) > maxImagePixels {
			return FileType{}, Invalid("file", "%s is %d×%d pixels; the limit is %d pixels (%d a side)", name, w, h, maxImagePixels, maxImageSide)
		}
		return FileType{ContentType: ct, Inline: true}, nil
	}
	return FileType{ContentType: ct}, nil
}

// ServedType returns the type data is served with, by content alone. It is
// DetectFileType without the name and size checks: what was stored passed
// them when it was attached.
func ServedType(data []byte) FileType {
	kind, ct := sniff(data)
	switch kind {
	case "png", "jpeg", "gif", "webp":
		return FileType{ContentType: ct, Inline: true}
	}
	return FileType{ContentType: ct}
}

func describeKind(kind string) string {
	switch kind {
	case "text":
		return "text"
	case "binary":
		return "other data"
	case "html":
		return "HTML"
	case "svg":
		return "an SVG image"
	}
	return "a " + strings.ToUpper(kind) + " file"
}

// sniff classifies data with the WHATWG sniffing algorithm
// (http.DetectContentType) plus SVG, which it calls text or XML, and
// returns the kind and the Content-Type to serve. HTML and SVG are served
// as text/plain and image/svg+xml downloads, never as a document.
func sniff(data []byte) (kind, contentType string) {
	ct := http.DetectContentType(data)
	base, _, _ := strings.Cut(ct, ";")
	switch base {
	case "image/png":
		return "png", base
	case "image/jpeg":
		return "jpeg", base
	case "image/gif":
		return "gif", base
	case "image/webp":
		return "webp", base
	case "application/pdf":
		return "pdf", base
	case "application/zip":
		return "zip", base
	case "text/html":
		return "html", "text/plain; charset=utf-8"
	}
	if isSVG(data) {
		return "svg", "image/svg+xml"
	}
	if strings.HasPrefix(base, "text/") && utf8.Valid(data) {
		return "text", "text/plain; charset=utf-8"
	}
	if base == "text/xml" && utf8.Valid(data) {
		return "text", "text/plain; charset=utf-8"
	}
	return "binary", "application/octet-stream"
}

// isSVG reports whether data looks like an SVG document: an <svg element
// near the start, after any XML declaration, comments and doctype.
func isSVG(data []byte) bool {
	head := bytes.ToLower(data[:min(len(data), 4096)])
	i := bytes.Index(head, []byte("<svg"))
	if i < 0 {
		return false
	}
	after := i + 4
	return after >= len(head) || head[after] == ' ' || head[after] == '>' || head[after] == '\n' || head[after] == '\t' || head[after] == '\r' || head[after] == '/'
}

// imageSize reads an image's width and height from its header without
// decoding the pixels.
func imageSize(kind string, data []byte) (w, h int, err error) {
	if kind == "webp" {
		return webpSize(data)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, 0, err
	}
	return cfg.Width, cfg.Height, nil
}

// webpSize reads the canvas size of a WebP file (RIFF container with a
// VP8, VP8L or VP8X first chunk). The standard library has no WebP
// decoder, and a header is all that is needed.
func webpSize(b []byte) (int, int, error) {
	bad := fmt.Errorf("not a WebP header")
	if len(b) < 30 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return 0, 0, bad
	}
	switch string(b[12:16]) {
	case "VP8X":
		w := int(b[24]) | int(b[25])<<8 | int(b[26])<<16
		h := int(b[27]) | int(b[28])<<8 | int(b[29])<<16
		return w + 1, h + 1, nil
	case "VP8L":
		if b[20] != 0x2f {
			return 0, 0, bad
		}
		v := binary.LittleEndian.Uint32(b[21:25])
		return int(v&0x3fff) + 1, int(v>>14&0x3fff) + 1, nil
	case "VP8 ":
		if b[23] != 0x9d || b[24] != 0x01 || b[25] != 0x2a {
			return 0, 0, bad
		}
		return int(binary.LittleEndian.Uint16(b[26:28]) & 0x3fff), int(binary.LittleEndian.Uint16(b[28:30]) & 0x3fff), nil
	}
	return 0, 0, bad
}

// AttachmentNameFrom makes an attachment name from a file name as people
// and other sites write it: the base name only, accents dropped, letters
// lower-cased, every run of characters other than a-z 0-9 '.' '_' '-'
// turned into one '-', cut to MaxAttachmentNameLen keeping the extension.
// A name that would end in .md gets .txt appended (a Markdown file beside
// a page would be read back as a page). It returns "" when no name with
// an extension is left.
func AttachmentNameFrom(s string) string {
	s = strings.ReplaceAll(s, "\\", "/")
	s = path.Base(s)
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_'):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		default:
			dash = true
		}
	}
	name := strings.Trim(b.String(), ".-_")
	for strings.Contains(name, "..") {
		name = strings.ReplaceAll(name, "..", ".")
	}
	if ext := strings.ToLower(path.Ext(name)); ext == ".md" || ext == ".markdown" {
		name += ".txt"
	}
	if len(name) > MaxAttachmentNameLen {
		ext := path.Ext(name)
		if len(ext) > 20 {
			ext = ""
		}
		name = strings.TrimRight(name[:MaxAttachmentNameLen-len(ext)], ".-_") + ext
	}
	// A name has an extension and something before it: "screen.png".
	if ext := path.Ext(name); ext == "" || ext == name || len(ext) < 2 {
		return ""
	}
	return name
}

// ParseAttachmentName checks that s is a valid attachment name: what
// AttachmentNameFrom makes, unchanged by it.
func ParseAttachmentName(s string) (string, error) {
	if s == "" {
		return "", Invalid("name", "is empty")
	}
	if AttachmentNameFrom(s) != s {
		return "", Invalid("name", "%.40q is not an attachment name: use lower-case a-z, 0-9, '.', '_' and '-', with an extension, at most %d characters", s, MaxAttachmentNameLen)
	}
	return s, nil
}

// blobID is the key of data: its hex SHA-256.
func blobID(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// ValidBlobID reports whether s has the form of a blob key.
func ValidBlobID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// newAttachment checks f and returns it as an attachment with its blob.
func newAttachment(f File) (Attachment, error) {
	name, err := ParseAttachmentName(f.Name)
	if err != nil {
		return Attachment{}, err
	}
	if len(f.Data) == 0 {
		return Attachment{}, Invalid("file", "%s is empty", name)
	}
	if len(f.Data) > MaxAttachmentBytes {
		return Attachment{}, fmt.Errorf("%s is %d bytes, the limit for a file is %d: %w", name, len(f.Data), MaxAttachmentBytes, ErrFileTooLarge)
	}
	t, err := DetectFileType(name, f.Data)
	if err != nil {
		return Attachment{}, err
	}
	return Attachment{Name: name, SHA256: blobID(f.Data), Size: int64(len(f.Data)), ContentType: t.ContentType}, nil
}

// checkAttachments checks the limits on a revision's whole set.
func checkAttachments(as []Attachment) error {
	if len(as) > MaxAttachments {
		return fmt.Errorf("a page may have at most %d files: %w", MaxAttachments, ErrFileTooLarge)
	}
	var total int64
	for _, a := range as {
		total += a.Size
	}
	if total > MaxPageAttachmentBytes {
		return fmt.Errorf("the files of a page may add up to %d bytes, these are %d: %w", MaxPageAttachmentBytes, total, ErrFileTooLarge)
	}
	return nil
}

// sameAttachments reports whether a and b hold the same files under the
// same names (both are kept sorted by name).
func sameAttachments(a, b []Attachment) bool {
	return slices.EqualFunc(a, b, func(x, y Attachment) bool { return x.Name == y.Name && x.SHA256 == y.SHA256 })
}

// withFile returns as with f's attachment added, replacing one of the same
// name, sorted by name; blobs gets f's content.
func withFile(as []Attachment, a Attachment) []Attachment {
	out := slices.DeleteFunc(slices.Clone(as), func(x Attachment) bool { return x.Name == a.Name })
	out = append(out, a)
	slices.SortFunc(out, func(x, y Attachment) int { return strings.Compare(x.Name, y.Name) })
	return out
}

// attachFiles turns files into a sorted set of attachments and their blobs.
// Two files of one name are an error.
func attachFiles(files []File) ([]Attachment, map[string][]byte, error) {
	out := []Attachment{}
	blobs := map[string][]byte{}
	seen := map[string]bool{}
	for _, f := range files {
		a, err := newAttachment(f)
		if err != nil {
			return nil, nil, err
		}
		if seen[a.Name] {
			return nil, nil, Invalid("file", "two files are named %s", a.Name)
		}
		seen[a.Name] = true
		out = withFile(out, a)
		blobs[a.SHA256] = f.Data
	}
	if err := checkAttachments(out); err != nil {
		return nil, nil, err
	}
	return out, blobs, nil
}

// AttachmentURL is where the content of a is served: by its hash, so that
// the address of a given content never changes and browsers may keep it
// for as long as they like. The name at the end is for people and
// downloads; the hash alone picks the content.
func AttachmentURL(a Attachment) string { return FilesPath + a.SHA256 + "/" + a.Name }

// FilesPath is the path under which attachment contents are served.
const FilesPath = "/files/"

// Attach adds f to the page slug as a new revision (replacing a file of
// the same name), keeping its text. It returns ErrNotFound for a page that
// does not exist or is deleted, a *ValidationError for a bad name or a
// content that is not what its name says, and ErrTooLarge over a limit.
// Attaching the same content under the same name again saves nothing.
func (w *Wiki) Attach(ctx context.Context, slug Slug, f File, summary string) (*EditResult, error) {
	a, err := newAttachment(f)
	if err != nil {
		return nil, err
	}
	summary, err = checkSummary(summary)
	if err != nil {
		return nil, err
	}
	if summary == "" {
		summary = "Attached " + a.Name
	}
	var limitErr error
	res, err := w.commitWhole(ctx, slug, func(head *Page) *Revision {
		if head.Deleted {
			return nil
		}
		as := withFile(head.Attachments, a)
		if sameAttachments(as, head.Attachments) {
			return nil
		}
		if limitErr = checkAttachments(as); limitErr != nil {
			return nil
		}
		return &Revision{Kind: KindEdit, Title: head.Title, Markdown: head.Markdown, Tags: head.Tags, Summary: summary,
			Attachments: as, Blobs: map[string][]byte{a.SHA256: f.Data}}
	})
	return attachResult(slug, res, err, limitErr)
}

// Detach removes the file name from the page slug as a new revision. It
// returns ErrNotFound when the page (live) or the file does not exist.
func (w *Wiki) Detach(ctx context.Context, slug Slug, name, summary string) (*EditResult, error) {
	summary, err := checkSummary(summary)
	if err != nil {
		return nil, err
	}
	if summary == "" {
		summary = "Removed " + name
	}
	res, err := w.commitWhole(ctx, slug, func(head *Page) *Revision {
		if head.Deleted {
			return nil
		}
		as := slices.DeleteFunc(slices.Clone(head.Attachments), func(x Attachment) bool { return x.Name == name })
		if len(as) == len(head.Attachments) {
			return nil
		}
		return &Revision{Kind: KindEdit, Title: head.Title, Markdown: head.Markdown, Tags: head.Tags, Summary: summary, Attachments: as}
	})
	if err == nil && res.Unchanged {
		if res.Revision.Deleted() {
			return nil, fmt.Errorf("page %q is deleted: %w", slug, ErrNotFound)
		}
		return nil, fmt.Errorf("page %q has no file %q: %w", slug, name, ErrNotFound)
	}
	return res, err
}

func attachResult(slug Slug, res *EditResult, err, limitErr error) (*EditResult, error) {
	if limitErr != nil {
		return nil, limitErr
	}
	if err == nil && res.Unchanged && res.Revision.Deleted() {
		return nil, fmt.Errorf("page %q is deleted: %w", slug, ErrNotFound)
	}
	return res, err
}

// Blob returns the content stored under id (a hex SHA-256), or ErrNotFound.
func (w *Wiki) Blob(ctx context.Context, id string) ([]byte, error) {
	if !ValidBlobID(id) {
		return nil, fmt.Errorf("blob %.70q: %w", id, ErrNotFound)
	}
	return w.store.Blob(ctx, id)
}

// Attachment returns the file name of a page's head, or ErrNotFound.
func (p *Page) Attachment(name string) (Attachment, bool) {
	for _, a := range p.Attachments {
		if a.Name == name {
			return a, true
		}
	}
	return Attachment{}, false
}
