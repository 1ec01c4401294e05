// Tests of Commit and of the reads of a page's history.

package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
)

func TestCommit_RoundTrip(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	reviewed := t0.Add(90 * time.Minute)

	steps := []struct {
		name        string
		rev         *wiki.Revision
		wantDeleted bool
		wantExists  bool
	}{
		{"create", newRev("vpn", wiki.KindCreate, "VPN", "# VPN\nAsk.\n", t0, "it", "remote"), false, true},
		{"edit", func() *wiki.Revision {
			r := newRev("vpn", wiki.KindEdit, "VPN access", "# VPN\nAsk IT.\n", t0.Add(time.Hour), "it")
			r.Base, r.Merged, r.Added, r.Removed = 1, true, 1, 1
			r.ReviewedBy, r.ReviewedAt = "grace", reviewed
			return r
		}(), false, true},
		{"delete", newRev("vpn", wiki.KindDelete, "VPN access", "", t0.Add(2*time.Hour)), true, false},
		{"restore", func() *wiki.Revision {
			r := newRev("vpn", wiki.KindRestore, "VPN access", "# VPN\nAsk IT.\n", t0.Add(3*time.Hour), "it")
			r.RevertOf = 2
			return r
		}(), false, true},
		{"edit after restore", newRev("vpn", wiki.KindEdit, "VPN", "# VPN\nUse the portal.\n", t0.Add(4*time.Hour), "it", "portal"), false, true},
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			want := *st.rev // what the caller asked for, plus what Commit fills in
			want.Number = i + 1
			want.Size = len(want.Markdown)
			mustCommit(t, db, st.rev, i)
			if !reflect.DeepEqual(st.rev, &want) {
				t.Errorf("after Commit rev = %+v\nwant %+v", st.rev, &want)
			}

			got, err := db.Revision(ctx, "vpn", i+1)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, &want) {
				t.Errorf("Revision(%d) = %+v\nwant %+v", i+1, got, &want)
			}

			p, err := db.Page(ctx, "vpn")
			if err != nil {
				t.Fatal(err)
			}
			wantPage := &wiki.Page{
				Slug: "vpn", Title: want.Title, Markdown: want.Markdown, Tags: want.Tags,
				Revision: i + 1, Deleted: st.wantDeleted, CreatedAt: t0, UpdatedAt: want.CreatedAt,
				Author: want.Author, Cohort: want.Cohort,
			}
			if !reflect.DeepEqual(p, wantPage) {
				t.Errorf("Page = %+v\nwant %+v", p, wantPage)
			}

			ex, err := db.Exists(ctx, []wiki.Slug{"vpn"})
			if err != nil {
				t.Fatal(err)
			}
			if ex[0] != st.wantExists {
				t.Errorf("Exists = %v, want %v", ex[0], st.wantExists)
			}

			ch, err := db.Changes(ctx, uint64(i), 10)
			if err != nil {
				t.Fatal(err)
			}
			wantCh := []wiki.Change{{
				Seq: uint64(i + 1), Slug: "vpn", Revision: i + 1, Kind: want.Kind, Title: want.Title,
				Author: want.Author, Cohort: want.Cohort, Summary: want.Summary, Time: want.CreatedAt,
				Added: want.Added, Removed: want.Removed,
			}}
			if !reflect.DeepEqual(ch, wantCh) {
				t.Errorf("Changes = %+v\nwant %+v", ch, wantCh)
			}
		})
	}

	revs, err := db.Revisions(ctx, "vpn")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range revs {
		if want := len(steps) - i; r.Number != want {
			t.Errorf("Revisions[%d].Number = %d, want %d", i, r.Number, want)
		}
	}
}

