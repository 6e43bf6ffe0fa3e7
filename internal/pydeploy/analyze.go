package pydeploy

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/guidance"
	"github.com/prefect-lsp/prefect-lsp/internal/pyflow"
	"github.com/prefect-lsp/prefect-lsp/internal/schedule"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/textdist"
	"github.com/prefect-lsp/prefect-lsp/internal/workpools"
)

// reporter collects the diagnostics of one Python file.
type reporter struct {
	src   *source.File
	cfg   *config.Config
	rules map[string]*analysis.Rule
	diags []analysis.Diagnostic
}

func (r *reporter) report(id string, span source.Span, format string, args ...any) *analysis.Diagnostic {
	sev := analysis.Warning
	if rule := r.rules[id]; rule != nil {
		sev = rule.Severity
	}
	r.diags = append(r.diags, analysis.Diagnostic{RuleID: id, Severity: sev, Span: r.src.Clamp(span), Message: fmt.Sprintf(format, args...)})
	return &r.diags[len(r.diags)-1]
}

// Analyze checks the deployment calls of one Python file (in.Path, in.Contents())
// with the prefect.yaml rules that apply to them, under the same rule IDs,
// with the configured severities, ignores and suppression comments
// (`# prefect-lsp: ignore[rule-id]` on the line or the line above,
// `# prefect-lsp: ignore-file[rule-id]` anywhere). Result.Src is set;
// Result.Doc and Result.File are nil (there is no prefect.yaml). Files that
// do not import prefect give no diagnostics. It returns nil when ctx is
// cancelled.
func Analyze(ctx context.Context, in analysis.Input) *analysis.Result {
	if ctx.Err() != nil {
		return nil
	}
	cfg := in.Config
	if cfg == nil {
		cfg, _ = config.Load(filepath.Dir(in.Path))
	}
	src := in.Source()
	res := &analysis.Result{Path: in.Path, Src: src, Config: cfg}
	mod := pyflow.Parse(in.Path, []byte(src.Text()))
	if !importsPrefect(mod) {
		return res
	}
	r := &reporter{src: src, cfg: cfg, rules: map[string]*analysis.Rule{}}
	for _, rule := range rules.All() {
		r.rules[rule.ID] = rule
	}
	for _, d := range scan(mod) {
		if ctx.Err() != nil {
			return nil
		}
		checkDeployment(r, mod, d)
	}
	res.Diagnostics = finish(r.diags, cfg, in.Path, src)
	return res
}

// finish applies configured severities, ignores and suppression comments,
// and sorts.
func finish(diags []analysis.Diagnostic, cfg *config.Config, path string, src *source.File) []analysis.Diagnostic {
	severities := map[string]analysis.Severity{}
	for id, s := range cfg.Rules {
		if sev, ok := analysis.ParseSeverity(s); ok {
			severities[id] = sev
		}
	}
	ignored := map[string]bool{}
	for _, id := range cfg.IgnoredRules(path) {
		ignored[id] = true
	}
	sup := suppressionsOf(src)
	var out []analysis.Diagnostic
	seen := map[string]bool{}
	for _, d := range diags {
		if ignored[d.RuleID] || ignored["*"] {
			continue
		}
		if sev, ok := severities[d.RuleID]; ok {
			if sev == analysis.Off {
				continue
			}
			d.Severity = sev
		}
		if sup.Suppressed(d.RuleID, src.LineOf(d.Span.Start)) {
			continue
		}
		key := fmt.Sprintf("%s|%d|%d|%s", d.RuleID, d.Span.Start, d.Span.End, d.Message)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, d)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Span.Start != b.Span.Start {
			return a.Span.Start < b.Span.Start
		}
		if a.Span.End != b.Span.End {
			return a.Span.End < b.Span.End
		}
		return a.RuleID < b.RuleID
	})
	return out
}

