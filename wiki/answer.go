package wiki

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faqwiki/faqwiki/wiki/internal/lru"
	"github.com/faqwiki/faqwiki/wiki/markdown"
)

// Answers vocabulary:
//
//   - An answer is a part of a page's outline (markdown.Outline): a
//     top-level heading, a FAQ question, with its text down to the next
//     one; or, on a page without such headings, the page as a whole
//     (anchor "", spelled WholePage in addresses).
//   - Readers say whether an answer answered their question (helpful
//     yes/no): one vote per person per version of the answer's text, so
//     an edit of another answer on the page keeps the votes, and a
//     rewrite of this one starts afresh.
//   - Anyone in a cohort confirms an answer they used is still right, or
//     flags it out of date with a note; a flag shows to every reader until
//     a trainer resolves it. Confirmations are filed by cohort, so that at
//     each hand-over the answers a cohort inherited and never confirmed
//     can be listed for the next one (freshness.go).
//   - Opens count how often an answer was opened from search and from
//     links between pages, by the reader's cohort: numbers only, never
//     who read what (impact.go).

// WholePage is how addresses name the answer that is the whole page
// (anchor ""). No heading gets this id: heading ids have no '~'.
const WholePage = "~page"

// OpenSource says how a reader came to an answer.
type OpenSource string

// Sources of opens.
const (
	OpenedFromSearch OpenSource = "search" // a search result
	OpenedFromLink   OpenSource = "link"   // a link on another page of the wiki (counted for the page: a link's #part never reaches the server)
)

// Limits of what an answer's record keeps.
const (
	maxAnswerVersions = 20 // versions of the text with their votes
	maxResolvedFlags  = 10
	maxOpenFlags      = 20
	maxAnswerQueries  = 20 // searches it was opened from
)

// AnswerRecord is what the wiki knows of one answer besides its text.
type AnswerRecord struct {
	Slug    Slug
	Anchor  string
	Heading string // as last seen
	// Versions are the versions of its text that got votes, oldest first.
	Versions      []AnswerVersion
	Confirmed     *Confirmation        // the latest "still right"
	ByCohort      map[string]time.Time // cohort ("" for none) -> its latest confirmation
	Confirmations int
	Flags         []Flag // open ones, then the latest resolved ones
	NextFlag      int
	// Opens counts opens by source and reader cohort ("" for none).
	Opens map[OpenSource]map[string]int
	// Queries counts the searches (normalized) it was opened from, the
	// strongest maxAnswerQueries.
	Queries  map[string]int
	LastOpen time.Time
}

// AnswerVersion is one version of an answer's text and its votes.
type AnswerVersion struct {
	Hash     string // markdown.OutlineSection.Hash
	Revision int    // the page revision it was first voted on in
	Since    time.Time
	Yes, No  int
}

// Confirmation is someone saying an answer is still right.
type Confirmation struct {
	By       string
	Cohort   string
	At       time.Time
	Revision int
	Note     string
}

// Flag is someone saying an answer is out of date.
type Flag struct {
	ID           int
	Note         string
	By           string
	Cohort       string
	At           time.Time
	Revision     int
	Resolved     bool
	ResolvedBy   string
	ResolvedNote string
	ResolvedAt   time.Time
}

// HelpfulVote is one person's vote on one answer (their latest).
type HelpfulVote struct {
	Person   string
	Slug     Slug
	Anchor   string
	Hash     string // the version voted on
	Revision int
	Helpful  bool
	At       time.Time
}

// SectionKey names an answer.
type SectionKey struct {
	Slug   Slug
	Anchor string
}

// OpenFlags returns the flags not resolved yet, oldest first.
func (r *AnswerRecord) OpenFlags() []Flag {
	var out []Flag
	for _, f := range r.Flags {
		if !f.Resolved {
			out = append(out, f)
		}
	}
	return out
}

// Version returns the votes on the version of the text with hash, or nil.
func (r *AnswerRecord) Version(hash string) *AnswerVersion {
	for i := range r.Versions {
		if r.Versions[i].Hash == hash {
			return &r.Versions[i]
		}
	}
	return nil
}

// Votes returns the votes over every version.
func (r *AnswerRecord) Votes() (yes, no int) {
	for _, v := range r.Versions {
		yes += v.Yes
		no += v.No
	}
	return yes, no
}

