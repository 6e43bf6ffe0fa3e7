package rules

// What the types around a YAML 1.1 surprise say of it: a plain scalar that
// PyYAML reads as another type than YAML 1.2 tools show (yes, 1_000, 0755,
// 1:30), written in a deployment's parameters (typed by the flow's
// annotations, read by pyflow) or job variables (typed by the pool type's
// schema in internal/workpools). yaml11-scalar warns only where the reading
// is in doubt, and where the type wants the text it speaks for the typed
// rules (parameter-type, job-variable-type), which then keep quiet on it.

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/pyflow"
	"github.com/prefect-lsp/prefect-lsp/internal/workpools"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// readingVerdict is what a type says of the two readings of a surprise:
// PyYAML's value and the text as written. The order ranks how strongly
// yaml11-scalar should speak, for a node used in several places.
type readingVerdict int

const (
	// readingMeant: the type takes PyYAML's value and would not keep the
	// text as text (a bool parameter given yes): the value means what the
	// user meant.
	readingMeant readingVerdict = iota
	// readingNeither: the type takes neither reading (1:30 for a bool); the
	// typed rule reports the value.
	readingNeither
	// readingOpen: nothing is known (no flow, no annotation, Any, a custom
	// class, an unknown pool type or variable): warn as for an untyped value.
	readingOpen
	// readingBoth: the type takes both readings (str | bool): which one was
	// meant is in doubt.
	readingBoth
	// readingWantsText: the type takes only the text (a str parameter given
	// no): yaml11-scalar reports it, the typed rule does not.
	readingWantsText
)

// readingJudgement is one place's verdict on a surprise.
type readingJudgement struct {
	verdict readingVerdict
	// what names the typed place for messages: "parameter country of flow
	// etl is annotated str", "env value env.DEBUG of kubernetes work pool
	// "k8s" (...) must be a string".
	what string
}

// surpriseLeaf is a plain scalar with a YAML 1.1 surprise inside a value,
// with its path from that value.
type surpriseLeaf struct {
	node *yamlsyntax.Node
	path []pyflow.PathStep
}

// isSurprise reports whether n is a plain scalar that PyYAML reads
// differently than YAML 1.2 tools.
func isSurprise(n *yamlsyntax.Node) bool {
	return n != nil && n.Kind == yamlsyntax.ScalarNode && n.Style == yamlsyntax.Plain && yaml11Surprise(n) != ""
}

// surpriseLeaves lists the surprises in v (aliases followed, merges
// applied, as PyYAML builds the value).
func surpriseLeaves(v *yamlsyntax.Node) []surpriseLeaf {
	var out []surpriseLeaf
	budget := 10000
	var path []pyflow.PathStep
	var walk func(n *yamlsyntax.Node)
	walk = func(n *yamlsyntax.Node) {
		n = n.Resolve()
		budget--
		if n == nil || budget < 0 || len(path) > 100 {
			return
		}
		switch n.Kind {
		case yamlsyntax.ScalarNode:
			if isSurprise(n) {
				out = append(out, surpriseLeaf{node: n, path: append([]pyflow.PathStep(nil), path...)})
			}
		case yamlsyntax.SequenceNode:
			for i, c := range n.Content() {
				path = append(path, pyflow.PathStep{Index: i, IsIndex: true})
				walk(c)
				path = path[:len(path)-1]
			}
		case yamlsyntax.MappingNode:
			for _, pr := range n.Pairs() {
				path = append(path, pyflow.PathStep{Key: pr.KeyText()})
				walk(pr.Value)
				path = path[:len(path)-1]
			}
		}
	}
	walk(v)
	return out
}

// replaceAt returns a copy of v (decoded by yamlsyntax.Value) with the
// part at path set to leaf; v is not modified. A path that does not fit v
// leaves it as it is.
func replaceAt(v any, path []pyflow.PathStep, leaf any) any {
	if len(path) == 0 {
		return leaf
	}
	step := path[0]
	switch c := v.(type) {
	case []any:
		if !step.IsIndex || step.Index < 0 || step.Index >= len(c) {
			return v
		}
		out := append([]any(nil), c...)
		out[step.Index] = replaceAt(c[step.Index], path[1:], leaf)
		return out
	case map[string]any:
		old, ok := c[step.Key]
		if step.IsIndex || !ok {
			return v
		}
		out := make(map[string]any, len(c))
		for k, x := range c {
			out[k] = x
		}
		out[step.Key] = replaceAt(old, path[1:], leaf)
		return out
	}
	return v
}

