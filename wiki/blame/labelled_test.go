package blame

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// A labelled history: revisions 1..n in order, and the last one's text
// written out again with the revision that truly wrote each word. In want,
// "{n:words}" marks words written by revision n; every other word belongs
// to revision def. Stripping the marks must give the last revision's text.
type labelled struct {
	name string
	revs []string
	def  int
	want string
}

// labelledSet is the hand-labelled set blame is measured against: moves,
// reverts, rewraps and partial edits, as cohorts make them. The labels say
// who wrote the words, as a person reading the history would decide: the
// author who first typed a word, however often it moved, was re-wrapped,
// deleted and restored since.
var labelledSet = []labelled{
	{
		name: "append a paragraph",
		revs: []string{
			"## Who gives VPN access?\n\nThe service desk does.\n",
			"## Who gives VPN access?\n\nThe service desk does.\n\nAsk in the #help channel if it takes longer than a day.\n",
		},
		def:  1,
		want: "## Who gives VPN access?\n\nThe service desk does.\n\n{2:Ask in the #help channel if it takes longer than a day.}\n",
	},
	{
		name: "change one word",
		revs: []string{
			"Laptops are handed out on the first Monday by the IT team.\n",
			"Laptops are handed out on the first Tuesday by the IT team.\n",
		},
		def:  1,
		want: "Laptops are handed out on the first {2:Tuesday} by the IT team.\n",
	},
	{
		name: "move a paragraph to the end",
		revs: []string{
			"Badges come from reception.\n\nParking is free after six.\n\nLunch is served at noon.\n",
			"Badges come from reception.\n\nParking is free after six.\n\nLunch is served at noon.\n\nThe gym is on the third floor.\n",
			"Parking is free after six.\n\nLunch is served at noon.\n\nThe gym is on the third floor.\n\nBadges come from reception.\n",
		},
		def:  1,
		want: "Parking is free after six.\n\nLunch is served at noon.\n\n{2:The gym is on the third floor.}\n\nBadges come from reception.\n",
	},
	{
		name: "revert vandalism",
		revs: []string{
			"## Expenses\n\nSubmit receipts within thirty days through the finance portal.\n\nYour manager approves them.\n",
			"## Expenses\n\nJust keep everything lol.\n",
			"## Expenses\n\nSubmit receipts within thirty days through the finance portal.\n\nYour manager approves them.\n",
		},
		def:  1,
		want: "## Expenses\n\nSubmit receipts within thirty days through the finance portal.\n\nYour manager approves them.\n",
	},
	{
		name: "rewrap a paragraph",
		revs: []string{
			"New hires get a buddy from another team who answers questions during the first month and joins the weekly check-in.\n",
			"New hires get a buddy from another team\nwho answers questions during the first month\nand joins the weekly check-in.\n",
		},
		def:  1,
		want: "New hires get a buddy from another team\nwho answers questions during the first month\nand joins the weekly check-in.\n",
	},
	{
		name: "white space only",
		revs: []string{
			"- Bring your ID\n- Bring your bank details\n",
			"-   Bring  your ID   \n-   Bring  your bank details\n\n",
		},
		def:  1,
		want: "-   Bring  your ID   \n-   Bring  your bank details\n\n",
	},
	{
		name: "swap two sentences",
		revs: []string{
			"The office opens at eight. Doors lock at seven in the evening. Weekend access needs a badge.\n",
			"Doors lock at seven in the evening. The office opens at eight. Weekend access needs a badge.\n",
		},
		def:  1,
		want: "Doors lock at seven in the evening. The office opens at eight. Weekend access needs a badge.\n",
	},
	{
		name: "reorder list items and add one",
		revs: []string{
			"## First day\n\n- Collect your laptop\n- Meet your manager\n- Set up email\n",
			"## First day\n\n- Meet your manager\n- Collect your laptop\n- Set up email\n- Join the team chat\n",
		},
		def:  1,
		want: "## First day\n\n- Meet your manager\n- Collect your laptop\n- Set up email\n{2:- Join the team chat}\n",
	},
	{
		name: "edit inside a list item",
		revs: []string{
			"- Payroll runs on the 25th\n- Benefits start after 30 days\n- Pension enrolment is automatic\n",
			"- Payroll runs on the 25th\n- Benefits start after 60 days\n- Pension enrolment is automatic\n",
		},
		def:  1,
		want: "- Payroll runs on the 25th\n- Benefits start after {2:60} days\n- Pension enrolment is automatic\n",
	},
	{
		name: "rename a heading",
		revs: []string{
			"## How do I get a VPN token?\n\nOpen a ticket with the service desk.\n",
			"## How do I get VPN access?\n\nOpen a ticket with the service desk.\n",
		},
		def:  1,
		want: "## How do I get VPN {2:access}?\n\nOpen a ticket with the service desk.\n",
	},
	{
		name: "three authors on one paragraph",
		revs: []string{
			"Travel is booked through the portal.\n",
			"Travel is booked through the portal. Trains are preferred under four hours.\n",
			"Travel is booked through the portal. Trains are preferred under five hours.\n",
			"Travel is booked through the portal. Trains are preferred under five hours.\n\nHotels need approval above the city rate.\n",
		},
		def:  1,
		want: "Travel is booked through the portal. {2:Trains are preferred under} {3:five} {2:hours}.\n\n{4:Hotels need approval above the city rate.}\n",
	},
	{
		name: "delete the page and restore it",
		revs: []string{
			"## Parking\n\nThe car park is behind building B.\n",
			"",
			"## Parking\n\nThe car park is behind building B.\n",
			"## Parking\n\nThe car park is behind building B. Bikes go in the basement.\n",
		},
		def:  1,
		want: "## Parking\n\nThe car park is behind building B. {4:Bikes go in the basement.}\n",
	},
	{
		name: "manual undo of one change among others",
		revs: []string{
			"Holidays are booked in the HR system.\n\nSick days are reported to your manager before ten.\n",
			"Holidays are booked by email.\n\nSick days are reported to your manager before ten.\n",
			"Holidays are booked by email.\n\nSick days are reported to your manager before nine.\n",
			"Holidays are booked in the HR system.\n\nSick days are reported to your manager before nine.\n",
		},
		def:  1,
		want: "Holidays are booked in the HR system.\n\nSick days are reported to your manager before {3:nine}.\n",
	},
	{
		name: "split a paragraph in two",
		revs: []string{
			"The canteen is on floor two. It takes card only. Coffee is free all day.\n",
			"The canteen is on floor two. It takes card only.\n\nCoffee is free all day.\n",
		},
		def:  1,
		want: "The canteen is on floor two. It takes card only.\n\nCoffee is free all day.\n",
	},
	{
		name: "merge two paragraphs",
		revs: []string{
			"Printers are on every floor.\n\nScan to email from any of them.\n",
			"Printers are on every floor. Scan to email from any of them.\n",
		},
		def:  1,
		want: "Printers are on every floor. Scan to email from any of them.\n",
	},
	{
		name: "table row edited",
		revs: []string{
			"| Office | Opens |\n|---|---|\n| London | 8:00 |\n| Berlin | 9:00 |\n",
			"| Office | Opens |\n|---|---|\n| London | 8:00 |\n| Berlin | 8:30 |\n| Lisbon | 9:00 |\n",
		},
		def:  1,
		want: "| Office | Opens |\n|---|---|\n| London | 8:00 |\n| Berlin | {2:8}:{2:30} |\n{2:| Lisbon |} 9:00 {2:|}\n",
	},
	{
		name: "code block edited",
		revs: []string{
			"Install the tools:\n\n```\nbrew install git\nbrew install go\n```\n",
			"Install the tools:\n\n```\nbrew install git\nbrew install go\nbrew install node\n```\n",
		},
		def:  1,
		want: "Install the tools:\n\n```\nbrew install git\nbrew install go\n{2:brew install node}\n```\n",
	},
	{
		name: "rewrap and change a word at once",
		revs: []string{
			"Security training is due in the first week. It takes about an hour. Your certificate is emailed to you.\n",
			"Security training is due in the first week.\nIt takes about two hours.\nYour certificate is emailed to you.\n",
		},
		def:  1,
		want: "Security training is due in the first week.\nIt takes about {2:two hours}.\nYour certificate is emailed to you.\n",
	},
	{
		name: "move a paragraph and edit it",
		revs: []string{
			"## Wifi\n\nThe guest network is Visitors. Staff use Corp with their login.\n\n## Printing\n\nSend jobs to FollowMe.\n",
			"## Printing\n\nSend jobs to FollowMe.\n\n## Wifi\n\nThe guest network is Guests. Staff use Corp with their login.\n",
		},
		def:  1,
		want: "## Printing\n\nSend jobs to FollowMe.\n\n## Wifi\n\nThe guest network is {2:Guests}. Staff use Corp with their login.\n",
	},
	{
		name: "many small appends",
		revs: []string{
			"## Glossary\n",
			"## Glossary\n\n- OKR: objectives and key results\n",
			"## Glossary\n\n- OKR: objectives and key results\n- PTO: paid time off\n",
			"## Glossary\n\n- OKR: objectives and key results\n- PTO: paid time off\n- WFH: working from home\n",
			"## Glossary\n\n- 1:1: a meeting with your manager\n- OKR: objectives and key results\n- PTO: paid time off\n- WFH: working from home\n",
			"## Glossary\n\n- 1:1: a weekly meeting with your manager\n- OKR: objectives and key results\n- PTO: paid time off\n- WFH: working from home\n",
		},
		def:  1,
		want: "## Glossary\n\n{5:- 1:1: a} {6:weekly} {5:meeting with your manager}\n{2:- OKR: objectives and key results}\n{3:- PTO: paid time off}\n{4:- WFH: working from home}\n",
	},
	{
		name: "blanked then reverted then edited",
		revs: []string{
			"Ask your buddy first. Then ask the team channel.\n\nEscalate to your manager last.\n",
			"x\n",
			"Ask your buddy first. Then ask the team channel.\n\nEscalate to your manager last.\n",
			"Ask your buddy first. Then ask the team channel.\n\nEscalate to your manager only if it blocks you.\n",
		},
		def:  1,
		want: "Ask your buddy first. Then ask the team channel.\n\nEscalate to your manager {4:only if it blocks you}.\n",
	},
	{
		name: "add a comma and fix a case",
		revs: []string{
			"Once you have a badge you can book desks in the app.\n",
			"Once you have a badge, you can book desks in the App.\n",
		},
		def:  1,
		want: "Once you have a badge, you can book desks in the {2:App}.\n",
	},
	{
		name: "restore an old paragraph among later edits",
		revs: []string{
			"## Leave\n\nBook leave two weeks ahead.\n\nPublic holidays are listed on the intranet.\n",
			"## Leave\n\nBook leave two weeks ahead.\n",
			"## Leave\n\nBook leave three weeks ahead.\n",
			"## Leave\n\nBook leave three weeks ahead.\n\nPublic holidays are listed on the intranet.\n",
		},
		def:  1,
		want: "## Leave\n\nBook leave {3:three} weeks ahead.\n\nPublic holidays are listed on the intranet.\n",
	},
	{
		name: "two people write the same short answer",
		revs: []string{
			"## Is there a dress code?\n\nNo.\n",
			"## Is there a dress code?\n\nNo. Dress for your day.\n",
			"## Is there a dress code?\n\nDress for your day.\n\n## Can I bring a dog?\n\nNo.\n",
		},
		def:  1,
		want: "## Is there a dress code?\n\n{2:Dress for your day}.\n\n{3:## Can I bring a dog?}\n\n{3:No}.\n",
	},
	{
		name: "indent a block into a quote",
		revs: []string{
			"Our values: be kind, be curious, ship often.\n",
			"> Our values: be kind, be curious, ship often.\n",
		},
		def:  1,
		want: "{2:>} Our values: be kind, be curious, ship often.\n",
	},
	{
		name: "move a sentence to another paragraph and edit it",
		revs: []string{
			"Desks are booked in the app. Lockers are on floor three.\n\nMeeting rooms need a booking too.\n",
			"Desks are booked in the app.\n\nMeeting rooms need a booking too. Lockers are on floor four.\n",
		},
		def:  1,
		want: "Desks are booked in the app.\n\nMeeting rooms need a booking too. Lockers are on floor {2:four}.\n",
	},
	{
		name: "move one word inside a sentence",
		revs: []string{
			"You must always sign in at reception.\n",
			"You must sign in at reception always.\n",
		},
		def:  1,
		want: "You must sign in at reception always.\n",
	},
}

