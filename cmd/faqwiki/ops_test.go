package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki/wikitest"
)

// runServer starts the server in-process on a free loopback port over
// dataDir with extra flags and environment, and returns its base URL and
// its log. It stops when the test ends.
func runServer(t *testing.T, dataDir string, env map[string]string, extra ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var out, errb syncBuffer
	m := &Main{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }, Ready: func(a string) { ready <- a }}
	args := append([]string{"serve", "-addr", "127.0.0.1:0", "-data", dataDir}, extra...)
	go func() { done <- m.Run(ctx, args) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server ended with %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("server did not shut down")
		}
	})
	select {
	case addr := <-ready:
		return "http://" + addr, &errb
	case err := <-done:
		t.Fatalf("server did not start: %v\n%s", err, errb.String())
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start in time")
	}
	return "", nil
}

// drillWriter edits its pages and keeps every acknowledged revision.
type drillWriter struct {
	id    int
	mu    sync.Mutex
	acked map[string][]ackedRev
}

func (w *drillWriter) snapshot() map[string][]ackedRev {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string][]ackedRev{}
	for k, v := range w.acked {
		out[k] = append([]ackedRev(nil), v...)
	}
	return out
}

// TestRestoreDrill is the restore drill of the README, end to end: a
// backup taken over HTTP while four clients edit, restored into a fresh
// folder, served, and compared: every page and revision acknowledged
// before the backup began is there with its text.
func TestRestoreDrill(t *testing.T) {
	data := t.TempDir()
	token := mustAdmin(t, data)
	base := MustRunMain(t, data)

	var stop atomic.Bool
	var wg sync.WaitGroup
	var edits atomic.Int64
	writers := make([]*drillWriter, 4)
	for i := range writers {
		w := &drillWriter{id: i, acked: map[string][]ackedRev{}}
		writers[i] = w
		wg.Go(func() {
			heads := map[string]int{}
			for n := 0; !stop.Load() && n < 3000; n++ {
				slug := fmt.Sprintf("drill/w%d-p%d", w.id, n%5)
				text := fmt.Sprintf("drill w%dn%d\n\n%s\n", w.id, n, strings.Repeat("words of the answer ", 1+n%40))
				body, _ := json.Marshal(map[string]any{"title": "Drill " + slug, "markdown": text, "base_revision": heads[slug]})
				resp := do(t, token, "PUT", base+"/api/v1/pages/"+slug, string(body))
				var ans struct{ Revision int }
				json.NewDecoder(resp.Body).Decode(&ans)
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					t.Errorf("%s: status %d", slug, resp.StatusCode)
					return
				}
				heads[slug] = ans.Revision
				w.mu.Lock()
				w.acked[slug] = append(w.acked[slug], ackedRev{ans.Revision, text})
				w.mu.Unlock()
				edits.Add(1)
			}
		})
	}
	defer func() { stop.Store(true); wg.Wait() }()
	wikitest.Eventually(t, "edits to be acknowledged", func() bool { return edits.Load() >= 200 })

	// What was acknowledged before the backup began.
	before := map[string][]ackedRev{}
	for _, w := range writers {
		for k, v := range w.snapshot() {
			before[k] = v
		}
	}
	editsBefore := edits.Load()
	file := filepath.Join(t.TempDir(), "faqwiki-backup.db")
	out, errb, err := runCmdIn(t, "", "", "backup", "-url", base, "-token", token, "-o", file)
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, errb)
	}
	during := edits.Load() - editsBefore
	t.Logf("$ faqwiki backup -url %s -token … -o %s\n%s", base, filepath.Base(file), out)
	stop.Store(true)
	wg.Wait()
	if during == 0 {
		t.Log("(no edit was acknowledged while the backup ran)")
	}

	fresh := filepath.Join(t.TempDir(), "restored")
	out, errb, err = runCmd(t, fresh, "restore", file)
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, errb)
	}
	t.Logf("$ faqwiki restore %s -data restored\n%s", filepath.Base(file), out)
	out, errb, err = runCmd(t, fresh, "check")
	if err != nil {
		t.Fatalf("check: %v\n%s%s", err, out, errb)
	}
	t.Logf("$ faqwiki check -data restored\n%s", out)

	base2 := MustRunMain(t, fresh)
	pages, revisions := 0, 0
	for slug, revs := range before {
		pages++
		for _, a := range revs {
			revisions++
			var rev struct{ Markdown string }
			if code := getJSON(t, token, fmt.Sprintf("%s/api/v1/pages/%s/revisions/%d", base2, slug, a.n), &rev); code != 200 || rev.Markdown != a.text {
				t.Errorf("%s revision %d after the restore: status %d, %.30q; %.30q was acknowledged before the backup", slug, a.n, code, rev.Markdown, a.text)
			}
		}
	}
	// The restored wiki searches (its index was rebuilt) and takes edits.
	var last struct{ Markdown string }
	getJSON(t, token, base2+"/api/v1/pages/drill/w0-p0", &last)
	if word := strings.Fields(last.Markdown)[1]; searchTotal(t, token, base2, word) != 1 {
		t.Errorf("search for %q on the restored wiki found nothing", word)
	}
	t.Logf("restore drill: %d pages and %d revisions acknowledged before the backup began, all in the restored wiki (%d more edits were acknowledged while the backup ran)", pages, revisions, during)
}

