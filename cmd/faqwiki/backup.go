package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/faqwiki/faqwiki/search"
	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
)

// backup writes a verified copy of the database to cfg.out: downloaded
// from a running server (-url, -token), or copied from the stopped data
// folder. Either way the file is complete and checked before it takes its
// name: a download goes to a temporary file, is compared with the
// server's checksum and checked like any backup, then renamed.
func (m *Main) backup(ctx context.Context, cfg config) error {
	if cfg.out == "" {
		return fmt.Errorf("%w: faqwiki backup -o FILE [-url URL -token TOKEN]: say where to write the backup", errUsage)
	}
	if cfg.url != "" {
		return m.backupFromServer(ctx, cfg)
	}
	if cfg.token != "" {
		return fmt.Errorf("%w: -token goes with -url (the server to back up)", errUsage)
	}
	// A stopped server's folder: open it read-only (a running server holds
	// the lock, and then this fails at once saying so).
	db, err := store.Open(dbPath(cfg.dataDir), store.Options{ReadOnly: true})
	switch {
	case errors.Is(err, store.ErrLocked):
		return fmt.Errorf("the data folder %s is in use by a running faqwiki; back it up through the server instead: faqwiki backup -url http://ADDRESS -token TOKEN -o %s", cfg.dataDir, cfg.out)
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("there is no database in %s (-data)", cfg.dataDir)
	case err != nil:
		return err
	}
	defer db.Close()
	if cfg.out == "-" {
		snap, err := db.Snapshot(ctx)
		if err != nil {
			return err
		}
		defer os.Remove(snap.Path)
		if err := copyTo(m.Stdout, snap.Path); err != nil {
			return err
		}
		fmt.Fprintf(m.Stderr, "backup: %d bytes, %d pages, %d revisions, change feed up to %d, sha256 %s\n", snap.Size, snap.Pages, snap.Revisions, snap.Seq, snap.SHA256)
		return nil
	}
	snap, err := db.SnapshotTo(ctx, cfg.out)
	if err != nil {
		return err
	}
	m.reportBackup(snap.Path, snap.Size, snap.Pages, snap.Revisions, snap.Seq, snap.SHA256)
	return nil
}

func (m *Main) reportBackup(path string, size int64, pages, revisions int, seq uint64, sum string) {
	fmt.Fprintf(m.Stdout, "backup written to %s: %d bytes, %d pages, %d revisions, change feed up to %d\nsha256 %s (verified: it opens, its pages check clean, its feed has no gaps, every page head names a stored revision)\n",
		path, size, pages, revisions, seq, sum)
}

// backupFromServer downloads GET /api/v1/admin/backup.
func (m *Main) backupFromServer(ctx context.Context, cfg config) error {
	if cfg.token == "" {
		return fmt.Errorf("%w: -url needs -token (an admin's API token; FAQWIKI_TOKEN keeps it out of the process list)", errUsage)
	}
	u := strings.TrimRight(cfg.url, "/") + "/api/v1/admin/backup"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("%w: -url %q: %v", errUsage, cfg.url, err)
	}
	req.Header.Set("Authorization", "Bearer "+cfg.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return fmt.Errorf("backup: the server answered %s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	want := resp.Header.Get("X-Checksum-Sha256")
	if want == "" {
		return errors.New("backup: the server sent no X-Checksum-Sha256; not a faqwiki backup")
	}
	dir := "."
	if cfg.out != "-" {
		dir = filepath.Dir(cfg.out)
	}
	tmp, err := os.CreateTemp(dir, ".faqwiki-backup-*.tmp")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), resp.Body)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup: download: %w", err)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return fmt.Errorf("backup: got %d bytes of %d", n, resp.ContentLength)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("backup: the download's sha256 is %s, the server sent %s; nothing written", got, want)
	}
	rep, err := store.Check(ctx, tmp.Name())
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if !rep.OK() {
		return fmt.Errorf("backup: the download does not check clean: %s", strings.Join(rep.Problems, "; "))
	}
	if cfg.out == "-" {
		if err := copyTo(m.Stdout, tmp.Name()); err != nil {
			return err
		}
		fmt.Fprintf(m.Stderr, "backup: %d bytes, %d pages, %d revisions, change feed up to %d, sha256 %s\n", n, rep.Pages, rep.Revisions, rep.LastSeq, want)
		return nil
	}
	if err := os.Rename(tmp.Name(), cfg.out); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	m.reportBackup(cfg.out, n, rep.Pages, rep.Revisions, rep.LastSeq, want)
	return nil
}

