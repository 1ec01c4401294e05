package wiki_test

import (
	"context"
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
)

func TestWikiStats(t *testing.T) {
	w := MustOpenWiki(t)
	ctx := as("trainer", "")
	mustSave(t, w, ctx, wiki.Edit{Slug: "vpn", Title: "VPN", Markdown: faq})                                                   // created
	mustSave(t, w, as("a", ""), wiki.Edit{Slug: "vpn", Markdown: strings.Replace(faq, "service desk", "IT desk", 1), Base: 1}) // edited
	mustSave(t, w, as("b", ""), wiki.Edit{Slug: "vpn", Markdown: strings.Replace(faq, "One day", "Two days", 1), Base: 1})     // merged
	if _, err := w.Save(as("c", ""), wiki.Edit{Slug: "vpn", Markdown: strings.Replace(faq, "service desk", "manager", 1), Base: 1}); !errors.Is(err, wiki.ErrConflict) {
		t.Fatal(err)
	}
	p, _ := w.Page(ctx, "vpn")
	mustSave(t, w, ctx, wiki.Edit{Slug: "vpn", Markdown: p.Markdown, Base: p.Revision}) // unchanged
	if _, err := w.Revert(ctx, "vpn", 1, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Delete(ctx, "vpn", ""); err != nil {
		t.Fatal(err)
	}
	got := w.Stats()
	want := wiki.WikiStats{Created: 1, Edited: 2, Merged: 1, Reverted: 1, Deleted: 1, Conflicts: 1, Unchanged: 1,
		RenderCacheHits: got.RenderCacheHits, RenderCacheMisses: got.RenderCacheMisses, Previews: got.Previews}
	if got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
	if got.Previews < 3 {
		t.Errorf("Previews = %d: every save renders its text first", got.Previews)
	}

	// A saved revision rendered again comes from the cache.
	mustSave(t, w, ctx, wiki.Edit{Slug: "other", Title: "Other", Markdown: "text\n"})
	page, _ := w.Page(ctx, "other")
	before := w.Stats()
	for range 3 {
		if _, err := w.RenderPage(ctx, page); err != nil {
			t.Fatal(err)
		}
	}
	if after := w.Stats(); after.RenderCacheHits != before.RenderCacheHits+3 || after.RenderCacheMisses != before.RenderCacheMisses {
		t.Errorf("three views of a cached render: %+v then %+v", before, after)
	}
}

func TestWikiStats_StorageFailure(t *testing.T) {
	db, err := store.Open(t.TempDir()+"/faqwiki.db", store.Options{MaxSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w := wiki.New(wiki.Config{Store: db})
	_, err = w.Save(context.Background(), wiki.Edit{Slug: "big", Title: "Big", Markdown: incompressible(2<<20 - 100)})
	if !errors.Is(err, wiki.ErrStorage) {
		t.Fatalf("save past the limit: %v, want wiki.ErrStorage", err)
	}
	if got := w.Stats(); got.StorageFailures != 1 || got.Created != 0 {
		t.Errorf("Stats = %+v", got)
	}
}

// incompressible returns n bytes of text that neither a delta nor
// compression can make much smaller (lines of base64 of random bytes), to
// fill a disk with.
func incompressible(n int) string {
	rng := rand.New(rand.NewPCG(uint64(n), 1))
	var b strings.Builder
	raw := make([]byte, 48)
	for b.Len() < n {
		for i := range raw {
			raw[i] = byte(rng.Uint32())
		}
		b.WriteString(base64.StdEncoding.EncodeToString(raw))
		b.WriteByte('\n')
	}
	return b.String()[:n]
}