func TestBackupOfAStoppedFolderAndRestoreRules(t *testing.T) {
	data := t.TempDir()
	if _, _, err := runCmd(t, data, "import", "testdata/handbook"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "b.db")
	out, _, err := runCmd(t, data, "backup", "-o", file)
	if err != nil || !strings.Contains(out, "backup written to") || !strings.Contains(out, "3 pages") {
		t.Fatalf("backup of a stopped folder: %q %v", out, err)
	}
	// To standard output, for a pipe.
	raw, errb, err := runCmd(t, data, "backup", "-o", "-")
	if err != nil || !strings.Contains(errb, "sha256") {
		t.Fatalf("backup -o -: %v %q", err, errb)
	}
	piped := filepath.Join(t.TempDir(), "piped.db")
	os.WriteFile(piped, []byte(raw), 0o600)
	if rep, err := store.Check(context.Background(), piped); err != nil || !rep.OK() || rep.Pages != 3 {
		t.Errorf("the piped backup checks as %+v, %v", rep, err)
	}
	// While a server holds the folder, it says to back up through the server.
	MustRunMain(t, data)
	if _, _, err := runCmd(t, data, "backup", "-o", file+"2"); err == nil || !strings.Contains(err.Error(), "-url") {
		t.Errorf("backup of a held folder: %v", err)
	}
	if _, _, err := runCmd(t, data, "check"); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("check of a held folder: %v", err)
	}
	// Restore refuses a folder with a database, and a damaged file.
	if _, _, err := runCmd(t, data, "restore", file); err == nil || !strings.Contains(err.Error(), "already holds a database") {
		t.Errorf("restore over a database: %v", err)
	}
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("junk", 5000)), 0o600)
	fresh := t.TempDir()
	if _, _, err := runCmd(t, fresh, "restore", junk); err == nil {
		t.Error("restore of junk succeeded")
	}
	if _, err := os.Stat(filepath.Join(fresh, "faqwiki.db")); err == nil {
		t.Error("a refused restore left a database behind")
	}
	// Usage mistakes.
	for _, args := range [][]string{{"backup"}, {"backup", "-token", "x", "-o", file}, {"backup", "-url", "http://127.0.0.1:1", "-o", file}, {"restore"}, {"check", "x"}} {
		if _, _, err := runCmd(t, fresh, args...); err == nil || exitCode(err) != 2 {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}

// TestCheckFindsAnIndexAheadOfTheStore restores an older backup beside a
// newer search index: check says so, and the server rebuilds the index.
func TestCheckFindsAnIndexAheadOfTheStore(t *testing.T) {
	data := t.TempDir()
	token := mustAdmin(t, data)
	file := filepath.Join(t.TempDir(), "old.db")
	if _, _, err := runCmd(t, data, "backup", "-o", file); err != nil {
		t.Fatal(err)
	}
	func() {
		base := MustRunMainT(t, data)
		defer base.stop()
		if resp := do(t, token, "PUT", base.url+"/api/v1/pages/later", `{"title":"Later","markdown":"zanzibar\n"}`); resp.StatusCode != 201 {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		wikitest.Eventually(t, "the search index to catch up", func() bool { return searchTotal(t, token, base.url, "zanzibar") == 1 })
	}()
	os.Remove(filepath.Join(data, "faqwiki.db"))
	if _, err := store.Restore(context.Background(), file, filepath.Join(data, "faqwiki.db")); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCmd(t, data, "check")
	if err == nil || !strings.Contains(out, "ahead of the store") {
		t.Errorf("check of an index ahead of the store: %q %v", out, err)
	}
	base, logs := runServer(t, data, nil)
	wikitest.Eventually(t, "the search index to catch up", func() bool { return searchTotal(t, token, base, "zanzibar") == 0 })
	wikitest.Eventually(t, "the log line about the index ahead of the store", func() bool { return strings.Contains(logs.String(), "ahead of the store") })
}

// serverHandle is a server started by MustRunMainT, stoppable early.
type serverHandle struct {
	url  string
	stop func()
}

// MustRunMainT is MustRunMain that the test can stop before it ends.
func MustRunMainT(t *testing.T, dataDir string) serverHandle {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var out, errb syncBuffer
	m := &Main{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, Ready: func(a string) { ready <- a }}
	go func() { done <- m.Run(ctx, []string{"serve", "-addr", "127.0.0.1:0", "-data", dataDir}) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("server ended with %v", err)
			}
		})
	}
	t.Cleanup(stop)
	select {
	case addr := <-ready:
		return serverHandle{url: "http://" + addr, stop: stop}
	case err := <-done:
		t.Fatalf("server did not start: %v\n%s", err, errb.String())
	}
	return serverHandle{}
}

