// Texts: how the Markdown of each revision is stored (schema version 6,
// numbered from version 8): most revisions as a delta against the
// revision before, with a full copy now and then, each compressed when
// that saves space, under a number its revision record names; and a cache
// of the texts lately read or written.

package store

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sync"

	"go.etcd.io/bbolt"
)

// A value in the texts bucket is
//
//	byte     kind: textFull or textDelta
//	byte     encoding of the payload: encRaw or encFlate
//	uvarint  length of the revision's text
//	uint32   CRC-32C (Castagnoli) of the revision's text, big-endian
//	         (a delta only:)
//	uvarint  deltas in the chain back to the last full copy, this one
//	         included (1..maxChain)
//	uvarint  payload bytes of those deltas
//	uvarint  payload bytes of that full copy
//	...      payload: the text (full), or a delta (delta.go) that makes the
//	         text from the previous revision's
//
// A one-line edit of a 50 KB page is then a few dozen bytes instead of
// 50 KB, and reading revision n reads back to the last full copy and
// applies at most maxChain deltas. A new full copy is written when the
// chain is as long as it may be (maxChain, or fewer for a big text, so
// that no read copies more than chainCopyBytes), or when its deltas
// together outweigh the full copy it starts from (a page rewritten bit by
// bit): the chain never costs more than about twice the text, as in
// Mercurial's revlog. Full copies are most of what one-line edits cost
// (a 50 KB page compresses to about 16 KB, every 128 edits).
//
// The CRC of the whole text is checked after every read, so a damaged
// delta anywhere in a chain is an error, never a wrong text; "faqwiki
// check" resolves every revision this way.
//
// Compression is the standard library's DEFLATE (RFC 1951) at its fastest
// level: a format that will read the same in any future Go, with no
// dependency to keep up. On handbook prose level 1 keeps 37% of the text
// at about 120 MB/s, level 6 33% at a third of the speed; full copies are
// written for every new page (an import writes thousands) and every 128
// edits, where 4 points of ratio are worth little (bbolt rounds a value up
// to 4 KB pages anyway). zstd (klauspost/compress) would be faster and
// smaller still, but not by enough to be worth a dependency for data that
// must stay readable for as long as the wiki lives.
const (
	textFull  = 'f'
	textDelta = 'd'

	encRaw   = 0
	encFlate = 1

	// maxChain bounds the deltas read to rebuild one revision, and
	// chainCopyBytes the text they copy: at most 128 deltas, fewer for
	// texts over 64 KB (a 2 MiB page has a full copy every 4 revisions).
	maxChain       = 128
	chainCopyBytes = 8 << 20

	// minCompress: shorter payloads are stored raw (DEFLATE cannot save
	// much on them and costs a dictionary each time).
	minCompress = 96
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// textHeader is the decoded head of a texts value.
type textHeader struct {
	kind, enc  byte
	size       int
	crc        uint32
	chain      int // deltas in the chain, this one included; 0 for a full copy
	chainBytes int // their payload bytes
	fullBytes  int // payload bytes of the full copy the chain starts from (its own, for a full copy)
	payload    []byte
}

var errBadText = errors.New("corrupt text record")

// parseText decodes the header of a texts value; payload aliases v.
func parseText(v []byte) (textHeader, error) {
	var h textHeader
	if len(v) < 2+1+4 {
		return h, errBadText
	}
	h.kind, h.enc = v[0], v[1]
	if h.kind != textFull && h.kind != textDelta || h.enc != encRaw && h.enc != encFlate {
		return h, fmt.Errorf("%w: kind %q, encoding %d", errBadText, h.kind, h.enc)
	}
	rest := v[2:]
	uv := func() (int, bool) {
		x, k := binary.Uvarint(rest)
		if k <= 0 || x > 1<<40 {
			return 0, false
		}
		rest = rest[k:]
		return int(x), true
	}
	var ok bool
	if h.size, ok = uv(); !ok || len(rest) < 4 {
		return h, errBadText
	}
	h.crc = binary.BigEndian.Uint32(rest)
	rest = rest[4:]
	if h.kind == textDelta {
		var ok1, ok2, ok3 bool
		h.chain, ok1 = uv()
		h.chainBytes, ok2 = uv()
		h.fullBytes, ok3 = uv()
		if !ok1 || !ok2 || !ok3 || h.chain < 1 {
			return h, errBadText
		}
	}
	h.payload = rest
	if h.kind == textFull {
		h.fullBytes = len(rest)
	}
	return h, nil
}

// encodeText returns the texts value of a revision whose text is text,
// given the text of the revision before and its header (prev is nil for a
// first revision, or to force a full copy).
func encodeText(text []byte, prevText []byte, prev *textHeader) []byte {
	crc := crc32.Checksum(text, castagnoli)
	if prev != nil {
		chain, chainBytes, fullBytes := prev.chain, prev.chainBytes, prev.fullBytes
		if chain < chainLimit(len(text)) {
			d := makeDelta(prevText, text)
			raw := len(d)
			enc := byte(encRaw)
			if len(d) >= minCompress {
				if z := deflate(d); len(z) < len(d) {
					d, enc = z, encFlate
				}
			}
			// A delta that outweighs what is left of the chain's budget
			// (the full copy's size) is better spent on a new full copy;
			// so is a rewrite, whose delta is as big as the text (and may
			// be bigger before it is deflated: nearly all insert).
			if chainBytes+len(d) <= max(fullBytes, minCompress) && len(d) < len(text)/2+minCompress && raw <= len(text)+minCompress {
				v := textHead(textDelta, enc, len(text), crc, len(d))
				v = binary.AppendUvarint(v, uint64(chain+1))
				v = binary.AppendUvarint(v, uint64(chainBytes+len(d)))
				v = binary.AppendUvarint(v, uint64(fullBytes))
				return append(v, d...)
			}
		}
	}
	payload, enc := text, byte(encRaw)
	if len(text) >= minCompress {
		if z := deflate(text); len(z) < len(text) {
			payload, enc = z, encFlate
		}
	}
	v := textHead(textFull, enc, len(text), crc, len(payload))
	return append(v, payload...)
}

// chainLimit is how many deltas a chain may have at a text of size bytes.
func chainLimit(size int) int {
	return min(maxChain, max(4, chainCopyBytes/max(size, 1)))
}

func textHead(kind, enc byte, size int, crc uint32, payload int) []byte {
	v := make([]byte, 0, 2+binary.MaxVarintLen64*4+4+payload)
	v = append(v, kind, enc)
	v = binary.AppendUvarint(v, uint64(size))
	return binary.BigEndian.AppendUint32(v, crc)
}

// decodeText returns the text of a value whose header is h, given the
// text of the revision before (for a delta), appended to dst.
func decodeText(dst []byte, h textHeader, prevText []byte) ([]byte, error) {
	payload := h.payload
	if h.enc == encFlate {
		limit := h.size
		if h.kind == textDelta {
			// A delta is its inserts and instructions: encodeText stores
			// none much longer than the text, but one stored before it
			// checked may be (and a valid one is at most maxDeltaBytes).
			limit = maxDeltaBytes(h.size)
		}
		var err error
		if payload, err = inflate(payload, limit); err != nil {
			return nil, err
		}
	}
	start := len(dst)
	var err error
	switch h.kind {
	case textFull:
		if len(payload) != h.size {
			return nil, fmt.Errorf("%w: %d bytes, header says %d", errBadText, len(payload), h.size)
		}
		dst = append(dst, payload...)
	default:
		if dst, err = applyDelta(dst, prevText, payload, h.size); err != nil {
			return nil, err
		}
	}
	if crc32.Checksum(dst[start:], castagnoli) != h.crc {
		return nil, fmt.Errorf("%w: checksum mismatch", errBadText)
	}
	return dst, nil
}

// maxDeltaBytes bounds a valid delta for a text of size bytes: every
// instruction makes at least one byte and costs at most 20 more
// (makeDelta's copies make 24 or more).
func maxDeltaBytes(size int) int { return 21*size + 64 }

// DEFLATE's writers and readers are costly to make (a writer holds about
// a megabyte of tables), so they are reused.
var (
	deflaters = sync.Pool{New: func() any {
		w, _ := flate.NewWriter(nil, flate.BestSpeed)
		return w
	}}
	inflaters = sync.Pool{New: func() any { return flate.NewReader(nil) }}
)

func deflate(b []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(b)/2 + 64)
	w := deflaters.Get().(*flate.Writer)
	w.Reset(&buf)
	_, _ = w.Write(b) // a bytes.Buffer does not fail
	_ = w.Close()
	deflaters.Put(w)
	return buf.Bytes()
}

