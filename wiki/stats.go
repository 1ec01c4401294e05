package wiki

import (
	"errors"
	"sync/atomic"
)

// Counts of what the services did since they were made. They are plain
// numbers for whoever watches the process: the binary exports them as
// metrics, so the domain needs to know nothing of how they are shown.

// WikiStats counts the edits and renders of a Wiki.
type WikiStats struct {
	Created   uint64 // pages created
	Edited    uint64 // edits saved (Merged of them were merged)
	Merged    uint64 // edits saved by merging with changes made since their base
	Reverted  uint64 // reverts and restores
	Deleted   uint64 // deletes
	Conflicts uint64 // edits refused because they overlap a newer change
	Unchanged uint64 // saves of the current text: no revision
	// StorageFailures counts changes the store could not write (ErrStorage).
	StorageFailures uint64
	// Renders of saved revisions: RenderCacheHits came from the cache,
	// RenderCacheMisses were rendered (and then cached).
	RenderCacheHits, RenderCacheMisses uint64
	// Previews counts renders of unsaved text (previews and the check
	// before a save), which are never cached.
	Previews uint64
}

// wikiCounters is the live form of WikiStats.
type wikiCounters struct {
	created, edited, merged, reverted, deleted, conflicts, unchanged, storageFailures atomic.Uint64
	renderHits, renderMisses, previews                                                atomic.Uint64
}

// Stats returns the Wiki's counts so far.
func (w *Wiki) Stats() WikiStats {
	c := &w.counts
	return WikiStats{
		Created: c.created.Load(), Edited: c.edited.Load(), Merged: c.merged.Load(),
		Reverted: c.reverted.Load(), Deleted: c.deleted.Load(), Conflicts: c.conflicts.Load(),
		Unchanged: c.unchanged.Load(), StorageFailures: c.storageFailures.Load(),
		RenderCacheHits: c.renderHits.Load(), RenderCacheMisses: c.renderMisses.Load(), Previews: c.previews.Load(),
	}
}

// committed counts a revision the store committed and announces it.
func (w *Wiki) committed(rev *Revision) {
	c := &w.counts
	switch rev.Kind {
	case KindCreate:
		c.created.Add(1)
	case KindEdit:
		c.edited.Add(1)
		if rev.Merged {
			c.merged.Add(1)
		}
	case KindRevert, KindRestore:
		c.reverted.Add(1)
	case KindDelete:
		c.deleted.Add(1)
	}
	w.onCommit(rev)
}

// countFailure counts an edit that was not saved, by why.
func (w *Wiki) countFailure(err error) {
	switch {
	case errors.Is(err, ErrConflict):
		w.counts.conflicts.Add(1)
	case errors.Is(err, ErrStorage):
		w.counts.storageFailures.Add(1)
	}
}

// AccountStats counts failed sign-ins of an Accounts service.
type AccountStats struct {
	LoginFailures uint64 // wrong username or password, or a disabled account
	RateLimited   uint64 // sign-ins and sign-ups refused for too many failures
}

type accountCounters struct {
	loginFailures, rateLimited atomic.Uint64
}

// Stats returns the service's counts so far.
func (a *Accounts) Stats() AccountStats {
	return AccountStats{LoginFailures: a.counts.loginFailures.Load(), RateLimited: a.counts.rateLimited.Load()}
}
