// Tests of password resets and of UpdateAccountChecked.

package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
)

func TestPasswordReset(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{now: t0}
	db := mustOpenClock(t, clock)
	mustCreateAccount(t, db, "ada")
	mustCreateAccount(t, db, "bob")
	put := func(id, user string, ttl time.Duration) {
		t.Helper()
		if err := db.PutPasswordReset(ctx, &wiki.PasswordReset{ID: id, Username: user, CreatedBy: "boss", ExpiresAt: clock.now.Add(ttl)}); err != nil {
			t.Fatal(err)
		}
	}
	put("r1", "ada", time.Hour)
	r, err := db.PasswordReset(ctx, "r1")
	if err != nil || r.Username != "ada" || r.CreatedBy != "boss" || !r.CreatedAt.Equal(t0) || !r.ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("PasswordReset = %+v, %v", r, err)
	}
	// A second reset of the same account replaces the first.
	put("r2", "ada", time.Hour)
	if _, err := db.PasswordReset(ctx, "r1"); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("the replaced reset: %v, want ErrNotFound", err)
	}
	if err := db.PutPasswordReset(ctx, &wiki.PasswordReset{ID: "r2", Username: "bob", ExpiresAt: t0.Add(time.Hour)}); !errors.Is(err, wiki.ErrConflict) {
		t.Errorf("a taken id: %v, want ErrConflict", err)
	}
	if err := db.PutPasswordReset(ctx, &wiki.PasswordReset{ID: "r9", Username: "nobody", ExpiresAt: t0.Add(time.Hour)}); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("reset of a missing account: %v, want ErrNotFound", err)
	}

	// fn's error keeps the reset.
	boom := errors.New("boom")
	if _, err := db.UsePasswordReset(ctx, "r2", clock.now, func(*wiki.Account) error { return boom }); err != boom {
		t.Errorf("UsePasswordReset with a failing fn: %v", err)
	}
	a, err := db.UsePasswordReset(ctx, "r2", clock.now, func(a *wiki.Account) error { a.PasswordHash = "new-hash"; return nil })
	if err != nil || a.Username != "ada" || a.PasswordHash != "new-hash" {
		t.Fatalf("UsePasswordReset = %+v, %v", a, err)
	}
	if got, _ := db.Account(ctx, "ada"); got.PasswordHash != "new-hash" {
		t.Errorf("stored hash %q", got.PasswordHash)
	}
	// Once only.
	if _, err := db.UsePasswordReset(ctx, "r2", clock.now, func(*wiki.Account) error { return nil }); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("second use: %v, want ErrNotFound", err)
	}
	// Expired: refused and removed.
	put("r3", "bob", time.Minute)
	if _, err := db.UsePasswordReset(ctx, "r3", t0.Add(time.Minute), func(*wiki.Account) error { t.Error("fn called for an expired reset"); return nil }); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("expired use: %v, want ErrNotFound", err)
	}
	if _, err := db.PasswordReset(ctx, "r3"); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("an expired reset stays after its use: %v", err)
	}
	// Expired resets of anyone go when a new one is made.
	put("r4", "bob", time.Minute)
	clock.now = t0.Add(time.Hour)
	put("r5", "ada", time.Minute)
	if n := bucketLen(t, db, bucketResets); n != 1 {
		t.Errorf("%d resets stored, want 1", n)
	}
	if n := bucketLen(t, db, bucketUserResets); n != 1 {
		t.Errorf("%d userresets entries, want 1", n)
	}
}

func TestUpdateAccountChecked(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustCreateAccount(t, db, "ada")
	mustCreateAccount(t, db, "bob")
	before := snapshot(t, db)
	refused := errors.New("refused")
	var seen []string
	_, err := db.UpdateAccountChecked(ctx, "ada", func(a *wiki.Account) error {
		a.Role = wiki.RoleReader
		return nil
	}, func(all []*wiki.Account) error {
		for _, a := range all {
			seen = append(seen, a.Username+":"+a.Role.String())
		}
		return refused
	})
	if err != refused {
		t.Fatalf("err = %v, want the check's error as is", err)
	}
	if want := []string{"ada:reader", "bob:editor"}; len(seen) != 2 || seen[0] != want[0] || seen[1] != want[1] {
		t.Errorf("check saw %v, want %v (the accounts after the change)", seen, want)
	}
	if snapshot(t, db) != before {
		t.Error("a refused change was written")
	}
	a, err := db.UpdateAccountChecked(ctx, "ada", func(a *wiki.Account) error { a.Role = wiki.RoleReader; return nil }, func([]*wiki.Account) error { return nil })
	if err != nil || a.Role != wiki.RoleReader {
		t.Errorf("accepted change: %+v, %v", a, err)
	}
}
