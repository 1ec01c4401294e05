package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
)

// BenchmarkHandbookHistory imports the demo handbook (236 pages) and edits
// every page 49 times, one line each, for 50 revisions a page, then
// reports the database file and the bytes in use against the text of
// every revision (what a store of whole texts holds):
//
//	go test -run '^$' -bench HandbookHistory -benchtime 1x ./cmd/faqwiki/
func BenchmarkHandbookHistory(b *testing.B) {
	for b.Loop() {
		data := b.TempDir()
		m := &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
		if err := m.Run(context.Background(), []string{"import", filepath.Join("demo", "handbook"), "-data", data}); err != nil {
			b.Fatal(err)
		}
		db, err := store.Open(dbPath(data), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		w := wiki.New(wiki.Config{Store: db})
		ctx := wiki.NewContextWithUser(context.Background(), &wiki.User{Name: "editor", Role: wiki.RoleEditor})
		var pages []wiki.PageSummary
		for cursor := ""; ; {
			ps, next, err := db.Pages(ctx, wiki.PageFilter{Limit: 500, Cursor: cursor})
			if err != nil {
				b.Fatal(err)
			}
			pages = append(pages, ps...)
			if next == "" {
				break
			}
			cursor = next
		}
		var textBytes atomic.Int64
		work := make(chan wiki.PageSummary)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for s := range work {
					p, err := db.Page(ctx, s.Slug)
					if err != nil {
						b.Error(err)
						return
					}
					textBytes.Add(int64(len(p.Markdown)))
					lines := strings.Split(p.Markdown, "\n")
					rev := p.Revision
					for i := 1; i < 50; i++ {
						k := (i * 7) % len(lines)
						lines[k] = fmt.Sprintf("%s (checked by cohort %d)", lines[k], i)
						text := strings.Join(lines, "\n")
						res, err := w.Save(ctx, wiki.Edit{Slug: s.Slug, Markdown: text, Base: rev})
						if err != nil {
							b.Error(err)
							return
						}
						rev = res.Revision.Number
						textBytes.Add(int64(len(text)))
					}
				}
			})
		}
		for _, s := range pages {
			work <- s
		}
		close(work)
		wg.Wait()
		inUse := db.BytesInUse()
		db.Close()
		fi, err := os.Stat(dbPath(data))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(pages)), "pages")
		b.ReportMetric(float64(textBytes.Load())/1e6, "MB-of-texts")
		b.ReportMetric(float64(fi.Size())/1e6, "MB-file")
		b.ReportMetric(float64(inUse)/1e6, "MB-in-use")
		b.Logf("%d pages, 50 revisions each: %.1f MB of text in all revisions, database file %.1f MB, %.1f MB in use (%.1f%% of the texts)",
			len(pages), float64(textBytes.Load())/1e6, float64(fi.Size())/1e6, float64(inUse)/1e6, 100*float64(inUse)/float64(textBytes.Load()))
	}
}
