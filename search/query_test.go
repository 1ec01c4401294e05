package search

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/faqwiki/faqwiki/wiki"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		name, in  string
		wantText  string
		wantWords []string
	}{
		{"plain", "How do I get VPN access?", "How do I get VPN access?", []string{"how", "do", "i", "get", "vpn", "access"}},
		{"syntax is separators", `title:vpn +must -not "a phrase" wild* qu?ry ~fuzzy^2 (group) a||b`, `title:vpn +must -not "a phrase" wild* qu?ry ~fuzzy^2 (group) a||b`,
			[]string{"title", "vpn", "must", "not", "a", "phrase", "wild", "qu", "ry", "fuzzy", "2", "group", "b"}},
		{"duplicates once", "vpn VPN vpn", "vpn VPN vpn", []string{"vpn"}},
		{"apostrophes", "don't ‘quote’ it's", "don't ‘quote’ it's", []string{"don't", "quote", "it's"}},
		{"control characters", "vpn\x00\x1b[31m\taccess\r\n", "vpn [31m access", []string{"vpn", "31m", "access"}},
		{"invalid utf-8", "caf\xe9 bar", "caf bar", []string{"caf", "bar"}},
		{"unicode", "Überstunden café naïve 東京", "Überstunden café naïve 東京", []string{"überstunden", "café", "naïve", "東京"}},
		{"empty", "   \t ", "", nil},
		{"only punctuation", `"" :: ** ?? ++ --`, `"" :: ** ?? ++ --`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseQuery(tt.in)
			if got.text != tt.wantText {
				t.Errorf("text = %q, want %q", got.text, tt.wantText)
			}
			if strings.Join(got.words, "|") != strings.Join(tt.wantWords, "|") {
				t.Errorf("words = %q, want %q", got.words, tt.wantWords)
			}
		})
	}

	long := parseQuery(strings.Repeat("abcdefgh ", 1000) + strings.Repeat("é", 1000))
	if len(long.text) > wiki.MaxQueryBytes {
		t.Errorf("text is %d bytes, limit %d", len(long.text), wiki.MaxQueryBytes)
	}
	many := parseQuery(strings.Repeat("w", 500) + " " + strings.Join(strings.Fields("a b c d e f g h i j k l m n o p q r s t u v"), " "))
	if len(many.words) > wiki.MaxQueryTerms {
		t.Errorf("%d words, limit %d", len(many.words), wiki.MaxQueryTerms)
	}
	for _, w := range many.words {
		if len(w) > maxWordBytes {
			t.Errorf("word of %d bytes, limit %d", len(w), maxWordBytes)
		}
	}
}

