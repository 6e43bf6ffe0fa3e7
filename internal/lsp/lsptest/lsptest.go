// Package lsptest is an end-to-end test client for the prefect-lsp language
// server: it runs lsp.Serve over an in-memory pipe against a temporary
// project directory and speaks JSON-RPC to it like an editor would. Its API
// is plain Go values (lines, UTF-16 characters, paths, strings) so that
// tests outside internal/lsp need not know go.lsp.dev's types.
//
// The client advertises what a modern editor does: UTF-16 positions,
// snippets, markdown, documentChanges with file creation, workspace
// configuration (answered from Setup.Settings) and dynamic registration of
// watched files.
package lsptest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// Timeout bounds every request and every wait.
const Timeout = 10 * time.Second

// Setup describes the project and the server under test.
type Setup struct {
	// Files are written, relative to Dir, before the server starts.
	Files map[string]string
	// Options configure the server. When Options.Rules is nil a small
	// fixed set (YAML syntax, YAML 1.1 scalars, duplicate keys) runs, so
	// that rules added later do not change the tests; set it to
	// rules.All() for everything. A nil Logger logs warnings to t.Log.
	Options lsp.Options
	// Settings is the `prefect-lsp` configuration section answered to
	// workspace/configuration (nil answers null).
	Settings map[string]any
}

// Position is an LSP position: zero-based line and UTF-16 character.
type Position struct{ Line, Character int }

// Range is an LSP range.
type Range struct{ Start, End Position }

// Diagnostic is one published diagnostic.
type Diagnostic struct {
	Code     string
	Message  string
	Severity int // 1 error, 2 warning, 3 information, 4 hint
	Source   string
	Range    Range
}

// TextEdit replaces Range with NewText.
type TextEdit struct {
	Range   Range
	NewText string
}

// CompletionItem is one completion proposal. InsertText is the item's
// insertText, or its textEdit's newText when it has one.
type CompletionItem struct {
	Label         string
	InsertText    string
	Detail        string
	Documentation string
	Kind          int  // LSP CompletionItemKind
	Snippet       bool // insertTextFormat is Snippet
	SortText      string
	FilterText    string
	Edit          *TextEdit // the item's textEdit, if any
}

// Location is a range in a file.
type Location struct {
	Path  string
	Range Range
}

// InlayHint is one inlay hint; Label joins label parts.
type InlayHint struct {
	Line, Character int
	Label           string
	Tooltip         string
}

// CodeAction is one code action. Edits holds the text edits per existing
// file; CreatedFiles the content of files the action creates.
type CodeAction struct {
	Title        string
	Kind         string
	Preferred    bool
	Edits        map[string][]TextEdit
	CreatedFiles map[string]string
	Command      string
}

// Client is a language client connected to a running server.
type Client struct {
	t    testing.TB
	ctx  context.Context
	conn jsonrpc2.Conn
	dir  string
	cb   *callbacks
	// Capabilities is the server's initialize result (raw JSON).
	Capabilities json.RawMessage
}

