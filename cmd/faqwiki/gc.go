package main

import (
	"bytes"
	"os"
	"runtime/debug"
	"strconv"

	"github.com/faqwiki/faqwiki/cmd/faqwiki/internal/procfs"
)

// gcPercent is the GOGC faqwiki runs with, and memoryShare the part of
// the machine's memory (or of its cgroup's limit) its heap is kept to: a
// soft limit at which Go collects more often, whatever gcPercent allows.
// Go's default, GOGC 100 and no limit, collected so often under 32
// people saving at once that the saves went from about 1,250 to 1,800 a
// second at GOGC 400, with their p99 from about 100 ms to 60 ms (faqwiki
// bench -pages 5000 -phases load,edit, GOGC 100, 200 and 400 alternated);
// the heap may then grow to five times what is live, which the limit
// bounds.
const (
	gcPercent   = 400
	memoryShare = 0.5
)

// gcSettings returns the GOGC and the soft memory limit (bytes) to set,
// given the GOGC and GOMEMLIMIT environment variables and the memory the
// process may use (0 if unknown); ok is false to leave Go's settings as
// they are: when either variable is set (the operator's choice stands)
// or the memory is unknown (no limit could bound the heap).
func gcSettings(gogc, memlimit string, memory int64) (percent int, limit int64, ok bool) {
	if gogc != "" || memlimit != "" || memory <= 0 {
		return 0, 0, false
	}
	return gcPercent, int64(float64(memory) * memoryShare), true
}

// tuneGC applies gcSettings to this process.
func tuneGC(getenv func(string) string) {
	percent, limit, ok := gcSettings(getenv("GOGC"), getenv("GOMEMLIMIT"), memoryAvailable())
	if !ok {
		return
	}
	debug.SetMemoryLimit(limit)
	debug.SetGCPercent(percent)
}

// memoryAvailable returns the bytes of memory this process may use: the
// machine's (MemTotal in /proc/meminfo) or its cgroup's limit if that is
// lower (version 2, then version 1); 0 if neither can be read.
func memoryAvailable() int64 {
	total := procfs.KB("/proc/meminfo", "MemTotal")
	for _, path := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64) // "max": no limit
		if err == nil && n > 0 && (total == 0 || n < total) {
			total = n
		}
	}
	return total
}
