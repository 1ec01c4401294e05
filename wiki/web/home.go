package web

import (
	"net/http"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// homePage is the data of home.html.
type homePage struct {
	BasePage
	Recent     []wiki.PageSummary
	All        []wiki.PageSummary
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

// homeListLimit is how many pages the home page's index lists at a time.
const homeListLimit = 200

func (s *Server) handleHome(c *gin.Context) {
	ctx := c.Request.Context()
	cursor := c.Query("cursor")
	var recent []wiki.PageSummary
	var err error
	if cursor == "" {
		if recent, err = s.wiki.RecentPages(ctx, 12); err != nil {
			s.fail(c, err)
			return
		}
	}
	all, next, err := s.wiki.Pages(ctx, wiki.PageFilter{Limit: homeListLimit, Cursor: cursor, ByTitle: true})
	if err != nil {
		s.fail(c, err)
		return
	}
	v := &homePage{BasePage: s.base(c, ""), Recent: recent, All: all, NextCursor: next, Cursor: cursor}
	if cursor == "" {
		v.Questions = s.questionsBlock(c)
	}
	s.render(c, http.StatusOK, "home.html", v)
}
