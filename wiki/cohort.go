package wiki

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Cohort is a group of new hires who started together.
type Cohort struct {
	ID         string // slug-like, e.g. "2026-11-engineering"
	Name       string
	StartsOn   time.Time // a date (midnight UTC)
	Trainers   []string  // usernames
	InviteCode string    // secret: shown to trainers only
	CreatedAt  time.Time
}

// CohortTotals is what the members of a cohort changed while they were in
// it, counted as they commit: the figures of the cohorts list.
type CohortTotals struct {
	Revisions int
	Added     int // lines
	Removed   int // lines
	Created   int // pages created: changes of kind KindCreate
}

// ParseCohortID checks a cohort id: the same rules as a one-segment slug.
func ParseCohortID(s string) (string, error) {
	if strings.Contains(s, "/") {
		return "", Invalid("id", "may not contain '/'")
	}
	if _, err := ParseSlug(s); err != nil {
		return "", Invalid("id", "must be lower-case a-z, 0-9 and '-', like 2026-11-engineering")
	}
	return s, nil
}

// Cohorts is the domain service for cohorts: creating them and their
// invites, moving people between them, and reporting what each changed and
// handed over. It is safe for concurrent use.
type Cohorts struct {
	accounts AccountStore
	pages    PageStore
	now      Clock

	namesOnce sync.Once
	names     *nameCache // names.go
}

// CohortsConfig is what Cohorts is built from. Accounts and Pages are
// required.
type CohortsConfig struct {
	Accounts AccountStore // cohorts and their members
	Pages    PageStore    // what they changed
	Clock    Clock
}

// NewCohorts returns the cohorts service.
func NewCohorts(cfg CohortsConfig) *Cohorts {
	c := &Cohorts{accounts: cfg.Accounts, pages: cfg.Pages, now: cfg.Clock}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// Cohort returns a cohort by id, or ErrNotFound.
func (cs *Cohorts) Cohort(ctx context.Context, id string) (*Cohort, error) {
	return cs.accounts.Cohort(ctx, id)
}

// MemberOf returns the cohort acct belongs to now, or nil if none. An
// account whose cohort record is gone counts as in none.
func (cs *Cohorts) MemberOf(ctx context.Context, acct *Account) (*Cohort, error) {
	if acct.Cohort == "" {
		return nil, nil
	}
	co, err := cs.accounts.Cohort(ctx, acct.Cohort)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return co, err
}

// List returns every cohort, earliest start first.
func (cs *Cohorts) List(ctx context.Context) ([]*Cohort, error) {
	return cs.accounts.Cohorts(ctx)
}

// CohortSummary is a cohort with its member count and what its members
// changed, for the list of cohorts.
type CohortSummary struct {
	Cohort  *Cohort
	Members int
	Totals  CohortTotals
}

// Summaries returns every cohort with its members and totals, earliest
// start first. It reads the counters the store keeps at commit, not each
// cohort's changes, so it costs the same however long the history grows.
func (cs *Cohorts) Summaries(ctx context.Context) ([]CohortSummary, error) {
	all, err := cs.accounts.Cohorts(ctx)
	if err != nil {
		return nil, err
	}
	accts, err := cs.accounts.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	members := map[string]int{}
	for _, a := range accts {
		if a.CountsInCohort() {
			members[a.Cohort]++
		}
	}
	totals, err := cs.pages.CohortTotals(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]CohortSummary, 0, len(all))
	for _, co := range all {
		out = append(out, CohortSummary{Cohort: co, Members: members[co.ID], Totals: totals[co.ID]})
	}
	return out, nil
}

// NewCohort is what creating a cohort takes.
type NewCohort struct {
	ID       string // "" derives it from the name
	Name     string
	StartsOn time.Time
	Trainers []string
}

