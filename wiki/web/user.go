package web

import (
	"net/http"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

type apiAccount struct {
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Role        string    `json:"role"`
	Cohort      string    `json:"cohort"`
	Disabled    bool      `json:"disabled"`
	CreatedAt   time.Time `json:"created_at"`
}

func toAPIAccount(a *wiki.Account) apiAccount {
	return apiAccount{Username: a.Username, DisplayName: a.DisplayName, Role: a.Role.String(), Cohort: a.Cohort,
		Disabled: a.Disabled, CreatedAt: a.CreatedAt.UTC()}
}

// usersPage is the data of admin_users.html.
type usersPage struct {
	BasePage
	Accounts []*wiki.Account
	Roles    []wiki.Role
}

func (s *Server) handleAdminUsers(c *gin.Context) {
	accts, err := s.accounts.List(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "admin_users.html", &usersPage{BasePage: s.base(c, "People and roles"), Accounts: accts, Roles: wiki.Roles})
}

// handleAdminUserUpdate applies one change from the admin page: a role
// ("role=editor") or disabling/enabling ("action=disable|enable").
func (s *Server) handleAdminUserUpdate(c *gin.Context) {
	ctx := c.Request.Context()
	name := c.Param("name")
	var err error
	var msg string
	switch c.PostForm("action") {
	case "disable":
		_, err = s.accounts.SetDisabled(ctx, name, true)
		msg = "Disabled " + name + ": they can no longer sign in; their revisions stay."
	case "enable":
		_, err = s.accounts.SetDisabled(ctx, name, false)
		msg = "Enabled " + name + "."
	default:
		var role wiki.Role
		if role, err = wiki.ParseRole(c.PostForm("role")); err == nil {
			_, err = s.accounts.SetRole(ctx, name, role)
			msg = name + " is now " + aOrAn(role.String()) + "."
		}
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setFlash(c, msg)
	c.Redirect(http.StatusSeeOther, adminUsersURL())
}

func (s *Server) handleAPIUsers(c *gin.Context) {
	accts, err := s.accounts.List(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]apiAccount, 0, len(accts))
	for _, a := range accts {
		out = append(out, toAPIAccount(a))
	}
	c.JSON(http.StatusOK, out)
}

// apiUserPatch is the body of PATCH /api/v1/users/{name}: any of the
// fields, each applied in turn.
type apiUserPatch struct {
	Role     *string `json:"role"`
	Disabled *bool   `json:"disabled"`
	Cohort   *string `json:"cohort"`
}

func (s *Server) handleAPIUserPatch(c *gin.Context) {
	var p apiUserPatch
	if err := decodeJSON(c, &p); err != nil {
		s.fail(c, err)
		return
	}
	patch := wiki.AccountPatch{Disabled: p.Disabled, Cohort: p.Cohort}
	if p.Role != nil {
		role, err := wiki.ParseRole(*p.Role)
		if err != nil {
			s.fail(c, err)
			return
		}
		patch.Role = &role
	}
	acct, err := s.accounts.Update(c.Request.Context(), c.Param("name"), patch)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toAPIAccount(acct))
}

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
