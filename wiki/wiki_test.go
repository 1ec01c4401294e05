package wiki_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
	"github.com/faqwiki/faqwiki/wiki/markdown"
	"github.com/faqwiki/faqwiki/wiki/wikitest"
)

// testWiki is a Wiki with its store at hand, for checks the service does
// not offer (the change feed, Exists).
type testWiki struct {
	*wiki.Wiki
	db *store.DB
}

// MustOpenWiki returns a Wiki over a real store in a temp folder, with a
// clock that advances a second per call so revision times are distinct.
func MustOpenWiki(tb testing.TB) testWiki {
	tb.Helper()
	db, err := store.Open(tb.TempDir()+"/faqwiki.db", store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	var mu sync.Mutex
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
	return testWiki{wiki.New(wiki.Config{Store: db, Clock: clock}), db}
}

func as(name, cohort string) context.Context {
	return wiki.NewContextWithUser(context.Background(), &wiki.User{Name: name, Cohort: cohort})
}

// saver is a *wiki.Wiki, or a testWiki holding one.
type saver interface {
	Save(context.Context, wiki.Edit) (*wiki.EditResult, error)
}

func mustSave(tb testing.TB, w saver, ctx context.Context, e wiki.Edit) *wiki.EditResult {
	tb.Helper()
	res, err := w.Save(ctx, e)
	if err != nil {
		tb.Fatalf("save %s: %v", e.Slug, err)
	}
	return res
}

const faq = "## Who gives access?\n\nThe service desk.\n\n## How long?\n\nOne day.\n\n## Which client?\n\nThe standard one.\n"

func TestSaveCreatesAndEdits(t *testing.T) {
	w := MustOpenWiki(t)
	ctx := as("ada", "2026-nov")
	res := mustSave(t, w, ctx, wiki.Edit{Slug: "it/vpn", Title: "  VPN   access ", Markdown: faq, Tags: []string{"IT", "it", "First Week"}, Summary: "first"})
	if !res.Created || res.Revision.Number != 1 || res.Merged || res.Unchanged {
		t.Fatalf("create: %+v", res)
	}
	p, err := w.Page(ctx, "it/vpn")
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "VPN access" || p.Author != "ada" || p.Cohort != "2026-nov" || strings.Join(p.Tags, ",") != "first-week,it" {
		t.Errorf("page = %+v", p)
	}
	// An edit without title or tags keeps them.
	edited := strings.Replace(faq, "One day.", "One working day.", 1)
	res = mustSave(t, w, as("bo", ""), wiki.Edit{Slug: "it/vpn", Markdown: edited, Base: 1})
	if res.Revision.Number != 2 || res.Revision.Added != 1 || res.Revision.Removed != 1 {
		t.Errorf("edit: %+v", res.Revision)
	}
	r, err := w.Revision(ctx, "it/vpn", 2)
	if err != nil {
		t.Fatal(err)
	}
	if r.Title != "VPN access" || len(r.Tags) != 2 || r.Author != "bo" || r.Base != 1 || r.Kind != wiki.KindEdit {
		t.Errorf("revision 2 = %+v", r)
	}
}

func TestSaveIdenticalTextMakesNoRevision(t *testing.T) {
	w := MustOpenWiki(t)
	ctx := context.Background()
	mustSave(t, w, ctx, wiki.Edit{Slug: "a", Title: "A", Markdown: "x\n"})
	for _, e := range []wiki.Edit{
		{Slug: "a", Markdown: "x\n", Base: 1},
		{Slug: "a", Markdown: "x\r\n", Base: 1}, // CRLF from a browser is the same text
		{Slug: "a", Title: "A", Markdown: "x\n", Base: 0},
	} {
		res := mustSave(t, w, ctx, e)
		if !res.Unchanged || res.Revision.Number != 1 {
			t.Errorf("%+v: got %+v, want unchanged at revision 1", e, res)
		}
	}
	revs, _ := w.Revisions(ctx, "a")
	if len(revs) != 1 {
		t.Errorf("%d revisions, want 1", len(revs))
	}
	// A title change alone is a change.
	if res := mustSave(t, w, ctx, wiki.Edit{Slug: "a", Title: "B", Markdown: "x\n", Base: 1}); res.Unchanged {
		t.Error("title change was treated as unchanged")
	}
}

func TestSaveMergesNonOverlappingEdits(t *testing.T) {
	w := MustOpenWiki(t)
	ctx := context.Background()
	mustSave(t, w, ctx, wiki.Edit{Slug: "vpn", Title: "VPN", Markdown: faq})
	top := strings.Replace(faq, "The service desk.", "The IT service desk.", 1)
	bottom := strings.Replace(faq, "The standard one.", "WireGuard.", 1)
	mustSave(t, w, as("a", ""), wiki.Edit{Slug: "vpn", Markdown: top, Base: 1})
	res := mustSave(t, w, as("b", ""), wiki.Edit{Slug: "vpn", Markdown: bottom, Base: 1})
	if !res.Merged || res.Revision.Number != 3 {
		t.Fatalf("got %+v, want merged revision 3", res)
	}
	p, _ := w.Page(ctx, "vpn")
	if !strings.Contains(p.Markdown, "The IT service desk.") || !strings.Contains(p.Markdown, "WireGuard.") {
		t.Errorf("merged text lost a change:\n%s", p.Markdown)
	}
}

// Title and tags merge like the text: a change made on one side is kept
// whatever the other side did, and two different new titles are a
// conflict that saves nothing (the second title used to win silently).
func TestSaveMergesTitleAndTags(t *testing.T) {
	w := MustOpenWiki(t)
	ctx := context.Background()
	mustSave(t, w, ctx, wiki.Edit{Slug: "vpn", Title: "VPN", Markdown: faq, Tags: []string{"one"}})
	// a renames and adds a tag; b, from the same base, edits the text and
	// swaps "one" for its own tag.
	mustSave(t, w, as("a", ""), wiki.Edit{Slug: "vpn", Title: "VPN access", Markdown: faq, Tags: []string{"one", "alice"}, Base: 1})
	bottom := strings.Replace(faq, "The standard one.", "WireGuard.", 1)
	res := mustSave(t, w, as("b", ""), wiki.Edit{Slug: "vpn", Title: "VPN", Markdown: bottom, Tags: []string{"bob"}, Base: 1})
	if !res.Merged {
		t.Errorf("result %+v, want merged", res)
	}
	p, _ := w.Page(ctx, "vpn")
	if p.Title != "VPN access" || !slices.Equal(p.Tags, []string{"alice", "bob"}) || !strings.Contains(p.Markdown, "WireGuard.") {
		t.Fatalf("merged page: title %q, tags %v, text %q", p.Title, p.Tags, p.Markdown)
	}

	// Two new titles from the same base: a conflict, nothing saved, and
	// the text (which merged) is offered merged.
	before, _ := w.db.LastSeq(ctx)
	top := strings.Replace(faq, "The service desk.", "The IT service desk.", 1)
	_, err := w.Save(as("c", ""), wiki.Edit{Slug: "vpn", Title: "Remote access", Markdown: top, Base: 1})
	var ce *wiki.ConflictError
	if !errors.As(err, &ce) || !ce.Title || ce.Current.Title != "VPN access" {
		t.Fatalf("err = %v (%+v), want a title conflict", err, ce)
	}
	if !strings.Contains(ce.Merged, "The IT service desk.") || !strings.Contains(ce.Merged, "WireGuard.") || ce.Yours != top {
		t.Errorf("conflict offers merged %q, yours %q", ce.Merged, ce.Yours)
	}
	if after, _ := w.db.LastSeq(ctx); after != before {
		t.Errorf("a conflicting save wrote %d changes", after-before)
	}
	// The same new title on both sides is no conflict.
	if _, err := w.Save(as("c", ""), wiki.Edit{Slug: "vpn", Title: "VPN access", Markdown: top, Base: 1}); err != nil {
		t.Errorf("the same title: %v", err)
	}
}

// An empty list of tags takes the page's last tags away (nil keeps
// them), and a removal merges with a tag added meanwhile.
func TestSaveTakesTheLastTagsAway(t *testing.T) {
	w := MustOpenWiki(t)
	ctx := context.Background()
	mustSave(t, w, ctx, wiki.Edit{Slug: "vpn", Title: "VPN", Markdown: faq, Tags: []string{"it"}})
	mustSave(t, w, ctx, wiki.Edit{Slug: "vpn", Markdown: faq + "More.\n", Base: 1})
	if p, _ := w.Page(ctx, "vpn"); !slices.Equal(p.Tags, []string{"it"}) {
		t.Fatalf("tags not given: %v, want them kept", p.Tags)
	}
	res := mustSave(t, w, ctx, wiki.Edit{Slug: "vpn", Markdown: faq + "More.\n", Tags: []string{}, Base: 2})
	if p, _ := w.Page(ctx, "vpn"); res.Unchanged || len(p.Tags) != 0 {
		t.Fatalf("tags emptied: %v (unchanged %v), want none", p.Tags, res.Unchanged)
	}
	// a adds "it" back and "network"; b, from before, takes "it" away.
	mustSave(t, w, as("a", ""), wiki.Edit{Slug: "vpn", Markdown: faq, Tags: []string{"it", "network"}, Base: 3})
	mustSave(t, w, as("b", ""), wiki.Edit{Slug: "vpn", Markdown: faq + "More.\n", Tags: []string{}, Base: 3})
	if p, _ := w.Page(ctx, "vpn"); !slices.Equal(p.Tags, []string{"it", "network"}) {
		t.Errorf("after a's additions and b's (empty) list from before them: %v, want a's", p.Tags)
	}
	mustSave(t, w, as("c", ""), wiki.Edit{Slug: "vpn", Markdown: faq, Tags: []string{"network"}, Base: 4})
	mustSave(t, w, as("d", ""), wiki.Edit{Slug: "vpn", Markdown: faq + "Last.\n", Tags: []string{"it"}, Base: 4})
	if p, _ := w.Page(ctx, "vpn"); len(p.Tags) != 0 {
		t.Errorf("c took it away and d, from the same base, network: %v, want neither", p.Tags)
	}
}

func TestSaveOverlappingEditsConflictAndSaveNothing(t *testing.T) {
	w := MustOpenWiki(t)
	ctx := context.Background()
	mustSave(t, w, ctx, wiki.Edit{Slug: "vpn", Title: "VPN", Markdown: faq})
	mine := strings.Replace(faq, "The service desk.", "Your manager.", 1)
	theirs := strings.Replace(faq, "The service desk.", "The IT desk.", 1)
	mustSave(t, w, as("a", ""), wiki.Edit{Slug: "vpn", Markdown: theirs, Base: 1})
	before, _ := w.db.LastSeq(ctx)
	_, err := w.Save(as("b", ""), wiki.Edit{Slug: "vpn", Markdown: mine, Base: 1})
	var ce *wiki.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, wiki.ErrConflict) {
		t.Fatalf("err = %v, want *ConflictError", err)
	}
	if ce.Yours != mine || ce.Current.Number != 2 || ce.Current.Markdown != theirs {
		t.Errorf("conflict carries %+v / %q", ce.Current, ce.Yours)
	}
	if after, _ := w.db.LastSeq(ctx); after != before {
		t.Errorf("a conflicting save wrote %d changes", after-before)
	}
	// Creating a page that someone else created meanwhile is a conflict too.
	if _, err := w.Save(ctx, wiki.Edit{Slug: "vpn", Title: "VPN", Markdown: "other\n"}); !errors.Is(err, wiki.ErrConflict) {
		t.Errorf("create over existing: err = %v, want conflict", err)
	}
}

