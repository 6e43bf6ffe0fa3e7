package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenRules are the rules the end-to-end golden tests run, so that adding
// a rule elsewhere does not change their output.
var goldenRules = []string{
	"yaml-syntax", "yaml-load-error", "duplicate-key", "yaml11-scalar",
	"string-expected", "unquoted-placeholder", "config-error",
}

// useRules narrows the rules check runs for one test.
func useRules(t *testing.T, ids ...string) {
	t.Helper()
	var rs []*analysis.Rule
	for _, id := range ids {
		r := rules.ByID(id)
		if r == nil {
			t.Fatalf("rule %q is not in rules.All()", id)
		}
		rs = append(rs, r)
	}
	old := ruleSet
	ruleSet = func() []*analysis.Rule { return rs }
	t.Cleanup(func() { ruleSet = old })
}

// run calls Main with the given standard input and returns the exit code
// and what was written.
func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, Stdio{In: strings.NewReader(stdin), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the output (run go test ./internal/cli -update after checking the change)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

func TestMain(m *testing.M) {
	Version = "test"
	if os.Getenv(runMainEnv) == "1" {
		// This test binary was started by a test as the real program.
		os.Exit(Main(os.Args[1:], Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
	}
	os.Exit(m.Run())
}

func TestCheckGoldenPerFormat(t *testing.T) {
	useRules(t, goldenRules...)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"check.text", []string{"check", "testdata/project"}},
		{"check.color.text", []string{"check", "--color=always", "testdata/project"}},
		{"check.quiet.text", []string{"check", "--quiet", "testdata/project"}},
		{"check.json", []string{"check", "--format", "json", "testdata/project"}},
		{"check.sarif", []string{"check", "--format=sarif", "testdata/project"}},
		{"check.github", []string{"check", "testdata/project", "--format", "github"}},
		{"check.clean.text", []string{"check", "testdata/clean"}},
		{"check.clean.json", []string{"check", "--format", "json", "testdata/clean"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(t, "", tc.args...)
			want := ExitFindings
			if strings.Contains(tc.name, "clean") {
				want = ExitOK
			}
			if code != want {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, want, errOut)
			}
			golden(t, tc.name, out)
		})
	}
}

func TestExitCodes(t *testing.T) {
	useRules(t, goldenRules...)
	for _, tc := range []struct {
		args  []string
		stdin string
		want  int
	}{
		{[]string{"check", "testdata/clean"}, "", ExitOK},
		{[]string{"check", "testdata/clean/prefect.yaml"}, "", ExitOK},
		{[]string{"check", "testdata/project/deploy/prod.yaml"}, "", ExitFindings},    // a warning
		{[]string{"check", "testdata/project/deploy/staging.yaml"}, "", ExitFindings}, // an error
		{[]string{"check", "--min-severity", "error", "testdata/project/deploy/prod.yaml"}, "", ExitOK},
		{[]string{"check", "--severity=warning", "testdata/project/deploy/prod.yaml"}, "", ExitFindings},
		{[]string{"check", "--bogus", "testdata/clean"}, "", ExitUsage},
		{[]string{"check", "testdata/does-not-exist"}, "", ExitUsage},
		{[]string{"check", "--format", "xml", "testdata/clean"}, "", ExitUsage},
		{[]string{"check", "--color", "sometimes", "testdata/clean"}, "", ExitUsage},
		{[]string{"check", "--min-severity", "fatal", "testdata/clean"}, "", ExitUsage},
		{[]string{"check", "-", "-"}, "", ExitUsage},
		{[]string{"check", "--stdin-filename", "x.yaml", "testdata/clean"}, "", ExitUsage},
		{[]string{"check", "-h"}, "", ExitOK},
		{[]string{"check", "-"}, "deployments:\n  - name: a\n    entrypoint: a.py:f\n", ExitOK},
		{[]string{"check", "-"}, "deployments: [\n", ExitFindings},
		{[]string{"bogus"}, "", ExitUsage},
		{[]string{"help"}, "", ExitOK},
		{[]string{"version"}, "", ExitOK},
		{[]string{"--version"}, "", ExitOK},
		{[]string{"rules"}, "", ExitOK},
		{[]string{"rules", "--format", "json"}, "", ExitOK},
		{[]string{"rules", "--format", "xml"}, "", ExitUsage},
		{[]string{"rules", "extra"}, "", ExitUsage},
		{[]string{"explain", "testdata/does-not-exist"}, "", ExitUsage},
		{[]string{"explain", "--format", "xml"}, "", ExitUsage},
		{[]string{"explain", "-"}, "", ExitUsage},
		{[]string{"serve", "--bogus"}, "", ExitUsage},
		{[]string{"serve", "extra"}, "", ExitUsage},
		{[]string{"serve", "--log-level", "loud"}, "", ExitUsage},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, _, errOut := run(t, tc.stdin, tc.args...)
			if code != tc.want {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tc.want, errOut)
			}
		})
	}
}