// New starts a server on a fresh temporary project directory, initializes
// it and returns the client. Shutdown, exit and close run on t.Cleanup.
func New(t testing.TB, st Setup) *Client {
	t.Helper()
	dir := t.TempDir()
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		dir = d
	}
	for name, text := range st.Files {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), text)
	}
	settings := []byte("null")
	if st.Settings != nil {
		b, err := json.Marshal(st.Settings)
		if err != nil {
			t.Fatalf("lsptest: settings: %v", err)
		}
		settings = b
	}
	opts := st.Options
	if opts.Rules == nil {
		opts.Rules = []*analysis.Rule{rules.YAMLSyntax, rules.YAML11Scalar, rules.DuplicateKey}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(logWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, b := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- lsp.Serve(ctx, a, opts) }()
	cb := &callbacks{changed: make(chan struct{}, 1), settings: settings}
	c := &Client{t: t, dir: dir, cb: cb}
	c.ctx, c.conn, _ = protocol.NewClient(ctx, cb, jsonrpc2.NewStream(b))
	t.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(c.ctx, Timeout)
		_, _ = c.conn.Call(cctx, "shutdown", nil, nil)
		_ = c.conn.Notify(cctx, "exit", nil)
		ccancel()
		select {
		case <-done:
		case <-time.After(Timeout):
		}
		cancel()
		_ = c.conn.Close()
		_ = a.Close()
	})
	init := map[string]any{
		"processId": nil,
		"workspaceFolders": []any{
			map[string]any{"uri": string(uri.File(dir)), "name": "ws"},
		},
		"capabilities": map[string]any{
			"workspace": map[string]any{
				"configuration":          true,
				"didChangeWatchedFiles":  map[string]any{"dynamicRegistration": true},
				"workspaceEdit":          map[string]any{"documentChanges": true, "resourceOperations": []string{"create"}},
				"didChangeConfiguration": map[string]any{"dynamicRegistration": false},
			},
			"textDocument": map[string]any{
				"completion": map[string]any{"completionItem": map[string]any{
					"snippetSupport": true, "documentationFormat": []string{"markdown", "plaintext"},
				}},
				"hover":              map[string]any{"contentFormat": []string{"markdown", "plaintext"}},
				"publishDiagnostics": map[string]any{"relatedInformation": true},
				"documentSymbol":     map[string]any{"hierarchicalDocumentSymbolSupport": true},
				"inlayHint":          map[string]any{},
				"codeAction":         map[string]any{},
			},
		},
	}
	var res jsonrpc2.RawMessage
	if err := c.call("initialize", init, &res); err != nil {
		t.Fatalf("lsptest: initialize: %v", err)
	}
	c.Capabilities = json.RawMessage(res)
	if err := c.notify("initialized", map[string]any{}); err != nil {
		t.Fatalf("lsptest: initialized: %v", err)
	}
	return c
}

// Dir is the project directory (symlinks resolved).
func (c *Client) Dir() string { return c.dir }

// Path is the absolute path of name (slash-separated, relative to Dir).
func (c *Client) Path(name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(c.dir, filepath.FromSlash(name))
}

// URI is the file URI of name.
func (c *Client) URI(name string) string { return string(uri.File(c.Path(name))) }

// Open opens name with text at version 1.
func (c *Client) Open(name, text string) {
	c.t.Helper()
	c.must(c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": c.URI(name), "languageId": "yaml", "version": 1, "text": text,
	}}))
}

// Change replaces the whole text of the open document name.
func (c *Client) Change(name string, version int, text string) {
	c.t.Helper()
	c.must(c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": c.URI(name), "version": version},
		"contentChanges": []any{map[string]any{"text": text}},
	}))
}

// ChangeFrom changes the open document name from old to text with one
// ranged change covering what differs (UTF-16 positions), as an editor
// sends a keystroke.
func (c *Client) ChangeFrom(name string, version int, old, text string) {
	c.t.Helper()
	a, oldEnd, newEnd := source.ChangedText(old, text)
	pos := func(off int) map[string]any {
		ls := strings.LastIndexByte(old[:off], '\n') + 1
		return map[string]any{"line": strings.Count(old[:off], "\n"), "character": len(utf16.Encode([]rune(old[ls:off])))}
	}
	c.must(c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": c.URI(name), "version": version},
		"contentChanges": []any{map[string]any{"range": map[string]any{"start": pos(a), "end": pos(oldEnd)}, "text": text[a:newEnd]}},
	}))
}

