package wiki

import (
	"context"
	"strings"
	"time"
)

// Search vocabulary:
//
//   - A query is the text someone typed, plus an optional tag filter and
//     paging. It is words, never a query language: quotes, colons, '+',
//     '-', '*' and the like carry no syntax (a quoted phrase may rank
//     higher, nothing more).
//   - A hit is a page. Its Anchor and Heading name the section (a FAQ
//     question) inside the page that matched best, so /wiki/{slug}#{anchor}
//     opens the answer; Anchor is "" for the page as a whole.
//   - A gap is a query that found nothing, or whose results nobody opened:
//     a question the FAQ does not answer yet.

// Limits on a SearchQuery. A Searcher clamps Limit to 1..MaxSearchLimit
// (0 means DefaultSearchLimit) and treats a negative Offset as 0; it cuts
// Text to MaxQueryBytes and to MaxQueryTerms words.
const (
	DefaultSearchLimit = 10
	MaxSearchLimit     = 50
	MaxSearchOffset    = 1000 // deeper pages are not served
	MaxQueryBytes      = 256
	MaxQueryTerms      = 16
)

// SearchQuery is what someone asks the search for.
type SearchQuery struct {
	Text   string // free text, any characters; see the vocabulary above
	Tag    string // only pages with this tag ("" for all)
	Limit  int    // pages per result page; see DefaultSearchLimit
	Offset int    // pages to skip, for paging
}

// SearchHit is one page found by a search.
type SearchHit struct {
	Slug    Slug
	Title   string
	Anchor  string // heading id of the best section; "" for the page as a whole
	Heading string // text of that heading; "" for the page as a whole
	// Under is the heading of the question that section belongs to, for
	// a sub-question ("Lost or stolen equipment" for its "Other"); "" for
	// none. A heading such as "Other" or "Tips" means little without it.
	Under string
	// Snippet is an excerpt of the best section as HTML: its text with
	// every '<', '>', '&', '\'' and '"' escaped, and <mark>…</mark> around
	// the words that matched, and nothing else. Because wiki/markdown.go is
	// the one place in wiki that makes template.HTML, the snippet stays a
	// string here; the web layer may convert it to template.HTML after
	// IsSafeSnippet(Snippet) reports true (and show it escaped otherwise).
	Snippet string
	Score   float64 // relevance; only comparable within one result
	Tags    []string
	// Sections are the page's other strong sections for the query, best
	// first (at most a few): answers that one section per page would hide.
	Sections []SectionHit
}

// SectionHit is a section of a hit's page that also answers the query.
type SectionHit struct {
	Anchor  string
	Heading string
	Under   string // as SearchHit.Under
	Snippet string // as SearchHit.Snippet
	Score   float64
}

// TagCount is a tag with the number of pages that carry it, within some
// set of pages (for example the results of a search).
type TagCount struct {
	Tag   string
	Count int
}

// SearchResult is one page of search results.
type SearchResult struct {
	Query string // the query text as searched (cleaned and cut to the limits)
	// Total is the number of pages that match. When a query matches very
	// many sections it is an estimate from the best of them.
	Total int
	Took  time.Duration
	// Suggestion is a corrected query when some words of the query look
	// misspelled (they are not words of the wiki, and a close word is),
	// else "". Results for the corrected words are already included.
	Suggestion string
	// Weak says the best hit answers few of the query's words: the wiki
	// probably has no answer, and the results page should say so and offer
	// to ask or write one.
	Weak bool
	Hits []SearchHit
	// Facets counts the tags of the pages the query found (the hits
	// counted in Total, not every page some word matched), ignoring the
	// query's tag filter (so people can switch tags), most frequent first.
	Facets []TagCount
}

// Searcher finds pages. Implementations are safe for concurrent use.
type Searcher interface {
	// Search answers q. Any text is a valid query: an empty or unusable one
	// gives an empty result, not an error. Errors mean the index failed or
	// ctx ended; they carry no detail fit to show a user.
	Search(ctx context.Context, q SearchQuery) (*SearchResult, error)
}

// SearchEvent is one search as the search log records it.
type SearchEvent struct {
	Query   string // the text as typed; the log normalizes it
	Results int    // pages found (SearchResult.Total)
	// Weak says the best hit answered few of the query's words: the search
	// found nothing useful, which makes it a gap like finding nothing.
	Weak bool
	// Person is who searched (a username), or "" when unknown. The log
	// keeps only a keyed hash of it: enough to count people rather than
	// requests and to merge one person's refinements of a query, never
	// enough to say who searched.
	Person string
	Cohort string    // the searcher's cohort, "" if unknown or anonymous
	At     time.Time // zero means now
}

// OpenEvent is someone opening a result of a search.
type OpenEvent struct {
	Query  string // the text searched
	Slug   Slug   // the page opened
	Anchor string // the section opened ("" for the page)
	Person string // as in SearchEvent; "" learns nothing
	At     time.Time
	// Linked: the person linked the section to the query on purpose (an
	// answer given on the gap list or to a question), not a click on a
	// result. It counts as several people (see search.linkedPeople):
	// enough to make the section the first hit for those words.
	Linked bool
}

