package wiki

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/faqwiki/faqwiki/wiki/diff"
)

// Synonyms vocabulary:
//
//   - The synonym list is a text that trainers own, one group per line:
//     words and phrases that mean the same to someone searching, separated
//     by commas or '=' ("PTO, vacation, annual leave"; "PIV = badge =
//     smart card"). '#' starts a comment. A search for any term of a group
//     also finds the others; a phrase matches as a phrase.
//   - It is versioned like a page: every save is a revision with its
//     author, cohort and summary; any two compare; a revert is a new
//     revision with an old text. Search applies the newest revision at
//     once, without reindexing anything.

// Limits on the synonym list.
const (
	MaxSynonymBytes   = 64 << 10
	MaxSynonymGroups  = 2000
	MaxSynonymTerms   = 24 // per group
	MaxSynonymTermLen = 64 // runes per term
)

// SynonymList is one revision of the synonym list.
type SynonymList struct {
	Revision  int // from 1; 0 for a list nobody saved yet
	Text      string
	Author    string
	Cohort    string
	Summary   string
	CreatedAt time.Time
	Base      int  // the revision the editor started from
	Merged    bool // merged with a revision saved after Base
	RevertOf  int  // the revision this one restored, or 0
	Added     int  // lines, against the revision before
	Removed   int
}

// Groups parses the list's text; see ParseSynonyms.
func (l *SynonymList) Groups() [][]string {
	g, _ := ParseSynonyms(l.Text)
	return g
}

// SynonymStore is what the domain needs from durable storage for the
// synonym list. Each method is atomic.
type SynonymStore interface {
	// SynonymList returns the newest revision, or ErrNotFound if the list
	// was never saved.
	SynonymList(ctx context.Context) (*SynonymList, error)
	// SynonymRevision returns revision n, or ErrNotFound.
	SynonymRevision(ctx context.Context, n int) (*SynonymList, error)
	// SynonymRevisions returns every revision newest first, without text.
	SynonymRevisions(ctx context.Context) ([]*SynonymList, error)
	// CommitSynonyms appends l as the next revision if the newest is still
	// head (0: none yet), filling in l.Revision; ErrConflict if not.
	CommitSynonyms(ctx context.Context, l *SynonymList, head int) error
}

// ParseSynonyms reads a synonym list: one group per line, terms separated
// by ',' or '=', '#' to the end of the line a comment, blank lines
// ignored. Terms are trimmed and lower-cased; a group needs two distinct
// terms. It returns a *ValidationError naming the lines that break a rule
// (a group of one, a term or group too long, too many groups), and the
// groups it could read.
func ParseSynonyms(text string) ([][]string, error) {
	var groups [][]string
	v := &ValidationError{}
	var problems []string
	if len(text) > MaxSynonymBytes {
		problems = append(problems, fmt.Sprintf("the list is longer than %d KiB", MaxSynonymBytes>>10))
	}
	for i, line := range strings.Split(normalizeNewlines(text), "\n") {
		if j := strings.IndexByte(line, '#'); j >= 0 {
			line = line[:j]
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		var terms []string
		seen := map[string]bool{}
		for _, t := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == '=' }) {
			t = strings.ToLower(NormalizeTitle(t))
			if t == "" || seen[t] {
				continue
			}
			if utf8.RuneCountInString(t) > MaxSynonymTermLen {
				problems = append(problems, fmt.Sprintf("line %d: %q is longer than %d characters", i+1, t[:min(len(t), 20)]+"…", MaxSynonymTermLen))
				continue
			}
			seen[t] = true
			terms = append(terms, t)
		}
		switch {
		case len(terms) < 2:
			problems = append(problems, fmt.Sprintf("line %d: a group needs at least two terms, separated by commas", i+1))
			continue
		case len(terms) > MaxSynonymTerms:
			problems = append(problems, fmt.Sprintf("line %d: a group may have at most %d terms", i+1, MaxSynonymTerms))
			continue
		}
		if len(groups) == MaxSynonymGroups {
			problems = append(problems, fmt.Sprintf("line %d: the list may have at most %d groups", i+1, MaxSynonymGroups))
			break
		}
		groups = append(groups, terms)
	}
	if len(problems) > 0 {
		if len(problems) > 5 {
			problems = append(problems[:5], "and "+strconv.Itoa(len(problems)-5)+" more")
		}
		v.Add("text", "%s", strings.Join(problems, "; "))
	}
	return groups, v.orNil()
}

