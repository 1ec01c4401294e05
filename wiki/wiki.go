package wiki

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/faqwiki/faqwiki/wiki/diff"
	"github.com/faqwiki/faqwiki/wiki/internal/lru"
)

// Config holds what a Wiki is built from. Store is required; the rest have
// defaults.
type Config struct {
	Store    PageStore
	Renderer Renderer // default NewRenderer()
	Clock    Clock
	// OnCommit, if set, is told of every revision the wiki commits (saves,
	// reverts, deletes, restores), after the commit and before the call
	// that made it returns; the search index uses it to wake up. It must
	// be quick and must not block: it runs on the request's goroutine.
	OnCommit func(*Revision)
	// RenderCacheBytes bounds the memory kept for rendered revisions
	// (default 64 MiB).
	RenderCacheBytes int
	// PreviewTimeout is how long a preview may render (default 5 s).
	PreviewTimeout time.Duration
	// TrainerEditsNeedReview puts trainers' own revisions in the review
	// queue too. Off by default: a trainer's revision counts as reviewed
	// on save, so the queue holds what needs eyes.
	TrainerEditsNeedReview bool
	// BlameCacheBytes bounds the memory kept for the attribution of
	// recently blamed pages (default 32 MiB).
	BlameCacheBytes int
}

// Wiki is the domain service for pages: it applies the edit rules (merge,
// no-op detection, attribution, limits) on top of a PageStore, announces
// each commit, renders pages and answers every read of pages and their
// history that the web layer needs. It is safe for concurrent use.
type Wiki struct {
	store    PageStore
	render   Renderer
	now      Clock
	onCommit func(*Revision)
	cache    *lru.Cache[*cachedRenderEntry]
	counts   wikiCounters

	previewTimeout time.Duration

	flightMu    sync.Mutex
	flights     map[string]*renderCall // renders in progress, by cache key
	runaways    map[string]int         // per user: renders still running past their timeout
	previews    chan struct{}          // a slot per preview rendering now
	saveRenders chan struct{}          // a slot per save's render check running now

	trainerEditsNeedReview bool
	blames                 *lru.Cache[*blameEntry] // per page: attribution up to some revision
	tree                   *sectionTree            // home.go: the top of the tree of pages
	saving                 pageLocks               // pagelock.go: one save of a page at a time
}

// New returns a Wiki over cfg.Store.
func New(cfg Config) *Wiki {
	w := &Wiki{store: cfg.Store, render: cfg.Renderer, now: cfg.Clock, onCommit: cfg.OnCommit}
	if w.render == nil {
		w.render = NewRenderer()
	}
	if w.now == nil {
		w.now = time.Now
	}
	if w.onCommit == nil {
		w.onCommit = func(*Revision) {}
	}
	size := cfg.RenderCacheBytes
	if size <= 0 {
		size = 64 << 20
	}
	w.cache = lru.New[*cachedRenderEntry](size)
	w.flights = map[string]*renderCall{}
	w.runaways = map[string]int{}
	w.previewTimeout = cfg.PreviewTimeout
	if w.previewTimeout <= 0 {
		w.previewTimeout = defaultPreviewTimeout
	}
	w.previews = make(chan struct{}, maxPreviews)
	w.saveRenders = make(chan struct{}, max(2, runtime.NumCPU()))
	w.trainerEditsNeedReview = cfg.TrainerEditsNeedReview
	blameBytes := cfg.BlameCacheBytes
	if blameBytes <= 0 {
		blameBytes = 32 << 20
	}
	w.blames = lru.New[*blameEntry](blameBytes)
	w.tree = &sectionTree{}
	announce := w.onCommit
	w.onCommit = func(r *Revision) { w.sectionsChanged(r); announce(r) }
	return w
}

// Edit is a change someone asks to save.
type Edit struct {
	Slug     Slug
	Title    string // "" keeps the current title (or derives one for a new page)
	Markdown string
	Tags     []string // nil keeps the current tags
	Summary  string
	// Base is the revision the editor started from; 0 creates a page.
	Base int

	// Files, when not nil, become the page's attachments, exactly (an
	// import sets them so). Attach adds or replaces files and Detach
	// removes files by name, both applied to the attachments the page has
	// when the edit is saved, so that they merge with other edits.
	Files  []File
	Attach []File
	Detach []string
}

