package wiki

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
)

// Errors of signing in. Both map to statuses in the web layer; neither says
// whether the account exists.
var (
	// ErrBadLogin means the username or password is wrong, or the account
	// is disabled: deliberately one error for all three.
	ErrBadLogin = fmt.Errorf("wrong username or password: %w", ErrUnauthorized)
	// ErrRateLimited means too many failed sign-ins; try again later.
	ErrRateLimited = errors.New("wiki: too many attempts")
)

// PasswordParams are argon2id's cost settings. Tests use cheaper ones.
type PasswordParams struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultPasswordParams follow OWASP's argon2id minimum (19 MiB, 2 passes).
var DefaultPasswordParams = PasswordParams{Time: 2, Memory: 19 * 1024, Threads: 1}

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
}

// NewAccounts returns the accounts service over cfg.Store.
func NewAccounts(cfg AccountsConfig) *Accounts {
	a := &Accounts{store: cfg.Store, now: cfg.Clock, ttl: cfg.SessionTTL, params: cfg.Password}
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

// Store returns the account store.
func (a *Accounts) Store() AccountStore { return a.store }

// SessionTTL is how long a session lasts after sign-in.
func (a *Accounts) SessionTTL() time.Duration { return a.ttl }

// hashPassword returns a PHC-format argon2id hash with a random salt.
func (a *Accounts) hashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	rand.Read(salt)
	p := a.params
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// checkPassword reports whether pw matches a hash made by hashPassword.
func checkPassword(hash, pw string) bool {
	var v int
	var m, t uint32
	var p uint8
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<22 || t > 16 || p == 0 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// newSecret returns a random token for a cookie, an API token, an invite
// or the setup link, and the ID (SHA-256, hex) under which it is stored.
func newSecret() (token, id string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, SecretID(token)
}

// SecretID is the stored form of a token: its SHA-256 in hex.
func SecretID(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
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

// hashWait is how long a password hash waits for a free slot before the
// request is refused as busy.
const hashWait = 5 * time.Second

// withHashSlot runs fn while holding one of the slots that bound how many
// argon2id hashes (19 MiB and tens of milliseconds each) run at once, so a
// flood of sign-ups or sign-ins cannot exhaust memory. ErrBusy if no slot
// frees up in time.
func (a *Accounts) withHashSlot(ctx context.Context, fn func()) error {
	t := time.NewTimer(hashWait)
	defer t.Stop()
	select {
	case a.hashSlots <- struct{}{}:
	case <-t.C:
		return ErrBusy
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-a.hashSlots }()
	fn()
	return nil
}

// hash hashes a password through the bounded pool.
func (a *Accounts) hash(ctx context.Context, pw string) (string, error) {
	var h string
	var err error
	if perr := a.withHashSlot(ctx, func() { h, err = a.hashPassword(pw) }); perr != nil {
		return "", perr
	}
	return h, err
}

// check compares a password with a hash through the bounded pool.
func (a *Accounts) check(ctx context.Context, hash, pw string) (bool, error) {
	ok := false
	err := a.withHashSlot(ctx, func() { ok = checkPassword(hash, pw) })
	return ok, err
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
	if !a.limiter.allowAddress(addr) {
		return nil, nil, ErrRateLimited
	}
	code = strings.TrimSpace(code)
	badCode := Invalid("invite_code", "is not a valid invite (ask your trainer for the current link)")
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
	return acct, c, nil
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

// Login checks a username and password and starts a session. It returns
// the session's secret token for the cookie. Wrong credentials, unknown
// users and disabled accounts all give ErrBadLogin after the same work;
// too many failures for the account or the address give ErrRateLimited.
func (a *Accounts) Login(ctx context.Context, username, password, addr string) (string, *Session, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if len(username) > MaxUsernameLen || len(password) > MaxPasswordLen {
		return "", nil, ErrBadLogin
	}
	// The attempt counts as a failure from the start, so that attempts
	// made at the same moment cannot all pass the limit before any of them
	// has failed; a success takes it back.
	if !a.limiter.attempt(username, addr) {
		return "", nil, ErrRateLimited
	}
	acct, err := a.store.Account(ctx, username)
	if err != nil && !errors.Is(err, ErrNotFound) {
		a.limiter.forget(username, addr) // no verdict on the password: not a failure
		return "", nil, err
	}
	hash := a.dummy
	if acct != nil {
		hash = acct.PasswordHash
	}
	ok, err := a.check(ctx, hash, password)
	if err != nil { // busy or cancelled: no verdict either
		a.limiter.forget(username, addr)
		return "", nil, err
	}
	if !ok || acct == nil || acct.Disabled {
		return "", nil, ErrBadLogin
	}
	a.limiter.succeed(username, addr)
	return a.StartSession(ctx, acct.Username)
}

// StartSession signs username in without a password check: for an
// account that was just created with the password the person typed. It
// returns the session's secret token for the cookie.
func (a *Accounts) StartSession(ctx context.Context, username string) (string, *Session, error) {
	token, id := newSecret()
	now := a.now().UTC()
	s := &Session{ID: id, Username: username, CreatedAt: now, ExpiresAt: now.Add(a.ttl)}
	if err := a.store.CreateSession(ctx, s); err != nil {
		return "", nil, err
	}
	return token, s, nil
}

// Logout ends the session whose cookie token is token.
func (a *Accounts) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return a.store.DeleteSession(ctx, SecretID(token))
}

// SessionUser returns the user of a session cookie's token. It returns
// ErrUnauthorized when the session is unknown, expired, or belongs to an
// account that was disabled or removed.
func (a *Accounts) SessionUser(ctx context.Context, token string) (*User, *Session, error) {
	if token == "" || len(token) > 100 {
		return nil, nil, ErrUnauthorized
	}
	s, err := a.store.Session(ctx, SecretID(token))
	if errors.Is(err, ErrNotFound) {
		return nil, nil, ErrUnauthorized
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := a.activeUser(ctx, s.Username)
	return u, s, err
}

// TokenUser returns the user of an API token (Authorization: Bearer).
func (a *Accounts) TokenUser(ctx context.Context, token string) (*User, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrUnauthorized
	}
	t, err := a.store.Token(ctx, SecretID(token))
	if errors.Is(err, ErrNotFound) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, err
	}
	return a.activeUser(ctx, t.Username)
}

func (a *Accounts) activeUser(ctx context.Context, username string) (*User, error) {
	acct, err := a.store.Account(ctx, username)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, err
	}
	if acct.Disabled {
		return nil, ErrUnauthorized
	}
	return acct.User(), nil
}

// CreateToken makes an API token for username and returns its secret,
// which is shown once and never stored.
func (a *Accounts) CreateToken(ctx context.Context, username, name string) (string, *Token, error) {
	acct, err := a.store.Account(ctx, strings.ToLower(username))
	if err != nil {
		return "", nil, err
	}
	name = NormalizeTitle(name)
	if len(name) > 100 {
		return "", nil, Invalid("name", "is longer than 100 characters")
	}
	token, id := newSecret()
	t := &Token{ID: id, Name: name, Username: acct.Username, CreatedAt: a.now().UTC()}
	if err := a.store.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	return token, t, nil
}

// RevokeToken deletes the token whose ID starts with prefix (at least 8 hex
// digits, as `token list` shows them). ErrNotFound if none matches; a
// *ValidationError if the prefix is too short or matches several.
func (a *Accounts) RevokeToken(ctx context.Context, prefix string) (*Token, error) {
	prefix = strings.ToLower(strings.TrimSpace(prefix))
	if len(prefix) < 8 {
		return nil, Invalid("token", "give at least the first 8 characters of the token's id")
	}
	all, err := a.store.Tokens(ctx, "")
	if err != nil {
		return nil, err
	}
	var found *Token
	for _, t := range all {
		if strings.HasPrefix(t.ID, prefix) {
			if found != nil {
				return nil, Invalid("token", "%q matches more than one token; give more of it", prefix)
			}
			found = t
		}
	}
	if found == nil {
		return nil, fmt.Errorf("token %s: %w", prefix, ErrNotFound)
	}
	return found, a.store.DeleteToken(ctx, found.ID)
}

// ChangePassword sets a new password after checking the old one, and ends
// every other session of the account (keep is the session to keep: the
// one making the change).
func (a *Accounts) ChangePassword(ctx context.Context, username, old, new, keep string) error {
	acct, err := a.store.Account(ctx, username)
	if err != nil {
		return err
	}
	ok, err := a.check(ctx, acct.PasswordHash, old)
	if err != nil {
		return err
	}
	if !ok {
		return Invalid("old_password", "is not your current password")
	}
	return a.setPassword(ctx, acct.Username, new, keep)
}

// SetPassword sets an account's password without the old one (an admin's
// reset, or the command line) and ends all its sessions.
func (a *Accounts) SetPassword(ctx context.Context, username, password string) error {
	return a.setPassword(ctx, strings.ToLower(username), password, "")
}

func (a *Accounts) setPassword(ctx context.Context, username, password, keep string) error {
	if err := ValidatePassword(password, username); err != nil {
		return err
	}
	hash, err := a.hash(ctx, password)
	if err != nil {
		return err
	}
	if _, err := a.store.UpdateAccount(ctx, username, func(acct *Account) error {
		acct.PasswordHash = hash
		acct.PasswordChangedAt = a.now().UTC()
		return nil
	}); err != nil {
		return err
	}
	return a.store.DeleteSessions(ctx, username, keep)
}

// SetRole changes an account's role. The last active admin cannot be
// demoted, so the wiki always has someone who can manage it.
func (a *Accounts) SetRole(ctx context.Context, username string, role Role) (*Account, error) {
	username = strings.ToLower(username)
	if role < RoleReader || role > RoleAdmin {
		return nil, Invalid("role", "must be one of reader, editor, trainer, admin")
	}
	if role != RoleAdmin {
		if err := a.keepAnAdmin(ctx, username); err != nil {
			return nil, err
		}
	}
	return a.store.UpdateAccount(ctx, username, func(acct *Account) error {
		acct.Role = role
		return nil
	})
}

// SetDisabled disables or re-enables an account. A disabled account cannot
// sign in and its sessions end; its revisions stay as they are.
func (a *Accounts) SetDisabled(ctx context.Context, username string, disabled bool) (*Account, error) {
	username = strings.ToLower(username)
	if disabled {
		if err := a.keepAnAdmin(ctx, username); err != nil {
			return nil, err
		}
	}
	acct, err := a.store.UpdateAccount(ctx, username, func(acct *Account) error {
		acct.Disabled = disabled
		return nil
	})
	if err != nil {
		return nil, err
	}
	if disabled {
		return acct, a.store.DeleteSessions(ctx, username, "")
	}
	return acct, nil
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
	if _, err := a.store.Account(ctx, username); err != nil {
		return nil, err
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
	if p.Role != nil && *p.Role != RoleAdmin || p.Disabled != nil && *p.Disabled {
		if err := a.keepAnAdmin(ctx, username); err != nil {
			return nil, err
		}
	}
	acct, err := a.store.UpdateAccount(ctx, username, func(acct *Account) error {
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
	})
	if err != nil {
		return nil, err
	}
	if p.Disabled != nil && *p.Disabled {
		return acct, a.store.DeleteSessions(ctx, username, "")
	}
	return acct, nil
}

// keepAnAdmin refuses a change that would leave no active admin when
// username is the only one.
func (a *Accounts) keepAnAdmin(ctx context.Context, username string) error {
	all, err := a.store.Accounts(ctx)
	if err != nil {
		return err
	}
	others := 0
	isAdmin := false
	for _, acct := range all {
		if acct.Role == RoleAdmin && !acct.Disabled {
			if acct.Username == username {
				isAdmin = true
			} else {
				others++
			}
		}
	}
	if isAdmin && others == 0 {
		return Invalid("role", "%s is the only admin; make someone else admin first", username)
	}
	return nil
}

// FirstRun prepares the setup of a wiki that has no account yet: it stores
// a fresh one-time setup token (replacing any earlier one) and returns it,
// to be shown once on the console. needed is false once an account exists.
func (a *Accounts) FirstRun(ctx context.Context) (token string, needed bool, err error) {
	n, err := a.store.CountAccounts(ctx)
	if err != nil || n > 0 {
		return "", false, err
	}
	token, id := newSecret()
	return token, true, a.store.PutSetupToken(ctx, id)
}

// CompleteSetup creates the first admin with the one-time setup token.
// A wrong or used token is ErrNotFound; nothing is created then.
func (a *Accounts) CompleteSetup(ctx context.Context, token string, n NewAccount) (*Account, error) {
	n.Role = RoleAdmin
	acct, err := a.validate(n)
	if err != nil {
		return nil, err
	}
	if n, err := a.store.CountAccounts(ctx); err != nil || n > 0 {
		if err == nil {
			err = fmt.Errorf("setup is done already: %w", ErrNotFound)
		}
		return nil, err
	}
	// Hash before using the link up, so a busy server or a dropped
	// connection leaves the link working. (This route exists only until
	// the first admin, and hashes go through the bounded pool.)
	if acct.PasswordHash, err = a.hash(ctx, n.Password); err != nil {
		return nil, err
	}
	ok, err := a.store.TakeSetupToken(ctx, SecretID(token))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("setup link: %w", ErrNotFound)
	}
	if err := a.store.CreateAccount(ctx, acct); err != nil {
		return nil, err
	}
	return acct, nil
}

// loginLimiter counts failed sign-ins per account and per address in a
// sliding window. It is per process: behind several web nodes each node
// limits on its own, which still bounds guessing.
type loginLimiter struct {
	mu                     sync.Mutex
	now                    Clock
	window                 time.Duration
	perAccount, perAddress int
	fails                  map[string][]time.Time // "u:name" / "a:addr" -> failure times
	sweeps                 int
}

func (l *loginLimiter) recent(key string, now time.Time) []time.Time {
	ts := l.fails[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) > l.window {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.fails, key)
	} else {
		l.fails[key] = ts
	}
	return ts
}

