// Package wikitest has helpers for faqwiki's tests: waiting for something
// to become true without sleeping a guessed time, and a Markdown renderer
// a test can hold up, so tests of slow renders do not depend on how slow
// goldmark happens to be on some input on some machine.
package wikitest

import (
	"sync"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/faqwiki/faqwiki/wiki/markdown"
)

// HangGuard is how long Eventually waits before it gives up. It is not a
// speed requirement (speed belongs to benchmarks): only a bound that stops
// a broken test from hanging the run, generous enough for -race on a busy
// two-core machine.
const HangGuard = 30 * time.Second

// Eventually waits until cond reports true and fails the test with what
// (what it was waiting for) if that takes longer than HangGuard. It checks
// at once, then after a millisecond, backing off to every 100 ms, so a
// quick condition costs little and a slow one (a browser reloading a page)
// is not hammered. It returns how long it waited, for tests that log it.
func Eventually(tb testing.TB, what string, cond func() bool) time.Duration {
	tb.Helper()
	start := time.Now()
	pause := time.Millisecond
	for !cond() {
		if time.Since(start) > HangGuard {
			tb.Fatalf("gave up after %v waiting for %s", HangGuard, what)
		}
		time.Sleep(pause)
		pause = min(2*pause, 100*time.Millisecond)
	}
	return time.Since(start)
}

// GateRenderer is a wiki.Renderer that renders with the real renderer,
// but holds up the texts it is told to: such a render waits while the gate
// is closed, as a text that goldmark takes seconds over would. It counts
// the held renders that started.
type GateRenderer struct {
	real *markdown.Renderer
	hold func(src string) bool

	mu      sync.Mutex
	open    chan struct{} // closed when the gate is open
	started int
}

var _ wiki.Renderer = (*GateRenderer)(nil)

// NewGateRenderer returns a GateRenderer whose gate is closed. It holds up
// the texts for which hold reports true; a nil hold holds up every text.
func NewGateRenderer(hold func(src string) bool) *GateRenderer {
	if hold == nil {
		hold = func(string) bool { return true }
	}
	return &GateRenderer{real: wiki.NewRenderer(), hold: hold, open: make(chan struct{})}
}

// RenderDoc renders src with the real renderer, first waiting for the
// gate if src is one to hold up.
func (g *GateRenderer) RenderDoc(src string, d markdown.Doc) (*markdown.Rendered, error) {
	if !g.hold(src) {
		return g.real.RenderDoc(src, d)
	}
	g.mu.Lock()
	g.started++
	open := g.open
	g.mu.Unlock()
	<-open
	return g.real.RenderDoc(src, d)
}

// LinkTargets is the real renderer's: the gate holds up renders only.
func (g *GateRenderer) LinkTargets(src string) []markdown.LinkTarget { return g.real.LinkTargets(src) }

// Open lets waiting and future renders through.
func (g *GateRenderer) Open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
	default:
		close(g.open)
	}
}

// Close makes renders that start from now on wait again.
func (g *GateRenderer) Close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
		g.open = make(chan struct{})
	default:
	}
}

// Started returns how many held renders have started (waiting or done).
func (g *GateRenderer) Started() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.started
}
