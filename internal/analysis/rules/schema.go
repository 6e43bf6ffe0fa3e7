package rules

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/schemanav"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
	"github.com/prefect-lsp/prefect-lsp/schema"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// schemaFinding is one validation error mapped back to the YAML.
type schemaFinding struct {
	rule    string // unknown-key, wrong-type, invalid-value, string-expected
	span    source.Span
	via     *yamlsyntax.Node
	message string
	fixes   []analysis.Fix
	sev     *analysis.Severity
}

var printer = message.NewPrinter(language.English)

// schemaFindings validates the document against the strict schema once per
// run and maps every error to the key or value it is about. Deployments are
// validated one by one against $defs/deployment, and the verdict for a
// deployment whose value did not change is reused (editing one deployment
// of a thousand revalidates one).
func schemaFindings(p *analysis.Pass) []schemaFinding {
	v := p.Memo("schema-findings", func() any {
		root := p.Doc.Root
		if root == nil || !p.Doc.Loadable || root.Resolve().Kind != yamlsyntax.MappingNode {
			return []schemaFinding(nil)
		}
		// Conforming values are recognised on schema.Index(); the
		// compiled schema is needed only to explain a violation.
		idx := schema.Index()
		dep := idx.Lookup("/$defs/deployment")
		var errs []*jsonschema.ValidationError
		depsPair, hasDeps := root.Get("deployments")
		if hasDeps && dep != nil && depsPair.Value.Resolve().Kind == yamlsyntax.SequenceNode {
			// Validate the top level with an empty list, then each item,
			// reusing verdicts of unchanged parts.
			topErrs, ok := cachedTopLevelLeaves(p, idx.Root(), root)
			if !ok {
				return []schemaFinding(nil)
			}
			errs = append(errs, topErrs...)
			for i, item := range depsPair.Value.Items() {
				if p.Skips(i) {
					continue
				}
				leaves, ok := cachedDeploymentLeaves(p, dep, item, []string{"deployments", strconv.Itoa(i)})
				if !ok {
					return []schemaFinding(nil)
				}
				errs = append(errs, leaves...)
			}
		} else if quickCheck(idx.Root(), root, 0) != conforms {
			sch, err := schema.Compile()
			if err != nil {
				return []schemaFinding(nil)
			}
			inst, err := yamlsyntax.Value(root)
			if err != nil {
				return []schemaFinding(nil)
			}
			errs = validationLeaves(sch, inst, nil)
		}
		if len(errs) == 0 {
			return []schemaFinding(nil)
		}
		sch, err := schema.Compile()
		if err != nil {
			return []schemaFinding(nil)
		}
		var out []schemaFinding
		for _, leaf := range errs {
			out = append(out, mapFinding(p, sch, leaf)...)
		}
		return out
	})
	return v.([]schemaFinding)
}

// validationLeaves validates inst and returns the errors worth reporting,
// with instance locations prefixed by prefix.
func validationLeaves(sch *jsonschema.Schema, inst any, prefix []string) []*jsonschema.ValidationError {
	verr := sch.Validate(inst)
	var ve *jsonschema.ValidationError
	if !errors.As(verr, &ve) {
		return nil
	}
	ls := leaves(ve)
	if len(prefix) == 0 {
		return ls
	}
	out := make([]*jsonschema.ValidationError, len(ls))
	for i, l := range ls {
		c := *l
		c.InstanceLocation = append(append([]string{}, prefix...), l.InstanceLocation...)
		out[i] = &c
	}
	return out
}

// deploymentVerdicts caches validation leaves (relative to the deployment)
// by the deployment's canonical JSON. Bounded: cleared when full.
var deploymentVerdicts = struct {
	sync.Mutex
	m map[string][]*jsonschema.ValidationError
}{m: map[string][]*jsonschema.ValidationError{}}

const maxCachedVerdicts = 50_000

