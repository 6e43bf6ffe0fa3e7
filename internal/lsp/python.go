package lsp

import (
	"context"
	"path/filepath"
	"strings"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/pydeploy"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// Python files get a narrow service so that the server never competes with
// the editor's Python language server (Pylance, pyright, …): only files that
// import prefect, and in them only the deployment calls' diagnostics, their
// quick fixes and the decision-guide hover on the call's name. Completion,
// symbols, semantic tokens, inlay hints, formatting and navigation answer
// nothing there (their handlers get no snapshot for a .py document). The
// setting python.enabled (default true) turns the service off.

func isPython(path string) bool { return strings.EqualFold(filepath.Ext(path), ".py") }

// pythonEnabled reports whether Python deployment files are served for path.
func (s *server) pythonEnabled(path string) bool {
	return pythonOn(s.settingsFor(path))
}

// pythonSnapshot returns the open Python document at u when the server
// serves it: the setting is on and the file imports prefect.
func (s *server) pythonSnapshot(ctx context.Context, u uri.URI) *Snapshot {
	snap := s.anySnapshot(ctx, u)
	if snap == nil || !isPython(snap.Path) || !s.pythonEnabled(snap.Path) || !pydeploy.ImportsPrefect(snap.Text()) {
		return nil
	}
	return snap
}

// analysePython runs the deployment rules on a Python document.
func (s *server) analysePython(ctx context.Context, snap *Snapshot) (*analysis.Result, bool) {
	if !s.pythonEnabled(snap.Path) {
		return nil, false
	}
	snap.anMu.Lock()
	defer snap.anMu.Unlock()
	if r := snap.Result(); r != nil {
		return r, true
	}
	cfg, probs, _ := s.projectConfig(snap.Path)
	r := pydeploy.Analyze(ctx, analysis.Input{Path: snap.Path, File: snap.File, Config: cfg, ConfigProblems: probs, Env: s.env})
	if r == nil || ctx.Err() != nil {
		return nil, true
	}
	kept := r.Diagnostics[:0]
	for _, d := range r.Diagnostics {
		if s.ruleBy[d.RuleID] != nil { // the server's rule set applies to Python too
			kept = append(kept, d)
		}
	}
	r.Diagnostics = kept
	snap.setResult(r)
	return r, true
}

// pythonHover is the decision guide on a deployment call's name, nil
// elsewhere.
func (s *server) pythonHover(ctx context.Context, snap *Snapshot, p *protocol.HoverParams) *protocol.Hover {
	cfg, probs, _ := s.projectConfig(snap.Path)
	off := s.offsetOf(snap, p.Position)
	md, span, ok := pydeploy.HoverAt(ctx, analysis.Input{Path: snap.Path, File: snap.File, Config: cfg, ConfigProblems: probs, Env: s.env}, off)
	if !ok {
		return nil
	}
	kind := protocol.MarkupKindMarkdown
	if !s.capsSnapshot().markdownHover {
		kind = protocol.MarkupKindPlainText
	}
	r := toRange(snap.File, span, s.encoding())
	return &protocol.Hover{Contents: &protocol.MarkupContent{Kind: kind, Value: md}, Range: &r}
}

// anySnapshot is the open document at u, Python files included.
func (s *server) anySnapshot(ctx context.Context, u uri.URI) *Snapshot {
	if v, ok := ctx.Value(viewKey{}).(map[string]*Snapshot); ok {
		return v[string(u)]
	}
	return s.docs.get(string(u))
}

// moveActions are the actions that move a deployment between Python and
// prefect.yaml: "write this deployment to prefect.yaml" on a .deploy() call,
// and "write this deployment as Python" on a prefect.yaml deployment.
func (s *server) moveActions(ctx context.Context, snap *Snapshot, span source.Span) []analysis.Fix {
	cfg, probs, _ := s.projectConfig(snap.Path)
	in := analysis.Input{Path: snap.Path, File: snap.File, Config: cfg, ConfigProblems: probs, Env: s.env}
	if isPython(snap.Path) {
		return pydeploy.Actions(ctx, in, span)
	}
	return pydeploy.YAMLActions(ctx, in, span)
}
