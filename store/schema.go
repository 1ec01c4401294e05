// The layout of the bbolt file: buckets, keys and their encodings, the
// schema version and the migrations between versions.

package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// The layout of the bbolt file. Every bucket and meta key is listed here,
// and Open creates all of them in one transaction, so the rest of the
// package may treat a missing bucket as a corrupt file. Integers in keys are
// big-endian uint64s, so byte order is numeric order; "time" in a key is
// Unix nanoseconds with the sign bit flipped (timeKey), so byte order is
// time order even before 1970.
//
//	bucket         key                     value
//	meta           metaSchemaVersion       uint64: schema version
//	               metaSetupToken          the first-run setup token's hash
//	pages          slug                    pageRecord JSON: the head of the page
//	                                       (and how many of its revisions
//	                                       are unreviewed, from which on)
//	revisions      slug 0x00 number        revisionRecord JSON: metadata, no text
//	texts          number                  Markdown of the revision whose
//	                                       record names this number: a delta
//	                                       against the page's revision before
//	                                       or a full copy, maybe compressed
//	                                       (text.go); numbered in the order
//	                                       written (the bucket's sequence)
//	tags           tag 0x00 slug           empty: live pages by tag, for Pages
//	recent         time slug               empty: live pages by update time
//	titles         folded 0x00 slug        empty: live pages by title, for
//	                                       Pages with ByTitle (see foldTitle)
//	changes        seq                     changeRecord JSON; the bucket's
//	                                       sequence is the last seq handed out
//	cohortchanges  cohort 0x00 seq         empty: changes by the author's
//	                                       cohort then, for CohortChanges
//	authorchanges  username 0x00 seq       empty: changes by author, for
//	                                       AuthorChanges
//	cohorttotals   cohort                  cohortTotalsRecord JSON: what the
//	                                       cohort's changes add up to, for
//	                                       CohortTotals
//	accounts       username                accountRecord JSON
//	sessions       id                      sessionRecord JSON
//	usersessions   username 0x00 id        empty: sessions by user
//	sessionexpiry  time id                 empty: sessions by expiry time
//	tokens         id                      tokenRecord JSON
//	usertokens     username 0x00 id        empty: API tokens by user
//	cohorts        id                      cohortRecord JSON
//	invites        invite code             cohort id, for SignUp
//	synonyms       number                  synonymRecord JSON: a revision of
//	                                       the synonym list, text included
//	blobs          hex SHA-256             the content of a page's file
//	                                       (attachment), stored once
//	                                       however many revisions name it
//	aliases        old slug                slug of the page it now names
//	resets         id                      resetRecord JSON: a one-time
//	                                       password reset link (id is the
//	                                       hash of its token)
//	userresets     username                id of the account's live reset
//
// Review, links and watching (review.go, link.go, watch.go, feedtoken.go):
//
//	links          from 0x00 to            the link's page name as written:
//	                                       wiki links of live pages' texts
//	backlinks      to 0x00 from            empty: the same links by target
//	unreviewed     seq                     empty: unreviewed changes in feed
//	                                       order, for recent changes
//	reviewqueue    time slug               uint64: the page's first
//	                                       unreviewed revision, filed under
//	                                       that revision's time
//	meta           metaReviewCount         uint64: entries in reviewqueue
//	meta           metaExistenceSeq        uint64: moved on by every commit
//	                                       that makes a page exist or not
//	watches        username 0x00 slug      watchRecord JSON
//	seen           username 0x00 slug      uint64: the revision they last
//	                                       opened of a watched page
//	cohortwatches  cohort 0x00 slug        empty: the cohort's reading list
//	feedtokens     token id                username
//	userfeedtokens username                token id
//
// Questions, gaps and answers (question.go, answer.go):
//
//	questions      id                      questionRecord JSON; the
//	                                       bucket's sequence is the last id
//	askerquestions username 0x00 id        empty: questions by asker
//	gaps           normalized query        gapRecord JSON: the status of a
//	                                       search gap someone acted on
//	answers        slug 0x00 anchor        answerRecord JSON: votes per
//	                                       version of the text,
//	                                       confirmations, flags, open
//	                                       counts (anchor "" is the page)
//	answervotes    username 0x00 slug      voteRecord JSON: that person's
//	               0x00 anchor             latest vote on that answer
//
// Revisions live under flat slug+0x00+number keys in one bucket rather than
// in a nested bucket per page: 100k pages would otherwise mean 100k bucket
// headers and root pages, a page's revisions are still contiguous and cheap
// to scan with a cursor, and the same (slug, number) key maps directly onto
// the primary key of the PostgreSQL store we plan for. Slugs never contain
// 0x00 (Commit refuses them) and 0x00 sorts before every slug byte, so the
// keys of "a" are never interleaved with those of "a-b" or "a/b".
//
// The text of a revision is kept apart from its metadata so that listing a
// page's history reads and decodes only small records: the leaf pages of
// revisions stay dense and a 2 MiB text is never touched. The text is stored
// in a binary format of its own (text.go: deltas and compression) rather
// than as JSON: it is an opaque blob, and most revisions change a line.
//
// Session and token ids are already hashes of the secrets (see wiki.Session),
// so they are stored as given. The password hash lives only in the account
// record, and invite codes only in the cohort record and the invites index.
// Usernames, ids and cohort ids never contain 0x00 (the store refuses them),
// for the same reason as slugs.
//
// usersessions, sessionexpiry and usertokens let DeleteSessions, PruneSessions
// and Tokens read only the keys they need; each session or token write keeps
// them in step with the records in the same transaction.
//
// tags, recent and titles index only pages whose head is not a delete, so
// listings by tag, time or title need not skip deleted pages (a plain
// listing walks pages and skips them; deleted pages are few). Commit removes
// a page's old index keys before writing its new ones, from what the old
// page record holds: its tags, its time and its folded title (TitleKey,
// stored rather than recomputed, because foldTitle depends on Unicode
// tables that a newer Go or x/text may change).
//
// In titles, "folded" is foldTitle of the page's title: a case- and
// accent-insensitive sort key that never contains 0x00, so the first 0x00
// ends it, and a title sorts before every longer title it is a prefix of
// ("apple" before "apple pie") because 0x00 sorts before every other byte.
// Pages with the same folded title follow in slug order.
var (
	bucketMeta      = []byte("meta")
	bucketPages     = []byte("pages")
	bucketRevisions = []byte("revisions")
	bucketTexts     = []byte("texts")
	bucketRevTimes  = []byte("revtimes") // until schema version 7
	bucketTags      = []byte("tags")
	bucketRecent    = []byte("recent")
	bucketTitles    = []byte("titles")
	bucketChanges   = []byte("changes")

	bucketCohortChanges = []byte("cohortchanges")
	bucketAuthorChanges = []byte("authorchanges")
	bucketCohortTotals  = []byte("cohorttotals")
	bucketAccounts      = []byte("accounts")
	bucketSessions      = []byte("sessions")
	bucketUserSessions  = []byte("usersessions")
	bucketSessionExpiry = []byte("sessionexpiry")
	bucketTokens        = []byte("tokens")
	bucketUserTokens    = []byte("usertokens")
	bucketCohorts       = []byte("cohorts")
	bucketInvites       = []byte("invites")
	bucketSynonyms      = []byte("synonyms")
	bucketBlobs         = []byte("blobs")
	bucketAliases       = []byte("aliases")
	bucketResets        = []byte("resets")
	bucketUserResets    = []byte("userresets")

	// Review, links and watching.
	bucketLinks          = []byte("links")
	bucketBacklinks      = []byte("backlinks")
	bucketPendingRevs    = []byte("pendingrevs") // until schema version 9
	bucketUnreviewed     = []byte("unreviewed")
	bucketReviewQueue    = []byte("reviewqueue")
	bucketWatches        = []byte("watches")
	bucketSeen           = []byte("seen")
	bucketCohortWatches  = []byte("cohortwatches")
	bucketFeedTokens     = []byte("feedtokens")
	bucketUserFeedTokens = []byte("userfeedtokens")

	// Questions, gaps and answers.
	bucketQuestions      = []byte("questions")
	bucketAskerQuestions = []byte("askerquestions")
	bucketGaps           = []byte("gaps")
	bucketAnswers        = []byte("answers")
	bucketAnswerVotes    = []byte("answervotes")

	allBuckets = [][]byte{
		bucketMeta, bucketPages, bucketRevisions, bucketTexts,
		bucketTags, bucketRecent, bucketTitles, bucketChanges,
		bucketCohortChanges, bucketAuthorChanges, bucketCohortTotals, bucketAccounts, bucketSessions,
		bucketUserSessions, bucketSessionExpiry, bucketTokens, bucketUserTokens, bucketCohorts,
		bucketInvites, bucketSynonyms, bucketBlobs, bucketAliases, bucketResets, bucketUserResets,
		bucketLinks, bucketBacklinks, bucketUnreviewed, bucketReviewQueue,
		bucketWatches, bucketSeen, bucketCohortWatches, bucketFeedTokens, bucketUserFeedTokens,
		bucketQuestions, bucketAskerQuestions, bucketGaps, bucketAnswers, bucketAnswerVotes,
	}
)

