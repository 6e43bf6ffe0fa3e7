package rules

// Flow code rules: entrypoints and parameters checked against the Python
// flows they name (prefect.md §6), read by internal/pyflow without running
// any code.

import (
	"fmt"
	"strings"
	"sync"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/pyflow"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/textdist"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// FlowProjectKey is the analysis.Env.Values key of the shared
// *pyflow.Project. The language server stores one there (with overlays for
// open buffers); otherwise the first flow rule of a run creates it.
const FlowProjectKey = "pyflow"

var flowProjectMu sync.Mutex

// FlowProject returns the environment's shared pyflow.Project, creating and
// storing it when absent.
func FlowProject(env *analysis.Env) *pyflow.Project {
	if env == nil {
		return pyflow.NewProject()
	}
	flowProjectMu.Lock()
	defer flowProjectMu.Unlock()
	if proj, ok := env.Values[FlowProjectKey].(*pyflow.Project); ok && proj != nil {
		return proj
	}
	proj := pyflow.NewProject()
	// This project lives for one environment that nobody watches: one
	// command-line run, during which the files are taken as they are.
	proj.TrustCache(true)
	if env.Values == nil {
		env.Values = map[string]any{}
	}
	env.Values[FlowProjectKey] = proj
	return proj
}

// flowTarget is what a deployment's entrypoint resolved to.
type flowTarget struct {
	node     *yamlsyntax.Node // the entrypoint scalar (resolved)
	via      *yamlsyntax.Node
	ep       pyflow.Entrypoint
	parseErr *pyflow.EntrypointError
	res      pyflow.Resolution
	resolved bool // ResolveEntrypoint ran
}

// span maps a byte span within the entrypoint string to the source.
func (t *flowTarget) span(p *analysis.Pass, s source.Span) source.Span {
	return newTextMap(p.Src, t.node).span(s)
}

// flow returns the flow function when the entrypoint names one.
func (t *flowTarget) flow() *pyflow.Function {
	if t == nil || !t.resolved || !t.res.OK() || t.res.Function == nil || !t.res.Function.IsFlow {
		return nil
	}
	return t.res.Function
}

// targetOf resolves a deployment's entrypoint once per run; nil when the
// deployment has no literal string entrypoint. Every caller goes through
// all deployments, so the first call resolves them all (resolveTargets).
func targetOf(p *analysis.Pass, d *prefectyaml.Deployment) *flowTarget {
	resolveTargets(p)
	return targetOne(p, d)
}

// resolveTargets resolves every deployment's entrypoint once per run, on
// all cores: reading and parsing the flow files is most of the flow-code
// rules' work, and distinct files are parsed in parallel (the flow index
// reads a file once however many deployments name it). Deployments the
// pass may skip are left to targetOne, if anyone asks.
func resolveTargets(p *analysis.Pass) {
	p.Memo("flows:targets", func() any {
		ds := p.File.Deployments
		onAllCores(p, len(ds), func(i int) {
			if !p.Skips(ds[i].Index) {
				targetOne(p, ds[i])
			}
		})
		return true
	})
}

// targetOne resolves one deployment's entrypoint (once per run).
func targetOne(p *analysis.Pass, d *prefectyaml.Deployment) *flowTarget {
	key := fmt.Sprintf("flows:target:%d", d.Index)
	v := p.Memo(key, func() any {
		raw, ok := d.Entrypoint.Str()
		if !ok || strings.Contains(raw, "{{") {
			return (*flowTarget)(nil)
		}
		t := &flowTarget{node: d.Entrypoint.Value.Resolve(), via: d.Entrypoint.Via}
		ep, err := pyflow.ParseEntrypoint(raw)
		t.ep = ep
		if err != nil {
			if ee, ok := err.(*pyflow.EntrypointError); ok {
				t.parseErr = ee
			} else {
				t.parseErr = &pyflow.EntrypointError{Message: err.Error(), Span: source.Span{End: len(raw)}}
			}
			return t
		}
		if p.Root == "" {
			return t
		}
		// Many deployments share an entrypoint: resolve each one once
		// per run (a missing file walks the project for suggestions).
		t.res = p.Memo("flows:resolve:"+raw, func() any {
			return FlowProject(p.Env).ResolveEntrypoint(p.Root, ep)
		}).(pyflow.Resolution)
		t.resolved = true
		return t
	})
	return v.(*flowTarget)
}

// looksLikePythonProject reports whether root holds Python code or Python
// packaging files; without them a missing entrypoint file most likely means
// the prefect.yaml is linted apart from its project.
func looksLikePythonProject(p *analysis.Pass) bool {
	return p.Memo("flows:python-project", func() any {
		return FlowProject(p.Env).LooksLikePythonProject(p.Root)
	}).(bool)
}

func forEachTarget(p *analysis.Pass, f func(d *prefectyaml.Deployment, t *flowTarget)) {
	for _, d := range p.File.Deployments {
		if t := targetOf(p, d); t != nil {
			f(d, t)
		}
	}
}

// replaceInEntrypointFix replaces part of the entrypoint string when that
// part maps exactly onto the source.
func replaceInEntrypointFix(p *analysis.Pass, t *flowTarget, part source.Span, with, title string) (analysis.Fix, bool) {
	if t.via != nil || t.node.Anchor() != "" {
		return analysis.Fix{}, false
	}
	m := newTextMap(p.Src, t.node)
	if !m.exact(part) || t.node.Style == yamlsyntax.SingleQuoted && strings.Contains(with, "'") ||
		t.node.Style == yamlsyntax.DoubleQuoted && strings.ContainsAny(with, `"\`) {
		return analysis.Fix{}, false
	}
	return analysis.Fix{Title: title, Edits: []source.Edit{{Span: m.span(part), NewText: with}}, IsPreferred: true}, true
}

func flowDoc(what, why, example, silence string) string {
	return "## What it does\n" + what + "\n\n## Why\n" + why + "\n\n## Example\n" + example + "\n\n## How to silence\n" + silence
}

var EntrypointFormat = &analysis.Rule{
	ID:       "entrypoint-format",
	Summary:  "an entrypoint that is neither path/to/file.py:function nor package.module.function",
	Severity: analysis.Error,
	Category: analysis.CategoryPython,
	Scope:    analysis.ScopeDeployment,
	Doc: flowDoc(`Checks the shape of `+"`entrypoint`"+`: a file path and a function name
split at the last `+"`:`"+` (`+"`flows/etl.py:etl`"+`, `+"`flows/etl.py:Pipelines.etl`"+`), or a
dotted module path ending in the function (`+"`my_pkg.flows.etl`"+`, or
`+"`my_pkg.flows:etl`"+`: Prefect imports an entrypoint without ".py:" as a module).
Entrypoints containing `+"`{{ }}`"+` placeholders are not checked.`,
		`Prefect splits the entrypoint at the last colon, or imports the module form
by its last dot (prefect.md §6); anything else fails when the deployment is
created or run. A flow name (`+"`my-flow`"+`) in place of the function name is a common slip.`,
		"```yaml\ndeployments:\n  - name: etl\n    entrypoint: flows/etl.py   # no function\n```\n\n```yaml\ndeployments:\n  - name: etl\n    entrypoint: flows/etl.py:etl\n```",
		"`# prefect-lsp: ignore[entrypoint-format]` on the line."),
	Run: func(p *analysis.Pass) {
		forEachTarget(p, func(d *prefectyaml.Deployment, t *flowTarget) {
			if t.parseErr == nil {
				return
			}
			diag := p.Report(t.span(p, t.parseErr.Span), lowerFirst(t.parseErr.Message))
			p.AddVia(diag, t.via)
		})
	},
}

var EntrypointFileNotFound = &analysis.Rule{
	ID:       "entrypoint-file-not-found",
	Summary:  "the entrypoint's file or module does not exist in the project",
	Severity: analysis.Error,
	Category: analysis.CategoryPython,
	Scope:    analysis.ScopeDeployment,
	Doc: flowDoc(`Resolves the entrypoint's file against the project root (the directory
where `+"`prefect deploy`"+` runs) and reports a file that does not exist, with
close paths as suggestions. Module-form entrypoints (`+"`pkg.mod.flow`"+`, and `+"`pkg.mod:flow`"+`, which
Prefect also imports as a module because it has no ".py:") are looked
up as `+"`pkg/mod.py`"+` or `+"`pkg/mod/__init__.py`"+` under the root and under `+"`src/`"+`;
a module that is not found is a warning, since it may be an installed package.

The rule stays silent when the project root holds no Python code at all
(no `+"`.py`"+` file and no `+"`pyproject.toml`"+`, `+"`setup.py`"+`, `+"`setup.cfg`"+` or
`+"`requirements.txt`"+`): then the prefect.yaml is being linted apart from its
code (a lone file, a sparse checkout) and every entrypoint would be reported.`,
		`Entrypoint paths are relative to the directory `+"`prefect deploy`"+` runs in,
even when `+"`--prefect-file`"+` points elsewhere (prefect.md §6). A wrong path fails
the deploy, or every run when the code is pulled at run time.`,
		"```yaml\ndeployments:\n  - name: etl\n    entrypoint: flow/etl.py:etl   # the directory is flows/\n```\n\n```yaml\ndeployments:\n  - name: etl\n    entrypoint: flows/etl.py:etl\n```",
		"`# prefect-lsp: ignore[entrypoint-file-not-found]` on the line, e.g. when a build or pull step generates the file."),
	Run: func(p *analysis.Pass) {
		forEachTarget(p, func(d *prefectyaml.Deployment, t *flowTarget) {
			if !t.resolved || (t.res.Failure != pyflow.FileNotFound && t.res.Failure != pyflow.ModuleNotFound) {
				return
			}
			if !looksLikePythonProject(p) {
				return
			}
			sugg := t.res.Suggestions
			if t.ep.IsModule() {
				sugg = nil
				for _, s := range t.res.Suggestions {
					sugg = append(sugg, strings.ReplaceAll(strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(s, "src/"), ".py"), "/__init__"), "/", "."))
				}
			}
			msg := t.res.Message
			if len(sugg) > 0 {
				msg += "; did you mean " + quoteList(sugg) + "?"
			}
			diag := p.Report(t.span(p, t.ep.PathSpan), msg)
			p.AddVia(diag, t.via)
			if t.res.Failure == pyflow.ModuleNotFound {
				severityUnlessConfigured(p, diag, analysis.Warning)
			}
			if len(sugg) == 1 {
				with := sugg[0]
				if fix, ok := replaceInEntrypointFix(p, t, t.ep.PathSpan, with, "Change the path to "+with); ok {
					diag.Fixes = append(diag.Fixes, fix)
				}
			}
		})
	},
}

