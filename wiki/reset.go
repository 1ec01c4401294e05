package wiki

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Account recovery without e-mail: an admin (on the web, or with
// "faqwiki user reset NAME" on the server) makes a one-time link and hands
// it to the person, who opens it and chooses a new password. The link's
// token is stored only as its hash (SecretID, like sessions and API
// tokens), works once, and expires.

// DefaultResetTTL is how long a password reset link works.
const DefaultResetTTL = 24 * time.Hour

// PasswordReset is a one-time permission to set an account's password.
type PasswordReset struct {
	ID        string // SecretID of the link's token
	Username  string
	CreatedBy string // who made it: an admin's username, or "faqwiki" for the command line
	CreatedAt time.Time
	ExpiresAt time.Time
}

// CreateReset makes a one-time password reset link for username and
// returns its secret token (shown once: the caller builds the link) with
// the reset. An earlier link of the same account stops working. It returns
// ErrNotFound if there is no such account and a *ValidationError if the
// account is disabled (enable it first, so the new password can be used).
func (a *Accounts) CreateReset(ctx context.Context, username, by string) (string, *PasswordReset, error) {
	acct, err := a.store.Account(ctx, strings.ToLower(username))
	if err != nil {
		return "", nil, err
	}
	if acct.Disabled {
		return "", nil, Invalid("username", "%s is disabled; enable the account first", acct.Username)
	}
	token, id := newSecret()
	now := a.now().UTC()
	r := &PasswordReset{ID: id, Username: acct.Username, CreatedBy: by, CreatedAt: now, ExpiresAt: now.Add(a.resetTTL)}
	if err := a.store.PutPasswordReset(ctx, r); err != nil {
		return "", nil, err
	}
	return token, r, nil
}

// errResetLink is what a wrong, used or expired reset link gives: one
// error for all three, so the answer says nothing about which.
var errResetLink = fmt.Errorf("password reset link: %w", ErrNotFound)

// CheckReset returns the reset of a link's token, to show the form. A
// wrong, used or expired token is ErrNotFound.
func (a *Accounts) CheckReset(ctx context.Context, token string) (*PasswordReset, error) {
	if token == "" || len(token) > 100 {
		return nil, errResetLink
	}
	r, err := a.store.PasswordReset(ctx, SecretID(token))
	if errors.Is(err, ErrNotFound) || err == nil && !a.now().Before(r.ExpiresAt) {
		return nil, errResetLink
	}
	return r, err
}

// CompleteReset sets the password of the account of a reset link's token
// and uses the link up, in one transaction, then ends every session of the
// account. A wrong, used or expired token is ErrNotFound, and a password
// that breaks the rules a *ValidationError (the link keeps working then).
func (a *Accounts) CompleteReset(ctx context.Context, token, password string) (*Account, error) {
	r, err := a.CheckReset(ctx, token)
	if err != nil {
		return nil, err
	}
	if err := ValidatePassword(password, r.Username); err != nil {
		return nil, err
	}
	hash, err := a.hash(ctx, password)
	if err != nil {
		return nil, err
	}
	acct, err := a.store.UsePasswordReset(ctx, r.ID, a.now(), func(acct *Account) error {
		if acct.Disabled {
			return errResetLink
		}
		acct.PasswordHash = hash
		acct.PasswordChangedAt = a.now().UTC()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return acct, a.store.DeleteSessions(ctx, acct.Username, "")
}
