package search

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestSplitQueryWordsKeepsCompounds(t *testing.T) {
	tests := []struct{ in, want string }{
		{"when is stand-up?", "when|is|stand-up"},
		{"E‐mail sign‑in", "e-mail|sign-in"}, // U+2010, U+2011
		{"up-to-date list", "up-to-date|list"},
		{"a-b-c-d", "a|b|c|d"},             // more parts than the index joins
		{"call 555-1234", "call|555|1234"}, // numbers only
		{"-not x- --y a--b", "not|x|y|a|b"},
		{"9–5 shift", "9|5|shift"}, // an en dash is not a hyphen
		{"covid-19 test", "covid-19|test"},
	}
	for _, tt := range tests {
		var got []string
		for w := range splitQueryWords(strings.ToLower(tt.in)) {
			got = append(got, w)
		}
		want := strings.Split(tt.want, "|")
		if !slices.Equal(got, want) {
			t.Errorf("splitQueryWords(%q) = %q, want %q", tt.in, got, want)
		}
	}
}

func TestTextAnalyzerAddsSolidCompounds(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	a := m.AnalyzerNamed(textAnalyzer)
	tests := []struct{ in, want string }{
		{"Daily stand-up meeting", "daili stand standup meet"},
		{"Send an e-mail", "send e email mail"},
		{"up-to-date", "uptod date"}, // "up" and "to" are stop words
		{"call 555-1234", "call 555 1234"},
		{"a-b-c-d", "b c d"},
		{"stand - up", "stand"},
	}
	for _, tt := range tests {
		if got := strings.Join(analyze(a, tt.in), " "); got != tt.want {
			t.Errorf("analyze(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// The solid compound sits at its first part's position, so phrases of
	// the parts still match.
	ts := a.Analyze([]byte("the stand-up meeting"))
	var pos []string
	for _, tok := range ts {
		pos = append(pos, fmt.Sprintf("%s@%d", tok.Term, tok.Position))
	}
	if got := strings.Join(pos, " "); got != "stand@2 standup@2 meet@4" {
		t.Errorf("positions %q", got)
	}
}

// TestSearch_CompoundSpellingsMeet: "standup" finds "stand-up", and
// "stand-up" finds "standup"; the hyphenated word is marked once in the
// snippet.
func TestSearch_CompoundSpellingsMeet(t *testing.T) {
	e := mustOpenEnv(t)
	e.save(t, "team", "Team rituals", "## When is stand-up?\n\nThe stand-up is every day at 9:30 in the big room.\n\n"+
		"## Retro\n\nEvery other Friday we look back at the sprint.\n")
	e.save(t, "mail", "Mail", "## Signature\n\nYour email signature has your name and your team.\n")
	e.save(t, "office", "Office", "## Arriving\n\nCheck-in at the front desk with your badge.\n\n"+
		"## Standing desks\n\nAsk facilities if you want to stand while you work.\n")
	for i := range 8 {
		e.save(t, fmt.Sprintf("filler-%d", i), fmt.Sprintf("Filler %d", i), "Some text about travel, offices and lunch nearby.\n")
	}
	e.catchUp(t)
	h := e.firstHit(t, "when is standup", "team#when-is-stand-up")
	if !strings.Contains(h.Snippet, "The <mark>stand-up</mark> is") {
		t.Errorf("snippet %q: want the compound marked once", h.Snippet)
	}
	e.firstHit(t, "stand-up time", "team#when-is-stand-up")
	e.firstHit(t, "e-mail signature", "mail#signature")
	e.firstHit(t, "checkin front desk", "office#arriving")
	// The parts still count where the text has them apart.
	e.firstHit(t, "stand-up desk", "office#standing-desks")
}
