package wiki

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/faqwiki/faqwiki/wiki/markdown"
)

// Impact: what answers did, for the people who wrote them. An answer is
// credited to each author who wrote at least a quarter of its words, as
// blame attributes them (so a typo fix takes no credit, and a rewrite
// takes it over); the whole page's link opens go to the authors of a
// quarter of the page. Everything is counted, never named: how often
// answers were opened, from search and from links, by how many later
// cohorts, how many questions they answered and what readers said.

// creditShare is the share of an answer's words that earns its credit.
const creditShare = 0.25

// Credit is an author's share of an answer.
type Credit struct {
	Username string
	Cohort   string // the cohort they wrote most of their share in
	Share    float64
}

// SectionImpact is what one answer did.
type SectionImpact struct {
	Slug    Slug
	Title   string
	Anchor  string // "" for the page as a whole
	Heading string
	Share   float64 // the subject's share of its words
	// Counts.
	OpenedFromSearch  int
	OpenedFromLinks   int
	QuestionsAnswered int
	HelpfulYes        int
	HelpfulNo         int
	ByCohort          map[string]int // opens by reader cohort
}

// Impact is what someone's (or a cohort's) answers did.
type Impact struct {
	User     string
	Cohort   string
	Sections []SectionImpact // most opened first
	// Totals over Sections.
	OpenedFromSearch  int
	OpenedFromLinks   int
	QuestionsAnswered int
	HelpfulYes        int
	HelpfulNo         int
	// LaterCohorts counts the cohorts that started after the subject's
	// (every cohort, for someone in none) whose members opened the
	// answers; OpenedByLaterCohorts counts those opens.
	LaterCohorts         int
	OpenedByLaterCohorts int
}

// Opened is every open of the answers.
func (im *Impact) Opened() int { return im.OpenedFromSearch + im.OpenedFromLinks }

// ImpactFilter names whose answers: a person's or a cohort's.
type ImpactFilter struct {
	User   string
	Cohort string
}

type impactEntry struct {
	at time.Time
	im *Impact
}

// impactTTL is how long an impact is served from memory: figures a minute
// old are fine, and a person's page need not blame all their pages on
// every view. New opens and votes clear it at once.
const impactTTL = time.Minute

// maxImpactPages bounds the pages an impact reads.
const maxImpactPages = 500

// Impact returns what the answers of f.User or f.Cohort did. ErrNotFound
// for an unknown person or cohort; a *ValidationError when neither or both
// are given.
func (a *Answers) Impact(ctx context.Context, f ImpactFilter) (*Impact, error) {
	if (f.User == "") == (f.Cohort == "") {
		return nil, Invalid("user", "give a user or a cohort")
	}
	key := "u\x00" + f.User
	if f.Cohort != "" {
		key = "c\x00" + f.Cohort
	}
	now := a.now()
	a.impactMu.Lock()
	if e, ok := a.impactCache[key]; ok && now.Sub(e.at) < impactTTL && now.Sub(e.at) >= 0 {
		a.impactMu.Unlock()
		return e.im, nil
	}
	a.impactMu.Unlock()
	if err := a.Flush(ctx); err != nil {
		return nil, err
	}
	im, err := a.impact(ctx, f)
	if err != nil {
		return nil, err
	}
	a.impactMu.Lock()
	if len(a.impactCache) > 10000 {
		clear(a.impactCache)
	}
	a.impactCache[key] = impactEntry{now, im}
	a.impactMu.Unlock()
	return im, nil
}

func (a *Answers) impact(ctx context.Context, f ImpactFilter) (*Impact, error) {
	r := &impactRun{f: f, im: &Impact{User: f.User, Cohort: f.Cohort, Sections: []SectionImpact{}}, startOf: map[string]time.Time{}, later: map[string]bool{}}
	cohorts, err := a.cohorts.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cohorts {
		r.startOf[c.ID] = c.StartsOn
	}
	slugs, err := a.impactPages(ctx, r)
	if err != nil {
		return nil, err
	}
	if r.answered, err = a.answeredCounts(ctx); err != nil {
		return nil, err
	}
	for _, slug := range slugs {
		if err := a.pageImpact(ctx, r, slug); err != nil {
			return nil, err
		}
	}
	im := r.im
	im.LaterCohorts = len(r.later)
	slices.SortStableFunc(im.Sections, func(x, y SectionImpact) int {
		return cmp.Or(cmp.Compare(y.OpenedFromSearch+y.OpenedFromLinks, x.OpenedFromSearch+x.OpenedFromLinks),
			cmp.Compare(y.QuestionsAnswered, x.QuestionsAnswered), cmp.Compare(x.Slug, y.Slug), cmp.Compare(x.Anchor, y.Anchor))
	})
	return im, nil
}

