package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"go.etcd.io/bbolt"
)

// bytesReachable copies the server's database through the admin backup
// and counts the bytes of the pages its buckets hold: what the data takes,
// whatever the file's free list held at the time. The server's own figure
// (the file up to its high-water mark less the free list) also counts
// pages that were freed but not yet reusable, so it moves with timing.
func (s *suite) bytesReachable(ctx context.Context) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/api/v1/admin/backup", nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", s.auth)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("bench: backup: %s", resp.Status)
	}
	path := filepath.Join(s.cfg.Dir, "usage-copy.db")
	defer os.Remove(path)
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
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
