// Deltas between two texts: what a revision changed, as instructions that
// rebuild it from the revision before. Used by text.go to store revisions.

package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// A delta is a sequence of instructions, each a uvarint x followed by:
//
//	x&1 == 0: insert: x>>1 literal bytes follow
//	x&1 == 1: copy:   a uvarint offset follows; copy x>>1 bytes of the
//	                  base text from that offset
//
// Applied in order to an empty output, they give the new text. The format
// is git's pack delta idea (copy and insert instructions) in fewer bytes
// per instruction.
//
// makeDelta finds the copies the way git's diff-delta does: it cuts off
// the common beginning and end (an edit of one line is then one insert),
// and in what is left it indexes the base in blocks and looks every block
// of the new text up with a rolling hash, so a paragraph moved or kept
// between two changes is a copy too. It is linear in the texts' sizes.

// deltaBlock is the length of the blocks of the base that are indexed:
// shorter matches are not worth a copy instruction (an offset and a length
// cost about as many bytes as the text they save).
const deltaBlock = 24

// makeDelta returns the delta that turns base into target.
func makeDelta(base, target []byte) []byte {
	// The common beginning and end.
	p := commonPrefix(base, target)
	s := commonSuffix(base[p:], target[p:])
	d := make([]byte, 0, 32+len(target)-p-s)
	d = appendCopy(d, 0, p)
	d = appendMiddle(d, base, p, len(base)-s, target[p:len(target)-s])
	return appendCopy(d, len(base)-s, s)
}

// appendMiddle appends instructions for mid, the changed middle of the
// target, copying what it can from base[lo:hi].
func appendMiddle(d, base []byte, lo, hi int, mid []byte) []byte {
	if len(mid) < 2*deltaBlock || hi-lo < deltaBlock {
		return appendInsert(d, mid)
	}
	// Index the base's blocks by their hash: the first block with a hash
	// wins, so copies prefer earlier text.
	blocks := make(map[uint64]int32, (hi-lo)/deltaBlock)
	for off := lo; off+deltaBlock <= hi; off += deltaBlock {
		h := blockHash(base[off : off+deltaBlock])
		if _, ok := blocks[h]; !ok {
			blocks[h] = int32(off)
		}
	}
	lit := 0 // start of the pending literal in mid
	j := 0
	var h uint64
	if len(mid) >= deltaBlock {
		h = blockHash(mid[:deltaBlock])
	}
	for j+deltaBlock <= len(mid) {
		if off, ok := blocks[h]; ok && bytes.Equal(base[off:int(off)+deltaBlock], mid[j:j+deltaBlock]) {
			// Extend the match forward and back (into the literal).
			bo, to := int(off), j
			end := deltaBlock
			for bo+end < hi && to+end < len(mid) && base[bo+end] == mid[to+end] {
				end++
			}
			for bo > lo && to > lit && base[bo-1] == mid[to-1] {
				bo--
				to--
				end++
			}
			d = appendInsert(d, mid[lit:to])
			d = appendCopy(d, bo, end)
			j = to + end
			lit = j
			if j+deltaBlock <= len(mid) {
				h = blockHash(mid[j : j+deltaBlock])
			}
			continue
		}
		if j+deltaBlock < len(mid) {
			h = rollHash(h, mid[j], mid[j+deltaBlock])
		}
		j++
	}
	return appendInsert(d, mid[lit:])
}

// The rolling hash of a block: a polynomial in hashMul over the block's
// bytes, modulo 2^64. hashOut is hashMul^deltaBlock, what the byte leaving
// the window weighs.
const hashMul = 0x100000001b3

var hashOut = func() uint64 {
	x := uint64(1)
	for range deltaBlock {
		x *= hashMul
	}
	return x
}()

func blockHash(b []byte) uint64 {
	var h uint64
	for _, c := range b {
		h = h*hashMul + uint64(c)
	}
	return h
}

// rollHash moves the window of h one byte on: out leaves, in enters.
func rollHash(h uint64, out, in byte) uint64 {
	return h*hashMul + uint64(in) - uint64(out)*hashOut
}

func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i+8 <= n && binary.LittleEndian.Uint64(a[i:]) == binary.LittleEndian.Uint64(b[i:]) {
		i += 8
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

func commonSuffix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i+8 <= n && binary.LittleEndian.Uint64(a[len(a)-i-8:]) == binary.LittleEndian.Uint64(b[len(b)-i-8:]) {
		i += 8
	}
	for i < n && a[len(a)-1-i] == b[len(b)-1-i] {
		i++
	}
	return i
}

func appendInsert(d, lit []byte) []byte {
	if len(lit) == 0 {
		return d
	}
	d = binary.AppendUvarint(d, uint64(len(lit))<<1)
	return append(d, lit...)
}

func appendCopy(d []byte, off, n int) []byte {
	if n == 0 {
		return d
	}
	d = binary.AppendUvarint(d, uint64(n)<<1|1)
	return binary.AppendUvarint(d, uint64(off))
}

var errBadDelta = errors.New("corrupt delta")

// applyDelta appends to dst the text that delta makes of base, which must
// come to size bytes; it fails on a delta that reaches outside base or
// makes another size.
func applyDelta(dst, base, delta []byte, size int) ([]byte, error) {
	start := len(dst)
	for len(delta) > 0 {
		x, k := binary.Uvarint(delta)
		if k <= 0 {
			return nil, errBadDelta
		}
		delta = delta[k:]
		n := x >> 1
		if n > uint64(size-(len(dst)-start)) {
			return nil, fmt.Errorf("%w: instruction of %d bytes past the text's size %d", errBadDelta, n, size)
		}
		if x&1 == 0 {
			if n > uint64(len(delta)) {
				return nil, fmt.Errorf("%w: insert of %d bytes past its end", errBadDelta, n)
			}
			dst = append(dst, delta[:n]...)
			delta = delta[n:]
			continue
		}
		off, k := binary.Uvarint(delta)
		if k <= 0 {
			return nil, errBadDelta
		}
		delta = delta[k:]
		if off > uint64(len(base)) || n > uint64(len(base))-off {
			return nil, fmt.Errorf("%w: copy of %d bytes at %d from a base of %d", errBadDelta, n, off, len(base))
		}
		dst = append(dst, base[off:off+n]...)
	}
	if len(dst)-start != size {
		return nil, fmt.Errorf("%w: it makes %d bytes, not %d", errBadDelta, len(dst)-start, size)
	}
	return dst, nil
}