// TestConcurrentEditorsLoseNothing has many editors change different lines
// of one page at once, all starting from revision 1: every change must be
// in the final text, merged or retried, none lost.
func TestConcurrentEditorsLoseNothing(t *testing.T) {
	w := MustOpenWiki(t)
	const n = 12
	var lines []string
	for i := 0; i < n; i++ {
		lines = append(lines, fmt.Sprintf("## Question %d\n\nanswer %d\n", i, i))
	}
	mustSave(t, w, context.Background(), wiki.Edit{Slug: "faq", Title: "FAQ", Markdown: strings.Join(lines, "\n")})
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			mine := append([]string(nil), lines...)
			mine[i] = fmt.Sprintf("## Question %d\n\nbetter answer %d\n", i, i)
			_, err := w.Save(as(fmt.Sprint("editor", i), ""), wiki.Edit{Slug: "faq", Markdown: strings.Join(mine, "\n"), Base: 1})
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	p, _ := w.Page(context.Background(), "faq")
	for i := 0; i < n; i++ {
		if !strings.Contains(p.Markdown, fmt.Sprintf("better answer %d\n", i)) {
			t.Errorf("edit %d lost; text:\n%s", i, p.Markdown)
		}
	}
	if p.Revision != n+1 {
		t.Errorf("head is revision %d, want %d", p.Revision, n+1)
	}
}

