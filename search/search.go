package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/faqwiki/faqwiki/wiki"
)

// Bounds on the cost of one search, whatever the input.
const (
	maxRawQueryBytes = 4096                    // read at most this much of the raw text
	maxWordBytes     = 48                      // longer words are cut
	searchTimeout    = 3 * time.Second         // a search that takes longer is cancelled
	minWindow        = 50                      // sections looked at to make a page of results
	maxWindow        = 2000                    // ... at most
	fewPages         = 3                       // fewer pages than this: try typo-tolerant matching
	maxFacets        = 20                      // tags in SearchResult.Facets
	correctionBoost  = 0.9                     // weight of a corrected word next to a typed one
	fuzzyBoost       = 0.5                     // weight of a fuzzy match
	snippetSource    = 64 << 10                // text of a section looked at for its snippet
	defaultLimit     = wiki.DefaultSearchLimit // pages per result page
)

// Search finds the pages that answer q; see wiki.Searcher. Each hit is a
// page with the section that matched best. It returns an error only if
// the index fails, is closed (ErrClosed) or ctx ends.
func (ix *Index) Search(ctx context.Context, q wiki.SearchQuery) (*wiki.SearchResult, error) {
	start := time.Now()
	limit := q.Limit
	switch {
	case limit <= 0:
		limit = defaultLimit
	case limit > wiki.MaxSearchLimit:
		limit = wiki.MaxSearchLimit
	}
	offset := min(max(q.Offset, 0), wiki.MaxSearchOffset)
	tag := ""
	if q.Tag != "" {
		if t := wiki.NormalizeTags([]string{cutUTF8(q.Tag, maxRawQueryBytes)}); len(t) == 1 {
			tag = t[0]
		}
	}
	pq := parseQuery(q.Text)
	res := &wiki.SearchResult{Query: pq.text, Hits: []wiki.SearchHit{}, Facets: []wiki.TagCount{}}
	defer func() { res.Took = time.Since(start) }()

	ctx, cancel := context.WithTimeout(ctx, searchTimeout)
	defer cancel()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	idx, err := ix.current()
	if err != nil {
		return nil, err
	}

	if len(pq.words) == 0 {
		if tag == "" {
			return res, nil
		}
		if err := ix.listTag(ctx, idx, tag, limit, offset, res); err != nil {
			return nil, err
		}
		return res, nil
	}

	plan, err := ix.plan(ctx, idx, pq.words, ix.synonyms.get(ctx))
	if err != nil {
		return nil, err
	}
	res.Suggestion = plan.suggestion
	if len(plan.words) == 0 {
		return res, nil
	}
	window := min(max(minWindow, 5*(offset+limit)), maxWindow)
	learned := ix.learned(plan)
	gen := ix.meta.generation() // before the index is asked: see metaCache
	docs := newDocMemo(ix.meta, gen)
	all, err := ix.runGrouped(ctx, idx, plan, queryOptions{}, "", window, learned)
	if err != nil {
		return nil, err
	}
	if len(all.pages) < fewPages && plan.canFuzz() {
		fz, err := ix.runGrouped(ctx, idx, plan, queryOptions{fuzzy: true}, "", window, learned)
		if err != nil {
			return nil, err
		}
		if len(fz.pages) > len(all.pages) {
			all = fz
			plan.fuzzy = true
		}
	}
	all.cut()
	if err := ix.fillMeta(idx, gen, all.pages, docs); err != nil {
		return nil, err
	}
	res.Facets = all.facets()
	found := all
	if tag != "" {
		if found, err = ix.runGrouped(ctx, idx, plan, queryOptions{fuzzy: plan.fuzzy}, tag, window, learned); err != nil {
			return nil, err
		}
		found.cut()
	}
	res.Total = len(found.pages)
	if len(found.pages) > 0 {
		if err := ix.preferParent(idx, found.pages[0], docs); err != nil {
			return nil, err
		}
		res.Weak = ix.weak(idx, plan, found.pages[0].best, learned, docs)
	}
	if offset >= len(found.pages) {
		return res, nil
	}
	if res.Hits, err = ix.show(idx, plan, found.pages[offset:min(offset+limit, len(found.pages))], gen, docs); err != nil {
		return nil, err
	}
	return res, nil
}

