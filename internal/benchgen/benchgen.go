// Package benchgen generates prefect.yaml projects of any number of
// deployments for benchmarks and large-file tests: the text of the
// prefect.yaml and the Python flow files its entrypoints name, so that
// every rule (flow-code rules included) has something to read.
//
// Two shapes exist. Realistic (the default) writes deployments like those
// of real projects, about 30 lines and 900 bytes each: cron, interval and
// rrule schedules (some through aliases of shared definitions), an event
// trigger, a pull step of its own, work pools and job variables merged
// from anchored definitions with `<<:`, `{{ }}` placeholders, parameters
// that the flow's signature declares. Small writes the short deployments
// (about 270 bytes each) that the bench used first.
//
// In both shapes the file's last line is `      country: no`, a YAML 1.1
// pitfall inside the last deployment's parameters (its flow annotates
// country as str), which benchmarks toggle to `"no"` and back so that
// every edit changes the published diagnostics.
package benchgen

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Shape selects what a generated deployment looks like.
type Shape int

const (
	// Realistic deployments: about 30 lines and 900 bytes each.
	Realistic Shape = iota
	// Small deployments: about 12 lines and 270 bytes each.
	Small
)

// Shapes lists every shape, in the order reports print them.
var Shapes = []Shape{Realistic, Small}

func (s Shape) String() string {
	switch s {
	case Realistic:
		return "realistic"
	case Small:
		return "small"
	}
	return fmt.Sprintf("Shape(%d)", int(s))
}

// ParseShape reads a shape's name ("realistic" or "small").
func ParseShape(name string) (Shape, error) {
	for _, s := range Shapes {
		if s.String() == name {
			return s, nil
		}
	}
	return 0, fmt.Errorf("unknown shape %q (want realistic or small)", name)
}

// FlowModules is how many flow files the entrypoints of a project share:
// deployment i names flows/flow_<i mod FlowModules>.py.
const FlowModules = 50

// Project is one generated project.
type Project struct {
	// YAML is the text of prefect.yaml.
	YAML string
	// Files maps slash-separated paths relative to the project folder
	// (the folder of prefect.yaml) to their contents: the flow files.
	Files map[string]string
}

// Generate returns a project of n deployments of the given shape.
func Generate(shape Shape, n int) Project { return GenerateVariant(shape, n, "") }

// GenerateVariant is Generate with every deployment's name and
// description changed by suffix, so that nothing cached for one variant's
// text serves another's. Its flow files are Generate's.
func GenerateVariant(shape Shape, n int, suffix string) Project {
	p := Project{Files: map[string]string{}}
	switch shape {
	case Small:
		p.YAML = smallYAML(n, suffix)
	default:
		p.YAML = realisticYAML(n, suffix)
	}
	for i := 0; i < min(n, FlowModules); i++ {
		p.Files[fmt.Sprintf("flows/flow_%d.py", i)] = flowModule(i)
	}
	return p
}

// WriteTo writes prefect.yaml and the flow files into dir, creating the
// folders needed, and returns the path of prefect.yaml.
func (p Project) WriteTo(dir string) (string, error) {
	names := make([]string, 0, len(p.Files))
	for name := range p.Files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(path, []byte(p.Files[name]), 0o644); err != nil {
			return "", err
		}
	}
	path := filepath.Join(dir, "prefect.yaml")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return path, os.WriteFile(path, []byte(p.YAML), 0o644)
}

// flowModule is flows/flow_<m>.py: two flows, main and backfill, whose
// parameters are those the deployments pass.
func flowModule(m int) string {
	return fmt.Sprintf(`"""Flows of team %[1]d (generated for benchmarks)."""
from datetime import date
from typing import Optional

from prefect import flow, task


@task(retries=2)
def extract(table: str, batch: int) -> list:
    return [table] * batch


@flow(name="etl-%[1]d", log_prints=True)
def main(
    batch: int,
    region: str = "eu-west-1",
    tables: Optional[list[str]] = None,
    full_refresh: bool = False,
    country: str = "de",
    notify: Optional[dict] = None,
):
    for table in tables or []:
        extract(table, batch)


@flow
def backfill(start: date, days: int = 7, region: str = "eu-west-1", country: str = "de"):
    print(start, days, region, country)
`, m)
}

// smallYAML is the small shape: deployments sharing anchored definitions,
// with schedules and parameters.
func smallYAML(n int, suffix string) string {
	var b strings.Builder
	b.WriteString("name: bench\nprefect-version: 3.4.0\n\ndefinitions:\n  work_pools:\n    k8s: &k8s\n      name: k8s-pool\n      job_variables:\n        image: \"repo/image:1.2\"\n        cpu: 500m\n  schedules:\n    nightly: &nightly\n      cron: \"0 3 * * *\"\n      timezone: Europe/Berlin\n\npull:\n  - prefect.deployments.steps.git_clone:\n      repository: https://github.com/org/repo.git\n      branch: main\n\ndeployments:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  - name: flow-%d%s\n    description: Deployment number %d of the benchmark.\n    entrypoint: flows/flow_%d.py:main\n    tags: [bench, \"team-%d\"]\n    work_pool: *k8s\n    schedules:\n      - *nightly\n      - interval: %d\n    parameters:\n      batch: %d\n      region: eu-west-1\n", i, suffix, i, i%FlowModules, i%7, 3600+i, i)
	}
	b.WriteString("      country: no\n")
	return b.String()
}

