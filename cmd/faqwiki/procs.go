package main

import "runtime"

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
// (wrk, and faqwiki bench -phases load,view, alternated). Lowering the Ps
// while nobody writes, and raising them at the first write, was tried: the
// views gained that back, but the edits did about 10% worse (5 alternated
// runs each, within the noise), so it was left out. Setting GOMAXPROCS
// stops Go from following later changes of a container's CPU limit, which
// matters only where the limit grows past minProcs.
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