// OpenCount returns the opens from source ("" for every source).
func (r *AnswerRecord) OpenCount(source OpenSource) int {
	n := 0
	for s, byCohort := range r.Opens {
		if source == "" || s == source {
			for _, c := range byCohort {
				n += c
			}
		}
	}
	return n
}

// version returns the version with hash, adding it (first voted on at
// page revision rev) if it is new.
func (r *AnswerRecord) version(hash string, rev int, now time.Time) *AnswerVersion {
	if v := r.Version(hash); v != nil {
		return v
	}
	r.Versions = append(r.Versions, AnswerVersion{Hash: hash, Revision: rev, Since: now})
	if len(r.Versions) > maxAnswerVersions {
		r.Versions = slices.Delete(r.Versions, 0, len(r.Versions)-maxAnswerVersions)
	}
	return &r.Versions[len(r.Versions)-1]
}

// AnswerStore keeps what the wiki knows of answers. Each method is
// atomic.
type AnswerStore interface {
	// PageAnswers returns, in one read, the record of every answer of slug
	// that has one (by anchor) and the votes of person ("" for none) on
	// them (by anchor).
	PageAnswers(ctx context.Context, slug Slug, person string) (map[string]*AnswerRecord, map[string]*HelpfulVote, error)
	// AllAnswers returns every record.
	AllAnswers(ctx context.Context) ([]*AnswerRecord, error)
	// UpdateAnswers applies fn to the record of each key (a new, empty
	// record where there is none yet) and saves them all, in one
	// transaction; fn's error aborts it.
	UpdateAnswers(ctx context.Context, keys []SectionKey, fn func(i int, r *AnswerRecord) error) error
	// Vote applies fn to v's answer's record and the person's earlier vote
	// on it (nil if none), then stores v as their vote and the record, in
	// one transaction; fn's error aborts it.
	Vote(ctx context.Context, v *HelpfulVote, fn func(prev *HelpfulVote, r *AnswerRecord) error) (*AnswerRecord, error)
}

// Answers is the domain service for what readers, cohorts and search say
// of answers: helpful votes, confirmations and flags, opens, freshness at
// hand-overs and the impact authors see. It is safe for concurrent use.
type Answers struct {
	store      AnswerStore
	wiki       *Wiki
	questions  *Questions
	cohorts    *Cohorts
	now        Clock
	staleAfter time.Duration
	outliner   *markdown.Renderer
	outlines   *lru.Cache[[]markdown.OutlineSection] // by slug 0x00 revision
	since      *lru.Cache[time.Time]                 // text-since, by slug 0x00 anchor 0x00 hash
	// views are PageAnswers' answers, by slug 0x00 person, as they were
	// at generation gen: every write of a record moves gen on, so a page
	// view reads the store only after one (every write goes through this
	// service, which alone holds the file).
	views *lru.Cache[pageAnswersEntry]
	gen   atomic.Uint64

	mu      sync.Mutex
	pending map[SectionKey]*pendingOpens
	seen    map[string]bool // person, answer, source and day already counted
	seenDay int64

	impactMu    sync.Mutex
	impactCache map[string]impactEntry
}

// AnswersConfig is what Answers is built from. Store, Wiki, Questions and
// Cohorts are required.
type AnswersConfig struct {
	Store     AnswerStore
	Wiki      *Wiki
	Questions *Questions
	Cohorts   *Cohorts
	Clock     Clock
	// StaleAfter is how long an answer may go unconfirmed (and unchanged)
	// before the freshness lists call it stale (default 180 days).
	StaleAfter time.Duration
	// Renderer makes the outlines of old revisions (default NewRenderer()).
	Renderer *markdown.Renderer
}

// DefaultStaleAfter is AnswersConfig.StaleAfter's default.
const DefaultStaleAfter = 180 * 24 * time.Hour

// NewAnswers returns the answers service.
func NewAnswers(cfg AnswersConfig) *Answers {
	a := &Answers{store: cfg.Store, wiki: cfg.Wiki, questions: cfg.Questions, cohorts: cfg.Cohorts, now: cfg.Clock,
		staleAfter: cfg.StaleAfter, outliner: cfg.Renderer, pending: map[SectionKey]*pendingOpens{}, seen: map[string]bool{},
		impactCache: map[string]impactEntry{}}
	if a.now == nil {
		a.now = time.Now
	}
	if a.staleAfter <= 0 {
		a.staleAfter = DefaultStaleAfter
	}
	if a.outliner == nil {
		a.outliner = NewRenderer()
	}
	a.outlines = lru.New[[]markdown.OutlineSection](8 << 20)
	a.since = lru.New[time.Time](1 << 20)
	a.views = lru.New[pageAnswersEntry](8 << 20)
	return a
}

