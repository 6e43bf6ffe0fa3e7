package features_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
	"github.com/prefect-lsp/prefect-lsp/internal/features"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp/lsptest"
	"github.com/prefect-lsp/prefect-lsp/internal/pyflow"
)

const deployPy = `from prefect import flow


@flow
def etl(table: str = "orders"):
    pass


if __name__ == "__main__":
    etl.deploy(name="nightly", work_pool_name="k8s", job_variables={"namespce": "data"}, parameters={"tabel": "x"})
`

const plainPy = `import os


class App:
    def deploy(self, **kw):
        pass


App().deploy(name="x", work_pool_name="k8s")
`

func newPythonClient(t *testing.T, settings map[string]any) *lsptest.Client {
	return lsptest.New(t, lsptest.Setup{
		Files: map[string]string{"pyproject.toml": "[tool.prefect-lsp.work-pools]\nk8s = \"kubernetes\"\n"},
		Options: lsp.Options{
			Features:  features.All(),
			EnvValues: map[string]any{rules.FlowProjectKey: pyflow.NewProject()},
			Rules:     rules.All(),
		},
		Settings: settings,
	})
}

func TestPythonDeploymentsEndToEnd(t *testing.T) {
	c := newPythonClient(t, nil)
	c.Open("deploy.py", deployPy)
	ds := c.WaitDiagnostics("deploy.py", 1)
	got := lsptest.Codes(ds)
	slices.Sort(got)
	if want := []string{"code-unreachable", "unknown-job-variable", "unknown-parameter"}; !slices.Equal(got, want) {
		t.Fatalf("codes %v, want %v", got, want)
	}
	for _, d := range ds {
		if d.Code == "unknown-job-variable" {
			l, ch := lsptest.Pos(deployPy, `"namespce"`, 0)
			if d.Range.Start.Line != l || d.Range.Start.Character != ch || d.Range.End.Character != ch+len(`"namespce"`) {
				t.Errorf("unknown-job-variable at %+v, want the key at %d:%d", d.Range, l, ch)
			}
		}
	}

	// Hover on .deploy: the decision guide; elsewhere nothing.
	l, ch := lsptest.Pos(deployPy, ".deploy(", 2)
	if h := c.Hover("deploy.py", l, ch); !strings.Contains(h, "How deployment `nightly` runs") || !strings.Contains(h, "type `kubernetes`") {
		t.Errorf("hover on deploy: %q", h)
	}
	for _, needle := range []string{"def etl", "namespce", "__main__"} {
		l, ch := lsptest.Pos(deployPy, needle, 1)
		if h := c.Hover("deploy.py", l, ch); h != "" {
			t.Errorf("hover at %q: %q", needle, h)
		}
	}
	// No completion, symbols or inlay hints in Python.
	if items := c.Completion("deploy.py", l, ch); len(items) != 0 {
		t.Errorf("completion in Python: %v", items)
	}
	if hints := c.InlayHints("deploy.py"); len(hints) != 0 {
		t.Errorf("inlay hints in Python: %v", hints)
	}

	// The rename quick fix applies and the finding goes.
	l, ch = lsptest.Pos(deployPy, `"namespce"`, 2)
	var fixed string
	for _, a := range c.CodeActions("deploy.py", l, ch) {
		if a.Title == `Rename to "namespace"` {
			fixed = lsptest.ApplyEdits(deployPy, a.Edits[c.Path("deploy.py")])
		}
	}
	if !strings.Contains(fixed, `{"namespace": "data"}`) {
		t.Fatalf("rename fix not offered or wrong: %q", fixed)
	}
	// Moving the deployment to prefect.yaml is offered on the call.
	l, ch = lsptest.Pos(deployPy, ".deploy(", 2)
	moved := false
	for _, a := range c.CodeActions("deploy.py", l, ch) {
		if strings.Contains(a.Title, "prefect.yaml") && strings.Contains(a.CreatedFiles[c.Path("prefect.yaml")], "nightly") {
			moved = true
		}
	}
	if !moved {
		t.Errorf("no action writes the deployment to a new prefect.yaml: %+v", c.CodeActions("deploy.py", l, ch))
	}
	c.Change("deploy.py", 2, fixed)
	if got := lsptest.Codes(c.WaitDiagnostics("deploy.py", 2)); slices.Contains(got, "unknown-job-variable") {
		t.Errorf("after the fix: %v", got)
	}

	// A Python file without prefect gets nothing.
	c.Open("app.py", plainPy)
	if ds := c.WaitDiagnostics("app.py", 1); len(ds) != 0 {
		t.Errorf("diagnostics in a file without prefect: %v", ds)
	}
	l, ch = lsptest.Pos(plainPy, ".deploy(", 2)
	if h := c.Hover("app.py", l, ch); h != "" {
		t.Errorf("hover in a file without prefect: %q", h)
	}
}

func TestPythonSettingOff(t *testing.T) {
	c := newPythonClient(t, map[string]any{"python": map[string]any{"enabled": false}})
	c.Open("deploy.py", deployPy)
	// The settings arrive through workspace/configuration after
	// initialized: wait until the hover on .deploy goes (a condition, with
	// a deadline only against hangs), then the diagnostics must be gone.
	l, ch := lsptest.Pos(deployPy, ".deploy(", 2)
	deadline := time.Now().Add(10 * time.Second)
	for c.Hover("deploy.py", l, ch) != "" {
		if time.Now().After(deadline) {
			t.Fatal("python.enabled=false still hovers")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if c.Publishes("deploy.py") > 0 {
		c.WaitDiagnosticsFunc("deploy.py", func(ds []lsptest.Diagnostic) bool { return len(ds) == 0 })
	}
}