// Synonyms is the domain service for the synonym list. It is safe for
// concurrent use.
type Synonyms struct {
	store    SynonymStore
	now      Clock
	onCommit func(*SynonymList)
}

// SynonymsConfig is what Synonyms is built from. Store is required.
type SynonymsConfig struct {
	Store SynonymStore
	Clock Clock
	// OnCommit, if set, is told of every revision committed (it must not
	// block). Search does not need it: it reads the newest revision itself.
	OnCommit func(*SynonymList)
}

// NewSynonyms returns the synonym list service.
func NewSynonyms(cfg SynonymsConfig) *Synonyms {
	s := &Synonyms{store: cfg.Store, now: cfg.Clock, onCommit: cfg.OnCommit}
	if s.now == nil {
		s.now = time.Now
	}
	if s.onCommit == nil {
		s.onCommit = func(*SynonymList) {}
	}
	return s
}

// Current returns the newest revision; a list nobody saved yet is an
// empty revision 0 (not an error).
func (s *Synonyms) Current(ctx context.Context) (*SynonymList, error) {
	l, err := s.store.SynonymList(ctx)
	if errors.Is(err, ErrNotFound) {
		return &SynonymList{}, nil
	}
	return l, err
}

// Revision returns revision n, or ErrNotFound.
func (s *Synonyms) Revision(ctx context.Context, n int) (*SynonymList, error) {
	if n < 1 {
		return nil, Invalid("revision", "must be 1 or more")
	}
	return s.store.SynonymRevision(ctx, n)
}

// Revisions returns the list's history newest first.
func (s *Synonyms) Revisions(ctx context.Context) ([]*SynonymList, error) {
	return s.store.SynonymRevisions(ctx)
}

// SynonymEdit is a change to the synonym list someone asks to save.
type SynonymEdit struct {
	Text    string
	Summary string
	Base    int // the revision the editor started from (0: none yet)
}

// SynonymResult tells what Save or Revert did.
type SynonymResult struct {
	List      *SynonymList // the revision saved, or the current one when Unchanged
	Merged    bool
	Unchanged bool
}

// Save stores e as a new revision attributed to the user in ctx. An edit
// from an older base is merged line by line with what was saved since; if
// the changes overlap nothing is saved and the error is a *ConflictError.
// It returns a *ValidationError for a list that breaks ParseSynonyms's
// rules, and Unchanged when the text equals the current one.
func (s *Synonyms) Save(ctx context.Context, e SynonymEdit) (*SynonymResult, error) {
	if len(e.Text) > MaxSynonymBytes {
		return nil, fmt.Errorf("synonym list is %d bytes, the limit is %d: %w", len(e.Text), MaxSynonymBytes, ErrTooLarge)
	}
	if e.Base < 0 {
		return nil, Invalid("base_revision", "must not be negative")
	}
	summary, err := checkSummary(e.Summary)
	if err != nil {
		return nil, err
	}
	text := normalizeNewlines(e.Text)
	for attempt := 0; ; attempt++ {
		head, err := s.Current(ctx)
		if err != nil {
			return nil, err
		}
		if e.Base > head.Revision {
			return nil, Invalid("base_revision", "is %d, but the list's newest revision is %d", e.Base, head.Revision)
		}
		l := &SynonymList{Text: text, Summary: summary, Base: e.Base}
		if e.Base < head.Revision {
			base := &SynonymList{}
			if e.Base > 0 {
				if base, err = s.store.SynonymRevision(ctx, e.Base); err != nil {
					return nil, err
				}
			}
			merged, ok := diff.Merge3(base.Text, head.Text, text)
			if !ok {
				return nil, &ConflictError{Of: "the synonym list", Current: &Revision{Number: head.Revision, Markdown: head.Text, Author: head.Author,
					CreatedAt: head.CreatedAt}, Yours: text}
			}
			l.Merged, l.Text = merged != text, merged
		}
		res, err := s.commit(ctx, head, l)
		if errors.Is(err, ErrConflict) && !errors.As(err, new(*ConflictError)) && attempt+1 < maxCommitAttempts {
			if err := backoff(ctx, attempt); err != nil {
				return nil, err
			}
			continue
		}
		return res, err
	}
}

