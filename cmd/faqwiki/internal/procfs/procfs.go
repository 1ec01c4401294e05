// Package procfs reads the few figures faqwiki takes from Linux's /proc.
package procfs

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// KB returns, in bytes, the figure of the line "key: N kB" of the /proc
// file at path (such as /proc/meminfo's MemTotal or a process's VmRSS in
// /proc/PID/status); 0 if the file or the line cannot be read.
func KB(path, key string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), key+":")
		if !ok {
			continue
		}
		if v, ok := strings.CutSuffix(strings.TrimSpace(rest), " kB"); ok {
			if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				return n << 10
			}
		}
		return 0
	}
	return 0
}
