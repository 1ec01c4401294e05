package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/wiki/wikitest"
)

// TestMain lets a test start this test binary as the faqwiki command in a
// process of its own (FAQWIKI_TEST_MAIN=1), so that it can kill it.
func TestMain(m *testing.M) {
	if os.Getenv("FAQWIKI_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// process is faqwiki serve running in a child process.
type process struct {
	cmd    *exec.Cmd
	base   string      // http://127.0.0.1:PORT
	stderr *syncBuffer // its log
}

// startProcess runs faqwiki serve over dataDir, with extra flags, in a
// child process and returns it once it listens. The test kills it at the
// end if it still runs.
func startProcess(t *testing.T, dataDir string, extra ...string) *process {
	t.Helper()
	args := append([]string{"serve", "-addr", "127.0.0.1:0", "-data", dataDir}, extra...)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "FAQWIKI_TEST_MAIN=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, stderr: &syncBuffer{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if _, rest, ok := strings.Cut(sc.Text(), "running at http://"); ok {
				addr <- strings.TrimSuffix(strings.Fields(rest)[0], "/")
			}
		}
		io.Copy(io.Discard, out)
	}()
	select {
	case a := <-addr:
		p.base = "http://" + a
		return p
	case <-time.After(30 * time.Second):
		t.Fatalf("the server process did not start:\n%s", p.stderr)
	}
	return nil
}

// kill ends the process with SIGKILL: no shutdown, no flush, no goodbye.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()
}

// ackedRev is a revision whose save was answered 2xx, with its text.
type ackedRev struct {
	n    int
	text string
}

// crashWriter edits its own pages over and over; it keeps every revision
// the server acknowledged.
type crashWriter struct {
	id    int
	token string
	mu    sync.Mutex
	acked map[string][]ackedRev // slug -> acknowledged revisions, in order
	seq   int                   // makes every text unique
}

func (w *crashWriter) slug(i int) string { return fmt.Sprintf("crash/w%d-p%d", w.id, i) }

// run saves edits to base until a request fails (the server is gone) or
// max edits were tried. It learns each page's head from the server first,
// since a save the kill cut off may have been committed unacknowledged.
func (w *crashWriter) run(client *http.Client, base string, max int) {
	heads := map[string]int{}
	for i := 0; i < max; i++ {
		slug := w.slug(i % 4)
		head, ok := heads[slug]
		if !ok {
			h, err := w.head(client, base, slug)
			if err != nil {
				return
			}
			head = h
		}
		w.seq++
		// Each text carries a word of its own ("w2s17"), so that the store
		// and the index can be checked for exactly it.
		text := fmt.Sprintf("edit w%ds%d\n\n%s\n", w.id, w.seq, strings.Repeat("some text of the page ", 1+w.seq%50))
		body, _ := json.Marshal(map[string]any{"title": "Crash " + slug, "markdown": text, "base_revision": head})
		req, _ := http.NewRequest("PUT", base+"/api/v1/pages/"+slug, strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+w.token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return // the server is gone
		}
		var ans struct {
			Revision int
			Merged   bool
		}
		err = json.NewDecoder(resp.Body).Decode(&ans)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 || err != nil {
			delete(heads, slug) // learn the head again
			continue
		}
		heads[slug] = ans.Revision
		w.mu.Lock()
		w.acked[slug] = append(w.acked[slug], ackedRev{ans.Revision, text})
		w.mu.Unlock()
	}
}

func (w *crashWriter) head(client *http.Client, base, slug string) (int, error) {
	req, _ := http.NewRequest("GET", base+"/api/v1/pages/"+slug, nil)
	req.Header.Set("Authorization", "Bearer "+w.token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return 0, nil
	}
	var p struct{ Revision int }
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || resp.StatusCode != 200 {
		return 0, fmt.Errorf("status %d: %v", resp.StatusCode, err)
	}
	return p.Revision, nil
}

