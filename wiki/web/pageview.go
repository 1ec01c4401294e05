package web

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"html"
	"html/template"
	"net/http"
	"strconv"
	"sync"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/faqwiki/faqwiki/wiki/internal/lru"
	"github.com/gin-gonic/gin"
)

// The page-view cache. Executing page_view.html for a long page cost far
// more than the page itself (reflection for every action, and the body
// copied through fmt), on every view. So the view of a page's current
// text is drawn once per state that changes what it shows (the revision,
// the reader's role, what links here, whether they watch it, who reviewed
// it, the minute for "3 minutes ago") and kept as segments of HTML with
// holes where each request's own values go: the CSRF token, the reader's
// name, and the rendered text and questions of the revision, which the
// render cache already holds. A view is then a key, a lookup and a few
// writes.
//
// A hole is made by drawing the page with a sentinel in place of the
// value: a string no page can contain (it holds a random number made at
// start) that html/template passes through unchanged in text and quoted
// attributes. A value that a template uses anywhere else (in a URL, in a
// script) comes out escaped, the sentinel is then not found whole, and
// that page is drawn afresh on each view instead of cached (and it is
// logged once): a template change can make views slower, never wrong.
// Everything else the page shows must be in the key; appendPageViewKey lists
// it, and a test checks that every field of pageView and BasePage is
// either in the key or a hole.

// holes of a page view, as named in its sentinels.
const (
	holeCSRF   = "csrf"
	holeName   = "name"   // the reader's username
	holeLabel  = "label"  // their display name
	holeCohort = "cohort" // their cohort
	holeBody   = "body"   // the rendered text
	holeTOC    = "toc"    // the questions on the page
	holeAnswer = "answer" // the rendered text with its answer boxes
)

// pageViewCacheBytes bounds the drawn views, and pageAnswerCacheBytes
// the whole answers made of them.
const (
	pageViewCacheBytes   = 32 << 20
	pageAnswerCacheBytes = 16 << 20
)

// pageViewCache holds drawn page views by key, and whole answers.
type pageViewCache struct {
	nonce   string // in every sentinel
	parts   *lru.Cache[[]viewPart]
	answers *lru.Cache[*pageAnswer] // by view key and the reader's own values
	refused sync.Map                // template names whose holes did not survive, logged once
}

// viewPart is literal HTML, or a hole.
type viewPart struct {
	html []byte
	hole string
}

// pageAnswer is a drawn view with its holes filled: the bytes of the
// answer. A reader who views a page again gets the same bytes, and
// copying the parts of a long page into one buffer on every view was a
// third of what a view cost in process (BenchmarkPageView/cached-token:
// 7.9 µs before, 4.3-5.3 after). The revision's HTML it was filled with
// is kept, since the render cache may draw a revision anew (a page it
// links to was made): the answer serves only while that is unchanged.
type pageAnswer struct {
	body, toc, answer string
	out               []byte
	length            []string // out's Content-Length (contentLength)
}

func newPageViewCache() *pageViewCache {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return &pageViewCache{nonce: hex.EncodeToString(b),
		parts: lru.New[[]viewPart](pageViewCacheBytes), answers: lru.New[*pageAnswer](pageAnswerCacheBytes)}
}

func (pc *pageViewCache) sentinel(hole string) string {
	return "\x1e" + pc.nonce + ":" + hole + "\x1f"
}

// putParts keeps the drawn view under key.
func (pc *pageViewCache) putParts(key string, parts []viewPart) {
	size := len(key) + 64
	for _, p := range parts {
		size += len(p.html) + 32
	}
	pc.parts.Put(key, parts, size)
}

// split cuts drawn HTML at its sentinels. ok is false when the nonce
// occurs anywhere but in whole sentinels (a value used where html/template
// escaped it).
func (pc *pageViewCache) split(b []byte) (parts []viewPart, ok bool) {
	open := []byte("\x1e" + pc.nonce + ":")
	for {
		i := bytes.Index(b, open)
		if i < 0 {
			break
		}
		rest := b[i+len(open):]
		j := bytes.IndexByte(rest, '\x1f')
		if j < 0 || j > 16 {
			return nil, false
		}
		parts = append(parts, viewPart{html: bytes.Clone(b[:i])}, viewPart{hole: string(rest[:j])})
		b = rest[j+1:]
	}
	if bytes.Contains(b, []byte(pc.nonce)) {
		return nil, false
	}
	return append(parts, viewPart{html: bytes.Clone(b)}), true
}

