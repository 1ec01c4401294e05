package web

import (
	"net/url"

	"github.com/faqwiki/faqwiki/wiki"
)

// Addresses of the home page's parts, people admin and the editor's
// helpers (issue 14); see url.go for the rest.

// adminUserDisableURL is the page that asks before an account is
// disabled.
func adminUserDisableURL(username string) string { return adminUserURL(username) + "/disable" }

// adminAddPersonURL is the people page with its "add someone" form filled
// in: a username, a role and the cohort they train, if any.
func adminAddPersonURL(username, role, trainerOf string) string {
	q := url.Values{}
	if username != "" {
		q.Set("add", username)
	}
	if role != "" {
		q.Set("role", role)
	}
	if trainerOf != "" {
		q.Set("trainer_of", trainerOf)
	}
	if len(q) == 0 {
		return adminUsersURL() + "#add"
	}
	return adminUsersURL() + "?" + q.Encode() + "#add"
}

func cohortTrainersURL(id string) string { return cohortURL(id) + "/trainers" }

// sectionURL is the home page's browsable tree opened at a prefix.
func sectionURL(prefix wiki.Slug) string {
	if prefix == "" {
		return homeURL() + "#sections"
	}
	return homeURL() + "?section=" + url.QueryEscape(string(prefix)) + "#sections"
}

// allPagesURL is every page by title, paged.
func allPagesURL() string { return homeURL() + "?all" }

// apiPagesURL is the page list the editor's page picker asks.
func apiPagesURL() string { return prefixAPI + "/pages" }

// apiSearchURL is the search the page picker falls back to.
func apiSearchURL() string { return prefixAPI + "/search" }

// previewURL is where the live preview posts.
func previewURL() string { return "/preview" }

// slugURL answers what address a title makes.
func slugURL() string { return prefixAPI + "/slug" }

// tokensURL makes an API token of one's own; tokenRevokeURL revokes one.
func tokensURL() string      { return accountURL() + "/tokens" }
func tokenRevokeURL() string { return tokensURL() + "/revoke" }