// suppressionsOf reads the suppression comments of a Python file (the
// prefect.yaml syntax; Python comments start with # too): only comment
// tokens count, not text inside strings.
func suppressionsOf(f *source.File) analysis.Suppressions {
	var comments []source.Span
	if strings.Contains(f.Text(), "prefect-lsp:") {
		toks, _ := pyflow.Tokenize([]byte(f.Text()))
		for _, t := range toks {
			if t.Kind == pyflow.Comment {
				comments = append(comments, t.Span())
			}
		}
	}
	if comments == nil {
		comments = []source.Span{}
	}
	return analysis.ParseSuppressions(f, comments)
}

// pool resolves a deployment's work pool: its name when literal, and its
// type from the configuration's work-pools table (a pool's name is never
// read as its type, as on the prefect.yaml side).
func pool(cfg *config.Config, d *Deployment) (name string, t *workpools.Type, typeSource string) {
	name, _ = d.Str("work_pool_name")
	if name == "" || cfg == nil {
		return name, nil, ""
	}
	tn, ok := cfg.WorkPools[name]
	if !ok || strings.TrimSpace(tn) == "" {
		return name, nil, ""
	}
	t, ok = workpools.Lookup(strings.TrimSpace(tn))
	if !ok {
		return name, nil, ""
	}
	src := "configuration (work-pools setting)"
	if cfg.Path != "" {
		src = "configuration (" + filepath.Base(cfg.Path) + " work-pools)"
	}
	return name, t, src
}

func checkDeployment(r *reporter, mod *pyflow.Module, d *Deployment) {
	checkSchedules(r, d)
	checkParameters(r, d)
	if d.Mode != ModeDeploy {
		return
	}
	name, t, _ := pool(r.cfg, d)
	label := fmt.Sprintf("work pool %q", name)
	if t != nil {
		label = fmt.Sprintf("work pool %q (type %s)", name, t.Name)
	}
	image, hasImage := d.Arg("image")
	storage := d.FromSource != nil
	if ep, ok := d.Str("entrypoint_type"); ok && strings.Contains(ep, "MODULE") {
		storage = true
	}
	if v, ok := d.Arg("entrypoint_type"); ok && strings.Contains(v.Text, "MODULE_PATH") {
		storage = true
	}
	// code-unreachable: Prefect's deploy() raises "Either an image or remote
	// storage location must be provided when deploying a deployment."
	if !hasImage && !storage && !d.Unpacked && d.Flow != nil {
		call := d.Call
		if d.Group != nil {
			call = *d.Group
		}
		where := "the run cannot reach the flow's code"
		if t != nil && t.RunsRemotely {
			where = label + " runs flows away from this machine, so the run cannot reach the flow's code"
		}
		diag := r.report("code-unreachable", d.NameSpan, "%s() has no image= and the flow does not come from flow.from_source(...): Prefect raises \"Either an image or remote storage location must be provided when deploying a deployment\" and %s; pass image= (an image with the flow's code) or load the flow with flow.from_source(source=..., entrypoint=...)", call.Method, where)
		flowName := "flow"
		if d.Flow != nil {
			flowName = strings.ReplaceAll(d.Flow.Name, "_", "-")
		}
		diag.Fixes = append(diag.Fixes, analysis.Fix{Title: "Add image= (build and push an image with the flow's code)", Edits: []source.Edit{insertKwarg(r.src.Text(), call, fmt.Sprintf("image=%q", flowName+":latest"))}, IsPreferred: true})
	}
	if t == nil {
		return
	}
	// cloud-only-pool.
	if r.cfg.Server == config.ServerSelfHosted && t.CloudOnly {
		alt := "a worker-based pool type"
		if t.HybridVariant != "" {
			alt = "the worker-based type " + t.HybridVariant + " with a worker"
		}
		v, _ := d.Arg("work_pool_name")
		r.report("cloud-only-pool", v.Span, "%s exists only on Prefect Cloud, but the configuration says server = \"self-hosted\"; use %s", label, alt)
	}
	// image-not-pushed: push=False to a pool that runs elsewhere.
	if push, ok := d.Arg("push"); ok && push.Known && push.V == false && hasImage && !literalFalse(d, "build") && t.RunsRemotely && t.Kind != workpools.Managed && t.Name != "docker" {
		diag := r.report("image-not-pushed", push.Span, "push=False leaves image %s on this machine, but %s pulls it from a registry on other hosts; the run fails to pull the image. Push it (remove push=False) or push it yourself before the run", image.Text, label)
		diag.Fixes = append(diag.Fixes, analysis.Fix{Title: "Remove push=False", Edits: []source.Edit{removeKwarg(r.src.Text(), d, "push")}})
	}
	// simpler-deployment-option, as on the prefect.yaml side: a process
	// pool where serve() would do, or a serverless hybrid pool with a
	// worker where its push variant needs none (not on a self-hosted server).
	switch {
	case t.Name == "process" && d.FromSource == nil:
		rec := guidance.Decide(Facts(r.cfg, d))
		if rec.Suggested == guidance.ModeServe && rec.Simpler {
			r.report("simpler-deployment-option", d.NameSpan, "%s runs flows as subprocesses on the worker's host; %s.serve(...) would do the same with no work pool and no worker to keep alive (see %s)", label, d.FlowName, guidance.GuideLink(guidance.ModeServe))
		}
	case t.Kind == workpools.Hybrid && t.Serverless && t.PushVariant != "" && r.cfg.Server != config.ServerSelfHosted:
		v, _ := d.Arg("work_pool_name")
		r.report("simpler-deployment-option", v.Span, "%s needs a worker running all the time; on Prefect Cloud the %s push pool runs the same jobs with no worker, if Prefect Cloud may hold credentials for your cloud account (see %s)", label, t.PushVariant, guidance.GuideLink(guidance.ModePushPool))
	}
	checkJobVariables(r, d, t, label)
}

