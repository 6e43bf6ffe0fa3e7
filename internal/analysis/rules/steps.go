package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/steps"
	"github.com/prefect-lsp/prefect-lsp/internal/templating"
	"github.com/prefect-lsp/prefect-lsp/internal/textdist"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// Step rules: the build, push and pull sections' step mappings checked
// against the step catalogue (internal/steps; prefect.md §2).

// stepDoc assembles a rule page from its sections.
func stepDoc(what, why, bad, good, silence string) string {
	var b strings.Builder
	b.WriteString("## What it does\n" + what + "\n\n## Why\n" + why + "\n\n## Example\n```yaml\n" + bad + "```\n")
	if good != "" {
		b.WriteString("\nInstead:\n\n```yaml\n" + good + "```\n")
	}
	b.WriteString("\n## How to silence\n" + silence)
	return b.String()
}

func silenceLine(id string) string {
	return "`# prefect-lsp: ignore[" + id + "]` on the reported line (or the line above)."
}

// allSteps returns every step written in the file once: top-level sections
// first, then each deployment's own sections. A step reached again through
// an alias is visited once. Computed once per run; callers only read it.
func allSteps(p *analysis.Pass) []*prefectyaml.Step {
	return p.Memo("all-steps", func() any { return collectSteps(p) }).([]*prefectyaml.Step)
}

func collectSteps(p *analysis.Pass) []*prefectyaml.Step {
	seen := map[*yamlsyntax.Node]bool{}
	var out []*prefectyaml.Step
	add := func(a *prefectyaml.Action) {
		if a == nil {
			return
		}
		for _, st := range a.Steps {
			n := st.Node.Resolve()
			if seen[n] {
				continue
			}
			seen[n] = true
			out = append(out, st)
		}
	}
	f := p.File
	add(f.Build)
	add(f.Push)
	add(f.Pull)
	for _, d := range f.Deployments {
		add(d.Build)
		add(d.Push)
		add(d.Pull)
	}
	return out
}

// stepArgs returns the step's keyword arguments (after merges), nil when the
// value under the function key is not a mapping.
func stepArgs(st *prefectyaml.Step) []yamlsyntax.Pair {
	if st.Args == nil {
		return nil
	}
	return st.Args.Pairs()
}

func argsIsMapping(st *prefectyaml.Step) bool {
	r := st.Args.Resolve()
	return r != nil && r.Kind == yamlsyntax.MappingNode
}

// reportStep reports on a step's function key.
func reportStep(p *analysis.Pass, st *prefectyaml.Step, format string, args ...any) *analysis.Diagnostic {
	return p.ReportNode(st.FunctionKey, st.Via, format, args...)
}

// replaceKeyFix renames a key node, keeping its quoting.
func replaceKeyFix(p *analysis.Pass, key *yamlsyntax.Node, name, title string, preferred bool) (analysis.Fix, bool) {
	if key == nil || key.Kind != yamlsyntax.ScalarNode || key.Anchor() != "" || key.TagSpan().Len() > 0 {
		return analysis.Fix{}, false
	}
	text := name
	switch key.Style {
	case yamlsyntax.Plain:
	case yamlsyntax.DoubleQuoted:
		text = doubleQuote(name)
	case yamlsyntax.SingleQuoted:
		text = "'" + strings.ReplaceAll(name, "'", "''") + "'"
	default:
		return analysis.Fix{}, false
	}
	return analysis.Fix{Title: title, Edits: []source.Edit{{Span: key.Span, NewText: text}}, IsPreferred: preferred}, true
}

// insertArgFix adds "name: value" as the first argument of a step whose
// arguments are a block mapping written in place.
func insertArgFix(p *analysis.Pass, st *prefectyaml.Step, line, title string) (analysis.Fix, bool) {
	a := st.Args
	if st.Via != nil || a == nil || a.Kind != yamlsyntax.MappingNode || a.Style != yamlsyntax.Block || len(a.Content()) < 2 {
		return analysis.Fix{}, false
	}
	first := a.Content()[0]
	ls := p.Src.LineStart(p.Src.LineOf(first.Span.Start))
	indent := p.Src.Text()[ls:first.Span.Start]
	if strings.TrimLeft(indent, " ") != "" || p.Src.LineOf(first.Span.Start) == p.Src.LineOf(st.FunctionKey.Span.Start) {
		return analysis.Fix{}, false
	}
	return analysis.Fix{Title: title, Edits: []source.Edit{{Span: source.Span{Start: ls, End: ls}, NewText: indent + line + lineBreak(p)}}}, true
}

func lineBreak(p *analysis.Pass) string {
	if strings.Contains(p.Src.Text(), "\r\n") {
		return "\r\n"
	}
	return "\n"
}

// ---------------------------------------------------------------------------

