package wiki

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Vocabulary of accounts:
//
//   - Account: a person who can sign in. Identified by Username, which is
//     what revisions record; DisplayName is what people read.
//   - Session: a signed-in browser. The cookie holds a random token; the
//     store keeps only its SHA-256 (Session.ID), so a leaked database does
//     not leak sessions.
//   - Token: a long-lived credential for scripts (Authorization: Bearer),
//     stored hashed the same way.
//   - Cohort: the new hires who started together, with an invite code that
//     makes an editor in the cohort when someone signs up with it.

// Limits on account fields.
const (
	MinUsernameLen    = 2
	MaxUsernameLen    = 32
	MaxDisplayNameLen = 64 // runes
	MinPasswordLen    = 10 // bytes
	MaxPasswordLen    = 256
	MaxCohortNameLen  = 100
)

// Account is a person who can sign in.
type Account struct {
	Username          string
	DisplayName       string
	Role              Role
	Cohort            string // cohort id, "" if none
	Disabled          bool
	PasswordHash      string // PHC-format argon2id hash; never leaves the server
	PasswordChangedAt time.Time
	CreatedAt         time.Time
}

// User returns the account as the domain sees a request's user.
func (a *Account) User() *User {
	return &User{Name: a.Username, DisplayName: a.DisplayName, Role: a.Role, Cohort: a.Cohort}
}

// Session is a signed-in browser.
type Session struct {
	ID        string // hex SHA-256 of the cookie's token
	Username  string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Token is an API token for scripts and integrations.
type Token struct {
	ID        string // hex SHA-256 of the token
	Name      string // what it is for, e.g. "import script"
	Username  string
	CreatedAt time.Time
}

// Cohort is a group of new hires who started together.
type Cohort struct {
	ID         string // slug-like, e.g. "2026-11-engineering"
	Name       string
	StartsOn   time.Time // a date (midnight UTC)
	Trainers   []string  // usernames
	InviteCode string    // secret: shown to trainers only
	CreatedAt  time.Time
}

// CohortTotals is what the members of a cohort changed while they were in
// it, counted as they commit: the figures of the cohorts list.
type CohortTotals struct {
	Revisions int
	Added     int // lines
	Removed   int // lines
	Created   int // pages created: changes of kind KindCreate
}

// reservedUsernames cannot be taken by an account: they name the wiki's
// own actors in history, or read as authority.
var reservedUsernames = map[string]bool{
	Anonymous: true, "import": true, "faqwiki": true, "system": true, "root": true,
	"administrator": true, "setup": true, "api": true, "null": true, "nobody": true,
}

// ParseUsername checks a username: 2..32 characters of lower-case a-z, 0-9,
// '.', '_' and '-', starting with a letter. Only ASCII is allowed, so names
// that merely look alike ("аda" with a Cyrillic а) cannot be made. Upper
// case is folded to lower case.
func ParseUsername(s string) (string, error) {
	u := strings.ToLower(s)
	switch {
	case len(u) < MinUsernameLen || len(u) > MaxUsernameLen:
		return "", Invalid("username", "must be %d to %d characters", MinUsernameLen, MaxUsernameLen)
	case u[0] < 'a' || u[0] > 'z':
		return "", Invalid("username", "must start with a letter a-z")
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "", Invalid("username", "may contain only a-z, 0-9, '.', '_' and '-'")
		}
	}
	if reservedUsernames[u] {
		return "", Invalid("username", "%q is reserved", u)
	}
	return u, nil
}

// NormalizeDisplayName trims a display name and refuses control, format
// (such as right-to-left overrides that make a name read backwards) and
// private-use characters. An empty name is allowed: the username shows.
func NormalizeDisplayName(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", Invalid("display_name", "is not valid UTF-8")
	}
	for _, r := range s {
		if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs) {
			return "", Invalid("display_name", "may not contain control or invisible formatting characters")
		}
	}
	s = NormalizeTitle(s)
	if utf8.RuneCountInString(s) > MaxDisplayNameLen {
		return "", Invalid("display_name", "is longer than %d characters", MaxDisplayNameLen)
	}
	return s, nil
}

// commonPasswords are refused outright even when long enough.
var commonPasswords = map[string]bool{
	"password123": true, "password1234": true, "1234567890": true, "12345678910": true,
	"qwertyuiop": true, "qwerty12345": true, "iloveyou123": true, "welcome123": true,
	"welcome1234": true, "letmein1234": true, "changeme123": true, "administrator": true,
	"passw0rd123": true, "0123456789": true, "1111111111": true, "abcdefghij": true,
	"onboarding1": true, "onboarding123": true, "faqwiki123": true, "password!!": true,
}

// ValidatePassword refuses passwords that are too short, too long (a huge
// password is a cheap way to make the server hash megabytes), equal to or
// containing the username, a single repeated character, or well known.
func ValidatePassword(password, username string) error {
	switch {
	case len(password) < MinPasswordLen:
		return Invalid("password", "must be at least %d characters", MinPasswordLen)
	case len(password) > MaxPasswordLen:
		return Invalid("password", "must be at most %d characters", MaxPasswordLen)
	case !utf8.ValidString(password):
		return Invalid("password", "is not valid UTF-8")
	case username != "" && strings.Contains(strings.ToLower(password), strings.ToLower(username)):
		return Invalid("password", "must not contain the username")
	case strings.Count(password, password[:1]) == len(password):
		return Invalid("password", "must not be one character repeated")
	case commonPasswords[strings.ToLower(password)]:
		return Invalid("password", "is too common; choose another")
	}
	return nil
}

// ParseCohortID checks a cohort id: the same rules as a one-segment slug.
func ParseCohortID(s string) (string, error) {
	if strings.Contains(s, "/") {
		return "", Invalid("id", "may not contain '/'")
	}
	if _, err := ParseSlug(s); err != nil {
		return "", Invalid("id", "must be lower-case a-z, 0-9 and '-', like 2026-11-engineering")
	}
	return s, nil
}

// AccountStore is what the domain needs from durable storage for people:
// accounts, sessions, API tokens and cohorts. Each method is atomic.
type AccountStore interface {
	// CreateAccount adds a new account; ErrConflict if the username is taken.
	CreateAccount(ctx context.Context, a *Account) error
	// Account returns an account by username, or ErrNotFound.
	Account(ctx context.Context, username string) (*Account, error)
	// Accounts lists every account by username.
	Accounts(ctx context.Context) ([]*Account, error)
	// UpdateAccount applies fn to the stored account and saves the result
	// in one transaction; fn's error aborts it. ErrNotFound if none.
	UpdateAccount(ctx context.Context, username string, fn func(*Account) error) (*Account, error)
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

	// PutSetupToken stores the hash of the one-time first-run setup token,
	// replacing any earlier one. TakeSetupToken consumes it: true if id
	// matched (and it is now gone).
	PutSetupToken(ctx context.Context, id string) error
	TakeSetupToken(ctx context.Context, id string) (bool, error)
}
