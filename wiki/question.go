package wiki

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Questions vocabulary:
//
//   - A question is something a person asked because the FAQ did not
//     answer it. It waits, open, until someone answers it in the FAQ: a
//     question is answered by a link to a page and section (an anchor),
//     never by a reply. Others who have the same question add a "+1"
//     instead of asking again (one per person).
//   - Trainers close questions that need no answer (declined, with a
//     reason) and merge duplicates into the question they repeat: the
//     duplicate's asker and +1s count for that question from then on.
//   - The asker sees the answer on their watchlist, in their feed and on
//     their page.

// QuestionStatus is where a question stands.
type QuestionStatus string

// The statuses of a question.
const (
	QuestionOpen      QuestionStatus = "open"
	QuestionAnswered  QuestionStatus = "answered"
	QuestionDuplicate QuestionStatus = "duplicate" // merged into DuplicateOf
	QuestionDeclined  QuestionStatus = "declined"  // closed with a reason, no answer needed
)

// Limits on questions.
const (
	MinQuestionLen = 3   // characters
	MaxQuestionLen = 300 // characters: a question is a heading, not an essay
	MaxReasonLen   = 500 // characters of a decline or dismiss reason, or a note
	// MaxOpenQuestionsPerPerson bounds what one person may have waiting.
	MaxOpenQuestionsPerPerson = 50
	// MaxWordings bounds the other wordings a question collects from
	// merged duplicates.
	MaxWordings = 50
)

// Question is a question someone asked.
type Question struct {
	ID      int64
	Text    string
	Status  QuestionStatus
	Asker   string // username
	Cohort  string // the asker's cohort when they asked ("" if none)
	AskedAt time.Time
	// Voters are the people who +1'd it (not the asker), in order;
	// duplicates merged into it bring their asker and voters.
	Voters []string
	LastAt time.Time // the latest ask or +1
	// FromSearch is the search (normalized) the question was asked from,
	// "" if none: that search gap and this question are one gap.
	FromSearch string
	// Wordings are the texts of duplicates merged into it.
	Wordings []string
	Answer   *AnswerLink // set when answered
	// DuplicateOf is the question a duplicate was merged into.
	DuplicateOf int64
	Reason      string // why it was declined, or a note on the merge
	ClosedBy    string
	ClosedAt    time.Time
	// AnswerSeen says the asker has opened the question since it was
	// answered.
	AnswerSeen bool
}

// Votes is how many people asked the question: its asker and every +1.
func (q *Question) Votes() int { return 1 + len(q.Voters) }

// AskedBy reports whether person asked q or +1'd it.
func (q *Question) AskedBy(person string) bool {
	return person != "" && (q.Asker == person || slices.Contains(q.Voters, person))
}

// AnswerLink is where a question (or a search gap) is answered: a section
// of a page, or the page as a whole (Anchor "").
type AnswerLink struct {
	Slug     Slug
	Anchor   string
	By       string // who linked it
	At       time.Time
	Revision int // the page's revision when it was linked
}

// QuestionStore keeps questions and the status of search gaps. Each
// method is atomic.
type QuestionStore interface {
	// CreateQuestion stores a new question and sets its ID.
	CreateQuestion(ctx context.Context, q *Question) error
	// Question returns a question by ID, or ErrNotFound.
	Question(ctx context.Context, id int64) (*Question, error)
	// Questions returns every question, newest first.
	Questions(ctx context.Context) ([]*Question, error)
	// QuestionsBy returns the questions username asked, newest first.
	QuestionsBy(ctx context.Context, username string) ([]*Question, error)
	// UpdateQuestion applies fn to the stored question and saves it, in one
	// transaction; fn's error aborts it. ErrNotFound if there is none.
	UpdateQuestion(ctx context.Context, id int64, fn func(*Question) error) (*Question, error)
	// MergeQuestion applies fn to the question from and the question into
	// and saves both, in one transaction. ErrNotFound if either is missing.
	MergeQuestion(ctx context.Context, from, into int64, fn func(from, into *Question) error) error

	// GapRecords returns the status records of search gaps, by query.
	GapRecords(ctx context.Context) (map[string]*GapRecord, error)
	// PutGapRecord stores (replaces) the record of r.Query.
	PutGapRecord(ctx context.Context, r *GapRecord) error
	// DeleteGapRecord removes the record of a query; a missing one is no
	// error.
	DeleteGapRecord(ctx context.Context, query string) error
}