// Close closes the open document name.
func (c *Client) Close(name string) {
	c.t.Helper()
	c.must(c.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": c.URI(name)}}))
}

// WriteFile writes text to name on disk (creating folders) and sends
// workspace/didChangeWatchedFiles for it, as an editor's file watcher would.
func (c *Client) WriteFile(name, text string) {
	c.t.Helper()
	p := c.Path(name)
	typ := 2 // changed
	if _, err := os.Stat(p); err != nil {
		typ = 1 // created
	}
	writeFile(c.t, p, text)
	c.FileChanged(name, typ)
}

// FileChanged sends workspace/didChangeWatchedFiles for name with the LSP
// FileChangeType typ (1 created, 2 changed, 3 deleted).
func (c *Client) FileChanged(name string, typ int) {
	c.t.Helper()
	c.must(c.notify("workspace/didChangeWatchedFiles", map[string]any{
		"changes": []any{map[string]any{"uri": c.URI(name), "type": typ}},
	}))
}

// WaitDiagnostics waits for the publish of name at version and returns its
// diagnostics.
func (c *Client) WaitDiagnostics(name string, version int) []Diagnostic {
	c.t.Helper()
	u := c.URI(name)
	return c.waitPublish(func(p publish) bool { return p.URI == u && p.Version != nil && *p.Version == version },
		fmt.Sprintf("no diagnostics for %s version %d", name, version))
}

// WaitDiagnosticsFunc waits until a publish for name (any version, the
// ones already received included) satisfies ok, and returns it.
func (c *Client) WaitDiagnosticsFunc(name string, ok func([]Diagnostic) bool) []Diagnostic {
	c.t.Helper()
	u := c.URI(name)
	return c.waitPublish(func(p publish) bool { return p.URI == u && ok(p.diagnostics()) },
		fmt.Sprintf("no matching diagnostics for %s", name))
}

// Publishes returns how many publishes name has received.
func (c *Client) Publishes(name string) int {
	u := c.URI(name)
	c.cb.mu.Lock()
	defer c.cb.mu.Unlock()
	n := 0
	for _, p := range c.cb.publishes {
		if p.URI == u {
			n++
		}
	}
	return n
}

// Codes returns the codes of ds.
func Codes(ds []Diagnostic) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.Code)
	}
	return out
}

// Hover returns the hover markdown at (line, char) in name, "" for none.
func (c *Client) Hover(name string, line, char int) string {
	c.t.Helper()
	var res struct {
		Contents json.RawMessage `json:"contents"`
	}
	var raw jsonrpc2.RawMessage
	c.must(c.call("textDocument/hover", c.tdpp(name, line, char), &raw))
	if isNull(raw) {
		return ""
	}
	c.must(json.Unmarshal(raw, &res))
	return markup(res.Contents)
}

// Completion returns the completion items at (line, char) in name.
func (c *Client) Completion(name string, line, char int) []CompletionItem {
	c.t.Helper()
	var raw jsonrpc2.RawMessage
	c.must(c.call("textDocument/completion", c.tdpp(name, line, char), &raw))
	if isNull(raw) {
		return nil
	}
	var items []wireCompletion
	if strings.HasPrefix(strings.TrimSpace(string(raw)), "[") {
		c.must(json.Unmarshal(raw, &items))
	} else {
		var l struct {
			Items []wireCompletion `json:"items"`
		}
		c.must(json.Unmarshal(raw, &l))
		items = l.Items
	}
	out := make([]CompletionItem, 0, len(items))
	for _, w := range items {
		it := CompletionItem{Label: w.Label, InsertText: w.InsertText, Detail: w.Detail, Documentation: markup(w.Documentation),
			Kind: w.Kind, Snippet: w.InsertTextFormat == 2, SortText: w.SortText, FilterText: w.FilterText}
		if w.TextEdit != nil {
			r := w.TextEdit.Range
			if r == nil {
				r = w.TextEdit.Replace
			}
			if r != nil {
				it.Edit = &TextEdit{Range: *r, NewText: w.TextEdit.NewText}
			}
			if it.InsertText == "" {
				it.InsertText = w.TextEdit.NewText
			}
		}
		if it.InsertText == "" {
			it.InsertText = w.Label
		}
		out = append(out, it)
	}
	return out
}

// Definition returns the go-to-definition targets at (line, char) in name.
func (c *Client) Definition(name string, line, char int) []Location {
	c.t.Helper()
	var raw jsonrpc2.RawMessage
	c.must(c.call("textDocument/definition", c.tdpp(name, line, char), &raw))
	return locations(c.t, raw)
}

// References returns the references of the symbol at (line, char) in name.
func (c *Client) References(name string, line, char int, includeDeclaration bool) []Location {
	c.t.Helper()
	p := c.tdpp(name, line, char)
	p["context"] = map[string]any{"includeDeclaration": includeDeclaration}
	var raw jsonrpc2.RawMessage
	c.must(c.call("textDocument/references", p, &raw))
	return locations(c.t, raw)
}

// Rename renames the symbol at (line, char) in name; the edits are keyed
// by path. A refused rename fails the test; use RenameErr to expect one.
func (c *Client) Rename(name string, line, char int, newName string) map[string][]TextEdit {
	c.t.Helper()
	edits, err := c.RenameErr(name, line, char, newName)
	c.must(err)
	return edits
}

