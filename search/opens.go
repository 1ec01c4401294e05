package search

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"sort"
	"sync"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// Section opens: how often each section (a FAQ question) was opened from
// a search, per day, for the home page's "most opened this month". Only
// counts are kept, never who opened what:
//
//	bucket  key                  value
//	opens   day 0x00 slug#anchor uint32 big-endian: opens that day
//
// The last opensDays days are also kept in memory (loaded on open), so
// MostOpened reads no file; new opens are written with the rest of the log
// at each flush.

var bucketLogOpens = []byte("opens")

const (
	opensDays      = 31   // days kept in memory, enough for "this month"
	maxOpensPerDay = 5000 // distinct sections counted per day; more are dropped
)

// sectionOpens is the in-memory side of the opens bucket.
type sectionOpens struct {
	mu      sync.Mutex
	days    map[string]map[string]int // day -> docID -> opens (the last opensDays days)
	pending map[string]map[string]int // not written yet
	writing map[string]map[string]int // taken by the flush in progress
}

func newSectionOpens() *sectionOpens {
	return &sectionOpens{days: map[string]map[string]int{}, pending: map[string]map[string]int{}}
}

func opensKey(day, id string) []byte { return append(append([]byte(day), 0), id...) }

// load reads the last opensDays days before today from the file.
func (o *sectionOpens) load(tx *bbolt.Tx, today time.Time) error {
	b := tx.Bucket(bucketLogOpens)
	from := []byte(today.AddDate(0, 0, -opensDays).UTC().Format(dayFormat))
	c := b.Cursor()
	for k, v := c.Seek(from); k != nil; k, v = c.Next() {
		i := bytes.IndexByte(k, 0)
		if i < 0 || len(v) != 4 {
			return fmt.Errorf("corrupt opens record %q", k)
		}
		day, id := string(k[:i]), string(k[i+1:])
		if o.days[day] == nil {
			o.days[day] = map[string]int{}
		}
		o.days[day][id] = int(binary.BigEndian.Uint32(v))
	}
	return nil
}

// add counts one open of id on day.
func (o *sectionOpens) add(day, id string, today time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	d := o.days[day]
	if d == nil {
		d = map[string]int{}
		o.days[day] = d
		o.forget(today)
	}
	if _, ok := d[id]; !ok && len(d) >= maxOpensPerDay {
		return
	}
	d[id]++
	if o.pending[day] == nil {
		o.pending[day] = map[string]int{}
	}
	o.pending[day][id]++
}

// forget drops days older than opensDays from memory.
func (o *sectionOpens) forget(today time.Time) {
	cut := today.AddDate(0, 0, -opensDays).UTC().Format(dayFormat)
	for day := range o.days {
		if day < cut {
			delete(o.days, day)
		}
	}
}

// write adds the pending counts to the file in tx. done must be called
// with the transaction's outcome.
func (o *sectionOpens) write(tx *bbolt.Tx) error {
	o.mu.Lock()
	if o.writing == nil {
		o.writing, o.pending = o.pending, map[string]map[string]int{}
	}
	w := o.writing
	o.mu.Unlock()
	b := tx.Bucket(bucketLogOpens)
	for day, ids := range w {
		for id, n := range ids {
			k := opensKey(day, id)
			if v := b.Get(k); len(v) == 4 {
				n += int(binary.BigEndian.Uint32(v))
			}
			if err := b.Put(k, binary.BigEndian.AppendUint32(nil, uint32(min(n, 1<<31)))); err != nil {
				return err
			}
		}
	}
	return nil
}

// done ends a write: on failure the counts it took are pending again.
func (o *sectionOpens) done(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		for day, ids := range o.writing {
			if o.pending[day] == nil {
				o.pending[day] = map[string]int{}
			}
			for id, n := range ids {
				o.pending[day][id] += n
			}
		}
	}
	o.writing = nil
}

// pruneOpens deletes the opens records older than the log's retention.
func pruneOpens(tx *bbolt.Tx, cutoff []byte) error {
	c := tx.Bucket(bucketLogOpens).Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k, cutoff) < 0; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

// MostOpened lists up to limit sections opened from searches at or after
// since (at most opensDays back), most opened first; see wiki.OpenCounts.
func (l *Log) MostOpened(ctx context.Context, since time.Time, limit int) ([]wiki.SectionOpen, error) {
	if limit <= 0 {
		limit = 10
	}
	from := since.UTC().Format(dayFormat)
	o := l.opens
	o.mu.Lock()
	total := map[string]int{}
	for day, ids := range o.days {
		if day < from {
			continue
		}
		for id, n := range ids {
			total[id] += n
		}
	}
	o.mu.Unlock()
	out := make([]wiki.SectionOpen, 0, len(total))
	for id, n := range total {
		slug, anchor := splitDocID(id)
		out = append(out, wiki.SectionOpen{Slug: slug, Anchor: anchor, Opens: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Opens != out[j].Opens {
			return out[i].Opens > out[j].Opens
		}
		if out[i].Slug != out[j].Slug {
			return out[i].Slug < out[j].Slug
		}
		return out[i].Anchor < out[j].Anchor
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

var _ wiki.OpenCounts = (*Log)(nil)
