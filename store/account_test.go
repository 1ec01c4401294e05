// Tests of accounts, and helpers other tests share: a clock moved by hand,
// accounts, and snapshots of the whole file.

package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// testClock is a clock that tests move by hand.
type testClock struct{ now time.Time }

func (c *testClock) Now() time.Time { return c.now }

// mustOpenClock opens a store in a new temporary folder whose clock is c.
func mustOpenClock(tb testing.TB, c *testClock) *DB {
	tb.Helper()
	db, err := Open(filepath.Join(tb.TempDir(), "faqwiki.db"), Options{Timeout: 100 * time.Millisecond, Clock: c.Now})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

// newAccount returns an editor account named username.
func newAccount(username string) *wiki.Account {
	return &wiki.Account{
		Username:     username,
		DisplayName:  strings.ToUpper(username[:1]) + username[1:],
		Role:         wiki.RoleEditor,
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$" + username + "-hash",
	}
}

// mustCreateAccount creates an editor account named username.
func mustCreateAccount(tb testing.TB, db *DB, username string) *wiki.Account {
	tb.Helper()
	a := newAccount(username)
	if err := db.CreateAccount(context.Background(), a); err != nil {
		tb.Fatalf("CreateAccount(%q): %v", username, err)
	}
	return a
}

// snapshot returns every key and value of the file, to show that a failed
// call wrote nothing.
func snapshot(tb testing.TB, db *DB) string {
	tb.Helper()
	var sb strings.Builder
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bbolt.Bucket) error {
			fmt.Fprintf(&sb, "[%s seq=%d]\n", name, b.Sequence())
			return b.ForEach(func(k, v []byte) error {
				fmt.Fprintf(&sb, "%q=%q\n", k, v)
				return nil
			})
		})
	})
	if err != nil {
		tb.Fatal(err)
	}
	return sb.String()
}

// bucketLen returns the number of keys in the bucket name.
func bucketLen(tb testing.TB, db *DB, name []byte) int {
	tb.Helper()
	n := 0
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(name).ForEach(func(k, v []byte) error { n++; return nil })
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestCreateAccount(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{now: t0}
	db := mustOpenClock(t, clock)

	ada := newAccount("ada")
	ada.Cohort = "2024-09"
	ada.PasswordChangedAt = t0.Add(-time.Hour)
	if err := db.CreateAccount(ctx, ada); err != nil {
		t.Fatal(err)
	}
	if !ada.CreatedAt.Equal(t0) {
		t.Errorf("CreatedAt = %s, want the clock's %s", ada.CreatedAt, t0)
	}
	grace := newAccount("grace")
	grace.Role, grace.Disabled, grace.CreatedAt = wiki.RoleAdmin, true, t0.Add(-48*time.Hour)
	if err := db.CreateAccount(ctx, grace); err != nil {
		t.Fatal(err)
	}
	if !grace.CreatedAt.Equal(t0.Add(-48 * time.Hour)) {
		t.Errorf("given CreatedAt not kept: %s", grace.CreatedAt)
	}

	for _, want := range []*wiki.Account{ada, grace} {
		got, err := db.Account(ctx, want.Username)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Account(%q) = %+v\nwant %+v", want.Username, got, want)
		}
	}

	t.Run("duplicate", func(t *testing.T) {
		before := snapshot(t, db)
		dup := newAccount("ada")
		err := db.CreateAccount(ctx, dup)
		if !errors.Is(err, wiki.ErrConflict) {
			t.Fatalf("CreateAccount = %v, want ErrConflict", err)
		}
		if want := `store: create account "ada": `; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
		if !dup.CreatedAt.IsZero() {
			t.Error("failed CreateAccount changed the account")
		}
		if snapshot(t, db) != before {
			t.Error("failed CreateAccount wrote something")
		}
	})

	t.Run("not found", func(t *testing.T) {
		_, err := db.Account(ctx, "nobody")
		if want := `store: account "nobody": wiki: not found`; err == nil || err.Error() != want {
			t.Errorf("error = %v, want %q", err, want)
		}
	})

	t.Run("invalid", func(t *testing.T) {
		far := time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
		tests := []struct {
			name  string
			edit  func(a *wiki.Account)
			field string
		}{
			{"empty username", func(a *wiki.Account) { a.Username = "" }, "username"},
			{"NUL in username", func(a *wiki.Account) { a.Username = "a\x00b" }, "username"},
			{"NUL in cohort", func(a *wiki.Account) { a.Cohort = "c\x00" }, "cohort"},
			{"unknown role", func(a *wiki.Account) { a.Role = wiki.Role(42) }, "role"},
			{"created too late", func(a *wiki.Account) { a.CreatedAt = far }, "created_at"},
			{"password changed too late", func(a *wiki.Account) { a.PasswordChangedAt = far }, "password_changed_at"},
		}
		before := snapshot(t, db)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a := newAccount("linus")
				tt.edit(a)
				err := db.CreateAccount(ctx, a)
				var v *wiki.ValidationError
				if !errors.As(err, &v) {
					t.Fatalf("CreateAccount = %v, want a *wiki.ValidationError", err)
				}
				if _, ok := v.Fields[tt.field]; !ok {
					t.Errorf("fields = %v, want %q", v.Fields, tt.field)
				}
			})
		}
		if err := db.CreateAccount(ctx, nil); err == nil {
			t.Error("CreateAccount(nil): no error")
		}
		if snapshot(t, db) != before {
			t.Error("invalid accounts wrote something")
		}
	})
}

