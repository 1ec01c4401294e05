package search

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/faqwiki/faqwiki/wiki"
)

// The gap log's file, a bbolt database of its own (never inside the index
// folder, which a rebuild deletes):
//
//	bucket  key                         value
//	meta    "version"                   "1"
//	days    day 0x00 query              dayRecord JSON: that query's searches that day
//
// day is the UTC date as "20060102", so keys sort by day and a period is
// one cursor range; query is the normalized query (wiki.NormalizeQuery).
// One record per query per day, whatever the number of searches, keeps the
// file small; records older than the retention period are removed, and a
// day takes at most MaxQueriesPerDay distinct queries (more are counted in
// the log's Dropped and not stored).
var (
	bucketLogMeta = []byte("meta")
	bucketLogDays = []byte("days")
	keyLogVersion = []byte("version")
)

const logVersion = "1"

// Defaults for LogOptions fields left zero.
const (
	DefaultRetention        = 400 * 24 * time.Hour
	DefaultMaxQueriesPerDay = 10000
	DefaultFlushInterval    = 2 * time.Second
	maxGaps                 = 500 // queries Gaps returns at most
	maxCohortsPerRecord     = 64
	dayFormat               = "20060102"
)

// LogOptions configures OpenLog. The zero value is ready to use.
type LogOptions struct {
	// Timeout is how long to wait for the file lock; DefaultLockTimeout if <= 0.
	Timeout time.Duration
	// Retention is how long records are kept; DefaultRetention if <= 0.
	Retention time.Duration
	// MaxQueriesPerDay bounds the distinct queries stored per day;
	// DefaultMaxQueriesPerDay if <= 0.
	MaxQueriesPerDay int
	// FlushInterval is how long searches are counted in memory before they
	// are written (one transaction for all of them); DefaultFlushInterval
	// if <= 0. A crash loses at most this much of the log.
	FlushInterval time.Duration
	// Clock tells the time; time.Now if nil.
	Clock wiki.Clock
	// Logger receives flush errors; discarded if nil.
	Logger *slog.Logger
}

// Log is the search-gap log in a bbolt file. It implements wiki.SearchLog
// and is safe for concurrent use. Searches and opens are counted in memory
// and written every FlushInterval, so logging never waits for the disk.
type Log struct {
	db        *bbolt.DB
	now       wiki.Clock
	log       *slog.Logger
	retention time.Duration
	maxPerDay int

	// flushMu serializes writers of the file (Flush, Close) and guards
	// perDay; mu guards the rest, so that counting a search never waits
	// for the disk.
	flushMu sync.Mutex
	perDay  map[string]int // distinct queries stored per day, for days seen since open

	mu      sync.Mutex
	pending map[logKey]*dayRecord
	dropped int
	closed  bool

	stop chan struct{}
	done chan struct{}
}

var _ wiki.SearchLog = (*Log)(nil)

type logKey struct{ day, query string }

// dayRecord is one query on one day.
type dayRecord struct {
	Searches int            `json:"s"`
	Opens    int            `json:"o,omitempty"`
	Results  int            `json:"r"` // pages found by the latest search
	LastAt   int64          `json:"t"` // Unix ns of the latest search
	Cohorts  map[string]int `json:"c,omitempty"`
}

func (r *dayRecord) add(d *dayRecord) {
	r.Searches += d.Searches
	r.Opens += d.Opens
	if d.Searches > 0 && d.LastAt >= r.LastAt {
		r.LastAt, r.Results = d.LastAt, d.Results
	}
	for c, n := range d.Cohorts {
		if _, ok := r.Cohorts[c]; !ok && len(r.Cohorts) >= maxCohortsPerRecord {
			continue
		}
		if r.Cohorts == nil {
			r.Cohorts = map[string]int{}
		}
		r.Cohorts[c] += n
	}
}

