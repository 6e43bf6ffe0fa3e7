package features_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/features"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp/lsptest"
	"github.com/prefect-lsp/prefect-lsp/internal/pyflow"
)

// End-to-end tests of the editor features with every rule, through a real
// server over a pipe.

const e2eFlow = `from prefect import flow


@flow
def etl(day: int = 1):
    """Load the day's orders."""
`

func e2eClient(t *testing.T, files map[string]string) *lsptest.Client {
	t.Helper()
	all := map[string]string{
		"flows/etl.py":   e2eFlow,
		"pyproject.toml": "[project]\nname = \"etl\"\n\n[tool.prefect-lsp.work-pools]\nk8s = \"kubernetes\"\n",
	}
	for k, v := range files {
		all[k] = v
	}
	return lsptest.New(t, lsptest.Setup{
		Files: all,
		Options: lsp.Options{
			Features:  features.All(),
			Rules:     rules.All(),
			EnvValues: map[string]any{rules.FlowProjectKey: pyflow.NewProject()},
		},
	})
}

func findAction(actions []lsptest.CodeAction, prefix string) (lsptest.CodeAction, bool) {
	for _, a := range actions {
		if strings.HasPrefix(a.Title, prefix) {
			return a, true
		}
	}
	return lsptest.CodeAction{}, false
}

func diagnostic(ds []lsptest.Diagnostic, code string) (lsptest.Diagnostic, bool) {
	for _, d := range ds {
		if d.Code == code {
			return d, true
		}
	}
	return lsptest.Diagnostic{}, false
}

func titles(actions []lsptest.CodeAction) []string {
	var out []string
	for _, a := range actions {
		out = append(out, a.Title)
	}
	return out
}

const k8sYAML = `deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
    work_pool:
      name: k8s
      job_variables:
        namespace: data
`

func TestWorkPoolHoverEndToEnd(t *testing.T) {
	c := e2eClient(t, nil)
	c.Open("prefect.yaml", k8sYAML)
	c.WaitDiagnostics("prefect.yaml", 1)
	l, ch := lsptest.Pos(k8sYAML, "k8s", 1)
	h := c.Hover("prefect.yaml", l, ch)
	for _, want := range []string{"Work pool `k8s`", "type `kubernetes`", "pyproject.toml work-pools", "**Through the guide**", "\n1. ", "Needs a worker: yes"} {
		if !strings.Contains(h, want) {
			t.Errorf("work_pool hover lacks %q:\n%s", want, h)
		}
	}
	l, ch = lsptest.Pos(k8sYAML, "namespace", 2)
	if h := c.Hover("prefect.yaml", l, ch); !strings.Contains(h, "Job variable `namespace`") || !strings.Contains(h, "`kubernetes` pools") {
		t.Errorf("job variable hover:\n%s", h)
	}
}

func TestServeActionEndToEnd(t *testing.T) {
	text := `deployments:
  - name: nightly etl
    entrypoint: flows/etl.py:etl
    tags: [etl, "prod's"]
    parameters:
      day: 3
    schedules:
      - cron: "0 2 * * *"
        timezone: Europe/Paris
`
	c := e2eClient(t, nil)
	c.Open("prefect.yaml", text)
	d, ok := diagnostic(c.WaitDiagnostics("prefect.yaml", 1), "missing-work-pool")
	if !ok {
		t.Fatal("no missing-work-pool diagnostic")
	}
	actions := c.CodeActions("prefect.yaml", d.Range.Start.Line, d.Range.Start.Character)
	a, ok := findAction(actions, "Run this flow with flow.serve instead")
	if !ok {
		t.Fatalf("no serve action in %q", titles(actions))
	}
	if len(a.CreatedFiles) != 1 {
		t.Fatalf("created files: %v", a.CreatedFiles)
	}
	var path, content string
	for p, c := range a.CreatedFiles {
		path, content = p, c
	}
	if filepath.Dir(path) != c.Dir() || !strings.HasPrefix(filepath.Base(path), "serve_") || !strings.HasSuffix(path, ".py") {
		t.Errorf("created %s", path)
	}
	for _, want := range []string{"etl", ".serve(", "nightly etl", "0 2 * * *", "Europe/Paris"} {
		if !strings.Contains(content, want) {
			t.Errorf("serve script lacks %q:\n%s", want, content)
		}
	}
	if _, ok := findAction(actions, "Add a work pool"); !ok {
		t.Errorf("no add-work-pool action in %q", titles(actions))
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is required on CI")
		}
		t.Skip("python3 not found")
	}
	out := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(out, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(py, "-m", "py_compile", out).CombinedOutput(); err != nil {
		t.Fatalf("py_compile: %v\n%s\n%s", err, b, content)
	}
}

