package rules

import (
	"sort"
	"strings"
)

// closest returns the candidates within a small edit distance of name,
// best first. Case, "-" and "_" differences count for little.
func closest(name string, candidates []string) []string {
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
		d := levenshtein(n, cn)
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

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
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
			// Transposition (Damerau).
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prevPrev(prev, j)+1)
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// prevPrev approximates the i-2 row for transpositions with the previous
// row's diagonal, which is exact enough for suggestion ranking.
func prevPrev(prev []int, j int) int { return prev[j-2] }

// quoteList renders names as "a", "b" or "c".
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = `"` + n + `"`
	}
	switch len(q) {
	case 0:
		return ""
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
