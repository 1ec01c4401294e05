package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
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

// openIndex opens the search index in the data folder, failing at once
// with a clear message when another process holds it.
func openIndex(dataDir string, db *store.DB, r *markdown.Renderer, log *slog.Logger) (*search.Index, error) {
	ix, err := search.Open(filepath.Join(dataDir, "index"), db, r, search.Options{Logger: log})
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
	ix, err := openIndex(cfg.dataDir, db, wiki.NewRenderer(), log)
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

// shutdownGrace is how long in-flight requests get to finish on SIGINT or
// SIGTERM before the server closes their connections.
const shutdownGrace = 10 * time.Second

func (m *Main) serve(ctx context.Context, cfg config, log *slog.Logger) error {
	db, err := openStore(cfg.dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	renderer := wiki.NewRenderer() // shared: pages and search sections agree on anchors
	ix, err := openIndex(cfg.dataDir, db, renderer, log)
	if err != nil {
		return err
	}
	defer ix.Close()
	// The wiki announces every commit; the index wakes up and applies it.
	w := wiki.New(wiki.Config{Store: db, Renderer: renderer, OnCommit: func(*wiki.Revision) { ix.Notify() },
		TrainerEditsNeedReview: cfg.reviewTrainerEdits})
	if created, err := w.EnsureWelcome(ctx); err != nil {
		return fmt.Errorf("create the welcome page: %w", err)
	} else if created {
		log.Info("new wiki: created the welcome page", "data", cfg.dataDir)
	}
	acc := newAccounts(db)
	qlog, err := search.OpenLog(filepath.Join(cfg.dataDir, "searchlog.db"), search.LogOptions{Logger: log})
	if err != nil {
		return fmt.Errorf("open the search log: %w", err)
	}
	defer qlog.Close()
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

	gin.SetMode(gin.ReleaseMode)
	srv, err := web.New(web.Config{
		Wiki:        w,
		Accounts:    acc,
		Cohorts:     wiki.NewCohorts(wiki.CohortsConfig{Accounts: db, Pages: db}),
		Search:      ix,
		SearchLog:   qlog,
		Logger:      log,
		OpenReading: cfg.open,
		TrustProxy:  cfg.trustProxy,
		Health: func(ctx context.Context) error {
			if _, err := db.LastSeq(ctx); err != nil {
				return err
			}
			return ix.Health(ctx)
		},
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	addr := ln.Addr().String()
	fmt.Fprintf(m.Stdout, "faqwiki is running at http://%s/ (data in %s); press Ctrl-C to stop\n", addr, cfg.dataDir)
	if token, needed, err := acc.FirstRun(ctx); err != nil {
		return fmt.Errorf("prepare the first-run setup: %w", err)
	} else if needed {
		fmt.Fprintf(m.Stdout, "\nThis wiki has no accounts yet. Open this one-time link to create its admin:\n\n    http://%s/setup/%s\n\n(It works once; every start prints a new one until the admin exists.)\n", addr, token)
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
	log.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("shutdown did not finish cleanly", "err", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
