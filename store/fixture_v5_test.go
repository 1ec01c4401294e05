// A data file of schema version 5, the last layout that stored every
// revision's text whole: committed in testdata/v5 (made once with
// -write-fixture-v5 by the code of that version) so that the migration to
// texts stored as deltas keeps being tested on a file the old code wrote.

package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

var writeFixtureV5 = flag.Bool("write-fixture-v5", false, "write testdata/v5/faqwiki.db anew (only with the code of schema version 5)")

// fixtureV5 is the data file written by schema version 5.
const fixtureV5 = "testdata/v5/faqwiki.db"

// fixtureV5Revisions is how many revisions the long page of the v5 fixture
// has, and fixtureV5Text its text at revision n: about 2.5 KB, one line
// different from the revision before.
const fixtureV5Revisions = 40

func fixtureV5Text(n int) string {
	var b strings.Builder
	b.WriteString("# Travel\n\nSee [[Expenses]] and [[Missing page]].\n\n")
	for i := range 24 {
		fmt.Fprintf(&b, "## Question %d\n\nThe answer to question %d is written here, with a few words.", i, i)
		if i == n%24 {
			fmt.Fprintf(&b, " Changed in revision %d.", n)
		}
		b.WriteString("\n\n")
	}
	return b.String()
}

// makeFixtureV5 writes the v4 fixture's contents and, on top, a page with
// a long history (one line changed per revision), a page with a file, and
// a link between pages.
func makeFixtureV5(t *testing.T, path string) {
	makeFixture(t, path)
	db, err := Open(path, Options{Clock: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := t0.Add(24 * time.Hour)
	for n := 1; n <= fixtureV5Revisions; n++ {
		kind := wiki.KindEdit
		if n == 1 {
			kind = wiki.KindCreate
		}
		at = at.Add(time.Minute)
		rev := newRev("travel", kind, "Travel", fixtureV5Text(n), at)
		rev.Links = []wiki.Link{{Slug: "expenses", Title: "Expenses"}, {Slug: "missing-page", Title: "Missing page"}}
		mustCommit(t, db, rev, n-1)
	}
	data := []byte("not really a PNG, but a blob all the same")
	sum := sha256.Sum256(data)
	hexSum := hex.EncodeToString(sum[:])
	rev := newRev("expenses", wiki.KindCreate, "Expenses", "![receipt](receipt.png)\n", at.Add(time.Minute))
	rev.Attachments = []wiki.Attachment{{Name: "receipt.png", SHA256: hexSum, Size: int64(len(data)), ContentType: "image/png"}}
	rev.Blobs = map[string][]byte{hexSum: data}
	mustCommit(t, db, rev, 0)
}

func TestFixtureV5_Write(t *testing.T) {
	if !*writeFixtureV5 {
		t.Skip("only with -write-fixture-v5")
	}
	if schemaVersion != 5 {
		t.Fatalf("the fixture is of schema version 5; this code writes version %d", schemaVersion)
	}
	os.MkdirAll(filepath.Dir(fixtureV5), 0o750)
	os.Remove(fixtureV5)
	makeFixtureV5(t, fixtureV5)
	b, err := bbolt.Open(fixtureV5, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.View(func(tx *bbolt.Tx) error {
		if v, _ := fileSchemaVersion(tx); v != 5 {
			t.Errorf("the fixture's schema version is %d, want 5", v)
		}
		return nil
	})
	_ = context.Background
}
