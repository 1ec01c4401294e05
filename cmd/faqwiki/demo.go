package main

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/faqwiki/faqwiki/cmd/faqwiki/internal/importer"
	"github.com/faqwiki/faqwiki/search"
	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
)

// The demo: `faqwiki demo` makes a wiki that looks like the real thing in
// a data folder of its own (./faqwiki-demo unless -data says otherwise):
// the public-domain TTS Handbook (demo/handbook, see its SOURCE.md), three
// cohorts, a trainer, an admin and new hires, and two months of history
// by different people and cohorts, some of it reviewed, some waiting, with
// searches that found answers and some that did not.

//go:embed demo/handbook
var demoFS embed.FS

// demoDataDir is the demo's data folder when -data is not given: never
// the real wiki's.
const demoDataDir = "./faqwiki-demo"

// demoPerson is an account of the demo.
type demoPerson struct {
	name, display string
	role          wiki.Role
	cohort        string
}

var demoPeople = []demoPerson{
	{"alex", "Alex Admin", wiki.RoleAdmin, ""},
	{"tina", "Tina Trainer", wiki.RoleTrainer, ""},
	{"nina", "Nina Nowak", wiki.RoleEditor, "2026-09-engineering"},
	{"omar", "Omar Okafor", wiki.RoleEditor, "2026-09-engineering"},
	{"lea", "Léa Laurent", wiki.RoleEditor, "2026-11-engineering"},
	{"sam", "Sam Sato", wiki.RoleEditor, "2026-11-engineering"},
}

// demoClock is the time the demo's history is written at: set back for
// each step, so the history spans weeks.
type demoClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *demoClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second)
	return c.now
}