var EntrypointFunctionNotFound = &analysis.Rule{
	ID:       "entrypoint-function-not-found",
	Summary:  "the entrypoint's file has no function of that name",
	Severity: analysis.Error,
	Category: analysis.CategoryPython,
	Scope:    analysis.ScopeDeployment,
	Doc: flowDoc(`Reads the entrypoint's Python file (without running it) and reports a
function name that is not defined there, suggesting close names; when exactly
one name is close, a quick fix renames the entrypoint's function part.`,
		`Prefect fails with "Flow function with name '<f>' not found in '<path>'"
(prefect.md §6) when the deployment is created or the flow run starts.`,
		"```yaml\ndeployments:\n  - name: etl\n    entrypoint: flows/etl.py:elt\n```\n\n```yaml\ndeployments:\n  - name: etl\n    entrypoint: flows/etl.py:etl\n```",
		"`# prefect-lsp: ignore[entrypoint-function-not-found]` on the line."),
	Run: func(p *analysis.Pass) {
		forEachTarget(p, func(d *prefectyaml.Deployment, t *flowTarget) {
			if !t.resolved || t.res.Failure != pyflow.FunctionNotFound {
				return
			}
			where := t.ep.Path
			if t.ep.IsModule() {
				where = t.ep.Module
			}
			msg := fmt.Sprintf("%s has no function %q", where, t.ep.Func)
			near := nearFunctions(t)
			if len(near) > 0 {
				msg += "; did you mean " + quoteList(near) + "?"
			} else if len(t.res.Suggestions) > 0 {
				msg += "; its flows are " + quoteList(t.res.Suggestions)
			}
			diag := p.Report(t.span(p, t.ep.FuncSpan), msg)
			p.AddVia(diag, t.via)
			if len(near) == 1 {
				if fix, ok := replaceInEntrypointFix(p, t, t.ep.FuncSpan, near[0], "Change the function to "+near[0]); ok {
					diag.Fixes = append(diag.Fixes, fix)
				}
			}
		})
	},
}

