package main

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// minProcs is the fewest goroutines faqwiki lets run at once (Go's
// GOMAXPROCS, which is otherwise the number of CPUs it may use). A save
// waits for the disk twice (bbolt's fdatasyncs) and so do the search
// index's persister and merger; while a goroutine is in such a system
// call it holds its P until the runtime's monitor takes it back, tens of
// microseconds to milliseconds later, and with one P per CPU that CPU sits
// idle meanwhile. On one CPU (a small VM or container, or the suite's
// pinned server), the CPU was idle a quarter of the time with 32 people
// saving at once; with 4 Ps it was busy, and the saves went from about 650
// to about 1,250 a second with every edit searchable in about 0.3 s rather
// than 2 (faqwiki bench -phases load,edit, GOMAXPROCS 1 to 4 alternated).
// Reads pay for it: the Ps' threads share the CPU and spin for work, and
// on one CPU views of a hot page under full load served 10-25% fewer a
// second with 4 Ps than with 1, their p99 about 10 ms rather than 1.3
// (wrk, and faqwiki bench -phases load,view, alternated). So a server
// runs with the raised number only while people write (procsGovernor):
// from the first write until writesQuiet after the last, long enough for
// the search index to take the writes in. Setting GOMAXPROCS stops Go
// from following later changes of a container's CPU limit, which matters
// only where the limit grows past minProcs.
const minProcs = 4

// procsBefore is GOMAXPROCS as Go chose it, when raiseProcs raised it (0
// when it did not: enough CPUs, the GOMAXPROCS variable set, or not run).
var procsBefore int

// procsFloor returns the GOMAXPROCS to set so that at least minProcs run,
// or 0 to leave it: when it is already that many or more, or when the
// GOMAXPROCS environment variable (env) says how many.
func procsFloor(current int, env string) int {
	if env != "" || current >= minProcs {
		return 0
	}
	return minProcs
}

// raiseProcs applies procsFloor to this process.
func raiseProcs(getenv func(string) string) {
	cur := runtime.GOMAXPROCS(0)
	if n := procsFloor(cur, getenv("GOMAXPROCS")); n > 0 {
		procsBefore = cur
		runtime.GOMAXPROCS(n)
	}
}

// writesQuiet is how long after the last write a server goes back to the
// Ps Go chose: the search index takes a burst of writes in within about a
// second (faqwiki bench's "searchable" figure).
const writesQuiet = 3 * time.Second

// procsGovernor raises GOMAXPROCS to high as writes begin and lowers it to
// low once none has begun for writesQuiet (see minProcs). Each change
// stops the world for a moment: it happens at most once a burst.
type procsGovernor struct {
	low, high int
	quiet     time.Duration
	last      atomic.Int64 // unix nanoseconds of the newest write
	raised    atomic.Bool

	mu sync.Mutex // held while GOMAXPROCS changes
}

// newProcsGovernor returns a governor when raiseProcs raised GOMAXPROCS,
// else nil (the operator chose, or the machine has enough CPUs). It
// starts raised: opening the data folder may rebuild the index.
func newProcsGovernor() *procsGovernor {
	if procsBefore == 0 {
		return nil
	}
	g := &procsGovernor{low: procsBefore, high: runtime.GOMAXPROCS(0), quiet: writesQuiet}
	g.raised.Store(true)
	g.last.Store(time.Now().UnixNano())
	return g
}

// Writing notes that a write begins, raising the Ps if they are low.
func (g *procsGovernor) Writing() {
	g.last.Store(time.Now().UnixNano())
	if g.raised.Load() {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.raised.Load() {
		runtime.GOMAXPROCS(g.high)
		g.raised.Store(true)
	}
}

// run lowers the Ps after each burst of writes, until ctx ends.
func (g *procsGovernor) run(ctx context.Context) {
	t := time.NewTicker(g.quiet / 4)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			g.lowerIfQuiet(time.Now())
		}
	}
}

// lowerIfQuiet lowers the Ps if no write has begun for g.quiet by now.
func (g *procsGovernor) lowerIfQuiet(now time.Time) {
	if !g.raised.Load() || now.UnixNano()-g.last.Load() < int64(g.quiet) {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.raised.Load() && now.UnixNano()-g.last.Load() >= int64(g.quiet) {
		runtime.GOMAXPROCS(g.low)
		g.raised.Store(false)
	}
}