func TestSaveRejectsBadInput(t *testing.T) {
	w := MustOpenWiki(t)
	ctx := context.Background()
	mustSave(t, w, ctx, wiki.Edit{Slug: "a", Title: "A", Markdown: "x"})
	tests := []struct {
		name string
		e    wiki.Edit
		is   error
	}{
		{"bad slug", wiki.Edit{Slug: "Bad Slug", Title: "t", Markdown: "x"}, nil},
		{"reserved segment", wiki.Edit{Slug: "a/revisions", Title: "t", Markdown: "x"}, nil},
		{"too large", wiki.Edit{Slug: "big", Title: "t", Markdown: strings.Repeat("x", wiki.MaxMarkdownBytes+1)}, wiki.ErrTooLarge},
		{"base ahead of head", wiki.Edit{Slug: "a", Markdown: "y", Base: 7}, nil},
		{"negative base", wiki.Edit{Slug: "a", Markdown: "y", Base: -1}, nil},
		{"base on missing page", wiki.Edit{Slug: "nope", Markdown: "y", Base: 3}, wiki.ErrNotFound},
		{"long title", wiki.Edit{Slug: "b", Title: strings.Repeat("t", wiki.MaxTitleLen+1), Markdown: "x"}, nil},
		{"invalid utf8", wiki.Edit{Slug: "b", Title: "t", Markdown: "\xff\xfe"}, nil},
		{"too many tags", wiki.Edit{Slug: "b", Title: "t", Markdown: "x", Tags: strings.Fields(strings.Repeat("a b c d e f g h i j k l m n o p q r s t u v ", 1))}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := w.db.LastSeq(ctx)
			_, err := w.Save(ctx, tt.e)
			var ve *wiki.ValidationError
			switch {
			case err == nil:
				t.Fatal("saved; want an error")
			case tt.is != nil && !errors.Is(err, tt.is):
				t.Errorf("err = %v, want %v", err, tt.is)
			case tt.is == nil && !errors.As(err, &ve):
				t.Errorf("err = %v, want a *ValidationError", err)
			}
			if after, _ := w.db.LastSeq(ctx); after != before {
				t.Error("a refused save wrote something")
			}
		})
	}
}

