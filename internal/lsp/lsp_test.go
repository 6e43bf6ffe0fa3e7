package lsp

import (
	"context"
	"errors"
	"fmt"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

const flawed = `deployments:
  - name: etl
    entrypoint: flows/etl.py:main
    parameters:
      country: no
`

func explainText(path, text string, _ *config.Config, _ []config.Problem) string { return text }

func TestOpenDiagnosticsQuickFixRoundTrip(t *testing.T) {
	h := newHarness(t, setup{})
	h.open("prefect.yaml", flawed)
	p := h.waitDiagnostics("prefect.yaml", 1)
	if got := codes(p); len(got) != 1 || got[0] != "yaml11-scalar" {
		t.Fatalf("codes = %v, want [yaml11-scalar]", got)
	}
	d := p.Diagnostics[0]
	if want := rules.YAML11Scalar.DocsURL(); string(d.CodeDescription.Href) != want {
		t.Errorf("codeDescription = %q, want %q", d.CodeDescription.Href, want)
	}
	if src, _ := d.Source.Get(); src != "prefect-lsp" {
		t.Errorf("source = %q", src)
	}
	if d.Range.Start != pos(flawed, "no", 0) {
		t.Errorf("range start = %+v, want %+v", d.Range.Start, pos(flawed, "no", 0))
	}
	acts, err := h.server.CodeAction(h.callCtx(), &protocol.CodeActionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: h.uri("prefect.yaml")},
		Range:        d.Range,
		Context:      protocol.CodeActionContext{Diagnostics: p.Diagnostics},
	})
	if err != nil {
		t.Fatal(err)
	}
	var fix, ignore *protocol.CodeAction
	for _, a := range acts {
		ca, ok := a.(*protocol.CodeAction)
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(ca.Title, "Ignore yaml11-scalar"):
			ignore = ca
		case ca.Kind != nil && *ca.Kind == protocol.CodeActionKindQuickFix && fix == nil:
			fix = ca
		}
	}
	if fix == nil || ignore == nil {
		t.Fatalf("want a quick fix and an ignore action, got %d actions", len(acts))
	}
	if fix.IsPreferred == nil || !*fix.IsPreferred {
		t.Error("the obvious fix is not preferred")
	}
	fixed := applyEdits(t, flawed, editsOf(t, fix.Edit, h.uri("prefect.yaml")))
	if !strings.Contains(fixed, `country: "no"`) {
		t.Fatalf("fix produced:\n%s", fixed)
	}
	h.change("prefect.yaml", 2, fixed)
	if p := h.waitDiagnostics("prefect.yaml", 2); len(p.Diagnostics) != 0 {
		t.Fatalf("after the fix: %v", codes(p))
	}

	// The ignore action silences the rule on that line.
	ignored := applyEdits(t, flawed, editsOf(t, ignore.Edit, h.uri("prefect.yaml")))
	if !strings.Contains(ignored, "country: no  # prefect-lsp: ignore[yaml11-scalar]") {
		t.Fatalf("ignore produced:\n%s", ignored)
	}
	h.change("prefect.yaml", 3, ignored)
	// Back to no diagnostics: an unchanged (empty) set is not re-sent, so
	// check through pull-free means: the v2 publish was empty, v3 is equal.
	time.Sleep(50 * time.Millisecond)
	for _, p := range h.publishesFor("prefect.yaml") {
		if v, _ := p.Version.Get(); v == 3 {
			t.Fatalf("unchanged diagnostics were re-sent for v3: %v", codes(p))
		}
	}
	h.change("prefect.yaml", 4, flawed)
	if p := h.waitDiagnostics("prefect.yaml", 4); len(p.Diagnostics) != 1 {
		t.Fatalf("v4: %v", codes(p))
	}
}

