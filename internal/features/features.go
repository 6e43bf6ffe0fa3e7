// Package features adds prefect.yaml meaning to the language server through
// internal/lsp's Feature hooks: hovers on work pools (the serve / worker /
// push decision) and job variables, on entrypoints (the flow's signature and
// docstring), on steps (parameters and outputs) and on `{{ }}` placeholders
// (what they resolve to and when); go-to-definition from an entrypoint to
// the flow's def; flow-code help (Flows): entrypoint and parameter-name
// completion, parameter hover and definition, and inlay hints with the
// defaults a deployment leaves unset; completion of step names (with
// snippet arguments), job_variables keys and placeholder names; definition,
// references and rename of step ids. It knows the analysis packages;
// internal/lsp knows only the hook interfaces.
package features

import (
	"github.com/prefect-lsp/prefect-lsp/internal/lsp"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// All returns the features, in hover precedence order.
func All() []lsp.Feature {
	return []lsp.Feature{Placeholder{}, WorkPool{}, Entrypoint{}, Flows{}, Step{}}
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
