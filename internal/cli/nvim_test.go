package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestNeovimEndToEnd starts the real binary from headless Neovim through the
// project's Neovim plugin (editors/nvim), opens a flawed prefect.yaml and
// checks the diagnostics, a hover and the code actions. In CI a missing nvim
// fails the test; on a developer machine it skips.
func TestNeovimEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("nvim is required in CI (.ci/run installs Debian's neovim)")
		}
		t.Skip("nvim not installed")
	}
	if runtime.GOOS == "windows" {
		t.Skip("run.sh is a POSIX shell script")
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "prefect-lsp")
	build := exec.Command("go", "build", "-o", bin, "./cmd/prefect-lsp")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ws := filepath.Join(tmp, "ws")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	yamlText := "prefect-version: 3.0\ndeployments:\n  - name: etl\n    entrypoint: flows/etl.py:etl\n    work_pool_name: k8s\n"
	if err := os.WriteFile(filepath.Join(ws, "prefect.yaml"), []byte(yamlText), 0o644); err != nil {
		t.Fatal(err)
	}
	result := filepath.Join(tmp, "result.json")
	cmd := exec.Command("sh", filepath.Join(repo, "editors/nvim/test/run.sh"))
	cmd.Env = append(os.Environ(),
		"PREFECT_LSP_BIN="+bin,
		"PREFECT_LSP_WORKSPACE="+ws,
		"PREFECT_LSP_RESULT="+result,
		"PREFECT_LSP_NVIM="+nvim,
		"PREFECT_LSP_HOVER=4:4",
		"PREFECT_LSP_TIMEOUT_MS=30000",
	)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("run.sh: %v\n%s", err, out)
	}
	data, err := os.ReadFile(result)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		OK          bool     `json:"ok"`
		Errors      []string `json:"errors"`
		Diagnostics []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"diagnostics"`
		Hover struct {
			Result json.RawMessage `json:"result"`
		} `json:"hover"`
		CodeActions []struct {
			Result []struct {
				Title string `json:"title"`
			} `json:"result"`
		} `json:"code_actions"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("result: %v\n%s", err, data)
	}
	if !r.OK {
		t.Fatalf("neovim run failed: %v", r.Errors)
	}
	codes := map[string]bool{}
	for _, d := range r.Diagnostics {
		codes[d.Code] = true
	}
	for _, want := range []string{"string-expected", "unknown-key"} {
		if !codes[want] {
			t.Errorf("no %s diagnostic in Neovim; got %+v", want, r.Diagnostics)
		}
	}
	if !strings.Contains(string(r.Hover.Result), "work_pool_name") && !strings.Contains(string(r.Hover.Result), "unknown") {
		t.Errorf("hover on the unknown key says nothing useful: %s", r.Hover.Result)
	}
	titles := []string{}
	for _, ca := range r.CodeActions {
		for _, a := range ca.Result {
			titles = append(titles, a.Title)
		}
	}
	joined := strings.Join(titles, "\n")
	if !strings.Contains(joined, "Quote 3.0") || !strings.Contains(joined, "Ignore") {
		t.Errorf("code actions: %q", titles)
	}
}
