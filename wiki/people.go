package wiki

import (
	"context"
	"strings"
)

// Adding people on the web: an admin names the person, their role and
// cohort, and gets a one-time link (the password reset machinery, see
// reset.go) for the person to choose their own password. Until they do,
// the account has no password and nobody can sign in to it.

// HasPassword reports whether the account has a password yet: an account
// an admin added has none until its person opens their link.
func (a *Account) HasPassword() bool { return a.PasswordHash != "" }

// AddPerson creates the account n describes (n.Password is ignored) with
// no password, and a one-time link for its person to choose one: it
// returns the account, the link's secret token and the reset. by is the
// admin who adds them. It returns a *ValidationError for a bad username,
// display name, role or cohort and ErrConflict when the username is
// taken; nothing is created then.
func (a *Accounts) AddPerson(ctx context.Context, n NewAccount, by string) (*Account, string, *PasswordReset, error) {
	v := &ValidationError{}
	username, err := ParseUsername(n.Username)
	if err != nil {
		v.Add("username", "%s", err.(*ValidationError).Fields["username"])
	}
	display, err := NormalizeDisplayName(n.DisplayName)
	if err != nil {
		v.Add("display_name", "%s", err.(*ValidationError).Fields["display_name"])
	}
	if n.Role < RoleReader || n.Role > RoleAdmin {
		v.Add("role", "must be one of reader, editor, trainer, admin")
	}
	n.Cohort = strings.TrimSpace(n.Cohort)
	if n.Cohort != "" {
		if _, err := a.store.Cohort(ctx, n.Cohort); err != nil {
			v.Add("cohort", "no cohort %q", n.Cohort)
		}
	}
	if err := v.orNil(); err != nil {
		return nil, "", nil, err
	}
	now := a.now().UTC()
	acct := &Account{Username: username, DisplayName: display, Role: n.Role, Cohort: n.Cohort, CreatedAt: now}
	if err := a.store.CreateAccount(ctx, acct); err != nil {
		return nil, "", nil, err
	}
	a.nameCache().reset()
	token, r, err := a.CreateReset(ctx, username, by)
	if err != nil {
		return acct, "", nil, err
	}
	return acct, token, r, nil
}

// Tokens lists username's API tokens, for their account page.
func (a *Accounts) Tokens(ctx context.Context, username string) ([]*Token, error) {
	return a.store.Tokens(ctx, strings.ToLower(username))
}

// RevokeOwnToken deletes the API token id of username. ErrNotFound if
// username has no such token (someone else's counts as none).
func (a *Accounts) RevokeOwnToken(ctx context.Context, username, id string) error {
	t, err := a.store.Token(ctx, id)
	if err != nil {
		return err
	}
	if t.Username != strings.ToLower(username) {
		return ErrNotFound
	}
	return a.store.DeleteToken(ctx, id)
}
