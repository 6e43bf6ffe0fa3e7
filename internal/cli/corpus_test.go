package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusDir holds 52 real prefect.yaml files (../shared/corpus/real from the
// repository root).
const corpusDir = "../../../shared/corpus/real"

// TestCorpusRunsWithoutCrash checks every real file with every rule: no
// internal failure, and file 022's unquoted placeholders on line 11 are
// reported.
func TestCorpusRunsWithoutCrash(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.yaml"))
	if len(files) == 0 {
		t.Skipf("no corpus at %s", corpusDir)
	}
	if len(files) != 52 {
		t.Errorf("%d corpus files, want 52", len(files))
	}
	code, out, errOut := run(t, "", append([]string{"check", "--format", "json"}, files...)...)
	if code != ExitOK && code != ExitFindings {
		t.Fatalf("exit code %d on the corpus; stderr:\n%s", code, errOut)
	}
	var diags []JSONDiagnostic
	if err := json.Unmarshal([]byte(out), &diags); err != nil {
		t.Fatalf("output is not the JSON contract: %v", err)
	}
	found022 := false
	for _, d := range diags {
		if !strings.Contains(d.Path, "022-") {
			continue
		}
		if (d.Code == "unquoted-placeholder" || d.Code == "yaml-syntax") && d.Range.Start.Line == 10 && d.Severity == "error" {
			found022 = true
		}
	}
	if !found022 {
		t.Errorf("file 022 should get its syntax error (unquoted-placeholder or yaml-syntax) at line 11")
	}
	// Every other format digests the corpus too.
	for _, format := range []string{"text", "sarif", "github"} {
		code, out, errOut := run(t, "", append([]string{"check", "--format", format}, files...)...)
		if code != ExitOK && code != ExitFindings || out == "" {
			t.Errorf("--format %s: exit code %d, %d bytes; stderr:\n%s", format, code, len(out), errOut)
		}
	}
}

// TestExamples runs the README's main command on examples/ with every rule.
func TestExamples(t *testing.T) {
	const dir = "../../examples"
	if _, err := os.Stat(filepath.Join(dir, "prefect.yaml")); err != nil {
		t.Skip("no examples/prefect.yaml")
	}
	code, out, errOut := run(t, "", "check", dir)
	if code != ExitFindings {
		t.Errorf("check examples/: exit code %d, want 1 (the example is flawed on purpose); stderr:\n%s", code, errOut)
	}
	for _, want := range []string{"1.10", "descripton"} {
		if !strings.Contains(out, want) {
			t.Errorf("check examples/ does not report %q:\n%s", want, out)
		}
	}
	code, out, errOut = run(t, "", "explain", dir)
	if code != ExitOK {
		t.Errorf("explain examples/: exit code %d; stderr:\n%s", code, errOut)
	}
	for _, want := range []string{
		"## etl-daily", "## weekly-report", "## backfill",
		"type kubernetes",
		`flow "etl" found`,
		"no function report in flows/report.py",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("explain examples/ lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = run(t, "", "explain", "--format", "json", dir)
	var items []ExplainedDeployment
	if err := json.Unmarshal([]byte(out), &items); err != nil || code != ExitOK || len(items) != 3 {
		t.Fatalf("explain --format json: code %d, %d items, %v", code, len(items), err)
	}
	if items[0].PoolType != "kubernetes" || items[0].WorkPool != "k8s" || !items[0].Facts.SelfHosted {
		t.Errorf("etl-daily facts: %+v", items[0])
	}
	if items[1].WorkPool != "" || items[1].Facts.HasWorkPool {
		t.Errorf("weekly-report has no work pool: %+v", items[1])
	}
}