// parseLabels returns the text of want without marks and the origin of
// each of its words, in order.
func parseLabels(t *testing.T, want string, def int) (string, []int) {
	t.Helper()
	var text strings.Builder
	var origins []int
	cur := def
	inWord := false
	for i := 0; i < len(want); {
		switch {
		case want[i] == '{' && i+1 < len(want) && want[i+1] >= '0' && want[i+1] <= '9':
			j := strings.IndexByte(want[i:], ':')
			n, err := strconv.Atoi(want[i+1 : i+j])
			if err != nil {
				t.Fatalf("bad label at %q", want[i:])
			}
			cur, i, inWord = n, i+j+1, false
			continue
		case want[i] == '}' && cur != def:
			cur, inWord = def, false
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(want[i:])
		if isWord(r) {
			if !inWord {
				origins = append(origins, cur)
			}
			inWord = true
		} else {
			inWord = false
		}
		text.WriteString(want[i : i+w])
		i += w
	}
	return text.String(), origins
}

// blameWords returns the origins of the words of the last revision.
func blameWords(revs []string) []int {
	b := New()
	for i, r := range revs {
		b.Add(i+1, r)
	}
	var out []int
	for _, tk := range b.Tokens() {
		if tk.Word {
			out = append(out, tk.Origin)
		}
	}
	return out
}

// naiveWords is plain line blame: each revision diffed against the one
// before line by line; a line takes the revision that last touched it.
func naiveWords(revs []string) []int {
	dmp := diffmatchpatch.New()
	var lines []string
	var origin []int
	for n, text := range revs {
		a, b, arr := dmp.DiffLinesToRunes(strings.Join(lines, ""), text)
		var nl []string
		var no []int
		ia := 0
		for _, d := range dmp.DiffMainRunes(a, b, false) {
			k := utf8.RuneCountInString(d.Text)
			switch d.Type {
			case diffmatchpatch.DiffEqual:
				for _, r := range d.Text {
					nl, no = append(nl, arr[r]), append(no, origin[ia])
					ia++
				}
			case diffmatchpatch.DiffDelete:
				ia += k
			case diffmatchpatch.DiffInsert:
				for _, r := range d.Text {
					nl, no = append(nl, arr[r]), append(no, n+1)
				}
			}
		}
		lines, origin = nl, no
	}
	var out []int
	for i, l := range lines {
		b := New()
		b.Add(0, l)
		for _, tk := range b.Tokens() {
			if tk.Word {
				out = append(out, origin[i])
			}
		}
	}
	return out
}

// TestLabelledAccuracy measures blame against the labelled set: the share
// of words attributed to the revision that truly wrote them. It logs the
// figure for blame and for naive line blame, and fails below 95%, the
// accuracy WikiWho reports for Wikipedia.
func TestLabelledAccuracy(t *testing.T) {
	if len(labelledSet) < 20 {
		t.Fatalf("the labelled set has %d histories; it needs at least 20", len(labelledSet))
	}
	total, right, naiveRight := 0, 0, 0
	for _, c := range labelledSet {
		text, want := parseLabels(t, c.want, c.def)
		if text != c.revs[len(c.revs)-1] {
			t.Fatalf("%s: the labelled text differs from the last revision:\n%q\n%q", c.name, text, c.revs[len(c.revs)-1])
		}
		got := blameWords(c.revs)
		naive := naiveWords(c.revs)
		if len(got) != len(want) || len(naive) != len(want) {
			t.Fatalf("%s: %d words labelled, blame found %d, naive %d", c.name, len(want), len(got), len(naive))
		}
		caseRight, caseNaive := 0, 0
		for i := range want {
			if got[i] == want[i] {
				caseRight++
			}
			if naive[i] == want[i] {
				caseNaive++
			}
		}
		if caseRight < len(want) {
			t.Logf("%-45s %3d/%3d words right (naive line blame %3d): got %v, want %v", c.name, caseRight, len(want), caseNaive, got, want)
		}
		total, right, naiveRight = total+len(want), right+caseRight, naiveRight+caseNaive
	}
	acc := float64(right) / float64(total)
	t.Logf("blame accuracy on %d labelled histories: %d of %d words (%.1f%%); naive line blame: %d (%.1f%%)",
		len(labelledSet), right, total, 100*acc, naiveRight, 100*float64(naiveRight)/float64(total))
	if acc < 0.95 {
		t.Errorf("accuracy %.1f%% is below 95%%", 100*acc)
	}
}

func TestLinesAndSpans(t *testing.T) {
	b := New()
	b.Add(1, "## Title\n\nThe desk helps.\n")
	b.Add(2, "## Title\n\nThe service desk helps.\n\n")
	lines := b.Lines()
	got := []string{}
	for _, l := range lines {
		var parts []string
		for _, s := range l.Spans {
			parts = append(parts, fmt.Sprintf("%d:%q", s.Origin, s.Text))
		}
		got = append(got, fmt.Sprintf("[%d] %s", l.Origin, strings.Join(parts, " ")))
	}
	want := []string{
		`[1] 1:"## Title"`,
		`[-1] `,
		`[1] 1:"The " 2:"service " 1:"desk helps."`,
		`[-1] `,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Joined, the spans give the text back.
	var all []string
	for _, l := range lines {
		var s strings.Builder
		for _, sp := range l.Spans {
			s.WriteString(sp.Text)
		}
		all = append(all, s.String())
	}
	if j := strings.Join(all, "\n") + "\n"; j != b.Text() {
		t.Errorf("spans joined give %q, want %q", j, b.Text())
	}
}

// TestLinesOfALongLine: a line of a whole page's words (a pasted blob,
// a hostile client) costs memory in proportion to its length. Its spans
// were built by appending to a string, which was quadratic: 38 s of CPU
// for one 2 MB line, for any reader who asked who wrote it.
func TestLinesOfALongLine(t *testing.T) {
	var line strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&line, "w%d ", i)
	}
	b := New()
	b.Add(1, line.String())
	b.Add(2, line.String()+"and more at the end")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	lines := b.Lines()
	runtime.ReadMemStats(&after)
	if len(lines) != 1 || len(lines[0].Spans) != 2 || lines[0].Spans[0].Origin != 1 || lines[0].Spans[1].Text != "and more at the end" {
		t.Fatalf("lines = %d, spans %+v", len(lines), lines[0].Spans[1:])
	}
	if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(20*len(b.Text())); got > limit {
		t.Errorf("the lines of a %d-byte line allocated %d bytes, want at most %d", len(b.Text()), got, limit)
	}
}