// crashCycles is how many times TestCrashCycles kills the server;
// FAQWIKI_CRASH_CYCLES raises it for a longer soak.
func crashCycles() int {
	if n, err := strconv.Atoi(os.Getenv("FAQWIKI_CRASH_CYCLES")); err == nil && n > 0 {
		return n
	}
	return 12
}

// TestCrashCycles runs the real binary and kills it with SIGKILL again and
// again while four clients edit pages, starting it again each time. Then
// it checks that every edit that was ever answered 2xx is there, as that
// revision with that text; that every page's revisions are numbered 1..n
// without gaps; that "faqwiki check" finds the folder clean; and that the
// search index, killed mid-batch too, catches up with every page. It is
// bounded by a number of cycles, of edits per cycle, and of time.
func TestCrashCycles(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	data := t.TempDir()
	token := mustAdmin(t, data)
	writers := make([]*crashWriter, 4)
	for i := range writers {
		writers[i] = &crashWriter{id: i, token: token, acked: map[string][]ackedRev{}}
	}
	client := &http.Client{Timeout: 30 * time.Second}
	deadline := time.Now().Add(3 * time.Minute)
	cycles := 0
	for cycles < crashCycles() && time.Now().Before(deadline) {
		p := startProcess(t, data)
		var wg sync.WaitGroup
		for _, w := range writers {
			wg.Go(func() { w.run(client, p.base, 400) })
		}
		// Kill it at a moment of its own each cycle, while the writers
		// are in full flow (this is how long to let them write, not a
		// timing anything depends on).
		time.Sleep(time.Duration(150+rand.IntN(450)) * time.Millisecond)
		p.kill(t)
		wg.Wait()
		cycles++
	}
	acked, pages := 0, 0
	for _, w := range writers {
		for _, revs := range w.acked {
			acked += len(revs)
			pages++
		}
	}
	if acked == 0 {
		t.Fatal("no edit was acknowledged")
	}

	// The folder checks clean after the last kill.
	out, errb, err := runCmd(t, data, "check")
	if err != nil {
		t.Fatalf("faqwiki check after %d kills: %v\n%s%s", cycles, err, out, errb)
	}
	t.Logf("faqwiki check after the last kill:\n%s", out)

	p := startProcess(t, data)
	lost := 0
	for _, w := range writers {
		for slug, revs := range w.acked {
			// Gap-free revision numbers, newest first from the head.
			var list []struct{ Revision int }
			if code := getJSON(t, token, p.base+"/api/v1/pages/"+slug+"/revisions", &list); code != 200 || len(list) == 0 {
				t.Errorf("%s: revisions: status %d", slug, code)
				continue
			}
			for i, r := range list {
				if r.Revision != len(list)-i {
					t.Errorf("%s: revision numbers have a gap: %v", slug, list)
					break
				}
			}
			// Every acknowledged revision, with its text.
			for _, a := range revs {
				var rev struct{ Markdown string }
				code := getJSON(t, token, fmt.Sprintf("%s/api/v1/pages/%s/revisions/%d", p.base, slug, a.n), &rev)
				if code != 200 || rev.Markdown != a.text {
					lost++
					t.Errorf("%s revision %d: status %d, text %.40q; %.40q was acknowledged", slug, a.n, code, rev.Markdown, a.text)
				}
			}
			// The index catches up with the page's current text.
			var page struct{ Markdown string }
			getJSON(t, token, p.base+"/api/v1/pages/"+slug, &page)
			word := strings.Fields(page.Markdown)[1]
			wikitest.Eventually(t, "the search index to catch up", func() bool { return searchTotal(t, token, p.base, word) == 1 })
		}
	}
	t.Logf("crash test: %d kill -9 cycles, %d acknowledged edits of %d pages, lost %d; revision numbers gap-free, faqwiki check clean, search caught up",
		cycles, acked, pages, lost)
}
