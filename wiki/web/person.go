package web

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
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
	// Questions and answers (issue 10): off when FAQ is false.
	FAQ    bool
	Own    bool // the reader's own page
	Impact *wiki.Impact
	Asked  []questionRow
}

// peoplePage is the data of people.html: everyone who can sign in, by
// name, with their cohort.
type peoplePage struct {
	BasePage
	People []*wiki.Account
}

// handlePeople lists the wiki's people: who wrote what is a click away
// from every name, and new hires find their cohort mates and trainers.
// Disabled accounts are left out (their pages stay).
func (s *Server) handlePeople(c *gin.Context) {
	accts, err := s.accounts.List(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	v := &peoplePage{BasePage: s.base(c, "People")}
	for _, a := range accts {
		if a.Disabled {
			continue
		}
		v.People = append(v.People, a)
	}
	slices.SortFunc(v.People, func(a, b *wiki.Account) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.User().Label()), strings.ToLower(b.User().Label())),
			strings.Compare(a.Username, b.Username))
	})
	s.render(c, http.StatusOK, "people.html", v)
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
	v := &personPage{BasePage: s.base(c, acct.User().Label()), Account: acct, Cohort: co, Changes: changes}
	if s.cfg.Answers != nil && s.cfg.Questions != nil {
		ctx := c.Request.Context()
		v.FAQ, v.Own = true, v.User.SignedIn() && v.User.Name == acct.Username
		var err error
		if v.Impact, err = s.cfg.Answers.Impact(ctx, wiki.ImpactFilter{User: acct.Username}); err != nil {
			s.fail(c, err)
			return
		}
		asked, err := s.cfg.Questions.List(ctx, wiki.QuestionFilter{Asker: acct.Username, Limit: 100})
		if err != nil {
			s.fail(c, err)
			return
		}
		v.Asked = s.rows(c, asked)
	}
	s.render(c, http.StatusOK, "person.html", v)
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
