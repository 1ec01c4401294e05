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
	// Snippet is an excerpt of the best section as HTML: its text with
	// every '<', '>', '&', '\'' and '"' escaped, and <mark>…</mark> around
	// the words that matched, and nothing else. Because wiki/markdown.go is
	// the one place in wiki that makes template.HTML, the snippet stays a
	// string here; the web layer may convert it to template.HTML after
	// IsSafeSnippet(Snippet) reports true (and show it escaped otherwise).
	Snippet string
	Score   float64 // relevance; only comparable within one result
	Tags    []string
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
	Hits       []SearchHit
	// Facets counts the tags of the pages that match the query text,
	// ignoring the query's tag filter (so people can switch tags), most
	// frequent first.
	Facets []TagCount
}

// Searcher finds pages. Implementations are safe for concurrent use.
type Searcher interface {
	// Search answers q. Any text is a valid query: an empty or unusable one
	// gives an empty result, not an error. Errors mean the index failed or
	// ctx ended; they carry no detail fit to show a user.
	Search(ctx context.Context, q SearchQuery) (*SearchResult, error)
}

// SearchEvent is one search as the gap log records it. Nothing about the
// person is kept beyond their cohort.
type SearchEvent struct {
	Query   string    // the text as typed; the log normalizes it
	Results int       // pages found (SearchResult.Total)
	Cohort  string    // the searcher's cohort, "" if unknown or anonymous
	At      time.Time // zero means now
}

// Gap is a query that people searched for and that found nothing, or
// whose results nobody opened, within some period.
type Gap struct {
	Query   string         // normalized query text
	Count   int            // searches for it in the period
	LastAt  time.Time      // the most recent of them
	Results int            // pages the most recent search found (0: nothing)
	Cohorts map[string]int // searches per searcher cohort ("" for unknown)
}

// SearchLog records searches and the results people open, so that
// trainers can see where the FAQ has gaps. Implementations aggregate per
// normalized query and day rather than keeping each search, so the log
// stays small.
type SearchLog interface {
	// LogSearch records a search. An empty or blank query is ignored (nil
	// error). Errors are about the log's storage; callers should log them
	// and go on, never fail the search because of them.
	LogSearch(ctx context.Context, e SearchEvent) error

	// LogOpen records that someone opened a result (slug, anchor) of a
	// search for query, which takes that query off the gap list. Same error
	// contract as LogSearch.
	LogOpen(ctx context.Context, query string, slug Slug, anchor string) error

	// Gaps lists the queries searched at or after since that found nothing
	// or whose results nobody opened, most searched first. It returns an
	// error only if the log cannot be read.
	Gaps(ctx context.Context, since time.Time) ([]Gap, error)
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