// fileChange is an Edit's change to attachments, checked once before the
// commit loop (hashing and sniffing files is not free).
type fileChange struct {
	exact   []Attachment // nil: start from the head's
	adds    []Attachment
	removes []string
	blobs   map[string][]byte
}

// apply returns the attachments a page with as will have after the change.
func (fc *fileChange) apply(as []Attachment) ([]Attachment, error) {
	if fc.exact != nil {
		as = fc.exact
	}
	as = slices.Clone(as)
	if as == nil {
		as = []Attachment{}
	}
	for _, name := range fc.removes {
		as = slices.DeleteFunc(as, func(a Attachment) bool { return a.Name == name })
	}
	for _, a := range fc.adds {
		as = withFile(as, a)
	}
	return as, checkAttachments(as)
}

// newFileChange checks the files of e.
func newFileChange(e Edit) (*fileChange, error) {
	fc := &fileChange{blobs: map[string][]byte{}, removes: e.Detach}
	if e.Files != nil {
		exact, blobs, err := attachFiles(e.Files)
		if err != nil {
			return nil, err
		}
		fc.exact, fc.blobs = exact, blobs
	}
	for _, f := range e.Attach {
		a, err := newAttachment(f)
		if err != nil {
			return nil, err
		}
		fc.adds = append(fc.adds, a)
		fc.blobs[a.SHA256] = f.Data
	}
	return fc, nil
}

// EditResult tells what Save did.
type EditResult struct {
	Revision  *Revision // the revision saved, or the current head when Unchanged
	Created   bool      // the page did not exist before, or was deleted (the save brings it back)
	Merged    bool      // the edit was merged with changes saved after Base
	Unchanged bool      // the text equalled the current one: nothing was saved
}

// maxCommitAttempts bounds how often Save re-reads and merges when other
// writers keep moving the page head between its read and its commit. Every
// failed attempt means another edit of the page succeeded, so the wiki as a
// whole always progresses; the bound only stops one unlucky writer from
// spinning forever under a storm of edits to one page.
const maxCommitAttempts = 100