var StepIndentation = &analysis.Rule{
	ID:       "step-indentation",
	Summary:  "a step mapping with more than one key: arguments written at the function key's level",
	Severity: analysis.Error,
	Category: analysis.CategorySteps,
	Scope:    analysis.ScopeDeployment,
	Doc: stepDoc(
		"Reports a step whose mapping has keys next to the function name, almost always arguments indented one level too little.",
		"Prefect takes one key of the step mapping as the function and raises `ValueError(\"Step has unexpected additional keys: …\")` for any other key. It does so only when the step runs: at deploy time for build and push steps, and on the worker at every flow run for pull steps (prefect.md §2.1, §8 #3).",
		"pull:\n  - prefect.deployments.steps.git_clone:\n    repository: https://github.com/org/repo.git\n    branch: main\n",
		"pull:\n  - prefect.deployments.steps.git_clone:\n      repository: https://github.com/org/repo.git\n      branch: main\n",
		"The quick fix re-indents the keys under the function name. "+silenceLine("step-indentation")),
	Run: func(p *analysis.Pass) {
		for _, st := range allSteps(p) {
			if len(st.Extra) == 0 {
				continue
			}
			names := make([]string, len(st.Extra))
			for i, e := range st.Extra {
				names[i] = e.KeyText()
			}
			d := p.ReportNode(st.Extra[0].Key, st.Via, "step %s has %d key(s) next to its function name (%s): Prefect fails with \"Step has unexpected additional keys: %s\" when the step runs; indent them under %s:",
				st.Function, len(names), strings.Join(names, ", "), strings.Join(names, ", "), st.Function)
			d.Related = append(d.Related, analysis.Related{Span: st.FunctionKey.Span, Message: "the step's function key"})
			if fix, ok := reindentFix(p, st); ok {
				d.Fixes = append(d.Fixes, fix)
			}
		}
	},
}

// reindentFix moves a step's extra keys under its function key, moving text
// lines (comments and formatting kept) rather than re-encoding YAML. It is
// offered only for block mappings written in place, and only when the
// result parses to a step without extra keys.
func reindentFix(p *analysis.Pass, st *prefectyaml.Step) (analysis.Fix, bool) {
	m := st.Node
	if st.Via != nil || m.Kind != yamlsyntax.MappingNode || m.Style != yamlsyntax.Block || !strings.Contains(st.Function, ".") {
		return analysis.Fix{}, false
	}
	src, text := p.Src, p.Src.Text()
	type wpair struct{ key, val *yamlsyntax.Node }
	var pairs []wpair
	fn := -1
	for i, content := 0, m.Content(); i+1 < len(content); i += 2 {
		k, v := content[i], content[i+1]
		if k.Kind != yamlsyntax.ScalarNode || (k.Style == yamlsyntax.Plain && k.Text == "<<") {
			return analysis.Fix{}, false
		}
		if k == st.FunctionKey {
			fn = len(pairs)
		}
		pairs = append(pairs, wpair{k, v})
	}
	if fn < 0 || len(pairs) != len(st.Extra)+1 {
		return analysis.Fix{}, false
	}
	col := func(n *yamlsyntax.Node) int { return n.Span.Start - src.LineStart(src.LineOf(n.Span.Start)) }
	keyCol := col(pairs[0].key)
	startLine := make([]int, len(pairs))
	for i, pr := range pairs {
		if col(pr.key) != keyCol || (pr.key.Anchor() != "") {
			return analysis.Fix{}, false
		}
		startLine[i] = src.LineOf(pr.key.Span.Start)
		if i > 0 {
			if strings.TrimLeft(text[src.LineStart(startLine[i]):pr.key.Span.Start], " ") != "" || startLine[i] <= startLine[i-1] {
				return analysis.Fix{}, false
			}
		}
	}
	valueEndLine := func(pr wpair) int {
		end := pr.key.Span.End
		if pr.val != nil && pr.val.Span.End > end {
			end = pr.val.Span.End
			if end > 0 && (text[end-1] == '\n') {
				end--
			}
		}
		return src.LineOf(end)
	}
	endLine := make([]int, len(pairs))
	for i := range pairs {
		if i+1 < len(pairs) {
			endLine[i] = startLine[i+1] - 1
			if valueEndLine(pairs[i]) > endLine[i] {
				return analysis.Fix{}, false
			}
		} else {
			endLine[i] = valueEndLine(pairs[i])
		}
	}
	// Where the arguments go and what to remove after the function key.
	target := keyCol + 2
	firstLine := text[pairs[fn].key.Span.Start:src.LineEnd(startLine[fn])]
	args := st.Args
	switch {
	case args == nil || (args.Kind == yamlsyntax.ScalarNode && args.IsNull()):
		if args != nil && args.Span.Len() > 0 {
			if args.Anchor() != "" || args.TagSpan().Len() > 0 || src.LineOf(args.Span.Start) != startLine[fn] {
				return analysis.Fix{}, false
			}
			firstLine = strings.TrimRight(text[pairs[fn].key.Span.Start:args.Span.Start], " \t") + text[args.Span.End:src.LineEnd(startLine[fn])]
		}
	case args.Kind == yamlsyntax.MappingNode && args.Style == yamlsyntax.Flow && len(args.Content()) == 0:
		if args.Anchor() != "" || args.TagSpan().Len() > 0 || src.LineOf(args.Span.End) != startLine[fn] {
			return analysis.Fix{}, false
		}
		firstLine = strings.TrimRight(text[pairs[fn].key.Span.Start:args.Span.Start], " \t") + text[args.Span.End:src.LineEnd(startLine[fn])]
	case args.Kind == yamlsyntax.MappingNode && args.Style == yamlsyntax.Block && len(args.Content()) > 0:
		target = col(args.Content()[0])
		if target <= keyCol {
			return analysis.Fix{}, false
		}
	default:
		return analysis.Fix{}, false
	}
	delta := strings.Repeat(" ", target-keyCol)
	lines := []string{firstLine}
	for l := startLine[fn] + 1; l <= endLine[fn]; l++ {
		lines = append(lines, src.LineText(l))
	}
	for i, pr := range pairs {
		if i == fn {
			continue
		}
		lines = append(lines, strings.Repeat(" ", target)+text[pr.key.Span.Start:src.LineEnd(startLine[i])])
		for l := startLine[i] + 1; l <= endLine[i]; l++ {
			t := src.LineText(l)
			if strings.TrimSpace(t) == "" {
				lines = append(lines, "")
				continue
			}
			lines = append(lines, delta+t)
		}
	}
	last := endLine[len(pairs)-1]
	if endLine[fn] > last {
		last = endLine[fn]
	}
	edit := source.Edit{Span: source.Span{Start: pairs[0].key.Span.Start, End: src.LineEnd(last)}, NewText: strings.Join(lines, lineBreak(p))}
	// Check the result: it must load as well as before, with fewer extra keys.
	after, err := source.Apply(text, []source.Edit{edit})
	if err != nil {
		return analysis.Fix{}, false
	}
	doc2 := yamlsyntax.Parse(p.Path, after)
	if doc2.Loadable != p.Doc.Loadable || len(doc2.Problems) > len(p.Doc.Problems) || countExtras(prefectyaml.Parse(doc2)) != countExtras(p.File)-len(st.Extra) {
		return analysis.Fix{}, false
	}
	return analysis.Fix{Title: "Indent the arguments under " + st.Function, Edits: []source.Edit{edit}, IsPreferred: true}, true
}