func copyTo(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// restore puts the backup file into the data folder, which must hold no
// database, and rebuilds the folder's search index from it (a search
// index or search log from before is replaced: they belong to other data).
func (m *Main) restore(ctx context.Context, cfg config, log *slog.Logger, file string) error {
	if _, err := os.Stat(dbPath(cfg.dataDir)); err == nil {
		return fmt.Errorf("%s already holds a database; restore into an empty data folder (-data), or move %s away first", cfg.dataDir, dbPath(cfg.dataDir))
	}
	rep, err := store.Restore(ctx, file, dbPath(cfg.dataDir))
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "restored %s into %s: %d pages, %d revisions, %d accounts, change feed up to %d (checked clean)\n",
		file, cfg.dataDir, rep.Pages, rep.Revisions, rep.Accounts, rep.LastSeq)
	// An index left in the folder was made from other data.
	for _, p := range []string{indexPath(cfg.dataDir), indexPath(cfg.dataDir) + ".rebuild"} {
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("remove the old search index: %w", err)
		}
	}
	start := time.Now()
	db, err := openStore(cfg.dataDir) // migrates a backup of an older version
	if err != nil {
		return err
	}
	defer db.Close()
	ix, err := openIndex(cfg.dataDir, db, wiki.NewRenderer(), search.Options{Logger: log})
	if err != nil {
		return err
	}
	defer ix.Close()
	if err := ix.Rebuild(ctx, nil); err != nil {
		return fmt.Errorf("rebuild the search index: %w", err)
	}
	n, _ := ix.DocCount()
	fmt.Fprintf(m.Stdout, "rebuilt the search index: %d sections, in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}

// check verifies a stopped server's data folder: the database (bbolt's
// own check, the change feed, the page heads and revision numbers) and
// the search index's place in the feed. It prints what it found, and
// fails if anything is wrong.
func (m *Main) check(ctx context.Context, cfg config) error {
	rep, err := store.Check(ctx, dbPath(cfg.dataDir))
	switch {
	case errors.Is(err, store.ErrLocked):
		return fmt.Errorf("the data folder %s is in use by a running faqwiki; stop it first (or check a backup: faqwiki backup, then faqwiki check -data on a folder restored from it)", cfg.dataDir)
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("there is no database in %s (-data)", cfg.dataDir)
	case err != nil:
		return err
	}
	problems := rep.Problems
	fmt.Fprintf(m.Stdout, "database %s: schema version %d, %d bytes, %d pages, %d revisions, %d accounts, change feed 1..%d\n",
		rep.Path, rep.SchemaVersion, rep.Size, rep.Pages, rep.Revisions, rep.Accounts, rep.LastSeq)
	seq, built, err := search.ReadSeq(indexPath(cfg.dataDir))
	switch {
	case errors.Is(err, search.ErrLocked):
		return fmt.Errorf("the search index in %s is in use by a running faqwiki; stop it first", cfg.dataDir)
	case err != nil:
		// Derived data: the server rebuilds it; say so, but it is no fault
		// of the store.
		fmt.Fprintf(m.Stdout, "search index: unreadable (%v); the server deletes and rebuilds it on start\n", err)
	case !built:
		fmt.Fprintln(m.Stdout, "search index: none yet; the server builds it on start")
	case seq > rep.LastSeq:
		problems = append(problems, fmt.Sprintf("the search index is at change %d, ahead of the store's %d: it was made from other data (the server rebuilds it on start)", seq, rep.LastSeq))
	default:
		fmt.Fprintf(m.Stdout, "search index: at change %d of %d (%d to catch up on start)\n", seq, rep.LastSeq, rep.LastSeq-seq)
	}
	if len(problems) == 0 {
		fmt.Fprintln(m.Stdout, "ok: bbolt check clean, change feed gap-free, every page head at a stored revision, revision numbers gap-free, every text resolves to its checksum")
		return nil
	}
	for _, p := range problems {
		fmt.Fprintln(m.Stdout, "problem:", p)
	}
	if rep.More > 0 {
		fmt.Fprintf(m.Stdout, "… and %d more problems\n", rep.More)
	}
	return fmt.Errorf("check found %d problems in %s, the first: %s", len(problems)+rep.More, cfg.dataDir, problems[0])
}
