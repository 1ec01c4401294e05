// Tests that a data file written by an earlier faqwiki opens: a small file
// of schema version 4 is committed in testdata (made once with
// -write-fixture by the code of that version) and must keep opening,
// migrating to whatever the current version is, with everything in it
// readable. And a file of a newer version is refused with a clear message.

package store

import (
	"context"
	"errors"
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

var writeFixture = flag.Bool("write-fixture", false, "write testdata/v4/faqwiki.db anew (only with the code of schema version 4)")

// fixtureV4 is the data file written by schema version 4.
const fixtureV4 = "testdata/v4/faqwiki.db"

// makeFixture writes the fixture's contents: pages with history (an edit,
// a delete, a restore), tags, two cohorts, accounts, a session, a token.
func makeFixture(t *testing.T, path string) {
	ctx := context.Background()
	db, err := Open(path, Options{Clock: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustCreateCohort(t, db, "2024-09", "invite-2024-09", t0)
	mustCreateCohort(t, db, "2025-01", "invite-2025-01", t0.AddDate(0, 4, 0))
	ada := newAccount("ada")
	ada.Cohort = "2024-09"
	if err := db.CreateAccount(ctx, ada); err != nil {
		t.Fatal(err)
	}
	boss := newAccount("boss")
	boss.Role = wiki.RoleAdmin
	if err := db.CreateAccount(ctx, boss); err != nil {
		t.Fatal(err)
	}
	at := t0
	next := func() time.Time { at = at.Add(time.Hour); return at }
	mustCommit(t, db, newRev("it/vpn", wiki.KindCreate, "VPN access", "# VPN access\n\n## Who gives access?\n\nThe service desk.\n", next(), "it"), 0)
	mustCommit(t, db, newRev("it/vpn", wiki.KindEdit, "VPN access", "# VPN access\n\n## Who gives access?\n\nThe service desk, within a day.\n", next(), "it", "access"), 1)
	mustCommit(t, db, newRev("lunch", wiki.KindCreate, "Where is lunch?", "Floor 3.\n", next()), 0)
	mustCommit(t, db, newRev("lunch", wiki.KindDelete, "Where is lunch?", "", next()), 1)
	mustCommit(t, db, newRev("lunch", wiki.KindRestore, "Where is lunch?", "Floor 4 now.\n", next()), 2)
	if err := db.CreateSession(ctx, &wiki.Session{ID: "session-id", Username: "ada", ExpiresAt: t0.AddDate(10, 0, 0)}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateToken(ctx, &wiki.Token{ID: "token-id", Name: "nightly", Username: "boss"}); err != nil {
		t.Fatal(err)
	}
}

// openFixture copies the fixture to a temp folder (Open migrates it in
// place) and opens the copy.
func openFixture(t *testing.T) (*DB, error) {
	t.Helper()
	data, err := readFixture(fixtureV4)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "faqwiki.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return Open(path, Options{Timeout: 100 * time.Millisecond})
}

func TestFixtureV4_Opens(t *testing.T) {
	if *writeFixture {
		if schemaVersion != 4 {
			t.Fatalf("the fixture is of schema version 4; this code writes version %d", schemaVersion)
		}
		os.MkdirAll(filepath.Dir(fixtureV4), 0o750)
		os.Remove(fixtureV4)
		makeFixture(t, fixtureV4)
	}
	ctx := context.Background()
	// It is a version 4 file.
	b, err := bbolt.Open(fixtureV4, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	b.View(func(tx *bbolt.Tx) error {
		if v, _ := fileSchemaVersion(tx); v != 4 {
			t.Errorf("the fixture's schema version is %d, want 4", v)
		}
		return nil
	})
	b.Close()

	db, err := openFixture(t)
	if err != nil {
		t.Fatalf("open the version 4 fixture: %v", err)
	}
	defer db.Close()
	p, err := db.Page(ctx, "it/vpn")
	if err != nil || p.Revision != 2 || !strings.Contains(p.Markdown, "within a day") || strings.Join(p.Tags, ",") != "it,access" {
		t.Errorf("it/vpn = %+v, %v", p, err)
	}
	revs, err := db.Revisions(ctx, "lunch")
	if err != nil || len(revs) != 3 || revs[0].Kind != wiki.KindRestore || revs[1].Kind != wiki.KindDelete {
		t.Errorf("lunch revisions = %+v, %v", revs, err)
	}
	old, err := db.PageAt(ctx, "it/vpn", t0.Add(90*time.Minute))
	if err != nil || old.Revision != 1 {
		t.Errorf("it/vpn at revision 1's time = %+v, %v", old, err)
	}
	if seq := mustLastSeq(t, db); seq != 5 {
		t.Errorf("LastSeq = %d, want 5", seq)
	}
	if a, err := db.Account(ctx, "boss"); err != nil || a.Role != wiki.RoleAdmin {
		t.Errorf("boss = %+v, %v", a, err)
	}
	if s, err := db.Session(ctx, "session-id"); err != nil || s.Username != "ada" {
		t.Errorf("session = %+v, %v", s, err)
	}
	if tok, err := db.Token(ctx, "token-id"); err != nil || tok.Username != "boss" {
		t.Errorf("token = %+v, %v", tok, err)
	}
	if c, err := db.CohortChanges(ctx, "2024-09"); err != nil || len(c) != 5 {
		t.Errorf("cohort changes = %d, %v", len(c), err)
	}
	totals, err := db.CohortTotals(ctx)
	if err != nil || totals["2024-09"].Revisions != 5 {
		t.Errorf("cohort totals = %+v, %v", totals, err)
	}
	pages, _, err := db.Pages(ctx, wiki.PageFilter{ByTitle: true})
	if err != nil || len(pages) != 2 || pages[0].Title != "VPN access" {
		t.Errorf("pages by title = %+v, %v", pages, err)
	}
	// And it takes new edits.
	mustCommit(t, db, newRev("it/vpn", wiki.KindEdit, "VPN access", "new\n", t0.AddDate(1, 0, 0)), 2)
	path := db.Path()
	db.Close()
	rep := mustCheck(t, path)
	if rep.SchemaVersion != schemaVersion || rep.LastSeq != 6 {
		t.Errorf("after migration and an edit: %+v", rep)
	}
}

func TestOpen_RefusesANewerSchema(t *testing.T) {
	data, err := os.ReadFile(fixtureV4)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "faqwiki.db")
	os.WriteFile(path, data, 0o600)
	b, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Update(putRaw(bucketMeta, metaSchemaVersion, u64(schemaVersion+1)))
	b.Close()
	before, _ := os.ReadFile(path)

	for _, ro := range []bool{false, true} {
		db, err := Open(path, Options{ReadOnly: ro})
		if err == nil {
			db.Close()
			t.Fatalf("Open (read-only %v) of a newer schema succeeded", ro)
		}
		if !errors.Is(err, ErrNewerSchema) {
			t.Errorf("err = %v, want ErrNewerSchema", err)
		}
		for _, want := range []string{"written by a newer faqwiki", fmt.Sprintf("schema version is %d", schemaVersion+1), fmt.Sprintf("knows versions up to %d", schemaVersion)} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("message %q does not say %q", err, want)
			}
		}
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("a refused Open changed the file")
	}
}

// readFixture reads a committed data file.
func readFixture(path string) ([]byte, error) { return os.ReadFile(path) }

// openFixtureData writes data to a temp file and opens it (migrating it),
// failing the test on error; the store is closed when the test ends.
func openFixtureData(t *testing.T, data []byte) *DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "faqwiki.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return mustOpenPath(t, path)
}
