// Package bench is faqwiki's performance suite ("faqwiki bench"): it makes
// a deterministic corpus of FAQ pages, loads it into a faqwiki server
// running on this machine, drives bounded mixes of requests against it,
// and measures in the same run what the machine can do at most for each
// (a bare gin handler, raw bbolt, raw bleve), so that every figure is
// printed next to its ceiling as a ratio: shared machines are noisy, and
// absolute numbers move by a third from run to run while ratios do not.
package bench

import (
	_ "embed"
	"fmt"
	"math/rand/v2"
	"strings"
)

// words is the vocabulary of the corpus, most frequent first: the words
// of the TTS handbook (cmd/faqwiki/demo/handbook) that occur at least
// twice.
//
//go:embed words.txt
var wordList string

// Corpus makes pages that read like FAQ pages: a title, a short intro and
// question headings ("## How do I ...?", some "###") with answers, 2-8 KB
// each, in words drawn from the handbook's vocabulary with a Zipf
// distribution (so a few words are everywhere and most are rare, as in
// real text), a few wiki links to other pages and one to three tags. Page
// i is the same for the same seed, so nothing needs storing.
type Corpus struct {
	seed  uint64
	vocab []string
	tags  []string
}

// NewCorpus returns the corpus of seed.
func NewCorpus(seed uint64) *Corpus {
	c := &Corpus{seed: seed, vocab: strings.Fields(wordList)}
	for i := range 30 {
		c.tags = append(c.tags, c.vocab[60+i*11])
	}
	return c
}

// Slug is the address of page i.
func (c *Corpus) Slug(i int) string { return fmt.Sprintf("faq/page-%06d", i) }

// Page is one page of the corpus.
type Page struct {
	Slug, Title, Markdown string
	Tags                  []string
}

func (c *Corpus) rng(i, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(c.seed^stream<<32, i))
}

func (c *Corpus) words(rng *rand.Rand, z *rand.Zipf, n int) string {
	ws := make([]string, n)
	for j := range ws {
		ws[j] = c.vocab[z.Uint64()]
	}
	return strings.Join(ws, " ")
}

// Page returns page i of a corpus of n pages (its links point among them).
func (c *Corpus) Page(i, n int) Page {
	rng := c.rng(uint64(i), 1)
	z := rand.NewZipf(rng, 1.07, 2, uint64(len(c.vocab)-1))
	size := 2048 + rng.IntN(6144)
	title := c.words(rng, z, 2+rng.IntN(4))
	title = strings.ToUpper(title[:1]) + title[1:]
	var b strings.Builder
	b.WriteString(c.words(rng, z, 15+rng.IntN(30)) + ".\n")
	for q := 0; b.Len() < size; q++ {
		level := "## "
		if q > 0 && rng.IntN(4) == 0 {
			level = "### "
		}
		b.WriteString("\n" + level + "How do I " + c.words(rng, z, 3+rng.IntN(5)) + "?\n\n")
		for range 1 + rng.IntN(3) {
			b.WriteString(c.words(rng, z, 20+rng.IntN(60)))
			if rng.IntN(3) == 0 && n > 1 {
				fmt.Fprintf(&b, " (see [[%s]])", c.Slug(rng.IntN(n)))
			}
			b.WriteString(".\n\n")
		}
	}
	var tags []string
	for range 1 + rng.IntN(3) {
		tags = append(tags, c.tags[rng.IntN(len(c.tags))])
	}
	return Page{Slug: c.Slug(i), Title: title, Markdown: b.String(), Tags: tags}
}

// HotPage is the page the view mixes read over and over: a long FAQ
// page, about 15 KB of Markdown and 58 KB of HTML as a signed-in reader views it (the rendered text with its
// answer boxes, in the page around it).
func (c *Corpus) HotPage() Page {
	rng := c.rng(0, 2)
	z := rand.NewZipf(rng, 1.07, 2, uint64(len(c.vocab)-1))
	var b strings.Builder
	b.WriteString("Everything new hires ask in their first week, in one place.\n")
	for q := 0; b.Len() < 15<<10; q++ {
		b.WriteString("\n## How do I " + c.words(rng, z, 3+rng.IntN(5)) + "?\n\n")
		b.WriteString(c.words(rng, z, 40+rng.IntN(40)) + ".\n\n- " + c.words(rng, z, 6) + "\n- " + c.words(rng, z, 8) + "\n")
	}
	return Page{Slug: "bench/hot", Title: "First week questions", Markdown: b.String(), Tags: []string{"onboarding"}}
}

// Queries returns n search queries: one to four words of the vocabulary
// (the commonest left out: nobody searches for "the"), often as a
// question, one in ten with two letters swapped.
func (c *Corpus) Queries(n int) []string {
	rng := c.rng(0, 3)
	z := rand.NewZipf(rng, 1.07, 2, uint64(len(c.vocab)-11))
	out := make([]string, n)
	for i := range out {
		ws := make([]string, 1+rng.IntN(4))
		for j := range ws {
			ws[j] = c.vocab[10+z.Uint64()]
		}
		if rng.IntN(10) == 0 && len(ws[0]) > 4 {
			r := []byte(ws[0])
			k := 1 + rng.IntN(len(r)-2)
			r[k], r[k+1] = r[k+1], r[k]
			ws[0] = string(r)
		}
		q := strings.Join(ws, " ")
		if rng.IntN(3) == 0 {
			q = "how do I " + q + "?"
		}
		out[i] = q
	}
	return out
}

// BigPage is a page of about size bytes of Markdown for the storage
// measure: lines of prose that an edit changes one at a time.
func (c *Corpus) BigPage(size int) Page {
	rng := c.rng(0, 4)
	z := rand.NewZipf(rng, 1.07, 2, uint64(len(c.vocab)-1))
	var b strings.Builder
	for q := 0; b.Len() < size; q++ {
		fmt.Fprintf(&b, "## How do I %s?\n\n%s.\n\n", c.words(rng, z, 5), c.words(rng, z, 40))
	}
	return Page{Slug: "bench/big", Title: "A long page", Markdown: b.String()}
}
