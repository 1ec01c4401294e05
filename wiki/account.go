package wiki

import (
	"context"
	"crypto/subtle"
	"errors"
	"runtime"
	"strings"
	"sync"
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

// AccountsConfig is what Accounts is built from.
type AccountsConfig struct {
	Store      AccountStore
	Clock      Clock
	SessionTTL time.Duration // default 30 days
	Password   PasswordParams
	// Login limits: failures allowed per account and per address within
	// LimitWindow before further attempts are refused.
	AccountFailures, AddressFailures int
	LimitWindow                      time.Duration
	// ResetTTL is how long a password reset link works (default
	// DefaultResetTTL).
	ResetTTL time.Duration
}

// Accounts is the domain service for people: passwords, sessions, API
// tokens, roles and cohorts. It is safe for concurrent use.
type Accounts struct {
	store   AccountStore
	now     Clock
	ttl     time.Duration
	params  PasswordParams
	limiter *loginLimiter
	dummy   string // a hash to check against when the account does not exist
	// hashSlots bounds the argon2id hashes running at once.
	hashSlots chan struct{}
	resetTTL  time.Duration
	counts    accountCounters
	auth      authCache // who tokens and sessions belong to (authcache.go)

	namesOnce sync.Once
	names     *nameCache // names.go
}

// NewAccounts returns the accounts service over cfg.Store.
func NewAccounts(cfg AccountsConfig) *Accounts {
	a := &Accounts{store: cfg.Store, now: cfg.Clock, ttl: cfg.SessionTTL, params: cfg.Password, resetTTL: cfg.ResetTTL}
	if a.resetTTL <= 0 {
		a.resetTTL = DefaultResetTTL
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.ttl <= 0 {
		a.ttl = 30 * 24 * time.Hour
	}
	if a.params.Time == 0 {
		a.params = DefaultPasswordParams
	}
	if cfg.AccountFailures <= 0 {
		cfg.AccountFailures = 5
	}
	if cfg.AddressFailures <= 0 {
		cfg.AddressFailures = 30
	}
	if cfg.LimitWindow <= 0 {
		cfg.LimitWindow = 15 * time.Minute
	}
	a.limiter = &loginLimiter{now: a.now, window: cfg.LimitWindow, perAccount: cfg.AccountFailures,
		perAddress: cfg.AddressFailures, fails: map[string][]time.Time{}}
	a.dummy, _ = a.hashPassword("a password nobody has, to spend the same time")
	a.hashSlots = make(chan struct{}, max(2, 2*runtime.NumCPU()))
	return a
}

// Account returns the account of username, or ErrNotFound.
func (a *Accounts) Account(ctx context.Context, username string) (*Account, error) {
	return a.store.Account(ctx, strings.ToLower(username))
}

// List returns every account, by username.
func (a *Accounts) List(ctx context.Context) ([]*Account, error) {
	return a.store.Accounts(ctx)
}

// NewAccount is what creating an account takes.
type NewAccount struct {
	Username, DisplayName, Password string
	Role                            Role
	Cohort                          string
}

// prepare validates n and builds the account to store, hashing its
// password (through the bounded pool: see hash).
func (a *Accounts) prepare(ctx context.Context, n NewAccount) (*Account, error) {
	acct, err := a.validate(n)
	if err != nil {
		return nil, err
	}
	if acct.PasswordHash, err = a.hash(ctx, n.Password); err != nil {
		return nil, err
	}
	return acct, nil
}

// validate checks n and builds the account to store, without its password
// hash: cheap checks come before the expensive hash, so that requests that
// will fail anyway cost the server nothing.
func (a *Accounts) validate(n NewAccount) (*Account, error) {
	v := &ValidationError{}
	username, err := ParseUsername(n.Username)
	if err != nil {
		v.Add("username", "%s", err.(*ValidationError).Fields["username"])
	}
	display, err := NormalizeDisplayName(n.DisplayName)
	if err != nil {
		v.Add("display_name", "%s", err.(*ValidationError).Fields["display_name"])
	}
	if err := ValidatePassword(n.Password, username); err != nil {
		v.Add("password", "%s", err.(*ValidationError).Fields["password"])
	}
	if n.Role < RoleReader || n.Role > RoleAdmin {
		v.Add("role", "must be one of reader, editor, trainer, admin")
	}
	if err := v.orNil(); err != nil {
		return nil, err
	}
	now := a.now().UTC()
	return &Account{Username: username, DisplayName: display, Role: n.Role, Cohort: n.Cohort,
		PasswordChangedAt: now, CreatedAt: now}, nil
}

// CreateAccount adds an account (the admin's "user add"). It returns a
// *ValidationError for a bad username, display name, password or role, and
// ErrConflict when the username is taken or the cohort does not exist.
func (a *Accounts) CreateAccount(ctx context.Context, n NewAccount) (*Account, error) {
	acct, err := a.prepare(ctx, n)
	if err != nil {
		return nil, err
	}
	if acct.Cohort != "" {
		if _, err := a.store.Cohort(ctx, acct.Cohort); err != nil {
			return nil, Invalid("cohort", "no cohort %q", acct.Cohort)
		}
	}
	if err := a.store.CreateAccount(ctx, acct); err != nil {
		return nil, err
	}
	a.nameCache().reset()
	return acct, nil
}

// SignUp creates an editor in the cohort whose invite code is code. A
// wrong code is a *ValidationError that does not echo the code; a taken
// username is ErrConflict. Nothing is created on any error. Wrong codes
// count against addr like failed sign-ins (ErrRateLimited past the limit),
// so invite codes cannot be guessed quickly.
func (a *Accounts) SignUp(ctx context.Context, code string, n NewAccount, addr string) (*Account, *Cohort, error) {
	n.Role = RoleEditor
	acct, err := a.validate(n)
	if err != nil {
		return nil, nil, err
	}
	if err := a.limiter.allowAddress(addr); err != nil {
		a.counts.rateLimited.Add(1)
		return nil, nil, err
	}
	code = strings.TrimSpace(code)
	badCode := BadInvite()
	if code == "" || len(code) > 200 || !a.inviteExists(ctx, code) {
		a.limiter.failAddress(addr)
		return nil, nil, badCode
	}
	if acct.PasswordHash, err = a.hash(ctx, n.Password); err != nil {
		return nil, nil, err
	}
	c, err := a.store.SignUp(ctx, code, acct) // checks the code again, atomically
	if errors.Is(err, ErrNotFound) {
		return nil, nil, badCode
	}
	if err != nil {
		return nil, nil, err
	}
	a.nameCache().reset()
	return acct, c, nil
}

// InviteCohort returns the cohort whose invite code is code, comparing
// in constant time, for the sign-up form to say which cohort it joins;
// ErrNotFound if none has it. A wrong code counts against addr as in
// SignUp (ErrRateLimited past the limit), so the form is no faster a way
// to guess codes.
func (a *Accounts) InviteCohort(ctx context.Context, code, addr string) (*Cohort, error) {
	code = strings.TrimSpace(code)
	if err := a.limiter.allowAddress(addr); err != nil {
		a.counts.rateLimited.Add(1)
		return nil, err
	}
	if code == "" || len(code) > 200 {
		a.limiter.failAddress(addr)
		return nil, ErrNotFound
	}
	all, err := a.store.Cohorts(ctx)
	if err != nil {
		return nil, err
	}
	var found *Cohort
	for _, c := range all {
		if c.InviteCode != "" && subtle.ConstantTimeCompare([]byte(c.InviteCode), []byte(code)) == 1 {
			found = c
		}
	}
	if found == nil {
		a.limiter.failAddress(addr)
		return nil, ErrNotFound
	}
	return found, nil
}

// BadInvite is the error of an invite code no cohort has.
func BadInvite() *ValidationError {
	return Invalid("invite_code", "is not a valid invite (ask your trainer for the current link)")
}

// inviteExists reports whether some cohort has invite code code, comparing
// in constant time. There are few cohorts; the store re-checks atomically.
func (a *Accounts) inviteExists(ctx context.Context, code string) bool {
	all, err := a.store.Cohorts(ctx)
	if err != nil {
		return true // let the store's own check answer
	}
	found := false
	for _, c := range all {
		if c.InviteCode != "" && subtle.ConstantTimeCompare([]byte(c.InviteCode), []byte(code)) == 1 {
			found = true
		}
	}
	return found
}

// SetRole changes an account's role. The last active admin cannot be
// demoted, so the wiki always has someone who can manage it.
func (a *Accounts) SetRole(ctx context.Context, username string, role Role) (*Account, error) {
	username = strings.ToLower(username)
	if role < RoleReader || role > RoleAdmin {
		return nil, Invalid("role", "must be one of reader, editor, trainer, admin")
	}
	return a.Update(ctx, username, AccountPatch{Role: &role})
}

// SetDisabled disables or re-enables an account. A disabled account cannot
// sign in and its sessions end; its revisions stay as they are.
func (a *Accounts) SetDisabled(ctx context.Context, username string, disabled bool) (*Account, error) {
	return a.Update(ctx, username, AccountPatch{Disabled: &disabled})
}

// AccountPatch is a change to an account; nil fields stay as they are.
type AccountPatch struct {
	Role     *Role
	Disabled *bool
	Cohort   *string // "" for no cohort
}

// Update applies p to an account as one change: every field is checked
// first (the role, that the cohort exists, that the wiki keeps an active
// admin) and then all are written in one transaction, so a bad field
// changes nothing. Disabling ends the account's sessions.
func (a *Accounts) Update(ctx context.Context, username string, p AccountPatch) (*Account, error) {
	username = strings.ToLower(username)
	cur, err := a.store.Account(ctx, username)
	if err != nil {
		return nil, err
	}
	// Nobody changes their own role or disables themselves: an admin would
	// lock themselves out of what only an admin can undo. (The command
	// line, with nobody signed in, can.)
	if self := UserFromContext(ctx); self.SignedIn() && self.Name == username {
		if p.Role != nil && *p.Role != cur.Role {
			return nil, Invalid("role", "you cannot change your own role; another admin can")
		}
		if p.Disabled != nil && *p.Disabled {
			return nil, Invalid("disabled", "you cannot disable your own account; another admin can")
		}
	}
	if p.Role != nil && (*p.Role < RoleReader || *p.Role > RoleAdmin) {
		return nil, Invalid("role", "must be one of reader, editor, trainer, admin")
	}
	if p.Cohort != nil && *p.Cohort != "" {
		if _, err := a.store.Cohort(ctx, *p.Cohort); errors.Is(err, ErrNotFound) {
			return nil, Invalid("cohort", "no cohort %q", *p.Cohort)
		} else if err != nil {
			return nil, err
		}
	}
	// The wiki must keep an active admin. The rule is checked inside the
	// update's transaction, against every account as it would be after the
	// change, so two admins demoting each other at once leave one.
	wasAdmin := false
	acct, err := a.store.UpdateAccountChecked(ctx, username, func(acct *Account) error {
		wasAdmin = acct.activeAdmin()
		if p.Role != nil {
			acct.Role = *p.Role
		}
		if p.Cohort != nil {
			acct.Cohort = *p.Cohort
		}
		if p.Disabled != nil {
			acct.Disabled = *p.Disabled
		}
		return nil
	}, func(all []*Account) error {
		if !wasAdmin {
			return nil
		}
		return keepsAnAdmin(all, username)
	})
	if err != nil {
		return nil, err
	}
	if p.Disabled != nil && *p.Disabled {
		return acct, a.store.DeleteSessions(ctx, username, "")
	}
	return acct, nil
}

// CountsInCohort reports whether the account is one of its cohort's
// members: trainers and admins are not, even with a cohort set (see
// User.WorkCohort).
func (a *Account) CountsInCohort() bool { return a.Cohort != "" && a.Role < RoleTrainer }

// activeAdmin reports whether the account is an admin who can sign in.
func (a *Account) activeAdmin() bool { return a.Role == RoleAdmin && !a.Disabled }

// keepsAnAdmin returns a *ValidationError if no account of all, the
// accounts as they would be after a change to username, is an active
// admin.
func keepsAnAdmin(all []*Account, username string) error {
	for _, acct := range all {
		if acct.activeAdmin() {
			return nil
		}
	}
	return Invalid("role", "%s is the only admin; make someone else admin first", username)
}
