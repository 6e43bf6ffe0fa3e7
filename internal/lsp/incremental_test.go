package lsp_test

import (
	"encoding/json"
	"log/slog"
	"math/rand"
	"regexp"
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
	c, logs := loggedClient(t, p)
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

// loggedClient serves project p (its flow files on disk) with every rule,
// logging at debug level into the returned buffer.
func loggedClient(t *testing.T, p benchgen.Project) (*lsptest.Client, *syncBuffer) {
	files := map[string]string{}
	for name, text := range p.Files {
		files[name] = text
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return lsptest.New(t, lsptest.Setup{Files: files, Options: lsp.Options{Rules: rules.All(), Logger: logger}}), logs
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

var versionField = regexp.MustCompile(`"version":[0-9]+`)

// TestRequestsOnReparsedVersions types new keys into deployments of a
// realistic prefect.yaml, a character at a time as an editor sends them,
// and after each keystroke compares what the whole-document requests and
// the requests at the cursor answer (outline, semantic tokens, folding,
// links, inlay hints, hover, completion, highlights, code actions) with
// the answers on the same text opened fresh. The edited versions' trees
// are built from the earlier ones (yamlsyntax.Reparse); the fresh ones
// are parsed whole.
func TestRequestsOnReparsedVersions(t *testing.T) {
	p := benchgen.Generate(benchgen.Realistic, 12)
	c, logs := loggedClient(t, p)
	text := p.YAML
	c.Open("prefect.yaml", text)
	answers := func(name string, line, char int) string {
		td := map[string]any{"uri": c.URI(name)}
		pos := map[string]any{"line": line, "character": char}
		var b strings.Builder
		for _, r := range []struct {
			method string
			params map[string]any
		}{
			{"textDocument/documentSymbol", map[string]any{"textDocument": td}},
			{"textDocument/semanticTokens/full", map[string]any{"textDocument": td}},
			{"textDocument/foldingRange", map[string]any{"textDocument": td}},
			{"textDocument/documentLink", map[string]any{"textDocument": td}},
			{"textDocument/inlayHint", map[string]any{"textDocument": td, "range": map[string]any{"start": map[string]any{"line": 0, "character": 0}, "end": map[string]any{"line": 100000, "character": 0}}}},
			{"textDocument/hover", map[string]any{"textDocument": td, "position": pos}},
			{"textDocument/completion", map[string]any{"textDocument": td, "position": pos}},
			{"textDocument/documentHighlight", map[string]any{"textDocument": td, "position": pos}},
			{"textDocument/codeAction", map[string]any{"textDocument": td, "range": map[string]any{"start": pos, "end": pos}, "context": map[string]any{"diagnostics": []any{}}}},
		} {
			var res json.RawMessage
			if err := c.Call(r.method, r.params, &res); err != nil {
				t.Fatalf("%s: %v", r.method, err)
			}
			out := strings.ReplaceAll(string(res), c.URI(name), "<this document>")
			out = versionField.ReplaceAllString(out, `"version":V`) // the two documents' versions differ
			b.WriteString(r.method + ": " + out + "\n")
		}
		return b.String()
	}
	typed := []string{"\n    paused: false", "\n    labels: [etl, \"x\"]", "\n    job_variables:\n      image: \"{{ build-image.image }}\""}
	rng := rand.New(rand.NewSource(3))
	version := 1
	compared := 0
	for _, what := range typed {
		items := []int{}
		for i := strings.Index(text, "\ndeployments:\n"); ; {
			j := strings.Index(text[i:], "\n  - name:")
			if j < 0 {
				break
			}
			items = append(items, i+j+1)
			i += j + 1
		}
		k := rng.Intn(len(items) - 1)
		at := items[k] + strings.IndexByte(text[items[k]:], '\n')
		for i := 1; i <= len(what); i++ {
			old := text
			text = text[:at+i-1] + what[i-1:i] + text[at+i-1:]
			version++
			c.ChangeFrom("prefect.yaml", version, old, text)
			if i%4 != 0 && i != len(what) {
				continue
			}
			// The cursor: just after the typed character.
			line := strings.Count(text[:at+i], "\n")
			char := at + i - (strings.LastIndexByte(text[:at+i], '\n') + 1)
			// Hovers show the diagnostics of the version's analysis once
			// it is done: wait for it on both.
			pullDiagnostics(t, c, "prefect.yaml")
			got := answers("prefect.yaml", line, char)
			c.Open("prefect.yml", text)
			pullDiagnostics(t, c, "prefect.yml")
			want := answers("prefect.yml", line, char)
			c.Close("prefect.yml")
			if got != want {
				gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
				for j := range min(len(gl), len(wl)) {
					if gl[j] != wl[j] {
						d := 0
						for d < min(len(gl[j]), len(wl[j])) && gl[j][d] == wl[j][d] {
							d++
						}
						from := max(0, d-300)
						t.Fatalf("version %d (typing %q): answers differ from a fresh document's, after %q:\nedited: %.300s\nfresh:  %.300s", version, what[:i], gl[j][:min(d, 60)], gl[j][from:], wl[j][from:])
					}
				}
			}
			compared++
		}
	}
	// A version whose analysis was incremental has no tree: the
	// requests built it from the last one. (A version analysed whole,
	// such as one that does not parse cleanly, has the analysis's.)
	if n := strings.Count(logs.String(), "reparsed=true"); n < compared/3 {
		t.Errorf("only %d of %d compared versions had their tree built from an earlier one", n, compared)
	}
	if strings.Contains(logs.String(), "reparsed=false") {
		t.Errorf("a tree was read whole after an edit inside one deployment:\n%s", logs.String())
	}
}

// TestTreeKeptForTheNextRequest: after edits without requests, the first
// request builds its tree from the last one the server had, for up to
// maxBaseAge versions; after more, the server has let the tree go and
// reads the whole file.
func TestTreeKeptForTheNextRequest(t *testing.T) {
	p := benchgen.Generate(benchgen.Realistic, 6)
	c, logs := loggedClient(t, p)
	text := p.YAML
	c.Open("prefect.yaml", text)
	at := strings.LastIndex(text, "\n  - name:")
	at += strings.IndexByte(text[at+1:], '\n') + 1 // the end of the last deployment's first line
	version := 1
	for _, c2 := range []struct {
		edits    int
		reparsed bool
	}{{3, true}, {8, true}, {9, false}, {1, true}} {
		for range c2.edits {
			old := text
			text = text[:at] + " " + text[at:] // trailing blanks: the same YAML
			version++
			c.ChangeFrom("prefect.yaml", version, old, text)
			pullDiagnostics(t, c, "prefect.yaml") // analysed (incrementally), no tree asked for
		}
		before := strings.Count(logs.String(), `msg="read the tree"`)
		c.Hover("prefect.yaml", 0, 0)
		lines := strings.Split(logs.String(), "\n")
		var last string
		for _, l := range lines {
			if strings.Contains(l, `msg="read the tree"`) {
				last = l
			}
		}
		if strings.Count(logs.String(), `msg="read the tree"`) != before+1 {
			t.Fatalf("after %d edits: the hover read no tree", c2.edits)
		}
		if got := strings.Contains(last, "reparsed=true"); got != c2.reparsed {
			t.Errorf("after %d edits without requests: %s, want reparsed=%v", c2.edits, last, c2.reparsed)
		}
	}
}
