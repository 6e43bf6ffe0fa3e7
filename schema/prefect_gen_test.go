package schema

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/codegen"
	"github.com/prefect-lsp/prefect-lsp/internal/schemanav"
)

var updateIndex = flag.Bool("update-index", false, "rewrite prefect_gen.go from prefect.schema.json")

const indexCommand = "go test ./schema -run TestIndexGenerated -update-index"

// genChunk is how many schemas one generated function builds.
const genChunk = 8

// TestIndexGenerated holds prefect_gen.go equal to what schemanav.Load
// reads from prefect.schema.json today. (TestIndexMirrorsCompiled then
// checks those schemas against jsonschema's compilation.)
func TestIndexGenerated(t *testing.T) {
	d, err := schemanav.Load(PrefectSchema)
	if err != nil {
		t.Fatal(err)
	}
	src, err := indexSource(d)
	if err != nil {
		t.Fatal(err)
	}
	if *updateIndex {
		if err := os.WriteFile("prefect_gen.go", src, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	disk, err := os.ReadFile("prefect_gen.go")
	if err != nil || string(disk) != string(src) {
		t.Fatalf("prefect_gen.go is stale; run %s", indexCommand)
	}
}

// indexSource writes a Go function that builds d's schemas.
func indexSource(d *schemanav.Document) ([]byte, error) {
	all := d.Schemas()
	sort.Slice(all, func(i, j int) bool { return all[i].Pointer < all[j].Pointer })
	index := map[*schemanav.Schema]int{}
	for i, s := range all {
		index[s] = i
	}
	ref := func(s *schemanav.Schema) string { return "&s[" + strconv.Itoa(index[s]) + "]" }
	refs := func(l []*schemanav.Schema) string {
		parts := make([]string, len(l))
		for i, s := range l {
			parts[i] = ref(s)
		}
		return "[]*schemanav.Schema{" + strings.Join(parts, ", ") + "}"
	}
	imports := map[string]bool{}
	lit := func(v any) (string, error) {
		l, err := codegen.Literal(v)
		if strings.Contains(l, "json.Number") {
			imports["encoding/json"] = true
		}
		return l, err
	}
	q := strconv.Quote
	var body strings.Builder
	for i, s := range all {
		var f []string
		add := func(format string, args ...any) { f = append(f, fmt.Sprintf(format, args...)) }
		add("Pointer: %s", q(s.Pointer))
		if s.Bool != nil {
			add("Bool: schemanav.BoolOf(%t)", *s.Bool)
		}
		if s.Opaque {
			add("Opaque: true")
		}
		if s.Types != nil {
			add("Types: %s", codegen.Strings(s.Types))
		}
		if s.HasConst {
			l, err := lit(s.Const)
			if err != nil {
				return nil, err
			}
			add("HasConst: true, Const: %s", l)
		}
		if s.HasEnum {
			l, err := lit(s.Enum)
			if err != nil {
				return nil, err
			}
			add("HasEnum: true, Enum: %s", l)
		}
		for _, c := range []struct {
			name string
			s    *schemanav.Schema
		}{{"Ref", s.Ref}, {"Not", s.Not}, {"If", s.If}, {"Then", s.Then}, {"Else", s.Else}, {"AdditionalProperties", s.AdditionalProperties}, {"Items", s.Items}} {
			if c.s != nil {
				add("%s: %s", c.name, ref(c.s))
			}
		}
		for _, c := range []struct {
			name string
			l    []*schemanav.Schema
		}{{"AllOf", s.AllOf}, {"AnyOf", s.AnyOf}, {"OneOf", s.OneOf}} {
			if c.l != nil {
				add("%s: %s", c.name, refs(c.l))
			}
		}
		for _, c := range []struct {
			name string
			n    *int
		}{{"MinLength", s.MinLength}, {"MaxLength", s.MaxLength}, {"MinProperties", s.MinProperties}, {"MaxProperties", s.MaxProperties}, {"MinItems", s.MinItems}, {"MaxItems", s.MaxItems}} {
			if c.n != nil {
				add("%s: schemanav.IntOf(%d)", c.name, *c.n)
			}
		}
		for _, c := range []struct {
			name string
			r    interface{ RatString() string }
			set  bool
		}{{"Minimum", s.Minimum, s.Minimum != nil}, {"Maximum", s.Maximum, s.Maximum != nil}, {"ExclusiveMinimum", s.ExclusiveMinimum, s.ExclusiveMinimum != nil}, {"ExclusiveMaximum", s.ExclusiveMaximum, s.ExclusiveMaximum != nil}} {
			if c.set {
				add("%s: schemanav.RatOf(%s)", c.name, q(c.r.RatString()))
			}
		}
		if s.Pattern != nil {
			imports["regexp"] = true
			add("Pattern: regexp.MustCompile(%s)", q(s.Pattern.String()))
		}
		if s.Properties != nil {
			names := make([]string, 0, len(s.Properties))
			for n := range s.Properties {
				names = append(names, n)
			}
			sort.Strings(names)
			parts := make([]string, len(names))
			for j, n := range names {
				parts[j] = q(n) + ": " + ref(s.Properties[n])
			}
			add("Properties: map[string]*schemanav.Schema{%s}", strings.Join(parts, ", "))
		}
		if s.PatternProperties != nil {
			imports["regexp"] = true
			parts := make([]string, len(s.PatternProperties))
			for j, pp := range s.PatternProperties {
				parts[j] = fmt.Sprintf("{Pattern: regexp.MustCompile(%s), Schema: %s}", q(pp.Pattern.String()), ref(pp.Schema))
			}
			add("PatternProperties: []schemanav.PatternProperty{%s}", strings.Join(parts, ", "))
		}
		if s.Required != nil {
			add("Required: %s", codegen.Strings(s.Required))
		}
		if s.Title != "" {
			add("Title: %s", q(s.Title))
		}
		if s.Description != "" {
			add("Description: %s", q(s.Description))
		}
		if s.DocsURL != "" {
			add("DocsURL: %s", q(s.DocsURL))
		}
		if s.HasDefault {
			l, err := lit(s.Default)
			if err != nil {
				return nil, err
			}
			add("HasDefault: true, Default: %s", l)
		}
		if s.Examples != nil {
			l, err := lit(s.Examples)
			if err != nil {
				return nil, err
			}
			add("Examples: %s", l)
		}
		if s.Deprecated {
			add("Deprecated: true")
		}
		// Small functions of a few schemas each: one function holding every
		// assignment would carry a stack map as large as its frame at each
		// of its thousands of calls (megabytes of binary).
		if i%genChunk == 0 {
			if i > 0 {
				body.WriteString("}\n\n")
			}
			fmt.Fprintf(&body, "func generatedPrefect%d(s []schemanav.Schema) {\n", i/genChunk)
		}
		fmt.Fprintf(&body, "\ts[%d] = schemanav.Schema{%s}\n", i, strings.Join(f, ",\n"))
	}
	if len(all) > 0 {
		body.WriteString("}\n")
	}
	var b strings.Builder
	b.WriteString(codegen.Header("schema", indexCommand))
	b.WriteString("import (\n")
	for _, imp := range []string{"encoding/json", "regexp"} {
		if imports[imp] {
			b.WriteString("\t" + q(imp) + "\n")
		}
	}
	b.WriteString("\n\t\"github.com/prefect-lsp/prefect-lsp/internal/schemanav\"\n)\n\n")
	b.WriteString("// generatedPrefect is schemanav.Load(PrefectSchema), built without\n// decoding JSON.\n")
	fmt.Fprintf(&b, "func generatedPrefect() *schemanav.Document {\n\ts := make([]schemanav.Schema, %d)\n", len(all))
	for c := 0; c*genChunk < len(all); c++ {
		fmt.Fprintf(&b, "\tgeneratedPrefect%d(s)\n", c)
	}
	b.WriteString("\tall := make([]*schemanav.Schema, len(s))\n\tfor i := range s {\n\t\tall[i] = &s[i]\n\t}\n\treturn schemanav.NewDocument(all)\n}\n\n")
	b.WriteString(body.String())
	return codegen.Format(b.String())
}
