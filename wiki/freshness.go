package wiki

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// Freshness follows cohorts, not only the calendar. An answer is verified
// when someone confirms it still right, or when its text is written; it
// is stale when neither happened for longer than the site's limit
// (AnswersConfig.StaleAfter). At a cohort's hand-over, the next cohort's
// trainers see the answers the cohort inherited and nobody in it
// confirmed, the answers flagged out of date, and the stale ones, oldest
// first; with the inherited answers the cohort used most and the
// questions it leaves open.

// AnswerAge is an answer on a freshness list.
type AnswerAge struct {
	Slug      Slug
	Title     string // the page's
	Anchor    string
	Heading   string
	Confirmed *Confirmation // the latest, nil if never
	// TextSince is when its current text was written.
	TextSince time.Time
	// Verified is the later of TextSince and the latest confirmation.
	Verified time.Time
	Flags    []Flag // open
}

// Freshness list names.
const (
	FreshFlagged     = "flagged"     // answers with open flags
	FreshStale       = "stale"       // unverified for longer than the limit
	FreshUnconfirmed = "unconfirmed" // inherited by a cohort, confirmed by none of it
)

// FreshnessFilter selects a freshness list.
type FreshnessFilter struct {
	Status string // FreshFlagged, FreshStale or FreshUnconfirmed
	Cohort string // FreshUnconfirmed: the cohort (required)
	Limit  int    // at most this many (0: 200)
}

// maxFreshPages bounds the pages a freshness list reads.
const maxFreshPages = 20000

// Freshness returns a freshness list, oldest first (flags by the oldest
// open flag). The person in ctx must be a trainer. A *ValidationError for
// an unknown list, ErrNotFound for an unknown cohort.
func (a *Answers) Freshness(ctx context.Context, f FreshnessFilter) ([]AnswerAge, error) {
	if _, err := need(ctx, RoleTrainer); err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 200
	}
	var out []AnswerAge
	var err error
	switch f.Status {
	case FreshFlagged:
		out, err = a.flagged(ctx)
	case FreshStale:
		out, err = a.stale(ctx)
	case FreshUnconfirmed:
		if f.Cohort == "" {
			return nil, Invalid("cohort", "is required for the unconfirmed list")
		}
		h, herr := a.cohorts.Handover(ctx, f.Cohort)
		if herr != nil {
			return nil, herr
		}
		out, _, err = a.inherited(ctx, h)
	default:
		return nil, Invalid("status", "must be flagged, stale or unconfirmed")
	}
	if err != nil {
		return nil, err
	}
	return out[:min(len(out), limit)], nil
}

// records returns every answer record, by section.
func (a *Answers) records(ctx context.Context) (map[SectionKey]*AnswerRecord, error) {
	all, err := a.store.AllAnswers(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[SectionKey]*AnswerRecord, len(all))
	for _, r := range all {
		out[SectionKey{r.Slug, r.Anchor}] = r
	}
	return out, nil
}

// flagged lists the answers with open flags, the oldest flag first.
func (a *Answers) flagged(ctx context.Context) ([]AnswerAge, error) {
	all, err := a.store.AllAnswers(ctx)
	if err != nil {
		return nil, err
	}
	out := []AnswerAge{}
	for _, r := range all {
		flags := r.OpenFlags()
		if len(flags) == 0 {
			continue
		}
		p, err := a.wiki.Page(ctx, r.Slug)
		if err != nil || p.Deleted {
			continue // its page is gone: nothing for readers to see
		}
		age := AnswerAge{Slug: r.Slug, Title: p.Title, Anchor: r.Anchor, Heading: r.Heading, Confirmed: r.Confirmed, Flags: flags}
		if o, err := a.outline(ctx, p.Slug, p.Revision); err == nil {
			for _, s := range answerParts(o) {
				if s.Anchor == r.Anchor {
					age.Heading = s.Heading
					if t, err := a.textSince(ctx, p.Slug, p.Revision, s.Anchor, s.Hash); err == nil {
						age.TextSince = t
					}
				}
			}
		}
		age.Verified = verified(age.TextSince, r.Confirmed)
		out = append(out, age)
	}
	slices.SortStableFunc(out, func(x, y AnswerAge) int { return x.Flags[0].At.Compare(y.Flags[0].At) })
	return out, nil
}

