package search

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"
	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// Learning from use. When someone opens a section from a search, the
// query's words are evidence that they mean that section. The log keeps
// the evidence per section and word as the set of people who gave it
// (keyed hashes, never names), each with the day of their latest open, so
// that:
//
//   - people count, not clicks: one person opening the same answer ten
//     times is one person;
//   - evidence fades: a person's weight halves every learnHalfLife, and
//     is forgotten after learnForget;
//   - it is bounded: at most learnMaxPeople people per section and word
//     (the oldest go first), learnMaxTerms words per section (the weakest
//     go first);
//   - a trainer can remove a word from a section, which also keeps it from
//     being learned there again.
//
// Search adds the evidence for a query's words to the sections' scores
// (see Index.learned), so a new cohort asking the same things in the same
// words finds the answer at once, even where the section does not use
// those words itself.
const (
	learnHalfLife  = 90 * 24 * time.Hour
	learnForget    = 2 * 365 * 24 * time.Hour
	learnMaxPeople = 64
	learnMaxTerms  = 100
	learnMaxWords  = 8 // words of one query that count as evidence
	// linkedPeople is what a person's deliberate link of a section to a
	// query (OpenEvent.Linked) counts as: three people who searched the
	// same and opened the same answer, which makes it win (see
	// learnPeople). It is kept as the person with linkedMark before
	// their hash, beside their clicks.
	linkedPeople = 3.0
	linkedMark   = "+"
)

// Buckets of the log's file that hold what it learned.
var (
	bucketLogEvidence  = []byte("evidence")   // docID -> evidenceRecord JSON
	bucketLogFoundWith = []byte("foundwith")  // gap query 0x00 query that answered it -> foundWithRecord JSON
	keyLogSecret       = []byte("person_key") // in meta: the key people's hashes are made with
)

// evidenceRecord is what the log learned about one section.
type evidenceRecord struct {
	Terms   map[string]map[string]int32 `json:"t"`           // stem -> person hash -> Unix day of their latest open
	Blocked []string                    `json:"b,omitempty"` // stems a trainer removed
	Words   map[string]string           `json:"w,omitempty"` // stem -> the word as first typed for it, to show ("vacat" -> "vacation")
}

// weight is the evidence for stem: the people who gave it, each weighed
// down by the age of their latest open.
func (r *evidenceRecord) weight(stem string, today int32) float64 {
	w := 0.0
	for person, day := range r.Terms[stem] {
		if strings.HasPrefix(person, linkedMark) {
			w += linkedPeople * decay(today-day)
		} else {
			w += decay(today - day)
		}
	}
	return w
}

func decay(days int32) float64 {
	return math.Exp2(-float64(days) / (learnHalfLife.Hours() / 24))
}

func unixDay(t time.Time) int32 { return int32(t.Unix() / 86400) }

// add records that person opened the section for stems on day, within
// the bounds, noting words[i] as the word typed for stems[i] when the
// record has none for it yet (words may be nil).
func (r *evidenceRecord) add(stems, words []string, person string, day int32) bool {
	changed := false
	for i, st := range stems {
		if i < len(words) && words[i] != "" && !slices.Contains(r.Blocked, st) {
			if r.Words == nil {
				r.Words = map[string]string{}
			}
			if _, ok := r.Words[st]; !ok {
				r.Words[st] = words[i]
				changed = true
			}
		}
		if slices.Contains(r.Blocked, st) {
			continue
		}
		if r.Terms == nil {
			r.Terms = map[string]map[string]int32{}
		}
		people := r.Terms[st]
		if people == nil {
			if len(r.Terms) >= learnMaxTerms {
				r.dropWeakestTerm(day)
			}
			people = map[string]int32{}
			r.Terms[st] = people
		}
		if old, ok := people[person]; ok && old >= day {
			continue
		}
		if _, ok := people[person]; !ok && len(people) >= learnMaxPeople {
			oldest, od := "", int32(math.MaxInt32)
			for p, d := range people {
				if d < od || d == od && p < oldest {
					oldest, od = p, d
				}
			}
			delete(people, oldest)
		}
		people[person] = day
		changed = true
	}
	return changed
}

