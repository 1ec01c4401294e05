// Command faqwiki runs the onboarding FAQ wiki and its maintenance tasks.
//
//	faqwiki [serve]        run the web server (the default)
//	faqwiki import DIR     import every *.md file below DIR
//	faqwiki export DIR     write the current pages out as Markdown files
//	faqwiki backup ...     a verified copy of the database
//	faqwiki restore FILE   a backup into an empty data folder
//	faqwiki check          verify a stopped data folder
//	faqwiki user ...       add, list and manage accounts (see `faqwiki user`)
//	faqwiki token ...      create, list and revoke API tokens
//
// Every flag can also be set by an environment variable, FAQWIKI_ and its
// name in capitals (-read-timeout: FAQWIKI_READ_TIMEOUT); "faqwiki serve
// -h" lists them.
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
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	raiseProcs(os.Getenv)
	tuneGC(os.Getenv)
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
	// cheapPasswords makes the demo's password hashes cheap (tests).
	cheapPasswords bool
}

// config is what the flags and environment say.
type config struct {
	addr     string
	dataDir  string
	logFmt   string
	logLevel string
	open     bool
	dryRun   bool // import: report only
	// reviewTrainerEdits puts trainers' revisions in the review queue too
	// (by default they count as reviewed on save).
	reviewTrainerEdits bool
	// staleAfter is how long an answer may go unconfirmed before the
	// freshness lists call it stale.
	staleAfter time.Duration
	// Behind a reverse proxy.
	trustProxy     bool
	trustedProxies string // comma-separated addresses or CIDR ranges
	baseURL        string
	// Operations.
	metricsToken      string
	metricsLocal      bool
	pprofAddr         string
	maxIndexLag       uint64
	readHeaderTimeout time.Duration
	readTimeout       time.Duration
	writeTimeout      time.Duration
	idleTimeout       time.Duration
	shutdownTimeout   time.Duration
	// Flags of the user and token commands.
	role, name, cohort string
	// Flags of the backup command.
	out, url, token string
	// dataSet says -data (or FAQWIKI_DATA) was given: the demo writes its
	// own folder otherwise.
	dataSet bool
}

const usage = `usage: faqwiki [command] [flags]

commands:
  serve                        run the web server (the default)
  import DIR [--dry-run]       import the Markdown site in DIR and print a report
  export DIR                   write the current pages to DIR as Markdown files
  reindex                      rebuild the search index from the pages
  backup -o FILE [-url URL -token TOKEN]
                               a verified copy of the database: from a running
                               server (-url), or from the stopped data folder
  restore FILE                 put a backup into an empty data folder and
                               rebuild its search index
  check                        verify a stopped data folder: the database's
                               pages, change feed and page heads, and the
                               search index's place in the feed
  user add NAME --role ROLE    add an account (password on standard input)
  user list | set-role NAME ROLE | set-password NAME | disable NAME | enable NAME
  user reset NAME              print a one-time link to choose a new password
  token create USER [--name LABEL]   print a new API token for USER
  token list [USER] | revoke ID
  demo                         make a demo wiki (the TTS Handbook, cohorts, people
                               and history) in ./faqwiki-demo and print how to open it
  bench [-pages N ...]         run the performance suite against a server it
                               starts on loopback (faqwiki bench -h)
  version                      print the version

"faqwiki COMMAND -h" lists the flags of a command.
`

// flagGroups says which flags each command's help lists, under which
// heading.
var flagGroups = []struct {
	title    string
	commands []string // the commands whose help lists the group; nil: all
	flags    []string
}{
	{"every command", nil, []string{"data", "log", "log-level"}},
	{"serve", []string{"serve"}, []string{"addr", "open", "review-trainer-edits", "stale-after", "read-header-timeout", "read-timeout", "write-timeout", "idle-timeout", "shutdown-timeout"}},
	{"serve: behind a reverse proxy", []string{"serve", "user"}, []string{"trust-proxy", "trusted-proxies", "base-url"}},
	{"serve: health and metrics", []string{"serve"}, []string{"metrics-token", "metrics-local", "max-index-lag", "pprof"}},
	{"user and token", []string{"user", "token"}, []string{"role", "name", "cohort"}},
	{"backup", []string{"backup"}, []string{"o", "url", "token"}},
	{"import", []string{"import"}, []string{"dry-run", "url", "token"}},
}

