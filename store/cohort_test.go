// Tests of cohorts and their invite codes.

package store

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

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
