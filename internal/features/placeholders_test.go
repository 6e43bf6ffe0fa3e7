package features

import (
	"context"
	"strings"
	"testing"
)

const placeholdersYAML = `build:
  - prefect_docker.deployments.steps.build_docker_image:
      id: build-image
      image_name: "{{ $REGISTRY }}/etl"
      tag: "{{ prefect.variables.tag }}"
  - prefect.deployments.steps.run_shell_script:
      id: sha
      script: git rev-parse HEAD
push:
  - prefect_docker.deployments.steps.push_docker_image:
      image_name: "{{ build-image.image_name }}"
      tag: "{{ build-image.tag }}"
pull:
  - prefect.deployments.steps.git_clone:
      id: clone
      repository: https://github.com/acme/etl.git
      access_token: "{{ prefect.blocks.secret.gh-token }}"
  - prefect.deployments.steps.set_working_directory:
      directory: "{{ clone.directory }}"
  - prefect.deployments.steps.run_shell_script:
      script: "echo {{ $HOME }} {{ build-image.tag }}"
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
    tags: ["{{ ctx.flow.name }}", "{{ stdout }}"]
    work_pool:
      name: k8s
      job_variables:
        image: "{{ build-image.image }}"
        env:
          PASSWORD: "{{ prefect.blocks.secret.db }}"
          WRONG: "{{ build-image.nope }}"
          MISSING: "{{ nobody.image }}"
triggers:
  - enabled: true
    match: {"prefect.resource.id": "{{ event.id }}"}
`

func placeholderHover(t *testing.T, needle string, n int) string {
	t.Helper()
	s := snapOf(t, placeholdersYAML, nil)
	off := offOf(t, placeholdersYAML, needle, n, 3)
	h := Placeholder{}.Hover(context.Background(), s, off)
	if h == nil {
		t.Fatalf("no hover on %q", needle)
	}
	if got := s.File.Slice(h.Span); !strings.HasPrefix(got, "{{") || !strings.HasSuffix(got, "}}") || !strings.Contains(got, strings.Trim(needle, "{ ")) {
		t.Errorf("span %q for %q", got, needle)
	}
	return h.Markdown
}