func cachedDeploymentLeaves(p *analysis.Pass, dep *schemanav.Schema, item *yamlsyntax.Node, prefix []string) ([]*jsonschema.ValidationError, bool) {
	r := item.Resolve()
	if r == nil || r.Kind != yamlsyntax.MappingNode {
		sch, err := schema.CompileDeployment()
		if err != nil {
			return nil, false
		}
		return cachedLeaves(p, sch, "d:", item, prefix)
	}
	// The deployment schema is an object of known properties with
	// additionalProperties false: validate key by key, so that values
	// shared by many deployments (an aliased work_pool, schedules) and
	// unchanged ones are validated once.
	var out []*jsonschema.ValidationError
	var unknown []string
	for _, pr := range r.Pairs() {
		name := pr.KeyText()
		ls, ok := dep.Properties[name]
		if !ok {
			unknown = append(unknown, name)
			continue
		}
		if surelyConforms(ls, pr.Value) {
			continue // the common case, before any key or path is built
		}
		ps, ok := schema.DeploymentProperty(name)
		if !ok {
			return nil, false // the index and the compilation disagree (schema.TestIndexMirrorsCompiled holds them together)
		}
		leaves, ok := cachedLeaves(p, ps, "p:"+name+"\x00", pr.Value, append(append([]string{}, prefix...), name))
		if !ok {
			return nil, false
		}
		out = append(out, leaves...)
	}
	if len(unknown) > 0 {
		sch, err := schema.CompileDeployment()
		if err != nil {
			return nil, false
		}
		out = append(out, &jsonschema.ValidationError{SchemaURL: sch.Location, InstanceLocation: append([]string{}, prefix...), ErrorKind: &kind.AdditionalProperties{Properties: unknown}})
	}
	return out, true
}

// cachedLeaves validates the value of node against sch, reusing the verdict
// for the same schema (named by family) and the same source texts, and
// returns the errors with instance locations under prefix.
func cachedLeaves(p *analysis.Pass, sch *jsonschema.Schema, family string, node *yamlsyntax.Node, prefix []string) ([]*jsonschema.ValidationError, bool) {
	if surelyConforms(schema.Navigable(sch), node) {
		return nil, true
	}
	if r := node.Resolve(); r != nil && r.Kind == yamlsyntax.SequenceNode {
		if items, ok := arrayItems(sch); ok {
			// A list whose schema only constrains its items: validate (and
			// cache) item by item, so that one new schedule in a list does
			// not revalidate the others.
			var out []*jsonschema.ValidationError
			for i, item := range r.Content() {
				leaves, ok := cachedLeaves(p, items, family+"[]", item, append(append([]string{}, prefix...), strconv.Itoa(i)))
				if !ok {
					return nil, false
				}
				out = append(out, leaves...)
			}
			return out, true
		}
	}
	key, ok := deploymentKey(p, node)
	var rel []*jsonschema.ValidationError
	if ok {
		key = family + key
		deploymentVerdicts.Lock()
		rel, ok = deploymentVerdicts.m[key]
		deploymentVerdicts.Unlock()
	} else {
		key = ""
	}
	if !ok {
		d, err := yamlsyntax.Value(node)
		if err != nil {
			return nil, false
		}
		rel = validationLeaves(sch, d, nil)
		if key != "" {
			deploymentVerdicts.Lock()
			if len(deploymentVerdicts.m) >= maxCachedVerdicts {
				deploymentVerdicts.m = map[string][]*jsonschema.ValidationError{}
			}
			deploymentVerdicts.m[key] = rel
			deploymentVerdicts.Unlock()
		}
	}
	out := make([]*jsonschema.ValidationError, len(rel))
	for i, l := range rel {
		c := *l
		c.InstanceLocation = append(append([]string{}, prefix...), l.InstanceLocation...)
		out[i] = &c
	}
	return out, true
}

// surelyConforms reports whether node's value is valid against sch without
// asking jsonschema: a schema that admits any value of its type (a
// deployment's name, description or parameters), or a value quickCheck
// decides (most values).
func surelyConforms(sch *schemanav.Schema, node *yamlsyntax.Node) bool {
	if sch == nil {
		return false // not a schema of the index: ask jsonschema
	}
	if jt := jsonType(node); jt != "" && acceptsAny(sch, jt) {
		return true
	}
	return quickCheck(sch, node, 0) == conforms
}

// jsonType is the JSON Schema type of a node's value ("" when unknown).
func jsonType(n *yamlsyntax.Node) string {
	r := n.Resolve()
	if r == nil {
		return ""
	}
	switch r.Kind {
	case yamlsyntax.MappingNode:
		return "object"
	case yamlsyntax.SequenceNode:
		return "array"
	}
	switch r.Tag() {
	case yamlsyntax.TagStr, yamlsyntax.TagTimestamp:
		return "string"
	case yamlsyntax.TagBool:
		return "boolean"
	case yamlsyntax.TagNull:
		return "null"
	case yamlsyntax.TagInt:
		return "integer"
	case yamlsyntax.TagFloat:
		return "number"
	}
	return ""
}

