// Tests of title folding, listing by title and the migration that builds
// the titles index.

package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

func TestFoldTitle(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"plain", "apple", "apple"},
		{"upper", "ZEBRA", "zebra"},
		{"acute", "Émile", "emile"},
		{"precomposed and combining agree", "E\u0301mile", "emile"},
		{"several marks", "Ångström Crème brûlée", "angstrom creme brulee"},
		{"dotted capital I", "İstanbul", "istanbul"},
		{"ligature", "ﬁle", "file"},
		{"full-width", "ＡＢＣ", "abc"},
		{"sharp s is kept", "Straße", "straße"},
		{"non-Latin lower-cased", "ΣΟΦΙΑ", "σοφια"},
		{"controls dropped", "a\x00b\tc\u0085d", "abcd"},
		{"spaces kept", "apple pie", "apple pie"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := foldTitle(tt.in); got != tt.want {
				t.Errorf("foldTitle(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzTitleKey checks that a folded title never holds the 0x00 that ends
// it, so that every titles key gives back its slug.
func FuzzTitleKey(f *testing.F) {
	for _, s := range []string{"Émile", "a\x00b", "\xff\xfe", "ﬁ", "apple pie"} {
		f.Add(s, "some/slug")
	}
	f.Fuzz(func(t *testing.T, title, slug string) {
		folded := foldTitle(title)
		if strings.IndexByte(folded, 0) >= 0 {
			t.Fatalf("foldTitle(%q) = %q holds 0x00", title, folded)
		}
		if folded != foldTitle(title) {
			t.Fatalf("foldTitle(%q) is not deterministic", title)
		}
		if !storableSlug(slug) {
			return
		}
		got, err := parseTitleKey(titleKey(folded, slug))
		if err != nil || got != slug {
			t.Fatalf("parseTitleKey(titleKey(%q, %q)) = %q, %v", folded, slug, got, err)
		}
	})
}

// listAll pages through Pages with f and returns the slugs in order,
// failing if a page repeats or the listing does not end.
func listAll(t *testing.T, db *DB, f wiki.PageFilter) []string {
	t.Helper()
	got := []string{}
	seen := map[string]bool{}
	for calls := 0; ; calls++ {
		if calls > 1000 {
			t.Fatalf("no end after %d calls", calls)
		}
		pages, next, err := db.Pages(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		if f.Limit > 0 && len(pages) > f.Limit {
			t.Fatalf("%d pages, limit %d", len(pages), f.Limit)
		}
		for _, p := range pages {
			if seen[string(p.Slug)] {
				t.Fatalf("%q listed twice (so far: %q)", p.Slug, got)
			}
			seen[string(p.Slug)] = true
			got = append(got, string(p.Slug))
		}
		if next == "" {
			return got
		}
		if len(pages) == 0 {
			t.Fatal("empty page with a next cursor")
		}
		f.Cursor = next
	}
}

func TestPages_ByTitle(t *testing.T) {
	db := MustOpen(t)
	pages := []struct{ slug, title string }{
		{"z", "zebra"},
		{"people/emile", "Émile"},
		{"fruit/banana", "Banana"},
		{"fruit/apple", "apple"},
		{"apple-2", "Apple"}, // same folded title as fruit/apple: slug decides
		{"fruit/apple-pie", "Apple pie"},
		{"old", "Aardvark"}, // deleted below
		{"umlaut", "Über"},
	}
	for i, p := range pages {
		mustCommit(t, db, newRev(p.slug, wiki.KindCreate, p.title, "x", t0.Add(time.Duration(i)*time.Minute)), 0)
	}
	mustCommit(t, db, newRev("old", wiki.KindDelete, "Aardvark", "", t0.Add(time.Hour)), 1)

	all := []string{"apple-2", "fruit/apple", "fruit/apple-pie", "fruit/banana", "people/emile", "umlaut", "z"}
	tests := []struct {
		name   string
		filter wiki.PageFilter
		want   []string
	}{
		{"all", wiki.PageFilter{}, all},
		{"prefix", wiki.PageFilter{Prefix: "fruit/"}, []string{"fruit/apple", "fruit/apple-pie", "fruit/banana"}},
		{"prefix of one", wiki.PageFilter{Prefix: "people/"}, []string{"people/emile"}},
		{"prefix matching nothing", wiki.PageFilter{Prefix: "zzz"}, []string{}},
		{"prefix with NUL", wiki.PageFilter{Prefix: "fruit\x00"}, []string{}},
	}
	for _, tt := range tests {
		for _, limit := range []int{0, 1, 2, 3, 100} {
			t.Run(fmt.Sprintf("%s/limit %d", tt.name, limit), func(t *testing.T) {
				f := tt.filter
				f.ByTitle, f.Limit = true, limit
				if got := listAll(t, db, f); !slices.Equal(got, tt.want) {
					t.Errorf("got %q\nwant %q", got, tt.want)
				}
			})
		}
	}
	t.Run("summary fields", func(t *testing.T) {
		got, _, err := db.Pages(context.Background(), wiki.PageFilter{ByTitle: true, Prefix: "people/"})
		if err != nil {
			t.Fatal(err)
		}
		want := wiki.PageSummary{Slug: "people/emile", Title: "Émile", Revision: 1, UpdatedAt: t0.Add(time.Minute), Author: "ada", Cohort: "2024-09"}
		if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
}

func TestPages_ByTitleFollowsCommits(t *testing.T) {
	db := MustOpen(t)
	m := time.Minute
	mustCommit(t, db, newRev("a", wiki.KindCreate, "Alpha", "x", t0), 0)
	mustCommit(t, db, newRev("b", wiki.KindCreate, "Bravo", "x", t0), 0)
	mustCommit(t, db, newRev("c", wiki.KindCreate, "Charlie", "x", t0), 0)

	steps := []struct {
		name string
		rev  *wiki.Revision
		head int
		want []string
	}{
		{"created", nil, 0, []string{"a", "b", "c"}},
		{"rename moves a to the end", newRev("a", wiki.KindEdit, "Zulu", "x", t0.Add(m)), 1, []string{"b", "c", "a"}},
		{"edit keeping the title keeps one entry", newRev("a", wiki.KindEdit, "Zulu", "y", t0.Add(2*m)), 2, []string{"b", "c", "a"}},
		{"case-only rename keeps the place", newRev("b", wiki.KindEdit, "BRAVO", "x", t0.Add(2*m)), 1, []string{"b", "c", "a"}},
		{"accent rename moves c first", newRev("c", wiki.KindEdit, "Ábaco", "x", t0.Add(3*m)), 1, []string{"c", "b", "a"}},
		{"delete removes b", newRev("b", wiki.KindDelete, "BRAVO", "", t0.Add(4*m)), 2, []string{"c", "a"}},
		{"restore under a new title puts b back", newRev("b", wiki.KindRestore, "Yankee", "x", t0.Add(5*m)), 3, []string{"c", "b", "a"}},
		{"a new page joins", newRev("d", wiki.KindCreate, "delta", "x", t0.Add(6*m)), 0, []string{"c", "d", "b", "a"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.rev != nil {
				mustCommit(t, db, st.rev, st.head)
			}
			if got := listAll(t, db, wiki.PageFilter{ByTitle: true}); !slices.Equal(got, st.want) {
				t.Errorf("got %q, want %q", got, st.want)
			}
			if n := countKeys(t, db, bucketTitles); n != len(st.want) {
				t.Errorf("titles holds %d keys, want %d", n, len(st.want))
			}
		})
	}
}

// countKeys returns the number of keys in the bucket name.
func countKeys(t *testing.T, db *DB, name []byte) int {
	t.Helper()
	n := 0
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		n = tx.Bucket(name).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPages_ByTitlePaging(t *testing.T) {
	db := MustOpen(t)
	// Slug order runs against title order, and case and accents vary, so
	// only folding the titles gives the order wanted.
	var want []string
	for i := range 25 {
		title := fmt.Sprintf("page %02d", i)
		switch i % 3 {
		case 1:
			title = fmt.Sprintf("PAGE %02d", i)
		case 2:
			title = fmt.Sprintf("Pâge %02d", i)
		}
		slug := fmt.Sprintf("p%02d", 24-i)
		mustCommit(t, db, newRev(slug, wiki.KindCreate, title, "x", t0), 0)
		want = append(want, slug)
	}
	pages, calls := []string{}, 0
	f := wiki.PageFilter{ByTitle: true, Limit: 7}
	for {
		calls++
		got, next, err := db.Pages(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > 7 {
			t.Fatalf("call %d: %d pages, limit 7", calls, len(got))
		}
		for _, p := range got {
			pages = append(pages, string(p.Slug))
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	if !slices.Equal(pages, want) {
		t.Errorf("got %q\nwant %q", pages, want)
	}
	if calls != 4 {
		t.Errorf("%d calls, want 4 (7+7+7+4)", calls)
	}

	t.Run("a page renamed from before the cursor to after it comes again", func(t *testing.T) {
		first, next, err := db.Pages(context.Background(), wiki.PageFilter{ByTitle: true, Limit: 7})
		if err != nil || next == "" {
			t.Fatalf("first: %v, next %q", err, next)
		}
		// Move the first page to the end: it comes again, at its new place.
		moved := first[0]
		mustCommit(t, db, newRev(string(moved.Slug), wiki.KindEdit, "Zzz", "x", t0.Add(time.Minute)), 1)
		f := wiki.PageFilter{ByTitle: true, Limit: 7, Cursor: next}
		rest := listAll(t, db, f)
		if len(rest) != 25-7+1 || rest[len(rest)-1] != string(moved.Slug) {
			t.Errorf("after the cursor: %q", rest)
		}
	})
}

func TestPages_ByTitleRefused(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	for i := range 3 {
		mustCommit(t, db, newRev(fmt.Sprintf("p%d", i), wiki.KindCreate, fmt.Sprintf("P %d", i), "x", t0, "t"), 0)
	}
	_, bySlug, err := db.Pages(ctx, wiki.PageFilter{Limit: 1})
	if err != nil || bySlug == "" {
		t.Fatalf("by slug: cursor %q, %v", bySlug, err)
	}
	_, byTitle, err := db.Pages(ctx, wiki.PageFilter{Limit: 1, ByTitle: true})
	if err != nil || byTitle == "" {
		t.Fatalf("by title: cursor %q, %v", byTitle, err)
	}
	raw := func(b string) string { return base64.RawURLEncoding.EncodeToString([]byte(b)) }

	tests := []struct {
		name   string
		filter wiki.PageFilter
		field  string // the field the ValidationError names
	}{
		{"tag and by title", wiki.PageFilter{Tag: "t", ByTitle: true}, "tag"},
		{"title cursor by slug", wiki.PageFilter{Cursor: byTitle}, "cursor"},
		{"title cursor by tag", wiki.PageFilter{Tag: "t", Cursor: byTitle}, "cursor"},
		{"slug cursor by title", wiki.PageFilter{ByTitle: true, Cursor: bySlug}, "cursor"},
		{"title cursor without separator", wiki.PageFilter{ByTitle: true, Cursor: raw("\x00tp 0")}, "cursor"},
		{"title cursor without slug", wiki.PageFilter{ByTitle: true, Cursor: raw("\x00tp 0\x00")}, "cursor"},
		{"unknown order", wiki.PageFilter{ByTitle: true, Cursor: raw("\x00xp 0\x00p0")}, "cursor"},
		{"marker only", wiki.PageFilter{ByTitle: true, Cursor: raw("\x00")}, "cursor"},
		{"not base64", wiki.PageFilter{ByTitle: true, Cursor: "!!!"}, "cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pages, next, err := db.Pages(ctx, tt.filter)
			var v *wiki.ValidationError
			if !errors.As(err, &v) {
				t.Fatalf("Pages = %d pages, %q, %v; want a ValidationError", len(pages), next, err)
			}
			if _, ok := v.Fields[tt.field]; !ok {
				t.Errorf("error %v does not name %q", err, tt.field)
			}
		})
	}
	t.Run("a well-formed title cursor is accepted", func(t *testing.T) {
		got, _, err := db.Pages(ctx, wiki.PageFilter{ByTitle: true, Cursor: raw("\x00tp 0\x00p0")})
		if err != nil || len(got) != 2 || got[0].Slug != "p1" {
			t.Errorf("got %+v, %v; want p1 and p2", got, err)
		}
	})
}

// TestMigrateV2 opens a version 2 file, which has no titles index and no
// TitleKey in page records, and checks that Open builds both.
func TestMigrateV2(t *testing.T) {
	path := filepath.Join(t.TempDir(), "faqwiki.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// More pages than one migration batch, so that it must seek back.
	n := 2*titleBatch + 5
	db.bolt.NoSync = true // setup speed only
	var want []string
	for i := range n {
		slug := fmt.Sprintf("p%04d", n-1-i)
		title := fmt.Sprintf("Page %04d", i)
		if i%2 == 1 {
			title = strings.ToUpper(title)
		}
		mustCommit(t, db, newRev(slug, wiki.KindCreate, title, "x", t0), 0)
		want = append(want, slug)
	}
	mustCommit(t, db, newRev("gone", wiki.KindCreate, "Gone", "x", t0), 0)
	mustCommit(t, db, newRev("gone", wiki.KindDelete, "Gone", "", t0), 1)
	db.bolt.NoSync = false
	// Turn the file into what version 2 wrote: no titles bucket, and page
	// records without title_key.
	db = reopenAsVersion(t, db, 2, func(tx *bbolt.Tx) error {
		if err := tx.DeleteBucket(bucketTitles); err != nil {
			return err
		}
		pages := tx.Bucket(bucketPages)
		var keys, vals [][]byte
		err := pages.ForEach(func(k, v []byte) error {
			var rec map[string]any
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			delete(rec, "title_key")
			old, err := json.Marshal(rec)
			keys, vals = append(keys, slices.Clone(k)), append(vals, old)
			return err
		})
		if err != nil {
			return err
		}
		for i := range keys {
			if err := pages.Put(keys[i], vals[i]); err != nil {
				return err
			}
		}
		return nil
	})
	err = db.bolt.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketPages).ForEach(func(k, v []byte) error {
			rec, err := decodePage(v)
			if err != nil {
				return err
			}
			if wantKey := foldTitle(rec.Title); !rec.Deleted && rec.TitleKey != wantKey {
				t.Errorf("page %q: TitleKey %q, want %q", k, rec.TitleKey, wantKey)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := listAll(t, db, wiki.PageFilter{ByTitle: true, Limit: maxLimit}); !slices.Equal(got, want) {
		t.Errorf("by title after migration: %d pages, want %d; first %q", len(got), len(want), got[:min(len(got), 5)])
	}
	if got := countKeys(t, db, bucketTitles); got != n {
		t.Errorf("titles holds %d keys, want %d", got, n)
	}
	// New commits keep the index going: a rename leaves no stale key.
	mustCommit(t, db, newRev(want[0], wiki.KindEdit, "Zzz", "x", t0.Add(time.Minute)), 1)
	got, _, err := db.Pages(context.Background(), wiki.PageFilter{ByTitle: true, Limit: 1})
	if err != nil || len(got) != 1 || string(got[0].Slug) != want[1] {
		t.Errorf("first by title after a rename = %+v, %v; want %q", got, err, want[1])
	}
	if got := countKeys(t, db, bucketTitles); got != n {
		t.Errorf("titles holds %d keys after a rename, want %d", got, n)
	}
}
