package main

import (
	"math"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"testing"
	"time"
)

func TestProcsFloor(t *testing.T) {
	for _, tt := range []struct {
		current int
		env     string
		want    int
	}{
		{1, "", minProcs},            // one CPU: raised
		{minProcs - 1, "", minProcs}, // a few: raised
		{minProcs, "", 0},            // enough: left as it is
		{16, "", 0},
		{1, "1", 0}, // the operator said: theirs
		{1, "8", 0},
	} {
		if got := procsFloor(tt.current, tt.env); got != tt.want {
			t.Errorf("procsFloor(%d, %q) = %d, want %d", tt.current, tt.env, got, tt.want)
		}
	}
}

func TestGCSettings(t *testing.T) {
	const gb = 1 << 30
	for _, tt := range []struct {
		gogc, memlimit string
		memory         int64
		percent        int
		limit          int64
		ok             bool
	}{
		{"", "", 8 * gb, gcPercent, 4 * gb, true}, // half the memory
		{"", "", 0, 0, 0, false},                  // memory unknown: nothing bounds the heap, so Go's default
		{"200", "", 8 * gb, 0, 0, false},          // the operator said: theirs
		{"", "2GiB", 8 * gb, 0, 0, false},
	} {
		percent, limit, ok := gcSettings(tt.gogc, tt.memlimit, tt.memory)
		if percent != tt.percent || limit != tt.limit || ok != tt.ok {
			t.Errorf("gcSettings(%q, %q, %d) = %d, %d, %v; want %d, %d, %v", tt.gogc, tt.memlimit, tt.memory, percent, limit, ok, tt.percent, tt.limit, tt.ok)
		}
	}
	if runtime.GOOS == "linux" && memoryAvailable() <= 0 {
		t.Error("memoryAvailable found no memory on Linux")
	}
}

// TestServerRunsWithItsRuntimeSettings: the binary raises GOMAXPROCS when
// the machine (or its share of one) gives it fewer CPUs, while people
// write, and goes back to Go's own number writesQuiet after; it runs GOGC
// gcPercent under a memory limit. Its /metrics says so.
func TestServerRunsWithItsRuntimeSettings(t *testing.T) {
	for _, v := range []string{"GOMAXPROCS", "GOGC", "GOMEMLIMIT"} {
		t.Setenv(v, "") // unset for the child: the settings are for the defaults
	}
	p := startProcess(t, t.TempDir())
	write := func() {
		// A sign-in is a write, whether or not it gets in.
		resp, err := http.PostForm(p.base+"/login", url.Values{"username": {"nobody"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	var body string
	metric := func(name string) float64 {
		f, err := strconv.ParseFloat(metricValue(body, name), 64)
		if err != nil {
			t.Errorf("%s in /metrics: %v", name, err)
		}
		return f
	}
	write()
	body = scrapeMetrics(t, p.base)
	if procs := metric("go_sched_gomaxprocs_threads"); procs < minProcs {
		t.Errorf("after a write the server runs with GOMAXPROCS %v, want at least %d", procs, minProcs)
	}
	own := float64(runtime.GOMAXPROCS(0)) // this test's, as Go chose it
	if own < minProcs {
		deadline := time.Now().Add(writesQuiet + 10*time.Second)
		for metric("go_sched_gomaxprocs_threads") != own && time.Now().Before(deadline) {
			time.Sleep(200 * time.Millisecond)
			body = scrapeMetrics(t, p.base)
		}
		if procs := metric("go_sched_gomaxprocs_threads"); procs != own {
			t.Errorf("%v after the last write the server runs with GOMAXPROCS %v, want Go's own %v", writesQuiet, procs, own)
		}
		write()
		body = scrapeMetrics(t, p.base)
		if procs := metric("go_sched_gomaxprocs_threads"); procs < minProcs {
			t.Errorf("after a new write the server runs with GOMAXPROCS %v, want at least %d", procs, minProcs)
		}
	}
	if memoryAvailable() <= 0 {
		return // Go's defaults: checked by TestGCSettings
	}
	if gogc := metric("go_gc_gogc_percent"); gogc != gcPercent {
		t.Errorf("the server runs with GOGC %v, want %d", gogc, gcPercent)
	}
	if limit := metric("go_gc_gomemlimit_bytes"); limit <= 0 || limit >= math.MaxInt64 {
		t.Errorf("the server's memory limit is %v bytes, want one", limit)
	}
}

func TestProcsGovernor(t *testing.T) {
	own := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(own) })
	g := &procsGovernor{low: 1, high: 3, quiet: time.Minute}
	runtime.GOMAXPROCS(1)
	g.Writing()
	if n := runtime.GOMAXPROCS(0); n != 3 || !g.raised.Load() {
		t.Fatalf("after a write: GOMAXPROCS %d (raised %v), want 3", n, g.raised.Load())
	}
	now := time.Now()
	g.lowerIfQuiet(now.Add(30 * time.Second))
	if n := runtime.GOMAXPROCS(0); n != 3 {
		t.Errorf("half the quiet time after a write: GOMAXPROCS %d, want 3", n)
	}
	g.lowerIfQuiet(now.Add(2 * time.Minute))
	if n := runtime.GOMAXPROCS(0); n != 1 || g.raised.Load() {
		t.Errorf("after the quiet time: GOMAXPROCS %d (raised %v), want 1", n, g.raised.Load())
	}
	g.lowerIfQuiet(now.Add(3 * time.Minute)) // already low: nothing to do
	g.Writing()
	if n := runtime.GOMAXPROCS(0); n != 3 {
		t.Errorf("after the next write: GOMAXPROCS %d, want 3", n)
	}
}
