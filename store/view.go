// The read behind a page view (wiki.ViewStore): everything the view of a
// page shows besides its text, in one transaction.

package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// PageView reads the head of slug without its text, the head revision's
// metadata, the pages that link to it, whether username watches it (and
// whether its head is unseen on their watchlist or their cohort's reading
// list), and the existence sequence, in one read transaction. It returns
// an error wrapping wiki.ErrNotFound if the page never existed.
func (db *DB) PageView(ctx context.Context, slug wiki.Slug, username, cohort string) (*wiki.PageViewState, error) {
	// The same view read again while nothing was written is answered
	// from memory. The write count is read before the transaction, so a
	// write that lands during it leaves the entry already stale.
	key := viewKey{slug, username, cohort} // a struct: no string made on every view
	writes := db.writes.Load()
	if st, ok := db.viewStates.get(key, writes); ok {
		return st, nil
	}
	var st *wiki.PageViewState
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		s := string(slug)
		rec, head, err := db.viewRecords(tx, s)
		if err != nil {
			return err
		}
		st = &wiki.PageViewState{
			Page: &wiki.Page{
				Attachments: head.Attachments, Slug: slug, Title: rec.Title, Tags: rec.Tags,
				Revision: rec.Revision, Deleted: rec.Deleted, CreatedAt: fromNanos(rec.Created),
				UpdatedAt: fromNanos(rec.Updated), Author: rec.Author, Cohort: rec.Cohort,
			},
			Head:         head,
			ExistenceSeq: existenceSeq(tx),
		}
		if st.ReviewCount, err = findReviewCount(tx); err != nil {
			return err
		}
		st.Unreviewed = rec.Unreviewed
		if rec.Deleted {
			return nil
		}
		if st.Backlinks, err = findBacklinks(ctx, tx, s); err != nil {
			return err
		}
		if st.TitleBacklinks, err = findTitleBacklinks(ctx, tx, slug, rec.Title); err != nil {
			return err
		}
		if username == "" || strings.IndexByte(username, 0) >= 0 {
			return nil
		}
		return findViewWatch(tx, st, username, cohort, s, rec.Revision)
	})
	if err != nil {
		return nil, fmt.Errorf("store: view of page %q: %w", slug, err)
	}
	db.viewStates.put(key, writes, st)
	return copyViewState(st), nil
}

// findTitleBacklinks returns the pages that link to the slug title makes,
// when that is not slug and no page lives there (wiki.PageViewState).
func findTitleBacklinks(ctx context.Context, tx *bbolt.Tx, slug wiki.Slug, title string) ([]wiki.PageSummary, error) {
	alt := wiki.SlugFromTitle(title)
	if alt == "" || alt == slug {
		return nil, nil
	}
	switch rec, err := findPage(ctx, tx, string(alt)); {
	case err == nil && !rec.Deleted:
		return nil, nil
	case err != nil && !errors.Is(err, wiki.ErrNotFound):
		return nil, err
	}
	return findBacklinks(ctx, tx, string(alt))
}

// viewStates keeps what page views read, by page and reader, with the
// count of writes at the time: no write since means nothing changed (this
// process holds the file's lock, so every write is counted).
type viewStates struct {
	mu sync.Mutex
	m  map[viewKey]viewState
}

// viewKey names a view's state: the page and its reader.
type viewKey struct {
	slug             wiki.Slug
	username, cohort string
}

type viewState struct {
	writes uint64
	st     *wiki.PageViewState
}

func (v *viewStates) get(key viewKey, writes uint64) (*wiki.PageViewState, bool) {
	v.mu.Lock()
	e, ok := v.m[key]
	v.mu.Unlock()
	if !ok || e.writes != writes {
		return nil, false
	}
	return copyViewState(e.st), true
}

func (v *viewStates) put(key viewKey, writes uint64, st *wiki.PageViewState) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil || len(v.m) >= maxViewRecords {
		v.m = map[viewKey]viewState{}
	}
	v.m[key] = viewState{writes: writes, st: st}
}

// copyViewState copies st and what it points to that a caller might
// change (slices are shared: nobody changes those).
func copyViewState(st *wiki.PageViewState) *wiki.PageViewState {
	// One allocation for the three.
	c := &struct {
		st   wiki.PageViewState
		page wiki.Page
		head wiki.Revision
	}{st: *st, page: *st.Page}
	c.st.Page = &c.page
	if st.Head != nil {
		c.head = *st.Head
		c.st.Head = &c.head
	}
	return &c.st
}

