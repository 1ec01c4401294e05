// Cohorts, in cohorts, with their invite codes indexed in invites. The
// changes of a cohort are in changeindex.go, what they add up to in
// cohorttotals.go.

package store

import (
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

// cohortRecord is a cohort, the value under its id in cohorts. The invite
// code is also a key of invites, which maps it back to the id.
type cohortRecord struct {
	Name       string   `json:"name"`
	StartsOn   *int64   `json:"starts_on,omitempty"` // Unix ns; nil if not set
	Trainers   []string `json:"trainers,omitempty"`
	InviteCode string   `json:"invite_code,omitempty"` // "": no sign-up by invite
	Created    int64    `json:"created"`               // Unix ns
}

// newCohortRecord returns the record of c, created at created (Unix ns).
// c must have passed validateCohort.
func newCohortRecord(c *wiki.Cohort, created int64) *cohortRecord {
	rec := &cohortRecord{
		Name:       c.Name,
		Trainers:   c.Trainers,
		InviteCode: c.InviteCode,
		Created:    created,
	}
	if !c.StartsOn.IsZero() {
		at := nanos(c.StartsOn)
		rec.StartsOn = &at
	}
	return rec
}

// cohort returns the record as the wiki.Cohort id.
func (r *cohortRecord) cohort(id string) *wiki.Cohort {
	c := &wiki.Cohort{
		ID:         id,
		Name:       r.Name,
		Trainers:   r.Trainers,
		InviteCode: r.InviteCode,
		CreatedAt:  fromNanos(r.Created),
	}
	if r.StartsOn != nil {
		c.StartsOn = fromNanos(*r.StartsOn)
	}
	return c
}

// CreateCohort stores a new cohort. A zero c.CreatedAt becomes the clock's
// time, and on success c.CreatedAt is set to what was stored. An empty
// c.InviteCode means nobody can sign up into the cohort by invite.
//
// It returns an error wrapping wiki.ErrConflict if the id or the invite
// code is taken (the error does not repeat the code), and a
// *wiki.ValidationError if c cannot be stored (no id, a NUL byte in the id
// or code, a time outside 1678..2262). On any error nothing is written and
// c is unchanged.
func (db *DB) CreateCohort(ctx context.Context, c *wiki.Cohort) error {
	if c == nil {
		return errors.New("store: create cohort: nil cohort")
	}
	err := validateCohort(c)
	var created int64
	if err == nil {
		created, err = db.stamp(c.CreatedAt)
	}
	if err != nil {
		return fmt.Errorf("store: create cohort %q: %w", c.ID, err)
	}
	rec := newCohortRecord(c, created)
	err = db.update(ctx, func(tx *bbolt.Tx) error {
		cohorts, err := bucket(tx, bucketCohorts)
		if err != nil {
			return err
		}
		if cohorts.Get([]byte(c.ID)) != nil {
			return &wiki.TakenError{What: "cohort name"}
		}
		if err := moveInvite(tx, c.ID, "", c.InviteCode); err != nil {
			return err
		}
		return putJSON(cohorts, []byte(c.ID), rec)
	})
	if err != nil {
		return fmt.Errorf("store: create cohort %q: %w", c.ID, err)
	}
	c.CreatedAt = fromNanos(created)
	return nil
}

// Cohort returns the cohort id. It returns an error wrapping
// wiki.ErrNotFound if there is none, a *wiki.ValidationError if id is
// empty or has a NUL byte, and a plain error if the record cannot be read.
func (db *DB) Cohort(ctx context.Context, id string) (*wiki.Cohort, error) {
	if err := checkKey("id", id); err != nil {
		return nil, fmt.Errorf("store: cohort %q: %w", id, err)
	}
	var c *wiki.Cohort
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		var err error
		c, err = findCohort(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: cohort %q: %w", id, err)
	}
	return c, nil
}

// Cohorts returns every cohort, earliest StartsOn first (cohorts without
// a start date first of all), then by id. It returns an error only if the
// records cannot be read.
func (db *DB) Cohorts(ctx context.Context) ([]*wiki.Cohort, error) {
	cohorts := []*wiki.Cohort{}
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketCohorts)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			c, err := decodeCohort(string(k), v)
			if err != nil {
				return err
			}
			cohorts = append(cohorts, c)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: cohorts: %w", err)
	}
	slices.SortFunc(cohorts, func(a, b *wiki.Cohort) int {
		return cmp.Or(a.StartsOn.Compare(b.StartsOn), strings.Compare(a.ID, b.ID))
	})
	return cohorts, nil
}