// backoff waits a little, randomly, before retrying a commit that lost a
// race, so that writers who collided do not collide again in lock step.
func backoff(ctx context.Context, attempt int) error {
	d := time.Duration(rand.Int64N(int64(min(attempt+1, 20)) * int64(time.Millisecond)))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Save stores an edit as a new revision attributed to the user in ctx.
//
// When the page moved on since e.Base, the two changes are merged line by
// line; when they overlap nothing is saved and the error is a
// *ConflictError (errors.Is(err, ErrConflict)) carrying both texts. Text,
// title and tags equal to the current ones save nothing (Unchanged). It
// returns a *ValidationError for bad input, ErrTooLarge for a text over
// MaxMarkdownBytes and ErrNotFound when e.Base names a page that does not
// exist.
func (w *Wiki) Save(ctx context.Context, e Edit) (*EditResult, error) {
	res, err := w.save(ctx, e)
	switch {
	case err != nil:
		w.countFailure(err)
	case res.Unchanged:
		w.counts.unchanged.Add(1)
	}
	return res, err
}

func (w *Wiki) save(ctx context.Context, e Edit) (*EditResult, error) {
	if len(e.Markdown) > MaxMarkdownBytes {
		return nil, fmt.Errorf("markdown is %d bytes, the limit is %d: %w", len(e.Markdown), MaxMarkdownBytes, ErrTooLarge)
	}
	if _, err := ParseSlug(string(e.Slug)); err != nil {
		return nil, err
	}
	if e.Base < 0 {
		return nil, Invalid("base_revision", "must not be negative")
	}
	e.Markdown = normalizeNewlines(e.Markdown)
	e.Title = NormalizeTitle(e.Title)
	if e.Tags != nil {
		// Given, even empty: no tags is a change (nil keeps the head's).
		e.Tags = append([]string{}, NormalizeTags(e.Tags)...)
	}
	e.Summary = NormalizeTitle(e.Summary)
	user := UserFromContext(ctx)
	fc, err := newFileChange(e)
	if err != nil {
		return nil, err
	}

	unlock, err := w.saving.lock(ctx, e.Slug)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var rendered *checkedRender
	for attempt := 0; ; attempt++ {
		rev, res, err := w.prepare(ctx, e, user, fc)
		if err != nil || res != nil {
			return res, err
		}
		// Render the text before saving it: a text that goldmark takes
		// seconds to parse would stall its first viewers and the search
		// indexer, so it is refused here, with the editor's text kept. The
		// render is not wasted: it becomes the cached view of the revision.
		if rendered == nil || rendered.source != rev.Markdown {
			rendered, err = w.renderBounded(ctx, user.Name, rev.Markdown, nil, w.saveRenders, saveRenderWait, 2*w.previewTimeout)
			if errors.Is(err, ErrTooComplex) {
				return nil, Invalid("markdown", "takes too long to render; simplify deeply nested lists or quotes, or unbalanced brackets and emphasis")
			}
			if err != nil {
				return nil, err
			}
		}
		// The links the link index files: from the same parse.
		rev.Links = w.linksFrom(ctx, rev.Slug, rendered.Targets)
		err = w.store.Commit(ctx, rev, rev.Number)
		if err == nil {
			if len(rev.Attachments) == 0 {
				// The check render resolved no files; with files, the
				// page's render differs, so it is rendered when viewed.
				w.cacheRender(rev.Slug, rev.Number, rendered.Rendered, noSeq)
			}
			rev.Blobs = nil
			w.committed(rev)
			return &EditResult{Revision: rev, Created: rev.Kind == KindCreate || rev.Kind == KindRestore, Merged: rev.Merged}, nil
		}
		if !errors.Is(err, ErrConflict) || attempt+1 >= maxCommitAttempts {
			return nil, err
		}
		// Someone committed between our read and our write: read the new
		// head and merge again.
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// prepare builds the revision to commit for e against the page's current
// head. It returns a non-nil result instead when there is nothing to save.
// The revision's Number holds the head it expects (for Commit's CAS);
// Commit replaces it with the new number.
func (w *Wiki) prepare(ctx context.Context, e Edit, user *User, fc *fileChange) (*Revision, *EditResult, error) {
	head, err := w.store.Page(ctx, e.Slug)
	switch {
	case errors.Is(err, ErrNotFound):
		if e.Base != 0 {
			return nil, nil, fmt.Errorf("page %q: %w", e.Slug, ErrNotFound)
		}
		head = nil
	case err != nil:
		return nil, nil, err
	case e.Base > head.Revision:
		return nil, nil, Invalid("base_revision", "is %d, but the page's newest revision is %d", e.Base, head.Revision)
	}

	rev := &Revision{
		Slug:      e.Slug,
		Kind:      KindEdit,
		Title:     e.Title,
		Markdown:  e.Markdown,
		Tags:      e.Tags,
		Author:    user.Name,
		Cohort:    user.WorkCohort(),
		Summary:   e.Summary,
		CreatedAt: w.now().UTC(),
		Base:      e.Base,
	}
	if head == nil {
		rev.Kind = KindCreate
		if rev.Title == "" {
			rev.Title = TitleFromSlug(e.Slug)
		}
		if rev.Tags == nil {
			rev.Tags = []string{}
		}
		if err := validateContent(rev.Title, rev.Markdown, rev.Summary, rev.Tags); err != nil {
			return nil, nil, err
		}
		if rev.Attachments, err = fc.apply(nil); err != nil {
			return nil, nil, err
		}
		rev.Blobs = fc.blobs
		rev.Added, rev.Removed = diff.LineStats("", rev.Markdown)
		rev.Size = len(rev.Markdown)
		w.autoReview(rev, user) // the links come from the render (save)
		return rev, nil, nil
	}

	rev.Number = head.Revision // the head Commit must still find
	if e.Base < head.Revision {
		base := &Revision{Tags: []string{}}
		if e.Base > 0 {
			if base, err = w.store.Revision(ctx, e.Slug, e.Base); err != nil {
				return nil, nil, err
			}
		}
		merged, ok := diff.Merge3(base.Markdown, head.Markdown, rev.Markdown)
		// The title merges as one line: changed on one side, that side's;
		// changed to two different titles, a conflict.
		titleClash := rev.Title != "" && rev.Title != base.Title && head.Title != base.Title && rev.Title != head.Title
		if !ok || titleClash {
			cur, err := w.store.Revision(ctx, e.Slug, head.Revision)
			if err != nil {
				return nil, nil, err
			}
			ce := &ConflictError{Current: cur, Yours: e.Markdown, Title: titleClash}
			if ok {
				ce.Merged = merged
			}
			return nil, nil, ce
		}
		if rev.Title == "" || rev.Title == base.Title {
			rev.Title = head.Title
		}
		mine := rev.Tags
		if rev.Tags == nil {
			rev.Tags = head.Tags
		} else {
			rev.Tags = mergeTags(base.Tags, head.Tags, rev.Tags)
		}
		rev.Merged = merged != rev.Markdown || mine != nil && !slices.Equal(mine, rev.Tags)
		rev.Markdown = merged
	}
	if rev.Title == "" {
		rev.Title = head.Title
	}
	if rev.Tags == nil {
		rev.Tags = head.Tags
	}
	if err := validateContent(rev.Title, rev.Markdown, rev.Summary, rev.Tags); err != nil {
		return nil, nil, err
	}
	if rev.Attachments, err = fc.apply(head.Attachments); err != nil {
		return nil, nil, err
	}
	rev.Blobs = fc.blobs
	if !head.Deleted && rev.Markdown == head.Markdown && rev.Title == head.Title && slices.Equal(rev.Tags, head.Tags) && sameAttachments(rev.Attachments, head.Attachments) {
		cur, err := w.store.Revision(ctx, e.Slug, head.Revision)
		if err != nil {
			return nil, nil, err
		}
		return nil, &EditResult{Revision: cur, Unchanged: true}, nil
	}
	if head.Deleted {
		rev.Kind = KindRestore
	}
	rev.Added, rev.Removed = diff.LineStats(head.Markdown, rev.Markdown)
	rev.Size = len(rev.Markdown)
	w.autoReview(rev, user) // the links come from the render (save)
	return rev, nil, nil
}

// mergeTags merges two editors' tag lists made from base: the tags of
// theirs, less those mine removed, with those mine added, sorted as
// NormalizeTags sorts them. Neither editor's addition or removal is lost.
func mergeTags(base, theirs, mine []string) []string {
	in := func(list []string, t string) bool { return slices.Contains(list, t) }
	out := make([]string, 0, len(theirs)+len(mine))
	for _, t := range theirs {
		if in(mine, t) || !in(base, t) {
			out = append(out, t)
		}
	}
	for _, t := range mine {
		if !in(out, t) && !in(base, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// Revert makes a new revision whose title, text and tags are those of
// revision n. Reverting a deleted page restores it. It returns ErrNotFound
// if the page or revision does not exist, and an unchanged result when the
// page already reads like revision n.
func (w *Wiki) Revert(ctx context.Context, slug Slug, n int, summary string) (*EditResult, error) {
	if n < 1 {
		return nil, Invalid("revision", "must be 1 or more")
	}
	target, err := w.store.Revision(ctx, slug, n)
	if err != nil {
		return nil, err
	}
	if target.Deleted() {
		return nil, Invalid("revision", "revision %d deletes the page; delete it instead", n)
	}
	summary, err = checkSummary(summary)
	if err != nil {
		return nil, err
	}
	if summary == "" {
		summary = "Reverted to revision " + strconv.Itoa(n)
	}
	return w.commitWhole(ctx, slug, func(head *Page) *Revision {
		if !head.Deleted && head.Markdown == target.Markdown && head.Title == target.Title && slices.Equal(head.Tags, target.Tags) &&
			sameAttachments(head.Attachments, target.Attachments) {
			return nil
		}
		kind := KindRevert
		if head.Deleted {
			kind = KindRestore
		}
		// The files come back with the text: their blobs are still stored,
		// since revisions are never removed.
		return &Revision{Kind: kind, Title: target.Title, Markdown: target.Markdown, Tags: target.Tags, Summary: summary, RevertOf: n,
			Attachments: target.Attachments}
	})
}

// Delete marks a page deleted with a new revision (empty text, title and
// tags kept) that a revert can undo. It returns ErrNotFound if the page does
// not exist or is already deleted.
func (w *Wiki) Delete(ctx context.Context, slug Slug, summary string) (*EditResult, error) {
	summary, err := checkSummary(summary)
	if err != nil {
		return nil, err
	}
	if summary == "" {
		summary = "Deleted the page"
	}
	res, err := w.commitWhole(ctx, slug, func(head *Page) *Revision {
		if head.Deleted {
			return nil
		}
		return &Revision{Kind: KindDelete, Title: head.Title, Tags: head.Tags, Summary: summary}
	})
	if err == nil && res.Unchanged {
		return nil, fmt.Errorf("page %q is already deleted: %w", slug, ErrNotFound)
	}
	return res, err
}

// finish fills in what the store files with a revision besides its
// content: the targets of its wiki links, for the link index, and whether
// it counts as reviewed on save.
func (w *Wiki) finish(ctx context.Context, rev *Revision, u *User) {
	rev.Links = w.linksOf(ctx, rev.Slug, rev.Markdown)
	w.autoReview(rev, u)
}

// checkSummary normalizes an edit summary and checks its length.
func checkSummary(s string) (string, error) {
	s = NormalizeTitle(s)
	if utf8.RuneCountInString(s) > MaxSummaryLen {
		return "", Invalid("summary", "is longer than %d characters", MaxSummaryLen)
	}
	return s, nil
}

// commitWhole commits a revision that replaces the page outright (revert,
// delete), retrying on a moved head: such changes need no merge. build
// returns nil when the page already is as asked.
func (w *Wiki) commitWhole(ctx context.Context, slug Slug, build func(head *Page) *Revision) (*EditResult, error) {
	res, err := w.commitWholeOnce(ctx, slug, build)
	if err != nil {
		w.countFailure(err)
	}
	return res, err
}

func (w *Wiki) commitWholeOnce(ctx context.Context, slug Slug, build func(head *Page) *Revision) (*EditResult, error) {
	user := UserFromContext(ctx)
	for attempt := 0; ; attempt++ {
		head, err := w.store.Page(ctx, slug)
		if err != nil {
			return nil, err
		}
		rev := build(head)
		if rev == nil {
			cur, err := w.store.Revision(ctx, slug, head.Revision)
			if err != nil {
				return nil, err
			}
			return &EditResult{Revision: cur, Unchanged: true}, nil
		}
		rev.Slug, rev.Author, rev.Cohort = slug, user.Name, user.WorkCohort()
		rev.CreatedAt = w.now().UTC()
		rev.Base = head.Revision
		rev.Size = len(rev.Markdown)
		rev.Added, rev.Removed = diff.LineStats(head.Markdown, rev.Markdown)
		if rev.Attachments == nil {
			rev.Attachments = []Attachment{}
		}
		w.finish(ctx, rev, user)
		err = w.store.Commit(ctx, rev, head.Revision)
		if err == nil {
			rev.Blobs = nil
			w.committed(rev)
			return &EditResult{Revision: rev}, nil
		}
		if !errors.Is(err, ErrConflict) || attempt+1 >= maxCommitAttempts {
			return nil, err
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// Diff compares revisions from and to of a page (either order; 0 stands
// for the empty text before the page existed) and returns the two
// revisions with it (revision 0 is an empty Revision). It returns
// ErrNotFound if either revision does not exist.
func (w *Wiki) Diff(ctx context.Context, slug Slug, from, to int) (*diff.Diff, [2]*Revision, error) {
	var revs [2]*Revision
	for i, n := range [2]int{from, to} {
		if n < 0 {
			return nil, revs, Invalid("revision", "must not be negative")
		}
		revs[i] = &Revision{Slug: slug}
		if n == 0 {
			continue
		}
		r, err := w.store.Revision(ctx, slug, n)
		if err != nil {
			return nil, revs, err
		}
		revs[i] = r
	}
	return diff.Compare(revs[0].Markdown, revs[1].Markdown), revs, nil
}

// TitleFromSlug makes a readable title from a slug's last segment:
// "travel/per-diem-rates" -> "Per diem rates".
func TitleFromSlug(s Slug) string {
	last := string(s)
	if i := strings.LastIndexByte(last, '/'); i >= 0 {
		last = last[i+1:]
	}
	t := strings.ReplaceAll(last, "-", " ")
	if t == "" {
		return ""
	}
	return strings.ToUpper(t[:1]) + t[1:]
}

// normalizeNewlines turns CRLF and lone CR into LF: browsers submit CRLF,
// and a diff should not show every line changed because of that.
func normalizeNewlines(s string) string {
	if !strings.ContainsRune(s, '\r') {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}
