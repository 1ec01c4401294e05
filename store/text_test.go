// Tests of how revision texts are stored: deltas, full copies, the
// checksum, the cache, the migration from whole texts, and what a
// one-line edit costs on disk.

package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// editText returns text with a random edit: a line changed, inserted or
// deleted, a paragraph moved, or (rarely) all of it rewritten.
func editText(rng *rand.Rand, text string) string {
	lines := strings.Split(text, "\n")
	i := rng.IntN(len(lines))
	switch rng.IntN(10) {
	case 0:
		lines = append(lines[:i], lines[i+1:]...)
	case 1:
		lines = append(lines[:i], append([]string{fmt.Sprintf("inserted %d", rng.Int())}, lines[i:]...)...)
	case 2:
		j := rng.IntN(len(lines))
		lines[i], lines[j] = lines[j], lines[i]
	case 3:
		if rng.IntN(10) == 0 {
			return faqText(rng, 2+rng.IntN(40))
		}
		fallthrough
	default:
		lines[i] = fmt.Sprintf("%s changed %d", lines[i], rng.IntN(1000))
	}
	return strings.Join(lines, "\n")
}

// faqText is a FAQ page of n questions, in words drawn from proseWords
// the way words of real text are (a few very often, most seldom), so that
// it compresses about as well as real prose (to about a third).
func faqText(rng *rand.Rand, n int) string {
	zipf := rand.NewZipf(rng, 1.1, 4, uint64(len(proseWords)-1))
	words := func(k int) string {
		ws := make([]string, k)
		for i := range ws {
			ws[i] = proseWords[zipf.Uint64()]
		}
		return strings.Join(ws, " ")
	}
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "## How do I %s (%d)?\n\n%s.\n\n", words(4), i, words(12))
	}
	return b.String()
}

var proseWords = strings.Fields(`the of and to a in is you that it for on are with as be this your
at or can have by from not will an all if we which one more do there their when what about so up
out has would them who our time into also some other than then these its new only could may now
first any people like been how most over after use see need work get make find take know ask well
way even back good give day year two just help each first office desk laptop account password
access request manager team week form payroll leave holiday travel expense receipt badge building
floor parking train bus card meeting room calendar email phone number network printer software
install update security policy training course onboarding buddy lunch kitchen coffee shower bike
remote home contract salary bank tax pension doctor insurance sick report ticket service portal
login setup wifi guest visitor delivery mail package post address key locker desk chair screen
monitor keyboard mouse headset camera charger cable adapter budget approval invoice purchase
order supplier vendor client project deadline review feedback goal plan quarter month morning
evening weekend shift overtime rota schedule hours break start end finish join leave transfer
promotion role title department division site campus region country city street station airport
hotel flight booking visa passport document copy sign scan upload download share folder drive
backup archive delete restore version history change edit draft publish page question answer`)

func TestDelta_RoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	base := faqText(rng, 30)
	for i := range 2000 {
		target := editText(rng, base)
		d := makeDelta([]byte(base), []byte(target))
		got, err := applyDelta(nil, []byte(base), d, len(target))
		if err != nil || string(got) != target {
			t.Fatalf("edit %d: applyDelta = %q, %v\nwant %q", i, got, err, target)
		}
		base = target
	}
}

func TestDelta_OneLineIsSmall(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	base := faqText(rng, 520) // about 50 KB
	lines := strings.Split(base, "\n")
	lines[len(lines)/2] = "## How do I do this other thing?"
	target := strings.Join(lines, "\n")
	if d := makeDelta([]byte(base), []byte(target)); len(d) > 64 {
		t.Errorf("a one-line change of %d bytes makes a delta of %d bytes", len(base), len(d))
	}
	// A moved paragraph is copied, not inserted again.
	paras := strings.Split(base, "\n\n")
	paras[10], paras[500] = paras[500], paras[10]
	moved := strings.Join(paras, "\n\n")
	if d := makeDelta([]byte(base), []byte(moved)); len(d) > 200 {
		t.Errorf("two paragraphs swapped make a delta of %d bytes", len(d))
	}
}

