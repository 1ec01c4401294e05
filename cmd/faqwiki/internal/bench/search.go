package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// searchPath is the API search for query q.
func searchPath(q string) string { return "/api/v1/search?q=" + url.QueryEscape(q) }

// search measures the API's search latency against a raw bleve match
// query on the same index, in turns, and its throughput 8 at a time.
func (s *suite) search(ctx context.Context) error {
	addr := hostPort(s.base)
	qs := s.queries
	lim := Limits{N: min(s.cfg.N, 5*len(qs)), D: s.cfg.D}
	// warm runs the 200 queries from from: a restarted server has read
	// nothing of its index yet.
	warm := func(from int) {
		getMix(ctx, "warm", addr, s.auth, 1, Limits{N: 200, D: 5 * time.Second}, func(i int) string { return searchPath(qs[(from+i)%len(qs)]) })
	}
	warm(0)
	// Latency one at a time, in turns with the raw bleve query on the
	// same index: the machine is shared, and a ceiling measured at another
	// moment (once, after the server stopped) was measured under other
	// load; turns spread that over both. Each turn starts at another place
	// in the query list, and bleve runs exactly the queries the server
	// answered in that turn, so both answer the same queries. The server
	// holds the index, so it stops for bleve's turns and starts again, and
	// is warmed, for its own.
	turn := Limits{N: max(1, lim.N/searchRounds), D: lim.D / searchRounds}
	var ours, raw *Result
	for k := range searchRounds {
		o, r, err := s.searchTurn(ctx, k, turn)
		if err != nil {
			return err
		}
		ours, raw = merge(ours, o), merge(raw, r)
		warm((k + 1) * len(qs) / searchRounds)
	}
	s.add(row{what: "search, one at a time (latency)", r: ours,
		ceiling: fmt.Sprintf("raw bleve match query: p50 %s p99 %s p999 %s", ms(raw.Pct(.5)), ms(raw.Pct(.99)), ms(raw.Pct(.999))),
		ratio:   float64(ours.Pct(.99)) / float64(raw.Pct(.99)),
		note:    fmt.Sprintf("ratio: p99 over raw bleve's p99 (lower is better); %d turns each, the same queries", searchRounds)})
	s.add(row{what: "  (ceiling) raw bleve match query, same queries, same index", r: raw})
	r := getMix(ctx, "search", addr, s.auth, s.cfg.Conc, lim, func(i int) string { return searchPath(qs[i%len(qs)]) })
	s.add(row{what: fmt.Sprintf("search, %d at a time (throughput)", s.cfg.Conc), r: r})
	return nil
}

// searchTurn is turn k of the search latency: the server answers the
// queries from the k-th of searchRounds parts of the list on, one at a
// time within lim;
// then it stops, raw bleve runs exactly the queries it answered, and the
// server starts again on the same folder, caught up, to be warmed.
func (s *suite) searchTurn(ctx context.Context, k int, lim Limits) (ours, raw *Result, err error) {
	qs := s.queries
	from := k * len(qs) / searchRounds
	ours = getMix(ctx, "search", hostPort(s.base), s.auth, 1, lim, func(i int) string { return searchPath(qs[(from+i)%len(qs)]) })
	if err := s.server.stop(); err != nil {
		return nil, nil, err
	}
	s.server = nil
	asked := make([]string, ours.N)
	for i := range asked {
		asked[i] = qs[(from+i)%len(qs)]
	}
	qfile := filepath.Join(s.cfg.Dir, fmt.Sprintf("queries-%d.txt", k))
	if err := os.WriteFile(qfile, []byte(strings.Join(asked, "\n")+"\n"), 0o600); err != nil {
		return nil, nil, err
	}
	if raw, err = s.rawBleve(ctx, qfile, Limits{N: ours.N, D: 4*lim.D + 10*time.Second}); err != nil {
		return nil, nil, err
	}
	if s.server, _, err = s.startServer(ctx, s.data, filepath.Join(s.cfg.Dir, fmt.Sprintf("server-search-%d.log", k))); err != nil {
		return nil, nil, err
	}
	return ours, raw, s.waitIndexed(ctx, time.Minute)
}

// searchRounds is how many turns the search latency and its ceiling
// take each: more than alternate's, since a turn is short next to the
// bursts of load from elsewhere on a shared machine.
const searchRounds = 10

// rawBleve runs the queries of qfile as raw bleve match queries, one at a
// time within lim, on the index the server built, in a process of their
// own on the server's CPU; the server must be stopped (it holds the
// index).
func (s *suite) rawBleve(ctx context.Context, qfile string, lim Limits) (*Result, error) {
	out, err := runOutput(ctx, s.cfg.ServerCPU, s.cfg.Exe, "bench", "ceiling-bleve", "-index", filepath.Join(s.data, "index"),
		"-queries", qfile, "-c", "1", "-n", strconv.Itoa(lim.N), "-d", lim.D.String())
	if err != nil {
		return nil, err
	}
	var j jsonResult
	if err := json.Unmarshal(out, &j); err != nil {
		return nil, err
	}
	return fromJSON("bleve", j), nil
}

// indexSize prints the size of the index the server built (the server
// is stopped).
func (s *suite) indexSize() {
	idx := dirSize(filepath.Join(s.data, "index"))
	s.printf("index: %.1f MB for %.1f MB of Markdown: %.1fx the text\n", float64(idx)/1e6, float64(s.textBytes)/1e6, float64(idx)/float64(max(s.textBytes, 1)))
}
