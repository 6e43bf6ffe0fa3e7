package analysis

import (
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

func TestParseSuppressions(t *testing.T) {
	text := "a: 1  # prefect-lsp: ignore[r1, r2]\n# prefect-lsp: ignore[r3]\nb: 2\nc: '# prefect-lsp: ignore'\n"
	f := source.NewFile("p.yaml", text)
	s := ParseSuppressions(f, nil)
	for _, c := range []struct {
		id   string
		line int
		want bool
	}{{"r1", 0, true}, {"r2", 0, true}, {"r3", 0, false}, {"r3", 1, true}, {"r3", 2, true}, {"r1", 2, false}, {"any", 3, true}} {
		if got := s.Suppressed(c.id, c.line); got != c.want {
			t.Errorf("YAML: Suppressed(%s, %d) = %v, want %v", c.id, c.line, got, c.want)
		}
	}
	// Limited to comment spans: the text inside the quoted string is not a comment.
	comments := []source.Span{{Start: 6, End: 35}, {Start: 36, End: 61}}
	s = ParseSuppressions(f, comments)
	if s.Suppressed("any", 3) || !s.Suppressed("r1", 0) || !s.Suppressed("r3", 2) {
		t.Errorf("comment spans not honoured: %+v", s)
	}
	if s := ParseSuppressions(f, []source.Span{}); s.Suppressed("r1", 0) {
		t.Error("no comments, yet suppressed")
	}
}