// RenameErr is Rename returning the server's error.
func (c *Client) RenameErr(name string, line, char int, newName string) (map[string][]TextEdit, error) {
	c.t.Helper()
	p := c.tdpp(name, line, char)
	p["newName"] = newName
	var raw jsonrpc2.RawMessage
	if err := c.call("textDocument/rename", p, &raw); err != nil {
		return nil, err
	}
	edits, _ := workspaceEdit(c.t, raw)
	return edits, nil
}

// InlayHints returns the inlay hints of the whole document name.
func (c *Client) InlayHints(name string) []InlayHint {
	c.t.Helper()
	p := map[string]any{
		"textDocument": map[string]any{"uri": c.URI(name)},
		"range":        Range{End: Position{Line: 1 << 30}},
	}
	var raw jsonrpc2.RawMessage
	c.must(c.call("textDocument/inlayHint", p, &raw))
	var ws []struct {
		Position Position        `json:"position"`
		Label    json.RawMessage `json:"label"`
		Tooltip  json.RawMessage `json:"tooltip"`
	}
	if !isNull(raw) {
		c.must(json.Unmarshal(raw, &ws))
	}
	out := make([]InlayHint, 0, len(ws))
	for _, w := range ws {
		h := InlayHint{Line: w.Position.Line, Character: w.Position.Character, Tooltip: markup(w.Tooltip)}
		var s string
		if json.Unmarshal(w.Label, &s) == nil {
			h.Label = s
		} else {
			var parts []struct {
				Value string `json:"value"`
			}
			_ = json.Unmarshal(w.Label, &parts)
			for _, p := range parts {
				h.Label += p.Value
			}
		}
		out = append(out, h)
	}
	return out
}

// CodeActions returns the code actions at (line, char) in name, with the
// diagnostics the client last received for name that touch that position
// as context.
func (c *Client) CodeActions(name string, line, char int) []CodeAction {
	c.t.Helper()
	return c.CodeActionsIn(name, Range{Start: Position{line, char}, End: Position{line, char}}, nil)
}

// CodeActionsIn returns the code actions for r, optionally restricted to
// the kinds in only.
func (c *Client) CodeActionsIn(name string, r Range, only []string) []CodeAction {
	c.t.Helper()
	var diags []json.RawMessage
	u := c.URI(name)
	c.cb.mu.Lock()
	for i := len(c.cb.publishes) - 1; i >= 0; i-- {
		if p := c.cb.publishes[i]; p.URI == u {
			for j, d := range p.Diagnostics {
				if touches(p.parsed[j].Range, r) {
					diags = append(diags, d)
				}
			}
			break
		}
	}
	c.cb.mu.Unlock()
	if diags == nil {
		diags = []json.RawMessage{}
	}
	ctx := map[string]any{"diagnostics": diags}
	if only != nil {
		ctx["only"] = only
	}
	p := map[string]any{"textDocument": map[string]any{"uri": u}, "range": r, "context": ctx}
	var raw jsonrpc2.RawMessage
	c.must(c.call("textDocument/codeAction", p, &raw))
	var ws []struct {
		Title       string          `json:"title"`
		Kind        string          `json:"kind"`
		IsPreferred bool            `json:"isPreferred"`
		Edit        json.RawMessage `json:"edit"`
		Command     json.RawMessage `json:"command"`
	}
	if !isNull(raw) {
		c.must(json.Unmarshal(raw, &ws))
	}
	out := make([]CodeAction, 0, len(ws))
	for _, w := range ws {
		a := CodeAction{Title: w.Title, Kind: w.Kind, Preferred: w.IsPreferred}
		a.Edits, a.CreatedFiles = workspaceEdit(c.t, w.Edit)
		var cmd struct {
			Command string `json:"command"`
		}
		if len(w.Command) > 0 && json.Unmarshal(w.Command, &cmd) == nil {
			a.Command = cmd.Command
		} else if len(w.Command) > 0 {
			var s string
			_ = json.Unmarshal(w.Command, &s)
			a.Command = s
		}
		out = append(out, a)
	}
	return out
}

