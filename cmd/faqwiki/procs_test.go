package main

import (
	"math"
	"runtime"
	"strconv"
	"testing"
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
// the machine (or its share of one) gives it fewer CPUs, and runs GOGC
// gcPercent under a memory limit, as its /metrics says.
func TestServerRunsWithItsRuntimeSettings(t *testing.T) {
	for _, v := range []string{"GOMAXPROCS", "GOGC", "GOMEMLIMIT"} {
		t.Setenv(v, "") // unset for the child: the settings are for the defaults
	}
	p := startProcess(t, t.TempDir())
	body := scrapeMetrics(t, p.base)
	metric := func(name string) float64 {
		f, err := strconv.ParseFloat(metricValue(body, name), 64)
		if err != nil {
			t.Errorf("%s in /metrics: %v", name, err)
		}
		return f
	}
	if procs := metric("go_sched_gomaxprocs_threads"); procs < minProcs {
		t.Errorf("the server runs with GOMAXPROCS %v, want at least %d", procs, minProcs)
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
