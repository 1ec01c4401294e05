package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"sync"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// The home page (issue 14): the front page (an ordinary page, wiki.HomeSlug)
// and, around it, the sections of the wiki, the questions opened most this
// month, what changed lately and what the FAQ does not answer yet. Per
// view it reads the front page (cached render), the recent pages and the
// in-memory section tree; the searches' figures, which the search log
// would add up from a month of records, are kept for digestTTL.

// homePage is the data of home.html.
type homePage struct {
	BasePage
	Front     *wiki.Page // the front page, nil if there is none
	FrontHTML template.HTML
	Sections  []wiki.WikiSection // the top of the tree
	// Section is the part of the tree opened with ?section=.
	Section *sectionView
	Recent  []wiki.PageSummary
	Opened  []homeOpen // most opened from searches this month
	Gaps    []wiki.Gap // searches without an answer, for editors
	// All pages A-Z, with ?all (paged by cursor).
	All        []wiki.PageSummary
	ShowAll    bool
	NextCursor string
	Cursor     string
	Questions  *questionsBlock // nil: questions are off, or not the first page
}

// questionsBlock is the home page's open questions (open_questions.html).
type questionsBlock struct {
	Newest, MostAsked []questionRow
	Answered          []*wiki.Question // the reader's, answered since they looked
	CanAsk            bool
}

// homeQuestions is how many questions each list of the block shows.
const homeQuestions = 5

func (s *Server) questionsBlock(c *gin.Context) *questionsBlock {
	if s.cfg.Questions == nil {
		return nil
	}
	ctx := c.Request.Context()
	newest, err := s.cfg.Questions.List(ctx, wiki.QuestionFilter{Status: wiki.QuestionOpen, Limit: homeQuestions})
	if err != nil {
		s.log.Warn("home: open questions", "err", err)
		return nil
	}
	most, err := s.cfg.Questions.List(ctx, wiki.QuestionFilter{Status: wiki.QuestionOpen, ByVotes: true, Limit: homeQuestions})
	if err != nil {
		s.log.Warn("home: open questions", "err", err)
		return nil
	}
	u := wiki.UserFromContext(ctx)
	b := &questionsBlock{Newest: s.rows(c, newest), CanAsk: u.Has(wiki.RoleEditor) && u.SignedIn()}
	// "Most asked" only when it says something the newest do not.
	for _, q := range most {
		if q.Votes() > 1 {
			b.MostAsked = append(b.MostAsked, s.rows(c, []*wiki.Question{q})...)
		}
	}
	if b.Answered, _, err = s.cfg.Questions.NewAnswers(ctx, 10); err != nil {
		s.log.Warn("home: answered questions", "err", err)
	}
	return b
}

// sectionView is one section of the tree opened: its page and the pages
// right below it.
type sectionView struct {
	Slug  wiki.Slug
	Title string
	Self  *wiki.PageSummary
	Below []wiki.WikiSection
	More  bool
	Up    []crumb
}

// homeOpen is a question opened often, with what to call it.
type homeOpen struct {
	Slug    wiki.Slug
	Anchor  string
	Title   string // the page's
	Heading string // the question's ("" for the page as a whole)
	Opens   int
}

// homeListLimit is how many pages the all-pages index lists at a time.
const homeListLimit = 200

// Limits of the home page's lists.
const (
	homeRecent = 8
	homeOpened = 8
	homeGaps   = 6
	// homeGapPeople is how many people a search without an answer needs
	// before the front page shows it.
	homeGapPeople = 2
	sectionRead   = 1000 // pages of a section read to show what is below it
	digestTTL     = time.Minute
)

