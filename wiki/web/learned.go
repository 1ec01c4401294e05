package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/faqwiki/faqwiki/wiki/markdown"
	"github.com/gin-gonic/gin"
)

// What search learned from use, per section: the words searchers used to
// reach it. Trainers read it and remove words that are wrong.

type apiSearchTerm struct {
	Term   string    `json:"term"`
	Word   string    `json:"word,omitempty"` // a word people typed for the term, to show
	People float64   `json:"people"`
	LastAt time.Time `json:"last_at"`
}

// learning is the search learning the server was given, or an error that
// says there is none.
func (s *Server) learning() (wiki.SearchLearning, error) {
	if s.cfg.Learning == nil {
		return nil, errNotFoundf("this wiki does not learn from searches")
	}
	return s.cfg.Learning, nil
}

func (s *Server) apiSectionTerms(c *gin.Context, slug wiki.Slug, args []string) {
	l, err := s.learning()
	if err == nil {
		var terms []wiki.SearchTerm
		if terms, err = l.SectionTerms(c.Request.Context(), slug, args[0]); err == nil {
			out := make([]apiSearchTerm, 0, len(terms))
			for _, t := range terms {
				out = append(out, apiSearchTerm{Term: t.Term, Word: t.Word, People: roundPeople(t.People), LastAt: t.LastAt})
			}
			c.JSON(http.StatusOK, out)
			return
		}
	}
	s.fail(c, err)
}

func (s *Server) apiSectionTermRemove(c *gin.Context, slug wiki.Slug, args []string) {
	l, err := s.learning()
	if err == nil {
		err = l.RemoveSectionTerm(c.Request.Context(), slug, args[0], args[1])
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// roundPeople shows a faded count of people to a tenth.
func roundPeople(p float64) float64 { return float64(int(p*10+0.5)) / 10 }

// learnedPage is the data of search_learned.html: a page's sections with
// the words search learned for each.
type learnedPage struct {
	BasePage
	Page     *wiki.Page
	Sections []learnedSection
}

type learnedSection struct {
	Heading markdown.Heading // ID "" for the intro
	Terms   []wiki.SearchTerm
}

func (s *Server) handleLearned(c *gin.Context) {
	slug, ok := s.slugParam(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	page, err := s.wiki.Page(ctx, slug)
	if err == nil && page.Deleted {
		err = errNotFoundf("the page %q was deleted", slug)
	}
	var l wiki.SearchLearning
	if err == nil {
		l, err = s.learning()
	}
	var r *markdown.Rendered
	if err == nil {
		r, err = s.wiki.RenderPage(ctx, page)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	v := &learnedPage{BasePage: s.base(c, "What searchers call "+page.Title), Page: page}
	headings := append([]markdown.Heading{{Text: "The page as a whole"}}, r.TOC...)
	for _, h := range headings {
		terms, err := l.SectionTerms(ctx, slug, h.ID)
		if err != nil {
			s.fail(c, err)
			return
		}
		if len(terms) > 0 {
			v.Sections = append(v.Sections, learnedSection{Heading: h, Terms: terms})
		}
	}
	s.render(c, http.StatusOK, "search_learned.html", v)
}

// learnedForm is what the remove button posts.
type learnedForm struct {
	Anchor string `form:"anchor"`
	Term   string `form:"term"`
	Word   string `form:"word"` // the word shown for the term, for the flash
}

func (s *Server) handleLearnedRemove(c *gin.Context) {
	slug, ok := s.slugParam(c)
	if !ok {
		return
	}
	var f learnedForm
	if err := c.ShouldBind(&f); err != nil {
		s.fail(c, formError(err))
		return
	}
	l, err := s.learning()
	if err == nil {
		err = l.RemoveSectionTerm(c.Request.Context(), slug, f.Anchor, f.Term)
	}
	if errors.Is(err, wiki.ErrNotFound) {
		s.setFlash(c, "That word was already gone.")
		err = nil
	} else if err == nil {
		shown := f.Term
		if f.Word != "" {
			shown = f.Word
		}
		s.setFlash(c, "Removed “"+shown+"”: search no longer sends it to that question, and will not learn it there again.")
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, learnedURL(slug))
}