func (r *evidenceRecord) dropWeakestTerm(today int32) {
	weakest, ww := "", math.Inf(1)
	for st := range r.Terms {
		if w := r.weight(st, today); w < ww || w == ww && st < weakest {
			weakest, ww = st, w
		}
	}
	delete(r.Terms, weakest)
	delete(r.Words, weakest)
}

// forgetOld drops people whose latest open is older than learnForget.
func (r *evidenceRecord) forgetOld(today int32) bool {
	limit := today - int32(learnForget.Hours()/24)
	changed := false
	for st, people := range r.Terms {
		for p, d := range people {
			if d < limit {
				delete(people, p)
				changed = true
			}
		}
		if len(people) == 0 {
			delete(r.Terms, st)
			delete(r.Words, st)
		}
	}
	return changed
}

// foundWithRecord is a query that answered a gap: people who searched
// the gap's query, found nothing useful, and then found an answer with
// another query.
type foundWithRecord struct {
	People map[string]int32 `json:"p"` // person hash -> Unix day
	Slug   string           `json:"s"`
	Anchor string           `json:"a,omitempty"`
	LastAt int64            `json:"t"`
}

// learner is the part of Log that learns: the evidence of every section,
// in memory (it is bounded per section) and written with the counts.
// Its fields are guarded by Log.mu.
type learner struct {
	analyzer analysis.Analyzer
	key      []byte // for personHash

	evidence map[string]*evidenceRecord // docID -> what it learned
	byStem   map[string]map[string]bool // stem -> docIDs with evidence for it
	dirty    map[string]bool            // docIDs to write
	found    map[string]*foundWithRecord
	dirtyFW  map[string]bool
	recent   map[string]*recentSearch // person hash -> their latest search
	lastGap  map[string]*recentSearch // person hash -> their latest search that found nothing useful
}

// recentSearch is a person's latest search, for merging refinements and
// counting a reload once, or their latest that found nothing useful, for
// finding what answered it.
type recentSearch struct {
	query string // normalized
	day   string
	at    time.Time
}

func newLearner(a analysis.Analyzer, key []byte) *learner {
	return &learner{
		analyzer: a, key: key,
		evidence: map[string]*evidenceRecord{}, byStem: map[string]map[string]bool{}, dirty: map[string]bool{},
		found: map[string]*foundWithRecord{}, dirtyFW: map[string]bool{}, recent: map[string]*recentSearch{},
		lastGap: map[string]*recentSearch{},
	}
}

// personHash is the keyed hash of a person that the log stores: it tells
// whether two events came from the same person, and nothing about who.
func (lr *learner) personHash(person string) string {
	m := hmac.New(sha256.New, lr.key)
	m.Write([]byte(person))
	return hex.EncodeToString(m.Sum(nil)[:9])
}

// stems returns the distinct English stems of a query's words (stop words
// left out), at most learnMaxWords.
func (lr *learner) stems(query string) []string {
	stems, _ := lr.stemWords(query)
	return stems
}

// stemWords is stems and, for each, the word of the query it came from.
func (lr *learner) stemWords(query string) (stems, words []string) {
	for _, w := range parseQuery(query).words {
		ss, _, _ := compoundStems(lr.analyzer, w)
		for _, st := range ss {
			if !slices.Contains(stems, st) {
				stems = append(stems, st)
				words = append(words, w)
			}
		}
		if len(stems) >= learnMaxWords {
			break
		}
	}
	return stems, words
}

func (lr *learner) index(id string, r *evidenceRecord) {
	for st := range r.Terms {
		if lr.byStem[st] == nil {
			lr.byStem[st] = map[string]bool{}
		}
		lr.byStem[st][id] = true
	}
}

