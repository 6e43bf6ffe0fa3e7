// Package features adds prefect.yaml meaning to the language server through
// internal/lsp's Feature hooks: hovers on work pools (the serve / worker /
// push decision), on entrypoints (the flow's signature and docstring) and on
// steps (parameters and outputs), and go-to-definition from an entrypoint to
// the flow's def. It knows the analysis packages; internal/lsp knows only the
// hook interfaces.
package features

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/deployinfo"
	"github.com/prefect-lsp/prefect-lsp/internal/guidance"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/pyflow"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/steps"
	"github.com/prefect-lsp/prefect-lsp/internal/workpools"
)

// All returns the features, in hover precedence order.
func All() []lsp.Feature {
	return []lsp.Feature{WorkPool{}, Entrypoint{}, Step{}}
}

// config returns the analysed configuration of the snapshot, or an empty
// one rooted at the snapshot's root.
func configOf(s *lsp.Snapshot) *config.Config {
	if r := s.Result(); r != nil && r.Config != nil {
		return r.Config
	}
	return &config.Config{Root: s.Root}
}

func within(sp source.Span, off int) bool { return sp.Len() > 0 && sp.Contains(off) }

// deploymentAt finds the deployment whose mapping contains offset.
func deploymentAt(m *prefectyaml.File, off int) *prefectyaml.Deployment {
	if m == nil {
		return nil
	}
	for _, d := range m.Deployments {
		if within(d.Node.Span, off) {
			return d
		}
	}
	return nil
}

// WorkPool hovers on a deployment's work_pool key or name: the pool type
// and where it came from, and the decision guide's recommendation.
type WorkPool struct{}

func (WorkPool) Name() string { return "work-pool" }

func (WorkPool) Hover(ctx context.Context, s *lsp.Snapshot, off int) *lsp.HoverResult {
	d := deploymentAt(s.Model(), off)
	if d == nil || d.WorkPool == nil {
		return nil
	}
	wp := d.WorkPool
	var span source.Span
	switch {
	case within(wp.Field.KeySpan(), off):
		span = wp.Field.KeySpan()
	case within(wp.Name.ValueSpan(), off) && wp.Name.Present():
		span = wp.Name.ValueSpan()
	default:
		return nil
	}
	cfg := configOf(s)
	typ, src := deployinfo.PoolType(cfg, d)
	var b strings.Builder
	name, _ := wp.Name.Str()
	fmt.Fprintf(&b, "**Work pool `%s`**", name)
	if typ == "" {
		b.WriteString(" — type unknown. Tell prefect-lsp with `[tool.prefect-lsp.work-pools]` in pyproject.toml (e.g. `" + name + " = \"kubernetes\"`) to get type-specific checks.\n\n")
	} else {
		fmt.Fprintf(&b, " — type `%s` (%s).\n\n", typ, src)
		if t, ok := workpools.Lookup(typ); ok {
			fmt.Fprintf(&b, "%s\n\n", t.Summary)
		}
	}
	rec := deployinfo.Recommend(cfg, d)
	b.WriteString(guidance.Markdown(rec, d.DisplayName()))
	return &lsp.HoverResult{Markdown: b.String(), Span: span}
}

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

// Step hovers on a step's function key: what the step does, its
// parameters and outputs, and the package to put in requires.
type Step struct{}

func (Step) Name() string { return "step" }

func (Step) Hover(ctx context.Context, s *lsp.Snapshot, off int) *lsp.HoverResult {
	m := s.Model()
	if m == nil {
		return nil
	}
	var actions []*prefectyaml.Action
	actions = append(actions, m.Build, m.Push, m.Pull)
	for _, d := range m.Deployments {
		actions = append(actions, d.Build, d.Push, d.Pull)
	}
	for _, a := range actions {
		if a == nil {
			continue
		}
		for _, st := range a.Steps {
			if st.FunctionKey == nil || !within(st.FunctionKey.Span, off) {
				continue
			}
			info, ok := steps.Lookup(st.Function)
			if !ok {
				if repl, removed := steps.Removed(st.Function); removed {
					return &lsp.HoverResult{Markdown: fmt.Sprintf("**`%s`** was removed; use `%s`.", st.Function, repl), Span: st.FunctionKey.Span}
				}
				return nil
			}
			return &lsp.HoverResult{Markdown: stepMarkdown(info), Span: st.FunctionKey.Span}
		}
	}
	return nil
}

func stepMarkdown(st *steps.Step) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** (%s step)\n\n%s\n\n", st.Name, st.Action, st.Summary)
	if st.Requires != "" {
		fmt.Fprintf(&b, "Package: `%s` (put it in `requires:` when the worker may lack it)\n\n", st.Requires)
	}
	if len(st.Params) > 0 {
		b.WriteString("| parameter | type | default |\n|---|---|---|\n")
		for _, p := range st.Params {
			def := ""
			switch {
			case p.Required:
				def = "required"
			case p.Default != nil:
				def = fmt.Sprintf("`%v`", p.Default)
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", p.Name, p.Type, def)
		}
		b.WriteString("\n")
	}
	if len(st.Outputs) > 0 {
		b.WriteString("Outputs (use as `{{ <step-id>.<key> }}`): ")
		var keys []string
		for _, o := range st.Outputs {
			keys = append(keys, "`"+o.Key+"`")
		}
		b.WriteString(strings.Join(keys, ", "))
		b.WriteString("\n")
	}
	return b.String()
}
