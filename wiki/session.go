package wiki

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Session is a signed-in browser.
type Session struct {
	ID        string // hex SHA-256 of the cookie's token
	Username  string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Login checks a username and password and starts a session. It returns
// the session's secret token for the cookie. Wrong credentials, unknown
// users and disabled accounts all give ErrBadLogin after the same work;
// too many failures for the account or the address give ErrRateLimited.
func (a *Accounts) Login(ctx context.Context, username, password, addr string) (string, *Session, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if len(username) > MaxUsernameLen || len(password) > MaxPasswordLen {
		a.counts.loginFailures.Add(1)
		return "", nil, ErrBadLogin
	}
	// The attempt counts as a failure from the start, so that attempts
	// made at the same moment cannot all pass the limit before any of them
	// has failed; a success takes it back.
	if err := a.limiter.attempt(username, addr); err != nil {
		a.counts.rateLimited.Add(1)
		return "", nil, err
	}
	acct, err := a.store.Account(ctx, username)
	if err != nil && !errors.Is(err, ErrNotFound) {
		a.limiter.forget(username, addr) // no verdict on the password: not a failure
		return "", nil, err
	}
	hash := a.dummy
	if acct != nil && acct.HasPassword() {
		hash = acct.PasswordHash
	}
	ok, err := a.check(ctx, hash, password)
	if err != nil { // busy or cancelled: no verdict either
		a.limiter.forget(username, addr)
		return "", nil, err
	}
	if !ok || acct == nil || acct.Disabled || !acct.HasPassword() {
		a.counts.loginFailures.Add(1)
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
	key := newAuthKey('s', token)
	now := a.now()
	if u, s, ok := a.cachedAuth(key, now); ok {
		return u, s, nil
	}
	v, _ := a.version()
	s, err := a.store.Session(ctx, key.id())
	if errors.Is(err, ErrNotFound) {
		return nil, nil, ErrUnauthorized
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := a.activeUser(ctx, s.Username)
	if err == nil {
		a.cacheAuth(key, v, u, s, now)
	}
	return u, s, err
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

// SessionTTL is how long a session lasts after sign-in.
func (a *Accounts) SessionTTL() time.Duration { return a.ttl }
