// Tests of sessions.

package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
)

// mustCreateSession stores a session id of username that expires at
// expires.
func mustCreateSession(tb testing.TB, db *DB, id, username string, expires time.Time) *wiki.Session {
	tb.Helper()
	s := &wiki.Session{ID: id, Username: username, ExpiresAt: expires}
	if err := db.CreateSession(context.Background(), s); err != nil {
		tb.Fatalf("CreateSession(%q, %q): %v", id, username, err)
	}
	return s
}

// sessionIDs returns which of ids name a live session.
func sessionIDs(tb testing.TB, db *DB, ids ...string) []string {
	tb.Helper()
	live := []string{}
	for _, id := range ids {
		_, err := db.Session(context.Background(), id)
		switch {
		case err == nil:
			live = append(live, id)
		case !errors.Is(err, wiki.ErrNotFound):
			tb.Fatalf("Session(%q): %v", id, err)
		}
	}
	return live
}

// checkSessionIndexes fails the test unless usersessions and sessionexpiry
// have one key per session.
func checkSessionIndexes(tb testing.TB, db *DB) {
	tb.Helper()
	n := bucketLen(tb, db, bucketSessions)
	if u, e := bucketLen(tb, db, bucketUserSessions), bucketLen(tb, db, bucketSessionExpiry); u != n || e != n {
		tb.Errorf("%d sessions, %d usersessions keys, %d sessionexpiry keys", n, u, e)
	}
}

func TestSession(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{now: t0}
	db := mustOpenClock(t, clock)
	mustCreateAccount(t, db, "ada")
	expires := t0.Add(time.Hour)

	s := mustCreateSession(t, db, "s1", "ada", expires)
	want := &wiki.Session{ID: "s1", Username: "ada", CreatedAt: t0, ExpiresAt: expires}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("after CreateSession s = %+v, want %+v", s, want)
	}

	tests := []struct {
		name    string
		now     time.Time
		wantErr error
	}{
		{"fresh", t0, nil},
		{"just before expiry", expires.Add(-time.Nanosecond), nil},
		{"at expiry", expires, wiki.ErrNotFound},
		{"long after", expires.Add(24 * time.Hour), wiki.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock.now = tt.now
			got, err := db.Session(ctx, "s1")
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || got != nil {
					t.Fatalf("Session = %v, %v; want %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("Session = %+v, %v; want %+v", got, err, want)
			}
		})
	}
	// Reading an expired session must not delete it: View never writes.
	if n := bucketLen(t, db, bucketSessions); n != 1 {
		t.Errorf("%d sessions stored after reading an expired one, want 1", n)
	}

	clock.now = t0
	t.Run("errors", func(t *testing.T) {
		tests := []struct {
			name string
			s    *wiki.Session
			want func(error) bool
		}{
			{"duplicate id", &wiki.Session{ID: "s1", Username: "ada", ExpiresAt: expires}, func(err error) bool {
				return errors.Is(err, wiki.ErrConflict)
			}},
			{"no such account", &wiki.Session{ID: "s2", Username: "nobody", ExpiresAt: expires}, func(err error) bool {
				return errors.Is(err, wiki.ErrNotFound)
			}},
			{"no expiry", &wiki.Session{ID: "s2", Username: "ada"}, func(err error) bool {
				var v *wiki.ValidationError
				return errors.As(err, &v) && v.Fields["expires_at"] != ""
			}},
			{"expiry out of range", &wiki.Session{ID: "s2", Username: "ada", ExpiresAt: time.Date(2400, 1, 1, 0, 0, 0, 0, time.UTC)}, func(err error) bool {
				var v *wiki.ValidationError
				return errors.As(err, &v) && v.Fields["expires_at"] != ""
			}},
		}
		before := snapshot(t, db)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := db.CreateSession(ctx, tt.s); !tt.want(err) {
					t.Errorf("CreateSession = %v", err)
				}
			})
		}
		if err := db.CreateSession(ctx, nil); err == nil {
			t.Error("CreateSession(nil): no error")
		}
		if snapshot(t, db) != before {
			t.Error("failed CreateSession wrote something")
		}
	})

	t.Run("delete", func(t *testing.T) {
		if err := db.DeleteSession(ctx, "s1"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Session(ctx, "s1"); !errors.Is(err, wiki.ErrNotFound) {
			t.Errorf("Session after delete = %v, want ErrNotFound", err)
		}
		if err := db.DeleteSession(ctx, "s1"); err != nil {
			t.Errorf("deleting a missing session: %v", err)
		}
		checkSessionIndexes(t, db)
		if n := bucketLen(t, db, bucketSessions); n != 0 {
			t.Errorf("%d sessions left", n)
		}
	})
}

