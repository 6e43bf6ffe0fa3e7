package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestExplainMermaid(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Main([]string{"explain", "--format", "mermaid", "../../examples"}, Stdio{In: strings.NewReader(""), Out: &out, Err: &errOut})
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	charts := strings.Count(out.String(), "flowchart TD")
	comments := strings.Count(out.String(), "\n%% ") + strings.Count(out.String()[:3], "%% ")
	if charts < 2 || charts != comments {
		t.Fatalf("want one chart per deployment with a comment line each; got %d charts, %d comments:\n%s", charts, comments, out.String())
	}
	if !strings.Contains(out.String(), "class ") {
		t.Errorf("no highlighted path in:\n%s", out.String())
	}
	if code := Main([]string{"explain", "--format", "dot", "../../examples"}, Stdio{In: strings.NewReader(""), Out: &out, Err: &errOut}); code != ExitUsage {
		t.Errorf("unknown format: exit %d", code)
	}
}