// Questions is the domain service for questions and the gap list. It is
// safe for concurrent use.
type Questions struct {
	store     QuestionStore
	wiki      *Wiki
	search    Searcher
	searchLog SearchLog
	now       Clock
}

// QuestionsConfig is what Questions is built from. Store and Wiki are
// required.
type QuestionsConfig struct {
	Store QuestionStore
	Wiki  *Wiki // the pages answers live on
	// Search finds answers that look like a question before it is asked
	// (nil: none are shown).
	Search Searcher
	// SearchLog lists the searches that found no answer, for the gap list,
	// and learns from a gap linked to its answer (nil: questions only).
	SearchLog SearchLog
	Clock     Clock
}

// NewQuestions returns the questions service.
func NewQuestions(cfg QuestionsConfig) *Questions {
	q := &Questions{store: cfg.Store, wiki: cfg.Wiki, search: cfg.Search, searchLog: cfg.SearchLog, now: cfg.Clock}
	if q.now == nil {
		q.now = time.Now
	}
	return q
}

// need returns the user in ctx if they have role r: ErrUnauthorized for a
// visitor, ErrForbidden for too weak a role.
func need(ctx context.Context, r Role) (*User, error) {
	u := UserFromContext(ctx)
	if !u.SignedIn() {
		return nil, fmt.Errorf("this needs an account: %w", ErrUnauthorized)
	}
	if !u.Has(r) {
		return nil, fmt.Errorf("this needs the %s role: %w", r, ErrForbidden)
	}
	return u, nil
}

// CheckQuestion normalizes a question's text and checks its length.
func CheckQuestion(text string) (string, error) {
	text = NormalizeTitle(strings.ToValidUTF8(text, ""))
	n := utf8.RuneCountInString(text)
	switch {
	case n == 0:
		return "", Invalid("text", "is required: write the question you want answered")
	case n < MinQuestionLen:
		return "", Invalid("text", "is too short: write the question out")
	case n > MaxQuestionLen:
		return "", Invalid("text", "is longer than %d characters: ask one question, as you would type it into search", MaxQuestionLen)
	}
	return text, nil
}

// checkNote normalizes a reason or note and checks its length; required
// says it may not be empty.
func checkNote(field, s string, required bool) (string, error) {
	s = strings.TrimSpace(strings.ToValidUTF8(s, ""))
	switch {
	case s == "" && required:
		return "", Invalid(field, "is required")
	case utf8.RuneCountInString(s) > MaxReasonLen:
		return "", Invalid(field, "is longer than %d characters", MaxReasonLen)
	}
	return s, nil
}

// SimilarAnswer is an existing answer that looks like a question.
type SimilarAnswer struct {
	Slug    Slug
	Anchor  string
	Title   string
	Heading string
	Under   string // as SearchHit.Under
	Snippet string // as SearchHit.Snippet
}

// Similar is what the FAQ already has that looks like a question: answers
// from the search index and questions asked before that are still open.
type Similar struct {
	Answers   []SimilarAnswer
	Weak      bool // the answers share few of the question's words
	Questions []*Question
}

// maxSimilar is how many answers and questions Similar shows at most.
const maxSimilar = 5

// Similar finds what looks like text: answers (from search) and open
// questions that share most of its words. A search that fails is no
// error: it shows no answers.
func (qs *Questions) Similar(ctx context.Context, text string) (*Similar, error) {
	out := &Similar{Answers: []SimilarAnswer{}, Questions: []*Question{}}
	if qs.search != nil && strings.TrimSpace(text) != "" {
		res, err := qs.search.Search(ctx, SearchQuery{Text: text, Limit: maxSimilar})
		if err == nil {
			out.Weak = res.Weak
			for _, h := range res.Hits {
				out.Answers = append(out.Answers, SimilarAnswer{Slug: h.Slug, Anchor: h.Anchor, Title: h.Title, Heading: h.Heading, Under: h.Under, Snippet: h.Snippet})
			}
		} else if ctx.Err() != nil {
			return nil, err
		}
	}
	all, err := qs.store.Questions(ctx)
	if err != nil {
		return nil, err
	}
	words := questionWords(text)
	type scored struct {
		q     *Question
		score float64
	}
	var hits []scored
	for _, q := range all {
		if q.Status != QuestionOpen {
			continue
		}
		if s := overlap(words, questionWords(q.Text)); s >= 0.5 {
			hits = append(hits, scored{q, s})
		}
	}
	slices.SortStableFunc(hits, func(a, b scored) int { return cmp.Compare(b.score, a.score) })
	for i := 0; i < len(hits) && i < maxSimilar; i++ {
		out.Questions = append(out.Questions, hits[i].q)
	}
	return out, nil
}