// show makes the hits of the pages a search shows: their titles and tags,
// each one's best section (the question it belongs to if that scores
// nearly as well, the page's intro for a query about its title) and
// other strong sections, with snippets. gen is the metaCache generation
// noted before the index was asked.
func (ix *Index) show(idx bleve.Index, plan *queryPlan, pages []*pageHit, gen uint64, docs *docMemo) ([]wiki.SearchHit, error) {
	if err := ix.fillMeta(idx, gen, pages, docs); err != nil {
		return nil, err
	}
	for _, p := range pages {
		if err := ix.preferParent(idx, p, docs); err != nil {
			return nil, err
		}
		// A query that is all about the page's title asks for the page,
		// not for whichever section repeats those words most.
		if p.intro != nil && p.intro != p.best && plan.coveredBy(ix.stems(p.title)) {
			score := p.best.Score
			p.best = p.intro
			p.best.Score = score
		}
	}
	return ix.hits(idx, pages, plan, docs)
}

// grouped is a search's section hits grouped into pages, best first.
type grouped struct {
	pages    []*pageHit
	sections int    // section hits looked at
	matched  uint64 // sections that matched in all
}

type pageHit struct {
	slug     wiki.Slug
	best     *search.DocumentMatch   // the page's best section
	intro    *search.DocumentMatch   // the page's intro (anchor ""), if among the hits
	sections []*search.DocumentMatch // the page's sections among the hits, best first
	score    float64                 // the page's score: see pageScore
	tags     []string
	title    string
	metaDone bool // tags and title are set (see fillMeta)
	// parentDone: preferParent has run; noParent: best is a section
	// found only by what was learned of it, which keeps the hit.
	parentDone, noParent bool
	learned              map[string]float64 // docID -> the bonus what was learned added to its score
}

// wordScore is what a section of p scored for the query's words alone,
// without what was learned from use.
func (p *pageHit) wordScore(m *search.DocumentMatch) float64 { return m.Score - p.learned[m.ID] }

// runGrouped runs plan's query (with a tag filter unless tag is "") for
// the best window sections, adds what the search learned from use
// (learned: docID -> evidence; see addLearned), and groups the sections
// into pages, best first. It asks for no stored fields: the pages'
// titles and tags come from fillMeta, for the pages that are kept, and
// the rest from the documents of the hits shown.
func (ix *Index) runGrouped(ctx context.Context, idx bleve.Index, plan *queryPlan, opts queryOptions, tag string, window int, learned map[string]float64) (*grouped, error) {
	q := withTag(plan.query(opts), tag)
	req := bleve.NewSearchRequestOptions(q, window, 0, false)
	r, err := idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	hits := []*search.DocumentMatch(r.Hits)
	var onlyLearned map[string]bool
	var bonus map[string]float64
	if len(learned) > 0 {
		if hits, onlyLearned, bonus, err = ix.addLearned(ctx, idx, hits, learned, tag); err != nil {
			return nil, err
		}
	}
	g := &grouped{sections: len(hits), matched: r.Total}
	bySlug := map[wiki.Slug]*pageHit{}
	for _, h := range hits {
		slug, anchor := splitDocID(h.ID)
		p := bySlug[slug]
		if p == nil {
			p = &pageHit{slug: slug, best: h, noParent: onlyLearned[h.ID], learned: bonus}
			bySlug[slug] = p
			g.pages = append(g.pages, p)
		}
		if anchor == "" && p.intro == nil {
			p.intro = h
		}
		p.sections = append(p.sections, h)
	}
	for _, p := range g.pages {
		p.score = pageScore(p.sections)
	}
	slices.SortStableFunc(g.pages, func(a, b *pageHit) int { return cmp.Compare(b.score, a.score) })
	return g, nil
}

