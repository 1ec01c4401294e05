package search

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/faqwiki/faqwiki/wiki/markdown"
)

// Sectioner splits a page's Markdown into sections. *markdown.Renderer is the
// one faqwiki uses.
type Sectioner interface {
	Sections(markdown string) []markdown.Section
}

// Defaults for Options fields left zero.
const (
	DefaultPollInterval = 200 * time.Millisecond
	DefaultBatchChanges = 256
	DefaultLockTimeout  = time.Second
)

// ErrLocked means another process holds the index folder open.
var ErrLocked = errors.New("search: index is locked by another process")

// ErrClosed is returned by the methods of a closed Index.
var ErrClosed = errors.New("search: index is closed")

// Options configures Open. The zero value is ready to use.
type Options struct {
	// Logger receives indexing errors (indexing never fails a save; it logs
	// and a rebuild repairs) and progress lines of long work. Discarded if
	// nil.
	Logger *slog.Logger

	// PollInterval is how often Run looks at the change feed when nobody
	// calls Notify; DefaultPollInterval if <= 0.
	PollInterval time.Duration

	// BatchChanges is how many changes CatchUp applies per index batch;
	// DefaultBatchChanges if <= 0.
	BatchChanges int

	// LockTimeout is how long Open waits for the index folder's file lock
	// before it fails with ErrLocked; DefaultLockTimeout if <= 0.
	LockTimeout time.Duration

	// Synonyms gives the trainers' synonym list that queries are expanded
	// with (see synonym.go); nil for none.
	Synonyms SynonymSource

	// Learner gives what search learned from use (a *Log); nil for
	// nothing.
	Learner Learner

	// BulkLoad tunes the index for taking in many pages at once, as an
	// import does: segments are merged in bigger, rarer steps, which
	// leaves more of them behind for the next Open to merge in the
	// background.
	BulkLoad bool
}

// Index is the search index of a wiki: section documents in a bleve index
// in one folder, kept up to date from a wiki.PageFeed's change feed. It
// implements wiki.Searcher and is safe for concurrent use.
type Index struct {
	dir   string
	src   wiki.PageFeed
	sec   Sectioner
	log   *slog.Logger
	poll  time.Duration
	batch int
	lock  time.Duration
	bulk  bool

	// mu guards idx: Search reads it; Rebuild swaps it; Close clears it.
	mu  sync.RWMutex
	idx bleve.Index

	// applyMu serializes the writers (CatchUp, Rebuild), so that sequence
	// numbers only move forward.
	applyMu sync.Mutex
	// seq is the last change applied (mirrors the internal key seqKey);
	// built is false while the index has never been filled from the store.
	seq   atomic.Uint64
	built atomic.Bool

	notify   chan struct{}
	mapped   mapping.IndexMapping
	synonyms *synonymCache
	learner  Learner
	meta     *metaCache // pages' titles and tags, for search results

	counts indexCounters
}

var _ wiki.Searcher = (*Index)(nil)

// Keys of the index's internal storage, written in the same batch as the
// documents they describe.
var (
	keyVersion = []byte("faqwiki.mapping") // mappingVersion of the documents
	keySeq     = []byte("faqwiki.seq")     // last change-feed sequence applied, 8 bytes big-endian
	// keyPersisted is written by persist, which needs a batch to wait for.
	keyPersisted = []byte("faqwiki.persisted")
)

