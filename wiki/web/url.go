package web

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/faqwiki/faqwiki/wiki"
)

// Addresses of the HTML pages. Every URL a template prints or a handler
// redirects to comes from these helpers, and the routes in server.go are
// registered under the same prefixes, so a route changes in one place.
// Helpers take the values a page knows (a slug, a cohort id, a username)
// and escape what needs escaping.
const (
	prefixWiki    = "/wiki/"
	prefixEdit    = "/edit/"
	prefixHistory = "/history/"
	prefixDiff    = "/diff/"
	prefixRevert  = "/revert/"
	prefixUndo    = "/undo/"
	prefixDelete  = "/delete/"
	prefixCohorts = "/cohorts"
	prefixPeople  = "/people/"
	prefixAdmin   = "/admin/users"
	prefixSearch  = "/search"
	prefixAPI     = "/api/v1"
)

func homeURL() string { return "/" }

// queryText escapes text for a query parameter the way html/template does
// (spaces as %20, not '+'), so addresses read the same wherever they are
// made.
func queryText(text string) string { return strings.ReplaceAll(url.QueryEscape(text), "+", "%20") }

// homePageURL is the home page's list of all pages from cursor on.
func homePageURL(cursor string) string {
	if cursor == "" {
		return homeURL()
	}
	return "/?cursor=" + url.QueryEscape(cursor)
}

func pageURL(slug wiki.Slug) string    { return prefixWiki + string(slug) }
func editURL(slug wiki.Slug) string    { return prefixEdit + string(slug) }
func historyURL(slug wiki.Slug) string { return prefixHistory + string(slug) }
func revertURL(slug wiki.Slug) string  { return prefixRevert + string(slug) }
func undoURL(slug wiki.Slug) string    { return prefixUndo + string(slug) }
func deleteURL(slug wiki.Slug) string  { return prefixDelete + string(slug) }

// anchorURL opens the question with heading id anchor on a page.
func anchorURL(slug wiki.Slug, anchor string) string {
	if anchor == "" {
		return pageURL(slug)
	}
	return pageURL(slug) + "#" + url.PathEscape(anchor)
}

// revisionURL shows revision n of a page.
func revisionURL(slug wiki.Slug, n int) string { return pageURL(slug) + "?rev=" + strconv.Itoa(n) }

// diffURL compares revisions from and to of a page; diffFormURL is where
// the history's pick-two form sends its choice.
func diffURL(slug wiki.Slug, from, to int) string {
	return diffFormURL(slug) + "?from=" + strconv.Itoa(from) + "&to=" + strconv.Itoa(to)
}

func diffFormURL(slug wiki.Slug) string { return prefixDiff + string(slug) }

// newPageURL opens the new-page form, with a title filled in if given.
func newPageURL(title string) string {
	if title == "" {
		return "/new"
	}
	return "/new?title=" + queryText(title)
}

// createURL opens the editor on a page that does not exist yet, with its
// title filled in.
func createURL(slug wiki.Slug, title string) string {
	return editURL(slug) + "?title=" + queryText(title)
}

func cohortsURL() string                { return prefixCohorts }
func cohortURL(id string) string        { return prefixCohorts + "/" + url.PathEscape(id) }
func cohortInviteURL(id string) string  { return cohortURL(id) + "/invite" }
func cohortMembersURL(id string) string { return cohortURL(id) + "/members" }
func personURL(username string) string  { return prefixPeople + url.PathEscape(username) }
func peopleURL() string                 { return strings.TrimSuffix(prefixPeople, "/") }
func adminUsersURL() string             { return prefixAdmin }
func adminUserURL(username string) string {
	return prefixAdmin + "/" + url.PathEscape(username)
}
func accountURL() string  { return "/account" }
func passwordURL() string { return "/account/password" }
func loginURL() string    { return "/login" }
func logoutURL() string   { return "/logout" }
func signupURL() string   { return "/signup" }

// inviteURL is the path of a cohort's sign-up link (origin not included).
func inviteURL(code string) string { return signupURL() + "?invite=" + url.QueryEscape(code) }

// setupURL is the path of the one-time first-run link.
func setupURL(token string) string { return "/setup/" + url.PathEscape(token) }

// resetURL is the one-time password reset link of token.
func resetURL(token string) string { return "/reset/" + url.PathEscape(token) }

// adminUserResetURL makes a reset link for username (admins).
func adminUserResetURL(username string) string { return adminUserURL(username) + "/reset" }

func metricsURL() string { return "/metrics" }