// Create adds a cohort with a fresh invite code. It returns a
// *ValidationError for a bad id, name, date or trainer, and ErrConflict if
// the id is taken.
func (cs *Cohorts) Create(ctx context.Context, n NewCohort) (*Cohort, error) {
	v := &ValidationError{}
	n.Name = NormalizeTitle(n.Name)
	switch {
	case n.Name == "":
		v.Add("name", "is required")
	case utf8.RuneCountInString(n.Name) > MaxCohortNameLen:
		v.Add("name", "is longer than %d characters", MaxCohortNameLen)
	}
	if n.ID == "" {
		n.ID = strings.ReplaceAll(string(SlugFromTitle(n.Name)), "/", "-")
	}
	if _, err := ParseCohortID(n.ID); err != nil {
		v.Add("id", "must be lower-case a-z, 0-9 and '-', like 2026-11-engineering")
	}
	if n.StartsOn.IsZero() {
		v.Add("starts_on", "is required (YYYY-MM-DD)")
	}
	trainers, err := cs.checkTrainers(ctx, n.Trainers)
	if err != nil {
		var ve *ValidationError
		if !errors.As(err, &ve) {
			return nil, err
		}
		v.Add("trainers", "%s", ve.Fields["trainers"])
	}
	if err := v.orNil(); err != nil {
		return nil, err
	}
	code, _ := newSecret()
	y, m, d := n.StartsOn.Date()
	c := &Cohort{ID: n.ID, Name: n.Name, StartsOn: time.Date(y, m, d, 0, 0, 0, 0, time.UTC),
		Trainers: trainers, InviteCode: code[:22], CreatedAt: cs.now().UTC()}
	if err := cs.accounts.CreateCohort(ctx, c); err != nil {
		return nil, err
	}
	cs.nameCache().reset()
	return c, nil
}