// StaleAfter returns the site's limit on unconfirmed answers.
func (a *Answers) StaleAfter() time.Duration { return a.staleAfter }

// AnswerParts returns the parts of a rendered page that take answer
// controls: each top-level heading with text of its own that could be
// found in the HTML, or, when there is none, the page as a whole (the
// intro) if it has text.
func AnswerParts(r *markdown.Rendered) []markdown.SectionSpan {
	var out []markdown.SectionSpan
	for _, s := range r.Sections {
		if s.Anchor != "" && s.HasText && s.Start >= 0 {
			out = append(out, s)
		}
	}
	if len(out) == 0 && len(r.Sections) > 0 && r.Sections[0].HasText {
		out = append(out, r.Sections[0])
	}
	return out
}

// part finds the answer anchor of a page's current text: any part with
// text of its own, or "" for the page as a whole.
func part(r *markdown.Rendered, anchor string) (markdown.SectionSpan, bool) {
	for _, s := range r.Sections {
		if s.Anchor == anchor && (s.HasText || anchor == "") {
			return s, true
		}
	}
	return markdown.SectionSpan{}, false
}

// ParseAnswerAnchor reads the anchor of an answer in an address:
// WholePage is the page as a whole ("").
func ParseAnswerAnchor(s string) (string, error) {
	switch {
	case s == WholePage:
		return "", nil
	case s == "" || len(s) > 256:
		return "", Invalid("anchor", "must name a question of the page (its heading's id), or %s for the page as a whole", WholePage)
	}
	return s, nil
}

// current reads the live page slug, renders it and finds its answer
// anchor. ErrNotFound for a missing or deleted page or a part that is not
// there.
func (a *Answers) current(ctx context.Context, slug Slug, anchor string) (*Page, markdown.SectionSpan, error) {
	p, err := a.wiki.Page(ctx, slug)
	if err == nil && p.Deleted {
		err = fmt.Errorf("page %q is deleted: %w", slug, ErrNotFound)
	}
	if err != nil {
		return nil, markdown.SectionSpan{}, err
	}
	r, err := a.wiki.RenderPage(ctx, p)
	if err != nil {
		return nil, markdown.SectionSpan{}, err
	}
	s, ok := part(r, anchor)
	if !ok {
		return nil, s, fmt.Errorf("page %q has no answer %q: %w", slug, anchor, ErrNotFound)
	}
	return p, s, nil
}

