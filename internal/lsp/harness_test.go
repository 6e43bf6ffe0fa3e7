package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// harness is a small LSP client driving Serve over net.Pipe.
type harness struct {
	t      *testing.T
	ctx    context.Context
	server protocol.Server
	conn   jsonrpc2.Conn
	pipe   net.Conn // the client's end, for raw writes
	dir    string
	done   chan error
	client *testClient
	rec    *recorder
	init   *protocol.InitializeResult
}

type testClient struct {
	protocol.UnimplementedClient
	mu        sync.Mutex
	publishes []protocol.PublishDiagnosticsParams
	changed   chan struct{}
	settings  string // JSON answered to workspace/configuration
	regs      []protocol.Registration
	logs      []string
	refreshes int // workspace/diagnostic/refresh requests
}

func (c *testClient) DiagnosticRefresh(context.Context) error {
	c.mu.Lock()
	c.refreshes++
	c.mu.Unlock()
	c.poke()
	return nil
}

func (c *testClient) setSettings(s string) {
	c.mu.Lock()
	c.settings = s
	c.mu.Unlock()
}

func (c *testClient) refreshCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.refreshes
}

func (c *testClient) PublishDiagnostics(_ context.Context, p *protocol.PublishDiagnosticsParams) error {
	c.mu.Lock()
	c.publishes = append(c.publishes, *p)
	c.mu.Unlock()
	c.poke()
	return nil
}

func (c *testClient) poke() {
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

func (c *testClient) Configuration(_ context.Context, p *protocol.ConfigurationParams) ([]protocol.LSPAny, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]protocol.LSPAny, len(p.Items))
	for i := range out {
		s := c.settings
		if s == "" {
			s = "null"
		}
		out[i] = protocol.LSPAny(s)
	}
	return out, nil
}

func (c *testClient) RegisterCapability(_ context.Context, p *protocol.RegistrationParams) error {
	c.mu.Lock()
	c.regs = append(c.regs, p.Registrations...)
	c.mu.Unlock()
	c.poke()
	return nil
}

func (c *testClient) LogMessage(_ context.Context, p *protocol.LogMessageParams) error {
	c.mu.Lock()
	c.logs = append(c.logs, p.Message)
	c.mu.Unlock()
	return nil
}

func (c *testClient) WorkDoneProgressCreate(context.Context, *protocol.WorkDoneProgressCreateParams) error {
	return nil
}

// recorder keeps every byte the server wrote.
type recorder struct {
	net.Conn
	mu  sync.Mutex
	buf bytes.Buffer
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.mu.Lock()
	r.buf.Write(p[:n])
	r.mu.Unlock()
	return n, err
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.String()
}

type setup struct {
	opts     Options
	caps     protocol.ClientCapabilities
	settings string
	files    map[string]string
}

func newHarness(t *testing.T, st setup) *harness {
	t.Helper()
	dir := t.TempDir()
	for name, text := range st.files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	a, b := net.Pipe()
	if st.opts.Rules == nil {
		// A fixed set, so that rules added later do not change the tests.
		st.opts.Rules = []*analysis.Rule{rules.YAMLSyntax, rules.YAML11Scalar, rules.DuplicateKey}
	}
	if st.opts.Logger == nil {
		st.opts.Logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	h := &harness{t: t, dir: dir, done: make(chan error, 1), client: &testClient{changed: make(chan struct{}, 1), settings: st.settings}, pipe: b}
	go func() { h.done <- Serve(ctx, a, st.opts) }()
	h.rec = &recorder{Conn: b}
	h.ctx, h.conn, h.server = protocol.NewClient(ctx, h.client, jsonrpc2.NewStream(h.rec))
	t.Cleanup(func() { _ = h.conn.Close() })
	folder := protocol.WorkspaceFolder{URI: uri.File(dir), Name: "ws"}
	params := &protocol.InitializeParams{Capabilities: st.caps}
	params.WorkspaceFolders = protocol.NewNullable([]protocol.WorkspaceFolder{folder})
	res, err := h.server.Initialize(h.callCtx(), params)
	if err != nil {
		t.Fatalf("initialize: %v", err)
	}
	h.init = res
	if err := h.server.Initialized(h.ctx, &protocol.InitializedParams{}); err != nil {
		t.Fatal(err)
	}
	return h
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func (h *harness) callCtx() context.Context {
	ctx, cancel := context.WithTimeout(h.ctx, 10*time.Second)
	h.t.Cleanup(cancel)
	return ctx
}

func (h *harness) path(name string) string { return filepath.Join(h.dir, name) }
func (h *harness) uri(name string) uri.URI { return uri.File(h.path(name)) }

func (h *harness) open(name, text string) {
	h.t.Helper()
	err := h.server.DidOpen(h.ctx, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: h.uri(name), LanguageID: "yaml", Version: 1, Text: text}})
	if err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) change(name string, version int32, text string) {
	h.t.Helper()
	err := h.server.DidChange(h.ctx, &protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: h.uri(name)}, Version: version},
		ContentChanges: []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangeWholeDocument{Text: text}},
	})
	if err != nil {
		h.t.Fatal(err)
	}
}

