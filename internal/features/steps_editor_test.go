package features

import (
	"context"
	"strings"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/steps"
)

const stepIDsYAML = `build:
  - prefect_docker.deployments.steps.build_docker_image:
      id: build-image
      image_name: org/etl
      tag: latest
push:
  - prefect_docker.deployments.steps.push_docker_image:
      image_name: "{{ build-image.image_name }}"
      tag: '{{ build-image.tag }}'
pull:
  - prefect.deployments.steps.git_clone:
      id: clone
      repository: https://github.com/acme/etl.git
  - prefect.deployments.steps.set_working_directory:
      directory: "{{ clone.directory }}"
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
    work_pool:
      name: k8s
      job_variables:
        image: "{{ build-image.image }}"
        env:
          TAG: "v-{{build-image.tag}}-x"
          WHOLE: "{{ build-image }}"
`

func TestStepIDDefinition(t *testing.T) {
	s := snapOf(t, stepIDsYAML, nil)
	ctx := context.Background()
	want := offOf(t, stepIDsYAML, "id: build-image", 1, 4)
	for _, n := range []int{1, 2, 3, 4, 5} {
		off := offOf(t, stepIDsYAML, "build-image", n+1, 3)
		locs := Step{}.Definition(ctx, s, off)
		if len(locs) != 1 || locs[0].Span.Start != want || s.File.Slice(locs[0].Span) != "build-image" {
			t.Errorf("definition from use %d: %+v", n, locs)
		}
	}
	locs := Step{}.Definition(ctx, s, offOf(t, stepIDsYAML, "clone.directory", 1, 1))
	if len(locs) != 1 || s.File.Slice(locs[0].Span) != "clone" || locs[0].Span.Start != offOf(t, stepIDsYAML, "id: clone", 1, 4) {
		t.Errorf("definition of clone: %+v", locs)
	}
	// The id itself, the step output key and plain text have no definition.
	for _, at := range []int{want + 1, offOf(t, stepIDsYAML, ".image_name", 1, 3), offOf(t, stepIDsYAML, "org/etl", 1, 1)} {
		if locs := (Step{}).Definition(ctx, s, at); len(locs) != 0 {
			t.Errorf("definition at %d: %+v", at, locs)
		}
	}
}

func TestStepIDReferences(t *testing.T) {
	s := snapOf(t, stepIDsYAML, nil)
	ctx := context.Background()
	for _, from := range []int{offOf(t, stepIDsYAML, "build-image", 1, 2), offOf(t, stepIDsYAML, "build-image", 4, 0)} {
		locs := Step{}.References(ctx, s, from, true)
		if len(locs) != 6 {
			t.Fatalf("references from %d: %d %+v", from, len(locs), locs)
		}
		seen := map[int]bool{}
		for _, l := range locs {
			if got := s.File.Slice(l.Span); got != "build-image" {
				t.Errorf("reference span text %q", got)
			}
			seen[l.Span.Start] = true
		}
		if len(seen) != 6 {
			t.Errorf("duplicate references: %+v", locs)
		}
		if n := len(Step{}.References(ctx, s, from, false)); n != 5 {
			t.Errorf("without declaration: %d", n)
		}
	}
}

func TestStepIDRename(t *testing.T) {
	s := snapOf(t, stepIDsYAML, nil)
	ctx := context.Background()
	off := offOf(t, stepIDsYAML, "build-image.tag", 2, 0)
	sp, name, ok := Step{}.PrepareRename(ctx, s, off)
	if !ok || name != "build-image" || s.File.Slice(sp) != "build-image" {
		t.Fatalf("prepare: %v %q %v", sp, name, ok)
	}
	edits, err := Step{}.Rename(ctx, s, off, "build_image")
	if err != nil {
		t.Fatal(err)
	}
	out, err := source.Apply(stepIDsYAML, edits)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "build-image") || strings.Count(out, "build_image") != 6 {
		t.Fatalf("renamed:\n%s", out)
	}
	for _, want := range []string{"id: build_image\n", `"{{ build_image.image_name }}"`, `'{{ build_image.tag }}'`, `"v-{{build_image.tag}}-x"`, `"{{ build_image }}"`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	// A name YAML reads as a number is quoted at the id.
	edits, err = Step{}.Rename(ctx, s, off, "123")
	if err != nil {
		t.Fatal(err)
	}
	out, _ = source.Apply(stepIDsYAML, edits)
	if !strings.Contains(out, `id: "123"`) || !strings.Contains(out, "{{ 123.image }}") {
		t.Errorf("numeric rename:\n%s", out)
	}
	for _, bad := range []string{"", "a.b", "a b", "ctx", "prefect", "-x", "$X", "a[0]", "a}"} {
		if _, err := (Step{}).Rename(ctx, s, off, bad); err == nil {
			t.Errorf("rename to %q accepted", bad)
		}
	}
	// Nothing to rename on plain text.
	if edits, err := (Step{}).Rename(ctx, s, offOf(t, stepIDsYAML, "org/etl", 1, 0), "x"); edits != nil || err != nil {
		t.Errorf("rename on text: %v %v", edits, err)
	}
}