func countExtras(f *prefectyaml.File) int {
	n := 0
	seen := map[*yamlsyntax.Node]bool{}
	count := func(a *prefectyaml.Action) {
		if a == nil {
			return
		}
		for _, st := range a.Steps {
			if r := st.Node.Resolve(); !seen[r] {
				seen[r] = true
				n += len(st.Extra)
			}
		}
	}
	count(f.Build)
	count(f.Push)
	count(f.Pull)
	for _, d := range f.Deployments {
		count(d.Build)
		count(d.Push)
		count(d.Pull)
	}
	return n
}

// ---------------------------------------------------------------------------

// unknownStepSuggestions returns did-you-mean names when fqn is a mistake
// in a known step module (or a near miss of a catalogued name), nil when it
// is a plausible custom step.
func unknownStepSuggestions(fqn string) ([]string, bool) {
	if _, ok := steps.Lookup(fqn); ok {
		return nil, false
	}
	if _, ok := steps.RemovedInfo(fqn); ok {
		return nil, false
	}
	if _, ok := steps.RemovedModule(fqn); ok {
		return nil, false
	}
	sugg := steps.Suggest(fqn)
	if steps.IsKnownModule(fqn) {
		return sugg, true
	}
	if len(sugg) > 0 && textdist.Distance(strings.ToLower(fqn), sugg[0]) <= 3 {
		return sugg[:1], true
	}
	return nil, false
}

var UnknownStep = &analysis.Rule{
	ID:       "unknown-step",
	Summary:  "a step name that does not exist in a known step module",
	Severity: analysis.Error,
	Category: analysis.CategorySteps,
	Scope:    analysis.ScopeDeployment,
	Doc: stepDoc(
		"Reports a step function that is not defined in `prefect.deployments.steps` or in the step modules of prefect-docker, prefect-aws, prefect-gcp and prefect-azure, or that is a near miss of a known step name. Steps from other modules are custom steps and are not reported.",
		"Prefect imports the function when the step runs; a misspelt name fails with an import error (on the worker, at every flow run, for pull steps) (prefect.md §2.1, §2.2).",
		"pull:\n  - prefect.deployments.steps.git_clones:\n      repository: https://github.com/org/repo.git\n",
		"pull:\n  - prefect.deployments.steps.git_clone:\n      repository: https://github.com/org/repo.git\n",
		silenceLine("unknown-step")),
	Run: func(p *analysis.Pass) {
		for _, st := range allSteps(p) {
			if !strings.ContainsAny(st.Function, ".:") {
				reportStep(p, st, "%q is not a step: a step is a mapping whose one key is the function's import path (module.function), such as prefect.deployments.steps.git_clone", st.Function)
				continue
			}
			sugg, bad := unknownStepSuggestions(st.Function)
			if !bad {
				continue
			}
			msg := fmt.Sprintf("unknown step %s: Prefect cannot import it and the step fails when it runs", st.Function)
			if len(sugg) > 0 {
				msg += fmt.Sprintf("; did you mean %s?", quoteList(sugg))
			}
			d := reportStep(p, st, "%s", msg)
			for i, s := range sugg {
				if fix, ok := replaceKeyFix(p, st.FunctionKey, s, "Change to "+s, i == 0 && len(sugg) == 1); ok {
					d.Fixes = append(d.Fixes, fix)
				}
			}
		}
	},
}