func TestRapidEditsPublishOnlyLastVersion(t *testing.T) {
	h := newHarness(t, setup{})
	h.open("prefect.yaml", flawed)
	h.waitDiagnostics("prefect.yaml", 1)
	var burst strings.Builder
	const last = 30
	for v := 2; v <= last; v++ {
		text := strings.Repeat("# pad\n", v) + flawed
		burst.WriteString(notification("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": string(h.uri("prefect.yaml")), "version": v},
			"contentChanges": []any{map[string]any{"text": text}},
		}))
	}
	h.writeRaw(burst.String())
	p := h.waitDiagnostics("prefect.yaml", last)
	if p.Diagnostics[0].Range.Start.Line != last+4 {
		t.Errorf("diagnostic line = %d, want %d", p.Diagnostics[0].Range.Start.Line, last+4)
	}
	// Edits that arrive together are analysed once. The pipe may hand the
	// burst over in a few pieces, and a version that is current when its
	// analysis ends is rightly published; but versions only ever increase,
	// and most of the 29 edits are never analysed on their own.
	pubs := h.publishesFor("prefect.yaml")
	prev := int32(0)
	for _, p := range pubs {
		v, _ := p.Version.Get()
		if v <= prev {
			t.Errorf("published version %d after %d", v, prev)
		}
		prev = v
	}
	if len(pubs) > 6 {
		t.Errorf("%d publishes for a burst of %d edits: edits are not coalesced", len(pubs), last-1)
	}
}

func TestOutOfOrderVersionsKeepTheHighest(t *testing.T) {
	h := newHarness(t, setup{opts: Options{Explain: explainText}})
	h.open("prefect.yaml", flawed)
	h.change("prefect.yaml", 3, "name: three\n")
	h.change("prefect.yaml", 2, "name: two\n")   // older: ignored
	h.change("prefect.yaml", 3, "name: again\n") // equal: ignored
	if got := h.explain("prefect.yaml"); got != "name: three\n" {
		t.Fatalf("text = %q, want version 3's", got)
	}
}

func (h *harness) explain(name string) string {
	h.t.Helper()
	arg := protocol.LSPAny(fmt.Sprintf("%q", h.uri(name)))
	res, err := h.server.ExecuteCommand(h.callCtx(), &protocol.ExecuteCommandParams{Command: CommandExplain, Arguments: []protocol.LSPAny{arg}})
	if err != nil {
		h.t.Fatal(err)
	}
	var s string
	if err := protocol.Unmarshal(res, &s); err != nil {
		h.t.Fatalf("explain result %s: %v", res, err)
	}
	return s
}

func TestIncrementalEditsInOrderUTF16(t *testing.T) {
	h := newHarness(t, setup{opts: Options{Explain: explainText}})
	text := "name: café 😀 x\nb: 1\n"
	h.open("prefect.yaml", text)
	// Two changes in one notification, the second computed on the first's
	// result; then one more notification.
	send := func(v int32, changes ...protocol.TextDocumentContentChangeEvent) {
		err := h.server.DidChange(h.ctx, &protocol.DidChangeTextDocumentParams{
			TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: h.uri("prefect.yaml")}, Version: v},
			ContentChanges: changes,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	rng := func(l1, c1, l2, c2 uint32) protocol.Range {
		return protocol.Range{Start: protocol.Position{Line: l1, Character: c1}, End: protocol.Position{Line: l2, Character: c2}}
	}
	// "x" sits after "café 😀 ": UTF-16 column 6+4+1+2+1 = 14.
	send(2,
		&protocol.TextDocumentContentChangePartial{Range: rng(0, 14, 0, 15), Text: "y"},
		&protocol.TextDocumentContentChangePartial{Range: rng(1, 0, 1, 1), Text: "bee"},
	)
	send(3, &protocol.TextDocumentContentChangePartial{Range: rng(0, 11, 0, 13), Text: "🎉"})
	if got, want := h.explain("prefect.yaml"), "name: café 🎉 y\nbee: 1\n"; got != want {
		t.Fatalf("text = %q, want %q", got, want)
	}
	// A burst of single-character edits in one write arrives in order.
	var burst strings.Builder
	for i := 0; i < 50; i++ {
		burst.WriteString(notification("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": string(h.uri("prefect.yaml")), "version": 4 + i},
			"contentChanges": []any{map[string]any{"range": rng(2, uint32(i), 2, uint32(i)), "text": string(rune('a' + i%26))}},
		}))
	}
	h.writeRaw(burst.String())
	want := "name: café 🎉 y\nbee: 1\n"
	for i := 0; i < 50; i++ {
		want += string(rune('a' + i%26))
	}
	if got := h.explain("prefect.yaml"); got != want {
		t.Fatalf("text = %q, want %q", got, want)
	}
}