// withTextAt replaces each leaf's value by its text in v.
func withTextAt(v any, leaves []surpriseLeaf) any {
	for _, l := range leaves {
		v = replaceAt(v, l.path, l.node.Text)
	}
	return v
}

// ruleActive reports whether the configuration runs rule id on this file.
func ruleActive(p *analysis.Pass, id string) bool {
	if p.Config == nil {
		return true
	}
	if s, ok := p.Config.Rules[id]; ok {
		if sev, ok := analysis.ParseSeverity(s); ok && sev == analysis.Off {
			return false
		}
	}
	for _, ig := range p.Config.IgnoredRules(p.Path) {
		if ig == id || ig == "*" {
			return false
		}
	}
	return true
}

// verdictOf turns the two readings' verdicts into a readingVerdict.
func verdictOf(value, text bool, open bool) readingVerdict {
	switch {
	case open:
		return readingOpen
	case value && text:
		return readingBoth
	case value:
		return readingMeant
	case text:
		return readingWantsText
	}
	return readingNeither
}

// paramFor returns the flow's named parameter called name (nil for none,
// and for *args / **kwargs).
func paramFor(f *pyflow.Function, name string) *pyflow.Param {
	params := f.NamedParams()
	var prm *pyflow.Param
	for i := range params {
		if params[i].Name == name && params[i].Kind != pyflow.VarPositional && params[i].Kind != pyflow.VarKeyword {
			prm = &params[i]
		}
	}
	return prm
}

// parameterLeafVerdicts judges the surprises in one parameter's value
// against the parameter's annotation; nil when the annotation cannot judge
// them (none, or the value holds placeholders, which parameter-type leaves
// alone).
func parameterLeafVerdicts(prm *pyflow.Param, value *yamlsyntax.Node) ([]surpriseLeaf, []readingVerdict) {
	if prm == nil || strings.TrimSpace(prm.Annotation) == "" || hasPlaceholder(value) {
		return nil, nil
	}
	leaves := surpriseLeaves(value)
	verdicts := make([]readingVerdict, len(leaves))
	for i, l := range leaves {
		v, err := yamlsyntax.Value(l.node)
		if err != nil {
			verdicts[i] = readingOpen
			continue
		}
		fit := pyflow.FitScalar(prm.Annotation, l.path, v, l.node.Text)
		verdicts[i] = verdictOf(fit.Value == pyflow.Accepted, fit.Text == pyflow.Accepted, fit.Value == pyflow.Open || fit.Text == pyflow.Open)
	}
	return leaves, verdicts
}

// textLeaves keeps the leaves whose verdict is readingWantsText.
func textLeaves(leaves []surpriseLeaf, verdicts []readingVerdict) []surpriseLeaf {
	var out []surpriseLeaf
	for i, l := range leaves {
		if verdicts[i] == readingWantsText {
			out = append(out, l)
		}
	}
	return out
}

// jobVariableLeafVerdicts judges the surprises in a deployment's
// job_variables against the pool type's schema: each reading is validated
// in place, and a reading is taken when it adds no problem at the scalar
// or above it. Nil when the pool type is unknown.
func jobVariableLeafVerdicts(p *analysis.Pass, d *prefectyaml.Deployment) ([]surpriseLeaf, []readingVerdict) {
	r := p.Memo("yaml11:jobvars:"+strconv.Itoa(d.Index), func() any {
		leaves, verdicts := judgeJobVariables(p, d)
		return leafVerdicts{leaves, verdicts}
	}).(leafVerdicts)
	return r.leaves, r.verdicts
}

type leafVerdicts struct {
	leaves   []surpriseLeaf
	verdicts []readingVerdict
}

func judgeJobVariables(p *analysis.Pass, d *prefectyaml.Deployment) ([]surpriseLeaf, []readingVerdict) {
	in := poolInfo(p, d)
	if in.Type == nil {
		return nil, nil
	}
	base := jobVariablesValue(d)
	if base == nil {
		return nil, nil
	}
	leaves := surpriseLeaves(d.WorkPool.JobVariables.Value)
	if len(leaves) == 0 {
		return nil, nil
	}
	asRead := jobVariableProblems(p, d)
	verdicts := make([]readingVerdict, len(leaves))
	for i, l := range leaves {
		path := jobVariablePath(l.path)
		if unknownVariable(asRead, path[0]) {
			verdicts[i] = readingOpen // unknown-job-variable's finding; its type is anyone's guess
			continue
		}
		asText, err := workpools.Validate(in.Type.Name, withTextAt(base, []surpriseLeaf{l}).(map[string]any))
		if err != nil {
			verdicts[i] = readingOpen
			continue
		}
		read, text := problemsAt(asRead, path), problemsAt(asText, path)
		verdicts[i] = verdictOf(onlyAncestors(read, text, len(path)), onlyAncestors(text, read, len(path)), false)
	}
	return leaves, verdicts
}

