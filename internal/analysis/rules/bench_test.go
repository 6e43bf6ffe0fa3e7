package rules

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prefect-lsp/prefect-lsp/internal/benchgen"
	"github.com/prefect-lsp/prefect-lsp/internal/pyflow"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	yaml "go.yaml.in/yaml/v4"
)

// GenerateProject returns a prefect.yaml with n deployments that use
// anchors, merge keys, schedules, steps and placeholders, like real files.
func GenerateProject(n int) string {
	var b strings.Builder
	b.WriteString("prefect-version: \"3.4.0\"\nname: bench\n")
	b.WriteString("definitions:\n  work_pools:\n    k8s: &k8s\n      name: k8s\n      job_variables:\n        image: \"{{ build-image.image }}\"\n        env:\n          MODE: prod\n")
	b.WriteString("  schedules:\n    nightly: &nightly\n      cron: \"0 4 * * *\"\n      timezone: Europe/Paris\n")
	b.WriteString("build:\n  - prefect_docker.deployments.steps.build_docker_image:\n      id: build-image\n      image_name: registry.example.com/bench\n      tag: latest\n")
	b.WriteString("push:\n  - prefect_docker.deployments.steps.push_docker_image:\n      image_name: \"{{ build-image.image_name }}\"\n      tag: \"{{ build-image.tag }}\"\n")
	b.WriteString("pull:\n  - prefect.deployments.steps.git_clone:\n      repository: https://github.com/example/bench.git\n      branch: main\n")
	b.WriteString("deployments:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  - name: deployment-%d\n    version: \"1.%d\"\n    tags: [bench, \"team-%d\"]\n    description: Deployment number %d\n    entrypoint: flows/etl_%d.py:etl\n", i, i, i%7, i, i%13)
		fmt.Fprintf(&b, "    parameters:\n      day: %d\n      region: eu-west-%d\n    schedules:\n      - *nightly\n      - interval: %d\n    work_pool: *k8s\n", i%28, i%3, 600+i)
	}
	return b.String()
}

func benchmarkAnalyze(b *testing.B, n int) { benchmarkRun(b, n, false) }

func benchmarkRun(b *testing.B, n int, cold bool) {
	text := GenerateProject(n)
	rules := All()
	cfg := &config.Config{Root: b.TempDir()}
	// One environment for all runs, as the language server keeps one, with
	// the flow index trusting its cache as it does when the editor watches
	// files (VS Code, Neovim).
	env := &analysis.Env{Values: map[string]any{FlowProjectKey: trustingProject()}}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if cold {
			deploymentVerdicts.Lock()
			deploymentVerdicts.m = map[string][]*jsonschema.ValidationError{}
			deploymentVerdicts.Unlock()
		}
		res := analysis.Run(context.Background(), analysis.Input{Path: cfg.Root + "/prefect.yaml", Text: text, Config: cfg, Env: env}, rules)
		if len(res.RuleErrors) > 0 {
			b.Fatal(res.RuleErrors)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/deployment")
}

func trustingProject() *pyflow.Project {
	p := pyflow.NewProject()
	p.TrustCache(true)
	return p
}

// BenchmarkAnalyzeVsBareParse alternates a first analysis (cold verdict
// cache) and a bare parse of the same file, so that both see the same
// machine state, and reports their ratio (x-bare): the figure the speed
// target is about. A shared machine drifts by ±30% between separate
// benchmarks; the interleaved ratio does not.
func BenchmarkAnalyzeVsBareParse(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("deployments=%d", n), func(b *testing.B) {
			text := GenerateProject(n)
			raw := []byte(text)
			rules := All()
			cfg := &config.Config{Root: b.TempDir()}
			env := &analysis.Env{Values: map[string]any{FlowProjectKey: trustingProject()}}
			var analyse, bare time.Duration
			for i := 0; i < b.N; i++ {
				deploymentVerdicts.Lock()
				deploymentVerdicts.m = map[string][]*jsonschema.ValidationError{}
				deploymentVerdicts.Unlock()
				t0 := time.Now()
				analysis.Run(context.Background(), analysis.Input{Path: cfg.Root + "/prefect.yaml", Text: text, Config: cfg, Env: env}, rules)
				t1 := time.Now()
				var node yaml.Node
				l, _ := yaml.NewLoader(bytes.NewReader(raw))
				if err := l.Load(&node); err != nil {
					b.Fatal(err)
				}
				bare += time.Since(t1)
				analyse += t1.Sub(t0)
			}
			b.ReportMetric(float64(analyse.Nanoseconds())/float64(b.N), "analysis-ns/op")
			b.ReportMetric(float64(bare.Nanoseconds())/float64(b.N), "bare-ns/op")
			b.ReportMetric(float64(analyse)/float64(bare), "x-bare")
		})
	}
}

func benchmarkBareParse(b *testing.B, n int) {
	text := []byte(GenerateProject(n))
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var node yaml.Node
		l, err := yaml.NewLoader(bytes.NewReader(text))
		if err != nil {
			b.Fatal(err)
		}
		if err := l.Load(&node); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/deployment")
}

// BenchmarkAnalyze compares the whole analysis (all rules) with a bare
// go.yaml.in/yaml/v4 parse of the same file into a Node:
//
//	go test -run XXX -bench 'Analyze|BareParse' -benchmem ./internal/analysis/rules
func BenchmarkAnalyze(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("deployments=%d", n), func(b *testing.B) { benchmarkAnalyze(b, n) })
	}
}

// BenchmarkAnalyzeCold is BenchmarkAnalyze without reusing schema verdicts
// of unchanged deployments: the first analysis of a file (what `check`
// does). BenchmarkAnalyze is a re-analysis after an edit (what the
// language server does on every change).
func BenchmarkAnalyzeCold(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("deployments=%d", n), func(b *testing.B) { benchmarkRun(b, n, true) })
	}
}

func BenchmarkBareParse(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("deployments=%d", n), func(b *testing.B) { benchmarkBareParse(b, n) })
	}
}

// BenchmarkAnalyzeRealistic analyses benchgen's realistic projects (about
// 900 bytes a deployment: schedules through aliases, triggers, pull steps,
// merge keys, placeholders) with their flow files on disk, so that the
// flow-code rules read them: first analyses (cold verdict cache, what
// opening the file costs) and re-analyses (warm, what an edit costs).
// For profiles:
//
//	go test -run XXX -bench 'AnalyzeRealistic/warm/deployments=1000' -cpuprofile cpu.out -memprofile mem.out ./internal/analysis/rules
func BenchmarkAnalyzeRealistic(b *testing.B) {
	for _, cold := range []bool{false, true} {
		for _, n := range []int{100, 1000, 5000} {
			name := fmt.Sprintf("warm/deployments=%d", n)
			if cold {
				name = fmt.Sprintf("cold/deployments=%d", n)
			}
			b.Run(name, func(b *testing.B) {
				project := benchgen.Generate(benchgen.Realistic, n)
				path, err := project.WriteTo(b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				cfg := &config.Config{Root: filepath.Dir(path)}
				env := &analysis.Env{Values: map[string]any{FlowProjectKey: trustingProject()}}
				rules := All()
				b.SetBytes(int64(len(project.YAML)))
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if cold {
						deploymentVerdicts.Lock()
						deploymentVerdicts.m = map[string][]*jsonschema.ValidationError{}
						deploymentVerdicts.Unlock()
					}
					res := analysis.Run(context.Background(), analysis.Input{Path: path, Text: project.YAML, Config: cfg, Env: env}, rules)
					if len(res.RuleErrors) > 0 {
						b.Fatal(res.RuleErrors)
					}
				}
			})
		}
	}
}
