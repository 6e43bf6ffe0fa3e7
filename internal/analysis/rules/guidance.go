package rules

import (
	"fmt"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/deployinfo"
	"github.com/prefect-lsp/prefect-lsp/internal/guidance"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/pyflow"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/workpools"
)

var FlowAlreadyServed = &analysis.Rule{
	ID:       "flow-already-served",
	Summary:  "the deployment's flow is also served from its own code with .serve()",
	Severity: analysis.Information,
	Category: analysis.CategoryGuidance,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Reads the entrypoint's Python file (without running it) and points out a
` + "`<flow>.serve(...)`" + ` call on the deployment's flow, or a ` + "`serve(...)`" + ` of
` + "`<flow>.to_deployment(...)`" + `.

## Why
Running that script creates a second deployment of the same flow, with no
work pool, executed by the serving process (prefect.md §5), next to the one
prefect.yaml creates for a work pool. That is sometimes intended (local
development), but often one of the two is stale: keep one way of running the
flow. The script's ` + "`__main__`" + ` block does not run when a worker imports the
flow, so the call itself is harmless there.

## Example
` + "```python" + `
# flows/etl.py
@flow
def etl(): ...

if __name__ == "__main__":
    etl.serve(name="etl-nightly", cron="0 3 * * *")
` + "```" + `

` + "```yaml" + `
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
    work_pool:
      name: k8s
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore[flow-already-served]`" + ` on the entrypoint.`,
	Run: func(p *analysis.Pass) {
		for _, d := range p.File.Deployments {
			call, file, line, ok := servedInCode(p, d)
			if !ok {
				continue
			}
			what := call.Receiver + "." + call.Method + "(...)"
			if call.Receiver == "" {
				what = call.Method + "(...)"
			}
			diag := p.Reportf(d.Entrypoint.ValueSpan(), "%s also serves this flow with %s at line %d: running it creates a second deployment with no work pool next to %q; keep one way of running the flow", file, what, line, d.DisplayName())
			p.AddVia(diag, d.Entrypoint.Via)
		}
	},
}

// servedInCode finds a .serve() of the deployment's flow in the
// entrypoint's file.
func servedInCode(p *analysis.Pass, d *prefectyaml.Deployment) (call pyflow.Call, file string, line int, ok bool) {
	// The flow-code rules already resolved the entrypoint (once per run,
	// through the shared flow index): reuse their module.
	t := targetOf(p, d)
	if t == nil || !t.resolved || t.res.Module == nil || t.res.Function == nil {
		return call, "", 0, false
	}
	f := t.res.Function
	if (!f.IsFlow && !f.UnknownDecorators) || f.Class != "" {
		return call, "", 0, false
	}
	fn, mod := f.Name, t.res.Module
	toDeployment := false
	for _, c := range mod.Calls {
		if c.Method == "to_deployment" && receiverIs(c.Receiver, fn) {
			toDeployment = true
		}
	}
	for _, c := range mod.Calls {
		if c.Method != "serve" || !(receiverIs(c.Receiver, fn) || (c.Receiver == "" && toDeployment)) {
			continue
		}
		src, err := p.Env.Read(t.res.File)
		if err != nil {
			return call, "", 0, false
		}
		file = t.ep.Path
		if file == "" {
			file = t.res.File
		}
		return c, file, source.NewFile(t.res.File, string(src)).Position(c.Span.Start, source.UTF8).Line + 1, true
	}
	return call, "", 0, false
}

// receiverIs reports whether a call's receiver is the flow fn, possibly
// through with_options or from_source: "etl", "etl.with_options(...)".
func receiverIs(recv, fn string) bool {
	return recv == fn || strings.HasPrefix(recv, fn+".") || strings.HasPrefix(recv, fn+"(")
}

var SimplerDeploymentOption = &analysis.Rule{
	ID:       "simpler-deployment-option",
	Summary:  "a simpler way to run the deployment fits: flow.serve, or a push pool with no worker",
	Severity: analysis.Hint,
	Category: analysis.CategoryGuidance,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Walks the decision guide (docs/choosing-infrastructure.md) with the
deployment's facts and hints, on the work pool's name, when an option with
fewer moving parts fits:

- a ` + "`process`" + ` pool with no image and code on the worker's machine →
  ` + "`flow.serve()`" + ` runs the same subprocesses with no pool and no worker to keep
  alive (quick fix: write ` + "`serve_<deployment>.py`" + `);
- a serverless pool with a worker (` + "`ecs`" + `, ` + "`cloud-run`" + `, ` + "`cloud-run-v2`" + `,
  ` + "`azure-container-instance`" + `, ` + "`coiled`" + `) → its push pool, which needs no worker
  (quick fix: rename the pool and note the ` + "`prefect work-pool create … --provision-infra`" + `
  command), unless the configuration says ` + "`server = \"self-hosted\"`" + `.

The pool's type comes from the configuration's ` + "`work-pools`" + ` table or from
job_variables keys only one type has; with an unknown type nothing is said.
Kubernetes pools get their advice (install the worker with Prefect's Helm
chart) in the hover, not as a finding.

## Why
Prefect's guidance (prefect.md §5, §7): serve is the simplest way to run a
flow on a host you keep running; push pools remove the worker at the cost of
storing cloud credentials in Prefect Cloud. These are trade-offs, not
errors, so the rule is a hint.

## Example
` + "```yaml" + `
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
    work_pool:
      name: local      # process pool; the worker runs on this machine
` + "```" + `

` + "```python" + `
# serve_etl.py
etl.serve(name="etl")
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore[simpler-deployment-option]`" + ` on the pool name, or turn
the rule off in the configuration.`,
	Run: func(p *analysis.Pass) {
		for _, d := range p.File.Deployments {
			in := poolInfo(p, d)
			t := in.Type
			if t == nil || !in.Facts.HasWorkPool {
				continue
			}
			span, via := poolSpan(p, d)
			switch {
			case t.Name == "process":
				rec := guidance.Decide(in.Facts)
				if rec.Suggested != guidance.ModeServe || !rec.Simpler || in.RemotePull || in.CustomPull {
					continue
				}
				if _, _, _, served := servedInCode(p, d); served {
					continue // flow-already-served says it
				}
				diag := p.Reportf(span, "%s runs flows as subprocesses on the worker's host; flow.serve() would do the same with no work pool and no worker to keep alive (see %s)", typeLabel(in), guidance.GuideLink(guidance.ModeServe))
				p.AddVia(diag, via)
				if fix, ok := serveFix(p, d, "Run this deployment with flow.serve"); ok {
					diag.Fixes = append(diag.Fixes, fix)
				}
			case t.Kind == workpools.Hybrid && t.Serverless && t.PushVariant != "":
				if p.Config != nil && p.Config.Server == config.ServerSelfHosted {
					continue
				}
				diag := p.Reportf(span, "%s needs a worker running all the time; on Prefect Cloud the %s push pool runs the same jobs with no worker, if Prefect Cloud may hold credentials for your cloud account (see %s)", typeLabel(in), t.PushVariant, guidance.GuideLink(guidance.ModePushPool))
				p.AddVia(diag, via)
				newName := pushPoolName(in.PoolName, t.PushVariant)
				if e := deployinfo.SwitchToPushPool(p.Src, d, t.PushVariant, newName); e != nil {
					diag.Fixes = append(diag.Fixes, analysis.Fix{Title: fmt.Sprintf("Switch to a push work pool (%s)", t.PushVariant), Edits: e})
				}
			}
		}
	},
}

// pushPoolName proposes a name for the push pool replacing name.
func pushPoolName(name, pushType string) string {
	if name == "" || strings.Contains(name, "{{") {
		return strings.ReplaceAll(pushType, ":", "-") + "-pool"
	}
	return name + "-push"
}