func TestAccounts(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)

	list, err := db.Accounts(ctx)
	if err != nil || list == nil || len(list) != 0 {
		t.Errorf("Accounts of an empty store = %v, %v; want an empty slice", list, err)
	}
	if n, err := db.CountAccounts(ctx); err != nil || n != 0 {
		t.Errorf("CountAccounts = %d, %v; want 0", n, err)
	}

	for _, name := range []string{"grace", "ada", "linus", "ada-b"} {
		mustCreateAccount(t, db, name)
	}
	list, err = db.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range list {
		names = append(names, a.Username)
	}
	if want := []string{"ada", "ada-b", "grace", "linus"}; !reflect.DeepEqual(names, want) {
		t.Errorf("Accounts = %v, want %v", names, want)
	}
	if n, err := db.CountAccounts(ctx); err != nil || n != 4 {
		t.Errorf("CountAccounts = %d, %v; want 4", n, err)
	}
}

func TestUpdateAccount(t *testing.T) {
	ctx := context.Background()
	errNope := errors.New("nope")
	tests := []struct {
		name       string
		username   string
		fn         func(a *wiki.Account) error
		wantErr    func(error) bool // nil: success
		wantRole   wiki.Role        // stored afterwards
		wantCohort string
	}{
		{"change role and cohort", "ada", func(a *wiki.Account) error {
			a.Role, a.Cohort = wiki.RoleTrainer, "2025-01"
			return nil
		}, nil, wiki.RoleTrainer, "2025-01"},
		{"fn error aborts", "ada", func(a *wiki.Account) error {
			a.Role = wiki.RoleAdmin // must not be stored
			return errNope
		}, func(err error) bool { return err == errNope }, wiki.RoleEditor, ""},
		{"rename refused", "ada", func(a *wiki.Account) error {
			a.Username = "grace"
			return nil
		}, func(err error) bool {
			var v *wiki.ValidationError
			return errors.As(err, &v) && v.Fields["username"] != ""
		}, wiki.RoleEditor, ""},
		{"invalid result refused", "ada", func(a *wiki.Account) error {
			a.Role = wiki.Role(-1)
			return nil
		}, func(err error) bool {
			var v *wiki.ValidationError
			return errors.As(err, &v)
		}, wiki.RoleEditor, ""},
		{"missing account", "nobody", func(a *wiki.Account) error {
			t.Error("fn called for a missing account")
			return nil
		}, func(err error) bool { return errors.Is(err, wiki.ErrNotFound) }, wiki.RoleEditor, ""},
		{"empty username", "", func(a *wiki.Account) error { return nil }, func(err error) bool {
			var v *wiki.ValidationError
			return errors.As(err, &v)
		}, wiki.RoleEditor, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpen(t)
			ada := mustCreateAccount(t, db, "ada")
			mustCreateAccount(t, db, "grace")
			before := snapshot(t, db)

			got, err := db.UpdateAccount(ctx, tt.username, tt.fn)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if got.Role != tt.wantRole || got.Cohort != tt.wantCohort || !got.CreatedAt.Equal(ada.CreatedAt) {
					t.Errorf("UpdateAccount returned %+v", got)
				}
			} else {
				if !tt.wantErr(err) || got != nil {
					t.Fatalf("UpdateAccount = %v, %v; not the error wanted", got, err)
				}
				if snapshot(t, db) != before {
					t.Error("failed UpdateAccount wrote something")
				}
			}
			stored, err := db.Account(ctx, "ada")
			if err != nil {
				t.Fatal(err)
			}
			if stored.Role != tt.wantRole || stored.Cohort != tt.wantCohort || stored.PasswordHash != ada.PasswordHash {
				t.Errorf("stored account = %+v", stored)
			}
		})
	}
}