// OpenLog opens (creating if needed) the gap log at path, which should lie
// outside the index folder, e.g. <data>/searchlog.db. It returns an error
// wrapping ErrLocked if another process holds the file, and an error if the
// file is not a gap log.
func OpenLog(path string, opts LogOptions) (*Log, error) {
	if path == "" {
		return nil, errors.New("search: open log: empty path")
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	l := &Log{
		now:       opts.Clock,
		log:       opts.Logger,
		retention: opts.Retention,
		maxPerDay: opts.MaxQueriesPerDay,
		pending:   map[logKey]*dayRecord{},
		perDay:    map[string]int{},
		stop:      make(chan struct{}),
		done:      make(chan struct{}),
	}
	if l.now == nil {
		l.now = time.Now
	}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	if l.retention <= 0 {
		l.retention = DefaultRetention
	}
	if l.maxPerDay <= 0 {
		l.maxPerDay = DefaultMaxQueriesPerDay
	}
	flush := opts.FlushInterval
	if flush <= 0 {
		flush = DefaultFlushInterval
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("search: open log %s: %w", path, err)
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: timeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("search: open log %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("search: open log %s: %w", path, err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketLogMeta)
		if err != nil {
			return err
		}
		switch v := meta.Get(keyLogVersion); {
		case v == nil:
			if err := meta.Put(keyLogVersion, []byte(logVersion)); err != nil {
				return err
			}
		case string(v) != logVersion:
			return fmt.Errorf("search log version %q, want %q", v, logVersion)
		}
		if _, err := tx.CreateBucketIfNotExists(bucketLogDays); err != nil {
			return err
		}
		return l.prune(tx)
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("search: open log %s: %w", path, err)
	}
	l.db = db
	go l.flushLoop(flush)
	return l, nil
}

// LogSearch counts a search of e.Query; see wiki.SearchLog. It only
// touches memory, and fails only on a closed Log (ErrClosed).
func (l *Log) LogSearch(ctx context.Context, e wiki.SearchEvent) error {
	q := wiki.NormalizeQuery(e.Query)
	if q == "" {
		return nil
	}
	at := e.At
	if at.IsZero() {
		at = l.now()
	}
	d := &dayRecord{Searches: 1, Results: max(e.Results, 0), LastAt: at.UnixNano(), Cohorts: map[string]int{cutUTF8(e.Cohort, 64): 1}}
	return l.record(logKey{day: at.UTC().Format(dayFormat), query: q}, d)
}

// LogOpen counts an opened result of a search for query; see
// wiki.SearchLog. slug and anchor are not stored: an open only tells that
// the query found an answer. It fails only on a closed Log (ErrClosed).
func (l *Log) LogOpen(ctx context.Context, query string, slug wiki.Slug, anchor string) error {
	q := wiki.NormalizeQuery(query)
	if q == "" {
		return nil
	}
	return l.record(logKey{day: l.now().UTC().Format(dayFormat), query: q}, &dayRecord{Opens: 1})
}

func (l *Log) record(k logKey, d *dayRecord) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	r := l.pending[k]
	if r == nil {
		if len(l.pending) >= l.maxPerDay*2 {
			l.dropped++ // a flood between two flushes
			return nil
		}
		r = &dayRecord{}
		l.pending[k] = r
	}
	r.add(d)
	return nil
}

// Gaps lists the queries searched at or after since (at day granularity:
// a day's record counts if its latest search is at or after since) that
// nobody opened a result of, most searched first, at most 500. It writes
// pending counts first. It returns an error if the log cannot be written
// or read, and ErrClosed on a closed Log.
func (l *Log) Gaps(ctx context.Context, since time.Time) ([]wiki.Gap, error) {
	if err := l.Flush(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	type agg struct {
		dayRecord
		query string
	}
	byQuery := map[string]*agg{}
	first := []byte(since.UTC().Format(dayFormat))
	sinceNs := since.UnixNano()
	err := l.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketLogDays).Cursor()
		for k, v := c.Seek(first); k != nil; k, v = c.Next() {
			_, q, ok := bytes.Cut(k, []byte{0})
			if !ok {
				continue
			}
			var r dayRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode record %q: %w", k, err)
			}
			if r.Searches == 0 && r.Opens == 0 || r.Searches > 0 && r.LastAt < sinceNs {
				continue
			}
			a := byQuery[string(q)]
			if a == nil {
				a = &agg{query: string(q)}
				byQuery[string(q)] = a
			}
			a.add(&r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("search: read gaps: %w", err)
	}
	gaps := []wiki.Gap{}
	for _, a := range byQuery {
		if a.Opens > 0 || a.Searches == 0 {
			continue
		}
		cohorts := a.Cohorts
		if cohorts == nil {
			cohorts = map[string]int{}
		}
		gaps = append(gaps, wiki.Gap{
			Query: a.query, Count: a.Searches, LastAt: time.Unix(0, a.LastAt).UTC(),
			Results: a.Results, Cohorts: cohorts,
		})
	}
	slices.SortFunc(gaps, func(a, b wiki.Gap) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		if c := b.LastAt.Compare(a.LastAt); c != 0 {
			return c
		}
		return strings.Compare(a.Query, b.Query)
	})
	if len(gaps) > maxGaps {
		gaps = gaps[:maxGaps]
	}
	return gaps, nil
}