func TestApplyDelta_RefusesBadDeltas(t *testing.T) {
	base := []byte("hello, world")
	for _, d := range [][]byte{
		{0x01},                   // copy without offset
		{0x09, 20},               // copy past the base
		{0x08, 'a'},              // insert past its end
		{0xff, 0xff, 0xff, 0xff}, // bad varint
		appendInsert(nil, []byte("toolongforsize")),
	} {
		if _, err := applyDelta(nil, base, d, 5); err == nil {
			t.Errorf("applyDelta(%x) succeeded", d)
		}
	}
}

func FuzzDelta(f *testing.F) {
	f.Add("the quick brown fox", "the quick red fox")
	f.Add(strings.Repeat("abc\n", 100), strings.Repeat("abc\n", 50)+"x"+strings.Repeat("abc\n", 50))
	f.Fuzz(func(t *testing.T, a, b string) {
		d := makeDelta([]byte(a), []byte(b))
		got, err := applyDelta(nil, []byte(a), d, len(b))
		if err != nil || string(got) != b {
			t.Fatalf("round trip: %q, %v", got, err)
		}
		// Any bytes as a delta: an error or a text, never a panic.
		_, _ = applyDelta(nil, []byte(a), []byte(b), len(a))
	})
}

// commitEdits commits revs texts as revisions 1..len(texts) of slug.
func commitEdits(tb testing.TB, db *DB, slug string, texts []string) {
	tb.Helper()
	for i, text := range texts {
		kind := wiki.KindEdit
		if i == 0 {
			kind = wiki.KindCreate
		}
		mustCommit(tb, db, newRev(slug, kind, "Page", text, t0.Add(time.Duration(i)*time.Minute)), i)
	}
}

func TestText_EveryRevisionReadsBack(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	db.bolt.NoSync = true // about what is stored, not when it is synced
	rng := rand.New(rand.NewPCG(3, 3))
	texts := []string{faqText(rng, 40)}
	for len(texts) < 300 {
		texts = append(texts, editText(rng, texts[len(texts)-1]))
	}
	texts[100] = ""  // as a delete leaves it
	texts[101] = "x" // and a restore of something short
	commitEdits(t, db, "faq", texts)

	// Read cold, in random order, then in order (the cache helps).
	db.texts = newTextCache(DefaultTextCacheBytes)
	for _, i := range rng.Perm(len(texts)) {
		rev, err := db.Revision(ctx, "faq", i+1)
		if err != nil || rev.Markdown != texts[i] {
			t.Fatalf("revision %d: %v (%d bytes, want %d)", i+1, err, len(rev.Markdown), len(texts[i]))
		}
	}
	// The chains stay short and there are both kinds.
	kinds := map[byte]int{}
	db.bolt.View(func(tx *bbolt.Tx) error {
		for n := 1; n <= len(texts); n++ {
			k, err := textKeyOf(tx, "faq", n)
			if err != nil {
				t.Fatalf("revision %d: %v", n, err)
			}
			h, err := parseText(tx.Bucket(bucketTexts).Get(k))
			if err != nil {
				t.Fatalf("revision %d: %v", n, err)
			}
			kinds[h.kind]++
			if h.chain > maxChain {
				t.Errorf("revision %d: a chain of %d deltas", n, h.chain)
			}
		}
		return nil
	})
	if kinds[textFull] < 2 || kinds[textDelta] < len(texts)/2 {
		t.Errorf("kinds of texts stored: %v", kinds)
	}
	path := db.Path()
	db.Close()
	mustCheck(t, path)
}

// TestText_OneLineEditsCostLittle edits a 50 KB page 1,000 times, one
// line each, and checks what that adds to the bytes in use: the text of
// each edit is a delta, so metadata (revision record, change, indexes)
// outweighs it.
func TestText_OneLineEditsCostLittle(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 commits")
	}
	db := MustOpen(t)
	db.bolt.NoSync = true
	rng := rand.New(rand.NewPCG(4, 4))
	text := faqText(rng, 520) // about 50 KB
	mustCommit(t, db, newRev("big", wiki.KindCreate, "Big", text, t0), 0)
	before := db.BytesInUse()
	const edits = 1000
	lines := strings.Split(text, "\n")
	for i := 1; i <= edits; i++ {
		j := rng.IntN(len(lines))
		lines[j] = fmt.Sprintf("Line %d, edited in revision %d.", j, i+1)
		mustCommit(t, db, newRev("big", wiki.KindEdit, "Big", strings.Join(lines, "\n"), t0.Add(time.Duration(i)*time.Second)), i)
	}
	per := float64(db.BytesInUse()-before) / edits
	t.Logf("%d one-line edits of a %d-byte page: %.0f bytes in use per edit", edits, len(text), per)
	if per >= 1000 {
		t.Errorf("a one-line edit costs %.0f bytes in use, want under 1000", per)
	}
}

