package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// People on the web (issue 14): admins add someone and get a one-time
// link for them to choose a password, and confirm before disabling an
// account (never their own); trainers add a cohort's trainers, and one
// who has no account yet is offered to an admin to add.

// addPersonForm is what the "add someone" form and POST /api/v1/users
// send.
type addPersonForm struct {
	Username    string `form:"username" json:"username"`
	DisplayName string `form:"display_name" json:"display_name"`
	Role        string `form:"role" json:"role"`
	Cohort      string `form:"cohort" json:"cohort"`
	// TrainerOf makes the new trainer one of that cohort's trainers.
	TrainerOf string `form:"trainer_of" json:"trainer_of"`
}

// usersPage is the data of admin_users.html.
type usersPage struct {
	BasePage
	Accounts []*wiki.Account
	Roles    []wiki.Role
	Cohorts  []*wiki.Cohort
	Add      addPersonForm
	Errors   map[string]string
}

func (s *Server) handleAdminUsers(c *gin.Context) {
	f := addPersonForm{Username: c.Query("add"), Role: c.Query("role"), TrainerOf: c.Query("trainer_of")}
	if f.Role == "" {
		f.Role = wiki.RoleEditor.String()
	}
	s.showUsers(c, http.StatusOK, f, nil)
}

func (s *Server) showUsers(c *gin.Context, status int, f addPersonForm, errs map[string]string) {
	ctx := c.Request.Context()
	accts, err := s.accounts.List(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	cohorts, err := s.cohorts.List(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, status, "admin_users.html", &usersPage{BasePage: s.base(c, "People and roles"), Accounts: accts, Roles: wiki.Roles,
		Cohorts: cohorts, Add: f, Errors: errs})
}

// addPerson creates the account f describes and its one-time link, and
// makes a new trainer one of f.TrainerOf's trainers.
func (s *Server) addPerson(c *gin.Context, f addPersonForm) (*wiki.Account, string, *wiki.PasswordReset, error) {
	ctx := c.Request.Context()
	role, err := wiki.ParseRole(f.Role)
	if err != nil {
		return nil, "", nil, err
	}
	f.TrainerOf = strings.TrimSpace(f.TrainerOf)
	if f.TrainerOf != "" {
		if role < wiki.RoleTrainer {
			return nil, "", nil, wiki.Invalid("role", "a cohort's trainer must be a trainer or admin")
		}
		if _, err := s.cohorts.Cohort(ctx, f.TrainerOf); err != nil {
			return nil, "", nil, wiki.Invalid("trainer_of", "no cohort %q", f.TrainerOf)
		}
	}
	acct, token, r, err := s.accounts.AddPerson(ctx, wiki.NewAccount{Username: f.Username, DisplayName: f.DisplayName, Role: role, Cohort: f.Cohort},
		wiki.UserFromContext(ctx).Name)
	if err != nil {
		return acct, token, r, err
	}
	if f.TrainerOf != "" {
		if _, err := s.cohorts.AddTrainer(ctx, f.TrainerOf, acct.Username); err != nil {
			return acct, token, r, err
		}
	}
	return acct, token, r, nil
}

func (s *Server) handleAdminUserAdd(c *gin.Context) {
	var f addPersonForm
	if err := c.ShouldBind(&f); err != nil {
		s.fail(c, formError(err))
		return
	}
	acct, token, r, err := s.addPerson(c, f)
	if err != nil && acct == nil {
		show := func(status int, errs map[string]string) { s.showUsers(c, status, f, errs) }
		s.failForm(c, err, show, map[string]string{"username": "is taken; choose another"})
		return
	}
	if err != nil || token == "" {
		// The account exists; only its link failed. Say so: a reset link
		// from the list does the same.
		s.log.Error("add person: link", "err", err)
		s.setFlash(c, "Added "+acct.Username+", but the one-time link could not be made: make one with Reset link.")
		c.Redirect(http.StatusSeeOther, adminUsersURL())
		return
	}
	c.Header("Cache-Control", "no-store")
	s.render(c, http.StatusOK, "reset_link.html", &resetLinkPage{BasePage: s.base(c, "Added "+acct.User().Label()),
		Username: acct.Username, Link: s.absURL(c, resetURL(token)), ExpiresAt: r.ExpiresAt, New: true, Role: acct.Role, Cohort: acct.Cohort})
}

// apiPersonAdded is the answer to POST /api/v1/users: the account and its
// one-time link.
type apiPersonAdded struct {
	apiAccount
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *Server) handleAPIUserAdd(c *gin.Context) {
	var f addPersonForm
	if err := decodeJSON(c, &f); err != nil {
		s.fail(c, err)
		return
	}
	acct, token, r, err := s.addPerson(c, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, apiPersonAdded{apiAccount: toAPIAccount(acct), URL: s.absURL(c, resetURL(token)), ExpiresAt: r.ExpiresAt.UTC()})
}

// disablePage is the data of admin_disable.html, the confirmation step.
type disablePage struct {
	BasePage
	Account *wiki.Account
}

// errDisableSelf refuses an admin's disabling their own account: they
// would lock themselves out at once.
var errDisableSelf = errBadRequestf("you cannot disable your own account; another admin can")

func (s *Server) handleAdminUserDisableConfirm(c *gin.Context) {
	ctx := c.Request.Context()
	acct, err := s.accounts.Account(ctx, c.Param("name"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if acct.Username == wiki.UserFromContext(ctx).Name {
		s.fail(c, errDisableSelf)
		return
	}
	s.render(c, http.StatusOK, "admin_disable.html", &disablePage{BasePage: s.base(c, "Disable "+acct.User().Label()), Account: acct})
}

// isSelf reports whether name is the signed-in user's own account.
func isSelf(c *gin.Context, name string) bool {
	return strings.EqualFold(strings.TrimSpace(name), wiki.UserFromContext(c.Request.Context()).Name)
}

// cohortTrainerPage is the cohort page again, offering to invite a
// trainer who has no account.
func (s *Server) handleCohortTrainerAdd(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("id")
	name := strings.ToLower(strings.TrimSpace(c.PostForm("username")))
	if _, err := s.accounts.Account(ctx, name); errors.Is(err, wiki.ErrNotFound) && name != "" {
		if _, perr := wiki.ParseUsername(name); perr == nil {
			s.showCohort(c, http.StatusUnprocessableEntity, &trainerOffer{Username: name})
			return
		}
	}
	if _, err := s.cohorts.AddTrainer(ctx, id, name); err != nil {
		var ve *wiki.ValidationError
		if errors.As(err, &ve) {
			s.showCohort(c, http.StatusUnprocessableEntity, &trainerOffer{Username: name, Problem: ve.Fields["trainers"]})
			return
		}
		s.fail(c, err)
		return
	}
	s.setFlash(c, s.accounts.DisplayName(ctx, name)+" is now one of this cohort's trainers. Their edits do not count as the cohort's work.")
	c.Redirect(http.StatusSeeOther, cohortURL(id))
}

// trainerOffer is what the cohort page says about a trainer a trainer
// tried to add: no account yet (Problem empty: offer to invite them), or
// what else is wrong.
type trainerOffer struct {
	Username string
	Problem  string
}