type anyKey struct {
	s  *schemanav.Schema
	jt string
}

var anySchemas sync.Map // anyKey → bool

// acceptsAny reports whether every value of JSON type jt is valid against
// s: its type admits jt and nothing else constrains such values. It is
// conservative: anything it does not understand counts as a constraint.
func acceptsAny(s *schemanav.Schema, jt string) bool {
	k := anyKey{s, jt}
	if v, ok := anySchemas.Load(k); ok {
		return v.(bool)
	}
	ok := acceptsAnyValue(s, jt, 0)
	anySchemas.Store(k, ok)
	return ok
}

func typeAdmits(types []string, jt string) bool {
	return slices.Contains(types, jt) || (jt == "integer" && slices.Contains(types, "number"))
}

func acceptsAnyValue(s *schemanav.Schema, jt string, depth int) bool {
	if s == nil || depth > 16 {
		return false
	}
	if s.Bool != nil {
		return *s.Bool
	}
	if s.Opaque {
		return false
	}
	if s.Types != nil && !typeAdmits(s.Types, jt) {
		return false
	}
	if s.HasEnum || s.HasConst || s.Not != nil || len(s.AllOf) > 0 || len(s.OneOf) > 0 || s.If != nil {
		return false
	}
	switch jt {
	case "string":
		if s.Pattern != nil || s.MinLength != nil || s.MaxLength != nil {
			return false
		}
	case "object":
		if len(s.Properties) > 0 || len(s.PatternProperties) > 0 || s.AdditionalProperties != nil || len(s.Required) > 0 || s.MinProperties != nil || s.MaxProperties != nil {
			return false
		}
	case "array":
		if s.Items != nil || s.MinItems != nil || s.MaxItems != nil {
			return false
		}
	case "integer", "number":
		if s.Minimum != nil || s.Maximum != nil || s.ExclusiveMinimum != nil || s.ExclusiveMaximum != nil {
			return false
		}
	}
	if s.Ref != nil && !acceptsAnyValue(s.Ref, jt, depth+1) {
		return false
	}
	if len(s.AnyOf) > 0 {
		for _, b := range s.AnyOf {
			if acceptsAnyValue(b, jt, depth+1) {
				return true
			}
		}
		return false
	}
	return true
}

// arrayItems returns the item schema when the only way s accepts an array
// is "an array whose items match the item schema" (e.g. anyOf: [array of
// X, null]); then validating a list equals validating each item.
func arrayItems(s *jsonschema.Schema) (*jsonschema.Schema, bool) {
	if s == nil || s.Bool != nil || s.Ref != nil || s.Not != nil || len(s.AllOf) > 0 || len(s.OneOf) > 0 || s.If != nil ||
		s.Enum != nil || s.Const != nil || s.DynamicRef != nil || s.RecursiveRef != nil || len(s.Extensions) > 0 {
		return nil, false
	}
	if len(s.AnyOf) > 0 {
		if s.Types != nil || s.Items != nil || s.Items2020 != nil {
			return nil, false
		}
		var found *jsonschema.Schema
		for _, b := range s.AnyOf {
			if b.Types == nil {
				return nil, false // cannot tell whether it admits arrays
			}
			if !slices.Contains(b.Types.ToStrings(), "array") {
				continue
			}
			if found != nil {
				return nil, false
			}
			found = b
		}
		if found == nil {
			return nil, false
		}
		return arrayItems(found)
	}
	if s.Types == nil || len(s.Types.ToStrings()) != 1 || s.Types.ToStrings()[0] != "array" || s.Items2020 == nil ||
		s.Items != nil || len(s.PrefixItems) > 0 || s.AdditionalItems != nil || s.Contains != nil ||
		s.MinItems != nil || s.MaxItems != nil || s.UniqueItems || s.UnevaluatedItems != nil {
		return nil, false
	}
	return s.Items2020, true
}

