package search

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/faqwiki/faqwiki/wiki/markdown"
)

// Following the change feed. The store commits first; the index applies
// the change afterwards, so indexing can never fail or slow a save. If the
// process dies in between, the index's recorded sequence number is behind
// the feed and the next CatchUp applies what it missed. The documents of a
// batch and the sequence number they bring the index to are written in one
// bleve batch, so the two never disagree.

// rebuildBatchDocs bounds the documents of one batch during a rebuild.
const rebuildBatchDocs = 1500

// catchUpLogAt is how far behind the store the index must be for CatchUp
// to log that it is catching up (and when it has): after a crash or a
// restart, not on every save.
const catchUpLogAt = 100

// indexNice is how much lower than the rest of the process the thread
// that follows the change feed runs (a nice value, on Linux). A batch of
// the feed is tens of milliseconds of CPU, most of it bleve building the
// batch's segment on Run's goroutine; on an equal footing with the
// threads that serve requests, it slowed the commit of every save waiting
// behind it (one transaction at a time, whose writer shared the CPU with
// it). With 32 people saving on one CPU, saves went from 0.45-0.55 of
// raw bbolt Batch to 0.57-0.85 and their p99 from about 70 ms to 43-75,
// every edit still searchable within 0.8 s (faqwiki bench -phases
// load,edit, the two builds alternated, 5 and 9 runs). When nothing else
// wants the CPU the index has all of it: nice only weighs threads that
// compete.
const indexNice = 5

// progressEvery is how often a long rebuild logs a progress line.
const progressEvery = 5 * time.Second

// Notify tells Run that the store has new changes, so that they become
// searchable now rather than at the next poll. It never blocks; the web
// layer calls it after every save.
func (ix *Index) Notify() {
	select {
	case ix.notify <- struct{}{}:
	default:
	}
}

// Run follows the change feed until ctx ends: it catches up at once, then
// whenever Notify is called and at least every PollInterval. Errors are
// logged and retried with a growing pause (up to a minute); they never
// stop Run. It returns nil when ctx ends and ErrClosed if the index is
// closed.
//
// Run does its work on a thread of lower priority (see indexNice), so
// that the index takes the CPU people's requests leave.
func (ix *Index) Run(ctx context.Context) error {
	var err error
	onLowThread(func(lowErr error) {
		if lowErr != nil {
			ix.log.Warn("search: cannot lower the priority of the indexing thread; it competes with requests for the CPU", "err", lowErr)
		}
		err = ix.run(ctx)
	})
	return err
}

func (ix *Index) run(ctx context.Context) error {
	wait := time.NewTimer(0)
	defer wait.Stop()
	pause := ix.poll
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-wait.C:
		case <-ix.notify:
		}
		err := ix.CatchUp(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, ErrClosed):
			return err
		case err != nil:
			ix.counts.failures.Add(1)
			ix.log.Error("search: catching up with the change feed failed; will retry", "err", err, "retry_in", pause)
			pause = min(2*pause, time.Minute)
		default:
			pause = ix.poll
		}
		if !wait.Stop() {
			select {
			case <-wait.C:
			default:
			}
		}
		wait.Reset(pause)
	}
}

// CatchUp applies every change in the feed after the index's sequence
// number, in batches, and returns when the index has reached the end of
// the feed as it was when CatchUp looked. An index that was never filled
// (new, or emptied by Open) is rebuilt from the pages instead. A page that
// cannot be read is logged and left as it was in the index (a rebuild
// repairs it); CatchUp
// returns an error if the feed cannot be read, the index cannot be written
// or ctx ends, and ErrClosed on a closed index. Already-applied batches
// stay applied.
func (ix *Index) CatchUp(ctx context.Context) error {
	ix.applyMu.Lock()
	defer ix.applyMu.Unlock()
	if ix.idx == nil {
		return ErrClosed
	}
	if !ix.built.Load() {
		return ix.rebuildLocked(ctx, nil)
	}
	// An index ahead of the store was made from other data (the folder was
	// restored from an older backup beside a newer index): it may hold
	// pages the store never had, and no change will ever correct them.
	last, err := ix.src.LastSeq(ctx)
	if err != nil {
		return fmt.Errorf("search: read change feed: %w", err)
	}
	if seq := ix.seq.Load(); seq > last {
		ix.counts.ahead.Add(1)
		ix.log.Warn("search: the index is ahead of the store's change feed (was the data restored from a backup?); rebuilding it", "index_seq", seq, "store_seq", last)
		return ix.rebuildLocked(ctx, nil)
	}
	if behind := last - ix.seq.Load(); behind >= catchUpLogAt {
		ix.log.Info("search: the index is behind the store; catching up", "from_seq", ix.seq.Load(), "to_seq", last, "changes", behind)
		defer func(start time.Time) {
			if ix.seq.Load() >= last {
				ix.log.Info("search: the index caught up", "seq", ix.seq.Load(), "took", time.Since(start).Round(time.Millisecond))
			}
		}(time.Now())
	}
	for {
		changes, err := ix.src.Changes(ctx, ix.seq.Load(), ix.batch)
		if err != nil {
			return fmt.Errorf("search: read change feed: %w", err)
		}
		if len(changes) == 0 {
			return nil
		}
		if err := ix.apply(ctx, changes); err != nil {
			return err
		}
	}
}