// Open opens the index in dir, creating it if dir does not exist or is
// empty. If the index there cannot be opened, or was made with another
// mapping version, Open deletes it and starts an empty one (logging a
// warning): it is derived data. A new or emptied index is filled from src
// by the first CatchUp (or Run), which rebuilds it from the pages rather
// than replaying the whole change feed, so Open itself stays quick.
//
// Open returns an error wrapping ErrLocked if another process holds the
// index, and an error if dir holds something other than a bleve index (it
// never deletes a folder it did not make).
func Open(dir string, src wiki.PageFeed, sections Sectioner, opts Options) (*Index, error) {
	if dir == "" {
		return nil, errors.New("search: open: empty index folder")
	}
	if src == nil || sections == nil {
		return nil, errors.New("search: open: a page store and a sectioner are required")
	}
	ix := &Index{
		dir:     filepath.Clean(dir),
		src:     src,
		sec:     sections,
		log:     opts.Logger,
		poll:    opts.PollInterval,
		batch:   opts.BatchChanges,
		bulk:    opts.BulkLoad,
		lock:    opts.LockTimeout,
		notify:  make(chan struct{}, 1),
		learner: opts.Learner,
		meta:    newMetaCache(maxMetaPages, maxDocBytes),
	}
	if ix.log == nil {
		ix.log = slog.New(slog.DiscardHandler)
	}
	if ix.poll <= 0 {
		ix.poll = DefaultPollInterval
	}
	if ix.batch <= 0 {
		ix.batch = DefaultBatchChanges
	}
	if ix.lock <= 0 {
		ix.lock = DefaultLockTimeout
	}
	m, err := newMapping()
	if err != nil {
		return nil, fmt.Errorf("search: mapping: %w", err)
	}
	ix.mapped = m
	if opts.Synonyms != nil {
		ix.synonyms = &synonymCache{src: opts.Synonyms, analyzer: m.AnalyzerNamed(textAnalyzer)}
	}
	idx, err := ix.openOrCreate(ix.dir)
	if err != nil {
		return nil, err
	}
	// A rebuild interrupted by a crash leaves its folder behind; holding
	// the index's lock, we are the one process that could be rebuilding.
	if err := removeIndexDir(ix.rebuildDir()); err != nil {
		_ = idx.Close()
		return nil, fmt.Errorf("search: open %s: %w", dir, err)
	}
	ix.idx = idx
	if err := ix.loadSeq(idx); err != nil {
		_ = idx.Close()
		return nil, fmt.Errorf("search: open %s: %w", dir, err)
	}
	return ix, nil
}

// openOrCreate opens the bleve index at dir, or makes a new empty one when
// there is none, it is damaged, or its mapping version is not ours.
func (ix *Index) openOrCreate(dir string) (bleve.Index, error) {
	switch ok, err := isIndexDir(dir); {
	case err != nil:
		return nil, fmt.Errorf("search: open %s: %w", dir, err)
	case !ok:
		return ix.create(dir)
	}
	idx, err := bleve.OpenUsing(dir, ix.runtimeConfig())
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("search: open %s: %w", dir, ErrLocked)
	}
	if err == nil {
		v, verr := idx.GetInternal(keyVersion)
		if verr == nil && string(v) == mappingVersion {
			return idx, nil
		}
		_ = idx.Close()
		err = fmt.Errorf("mapping version %q, want %q", v, mappingVersion)
		if verr != nil {
			err = verr
		}
	}
	ix.counts.resets.Add(1)
	ix.log.Warn("search: index is unusable; deleting it to rebuild from the store", "dir", dir, "err", err)
	if err := removeIndexDir(dir); err != nil {
		return nil, fmt.Errorf("search: open %s: %w", dir, err)
	}
	return ix.create(dir)
}

// create makes a new, empty index at dir (which must not exist or be
// empty), stamped with the mapping version but with no sequence number, so
// that the first CatchUp fills it from the store.
func (ix *Index) create(dir string) (bleve.Index, error) {
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("search: create %s: %w", dir, err) // not empty: not ours to replace
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o750); err != nil {
		return nil, fmt.Errorf("search: create %s: %w", dir, err)
	}
	idx, err := bleve.NewUsing(dir, ix.mapped, scorch.Name, scorch.Name, ix.runtimeConfig())
	if err != nil {
		return nil, fmt.Errorf("search: create %s: %w", dir, err)
	}
	if err := idx.SetInternal(keyVersion, []byte(mappingVersion)); err != nil {
		_ = idx.Close()
		return nil, fmt.Errorf("search: create %s: %w", dir, err)
	}
	return idx, nil
}

// runtimeConfig is how bleve opens the index. unsafe_batch lets a batch
// return once its documents are searchable, without waiting for them to
// reach the disk (an fsync per batch, which held every batch of the
// change feed up and so the edits' visibility in search): the index is
// derived data, and the sequence number a batch moves it to is written in
// that same batch, so a crash that loses a batch loses its number with it
// and the next CatchUp applies those changes again.
//
// For a bulk load, scorch's merge plan lets 25 segments gather in a tier
// before it merges them, not 10: an import of 20,000 pages spent a tenth
// of its time merging, and this took 7% off its time.
func (ix *Index) runtimeConfig() map[string]any {
	c := map[string]any{"bolt_timeout": ix.lock.String(), "unsafe_batch": true}
	if ix.bulk {
		c["scorchMergePlanOptions"] = map[string]any{
			"MaxSegmentsPerTier":   bulkSegmentsPerTier,
			"SegmentsPerMergeTask": bulkSegmentsPerTier,
			"TierGrowth":           float64(bulkSegmentsPerTier),
		}
	}
	return c
}

