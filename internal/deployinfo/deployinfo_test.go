package deployinfo

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

func parse(t *testing.T, text string) (*source.File, *prefectyaml.File) {
	t.Helper()
	doc := yamlsyntax.Parse("prefect.yaml", text)
	f := prefectyaml.Parse(doc)
	if len(f.Deployments) == 0 {
		t.Fatalf("no deployments in %q", text)
	}
	return doc.File, f
}

func apply(t *testing.T, text string, edits []source.Edit) string {
	t.Helper()
	if edits == nil {
		t.Fatal("no edits")
	}
	out, err := source.Apply(text, edits)
	if err != nil {
		t.Fatal(err)
	}
	// The result must still be YAML that parses to a model with the same deployments.
	doc := yamlsyntax.Parse("prefect.yaml", out)
	for _, p := range doc.Problems {
		if p.Kind == yamlsyntax.SyntaxError {
			t.Fatalf("edited text does not parse: %s\n%s", p.Message, out)
		}
	}
	return out
}

func TestPoolType(t *testing.T) {
	cfg := &config.Config{Path: "/p/pyproject.toml", WorkPools: map[string]string{"k8s": "kubernetes", "docker": "ecs"}}
	cases := []struct {
		yaml, typ, src string
	}{
		{"deployments:\n- name: a\n  work_pool: {name: k8s}\n", "kubernetes", "configuration (pyproject.toml work-pools)"},
		// A name equal to a type name is not read as the type: the table says ecs.
		{"deployments:\n- name: a\n  work_pool: {name: docker}\n", "ecs", "configuration (pyproject.toml work-pools)"},
		{"deployments:\n- name: a\n  work_pool: {name: kubernetes}\n", "", ""},
		{"deployments:\n- name: a\n  work_pool:\n    name: x\n    job_variables: {task_definition_arn: a, env: {}}\n", "ecs", "inferred from job_variables keys task_definition_arn"},
		{"deployments:\n- name: a\n  work_pool:\n    name: x\n    job_variables: {image: a}\n", "", ""},
		{"deployments:\n- name: a\n", "", ""},
	}
	for _, c := range cases {
		_, f := parse(t, c.yaml)
		typ, src := PoolType(cfg, f.Deployments[0])
		if typ != c.typ || src != c.src {
			t.Errorf("%q: got %q, %q; want %q, %q", c.yaml, typ, src, c.typ, c.src)
		}
	}
	if got := ConfigSource(&config.Config{}); got != "configuration (work-pools setting)" {
		t.Errorf("editor source: %q", got)
	}
}

func TestDescribe(t *testing.T) {
	cfg := &config.Config{Server: config.ServerSelfHosted, WorkPools: map[string]string{"k8s": "kubernetes"}}
	_, f := parse(t, `pull:
- prefect.deployments.steps.set_working_directory:
    directory: /Users/me/flows
deployments:
- name: a
  work_pool: {name: k8s}
  triggers: [{expect: [x]}]
  schedules: [{cron: "0 * * * *"}]
- name: b
  pull: null
  work_pool: {name: k8s}
- name: c
  pull: []
  work_pool: {name: k8s, job_variables: {image: x}}
- name: d
  pull:
  - prefect.deployments.steps.git_clone: {repository: r}
  - prefect.deployments.steps.pip_install_requirements: {}
  work_pool: {name: k8s}
`)
	a := Describe(cfg, f.Deployments[0])
	if a.Type == nil || a.Type.Name != "kubernetes" || !a.Facts.SelfHosted || len(a.LocalDirSteps) != 1 || !a.Facts.LocalWorkingDirectory || !a.Facts.HasTriggers || !a.Facts.HasSchedules || a.PullOmitted {
		t.Errorf("a: %+v", a)
	}
	b := Describe(cfg, f.Deployments[1])
	if b.PullOmitted || b.Pull != f.Pull {
		t.Errorf("b: a null deployment-level pull falls back to the top level: %+v", b)
	}
	c := Describe(cfg, f.Deployments[2])
	if c.PullOmitted || len(c.Pull.Steps) != 0 || !c.OwnImage || c.RemotePull {
		t.Errorf("c: %+v", c)
	}
	d := Describe(cfg, f.Deployments[3])
	if !d.RemotePull || d.CustomPull || strings.Join(d.Facts.PullKinds, ",") != "git" {
		t.Errorf("d: %+v", d)
	}
	rec := Recommend(cfg, f.Deployments[3])
	if rec.PoolType != "kubernetes" || !rec.CodeReachable {
		t.Errorf("recommend: %+v", rec)
	}
	_, f2 := parse(t, "deployments:\n- name: a\n  work_pool: {name: k8s}\n")
	e := Describe(cfg, f2.Deployments[0])
	if !e.PullOmitted || !e.DefaultPullIsLocal {
		t.Errorf("e: %+v", e)
	}
	if Recommend(cfg, f2.Deployments[0]).CodeReachable {
		t.Error("omitted pull with no image must be unreachable for kubernetes")
	}
}

