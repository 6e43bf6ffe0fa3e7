package steps

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// extractSteps loads every prefect.yaml in the real corpus with PyYAML (as
// Prefect does) and returns each step's name and arguments.
const extractSteps = `
import glob, json, sys, yaml
out = []
for f in sorted(glob.glob(sys.argv[1] + "/*.yaml")):
    try:
        d = yaml.safe_load(open(f))
    except Exception:
        continue
    if not isinstance(d, dict):
        continue
    sections = [d] + [x for x in (d.get("deployments") or []) if isinstance(x, dict)]
    for sec in sections:
        for action in ("build", "push", "pull"):
            for step in sec.get(action) or []:
                if isinstance(step, dict) and len(step) == 1:
                    (name, kw), = step.items()
                    if isinstance(kw, dict):
                        out.append({"file": f, "action": action, "name": name,
                                    "args": {str(k): v for k, v in kw.items()}})
json.dump(out, sys.stdout, default=str)
`

type corpusStep struct {
	File, Action, Name string
	Args               map[string]any
}

func loadCorpusSteps(t *testing.T) []corpusStep {
	t.Helper()
	dir := os.Getenv("PREFECT_CORPUS")
	if dir == "" {
		dir = "/work/shared/corpus/real"
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.yaml")); len(m) == 0 {
		t.Skip("real prefect.yaml corpus not available")
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is required in CI")
		}
		t.Skip("python3 not found")
	}
	var stderr bytes.Buffer
	cmd := exec.Command(py, "-c", extractSteps, dir)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if os.Getenv("CI") != "true" && strings.Contains(stderr.String(), "No module named") {
			t.Skip("PyYAML not installed")
		}
		t.Fatalf("python3: %v\n%s", err, stderr.String())
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var steps []corpusStep
	if err := dec.Decode(&steps); err != nil {
		t.Fatal(err)
	}
	for i := range steps {
		for k, v := range steps[i].Args {
			steps[i].Args[k] = fromJSON(v)
		}
	}
	return steps
}

// fromJSON turns json.Number into int64 or float64, as a YAML decoder would.
func fromJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = fromJSON(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = fromJSON(x[k])
		}
	}
	return v
}

// TestRealCorpus classifies every step name in the real files and checks
// every argument of catalogued steps.
func TestRealCorpus(t *testing.T) {
	steps := loadCorpusSteps(t)
	if len(steps) == 0 {
		t.Fatal("no steps extracted from the corpus")
	}
	known := 0
	for _, s := range steps {
		st, ok := Lookup(s.Name)
		switch {
		case ok:
			known++
			for k, v := range s.Args {
				ok, why := CheckArg(st, k, v)
				if !ok {
					t.Logf("%s: %s %s=%v: %s", filepath.Base(s.File), st.Short, k, v, why)
				}
			}
		default:
			_, removed := Removed(s.Name)
			_, removedMod := RemovedModule(s.Name)
			sugg := Suggest(s.Name)
			t.Logf("%s: unknown step %s (removed %v, removed module %v, suggest %v)", filepath.Base(s.File), s.Name, removed, removedMod, sugg)
			if (IsKnownModule(s.Name) || removedMod) && len(sugg) == 0 {
				t.Errorf("%s: %s is in a Prefect step module but nothing is suggested", filepath.Base(s.File), s.Name)
			}
		}
	}
	if known == 0 {
		t.Error("no catalogued step found in the corpus")
	}
}