// bulkSegmentsPerTier is the merge plan's fan-in for a bulk load (scorch's
// default is 10).
const bulkSegmentsPerTier = 25

// loadSeq reads the applied sequence number of idx into ix.
func (ix *Index) loadSeq(idx bleve.Index) error {
	v, err := idx.GetInternal(keySeq)
	if err != nil {
		return err
	}
	switch len(v) {
	case 0:
		ix.seq.Store(0)
		ix.built.Store(false)
	case 8:
		ix.seq.Store(binary.BigEndian.Uint64(v))
		ix.built.Store(true)
	default:
		return fmt.Errorf("bad sequence number record (%d bytes)", len(v))
	}
	return nil
}

func seqBytes(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// Seq returns the last change-feed sequence number the index has applied.
func (ix *Index) Seq() uint64 { return ix.seq.Load() }

// Dir returns the index folder.
func (ix *Index) Dir() string { return ix.dir }

// DocCount returns the number of section documents in the index.
func (ix *Index) DocCount() (uint64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return 0, ErrClosed
	}
	n, err := ix.idx.DocCount()
	if err != nil {
		return 0, fmt.Errorf("search: count documents: %w", err)
	}
	return n, nil
}

// Close closes the index. It waits for a CatchUp or Rebuild in progress,
// so cancel the context of Run (and of any Rebuild) first. Calls after
// Close return ErrClosed; closing twice is not an error.
func (ix *Index) Close() error {
	ix.applyMu.Lock()
	defer ix.applyMu.Unlock()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.idx == nil {
		return nil
	}
	err := persist(ix.idx)
	if cerr := ix.idx.Close(); err == nil {
		err = cerr
	}
	ix.idx = nil
	if err != nil {
		return fmt.Errorf("search: close %s: %w", ix.dir, err)
	}
	return nil
}

// persistTimeout bounds how long persist waits for the disk.
const persistTimeout = time.Minute

// persist waits until every batch applied to idx is on disk: batches
// return before that (see runtimeConfig), and bleve's Close does not wait
// for them. An empty batch is applied and waited for; bleve writes the
// index's state in order, so once it is persisted so is everything
// before it.
func persist(idx bleve.Index) error {
	b := idx.NewBatch()
	b.SetInternal(keyPersisted, []byte{1})
	done := make(chan error, 1)
	b.SetPersistedCallback(func(err error) { done <- err })
	if err := idx.Batch(b); err != nil {
		return err
	}
	select {
	case err := <-done:
		return err
	case <-time.After(persistTimeout):
		return errors.New("search: the index did not reach the disk in time")
	}
}

// current returns the open bleve index, or ErrClosed. The caller holds
// ix.mu (read or write).
func (ix *Index) current() (bleve.Index, error) {
	if ix.idx == nil {
		return nil, ErrClosed
	}
	return ix.idx, nil
}

// Health reports whether the index answers: nil, or an error.
func (ix *Index) Health(ctx context.Context) error {
	_, err := ix.DocCount()
	return err
}

func (ix *Index) rebuildDir() string { return ix.dir + ".rebuild" }

// isIndexDir reports whether dir holds a bleve index. It is false for a
// missing or empty folder and an error for a folder with other things in
// it, which Open must not delete.
func isIndexDir(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if len(entries) == 0 {
		return false, nil
	}
	if _, err := os.Stat(filepath.Join(dir, "index_meta.json")); err == nil {
		return true, nil
	}
	return false, fmt.Errorf("%s is not empty and holds no search index; refusing to replace it", dir)
}

// removeIndexDir deletes dir if it is missing, empty or a bleve index, and
// fails otherwise.
func removeIndexDir(dir string) error {
	ok, err := isIndexDir(dir)
	if err != nil {
		return err
	}
	if !ok {
		if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	return os.RemoveAll(dir)
}