func (s *Server) handleHome(c *gin.Context) {
	ctx := c.Request.Context()
	v := &homePage{BasePage: s.base(c, "")}
	cursor := c.Query("cursor")
	if _, all := c.GetQuery("all"); all || cursor != "" {
		var err error
		v.ShowAll, v.Cursor = true, cursor
		v.Title = "All pages"
		if v.All, v.NextCursor, err = s.wiki.Pages(ctx, wiki.PageFilter{Limit: homeListLimit, Cursor: cursor, ByTitle: true}); err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, http.StatusOK, "home.html", v)
		return
	}
	if sec := c.Query("section"); sec != "" {
		slug, err := wiki.ParseSlug(sec)
		if err != nil {
			s.fail(c, err)
			return
		}
		self, below, more, err := s.wiki.SectionPages(ctx, slug, sectionRead)
		if err != nil {
			s.fail(c, err)
			return
		}
		v.Section = &sectionView{Slug: slug, Self: self, Below: below, More: more, Title: wiki.TitleFromSlug(slug), Up: parentCrumbs(slug)}
		if self != nil {
			v.Section.Title = self.Title
		}
		v.Title = v.Section.Title
		s.render(c, http.StatusOK, "home.html", v)
		return
	}
	if front, err := s.wiki.Page(ctx, wiki.HomeSlug); err == nil && !front.Deleted {
		if r, err := s.wiki.RenderPage(ctx, front); err == nil {
			v.Front, v.FrontHTML = front, r.HTML
		} else {
			s.log.Warn("render the front page", "err", err)
		}
	} else if err != nil && !errors.Is(err, wiki.ErrNotFound) {
		s.fail(c, err)
		return
	}
	sections, err := s.wiki.Sections(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	for _, sec := range sections {
		if sec.Slug != wiki.HomeSlug || sec.Pages > 1 {
			v.Sections = append(v.Sections, sec)
		}
	}
	if v.Recent, err = s.wiki.RecentPages(ctx, homeRecent); err != nil {
		s.fail(c, err)
		return
	}
	d := s.homeDigest(ctx)
	v.Opened = d.opened
	if v.CanEdit {
		v.Gaps = d.gaps
	}
	v.Questions = s.questionsBlock(c)
	s.render(c, http.StatusOK, "home.html", v)
}

// digest is what the home page shows from the search log.
type digest struct {
	opened []homeOpen
	gaps   []wiki.Gap
	at     time.Time
}

// digestCache keeps the home page's digest for digestTTL.
type digestCache struct {
	mu sync.Mutex
	d  *digest
}

func (s *Server) homeDigest(ctx context.Context) *digest {
	s.digest.mu.Lock()
	defer s.digest.mu.Unlock()
	if d := s.digest.d; d != nil && s.now().Sub(d.at) < digestTTL {
		return d
	}
	d := &digest{at: s.now()}
	since := s.now().AddDate(0, 0, -30)
	if s.cfg.Opens != nil {
		opens, err := s.cfg.Opens.MostOpened(ctx, since, 3*homeOpened)
		if err != nil {
			s.log.Warn("most opened", "err", err)
		}
		for _, o := range opens {
			if len(d.opened) == homeOpened {
				break
			}
			if h, ok := s.describeOpen(ctx, o); ok {
				d.opened = append(d.opened, h)
			}
		}
	}
	if s.cfg.SearchLog != nil {
		gaps, err := s.cfg.SearchLog.Gaps(ctx, since)
		if err != nil {
			s.log.Warn("gaps for the home page", "err", err)
		}
		// One person's words do not go on everyone's front page (a reader
		// could plant "reset your password at evil.example" there): a gap
		// shows once two people searched for it. The gap list has them all.
		for _, g := range gaps {
			if g.People >= homeGapPeople && len(d.gaps) < homeGaps {
				d.gaps = append(d.gaps, g)
			}
		}
	}
	s.digest.d = d
	return d
}

// describeOpen names an opened section by its page's title and its
// heading; ok is false when the page or the question is gone.
func (s *Server) describeOpen(ctx context.Context, o wiki.SectionOpen) (homeOpen, bool) {
	p, err := s.wiki.Page(ctx, o.Slug)
	if err != nil || p.Deleted {
		return homeOpen{}, false
	}
	h := homeOpen{Slug: o.Slug, Anchor: o.Anchor, Title: p.Title, Opens: o.Opens}
	if o.Anchor == "" {
		return h, true
	}
	r, err := s.wiki.RenderPage(ctx, p)
	if err != nil {
		return homeOpen{}, false
	}
	for _, hd := range r.TOC {
		if hd.ID == o.Anchor {
			h.Heading = hd.Text
			return h, true
		}
	}
	return homeOpen{}, false
}
