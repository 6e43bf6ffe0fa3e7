package workpools

import (
	"reflect"
	"testing"
)

func TestInfer(t *testing.T) {
	cases := []struct {
		keys []string
		want string
		ok   bool
	}{
		{[]string{"task_definition_arn"}, "ecs", true},
		{[]string{"image", "cpu", "memory", "launch_type"}, "ecs", true},
		{[]string{"image"}, "", false},
		{[]string{"env", "name"}, "", false},
		{[]string{"env.FOO", "namespace"}, "kubernetes", true},
		{[]string{"cpu_request", "image"}, "kubernetes", true},
		{[]string{"working_dir"}, "process", true},
		{[]string{"pip_packages"}, "prefect:managed", true},
		{[]string{"modal_credentials"}, "modal:push", true},
		{[]string{"region"}, "", false},
		{[]string{"machine_type", "region"}, "vertex-ai", true},
		{[]string{"launch_stage"}, "cloud-run-v2", true},
		{[]string{"resource_group_name"}, "azure-container-instance", true},
		{[]string{"software"}, "coiled", true},
		{[]string{"mem_limit", "volumes"}, "docker", true},
		{[]string{"namespace", "task_definition_arn"}, "", false}, // contradictory
		{[]string{"totally_unknown", "namespace"}, "kubernetes", true},
		{[]string{"totally_unknown"}, "", false},
		{nil, "", false},
	}
	for _, c := range cases {
		got, ok := Infer(c.keys)
		if got != c.want || ok != c.ok {
			t.Errorf("Infer(%v) = %q, %v; want %q, %v", c.keys, got, ok, c.want, c.ok)
		}
	}
}

func TestSuggestVariable(t *testing.T) {
	cases := []struct {
		typ, unknown string
		want         []string
	}{
		{"kubernetes", "cpu", []string{"cpu_request", "cpu_limit"}},
		{"kubernetes", "memory", []string{"memory_request", "memory_limit"}},
		{"kubernetes", "Memory", []string{"memory_request", "memory_limit"}},
		{"kubernetes", "namepsace", []string{"namespace"}},
		{"kubernetes", "serviceAccountName", []string{"service_account_name"}},
		{"process", "workingDir", []string{"working_dir"}},
		{"process", "working_directory", []string{"working_dir"}},
		{"docker", "memory", []string{"mem_limit"}},
		{"docker", "volume", []string{"volumes"}},
		{"ecs", "task_definition", []string{"task_definition_arn"}},
		{"ecs", "env.FOO", nil}, // env is valid; nothing to suggest for its head
		{"kubernetes", "envs.FOO", []string{"env.FOO"}},
		{"prefect:managed", "requirements", []string{"pip_packages"}},
		{"kubernetes", "zzzzzz", nil},
		{"nope", "cpu", nil},
	}
	for _, c := range cases {
		got := SuggestVariable(c.typ, c.unknown)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("SuggestVariable(%q, %q) = %v; want %v", c.typ, c.unknown, got, c.want)
		}
	}
}
