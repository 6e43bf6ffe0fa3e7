package features_test

import (
	"strings"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
	"github.com/prefect-lsp/prefect-lsp/internal/benchgen"
	"github.com/prefect-lsp/prefect-lsp/internal/features"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp/lsptest"
)

// BenchmarkRequests times the requests at the cursor that the LSP bench
// times (hover on the middle deployment's entrypoint key, completion of
// a key on its second line), in process, on a realistic file of 1,000
// deployments whose tree is built.
func BenchmarkRequests(b *testing.B) {
	p := benchgen.Generate(benchgen.Realistic, 1000)
	c := lsptest.New(b, lsptest.Setup{Files: p.Files, Options: lsp.Options{Rules: rules.All(), Features: features.All()}})
	text := p.YAML
	c.Open("prefect.yaml", text)
	c.WaitDiagnostics("prefect.yaml", 1)
	mid := 0
	for range strings.Count(text, "\n  - name: ") / 2 {
		mid += strings.Index(text[mid:], "\n  - name: ") + 1
	}
	entry := mid + strings.Index(text[mid:], "\n    entrypoint:") + 1
	line := strings.Count(text[:mid], "\n")
	entryLine := strings.Count(text[:entry], "\n")
	b.Run("hover", func(b *testing.B) {
		for b.Loop() {
			c.Hover("prefect.yaml", entryLine, 6)
		}
	})
	b.Run("completion", func(b *testing.B) {
		for b.Loop() {
			c.Completion("prefect.yaml", line+1, 4)
		}
	})
}