func checkJobVariables(r *reporter, d *Deployment, t *workpools.Type, label string) {
	jv, ok := d.Arg("job_variables")
	if !ok || !jv.Known {
		return
	}
	m, ok := jv.V.(map[string]any)
	if !ok {
		return
	}
	// Only plain JSON values are judged.
	plain := map[string]any{}
	for k, v := range m {
		if jsonLike(v) {
			plain[k] = v
		}
	}
	problems, err := workpools.Validate(t.Name, plain)
	if err != nil {
		return
	}
	for _, p := range problems {
		if len(p.Path) == 0 {
			continue
		}
		span, ok := jv.Keys[p.Path[0]]
		if !ok {
			span = jv.Span
		}
		if p.Unknown {
			diag := r.report("unknown-job-variable", span, "job variable %q is not a variable of %s", p.Path[0], label)
			for i, s := range workpools.SuggestVariable(t.Name, p.Path[0]) {
				diag.Fixes = append(diag.Fixes, analysis.Fix{Title: fmt.Sprintf("Rename to %q", s), Edits: []source.Edit{{Span: span, NewText: fmt.Sprintf("%q", s)}}, IsPreferred: i == 0})
			}
			continue
		}
		r.report("job-variable-type", span, "job variable %q: %s", strings.Join(p.Path, "."), p.Message)
	}
}

func jsonLike(v any) bool {
	switch x := v.(type) {
	case nil, bool, int64, float64, string:
		return true
	case []any:
		for _, e := range x {
			if !jsonLike(e) {
				return false
			}
		}
		return true
	case map[string]any:
		for _, e := range x {
			if !jsonLike(e) {
				return false
			}
		}
		return true
	}
	return false
}