// realisticHeader holds the project-wide sections: shared definitions
// under anchors, build and push steps with ids whose outputs deployments
// name, and the project's pull steps.
const realisticHeader = `# Generated for benchmarks: deployments shaped like those of real projects.
name: bench-realistic
prefect-version: 3.4.0

definitions:
  tags: &common_tags
    - bench
    - "{{ $ENVIRONMENT }}"
  work_pools:
    k8s: &k8s_pool
      name: k8s-pool
      work_queue_name: default
      job_variables: &k8s_vars
        image: "{{ build-image.image }}"
        image_pull_policy: IfNotPresent
        namespace: data
    docker: &docker_pool
      name: docker-pool
      job_variables:
        image: "{{ build-image.image }}"
        auto_remove: true
  schedules:
    nightly: &nightly
      cron: "0 3 * * *"
      timezone: Europe/Berlin
    hourly: &hourly
      interval: 3600
      anchor_date: "2024-01-01T00:00:00"
      timezone: UTC
    weekdays: &weekdays
      rrule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=6;BYMINUTE=30"
      timezone: America/New_York
  triggers:
    upstream: &upstream_done
      type: event
      enabled: true
      expect:
        - prefect.flow-run.Completed

build:
  - prefect.deployments.steps.run_shell_script:
      id: get-commit-hash
      script: git rev-parse --short HEAD
      stream_output: false
  - prefect_docker.deployments.steps.build_docker_image:
      id: build-image
      requires: prefect-docker>=0.3.1
      image_name: registry.example.com/data/flows
      tag: "{{ get-commit-hash.stdout }}"
      dockerfile: auto

push:
  - prefect_docker.deployments.steps.push_docker_image:
      requires: prefect-docker>=0.3.1
      image_name: "{{ build-image.image_name }}"
      tag: "{{ build-image.tag }}"

pull:
  - prefect.deployments.steps.git_clone:
      id: clone
      repository: https://github.com/org/flows.git
      branch: main

deployments:
`

// realisticYAML is the realistic shape. Deployments vary with i: the
// pool (kubernetes or docker, merged from the definitions), the flow
// (main or backfill, of flows/flow_<i mod 50>.py) and the schedules
// (aliases and inline cron, interval and rrule).
func realisticYAML(n int, suffix string) string {
	var b strings.Builder
	b.Grow(len(realisticHeader) + n*950)
	b.WriteString(realisticHeader)
	for i := 0; i < n; i++ {
		team, module := i%7, i%FlowModules
		fmt.Fprintf(&b, "  - name: etl-%04d%s\n", i, suffix)
		fmt.Fprintf(&b, "    version: \"{{ get-commit-hash.stdout }}\"\n")
		fmt.Fprintf(&b, "    description: Loads the tables of team %d into the warehouse (deployment %d%s).\n", team, i, suffix)
		if i%5 == 4 {
			fmt.Fprintf(&b, "    entrypoint: flows/flow_%d.py:backfill\n", module)
		} else {
			fmt.Fprintf(&b, "    entrypoint: flows/flow_%d.py:main\n", module)
		}
		fmt.Fprintf(&b, "    tags: [etl, \"team-%d\", \"{{ $ENVIRONMENT }}\"]\n", team)
		var params string
		if i%5 == 4 {
			params = fmt.Sprintf("    parameters:\n      start: \"2024-%02d-01\"\n      days: %d\n      region: eu-west-%d\n", i%12+1, i%30+1, team%3+1)
		} else {
			params = fmt.Sprintf("    parameters:\n      batch: %d\n      region: eu-west-%d\n      tables: [orders, customers, \"events_%d\"]\n      full_refresh: %t\n      notify: {channel: \"#team-%d\", on_failure: true}\n", 100+i%900, team%3+1, i, i%3 == 0, team)
		}
		if i < n-1 {
			b.WriteString(params)
		}
		if i%4 == 3 {
			b.WriteString("    work_pool:\n      <<: *docker_pool\n")
		} else {
			fmt.Fprintf(&b, "    work_pool:\n      <<: *k8s_pool\n      job_variables:\n        <<: *k8s_vars\n        env:\n          TEAM: team-%d\n          DEPLOYMENT: \"%d\"\n", team, i)
		}
		b.WriteString("    schedules:\n")
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, "      - *nightly\n      - cron: \"%d %d * * 1-5\"\n        timezone: Europe/London\n        active: true\n", i%60, i%24)
		case 1:
			fmt.Fprintf(&b, "      - *hourly\n      - interval: %d\n        anchor_date: \"2024-02-01T00:00:00\"\n        timezone: UTC\n", 600+i%3000)
		default:
			fmt.Fprintf(&b, "      - *weekdays\n      - rrule: \"FREQ=DAILY;BYHOUR=%d;BYMINUTE=%d\"\n        timezone: Asia/Tokyo\n", i%24, i%60)
		}
		if i%2 == 0 {
			fmt.Fprintf(&b, "    triggers:\n      - <<: *upstream_done\n        match:\n          prefect.resource.id: \"prefect.flow-run.*\"\n        match_related:\n          prefect.resource.id: \"prefect.deployment.etl-%04d\"\n", (i+1)%max(n, 1))
		}
		fmt.Fprintf(&b, "    pull:\n      - prefect.deployments.steps.git_clone:\n          repository: https://github.com/org/flows.git\n          branch: \"{{ $BRANCH }}\"\n      - prefect.deployments.steps.set_working_directory:\n          directory: /opt/prefect/flows/team-%d\n", team)
		if i == n-1 {
			// The last deployment's parameters end the file, where the
			// benchmarks' edits toggle the country.
			b.WriteString("    concurrency_limit: 2\n")
			b.WriteString(params)
		}
	}
	b.WriteString("      country: no\n")
	return b.String()
}
