package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/faqwiki/faqwiki/search"
	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
	"github.com/faqwiki/faqwiki/wiki/markdown"
	"github.com/faqwiki/faqwiki/wiki/web"
	"github.com/gin-gonic/gin"
)

// pruneSessions deletes expired sessions every hour while the server runs.
func pruneSessions(ctx context.Context, db interface {
	PruneSessions(context.Context) (int, error)
}, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := db.PruneSessions(ctx); err != nil && ctx.Err() == nil {
			log.Warn("prune expired sessions", "err", err)
		} else if n > 0 {
			log.Info("pruned expired sessions", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// flushOpens writes the opens of answers counted in memory every few
// seconds until ctx ends, and then once more.
func flushOpens(ctx context.Context, a *wiki.Answers, log *slog.Logger) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := a.Flush(context.Background()); err != nil {
				log.Warn("write answer opens on the way out", "err", err)
			}
			return
		case <-t.C:
			if err := a.Flush(ctx); err != nil && ctx.Err() == nil {
				log.Warn("write answer opens; will retry", "err", err)
			}
		}
	}
}

// openIndex opens the search index in the data folder, failing at once
// with a clear message when another process holds it.
func openIndex(dataDir string, db *store.DB, r *markdown.Renderer, opts search.Options) (*search.Index, error) {
	ix, err := search.Open(indexPath(dataDir), db, r, opts)
	if errors.Is(err, search.ErrLocked) {
		return nil, fmt.Errorf("the search index in %s is in use by another faqwiki process; stop it first", dataDir)
	}
	if err != nil {
		return nil, fmt.Errorf("open the search index: %w", err)
	}
	return ix, nil
}

