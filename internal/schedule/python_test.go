package schedule

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
)

// runPython runs script with python3, feeding in as JSON on stdin and
// decoding the JSON it prints into out. Without python3 or the modules the
// test fails when CI=true and is skipped otherwise.
func runPython(t *testing.T, script string, modules []string, in, out any) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		skipOrFail(t, "python3 not found")
		return
	}
	for _, m := range modules {
		if err := exec.Command(py, "-c", "import "+m).Run(); err != nil {
			skipOrFail(t, "python module "+m+" not available")
			return
		}
	}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3 failed: %v\n%s", err, stderr.String())
	}
	if err := json.Unmarshal(res, out); err != nil {
		t.Fatalf("decoding python output: %v\n%s", err, res)
	}
}

func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(why + " (required when CI=true)")
	}
	t.Skip(why)
}
