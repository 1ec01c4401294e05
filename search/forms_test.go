package search

import (
	"fmt"
	"slices"
	"testing"
)

// TestTextAnalyzerJoinsIrregularForms: an irregular form is analysed as
// its plain word, and a kept word is not stemmed into an unrelated one.
func TestTextAnalyzerJoinsIrregularForms(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	a := m.AnalyzerNamed(textAnalyzer)
	same := [][2]string{
		{"stole", "stealing"}, {"stolen", "steal"}, {"paid", "pay"},
		{"forgot", "forget"}, {"wrote", "writes"}, {"bought", "buying"}, {"children", "child"},
		{"women's", "woman"}, {"Flew", "flying"},
	}
	for _, p := range same {
		if x, y := analyze(a, p[0]), analyze(a, p[1]); !slices.Equal(x, y) || len(x) != 1 {
			t.Errorf("%q -> %v, %q -> %v: want the same term", p[0], x, p[1], y)
		}
	}
	differ := [][2]string{{"severance", "several"}, {"left", "leave"}, {"got", "get"}}
	for _, p := range differ {
		if x, y := analyze(a, p[0]), analyze(a, p[1]); slices.Equal(x, y) {
			t.Errorf("%q and %q both -> %v: want different terms", p[0], p[1], x)
		}
	}
	if got := analyze(a, "the travellers travelled"); !slices.Equal(got, []string{"travel", "travel"}) {
		t.Errorf("regular forms: %v, want Porter's stems as before", got)
	}
}

// TestSearch_IrregularFormFindsTheAnswer: "someone stole my phone" lands on
// the section about stolen equipment, not on the one that only says
// "phone".
func TestSearch_IrregularFormFindsTheAnswer(t *testing.T) {
	e := mustOpenEnv(t)
	e.save(t, "equipment", "Equipment", "## Phone\n\nYou get a work phone on your first day; keep it charged.\n\n"+
		"## Lost or stolen equipment\n\nIf your laptop or phone is lost or stolen, tell the help desk at once.\n")
	for i := range 8 {
		e.save(t, fmt.Sprintf("filler-%d", i), fmt.Sprintf("Filler %d", i), "Some text about travel, offices and lunch nearby.\n")
	}
	e.catchUp(t)
	e.firstHit(t, "someone stole my phone", "equipment#lost-or-stolen-equipment")
}
