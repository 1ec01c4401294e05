package store

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// mustCreateCohort creates the cohort id with invite code code, starting
// on startsOn.
func mustCreateCohort(tb testing.TB, db *DB, id, code string, startsOn time.Time) *wiki.Cohort {
	tb.Helper()
	c := &wiki.Cohort{ID: id, Name: "Cohort " + id, StartsOn: startsOn, Trainers: []string{"grace"}, InviteCode: code}
	if err := db.CreateCohort(context.Background(), c); err != nil {
		tb.Fatalf("CreateCohort(%q): %v", id, err)
	}
	return c
}

func TestCreateCohort(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{now: t0}
	db := mustOpenClock(t, clock)
	day := 24 * time.Hour

	c := mustCreateCohort(t, db, "2024-09", "code-a", t0)
	want := &wiki.Cohort{ID: "2024-09", Name: "Cohort 2024-09", StartsOn: t0, Trainers: []string{"grace"},
		InviteCode: "code-a", CreatedAt: t0}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("after CreateCohort c = %+v\nwant %+v", c, want)
	}
	got, err := db.Cohort(ctx, "2024-09")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Cohort = %+v, %v\nwant %+v", got, err, want)
	}
	if _, err := db.Cohort(ctx, "nope"); err == nil || err.Error() != `store: cohort "nope": wiki: not found` {
		t.Errorf("Cohort(nope) = %v", err)
	}

	t.Run("errors", func(t *testing.T) {
		tests := []struct {
			name string
			c    *wiki.Cohort
			want func(error) bool
		}{
			{"duplicate id", &wiki.Cohort{ID: "2024-09", InviteCode: "fresh"}, func(err error) bool {
				return errors.Is(err, wiki.ErrConflict)
			}},
			{"duplicate code", &wiki.Cohort{ID: "2024-10", InviteCode: "code-a"}, func(err error) bool {
				return errors.Is(err, wiki.ErrConflict) && !strings.Contains(err.Error(), "code-a")
			}},
			{"NUL in code", &wiki.Cohort{ID: "2024-10", InviteCode: "a\x00"}, func(err error) bool {
				var v *wiki.ValidationError
				return errors.As(err, &v) && v.Fields["invite_code"] != ""
			}},
			{"start out of range", &wiki.Cohort{ID: "2024-10", StartsOn: time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)}, func(err error) bool {
				var v *wiki.ValidationError
				return errors.As(err, &v) && v.Fields["starts_on"] != ""
			}},
		}
		before := snapshot(t, db)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := db.CreateCohort(ctx, tt.c); !tt.want(err) {
					t.Errorf("CreateCohort = %v", err)
				}
				if !tt.c.CreatedAt.IsZero() {
					t.Error("failed CreateCohort changed the cohort")
				}
			})
		}
		if err := db.CreateCohort(ctx, nil); err == nil {
			t.Error("CreateCohort(nil): no error")
		}
		if snapshot(t, db) != before {
			t.Error("failed CreateCohort wrote something")
		}
	})

	t.Run("list order", func(t *testing.T) {
		mustCreateCohort(t, db, "2025-01-b", "code-b", t0.Add(120*day))
		mustCreateCohort(t, db, "2025-01-a", "code-c", t0.Add(120*day))
		mustCreateCohort(t, db, "2024-01", "", t0.Add(-240*day))
		mustCreateCohort(t, db, "undated", "", time.Time{}) // no code either, like 2024-01
		list, err := db.Cohorts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range list {
			ids = append(ids, c.ID)
		}
		if want := []string{"undated", "2024-01", "2024-09", "2025-01-a", "2025-01-b"}; !reflect.DeepEqual(ids, want) {
			t.Errorf("Cohorts = %v, want %v", ids, want)
		}
		if !list[0].StartsOn.IsZero() {
			t.Errorf("undated cohort starts on %s", list[0].StartsOn)
		}
	})
}

func TestCohorts_Empty(t *testing.T) {
	list, err := MustOpen(t).Cohorts(context.Background())
	if err != nil || list == nil || len(list) != 0 {
		t.Errorf("Cohorts = %v, %v; want an empty slice", list, err)
	}
}