// inflate decompresses b, which must come to size bytes (or less, for a
// delta; the caller checks).
func inflate(b []byte, size int) ([]byte, error) {
	r := inflaters.Get().(io.ReadCloser)
	defer inflaters.Put(r)
	if err := r.(flate.Resetter).Reset(bytes.NewReader(b), nil); err != nil {
		return nil, err
	}
	out := make([]byte, 0, max(size, 512))
	out, err := readAllInto(out, r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errBadText, err)
	}
	return out, nil
}

// readAllInto reads r to its end into buf, refusing more than limit bytes
// (or a bit more for small payloads): a damaged stream cannot blow up.
func readAllInto(buf []byte, r io.Reader, limit int) ([]byte, error) {
	limit = max(limit, 1<<20)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if len(buf) > limit {
			return nil, errors.New("inflates past its size")
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// findText returns the Markdown of revision n of slug: from the cache, or
// read back through its delta chain (stopping early at a text the cache
// holds). Each revision's record names its text (textNumber). A revision
// without its text, or a chain that does not resolve to the text's
// checksum, means a corrupt file.
func (db *DB) findText(tx *bbolt.Tx, slug string, n int) (string, error) {
	key := revKey(slug, n)
	if s, ok := db.texts.get(string(key)); ok {
		return s, nil
	}
	texts, err := bucket(tx, bucketTexts)
	if err != nil {
		return "", err
	}
	revisions, err := bucket(tx, bucketRevisions)
	if err != nil {
		return "", err
	}
	// Walk back to a full copy or a cached text, then forward again.
	var chain []textHeader
	var base []byte
	for k := n; ; k-- {
		no, err := textNumber(revisions, slug, k)
		if err != nil {
			return "", err
		}
		v := texts.Get(u64(no))
		if v == nil {
			return "", fmt.Errorf("text of revision %d is missing", k)
		}
		h, err := parseText(v)
		if err != nil {
			return "", fmt.Errorf("text of revision %d: %w", k, err)
		}
		chain = append(chain, h)
		if h.kind == textFull {
			break
		}
		if k == 1 || len(chain) > maxChain {
			return "", fmt.Errorf("text of revision %d: %w: a delta chain that does not end", n, errBadText)
		}
		if s, ok := db.texts.get(string(revKey(slug, k-1))); ok {
			base = []byte(s)
			break
		}
	}
	// Two buffers in turn: each delta reads one and writes the other.
	var out []byte
	for i := len(chain) - 1; i >= 0; i-- {
		out, err = decodeText(out[:0], chain[i], base)
		if err != nil {
			return "", fmt.Errorf("text of revision %d: %w", n-i, err)
		}
		base, out = out, base
	}
	s := string(base)
	if !tx.Writable() {
		// A write transaction may yet roll back: only what is committed
		// is cached (Commit caches its own text once it is).
		db.texts.put(string(key), s)
	}
	return s, nil
}

// textNumber returns the number of the text of revision n of slug (its
// key in texts), from the revision's record.
func textNumber(revisions *bbolt.Bucket, slug string, n int) (uint64, error) {
	v := revisions.Get(revKey(slug, n))
	if v == nil {
		return 0, fmt.Errorf("revision %d is missing", n)
	}
	no, ok := trailingTextNumber(v)
	if !ok {
		var rec struct {
			Text uint64 `json:"text_no"`
		}
		if err := json.Unmarshal(v, &rec); err != nil {
			return 0, fmt.Errorf("decode revision %d: %w", n, err)
		}
		no = rec.Text
	}
	if no == 0 {
		return 0, fmt.Errorf("revision %d names no text", n)
	}
	return no, nil
}

// trailingTextNumber reads the text number from the end of a revision
// record, where encoding/json writes it (revisionRecord's last field),
// without decoding the rest: a delta chain names one text a revision, up
// to maxChain of them per read. Inside a JSON string every quote is
// escaped, so the field's name can match nowhere else. It reports false
// for a record that does not end so; textNumber then decodes it whole.
func trailingTextNumber(v []byte) (uint64, bool) {
	const field = `,"text_no":`
	i := bytes.LastIndex(v, []byte(field))
	if i < 0 || v[len(v)-1] != '}' {
		return 0, false
	}
	digits := v[i+len(field) : len(v)-1]
	if len(digits) == 0 || len(digits) > 19 {
		return 0, false
	}
	var no uint64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		no = no*10 + uint64(c-'0')
	}
	return no, true
}

// putText stores the text of revision n of slug (the page's head before
// it is n-1, 0 for none) under the next text number, which it returns: a
// delta against revision n-1 when that is worth it, else a full copy.
// Texts are numbered in the order they are written, so the texts of a
// commit transaction's saves all go at the end of the bucket, into the
// same few pages of the file, whichever pages they belong to.
func (db *DB) putText(tx *bbolt.Tx, b, revisions *bbolt.Bucket, slug string, n int, text string) (uint64, error) {
	var prev *textHeader
	var prevText []byte
	if n > 1 {
		pt, err := db.findText(tx, slug, n-1)
		if err != nil {
			return 0, err
		}
		no, err := textNumber(revisions, slug, n-1)
		if err != nil {
			return 0, err
		}
		h, err := parseText(b.Get(u64(no)))
		if err != nil {
			return 0, fmt.Errorf("text of revision %d: %w", n-1, err)
		}
		prev, prevText = &h, []byte(pt)
	}
	no, err := b.NextSequence()
	if err != nil {
		return 0, err
	}
	return no, b.Put(u64(no), storedText([]byte(text), prevText, prev))
}

// storedText is encodeText's value, read back before it is stored: one
// that does not give text again (a bug; it happened once) becomes a raw
// full copy, which always does. Nothing stored is unreadable.
func storedText(text, prevText []byte, prev *textHeader) []byte {
	v := encodeText(text, prevText, prev)
	if !readsBack(v, prevText, text) {
		v = append(textHead(textFull, encRaw, len(text), crc32.Checksum(text, castagnoli), len(text)), text...)
	}
	return v
}

// readsBack reports whether the texts value v decodes to text.
func readsBack(v, prevText, text []byte) bool {
	h, err := parseText(v)
	if err != nil {
		return false
	}
	got, err := decodeText(make([]byte, 0, len(text)), h, prevText)
	return err == nil && bytes.Equal(got, text)
}

// checkTexts resolves every text, each page's revisions in order, and
// reports those that are missing or do not resolve to their checksum and
// size (from the revision records). From schema version 8 (byNumber) a
// revision's record names its text; it also reports revisions that name
// the same text and texts that no revision names. Before, a revision's
// text was under the revision's key.
func checkTexts(tx *bbolt.Tx, byNumber bool, r *CheckReport) {
	texts, revisions := tx.Bucket(bucketTexts), tx.Bucket(bucketRevisions)
	if texts == nil || revisions == nil {
		return
	}
	// Every revision's text took the next number: as many numbers as
	// revisions (checkRevisions counted them), which bounds the memory a
	// damaged sequence could ask for.
	seq := texts.Sequence()
	if byNumber && seq != uint64(r.Revisions) {
		r.problem("the texts' sequence is %d, for %d revisions", seq, r.Revisions)
		seq = min(seq, uint64(r.Revisions))
	}
	named := make([]bool, seq+1) // by text number
	var cur []byte               // slug prefix of prev
	var prev []byte
	prevN := 0
	c := revisions.Cursor()
	for k, rv := c.First(); k != nil; k, rv = c.Next() {
		if len(k) < 10 || k[len(k)-9] != 0 {
			continue // checkRevisions reports it
		}
		prefix, n := k[:len(k)-8], int(binary.BigEndian.Uint64(k[len(k)-8:]))
		slug := string(prefix[:len(prefix)-1])
		if !bytes.Equal(prefix, cur) {
			cur, prev, prevN = append(cur[:0], prefix...), nil, 0
		}
		var v []byte
		var err error
		if !byNumber {
			if v = texts.Get(k); v == nil {
				prev, prevN = nil, 0
				continue // checkRevisions reports it
			}
		} else {
			var no uint64
			no, err = textNumber(revisions, slug, n)
			switch {
			case err != nil:
			case no >= uint64(len(named)):
				err = fmt.Errorf("text %d is past the texts' sequence %d", no, len(named)-1)
			case named[no]:
				err = fmt.Errorf("text %d is named by another revision too", no)
			default:
				named[no] = true
				if v = texts.Get(u64(no)); v == nil {
					err = fmt.Errorf("text %d is missing", no)
				}
			}
		}
		if err != nil {
			r.problem("page %q: revision %d has no text: %v", slug, n, err)
			prev, prevN = nil, 0
			continue
		}
		h, err := parseText(v)
		if err == nil && h.kind == textDelta && prevN != n-1 {
			err = errors.New("a delta whose previous revision did not resolve")
		}
		var text []byte
		if err == nil {
			text, err = decodeText(nil, h, prev)
		}
		if err != nil {
			r.problem("page %q: the text of revision %d does not resolve: %v", slug, n, err)
			prev, prevN = nil, 0
			continue
		}
		if rec, derr := decodeRevision(slug, n, rv); derr == nil && rec.Size != len(text) {
			r.problem("page %q: the text of revision %d is %d bytes, its record says %d", slug, n, len(text), rec.Size)
		}
		prev, prevN = text, n
	}
	if !byNumber {
		return
	}
	unnamed := 0
	_ = texts.ForEach(func(k, _ []byte) error {
		if len(k) != 8 || binary.BigEndian.Uint64(k) >= uint64(len(named)) || !named[binary.BigEndian.Uint64(k)] {
			unnamed++
		}
		return nil
	})
	if unnamed > 0 {
		r.problem("%d texts are stored that no revision names", unnamed)
	}
}

// textCache keeps recently read and written texts, by texts key, up to a
// number of bytes: the head of a page being edited is then at hand for
// the next edit's delta, and blame, which reads a page's revisions in
// order, resolves each from the one before.
type textCache struct {
	mu      sync.Mutex
	max     int
	size    int
	entries map[string]*textEntry
	head    textEntry // sentinel of a ring, most recent first
}

type textEntry struct {
	key        string
	text       string
	prev, next *textEntry
}

func newTextCache(maxBytes int) *textCache {
	c := &textCache{max: maxBytes, entries: map[string]*textEntry{}}
	c.head.prev, c.head.next = &c.head, &c.head
	return c
}

func (c *textCache) get(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return "", false
	}
	c.unlink(e)
	c.pushFront(e)
	return e.text, true
}

