// Tests of page heads, the wiki at a point in time, listings by slug, tag
// and time, and reads from a corrupt file.

package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

func TestPage_NotFound(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustCommit(t, db, newRev("a-b", wiki.KindCreate, "A B", "x", t0), 0)
	for _, slug := range []wiki.Slug{"a", "a-", "a-b/c", "", "a-b\x00"} {
		t.Run(string(slug), func(t *testing.T) {
			p, err := db.Page(ctx, slug)
			if !errors.Is(err, wiki.ErrNotFound) || p != nil {
				t.Errorf("Page(%q) = %v, %v; want nil, ErrNotFound", slug, p, err)
			}
		})
	}
	_, err := db.Page(ctx, "nope")
	if want := `store: page "nope": wiki: not found`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestPageAt(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	h := time.Hour
	mustCommit(t, db, newRev("vpn", wiki.KindCreate, "VPN", "one", t0), 0)
	mustCommit(t, db, newRev("vpn", wiki.KindEdit, "VPN", "two", t0.Add(h)), 1)
	mustCommit(t, db, newRev("vpn", wiki.KindEdit, "VPN", "three", t0.Add(h)), 2) // same time as 2
	mustCommit(t, db, newRev("vpn", wiki.KindDelete, "VPN", "", t0.Add(2*h)), 3)
	mustCommit(t, db, newRev("vpn", wiki.KindRestore, "VPN again", "three", t0.Add(3*h)), 4)
	// Neighbours whose keys sort right around vpn's, to catch prefix slips.
	mustCommit(t, db, newRev("vp", wiki.KindCreate, "VP", "x", t0.Add(-h)), 0)
	mustCommit(t, db, newRev("vpn-2", wiki.KindCreate, "VPN 2", "x", t0.Add(-h)), 0)
	mustCommit(t, db, newRev("vpn/old", wiki.KindCreate, "VPN old", "x", t0.Add(-h)), 0)

	tests := []struct {
		name        string
		at          time.Time
		wantRev     int // 0: ErrNotFound
		wantText    string
		wantDeleted bool
	}{
		{"long before creation", time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), 0, "", false},
		{"just before creation", t0.Add(-time.Nanosecond), 0, "", false},
		{"exactly at creation", t0, 1, "one", false},
		{"between revisions", t0.Add(30 * time.Minute), 1, "one", false},
		{"two revisions at one time: the later", t0.Add(h), 3, "three", false},
		{"after the delete", t0.Add(2*h + time.Minute), 4, "", true},
		{"after the restore", t0.Add(5 * h), 5, "three", false},
		{"far future", time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), 5, "three", false},
		{"other zone", t0.Add(30 * time.Minute).In(time.FixedZone("X", -5*3600)), 1, "one", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := db.PageAt(ctx, "vpn", tt.at)
			if tt.wantRev == 0 {
				if !errors.Is(err, wiki.ErrNotFound) || p != nil {
					t.Fatalf("PageAt = %+v, %v; want ErrNotFound", p, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Revision != tt.wantRev || p.Markdown != tt.wantText || p.Deleted != tt.wantDeleted {
				t.Errorf("PageAt = revision %d %q deleted %v; want %d %q %v",
					p.Revision, p.Markdown, p.Deleted, tt.wantRev, tt.wantText, tt.wantDeleted)
			}
			if !p.CreatedAt.Equal(t0) || p.Slug != "vpn" {
				t.Errorf("PageAt: slug %q, CreatedAt %s", p.Slug, p.CreatedAt)
			}
			rev, err := db.Revision(ctx, "vpn", tt.wantRev)
			if err != nil {
				t.Fatal(err)
			}
			if !p.UpdatedAt.Equal(rev.CreatedAt) || p.Title != rev.Title {
				t.Errorf("PageAt: UpdatedAt %s, title %q; revision has %s, %q", p.UpdatedAt, p.Title, rev.CreatedAt, rev.Title)
			}
		})
	}
	if _, err := db.PageAt(ctx, "never", t0); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("PageAt(never) = %v, want ErrNotFound", err)
	}
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
	// a-b: a neighbour whose revision keys sort right after a's.
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

// pageSet builds the pages the listing tests read.
func pageSet(t *testing.T, db *DB) {
	t.Helper()
	pages := []struct {
		slug string
		tags []string
	}{
		{"about", []string{"intro"}},
		{"benefits", []string{"hr"}},
		{"benefits/dental", []string{"hr", "health"}},
		{"benefits/gym", []string{"health"}},
		{"benefits/old", []string{"hr"}}, // deleted below
		{"benefitsx", []string{"hr"}},
		{"travel", []string{"travel"}},
		{"travel/per-diem", []string{"money", "travel"}},
		{"travel/visa", []string{"travel"}},
		{"travel/visa-old", []string{"travel"}}, // deleted below
		{"vpn", []string{"it"}},
		{"wifi", []string{"it"}},
	}
	for i, p := range pages {
		mustCommit(t, db, newRev(p.slug, wiki.KindCreate, strings.ToUpper(p.slug), "x", t0.Add(time.Duration(i)*time.Minute), p.tags...), 0)
	}
	for _, slug := range []string{"benefits/old", "travel/visa-old"} {
		mustCommit(t, db, newRev(slug, wiki.KindDelete, "gone", "", t0.Add(time.Hour)), 1)
	}
	// A tag moved: wifi is no longer "it" but "network".
	mustCommit(t, db, newRev("wifi", wiki.KindEdit, "WIFI", "y", t0.Add(time.Hour), "network"), 1)
}

func TestPages(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	pageSet(t, db)

	tests := []struct {
		name   string
		filter wiki.PageFilter
		want   []string
	}{
		{"all", wiki.PageFilter{}, []string{"about", "benefits", "benefits/dental", "benefits/gym", "benefitsx", "travel", "travel/per-diem", "travel/visa", "vpn", "wifi"}},
		{"prefix", wiki.PageFilter{Prefix: "benefits/"}, []string{"benefits/dental", "benefits/gym"}},
		{"prefix without slash", wiki.PageFilter{Prefix: "benefits"}, []string{"benefits", "benefits/dental", "benefits/gym", "benefitsx"}},
		{"prefix matching nothing", wiki.PageFilter{Prefix: "zzz"}, []string{}},
		{"tag", wiki.PageFilter{Tag: "hr"}, []string{"benefits", "benefits/dental", "benefitsx"}},
		{"tag and prefix", wiki.PageFilter{Tag: "travel", Prefix: "travel/"}, []string{"travel/per-diem", "travel/visa"}},
		{"tag moved away", wiki.PageFilter{Tag: "it"}, []string{"vpn"}},
		{"tag moved to", wiki.PageFilter{Tag: "network"}, []string{"wifi"}},
		{"unknown tag", wiki.PageFilter{Tag: "nope"}, []string{}},
		{"tag with NUL", wiki.PageFilter{Tag: "hr\x00"}, []string{}},
		{"prefix with NUL", wiki.PageFilter{Prefix: "benefits\x00"}, []string{}},
		{"tag of only deleted pages' past", wiki.PageFilter{Tag: "travel", Prefix: "travel/visa-"}, []string{}},
	}
	for _, tt := range tests {
		for _, limit := range []int{0, 1, 2, 3, 100} {
			t.Run(fmt.Sprintf("%s/limit %d", tt.name, limit), func(t *testing.T) {
				f := tt.filter
				f.Limit = limit
				got := []string{}
				for calls := 0; ; calls++ {
					if calls > len(tt.want)+1 {
						t.Fatalf("no end after %d calls", calls)
					}
					pages, next, err := db.Pages(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					if limit > 0 && len(pages) > limit {
						t.Fatalf("%d pages, limit %d", len(pages), limit)
					}
					for _, p := range pages {
						got = append(got, string(p.Slug))
					}
					if next == "" {
						break
					}
					if len(pages) == 0 {
						t.Fatal("empty page with a next cursor")
					}
					f.Cursor = next
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("got %q\nwant %q", got, tt.want)
				}
			})
		}
	}
}

func TestPages_Cursor(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	for i := range 4 {
		mustCommit(t, db, newRev(fmt.Sprintf("p%d", i), wiki.KindCreate, "P", "x", t0, "t"), 0)
	}
	t.Run("no next cursor when the last page fills the limit", func(t *testing.T) {
		pages, next, err := db.Pages(ctx, wiki.PageFilter{Limit: 2})
		if err != nil || len(pages) != 2 || next == "" {
			t.Fatalf("first: %d pages, next %q, %v", len(pages), next, err)
		}
		pages, next, err = db.Pages(ctx, wiki.PageFilter{Limit: 2, Cursor: next})
		if err != nil || len(pages) != 2 || next != "" {
			t.Fatalf("second: %d pages, next %q, %v", len(pages), next, err)
		}
	})
	t.Run("summary fields", func(t *testing.T) {
		pages, _, err := db.Pages(ctx, wiki.PageFilter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		want := wiki.PageSummary{Slug: "p0", Title: "P", Revision: 1, UpdatedAt: t0, Author: "ada", Cohort: "2024-09", Tags: []string{"t"}}
		if !reflect.DeepEqual(pages[0], want) {
			t.Errorf("got %+v, want %+v", pages[0], want)
		}
	})
	for _, c := range []string{"!!!", "A", encodeCursor("a\x00b"), "garbage", encodeCursor("Not A Slug")} {
		t.Run("bad cursor "+c, func(t *testing.T) {
			_, _, err := db.Pages(ctx, wiki.PageFilter{Cursor: c})
			var v *wiki.ValidationError
			if !errors.As(err, &v) {
				t.Errorf("err = %v, want a ValidationError", err)
			}
		})
	}
	t.Run("limit capped", func(t *testing.T) {
		db.bolt.NoSync = true // setup speed only
		defer func() { db.bolt.NoSync = false }()
		for i := 4; i < maxLimit+10; i++ {
			if err := db.Commit(ctx, newRev(fmt.Sprintf("p%d", i), wiki.KindCreate, "P", "x", t0), 0); err != nil {
				t.Fatal(err)
			}
		}
		pages, next, err := db.Pages(ctx, wiki.PageFilter{Limit: 1 << 30})
		if err != nil || len(pages) != maxLimit || next == "" {
			t.Errorf("got %d pages, next %q, %v; want %d and a cursor", len(pages), next, err, maxLimit)
		}
		pages, _, err = db.Pages(ctx, wiki.PageFilter{Limit: -1})
		if err != nil || len(pages) != defaultLimit {
			t.Errorf("Limit -1: %d pages, %v; want %d", len(pages), err, defaultLimit)
		}
	})
}

func TestRecentPages(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	m := time.Minute
	mustCommit(t, db, newRev("a", wiki.KindCreate, "A", "x", t0), 0)
	mustCommit(t, db, newRev("b", wiki.KindCreate, "B", "x", t0.Add(m)), 0)
	mustCommit(t, db, newRev("c", wiki.KindCreate, "C", "x", t0.Add(2*m)), 0)
	mustCommit(t, db, newRev("d", wiki.KindCreate, "D", "x", t0.Add(3*m)), 0)

	steps := []struct {
		name  string
		rev   *wiki.Revision
		head  int
		limit int
		want  []string
	}{
		{"created", nil, 0, 0, []string{"d", "c", "b", "a"}},
		{"edit moves a to the top", newRev("a", wiki.KindEdit, "A", "y", t0.Add(4*m)), 1, 0, []string{"a", "d", "c", "b"}},
		{"limit", nil, 0, 2, []string{"a", "d"}},
		{"delete drops c", newRev("c", wiki.KindDelete, "C", "", t0.Add(5*m)), 1, 0, []string{"a", "d", "b"}},
		{"restore brings c back", newRev("c", wiki.KindRestore, "C", "x", t0.Add(6*m)), 2, 0, []string{"c", "a", "d", "b"}},
		// b's clock is behind: its edit is clamped to b's own last time.
		{"clock went back", newRev("b", wiki.KindEdit, "B", "z", t0), 1, 0, []string{"c", "a", "d", "b"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.rev != nil {
				mustCommit(t, db, st.rev, st.head)
			}
			pages, err := db.RecentPages(ctx, st.limit)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, p := range pages {
				got = append(got, string(p.Slug))
			}
			if !slices.Equal(got, st.want) {
				t.Errorf("got %q, want %q", got, st.want)
			}
		})
	}
}

func TestExists(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustCommit(t, db, newRev("live", wiki.KindCreate, "Live", "x", t0), 0)
	mustCommit(t, db, newRev("dead", wiki.KindCreate, "Dead", "x", t0), 0)
	mustCommit(t, db, newRev("dead", wiki.KindDelete, "Dead", "", t0), 1)

	tests := []struct {
		name  string
		slugs []wiki.Slug
		want  []bool
	}{
		{"none", nil, []bool{}},
		{"mixed", []wiki.Slug{"live", "dead", "never", "", "live"}, []bool{true, false, false, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Exists(ctx, tt.slugs)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestCorruptRecords damages the file under the store and checks that
// every read reports an error (not ErrNotFound) instead of panicking.
func TestCorruptRecords(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		damage func(tx *bbolt.Tx) error
		read   func(db *DB) error
	}{
		{"page record", putRaw(bucketPages, []byte("faq"), []byte("{not json")), func(db *DB) error {
			_, err := db.Page(ctx, "faq")
			return err
		}},
		{"page record in a listing", putRaw(bucketPages, []byte("faq"), []byte(`{"rev":"x"}`)), func(db *DB) error {
			_, _, err := db.Pages(ctx, wiki.PageFilter{})
			return err
		}},
		{"page record in Exists", putRaw(bucketPages, []byte("faq"), []byte(`[]`)), func(db *DB) error {
			_, err := db.Exists(ctx, []wiki.Slug{"faq"})
			return err
		}},
		{"page record with no head", putRaw(bucketPages, []byte("faq"), []byte(`{}`)), func(db *DB) error {
			_, err := db.RecentPages(ctx, 10)
			return err
		}},
		{"revision record", putRaw(bucketRevisions, revKey("faq", 1), []byte("\xff")), func(db *DB) error {
			_, err := db.Revisions(ctx, "faq")
			return err
		}},
		{"revision record number", putRaw(bucketRevisions, revKey("faq", 2), []byte(`{"n":7}`)), func(db *DB) error {
			_, err := db.Revision(ctx, "faq", 2)
			return err
		}},
		{"missing revision", deleteRaw(bucketRevisions, revKey("faq", 1)), func(db *DB) error {
			_, err := db.Revisions(ctx, "faq")
			return err
		}},
		{"missing text", deleteText("faq", 2), func(db *DB) error {
			_, err := db.Page(ctx, "faq")
			return err
		}},
		{"text that is no text record", putRawText("faq", 2, []byte("two")), func(db *DB) error {
			_, err := db.Page(ctx, "faq")
			return err
		}},
		{"missing text under a delta", deleteText("faq", 1), func(db *DB) error {
			_, err := db.Revision(ctx, "faq", 2)
			return err
		}},
		// Between the two revisions PageAt reads revision 1's time.
		{"revision record read for its time", putRaw(bucketRevisions, revKey("faq", 1), []byte("\xff")), func(db *DB) error {
			_, err := db.PageAt(ctx, "faq", t0.Add(time.Second))
			return err
		}},
		{"missing revision read for its time", deleteRaw(bucketRevisions, revKey("faq", 1)), func(db *DB) error {
			_, err := db.PageAt(ctx, "faq", t0.Add(time.Second))
			return err
		}},
		{"short recent key", putRaw(bucketRecent, []byte{0xff}, nil), func(db *DB) error {
			_, err := db.RecentPages(ctx, 10)
			return err
		}},
		{"recent names a missing page", putRaw(bucketRecent, recentKey(nanos(maxTime), "ghost"), nil), func(db *DB) error {
			_, err := db.RecentPages(ctx, 10)
			return err
		}},
		{"tag names a missing page", putRaw(bucketTags, tagKey("it", "ghost"), nil), func(db *DB) error {
			_, _, err := db.Pages(ctx, wiki.PageFilter{Tag: "it"})
			return err
		}},
		{"title key without separator", putRaw(bucketTitles, []byte("faq"), nil), func(db *DB) error {
			_, _, err := db.Pages(ctx, wiki.PageFilter{ByTitle: true})
			return err
		}},
		{"titles names a missing page", putRaw(bucketTitles, titleKey("ghost", "ghost"), nil), func(db *DB) error {
			_, _, err := db.Pages(ctx, wiki.PageFilter{ByTitle: true})
			return err
		}},
		{"change record", putRaw(bucketChanges, seqKey(1), []byte("nope")), func(db *DB) error {
			_, err := db.Changes(ctx, 0, 10)
			return err
		}},
		{"short change key", putRaw(bucketChanges, []byte{1}, []byte("{}")), func(db *DB) error {
			_, err := db.Changes(ctx, 0, 10)
			return err
		}},
		{"bucket missing", func(tx *bbolt.Tx) error { return tx.DeleteBucket(bucketPages) }, func(db *DB) error {
			return db.Commit(ctx, newRev("x", wiki.KindCreate, "X", "x", t0), 0)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpen(t)
			mustCommit(t, db, newRev("faq", wiki.KindCreate, "FAQ", "one", t0, "it"), 0)
			mustCommit(t, db, newRev("faq", wiki.KindEdit, "FAQ", "two", t0.Add(time.Minute), "it"), 1)
			if err := db.bolt.Update(tt.damage); err != nil {
				t.Fatal(err)
			}
			// As a fresh process would: the texts cache holds what was
			// committed, not what the damage left.
			db.texts = newTextCache(DefaultTextCacheBytes)
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

// putRaw returns a damage function that writes v under k in bucket name.
func putRaw(name, k, v []byte) func(*bbolt.Tx) error {
	return func(tx *bbolt.Tx) error {
		if v == nil {
			v = []byte{}
		}
		return tx.Bucket(name).Put(k, v)
	}
}

// deleteRaw returns a damage function that deletes k from bucket name.
func deleteRaw(name, k []byte) func(*bbolt.Tx) error {
	return func(tx *bbolt.Tx) error { return tx.Bucket(name).Delete(k) }
}

// textKeyOf returns the key in texts of the text of revision n of slug,
// as its record names it.
func textKeyOf(tx *bbolt.Tx, slug string, n int) ([]byte, error) {
	no, err := textNumber(tx.Bucket(bucketRevisions), slug, n)
	if err != nil {
		return nil, err
	}
	return u64(no), nil
}

// deleteText returns a damage function that deletes the text of revision
// n of slug.
func deleteText(slug string, n int) func(*bbolt.Tx) error {
	return func(tx *bbolt.Tx) error {
		k, err := textKeyOf(tx, slug, n)
		if err != nil {
			return err
		}
		return tx.Bucket(bucketTexts).Delete(k)
	}
}

// putRawText returns a damage function that stores v as the text of
// revision n of slug.
func putRawText(slug string, n int, v []byte) func(*bbolt.Tx) error {
	return func(tx *bbolt.Tx) error {
		k, err := textKeyOf(tx, slug, n)
		if err != nil {
			return err
		}
		return tx.Bucket(bucketTexts).Put(k, v)
	}
}

// BenchmarkPage reads the head of a page with 50 KB of Markdown.
func BenchmarkPage(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	text := strings.Repeat("A line of an answer, about fifty bytes long.....\n", 1000)
	mustCommit(b, db, newRev("big", wiki.KindCreate, "Big", text, t0, "x"), 0)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		p, err := db.Page(ctx, "big")
		if err != nil || len(p.Markdown) != len(text) {
			b.Fatal(p, err)
		}
	}
}

// BenchmarkPageAt reads a page with 1000 revisions as of random times. Its
// cost should not depend on the length of the history.
func BenchmarkPageAt(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	const revisions = 1000
	db.bolt.NoSync = true // setup speed only; durability is not measured here
	for i := range revisions {
		text := fmt.Sprintf("%s\nrevision %d\n", strings.Repeat("Some answer text. ", 100), i+1)
		mustCommit(b, db, newRev("faq", wiki.KindEdit, "FAQ", text, t0.Add(time.Duration(i)*time.Minute)), i)
	}
	db.bolt.NoSync = false
	rng := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		i := rng.IntN(revisions)
		p, err := db.PageAt(ctx, "faq", t0.Add(time.Duration(i)*time.Minute+time.Second))
		if err != nil || p.Revision != i+1 {
			b.Fatal(p, err)
		}
	}
}

// TestPageAtSearchesTheRevisions: over a long history with runs of equal
// times (saves in one clock tick, and times raised to the head's),
// PageAt finds the last revision made at or before each moment.
func TestPageAtSearchesTheRevisions(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	t0 := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	var times []time.Time // times[i]: revision i+1's, as stored
	at := t0
	for i := range 60 {
		switch {
		case i%7 == 3: // the same tick as the one before
		case i%11 == 5:
			at = at.Add(-time.Minute) // the clock went back: raised to the head's
		default:
			at = at.Add(time.Duration(1+i%4) * time.Minute)
		}
		kind := wiki.KindEdit
		if i == 0 {
			kind = wiki.KindCreate
		}
		rev := newRev("faq", kind, "FAQ", fmt.Sprintf("text %d", i+1), at)
		if err := db.Commit(ctx, rev, i); err != nil {
			t.Fatal(err)
		}
		times = append(times, rev.CreatedAt)
	}
	for probe := t0.Add(-time.Minute); probe.Before(at.Add(2 * time.Minute)); probe = probe.Add(30 * time.Second) {
		want := 0
		for i, ct := range times {
			if !ct.After(probe) {
				want = i + 1
			}
		}
		p, err := db.PageAt(ctx, "faq", probe)
		switch {
		case want == 0:
			if !errors.Is(err, wiki.ErrNotFound) {
				t.Errorf("PageAt(%s) = %v, want not found", probe, err)
			}
		case err != nil:
			t.Errorf("PageAt(%s): %v", probe, err)
		case p.Revision != want || p.Markdown != fmt.Sprintf("text %d", want):
			t.Errorf("PageAt(%s) = revision %d %q, want %d", probe, p.Revision, p.Markdown, want)
		}
	}
}

// BenchmarkPagesAt lists the wiki as it stood halfway through the
// history of 2,000 pages of 20 revisions each: every page changed after
// that moment, so each one's revision is searched for.
func BenchmarkPagesAt(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	const pages, revisions = 2000, 20
	db.bolt.NoSync = true // setup speed only; durability is not measured here
	for r := range revisions {
		for p := range pages {
			rev := newRev(fmt.Sprintf("page-%04d", p), wiki.KindEdit, "Page", fmt.Sprintf("revision %d", r+1), t0.Add(time.Duration(r)*time.Hour))
			if r == 0 {
				rev.Kind = wiki.KindCreate
			}
			mustCommit(b, db, rev, r)
		}
	}
	db.bolt.NoSync = false
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		got, err := db.PagesAt(ctx, t0.Add(revisions/2*time.Hour+time.Minute))
		if err != nil || len(got) != pages || got[0].Revision != revisions/2+1 {
			b.Fatal(len(got), err)
		}
	}
}
