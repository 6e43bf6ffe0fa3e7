package rules

import (
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
	"github.com/prefect-lsp/prefect-lsp/schema"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// quickCheckSchemas are the schemas quickCheck is asked about: the whole
// file, a deployment and each deployment property.
func quickCheckSchemas(t testing.TB) []*jsonschema.Schema {
	root, err := schema.Compile()
	if err != nil {
		t.Fatal(err)
	}
	dep, err := schema.CompileDeployment()
	if err != nil {
		t.Fatal(err)
	}
	out := []*jsonschema.Schema{root, dep}
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
		out = append(out, ps)
		if items, ok := arrayItems(ps); ok {
			out = append(out, items)
		}
	}
	return out
}

// checkQuickAgainstJSONSchema asks quickCheck and jsonschema about every
// node of text against every schema: whenever quickCheck decides, it must
// decide as jsonschema does.
func checkQuickAgainstJSONSchema(t testing.TB, name, text string, schemas []*jsonschema.Schema) (decided int) {
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
		for _, c := range n.Content {
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
			ls := lightOf(s)
			if ls == nil {
				t.Fatalf("no light schema for %s", s.Location)
			}
			q := quickCheck(ls, n, 0)
			if q == undecided {
				continue
			}
			decided++
			valid := s.Validate(inst) == nil
			if valid != (q == conforms) {
				t.Fatalf("%s: line %d (%q) against %s: quickCheck says conforms=%v, jsonschema says valid=%v", name, n.Line+1, doc.File.Slice(n.Span), s.Location, q == conforms, valid)
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
	if decided < 10000 {
		t.Errorf("quickCheck decided only %d cases; the comparison is too weak", decided)
	}
	t.Logf("%d files, %d decided cases agree", len(files), decided)
}

// TestLightSchemaMirrorsCompiled walks every subschema jsonschema compiles
// from prefect.schema.json and checks that the light schema at the same
// location has the same keywords, the same references and the same
// children, so that quickCheck on light schemas asks what jsonschema checks.
func TestLightSchemaMirrorsCompiled(t *testing.T) {
	root, err := schema.Compile()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[*jsonschema.Schema]bool{}
	count := 0
	var walk func(s *jsonschema.Schema)
	same := func(s *jsonschema.Schema, what string, c *jsonschema.Schema, l *lightSchema) {
		if (c == nil) != (l == nil) {
			t.Errorf("%s: %s: compiled %v, light %v", s.Location, what, c != nil, l != nil)
			return
		}
		if c != nil && lightOf(c) != l {
			t.Errorf("%s: %s leads to %s in jsonschema but to %q in the light schema", s.Location, what, c.Location, l.pointer)
		}
	}
	sameList := func(s *jsonschema.Schema, what string, c []*jsonschema.Schema, l []*lightSchema) {
		if len(c) != len(l) {
			t.Errorf("%s: %s: %d compiled, %d light", s.Location, what, len(c), len(l))
			return
		}
		for i := range c {
			same(s, what, c[i], l[i])
		}
	}
	walk = func(s *jsonschema.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		count++
		l := lightOf(s)
		if l == nil {
			t.Errorf("%s: no light schema", s.Location)
			return
		}
		if (s.Bool != nil) != (l.boolean != nil) || (s.Bool != nil && *s.Bool != *l.boolean) {
			t.Errorf("%s: boolean schema differs", s.Location)
		}
		if l.opaque {
			t.Logf("%s: opaque to quickCheck", s.Location)
		}
		var types []string
		if s.Types != nil {
			types = s.Types.ToStrings()
		}
		lt := append([]string(nil), l.types...)
		sort.Strings(types)
		sort.Strings(lt)
		if !reflect.DeepEqual(types, lt) && !(len(types) == 0 && len(lt) == 0) {
			t.Errorf("%s: types %v, light %v", s.Location, types, lt)
		}
		if (s.Enum != nil) != l.hasEnum || (s.Enum != nil && !reflect.DeepEqual(s.Enum.Values, l.enum)) {
			t.Errorf("%s: enum differs", s.Location)
		}
		if (s.Const != nil) != l.hasConst || (s.Const != nil && !reflect.DeepEqual(*s.Const, l.constant)) {
			t.Errorf("%s: const differs", s.Location)
		}
		if !reflect.DeepEqual(s.Required, l.required) && !(len(s.Required) == 0 && len(l.required) == 0) {
			t.Errorf("%s: required %v, light %v", s.Location, s.Required, l.required)
		}
		if (s.Pattern == nil) != (l.pattern == nil) || (s.Pattern != nil && s.Pattern.String() != l.pattern.String()) {
			t.Errorf("%s: pattern differs", s.Location)
		}
		ratEq := func(what string, a, b *big.Rat) {
			if (a == nil) != (b == nil) || (a != nil && a.Cmp(b) != 0) {
				t.Errorf("%s: %s differs", s.Location, what)
			}
		}
		ratEq("minimum", s.Minimum, l.minimum)
		ratEq("maximum", s.Maximum, l.maximum)
		ratEq("exclusiveMinimum", s.ExclusiveMinimum, l.exclusiveMinimum)
		ratEq("exclusiveMaximum", s.ExclusiveMaximum, l.exclusiveMax)
		intEq := func(what string, a, b *int) {
			if (a == nil) != (b == nil) || (a != nil && *a != *b) {
				t.Errorf("%s: %s differs", s.Location, what)
			}
		}
		intEq("minLength", s.MinLength, l.minLength)
		intEq("maxLength", s.MaxLength, l.maxLength)
		intEq("minProperties", s.MinProperties, l.minProperties)
		intEq("maxProperties", s.MaxProperties, l.maxProperties)
		intEq("minItems", s.MinItems, l.minItems)
		intEq("maxItems", s.MaxItems, l.maxItems)
		same(s, "$ref", s.Ref, l.ref)
		same(s, "not", s.Not, l.not)
		same(s, "if", s.If, l.ifS)
		same(s, "then", s.Then, l.thenS)
		same(s, "else", s.Else, l.elseS)
		same(s, "items", s.Items2020, l.items)
		sameList(s, "allOf", s.AllOf, l.allOf)
		sameList(s, "anyOf", s.AnyOf, l.anyOf)
		sameList(s, "oneOf", s.OneOf, l.oneOf)
		if len(s.Properties) != len(l.properties) {
			t.Errorf("%s: %d properties, light %d", s.Location, len(s.Properties), len(l.properties))
		}
		for name, ps := range s.Properties {
			same(s, "properties/"+name, ps, l.properties[name])
		}
		switch ap := s.AdditionalProperties.(type) {
		case nil:
			if l.additional != nil {
				t.Errorf("%s: additionalProperties only in the light schema", s.Location)
			}
		case bool:
			if l.additional == nil || l.additional.boolean == nil || *l.additional.boolean != ap {
				t.Errorf("%s: additionalProperties %v differs", s.Location, ap)
			}
		case *jsonschema.Schema:
			same(s, "additionalProperties", ap, l.additional)
		}
		for _, c := range []*jsonschema.Schema{s.Ref, s.Not, s.If, s.Then, s.Else, s.Items2020} {
			walk(c)
		}
		for _, l := range [][]*jsonschema.Schema{s.AllOf, s.AnyOf, s.OneOf} {
			for _, c := range l {
				walk(c)
			}
		}
		for _, c := range s.Properties {
			walk(c)
		}
		if ap, ok := s.AdditionalProperties.(*jsonschema.Schema); ok {
			walk(ap)
		}
	}
	walk(root)
	if count < 100 {
		t.Fatalf("walked only %d subschemas", count)
	}
	lp := lightPrefectSchema()
	dep, _ := schema.CompileDeployment()
	if lightOf(dep) != lp.deployment {
		t.Errorf("the light deployment schema is not $defs/deployment")
	}
	t.Logf("%d compiled subschemas mirrored", count)
}

func FuzzQuickCheck(f *testing.F) {
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

// TestLightAtMirrorsSchemaIndex holds the light schemas' path lookup (used
// by yaml11-scalar) to schemanav's lookup on the compiled schema, on every
// scalar path of the test inputs and the corpus.
func TestLightAtMirrorsSchemaIndex(t *testing.T) {
	idx := schema.Index()
	lp := lightPrefectSchema()
	var files []string
	for _, pattern := range []string{"testdata/*/*.yaml", "../../../../shared/corpus/real/*.yaml"} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	paths := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc := yamlsyntax.Parse("prefect.yaml", string(data))
		walkScalarPaths(doc.Root, nil, func(_ *yamlsyntax.Node, path []string) {
			paths++
			want := idx.At(path)
			got := lp.at(path)
			if len(want) != len(got) {
				t.Fatalf("%s: %v: %d compiled schemas, %d light", f, path, len(want), len(got))
			}
			for i := range want {
				if lightOf(want[i]) != got[i] {
					t.Fatalf("%s: %v: schema %d is %s, light %q", f, path, i, want[i].Location, got[i].pointer)
				}
			}
		})
	}
	if paths < 1000 {
		t.Fatalf("only %d paths", paths)
	}
}
