package wiki

import (
	"context"
	"fmt"
	"slices"
)

// Aliases are the old names of pages: a handbook brought in from another
// site keeps its old paths working (front matter "aliases"), so links and
// bookmarks into it lead to the page. An alias counts only while no page
// lives at its name.

// SetAlias makes from an old name of the page to. It returns a
// *ValidationError for a malformed slug or an alias of a page to itself.
func (w *Wiki) SetAlias(ctx context.Context, from, to Slug) error {
	if _, err := ParseSlug(string(from)); err != nil {
		return err
	}
	if _, err := ParseSlug(string(to)); err != nil {
		return err
	}
	if from == to {
		return Invalid("alias", "%s cannot be an old name of itself", from)
	}
	return w.store.PutAlias(ctx, from, to)
}

// Redirect returns the page that the old name from leads to, or
// ErrNotFound when it is no alias (or the page it names is gone). A page
// living at from wins over its alias; callers ask only for missing pages.
func (w *Wiki) Redirect(ctx context.Context, from Slug) (Slug, error) {
	to, err := w.store.Alias(ctx, from)
	if err != nil {
		return "", err
	}
	ok, err := w.store.Exists(ctx, []Slug{to})
	if err != nil {
		return "", err
	}
	if !ok[0] {
		return "", fmt.Errorf("alias %q leads to %q, which does not exist: %w", from, to, ErrNotFound)
	}
	return to, nil
}

// Aliases returns the old names of every page, by page.
func (w *Wiki) Aliases(ctx context.Context) (map[Slug][]Slug, error) {
	all, err := w.store.Aliases(ctx)
	if err != nil {
		return nil, err
	}
	out := map[Slug][]Slug{}
	for from, to := range all {
		out[to] = append(out[to], from)
	}
	for _, v := range out {
		sortSlugs(v)
	}
	return out, nil
}

func sortSlugs(s []Slug) { slices.Sort(s) }
