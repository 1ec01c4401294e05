package wiki

// Internals the external tests (package wiki_test) look at.

// RenderWaiters returns how many callers are waiting for the render of
// revision n of slug that is in progress now (0 if none is).
func RenderWaiters(w *Wiki, slug Slug, n int) int {
	w.flightMu.Lock()
	defer w.flightMu.Unlock()
	if call, ok := w.flights[renderKey(slug, n)]; ok {
		return call.waiters
	}
	return 0
}

// Runaways returns how many of owner's renders are still running past
// their time limit.
func Runaways(w *Wiki, owner string) int {
	w.flightMu.Lock()
	defer w.flightMu.Unlock()
	return w.runaways[owner]
}

// PagesBeingSaved returns how many pages have a save running or waiting.
func PagesBeingSaved(w *Wiki) int {
	w.saving.mu.Lock()
	defer w.saving.mu.Unlock()
	return len(w.saving.m)
}

// Saving returns how many saves of slug are running or waiting.
func Saving(w *Wiki, slug Slug) int {
	w.saving.mu.Lock()
	defer w.saving.mu.Unlock()
	if pl := w.saving.m[slug]; pl != nil {
		return pl.waiters
	}
	return 0
}
