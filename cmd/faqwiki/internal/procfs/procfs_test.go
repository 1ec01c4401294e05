package procfs

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestKB(t *testing.T) {
	path := filepath.Join(t.TempDir(), "status")
	if err := os.WriteFile(path, []byte("Name:\tx\nVmRSS:\t   2048 kB\nMemTotal:       24683520 kB\nOdd:\t12 pages\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		key  string
		want int64
	}{
		{"VmRSS", 2048 << 10},
		{"MemTotal", 24683520 << 10},
		{"Odd", 0},     // not in kB
		{"Missing", 0}, // no such line
		{"Mem", 0},     // a prefix of a key is not the key
	} {
		if got := KB(path, tt.key); got != tt.want {
			t.Errorf("KB(%q) = %d, want %d", tt.key, got, tt.want)
		}
	}
	if KB(filepath.Join(t.TempDir(), "none"), "VmRSS") != 0 {
		t.Error("a missing file gave a figure")
	}
	if runtime.GOOS == "linux" && KB("/proc/self/status", "VmRSS") <= 0 {
		t.Error("no VmRSS for this process")
	}
}