// ExecuteCommand runs workspace/executeCommand and returns its raw result.
func (c *Client) ExecuteCommand(cmd string, args ...any) (json.RawMessage, error) {
	if args == nil {
		args = []any{}
	}
	var raw jsonrpc2.RawMessage
	err := c.call("workspace/executeCommand", map[string]any{"command": cmd, "arguments": args}, &raw)
	return json.RawMessage(raw), err
}

// Call sends any request with params (marshalled with encoding/json) and
// unmarshals the result into result (which may be nil).
func (c *Client) Call(method string, params, result any) error {
	var raw jsonrpc2.RawMessage
	if err := c.call(method, params, &raw); err != nil {
		return err
	}
	if result == nil || isNull(raw) {
		return nil
	}
	return json.Unmarshal(raw, result)
}

// Notify sends any notification.
func (c *Client) Notify(method string, params any) error { return c.notify(method, params) }

// Registrations returns the methods the server registered dynamically,
// with their raw registerOptions.
func (c *Client) Registrations() map[string]json.RawMessage {
	c.cb.mu.Lock()
	defer c.cb.mu.Unlock()
	out := map[string]json.RawMessage{}
	for _, r := range c.cb.regs {
		out[r.Method] = json.RawMessage(r.RegisterOptions)
	}
	return out
}

// Pos returns the line and UTF-16 character of the first occurrence of
// needle in text, plus delta bytes. It panics when needle is absent.
func Pos(text, needle string, delta int) (line, char int) {
	i := strings.Index(text, needle)
	if i < 0 {
		panic("lsptest.Pos: no " + needle)
	}
	p := source.NewFile("", text).Position(i+delta, source.UTF16)
	return p.Line, p.Character
}

// Offset converts an LSP position (UTF-16) in text to a byte offset.
func Offset(text string, line, char int) int {
	return source.NewFile("", text).Offset(source.Position{Line: line, Character: char}, source.UTF16)
}

// ApplyEdits applies LSP text edits (UTF-16) to text. It panics when the
// edits overlap.
func ApplyEdits(text string, edits []TextEdit) string {
	f := source.NewFile("", text)
	se := make([]source.Edit, 0, len(edits))
	for _, e := range edits {
		r := source.Range{
			Start: source.Position{Line: e.Range.Start.Line, Character: e.Range.Start.Character},
			End:   source.Position{Line: e.Range.End.Line, Character: e.Range.End.Character},
		}
		se = append(se, source.Edit{Span: f.SpanOf(r, source.UTF16), NewText: e.NewText})
	}
	out, err := source.Apply(text, se)
	if err != nil {
		panic("lsptest.ApplyEdits: " + err.Error())
	}
	return out
}

// ---- internals ----

func (c *Client) tdpp(name string, line, char int) map[string]any {
	return map[string]any{
		"textDocument": map[string]any{"uri": c.URI(name)},
		"position":     Position{line, char},
	}
}

func (c *Client) call(method string, params any, result *jsonrpc2.RawMessage) error {
	b, err := json.Marshal(params)
	if err != nil {
		return err
	}
	if params == nil {
		b = nil
	}
	ctx, cancel := context.WithTimeout(c.ctx, Timeout)
	defer cancel()
	_, err = c.conn.Call(ctx, method, jsonrpc2.RawMessage(b), result)
	return err
}

func (c *Client) notify(method string, params any) error {
	b, err := json.Marshal(params)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.ctx, Timeout)
	defer cancel()
	return c.conn.Notify(ctx, method, jsonrpc2.RawMessage(b))
}

func (c *Client) must(err error) {
	if err != nil {
		c.t.Helper()
		c.t.Fatalf("lsptest: %v", err)
	}
}

func (c *Client) waitPublish(match func(publish) bool, failure string) []Diagnostic {
	c.t.Helper()
	deadline := time.After(Timeout)
	for {
		// match runs without the lock: it may call the client.
		c.cb.mu.Lock()
		pubs := append([]publish(nil), c.cb.publishes...)
		c.cb.mu.Unlock()
		for i := len(pubs) - 1; i >= 0; i-- {
			if match(pubs[i]) {
				return pubs[i].diagnostics()
			}
		}
		select {
		case <-c.cb.changed:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			c.t.Fatalf("lsptest: %s; got %s", failure, c.summary())
		}
	}
}

