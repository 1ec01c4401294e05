package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/faqwiki/faqwiki/wiki"
)

// importer is the author that `faqwiki import` attributes revisions to. It
// acts with an admin's authority (only someone who holds the data folder
// can run it), so what it imports counts as reviewed and does not flood the
// review queue.
var importer = &wiki.User{Name: "import", Role: wiki.RoleAdmin}

// importDir imports every *.md file below dir. Importing the same folder
// again only adds revisions where a file's text changed.
func (m *Main) importDir(ctx context.Context, cfg config, log *slog.Logger, dir string) error {
	info, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	db, err := openStore(cfg.dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	w := newWiki(db)
	ctx = wiki.NewContextWithUser(ctx, importer)

	var created, updated, unchanged, failed int
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.IsDir() || !strings.EqualFold(filepath.Ext(p), ".md") {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		res, err := importFile(ctx, w, p, filepath.ToSlash(rel))
		switch {
		case err != nil:
			failed++
			fmt.Fprintf(m.Stderr, "skipped %s: %v\n", rel, err)
		case res.Unchanged:
			unchanged++
		case res.Created:
			created++
		default:
			updated++
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "imported %s: %d created, %d updated, %d unchanged, %d skipped\n",
		dir, created, updated, unchanged, failed)
	if failed > 0 {
		return fmt.Errorf("%d files could not be imported", failed)
	}
	return nil
}

func importFile(ctx context.Context, w *wiki.Wiki, path, rel string) (*wiki.EditResult, error) {
	slug, err := slugFromPath(rel)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) > wiki.MaxMarkdownBytes+1024 {
		return nil, fmt.Errorf("%d bytes is over the %d-byte limit", len(b), wiki.MaxMarkdownBytes)
	}
	// faqwiki renders no raw HTML: simple HTML tables become GFM tables
	// rather than vanishing.
	title, body := splitTitle(convertHTMLTables(string(b)))
	e := wiki.Edit{Slug: slug, Title: title, Markdown: body, Summary: "Imported from " + rel}
	if head, err := w.Page(ctx, slug); err == nil {
		e.Base = head.Revision
	} else if !errors.Is(err, wiki.ErrNotFound) {
		return nil, err
	}
	return w.Save(ctx, e)
}

// exportDir writes every current page to dir as slug.md, in the form
// importDir reads back.
func (m *Main) exportDir(ctx context.Context, cfg config, log *slog.Logger, dir string) error {
	db, err := openStore(cfg.dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	w := newWiki(db)
	n := 0
	cursor := ""
	for {
		pages, next, err := db.Pages(ctx, wiki.PageFilter{Limit: 500, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, s := range pages {
			p, err := w.Page(ctx, s.Slug)
			if err != nil {
				return err
			}
			file := filepath.Join(dir, filepath.FromSlash(string(p.Slug))+".md")
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(file, []byte(fileText(p.Title, p.Markdown)), 0o644); err != nil {
				return err
			}
			n++
		}
		if next == "" {
			break
		}
		cursor = next
	}
	fmt.Fprintf(m.Stdout, "exported %d pages to %s\n", n, dir)
	return nil
}