// nearFunctions keeps the scanner's suggestions that are really close to
// the missing name (it falls back to listing the file's flows).
func nearFunctions(t *flowTarget) []string {
	name := strings.ToLower(strings.ReplaceAll(t.ep.Func, "-", "_"))
	limit := max(2, len([]rune(name))/3)
	var out []string
	for _, s := range t.res.Suggestions {
		ls := strings.ToLower(s)
		if ls == name || strings.HasSuffix(ls, "."+name) || textdist.Distance(ls, name) <= limit {
			out = append(out, s)
			continue
		}
		if t.res.Module != nil {
			if f := t.res.Module.Lookup(s); f != nil && f.IsFlow && f.DisplayFlowName() == t.ep.Func {
				out = append(out, s)
			}
		}
	}
	return out
}

var EntrypointNotAFlow = &analysis.Rule{
	ID:       "entrypoint-not-a-flow",
	Summary:  "the entrypoint names a function that is not decorated with @flow",
	Severity: analysis.Error,
	Category: analysis.CategoryPython,
	Scope:    analysis.ScopeDeployment,
	Doc: flowDoc(`Reports an entrypoint whose function exists but is not decorated with
`+"`@flow`"+` (a `+"`@task`"+` is called out as one). Functions whose decorators the
scanner cannot see through (project-specific wrappers, imported names) are
not reported.`,
		`Prefect refuses it: "Function with name '<f>' is not a flow. Make sure that it
is decorated with '@flow'." (prefect.md §6).`,
		"```python\n@task\ndef extract(): ...\n\n@flow\ndef etl(): extract()\n```\n\n```yaml\ndeployments:\n  - name: etl\n    entrypoint: flows/etl.py:extract   # a task; use flows/etl.py:etl\n```",
		"`# prefect-lsp: ignore[entrypoint-not-a-flow]` on the line."),
	Run: func(p *analysis.Pass) {
		forEachTarget(p, func(d *prefectyaml.Deployment, t *flowTarget) {
			if !t.resolved || t.res.Failure != pyflow.NotAFlow || t.res.Function == nil {
				return
			}
			f := t.res.Function
			var msg string
			if f.IsTask {
				msg = fmt.Sprintf("%q is a task (@task), not a flow; a deployment's entrypoint must name a function decorated with @flow", t.ep.Func)
			} else {
				msg = fmt.Sprintf("%q is not a flow: Prefect refuses entrypoints whose function is not decorated with @flow", t.ep.Func)
			}
			if t.res.Module != nil {
				var flows []string
				for _, g := range t.res.Module.Flows() {
					flows = append(flows, g.Qualname)
				}
				if len(flows) > 0 && len(flows) <= 5 {
					msg += "; the file's flows are " + quoteList(flows)
				} else if len(flows) == 0 {
					msg += "; decorate it with @flow"
				}
			}
			diag := p.Report(t.span(p, t.ep.FuncSpan), msg)
			p.AddVia(diag, t.via)
		})
	},
}

