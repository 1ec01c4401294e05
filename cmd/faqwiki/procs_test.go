package main

import (
	"io"
	"net/http"
	"strconv"
	"strings"
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

// TestServerRunsWithTheProcsFloor: the binary raises GOMAXPROCS when the
// machine (or its share of one) gives it fewer CPUs, as its /metrics says.
func TestServerRunsWithTheProcsFloor(t *testing.T) {
	t.Setenv("GOMAXPROCS", "") // unset for the child: the floor is for the default
	p := startProcess(t, t.TempDir())
	resp, err := http.Get(p.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var procs int
	for line := range strings.Lines(string(body)) {
		if v, ok := strings.CutPrefix(line, "go_sched_gomaxprocs_threads "); ok {
			procs, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	if procs < minProcs {
		t.Errorf("the server runs with GOMAXPROCS %d, want at least %d (status %d)", procs, minProcs, resp.StatusCode)
	}
}
