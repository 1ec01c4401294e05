package wiki

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Token is an API token for scripts and integrations.
type Token struct {
	ID        string // hex SHA-256 of the token
	Name      string // what it is for, e.g. "import script"
	Username  string
	CreatedAt time.Time
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

// TokenUser returns the user of an API token (Authorization: Bearer).
func (a *Accounts) TokenUser(ctx context.Context, token string) (*User, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrUnauthorized
	}
	key := newAuthKey('t', token)
	now := a.now()
	if u, _, ok := a.cachedAuth(key, now); ok {
		return u, nil
	}
	v, _ := a.version()
	t, err := a.store.Token(ctx, key.id())
	if errors.Is(err, ErrNotFound) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, err
	}
	u, err := a.activeUser(ctx, t.Username)
	if err == nil {
		a.cacheAuth(key, v, u, nil, now)
	}
	return u, err
}