// appendPageViewKey appends the cache key of v, whose page is the current
// text of v.Page (no OldRev, no AsOf, no Flash: those are drawn afresh).
// It holds everything the view shows or branches on but its holes, each
// field in the order of pageViewKeyed. The key is made on every view:
// appended to a buffer the caller keeps on the stack, it is looked up
// without an allocation (lru.GetBytes).
func appendPageViewKey(b []byte, v *pageView, minute int64) []byte {
	u := v.User
	add := func(s string) { b = append(b, s...); b = append(b, 0) }
	num := func(n int64) { b = strconv.AppendInt(b, n, 10); b = append(b, 0) }
	flag := func(f bool) {
		if f {
			b = append(b, '1')
		} else {
			b = append(b, '0')
		}
	}
	add(string(v.Page.Slug))
	num(int64(v.Page.Revision))
	num(int64(v.Newest))
	num(minute)
	add(v.Title)
	add(v.SiteName)
	add(v.Path)
	add(v.Query)
	num(int64(u.Role))
	flag(u.SignedIn())
	flag(u.DisplayName != "")
	flag(u.Cohort != "")
	flag(v.CanRead)
	flag(v.CanEdit)
	flag(v.CanTrain)
	flag(v.IsAdmin)
	flag(v.FAQ)
	flag(v.CanAsk)
	flag(v.Watching)
	flag(v.WatchingPrefix)
	flag(v.CSRFToken != "")
	num(int64(v.ReviewCount))
	num(int64(len(v.TOC)))
	num(int64(v.Unreviewed))
	if v.Head != nil {
		add(v.Head.ReviewedBy)
		num(v.Head.ReviewedAt.UnixNano())
	} else {
		add("\x00nohead")
	}
	// What links here: often empty, seldom long.
	var h fnv64a = fnvOffset64 // not hash/fnv: its hash escapes, an allocation a view
	for _, p := range v.Backlinks {
		h.add(string(p.Slug))
		h.add(p.Title)
	}
	num(int64(len(v.Backlinks)))
	num(int64(h))
	// The answers: their state in one string (answer.go; the flagged
	// ones, the info address and the forms come with it), and whether
	// their boxes could be drawn.
	add(v.AnswersKey)
	flag(v.AnswerBody != "")
	return b
}

// pageViewKeyed names the fields of pageView (and of its BasePage and
// User) that appendPageViewKey covers, that are holes, or that are part of the
// revision the key names (slug and revision): TestPageViewKeyCoversEveryField
// fails for a field missing here, so a field added to the view is either
// added to the key or cannot be cached wrong.
var pageViewKeyed = []string{
	// BasePage
	"Title", "SiteName", "CSRFToken (hole)", "Flash (drawn afresh when set)", "Path", "Query", "User", "CanRead", "CanEdit", "CanTrain", "IsAdmin", "ReviewCount",
	"FAQ", "CanAsk",
	// pageView
	"BasePage", "Page (slug and revision)", "Body (hole)", "TOC (length)", "TOCHTML (hole)", "OldRev (drawn afresh when set)",
	"AsOf (drawn afresh when set)", "Newest", "Backlinks", "Head", "Unreviewed", "Watching", "WatchingPrefix",
	"AnswerBody (hole)", "Flagged (AnswersKey)", "InfoURL (AnswersKey)", "AnswerForms (AnswersKey)", "AnswersKey",
	// wiki.User
	"Name (hole)", "DisplayName (hole)", "Role", "Cohort (hole)",
}

