package rules

import (
	"fmt"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// deploymentHead is the span to report a deployment-wide finding on: its
// name value when present, else the first line of its mapping.
func deploymentHead(p *analysis.Pass, d *prefectyaml.Deployment) source.Span {
	if d.Name.Present() {
		return d.Name.ValueSpan()
	}
	s := d.Node.Span
	if end := p.Src.LineEnd(p.Src.LineOf(s.Start)); s.End > end {
		s.End = end
	}
	return s
}

var NotAMapping = &analysis.Rule{
	ID:       "not-a-mapping",
	Summary:  "the file's top level is not a mapping, so Prefect skips it",
	Severity: analysis.Error,
	Category: analysis.CategorySchema,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Reports a prefect.yaml whose top level is a list or a single value.

## Why
Prefect prints "Unable to parse the specified config file. Skipping." and
goes on without it (prefect.md §1.5).

## Example
` + "```yaml" + `
- name: etl
  entrypoint: flows/etl.py:etl
` + "```" + `

` + "```yaml" + `
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore-file[not-a-mapping]`" + `.`,
	Run: func(p *analysis.Pass) {
		r := p.Doc.Root.Resolve()
		if r == nil || !p.Doc.Loadable || r.Kind == yamlsyntax.MappingNode || r.IsNull() {
			return
		}
		p.Reportf(firstLine(p, r.Span), "the top level of prefect.yaml must be a mapping (prefect-version, build, push, pull, deployments), but it is %s; Prefect skips the file", article(r.TypeName()))
	},
}

var MissingName = &analysis.Rule{
	ID:       "missing-name",
	Summary:  "a deployment without a name",
	Severity: analysis.Error,
	Category: analysis.CategorySchema,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Reports deployments that have no ` + "`name`" + `.

## Why
Non-interactively ` + "`prefect deploy`" + ` fails with "A deployment name must be provided.",
and ` + "`prefect deploy --all`" + ` skips the entry ("Discovered unnamed deployment.
Skipping...", prefect.md §1.2).

## Example
` + "```yaml" + `
deployments:
  - entrypoint: flows/etl.py:etl
` + "```" + `

` + "```yaml" + `
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore[missing-name]`" + ` on the deployment's first line.`,
	Run: func(p *analysis.Pass) {
		for _, d := range p.File.Deployments {
			if d.Name.Set() {
				continue
			}
			msg := fmt.Sprintf("deployment #%d has no name: prefect --no-prompt deploy fails with \"A deployment name must be provided\" and --all skips it; add name: <deployment-name>", d.Index)
			if !d.Entrypoint.Set() {
				msg += " and entrypoint: path/to/file.py:flow_function"
			}
			diag := p.Report(deploymentHead(p, d), msg)
			p.AddVia(diag, d.Via)
		}
	},
}

var MissingEntrypoint = &analysis.Rule{
	ID:       "missing-entrypoint",
	Summary:  "a deployment without an entrypoint",
	Severity: analysis.Error,
	Category: analysis.CategorySchema,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Reports deployments that have no ` + "`entrypoint`" + `.

## Why
Non-interactively ` + "`prefect deploy`" + ` fails with "An entrypoint must be provided"
(prefect.md §1.2).

## Example
` + "```yaml" + `
deployments:
  - name: etl
` + "```" + `

` + "```yaml" + `
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore[missing-entrypoint]`" + ` if you always pass the entrypoint on the command line.`,
	Run: func(p *analysis.Pass) {
		for _, d := range p.File.Deployments {
			if d.Entrypoint.Set() || !d.Name.Set() {
				continue // an unnamed entry is reported once, by missing-name
			}
			diag := p.Reportf(deploymentHead(p, d), "deployment %q has no entrypoint: prefect --no-prompt deploy fails with \"An entrypoint must be provided\"; add entrypoint: path/to/file.py:flow_function", d.DisplayName())
			p.AddVia(diag, d.Via)
		}
	},
}

var DuplicateDeploymentName = &analysis.Rule{
	ID:       "duplicate-deployment-name",
	Summary:  "two deployments of the same flow share a name; one overwrites the other",
	Severity: analysis.Error,
	Category: analysis.CategorySchema,
	// It compares deployments: what it reads from each is the name and
	// the entrypoint (and whether either came through an alias).
	Scope: analysis.ScopeFile,
	Fingerprint: func(d *prefectyaml.Deployment) string {
		name, ok := d.Name.Str()
		return fmt.Sprintf("%t\x00%q\x00%q\x00%t\x00%t", ok, name, d.Entrypoint.Text(), d.Via != nil, d.Name.Via != nil)
	},
	Doc: `## What it does
Reports deployments whose name is used by an earlier deployment with the
same entrypoint (or without entrypoints to tell them apart).

## Why
A deployment is identified by flow name and deployment name: the second one
overwrites the first on every ` + "`prefect deploy --all`" + `, and ` + "`prefect deploy -n name`" + `
picks only one of them.

## Example
` + "```yaml" + `
deployments:
  - name: nightly
    entrypoint: flows/etl.py:etl
  - name: nightly
    entrypoint: flows/etl.py:etl
` + "```" + `

Give each deployment its own name.

## How to silence
` + "`# prefect-lsp: ignore[duplicate-deployment-name]`" + `.`,
	Run: func(p *analysis.Pass) {
		type seen struct {
			d    *prefectyaml.Deployment
			span source.Span
		}
		first := map[string]seen{}
		for _, d := range p.File.Deployments {
			name, ok := d.Name.Str()
			if !ok || name == "" {
				continue
			}
			key := name + "\x00" + d.Entrypoint.Text()
			if prev, dup := first[key]; dup {
				diag := p.Reportf(d.Name.ValueSpan(), "deployment name %q is already used on line %d for the same entrypoint; the later one overwrites the earlier on deploy", name, p.Src.LineOf(prev.span.Start)+1)
				diag.Related = append(diag.Related, analysis.Related{Span: prev.span, Message: fmt.Sprintf("first deployment named %q", name)})
				p.AddVia(diag, d.Via)
				continue
			}
			first[key] = seen{d, d.Name.ValueSpan()}
		}
	},
}