func TestCodeUnreachableFixesEndToEnd(t *testing.T) {
	c := e2eClient(t, nil)
	c.Open("prefect.yaml", k8sYAML)
	path := c.Path("prefect.yaml")
	version := 1
	for i, prefix := range []string{"Add a git_clone pull step", "Add docker build and push steps"} {
		if i > 0 {
			c.Change("prefect.yaml", version, k8sYAML)
		}
		ds := c.WaitDiagnostics("prefect.yaml", version)
		d, ok := diagnostic(ds, "code-unreachable")
		if !ok {
			t.Fatalf("no code-unreachable in %v", lsptest.Codes(ds))
		}
		actions := c.CodeActions("prefect.yaml", d.Range.Start.Line, d.Range.Start.Character)
		a, ok := findAction(actions, prefix)
		if !ok {
			t.Fatalf("no %q in %q", prefix, titles(actions))
		}
		fixed := lsptest.ApplyEdits(k8sYAML, a.Edits[path])
		version++
		c.Change("prefect.yaml", version, fixed)
		after := lsptest.Codes(c.WaitDiagnostics("prefect.yaml", version))
		if slices.Contains(after, "code-unreachable") || slices.Contains(after, "unknown-step-output") || slices.Contains(after, "yaml-syntax") {
			t.Errorf("%s: still %v after the fix:\n%s", prefix, after, fixed)
		}
		version++
	}
}

const stepIDsE2E = `build:
  - prefect_docker.deployments.steps.build_docker_image:
      id: build-image
      requires: prefect-docker>=0.3.1
      image_name: org/etl
      tag: latest
push:
  - prefect_docker.deployments.steps.push_docker_image:
      requires: prefect-docker>=0.3.1
      image_name: "{{ build-image.image_name }}"
      tag: "{{ build-image.tag }}"
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
    work_pool:
      name: k8s
      job_variables:
        image: "{{ build-image.image }}"
`

func TestStepIDNavigationEndToEnd(t *testing.T) {
	c := e2eClient(t, nil)
	c.Open("prefect.yaml", stepIDsE2E)
	if codes := lsptest.Codes(c.WaitDiagnostics("prefect.yaml", 1)); slices.Contains(codes, "unknown-step-output") {
		t.Fatalf("codes %v", codes)
	}
	l, ch := lsptest.Pos(stepIDsE2E, "{{ build-image.image }}", 5)
	defs := c.Definition("prefect.yaml", l, ch)
	dl, dc := lsptest.Pos(stepIDsE2E, "id: build-image", 4)
	if len(defs) != 1 || defs[0].Range.Start.Line != dl || defs[0].Range.Start.Character != dc || defs[0].Path != c.Path("prefect.yaml") {
		t.Fatalf("definition %+v, want %d:%d", defs, dl, dc)
	}
	refs := c.References("prefect.yaml", dl, dc+1, true)
	if len(refs) != 4 {
		t.Fatalf("references %+v", refs)
	}
	// Rename from a use: the id and every placeholder change.
	edits, err := c.RenameErr("prefect.yaml", l, ch, "build_image")
	if err != nil {
		t.Fatal(err)
	}
	if edits == nil {
		t.Fatal("rename of a step id returned no edits")
	}
	renamed := lsptest.ApplyEdits(stepIDsE2E, edits[c.Path("prefect.yaml")])
	if strings.Contains(renamed, "build-image") || strings.Count(renamed, "build_image") != 4 {
		t.Fatalf("renamed:\n%s", renamed)
	}
	// The renamed file must still resolve every placeholder. (The server
	// does not republish an unchanged, here empty, set, so analyse it
	// directly.)
	res := analysis.Run(context.Background(), analysis.Input{Path: c.Path("prefect.yaml"), Text: renamed, Config: &config.Config{Root: c.Dir()}}, rules.All())
	for _, d := range res.Diagnostics {
		if d.RuleID == "unknown-step-output" {
			t.Errorf("after rename: %s", d.Message)
		}
	}
}