// cachedTopLevelLeaves validates everything but the deployments' items:
// the top-level keys, with "deployments" given as an empty list. The
// verdict is reused while those keys' texts do not change.
func cachedTopLevelLeaves(p *analysis.Pass, topSchema *schemanav.Schema, root *yamlsyntax.Node) ([]*jsonschema.ValidationError, bool) {
	if quickCheckTopLevel(topSchema, root) {
		return nil, true
	}
	sch, err := schema.Compile()
	if err != nil {
		return nil, false
	}
	var key strings.Builder
	key.WriteString("top:")
	cacheable := true
	for _, pr := range root.Pairs() {
		if pr.KeyText() == "deployments" {
			continue
		}
		k, ok := deploymentKey(p, pr.Value)
		if !ok {
			cacheable = false
			break
		}
		fmt.Fprintf(&key, "%q\x00%s\x01", pr.KeyText(), k)
	}
	if cacheable {
		deploymentVerdicts.Lock()
		v, hit := deploymentVerdicts.m[key.String()]
		deploymentVerdicts.Unlock()
		if hit {
			return v, true
		}
	}
	top := make(map[string]any, len(root.Pairs()))
	for _, pr := range root.Pairs() {
		if pr.KeyText() == "deployments" {
			top["deployments"] = []any{}
			continue
		}
		v, err := yamlsyntax.Value(pr.Value)
		if err != nil {
			return nil, false
		}
		top[pr.KeyText()] = v
	}
	errs := validationLeaves(sch, top, nil)
	if cacheable {
		deploymentVerdicts.Lock()
		if len(deploymentVerdicts.m) >= maxCachedVerdicts {
			deploymentVerdicts.m = map[string][]*jsonschema.ValidationError{}
		}
		deploymentVerdicts.m[key.String()] = errs
		deploymentVerdicts.Unlock()
	}
	return errs, true
}

// deploymentKey identifies a deployment's value for the verdict cache: its
// source text (from the start of its first line, so indentation counts)
// followed by the text of every anchored node it reaches through aliases,
// transitively. The texts determine the value PyYAML builds.
func deploymentKey(p *analysis.Pass, item *yamlsyntax.Node) (string, bool) {
	const maxKey = 1 << 20
	text := p.Src.Text()
	var b strings.Builder
	seen := map[*yamlsyntax.Node]int{}
	var write func(n *yamlsyntax.Node, depth int) bool
	var walk func(n *yamlsyntax.Node, depth int) bool
	write = func(n *yamlsyntax.Node, depth int) bool {
		start := p.Src.LineStart(p.Src.LineOf(n.Span.Start))
		b.WriteString(text[start:n.Span.End])
		return b.Len() <= maxKey && walk(n, depth)
	}
	walk = func(n *yamlsyntax.Node, depth int) bool {
		if depth > 200 {
			return false
		}
		if n.Kind == yamlsyntax.AliasNode {
			t := n.Target()
			if t == nil {
				return false
			}
			if i, ok := seen[t]; ok {
				fmt.Fprintf(&b, "\x00*%d", i)
				return true
			}
			seen[t] = len(seen)
			b.WriteString("\x00&")
			return write(t, depth+1)
		}
		for _, c := range n.Content() {
			if !walk(c, depth+1) {
				return false
			}
		}
		return true
	}
	if !write(item, 0) {
		return "", false
	}
	return b.String(), true
}

