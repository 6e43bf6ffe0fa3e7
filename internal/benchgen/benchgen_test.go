package benchgen

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v4"
)

func TestParseShape(t *testing.T) {
	for _, s := range Shapes {
		got, err := ParseShape(s.String())
		if err != nil || got != s {
			t.Errorf("ParseShape(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseShape("huge"); err == nil {
		t.Error("ParseShape(huge) gave no error")
	}
}

// TestProjects checks what the benchmarks rely on: the text is valid YAML
// with n deployments of the shape's size, every entrypoint names a flow
// file of the project that defines the function, and the last line is
// the country the edits toggle, inside the last deployment's parameters.
func TestProjects(t *testing.T) {
	entrypoint := regexp.MustCompile(`(?m)^    entrypoint: (\S+):(\w+)$`)
	for _, shape := range Shapes {
		for _, n := range []int{1, 2, 7, 120} {
			p := Generate(shape, n)
			var doc struct {
				Deployments []struct {
					Name       string         `yaml:"name"`
					Parameters map[string]any `yaml:"parameters"`
				} `yaml:"deployments"`
			}
			if err := yaml.Unmarshal([]byte(p.YAML), &doc); err != nil {
				t.Fatalf("%s %d: %v", shape, n, err)
			}
			if len(doc.Deployments) != n {
				t.Fatalf("%s %d: %d deployments", shape, n, len(doc.Deployments))
			}
			names := map[string]bool{}
			for _, d := range doc.Deployments {
				if names[d.Name] {
					t.Errorf("%s %d: deployment name %s twice", shape, n, d.Name)
				}
				names[d.Name] = true
			}
			if c, ok := doc.Deployments[n-1].Parameters["country"]; !ok || c != "no" {
				t.Errorf("%s %d: last deployment's country = %v, %v; want no", shape, n, c, ok)
			}
			if !strings.HasSuffix(p.YAML, "\n      country: no\n") {
				t.Errorf("%s %d: last line is not the country", shape, n)
			}
			ms := entrypoint.FindAllStringSubmatch(p.YAML, -1)
			if len(ms) != n {
				t.Errorf("%s %d: %d entrypoints", shape, n, len(ms))
			}
			for _, m := range ms {
				code, ok := p.Files[m[1]]
				if !ok {
					t.Fatalf("%s %d: entrypoint file %s not generated", shape, n, m[1])
				}
				if !strings.Contains(code, "\ndef "+m[2]+"(") {
					t.Errorf("%s %d: %s defines no %s", shape, n, m[1], m[2])
				}
			}
			if n == 120 {
				per := len(p.YAML) / n
				lo, hi := 800, 1100
				if shape == Small {
					lo, hi = 200, 350
				}
				if per < lo || per > hi {
					t.Errorf("%s: %d bytes per deployment, want %d–%d", shape, per, lo, hi)
				}
			}
		}
	}
}

func TestVariantChangesEveryDeployment(t *testing.T) {
	for _, shape := range Shapes {
		a, b := Generate(shape, 30), GenerateVariant(shape, 30, "-b")
		if strings.Count(b.YAML, "-b\n") < 30 {
			t.Errorf("%s: the variant leaves deployment names unchanged", shape)
		}
		if len(a.Files) != len(b.Files) {
			t.Errorf("%s: the variant has other flow files", shape)
		}
	}
}

func TestWriteTo(t *testing.T) {
	dir := t.TempDir()
	p := Generate(Realistic, 3)
	path, err := p.WriteTo(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != p.YAML {
		t.Fatalf("prefect.yaml: %v", err)
	}
	for name, code := range p.Files {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil || string(got) != code {
			t.Errorf("%s: %v", name, err)
		}
	}
}
