package rules

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/benchgen"
	"github.com/prefect-lsp/prefect-lsp/internal/schemanav"
	"github.com/prefect-lsp/prefect-lsp/internal/workpools"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
	"github.com/prefect-lsp/prefect-lsp/schema"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// quickPair is a compiled schema and the schemanav schema at its location.
type quickPair struct {
	compiled *jsonschema.Schema
	nav      *schemanav.Schema
}

// quickCheckSchemas are the schemas quickCheck is asked about: the whole
// file, a deployment and each deployment property; and each work-pool
// type's job_variables (which holds its properties) and patternProperties.
func quickCheckSchemas(t testing.TB) []quickPair {
	root, err := schema.Compile()
	if err != nil {
		t.Fatal(err)
	}
	dep, err := schema.CompileDeployment()
	if err != nil {
		t.Fatal(err)
	}
	main := []*jsonschema.Schema{root, dep}
	var names []string
	for name := range dep.Properties {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		ps, ok := schema.DeploymentProperty(name)
		if !ok {
			t.Fatalf("no schema for deployment property %s", name)
		}
		main = append(main, ps)
		if items, ok := arrayItems(ps); ok {
			main = append(main, items)
		}
	}
	var out []quickPair
	for _, s := range main {
		ls := schema.Navigable(s)
		if ls == nil {
			t.Fatalf("no schemanav schema for %s", s.Location)
		}
		out = append(out, quickPair{s, ls})
	}
	for _, ty := range workpools.All() {
		c, err := workpools.Schema(ty.Name)
		if err != nil {
			t.Fatal(err)
		}
		nav := workpools.Navigable(ty.Name)
		if nav == nil || nav.Opaque {
			t.Fatalf("%s: no transparent schemanav schema for the job variables", ty.Name)
		}
		out = append(out, quickPair{c, nav})
		for _, pp := range nav.PatternProperties {
			for re, ps := range c.PatternProperties {
				if re.String() == pp.Pattern.String() {
					out = append(out, quickPair{ps, pp.Schema})
				}
			}
		}
		if len(c.PatternProperties) != len(nav.PatternProperties) {
			t.Fatalf("%s: %d patternProperties compiled, %d in schemanav", ty.Name, len(c.PatternProperties), len(nav.PatternProperties))
		}
	}
	return out
}

// checkQuickAgainstJSONSchema asks quickCheck and jsonschema about every
// node of text against every schema: whenever quickCheck decides, it must
// decide as jsonschema does.
func checkQuickAgainstJSONSchema(t testing.TB, name, text string, schemas []quickPair) (decided int) {
	doc := yamlsyntax.Parse("prefect.yaml", text)
	if doc.Root == nil || !doc.Loadable {
		return 0
	}
	var nodes []*yamlsyntax.Node
	var walk func(n *yamlsyntax.Node, depth int)
	walk = func(n *yamlsyntax.Node, depth int) {
		if n == nil || depth > 40 || len(nodes) > 2000 {
			return
		}
		nodes = append(nodes, n)
		for _, c := range n.Content() {
			walk(c, depth+1)
		}
	}
	walk(doc.Root, 0)
	for _, n := range nodes {
		inst, err := yamlsyntax.Value(n)
		if err != nil {
			continue
		}
		for _, s := range schemas {
			if s.nav == nil {
				t.Fatalf("no schemanav schema for %s", s.compiled.Location)
			}
			q := quickCheck(s.nav, n, 0)
			if q == undecided {
				continue
			}
			decided++
			valid := s.compiled.Validate(inst) == nil
			if valid != (q == conforms) {
				t.Fatalf("%s: line %d (%q) against %s: quickCheck says conforms=%v, jsonschema says valid=%v", name, n.Line+1, doc.File.Slice(n.Span), s.compiled.Location, q == conforms, valid)
			}
		}
	}
	return decided
}

func TestQuickCheckAgreesWithJSONSchema(t *testing.T) {
	schemas := quickCheckSchemas(t)
	var files []string
	for _, pattern := range []string{"testdata/*/*.yaml", "../../../../shared/corpus/real/*.yaml", "testdata/fuzz/FuzzAnalyze/*"} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	if len(files) < 40 {
		t.Fatalf("only %d inputs found", len(files))
	}
	decided := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		decided += checkQuickAgainstJSONSchema(t, f, string(data), schemas)
	}
	decided += checkQuickAgainstJSONSchema(t, "generated", GenerateProject(20), schemas)
	decided += checkQuickAgainstJSONSchema(t, "realistic", benchgen.Generate(benchgen.Realistic, 40).YAML, schemas)
	decided += checkQuickAgainstJSONSchema(t, "job variables", jobVariablesSample, schemas)
	if decided < 10000 {
		t.Errorf("quickCheck decided only %d cases; the comparison is too weak", decided)
	}
	t.Logf("%d files, %d decided cases agree", len(files), decided)
}

// jobVariablesSample holds job_variables that the pool schemas' properties
// and patternProperties (dotted keys) accept and reject.
const jobVariablesSample = `deployments:
  - name: a
    work_pool:
      name: p
      job_variables:
        image: "{{ build.image }}"
        env.TEAM: data
        env.PORT: 8080
        labels.team: x
        annotations.a/b: "1"
        container_create_kwargs.privileged: true
        network_configuration.subnets: [a, b]
        cloudwatch_logs_options.x: 1
        namespace: 5
        cpu: 500m
        memory: 1024
        env: {A: "1", B: 2}
        foo.bar: 1
        env.: x
        env.a.b: c
  - name: b
    work_pool:
      name: q
      job_variables: {env.X: "{{ prefect.variables.x }}", labels: {a: b}, image_pull_policy: Always, stream_output: yes}
  - name: c
    work_pool:
      name: r
      job_variables: {env.X: y, labels.: z, scheduling.strategy: SPOT, additional_coiled_options.x: [1]}
`

func FuzzQuickCheck(f *testing.F) {
	f.Add(jobVariablesSample)
	f.Add("deployments:\n  - name: a\n    schedules:\n      - interval: 0\n      - cron: '* * * * *'\n        interval: 5\n")
	f.Add("deployments:\n  - name: a\n    concurrency_limit: {limit: -1, collision_strategy: CANCEL_NEW}\n    work_pool: {name: p, job_variables: {}}\n")
	seeds, _ := filepath.Glob("testdata/*/*.yaml")
	for _, path := range seeds {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(string(data))
		}
	}
	schemas := quickCheckSchemas(f)
	f.Fuzz(func(t *testing.T, s string) {
		checkQuickAgainstJSONSchema(t, "fuzz", s, schemas)
	})
}