func checkSchedules(r *reporter, d *Deployment) {
	if v, ok := d.Arg("cron"); ok {
		checkCron(r, v)
	}
	if v, ok := d.Arg("interval"); ok {
		checkInterval(r, v)
	}
	if v, ok := d.Arg("rrule"); ok {
		checkRRule(r, v)
	}
	for _, key := range []string{"schedule", "schedules"} {
		v, ok := d.Arg(key)
		if !ok || !v.Known {
			continue
		}
		items := []Value{v}
		if key == "schedules" {
			items = nil
			if _, ok := v.V.([]any); ok {
				items = constructsIn(v)
			}
		}
		for _, it := range items {
			c, ok := it.V.(*Construct)
			if !ok {
				continue
			}
			var first *Value
			if len(c.Args) > 0 {
				first = &c.Args[0]
			}
			switch c.Name {
			case "Cron", "CronSchedule":
				if a, ok := c.Kwargs["cron"]; ok {
					first = &a
				}
				if first != nil {
					checkCron(r, *first)
				}
			case "Interval", "IntervalSchedule":
				if a, ok := c.Kwargs["interval"]; ok {
					first = &a
				}
				if first != nil {
					checkInterval(r, *first)
				}
			case "RRule", "RRuleSchedule":
				if a, ok := c.Kwargs["rrule"]; ok {
					first = &a
				}
				if first != nil {
					checkRRule(r, *first)
				}
			}
			if tz, ok := c.Kwargs["timezone"]; ok {
				checkTimezone(r, tz)
			}
		}
	}
}

// constructsIn returns the constructor calls of a literal list with their
// spans (re-read from the list's text).
func constructsIn(v Value) []Value {
	toks, _ := pyflow.Tokenize([]byte(v.Text))
	var out []Value
	depth := 0
	start := -1
	for _, t := range toks {
		if t.Kind != pyflow.Op {
			if depth == 1 && start < 0 && (t.Kind == pyflow.Name) {
				start = t.Start
			}
			continue
		}
		switch v.Text[t.Start:t.End] {
		case "[", "(", "{":
			depth++
		case "]", ")", "}":
			depth--
			if depth == 0 && start >= 0 {
				out = append(out, parseValue(v.Text[start:t.Start], v.Span.Start+start))
				start = -1
			}
		case ",":
			if depth == 1 && start >= 0 {
				out = append(out, parseValue(v.Text[start:t.Start], v.Span.Start+start))
				start = -1
			}
		}
	}
	for i := range out {
		out[i] = parseValue(strings.TrimSpace(out[i].Text), out[i].Span.Start)
	}
	return out
}

func checkCron(r *reporter, v Value) {
	s, ok := v.V.(string)
	if !v.Known || !ok {
		return
	}
	if problem, _, ok := schedule.ValidateCron(s); !ok {
		r.report("invalid-cron", v.Span, "invalid cron expression %q: %s", s, problem)
	}
}

func checkInterval(r *reporter, v Value) {
	if !v.Known {
		return
	}
	secs, ok := seconds(v.V)
	if !ok {
		if _, isStr := v.V.(string); isStr {
			r.report("invalid-interval", v.Span, "interval must be a number of seconds or a timedelta, not a string")
		}
		return
	}
	if secs <= 0 {
		r.report("invalid-interval", v.Span, "interval must be positive (Prefect refuses %s)", v.Text)
	}
}

func checkRRule(r *reporter, v Value) {
	s, ok := v.V.(string)
	if !v.Known || !ok {
		return
	}
	if problem, ok := schedule.ValidateRRule(s); !ok {
		r.report("invalid-rrule", v.Span, "invalid RRule %q: %s", s, problem)
	}
}

func checkTimezone(r *reporter, v Value) {
	s, ok := v.V.(string)
	if !v.Known || !ok {
		return
	}
	if problem, suggestions, ok := schedule.ValidateTimezone(s); !ok {
		diag := r.report("invalid-timezone", v.Span, "%s", problem)
		for i, sug := range suggestions {
			diag.Fixes = append(diag.Fixes, analysis.Fix{Title: fmt.Sprintf("Change to %q", sug), Edits: []source.Edit{{Span: v.Span, NewText: fmt.Sprintf("%q", sug)}}, IsPreferred: i == 0})
		}
	}
}

