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

// handleAdminUserUpdate applies one change from the admin page: a role
// ("role=editor") or disabling/enabling ("action=disable|enable").
func (s *Server) handleAdminUserUpdate(c *gin.Context) {
	ctx := c.Request.Context()
	name := c.Param("name")
	var err error
	var msg string
	switch c.PostForm("action") {
	case "disable":
		if isSelf(c, name) {
			s.fail(c, errDisableSelf)
			return
		}
		if c.PostForm("confirm") != "yes" {
			// Without the confirmation page's answer, ask first (people.go).
			c.Redirect(http.StatusSeeOther, adminUserDisableURL(name))
			return
		}
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
	if p.Disabled != nil && *p.Disabled && isSelf(c, c.Param("name")) {
		s.fail(c, errDisableSelf)
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
