package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/search"
	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// benchPage is a realistic FAQ page of about 50 KB: many questions with
// answers, lists, links and a table.
func benchPage() string {
	var b strings.Builder
	for i := 0; b.Len() < 50<<10; i++ {
		fmt.Fprintf(&b, "## How do I do task number %d?\n\nAsk the **service desk** for access to [the tool](https://example.com/t%d), then see [[Related page %d]].\n\n- step one\n- step two with `code`\n\n| a | b |\n|---|---|\n| %d | x |\n\n", i, i, i%7, i)
	}
	return b.String()
}

// newBenchServer returns a server open for reading, and an editor's API
// token for writing.
func newBenchServer(b *testing.B, cacheBytes int) (*Server, *wiki.Wiki, string) {
	db, err := store.Open(b.TempDir()+"/faqwiki.db", store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	w := wiki.New(wiki.Config{Store: db, RenderCacheBytes: cacheBytes})
	acc := wiki.NewAccounts(wiki.AccountsConfig{Store: db, Password: cheapPasswords})
	srv, err := New(Config{Wiki: w, Accounts: acc, Cohorts: newCohorts(db), Search: mustIndex(b, db), OpenReading: true})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := acc.CreateAccount(b.Context(), wiki.NewAccount{Username: "bench", Password: testPassword, Role: wiki.RoleEditor}); err != nil {
		b.Fatal(err)
	}
	token, _, err := acc.CreateToken(b.Context(), "bench", "")
	if err != nil {
		b.Fatal(err)
	}
	return srv, w, "Bearer " + token
}

// BenchmarkPageView measures GET /wiki/{slug} through the whole router:
// "cached" serves the rendered revision from memory, "uncached" renders
// it on every request (a cache too small to hold it), and "static" serves
// a static file, the floor for any request through the same middleware.
func BenchmarkPageView(b *testing.B) {
	for _, bc := range []struct {
		name  string
		cache int
		token bool
		path  func(*Server) string
	}{
		{"static", 0, false, func(s *Server) string { return s.assets.url("icon.svg") }},
		{"cached", 0, false, func(*Server) string { return "/wiki/faq" }},
		{"cached-token", 0, true, func(*Server) string { return "/wiki/faq" }},
		{"uncached", 1, false, func(*Server) string { return "/wiki/faq" }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			srv, w, auth := newBenchServer(b, bc.cache)
			if _, err := w.Save(b.Context(), wiki.Edit{Slug: "faq", Title: "FAQ", Markdown: benchPage()}); err != nil {
				b.Fatal(err)
			}
			path := bc.path(srv)
			req := httptest.NewRequest(http.MethodGet, path, nil)
			if bc.token {
				req.Header.Set("Authorization", auth)
			}
			rec := &discardRecorder{}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				rec.reset()
				srv.ServeHTTP(rec, req)
				if rec.code != http.StatusOK {
					b.Fatal(rec.code)
				}
			}
		})
	}
}