func TestSignUp(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{now: t0}
	db := mustOpenClock(t, clock)
	mustCreateCohort(t, db, "2024-09", "sekrit-code", t0)
	mustCreateAccount(t, db, "grace")

	t.Run("wrong code", func(t *testing.T) {
		before := snapshot(t, db)
		for _, code := range []string{"wrong-code", "", "sekrit-code\x00", "SEKRIT-CODE"} {
			a := newAccount("ada")
			c, err := db.SignUp(ctx, code, a)
			if !errors.Is(err, wiki.ErrNotFound) || c != nil {
				t.Errorf("SignUp(%q) = %v, %v; want ErrNotFound", code, c, err)
				continue
			}
			if code != "" && strings.Contains(err.Error(), code) {
				t.Errorf("error %q repeats the invite code", err)
			}
			if a.Cohort != "" || !a.CreatedAt.IsZero() {
				t.Errorf("failed SignUp changed the account: %+v", a)
			}
		}
		if snapshot(t, db) != before {
			t.Error("failed SignUp wrote something")
		}
	})

	t.Run("taken username", func(t *testing.T) {
		before := snapshot(t, db)
		_, err := db.SignUp(ctx, "sekrit-code", newAccount("grace"))
		if !errors.Is(err, wiki.ErrConflict) {
			t.Fatalf("SignUp = %v, want ErrConflict", err)
		}
		if snapshot(t, db) != before {
			t.Error("failed SignUp wrote something")
		}
	})

	t.Run("invalid account", func(t *testing.T) {
		_, err := db.SignUp(ctx, "sekrit-code", newAccount("a\x00"))
		var v *wiki.ValidationError
		if !errors.As(err, &v) {
			t.Errorf("SignUp = %v, want a *wiki.ValidationError", err)
		}
		if _, err := db.SignUp(ctx, "sekrit-code", nil); err == nil {
			t.Error("SignUp(nil): no error")
		}
	})

	t.Run("success", func(t *testing.T) {
		a := newAccount("ada")
		a.Cohort = "ignored"
		c, err := db.SignUp(ctx, "sekrit-code", a)
		if err != nil {
			t.Fatal(err)
		}
		if c.ID != "2024-09" || a.Cohort != "2024-09" || !a.CreatedAt.Equal(t0) {
			t.Errorf("SignUp = cohort %q; account cohort %q, created %s", c.ID, a.Cohort, a.CreatedAt)
		}
		stored, err := db.Account(ctx, "ada")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(stored, a) {
			t.Errorf("stored %+v\nwant %+v", stored, a)
		}
	})
}

