package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/faqwiki/faqwiki/cmd/faqwiki/internal/importer"
	"github.com/faqwiki/faqwiki/wiki"
)

// Importing into a running server: `faqwiki import -url URL -token T DIR`
// reads the folder as a local import does and sends each page through the
// HTTP API (PUT /api/v1/pages/{slug}, and its files to .../attachments),
// so the server need not stop. Pages are written as the token's person;
// importing again changes only what changed.

// apiClient talks to a faqwiki server's API with a token.
type apiClient struct {
	base, token string
	http        *http.Client
}

// apiFailure is an answer that was not what the client asked for.
type apiFailure struct {
	Status  int
	Code    string
	Message string
}

func (e *apiFailure) Error() string {
	if e.Message != "" {
		return fmt.Sprintf("%s (%d %s)", e.Message, e.Status, e.Code)
	}
	return fmt.Sprintf("the server answered %d", e.Status)
}

func (a *apiClient) do(ctx context.Context, method, path, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		_ = json.Unmarshal(b, &e)
		return &apiFailure{Status: resp.StatusCode, Code: e.Error.Code, Message: e.Error.Message}
	}
	if out != nil && len(b) > 0 {
		return json.Unmarshal(b, out)
	}
	return nil
}

func (a *apiClient) json(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	ct := ""
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body, ct = bytes.NewReader(b), "application/json"
	}
	return a.do(ctx, method, path, ct, body, out)
}

// remotePage is what the import needs of a page on the server.
type remotePage struct {
	Revision    int `json:"revision"`
	Attachments []struct {
		Name   string `json:"name"`
		SHA256 string `json:"sha256"`
	} `json:"attachments"`
}

func pagePath(slug wiki.Slug) string { return "/api/v1/pages/" + string(slug) }

// importViaAPI imports site into the server at cfg.url.
func (m *Main) importViaAPI(ctx context.Context, cfg config, dir string, site *importer.Site) error {
	if cfg.token == "" {
		return fmt.Errorf("%w: -url needs -token or FAQWIKI_TOKEN: an editor's API token (make one on your account page in the wiki)", errUsage)
	}
	u, err := url.Parse(cfg.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: -url %q is not an http(s) address", errUsage, cfg.url)
	}
	a := &apiClient{base: strings.TrimRight(cfg.url, "/"), token: cfg.token, http: &http.Client{Timeout: 2 * time.Minute}}
	// One request first, so a wrong address or token fails once, clearly.
	if err := a.json(ctx, http.MethodGet, "/api/v1/pages?limit=1", nil, nil); err != nil {
		return fmt.Errorf("import: %s: %w", cfg.url, err)
	}
	rep := site.Report
	files := 0
	for _, p := range site.Pages {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, n, err := importRemotePage(ctx, a, p)
		files += n
		switch {
		case err != nil:
			rep.Failed = append(rep.Failed, importer.Note{File: p.Path, What: err.Error()})
		case res == "unchanged":
			rep.Unchanged++
		case res == "created":
			rep.Created++
		default:
			rep.Updated++
		}
	}
	aliases := 0
	for _, p := range site.Pages {
		aliases += len(p.Aliases)
	}
	rep.Print(m.Stdout, dir, len(site.Pages), false)
	fmt.Fprintf(m.Stdout, "sent to %s: %d files uploaded or removed\n", cfg.url, files)
	if aliases > 0 {
		fmt.Fprintf(m.Stdout, "note: %d old addresses (aliases) are set only by an import into a stopped server's folder\n", aliases)
	}
	if len(rep.Failed) > 0 {
		return fmt.Errorf("%d pages could not be imported", len(rep.Failed))
	}
	return nil
}

// importRemotePage saves one page and makes its files the ones p has. It
// says "created", "updated" or "unchanged", and how many files it sent or
// removed.
func importRemotePage(ctx context.Context, a *apiClient, p *importer.Page) (string, int, error) {
	var cur remotePage
	exists := true
	err := a.json(ctx, http.MethodGet, pagePath(p.Slug), nil, &cur)
	var af *apiFailure
	if errors.As(err, &af) && af.Status == http.StatusNotFound {
		exists = false
		// A deleted page: write its next revision.
		var revs []struct {
			Revision int `json:"revision"`
		}
		if err := a.json(ctx, http.MethodGet, pagePath(p.Slug)+"/revisions", nil, &revs); err == nil && len(revs) > 0 {
			cur.Revision = revs[0].Revision
		}
	} else if err != nil {
		return "", 0, err
	}
	body := map[string]any{"title": p.Title, "markdown": p.Markdown, "base_revision": cur.Revision, "summary": "Imported from " + p.Path}
	if p.Tags != nil {
		body["tags"] = p.Tags
	}
	var put struct {
		Revision int `json:"revision"`
	}
	if err := a.json(ctx, http.MethodPut, pagePath(p.Slug), body, &put); err != nil {
		return "", 0, err
	}
	outcome := "updated"
	switch {
	case !exists:
		outcome = "created"
	case put.Revision == cur.Revision:
		outcome = "unchanged"
	}
	// Files: send those that are new or changed, remove those the folder
	// no longer has.
	have := map[string]string{}
	for _, f := range cur.Attachments {
		have[f.Name] = f.SHA256
	}
	want := map[string]bool{}
	n := 0
	for _, f := range p.Files {
		want[f.Name] = true
		sum := sha256.Sum256(f.Data)
		if have[f.Name] == hex.EncodeToString(sum[:]) {
			continue
		}
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		w, err := mw.CreateFormFile("file", f.Name)
		if err == nil {
			_, err = w.Write(f.Data)
		}
		if err == nil {
			err = mw.Close()
		}
		if err != nil {
			return "", n, err
		}
		if err := a.do(ctx, http.MethodPost, pagePath(p.Slug)+"/attachments", mw.FormDataContentType(), &buf, nil); err != nil {
			return "", n, fmt.Errorf("file %s: %w", f.Name, err)
		}
		n++
	}
	for name := range have {
		if !want[name] {
			if err := a.do(ctx, http.MethodDelete, pagePath(p.Slug)+"/attachments/"+url.PathEscape(name), "", nil, nil); err != nil {
				return "", n, fmt.Errorf("remove file %s: %w", name, err)
			}
			n++
		}
	}
	if n > 0 && outcome == "unchanged" {
		outcome = "updated"
	}
	return outcome, n, nil
}