func TestCommit_Conflict(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustCommit(t, db, newRev("faq", wiki.KindCreate, "FAQ", "one", t0), 0)
	mustCommit(t, db, newRev("faq", wiki.KindEdit, "FAQ", "two", t0.Add(time.Minute)), 1)
	mustCommit(t, db, newRev("gone", wiki.KindCreate, "Gone", "x", t0), 0)
	mustCommit(t, db, newRev("gone", wiki.KindDelete, "Gone", "", t0.Add(time.Minute)), 1)

	tests := []struct {
		name string
		slug string
		head int
	}{
		{"create over an existing page", "faq", 0},
		{"stale head", "faq", 1},
		{"head from the future", "faq", 3},
		{"edit of a page that does not exist", "nope", 1},
		{"create over a deleted page", "gone", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seq := mustLastSeq(t, db)
			rev := newRev(tt.slug, wiki.KindEdit, "Mine", "mine", t0.Add(time.Hour))
			before := *rev
			err := db.Commit(ctx, rev, tt.head)
			if !errors.Is(err, wiki.ErrConflict) {
				t.Fatalf("Commit = %v, want ErrConflict", err)
			}
			if !strings.HasPrefix(err.Error(), fmt.Sprintf("store: commit %q: ", tt.slug)) {
				t.Errorf("error %q lacks context", err)
			}
			if !reflect.DeepEqual(*rev, before) {
				t.Errorf("failed Commit changed rev: %+v", rev)
			}
			if got := mustLastSeq(t, db); got != seq {
				t.Errorf("LastSeq = %d, want %d (unchanged)", got, seq)
			}
			if revs, err := db.Revisions(ctx, wiki.Slug(tt.slug)); err == nil && len(revs) != 2 {
				t.Errorf("%d revisions, want 2", len(revs))
			}
		})
	}
	p, err := db.Page(ctx, "faq")
	if err != nil {
		t.Fatal(err)
	}
	if p.Markdown != "two" || p.Revision != 2 {
		t.Errorf("page changed by failed commits: %+v", p)
	}
	if _, err := db.Page(ctx, "nope"); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("Page(nope) = %v, want ErrNotFound", err)
	}
}

func TestCommit_Invalid(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	tests := []struct {
		name string
		rev  *wiki.Revision
		head int
	}{
		{"empty slug", newRev("", wiki.KindCreate, "T", "x", t0), 0},
		{"NUL in slug", newRev("a\x00b", wiki.KindCreate, "T", "x", t0), 0},
		{"NUL in tag", newRev("a", wiki.KindCreate, "T", "x", t0, "ok", "b\x00d"), 0},
		{"negative head", newRev("a", wiki.KindCreate, "T", "x", t0), -1},
		{"time too late", newRev("a", wiki.KindCreate, "T", "x", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)), 0},
		{"time too early", newRev("a", wiki.KindCreate, "T", "x", time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.Commit(ctx, tt.rev, tt.head)
			var v *wiki.ValidationError
			if !errors.As(err, &v) {
				t.Fatalf("Commit = %v, want a *wiki.ValidationError", err)
			}
		})
	}
	if err := db.Commit(ctx, nil, 0); err == nil {
		t.Error("Commit(nil): no error")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := db.Commit(cancelled, newRev("a", wiki.KindCreate, "T", "x", t0), 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Commit with a cancelled context = %v", err)
	}
	if got := mustLastSeq(t, db); got != 0 {
		t.Errorf("LastSeq = %d after only failed commits", got)
	}
}

