package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"

	"github.com/faqwiki/faqwiki/static"
	"github.com/gin-gonic/gin"
)

// assets serves the embedded static files under URLs that carry a checksum
// of their content (/static/{sum}/{file}), so browsers may cache them for a
// year and still see a new version the moment it changes.
type assets struct {
	files map[string]asset // by file name
}

type asset struct {
	sum    string
	data   []byte
	mime   []string // its Content-Type, shared
	length []string // its Content-Length, shared
}

// immutable is the Cache-Control of a static file, whose address names
// its content; shared, never changed.
var immutable = []string{"public, max-age=31536000, immutable"}

func newAssets() (*assets, error) {
	a := &assets{files: map[string]asset{}}
	err := fs.WalkDir(static.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) == ".go" {
			return err
		}
		b, err := fs.ReadFile(static.FS, p)
		if err != nil {
			return err
		}
		h := sha256.Sum256(b)
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		a.files[path.Base(p)] = asset{sum: hex.EncodeToString(h[:6]), data: b, mime: []string{ct}, length: contentLength(b)}
		return nil
	})
	return a, err
}

// url returns the checksummed URL of a static file. Templates call it via
// the "static" function; an unknown name yields a URL that 404s.
func (a *assets) url(name string) string {
	f, ok := a.files[name]
	if !ok {
		return "/static/missing/" + name
	}
	return "/static/" + f.sum + "/" + name
}

func (s *Server) handleStatic(c *gin.Context) {
	f, ok := s.assets.files[c.Param("file")]
	if !ok || f.sum != c.Param("sum") {
		c.Status(http.StatusNotFound)
		return
	}
	c.Writer.Header()["Cache-Control"] = immutable
	writeWholeSized(c, http.StatusOK, f.mime, f.length, f.data)
}
