package rules

import (
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/textdist"
)

// closest returns the candidates within a small edit distance of name,
// best first (textdist.Closest).
func closest(name string, candidates []string) []string {
	return textdist.Closest(name, candidates)
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