// flowNameOf is the name Prefect gives the entrypoint's flow, "" when it
// cannot be told statically.
func flowNameOf(t *flowTarget) string {
	f := t.flow()
	if f == nil {
		return ""
	}
	if a := t.res.Assignment; a != nil {
		if k := a.Kwarg("name"); k != nil {
			if k.StringValue == nil {
				return ""
			}
			return *k.StringValue
		}
	}
	if f.FlowName == "" && f.FlowDecorator >= 0 && f.FlowDecorator < len(f.Decorators) && f.Decorators[f.FlowDecorator].Kwarg("name") != nil {
		return "" // name=<expression>
	}
	return f.DisplayFlowName()
}

var FlowNameMismatch = &analysis.Rule{
	ID:       "flow-name-mismatch",
	Summary:  "flow_name disagrees with the name of the entrypoint's flow",
	Severity: analysis.Information,
	Category: analysis.CategoryPython,
	Scope:    analysis.ScopeDeployment,
	Doc: flowDoc(`Compares a deployment's `+"`flow_name`"+` with the name of the flow its
entrypoint loads: the `+"`@flow(name=...)`"+` literal, or the function name with
`+"`_`"+` replaced by `+"`-`"+`.`,
		`Prefect ignores `+"`flow_name`"+`: the deployment is registered under the name
of the flow loaded from the entrypoint (prefect.md §6), so a different
`+"`flow_name`"+` only misleads readers (and `+"`prefect deploy -n flow/deployment`"+`
matches the entrypoint's function, not this key).`,
		"```python\n@flow(name=\"nightly-etl\")\ndef etl(): ...\n```\n\n```yaml\ndeployments:\n  - name: etl\n    flow_name: etl          # the flow is named nightly-etl\n    entrypoint: flows/etl.py:etl\n```",
		"Remove `flow_name` or set it to the flow's name; or `# prefect-lsp: ignore[flow-name-mismatch]`."),
	Run: func(p *analysis.Pass) {
		forEachTarget(p, func(d *prefectyaml.Deployment, t *flowTarget) {
			given, ok := d.FlowName.Str()
			if !ok || strings.Contains(given, "{{") {
				return
			}
			name := flowNameOf(t)
			if name == "" || name == given {
				return
			}
			diag := p.ReportNode(d.FlowName.Value, d.FlowName.Via, "flow_name %q differs from the flow's name %q; Prefect ignores flow_name and uses the name of the flow loaded from the entrypoint", given, name)
			n := d.FlowName.Value
			if d.FlowName.Via == nil && n.Kind == yamlsyntax.ScalarNode && n.Anchor() == "" && n.TagSpan().Len() == 0 &&
				(n.Style == yamlsyntax.Plain || n.Style == yamlsyntax.SingleQuoted || n.Style == yamlsyntax.DoubleQuoted) {
				text := requoted(n, name)
				if n.Style == yamlsyntax.Plain && !plainSafeName(name) {
					text = doubleQuote(name)
				}
				diag.Fixes = append(diag.Fixes, analysis.Fix{Title: "Set flow_name to " + name, Edits: []source.Edit{{Span: n.Span, NewText: text}}, IsPreferred: true})
			}
		})
	},
}