func TestMetricsEndpoint(t *testing.T) {
	data := t.TempDir()
	token := mustAdmin(t, data)
	base, _ := runServer(t, data, nil)
	// Some traffic: a save, a view, a search that finds nothing, one that
	// finds something, and a failed sign-in.
	if resp := do(t, token, "PUT", base+"/api/v1/pages/it/vpn", `{"title":"VPN","markdown":"## Who gives access?\n\nThe service desk.\n"}`); resp.StatusCode != 201 {
		t.Fatal(resp.StatusCode)
	}
	do(t, token, "GET", base+"/wiki/it/vpn", "").Body.Close()
	do(t, token, "GET", base+"/wiki/it/vpn", "").Body.Close()
	wikitest.Eventually(t, "the search index to catch up", func() bool { return searchTotal(t, token, base, "service+desk") >= 1 })
	scrape := func() string { return scrapeMetrics(t, base) }
	value := metricValue
	wikitest.Eventually(t, "the index lag to reach 0", func() bool { return value(scrape(), "faqwiki_index_lag_changes") == "0" })
	none := value(scrape(), `faqwiki_searches_total{result="none"}`)
	searchTotal(t, token, base, "xylophonequartet")
	resp, _ := http.Post(base+"/api/v1/session", "application/json", strings.NewReader(`{"username":"boss","password":"not the password"}`))
	resp.Body.Close()
	// Methods a client made up are counted together, not one series each.
	do(t, token, "BREW", base+"/wiki/it/vpn", "").Body.Close()
	do(t, token, "XYZZY", base+"/wiki/it/vpn", "").Body.Close()
	body := scrape()
	if strings.Contains(body, `method="BREW"`) || strings.Contains(body, `method="XYZZY"`) {
		t.Error("/metrics has a series for a made-up method")
	}
	var other []string
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "faqwiki_http_requests_total{") && strings.Contains(line, `method="other"`) {
			other = append(other, line)
		}
	}
	if len(other) != 1 || !strings.HasSuffix(other[0], " 2") {
		t.Errorf("made-up methods counted as %q; want one series of method=\"other\" at 2", other)
	}
	if after := value(body, `faqwiki_searches_total{result="none"}`); after == none || after == "absent" {
		t.Errorf("a search that found nothing: none %s then %s", none, after)
	}
	for _, want := range []string{
		`faqwiki_http_requests_total{code="201",method="PUT",route="/api/v1/pages/*rest"} 1`,
		`faqwiki_http_requests_total{code="200",method="GET",route="/wiki/*slug"} 2`,
		`faqwiki_http_request_duration_seconds_bucket{method="GET",route="/wiki/*slug",le="+Inf"} 2`,
		`faqwiki_edits_total{kind="create"} 3`, // the welcome page, the front page and it/vpn
		`faqwiki_searches_total{result="hits"} `,
		`faqwiki_search_duration_seconds_count`,
		`faqwiki_login_failures_total 1`,
		`faqwiki_rate_limited_total 0`,
		`faqwiki_renders_total{cache="hit"}`,
		`faqwiki_renders_total{cache="miss"}`,
		`faqwiki_index_lag_changes 0`,
		`faqwiki_index_rebuilds_total 1`,
		`faqwiki_db_size_bytes `,
		`faqwiki_store_transaction_commits_total 3`, // the three creates
		`faqwiki_store_transactions_total `,
		`faqwiki_store_transaction_writes_total `,
		`faqwiki_store_transaction_seconds_bucket{le="0.0005"} `,
		`faqwiki_store_transaction_seconds_bucket{le="+Inf"} `,
		`faqwiki_store_transaction_write_seconds_count `,
		`faqwiki_edit_conflicts_total 0`,
		`faqwiki_build_info{`,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	var sample []string
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "faqwiki_") && !strings.Contains(line, "_bucket{") {
			sample = append(sample, line)
		}
	}
	t.Logf("/metrics sample:\n%s", strings.Join(sample, "\n"))
}