// searchURL searches for q ("" for the empty search page).
func searchURL(q string) string {
	if q == "" {
		return prefixSearch
	}
	return prefixSearch + "?q=" + queryText(q)
}

// searchPageURL is page page (from 1) of the results for q, filtered by
// tag if given.
func searchPageURL(q, tag string, page int) string {
	u := url.Values{"q": {q}}
	if tag != "" {
		u.Set("tag", tag)
	}
	if page > 1 {
		u.Set("page", strconv.Itoa(page))
	}
	return prefixSearch + "?" + u.Encode()
}

// searchOpenURL is the link of a search hit: /search/open logs that the
// search for q found its answer, then sends the browser to the page. The
// fragment stays on the link, and browsers keep it across the redirect,
// so the address the reader ends up with is the plain
// /wiki/{slug}#{anchor}.
func searchOpenURL(q string, slug wiki.Slug, anchor string) string {
	u := url.Values{"q": {q}, "slug": {string(slug)}}
	frag := ""
	if anchor != "" {
		u.Set("anchor", anchor)
		frag = "#" + url.PathEscape(anchor)
	}
	return prefixSearch + "/open?" + u.Encode() + frag
}

func synonymsURL() string        { return prefixSearch + "/synonyms" }
func synonymsHistoryURL() string { return synonymsURL() + "/history" }
func synonymsRevertURL() string  { return synonymsURL() + "/revert" }
func synonymsAddURL() string     { return synonymsURL() + "/add" }

// synonymsDiffURL compares revisions from and to of the synonym list.
func synonymsDiffURL(from, to int) string {
	return synonymsURL() + "/diff?from=" + strconv.Itoa(from) + "&to=" + strconv.Itoa(to)
}

// learnedURL lists, for trainers, what search learned for each question
// of a page.
func learnedURL(slug wiki.Slug) string { return prefixSearch + "/learned/" + string(slug) }

// gapsURL is the gap list (gap.go); the old address under /search leads
// there.
func gapsURL() string { return "/gaps" }

func oldGapsURL() string { return prefixSearch + "/gaps" }

// gapsSinceURL lists the search gaps since a date (YYYY-MM-DD).
func gapsSinceURL(date string) string { return gapsURL() + "?since=" + url.QueryEscape(date) }

// fileURL is where the content of a page's file is served (by hash; see
// wiki.AttachmentURL, which the Markdown renderer uses too).
func fileURL(a wiki.Attachment) string { return wiki.AttachmentURL(a) }

// apiAttachmentsURL is where the editor's script uploads a page's files.
func apiAttachmentsURL(slug wiki.Slug) string { return apiPageURL(slug) + "/attachments" }

// apiAttachmentURL is the API address of a page's file by name.
func apiAttachmentURL(slug wiki.Slug, name string) string {
	return apiPageURL(slug) + "/attachments/" + url.PathEscape(name)
}

// API locations, for Location headers.
func apiPageURL(slug wiki.Slug) string { return prefixAPI + "/pages/" + string(slug) }
func apiCohortURL(id string) string    { return prefixAPI + "/cohorts/" + url.PathEscape(id) }

// Recent changes, review, blame, links and watching (issue 9).
const (
	prefixBlame = "/blame/"
	prefixWatch = "/watch/"
)

func changesPath() string            { return "/changes" }
func changesAtomPath() string        { return "/changes.atom" }
func reviewURL() string              { return "/review" }
func wantedURL() string              { return "/wanted" }
func orphansURL() string             { return "/orphans" }
func watchingURL() string            { return "/me/watching" }
func watchingAtomPath() string       { return "/me/watching.atom" }
func feedTokenURL() string           { return "/me/feed-token" }
func blameURL(slug wiki.Slug) string { return prefixBlame + string(slug) }
func watchURL(slug wiki.Slug) string { return prefixWatch + string(slug) }

// cohortReadingURL is where a trainer sets a cohort's reading list.
func cohortReadingURL(id string) string { return cohortURL(id) + "/reading" }

// reviewCohortURL is the review queue of one cohort's changes.
func reviewCohortURL(cohort string) string {
	if cohort == "" {
		return reviewURL()
	}
	return reviewURL() + "?cohort=" + url.QueryEscape(cohort)
}

// changesURL is recent changes with the filter in q (already encoded
// query parameters, "" for none).
func changesURL(q url.Values) string {
	if len(q) == 0 {
		return changesPath()
	}
	return changesPath() + "?" + q.Encode()
}

