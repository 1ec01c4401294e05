package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config is what a run of the suite does.
type Config struct {
	Exe   string // the faqwiki binary to run as server and ceilings
	Dir   string // a work folder (data folders, logs, files)
	Pages int    // pages in the corpus

	// ServerCPU and ClientCPU pin the server (and every ceiling) and the
	// load to one CPU each; -1 leaves them free.
	ServerCPU, ClientCPU int
	Port                 int // the server listens on Port, ceilings on Port+1

	Conc    int           // connections of the view and search mixes
	Editors int           // concurrent editors of the edit mixes
	N       int           // operations per mix, at most
	D       time.Duration // time per mix, at most

	// Phases to run ("" or "all": every one): load, view, search, edit,
	// mixed, storage, start, import. view, search, edit, mixed, storage
	// and start need load.
	Phases string

	Out io.Writer
}

func (c *Config) phase(name string) bool {
	if c.Phases == "" || c.Phases == "all" {
		return true
	}
	for _, p := range strings.Split(c.Phases, ",") {
		if strings.TrimSpace(p) == name {
			return true
		}
	}
	return false
}

// suite is one run.
type suite struct {
	cfg    Config
	corpus *Corpus
	data   string // the server's data folder
	base   string // http://127.0.0.1:port
	auth   string // "Bearer <admin token>"
	server *proc
	client *http.Client
	out    io.Writer

	textBytes int64 // Markdown loaded
	queries   []string
	rows      []row
}

// row is a line of the summary.
type row struct {
	what    string
	r       *Result
	ceiling string  // what the figure is compared with
	ratio   float64 // the figure over its ceiling (or the other way round, as note says)
	note    string
}

// Run runs the suite and prints its progress and summary.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Pages < 1 || cfg.Conc < 1 || cfg.Editors < 1 || cfg.N < 1 || cfg.D <= 0 {
		return errors.New("bench: pages, connections, editors, operations and duration must be positive")
	}
	s := &suite{cfg: cfg, corpus: NewCorpus(1), data: filepath.Join(cfg.Dir, "data"), out: cfg.Out,
		base:   fmt.Sprintf("http://127.0.0.1:%d", cfg.Port),
		client: &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
	s.queries = s.corpus.Queries(1000)
	if cfg.ClientCPU >= 0 && !pinSelf(cfg.ClientCPU) {
		s.printf("could not pin the load to CPU %d; it runs unpinned\n", cfg.ClientCPU)
	}
	s.printf("faqwiki bench: %d pages, server on CPU %s, load on CPU %s, %d CPUs, %s; each mix stops after %d operations or %s\n",
		cfg.Pages, cpuName(cfg.ServerCPU), cpuName(cfg.ClientCPU), runtime.NumCPU(), runtime.Version(), cfg.N, cfg.D)
	defer func() {
		if s.server != nil {
			s.server.stop()
		}
	}()
	var err error
	if cfg.phase("load") {
		err = s.load(ctx)
	}
	for _, ph := range []struct {
		name string
		fn   func(context.Context) error
	}{{"storage", s.storage}, {"view", s.views}, {"search", s.search}, {"edit", s.edits}, {"mixed", s.mixed}} {
		if err == nil && cfg.phase(ph.name) && cfg.phase("load") {
			// Each phase starts on an idle server: the index has applied
			// what the phase before changed.
			if err = s.waitIndexed(ctx, 10*time.Minute); err == nil {
				err = ph.fn(ctx)
			}
		}
	}
	if err == nil && cfg.phase("load") {
		if err = s.server.stop(); err == nil {
			s.server = nil
			if cfg.phase("search") {
				s.indexSize()
			}
			if err == nil && cfg.phase("start") {
				err = s.startTime(ctx)
			}
		}
	}
	if err == nil && cfg.phase("import") {
		err = s.importPhase(ctx)
	}
	s.summary()
	return err
}

func cpuName(c int) string {
	if c < 0 {
		return "any"
	}
	return strconv.Itoa(c)
}

func (s *suite) printf(format string, args ...any) { fmt.Fprintf(s.out, format, args...) }

// startServer starts faqwiki serve on data and waits until it listens.
func (s *suite) startServer(ctx context.Context, data, log string) (*proc, time.Duration, error) {
	t := time.Now()
	p, err := start(ctx, s.cfg.ServerCPU, log, s.cfg.Exe, "serve", "-data", data, "-addr", hostPort(s.base))
	if err != nil {
		return nil, 0, err
	}
	if err := p.waitLine("faqwiki is running", 5*time.Minute); err != nil {
		p.stop()
		return nil, 0, err
	}
	return p, time.Since(t), nil
}