// envName is the environment variable of a flag: FAQWIKI_ and the flag's
// name in capitals with '-' as '_' (read-timeout: FAQWIKI_READ_TIMEOUT),
// except the backup command's short -o.
func envName(flag string) string {
	if flag == "o" {
		return "FAQWIKI_BACKUP_FILE"
	}
	return "FAQWIKI_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// defaultAddr is where the server listens unless -addr says otherwise.
const defaultAddr = "127.0.0.1:8080"

// newFlagSet declares every flag into cfg, with its default.
func newFlagSet(cfg *config) *flag.FlagSet {
	fs := flag.NewFlagSet("faqwiki", flag.ContinueOnError)
	fs.StringVar(&cfg.addr, "addr", defaultAddr, "`address` to listen on; links printed on the console use it too")
	fs.StringVar(&cfg.dataDir, "data", "./faqwiki-data", "data `folder`: faqwiki.db (the one source of truth), index/ (derived) and searchlog.db")
	fs.StringVar(&cfg.logFmt, "log", "text", "log `format`: text or json")
	fs.StringVar(&cfg.logLevel, "log-level", "info", "least important log lines kept (`level`): debug, info, warn or error")
	fs.BoolVar(&cfg.open, "open", false, "let visitors read and search without signing in")
	cfg.staleAfter = wiki.DefaultStaleAfter
	fs.Var((*daysFlag)(&cfg.staleAfter), "stale-after", "how long an answer may go unconfirmed and unchanged before the freshness lists and hand-overs call it stale (`days`, like 180d, or a duration like 720h)")
	fs.BoolVar(&cfg.reviewTrainerEdits, "review-trainer-edits", false, "put trainers' own edits in the review queue too; by default they count as reviewed on save")
	fs.BoolVar(&cfg.trustProxy, "trust-proxy", false, "believe X-Forwarded-For/-Proto/-Host and X-Request-Id from a reverse proxy on this machine or the private networks")
	fs.StringVar(&cfg.trustedProxies, "trusted-proxies", "", "comma-separated `addresses` or CIDR ranges of the reverse proxies to believe (instead of -trust-proxy's)")
	fs.StringVar(&cfg.baseURL, "base-url", "", "the wiki's public `address`, such as https://wiki.example.com, for links that leave the site (reset links, feeds); default: the request's host")
	fs.StringVar(&cfg.metricsToken, "metrics-token", "", "a `secret` that opens /metrics as \"Authorization: Bearer <secret>\" (for Prometheus)")
	fs.BoolVar(&cfg.metricsLocal, "metrics-local", true, "also let clients on this machine that do not come through a proxy read /metrics (-metrics-local=false to refuse them)")
	fs.StringVar(&cfg.pprofAddr, "pprof", "", "serve Go's profiles (net/http/pprof) on this `address` of this machine, such as 127.0.0.1:6060; off by default")
	fs.Uint64Var(&cfg.maxIndexLag, "max-index-lag", 1000, "how many `changes` the search index may be behind the store before /healthz answers 503")
	fs.DurationVar(&cfg.readHeaderTimeout, "read-header-timeout", 10*time.Second, "how long a client may take to send a request's headers")
	fs.DurationVar(&cfg.readTimeout, "read-timeout", 2*time.Minute, "how long a client may take to send a whole request")
	fs.DurationVar(&cfg.writeTimeout, "write-timeout", 2*time.Minute, "how long writing an answer may take (a backup download gets an hour)")
	fs.DurationVar(&cfg.idleTimeout, "idle-timeout", 2*time.Minute, "how long an idle keep-alive connection stays open")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long requests in flight get to finish on Ctrl-C or SIGTERM")
	fs.StringVar(&cfg.role, "role", "editor", "user add: the account's `role` (reader, editor, trainer, admin)")
	fs.StringVar(&cfg.name, "name", "", "user add: display `name`; token create: what the token is for")
	fs.StringVar(&cfg.cohort, "cohort", "", "user add: cohort `id`")
	fs.BoolVar(&cfg.dryRun, "dry-run", false, "import: read the folder and print the report, writing nothing")
	fs.StringVar(&cfg.out, "o", "", "backup: the `file` to write (\"-\" for standard output)")
	fs.StringVar(&cfg.url, "url", "", "backup, import: the running server's `address`, such as https://wiki.example.com")
	fs.StringVar(&cfg.token, "token", "", "backup, import: an API `token` (an admin's for backup; safer in FAQWIKI_TOKEN than on the command line)")
	return fs
}

// setFromEnv sets every flag whose environment variable is set. The
// command line is parsed afterwards, so a flag given there wins. Booleans
// also take yes/no and on/off.
func setFromEnv(fs *flag.FlagSet, getenv func(string) string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		v := getenv(envName(f.Name))
		if v == "" || err != nil {
			return
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			switch strings.ToLower(v) {
			case "yes", "on":
				v = "true"
			case "no", "off":
				v = "false"
			}
		}
		if serr := fs.Set(f.Name, v); serr != nil {
			err = fmt.Errorf("%w: %s=%q: %v", errUsage, envName(f.Name), v, serr)
		}
	})
	return err
}