// checkTrainers normalizes trainer usernames and checks that each names an
// account that is a trainer or admin.
func (cs *Cohorts) checkTrainers(ctx context.Context, names []string) ([]string, error) {
	out := []string{}
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		if n == "" || slices.Contains(out, n) {
			continue
		}
		acct, err := cs.accounts.Account(ctx, n)
		if errors.Is(err, ErrNotFound) {
			return nil, Invalid("trainers", "no account %q", n)
		}
		if err != nil {
			return nil, err
		}
		if acct.Role < RoleTrainer {
			return nil, Invalid("trainers", "%s is not a trainer", n)
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out, nil
}

// RotateInvite gives a cohort a new invite code; the old one stops working.
func (cs *Cohorts) RotateInvite(ctx context.Context, id string) (*Cohort, error) {
	code, _ := newSecret()
	return cs.accounts.UpdateCohort(ctx, id, func(c *Cohort) error {
		c.InviteCode = code[:22]
		return nil
	})
}

// Move puts an account in another cohort ("" for none). Revisions
// it wrote keep the cohort it had then. A trainer or admin is not a
// member of a cohort: moving one into a cohort makes them one of its
// trainers instead (AddTrainer) and leaves their account as it is.
func (cs *Cohorts) Move(ctx context.Context, username, cohort string) (*Account, error) {
	acct, err := cs.accounts.Account(ctx, strings.ToLower(username))
	if errors.Is(err, ErrNotFound) {
		// Not the cohort's 404: the cohort may well be there.
		return nil, Invalid("username", "there is no account %q", username)
	} else if err != nil {
		return nil, err
	}
	if cohort != "" {
		if _, err := cs.accounts.Cohort(ctx, cohort); errors.Is(err, ErrNotFound) {
			return nil, Invalid("cohort", "no cohort %q", cohort)
		} else if err != nil {
			return nil, err
		}
		if acct.Role >= RoleTrainer {
			if _, err := cs.AddTrainer(ctx, cohort, acct.Username); err != nil {
				return nil, err
			}
			return acct, nil
		}
	}
	return cs.accounts.UpdateAccount(ctx, strings.ToLower(username), func(acct *Account) error {
		acct.Cohort = cohort
		return nil
	})
}

// AddTrainer makes username one of cohort id's trainers. It returns
// ErrNotFound if there is no such cohort, and a *ValidationError (field
// "trainers") if username has no account or is not a trainer or admin.
func (cs *Cohorts) AddTrainer(ctx context.Context, id, username string) (*Cohort, error) {
	names, err := cs.checkTrainers(ctx, []string{username})
	if err != nil {
		return nil, err
	}
	return cs.accounts.UpdateCohort(ctx, id, func(c *Cohort) error {
		if !slices.Contains(c.Trainers, names[0]) {
			c.Trainers = append(slices.Clone(c.Trainers), names[0])
			slices.Sort(c.Trainers)
		}
		return nil
	})
}

// CohortWork sums up what a cohort changed.
type CohortWork struct {
	First     time.Time // time of the cohort's first change (zero if none)
	Revisions int
	Added     int
	Removed   int
	Created   []Slug // pages the cohort created, in order
	Edited    []Slug // pages it changed (including created ones), in order
	People    []PersonWork
}

// PersonWork is one member's share of a cohort's work.
type PersonWork struct {
	Username  string
	Revisions int
	Added     int
	Removed   int
	Pages     int
}

// Handover is a cohort's hand-over: what it changed, what it inherited
// (the wiki as it stood when the cohort started) and what the cohort
// before it left it.
type Handover struct {
	Cohort    *Cohort
	Members   []*Account
	Work      *CohortWork
	Inherited []PageSummary // the pages as of InheritedAt
	// InheritedAt is when the cohort took the wiki over: its start date,
	// or when the cohort was made if that is later (the trainers set the
	// wiki up that morning), but never after just before its first change
	// (its own work is not "inherited") nor after now (a cohort that starts
	// in the future takes over the wiki as it is).
	InheritedAt time.Time
	// Started says the cohort's start date has come; a cohort that starts
	// in the future "starts", not "started".
	Started     bool
	Previous    *Cohort     // the cohort that started before, or nil
	PreviousWas *CohortWork // what that cohort changed
}

// Work sums up the changes made by members of a cohort.
func (cs *Cohorts) Work(ctx context.Context, cohort string) (*CohortWork, error) {
	changes, err := cs.pages.CohortChanges(ctx, cohort)
	if err != nil {
		return nil, err
	}
	w := &CohortWork{Created: []Slug{}, Edited: []Slug{}, People: []PersonWork{}}
	people := map[string]*PersonWork{}
	pagesOf := map[string]map[Slug]bool{}
	edited := map[Slug]bool{}
	for _, c := range changes {
		if w.First.IsZero() || c.Time.Before(w.First) {
			w.First = c.Time
		}
		w.Revisions++
		w.Added += c.Added
		w.Removed += c.Removed
		if c.Kind == KindCreate {
			w.Created = append(w.Created, c.Slug)
		}
		if !edited[c.Slug] {
			edited[c.Slug] = true
			w.Edited = append(w.Edited, c.Slug)
		}
		p := people[c.Author]
		if p == nil {
			p = &PersonWork{Username: c.Author}
			people[c.Author] = p
			pagesOf[c.Author] = map[Slug]bool{}
		}
		p.Revisions++
		p.Added += c.Added
		p.Removed += c.Removed
		if !pagesOf[c.Author][c.Slug] {
			pagesOf[c.Author][c.Slug] = true
			p.Pages++
		}
	}
	for _, p := range people {
		w.People = append(w.People, *p)
	}
	slices.SortFunc(w.People, func(x, y PersonWork) int {
		if x.Revisions != y.Revisions {
			return y.Revisions - x.Revisions
		}
		return strings.Compare(x.Username, y.Username)
	})
	return w, nil
}

// Handover assembles a cohort's hand-over. ErrNotFound if there is no such
// cohort.
func (cs *Cohorts) Handover(ctx context.Context, id string) (*Handover, error) {
	c, err := cs.accounts.Cohort(ctx, id)
	if err != nil {
		return nil, err
	}
	h := &Handover{Cohort: c}
	if h.Work, err = cs.Work(ctx, id); err != nil {
		return nil, err
	}
	now := cs.now().UTC()
	h.Started = !c.StartsOn.After(now)
	h.InheritedAt = takeOver(c, h.Work.First, now)
	if h.Inherited, err = cs.pages.PagesAt(ctx, h.InheritedAt); err != nil {
		return nil, err
	}
	all, err := cs.accounts.Cohorts(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range all { // earliest first: the last one before c wins
		if o.ID != c.ID && (o.StartsOn.Before(c.StartsOn) || o.StartsOn.Equal(c.StartsOn) && o.ID < c.ID) {
			h.Previous = o
		}
	}
	if h.Previous != nil {
		if h.PreviousWas, err = cs.Work(ctx, h.Previous.ID); err != nil {
			return nil, err
		}
	}
	accts, err := cs.accounts.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	for _, acct := range accts {
		if acct.Cohort == id && acct.CountsInCohort() {
			h.Members = append(h.Members, acct)
		}
	}
	return h, nil
}

// takeOver is when cohort c took the wiki over, given its first change
// (zero if none) and the time now: see Handover.InheritedAt.
func takeOver(c *Cohort, first, now time.Time) time.Time {
	at := c.StartsOn
	if c.CreatedAt.After(at) {
		at = c.CreatedAt
	}
	if !first.IsZero() && !first.After(at) {
		at = first.Add(-time.Nanosecond)
	}
	if at.After(now) {
		at = now
	}
	return at
}
