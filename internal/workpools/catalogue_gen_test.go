package workpools

import (
	"flag"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/codegen"
)

var updateCatalogue = flag.Bool("update-catalogue", false, "rewrite catalogue_gen.go from the schema files")

const catalogueCommand = "go test ./internal/workpools -run TestCatalogueGenerated -update-catalogue"

// TestCatalogueGenerated holds catalogue_gen.go equal to the catalogue read
// from the schema files: the generated source must be what the generator
// writes today, and its types must equal buildTypes' field by field.
func TestCatalogueGenerated(t *testing.T) {
	types, err := buildTypes()
	if err != nil {
		t.Fatal(err)
	}
	src, err := catalogueSource(types)
	if err != nil {
		t.Fatal(err)
	}
	if *updateCatalogue {
		if err := os.WriteFile("catalogue_gen.go", src, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	disk, err := os.ReadFile("catalogue_gen.go")
	if err != nil || string(disk) != string(src) {
		t.Fatalf("catalogue_gen.go is stale; run %s", catalogueCommand)
	}
	if got := generatedTypes(); !reflect.DeepEqual(got, types) {
		for i := range types {
			if i < len(got) && !reflect.DeepEqual(got[i], types[i]) {
				t.Errorf("generated %s differs from its schema file:\n%#v\n%#v", types[i].Name, got[i], types[i])
			}
		}
		t.Fatal("the generated catalogue differs from the schema files")
	}
}

var kindNames = map[Kind]string{Hybrid: "Hybrid", Push: "Push", Managed: "Managed", Legacy: "Legacy"}

func catalogueSource(types []*Type) ([]byte, error) {
	var b strings.Builder
	b.WriteString(codegen.Header("workpools", catalogueCommand))
	b.WriteString("// generatedTypes is the catalogue as read from schema/workpools.\n")
	b.WriteString("func generatedTypes() []*Type {\n\treturn []*Type{\n")
	q := strconv.Quote
	for _, t := range types {
		fmt.Fprintf(&b, "{Name: %s, Kind: %s, NeedsWorker: %t, Serverless: %t, CloudOnly: %t, RunsRemotely: %t,\n", q(t.Name), kindNames[t.Kind], t.NeedsWorker, t.Serverless, t.CloudOnly, t.RunsRemotely)
		fmt.Fprintf(&b, "Package: %s, PushVariant: %s, HybridVariant: %s, DocsURL: %s, VariablesComplete: %t,\n", q(t.Package), q(t.PushVariant), q(t.HybridVariant), q(t.DocsURL), t.VariablesComplete)
		fmt.Fprintf(&b, "Summary: %s,\nVariables: []Variable{\n", q(t.Summary))
		for _, v := range t.Variables {
			def, err := codegen.Literal(v.Default)
			if err != nil {
				return nil, fmt.Errorf("%s.%s default: %w", t.Name, v.Name, err)
			}
			fmt.Fprintf(&b, "{Name: %s, Type: %s, Required: %t, BlockType: %s, Pattern: %s, Newer: %t,\n", q(v.Name), q(v.Type), v.Required, q(v.BlockType), q(v.Pattern), v.Newer)
			fmt.Fprintf(&b, "Enum: %s, Aliases: %s, Default: %s,\nDescription: %s},\n", codegen.Strings(v.Enum), codegen.Strings(v.Aliases), def, q(v.Description))
		}
		b.WriteString("}},\n")
	}
	b.WriteString("}\n}\n")
	return codegen.Format(b.String())
}
