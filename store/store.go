// Package store keeps faqwiki's pages in one bbolt file, the wiki's single
// source of truth. DB implements wiki.PageStore and wiki.AccountStore: every
// public method is one bbolt transaction, revisions are immutable, and every
// commit appends to a change feed with a global, gap-free sequence number
// that the search index and other derived views follow.
//
// The file layout (buckets, keys, record encodings) is described in
// schema.go. Values are JSON of store-private record structs, never the wiki
// types themselves, so the domain can change without rewriting the file.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/faqwiki/faqwiki/wiki"
)

// ErrLocked means the bbolt file is held open by another process (usually a
// running faqwiki server), so this one could not take its file lock in time.
// Open wraps it with a message that names the data folder.
var ErrLocked = errors.New("store: database file is locked")

// Defaults for Options fields left zero.
const (
	// DefaultTimeout is how long Open waits for the file lock. It is short on
	// purpose: a command such as "faqwiki import" started while a server runs
	// must fail at once with ErrLocked, not hang.
	DefaultTimeout = time.Second

	// DefaultTextCacheBytes is the default of Options.TextCacheBytes.
	DefaultTextCacheBytes = 32 << 20
)

// Options configures Open. The zero value is ready to use.
type Options struct {
	// Timeout is how long to wait for the file lock; DefaultTimeout if <= 0.
	Timeout time.Duration

	// Clock stamps revisions committed with a zero CreatedAt; time.Now if nil.
	Clock wiki.Clock

	// MaxSize, if positive, is the most bytes the file may grow to: a
	// write that needs more fails as on a full disk (wrapping
	// wiki.ErrStorage) and writes nothing. Tests use it to fill the
	// "disk"; the operating system's own limits behave the same way.
	MaxSize int

	// ReadOnly opens the file for reading only, with a shared lock, so
	// that several readers (check, backup of a stopped server's folder)
	// may hold it while no writer does. The schema is checked but not
	// created or migrated, and every write fails.
	ReadOnly bool

	// TextCacheBytes bounds the memory kept for revision texts lately read
	// or written (DefaultTextCacheBytes if <= 0): the head of a page being
	// edited, the revisions blame walks through.
	TextCacheBytes int
}

// DB is a faqwiki page store in one bbolt file. It is safe for concurrent
// use by many goroutines; only one process may have the file open at a time.
type DB struct {
	bolt *bbolt.DB
	path string
	now  wiki.Clock

	// texts caches revision texts lately read or written (text.go).
	texts *textCache
	// views keeps decoded records of viewed pages, and viewStates what
	// page views read (view.go).
	views      viewRecords
	viewStates viewStates

	// writes counts write transactions done (committed or not): what was
	// read before it moved may be out of date.
	writes atomic.Uint64

	// authVersion counts the writes to accounts, sessions and tokens
	// (see AccountsVersion).
	authVersion atomic.Uint64

	// commits groups concurrent commits into shared transactions
	// (group.go).
	commits commitGroup
}

// Compile-time checks that DB is a wiki.PageStore and a wiki.AccountStore.
var (
	_ wiki.PageStore    = (*DB)(nil)
	_ wiki.AccountStore = (*DB)(nil)
)

// Open opens the store at path, creating the file (and its folder) if
// needed, creating any missing buckets and checking the schema version, all
// in one transaction. It returns an error wrapping ErrLocked if another
// process holds the file, and an error if the file is not a faqwiki store
// or was written by a newer schema version.
func Open(path string, opts Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: open: empty path")
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	now := opts.Clock
	if now == nil {
		now = time.Now
	}

	if opts.ReadOnly {
		// bbolt would create a missing file even read-only.
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("store: open %s: %w", path, err)
		}
	} else if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	b, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: timeout, MaxSize: opts.MaxSize, ReadOnly: opts.ReadOnly})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("store: open %s: the data folder is in use by another faqwiki process (stop it first): %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}

	init := initSchema
	if opts.ReadOnly {
		init = checkSchema
	}
	if err := runInit(b, opts.ReadOnly, init); err != nil {
		_ = b.Close() // the schema error is the one worth reporting
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if !opts.ReadOnly {
		// Holding the file's lock, no other process is taking a snapshot.
		removeStaleSnapshots(path)
	}
	cacheBytes := opts.TextCacheBytes
	if cacheBytes <= 0 {
		cacheBytes = DefaultTextCacheBytes
	}
	return &DB{bolt: b, path: path, now: now, texts: newTextCache(cacheBytes)}, nil
}

// runInit runs init in a write transaction, or a read transaction for a
// read-only file.
func runInit(b *bbolt.DB, readOnly bool, init func(*bbolt.Tx) error) error {
	if readOnly {
		return b.View(init)
	}
	return b.Update(init)
}

// BytesInUse returns how many bytes of the file hold data: the pages up
// to its high-water mark less those on the free list, which later writes
// reuse (a bbolt file never shrinks).
func (db *DB) BytesInUse() int64 {
	var size int64
	if err := db.bolt.View(func(tx *bbolt.Tx) error { size = tx.Size(); return nil }); err != nil {
		return 0
	}
	return size - int64(db.bolt.Stats().FreeAlloc)
}

// Path returns the path of the bbolt file.
func (db *DB) Path() string { return db.path }

// Close waits for open transactions to finish and closes the file, which
// releases the lock. Closing twice is harmless; other calls on a closed DB
// return an error.
func (db *DB) Close() error {
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", db.path, err)
	}
	return nil
}

