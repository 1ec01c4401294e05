package web

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// Attachments: the files of a page. The API lists, adds and removes them
// (/api/v1/pages/{slug}/attachments); the edit form adds and removes them
// with the text; their content is served by hash under /files/.

// apiAttachment is one file of a page in the API.
type apiAttachment struct {
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
	URL         string `json:"url"`
}

// apiAttached answers an upload: the file and the revision that added it.
type apiAttached struct {
	apiAttachment
	Revision  int  `json:"revision"`
	Unchanged bool `json:"unchanged"`
}

func toAPIAttachments(as []wiki.Attachment) []apiAttachment {
	out := make([]apiAttachment, 0, len(as))
	for _, a := range as {
		out = append(out, toAPIAttachment(a))
	}
	return out
}

func toAPIAttachment(a wiki.Attachment) apiAttachment {
	return apiAttachment{Name: a.Name, Size: a.Size, SHA256: a.SHA256, ContentType: a.ContentType, URL: fileURL(a)}
}

// livePage reads a page that must exist and not be deleted.
func (s *Server) livePage(c *gin.Context, slug wiki.Slug) (*wiki.Page, bool) {
	page, err := s.wiki.Page(c.Request.Context(), slug)
	if err == nil && page.Deleted {
		err = errNotFoundf("the page %q was deleted; a revert restores it with its files", slug)
	}
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return page, true
}

func (s *Server) apiAttachments(c *gin.Context, slug wiki.Slug, _ []string) {
	page, ok := s.livePage(c, slug)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, toAPIAttachments(page.Attachments))
}

// apiAttachmentFile redirects to the content of one file of the page's
// head: a stable address for a file whose content may change.
func (s *Server) apiAttachmentFile(c *gin.Context, slug wiki.Slug, args []string) {
	name := args[0]
	page, ok := s.livePage(c, slug)
	if !ok {
		return
	}
	a, found := page.Attachment(name)
	if !found {
		s.fail(c, errNotFoundf("the page has no file %q", name))
		return
	}
	c.Redirect(http.StatusFound, fileURL(a))
}

func (s *Server) apiAttach(c *gin.Context, slug wiki.Slug, _ []string) {
	if mediaType(c.Request) != "multipart/form-data" {
		s.fail(c, &publicError{http.StatusUnsupportedMediaType, "unsupported_media_type",
			"send the file as multipart/form-data in the field \"file\""})
		return
	}
	fh, err := c.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.fail(c, err)
			return
		}
		s.fail(c, errBadRequestf("send the file as multipart/form-data in the field \"file\""))
		return
	}
	f, err := readUpload(fh)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.wiki.Attach(c.Request.Context(), slug, f, c.PostForm("summary"))
	if err != nil {
		s.fail(c, err)
		return
	}
	var a wiki.Attachment
	for _, x := range res.Revision.Attachments {
		if x.Name == f.Name {
			a = x
		}
	}
	status := http.StatusCreated
	if res.Unchanged {
		status = http.StatusOK
	}
	c.Header("Location", apiAttachmentURL(slug, a.Name))
	c.JSON(status, apiAttached{apiAttachment: toAPIAttachment(a), Revision: res.Revision.Number, Unchanged: res.Unchanged})
}

func (s *Server) apiDetach(c *gin.Context, slug wiki.Slug, args []string) {
	name := args[0]
	if _, err := s.wiki.Detach(c.Request.Context(), slug, name, c.Query("summary")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// readUpload reads an uploaded file into memory, within the per-file
// limit, under the attachment name made from its file name.
func readUpload(fh *multipart.FileHeader) (wiki.File, error) {
	name := wiki.AttachmentNameFrom(fh.Filename)
	if name == "" {
		return wiki.File{}, wiki.Invalid("file", "%.60q makes no usable file name: give it letters or digits and an extension", fh.Filename)
	}
	if fh.Size > wiki.MaxAttachmentBytes {
		return wiki.File{}, fmt.Errorf("%s: %w", name, wiki.ErrFileTooLarge)
	}
	r, err := fh.Open()
	if err != nil {
		return wiki.File{}, err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, wiki.MaxAttachmentBytes+1))
	if err != nil {
		return wiki.File{}, err
	}
	if len(data) > wiki.MaxAttachmentBytes {
		return wiki.File{}, fmt.Errorf("%s: %w", name, wiki.ErrFileTooLarge)
	}
	return wiki.File{Name: name, Data: data}, nil
}

// formFiles reads the files an HTML form sent in field (none if it is not
// multipart).
func formFiles(c *gin.Context, field string) ([]wiki.File, error) {
	if c.Request.MultipartForm == nil {
		return nil, nil
	}
	var out []wiki.File
	for _, fh := range c.Request.MultipartForm.File[field] {
		if fh.Filename == "" && fh.Size == 0 {
			continue // the empty file field of a form sent without a file
		}
		f, err := readUpload(fh)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// handleFile serves the content of a page's file by its hash. The content
// under a hash never changes, so browsers may keep it for a year. Only
// raster images are shown in the browser; everything else (PDFs, text,
// SVG, HTML someone uploaded) is a download, with a policy that forbids
// it any script or style even if a browser ignores that.
func (s *Server) handleFile(c *gin.Context) {
	id, name := c.Param("id"), c.Param("name")
	if !wiki.ValidBlobID(id) {
		s.fail(c, errNotFoundf("no such file"))
		return
	}
	etag := `"` + id + `"`
	h := c.Writer.Header()
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	h.Set("ETag", etag)
	if c.GetHeader("If-None-Match") == etag {
		c.Status(http.StatusNotModified)
		return
	}
	data, err := s.wiki.Blob(c.Request.Context(), id)
	if err != nil {
		h.Del("Cache-Control")
		s.fail(c, err)
		return
	}
	t := wiki.ServedType(data)
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	disp := "attachment"
	if t.Inline {
		disp = "inline"
	}
	if n := wiki.AttachmentNameFrom(name); n != "" {
		disp += `; filename="` + n + `"`
	}
	h.Set("Content-Disposition", disp)
	writeWhole(c, http.StatusOK, []string{t.ContentType}, data)
}
