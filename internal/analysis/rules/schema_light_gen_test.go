package rules

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/codegen"
	"github.com/prefect-lsp/prefect-lsp/schema"
)

var updateLight = flag.Bool("update-light", false, "rewrite schema_light_gen.go from prefect.schema.json")

const lightCommand = "go test ./internal/analysis/rules -run TestLightSchemaGenerated -update-light"

// TestLightSchemaGenerated holds schema_light_gen.go equal to what loadLight
// builds from prefect.schema.json today. (TestLightSchemaMirrorsCompiled
// then checks the generated schemas against jsonschema's compilation.)
func TestLightSchemaGenerated(t *testing.T) {
	d, err := loadLight(schema.PrefectSchema)
	if err != nil {
		t.Fatal(err)
	}
	src, err := lightSource(d)
	if err != nil {
		t.Fatal(err)
	}
	if *updateLight {
		if err := os.WriteFile("schema_light_gen.go", src, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	disk, err := os.ReadFile("schema_light_gen.go")
	if err != nil || string(disk) != string(src) {
		t.Fatalf("schema_light_gen.go is stale; run %s", lightCommand)
	}
}

func lightSource(d *lightDocument) ([]byte, error) {
	pointers := make([]string, 0, len(d.at))
	for p := range d.at {
		pointers = append(pointers, p)
	}
	sort.Strings(pointers)
	index := map[*lightSchema]int{}
	for i, p := range pointers {
		index[d.at[p]] = i
	}
	ref := func(s *lightSchema) string {
		if s == nil {
			return "nil"
		}
		return "&s[" + strconv.Itoa(index[s]) + "]"
	}
	refs := func(l []*lightSchema) string {
		parts := make([]string, len(l))
		for i, s := range l {
			parts[i] = ref(s)
		}
		return "[]*lightSchema{" + strings.Join(parts, ", ") + "}"
	}
	imports := map[string]bool{}
	var body strings.Builder
	for i, p := range pointers {
		s := d.at[p]
		var f []string
		add := func(format string, args ...any) { f = append(f, fmt.Sprintf(format, args...)) }
		add("pointer: %s", strconv.Quote(s.pointer))
		if s.boolean != nil {
			add("boolean: lightBool(%t)", *s.boolean)
		}
		if s.opaque {
			add("opaque: true")
		}
		if s.types != nil {
			add("types: %s", codegen.Strings(s.types))
		}
		lit := func(v any) (string, error) {
			l, err := codegen.Literal(v)
			if strings.Contains(l, "json.Number") {
				imports["encoding/json"] = true
			}
			return l, err
		}
		if s.hasConst {
			l, err := lit(s.constant)
			if err != nil {
				return nil, err
			}
			add("hasConst: true, constant: %s", l)
		}
		if s.hasEnum {
			l, err := lit(s.enum)
			if err != nil {
				return nil, err
			}
			add("hasEnum: true, enum: %s", l)
		}
		for _, c := range []struct {
			name string
			s    *lightSchema
		}{{"ref", s.ref}, {"not", s.not}, {"ifS", s.ifS}, {"thenS", s.thenS}, {"elseS", s.elseS}, {"additional", s.additional}, {"items", s.items}} {
			if c.s != nil {
				add("%s: %s", c.name, ref(c.s))
			}
		}
		for _, c := range []struct {
			name string
			l    []*lightSchema
		}{{"allOf", s.allOf}, {"anyOf", s.anyOf}, {"oneOf", s.oneOf}} {
			if c.l != nil {
				add("%s: %s", c.name, refs(c.l))
			}
		}
		for _, c := range []struct {
			name string
			n    *int
		}{{"minLength", s.minLength}, {"maxLength", s.maxLength}, {"minProperties", s.minProperties}, {"maxProperties", s.maxProperties}, {"minItems", s.minItems}, {"maxItems", s.maxItems}} {
			if c.n != nil {
				add("%s: lightInt(%d)", c.name, *c.n)
			}
		}
		for _, c := range []struct {
			name string
			r    interface{ RatString() string }
			set  bool
		}{{"minimum", s.minimum, s.minimum != nil}, {"maximum", s.maximum, s.maximum != nil}, {"exclusiveMinimum", s.exclusiveMinimum, s.exclusiveMinimum != nil}, {"exclusiveMax", s.exclusiveMax, s.exclusiveMax != nil}} {
			if c.set {
				add("%s: lightRat(%s)", c.name, strconv.Quote(c.r.RatString()))
			}
		}
		if s.pattern != nil {
			imports["regexp"] = true
			add("pattern: regexp.MustCompile(%s)", strconv.Quote(s.pattern.String()))
		}
		if s.properties != nil {
			names := make([]string, 0, len(s.properties))
			for n := range s.properties {
				names = append(names, n)
			}
			sort.Strings(names)
			parts := make([]string, len(names))
			for j, n := range names {
				parts[j] = strconv.Quote(n) + ": " + ref(s.properties[n])
			}
			add("properties: map[string]*lightSchema{%s}", strings.Join(parts, ", "))
		}
		if s.required != nil {
			add("required: %s", codegen.Strings(s.required))
		}
		fmt.Fprintf(&body, "\ts[%d] = lightSchema{%s}\n", i, strings.Join(f, ", "))
	}
	var b strings.Builder
	b.WriteString(codegen.Header("rules", lightCommand))
	if len(imports) > 0 {
		b.WriteString("import (\n")
		for _, imp := range []string{"encoding/json", "regexp"} {
			if imports[imp] {
				b.WriteString("\t" + strconv.Quote(imp) + "\n")
			}
		}
		b.WriteString(")\n\n")
	}
	b.WriteString("// generatedLightDocument is loadLight(schema.PrefectSchema), built without\n// decoding JSON.\n")
	fmt.Fprintf(&b, "func generatedLightDocument() *lightDocument {\n\ts := make([]lightSchema, %d)\n", len(pointers))
	b.WriteString(body.String())
	b.WriteString("\td := &lightDocument{at: make(map[string]*lightSchema, len(s))}\n\tfor i := range s {\n\t\td.at[s[i].pointer] = &s[i]\n\t}\n\treturn d\n}\n")
	return codegen.Format(b.String())
}