// Feedback records whether the answer helped the person in ctx (who
// needs an account): one vote per person per version of the answer's
// text; voting again on the same version replaces their vote. ErrNotFound
// for a page or answer that does not exist.
func (a *Answers) Feedback(ctx context.Context, slug Slug, anchor string, helpful bool) (*AnswerState, error) {
	u, err := need(ctx, RoleReader)
	if err != nil {
		return nil, err
	}
	p, s, err := a.current(ctx, slug, anchor)
	if err != nil {
		return nil, err
	}
	now := a.now().UTC()
	v := &HelpfulVote{Person: u.Name, Slug: slug, Anchor: anchor, Hash: s.Hash, Revision: p.Revision, Helpful: helpful, At: now}
	defer a.gen.Add(1)
	rec, err := a.store.Vote(ctx, v, func(prev *HelpfulVote, r *AnswerRecord) error {
		r.Heading = s.Heading
		ver := r.version(s.Hash, p.Revision, now)
		if prev != nil && prev.Hash == s.Hash {
			if prev.Helpful == helpful {
				return errUnchanged
			}
			if prev.Helpful {
				ver.Yes--
			} else {
				ver.No--
			}
		}
		if helpful {
			ver.Yes++
		} else {
			ver.No++
		}
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return a.State(ctx, slug, anchor)
	}
	if err != nil {
		return nil, err
	}
	a.forgetImpacts()
	return state(p, s.OutlineSection, rec, v), nil
}

// State returns an answer's state for the person in ctx.
func (a *Answers) State(ctx context.Context, slug Slug, anchor string) (*AnswerState, error) {
	p, s, err := a.current(ctx, slug, anchor)
	if err != nil {
		return nil, err
	}
	person := ""
	if u := UserFromContext(ctx); u.SignedIn() {
		person = u.Name
	}
	recs, votes, err := a.store.PageAnswers(ctx, slug, person)
	if err != nil {
		return nil, err
	}
	return state(p, s.OutlineSection, recs[anchor], votes[anchor]), nil
}

// update applies fn to one answer's record.
func (a *Answers) update(ctx context.Context, slug Slug, anchor string, fn func(r *AnswerRecord) error) error {
	defer a.gen.Add(1)
	return a.store.UpdateAnswers(ctx, []SectionKey{{slug, anchor}}, func(_ int, r *AnswerRecord) error { return fn(r) })
}

// Confirm records that the person in ctx (an editor) finds the answer
// still right, for their cohort. note is optional.
func (a *Answers) Confirm(ctx context.Context, slug Slug, anchor, note string) (*AnswerState, error) {
	return a.editorSays(ctx, slug, anchor, note, false, func(r *AnswerRecord, w answerWord) error {
		confirm(r, &Confirmation{By: w.u.Name, Cohort: w.u.Cohort, At: w.now, Revision: w.rev, Note: w.note})
		return nil
	})
}

func confirm(r *AnswerRecord, c *Confirmation) {
	r.Confirmed = c
	if r.ByCohort == nil {
		r.ByCohort = map[string]time.Time{}
	}
	r.ByCohort[c.Cohort] = c.At
	r.Confirmations++
}

// Flag records that the person in ctx (an editor) finds the answer out
// of date, with a note saying what is wrong (required); their earlier
// open flag of it, if any, takes the new note. Readers see a notice until
// a trainer resolves it.
func (a *Answers) Flag(ctx context.Context, slug Slug, anchor, note string) (*AnswerState, error) {
	return a.editorSays(ctx, slug, anchor, note, true, func(r *AnswerRecord, w answerWord) error {
		open := 0
		for i := range r.Flags {
			f := &r.Flags[i]
			if f.Resolved {
				continue
			}
			if f.By == w.u.Name {
				f.Note, f.At, f.Revision, f.Cohort = w.note, w.now, w.rev, w.u.Cohort
				return nil
			}
			open++
		}
		if open >= maxOpenFlags {
			return Invalid("note", "this answer has %d open flags already; a trainer will look at it", open)
		}
		r.NextFlag++
		r.Flags = append(r.Flags, Flag{ID: r.NextFlag, Note: w.note, By: w.u.Name, Cohort: w.u.Cohort, At: w.now, Revision: w.rev})
		return nil
	})
}

// answerWord is who says something of an answer, when, of which revision
// of its page, and their checked note.
type answerWord struct {
	u    *User
	now  time.Time
	rev  int
	note string
}

// editorSays checks that the person in ctx is an editor and their note
// (required or not), finds the answer in the page's current text, applies
// fn to its record (with the heading as it reads now) and returns the
// answer's state after.
func (a *Answers) editorSays(ctx context.Context, slug Slug, anchor, note string, required bool, fn func(r *AnswerRecord, w answerWord) error) (*AnswerState, error) {
	u, err := need(ctx, RoleEditor)
	if err != nil {
		return nil, err
	}
	if note, err = checkNote("note", note, required); err != nil {
		return nil, err
	}
	p, s, err := a.current(ctx, slug, anchor)
	if err != nil {
		return nil, err
	}
	w := answerWord{u: u, now: a.now().UTC(), rev: p.Revision, note: note}
	err = a.update(ctx, slug, anchor, func(r *AnswerRecord) error {
		r.Heading = s.Heading
		return fn(r, w)
	})
	if err != nil {
		return nil, err
	}
	return a.State(ctx, slug, anchor)
}

// Resolve closes the open flags of an answer (the person in ctx must be a
// trainer), with a note on what was done; it counts as a confirmation.
// A *ValidationError if it has none.
func (a *Answers) Resolve(ctx context.Context, slug Slug, anchor, note string) (*AnswerState, error) {
	u, err := need(ctx, RoleTrainer)
	if err != nil {
		return nil, err
	}
	if note, err = checkNote("note", note, false); err != nil {
		return nil, err
	}
	p, s, err := a.current(ctx, slug, anchor)
	if errors.Is(err, ErrNotFound) {
		// A flagged answer whose heading was renamed or removed since: its
		// flags can still be resolved, so its notice never sticks.
		p, err = a.wiki.Page(ctx, slug)
		s = markdown.SectionSpan{OutlineSection: markdown.OutlineSection{Anchor: anchor}}
	}
	if err != nil {
		return nil, err
	}
	now := a.now().UTC()
	err = a.update(ctx, slug, anchor, func(r *AnswerRecord) error {
		n := 0
		for i := range r.Flags {
			if f := &r.Flags[i]; !f.Resolved {
				f.Resolved, f.ResolvedBy, f.ResolvedNote, f.ResolvedAt = true, u.Name, note, now
				n++
			}
		}
		if n == 0 {
			return Invalid("anchor", "this answer has no open flag")
		}
		// Open ones first, then the newest resolved ones, bounded.
		slices.SortStableFunc(r.Flags, func(x, y Flag) int {
			if x.Resolved != y.Resolved {
				if x.Resolved {
					return 1
				}
				return -1
			}
			if x.Resolved {
				return y.ResolvedAt.Compare(x.ResolvedAt)
			}
			return 0
		})
		if open := len(r.OpenFlags()); len(r.Flags) > open+maxResolvedFlags {
			r.Flags = r.Flags[:open+maxResolvedFlags]
		}
		if s.Heading != "" {
			r.Heading = s.Heading
		}
		confirm(r, &Confirmation{By: u.Name, Cohort: u.Cohort, At: now, Revision: p.Revision, Note: note})
		return nil
	})
	if err != nil {
		return nil, err
	}
	recs, _, err := a.store.PageAnswers(ctx, slug, "")
	if err != nil {
		return nil, err
	}
	return state(p, s.OutlineSection, recs[anchor], nil), nil
}

// outline returns the outline of revision n of slug (cached).
func (a *Answers) outline(ctx context.Context, slug Slug, n int) ([]markdown.OutlineSection, error) {
	key := renderKey(slug, n)
	if o, ok := a.outlines.Get(key); ok {
		return o, nil
	}
	rev, err := a.wiki.Revision(ctx, slug, n)
	if err != nil {
		return nil, err
	}
	var o []markdown.OutlineSection
	if !rev.Deleted() {
		o = a.outliner.Outline(rev.Markdown)
	}
	size := 64
	for _, s := range o {
		size += len(s.Anchor) + len(s.Heading) + len(s.Hash) + 64
	}
	a.outlines.Put(key, o, size)
	return o, nil
}

// answerParts are the parts of an outline that are answers (as
// AnswerParts, without the HTML).
func answerParts(o []markdown.OutlineSection) []markdown.OutlineSection {
	var out []markdown.OutlineSection
	for _, s := range o {
		if s.Anchor != "" && s.HasText {
			out = append(out, s)
		}
	}
	if len(out) == 0 && len(o) > 0 && o[0].HasText {
		out = append(out, o[0])
	}
	return out
}

// hashAt returns the hash of anchor's text in revision n ("" if it has
// no such part).
func (a *Answers) hashAt(ctx context.Context, slug Slug, n int, anchor string) (string, error) {
	o, err := a.outline(ctx, slug, n)
	if err != nil {
		return "", err
	}
	for _, s := range answerParts(o) {
		if s.Anchor == anchor {
			return s.Hash, nil
		}
	}
	return "", nil
}

// textSince returns when the current text (hash, in revision head) of an
// answer was written: the time of the first revision of the run of
// revisions up to head that have that text. It gallops back from head
// and then bisects, so a page with a thousand revisions costs about
// twenty outlines, and caches the answer.
func (a *Answers) textSince(ctx context.Context, slug Slug, head int, anchor, hash string) (time.Time, error) {
	key := string(slug) + "\x00" + anchor + "\x00" + hash
	if t, ok := a.since.Get(key); ok {
		return t, nil
	}
	same := func(n int) (bool, error) {
		h, err := a.hashAt(ctx, slug, n, anchor)
		return h == hash, err
	}
	good, bad := head, 0 // same(good); bad == 0 or !same(bad)
	for step := 1; ; step *= 2 {
		p := max(head-step, 1)
		if p >= good {
			break
		}
		ok, err := same(p)
		if err != nil {
			return time.Time{}, err
		}
		if !ok {
			bad = p
			break
		}
		good = p
		if p == 1 {
			break
		}
	}
	for good-bad > 1 {
		m := (good + bad) / 2
		ok, err := same(m)
		if err != nil {
			return time.Time{}, err
		}
		if ok {
			good = m
		} else {
			bad = m
		}
	}
	rev, err := a.wiki.RevisionInfo(ctx, slug, good)
	if err != nil {
		return time.Time{}, err
	}
	a.since.Put(key, rev.CreatedAt, len(key)+64)
	return rev.CreatedAt, nil
}