var RemovedStep = &analysis.Rule{
	ID:       "removed-step",
	Summary:  "a step name from Prefect 2.10 (projects) or git_clone_project, which no longer exist",
	Severity: analysis.Error,
	Category: analysis.CategorySteps,
	Scope:    analysis.ScopeDeployment,
	Doc: stepDoc(
		"Reports the 2.10-era step names (`prefect.projects.steps.*`, `prefect_docker.projects.steps.*`, …) and `git_clone_project`, and offers the current name.",
		"These modules and aliases were removed (prefect.md §2.1); the import fails when the step runs.",
		"pull:\n  - prefect.projects.steps.git_clone_project:\n      repository: https://github.com/org/repo.git\n",
		"pull:\n  - prefect.deployments.steps.git_clone:\n      repository: https://github.com/org/repo.git\n",
		silenceLine("removed-step")),
	Run: func(p *analysis.Pass) {
		for _, st := range allSteps(p) {
			repl, note := "", ""
			if r, ok := steps.RemovedInfo(st.Function); ok {
				repl, note = r.Replacement, r.Note
			} else if mod, ok := steps.RemovedModule(st.Function); ok {
				short := st.Function[strings.LastIndexAny(st.Function, ".:")+1:]
				if _, known := steps.Lookup(mod + "." + short); known {
					repl = mod + "." + short
				}
				note = fmt.Sprintf("Its module was replaced by %s.", mod)
			} else {
				continue
			}
			msg := fmt.Sprintf("step %s no longer exists: %s", st.Function, lowerFirst(strings.TrimSuffix(note, ".")))
			if repl != "" {
				msg += fmt.Sprintf("; use %s", repl)
			}
			d := reportStep(p, st, "%s", msg)
			d.Tags = append(d.Tags, analysis.TagDeprecated)
			if repl != "" {
				if fix, ok := replaceKeyFix(p, st.FunctionKey, repl, "Change to "+repl, true); ok {
					d.Fixes = append(d.Fixes, fix)
				}
			}
		}
	},
}

// localModule reports whether the top-level module of fqn is a package or
// module in the project root, so no pip package is needed.
func localModule(p *analysis.Pass, fqn string) bool {
	top, _, _ := strings.Cut(fqn, ".")
	if top == "" || p.Root == "" {
		return false
	}
	for _, c := range []string{filepath.Join(p.Root, top), filepath.Join(p.Root, top+".py"), filepath.Join(p.Root, "src", top)} {
		if _, err := os.Stat(c); err == nil {
			return true
		}
	}
	return false
}

var MissingRequires = &analysis.Rule{
	ID:       "missing-requires",
	Summary:  "a step from a package other than prefect without `requires`",
	Severity: analysis.Information,
	Category: analysis.CategorySteps,
	Scope:    analysis.ScopeDeployment,
	Doc: stepDoc(
		"Suggests `requires:` on steps whose function comes from a package other than prefect: the integration steps (prefect-docker, prefect-aws, prefect-gcp, prefect-azure) and custom steps from modules that are not in the project.",
		"When the import fails, Prefect pip-installs the packages named in `requires` and retries; without it the step fails with an import error. Pull steps run on the worker, whose environment often lacks the integration (prefect.md §2.1).",
		"pull:\n  - prefect_aws.deployments.steps.pull_from_s3:\n      bucket: my-bucket\n      folder: etl\n",
		"pull:\n  - prefect_aws.deployments.steps.pull_from_s3:\n      requires: prefect-aws\n      bucket: my-bucket\n      folder: etl\n",
		silenceLine("missing-requires")),
	Run: func(p *analysis.Pass) {
		for _, st := range allSteps(p) {
			if st.Requires.Set() || !strings.Contains(st.Function, ".") {
				continue
			}
			if _, bad := unknownStepSuggestions(st.Function); bad {
				continue
			}
			if _, ok := steps.RemovedInfo(st.Function); ok {
				continue
			}
			pkg := ""
			if s, ok := steps.Lookup(st.Function); ok {
				pkg = s.Requires
				if pkg == "" {
					continue
				}
			} else {
				top, _, _ := strings.Cut(st.Function, ".")
				if top == "prefect" || localModule(p, st.Function) {
					continue
				}
				pkg = strings.ReplaceAll(top, "_", "-")
			}
			var d *analysis.Diagnostic
			if _, ok := steps.Lookup(st.Function); ok {
				d = reportStep(p, st, "step %s comes from %s: add requires: %s so that Prefect installs it when it is missing where the step runs", st.Function, pkg, pkg)
			} else {
				d = reportStep(p, st, "custom step %s: if its package is not installed where the step runs, the import fails; add requires: <pip package> (perhaps %s) so that Prefect installs it", st.Function, pkg)
			}
			if fix, ok := insertArgFix(p, st, "requires: "+pkg, "Add requires: "+pkg+" (check the package name)"); ok {
				d.Fixes = append(d.Fixes, fix)
			}
		}
	},
}

