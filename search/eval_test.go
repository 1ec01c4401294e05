package search

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"

	"github.com/faqwiki/faqwiki/wiki"
)

// The evaluation sets (testdata/eval, see its README.md) measure search on
// two handbooks, the whole TTS handbook the demo ships and thoughtbot's
// guides, against a plain bleve index of the same sections. Results are
// reported on the holdout splits; the tune splits are what ranking changes
// may be looked at against (go test -run Eval -v -eval.show=tune ./search/
// lists their misses).

var (
	evalShow    = flag.String("eval.show", "", `log the misses of this split ("tune"); never tune on "holdout"`)
	evalHoldout = flag.Bool("eval.holdout", true, "report the holdout split (turn off while tuning, to look at tune only)")
)

// evalHandbook is where the demo's copy of the handbook lives.
var evalHandbook = filepath.Join("..", "cmd", "faqwiki", "demo", "handbook")

// An evalCorpus is a folder of Markdown pages and the sets of questions
// asked of it.
type evalCorpus struct {
	name     string
	dir      string
	minPages int // fewer pages read means the folder is not what it should be
	sets     []evalSet
}

// An evalSet is a file of questions in testdata/eval. minRecall3 is the
// holdout recall@3 (right page among the first three) below which TestEval
// fails. It sits a little under what search reaches, so a change that makes
// search worse fails; raise it when search gets better.
type evalSet struct {
	name, file string
	minRecall3 float64
}

var evalCorpora = []evalCorpus{
	{name: "tts handbook", dir: evalHandbook, minPages: 200, sets: []evalSet{
		{name: "tts", file: "questions.tsv", minRecall3: 0.80},
		{name: "tts-2", file: "questions-2.tsv", minRecall3: 0.80},
		{name: "tts-3", file: "questions-3.tsv", minRecall3: 0.65},
	}},
	{name: "thoughtbot guides", dir: filepath.Join("testdata", "thoughtbot"), minPages: 50, sets: []evalSet{
		{name: "thoughtbot", file: "thoughtbot.tsv", minRecall3: 0.80},
	}},
}

// evalQuery is one line of questions.tsv.
type evalQuery struct {
	split, kind, text string
	answers           map[string]bool // slug#anchor
}

// loadEvalSet reads a file of questions in testdata/eval.
func loadEvalSet(tb testing.TB, file string) []evalQuery {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", "eval", file))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var qs []evalQuery
	header := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !header {
			header = true
			continue
		}
		parts := strings.Split(line, "\t")
		if len(parts) != 4 {
			tb.Fatalf("%s: bad line %q", file, line)
		}
		q := evalQuery{split: parts[0], kind: parts[1], text: parts[2], answers: map[string]bool{}}
		if parts[3] != "-" {
			for _, a := range strings.Fields(parts[3]) {
				q.answers[a] = true
			}
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return qs
}

// loadMarkdownSite reads the Markdown files under dir as faqwiki import
// reads them: the slug from the path, with a folder's README.md or
// index.md naming the folder (the top folder's keeps its own name,
// "readme"); the title from the first "# " line, which is then not part
// of the text; the top folder as the tag. SOURCE.md, the copy's
// provenance, is not a page.
func loadMarkdownSite(tb testing.TB, dir string) []handbookPage {
	tb.Helper()
	var pages []handbookPage
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") || d.Name() == "SOURCE.md" {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(strings.TrimSuffix(rel, ".md"))
		if base := strings.ToLower(filepath.Base(rel)); (base == "readme" || base == "index") && filepath.Dir(rel) != "." {
			rel = filepath.Dir(rel)
		}
		var segs []string
		for _, part := range strings.Split(rel, "/") {
			segs = append(segs, string(wiki.SlugFromTitle(strings.ReplaceAll(part, "_", "-"))))
		}
		slug := strings.Join(segs, "/")
		md := strings.ReplaceAll(string(b), "\r\n", "\n")
		title := wiki.TitleFromSlug(wiki.Slug(slug))
		if first, rest, _ := strings.Cut(md, "\n"); strings.HasPrefix(first, "# ") {
			title = strings.TrimSpace(strings.TrimPrefix(first, "# "))
			md = strings.TrimLeft(rest, "\n")
		}
		top, _, _ := strings.Cut(slug, "/")
		pages = append(pages, handbookPage{slug: slug, title: title, markdown: md, tags: []string{top}})
		return nil
	})
	if err != nil {
		tb.Fatalf("read %s: %v", dir, err)
	}
	return pages
}

