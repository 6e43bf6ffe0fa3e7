package cli

import (
	"fmt"
	"strings"
	"testing"
)

func frame(body string) string {
	return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body)
}

// TestServeSession runs a whole LSP session over the injected streams:
// initialize, shutdown, exit.
func TestServeSession(t *testing.T) {
	in := frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}`) +
		frame(`{"jsonrpc":"2.0","method":"initialized","params":{}}`) +
		frame(`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`) +
		frame(`{"jsonrpc":"2.0","method":"exit"}`)
	for _, args := range [][]string{{"serve"}, {"--stdio"}, {"serve", "--stdio", "--log-level", "debug"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errOut := run(t, in, args...)
			if code != ExitOK {
				t.Errorf("exit code %d, want 0; log:\n%s", code, errOut)
			}
			if !strings.Contains(out, `"id":1`) || !strings.Contains(out, `"capabilities"`) || !strings.Contains(out, `"version":"test"`) {
				t.Errorf("no initialize result with serverInfo.version on stdout:\n%s", out)
			}
			if !strings.Contains(out, `"id":2`) {
				t.Errorf("no shutdown response:\n%s", out)
			}
		})
	}
}

// TestServeExitWithoutShutdown follows the LSP rule: status 1.
func TestServeExitWithoutShutdown(t *testing.T) {
	in := frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}`) +
		frame(`{"jsonrpc":"2.0","method":"exit"}`)
	if code, _, errOut := run(t, in, "serve"); code != ExitFindings {
		t.Errorf("exit code %d, want 1; log:\n%s", code, errOut)
	}
}

func TestExplainMarkdownForTheServer(t *testing.T) {
	md := explainMarkdown("../../examples/prefect.yaml", "deployments:\n  - name: a\n    entrypoint: flows/etl.py:etl\n    work_pool:\n      name: k8s\n")
	if !strings.Contains(md, "How deployment `a` runs") || !strings.Contains(md, "kubernetes") {
		t.Errorf("explain markdown:\n%s", md)
	}
	if md := explainMarkdown("x/prefect.yaml", "deployments: [\n"); !strings.Contains(md, "not valid YAML") {
		t.Errorf("broken file: %q", md)
	}
}