// leaves flattens an error tree to the errors worth reporting: in anyOf and
// oneOf it keeps the branch that got deepest into the instance, and merges
// branches that all failed on the value's type into one type error.
func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	switch e.ErrorKind.(type) {
	case *kind.AnyOf, *kind.OneOf:
		var branches [][]*jsonschema.ValidationError
		allType := true
		var want []string
		var got string
		for _, c := range e.Causes {
			l := leaves(c)
			if placeholderBranch(l) {
				// "or a {{ placeholder }}" alternatives: the templating
				// rules check placeholders; here they only add noise.
				continue
			}
			branches = append(branches, l)
			for _, x := range l {
				t, ok := x.ErrorKind.(*kind.Type)
				if !ok || len(x.InstanceLocation) != len(e.InstanceLocation) {
					allType = false
					continue
				}
				got = t.Got
				want = append(want, t.Want...)
			}
		}
		if allType && got != "" {
			return []*jsonschema.ValidationError{{SchemaURL: e.SchemaURL, InstanceLocation: e.InstanceLocation, ErrorKind: &kind.Type{Got: got, Want: dedupe(want)}}}
		}
		best := -1
		bestScore := [3]int{-1, 0, 0}
		for i, b := range branches {
			depth, types := 0, 0
			for _, x := range b {
				if len(x.InstanceLocation) > depth {
					depth = len(x.InstanceLocation)
				}
				if _, ok := x.ErrorKind.(*kind.Type); ok {
					types++
				}
			}
			score := [3]int{depth, -types, -len(b)}
			if best < 0 || less(bestScore, score) {
				best, bestScore = i, score
			}
		}
		if best < 0 {
			return nil
		}
		return branches[best]
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

func placeholderBranch(l []*jsonschema.ValidationError) bool {
	for _, x := range l {
		if !strings.Contains(x.SchemaURL, "/placeholder") {
			return false
		}
	}
	return len(l) > 0
}

func less(a, b [3]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

// locate walks the instance path from the root.
func locate(root *yamlsyntax.Node, path []string) (key, value, via *yamlsyntax.Node) {
	value = root
	for _, tok := range path {
		r := value.Resolve()
		if r == nil {
			return nil, nil, via
		}
		if value.Kind == yamlsyntax.AliasNode && via == nil {
			via = value
		}
		switch r.Kind {
		case yamlsyntax.MappingNode:
			p, ok := r.Get(tok)
			if !ok {
				return nil, nil, via
			}
			if p.Via != nil && via == nil {
				via = p.Via
			}
			key, value = p.Key, p.Value
		case yamlsyntax.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i >= len(r.Content()) {
				return nil, nil, via
			}
			key, value = nil, r.Content()[i]
		default:
			return nil, nil, via
		}
	}
	return key, value, via
}

// where names the place of a path for messages.
func where(p *analysis.Pass, path []string) string {
	if len(path) == 0 {
		return "at the top level of prefect.yaml"
	}
	desc := ""
	for i := 0; i < len(path); i++ {
		tok := path[i]
		switch {
		case tok == "deployments" && i+1 < len(path):
			idx, _ := strconv.Atoi(path[i+1])
			name := "#" + path[i+1]
			if idx < len(p.File.DeploymentsKey.Value.Items()) {
				for _, d := range p.File.Deployments {
					if d.Index == idx {
						name = fmt.Sprintf("%q", d.DisplayName())
					}
				}
			}
			desc = "deployment " + name
			i++
		case tok == "schedules" && i+1 < len(path):
			desc = fmt.Sprintf("schedule %s of %s", path[i+1], desc)
			i++
		case tok == "triggers" && i+1 < len(path):
			desc = fmt.Sprintf("trigger %s of %s", path[i+1], desc)
			i++
		case tok == "sla" && i+1 < len(path):
			desc = fmt.Sprintf("sla %s of %s", path[i+1], desc)
			i++
		default:
			if desc == "" {
				desc = tok
			} else {
				desc = tok + " of " + desc
			}
		}
	}
	return "in " + desc
}

// skipPath reports whether other rule families own findings at path:
// step contents (steps rules), job variables (work-pool rules) and flow
// parameters (flow-code rules).
func skipPath(path []string) bool {
	for i, tok := range path {
		atSection := i == 0 || (i == 2 && path[0] == "deployments")
		if atSection && (tok == "build" || tok == "push" || tok == "pull") && len(path) > i+1 {
			return true
		}
		if tok == "job_variables" && i > 0 && path[i-1] == "work_pool" && len(path) > i+1 {
			return true
		}
		if tok == "parameters" && len(path) > i+1 {
			return true
		}
	}
	return false
}

// misplacedKeys explains keys that belong elsewhere (prefect.md §1.2, §8).
var misplacedKeys = map[string]string{
	"work_pool_name":      "write it as work_pool: {name: ...}",
	"work_queue_name":     "it belongs under work_pool:",
	"job_variables":       "it belongs under work_pool:",
	"infra_overrides":     "use work_pool: {job_variables: ...}",
	"infrastructure":      "Prefect 3 uses work pools: work_pool: {name: ..., job_variables: ...}",
	"storage":             "code comes from pull steps (git_clone, pull_from_s3, ...) or an image",
	"concurrency_options": "write concurrency_limit: {limit: ..., collision_strategy: ...}",
	"cron":                "schedules go in a list: schedules: [{cron: ...}]",
	"interval":            "schedules go in a list: schedules: [{interval: ...}]",
	"rrule":               "schedules go in a list: schedules: [{rrule: ...}]",
	"is_schedule_active":  "Prefect 2 only; use active: on each schedule",
	"pull_steps":          "write the steps under pull:",
	"image":               "it belongs under work_pool: {job_variables: {image: ...}}",
	"schedule_after":      "it belongs on a trigger",
	"path":                "Prefect reads the entrypoint relative to the project root",
}

func mapFinding(p *analysis.Pass, sch *jsonschema.Schema, e *jsonschema.ValidationError) []schemaFinding {
	path := e.InstanceLocation
	if skipPath(path) || scheduleSchemaOwned(path, e.ErrorKind) {
		return nil
	}
	key, value, via := locate(p.Doc.Root, path)
	if value == nil {
		return nil
	}
	at := where(p, path)
	if _, ok := e.ErrorKind.(*kind.AdditionalProperties); !ok && len(path) > 0 {
		at = where(p, path[:len(path)-1])
	}
	switch k := e.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		allowed := []string{}
		for _, pr := range schema.Index().Properties(path) {
			allowed = append(allowed, pr.Name)
		}
		var out []schemaFinding
		for _, name := range k.Properties {
			pair, ok := value.Get(name)
			if !ok {
				continue
			}
			v := via
			if pair.Via != nil && v == nil {
				v = pair.Via
			}
			f := schemaFinding{rule: "unknown-key", span: pair.Key.Span, via: v}
			inSchedule := len(path) >= 2 && path[len(path)-2] == "schedules" || (len(path) >= 1 && path[len(path)-1] == "schedule")
			consequence := "Prefect ignores it without a word"
			if inSchedule {
				consequence = "Prefect rejects the whole file because of it"
				sev := analysis.Error
				f.sev = &sev
			}
			msg := fmt.Sprintf("unknown key %q %s; %s", name, at, consequence)
			sugg := closest(name, allowed)
			if hint, ok := misplacedKeys[name]; ok && !contains(allowed, name) {
				msg += ": " + hint
			} else if len(sugg) > 0 {
				msg += fmt.Sprintf(". Did you mean %s?", quoteList(sugg))
			} else if len(allowed) > 0 && len(allowed) <= 12 {
				msg += fmt.Sprintf(". Expected one of %s", quoteList(allowed))
			}
			f.message = msg
			for i, s := range sugg {
				if _, taken := value.Get(s); taken {
					continue
				}
				f.fixes = append(f.fixes, analysis.Fix{
					Title:       fmt.Sprintf("Rename %q to %q", name, s),
					Edits:       []source.Edit{{Span: pair.Key.Span, NewText: s}},
					IsPreferred: i == 0 && len(sugg) == 1,
				})
			}
			out = append(out, f)
		}
		return out
	case *kind.Type:
		r := value.Resolve()
		if r != nil && r.Kind == yamlsyntax.ScalarNode && value.Kind != yamlsyntax.AliasNode && r.Style == yamlsyntax.Plain && contains(k.Want, "string") && r.Tag() != yamlsyntax.TagNull {
			raw := p.Src.Slice(r.Span)
			name := lastKey(path)
			f := schemaFinding{rule: "string-expected", span: r.Span, via: via}
			f.message = fmt.Sprintf("%s must be a string, but YAML reads the unquoted %s as %s %s; Prefect rejects the whole file (\"Input should be a valid string\"). Quote it: %s", name, raw, article(describeType(r)), pyValue(r), doubleQuote(raw))
			f.fixes = []analysis.Fix{{Title: fmt.Sprintf("Quote %s", raw), Edits: []source.Edit{{Span: r.Span, NewText: doubleQuote(raw)}}, IsPreferred: true, Safe: true}}
			return []schemaFinding{f}
		}
		span := valueOrKey(key, value)
		name := lastKey(path)
		if key == nil && len(path) > 1 {
			name = "item " + path[len(path)-1] + " of " + lastKey(path[:len(path)-1])
			at = where(p, path[:len(path)-2])
		}
		got := article(value.TypeName())
		if value.IsNull() {
			got = "empty (null)"
		}
		return []schemaFinding{{rule: "wrong-type", span: span, via: via, message: fmt.Sprintf("%s %s must be %s, but it is %s", name, at, typeList(k.Want), got)}}
	case *kind.Required:
		span := value.Span
		if key != nil {
			span = key.Span
		}
		return []schemaFinding{{rule: "wrong-type", span: firstLine(p, span), via: via, message: fmt.Sprintf("missing required key %s %s", quoteList(k.Missing), at)}}
	default:
		name := lastKey(path)
		shown := p.Src.Slice(value.Span)
		if len(shown) > 60 || strings.ContainsAny(shown, "\n") {
			shown = value.TypeName()
		}
		msg := fmt.Sprintf("invalid value %s for %s %s: %s", shown, name, at, boundText(e.ErrorKind))
		if en, ok := k.(*kind.Enum); ok {
			var vals []string
			for _, v := range en.Want {
				vals = append(vals, fmt.Sprint(v))
			}
			msg = fmt.Sprintf("invalid value %s for %s %s; expected one of %s", shown, name, at, quoteList(vals))
			var fixes []analysis.Fix
			if s, ok := value.Scalar().(string); ok {
				for _, c := range closest(s, vals) {
					fixes = append(fixes, analysis.Fix{Title: fmt.Sprintf("Change to %q", c), Edits: []source.Edit{{Span: value.Span, NewText: c}}})
				}
			}
			return []schemaFinding{{rule: "invalid-value", span: valueOrKey(key, value), via: via, message: msg, fixes: fixes}}
		}
		return []schemaFinding{{rule: "invalid-value", span: valueOrKey(key, value), via: via, message: msg}}
	}
}

// boundText says in words what a bound keyword wants ("must be at least
// 1"); other keywords keep jsonschema's wording.
func boundText(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Minimum:
		return "must be at least " + k.Want.RatString()
	case *kind.Maximum:
		return "must be at most " + k.Want.RatString()
	case *kind.ExclusiveMinimum:
		return "must be greater than " + k.Want.RatString()
	case *kind.ExclusiveMaximum:
		return "must be less than " + k.Want.RatString()
	case *kind.MinLength:
		return fmt.Sprintf("must be at least %d characters long", k.Want)
	case *kind.MaxLength:
		return fmt.Sprintf("must be at most %d characters long", k.Want)
	case *kind.MinItems:
		return fmt.Sprintf("must have at least %d items", k.Want)
	case *kind.MaxItems:
		return fmt.Sprintf("must have at most %d items", k.Want)
	}
	return k.LocalizedString(printer)
}