// evalScore accumulates, over a set of queries: the right page first
// (recall@1), among the first three (recall@3), mean reciprocal rank of
// the right page, and the right section first (section@1).
type evalScore struct {
	n, at1, at3, sec1 int
	rr                float64
	weak              int // searches judged weak (or that found nothing)
	weakRight         int // ... of them, with the right page first: a false alarm
}

func (s *evalScore) add(pageRank int, sectionFirst bool) {
	s.n++
	if pageRank == 1 {
		s.at1++
	}
	if pageRank >= 1 && pageRank <= 3 {
		s.at3++
	}
	if pageRank > 0 {
		s.rr += 1 / float64(pageRank)
	}
	if sectionFirst {
		s.sec1++
	}
}

func (s *evalScore) ratio(k int) float64 {
	if s.n == 0 {
		return 0
	}
	return float64(k) / float64(s.n)
}

func (s *evalScore) String() string {
	if s.n == 0 {
		return "n=0"
	}
	return fmt.Sprintf("n=%3d  r@1 %.3f  r@3 %.3f  MRR %.3f  sec@1 %.3f  weak %.2f (right %.2f)", s.n, s.ratio(s.at1), s.ratio(s.at3), s.rr/float64(s.n), s.ratio(s.sec1), s.ratio(s.weak), s.ratio(s.weakRight))
}

// evalRank returns the 1-based rank of the first hit on a right page (0:
// none of them) and whether the first hit is a right section. hits are
// slug#anchor, one per page, best first.
func evalRank(hits []string, answers map[string]bool) (int, bool) {
	pages := map[wiki.Slug]bool{}
	for a := range answers {
		s, _ := splitDocID(a)
		pages[s] = true
	}
	for i, h := range hits {
		if s, _ := splitDocID(h); pages[s] {
			return i + 1, i == 0 && answers[h]
		}
	}
	return 0, false
}

// evalRun is one searcher's results over the set.
type evalRun map[string]*evalScore // "split/kind", "split/all", "all/all"

// addRun adds up o's scores into r.
func (r evalRun) addRun(o evalRun) {
	for k, s := range o {
		if r[k] == nil {
			r[k] = &evalScore{}
		}
		t := r[k]
		t.n, t.at1, t.at3, t.sec1, t.rr, t.weak, t.weakRight = t.n+s.n, t.at1+s.at1, t.at3+s.at3, t.sec1+s.sec1, t.rr+s.rr, t.weak+s.weak, t.weakRight+s.weakRight
	}
}

func (r evalRun) add(q evalQuery, hits []string, weak bool) {
	rank, sec := evalRank(hits, q.answers)
	keys := []string{q.split + "/" + q.kind, "all/" + q.kind}
	if q.kind != "none" {
		keys = append(keys, q.split+"/all", "all/all")
	}
	for _, k := range keys {
		if r[k] == nil {
			r[k] = &evalScore{}
		}
		r[k].add(rank, sec)
		if weak {
			r[k].weak++
			if rank == 1 {
				r[k].weakRight++
			}
		}
	}
}

// plainIndex is the baseline the issue measures against: a bleve index of
// the same section documents with the English analyzer on every field,
// bleve's default scoring, searched with one match query (an OR of the
// analysed words) and grouped into pages by their best section.
type plainIndex struct{ idx bleve.Index }

func newPlainIndex(tb testing.TB, docs []sectionDoc) *plainIndex {
	tb.Helper()
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = en.AnalyzerName
	idx, err := bleve.NewMemOnly(m)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { idx.Close() })
	b := idx.NewBatch()
	for _, d := range docs {
		if err := b.Index(d.id, map[string]any{
			fieldTitle: d.fields[fieldTitle], fieldHeading: d.fields[fieldHeading], fieldText: d.fields[fieldText],
		}); err != nil {
			tb.Fatal(err)
		}
	}
	if err := idx.Batch(b); err != nil {
		tb.Fatal(err)
	}
	return &plainIndex{idx: idx}
}