func checkParameters(r *reporter, d *Deployment) {
	f := d.Flow
	if f == nil {
		return
	}
	pv, ok := d.Arg("parameters")
	if !ok || !pv.Known {
		return
	}
	params, ok := pv.V.(map[string]any)
	if !ok {
		return
	}
	var names []string
	for _, p := range f.NamedParams() {
		names = append(names, p.Name)
	}
	var missing []string
	for _, p := range f.NamedParams() {
		if _, given := params[p.Name]; !given && !p.HasDefault && p.Kind != pyflow.VarPositional && p.Kind != pyflow.VarKeyword {
			missing = append(missing, p.Name)
		}
	}
	if len(missing) > 0 && !d.Unpacked {
		r.report("missing-required-parameter", pv.Span, "flow %s requires %s, which parameters= does not give: runs started by a schedule or without parameters fail", f.Name, strings.Join(missing, ", "))
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		span := pv.Keys[k]
		p := f.Param(k)
		if p == nil || p.Kind == pyflow.VarPositional || p.Kind == pyflow.VarKeyword {
			if f.AcceptsVarKeyword() {
				continue
			}
			diag := r.report("unknown-parameter", span, "flow %s takes no parameter %q; its parameters: %s", f.Name, k, strings.Join(names, ", "))
			for i, s := range textdist.Closest(k, names) {
				if _, taken := params[s]; taken {
					continue
				}
				diag.Fixes = append(diag.Fixes, analysis.Fix{Title: fmt.Sprintf("Rename to %q", s), Edits: []source.Edit{{Span: span, NewText: fmt.Sprintf("%q", s)}}, IsPreferred: i == 0})
			}
			continue
		}
		if p.Annotation == "" || !jsonLike(params[k]) {
			continue
		}
		if verdict, why := pyflow.Judge(p.Annotation, params[k]); verdict == pyflow.Rejected {
			r.report("parameter-type", span, "parameter %q of flow %s is annotated %s: %s", k, f.Name, p.Annotation, why)
		}
	}
}

// insertKwarg inserts `kw` as the last argument of call.
func insertKwarg(text string, call pyflow.Call, kw string) source.Edit {
	end := call.Span.End - 1 // the closing parenthesis
	if end < 0 || end >= len(text) || text[end] != ')' {
		return source.Edit{Span: source.Span{Start: call.Span.End, End: call.Span.End}}
	}
	i := end
	for i > 0 && (text[i-1] == ' ' || text[i-1] == '\t' || text[i-1] == '\n' || text[i-1] == '\r') {
		i--
	}
	if len(call.Args) == 0 && len(call.Kwargs) == 0 {
		return source.Edit{Span: source.Span{Start: end, End: end}, NewText: kw}
	}
	if text[i-1] == ',' {
		return source.Edit{Span: source.Span{Start: i, End: i}, NewText: " " + kw + ","}
	}
	return source.Edit{Span: source.Span{Start: i, End: i}, NewText: ", " + kw}
}

// removeKwarg deletes a keyword argument of d's own call with its comma.
func removeKwarg(text string, d *Deployment, name string) source.Edit {
	k := d.Call.Kwarg(name)
	if k == nil {
		return source.Edit{}
	}
	start, end := k.Span.Start, k.Span.End
	j := end
	for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
		j++
	}
	if j < len(text) && text[j] == ',' {
		end = j + 1
		for end < len(text) && text[end] == ' ' {
			end++
		}
		return source.Edit{Span: source.Span{Start: start, End: end}}
	}
	i := start
	for i > 0 && (text[i-1] == ' ' || text[i-1] == '\t' || text[i-1] == '\n') {
		i--
	}
	if i > 0 && text[i-1] == ',' {
		start = i - 1
	}
	return source.Edit{Span: source.Span{Start: start, End: end}}
}

// literalFalse reports whether the named argument is the literal False.
func literalFalse(d *Deployment, name string) bool {
	v, ok := d.Arg(name)
	return ok && v.Known && v.V == false
}