func (c *demoClock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

func (m *Main) demo(ctx context.Context, cfg config, log interface{ Info(string, ...any) }) error {
	dir := cfg.dataDir
	if !cfg.dataSet {
		dir = demoDataDir
	}
	if _, err := os.Stat(dbPath(dir)); err == nil {
		return fmt.Errorf("%s already has a wiki; start it with: faqwiki serve -data %s (or remove the folder to make the demo again)", dir, dir)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	handbook, err := fs.Sub(demoFS, "demo/handbook")
	if err != nil {
		return err
	}
	site, err := importer.ReadFS(handbook, wiki.NewRenderer(), func(rel string) bool { return rel == "SOURCE.md" })
	if err != nil {
		return fmt.Errorf("demo: read the handbook: %w", err)
	}
	today := time.Now().UTC()
	clock := &demoClock{now: today.AddDate(0, 0, -75)}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	db, err := store.Open(dbPath(dir), store.Options{Clock: clock.Now})
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("the data folder %s is in use by another faqwiki process", dir)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	d := &demoRun{
		ctx: ctx, today: today, clock: clock, db: db,
		w:         wiki.New(wiki.Config{Store: db, Clock: clock.Now}),
		acc:       wiki.NewAccounts(wiki.AccountsConfig{Store: db, Clock: clock.Now, Password: m.demoPasswords()}),
		co:        wiki.NewCohorts(wiki.CohortsConfig{Accounts: db, Pages: db, Clock: clock.Now}),
		users:     map[string]context.Context{},
		passwords: map[string]string{},
	}
	for _, step := range []func() error{
		func() error { return d.importHandbook(site) }, // 75 days ago
		d.people, d.history, d.review, d.questions,
		func() error { return d.searches(searchLogPath(dir)) },
	} {
		if err := step(); err != nil {
			return err
		}
	}
	n, err := countPages(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Made a demo wiki in %s: the %d pages of the TTS Handbook (public domain: cmd/faqwiki/demo/handbook/SOURCE.md) and %d more its cohorts wrote, 3 cohorts, %d people and %d revisions of history by them.\n\n",
		dir, len(site.Pages), n-len(site.Pages), len(demoPeople), d.revisions)
	return m.demoSignIn(dir, cfg.addr, d.passwords)
}

// demoRun is the demo being written: its clock, services and people.
type demoRun struct {
	ctx       context.Context
	today     time.Time
	clock     *demoClock
	db        *store.DB
	w         *wiki.Wiki
	acc       *wiki.Accounts
	co        *wiki.Cohorts
	users     map[string]context.Context // each person, signed in
	passwords map[string]string
	revisions int
}

// day is midnight d days from today; at sets the clock to hour o'clock of
// that day.
func (d *demoRun) day(n int) time.Time { return d.today.AddDate(0, 0, n).Truncate(24 * time.Hour) }
func (d *demoRun) at(days, hour int) {
	d.clock.set(d.day(days).Add(time.Duration(hour) * time.Hour))
}

func (d *demoRun) importHandbook(site *importer.Site) error {
	ictx := wiki.NewContextWithUser(d.ctx, importUser)
	for _, p := range site.Pages {
		if _, err := importPage(ictx, d.w, p); err != nil {
			return fmt.Errorf("demo: import %s: %w", p.Path, err)
		}
	}
	return nil
}

// people makes the cohorts and the accounts, each at a plausible time.
func (d *demoRun) people() error {
	for _, c := range []wiki.NewCohort{
		{ID: "2026-09-engineering", Name: "September engineering", StartsOn: d.day(-60)},
		{ID: "2026-11-engineering", Name: "November engineering", StartsOn: d.day(-14)},
		{ID: "2027-01-engineering", Name: "January engineering", StartsOn: d.day(30)},
	} {
		d.clock.set(c.StartsOn.Add(-7 * 24 * time.Hour))
		if _, err := d.co.Create(d.ctx, c); err != nil {
			return fmt.Errorf("demo: cohort %s: %w", c.ID, err)
		}
	}
	for _, p := range demoPeople {
		d.clock.set(d.day(-74)) // the staff; new hires join just before their cohort starts
		if c, err := d.co.Cohort(d.ctx, p.cohort); err == nil {
			d.clock.set(c.StartsOn.Add(-2 * 24 * time.Hour))
		}
		pw := demoPassword()
		a, err := d.acc.CreateAccount(d.ctx, wiki.NewAccount{Username: p.name, DisplayName: p.display, Password: pw, Role: p.role, Cohort: p.cohort})
		if err != nil {
			return fmt.Errorf("demo: account %s: %w", p.name, err)
		}
		d.passwords[p.name] = pw
		d.users[p.name] = wiki.NewContextWithUser(d.ctx, a.User())
	}
	for _, c := range []string{"2026-09-engineering", "2026-11-engineering", "2027-01-engineering"} {
		if _, err := d.co.AddTrainer(d.ctx, c, "tina"); err != nil {
			return err
		}
	}
	return nil
}

// demoEdit is one revision of the demo's history: who changed which page
// when (days from today, hour), and how.
type demoEdit struct {
	days, hour     int
	who            string
	slug           wiki.Slug
	title, summary string // title "" keeps the page's
	change         func(string) string
}

// demoAdd puts text after the first "after" (or at the end); demoReplace
// replaces old once; demoSet makes the text text; demoAppend adds text at
// the end.
func demoAdd(after, text string) func(string) string {
	return func(s string) string {
		if i := strings.Index(s, after); i >= 0 {
			i += len(after)
			return s[:i] + text + s[i:]
		}
		return s + "\n" + text
	}
}
func demoReplace(old, new string) func(string) string {
	return func(s string) string { return strings.Replace(s, old, new, 1) }
}
func demoSet(text string) func(string) string    { return func(string) string { return text } }
func demoAppend(text string) func(string) string { return func(s string) string { return s + text } }

var demoEdits = []demoEdit{
	{-74, 10, "tina", wiki.HomeSlug, "TTS onboarding FAQ", "A front page for new hires", demoSet(demoHome)},
	{-58, 11, "nina", "getting-started/equipment", "", "How long the laptop takes",
		demoAdd("## Laptop\n", "\n### How long until my laptop arrives?\n\nUsually three to five working days after your start date; it is shipped to the address you gave HR. Until then, ask your supervisor for a loaner (see below).\n")},
	{-55, 15, "omar", "getting-started/first-week-faq", "First-week questions", "Questions we had in our first week", demoSet(demoFirstWeek)},
	{-54, 9, "nina", "getting-started/first-week-faq", "", "Who to ask about the PIV appointment",
		demoReplace("Ask your supervisor.", "Ask your supervisor; the appointment itself is booked by the GSA credentialing office, and it is usually in your first week.")},
	{-45, 14, "omar", "getting-started/how-to-log-in", "", "Password tip",
		demoAdd("### Changing your ENT password\n", "\nTip from our cohort: change it from a GSA laptop on the network, or the new one takes a day to reach every system.\n")},
	{-40, 10, "nina", "getting-started/first-week-faq", "", "Stand-up time changed",
		demoReplace("Stand-up is at 09:00 every day", "Stand-up is at 09:30 every day")},
	{-12, 11, "lea", "getting-started/first-week-faq", "", "Acronyms",
		demoAppend("\n## Where do I look up all these acronyms?\n\nIn the [glossary](/wiki/general-information-and-resources/glossary): search it from the box at the top, or ask in the cohort channel.\n")},
	{-10, 16, "sam", "getting-started/first-week-faq", "", "Stand-up moved again",
		demoReplace("Stand-up is at 09:30 every day", "Stand-up is at 10:00 every day, except Mondays")},
	{-9, 13, "lea", "tools/slack-for-new-hires", "Slack channels for new hires", "The channels our cohort found useful", demoSet(demoSlack)},
	{-3, 11, "sam", "getting-started/piv", "", "Where the card reader is",
		demoAdd("## Use with a GSA Mac\n", "\nThe USB-C card reader comes in the laptop box; a spare is at the front desk of each office.\n")},
	{-1, 17, "lea", "getting-started/first-week-faq", "", "Parking",
		demoAppend("\n## Can I park at the office?\n\nNot yet answered: see [[Parking at the office]].\n")},
}

// history writes demoEdits, each as its person at its time.
func (d *demoRun) history() error {
	for _, e := range demoEdits {
		d.at(e.days, e.hour)
		ctx := d.users[e.who]
		base, text, title := 0, "", e.title
		p, err := d.w.Page(ctx, e.slug)
		switch {
		case errors.Is(err, wiki.ErrNotFound):
		case err != nil:
			return err
		default:
			base, text = p.Revision, p.Markdown
			if title == "" {
				title = p.Title
			}
		}
		res, err := d.w.Save(ctx, wiki.Edit{Slug: e.slug, Title: title, Markdown: e.change(text), Summary: e.summary, Base: base})
		if err != nil {
			return fmt.Errorf("demo: %s edits %s: %w", e.who, e.slug, err)
		}
		if !res.Unchanged {
			d.revisions++
		}
	}
	return nil
}

// review: Tina reviews what the September cohort wrote; November's
// waits in her queue. She sets the November cohort's reading list.
func (d *demoRun) review() error {
	d.at(-35, 9)
	for _, slug := range []wiki.Slug{wiki.HomeSlug, "getting-started/equipment", "getting-started/first-week-faq", "getting-started/how-to-log-in"} {
		hist, err := d.w.Revisions(d.users["tina"], slug)
		if err != nil {
			return err
		}
		n := hist[0].Number
		for _, r := range hist { // the newest revision made before the review
			if !r.CreatedAt.After(d.day(-35)) {
				n = r.Number
				break
			}
		}
		if _, err := d.w.MarkReviewed(d.users["tina"], slug, n); err != nil {
			return fmt.Errorf("demo: review %s: %w", slug, err)
		}
	}
	d.at(-13, 9)
	if err := d.w.SetCohortReading(d.users["tina"], "2026-11-engineering", []wiki.Slug{wiki.HomeSlug, "getting-started", "getting-started/first-week-faq"}); err != nil {
		return err
	}
	return nil
}

// questions: questions the new hires asked, one answered on a page, two
// still open (one of them with a +1), for the home page and the gap list.
func (d *demoRun) questions() error {
	qs := wiki.NewQuestions(wiki.QuestionsConfig{Store: d.db, Wiki: d.w, Clock: d.clock.Now})
	d.at(-9, 11)
	asked, err := qs.Ask(d.users["omar"], "Can I get a second monitor?", "")
	if err != nil {
		return fmt.Errorf("demo: ask: %w", err)
	}
	d.at(-8, 15)
	if _, err := qs.Answer(d.users["nina"], asked.Question.ID, "getting-started/equipment", "laptop"); err != nil {
		return fmt.Errorf("demo: answer: %w", err)
	}
	d.at(-4, 10)
	bike, err := qs.Ask(d.users["sam"], "Where do I park my bike?", "parking")
	if err != nil {
		return fmt.Errorf("demo: ask: %w", err)
	}
	d.at(-3, 14)
	if _, _, err := qs.Vote(d.users["lea"], bike.Question.ID); err != nil {
		return fmt.Errorf("demo: +1: %w", err)
	}
	d.at(-2, 9)
	if _, err := qs.Ask(d.users["lea"], "Is there a gym in the building?", "gym membership"); err != nil {
		return fmt.Errorf("demo: ask: %w", err)
	}
	return nil
}

// searches: searches of the last weeks, answers people opened and some the
// FAQ does not have, in the search log at path.
func (d *demoRun) searches(path string) error {
	qlog, err := search.OpenLog(path, search.LogOptions{Clock: d.clock.Now})
	if err != nil {
		return err
	}
	for i, s := range []struct {
		q, slug, anchor string
		times           int
	}{
		{"forgot my piv card", "getting-started/piv", "forgot-your-card", 7},
		{"laptop", "getting-started/equipment", "laptop", 5},
		{"when does my laptop arrive", "getting-started/equipment", "how-long-until-my-laptop-arrives", 4},
		{"vpn", "getting-started/how-to-log-in", "connecting-to-gsa-networks", 3},
		{"stand up time", "getting-started/first-week-faq", "when-is-stand-up", 3},
		{"acronyms", "general-information-and-resources/glossary", "", 2},
		{"parking", "", "", 4},
		{"gym membership", "", "", 2},
	} {
		for n := 0; n < s.times; n++ {
			d.at(-20+(i+n)%19, 9+n%8)
			person := fmt.Sprintf("demo-searcher-%d", n)
			results := 1
			if s.slug == "" {
				results = 0
			}
			if err := qlog.LogSearch(d.ctx, wiki.SearchEvent{Query: s.q, Results: results, Person: person}); err != nil {
				return err
			}
			if s.slug != "" {
				if err := qlog.LogOpen(d.ctx, wiki.OpenEvent{Query: s.q, Slug: wiki.Slug(s.slug), Anchor: s.anchor, Person: person}); err != nil {
					return err
				}
			}
		}
	}
	return qlog.Close()
}

// demoSignIn tells how to start the demo and who can sign in with what.
func (m *Main) demoSignIn(dir, addr string, passwords map[string]string) error {
	serve := "faqwiki serve -data " + dir
	if addr != defaultAddr {
		serve += " -addr " + addr
	}
	if exe, err := os.Executable(); err == nil && strings.Contains(exe, "go-build") {
		serve = "go run ./cmd/faqwiki " + strings.TrimPrefix(serve, "faqwiki ") // started with go run
	}
	fmt.Fprintf(m.Stdout, "Start it:\n\n    %s\n\nand open http://%s/ . Sign in as any of these (the passwords are shown only now):\n\n", serve, addr)
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "    USERNAME\tPASSWORD\tROLE\tNAME\tCOHORT")
	for _, p := range demoPeople {
		c := p.cohort
		if c == "" {
			c = "-"
		}
		fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s\n", p.name, passwords[p.name], p.role, p.display, c)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "\nTry: alex manages people (People), tina reviews the November cohort's changes (Review) and\nreads the cohorts' hand-overs, lea and sam are new hires. Your real wiki's data folder is not touched.\n")
	return nil
}

// countPages counts the live pages.
func countPages(ctx context.Context, db *store.DB) (int, error) {
	n, cursor := 0, ""
	for {
		pages, next, err := db.Pages(ctx, wiki.PageFilter{Limit: 1000, Cursor: cursor})
		if err != nil {
			return 0, err
		}
		n += len(pages)
		if next == "" {
			return n, nil
		}
		cursor = next
	}
}

// demoPasswords is the cost of the demo accounts' password hashes: the
// real one, unless a test asks for cheaper.
func (m *Main) demoPasswords() wiki.PasswordParams {
	if m.cheapPasswords {
		return wiki.PasswordParams{Time: 1, Memory: 64, Threads: 1}
	}
	return wiki.DefaultPasswordParams
}

var demoWords = strings.Fields(`amber anchor apple badge basil birch cedar cloud comet coral delta dune ember fern
fjord garnet glacier harbor hazel indigo island jasper juniper kettle lagoon lantern maple meadow
nectar nimbus oasis orbit pebble pepper prism quartz quill raven river saffron sierra spruce
tundra velvet walnut willow yarrow zephyr`)

// demoPassword is a passphrase of three words and two digits.
func demoPassword() string {
	pick := func(n int) int {
		v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
		if err != nil {
			panic(err) // crypto/rand does not fail on a supported system
		}
		return int(v.Int64())
	}
	w := make([]string, 0, 3)
	for len(w) < 3 {
		if word := demoWords[pick(len(demoWords))]; !slices.Contains(w, word) {
			w = append(w, word)
		}
	}
	return fmt.Sprintf("%s-%s-%s-%02d", w[0], w[1], w[2], pick(100))
}

const demoHome = `Welcome to the onboarding FAQ of the Technology Transformation Services. It holds the answers the cohorts before you needed in their first weeks, and you keep it up to date for the cohorts after you.

- **Looking for something?** Type it into the search box at the top (press <kbd>/</kbd>): you land on the question that answers it.
- **Your first days:** [[Onboarding overview]], then [[First-week questions]], [[Equipment]] and [[PIV card]].
- **Logging in:** [[Logging in & Networks]]; for chat, [[Slack channels for new hires]].
- **Found something out of date?** Every page has an **Edit** button. Nothing you change is lost, and your cohort gets the credit.

*This demo is the public-domain TTS Handbook with a made-up history. Its front page is an ordinary page: edit it like any other.*
`

const demoFirstWeek = `Questions our cohort asked in the first week, with the answers we found. Add yours.

## When is stand-up?

Stand-up is at 09:00 every day in the team's video room. Ask your supervisor for the link.

## Who do I ask about the PIV appointment?

Ask your supervisor.

## What do I need for my first day?

Your personal e-mail for the welcome letter, a phone for the two-factor codes, and patience: see [[Onboarding overview]] and the [PIV card page](/wiki/getting-started/piv).

## Where are the onboarding classes?

In the calendar invites you get in your first week; the list is on the [classes page](/wiki/getting-started/classes).
`

const demoSlack = `The channels our cohort found most useful in the first weeks. See [[Slack]] for how Slack works here.

## Which channels should I join first?

| Channel | What it is for |
| --- | --- |
| #tts | announcements for everyone |
| #tts-handbook | questions about the handbook |
| #help-it | laptop, accounts, VPN |

## Can I leave channels?

Yes: only the announcement channels are expected. Mute the rest as you like.
`
