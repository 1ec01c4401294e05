package wiki

import (
	"context"
	"errors"
)

// WelcomeSlug is the page an empty wiki starts with.
const WelcomeSlug Slug = "welcome"

const welcomeText = `This wiki holds the answers to the questions every new hire asks. Each cohort inherits it from the cohorts before, fixes what has gone stale, answers what was missing, and hands it on. This page is an ordinary page: edit it, or delete it once the wiki has real answers.

## How do I find an answer?

Type your question into the **search box** at the top of every page (press <kbd>/</kbd> to jump there from anywhere). You don't need the exact words: search understands typos and other words for the same thing, shows results as you type, and a result opens the page right at the question that answers it.

You can also browse the sections on the [home page](/), or follow the links between pages. Every question on a page is a heading with its own link, so you can send a colleague straight to the answer.

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

// homeText is the front page a new wiki starts with (HomeSlug): an
// ordinary page, which the home page shows above the sections.
const homeText = `Answers to the questions every new hire asks, written and kept up to date by the cohorts before you.

- **Looking for something?** Type it into the search box at the top (press <kbd>/</kbd>): it finds the question on the page that answers it, even with typos.
- **New here?** Start with [[Welcome to the onboarding FAQ]], then the pages your trainer points you to.
- **Found something wrong or missing?** Fix it: every page has an **Edit** button, and nothing you change is ever lost.

*This is the wiki's front page: edit it to say what your new hires should read first.*
`

// EnsureWelcome creates the welcome page and the front page (HomeSlug)
// when the store has never had a single change, so the first visitor of a
// new wiki finds a page that says how it works. It does nothing on a wiki
// that has (or had) content.
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
	if err != nil {
		return false, err
	}
	_, err = w.Save(ctx, Edit{
		Slug: HomeSlug, Title: "The onboarding FAQ", Markdown: homeText,
		Tags: []string{"help"}, Summary: "Created with the new wiki",
	})
	if errors.Is(err, ErrConflict) {
		err = nil
	}
	return err == nil, err
}