// UpdateCohort reads the cohort id, calls fn on a copy of it and stores
// the result, all in one transaction, and returns what was stored. If fn
// changed the invite code, the old code stops working and the new one
// starts; "" turns sign-up by invite off. A zero CreatedAt left by fn keeps
// the stored one.
//
// If fn returns an error, nothing is written and that error is returned
// as is, unwrapped. Otherwise it returns an error wrapping wiki.ErrNotFound
// if there is no such cohort, one wrapping wiki.ErrConflict if the new
// invite code belongs to another cohort, and a *wiki.ValidationError if fn
// changed the id or left a cohort that cannot be stored.
func (db *DB) UpdateCohort(ctx context.Context, id string, fn func(*wiki.Cohort) error) (*wiki.Cohort, error) {
	if err := checkKey("id", id); err != nil {
		return nil, fmt.Errorf("store: update cohort %q: %w", id, err)
	}
	var (
		out   *wiki.Cohort
		fnErr error
	)
	err := db.update(ctx, func(tx *bbolt.Tx) error {
		c, err := findCohort(ctx, tx, id)
		if err != nil {
			return err
		}
		created, oldCode := nanos(c.CreatedAt), c.InviteCode
		if fnErr = fn(c); fnErr != nil {
			return fnErr
		}
		if c.ID != id {
			return wiki.Invalid("id", "cannot be changed")
		}
		if err := validateCohort(c); err != nil {
			return err
		}
		if !c.CreatedAt.IsZero() {
			created = nanos(c.CreatedAt)
		}
		if err := moveInvite(tx, id, oldCode, c.InviteCode); err != nil {
			return err
		}
		cohorts, err := bucket(tx, bucketCohorts)
		if err != nil {
			return err
		}
		rec := newCohortRecord(c, created)
		if err := putJSON(cohorts, []byte(id), rec); err != nil {
			return err
		}
		out = rec.cohort(id)
		return nil
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("store: update cohort %q: %w", id, err)
	}
	return out, nil
}

// validateCohort checks, cheaply, what the store needs of a cohort to file
// it. The rules for ids and names belong to wiki (ParseCohortID).
func validateCohort(c *wiki.Cohort) error {
	v := &wiki.ValidationError{}
	addKeyProblem(v, "id", c.ID)
	if strings.IndexByte(c.InviteCode, 0) >= 0 {
		v.Add("invite_code", "contains a NUL byte")
	}
	addTimeProblem(v, "starts_on", c.StartsOn)
	addTimeProblem(v, "created_at", c.CreatedAt)
	return validationResult(v)
}

// moveInvite points the invites index at cohort id for code instead of
// old: it removes old and adds code ("" for none). It returns
// wiki.ErrConflict if code belongs to another cohort.
func moveInvite(tx *bbolt.Tx, id, old, code string) error {
	if old == code {
		return nil
	}
	invites, err := bucket(tx, bucketInvites)
	if err != nil {
		return err
	}
	if code != "" {
		if owner := invites.Get([]byte(code)); owner != nil && string(owner) != id {
			return &wiki.TakenError{What: "invite code"}
		}
		if err := invites.Put([]byte(code), []byte(id)); err != nil {
			return err
		}
	}
	if old != "" {
		return invites.Delete([]byte(old))
	}
	return nil
}

// findCohort returns the cohort id, or wiki.ErrNotFound. Every call decodes
// a new value, so the caller may change it freely.
func findCohort(ctx context.Context, tx *bbolt.Tx, id string) (*wiki.Cohort, error) {
	b, err := bucket(tx, bucketCohorts)
	if err != nil {
		return nil, err
	}
	v := b.Get([]byte(id))
	if v == nil {
		return nil, wiki.ErrNotFound
	}
	return decodeCohort(id, v)
}

// findCohortByInvite returns the cohort whose invite code is code, or
// wiki.ErrNotFound. Its errors never repeat the code, which is a secret.
func findCohortByInvite(ctx context.Context, tx *bbolt.Tx, code string) (*wiki.Cohort, error) {
	notFound := fmt.Errorf("no cohort has this invite code: %w", wiki.ErrNotFound)
	if code == "" {
		return nil, notFound
	}
	invites, err := bucket(tx, bucketInvites)
	if err != nil {
		return nil, err
	}
	v := invites.Get([]byte(code))
	if v == nil {
		return nil, notFound
	}
	id := string(v)
	c, err := findCohort(ctx, tx, id)
	switch {
	case errors.Is(err, wiki.ErrNotFound):
		return nil, fmt.Errorf("invites index names cohort %q, which does not exist", id)
	case err != nil:
		return nil, err
	case c.InviteCode != code:
		return nil, fmt.Errorf("invites index names cohort %q, which has another code", id)
	}
	return c, nil
}

// decodeCohort decodes the cohorts value of id. json.Unmarshal copies what
// it keeps, so the cohort is safe to use after the transaction.
func decodeCohort(id string, v []byte) (*wiki.Cohort, error) {
	var rec cohortRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("decode cohort %q: %w", id, err)
	}
	return rec.cohort(id), nil
}