func TestCheck_ReportsADamagedDelta(t *testing.T) {
	db := MustOpen(t)
	rng := rand.New(rand.NewPCG(5, 5))
	texts := []string{faqText(rng, 20)}
	for len(texts) < 10 {
		texts = append(texts, editText(rng, texts[len(texts)-1]))
	}
	commitEdits(t, db, "faq", texts)
	// Damage revision 5's payload (a delta), keeping its header sound.
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketTexts)
		k, err := textKeyOf(tx, "faq", 5)
		if err != nil {
			return err
		}
		v := bytes.Clone(b.Get(k))
		if h, _ := parseText(v); h.kind != textDelta {
			t.Fatalf("revision 5 is stored as %q, want a delta", h.kind)
		}
		v[len(v)-1] ^= 0x20
		return b.Put(k, v)
	})
	if err != nil {
		t.Fatal(err)
	}
	db.texts = newTextCache(DefaultTextCacheBytes)
	if _, err := db.Revision(context.Background(), "faq", 7); err == nil || !strings.Contains(err.Error(), "revision 5") {
		t.Errorf("reading past the damage: %v, want an error naming revision 5", err)
	}
	path := db.Path()
	db.Close()
	rep, err := Check(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), `page "faq": the text of revision 5 does not resolve`) {
		t.Errorf("check found %q, want the damaged revision 5", rep.Problems)
	}
}

func TestFixtureV5_MigratesTexts(t *testing.T) {
	ctx := context.Background()
	data, err := readFixture(fixtureV5)
	if err != nil {
		t.Fatal(err)
	}
	db := openFixtureData(t, data)
	for n := 1; n <= fixtureV5Revisions; n++ {
		rev, err := db.Revision(ctx, "travel", n)
		if err != nil || rev.Markdown != fixtureV5Text(n) {
			t.Fatalf("travel revision %d after migration: %v, %q", n, err, rev.Markdown)
		}
	}
	if p, err := db.Page(ctx, "expenses"); err != nil || len(p.Attachments) != 1 || p.Markdown != "![receipt](receipt.png)\n" {
		t.Errorf("expenses = %+v, %v", p, err)
	}
	if p, err := db.Page(ctx, "lunch"); err != nil || p.Markdown != "Floor 4 now.\n" {
		t.Errorf("lunch = %+v, %v", p, err)
	}
	kinds := map[byte]int{}
	db.bolt.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketTexts).ForEach(func(k, v []byte) error {
			h, err := parseText(v)
			if err != nil {
				t.Errorf("text %q after migration: %v", k, err)
			}
			kinds[h.kind]++
			return nil
		})
	})
	if kinds[textDelta] < fixtureV5Revisions/2 {
		t.Errorf("after migration the texts are %v; want most of travel's as deltas", kinds)
	}
	// It takes edits, and checks clean.
	mustCommit(t, db, newRev("travel", wiki.KindEdit, "Travel", fixtureV5Text(1000), t0.AddDate(1, 0, 0)), fixtureV5Revisions)
	path := db.Path()
	db.Close()
	if rep := mustCheck(t, path); rep.SchemaVersion != schemaVersion {
		t.Errorf("schema version after migration: %d", rep.SchemaVersion)
	}
}

// TestTrailingTextNumber: the number read from the end of a record is
// the one encoding/json wrote, whatever the strings before it hold; a
// record that does not end with it is left to json.Unmarshal.
func TestTrailingTextNumber(t *testing.T) {
	for _, summary := range []string{"", `,"text_no":5}`, `"text_no":7`, "x\\\",\"text_no\":9}", "\u002c\"text_no\":3"} {
		for _, no := range []uint64{1, 42, 1 << 62} {
			rec := revisionRecord{Number: 3, Kind: "edit", Summary: summary, Files: []fileRecord{{Name: `a","text_no":8`}}, Text: no}
			v, err := json.Marshal(&rec)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := trailingTextNumber(v)
			if !ok || got != no {
				t.Errorf("summary %q, number %d: read %d, %v from %s", summary, no, got, ok, v)
			}
		}
	}
	for _, v := range []string{`{"n":1}`, `{"n":1,"text_no":}`, `{"n":1,"text_no":12a}`, `{"n":1,"text_no":123456789012345678901}`, `{"n":1,"text_no":1`} {
		if got, ok := trailingTextNumber([]byte(v)); ok {
			t.Errorf("%s: read %d; want it left to json", v, got)
		}
	}
}

