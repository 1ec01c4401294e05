package wiki

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/faqwiki/faqwiki/wiki/markdown"
)

// Rendering pages: one shared render per revision however many view it at
// once, a cache of renders that rechecks which linked pages exist, and
// bounded renders of unsaved text (previews and the check before a save),
// so that a text goldmark takes seconds over can neither pile up nor stall
// anyone else.

// Renderer turns Markdown into safe HTML. *markdown.Renderer (from
// NewRenderer) is the real one; tests give the wiki one they control. It
// must be safe for concurrent use.
type Renderer interface {
	RenderDoc(src string, d markdown.Doc) (*markdown.Rendered, error)
	// LinkTargets returns the targets of the text's wiki links, for the
	// link index (parsing only, no rendering).
	LinkTargets(src string) []markdown.LinkTarget
}

// NewRenderer returns the Markdown renderer for wiki pages: wiki links
// name pages by title or slug, made into slugs with SlugFromTitle, and a
// page's files are served at AttachmentURL.
func NewRenderer() *markdown.Renderer {
	return markdown.New(markdown.Options{
		LinkSlug: func(page string) string { return string(SlugFromTitle(page)) },
		FileURL:  func(name, id string) string { return AttachmentURL(Attachment{Name: name, SHA256: id}) },
	})
}

// renderFiles is what the renderer needs of a page's attachments.
func renderFiles(as []Attachment) []markdown.File {
	if len(as) == 0 {
		return nil
	}
	out := make([]markdown.File, len(as))
	for i, a := range as {
		out[i] = markdown.File{Name: a.Name, ID: a.SHA256}
	}
	return out
}

// RenderPage returns the rendered HTML of a page's revision, from the cache
// when the revision was rendered before and the pages it links to still
// exist (or are still missing) as they did then.
func (w *Wiki) RenderPage(ctx context.Context, p *Page) (*markdown.Rendered, error) {
	return w.renderCached(ctx, p.Slug, p.Revision, p.Markdown, p.Attachments, noSeq)
}

// RenderRevision is RenderPage for any revision.
func (w *Wiki) RenderRevision(ctx context.Context, r *Revision) (*markdown.Rendered, error) {
	return w.renderCached(ctx, r.Slug, r.Number, r.Markdown, r.Attachments, noSeq)
}

func renderKey(slug Slug, n int) string { return string(slug) + "\x00" + strconv.Itoa(n) }

// cachedRenderEntry is a render in the cache and the ExistenceSeq (plus
// one; 0: none) at which its links were last found as they were when it
// was made: while the store's number is still that, no page came, went or
// changed its title, and the render needs no check.
type cachedRenderEntry struct {
	r       *markdown.Rendered
	checked atomic.Uint64
}

// noSeq stands for an ExistenceSeq the caller does not know: the links of
// a cached render are then checked against the store.
const noSeq = ^uint64(0)

// cacheRender keeps the render of revision n of slug, its links checked
// at seq.
func (w *Wiki) cacheRender(slug Slug, n int, r *markdown.Rendered, seq uint64) {
	key := renderKey(slug, n)
	e := &cachedRenderEntry{r: r}
	if seq != noSeq {
		e.checked.Store(seq + 1)
	}
	w.cache.Put(key, e, len(r.HTML)+len(r.TOCHTML)+len(key)+64)
}

// cachedRender returns the cached render of revision n of slug if it is
// still right: its links to pages lead where they led when it was made.
// When seq (the store's ExistenceSeq, read before) is the one the render
// was last checked at, nothing is read.
func (w *Wiki) cachedRender(ctx context.Context, slug Slug, n int, seq uint64) (*markdown.Rendered, bool) {
	e, ok := w.cache.Get(renderKey(slug, n))
	if !ok {
		return nil, false
	}
	r := e.r
	if len(r.Queries) == 0 || seq != noSeq && e.checked.Load() == seq+1 {
		w.counts.renderHits.Add(1)
		return r, true
	}
	answers, err := w.resolveLinks(ctx)(r.Queries)
	if err != nil || !markdown.SameAnswers(answers, r.Answers) {
		return nil, false // render afresh; that reports an error
	}
	if seq != noSeq {
		e.checked.Store(seq + 1)
	}
	w.counts.renderHits.Add(1)
	return r, true
}

