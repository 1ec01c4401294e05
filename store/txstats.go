// Counts of the commit transactions: how long each took, how much of that
// was writing to the disk, how many commits it held and how many writes
// it made. A save's time is mostly its wait for these transactions (the
// one being written when it came, then its own), so they say why saves
// take what they take.

package store

import (
	"sync/atomic"
	"time"
)

// txBounds are the upper bounds of the buckets that TxStats counts
// transaction times in (see TxBounds).
var txBounds = [...]time.Duration{
	500 * time.Microsecond, time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond,
	4 * time.Millisecond, 5 * time.Millisecond, 6 * time.Millisecond, 8 * time.Millisecond,
	10 * time.Millisecond, 12 * time.Millisecond, 15 * time.Millisecond, 20 * time.Millisecond,
	25 * time.Millisecond, 30 * time.Millisecond, 40 * time.Millisecond, 50 * time.Millisecond,
	75 * time.Millisecond, 100 * time.Millisecond, 150 * time.Millisecond, 200 * time.Millisecond,
	300 * time.Millisecond, 500 * time.Millisecond, time.Second, 2500 * time.Millisecond,
	5 * time.Second, 10 * time.Second,
}

// TxBounds returns the upper bounds of the buckets that TxStats counts
// transaction times in, shortest first; a last bucket holds the slower
// ones.
func TxBounds() []time.Duration { return append([]time.Duration(nil), txBounds[:]...) }

// TxStats counts the write transactions of page commits (Commit, grouped:
// see group.go) since the store was opened, including those rolled back.
type TxStats struct {
	// Transactions is how many were run, rolled back or written, and
	// Commits how many commits the written ones held between them.
	Transactions, Commits uint64

	// Writes is how many writes to the file the written ones made
	// between them: one for each page they changed (a leaf of each
	// bucket a commit changed, the branches above it), or each run of
	// pages of a big value, and the root page. Their time writing grows
	// with it.
	Writes uint64

	// Total is each transaction's time, from its start to its end; Write
	// the part spent writing its pages and syncing them to the disk.
	Total, Write Durations
}

// Durations is a histogram of durations: Counts[i] is how many were at
// most TxBounds()[i] and more than the bound before it; the last count,
// one past the bounds, those over the last bound.
type Durations struct {
	Counts []uint64
	Sum    time.Duration
}

// durationCounts is a Durations that many goroutines may add to.
type durationCounts struct {
	counts [len(txBounds) + 1]atomic.Uint64
	sum    atomic.Int64 // nanoseconds
}

func (d *durationCounts) add(t time.Duration) {
	i := 0
	for i < len(txBounds) && t > txBounds[i] {
		i++
	}
	d.counts[i].Add(1)
	d.sum.Add(int64(t))
}

func (d *durationCounts) read() Durations {
	out := Durations{Counts: make([]uint64, len(d.counts)), Sum: time.Duration(d.sum.Load())}
	for i := range d.counts {
		out.Counts[i] = d.counts[i].Load()
	}
	return out
}

// txCounts gathers TxStats.
type txCounts struct {
	transactions, commits, writes atomic.Uint64
	total, write                  durationCounts
}

func (c *txCounts) add(commits, writes int, total, write time.Duration) {
	c.transactions.Add(1)
	c.commits.Add(uint64(commits))
	c.writes.Add(uint64(writes))
	c.total.add(total)
	c.write.add(write)
}

// read returns the counts. They are read one after another while
// transactions go on, so they may disagree by the transactions of that
// moment.
func (c *txCounts) read() TxStats {
	return TxStats{
		Transactions: c.transactions.Load(),
		Commits:      c.commits.Load(),
		Writes:       c.writes.Load(),
		Total:        c.total.read(),
		Write:        c.write.read(),
	}
}

// TxStats returns the counts of the commit transactions run so far.
func (db *DB) TxStats() TxStats { return db.commits.stats.read() }
