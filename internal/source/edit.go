package source

import (
	"fmt"
	"sort"
	"strings"
)

// Edit replaces the bytes of Span with NewText. Edits always refer to the
// original text, never to the result of an earlier edit.
type Edit struct {
	Span    Span
	NewText string
}

// Apply applies non-overlapping edits to text. Edits are applied in order of
// position; two insertions at the same offset keep their given order. It
// returns an error when edits overlap or fall outside the text.
func Apply(text string, edits []Edit) (string, error) {
	sorted := make([]Edit, len(edits))
	copy(sorted, edits)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Span.Start != sorted[j].Span.Start {
			return sorted[i].Span.Start < sorted[j].Span.Start
		}
		return sorted[i].Span.End < sorted[j].Span.End
	})
	var b strings.Builder
	last := 0
	for _, e := range sorted {
		if !e.Span.IsValid() || e.Span.End > len(text) {
			return "", fmt.Errorf("edit %d-%d is outside the text of %d bytes", e.Span.Start, e.Span.End, len(text))
		}
		if e.Span.Start < last {
			return "", fmt.Errorf("edit %d-%d overlaps an earlier edit ending at %d", e.Span.Start, e.Span.End, last)
		}
		b.WriteString(text[last:e.Span.Start])
		b.WriteString(e.NewText)
		last = e.Span.End
	}
	b.WriteString(text[last:])
	return b.String(), nil
}

// Overlap reports whether any two edits in the two lists overlap (two
// insertions at the same point count as overlapping, since their order would
// be ambiguous).
func Overlap(a, b []Edit) bool {
	for _, x := range a {
		for _, y := range b {
			if x.Span.Start < y.Span.End && y.Span.Start < x.Span.End {
				return true
			}
			if x.Span.Start == y.Span.Start && (x.Span.Len() == 0 || y.Span.Len() == 0) {
				return true
			}
		}
	}
	return false
}