// reindex rebuilds the search index from the pages in the store.
func (m *Main) reindex(ctx context.Context, cfg config, log *slog.Logger) error {
	db, err := openStore(cfg.dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	ix, err := openIndex(cfg.dataDir, db, wiki.NewRenderer(), search.Options{Logger: log})
	if err != nil {
		return err
	}
	defer ix.Close()
	start := time.Now()
	last := time.Now()
	err = ix.Rebuild(ctx, func(done, total int) {
		if time.Since(last) >= 2*time.Second || done == total {
			fmt.Fprintf(m.Stderr, "indexed %d of %d pages\n", done, total)
			last = time.Now()
		}
	})
	if err != nil {
		return err
	}
	n, _ := ix.DocCount()
	fmt.Fprintf(m.Stdout, "rebuilt the search index: %d sections, in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}

func (m *Main) serve(ctx context.Context, cfg config, log *slog.Logger) error {
	started := time.Now()
	var proxies []string
	for _, p := range strings.Split(cfg.trustedProxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			proxies = append(proxies, p)
		}
	}
	logConfig(log, cfg, proxies)
	db, err := openStore(cfg.dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	qlog, err := search.OpenLog(searchLogPath(cfg.dataDir), search.LogOptions{Logger: log})
	if err != nil {
		return fmt.Errorf("open the search log: %w", err)
	}
	defer qlog.Close()
	// The index is told of every change to the synonym list, so that
	// search uses it at once (it is opened next, before the list changes).
	var ix *search.Index
	synonyms := wiki.NewSynonyms(wiki.SynonymsConfig{Store: db, OnCommit: func(*wiki.SynonymList) { ix.SynonymsChanged() }})
	renderer := wiki.NewRenderer() // shared: pages and search sections agree on anchors
	ix, err = openIndex(cfg.dataDir, db, renderer, search.Options{Logger: log, Synonyms: synonyms, Learner: qlog})
	if err != nil {
		return err
	}
	defer ix.Close()
	if created, err := synonyms.EnsureSynonyms(ctx); err != nil {
		return fmt.Errorf("create the starter synonym list: %w", err)
	} else if created {
		log.Info("new wiki: saved the starter list of search synonyms")
	}
	// The wiki announces every commit; the index wakes up and applies it.
	w := wiki.New(wiki.Config{Store: db, Renderer: renderer, OnCommit: func(*wiki.Revision) { ix.Notify() },
		TrainerEditsNeedReview: cfg.reviewTrainerEdits})
	if created, err := w.EnsureWelcome(ctx); err != nil {
		return fmt.Errorf("create the welcome page: %w", err)
	} else if created {
		log.Info("new wiki: created the welcome page and the front page", "data", cfg.dataDir)
	}
	acc := newAccounts(db)
	// The index follows the store's change feed until the server stops; it
	// catches up first (rebuilding a missing index, with progress lines).
	ixCtx, stopIndex := context.WithCancel(context.WithoutCancel(ctx))
	ixDone := make(chan error, 1)
	go func() { ixDone <- ix.Run(ixCtx) }()
	defer func() {
		stopIndex()
		if err := <-ixDone; err != nil {
			log.Warn("search indexer stopped", "err", err)
		}
	}()

	// Questions and answers (issue 10): opens are counted in memory and
	// written every few seconds, and once more on the way out.
	cohorts := wiki.NewCohorts(wiki.CohortsConfig{Accounts: db, Pages: db})
	questions := wiki.NewQuestions(wiki.QuestionsConfig{Store: db, Wiki: w, Search: ix, SearchLog: qlog})
	answers := wiki.NewAnswers(wiki.AnswersConfig{Store: db, Wiki: w, Questions: questions, Cohorts: cohorts, StaleAfter: cfg.staleAfter, Renderer: renderer})
	flushCtx, stopFlush := context.WithCancel(context.WithoutCancel(ctx))
	flushDone := make(chan struct{})
	go func() { defer close(flushDone); flushOpens(flushCtx, answers, log) }()
	defer func() {
		stopFlush()
		<-flushDone
	}()

	met := newMetrics(metricSources{wiki: w, accounts: acc, index: ix, db: db})
	var writing func()
	if gov := newProcsGovernor(); gov != nil {
		go gov.run(ctx)
		writing = gov.Writing
	}
	gin.SetMode(gin.ReleaseMode)
	srv, err := web.New(web.Config{
		Wiki:           w,
		Accounts:       acc,
		Cohorts:        cohorts,
		Questions:      questions,
		Answers:        answers,
		Search:         timedSearcher{Searcher: ix, m: met},
		SearchLog:      qlog,
		Learning:       qlog,
		Opens:          qlog,
		Synonyms:       synonyms,
		Logger:         log,
		OpenReading:    cfg.open,
		TrustProxy:     cfg.trustProxy || len(proxies) > 0,
		TrustedProxies: proxies,
		BaseURL:        cfg.baseURL,
		Status:         func(ctx context.Context) web.Status { return status(ctx, db, ix) },
		MaxIndexLag:    cfg.maxIndexLag,
		Version:        version(),
		Started:        started,
		Observer:       met,
		Writing:        writing,
		Metrics:        met.handler(),
		MetricsToken:   cfg.metricsToken,
		MetricsLocal:   cfg.metricsLocal,
		Backups:        db,
	})
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return m.listen(ctx, cfg, srv, acc, db, log)
}

// listen serves srv on cfg.addr until ctx ends, then shuts down
// gracefully; it prints where the wiki runs and, for a wiki with no
// accounts yet, the one-time setup link.
func (m *Main) listen(ctx context.Context, cfg config, srv http.Handler, acc *wiki.Accounts, db *store.DB, log *slog.Logger) error {
	if cfg.pprofAddr != "" {
		if err := servePprof(ctx, cfg.pprofAddr, log); err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	// Slow clients cannot hold connections: each phase of a request has a
	// deadline (a backup download extends its own).
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: cfg.readHeaderTimeout,
		ReadTimeout:       cfg.readTimeout,
		WriteTimeout:      cfg.writeTimeout,
		IdleTimeout:       cfg.idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ConnContext:       web.ConnContext,
	}
	ln = web.CoalescingListener(ln)
	addr := ln.Addr().String()
	fmt.Fprintf(m.Stdout, "faqwiki is running at http://%s/ (data in %s); press Ctrl-C to stop\n", addr, cfg.dataDir)
	if token, needed, err := acc.FirstRun(ctx); err != nil {
		return fmt.Errorf("prepare the first-run setup: %w", err)
	} else if needed {
		fmt.Fprintf(m.Stdout, "\nThis wiki has no accounts yet. Open this one-time link to create its admin:\n\n    %s/setup/%s\n\n(It works once; every start prints a new one until the admin exists.)\n", consoleBase(cfg, addr), token)
	}
	go pruneSessions(ctx, db, log)
	if m.Ready != nil {
		m.Ready(addr)
	}

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight", "grace", cfg.shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("shutdown did not finish cleanly", "err", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// status is the health of the store and the index for /healthz.
func status(ctx context.Context, db *store.DB, ix *search.Index) web.Status {
	var st web.Status
	st.StoreSeq, st.Store = db.LastSeq(ctx)
	st.IndexSeq = ix.Seq()
	st.Index = ix.Health(ctx)
	if fi, err := os.Stat(db.Path()); err == nil {
		st.DBBytes = fi.Size()
	}
	st.DBBytesInUse = db.BytesInUse()
	return st
}

// consoleBase is the address that links printed on the console start
// with: the base URL when set, else the listen address.
func consoleBase(cfg config, addr string) string {
	if cfg.baseURL != "" {
		return strings.TrimRight(cfg.baseURL, "/")
	}
	return "http://" + addr
}

// logConfig logs what the server runs with, once at start, without
// secrets: the metrics token shows only whether it is set.
func logConfig(log *slog.Logger, cfg config, proxies []string) {
	abs, err := filepath.Abs(cfg.dataDir)
	if err != nil {
		abs = cfg.dataDir
	}
	log.Info("faqwiki starting",
		"version", version(),
		"addr", cfg.addr,
		"data", abs,
		"open_reading", cfg.open,
		"trust_proxy", cfg.trustProxy || len(proxies) > 0,
		"trusted_proxies", strings.Join(proxies, ","),
		"base_url", cfg.baseURL,
		"metrics_token", cfg.metricsToken != "",
		"metrics_local", cfg.metricsLocal,
		"max_index_lag", cfg.maxIndexLag,
		"stale_after", cfg.staleAfter.String(),
		"read_header_timeout", cfg.readHeaderTimeout.String(),
		"read_timeout", cfg.readTimeout.String(),
		"write_timeout", cfg.writeTimeout.String(),
		"idle_timeout", cfg.idleTimeout.String(),
		"shutdown_timeout", cfg.shutdownTimeout.String(),
		"log_format", cfg.logFmt,
		"log_level", cfg.logLevel,
	)
}