// load makes the data folder with an admin and a token, starts the
// server and loads the corpus through the API.
func (s *suite) load(ctx context.Context) error {
	if _, err := os.Stat(s.data); err == nil {
		return fmt.Errorf("bench: %s exists; give an empty work folder", s.data)
	}
	cmd := command(ctx, -1, s.cfg.Exe, "user", "add", "bench", "--role", "admin", "-data", s.data)
	cmd.Stdin = strings.NewReader("a long passphrase for the suite\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("bench: user add: %v\n%s", err, out)
	}
	tok, err := runOutput(ctx, -1, s.cfg.Exe, "token", "create", "bench", "-data", s.data)
	if err != nil {
		return err
	}
	s.auth = "Bearer " + strings.TrimSpace(string(tok))
	if s.server, _, err = s.startServer(ctx, s.data, filepath.Join(s.cfg.Dir, "server.log")); err != nil {
		return err
	}

	start := time.Now()
	n := s.cfg.Pages
	var done atomic.Int64
	var bytes atomic.Int64
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				d := done.Load()
				s.printf("  loading: %d of %d pages, %.0f pages/s\n", d, n, float64(d)/time.Since(start).Seconds())
			}
		}
	}()
	var next atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				p := s.corpus.Page(i, n)
				if _, err := s.put(ctx, p, 0); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				bytes.Add(int64(len(p.Markdown)))
				done.Add(1)
			}
		})
	}
	wg.Wait()
	close(stop)
	if firstErr != nil {
		return firstErr
	}
	s.textBytes = bytes.Load()
	took := time.Since(start)
	for _, p := range []Page{s.corpus.HotPage(), s.corpus.BigPage(50 << 10)} {
		if _, err := s.put(ctx, p, 0); err != nil {
			return err
		}
		s.textBytes += int64(len(p.Markdown))
	}
	s.printf("loaded %d pages (%.1f MB of Markdown) through the API in %s: %.0f pages/s\n", n, float64(s.textBytes)/1e6, took.Round(time.Millisecond), float64(n)/took.Seconds())
	t := time.Now()
	if err := s.waitIndexed(ctx, 10*time.Minute); err != nil {
		return err
	}
	s.printf("search index caught up %s after the last page\n", time.Since(t).Round(time.Millisecond))
	return nil
}

// health reads the admin's /healthz.
type health struct {
	StoreSeq     uint64 `json:"store_seq"`
	IndexSeq     uint64 `json:"index_seq"`
	IndexLag     uint64 `json:"index_lag"`
	DBBytes      int64  `json:"db_bytes"`
	DBBytesInUse int64  `json:"db_bytes_in_use"`
}

func (s *suite) health(ctx context.Context) (health, error) {
	var h health
	err := s.getJSON(ctx, "/healthz", &h)
	return h, err
}

func (s *suite) waitIndexed(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		h, err := s.health(ctx)
		if err == nil && h.IndexLag == 0 && h.StoreSeq > 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench: the index did not catch up within %s (%+v, %v)", limit, h, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// get sends the server a GET of path as the suite's admin.
func (s *suite) get(ctx context.Context, path string) (*http.Response, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+path, nil)
	req.Header.Set("Authorization", s.auth)
	return s.client.Do(req)
}

func (s *suite) getJSON(ctx context.Context, path string, v any) error {
	resp, err := s.get(ctx, path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 && resp.StatusCode != 503 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// put saves p on top of revision base and returns the new revision.
func (s *suite) put(ctx context.Context, p Page, base int) (int, error) {
	rev, _, err := s.save(ctx, p, base)
	return rev, err
}

// save is put that also reports whether the server merged p with saves
// made since base.
func (s *suite) save(ctx context.Context, p Page, base int) (rev int, merged bool, err error) {
	body, _ := json.Marshal(map[string]any{"title": p.Title, "markdown": p.Markdown, "tags": p.Tags, "base_revision": base})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, s.base+"/api/v1/pages/"+p.Slug, bytes.NewReader(body))
	req.Header.Set("Authorization", s.auth)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	var a struct {
		Revision int
		Merged   bool
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 && resp.StatusCode != 201 {
		return 0, false, fmt.Errorf("PUT %s: %d %s", p.Slug, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return 0, false, err
	}
	return a.Revision, a.Merged, nil
}

func (s *suite) add(r row) {
	s.rows = append(s.rows, r)
	s.printRow(r)
}

func (s *suite) printRow(r row) {
	line := fmt.Sprintf("%-62s", r.what)
	if r.r != nil && r.r.N > 0 {
		line += fmt.Sprintf(" %8d %9.0f/s  p50 %8s  p99 %8s  p999 %8s", r.r.N, r.r.PerSec(), ms(r.r.Pct(.5)), ms(r.r.Pct(.99)), ms(r.r.Pct(.999)))
		if r.r.Errors > 0 {
			line += fmt.Sprintf("  %d errors (%s)", r.r.Errors, r.r.FirstErr)
		}
	}
	if r.ceiling != "" {
		line += fmt.Sprintf("\n%-62s ratio %.2f  (%s)", "", r.ratio, r.ceiling)
	}
	if r.note != "" {
		for l := range strings.SplitSeq(r.note, "\n") {
			line += fmt.Sprintf("\n%-62s %s", "", l)
		}
	}
	fmt.Fprintln(s.out, line)
}

func (s *suite) summary() {
	s.printf("\nsummary (%d pages)\n", s.cfg.Pages)
	for _, r := range s.rows {
		s.printRow(r)
	}
}

// ms shows a duration in milliseconds with three digits.
func ms(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.3fms", float64(d)/1e6)
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.0fms", float64(d)/1e6)
}

func sortDurations(d []time.Duration) { slices.Sort(d) }