// TestMigrate_NumbersTexts: a version 7 file's texts, under their
// revisions' keys, move to numbers that the revision records name, each
// page's in order; every revision reads back as it was (deltas and full
// copies alike), the file checks clean, and the next save appends.
func TestMigrate_NumbersTexts(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	db.bolt.NoSync = true
	rng := rand.New(rand.NewPCG(8, 8))
	want := map[string][]string{}
	for _, slug := range []string{"b", "a", "a/b", "c-d"} {
		texts := []string{faqText(rng, 30)}
		for len(texts) < 40 {
			texts = append(texts, editText(rng, texts[len(texts)-1]))
		}
		commitEdits(t, db, slug, texts)
		want[slug] = texts
	}
	db = reopenAsVersion(t, db, 7, func(*bbolt.Tx) error { return nil })
	db.texts = newTextCache(DefaultTextCacheBytes)
	for slug, texts := range want {
		for _, n := range rng.Perm(len(texts)) {
			rev, err := db.Revision(ctx, wiki.Slug(slug), n+1)
			if err != nil || rev.Markdown != texts[n] {
				t.Fatalf("%s revision %d after migration: %v (%d bytes, want %d)", slug, n+1, err, len(rev.Markdown), len(texts[n]))
			}
		}
	}
	// Numbered in key order: page a's revisions first, 1..40.
	db.bolt.View(func(tx *bbolt.Tx) error {
		texts := tx.Bucket(bucketTexts)
		if got, wantN := texts.Stats().KeyN, 4*40; got != wantN || texts.Sequence() != uint64(wantN) {
			t.Errorf("%d texts, sequence %d; want %d of each", got, texts.Sequence(), wantN)
		}
		for n := 1; n <= 40; n++ {
			if k, err := textKeyOf(tx, "a", n); err != nil || binary.BigEndian.Uint64(k) != uint64(n) {
				t.Errorf("a's revision %d names text %x, %v; want %d", n, k, err, n)
			}
		}
		return nil
	})
	next := editText(rng, want["b"][39])
	mustCommit(t, db, newRev("b", wiki.KindEdit, "Page", next, t0.AddDate(1, 0, 0)), 40)
	db.bolt.View(func(tx *bbolt.Tx) error {
		if k, err := textKeyOf(tx, "b", 41); err != nil || binary.BigEndian.Uint64(k) != 4*40+1 {
			t.Errorf("the next save's text is %x, %v; want number %d", k, err, 4*40+1)
		}
		return nil
	})
	if p, err := db.Page(ctx, "b"); err != nil || p.Markdown != next {
		t.Errorf("b after the save: %v", err)
	}
	path := db.Path()
	db.Close()
	mustCheck(t, path)
}

