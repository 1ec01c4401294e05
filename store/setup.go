// The one-time first-run setup token, whose hash is kept under
// metaSetupToken in the meta bucket while there is one.

package store

import (
	"context"
	"crypto/subtle"
	"fmt"

	"go.etcd.io/bbolt"
)

// PutSetupToken stores id, the hash of the one-time first-run setup token,
// replacing any earlier one. It returns a *wiki.ValidationError if id is
// empty or has a NUL byte.
func (db *DB) PutSetupToken(ctx context.Context, id string) error {
	if err := checkKey("id", id); err != nil {
		return fmt.Errorf("store: put setup token: %w", err)
	}
	err := db.updateAuth(ctx, func(tx *bbolt.Tx) error {
		meta, err := bucket(tx, bucketMeta)
		if err != nil {
			return err
		}
		return meta.Put(metaSetupToken, []byte(id))
	})
	if err != nil {
		return fmt.Errorf("store: put setup token: %w", err)
	}
	return nil
}

// TakeSetupToken consumes the setup token if id is its hash: it reports
// true and deletes it, in one transaction. It reports false, and keeps the
// token, if id does not match or there is none. The comparison takes the
// same time however much of id matches. It returns a
// *wiki.ValidationError if id is empty or has a NUL byte.
func (db *DB) TakeSetupToken(ctx context.Context, id string) (bool, error) {
	if err := checkKey("id", id); err != nil {
		return false, fmt.Errorf("store: take setup token: %w", err)
	}
	taken := false
	err := db.updateAuth(ctx, func(tx *bbolt.Tx) error {
		meta, err := bucket(tx, bucketMeta)
		if err != nil {
			return err
		}
		v := meta.Get(metaSetupToken)
		if v == nil || subtle.ConstantTimeCompare(v, []byte(id)) != 1 {
			return nil
		}
		if err := meta.Delete(metaSetupToken); err != nil {
			return err
		}
		taken = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: take setup token: %w", err)
	}
	return taken, nil
}

// SetupTokenIs reports whether id is the hash of the setup token waiting
// to be used, in constant time, without using it. It returns a
// *wiki.ValidationError if id is empty or has a NUL byte.
func (db *DB) SetupTokenIs(ctx context.Context, id string) (bool, error) {
	if err := checkKey("id", id); err != nil {
		return false, fmt.Errorf("store: check setup token: %w", err)
	}
	is := false
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		meta, err := bucket(tx, bucketMeta)
		if err != nil {
			return err
		}
		v := meta.Get(metaSetupToken)
		is = v != nil && subtle.ConstantTimeCompare(v, []byte(id)) == 1
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: check setup token: %w", err)
	}
	return is, nil
}
