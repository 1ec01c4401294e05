package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

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

// shutdownGrace is how long in-flight requests get to finish on SIGINT or
// SIGTERM before the server closes their connections.
const shutdownGrace = 10 * time.Second

func (m *Main) serve(ctx context.Context, cfg config, log *slog.Logger) error {
	db, err := openStore(cfg.dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	w := newWiki(db, log)
	if created, err := w.EnsureWelcome(ctx); err != nil {
		return fmt.Errorf("create the welcome page: %w", err)
	} else if created {
		log.Info("new wiki: created the welcome page", "data", cfg.dataDir)
	}

	acc := newAccounts(db)

	gin.SetMode(gin.ReleaseMode)
	srv, err := web.New(web.Config{
		Wiki:        w,
		Accounts:    acc,
		Logger:      log,
		OpenReading: cfg.open,
		TrustProxy:  cfg.trustProxy,
		Health: func(ctx context.Context) error {
			_, err := db.LastSeq(ctx)
			return err
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
