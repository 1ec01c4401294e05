package store

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// queueSlugs is the review queue as slugs with their From..To.
func queueSlugs(t *testing.T, db *DB) []string {
	t.Helper()
	items, err := db.ReviewQueue(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, string(it.Page.Slug)+":"+itoa(it.From)+".."+itoa(it.To))
	}
	return out
}

func itoa(n int) string { return string(rune('0'+n/10)) + string(rune('0'+n%10)) }

func reviewCount(t *testing.T, db *DB) int {
	t.Helper()
	n, err := db.ReviewCount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func reviewed(rev *wiki.Revision, by string) *wiki.Revision {
	rev.ReviewedBy, rev.ReviewedAt = by, rev.CreatedAt
	return rev
}

func TestReviewQueueKeptAtCommit(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	mustCommit(t, db, reviewed(newRev("vpn", wiki.KindCreate, "VPN", "a\n", at(0)), "tina"), 0)
	if got := queueSlugs(t, db); len(got) != 0 || reviewCount(t, db) != 0 {
		t.Fatalf("a reviewed revision queued the page: %v", got)
	}
	mustCommit(t, db, newRev("wifi", wiki.KindCreate, "Wi-Fi", "w\n", at(1)), 0)
	mustCommit(t, db, newRev("vpn", wiki.KindEdit, "VPN", "b\n", at(2)), 1)
	mustCommit(t, db, newRev("vpn", wiki.KindEdit, "VPN", "c\n", at(3)), 2)
	if got, want := queueSlugs(t, db), []string{"wifi:00..01", "vpn:01..03"}; !slices.Equal(got, want) {
		t.Errorf("queue %v, want %v (oldest unreviewed first)", got, want)
	}
	if n := reviewCount(t, db); n != 2 {
		t.Errorf("count %d, want 2", n)
	}
	// Mark up to 2 of vpn: 3 stays, and vpn moves to 3's time.
	n, err := db.MarkReviewed(ctx, "vpn", 2, "tina", at(4))
	if err != nil || n != 1 {
		t.Fatalf("MarkReviewed = %d, %v", n, err)
	}
	if got, want := queueSlugs(t, db), []string{"wifi:00..01", "vpn:02..03"}; !slices.Equal(got, want) {
		t.Errorf("queue %v, want %v", got, want)
	}
	r2, _ := db.Revision(ctx, "vpn", 2)
	r3, _ := db.Revision(ctx, "vpn", 3)
	if r2.ReviewedBy != "tina" || !r2.ReviewedAt.Equal(at(4)) || r3.ReviewedBy != "" {
		t.Errorf("rev 2 reviewed %q at %v, rev 3 %q", r2.ReviewedBy, r2.ReviewedAt, r3.ReviewedBy)
	}
	// Marking again is a no-op; marking past the head is not found.
	if n, err := db.MarkReviewed(ctx, "vpn", 2, "tina", at(5)); err != nil || n != 0 {
		t.Errorf("again: %d, %v", n, err)
	}
	if _, err := db.MarkReviewed(ctx, "vpn", 9, "tina", at(5)); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("past the head: %v", err)
	}
	if _, err := db.MarkReviewed(ctx, "nope", 1, "tina", at(5)); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("no page: %v", err)
	}
	// A trainer's reviewed revision on top of an unreviewed one keeps the
	// page queued from the unreviewed one.
	mustCommit(t, db, reviewed(newRev("vpn", wiki.KindEdit, "VPN", "d\n", at(6)), "tina"), 3)
	if got, want := queueSlugs(t, db), []string{"wifi:00..01", "vpn:02..04"}; !slices.Equal(got, want) {
		t.Errorf("queue %v, want %v", got, want)
	}
	if n, err := db.MarkReviewed(ctx, "vpn", 4, "ida", at(7)); err != nil || n != 1 {
		t.Errorf("mark 4: %d, %v", n, err)
	}
	r4, _ := db.Revision(ctx, "vpn", 4)
	if r4.ReviewedBy != "tina" {
		t.Errorf("an auto-reviewed revision was re-marked by %q", r4.ReviewedBy)
	}
	if _, err := db.MarkReviewed(ctx, "wifi", 1, "tina", at(8)); err != nil {
		t.Fatal(err)
	}
	if got := queueSlugs(t, db); len(got) != 0 || reviewCount(t, db) != 0 {
		t.Errorf("queue %v, count %d after reviewing everything", got, reviewCount(t, db))
	}
	// Unreviewed changes in recent changes follow.
	rows, _, err := db.RecentChanges(ctx, wiki.ChangeFilter{Unreviewed: true})
	if err != nil || len(rows) != 0 {
		t.Errorf("unreviewed changes after reviewing all: %v, %v", rows, err)
	}
}

