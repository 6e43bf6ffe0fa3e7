package source

import (
	"math/rand"
	"strings"
	"testing"
)

// TestCommonPrefixSuffix holds the block-wise comparisons to the byte-wise
// definition, at every length around the block size.
func TestCommonPrefixSuffix(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for trial := 0; trial < 2000; trial++ {
		base := strings.Repeat("ab\n", rng.Intn(400))
		a, b := base, base
		if len(base) > 0 && rng.Intn(4) > 0 {
			at := rng.Intn(len(base) + 1)
			b = base[:at] + strings.Repeat("x", rng.Intn(3)) + base[min(len(base), at+rng.Intn(3)):]
		}
		p := 0
		for p < len(a) && p < len(b) && a[p] == b[p] {
			p++
		}
		if got := commonPrefix(a, b); got != p {
			t.Fatalf("commonPrefix(%d, %d bytes) = %d, want %d", len(a), len(b), got, p)
		}
		s := 0
		for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
			s++
		}
		if got := commonSuffix(a[p:], b[p:]); got != s {
			t.Fatalf("commonSuffix = %d, want %d", got, s)
		}
	}
}