// printUsage writes the help of command ("" for every command): the
// commands, and the flags that command takes with their variables and
// defaults.
func printUsage(w io.Writer, fs *flag.FlagSet, command string) {
	fmt.Fprint(w, usage)
	fmt.Fprintln(w, "\nflags (each also set by the environment variable named below it; a flag given wins):")
	for _, g := range flagGroups {
		if command != "" && g.commands != nil && !slices.Contains(g.commands, command) {
			continue
		}
		fmt.Fprintf(w, "\n%s:\n", g.title)
		for _, name := range g.flags {
			f := fs.Lookup(name)
			arg, help := flag.UnquoteUsage(f)
			fmt.Fprintf(w, "  %s\n        %s\n        %s", strings.TrimSpace("-"+f.Name+" "+arg), help, envName(f.Name))
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
				fmt.Fprintf(w, " (default %s)", f.DefValue)
			}
			fmt.Fprintln(w)
		}
	}
}

// Run parses args and runs the command until it ends or ctx is done.
// Flags may come before or after the command's words.
func (m *Main) Run(ctx context.Context, args []string) error {
	if m.Getenv == nil {
		m.Getenv = func(string) string { return "" }
	}
	if len(args) > 0 && args[0] == "bench" {
		// The performance suite has flags of its own (bench.go).
		return m.bench(ctx, args[1:])
	}
	var cfg config
	fs := newFlagSet(&cfg)
	fs.SetOutput(m.Stderr)
	var words []string
	fs.Usage = func() {
		command := ""
		if len(words) > 0 {
			command = words[0]
		}
		printUsage(m.Stderr, fs, command)
	}
	if err := setFromEnv(fs, m.Getenv); err != nil {
		return err
	}
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
	fs.Visit(func(f *flag.Flag) { cfg.dataSet = cfg.dataSet || f.Name == "data" })
	log, flushLog, err := newLogger(m.Stderr, cfg.logFmt, cfg.logLevel)
	if err != nil {
		return err
	}
	defer flushLog()
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
	case "backup":
		if len(words) != 0 {
			return fmt.Errorf("%w: faqwiki backup -o FILE [-url URL -token TOKEN]", errUsage)
		}
		return m.backup(ctx, cfg)
	case "restore":
		if len(words) != 1 {
			return fmt.Errorf("%w: faqwiki restore FILE (into the empty data folder -data)", errUsage)
		}
		return m.restore(ctx, cfg, log, words[0])
	case "check":
		if len(words) != 0 {
			return fmt.Errorf("%w: check takes no arguments: it checks the data folder -data", errUsage)
		}
		return m.check(ctx, cfg)
	case "user":
		return m.userCmd(ctx, cfg, words)
	case "token":
		return m.tokenCmd(ctx, cfg, words)
	case "demo":
		if len(words) != 0 {
			return fmt.Errorf("%w: demo takes no arguments (-data FOLDER to choose where)", errUsage)
		}
		return m.demo(ctx, cfg, log)
	case "version":
		fmt.Fprintln(m.Stdout, "faqwiki", version())
		return nil
	case "help":
		command := ""
		if len(words) > 0 {
			command = words[0]
		}
		printUsage(m.Stdout, fs, command)
		return nil
	default:
		fs.Usage()
		return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
}