// valueOrKey is the span to report a value problem on: the value, or its
// key when the value is empty (an implicit null has no extent).
func valueOrKey(key, value *yamlsyntax.Node) source.Span {
	if value.Span.Len() == 0 && key != nil {
		return key.Span
	}
	return value.Span
}

func firstLine(p *analysis.Pass, s source.Span) source.Span {
	end := p.Src.LineEnd(p.Src.LineOf(s.Start))
	if s.End > end {
		s.End = end
	}
	return s
}

func lastKey(path []string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if _, err := strconv.Atoi(path[i]); err != nil {
			return path[i]
		}
	}
	return "the file"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func article(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

func describeType(n *yamlsyntax.Node) string {
	switch n.Tag() {
	case yamlsyntax.TagFloat:
		return "float"
	case yamlsyntax.TagInt:
		return "integer"
	case yamlsyntax.TagBool:
		return "boolean"
	case yamlsyntax.TagTimestamp:
		return "timestamp"
	}
	return n.TypeName()
}

func pyValue(n *yamlsyntax.Node) string {
	switch v := n.Scalar().(type) {
	case bool:
		return pyRepr(v)
	case float64:
		s := strconv.FormatFloat(v, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEnN") {
			s += ".0"
		}
		return s
	case yamlsyntax.Timestamp:
		return v.Text
	}
	return fmt.Sprint(n.Scalar())
}

func typeList(want []string) string {
	var names []string
	nullable := false
	for _, w := range want {
		if w == "null" {
			nullable = true
			continue
		}
		switch w {
		case "object":
			names = append(names, "a mapping")
		case "array":
			names = append(names, "a list")
		case "null":
			names = append(names, "empty")
		case "integer":
			names = append(names, "an integer")
		default:
			names = append(names, "a "+w)
		}
	}
	if nullable {
		names = append(names, "empty")
	}
	if len(names) == 0 {
		return "of another type"
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func reportSchema(p *analysis.Pass, rule string) {
	for _, f := range schemaFindings(p) {
		if f.rule != rule {
			continue
		}
		d := p.Report(f.span, f.message)
		if f.sev != nil && p.Config.Rules[rule] == "" {
			d.Severity = *f.sev
		}
		d.Fixes = append(d.Fixes, f.fixes...)
		p.AddVia(d, f.via)
	}
}

var UnknownKey = &analysis.Rule{
	ID:       "unknown-key",
	Summary:  "a key Prefect does not know; it is dropped without a word",
	Severity: analysis.Warning,
	Category: analysis.CategorySchema,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Reports keys that prefect.yaml does not define, with "did you mean" and a
rename quick fix, and says where keys that belong elsewhere should go
(` + "`work_pool_name`" + ` → ` + "`work_pool: {name: ...}`" + `).

## Why
Prefect's model ignores unknown keys (` + "`extra=\"ignore\"`" + `), so a misspelt key
silently has no effect; this is the most common silent failure (prefect.md
§1.2, §8). In a schedule item an unknown key is worse: the item's model
forbids extra keys and Prefect rejects the whole file (§1.3), so there it is
an error.

## Example
` + "```yaml" + `
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
    work_pool_name: k8s
    tag: [nightly]
` + "```" + `

` + "```yaml" + `
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
    work_pool:
      name: k8s
    tags: [nightly]
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore[unknown-key]`" + ` on the line. Keep YAML anchors under the
top-level ` + "`definitions:`" + ` key, which is always allowed.`,
	Run: func(p *analysis.Pass) { reportSchema(p, "unknown-key") },
}

var WrongType = &analysis.Rule{
	ID:       "wrong-type",
	Summary:  "a value of the wrong type (or a missing required key); Prefect rejects the whole file",
	Severity: analysis.Error,
	Category: analysis.CategorySchema,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Checks each value's type against prefect.yaml's model: ` + "`tags`" + ` a string or a
list, ` + "`paused`" + ` a boolean, ` + "`work_pool`" + ` a mapping, ` + "`schedules`" + ` a list of mappings...

## Why
On a type error ` + "`prefect deploy`" + ` prints only the field name, then throws the
whole file away ("Skipping deployment configuration due to validation
errors", prefect.md §1.5) and goes on as if there were no prefect.yaml.

## Example
` + "```yaml" + `
deployments:
  - name: etl
    schedule: "0 4 * * *"
` + "```" + `

` + "```yaml" + `
deployments:
  - name: etl
    schedules:
      - cron: "0 4 * * *"
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore[wrong-type]`" + ` on the line.`,
	Run: func(p *analysis.Pass) { reportSchema(p, "wrong-type") },
}

var InvalidValue = &analysis.Rule{
	ID:       "invalid-value",
	Summary:  "a value outside the allowed set or range",
	Severity: analysis.Error,
	Category: analysis.CategorySchema,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Checks enumerations and ranges: ` + "`version_type`" + `, ` + "`collision_strategy`" + `
(` + "`ENQUEUE`" + ` or ` + "`CANCEL_NEW`" + `), ` + "`grace_period_seconds`" + ` (60–86400), trigger ` + "`posture`" + `, and
the like.

## Why
Prefect or its server rejects these values, often only after the build and
push steps already ran (prefect.md §1.2, §1.4).

## Example
` + "```yaml" + `
concurrency_limit:
  limit: 2
  collision_strategy: cancel
` + "```" + `

` + "```yaml" + `
concurrency_limit:
  limit: 2
  collision_strategy: CANCEL_NEW
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore[invalid-value]`" + ` on the line.`,
	Run: func(p *analysis.Pass) { reportSchema(p, "invalid-value") },
}

var StringExpected = &analysis.Rule{
	ID:       "string-expected",
	Summary:  "an unquoted value YAML reads as a number, boolean or date where Prefect wants a string",
	Severity: analysis.Error,
	Category: analysis.CategoryYAML,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Finds unquoted values such as ` + "`version: 1.10`" + ` or ` + "`prefect-version: 3.0`" + ` where
prefect.yaml wants a string but YAML (PyYAML, YAML 1.1) reads a float,
integer, boolean or timestamp: ` + "`1.10`" + ` is the float 1.1, ` + "`3.0`" + ` the float 3.0,
` + "`yes`" + ` the boolean True.

## Why
Prefect's model then fails with "Input should be a valid string" and throws
the whole file away (prefect.md §1.1, §1.5). Even where it would not, the
value changes: 1.10 becomes "1.1".

## Example
` + "```yaml" + `
prefect-version: 3.0
deployments:
  - name: etl
    version: 1.10
` + "```" + `

` + "```yaml" + `
prefect-version: "3.0"
deployments:
  - name: etl
    version: "1.10"
` + "```" + `

## How to silence
Quote the value (the quick fix does); or ` + "`# prefect-lsp: ignore[string-expected]`" + `.`,
	Run: func(p *analysis.Pass) { reportSchema(p, "string-expected") },
}