// Keys of the meta bucket.
var (
	// metaSchemaVersion holds the schema version the file was last migrated
	// to, as a big-endian uint64.
	metaSchemaVersion = []byte("schema_version")

	// metaSetupToken holds the hash of the one-time first-run setup token,
	// while there is one.
	metaSetupToken = []byte("setup_token")

	// metaReviewCount holds how many pages are in reviewqueue, as a
	// big-endian uint64, so the header's "7 pages to review" is one read.
	metaReviewCount = []byte("review_count")

	// metaExistenceSeq holds a big-endian uint64 that Commit moves on
	// whenever a page comes to exist, stops existing or changes its title
	// (create, delete, restore, retitle): a page view's cached render, whose links were checked at
	// the same number, needs no check (view.go). Absent means 0.
	metaExistenceSeq = []byte("existence_seq")
)

// schemaVersion is the layout described above. Bump it, and add a step to
// migrations, whenever the layout or a record changes incompatibly.
//
// Version 2 added the account buckets and the cohortchanges and
// authorchanges indexes. New buckets alone would not need a bump, but Commit
// now keeps those indexes in step with the feed: a version 1 file needs its
// existing changes indexed once, and a faqwiki that predates the indexes
// must not write to the file (it would commit changes they never hear of).
//
// Version 3 added the titles index and the TitleKey of page records. An
// older faqwiki would leave both stale on every commit.
//
// Version 4 added cohorttotals, the per-cohort counters Commit keeps with
// each change. A version 3 file needs them counted from its feed once, and
// an older faqwiki would commit changes they never count.
//
// Version 5 added the link index (links, backlinks) and the review state
// (pendingrevs, unreviewed, reviewqueue and its counter), all of which
// Commit keeps with each revision: a version 4 file needs both built from
// its pages and feed once. It also added buckets that need no filling
// (synonyms, blobs of a page's files, aliases, password resets, watches,
// feed tokens). An older faqwiki must not write a version 5 file: it
// would commit revisions the link index and review state never hear of,
// and drop a page's files from its head.
//
// Questions, gaps and answers are new buckets only: nothing existing
// changes, and Commit does not touch them, so they came without a version
// of their own.
//
// Version 6 stores revision texts as deltas against the revision before,
// with full copies now and then, compressed (text.go): a version 5 file's
// texts, all whole and raw, are stored again that way once. An older
// faqwiki would read the new values as Markdown.
//
// Version 7 drops revtimes, the index of each page's revisions by time:
// a save wrote one more scattered leaf of it (and its branch) to the
// disk, a quarter of the pages a commit transaction wrote, and the
// revision records, in time order within a page, answer the same
// question by a binary search (findRevisionAt). A version 6 faqwiki would
// find the index stale.
//
// Version 8 numbers the texts in the order they are written (the texts
// bucket's sequence), and each revision record names its text: keyed by
// page and revision, every save wrote a leaf of texts of its own (each
// page's texts end in a leaf of their own), a fifth of the pages a commit
// transaction wrote; numbered, a transaction's texts go into the last few
// leaves together. A version 7 faqwiki would find no texts.
//
// Version 9 drops pendingrevs, each page's unreviewed revisions by page
// and number: a save wrote a leaf of it of its own, as texts did. A page's
// record counts its unreviewed revisions and names the first (from there
// on, every revision without a reviewer is unreviewed), and each revision
// record names its change in the feed, for MarkReviewed to take it out of
// unreviewed. A version 8 faqwiki would find pendingrevs stale.
const schemaVersion = 9

