package deployinfo

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/schedule"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// ServeFileName is the serve script's file name for a deployment:
// serve_<deployment>.py with the name lower-cased and every run of
// characters other than ASCII letters and digits turned into "_".
func ServeFileName(deploymentName string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(deploymentName) {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			under = false
			continue
		}
		if !under && b.Len() > 0 {
			b.WriteByte('_')
			under = true
		}
	}
	s := strings.TrimRight(b.String(), "_")
	if s == "" {
		s = "deployment"
	}
	return "serve_" + s + ".py"
}

// ServeScriptFor is ServeScript with the flow taken from the deployment's
// entrypoint ("path/to/file.py:func" or "pkg.module.func"). ok is false when
// the entrypoint is missing or malformed.
func ServeScriptFor(d *prefectyaml.Deployment) (filename, content string, ok bool) {
	module, fn, ok := splitEntrypoint(d)
	if !ok {
		return "", "", false
	}
	filename, content = ServeScript(d, module, fn)
	return filename, content, true
}

// ServeScript writes a Python script that serves the deployment's flow with
// flow.serve (prefect.md §5): serve_<deployment>.py, meant for the project
// root. flowModule is the entrypoint's file path relative to the project
// root ("flows/etl.py") or a dotted module ("pkg.flows"); flowFunc is the
// function ("etl" or "Class.method"). A file path is loaded with
// importlib.util.spec_from_file_location relative to the script, so paths
// that are not importable module names (dashes, no __init__.py) work too.
//
// The deployment's name, schedules (cron/interval/rrule, or schedules=[...]
// of prefect.schedules Cron/Interval/RRule when there are several or they
// carry a timezone, anchor date or other options), parameters, tags,
// description, version, paused, concurrency_limit (as global_limit) and
// enforce_parameter_schema are translated; what serve cannot take (work pool,
// triggers, build/push/pull steps) is listed in a comment.
func ServeScript(d *prefectyaml.Deployment, flowModule, flowFunc string) (filename, content string) {
	return script(d, flowModule, flowFunc, false)
}

// DeployFileName is the deploy script's file name: deploy_<deployment>.py.
func DeployFileName(deploymentName string) string {
	return "deploy_" + strings.TrimPrefix(ServeFileName(deploymentName), "serve_")
}

// DeployScriptFor is DeployScript with the flow taken from the deployment's
// entrypoint; ok is false when the entrypoint is missing or malformed.
func DeployScriptFor(d *prefectyaml.Deployment) (filename, content string, ok bool) {
	module, fn, ok := splitEntrypoint(d)
	if !ok {
		return "", "", false
	}
	filename, content = DeployScript(d, module, fn)
	return filename, content, true
}

// DeployScript writes a Python script that creates the deployment with
// flow.deploy (prefect.md §5): deploy_<deployment>.py for the project root,
// with what ServeScript translates plus the work pool (work_pool_name,
// job_variables, work_queue_name), the image (a literal
// job_variables.image, or the image_name/tag of a build_docker_image step,
// built and pushed by deploy unless the prefect.yaml has no push step) and a
// git_clone pull step's repository as flow.from_source(source=...,
// entrypoint=...). What does not translate is listed in a comment.
func DeployScript(d *prefectyaml.Deployment, flowModule, flowFunc string) (filename, content string) {
	return script(d, flowModule, flowFunc, true)
}

func splitEntrypoint(d *prefectyaml.Deployment) (module, fn string, ok bool) {
	ep, _ := d.Entrypoint.Str()
	ep = strings.TrimSpace(ep)
	if ep == "" {
		return "", "", false
	}
	if i := strings.LastIndexByte(ep, ':'); i >= 0 {
		module, fn = ep[:i], ep[i+1:]
	} else if i := strings.LastIndexByte(ep, '.'); i > 0 {
		module, fn = ep[:i], ep[i+1:]
	}
	if module == "" || !dottedIdentifier(fn) {
		return "", "", false
	}
	return module, fn, true
}