func TestEmptyAndDeleted(t *testing.T) {
	b := New()
	b.Add(1, "")
	if len(b.Tokens()) != 0 {
		t.Fatal("tokens in an empty text")
	}
	b.Add(2, "Hello world.")
	b.Add(3, "")
	b.Add(4, "Hello world.")
	for _, tk := range b.Tokens() {
		if tk.Origin != 2 {
			t.Errorf("%q: origin %d, want 2 (restored)", tk.Text, tk.Origin)
		}
	}
	if got := len(b.Lines()); got != 1 {
		t.Errorf("%d lines, want 1", got)
	}
}

func FuzzBlame(f *testing.F) {
	f.Add("a b c\n\nd e.", "a c\n\nd e f.", "x")
	f.Add("", "## h\n- 1. x", "| a | b |\n")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		bl := New()
		for i, s := range []string{a, b, c, a} {
			bl.Add(i+1, s)
			var sb strings.Builder
			for j, l := range bl.Lines() {
				if j > 0 {
					sb.WriteByte('\n')
				}
				for _, sp := range l.Spans {
					if sp.Origin > i+1 {
						t.Fatalf("origin %d from the future", sp.Origin)
					}
					sb.WriteString(sp.Text)
				}
			}
			got := sb.String()
			if want := strings.TrimSuffix(s, "\n"); got != want && got+"\n" != s {
				t.Fatalf("spans give %q, text is %q", got, s)
			}
		}
	})
}
