package lsp

import (
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

const anchored = `definitions:
  work_pools: &pool
    name: k8s-pool
    job_variables:
      image: repo/img:1
deployments:
  - name: etl
    entrypoint: flows/etl.py:main
    work_pool: *pool
  - name: other
    work_pool: *pool
`

func tdpp(h *harness, name string, p protocol.Position) protocol.TextDocumentPositionParams {
	return protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: h.uri(name)}, Position: p}
}

func hoverText(t *testing.T, h *harness, name string, p protocol.Position) string {
	t.Helper()
	hv, err := h.server.Hover(h.callCtx(), &protocol.HoverParams{TextDocumentPositionParams: tdpp(h, name, p)})
	if err != nil {
		t.Fatal(err)
	}
	if hv == nil {
		return ""
	}
	mc, ok := hv.Contents.(*protocol.MarkupContent)
	if !ok {
		t.Fatalf("hover contents %T", hv.Contents)
	}
	return mc.Value
}

func TestHoverKeysAliasesAndRules(t *testing.T) {
	h := newHarness(t, setup{})
	h.open("prefect.yaml", anchored)
	// A key: the schema's title, description and docs link.
	got := hoverText(t, h, "prefect.yaml", pos(anchored, "entrypoint", 2))
	if !strings.Contains(got, "entrypoint") || !strings.Contains(got, "](http") {
		t.Errorf("entrypoint hover:\n%s", got)
	}
	// An enum key lists its values.
	vt := "deployments:\n  - name: x\n    version_type: vcs:git\n"
	h.open("prefect.yml", vt)
	if got := hoverText(t, h, "prefect.yml", pos(vt, "version_type", 1)); !strings.Contains(got, "`prefect:simple`") {
		t.Errorf("version_type hover lacks enum values:\n%s", got)
	}
	// An alias: the anchored content.
	got = hoverText(t, h, "prefect.yaml", pos(anchored, "*pool", 2))
	if !strings.Contains(got, "&pool") || !strings.Contains(got, "name: k8s-pool") {
		t.Errorf("alias hover:\n%s", got)
	}
	// A flagged span: the rule's summary, message and docs.
	h.open("sub/prefect.yaml", flawed)
	h.waitDiagnostics("sub/prefect.yaml", 1)
	got = hoverText(t, h, "sub/prefect.yaml", pos(flawed, ": no", 2))
	if !strings.Contains(got, "yaml11-scalar") || !strings.Contains(got, rules.YAML11Scalar.DocsURL()) {
		t.Errorf("rule hover:\n%s", got)
	}
	// Out of range and unknown documents: empty.
	if got := hoverText(t, h, "prefect.yaml", protocol.Position{Line: 999, Character: 999}); got != "" {
		t.Errorf("hover past the end = %q", got)
	}
	if got := hoverText(t, h, "nope.yaml", protocol.Position{}); got != "" {
		t.Errorf("hover on unknown doc = %q", got)
	}
}

func TestAnchorNavigation(t *testing.T) {
	h := newHarness(t, setup{caps: protocol.ClientCapabilities{Workspace: &protocol.WorkspaceClientCapabilities{WorkspaceEdit: &protocol.WorkspaceEditClientCapabilities{DocumentChanges: ptr(true)}}}})
	h.open("prefect.yaml", anchored)
	def, err := h.server.Definition(h.callCtx(), &protocol.DefinitionParams{TextDocumentPositionParams: tdpp(h, "prefect.yaml", pos(anchored, "*pool", 3))})
	if err != nil {
		t.Fatal(err)
	}
	locs, _ := def.(protocol.LocationSlice)
	if len(locs) != 1 || locs[0].Range.Start != pos(anchored, "&pool", 0) {
		t.Fatalf("definition = %+v", def)
	}
	refs, err := h.server.References(h.callCtx(), &protocol.ReferenceParams{TextDocumentPositionParams: tdpp(h, "prefect.yaml", pos(anchored, "&pool", 1)), Context: protocol.ReferenceContext{IncludeDeclaration: true}})
	if err != nil || len(refs) != 3 {
		t.Fatalf("references = %+v, %v", refs, err)
	}
	hl, err := h.server.DocumentHighlight(h.callCtx(), &protocol.DocumentHighlightParams{TextDocumentPositionParams: tdpp(h, "prefect.yaml", pos(anchored, "*pool", 1))})
	if err != nil || len(hl) != 3 || hl[0].Kind != protocol.DocumentHighlightKindWrite {
		t.Fatalf("highlights = %+v, %v", hl, err)
	}
	prep, err := h.server.PrepareRename(h.callCtx(), &protocol.PrepareRenameParams{TextDocumentPositionParams: tdpp(h, "prefect.yaml", pos(anchored, "*pool", 2))})
	if ph, ok := prep.(*protocol.PrepareRenamePlaceholder); err != nil || !ok || ph.Placeholder != "pool" {
		t.Fatalf("prepareRename = %+v, %v", prep, err)
	}
	we, err := h.server.Rename(h.callCtx(), &protocol.RenameParams{TextDocumentPositionParams: tdpp(h, "prefect.yaml", pos(anchored, "*pool", 2)), NewName: "k8s"})
	if err != nil {
		t.Fatal(err)
	}
	renamed := applyEdits(t, anchored, editsOf(t, we, h.uri("prefect.yaml")))
	if strings.Contains(renamed, "*pool") || strings.Contains(renamed, "&pool") || strings.Count(renamed, "*k8s") != 2 || !strings.Contains(renamed, "&k8s") {
		t.Fatalf("renamed:\n%s", renamed)
	}
	if _, err := h.server.Rename(h.callCtx(), &protocol.RenameParams{TextDocumentPositionParams: tdpp(h, "prefect.yaml", pos(anchored, "*pool", 2)), NewName: "bad name"}); err == nil {
		t.Error("renaming to an invalid anchor name succeeded")
	}
}

