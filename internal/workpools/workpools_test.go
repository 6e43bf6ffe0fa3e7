package workpools

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	schemafs "github.com/prefect-lsp/prefect-lsp/schema/workpools"
)

var wantTypes = []string{
	"process", "docker", "kubernetes", "ecs", "cloud-run", "cloud-run-v2", "vertex-ai",
	"azure-container-instance", "coiled",
	"ecs:push", "cloud-run:push", "cloud-run-v2:push", "azure-container-instance:push", "modal:push", "coiled:push",
	"prefect:managed", "prefect-agent",
}

func TestCatalogueLoads(t *testing.T) {
	if _, err := buildTypes(); err != nil {
		t.Fatal(err)
	}
	if got := Names(); !reflect.DeepEqual(got, wantTypes) {
		t.Fatalf("Names() = %v\nwant %v", got, wantTypes)
	}
	// Every embedded schema file belongs to a catalogued type.
	files, err := fs.Glob(schemafs.FS, "*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		found := false
		for _, n := range wantTypes {
			if FileName(n) == f {
				found = true
			}
		}
		if !found {
			t.Errorf("schema file %s has no catalogue entry", f)
		}
	}
}

func TestEveryTypeHasCompilingSchemaAndBaseVariables(t *testing.T) {
	for _, typ := range All() {
		if _, err := Schema(typ.Name); err != nil {
			t.Errorf("%s: %v", typ.Name, err)
		}
		for _, base := range []string{"name", "env", "labels", "command"} {
			if _, ok := typ.Variable(base); !ok {
				t.Errorf("%s lacks base variable %s", typ.Name, base)
			}
		}
		env, _ := typ.Variable("env")
		if env.Type != "object" {
			t.Errorf("%s env type %q", typ.Name, env.Type)
		}
		for _, v := range typ.Variables {
			if v.Description == "" || strings.Contains(v.Description, "\n") {
				t.Errorf("%s.%s: description must be one line, got %q", typ.Name, v.Name, v.Description)
			}
		}
		if typ.Summary == "" || typ.DocsURL == "" {
			t.Errorf("%s: missing summary or docs URL", typ.Name)
		}
	}
	if _, err := Schema("nope"); err == nil {
		t.Error("Schema(nope) should fail")
	}
}

func TestClassification(t *testing.T) {
	cases := []struct {
		name                                  string
		kind                                  Kind
		worker, serverless, cloudOnly, remote bool
		push, hybrid                          string
	}{
		{"process", Hybrid, true, false, false, false, "", ""},
		{"docker", Hybrid, true, false, false, true, "", ""},
		{"kubernetes", Hybrid, true, false, false, true, "", ""},
		{"ecs", Hybrid, true, true, false, true, "ecs:push", ""},
		{"vertex-ai", Hybrid, true, true, false, true, "", ""},
		{"ecs:push", Push, false, true, true, true, "", "ecs"},
		{"modal:push", Push, false, true, true, true, "", ""},
		{"prefect:managed", Managed, false, true, true, true, "", ""},
		{"prefect-agent", Legacy, true, false, false, true, "", ""},
	}
	for _, c := range cases {
		typ, ok := Lookup(c.name)
		if !ok {
			t.Fatalf("Lookup(%q) failed", c.name)
		}
		got := []any{typ.Kind, typ.NeedsWorker, typ.Serverless, typ.CloudOnly, typ.RunsRemotely, typ.PushVariant, typ.HybridVariant}
		want := []any{c.kind, c.worker, c.serverless, c.cloudOnly, c.remote, c.push, c.hybrid}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v want %v", c.name, got, want)
		}
	}
	// Push twins share their hybrid type's variables.
	for _, typ := range All() {
		if typ.HybridVariant == "" {
			continue
		}
		h, _ := Lookup(typ.HybridVariant)
		if h.PushVariant != typ.Name {
			t.Errorf("%s: hybrid %s points at push %q", typ.Name, h.Name, h.PushVariant)
		}
		if !reflect.DeepEqual(names(h.Variables), names(typ.Variables)) {
			t.Errorf("%s and %s variables differ", typ.Name, h.Name)
		}
	}
}

func names(vs []Variable) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Name
	}
	return out
}