func TestRulePanicIsInternalFailure(t *testing.T) {
	boom := &analysis.Rule{ID: "boom", Summary: "panics", Run: func(*analysis.Pass) { panic("kaboom") }}
	old := ruleSet
	ruleSet = func() []*analysis.Rule { return []*analysis.Rule{rules.YAML11Scalar, boom} }
	t.Cleanup(func() { ruleSet = old })
	code, out, errOut := run(t, "", "check", "--format", "json", "testdata/project/deploy/prod.yaml")
	if code != ExitInternal {
		t.Fatalf("exit code %d, want %d", code, ExitInternal)
	}
	if !strings.Contains(errOut, "rule boom panicked: kaboom") {
		t.Errorf("stderr does not name the panicking rule:\n%s", errOut)
	}
	// The other rules still report.
	var got []JSONDiagnostic
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 1 || got[0].Code != "yaml11-scalar" {
		t.Errorf("want the yaml11-scalar finding despite the panic, got %v (%v)", got, err)
	}
}

func TestJSONIsAlwaysAnArray(t *testing.T) {
	useRules(t, goldenRules...)
	dir := t.TempDir() // no prefect.yaml at all
	code, out, errOut := run(t, "", "check", "--format", "json", dir)
	if code != ExitOK || strings.TrimSpace(out) != "[]" {
		t.Errorf("empty folder: code %d, stdout %q, want 0 and []", code, out)
	}
	if !strings.Contains(errOut, "no prefect.yaml found") {
		t.Errorf("stderr should say nothing was found, got %q", errOut)
	}
}

func TestStdin(t *testing.T) {
	useRules(t, goldenRules...)
	text := "deployments:\n  - name: é😀\n    version: 1.10\n    entrypoint: flows/a.py:f\n"
	t.Run("named", func(t *testing.T) {
		code, out, _ := run(t, text, "check", "--format", "json", "--stdin-filename", "testdata/project/prefect.yaml", "-")
		if code != ExitFindings {
			t.Fatalf("exit code %d", code)
		}
		var got []JSONDiagnostic
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Path != "testdata/project/prefect.yaml" || got[0].Code != "string-expected" {
			t.Fatalf("got %+v", got)
		}
		if r := got[0].Range; r.Start.Line != 2 || r.Start.Character != 13 || r.End.Character != 17 {
			t.Errorf("range %+v, want line 2 characters 13-17", r)
		}
	})
	t.Run("unnamed", func(t *testing.T) {
		_, out, _ := run(t, text, "check", "-")
		if !strings.HasPrefix(out, stdinDisplayName+":3:14: error: ") {
			t.Errorf("text report should name standard input and use 1-based columns:\n%s", out)
		}
	})
	t.Run("fix prints the fixed text", func(t *testing.T) {
		code, out, errOut := run(t, text, "check", "--fix", "-")
		if code != ExitOK {
			t.Errorf("exit code %d, want 0 after fixing; stderr:\n%s", code, errOut)
		}
		want := strings.Replace(text, "1.10", `"1.10"`, 1)
		if out != want {
			t.Errorf("fixed text:\n%s\nwant:\n%s", out, want)
		}
		if !strings.Contains(errOut, "Fixed 1 problem") {
			t.Errorf("the report goes to stderr with --fix -; got:\n%s", errOut)
		}
	})
}

