package rules

import (
	"fmt"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/steps"
	"github.com/prefect-lsp/prefect-lsp/internal/templating"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// Placeholder rules: `{{ }}` references in every string value (prefect.md §3).

// textMap maps byte offsets of a scalar's decoded text to source offsets.
// The mapping is exact for single-line plain scalars, single-line quoted
// scalars (double-quoted ones without escapes) and literal block scalars;
// otherwise spans fall back to the whole scalar.
type textMap struct {
	n    *yamlsyntax.Node
	offs []int // offs[i] is the source offset of text byte i, -1 if unknown; nil when inexact
}

const maxMappedScalar = 1 << 20

func newTextMap(src *source.File, n *yamlsyntax.Node) textMap {
	m := textMap{n: n}
	if n == nil || n.Kind != yamlsyntax.ScalarNode || len(n.Text) > maxMappedScalar {
		return m
	}
	raw := src.Slice(n.Span)
	text := n.Text
	offs := make([]int, len(text))
	for i := range offs {
		offs[i] = -1
	}
	base := n.Span.Start
	switch n.Style {
	case yamlsyntax.Plain:
		if raw != text {
			return m
		}
		for i := range offs {
			offs[i] = base + i
		}
	case yamlsyntax.DoubleQuoted:
		if strings.ContainsAny(raw, "\\\n\r") || len(raw) < 2 || raw[1:len(raw)-1] != text {
			return m
		}
		for i := range offs {
			offs[i] = base + 1 + i
		}
	case yamlsyntax.SingleQuoted:
		if strings.ContainsAny(raw, "\n\r") || len(raw) < 2 {
			return m
		}
		j := 1
		for i := 0; i < len(text); i++ {
			if j >= len(raw)-1 {
				return m
			}
			offs[i] = base + j
			if raw[j] == '\'' {
				j++
			}
			j++
		}
	case yamlsyntax.Literal:
		nl := strings.IndexByte(raw, '\n')
		if nl < 0 {
			return m
		}
		header := raw[:nl]
		if i := strings.IndexAny(header, " \t#"); i >= 0 {
			header = header[:i]
		}
		if strings.ContainsAny(header, "0123456789") {
			return m // explicit indentation indicator
		}
		body := raw[nl+1:]
		lines := strings.Split(body, "\n")
		indent := -1
		for _, l := range lines {
			if t := strings.TrimLeft(l, " "); t != "" && t != "\r" {
				indent = len(l) - len(t)
				break
			}
		}
		if indent < 0 {
			return m
		}
		pos := base + nl + 1
		ti := 0
		for _, l := range strings.Split(text, "\n") {
			if len(lines) == 0 {
				break
			}
			sl := lines[0]
			lines = lines[1:]
			if l != "" {
				if len(sl) < indent || !strings.HasPrefix(sl[indent:], l) {
					return m
				}
				for k := 0; k < len(l); k++ {
					offs[ti+k] = pos + indent + k
				}
			}
			ti += len(l) + 1
			pos += len(sl) + 1
		}
	default:
		return m
	}
	full := src.Text()
	for i, o := range offs {
		if o >= 0 && (o >= len(full) || full[o] != text[i]) {
			return m
		}
	}
	m.offs = offs
	return m
}

// exact reports whether s (in the decoded text) maps onto source bytes.
func (m textMap) exact(s source.Span) bool {
	if m.offs == nil || s.Start < 0 || s.End > len(m.offs) || s.End <= s.Start {
		return false
	}
	return m.offs[s.Start] >= 0 && m.offs[s.End-1] >= 0
}

// span maps s to the source, or returns the whole scalar's span.
func (m textMap) span(s source.Span) source.Span {
	if !m.exact(s) {
		return m.n.Span
	}
	return source.Span{Start: m.offs[s.Start], End: m.offs[s.End-1] + 1}
}

// ScalarTextMapper maps byte spans of scalar n's decoded text (n.Text) to
// source bytes, with the same rules the placeholder diagnostics use: exact
// for single-line plain and quoted scalars (double-quoted ones without
// escapes) and literal block scalars. The returned function reports false,
// with n's whole span, when a span cannot be mapped exactly. Editor
// features use it to place hovers, references and renames on placeholders.
func ScalarTextMapper(src *source.File, n *yamlsyntax.Node) func(source.Span) (source.Span, bool) {
	m := newTextMap(src, n)
	return func(s source.Span) (source.Span, bool) {
		if n == nil {
			return source.Span{}, false
		}
		return m.span(s), m.exact(s)
	}
}

// WalkStringValues visits every string scalar written as a value (mapping
// keys are not templated), once, skipping the subtrees of `triggers`:
// automations templates there are Jinja, rendered by the server (prefect.md §3).
func WalkStringValues(n *yamlsyntax.Node, f func(*yamlsyntax.Node)) {
	var walk func(n *yamlsyntax.Node, depth int)
	walk = func(n *yamlsyntax.Node, depth int) {
		if n == nil || depth > yamlsyntax.MaxDepth {
			return
		}
		switch n.Kind {
		case yamlsyntax.ScalarNode:
			if n.Tag() == yamlsyntax.TagStr {
				f(n)
			}
		case yamlsyntax.SequenceNode:
			for _, c := range n.Content() {
				walk(c, depth+1)
			}
		case yamlsyntax.MappingNode:
			for i, content := 0, n.Content(); i+1 < len(content); i += 2 {
				if k := content[i]; k.Kind == yamlsyntax.ScalarNode && k.Text == "triggers" {
					continue
				}
				walk(content[i+1], depth+1)
			}
		}
	}
	walk(n, 0)
}

// lintAll runs templating.Lint on every string value once per analysis.
type lintFinding struct {
	node *yamlsyntax.Node
	tm   textMap
	prob templating.Problem
}

func lintFindings(p *analysis.Pass) []lintFinding {
	return p.Memo("templating-lint", func() any {
		var out []lintFinding
		WalkStringValues(p.Doc.Root, func(n *yamlsyntax.Node) {
			if !strings.Contains(n.Text, "{{") && !strings.Contains(n.Text, "}}") {
				return
			}
			probs := templating.Lint(n.Text)
			if len(probs) == 0 {
				return
			}
			tm := newTextMap(p.Src, n)
			for _, pr := range probs {
				out = append(out, lintFinding{n, tm, pr})
			}
		})
		return out
	}).([]lintFinding)
}

func placeholderDoc(what, why, bad, good, silence string) string {
	return stepDoc(what, why, bad, good, silence)
}

var NotAPlaceholder = &analysis.Rule{
	ID:       "not-a-placeholder",
	Summary:  "text that looks like a {{ placeholder }} but does not match Prefect's grammar",
	Severity: analysis.Warning,
	Category: analysis.CategoryTemplates,
	Scope:    analysis.ScopeDeployment,
	Doc: placeholderDoc(
		"Finds `{{ … }}` text that Prefect does not treat as a placeholder: Jinja filters (`{{ x | default }}`), quotes, spaces or calls inside the braces, and unbalanced braces (`{{ x }`, `{ x }}`, `{{{ x }}}`, a `{{` never closed). Automation templates under `triggers` are Jinja and are not checked.",
		"Prefect's placeholders follow the pattern `{{\\s*([\\w\\.\\-\\[\\]$]+)\\s*}}`; it is not Jinja. Anything else stays in the value as literal text, silently (prefect.md §3).",
		"work_pool:\n  job_variables:\n    image: \"{{ build-image.image | default('python') }}\"\n    env:\n      TAG: \"{{ build-image.tag }\"\n",
		"work_pool:\n  job_variables:\n    image: \"{{ build-image.image }}\"\n    env:\n      TAG: \"{{ build-image.tag }}\"\n",
		"A quick fix rewrites unbalanced braces. "+silenceLine("not-a-placeholder")),
	Run: func(p *analysis.Pass) {
		for _, lf := range lintFindings(p) {
			if lf.prob.Kind != templating.NotAPlaceholder && lf.prob.Kind != templating.Unbalanced {
				continue
			}
			d := p.Report(lf.tm.span(lf.prob.Span), lowerFirst(lf.prob.Message))
			if lf.prob.Fixable && lf.tm.exact(lf.prob.Span) {
				sp := lf.tm.span(lf.prob.Span)
				if lf.n().Style != yamlsyntax.Plain || sp.Start > lf.node.Span.Start {
					d.Fixes = append(d.Fixes, analysis.Fix{Title: "Change to " + lf.prob.Replacement, Edits: []source.Edit{{Span: sp, NewText: lf.prob.Replacement}}, IsPreferred: true})
				}
			}
		}
	},
}

func (lf lintFinding) n() *yamlsyntax.Node { return lf.node }

var BadBlockReference = &analysis.Rule{
	ID:       "bad-block-reference",
	Summary:  "a {{ prefect.blocks.… }} placeholder without both a block type and a block name",
	Severity: analysis.Error,
	Category: analysis.CategoryTemplates,
	Scope:    analysis.ScopeDeployment,
	Doc: placeholderDoc(
		"Reports block placeholders that do not name both the block type slug and the block document: `{{ prefect.blocks.secret }}`.",
		"Prefect raises \"Invalid block placeholder format: '…'. Expected format: prefect.blocks.<block-type-slug>.<block-document-name>\" when it resolves the value (prefect.md §3).",
		"pull:\n  - prefect.deployments.steps.git_clone:\n      repository: https://github.com/org/repo.git\n      access_token: \"{{ prefect.blocks.secret }}\"\n",
		"pull:\n  - prefect.deployments.steps.git_clone:\n      repository: https://github.com/org/repo.git\n      access_token: \"{{ prefect.blocks.secret.github-token }}\"\n",
		silenceLine("bad-block-reference")),
	Run: func(p *analysis.Pass) {
		for _, lf := range lintFindings(p) {
			if lf.prob.Kind == templating.BadBlockRef {
				p.Report(lf.tm.span(lf.prob.Span), lf.prob.Message)
			}
		}
	},
}

var BadVariableReference = &analysis.Rule{
	ID:       "bad-variable-reference",
	Summary:  "a {{ prefect.variables. }} or {{ $ }} placeholder that names nothing Prefect can read",
	Severity: analysis.Warning,
	Category: analysis.CategoryTemplates,
	Scope:    analysis.ScopeDeployment,
	Doc: placeholderDoc(
		"Reports variable placeholders without a variable name, and environment placeholders whose name is empty or not an environment variable name (`{{ $ }}`, `{{ $HOME.dir }}`).",
		"A missing variable or unset environment variable silently becomes the empty string (prefect.md §3).",
		"work_pool:\n  job_variables:\n    env:\n      REGION: \"{{ prefect.variables. }}\"\n",
		"work_pool:\n  job_variables:\n    env:\n      REGION: \"{{ prefect.variables.region }}\"\n",
		silenceLine("bad-variable-reference")),
	Run: func(p *analysis.Pass) {
		for _, lf := range lintFindings(p) {
			if lf.prob.Kind == templating.BadVariableRef || lf.prob.Kind == templating.BadEnvRef {
				p.Report(lf.tm.span(lf.prob.Span), lowerFirst(lf.prob.Message))
			}
		}
	},
}

var InlineBlockMapping = &analysis.Rule{
	ID:       "inline-block-mapping",
	Summary:  "a credentials block placeholder inside a longer string; it resolves to a mapping",
	Severity: analysis.Error,
	Category: analysis.CategoryTemplates,
	Scope:    analysis.ScopeDeployment,
	Doc: placeholderDoc(
		"Reports block placeholders embedded in other text when the block type's documents are mappings with several fields (credentials and storage blocks such as `aws-credentials`, `github-credentials`, `docker-registry-credentials`) and no key path picks one field. Blocks whose data is a single `value` (Secret, String, JSON) are not reported.",
		"A placeholder inside a longer string is replaced by text; a block that resolves to a mapping fails with \"…resolved to a dict, which cannot be used for inline string substitution…\" (prefect.md §3).",
		"pull:\n  - prefect.deployments.steps.git_clone:\n      repository: \"https://{{ prefect.blocks.github-credentials.repo }}@github.com/org/repo.git\"\n",
		"pull:\n  - prefect.deployments.steps.git_clone:\n      repository: https://github.com/org/repo.git\n      credentials: \"{{ prefect.blocks.github-credentials.repo }}\"\n",
		"Add the key path of the field you mean (`{{ prefect.blocks.aws-credentials.prod.region_name }}`), or "+silenceLine("inline-block-mapping")),
	Run: func(p *analysis.Pass) {
		WalkStringValues(p.Doc.Root, func(n *yamlsyntax.Node) {
			if !strings.Contains(n.Text, "prefect.blocks.") {
				return
			}
			var tm *textMap
			for _, ph := range templating.Find(n.Text) {
				if ph.Kind != templating.Block || ph.Whole || ph.BlockPath != "" || ph.BlockName == "" || !dictBlockTypes[ph.BlockType] {
					continue
				}
				if tm == nil {
					m := newTextMap(p.Src, n)
					tm = &m
				}
				p.Reportf(tm.span(ph.Span), "%s is a %s block, which resolves to a mapping; inside a longer string Prefect fails because a mapping cannot be substituted into text; use the whole value for the block or add the key path of one field ({{ %s.<field> }})", ph.Raw, ph.BlockType, ph.Name)
			}
		})
	},
}

var BlockInJobVariables = &analysis.Rule{
	ID:       "block-in-job-variables",
	Summary:  "a block placeholder in job_variables is resolved when deploying and stored in plain text",
	Severity: analysis.Information,
	Category: analysis.CategoryTemplates,
	Scope:    analysis.ScopeDeployment,
	Doc: placeholderDoc(
		"Points out `{{ prefect.blocks.… }}` placeholders in a deployment's `work_pool.job_variables`.",
		"`prefect deploy` resolves block references in the whole deployment entry, job variables included, so a secret ends up in the deployment's job variables in plain text, visible in the UI and API (PrefectHQ/prefect#14088; prefect.md §3, §8 #8). Pull steps are different: their block references are resolved by the worker at run time.",
		"work_pool:\n  name: k8s\n  job_variables:\n    env:\n      DB_PASSWORD: \"{{ prefect.blocks.secret.db-password }}\"\n",
		"",
		"Read the secret in the flow (Secret.load(\"db-password\")) or use the platform's secret mechanism (Kubernetes secrets, ECS secrets). "+silenceLine("block-in-job-variables")),
	Run: func(p *analysis.Pass) {
		seen := map[*yamlsyntax.Node]bool{}
		for _, d := range p.File.Deployments {
			if d.WorkPool == nil || d.WorkPool.JobVariables.Value == nil {
				continue
			}
			visitResolved(d.WorkPool.JobVariables.Value, d.WorkPool.JobVariables.Via, func(n, via *yamlsyntax.Node) {
				if seen[n] || !strings.Contains(n.Text, "prefect.blocks.") {
					return
				}
				seen[n] = true
				var tm *textMap
				for _, ph := range templating.Find(n.Text) {
					if ph.Kind != templating.Block || ph.BlockName == "" {
						continue
					}
					if tm == nil {
						m := newTextMap(p.Src, n)
						tm = &m
					}
					diag := p.Reportf(tm.span(ph.Span), "%s in job_variables is resolved by prefect deploy and saved on the deployment in plain text (visible in the UI and API); load secrets in the flow or from the worker's environment instead", ph.Raw)
					p.AddVia(diag, via)
				}
			})
		}
	},
}

// visitResolved visits the string scalars of a value as Prefect sees it
// (aliases and merges followed), with the alias or merge site the scalar
// was reached through. Each resolved collection is entered once.
func visitResolved(n, via *yamlsyntax.Node, f func(n, via *yamlsyntax.Node)) {
	seen := map[*yamlsyntax.Node]bool{}
	budget := 100000
	var walk func(n, via *yamlsyntax.Node, depth int)
	walk = func(n, via *yamlsyntax.Node, depth int) {
		budget--
		if n == nil || depth > yamlsyntax.MaxDepth || budget < 0 {
			return
		}
		if n.Kind == yamlsyntax.AliasNode && via == nil {
			via = n
		}
		r := n.Resolve()
		if r == nil {
			return
		}
		switch r.Kind {
		case yamlsyntax.ScalarNode:
			if r.Tag() == yamlsyntax.TagStr {
				f(r, via)
			}
		case yamlsyntax.SequenceNode:
			if seen[r] {
				return
			}
			seen[r] = true
			for _, c := range r.Content() {
				walk(c, via, depth+1)
			}
		case yamlsyntax.MappingNode:
			if seen[r] {
				return
			}
			seen[r] = true
			for _, pr := range r.Pairs() {
				v := via
				if v == nil {
					v = pr.Via
				}
				walk(pr.Value, v, depth+1)
			}
		}
	}
	walk(n, via, 0)
}

// ---------------------------------------------------------------------------
// Step output references.

// outputScope is what `{{ id.key }}` and bare `{{ key }}` can resolve to at
// one place of the file.
type outputScope struct {
	where string // "build step", "push step", "pull step", "deployment"
	// avail are the steps whose outputs are available, in run order.
	avail []*prefectyaml.Step
	// later are steps that run after this place (same deploy).
	later []*prefectyaml.Step
	// pull are pull steps, whose outputs exist only on the worker.
	pull []*prefectyaml.Step
	// self is the step whose arguments are checked (nil for a deployment).
	self *prefectyaml.Step
	// deployment names the deployment when the scope is one of several;
	// depSpan is its extent.
	deployment string
	depSpan    source.Span
}

func stepID(st *prefectyaml.Step) (string, bool) {
	if !st.ID.Set() {
		return "", false
	}
	return st.ID.Text(), true
}

func findByID(list []*prefectyaml.Step, id string) *prefectyaml.Step {
	var found *prefectyaml.Step
	for _, st := range list {
		if sid, ok := stepID(st); ok && sid == id {
			found = st // the last one wins, as in Prefect
		}
	}
	return found
}

// checkReference explains why a step-output placeholder cannot resolve in
// scope, with did-you-mean ids; "" when it can (or when nothing is known).
func checkReference(ph templating.Placeholder, sc *outputScope) (msg string, sugg []string) {
	name := ph.Name
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "[") {
		return "", nil
	}
	dropped := "Prefect leaves the placeholder unreplaced"
	if ph.Whole {
		dropped = "Prefect silently drops the key when the value cannot be resolved (PrefectHQ/prefect#17204)"
	}
	if ph.StepID == "" {
		key := ph.OutputKey
		if i := strings.IndexAny(key, "["); i >= 0 {
			key = key[:i]
		}
		if findByID(sc.avail, key) != nil {
			return "", nil
		}
		var outs []string
		for _, st := range sc.avail {
			s, ok := steps.Lookup(st.Function)
			if !ok {
				return "", nil // a custom step may return anything
			}
			if _, ok := s.Output(key); ok {
				return "", nil
			}
			for _, o := range s.Outputs {
				if !contains(outs, o.Key) {
					outs = append(outs, o.Key)
				}
			}
		}
		msg = fmt.Sprintf("{{ %s }} is not an output of any earlier step", name)
		if len(sc.avail) == 0 {
			msg = fmt.Sprintf("{{ %s }} refers to a step output, but no step runs before this %s", name, sc.where)
		}
		if st := findByID(sc.later, key); st != nil {
			msg += fmt.Sprintf(" (step %s runs later)", key)
		}
		return msg + "; " + dropped, closest(key, outs)
	}
	id := ph.StepID
	if st := findByID(sc.avail, id); st != nil {
		s, ok := steps.Lookup(st.Function)
		if !ok {
			return "", nil
		}
		key := ph.OutputKey
		if i := strings.IndexAny(key, ".["); i >= 0 {
			key = key[:i]
		}
		if _, ok := s.Output(key); ok {
			return "", nil
		}
		var outs []string
		for _, o := range s.Outputs {
			outs = append(outs, o.Key)
		}
		return fmt.Sprintf("step %s (%s) has no output %q; its outputs are %s; %s", id, s.Short, key, strings.Join(outs, ", "), dropped), nil
	}
	if sc.self != nil {
		if sid, ok := stepID(sc.self); ok && sid == id {
			return fmt.Sprintf("step %s refers to its own output, which exists only after the step has run; %s", id, dropped), nil
		}
	}
	if st := findByID(sc.later, id); st != nil {
		return fmt.Sprintf("step %s is a %s step that runs after this %s, so its outputs do not exist yet here; %s", id, st.Section, sc.where, dropped), nil
	}
	if st := findByID(sc.pull, id); st != nil {
		return fmt.Sprintf("step %s is a pull step: pull steps run on the worker when a flow run starts, after the deployment is created, so their outputs cannot be used when deploying; %s", id, dropped), nil
	}
	var ids []string
	for _, list := range [][]*prefectyaml.Step{sc.avail, sc.later} {
		for _, st := range list {
			if sid, ok := stepID(st); ok && !contains(ids, sid) {
				ids = append(ids, sid)
			}
		}
	}
	msg = fmt.Sprintf("{{ %s }} refers to step id %q, which no earlier build or push step defines", name, id)
	if sc.where == "pull step" {
		msg = fmt.Sprintf("{{ %s }} refers to step id %q, which no build, push or earlier pull step defines", name, id)
	}
	sugg = closest(id, ids)
	if len(sugg) > 0 {
		msg += fmt.Sprintf(" (did you mean %s?)", quoteList(sugg))
	} else if len(ids) > 0 {
		msg += fmt.Sprintf(" (defined ids: %s)", strings.Join(ids, ", "))
	} else if len(sc.avail)+len(sc.later) == 0 {
		msg += " (no build or push steps run for it)"
	} else {
		msg += " (no step has an id: add id: " + id + " to the step you mean)"
	}
	return msg + "; " + dropped, sugg
}

