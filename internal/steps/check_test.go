package steps

import (
	"strings"
	"testing"
)

func TestCheckArg(t *testing.T) {
	const (
		git    = "prefect.deployments.steps.git_clone"
		shell  = "prefect.deployments.steps.run_shell_script"
		pip    = "prefect.deployments.steps.pip_install_requirements"
		build  = "prefect_docker.deployments.steps.build_docker_image"
		push   = "prefect_docker.deployments.steps.push_docker_image"
		remote = "prefect.deployments.steps.pull_from_remote_storage"
		azure  = "prefect_azure.deployments.steps.pull_from_azure_blob_storage"
	)
	cases := []struct {
		step, arg string
		value     any
		ok        bool
		why       string // substring of the reason when !ok
	}{
		{git, "repository", "https://github.com/o/r.git", true, ""},
		{git, "repository", nil, false, "required"},
		{git, "branch", int64(2024), false, "expects a string, got the integer 2024"},
		{git, "branch", 1.10, false, "quote the value"},
		{git, "branch", true, false, "booleans"},
		{git, "branch", nil, true, ""},
		{git, "include_submodules", true, true, ""},
		{git, "include_submodules", "false", false, `the string "false", which Python treats as true`},
		{git, "include_submodules", "{{ $SUBMODULES }}", true, ""},
		{git, "include_submodules", "x{{ $SUBMODULES }}", false, "makes the value a string"},
		{git, "access_token", "{{ prefect.blocks.secret.tok }}", true, ""},
		{git, "credentials", "{{ prefect.blocks.github-credentials.c }}", true, ""},
		{git, "credentials", "my-token", false, "block reference"},
		{git, "credentials", map[string]any{"access_token": "x"}, true, ""},
		{git, "directories", []any{"src", "lib"}, true, ""},
		{git, "directories", "src", false, "expects a list, got a string"},
		{git, "directories", []any{"src", int64(3)}, false, "item 2 should be a string"},
		{git, "set_working_directory", "/opt", false, "not a parameter of git_clone"},
		{git, "repo", "x", false, "did you mean `repository`?"},
		{git, "id", "clone-step", true, ""},
		{git, "id", int64(1), true, ""},
		{git, "id", []any{"a"}, false, "`id` should be a string"},
		{git, "requires", "prefect-github>=0.2", true, ""},
		{git, "requires", []any{"a", "b"}, true, ""},
		{git, "requires", map[string]any{}, false, "`requires` must be"},
		{shell, "script", "echo hi", true, ""},
		{shell, "env", map[string]any{"A": "1", "B": "{{ $B }}"}, true, ""},
		{shell, "env", map[string]any{"PORT": int64(8080)}, false, "`env.PORT` should be a string, got the integer 8080"},
		{shell, "env", "A=1", false, "mapping"},
		{shell, "stream_output", nil, false, "null replaces the default True"},
		{shell, "shell", false, true, ""},
		{pip, "requirements_file", nil, false, `default "requirements.txt"`},
		{build, "image_name", "repo/image", true, ""},
		{build, "image_name", "repo/my image", false, "Invalid Docker image name 'repo/my image'"},
		{build, "build_backend", "buildx", true, ""},
		{build, "build_backend", "kaniko", false, "Invalid build_backend 'kaniko'. Expected 'docker-py' or 'buildx'."},
		{build, "platform", "linux/amd64", true, ""}, // **build_kwargs
		{build, "additional_tags", "latest", false, "expects a list"},
		{build, "additional_tags", "{{ tags }}", true, ""},
		{push, "credentials", "{{ prefect.blocks.docker-registry-credentials.r }}", true, ""},
		{push, "credentials", "user:pass", false, "plain string"},
		{push, "platform", "linux/amd64", false, "not a parameter of push_docker_image"},
		{remote, "url", "s3://b/f", true, ""},
		{remote, "key", "{{ prefect.blocks.secret.k }}", true, ""}, // **settings
		{azure, "credentials", nil, false, "required"},
		{azure, "credentials", map[string]any{"connection_string": "x"}, true, ""},
	}
	for _, c := range cases {
		s, found := Lookup(c.step)
		if !found {
			t.Fatalf("no step %s", c.step)
		}
		ok, why := CheckArg(s, c.arg, c.value)
		if ok != c.ok {
			t.Errorf("CheckArg(%s, %s, %#v) = %v (%s), want %v", s.Short, c.arg, c.value, ok, why, c.ok)
			continue
		}
		if ok && why != "" {
			t.Errorf("CheckArg(%s, %s, %#v) ok with reason %q", s.Short, c.arg, c.value, why)
		}
		if !ok && !strings.Contains(why, c.why) {
			t.Errorf("CheckArg(%s, %s, %#v) reason %q, want it to contain %q", s.Short, c.arg, c.value, why, c.why)
		}
	}
}

func TestSuggestParam(t *testing.T) {
	s, _ := Lookup("prefect.deployments.steps.git_clone")
	cases := []struct{ in, first string }{
		{"repo", "repository"},
		{"brnach", "branch"},
		{"include_submodule", "include_submodules"},
		{"Branch", "branch"},
		{"zzz", ""},
	}
	for _, c := range cases {
		got := SuggestParam(s, c.in)
		if c.first == "" {
			if len(got) != 0 {
				t.Errorf("SuggestParam(%q) = %v, want none", c.in, got)
			}
			continue
		}
		if len(got) == 0 || got[0] != c.first {
			t.Errorf("SuggestParam(%q) = %v, want %q first", c.in, got, c.first)
		}
	}
}

func TestDistance(t *testing.T) {
	cases := []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"a", "", 1}, {"", "abc", 3}, {"kitten", "sitting", 3},
		{"brnach", "branch", 1}, {"ab", "ba", 1}, {"git_clone", "get_clone", 1}, {"abc", "abc", 0},
	}
	for _, c := range cases {
		if got := distance(c.a, c.b); got != c.d {
			t.Errorf("distance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
		if got := distance(c.b, c.a); got != c.d {
			t.Errorf("distance(%q, %q) = %d, want %d (symmetry)", c.b, c.a, got, c.d)
		}
	}
}
