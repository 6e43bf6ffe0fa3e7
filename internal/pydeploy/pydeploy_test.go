package pydeploy

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

const sample = `from prefect import flow, serve


@flow
def etl(date: str):
    pass


def helper():
    server.serve()


if __name__ == "__main__":
    d = etl.to_deployment(name="nightly", cron="0 0 * * *", parameters={"date": "x"})
    serve(d, etl.to_deployment(name="hourly"))
    etl.deploy(name="k", work_pool_name="k8s", image="ghcr.io/acme/etl:1", job_variables={"namespace": "data"}, parameters={"date": "x"})
`

func TestImportsPrefect(t *testing.T) {
	for text, want := range map[string]bool{
		"import prefect\n":                      true,
		"from prefect import flow\n":            true,
		"from prefect.deployments import run\n": true,
		"import prefect.flows as pf\n":          true,
		"# import prefect\n":                    false,
		"s = 'import prefect'\n":                false,
		"import prefect_aws\n":                  false,
		"from prefectlib import x\n":            false,
		"":                                      false,
	} {
		if got := ImportsPrefect(text); got != want {
			t.Errorf("ImportsPrefect(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestDeployments(t *testing.T) {
	ds := Deployments("/p/flows.py", sample)
	var got []string
	for _, d := range ds {
		got = append(got, d.Name()+":"+string(d.Mode)+":"+sample[d.NameSpan.Start:d.NameSpan.End])
	}
	want := "nightly:serve:to_deployment hourly:serve:to_deployment k:deploy:deploy"
	if strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", strings.Join(got, " "), want)
	}
	if v, _ := ds[0].Arg("cron"); !v.Known || v.V != "0 0 * * *" || sample[v.Span.Start:v.Span.End] != `"0 0 * * *"` {
		t.Errorf("cron argument: %+v", v)
	}
	if ds[0].Flow == nil || ds[0].Flow.Name != "etl" {
		t.Errorf("flow not resolved: %+v", ds[0].Flow)
	}
}

func TestValues(t *testing.T) {
	for text, want := range map[string]string{
		`"a" 'b'`:                   "ab",
		`-3`:                        "-3",
		`[1, 2.5, None, True]`:      "[1 2.5 <nil> true]",
		`{"a": {"b": [1]}}`:         "map[a:map[b:[1]]]",
		`(1,)`:                      "[1]",
		`f"x{y}"`:                   "unknown",
		`a + 1`:                     "unknown",
		`{k: 1}`:                    "unknown",
		`timedelta(hours=1)`:        "3600",
		`datetime.timedelta(1, 30)`: "86430",
		`os.environ["X"]`:           "unknown",
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`: "unknown",
	} {
		v := parseValue(text, 0)
		got := "unknown"
		if v.Known {
			if s, ok := seconds(v.V); ok {
				got = strings.TrimSuffix(strings.TrimSuffix(formatFloat(s), ".0"), ".00")
			} else {
				got = sprint(v.V)
			}
		}
		if got != want {
			t.Errorf("parseValue(%s) = %s, want %s", text, got, want)
		}
	}
}

func TestSuppression(t *testing.T) {
	text := `from prefect import flow


@flow
def etl():
    pass


etl.deploy(name="a", work_pool_name="p")  # prefect-lsp: ignore[code-unreachable]
# prefect-lsp: ignore[code-unreachable]
etl.deploy(name="b", work_pool_name="p")
etl.deploy(name="c", work_pool_name="p")  # prefect-lsp: ignore[other-rule]
s = "# prefect-lsp: ignore-file"
`
	res := Analyze(context.Background(), analysis.Input{Path: "/nowhere/flows.py", Text: text, Config: &config.Config{}})
	if len(res.Diagnostics) != 1 || !strings.Contains(text[res.Diagnostics[0].Span.Start:], `deploy(name="c"`) {
		t.Fatalf("want one diagnostic on deployment c, got %+v", res.Diagnostics)
	}
	cfg := &config.Config{Rules: map[string]string{"code-unreachable": "off"}}
	if res := Analyze(context.Background(), analysis.Input{Path: "/nowhere/flows.py", Text: text, Config: cfg}); len(res.Diagnostics) != 0 {
		t.Errorf("rule turned off, got %+v", res.Diagnostics)
	}
	cfg = &config.Config{Rules: map[string]string{"code-unreachable": "error"}}
	if res := Analyze(context.Background(), analysis.Input{Path: "/nowhere/flows.py", Text: text, Config: cfg}); len(res.Diagnostics) != 1 || res.Diagnostics[0].Severity != analysis.Error {
		t.Errorf("severity from config not applied: %+v", res.Diagnostics)
	}
}

func TestAnalyzeCancelledAndNoPrefect(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if res := Analyze(ctx, analysis.Input{Path: "/x/f.py", Text: sample, Config: &config.Config{}}); res != nil {
		t.Errorf("cancelled analysis returned %+v", res)
	}
	res := Analyze(context.Background(), analysis.Input{Path: "/x/f.py", Text: "etl.deploy(name='x')\n", Config: &config.Config{}})
	if res == nil || res.Src == nil || len(res.Diagnostics) != 0 {
		t.Errorf("file without prefect import: %+v", res)
	}
}

func TestHoverAt(t *testing.T) {
	cfg := &config.Config{WorkPools: map[string]string{"k8s": "kubernetes"}}
	in := analysis.Input{Path: "/p/flows.py", Text: sample, Config: cfg}
	at := func(s string) int { return strings.Index(sample, s) + 1 }
	md, span, ok := HoverAt(context.Background(), in, at("deploy(name=\"k\""))
	if !ok || sample[span.Start:span.End] != "deploy" || !strings.Contains(md, "type `kubernetes`") {
		t.Errorf("deploy hover: ok=%v span=%q\n%s", ok, sample[span.Start:span.End], md)
	}
	md, span, ok = HoverAt(context.Background(), in, at("serve(d,"))
	if !ok || sample[span.Start:span.End] != "serve" || strings.Count(md, "Served deployment") != 2 {
		t.Errorf("serve(d1, d2) hover: ok=%v\n%s", ok, md)
	}
	for _, s := range []string{"etl(date", "server.serve", "import flow", "name=\"k\""} {
		off := at(s) + 2
		if _, _, ok := HoverAt(context.Background(), in, off); ok {
			t.Errorf("hover at %q: want none", s)
		}
	}
}

func TestActionsWriteYAML(t *testing.T) {
	root := t.TempDir()
	py := filepath.Join(root, "flows", "etl.py")
	cfg := &config.Config{Root: root}
	in := analysis.Input{Path: py, Text: sample, Config: cfg}
	off := strings.Index(sample, "etl.deploy")
	fixes := Actions(context.Background(), in, source.Span{Start: off + 5, End: off + 5})
	if len(fixes) != 1 {
		t.Fatalf("want one action, got %+v", fixes)
	}
	fe := fixes[0].Files[0]
	want := `deployments:
- name: "k"
  entrypoint: "flows/etl.py:etl"
  parameters: {"date":"x"}
  work_pool:
    name: "k8s"
    job_variables:
      "namespace": "data"
      image: "{{ build-image.image }}"
  build:
  - prefect_docker.deployments.steps.build_docker_image:
      id: build-image
`
	if !fe.Create || fe.Path != filepath.Join(root, "prefect.yaml") || !strings.Contains(fe.Content, want) {
		t.Fatalf("created file:\n%s", fe.Content)
	}
	// An existing prefect.yaml gets the entry at the end of its list.
	existing := "name: p\ndeployments:\n  - name: old\n    entrypoint: a.py:a\n\npull: []\n"
	if err := os.WriteFile(filepath.Join(root, "prefect.yaml"), []byte(existing), 0o644); err != nil {
		t.Fatal(err)
	}
	fixes = Actions(context.Background(), in, source.Span{Start: off, End: off})
	got, err := source.Apply(existing, fixes[0].Files[0].Edits)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, "name: p\ndeployments:\n  - name: old\n    entrypoint: a.py:a\n  - name: \"k\"\n    entrypoint: \"flows/etl.py:etl\"\n") || !strings.HasSuffix(got, "\npull: []\n") {
		t.Errorf("appended:\n%s", got)
	}
	// Nothing for a serve() call.
	soff := strings.Index(sample, "serve(d")
	if fx := Actions(context.Background(), in, source.Span{Start: soff, End: soff}); len(fx) != 0 {
		t.Errorf("serve call got actions %+v", fx)
	}
}

func TestYAMLActionsDeployScript(t *testing.T) {
	text := `deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
    schedules:
      - cron: "0 0 * * *"
    parameters: {date: "2024-01-01"}
    work_pool:
      name: k8s
      job_variables:
        namespace: data
    build:
      - prefect_docker.deployments.steps.build_docker_image:
          id: build-image
          image_name: ghcr.io/acme/etl
          tag: "1"
    push:
      - prefect_docker.deployments.steps.push_docker_image:
          image_name: "{{ build-image.image_name }}"
  - name: git
    entrypoint: etl.py:etl
    work_pool: {name: k8s}
    pull:
      - prefect.deployments.steps.git_clone:
          repository: https://github.com/acme/flows.git
`
	in := analysis.Input{Path: "/proj/prefect.yaml", Text: text}
	fixes := YAMLActions(context.Background(), in, source.Span{Start: 20, End: 20})
	if len(fixes) != 1 || fixes[0].Files[0].Path != "/proj/deploy_etl.py" {
		t.Fatalf("fixes: %+v", fixes)
	}
	py := fixes[0].Files[0].Content
	for _, want := range []string{"flow_to_deploy.deploy(", `name="etl"`, `cron="0 0 * * *"`, `parameters={"date": "2024-01-01"}`, `work_pool_name="k8s"`, `image="ghcr.io/acme/etl:1"`, `job_variables={"namespace": "data"}`} {
		if !strings.Contains(py, want) {
			t.Errorf("script lacks %s:\n%s", want, py)
		}
	}
	off := strings.Index(text, "name: git")
	fixes = YAMLActions(context.Background(), in, source.Span{Start: off, End: off})
	if len(fixes) != 1 || !strings.Contains(fixes[0].Files[0].Content, `flow.from_source(source="https://github.com/acme/flows.git", entrypoint="etl.py:etl")`) {
		t.Fatalf("git deployment: %+v", fixes)
	}
	// A from_source script is a deployment the Python side reads back.
	gitPy := fixes[0].Files[0].Content
	ds := Deployments("/proj/deploy_git.py", gitPy)
	if len(ds) != 1 || ds[0].Mode != ModeDeploy || ds[0].Name() != "git" || ds[0].FromSource == nil {
		t.Errorf("round trip: %+v\n%s", ds, gitPy)
	}
	if _, err := exec.LookPath("python3"); err == nil {
		for _, f := range []string{py, fixes[0].Files[0].Content} {
			cmd := exec.Command("python3", "-c", "import sys, ast; ast.parse(sys.stdin.read())")
			cmd.Stdin = strings.NewReader(f)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("generated script does not parse: %v\n%s\n%s", err, out, f)
			}
		}
	}
}
