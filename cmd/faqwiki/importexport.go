package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/faqwiki/faqwiki/cmd/faqwiki/internal/importer"
	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
)

// importUser is the author that `faqwiki import` attributes revisions to.
// It acts with an admin's authority (only someone who holds the data
// folder can run it), so what it imports counts as reviewed and does not
// flood the review queue.
var importUser = &wiki.User{Name: "import", Role: wiki.RoleAdmin}

// importDir imports the Markdown site in dir (see package importer) and
// prints its report. Importing the same folder again only adds revisions
// where a file changed. With dryRun it reads and reports, writing nothing.
func (m *Main) importDir(ctx context.Context, cfg config, log *slog.Logger, dir string) error {
	site, err := importer.Read(dir, wiki.NewRenderer())
	if err != nil {
		return err
	}
	rep := site.Report
	if cfg.dryRun {
		rep.Print(m.Stdout, dir, len(site.Pages), true)
		return nil
	}
	if cfg.url != "" {
		return m.importViaAPI(ctx, cfg, dir, site) // importurl.go: a running server
	}
	db, err := openStore(cfg.dataDir)
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("the data folder %s is in use by a running server: import through it instead, with an API token of an editor (make one on your account page in the wiki):\n\n    FAQWIKI_TOKEN=TOKEN faqwiki import -url %s %s\n\n(-url is the address the wiki answers at)", cfg.dataDir, importURLHint(cfg), dir)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	w := newWiki(db)
	ctx = wiki.NewContextWithUser(ctx, importUser)
	for _, p := range site.Pages {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := importPage(ctx, w, p)
		switch {
		case err != nil:
			rep.Failed = append(rep.Failed, importer.Note{File: p.Path, What: err.Error()})
		case res.Unchanged:
			rep.Unchanged++
		case res.Created:
			rep.Created++
		default:
			rep.Updated++
		}
	}
	for _, p := range site.Pages {
		for _, a := range p.Aliases {
			if ok, _ := db.Exists(ctx, []wiki.Slug{a}); ok[0] {
				continue // a page lives there: it wins over an old name
			}
			if err := w.SetAlias(ctx, a, p.Slug); err != nil {
				rep.Failed = append(rep.Failed, importer.Note{File: p.Path, What: fmt.Sprintf("alias %s: %v", a, err)})
				continue
			}
			rep.Aliases++
		}
	}
	rep.Print(m.Stdout, dir, len(site.Pages), false)
	if len(rep.Failed) > 0 {
		return fmt.Errorf("%d pages could not be imported", len(rep.Failed))
	}
	return nil
}

func importPage(ctx context.Context, w *wiki.Wiki, p *importer.Page) (*wiki.EditResult, error) {
	e := wiki.Edit{Slug: p.Slug, Title: p.Title, Markdown: p.Markdown, Tags: p.Tags, Files: p.Files, Summary: "Imported from " + p.Path}
	if head, err := w.Page(ctx, p.Slug); err == nil {
		e.Base = head.Revision
	} else if !errors.Is(err, wiki.ErrNotFound) {
		return nil, err
	}
	return w.Save(ctx, e)
}

// exportDir writes every current page to dir in the form importDir reads
// back as the same wiki: slug.md, or slug/index.md with the page's files
// beside it when it has files; tags, old names and the files' names in
// front matter.
func (m *Main) exportDir(ctx context.Context, cfg config, log *slog.Logger, dir string) error {
	db, err := openStore(cfg.dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	w := newWiki(db)
	r := wiki.NewRenderer()
	aliases, err := w.Aliases(ctx)
	if err != nil {
		return err
	}
	n, files := 0, 0
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
			base := filepath.Join(dir, filepath.FromSlash(string(p.Slug)))
			file := base + ".md"
			var names []string
			if len(p.Attachments) > 0 {
				file = filepath.Join(base, "index.md")
				if err := os.MkdirAll(base, 0o755); err != nil {
					return err
				}
				for _, a := range p.Attachments {
					data, err := w.Blob(ctx, a.SHA256)
					if err != nil {
						return fmt.Errorf("page %s: file %s: %w", p.Slug, a.Name, err)
					}
					if err := os.WriteFile(filepath.Join(base, a.Name), data, 0o644); err != nil {
						return err
					}
					names = append(names, a.Name)
					files++
				}
			}
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				return err
			}
			text := importer.PageFile(r, p.Title, p.Markdown, p.Tags, aliases[p.Slug], names)
			if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
				return err
			}
			n++
		}
		if next == "" {
			break
		}
		cursor = next
	}
	fmt.Fprintf(m.Stdout, "exported %d pages and %d files to %s\n", n, files, dir)
	return nil
}

// importURLHint is the wiki's address for the hint of a refused import:
// -addr's when given, else the default's.
func importURLHint(cfg config) string {
	if cfg.baseURL != "" {
		return cfg.baseURL
	}
	return "http://" + cfg.addr
}