func (lr *learner) unindex(id, stem string) {
	if docs := lr.byStem[stem]; docs != nil {
		delete(docs, id)
		if len(docs) == 0 {
			delete(lr.byStem, stem)
		}
	}
}

// load reads what the log learned, forgetting what is too old.
func (lr *learner) load(tx *bbolt.Tx, today int32) error {
	if err := tx.Bucket(bucketLogEvidence).ForEach(func(k, v []byte) error {
		var r evidenceRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("decode evidence of %q: %w", k, err)
		}
		if r.forgetOld(today) {
			lr.dirty[string(k)] = true
		}
		lr.evidence[string(k)] = &r
		lr.index(string(k), &r)
		return nil
	}); err != nil {
		return err
	}
	return tx.Bucket(bucketLogFoundWith).ForEach(func(k, v []byte) error {
		var r foundWithRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("decode found-with %q: %w", k, err)
		}
		lr.found[string(k)] = &r
		return nil
	})
}

// write saves what changed since the last write. On error the caller
// puts the dirty marks back (see restore).
func (lr *learner) write(tx *bbolt.Tx, dirty, dirtyFW map[string]bool) error {
	b := tx.Bucket(bucketLogEvidence)
	for id := range dirty {
		r := lr.evidence[id]
		if r == nil || len(r.Terms) == 0 && len(r.Blocked) == 0 {
			if err := b.Delete([]byte(id)); err != nil {
				return err
			}
			continue
		}
		v, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if err := b.Put([]byte(id), v); err != nil {
			return err
		}
	}
	fb := tx.Bucket(bucketLogFoundWith)
	for k := range dirtyFW {
		v, err := json.Marshal(lr.found[k])
		if err != nil {
			return err
		}
		if err := fb.Put([]byte(k), v); err != nil {
			return err
		}
	}
	return nil
}

// takeDirty returns the marks of what changed since the last write and
// clears them, and forgets the recent searches no window can reach.
func (lr *learner) takeDirty(now time.Time) (dirty, dirtyFW map[string]bool) {
	dirty, dirtyFW = lr.dirty, lr.dirtyFW
	lr.dirty, lr.dirtyFW = map[string]bool{}, map[string]bool{}
	for _, m := range []map[string]*recentSearch{lr.recent, lr.lastGap} {
		for p, r := range m {
			if now.Sub(r.at) > max(sameQueryWindow, foundWithWindow) {
				delete(m, p)
			}
		}
	}
	return dirty, dirtyFW
}

// restore puts back the marks of a write that failed.
func (lr *learner) restore(dirty, dirtyFW map[string]bool) {
	for k := range dirty {
		lr.dirty[k] = true
	}
	for k := range dirtyFW {
		lr.dirtyFW[k] = true
	}
}

// learned returns, for each section with evidence for some of stems, the
// evidence summed over them and how many of them it has evidence for.
// Log.Learned is its locked form.
func (lr *learner) learned(stems []string, today int32) map[string]Evidence {
	out := map[string]Evidence{}
	for _, st := range stems {
		for id := range lr.byStem[st] {
			if w := lr.evidence[id].weight(st, today); w > 0 {
				e := out[id]
				e.People += w
				e.Stems++
				out[id] = e
			}
		}
	}
	return out
}

// Learned returns, for each section (docID) that searchers opened from
// queries with some of stems, the evidence (see Evidence). The index calls
// it for every search; it reads memory only.
func (l *Log) Learned(stems []string) map[string]Evidence {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lr == nil {
		return nil
	}
	return l.lr.learned(stems, unixDay(l.now()))
}