func script(d *prefectyaml.Deployment, flowModule, flowFunc string, deploy bool) (filename, content string) {
	name := d.DisplayName()
	filename = ServeFileName(name)
	if deploy {
		filename = DeployFileName(name)
	}
	var b strings.Builder
	if deploy {
		b.WriteString(`"""Create the ` + pyDocText(name) + ` deployment with flow.deploy().

Written by prefect-lsp from prefect.yaml. Run it once (and after changes):

    python ` + filename + `

A worker of the work pool (or the push/managed pool's infrastructure) runs
the flow runs.
"""
`)
	} else {
		b.WriteString(`"""Serve the ` + pyDocText(name) + ` deployment with flow.serve().

Written by prefect-lsp from prefect.yaml. Run it on a machine that stays up:

    python ` + filename + `

It registers the deployment with no work pool and polls for its runs,
executing each one as a subprocess of this process (no worker needed).
Stopping it pauses the schedules unless pause_on_shutdown=False.
"""
`)
	}
	imports := []string{}
	var kwargs []string
	var notes []string
	kwargs = append(kwargs, "name="+pyStr(name))

	// Schedules.
	scheds, schedNotes, needObjects := serveSchedules(d)
	notes = append(notes, schedNotes...)
	switch {
	case len(scheds) == 0:
	case needObjects || len(scheds) > 1:
		var objs []string
		kinds := map[string]bool{}
		for _, s := range scheds {
			objs = append(objs, s.object())
			kinds[s.kind] = true
		}
		var names []string
		for _, k := range []string{"Cron", "Interval", "RRule"} {
			if kinds[k] {
				names = append(names, k)
			}
		}
		for _, o := range objs {
			if strings.Contains(o, "datetime.fromisoformat") {
				imports = append(imports, "from datetime import datetime")
				break
			}
		}
		imports = append(imports, "from prefect.schedules import "+strings.Join(names, ", "))
		if len(objs) == 1 {
			kwargs = append(kwargs, "schedules=["+objs[0]+"]")
		} else {
			kwargs = append(kwargs, "schedules=[\n        "+strings.Join(objs, ",\n        ")+",\n    ]")
		}
	default:
		kwargs = append(kwargs, scheds[0].shortcut())
	}

	if v := fieldPy(d.Parameters); v != "" && v != "{}" {
		kwargs = append(kwargs, "parameters="+v)
	}
	if d.Tags.Set() {
		if s, ok := d.Tags.Str(); ok {
			kwargs = append(kwargs, "tags=["+pyStr(s)+"]")
		} else if v := fieldPy(d.Tags); v != "" && v != "[]" {
			kwargs = append(kwargs, "tags="+v)
		}
	}
	for _, kv := range []struct {
		key string
		f   prefectyaml.Field
	}{{"description", d.Description}, {"version", d.Version}} {
		if kv.f.Set() {
			kwargs = append(kwargs, kv.key+"="+pyStr(kv.f.Text()))
		}
	}
	if b, ok := d.Paused.Bool(); ok {
		kwargs = append(kwargs, "paused="+pyBool(b))
	}
	if d.ConcurrencyLimit.Set() {
		if n, ok := d.ConcurrencyLimit.Value.Scalar().(int64); ok {
			if deploy {
				kwargs = append(kwargs, fmt.Sprintf("concurrency_limit=%d", n))
			} else {
				kwargs = append(kwargs, fmt.Sprintf("global_limit=%d", n))
			}
		} else {
			notes = append(notes, "concurrency_limit is not translated: pass global_limit= (an int or a ConcurrencyLimitConfig).")
		}
	}
	if b, ok := d.EnforceParameterSchema.Bool(); ok {
		kwargs = append(kwargs, "enforce_parameter_schema="+pyBool(b))
	}
	if d.Triggers.Set() {
		notes = append(notes, "triggers are not translated: pass triggers=[DeploymentEventTrigger(...)] from prefect.events.")
	}
	source := ""
	if deploy {
		var more []string
		source, more, notes = deployArgs(d, notes)
		kwargs = append(kwargs, more...)
	} else {
		if d.WorkPool != nil {
			notes = append(notes, "work_pool and its job_variables do not apply: serve runs flows as subprocesses of this process.")
		}
		if d.Steps("build") != nil || d.Steps("push") != nil || d.Steps("pull") != nil {
			notes = append(notes, "build, push and pull steps do not run: this script runs the code next to it.")
		}
	}

	// Import of the flow.
	var load []string
	if source != "" {
		imports = append(imports, "from prefect import flow")
		entry, _ := d.Entrypoint.Str()
		load = append(load, "flow_to_deploy = flow.from_source(source="+pyStr(source)+", entrypoint="+pyStr(strings.TrimSpace(entry))+")")
	} else if strings.HasSuffix(flowModule, ".py") || strings.ContainsAny(flowModule, `/\`) {
		imports = append(imports, "import importlib.util", "from pathlib import Path")
		path := strings.ReplaceAll(flowModule, `\`, "/")
		load = append(load,
			"_FLOW_FILE = Path(__file__).resolve().parent / "+pyStr(path),
			"_spec = importlib.util.spec_from_file_location("+pyStr(moduleName(path))+", _FLOW_FILE)",
			"_module = importlib.util.module_from_spec(_spec)",
			"_spec.loader.exec_module(_module)",
			"flow_to_serve = _module."+flowFunc,
		)
	} else {
		imports = append(imports, "import importlib")
		load = append(load, "flow_to_serve = importlib.import_module("+pyStr(flowModule)+")."+flowFunc)
	}
	if deploy {
		for i, l := range load {
			load[i] = strings.Replace(l, "flow_to_serve = ", "flow_to_deploy = ", 1)
		}
	}
	b.WriteString("\n")
	for _, im := range imports {
		b.WriteString(im + "\n")
	}
	b.WriteString("\n")
	for _, l := range load {
		b.WriteString(l + "\n")
	}
	b.WriteString("\n")
	if len(notes) > 0 {
		b.WriteString("# Not carried over from prefect.yaml:\n")
		for _, n := range notes {
			b.WriteString("# - " + n + "\n")
		}
		b.WriteString("\n")
	}
	call := "    flow_to_serve.serve(\n"
	if deploy {
		call = "    flow_to_deploy.deploy(\n"
	}
	b.WriteString("if __name__ == \"__main__\":\n")
	b.WriteString(call)
	for _, kw := range kwargs {
		b.WriteString("        " + strings.ReplaceAll(kw, "\n", "\n    ") + ",\n")
	}
	b.WriteString("    )\n")
	return filename, b.String()
}

// serveSchedule is one schedule translated for serve.
type serveSchedule struct {
	kind  string // "Cron", "Interval", "RRule"
	value string // Python expression of the first argument
	opts  []string
}

func (s serveSchedule) shortcut() string {
	return strings.ToLower(s.kind) + "=" + s.value
}

func (s serveSchedule) object() string {
	return s.kind + "(" + strings.Join(append([]string{s.value}, s.opts...), ", ") + ")"
}

func serveSchedules(d *prefectyaml.Deployment) (out []serveSchedule, notes []string, needObjects bool) {
	for _, s := range d.Schedules {
		var sc serveSchedule
		switch {
		case s.Cron.Set():
			sc = serveSchedule{kind: "Cron", value: pyStr(s.Cron.Text())}
			if b, ok := s.DayOr.Bool(); ok {
				sc.opts = append(sc.opts, "day_or="+pyBool(b))
			}
		case s.Interval.Set():
			v := s.Interval.Value.Scalar()
			if str, ok := v.(string); ok {
				v = str
			}
			dur, problem := schedule.ParseInterval(v)
			if problem != "" {
				notes = append(notes, fmt.Sprintf("schedule %d (interval %s) is not translated: %s.", s.Index+1, s.Interval.Text(), problem))
				continue
			}
			sc = serveSchedule{kind: "Interval", value: pySeconds(dur)}
			if s.AnchorDate.Set() {
				sc.opts = append(sc.opts, "anchor_date=datetime.fromisoformat("+pyStr(s.AnchorDate.Text())+")")
				needObjects = true
			}
		case s.RRule.Set():
			sc = serveSchedule{kind: "RRule", value: pyStr(s.RRule.Text())}
		default:
			continue
		}
		if s.Timezone.Set() {
			sc.opts = append(sc.opts, "timezone="+pyStr(s.Timezone.Text()))
		}
		if b, ok := s.Active.Bool(); ok {
			sc.opts = append(sc.opts, "active="+pyBool(b))
		}
		if v := fieldPy(s.Parameters); v != "" && v != "{}" {
			sc.opts = append(sc.opts, "parameters="+v)
		}
		if s.Slug.Set() {
			sc.opts = append(sc.opts, "slug="+pyStr(s.Slug.Text()))
		}
		if len(sc.opts) > 0 {
			needObjects = true
		}
		out = append(out, sc)
	}
	return out, notes, needObjects
}

// pySeconds writes a duration as seconds: an int when whole.
func pySeconds(d time.Duration) string {
	if d%time.Second == 0 {
		return strconv.FormatInt(int64(d/time.Second), 10)
	}
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// fieldPy renders a field's value as a Python literal ("" when absent).
func fieldPy(f prefectyaml.Field) string {
	if !f.Set() {
		return ""
	}
	v, err := yamlsyntax.Value(f.Value)
	if err != nil {
		return ""
	}
	return pyLiteral(v, 0)
}

// pyLiteral renders a decoded YAML value as a Python literal.
func pyLiteral(v any, depth int) string {
	if depth > 50 {
		return "None"
	}
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		return pyBool(x)
	case string:
		return pyStr(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case *big.Int:
		return x.String()
	case float64:
		switch {
		case math.IsInf(x, 1):
			return `float("inf")`
		case math.IsInf(x, -1):
			return `float("-inf")`
		case math.IsNaN(x):
			return `float("nan")`
		}
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return s
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyLiteral(e, depth+1)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := sortedKeys(x)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyStr(k) + ": " + pyLiteral(x[k], depth+1)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case map[any]any:
		parts := []string{}
		for k, e := range x {
			parts = append(parts, pyLiteral(k, depth+1)+": "+pyLiteral(e, depth+1))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case fmt.Stringer:
		return pyStr(x.String())
	}
	return pyStr(fmt.Sprint(v))
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// pyStr writes a Python string literal. Go's quoting escapes are all valid
// in Python 3 string literals (\a \b \f \n \r \t \v \xNN \uNNNN \UNNNNNNNN).
func pyStr(s string) string {
	return strconv.Quote(s)
}

// pyDocText makes a name safe inside a triple-quoted docstring.
func pyDocText(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"""`, `\"\"\"`)
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || !unicode.IsPrint(r) {
			return ' '
		}
		return r
	}, s)
}

