package wiki_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
)

func TestParseSynonyms(t *testing.T) {
	tests := []struct {
		name, in string
		want     [][]string
		bad      string // part of the problem message, "" if none
	}{
		{"commas and equals", "PTO, Vacation, annual  leave\nPIV = badge = smart card\n", [][]string{{"pto", "vacation", "annual leave"}, {"piv", "badge", "smart card"}}, ""},
		{"comments and blank lines", "# time off\n\npto, vacation # the usual\n", [][]string{{"pto", "vacation"}}, ""},
		{"duplicates in a group collapse", "a, A, b\n", [][]string{{"a", "b"}}, ""},
		{"CRLF", "a, b\r\nc, d\r\n", [][]string{{"a", "b"}, {"c", "d"}}, ""},
		{"a group of one", "a, b\nlonely\n", [][]string{{"a", "b"}}, "line 2: a group needs at least two terms"},
		{"a term too long", "a, " + strings.Repeat("x", 65) + "\n", nil, "line 1"},
		{"too many terms", strings.Repeat("t, ", 20) + strings.Join(strings.Split("abcdefghijklmnopqrstuvwxyz", ""), ", "), nil, "at most 24 terms"},
		{"empty", "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := wiki.ParseSynonyms(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("groups = %q, want %q", got, tt.want)
			}
			var ve *wiki.ValidationError
			switch {
			case tt.bad == "" && err != nil:
				t.Errorf("err = %v", err)
			case tt.bad != "" && (!errors.As(err, &ve) || !strings.Contains(ve.Fields["text"], tt.bad)):
				t.Errorf("err = %v, want a validation error with %q", err, tt.bad)
			}
		})
	}
	many := strings.Repeat("a, b\n", wiki.MaxSynonymGroups+1)
	if _, err := wiki.ParseSynonyms(many); err == nil {
		t.Error("more groups than the limit were accepted")
	}
}

func openSynonyms(t *testing.T) (*wiki.Synonyms, *store.DB) {
	t.Helper()
	db, err := store.Open(t.TempDir()+"/faqwiki.db", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return wiki.NewSynonyms(wiki.SynonymsConfig{Store: db}), db
}

func TestSynonymsSaveMergeRevert(t *testing.T) {
	s, _ := openSynonyms(t)
	tina := as("tina", "staff")
	cur, err := s.Current(tina)
	if err != nil || cur.Revision != 0 || cur.Text != "" {
		t.Fatalf("Current of a new wiki = %+v, %v", cur, err)
	}
	r1, err := s.Save(tina, wiki.SynonymEdit{Text: "pto, vacation\nlaptop, computer\n", Summary: "first"})
	if err != nil || r1.List.Revision != 1 || r1.List.Author != "tina" || r1.List.Cohort != "staff" {
		t.Fatalf("first save = %+v, %v", r1, err)
	}
	// Two trainers edit revision 1: different lines merge.
	if _, err := s.Save(as("ada", "c1"), wiki.SynonymEdit{Text: "pto, vacation, annual leave\nlaptop, computer\n", Base: 1}); err != nil {
		t.Fatal(err)
	}
	r3, err := s.Save(as("bob", "c1"), wiki.SynonymEdit{Text: "pto, vacation\nlaptop, computer, notebook\n", Base: 1})
	if err != nil || !r3.Merged || r3.List.Text != "pto, vacation, annual leave\nlaptop, computer, notebook\n" {
		t.Fatalf("merged save = %+v, %v", r3, err)
	}
	// The same line changed two ways: a conflict, nothing saved.
	_, err = s.Save(tina, wiki.SynonymEdit{Text: "pto, holiday\nlaptop, computer\n", Base: 1})
	var ce *wiki.ConflictError
	if !errors.As(err, &ce) || ce.Current.Number != 3 {
		t.Fatalf("overlapping save: %v, want a conflict with revision 3", err)
	}
	// A list that breaks the rules is refused with the line.
	var ve *wiki.ValidationError
	if _, err := s.Save(tina, wiki.SynonymEdit{Text: "lonely\n", Base: 3}); !errors.As(err, &ve) {
		t.Fatalf("bad list: %v, want a validation error", err)
	}
	if res, err := s.Save(tina, wiki.SynonymEdit{Text: r3.List.Text, Base: 3}); err != nil || !res.Unchanged {
		t.Fatalf("saving the same text: %+v, %v", res, err)
	}
	rv, err := s.Revert(tina, 1, "")
	if err != nil || rv.List.Revision != 4 || rv.List.RevertOf != 1 || rv.List.Text != r1.List.Text || rv.List.Summary != "Reverted to revision 1" {
		t.Fatalf("revert = %+v, %v", rv, err)
	}
	revs, err := s.Revisions(tina)
	if err != nil || len(revs) != 4 {
		t.Fatalf("revisions = %v, %v", revs, err)
	}
	d, _, err := s.Diff(tina, 3, 4)
	if err != nil || d.Added != 2 || d.Removed != 2 {
		t.Fatalf("diff 3..4 = %+v, %v", d, err)
	}
	if _, err := s.Revert(tina, 9, ""); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("revert to a missing revision: %v", err)
	}
}

func TestEnsureSynonyms(t *testing.T) {
	s, _ := openSynonyms(t)
	ctx := context.Background()
	created, err := s.EnsureSynonyms(ctx)
	if err != nil || !created {
		t.Fatalf("EnsureSynonyms on a new wiki: %v %v", created, err)
	}
	cur, _ := s.Current(ctx)
	if cur.Revision != 1 || cur.Author != "faqwiki" || len(cur.Groups()) < 20 {
		t.Fatalf("starter list: revision %d by %q with %d groups", cur.Revision, cur.Author, len(cur.Groups()))
	}
	if _, err := wiki.ParseSynonyms(wiki.StarterSynonyms); err != nil {
		t.Errorf("the starter list breaks its own rules: %v", err)
	}
	// A trainer empties it: it stays empty on the next start.
	if _, err := s.Save(as("tina", ""), wiki.SynonymEdit{Text: "", Base: 1}); err != nil {
		t.Fatal(err)
	}
	if created, err := s.EnsureSynonyms(ctx); err != nil || created {
		t.Errorf("second start: created=%v err=%v", created, err)
	}
}