// Flush writes the counts kept in memory, in one transaction, while
// searches go on being counted. The Log does it on its own every
// FlushInterval and on Close. It returns an error if the file cannot be
// written (the counts are then kept for the next try) and ErrClosed on a
// closed Log.
func (l *Log) Flush() error {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	pending := l.pending
	l.pending = map[logKey]*dayRecord{}
	l.mu.Unlock()
	return l.write(pending)
}

// write adds pending to the file. On failure it puts the counts back to
// be written next time. The caller holds flushMu.
func (l *Log) write(pending map[logKey]*dayRecord) error {
	if len(pending) == 0 {
		return nil
	}
	dropped := 0
	counted := map[string]int{}
	err := l.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketLogDays)
		dropped = 0
		clear(counted)
		for k, d := range pending {
			key := append(append([]byte(k.day), 0), k.query...)
			var r dayRecord
			if v := b.Get(key); v != nil {
				if err := json.Unmarshal(v, &r); err != nil {
					return fmt.Errorf("decode record %q: %w", key, err)
				}
			} else {
				n, ok := counted[k.day]
				if !ok {
					n = l.perDayCount(b, k.day)
				}
				if n >= l.maxPerDay {
					dropped++
					counted[k.day] = n
					continue
				}
				counted[k.day] = n + 1
			}
			r.add(d)
			v, err := json.Marshal(&r)
			if err != nil {
				return err
			}
			if err := b.Put(key, v); err != nil {
				return err
			}
		}
		return l.prune(tx)
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		for k, d := range pending {
			if r := l.pending[k]; r != nil {
				d.add(r)
			}
			l.pending[k] = d
		}
		return fmt.Errorf("search: write search log: %w", err)
	}
	for day, n := range counted {
		l.perDay[day] = n
	}
	l.dropped += dropped
	return nil
}

// perDayCount returns how many queries day holds, counting them once per
// day and process.
func (l *Log) perDayCount(b *bbolt.Bucket, day string) int {
	if n, ok := l.perDay[day]; ok {
		return n
	}
	n := 0
	prefix := append([]byte(day), 0)
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && n < l.maxPerDay; k, _ = c.Next() {
		n++
	}
	return n
}

// prune deletes the records older than the retention period.
func (l *Log) prune(tx *bbolt.Tx) error {
	cutoff := []byte(l.now().Add(-l.retention).UTC().Format(dayFormat))
	c := tx.Bucket(bucketLogDays).Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k, cutoff) < 0; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	for day := range l.perDay {
		if day < string(cutoff) {
			delete(l.perDay, day)
		}
	}
	return nil
}

// Dropped returns how many distinct queries were not stored because a day
// was full (see LogOptions.MaxQueriesPerDay).
func (l *Log) Dropped() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.dropped
}

func (l *Log) flushLoop(every time.Duration) {
	defer close(l.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			if err := l.Flush(); err != nil && !errors.Is(err, ErrClosed) {
				l.log.Error("search: writing the search log failed; will retry", "err", err)
			}
		}
	}
}

// Close writes what is pending and closes the file. Calls after Close
// return ErrClosed; closing twice is not an error.
func (l *Log) Close() error {
	l.flushMu.Lock()
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		l.flushMu.Unlock()
		return nil
	}
	l.closed = true
	pending := l.pending
	l.pending = map[logKey]*dayRecord{}
	l.mu.Unlock()
	ferr := l.write(pending)
	l.flushMu.Unlock()
	close(l.stop)
	<-l.done
	if err := l.db.Close(); err != nil {
		return errors.Join(ferr, fmt.Errorf("search: close log: %w", err))
	}
	return ferr
}