// TestMarkReviewedRacesACommit runs MarkReviewed of the revision a reviewer
// saw against commits of newer ones: whatever the order, exactly the
// revisions up to the one shown are reviewed, and the page stays queued
// for every newer one.
func TestMarkReviewedRacesACommit(t *testing.T) {
	ctx := context.Background()
	for round := 0; round < 20; round++ {
		db := MustOpen(t)
		mustCommit(t, db, reviewed(newRev("vpn", wiki.KindCreate, "VPN", "a\n", t0), "tina"), 0)
		mustCommit(t, db, newRev("vpn", wiki.KindEdit, "VPN", "b\n", t0.Add(time.Second)), 1)
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, err := db.MarkReviewed(ctx, "vpn", 2, "tina", t0.Add(time.Minute)); err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			if err := db.Commit(ctx, newRev("vpn", wiki.KindEdit, "VPN", "c\n", t0.Add(2*time.Second)), 2); err != nil {
				t.Error(err)
			}
		}()
		wg.Wait()
		if got, want := queueSlugs(t, db), []string{"vpn:02..03"}; !slices.Equal(got, want) {
			t.Fatalf("round %d: queue %v, want %v", round, got, want)
		}
		r3, _ := db.Revision(ctx, "vpn", 3)
		if r3.ReviewedBy != "" || reviewCount(t, db) != 1 {
			t.Fatalf("round %d: revision 3 reviewed by %q, count %d", round, r3.ReviewedBy, reviewCount(t, db))
		}
	}
}