func TestIsDeployingMachinePath(t *testing.T) {
	for _, c := range []struct {
		dir   string
		image bool
		want  bool
	}{
		{"/Users/me/x", true, true}, {"/home/me/x", true, true}, {"/root/flows", true, true}, {"/tmp/x", true, true}, {"../other", true, true}, {"/home/me/x", false, true}, {"/mnt/c/x", true, true}, {`C:\work`, true, true}, {"~/x", false, true},
		{"/opt/prefect/x", true, false}, {"/app", true, false}, {"/app", false, true}, {"/opt/prefect/x", false, false},
		{"flows", false, false}, {"{{ clone.directory }}", false, false}, {"", false, false},
	} {
		if got := IsDeployingMachinePath(c.dir, c.image); got != c.want {
			t.Errorf("%q image=%v: got %v", c.dir, c.image, got)
		}
	}
}

func TestCleanRemoteURL(t *testing.T) {
	for in, want := range map[string]string{
		"git@github.com:acme/flows.git":                "https://github.com/acme/flows.git",
		"ssh://git@gitlab.example.com:2222/a/b.git":    "https://gitlab.example.com/a/b.git",
		"https://user:tok3n@github.com/acme/flows.git": "https://github.com/acme/flows.git",
		"https://github.com/acme/flows":                "https://github.com/acme/flows",
	} {
		if got := CleanRemoteURL(in); got != want {
			t.Errorf("%s: got %s want %s", in, got, want)
		}
	}
}

func TestGitRemote(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "proj", "flows")
	if err := os.MkdirAll(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = https://github.com/up/x.git\n[remote \"origin\"]\n\turl = git@github.com:me/x.git\n[branch \"main\"]\n\tremote = origin\n"
	os.WriteFile(filepath.Join(root, ".git", "config"), []byte(cfg), 0o644)
	os.WriteFile(filepath.Join(root, ".git", "HEAD"), []byte("ref: refs/heads/feature/ü\n"), 0o644)
	url, branch, ok := GitRemote(sub)
	if !ok || url != "https://github.com/me/x.git" || branch != "feature/ü" {
		t.Errorf("got %q %q %v", url, branch, ok)
	}
	if _, _, ok := GitRemote(t.TempDir()); ok {
		t.Error("no repository must give ok=false")
	}
}