// BenchmarkText measures storing and reading revision texts of a 50 KB
// page: a one-line edit's delta (what Commit does in its transaction),
// a full copy, and reading the newest and an old revision of a page with
// 1,000 revisions, cold (through its delta chain) and cached.
func BenchmarkText(b *testing.B) {
	rng := rand.New(rand.NewPCG(6, 6))
	text := []byte(faqText(rng, 520))
	edited := bytes.Replace(text, []byte("(300)?"), []byte("(300), really?"), 1)
	b.Run("encode-delta", func(b *testing.B) {
		prev, _ := parseText(encodeText(text, nil, nil))
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			encodeText(edited, text, &prev)
		}
	})
	b.Run("encode-full", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			encodeText(text, nil, nil)
		}
	})
	db := MustOpen(b)
	db.bolt.NoSync = true
	lines := strings.Split(string(text), "\n")
	texts := make([]string, 1000)
	for i := range texts {
		j := rng.IntN(len(lines))
		lines[j] = fmt.Sprintf("Line %d, edited in revision %d.", j, i+1)
		texts[i] = strings.Join(lines, "\n")
	}
	commitEdits(b, db, "big", texts)
	ctx := context.Background()
	// The old revision read is the one at the end of the longest chain:
	// the most deltas to apply.
	worst, longest := 0, -1
	db.bolt.View(func(tx *bbolt.Tx) error {
		for n := 1; n <= len(texts); n++ {
			k, _ := textKeyOf(tx, "big", n)
			if h, _ := parseText(tx.Bucket(bucketTexts).Get(k)); h.chain > longest {
				worst, longest = n, h.chain
			}
		}
		return nil
	})
	b.Logf("revision %d is at the end of a chain of %d deltas", worst, longest)
	for _, bc := range []struct {
		name string
		n    int
		cold bool
	}{{"read-head-cold", 1000, true}, {"read-old-cold", worst, true}, {"read-old-cached", worst, false}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				if bc.cold {
					db.texts = newTextCache(DefaultTextCacheBytes)
				}
				if _, err := db.Revision(ctx, "big", bc.n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestText_ARewriteOfABigPageReadsBack: rewriting a page of over a
// megabyte with other text makes a delta that is nearly all insert, which
// deflate brings under half the text but which is longer than the text
// itself. Stored so, it could not be read back: reading refused to
// inflate past the text's size, and after a restart (the cache empty) the
// page, its history and the backup failed. Such a revision is stored as
// a full copy, and a delta stored so before reads back.
func TestText_ARewriteOfABigPageReadsBack(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	words := func() string {
		var b strings.Builder
		for i := range 340000 {
			if i > 0 {
				b.WriteByte('\n')
			}
			for range 5 {
				b.WriteByte(byte('a' + rng.IntN(8)))
			}
		}
		return b.String()
	}
	texts := []string{words(), words()}
	// The delta as it was stored before: check the case is the one that failed.
	base, text := []byte(texts[0]), []byte(texts[1])
	d := makeDelta(base, text)
	z := deflate(d)
	if len(d) <= len(text) || len(z) >= len(text)/2+minCompress {
		t.Fatalf("the delta is %d bytes (%d deflated) for a text of %d: not the case that failed", len(d), len(z), len(text))
	}
	old := textHead(textDelta, encFlate, len(text), crc32.Checksum(text, castagnoli), len(z))
	old = binary.AppendUvarint(old, 1)
	old = binary.AppendUvarint(old, uint64(len(z)))
	old = binary.AppendUvarint(old, uint64(len(z)))
	old = append(old, z...)
	h, err := parseText(old)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decodeText(nil, h, base); err != nil || string(got) != texts[1] {
		t.Errorf("a delta stored before this fix does not read back: %v", err)
	}

	db := MustOpen(t)
	db.bolt.NoSync = true
	commitEdits(t, db, "big", texts)
	path := db.Path()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = mustOpenPath(t, path)
	for i, want := range texts {
		rev, err := db.Revision(context.Background(), "big", i+1)
		if err != nil || rev.Markdown != want {
			t.Fatalf("revision %d after a restart: %v", i+1, err)
		}
	}
	db.Close()
	mustCheck(t, path)
}

// TestStoredText_ReadsBackOrIsARawCopy: what encodeText makes is read
// back before it is stored; a value that does not read back is never
// stored, a raw full copy is.
func TestStoredText_ReadsBackOrIsARawCopy(t *testing.T) {
	base, text := []byte(strings.Repeat("Ask the help desk.\n", 200)), []byte(strings.Repeat("Ask the help desk.\n", 199)+"Ask IT.\n")
	h, err := parseText(encodeText(base, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	v := storedText(text, base, &h)
	if !readsBack(v, base, text) {
		t.Fatal("a delta stored does not read back")
	}
	if d, _ := parseText(v); d.kind != textDelta {
		t.Errorf("a one-line edit stored as %q, want a delta", d.kind)
	}
	// A value that does not read back: the wrong base, a flipped byte.
	if readsBack(v, text, text) {
		t.Error("a delta read back against the wrong base")
	}
	bad := bytes.Clone(v)
	bad[len(bad)-1] ^= 0xff
	if readsBack(bad, base, text) {
		t.Error("a damaged value read back")
	}
}
