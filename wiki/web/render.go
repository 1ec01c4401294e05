package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/faqwiki/faqwiki/templates"
	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// templateSet holds one parsed template per page: layout + partials + the
// page's own file, so pages can each define "content" without clashing.
type templateSet struct {
	pages map[string]*template.Template
}

// parseTemplates parses every page template in templates.FS. Any parse
// error stops startup.
func parseTemplates(funcs template.FuncMap) (*templateSet, error) {
	partials, err := fs.Glob(templates.FS, "partials/*.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(templates.FS, "*.html")
	if err != nil {
		return nil, err
	}
	set := &templateSet{pages: map[string]*template.Template{}}
	for _, f := range files {
		if f == "layout.html" {
			continue
		}
		names := append([]string{"layout.html"}, partials...)
		names = append(names, f)
		t, err := template.New(f).Funcs(funcs).ParseFS(templates.FS, names...)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", f, err)
		}
		set.pages[f] = t
	}
	return set, nil
}

// BasePage is what every page's view data embeds: the layout reads it.
type BasePage struct {
	Title     string
	SiteName  string
	CSRFToken string
	Flash     string
	Path      string // the request path, for "you are here" and next= links
	Query     string // the search box's text
	User      *wiki.User
	// What the user may do, for showing only the buttons that work.
	CanRead, CanEdit, CanTrain, IsAdmin bool
	// ReviewCount is how many pages wait for review, for trainers' header.
	ReviewCount int
	// FAQ says the questions and answers features are on; CanAsk that
	// the user may ask.
	FAQ, CanAsk bool
}

func (s *Server) base(c *gin.Context, title string) BasePage {
	return s.baseCounted(c, title, -1)
}

// baseCounted is base with the review queue's length already known
// (reviewCount; -1 to read it).
func (s *Server) baseCounted(c *gin.Context, title string, reviewCount int) BasePage {
	u := wiki.UserFromContext(c.Request.Context())
	b := BasePage{
		Title:     title,
		SiteName:  s.cfg.SiteName,
		CSRFToken: stateOf(c).csrf,
		Flash:     takeFlash(c, s.secure(c)),
		Path:      c.Request.URL.Path,
		User:      u,
		CanRead:   u.Has(wiki.RoleReader),
		CanEdit:   u.Has(wiki.RoleEditor),
		CanTrain:  u.Has(wiki.RoleTrainer),
		IsAdmin:   u.Has(wiki.RoleAdmin),
		FAQ:       s.cfg.Questions != nil,
		CanAsk:    u.Has(wiki.RoleEditor) && u.SignedIn() && s.cfg.Questions != nil,
	}
	switch {
	case b.CanTrain && reviewCount >= 0:
		b.ReviewCount = reviewCount
	case b.CanTrain:
		// One read of a counter the store keeps at commit.
		if n, err := s.wiki.ReviewCount(c.Request.Context()); err == nil {
			b.ReviewCount = n
		} else {
			s.log.Warn("review count", "err", err)
		}
	}
	return b
}

// render executes a page into a buffer first, so that a template error
// becomes a clean 500 instead of half a page.
func (s *Server) render(c *gin.Context, status int, page string, data any) {
	t, ok := s.pages.pages[page]
	if !ok {
		s.log.Error("no such template", "page", page)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	buf := bufPool.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 4<<20 { // don't keep the buffer of a huge page around
			buf.Reset()
			bufPool.Put(buf)
		}
	}()
	if err := t.ExecuteTemplate(buf, "layout", data); err != nil {
		s.log.Error("template failed", "page", page, "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("internal error: the page could not be drawn; it has been logged"))
		return
	}
	writeWhole(c, status, htmlType, buf.Bytes())
}

// bufPool recycles the buffers pages are rendered into: a page view
// otherwise spends much of its time growing a fresh buffer.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (s *Server) templateFuncs() template.FuncMap {
	funcs := s.baseFuncs()
	for k, v := range s.uxFuncs() { // ux.go
		funcs[k] = v
	}
	return funcs
}

