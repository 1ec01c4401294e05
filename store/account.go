// Accounts, in accounts: the only place a password hash is stored. SignUp,
// which creates an account through a cohort's invite code, is here too.

package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// accountRecord is an account, the value under its username in accounts.
// It is the only place the password hash is stored.
type accountRecord struct {
	DisplayName     string `json:"display_name,omitempty"`
	Role            string `json:"role"` // by name, so the enum may be reordered
	Cohort          string `json:"cohort,omitempty"`
	Disabled        bool   `json:"disabled,omitempty"`
	PasswordHash    string `json:"password_hash,omitempty"`
	PasswordChanged *int64 `json:"password_changed,omitempty"` // Unix ns; nil if never
	Created         int64  `json:"created"`                    // Unix ns
}

// newAccountRecord returns the record of a, created at created (Unix ns).
// a must have passed validateAccount.
func newAccountRecord(a *wiki.Account, created int64) *accountRecord {
	rec := &accountRecord{
		DisplayName:  a.DisplayName,
		Role:         a.Role.String(),
		Cohort:       a.Cohort,
		Disabled:     a.Disabled,
		PasswordHash: a.PasswordHash,
		Created:      created,
	}
	if !a.PasswordChangedAt.IsZero() {
		at := nanos(a.PasswordChangedAt)
		rec.PasswordChanged = &at
	}
	return rec
}

// account returns the record as the wiki.Account named username.
func (r *accountRecord) account(username string) (*wiki.Account, error) {
	role, err := parseRole(r.Role)
	if err != nil {
		return nil, fmt.Errorf("decode account %q: %w", username, err)
	}
	a := &wiki.Account{
		Username:     username,
		DisplayName:  r.DisplayName,
		Role:         role,
		Cohort:       r.Cohort,
		Disabled:     r.Disabled,
		PasswordHash: r.PasswordHash,
		CreatedAt:    fromNanos(r.Created),
	}
	if r.PasswordChanged != nil {
		a.PasswordChangedAt = fromNanos(*r.PasswordChanged)
	}
	return a, nil
}

// parseRole reads a role stored by name. Unlike wiki.ParseRole it accepts
// "none": the store keeps what it is given, and judging roles is the
// domain's business.
func parseRole(s string) (wiki.Role, error) {
	if s == wiki.RoleNone.String() {
		return wiki.RoleNone, nil
	}
	for _, r := range wiki.Roles {
		if s == r.String() {
			return r, nil
		}
	}
	return wiki.RoleNone, fmt.Errorf("unknown role %q", s)
}

// CreateAccount stores a new account as given: the store never hashes
// passwords, it keeps a.PasswordHash. A zero a.CreatedAt becomes the
// clock's time, and on success a.CreatedAt is set to what was stored.
//
// It returns an error wrapping wiki.ErrConflict if the username is taken,
// and a *wiki.ValidationError if a cannot be stored (no username, a NUL
// byte in the username or cohort, an unknown role, a time outside
// 1678..2262). On any error nothing is written and a is unchanged.
func (db *DB) CreateAccount(ctx context.Context, a *wiki.Account) error {
	if a == nil {
		return errors.New("store: create account: nil account")
	}
	err := validateAccount(a)
	var created int64
	if err == nil {
		created, err = db.stamp(a.CreatedAt)
	}
	if err != nil {
		return fmt.Errorf("store: create account %q: %w", a.Username, err)
	}
	rec := newAccountRecord(a, created)
	err = db.updateAuth(ctx, func(tx *bbolt.Tx) error {
		return createAccount(ctx, tx, a.Username, rec)
	})
	if err != nil {
		return fmt.Errorf("store: create account %q: %w", a.Username, err)
	}
	a.CreatedAt = fromNanos(created)
	return nil
}

