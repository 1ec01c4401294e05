package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

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
