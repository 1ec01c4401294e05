package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faqwiki/faqwiki/cmd/faqwiki/internal/importer"
	"github.com/faqwiki/faqwiki/search"
	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
	"github.com/faqwiki/faqwiki/wiki/markdown"
)

// importUser is the author that `faqwiki import` attributes revisions to.
// It acts with an admin's authority (only someone who holds the data
// folder can run it), so what it imports counts as reviewed and does not
// flood the review queue.
var importUser = &wiki.User{Name: "import", Role: wiki.RoleAdmin}

// importDir imports the Markdown site in dir (see package importer) and
// prints its report. Importing the same folder again only adds revisions
// where a file changed. With dryRun it reads and reports, writing nothing.
func (m *Main) importDir(ctx context.Context, cfg config, log *slog.Logger, dir string) error {
	renderer := wiki.NewRenderer() // shared with the index: one parse serves both
	site, err := importer.Read(dir, renderer)
	if err != nil {
		return err
	}
	rep := site.Report
	if cfg.dryRun {
		rep.Print(m.Stdout, dir, len(site.Pages), true)
		return nil
	}
	if cfg.url != "" {
		return m.importViaAPI(ctx, cfg, dir, site) // importurl.go: a running server
	}
	db, err := openStore(cfg.dataDir)
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("the data folder %s is in use by a running server: import through it instead, with an API token of an editor (make one on your account page in the wiki):\n\n    FAQWIKI_TOKEN=TOKEN faqwiki import -url %s %s\n\n(-url is the address the wiki answers at)", cfg.dataDir, importURLHint(cfg), dir)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	// The search index follows the saves closely (importLag) and is
	// brought up to date at the end, so that the wiki is ready to serve
	// (and search) when the import ends.
	ix, err := openIndex(cfg.dataDir, db, renderer, search.Options{Logger: log, BatchChanges: importIndexBatch, BulkLoad: true})
	if err != nil {
		return err
	}
	defer ix.Close()
	w := wiki.New(wiki.Config{Store: db, Renderer: renderer})

	ctx = wiki.NewContextWithUser(ctx, importUser)
	results := make([]importResult, len(site.Pages))
	start := time.Now()
	lag := &importLag{ix: ix, log: log, every: importIndexEvery, everyBytes: importIndexBytes}
	progress := newProgress(m.Stderr, "imported", len(site.Pages), &lag.pages)
	// Pages are saved side by side: their commits share transactions (and
	// fsyncs), and their renders the CPUs. Many more savers than CPUs, so
	// that the transactions are big: each page alone would write some 29
	// pages of bbolt and two fsyncs.
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range max(importSavers, 2*runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(site.Pages) || ctx.Err() != nil {
					return
				}
				lag.wait(ctx)
				results[i].res, results[i].err = importPage(ctx, w, site.Pages[i])
				lag.saved(ctx, len(site.Pages[i].Markdown))
			}
		})
	}
	wg.Wait()
	progress.stop()
	if err := ctx.Err(); err != nil {
		return err
	}
	for i, p := range site.Pages {
		switch r := results[i]; {
		case r.err != nil:
			rep.Failed = append(rep.Failed, importer.Note{File: p.Path, What: r.err.Error()})
		case r.res.Unchanged:
			rep.Unchanged++
		case r.res.Created:
			rep.Created++
		default:
			rep.Updated++
		}
	}
	for _, p := range site.Pages {
		for _, a := range p.Aliases {
			if ok, _ := db.Exists(ctx, []wiki.Slug{a}); ok[0] {
				continue // a page lives there: it wins over an old name
			}
			if err := w.SetAlias(ctx, a, p.Slug); err != nil {
				rep.Failed = append(rep.Failed, importer.Note{File: p.Path, What: fmt.Sprintf("alias %s: %v", a, err)})
				continue
			}
			rep.Aliases++
		}
	}
	saved := time.Since(start)
	fmt.Fprintf(m.Stderr, "bringing the search index up to date…\n")
	if err := ix.CatchUp(ctx); err != nil {
		return fmt.Errorf("bring the search index up to date: %w", err)
	}
	rep.Print(m.Stdout, dir, len(site.Pages), false)
	fmt.Fprintf(m.Stdout, "  time:        %s for the pages, %s with the search index (%.0f pages/s)\n",
		saved.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), float64(len(site.Pages))/time.Since(start).Seconds())
	if len(rep.Failed) > 0 {
		return fmt.Errorf("%d pages could not be imported", len(rep.Failed))
	}
	return nil
}

// The search index catches up with an import's saves in big batches
// (following every save meant many small ones, and bleve spent more time
// merging them than indexing), while the other savers go on, but never
// falls far behind them: the sections of a page that its save's render
// found are kept for the index only while SectionCacheBytes of newer
// text have not pushed them out, and an index that fell further behind
// parsed nearly every page a second time (a 10,000-page import had the
// index 3,500 pages behind for most of it).
const (
	// importIndexEvery and importIndexBytes start a catch-up: this many
	// pages, or this much text, saved since the last one began.
	importIndexEvery = 1000
	importIndexBytes = markdown.SectionCacheBytes / 4
	// Savers wait for the index when it is twice as far behind.
	importIndexMaxBehind = 2
	// importSavers is how many pages an import saves at once, at least
	// (32 rather than 4 took a 10,000-page import from 33 to 30 s of CPU
	// and 58 to 50 s in all, on one CPU).
	importSavers = 32
	// importIndexBatch is how many changes go into one batch of the
	// index: batches of a thousand pages held about a gigabyte of
	// analysed text at once, and spent more time in the garbage
	// collector than they saved in merges.
	importIndexBatch = 250
)