// withTag restricts q to sections of pages with tag ("" for all).
func withTag(q query.Query, tag string) query.Query {
	if tag == "" {
		return q
	}
	b := query.NewBooleanQuery([]query.Query{q}, nil, nil)
	b.AddFilter(termQuery(fieldTags, tag))
	return b
}

// parentShare: a sub-question's question that scores at least this share
// of it is preferred (see preferParent). Measured: 0.9 put the right
// section first for 2 more of the eval's 161 tune questions and 1 more of
// recall.tsv's 84; 0.6 and 0.75 cost recall.tsv 2 to 3.
const parentShare = 0.9

// preferParent makes the question a sub-question belongs to the page's
// best section when it scores nearly as well: the answer is usually in the
// question, and its sub-questions repeat its words ("how many credit hours
// can I carry over" is answered under "Credit hours", not in its "Credit
// hours example"). It changes no score, so it is done only for the pages
// a search shows (and its first, which weak judges), once each. A question
// with no text of its own, only sub-questions, is not preferred: the
// sub-question holds the answer, the question only its heading ("Sending
// an email" under "Saying goodbye"; on testdata/eval's tune split, one
// more right section first, holdout unchanged).
func (ix *Index) preferParent(idx bleve.Index, p *pageHit, docs *docMemo) error {
	if p.parentDone {
		return nil
	}
	p.parentDone = true
	if p.noParent {
		return nil
	}
	d, err := docs.load(idx, p.best.ID)
	if err != nil || d == nil {
		return err
	}
	q := p.parentHit(d.parent)
	if q == nil {
		return nil
	}
	if qd, err := docs.load(idx, q.ID); err != nil || qd == nil || qd.text == "" {
		return err
	}
	p.best = q
	return nil
}

// parentHit returns the section whose anchor is parent, the question the
// best section belongs to, if it scores nearly as well; nil if not.
func (p *pageHit) parentHit(parent string) *search.DocumentMatch {
	if parent == "" {
		return nil
	}
	for _, s := range p.sections {
		if _, a := splitDocID(s.ID); a == parent && s.Score >= parentShare*p.best.Score {
			return s
		}
	}
	return nil
}

// pageScore is a page's score from its sections' (best first): its best
// section's. (Adding a share of the other sections' scores was measured,
// and made no difference on testdata/eval.)
func pageScore(secs []*search.DocumentMatch) float64 { return secs[0].Score }

// cut drops the pages that scored less than relevantShare of the best
// page: when a question's words are alternatives, nearly every page has
// one of them, and those pages are not results (nor are their tags
// facets, nor do they count in the total).
func (g *grouped) cut() {
	if len(g.pages) == 0 {
		return
	}
	floor := g.pages[0].score * relevantShare
	n := len(g.pages)
	for n > 1 && g.pages[n-1].score < floor {
		n--
	}
	g.pages = g.pages[:n]
}

// facets counts the tags of the grouped pages.
func (g *grouped) facets() []wiki.TagCount {
	counts := map[string]int{}
	for _, p := range g.pages {
		for _, t := range p.tags {
			counts[t]++
		}
	}
	out := make([]wiki.TagCount, 0, len(counts))
	for t, n := range counts {
		out = append(out, wiki.TagCount{Tag: t, Count: n})
	}
	slices.SortFunc(out, func(a, b wiki.TagCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Tag, b.Tag)
	})
	if len(out) > maxFacets {
		out = out[:maxFacets]
	}
	return out
}

