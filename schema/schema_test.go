package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

func TestCompile(t *testing.T) {
	s, err := Compile()
	if err != nil || s == nil {
		t.Fatalf("Compile: %v", err)
	}
	again, _ := Compile()
	if again != s {
		t.Error("Compile should return the cached schema")
	}
}

// TestEveryPropertyDocumented walks every "properties" map (outside
// if/not conditions, which only test values) and requires the hover texts.
func TestEveryPropertyDocumented(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal(PrefectSchema, &root); err != nil {
		t.Fatal(err)
	}
	count := 0
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, child := range x {
				if k == "if" || k == "not" || k == "examples" || k == "default" {
					continue
				}
				if k == "properties" {
					props, _ := child.(map[string]any)
					for name, p := range props {
						pm, _ := p.(map[string]any)
						count++
						for _, need := range []string{"title", "description"} {
							if s, _ := pm[need].(string); strings.TrimSpace(s) == "" {
								t.Errorf("%s/properties/%s has no %s", path, name, need)
							}
						}
						if _, ok := pm["examples"]; !ok {
							t.Errorf("%s/properties/%s has no examples", path, name)
						}
					}
				}
				walk(path+"/"+k, child)
			}
		case []any:
			for i, c := range x {
				walk(fmt.Sprintf("%s/%d", path, i), c)
			}
		}
	}
	walk("#", root)
	if count < 60 {
		t.Errorf("only %d properties found; the walk is broken", count)
	}
}

func validate(t *testing.T, doc string) []string {
	t.Helper()
	s, err := Compile()
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("bad test JSON %s: %v", doc, err)
	}
	return errorLines(s.Validate(inst))
}

// errorLines flattens a validation error into sorted "location: message"
// lines, one per leaf. Inside anyOf/oneOf, alternatives that failed only
// on their type are left out when another alternative got further.
func errorLines(err error) []string {
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []string{err.Error()}
	}
	p := message.NewPrinter(language.English)
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			loc := "/" + strings.Join(e.InstanceLocation, "/")
			msg := e.ErrorKind.LocalizedString(p)
			if ap, isAP := e.ErrorKind.(*kind.AdditionalProperties); isAP {
				names := slices.Sorted(slices.Values(ap.Properties))
				msg = "additional properties '" + strings.Join(names, "', '") + "' not allowed"
			}
			out = append(out, loc+": "+msg)
			return
		}
		causes := e.Causes
		switch e.ErrorKind.(type) {
		case *kind.AnyOf, *kind.OneOf:
			var deeper []*jsonschema.ValidationError
			var wanted []string
			var got string
			for _, c := range causes {
				if tk, isType := c.ErrorKind.(*kind.Type); isType && slices.Equal(c.InstanceLocation, e.InstanceLocation) {
					wanted = append(wanted, tk.Want...)
					got = tk.Got
					continue
				}
				deeper = append(deeper, c)
			}
			if len(deeper) > 0 {
				causes = deeper
			} else if len(wanted) > 0 {
				loc := "/" + strings.Join(e.InstanceLocation, "/")
				out = append(out, fmt.Sprintf("%s: got %s, want %s", loc, got, strings.Join(wanted, " or ")))
				return
			}
		}
		for _, c := range causes {
			walk(c)
		}
	}
	walk(ve)
	sort.Strings(out)
	return slices.Compact(out)
}

