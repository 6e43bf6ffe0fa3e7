package rules

import (
	"context"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// TestOnAllCoresReportsAPanicAsTheRulesError: a panic in a call that runs
// on another goroutine must not end the process; the rule that asked
// reports it like any panic of its own.
func TestOnAllCoresReportsAPanicAsTheRulesError(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	var calls atomic.Int64
	rule := &analysis.Rule{ID: "test-parallel-panic", Summary: "test", Severity: analysis.Warning, Run: func(p *analysis.Pass) {
		onAllCores(p, 1000, func(i int) {
			calls.Add(1)
			if i%7 == 3 {
				panic("flow file exploded")
			}
		})
		p.Report(source.Span{}, "not reached")
	}}
	for range 20 {
		res := analysis.Run(context.Background(), analysis.Input{Path: "/x/prefect.yaml", Text: "deployments: []\n", Config: &config.Config{Root: "/x"}}, []*analysis.Rule{rule})
		if len(res.RuleErrors) != 1 || !strings.Contains(res.RuleErrors[0], "flow file exploded") {
			t.Fatalf("rule errors %q, want the panic", res.RuleErrors)
		}
		if len(res.Diagnostics) != 0 {
			t.Fatalf("the rule went on after the panic: %v", res.Diagnostics)
		}
	}
	if calls.Load() >= 20*1000 {
		t.Errorf("the other workers did not stop after the panic (%d calls)", calls.Load())
	}
}
