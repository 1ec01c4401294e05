package bench

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"
)

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

// views measures views of the hot page against a bare gin handler serving
// the same bytes, in turns, and then views spread over every page.
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
