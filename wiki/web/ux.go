package web

import (
	"context"
	"html/template"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/faqwiki/faqwiki/wiki"
)

// sentence makes an error message (written for the API, in lower case
// and without a full stop) read as a sentence on a page.
func sentence(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(msg)
	msg = string(unicode.ToUpper(r)) + msg[n:]
	if !strings.ContainsAny(msg[len(msg)-1:], ".!?:)") {
		msg += "."
	}
	return msg
}

// Template helpers of the home page, the editor and people's names
// (issue 14).
func (s *Server) uxFuncs() template.FuncMap {
	return template.FuncMap{
		// who is how a username is shown: the person's display name.
		"who": func(username string) string { return s.accounts.DisplayName(context.Background(), username) },
		// cohortName is a cohort id's name.
		"cohortName": func(id string) string { return s.cohorts.Name(context.Background(), id) },
		"isFuture":   func(t time.Time) bool { return t.After(s.now()) },
		"sentence":   sentence,
		// pageTitle is the current title of the page at slug (a read of
		// its head: for short lists on pages that are not opened often,
		// such as a cohort's pages created and reading list), or a title
		// made from the slug.
		"pageTitle": func(slug wiki.Slug) string {
			if p, err := s.wiki.Page(context.Background(), slug); err == nil && !p.Deleted {
				return p.Title
			}
			return wiki.TitleFromSlug(slug)
		},
		"people": func(n int) string {
			if n == 1 {
				return "1 person"
			}
			return strconv.Itoa(n) + " people"
		},
		"roleName":  func(r wiki.Role) string { return r.String() },
		"isTrainer": func(r wiki.Role) bool { return r >= wiki.RoleTrainer },
		// Addresses (url_ux.go).
		"adminDisableURL":   adminUserDisableURL,
		"adminAddPersonURL": adminAddPersonURL,
		"cohortTrainersURL": cohortTrainersURL,
		"sectionURL":        sectionURL,
		"allPagesURL":       allPagesURL,
		"tokensURL":         tokensURL,
		"tokenRevokeURL":    tokenRevokeURL,
		"apiPagesURL":       apiPagesURL,
		"apiSearchURL":      apiSearchURL,
		"previewURL":        previewURL,
		"slugURL":           slugURL,
	}
}