// apply indexes the pages named by changes as they are now in the store,
// and moves the index's sequence number to the last change.
func (ix *Index) apply(ctx context.Context, changes []wiki.Change) error {
	var slugs []wiki.Slug
	seen := map[wiki.Slug]bool{}
	for _, c := range changes {
		if !seen[c.Slug] {
			seen[c.Slug] = true
			slugs = append(slugs, c.Slug)
		}
	}
	last := changes[len(changes)-1].Seq

	idx := ix.idx
	old, sums, err := docsOf(ctx, idx, slugs)
	if err != nil {
		return err
	}
	b := idx.NewBatch()
	keep := map[string]bool{}
	failed := map[wiki.Slug]bool{} // pages that could not be read keep their documents
	for _, slug := range slugs {
		p, err := ix.src.Page(ctx, slug)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, wiki.ErrNotFound):
			continue // never existed (or gone): its documents go below
		case err != nil:
			ix.log.Error("search: cannot read a changed page; its index entry stays as it was until a rebuild", "slug", slug, "err", err)
			failed[slug] = true
			continue
		case p.Deleted:
			continue
		}
		for _, d := range ix.pageDocs(p) {
			keep[d.id] = true
			if sums[d.id] == d.fields[fieldSum] {
				continue // a section the change left as it was
			}
			if err := b.Index(d.id, d.fields); err != nil {
				return fmt.Errorf("search: index page %q: %w", slug, err)
			}
		}
	}
	for _, id := range old {
		if slug, _ := splitDocID(id); !keep[id] && !failed[slug] {
			b.Delete(id)
		}
	}
	b.SetInternal(keySeq, seqBytes(last))
	err = idx.Batch(b)
	// Now searchable (or, on an error, perhaps in part): what search keeps
	// of these pages is out of date.
	ix.meta.changed(slugs)
	if err != nil {
		return fmt.Errorf("search: apply changes up to %d: %w", last, err)
	}
	ix.seq.Store(last)
	ix.counts.applied.Add(uint64(len(changes)))
	return nil
}

// docsOf returns the ids of the documents of the given pages, and each
// one's sum (see sectionSum).
func docsOf(ctx context.Context, idx bleve.Index, slugs []wiki.Slug) ([]string, map[string]any, error) {
	var ids []string
	sums := map[string]any{}
	for chunk := range slices.Chunk(slugs, 64) {
		qs := make([]query.Query, len(chunk))
		for i, s := range chunk {
			t := query.NewTermQuery(string(s))
			t.SetField(fieldSlug)
			qs[i] = t
		}
		for from := 0; ; {
			req := bleve.NewSearchRequestOptions(query.NewDisjunctionQuery(qs), 1000, from, false)
			req.Score = "none"
			req.SortBy([]string{"_id"})
			req.Fields = []string{fieldSum}
			res, err := idx.SearchInContext(ctx, req)
			if err != nil {
				return nil, nil, fmt.Errorf("search: find documents of changed pages: %w", err)
			}
			for _, h := range res.Hits {
				ids = append(ids, h.ID)
				if v, ok := h.Fields[fieldSum]; ok {
					sums[h.ID] = v
				}
			}
			from += len(res.Hits)
			if len(res.Hits) == 0 || uint64(from) >= res.Total {
				break
			}
		}
	}
	return ids, sums, nil
}

