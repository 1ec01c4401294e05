package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
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

func (s *suite) getJSON(ctx context.Context, path string, v any) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+path, nil)
	req.Header.Set("Authorization", s.auth)
	resp, err := s.client.Do(req)
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
	body, _ := json.Marshal(map[string]any{"title": p.Title, "markdown": p.Markdown, "tags": p.Tags, "base_revision": base})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, s.base+"/api/v1/pages/"+p.Slug, bytes.NewReader(body))
	req.Header.Set("Authorization", s.auth)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var a struct {
		Revision int
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 && resp.StatusCode != 201 {
		return 0, fmt.Errorf("PUT %s: %d %s", p.Slug, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return 0, err
	}
	return a.Revision, nil
}

// ceilingGin starts the bare gin server for body.
func (s *suite) ceilingGin(ctx context.Context, body []byte) (*proc, string, error) {
	file := filepath.Join(s.cfg.Dir, "body.html")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		return nil, "", err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", s.cfg.Port+1)
	p, err := start(ctx, s.cfg.ServerCPU, "", s.cfg.Exe, "bench", "ceiling-gin", "-addr", addr, "-body", file, "-type", "text/html; charset=utf-8")
	if err != nil {
		return nil, "", err
	}
	if err := p.waitLine("ready", 30*time.Second); err != nil {
		p.stop()
		return nil, "", err
	}
	return p, addr, nil
}

func (s *suite) views(ctx context.Context) error {
	addr := hostPort(s.base)
	hot := "/wiki/" + s.corpus.HotPage().Slug
	c := dial(addr, s.auth)
	status, err := c.get(hot, true)
	c.close()
	if err != nil || status != 200 {
		return fmt.Errorf("bench: GET %s: %d %v", hot, status, err)
	}
	body := bytes.Clone(c.body.Bytes())
	lim := Limits{N: s.cfg.N, D: s.cfg.D}
	warm := Limits{N: 2000, D: 2 * time.Second}

	gp, gaddr, err := s.ceilingGin(ctx, body)
	if err != nil {
		return err
	}
	getMix(ctx, "warm", gaddr, s.auth, s.cfg.Conc, warm, func(int) string { return hot })
	getMix(ctx, "warm", addr, s.auth, s.cfg.Conc, warm, func(int) string { return hot })
	ceil, r := alternate(lim, func(l Limits) *Result {
		return getMix(ctx, "gin", gaddr, s.auth, s.cfg.Conc, l, func(int) string { return hot })
	}, func(l Limits) *Result {
		return getMix(ctx, "view", addr, s.auth, s.cfg.Conc, l, func(int) string { return hot })
	})
	gp.stop()
	s.add(row{what: fmt.Sprintf("view of a cached page (%d KB), signed in with a token", len(body)>>10), r: r,
		ceiling: fmt.Sprintf("bare gin, same bytes: %.0f/s", ceil.PerSec()), ratio: r.PerSec() / ceil.PerSec()})
	s.add(row{what: "  (ceiling) bare gin handler, same bytes", r: ceil})

	n := s.cfg.Pages
	spread := func(i int) string {
		return "/wiki/" + s.corpus.Slug(int(rand.New(rand.NewPCG(uint64(i), 9)).IntN(n)))
	}
	r = getMix(ctx, "spread", addr, s.auth, s.cfg.Conc, lim, spread)
	s.add(row{what: fmt.Sprintf("views spread over all %d pages", n), r: r,
		ceiling: fmt.Sprintf("bare gin, hot page: %.0f/s", ceil.PerSec()), ratio: r.PerSec() / ceil.PerSec(),
		note: "pages of 3-11 KB rendered on first view (the render cache holds 64 MB)"})
	return nil
}

// rounds is how many turns alternate gives each of the two it compares.
const rounds = 5

// alternate measures a and b in turns, rounds times each within lim, and
// adds up each one's turns: a machine shared with others is slower at
// some moments than at others, and turns spread that over both.
func alternate(lim Limits, a, b func(Limits) *Result) (*Result, *Result) {
	turn := Limits{N: max(1, lim.N/rounds), D: lim.D / rounds}
	var ra, rb *Result
	for range rounds {
		ra = merge(ra, a(turn))
		rb = merge(rb, b(turn))
	}
	return ra, rb
}

// merge adds r to sum.
func merge(sum, r *Result) *Result {
	if sum == nil {
		return r
	}
	sum.N += r.N
	sum.Errors += r.Errors
	sum.Elapsed += r.Elapsed
	if sum.FirstErr == "" {
		sum.FirstErr = r.FirstErr
	}
	sum.Lat = append(sum.Lat, r.Lat...)
	slices.Sort(sum.Lat)
	return sum
}

// searchPath is the API search for query q.
func searchPath(q string) string { return "/api/v1/search?q=" + url.QueryEscape(q) }

func (s *suite) search(ctx context.Context) error {
	addr := hostPort(s.base)
	qs := s.queries
	lim := Limits{N: min(s.cfg.N, 5*len(qs)), D: s.cfg.D}
	// warm runs the 200 queries from from: a restarted server has read
	// nothing of its index yet.
	warm := func(from int) {
		getMix(ctx, "warm", addr, s.auth, 1, Limits{N: 200, D: 5 * time.Second}, func(i int) string { return searchPath(qs[(from+i)%len(qs)]) })
	}
	warm(0)
	// Latency one at a time, in turns with the raw bleve query on the
	// same index: the machine is shared, and a ceiling measured at another
	// moment (once, after the server stopped) was measured under other
	// load; turns spread that over both. Each turn starts at another place
	// in the query list, and bleve runs exactly the queries the server
	// answered in that turn, so both answer the same queries. The server
	// holds the index, so it stops for bleve's turns and starts again, and
	// is warmed, for its own.
	turn := Limits{N: max(1, lim.N/searchRounds), D: lim.D / searchRounds}
	var ours, raw *Result
	for k := range searchRounds {
		o, r, err := s.searchTurn(ctx, k, turn)
		if err != nil {
			return err
		}
		ours, raw = merge(ours, o), merge(raw, r)
		warm((k + 1) * len(qs) / searchRounds)
	}
	s.add(row{what: "search, one at a time (latency)", r: ours,
		ceiling: fmt.Sprintf("raw bleve match query: p50 %s p99 %s p999 %s", ms(raw.Pct(.5)), ms(raw.Pct(.99)), ms(raw.Pct(.999))),
		ratio:   float64(ours.Pct(.99)) / float64(raw.Pct(.99)),
		note:    fmt.Sprintf("ratio: p99 over raw bleve's p99 (lower is better); %d turns each, the same queries", searchRounds)})
	s.add(row{what: "  (ceiling) raw bleve match query, same queries, same index", r: raw})
	r := getMix(ctx, "search", addr, s.auth, s.cfg.Conc, lim, func(i int) string { return searchPath(qs[i%len(qs)]) })
	s.add(row{what: fmt.Sprintf("search, %d at a time (throughput)", s.cfg.Conc), r: r})
	return nil
}

// searchTurn is turn k of the search latency: the server answers the
// queries from the k-th of searchRounds parts of the list on, one at a
// time within lim;
// then it stops, raw bleve runs exactly the queries it answered, and the
// server starts again on the same folder, caught up, to be warmed.
func (s *suite) searchTurn(ctx context.Context, k int, lim Limits) (ours, raw *Result, err error) {
	qs := s.queries
	from := k * len(qs) / searchRounds
	ours = getMix(ctx, "search", hostPort(s.base), s.auth, 1, lim, func(i int) string { return searchPath(qs[(from+i)%len(qs)]) })
	if err := s.server.stop(); err != nil {
		return nil, nil, err
	}
	s.server = nil
	asked := make([]string, ours.N)
	for i := range asked {
		asked[i] = qs[(from+i)%len(qs)]
	}
	qfile := filepath.Join(s.cfg.Dir, fmt.Sprintf("queries-%d.txt", k))
	if err := os.WriteFile(qfile, []byte(strings.Join(asked, "\n")+"\n"), 0o600); err != nil {
		return nil, nil, err
	}
	if raw, err = s.rawBleve(ctx, qfile, Limits{N: ours.N, D: 4*lim.D + 10*time.Second}); err != nil {
		return nil, nil, err
	}
	if s.server, _, err = s.startServer(ctx, s.data, filepath.Join(s.cfg.Dir, fmt.Sprintf("server-search-%d.log", k))); err != nil {
		return nil, nil, err
	}
	return ours, raw, s.waitIndexed(ctx, time.Minute)
}

// searchRounds is how many turns the search latency and its ceiling
// take each: more than alternate's, since a turn is short next to the
// bursts of load from elsewhere on a shared machine.
const searchRounds = 10

// rawBleve runs the queries of qfile as raw bleve match queries, one at a
// time within lim, on the index the server built, in a process of their
// own on the server's CPU; the server must be stopped (it holds the
// index).
func (s *suite) rawBleve(ctx context.Context, qfile string, lim Limits) (*Result, error) {
	out, err := runOutput(ctx, s.cfg.ServerCPU, s.cfg.Exe, "bench", "ceiling-bleve", "-index", filepath.Join(s.data, "index"),
		"-queries", qfile, "-c", "1", "-n", strconv.Itoa(lim.N), "-d", lim.D.String())
	if err != nil {
		return nil, err
	}
	var j jsonResult
	if err := json.Unmarshal(out, &j); err != nil {
		return nil, err
	}
	return fromJSON("bleve", j), nil
}

// indexSize prints the size of the index the server built (the server
// is stopped).
func (s *suite) indexSize() {
	idx := dirSize(filepath.Join(s.data, "index"))
	s.printf("index: %.1f MB for %.1f MB of Markdown: %.1fx the text\n", float64(idx)/1e6, float64(s.textBytes)/1e6, float64(idx)/float64(max(s.textBytes, 1)))
}

func (s *suite) edits(ctx context.Context) error {
	e := s.cfg.Editors
	lim := Limits{N: s.cfg.N, D: s.cfg.D}
	// Each editor's page, and the texts they change line by line.
	pages := make([]Page, e)
	revs := make([]int, e)
	lines := make([][]string, e)
	for w := range e {
		p := s.corpus.Page(w, 1)
		p.Slug = fmt.Sprintf("bench/edit-%02d", w)
		rev, err := s.put(ctx, p, 0)
		if err != nil {
			return err
		}
		pages[w], revs[w], lines[w] = p, rev, strings.Split(p.Markdown, "\n")
	}
	if err := s.waitIndexed(ctx, time.Minute); err != nil {
		return err
	}
	probes := s.startProbes()
	count := make([]int, e) // edits by each editor: each changes the next line
	r := run(ctx, "edit", e, lim, func(w, i int) error {
		ls := lines[w]
		k := 2 + count[w]%(len(ls)-2)
		count[w]++
		word := fmt.Sprintf("zqx%dq%d", w, i)
		ls[k] = "Edited by " + word + "."
		p := pages[w]
		p.Markdown = strings.Join(ls, "\n")
		rev, err := s.put(ctx, p, revs[w])
		if err != nil {
			return err
		}
		revs[w] = rev
		if i%10 == 0 {
			probes.offer(word)
		}
		return nil
	})
	probes.stop()
	// How far behind the index is when the edits stop, and how long it
	// takes to catch up.
	h, err := s.health(ctx)
	if err != nil {
		return err
	}
	caught := time.Now()
	if err := s.waitIndexed(ctx, 10*time.Minute); err != nil {
		return err
	}
	behind := fmt.Sprintf("index %d changes behind when the edits stopped, caught up %s later", h.IndexLag, time.Since(caught).Round(time.Millisecond))

	out, err := runOutput(ctx, s.cfg.ServerCPU, s.cfg.Exe, "bench", "ceiling-bolt", "-path", filepath.Join(s.cfg.Dir, "ceiling.db"),
		"-c", strconv.Itoa(e), "-size", "1024", "-n", strconv.Itoa(lim.N), "-d", lim.D.String())
	if err != nil {
		return err
	}
	var j jsonResult
	if err := json.Unmarshal(out, &j); err != nil {
		return err
	}
	ceil := fromJSON("bbolt", j)
	s.add(row{what: fmt.Sprintf("%d editors, each on a page of their own (one line changed)", e), r: r,
		ceiling: fmt.Sprintf("raw bbolt Batch, %d writers: %.0f/s", e, ceil.PerSec()), ratio: r.PerSec() / ceil.PerSec(),
		note: probes.summary() + "; " + behind})
	s.add(row{what: fmt.Sprintf("  (ceiling) raw bbolt Batch, %d writers, 1 KB each, same disk", e), r: ceil})

	return s.editsOfOnePage(ctx, ceil)
}

// editsOfOnePage puts all editors on one page, each changing a paragraph
// of their own: every save merges with the saves since the editor's read.
func (s *suite) editsOfOnePage(ctx context.Context, ceil *Result) error {
	e := s.cfg.Editors
	lim := Limits{N: s.cfg.N, D: s.cfg.D}
	paras := make([]string, e)
	for w := range paras {
		paras[w] = fmt.Sprintf("Paragraph %d, not edited yet.", w)
	}
	shared := Page{Slug: "bench/shared", Title: "Shared page", Markdown: strings.Join(paras, "\n\n") + "\n"}
	if _, err := s.put(ctx, shared, 0); err != nil {
		return err
	}
	var mu sync.Mutex
	base := 1
	r := run(ctx, "same", e, Limits{N: min(lim.N, 5000), D: lim.D}, func(w, i int) error {
		mu.Lock()
		from := base
		ps := append([]string(nil), paras...)
		mu.Unlock()
		ps[w] = fmt.Sprintf("Paragraph %d, edit %d.", w, i)
		p := shared
		p.Markdown = strings.Join(ps, "\n\n") + "\n"
		rev, err := s.put(ctx, p, from)
		if err != nil {
			return err
		}
		mu.Lock()
		paras[w] = ps[w]
		if rev > base {
			base = rev
		}
		mu.Unlock()
		return nil
	})
	s.add(row{what: fmt.Sprintf("%d editors on one page (merged)", e), r: r,
		ceiling: fmt.Sprintf("raw bbolt Batch, %d writers: %.0f/s", e, ceil.PerSec()), ratio: r.PerSec() / ceil.PerSec(),
		note: "each merged with the saves made since its read"})
	return nil
}

// searchProbes look for words that edits wrote until search finds them,
// two at a time: a word offered while both checkers are busy is not
// probed, or the probes would queue and their lag be the queue's.
type searchProbes struct {
	ch       chan probe
	checkers sync.WaitGroup
	mu       sync.Mutex
	lags     []time.Duration
	lost     atomic.Int64
}

type probe struct {
	word string
	at   time.Time
}

func (s *suite) startProbes() *searchProbes {
	sp := &searchProbes{ch: make(chan probe)}
	for range 2 {
		sp.checkers.Go(func() {
			c := dial(hostPort(s.base), s.auth)
			defer c.close()
			for p := range sp.ch {
				sp.find(c, p)
			}
		})
	}
	return sp
}

// find searches for p's word until it is found or 10 s have passed.
func (sp *searchProbes) find(c *conn, p probe) {
	for {
		status, err := c.get(searchPath(p.word), true)
		if err == nil && status == 200 && bytes.Contains(c.body.Bytes(), []byte(`"total":`)) && !bytes.Contains(c.body.Bytes(), []byte(`"total":0`)) {
			sp.mu.Lock()
			sp.lags = append(sp.lags, time.Since(p.at))
			sp.mu.Unlock()
			return
		}
		if time.Since(p.at) > 10*time.Second {
			sp.lost.Add(1)
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// offer probes word, just written, if a checker is free.
func (sp *searchProbes) offer(word string) {
	select {
	case sp.ch <- probe{word, time.Now()}:
	default:
	}
}

// stop waits for the probes under way.
func (sp *searchProbes) stop() {
	close(sp.ch)
	sp.checkers.Wait()
}

func (sp *searchProbes) summary() string {
	lr := &Result{Lat: sp.lags, N: len(sp.lags)}
	sortDurations(lr.Lat)
	return fmt.Sprintf("searchable after: p50 %s p99 %s max %s (%d probes, %d not found in 10 s)", ms(lr.Pct(.5)), ms(lr.Pct(.99)), ms(lr.Pct(1)), len(sp.lags), sp.lost.Load())
}

// mixed runs views, searches and edits at once and samples the server's
// memory.
func (s *suite) mixed(ctx context.Context) error {
	addr := hostPort(s.base)
	hot := "/wiki/" + s.corpus.HotPage().Slug
	n := s.cfg.Pages
	lim := Limits{N: s.cfg.N, D: s.cfg.D}
	var peak atomic.Int64
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if v := rss(s.server.pid()); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	cpu0 := cpuTime(s.server.pid())
	var wg sync.WaitGroup
	var views, searches, edits *Result
	wg.Go(func() {
		views = getMix(ctx, "views", addr, s.auth, s.cfg.Conc, lim, func(i int) string {
			if i%2 == 0 {
				return hot
			}
			return "/wiki/" + s.corpus.Slug(rand.New(rand.NewPCG(uint64(i), 10)).IntN(n))
		})
	})
	wg.Go(func() {
		searches = getMix(ctx, "searches", addr, s.auth, 2, lim, func(i int) string { return searchPath(s.queries[(i*7)%len(s.queries)]) })
	})
	wg.Go(func() {
		revs := map[int]int{}
		var mu sync.Mutex
		edits = run(ctx, "edits", 4, Limits{N: lim.N / 10, D: lim.D}, func(w, i int) error {
			k := (i * 13) % n
			p := s.corpus.Page(k, n)
			p.Markdown += fmt.Sprintf("\nEdited in the mixed load (%d).\n", i)
			mu.Lock()
			base, ok := revs[k]
			mu.Unlock()
			if !ok {
				base = 1
			}
			rev, err := s.put(ctx, p, base)
			if err == nil {
				mu.Lock()
				revs[k] = rev
				mu.Unlock()
			}
			return err
		})
	})
	wg.Wait()
	close(stop)
	used := cpuTime(s.server.pid()) - cpu0
	s.add(row{what: "mixed: views (half the hot page)", r: views})
	s.add(row{what: "mixed: searches, 2 at a time", r: searches})
	s.add(row{what: "mixed: edits, 4 editors", r: edits,
		note: fmt.Sprintf("server memory (RSS) at most %.0f MB during the mixed load; %.1f s of CPU", float64(peak.Load())/1e6, used.Seconds())})
	s.printf("memory: the server's RSS peaked at %.0f MB during the mixed load (%d pages)\n", float64(peak.Load())/1e6, n)
	return nil
}

// storage edits a 50 KB page 1,000 times (fewer if -n says so), a line
// each, and measures the growth of the pages that hold the data (and of
// the bytes in use as the server counts them).
func (s *suite) storage(ctx context.Context) error {
	p := s.corpus.BigPage(50 << 10)
	var cur struct{ Revision int }
	if err := s.getJSON(ctx, "/api/v1/pages/"+p.Slug, &cur); err != nil {
		return err
	}
	before, err := s.health(ctx)
	if err != nil {
		return err
	}
	held0, err := s.bytesReachable(ctx)
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
	after, err := s.health(ctx)
	if err != nil {
		return err
	}
	held1, err := s.bytesReachable(ctx)
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
		line += fmt.Sprintf("\n%-62s %s", "", r.note)
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
