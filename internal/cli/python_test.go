package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckPython: check takes .py files, and walking a folder picks up
// the Python files that import prefect and create deployments (not other
// Python files, not virtual environments), in every output format.
func TestCheckPython(t *testing.T) {
	root := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bad := "from prefect import flow\n\n@flow\ndef etl():\n    pass\n\netl.serve(name=\"etl\", cron=\"61 * * * *\")\n"
	write("flows/etl.py", bad)
	write("flows/util.py", "import os\nx.serve(cron='61 * * * *')\n")
	write("flows/noprefect_call.py", "from prefect import flow\n@flow\ndef f(): pass\n")
	write(".venv/lib/site.py", bad)
	write("node_modules/x/y.py", bad)
	write(".cache/z.py", bad)
	write("env/lib/python3.12/site-packages/pkg/m.py", bad)
	code, out, _ := run(t, "", "check", "--format", "json", root)
	if code != 1 {
		t.Errorf("exit code %d, want 1\n%s", code, out)
	}
	var diags []struct {
		Path string `json:"path"`
		Code string `json:"code"`
	}
	if err := json.Unmarshal([]byte(out), &diags); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(diags) != 1 || diags[0].Code != "invalid-cron" || !strings.HasSuffix(diags[0].Path, filepath.Join("flows", "etl.py")) {
		t.Errorf("diagnostics: %+v", diags)
	}
	for _, format := range []string{"text", "sarif", "github"} {
		code, out, errs := run(t, "", "check", "--format", format, filepath.Join(root, "flows", "etl.py"))
		if code != 1 || !strings.Contains(out, "invalid-cron") {
			t.Errorf("format %s: code %d\n%s\n%s", format, code, out, errs)
		}
	}
}

// TestExplainPython: explain covers the deployments a Python file creates.
func TestExplainPython(t *testing.T) {
	root := t.TempDir()
	text := "from prefect import flow\n\n@flow\ndef etl():\n    pass\n\netl.serve(name=\"nightly\", cron=\"0 0 * * *\")\netl.deploy(name=\"k\", work_pool_name=\"k8s\", image=\"ghcr.io/a/etl:1\")\n"
	if err := os.WriteFile(filepath.Join(root, "pyproject.toml"), []byte("[tool.prefect-lsp.work-pools]\nk8s = \"kubernetes\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etl.py"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "", "explain", "--format", "json", root)
	if code != 0 {
		t.Fatalf("code %d: %s", code, errs)
	}
	var items []ExplainedDeployment
	if err := json.Unmarshal([]byte(out), &items); err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Deployment != "nightly" || items[0].Line != 7 || items[0].Recommendation.Current != "serve" ||
		items[1].PoolType != "kubernetes" || items[1].Entrypoint != "etl.py:etl" || items[1].Recommendation.Current != "kubernetes-worker" {
		t.Errorf("explain: %+v", items)
	}
}