func (c *Client) summary() string {
	c.cb.mu.Lock()
	defer c.cb.mu.Unlock()
	var b strings.Builder
	for _, p := range c.cb.publishes {
		v := -1
		if p.Version != nil {
			v = *p.Version
		}
		fmt.Fprintf(&b, "[%s v%d %v] ", filepath.Base(p.URI), v, Codes(p.parsed))
	}
	return b.String()
}

type publish struct {
	URI         string            `json:"uri"`
	Version     *int              `json:"version"`
	Diagnostics []json.RawMessage `json:"diagnostics"`
	parsed      []Diagnostic
}

func (p publish) diagnostics() []Diagnostic { return append([]Diagnostic(nil), p.parsed...) }

// callbacks answers the server's requests and records its notifications.
type callbacks struct {
	protocol.UnimplementedClient
	mu        sync.Mutex
	publishes []publish
	regs      []protocol.Registration
	changed   chan struct{}
	settings  []byte
}

func (cb *callbacks) PublishDiagnostics(_ context.Context, p *protocol.PublishDiagnosticsParams) error {
	b, err := protocol.Marshal(p)
	if err != nil {
		return nil
	}
	var pub publish
	if json.Unmarshal(b, &pub) != nil {
		return nil
	}
	for _, d := range pub.Diagnostics {
		var w struct {
			Code     json.RawMessage `json:"code"`
			Message  string          `json:"message"`
			Severity int             `json:"severity"`
			Source   string          `json:"source"`
			Range    Range           `json:"range"`
		}
		_ = json.Unmarshal(d, &w)
		code := strings.Trim(string(w.Code), `"`)
		pub.parsed = append(pub.parsed, Diagnostic{Code: code, Message: w.Message, Severity: w.Severity, Source: w.Source, Range: w.Range})
	}
	cb.mu.Lock()
	cb.publishes = append(cb.publishes, pub)
	cb.mu.Unlock()
	cb.poke()
	return nil
}

func (cb *callbacks) poke() {
	select {
	case cb.changed <- struct{}{}:
	default:
	}
}

func (cb *callbacks) Configuration(_ context.Context, p *protocol.ConfigurationParams) ([]protocol.LSPAny, error) {
	out := make([]protocol.LSPAny, len(p.Items))
	for i := range out {
		out[i] = protocol.LSPAny(append([]byte(nil), cb.settings...))
	}
	return out, nil
}

func (cb *callbacks) RegisterCapability(_ context.Context, p *protocol.RegistrationParams) error {
	cb.mu.Lock()
	cb.regs = append(cb.regs, p.Registrations...)
	cb.mu.Unlock()
	cb.poke()
	return nil
}

func (cb *callbacks) WorkDoneProgressCreate(context.Context, *protocol.WorkDoneProgressCreateParams) error {
	return nil
}

type wireCompletion struct {
	Label            string          `json:"label"`
	InsertText       string          `json:"insertText"`
	InsertTextFormat int             `json:"insertTextFormat"`
	Detail           string          `json:"detail"`
	Documentation    json.RawMessage `json:"documentation"`
	Kind             int             `json:"kind"`
	SortText         string          `json:"sortText"`
	FilterText       string          `json:"filterText"`
	TextEdit         *struct {
		Range   *Range `json:"range"`
		Replace *Range `json:"replace"`
		NewText string `json:"newText"`
	} `json:"textEdit"`
}

func (p *Position) UnmarshalJSON(b []byte) error {
	var w struct {
		Line      int `json:"line"`
		Character int `json:"character"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = Position{w.Line, w.Character}
	return nil
}

// MarshalJSON writes the LSP form.
func (p Position) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]int{"line": p.Line, "character": p.Character})
}

// UnmarshalJSON reads the LSP form.
func (r *Range) UnmarshalJSON(b []byte) error {
	var w struct {
		Start Position `json:"start"`
		End   Position `json:"end"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = Range{w.Start, w.End}
	return nil
}

// MarshalJSON writes the LSP form.
func (r Range) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]Position{"start": r.Start, "end": r.End})
}