// paramMap is one mapping of parameter values: the deployment's
// `parameters` or a schedule's.
type paramMap struct {
	where    string // "parameters" or "schedule 2's parameters"
	node     *yamlsyntax.Node
	schedule *prefectyaml.Schedule
}

func parameterMaps(d *prefectyaml.Deployment) []paramMap {
	var out []paramMap
	if n := d.Parameters.Value.Resolve(); n != nil && n.Kind == yamlsyntax.MappingNode {
		out = append(out, paramMap{where: "parameters", node: n})
	}
	for _, s := range d.Schedules {
		if n := s.Parameters.Value.Resolve(); n != nil && n.Kind == yamlsyntax.MappingNode {
			where := fmt.Sprintf("the parameters of schedule %d", s.Index+1)
			if s.Legacy {
				where = "the schedule's parameters"
			}
			out = append(out, paramMap{where: where, node: n, schedule: s})
		}
	}
	// A trigger's parameters are passed to the runs it starts (not
	// templated at deploy time: "{{ event.* }}" values are filled in when
	// the event fires).
	for _, tr := range d.Triggers.Value.Items() {
		if n := triggerParameters(tr); n != nil {
			out = append(out, paramMap{where: "a trigger's parameters", node: n})
		}
	}
	return out
}

// triggerParameters is the parameters mapping of one trigger item (nil
// when it has none).
func triggerParameters(trigger *yamlsyntax.Node) *yamlsyntax.Node {
	pr, ok := trigger.Resolve().Get("parameters")
	if !ok {
		return nil
	}
	if n := pr.Value.Resolve(); n != nil && n.Kind == yamlsyntax.MappingNode {
		return n
	}
	return nil
}

