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

// nvimResult is the JSON editors/nvim/test/run.sh writes.
type nvimResult struct {
	OK          bool     `json:"ok"`
	Errors      []string `json:"errors"`
	Diagnostics []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Range   struct {
			Start struct{ Line, Character int } `json:"start"`
		} `json:"range"`
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

func (r *nvimResult) titles() string {
	var titles []string
	for _, ca := range r.CodeActions {
		for _, a := range ca.Result {
			titles = append(titles, a.Title)
		}
	}
	return strings.Join(titles, "\n")
}

// nvimSession builds the binary once and runs headless Neovim with the
// project's plugin on files of a workspace.
type nvimSession struct {
	nvim, repo, bin, ws, tmp string
}

func newNvimSession(t *testing.T) *nvimSession {
	t.Helper()
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
	return &nvimSession{nvim: nvim, repo: repo, bin: bin, ws: ws, tmp: tmp}
}

func (s *nvimSession) write(t *testing.T, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(s.ws, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// run opens file in Neovim and returns the driver's result and whether
// run.sh succeeded (it fails, for one, when no client attaches).
func (s *nvimSession) run(t *testing.T, file, hover, timeoutMS string) (*nvimResult, bool, string) {
	t.Helper()
	result := filepath.Join(s.tmp, file+".result.json")
	cmd := exec.Command("sh", filepath.Join(s.repo, "editors/nvim/test/run.sh"))
	cmd.Env = append(os.Environ(),
		"PREFECT_LSP_BIN="+s.bin,
		"PREFECT_LSP_WORKSPACE="+s.ws,
		"PREFECT_LSP_RESULT="+result,
		"PREFECT_LSP_NVIM="+s.nvim,
		"PREFECT_LSP_FILE="+file,
		"PREFECT_LSP_HOVER="+hover,
		"PREFECT_LSP_TIMEOUT_MS="+timeoutMS,
	)
	out, err := cmd.CombinedOutput()
	data, rerr := os.ReadFile(result)
	if rerr != nil {
		t.Fatalf("run.sh wrote no result (%v): %v\n%s", err, rerr, out)
	}
	var r nvimResult
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("result: %v\n%s", err, data)
	}
	return &r, err == nil, string(out)
}

// TestNeovimEndToEnd starts the real binary from headless Neovim through the
// project's Neovim plugin (editors/nvim), opens a flawed prefect.yaml and
// checks the diagnostics, a hover and the code actions. In CI a missing nvim
// fails the test; on a developer machine it skips.
func TestNeovimEndToEnd(t *testing.T) {
	s := newNvimSession(t)
	s.write(t, "prefect.yaml", "prefect-version: 3.0\ndeployments:\n  - name: etl\n    entrypoint: flows/etl.py:etl\n    work_pool_name: k8s\n")
	r, ok, out := s.run(t, "prefect.yaml", "4:4", "30000")
	if !ok || !r.OK {
		t.Fatalf("neovim run failed: %v\n%s", r.Errors, out)
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
	if joined := r.titles(); !strings.Contains(joined, "Quote 3.0") || !strings.Contains(joined, "Ignore") {
		t.Errorf("code actions: %q", joined)
	}
}

// TestNeovimPythonEndToEnd opens a Python deployment file: the plugin
// attaches because it imports prefect, the finding lands on the call's line,
// the hover on .deploy shows the decision guide and the fixes are offered. A
// Python file without prefect gets no client.
func TestNeovimPythonEndToEnd(t *testing.T) {
	s := newNvimSession(t)
	s.write(t, "pyproject.toml", "[tool.prefect-lsp.work-pools]\nk8s = \"kubernetes\"\n")
	s.write(t, "deploy.py", "from prefect import flow\n\n\n@flow\ndef etl():\n    pass\n\n\nif __name__ == \"__main__\":\n    etl.deploy(name=\"nightly\", work_pool_name=\"k8s\")\n")
	// Hover at line 9 (0-based), on "deploy" of etl.deploy.
	r, ok, out := s.run(t, "deploy.py", "9:9", "30000")
	if !ok || !r.OK {
		t.Fatalf("neovim run failed: %v\n%s", r.Errors, out)
	}
	found := false
	for _, d := range r.Diagnostics {
		if d.Code == "code-unreachable" && d.Range.Start.Line == 9 {
			found = true
		}
	}
	if !found {
		t.Errorf("no code-unreachable on line 10 in Neovim; got %+v", r.Diagnostics)
	}
	if !strings.Contains(string(r.Hover.Result), "How deployment `nightly` runs") {
		t.Errorf("hover on .deploy: %s", r.Hover.Result)
	}
	// (The move-to-prefect.yaml action creates a file, which needs the
	// client's create resource operation; Debian's Neovim may lack it.)
	if joined := r.titles(); !strings.Contains(joined, "image=") || !strings.Contains(joined, "Ignore code-unreachable") {
		t.Errorf("code actions: %q", joined)
	}

	s.write(t, "app.py", "import os\n\n\nclass App:\n    def deploy(self, **kw):\n        pass\n")
	r, ok, _ = s.run(t, "app.py", "4:9", "3000")
	if ok || r.OK {
		t.Errorf("a Python file without prefect got a client: %+v", r)
	}
}
