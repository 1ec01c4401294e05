// Backups: a copy of the file written inside one read transaction, synced
// and checked before it is handed out, and the restore of such a copy
// into an empty data folder.

package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

var _ wiki.Snapshotter = (*DB)(nil)

// snapshotPattern names the temporary files of Snapshot, in the folder of
// the database file; Open removes any a crash left behind.
const snapshotPattern = ".snapshot-*.db.tmp"

// Snapshot writes a consistent copy of the database into a new temporary
// file beside it and verifies it; see wiki.Snapshotter. The caller removes
// the file. Writes go on meanwhile: the copy is what one read transaction
// sees, and bbolt does not reuse the pages that transaction can see until
// it ends.
func (db *DB) Snapshot(ctx context.Context) (*wiki.Snapshot, error) {
	f, err := os.CreateTemp(filepath.Dir(db.path), snapshotPattern)
	if err != nil {
		return nil, fmt.Errorf("store: snapshot: %w", storageError(err))
	}
	snap, err := db.writeSnapshot(ctx, f)
	if err != nil {
		_ = os.Remove(f.Name())
		return nil, err
	}
	return snap, nil
}

// SnapshotTo is Snapshot into the file path: it writes a temporary file
// beside path and renames it into place once verified, so path never
// holds a partial or unverified copy. An existing path is replaced.
func (db *DB) SnapshotTo(ctx context.Context, path string) (*wiki.Snapshot, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("store: snapshot: %w", err)
	}
	snap, err := db.writeSnapshot(ctx, f)
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return nil, err
	}
	snap.Path = path
	return snap, nil
}

// writeSnapshot copies the database into f inside one read transaction,
// syncs and closes f, and checks the copy.
func (db *DB) writeSnapshot(ctx context.Context, f *os.File) (*wiki.Snapshot, error) {
	snap := &wiki.Snapshot{Path: f.Name()}
	h := sha256.New()
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		snap.CreatedAt = time.Now().UTC()
		if b := tx.Bucket(bucketChanges); b != nil {
			snap.Seq = b.Sequence()
		}
		n, err := tx.WriteTo(io.MultiWriter(f, h))
		snap.Size = n
		if err != nil {
			return storageError(err)
		}
		return nil
	})
	if err == nil {
		if err = f.Sync(); err != nil {
			err = storageError(err)
		}
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = storageError(cerr)
	}
	if err != nil {
		return nil, fmt.Errorf("store: snapshot: %w", err)
	}
	snap.SHA256 = hex.EncodeToString(h.Sum(nil))
	rep, err := Check(ctx, f.Name())
	if err != nil {
		return nil, fmt.Errorf("store: snapshot: verify the copy: %w", err)
	}
	if !rep.OK() {
		return nil, fmt.Errorf("store: snapshot: the copy does not verify: %s", strings.Join(rep.Problems, "; "))
	}
	if rep.LastSeq != snap.Seq {
		return nil, fmt.Errorf("store: snapshot: the copy ends at change %d, its transaction at %d", rep.LastSeq, snap.Seq)
	}
	snap.Pages, snap.Revisions = rep.Pages, rep.Revisions
	return snap, nil
}

// ErrNotEmpty means a restore was asked into a data folder that already
// holds a database.
var ErrNotEmpty = errors.New("store: the data folder already holds a database")

// Restore checks the backup file src and, if it is sound, copies it to
// dst, which must not exist: through a temporary file beside dst, synced
// and renamed into place, so that dst is either absent or the whole
// backup. It returns the check's report; an error wrapping ErrNotEmpty if
// dst exists, and an error if src does not check clean (nothing is
// written then).
func Restore(ctx context.Context, src, dst string) (*CheckReport, error) {
	if _, err := os.Lstat(dst); err == nil {
		return nil, fmt.Errorf("store: restore into %s: %w", dst, ErrNotEmpty)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("store: restore into %s: %w", dst, err)
	}
	rep, err := Check(ctx, src)
	if err != nil {
		return nil, fmt.Errorf("store: restore: %w", err)
	}
	if !rep.OK() {
		return rep, fmt.Errorf("store: restore: %s does not check clean: %s", src, strings.Join(rep.Problems, "; "))
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return nil, fmt.Errorf("store: restore: %w", err)
	}
	if err := copyFile(src, dst); err != nil {
		return nil, fmt.Errorf("store: restore: %w", err)
	}
	return rep, nil
}

// copyFile copies src to the new file dst by way of a synced temporary
// file and a rename.
func copyFile(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = out.Close()
			_ = os.Remove(out.Name())
		}
	}()
	if err := out.Chmod(0o600); err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		return err
	}
	if err := out.Sync(); err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	// Link rather than rename, so that a dst made meanwhile is not
	// replaced.
	if err := os.Link(out.Name(), dst); err != nil {
		return err
	}
	_ = os.Remove(out.Name())
	return syncDir(filepath.Dir(dst))
}

// syncDir makes a rename or link in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// removeStaleSnapshots deletes the temporary files of snapshots that a
// crash interrupted, in the folder of the database file.
func removeStaleSnapshots(path string) {
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), snapshotPattern))
	for _, m := range matches {
		_ = os.Remove(m)
	}
}