func TestVariableDetails(t *testing.T) {
	ecs, _ := Lookup("ecs")
	lt, ok := ecs.Variable("launch_type")
	if !ok || lt.Type != "string" || lt.Default != "FARGATE" || !slices.Contains(lt.Enum, "FARGATE_SPOT") {
		t.Errorf("ecs launch_type = %+v", lt)
	}
	cpu, _ := ecs.Variable("cpu")
	if cpu.Type != "integer" {
		t.Errorf("ecs cpu type %q", cpu.Type)
	}
	creds, _ := ecs.Variable("aws_credentials")
	if creds.Type != "object" || creds.BlockType != "AwsCredentials" {
		t.Errorf("aws_credentials = %+v", creds)
	}
	if v, _ := ecs.Variable("prefect_api_key_secret_arn"); !v.Newer {
		t.Error("prefect_api_key_secret_arn should be marked newer")
	}
	vx, _ := Lookup("vertex-ai")
	for _, r := range []string{"region", "image"} {
		if v, _ := vx.Variable(r); !v.Required {
			t.Errorf("vertex-ai %s should be required", r)
		}
	}
	if v, _ := vx.Variable("machine_type"); v.Required {
		t.Error("machine_type is not required")
	}
	if modal, _ := Lookup("modal:push"); modal.VariablesComplete {
		t.Error("modal:push variables are a best effort")
	}
	if k8s, _ := Lookup("kubernetes"); !k8s.VariablesComplete {
		t.Error("kubernetes variables come from published templates")
	}
}

// TestAgreesWithAggregateWorkerMetadata checks every variable Prefect's
// server bundles exists in our schema with the same JSON type and default.
func TestAgreesWithAggregateWorkerMetadata(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "reference", "data", "aggregate-worker-metadata.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("reference data absent: %v", err)
	}
	var agg map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &agg); err != nil {
		t.Fatal(err)
	}
	type prop struct {
		Type    any   `json:"type"`
		Default any   `json:"default"`
		Enum    []any `json:"enum"`
		AllOf   []any `json:"allOf"`
		AnyOf   []any `json:"anyOf"`
	}
	type worker struct {
		Type   string `json:"type"`
		Config struct {
			Variables struct {
				Required   []string        `json:"required"`
				Properties map[string]prop `json:"properties"`
			} `json:"variables"`
		} `json:"default_base_job_configuration"`
	}
	checked := 0
	for pkg, workers := range agg {
		for wname, wraw := range workers {
			var w worker
			if err := json.Unmarshal(wraw, &w); err != nil || w.Type == "" {
				continue
			}
			typ, ok := Lookup(w.Type)
			if !ok {
				t.Errorf("%s/%s: pool type %q not in catalogue", pkg, wname, w.Type)
				continue
			}
			for name, p := range w.Config.Variables.Properties {
				v, ok := typ.Variable(name)
				if !ok {
					t.Errorf("%s: variable %s missing from our schema", w.Type, name)
					continue
				}
				checked++
				wantType, _ := p.Type.(string)
				if wantType == "" && (len(p.AllOf) > 0 || len(p.AnyOf) > 0) {
					wantType = "object" // block reference
				}
				if v.Type != wantType {
					t.Errorf("%s.%s: type %q, Prefect says %q", w.Type, name, v.Type, wantType)
				}
				if !reflect.DeepEqual(v.Default, p.Default) {
					t.Errorf("%s.%s: default %#v, Prefect says %#v", w.Type, name, v.Default, p.Default)
				}
				var wantEnum []string
				for _, e := range p.Enum {
					wantEnum = append(wantEnum, e.(string))
				}
				if !reflect.DeepEqual(v.Enum, wantEnum) {
					t.Errorf("%s.%s: enum %v, Prefect says %v", w.Type, name, v.Enum, wantEnum)
				}
			}
			for _, r := range w.Config.Variables.Required {
				if v, _ := typ.Variable(r); v == nil || !v.Required {
					t.Errorf("%s.%s should be required", w.Type, r)
				}
			}
			for _, v := range typ.Variables {
				if v.Required && !slices.Contains(w.Config.Variables.Required, v.Name) {
					t.Errorf("%s.%s marked required but Prefect does not require it", w.Type, v.Name)
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d variables compared; reference format changed?", checked)
	}
}
