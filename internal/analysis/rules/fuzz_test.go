package rules

import (
	"context"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// FuzzAnalyze runs YAML → model → every rule: no rule may panic, every span
// (diagnostics, related information, fix edits) lies inside the text, and
// each fix's edits apply. Seeds: testdata/fuzz/FuzzAnalyze.
func FuzzAnalyze(f *testing.F) {
	f.Add("deployments:\n  - name: a\n    entrypoint: f.py:f\n")
	f.Fuzz(func(t *testing.T, s string) {
		res := analysis.Run(context.Background(), analysis.Input{Path: "/nonexistent/prefect.yaml", Text: s, Config: &config.Config{Root: "/nonexistent"}}, All())
		for _, e := range res.RuleErrors {
			t.Fatalf("rule error: %s", e)
		}
		in := func(sp source.Span) bool { return sp.Start >= 0 && sp.End <= len(s) && sp.Start <= sp.End }
		for _, d := range res.Diagnostics {
			if !in(d.Span) {
				t.Fatalf("%s: span %v outside %d bytes", d.RuleID, d.Span, len(s))
			}
			for _, r := range d.Related {
				if r.Path == "" && !in(r.Span) {
					t.Fatalf("%s: related span %v outside", d.RuleID, r.Span)
				}
			}
			for _, fx := range d.Fixes {
				if _, err := source.Apply(s, fx.Edits); err != nil {
					t.Fatalf("%s: fix %q: %v", d.RuleID, fx.Title, err)
				}
			}
		}
	})
}
