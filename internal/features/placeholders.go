package features

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/steps"
	"github.com/prefect-lsp/prefect-lsp/internal/templating"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// Placeholder hovers on `{{ }}` placeholders (what they resolve to and
// when) and completes names inside `{{ }}`: the ids of the steps that run
// before the cursor and their outputs, and the prefect.blocks.,
// prefect.variables., $ and ctx. prefixes.
type Placeholder struct{}

func (Placeholder) Name() string { return "placeholder" }

// ---------------------------------------------------------------------------
// Where placeholders are and which steps they can see.

// stepRun is one `prefect deploy` of a deployment: the build, push and pull
// steps Prefect runs for it (a deployment's own section replaces the top
// level's). A file without deployments has one run of its top-level steps.
type stepRun struct {
	dep               *prefectyaml.Deployment
	build, push, pull []*prefectyaml.Step
}

func stepsOf(a *prefectyaml.Action) []*prefectyaml.Step {
	if a == nil {
		return nil
	}
	return a.Steps
}

func runsOf(m *prefectyaml.File) []stepRun {
	if m == nil {
		return nil
	}
	if len(m.Deployments) == 0 {
		return []stepRun{{build: stepsOf(m.Build), push: stepsOf(m.Push), pull: stepsOf(m.Pull)}}
	}
	out := make([]stepRun, 0, len(m.Deployments))
	for _, d := range m.Deployments {
		out = append(out, stepRun{dep: d, build: stepsOf(d.Steps("build")), push: stepsOf(d.Steps("push")), pull: stepsOf(d.Steps("pull"))})
	}
	return out
}

func (r stepRun) all() []*prefectyaml.Step {
	out := make([]*prefectyaml.Step, 0, len(r.build)+len(r.push)+len(r.pull))
	out = append(out, r.build...)
	out = append(out, r.push...)
	return append(out, r.pull...)
}

// scope is what step-output placeholders can see at one place of a run.
type scope struct {
	run *stepRun
	// step is the step the place belongs to (nil for deployment fields).
	step *prefectyaml.Step
	// avail are the steps that run before the place, in run order.
	avail []*prefectyaml.Step
}

// section is "build", "push", "pull" or "" for the deployment's fields.
func (sc scope) section() string {
	if sc.step == nil {
		return ""
	}
	return sc.step.Section
}

// scopeOfStep returns the scope inside step i of a section of run r.
func (r *stepRun) scopeOfStep(section string, i int) scope {
	var avail []*prefectyaml.Step
	var st *prefectyaml.Step
	switch section {
	case "build":
		avail, st = r.build[:i], r.build[i]
	case "push":
		avail, st = concat(r.build, r.push[:i]), r.push[i]
	case "pull":
		avail, st = concat(r.build, r.push, r.pull[:i]), r.pull[i]
	}
	return scope{run: r, step: st, avail: avail}
}