// view runs fn in a read transaction, after checking that ctx is live.
// bbolt transactions cannot be interrupted, so ctx is only checked first;
// read transactions are kept short instead.
func (db *DB) view(ctx context.Context, fn func(tx *bbolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.View(fn)
}

// update runs fn in a write transaction, after checking that ctx is live.
// It is view's counterpart for every write but Commit, which has its own
// path through Batch.
//
// When fn succeeds but the transaction cannot be written (the disk is
// full, a write or fsync fails), the error wraps wiki.ErrStorage: bbolt
// has rolled the transaction back, so nothing of it is in the file.
func (db *DB) update(ctx context.Context, fn func(tx *bbolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var fnErr error
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		fnErr = fn(tx)
		return fnErr
	})
	db.writes.Add(1)
	if err != nil && fnErr == nil {
		return storageError(err)
	}
	return err
}

// updateAuth is update for the writes to accounts, sessions, tokens and
// password resets: it also moves AccountsVersion on, once the write is
// done, so that a cache of who is signed in (wiki.Accounts) drops what it
// holds.
func (db *DB) updateAuth(ctx context.Context, fn func(tx *bbolt.Tx) error) error {
	err := db.update(ctx, fn)
	db.authVersion.Add(1)
	return err
}

// AccountsVersion is a number that changes whenever this DB writes an
// account, session, token or password reset: what was read of them before
// may be out of date. (Writes by another process to the same file cannot
// happen: bbolt locks it.)
func (db *DB) AccountsVersion() uint64 { return db.authVersion.Load() }

// storageError marks err, a failure to write a transaction that was
// otherwise sound, as wiki.ErrStorage. bbolt does not always wrap the
// underlying error (a failed file resize is formatted with %s), so the
// kind is decided by where the error came from, not by its errno.
func storageError(err error) error {
	return fmt.Errorf("%w: %w", wiki.ErrStorage, err)
}

// putJSON stores v as JSON under key in b.
func putJSON(b *bbolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %T: %w", v, err)
	}
	return b.Put(key, data)
}

// Limits on the number of results of a listing.
const (
	defaultLimit = 50
	maxLimit     = 1000
)

// clampLimit turns a caller's limit into a usable one: the default for
// zero or less, maxLimit at most.
func clampLimit(n int) int {
	switch {
	case n <= 0:
		return defaultLimit
	case n > maxLimit:
		return maxLimit
	}
	return n
}

// stamp returns t as Unix nanoseconds, or the clock's time if t is zero.
// The caller has checked that t is in range. The clock is read here, before
// any transaction, and an error is returned if its time cannot be stored.
func (db *DB) stamp(t time.Time) (int64, error) {
	if !t.IsZero() {
		return nanos(t), nil
	}
	now := db.now()
	if !timeInRange(now) {
		return 0, fmt.Errorf("clock time %s is out of range", now)
	}
	return nanos(now), nil
}

// checkKey returns a *wiki.ValidationError if s cannot be (part of) a key:
// empty, or holding the 0x00 byte that separates composite keys.
func checkKey(field, s string) error {
	v := &wiki.ValidationError{}
	addKeyProblem(v, field, s)
	return validationResult(v)
}

// addKeyProblem records in v what keeps s from being a key, if anything.
func addKeyProblem(v *wiki.ValidationError, field, s string) {
	switch {
	case s == "":
		v.Add(field, "is required")
	case strings.IndexByte(s, 0) >= 0:
		v.Add(field, "contains a NUL byte")
	}
}

// addTimeProblem records in v that t, when set, cannot be stored.
func addTimeProblem(v *wiki.ValidationError, field string, t time.Time) {
	if !t.IsZero() && !timeInRange(t) {
		v.Add(field, "is outside the years 1678 to 2262")
	}
}

// validationResult returns v, or nil if it holds no problems, so that a
// nil *wiki.ValidationError never becomes a non-nil error.
func validationResult(v *wiki.ValidationError) error {
	if len(v.Fields) == 0 {
		return nil
	}
	return v
}