func TestPlaceholderHover(t *testing.T) {
	for _, tc := range []struct {
		needle string
		n      int
		want   []string
		not    []string
	}{
		{"{{ build-image.image }}", 1, []string{"Step output", "`image`", "`build-image`", "build_docker_image", "build step", "deploy time"}, nil},
		{"{{ build-image.image_name }}", 1, []string{"`image_name`", "deploy time"}, nil},
		{"{{ build-image.tag }}", 2, []string{"pull step saved on the deployment", "deploy time"}, nil},
		{"{{ clone.directory }}", 1, []string{"`clone`", "git_clone", "run time", "worker"}, []string{"deploy time"}},
		{"{{ build-image.nope }}", 1, []string{"returns no `nope`", "image_name"}, nil},
		{"{{ nobody.image }}", 1, []string{"no build or push step has `id: nobody`"}, nil},
		{"{{ stdout }}", 1, []string{"`stdout`", "run_shell_script"}, nil},
		{"{{ prefect.blocks.secret.gh-token }}", 1, []string{"Block", "`secret`", "`gh-token`", "run time by the worker"}, []string{"deploy time"}},
		{"{{ prefect.blocks.secret.db }}", 1, []string{"Block", "deploy time", "plain text", "14088"}, nil},
		{"{{ prefect.variables.tag }}", 1, []string{"variable", "`tag`", "deploy time", `""`}, nil},
		{"{{ $REGISTRY }}", 1, []string{"Environment variable", "`REGISTRY`", "machine that runs `prefect deploy`", "deploy time"}, nil},
		{"{{ $HOME }}", 1, []string{"Environment variable", "`HOME`", "worker", "run time"}, nil},
		{"{{ ctx.flow.name }}", 1, []string{"Runtime context", "worker", "run time"}, nil},
	} {
		md := placeholderHover(t, tc.needle, tc.n)
		for _, w := range tc.want {
			if !strings.Contains(md, w) {
				t.Errorf("%s: missing %q in\n%s", tc.needle, w, md)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(md, w) {
				t.Errorf("%s: unexpected %q in\n%s", tc.needle, w, md)
			}
		}
	}
	s := snapOf(t, placeholdersYAML, nil)
	ctx := context.Background()
	// Not outside placeholders, and not in automation templates (Jinja).
	for _, at := range []int{offOf(t, placeholdersYAML, "git rev-parse", 1, 2), offOf(t, placeholdersYAML, "echo", 1, 1), offOf(t, placeholdersYAML, "event.id", 1, 1), offOf(t, placeholdersYAML, "id: clone", 1, 5)} {
		if h := (Placeholder{}).Hover(ctx, s, at); h != nil {
			t.Errorf("hover at %d: %q", at, h.Markdown)
		}
	}
	// Two placeholders in one scalar: each has its own span.
	h1 := Placeholder{}.Hover(ctx, s, offOf(t, placeholdersYAML, "{{ $HOME", 1, 4))
	h2 := Placeholder{}.Hover(ctx, s, offOf(t, placeholdersYAML, "{{ build-image.tag }}\"\ndeployments", 1, 4))
	if h1 == nil || h2 == nil || h1.Span == h2.Span || s.File.Slice(h2.Span) != "{{ build-image.tag }}" {
		t.Errorf("hovers in one scalar: %+v %+v", h1, h2)
	}
}

func TestPlaceholderPrefixAt(t *testing.T) {
	for _, tc := range []struct {
		text string
		ok   bool
		name string
	}{
		{`x: "{{ |`, true, ""},
		{`x: "{{|`, true, ""},
		{`x: "{{ build-image.|`, true, "build-image."},
		{`x: "{{ build-image.im| }}"`, true, "build-image.im"},
		{`x: "{{ $HO|`, true, "$HO"},
		{`x: "{ bu|`, false, ""},
		{`x: "{{ a b|`, false, ""},
		{"x: \"{{\n  bu|", false, ""},
		{`x: bu|`, false, ""},
	} {
		off := strings.Index(tc.text, "|")
		text := strings.Replace(tc.text, "|", "", 1)
		start, ok := placeholderPrefixAt(text, off)
		if ok != tc.ok || ok && text[start:off] != tc.name {
			t.Errorf("%q: %d %v", tc.text, start, ok)
		}
	}
}

func TestPlaceholderCompletion(t *testing.T) {
	ctx := context.Background()
	// In a push step: the build steps' ids and outputs, not the pull
	// step's, and not the push step itself.
	text := strings.Replace(placeholdersYAML, `tag: "{{ build-image.tag }}"`, `tag: "{{ build-image.t }}"`, 1)
	s := snapOf(t, text, nil)
	off := offOf(t, text, "{{ build-image.t }}", 1, len("{{ build-image.t"))
	items := Placeholder{}.Complete(ctx, s, off)
	for _, want := range []string{"build-image", "build-image.tag", "build-image.image", "sha", "sha.stdout", "prefect.blocks.", "prefect.variables.", "$", "ctx."} {
		it, ok := hasLabel(items, want)
		if !ok {
			t.Fatalf("missing %q in %v", want, labels(items))
		}
		if s.File.Slice(it.Replace) != "build-image.t" || it.InsertText != want || it.FilterText != want {
			t.Errorf("%q: replace %q insert %q", want, s.File.Slice(it.Replace), it.InsertText)
		}
	}
	for _, not := range []string{"clone", "clone.directory"} {
		if _, ok := hasLabel(items, not); ok {
			t.Errorf("%q offered in a push step", not)
		}
	}
	it, _ := hasLabel(items, "build-image.tag")
	if it.Detail != "build step build_docker_image" || it.Documentation == "" {
		t.Errorf("item %+v", it)
	}
	// Step ids sort before their outputs and both before the prefixes.
	a, _ := hasLabel(items, "build-image")
	b, _ := hasLabel(items, "build-image.tag")
	c, _ := hasLabel(items, "$")
	if !(a.SortText < b.SortText && b.SortText < c.SortText) {
		t.Errorf("sort %q %q %q", a.SortText, b.SortText, c.SortText)
	}

	// In a later pull step: earlier pull steps too.
	text = strings.Replace(placeholdersYAML, `directory: "{{ clone.directory }}"`, `directory: "{{ }}"`, 1)
	s = snapOf(t, text, nil)
	items = Placeholder{}.Complete(ctx, s, offOf(t, text, `"{{ }}"`, 1, 4))
	if _, ok := hasLabel(items, "clone.directory"); !ok {
		t.Errorf("pull step: %v", labels(items))
	}
	// In the first build step: nothing earlier but the prefixes.
	text = strings.Replace(placeholdersYAML, `"{{ $REGISTRY }}/etl"`, `"{{ $R }}/etl"`, 1)
	s = snapOf(t, text, nil)
	items = Placeholder{}.Complete(ctx, s, offOf(t, text, "{{ $R", 1, 5))
	if len(items) != 4 {
		t.Errorf("first build step: %v", labels(items))
	}
	// An unfinished line that breaks the YAML still completes, from the
	// deployment's scope.
	text = strings.Replace(placeholdersYAML, `image: "{{ build-image.image }}"`, `image: "{{ bu`, 1)
	s = snapOf(t, text, nil)
	if s.Model().Root != nil {
		t.Fatal("the test wants a document that does not parse")
	}
	items = Placeholder{}.Complete(ctx, s, offOf(t, text, "image: \"{{ bu\n", 1, len(`image: "{{ bu`)))
	if _, ok := hasLabel(items, "build-image.image"); !ok {
		t.Errorf("broken document: %v", labels(items))
	}
	if _, ok := hasLabel(items, "clone"); ok {
		t.Errorf("broken document offers pull step ids: %v", labels(items))
	}
	// Not outside {{.
	if items := (Placeholder{}).Complete(ctx, s, offOf(t, text, "git rev", 1, 3)); items != nil {
		t.Errorf("outside: %v", labels(items))
	}
}

func TestPatchLine(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"a:\n  image: \"{{ bu@\nb: 1", "a:\n  image: xxxxxx\nb: 1"},
		{"a:\n  - \"{{ bu@\"\n", "a:\n  - xxxxxxx\n"},
		{"a: |\n  x {{ bu@\n", "a: |\n  x {{ xx\n"},
	} {
		off := strings.Index(tc.text, "@")
		text := strings.Replace(tc.text, "@", "", 1)
		start, ok := placeholderPrefixAt(text, off)
		if !ok {
			t.Fatalf("%q: no prefix", tc.text)
		}
		if got := patchLine(text, off, start); got != tc.want || len(got) != len(text) {
			t.Errorf("%q: %q", tc.text, got)
		}
	}
}
