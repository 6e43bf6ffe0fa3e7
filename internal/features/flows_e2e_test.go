package features_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
	"github.com/prefect-lsp/prefect-lsp/internal/features"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp/lsptest"
	"github.com/prefect-lsp/prefect-lsp/internal/pyflow"
)

const etlPy = `from prefect import flow


@flow(name="orders")
def load_orders(day: int, region: str = "eu", dry_run: bool = False):
    """Load the day's orders.

    Args:
        region: Where the shop runs.
    """
`

const deployYAML = `deployments:
  - name: nightly
    entrypoint: flows/etl.py:load_orders
    parameters:
      day: 1
      country: fr
`

func newClient(t *testing.T) *lsptest.Client {
	return lsptest.New(t, lsptest.Setup{
		Files: map[string]string{"flows/etl.py": etlPy, "pyproject.toml": "[project]\nname = \"etl\"\n"},
		Options: lsp.Options{
			Features:  features.All(),
			EnvValues: map[string]any{rules.FlowProjectKey: pyflow.NewProject()},
			Rules:     []*analysis.Rule{rules.UnknownParameter, rules.EntrypointFunctionNotFound},
		},
	})
}

func TestFlowFeaturesEndToEnd(t *testing.T) {
	c := newClient(t)
	c.Open("prefect.yaml", deployYAML)
	if got := lsptest.Codes(c.WaitDiagnostics("prefect.yaml", 1)); !slices.Equal(got, []string{"unknown-parameter"}) {
		t.Fatalf("codes %v", got)
	}
	py := c.Path("flows/etl.py")

	// Hover on the entrypoint: the flow's signature and docstring.
	l, ch := lsptest.Pos(deployYAML, "flows/etl.py", 3)
	if h := c.Hover("prefect.yaml", l, ch); !strings.Contains(h, "def load_orders(day: int") || !strings.Contains(h, "Load the day's orders.") {
		t.Errorf("entrypoint hover:\n%s", h)
	}
	// Definition from the entrypoint to the def, and from a key to its
	// parameter.
	defLine, defChar := lsptest.Pos(etlPy, "load_orders(", 0)
	if locs := c.Definition("prefect.yaml", l, ch); len(locs) != 1 || locs[0].Path != py || locs[0].Range.Start != (lsptest.Position{Line: defLine, Character: defChar}) {
		t.Errorf("entrypoint definition %+v", locs)
	}
	l, ch = lsptest.Pos(deployYAML, "day: 1", 1)
	pl, pc := lsptest.Pos(etlPy, "day: int", 0)
	if locs := c.Definition("prefect.yaml", l, ch); len(locs) != 1 || locs[0].Path != py || locs[0].Range.Start != (lsptest.Position{Line: pl, Character: pc}) {
		t.Errorf("parameter definition %+v", locs)
	}
	if h := c.Hover("prefect.yaml", l, ch); !strings.Contains(h, "day: int") {
		t.Errorf("parameter hover:\n%s", h)
	}

	// Completion of the parameters not yet set, as snippets.
	text := strings.Replace(deployYAML, "      country: fr\n", "      country: fr\n      \n", 1)
	c.Change("prefect.yaml", 2, text)
	l, ch = lsptest.Pos(text, "fr\n      \n", 9)
	items := c.Completion("prefect.yaml", l, ch)
	var names []string
	for _, it := range items {
		if it.Kind == 10 { // Property
			names = append(names, it.Label)
		}
		if it.Label == "region" && (it.InsertText != `region: ${1:"eu"}` || !it.Snippet || it.Detail != `str = "eu"`) {
			t.Errorf("region item %+v", it)
		}
	}
	if !slices.Equal(names, []string{"region", "dry_run"}) {
		t.Errorf("parameter completion %v", names)
	}

	// Completion of entrypoints.
	ep := "deployments:\n  - name: x\n    entrypoint: \n"
	c.Open("other/prefect.yaml", ep)
	c.WaitDiagnostics("other/prefect.yaml", 1)
	// other/ has no config file: its root is other/, which has no flows.
	l, ch = lsptest.Pos(ep, "entrypoint: ", 12)
	if items := c.Completion("other/prefect.yaml", l, ch); len(items) != 0 {
		var ls []string
		for _, it := range items {
			ls = append(ls, it.Label)
		}
		if slices.Contains(ls, "flows/etl.py:load_orders") {
			t.Errorf("entrypoints from outside the project root: %v", ls)
		}
	}
	ep2 := deployYAML + "  - name: y\n    entrypoint: fl\n"
	c.Change("prefect.yaml", 3, ep2)
	l, ch = lsptest.Pos(ep2, "name: y\n    entrypoint: fl", 26)
	var found *lsptest.CompletionItem
	for _, it := range c.Completion("prefect.yaml", l, ch) {
		if it.Label == "flows/etl.py:load_orders" {
			found = &it
		}
	}
	if found == nil || found.Detail != "orders" || !strings.Contains(found.Documentation, "def load_orders") {
		t.Fatalf("entrypoint completion %+v", found)
	}
	if got := lsptest.ApplyEdits(ep2, []lsptest.TextEdit{*found.Edit}); !strings.HasSuffix(got, "entrypoint: flows/etl.py:load_orders\n") {
		t.Errorf("edit %+v at %d:%d applied:\n%s", *found.Edit, l, ch, got)
	}

	// Inlay hints: the defaults nightly leaves unset, after parameters:.
	c.Change("prefect.yaml", 4, deployYAML)
	hints := c.InlayHints("prefect.yaml")
	hl, hc := lsptest.Pos(deployYAML, "parameters:", len("parameters:"))
	if len(hints) != 1 || hints[0].Label != `region="eu", dry_run=False` || hints[0].Line != hl || hints[0].Character != hc {
		t.Errorf("inlay hints %+v", hints)
	}
}

