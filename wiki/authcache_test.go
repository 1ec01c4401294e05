package wiki_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
)

// TestAuthCache_SeesEveryChange: who a token or session belongs to is
// cached, and every change to the account, the token or the session is
// seen by the very next request.
func TestAuthCache_SeesEveryChange(t *testing.T) {
	ctx := context.Background()
	a, db := mustAccounts(t, nil)
	mustAccount(t, a, "ada", wiki.RoleEditor)
	mustAccount(t, a, "boss", wiki.RoleAdmin)
	token, tok, err := a.CreateToken(ctx, "ada", "script")
	if err != nil {
		t.Fatal(err)
	}
	cookie, _, err := a.StartSession(ctx, "ada")
	if err != nil {
		t.Fatal(err)
	}
	user := func() (*wiki.User, *wiki.User) {
		t.Helper()
		tu, terr := a.TokenUser(ctx, token)
		su, _, serr := a.SessionUser(ctx, cookie)
		if terr != nil {
			tu = nil
		}
		if serr != nil {
			su = nil
		}
		return tu, su
	}
	for range 3 { // cached after the first
		if tu, su := user(); tu == nil || su == nil || tu.Role != wiki.RoleEditor || su.Name != "ada" {
			t.Fatalf("ada's token and session: %+v %+v", tu, su)
		}
	}
	// A copy each time: a caller cannot change what others get.
	tu, _ := user()
	tu.Role = wiki.RoleAdmin
	if again, _ := user(); again.Role != wiki.RoleEditor {
		t.Fatal("changing a returned user changed the cache")
	}

	if _, err := a.SetRole(ctx, "ada", wiki.RoleTrainer); err != nil {
		t.Fatal(err)
	}
	if tu, su := user(); tu.Role != wiki.RoleTrainer || su.Role != wiki.RoleTrainer {
		t.Errorf("after a role change: %+v %+v", tu, su)
	}
	if _, err := a.RevokeToken(ctx, tok.ID[:12]); err != nil {
		t.Fatal(err)
	}
	if tu, _ := user(); tu != nil {
		t.Errorf("a revoked token still signs in as %+v", tu)
	}
	if err := a.Logout(ctx, cookie); err != nil {
		t.Fatal(err)
	}
	if _, su := user(); su != nil {
		t.Errorf("a logged-out session still signs in as %+v", su)
	}

	// Disabling ends both at once.
	token, _, _ = a.CreateToken(ctx, "ada", "again")
	cookie, _, _ = a.StartSession(ctx, "ada")
	user()
	if _, err := a.SetDisabled(ctx, "ada", true); err != nil {
		t.Fatal(err)
	}
	if tu, su := user(); tu != nil || su != nil {
		t.Errorf("a disabled account still signs in: %+v %+v", tu, su)
	}
	_ = db
}

// TestAuthCache_SessionExpiry: a cached session ends when it expires.
func TestAuthCache_SessionExpiry(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	db, err := store.Open(t.TempDir()+"/faqwiki.db", store.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := wiki.NewAccounts(wiki.AccountsConfig{Store: db, Password: cheapPasswords, Clock: clock})
	mustAccount(t, a, "ada", wiki.RoleEditor)
	cookie, s, err := a.StartSession(ctx, "ada")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.SessionUser(ctx, cookie); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = s.ExpiresAt.Add(-time.Millisecond)
	mu.Unlock()
	if _, _, err := a.SessionUser(ctx, cookie); err != nil {
		t.Fatalf("just before expiry: %v", err)
	}
	mu.Lock()
	now = s.ExpiresAt
	mu.Unlock()
	if u, _, err := a.SessionUser(ctx, cookie); !errors.Is(err, wiki.ErrUnauthorized) {
		t.Errorf("at expiry: %+v, %v; want ErrUnauthorized", u, err)
	}
}

// noVersion hides the store's AccountsVersion, so that nothing is cached.
type noVersion struct{ wiki.AccountStore }

// BenchmarkTokenUser measures who an API token belongs to: from the cache
// (the store can say when accounts change), and read from the store each
// time (a store that cannot).
func BenchmarkTokenUser(b *testing.B) {
	ctx := context.Background()
	for _, bc := range []struct {
		name   string
		cached bool
	}{{"cached", true}, {"store", false}} {
		b.Run(bc.name, func(b *testing.B) {
			db, err := store.Open(b.TempDir()+"/faqwiki.db", store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			var st wiki.AccountStore = db
			if !bc.cached {
				st = noVersion{db}
			}
			a := wiki.NewAccounts(wiki.AccountsConfig{Store: st, Password: cheapPasswords})
			mustAccount(b, a, "ada", wiki.RoleEditor)
			token, _, err := a.CreateToken(ctx, "ada", "bench")
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.TokenUser(ctx, token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