func (c *textCache) put(key, text string) {
	cost := len(key) + len(text) + 64
	if cost > c.max/4 {
		return // one text must not empty the cache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		c.unlink(e)
		c.pushFront(e)
		return // texts of a revision never change
	}
	e := &textEntry{key: key, text: text}
	c.entries[key] = e
	c.pushFront(e)
	c.size += cost
	for c.size > c.max {
		old := c.head.prev
		c.unlink(old)
		delete(c.entries, old.key)
		c.size -= len(old.key) + len(old.text) + 64
	}
}

func (c *textCache) unlink(e *textEntry) {
	e.prev.next, e.next.prev = e.next, e.prev
}

func (c *textCache) pushFront(e *textEntry) {
	e.prev, e.next = &c.head, c.head.next
	c.head.next.prev = e
	c.head.next = e
}

// findRawText returns the text of revision n of slug in a file of schema
// version 5 or older, which stored every text whole and raw: for the
// migrations that run before convertTexts.
func findRawText(tx *bbolt.Tx, slug string, n int) (string, error) {
	texts, err := bucket(tx, bucketTexts)
	if err != nil {
		return "", err
	}
	v := texts.Get(revKey(slug, n))
	if v == nil {
		return "", fmt.Errorf("text of revision %d is missing", n)
	}
	return string(v), nil
}

