package wiki

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The gap list: searches that found nothing (or nothing useful, or that
// nobody opened a result of) and questions people asked are one thing,
// something the FAQ does not answer yet, so trainers and editors see them
// in one list. Each gap has a stable id: "q-" and the question's number,
// or "s-" and a hash of the search's words. A gap is closed by an answer
// in the FAQ (linking it to a section), or dismissed by a trainer with a
// reason, or merged into another gap it repeats.

// GapKind says where a gap comes from.
type GapKind string

// Kinds of gap.
const (
	GapSearch   GapKind = "search"
	GapQuestion GapKind = "question"
)

// GapStatus is where a gap stands.
type GapStatus string

// Statuses of a gap.
const (
	GapOpen      GapStatus = "open"
	GapAnswered  GapStatus = "answered"
	GapDismissed GapStatus = "dismissed"
	GapDuplicate GapStatus = "duplicate" // merged into another gap, listed with it
)

// GapRecord is what the store keeps of a search gap that someone acted
// on. What the search log knew of it then is kept too, so that the gap
// stays on the answered and dismissed lists after the log forgets it.
type GapRecord struct {
	Query  string // normalized
	Status GapStatus
	Reason string
	Into   string // GapDuplicate: the id of the gap it was merged into
	Answer *AnswerLink
	By     string
	At     time.Time
	// The search gap when it was acted on.
	People   int
	Searches int
	LastAt   time.Time
}

// GapItem is one entry of the gap list.
type GapItem struct {
	ID     string
	Kind   GapKind
	Texts  []string // its wordings, the first the main one
	People int      // people who hit it: searchers, the asker, +1s
	// Searches counts the searches for it (one per person's intent).
	Searches int
	LastAt   time.Time
	Status   GapStatus
	Reason   string // why it was dismissed
	Answer   *AnswerLink
	Into     string    // GapDuplicate: the gap it is part of
	Question *Question // for GapQuestion
	// What the latest search found: 0 pages, or pages none of which was
	// opened; Weak says they answered few of its words.
	Results   int
	Weak      bool
	FoundWith []FoundWith // other searches that then found an answer
	Merged    []string    // ids of gaps merged into this one
	ClosedAt  time.Time   // when it was answered or dismissed

	// Its own figures, before the gaps merged into it were added: what
	// a record keeps of it.
	ownPeople, ownSearches int
	ownLastAt              time.Time
}

// SearchGapID is the id of the search gap for a (normalized) query.
func SearchGapID(query string) string {
	h := sha256.Sum256([]byte(NormalizeQuery(query)))
	return "s-" + hex.EncodeToString(h[:6])
}

// QuestionGapID is the id of the gap a question is.
func QuestionGapID(id int64) string { return "q-" + strconv.FormatInt(id, 10) }

// parseGapID reads a gap id: a question's number, or the hash of a
// search gap.
func parseGapID(id string) (question int64, search string, err error) {
	switch {
	case strings.HasPrefix(id, "q-"):
		n, err := strconv.ParseInt(id[2:], 10, 64)
		if err != nil || n <= 0 {
			break
		}
		return n, "", nil
	case strings.HasPrefix(id, "s-") && len(id) == 14:
		if _, err := hex.DecodeString(id[2:]); err == nil {
			return 0, id, nil
		}
	}
	return 0, "", Invalid("id", "%q is not a gap id (q-12 for a question, s- and 12 hex digits for a search)", id)
}

// GapFilter selects gaps.
type GapFilter struct {
	Status GapStatus // GapOpen (the default), GapAnswered or GapDismissed
	Since  time.Time // searches since then count (zero: the last 30 days)
}

// ParseGapStatus reads a gap status for a list ("" is open).
func ParseGapStatus(s string) (GapStatus, error) {
	switch st := GapStatus(s); st {
	case "":
		return GapOpen, nil
	case GapOpen, GapAnswered, GapDismissed:
		return st, nil
	}
	return "", Invalid("status", "must be open, answered or dismissed")
}

// Gaps lists the gaps f selects. Open ones come most hit first (people,
// then the latest); answered and dismissed ones newest first. Merged
// gaps are listed in the gap they were merged into. The person in ctx
// must be an editor.
func (qs *Questions) Gaps(ctx context.Context, f GapFilter) ([]*GapItem, error) {
	if _, err := need(ctx, RoleEditor); err != nil {
		return nil, err
	}
	items, err := qs.gapItems(ctx, f.Since)
	if err != nil {
		return nil, err
	}
	status := f.Status
	if status == "" {
		status = GapOpen
	}
	out := []*GapItem{}
	for _, it := range items {
		if it.Status == status {
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(a, b *GapItem) int {
		if status == GapOpen {
			if c := cmp.Compare(b.People, a.People); c != 0 {
				return c
			}
			return b.LastAt.Compare(a.LastAt)
		}
		return b.ClosedAt.Compare(a.ClosedAt)
	})
	return out, nil
}

// gapItems builds every gap, by id, with merged ones folded into the gap
// they are part of (and also returned, with status GapDuplicate).
func (qs *Questions) gapItems(ctx context.Context, since time.Time) (map[string]*GapItem, error) {
	if since.IsZero() {
		since = qs.now().UTC().AddDate(0, 0, -30)
	}
	var searches []Gap
	if qs.searchLog != nil {
		var err error
		if searches, err = qs.searchLog.Gaps(ctx, since); err != nil {
			return nil, err
		}
	}
	records, err := qs.store.GapRecords(ctx)
	if err != nil {
		return nil, err
	}
	questions, err := qs.store.Questions(ctx)
	if err != nil {
		return nil, err
	}
	items := map[string]*GapItem{}
	byText := map[string]string{} // normalized wording of a live question -> its gap id
	for _, q := range questions {
		it := questionGap(q)
		items[it.ID] = it
		if q.Status != QuestionDuplicate {
			for _, t := range append([]string{q.Text, q.FromSearch}, q.Wordings...) {
				if k := NormalizeQuery(t); k != "" {
					if _, ok := byText[k]; !ok {
						byText[k] = it.ID
					}
				}
			}
		}
	}
	seen := map[string]bool{}
	for _, g := range searches {
		seen[g.Query] = true
		it := &GapItem{ID: SearchGapID(g.Query), Kind: GapSearch, Texts: []string{g.Query}, People: g.People, Searches: g.Count,
			LastAt: g.LastAt, Status: GapOpen, Results: g.Results, Weak: g.Weak, FoundWith: g.FoundWith}
		applyRecord(it, records[g.Query])
		if qid, ok := byText[g.Query]; ok && it.Status == GapOpen {
			// A question asked from this search, or in its words: one gap.
			it.Status, it.Into = GapDuplicate, qid
		}
		items[it.ID] = it
	}
	for q, r := range records {
		if seen[q] {
			continue
		}
		it := &GapItem{ID: SearchGapID(q), Kind: GapSearch, Texts: []string{q}, People: r.People, Searches: r.Searches, LastAt: r.LastAt, Status: GapOpen}
		applyRecord(it, r)
		if it.Status == GapOpen {
			continue // reopened, and the log no longer lists it: nothing to show
		}
		items[it.ID] = it
	}
	for _, it := range items {
		it.ownPeople, it.ownSearches, it.ownLastAt = it.People, it.Searches, it.LastAt
	}
	foldDuplicates(items)
	return items, nil
}

// foldDuplicates folds each merged gap into the gap it is part of,
// following chains: the root lists it, and a merged search adds its
// wordings, people and searches.
func foldDuplicates(items map[string]*GapItem) {
	ids := make([]string, 0, len(items))
	for id := range items {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		it := items[id]
		if it.Status != GapDuplicate {
			continue
		}
		root := items[it.Into]
		for n := 0; root != nil && root.Status == GapDuplicate && n < 100; n++ {
			root = items[root.Into]
		}
		if root == nil || root.Status == GapDuplicate {
			continue
		}
		root.Merged = append(root.Merged, it.ID)
		if it.Kind == GapSearch {
			// Questions merged into questions brought their people with
			// them (Question.Voters); searches are added here.
			for _, t := range it.Texts {
				if !slices.ContainsFunc(root.Texts, func(x string) bool { return NormalizeQuery(x) == NormalizeQuery(t) }) {
					root.Texts = append(root.Texts, t)
				}
			}
			root.People += it.People
			root.Searches += it.Searches
			if it.LastAt.After(root.LastAt) {
				root.LastAt = it.LastAt
			}
			root.FoundWith = append(root.FoundWith, it.FoundWith...)
		}
	}
}

// questionGap is the gap a question is.
func questionGap(q *Question) *GapItem {
	it := &GapItem{ID: QuestionGapID(q.ID), Kind: GapQuestion, Texts: append([]string{q.Text}, q.Wordings...), People: q.Votes(),
		LastAt: q.LastAt, Question: q, Answer: q.Answer, Reason: q.Reason, ClosedAt: q.ClosedAt}
	switch q.Status {
	case QuestionOpen:
		it.Status = GapOpen
	case QuestionAnswered:
		it.Status = GapAnswered
		if q.Answer != nil {
			it.ClosedAt = q.Answer.At
		}
	case QuestionDeclined:
		it.Status = GapDismissed
	case QuestionDuplicate:
		it.Status, it.Into = GapDuplicate, QuestionGapID(q.DuplicateOf)
	}
	return it
}

// applyRecord gives a search gap the status a record holds.
func applyRecord(it *GapItem, r *GapRecord) {
	if r == nil {
		return
	}
	it.Status, it.Reason, it.Into, it.Answer, it.ClosedAt = r.Status, r.Reason, r.Into, r.Answer, r.At
}

// gap finds one gap by id among all of them.
func (qs *Questions) gap(ctx context.Context, id string) (*GapItem, error) {
	if _, _, err := parseGapID(id); err != nil {
		return nil, err
	}
	// A year back: acting on a gap listed with an older since still works.
	items, err := qs.gapItems(ctx, qs.now().UTC().AddDate(-1, 0, 0))
	if err != nil {
		return nil, err
	}
	it := items[id]
	if it == nil {
		return nil, fmt.Errorf("no gap %q: %w", id, ErrNotFound)
	}
	return it, nil
}

// record returns the record of search gap it as it stands, to change.
func searchRecord(it *GapItem, by string, at time.Time) *GapRecord {
	return &GapRecord{Query: it.Texts[0], By: by, At: at, People: it.ownPeople, Searches: it.ownSearches, LastAt: it.ownLastAt}
}

// DismissGap closes a gap as needing no answer, with a reason (a question
// is declined). The person in ctx must be a trainer.
func (qs *Questions) DismissGap(ctx context.Context, id, reason string) (*GapItem, error) {
	u, err := need(ctx, RoleTrainer)
	if err != nil {
		return nil, err
	}
	if reason, err = checkNote("reason", reason, true); err != nil {
		return nil, err
	}
	it, err := qs.gap(ctx, id)
	if err != nil {
		return nil, err
	}
	if it.Kind == GapQuestion {
		if _, err := qs.Close(ctx, it.Question.ID, QuestionDeclined, reason, 0); err != nil {
			return nil, err
		}
		return qs.gap(ctx, id)
	}
	if it.Status == GapDuplicate {
		return nil, Invalid("id", "this search is part of gap %s: dismiss that one", it.Into)
	}
	r := searchRecord(it, u.Name, qs.now().UTC())
	r.Status, r.Reason = GapDismissed, reason
	if err := qs.store.PutGapRecord(ctx, r); err != nil {
		return nil, err
	}
	return qs.gap(ctx, id)
}

// MergeGap makes gap id part of gap into, which it repeats: a search into
// a search or a question, a question into a question (see Close). The
// person in ctx must be a trainer.
func (qs *Questions) MergeGap(ctx context.Context, id, into string) (*GapItem, error) {
	u, err := need(ctx, RoleTrainer)
	if err != nil {
		return nil, err
	}
	if id == into {
		return nil, Invalid("into", "a gap cannot be merged into itself")
	}
	if _, _, err := parseGapID(into); err != nil {
		return nil, Invalid("into", "is not a gap id")
	}
	it, err := qs.gap(ctx, id)
	if err != nil {
		return nil, err
	}
	target, err := qs.gap(ctx, into)
	if errors.Is(err, ErrNotFound) {
		return nil, Invalid("into", "there is no gap %q", into)
	}
	if err != nil {
		return nil, err
	}
	if target.Status == GapDuplicate {
		return nil, Invalid("into", "gap %s is itself part of gap %s: merge into that one", into, target.Into)
	}
	if it.Kind == GapQuestion {
		if target.Kind != GapQuestion {
			return nil, Invalid("into", "a question can only be merged into another question; merge the search into the question instead")
		}
		if _, err := qs.Close(ctx, it.Question.ID, QuestionDuplicate, "", target.Question.ID); err != nil {
			return nil, err
		}
		return qs.gap(ctx, into)
	}
	r := searchRecord(it, u.Name, qs.now().UTC())
	r.Status, r.Into = GapDuplicate, into
	if err := qs.store.PutGapRecord(ctx, r); err != nil {
		return nil, err
	}
	if target.Status == GapAnswered && target.Answer != nil {
		qs.teach(ctx, &AnswerLink{Slug: target.Answer.Slug, Anchor: target.Answer.Anchor, By: u.Name, At: r.At}, it.Texts...)
	}
	return qs.gap(ctx, into)
}

// AnswerGap links a gap to the section that answers it (a question is
// answered). The person in ctx must be an editor.
func (qs *Questions) AnswerGap(ctx context.Context, id string, slug Slug, anchor string) (*GapItem, error) {
	u, err := need(ctx, RoleEditor)
	if err != nil {
		return nil, err
	}
	it, err := qs.gap(ctx, id)
	if err != nil {
		return nil, err
	}
	if it.Kind == GapQuestion {
		if _, err := qs.Answer(ctx, it.Question.ID, slug, anchor); err != nil {
			return nil, err
		}
		return qs.gap(ctx, id)
	}
	p, err := qs.CheckAnswerLink(ctx, slug, anchor)
	if err != nil {
		return nil, err
	}
	return qs.answerSearchGap(ctx, it, &AnswerLink{Slug: slug, Anchor: anchor, By: u.Name, At: qs.now().UTC(), Revision: p.Revision})
}

func (qs *Questions) answerSearchGap(ctx context.Context, it *GapItem, a *AnswerLink) (*GapItem, error) {
	if it.Status == GapDuplicate {
		return nil, Invalid("id", "this search is part of gap %s: answer that one", it.Into)
	}
	r := searchRecord(it, a.By, a.At)
	r.Status, r.Answer = GapAnswered, a
	if err := qs.store.PutGapRecord(ctx, r); err != nil {
		return nil, err
	}
	qs.teach(ctx, a, it.Texts...)
	return qs.gap(ctx, it.ID)
}

// AnswerGapFromEdit links gap id to the answer just saved in rev (the
// "write the answer" button of the gap list), on the heading rev added
// for it (see AnswerFromEdit).
func (qs *Questions) AnswerGapFromEdit(ctx context.Context, id string, rev *Revision) (*GapItem, error) {
	u, err := need(ctx, RoleEditor)
	if err != nil {
		return nil, err
	}
	it, err := qs.gap(ctx, id)
	if err != nil {
		return nil, err
	}
	if it.Kind == GapQuestion {
		if _, err := qs.AnswerFromEdit(ctx, it.Question.ID, rev); err != nil {
			return nil, err
		}
		return qs.gap(ctx, id)
	}
	anchor, err := qs.anchorFor(ctx, rev, it.Texts)
	if err != nil {
		return nil, err
	}
	return qs.answerSearchGap(ctx, it, &AnswerLink{Slug: rev.Slug, Anchor: anchor, By: u.Name, At: qs.now().UTC(), Revision: rev.Number})
}

// ReopenGap opens a dismissed, merged or answered search gap again, or a
// declined question. The person in ctx must be a trainer.
func (qs *Questions) ReopenGap(ctx context.Context, id string) (*GapItem, error) {
	if _, err := need(ctx, RoleTrainer); err != nil {
		return nil, err
	}
	it, err := qs.gap(ctx, id)
	if err != nil {
		return nil, err
	}
	if it.Kind == GapQuestion {
		if _, err := qs.Reopen(ctx, it.Question.ID); err != nil {
			return nil, err
		}
		return qs.gap(ctx, id)
	}
	if err := qs.store.DeleteGapRecord(ctx, it.Texts[0]); err != nil {
		return nil, err
	}
	again, err := qs.gap(ctx, id)
	if errors.Is(err, ErrNotFound) {
		// The search log no longer counts it as a gap (someone found an
		// answer since): it is open, with nothing to show.
		return &GapItem{ID: id, Kind: GapSearch, Texts: it.Texts, Status: GapOpen}, nil
	}
	return again, err
}
