package wiki

import (
	"context"
	"time"
)

// Backups. The store is the one source of truth, so a backup is a copy of
// it: written inside one read transaction (a consistent snapshot while
// edits go on), to a file, and verified before anyone may download it.
// Never a live transaction streamed into a socket: a slow reader would
// hold the transaction open for as long as it likes, and with some bbolt
// versions pages reused by later writers leaked into such copies.

// Snapshot is a verified copy of the store in a file of its own.
type Snapshot struct {
	Path      string // the file; a temporary one that its receiver removes
	Size      int64
	SHA256    string    // hex SHA-256 of the file's bytes
	Seq       uint64    // the newest change in the copy
	Pages     int       // page heads in it, deleted pages included
	Revisions int       // revisions in it
	CreatedAt time.Time // when the snapshot's transaction began
}

// Snapshotter makes verified copies of the store.
type Snapshotter interface {
	// Snapshot writes a consistent copy of the store into a new temporary
	// file and verifies it (it opens, its pages check clean, its change
	// feed has no gaps, every page head names a stored revision). The
	// caller removes Snapshot.Path when done. It returns ErrStorage if the
	// copy cannot be written, and an error if it does not verify.
	Snapshot(ctx context.Context) (*Snapshot, error)
}
