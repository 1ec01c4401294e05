package wiki_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
)

// cheapPasswords makes argon2id fast enough for tests.
var cheapPasswords = wiki.PasswordParams{Time: 1, Memory: 64, Threads: 1}

// mustAccounts returns the accounts service over a real store, with clock
// as its clock (nil for time.Now).
func mustAccounts(tb testing.TB, clock wiki.Clock) (*wiki.Accounts, *store.DB) {
	tb.Helper()
	db, err := store.Open(tb.TempDir()+"/faqwiki.db", store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return wiki.NewAccounts(wiki.AccountsConfig{Store: db, Password: cheapPasswords, Clock: clock}), db
}

func mustAccount(tb testing.TB, a *wiki.Accounts, name string, role wiki.Role) {
	tb.Helper()
	if _, err := a.CreateAccount(context.Background(), wiki.NewAccount{Username: name, Password: "a long enough password", Role: role}); err != nil {
		tb.Fatal(err)
	}
}

func activeAdmins(tb testing.TB, a *wiki.Accounts) int {
	tb.Helper()
	all, err := a.List(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for _, acct := range all {
		if acct.Role == wiki.RoleAdmin && !acct.Disabled {
			n++
		}
	}
	return n
}

// TestKeepOneAdmin_Concurrent has two admins demote (or disable) each
// other at the same moment, many times over: the rule is checked inside
// the update's transaction, so exactly one change wins and one admin is
// left.
func TestKeepOneAdmin_Concurrent(t *testing.T) {
	ctx := context.Background()
	for round := range 40 {
		acc, _ := mustAccounts(t, nil)
		mustAccount(t, acc, "ada", wiki.RoleAdmin)
		mustAccount(t, acc, "bob", wiki.RoleAdmin)
		start := make(chan struct{})
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, name := range []string{"ada", "bob"} {
			wg.Go(func() {
				<-start
				switch round % 3 {
				case 0:
					_, errs[i] = acc.SetRole(ctx, name, wiki.RoleEditor)
				case 1:
					_, errs[i] = acc.SetDisabled(ctx, name, true)
				default:
					role := wiki.RoleTrainer
					_, errs[i] = acc.Update(ctx, name, wiki.AccountPatch{Role: &role})
				}
			})
		}
		close(start)
		wg.Wait()
		if n := activeAdmins(t, acc); n != 1 {
			t.Fatalf("round %d: %d active admins left (errors %v, %v)", round, n, errs[0], errs[1])
		}
		refused := 0
		for _, err := range errs {
			var ve *wiki.ValidationError
			switch {
			case errors.As(err, &ve):
				refused++
			case err != nil:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if refused != 1 {
			t.Fatalf("round %d: %d changes refused, want 1", round, refused)
		}
	}
}

func TestKeepOneAdmin(t *testing.T) {
	ctx := context.Background()
	acc, _ := mustAccounts(t, nil)
	mustAccount(t, acc, "ada", wiki.RoleAdmin)
	mustAccount(t, acc, "eve", wiki.RoleEditor)
	if _, err := acc.SetRole(ctx, "ada", wiki.RoleEditor); err == nil {
		t.Error("the only admin was demoted")
	}
	if _, err := acc.SetDisabled(ctx, "ada", true); err == nil {
		t.Error("the only admin was disabled")
	}
	// Changes to others, and the admin's other fields, still go through.
	if _, err := acc.SetRole(ctx, "eve", wiki.RoleReader); err != nil {
		t.Error(err)
	}
	if _, err := acc.SetRole(ctx, "ada", wiki.RoleAdmin); err != nil {
		t.Error(err)
	}
	if _, err := acc.SetRole(ctx, "ada", wiki.Role(99)); err == nil {
		t.Error("a bad role was accepted")
	}
}

// Nobody changes their own role or disables themselves, even with another
// admin to spare; another admin, or the command line, can.
func TestNobodyChangesTheirOwnRole(t *testing.T) {
	acc, _ := mustAccounts(t, nil)
	mustAccount(t, acc, "ada", wiki.RoleAdmin)
	mustAccount(t, acc, "bea", wiki.RoleAdmin)
	ada := wiki.NewContextWithUser(context.Background(), &wiki.User{Name: "ada", Role: wiki.RoleAdmin})
	var ve *wiki.ValidationError
	if _, err := acc.SetRole(ada, "ada", wiki.RoleTrainer); !errors.As(err, &ve) {
		t.Errorf("ada made herself a trainer: %v", err)
	}
	if _, err := acc.SetDisabled(ada, "ada", true); !errors.As(err, &ve) {
		t.Errorf("ada disabled herself: %v", err)
	}
	if _, err := acc.SetRole(ada, "ada", wiki.RoleAdmin); err != nil {
		t.Errorf("ada's role set to what it is: %v", err)
	}
	if a, err := acc.SetRole(ada, "bea", wiki.RoleTrainer); err != nil || a.Role != wiki.RoleTrainer {
		t.Errorf("ada changing bea: %v", err)
	}
	if _, err := acc.SetRole(context.Background(), "bea", wiki.RoleAdmin); err != nil {
		t.Errorf("the command line: %v", err)
	}
	if a, err := acc.SetRole(context.Background(), "ada", wiki.RoleTrainer); err != nil || a.Role != wiki.RoleTrainer {
		t.Errorf("the command line changing ada: %v", err)
	}
}

func TestPasswordReset(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	acc, db := mustAccounts(t, clock)
	mustAccount(t, acc, "ada", wiki.RoleEditor)
	if _, _, err := acc.Login(ctx, "ada", "a long enough password", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}

	token, r, err := acc.CreateReset(ctx, "Ada", "boss")
	if err != nil {
		t.Fatal(err)
	}
	if r.Username != "ada" || r.CreatedBy != "boss" || !r.ExpiresAt.Equal(now.Add(wiki.DefaultResetTTL)) {
		t.Errorf("reset = %+v", r)
	}
	if r.ID != wiki.SecretID(token) || r.ID == token {
		t.Error("the reset is not stored as the hash of its token")
	}
	if _, err := db.PasswordReset(ctx, token); !errors.Is(err, wiki.ErrNotFound) {
		t.Error("the token itself is a key of the store")
	}
	if got, err := acc.CheckReset(ctx, token); err != nil || got.Username != "ada" {
		t.Errorf("CheckReset = %+v, %v", got, err)
	}
	// A bad password keeps the link working.
	var ve *wiki.ValidationError
	if _, err := acc.CompleteReset(ctx, token, "short"); !errors.As(err, &ve) {
		t.Errorf("short password: %v, want a ValidationError", err)
	}
	a, err := acc.CompleteReset(ctx, token, "a brand new passphrase")
	if err != nil || a.Username != "ada" {
		t.Fatalf("CompleteReset = %+v, %v", a, err)
	}
	if _, _, err := acc.Login(ctx, "ada", "a brand new passphrase", "192.0.2.1"); err != nil {
		t.Errorf("sign in with the new password: %v", err)
	}
	if _, _, err := acc.Login(ctx, "ada", "a long enough password", "192.0.2.1"); err == nil {
		t.Error("the old password still works")
	}
	// Once only.
	if _, err := acc.CompleteReset(ctx, token, "yet another passphrase"); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("second use: %v, want ErrNotFound", err)
	}
	if _, err := acc.CheckReset(ctx, token); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("CheckReset after use: %v, want ErrNotFound", err)
	}

	// Expired links, replaced links, unknown and disabled accounts.
	old, _, err := acc.CreateReset(ctx, "ada", "boss")
	if err != nil {
		t.Fatal(err)
	}
	newer, _, err := acc.CreateReset(ctx, "ada", "boss")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acc.CheckReset(ctx, old); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("a replaced link: %v, want ErrNotFound", err)
	}
	now = now.Add(wiki.DefaultResetTTL)
	if _, err := acc.CompleteReset(ctx, newer, "a brand new passphrase 2"); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("an expired link: %v, want ErrNotFound", err)
	}
	if _, _, err := acc.CreateReset(ctx, "nobody", "boss"); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("reset of a missing account: %v", err)
	}
	mustAccount(t, acc, "boss", wiki.RoleAdmin)
	if _, err := acc.SetDisabled(ctx, "ada", true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := acc.CreateReset(ctx, "ada", "boss"); !errors.As(err, &ve) {
		t.Errorf("reset of a disabled account: %v, want a ValidationError", err)
	}
	for _, bad := range []string{"", "x", string(make([]byte, 200))} {
		if _, err := acc.CheckReset(ctx, bad); !errors.Is(err, wiki.ErrNotFound) {
			t.Errorf("CheckReset(%q): %v", bad, err)
		}
	}
}