// migrations[v] moves a file from schema version v to v+1. initSchema runs
// them in order, in Open's transaction, after creating every bucket of the
// current layout. Each migration lives next to the index it builds.
var migrations = map[uint64]func(tx *bbolt.Tx) error{
	1: indexChanges,       // changeindex.go: fills cohortchanges and authorchanges
	2: indexTitles,        // title.go: fills titles and the TitleKey of page records
	3: countCohortChanges, // cohorttotals.go: fills cohorttotals
	4: indexLinksAndReviews,
	5: convertTexts, // text.go: texts as deltas, compressed
	6: dropRevTimes,
	7: numberTexts,    // text.go: texts by number, named in the revision records
	8: reviewsInPages, // review.go: unreviewed revisions counted in page records
}

// dropRevTimes is the migration from schema version 6: revtimes goes.
func dropRevTimes(tx *bbolt.Tx) error {
	if err := tx.DeleteBucket(bucketRevTimes); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
		return fmt.Errorf("revtimes: %w", err)
	}
	return nil
}

// indexLinksAndReviews is the migration from schema version 4: the link
// index (link.go) and the review state (review.go).
func indexLinksAndReviews(tx *bbolt.Tx) error {
	if err := indexLinks(tx); err != nil {
		return fmt.Errorf("links: %w", err)
	}
	if err := indexReviews(tx); err != nil {
		return fmt.Errorf("reviews: %w", err)
	}
	return nil
}