func TestDeleteSessions(t *testing.T) {
	ctx := context.Background()
	later := t0.Add(time.Hour)
	tests := []struct {
		name     string
		username string
		keep     string
		want     []string // live sessions afterwards
	}{
		{"keep one", "ada", "a2", []string{"a2", "adam1", "b1"}},
		{"keep none", "ada", "", []string{"adam1", "b1"}},
		{"keep another user's", "ada", "b1", []string{"adam1", "b1"}},
		{"user without sessions", "grace", "", []string{"a1", "a2", "a3", "adam1", "b1"}},
		{"unknown user", "nobody", "", []string{"a1", "a2", "a3", "adam1", "b1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &testClock{now: t0}
			db := mustOpenClock(t, clock)
			for _, u := range []string{"ada", "adam", "bob", "grace"} {
				mustCreateAccount(t, db, u)
			}
			// adam's keys share ada's first bytes: the prefix must end at 0x00.
			for id, u := range map[string]string{"a1": "ada", "a2": "ada", "a3": "ada", "adam1": "adam", "b1": "bob"} {
				mustCreateSession(t, db, id, u, later)
			}
			if err := db.DeleteSessions(ctx, tt.username, tt.keep); err != nil {
				t.Fatal(err)
			}
			got := sessionIDs(t, db, "a1", "a2", "a3", "adam1", "b1")
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("live sessions = %v, want %v", got, tt.want)
			}
			checkSessionIndexes(t, db)
		})
	}
}

func TestPruneSessions(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{now: t0}
	db := mustOpenClock(t, clock)
	mustCreateAccount(t, db, "ada")
	mustCreateAccount(t, db, "bob")
	h := time.Hour
	mustCreateSession(t, db, "s1", "ada", t0.Add(h))
	mustCreateSession(t, db, "s2", "bob", t0.Add(2*h))
	mustCreateSession(t, db, "s3", "ada", t0.Add(3*h))
	mustCreateSession(t, db, "s4", "bob", t0.Add(2*h)) // same expiry as s2

	tests := []struct {
		name string
		now  time.Time
		want int
		live []string
	}{
		{"nothing expired", t0, 0, []string{"s1", "s2", "s3", "s4"}},
		{"one expired", t0.Add(90 * time.Minute), 1, []string{"s2", "s3", "s4"}},
		{"two expire exactly now", t0.Add(2 * h), 2, []string{"s3"}},
		{"again: nothing more", t0.Add(2 * h), 0, []string{"s3"}},
		{"far future", maxTime.Add(h), 1, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock.now = tt.now
			n, err := db.PruneSessions(ctx)
			if err != nil || n != tt.want {
				t.Errorf("PruneSessions = %d, %v; want %d", n, err, tt.want)
			}
			clock.now = t0
			if got := sessionIDs(t, db, "s1", "s2", "s3", "s4"); !reflect.DeepEqual(got, tt.live) {
				t.Errorf("live = %v, want %v", got, tt.live)
			}
			checkSessionIndexes(t, db)
		})
	}
}

// BenchmarkSession looks up random sessions among 10,000 of 100 users:
// the request path of every signed-in page view.
func BenchmarkSession(b *testing.B) {
	ctx := context.Background()
	clock := &testClock{now: t0}
	db := mustOpenClock(b, clock)
	const users, sessions = 100, 10_000
	db.bolt.NoSync = true // setup speed only; reads are measured
	for u := range users {
		mustCreateAccount(b, db, fmt.Sprintf("user%d", u))
	}
	ids := make([]string, sessions)
	for i := range ids {
		ids[i] = fmt.Sprintf("%064x", i) // the shape of a hex SHA-256
		mustCreateSession(b, db, ids[i], fmt.Sprintf("user%d", i%users), t0.Add(time.Hour))
	}
	db.bolt.NoSync = false
	rng := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		id := ids[rng.IntN(sessions)]
		s, err := db.Session(ctx, id)
		if err != nil || s.ID != id {
			b.Fatal(s, err)
		}
	}
}
