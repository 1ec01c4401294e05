// One-time password reset links, in resets by the hash of their token,
// with the one live reset of each account in userresets.
//
// Like API tokens, reset ids are hashes of secrets, and the errors here
// name the user, never the id.

package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// resetRecord is a password reset, the value under its id in resets.
type resetRecord struct {
	Username  string `json:"username"`
	CreatedBy string `json:"created_by,omitempty"`
	Created   int64  `json:"created"` // Unix ns
	Expires   int64  `json:"expires"` // Unix ns
}

func (r *resetRecord) reset(id string) *wiki.PasswordReset {
	return &wiki.PasswordReset{ID: id, Username: r.Username, CreatedBy: r.CreatedBy,
		CreatedAt: fromNanos(r.Created), ExpiresAt: fromNanos(r.Expires)}
}

// PutPasswordReset stores r for the existing account r.Username, in one
// transaction that also removes the account's earlier reset (one link per
// account works at a time) and every expired reset of anyone. It returns
// an error wrapping wiki.ErrNotFound if there is no such account, one
// wrapping wiki.ErrConflict if a reset with this id exists, and a
// *wiki.ValidationError if r cannot be stored.
func (db *DB) PutPasswordReset(ctx context.Context, r *wiki.PasswordReset) error {
	if r == nil {
		return errors.New("store: put password reset: nil reset")
	}
	v := &wiki.ValidationError{}
	addKeyProblem(v, "id", r.ID)
	addKeyProblem(v, "username", r.Username)
	addTimeProblem(v, "created_at", r.CreatedAt)
	if r.ExpiresAt.IsZero() || !timeInRange(r.ExpiresAt) {
		v.Add("expires_at", "is missing or outside the years 1678 to 2262")
	}
	err := validationResult(v)
	var created int64
	if err == nil {
		created, err = db.stamp(r.CreatedAt)
	}
	if err != nil {
		return fmt.Errorf("store: put password reset for %q: %w", r.Username, err)
	}
	rec := &resetRecord{Username: r.Username, CreatedBy: r.CreatedBy, Created: created, Expires: nanos(r.ExpiresAt)}
	err = db.updateAuth(ctx, func(tx *bbolt.Tx) error {
		if _, err := findAccount(ctx, tx, r.Username); err != nil {
			return fmt.Errorf("account: %w", err)
		}
		resets, byUser, err := resetBuckets(tx)
		if err != nil {
			return err
		}
		if resets.Get([]byte(r.ID)) != nil {
			return fmt.Errorf("reset id is taken: %w", wiki.ErrConflict)
		}
		if err := pruneResets(resets, byUser, nanos(db.now())); err != nil {
			return err
		}
		if old := byUser.Get([]byte(r.Username)); old != nil {
			if err := resets.Delete(old); err != nil {
				return err
			}
		}
		if err := putJSON(resets, []byte(r.ID), rec); err != nil {
			return err
		}
		return byUser.Put([]byte(r.Username), []byte(r.ID))
	})
	if err != nil {
		return fmt.Errorf("store: put password reset for %q: %w", r.Username, err)
	}
	r.CreatedAt = fromNanos(created)
	return nil
}

// PasswordReset returns the reset id, expired or not. It returns an error
// wrapping wiki.ErrNotFound if there is none, and a *wiki.ValidationError
// if id is empty or has a NUL byte.
func (db *DB) PasswordReset(ctx context.Context, id string) (*wiki.PasswordReset, error) {
	if err := checkKey("id", id); err != nil {
		return nil, fmt.Errorf("store: password reset: %w", err)
	}
	var r *wiki.PasswordReset
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		resets, _, err := resetBuckets(tx)
		if err != nil {
			return err
		}
		rec, err := findReset(resets, id)
		if err != nil {
			return err
		}
		r = rec.reset(id)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: password reset: %w", err)
	}
	return r, nil
}

// UsePasswordReset deletes the reset id and applies fn to its account, in
// one transaction, and returns the account as stored. It returns an error
// wrapping wiki.ErrNotFound if there is no such reset or it expired at or
// before now (an expired one is deleted), and fn's error as is, with
// nothing changed, when fn fails.
func (db *DB) UsePasswordReset(ctx context.Context, id string, now time.Time, fn func(*wiki.Account) error) (*wiki.Account, error) {
	if err := checkKey("id", id); err != nil {
		return nil, fmt.Errorf("store: use password reset: %w", err)
	}
	var (
		out     *wiki.Account
		fnErr   error
		expired bool
	)
	err := db.updateAuth(ctx, func(tx *bbolt.Tx) error {
		fnErr, expired = nil, false
		resets, byUser, err := resetBuckets(tx)
		if err != nil {
			return err
		}
		rec, err := findReset(resets, id)
		if err != nil {
			return err
		}
		if err := resets.Delete([]byte(id)); err != nil {
			return err
		}
		if string(byUser.Get([]byte(rec.Username))) == id {
			if err := byUser.Delete([]byte(rec.Username)); err != nil {
				return err
			}
		}
		if !now.Before(fromNanos(rec.Expires)) {
			expired = true // commit the deletion, answer not found
			return nil
		}
		a, err := findAccount(ctx, tx, rec.Username)
		if err != nil {
			return err
		}
		if fnErr = fn(a); fnErr != nil {
			return fnErr
		}
		if a.Username != rec.Username {
			return wiki.Invalid("username", "cannot be changed")
		}
		if err := validateAccount(a); err != nil {
			return err
		}
		r := newAccountRecord(a, nanos(a.CreatedAt))
		if err := putAccount(tx, a.Username, r); err != nil {
			return err
		}
		out, err = r.account(a.Username)
		return err
	})
	switch {
	case fnErr != nil:
		return nil, fnErr
	case err != nil:
		return nil, fmt.Errorf("store: use password reset: %w", err)
	case expired:
		return nil, fmt.Errorf("store: use password reset: expired: %w", wiki.ErrNotFound)
	}
	return out, nil
}

func resetBuckets(tx *bbolt.Tx) (resets, byUser *bbolt.Bucket, err error) {
	if resets, err = bucket(tx, bucketResets); err != nil {
		return nil, nil, err
	}
	if byUser, err = bucket(tx, bucketUserResets); err != nil {
		return nil, nil, err
	}
	return resets, byUser, nil
}

// findReset returns the record of reset id, or wiki.ErrNotFound.
func findReset(resets *bbolt.Bucket, id string) (*resetRecord, error) {
	v := resets.Get([]byte(id))
	if v == nil {
		return nil, wiki.ErrNotFound
	}
	var rec resetRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("decode password reset: %w", err)
	}
	return &rec, nil
}

// pruneResets deletes every reset that expired at or before now. Resets
// are few (one per account at most), so a scan is cheap.
func pruneResets(resets, byUser *bbolt.Bucket, now int64) error {
	var stale [][]byte
	err := resets.ForEach(func(k, v []byte) error {
		var rec resetRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("decode password reset: %w", err)
		}
		if rec.Expires <= now {
			stale = append(stale, append([]byte(nil), k...))
			if string(byUser.Get([]byte(rec.Username))) == string(k) {
				if err := byUser.Delete([]byte(rec.Username)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range stale {
		if err := resets.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