// SignUp creates the account a in the cohort whose invite code is code, in
// one transaction, and returns the cohort. It stores a like CreateAccount
// does, except that a.Cohort becomes the cohort's id; on success it sets
// a.Cohort and a.CreatedAt to what was stored.
//
// It returns an error wrapping wiki.ErrNotFound if no cohort has the
// invite code (the error does not repeat the code), one wrapping
// wiki.ErrConflict if the username is taken, and a *wiki.ValidationError
// if a cannot be stored. The code is checked first, so someone without a
// valid code cannot learn which usernames exist. On any error nothing is
// written and a is unchanged.
func (db *DB) SignUp(ctx context.Context, code string, a *wiki.Account) (*wiki.Cohort, error) {
	if a == nil {
		return nil, errors.New("store: sign up: nil account")
	}
	err := validateAccount(a)
	var created int64
	if err == nil {
		created, err = db.stamp(a.CreatedAt)
	}
	if err != nil {
		return nil, fmt.Errorf("store: sign up %q: %w", a.Username, err)
	}
	rec := newAccountRecord(a, created)
	var c *wiki.Cohort
	err = db.updateAuth(ctx, func(tx *bbolt.Tx) error {
		var err error
		if c, err = findCohortByInvite(ctx, tx, code); err != nil {
			return err
		}
		rec.Cohort = c.ID
		return createAccount(ctx, tx, a.Username, rec)
	})
	if err != nil {
		return nil, fmt.Errorf("store: sign up %q: %w", a.Username, err)
	}
	a.Cohort = c.ID
	a.CreatedAt = fromNanos(created)
	return c, nil
}

// Account returns the account username. It returns an error wrapping
// wiki.ErrNotFound if there is none, a *wiki.ValidationError if username
// is empty or has a NUL byte, and a plain error if the record cannot be
// read.
func (db *DB) Account(ctx context.Context, username string) (*wiki.Account, error) {
	if err := checkKey("username", username); err != nil {
		return nil, fmt.Errorf("store: account %q: %w", username, err)
	}
	var a *wiki.Account
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		var err error
		a, err = findAccount(ctx, tx, username)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: account %q: %w", username, err)
	}
	return a, nil
}

// Accounts returns every account, ordered by username. It returns an error
// only if the records cannot be read.
func (db *DB) Accounts(ctx context.Context) ([]*wiki.Account, error) {
	var accounts []*wiki.Account
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		var err error
		accounts, err = allAccounts(ctx, tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: accounts: %w", err)
	}
	return accounts, nil
}

// allAccounts returns every account in tx, ordered by username.
func allAccounts(ctx context.Context, tx *bbolt.Tx) ([]*wiki.Account, error) {
	accounts := []*wiki.Account{}
	b, err := bucket(tx, bucketAccounts)
	if err != nil {
		return nil, err
	}
	err = b.ForEach(func(k, v []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		a, err := decodeAccount(string(k), v)
		if err != nil {
			return err
		}
		accounts = append(accounts, a)
		return nil
	})
	return accounts, err
}

// UpdateAccount reads the account username, calls fn on a copy of it and
// stores the result, all in one transaction, and returns what was stored.
// A zero CreatedAt left by fn keeps the stored one.
//
// If fn returns an error, nothing is written and that error is returned
// as is, unwrapped. Otherwise it returns an error wrapping wiki.ErrNotFound
// if there is no such account, and a *wiki.ValidationError if fn changed
// the username or left an account that cannot be stored.
func (db *DB) UpdateAccount(ctx context.Context, username string, fn func(*wiki.Account) error) (*wiki.Account, error) {
	return db.UpdateAccountChecked(ctx, username, fn, nil)
}

