package lsptest_test

import (
	"encoding/json"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp/lsptest"
)

const flawed = `definitions:
  pool: &pool
    name: k8s
deployments:
  - name: etl
    entrypoint: flows/etl.py:main
    work_pool: *pool
    parameters:
      country: no
`

func TestRoundTrip(t *testing.T) {
	c := lsptest.New(t, lsptest.Setup{
		Files:   map[string]string{"flows/etl.py": "x = 1\n"},
		Options: lsp.Options{Explain: func(path, text string, _ *config.Config, _ []config.Problem) string { return "explained " + text[:5] }},
	})
	c.Open("prefect.yaml", flawed)
	ds := c.WaitDiagnostics("prefect.yaml", 1)
	if got := lsptest.Codes(ds); len(got) != 1 || got[0] != "yaml11-scalar" {
		t.Fatalf("codes = %v", got)
	}
	if l, ch := lsptest.Pos(flawed, "no\n", 0); ds[0].Range.Start != (lsptest.Position{Line: l, Character: ch}) || ds[0].Severity == 0 || ds[0].Message == "" {
		t.Fatalf("diagnostic = %+v", ds[0])
	}

	// Apply the preferred quick fix; the diagnostic goes away.
	l, ch := lsptest.Pos(flawed, "no\n", 1)
	var fix *lsptest.CodeAction
	for _, a := range c.CodeActions("prefect.yaml", l, ch) {
		if a.Kind == "quickfix" && a.Preferred {
			fix = &a
		}
	}
	if fix == nil {
		t.Fatal("no preferred quick fix")
	}
	fixed := lsptest.ApplyEdits(flawed, fix.Edits[c.Path("prefect.yaml")])
	if !strings.Contains(fixed, `country: "no"`) {
		t.Fatalf("fixed:\n%s", fixed)
	}
	c.Change("prefect.yaml", 2, fixed)
	if ds := c.WaitDiagnostics("prefect.yaml", 2); len(ds) != 0 {
		t.Fatalf("after the fix: %v", lsptest.Codes(ds))
	}

	// Hover, completion and anchor navigation.
	el, ec := lsptest.Pos(fixed, "entrypoint", 2)
	if h := c.Hover("prefect.yaml", el, ec); !strings.Contains(h, "entrypoint") {
		t.Errorf("hover = %q", h)
	}
	if c.Hover("prefect.yaml", 0, 0) == c.Hover("prefect.yaml", el, ec) {
		t.Error("hovers on different keys are equal")
	}
	wl, wc := lsptest.Pos(fixed, "    work_pool", 4)
	items := c.Completion("prefect.yaml", wl, wc)
	labels := map[string]bool{}
	for _, it := range items {
		labels[it.Label] = true
	}
	if !labels["schedules"] || labels["entrypoint"] {
		t.Errorf("completion labels = %v", labels)
	}
	al, ac := lsptest.Pos(fixed, "*pool", 2)
	def := c.Definition("prefect.yaml", al, ac)
	if dl, dc := lsptest.Pos(fixed, "&pool", 0); len(def) != 1 || def[0].Path != c.Path("prefect.yaml") || def[0].Range.Start != (lsptest.Position{Line: dl, Character: dc}) {
		t.Fatalf("definition = %+v", def)
	}
	rl, rc := lsptest.Pos(fixed, "&pool", 2)
	if refs := c.References("prefect.yaml", rl, rc, true); len(refs) != 2 {
		t.Errorf("references = %+v", refs)
	}
	edits := c.Rename("prefect.yaml", al, ac, "k8s")
	if renamed := lsptest.ApplyEdits(fixed, edits[c.Path("prefect.yaml")]); !strings.Contains(renamed, "&k8s") || !strings.Contains(renamed, "*k8s") {
		t.Errorf("renamed:\n%s", renamed)
	}
	if _, err := c.RenameErr("prefect.yaml", al, ac, "bad name"); err == nil {
		t.Error("invalid rename accepted")
	}
	if hints := c.InlayHints("prefect.yaml"); len(hints) != 0 {
		t.Errorf("inlay hints without features: %+v", hints)
	}

	res, err := c.ExecuteCommand(lsp.CommandExplain, c.URI("prefect.yaml"))
	var s string
	if err != nil || json.Unmarshal(res, &s) != nil || s != "explained defin" {
		t.Errorf("explain = %s, %v", res, err)
	}
	if _, err := c.ExecuteCommand("no-such-command"); err == nil {
		t.Error("unknown command succeeded")
	}
}

// countingRule counts analysis runs.
type countingRule struct{ n atomic.Int32 }

func (r *countingRule) rule() *analysis.Rule {
	return &analysis.Rule{ID: "test-count", Summary: "counts runs", Run: func(*analysis.Pass) { r.n.Add(1) }}
}

func TestSettingsAndWatchedFiles(t *testing.T) {
	cr := &countingRule{}
	c := lsptest.New(t, lsptest.Setup{
		Settings: map[string]any{"files": []string{"deploy/*.yaml"}},
		Options:  lsp.Options{Rules: []*analysis.Rule{rules.YAML11Scalar, cr.rule()}},
	})
	c.Open("deploy/prod.yaml", "a: no\n")
	if got := lsptest.Codes(c.WaitDiagnostics("deploy/prod.yaml", 1)); len(got) != 1 || got[0] != "yaml11-scalar" {
		t.Fatalf("configured glob: %v", got)
	}
	if _, ok := c.Registrations()["workspace/didChangeWatchedFiles"]; !ok {
		// Registration is sent after initialized; wait for it through a
		// round trip, then check again.
		c.Hover("deploy/prod.yaml", 0, 0)
		if _, ok := c.Registrations()["workspace/didChangeWatchedFiles"]; !ok {
			t.Errorf("registrations = %v", c.Registrations())
		}
	}
	before := c.Publishes("deploy/prod.yaml")
	runs := cr.n.Load()
	c.WriteFile("deploy/etl.py", "x = 2\n") // under the document's root, its folder
	for i := 0; cr.n.Load() == runs; i++ {
		c.Hover("deploy/prod.yaml", 0, 0) // a round trip, so that time passes
		if i > 2000 {
			t.Fatal("a changed .py file did not re-analyse the document")
		}
	}
	// Unchanged diagnostics are not re-sent.
	if after := c.Publishes("deploy/prod.yaml"); after != before {
		t.Errorf("publishes %d -> %d", before, after)
	}
}