// attempt counts a sign-in attempt for username from addr as a failure
// and reports whether it may go ahead (the limits were not reached).
func (l *loginLimiter) attempt(username, addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.recent("u:"+username, now)) >= l.perAccount || len(l.recent("a:"+addr, now)) >= l.perAddress {
		return false
	}
	l.fails["u:"+username] = append(l.fails["u:"+username], now)
	l.fails["a:"+addr] = append(l.fails["a:"+addr], now)
	l.sweep(now)
	return true
}

// forget takes back an attempt that reached no verdict (a server error).
func (l *loginLimiter) forget(username, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range []string{"u:" + username, "a:" + addr} {
		if ts := l.fails[k]; len(ts) > 0 {
			l.fails[k] = ts[:len(ts)-1]
		}
	}
}

// succeed takes back a successful attempt and forgets the account's
// failures.
func (l *loginLimiter) succeed(username, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, "u:"+username)
	if ts := l.fails["a:"+addr]; len(ts) > 0 {
		l.fails["a:"+addr] = ts[:len(ts)-1]
	}
}

// allowAddress reports whether addr is under its failure limit.
func (l *loginLimiter) allowAddress(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent("a:"+addr, l.now())) < l.perAddress
}

// failAddress counts a failure against addr alone (a wrong invite code).
func (l *loginLimiter) failAddress(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.fails["a:"+addr] = append(l.fails["a:"+addr], now)
	l.sweep(now)
}

// sweep drops, now and then, keys whose failures are all old. Callers
// hold l.mu.
func (l *loginLimiter) sweep(now time.Time) {
	if l.sweeps++; l.sweeps%1000 == 0 {
		for k := range l.fails {
			l.recent(k, now)
		}
	}
}
