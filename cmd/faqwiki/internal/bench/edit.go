package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// edits has the suite's editors change a line of a page of their own
// each, probes how soon search finds what they wrote, and compares the
// rate with raw bbolt Batch on the same disk; then editsOfOnePage.
func (s *suite) edits(ctx context.Context) error {
	e := s.cfg.Editors
	lim := Limits{N: s.cfg.N, D: s.cfg.D}
	// Each editor's page, and the texts they change line by line.
	pages := make([]Page, e)
	revs := make([]int, e)
	lines := make([][]string, e)
	for w := range e {
		p := s.corpus.Page(w, 1)
		p.Slug = fmt.Sprintf("bench/edit-%02d", w)
		rev, err := s.put(ctx, p, 0)
		if err != nil {
			return err
		}
		pages[w], revs[w], lines[w] = p, rev, strings.Split(p.Markdown, "\n")
	}
	if err := s.waitIndexed(ctx, time.Minute); err != nil {
		return err
	}
	txBefore, err := s.commitCounts(ctx)
	if err != nil {
		return err
	}
	probes := s.startProbes()
	count := make([]int, e) // edits by each editor: each changes the next line
	r := run(ctx, "edit", e, lim, func(w, i int) error {
		ls := lines[w]
		k := 2 + count[w]%(len(ls)-2)
		count[w]++
		word := fmt.Sprintf("zqx%dq%d", w, i)
		ls[k] = "Edited by " + word + "."
		p := pages[w]
		p.Markdown = strings.Join(ls, "\n")
		rev, err := s.put(ctx, p, revs[w])
		if err != nil {
			return err
		}
		revs[w] = rev
		if i%10 == 0 {
			probes.offer(word)
		}
		return nil
	})
	probes.stop()
	txAfter, err := s.commitCounts(ctx)
	if err != nil {
		return err
	}
	// How far behind the index is when the edits stop, and how long it
	// takes to catch up.
	h, err := s.health(ctx)
	if err != nil {
		return err
	}
	caught := time.Now()
	if err := s.waitIndexed(ctx, 10*time.Minute); err != nil {
		return err
	}
	behind := fmt.Sprintf("index %d changes behind when the edits stopped, caught up %s later", h.IndexLag, time.Since(caught).Round(time.Millisecond))

	out, err := runOutput(ctx, s.cfg.ServerCPU, s.cfg.Exe, "bench", "ceiling-bolt", "-path", filepath.Join(s.cfg.Dir, "ceiling.db"),
		"-c", strconv.Itoa(e), "-size", "1024", "-n", strconv.Itoa(lim.N), "-d", lim.D.String())
	if err != nil {
		return err
	}
	var j jsonResult
	if err := json.Unmarshal(out, &j); err != nil {
		return err
	}
	ceil := fromJSON("bbolt", j)
	s.add(row{what: fmt.Sprintf("%d editors, each on a page of their own (one line changed)", e), r: r,
		ceiling: fmt.Sprintf("raw bbolt Batch, %d writers: %.0f/s", e, ceil.PerSec()), ratio: r.PerSec() / ceil.PerSec(),
		note: probes.summary() + "; " + behind + "\n" + txAfter.since(txBefore).String()})
	s.add(row{what: fmt.Sprintf("  (ceiling) raw bbolt Batch, %d writers, 1 KB each, same disk", e), r: ceil, note: ceilingTxNote(j)})

	return s.editsOfOnePage(ctx, ceil)
}