func TestCompletionEndToEnd(t *testing.T) {
	text := strings.Replace(stepIDsE2E, `image: "{{ build-image.image }}"`, `image: "{{ build-image. }}"`, 1) + "pull:\n  - git\n"
	c := e2eClient(t, nil)
	c.Open("prefect.yaml", text)
	c.WaitDiagnostics("prefect.yaml", 1)

	// Inside {{ }}: the build step's outputs.
	l, ch := lsptest.Pos(text, "{{ build-image. }}", len("{{ build-image."))
	items := c.Completion("prefect.yaml", l, ch)
	var got *lsptest.CompletionItem
	for i := range items {
		if items[i].Label == "build-image.image" {
			got = &items[i]
		}
	}
	if got == nil || got.Edit == nil {
		t.Fatalf("no build-image.image in %d items", len(items))
	}
	done := lsptest.ApplyEdits(text, []lsptest.TextEdit{*got.Edit})
	if !strings.Contains(done, `image: "{{ build-image.image }}"`) {
		t.Errorf("applied:\n%s", done)
	}

	// A step name on a pull item: fully qualified, with snippet arguments.
	l, ch = lsptest.Pos(text, "  - git\n", len("  - git"))
	items = c.Completion("prefect.yaml", l, ch)
	found := false
	for _, it := range items {
		if it.Label == "prefect.deployments.steps.git_clone" {
			found = true
			if !it.Snippet || it.Detail != "prefect" || !strings.Contains(it.InsertText, "repository: ${") || it.Edit == nil {
				t.Errorf("git_clone item %+v", it)
			}
		}
	}
	if !found {
		t.Errorf("no git_clone among %d items", len(items))
	}

	// A job variable key of the kubernetes pool.
	text2 := k8sYAML + "        service_acc"
	c.Change("prefect.yaml", 2, text2)
	c.WaitDiagnostics("prefect.yaml", 2)
	l, ch = lsptest.Pos(text2, "service_acc", len("service_acc"))
	found = false
	for _, it := range c.Completion("prefect.yaml", l, ch) {
		if it.Label == "service_account_name" {
			found = true
		}
		if it.Label == "namespace" {
			t.Errorf("namespace offered again")
		}
	}
	if !found {
		t.Errorf("no service_account_name")
	}
}

func TestSemanticTokensEndToEnd(t *testing.T) {
	c := e2eClient(t, nil)
	if !strings.Contains(string(c.Capabilities), `"semanticTokensProvider"`) {
		t.Fatalf("no semanticTokensProvider in %s", c.Capabilities)
	}
	text := "build:\n  - prefect_docker.deployments.steps.build_docker_image:\n      id: build-image\n      image_name: repo/etl\n      tag: latest\ndeployments:\n  - name: etl\n    entrypoint: flows/etl.py:etl\n    work_pool:\n      name: k8s\n      job_variables:\n        image: \"{{ build-image.image }}\"\n        env:\n          TOKEN: \"x-{{ $TOKEN }}\"\n    triggers:\n      - expect: [a.b]\n        parameters:\n          day: \"{{ event.occurred }}\"\n"
	c.Open("prefect.yaml", text)
	c.WaitDiagnostics("prefect.yaml", 1)
	var res struct {
		Data []uint32 `json:"data"`
	}
	if err := c.Call("textDocument/semanticTokens/full", map[string]any{"textDocument": map[string]any{"uri": c.URI("prefect.yaml")}}, &res); err != nil {
		t.Fatal(err)
	}
	var init struct {
		Capabilities struct {
			SemanticTokensProvider struct {
				Legend struct {
					TokenTypes []string `json:"tokenTypes"`
				} `json:"legend"`
			} `json:"semanticTokensProvider"`
		} `json:"capabilities"`
	}
	if err := json.Unmarshal(c.Capabilities, &init); err != nil {
		t.Fatal(err)
	}
	types := init.Capabilities.SemanticTokensProvider.Legend.TokenTypes
	lines := strings.Split(text, "\n")
	var got []string
	line, char := 0, 0
	for i := 0; i+4 < len(res.Data); i += 5 {
		if res.Data[i] > 0 {
			char = 0
		}
		line += int(res.Data[i])
		char += int(res.Data[i+1])
		got = append(got, types[res.Data[i+3]]+" "+lines[line][char:char+int(res.Data[i+2])])
	}
	want := []string{
		"operator {{", "variable build-image", "property .image", "operator }}",
		"operator {{", "macro $TOKEN", "operator }}",
	}
	if !slices.Equal(got, want) {
		t.Errorf("tokens %q, want %q (the trigger's Jinja template is not Prefect's)", got, want)
	}
}
