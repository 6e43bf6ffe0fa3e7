package rules

import (
	"sort"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/textdist"
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
		d := textdist.Distance(n, cn)
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