func (w *Wiki) renderCached(ctx context.Context, slug Slug, n int, text string, files []Attachment, seq uint64) (*markdown.Rendered, error) {
	key := renderKey(slug, n)
	if r, ok := w.cachedRender(ctx, slug, n, seq); ok {
		return r, nil
	}
	w.counts.renderMisses.Add(1)
	// One render per revision at a time: when a popular page's revision is
	// first viewed by many people at once, they all wait for one render
	// instead of each doing it (some texts take goldmark seconds).
	w.flightMu.Lock()
	if call, ok := w.flights[key]; ok {
		call.waiters++
		w.flightMu.Unlock()
		select {
		case <-call.done:
			return call.r, call.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	call := &renderCall{done: make(chan struct{})}
	w.flights[key] = call
	w.flightMu.Unlock()

	bg := context.WithoutCancel(ctx) // the waiters must not fail because the first caller left
	call.r, call.err = w.render.RenderDoc(text, markdown.Doc{Resolve: w.resolveLinks(bg), Files: renderFiles(files)})
	if call.err == nil {
		w.cacheRender(slug, n, call.r, seq)
	}
	w.flightMu.Lock()
	delete(w.flights, key)
	w.flightMu.Unlock()
	close(call.done)
	return call.r, call.err
}

// renderCall is one render in progress that other callers may wait for.
type renderCall struct {
	done    chan struct{}
	waiters int // callers waiting for it besides the one rendering; under flightMu
	r       *markdown.Rendered
	err     error
}

// Limits on previews, which render unsaved text on every keystroke pause
// and so cannot be cached: at most maxPreviews at once, each given
// Config.PreviewTimeout before the caller is told the text is too complex.
const (
	maxPreviews           = 2
	previewWait           = 2 * time.Second
	defaultPreviewTimeout = 5 * time.Second
	// Saves render too (see Save), with more slots and patience: a save
	// refused as busy is worse than a preview that lags.
	saveRenderWait = 10 * time.Second
)

// Preview renders Markdown that is not saved yet (never cached). It
// returns ErrTooLarge for a text over the limit, ErrBusy when too many
// previews are running, and ErrTooComplex when rendering takes longer than
// the preview timeout (the render goes on in the background, still counted
// against the limit, so hostile texts cannot pile up).
//
// files are the attachments the text may refer to (the page's, when it
// exists).
func (w *Wiki) Preview(ctx context.Context, text string, files ...Attachment) (*markdown.Rendered, error) {
	if len(text) > MaxMarkdownBytes {
		return nil, ErrTooLarge
	}
	r, err := w.renderBounded(ctx, UserFromContext(ctx).Name, normalizeNewlines(text), files, w.previews, previewWait, w.previewTimeout)
	if err != nil {
		return nil, err
	}
	return r.Rendered, nil
}

// checkedRender is a render and the text it was made from.
type checkedRender struct {
	*markdown.Rendered
	source string
}

// renderBounded renders markdown holding one of slots (waiting at most
// wait for one: ErrBusy), giving up after timeout (ErrTooComplex) while the
// render finishes in the background, still holding its slot. A user
// (owner) whose earlier render is still running past its timeout gets
// ErrBusy until it ends, so one person's hostile texts cannot take every
// slot; ordinary renders end in milliseconds and never hold anyone up.
func (w *Wiki) renderBounded(ctx context.Context, owner, text string, files []Attachment, slots chan struct{}, wait, timeout time.Duration) (*checkedRender, error) {
	w.flightMu.Lock()
	runaway := w.runaways[owner] > 0
	w.flightMu.Unlock()
	if runaway {
		return nil, ErrBusy
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case slots <- struct{}{}:
	case <-t.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	w.counts.previews.Add(1)
	type result struct {
		r   *markdown.Rendered
		err error
	}
	done := make(chan result, 1)
	var finished, timedOut bool // guarded by w.flightMu
	bg := context.WithoutCancel(ctx)
	go func() {
		defer func() {
			<-slots
			w.flightMu.Lock()
			finished = true
			if timedOut {
				if w.runaways[owner]--; w.runaways[owner] <= 0 {
					delete(w.runaways, owner)
				}
			}
			w.flightMu.Unlock()
		}()
		r, err := w.render.RenderDoc(text, markdown.Doc{Resolve: w.resolveLinks(bg), Files: renderFiles(files)})
		done <- result{r, err}
	}()
	limit := time.NewTimer(timeout)
	defer limit.Stop()
	select {
	case res := <-done:
		if res.err != nil {
			return nil, res.err
		}
		return &checkedRender{Rendered: res.r, source: text}, nil
	case <-limit.C:
		w.flightMu.Lock()
		if !finished {
			timedOut = true
			w.runaways[owner]++
		}
		w.flightMu.Unlock()
		return nil, ErrTooComplex
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
