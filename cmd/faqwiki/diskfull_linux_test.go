package main

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// setFileSizeLimit sets the soft RLIMIT_FSIZE of process pid: the kernel
// then refuses (EFBIG) every write that would make any file it writes
// bigger than limit bytes, just as a full disk refuses (ENOSPC) a write
// that needs a block. RLIM_INFINITY lifts it again.
func setFileSizeLimit(t *testing.T, pid int, limit uint64) {
	t.Helper()
	var old unix.Rlimit
	if err := unix.Prlimit(pid, unix.RLIMIT_FSIZE, nil, &old); err != nil {
		t.Skipf("cannot read the file size limit of the server process: %v", err)
	}
	if err := unix.Prlimit(pid, unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: limit, Max: old.Max}, nil); err != nil {
		t.Skipf("cannot set the file size limit of the server process: %v", err)
	}
}

// TestDiskFull runs the real binary and takes the disk away from it while
// it serves (a file size limit set on the process from outside): an edit
// that cannot be stored is answered with an error that says so and stores
// nothing, reads go on, and once there is room again the same edit is
// saved, with the next revision number. The folder then checks clean.
func TestDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	data := t.TempDir()
	token := mustAdmin(t, data)
	p := startProcess(t, data)
	pid := p.cmd.Process.Pid
	put := func(slug, text string, base int) (int, string) {
		body, _ := json.Marshal(map[string]any{"title": "Disk " + slug, "markdown": text, "base_revision": base})
		resp := do(t, token, "PUT", p.base+"/api/v1/pages/"+slug, string(body))
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := put("disk/small", "# Small\n\nfits on any disk\n", 0); code != 201 {
		t.Fatalf("first save: %d %s", code, body)
	}
	var before struct {
		StoreSeq uint64 `json:"store_seq"`
	}
	getJSON(t, token, p.base+"/healthz", &before)

	// Fill the disk: no file may grow past its size now.
	fi, err := os.Stat(filepath.Join(data, "faqwiki.db"))
	if err != nil {
		t.Fatal(err)
	}
	setFileSizeLimit(t, pid, uint64(fi.Size()))
	// 1.5 MiB that neither a delta nor compression makes small.
	rng := rand.New(rand.NewPCG(1, 2))
	var bb strings.Builder
	raw := make([]byte, 48)
	for bb.Len() < 1500000 {
		for i := range raw {
			raw[i] = byte(rng.Uint32())
		}
		bb.WriteString(base64.StdEncoding.EncodeToString(raw) + "\n")
	}
	big := "A long answer that needs more room than the disk has.\n" + bb.String()
	code, body := put("disk/big", big, 0)
	t.Logf("disk full: PUT of a %d-byte page answered %d %s", len(big), code, body)
	if code != 507 || !strings.Contains(body, `"storage_failed"`) || !strings.Contains(body, "nothing was saved") {
		t.Fatalf("a save on a full disk answered %d %s, want 507 storage_failed", code, body)
	}
	// Reads go on, and nothing of the failed save is there.
	var small struct{ Markdown string }
	if code := getJSON(t, token, p.base+"/api/v1/pages/disk/small", &small); code != 200 || !strings.Contains(small.Markdown, "fits on any disk") {
		t.Errorf("read on a full disk: %d %q", code, small.Markdown)
	}
	if resp := do(t, token, "GET", p.base+"/wiki/disk/small", ""); resp.StatusCode != 200 {
		t.Errorf("page view on a full disk: %d", resp.StatusCode)
	}
	if code := getJSON(t, token, p.base+"/api/v1/pages/disk/big", nil); code != 404 {
		t.Errorf("the failed page: status %d, want 404", code)
	}
	var during struct {
		StoreSeq uint64 `json:"store_seq"`
	}
	getJSON(t, token, p.base+"/healthz", &during)
	if during.StoreSeq != before.StoreSeq {
		t.Errorf("the change feed moved from %d to %d on a failed save", before.StoreSeq, during.StoreSeq)
	}
	// Edits of an existing page fail the same way.
	code, body = put("disk/small", "# Small\n\n"+big, 1)
	if code != 507 {
		t.Errorf("an edit on a full disk answered %d %s", code, body)
	}

	// Room again: the same saves go through.
	setFileSizeLimit(t, pid, unix.RLIM_INFINITY)
	if code, body := put("disk/big", big, 0); code != 201 {
		t.Fatalf("save after room returned: %d %s", code, body)
	}
	code, body = put("disk/small", "# Small\n\nfits, and grew\n", 1)
	if code != 200 || !strings.Contains(body, `"revision":2`) {
		t.Errorf("edit after room returned: %d %s, want revision 2", code, body)
	}
	t.Logf("room again: both saves went through (%s)", body)
	p.kill(t)
	out, errb, err := runCmd(t, data, "check")
	if err != nil {
		t.Fatalf("faqwiki check: %v\n%s%s", err, out, errb)
	}
	t.Logf("faqwiki check:\n%s", out)
	for _, line := range strings.Split(p.stderr.String(), "\n") {
		if strings.Contains(line, "could not be written to disk") {
			t.Logf("server log: %s", line)
		}
	}
	if !strings.Contains(p.stderr.String(), "could not be written to disk") {
		t.Errorf("the server did not log the storage failure:\n%s", p.stderr)
	}
}
