package search

import (
	"bytes"
	"context"
	"crypto/rand"
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
//	bucket     key                         value
//	meta       "version"                   "2"
//	           "person_key"                the key people's hashes are made with
//	days       day 0x00 query              dayRecord JSON: that query's searches that day
//	evidence   slug "#" anchor             evidenceRecord JSON: what the log learned of a section (learn.go)
//	foundwith  query 0x00 query            foundWithRecord JSON: a query that answered a gap (learn.go)
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

// logVersion 2 added the evidence and foundwith buckets, the person key,
// and people in day records; a version 1 file is upgraded on open (its
// day records read the same).
const logVersion = "2"

// Defaults for LogOptions fields left zero.
const (
	DefaultRetention        = 400 * 24 * time.Hour
	DefaultMaxQueriesPerDay = 10000
	DefaultFlushInterval    = 2 * time.Second
	maxGaps                 = 500 // queries Gaps returns at most
	maxCohortsPerRecord     = 64
	maxPeoplePerRecord      = 200
	dayFormat               = "20060102"

	// A person's searches within these windows are one intent: the same
	// query again (a reload, the next page, coming back to the results),
	// or a refinement of their previous query (one extends the other, or
	// they share most words) soon after it.
	sameQueryWindow = 30 * time.Minute
	refineWindow    = 20 * time.Second
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
	lr      *learner
	opens   *sectionOpens // opens.go

	stop chan struct{}
	done chan struct{}
}

var _ wiki.SearchLog = (*Log)(nil)

type logKey struct{ day, query string }

// dayRecord is one query on one day.
type dayRecord struct {
	Searches int            `json:"s"`
	Opens    int            `json:"o,omitempty"`
	Results  int            `json:"r"`           // pages found by the latest search
	Weak     bool           `json:"w,omitempty"` // the latest search found only weak results
	LastAt   int64          `json:"t"`           // Unix ns of the latest search
	Cohorts  map[string]int `json:"c,omitempty"`
	People   []string       `json:"p,omitempty"` // keyed hashes of the people who searched, at most maxPeoplePerRecord
	Anon     int            `json:"n,omitempty"` // searches by nobody known
}

func (r *dayRecord) add(d *dayRecord) {
	r.Searches += d.Searches
	r.Opens += d.Opens
	r.Anon += d.Anon
	for _, p := range d.People {
		if len(r.People) < maxPeoplePerRecord && !slices.Contains(r.People, p) {
			r.People = append(r.People, p)
		}
	}
	if d.Searches > 0 && d.LastAt >= r.LastAt {
		r.LastAt, r.Results, r.Weak = d.LastAt, d.Results, d.Weak
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
		opens:     newSectionOpens(),
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
	m, err := newMapping()
	if err != nil {
		return nil, fmt.Errorf("search: open log: %w", err)
	}
	analyzer := m.AnalyzerNamed(textAnalyzer)
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
		case v == nil, string(v) == "1":
			if err := meta.Put(keyLogVersion, []byte(logVersion)); err != nil {
				return err
			}
		case string(v) != logVersion:
			return fmt.Errorf("search log version %q, want %q", v, logVersion)
		}
		for _, b := range [][]byte{bucketLogDays, bucketLogEvidence, bucketLogFoundWith, bucketLogOpens} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		key := meta.Get(keyLogSecret)
		if len(key) != 32 {
			key = make([]byte, 32)
			rand.Read(key)
			if err := meta.Put(keyLogSecret, key); err != nil {
				return err
			}
		}
		l.lr = newLearner(analyzer, bytes.Clone(key))
		if err := l.lr.load(tx, unixDay(l.now())); err != nil {
			return err
		}
		if err := l.opens.load(tx, l.now()); err != nil {
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

// LogSearch counts a search of e.Query; see wiki.SearchLog. A known
// person's reload of the same query within sameQueryWindow, or refinement
// of their previous query within refineWindow, is one search: the
// refinement takes the place of the query it refines. It only touches
// memory, and fails only on a closed Log (ErrClosed).
func (l *Log) LogSearch(ctx context.Context, e wiki.SearchEvent) error {
	q := wiki.NormalizeQuery(e.Query)
	if q == "" {
		return nil
	}
	at := e.At
	if at.IsZero() {
		at = l.now()
	}
	k := logKey{day: at.UTC().Format(dayFormat), query: q}
	d := &dayRecord{Searches: 1, Results: max(e.Results, 0), Weak: e.Weak && e.Results > 0, LastAt: at.UnixNano(), Cohorts: map[string]int{cutUTF8(e.Cohort, 64): 1}}
	if e.Person == "" {
		d.Anon = 1
		return l.record(k, d)
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	person := l.lr.personHash(e.Person)
	prev := l.lr.recent[person]
	now := &recentSearch{query: q, day: k.day, at: at}
	l.lr.recent[person] = now
	if e.Results == 0 || e.Weak {
		l.lr.lastGap[person] = now
	}
	l.mu.Unlock()
	switch {
	case prev != nil && prev.query == q && at.Sub(prev.at) < sameQueryWindow:
		return nil // the same search again: one intent
	case prev != nil && at.Sub(prev.at) < refineWindow && refines(prev.query, q):
		if err := l.record(logKey{day: prev.day, query: prev.query}, &dayRecord{Searches: -1}); err != nil {
			return err
		}
	}
	d.People = []string{person}
	return l.record(k, d)
}

// refines reports whether q is a refinement of prev: one extends the
// other, or they share at least half of the longer one's words.
func refines(prev, q string) bool {
	if strings.HasPrefix(q, prev) || strings.HasPrefix(prev, q) {
		return true
	}
	a, b := strings.Fields(prev), strings.Fields(q)
	shared := 0
	for _, w := range b {
		if slices.Contains(a, w) {
			shared++
		}
	}
	return 2*shared >= max(len(a), len(b))
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
		if a.Opens > 0 || a.Searches <= 0 {
			continue
		}
		cohorts := a.Cohorts
		if cohorts == nil {
			cohorts = map[string]int{}
		}
		people := len(a.People)
		if a.Anon > 0 {
			people++
		}
		gaps = append(gaps, wiki.Gap{
			Query: a.query, Count: a.Searches, People: max(people, 1), LastAt: time.Unix(0, a.LastAt).UTC(),
			Results: a.Results, Weak: a.Weak, Cohorts: cohorts, FoundWith: l.foundWith(a.query, sinceNs),
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

// foundWith lists the queries with which people who searched gap q
// (since sinceNs) then found an answer, most people first.
func (l *Log) foundWith(q string, sinceNs int64) []wiki.FoundWith {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []wiki.FoundWith{}
	prefix := q + "\x00"
	for k, r := range l.lr.found {
		if strings.HasPrefix(k, prefix) && r.LastAt >= sinceNs {
			out = append(out, wiki.FoundWith{Query: k[len(prefix):], People: len(r.People), Slug: wiki.Slug(r.Slug), Anchor: r.Anchor})
		}
	}
	slices.SortFunc(out, func(a, b wiki.FoundWith) int {
		if a.People != b.People {
			return b.People - a.People
		}
		return strings.Compare(a.Query, b.Query)
	})
	return out[:min(len(out), 5)]
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
	dirty, dirtyFW := l.lr.takeDirty(l.now())
	l.mu.Unlock()
	return l.write(pending, dirty, dirtyFW)
}

// write adds pending to the file, with the learned evidence and
// found-with records marked dirty. On failure it puts the counts and the
// marks back to be written next time. The caller holds flushMu.
func (l *Log) write(pending map[logKey]*dayRecord, dirty, dirtyFW map[string]bool) error {
	if len(pending) == 0 && len(dirty) == 0 && len(dirtyFW) == 0 {
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
		// The evidence is read under mu: searches and opens go on.
		l.mu.Lock()
		err := l.lr.write(tx, dirty, dirtyFW)
		l.mu.Unlock()
		if err != nil {
			return err
		}
		if err := l.opens.write(tx); err != nil {
			return err
		}
		return l.prune(tx)
	})
	l.opens.done(err)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.lr.restore(dirty, dirtyFW)
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
	if err := pruneOpens(tx, cutoff); err != nil {
		return err
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
	dirty, dirtyFW := l.lr.takeDirty(l.now())
	l.mu.Unlock()
	ferr := l.write(pending, dirty, dirtyFW)
	l.flushMu.Unlock()
	close(l.stop)
	<-l.done
	if err := l.db.Close(); err != nil {
		return errors.Join(ferr, fmt.Errorf("search: close log: %w", err))
	}
	return ferr
}