// waitDiagnostics waits for a publish for name at version.
func (h *harness) waitDiagnostics(name string, version int32) protocol.PublishDiagnosticsParams {
	h.t.Helper()
	u := h.uri(name)
	deadline := time.After(10 * time.Second)
	for {
		h.client.mu.Lock()
		for _, p := range h.client.publishes {
			if v, ok := p.Version.Get(); p.URI == u && ok && v == version {
				h.client.mu.Unlock()
				return p
			}
		}
		h.client.mu.Unlock()
		select {
		case <-h.client.changed:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			h.t.Fatalf("no diagnostics for %s version %d; got %s", name, version, h.publishSummary())
		}
	}
}

func (h *harness) publishSummary() string {
	h.client.mu.Lock()
	defer h.client.mu.Unlock()
	var b strings.Builder
	for _, p := range h.client.publishes {
		v, _ := p.Version.Get()
		fmt.Fprintf(&b, "[%s v%d n=%d] ", filepath.Base(string(p.URI)), v, len(p.Diagnostics))
	}
	return b.String()
}

func (h *harness) publishesFor(name string) []protocol.PublishDiagnosticsParams {
	h.client.mu.Lock()
	defer h.client.mu.Unlock()
	var out []protocol.PublishDiagnosticsParams
	for _, p := range h.client.publishes {
		if p.URI == h.uri(name) {
			out = append(out, p)
		}
	}
	return out
}

// waitRaw waits until the server has written s.
func (h *harness) waitRaw(s string) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(h.rec.String(), s) {
		if time.Now().After(deadline) {
			h.t.Fatalf("server never wrote %q; wrote:\n%s", s, h.rec.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// writeRaw writes bytes on the wire as one write.
func (h *harness) writeRaw(s string) {
	h.t.Helper()
	if _, err := h.pipe.Write([]byte(s)); err != nil {
		h.t.Fatal(err)
	}
}

func frame(body string) string { return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body) }

func notification(method string, params any) string {
	b, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method, "params": params})
	if err != nil {
		panic(err)
	}
	return frame(string(b))
}

// pos returns the LSP position (UTF-16) of the first occurrence of needle
// in text, plus delta bytes.
func pos(text, needle string, delta int) protocol.Position {
	i := strings.Index(text, needle)
	if i < 0 {
		panic("no " + needle)
	}
	p := source.NewFile("", text).Position(i+delta, source.UTF16)
	return protocol.Position{Line: uint32(p.Line), Character: uint32(p.Character)}
}

// applyEdits applies LSP text edits (UTF-16) to text.
func applyEdits(t *testing.T, text string, edits []protocol.TextEdit) string {
	t.Helper()
	f := source.NewFile("", text)
	var se []source.Edit
	for _, e := range edits {
		se = append(se, source.Edit{Span: f.SpanOf(toSourceRange(e.Range), source.UTF16), NewText: e.NewText})
	}
	out, err := source.Apply(text, se)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// editsOf extracts the edits for u from a workspace edit.
func editsOf(t *testing.T, we *protocol.WorkspaceEdit, u uri.URI) []protocol.TextEdit {
	t.Helper()
	if we == nil {
		t.Fatal("no workspace edit")
	}
	var out []protocol.TextEdit
	out = append(out, we.Changes[u]...)
	for _, dc := range we.DocumentChanges {
		if te, ok := dc.(*protocol.TextDocumentEdit); ok && te.TextDocument.URI == u {
			for _, e := range te.Edits {
				if x, ok := e.(*protocol.TextEdit); ok {
					out = append(out, *x)
				}
			}
		}
	}
	return out
}

func codes(p protocol.PublishDiagnosticsParams) []string {
	var out []string
	for _, d := range p.Diagnostics {
		if s, ok := d.Code.(protocol.String); ok {
			out = append(out, string(s))
		}
	}
	return out
}

func errCode(err error) jsonrpc2.Code {
	var e *jsonrpc2.Error
	for err != nil {
		if x, ok := err.(*jsonrpc2.Error); ok {
			e = x
			break
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			break
		}
		err = u.Unwrap()
	}
	if e == nil {
		return 0
	}
	return e.Code
}
