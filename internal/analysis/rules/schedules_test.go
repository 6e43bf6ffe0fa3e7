package rules

import (
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

func TestTargetsPrefectBefore(t *testing.T) {
	cases := []struct {
		have, want string
		before     bool
	}{
		{"", "3.6.11", false},
		{"3.4", "3.6.11", true},
		{"3.6", "3.6.11", false}, // 3.6 may be 3.6.11 or later
		{"3.6.10", "3.6.11", true},
		{"3.6.11", "3.6.11", false},
		{"3.10", "3.6.11", false},
		{"2.20", "3", true},
		{"3", "3.0.3", false},
		{"3.0.2", "3.0.3", true},
		{"v3.4.1", "3.6.6", true},
		{"3.7.0rc1", "3.6.6", false},
		{"latest", "3.6.6", false},
	}
	for _, c := range cases {
		p := &analysis.Pass{Config: &config.Config{PrefectVersion: c.have}}
		if got := targetsPrefectBefore(p, c.want); got != c.before {
			t.Errorf("targetsPrefectBefore(%q, %q) = %v, want %v", c.have, c.want, got, c.before)
		}
	}
}

func TestScheduleSchemaOwned(t *testing.T) {
	not := &kind.Not{}
	cases := []struct {
		path []string
		k    any
		want bool
	}{
		{nil, not, false},
		{[]string{"deployments"}, not, false},
		{[]string{"deployments", "0", "schedules", "1"}, not, true},
		{[]string{"deployments", "0", "schedule"}, &kind.Required{Missing: []string{"cron"}}, true},
		{[]string{"deployments", "0", "schedule"}, &kind.Required{Missing: []string{"name"}}, false},
		{[]string{"deployments", "0", "schedules", "1", "interval"}, &kind.Type{}, true},
		{[]string{"deployments", "0", "schedules", "1", "cron"}, &kind.Type{}, false},
		{[]string{"deployments", "0", "schedules"}, &kind.Type{}, false},
		{[]string{"deployments", "0", "work_pool", "name"}, not, false},
	}
	for _, c := range cases {
		if got := scheduleSchemaOwned(c.path, c.k); got != c.want {
			t.Errorf("scheduleSchemaOwned(%v, %T) = %v, want %v", c.path, c.k, got, c.want)
		}
	}
}
