package features

import (
	"context"
	"fmt"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/lsp"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/steps"
)

// Step hovers on a step's function key: what the step does, its
// parameters and outputs, and the package to put in requires.
type Step struct{}

func (Step) Name() string { return "step" }

func (Step) Hover(ctx context.Context, s *lsp.Snapshot, off int) *lsp.HoverResult {
	m := s.Model()
	if m == nil {
		return nil
	}
	if r := stepHover(off, m.Build, m.Push, m.Pull); r != nil {
		return r
	}
	for _, d := range m.Deployments {
		if r := stepHover(off, d.Build, d.Push, d.Pull); r != nil {
			return r
		}
	}
	return nil
}

// stepHover is the hover on the function key at off of a step of the
// actions (nil ones are absent), or nil.
func stepHover(off int, actions ...*prefectyaml.Action) *lsp.HoverResult {
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