// questionWords are the words of a question that say what it is about:
// lower case, without the words every question has.
func questionWords(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	}) {
		if !questionStopWords[w] && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

var questionStopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an the and or of to in on at for from by with about is are was be
		do does did i me my we our you your it its this that can could should would how what when where who
		why which there get got need have has`) {
		questionStopWords[w] = true
	}
}

// overlap is the share of the longer word list that both share.
func overlap(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	shared := 0
	for _, w := range a {
		if slices.Contains(b, w) {
			shared++
		}
	}
	return float64(shared) / float64(max(len(a), len(b)))
}

// AskResult is what Ask did.
type AskResult struct {
	Question *Question
	// Existing says an open question with the same words was there
	// already: the asker's +1 went to it instead.
	Existing bool
	Similar  *Similar
}

// Ask stores a question asked by the person in ctx (an editor), unless an
// open question reads the same (same words, case and punctuation aside),
// which gets their +1 instead. fromSearch is the search it was asked
// from, if any. It returns a *ValidationError for a bad text or too many
// open questions, ErrUnauthorized or ErrForbidden for someone who may not
// ask.
func (qs *Questions) Ask(ctx context.Context, text, fromSearch string) (*AskResult, error) {
	u, err := need(ctx, RoleEditor)
	if err != nil {
		return nil, err
	}
	if text, err = CheckQuestion(text); err != nil {
		return nil, err
	}
	all, err := qs.store.Questions(ctx)
	if err != nil {
		return nil, err
	}
	key := NormalizeQuery(text)
	mine := 0
	for _, q := range all {
		if q.Status != QuestionOpen {
			continue
		}
		if NormalizeQuery(q.Text) == key {
			voted, _, err := qs.Vote(ctx, q.ID)
			if err != nil {
				return nil, err
			}
			return &AskResult{Question: voted, Existing: true}, nil
		}
		if q.Asker == u.Name {
			mine++
		}
	}
	if mine >= MaxOpenQuestionsPerPerson {
		return nil, Invalid("text", "you have %d open questions already; wait for some to be answered, or +1 others' questions", mine)
	}
	sim, err := qs.Similar(ctx, text)
	if err != nil {
		return nil, err
	}
	now := qs.now().UTC()
	q := &Question{Text: text, Status: QuestionOpen, Asker: u.Name, Cohort: u.Cohort, AskedAt: now, LastAt: now,
		FromSearch: NormalizeQuery(fromSearch), Voters: []string{}, Wordings: []string{}}
	if err := qs.store.CreateQuestion(ctx, q); err != nil {
		return nil, err
	}
	return &AskResult{Question: q, Similar: sim}, nil
}

// Question returns a question, or ErrNotFound.
func (qs *Questions) Question(ctx context.Context, id int64) (*Question, error) {
	return qs.store.Question(ctx, id)
}

// Vote adds the +1 of the person in ctx (an editor) to an open question.
// Asking again, or +1'ing twice, changes nothing (changed false). It
// returns a *ValidationError for a question that is not open.
func (qs *Questions) Vote(ctx context.Context, id int64) (q *Question, changed bool, err error) {
	u, err := need(ctx, RoleEditor)
	if err != nil {
		return nil, false, err
	}
	q, err = qs.store.UpdateQuestion(ctx, id, func(q *Question) error {
		if q.Status != QuestionOpen {
			return Invalid("question", "is %s: only open questions take a +1", q.Status)
		}
		if q.AskedBy(u.Name) {
			return errUnchanged
		}
		q.Voters = append(q.Voters, u.Name)
		q.LastAt = qs.now().UTC()
		changed = true
		return nil
	})
	if errors.Is(err, errUnchanged) {
		q, err = qs.store.Question(ctx, id)
	}
	return q, changed, err
}

// errUnchanged aborts an update that would change nothing.
var errUnchanged = errors.New("unchanged")

// QuestionFilter selects questions for a list.
type QuestionFilter struct {
	Status  QuestionStatus // "" for every status
	ByVotes bool           // most asked first, instead of newest first
	Asker   string         // only this person's ("" for everyone's)
	Cohort  string         // only those asked by this cohort's members
	Limit   int            // at most this many (0: 200)
}

// List returns questions as f selects them.
func (qs *Questions) List(ctx context.Context, f QuestionFilter) ([]*Question, error) {
	var all []*Question
	var err error
	if f.Asker != "" {
		all, err = qs.store.QuestionsBy(ctx, f.Asker)
	} else {
		all, err = qs.store.Questions(ctx)
	}
	if err != nil {
		return nil, err
	}
	out := []*Question{}
	for _, q := range all {
		if (f.Status == "" || q.Status == f.Status) && (f.Cohort == "" || q.Cohort == f.Cohort) {
			out = append(out, q)
		}
	}
	if f.ByVotes {
		slices.SortStableFunc(out, func(a, b *Question) int {
			if c := cmp.Compare(b.Votes(), a.Votes()); c != 0 {
				return c
			}
			return b.LastAt.Compare(a.LastAt)
		})
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 200
	}
	return out[:min(len(out), limit)], nil
}

// ParseQuestionStatus reads a status name; "" is every status.
func ParseQuestionStatus(s string) (QuestionStatus, error) {
	switch st := QuestionStatus(s); st {
	case "", QuestionOpen, QuestionAnswered, QuestionDuplicate, QuestionDeclined:
		return st, nil
	}
	return "", Invalid("status", "must be open, answered, duplicate or declined")
}

// CheckAnswerLink checks that slug names a live page and anchor one of
// its headings ("" for the page as a whole), and returns the page.
func (qs *Questions) CheckAnswerLink(ctx context.Context, slug Slug, anchor string) (*Page, error) {
	return checkAnswerLink(ctx, qs.wiki, slug, anchor)
}

func checkAnswerLink(ctx context.Context, w *Wiki, slug Slug, anchor string) (*Page, error) {
	if _, err := ParseSlug(string(slug)); err != nil {
		return nil, err
	}
	p, err := w.Page(ctx, slug)
	if errors.Is(err, ErrNotFound) || err == nil && p.Deleted {
		return nil, Invalid("slug", "there is no page %q: link a page that exists, or write it first", slug)
	}
	if err != nil {
		return nil, err
	}
	if anchor == "" {
		return p, nil
	}
	r, err := w.RenderPage(ctx, p)
	if err != nil {
		return nil, err
	}
	for _, h := range r.TOC {
		if h.ID == anchor {
			return p, nil
		}
	}
	return nil, Invalid("anchor", "the page %q has no question with the anchor %q", slug, anchor)
}

// Answer links a question to the section that answers it and marks it
// answered (an answered question may be linked again, to a better
// answer). The person in ctx must be an editor. It returns a
// *ValidationError for a page or anchor that does not exist, or a
// question that was declined or merged.
func (qs *Questions) Answer(ctx context.Context, id int64, slug Slug, anchor string) (*Question, error) {
	u, err := need(ctx, RoleEditor)
	if err != nil {
		return nil, err
	}
	p, err := qs.CheckAnswerLink(ctx, slug, anchor)
	if err != nil {
		return nil, err
	}
	return qs.link(ctx, id, &AnswerLink{Slug: slug, Anchor: anchor, By: u.Name, At: qs.now().UTC(), Revision: p.Revision})
}

func (qs *Questions) link(ctx context.Context, id int64, a *AnswerLink) (*Question, error) {
	q, err := qs.store.UpdateQuestion(ctx, id, func(q *Question) error {
		switch q.Status {
		case QuestionDuplicate:
			return Invalid("question", "was merged into question %d: answer that one", q.DuplicateOf)
		case QuestionDeclined:
			return Invalid("question", "was declined; a trainer can reopen it")
		}
		if q.Answer == nil || q.Answer.Slug != a.Slug || q.Answer.Anchor != a.Anchor {
			q.AnswerSeen = q.Asker == a.By // answering your own question needs no notice
		}
		q.Status, q.Answer = QuestionAnswered, a
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The words people searched with mean that answer: search learns it,
	// and the searches leave the gap list.
	qs.teach(ctx, a, append([]string{q.Text, q.FromSearch}, q.Wordings...)...)
	return q, nil
}

// teach tells the search log that queries found their answer at a. A log
// that fails to learn is no reason to fail the answer.
func (qs *Questions) teach(ctx context.Context, a *AnswerLink, queries ...string) {
	if qs.searchLog == nil {
		return
	}
	seen := map[string]bool{}
	for _, q := range queries {
		if q = NormalizeQuery(q); q == "" || seen[q] {
			continue
		}
		seen[q] = true
		_ = qs.searchLog.LogOpen(ctx, OpenEvent{Query: q, Slug: a.Slug, Anchor: a.Anchor, Person: a.By, At: a.At, Linked: true})
	}
}

// AnswerFromEdit links a question to the answer just saved in rev (a
// revision made by "Answer in the FAQ"), on the heading that rev added
// for it: the heading that reads like the question, else the first
// heading rev added, else the page as a whole.
func (qs *Questions) AnswerFromEdit(ctx context.Context, id int64, rev *Revision) (*Question, error) {
	u, err := need(ctx, RoleEditor)
	if err != nil {
		return nil, err
	}
	q, err := qs.store.Question(ctx, id)
	if err != nil {
		return nil, err
	}
	anchor, err := qs.anchorFor(ctx, rev, append([]string{q.Text}, q.Wordings...))
	if err != nil {
		return nil, err
	}
	return qs.link(ctx, id, &AnswerLink{Slug: rev.Slug, Anchor: anchor, By: u.Name, At: qs.now().UTC(), Revision: rev.Number})
}

// anchorFor finds the heading of rev that answers texts: one that reads
// like one of them (preferring those rev added), else the first heading
// rev added, else "" (the page).
func (qs *Questions) anchorFor(ctx context.Context, rev *Revision, texts []string) (string, error) {
	r, err := qs.wiki.RenderRevision(ctx, rev)
	if err != nil {
		return "", err
	}
	before := map[string]bool{}
	if rev.Number > 1 {
		prev, err := qs.wiki.Revision(ctx, rev.Slug, rev.Number-1)
		if err != nil {
			return "", err
		}
		pr, err := qs.wiki.RenderRevision(ctx, prev)
		if err != nil {
			return "", err
		}
		for _, h := range pr.TOC {
			before[NormalizeQuery(h.Text)] = true
		}
	}
	want := map[string]bool{}
	for _, t := range texts {
		want[NormalizeQuery(t)] = true
	}
	firstNew, match, matchNew := "", "", ""
	for _, h := range r.TOC {
		k := NormalizeQuery(h.Text)
		isNew := !before[k]
		if isNew && firstNew == "" {
			firstNew = h.ID
		}
		if want[k] {
			if match == "" {
				match = h.ID
			}
			if isNew && matchNew == "" {
				matchNew = h.ID
			}
		}
	}
	for _, a := range []string{matchNew, match, firstNew} {
		if a != "" {
			return a, nil
		}
	}
	return "", nil
}

// Close closes an open question without an answer: status declined
// (reason required) or duplicate of another question (duplicateOf; its
// asker and +1s then count for that one). The person in ctx must be a
// trainer. A *ValidationError for a bad status, a missing reason or
// target, or merging a question into itself or into one merged away.
func (qs *Questions) Close(ctx context.Context, id int64, status QuestionStatus, reason string, duplicateOf int64) (*Question, error) {
	u, err := need(ctx, RoleTrainer)
	if err != nil {
		return nil, err
	}
	if reason, err = checkNote("reason", reason, status == QuestionDeclined); err != nil {
		return nil, err
	}
	now := qs.now().UTC()
	switch status {
	case QuestionDeclined:
		return qs.store.UpdateQuestion(ctx, id, func(q *Question) error {
			if q.Status == QuestionDuplicate {
				return Invalid("status", "the question was merged into question %d", q.DuplicateOf)
			}
			q.Status, q.Reason, q.ClosedBy, q.ClosedAt = QuestionDeclined, reason, u.Name, now
			return nil
		})
	case QuestionDuplicate:
		into, err := qs.root(ctx, duplicateOf)
		if err != nil {
			return nil, err
		}
		if into == id {
			return nil, Invalid("duplicate_of", "a question cannot be a duplicate of itself")
		}
		err = qs.store.MergeQuestion(ctx, id, into, func(from, to *Question) error {
			if from.Status == QuestionDuplicate {
				return Invalid("status", "the question was merged into question %d already", from.DuplicateOf)
			}
			mergeInto(to, from)
			from.Status, from.DuplicateOf, from.Reason, from.ClosedBy, from.ClosedAt = QuestionDuplicate, into, reason, u.Name, now
			return nil
		})
		if err != nil {
			return nil, err
		}
		return qs.store.Question(ctx, id)
	}
	return nil, Invalid("status", "must be duplicate or declined")
}

// root follows a chain of duplicates to the question they end at.
func (qs *Questions) root(ctx context.Context, id int64) (int64, error) {
	if id <= 0 {
		return 0, Invalid("duplicate_of", "is required: the id of the question this one repeats")
	}
	for range 100 {
		q, err := qs.store.Question(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return 0, Invalid("duplicate_of", "there is no question %d", id)
		}
		if err != nil {
			return 0, err
		}
		if q.Status != QuestionDuplicate {
			return id, nil
		}
		id = q.DuplicateOf
	}
	return 0, Invalid("duplicate_of", "question %d is in a loop of duplicates", id)
}

// mergeInto adds what the duplicate from brings to to: its wordings, its
// asker and voters, its searches.
func mergeInto(to, from *Question) {
	for _, w := range append([]string{from.Text}, from.Wordings...) {
		if NormalizeQuery(w) != NormalizeQuery(to.Text) && !slices.ContainsFunc(to.Wordings, func(x string) bool { return NormalizeQuery(x) == NormalizeQuery(w) }) &&
			len(to.Wordings) < MaxWordings {
			to.Wordings = append(to.Wordings, w)
		}
	}
	if from.FromSearch != "" && to.FromSearch == "" {
		to.FromSearch = from.FromSearch
	} else if from.FromSearch != "" && !slices.Contains(to.Wordings, from.FromSearch) && len(to.Wordings) < MaxWordings {
		to.Wordings = append(to.Wordings, from.FromSearch)
	}
	for _, p := range append([]string{from.Asker}, from.Voters...) {
		if !to.AskedBy(p) {
			to.Voters = append(to.Voters, p)
		}
	}
	if from.LastAt.After(to.LastAt) {
		to.LastAt = from.LastAt
	}
}

// Reopen opens a declined question again. The person in ctx must be a
// trainer. A *ValidationError for a question that is not declined.
func (qs *Questions) Reopen(ctx context.Context, id int64) (*Question, error) {
	if _, err := need(ctx, RoleTrainer); err != nil {
		return nil, err
	}
	return qs.store.UpdateQuestion(ctx, id, func(q *Question) error {
		if q.Status != QuestionDeclined {
			return Invalid("status", "only a declined question can be reopened (this one is %s)", q.Status)
		}
		q.Status, q.Reason, q.ClosedBy, q.ClosedAt = QuestionOpen, "", "", time.Time{}
		return nil
	})
}

// MarkAnswerSeen records that the asker opened their answered question;
// for anyone else it does nothing.
func (qs *Questions) MarkAnswerSeen(ctx context.Context, q *Question) error {
	u := UserFromContext(ctx)
	if q.Status != QuestionAnswered || q.AnswerSeen || !u.SignedIn() || q.Asker != u.Name {
		return nil
	}
	_, err := qs.store.UpdateQuestion(ctx, q.ID, func(q *Question) error {
		if q.AnswerSeen {
			return errUnchanged
		}
		q.AnswerSeen = true
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	return err
}

// NewAnswers returns the questions of the person in ctx that were
// answered since they last looked (newest answer first), and their other
// answered questions after them, at most limit in all: what their
// watchlist and feed show.
func (qs *Questions) NewAnswers(ctx context.Context, limit int) (unseen, seen []*Question, err error) {
	u := UserFromContext(ctx)
	if !u.SignedIn() {
		return nil, nil, nil
	}
	mine, err := qs.store.QuestionsBy(ctx, u.Name)
	if err != nil {
		return nil, nil, err
	}
	var answered []*Question
	for _, q := range mine {
		if q.Status == QuestionAnswered && q.Answer != nil {
			answered = append(answered, q)
		}
	}
	slices.SortStableFunc(answered, func(a, b *Question) int { return b.Answer.At.Compare(a.Answer.At) })
	for _, q := range answered {
		if len(unseen)+len(seen) >= limit {
			break
		}
		if q.AnswerSeen {
			seen = append(seen, q)
		} else {
			unseen = append(unseen, q)
		}
	}
	return unseen, seen, nil
}
