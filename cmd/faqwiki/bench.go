package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/faqwiki/faqwiki/cmd/faqwiki/internal/bench"
)

const benchUsage = `usage: faqwiki bench [flags]

Runs the performance suite (see README, "How fast it is"): makes a corpus of
FAQ pages, starts this faqwiki as a server on loopback, loads the corpus
through the API, drives bounded mixes of views, searches and edits, measures
the ceilings (a bare gin handler, raw bbolt, raw bleve) in the same run and
prints every figure next to its ceiling.

`

// bench runs "faqwiki bench": the suite, or (as the suite runs them) one
// of its ceilings.
func (m *Main) bench(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "ceiling-gin", "ceiling-bolt", "ceiling-bleve", "ceiling-index":
			return m.benchCeiling(ctx, args[0], args[1:])
		}
	}
	fs := flag.NewFlagSet("faqwiki bench", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		fmt.Fprint(m.Stderr, benchUsage)
		fs.PrintDefaults()
	}
	cfg := bench.Config{Out: m.Stdout}
	dir := fs.String("dir", "", "work `folder` (must not hold a data folder yet); default: a new temporary folder, removed afterwards")
	fs.IntVar(&cfg.Pages, "pages", 10000, "pages in the corpus")
	fs.IntVar(&cfg.ServerCPU, "server-cpu", 0, "`CPU` to pin the server and the ceilings to (-1: none)")
	fs.IntVar(&cfg.ClientCPU, "client-cpu", 1, "`CPU` to pin the load to (-1: none)")
	fs.IntVar(&cfg.Port, "port", 18600, "`port` of the server on 127.0.0.1 (the ceilings use the next one)")
	fs.IntVar(&cfg.Conc, "c", 8, "connections of the view and search mixes")
	fs.IntVar(&cfg.Editors, "editors", 32, "concurrent editors of the edit mixes")
	fs.IntVar(&cfg.N, "n", 200000, "operations per mix, at most")
	fs.DurationVar(&cfg.D, "d", 10*time.Second, "time per mix, at most")
	fs.StringVar(&cfg.Phases, "phases", "all", "comma-separated `phases`: load, view, search, edit, mixed, storage, start, import")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: faqwiki bench takes flags only", errUsage)
	}
	if cfg.Pages < 1 || cfg.Pages > 1_000_000 || cfg.N < 1 || cfg.N > 10_000_000 || cfg.D <= 0 || cfg.D > 10*time.Minute ||
		cfg.Conc < 1 || cfg.Conc > 256 || cfg.Editors < 1 || cfg.Editors > 256 || cfg.Port < 1 || cfg.Port > 65534 {
		return fmt.Errorf("%w: -pages 1..1000000, -n 1..10000000, -d up to 10m, -c and -editors 1..256, -port 1..65534", errUsage)
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cfg.Exe = exe
	cfg.Dir = *dir
	if cfg.Dir == "" {
		if cfg.Dir, err = os.MkdirTemp("", "faqwiki-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(cfg.Dir)
	} else if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return err
	}
	return bench.Run(ctx, cfg)
}

// benchCeiling runs one ceiling of the suite.
func (m *Main) benchCeiling(ctx context.Context, name string, args []string) error {
	fs := flag.NewFlagSet("faqwiki bench "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	addr := fs.String("addr", "127.0.0.1:18601", "ceiling-gin: address")
	body := fs.String("body", "", "ceiling-gin: file of the answer")
	ctype := fs.String("type", "text/html; charset=utf-8", "ceiling-gin: content type")
	path := fs.String("path", "", "ceiling-bolt: database file to make")
	size := fs.Int("size", 1024, "ceiling-bolt: bytes per commit")
	index := fs.String("index", "", "ceiling-bleve, ceiling-index: index folder")
	queries := fs.String("queries", "", "ceiling-bleve: file of queries, one a line")
	pages := fs.String("pages", "", "ceiling-index: JSON lines of pages")
	conc := fs.Int("c", 1, "concurrent workers")
	n := fs.Int("n", 10000, "operations at most")
	d := fs.Duration("d", 10*time.Second, "time at most")
	if err := fs.Parse(args); err != nil {
		return err
	}
	lim := bench.Limits{N: *n, D: *d}
	switch name {
	case "ceiling-gin":
		// A bare gin server runs with Go's own number of Ps, which serves
		// a hot page faster than faqwiki's raised number (see minProcs):
		// the ceiling is the best of the two.
		if procsBefore > 0 {
			runtime.GOMAXPROCS(procsBefore)
		}
		return bench.CeilingGin(ctx, m.Stdout, *addr, *body, *ctype)
	case "ceiling-bolt":
		return bench.CeilingBolt(ctx, m.Stdout, filepath.Clean(*path), *conc, *size, lim)
	case "ceiling-bleve":
		return bench.CeilingBleveQuery(ctx, m.Stdout, *index, "all", *queries, *conc, lim)
	default:
		return bench.CeilingBleveIndex(ctx, m.Stdout, *index, *pages)
	}
}