// UpdateAccountChecked is UpdateAccount with a rule that spans accounts:
// after fn, check is called, still inside the transaction, with every
// account as it would be after the change (ordered by username), and its
// error aborts the change and is returned as is. Because bbolt runs one
// write transaction at a time, two changes made at once cannot both pass
// a check that only one of them may (two admins demoting each other). A
// nil check is UpdateAccount.
func (db *DB) UpdateAccountChecked(ctx context.Context, username string, fn func(*wiki.Account) error, check func(all []*wiki.Account) error) (*wiki.Account, error) {
	if err := checkKey("username", username); err != nil {
		return nil, fmt.Errorf("store: update account %q: %w", username, err)
	}
	var (
		out   *wiki.Account
		fnErr error
	)
	err := db.updateAuth(ctx, func(tx *bbolt.Tx) error {
		fnErr = nil
		a, err := findAccount(ctx, tx, username)
		if err != nil {
			return err
		}
		created := nanos(a.CreatedAt)
		if fnErr = fn(a); fnErr != nil {
			return fnErr
		}
		if a.Username != username {
			return wiki.Invalid("username", "cannot be changed")
		}
		if err := validateAccount(a); err != nil {
			return err
		}
		if !a.CreatedAt.IsZero() {
			created = nanos(a.CreatedAt)
		}
		rec := newAccountRecord(a, created)
		if err := putAccount(tx, username, rec); err != nil {
			return err
		}
		if out, err = rec.account(username); err != nil {
			return err
		}
		if check != nil {
			all, err := allAccounts(ctx, tx) // reads the record just put
			if err != nil {
				return err
			}
			if fnErr = check(all); fnErr != nil {
				return fnErr
			}
		}
		return nil
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("store: update account %q: %w", username, err)
	}
	return out, nil
}

// CountAccounts returns how many accounts exist. It returns an error only
// if the file cannot be read.
func (db *DB) CountAccounts(ctx context.Context) (int, error) {
	n := 0
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketAccounts)
		if err != nil {
			return err
		}
		// Accounts are few; counting keys never decodes a record.
		c := b.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: count accounts: %w", err)
	}
	return n, nil
}

// validateAccount checks, cheaply, what the store needs of an account to
// file it. The rules for usernames, display names and passwords belong to
// wiki (ParseUsername and friends).
func validateAccount(a *wiki.Account) error {
	v := &wiki.ValidationError{}
	addKeyProblem(v, "username", a.Username)
	if strings.IndexByte(a.Cohort, 0) >= 0 {
		v.Add("cohort", "contains a NUL byte")
	}
	if _, err := parseRole(a.Role.String()); err != nil {
		v.Add("role", "is not a role")
	}
	addTimeProblem(v, "created_at", a.CreatedAt)
	addTimeProblem(v, "password_changed_at", a.PasswordChangedAt)
	return validationResult(v)
}

// createAccount stores rec as the new account username, or returns
// wiki.ErrConflict if the username is taken.
func createAccount(ctx context.Context, tx *bbolt.Tx, username string, rec *accountRecord) error {
	b, err := bucket(tx, bucketAccounts)
	if err != nil {
		return err
	}
	if b.Get([]byte(username)) != nil {
		return &wiki.TakenError{What: "username"}
	}
	return putAccount(tx, username, rec)
}

// putAccount stores rec under username, replacing any earlier record.
func putAccount(tx *bbolt.Tx, username string, rec *accountRecord) error {
	b, err := bucket(tx, bucketAccounts)
	if err != nil {
		return err
	}
	return putJSON(b, []byte(username), rec)
}

// findAccount returns the account username, or wiki.ErrNotFound. Every call
// decodes a new value, so the caller may change it freely.
func findAccount(ctx context.Context, tx *bbolt.Tx, username string) (*wiki.Account, error) {
	b, err := bucket(tx, bucketAccounts)
	if err != nil {
		return nil, err
	}
	v := b.Get([]byte(username))
	if v == nil {
		return nil, wiki.ErrNotFound
	}
	return decodeAccount(username, v)
}

// decodeAccount decodes the accounts value of username. json.Unmarshal
// copies what it keeps, so the account is safe to use after the
// transaction.
func decodeAccount(username string, v []byte) (*wiki.Account, error) {
	var rec accountRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("decode account %q: %w", username, err)
	}
	return rec.account(username)
}
