package wiki

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// NewCohort is what creating a cohort takes.
type NewCohort struct {
	ID       string // "" derives it from the name
	Name     string
	StartsOn time.Time
	Trainers []string
}

// CreateCohort adds a cohort with a fresh invite code. It returns a
// *ValidationError for a bad id, name, date or trainer, and ErrConflict if
// the id is taken.
func (a *Accounts) CreateCohort(ctx context.Context, n NewCohort) (*Cohort, error) {
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
	trainers, err := a.checkTrainers(ctx, n.Trainers)
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
		Trainers: trainers, InviteCode: code[:22], CreatedAt: a.now().UTC()}
	if err := a.store.CreateCohort(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// checkTrainers normalizes trainer usernames and checks that each names an
// account that is a trainer or admin.
func (a *Accounts) checkTrainers(ctx context.Context, names []string) ([]string, error) {
	out := []string{}
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		if n == "" || slices.Contains(out, n) {
			continue
		}
		acct, err := a.store.Account(ctx, n)
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
func (a *Accounts) RotateInvite(ctx context.Context, id string) (*Cohort, error) {
	code, _ := newSecret()
	return a.store.UpdateCohort(ctx, id, func(c *Cohort) error {
		c.InviteCode = code[:22]
		return nil
	})
}

// MoveToCohort puts an account in another cohort ("" for none). Revisions
// it wrote keep the cohort it had then.
func (a *Accounts) MoveToCohort(ctx context.Context, username, cohort string) (*Account, error) {
	if cohort != "" {
		if _, err := a.store.Cohort(ctx, cohort); errors.Is(err, ErrNotFound) {
			return nil, Invalid("cohort", "no cohort %q", cohort)
		} else if err != nil {
			return nil, err
		}
	}
	return a.store.UpdateAccount(ctx, strings.ToLower(username), func(acct *Account) error {
		acct.Cohort = cohort
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
	// InheritedAt is when the cohort took the wiki over: its start date, or
	// just before its first change if it started editing earlier (a start
	// date set in the future, say), so its own work is not "inherited".
	InheritedAt time.Time
	Previous    *Cohort     // the cohort that started before, or nil
	PreviousWas *CohortWork // what that cohort changed
}

// Work sums up the changes made by members of a cohort.
func (a *Accounts) Work(ctx context.Context, cohort string) (*CohortWork, error) {
	changes, err := a.store.CohortChanges(ctx, cohort)
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
func (a *Accounts) Handover(ctx context.Context, id string) (*Handover, error) {
	c, err := a.store.Cohort(ctx, id)
	if err != nil {
		return nil, err
	}
	h := &Handover{Cohort: c}
	if h.Work, err = a.Work(ctx, id); err != nil {
		return nil, err
	}
	h.InheritedAt = c.StartsOn
	if !h.Work.First.IsZero() && h.Work.First.Before(h.InheritedAt) {
		h.InheritedAt = h.Work.First.Add(-time.Nanosecond)
	}
	if h.Inherited, err = a.store.PagesAt(ctx, h.InheritedAt); err != nil {
		return nil, err
	}
	all, err := a.store.Cohorts(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range all { // earliest first: the last one before c wins
		if o.ID != c.ID && (o.StartsOn.Before(c.StartsOn) || o.StartsOn.Equal(c.StartsOn) && o.ID < c.ID) {
			h.Previous = o
		}
	}
	if h.Previous != nil {
		if h.PreviousWas, err = a.Work(ctx, h.Previous.ID); err != nil {
			return nil, err
		}
	}
	accts, err := a.store.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	for _, acct := range accts {
		if acct.Cohort == id {
			h.Members = append(h.Members, acct)
		}
	}
	return h, nil
}