// AddGroup appends a group of terms to the list as a new revision (the
// gap list's "add to the synonyms"). Unchanged if the list already has a
// group with exactly those terms. It returns a *ValidationError for terms
// that break ParseSynonyms's rules.
func (s *Synonyms) AddGroup(ctx context.Context, terms []string, summary string) (*SynonymResult, error) {
	var clean []string
	for _, t := range terms {
		t = strings.ToLower(NormalizeTitle(strings.NewReplacer(",", " ", "=", " ", "#", " ").Replace(t)))
		if t != "" && !slices.Contains(clean, t) {
			clean = append(clean, t)
		}
	}
	if len(clean) < 2 {
		return nil, Invalid("terms", "a group needs at least two different terms")
	}
	for attempt := 0; ; attempt++ {
		cur, err := s.Current(ctx)
		if err != nil {
			return nil, err
		}
		for _, g := range cur.Groups() {
			if slices.Equal(g, clean) {
				return &SynonymResult{List: cur, Unchanged: true}, nil
			}
		}
		text := cur.Text
		if text != "" && !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		res, err := s.Save(ctx, SynonymEdit{Text: text + strings.Join(clean, ", ") + "\n", Summary: summary, Base: cur.Revision})
		if errors.Is(err, ErrConflict) && attempt+1 < maxCommitAttempts {
			continue // someone saved meanwhile: append to theirs
		}
		return res, err
	}
}

// Revert makes a new revision whose text is revision n's.
func (s *Synonyms) Revert(ctx context.Context, n int, summary string) (*SynonymResult, error) {
	target, err := s.Revision(ctx, n)
	if err != nil {
		return nil, err
	}
	if summary, err = checkSummary(summary); err != nil {
		return nil, err
	}
	if summary == "" {
		summary = "Reverted to revision " + strconv.Itoa(n)
	}
	for attempt := 0; ; attempt++ {
		head, err := s.Current(ctx)
		if err != nil {
			return nil, err
		}
		res, err := s.commit(ctx, head, &SynonymList{Text: target.Text, Summary: summary, Base: head.Revision, RevertOf: n})
		if errors.Is(err, ErrConflict) && attempt+1 < maxCommitAttempts {
			if err := backoff(ctx, attempt); err != nil {
				return nil, err
			}
			continue
		}
		return res, err
	}
}

// commit validates l and commits it on top of head, unless it reads like
// head already.
func (s *Synonyms) commit(ctx context.Context, head, l *SynonymList) (*SynonymResult, error) {
	if _, err := ParseSynonyms(l.Text); err != nil {
		return nil, err
	}
	if head.Revision > 0 && l.Text == head.Text {
		return &SynonymResult{List: head, Unchanged: true}, nil
	}
	user := UserFromContext(ctx)
	l.Author, l.Cohort, l.CreatedAt = user.Name, user.WorkCohort(), s.now().UTC()
	l.Added, l.Removed = diff.LineStats(head.Text, l.Text)
	if err := s.store.CommitSynonyms(ctx, l, head.Revision); err != nil {
		return nil, err
	}
	s.onCommit(l)
	return &SynonymResult{List: l, Merged: l.Merged}, nil
}

// Diff compares revisions from and to of the list (0 is the empty list).
func (s *Synonyms) Diff(ctx context.Context, from, to int) (*diff.Diff, [2]*SynonymList, error) {
	var revs [2]*SynonymList
	for i, n := range [2]int{from, to} {
		if n < 0 {
			return nil, revs, Invalid("revision", "must not be negative")
		}
		revs[i] = &SynonymList{}
		if n == 0 {
			continue
		}
		l, err := s.store.SynonymRevision(ctx, n)
		if err != nil {
			return nil, revs, err
		}
		revs[i] = l
	}
	return diff.Compare(revs[0].Text, revs[1].Text), revs, nil
}

// EnsureSynonyms saves the starter list when the wiki has never had one,
// so search knows the common ways people name the same thing from the
// first day; trainers then make it their own. It does nothing once any
// revision exists.
func (s *Synonyms) EnsureSynonyms(ctx context.Context) (created bool, err error) {
	cur, err := s.Current(ctx)
	if err != nil || cur.Revision > 0 {
		return false, err
	}
	ctx = NewContextWithUser(ctx, &User{Name: "faqwiki"})
	_, err = s.Save(ctx, SynonymEdit{Text: StarterSynonyms, Summary: "The starter list"})
	if errors.Is(err, ErrConflict) {
		return false, nil // another process saved one first
	}
	return err == nil, err
}