func TestAddGitClonePull(t *testing.T) {
	text := "deployments:\n- name: a\n  entrypoint: f.py:a\n  work_pool:\n    name: k8s\n- name: b\n"
	src, f := parse(t, text)
	got := apply(t, text, AddGitClonePull(src, f.Deployments[0], "https://github.com/a/b.git", "main"))
	want := "deployments:\n- name: a\n  entrypoint: f.py:a\n  work_pool:\n    name: k8s\n  pull:\n    - prefect.deployments.steps.git_clone:\n        repository: https://github.com/a/b.git\n        branch: main\n- name: b\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// Existing top-level block section: the step goes first; CRLF is kept.
	text = "pull:\r\n  - prefect.deployments.steps.pip_install_requirements:\r\n      requirements_file: r.txt\r\ndeployments:\r\n  - name: a\r\n"
	src, f = parse(t, text)
	got = apply(t, text, AddGitClonePull(src, f.Deployments[0], "https://x/y.git", ""))
	want = "pull:\r\n  - prefect.deployments.steps.git_clone:\r\n      repository: https://x/y.git\r\n  - prefect.deployments.steps.pip_install_requirements:\r\n      requirements_file: r.txt\r\ndeployments:\r\n  - name: a\r\n"
	if got != want {
		t.Errorf("crlf: got %q\nwant %q", got, want)
	}
	// A flow sequence with content is left alone.
	text = "pull: [{a.b: {}}]\ndeployments:\n- name: a\n"
	src, f = parse(t, text)
	if e := AddGitClonePull(src, f.Deployments[0], "u", ""); e != nil {
		t.Errorf("flow section: %v", e)
	}
}

