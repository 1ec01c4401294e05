package wiki

import (
	"errors"
	"strings"
	"testing"
)

func TestParseSlug(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"a", true},
		{"how-do-i-get-vpn-access", true},
		{"travel/per-diem", true},
		{"office-of-solutions/history", true},
		{"2026/q4", true},
		{"", false},
		{"A", false},
		{"a b", false},
		{"a_b", false},
		{"/a", false},
		{"a/", false},
		{"a//b", false},
		{"-a", false},
		{"a-", false},
		{"a--b", false},
		{"a/-b", false},
		{"a/revisions", false},
		{"diff", false},
		{"a/b/sections/c", false},
		{"é", false},
		{"a\x00b", false},
		{strings.Repeat("a", MaxSlugLen), true},
		{strings.Repeat("a", MaxSlugLen+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSlug(tt.in)
			if tt.ok && (err != nil || string(got) != tt.in) {
				t.Errorf("ParseSlug(%q) = %q, %v; want it accepted", tt.in, got, err)
			}
			var ve *ValidationError
			if !tt.ok && !errors.As(err, &ve) {
				t.Errorf("ParseSlug(%q) err = %v; want a *ValidationError", tt.in, err)
			}
		})
	}
}

func TestSlugFromTitle(t *testing.T) {
	tests := []struct{ in, want string }{
		{"How do I get VPN access?", "how-do-i-get-vpn-access"},
		{"  Per   diem -- rates!  ", "per-diem-rates"},
		{"Don't panic", "dont-panic"},
		{"Café & crème brûlée", "cafe-creme-brulee"},
		{"Travel / Per diem", "travel/per-diem"},
		{"/a//b/", "a/b"},
		{"Revisions", "revisions-page"},
		{"日本語", ""},
		{"???", ""},
		{"", ""},
		{"2026 Q4 plan", "2026-q4-plan"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := SlugFromTitle(tt.in); string(got) != tt.want {
				t.Errorf("SlugFromTitle(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSlugFromTitleCutsLongTitlesAtAWord(t *testing.T) {
	title := strings.Repeat("onboarding question ", 20)
	s := SlugFromTitle(title)
	if len(s) > MaxSlugLen || strings.HasSuffix(string(s), "-") {
		t.Fatalf("slug %q (%d bytes)", s, len(s))
	}
	if _, err := ParseSlug(string(s)); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(s), "question") && !strings.HasSuffix(string(s), "onboarding") {
		t.Errorf("cut inside a word: %q", s)
	}
}

// FuzzSlug checks that SlugFromTitle always yields a slug that ParseSlug
// accepts (or nothing), that it is idempotent, and that ParseSlug never
// accepts what it should not.
func FuzzSlug(f *testing.F) {
	for _, s := range []string{"How do I get VPN access?", "a/b", "/", "--", "é/ü", "revisions", "a\x00b", strings.Repeat("ab-", 60), "A/Revisions/x", "\u0301a", strings.Repeat("a", 110) + "/revisions"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s := SlugFromTitle(in)
		if s != "" {
			if _, err := ParseSlug(string(s)); err != nil {
				t.Fatalf("SlugFromTitle(%q) = %q, which ParseSlug refuses: %v", in, s, err)
			}
			if again := SlugFromTitle(string(s)); again != s {
				t.Fatalf("not idempotent: %q -> %q -> %q", in, s, again)
			}
		}
		if got, err := ParseSlug(in); err == nil {
			if string(got) != in || len(in) > MaxSlugLen || strings.Trim(in, "abcdefghijklmnopqrstuvwxyz0123456789-/") != "" {
				t.Fatalf("ParseSlug accepted %q", in)
			}
			if SlugFromTitle(in) != got {
				t.Fatalf("a valid slug %q does not map to itself (%q)", in, SlugFromTitle(in))
			}
		}
	})
}

// A long title whose last word is reserved must not come out reserved
// after the cut (a redirect to such a slug would loop).
func TestSlugFromTitleNeverEndsReservedAfterCut(t *testing.T) {
	for n := 100; n <= 125; n++ {
		in := strings.Repeat("a", n) + "/revisions"
		s := SlugFromTitle(in)
		if s != "" {
			if _, err := ParseSlug(string(s)); err != nil {
				t.Fatalf("SlugFromTitle(%d a's + /revisions) = %q: %v", n, s, err)
			}
		}
	}
}

func TestNormalizeTitleDropsHiddenCharacters(t *testing.T) {
	for in, want := range map[string]string{
		"  VPN   access \t":          "VPN access",
		"ctl\u202ex\u202c":           "ctlx",           // an override shows the rest reversed
		"Café\u200b rules":           "Café rules",     // looks the same, was another title
		"\ufeffWelcome\u2060 aboard": "Welcome aboard", // BOM, word joiner
		"e\u00admail":                "email",          // soft hyphen
		"\u2067שלום\u2069 team":      "שלום team",      // isolates
		"👩\u200d💻 desk":              "👩\u200d💻 desk",  // the emoji's joiner stays
		"می\u200cخواهم":              "می\u200cخواهم",  // so does the non-joiner Persian needs
	} {
		if got := NormalizeTitle(in); got != want {
			t.Errorf("NormalizeTitle(%q) = %q, want %q", in, got, want)
		}
	}
}
