package pydeploy

import (
	"context"
	"path/filepath"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/deployinfo"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// YAMLActions returns the actions of a prefect.yaml (in.Path, in.Contents()) for
// the deployments that span touches: "Write deployment X as Python", which
// creates deploy_<name>.py at the project root (the configuration root,
// else the prefect.yaml's folder) calling flow.deploy(...) with what the
// entry says (deployinfo.DeployScript). It is the reverse of Actions.
func YAMLActions(ctx context.Context, in analysis.Input, span source.Span) []analysis.Fix {
	if ctx.Err() != nil {
		return nil
	}
	root := filepath.Dir(in.Path)
	if in.Config != nil && in.Config.Root != "" {
		root = in.Config.Root
	}
	file := prefectyaml.Parse(yamlsyntax.ParseFile(in.Source()))
	if file == nil {
		return nil
	}
	var out []analysis.Fix
	for _, d := range file.Deployments {
		if d.Node == nil || !overlaps(d.Node.Span, span) {
			continue
		}
		name, content, ok := deployinfo.DeployScriptFor(d)
		if !ok {
			continue
		}
		out = append(out, analysis.Fix{
			Title: "Write deployment " + quote(d.DisplayName()) + " as Python (creates " + name + ")",
			Files: []analysis.FileEdit{{Path: filepath.Join(root, name), Create: true, Content: content}},
		})
	}
	return out
}

func quote(s string) string { return jsonString(s) }