// moduleName is the name the flow's file is loaded under.
func moduleName(path string) string {
	base := path
	if i := strings.LastIndexByte(base, '/'); i >= 0 {
		base = base[i+1:]
	}
	base = strings.TrimSuffix(base, ".py")
	var b strings.Builder
	for _, r := range base {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 || unicode.IsDigit(rune(b.String()[0])) {
		return "flow_module_" + b.String()
	}
	return b.String()
}

func dottedIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" {
			return false
		}
		for i, r := range part {
			if !(r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))) {
				return false
			}
		}
	}
	return true
}

// deployArgs translates the work pool, the image and a git_clone pull step
// for DeployScript. source is the git repository for flow.from_source ("" for
// none).
func deployArgs(d *prefectyaml.Deployment, notes []string) (source string, kwargs, outNotes []string) {
	hasImage := false
	if wp := d.WorkPool; wp != nil {
		if n, ok := wp.Name.Str(); ok && n != "" && !strings.Contains(n, "{{") {
			kwargs = append(kwargs, "work_pool_name="+pyStr(n))
		} else if wp.Name.Set() {
			notes = append(notes, "work_pool.name is not a literal: pass work_pool_name=.")
		}
		if q, ok := wp.WorkQueueName.Str(); ok && q != "" {
			kwargs = append(kwargs, "work_queue_name="+pyStr(q))
		}
		if jv, err := yamlsyntax.Value(wp.JobVariables.Value); err == nil && wp.JobVariables.Set() {
			if m, ok := jv.(map[string]any); ok {
				if img, ok := m["image"].(string); ok {
					delete(m, "image")
					if !strings.Contains(img, "{{") {
						kwargs = append(kwargs, "image="+pyStr(img), "build=False", "push=False")
						hasImage = true
					}
				}
				if len(m) > 0 {
					kwargs = append(kwargs, "job_variables="+pyLiteral(m, 0))
				}
			}
		}
	} else {
		notes = append(notes, "the deployment names no work pool: pass work_pool_name= (deploy needs one).")
	}
	if !hasImage {
		if build := d.Steps("build"); build != nil {
			for _, st := range build.Steps {
				if !strings.HasSuffix(st.Function, "build_docker_image") {
					continue
				}
				n, _ := st.Arg("image_name").Str()
				tag, _ := st.Arg("tag").Str()
				if n == "" || strings.Contains(n, "{{") || strings.Contains(tag, "{{") {
					notes = append(notes, "the build_docker_image step's image_name/tag are not literals: pass image=.")
					break
				}
				img := n
				if tag != "" {
					img += ":" + tag
				}
				kwargs = append(kwargs, "image="+pyStr(img))
				if d.Steps("push") == nil {
					kwargs = append(kwargs, "push=False")
				}
				hasImage = true
				break
			}
		}
	}
	if pull := d.Steps("pull"); pull != nil {
		for _, st := range pull.Steps {
			if strings.HasSuffix(st.Function, "git_clone") {
				if repo, ok := st.Arg("repository").Str(); ok && repo != "" && !strings.Contains(repo, "{{") {
					source = repo
					continue
				}
			}
			notes = append(notes, "pull step "+st.Function+" is not translated: flow.from_source(...) takes a git URL or a storage object.")
		}
	}
	if source == "" && !hasImage {
		notes = append(notes, "neither an image nor a git repository: deploy() raises \"Either an image or remote storage location must be provided\"; pass image= or use flow.from_source(...).")
	}
	for _, sec := range []string{"build", "push"} {
		if st := d.Steps(sec); st != nil && !hasImage {
			notes = append(notes, sec+" steps are not translated.")
		}
	}
	return source, kwargs, notes
}