func TestRevertDeleteRestore(t *testing.T) {
	w := MustOpenWiki(t)
	ctx := as("trainer", "")
	mustSave(t, w, ctx, wiki.Edit{Slug: "p", Title: "P", Markdown: "one\n"})
	mustSave(t, w, ctx, wiki.Edit{Slug: "p", Title: "P2", Markdown: "two\n", Base: 1})
	res, err := w.Revert(ctx, "p", 1, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Revision.Number != 3 || res.Revision.Kind != wiki.KindRevert || res.Revision.RevertOf != 1 {
		t.Errorf("revert = %+v", res.Revision)
	}
	p, _ := w.Page(ctx, "p")
	if p.Markdown != "one\n" || p.Title != "P" {
		t.Errorf("after revert: %q %q", p.Title, p.Markdown)
	}
	if res, err := w.Revert(ctx, "p", 1, ""); err != nil || !res.Unchanged {
		t.Errorf("revert to the same text: %+v %v, want unchanged", res, err)
	}
	if _, err := w.Delete(ctx, "p", "obsolete"); err != nil {
		t.Fatal(err)
	}
	p, _ = w.Page(ctx, "p")
	if !p.Deleted || p.Revision != 4 {
		t.Errorf("after delete: %+v", p)
	}
	if ex, _ := w.db.Exists(ctx, []wiki.Slug{"p"}); ex[0] {
		t.Error("deleted page still exists")
	}
	if _, err := w.Delete(ctx, "p", ""); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("second delete: %v, want not found", err)
	}
	res, err = w.Revert(ctx, "p", 2, "bring it back")
	if err != nil {
		t.Fatal(err)
	}
	if res.Revision.Kind != wiki.KindRestore {
		t.Errorf("kind = %s, want restore", res.Revision.Kind)
	}
	p, _ = w.Page(ctx, "p")
	if p.Deleted || p.Markdown != "two\n" || p.Revision != 5 {
		t.Errorf("after restore: %+v", p)
	}
	if _, err := w.Revert(ctx, "p", 4, ""); err == nil {
		t.Error("reverting to a delete revision was allowed")
	}
	if _, err := w.Revert(ctx, "p", 99, ""); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("revert to missing revision: %v", err)
	}
}

