package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/faqwiki/faqwiki/wiki"
)

// BenchmarkSearchVsRaw measures faqwiki's search and a plain bleve match
// query (an OR of the analysed words over the same all field, first page
// of ten sections, nothing else) on the same index and the same queries,
// interleaved in one run, so the ratio holds on a noisy machine. p50 and
// p99 of each are reported, and the ratio of faqwiki's to the raw query's.
//
//	go test -run '^$' -bench SearchVsRaw ./search/ -search.pages=10000
func BenchmarkSearchVsRaw(b *testing.B) { benchSearchVsRaw(b, 0) }

// BenchmarkSearchVsRawEditing is BenchmarkSearchVsRaw while pages are
// edited and the edits applied, one every 20 ms: what searches keep of
// pages (metaCache) is dropped page by page as they change, and a search
// that began before a change keeps nothing.
func BenchmarkSearchVsRawEditing(b *testing.B) { benchSearchVsRaw(b, 20*time.Millisecond) }

func benchSearchVsRaw(b *testing.B, editEvery time.Duration) {
	g := newGenCorpus(b, 1)
	for _, f := range strings.Split(*benchPages, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			b.Fatalf("bad -search.pages %q", *benchPages)
		}
		b.Run(fmt.Sprintf("pages=%d", n), func(b *testing.B) {
			ix, src, _ := buildGenIndex(b, g, n, filepath.Join(b.TempDir(), "index"))
			defer ix.Close()
			if editEvery > 0 {
				stop := make(chan struct{})
				done := make(chan struct{})
				defer func() { close(stop); <-done }()
				go func() {
					defer close(done)
					t := time.NewTicker(editEvery)
					defer t.Stop()
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						case <-t.C:
						}
						src.edit((i * 7919) % n)
						if err := ix.CatchUp(context.Background()); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			idx, err := ix.current()
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(7, 7))
			queries := make([]string, 1000)
			for i := range queries {
				queries[i] = g.query(rng)
			}
			ctx := context.Background()
			var ours, raw []time.Duration
			for i := 0; b.Loop(); i++ {
				q := queries[i%len(queries)]
				start := time.Now()
				if _, err := ix.Search(ctx, wiki.SearchQuery{Text: q}); err != nil {
					b.Fatal(err)
				}
				ours = append(ours, time.Since(start))
				m := bleve.NewMatchQuery(q)
				m.SetField(fieldAll)
				start = time.Now()
				if _, err := idx.SearchInContext(ctx, bleve.NewSearchRequestOptions(m, 10, 0, false)); err != nil {
					b.Fatal(err)
				}
				raw = append(raw, time.Since(start))
			}
			slices.Sort(ours)
			slices.Sort(raw)
			for _, p := range []struct {
				name string
				q    float64
			}{{"p50", 0.50}, {"p99", 0.99}} {
				o, r := percentile(ours, p.q), percentile(raw, p.q)
				b.ReportMetric(float64(o.Microseconds()), p.name+"-µs")
				b.ReportMetric(float64(r.Microseconds()), "raw-"+p.name+"-µs")
				b.ReportMetric(float64(o)/float64(max(r, 1)), p.name+"-x-raw")
			}
		})
	}
}
