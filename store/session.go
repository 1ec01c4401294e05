// Sessions: signed-in browsers, in sessions, indexed by user in
// usersessions and by expiry time in sessionexpiry.
//
// Session ids are hashes of secrets (see wiki.Session), but an error
// message is no place for them either: the errors here name the user,
// never the id.

package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// sessionRecord is a signed-in browser, the value under its id in
// sessions. Its id is also in usersessions and sessionexpiry.
type sessionRecord struct {
	Username string `json:"username"`
	Created  int64  `json:"created"` // Unix ns
	Expires  int64  `json:"expires"` // Unix ns
}

// session returns the record as the wiki.Session id.
func (r *sessionRecord) session(id string) *wiki.Session {
	return &wiki.Session{
		ID:        id,
		Username:  r.Username,
		CreatedAt: fromNanos(r.Created),
		ExpiresAt: fromNanos(r.Expires),
	}
}

// CreateSession stores s for the existing account s.Username. A zero
// s.CreatedAt becomes the clock's time, and on success s.CreatedAt and
// s.ExpiresAt are set to what was stored (in UTC). A session is expired
// from s.ExpiresAt on.
//
// It returns an error wrapping wiki.ErrNotFound if there is no such
// account, one wrapping wiki.ErrConflict if a session with this id exists,
// and a *wiki.ValidationError if s cannot be stored (no id or username, a
// NUL byte in either, no ExpiresAt, a time outside 1678..2262). On any
// error nothing is written and s is unchanged.
func (db *DB) CreateSession(ctx context.Context, s *wiki.Session) error {
	if s == nil {
		return errors.New("store: create session: nil session")
	}
	v := &wiki.ValidationError{}
	addKeyProblem(v, "id", s.ID)
	addKeyProblem(v, "username", s.Username)
	if s.ExpiresAt.IsZero() {
		v.Add("expires_at", "is required")
	}
	addTimeProblem(v, "expires_at", s.ExpiresAt)
	addTimeProblem(v, "created_at", s.CreatedAt)
	err := validationResult(v)
	var created int64
	if err == nil {
		created, err = db.stamp(s.CreatedAt)
	}
	if err != nil {
		return fmt.Errorf("store: create session for %q: %w", s.Username, err)
	}
	rec := &sessionRecord{Username: s.Username, Created: created, Expires: nanos(s.ExpiresAt)}
	err = db.updateAuth(ctx, func(tx *bbolt.Tx) error {
		if _, err := findAccount(ctx, tx, s.Username); err != nil {
			return fmt.Errorf("account: %w", err)
		}
		b, err := openSessionBuckets(tx)
		if err != nil {
			return err
		}
		if b.sessions.Get([]byte(s.ID)) != nil {
			return fmt.Errorf("session id is taken: %w", wiki.ErrConflict)
		}
		if err := putJSON(b.sessions, []byte(s.ID), rec); err != nil {
			return err
		}
		if err := b.byUser.Put(userKey(s.Username, s.ID), empty); err != nil {
			return err
		}
		return b.byExpiry.Put(expiryKey(rec.Expires, s.ID), empty)
	})
	if err != nil {
		return fmt.Errorf("store: create session for %q: %w", s.Username, err)
	}
	s.CreatedAt, s.ExpiresAt = fromNanos(created), fromNanos(rec.Expires)
	return nil
}

// Session returns the session id. It returns an error wrapping
// wiki.ErrNotFound if there is none or it has expired by the clock's time,
// a *wiki.ValidationError if id is empty or has a NUL byte, and a plain
// error if the record cannot be read.
//
// It only reads: an expired session stays in the file until PruneSessions
// or a delete removes it.
func (db *DB) Session(ctx context.Context, id string) (*wiki.Session, error) {
	if err := checkKey("id", id); err != nil {
		return nil, fmt.Errorf("store: session: %w", err)
	}
	now := db.now()
	var s *wiki.Session
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketSessions)
		if err != nil {
			return err
		}
		rec, err := findSession(b, id)
		if err != nil {
			return err
		}
		if expired(rec, now) {
			return fmt.Errorf("expired: %w", wiki.ErrNotFound)
		}
		s = rec.session(id)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: session: %w", err)
	}
	return s, nil
}

