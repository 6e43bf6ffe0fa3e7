package rules

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/rules")

// TestDocsUpToDate fails when docs/rules differs from the registry; run
// `go test ./internal/analysis/rules -run TestDocsUpToDate -update-docs`.
func TestDocsUpToDate(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "docs", "rules")
	pages := DocPages()
	if *updateDocs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		old, _ := filepath.Glob(filepath.Join(dir, "*.md"))
		for _, f := range old {
			os.Remove(f)
		}
		for name, text := range pages {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	for name, text := range pages {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != text {
			t.Errorf("docs/rules/%s is stale; run go test ./internal/analysis/rules -run TestDocsUpToDate -update-docs", name)
		}
	}
	existing, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	for _, f := range existing {
		if _, ok := pages[filepath.Base(f)]; !ok {
			t.Errorf("docs/rules/%s belongs to no rule; regenerate the docs", filepath.Base(f))
		}
	}
}