var MissingStepArgument = &analysis.Rule{
	ID:       "missing-step-argument",
	Summary:  "a built-in or integration step without one of its required arguments",
	Severity: analysis.Error,
	Category: analysis.CategorySteps,
	Scope:    analysis.ScopeDeployment,
	Doc: stepDoc(
		"Reports catalogued steps that lack a required argument (for example `repository` of `git_clone`, `credentials` of the Azure steps).",
		"Python raises a TypeError when Prefect calls the step function, at deploy time for build and push steps and on the worker for pull steps (prefect.md §2.1, §2.2).",
		"pull:\n  - prefect.deployments.steps.git_clone:\n      branch: main\n",
		"pull:\n  - prefect.deployments.steps.git_clone:\n      repository: https://github.com/org/repo.git\n      branch: main\n",
		silenceLine("missing-step-argument")),
	Run: func(p *analysis.Pass) {
		for _, st := range allSteps(p) {
			s, ok := steps.Lookup(st.Function)
			if !ok || (st.Args != nil && !st.Args.IsNull() && !argsIsMapping(st)) {
				continue
			}
			var missing []string
			for _, name := range s.RequiredParams() {
				if st.Arg(name).Present() {
					continue
				}
				inExtra := false
				for _, e := range st.Extra {
					inExtra = inExtra || e.KeyText() == name
				}
				if !inExtra { // step-indentation reports those
					missing = append(missing, name)
				}
			}
			if len(missing) == 0 {
				continue
			}
			reportStep(p, st, "step %s is missing required argument(s) %s: Python raises a TypeError when the step runs", s.Short, strings.Join(missing, ", "))
		}
	},
}

var UnknownStepArgument = &analysis.Rule{
	ID:       "unknown-step-argument",
	Summary:  "an argument that the step function does not accept",
	Severity: analysis.Error,
	Category: analysis.CategorySteps,
	Scope:    analysis.ScopeDeployment,
	Doc: stepDoc(
		"Reports arguments of catalogued steps that are not parameters of the step function (steps that accept `**kwargs`, such as `build_docker_image` and `pull_from_remote_storage`, are not checked).",
		"Every key other than `id` and `requires` is passed as a keyword argument; an unknown one makes Python raise a TypeError when the step runs (prefect.md §2.1). A common case is writing another step's name as an argument (prefect.md §8 #2).",
		"pull:\n  - prefect.deployments.steps.git_clone:\n      repository: https://github.com/org/repo.git\n      brnach: main\n",
		"pull:\n  - prefect.deployments.steps.git_clone:\n      repository: https://github.com/org/repo.git\n      branch: main\n",
		silenceLine("unknown-step-argument")),
	Run: func(p *analysis.Pass) {
		for _, st := range allSteps(p) {
			s, ok := steps.Lookup(st.Function)
			if !ok || s.AcceptsExtraKwargs {
				continue
			}
			for _, a := range stepArgs(st) {
				name := a.KeyText()
				if steps.IsReserved(name) {
					continue
				}
				if _, ok := s.Param(name); ok {
					continue
				}
				if other, isStep := stepByShort(name); isStep {
					p.ReportNode(a.Key, a.Via, "%s is a step, not an argument of %s: Python raises a TypeError when the step runs; write it as its own step (- %s: ...) after this one", name, s.Short, other)
				} else if sugg := steps.SuggestParam(s, name); len(sugg) > 0 {
					d := p.ReportNode(a.Key, a.Via, "%s does not accept %s: Python raises a TypeError when the step runs; did you mean %s?", s.Short, name, quoteList(sugg))
					for i, c := range sugg {
						if fix, ok := replaceKeyFix(p, a.Key, c, "Rename to "+c, i == 0 && len(sugg) == 1); ok && a.Via == nil {
							d.Fixes = append(d.Fixes, fix)
						}
					}
				} else {
					names := make([]string, len(s.Params))
					for i, prm := range s.Params {
						names[i] = prm.Name
					}
					p.ReportNode(a.Key, a.Via, "%s does not accept %s: Python raises a TypeError when the step runs; its arguments are %s", s.Short, name, strings.Join(names, ", "))
				}
			}
		}
	},
}

func stepByShort(name string) (string, bool) {
	for _, s := range steps.All() {
		if s.Short == name {
			return s.Name, true
		}
	}
	return "", false
}

var StepArgumentType = &analysis.Rule{
	ID:       "step-argument-type",
	Summary:  "a step argument of the wrong type or value",
	Severity: analysis.Warning,
	Category: analysis.CategorySteps,
	Scope:    analysis.ScopeDeployment,
	Doc: stepDoc(
		"Checks the values of catalogued steps' arguments (and of `id` and `requires`) against the step's signature: strings, booleans, lists, mappings, block references, allowed values. A value that is one whole `{{ placeholder }}` is not checked, since it can resolve to any type.",
		"Prefect passes values as YAML decoded them: `include_submodules: \"false\"` is a non-empty string, which Python treats as true; a string where a list is expected is iterated character by character; `build_backend` outside docker-py/buildx fails (prefect.md §2.2).",
		"build:\n  - prefect_docker.deployments.steps.build_docker_image:\n      image_name: org/etl\n      additional_tags: latest\n",
		"build:\n  - prefect_docker.deployments.steps.build_docker_image:\n      image_name: org/etl\n      additional_tags: [latest]\n",
		silenceLine("step-argument-type")),
	Run: func(p *analysis.Pass) {
		for _, st := range allSteps(p) {
			s, known := steps.Lookup(st.Function)
			for _, a := range stepArgs(st) {
				name := a.KeyText()
				if !steps.IsReserved(name) {
					if !known {
						continue
					}
					if _, ok := s.Param(name); !ok {
						continue
					}
				}
				v, err := yamlsyntax.Value(a.Value)
				if err != nil {
					continue
				}
				var step *steps.Step
				if known {
					step = s
				}
				if ok, why := steps.CheckArg(step, name, v); !ok {
					p.ReportNode(a.Value, a.Via, "%s", lowerFirst(why))
				}
			}
		}
	},
}