// initSchema creates any missing buckets, stamps a new file with the
// current schema version and migrates an older one. Open runs it in one
// Update, so a file is never left half-initialised.
func initSchema(tx *bbolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	meta := tx.Bucket(bucketMeta)
	v := meta.Get(metaSchemaVersion)
	if v == nil {
		// A new file: nothing to migrate.
		return meta.Put(metaSchemaVersion, u64(schemaVersion))
	}
	if len(v) != 8 {
		return fmt.Errorf("schema version: corrupt value %x", v)
	}
	have := binary.BigEndian.Uint64(v)
	switch {
	case have > schemaVersion:
		return newerSchemaError(have)
	case have < schemaVersion:
		for v := have; v < schemaVersion; v++ {
			migrate := migrations[v]
			if migrate == nil {
				return fmt.Errorf("schema version %d has no migration to %d", v, v+1)
			}
			if err := migrate(tx); err != nil {
				return fmt.Errorf("migrate schema version %d to %d: %w", v, v+1, err)
			}
		}
		return meta.Put(metaSchemaVersion, u64(schemaVersion))
	}
	return nil
}

// checkSchema is initSchema for a file opened read-only: it checks that
// every bucket exists and that the file's schema version is the current
// one, and changes nothing.
func checkSchema(tx *bbolt.Tx) error {
	v, err := fileSchemaVersion(tx)
	if err != nil {
		return err
	}
	switch {
	case v > schemaVersion:
		return newerSchemaError(v)
	case v < schemaVersion:
		return fmt.Errorf("schema version %d is older than this faqwiki's %d: open the data folder once with \"faqwiki serve\" (or any command that writes) to migrate it", v, schemaVersion)
	}
	for _, name := range allBuckets {
		if tx.Bucket(name) == nil {
			return fmt.Errorf("bucket %s is missing", name)
		}
	}
	return nil
}

