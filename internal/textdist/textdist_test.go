package textdist

import (
	"strings"
	"testing"
)

func TestDistance(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"tags", "tags", 0},
		{"tgas", "tags", 1},
		{"work_pol", "work_pool", 1},
		{"kitten", "sitting", 3},
		{"é", "e", 1},
		{"日本", "日本語", 1},
		{"ca", "abc", 3},
		{strings.Repeat("a", 300), "a", 300},
	}
	for _, c := range cases {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := Distance(c.b, c.a); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (symmetry)", c.b, c.a, got, c.want)
		}
	}
}