func TestCloseClearsWithEmptyArray(t *testing.T) {
	h := newHarness(t, setup{})
	h.open("prefect.yaml", flawed)
	h.waitDiagnostics("prefect.yaml", 1)
	if err := h.server.DidClose(h.ctx, &protocol.DidCloseTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: h.uri("prefect.yaml")}}); err != nil {
		t.Fatal(err)
	}
	h.waitRaw(`"diagnostics":[]`)
	// The last publish on the wire is the clearing one (the client may
	// handle notifications in another order, so read the wire itself).
	wire := h.rec.String()
	last := wire[strings.LastIndex(wire, `"textDocument/publishDiagnostics"`):]
	if !strings.Contains(last, `"diagnostics":[]`) {
		t.Fatalf("last publish after close: %s", last)
	}
	// Requests on the closed document answer empty results.
	hv, err := h.server.Hover(h.callCtx(), &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: h.uri("prefect.yaml")}}})
	if err != nil || hv != nil {
		t.Fatalf("hover on closed doc = %v, %v", hv, err)
	}
}

func TestOtherYAMLIsLeftAlone(t *testing.T) {
	h := newHarness(t, setup{})
	h.open("other.yaml", flawed)
	h.open("prefect.yml", flawed)
	h.waitDiagnostics("prefect.yml", 1)
	time.Sleep(30 * time.Millisecond)
	if ps := h.publishesFor("other.yaml"); len(ps) != 0 {
		t.Fatalf("other.yaml got diagnostics: %v", ps)
	}
}