// convertTexts is the migration from schema version 5: every text, stored
// whole and raw until then, is stored again as putText would have, each
// page's revisions in order (deltas against the one before, full copies
// now and then, compressed).
func convertTexts(tx *bbolt.Tx) error {
	texts, err := bucket(tx, bucketTexts)
	if err != nil {
		return err
	}
	// One page at a time: its keys are contiguous. Values are replaced
	// after the cursor has left the page, and the cursor is put back
	// where it was, since writing moves it.
	type rev struct {
		key  []byte
		text []byte
	}
	var page []rev
	convert := func() error {
		var prevText []byte
		var prev *textHeader
		for i, r := range page {
			n := int(binary.BigEndian.Uint64(r.key[len(r.key)-8:]))
			if i > 0 && n != int(binary.BigEndian.Uint64(page[i-1].key[len(page[i-1].key)-8:]))+1 {
				prev = nil // a gap (check reports it): start afresh
			}
			v := storedText(r.text, prevText, prev)
			h, err := parseText(v)
			if err != nil {
				return err
			}
			if err := texts.Put(r.key, v); err != nil {
				return err
			}
			prevText, prev = r.text, &h
		}
		page = page[:0]
		return nil
	}
	c := texts.Cursor()
	var prefix []byte
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) < 9 {
			return fmt.Errorf("corrupt text key %q", k)
		}
		p := k[:len(k)-8]
		if !bytes.Equal(p, prefix) && len(page) > 0 {
			last := page[len(page)-1].key
			if err := convert(); err != nil {
				return err
			}
			c.Seek(last)
			k, v = c.Next()
			p = k[:len(k)-8]
		}
		prefix = append(prefix[:0], p...)
		page = append(page, rev{key: bytes.Clone(k), text: bytes.Clone(v)})
	}
	return convert()
}

