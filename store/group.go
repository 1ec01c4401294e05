// Group commit: commits that arrive while a transaction is being written
// go together into the next one, and share its fsync.

package store

import (
	"errors"
	"sync"
	"time"

	"go.etcd.io/bbolt"
)

// maxGroup bounds the commits of one transaction.
const maxGroup = 1000

// commitGroup runs commit functions in shared write transactions. A commit
// that finds no transaction being written starts one at once, alone, so a
// lone edit never waits; commits that arrive while it is written wait for
// it and then go, all of them, into the next transaction. Under load a
// transaction thus holds every commit that arrived during the one before
// (one fsync for all), with no timer: bbolt's Batch instead waits a fixed
// delay for company, and a commit that arrives alone either waits for
// nobody or, written at once, shares nothing with the next one.
//
// If a function fails, the transaction is rolled back, the group runs
// again without it, and it runs alone for its own answer (as bbolt's
// Batch does): a function may therefore run more than once and must not
// have side effects outside the transaction. A function that refuses
// before it writes anything (a save whose base is no longer the head)
// says so by returning a refusal (see refuse): it gets its error and the
// group goes on in the same transaction. Without that, saves of one page
// that met in a group were quadratic: each refusal rolled back and re-ran
// all the others.
type commitGroup struct {
	mu      sync.Mutex
	writing bool
	pending []*groupCall
	stats   txCounts
}

type groupCall struct {
	fn      func(*bbolt.Tx) error
	err     error
	refused bool          // fn refused in the last run, writing nothing
	done    chan struct{} // closed when the call's transaction is over
	lead    chan struct{} // closed when the call is to write the next group
}

// run runs fn in a write transaction of b, grouped with concurrent calls,
// and returns its error (or the transaction's).
func (g *commitGroup) run(b *bbolt.DB, fn func(*bbolt.Tx) error) error {
	c := &groupCall{fn: fn, done: make(chan struct{}), lead: make(chan struct{})}
	g.mu.Lock()
	g.pending = append(g.pending, c)
	if g.writing {
		g.mu.Unlock()
		select {
		case <-c.done:
			return c.err
		case <-c.lead:
		}
		g.mu.Lock()
	}
	// This call leads: write what is pending (itself included), then hand
	// the lead to the first that came meanwhile.
	g.writing = true
	group := g.pending
	if len(group) > maxGroup {
		group = group[:maxGroup]
	}
	g.pending = g.pending[len(group):]
	g.mu.Unlock()

	runGroup(b, group, &g.stats)

	g.mu.Lock()
	if len(g.pending) > 0 {
		close(g.pending[0].lead)
	} else {
		g.writing = false
	}
	g.mu.Unlock()
	return c.err
}

// runGroup writes the calls of group in one transaction and tells each
// its result. It counts each transaction it runs in stats.
func runGroup(b *bbolt.DB, group []*groupCall, stats *txCounts) {
	for len(group) > 0 {
		failed := -1
		start := time.Now()
		var written *bbolt.Tx
		err := b.Update(func(tx *bbolt.Tx) error {
			written = tx
			for i, c := range group {
				c.err, c.refused = unrefused(c.fn(tx))
				if c.err != nil && !c.refused {
					failed = i
					return c.err
				}
			}
			return nil
		})
		n, wrote := writes(written)
		stats.add(committed(group, failed < 0 && err == nil), n, time.Since(start), wrote)
		if failed < 0 {
			for _, c := range group {
				if !c.refused {
					c.err = err
				}
				close(c.done)
			}
			return
		}
		// Roll back, run the others without it, and it alone.
		c := group[failed]
		group = append(group[:failed:failed], group[failed+1:]...)
		start = time.Now()
		written = nil
		err = b.Update(func(tx *bbolt.Tx) error { written = tx; return c.fn(tx) })
		n, wrote = writes(written)
		lone := 0
		if err == nil {
			lone = 1
		}
		stats.add(lone, n, time.Since(start), wrote)
		c.err, _ = unrefused(err)
		close(c.done)
	}
}

// committed returns how many calls of group wrote what they were to write
// (those that did not refuse) if the transaction was written (ok), else 0.
func committed(group []*groupCall, ok bool) int {
	if !ok {
		return 0
	}
	n := 0
	for _, c := range group {
		if !c.refused {
			n++
		}
	}
	return n
}

// writes returns how many writes tx made to the file (see
// TxStats.Writes) and the time it spent making and syncing them (none if
// it was rolled back, or is nil: bbolt did not begin it).
func writes(tx *bbolt.Tx) (int, time.Duration) {
	if tx == nil {
		return 0, 0
	}
	st := tx.Stats()
	return int(st.GetWrite()), st.GetWriteTime()
}

// refusal is the error of a commit function that refused before writing
// anything, so that the transaction holds what the calls before it wrote
// and nothing of its own.
type refusal struct{ err error }

func (r refusal) Error() string { return r.err.Error() }
func (r refusal) Unwrap() error { return r.err }

// refuse returns err as a refusal: a commit function returns it only
// before it has written anything in the transaction.
func refuse(err error) error { return refusal{err} }

// unrefused returns the error a refusal carries and true, or err itself
// and false.
func unrefused(err error) (error, bool) {
	var r refusal
	if errors.As(err, &r) {
		return r.err, true
	}
	return err, false
}
