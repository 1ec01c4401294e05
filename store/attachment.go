// Attachments: the content of every page's files, stored once per content
// in blobs, and the aliases (old names) of pages in aliases. Which files a
// page has is part of each revision record (revisionRecord.Files).

package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// fileRecord is one attachment as a revision records it.
type fileRecord struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Type   string `json:"type"`
}

func toFileRecords(as []wiki.Attachment) []fileRecord {
	if len(as) == 0 {
		return nil
	}
	out := make([]fileRecord, len(as))
	for i, a := range as {
		out[i] = fileRecord{Name: a.Name, SHA256: a.SHA256, Size: a.Size, Type: a.ContentType}
	}
	return out
}

func fromFileRecords(rs []fileRecord) []wiki.Attachment {
	if len(rs) == 0 {
		return nil
	}
	out := make([]wiki.Attachment, len(rs))
	for i, r := range rs {
		out[i] = wiki.Attachment{Name: r.Name, SHA256: r.SHA256, Size: r.Size, ContentType: r.Type}
	}
	return out
}

// validateFiles checks, outside any transaction, that the blobs a commit
// brings are the contents their keys name, and that the attachments are
// well-formed keys.
func validateFiles(rev *wiki.Revision, v *wiki.ValidationError) {
	for id, data := range rev.Blobs {
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != id {
			v.Add("attachments", "the content given for %.12s… does not hash to it", id)
			return
		}
	}
	for _, a := range rev.Attachments {
		if !wiki.ValidBlobID(a.SHA256) || a.Name == "" {
			v.Add("attachments", "attachment %.40q has no valid content hash", a.Name)
			return
		}
	}
}

// putFiles stores the blobs of rev that blobs lacks and checks that every
// attachment's content is there, in the commit's transaction. It returns
// a *wiki.ValidationError for an attachment whose content is missing.
func putFiles(b *bbolt.Bucket, rev *wiki.Revision) error {
	for id, data := range rev.Blobs {
		if b.Get([]byte(id)) != nil {
			continue // the same content, stored before: kept once
		}
		if err := b.Put([]byte(id), data); err != nil {
			return err
		}
	}
	for _, a := range rev.Attachments {
		if b.Get([]byte(a.SHA256)) == nil {
			return wiki.Invalid("attachments", "the content of %s is neither stored nor given", a.Name)
		}
	}
	return nil
}

// Blob returns the content stored under id, copied out of the
// transaction. It returns an error wrapping wiki.ErrNotFound if there is
// none.
func (db *DB) Blob(ctx context.Context, id string) ([]byte, error) {
	var out []byte
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketBlobs)
		if err != nil {
			return err
		}
		v := b.Get([]byte(id))
		if v == nil {
			return wiki.ErrNotFound
		}
		out = append([]byte(nil), v...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: blob %.16s: %w", id, err)
	}
	return out, nil
}

// PutAlias records from as an old name of the page to, replacing an
// earlier alias of from. It returns a *wiki.ValidationError when from
// equals to or either is not storable.
func (db *DB) PutAlias(ctx context.Context, from, to wiki.Slug) error {
	if from == to || !storableSlug(string(from)) || !storableSlug(string(to)) {
		return fmt.Errorf("store: alias %q: %w", from, wiki.Invalid("alias", "must name another page"))
	}
	err := db.update(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketAliases)
		if err != nil {
			return err
		}
		if string(b.Get([]byte(from))) == string(to) {
			return nil
		}
		return b.Put([]byte(from), []byte(to))
	})
	if err != nil {
		return fmt.Errorf("store: alias %q: %w", from, err)
	}
	return nil
}

// Alias returns the page the old name from leads to, or an error wrapping
// wiki.ErrNotFound.
func (db *DB) Alias(ctx context.Context, from wiki.Slug) (wiki.Slug, error) {
	var to wiki.Slug
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketAliases)
		if err != nil {
			return err
		}
		v := b.Get([]byte(from))
		if v == nil {
			return wiki.ErrNotFound
		}
		to = wiki.Slug(v)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("store: alias %q: %w", from, err)
	}
	return to, nil
}

// Aliases returns every alias, old name -> page.
func (db *DB) Aliases(ctx context.Context) (map[wiki.Slug]wiki.Slug, error) {
	out := map[wiki.Slug]wiki.Slug{}
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketAliases)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			out[wiki.Slug(k)] = wiki.Slug(v)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: aliases: %w", err)
	}
	return out, nil
}

// BlobCount returns how many distinct file contents are stored.
func (db *DB) BlobCount(ctx context.Context) (int, error) {
	n := 0
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketBlobs)
		if err != nil {
			return err
		}
		n = b.Stats().KeyN
		return nil
	})
	return n, err
}