func TestValidInstances(t *testing.T) {
	good := []string{
		`{}`,
		`{"prefect-version": "3.1.0", "name": "p", "build": null, "push": [], "pull": [{"prefect.deployments.steps.git_clone": {"repository": "https://x/y.git"}}], "deployments": []}`,
		`{"pull": {"prefect.deployments.steps.set_working_directory": {"directory": "/opt/prefect"}}}`,
		`{"definitions": {"anything": [1, 2]}, "description": "recipe", "required_inputs": {"x": "y"}}`,
		`{"deployments": [{"name": "d", "entrypoint": "f.py:f", "tags": "{{ $TAGS }}", "paused": "{{ $PAUSED }}",
		  "schedules": [{"cron": "0 0 * * *", "timezone": "UTC", "day_or": false, "active": "{{ prefect.variables.on }}"}, {"interval": 600}, {"interval": "PT10M", "anchor_date": "2024-01-01T00:00:00"}, {"rrule": "FREQ=DAILY", "slug": "s", "replaces": "t", "parameters": {"a": 1}}, {}],
		  "schedule": {}, "concurrency_limit": {"limit": 1, "collision_strategy": "CANCEL_NEW", "grace_period_seconds": 60},
		  "work_pool": {"name": "p", "work_queue_name": null, "job_variables": {"image": "i"}},
		  "version_type": "vcs:git", "enforce_parameter_schema": false, "parameters": {"x": 1},
		  "triggers": [{"match": {"a": "b"}, "expect": ["e"], "posture": "Reactive", "threshold": 1, "within": 0, "parameters": {"p": "{{ event.id }}"}},
		               {"type": "metric", "metric": {"name": "duration", "threshold": 10, "operator": ">"}},
		               {"type": "compound", "require": "all", "triggers": [{"expect": ["a"]}, {"type": "sequence", "triggers": [{"expect": ["b"]}]}]}],
		  "sla": [{"name": "a", "duration": 10}, {"name": "b", "stale_after": 60, "severity": "high"}, {"name": "c", "within": 5, "enabled": false}]}]}`,
		`{"deployments": [{"name": "d", "concurrency_limit": 3, "pull": null, "build": []}]}`,
	}
	for _, g := range good {
		if errs := validate(t, g); len(errs) > 0 {
			t.Errorf("valid instance rejected:\n%s\n%s", g, strings.Join(errs, "\n"))
		}
	}
}

func TestInvalidInstances(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"unknown top-level key", `{"variables": {}}`, "/: additional properties 'variables'"},
		{"deployments not a list", `{"deployments": {"name": "x"}}`, "/deployments"},
		{"unknown deployment key", `{"deployments": [{"name": "d", "work_pool_name": "p"}]}`, "/deployments/0: additional properties 'work_pool_name'"},
		{"unknown work_pool key", `{"deployments": [{"work_pool": {"name": "p", "job_variable": {}}}]}`, "additional properties 'job_variable'"},
		{"schedule as string", `{"deployments": [{"schedule": "0 4 * * *"}]}`, "/deployments/0/schedule"},
		{"schedule as list", `{"deployments": [{"schedule": []}]}`, "/deployments/0/schedule"},
		{"unknown schedule key", `{"deployments": [{"schedules": [{"cron": "* * * * *", "max_active_runs": 1}]}]}`, "additional properties 'max_active_runs'"},
		{"two selectors", `{"deployments": [{"schedules": [{"cron": "* * * * *", "interval": 60}]}]}`, "/deployments/0/schedules/0"},
		{"no selector", `{"deployments": [{"schedules": [{"timezone": "UTC"}]}]}`, "/deployments/0/schedules/0"},
		{"zero interval", `{"deployments": [{"schedules": [{"interval": 0}]}]}`, "/deployments/0/schedules/0/interval"},
		{"active not bool", `{"deployments": [{"schedules": [{"cron": "* * * * *", "active": "yes"}]}]}`, "/deployments/0/schedules/0/active"},
		{"collision strategy", `{"deployments": [{"concurrency_limit": {"limit": 1, "collision_strategy": "DROP"}}]}`, "/deployments/0/concurrency_limit"},
		{"grace period", `{"deployments": [{"concurrency_limit": {"limit": 1, "grace_period_seconds": 30}}]}`, "/deployments/0/concurrency_limit"},
		{"concurrency unknown key", `{"deployments": [{"concurrency_limit": {"limit": 1, "strategy": "x"}}]}`, "/deployments/0/concurrency_limit"},
		{"version_type", `{"deployments": [{"version_type": "git"}]}`, "/deployments/0/version_type"},
		{"paused string", `{"deployments": [{"paused": "no"}]}`, "/deployments/0/paused"},
		{"parameters null", `{"deployments": [{"parameters": null}]}`, "/deployments/0/parameters"},
		{"step with two keys", `{"pull": [{"prefect.deployments.steps.git_clone": null, "repository": "x"}]}`, "/pull/0"},
		{"empty step", `{"build": [{}]}`, "/build/0"},
		{"step value scalar", `{"build": [{"a.b": "x"}]}`, "/build/0/a.b"},
		{"step not a mapping", `{"push": ["a.b"]}`, "/push/0"},
		{"trigger unknown key", `{"deployments": [{"triggers": [{"expect": ["a"], "expects": ["b"]}]}]}`, "additional properties 'expects'"},
		{"trigger type", `{"deployments": [{"triggers": [{"type": "webhook"}]}]}`, "/deployments/0/triggers/0/type"},
		{"metric without metric", `{"deployments": [{"triggers": [{"type": "metric"}]}]}`, "missing property 'metric'"},
		{"posture", `{"deployments": [{"triggers": [{"posture": "Sleepy"}]}]}`, "/deployments/0/triggers/0/posture"},
		{"nested trigger has no name", `{"deployments": [{"triggers": [{"type": "sequence", "triggers": [{"name": "x"}]}]}]}`, "additional properties 'name'"},
		{"sla without kind", `{"deployments": [{"sla": [{"name": "a"}]}]}`, "/deployments/0/sla/0"},
		{"sla unknown key", `{"deployments": [{"sla": [{"name": "a", "duration": 5, "durations": 6}]}]}`, "additional properties 'durations'"},
		{"sla severity", `{"deployments": [{"sla": [{"name": "a", "duration": 5, "severity": "urgent"}]}]}`, "/deployments/0/sla/0/severity"},
		{"prefect-version number", `{"prefect-version": 3.0}`, "/prefect-version"},
		{"tags list of numbers", `{"deployments": [{"tags": [1]}]}`, "/deployments/0/tags"},
	}
	for _, c := range cases {
		errs := validate(t, c.doc)
		joined := strings.Join(errs, "\n")
		if len(errs) == 0 || !strings.Contains(joined, c.want) {
			t.Errorf("%s: want an error containing %q, got:\n%s", c.name, c.want, joined)
		}
	}
}

