// Tests of API tokens.

package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
)

func TestTokens(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{now: t0}
	db := mustOpenClock(t, clock)
	for _, u := range []string{"ada", "adam", "bob"} {
		mustCreateAccount(t, db, u)
	}
	create := []*wiki.Token{
		{ID: "t3", Name: "later", Username: "ada", CreatedAt: t0.Add(time.Hour)},
		{ID: "t1", Name: "import script", Username: "ada"}, // the clock: t0
		{ID: "t2", Name: "bot", Username: "bob"},
		{ID: "t4", Name: "ci", Username: "adam"},
	}
	for _, tok := range create {
		if err := db.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	if !create[1].CreatedAt.Equal(t0) {
		t.Errorf("CreatedAt = %s, want the clock's", create[1].CreatedAt)
	}
	got, err := db.Token(ctx, "t1")
	if err != nil || !reflect.DeepEqual(got, create[1]) {
		t.Errorf("Token = %+v, %v; want %+v", got, err, create[1])
	}

	t.Run("list", func(t *testing.T) {
		tests := []struct {
			username string
			want     []string
		}{
			{"ada", []string{"t1", "t3"}},
			{"adam", []string{"t4"}},
			{"bob", []string{"t2"}},
			{"nobody", []string{}},
			{"", []string{"t1", "t3", "t4", "t2"}},
		}
		for _, tt := range tests {
			t.Run(tt.username, func(t *testing.T) {
				list, err := db.Tokens(ctx, tt.username)
				if err != nil {
					t.Fatal(err)
				}
				ids := []string{}
				for _, tok := range list {
					ids = append(ids, tok.ID)
				}
				if !reflect.DeepEqual(ids, tt.want) {
					t.Errorf("Tokens(%q) = %v, want %v", tt.username, ids, tt.want)
				}
			})
		}
	})

	t.Run("create errors", func(t *testing.T) {
		before := snapshot(t, db)
		if err := db.CreateToken(ctx, &wiki.Token{ID: "t1", Username: "bob"}); !errors.Is(err, wiki.ErrConflict) {
			t.Errorf("duplicate id: %v, want ErrConflict", err)
		}
		if err := db.CreateToken(ctx, &wiki.Token{ID: "t9", Username: "nobody"}); !errors.Is(err, wiki.ErrNotFound) {
			t.Errorf("no such account: %v, want ErrNotFound", err)
		}
		if err := db.CreateToken(ctx, nil); err == nil {
			t.Error("CreateToken(nil): no error")
		}
		if snapshot(t, db) != before {
			t.Error("failed CreateToken wrote something")
		}
	})

	t.Run("delete", func(t *testing.T) {
		if err := db.DeleteToken(ctx, "t1"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Token(ctx, "t1"); !errors.Is(err, wiki.ErrNotFound) {
			t.Errorf("Token after delete = %v, want ErrNotFound", err)
		}
		if err := db.DeleteToken(ctx, "t1"); !errors.Is(err, wiki.ErrNotFound) {
			t.Errorf("second DeleteToken = %v, want ErrNotFound", err)
		}
		list, err := db.Tokens(ctx, "ada")
		if err != nil || len(list) != 1 || list[0].ID != "t3" {
			t.Errorf("Tokens(ada) after delete = %v, %v", list, err)
		}
		if a, b := bucketLen(t, db, bucketTokens), bucketLen(t, db, bucketUserTokens); a != 3 || b != 3 {
			t.Errorf("%d tokens, %d usertokens keys; want 3 each", a, b)
		}
	})
}
