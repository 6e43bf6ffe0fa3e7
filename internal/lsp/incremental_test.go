package lsp_test

import (
	"encoding/json"
	"log/slog"
	"math/rand"
	"strings"
	"sync"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
	"github.com/prefect-lsp/prefect-lsp/internal/benchgen"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp/lsptest"
)

// pullDiagnostics asks the server for name's diagnostics (the analysis the
// server keeps for the open version: incremental after an edit) and
// returns the items as JSON, with the document's own URI replaced by a
// placeholder so that two documents of the same text compare equal.
func pullDiagnostics(t *testing.T, c *lsptest.Client, name string) string {
	t.Helper()
	var rep json.RawMessage
	if err := c.Call("textDocument/diagnostic", map[string]any{"textDocument": map[string]any{"uri": c.URI(name)}}, &rep); err != nil {
		t.Fatal(err)
	}
	var full struct {
		Items json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(rep, &full); err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(full.Items), c.URI(name), "<this document>")
}

// TestIncrementalDiagnosticsOverThePipe edits a realistic prefect.yaml
// over a pipe, the way an editor does, and after every edit compares the
// server's diagnostics of it (analysed from the previous version) with
// those of the same text opened fresh as another prefect file of the same
// project (analysed whole).
func TestIncrementalDiagnosticsOverThePipe(t *testing.T) {
	p := benchgen.Generate(benchgen.Realistic, 12)
	files := map[string]string{}
	for name, text := range p.Files {
		files[name] = text
	}
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := lsptest.New(t, lsptest.Setup{Files: files, Options: lsp.Options{Rules: rules.All(), Logger: logger}})
	text := p.YAML
	c.Open("prefect.yaml", text)
	rng := rand.New(rand.NewSource(7))
	first := strings.Index(text, "\ndeployments:\n")
	edits := 60
	if testing.Short() {
		edits = 20
	}
	hovers := 0
	for v := 2; v < 2+edits; v++ {
		// Somewhere in a value of a deployment.
		var at int
		for {
			at = first + 15 + rng.Intn(len(text)-first-15)
			ls := strings.LastIndexByte(text[:at], '\n') + 1
			line := text[ls:]
			line = line[:strings.IndexByte(line, '\n')+1]
			if c := strings.Index(line, ": "); c > 0 && ls+c+2 < at && at < ls+len(line)-1 && !strings.ContainsAny(line, "&*{}[]'\"") {
				break
			}
		}
		old := text
		switch rng.Intn(4) {
		case 0:
			text = text[:at] + "x" + text[at:]
		case 1:
			text = text[:at] + text[at+1:]
		case 2:
			text = text[:at] + " y" + text[at:]
		default:
			text = text[:at] + "{{ nope.x }}" + text[at:]
		}
		if v%3 == 0 {
			c.Change("prefect.yaml", v, text) // the whole text
		} else {
			c.ChangeFrom("prefect.yaml", v, old, text) // a keystroke's range
		}
		got := pullDiagnostics(t, c, "prefect.yaml")
		c.Open("prefect.yml", text)
		want := pullDiagnostics(t, c, "prefect.yml")
		if v%5 == 0 {
			// Requests on the edited version (its text not yet built)
			// answer as on the same text opened fresh.
			line := strings.Count(text[:at], "\n")
			ls := strings.LastIndexByte(text[:at], '\n') + 1
			for _, ch := range []int{4, at - ls} {
				h, w := c.Hover("prefect.yaml", line, ch), c.Hover("prefect.yml", line, ch)
				if h != w {
					t.Fatalf("version %d: hover at %d:%d differs: %q, fresh %q", v, line, ch, h, w)
				}
				if h != "" {
					hovers++
				}
			}
		}
		c.Close("prefect.yml")
		if v == 1+edits && !strings.Contains(got, "unknown-step-output") {
			t.Fatalf("the edits made no diagnostics: %s", got)
		}
		if got != want {
			t.Fatalf("version %d: diagnostics after the edit differ from a fresh analysis\nincremental: %s\nfull:        %s\ntext:\n%s", v, got, want, text)
		}
	}
	if hovers == 0 {
		t.Error("no hover answered on the edited versions: the comparison tested nothing")
	}
	if n := strings.Count(logs.String(), "incremental=true"); n < edits/2 {
		t.Errorf("only %d of %d edits were analysed incrementally", n, edits)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
