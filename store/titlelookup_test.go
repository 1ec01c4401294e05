package store

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
)

// TestPages_TitlePrefix: the page picker's list, pages whose title starts
// with what was typed (case and accents aside), at every page size.
func TestPages_TitlePrefix(t *testing.T) {
	db := MustOpen(t)
	for i, p := range []struct{ slug, title string }{
		{"vpn", "VPN access"}, {"it/vpn-2", "vpn client"}, {"visa", "Visas"},
		{"emile", "Émile's guide"}, {"old", "VPN old"}, {"about", "About the VPN"},
	} {
		mustCommit(t, db, newRev(p.slug, wiki.KindCreate, p.title, "x", t0.Add(time.Duration(i)*time.Minute)), 0)
	}
	mustCommit(t, db, newRev("old", wiki.KindDelete, "VPN old", "", t0.Add(time.Hour)), 1)
	tests := []struct {
		prefix string
		want   []string
	}{
		{"vpn", []string{"vpn", "it/vpn-2"}},
		{"VPN A", []string{"vpn"}},
		{"v", []string{"visa", "vpn", "it/vpn-2"}},
		{"emile", []string{"emile"}}, // accents aside
		{"Émile's g", []string{"emile"}},
		{"zz", []string{}},
		{"vpn access and more", []string{}},
	}
	for _, tt := range tests {
		for _, limit := range []int{1, 2, 50} {
			t.Run(fmt.Sprintf("%s/%d", tt.prefix, limit), func(t *testing.T) {
				got := listAll(t, db, wiki.PageFilter{TitlePrefix: tt.prefix, Limit: limit})
				if !slices.Equal(got, tt.want) {
					t.Errorf("got %q, want %q", got, tt.want)
				}
			})
		}
	}
	// With a slug prefix too.
	if got := listAll(t, db, wiki.PageFilter{TitlePrefix: "vpn", Prefix: "it/"}); !slices.Equal(got, []string{"it/vpn-2"}) {
		t.Errorf("with a slug prefix: %q", got)
	}
}

// TestPagesTitled: pages by their title, the first made first, live pages
// only.
func TestPagesTitled(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	mustCommit(t, db, newRev("z-first", wiki.KindCreate, "Onboarding overview", "x", t0), 0)
	mustCommit(t, db, newRev("a-second", wiki.KindCreate, "ONBOARDING Overview", "x", t0.Add(time.Minute)), 0)
	mustCommit(t, db, newRev("gone", wiki.KindCreate, "Onboarding overview", "x", t0.Add(2*time.Minute)), 0)
	mustCommit(t, db, newRev("gone", wiki.KindDelete, "Onboarding overview", "", t0.Add(3*time.Minute)), 1)
	mustCommit(t, db, newRev("cafe", wiki.KindCreate, "Café", "x", t0), 0)
	got, err := db.PagesTitled(ctx, []string{"onboarding  overview", "cafe", "nothing", "", "a\x00b"})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]wiki.Slug{{"z-first", "a-second"}, {"cafe"}, nil, nil, nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