func (s *Server) baseFuncs() template.FuncMap {
	return template.FuncMap{
		"static":     func(name string) string { return s.assets.url(name) },
		"fieldLabel": fieldLabel, // error.go
		// Addresses: see url.go.
		"homeURL":           homeURL,
		"fileURL":           fileURL,
		"apiAttachmentsURL": apiAttachmentsURL,
		"byteSize":          byteSize,
		"isImage": func(a wiki.Attachment) bool {
			return strings.HasPrefix(a.ContentType, "image/") && a.ContentType != "image/svg+xml"
		},
		"homePageURL":       homePageURL,
		"pageURL":           pageURL,
		"anchorURL":         anchorURL,
		"editURL":           editURL,
		"createURL":         createURL,
		"histURL":           historyURL,
		"revURL":            revisionURL,
		"diffURL":           diffURL,
		"diffFormURL":       diffFormURL,
		"revertURL":         revertURL,
		"undoURL":           undoURL,
		"deleteURL":         deleteURL,
		"newURL":            newPageURL,
		"cohortsURL":        cohortsURL,
		"cohortURL":         cohortURL,
		"cohortInviteURL":   cohortInviteURL,
		"cohortMembersURL":  cohortMembersURL,
		"personURL":         personURL,
		"peopleURL":         peopleURL,
		"adminUsersURL":     adminUsersURL,
		"adminUserURL":      adminUserURL,
		"adminResetURL":     adminUserResetURL,
		"accountURL":        accountURL,
		"passwordURL":       passwordURL,
		"loginURL":          loginURL,
		"logoutURL":         logoutURL,
		"signupURL":         signupURL,
		"searchURL":         searchURL,
		"gapsURL":           gapsURL,
		"gapsSinceURL":      gapsSinceURL,
		"synonymsURL":       synonymsURL,
		"synonymsHistURL":   synonymsHistoryURL,
		"synonymsDiffURL":   synonymsDiffURL,
		"synonymsRevertURL": synonymsRevertURL,
		"learnedURL":        learnedURL,
		"synonymsAddURL":    synonymsAddURL,
		// Recent changes, review, blame, links, watching.
		"changesURL":         changesURL,
		"changesByCohortURL": changesByCohortURL,
		"changesByAuthorURL": changesByAuthorURL,
		"pageAtomURL":        pageAtomURL,
		"reviewURL":          reviewURL,
		"reviewCohortURL":    reviewCohortURL,
		"blameURL":           blameURL,
		"wantedURL":          wantedURL,
		"orphansURL":         orphansURL,
		"watchingURL":        watchingURL,
		"watchURL":           watchURL,
		"feedTokenURL":       feedTokenURL,
		"cohortReadingURL":   cohortReadingURL,
		"changesPath":        changesPath,
		"prevRev":            func(n int) int { return max(n-1, 0) },
		// Questions, gaps, answers (issue 10).
		"questionsURL":      questionsURL,
		"questionsListURL":  questionsListURL,
		"askURL":            askURL,
		"questionURL":       questionURL,
		"questionActionURL": questionActionURL,
		"gapActionURL":      gapActionURL,
		"gapsStatusURL":     gapsStatusURL,
		"answerNewPageURL":  answerNewPageURL,
		"answerEditURL":     answerEditURL,
		"feedbackURL":       feedbackURL,
		"confirmURL":        confirmURL,
		"flagURL":           flagURL,
		"resolveURL":        resolveURL,
		"pageInfoURL":       pageInfoURL,
		"freshnessURL":      freshnessURL,
		"formAnchor":        formAnchor,
		"list":              func(xs ...string) []string { return xs },
		"people":            func(n int) string { return nof(n, "person", "people") },
		"nof":               nof,
		"span":              span,
		"percent":           func(f float64) int { return int(f*100 + 0.5) },
		"daysSince":         func(t time.Time) int { return int(s.now().Sub(t) / (24 * time.Hour)) },

		"isoTime":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"showTime": func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") },
		"ago":      func(t time.Time) string { return ago(s.now(), t) },
		"isoDate":  func(t time.Time) string { return t.UTC().Format("2006-01-02") },
		"showDate": func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
		"daysAgo":  func(n int) time.Time { return s.now().UTC().AddDate(0, 0, -n) },
		"plural":   plural,
		"add":      func(a, b int) int { return a + b },
		"kindVerb": kindVerb,
		"parent":   parentCrumbs,
		"joinTags": func(tags []string) string { return strings.Join(tags, ", ") },
	}
}

// ago says how long before now t was, in words people use ("3 minutes
// ago").
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	case d < 30*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day") + " ago"
	default:
		return t.UTC().Format("2 Jan 2006")
	}
}

// nof is n with the word's singular or plural form: nof(2, "person",
// "people") is "2 people".
func nof(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// span says a length of time in days, or, under a day, as Go writes it
// (a test server's -stale-after 3s).
func span(d time.Duration) string {
	if d >= 24*time.Hour {
		return nof(int(d/(24*time.Hour)), "day", "days")
	}
	return d.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func kindVerb(k wiki.RevisionKind) string {
	switch k {
	case wiki.KindCreate:
		return "created"
	case wiki.KindRevert:
		return "reverted"
	case wiki.KindDelete:
		return "deleted"
	case wiki.KindRestore:
		return "restored"
	default:
		return "edited"
	}
}

// crumb is one step of the breadcrumb trail to a sub-page.
type crumb struct {
	Slug wiki.Slug
	Name string
}

// parentCrumbs returns the pages above slug ("a/b/c" -> a, a/b).
func parentCrumbs(slug wiki.Slug) []crumb {
	var out []crumb
	parts := strings.Split(string(slug), "/")
	for i := 1; i < len(parts); i++ {
		s := wiki.Slug(path.Join(parts[:i]...))
		out = append(out, crumb{Slug: s, Name: wiki.TitleFromSlug(s)})
	}
	return out
}

// byteSize shows a file size as people read it: 980 bytes, 12 KB, 3.4 MB.
func byteSize(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10) + " bytes"
	case n < 1000*1000:
		return strconv.FormatInt((n+500)/1000, 10) + " KB"
	}
	return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB"
}
