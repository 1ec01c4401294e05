// Command faqload puts a bounded load on a faqwiki server running on this
// machine and reports throughput and latency percentiles, so that speed is
// measured the same way every time (and compared against a baseline
// measured in the same run, since shared machines are noisy).
//
//	faqload -url http://127.0.0.1:8080 -token $(faqwiki token create NAME) -mix view -c 8 -n 20000 -d 20s
//
// Mixes: "static" (a static asset: the baseline for the server's own
// overhead), "view" (page views), "edit" (concurrent edits of distinct
// pages), "same" (concurrent edits of one page: merges and retries), and
// "api" (JSON page reads). It only talks to loopback addresses, and every
// run stops after -n requests or -d time, whichever comes first.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "faqload:", err)
		os.Exit(1)
	}
}

type config struct {
	base       *url.URL
	conc, n    int
	dur        time.Duration
	pages      int
	staticPath string
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("faqload", flag.ContinueOnError)
	rawURL := fs.String("url", "http://127.0.0.1:8080", "server base URL (loopback only)")
	mixes := fs.String("mix", "static,view,api,edit,same", "comma-separated mixes to run in turn")
	var cfg config
	fs.IntVar(&cfg.conc, "c", 8, "concurrent clients")
	fs.IntVar(&cfg.n, "n", 5000, "requests per mix (upper bound)")
	fs.DurationVar(&cfg.dur, "d", 20*time.Second, "time per mix (upper bound)")
	fs.IntVar(&cfg.pages, "pages", 50, "pages to create for the view mix")
	token := fs.String("token", os.Getenv("FAQWIKI_TOKEN"), "API token of an editor (faqwiki token create NAME); FAQWIKI_TOKEN")
	if err := fs.Parse(args); err != nil {
		return err
	}
	u, err := url.Parse(*rawURL)
	if err != nil {
		return err
	}
	if err := checkLoopback(u); err != nil {
		return err
	}
	cfg.base = u
	if cfg.conc < 1 || cfg.n < 1 || cfg.dur <= 0 || cfg.conc > 256 || cfg.n > 1_000_000 || cfg.dur > 10*time.Minute {
		return errors.New("-c must be 1..256, -n 1..1000000, -d up to 10m")
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: bearer{token: *token, next: &http.Transport{MaxIdleConnsPerHost: cfg.conc * 2}}}
	if err := setup(client, &cfg); err != nil {
		return err
	}
	fmt.Fprintf(out, "%-7s %8s %9s %9s %9s %9s %7s\n", "mix", "requests", "req/s", "p50", "p90", "p99", "errors")
	var baseline float64
	for _, mix := range strings.Split(*mixes, ",") {
		r, err := load(client, cfg, strings.TrimSpace(mix))
		if err != nil {
			return err
		}
		line := fmt.Sprintf("%-7s %8d %9.0f %9s %9s %9s %7d", mix, r.n, r.rps, r.pct(50), r.pct(90), r.pct(99), r.errors)
		if mix == "static" {
			baseline = r.rps
		} else if baseline > 0 {
			line += fmt.Sprintf("   %.2fx static throughput", r.rps/baseline)
		}
		fmt.Fprintln(out, line)
	}
	return nil
}

// bearer adds the API token to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	if b.token != "" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+b.token)
	}
	return b.next.RoundTrip(r)
}

// checkLoopback refuses any target but this machine: load tests never
// leave it.
func checkLoopback(u *url.URL) error {
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s is not a loopback address; faqload only loads servers on this machine", host)
	}
	return nil
}

// setup creates the pages the mixes use and finds a static asset's URL.
func setup(c *http.Client, cfg *config) error {
	body := strings.Repeat("## A question\n\nAn answer with **some** words and a [link](/wiki/x).\n\n", 40)
	for i := 0; i < cfg.pages; i++ {
		if _, err := putPage(c, cfg.base, fmt.Sprintf("load/page-%d", i), body, -1); err != nil {
			return fmt.Errorf("setup: %w", err)
		}
	}
	resp, err := c.Get(cfg.base.JoinPath("/").String())
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	i := strings.Index(string(b), "/static/")
	if i < 0 {
		return errors.New("setup: no static asset linked from the home page")
	}
	cfg.staticPath = string(b[i : i+strings.IndexByte(string(b[i:]), '"')])
	return nil
}