// search returns the best section of each of the first limit pages.
func (p *plainIndex) search(tb testing.TB, text string, limit int) []string {
	tb.Helper()
	req := bleve.NewSearchRequestOptions(bleve.NewMatchQuery(text), 200, 0, false)
	r, err := p.idx.SearchInContext(context.Background(), req)
	if err != nil {
		tb.Fatalf("plain bleve %q: %v", text, err)
	}
	var out []string
	seen := map[wiki.Slug]bool{}
	for _, h := range r.Hits {
		if slug, _ := splitDocID(h.ID); !seen[slug] && len(out) < limit {
			seen[slug] = true
			out = append(out, h.ID)
		}
	}
	return out
}

// evalEnv is the demo handbook in a wiki, its index, and the baseline.
type evalEnv struct {
	*testEnv
	pages []handbookPage
	plain *plainIndex
	known map[string]bool // every section's slug#anchor
}

// mustOpenEvalEnv indexes the pages of c.
func mustOpenEvalEnv(tb testing.TB, c evalCorpus) *evalEnv {
	tb.Helper()
	e := &evalEnv{testEnv: mustOpenEnv(tb), known: map[string]bool{}}
	e.pages = loadMarkdownSite(tb, c.dir)
	if len(e.pages) < c.minPages {
		tb.Fatalf("only %d pages in %s", len(e.pages), c.dir)
	}
	var docs []sectionDoc
	for _, p := range e.pages {
		e.save(tb, p.slug, p.title, p.markdown, p.tags...)
		for _, d := range e.ix.pageDocs(&wiki.Page{Slug: wiki.Slug(p.slug), Title: p.title, Markdown: p.markdown, Tags: p.tags}) {
			e.known[d.id] = true
			docs = append(docs, d)
		}
	}
	e.catchUp(tb)
	e.plain = newPlainIndex(tb, docs)
	return e
}

// ours returns faqwiki's hits for text as slug#anchor, best first, and
// whether search judged the best of them weak.
func (e *evalEnv) ours(tb testing.TB, text string) ([]string, bool) {
	tb.Helper()
	res := e.search(tb, wiki.SearchQuery{Text: text, Limit: 10})
	out := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, docID(h.Slug, h.Anchor))
	}
	return out, res.Weak || len(res.Hits) == 0
}

// TestEval measures faqwiki's search and the plain bleve baseline on every
// evaluation set, in the same run, and fails if a set's holdout recall@3
// falls below its minRecall3. The last rows add up the sets: what a
// ranking change should be judged by is "every set, tune".
func TestEval(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes the whole demo handbook")
	}
	total := map[string]evalRun{}
	for _, c := range evalCorpora {
		e := mustOpenEvalEnv(t, c)
		for i, set := range c.sets {
			runs := e.evalSet(t, set)
			for name, r := range runs {
				if total[name] == nil {
					total[name] = evalRun{}
				}
				total[name].addRun(r)
			}
			if c.name == evalCorpora[0].name && i == 0 {
				e.learnFromUse(t, loadEvalSet(t, set.file))
			}
		}
	}
	logEvalRows(t, "every set", total)
}