// version is the module version the binary was built from, with its VCS
// revision when known ("devel" for a plain go run).
func version() string {
	v := "devel"
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += "+" + s.Value[:12]
		}
	}
	return v
}

// newLogger returns the logger of the command, writing to w (buffered
// for a file or pipe: see logwriter.go), and a function that writes out
// what waits, for when the command ends.
func newLogger(w io.Writer, format, level string) (*slog.Logger, func(), error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, nil, fmt.Errorf("%w: -log-level must be debug, info, warn or error, not %q", errUsage, level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	out, buffered := bufferedLogOutput(w)
	var h slog.Handler
	switch format {
	case "text":
		h = slog.NewTextHandler(out, opts)
	case "json":
		h = slog.NewJSONHandler(out, opts)
	default:
		return nil, nil, fmt.Errorf("%w: -log must be text or json, not %q", errUsage, format)
	}
	if buffered == nil {
		return slog.New(h), func() {}, nil
	}
	return slog.New(flushingHandler{Handler: h, out: buffered, text: format == "text"}), func() { _ = buffered.Flush() }, nil
}

// openStore opens (creating if needed) the data folder's database. It
// fails at once, with a message that says why, when another process holds
// it.
func openStore(dataDir string) (*store.DB, error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	db, err := store.Open(dbPath(dataDir), store.Options{})
	if errors.Is(err, store.ErrLocked) {
		return nil, &inUseError{dataDir}
	}
	return db, err
}

// inUseError says a data folder is held by another process; it is a
// store.ErrLocked.
type inUseError struct{ dir string }

func (e *inUseError) Error() string {
	return fmt.Sprintf("the data folder %s is in use by another faqwiki process (is the server running?); stop it first, or do it through the running server: admins add people on the web (People), everyone makes API tokens on their account page, and faqwiki import -url sends pages through the API", e.dir)
}

func (e *inUseError) Unwrap() error { return store.ErrLocked }

// dbPath, indexPath and searchLogPath are where the data folder keeps the
// database, the search index and the search log.
func dbPath(dataDir string) string        { return filepath.Join(dataDir, "faqwiki.db") }
func indexPath(dataDir string) string     { return filepath.Join(dataDir, "index") }
func searchLogPath(dataDir string) string { return filepath.Join(dataDir, "searchlog.db") }

// newWiki builds the page service over db for the commands that run
// without a server (import, export): nothing follows their commits, since
// the search index catches up with the change feed when it next opens.
func newWiki(db *store.DB) *wiki.Wiki {
	return wiki.New(wiki.Config{Store: db})
}

// daysFlag is a duration flag that also takes days ("180d").
type daysFlag time.Duration

func (d *daysFlag) String() string {
	if d == nil {
		return ""
	}
	if t := time.Duration(*d); t%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(t/(24*time.Hour)), 10) + "d"
	}
	return time.Duration(*d).String()
}

// Get makes it a flag.Getter, as the flag package's own values are.
func (d *daysFlag) Get() any { return time.Duration(*d) }

func (d *daysFlag) Set(s string) error {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		v, err := strconv.Atoi(n)
		if err != nil || v < 1 || v > 36500 {
			return fmt.Errorf("%q is not a number of days from 1 to 36500", s)
		}
		*d = daysFlag(time.Duration(v) * 24 * time.Hour)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v <= 0 {
		return fmt.Errorf("%q is not a number of days (180d) or a duration (720h)", s)
	}
	*d = daysFlag(v)
	return nil
}
