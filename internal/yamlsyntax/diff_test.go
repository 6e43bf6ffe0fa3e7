package yamlsyntax

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// requirePython returns python3's path with PyYAML importable, skipping the
// test on a developer machine without it and failing in CI.
func requirePython(t *testing.T, modules ...string) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err == nil {
		args := []string{"-c", "import " + strings.Join(modules, ", ")}
		err = exec.Command(py, args...).Run()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3 with %v is required in CI: %v", modules, err)
		}
		t.Skipf("python3 with %v not available: %v", modules, err)
	}
	return py
}

// differentialInputs lists the corpus, the test cases and the fuzz seeds.
func differentialInputs(t *testing.T) []string {
	var files []string
	for _, pat := range []string{
		"../../../shared/corpus/real/*.yaml",
		"testdata/cases/*.yaml",
		"testdata/fuzz/FuzzParse/*",
	} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatal("no inputs")
	}
	return files
}

func TestDifferentialPyYAML(t *testing.T) {
	py := requirePython(t, "yaml")
	files := differentialInputs(t)
	inputs := make([]string, 0, len(files))
	tmp := t.TempDir()
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// Fuzz seeds are in Go's corpus encoding; decode them.
		if strings.Contains(f, "testdata/fuzz/") {
			s, ok := decodeFuzzSeed(string(data))
			if !ok {
				continue
			}
			p := filepath.Join(tmp, fmt.Sprintf("seed%d.yaml", i))
			if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
				t.Fatal(err)
			}
			f = p
		}
		inputs = append(inputs, f)
	}
	out, err := exec.Command(py, append([]string{"testdata/pyyaml_dump.py"}, inputs...)...).Output()
	if err != nil {
		t.Fatalf("pyyaml_dump.py: %v", err)
	}
	var ref map[string]struct {
		Value json.RawMessage `json:"value"`
		Error string          `json:"error"`
	}
	if err := json.Unmarshal(out, &ref); err != nil {
		t.Fatal(err)
	}
	agree := 0
	for _, f := range inputs {
		data, _ := os.ReadFile(f)
		doc := Parse(f, string(data))
		r := ref[f]
		if r.Error != "" {
			if doc.Loadable {
				t.Errorf("%s: PyYAML fails (%s) but we load it", f, r.Error)
				continue
			}
			agree++
			continue
		}
		if !doc.Loadable {
			t.Errorf("%s: PyYAML loads it but we report %v", f, doc.Problems)
			continue
		}
		var want any
		if err := json.Unmarshal(r.Value, &want); err != nil {
			t.Fatal(err)
		}
		got := tagged(doc.Root)
		if !equalTagged(got, want) {
			gj, _ := json.Marshal(got)
			t.Errorf("%s: values differ\n ours:   %.600s\n pyyaml: %.600s", f, gj, r.Value)
			continue
		}
		agree++
	}
	t.Logf("agreement with PyYAML: %d/%d files", agree, len(inputs))
}

// tagged renders a node as pyyaml_dump.py does.
func tagged(n *Node) any {
	r := n.Resolve()
	if r == nil {
		return map[string]any{"null": nil}
	}
	switch r.Kind {
	case MappingNode:
		pairs := []any{}
		for _, p := range r.Pairs() {
			pairs = append(pairs, []any{tagged(p.Key), tagged(p.Value)})
		}
		return map[string]any{"map": pairs}
	case SequenceNode:
		items := []any{}
		for _, c := range r.Content() {
			items = append(items, tagged(c))
		}
		return map[string]any{"seq": items}
	}
	switch v := r.scalarValue().(type) {
	case bool:
		return map[string]any{"bool": v}
	case nil:
		return map[string]any{"null": nil}
	case int64:
		return map[string]any{"int": strconv.FormatInt(v, 10)}
	case *big.Int:
		return map[string]any{"int": v.String()}
	case float64:
		switch {
		case math.IsNaN(v):
			return map[string]any{"float": "nan"}
		case math.IsInf(v, 1):
			return map[string]any{"float": "inf"}
		case math.IsInf(v, -1):
			return map[string]any{"float": "-inf"}
		}
		return map[string]any{"float": v}
	case Timestamp:
		return map[string]any{"timestamp": true}
	case string:
		if r.Tag() == TagBinary {
			return map[string]any{"binary": true}
		}
		return map[string]any{"str": v}
	}
	return map[string]any{"other": fmt.Sprintf("%T", r.scalarValue())}
}

func equalTagged(got, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return false
			}
			if k == "float" {
				if ws, ok := wv.(string); ok && (ws == "nan" || ws == "inf" || ws == "-inf") {
					if gv != ws {
						return false
					}
					continue
				}
				wf, err := strconv.ParseFloat(wv.(string), 64)
				gf, ok := gv.(float64)
				if err != nil || !ok || wf != gf {
					return false
				}
				continue
			}
			if !equalTagged(gv, wv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !equalTagged(g[i], w[i]) {
				return false
			}
		}
		return true
	default:
		return fmt.Sprint(got) == fmt.Sprint(want)
	}
}

// decodeFuzzSeed reads a "go test fuzz v1" file holding one string.
func decodeFuzzSeed(s string) (string, bool) {
	lines := strings.SplitN(s, "\n", 2)
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "go test fuzz v1") {
		return "", false
	}
	body := strings.TrimSpace(lines[1])
	if !strings.HasPrefix(body, "string(") || !strings.HasSuffix(body, ")") {
		return "", false
	}
	v, err := strconv.Unquote(body[len("string(") : len(body)-1])
	return v, err == nil
}