func TestMetricsProtection(t *testing.T) {
	data := t.TempDir()
	base, _ := runServer(t, data, map[string]string{"FAQWIKI_METRICS_TOKEN": "scrape-secret", "FAQWIKI_METRICS_LOCAL": "off"})
	get := func(token string) int {
		req, _ := http.NewRequest("GET", base+"/metrics", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(""); code != 403 {
		t.Errorf("no token, local off: %d, want 403", code)
	}
	if code := get("scrape-secret"); code != 200 {
		t.Errorf("the metrics token: %d, want 200", code)
	}
	if code := get("guess"); code != 401 {
		t.Errorf("a wrong token: %d, want 401", code)
	}
}

// TestSlowClientsCannotHoldConnections sends half a request's headers,
// and a request whose body trickles, to a server with short timeouts: it
// closes both connections, and keeps serving others meanwhile.
func TestSlowClientsCannotHoldConnections(t *testing.T) {
	data := t.TempDir()
	token := mustAdmin(t, data)
	base, _ := runServer(t, data, nil, "-read-header-timeout", "300ms", "-read-timeout", "600ms", "-idle-timeout", "600ms")
	addr := strings.TrimPrefix(base, "http://")
	// waitClosed reads from conn until the server closes it; the deadline
	// is only a hang guard.
	waitClosed := func(t *testing.T, conn net.Conn, what string) string {
		t.Helper()
		conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		got, err := io.ReadAll(conn)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("%s: the server kept the connection open", what)
		}
		return string(got)
	}
	t.Run("headers never finished", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprint(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
		waitClosed(t, conn, "half a header")
	})
	t.Run("body trickles", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "PUT /api/v1/pages/slow HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"title\":", token)
		stopDrip := make(chan struct{})
		go func() {
			for {
				select {
				case <-stopDrip:
					return
				case <-time.After(100 * time.Millisecond):
					if _, err := conn.Write([]byte(" ")); err != nil {
						return
					}
				}
			}
		}()
		answer := waitClosed(t, conn, "a trickling body")
		close(stopDrip)
		if strings.Contains(answer, " 201 ") {
			t.Errorf("a body that never finished was saved: %q", answer)
		}
		if code := getJSON(t, token, base+"/api/v1/pages/slow", nil); code != 404 {
			t.Errorf("the slow page: %d", code)
		}
	})
	t.Run("idle keep-alive", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprint(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		r := bufio.NewReader(conn)
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		if _, err := r.ReadByte(); err != io.EOF {
			t.Errorf("an idle connection was not closed: %v", err)
		}
	})
	// Others were served all along.
	if code := getJSON(t, token, base+"/healthz", nil); code != 200 {
		t.Errorf("healthz: %d", code)
	}
}

