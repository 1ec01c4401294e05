package wiki

import (
	"context"
	"time"
)

// PageFeed is what a view derived from the pages, such as the search
// index, reads from the store: the change feed and the pages it names.
// Every PageStore is one.
type PageFeed interface {
	// Page returns the head of a page, including a deleted one (Deleted
	// set). It returns ErrNotFound if the page never existed.
	Page(ctx context.Context, slug Slug) (*Page, error)

	// Pages lists pages that are not deleted, ordered by slug, or by title
	// when f.ByTitle is set. A bad cursor is a *ValidationError.
	Pages(ctx context.Context, f PageFilter) (pages []PageSummary, next string, err error)

	// Changes returns up to limit changes with Seq > since, oldest first.
	Changes(ctx context.Context, since uint64, limit int) ([]Change, error)

	// LastSeq returns the sequence number of the newest change (0 if none).
	LastSeq(ctx context.Context) (uint64, error)
}

// PageStore is what the domain needs from durable storage for pages. It is
// the one source of truth; everything else (the search index, caches)
// derives from it. Each method is atomic.
type PageStore interface {
	PageFeed
	ReviewStore // review.go: unreviewed revisions, the queue, recent changes
	LinkStore   // link.go: the link index Commit keeps
	WatchStore  // watch.go: watchlists and cohort reading lists
	ViewStore   // view.go: what a page view shows, in one read

	// PageAt returns the page as it stood at time t: the last revision
	// created at or before t. ErrNotFound if it did not exist yet.
	PageAt(ctx context.Context, slug Slug, t time.Time) (*Page, error)

	// Revision returns revision n of a page, or ErrNotFound.
	Revision(ctx context.Context, slug Slug, n int) (*Revision, error)

	// Revisions returns the revisions of a page newest first, with their
	// Markdown left empty. ErrNotFound if the page never existed.
	Revisions(ctx context.Context, slug Slug) ([]*Revision, error)

	// RecentPages lists up to limit pages that are not deleted, most
	// recently changed first.
	RecentPages(ctx context.Context, limit int) ([]PageSummary, error)

	// Exists reports, for each slug, whether it names a page that is not
	// deleted.
	Exists(ctx context.Context, slugs []Slug) ([]bool, error)

	// PagesTitled returns, for each title, the slugs of the live pages
	// with that title, case and accents aside, the page made first first
	// (for wiki links that name a page by its title).
	PagesTitled(ctx context.Context, titles []string) ([][]Slug, error)

	// Commit appends rev as the next revision of rev.Slug if the page's head
	// is still revision head (0: the page must not exist yet). It fills in
	// rev.Number and appends a Change to the feed, all in one transaction.
	// It returns ErrConflict if the head moved. Concurrent commits are
	// grouped so that they share one disk sync.
	Commit(ctx context.Context, rev *Revision, head int) error

	// History across pages, from indexes the store keeps at commit.

	// CohortChanges returns every change made by members of a cohort while
	// they were in it, oldest first.
	CohortChanges(ctx context.Context, cohort string) ([]Change, error)
	// CohortTotals returns what each cohort's changes add up to, without
	// reading them; a cohort with no changes is absent.
	CohortTotals(ctx context.Context) (map[string]CohortTotals, error) // per cohort id, from counters kept at commit
	// AuthorChanges returns up to limit changes made by username, newest
	// first.
	AuthorChanges(ctx context.Context, username string, limit int) ([]Change, error)
	// PagesAt lists the pages that existed (and were not deleted) at time t,
	// by slug, each as its revision current then: "the wiki as it stood".
	PagesAt(ctx context.Context, t time.Time) ([]PageSummary, error)

	// Attachments and aliases.

	// Blob returns the content stored under a hex SHA-256 that some
	// revision's attachment names, or ErrNotFound.
	Blob(ctx context.Context, id string) ([]byte, error)
	// PutAlias makes from an old name of the page to: reading from leads
	// there while no page lives at from. It replaces an earlier alias of
	// from. A *ValidationError if from equals to.
	PutAlias(ctx context.Context, from, to Slug) error
	// Alias returns the page an old name leads to, or ErrNotFound.
	Alias(ctx context.Context, from Slug) (Slug, error)
	// Aliases returns every alias, old name -> page.
	Aliases(ctx context.Context) (map[Slug]Slug, error)
}

