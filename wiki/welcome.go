package wiki

import (
	"context"
	"errors"
)

// WelcomeSlug is the page an empty wiki starts with.
const WelcomeSlug Slug = "welcome"

const welcomeText = `This wiki holds the answers to the questions every new hire asks. Each cohort inherits it from the cohorts before, fixes what has gone stale, answers what was missing, and hands it on. This page is an ordinary page: edit it, or delete it once the wiki has real answers.

## How do I find an answer?

Browse the list of pages on the [home page](/), or follow the links between pages. Every question on a page is a heading with its own link, so you can send a colleague straight to the answer.

## How do I add a question and its answer?

Choose **New page** at the top. Give the page a title (a topic such as "Laptop and accounts", or a single question such as "How do I get VPN access?"), then write each question as a heading and its answer below it:

` + "```markdown" + `
## How do I get VPN access?

Ask the service desk for the VPN profile; it arrives by e-mail within a day.
` + "```" + `

Link to another page by its title in double brackets, like [[Welcome]]; a link to a page nobody has written yet shows in red and leads to creating it.

## What if I get something wrong?

Nothing is ever lost. Every save is a new revision: **History** on each page shows who changed what and when, compares any two revisions, and restores an old one. If a cohort mate saves the same page while you are editing, changes that don't overlap are merged; if they do overlap, you see both texts and keep yours.

## Where do I start?

1. Read the pages your trainer points you to.
2. When something is unclear or missing, fix it right away: that is how the next cohort gets a better start than you did.
`

// EnsureWelcome creates the welcome page when the store has never had a
// single change, so the first visitor of a new wiki finds a page that says
// how it works. It does nothing on a wiki that has (or had) content.
func (w *Wiki) EnsureWelcome(ctx context.Context) (created bool, err error) {
	seq, err := w.store.LastSeq(ctx)
	if err != nil || seq > 0 {
		return false, err
	}
	ctx = NewContextWithUser(ctx, &User{Name: "faqwiki", Role: RoleAdmin}) // the wiki's own page: reviewed on save
	_, err = w.Save(ctx, Edit{
		Slug: WelcomeSlug, Title: "Welcome to the onboarding FAQ", Markdown: welcomeText,
		Tags: []string{"help"}, Summary: "Created with the new wiki",
	})
	if errors.Is(err, ErrConflict) {
		return false, nil // another process created it first
	}
	return err == nil, err
}