func TestPageAtReadsThePast(t *testing.T) {
	w := MustOpenWiki(t)
	ctx := context.Background()
	r1 := mustSave(t, w, ctx, wiki.Edit{Slug: "p", Title: "P", Markdown: "one\n"}).Revision
	r2 := mustSave(t, w, ctx, wiki.Edit{Slug: "p", Markdown: "two\n", Base: 1}).Revision
	for _, tt := range []struct {
		at   time.Time
		want string
	}{
		{r1.CreatedAt, "one\n"},
		{r2.CreatedAt.Add(-time.Nanosecond), "one\n"},
		{r2.CreatedAt, "two\n"},
		{r2.CreatedAt.Add(time.Hour), "two\n"},
	} {
		p, err := w.PageAt(ctx, "p", tt.at)
		if err != nil || p.Markdown != tt.want {
			t.Errorf("PageAt(%v) = %v, %v; want %q", tt.at, p, err, tt.want)
		}
	}
	if _, err := w.PageAt(ctx, "p", r1.CreatedAt.Add(-time.Second)); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("before creation: %v", err)
	}
}

func TestRenderCacheFollowsLinkTargets(t *testing.T) {
	w := MustOpenWiki(t)
	ctx := context.Background()
	mustSave(t, w, ctx, wiki.Edit{Slug: "a", Title: "A", Markdown: "See [[Target page]].\n"})
	p, _ := w.Page(ctx, "a")
	r1, err := w.RenderPage(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(r1.HTML), `class="new"`) {
		t.Fatalf("missing target not marked new: %s", r1.HTML)
	}
	if r2, _ := w.RenderPage(ctx, p); r2 != r1 {
		t.Error("second render of the same revision was not served from the cache")
	}
	mustSave(t, w, ctx, wiki.Edit{Slug: "target-page", Title: "Target page", Markdown: "here\n"})
	r3, err := w.RenderPage(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(r3.HTML), `class="new"`) || !strings.Contains(string(r3.HTML), `href="/wiki/target-page"`) {
		t.Errorf("link not updated after the target was created: %s", r3.HTML)
	}
}

func TestDiffBetweenRevisions(t *testing.T) {
	w := MustOpenWiki(t)
	ctx := context.Background()
	mustSave(t, w, ctx, wiki.Edit{Slug: "p", Title: "P", Markdown: "a\nb\nc\n"})
	mustSave(t, w, ctx, wiki.Edit{Slug: "p", Markdown: "a\nB\nc\nd\n", Base: 1})
	d, revs, err := w.Diff(ctx, "p", 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if d.Added != 2 || d.Removed != 1 {
		t.Errorf("stats +%d -%d, want +2 -1", d.Added, d.Removed)
	}
	if revs[0].Number != 1 || revs[1].Number != 2 {
		t.Errorf("revisions %d, %d", revs[0].Number, revs[1].Number)
	}
	if d, _, _ := w.Diff(ctx, "p", 0, 1); d.Added != 3 {
		t.Errorf("diff from the empty page: +%d, want +3", d.Added)
	}
	if _, _, err := w.Diff(ctx, "p", 1, 9); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("diff to a missing revision: %v", err)
	}
}

