package pydeploy

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/analysis/analysistest"
	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

var update = flag.Bool("update", false, "rewrite the @fix sections of the golden files")

// TestGoldens runs Analyze on testdata/<rule-id>/*.txtar: every .py file of
// the archive is analysed, the diagnostics of the directory's rule are
// compared with the "# want" comments, and the first fix of each is applied
// and compared with the "@fix/<file>.py" section.
func TestGoldens(t *testing.T) {
	known := map[string]bool{}
	for _, r := range rules.All() {
		known[r.ID] = true
	}
	dirs, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		if !dir.IsDir() {
			continue
		}
		id := dir.Name()
		if !known[id] {
			t.Errorf("testdata/%s: no rule with that ID", id)
			continue
		}
		entries, _ := os.ReadDir(filepath.Join("testdata", id))
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".txtar") {
				continue
			}
			path := filepath.Join("testdata", id, e.Name())
			t.Run(id+"/"+e.Name(), func(t *testing.T) { runGolden(t, id, path) })
		}
	}
}

func runGolden(t *testing.T, id, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	archive := txtar.Parse(data)
	root := t.TempDir()
	fixes := map[string]string{}
	var pyFiles []string
	texts := map[string]string{}
	for _, f := range archive.Files {
		if name, ok := strings.CutPrefix(f.Name, "@fix/"); ok {
			fixes[name] = string(f.Data)
			continue
		}
		p := filepath.Join(root, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f.Name, ".py") {
			pyFiles = append(pyFiles, f.Name)
			texts[f.Name] = string(f.Data)
		}
	}
	if len(pyFiles) == 0 {
		t.Fatal("no .py file in the archive")
	}
	changed := false
	for _, name := range pyFiles {
		text := texts[name]
		abs := filepath.Join(root, filepath.FromSlash(name))
		cfg, _ := config.Load(filepath.Dir(abs))
		res := Analyze(context.Background(), analysis.Input{Path: abs, Text: text, Config: cfg})
		wants := analysistest.ParseWants(t, text)
		matched := make([]bool, len(wants))
		var edits []source.Edit
		for _, d := range res.Diagnostics {
			if d.Span.Start < 0 || d.Span.End > len(text) || d.Span.End < d.Span.Start {
				t.Errorf("diagnostic span %v outside the text", d.Span)
			}
			if d.RuleID != id {
				continue
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
				t.Errorf("%s:%d: unexpected diagnostic: %s", name, line+1, d.Message)
			}
			if len(d.Fixes) > 0 && !source.Overlap(edits, d.Fixes[0].Edits) {
				edits = append(edits, d.Fixes[0].Edits...)
			}
		}
		for i, w := range wants {
			if !matched[i] {
				t.Errorf("%s:%d: no diagnostic matching %q", name, w.Line+1, w.Raw)
			}
		}
		golden, hasGolden := fixes[name]
		if len(edits) == 0 && !hasGolden {
			continue
		}
		got, err := source.Apply(text, edits)
		if err != nil {
			t.Fatalf("applying fixes: %v", err)
		}
		if *update {
			replaced := false
			for i, f := range archive.Files {
				if f.Name == "@fix/"+name {
					archive.Files[i].Data = []byte(got)
					replaced = true
				}
			}
			if !replaced {
				archive.Files = append(archive.Files, txtar.File{Name: "@fix/" + name, Data: []byte(got)})
			}
			changed = true
			continue
		}
		if !hasGolden {
			t.Errorf("%s: fixes produce a result but there is no @fix/%s section; run with -update and review it", path, name)
		} else if got != golden {
			t.Errorf("%s: fixed text differs from golden\n--- got ---\n%s\n--- want ---\n%s", name, got, golden)
		}
	}
	if changed {
		if err := os.WriteFile(path, txtar.Format(archive), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPythonChecksDocumented: every rule with Python goldens is described
// in rules.PythonChecks (its docs page says what it checks in Python), and
// every rule described there has Python goldens.
func TestPythonChecksDocumented(t *testing.T) {
	dirs, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, d := range dirs {
		if d.IsDir() {
			have[d.Name()] = true
			if _, ok := rules.PythonChecks[d.Name()]; !ok {
				t.Errorf("testdata/%s has Python goldens but rules.PythonChecks does not describe it", d.Name())
			}
		}
	}
	for id := range rules.PythonChecks {
		if !have[id] {
			t.Errorf("rules.PythonChecks describes %s, which has no Python goldens", id)
		}
	}
}