func TestLinkIndex(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	links := func(slugs ...string) []wiki.Link {
		var out []wiki.Link
		for _, s := range slugs {
			out = append(out, wiki.Link{Slug: wiki.Slug(s), Title: "T " + s})
		}
		return out
	}
	commit := func(slug string, kind wiki.RevisionKind, head int, to ...string) {
		t.Helper()
		rev := newRev(slug, kind, slug, "x", t0)
		rev.Links = links(to...)
		mustCommit(t, db, rev, head)
	}
	backlinks := func(slug string) []string {
		t.Helper()
		ps, err := db.Backlinks(ctx, wiki.Slug(slug))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ps {
			out = append(out, string(p.Slug))
		}
		return out
	}
	wanted := func() []string {
		t.Helper()
		ws, err := db.Wanted(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, w := range ws {
			out = append(out, string(w.Slug)+"="+itoa(w.WantedBy))
		}
		return out
	}
	orphans := func() []string {
		t.Helper()
		ps, err := db.Orphans(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ps {
			out = append(out, string(p.Slug))
		}
		return out
	}
	commit("a", wiki.KindCreate, 0, "b", "c", "a") // a self-link is not filed
	commit("b", wiki.KindCreate, 0, "c")
	if got := backlinks("c"); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("backlinks of c %v", got)
	}
	if got := wanted(); !slices.Equal(got, []string{"c=02"}) {
		t.Errorf("wanted %v", got)
	}
	if got := orphans(); !slices.Equal(got, []string{"a"}) {
		t.Errorf("orphans %v", got)
	}
	ws, _ := db.Wanted(ctx, 0)
	if ws[0].Title != "T c" || !slices.Equal(ws[0].From, []wiki.Slug{"a", "b"}) {
		t.Errorf("wanted c: %+v", ws[0])
	}
	// b's new text links elsewhere: its old link goes.
	commit("b", wiki.KindEdit, 1, "d")
	if got := backlinks("c"); !slices.Equal(got, []string{"a"}) {
		t.Errorf("after b's edit, backlinks of c %v", got)
	}
	// Deleting a removes its links; c is wanted by nobody.
	commit("a", wiki.KindDelete, 1, "b", "c")
	if got := wanted(); !slices.Equal(got, []string{"d=01"}) {
		t.Errorf("after deleting a, wanted %v", got)
	}
	if got := orphans(); !slices.Equal(got, []string{"b"}) {
		t.Errorf("after deleting a, orphans %v", got)
	}
	// Restoring a brings its links back; deleting d's target b makes b wanted.
	commit("a", wiki.KindRestore, 2, "b", "c")
	commit("b", wiki.KindDelete, 2)
	if got := wanted(); !slices.Equal(got, []string{"b=01", "c=01"}) {
		t.Errorf("after restoring a and deleting b, wanted %v", got)
	}
	if got := backlinks("b"); !slices.Equal(got, []string{"a"}) {
		t.Errorf("backlinks of deleted b %v", got)
	}
}

// TestMigrateV4 opens a version 4 file, which has no link index and no
// review state, and checks that Open builds both from the pages and feed.
func TestMigrateV4(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/faqwiki.db"
	db := mustOpenPath(t, path)
	// Accounts: tina is a trainer, so her revisions count as reviewed.
	if err := db.CreateAccount(ctx, &wiki.Account{Username: "tina", Role: wiki.RoleTrainer, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	mk := func(slug, text, author string, head int, at time.Time) {
		rev := newRev(slug, wiki.KindEdit, slug, text, at)
		if head == 0 {
			rev.Kind = wiki.KindCreate
		}
		rev.Author = author
		mustCommit(t, db, rev, head)
	}
	mk("start", "See [[VPN]] and [[Printers|the printers]].", "import", 0, t0)
	mk("vpn", "Ask IT.", "tina", 0, t0.Add(time.Minute))
	mk("vpn", "Ask the service desk.", "ada", 1, t0.Add(2*time.Minute))
	mk("gone", "[[vpn]]", "ada", 0, t0.Add(3*time.Minute))
	del := newRev("gone", wiki.KindDelete, "gone", "", t0.Add(4*time.Minute))
	del.Author = "tina"
	mustCommit(t, db, del, 1)
	// What version 4 wrote: none of the new buckets, no review count, no
	// reviewer on revisions.
	db = reopenAsVersion(t, db, 4, func(tx *bbolt.Tx) error {
		for _, name := range [][]byte{bucketLinks, bucketBacklinks, bucketUnreviewed, bucketReviewQueue} {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Delete(metaReviewCount)
	})
	ps, err := db.Backlinks(ctx, "vpn")
	if err != nil || len(ps) != 1 || ps[0].Slug != "start" {
		t.Errorf("backlinks of vpn after migrating: %v, %v", ps, err)
	}
	ws, err := db.Wanted(ctx, 0)
	if err != nil || len(ws) != 1 || ws[0].Slug != "printers" || ws[0].Title != "Printers" {
		t.Errorf("wanted after migrating: %+v, %v", ws, err)
	}
	// import's and tina's revisions are reviewed; ada's vpn edit and her
	// gone page wait.
	if got, want := queueSlugs(t, db), []string{"vpn:01..02", "gone:00..02"}; !slices.Equal(got, want) {
		t.Errorf("queue after migrating %v, want %v", got, want)
	}
	if n := reviewCount(t, db); n != 2 {
		t.Errorf("count %d, want 2", n)
	}
	r1, _ := db.Revision(ctx, "vpn", 1)
	if r1.ReviewedBy != "tina" || !r1.ReviewedAt.Equal(r1.CreatedAt) {
		t.Errorf("tina's revision: reviewed by %q at %v", r1.ReviewedBy, r1.ReviewedAt)
	}
	rows, _, err := db.RecentChanges(ctx, wiki.ChangeFilter{Unreviewed: true})
	if err != nil || len(rows) != 2 {
		t.Errorf("unreviewed changes %v, %v", rows, err)
	}
}

// TestMigrate_ReviewsInPages: a version 8 file, whose pages' unreviewed
// revisions are in pendingrevs, reads the same after Open moves them into
// the page records: the queue, its count, each page's count on its view
// and unreviewed changes; and review goes on from there.
func TestMigrate_ReviewsInPages(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	at := t0
	commit := func(slug string, head int, by string) {
		at = at.Add(time.Minute)
		rev := newRev(slug, wiki.KindEdit, slug, slug+" "+itoa(head+1), at)
		if head == 0 {
			rev.Kind = wiki.KindCreate
		}
		if by != "" {
			reviewed(rev, by)
		}
		mustCommit(t, db, rev, head)
	}
	for i := range 5 {
		commit("all", i, "")
	}
	commit("mixed", 0, "")
	commit("mixed", 1, "tina")
	commit("mixed", 2, "")
	commit("mixed", 3, "tina")
	commit("done", 0, "tina")
	commit("done", 1, "tina")
	if n, err := db.MarkReviewed(ctx, "all", 2, "tina", at); err != nil || n != 2 {
		t.Fatalf("MarkReviewed(all, 2) = %d, %v", n, err)
	}
	type state struct {
		queue   []string
		count   int
		pages   map[string]int
		changes []string
	}
	read := func() state {
		st := state{queue: queueSlugs(t, db), count: reviewCount(t, db), pages: map[string]int{}}
		for _, slug := range []string{"all", "mixed", "done"} {
			v, err := db.PageView(ctx, wiki.Slug(slug), "", "")
			if err != nil {
				t.Fatal(err)
			}
			st.pages[slug] = v.Unreviewed
		}
		rows, _, err := db.RecentChanges(ctx, wiki.ChangeFilter{Unreviewed: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			st.changes = append(st.changes, string(r.Slug)+":"+itoa(r.Revision))
		}
		return st
	}
	before := read()
	want := state{queue: []string{"all:02..05", "mixed:00..04"}, count: 2, pages: map[string]int{"all": 3, "mixed": 2, "done": 0},
		changes: []string{"mixed:03", "mixed:01", "all:05", "all:04", "all:03"}}
	if !reflect.DeepEqual(before, want) {
		t.Fatalf("before the migration %+v, want %+v", before, want)
	}
	db = reopenAsVersion(t, db, 8, func(*bbolt.Tx) error { return nil })
	if after := read(); !reflect.DeepEqual(after, want) {
		t.Errorf("after the migration %+v, want %+v", after, want)
	}
	db.bolt.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketPendingRevs) != nil {
			t.Error("pendingrevs is still there")
		}
		return nil
	})
	// mixed's two unreviewed revisions go, passing tina's between them.
	if n, err := db.MarkReviewed(ctx, "mixed", 4, "rita", at); err != nil || n != 2 {
		t.Fatalf("MarkReviewed(mixed, 4) = %d, %v", n, err)
	}
	commit("all", 5, "")
	if n, err := db.MarkReviewed(ctx, "all", 4, "rita", at); err != nil || n != 2 {
		t.Fatalf("MarkReviewed(all, 4) = %d, %v", n, err)
	}
	if got, want := read(), (state{queue: []string{"all:04..06"}, count: 1, pages: map[string]int{"all": 2, "mixed": 0, "done": 0},
		changes: []string{"all:06", "all:05"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("after reviewing %+v, want %+v", got, want)
	}
	path := db.Path()
	db.Close()
	mustCheck(t, path)
}

func TestRecentChangesWalksAndPages(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	for i := 0; i < 7; i++ {
		rev := newRev("p"+itoa(i%3), wiki.KindEdit, "P", "t"+itoa(i), t0.Add(time.Duration(i)*time.Hour), "tag"+itoa(i%2))
		if i < 3 {
			rev.Kind = wiki.KindCreate
		}
		rev.Cohort = []string{"oct", "nov"}[i%2]
		rev.Author = []string{"ada", "bob", "cy"}[i%3]
		if i == 5 {
			reviewed(rev, "tina")
		}
		mustCommit(t, db, rev, i/3)
	}
	all := func(f wiki.ChangeFilter) []string {
		t.Helper()
		var out []string
		for {
			rows, next, err := db.RecentChanges(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				out = append(out, string(r.Slug)+"#"+itoa(r.Revision))
			}
			if next == "" {
				return out
			}
			f.Cursor = next
		}
	}
	cases := []struct {
		name string
		f    wiki.ChangeFilter
		want []string
	}{
		{"everything, two at a time", wiki.ChangeFilter{Limit: 2}, []string{"p00#03", "p02#02", "p01#02", "p00#02", "p02#01", "p01#01", "p00#01"}},
		{"cohort", wiki.ChangeFilter{Cohort: "nov", Limit: 1}, []string{"p02#02", "p00#02", "p01#01"}},
		{"author", wiki.ChangeFilter{Author: "ada"}, []string{"p00#03", "p00#02", "p00#01"}},
		{"unreviewed", wiki.ChangeFilter{Unreviewed: true, Limit: 3}, []string{"p00#03", "p01#02", "p00#02", "p02#01", "p01#01", "p00#01"}},
		{"page", wiki.ChangeFilter{Page: "p01", Limit: 1}, []string{"p01#02", "p01#01"}},
		{"prefix and tag", wiki.ChangeFilter{Prefix: "p0", Tag: "tag01"}, []string{"p02#02", "p00#02", "p01#01"}},
		{"time range", wiki.ChangeFilter{Since: t0.Add(2 * time.Hour), Until: t0.Add(4 * time.Hour)}, []string{"p01#02", "p00#02", "p02#01"}},
		{"cohort and unreviewed", wiki.ChangeFilter{Cohort: "nov", Unreviewed: true}, []string{"p00#02", "p01#01"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := all(c.f); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
	for _, bad := range []string{"x12", "f", "fzz", "f0", "c3"} {
		var v *wiki.ValidationError
		if _, _, err := db.RecentChanges(ctx, wiki.ChangeFilter{Cursor: bad}); !errors.As(err, &v) {
			t.Errorf("cursor %q: %v, want a validation error", bad, err)
		}
	}
}

func TestWatchlistAndSeen(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustCommit(t, db, newRev("vpn", wiki.KindCreate, "VPN", "a", t0), 0)
	mustCommit(t, db, newRev("it/printers", wiki.KindCreate, "Printers", "p", t0), 0)
	if err := db.Watch(ctx, "olga", wiki.Watch{Slug: "vpn", CreatedAt: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := db.Watch(ctx, "olga", wiki.Watch{Slug: "it", Prefix: true, CreatedAt: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetCohortWatches(ctx, "oct", []wiki.Slug{"handover", "vpn"}); err != nil {
		t.Fatal(err)
	}
	mustCommit(t, db, newRev("handover", wiki.KindCreate, "Handover", "h", t0.Add(2*time.Minute)), 0)
	mustCommit(t, db, newRev("vpn", wiki.KindEdit, "VPN", "b", t0.Add(2*time.Minute)), 1)
	mustCommit(t, db, newRev("it/desks", wiki.KindCreate, "Desks", "d", t0.Add(2*time.Minute)), 0)
	list := func() []string {
		t.Helper()
		items, err := db.Watchlist(ctx, "olga", "oct", 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range items {
			out = append(out, string(it.Page.Slug)+" "+it.Via+" "+itoa(it.Seen)+"/"+itoa(it.Page.Revision))
		}
		return out
	}
	want := []string{"it/desks prefix 00/01", "it/printers prefix 01/01", "vpn page 01/02", "handover cohort 00/01"} // watches by slug, then the reading list
	if got := list(); !slices.Equal(got, want) {
		t.Errorf("watchlist\n got %v\nwant %v", got, want)
	}
	for _, s := range []wiki.Slug{"vpn", "it/desks", "handover", "unwatched"} {
		if err := db.MarkSeen(ctx, "olga", "oct", s, 9); err != nil {
			t.Fatal(err)
		}
	}
	want = []string{"it/desks prefix 09/01", "it/printers prefix 01/01", "vpn page 09/02", "handover cohort 09/01"}
	if got := list(); !slices.Equal(got, want) {
		t.Errorf("after seeing\n got %v\nwant %v", got, want)
	}
	// Seen never goes back.
	if err := db.MarkSeen(ctx, "olga", "oct", "vpn", 1); err != nil {
		t.Fatal(err)
	}
	if got := list(); got[2] != "vpn page 09/02" {
		t.Errorf("seen went back: %v", got[2])
	}
	if err := db.Unwatch(ctx, "olga", "it"); err != nil {
		t.Fatal(err)
	}
	if got := list(); len(got) != 2 {
		t.Errorf("after unwatching it: %v", got)
	}
}

func TestFeedTokens(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	if err := db.PutFeedToken(ctx, "olga", "id1"); err != nil {
		t.Fatal(err)
	}
	if u, err := db.FeedTokenOwner(ctx, "id1"); err != nil || u != "olga" {
		t.Fatalf("owner %q, %v", u, err)
	}
	if err := db.PutFeedToken(ctx, "olga", "id2"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FeedTokenOwner(ctx, "id1"); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("the replaced token still works: %v", err)
	}
	if u, err := db.FeedTokenOwner(ctx, "id2"); err != nil || u != "olga" {
		t.Errorf("new token: %q, %v", u, err)
	}
}

// TestMarkReviewed_RefusesAWrongCount: a page record whose count of
// unreviewed revisions disagrees with its revisions is an error, and
// nothing is marked.
func TestMarkReviewed_RefusesAWrongCount(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustCommit(t, db, newRev("a", wiki.KindCreate, "A", "a1", t0), 0)
	mustCommit(t, db, newRev("a", wiki.KindEdit, "A", "a2", t0.Add(time.Minute)), 1)
	if err := db.bolt.Update(countUnreviewed("a", 3, 1)); err != nil {
		t.Fatal(err)
	}
	if n, err := db.MarkReviewed(ctx, "a", 2, "tina", t0.Add(time.Hour)); err == nil || n != 0 {
		t.Errorf("MarkReviewed with a wrong count = %d, %v; want an error", n, err)
	}
	if r, err := db.Revision(ctx, "a", 1); err != nil || r.ReviewedBy != "" {
		t.Errorf("revision 1 after the refused review: reviewed by %q, %v", r.ReviewedBy, err)
	}
}