// BenchmarkPageViewBareGin serves the bytes of the cached view of
// BenchmarkPageView's page from a bare gin handler in the same harness:
// what BenchmarkPageView/cached-token costs more is faqwiki's own.
func BenchmarkPageViewBareGin(b *testing.B) {
	srv, w, auth := newBenchServer(b, 0)
	if _, err := w.Save(b.Context(), wiki.Edit{Slug: "faq", Title: "FAQ", Markdown: benchPage()}); err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/wiki/faq", nil)
	req.Header.Set("Authorization", auth)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	body := rec.Body.Bytes()
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/*path", func(c *gin.Context) { c.Data(http.StatusOK, "text/html; charset=utf-8", body) })
	d := &discardRecorder{}
	b.ReportAllocs()
	for b.Loop() {
		d.reset()
		r.ServeHTTP(d, req)
	}
}

// discardRecorder is an http.ResponseWriter that counts what it is sent
// and keeps nothing, as a network connection would: httptest's recorder
// grows a buffer for every answer, which is not what is measured.
type discardRecorder struct {
	h    http.Header
	code int
	n    int
}

func (d *discardRecorder) reset() {
	clear(d.h)
	d.code, d.n = 0, 0
}

func (d *discardRecorder) Header() http.Header {
	if d.h == nil {
		d.h = http.Header{}
	}
	return d.h
}

func (d *discardRecorder) Write(b []byte) (int, error) {
	if d.code == 0 {
		d.code = http.StatusOK
	}
	d.n += len(b)
	return len(b), nil
}

func (d *discardRecorder) WriteString(s string) (int, error) {
	if d.code == 0 {
		d.code = http.StatusOK
	}
	d.n += len(s)
	return len(s), nil
}

func (d *discardRecorder) WriteHeader(code int) {
	if d.code == 0 {
		d.code = code
	}
}

// BenchmarkEdit measures PUT /api/v1/pages/{slug} of a 50 KB page, each
// request changing one line, through the router with a real bbolt commit.
func BenchmarkEdit(b *testing.B) {
	srv, w, auth := newBenchServer(b, 0)
	text := benchPage()
	if _, err := w.Save(b.Context(), wiki.Edit{Slug: "faq", Title: "FAQ", Markdown: text}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 1
	for b.Loop() {
		body := put(strings.Replace(text, "task number 5?", fmt.Sprintf("task number 5 (v%d)?", n), 1), n, "")
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPut, "/api/v1/pages/faq", strings.NewReader(body))
		req.Header.Set("Authorization", auth)
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code, rec.Body.String())
		}
		n++
	}
}

// BenchmarkEditsConcurrent has 32 editors save one-line edits of pages of
// their own (about 5 KB each) through the router, with the search index
// following the change feed as in the server; it reports edits per
// second and how long the index took to catch up after the last edit.
func BenchmarkEditsConcurrent(b *testing.B) {
	db, err := store.Open(b.TempDir()+"/faqwiki.db", store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	renderer := wiki.NewRenderer() // shared, as the server shares it
	ix, err := search.Open(b.TempDir()+"/index", db, renderer, search.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	w := wiki.New(wiki.Config{Store: db, Renderer: renderer, OnCommit: func(*wiki.Revision) { ix.Notify() }})
	acc := wiki.NewAccounts(wiki.AccountsConfig{Store: db, Password: cheapPasswords})
	srv, err := New(Config{Wiki: w, Accounts: acc, Cohorts: newCohorts(db), Search: ix})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := acc.CreateAccount(b.Context(), wiki.NewAccount{Username: "bench", Password: testPassword, Role: wiki.RoleEditor}); err != nil {
		b.Fatal(err)
	}
	token, _, _ := acc.CreateToken(b.Context(), "bench", "")
	ctx, cancel := context.WithCancel(b.Context())
	done := make(chan struct{})
	go func() { ix.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	const editors = 32
	texts := make([][]string, editors)
	revs := make([]int, editors)
	for e := range editors {
		var sb strings.Builder
		for q := 0; sb.Len() < 5000; q++ {
			fmt.Fprintf(&sb, "## How do I do thing %d for editor %d?\n\nAsk the service desk for access, then see [[Guide %d]] and wait a day or two for the answer to come.\n\n", q, e, q%5)
		}
		texts[e] = strings.Split(sb.String(), "\n")
	}
	edit := func(e, i int) {
		texts[e][2+i%(len(texts[e])-2)] = fmt.Sprintf("Edited by %d, edit %d.", e, i)
		body := put(strings.Join(texts[e], "\n"), revs[e], `,"title":"Page"`)
		req := httptest.NewRequest(http.MethodPut, fmt.Sprintf("/api/v1/pages/bench/e%d", e), strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusCreated {
			b.Error(rec.Code, rec.Body.String())
			return
		}
		var a struct{ Revision int }
		json.Unmarshal(rec.Body.Bytes(), &a)
		revs[e] = a.Revision
	}
	for e := range editors {
		edit(e, 0)
	}
	var next atomic.Int64
	b.ResetTimer()
	var wg sync.WaitGroup
	for e := range editors {
		wg.Go(func() {
			for i := 1; int(next.Add(1)) <= b.N; i++ {
				edit(e, i)
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "edits/s")
	last, _ := db.LastSeq(b.Context())
	start := time.Now()
	for ix.Seq() < last {
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds()), "index-lag-ms")
}