func TestEveryFlagHasAVariableAndIsDocumented(t *testing.T) {
	var cfg config
	fs := newFlagSet(&cfg)
	var help strings.Builder
	printUsage(&help, fs, "")
	var serveHelp strings.Builder
	printUsage(&serveHelp, fs, "serve")
	documented := map[string]bool{}
	for _, g := range flagGroups {
		for _, f := range g.flags {
			documented[f] = true
		}
	}
	fs.VisitAll(func(f *flag.Flag) {
		if !documented[f.Name] {
			t.Errorf("-%s is in no help group", f.Name)
		}
		if !strings.Contains(help.String(), "-"+f.Name) || !strings.Contains(help.String(), envName(f.Name)) {
			t.Errorf("the help does not document -%s and %s", f.Name, envName(f.Name))
		}
	})
	for _, serveFlag := range []string{"addr", "data", "open", "trust-proxy", "trusted-proxies", "base-url", "metrics-token", "metrics-local", "max-index-lag", "read-header-timeout", "read-timeout", "write-timeout", "idle-timeout", "shutdown-timeout", "log", "log-level"} {
		if !strings.Contains(serveHelp.String(), "-"+serveFlag+" ") && !strings.Contains(serveHelp.String(), "-"+serveFlag+"\n") {
			t.Errorf("serve -h does not list -%s", serveFlag)
		}
		if !strings.Contains(serveHelp.String(), envName(serveFlag)) {
			t.Errorf("serve -h does not name %s", envName(serveFlag))
		}
	}
	if strings.Contains(serveHelp.String(), "-cohort") {
		t.Error("serve -h lists the user command's flags")
	}
	// "faqwiki serve -h" prints it and exits 2, like any -h.
	_, errb, err := runCmd(t, t.TempDir(), "serve", "-h")
	if exitCode(err) != 2 || !strings.Contains(errb, "FAQWIKI_READ_HEADER_TIMEOUT") {
		t.Errorf("serve -h: %v\n%s", err, errb)
	}

	// Every variable works, and a bad value is a usage error that names it.
	env := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) {
		switch f.Value.(flag.Getter).Get().(type) {
		case bool:
			env[envName(f.Name)] = "yes"
		case time.Duration:
			env[envName(f.Name)] = "7s"
		case uint64:
			env[envName(f.Name)] = "7"
		default:
			env[envName(f.Name)] = "v-" + f.Name
		}
	})
	env["FAQWIKI_LOG"], env["FAQWIKI_LOG_LEVEL"] = "json", "warn"
	var got config
	fs2 := newFlagSet(&got)
	if err := setFromEnv(fs2, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if got.addr != "v-addr" || !got.open || !got.metricsLocal || got.readTimeout != 7*time.Second || got.maxIndexLag != 7 || got.out != "v-o" || got.token != "v-token" || got.baseURL != "v-base-url" {
		t.Errorf("config from the environment: %+v", got)
	}
	if _, _, err := runCmdEnv(t, map[string]string{"FAQWIKI_READ_TIMEOUT": "soon"}, "version"); err == nil || !strings.Contains(err.Error(), "FAQWIKI_READ_TIMEOUT") || exitCode(err) != 2 {
		t.Errorf("a bad variable: %v", err)
	}
	// A flag given wins over its variable.
	out, _, err := runCmdEnv(t, map[string]string{"FAQWIKI_LOG": "xml"}, "-log", "text", "version")
	if err != nil || !strings.HasPrefix(out, "faqwiki ") {
		t.Errorf("-log over FAQWIKI_LOG: %q %v", out, err)
	}
}

