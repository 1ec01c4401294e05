package wiki

import "time"

// RevisionKind says what a revision did to its page.
type RevisionKind string

// Revision kinds. Every change to a page, including deleting and restoring
// it, is a new immutable revision.
const (
	KindCreate  RevisionKind = "create"
	KindEdit    RevisionKind = "edit"
	KindRevert  RevisionKind = "revert"
	KindDelete  RevisionKind = "delete"
	KindRestore RevisionKind = "restore" // a revert of a deleted page
)

// Revision is one immutable version of a page. Numbers count from 1 per
// page with no gaps.
type Revision struct {
	Slug      Slug
	Number    int
	Kind      RevisionKind
	Title     string
	Markdown  string
	Tags      []string
	Author    string
	Cohort    string // the author's cohort when they wrote it ("" before accounts)
	Summary   string
	CreatedAt time.Time
	Base      int  // the revision the editor started from (0 for a new page)
	Merged    bool // saved by merging with changes made after Base
	RevertOf  int  // for KindRevert/KindRestore: the revision whose text this is
	Size      int  // bytes of Markdown
	Added     int  // lines added relative to the previous revision
	Removed   int  // lines removed relative to the previous revision

	ReviewedBy string
	ReviewedAt time.Time

	// Attachments are the files the page has as of this revision, sorted
	// by name; the blobs they name are stored once, by content.
	Attachments []Attachment
	// Blobs holds, for Commit, the content of attachments that may be new
	// to the store, by their SHA256. It is written with the revision in
	// one transaction and never read back (see PageStore.Blob).
	Blobs map[string][]byte
	// Links are the targets of the text's wiki links, which Commit files
	// in the link index in the same transaction, replacing the page's
	// links (the wiki fills them in, see Wiki.finish; a commit without them
	// leaves the page linking nowhere). They are not part of the stored
	// revision.
	Links []Link
}

// Deleted reports whether this revision deletes its page.
func (r *Revision) Deleted() bool { return r.Kind == KindDelete }

// Change is one entry of the store's change feed: the revision it recorded,
// under a global sequence number that has no gaps. The search index and
// other derived views follow the feed.
type Change struct {
	Seq      uint64
	Slug     Slug
	Revision int
	Kind     RevisionKind
	Title    string
	Author   string
	Cohort   string
	Summary  string
	Time     time.Time
	Added    int
	Removed  int
}