// importLag keeps the search index of an import close behind its saves.
type importLag struct {
	ix  *search.Index
	log *slog.Logger
	// A catch-up starts when this many pages or bytes of text are saved
	// since the last one began (importIndexEvery, importIndexBytes).
	every, everyBytes int64

	mu sync.Mutex // held by the catch-up that runs
	// Pages (and bytes of text) saved, which the progress line shows too,
	// and how many of them the index holds for certain: those saved
	// before the last catch-up began.
	pages, bytes               atomic.Int64
	indexedPages, indexedBytes atomic.Int64
}

// behind reports whether k catch-ups' worth of pages or of text, or
// more, are saved but maybe not indexed.
func (l *importLag) behind(k int64) bool {
	return l.pages.Load()-l.indexedPages.Load() >= k*l.every ||
		l.bytes.Load()-l.indexedBytes.Load() >= k*l.everyBytes
}

// saved counts a page of n bytes saved, and starts a catch-up when one is
// due and none runs.
func (l *importLag) saved(ctx context.Context, n int) {
	l.pages.Add(1)
	l.bytes.Add(int64(n))
	if l.behind(1) && l.mu.TryLock() {
		defer l.mu.Unlock()
		l.catchUpLocked(ctx)
	}
}

// wait returns when the index is less than importIndexMaxBehind times a
// catch-up's worth behind, catching up itself if no other saver does.
func (l *importLag) wait(ctx context.Context) {
	if !l.behind(importIndexMaxBehind) {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.behind(importIndexMaxBehind) { // else the catch-up it waited for did
		l.catchUpLocked(ctx)
	}
}

func (l *importLag) catchUpLocked(ctx context.Context) {
	pages, bytes := l.pages.Load(), l.bytes.Load()
	// A catch-up that failed counts as done, so that the savers go on (the
	// one at the end says what is wrong) rather than each trying again.
	if err := l.ix.CatchUp(ctx); err != nil && ctx.Err() == nil {
		l.log.Warn("search index: catching up during the import", "err", err)
	}
	l.indexedPages.Store(pages)
	l.indexedBytes.Store(bytes)
}

// importResult is what saving one page of an import did.
type importResult struct {
	res *wiki.EditResult
	err error
}

// progress prints "VERB n of total pages (rate/s)" every few seconds on
// w until stopped, and once more at the end.
type progressLine struct {
	stopc chan struct{}
	done  chan struct{}
}

func newProgress(w io.Writer, verb string, total int, n *atomic.Int64) *progressLine {
	p := &progressLine{stopc: make(chan struct{}), done: make(chan struct{})}
	start := time.Now()
	line := func() {
		d := n.Load()
		fmt.Fprintf(w, "%s %d of %d pages (%.0f pages/s)\n", verb, d, total, float64(d)/max(time.Since(start).Seconds(), 1e-3))
	}
	go func() {
		defer close(p.done)
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-p.stopc:
				line()
				return
			case <-t.C:
				line()
			}
		}
	}()
	return p
}

func (p *progressLine) stop() {
	close(p.stopc)
	<-p.done
}

func importPage(ctx context.Context, w *wiki.Wiki, p *importer.Page) (*wiki.EditResult, error) {
	e := wiki.Edit{Slug: p.Slug, Title: p.Title, Markdown: p.Markdown, Tags: p.Tags, Files: p.Files, Summary: "Imported from " + p.Path}
	if head, err := w.Page(ctx, p.Slug); err == nil {
		e.Base = head.Revision
	} else if !errors.Is(err, wiki.ErrNotFound) {
		return nil, err
	}
	return w.Save(ctx, e)
}

// exportDir writes every current page to dir in the form importDir reads
// back as the same wiki: slug.md, or slug/index.md with the page's files
// beside it when it has files; tags, old names and the files' names in
// front matter.
func (m *Main) exportDir(ctx context.Context, cfg config, log *slog.Logger, dir string) error {
	db, err := openStore(cfg.dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	w := newWiki(db)
	r := wiki.NewRenderer()
	aliases, err := w.Aliases(ctx)
	if err != nil {
		return err
	}
	n, files := 0, 0
	cursor := ""
	for {
		pages, next, err := db.Pages(ctx, wiki.PageFilter{Limit: 500, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, s := range pages {
			p, err := w.Page(ctx, s.Slug)
			if err != nil {
				return err
			}
			base := filepath.Join(dir, filepath.FromSlash(string(p.Slug)))
			file := base + ".md"
			var names []string
			if len(p.Attachments) > 0 {
				file = filepath.Join(base, "index.md")
				if err := os.MkdirAll(base, 0o755); err != nil {
					return err
				}
				for _, a := range p.Attachments {
					data, err := w.Blob(ctx, a.SHA256)
					if err != nil {
						return fmt.Errorf("page %s: file %s: %w", p.Slug, a.Name, err)
					}
					if err := os.WriteFile(filepath.Join(base, a.Name), data, 0o644); err != nil {
						return err
					}
					names = append(names, a.Name)
					files++
				}
			}
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				return err
			}
			text := importer.PageFile(r, p.Title, p.Markdown, p.Tags, aliases[p.Slug], names)
			if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
				return err
			}
			n++
		}
		if next == "" {
			break
		}
		cursor = next
	}
	fmt.Fprintf(m.Stdout, "exported %d pages and %d files to %s\n", n, files, dir)
	return nil
}

// importURLHint is the wiki's address for the hint of a refused import:
// -addr's when given, else the default's.
func importURLHint(cfg config) string {
	if cfg.baseURL != "" {
		return cfg.baseURL
	}
	return "http://" + cfg.addr
}
