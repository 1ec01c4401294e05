package web

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// Atom feeds (RFC 4287) of recent changes, of one page, and of someone's
// watched pages. Feed readers and chat integrations have no cookie: they
// send the person's private feed token as ?token=, which opens feeds and
// nothing else, and never shows more than that person may read.

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Gen     string      `xml:"generator"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published"`
	Links      []atomLink     `xml:"link"`
	Author     atomPerson     `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    atomText       `xml:"summary"`
}

// feedUser finds who reads a feed: the owner of ?token= (as a reader at
// most), else the signed-in user. It answers the request itself and
// returns false when there is nobody who may read.
func (s *Server) feedUser(c *gin.Context) bool {
	ctx := c.Request.Context()
	if tok := c.Query("token"); tok != "" {
		u, err := s.accounts.FeedTokenUser(ctx, tok)
		if err != nil {
			if errors.Is(err, wiki.ErrUnauthorized) {
				err = &publicError{http.StatusUnauthorized, "unauthorized", "this feed token is not valid: it was replaced by a newer one, or its account is disabled"}
			}
			s.failFeed(c, err)
			return false
		}
		c.Request = c.Request.WithContext(wiki.NewContextWithUser(ctx, u))
		return true
	}
	if !wiki.UserFromContext(ctx).Has(wiki.RoleReader) {
		s.failFeed(c, &publicError{http.StatusUnauthorized, "unauthorized", "this feed needs your private feed token (?token=); make one on your watchlist page"})
		return false
	}
	return true
}

// failFeed answers a feed request with a short plain-text error, which a
// feed reader shows better than an HTML page.
func (s *Server) failFeed(c *gin.Context, err error) {
	status, body := classify(err)
	if status >= 500 {
		s.log.Error("feed failed", "path", c.Request.URL.Path, "err", err)
	}
	c.Data(status, "text/plain; charset=utf-8", []byte(body.Message+"\n"))
}

func (s *Server) handleChangesAtom(c *gin.Context) {
	if !s.feedUser(c) {
		return
	}
	f, err := changeQuery(c, 50)
	if err != nil {
		s.failFeed(c, err)
		return
	}
	f.Cursor = ""
	rows, _, err := s.wiki.RecentChanges(c.Request.Context(), f)
	if err != nil {
		s.failFeed(c, err)
		return
	}
	title := s.cfg.SiteName + ": recent changes"
	self := changesAtomURL(filterValues(f), "")
	alt := changesURL(filterValues(f))
	if f.Page != "" {
		name := string(f.Page)
		if len(rows) > 0 {
			name = rows[0].Title
		}
		title = s.cfg.SiteName + ": changes to " + name
		alt = historyURL(f.Page)
	}
	s.writeAtom(c, title, self, alt, rows)
}

func (s *Server) handleWatchingAtom(c *gin.Context) {
	if !s.feedUser(c) {
		return
	}
	u := wiki.UserFromContext(c.Request.Context())
	if !u.SignedIn() {
		s.failFeed(c, &publicError{http.StatusUnauthorized, "unauthorized", "a watchlist feed belongs to an account: use your feed token"})
		return
	}
	rows, err := s.wiki.WatchedChanges(c.Request.Context(), 50)
	if err != nil {
		s.failFeed(c, err)
		return
	}
	answers, err := s.answerEntries(c)
	if err != nil {
		s.failFeed(c, err)
		return
	}
	s.writeAtom(c, s.cfg.SiteName+": pages "+u.Label()+" watches", watchingAtomPath(), watchingURL(), rows, answers...)
}

// writeAtom answers with rows as an Atom feed. The feed's id and self link
// never carry the token.
// extra entries (answers to the reader's questions) go in among the
// changes, newest first.
func (s *Server) writeAtom(c *gin.Context, title, self, alt string, rows []wiki.RecentChange, extra ...atomEntry) {
	o := s.origin(c)
	feed := atomFeed{
		ID:      o + self,
		Title:   title,
		Updated: s.now().UTC().Format(time.RFC3339),
		Links:   []atomLink{{Rel: "self", Type: "application/atom+xml", Href: o + self}, {Rel: "alternate", Type: "text/html", Href: o + alt}},
		Author:  atomPerson{Name: s.cfg.SiteName},
		Gen:     "faqwiki",
	}
	if len(rows) > 0 {
		feed.Updated = rows[0].Time.UTC().Format(time.RFC3339)
	}
	for _, r := range rows {
		when := r.Time.UTC().Format(time.RFC3339)
		e := atomEntry{
			// Stable and unique per revision: the revision's own address.
			ID:        o + revisionURL(r.Slug, r.Revision),
			Title:     fmt.Sprintf("%s — %s by %s (revision %d)", r.Title, kindVerb(r.Kind), r.Author, r.Revision),
			Updated:   when,
			Published: when,
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: o + diffURL(r.Slug, r.Revision-1, r.Revision)}},
			Author:    atomPerson{Name: r.Author},
			Summary:   atomText{Type: "text", Body: entrySummary(r)},
		}
		if r.Author != wiki.Anonymous && r.Author != "import" && r.Author != "faqwiki" && r.Author != "" {
			e.Author.URI = o + personURL(r.Author)
		}
		if e.Author.Name == "" {
			e.Author.Name = wiki.Anonymous
		}
		if r.Cohort != "" {
			e.Categories = append(e.Categories, atomCategory{Term: "cohort:" + r.Cohort, Label: "cohort " + r.Cohort})
		}
		for _, t := range r.Tags {
			e.Categories = append(e.Categories, atomCategory{Term: t})
		}
		feed.Entries = append(feed.Entries, e)
	}
	if len(extra) > 0 {
		feed.Entries = append(feed.Entries, extra...)
		// RFC 3339 in UTC sorts as text.
		slices.SortStableFunc(feed.Entries, func(a, b atomEntry) int { return strings.Compare(b.Updated, a.Updated) })
		feed.Updated = feed.Entries[0].Updated
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(feed); err != nil {
		s.failFeed(c, err)
		return
	}
	c.Header("Cache-Control", "private, max-age=60")
	writeWhole(c, http.StatusOK, atomType, buf.Bytes())
}

// atomType is the Content-Type of a feed, shared (never changed).
var atomType = []string{"application/atom+xml; charset=utf-8"}

// entrySummary is the text of a feed entry: the summary, the lines
// changed, the cohort and whether it has been reviewed.
func entrySummary(r wiki.RecentChange) string {
	var b strings.Builder
	if r.Summary != "" {
		b.WriteString(r.Summary)
		b.WriteString(" — ")
	}
	b.WriteString("+" + strconv.Itoa(r.Added) + " −" + strconv.Itoa(r.Removed) + " lines")
	if r.Cohort != "" {
		b.WriteString(", cohort " + r.Cohort)
	}
	if r.Reviewed() {
		b.WriteString(", reviewed by " + r.ReviewedBy)
	} else {
		b.WriteString(", not reviewed yet")
	}
	return b.String()
}

// answerEntries are the feed entries of the reader's answered questions
// (issue 10): one per answer, under the question's address.
func (s *Server) answerEntries(c *gin.Context) ([]atomEntry, error) {
	if s.cfg.Questions == nil {
		return nil, nil
	}
	unseen, seen, err := s.cfg.Questions.NewAnswers(c.Request.Context(), 20)
	if err != nil {
		return nil, err
	}
	o := s.origin(c)
	var out []atomEntry
	for _, q := range append(unseen, seen...) {
		when := q.Answer.At.UTC().Format(time.RFC3339)
		out = append(out, atomEntry{
			ID:         o + questionURL(q.ID) + "#answer-" + strconv.FormatInt(q.Answer.At.Unix(), 10),
			Title:      "Your question was answered: " + q.Text,
			Updated:    when,
			Published:  when,
			Links:      []atomLink{{Rel: "alternate", Type: "text/html", Href: o + anchorURL(q.Answer.Slug, q.Answer.Anchor)}},
			Author:     atomPerson{Name: q.Answer.By, URI: o + personURL(q.Answer.By)},
			Categories: []atomCategory{{Term: "answer", Label: "answer to your question"}},
			Summary:    atomText{Type: "text", Body: "Answered in the FAQ at " + anchorURL(q.Answer.Slug, q.Answer.Anchor) + " by " + q.Answer.By},
		})
	}
	return out, nil
}