var UnknownStepOutput = &analysis.Rule{
	ID:       "unknown-step-output",
	Summary:  "a {{ step-id.key }} placeholder that no earlier step provides; Prefect drops the value silently",
	Severity: analysis.Warning,
	Category: analysis.CategoryTemplates,
	Scope:    analysis.ScopeDeployment,
	Doc: placeholderDoc(
		"Checks step-output placeholders (`{{ step-id.key }}` and bare `{{ key }}`) against the steps that run before the place they are used: in a build step the earlier build steps; in a push step the build steps and earlier push steps; in a pull step the build and push steps (resolved when deploying) and earlier pull steps (resolved on the worker); in the deployment's fields the build and push steps. Deployment-level sections replace top-level ones. Output keys are checked for the catalogued steps; custom steps may return anything. `{{ ctx.* }}`, blocks, variables, `$ENV` and the automation templates under `triggers` are not step outputs.",
		"A whole-value placeholder that cannot be resolved makes Prefect drop the key without an error: `image: \"{{ build-image.image }}\"` with a step whose id is `build_image` produces a deployment without an image (PrefectHQ/prefect#17204; prefect.md §3, §8 #1). Pull steps' outputs only exist on the worker, after the deployment is created.",
		"build:\n  - prefect_docker.deployments.steps.build_docker_image:\n      id: build_image\n      image_name: org/etl\ndeployments:\n  - name: etl\n    work_pool:\n      job_variables:\n        image: \"{{ build-image.image }}\"\n",
		"        image: \"{{ build_image.image }}\"\n",
		silenceLine("unknown-step-output")),
	Run: func(p *analysis.Pass) {
		f := p.File
		reported := map[[2]int]bool{}
		check := func(n, via *yamlsyntax.Node, sc *outputScope) {
			if !strings.Contains(n.Text, "{{") {
				return
			}
			var tm *textMap
			for _, ph := range templating.Find(n.Text) {
				if ph.Kind != templating.StepOutput {
					continue
				}
				msg, sugg := checkReference(ph, sc)
				if msg == "" {
					continue
				}
				if tm == nil {
					m := newTextMap(p.Src, n)
					tm = &m
				}
				sp := tm.span(ph.Span)
				key := [2]int{sp.Start, ph.Span.Start}
				if reported[key] {
					continue
				}
				reported[key] = true
				if sc.deployment != "" && (via != nil || n.Span.Start < sc.depSpan.Start || n.Span.End > sc.depSpan.End) {
					msg += fmt.Sprintf(" (in deployment %q)", sc.deployment)
				}
				d := p.Report(sp, msg)
				p.AddVia(d, via)
				if ph.StepID != "" && via == nil {
					idSpan := source.Span{Start: ph.NameSpan.Start, End: ph.NameSpan.Start + len(ph.StepID)}
					if tm.exact(idSpan) {
						for i, s := range sugg {
							d.Fixes = append(d.Fixes, analysis.Fix{Title: "Change to " + s, Edits: []source.Edit{{Span: tm.span(idSpan), NewText: s}}, IsPreferred: i == 0 && len(sugg) == 1})
						}
					}
				}
			}
		}
		checkSteps := func(list []*prefectyaml.Step, i int, sc *outputScope) {
			st := list[i]
			if st.Args == nil {
				return
			}
			via := st.Via
			for _, a := range stepArgs(st) {
				if steps.IsReserved(a.KeyText()) {
					continue
				}
				v := via
				if v == nil {
					v = a.Via
				}
				visitResolved(a.Value, v, func(n, via *yamlsyntax.Node) { check(n, via, sc) })
			}
		}
		stepsOf := func(a *prefectyaml.Action) []*prefectyaml.Step {
			if a == nil {
				return nil
			}
			return a.Steps
		}
		// Deployments that inherit the same steps would only repeat the
		// same findings on the same spans (reported keeps the first), so
		// each set of steps is checked once.
		type stepSet struct {
			b, pu, pl    *prefectyaml.Step
			nb, npu, npl int
		}
		first := func(l []*prefectyaml.Step) *prefectyaml.Step {
			if len(l) == 0 {
				return nil
			}
			return l[0]
		}
		checked := map[stepSet]bool{}
		scopeRun := func(build, push, pull *prefectyaml.Action, dep *prefectyaml.Deployment) {
			b, pu, pl := stepsOf(build), stepsOf(push), stepsOf(pull)
			name, depSpan := "", source.Span{}
			if dep != nil && len(f.Deployments) > 1 {
				name, depSpan = dep.DisplayName(), dep.Node.Resolve().Span
			}
			set := stepSet{first(b), first(pu), first(pl), len(b), len(pu), len(pl)}
			if !checked[set] {
				checked[set] = true
				for i := range b {
					checkSteps(b, i, &outputScope{where: "build step", self: b[i], avail: b[:i], later: concat(b[i+1:], pu), pull: pl, deployment: name, depSpan: depSpan})
				}
				for i := range pu {
					checkSteps(pu, i, &outputScope{where: "push step", self: pu[i], avail: concat(b, pu[:i]), later: pu[i+1:], pull: pl, deployment: name, depSpan: depSpan})
				}
				for i := range pl {
					checkSteps(pl, i, &outputScope{where: "pull step", self: pl[i], avail: concat(b, pu, pl[:i]), later: pl[i+1:], deployment: name, depSpan: depSpan})
				}
			}
			if dep == nil {
				return
			}
			sc := &outputScope{where: "deployment", avail: concat(b, pu), pull: pl, deployment: name, depSpan: depSpan}
			for _, pr := range dep.Node.Pairs() {
				switch pr.KeyText() {
				case "build", "push", "pull", "triggers", "parameter_openapi_schema":
					continue
				}
				visitResolved(pr.Value, firstNonNil(dep.Via, pr.Via), func(n, via *yamlsyntax.Node) { check(n, via, sc) })
			}
		}
		if len(f.Deployments) == 0 {
			scopeRun(f.Build, f.Push, f.Pull, nil)
		}
		for _, d := range f.Deployments {
			scopeRun(d.Steps("build"), d.Steps("push"), d.Steps("pull"), d)
		}
	},
}

func concat(lists ...[]*prefectyaml.Step) []*prefectyaml.Step {
	var out []*prefectyaml.Step
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func firstNonNil(a, b *yamlsyntax.Node) *yamlsyntax.Node {
	if a != nil {
		return a
	}
	return b
}
