package wiki

import (
	"context"
	"errors"
)

// Feed tokens: Atom feeds are read by feed readers and chat integrations,
// which have no cookie and should not hold an API token that can edit. A
// feed token is a per-person secret put in a feed's URL (?token=) that
// opens that person's feeds and nothing else. Each person has at most one:
// making a new one revokes the old.

// FeedTokenStore is what the accounts service needs to keep feed tokens.
// Only the SHA-256 of a token (SecretID) is stored.
type FeedTokenStore interface {
	// PutFeedToken makes id username's feed token, replacing (and so
	// revoking) any earlier one, in one transaction.
	PutFeedToken(ctx context.Context, username, id string) error
	// FeedTokenOwner returns the username whose feed token has id, or
	// ErrNotFound.
	FeedTokenOwner(ctx context.Context, id string) (string, error)
}

// NewFeedToken makes a new feed token for username and returns it; it is
// shown once and never stored. The person's previous feed token stops
// working. ErrNotFound if there is no such account.
func (a *Accounts) NewFeedToken(ctx context.Context, username string) (string, error) {
	acct, err := a.store.Account(ctx, username)
	if err != nil {
		return "", err
	}
	token, id := newSecret()
	if err := a.store.PutFeedToken(ctx, acct.Username, id); err != nil {
		return "", err
	}
	return token, nil
}

// FeedTokenUser returns the person whose feed token this is, as a reader
// at most: a feed token opens feeds, which show what a reader may see, and
// it must never lend its holder more. ErrUnauthorized if the token is
// unknown, revoked, or its account disabled or without the reader role.
func (a *Accounts) FeedTokenUser(ctx context.Context, token string) (*User, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrUnauthorized
	}
	name, err := a.store.FeedTokenOwner(ctx, SecretID(token))
	if errors.Is(err, ErrNotFound) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, err
	}
	u, err := a.activeUser(ctx, name)
	if err != nil {
		return nil, err
	}
	if !u.Has(RoleReader) {
		return nil, ErrUnauthorized
	}
	u.Role = RoleReader
	return u, nil
}