func (e *TextEdit) UnmarshalJSON(b []byte) error {
	var w struct {
		Range   Range  `json:"range"`
		NewText string `json:"newText"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*e = TextEdit{w.Range, w.NewText}
	return nil
}

func isNull(raw []byte) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}

// markup flattens MarkupContent, MarkedString, a string or an array of
// them into text.
func markup(raw json.RawMessage) string {
	if isNull(raw) {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var mc struct {
		Value string `json:"value"`
	}
	if json.Unmarshal(raw, &mc) == nil && mc.Value != "" {
		return mc.Value
	}
	var arr []json.RawMessage
	if json.Unmarshal(raw, &arr) == nil {
		parts := make([]string, 0, len(arr))
		for _, a := range arr {
			parts = append(parts, markup(a))
		}
		return strings.Join(parts, "\n\n")
	}
	return ""
}

func pathOf(u string) string {
	if u == "" {
		return ""
	}
	return filepath.Clean(uri.URI(u).FsPath())
}

func locations(t testing.TB, raw []byte) []Location {
	t.Helper()
	if isNull(raw) {
		return nil
	}
	type wire struct {
		URI                  string `json:"uri"`
		Range                *Range `json:"range"`
		TargetURI            string `json:"targetUri"`
		TargetSelectionRange *Range `json:"targetSelectionRange"`
	}
	var ws []wire
	if strings.HasPrefix(strings.TrimSpace(string(raw)), "[") {
		if err := json.Unmarshal(raw, &ws); err != nil {
			t.Fatalf("lsptest: locations %s: %v", raw, err)
		}
	} else {
		var w wire
		if err := json.Unmarshal(raw, &w); err != nil {
			t.Fatalf("lsptest: location %s: %v", raw, err)
		}
		ws = []wire{w}
	}
	out := make([]Location, 0, len(ws))
	for _, w := range ws {
		switch {
		case w.TargetURI != "" && w.TargetSelectionRange != nil:
			out = append(out, Location{Path: pathOf(w.TargetURI), Range: *w.TargetSelectionRange})
		case w.URI != "" && w.Range != nil:
			out = append(out, Location{Path: pathOf(w.URI), Range: *w.Range})
		}
	}
	return out
}

// workspaceEdit splits a WorkspaceEdit into edits of existing files and
// contents of created files.
func workspaceEdit(t testing.TB, raw []byte) (map[string][]TextEdit, map[string]string) {
	t.Helper()
	if isNull(raw) {
		return nil, nil
	}
	var we struct {
		Changes         map[string][]TextEdit `json:"changes"`
		DocumentChanges []json.RawMessage     `json:"documentChanges"`
	}
	if err := json.Unmarshal(raw, &we); err != nil {
		t.Fatalf("lsptest: workspace edit %s: %v", raw, err)
	}
	edits := map[string][]TextEdit{}
	created := map[string]bool{}
	for u, es := range we.Changes {
		edits[pathOf(u)] = append(edits[pathOf(u)], es...)
	}
	for _, dc := range we.DocumentChanges {
		var w struct {
			Kind         string `json:"kind"`
			URI          string `json:"uri"`
			TextDocument struct {
				URI string `json:"uri"`
			} `json:"textDocument"`
			Edits []TextEdit `json:"edits"`
		}
		if err := json.Unmarshal(dc, &w); err != nil {
			t.Fatalf("lsptest: document change %s: %v", dc, err)
		}
		switch {
		case w.Kind == "create":
			created[pathOf(w.URI)] = true
		case w.Kind != "":
			t.Fatalf("lsptest: unsupported resource operation %s", dc)
		default:
			p := pathOf(w.TextDocument.URI)
			edits[p] = append(edits[p], w.Edits...)
		}
	}
	var files map[string]string
	if len(created) > 0 {
		files = map[string]string{}
		paths := make([]string, 0, len(created))
		for p := range created {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			files[p] = ApplyEdits("", edits[p])
			delete(edits, p)
		}
	}
	return edits, files
}

func touches(a, b Range) bool {
	before := func(x, y Position) bool { return x.Line < y.Line || (x.Line == y.Line && x.Character < y.Character) }
	return !before(a.End, b.Start) && !before(b.End, a.Start)
}

func writeFile(t testing.TB, p, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

type logWriter struct{ t testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