// fileSchemaVersion reads the schema version of tx's file.
func fileSchemaVersion(tx *bbolt.Tx) (uint64, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0, fmt.Errorf("not a faqwiki database: bucket %s is missing", bucketMeta)
	}
	v := meta.Get(metaSchemaVersion)
	if len(v) != 8 {
		return 0, fmt.Errorf("schema version: corrupt value %x", v)
	}
	return binary.BigEndian.Uint64(v), nil
}

// ErrNewerSchema means the file was written by a newer faqwiki, whose
// layout this one does not know; it refuses to read or write it.
var ErrNewerSchema = errors.New("store: the database was written by a newer faqwiki")

func newerSchemaError(v uint64) error {
	return fmt.Errorf("%w: its schema version is %d and this faqwiki knows versions up to %d; run the newer faqwiki, or restore a backup made by this version", ErrNewerSchema, v, schemaVersion)
}

// bucket returns the named bucket of tx, or an error if the file lacks it
// (Open creates them all, so that means corruption or a bug).
func bucket(tx *bbolt.Tx, name []byte) (*bbolt.Bucket, error) {
	b := tx.Bucket(name)
	if b == nil {
		return nil, fmt.Errorf("bucket %s is missing", name)
	}
	return b, nil
}

// How full bbolt leaves a node when it splits one (bbolt's default is
// half, right for keys written in random order). Most of what a commit
// writes is appended: changes, unreviewed and texts in sequence order,
// and a page's revisions after its last ones, as are
// a cohort's and an author's changes. Half-full nodes would double what
// those cost on disk, so commits fill them further. FillPercent is a
// property of a transaction's bucket handle, set where a commit opens it.
const (
	fillSequence = 1.0 // keys are only ever added at the bucket's end
	fillAppend   = 0.9 // keys are added at the end of their prefix's range
)

// buckets holds the buckets a commit writes to.
type buckets struct {
	pages, revisions, texts, tags, recent, titles       *bbolt.Bucket
	changes, cohortChanges, authorChanges, cohortTotals *bbolt.Bucket
	blobs                                               *bbolt.Bucket
}

// openBuckets returns the buckets of tx that a commit writes to.
func openBuckets(tx *bbolt.Tx) (*buckets, error) {
	var b buckets
	for _, f := range []struct {
		dst  **bbolt.Bucket
		name []byte
	}{
		{&b.pages, bucketPages},
		{&b.revisions, bucketRevisions},
		{&b.texts, bucketTexts},
		{&b.tags, bucketTags},
		{&b.recent, bucketRecent},
		{&b.titles, bucketTitles},
		{&b.changes, bucketChanges},
		{&b.cohortChanges, bucketCohortChanges},
		{&b.authorChanges, bucketAuthorChanges},
		{&b.cohortTotals, bucketCohortTotals},
		{&b.blobs, bucketBlobs},
	} {
		var err error
		if *f.dst, err = bucket(tx, f.name); err != nil {
			return nil, err
		}
	}
	for _, ab := range []*bbolt.Bucket{b.revisions, b.cohortChanges, b.authorChanges} {
		ab.FillPercent = fillAppend
	}
	b.changes.FillPercent, b.texts.FillPercent = fillSequence, fillSequence
	return &b, nil
}

// u64 encodes v as 8 big-endian bytes.
func u64(v uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), v)
}

// The range of times a Unix nanosecond count can hold (years 1677..2262).
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// timeInRange reports whether t can be stored as Unix nanoseconds.
func timeInRange(t time.Time) bool {
	return !t.Before(minTime) && !t.After(maxTime)
}