func TestFilesSettingAndRuleSeverity(t *testing.T) {
	h := newHarness(t, setup{
		caps:     protocol.ClientCapabilities{Workspace: &protocol.WorkspaceClientCapabilities{Configuration: ptr(true)}},
		settings: `{"files": ["deploy/*.yaml"], "rules": {"yaml11-scalar": "warning"}}`,
	})
	// Settings arrive after initialized; until then the file is not ours,
	// and their arrival re-analyses every open document.
	h.open("deploy/prod.yaml", flawed)
	p := h.waitDiagnostics("deploy/prod.yaml", 1)
	if p.Diagnostics[0].Severity != protocol.DiagnosticSeverityWarning {
		t.Fatalf("severity = %v, want warning", p.Diagnostics[0].Severity)
	}
	// Turning the rule off via didChangeConfiguration clears it.
	h.client.mu.Lock()
	h.client.settings = `{"files": ["deploy/*.yaml"], "rules": {"yaml11-scalar": "off"}}`
	h.client.mu.Unlock()
	if err := h.server.DidChangeConfiguration(h.ctx, &protocol.DidChangeConfigurationParams{Settings: protocol.LSPAny("null")}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		ps := h.publishesFor("deploy/prod.yaml")
		if len(ps[len(ps)-1].Diagnostics) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("turning the rule off did not clear the diagnostic")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWatchedFilesRegisteredAndDependentsReanalysed(t *testing.T) {
	calls := make(chan string, 10)
	watched := make(chan struct{}, 1)
	dep := &countingRule{}
	h := newHarness(t, setup{
		caps: protocol.ClientCapabilities{Workspace: &protocol.WorkspaceClientCapabilities{DidChangeWatchedFiles: &protocol.DidChangeWatchedFilesClientCapabilities{DynamicRegistration: ptr(true)}}},
		opts: Options{Rules: []*analysis.Rule{dep.rule()}, FileChanged: func(p string) { calls <- p }, FilesWatched: func() { watched <- struct{}{} }},
	})
	deadline := time.After(5 * time.Second)
	for {
		h.client.mu.Lock()
		n := len(h.client.regs)
		h.client.mu.Unlock()
		if n > 0 {
			break
		}
		select {
		case <-deadline:
			t.Fatal("no registerCapability")
		case <-time.After(10 * time.Millisecond):
		}
	}
	reg := h.client.regs[0]
	if reg.Method != "workspace/didChangeWatchedFiles" || !strings.Contains(string(reg.RegisterOptions), "**/*.py") || !strings.Contains(string(reg.RegisterOptions), "prefect-lsp.toml") {
		t.Fatalf("registration = %+v %s", reg, reg.RegisterOptions)
	}
	select {
	case <-watched:
	case <-deadline:
		t.Fatal("FilesWatched was not called after the registration")
	}
	h.open("prefect.yaml", "name: x\n")
	h.waitDiagnostics("prefect.yaml", 1)
	before := dep.count()
	err := h.server.DidChangeWatchedFiles(h.ctx, &protocol.DidChangeWatchedFilesParams{Changes: []protocol.FileEvent{{URI: h.uri("flows/etl.py"), Type: protocol.FileChangeTypeChanged}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := <-calls; got != h.path("flows/etl.py") {
		t.Errorf("FileChanged(%q)", got)
	}
	for dep.count() == before {
		select {
		case <-deadline:
			t.Fatal("a changed .py file did not re-analyse prefect.yaml")
		case <-time.After(5 * time.Millisecond):
		}
	}
	// A Dockerfile is read too (local-working-directory); a README is not.
	if !strings.Contains(string(reg.RegisterOptions), "ockerfile") {
		t.Fatalf("Dockerfiles are not watched: %s", reg.RegisterOptions)
	}
	for _, c := range []struct {
		file string
		want bool
	}{{"docs/README.md", false}, {"docker/Dockerfile.prod", true}} {
		before = dep.count()
		err = h.server.DidChangeWatchedFiles(h.ctx, &protocol.DidChangeWatchedFilesParams{Changes: []protocol.FileEvent{{URI: h.uri(c.file), Type: protocol.FileChangeTypeChanged}}})
		if err != nil {
			t.Fatal(err)
		}
		<-calls
		if !c.want {
			time.Sleep(50 * time.Millisecond)
			if dep.count() != before {
				t.Errorf("a change of %s re-analysed prefect.yaml", c.file)
			}
			continue
		}
		for dep.count() == before {
			select {
			case <-deadline:
				t.Fatalf("a changed %s did not re-analyse prefect.yaml", c.file)
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
}

// countingRule counts runs and reports the run number, so that every run
// publishes something new.
type countingRule struct {
	mu sync.Mutex
	n  int
}

func (c *countingRule) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func (c *countingRule) rule() *analysis.Rule {
	return &analysis.Rule{ID: "test-count", Summary: "counts runs", Run: func(p *analysis.Pass) {
		c.mu.Lock()
		c.n++
		n := c.n
		c.mu.Unlock()
		p.Reportf(source.Span{Start: 0, End: 1}, "run %d", n)
	}}
}

func TestCancelRequest(t *testing.T) {
	started := make(chan struct{})
	sawCancel := make(chan struct{})
	f := &blockingHover{started: started, sawCancel: sawCancel}
	h := newHarness(t, setup{opts: Options{Features: []Feature{f}}})
	h.open("prefect.yaml", "name: x\n")
	ctx, cancel := context.WithCancel(h.ctx)
	errc := make(chan error, 1)
	go func() {
		_, err := h.server.Hover(ctx, &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: h.uri("prefect.yaml")}}})
		errc <- err
	}()
	<-started
	cancel() // sends $/cancelRequest
	select {
	case <-sawCancel:
	case <-time.After(5 * time.Second):
		t.Fatal("the handler's context was not cancelled")
	}
	<-errc
	// The connection is still healthy.
	if _, err := h.server.DocumentSymbol(h.callCtx(), &protocol.DocumentSymbolParams{TextDocument: protocol.TextDocumentIdentifier{URI: h.uri("prefect.yaml")}}); err != nil {
		t.Fatal(err)
	}
}

type blockingHover struct {
	started, sawCancel chan struct{}
	once               bool
}

func (b *blockingHover) Name() string { return "blocking" }
func (b *blockingHover) Hover(ctx context.Context, s *Snapshot, off int) *HoverResult {
	if b.once {
		return nil
	}
	b.once = true
	close(b.started)
	select {
	case <-ctx.Done():
		close(b.sawCancel)
	case <-time.After(10 * time.Second):
	}
	return nil
}

func TestShutdownThenExit(t *testing.T) {
	h := newHarness(t, setup{})
	if err := h.server.Shutdown(h.callCtx()); err != nil {
		t.Fatal(err)
	}
	_ = h.server.Exit(h.ctx)
	select {
	case err := <-h.done:
		if err != nil {
			t.Fatalf("Serve = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after exit")
	}
}

func TestRequestsAfterShutdownAreRefused(t *testing.T) {
	h := newHarness(t, setup{})
	if err := h.server.Shutdown(h.callCtx()); err != nil {
		t.Fatal(err)
	}
	_, err := h.server.Hover(h.callCtx(), &protocol.HoverParams{})
	if errCode(err) != jsonrpc2.InvalidRequest {
		t.Fatalf("hover after shutdown: %v", err)
	}
}

func TestExitWithoutShutdown(t *testing.T) {
	h := newHarness(t, setup{})
	_ = h.server.Exit(h.ctx)
	select {
	case err := <-h.done:
		if !errors.Is(err, ErrExitWithoutShutdown) {
			t.Fatalf("Serve = %v, want ErrExitWithoutShutdown", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after exit")
	}
}

func TestUnknownMethods(t *testing.T) {
	h := newHarness(t, setup{})
	_, err := h.conn.Call(h.callCtx(), "prefect/unknown", map[string]any{"x": 1}, nil)
	if errCode(err) != jsonrpc2.MethodNotFound {
		t.Fatalf("unknown request: err = %v (code %d), want MethodNotFound", err, errCode(err))
	}
	// Unknown notifications, "$/" or not, are ignored; the connection lives.
	if err := h.conn.Notify(h.ctx, "$/unknownThing", map[string]any{"a": 1}); err != nil {
		t.Fatal(err)
	}
	if err := h.conn.Notify(h.ctx, "custom/notification", nil); err != nil {
		t.Fatal(err)
	}
	// An unknown "$/" request is an error too (LSP: MethodNotFound).
	if _, err := h.conn.Call(h.callCtx(), "$/custom", nil, nil); errCode(err) != jsonrpc2.MethodNotFound {
		t.Fatalf("$/ request: %v", err)
	}
	h.open("prefect.yaml", flawed)
	h.waitDiagnostics("prefect.yaml", 1)
}

func TestGarbageInputIsAnsweredAndSurvived(t *testing.T) {
	h := newHarness(t, setup{})
	h.writeRaw("this is not a header\r\n\r\n")
	h.waitRaw(`"code":-32700`)
	h.writeRaw(frame(`{"jsonrpc":"2.0","id":7,"method":`))      // truncated JSON
	h.writeRaw(frame(`{"id":8,"method":"textDocument/hover"}`)) // no jsonrpc version
	h.waitRaw(`"code":-32600`)
	h.writeRaw(frame(`[1,2,3]`))
	h.writeRaw("Content-Length: nope\r\n\r\n")
	// Notifications with undecodable params are logged, not fatal.
	h.writeRaw(frame(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":"garbage"}`))
	h.writeRaw(frame(`{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///nowhere/prefect.yaml","version":2},"contentChanges":[{"range":{"start":{"line":9,"character":0},"end":{"line":0,"character":0}},"text":"x"}]}}`))
	// A request with undecodable params gets an error reply.
	h.writeRaw(frame(`{"jsonrpc":"2.0","id":99,"method":"textDocument/hover","params":[1]}`))
	h.waitRaw(`"id":99,"error"`)
	h.open("prefect.yaml", flawed)
	if p := h.waitDiagnostics("prefect.yaml", 1); len(p.Diagnostics) != 1 {
		t.Fatalf("server did not carry on: %v", codes(p))
	}
}

func TestFeaturePanicIsContained(t *testing.T) {
	h := newHarness(t, setup{opts: Options{Features: []Feature{panicky{}}}})
	text := "deployments:\n  - name: x\n"
	h.open("prefect.yaml", text)
	hv, err := h.server.Hover(h.callCtx(), &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: h.uri("prefect.yaml")}, Position: pos(text, "name", 1)}})
	if err != nil || hv == nil {
		t.Fatalf("hover with a panicking feature = %v, %v", hv, err)
	}
}

type panicky struct{}

func (panicky) Name() string { return "panicky" }
func (panicky) Hover(context.Context, *Snapshot, int) *HoverResult {
	panic("boom")
}

func TestGuardRecoversHandlerPanics(t *testing.T) {
	s := newServer(Options{})
	s.log = slog.New(slog.DiscardHandler)
	h := s.guard(func(ctx context.Context, req *jsonrpc2.Request) (any, error) { panic("boom") })
	// A notification's panic (and error) is swallowed: returning an error
	// would close the connection.
	if _, err := h(context.Background(), &jsonrpc2.Request{}); err != nil {
		t.Fatalf("notification panic returned %v", err)
	}
	h = s.guard(func(ctx context.Context, req *jsonrpc2.Request) (any, error) { return nil, errors.New("bad params") })
	if _, err := h(context.Background(), &jsonrpc2.Request{}); err != nil {
		t.Fatalf("notification error returned %v", err)
	}
}

func TestRequestPanicGetsInternalError(t *testing.T) {
	h := newHarness(t, setup{opts: Options{Features: []Feature{evil{}}}})
	h.open("prefect.yaml", "name: x\n")
	_, err := h.server.Hover(h.callCtx(), &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: h.uri("prefect.yaml")}}})
	if errCode(err) != jsonrpc2.InternalError {
		t.Fatalf("err = %v (code %d), want InternalError", err, errCode(err))
	}
	if _, err := h.server.FoldingRanges(h.callCtx(), &protocol.FoldingRangeParams{TextDocument: protocol.TextDocumentIdentifier{URI: h.uri("prefect.yaml")}}); err != nil {
		t.Fatalf("connection broken after a panic: %v", err)
	}
}

// evil panics even while its panic is being logged, escaping safeCall.
type evil struct{}

func (evil) Name() string { panic("no name") }
func (evil) Hover(context.Context, *Snapshot, int) *HoverResult {
	panic("boom")
}

// TestApplySettingsReportsChanges: the settings a client sends back on the
// first workspace/configuration usually equal the defaults the open
// documents were analysed with; only a real change may trigger
// re-analysis (which would cancel and restart the first one).
func TestApplySettingsReportsChanges(t *testing.T) {
	s := newServer(Options{})
	s.log = slog.New(slog.DiscardHandler)
	steps := []struct {
		scope, raw string
		want       bool
	}{
		{"", `null`, false},
		{"", ``, false},
		{"", `{}`, false},
		// What VS Code sends by default: the defaults, spelt out.
		{"", `{"files": [], "rules": {}, "workPools": {}, "prefectVersion": "", "server": "unknown", "trace": {"server": "off"}}`, false},
		{"", `{"prefect-lsp": {}}`, false},
		{"", `{"rules": {"yaml11-scalar": "off"}}`, true},
		{"", `{"rules": {"yaml11-scalar": "off"}}`, false},
		{"/w", `{"rules": {"yaml11-scalar": "off"}}`, false}, // the same as the global settings it replaces
		{"/w", `{"rules": {}}`, true},
		{"", `{"rules": {}}`, true},
		{"", `{"server": "cloud"}`, true},
		{"", `{"server": "prefect-cloud"}`, false},
		{"", `[1, 2]`, false}, // malformed: ignored
	}
	for i, st := range steps {
		if got := s.applySettings(st.scope, []byte(st.raw)); got != st.want {
			t.Errorf("step %d: applySettings(%q, %s) = %v, want %v", i, st.scope, st.raw, got, st.want)
		}
	}
}