func TestUpdateCohort(t *testing.T) {
	ctx := context.Background()
	errNope := errors.New("nope")
	isValidation := func(field string) func(error) bool {
		return func(err error) bool {
			var v *wiki.ValidationError
			return errors.As(err, &v) && v.Fields[field] != ""
		}
	}
	tests := []struct {
		name     string
		id       string
		fn       func(c *wiki.Cohort) error
		wantErr  func(error) bool // nil: success
		signUpOK []string         // invite codes that sign up into c1 afterwards
	}{
		{"rename and rotate invite", "c1", func(c *wiki.Cohort) error {
			c.Name, c.InviteCode = "Renamed", "new-code"
			return nil
		}, nil, []string{"new-code"}},
		{"invites off", "c1", func(c *wiki.Cohort) error {
			c.InviteCode = ""
			return nil
		}, nil, nil},
		{"same code kept", "c1", func(c *wiki.Cohort) error {
			c.Trainers = append(c.Trainers, "linus")
			return nil
		}, nil, []string{"old-code"}},
		{"code of another cohort", "c1", func(c *wiki.Cohort) error {
			c.InviteCode = "other-code"
			return nil
		}, func(err error) bool { return errors.Is(err, wiki.ErrConflict) }, []string{"old-code"}},
		{"fn error aborts", "c1", func(c *wiki.Cohort) error {
			c.InviteCode = "new-code" // must not take effect
			return errNope
		}, func(err error) bool { return err == errNope }, []string{"old-code"}},
		{"id change refused", "c1", func(c *wiki.Cohort) error {
			c.ID = "c3"
			return nil
		}, isValidation("id"), []string{"old-code"}},
		{"NUL in new code", "c1", func(c *wiki.Cohort) error {
			c.InviteCode = "x\x00"
			return nil
		}, isValidation("invite_code"), []string{"old-code"}},
		{"missing cohort", "c9", func(c *wiki.Cohort) error {
			t.Error("fn called for a missing cohort")
			return nil
		}, func(err error) bool { return errors.Is(err, wiki.ErrNotFound) }, []string{"old-code"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpen(t)
			c1 := mustCreateCohort(t, db, "c1", "old-code", t0)
			mustCreateCohort(t, db, "c2", "other-code", t0)
			before := snapshot(t, db)

			got, err := db.UpdateCohort(ctx, tt.id, tt.fn)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				stored, err := db.Cohort(ctx, "c1")
				if err != nil || !reflect.DeepEqual(got, stored) || !stored.CreatedAt.Equal(c1.CreatedAt) {
					t.Errorf("UpdateCohort returned %+v, stored %+v, %v", got, stored, err)
				}
			} else {
				if !tt.wantErr(err) || got != nil {
					t.Fatalf("UpdateCohort = %v, %v; not the error wanted", got, err)
				}
				if snapshot(t, db) != before {
					t.Error("failed UpdateCohort wrote something")
				}
			}

			ok := map[string]bool{}
			for _, code := range tt.signUpOK {
				ok[code] = true
			}
			for i, code := range []string{"old-code", "new-code", "other-code", ""} {
				a := newAccount("user" + string(rune('a'+i)))
				c, err := db.SignUp(ctx, code, a)
				switch {
				case code == "other-code":
					if err != nil || c.ID != "c2" {
						t.Errorf("SignUp(other-code) = %v, %v; want c2", c, err)
					}
				case ok[code]:
					if err != nil || c.ID != "c1" || a.Cohort != "c1" {
						t.Errorf("SignUp(%q) = %v, %v; want c1", code, c, err)
					}
				case !errors.Is(err, wiki.ErrNotFound):
					t.Errorf("SignUp(%q) = %v; want ErrNotFound", code, err)
				}
			}
		})
	}
}