func lowerFirst(s string) string {
	if s == "" || strings.HasPrefix(s, "Invalid") {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

var DuplicateStepID = &analysis.Rule{
	ID:       "duplicate-step-id",
	Summary:  "two steps that run together share an id; the later one's outputs replace the earlier one's",
	Severity: analysis.Warning,
	Category: analysis.CategorySteps,
	Scope:    analysis.ScopeDeployment,
	Doc: stepDoc(
		"Reports a step `id` already used by an earlier step of the same run: build and push steps run together when deploying; pull steps run together on the worker.",
		"Prefect stores each step's outputs under its id; a second step with the same id overwrites the first, so `{{ id.key }}` silently refers to the later step (prefect.md §2.1).",
		"build:\n  - prefect_docker.deployments.steps.build_docker_image:\n      id: image\n      image_name: org/etl\n  - prefect_docker.deployments.steps.build_docker_image:\n      id: image\n      image_name: org/other\n",
		"",
		"Give each step its own id. "+silenceLine("duplicate-step-id")),
	Run: func(p *analysis.Pass) {
		reported := map[*yamlsyntax.Node]bool{}
		check := func(actions ...*prefectyaml.Action) {
			first := map[string]*prefectyaml.Step{}
			seen := map[*yamlsyntax.Node]bool{}
			for _, a := range actions {
				if a == nil {
					continue
				}
				for _, st := range a.Steps {
					if seen[st.Node.Resolve()] || !st.ID.Set() {
						continue
					}
					seen[st.Node.Resolve()] = true
					id := st.ID.Text()
					prev, dup := first[id]
					if !dup {
						first[id] = st
						continue
					}
					if reported[st.ID.Value] {
						continue
					}
					reported[st.ID.Value] = true
					d := p.ReportNode(st.ID.Value, st.ID.Via, "step id %q is already used by the %s step on line %d; this step's outputs replace that step's, so {{ %s.<key> }} refers to this one", id, prev.Section, p.Src.LineOf(prev.ID.Value.Span.Start)+1, id)
					d.Related = append(d.Related, analysis.Related{Span: prev.ID.Value.Span, Message: "first step with id " + id})
				}
			}
		}
		f := p.File
		if len(f.Deployments) == 0 {
			check(f.Build, f.Push)
			check(f.Pull)
		}
		for _, d := range f.Deployments {
			check(d.Steps("build"), d.Steps("push"))
			check(d.Steps("pull"))
		}
	},
}

// dictBlockTypes are block types whose documents hold several fields (not
// just `value`), so a reference without a key path resolves to a mapping.
var dictBlockTypes = map[string]bool{
	"github-credentials": true, "gitlab-credentials": true, "bitbucket-credentials": true,
	"aws-credentials": true, "minio-credentials": true, "gcp-credentials": true,
	"azure-blob-storage-credentials": true, "docker-registry-credentials": true,
	"s3-bucket": true, "gcs-bucket": true,
}

var GitCloneCredentials = &analysis.Rule{
	ID:       "git-clone-credentials",
	Summary:  "git_clone with both access_token and credentials, or a credentials block given as access_token",
	Severity: analysis.Error,
	Category: analysis.CategorySteps,
	Scope:    analysis.ScopeDeployment,
	Doc: stepDoc(
		"Reports `git_clone` steps that set both `access_token` and `credentials`, and `access_token` values that reference a credentials block (which resolves to a mapping, not a token).",
		"git_clone raises \"Please provide either an access token or credentials but not both.\" (prefect.md §2.2). A `github-credentials` block belongs in `credentials`; `access_token` takes a token string such as a Secret block's value (prefect.md §8 #13).",
		"pull:\n  - prefect.deployments.steps.git_clone:\n      repository: https://github.com/org/repo.git\n      access_token: \"{{ prefect.blocks.github-credentials.repo }}\"\n",
		"pull:\n  - prefect.deployments.steps.git_clone:\n      repository: https://github.com/org/repo.git\n      credentials: \"{{ prefect.blocks.github-credentials.repo }}\"\n",
		silenceLine("git-clone-credentials")),
	Run: func(p *analysis.Pass) {
		for _, st := range allSteps(p) {
			s, ok := steps.Lookup(st.Function)
			if !ok || s.Short != "git_clone" || !argsIsMapping(st) {
				continue
			}
			tok, cred := st.Arg("access_token"), st.Arg("credentials")
			if tok.Set() && cred.Set() {
				d := p.ReportNode(tok.Key, tok.Via, "git_clone gets both access_token and credentials: it fails with \"Please provide either an access token or credentials but not both.\"; keep one")
				d.Related = append(d.Related, analysis.Related{Span: cred.Key.Span, Message: "credentials given here"})
				continue
			}
			if v, ok := tok.Str(); ok {
				if ph := templating.Find(v); len(ph) == 1 && ph[0].Whole && ph[0].Kind == templating.Block && ph[0].BlockPath == "" && dictBlockTypes[ph[0].BlockType] {
					d := p.ReportNode(tok.Key, tok.Via, "access_token gets the %s block %q, which resolves to a mapping, not a token; pass the block as credentials:", ph[0].BlockType, ph[0].BlockName)
					if !cred.Present() && tok.Via == nil {
						if fix, ok := replaceKeyFix(p, tok.Key, "credentials", "Pass the block as credentials", true); ok {
							d.Fixes = append(d.Fixes, fix)
						}
					}
				}
			}
		}
	},
}

// shellOperators finds shell syntax outside quotes that run_shell_script
// passes literally when it runs a line without a shell, and $VARS it leaves
// unexpanded. Offsets are into script.
func shellSyntax(script string) (ops []source.Span, vars []source.Span) {
	// Placeholders are replaced before the step runs: skip them.
	skip := templating.Find(script)
	inSkip := func(i int) int {
		for _, ph := range skip {
			if ph.Span.Start <= i && i < ph.Span.End {
				return ph.Span.End
			}
		}
		return -1
	}
	var quote byte
	for i := 0; i < len(script); i++ {
		c := script[i]
		if c == '\n' {
			quote = 0
			continue
		}
		if quote == 0 {
			if e := inSkip(i); e >= 0 {
				i = e - 1
				continue
			}
		}
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			}
			continue
		case c == '\\' && quote != '\'':
			i++
			continue
		case quote == '"':
			if c == '"' {
				quote = 0
			} else if c == '$' && i+1 < len(script) && isVarStart(script[i+1]) {
				vars = append(vars, varSpan(script, i))
			}
			continue
		}
		switch c {
		case '\'', '"':
			quote = c
		case '#':
			// shlex comments: rest of line ignored
			for i+1 < len(script) && script[i+1] != '\n' {
				i++
			}
		case '|', '>', '<', ';', '`':
			end := i + 1
			for end < len(script) && end < i+2 && script[end] == c {
				end++
			}
			ops = append(ops, source.Span{Start: i, End: end})
			i = end - 1
		case '&':
			if i+1 < len(script) && script[i+1] == '&' {
				ops = append(ops, source.Span{Start: i, End: i + 2})
				i++
			}
		case '$':
			if i+1 < len(script) && script[i+1] == '(' {
				ops = append(ops, source.Span{Start: i, End: i + 2})
			} else if i+1 < len(script) && isVarStart(script[i+1]) {
				vars = append(vars, varSpan(script, i))
			}
		}
	}
	return ops, vars
}