// DeleteSession removes the session id; deleting one that does not exist
// is no error. It returns a *wiki.ValidationError if id is empty or has a
// NUL byte.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	if err := checkKey("id", id); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	err := db.updateAuth(ctx, func(tx *bbolt.Tx) error {
		b, err := openSessionBuckets(tx)
		if err != nil {
			return err
		}
		return deleteSession(b, id)
	})
	if err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteSessions removes every session of username except keep ("" to
// remove them all), as when a password changes. It reads only username's
// keys of usersessions. It returns a *wiki.ValidationError if username is
// empty or has a NUL byte; an unknown username is no error.
func (db *DB) DeleteSessions(ctx context.Context, username, keep string) error {
	if err := checkKey("username", username); err != nil {
		return fmt.Errorf("store: delete sessions of %q: %w", username, err)
	}
	err := db.updateAuth(ctx, func(tx *bbolt.Tx) error {
		b, err := openSessionBuckets(tx)
		if err != nil {
			return err
		}
		prefix := keyPrefix(username)
		var ids []string
		c := b.byUser.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if id := string(k[len(prefix):]); id != keep {
				ids = append(ids, id) // string() copies: the keys go away below
			}
		}
		for _, id := range ids {
			if err := deleteSession(b, id); err != nil {
				return err
			}
			// A usersessions key without its session would survive
			// deleteSession; remove it here so signing out everywhere
			// cannot be blocked by a broken index.
			if err := b.byUser.Delete(userKey(username, id)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: delete sessions of %q: %w", username, err)
	}
	return nil
}

// PruneSessions deletes every session that has expired by the clock's
// time, in one transaction, and returns how many it deleted. It reads only
// the expired keys of sessionexpiry, so the server may call it often. It
// returns an error only if the records cannot be read or written, and then
// deletes nothing.
func (db *DB) PruneSessions(ctx context.Context) (int, error) {
	now := db.now()
	n := 0
	err := db.updateAuth(ctx, func(tx *bbolt.Tx) error {
		b, err := openSessionBuckets(tx)
		if err != nil {
			return err
		}
		// Keys sort by expiry time; stop at the first that is still live.
		end := timeKey(nanos(clampTime(now)))
		var ids []string
		c := b.byExpiry.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if len(k) <= 8 {
				return fmt.Errorf("corrupt sessionexpiry key %q", k)
			}
			if binary.BigEndian.Uint64(k[:8]) > end {
				break
			}
			ids = append(ids, string(k[8:])) // string() copies: the keys go away below
		}
		for _, id := range ids {
			if err := deleteSession(b, id); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: prune sessions: %w", err)
	}
	return n, nil
}

// clampTime returns t, or the nearest time that can be stored.
func clampTime(t time.Time) time.Time {
	switch {
	case t.Before(minTime):
		return minTime
	case t.After(maxTime):
		return maxTime
	}
	return t
}

// expired reports whether the session rec has expired at now: a session
// ends at its ExpiresAt.
func expired(rec *sessionRecord, now time.Time) bool {
	return !fromNanos(rec.Expires).After(now)
}

// sessionBuckets holds the buckets a session write touches.
type sessionBuckets struct {
	sessions, byUser, byExpiry *bbolt.Bucket
}

// openSessionBuckets returns the session buckets of tx.
func openSessionBuckets(tx *bbolt.Tx) (*sessionBuckets, error) {
	var b sessionBuckets
	var err error
	if b.sessions, err = bucket(tx, bucketSessions); err != nil {
		return nil, err
	}
	if b.byUser, err = bucket(tx, bucketUserSessions); err != nil {
		return nil, err
	}
	if b.byExpiry, err = bucket(tx, bucketSessionExpiry); err != nil {
		return nil, err
	}
	return &b, nil
}

// findSession returns the record of session id in sessions, or
// wiki.ErrNotFound.
func findSession(sessions *bbolt.Bucket, id string) (*sessionRecord, error) {
	v := sessions.Get([]byte(id))
	if v == nil {
		return nil, wiki.ErrNotFound
	}
	var rec sessionRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("decode session: %w", err)
	}
	return &rec, nil
}

// deleteSession removes session id and its index keys, if it exists.
func deleteSession(b *sessionBuckets, id string) error {
	rec, err := findSession(b.sessions, id)
	switch {
	case errors.Is(err, wiki.ErrNotFound):
		return nil
	case err != nil:
		return err
	}
	if err := b.byUser.Delete(userKey(rec.Username, id)); err != nil {
		return err
	}
	if err := b.byExpiry.Delete(expiryKey(rec.Expires, id)); err != nil {
		return err
	}
	return b.sessions.Delete([]byte(id))
}
