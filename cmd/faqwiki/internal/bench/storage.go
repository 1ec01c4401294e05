package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// storage edits a 50 KB page 1,000 times (fewer if -n says so), a line
// each, and measures the growth of the pages that hold the data (and of
// the bytes in use as the server counts them).
func (s *suite) storage(ctx context.Context) error {
	p := s.corpus.BigPage(50 << 10)
	var cur struct{ Revision int }
	if err := s.getJSON(ctx, "/api/v1/pages/"+p.Slug, &cur); err != nil {
		return err
	}
	// The bytes in use as the server counts them, and the pages the data
	// holds, before and after the edits.
	sizes := func() (health, int64, error) {
		h, err := s.health(ctx)
		if err != nil {
			return h, 0, err
		}
		held, err := s.bytesReachable(ctx)
		return h, held, err
	}
	before, held0, err := sizes()
	if err != nil {
		return err
	}
	lines := strings.Split(p.Markdown, "\n")
	rng := rand.New(rand.NewPCG(11, 11))
	rev := cur.Revision
	edits := min(1000, s.cfg.N) // the 1,000 unless -n asks for fewer
	r := run(ctx, "storage", 1, Limits{N: edits, D: 10 * time.Minute}, func(_, i int) error {
		k := rng.IntN(len(lines))
		lines[k] = fmt.Sprintf("Line %d, edited in revision %d.", k, rev+1)
		q := p
		q.Markdown = strings.Join(lines, "\n")
		var err error
		rev, err = s.put(ctx, q, rev)
		return err
	})
	after, held1, err := sizes()
	if err != nil {
		return err
	}
	per := float64(after.DBBytesInUse-before.DBBytesInUse) / float64(max(r.N, 1))
	perHeld := float64(held1-held0) / float64(max(r.N, 1))
	s.add(row{what: fmt.Sprintf("one-line edits of a %d KB page, one at a time", len(p.Markdown)>>10), r: r,
		note: fmt.Sprintf("pages held by the data grew %.0f bytes per edit; bytes in use (file less free list) %.0f (file %.1f MB)", perHeld, per, float64(after.DBBytes)/1e6)})
	s.printf("storage: %d one-line edits of a %d-byte page grew the pages held by the data by %.0f bytes per edit (bytes in use as the server counts them: %.0f)\n", r.N, len(p.Markdown), perHeld, per)
	return nil
}

// startTime starts the server again on the loaded folder and measures
// the time from starting the process until it serves a page.
func (s *suite) startTime(ctx context.Context) error {
	t := time.Now()
	p, listening, err := s.startServer(ctx, s.data, filepath.Join(s.cfg.Dir, "server-restart.log"))
	if err != nil {
		return err
	}
	defer p.stop()
	c := dial(hostPort(s.base), s.auth)
	defer c.close()
	status, err := c.get("/wiki/"+s.corpus.HotPage().Slug, false)
	if err != nil || status != 200 {
		return fmt.Errorf("bench: first view after start: %d %v", status, err)
	}
	served := time.Since(t)
	h, err := s.health(ctx)
	if err != nil {
		return err
	}
	s.add(row{what: fmt.Sprintf("start with %d pages and their index", s.cfg.Pages),
		note: fmt.Sprintf("listening after %s, first page served after %s; index %d changes behind; RSS %.0f MB",
			ms(listening), ms(served), h.IndexLag, float64(rss(p.pid()))/1e6)})
	return nil
}

// importPhase writes the corpus out as a folder of Markdown files and
// imports it into a new data folder with "faqwiki import" (which also
// builds the search index), against bleve indexing the same pages with
// its default mapping.
func (s *suite) importPhase(ctx context.Context) error {
	src := filepath.Join(s.cfg.Dir, "import-src")
	lines := filepath.Join(s.cfg.Dir, "import-pages.jsonl")
	jf, err := os.Create(lines)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(jf)
	var textBytes int64
	n := s.cfg.Pages
	for i := range n {
		p := s.corpus.Page(i, n)
		textBytes += int64(len(p.Markdown))
		file := filepath.Join(src, filepath.FromSlash(p.Slug)+".md")
		if i == 0 || filepath.Dir(file) != filepath.Dir(filepath.Join(src, filepath.FromSlash(s.corpus.Slug(i-1))+".md")) {
			if err := os.MkdirAll(filepath.Dir(file), 0o750); err != nil {
				return err
			}
		}
		front := fmt.Sprintf("---\ntitle: %q\ntags: [%s]\n---\n", p.Title, strings.Join(p.Tags, ", "))
		if err := os.WriteFile(file, []byte(front+p.Markdown), 0o600); err != nil {
			return err
		}
		if err := enc.Encode(p); err != nil {
			return err
		}
	}
	if err := jf.Close(); err != nil {
		return err
	}
	t := time.Now()
	imp, err := start(ctx, s.cfg.ServerCPU, filepath.Join(s.cfg.Dir, "import.log"), s.cfg.Exe, "import", src, "-data", filepath.Join(s.cfg.Dir, "import-data"))
	if err != nil {
		return err
	}
	<-imp.done
	took := time.Since(t)
	if imp.waitEr != nil {
		return fmt.Errorf("bench: import: %v\n%s", imp.waitEr, tail(imp.out.String(), 2000))
	}
	out, err := runOutput(ctx, s.cfg.ServerCPU, s.cfg.Exe, "bench", "ceiling-index", "-index", filepath.Join(s.cfg.Dir, "ceiling-index"), "-pages", lines)
	if err != nil {
		return err
	}
	var j jsonResult
	if err := json.Unmarshal(out, &j); err != nil {
		return err
	}
	ceil := float64(j.N) / time.Duration(j.Elapsed).Seconds()
	ours := float64(n) / took.Seconds()
	s.add(row{what: fmt.Sprintf("faqwiki import of %d pages (%.1f MB), index included", n, float64(textBytes)/1e6),
		ceiling: fmt.Sprintf("bleve indexing the same pages, default mapping: %.0f pages/s", ceil), ratio: ours / ceil,
		note: fmt.Sprintf("%.0f pages/s, %s in all", ours, took.Round(time.Millisecond))})
	return nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