// timeKey encodes Unix nanoseconds so that byte order is time order: the
// sign bit is flipped, which maps MinInt64..MaxInt64 onto 0..MaxUint64.
func timeKey(ns int64) uint64 { return uint64(ns) ^ (1 << 63) }

// nanos returns t as Unix nanoseconds; t must be in range.
func nanos(t time.Time) int64 { return t.UnixNano() }

// fromNanos returns the UTC time of Unix nanoseconds ns.
func fromNanos(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// slugPrefix returns slug+0x00, the prefix of all of a page's keys in
// revisions.
func slugPrefix(slug string) []byte {
	k := make([]byte, 0, len(slug)+1+16)
	k = append(k, slug...)
	return append(k, 0)
}

// revKey is the key of revision n of slug in revisions (and, before
// schema version 8, of its text in texts).
func revKey(slug string, n int) []byte {
	return binary.BigEndian.AppendUint64(slugPrefix(slug), uint64(n))
}

// parseRevKey returns the revision number at the end of a revisions key
// that starts with prefix.
func parseRevKey(k, prefix []byte) (int, error) {
	if len(k) != len(prefix)+8 || !bytes.HasPrefix(k, prefix) {
		return 0, fmt.Errorf("corrupt revision key %q", k)
	}
	n := binary.BigEndian.Uint64(k[len(prefix):])
	if n == 0 || n > math.MaxInt32 {
		return 0, fmt.Errorf("corrupt revision key %q", k)
	}
	return int(n), nil
}

// tagPrefix is the prefix of the tags keys of tag.
func tagPrefix(tag string) []byte {
	k := make([]byte, 0, len(tag)+1+32)
	k = append(k, tag...)
	return append(k, 0)
}

// tagKey is the key of the page slug under tag in tags.
func tagKey(tag, slug string) []byte {
	return append(tagPrefix(tag), slug...)
}

// recentKey is the key of a page updated at ns in recent.
func recentKey(ns int64, slug string) []byte {
	k := make([]byte, 0, 8+len(slug))
	k = binary.BigEndian.AppendUint64(k, timeKey(ns))
	return append(k, slug...)
}

// titleKey is the key of the page slug, whose title folds to folded (see
// foldTitle), in titles.
func titleKey(folded, slug string) []byte {
	k := make([]byte, 0, len(folded)+1+len(slug))
	k = append(k, folded...)
	k = append(k, 0)
	return append(k, slug...)
}

// parseTitleKey returns the slug at the end of a titles key.
func parseTitleKey(k []byte) (string, error) {
	i := bytes.IndexByte(k, 0)
	if i < 0 || !storableSlug(string(k[i+1:])) {
		return "", fmt.Errorf("corrupt title key %q", k)
	}
	return string(k[i+1:]), nil
}

// seqKey is the key of change seq in changes.
func seqKey(seq uint64) []byte { return u64(seq) }

// keyPrefix returns s+0x00, the prefix of the composite keys that start
// with s: a username in usersessions, usertokens and authorchanges, a
// cohort id in cohortchanges.
func keyPrefix(s string) []byte {
	k := make([]byte, 0, len(s)+1+64)
	k = append(k, s...)
	return append(k, 0)
}

// userKey is the key of id (a session or token) of username in
// usersessions or usertokens.
func userKey(username, id string) []byte {
	return append(keyPrefix(username), id...)
}

// expiryKey is the key of session id, expiring at ns, in sessionexpiry.
func expiryKey(ns int64, id string) []byte {
	k := make([]byte, 0, 8+len(id))
	k = binary.BigEndian.AppendUint64(k, timeKey(ns))
	return append(k, id...)
}

// changeIndexKey is the key of change seq under s in an index of the feed:
// s is the author's cohort in cohortchanges, the author in authorchanges.
func changeIndexKey(s string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(keyPrefix(s), seq)
}

// empty is the value of index keys.
var empty = []byte{}
