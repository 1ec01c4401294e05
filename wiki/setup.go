package wiki

import (
	"context"
	"fmt"
)

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
	a.nameCache().reset()
	return acct, nil
}

// ErrSetupDone is CheckSetup's answer once the wiki has its first
// account: the setup link was used. It is an ErrNotFound.
var ErrSetupDone = fmt.Errorf("setup is done already: %w", ErrNotFound)

// CheckSetup tells whether a setup link still works, to say at once
// when it does not: ErrNotFound (wrapped) if setup is done already or
// token is not the current link's.
func (a *Accounts) CheckSetup(ctx context.Context, token string) error {
	n, err := a.store.CountAccounts(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return ErrSetupDone
	}
	if token == "" || len(token) > 100 {
		return fmt.Errorf("setup link: %w", ErrNotFound)
	}
	ok, err := a.store.SetupTokenIs(ctx, SecretID(token))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("setup link: %w", ErrNotFound)
	}
	return nil
}