// LogOpen counts an opened result of a search (which takes the query off
// the gap list) and, for a known person, learns that the query's words
// mean the section opened; see wiki.SearchLog. It touches memory only, and
// fails only on a closed Log (ErrClosed).
func (l *Log) LogOpen(ctx context.Context, e wiki.OpenEvent) error {
	q := wiki.NormalizeQuery(e.Query)
	if q == "" {
		return nil
	}
	at := e.At
	if at.IsZero() {
		at = l.now()
	}
	if err := l.record(logKey{day: at.UTC().Format(dayFormat), query: q}, &dayRecord{Opens: 1}); err != nil {
		return err
	}
	if e.Slug != "" {
		l.opens.add(at.UTC().Format(dayFormat), docID(e.Slug, e.Anchor), at) // opens.go
	}
	if e.Person == "" || e.Slug == "" {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	lr := l.lr
	person := lr.personHash(e.Person)
	evidence := person
	if e.Linked {
		evidence = linkedMark + person
	}
	id := docID(e.Slug, e.Anchor)
	r := lr.evidence[id]
	if r == nil {
		r = &evidenceRecord{}
	}
	stems, words := lr.stemWords(q)
	if r.add(stems, words, evidence, unixDay(at)) {
		lr.evidence[id] = r
		lr.index(id, r)
		lr.dirty[id] = true
	}
	if e.Linked {
		return nil // an answer given, not found: no other words to learn
	}
	// A person whose last search found nothing useful, and who now found
	// an answer with other words: those words are a candidate synonym for
	// the gap.
	if prev := lr.lastGap[person]; prev != nil && prev.query != q && at.Sub(prev.at) < foundWithWindow {
		k := prev.query + "\x00" + q
		fw := lr.found[k]
		if fw == nil {
			if len(lr.found) >= maxFoundWith {
				return nil
			}
			fw = &foundWithRecord{People: map[string]int32{}}
			lr.found[k] = fw
		}
		fw.People[person] = unixDay(at)
		fw.Slug, fw.Anchor, fw.LastAt = string(e.Slug), e.Anchor, at.UnixNano()
		lr.dirtyFW[k] = true
	}
	return nil
}

// Bounds of the found-with records.
const (
	foundWithWindow = 10 * time.Minute // a search that found nothing, then an open within this
	maxFoundWith    = 20000
)

// SectionTerms lists the words searchers used to reach a section, with
// how many people (faded with age), strongest first; see
// wiki.SearchLearning.
func (l *Log) SectionTerms(ctx context.Context, slug wiki.Slug, anchor string) ([]wiki.SearchTerm, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, ErrClosed
	}
	out := []wiki.SearchTerm{}
	r := l.lr.evidence[docID(slug, anchor)]
	if r == nil {
		return out, nil
	}
	today := unixDay(l.now())
	for st, people := range r.Terms {
		last := int32(0)
		for _, d := range people {
			last = max(last, d)
		}
		out = append(out, wiki.SearchTerm{Term: st, Word: r.Words[st], People: r.weight(st, today), LastAt: time.Unix(int64(last)*86400, 0).UTC()})
	}
	slices.SortFunc(out, func(a, b wiki.SearchTerm) int {
		if a.People != b.People {
			if a.People > b.People {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Term, b.Term)
	})
	return out, nil
}

// RemoveSectionTerm forgets a learned word of a section and blocks it from
// being learned there again; see wiki.SearchLearning. term may be typed as
// a word ("Vacations") or given as the stem SectionTerms lists.
func (l *Log) RemoveSectionTerm(ctx context.Context, slug wiki.Slug, anchor, term string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	id := docID(slug, anchor)
	r := l.lr.evidence[id]
	stem := strings.ToLower(strings.TrimSpace(term))
	if r != nil && r.Terms[stem] == nil {
		if s := l.lr.stems(term); len(s) == 1 {
			stem = s[0]
		}
	}
	if r == nil || r.Terms[stem] == nil {
		return fmt.Errorf("search: section %s learned no word %q: %w", id, term, wiki.ErrNotFound)
	}
	delete(r.Terms, stem)
	delete(r.Words, stem)
	if !slices.Contains(r.Blocked, stem) {
		r.Blocked = append(r.Blocked, stem)
	}
	l.lr.unindex(id, stem)
	l.lr.dirty[id] = true
	return nil
}

var _ wiki.SearchLearning = (*Log)(nil)
