package wiki

import (
	"context"
	"sync"
)

// pageLocks lets one save of a page at a time through this process, and
// saves of different pages side by side. Saves are optimistic (a save
// reads the head, merges, renders and commits only if the head is still
// the one it read), which holds against other processes and costs
// nothing when saves of a page are rare; but when a cohort saves one page
// at once, every save that lost the race merged and rendered for nothing
// and went round again, and the more of them ran at once the more lost.
// Queued here instead, each save reads the head the one before it wrote.
type pageLocks struct {
	mu sync.Mutex
	m  map[Slug]*pageLock
}

type pageLock struct {
	held    chan struct{} // holds a token while a save of the page runs
	waiters int           // saves holding or waiting for it; guarded by pageLocks.mu
}

// lock waits until no other save of slug runs, or until ctx ends (then it
// returns ctx's error), and returns the function that lets the next one
// in.
func (l *pageLocks) lock(ctx context.Context, slug Slug) (unlock func(), err error) {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[Slug]*pageLock{}
	}
	pl := l.m[slug]
	if pl == nil {
		pl = &pageLock{held: make(chan struct{}, 1)}
		l.m[slug] = pl
	}
	pl.waiters++
	l.mu.Unlock()

	release := func() {
		l.mu.Lock()
		if pl.waiters--; pl.waiters == 0 {
			delete(l.m, slug)
		}
		l.mu.Unlock()
	}
	select {
	case pl.held <- struct{}{}:
		return func() { <-pl.held; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}
