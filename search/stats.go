package search

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	berrors "go.etcd.io/bbolt/errors"
)

// Stats counts what an Index did to keep up with the store, for whoever
// watches the process (the binary exports them as metrics).
type Stats struct {
	Seq     uint64 // the last change-feed sequence number applied
	Built   bool   // the index has been filled from the store
	Applied uint64 // changes applied by catching up
	// Rebuilds counts indexes made anew from every page: a new, lost or
	// unusable index, one ahead of the store, or "faqwiki reindex".
	Rebuilds uint64
	// Resets counts unusable indexes (damaged, or of another mapping
	// version) that were deleted to be rebuilt.
	Resets uint64
	// Ahead counts times the index was found ahead of the store's feed.
	Ahead uint64
	// Failures counts catch-ups that failed and were retried.
	Failures uint64
}

type indexCounters struct {
	applied, rebuilds, resets, ahead, failures atomic.Uint64
}

// Stats returns the index's counts so far.
func (ix *Index) Stats() Stats {
	c := &ix.counts
	return Stats{Seq: ix.seq.Load(), Built: ix.built.Load(), Applied: c.applied.Load(),
		Rebuilds: c.rebuilds.Load(), Resets: c.resets.Load(), Ahead: c.ahead.Load(), Failures: c.failures.Load()}
}

// Lag returns how many changes of the store's feed the index has not
// applied yet (0 when it is ahead, which the next CatchUp repairs).
func (ix *Index) Lag(ctx context.Context) (uint64, error) {
	last, err := ix.src.LastSeq(ctx)
	if err != nil {
		return 0, err
	}
	if seq := ix.seq.Load(); seq < last {
		return last - seq, nil
	}
	return 0, nil
}

// ReadSeq opens the index in dir read-only, while no process holds it,
// and returns the change-feed sequence number it has applied; built is
// false for a missing, empty or never filled index. It is for checks of a
// data folder ("faqwiki check"): it never changes or deletes anything.
func ReadSeq(dir string) (seq uint64, built bool, err error) {
	ok, err := isIndexDir(dir)
	if err != nil || !ok {
		return 0, false, err
	}
	if _, err := os.Stat(filepath.Join(dir, "index_meta.json")); err != nil {
		return 0, false, err
	}
	idx, err := bleve.OpenUsing(dir, map[string]any{"read_only": true, "bolt_timeout": DefaultLockTimeout.String()})
	if errors.Is(err, berrors.ErrTimeout) {
		return 0, false, fmt.Errorf("search: open %s: %w", dir, ErrLocked)
	}
	if err != nil {
		return 0, false, fmt.Errorf("search: open %s: %w", dir, err)
	}
	defer idx.Close()
	v, err := idx.GetInternal(keySeq)
	if err != nil {
		return 0, false, fmt.Errorf("search: read %s: %w", dir, err)
	}
	switch len(v) {
	case 0:
		return 0, false, nil
	case 8:
		return binary.BigEndian.Uint64(v), true, nil
	}
	return 0, false, errors.New("search: bad sequence number record")
}