func concat(lists ...[]*prefectyaml.Step) []*prefectyaml.Step {
	var out []*prefectyaml.Step
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func stepSpan(st *prefectyaml.Step) source.Span {
	if st == nil || st.Node == nil {
		return source.Span{}
	}
	return st.Node.Span
}

// scopeAt finds the scope of the place at off: inside a step of some run
// (the first run using it), else the fields of the deployment at off.
func scopeAt(m *prefectyaml.File, off int) (scope, bool) {
	runs := runsOf(m)
	for ri := range runs {
		r := &runs[ri]
		for _, sec := range []struct {
			name string
			list []*prefectyaml.Step
		}{{"build", r.build}, {"push", r.push}, {"pull", r.pull}} {
			for i, st := range sec.list {
				if within(stepSpan(st), off) {
					return r.scopeOfStep(sec.name, i), true
				}
			}
		}
	}
	for ri := range runs {
		r := &runs[ri]
		if r.dep != nil && within(r.dep.Node.Span, off) {
			return scope{run: r, avail: concat(r.build, r.push)}, true
		}
	}
	return scope{}, false
}

// stepID returns a step's id when it has one.
func stepID(st *prefectyaml.Step) (string, bool) {
	if st == nil || !st.ID.Set() {
		return "", false
	}
	id := st.ID.Text()
	return id, id != ""
}

// findByID returns the last step of list with id (the last one wins, as in
// Prefect's outputs dictionary).
func findByID(list []*prefectyaml.Step, id string) *prefectyaml.Step {
	var found *prefectyaml.Step
	for _, st := range list {
		if sid, ok := stepID(st); ok && sid == id {
			found = st
		}
	}
	return found
}

// resolveStep finds the step a step id used in sc means: an earlier step
// (the one Prefect would use), else any step of the run with that id (a
// reference that runs too early still names it).
func resolveStep(sc scope, id string) *prefectyaml.Step {
	if st := findByID(sc.avail, id); st != nil {
		return st
	}
	if sc.run == nil {
		return nil
	}
	return findByID(sc.run.all(), id)
}

// ---------------------------------------------------------------------------
// Finding placeholders in the source.

// placeholderHit is a placeholder in a string value with its source spans.
type placeholderHit struct {
	ph    templating.Placeholder
	node  *yamlsyntax.Node
	span  source.Span // the placeholder's source span (the scalar's when inexact)
	exact bool
	mapf  func(source.Span) (source.Span, bool)
}

// idSpan is the source span of the step id inside a step-output
// placeholder ("build-image" in "{{ build-image.image }}"; the key of a
// bare "{{ key }}"); ok is false when it cannot be mapped exactly.
func (h placeholderHit) idSpan() (source.Span, bool) {
	id := refID(h.ph)
	if id == "" {
		return source.Span{}, false
	}
	return h.mapf(source.Span{Start: h.ph.NameSpan.Start, End: h.ph.NameSpan.Start + len(id)})
}

// refID is the step id a step-output placeholder names: the part before
// the first "." or, for a bare name, the part before any "[".
func refID(ph templating.Placeholder) string {
	if ph.Kind != templating.StepOutput {
		return ""
	}
	if ph.StepID != "" {
		return ph.StepID
	}
	key := ph.OutputKey
	if i := strings.IndexByte(key, '['); i >= 0 {
		key = key[:i]
	}
	return key
}

// placeholdersIn returns the placeholders of a string scalar.
func placeholdersIn(src *source.File, n *yamlsyntax.Node) []placeholderHit {
	if n == nil || n.Kind != yamlsyntax.ScalarNode || n.Tag() != yamlsyntax.TagStr || !strings.Contains(n.Text, "{{") {
		return nil
	}
	phs := templating.Find(n.Text)
	if len(phs) == 0 {
		return nil
	}
	mapf := rules.ScalarTextMapper(src, n)
	out := make([]placeholderHit, 0, len(phs))
	for _, ph := range phs {
		sp, exact := mapf(ph.Span)
		out = append(out, placeholderHit{ph: ph, node: n, span: sp, exact: exact, mapf: mapf})
	}
	return out
}

// placeholderAt finds the placeholder under off. Automation templates under
// `triggers` are Jinja and are skipped; a scalar whose text does not map
// exactly answers only when it holds a single placeholder.
func placeholderAt(s *lsp.Snapshot, off int) (placeholderHit, bool) {
	doc := s.Doc()
	if doc == nil || doc.Root == nil {
		return placeholderHit{}, false
	}
	n := stringValueAt(doc.Root, off)
	if n == nil {
		return placeholderHit{}, false
	}
	hits := placeholdersIn(s.File, n)
	for _, h := range hits {
		if h.exact && h.span.Contains(off) {
			return h, true
		}
	}
	if len(hits) == 1 && !hits[0].exact {
		return hits[0], true
	}
	return placeholderHit{}, false
}

// stringValueAt returns the string scalar written as a value that contains
// off, outside `triggers`.
func stringValueAt(root *yamlsyntax.Node, off int) *yamlsyntax.Node {
	n := root
	for depth := 0; n != nil && depth <= yamlsyntax.MaxDepth; depth++ {
		switch n.Kind {
		case yamlsyntax.ScalarNode:
			if n.Tag() == yamlsyntax.TagStr && within(n.Span, off) {
				return n
			}
			return nil
		case yamlsyntax.SequenceNode:
			var next *yamlsyntax.Node
			for _, c := range n.Content() {
				if within(c.Span, off) {
					next = c
					break
				}
			}
			n = next
		case yamlsyntax.MappingNode:
			var next *yamlsyntax.Node
			for i, content := 0, n.Content(); i+1 < len(content); i += 2 {
				k, v := content[i], content[i+1]
				if k.Kind == yamlsyntax.ScalarNode && k.Text == "triggers" {
					continue
				}
				if v != nil && within(v.Span, off) {
					next = v
					break
				}
			}
			n = next
		default:
			return nil
		}
	}
	return nil
}

// visitStrings visits the string scalars of a value as Prefect sees it
// (aliases and merges followed, each collection once).
func visitStrings(n *yamlsyntax.Node, f func(*yamlsyntax.Node)) {
	seen := map[*yamlsyntax.Node]bool{}
	budget := 100000
	var walk func(n *yamlsyntax.Node, depth int)
	walk = func(n *yamlsyntax.Node, depth int) {
		budget--
		if n == nil || depth > yamlsyntax.MaxDepth || budget < 0 {
			return
		}
		r := n.Resolve()
		if r == nil || seen[r] {
			return
		}
		switch r.Kind {
		case yamlsyntax.ScalarNode:
			if r.Tag() == yamlsyntax.TagStr {
				f(r)
			}
		case yamlsyntax.SequenceNode:
			seen[r] = true
			for _, c := range r.Content() {
				walk(c, depth+1)
			}
		case yamlsyntax.MappingNode:
			seen[r] = true
			for _, pr := range r.Pairs() {
				walk(pr.Value, depth+1)
			}
		}
	}
	walk(n, 0)
}

// SemanticTokens marks the parts of every placeholder written in a string
// value (outside triggers, whose templates are Jinja): the braces, then the
// name by kind — a step id and its output key, a block reference, a
// variable, an environment variable, the run context.
func (Placeholder) SemanticTokens(ctx context.Context, s *lsp.Snapshot) []lsp.SemanticToken {
	doc := s.Doc()
	if doc == nil || doc.Root == nil {
		return nil
	}
	var out []lsp.SemanticToken
	add := func(h placeholderHit, sp source.Span, typ string) {
		if m, ok := h.mapf(sp); ok && m.Len() > 0 {
			out = append(out, lsp.SemanticToken{Span: m, Type: typ})
		}
	}
	rules.WalkStringValues(doc.Root, func(n *yamlsyntax.Node) {
		if ctx.Err() != nil {
			return
		}
		for _, h := range placeholdersIn(s.File, n) {
			if !h.exact {
				continue
			}
			ph := h.ph
			add(h, source.Span{Start: ph.Span.Start, End: ph.Span.Start + 2}, lsp.TokenOperator)
			name := ph.NameSpan
			switch ph.Kind {
			case templating.StepOutput:
				if id := refID(ph); id != "" && len(id) < name.Len() {
					add(h, source.Span{Start: name.Start, End: name.Start + len(id)}, lsp.TokenVariable)
					add(h, source.Span{Start: name.Start + len(id), End: name.End}, lsp.TokenProperty)
				} else {
					add(h, name, lsp.TokenVariable)
				}
			case templating.Block:
				add(h, name, lsp.TokenNamespace)
			case templating.Variable:
				add(h, name, lsp.TokenVariable)
			case templating.Env:
				add(h, name, lsp.TokenMacro)
			default:
				add(h, name, lsp.TokenKeyword)
			}
			add(h, source.Span{Start: ph.Span.End - 2, End: ph.Span.End}, lsp.TokenOperator)
		}
	})
	return out
}

// ---------------------------------------------------------------------------
// Step id references.

// idRef is a step id used inside a placeholder, with the step it names.
type idRef struct {
	span source.Span
	def  *prefectyaml.Step
}

// stepIDRefs finds every exact step-id reference in placeholders of step
// arguments and deployment fields, resolved per run.
func stepIDRefs(s *lsp.Snapshot) []idRef {
	m := s.Model()
	var out []idRef
	seen := map[int]bool{}
	add := func(n *yamlsyntax.Node, sc scope) {
		for _, h := range placeholdersIn(s.File, n) {
			id := refID(h.ph)
			if id == "" {
				continue
			}
			def := resolveStep(sc, id)
			if def == nil {
				continue
			}
			sp, ok := h.idSpan()
			if !ok || seen[sp.Start] {
				continue
			}
			seen[sp.Start] = true
			out = append(out, idRef{span: sp, def: def})
		}
	}
	runs := runsOf(m)
	for ri := range runs {
		r := &runs[ri]
		for _, sec := range []struct {
			name string
			list []*prefectyaml.Step
		}{{"build", r.build}, {"push", r.push}, {"pull", r.pull}} {
			for i, st := range sec.list {
				sc := r.scopeOfStep(sec.name, i)
				for _, pr := range st.Args.Resolve().Pairs() {
					if steps.IsReserved(pr.KeyText()) {
						continue
					}
					visitStrings(pr.Value, func(n *yamlsyntax.Node) { add(n, sc) })
				}
			}
		}
		if r.dep == nil {
			continue
		}
		sc := scope{run: r, avail: concat(r.build, r.push)}
		for _, pr := range r.dep.Node.Resolve().Pairs() {
			switch pr.KeyText() {
			case "build", "push", "pull", "triggers", "parameter_openapi_schema":
				continue
			}
			visitStrings(pr.Value, func(n *yamlsyntax.Node) { add(n, sc) })
		}
	}
	return out
}

// idDefSpan is the source span of a step's id text, when exact.
func idDefSpan(src *source.File, st *prefectyaml.Step) (source.Span, bool) {
	if st == nil || st.ID.Value == nil || st.ID.Value.Kind != yamlsyntax.ScalarNode || st.ID.Via != nil {
		return source.Span{}, false
	}
	n := st.ID.Value
	return rules.ScalarTextMapper(src, n)(source.Span{Start: 0, End: len(n.Text)})
}

// allSteps lists every step of the file (top level and deployments).
func allSteps(m *prefectyaml.File) []*prefectyaml.Step {
	if m == nil {
		return nil
	}
	out := concat(stepsOf(m.Build), stepsOf(m.Push), stepsOf(m.Pull))
	for _, d := range m.Deployments {
		out = append(out, concat(stepsOf(d.Build), stepsOf(d.Push), stepsOf(d.Pull))...)
	}
	return out
}

// stepSymbolAt finds the step whose id is under off, either at its `id:`
// value or inside a placeholder referring to it.
func stepSymbolAt(s *lsp.Snapshot, off int) (def *prefectyaml.Step, at source.Span, refs []idRef) {
	refs = stepIDRefs(s)
	for _, r := range refs {
		if r.span.Contains(off) {
			return r.def, r.span, refs
		}
	}
	for _, st := range allSteps(s.Model()) {
		if sp, ok := idDefSpan(s.File, st); ok && sp.Contains(off) {
			return st, sp, refs
		}
	}
	return nil, source.Span{}, refs
}

// ---------------------------------------------------------------------------
// Hover.

func (Placeholder) Hover(ctx context.Context, s *lsp.Snapshot, off int) *lsp.HoverResult {
	h, ok := placeholderAt(s, off)
	if !ok {
		return nil
	}
	sc, _ := scopeAt(s.Model(), off)
	inPull := sc.section() == "pull"
	inJobVars := false
	if d := deploymentAt(s.Model(), off); d != nil && d.WorkPool != nil && within(d.WorkPool.JobVariables.ValueSpan(), off) {
		inJobVars = true
	}
	ph := h.ph
	var b strings.Builder
	switch ph.Kind {
	case templating.StepOutput:
		stepOutputHover(&b, ph, sc)
	case templating.Block:
		fmt.Fprintf(&b, "**Block reference** `%s`", ph.Name)
		if ph.BlockType != "" && ph.BlockName != "" {
			fmt.Fprintf(&b, ": the `%s` block document `%s`", ph.BlockType, ph.BlockName)
			if ph.BlockPath != "" {
				fmt.Fprintf(&b, ", field `%s`", ph.BlockPath)
			} else {
				b.WriteString(" (its `value` for single-value blocks such as secret, string and json; otherwise the whole document as a mapping)")
			}
		} else {
			b.WriteString(": needs both a block type slug and a document name (`prefect.blocks.<type>.<name>`)")
		}
		b.WriteString(".\n\n")
		if inPull {
			b.WriteString("Resolved **at run time by the worker**: pull steps are saved on the deployment unresolved, and the worker loads the block each time a flow run starts.\n")
		} else {
			b.WriteString("Resolved **at deploy time** by `prefect deploy`, which loads the block and stores the result on the deployment.\n")
		}
		if inJobVars {
			b.WriteString("\nIn `job_variables` the resolved value is saved on the deployment in plain text, visible in the UI and API (PrefectHQ/prefect#14088).\n")
		}
	case templating.Variable:
		fmt.Fprintf(&b, "**Prefect variable** `%s`.\n\n", ph.VariableName)
		if inPull {
			b.WriteString("Resolved **at run time by the worker** when a flow run starts (pull steps are saved unresolved).\n")
		} else {
			b.WriteString("Resolved **at deploy time** by `prefect deploy`.\n")
		}
		b.WriteString("\nA variable that does not exist silently becomes `\"\"` (no error). ")
		if ph.Whole {
			b.WriteString("As the whole value it keeps the variable's JSON type.\n")
		} else {
			b.WriteString("Inside longer text it is converted to a string.\n")
		}
	case templating.Env:
		fmt.Fprintf(&b, "**Environment variable** `%s`.\n\n", ph.EnvName)
		if inPull {
			b.WriteString("Read **at run time** from the environment of the flow run's process on the worker (pull steps run there, not where you deploy).\n")
		} else {
			b.WriteString("Read **at deploy time** from the environment of the machine that runs `prefect deploy`.\n")
		}
		b.WriteString("\nAlways substituted as a string; when unset it ends up as `\"\"` (with a logged warning).\n")
	case templating.Context:
		fmt.Fprintf(&b, "**Runtime context** `%s`.\n\nKept as written by `prefect deploy`; resolved **at run time by the worker** for each flow run (Prefect 3.6.17+; older releases leave the text unreplaced).\n", ph.Name)
	}
	if b.Len() == 0 {
		return nil
	}
	return &lsp.HoverResult{Markdown: b.String(), Span: h.span}
}

func stepOutputHover(b *strings.Builder, ph templating.Placeholder, sc scope) {
	id := refID(ph)
	def := resolveStep(sc, id)
	if ph.StepID == "" && def == nil {
		// A bare key: the output of any earlier step (or a recipe input).
		fmt.Fprintf(b, "**Step output** `%s`: a key returned by an earlier step (the last step returning it wins), or a recipe input.\n\n", ph.OutputKey)
		var from []string
		for _, st := range sc.avail {
			if info, ok := steps.Lookup(st.Function); ok {
				if _, ok := info.Output(id); ok {
					from = append(from, "`"+info.Short+"`")
				}
			}
		}
		if len(from) > 0 {
			fmt.Fprintf(b, "Returned here by %s.\n\n", strings.Join(from, ", "))
		}
		writeWhen(b, sc, nil)
		return
	}
	if def == nil {
		fmt.Fprintf(b, "**Step output** `%s` of step `%s`, but no build or push step has `id: %s`; Prefect then drops the key (or leaves the text unreplaced inside longer text).\n", ph.OutputKey, id, id)
		return
	}
	info, known := steps.Lookup(def.Function)
	short := def.Function
	if known {
		short = info.Short
	}
	key := ph.OutputKey
	if ph.StepID == "" {
		key = ""
	}
	if key == "" {
		fmt.Fprintf(b, "**Step outputs** of step `%s` (`%s`, %s step): the whole dictionary it returned.\n\n", id, short, def.Section)
	} else {
		fmt.Fprintf(b, "**Step output** `%s` of step `%s` (`%s`, %s step)", key, id, short, def.Section)
		first := key
		if i := strings.IndexAny(first, ".["); i >= 0 {
			first = first[:i]
		}
		if known {
			if o, ok := info.Output(first); ok {
				fmt.Fprintf(b, ": %s", o.Description)
			} else {
				var keys []string
				for _, o := range info.Outputs {
					keys = append(keys, "`"+o.Key+"`")
				}
				fmt.Fprintf(b, " — `%s` returns no `%s` (its outputs: %s)", short, first, strings.Join(keys, ", "))
			}
		}
		b.WriteString("\n\n")
	}
	writeWhen(b, sc, def)
}

// writeWhen says when a step output is filled in at the place of sc.
func writeWhen(b *strings.Builder, sc scope, def *prefectyaml.Step) {
	if def != nil && findByID(sc.avail, refIDOf(def)) != def {
		fmt.Fprintf(b, "Step `%s` runs after this place, so its outputs do not exist here yet.\n", refIDOf(def))
		return
	}
	switch {
	case def != nil && def.Section == "pull":
		b.WriteString("Produced **at run time** on the worker, when the pull steps run at the start of each flow run.\n")
	case sc.section() == "pull":
		b.WriteString("Produced **at deploy time** by the build/push steps of `prefect deploy` and written into the pull step saved on the deployment.\n")
	default:
		b.WriteString("Produced **at deploy time**: `prefect deploy` runs the build steps, then the push steps, and fills the value in before saving the deployment.\n")
	}
}

func refIDOf(st *prefectyaml.Step) string {
	id, _ := stepID(st)
	return id
}

// ---------------------------------------------------------------------------
// Completion inside {{ }}.

// placeholderPrefixAt finds an unfinished placeholder name ending at off:
// "{{", optional spaces, then name characters up to off, on one line. It
// returns the offset where the name starts.
func placeholderPrefixAt(text string, off int) (start int, ok bool) {
	if off > len(text) || off < 0 {
		return 0, false
	}
	i := off
	for i > 0 {
		r, w := utf8.DecodeLastRuneInString(text[:i])
		if !templating.IsNameRune(r) {
			break
		}
		i -= w
	}
	start = i
	for i > 0 && (text[i-1] == ' ' || text[i-1] == '\t') {
		i--
	}
	if i < 2 || text[i-2:i] != "{{" {
		return 0, false
	}
	return start, true
}

func (Placeholder) Complete(ctx context.Context, s *lsp.Snapshot, off int) []lsp.CompletionItem {
	start, ok := placeholderPrefixAt(s.Text(), off)
	if !ok {
		return nil
	}
	m := s.Model()
	if m == nil || m.Root == nil {
		m = patchedModel(s, off, start)
	}
	rep := source.Span{Start: start, End: off}
	var items []lsp.CompletionItem
	add := func(label, detail, doc string, kind lsp.CompletionKind, sortKey string) {
		items = append(items, lsp.CompletionItem{Label: label, Detail: detail, Documentation: doc, Kind: kind, InsertText: label, FilterText: label, Replace: rep, SortText: sortKey})
	}
	sc, ok := scopeAt(m, off)
	if !ok {
		// Somewhere else (a top-level key, an unparsed region): every
		// build and push step of the file.
		sc = scope{avail: concat(stepsOf(m.Build), stepsOf(m.Push))}
		for _, d := range m.Deployments {
			sc.avail = append(sc.avail, concat(stepsOf(d.Build), stepsOf(d.Push))...)
		}
	}
	seen := map[string]bool{}
	for i := len(sc.avail) - 1; i >= 0; i-- { // the last step with an id wins
		st := sc.avail[i]
		id, ok := stepID(st)
		if !ok || seen[id] {
			continue
		}
		seen[id] = true
		info, known := steps.Lookup(st.Function)
		short := st.Function
		if known {
			short = info.Short
		}
		detail := fmt.Sprintf("%s step %s", st.Section, short)
		add(id, detail, "Outputs of step `"+id+"` (a dictionary); add `.key` for one output.", lsp.CompletionReference, fmt.Sprintf("0%03d", i))
		if known {
			for j, o := range info.Outputs {
				add(id+"."+o.Key, detail, o.Description, lsp.CompletionReference, fmt.Sprintf("1%03d%02d", i, j))
			}
		}
	}
	prefixes := []struct{ name, doc string }{
		{templating.BlockPrefix, "A block document: `prefect.blocks.<type-slug>.<name>[.<field>]`."},
		{templating.VariablePrefix, "A Prefect variable: `prefect.variables.<name>`; a missing one becomes \"\"."},
		{templating.EnvPrefix, "An environment variable: `$NAME`."},
		{templating.ContextPrefix, "The flow run's context, resolved by the worker at run time (Prefect 3.6.17+)."},
	}
	for i, p := range prefixes {
		add(p.name, "placeholder prefix", p.doc, lsp.CompletionKeyword, fmt.Sprintf("2%d", i))
	}
	// Once "prefect.b…" is typed, the common block types: the document
	// name after them is the user's (blocks live on the server).
	if typed := s.Text()[start:off]; len(typed) >= len("prefect.b") && strings.HasPrefix(templating.BlockPrefix, typed[:len("prefect.b")]) {
		for i, bt := range blockTypes {
			label := templating.BlockPrefix + bt.slug + "."
			doc := fmt.Sprintf("A %s block document: `{{ %s<name> }}` is the whole document (a mapping for credentials and storage blocks), `{{ %s<name>.<field> }}` one value.", bt.title, label, label)
			if bt.pkg != "" {
				doc += " Block type from `" + bt.pkg + "`; register it with `prefect block register -m " + strings.ReplaceAll(bt.pkg, "-", "_") + "`."
			}
			add(label, "block type "+bt.title, doc, lsp.CompletionValue, fmt.Sprintf("3%02d", i))
		}
	}
	sort.SliceStable(items, func(a, b int) bool { return items[a].SortText < items[b].SortText })
	return items
}

// blockTypes are common block types by slug (the block type name
// slugified: "AWS Credentials" → aws-credentials), with the package that
// registers them ("" for Prefect's own).
var blockTypes = []struct{ slug, title, pkg string }{
	{"secret", "Secret", ""},
	{"json", "JSON", ""},
	{"string", "String", ""},
	{"date-time", "Date Time", ""},
	{"aws-credentials", "AWS Credentials", "prefect-aws"},
	{"aws-secret", "AWS Secret", "prefect-aws"},
	{"s3-bucket", "S3 Bucket", "prefect-aws"},
	{"minio-credentials", "MinIO Credentials", "prefect-aws"},
	{"gcp-credentials", "GCP Credentials", "prefect-gcp"},
	{"gcs-bucket", "GCS Bucket", "prefect-gcp"},
	{"azure-blob-storage-credentials", "Azure Blob Storage Credentials", "prefect-azure"},
	{"github-credentials", "GitHub Credentials", "prefect-github"},
	{"gitlab-credentials", "GitLab Credentials", "prefect-gitlab"},
	{"bitbucket-credentials", "BitBucket Credentials", "prefect-bitbucket"},
	{"docker-registry-credentials", "Docker Registry Credentials", "prefect-docker"},
	{"kubernetes-cluster-config", "Kubernetes Cluster Config", "prefect-kubernetes"},
	{"slack-webhook", "Slack Webhook", "prefect-slack"},
	{"snowflake-credentials", "Snowflake Credentials", "prefect-snowflake"},
	{"databricks-credentials", "Databricks Credentials", "prefect-databricks"},
}

// patchedModel parses the snapshot with the unfinished value on the line
// of off replaced by a plain scalar of the same length ("xxx…", so offsets
// and the structure around hold), for when an unfinished value keeps the
// document from parsing. start is where the typed name begins.
func patchedModel(s *lsp.Snapshot, off, start int) *prefectyaml.File {
	return prefectyaml.Parse(yamlsyntax.Parse(s.Path, patchLine(s.Text(), off, start)))
}

// patchLine replaces the value on the line of off, from after its "key: "
// or "- " (or from start when neither comes before it) to the end of the
// line, with "x" characters.
func patchLine(text string, off, start int) string {
	ls := strings.LastIndexByte(text[:off], '\n') + 1
	le := strings.IndexByte(text[off:], '\n')
	if le < 0 {
		le = len(text)
	} else {
		le += off
	}
	from := ls
	for from < start && text[from] == ' ' {
		from++
	}
	sep := false
	for strings.HasPrefix(text[from:start], "- ") {
		sep = true
		from += 2
		for from < start && text[from] == ' ' {
			from++
		}
	}
	if i := strings.Index(text[from:start], ": "); i >= 0 {
		sep = true
		from += i + 2
	}
	if !sep {
		from = start // a continuation line: keep its indentation and text
	}
	b := []byte(text)
	for i := from; i < le; i++ {
		if b[i] != '\r' {
			b[i] = 'x'
		}
	}
	return string(b)
}
