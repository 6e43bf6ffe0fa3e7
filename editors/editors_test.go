// Package editors_test runs the editor integrations' own test suites from
// `go test ./...`, so that the README's one test command covers them: the
// VS Code extension's unit tests (npm), the extension inside a real VS Code
// in a headless Chromium, and the Neovim plugin's self-test.
// On a developer machine without npm or nvim they skip; in CI (CI=true)
// a missing tool fails.
package editors_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func require(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI", tool)
		}
		t.Skipf("%s not installed", tool)
	}
	return p
}

func run(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v in %s: %v\n%s", name, args, dir, err, out)
	}
}

func TestVSCodeExtension(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	npm := require(t, "npm")
	dir, _ := filepath.Abs("vscode")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json")); err != nil || os.Getenv("CI") == "true" {
		run(t, dir, npm, "ci", "--no-audit", "--no-fund")
	}
	run(t, dir, npm, "test")
}

func TestNeovimPluginSelfTest(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	require(t, "nvim")
	require(t, "python3")
	dir, _ := filepath.Abs(".")
	run(t, dir, "sh", filepath.Join("nvim", "test", "selftest.sh"))
}

// TestVSCodeExtensionInBrowser installs the built VSIX into a real VS Code
// (code-server, from npm) and drives it in the system Chromium with
// playwright-core: editors/vscode/e2e/run.mjs. code-server and playwright-core
// are installed once into the user cache folder (prefect-lsp-e2e). Screenshots
// go to $PLSP_ARTIFACTS, or a new temporary folder whose path is logged.
func TestVSCodeExtensionInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	node := require(t, "node")
	require(t, "npm")
	require(t, "bash")
	chromium := findBrowser(t)
	out, err := exec.Command(node, "-p", "process.versions.node.split('.')[0]").Output()
	if err != nil || strings.TrimSpace(string(out)) != "20" {
		msg := fmt.Sprintf("code-server 4.96 needs node 20; %s is %s", node, strings.TrimSpace(string(out)))
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	artifacts := os.Getenv("PLSP_ARTIFACTS")
	if artifacts == "" {
		if artifacts, err = os.MkdirTemp("", "prefect-lsp-vscode-e2e-artifacts-"); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots and logs: %s", artifacts)
	dir, _ := filepath.Abs("vscode")
	cmd := exec.Command(node, filepath.Join("e2e", "run.mjs"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"PLSP_CHROMIUM="+chromium,
		"PLSP_ARTIFACTS="+artifacts,
		"PLSP_E2E_CACHE="+filepath.Join(cache, "prefect-lsp-e2e"),
	)
	got, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("e2e/run.mjs: %v\n%s\nscreenshots and logs: %s", err, got, artifacts)
	}
	for _, line := range strings.Split(string(got), "\n") {
		if strings.HasPrefix(line, "e2e: ok ") {
			t.Log(line)
		}
	}
}

// findBrowser returns the Chromium to drive: $PLSP_CHROMIUM, else chromium
// (Debian's package) or Chrome on PATH.
func findBrowser(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PLSP_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is required in CI")
	}
	t.Skip("chromium not installed (set PLSP_CHROMIUM to use another Chromium)")
	return ""
}