// impactRun is an impact being added up.
type impactRun struct {
	f        ImpactFilter
	im       *Impact
	start    time.Time            // the subject's cohort's start (zero: none)
	startOf  map[string]time.Time // every cohort's start
	answered map[SectionKey]int   // questions answered per section
	later    map[string]bool      // cohorts after the subject's that opened its answers
}

// impactPages returns the pages the subject (a person or a cohort) edited,
// at most maxImpactPages, and sets r.start and the subject's name.
func (a *Answers) impactPages(ctx context.Context, r *impactRun) ([]Slug, error) {
	var slugs []Slug
	if r.f.User != "" {
		acct, err := a.cohorts.accounts.Account(ctx, strings.ToLower(r.f.User))
		if err != nil {
			return nil, err
		}
		r.im.User = acct.Username
		r.start = r.startOf[acct.Cohort]
		changes, err := a.wiki.ChangesBy(ctx, acct.Username, 5000)
		if err != nil {
			return nil, err
		}
		for _, c := range changes {
			slugs = append(slugs, c.Slug)
		}
	} else {
		co, err := a.cohorts.Cohort(ctx, r.f.Cohort)
		if err != nil {
			return nil, err
		}
		r.start = co.StartsOn
		w, err := a.cohorts.Work(ctx, co.ID)
		if err != nil {
			return nil, err
		}
		slugs = w.Edited
	}
	slices.Sort(slugs)
	slugs = slices.Compact(slugs)
	if len(slugs) > maxImpactPages {
		slugs = slugs[:maxImpactPages]
	}
	return slugs, nil
}

// pageImpact adds the answers of one page that the subject wrote at least
// creditShare of.
func (a *Answers) pageImpact(ctx context.Context, r *impactRun, slug Slug) error {
	b, err := a.wiki.Blame(ctx, slug)
	if errors.Is(err, ErrNotFound) {
		return nil // deleted since
	}
	if err != nil {
		return err
	}
	recs, _, err := a.store.PageAnswers(ctx, slug, "")
	if err != nil {
		return err
	}
	f, im := r.f, r.im
	for anchor, cs := range a.credits(b) {
		share := 0.0
		for _, c := range cs {
			if f.User != "" && c.Username == im.User || f.Cohort != "" && c.Cohort == f.Cohort {
				share += c.Share
			}
		}
		if share < creditShare {
			continue
		}
		si := SectionImpact{Slug: slug, Title: b.Page.Title, Anchor: anchor, Share: share, ByCohort: map[string]int{}}
		si.QuestionsAnswered = r.answered[SectionKey{slug, anchor}]
		if rec := recs[anchor]; rec != nil {
			si.Heading = rec.Heading
			si.OpenedFromSearch, si.OpenedFromLinks = rec.OpenCount(OpenedFromSearch), rec.OpenCount(OpenedFromLink)
			si.HelpfulYes, si.HelpfulNo = rec.Votes()
			for _, byCohort := range rec.Opens {
				for c, n := range byCohort {
					si.ByCohort[c] += n
					if s, ok := r.startOf[c]; ok && c != f.Cohort && (r.start.IsZero() || s.After(r.start)) {
						r.later[c] = true
						im.OpenedByLaterCohorts += n
					}
				}
			}
		}
		if si.Heading == "" && anchor != "" {
			si.Heading = headingOf(a.outliner.Outline(b.Page.Markdown), anchor)
		}
		im.OpenedFromSearch += si.OpenedFromSearch
		im.OpenedFromLinks += si.OpenedFromLinks
		im.QuestionsAnswered += si.QuestionsAnswered
		im.HelpfulYes += si.HelpfulYes
		im.HelpfulNo += si.HelpfulNo
		im.Sections = append(im.Sections, si)
	}
	return nil
}

