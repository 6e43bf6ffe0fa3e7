package features

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

const yamlText = `pull:
  - prefect.deployments.steps.git_clone:
      repository: https://github.com/acme/etl.git
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
    work_pool:
      name: k8s
`

func snapshot(t *testing.T) *lsp.Snapshot {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "flows"), 0o755); err != nil {
		t.Fatal(err)
	}
	py := "from prefect import flow\n\n@flow(name=\"etl-flow\")\ndef etl(day: int = 1):\n    \"\"\"Load the day's orders.\"\"\"\n"
	if err := os.WriteFile(filepath.Join(root, "flows", "etl.py"), []byte(py), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "pyproject.toml"), []byte("[tool.prefect-lsp.work-pools]\nk8s = \"kubernetes\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "prefect.yaml")
	return &lsp.Snapshot{Path: path, Root: root, File: source.NewFile(path, yamlText), Env: &analysis.Env{}}
}

func at(sub string) int { return strings.Index(yamlText, sub) + 1 }

func TestWorkPoolHover(t *testing.T) {
	s := snapshot(t)
	// Before any analysis the hover still reads the project's
	// configuration: pyproject.toml declares k8s as a kubernetes pool.
	h := WorkPool{}.Hover(context.Background(), s, at("k8s"))
	if h == nil || !strings.Contains(h.Markdown, "type `kubernetes` (configuration (pyproject.toml work-pools))") || !strings.Contains(h.Markdown, "Through the guide") {
		t.Fatalf("hover: %+v", h)
	}
	// A pool the configuration does not name: the type is unknown and the
	// hover says how to declare it.
	if err := os.WriteFile(filepath.Join(s.Root, "pyproject.toml"), []byte("[project]\nname = \"x\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if h := (WorkPool{}).Hover(context.Background(), s, at("k8s")); h == nil || !strings.Contains(h.Markdown, "type unknown") {
		t.Fatalf("hover without configuration: %+v", h)
	}
	if got := s.File.Slice(h.Span); got != "k8s" {
		t.Errorf("span %q", got)
	}
	if h := (WorkPool{}).Hover(context.Background(), s, at("entrypoint")); h != nil {
		t.Error("hover outside work_pool")
	}
}

func TestEntrypointHoverAndDefinition(t *testing.T) {
	s := snapshot(t)
	h := Entrypoint{}.Hover(context.Background(), s, at("flows/etl.py"))
	if h == nil || !strings.Contains(h.Markdown, "def etl(day: int = 1)") || !strings.Contains(h.Markdown, "Load the day's orders.") || !strings.Contains(h.Markdown, "etl-flow") {
		t.Fatalf("hover: %+v", h)
	}
	locs := Entrypoint{}.Definition(context.Background(), s, at("flows/etl.py"))
	if len(locs) != 1 || !strings.HasSuffix(locs[0].Path, filepath.Join("flows", "etl.py")) {
		t.Fatalf("definition: %+v", locs)
	}
	data, _ := os.ReadFile(locs[0].Path)
	if got := string(data[locs[0].Span.Start:locs[0].Span.End]); got != "etl" {
		t.Errorf("definition span text %q", got)
	}
}

func TestStepHover(t *testing.T) {
	s := snapshot(t)
	h := Step{}.Hover(context.Background(), s, at("prefect.deployments.steps.git_clone"))
	if h == nil || !strings.Contains(h.Markdown, "`repository`") || !strings.Contains(h.Markdown, "`directory`") {
		t.Fatalf("hover: %+v", h)
	}
}