func TestEnsureWelcome(t *testing.T) {
	w := MustOpenWiki(t)
	ctx := context.Background()
	created, err := w.EnsureWelcome(ctx)
	if err != nil || !created {
		t.Fatalf("first start: %v %v", created, err)
	}
	p, err := w.Page(ctx, wiki.WelcomeSlug)
	if err != nil || !strings.Contains(p.Markdown, "## How do I add a question") || !strings.Contains(p.Markdown, "search box") {
		t.Fatalf("welcome page: %+v %v", p, err)
	}
	// And the front page, which links the welcome page by its title.
	home, err := w.Page(ctx, wiki.HomeSlug)
	if err != nil {
		t.Fatalf("front page: %v", err)
	}
	r, err := w.RenderPage(ctx, home)
	if err != nil || !strings.Contains(string(r.HTML), `<a class="wikilink" href="/wiki/welcome">Welcome to the onboarding FAQ</a>`) {
		t.Errorf("front page does not link the welcome page: %v\n%s", err, r.HTML)
	}
	// Deleting it must not bring it back on the next start.
	if _, err := w.Delete(ctx, wiki.WelcomeSlug, ""); err != nil {
		t.Fatal(err)
	}
	if created, err := w.EnsureWelcome(ctx); err != nil || created {
		t.Errorf("second start: created=%v err=%v", created, err)
	}
}

// slowText stands for a text that goldmark takes seconds over: the gate
// renderer holds up every text that contains it.
const slowText = "<<slow>>"

func isSlow(src string) bool { return strings.Contains(src, slowText) }