// numberTexts is the migration from schema version 7: each text, under
// its revision's key until then, moves to the next text number, page by
// page and each page's revisions in order, and the revision's record
// names it. The values themselves are as they were.
func numberTexts(tx *bbolt.Tx) error {
	texts, err := bucket(tx, bucketTexts)
	if err != nil {
		return err
	}
	revisions, err := bucket(tx, bucketRevisions)
	if err != nil {
		return err
	}
	texts.FillPercent = fillSequence
	c := revisions.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) < 10 || k[len(k)-9] != 0 {
			return fmt.Errorf("corrupt revision key %q", k)
		}
		var rec revisionRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("decode revision %q: %w", k, err)
		}
		text := texts.Get(k)
		if text == nil {
			return fmt.Errorf("revision %q has no text", k)
		}
		if rec.Text, err = texts.NextSequence(); err != nil {
			return err
		}
		if err := texts.Put(u64(rec.Text), bytes.Clone(text)); err != nil {
			return err
		}
		key := bytes.Clone(k)
		if err := texts.Delete(key); err != nil {
			return err
		}
		if err := putJSON(revisions, key, &rec); err != nil {
			return err
		}
		// Writing moves the cursor: put it back where it was.
		if k, _ = c.Seek(key); !bytes.Equal(k, key) {
			return fmt.Errorf("revision %q is gone after its rewrite", key)
		}
	}
	return nil
}