// AccountStore is what the domain needs from durable storage for people:
// accounts, sessions, API tokens, the first-run setup token and cohorts.
// Each method is atomic.
type AccountStore interface {
	FeedTokenStore // feedtoken.go
	// CreateAccount adds a new account; ErrConflict if the username is taken.
	CreateAccount(ctx context.Context, a *Account) error
	// Account returns an account by username, or ErrNotFound.
	Account(ctx context.Context, username string) (*Account, error)
	// Accounts lists every account by username.
	Accounts(ctx context.Context) ([]*Account, error)
	// UpdateAccount applies fn to the stored account and saves the result
	// in one transaction; fn's error aborts it. ErrNotFound if none.
	UpdateAccount(ctx context.Context, username string, fn func(*Account) error) (*Account, error)
	// UpdateAccountChecked is UpdateAccount with check called, inside the
	// same transaction, on every account as it would be after the change;
	// check's error aborts it. Rules across accounts (keep an admin) hold
	// under concurrent changes this way.
	UpdateAccountChecked(ctx context.Context, username string, fn func(*Account) error, check func(all []*Account) error) (*Account, error)
	// CountAccounts returns how many accounts exist.
	CountAccounts(ctx context.Context) (int, error)

	// CreateSession stores a session.
	CreateSession(ctx context.Context, s *Session) error
	// Session returns a session by ID, or ErrNotFound (also once expired).
	Session(ctx context.Context, id string) (*Session, error)
	// DeleteSession removes a session; deleting a missing one is no error.
	DeleteSession(ctx context.Context, id string) error
	// DeleteSessions removes every session of username except keep.
	DeleteSessions(ctx context.Context, username, keep string) error

	// CreateToken stores an API token.
	CreateToken(ctx context.Context, t *Token) error
	// Token returns a token by ID, or ErrNotFound.
	Token(ctx context.Context, id string) (*Token, error)
	// Tokens lists username's tokens ("" for everyone's).
	Tokens(ctx context.Context, username string) ([]*Token, error)
	// DeleteToken removes a token; ErrNotFound if there is none.
	DeleteToken(ctx context.Context, id string) error

	// CreateCohort adds a cohort; ErrConflict if the id or invite code is taken.
	CreateCohort(ctx context.Context, c *Cohort) error
	// Cohort returns a cohort by id, or ErrNotFound.
	Cohort(ctx context.Context, id string) (*Cohort, error)
	// Cohorts lists every cohort, earliest start first.
	Cohorts(ctx context.Context) ([]*Cohort, error)
	// UpdateCohort applies fn to the stored cohort and saves it in one
	// transaction (keeping the invite-code index right). ErrNotFound if none;
	// ErrConflict if the new invite code is taken.
	UpdateCohort(ctx context.Context, id string, fn func(*Cohort) error) (*Cohort, error)
	// SignUp creates a in the cohort whose invite code is code, in one
	// transaction: ErrNotFound if no cohort has that code, ErrConflict if
	// the username is taken. It sets a.Cohort and returns the cohort.
	SignUp(ctx context.Context, code string, a *Account) (*Cohort, error)

	// PutSetupToken stores the hash of the one-time first-run setup token,
	// replacing any earlier one. TakeSetupToken consumes it: true if id
	// matched (and it is now gone).
	PutSetupToken(ctx context.Context, id string) error
	TakeSetupToken(ctx context.Context, id string) (bool, error)
	// SetupTokenIs reports whether id is the hash of the setup token
	// still waiting to be used, without using it.
	SetupTokenIs(ctx context.Context, id string) (bool, error)

	// PutPasswordReset stores a one-time password reset, replacing any
	// earlier one of the same account; ErrNotFound if there is no account.
	PutPasswordReset(ctx context.Context, r *PasswordReset) error
	// PasswordReset returns a reset by ID, or ErrNotFound (expiry is the
	// caller's to check).
	PasswordReset(ctx context.Context, id string) (*PasswordReset, error)
	// UsePasswordReset consumes the reset id and applies fn to its
	// account, in one transaction: ErrNotFound if there is no such reset
	// or it expired before now; fn's error aborts it and keeps the reset.
	UsePasswordReset(ctx context.Context, id string, now time.Time, fn func(*Account) error) (*Account, error)
}

// Clock tells the time. Tests replace it to make history deterministic.
type Clock func() time.Time