// TestSearch_HostileQueries checks that any text is answered, without an
// error and quickly, on a real index.
func TestSearch_HostileQueries(t *testing.T) {
	e := mustOpenEnv(t)
	e.mustLoadHandbook(t)
	e.catchUp(t)
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"spaces", "   "},
		{"quotes", `"unbalanced quote`},
		{"colons", "title:leave heading:::"},
		{"plus minus", "+leave -sick +-+-"},
		{"wildcards", "* ? l*ve ?eave **** ????"},
		{"regexp", "/.*/ /[a-z]+/ (a|b)*"},
		{"fuzzy and boost syntax", "leave~2 travel^100 ~ ^"},
		{"brackets", "[a TO z] {1 TO 2} (((( ))))"},
		{"backslashes", `\ \\ \" \:`},
		{"boolean words", "AND OR NOT && || !"},
		{"html", `<script>alert(1)</script><img src=x onerror=alert(1)>`},
		{"sql", `' OR 1=1; DROP TABLE pages; --`},
		{"control characters", "\x00\x01\x02leave\x7f\x1b[2J"},
		{"invalid utf-8", "\xff\xfe\xfd leave \xc3"},
		{"emoji", "🏖️ 🤒 leave 👶"},
		{"right-to-left", "\u202eevael\u202c إجازة"},
		{"very long", strings.Repeat("leave travel ", 5000)},
		{"one huge word", strings.Repeat("a", 100000)},
		{"many distinct words", strings.Join(strings.Fields(strings.Repeat("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango ", 20)), " ")},
		{"many typos", "levae trvael recipts reimbursment vacaton bereavment overtmie compresed acommodation tranist citirx pasword"},
		{"numbers", "240 9/80 2022-01-25 3.14 1e10 0x1f"},
		{"stop words only", "the and of to a in is it"},
		{"single letters", "a b c d e f g"},
		{"tag only", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, q := range []wiki.SearchQuery{
				{Text: tt.in},
				{Text: tt.in, Tag: "travel-and-leave", Limit: 5, Offset: 3},
				{Text: tt.in, Tag: `"><script>`, Limit: -1, Offset: -5},
				{Text: tt.in, Limit: 1 << 30, Offset: 1 << 30},
			} {
				start := time.Now()
				res, err := e.ix.Search(context.Background(), q)
				if err != nil {
					t.Fatalf("Search(%.40q): %v", q.Text, err)
				}
				// Not a speed test (benchmarks measure speed): this only
				// catches a query that runs away, far past the search's own
				// time limit.
				if d := time.Since(start); d > 15*time.Second {
					t.Errorf("Search(%.40q) took %v", q.Text, d)
				}
				if len(res.Hits) > wiki.MaxSearchLimit {
					t.Errorf("%d hits, limit %d", len(res.Hits), wiki.MaxSearchLimit)
				}
				if len(res.Query) > wiki.MaxQueryBytes {
					t.Errorf("query echoed with %d bytes", len(res.Query))
				}
				for _, h := range res.Hits {
					if !wiki.IsSafeSnippet(h.Snippet) {
						t.Errorf("unsafe snippet %q", h.Snippet)
					}
				}
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"vacation", "vacation", 0},
		{"vacaton", "vacation", 1},  // deletion
		{"vacatoin", "vacation", 1}, // swap
		{"vacasion", "vacation", 1}, // substitution
		{"vaccation", "vacation", 1},
		{"fishing", "phishing", 2},
		{"café", "cafe", 1}, // characters, not bytes
		{"kitten", "sitting", 3},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := editDistance(tt.b, tt.a); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestIsSafeSnippet(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", true},
		{"plain text", true},
		{"a <mark>word</mark> and <mark>another</mark>", true},
		{"&lt;script&gt; &amp; &#34;q&#34; &#39;s&#39; &quot;", true},
		{"<mark>open", false},
		{"close</mark>", false},
		{"<mark><mark>nested</mark></mark>", false},
		{"<script>x</script>", false},
		{"<mark onclick=x>", false},
		{"<MARK>x</MARK>", false},
		{"a > b", false},
		{`say "hi"`, false},
		{"it's", false},
		{"&nbsp;", false},
		{"fish & chips", false},
		{"&#x3c;", false},
	}
	for _, tt := range tests {
		if got := wiki.IsSafeSnippet(tt.in); got != tt.want {
			t.Errorf("IsSafeSnippet(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestSnippet(t *testing.T) {
	e := mustOpenEnv(t)
	plan, err := e.ix.plan(context.Background(), e.ix.idx, []string{"laptop", "repairs"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text, want string
	}{
		{"marks stems", "Laptops need repair sometimes; a laptop repaired is fine.",
			"<mark>Laptops</mark> need <mark>repair</mark> sometimes; a <mark>laptop</mark> <mark>repaired</mark> is fine."},
		{"escapes", `<b>laptop</b> & "repairs"`, `&lt;b&gt;<mark>laptop</mark>&lt;/b&gt; &amp; &#34;<mark>repairs</mark>&#34;`},
		{"folds white space", "laptop\n\n\trepairs   here", "<mark>laptop</mark> <mark>repairs</mark> here"},
		{"no match: the start", "Nothing to see here.", "Nothing to see here."},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.ix.snippet(tt.text, plan)
			if got != tt.want {
				t.Errorf("snippet = %q\n want   %q", got, tt.want)
			}
			if !wiki.IsSafeSnippet(got) {
				t.Errorf("unsafe: %q", got)
			}
		})
	}

	// Cut at both ends of a long text, on character and word boundaries.
	long := strings.Repeat("é ", 300) + "the laptop repairs desk " + strings.Repeat("ü ", 300)
	got := e.ix.snippet(long, plan)
	if !strings.HasPrefix(got, "… ") || !strings.HasSuffix(got, " …") || !strings.Contains(got, "<mark>laptop</mark> <mark>repairs</mark>") {
		t.Errorf("long: %q", got)
	}
	if !wiki.IsSafeSnippet(got) || !utf8Valid(got) {
		t.Errorf("long: unsafe or invalid: %q", got)
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// A question answered only in its sub-questions still gets a snippet:
// the beginning of those sub-questions.
func TestSnippetOfQuestionWithOnlySubQuestions(t *testing.T) {
	e := mustOpenEnv(t)
	e.save(t, "ppl", "Paid parental leave", "## Requesting paid parental leave\n\n### Before the birth\n\nEmail your HR specialist the request form.\n\n### After the birth\n\nSend the birth certificate.\n")
	e.catchUp(t)
	res := e.search(t, wiki.SearchQuery{Text: "requesting parental leave"})
	if len(res.Hits) == 0 || res.Hits[0].Anchor != "requesting-paid-parental-leave" {
		t.Fatalf("hits: %+v", res.Hits)
	}
	if s := res.Hits[0].Snippet; !strings.Contains(s, "Email your HR specialist") || !wiki.IsSafeSnippet(s) {
		t.Errorf("snippet %q", s)
	}
}

// A short word absent from the wiki must not fuzz into an unrelated one
// ("bike" is one edit from "like"): the search finds nothing, and counts
// as a gap, instead of offering a page that has nothing to do with it.
func TestShortWordsKeepTheirFirstLetterWhenFuzzed(t *testing.T) {
	e := mustOpenEnv(t)
	e.save(t, "welcome", "Welcome", "Link pages like this one. The service desk helps.\n")
	e.catchUp(t)
	if res := e.search(t, wiki.SearchQuery{Text: "bike storage"}); res.Total != 0 {
		t.Errorf("bike storage found %+v", res.Hits)
	}
	if res := e.search(t, wiki.SearchQuery{Text: "desj"}); res.Total != 1 {
		t.Errorf("the typo desj no longer finds desk: %+v", res.Hits)
	}
}

// Real words the wiki lacks are never "corrected" into words it has;
// misspellings are.
func TestSuggestionsOnlyForMisspellings(t *testing.T) {
	e := mustOpenEnv(t)
	e.save(t, "benefits", "Benefits", "## Insurance details\n\nEvery detail of the health insurance.\n\n## Parental leave\n\nMaternity leave is twelve weeks.\n")
	e.save(t, "office", "Office", "## Vision\n\nOur vision for working together.\n")
	e.catchUp(t)
	for _, tt := range []struct{ q, want string }{
		{"dental insurance", ""},
		{"visitor parking", ""},
		{"matrenity leave", "maternity leave"},
		{"insurnce", "insurance"},
	} {
		res := e.search(t, wiki.SearchQuery{Text: tt.q})
		if res.Suggestion != tt.want {
			t.Errorf("%q: suggestion %q, want %q", tt.q, res.Suggestion, tt.want)
		}
	}
	if res := e.search(t, wiki.SearchQuery{Text: "visitor parking"}); len(res.Hits) > 0 && !res.Weak {
		t.Errorf("visitor parking found %s#%s as a strong answer", res.Hits[0].Slug, res.Hits[0].Anchor)
	}
}

// A question's sub-question that only repeats its words does not take
// the hit from the question that holds the answer, when the question
// scores nearly as well; a sub-question far ahead keeps it.
func TestPreferParent(t *testing.T) {
	m := func(id string, score float64, parent string) *search.DocumentMatch {
		return &search.DocumentMatch{ID: id, Score: score, Fields: map[string]any{fieldParent: parent}}
	}
	tests := []struct {
		name string
		secs []*search.DocumentMatch
		want string
	}{
		{"the question nearly as good", []*search.DocumentMatch{m("p#example", 1.0, "credit-hours"), m("p#credit-hours", 0.92, "")}, "p#credit-hours"},
		{"the sub-question far ahead", []*search.DocumentMatch{m("p#example", 1.0, "credit-hours"), m("p#credit-hours", 0.5, "")}, "p#example"},
		{"no parent", []*search.DocumentMatch{m("p#a", 1.0, ""), m("p#b", 0.99, "")}, "p#a"},
		{"the parent did not match", []*search.DocumentMatch{m("p#example", 1.0, "credit-hours"), m("p#other", 0.99, "")}, "p#example"},
	}
	for _, tt := range tests {
		p := &pageHit{best: tt.secs[0], sections: tt.secs}
		parent, _ := tt.secs[0].Fields[fieldParent].(string)
		if q := p.parentHit(parent); q != nil {
			p.best = q
		}
		if p.best.ID != tt.want {
			t.Errorf("%s: best %s, want %s", tt.name, p.best.ID, tt.want)
		}
	}
}

// A question answered only in its sub-questions is not preferred to the
// sub-question that matched, however nearly as well it scores: it has a
// heading and no answer of its own. A question with text of its own is.
func TestPreferParentWithTextOnly(t *testing.T) {
	e := mustOpenEnv(t)
	e.save(t, "leaving", "Leaving the team", "## Saying goodbye\n\n"+
		"### Sending an email\n\nSend your goodbye email a day or two before you go.\n\n"+
		"## Credit hours\n\nUp to 24 credit hours carry over.\n\n"+
		"### Credit hours example\n\nYou worked 2 extra hours on Monday.\n")
	e.catchUp(t)
	idx, err := e.ix.current()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ child, parent, want string }{
		{"leaving#sending-an-email", "leaving#saying-goodbye", "leaving#sending-an-email"},
		{"leaving#credit-hours-example", "leaving#credit-hours", "leaving#credit-hours"},
	} {
		child := &search.DocumentMatch{ID: tt.child, Score: 1}
		p := &pageHit{slug: "leaving", best: child, sections: []*search.DocumentMatch{child, {ID: tt.parent, Score: 0.95}}}
		if err := e.ix.preferParent(idx, p, newDocMemo(e.ix.meta, e.ix.meta.generation())); err != nil {
			t.Fatal(err)
		}
		if p.best.ID != tt.want {
			t.Errorf("best of %s under %s: %s, want %s", tt.child, tt.parent, p.best.ID, tt.want)
		}
	}
}
