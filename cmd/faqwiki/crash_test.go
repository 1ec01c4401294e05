package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
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

// startProcess runs faqwiki serve over dataDir in a child process and
// returns its base URL.
func startProcess(t *testing.T, dataDir string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "-addr", "127.0.0.1:0", "-data", dataDir)
	cmd.Env = append(os.Environ(), "FAQWIKI_TEST_MAIN=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
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
	}()
	select {
	case a := <-addr:
		return cmd, "http://" + a
	case <-time.After(20 * time.Second):
		t.Fatal("the server process did not start")
	}
	return nil, ""
}

// TestAcknowledgedEditsSurviveAKill saves pages from several clients at
// once, kills the server with SIGKILL in the middle of it, starts it again
// and checks that every edit that was answered 2xx is there.
func TestAcknowledgedEditsSurviveAKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	data := t.TempDir()
	token := mustAdmin(t, data)
	cmd, base := startProcess(t, data)

	var mu sync.Mutex
	acked := map[string]int{}     // slug -> last acknowledged revision
	ackedText := map[string]int{} // slug -> the i of the last acknowledged text
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 1; !stop.Load() && i <= 2000; i++ {
				slug := fmt.Sprintf("crash/w%d-p%d", w, (i-1)%5)
				rev := (i - 1) / 5 // this writer's earlier revisions of this page
				// Each text carries a word of its own (e.g. "w2i17"), so that
				// both the store and the index can be checked for exactly it.
				body := fmt.Sprintf(`{"title":"T","markdown":"edit w%di%d\n","base_revision":%d}`, w, i, rev)
				req, _ := http.NewRequest("PUT", base+"/api/v1/pages/"+slug, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return // the server is gone
				}
				resp.Body.Close()
				if resp.StatusCode/100 == 2 {
					mu.Lock()
					acked[slug] = rev + 1
					ackedText[slug] = i
					mu.Unlock()
				}
			}
		}(w)
	}
	// Kill it in the middle of the writing: once a good number of edits
	// were answered, while the writers go on.
	wikitest.Eventually(t, "edits to be acknowledged", func() bool {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, rev := range acked {
			n += rev
		}
		return n >= 40
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	stop.Store(true)
	wg.Wait()
	cmd.Wait()
	if len(acked) == 0 {
		t.Fatal("no edit was acknowledged before the kill")
	}

	_, base = startProcess(t, data)
	n := 0
	for slug, rev := range acked {
		var p struct {
			Revision int
			Markdown string
		}
		if code := getJSON(t, token, base+"/api/v1/pages/"+slug, &p); code != 200 || p.Revision < rev {
			t.Errorf("%s: status %d, revision %d; revision %d was acknowledged", slug, code, p.Revision, rev)
			continue
		}
		n += rev
		// The acknowledged text is there, unless a later edit whose answer
		// the kill cut off replaced it (then the revision is newer).
		var w, i int
		fmt.Sscanf(slug, "crash/w%d-", &w)
		i = ackedText[slug]
		if want := fmt.Sprintf("edit w%di%d\n", w, i); p.Revision == rev && p.Markdown != want {
			t.Errorf("%s revision %d holds %q, want %q", slug, rev, p.Markdown, want)
		}
		// The search index, killed mid-batch too, opens (or is rebuilt)
		// and catches up with exactly this text.
		word := strings.TrimSpace(strings.TrimPrefix(p.Markdown, "edit "))
		wikitest.Eventually(t, "the index to catch up with "+word, func() bool { return searchTotal(t, token, base, word) == 1 })
	}
	t.Logf("%d acknowledged revisions of %d pages all survived SIGKILL", n, len(acked))
}
