package rules

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/pyflow"
)

// TestFlowProjectShared checks that the flow rules use the environment's
// pyflow.Project (so editor overlays count) and create one when absent.
func TestFlowProjectShared(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "pyproject.toml"), []byte("[project]\nname='x'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	yamlPath := filepath.Join(root, "prefect.yaml")
	text := "deployments:\n  - name: etl\n    entrypoint: flows/etl.py:etl\n    parameters:\n      y: 1\n"
	rules := []*analysis.Rule{EntrypointFileNotFound, UnknownParameter}
	run := func(env *analysis.Env) []analysis.Diagnostic {
		res := analysis.Run(context.Background(), analysis.Input{Path: yamlPath, Text: text, Config: &config.Config{Root: root}, Env: env}, rules)
		return res.Diagnostics
	}

	// No Values map: a project is created and stored; the file is missing.
	env := &analysis.Env{}
	diags := run(env)
	if len(diags) != 1 || diags[0].RuleID != "entrypoint-file-not-found" {
		t.Fatalf("without the file: got %+v, want one entrypoint-file-not-found", diags)
	}
	if _, ok := env.Values[FlowProjectKey].(*pyflow.Project); !ok {
		t.Fatalf("FlowProject did not store a *pyflow.Project in Env.Values")
	}
	if FlowProject(env) != env.Values[FlowProjectKey] {
		t.Fatalf("FlowProject did not reuse the stored project")
	}

	// An overlay (an unsaved editor buffer) on the shared project is seen.
	proj := pyflow.NewProject()
	proj.SetOverlay(filepath.Join(root, "flows", "etl.py"), 1, []byte("from prefect import flow\n\n@flow\ndef etl(x: int = 1):\n    pass\n"))
	env = &analysis.Env{Values: map[string]any{FlowProjectKey: proj}}
	diags = run(env)
	if len(diags) != 1 || diags[0].RuleID != "unknown-parameter" {
		t.Fatalf("with an overlay: got %+v, want one unknown-parameter", diags)
	}
}