// TestPasswordHashStoredOnce checks that the password hash is in the
// account record and nowhere else in the file.
func TestPasswordHashStoredOnce(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	ada := mustCreateAccount(t, db, "ada")
	mustCreateSession(t, db, "s1", "ada", t0.Add(time.Hour))
	if err := db.CreateToken(ctx, &wiki.Token{ID: "t1", Name: "script", Username: "ada"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateAccount(ctx, "ada", func(a *wiki.Account) error { a.DisplayName = "Ada L."; return nil }); err != nil {
		t.Fatal(err)
	}
	var where []string
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bbolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				if strings.Contains(string(k)+string(v), ada.PasswordHash) {
					where = append(where, fmt.Sprintf("%s/%s", name, k))
				}
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"accounts/ada"}; !reflect.DeepEqual(where, want) {
		t.Errorf("password hash found in %v, want only %v", where, want)
	}
}

// TestAccountStore_Invalid checks that every method refuses empty and
// NUL-bearing names and ids with a *wiki.ValidationError.
func TestAccountStore_Invalid(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustCreateAccount(t, db, "ada")
	noop := func(*wiki.Account) error { return nil }
	noopCohort := func(*wiki.Cohort) error { return nil }
	later := t0.Add(time.Hour)
	tests := []struct {
		name string
		call func(key string) error
	}{
		{"Account", func(k string) error { _, err := db.Account(ctx, k); return err }},
		{"UpdateAccount", func(k string) error { _, err := db.UpdateAccount(ctx, k, noop); return err }},
		{"CreateSession id", func(k string) error {
			return db.CreateSession(ctx, &wiki.Session{ID: k, Username: "ada", ExpiresAt: later})
		}},
		{"CreateSession username", func(k string) error {
			return db.CreateSession(ctx, &wiki.Session{ID: "s", Username: k, ExpiresAt: later})
		}},
		{"Session", func(k string) error { _, err := db.Session(ctx, k); return err }},
		{"DeleteSession", func(k string) error { return db.DeleteSession(ctx, k) }},
		{"DeleteSessions", func(k string) error { return db.DeleteSessions(ctx, k, "") }},
		{"CreateToken id", func(k string) error { return db.CreateToken(ctx, &wiki.Token{ID: k, Username: "ada"}) }},
		{"CreateToken username", func(k string) error { return db.CreateToken(ctx, &wiki.Token{ID: "t", Username: k}) }},
		{"Token", func(k string) error { _, err := db.Token(ctx, k); return err }},
		{"DeleteToken", func(k string) error { return db.DeleteToken(ctx, k) }},
		{"CreateCohort", func(k string) error { return db.CreateCohort(ctx, &wiki.Cohort{ID: k}) }},
		{"Cohort", func(k string) error { _, err := db.Cohort(ctx, k); return err }},
		{"UpdateCohort", func(k string) error { _, err := db.UpdateCohort(ctx, k, noopCohort); return err }},
		{"CohortChanges", func(k string) error { _, err := db.CohortChanges(ctx, k); return err }},
		{"AuthorChanges", func(k string) error { _, err := db.AuthorChanges(ctx, k, 10); return err }},
		{"PutSetupToken", func(k string) error { return db.PutSetupToken(ctx, k) }},
		{"TakeSetupToken", func(k string) error { _, err := db.TakeSetupToken(ctx, k); return err }},
	}
	before := snapshot(t, db)
	for _, tt := range tests {
		for _, key := range []string{"", "a\x00b"} {
			t.Run(fmt.Sprintf("%s(%q)", tt.name, key), func(t *testing.T) {
				err := tt.call(key)
				var v *wiki.ValidationError
				if !errors.As(err, &v) {
					t.Errorf("error = %v, want a *wiki.ValidationError", err)
				}
			})
		}
	}
	if _, err := db.Tokens(ctx, "a\x00"); err == nil {
		t.Error("Tokens with a NUL byte: no error")
	}
	if snapshot(t, db) != before {
		t.Error("invalid calls wrote something")
	}
}

func TestAccountStore_ReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "faqwiki.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	far := time.Now().Add(24 * time.Hour)
	mustCreateCohort(t, db, "2024-09", "code-1", t0)
	ada := mustCreateAccount(t, db, "ada")
	s := mustCreateSession(t, db, "s1", "ada", far)
	tok := &wiki.Token{ID: "t1", Name: "script", Username: "ada"}
	if err := db.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := db.PutSetupToken(ctx, "setup-hash"); err != nil {
		t.Fatal(err)
	}
	rev := newRev("faq", wiki.KindCreate, "FAQ", "x", t0)
	mustCommit(t, db, rev, 0)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = mustOpenPath(t, path)
	if got, err := db.Account(ctx, "ada"); err != nil || !reflect.DeepEqual(got, ada) {
		t.Errorf("Account = %+v, %v; want %+v", got, err, ada)
	}
	if got, err := db.Session(ctx, "s1"); err != nil || !reflect.DeepEqual(got, s) {
		t.Errorf("Session = %+v, %v; want %+v", got, err, s)
	}
	if got, err := db.Token(ctx, "t1"); err != nil || !reflect.DeepEqual(got, tok) {
		t.Errorf("Token = %+v, %v; want %+v", got, err, tok)
	}
	if c, err := db.Cohort(ctx, "2024-09"); err != nil || c.InviteCode != "code-1" {
		t.Errorf("Cohort = %+v, %v", c, err)
	}
	if ch, err := db.CohortChanges(ctx, "2024-09"); err != nil || len(ch) != 1 {
		t.Errorf("CohortChanges = %+v, %v; want one", ch, err)
	}
	if ok, err := db.TakeSetupToken(ctx, "setup-hash"); err != nil || !ok {
		t.Errorf("TakeSetupToken = %v, %v; want true", ok, err)
	}
	if _, err := db.SignUp(ctx, "code-1", newAccount("grace")); err != nil {
		t.Errorf("SignUp after reopen: %v", err)
	}
}