// Rebuild makes the index anew from every page in the store, for
// "faqwiki reindex" and for an index that was lost. It builds a fresh index
// in a folder beside the live one, which keeps answering searches, and
// swaps it in at the end; changes saved meanwhile are applied by the next
// CatchUp. progress, if not nil, is called after each batch with the pages
// done and the total; a long rebuild also logs a progress line every few
// seconds. It returns an error if the store cannot be read, the index
// cannot be written or ctx ends (the live index is then left as it was),
// and ErrClosed on a closed index.
func (ix *Index) Rebuild(ctx context.Context, progress func(done, total int)) error {
	ix.applyMu.Lock()
	defer ix.applyMu.Unlock()
	if ix.idx == nil {
		return ErrClosed
	}
	return ix.rebuildLocked(ctx, progress)
}

func (ix *Index) rebuildLocked(ctx context.Context, progress func(done, total int)) error {
	start := time.Now()
	// Changes after seq may or may not be in what we read below; CatchUp
	// applies them again afterwards, which is harmless.
	seq, err := ix.src.LastSeq(ctx)
	if err != nil {
		return fmt.Errorf("search: rebuild: %w", err)
	}
	slugs, err := ix.allSlugs(ctx)
	if err != nil {
		return fmt.Errorf("search: rebuild: %w", err)
	}
	tmp := ix.rebuildDir()
	if err := removeIndexDir(tmp); err != nil {
		return fmt.Errorf("search: rebuild: %w", err)
	}
	idx, err := ix.create(tmp)
	if err != nil {
		return fmt.Errorf("search: rebuild: %w", err)
	}
	if err := ix.fill(ctx, idx, slugs, seq, progress); err != nil {
		_ = idx.Close()
		_ = removeIndexDir(tmp)
		return fmt.Errorf("search: rebuild: %w", err)
	}
	if err := persist(idx); err != nil {
		_ = idx.Close()
		_ = removeIndexDir(tmp)
		return fmt.Errorf("search: rebuild: %w", err)
	}
	if err := idx.Close(); err != nil {
		_ = removeIndexDir(tmp)
		return fmt.Errorf("search: rebuild: %w", err)
	}
	if err := ix.swap(tmp); err != nil {
		return fmt.Errorf("search: rebuild: %w", err)
	}
	ix.counts.rebuilds.Add(1)
	if len(slugs) > 0 {
		ix.log.Info("search: index rebuilt", "pages", len(slugs), "seq", seq, "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// allSlugs lists every page that is not deleted.
func (ix *Index) allSlugs(ctx context.Context) ([]wiki.Slug, error) {
	var slugs []wiki.Slug
	cursor := ""
	for {
		pages, next, err := ix.src.Pages(ctx, wiki.PageFilter{Limit: 1000, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, p := range pages {
			slugs = append(slugs, p.Slug)
		}
		if next == "" || len(pages) == 0 {
			return slugs, nil
		}
		cursor = next
	}
}

// fill indexes the pages into idx, with workers reading and splitting
// pages while bleve analyses the previous batch, and records seq last.
func (ix *Index) fill(ctx context.Context, idx bleve.Index, slugs []wiki.Slug, seq uint64, progress func(done, total int)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan wiki.Slug)
	type result struct {
		docs []sectionDoc
		err  error
	}
	results := make(chan result, 64)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)/2) {
		wg.Go(func() {
			for slug := range work {
				p, err := ix.src.Page(ctx, slug)
				var r result
				switch {
				case ctx.Err() != nil:
					r.err = ctx.Err()
				case errors.Is(err, wiki.ErrNotFound):
					// deleted since the listing
				case err != nil:
					ix.log.Error("search: cannot read a page; leaving it out of the index", "slug", slug, "err", err)
				case !p.Deleted:
					r.docs = ix.pageDocs(p)
				}
				select {
				case results <- r:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() {
		defer close(work)
		for _, s := range slugs {
			select {
			case work <- s:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	total := len(slugs)
	done := 0
	lastLog := time.Now()
	b := idx.NewBatch()
	flush := func() error {
		if err := idx.Batch(b); err != nil {
			return err
		}
		b.Reset()
		if progress != nil {
			progress(done, total)
		}
		if time.Since(lastLog) >= progressEvery {
			lastLog = time.Now()
			ix.log.Info("search: rebuilding the index", "done", done, "total", total)
		}
		return nil
	}
	for r := range results {
		if r.err != nil {
			return r.err
		}
		done++
		for _, d := range r.docs {
			if err := b.Index(d.id, d.fields); err != nil {
				return err
			}
		}
		if b.Size() >= rebuildBatchDocs {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	b.SetInternal(keySeq, seqBytes(seq))
	return flush()
}

// swap replaces the live index with the one built in tmp. If that fails
// half way, the Index is left on whatever index it can open (an empty one
// at worst, which the next CatchUp rebuilds).
func (ix *Index) swap(tmp string) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.meta.reset() // no search runs meanwhile: they hold ix.mu
	if err := ix.idx.Close(); err != nil {
		ix.log.Warn("search: closing the old index", "err", err)
	}
	ix.idx = nil
	err := removeIndexDir(ix.dir)
	if err == nil {
		err = os.Rename(tmp, ix.dir)
	}
	idx, oerr := ix.openOrCreate(ix.dir)
	if oerr != nil {
		return errors.Join(err, oerr)
	}
	if lerr := ix.loadSeq(idx); lerr != nil {
		_ = idx.Close()
		return errors.Join(err, lerr)
	}
	ix.idx = idx
	return err
}

// sectionDoc is one document to index: id slug#anchor and its fields.
type sectionDoc struct {
	id     string
	fields map[string]any
}

// docID is the document id of a section: slug + "#" + anchor. A slug has
// no '#', so the first one separates them.
func docID(slug wiki.Slug, anchor string) string { return string(slug) + "#" + anchor }

// splitDocID reverses docID.
func splitDocID(id string) (wiki.Slug, string) {
	slug, anchor, _ := strings.Cut(id, "#")
	return wiki.Slug(slug), anchor
}

// maxIndexedText bounds the text indexed per section; the rest of a huge
// section is not searchable (pages are at most wiki.MaxMarkdownBytes).
const maxIndexedText = 256 << 10

// previewBytes is how much of a section's sub-sections is kept as its
// snippet when it has no text of its own.
const previewBytes = 1 << 10

// pageDocs returns the section documents of p: one per section with text
// or a heading, and at least one (the page as a whole) so that every page
// can be found by its title and tags. A first-level heading that repeats
// the title (the "# Title" line most pages start with) is no question: its
// text counts as the page's intro, anchor "", since the title is on every
// document already and would otherwise count twice for that one.
func (ix *Index) pageDocs(p *wiki.Page) []sectionDoc {
	secs := ix.sec.Sections(p.Markdown)
	tags := p.Tags
	if tags == nil {
		tags = []string{}
	}
	var docs []sectionDoc
	byID := map[string]int{}
	type open struct {
		level           int
		anchor, heading string
	}
	var questions []open   // the enclosing questions of the section being read
	var enclosing []string // for each of docs: the headings of the questions it belongs to (see allText)
	for i, s := range secs {
		text := ownText(secs, i)
		heading, anchor, level := s.Heading, s.Anchor, s.Level
		if level <= 1 && sameText(heading, p.Title) {
			heading, anchor, level = "", "", 0
		}
		for len(questions) > 0 && questions[len(questions)-1].level >= level {
			questions = questions[:len(questions)-1]
		}
		parent, under := "", ""
		var headings []string
		for _, q := range questions {
			headings = append(headings, q.heading)
		}
		if len(questions) > 0 {
			parent, under = questions[len(questions)-1].anchor, questions[len(questions)-1].heading
		}
		if level >= 2 {
			questions = append(questions, open{level, anchor, heading})
		}
		if heading == "" && text == "" && anchor == "" {
			continue
		}
		id := docID(p.Slug, anchor)
		if j, ok := byID[id]; ok {
			// The intro before a "# Title" line and the text after it; or
			// a duplicate anchor, which Sections should never make.
			d := docs[j].fields
			d[fieldText] = cutUTF8(strings.TrimSpace(d[fieldText].(string)+"\n"+text), maxIndexedText)
			d[fieldAll] = allText(p.Title, enclosing[j], d[fieldHeading].(string), d[fieldText].(string))
			continue
		}
		byID[id] = len(docs)
		enclosing = append(enclosing, strings.Join(headings, "\n"))
		d := newSectionDoc(id, p, tags, enclosing[len(enclosing)-1], heading, cutUTF8(text, maxIndexedText), level)
		if parent != "" {
			d.fields[fieldParent] = parent
			d.fields[fieldUnder] = under
		}
		if text == "" && s.Text != "" {
			// A question answered only in its sub-questions: show their
			// beginning as its snippet (not indexed: those words lead to
			// the sub-questions).
			d.fields[fieldPreview] = cutUTF8(s.Text, previewBytes)
		}
		docs = append(docs, d)
	}
	if len(docs) == 0 {
		docs = append(docs, newSectionDoc(docID(p.Slug, ""), p, tags, "", "", "", 0))
	}
	docs[0].fields[fieldFirst] = "1"
	docs[0].fields[fieldWords] = pageWords(p.Title, secs)
	for _, d := range docs {
		d.fields[fieldSum] = sectionSum(d.fields)
	}
	return docs
}

// sectionSum is a hash of a document's fields: the same fields, the same
// sum, so that applying a change re-indexes only the sections it changed
// (a one-line edit changes one of a page's sections, and analysing the
// others again was most of the cost of following edits).
func sectionSum(fields map[string]any) string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		if k != fieldSum {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	h := fnv.New128a()
	for _, k := range names {
		fmt.Fprintf(h, "%s\x00%v\x00", k, fields[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// pageWords returns the distinct words of a page's title, headings and
// text, lower-cased and separated by spaces, for the words field: a
// compound's parts and its solid spelling, as the text analyzer has them.
func pageWords(title string, secs []markdown.Section) string {
	seen := map[string]bool{}
	var b strings.Builder
	word := func(w string) {
		if len(w) > maxWordBytes || seen[w] {
			return
		}
		seen[w] = true
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	add := func(s string) {
		for w := range splitQueryWords(strings.ToLower(cutUTF8(s, maxIndexedText))) {
			if !isCompound(w) {
				word(w)
				continue
			}
			for p := range splitWords(w) {
				word(p)
			}
			word(strings.ReplaceAll(w, "-", ""))
		}
	}
	add(title)
	for i, s := range secs {
		add(s.Heading)
		add(ownText(secs, i))
	}
	return b.String()
}

// sameText reports whether two headings read the same, ignoring case,
// punctuation and spacing.
func sameText(a, b string) bool {
	return a != "" && wiki.SlugFromTitle(a) == wiki.SlugFromTitle(b)
}

// newSectionDoc makes a section's document; questions are the headings of
// the questions it belongs to, one a line.
func newSectionDoc(id string, p *wiki.Page, tags []string, questions, heading, text string, level int) sectionDoc {
	return sectionDoc{id: id, fields: map[string]any{
		fieldSlug:    string(p.Slug),
		fieldTitle:   p.Title,
		fieldHeading: heading,
		fieldText:    text,
		fieldTags:    tags,
		fieldLevel:   float64(level),
		fieldAll:     allText(p.Title, questions, heading, text),
	}}
}

// allText is what fieldAll holds: a section's words wherever they stand,
// with the page's title and the headings of the questions it belongs to
// ("Laptop" under "Equipment": its answer is about equipment too). On
// testdata/eval's tune splits, the questions' headings put the right page
// first for 3 more of 311 questions.
func allText(title, questions, heading, text string) string {
	return title + "\n" + questions + "\n" + heading + "\n" + text
}

// ownText returns the text of secs[i] without its sub-sections: Sections
// gives a section's text with its sub-sections (headings and all), and a
// word that belongs to a sub-question should lead to that sub-question.
// The sub-sections begin where the first one's heading line does.
func ownText(secs []markdown.Section, i int) string {
	s := secs[i]
	if i+1 >= len(secs) || secs[i+1].Level <= s.Level || s.Level == 0 {
		return s.Text
	}
	h := secs[i+1].Heading
	if h == "" {
		return s.Text
	}
	if strings.HasPrefix(s.Text, h+"\n") || s.Text == h {
		return ""
	}
	if j := strings.Index(s.Text, "\n"+h+"\n"); j >= 0 {
		return strings.TrimSpace(s.Text[:j])
	}
	if strings.HasSuffix(s.Text, "\n"+h) {
		return strings.TrimSpace(strings.TrimSuffix(s.Text, h))
	}
	return s.Text
}

// cutUTF8 cuts s to at most n bytes at a character boundary.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