// TestCorpus validates the real prefect.yaml files in shared/corpus/real
// (converted to JSON by PyYAML's safe_load, as Prefect reads them). Every
// error must be listed in testdata/corpus-errors.golden, which is reviewed
// by hand: each entry is a real problem. UPDATE_GOLDEN=1 rewrites it.
func TestCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "corpus", "real")
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if len(files) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no corpus files in %s", dir)
		}
		t.Skip("corpus not found")
	}
	docs := yamlToJSON(t, files)
	s, err := Compile()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	loaded := 0
	for _, f := range files {
		raw, ok := docs[filepath.Base(f)]
		if !ok || raw == nil {
			t.Logf("%s: PyYAML cannot load it; skipped", filepath.Base(f))
			continue
		}
		loaded++
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range errorLines(s.Validate(inst)) {
			lines = append(lines, filepath.Base(f)+" "+l)
		}
	}
	if loaded < 40 {
		t.Fatalf("only %d corpus files loaded", loaded)
	}
	got := strings.Join(lines, "\n") + "\n"
	golden := filepath.Join("testdata", "corpus-errors.golden")
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != got {
		t.Errorf("corpus errors differ from %s (review, then UPDATE_GOLDEN=1):\n%s", golden, got)
	}
}

// yamlToJSON converts files with python3 + PyYAML safe_load. A file that
// does not load maps to nil.
func yamlToJSON(t *testing.T, files []string) map[string]json.RawMessage {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(py, "-c", "import yaml").Run()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3 with PyYAML is required when CI=true: %v", err)
		}
		t.Skipf("python3 with PyYAML not available: %v", err)
	}
	const script = `
import json, sys, os, yaml
out = {}
for path in json.load(sys.stdin):
    try:
        with open(path, encoding="utf-8") as fh:
            out[os.path.basename(path)] = yaml.safe_load(fh)
    except Exception:
        out[os.path.basename(path)] = None
print(json.dumps(out, default=str))
`
	in, _ := json.Marshal(files)
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, stderr.String())
	}
	var docs map[string]json.RawMessage
	if err := json.Unmarshal(res, &docs); err != nil {
		t.Fatal(err)
	}
	for k, v := range docs {
		if string(v) == "null" {
			docs[k] = nil
		}
	}
	return docs
}
