package blame

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkAddUnrelated adds a revision that shares no paragraph with the
// one before (a page replaced by another of thousands of one-word
// lines): the token diff is bounded by tokenDiffTimeout, not quadratic.
func BenchmarkAddUnrelated(b *testing.B) {
	for _, n := range []int{2_000, 16_000} {
		var x, y strings.Builder
		for i := range n {
			fmt.Fprintf(&x, "a%d\n", i%10)
			fmt.Fprintf(&y, "b%d\n", i%10)
		}
		b.Run(fmt.Sprint(n, " lines"), func(b *testing.B) {
			for b.Loop() {
				bl := New()
				bl.Add(1, x.String())
				bl.Add(2, y.String())
				if got := len(bl.Lines()); got != n {
					b.Fatalf("%d lines", got)
				}
			}
		})
	}
}
