package wiki_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/faqwiki/faqwiki/wiki"
)

// Undo takes back one change and keeps those made since; where a later
// change overlaps it, nothing is saved.
func TestUndo(t *testing.T) {
	w := MustOpenWiki(t)
	ada := asRole("ada", "oct", wiki.RoleEditor)
	bob := asRole("bob", "oct", wiki.RoleEditor)
	mustSave(t, w, ada, wiki.Edit{Slug: "vpn", Title: "VPN", Markdown: "Ask the desk.\n\nUse the client.\n\nCall IT.\n", Tags: []string{"it"}})
	mustSave(t, w, ada, wiki.Edit{Slug: "vpn", Markdown: "Ask nobody.\n\nUse the client.\n\nCall IT.\n", Tags: []string{"it", "wrong"}, Base: 1})
	mustSave(t, w, bob, wiki.Edit{Slug: "vpn", Markdown: "Ask nobody.\n\nUse the client.\n\nCall IT at 555.\n", Base: 2})

	res, err := w.Undo(bob, "vpn", 2, "")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := w.Page(bob, "vpn")
	if p.Revision != 4 || p.Markdown != "Ask the desk.\n\nUse the client.\n\nCall IT at 555.\n" || !slices.Equal(p.Tags, []string{"it"}) {
		t.Errorf("after undoing 2: revision %d %q %v, want bob's later line kept and ada's change gone", p.Revision, p.Markdown, p.Tags)
	}
	if r := res.Revision; r.Summary != "Undid revision 2 by ada" || r.Author != "bob" || r.Kind != wiki.KindEdit {
		t.Errorf("revision %+v", r)
	}

	// A later change to the same line: undoing 3 now would overlap 5.
	mustSave(t, w, ada, wiki.Edit{Slug: "vpn", Markdown: "Ask the desk.\n\nUse the client.\n\nCall IT at 556.\n", Base: 4})
	_, err = w.Undo(bob, "vpn", 3, "")
	var uce *wiki.UndoConflictError
	if !errors.As(err, &uce) || !errors.Is(err, wiki.ErrConflict) || uce.Revision != 3 || uce.Current != 5 {
		t.Fatalf("undo of an overlapped change: %v, want an UndoConflictError", err)
	}
	if p, _ := w.Page(bob, "vpn"); p.Revision != 5 {
		t.Errorf("a refused undo saved revision %d", p.Revision)
	}

	// The title comes back too; the newest change undoes like a revert.
	mustSave(t, w, ada, wiki.Edit{Slug: "vpn", Title: "Virtual network", Markdown: "Ask the desk.\n\nUse the client.\n\nCall IT at 556.\n", Base: 5})
	if _, err := w.Undo(bob, "vpn", 6, "Keep the short title"); err != nil {
		t.Fatal(err)
	}
	if p, _ := w.Page(bob, "vpn"); p.Title != "VPN" || p.Revision != 7 {
		t.Errorf("title %q at revision %d, want VPN at 7", p.Title, p.Revision)
	}

	for _, n := range []int{0, 1} {
		var ve *wiki.ValidationError
		if _, err := w.Undo(bob, "vpn", n, ""); !errors.As(err, &ve) {
			t.Errorf("Undo(%d): %v, want a ValidationError", n, err)
		}
	}
	if _, err := w.Undo(bob, "vpn", 99, ""); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("Undo(99): %v, want not found", err)
	}
	if _, err := w.Undo(bob, "nope", 2, ""); !errors.Is(err, wiki.ErrNotFound) {
		t.Errorf("Undo of a missing page: %v, want not found", err)
	}
	// A deleted page is restored, not undone into.
	tina := asRole("tina", "", wiki.RoleTrainer)
	if _, err := w.Delete(tina, "vpn", ""); err != nil {
		t.Fatal(err)
	}
	var ve *wiki.ValidationError
	if _, err := w.Undo(tina, "vpn", 7, ""); !errors.As(err, &ve) {
		t.Errorf("Undo on a deleted page: %v, want a ValidationError", err)
	}
}

// TestUndoAnAddedQuestionWithAnotherAddedAfterIt: the commonest FAQ edit
// is a question added at the end; undoing one keeps the question added
// after it since.
func TestUndoAnAddedQuestionWithAnotherAddedAfterIt(t *testing.T) {
	w := MustOpenWiki(t)
	ada := asRole("ada", "oct", wiki.RoleEditor)
	q1 := "## When is stand-up?\n\nAt 9:30.\n"
	q2 := "\n## Is there free lunch?\n\nEvery day, all you can eat.\n"
	q3 := "\n## Where do I park?\n\nBehind building B.\n"
	mustSave(t, w, ada, wiki.Edit{Slug: "faq", Title: "FAQ", Markdown: q1})
	mustSave(t, w, ada, wiki.Edit{Slug: "faq", Markdown: q1 + q2, Base: 1})
	mustSave(t, w, ada, wiki.Edit{Slug: "faq", Markdown: q1 + q2 + q3, Base: 2})
	res, err := w.Undo(ada, "faq", 2, "")
	if err != nil {
		t.Fatalf("Undo(2): %v", err)
	}
	if p, _ := w.Page(ada, "faq"); p.Markdown != q1+q3 || res.Revision.Number != 4 || res.Revision.Summary != "Undid revision 2 by ada" {
		t.Errorf("after the undo: revision %d %q", p.Revision, p.Markdown)
	}
}
