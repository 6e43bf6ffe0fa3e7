package features

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp"
	"github.com/prefect-lsp/prefect-lsp/internal/pyflow"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// Entrypoint hovers on and jumps from a deployment's entrypoint.
type Entrypoint struct{}

func (Entrypoint) Name() string { return "entrypoint" }

func resolveEntrypoint(s *lsp.Snapshot, off int) (pyflow.Resolution, source.Span, bool) {
	d := deploymentAt(s.Model(), off)
	if d == nil || !within(d.Entrypoint.ValueSpan(), off) {
		return pyflow.Resolution{}, source.Span{}, false
	}
	raw, ok := d.Entrypoint.Str()
	if !ok {
		return pyflow.Resolution{}, source.Span{}, false
	}
	ep, err := pyflow.ParseEntrypoint(raw)
	if err != nil {
		return pyflow.Resolution{}, source.Span{}, false
	}
	proj := rules.FlowProject(s.Env)
	return proj.ResolveEntrypoint(s.Root, ep), d.Entrypoint.ValueSpan(), true
}

func (Entrypoint) Hover(ctx context.Context, s *lsp.Snapshot, off int) *lsp.HoverResult {
	res, span, ok := resolveEntrypoint(s, off)
	if !ok {
		return nil
	}
	var b strings.Builder
	if f := res.Function; f != nil {
		kind := "function"
		if f.IsFlow {
			kind = fmt.Sprintf("flow `%s`", f.DisplayFlowName())
		}
		fmt.Fprintf(&b, "**%s** in `%s`\n\n```python\n%s\n```\n", kind, rel(s.Root, res.File), f.Signature())
		if doc := pyflow.CleanDocstring(f.Docstring); doc != "" {
			fmt.Fprintf(&b, "\n%s\n", doc)
		}
	} else if res.Message != "" {
		fmt.Fprintf(&b, "%s\n", res.Message)
	} else {
		return nil
	}
	return &lsp.HoverResult{Markdown: b.String(), Span: span}
}

func (Entrypoint) Definition(ctx context.Context, s *lsp.Snapshot, off int) []lsp.Location {
	res, _, ok := resolveEntrypoint(s, off)
	if !ok || res.File == "" {
		return nil
	}
	if res.Function != nil {
		return []lsp.Location{{Path: res.File, Span: res.Function.NameSpan}}
	}
	return []lsp.Location{{Path: res.File}}
}

func rel(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return path
}