// runCmdEnv runs one command with the given environment.
func runCmdEnv(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb syncBuffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }}
	err := m.Run(context.Background(), args)
	return out.String(), errb.String(), err
}

// TestConfigSummaryLoggedWithoutSecrets starts the server with a metrics
// token and checks the start-up line: the settings, and no token.
func TestConfigSummaryLoggedWithoutSecrets(t *testing.T) {
	data := t.TempDir()
	_, logs := runServer(t, data, map[string]string{
		"FAQWIKI_METRICS_TOKEN":   "very-secret-scrape-token",
		"FAQWIKI_BASE_URL":        "https://wiki.example.com",
		"FAQWIKI_TRUSTED_PROXIES": "10.1.2.3, 192.168.0.0/16",
	}, "-log", "json")
	var line map[string]any
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == "faqwiki starting" {
			line = m
		}
	}
	if line == nil {
		t.Fatalf("no start-up line in:\n%s", logs)
	}
	t.Logf("config summary: %v", line)
	for k, v := range map[string]any{"base_url": "https://wiki.example.com", "trusted_proxies": "10.1.2.3,192.168.0.0/16", "metrics_token": true, "trust_proxy": true, "read_header_timeout": "10s"} {
		if line[k] != v {
			t.Errorf("%s = %v, want %v", k, line[k], v)
		}
	}
	if strings.Contains(logs.String(), "very-secret-scrape-token") {
		t.Error("the log holds the metrics token")
	}
	// A bad setting stops the start with a usage error.
	if _, _, err := runCmdEnv(t, map[string]string{"FAQWIKI_DATA": t.TempDir(), "FAQWIKI_BASE_URL": "wiki.example.com"}, "serve", "-addr", "127.0.0.1:0"); err == nil || exitCode(err) != 2 {
		t.Errorf("a bad base URL: %v", err)
	}
}

func TestUserResetCommand(t *testing.T) {
	data := t.TempDir()
	if _, _, err := runCmdIn(t, data, "a long enough passphrase\n", "user", "add", "ada"); err != nil {
		t.Fatal(err)
	}
	out, errb, err := runCmdEnv(t, map[string]string{"FAQWIKI_DATA": data, "FAQWIKI_BASE_URL": "https://wiki.example.com"}, "user", "reset", "ada")
	if err != nil || !strings.HasPrefix(out, "https://wiki.example.com/reset/") || !strings.Contains(errb, "works once") {
		t.Fatalf("user reset: %q %q %v", out, errb, err)
	}
	link := strings.TrimSpace(out)
	if _, _, err := runCmd(t, data, "user", "reset", "nobody"); err == nil {
		t.Error("reset of a missing account succeeded")
	}
	// The link works on the running server.
	base := MustRunMain(t, data)
	path := strings.TrimPrefix(link, "https://wiki.example.com")
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET the reset link: %d", resp.StatusCode)
	}
}