func TestAccountStats(t *testing.T) {
	ctx := context.Background()
	acc, _ := mustAccounts(t, nil)
	mustAccount(t, acc, "ada", wiki.RoleEditor)
	for range 5 {
		if _, _, err := acc.Login(ctx, "ada", "wrong password!", "192.0.2.9"); !errors.Is(err, wiki.ErrBadLogin) {
			t.Fatal(err)
		}
	}
	if _, _, err := acc.Login(ctx, "ada", "wrong password!", "192.0.2.9"); !errors.Is(err, wiki.ErrRateLimited) {
		t.Fatal(err)
	}
	if got := acc.Stats(); got.LoginFailures != 5 || got.RateLimited != 1 {
		t.Errorf("Stats = %+v, want 5 failures and 1 refusal", got)
	}
}

// Failures from one address lock the account for that address only: a
// stranger cannot lock a colleague out by typing their name. Failures
// from many addresses together still meet the account's overall limit.
func TestFailedLoginsLockTheAccountForTheirAddress(t *testing.T) {
	ctx := context.Background()
	acc, _ := mustAccounts(t, nil)
	mustAccount(t, acc, "ada", wiki.RoleEditor)
	for range 5 {
		if _, _, err := acc.Login(ctx, "ada", "wrong password!", "192.0.2.66"); !errors.Is(err, wiki.ErrBadLogin) {
			t.Fatal(err)
		}
	}
	if _, _, err := acc.Login(ctx, "ada", "a long enough password", "192.0.2.66"); !errors.Is(err, wiki.ErrRateLimited) {
		t.Errorf("the guessing address with the right password: %v, want rate limited", err)
	}
	if _, _, err := acc.Login(ctx, "ada", "a long enough password", "198.51.100.7"); err != nil {
		t.Errorf("ada from her own address: %v", err)
	}
	// With those five, 50 failures spread over many addresses lock the
	// account everywhere.
	for i := range 45 {
		addr := fmt.Sprintf("203.0.113.%d", i%10)
		if _, _, err := acc.Login(ctx, "ada", "wrong password!", addr); !errors.Is(err, wiki.ErrBadLogin) {
			t.Fatalf("failure %d from %s: %v", i, addr, err)
		}
	}
	if _, _, err := acc.Login(ctx, "ada", "a long enough password", "198.51.100.8"); !errors.Is(err, wiki.ErrRateLimited) {
		t.Errorf("after 50 failures from many addresses: %v, want rate limited", err)
	}
}

