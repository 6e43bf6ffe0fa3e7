package rules

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/analysis/analysistest"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite golden fix files")

var idRE = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range All() {
		if !idRE.MatchString(r.ID) {
			t.Errorf("rule id %q is not kebab-case", r.ID)
		}
		if seen[r.ID] {
			t.Errorf("duplicate rule id %q", r.ID)
		}
		seen[r.ID] = true
		if r.Summary == "" || r.Doc == "" || r.Run == nil || r.Category == "" {
			t.Errorf("rule %q lacks summary, doc, category or run function", r.ID)
		}
		for _, section := range []string{"## What it does", "## Why", "## Example", "## How to silence"} {
			if !strings.Contains(r.Doc, section) {
				t.Errorf("rule %q doc lacks %q", r.ID, section)
			}
		}
		if fi, err := os.Stat(filepath.Join("testdata", r.ID)); err != nil || !fi.IsDir() {
			t.Errorf("rule %q has no testdata/%s directory", r.ID, r.ID)
		}
	}
}

// TestRules runs each rule on testdata/<rule-id>/*.yaml and *.txtar and
// compares its diagnostics with the "# want" expectations, and its fixes
// with <name>.golden files (txtar: "@fix/prefect.yaml" sections).
func TestRules(t *testing.T) {
	for _, r := range All() {
		dir := filepath.Join("testdata", r.ID)
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".yaml") && !strings.HasSuffix(name, ".txtar") {
				continue
			}
			t.Run(r.ID+"/"+name, func(t *testing.T) {
				runCase(t, r, filepath.Join(dir, name))
			})
		}
	}
}

func runCase(t *testing.T, r *analysis.Rule, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	yamlPath := filepath.Join(root, "prefect.yaml")
	var text string
	var archive *txtar.Archive
	goldenText, hasGolden := "", false
	if strings.HasSuffix(path, ".txtar") {
		archive = txtar.Parse(data)
		for _, f := range archive.Files {
			if strings.HasPrefix(f.Name, "@fix/") {
				goldenText, hasGolden = string(f.Data), true
				continue
			}
			p := filepath.Join(root, filepath.FromSlash(f.Name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			if f.Name == "prefect.yaml" {
				text = string(f.Data)
			}
		}
	} else {
		text = string(data)
		if g, err := os.ReadFile(path + ".golden"); err == nil {
			goldenText, hasGolden = string(g), true
		}
		if err := os.WriteFile(yamlPath, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, probs := config.Load(root)
	res := analysis.Run(context.Background(), analysis.Input{Path: yamlPath, Text: text, Config: cfg, ConfigProblems: probs}, []*analysis.Rule{r})
	for _, e := range res.RuleErrors {
		t.Errorf("rule error: %s", e)
	}
	wants := analysistest.ParseWants(t, text)
	matched := make([]bool, len(wants))
	for _, d := range res.Diagnostics {
		if d.Span.Start < 0 || d.Span.End > len(text) || d.Span.End < d.Span.Start {
			t.Errorf("diagnostic span %v outside the text", d.Span)
		}
		line := res.Src.LineOf(d.Span.Start)
		ok := false
		for i, w := range wants {
			if !matched[i] && w.Line == line && w.Re.MatchString(d.Message) {
				matched[i], ok = true, true
				break
			}
		}
		if !ok {
			t.Errorf("%s:%d: unexpected diagnostic: %s", path, line+1, d.Message)
		}
	}
	for i, w := range wants {
		if !matched[i] {
			t.Errorf("%s:%d: no diagnostic matching %q", path, w.Line+1, w.Raw)
		}
	}
	// Fixes: apply the first fix of each diagnostic, skipping overlaps.
	var edits []source.Edit
	for _, d := range res.Diagnostics {
		if len(d.Fixes) == 0 {
			continue
		}
		if source.Overlap(edits, d.Fixes[0].Edits) {
			continue
		}
		edits = append(edits, d.Fixes[0].Edits...)
	}
	if len(edits) == 0 && !hasGolden {
		return
	}
	got, err := source.Apply(text, edits)
	if err != nil {
		t.Fatalf("applying fixes: %v", err)
	}
	if *update {
		if archive != nil {
			replaced := false
			for i, f := range archive.Files {
				if f.Name == "@fix/prefect.yaml" {
					archive.Files[i].Data = []byte(got)
					replaced = true
				}
			}
			if !replaced {
				archive.Files = append(archive.Files, txtar.File{Name: "@fix/prefect.yaml", Data: []byte(got)})
			}
			if err := os.WriteFile(path, txtar.Format(archive), 0o644); err != nil {
				t.Fatal(err)
			}
		} else if err := os.WriteFile(path+".golden", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !hasGolden {
		t.Errorf("%s: fixes produce a result but there is no golden file; run with -update and review it", path)
		return
	}
	if got != goldenText {
		t.Errorf("%s: fixed text differs from golden\n--- got ---\n%s\n--- want ---\n%s", path, got, goldenText)
	}
}

// TestCorpus runs every rule on the real-world corpus: no rule may panic,
// and every span must lie inside the text.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob("../../../../shared/corpus/real/*.yaml")
	if len(files) == 0 {
		t.Skip("corpus not found")
	}
	sort.Strings(files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res := analysis.Run(context.Background(), analysis.Input{Path: f, Text: string(data), Config: &config.Config{Root: filepath.Dir(f)}}, All())
		for _, e := range res.RuleErrors {
			t.Errorf("%s: %s", f, e)
		}
		for _, d := range res.Diagnostics {
			if d.Span.Start < 0 || d.Span.End > len(data) || d.Span.End < d.Span.Start {
				t.Errorf("%s: span %v outside the text", f, d.Span)
			}
		}
	}
}
