package bench

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"go.etcd.io/bbolt"
)

// bytesReachable copies the server's database with faqwiki backup
// (through the running server's API, checksum verified) and counts the
// bytes of the pages its buckets hold: what the data takes, whatever the
// file's free list held at the time. The server's own figure (the file
// up to its high-water mark less the free list) moves with how many freed
// pages were reusable at the moment.
func (s *suite) bytesReachable(ctx context.Context) (int64, error) {
	path := filepath.Join(s.cfg.Dir, "usage-copy.db")
	defer os.Remove(path)
	token := strings.TrimPrefix(s.auth, "Bearer ")
	if _, err := runOutput(ctx, -1, s.cfg.Exe, "backup", "-url", s.base, "-token", token, "-o", path); err != nil {
		return 0, err
	}
	return pagesHeld(path)
}

// pagesHeld returns the bytes of the pages that the buckets of the bbolt
// file at path hold (branches, leaves and their overflow; nested buckets
// included).
func pagesHeld(path string) (int64, error) {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var pages int
	err = db.View(func(tx *bbolt.Tx) error {
		return tx.ForEach(func(_ []byte, b *bbolt.Bucket) error {
			st := b.Stats()
			pages += st.BranchPageN + st.BranchOverflowN + st.LeafPageN + st.LeafOverflowN
			return nil
		})
	})
	return int64(pages) * int64(db.Info().PageSize), err
}