// renderPageView draws v, the current text of a page, from the page-view
// cache; a view with a flash message (shown once) is drawn afresh.
func (s *Server) renderPageView(c *gin.Context, v *pageView) {
	pc := s.views
	if v.Flash != "" || v.OldRev != nil || !v.AsOf.IsZero() || s.noViewCache {
		s.render(c, http.StatusOK, "page_view.html", v)
		return
	}
	u := v.User
	if u == nil {
		u = &wiki.User{Name: wiki.Anonymous}
	}
	// The key of the drawn view, and after it the reader's own values:
	// the key of the whole answer. "3 minutes ago" is at most a minute old.
	var stack [512]byte
	key := appendPageViewKey(stack[:0], v, s.now().Unix()/60)
	viewKey := len(key)
	// The holes' values, escaped as html/template would in text or a
	// quoted attribute; the revision's HTML is already HTML.
	csrf := html.EscapeString(v.CSRFToken)
	name := html.EscapeString(u.Name)
	label := html.EscapeString(u.DisplayName)
	cohort := html.EscapeString(u.Cohort)
	body, toc, answer := string(v.Body), string(v.TOCHTML), string(v.AnswerBody)
	// An answer that sets a cookie (a first visit's CSRF token) is the
	// only one of its kind: not worth keeping.
	keep := len(c.Writer.Header()["Set-Cookie"]) == 0
	if keep {
		for _, own := range [...]string{csrf, name, label, cohort} {
			key = append(append(key, 0), own...)
		}
		if a, ok := pc.answers.GetBytes(key); ok && a.body == body && a.toc == toc && a.answer == answer {
			writeWholeSized(c, http.StatusOK, htmlType, a.length, a.out)
			return
		}
	}
	parts, ok := pc.parts.GetBytes(key[:viewKey])
	if !ok {
		if parts, ok = s.drawPageView(v, u); !ok {
			s.render(c, http.StatusOK, "page_view.html", v)
			return
		}
		pc.putParts(string(key[:viewKey]), parts)
	}
	fill := func(hole string) string {
		switch hole {
		case holeBody:
			return body
		case holeTOC:
			return toc
		case holeAnswer:
			return answer
		case holeCSRF:
			return csrf
		case holeName:
			return name
		case holeLabel:
			return label
		case holeCohort:
			return cohort
		}
		return ""
	}
	// One write of the whole answer, as c.Data does: each Write of a
	// part would be a system call of its own.
	n := 0
	for _, p := range parts {
		if p.hole == "" {
			n += len(p.html)
		} else {
			n += len(fill(p.hole))
		}
	}
	// A kept answer gets a slice of its own; any other is made in a
	// pooled buffer, as a page that is not kept never stays.
	var out []byte
	if keep {
		out = make([]byte, 0, n)
	} else {
		buf := bufPool.Get().(*bytes.Buffer)
		defer func() {
			if buf.Cap() <= 4<<20 {
				buf.Reset()
				bufPool.Put(buf)
			}
		}()
		buf.Grow(n)
		out = buf.AvailableBuffer()
	}
	for _, p := range parts {
		if p.hole == "" {
			out = append(out, p.html...)
		} else {
			out = append(out, fill(p.hole)...)
		}
	}
	if keep {
		pc.answers.Put(string(key), &pageAnswer{body: body, toc: toc, answer: answer, out: out, length: contentLength(out)},
			len(key)+len(out)+len(body)+len(toc)+len(answer)+128)
	}
	writeHTML(c, out)
}

// writeHTML sends b as the 200 answer, in one write.
func writeHTML(c *gin.Context, b []byte) { writeWhole(c, http.StatusOK, htmlType, b) }

// htmlType is the Content-Type of HTML pages, shared (never changed).
var htmlType = []string{"text/html; charset=utf-8"}

// drawPageView executes page_view.html for v with a sentinel in each hole
// and cuts the result at them. ok is false when the holes did not survive
// (see the top of this file); the page is then drawn afresh every time.
func (s *Server) drawPageView(v *pageView, u *wiki.User) ([]viewPart, bool) {
	pc := s.views
	w := *v
	w.CSRFToken = ""
	if v.CSRFToken != "" {
		w.CSRFToken = pc.sentinel(holeCSRF)
	}
	su := *u
	if u.SignedIn() {
		su.Name = pc.sentinel(holeName)
		if u.DisplayName != "" {
			su.DisplayName = pc.sentinel(holeLabel)
		}
		if u.Cohort != "" {
			su.Cohort = pc.sentinel(holeCohort)
		}
	}
	w.User = &su
	w.Body = template.HTML(pc.sentinel(holeBody))
	w.TOCHTML = template.HTML(pc.sentinel(holeTOC))
	if v.AnswerBody != "" {
		w.AnswerBody = template.HTML(pc.sentinel(holeAnswer))
	}
	t := s.pages.pages["page_view.html"]
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", &w); err != nil {
		return nil, false // drawn afresh, which reports the error
	}
	parts, ok := pc.split(buf.Bytes())
	if !ok {
		if _, logged := pc.refused.LoadOrStore("page_view.html", true); !logged {
			s.log.Warn("page view cache: page_view.html uses a per-request value where it is escaped (in a URL or script); views of pages are drawn afresh each time")
		}
	}
	return parts, ok
}

// fnv64a is a 64-bit FNV-1a hash, as hash/fnv's New64a computes it.
type fnv64a uint64

const (
	fnvOffset64 fnv64a = 14695981039346656037
	fnvPrime64  fnv64a = 1099511628211
)

// add hashes s and a NUL after it (so that "ab","c" and "a","bc" differ).
func (h *fnv64a) add(s string) {
	for i := 0; i < len(s); i++ {
		*h = (*h ^ fnv64a(s[i])) * fnvPrime64
	}
	*h *= fnvPrime64 // ^ 0
}