// openWithGate returns a Wiki over a fresh store whose renderer holds up
// slow texts until the test opens the gate (which it does at the end, so
// that no render is left waiting).
func openWithGate(t *testing.T, previewTimeout time.Duration) (*wiki.Wiki, *store.DB, *wikitest.GateRenderer) {
	t.Helper()
	db, err := store.Open(t.TempDir()+"/faqwiki.db", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	gate := wikitest.NewGateRenderer(isSlow)
	t.Cleanup(gate.Open)
	return wiki.New(wiki.Config{Store: db, Renderer: gate, PreviewTimeout: previewTimeout}), db, gate
}

func TestPreviewGivesUpOnASlowText(t *testing.T) {
	w, _, gate := openWithGate(t, 20*time.Millisecond)
	ada, bob := as("ada", ""), as("bob", "")
	if _, err := w.Preview(ada, "# "+slowText); !errors.Is(err, wiki.ErrTooComplex) {
		t.Fatalf("err = %v, want ErrTooComplex", err)
	}
	// The render goes on in the background, still counted against ada:
	// her next preview is refused at once, so she cannot pile up renders.
	if n := wiki.Runaways(w, "ada"); n != 1 {
		t.Fatalf("ada has %d renders running past their limit, want 1", n)
	}
	if _, err := w.Preview(ada, "a quick text"); !errors.Is(err, wiki.ErrBusy) {
		t.Errorf("ada's next preview: %v, want ErrBusy", err)
	}
	// Someone else is not held up by ada's text.
	if r, err := w.Preview(bob, "## Hello"); err != nil || !strings.Contains(string(r.HTML), "Hello") {
		t.Errorf("bob's preview: %v", err)
	}
	// Once the slow render ends, ada can preview again.
	gate.Open()
	wikitest.Eventually(t, "ada's slow render to end", func() bool { return wiki.Runaways(w, "ada") == 0 })
	if _, err := w.Preview(ada, "a quick text"); err != nil {
		t.Errorf("ada's preview after her slow render ended: %v", err)
	}
	if gate.Started() != 1 {
		t.Errorf("%d slow renders started, want 1", gate.Started())
	}
}

func TestSaveRefusesTextTooSlowToRender(t *testing.T) {
	w, db, gate := openWithGate(t, 50*time.Millisecond)
	ada, bob := as("ada", ""), as("bob", "")
	_, err := w.Save(ada, wiki.Edit{Slug: "p", Title: "P", Markdown: slowText})
	var ve *wiki.ValidationError
	if !errors.As(err, &ve) || ve.Fields["markdown"] == "" {
		t.Fatalf("err = %v, want a validation error on markdown", err)
	}
	if seq, _ := db.LastSeq(context.Background()); seq != 0 {
		t.Error("the slow text was saved")
	}
	// The same person's next save waits for their slow render to finish
	// (one bounded render per person), so a few hostile saves cannot take
	// every slot; someone else saves at once.
	if _, err := w.Save(ada, wiki.Edit{Slug: "q", Title: "Q", Markdown: "ok\n"}); !errors.Is(err, wiki.ErrBusy) {
		t.Errorf("second save by the same person: %v, want ErrBusy", err)
	}
	if _, err := w.Save(bob, wiki.Edit{Slug: "r", Title: "R", Markdown: "## Hello\n"}); err != nil {
		t.Errorf("someone else's save: %v", err)
	}
	gate.Open()
	wikitest.Eventually(t, "ada's slow render to end", func() bool { return wiki.Runaways(w, "ada") == 0 })
	if _, err := w.Save(ada, wiki.Edit{Slug: "q", Title: "Q", Markdown: "ok\n"}); err != nil {
		t.Errorf("ada's save after her slow render ended: %v", err)
	}
}

// Eight people open a revision nobody has viewed yet, at once: the wiki
// renders it once and all eight get that render. The cache is cold (the
// page was saved through another Wiki), so only the shared render in
// flight can keep the count at one.
func TestConcurrentViewsRenderOnce(t *testing.T) {
	w, db, gate := openWithGate(t, time.Second)
	ctx := context.Background()
	src := strings.Repeat("## Q\n\nsome *text*\n\n", 50) + slowText
	mustSave(t, wiki.New(wiki.Config{Store: db}), ctx, wiki.Edit{Slug: "p", Title: "P", Markdown: src})
	p, err := w.Page(ctx, "p")
	if err != nil {
		t.Fatal(err)
	}
	const viewers = 8
	var wg sync.WaitGroup
	results := make([]*markdown.Rendered, viewers)
	for i := range results {
		wg.Go(func() {
			r, err := w.RenderPage(ctx, p)
			if err != nil {
				t.Error(err)
			}
			results[i] = r
		})
	}
	// Hold the first render until every other viewer waits for it, or
	// until a second render starts (which is the bug this test is for).
	wikitest.Eventually(t, "the other viewers to wait for the first render", func() bool {
		return gate.Started() > 1 || gate.Started() == 1 && wiki.RenderWaiters(w, "p", p.Revision) == viewers-1
	})
	gate.Open()
	wg.Wait()
	if n := gate.Started(); n != 1 {
		t.Errorf("%d renders for one revision viewed by %d people at once, want 1", n, viewers)
	}
	for i, r := range results {
		if r != results[0] {
			t.Errorf("viewer %d got a render of its own", i)
		}
	}
}

// The wiki announces each commit it makes, and nothing else: an unchanged
// save, a conflict and a refused edit announce nothing.
func TestOnCommitAnnouncesEveryCommit(t *testing.T) {
	db, err := store.Open(t.TempDir()+"/faqwiki.db", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got []string
	w := wiki.New(wiki.Config{Store: db, OnCommit: func(r *wiki.Revision) {
		got = append(got, fmt.Sprintf("%s#%d %s", r.Slug, r.Number, r.Kind))
	}})
	ctx := as("ada", "c1")
	mustSave(t, w, ctx, wiki.Edit{Slug: "p", Markdown: "a\n"})
	mustSave(t, w, ctx, wiki.Edit{Slug: "p", Markdown: "a\nb\n", Base: 1})
	mustSave(t, w, ctx, wiki.Edit{Slug: "p", Markdown: "a\nb\n", Base: 2}) // unchanged
	if _, err := w.Save(ctx, wiki.Edit{Slug: "p", Markdown: "x\n", Base: 1}); !errors.Is(err, wiki.ErrConflict) {
		t.Fatalf("overlapping edit: err = %v, want a conflict", err)
	}
	if _, err := w.Save(ctx, wiki.Edit{Slug: "p", Markdown: "a\n", Base: -1}); err == nil {
		t.Fatal("a negative base was accepted")
	}
	if _, err := w.Revert(ctx, "p", 1, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Delete(ctx, "p", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Revert(ctx, "p", 2, ""); err != nil {
		t.Fatal(err)
	}
	want := []string{"p#1 create", "p#2 edit", "p#3 revert", "p#4 delete", "p#5 restore"}
	if !slices.Equal(got, want) {
		t.Errorf("announced %q, want %q", got, want)
	}
}

// TestSavesOfOnePageQueue: a save of a page waits while another save of
// it runs, so it merges with what that one wrote instead of rendering
// against a head that is about to move (and rendering again); a save of
// another page does not wait, and a waiting save gives up when its
// context ends, saving nothing.
func TestSavesOfOnePageQueue(t *testing.T) {
	db, err := store.Open(t.TempDir()+"/faqwiki.db", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	gate := wikitest.NewGateRenderer(func(src string) bool { return strings.Contains(src, "held") })
	t.Cleanup(gate.Open)
	w := wiki.New(wiki.Config{Store: db, Renderer: gate})
	ctx := context.Background()
	lines := []string{"one", "two", "three", "four", "five", "six"}
	text := func(i int, s string) string {
		l := append([]string(nil), lines...)
		l[i] = s
		return strings.Join(l, "\n\n") + "\n"
	}
	mustSave(t, w, ctx, wiki.Edit{Slug: "faq", Title: "FAQ", Markdown: text(0, "one")})
	mustSave(t, w, ctx, wiki.Edit{Slug: "other", Title: "Other", Markdown: "x\n"})

	errs := make(chan error, 2)
	go func() {
		_, err := w.Save(as("ada", ""), wiki.Edit{Slug: "faq", Markdown: text(0, "one held by ada"), Base: 1})
		errs <- err
	}()
	wikitest.Eventually(t, "ada's render to start", func() bool { return gate.Started() == 1 })
	go func() {
		_, err := w.Save(as("bob", ""), wiki.Edit{Slug: "faq", Markdown: text(5, "six held by bob"), Base: 1})
		errs <- err
	}()
	// Another page is saved while ada's save of faq is held up.
	if _, err := w.Save(as("cy", ""), wiki.Edit{Slug: "other", Markdown: "y\n", Base: 1}); err != nil {
		t.Fatalf("save of another page: %v", err)
	}
	wikitest.Eventually(t, "bob's save to wait", func() bool { return wiki.Saving(w, "faq") == 2 })
	// A third save of faq waits too, and gives up with its context.
	cctx, cancel := context.WithCancel(as("dan", ""))
	done := make(chan error, 1)
	go func() {
		_, err := w.Save(cctx, wiki.Edit{Slug: "faq", Markdown: text(3, "four by dan"), Base: 1})
		done <- err
	}()
	wikitest.Eventually(t, "dan's save to wait", func() bool { return wiki.Saving(w, "faq") == 3 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("waiting save with its context cancelled: %v, want context.Canceled", err)
	}
	if n := gate.Started(); n != 1 {
		t.Errorf("%d held renders started while ada's save ran, want 1 (bob's must wait)", n)
	}
	gate.Open()
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	// Ada's render and bob's, once each: bob's read ada's head.
	if n := gate.Started(); n != 2 {
		t.Errorf("%d held renders in all, want 2", n)
	}
	p, err := w.Page(ctx, "faq")
	if err != nil {
		t.Fatal(err)
	}
	if p.Revision != 3 || !strings.Contains(p.Markdown, "one held by ada") || !strings.Contains(p.Markdown, "six held by bob") || strings.Contains(p.Markdown, "dan") {
		t.Errorf("revision %d, text:\n%s\nwant revision 3 with ada's and bob's lines and not dan's", p.Revision, p.Markdown)
	}
	if n := wiki.PagesBeingSaved(w); n != 0 {
		t.Errorf("%d pages still marked as being saved", n)
	}
}
