// Package textdist owns the edit distance behind every "did you mean"
// suggestion in prefect-lsp (keys, steps, job variables, time zones, flow
// names, paths): one definition, so that all suggestions rank alike.
package textdist

import (
	"sort"
	"strings"
)

// MaxRunes bounds the work: strings longer than this are compared by length
// only (suggestions are about identifiers, not paragraphs).
const MaxRunes = 256

// Distance is the optimal-string-alignment distance between a and b, on
// runes: insertions, deletions, substitutions and transpositions of two
// adjacent runes each cost 1 ("tgas" is one edit from "tags").
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > MaxRunes || len(rb) > MaxRunes {
		return max(len(ra), len(rb))
	}
	// Rows i-2, i-1 and i of the dynamic-programming table.
	pp := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], pp[j-2]+1)
			}
		}
		pp, prev, cur = prev, cur, pp
	}
	return prev[len(rb)]
}

// Closest returns the candidates within a small edit distance of name,
// best first, at most three. Case, "-" and "_" differences count for little.
func Closest(name string, candidates []string) []string {
	norm := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "-", "_")) }
	n := norm(name)
	type scored struct {
		s string
		d int
	}
	var out []scored
	for _, c := range candidates {
		if c == name {
			continue
		}
		cn := norm(c)
		d := Distance(n, cn)
		limit := 1 + len(n)/4
		if len(n) <= 3 {
			limit = 1
		}
		if d <= limit || (len(n) >= 4 && (strings.Contains(cn, n) || strings.Contains(n, cn))) {
			out = append(out, scored{c, d})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].d != out[j].d {
			return out[i].d < out[j].d
		}
		return out[i].s < out[j].s
	})
	res := make([]string, 0, len(out))
	for _, o := range out {
		res = append(res, o.s)
	}
	if len(res) > 3 {
		res = res[:3]
	}
	return res
}