// listTag answers a query with a tag and no words: the pages with that
// tag, by slug, one document per page.
func (ix *Index) listTag(ctx context.Context, idx bleve.Index, tag string, limit, offset int, res *wiki.SearchResult) error {
	gen := ix.meta.generation()
	q := query.NewConjunctionQuery([]query.Query{termQuery(fieldFirst, "1"), termQuery(fieldTags, tag)})
	req := bleve.NewSearchRequestOptions(q, limit, offset, false)
	req.Score = "none"
	req.SortBy([]string{"_id"})
	req.Fields = []string{fieldTags, fieldTitle}
	r, err := idx.SearchInContext(ctx, req)
	if err != nil {
		return fmt.Errorf("search: list tag %q: %w", tag, err)
	}
	res.Total = int(r.Total)
	res.Facets = []wiki.TagCount{{Tag: tag, Count: int(r.Total)}}
	pages := make([]*pageHit, 0, len(r.Hits))
	for _, h := range r.Hits {
		slug, _ := splitDocID(h.ID)
		title, _ := h.Fields[fieldTitle].(string)
		pages = append(pages, &pageHit{slug: slug, best: h, tags: stringsField(h.Fields[fieldTags]), title: title})
	}
	res.Hits, err = ix.hits(idx, pages, nil, newDocMemo(ix.meta, gen))
	if err != nil {
		return err
	}
	for i := range res.Hits {
		// A listing is about pages, not one of their sections.
		res.Hits[i].Anchor, res.Hits[i].Heading = "", ""
	}
	return nil
}

// hits loads the best section of each page, and its other strong
// sections, with their snippets.
func (ix *Index) hits(idx bleve.Index, pages []*pageHit, plan *queryPlan, docs *docMemo) ([]wiki.SearchHit, error) {
	out := make([]wiki.SearchHit, 0, len(pages))
	for _, p := range pages {
		slug, anchor := splitDocID(p.best.ID)
		h := wiki.SearchHit{Slug: slug, Title: p.title, Anchor: anchor, Score: p.best.Score, Tags: p.tags, Sections: []wiki.SectionHit{}}
		if h.Tags == nil {
			h.Tags = []string{}
		}
		sec, err := ix.section(idx, p.best.ID, plan, docs)
		if err != nil {
			return nil, err
		}
		if sec != nil { // nil: replaced since the search; show what we have
			h.Heading, h.Under, h.Snippet = sec.heading, sec.under, sec.snippet
			if sec.title != "" {
				h.Title = sec.title
			}
		}
		if plan != nil {
			// The other strong sections, by the words alone: what one
			// person opened makes its section the hit, but does not hide
			// the page's other answers.
			best, score := p.best.Score, func(m *search.DocumentMatch) float64 { return m.Score }
			if w := p.wordScore(p.best); w > 0 {
				best, score = w, p.wordScore
			}
			for _, m := range p.sections {
				if m == p.best || score(m) < sectionShare*best || len(h.Sections) == maxHitSections {
					continue
				}
				_, a := splitDocID(m.ID)
				if a == "" || a == anchor {
					continue
				}
				s, err := ix.section(idx, m.ID, plan, docs)
				if err != nil {
					return nil, err
				}
				if s != nil {
					h.Sections = append(h.Sections, wiki.SectionHit{Anchor: a, Heading: s.heading, Under: s.under, Snippet: s.snippet, Score: m.Score})
				}
			}
		}
		out = append(out, h)
	}
	return out, nil
}

// loadedSection is a section document as a hit shows it.
type loadedSection struct {
	title, heading, under, snippet string
}

// section loads a section document and makes its snippet for plan; nil
// if it is gone.
func (ix *Index) section(idx bleve.Index, id string, plan *queryPlan, docs *docMemo) (*loadedSection, error) {
	d, err := docs.load(idx, id)
	if err != nil || d == nil {
		return nil, err
	}
	text := d.text
	if text == "" {
		text = d.preview
	}
	return &loadedSection{title: d.title, heading: d.heading, under: d.under, snippet: ix.snippet(text, plan)}, nil
}

// stringsField returns a stored field that holds one or more strings.
func stringsField(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// indexField is a stored field of a loaded document.
type indexField = index.Field