func TestCorruptAccountRecords(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		damage func(tx *bbolt.Tx) error
		read   func(db *DB) error
	}{
		{"account record", putRaw(bucketAccounts, []byte("ada"), []byte("{")), func(db *DB) error {
			_, err := db.Account(ctx, "ada")
			return err
		}},
		{"account role", putRaw(bucketAccounts, []byte("ada"), []byte(`{"role":"emperor"}`)), func(db *DB) error {
			_, err := db.Accounts(ctx)
			return err
		}},
		{"session record", putRaw(bucketSessions, []byte("s1"), []byte("[]")), func(db *DB) error {
			_, err := db.Session(ctx, "s1")
			return err
		}},
		{"short sessionexpiry key", putRaw(bucketSessionExpiry, []byte{1}, nil), func(db *DB) error {
			_, err := db.PruneSessions(ctx)
			return err
		}},
		{"token record", putRaw(bucketTokens, []byte("t1"), []byte("x")), func(db *DB) error {
			_, err := db.Tokens(ctx, "")
			return err
		}},
		{"usertokens names a missing token", putRaw(bucketUserTokens, userKey("ada", "ghost"), nil), func(db *DB) error {
			_, err := db.Tokens(ctx, "ada")
			return err
		}},
		{"cohort record", putRaw(bucketCohorts, []byte("c1"), []byte("1")), func(db *DB) error {
			_, err := db.Cohorts(ctx)
			return err
		}},
		{"invite names a missing cohort", putRaw(bucketInvites, []byte("lost"), []byte("ghost")), func(db *DB) error {
			_, err := db.SignUp(ctx, "lost", newAccount("linus"))
			return err
		}},
		{"invite names a cohort with another code", putRaw(bucketInvites, []byte("stale"), []byte("c1")), func(db *DB) error {
			_, err := db.SignUp(ctx, "stale", newAccount("linus"))
			return err
		}},
		{"cohortchanges names a missing change", putRaw(bucketCohortChanges, changeIndexKey("c1", 99), nil), func(db *DB) error {
			_, err := db.CohortChanges(ctx, "c1")
			return err
		}},
		{"short cohortchanges key", putRaw(bucketCohortChanges, append(keyPrefix("c1"), 1), nil), func(db *DB) error {
			_, err := db.CohortChanges(ctx, "c1")
			return err
		}},
		{"authorchanges names a missing change", putRaw(bucketAuthorChanges, changeIndexKey("ada", 99), nil), func(db *DB) error {
			_, err := db.AuthorChanges(ctx, "ada", 10)
			return err
		}},
		{"page record PagesAt reads", putRaw(bucketPages, []byte("faq"), []byte("{")), func(db *DB) error {
			_, err := db.PagesAt(ctx, t0)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpen(t)
			mustCreateCohort(t, db, "c1", "code-1", t0)
			mustCreateAccount(t, db, "ada")
			mustCommit(t, db, newRev("faq", wiki.KindCreate, "FAQ", "one", t0.Add(-time.Hour)), 0)
			if err := db.bolt.Update(tt.damage); err != nil {
				t.Fatal(err)
			}
			err := tt.read(db)
			if err == nil || errors.Is(err, wiki.ErrNotFound) {
				t.Errorf("read = %v, want a corruption error", err)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "store: ") {
				t.Errorf("error %q lacks the store: prefix", err)
			}
		})
	}
}

// TestAccountStore_Cancelled checks that a cancelled context stops a
// method before its transaction.
func TestAccountStore_Cancelled(t *testing.T) {
	db := MustOpen(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	errs := []error{
		db.CreateAccount(ctx, newAccount("ada")),
		db.CreateCohort(ctx, &wiki.Cohort{ID: "c"}),
		db.PutSetupToken(ctx, "x"),
	}
	_, err := db.Accounts(ctx)
	errs = append(errs, err)
	_, err = db.PruneSessions(ctx)
	errs = append(errs, err)
	for i, err := range errs {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("call %d = %v, want context.Canceled", i, err)
		}
	}
	if n := bucketLen(t, db, bucketAccounts); n != 0 {
		t.Errorf("%d accounts after cancelled calls", n)
	}
}