func headingOf(o []markdown.OutlineSection, anchor string) string {
	for _, s := range o {
		if s.Anchor == anchor {
			return s.Heading
		}
	}
	return ""
}

// answeredCounts counts the answered questions per answer.
func (a *Answers) answeredCounts(ctx context.Context) (map[SectionKey]int, error) {
	qs, err := a.questions.store.Questions(ctx)
	if err != nil {
		return nil, err
	}
	out := map[SectionKey]int{}
	for _, q := range qs {
		if q.Status == QuestionAnswered && q.Answer != nil {
			out[SectionKey{q.Answer.Slug, q.Answer.Anchor}]++
		}
	}
	return out, nil
}

// credits attributes each answer of a blamed page (and the page as a
// whole, anchor "", when it is not itself the one answer) to its
// authors' shares of its words, largest first.
func (a *Answers) credits(b *Blame) map[string][]Credit {
	o := a.outliner.Outline(b.Page.Markdown)
	parts := answerParts(o)
	// Line ranges of the outline's parts.
	type lineRange struct {
		anchor     string
		start, end int
	}
	var ranges []lineRange
	for i, s := range o {
		if s.Line < 0 {
			continue
		}
		end := len(b.Lines)
		for _, t := range o[i+1:] {
			if t.Line >= 0 {
				end = t.Line
				break
			}
		}
		ranges = append(ranges, lineRange{s.Anchor, s.Line, end})
	}
	isAnswer := map[string]bool{}
	for _, s := range parts {
		isAnswer[s.Anchor] = true
	}
	type tally struct {
		words    map[string]float64            // author -> words
		byCohort map[string]map[string]float64 // author -> cohort -> words
		total    float64
	}
	count := func(t *tally, lines []BlameLine) {
		for _, l := range lines {
			for _, sp := range l.Spans {
				n := float64(len(strings.Fields(sp.Text)))
				r := b.Revisions[sp.Revision]
				if n == 0 || r == nil {
					continue
				}
				t.words[r.Author] += n
				if t.byCohort[r.Author] == nil {
					t.byCohort[r.Author] = map[string]float64{}
				}
				t.byCohort[r.Author][r.Cohort] += n
				t.total += n
			}
		}
	}
	toCredits := func(t *tally) []Credit {
		var out []Credit
		for who, n := range t.words {
			best, bw := "", -1.0
			for c, w := range t.byCohort[who] {
				if w > bw || w == bw && c < best {
					best, bw = c, w
				}
			}
			out = append(out, Credit{Username: who, Cohort: best, Share: n / t.total})
		}
		slices.SortFunc(out, func(x, y Credit) int {
			return cmp.Or(cmp.Compare(y.Share, x.Share), cmp.Compare(x.Username, y.Username))
		})
		return out
	}
	out := map[string][]Credit{}
	for _, r := range ranges {
		if !isAnswer[r.anchor] {
			continue
		}
		// The answer's text, without its heading (the question) unless
		// the heading is all there is.
		from := r.start
		if r.anchor != "" {
			from++
		}
		t := &tally{words: map[string]float64{}, byCohort: map[string]map[string]float64{}}
		count(t, b.Lines[min(from, len(b.Lines)):min(r.end, len(b.Lines))])
		if t.total == 0 {
			count(t, b.Lines[min(r.start, len(b.Lines)):min(r.end, len(b.Lines))])
		}
		if t.total > 0 {
			out[r.anchor] = toCredits(t)
		}
	}
	if !isAnswer[""] {
		t := &tally{words: map[string]float64{}, byCohort: map[string]map[string]float64{}}
		count(t, b.Lines)
		if t.total > 0 {
			out[""] = toCredits(t)
		}
	}
	return out
}

// AnswerReport is one answer of a page with everything known of it: the
// page-info view.
type AnswerReport struct {
	Part    markdown.OutlineSection
	Record  *AnswerRecord // nil if nothing was recorded yet
	Authors []Credit
	// QuestionsAnswered counts the questions linked to it.
	QuestionsAnswered int
	// Questions are those questions, newest first.
	Questions []*Question
	TextSince time.Time
	Yes, No   int // on the current text
}

