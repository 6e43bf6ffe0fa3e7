// Package editors_test runs the editor integrations' own test suites from
// `go test ./...`, so that the README's one test command covers them: the
// VS Code extension's unit tests (npm) and the Neovim plugin's self-test.
// On a developer machine without npm or nvim they skip; in CI (CI=true)
// a missing tool fails.
package editors_test

import (
	"os"
	"os/exec"
	"path/filepath"
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