// viewRecords returns the head record of slug and its head revision's
// metadata. Decoding their JSON was most of what a page view cost the
// store, so the decoded records of lately viewed pages are kept with the
// bytes they were decoded from: when the file still holds the same bytes,
// the same records are returned (the file is still read every time).
func (db *DB) viewRecords(tx *bbolt.Tx, slug string) (*pageRecord, *wiki.Revision, error) {
	if !storableSlug(slug) {
		return nil, nil, wiki.ErrNotFound
	}
	pages, err := bucket(tx, bucketPages)
	if err != nil {
		return nil, nil, err
	}
	revisions, err := bucket(tx, bucketRevisions)
	if err != nil {
		return nil, nil, err
	}
	pv := pages.Get([]byte(slug))
	if pv == nil {
		return nil, nil, wiki.ErrNotFound
	}
	db.views.mu.Lock()
	d, ok := db.views.m[slug]
	db.views.mu.Unlock()
	if ok && bytes.Equal(d.page, pv) {
		if rv := revisions.Get(revKey(slug, d.rec.Revision)); rv != nil && bytes.Equal(d.rev, rv) {
			head := *d.head
			return d.rec, &head, nil
		}
	}
	rec, err := decodePage(pv)
	if err != nil {
		return nil, nil, err
	}
	rv := revisions.Get(revKey(slug, rec.Revision))
	if rv == nil {
		return nil, nil, fmt.Errorf("revision %d: %w", rec.Revision, errMissingHead)
	}
	head, err := decodeRevision(slug, rec.Revision, rv)
	if err != nil {
		return nil, nil, err
	}
	db.views.mu.Lock()
	if db.views.m == nil || len(db.views.m) >= maxViewRecords {
		db.views.m = map[string]viewRecord{}
	}
	db.views.m[slug] = viewRecord{page: bytes.Clone(pv), rev: bytes.Clone(rv), rec: rec, head: head}
	db.views.mu.Unlock()
	h := *head
	return rec, &h, nil
}

// viewRecords keeps decoded records of viewed pages (see DB.viewRecords).
type viewRecords struct {
	mu sync.Mutex
	m  map[string]viewRecord // by slug
}

type viewRecord struct {
	page, rev []byte // the values as read
	rec       *pageRecord
	head      *wiki.Revision
}

// maxViewRecords bounds viewRecords; when full it starts again empty.
const maxViewRecords = 20000

var errMissingHead = errors.New("the page's head revision is missing")

// findViewWatch fills in st whether username watches slug, and whether its
// head n is unseen on their watchlist (their own watches of it or of a
// page above it with its sub-pages, or their cohort's reading list).
func findViewWatch(tx *bbolt.Tx, st *wiki.PageViewState, username, cohort, slug string, n int) error {
	watches, err := bucket(tx, bucketWatches)
	if err != nil {
		return err
	}
	watchOf := func(s string) (bool, bool, error) {
		v := watches.Get(userKey(username, s))
		if v == nil {
			return false, false, nil
		}
		var rec watchRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return false, false, fmt.Errorf("watch of %q: %w", s, err)
		}
		return true, rec.Prefix, nil
	}
	if st.Watching, st.WatchingPrefix, err = watchOf(slug); err != nil {
		return err
	}
	seen, err := bucket(tx, bucketSeen)
	if err != nil {
		return err
	}
	if v := seen.Get(userKey(username, slug)); len(v) == 8 && int(binary.BigEndian.Uint64(v)) >= n {
		return nil // seen already
	}
	listed := st.Watching
	for s := slug; !listed; {
		i := strings.LastIndexByte(s, '/')
		if i < 0 {
			break
		}
		s = s[:i]
		ok, prefix, err := watchOf(s)
		if err != nil {
			return err
		}
		listed = ok && prefix
	}
	if !listed && cohort != "" && strings.IndexByte(cohort, 0) < 0 {
		cw, err := bucket(tx, bucketCohortWatches)
		if err != nil {
			return err
		}
		listed = cw.Get(userKey(cohort, slug)) != nil
	}
	st.Unseen = listed
	return nil
}

// existenceSeq returns the number Commit moves on whenever a page comes
// to exist, stops existing or changes its title (0 in a file that never had it moved).
func existenceSeq(tx *bbolt.Tx) uint64 {
	if v := tx.Bucket(bucketMeta).Get(metaExistenceSeq); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// bumpExistence moves the existence sequence on, in a commit that creates,
// deletes, restores or retitles a page.
func bumpExistence(tx *bbolt.Tx) error {
	meta, err := bucket(tx, bucketMeta)
	if err != nil {
		return err
	}
	return meta.Put(metaExistenceSeq, u64(existenceSeq(tx)+1))
}