func verified(since time.Time, c *Confirmation) time.Time {
	if c != nil && c.At.After(since) {
		return c.At
	}
	return since
}

// livePages calls fn for every live page, by slug.
func (a *Answers) livePages(ctx context.Context, fn func(PageSummary) error) error {
	cursor := ""
	for n := 0; n < maxFreshPages; {
		pages, next, err := a.wiki.Pages(ctx, PageFilter{Limit: 1000, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, p := range pages {
			if err := fn(p); err != nil {
				return err
			}
			n++
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return nil
}

// stale lists the answers not verified within the limit, oldest first.
func (a *Answers) stale(ctx context.Context) ([]AnswerAge, error) {
	recs, err := a.records(ctx)
	if err != nil {
		return nil, err
	}
	cutoff := a.now().UTC().Add(-a.staleAfter)
	out := []AnswerAge{}
	err = a.livePages(ctx, func(p PageSummary) error {
		o, err := a.outline(ctx, p.Slug, p.Revision)
		if err != nil {
			return err
		}
		for _, s := range answerParts(o) {
			r := recs[SectionKey{p.Slug, s.Anchor}]
			var c *Confirmation
			if r != nil {
				c = r.Confirmed
			}
			if c != nil && c.At.After(cutoff) {
				continue // confirmed lately
			}
			since := p.UpdatedAt
			if since.After(cutoff) {
				// The page changed lately; this answer may not have.
				if since, err = a.textSince(ctx, p.Slug, p.Revision, s.Anchor, s.Hash); err != nil {
					return err
				}
				if since.After(cutoff) {
					continue
				}
			} else if since, err = a.textSince(ctx, p.Slug, p.Revision, s.Anchor, s.Hash); err != nil {
				return err
			}
			age := AnswerAge{Slug: p.Slug, Title: p.Title, Anchor: s.Anchor, Heading: s.Heading, Confirmed: c, TextSince: since, Verified: verified(since, c)}
			if r != nil {
				age.Flags = r.OpenFlags()
			}
			out = append(out, age)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortOldest(out)
	return out, nil
}

func sortOldest(out []AnswerAge) {
	slices.SortStableFunc(out, func(x, y AnswerAge) int {
		return cmp.Or(x.Verified.Compare(y.Verified), cmp.Compare(x.Slug, y.Slug), cmp.Compare(x.Anchor, y.Anchor))
	})
}

// inherited lists the answers a cohort inherited (they were in the wiki
// when it took over and still are) that nobody in it confirmed and whose
// text nobody changed since, oldest first, and how many of those it
// inherited were confirmed by it or rewritten since (a rewrite is a look
// at the answer too).
func (a *Answers) inherited(ctx context.Context, h *Handover) (unconfirmed []AnswerAge, confirmed int, err error) {
	recs, err := a.records(ctx)
	if err != nil {
		return nil, 0, err
	}
	unconfirmed = []AnswerAge{}
	for _, old := range h.Inherited {
		p, err := a.wiki.Page(ctx, old.Slug)
		if err != nil || p.Deleted {
			continue
		}
		then, err := a.outline(ctx, old.Slug, old.Revision)
		if err != nil {
			return nil, 0, err
		}
		was := map[string]bool{}
		for _, s := range answerParts(then) {
			was[s.Anchor] = true
		}
		now, err := a.outline(ctx, p.Slug, p.Revision)
		if err != nil {
			return nil, 0, err
		}
		for _, s := range answerParts(now) {
			if !was[s.Anchor] {
				continue // the cohort wrote it (or renamed it): not inherited
			}
			r := recs[SectionKey{p.Slug, s.Anchor}]
			if r != nil && !r.ByCohort[h.Cohort.ID].IsZero() {
				confirmed++
				continue
			}
			since, err := a.textSince(ctx, p.Slug, p.Revision, s.Anchor, s.Hash)
			if err != nil {
				return nil, 0, err
			}
			if since.After(h.InheritedAt) {
				confirmed++ // rewritten since the cohort took over
				continue
			}
			age := AnswerAge{Slug: p.Slug, Title: p.Title, Anchor: s.Anchor, Heading: s.Heading, TextSince: since}
			if r != nil {
				age.Confirmed, age.Flags = r.Confirmed, r.OpenFlags()
			}
			age.Verified = verified(since, age.Confirmed)
			unconfirmed = append(unconfirmed, age)
		}
	}
	sortOldest(unconfirmed)
	return unconfirmed, confirmed, nil
}

// SectionUse is how often a cohort opened an answer.
type SectionUse struct {
	Slug    Slug
	Title   string
	Anchor  string
	Heading string
	Opens   int
}

// HandOn is what a cohort hands on to the next, for its trainers.
type HandOn struct {
	Cohort *Cohort
	// Unconfirmed are answers it inherited and nobody in it confirmed or
	// rewrote, oldest first (at most maxHandOn; UnconfirmedTotal counts
	// them all); Confirmed counts the inherited answers it did confirm or
	// rewrite.
	Unconfirmed      []AnswerAge
	UnconfirmedTotal int
	Confirmed        int
	Flagged          []AnswerAge // answers flagged out of date now, oldest flag first
	Stale            []AnswerAge // answers unverified for longer than StaleAfter, oldest first
	StaleTotal       int
	StaleAfter       time.Duration
	// UsedMost are the inherited answers its members opened most.
	UsedMost []SectionUse
	// OpenQuestions are the questions its members asked that are still
	// open, most asked first.
	OpenQuestions []*Question
}

// maxHandOn bounds each list of a hand-on.
const maxHandOn = 50

// HandOn assembles what the cohort of h hands on (h from
// Cohorts.Handover). Anyone who may read the hand-over may read it.
func (a *Answers) HandOn(ctx context.Context, h *Handover) (*HandOn, error) {
	out := &HandOn{Cohort: h.Cohort, StaleAfter: a.staleAfter}
	var err error
	if out.Unconfirmed, out.Confirmed, err = a.inherited(ctx, h); err != nil {
		return nil, err
	}
	out.UnconfirmedTotal = len(out.Unconfirmed)
	out.Unconfirmed = out.Unconfirmed[:min(len(out.Unconfirmed), maxHandOn)]
	if out.Flagged, err = a.flagged(ctx); err != nil {
		return nil, err
	}
	out.Flagged = out.Flagged[:min(len(out.Flagged), maxHandOn)]
	if out.Stale, err = a.stale(ctx); err != nil {
		return nil, err
	}
	out.StaleTotal = len(out.Stale)
	out.Stale = out.Stale[:min(len(out.Stale), maxHandOn)]
	if out.UsedMost, err = a.usedBy(ctx, h); err != nil {
		return nil, err
	}
	if out.OpenQuestions, err = a.questions.List(ctx, QuestionFilter{Status: QuestionOpen, Cohort: h.Cohort.ID, ByVotes: true, Limit: maxHandOn}); err != nil {
		return nil, err
	}
	return out, nil
}

// usedBy lists the inherited answers the cohort's members opened most.
func (a *Answers) usedBy(ctx context.Context, h *Handover) ([]SectionUse, error) {
	if err := a.Flush(ctx); err != nil {
		return nil, err
	}
	all, err := a.store.AllAnswers(ctx)
	if err != nil {
		return nil, err
	}
	inherited := map[Slug]string{}
	for _, p := range h.Inherited {
		inherited[p.Slug] = p.Title
	}
	out := []SectionUse{}
	for _, r := range all {
		title, ok := inherited[r.Slug]
		if !ok {
			continue
		}
		n := 0
		for _, byCohort := range r.Opens {
			n += byCohort[h.Cohort.ID]
		}
		if n > 0 {
			out = append(out, SectionUse{Slug: r.Slug, Title: title, Anchor: r.Anchor, Heading: r.Heading, Opens: n})
		}
	}
	slices.SortStableFunc(out, func(x, y SectionUse) int {
		return cmp.Or(cmp.Compare(y.Opens, x.Opens), cmp.Compare(x.Slug, y.Slug), cmp.Compare(x.Anchor, y.Anchor))
	})
	return out[:min(len(out), 10)], nil
}
