package wiki

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Opens of answers: counted in memory as people open them (from a search,
// a link, a question) and written together every few seconds (Flush).

// pendingOpens are opens counted in memory, not written yet.
type pendingOpens struct {
	counts  map[OpenSource]map[string]int
	queries map[string]int
	last    time.Time
}

// CountOpen counts that the person in ctx opened an answer from source
// (query: the search, for OpenedFromSearch). A person's repeated opens of
// one answer from one source in a day count once. It only touches memory;
// Flush writes the counts.
func (a *Answers) CountOpen(ctx context.Context, slug Slug, anchor string, source OpenSource, query string) {
	u := UserFromContext(ctx)
	now := a.now().UTC()
	a.mu.Lock()
	defer a.mu.Unlock()
	if u.SignedIn() {
		day := now.Unix() / 86400
		if day != a.seenDay || len(a.seen) > 200000 {
			clear(a.seen)
			a.seenDay = day
		}
		k := u.Name + "\x00" + string(slug) + "\x00" + anchor + "\x00" + string(source)
		if a.seen[k] {
			return
		}
		a.seen[k] = true
	}
	key := SectionKey{slug, anchor}
	p := a.pending[key]
	if p == nil {
		if len(a.pending) >= 100000 {
			return // a flood between two flushes
		}
		p = &pendingOpens{counts: map[OpenSource]map[string]int{}, queries: map[string]int{}}
		a.pending[key] = p
	}
	if p.counts[source] == nil {
		p.counts[source] = map[string]int{}
	}
	p.counts[source][u.Cohort]++
	if q := NormalizeQuery(query); q != "" && source == OpenedFromSearch && len(p.queries) < maxAnswerQueries*4 {
		p.queries[q]++
	}
	p.last = now
}

// Flush writes the opens counted in memory, in one transaction. On
// failure they are kept for the next try. The reports of counts (impact,
// page info, hand-overs, the unhelpful list) flush first, so that they
// are up to date.
func (a *Answers) Flush(ctx context.Context) error {
	a.mu.Lock()
	pending := a.pending
	a.pending = map[SectionKey]*pendingOpens{}
	a.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	keys := slices.Collect(maps.Keys(pending))
	slices.SortFunc(keys, func(x, y SectionKey) int {
		return cmp.Or(cmp.Compare(x.Slug, y.Slug), cmp.Compare(x.Anchor, y.Anchor))
	})
	defer a.gen.Add(1)
	err := a.store.UpdateAnswers(ctx, keys, func(i int, r *AnswerRecord) error {
		p := pending[keys[i]]
		if r.Opens == nil {
			r.Opens = map[OpenSource]map[string]int{}
		}
		for src, byCohort := range p.counts {
			if r.Opens[src] == nil {
				r.Opens[src] = map[string]int{}
			}
			for c, n := range byCohort {
				r.Opens[src][c] += n
			}
		}
		if len(p.queries) > 0 {
			if r.Queries == nil {
				r.Queries = map[string]int{}
			}
			for q, n := range p.queries {
				r.Queries[q] += n
			}
			boundQueries(r.Queries)
		}
		if p.last.After(r.LastOpen) {
			r.LastOpen = p.last
		}
		return nil
	})
	if err != nil {
		a.mu.Lock()
		for k, p := range pending {
			if cur := a.pending[k]; cur != nil {
				for src, byCohort := range cur.counts {
					if p.counts[src] == nil {
						p.counts[src] = map[string]int{}
					}
					for c, n := range byCohort {
						p.counts[src][c] += n
					}
				}
				for q, n := range cur.queries {
					p.queries[q] += n
				}
				if cur.last.After(p.last) {
					p.last = cur.last
				}
			}
			a.pending[k] = p
		}
		a.mu.Unlock()
		return fmt.Errorf("write answer opens: %w", err)
	}
	a.forgetImpacts()
	return nil
}

// boundQueries keeps the strongest maxAnswerQueries searches.
func boundQueries(m map[string]int) {
	if len(m) <= maxAnswerQueries {
		return
	}
	type qc struct {
		q string
		n int
	}
	all := make([]qc, 0, len(m))
	for q, n := range m {
		all = append(all, qc{q, n})
	}
	slices.SortFunc(all, func(x, y qc) int { return cmp.Or(cmp.Compare(y.n, x.n), cmp.Compare(x.q, y.q)) })
	for _, e := range all[maxAnswerQueries:] {
		delete(m, e.q)
	}
}
