// Command faqwiki runs the onboarding FAQ wiki and its maintenance tasks.
//
//	faqwiki [serve]        run the web server (the default)
//	faqwiki import DIR     import every *.md file below DIR
//	faqwiki export DIR     write the current pages out as Markdown files
//	faqwiki user ...       add, list and manage accounts (see `faqwiki user`)
//	faqwiki token ...      create, list and revoke API tokens
//
// Flags (each also settable by environment):
//
//	-addr  FAQWIKI_ADDR   listen address (default 127.0.0.1:8080)
//	-data  FAQWIKI_DATA   data folder (default ./faqwiki-data)
//	-log   FAQWIKI_LOG    log format: text or json (default text)
//	-open  FAQWIKI_OPEN   let visitors read and search without signing in
//	-trust-proxy FAQWIKI_TRUST_PROXY  honour X-Forwarded-* from a local proxy
//	-review-trainer-edits FAQWIKI_REVIEW_TRAINER_EDITS  queue trainers' own edits for review too
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
	"strings"
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
	addr       string
	dataDir    string
	logFmt     string
	open       bool
	trustProxy bool
	// reviewTrainerEdits puts trainers' revisions in the review queue too
	// (by default they count as reviewed on save).
	reviewTrainerEdits bool
	// Flags of the user and token commands.
	role, name, cohort string
}

const usage = `usage: faqwiki [command] [flags]

commands:
  serve                        run the web server (the default)
  import DIR                   import every *.md file below DIR
  export DIR                   write the current pages to DIR as Markdown files
  reindex                      rebuild the search index from the pages
  user add NAME --role ROLE    add an account (password on standard input)
  user list | set-role NAME ROLE | set-password NAME | disable NAME | enable NAME
  token create USER [--name LABEL]   print a new API token for USER
  token list [USER] | revoke ID

flags (each also settable by the environment variable named):
`

// Run parses args and runs the command until it ends or ctx is done.
// Flags may come before or after the command's words.
func (m *Main) Run(ctx context.Context, args []string) error {
	if m.Getenv == nil {
		m.Getenv = func(string) string { return "" }
	}
	fs := flag.NewFlagSet("faqwiki", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	var cfg config
	fs.StringVar(&cfg.addr, "addr", envOr(m.Getenv, "FAQWIKI_ADDR", "127.0.0.1:8080"), "listen address (FAQWIKI_ADDR)")
	fs.StringVar(&cfg.dataDir, "data", envOr(m.Getenv, "FAQWIKI_DATA", "./faqwiki-data"), "data folder (FAQWIKI_DATA)")
	fs.StringVar(&cfg.logFmt, "log", envOr(m.Getenv, "FAQWIKI_LOG", "text"), "log format: text or json (FAQWIKI_LOG)")
	fs.BoolVar(&cfg.open, "open", envBool(m.Getenv, "FAQWIKI_OPEN"), "let visitors read and search without signing in (FAQWIKI_OPEN)")
	fs.BoolVar(&cfg.trustProxy, "trust-proxy", envBool(m.Getenv, "FAQWIKI_TRUST_PROXY"), "honour X-Forwarded-For/-Proto from a proxy on this machine or the private network (FAQWIKI_TRUST_PROXY)")
	fs.BoolVar(&cfg.reviewTrainerEdits, "review-trainer-edits", envBool(m.Getenv, "FAQWIKI_REVIEW_TRAINER_EDITS"), "put trainers' own edits in the review queue too; by default they count as reviewed on save (FAQWIKI_REVIEW_TRAINER_EDITS)")
	fs.StringVar(&cfg.role, "role", "editor", "user add: the account's role (reader, editor, trainer, admin)")
	fs.StringVar(&cfg.name, "name", "", "user add: display name; token create: what the token is for")
	fs.StringVar(&cfg.cohort, "cohort", "", "user add: cohort id")
	fs.Usage = func() {
		fmt.Fprint(m.Stderr, usage)
		fs.PrintDefaults()
	}
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		words = append(words, fs.Arg(0))
		args = fs.Args()[1:]
	}
	log, err := newLogger(m.Stderr, cfg.logFmt)
	if err != nil {
		return err
	}
	cmd := "serve"
	if len(words) > 0 {
		cmd, words = words[0], words[1:]
	}
	switch cmd {
	case "serve":
		if len(words) != 0 {
			return fmt.Errorf("%w: serve takes no arguments", errUsage)
		}
		return m.serve(ctx, cfg, log)
	case "import", "export":
		if len(words) != 1 {
			return fmt.Errorf("%w: faqwiki %s DIR", errUsage, cmd)
		}
		if cmd == "import" {
			return m.importDir(ctx, cfg, log, words[0])
		}
		return m.exportDir(ctx, cfg, log, words[0])
	case "reindex":
		if len(words) != 0 {
			return fmt.Errorf("%w: reindex takes no arguments", errUsage)
		}
		return m.reindex(ctx, cfg, log)
	case "user":
		return m.userCmd(ctx, cfg, words)
	case "token":
		return m.tokenCmd(ctx, cfg, words)
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

func envBool(getenv func(string) string, key string) bool {
	switch strings.ToLower(getenv(key)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
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

// newWiki builds the page service over db for the commands that run
// without a server (import, export): nothing follows their commits, since
// the search index catches up with the change feed when it next opens.
func newWiki(db *store.DB) *wiki.Wiki {
	return wiki.New(wiki.Config{Store: db})
}
