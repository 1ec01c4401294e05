// API tokens for scripts and integrations, in tokens, indexed by user in
// usertokens.
//
// Token ids are hashes of secrets (see wiki.Token), but an error message is
// no place for them either: the errors here name the user, never the id.

package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// tokenRecord is an API token, the value under its id in tokens. Its id is
// also in usertokens.
type tokenRecord struct {
	Name     string `json:"name"`
	Username string `json:"username"`
	Created  int64  `json:"created"` // Unix ns
}

// token returns the record as the wiki.Token id.
func (r *tokenRecord) token(id string) *wiki.Token {
	return &wiki.Token{ID: id, Name: r.Name, Username: r.Username, CreatedAt: fromNanos(r.Created)}
}

// CreateToken stores the API token t for the existing account t.Username.
// A zero t.CreatedAt becomes the clock's time, and on success t.CreatedAt
// is set to what was stored.
//
// It returns an error wrapping wiki.ErrNotFound if there is no such
// account, one wrapping wiki.ErrConflict if a token with this id exists,
// and a *wiki.ValidationError if t cannot be stored (no id or username, a
// NUL byte in either, a time outside 1678..2262). On any error nothing is
// written and t is unchanged.
func (db *DB) CreateToken(ctx context.Context, t *wiki.Token) error {
	if t == nil {
		return errors.New("store: create token: nil token")
	}
	v := &wiki.ValidationError{}
	addKeyProblem(v, "id", t.ID)
	addKeyProblem(v, "username", t.Username)
	addTimeProblem(v, "created_at", t.CreatedAt)
	err := validationResult(v)
	var created int64
	if err == nil {
		created, err = db.stamp(t.CreatedAt)
	}
	if err != nil {
		return fmt.Errorf("store: create token for %q: %w", t.Username, err)
	}
	rec := &tokenRecord{Name: t.Name, Username: t.Username, Created: created}
	err = db.updateAuth(ctx, func(tx *bbolt.Tx) error {
		if _, err := findAccount(ctx, tx, t.Username); err != nil {
			return fmt.Errorf("account: %w", err)
		}
		tokens, err := bucket(tx, bucketTokens)
		if err != nil {
			return err
		}
		byUser, err := bucket(tx, bucketUserTokens)
		if err != nil {
			return err
		}
		if tokens.Get([]byte(t.ID)) != nil {
			return fmt.Errorf("token id is taken: %w", wiki.ErrConflict)
		}
		if err := putJSON(tokens, []byte(t.ID), rec); err != nil {
			return err
		}
		return byUser.Put(userKey(t.Username, t.ID), empty)
	})
	if err != nil {
		return fmt.Errorf("store: create token for %q: %w", t.Username, err)
	}
	t.CreatedAt = fromNanos(created)
	return nil
}

// Token returns the API token id. It returns an error wrapping
// wiki.ErrNotFound if there is none, a *wiki.ValidationError if id is
// empty or has a NUL byte, and a plain error if the record cannot be read.
func (db *DB) Token(ctx context.Context, id string) (*wiki.Token, error) {
	if err := checkKey("id", id); err != nil {
		return nil, fmt.Errorf("store: token: %w", err)
	}
	var t *wiki.Token
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		var err error
		t, err = findToken(tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: token: %w", err)
	}
	return t, nil
}

// Tokens lists the API tokens of username, or everyone's if username is
// "", ordered by username and then oldest first. A user's tokens are read
// through usertokens, not by scanning every token. It returns a
// *wiki.ValidationError if username has a NUL byte, and a plain error if
// the records cannot be read.
func (db *DB) Tokens(ctx context.Context, username string) ([]*wiki.Token, error) {
	if strings.IndexByte(username, 0) >= 0 {
		return nil, fmt.Errorf("store: tokens of %q: %w", username, wiki.Invalid("username", "contains a NUL byte"))
	}
	tokens := []*wiki.Token{}
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		if username == "" {
			b, err := bucket(tx, bucketTokens)
			if err != nil {
				return err
			}
			return b.ForEach(func(k, v []byte) error {
				t, err := decodeToken(string(k), v)
				if err != nil {
					return err
				}
				tokens = append(tokens, t)
				return nil
			})
		}
		byUser, err := bucket(tx, bucketUserTokens)
		if err != nil {
			return err
		}
		prefix := keyPrefix(username)
		c := byUser.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			t, err := findToken(tx, string(k[len(prefix):]))
			switch {
			case errors.Is(err, wiki.ErrNotFound):
				return fmt.Errorf("usertokens index names a token of %q that does not exist", username)
			case err != nil:
				return err
			}
			tokens = append(tokens, t)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: tokens of %q: %w", username, err)
	}
	slices.SortFunc(tokens, func(a, b *wiki.Token) int {
		return cmp.Or(strings.Compare(a.Username, b.Username), a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return tokens, nil
}

// DeleteToken removes the API token id. It returns an error wrapping
// wiki.ErrNotFound if there is none, and a *wiki.ValidationError if id is
// empty or has a NUL byte.
func (db *DB) DeleteToken(ctx context.Context, id string) error {
	if err := checkKey("id", id); err != nil {
		return fmt.Errorf("store: delete token: %w", err)
	}
	err := db.updateAuth(ctx, func(tx *bbolt.Tx) error {
		t, err := findToken(tx, id)
		if err != nil {
			return err
		}
		tokens, err := bucket(tx, bucketTokens)
		if err != nil {
			return err
		}
		byUser, err := bucket(tx, bucketUserTokens)
		if err != nil {
			return err
		}
		if err := byUser.Delete(userKey(t.Username, id)); err != nil {
			return err
		}
		return tokens.Delete([]byte(id))
	})
	if err != nil {
		return fmt.Errorf("store: delete token: %w", err)
	}
	return nil
}

// findToken returns the API token id, or wiki.ErrNotFound.
func findToken(tx *bbolt.Tx, id string) (*wiki.Token, error) {
	b, err := bucket(tx, bucketTokens)
	if err != nil {
		return nil, err
	}
	v := b.Get([]byte(id))
	if v == nil {
		return nil, wiki.ErrNotFound
	}
	return decodeToken(id, v)
}

// decodeToken decodes the tokens value of id. json.Unmarshal copies what
// it keeps, so the token is safe to use after the transaction.
func decodeToken(id string, v []byte) (*wiki.Token, error) {
	var rec tokenRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("decode token: %w", err)
	}
	return rec.token(id), nil
}