// A refused sign-in says how long until the oldest failure that counts
// leaves the window, and a sign-in then goes ahead.
func TestRateLimitSaysWhenToTryAgain(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	acc, _ := mustAccounts(t, func() time.Time { return now })
	mustAccount(t, acc, "ada", wiki.RoleEditor)
	for range 5 { // failures at 9:00 to 9:04
		if _, _, err := acc.Login(ctx, "ada", "wrong password!", "192.0.2.9"); !errors.Is(err, wiki.ErrBadLogin) {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	now = now.Add(5 * time.Minute) // 9:10: the first leaves at 9:15
	_, _, err := acc.Login(ctx, "ada", "a long enough password", "192.0.2.9")
	var rle *wiki.RateLimitError
	if !errors.As(err, &rle) || !errors.Is(err, wiki.ErrRateLimited) {
		t.Fatalf("Login: %v, want a *RateLimitError", err)
	}
	if rle.RetryAfter != 5*time.Minute {
		t.Errorf("RetryAfter = %v, want 5m", rle.RetryAfter)
	}
	now = now.Add(rle.RetryAfter + time.Second)
	if _, _, err := acc.Login(ctx, "ada", "a long enough password", "192.0.2.9"); err != nil {
		t.Errorf("after the wait: %v", err)
	}
}