var UnknownParameter = &analysis.Rule{
	ID:       "unknown-parameter",
	Summary:  "a parameter value for a name the flow does not take",
	Severity: analysis.Error,
	Category: analysis.CategoryPython,
	Scope:    analysis.ScopeDeployment,
	Doc: flowDoc(`Checks the keys of a deployment's `+"`parameters`"+` (and of each schedule's and
trigger's `+"`parameters`"+`) against the parameters of the entrypoint's flow, suggesting close
names with a rename quick fix. Flows that take `+"`**kwargs`"+` accept any name and
are not checked.`,
		`The server's parameter schema does not forbid extra keys, so the deployment is
created, but every run fails with "Function expects parameters [..] but was
provided with parameters [..]" (SignatureMismatchError, prefect.md §6).`,
		"```python\n@flow\ndef etl(source_url: str, limit: int = 100): ...\n```\n\n```yaml\ndeployments:\n  - name: etl\n    entrypoint: flows/etl.py:etl\n    parameters:\n      source: s3://bucket/in   # did you mean source_url?\n```",
		"`# prefect-lsp: ignore[unknown-parameter]` on the key's line."),
	Run: func(p *analysis.Pass) {
		forEachTarget(p, func(d *prefectyaml.Deployment, t *flowTarget) {
			f := t.flow()
			if f == nil || f.AcceptsVarKeyword() {
				return
			}
			var names []string
			for _, prm := range f.NamedParams() {
				names = append(names, prm.Name)
			}
			for _, pm := range parameterMaps(d) {
				present := map[string]bool{}
				for _, pair := range pm.node.Pairs() {
					present[pair.KeyText()] = true
				}
				for _, pair := range pm.node.Pairs() {
					key := pair.KeyText()
					if contains(names, key) {
						continue
					}
					msg := fmt.Sprintf("flow %s takes no parameter %q", t.ep.Func, key)
					sugg := closest(key, names)
					if len(sugg) > 0 {
						msg += "; did you mean " + quoteList(sugg) + "?"
					} else if len(names) > 0 {
						msg += "; its parameters are " + quoteList(names)
					} else {
						msg += "; it takes no parameters"
					}
					msg += " (runs would fail with a signature mismatch)"
					diag := p.ReportNode(pair.Key, pair.Via, "%s", msg)
					if len(sugg) == 1 && pair.Via == nil && !present[sugg[0]] {
						if fix, ok := replaceKeyFix(p, pair.Key, sugg[0], "Rename to "+sugg[0], true); ok {
							diag.Fixes = append(diag.Fixes, fix)
						}
					}
				}
			}
		})
	},
}

// everyTriggerPasses reports whether each of the deployment's triggers sets
// the parameter in its own parameters.
func everyTriggerPasses(d *prefectyaml.Deployment, name string) bool {
	for _, tr := range d.Triggers.Value.Items() {
		ps := triggerParameters(tr)
		if ps == nil {
			return false
		}
		if _, ok := ps.Get(name); !ok {
			return false
		}
	}
	return true
}

// hasTriggers reports whether the deployment has at least one trigger.
func hasTriggers(d *prefectyaml.Deployment) bool {
	return len(d.Triggers.Value.Items()) > 0
}