// unknownVariable reports whether the schema does not know job variable
// key (dotted keys such as env.FOO are known through their first part).
func unknownVariable(probs []workpools.Problem, key string) bool {
	for _, pr := range probs {
		if pr.Unknown && len(pr.Path) == 1 && pr.Path[0] == key {
			return true
		}
	}
	return false
}

// jobVariablePath renders a leaf path as workpools.Problem paths are
// written: keys, and indices in decimal.
func jobVariablePath(steps []pyflow.PathStep) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		if s.IsIndex {
			out[i] = strconv.Itoa(s.Index)
		} else {
			out[i] = s.Key
		}
	}
	return out
}

// problemsAt returns the paths (joined) of the type problems at path or
// above it.
func problemsAt(probs []workpools.Problem, path []string) map[string]int {
	out := map[string]int{}
	for _, pr := range probs {
		if pr.Unknown || len(pr.Path) > len(path) {
			continue
		}
		prefix := true
		for i := range pr.Path {
			if pr.Path[i] != path[i] {
				prefix = false
				break
			}
		}
		if prefix {
			out[strings.Join(pr.Path, "\x00")] = len(pr.Path)
		}
	}
	return out
}

// onlyAncestors reports whether the reading with problems mine is taken:
// none of its problems is at the scalar itself, and every problem above it
// is one the other reading has too (so it is not this reading's fault).
func onlyAncestors(mine, other map[string]int, depth int) bool {
	for k, n := range mine {
		if n == depth {
			return false
		}
		if _, ok := other[k]; !ok {
			return false
		}
	}
	return true
}

// readingJudgements judges every surprise in typed places (parameters of a
// resolved flow, job variables of a known pool type), once per run. A node
// used in several places gets the strongest verdict.
func readingJudgements(p *analysis.Pass) map[*yamlsyntax.Node]readingJudgement {
	return p.Memo("yaml11:judgements", func() any {
		out := map[*yamlsyntax.Node]readingJudgement{}
		put := func(n *yamlsyntax.Node, j readingJudgement) {
			if old, ok := out[n]; ok && old.verdict >= j.verdict {
				return
			}
			out[n] = j
		}
		paramsChecked := ruleActive(p, "parameter-type")
		jobVarsChecked := ruleActive(p, "job-variable-type")
		for _, d := range p.File.Deployments {
			if t := targetOf(p, d); t != nil {
				if f := t.flow(); f != nil {
					for _, pm := range parameterMaps(d) {
						for _, pair := range pm.node.Pairs() {
							prm := paramFor(f, pair.KeyText())
							leaves, verdicts := parameterLeafVerdicts(prm, pair.Value)
							for i, l := range leaves {
								v := verdicts[i]
								if v == readingNeither && !paramsChecked {
									v = readingOpen
								}
								put(l.node, readingJudgement{verdict: v, what: fmt.Sprintf("parameter %s of flow %s is annotated %s", prm.Name, t.ep.Func, prm.Annotation)})
							}
						}
					}
				}
			}
			leaves, verdicts := jobVariableLeafVerdicts(p, d)
			if len(leaves) == 0 {
				continue
			}
			in := poolInfo(p, d)
			for i, l := range leaves {
				v := verdicts[i]
				if v == readingNeither && !jobVarsChecked {
					v = readingOpen
				}
				path := strings.Join(jobVariablePath(l.path), ".")
				what := fmt.Sprintf("job variable %s of %s must be a string here (the server rejects the deployment otherwise)", path, typeLabel(in))
				if strings.HasPrefix(path, "env.") {
					what = fmt.Sprintf("env value %s of %s must be a string (environment variables are text)", path, typeLabel(in))
				}
				put(l.node, readingJudgement{verdict: v, what: what})
			}
		}
		return out
	}).(map[*yamlsyntax.Node]readingJudgement)
}