func TestCohortChanges(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	commits := []struct {
		slug, author, cohort string
	}{
		{"vpn", "ada", "c1"},
		{"wifi", "bob", ""},
		{"vpn", "ada", "c1-b"}, // ada moved on: later revisions carry her new cohort
		{"lunch", "cy", "c1"},
		{"wifi", "ada", ""},
		{"vpn", "cy", "c1"},
	}
	heads := map[string]int{}
	for i, c := range commits {
		rev := newRev(c.slug, wiki.KindEdit, strings.ToUpper(c.slug), "x", t0.Add(time.Duration(i)*time.Minute))
		rev.Author, rev.Cohort = c.author, c.cohort
		mustCommit(t, db, rev, heads[c.slug])
		heads[c.slug]++
	}
	all, err := db.Changes(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	pick := func(seqs ...int) []wiki.Change {
		out := []wiki.Change{}
		for _, s := range seqs {
			out = append(out, all[s-1])
		}
		return out
	}

	t.Run("by cohort", func(t *testing.T) {
		tests := []struct {
			cohort string
			want   []wiki.Change
		}{
			{"c1", pick(1, 4, 6)},
			{"c1-b", pick(3)},
			{"c", pick()},
			{"unknown", pick()},
		}
		for _, tt := range tests {
			t.Run(tt.cohort, func(t *testing.T) {
				got, err := db.CohortChanges(ctx, tt.cohort)
				if err != nil {
					t.Fatal(err)
				}
				if got == nil || !reflect.DeepEqual(got, tt.want) {
					t.Errorf("CohortChanges(%q) = %+v\nwant %+v", tt.cohort, got, tt.want)
				}
			})
		}
	})

	t.Run("by author", func(t *testing.T) {
		tests := []struct {
			author string
			limit  int
			want   []wiki.Change
		}{
			{"ada", 0, pick(5, 3, 1)},
			{"ada", 2, pick(5, 3)},
			{"bob", 10, pick(2)},
			{"cy", 1, pick(6)},
			{"ad", 10, pick()},
			{"nobody", 10, pick()},
		}
		for _, tt := range tests {
			t.Run(tt.author, func(t *testing.T) {
				got, err := db.AuthorChanges(ctx, tt.author, tt.limit)
				if err != nil {
					t.Fatal(err)
				}
				if got == nil || !reflect.DeepEqual(got, tt.want) {
					t.Errorf("AuthorChanges(%q, %d) = %+v\nwant %+v", tt.author, tt.limit, got, tt.want)
				}
			})
		}
	})

	t.Run("NUL cohort refused by Commit", func(t *testing.T) {
		rev := newRev("x", wiki.KindCreate, "X", "x", t0)
		rev.Cohort = "c1\x00"
		var v *wiki.ValidationError
		if err := db.Commit(ctx, rev, 0); !errors.As(err, &v) {
			t.Errorf("Commit = %v, want a *wiki.ValidationError", err)
		}
	})
}

func TestPagesAt(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	h := time.Hour
	// a: created, then edited at +2h.
	mustCommit(t, db, newRev("a", wiki.KindCreate, "A", "one", t0, "x"), 0)
	edit := newRev("a", wiki.KindEdit, "A two", "two", t0.Add(2*h), "y")
	edit.Author, edit.Cohort = "bob", "2025-01"
	mustCommit(t, db, edit, 1)
	// b: created, deleted at +1h.
	mustCommit(t, db, newRev("b", wiki.KindCreate, "B", "x", t0), 0)
	mustCommit(t, db, newRev("b", wiki.KindDelete, "B", "", t0.Add(h)), 1)
	// c: created at +3h.
	mustCommit(t, db, newRev("c", wiki.KindCreate, "C", "x", t0.Add(3*h)), 0)
	// d: created, deleted at +1h, restored at +2h.
	mustCommit(t, db, newRev("d", wiki.KindCreate, "D", "x", t0), 0)
	mustCommit(t, db, newRev("d", wiki.KindDelete, "D", "", t0.Add(h)), 1)
	mustCommit(t, db, newRev("d", wiki.KindRestore, "D back", "x", t0.Add(2*h)), 2)
	// a-b: a neighbour whose revtimes keys sort right after a's.
	mustCommit(t, db, newRev("a-b", wiki.KindCreate, "A-B", "x", t0.Add(-h)), 0)

	// The cohort is the head author's: ada's is 2024-09, bob's 2025-01.
	sum := func(slug string, rev int, title string, at time.Time, author, cohort string, tags ...string) wiki.PageSummary {
		return wiki.PageSummary{Slug: wiki.Slug(slug), Title: title, Revision: rev, UpdatedAt: at, Author: author, Cohort: cohort, Tags: tags}
	}
	aOld := sum("a", 1, "A", t0, "ada", "2024-09", "x")
	aNew := sum("a", 2, "A two", t0.Add(2*h), "bob", "2025-01", "y")
	ab := sum("a-b", 1, "A-B", t0.Add(-h), "ada", "2024-09")
	tests := []struct {
		name string
		at   time.Time
		want []wiki.PageSummary
	}{
		{"before everything", t0.Add(-2 * h), []wiki.PageSummary{}},
		{"far past", time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), []wiki.PageSummary{}},
		{"just before the start", t0.Add(-time.Nanosecond), []wiki.PageSummary{ab}},
		{"at the start", t0, []wiki.PageSummary{aOld, ab, sum("b", 1, "B", t0, "ada", "2024-09"), sum("d", 1, "D", t0, "ada", "2024-09")}},
		{"deletes done, edit not yet", t0.Add(90 * time.Minute), []wiki.PageSummary{aOld, ab}},
		{"edit and restore done", t0.Add(2 * h), []wiki.PageSummary{aNew, ab, sum("d", 3, "D back", t0.Add(2*h), "ada", "2024-09")}},
		{"everything", maxTime.Add(h), []wiki.PageSummary{aNew, ab, sum("c", 1, "C", t0.Add(3*h), "ada", "2024-09"), sum("d", 3, "D back", t0.Add(2*h), "ada", "2024-09")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.PagesAt(ctx, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("PagesAt = %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestMigrateV1 opens a version 1 file, which has no change indexes, and
// checks that Open indexes the changes already in the feed.
func TestMigrateV1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "faqwiki.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustCommit(t, db, newRev("vpn", wiki.KindCreate, "VPN", "x", t0), 0) // ada, 2024-09
	anon := newRev("wifi", wiki.KindCreate, "Wi-Fi", "x", t0)
	anon.Author, anon.Cohort = "", ""
	mustCommit(t, db, anon, 0)
	mustCommit(t, db, newRev("vpn", wiki.KindEdit, "VPN", "y", t0.Add(time.Minute)), 1)
	// Turn the file into what version 1 wrote: no index buckets.
	db = reopenAsVersion(t, db, 1, func(tx *bbolt.Tx) error {
		for _, name := range [][]byte{bucketCohortChanges, bucketAuthorChanges, bucketAccounts, bucketInvites} {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := db.CohortChanges(ctx, "2024-09")
	if err != nil || len(got) != 2 || got[0].Seq != 1 || got[1].Seq != 3 {
		t.Errorf("CohortChanges after migration = %+v, %v; want seqs 1 and 3", got, err)
	}
	got, err = db.AuthorChanges(ctx, "ada", 10)
	if err != nil || len(got) != 2 || got[0].Seq != 3 || got[1].Seq != 1 {
		t.Errorf("AuthorChanges after migration = %+v, %v; want seqs 3 and 1", got, err)
	}
	if n, err := db.CountAccounts(ctx); err != nil || n != 0 {
		t.Errorf("CountAccounts = %d, %v", n, err)
	}
	// Later steps run too: the counters are rebuilt from the feed.
	wantTotals := map[string]wiki.CohortTotals{"2024-09": {Revisions: 2, Created: 1}}
	if got, err := db.CohortTotals(ctx); err != nil || !reflect.DeepEqual(got, wantTotals) {
		t.Errorf("CohortTotals after migration = %+v, %v; want %+v", got, err, wantTotals)
	}
	// New commits keep the index going.
	mustCommit(t, db, newRev("vpn", wiki.KindEdit, "VPN", "z", t0.Add(2*time.Minute)), 2)
	if got, err := db.CohortChanges(ctx, "2024-09"); err != nil || len(got) != 3 {
		t.Errorf("CohortChanges after a new commit = %d changes, %v; want 3", len(got), err)
	}
}

func TestMigrate_NoPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "faqwiki.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = db.bolt.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(metaSchemaVersion, u64(0))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(path, Options{})
	if err == nil {
		db.Close()
		t.Fatal("Open of a version 0 file succeeded")
	}
	if !strings.Contains(err.Error(), "no migration") {
		t.Errorf("err = %v", err)
	}
}
