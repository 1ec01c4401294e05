package wiki

import (
	"context"
	"errors"
	"fmt"

	"github.com/faqwiki/faqwiki/wiki/diff"
)

// Undo takes back the change that revision n made to a page's text, title
// and tags, keeping every change made since: it saves revision n-1's
// content as an edit based on revision n, which the three-way merge of
// Save applies to the page as it is now. Where later changes overlap the
// lines (or the title) that revision n changed, nothing is saved and the
// error is an *UndoConflictError. A change to the page's files is not
// taken back. summary "" says "Undid revision n by author". Undoing
// revision 1 (which created the page), a deletion or a restore is
// refused: delete or restore the page instead.
func (w *Wiki) Undo(ctx context.Context, slug Slug, n int, summary string) (*EditResult, error) {
	if n < 2 {
		return nil, Invalid("revision", "revision 1 created the page: delete the page instead")
	}
	head, err := w.store.Page(ctx, slug)
	if err != nil {
		return nil, err
	}
	if head.Deleted {
		return nil, Invalid("revision", "the page is deleted: restore it first")
	}
	if n > head.Revision {
		return nil, fmt.Errorf("page %q has no revision %d: %w", slug, n, ErrNotFound)
	}
	target, err := w.store.Revision(ctx, slug, n)
	if err != nil {
		return nil, err
	}
	prev, err := w.store.Revision(ctx, slug, n-1)
	if err != nil {
		return nil, err
	}
	switch {
	case target.Deleted():
		return nil, Invalid("revision", "revision %d deleted the page: restore it instead", n)
	case prev.Deleted():
		return nil, Invalid("revision", "revision %d restored the page after it was deleted: delete it instead", n)
	}
	if summary, err = checkSummary(summary); err != nil {
		return nil, err
	}
	if summary == "" {
		summary = fmt.Sprintf("Undid revision %d by %s", n, target.Author)
	}
	tags := prev.Tags
	if tags == nil {
		tags = []string{}
	}
	res, err := w.Save(ctx, Edit{Slug: slug, Title: prev.Title, Markdown: prev.Markdown, Tags: tags, Summary: summary, Base: n})
	ce := (*ConflictError)(nil)
	if !errors.As(err, &ce) {
		return res, err
	}
	// Save's merge refuses a deletion next to a later insertion (the
	// question revision n added, and the one added after it since):
	// taking back the change means the one goes and the other stays.
	cur := ce.Current
	merged, ok := diff.MergeUndo(target.Markdown, cur.Markdown, prev.Markdown)
	if !ok || ce.Title {
		return nil, &UndoConflictError{Revision: n, Current: cur.Number}
	}
	title := cur.Title
	if prev.Title != target.Title && cur.Title == target.Title {
		title = prev.Title
	}
	res, err = w.Save(ctx, Edit{Slug: slug, Title: title, Markdown: merged, Tags: mergeTags(target.Tags, cur.Tags, tags),
		Summary: summary, Base: cur.Number})
	if errors.As(err, &ce) {
		return nil, &UndoConflictError{Revision: n, Current: ce.Current.Number}
	}
	return res, err
}

// UndoConflictError is Undo's refusal when changes saved after the
// revision overlap what it changed. errors.Is(err, ErrConflict) is true.
type UndoConflictError struct {
	Revision int // the revision that was to be undone
	Current  int // the page's newest revision
}

func (e *UndoConflictError) Error() string {
	return fmt.Sprintf("wiki: revision %d cannot be undone alone: changes since overlap it (the page is at revision %d)", e.Revision, e.Current)
}

// Unwrap makes errors.Is(err, ErrConflict) true.
func (e *UndoConflictError) Unwrap() error { return ErrConflict }