// Gap is a query that people searched for and that found nothing, or
// nothing useful, or whose results nobody opened, within some period.
type Gap struct {
	Query   string         // normalized query text
	Count   int            // searches for it in the period, one per person's intent (reloads and quick refinements count once)
	People  int            // distinct people among them (anonymous searches count as one)
	LastAt  time.Time      // the most recent of them
	Results int            // pages the most recent search found (0: nothing)
	Weak    bool           // the most recent search found only weak results (see SearchResult.Weak)
	Cohorts map[string]int // searches per searcher cohort ("" for unknown)
	// FoundWith are other queries with which people who searched this one
	// then found an answer, most people first: candidate synonyms.
	FoundWith []FoundWith
}

// FoundWith is a query that answered a gap for some of its searchers.
type FoundWith struct {
	Query  string
	People int
	Slug   Slug   // the page they opened
	Anchor string // and the section
}

// MinFoundWithPeople is how many people must have found an answer with
// the same other words before the gap list offers them as its synonyms
// or its answer: one person's next search may be about something else.
const MinFoundWithPeople = 2

// Shared reports whether enough people found the answer this way for it
// to stand for the gap (MinFoundWithPeople).
func (f FoundWith) Shared() bool { return f.People >= MinFoundWithPeople }

// SearchLog records searches and the results people open, so that
// trainers can see where the FAQ has gaps. Implementations aggregate per
// normalized query and day rather than keeping each search, so the log
// stays small, and count intents: a reload, the next page of results or
// one person refining a query within seconds is one search.
type SearchLog interface {
	// LogSearch records a search. An empty or blank query is ignored (nil
	// error). Errors are about the log's storage; callers should log them
	// and go on, never fail the search because of them.
	LogSearch(ctx context.Context, e SearchEvent) error

	// LogOpen records that someone opened a result of a search, which
	// takes that query off the gap list and, for a known person, is
	// evidence that the query's words mean that section (see
	// SearchLearning). Same error contract as LogSearch.
	LogOpen(ctx context.Context, e OpenEvent) error

	// Gaps lists the queries searched at or after since that found nothing
	// or whose results nobody opened, most searched first. It returns an
	// error only if the log cannot be read.
	Gaps(ctx context.Context, since time.Time) ([]Gap, error)
}

// SearchTerm is a word that searchers used to reach a section, with the
// number of distinct people who did, weighed down as their opens age.
type SearchTerm struct {
	Term   string // the stem evidence is kept under ("vacat"): what removing names
	Word   string // a word people typed for it ("vacation"), for showing; "" if not known
	People float64
	LastAt time.Time
}

// SearchLearning is what search learned from use: per section, the words
// of the queries people opened it from. Trainers see it and remove what is
// wrong (spam, mistakes).
type SearchLearning interface {
	// SectionTerms lists the learned words of a section, strongest first.
	SectionTerms(ctx context.Context, slug Slug, anchor string) ([]SearchTerm, error)
	// RemoveSectionTerm forgets a learned word of a section and keeps it
	// from being learned there again. ErrNotFound if the section never
	// learned it.
	RemoveSectionTerm(ctx context.Context, slug Slug, anchor, term string) error
}

// NormalizeQuery folds a query the way the gap log keys it: lower case,
// control characters and runs of white space turned into single spaces,
// surrounding punctuation such as '?' trimmed, cut to MaxQueryBytes at a
// character boundary. "  How do I get VPN?? " -> "how do i get vpn".
func NormalizeQuery(q string) string {
	q = strings.ToValidUTF8(q, " ")
	q = NormalizeTitle(strings.ToLower(q))
	q = strings.Trim(q, " ?!.,;:\"'`")
	if len(q) > MaxQueryBytes {
		cut := MaxQueryBytes
		for cut > 0 && !runeStart(q[cut]) {
			cut--
		}
		q = strings.TrimSpace(q[:cut])
	}
	return q
}

func runeStart(b byte) bool { return b&0xC0 != 0x80 }

// IsSafeSnippet reports whether s is a snippet as SearchHit.Snippet
// promises: text in which '<' appears only as part of "<mark>" or
// "</mark>", '>' only to close those, '&' only to start one of the entities
// &amp; &lt; &gt; &#34; &#39; &quot;, and the marks do not nest. The web
// layer checks a snippet with it before trusting it as HTML, so a faulty
// or foreign Searcher can never inject markup.
func IsSafeSnippet(s string) bool {
	open := false
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			switch {
			case !open && strings.HasPrefix(s[i:], "<mark>"):
				open = true
				i += len("<mark>")
			case open && strings.HasPrefix(s[i:], "</mark>"):
				open = false
				i += len("</mark>")
			default:
				return false
			}
		case '>', '"', '\'':
			return false
		case '&':
			ok := false
			for _, e := range safeEntities {
				if strings.HasPrefix(s[i:], e) {
					i += len(e)
					ok = true
					break
				}
			}
			if !ok {
				return false
			}
		default:
			i++
		}
	}
	return !open
}

// safeEntities are the character references html.EscapeString and
// html/template produce.
var safeEntities = []string{"&amp;", "&lt;", "&gt;", "&#34;", "&#39;", "&quot;"}