// A deployment's own build section replaces the top level's: the same id
// in two places is two symbols.
func TestStepIDScopedByDeployment(t *testing.T) {
	text := `build:
  - prefect_docker.deployments.steps.build_docker_image:
      id: img
      image_name: org/a
deployments:
  - name: a
    work_pool:
      name: p
      job_variables:
        image: "{{ img.image }}"
  - name: b
    build:
      - prefect_docker.deployments.steps.build_docker_image:
          id: img
          image_name: org/b
    work_pool:
      name: p
      job_variables:
        image: "{{ img.image }}"
`
	s := snapOf(t, text, nil)
	ctx := context.Background()
	locs := Step{}.Definition(ctx, s, offOf(t, text, "{{ img", 2, 4))
	if len(locs) != 1 || locs[0].Span.Start != offOf(t, text, "id: img", 2, 4) {
		t.Fatalf("definition in b: %+v", locs)
	}
	refs := Step{}.References(ctx, s, offOf(t, text, "id: img", 1, 4), false)
	if len(refs) != 1 || refs[0].Span.Start != offOf(t, text, "{{ img", 1, 3) {
		t.Fatalf("references of the top-level step: %+v", refs)
	}
	edits, err := Step{}.Rename(ctx, s, offOf(t, text, "{{ img", 2, 4), "img_b")
	if err != nil {
		t.Fatal(err)
	}
	out, _ := source.Apply(text, edits)
	if strings.Count(out, "img_b") != 2 || strings.Count(out, "img") != 4 {
		t.Errorf("scoped rename:\n%s", out)
	}
}

func TestStepNameCompletion(t *testing.T) {
	text := "pull:\n  - prefect.deployments.steps.git_clone:\n      repository: x\n  - git\ndeployments:\n  - na\n  - name: b\n    build:\n      - \n"
	s := snapOf(t, text, nil)
	ctx := context.Background()
	off := offOf(t, text, "  - git", 1, 7)
	items := Step{}.Complete(ctx, s, off)
	if len(items) != len(steps.All()) {
		t.Fatalf("items: %v", labels(items))
	}
	it, ok := hasLabel(items, "prefect.deployments.steps.git_clone")
	if !ok {
		t.Fatalf("no git_clone in %v", labels(items))
	}
	if it.Detail != "prefect" || !strings.Contains(it.Documentation, "repository") || !it.Snippet {
		t.Errorf("item: %+v", it)
	}
	if got := s.File.Slice(it.Replace); got != "git" {
		t.Errorf("replace %q", got)
	}
	want := "prefect.deployments.steps.git_clone:\n    id: ${1:git-clone}\n    repository: ${2}$0"
	if it.InsertText != want {
		t.Errorf("snippet %q, want %q", it.InsertText, want)
	}
	// Pull steps sort before build and push steps here.
	var pullMax, otherMin string
	for _, it := range items {
		st, _ := steps.Lookup(it.Label)
		if st.Action == "pull" && it.SortText > pullMax {
			pullMax = it.SortText
		}
		if st.Action != "pull" && (otherMin == "" || it.SortText < otherMin) {
			otherMin = it.SortText
		}
	}
	if pullMax >= otherMin {
		t.Errorf("pull steps do not sort first: %s >= %s", pullMax, otherMin)
	}
	// The docker build step gets the conventional id and its package.
	items = Step{}.Complete(ctx, s, offOf(t, text, "      - \n", 1, 8))
	it, ok = hasLabel(items, "prefect_docker.deployments.steps.build_docker_image")
	if !ok || it.Detail != "prefect-docker" || !strings.Contains(it.InsertText, "\n    id: ${1:build-image}") {
		t.Errorf("build item: %+v", it)
	}
	for _, p := range []string{"image_name"} {
		if !strings.Contains(it.InsertText, "\n    "+p+": ${") {
			t.Errorf("required %s missing: %q", p, it.InsertText)
		}
	}
	// Not on deployment items, keys or values.
	for _, at := range []int{offOf(t, text, "  - na", 1, 6), offOf(t, text, "repository: x", 1, 13)} {
		if items := (Step{}).Complete(ctx, s, at); len(items) != 0 {
			t.Errorf("completion at %d: %v", at, labels(items))
		}
	}
}

func TestStepItemAt(t *testing.T) {
	for _, tc := range []struct {
		text    string
		section string
	}{
		{"pull:\n- |", "pull"},
		{"build:\n  - prefect|", "build"},
		{"push:\n  - a:\n      b: c\n  # note\n\n  - |", "push"},
		{"deployments:\n  - name: x\n    pull:\n      - |", "pull"},
		{"deployments:\n  - pull:\n      - |", "pull"},
		{"deployments:\n  - |", ""},
		{"pull:\n  - a: |", ""},
		{"pull:\n  - - |", ""},
		{"pull:\n  -|", ""},
		{"pull:\n  - \"x|", ""},
		{"x:\n  pull:\n    y:\n      - |", ""},
	} {
		off := strings.Index(tc.text, "|")
		text := strings.Replace(tc.text, "|", "", 1)
		_, sec, ok := stepItemAt(text, off)
		if sec != tc.section || ok != (tc.section != "") {
			t.Errorf("%q: %q %v", tc.text, sec, ok)
		}
	}
}