var MissingRequiredParameter = &analysis.Rule{
	ID:       "missing-required-parameter",
	Summary:  "a required flow parameter the deployment gives no value",
	Severity: analysis.Information,
	Category: analysis.CategoryPython,
	Scope:    analysis.ScopeDeployment,
	Doc: flowDoc(`Reports flow parameters without a default that the deployment's
`+"`parameters`"+` do not set. It is a warning when the deployment has schedules or
triggers (a schedule's own `+"`parameters`"+` count for that schedule), since
those runs start with no way to supply the value; otherwise it is
information: runs started by hand can pass it.`,
		`A flow run without a required parameter fails: the server rejects it when
`+"`enforce_parameter_schema`"+` is on, otherwise the flow call raises (prefect.md §6).`,
		"```python\n@flow\ndef etl(day: str): ...\n```\n\n```yaml\ndeployments:\n  - name: etl\n    entrypoint: flows/etl.py:etl\n    schedules:\n      - cron: \"0 6 * * *\"\n    parameters:\n      day: today\n```",
		"Give the parameter a default in the flow, set it in `parameters`, or `# prefect-lsp: ignore[missing-required-parameter]`."),
	Run: func(p *analysis.Pass) {
		forEachTarget(p, func(d *prefectyaml.Deployment, t *flowTarget) {
			f := t.flow()
			if f == nil {
				return
			}
			params := d.Parameters.Value.Resolve()
			if params != nil && params.Kind == yamlsyntax.ScalarNode && params.IsString() {
				return // templated or otherwise computed parameters
			}
			for _, prm := range f.NamedParams() {
				if prm.HasDefault || prm.Kind == pyflow.VarPositional || prm.Kind == pyflow.VarKeyword {
					continue
				}
				if _, ok := params.Get(prm.Name); ok {
					continue
				}
				scheduled := false
				for _, s := range d.Schedules {
					if _, ok := s.Parameters.Value.Get(prm.Name); !ok {
						scheduled = true
					}
				}
				what := prm.Name
				if prm.Annotation != "" {
					what += ": " + prm.Annotation
				}
				var diag *analysis.Diagnostic
				switch {
				case scheduled:
					diag = p.Reportf(t.span(p, t.ep.FuncSpan), "flow %s requires parameter %q (%s) but deployment %q sets no value; its scheduled runs will fail — add it under parameters", t.ep.Func, prm.Name, what, d.DisplayName())
					severityUnlessConfigured(p, diag, analysis.Warning)
				case hasTriggers(d) && !everyTriggerPasses(d, prm.Name):
					diag = p.Reportf(t.span(p, t.ep.FuncSpan), "flow %s requires parameter %q (%s) but deployment %q sets no value; runs started by its triggers fail unless the trigger passes it", t.ep.Func, prm.Name, what, d.DisplayName())
					severityUnlessConfigured(p, diag, analysis.Warning)
				default:
					diag = p.Reportf(t.span(p, t.ep.FuncSpan), "flow %s requires parameter %q (%s) and deployment %q sets no value; every run must pass it", t.ep.Func, prm.Name, what, d.DisplayName())
				}
				p.AddVia(diag, t.via)
			}
		})
	},
}

// enforcesSchema reports whether the server validates parameters against
// the flow's schema: enforce_parameter_schema, default true in Prefect 3
// (false in 2.x).
func enforcesSchema(p *analysis.Pass, d *prefectyaml.Deployment) bool {
	if b, ok := d.EnforceParameterSchema.Bool(); ok {
		return b
	}
	return !targetsPrefectBefore(p, "3")
}

// hasPlaceholder reports whether any string in n contains "{{".
func hasPlaceholder(n *yamlsyntax.Node) bool {
	budget := 10000
	var walk func(n *yamlsyntax.Node, depth int) bool
	walk = func(n *yamlsyntax.Node, depth int) bool {
		n = n.Resolve()
		budget--
		if n == nil || budget < 0 || depth > 100 {
			return false
		}
		if n.Kind == yamlsyntax.ScalarNode {
			return strings.Contains(n.Text, "{{")
		}
		for _, c := range n.Content() {
			if walk(c, depth+1) {
				return true
			}
		}
		return false
	}
	return walk(n, 0)
}