func TestAddDockerBuildPush(t *testing.T) {
	text := "# project\ndeployments:\n  - name: etl # the one\n    entrypoint: flows/etl.py:etl\n    work_pool:\n      name: k8s\n      job_variables:\n        namespace: prod\n"
	src, f := parse(t, text)
	got := apply(t, text, AddDockerBuildPush(src, f.Deployments[0], "<registry>/etl", "auto"))
	want := `# project
build:
- prefect_docker.deployments.steps.build_docker_image:
    id: build-image
    requires: prefect-docker>=0.3.1
    image_name: <registry>/etl
    tag: latest
    dockerfile: auto

push:
- prefect_docker.deployments.steps.push_docker_image:
    requires: prefect-docker>=0.3.1
    image_name: "{{ build-image.image_name }}"
    tag: "{{ build-image.tag }}"

deployments:
  - name: etl # the one
    entrypoint: flows/etl.py:etl
    work_pool:
      name: k8s
      job_variables:
        namespace: prod
        image: "{{ build-image.image }}"
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// Two deployments, flow-style work pool without job_variables.
	text = "deployments:\n- name: a\n  work_pool: {name: k8s}\n- name: b\n"
	src, f = parse(t, text)
	got = apply(t, text, AddDockerBuildPush(src, f.Deployments[0], "r/a", "Dockerfile"))
	want = "deployments:\n- name: a\n  work_pool: {name: k8s, job_variables: {image: \"{{ build-image.image }}\"}}\n  build:\n    - prefect_docker.deployments.steps.build_docker_image:\n        id: build-image\n        requires: prefect-docker>=0.3.1\n        image_name: r/a\n        tag: latest\n        dockerfile: Dockerfile\n  push:\n    - prefect_docker.deployments.steps.push_docker_image:\n        requires: prefect-docker>=0.3.1\n        image_name: \"{{ build-image.image_name }}\"\n        tag: \"{{ build-image.tag }}\"\n- name: b\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestAddWorkPoolAndSwitch(t *testing.T) {
	text := "deployments:\n  - name: a\n    entrypoint: f.py:a\n"
	src, f := parse(t, text)
	got := apply(t, text, AddWorkPool(src, f.Deployments[0], "<pool-name>"))
	if want := "deployments:\n  - name: a\n    entrypoint: f.py:a\n    work_pool:\n      name: <pool-name>\n"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
	text = "deployments:\n  - name: a\n    work_pool:\n      name: ecs # comment\n"
	src, f = parse(t, text)
	got = apply(t, text, SwitchToPushPool(src, f.Deployments[0], "ecs:push", "ecs-push"))
	if want := "deployments:\n  - name: a\n    # Create the pool with: prefect work-pool create ecs-push --type ecs:push --provision-infra\n    work_pool:\n      name: ecs-push # comment\n"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
	text = "deployments:\n  - work_pool: {name: 'my pool'}\n    name: a\n"
	src, f = parse(t, text)
	got = apply(t, text, SwitchToPushPool(src, f.Deployments[0], "ecs:push", "my pool-push"))
	if want := "deployments:\n  # Create the pool with: prefect work-pool create 'my pool-push' --type ecs:push --provision-infra\n  - work_pool: {name: \"my pool-push\"}\n    name: a\n"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

func TestServeScript(t *testing.T) {
	text := `deployments:
- name: "Nightly ETL – données"
  entrypoint: flows/my-etl.py:etl
  description: "Loads \"data\"\nnightly"
  version: "1.2"
  tags: [etl, "prod"]
  parameters: {day: mon, n: 3, ratio: 0.5, flags: [true, null], nested: {a: "b"}}
  schedules:
    - cron: "0 3 * * *"
      timezone: Europe/Paris
    - interval: PT10M
      anchor_date: "2024-01-01T00:00:00"
    - rrule: "FREQ=WEEKLY;BYDAY=MO"
  work_pool: {name: k8s}
  triggers: [{expect: [x]}]
- name: simple
  entrypoint: pkg.flows.etl
  schedules: [{interval: 600}]
  paused: true
- name: one-cron
  entrypoint: flows/etl.py:Pipelines.run
  schedule: {cron: "*/5 * * * *"}
  concurrency_limit: 2
  tags: solo
`
	_, f := parse(t, text)
	var scripts []string
	for i, want := range []string{"serve_nightly_etl_donn_es.py", "serve_simple.py", "serve_one_cron.py"} {
		name, content, ok := ServeScriptFor(f.Deployments[i])
		if !ok || name != want {
			t.Fatalf("deployment %d: %q %v", i, name, ok)
		}
		scripts = append(scripts, content)
	}
	for _, s := range []string{
		`spec_from_file_location("my_etl", _FLOW_FILE)`,
		`Path(__file__).resolve().parent / "flows/my-etl.py"`,
		`Cron("0 3 * * *", timezone="Europe/Paris")`,
		`Interval(600, anchor_date=datetime.fromisoformat("2024-01-01T00:00:00"))`,
		`RRule("FREQ=WEEKLY;BYDAY=MO")`,
		`parameters={"day": "mon", "flags": [True, None], "n": 3, "nested": {"a": "b"}, "ratio": 0.5}`,
		`tags=["etl", "prod"]`,
		`description="Loads \"data\"\nnightly"`,
		`version="1.2"`,
		"# - triggers are not translated",
		"# - work_pool and its job_variables do not apply",
	} {
		if !strings.Contains(scripts[0], s) {
			t.Errorf("script 0 lacks %s:\n%s", s, scripts[0])
		}
	}
	for _, s := range []string{`importlib.import_module("pkg.flows").etl`, "interval=600", "paused=True"} {
		if !strings.Contains(scripts[1], s) {
			t.Errorf("script 1 lacks %s:\n%s", s, scripts[1])
		}
	}
	for _, s := range []string{`cron="*/5 * * * *"`, "global_limit=2", `tags=["solo"]`, "_module.Pipelines.run"} {
		if !strings.Contains(scripts[2], s) {
			t.Errorf("script 2 lacks %s:\n%s", s, scripts[2])
		}
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is required in CI")
		}
		t.Skip("python3 not found")
	}
	dir := t.TempDir()
	for i, s := range scripts {
		p := filepath.Join(dir, "s"+string(rune('0'+i))+".py")
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(python, "-m", "py_compile", p).CombinedOutput(); err != nil {
			t.Errorf("py_compile rejects script %d: %v\n%s\n%s", i, err, out, s)
		}
	}
}
