// Feed tokens, in feedtokens (token id -> username) and userfeedtokens
// (username -> token id): at most one per person, replaced as a whole.

package store

import (
	"context"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// PutFeedToken makes id username's feed token, deleting their previous
// one in the same transaction. A *wiki.ValidationError for an empty
// username or id.
func (db *DB) PutFeedToken(ctx context.Context, username, id string) error {
	v := &wiki.ValidationError{}
	addKeyProblem(v, "username", username)
	addKeyProblem(v, "id", id)
	if err := validationResult(v); err != nil {
		return fmt.Errorf("store: feed token: %w", err)
	}
	err := db.update(ctx, func(tx *bbolt.Tx) error {
		byID, err := bucket(tx, bucketFeedTokens)
		if err != nil {
			return err
		}
		byUser, err := bucket(tx, bucketUserFeedTokens)
		if err != nil {
			return err
		}
		if old := byUser.Get([]byte(username)); old != nil {
			if err := byID.Delete(old); err != nil {
				return err
			}
		}
		if err := byID.Put([]byte(id), []byte(username)); err != nil {
			return err
		}
		return byUser.Put([]byte(username), []byte(id))
	})
	if err != nil {
		return fmt.Errorf("store: feed token of %q: %w", username, err)
	}
	return nil
}

// FeedTokenOwner returns the username whose feed token has id, or an
// error wrapping wiki.ErrNotFound.
func (db *DB) FeedTokenOwner(ctx context.Context, id string) (string, error) {
	var name string
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		byID, err := bucket(tx, bucketFeedTokens)
		if err != nil {
			return err
		}
		v := byID.Get([]byte(id))
		if v == nil || id == "" {
			return wiki.ErrNotFound
		}
		name = string(v)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("store: feed token: %w", err)
	}
	return name, nil
}