// editsOfOnePage puts all editors on one page, each changing a paragraph
// of their own: every save merges with the saves since the editor's read.
func (s *suite) editsOfOnePage(ctx context.Context, ceil *Result) error {
	e := s.cfg.Editors
	lim := Limits{N: s.cfg.N, D: s.cfg.D}
	paras := make([]string, e)
	for w := range paras {
		paras[w] = fmt.Sprintf("Paragraph %d, not edited yet.", w)
	}
	shared := Page{Slug: "bench/shared", Title: "Shared page", Markdown: strings.Join(paras, "\n\n") + "\n"}
	if _, err := s.put(ctx, shared, 0); err != nil {
		return err
	}
	// Each editor changes its own paragraph of the newest revision whose
	// whole text the editors know, as a person edits what their browser
	// showed them; the server merges the saves made since. After a merge
	// the editor reads what the server made, as an editor's client would:
	// a text built from paragraphs of different revisions would undo
	// others' changes, and the server would rightly refuse it.
	var mu sync.Mutex
	known, knownRev := paras, 1
	r := run(ctx, "same", e, Limits{N: min(lim.N, 5000), D: lim.D}, func(w, i int) error {
		mu.Lock()
		from := knownRev
		ps := append([]string(nil), known...)
		mu.Unlock()
		ps[w] = fmt.Sprintf("Paragraph %d, edit %d.", w, i)
		p := shared
		p.Markdown = strings.Join(ps, "\n\n") + "\n"
		rev, merged, err := s.save(ctx, p, from)
		if err != nil {
			return err
		}
		if merged {
			var got struct{ Markdown string }
			if err := s.getJSON(ctx, fmt.Sprintf("/api/v1/pages/%s/revisions/%d", shared.Slug, rev), &got); err != nil {
				return err
			}
			ps = strings.Split(strings.TrimSuffix(got.Markdown, "\n"), "\n\n")
		}
		mu.Lock()
		if rev > knownRev && len(ps) == e {
			known, knownRev = ps, rev
		}
		mu.Unlock()
		return nil
	})
	s.add(row{what: fmt.Sprintf("%d editors on one page (merged)", e), r: r,
		ceiling: fmt.Sprintf("raw bbolt Batch, %d writers: %.0f/s", e, ceil.PerSec()), ratio: r.PerSec() / ceil.PerSec(),
		note: "each merged with the saves made since its read; after a merge the editor reads the revision it made"})
	return nil
}

// searchProbes look for words that edits wrote until search finds them,
// two at a time: a word offered while both checkers are busy is not
// probed, or the probes would queue and their lag be the queue's.
type searchProbes struct {
	ch       chan probe
	checkers sync.WaitGroup
	mu       sync.Mutex
	lags     []time.Duration
	lost     atomic.Int64
}

type probe struct {
	word string
	at   time.Time
}

func (s *suite) startProbes() *searchProbes {
	sp := &searchProbes{ch: make(chan probe)}
	for range 2 {
		sp.checkers.Go(func() {
			c := dial(hostPort(s.base), s.auth)
			defer c.close()
			for p := range sp.ch {
				sp.find(c, p)
			}
		})
	}
	return sp
}

// find searches for p's word until it is found or 10 s have passed.
func (sp *searchProbes) find(c *conn, p probe) {
	for {
		status, err := c.get(searchPath(p.word), true)
		if err == nil && status == 200 && bytes.Contains(c.body.Bytes(), []byte(`"total":`)) && !bytes.Contains(c.body.Bytes(), []byte(`"total":0`)) {
			sp.mu.Lock()
			sp.lags = append(sp.lags, time.Since(p.at))
			sp.mu.Unlock()
			return
		}
		if time.Since(p.at) > 10*time.Second {
			sp.lost.Add(1)
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// offer probes word, just written, if a checker is free.
func (sp *searchProbes) offer(word string) {
	select {
	case sp.ch <- probe{word, time.Now()}:
	default:
	}
}

// stop waits for the probes under way.
func (sp *searchProbes) stop() {
	close(sp.ch)
	sp.checkers.Wait()
}

func (sp *searchProbes) summary() string {
	lr := &Result{Lat: sp.lags, N: len(sp.lags)}
	sortDurations(lr.Lat)
	return fmt.Sprintf("searchable after: p50 %s p99 %s max %s (%d probes, %d not found in 10 s)", ms(lr.Pct(.5)), ms(lr.Pct(.99)), ms(lr.Pct(1)), len(sp.lags), sp.lost.Load())
}

// ceilingTxNote says how many transactions the raw bbolt ceiling wrote,
// how many commits each held and how long each spent writing to the
// disk: the same figures as the server's (commitCounts) beside it.
func ceilingTxNote(j jsonResult) string {
	if len(j.TxWriteTimes) == 0 {
		return ""
	}
	w := &Result{}
	for _, d := range j.TxWriteTimes {
		w.Lat = append(w.Lat, time.Duration(d))
	}
	sortDurations(w.Lat)
	n := float64(len(w.Lat))
	return fmt.Sprintf("its transactions: %d, %.1f commits and %.0f page writes each; writing to the disk p50 %s p99 %s p999 %s",
		len(w.Lat), float64(j.N)/n, float64(j.TxPageWrites)/n, ms(w.Pct(.5)), ms(w.Pct(.99)), ms(w.Pct(.999)))
}
