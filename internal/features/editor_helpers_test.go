package features

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// snapOf builds a snapshot of text as prefect.yaml in a temporary project
// with extra files.
func snapOf(t *testing.T, text string, files map[string]string) *lsp.Snapshot {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(root, "prefect.yaml")
	return &lsp.Snapshot{Path: path, Root: root, File: source.NewFile(path, text), Env: &analysis.Env{}}
}

// offOf is the offset of the delta-th byte of the n-th (1-based) match of
// needle in text.
func offOf(t *testing.T, text, needle string, n, delta int) int {
	t.Helper()
	base := 0
	for i := 1; ; i++ {
		j := strings.Index(text[base:], needle)
		if j < 0 {
			t.Fatalf("%q occurrence %d not found", needle, n)
		}
		if i == n {
			return base + j + delta
		}
		base += j + len(needle)
	}
}

func labels(items []lsp.CompletionItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Label)
	}
	return out
}

func hasLabel(items []lsp.CompletionItem, label string) (lsp.CompletionItem, bool) {
	for _, it := range items {
		if it.Label == label {
			return it, true
		}
	}
	return lsp.CompletionItem{}, false
}