var ParameterType = &analysis.Rule{
	ID:       "parameter-type",
	Summary:  "a parameter value that cannot match the flow parameter's type annotation",
	Severity: analysis.Error,
	Category: analysis.CategoryPython,
	Scope:    analysis.ScopeDeployment,
	Doc: flowDoc(`Checks literal values in a deployment's `+"`parameters`"+` (and each schedule's and
trigger's `+"`parameters`"+`) against the annotations of the flow's parameters, the way
pydantic validates them (lax mode: "3" passes as an int, "abc" does not):
int, float, str, bool, None, list/dict/tuple/set and their parameterised
forms, Optional/Union and Literal. Values containing `+"`{{ }}`"+` are never
checked (they are rendered at deploy or run time); custom classes and types
the scanner cannot read are accepted. An unquoted value that PyYAML (YAML
1.1) reads as another type while the annotation wants its text
(`+"`country: no`"+` for a `+"`str`"+`) is [yaml11-scalar](yaml11-scalar.md)'s finding
and is not reported again here.

With `+"`enforce_parameter_schema: false`"+` the finding is information only.`,
		`With `+"`enforce_parameter_schema`"+` (the default in Prefect 3) the server
validates the deployment's parameters against the flow's schema when it is
created and every flow run's parameters when it starts, so a wrong value
fails the deploy or every run (prefect.md §6). Without it the value is passed
through and only the flow call's own validation applies.`,
		"```python\n@flow\ndef etl(limit: int = 100): ...\n```\n\n```yaml\ndeployments:\n  - name: etl\n    entrypoint: flows/etl.py:etl\n    parameters:\n      limit: lots   # not an int\n```",
		"`# prefect-lsp: ignore[parameter-type]` on the value's line."),
	Run: func(p *analysis.Pass) {
		forEachTarget(p, func(d *prefectyaml.Deployment, t *flowTarget) {
			f := t.flow()
			if f == nil {
				return
			}
			enforce := enforcesSchema(p, d)
			yaml11Active := ruleActive(p, "yaml11-scalar")
			for _, pm := range parameterMaps(d) {
				for _, pair := range pm.node.Pairs() {
					prm := paramFor(f, pair.KeyText())
					if prm == nil || prm.Annotation == "" || hasPlaceholder(pair.Value) {
						continue
					}
					v, err := yamlsyntax.Value(pair.Value)
					if err != nil {
						continue
					}
					if quoted := textLeaves(parameterLeafVerdicts(prm, pair.Value)); len(quoted) > 0 && yaml11Active {
						// yaml11-scalar reports the unquoted values the
						// annotation wants as text; judge the rest.
						v = withTextAt(v, quoted)
					}
					ok, why := pyflow.CheckValue(prm.Annotation, v)
					if ok {
						continue
					}
					if enforce {
						p.ReportNode(pair.Value, pair.Via, "%s: %s is not a valid %s (%s); the server rejects it because enforce_parameter_schema is on", prm.Name, valueText(pair.Value), prm.Annotation, why)
					} else {
						diag := p.ReportNode(pair.Value, pair.Via, "%s: %s is not a valid %s (%s); with enforce_parameter_schema off the server passes it through, and the flow's own validation may still reject it", prm.Name, valueText(pair.Value), prm.Annotation, why)
						severityUnlessConfigured(p, diag, analysis.Information)
					}
				}
			}
		})
	},
}

// valueText renders a parameter value for messages: scalars as Python
// would print them, collections by their type.
func valueText(n *yamlsyntax.Node) string {
	r := n.Resolve()
	if r == nil {
		return "null"
	}
	if r.Kind != yamlsyntax.ScalarNode {
		return article(r.TypeName())
	}
	if isSurprise(r) {
		return fmt.Sprintf("%s (how PyYAML reads the unquoted %s)", pyValue(r), r.Text)
	}
	if r.IsString() {
		t := r.Text
		if r := []rune(t); len(r) > 60 {
			t = string(r[:57]) + "..."
		}
		return doubleQuote(t)
	}
	return pyValue(r)
}

// plainSafeName reports whether name can be written as a plain YAML scalar
// that reads back as the same string.
func plainSafeName(name string) bool {
	if name == "" || name[0] == '-' || yamlsyntax.ResolvePlain(name) != yamlsyntax.TagStr {
		return false
	}
	for _, r := range name {
		if !(r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
