package yamlsyntax

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/benchgen"

	yaml "go.yaml.in/yaml/v4"
)

// benchText is a prefect.yaml of n deployments with anchors, aliases,
// merge keys, flow sequences and quoted scalars.
func benchText(n int) string {
	var b strings.Builder
	b.WriteString("prefect-version: \"3.4.0\"\nname: bench\n")
	b.WriteString("definitions:\n  work_pools:\n    k8s: &k8s\n      name: k8s\n      job_variables:\n        image: \"{{ build-image.image }}\"\n        env:\n          MODE: prod\n")
	b.WriteString("  schedules:\n    nightly: &nightly\n      cron: \"0 4 * * *\"\n      timezone: Europe/Paris\n")
	b.WriteString("deployments:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  - name: deployment-%d\n    version: \"1.%d\"\n    tags: [bench, \"team-%d\"]\n    description: Deployment number %d\n    entrypoint: flows/etl_%d.py:etl\n", i, i, i%7, i, i%13)
		fmt.Fprintf(&b, "    parameters:\n      day: %d\n      region: eu-west-%d\n    schedules:\n      - *nightly\n      - interval: %d\n    work_pool:\n      <<: *k8s\n      name: pool-%d\n", i%28, i%3, 600+i, i%4)
	}
	return b.String()
}

// BenchmarkParse compares Parse (go.yaml.in/yaml/v4 plus spans, YAML 1.1
// resolution and merges) with the bare yaml.Node load it is built on, on
// the compact files of benchText and on realistic ones (benchgen's mix of
// schedules, triggers, pull steps and merges, about 900 bytes a
// deployment). "whole" is Parse with a large text loaded whole instead of
// in parts.
func BenchmarkParse(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		for _, shape := range []struct{ name, text string }{
			{"", benchText(n)},
			{"realistic/", benchgen.Generate(benchgen.Realistic, n).YAML},
		} {
			text := shape.text
			b.Run(fmt.Sprintf("ours/%sdeployments=%d", shape.name, n), func(b *testing.B) {
				benchParse(b, text)
			})
			b.Run(fmt.Sprintf("whole/%sdeployments=%d", shape.name, n), func(b *testing.B) {
				saved := partsFor
				defer func() { partsFor = saved }()
				partsFor = func(int) int { return 1 }
				benchParse(b, text)
			})
			b.Run(fmt.Sprintf("bare/%sdeployments=%d", shape.name, n), func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				b.ReportAllocs()
				for b.Loop() {
					var node yaml.Node
					l, _ := yaml.NewLoader(bytes.NewReader([]byte(text)))
					if err := l.Load(&node); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func benchParse(b *testing.B, text string) {
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if d := Parse("prefect.yaml", text); d.Root == nil {
			b.Fatal(d.Problems)
		}
	}
}