// TestServesAVersion4DataFolder starts the server on a data folder written
// by schema version 4 (the store's committed fixture), and refuses one
// stamped with a newer version, saying why.
func TestServesAVersion4DataFolder(t *testing.T) {
	fixture, err := os.ReadFile("../../store/testdata/v4/faqwiki.db")
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	os.WriteFile(filepath.Join(data, "faqwiki.db"), fixture, 0o600)
	out, _, err := runCmd(t, data, "check")
	if err != nil || !strings.Contains(out, "schema version 4") {
		t.Fatalf("check of the version 4 folder: %q %v", out, err)
	}
	out, errb, err := runCmd(t, data, "token", "create", "boss")
	if err != nil {
		t.Fatalf("token create: %v %s", err, errb)
	}
	token := strings.TrimSpace(out)
	base := MustRunMain(t, data)
	var p struct{ Markdown string }
	if code := getJSON(t, token, base+"/api/v1/pages/it/vpn", &p); code != 200 || !strings.Contains(p.Markdown, "within a day") {
		t.Errorf("it/vpn from the version 4 folder: %d %q", code, p.Markdown)
	}
	wikitest.Eventually(t, "the search index to catch up", func() bool { return searchTotal(t, token, base, "service+desk") == 1 })
}

func TestRefusesANewerSchema(t *testing.T) {
	data := t.TempDir()
	db, err := store.Open(filepath.Join(data, "faqwiki.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Stamp the file with a version from the future, as a newer faqwiki would.
	if err := stampSchemaVersion(filepath.Join(data, "faqwiki.db"), 99); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"serve", "-addr", "127.0.0.1:0"}, {"check"}, {"user", "list"}} {
		_, _, err := runCmd(t, data, args...)
		if err == nil || !strings.Contains(err.Error(), "written by a newer faqwiki") || !strings.Contains(err.Error(), "schema version is 99") {
			t.Errorf("%v on a newer schema: %v", args, err)
		}
	}
}

// stampSchemaVersion writes schema version v into the database at path,
// as a faqwiki of that version would have.
func stampSchemaVersion(path string, v uint64) error {
	b, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		return err
	}
	defer b.Close()
	return b.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), binary.BigEndian.AppendUint64(nil, v))
	})
}

// TestDamagedIndexOnStart overwrites every file of the search index with
// junk while the server is stopped: it starts anyway, every search answers
// 200 meanwhile, the index is rebuilt with a log line and a metric, and
// search finds the pages again.
func TestDamagedIndexOnStart(t *testing.T) {
	data := t.TempDir()
	if _, _, err := runCmd(t, data, "import", "testdata/handbook"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t, data, "reindex"); err != nil {
		t.Fatal(err)
	}
	token := mustAdmin(t, data)
	n := 0
	filepath.WalkDir(filepath.Join(data, "index"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
			os.WriteFile(path, []byte("not an index"), 0o600)
		}
		return err
	})
	if n == 0 {
		t.Fatal("no index files to damage")
	}
	base, logs := runServer(t, data, nil)
	wikitest.Eventually(t, "the rebuilt index to find overtime", func() bool {
		resp := do(t, token, "GET", base+"/api/v1/search?q=overtime", "")
		var res struct{ Total int }
		json.NewDecoder(resp.Body).Decode(&res)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("search while the index is rebuilt: status %d", resp.StatusCode)
		}
		return res.Total >= 1
	})
	// The rebuilt index answers from the moment it is swapped in, a
	// moment before the rebuild logs that it is done.
	wikitest.Eventually(t, "the log line of the rebuild", func() bool { return strings.Contains(logs.String(), "search: index rebuilt") })
	if !strings.Contains(logs.String(), "index is unusable; deleting it to rebuild") || !strings.Contains(logs.String(), "search: index rebuilt") {
		t.Errorf("no log line about the damaged index:\n%s", logs)
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "faqwiki_index_resets_total 1") {
		t.Error("the metric of reset indexes is not 1")
	}
}

// scrapeMetrics returns the text of the server's /metrics at base, read
// from this machine (allowed by default).
func scrapeMetrics(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return string(b)
}

// metricValue returns the value of series (a name with its labels) in a
// /metrics text, or "absent".
func metricValue(body, series string) string {
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return "absent"
}