func TestFlowFileChangeReanalyses(t *testing.T) {
	c := newClient(t)
	c.Open("prefect.yaml", deployYAML)
	if got := lsptest.Codes(c.WaitDiagnostics("prefect.yaml", 1)); !slices.Equal(got, []string{"unknown-parameter"}) {
		t.Fatalf("codes %v", got)
	}
	// The flow gains the parameter on disk; the editor's watcher tells the
	// server, which re-analyses the prefect.yaml that uses the flow.
	p := c.Path("flows/etl.py")
	changed := strings.Replace(etlPy, `dry_run: bool = False`, `dry_run: bool = False, country: str = "de"`, 1)
	if err := os.WriteFile(p, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	// A later modification time, whatever the file system's resolution.
	later := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(p, later, later); err != nil {
		t.Fatal(err)
	}
	c.FileChanged(filepath.ToSlash("flows/etl.py"), 2)
	c.WaitDiagnosticsFunc("prefect.yaml", func(ds []lsptest.Diagnostic) bool { return len(ds) == 0 })
	// And the new parameter is known to the editor features too.
	l, ch := lsptest.Pos(deployYAML, "country", 1)
	if h := c.Hover("prefect.yaml", l, ch); !strings.Contains(h, `country: str = "de"`) {
		t.Errorf("hover after the change:\n%s", h)
	}
	// Removing it again brings the diagnostic back.
	if err := os.WriteFile(p, []byte(etlPy), 0o644); err != nil {
		t.Fatal(err)
	}
	later = later.Add(2 * time.Second)
	if err := os.Chtimes(p, later, later); err != nil {
		t.Fatal(err)
	}
	c.FileChanged("flows/etl.py", 2)
	c.WaitDiagnosticsFunc("prefect.yaml", func(ds []lsptest.Diagnostic) bool {
		return slices.Equal(lsptest.Codes(ds), []string{"unknown-parameter"}) && c.Publishes("prefect.yaml") >= 3
	})
}