// PageReport returns every answer of a live page (and the page as a
// whole, anchor "", for its link opens) with its record, authors and
// questions.
func (a *Answers) PageReport(ctx context.Context, slug Slug) (*Page, []AnswerReport, error) {
	if err := a.Flush(ctx); err != nil {
		return nil, nil, err
	}
	b, err := a.wiki.Blame(ctx, slug)
	if err != nil {
		return nil, nil, err
	}
	p := b.Page
	recs, _, err := a.store.PageAnswers(ctx, slug, "")
	if err != nil {
		return nil, nil, err
	}
	qs, err := a.questions.store.Questions(ctx)
	if err != nil {
		return nil, nil, err
	}
	byAnchor := map[string][]*Question{}
	for _, q := range qs {
		if q.Status == QuestionAnswered && q.Answer != nil && q.Answer.Slug == slug {
			byAnchor[q.Answer.Anchor] = append(byAnchor[q.Answer.Anchor], q)
		}
	}
	credits := a.credits(b)
	o, err := a.outline(ctx, slug, p.Revision)
	if err != nil {
		return nil, nil, err
	}
	parts := answerParts(o)
	if len(parts) == 0 || parts[0].Anchor != "" {
		parts = append([]markdown.OutlineSection{{Heading: ""}}, parts...)
	}
	var out []AnswerReport
	for _, s := range parts {
		rep := AnswerReport{Part: s, Record: recs[s.Anchor], Authors: credits[s.Anchor], Questions: byAnchor[s.Anchor]}
		rep.QuestionsAnswered = len(rep.Questions)
		if s.Hash != "" {
			if rep.TextSince, err = a.textSince(ctx, slug, p.Revision, s.Anchor, s.Hash); err != nil {
				return nil, nil, err
			}
			if rep.Record != nil {
				if v := rep.Record.Version(s.Hash); v != nil {
					rep.Yes, rep.No = v.Yes, v.No
				}
			}
		}
		out = append(out, rep)
	}
	return p, out, nil
}

// UnhelpfulAnswer is an answer readers said did not help.
type UnhelpfulAnswer struct {
	Slug    Slug
	Title   string
	Anchor  string
	Heading string
	Yes, No int // over every version
	// Queries are the searches it was opened from, most first.
	Queries []QueryCount
}

// QueryCount is a search and how often it led somewhere.
type QueryCount struct {
	Query string
	Count int
}

// Unhelpful lists the answers with the most "no" votes (at most limit),
// with the searches that led readers there. The person in ctx must be a
// trainer.
func (a *Answers) Unhelpful(ctx context.Context, limit int) ([]UnhelpfulAnswer, error) {
	if _, err := need(ctx, RoleTrainer); err != nil {
		return nil, err
	}
	if err := a.Flush(ctx); err != nil {
		return nil, err
	}
	all, err := a.store.AllAnswers(ctx)
	if err != nil {
		return nil, err
	}
	out := []UnhelpfulAnswer{}
	for _, r := range all {
		yes, no := r.Votes()
		if no == 0 {
			continue
		}
		p, err := a.wiki.Page(ctx, r.Slug)
		if err != nil || p.Deleted {
			continue
		}
		u := UnhelpfulAnswer{Slug: r.Slug, Title: p.Title, Anchor: r.Anchor, Heading: r.Heading, Yes: yes, No: no}
		for q, n := range r.Queries {
			u.Queries = append(u.Queries, QueryCount{q, n})
		}
		slices.SortFunc(u.Queries, func(x, y QueryCount) int { return cmp.Or(cmp.Compare(y.Count, x.Count), cmp.Compare(x.Query, y.Query)) })
		out = append(out, u)
	}
	slices.SortStableFunc(out, func(x, y UnhelpfulAnswer) int {
		return cmp.Or(cmp.Compare(y.No, x.No), cmp.Compare(x.Yes, y.Yes), cmp.Compare(x.Slug, y.Slug), cmp.Compare(x.Anchor, y.Anchor))
	})
	if limit <= 0 {
		limit = 50
	}
	return out[:min(len(out), limit)], nil
}

// forgetImpacts drops the impacts kept in memory: the counts behind them
// changed.
func (a *Answers) forgetImpacts() {
	a.impactMu.Lock()
	clear(a.impactCache)
	a.impactMu.Unlock()
}