func TestCommit_Times(t *testing.T) {
	ctx := context.Background()
	now := t0.Add(10 * time.Hour)
	db, err := Open(t.TempDir()+"/faqwiki.db", Options{Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	tests := []struct {
		name string
		at   time.Time // CreatedAt passed in
		want time.Time // CreatedAt stored
	}{
		{"given time kept", t0, t0},
		{"zero time: the clock", time.Time{}, now},
		{"clock went back: clamped", t0.Add(time.Hour), now},
		{"later again", now.Add(time.Second), now.Add(time.Second)},
		{"other zone", now.Add(2 * time.Second).In(time.FixedZone("X", 3600)), now.Add(2 * time.Second)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rev := mustCommit(t, db, newRev("p", wiki.KindEdit, "P", "x", tt.at), i)
			if !rev.CreatedAt.Equal(tt.want) {
				t.Errorf("rev.CreatedAt = %s, want %s", rev.CreatedAt, tt.want)
			}
			got, err := db.Revision(ctx, "p", i+1)
			if err != nil {
				t.Fatal(err)
			}
			if !got.CreatedAt.Equal(tt.want) {
				t.Errorf("stored CreatedAt = %s, want %s", got.CreatedAt, tt.want)
			}
		})
	}
}

// TestCommit_Concurrent commits from many goroutines at once, so that
// bbolt batches them, and checks that the feed and every page's history
// come out gap-free.
func TestCommit_Concurrent(t *testing.T) {
	const workers, perWorker = 8, 50
	tests := []struct {
		name string
		slug func(worker, i int) string
	}{
		{"distinct pages", func(w, i int) string { return fmt.Sprintf("w%d/p%d", w, i%5) }},
		{"same page", func(w, i int) string { return "shared" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := MustOpen(t)
			var conflicts atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			for w := range workers {
				wg.Go(func() {
					for i := range perWorker {
						slug := wiki.Slug(tt.slug(w, i))
						for {
							head := 0
							p, err := db.Page(ctx, slug)
							switch {
							case err == nil:
								head = p.Revision
							case !errors.Is(err, wiki.ErrNotFound):
								errs <- err
								return
							}
							rev := newRev(string(slug), wiki.KindEdit, "T", fmt.Sprintf("w%d i%d", w, i), time.Now())
							err = db.Commit(ctx, rev, head)
							if errors.Is(err, wiki.ErrConflict) {
								conflicts.Add(1)
								continue
							}
							if err != nil {
								errs <- err
								return
							}
							if rev.Number != head+1 {
								errs <- fmt.Errorf("rev.Number = %d, want %d", rev.Number, head+1)
								return
							}
							break
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			t.Logf("%d conflicts retried", conflicts.Load())

			const n = workers * perWorker
			if got := mustLastSeq(t, db); got != n {
				t.Errorf("LastSeq = %d, want %d", got, n)
			}
			var changes []wiki.Change
			for since := uint64(0); ; {
				batch, err := db.Changes(ctx, since, 64)
				if err != nil {
					t.Fatal(err)
				}
				if len(batch) == 0 {
					break
				}
				changes = append(changes, batch...)
				since = batch[len(batch)-1].Seq
			}
			if len(changes) != n {
				t.Fatalf("%d changes, want %d", len(changes), n)
			}
			perPage := map[wiki.Slug]int{}
			for i, c := range changes {
				if c.Seq != uint64(i+1) {
					t.Fatalf("changes[%d].Seq = %d, want %d", i, c.Seq, i+1)
				}
				perPage[c.Slug]++
				if c.Revision != perPage[c.Slug] {
					t.Errorf("change %d: %s revision %d, want %d (feed order = commit order)", c.Seq, c.Slug, c.Revision, perPage[c.Slug])
				}
			}
			for slug, k := range perPage {
				revs, err := db.Revisions(ctx, slug)
				if err != nil {
					t.Fatal(err)
				}
				if len(revs) != k {
					t.Errorf("%s: %d revisions, want %d", slug, len(revs), k)
				}
				for i, r := range revs {
					if r.Number != k-i {
						t.Errorf("%s: revisions[%d] = %d, want %d", slug, i, r.Number, k-i)
					}
					if i > 0 && r.CreatedAt.After(revs[i-1].CreatedAt) {
						t.Errorf("%s: revision %d is later than %d", slug, r.Number, revs[i-1].Number)
					}
				}
			}
		})
	}
}

func TestRevisions_NoMarkdown(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	big := strings.Repeat("A long answer. ", 10_000)
	for i := range 3 {
		mustCommit(t, db, newRev("big", wiki.KindEdit, "Big", big[:len(big)-i], t0.Add(time.Duration(i)*time.Minute)), i)
	}
	revs, err := db.Revisions(ctx, "big")
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 3 {
		t.Fatalf("%d revisions, want 3", len(revs))
	}
	for i, r := range revs {
		n := 3 - i
		if r.Number != n || r.Markdown != "" || r.Size != len(big)-(n-1) || r.Slug != "big" {
			t.Errorf("revs[%d] = number %d, %d bytes of Markdown, size %d", i, r.Number, len(r.Markdown), r.Size)
		}
	}
	if _, err := db.Revisions(ctx, "missing"); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("Revisions(missing) = %v, want ErrNotFound", err)
	}
}

func TestRevision_NotFound(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustCommit(t, db, newRev("faq", wiki.KindCreate, "FAQ", "x", t0), 0)
	tests := []struct {
		name string
		slug wiki.Slug
		n    int
	}{
		{"no such page", "nope", 1},
		{"zero", "faq", 0},
		{"negative", "faq", -1},
		{"past the head", "faq", 2},
		{"NUL slug", "faq\x00", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := db.Revision(ctx, tt.slug, tt.n)
			if !errors.Is(err, wiki.ErrNotFound) || r != nil {
				t.Errorf("Revision = %v, %v; want nil, ErrNotFound", r, err)
			}
		})
	}
}

// BenchmarkCommit commits one at a time: each commit is its own
// transaction and fsync.
func BenchmarkCommit(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	text := strings.Repeat("An answer of a kilobyte. ", 40)
	b.ResetTimer()
	for i := range b.N {
		rev := newRev(fmt.Sprintf("page-%d", i), wiki.KindCreate, "Page", text, time.Now())
		if err := db.Commit(ctx, rev, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCommitParallel commits to distinct pages from many goroutines:
// the commit group gathers them, so they share fsyncs and ns/op falls well
// below BenchmarkCommit's.
func BenchmarkCommitParallel(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	text := strings.Repeat("An answer of a kilobyte. ", 40)
	var next atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rev := newRev(fmt.Sprintf("page-%d", next.Add(1)), wiki.KindCreate, "Page", text, time.Now())
			if err := db.Commit(ctx, rev, 0); err != nil {
				b.Error(err)
				return
			}
		}
	})
	if st := db.TxStats(); st.Transactions > 0 {
		b.ReportMetric(float64(st.Commits)/float64(st.Transactions), "commits/tx")
		b.ReportMetric(float64(st.Writes)/float64(st.Transactions), "writes/tx")
		b.ReportMetric(float64(st.Write.Sum.Microseconds())/1000/float64(st.Transactions), "write-ms/tx")
	}
}

// BenchmarkEditParallel edits pages with a history, 32 at a time, each
// goroutine a page of its own (as the suite's editors do) with 100
// revisions, among 2,000
// other pages: what a save costs the file is the pages its transaction
// writes, reported as writes/tx beside commits/tx. Pages of their own
// and a long history are the case where every per-page index of a save
// ends in a leaf of its own.
func BenchmarkEditParallel(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	db.bolt.NoSync = true // setup speed only
	body := strings.Repeat("Some answer text that goes on. ", 120)
	for i := range 2000 {
		mustCommit(b, db, newRev(fmt.Sprintf("faq/page-%04d", i), wiki.KindCreate, "Page", body, t0), 0)
	}
	// RunParallel starts parallelism x GOMAXPROCS goroutines: about 32,
	// each with a page of its own.
	par := max(1, 32/runtime.GOMAXPROCS(0))
	editors := par * runtime.GOMAXPROCS(0)
	lines := make([]string, 60)
	for i := range lines {
		lines[i] = fmt.Sprintf("Line %d of the answer, which is about something.", i)
	}
	for w := range editors {
		slug := fmt.Sprintf("bench/edit-%02d", w)
		mustCommit(b, db, newRev(slug, wiki.KindCreate, "Edit", strings.Join(lines, "\n"), t0), 0)
		for i := 1; i < 100; i++ {
			lines[i%60] = fmt.Sprintf("Line %d, edited in revision %d.", i%60, i+1)
			mustCommit(b, db, newRev(slug, wiki.KindEdit, "Edit", strings.Join(lines, "\n"), t0), i)
		}
	}
	db.bolt.NoSync = false
	before := db.TxStats()
	var next atomic.Int64
	b.SetParallelism(par)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := int(next.Add(1) - 1)
		slug := fmt.Sprintf("bench/edit-%02d", w)
		ls := append([]string(nil), lines...)
		head := 100
		for i := 0; pb.Next(); i++ {
			ls[i%60] = fmt.Sprintf("Line %d, edited by %d in save %d.", i%60, w, i)
			if err := db.Commit(ctx, newRev(slug, wiki.KindEdit, "Edit", strings.Join(ls, "\n"), t0), head); err != nil {
				b.Error(err)
				return
			}
			head++
		}
	})
	st := db.TxStats()
	if tx := st.Transactions - before.Transactions; tx > 0 {
		b.ReportMetric(float64(st.Commits-before.Commits)/float64(tx), "commits/tx")
		b.ReportMetric(float64(st.Writes-before.Writes)/float64(tx), "writes/tx")
	}
}
