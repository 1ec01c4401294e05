package web

import (
	"net/http"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// personPage is the data of person.html: someone's revisions and cohort.
type personPage struct {
	BasePage
	Account *wiki.Account
	Cohort  *wiki.Cohort
	Changes []wiki.Change
}

// personChangesLimit is how many of a person's latest revisions their page lists.
const personChangesLimit = 200

func (s *Server) person(c *gin.Context) (*wiki.Account, *wiki.Cohort, []wiki.Change, bool) {
	ctx := c.Request.Context()
	acct, err := s.accounts.Account(ctx, c.Param("name"))
	if err != nil {
		s.fail(c, err)
		return nil, nil, nil, false
	}
	co, err := s.cohorts.MemberOf(ctx, acct)
	if err != nil {
		s.fail(c, err)
		return nil, nil, nil, false
	}
	changes, err := s.wiki.ChangesBy(ctx, acct.Username, personChangesLimit)
	if err != nil {
		s.fail(c, err)
		return nil, nil, nil, false
	}
	return acct, co, changes, true
}

func (s *Server) handlePerson(c *gin.Context) {
	acct, co, changes, ok := s.person(c)
	if !ok {
		return
	}
	s.render(c, http.StatusOK, "person.html", &personPage{BasePage: s.base(c, acct.User().Label()), Account: acct, Cohort: co, Changes: changes})
}

type apiChange struct {
	Seq       uint64            `json:"seq"`
	Slug      wiki.Slug         `json:"slug"`
	Revision  int               `json:"revision"`
	Kind      wiki.RevisionKind `json:"kind"`
	Title     string            `json:"title"`
	Author    string            `json:"author"`
	Cohort    string            `json:"cohort"`
	Summary   string            `json:"summary"`
	CreatedAt time.Time         `json:"created_at"`
	Added     int               `json:"added"`
	Removed   int               `json:"removed"`
}

func toAPIChange(ch wiki.Change) apiChange {
	return apiChange{Seq: ch.Seq, Slug: ch.Slug, Revision: ch.Revision, Kind: ch.Kind, Title: ch.Title, Author: ch.Author,
		Cohort: ch.Cohort, Summary: ch.Summary, CreatedAt: ch.Time.UTC(), Added: ch.Added, Removed: ch.Removed}
}

type apiPerson struct {
	Username    string      `json:"username"`
	DisplayName string      `json:"display_name"`
	Role        string      `json:"role"`
	Cohort      string      `json:"cohort"`
	Revisions   []apiChange `json:"revisions"`
}

func (s *Server) handleAPIPerson(c *gin.Context) {
	acct, _, changes, ok := s.person(c)
	if !ok {
		return
	}
	out := apiPerson{Username: acct.Username, DisplayName: acct.DisplayName, Role: acct.Role.String(), Cohort: acct.Cohort, Revisions: []apiChange{}}
	for _, ch := range changes {
		out.Revisions = append(out.Revisions, toAPIChange(ch))
	}
	c.JSON(http.StatusOK, out)
}