func TestFixInPlace(t *testing.T) {
	useRules(t, goldenRules...)
	dir := t.TempDir()
	path := filepath.Join(dir, "prefect.yaml")
	// The unquoted placeholder stops the file from loading, so version's
	// fix only appears in the second round: --fix must repeat.
	orig := "deployments:\n  - name: a\n    version: 1.10 # keep me\n    entrypoint: a.py:f\n    tags: [{{ $ENV }}]\n    parameters:\n      country: no\n"
	if err := os.WriteFile(path, []byte(orig), 0o640); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "", "check", "--fix", "--format", "json", dir)
	if code != ExitFindings {
		t.Fatalf("exit code %d, want 1 (the no warning has no safe fix); stderr:\n%s", code, errOut)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "deployments:\n  - name: a\n    version: \"1.10\" # keep me\n    entrypoint: a.py:f\n    tags: [\"{{ $ENV }}\"]\n    parameters:\n      country: no\n"
	if string(data) != want {
		t.Errorf("fixed file:\n%s\nwant:\n%s", data, want)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o640 {
		t.Errorf("file mode not kept: %v %v", info.Mode(), err)
	}
	var remaining []JSONDiagnostic
	if err := json.Unmarshal([]byte(out), &remaining); err != nil {
		t.Fatal(err)
	}
	if len(remaining) != 1 || remaining[0].Code != "yaml11-scalar" {
		t.Errorf("remaining diagnostics %+v, want only yaml11-scalar", remaining)
	}
	// A second run changes nothing.
	run(t, "", "check", "--fix", dir)
	if again, _ := os.ReadFile(path); string(again) != want {
		t.Errorf("second --fix changed the file:\n%s", again)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("--fix left temporary files: %v", entries)
	}
}

func TestDirectoryWalking(t *testing.T) {
	wd, _ := os.Getwd()
	col := &collector{wd: wd, configs: &configCache{}, seen: map[string]bool{}}
	if err := col.collect("testdata/project"); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tg := range col.targets {
		got = append(got, filepath.ToSlash(tg.display))
	}
	want := []string{
		"testdata/project/deploy/prod.yaml", // configured files glob
		"testdata/project/deploy/staging.yaml",
		"testdata/project/prefect.yaml",
		"testdata/project/sub/prefect.yml",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("found:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Skipped folders, and a file named twice is checked once.
	dir := t.TempDir()
	for _, p := range []string{".git", "node_modules/x", ".venv", "venv", "__pycache__", "app/deep/er"} {
		if err := os.MkdirAll(filepath.Join(dir, p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p, "prefect.yaml"), []byte("deployments: []\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	col = &collector{wd: wd, configs: &configCache{}, seen: map[string]bool{}}
	for _, arg := range []string{dir, filepath.Join(dir, "app/deep/er/prefect.yaml")} {
		if err := col.collect(arg); err != nil {
			t.Fatal(err)
		}
	}
	if len(col.targets) != 1 || col.targets[0].abs != filepath.Join(dir, "app/deep/er/prefect.yaml") {
		t.Errorf("want only app/deep/er/prefect.yaml, got %+v", col.targets)
	}
	if !filepath.IsAbs(col.targets[0].display) {
		t.Errorf("a path outside the working directory is shown as given (absolute), got %q", col.targets[0].display)
	}
}

func TestParseInterleaved(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	f := fs.String("format", "", "")
	b := fs.Bool("fix", false, "")
	pos, err := parseInterleaved(fs, []string{"a", "--format", "json", "b", "--fix", "--", "--c", "-"})
	if err != nil {
		t.Fatal(err)
	}
	if *f != "json" || !*b || strings.Join(pos, " ") != "a b --c -" {
		t.Errorf("format %q fix %v positional %q", *f, *b, pos)
	}
}

func TestRulesCommand(t *testing.T) {
	code, out, _ := run(t, "", "rules", "--format", "json")
	if code != ExitOK {
		t.Fatal(code)
	}
	var got []RuleInfo
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	all := rules.All()
	if len(got) != len(all) {
		t.Fatalf("%d rules listed, want %d", len(got), len(all))
	}
	for i, r := range all {
		if got[i].ID != r.ID || got[i].Severity != r.Severity.String() || got[i].DocsURL != r.DocsURL() || got[i].Summary != r.Summary {
			t.Errorf("rule %d: %+v, want %s", i, got[i], r.ID)
		}
	}
	_, text, _ := run(t, "", "rules")
	for _, r := range all {
		if !strings.Contains(text, r.ID) {
			t.Errorf("rules text lacks %s", r.ID)
		}
	}
}

func TestVersion(t *testing.T) {
	_, out, _ := run(t, "", "version")
	if out != "prefect-lsp test\n" {
		t.Errorf("version printed %q", out)
	}
}