func completionLabels(t *testing.T, h *harness, name string, p protocol.Position) map[string]protocol.CompletionItem {
	t.Helper()
	res, err := h.server.Completion(h.callCtx(), &protocol.CompletionParams{TextDocumentPositionParams: tdpp(h, name, p)})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]protocol.CompletionItem{}
	if l, ok := res.(*protocol.CompletionList); ok {
		for _, it := range l.Items {
			out[it.Label] = it
		}
	}
	return out
}

func TestCompletion(t *testing.T) {
	snippets := protocol.ClientCapabilities{TextDocument: &protocol.TextDocumentClientCapabilities{Completion: &protocol.CompletionClientCapabilities{CompletionItem: &protocol.ClientCompletionItemOptions{SnippetSupport: ptr(true)}}}}
	h := newHarness(t, setup{caps: snippets})
	// Keys of a deployment not yet present, while the file does not parse.
	text := "deployments:\n  - name: etl\n    entr\n    work_pool:\n      name: x\n"
	h.open("prefect.yaml", text)
	got := completionLabels(t, h, "prefect.yaml", pos(text, "entr", 4))
	if _, ok := got["entrypoint"]; !ok {
		t.Fatalf("no entrypoint among %v", keys(got))
	}
	for _, present := range []string{"name", "work_pool"} {
		if _, ok := got[present]; ok {
			t.Errorf("%s is already present but proposed", present)
		}
	}
	if it := got["entrypoint"]; it.InsertTextFormat != protocol.InsertTextFormatSnippet {
		t.Errorf("entrypoint item is not a snippet: %+v", it)
	}
	// Enum values.
	text2 := "deployments:\n  - name: etl\n    version_type: \n"
	h.open("a/prefect.yaml", text2)
	got = completionLabels(t, h, "a/prefect.yaml", pos(text2, "version_type: ", 14))
	if _, ok := got["vcs:git"]; !ok {
		t.Fatalf("no vcs:git among %v", keys(got))
	}
	// A deployment skeleton for a new item, schedule forms, steps.
	text3 := "deployments:\n  - name: etl\n    schedules:\n      - \n  - \npull:\n  - \n"
	h.open("b/prefect.yaml", text3)
	if got := completionLabels(t, h, "b/prefect.yaml", protocol.Position{Line: 4, Character: 4}); got["deployment"].Label == "" {
		t.Errorf("no deployment skeleton among %v", keys(got))
	}
	if got := completionLabels(t, h, "b/prefect.yaml", protocol.Position{Line: 3, Character: 8}); got["cron schedule"].Label == "" || got["cron"].Label == "" {
		t.Errorf("no schedule forms among %v", keys(got))
	}
	if got := completionLabels(t, h, "b/prefect.yaml", protocol.Position{Line: 6, Character: 4}); got["git_clone"].Label == "" {
		t.Errorf("no step skeletons among %v", keys(got))
	}
	// Top level.
	if got := completionLabels(t, h, "b/prefect.yaml", protocol.Position{Line: 7, Character: 0}); got["build"].Label == "" || got["deployments"].Label != "" && got["deployments"].Kind == protocol.CompletionItemKindProperty {
		t.Errorf("top-level keys: %v", keys(got))
	}
	// Aliases.
	text4 := anchored + "  - name: third\n    work_pool: *\n"
	h.open("c/prefect.yaml", text4)
	if got := completionLabels(t, h, "c/prefect.yaml", pos(text4, "work_pool: *\n", 12)); got["pool"].Label == "" {
		t.Errorf("no alias completion: %v", keys(got))
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestCompletionWithoutSnippetSupportIsPlain(t *testing.T) {
	h := newHarness(t, setup{})
	text := "deployments:\n  - name: etl\n    \n"
	h.open("prefect.yaml", text)
	got := completionLabels(t, h, "prefect.yaml", protocol.Position{Line: 2, Character: 4})
	it, ok := got["work_pool"]
	if !ok {
		t.Fatalf("no work_pool among %v", keys(got))
	}
	te := it.TextEdit.(*protocol.TextEdit)
	if it.InsertTextFormat != protocol.InsertTextFormatPlainText || strings.Contains(te.NewText, "$") {
		t.Errorf("plain client got %q (format %d)", te.NewText, it.InsertTextFormat)
	}
}

func TestSymbolsFoldingLinks(t *testing.T) {
	h := newHarness(t, setup{files: map[string]string{"flows/etl.py": "def main(): pass\n"}})
	text := anchored + "pull:\n  - prefect.deployments.steps.git_clone:\n      repository: x\n"
	h.open("prefect.yaml", text)
	res, err := h.server.DocumentSymbol(h.callCtx(), &protocol.DocumentSymbolParams{TextDocument: protocol.TextDocumentIdentifier{URI: h.uri("prefect.yaml")}})
	if err != nil {
		t.Fatal(err)
	}
	syms := res.(protocol.DocumentSymbolSlice)
	names := map[string][]string{}
	for _, s := range syms {
		for _, c := range s.Children {
			names[s.Name] = append(names[s.Name], c.Name)
		}
	}
	if strings.Join(names["deployments"], ",") != "etl,other" || strings.Join(names["pull"], ",") != "git_clone" || strings.Join(names["definitions"], ",") != "work_pools" {
		t.Fatalf("symbols = %v", names)
	}
	folds, err := h.server.FoldingRanges(h.callCtx(), &protocol.FoldingRangeParams{TextDocument: protocol.TextDocumentIdentifier{URI: h.uri("prefect.yaml")}})
	if err != nil || len(folds) < 4 {
		t.Fatalf("folding = %+v, %v", folds, err)
	}
	links, err := h.server.DocumentLink(h.callCtx(), &protocol.DocumentLinkParams{TextDocument: protocol.TextDocumentIdentifier{URI: h.uri("prefect.yaml")}})
	if err != nil || len(links) != 1 || *links[0].Target != h.uri("flows/etl.py") {
		t.Fatalf("links = %+v, %v", links, err)
	}
	if links[0].Range.Start != pos(text, "flows/etl.py", 0) || links[0].Range.End != pos(text, ":main", 0) {
		t.Errorf("link range = %+v", links[0].Range)
	}
}

func TestPullDiagnostics(t *testing.T) {
	h := newHarness(t, setup{caps: protocol.ClientCapabilities{TextDocument: &protocol.TextDocumentClientCapabilities{Diagnostic: &protocol.DiagnosticClientCapabilities{}}}})
	if h.init.Capabilities.DiagnosticProvider == nil {
		t.Fatal("diagnosticProvider not advertised")
	}
	h.open("prefect.yaml", flawed)
	rep, err := h.server.Diagnostic(h.callCtx(), &protocol.DocumentDiagnosticParams{TextDocument: protocol.TextDocumentIdentifier{URI: h.uri("prefect.yaml")}})
	if err != nil {
		t.Fatal(err)
	}
	full, ok := rep.(*protocol.RelatedFullDocumentDiagnosticReport)
	if !ok || len(full.Items) != 1 || full.ResultID == nil {
		t.Fatalf("report = %#v", rep)
	}
	rep, err = h.server.Diagnostic(h.callCtx(), &protocol.DocumentDiagnosticParams{TextDocument: protocol.TextDocumentIdentifier{URI: h.uri("prefect.yaml")}, PreviousResultID: full.ResultID})
	if _, ok := rep.(*protocol.RelatedUnchangedDocumentDiagnosticReport); err != nil || !ok {
		t.Fatalf("second report = %#v, %v", rep, err)
	}
	if ps := h.publishesFor("prefect.yaml"); len(ps) != 0 {
		t.Errorf("pull client also got %d pushes", len(ps))
	}
}

func TestUTF8Negotiation(t *testing.T) {
	h := newHarness(t, setup{caps: protocol.ClientCapabilities{General: &protocol.GeneralClientCapabilities{PositionEncodings: []protocol.PositionEncodingKind{protocol.PositionEncodingKindUTF8, protocol.PositionEncodingKindUTF16}}}})
	if h.init.Capabilities.PositionEncoding != protocol.PositionEncodingKindUTF8 {
		t.Fatalf("encoding = %q", h.init.Capabilities.PositionEncoding)
	}
	text := "deployments:\n  - name: café😀\n    parameters: {x: no}\n"
	h.open("prefect.yaml", text)
	p := h.waitDiagnostics("prefect.yaml", 1)
	i := strings.Index(text, "no}")
	line := strings.LastIndex(text[:i], "\n") + 1
	if got := p.Diagnostics[0].Range.Start; got.Line != 2 || int(got.Character) != i-line {
		t.Fatalf("range start = %+v, want byte column %d", got, i-line)
	}
}

// fileFixRule reports once with a fix that edits the document and creates
// a file.
func fileFixRule(dir string) *analysis.Rule {
	return &analysis.Rule{ID: "test-file-fix", Summary: "test", Run: func(p *analysis.Pass) {
		d := p.Reportf(source.Span{Start: 0, End: 4}, "needs a script")
		d.Fixes = append(d.Fixes, analysis.Fix{
			Title: "Create serve.py",
			Edits: []source.Edit{{Span: source.Span{Start: 0, End: 0}, NewText: "# x\n"}},
			Files: []analysis.FileEdit{{Path: dir + "/serve.py", Create: true, Content: "print('hi')\n"}},
		}, analysis.Fix{Title: "Safe one", Safe: true, Edits: []source.Edit{{Span: source.Span{Start: 0, End: 4}, NewText: "NAME"}}})
	}}
}

func TestFileFixesBecomeDocumentChanges(t *testing.T) {
	caps := protocol.ClientCapabilities{Workspace: &protocol.WorkspaceClientCapabilities{WorkspaceEdit: &protocol.WorkspaceEditClientCapabilities{
		DocumentChanges: ptr(true), ResourceOperations: []protocol.ResourceOperationKind{protocol.ResourceOperationKindCreate},
	}}}
	dir := t.TempDir()
	h := newHarness(t, setup{caps: caps, opts: Options{Rules: []*analysis.Rule{fileFixRule(dir)}}})
	h.open("prefect.yaml", "name: x\n")
	p := h.waitDiagnostics("prefect.yaml", 1)
	acts, err := h.server.CodeAction(h.callCtx(), &protocol.CodeActionParams{TextDocument: protocol.TextDocumentIdentifier{URI: h.uri("prefect.yaml")}, Range: p.Diagnostics[0].Range})
	if err != nil {
		t.Fatal(err)
	}
	var create *protocol.CodeAction
	fixAll := false
	for _, a := range acts {
		ca := a.(*protocol.CodeAction)
		if ca.Title == "Create serve.py" {
			create = ca
		}
		if ca.Kind != nil && *ca.Kind == CodeActionKindFixAll {
			fixAll = true
			if got := applyEdits(t, "name: x\n", editsOf(t, ca.Edit, h.uri("prefect.yaml"))); got != "NAME: x\n" {
				t.Errorf("fixAll produced %q", got)
			}
		}
	}
	if create == nil || !fixAll {
		t.Fatalf("actions: create=%v fixAll=%v", create != nil, fixAll)
	}
	dc := create.Edit.DocumentChanges
	if len(dc) != 3 {
		t.Fatalf("documentChanges = %d entries", len(dc))
	}
	if te, ok := dc[0].(*protocol.TextDocumentEdit); !ok || te.TextDocument.Version == nil || *te.TextDocument.Version != 1 {
		t.Errorf("first change = %#v", dc[0])
	}
	if cf, ok := dc[1].(*protocol.CreateFile); !ok || cf.URI != uriOf(dir+"/serve.py") {
		t.Errorf("second change = %#v", dc[1])
	}
	if te, ok := dc[2].(*protocol.TextDocumentEdit); !ok || te.Edits[0].(*protocol.TextEdit).NewText != "print('hi')\n" {
		t.Errorf("third change = %#v", dc[2])
	}
	// Only=source.fixAll filters quick fixes out.
	acts, _ = h.server.CodeAction(h.callCtx(), &protocol.CodeActionParams{TextDocument: protocol.TextDocumentIdentifier{URI: h.uri("prefect.yaml")}, Range: p.Diagnostics[0].Range, Context: protocol.CodeActionContext{Only: []protocol.CodeActionKind{protocol.CodeActionKindSourceFixAll}}})
	if len(acts) != 1 {
		t.Errorf("only fixAll: %d actions", len(acts))
	}
}

func TestIgnoreActionPlacement(t *testing.T) {
	cases := []struct{ text, at, want string }{
		{"a: no\n", "no", "a: no  # prefect-lsp: ignore[r]\n"},
		{"a: no # why\n", "no", "# prefect-lsp: ignore[r]\na: no # why\n"},
		{"  a: no  # prefect-lsp: ignore[x]\n", "no", "  a: no  # prefect-lsp: ignore[x, r]\n"},
		{"x:\n  # prefect-lsp: ignore[x]\n  a: no\n", "no", "x:\n  # prefect-lsp: ignore[x, r]\n  a: no\n"},
		{"a: 'it''s # not'\n", "it", "a: 'it''s # not'  # prefect-lsp: ignore[r]\n"},
	}
	for _, c := range cases {
		snap := &Snapshot{Path: "p.yaml", File: source.NewFile("p.yaml", c.text)}
		e, ok := ignoreEdit(snap, "r", strings.Index(c.text, c.at))
		if !ok {
			t.Errorf("%q: no edit", c.text)
			continue
		}
		got, _ := source.Apply(c.text, []source.Edit{e})
		if got != c.want {
			t.Errorf("%q:\n got %q\nwant %q", c.text, got, c.want)
		}
	}
	// Inside a block scalar: no place for a comment.
	text := "a: |\n  line no\n  more\n"
	snap := &Snapshot{Path: "p.yaml", File: source.NewFile("p.yaml", text)}
	if _, ok := ignoreEdit(snap, "r", strings.Index(text, "no")); ok {
		t.Error("offered a comment inside a block scalar")
	}
}

func TestTraceSendsLogMessages(t *testing.T) {
	h := newHarness(t, setup{})
	if err := h.server.SetTrace(h.ctx, &protocol.SetTraceParams{Value: protocol.TraceValueVerbose}); err != nil {
		t.Fatal(err)
	}
	h.open("prefect.yaml", flawed)
	h.change("prefect.yaml", 1, flawed) // stale: logged
	h.waitRaw(`window/logMessage`)
}

// A pull client (VS Code) re-pulls only after its own edits: when settings
// change, the server must ask it to pull again, or it keeps showing the
// diagnostics of the old settings.
func TestPullDiagnosticsRefreshedWhenSettingsChange(t *testing.T) {
	h := newHarness(t, setup{
		caps: protocol.ClientCapabilities{
			TextDocument: &protocol.TextDocumentClientCapabilities{Diagnostic: &protocol.DiagnosticClientCapabilities{}},
			Workspace: &protocol.WorkspaceClientCapabilities{
				Configuration: ptr(true),
				Diagnostics:   &protocol.DiagnosticWorkspaceClientCapabilities{RefreshSupport: ptr(true)},
			},
		},
		// No settings at first: their arrival changes nothing, so the
		// only refresh is the one the change below causes.
	})
	h.open("prefect.yaml", flawed)
	pull := func() []protocol.Diagnostic {
		t.Helper()
		rep, err := h.server.Diagnostic(h.callCtx(), &protocol.DocumentDiagnosticParams{TextDocument: protocol.TextDocumentIdentifier{URI: h.uri("prefect.yaml")}})
		if err != nil {
			t.Fatal(err)
		}
		full, ok := rep.(*protocol.RelatedFullDocumentDiagnosticReport)
		if !ok {
			t.Fatalf("report = %#v", rep)
		}
		return full.Items
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		items := pull()
		if len(items) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("first pull: %+v", items)
		}
		time.Sleep(10 * time.Millisecond)
	}
	before := h.client.refreshCount()
	h.client.setSettings(`{"rules": {"yaml11-scalar": "off"}}`)
	if err := h.server.DidChangeConfiguration(h.ctx, &protocol.DidChangeConfigurationParams{Settings: protocol.LSPAny("null")}); err != nil {
		t.Fatal(err)
	}
	for h.client.refreshCount() == before {
		if time.Now().After(deadline.Add(10 * time.Second)) {
			t.Fatal("no workspace/diagnostic/refresh after the settings changed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if items := pull(); len(items) != 0 {
		t.Fatalf("after the refresh the pull still reports %+v", items)
	}
	if ps := h.publishesFor("prefect.yaml"); len(ps) != 0 {
		t.Errorf("pull client also got %d pushes", len(ps))
	}
}