// evalSet runs set's questions through faqwiki (without synonyms, then
// with the default list) and plain bleve, logs the rows and checks the
// holdout recall@3. It returns the runs by name.
func (e *evalEnv) evalSet(t *testing.T, set evalSet) map[string]evalRun {
	t.Helper()
	queries := loadEvalSet(t, set.file)
	for _, q := range queries {
		for a := range q.answers {
			if !e.known[a] {
				t.Fatalf("%s: %q: answer %q is not a section of the corpus", set.file, q.text, a)
			}
		}
	}
	plain := evalRun{}
	for _, q := range queries {
		if q.kind != "none" {
			plain.add(q, e.plain.search(t, q.text, 10), false)
		}
	}
	syn := e.ix.synonyms
	e.ix.synonyms = nil
	bare := e.run(t, queries, nil)
	e.ix.synonyms = syn
	if _, err := e.synonyms.EnsureSynonyms(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.ix.SynonymsChanged()
	ours := e.run(t, queries, plain)
	runs := map[string]evalRun{"faqwiki": ours, "no synonyms": bare, "plain bleve": plain}
	logEvalRows(t, set.name, runs)
	if r := ours["holdout/all"].ratio(ours["holdout/all"].at3); r < set.minRecall3 {
		t.Errorf("%s: holdout recall@3 = %.3f, want at least %.3f", set.name, r, set.minRecall3)
	}
	return runs
}

// logEvalRows logs the rows of runs (by name: faqwiki, no synonyms, plain
// bleve); the holdout rows only with -eval.holdout.
func logEvalRows(t *testing.T, set string, runs map[string]evalRun) {
	t.Helper()
	rows := []string{"holdout/all", "holdout/worded", "holdout/paraphrase", "holdout/typo", "holdout/none", "tune/all", "tune/worded", "tune/paraphrase", "tune/typo", "tune/none", "all/all"}
	for _, k := range rows {
		ours := runs["faqwiki"][k]
		if ours == nil || !*evalHoldout && !strings.HasPrefix(k, "tune/") {
			continue
		}
		t.Logf("%-10s %-19s faqwiki %s | no synonyms %s | plain bleve %s", set, k, ours, runs["no synonyms"][k], runs["plain bleve"][k])
	}
}

// learnFromUse measures learning from use: three people each search every
// question of one half and open its answer; then both halves are searched
// again, by others. The other half gains only through shared words; the
// replayed half is a new cohort asking the same things in the same words.
func (e *evalEnv) learnFromUse(t *testing.T, queries []evalQuery) {
	t.Helper()
	l, err := OpenLog(filepath.Join(t.TempDir(), "searchlog.db"), LogOptions{FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var replayed, other []evalQuery
	for i, q := range queries {
		switch {
		case q.kind == "none":
		case i%2 == 0:
			replayed = append(replayed, q)
		default:
			other = append(other, q)
		}
	}
	beforeReplayed, beforeOther := e.run(t, replayed, nil), e.run(t, other, nil)
	for _, q := range replayed {
		answer := keys(q.answers)[0]
		slug, anchor := splitDocID(answer)
		for p := range 3 {
			if err := l.LogOpen(context.Background(), wiki.OpenEvent{Query: q.text, Slug: slug, Anchor: anchor, Person: fmt.Sprintf("replay-%d", p)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.ix.learner = l
	defer func() { e.ix.learner = nil }()
	afterReplayed, afterOther := e.run(t, replayed, nil), e.run(t, other, nil)
	for _, k := range []string{"all/all", "holdout/all", "all/paraphrase"} {
		if !*evalHoldout && strings.HasPrefix(k, "holdout/") {
			continue
		}
		t.Logf("learning, other half    %-15s before %s | after %s", k, beforeOther[k], afterOther[k])
		t.Logf("learning, replayed half %-15s before %s | after %s", k, beforeReplayed[k], afterReplayed[k])
	}
}

// run searches every answerable query of qs and scores the results; with
// -eval.show it logs the misses of that split (and, given the baseline's
// run, where the baseline ranked the right page).
func (e *evalEnv) run(t *testing.T, qs []evalQuery, plain evalRun) evalRun {
	t.Helper()
	out := evalRun{}
	for _, q := range qs {
		got, weak := e.ours(t, q.text)
		out.add(q, got, weak)
		if q.kind == "none" {
			if plain != nil && *evalShow == q.split && !weak {
				t.Logf("none       judged an answer: %q -> %v", q.text, got[:min(3, len(got))])
			}
			continue
		}
		if plain != nil && *evalShow == q.split {
			if rank, sec := evalRank(got, q.answers); rank != 1 || !sec {
				baseRank, _ := evalRank(e.plain.search(t, q.text, 10), q.answers)
				t.Logf("%-10s rank %d (plain %d), section first %v: %q -> %v (want %v)", q.kind, rank, baseRank, sec, q.text, got[:min(3, len(got))], keys(q.answers))
			}
		}
	}
	return out
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
