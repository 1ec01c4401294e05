// Command faqwiki runs the onboarding FAQ wiki and its maintenance tasks.
//
//	faqwiki [serve]        run the web server (the default)
//	faqwiki import DIR     import every *.md file below DIR
//	faqwiki export DIR     write the current pages out as Markdown files
//
// Flags (each also settable by environment):
//
//	-addr  FAQWIKI_ADDR   listen address (default 127.0.0.1:8080)
//	-data  FAQWIKI_DATA   data folder (default ./faqwiki-data)
//	-log   FAQWIKI_LOG    log format: text or json (default text)
//
// This is the one place that sees every concrete type and wires them
// together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "faqwiki:", err)
		}
		os.Exit(exitCode(err))
	}
}

// errUsage marks a mistake in how the command was called (exit status 2).
var errUsage = errors.New("usage")

func exitCode(err error) int {
	if errors.Is(err, errUsage) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

// Main is the program with its outside world made explicit, so tests can
// run it in-process on a temp folder and a free port.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Ready, if set, is called with the server's address once it listens.
	Ready func(addr string)
}

// config is what the flags and environment say.
type config struct {
	addr    string
	dataDir string
	logFmt  string
}

// Run parses args and runs the subcommand until it ends or ctx is done.
func (m *Main) Run(ctx context.Context, args []string) error {
	if m.Getenv == nil {
		m.Getenv = func(string) string { return "" }
	}
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("faqwiki "+cmd, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	var cfg config
	fs.StringVar(&cfg.addr, "addr", envOr(m.Getenv, "FAQWIKI_ADDR", "127.0.0.1:8080"), "listen address (FAQWIKI_ADDR)")
	fs.StringVar(&cfg.dataDir, "data", envOr(m.Getenv, "FAQWIKI_DATA", "./faqwiki-data"), "data folder (FAQWIKI_DATA)")
	fs.StringVar(&cfg.logFmt, "log", envOr(m.Getenv, "FAQWIKI_LOG", "text"), "log format: text or json (FAQWIKI_LOG)")
	fs.Usage = func() {
		fmt.Fprintf(m.Stderr, "usage: faqwiki [serve|import DIR|export DIR] [flags]\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, err := newLogger(m.Stderr, cfg.logFmt)
	if err != nil {
		return err
	}
	switch cmd {
	case "serve":
		if fs.NArg() != 0 {
			return fmt.Errorf("%w: serve takes no arguments", errUsage)
		}
		return m.serve(ctx, cfg, log)
	case "import", "export":
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: faqwiki %s DIR", errUsage, cmd)
		}
		if cmd == "import" {
			return m.importDir(ctx, cfg, log, fs.Arg(0))
		}
		return m.exportDir(ctx, cfg, log, fs.Arg(0))
	case "help":
		fs.Usage()
		return nil
	default:
		fs.Usage()
		return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, fmt.Errorf("%w: -log must be text or json, not %q", errUsage, format)
}

// openStore opens (creating if needed) the data folder's database. It
// fails at once, with a message that says why, when another process holds
// it.
func openStore(dataDir string) (*store.DB, error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	db, err := store.Open(filepath.Join(dataDir, "faqwiki.db"), store.Options{})
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("the data folder %s is in use by another faqwiki process (is the server running?); stop it first", dataDir)
	}
	return db, err
}

// newWiki builds the domain service over db.
func newWiki(db *store.DB, log *slog.Logger) *wiki.Wiki {
	return wiki.New(wiki.Config{Store: db, Logger: log})
}
