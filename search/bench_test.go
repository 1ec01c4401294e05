package search

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/faqwiki/faqwiki/wiki"
)

// Benchmarks run on a generated corpus (genCorpus), never on committed
// data. The page counts of BenchmarkSearch come from -search.pages, e.g.
//
//	go test ./search -run '^$' -bench . -search.pages=10000,100000
var benchPages = flag.String("search.pages", "10000", "comma-separated page counts for BenchmarkSearch")

// genCorpus makes pages that look like FAQ pages: a title, a short intro,
// and question headings ("##", some "###") with answers, in words drawn
// with a Zipf distribution from the vocabulary of testdata/handbook, and
// one to three of thirty tags. Page i is the same for the same seed and
// revision, so nothing needs storing.
type genCorpus struct {
	seed  uint64
	vocab []string // most frequent first
	tags  []string
}

func newGenCorpus(tb testing.TB, seed uint64) *genCorpus {
	tb.Helper()
	counts := map[string]int{}
	err := filepath.WalkDir(filepath.Join("testdata", "handbook"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "README.md" {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, w := range strings.FieldsFunc(strings.ToLower(string(b)), func(r rune) bool { return !unicode.IsLetter(r) }) {
			if len(w) >= 2 && len(w) <= 14 {
				counts[w]++
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	g := &genCorpus{seed: seed}
	for w := range counts {
		g.vocab = append(g.vocab, w)
	}
	slices.SortFunc(g.vocab, func(a, b string) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return strings.Compare(a, b)
	})
	for i := range 30 {
		g.tags = append(g.tags, g.vocab[40+i*7])
	}
	return g
}

func (g *genCorpus) slug(i int) wiki.Slug { return wiki.Slug(fmt.Sprintf("gen/page-%06d", i)) }

// page returns revision rev of page i.
func (g *genCorpus) page(i, rev int) *wiki.Page {
	rng := rand.New(rand.NewPCG(g.seed, uint64(i)<<16|uint64(rev)))
	zipf := rand.NewZipf(rng, 1.07, 2, uint64(len(g.vocab)-1))
	words := func(n int) string {
		ws := make([]string, n)
		for j := range ws {
			ws[j] = g.vocab[zipf.Uint64()]
		}
		return strings.Join(ws, " ")
	}
	title := words(2 + rng.IntN(4))
	var b strings.Builder
	b.WriteString("# " + title + "\n\n" + words(15+rng.IntN(30)) + ".\n")
	for range 3 + rng.IntN(6) {
		level := "## "
		if rng.IntN(4) == 0 {
			level = "### "
		}
		b.WriteString("\n" + level + "How do I " + words(3+rng.IntN(5)) + "?\n\n")
		for range 1 + rng.IntN(3) {
			b.WriteString(words(20+rng.IntN(60)) + ".\n\n")
		}
	}
	tags := []string{}
	for range 1 + rng.IntN(3) {
		tags = append(tags, g.tags[rng.IntN(len(g.tags))])
	}
	return &wiki.Page{
		Slug: g.slug(i), Title: title, Markdown: b.String(), Tags: wiki.NormalizeTags(tags),
		Revision: rev, CreatedAt: time.Unix(0, 0), UpdatedAt: time.Unix(int64(rev), 0),
	}
}

// query returns a query of one to four words, often a question, now and
// then with a typo.
func (g *genCorpus) query(rng *rand.Rand) string {
	zipf := rand.NewZipf(rng, 1.07, 2, uint64(len(g.vocab)-1))
	n := 1 + rng.IntN(4)
	ws := make([]string, n)
	for j := range ws {
		ws[j] = g.vocab[10+zipf.Uint64()%uint64(len(g.vocab)-10)]
	}
	if rng.IntN(10) == 0 && len(ws[0]) > 4 { // swap two letters
		r := []byte(ws[0])
		k := 1 + rng.IntN(len(r)-2)
		r[k], r[k+1] = r[k+1], r[k]
		ws[0] = string(r)
	}
	q := strings.Join(ws, " ")
	if rng.IntN(3) == 0 {
		q = "how do I " + q + "?"
	}
	return q
}

// genStore serves a genCorpus of n pages as a read-only wiki.PageFeed,
// with a change feed of one create per page plus the edits made with
// edit. It exists for benchmarks, where building a 100k-page bbolt store
// would dwarf what is measured; the tests use the real store.
type genStore struct {
	g *genCorpus
	n int

	mu      sync.Mutex
	revs    map[int]int // page -> head revision, if edited
	changes []wiki.Change
}

var _ wiki.PageFeed = (*genStore)(nil)

func newGenStore(g *genCorpus, n int) *genStore {
	return &genStore{g: g, n: n, revs: map[int]int{}}
}

func (s *genStore) index(slug wiki.Slug) (int, bool) {
	rest, ok := strings.CutPrefix(string(slug), "gen/page-")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(rest)
	return i, err == nil && i >= 0 && i < s.n
}

// edit makes a new revision of page i and records it in the feed.
func (s *genStore) edit(i int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revs[i] = max(s.revs[i], 1) + 1
	s.changes = append(s.changes, wiki.Change{Seq: uint64(s.n + len(s.changes) + 1), Slug: s.g.slug(i), Revision: s.revs[i], Kind: wiki.KindEdit})
}

func (s *genStore) Page(ctx context.Context, slug wiki.Slug) (*wiki.Page, error) {
	i, ok := s.index(slug)
	if !ok {
		return nil, wiki.ErrNotFound
	}
	s.mu.Lock()
	rev := max(s.revs[i], 1)
	s.mu.Unlock()
	return s.g.page(i, rev), nil
}

func (s *genStore) Pages(ctx context.Context, f wiki.PageFilter) ([]wiki.PageSummary, string, error) {
	from := 0
	if f.Cursor != "" {
		from, _ = strconv.Atoi(f.Cursor)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	var out []wiki.PageSummary
	for i := from; i < s.n && len(out) < limit; i++ {
		out = append(out, wiki.PageSummary{Slug: s.g.slug(i)})
	}
	next := ""
	if from+len(out) < s.n {
		next = strconv.Itoa(from + len(out))
	}
	return out, next, nil
}

func (s *genStore) Changes(ctx context.Context, since uint64, limit int) ([]wiki.Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []wiki.Change
	for seq := since + 1; seq <= uint64(s.n+len(s.changes)) && len(out) < limit; seq++ {
		if seq <= uint64(s.n) {
			out = append(out, wiki.Change{Seq: seq, Slug: s.g.slug(int(seq - 1)), Revision: 1, Kind: wiki.KindCreate})
		} else {
			out = append(out, s.changes[seq-uint64(s.n)-1])
		}
	}
	return out, nil
}

func (s *genStore) LastSeq(ctx context.Context) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return uint64(s.n + len(s.changes)), nil
}

// buildGenIndex rebuilds an index of n generated pages in dir.
func buildGenIndex(b *testing.B, g *genCorpus, n int, dir string) (*Index, *genStore, time.Duration) {
	b.Helper()
	src := newGenStore(g, n)
	ix, err := Open(dir, src, wiki.NewRenderer(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := ix.CatchUp(context.Background()); err != nil {
		b.Fatal(err)
	}
	return ix, src, time.Since(start)
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

// BenchmarkSearch measures query latency (p50 and p99 are reported as
// metrics) on indexes of -search.pages generated pages, and reports each
// index's build time and size.
func BenchmarkSearch(b *testing.B) {
	g := newGenCorpus(b, 1)
	for _, f := range strings.Split(*benchPages, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			b.Fatalf("bad -search.pages %q", *benchPages)
		}
		b.Run(fmt.Sprintf("pages=%d", n), func(b *testing.B) {
			dir := filepath.Join(b.TempDir(), "index")
			ix, _, took := buildGenIndex(b, g, n, dir)
			defer ix.Close()
			docs, _ := ix.DocCount()
			b.Logf("%d pages, %d sections: built in %v (%.0f pages/s), %.1f MB on disk",
				n, docs, took.Round(time.Millisecond), float64(n)/took.Seconds(), float64(dirSize(dir))/1e6)

			rng := rand.New(rand.NewPCG(7, 7))
			queries := make([]string, 1000)
			for i := range queries {
				queries[i] = g.query(rng)
			}
			ctx := context.Background()
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				if _, err := ix.Search(ctx, wiki.SearchQuery{Text: queries[i%len(queries)]}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(percentile(lat, 0.50).Microseconds()), "p50-µs")
			b.ReportMetric(float64(percentile(lat, 0.99).Microseconds()), "p99-µs")
			b.ReportMetric(float64(dirSize(dir))/float64(n), "index-B/page")
		})
	}
}

// BenchmarkIndex measures indexing throughput: a full rebuild of 2000
// generated pages per iteration.
func BenchmarkIndex(b *testing.B) {
	const n = 2000
	g := newGenCorpus(b, 2)
	var bytes int
	for i := range n {
		bytes += len(g.page(i, 1).Markdown)
	}
	src := newGenStore(g, n)
	ix, err := Open(filepath.Join(b.TempDir(), "index"), src, wiki.NewRenderer(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	b.SetBytes(int64(bytes))
	b.ResetTimer()
	for b.Loop() {
		if err := ix.Rebuild(ctx, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkCatchUp measures the time to catch up after a restart: the
// index of 10k pages is closed, 1000 pages are edited in the store, and
// the index is opened and brought up to date.
func BenchmarkCatchUp(b *testing.B) {
	const n, edits = 10000, 1000
	g := newGenCorpus(b, 3)
	dir := filepath.Join(b.TempDir(), "index")
	ix, src, _ := buildGenIndex(b, g, n, dir)
	if err := ix.Close(); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 3))
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		for range edits {
			src.edit(rng.IntN(n))
		}
		b.StartTimer()
		ix, err := Open(dir, src, wiki.NewRenderer(), Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := ix.CatchUp(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := ix.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(edits)*float64(b.N)/b.Elapsed().Seconds(), "changes/s")
}
