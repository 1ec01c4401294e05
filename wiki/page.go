package wiki

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on what a page may hold. The web layer caps request bodies a
// little above MaxMarkdownBytes so that an oversized text is refused before
// it is read whole.
const (
	MaxMarkdownBytes = 2 << 20 // 2 MiB of Markdown per revision
	MaxTitleLen      = 200     // runes
	MaxSummaryLen    = 500     // runes
	MaxTags          = 20
	MaxTagLen        = 40 // bytes; tags are slug-like words
)

// Page is the current state of a page: its head revision's content plus
// where it came from.
type Page struct {
	Slug      Slug
	Title     string
	Markdown  string
	Tags      []string
	Revision  int       // number of the head revision
	Deleted   bool      // the head revision deletes the page
	CreatedAt time.Time // time of revision 1
	UpdatedAt time.Time // time of the head revision
	Author    string    // author of the head revision
	Cohort    string    // cohort of that author when they wrote it
	// Attachments are the files of the head revision, sorted by name
	// (none for a deleted page).
	Attachments []Attachment
}

// PageSummary is a page in a listing: enough to link to it.
type PageSummary struct {
	Slug      Slug
	Title     string
	Revision  int
	UpdatedAt time.Time
	Author    string
	Cohort    string // cohort of the head revision's author when they wrote it
	Tags      []string
}

// PageFilter selects pages for a listing. Cursor is opaque: pass the
// NextCursor of the previous result to continue, with the same ordering
// (a cursor from a listing by slug is refused by one by title, and the
// other way round).
type PageFilter struct {
	Prefix  string // slug prefix, e.g. "travel/"
	Tag     string
	ByTitle bool // order by title (case-insensitive), then slug, instead of by slug
	Limit   int
	Cursor  string
	// TitlePrefix keeps only pages whose title starts with it, ignoring
	// case and accents ("vpn" finds "VPN access"); it implies ByTitle.
	TitlePrefix string
}

// NormalizeTitle trims a title and folds runs of white space and control
// characters into single spaces. Invisible characters that only hide or
// reorder text go: zero-width spaces, word joiners, byte-order marks and
// the bidirectional embeddings, overrides and isolates ("ctl\u202ex" shows
// reversed; "Café\u200b rules" looks like "Café rules" but is another
// title). The joiners that shape scripts and emoji (U+200C, U+200D) stay.
func NormalizeTitle(s string) string {
	s = strings.Map(func(r rune) rune {
		if hiddenFormat(r) {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
}

// hiddenFormat reports whether r is a format character that NormalizeTitle
// drops.
func hiddenFormat(r rune) bool {
	switch {
	case r == '\u200b', r == '\u2060', r == '\ufeff', r == '\u00ad':
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// NormalizeTags lower-cases, slugifies, de-duplicates and sorts tags,
// dropping empty ones.
// NormalizeTag is a tag as NormalizeTags files it ("On Boarding" is
// "on-boarding"), for a filter: a tag with nothing a tag keeps stays as
// given, so that it matches no page rather than every page.
func NormalizeTag(t string) string {
	if s := slugSegment(t); s != "" {
		return s
	}
	return t
}

func NormalizeTags(tags []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range tags {
		s := slugSegment(t)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// ParseTagList splits the comma- or space-separated tags people type in a form.
func ParseTagList(s string) []string {
	return NormalizeTags(strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || unicode.IsSpace(r)
	}))
}

// validateContent checks a title, text, tags and summary against the limits.
func validateContent(title, markdown, summary string, tags []string) error {
	v := &ValidationError{}
	switch {
	case title == "":
		v.Add("title", "is required")
	case utf8.RuneCountInString(title) > MaxTitleLen:
		v.Add("title", "is longer than %d characters", MaxTitleLen)
	}
	if !utf8.ValidString(markdown) {
		v.Add("markdown", "is not valid UTF-8")
	}
	if strings.ContainsRune(markdown, 0) {
		v.Add("markdown", "contains a NUL character")
	}
	if utf8.RuneCountInString(summary) > MaxSummaryLen {
		v.Add("summary", "is longer than %d characters", MaxSummaryLen)
	}
	if len(tags) > MaxTags {
		v.Add("tags", "has more than %d tags", MaxTags)
	}
	for _, t := range tags {
		if len(t) > MaxTagLen {
			v.Add("tags", "tag %.20q… is longer than %d characters", t, MaxTagLen)
			break
		}
	}
	return v.orNil()
}

// Reads of pages and their history. The web layer reads through these,
// never from the store, so that every read has one place to grow rules
// (permissions, caching) later.

// Page returns the current state of a page. A deleted page is returned with
// Deleted set; ErrNotFound means it never existed.
func (w *Wiki) Page(ctx context.Context, slug Slug) (*Page, error) {
	return w.store.Page(ctx, slug)
}

// PageAt returns the page as it stood at time t: its last revision created
// at or before t. ErrNotFound if it did not exist yet.
func (w *Wiki) PageAt(ctx context.Context, slug Slug, t time.Time) (*Page, error) {
	return w.store.PageAt(ctx, slug, t)
}

// Revision returns revision n of a page, or ErrNotFound.
func (w *Wiki) Revision(ctx context.Context, slug Slug, n int) (*Revision, error) {
	return w.store.Revision(ctx, slug, n)
}

// PagesTitled returns the live pages whose title is title, ignoring case
// and accents, as a [[title]] link finds them.
func (w *Wiki) PagesTitled(ctx context.Context, title string) ([]Slug, error) {
	found, err := w.store.PagesTitled(ctx, []string{title})
	if err != nil || len(found) == 0 {
		return nil, err
	}
	return found[0], nil
}

// Revisions returns the history of a page newest first, without the
// revisions' text. ErrNotFound if the page never existed.
func (w *Wiki) Revisions(ctx context.Context, slug Slug) ([]*Revision, error) {
	return w.store.Revisions(ctx, slug)
}

// Pages lists the pages that are not deleted, by slug or by title (see
// PageFilter), a page of results at a time. A bad cursor is a
// *ValidationError.
func (w *Wiki) Pages(ctx context.Context, f PageFilter) ([]PageSummary, string, error) {
	return w.store.Pages(ctx, f)
}

// RecentPages lists up to limit pages that are not deleted, most recently
// changed first.
func (w *Wiki) RecentPages(ctx context.Context, limit int) ([]PageSummary, error) {
	return w.store.RecentPages(ctx, limit)
}

// ChangesBy returns up to limit changes made by username, newest first.
func (w *Wiki) ChangesBy(ctx context.Context, username string, limit int) ([]Change, error) {
	return w.store.AuthorChanges(ctx, username, limit)
}