// putPage saves text at slug on top of the current head (base -1 means
// look it up first) and returns the new revision.
func putPage(c *http.Client, base *url.URL, slug, text string, rev int) (int, error) {
	if rev < 0 {
		rev = 0
		if resp, err := c.Get(base.JoinPath("/api/v1/pages", slug).String()); err == nil {
			var p struct{ Revision int }
			json.NewDecoder(resp.Body).Decode(&p)
			resp.Body.Close()
			rev = p.Revision
		}
	}
	b, _ := json.Marshal(map[string]any{"title": slug, "markdown": text, "base_revision": rev})
	req, _ := http.NewRequest(http.MethodPut, base.JoinPath("/api/v1/pages", slug).String(), strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var a struct{ Revision int }
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil || resp.StatusCode >= 300 {
		return 0, fmt.Errorf("PUT %s: status %d", slug, resp.StatusCode)
	}
	return a.Revision, nil
}

// getPage reads a page's text and revision through the API.
func getPage(c *http.Client, base *url.URL, slug string) (string, int, error) {
	resp, err := c.Get(base.JoinPath("/api/v1/pages", slug).String())
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	var p struct {
		Markdown string
		Revision int
	}
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || resp.StatusCode != http.StatusOK {
		return "", 0, fmt.Errorf("GET %s: status %d", slug, resp.StatusCode)
	}
	return p.Markdown, p.Revision, nil
}

type result struct {
	n, errors int
	rps       float64
	lat       []time.Duration
}

func (r *result) pct(p int) string {
	if len(r.lat) == 0 {
		return "-"
	}
	d := r.lat[min(len(r.lat)-1, len(r.lat)*p/100)]
	return d.Round(time.Microsecond).String()
}

func load(c *http.Client, cfg config, mix string) (*result, error) {
	var do func(worker, i int) error
	switch mix {
	case "static":
		do = func(_, _ int) error { return get(c, cfg.base.String()+cfg.staticPath) }
	case "view":
		do = func(_, i int) error {
			return get(c, cfg.base.JoinPath("/wiki", fmt.Sprintf("load/page-%d", i%cfg.pages)).String())
		}
	case "api":
		do = func(_, i int) error {
			return get(c, cfg.base.JoinPath("/api/v1/pages", fmt.Sprintf("load/page-%d", i%cfg.pages)).String())
		}
	case "edit":
		revs := make([]int, cfg.conc)
		do = func(w, i int) error {
			base := revs[w]
			if base == 0 {
				base = -1 // first edit of this run: start from whatever is there
			}
			rev, err := putPage(c, cfg.base, fmt.Sprintf("load/edit-%d", w), fmt.Sprintf("edit %d by %d\n", i, w), base)
			revs[w] = rev
			return err
		}
	case "same":
		lines := make([]string, cfg.conc)
		for k := range lines {
			lines[k] = fmt.Sprintf("line %d", k)
		}
		if _, err := putPage(c, cfg.base, "load/shared", strings.Join(lines, "\n\n")+"\n", -1); err != nil {
			return nil, err
		}
		do = func(w, i int) error {
			// Every client reads the shared page, changes its own line and
			// saves: whoever saved in between forces a merge (or a retry
			// inside the server); no edit may be refused or lost.
			text, rev, err := getPage(c, cfg.base, "load/shared")
			if err != nil {
				return err
			}
			parts := strings.Split(text, "\n\n")
			if w < len(parts) {
				parts[w] = fmt.Sprintf("line %d edited %d", w, i)
			}
			_, err = putPage(c, cfg.base, "load/shared", strings.Join(parts, "\n\n"), rev)
			return err
		}
	default:
		return nil, fmt.Errorf("unknown mix %q", mix)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.dur)
	defer cancel()
	var next atomic.Int64
	var mu sync.Mutex
	res := &result{}
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < cfg.conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var lat []time.Duration
			errs := 0
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= cfg.n {
					break
				}
				t := time.Now()
				if err := do(w, i); err != nil {
					errs++
				}
				lat = append(lat, time.Since(t))
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.errors += errs
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	el := time.Since(start)
	res.n = len(res.lat)
	res.rps = float64(res.n) / el.Seconds()
	slices.Sort(res.lat)
	return res, nil
}

func get(c *http.Client, u string) error {
	resp, err := c.Get(u)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", u, resp.StatusCode)
	}
	return nil
}