func isVarStart(c byte) bool {
	return c == '{' || c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func varSpan(s string, i int) source.Span {
	j := i + 1
	if j < len(s) && s[j] == '{' {
		if k := strings.IndexByte(s[j:], '}'); k >= 0 {
			return source.Span{Start: i, End: j + k + 1}
		}
		return source.Span{Start: i, End: j + 1}
	}
	for j < len(s) && (s[j] == '_' || ('a' <= s[j] && s[j] <= 'z') || ('A' <= s[j] && s[j] <= 'Z') || ('0' <= s[j] && s[j] <= '9')) {
		j++
	}
	return source.Span{Start: i, End: j}
}

var ShellOperators = &analysis.Rule{
	ID:       "shell-operators",
	Summary:  "run_shell_script with pipes, redirects, && or $VARS that it runs without a shell",
	Severity: analysis.Warning,
	Category: analysis.CategorySteps,
	Scope:    analysis.ScopeDeployment,
	Doc: stepDoc(
		"Reports `run_shell_script` scripts that use shell syntax (`|`, `>`, `<`, `&&`, `;`, backticks, `$(…)`) without `shell: true`, or environment variables (`$HOME`, `${TAG}`) without `expand_env_vars: true` or `shell: true`.",
		"run_shell_script splits each line with shlex and runs it without a shell, so operators become literal arguments; `$VARS` are passed literally unless `expand_env_vars: true` (PrefectHQ/prefect#11287; prefect.md §2.2, §8 #12). `shell: true` needs Prefect 3.6.23 or later.",
		"build:\n  - prefect.deployments.steps.run_shell_script:\n      script: pip freeze > requirements.txt\n",
		"build:\n  - prefect.deployments.steps.run_shell_script:\n      shell: true\n      script: pip freeze > requirements.txt\n",
		silenceLine("shell-operators")),
	Run: func(p *analysis.Pass) {
		for _, st := range allSteps(p) {
			s, ok := steps.Lookup(st.Function)
			if !ok || s.Short != "run_shell_script" || !argsIsMapping(st) {
				continue
			}
			script := st.Arg("script")
			text, isStr := script.Str()
			if !isStr {
				continue
			}
			shell, _ := st.Arg("shell").Bool()
			expand, _ := st.Arg("expand_env_vars").Bool()
			if shell {
				continue
			}
			ops, vars := shellSyntax(text)
			tm := newTextMap(p.Src, script.Value.Resolve())
			if len(ops) > 0 {
				names := uniqueSlices(text, ops)
				d := p.Report(tm.span(ops[0]), fmt.Sprintf("run_shell_script runs each line without a shell, so %s is passed to the command as a literal argument; set shell: true (Prefect 3.6.23+) or split the script into separate steps", strings.Join(names, ", ")))
				p.AddVia(d, script.Via)
				if fix, ok := insertArgFix(p, st, "shell: true", "Add shell: true (Prefect 3.6.23+)"); ok {
					d.Fixes = append(d.Fixes, fix)
				}
			}
			if len(vars) > 0 && !expand {
				names := uniqueSlices(text, vars)
				d := p.Report(tm.span(vars[0]), fmt.Sprintf("run_shell_script does not expand environment variables by default, so %s is passed literally; set expand_env_vars: true", strings.Join(names, ", ")))
				p.AddVia(d, script.Via)
				if fix, ok := insertArgFix(p, st, "expand_env_vars: true", "Add expand_env_vars: true"); ok {
					d.Fixes = append(d.Fixes, fix)
				}
			}
		}
	},
}

func uniqueSlices(s string, spans []source.Span) []string {
	var out []string
	seen := map[string]bool{}
	for _, sp := range spans {
		t := s[sp.Start:sp.End]
		if !seen[t] {
			seen[t] = true
			out = append(out, "`"+t+"`")
		}
	}
	if len(out) > 4 {
		out = append(out[:4], "…")
	}
	return out
}

var DockerfileAutoExists = &analysis.Rule{
	ID:       "dockerfile-auto-exists",
	Summary:  "build_docker_image with dockerfile: auto while the project already has a Dockerfile",
	Severity: analysis.Error,
	Category: analysis.CategorySteps,
	Scope:    analysis.ScopeDeployment,
	Doc: stepDoc(
		"Reports `dockerfile: auto` in a `build_docker_image` step when a file named `Dockerfile` exists in the project root.",
		"With `auto`, the step writes its own Dockerfile and refuses to overwrite an existing one: it fails with \"Dockerfile already exists.\" (prefect.md §2.2, §8 #14).",
		"build:\n  - prefect_docker.deployments.steps.build_docker_image:\n      image_name: org/etl\n      dockerfile: auto\n",
		"build:\n  - prefect_docker.deployments.steps.build_docker_image:\n      image_name: org/etl\n      dockerfile: Dockerfile\n",
		silenceLine("dockerfile-auto-exists")),
	Run: func(p *analysis.Pass) {
		if p.Root == "" {
			return
		}
		path := filepath.Join(p.Root, "Dockerfile")
		exists := false
		if _, err := p.Env.Read(path); err == nil {
			exists = true
		}
		if !exists {
			return
		}
		for _, st := range allSteps(p) {
			s, ok := steps.Lookup(st.Function)
			if !ok || s.Short != "build_docker_image" || !argsIsMapping(st) {
				continue
			}
			df := st.Arg("dockerfile")
			if v, ok := df.Str(); !ok || v != "auto" {
				continue
			}
			d := p.ReportNode(df.Value, df.Via, "dockerfile: auto generates a Dockerfile, but %s already exists: the step fails with \"Dockerfile already exists.\"; use dockerfile: Dockerfile", path)
			if df.Via == nil && df.Value.Kind == yamlsyntax.ScalarNode {
				d.Fixes = append(d.Fixes, analysis.Fix{Title: "Use the existing Dockerfile", Edits: []source.Edit{{Span: df.Value.Span, NewText: "Dockerfile"}}, IsPreferred: true})
			}
		}
	},
}

var SingleStepMapping = &analysis.Rule{
	ID:       "single-step-mapping",
	Summary:  "a build, push or pull section written as one step mapping instead of a list",
	Severity: analysis.Hint,
	Category: analysis.CategorySteps,
	Scope:    analysis.ScopeDeployment,
	Doc: stepDoc(
		"Points out build, push and pull sections written as a single step mapping rather than a list of steps.",
		"Prefect accepts the single-mapping form only since 3.7.7; older versions (and other tools reading prefect.yaml) expect a list (prefect.md §1.1).",
		"pull:\n  prefect.deployments.steps.set_working_directory:\n    directory: /opt/prefect/etl\n",
		"pull:\n  - prefect.deployments.steps.set_working_directory:\n      directory: /opt/prefect/etl\n",
		silenceLine("single-step-mapping")),
	Run: func(p *analysis.Pass) {
		seen := map[*yamlsyntax.Node]bool{}
		check := func(a *prefectyaml.Action) {
			if a == nil || !a.SingleMapping || len(a.Steps) == 0 || !strings.Contains(a.Steps[0].Function, ".") || seen[a.Field.Value.Resolve()] {
				return
			}
			seen[a.Field.Value.Resolve()] = true
			p.ReportNode(a.Field.Key, a.Field.Via, "%s is a single step mapping, which Prefect accepts only from 3.7.7; write it as a list (- %s: ...) to work with older versions", a.Section, a.Steps[0].Function)
		}
		check(p.File.Build)
		check(p.File.Push)
		check(p.File.Pull)
		for _, d := range p.File.Deployments {
			check(d.Build)
			check(d.Push)
			check(d.Pull)
		}
	},
}