// changesAtomURL is the Atom feed of recent changes with filter q and,
// when token is set, the reader's feed token.
func changesAtomURL(q url.Values, token string) string {
	v := url.Values{}
	for k, vs := range q {
		if k != "cursor" && k != "limit" {
			v[k] = vs
		}
	}
	if token != "" {
		v.Set("token", token)
	}
	if len(v) == 0 {
		return changesAtomPath()
	}
	return changesAtomPath() + "?" + v.Encode()
}

// pageAtomURL is the Atom feed of one page's changes.
func pageAtomURL(slug wiki.Slug) string {
	return changesAtomPath() + "?page=" + url.QueryEscape(string(slug))
}

// watchingAtomURL is someone's own feed of watched changes.
func watchingAtomURL(token string) string {
	if token == "" {
		return watchingAtomPath()
	}
	return watchingAtomPath() + "?token=" + url.QueryEscape(token)
}

// Filters of recent changes by one field, for the links in its rows.
func changesByCohortURL(cohort string) string { return changesURL(url.Values{"cohort": {cohort}}) }
func changesByAuthorURL(author string) string { return changesURL(url.Values{"author": {author}}) }

// Questions, the gap list, answers: feedback, confirmations, flags,
// freshness and impact (issue 10).
const (
	prefixQuestions = "/questions"
	prefixFeedback  = "/feedback/"
	prefixConfirm   = "/confirm/"
	prefixFlag      = "/flag/"
	prefixResolve   = "/resolve/"
	prefixInfo      = "/info/"
)

func questionsURL() string { return prefixQuestions }

// questionsListURL lists questions of a status ("" for open), newest
// first or (byVotes) most asked first.
func questionsListURL(status string, byVotes bool) string {
	v := url.Values{}
	if status != "" && status != string(wiki.QuestionOpen) {
		v.Set("status", status)
	}
	if byVotes {
		v.Set("sort", "votes")
	}
	if len(v) == 0 {
		return questionsURL()
	}
	return questionsURL() + "?" + v.Encode()
}

// askURL opens the form to ask a question, with its text filled in and,
// when it comes from a search, that search.
func askURL(text, fromSearch string) string {
	v := url.Values{}
	if text != "" {
		v.Set("text", text)
	}
	if fromSearch != "" {
		v.Set("from", fromSearch)
	}
	if len(v) == 0 {
		return questionsURL() + "/new"
	}
	return questionsURL() + "/new?" + v.Encode()
}

func questionURL(id int64) string { return questionsURL() + "/" + strconv.FormatInt(id, 10) }

// questionActionURL is where a question's forms post: vote, answer,
// close, reopen; write opens the editor to answer it.
func questionActionURL(id int64, action string) string { return questionURL(id) + "/" + action }

// gapActionURL is where the gap list's forms post: answer, dismiss,
// merge, reopen.
func gapActionURL(id, action string) string {
	return gapsURL() + "/" + url.PathEscape(id) + "/" + action
}

// gapsStatusURL is the gap list of one status.
func gapsStatusURL(status string) string {
	if status == "" || status == string(wiki.GapOpen) {
		return gapsURL()
	}
	return gapsURL() + "?status=" + url.QueryEscape(status)
}

// answerNewPageURL opens the new-page form to write the answer to a
// question or a search gap, with the title filled in.
func answerNewPageURL(title string, question int64, gap string) string {
	v := url.Values{"title": {title}}
	if question > 0 {
		v.Set("question", strconv.FormatInt(question, 10))
	}
	if gap != "" {
		v.Set("gap", gap)
	}
	return "/new?" + v.Encode()
}

// answerEditURL opens the editor on a page to write the answer to a
// question (or a search gap) in it, as a new heading.
func answerEditURL(slug wiki.Slug, question int64, gap string) string {
	v := url.Values{}
	if question > 0 {
		v.Set("question", strconv.FormatInt(question, 10))
	}
	if gap != "" {
		v.Set("gap", gap)
	}
	return editURL(slug) + "?" + v.Encode()
}

func feedbackURL(slug wiki.Slug) string { return prefixFeedback + string(slug) }
func confirmURL(slug wiki.Slug) string  { return prefixConfirm + string(slug) }
func flagURL(slug wiki.Slug) string     { return prefixFlag + string(slug) }
func resolveURL(slug wiki.Slug) string  { return prefixResolve + string(slug) }
func pageInfoURL(slug wiki.Slug) string { return prefixInfo + string(slug) }
func freshnessURL() string              { return "/freshness" }

// formAnchor is how a form names an answer: WholePage for the page as a
// whole.
func formAnchor(anchor string) string {
	if anchor == "" {
		return wiki.WholePage
	}
	return anchor
}
