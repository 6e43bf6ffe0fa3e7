// Package prefectyaml is the typed model of prefect.yaml (Prefect 3.x;
// prefect.md §1.1–1.4): top level, deployments, work_pool, schedules,
// triggers, concurrency_limit, sla and steps. Every field keeps its key and
// value nodes, whose spans are exact, so rules never dig through raw YAML.
//
// The model is built from a yamlsyntax.Document after aliases and merge keys
// are resolved the way PyYAML resolves them; a field reached through an alias
// or a merge remembers that site in Via. It is tolerant: a value of the wrong
// shape leaves the field present but its typed parts empty, and the schema
// rules report the shape.
//
// Prefect 2.x differences, where rules care: 2.x does not validate the file
// at all, has no concurrency_limit, version_type or sla, and
// enforce_parameter_schema defaults to false.
package prefectyaml

import (
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// Node is a YAML node of the document.
type Node = yamlsyntax.Node

// Field is one key of a mapping. A missing field has nil Key and Value.
type Field struct {
	Key, Value *Node
	// Via is the alias or merge site the field was reached through, nil
	// when written in place.
	Via *Node
}

// Present reports whether the key exists.
func (f Field) Present() bool { return f.Key != nil }

// Set reports whether the key exists with a non-null value.
func (f Field) Set() bool { return f.Key != nil && !f.Value.IsNull() }

// Str returns the value when it is a YAML string.
func (f Field) Str() (string, bool) {
	if f.Value == nil || !f.Value.IsString() {
		return "", false
	}
	return f.Value.Resolve().Text, true
}

// Text returns the value's scalar text whatever its type ("" if absent or
// not a scalar).
func (f Field) Text() string {
	if f.Value == nil {
		return ""
	}
	r := f.Value.Resolve()
	if r == nil || r.Kind != yamlsyntax.ScalarNode {
		return ""
	}
	return r.Text
}

// Bool returns the value when it is a YAML boolean.
func (f Field) Bool() (bool, bool) {
	if f.Value == nil {
		return false, false
	}
	b, ok := f.Value.Scalar().(bool)
	return b, ok
}

// KeySpan is the key's span (empty when absent).
func (f Field) KeySpan() source.Span {
	if f.Key == nil {
		return source.Span{}
	}
	return f.Key.Span
}

// ValueSpan is the value's span as written where the field is (an alias
// node's own span, not its target's).
func (f Field) ValueSpan() source.Span {
	if f.Value == nil {
		return f.KeySpan()
	}
	return f.Value.Span
}

func field(m *Node, key string) Field {
	p, ok := m.Get(key)
	if !ok {
		return Field{}
	}
	return Field{Key: p.Key, Value: p.Value, Via: p.Via}
}

// File is a whole prefect.yaml.
type File struct {
	Doc  *yamlsyntax.Document
	Root *Node // nil when the file is empty or not a mapping

	PrefectVersion Field // "prefect-version"
	Name           Field
	Definitions    Field
	Build          *Action
	Push           *Action
	Pull           *Action
	DeploymentsKey Field
	Deployments    []*Deployment
}

// Action is a build, push or pull section.
type Action struct {
	Section string // "build", "push" or "pull"
	Field   Field
	// SingleMapping is true when the section is one step mapping instead
	// of a list (accepted since Prefect 3.7.7).
	SingleMapping bool
	Steps         []*Step
}

// Step is one item of an action.
type Step struct {
	Section string
	Index   int
	Node    *Node // the item
	Via     *Node
	// Function is the step's fully-qualified function name: the key of
	// the step mapping that Prefect takes (its last key). FunctionKey is
	// that key node, Args the mapping (or null) under it.
	Function    string
	FunctionKey *Node
	Args        *Node
	// Extra holds the other keys of the step mapping: inputs written at
	// the function key's level by mistake.
	Extra []yamlsyntax.Pair
	ID    Field
	// Requires is the reserved "requires" argument.
	Requires Field
}

// Arg returns an argument of the step.
func (s *Step) Arg(name string) Field {
	if s.Args == nil {
		return Field{}
	}
	return field(s.Args, name)
}

// Deployment is one item of deployments.
type Deployment struct {
	Index int
	Node  *Node
	Via   *Node

	Name                   Field
	Version                Field
	VersionType            Field
	Tags                   Field
	Description            Field
	Schedule               Field // legacy single schedule
	SchedulesKey           Field
	Schedules              []*Schedule // items of "schedules", plus the legacy "schedule" as one item
	Paused                 Field
	ConcurrencyLimit       Field
	FlowName               Field
	Entrypoint             Field
	Parameters             Field
	EnforceParameterSchema Field
	Triggers               Field
	SLA                    Field
	WorkPool               *WorkPool // nil when absent

	Build, Push, Pull *Action // deployment-level overrides, nil when absent

	file *File
}

// DisplayName is the deployment's name, or "#<index>" when unnamed.
func (d *Deployment) DisplayName() string {
	if s, ok := d.Name.Str(); ok && s != "" {
		return s
	}
	if t := d.Name.Text(); t != "" && !d.Name.Value.IsNull() {
		return t
	}
	return "#" + itoa(d.Index)
}

// Steps returns the action Prefect runs for this deployment: the
// deployment's own section when present (it replaces the top-level one),
// else the top level's.
func (d *Deployment) Steps(section string) *Action {
	var own, top *Action
	switch section {
	case "build":
		own, top = d.Build, d.file.Build
	case "push":
		own, top = d.Push, d.file.Push
	case "pull":
		own, top = d.Pull, d.file.Pull
	}
	if own != nil {
		return own
	}
	return top
}

// File returns the file the deployment belongs to.
func (d *Deployment) File() *File { return d.file }

// WorkPool is a deployment's work_pool mapping.
type WorkPool struct {
	Field         Field
	Name          Field
	WorkQueueName Field
	JobVariables  Field
}

// JobVariable returns one job variable.
func (w *WorkPool) JobVariable(name string) Field {
	if w == nil || w.JobVariables.Value == nil {
		return Field{}
	}
	return field(w.JobVariables.Value, name)
}

// Schedule is one schedule item.
type Schedule struct {
	Index  int
	Node   *Node
	Via    *Node
	Legacy bool // from the legacy "schedule" key

	Cron, Interval, RRule, Timezone, AnchorDate, DayOr, Active, Parameters, Slug, Replaces Field
}

// Parse builds the model of a document.
func Parse(doc *yamlsyntax.Document) *File { return ParseFrom(doc, nil) }

// ParseFrom is Parse for a document built from the document of prev (an
// earlier version's model) by yamlsyntax.Reparse, which shares the nodes
// that did not change: a deployment whose item is the same node in both
// (its whole subtree is then the same, aliases and merges included) is
// copied from prev instead of read again. prev may be nil; it is not
// changed.
func ParseFrom(doc *yamlsyntax.Document, prev *File) *File {
	f := &File{Doc: doc}
	root := doc.Root.Resolve()
	if root == nil || root.Kind != yamlsyntax.MappingNode {
		return f
	}
	f.Root = root
	f.PrefectVersion = field(root, "prefect-version")
	f.Name = field(root, "name")
	f.Definitions = field(root, "definitions")
	f.Build = action(root, "build")
	f.Push = action(root, "push")
	f.Pull = action(root, "pull")
	f.DeploymentsKey = field(root, "deployments")
	var earlier []*Deployment // prev's deployments not yet passed, by index
	if prev != nil && prev.Doc != doc {
		earlier = prev.Deployments
	}
	for i, item := range f.DeploymentsKey.Value.Items() {
		for len(earlier) > 0 && earlier[0].Index < i {
			earlier = earlier[1:]
		}
		if len(earlier) > 0 && earlier[0].Index == i && earlier[0].Node == item {
			d := *earlier[0]
			d.file = f
			f.Deployments = append(f.Deployments, &d)
			continue
		}
		r := item.Resolve()
		if r == nil || r.Kind != yamlsyntax.MappingNode {
			continue
		}
		var via *Node
		if item.Kind == yamlsyntax.AliasNode {
			via = item
		}
		f.Deployments = append(f.Deployments, deployment(f, i, item, via))
	}
	return f
}

func deployment(f *File, i int, item, via *Node) *Deployment {
	m := item.Resolve()
	d := &Deployment{Index: i, Node: item, Via: via, file: f}
	d.Name = field(m, "name")
	d.Version = field(m, "version")
	d.VersionType = field(m, "version_type")
	d.Tags = field(m, "tags")
	d.Description = field(m, "description")
	d.Schedule = field(m, "schedule")
	d.SchedulesKey = field(m, "schedules")
	d.Paused = field(m, "paused")
	d.ConcurrencyLimit = field(m, "concurrency_limit")
	d.FlowName = field(m, "flow_name")
	d.Entrypoint = field(m, "entrypoint")
	d.Parameters = field(m, "parameters")
	d.EnforceParameterSchema = field(m, "enforce_parameter_schema")
	d.Triggers = field(m, "triggers")
	d.SLA = field(m, "sla")
	if wp := field(m, "work_pool"); wp.Present() {
		d.WorkPool = &WorkPool{Field: wp}
		if v := wp.Value.Resolve(); v != nil && v.Kind == yamlsyntax.MappingNode {
			d.WorkPool.Name = field(v, "name")
			d.WorkPool.WorkQueueName = field(v, "work_queue_name")
			d.WorkPool.JobVariables = field(v, "job_variables")
		}
	}
	d.Build = action(m, "build")
	d.Push = action(m, "push")
	d.Pull = action(m, "pull")
	if s := d.Schedule.Value.Resolve(); s != nil && s.Kind == yamlsyntax.MappingNode && len(s.Pairs()) > 0 {
		d.Schedules = append(d.Schedules, schedule(0, d.Schedule.Value, true))
	}
	for j, item := range d.SchedulesKey.Value.Items() {
		if r := item.Resolve(); r != nil && r.Kind == yamlsyntax.MappingNode {
			d.Schedules = append(d.Schedules, schedule(j, item, false))
		}
	}
	return d
}

func schedule(i int, item *Node, legacy bool) *Schedule {
	m := item.Resolve()
	s := &Schedule{Index: i, Node: item, Legacy: legacy}
	if item.Kind == yamlsyntax.AliasNode {
		s.Via = item
	}
	s.Cron = field(m, "cron")
	s.Interval = field(m, "interval")
	s.RRule = field(m, "rrule")
	s.Timezone = field(m, "timezone")
	s.AnchorDate = field(m, "anchor_date")
	s.DayOr = field(m, "day_or")
	s.Active = field(m, "active")
	s.Parameters = field(m, "parameters")
	s.Slug = field(m, "slug")
	s.Replaces = field(m, "replaces")
	return s
}

func action(m *Node, section string) *Action {
	f := field(m, section)
	if !f.Present() {
		return nil
	}
	a := &Action{Section: section, Field: f}
	v := f.Value.Resolve()
	if v == nil {
		return a
	}
	switch v.Kind {
	case yamlsyntax.SequenceNode:
		for i, item := range v.Content() {
			if st := step(section, i, item); st != nil {
				a.Steps = append(a.Steps, st)
			}
		}
	case yamlsyntax.MappingNode:
		a.SingleMapping = true
		if st := step(section, 0, f.Value); st != nil {
			a.Steps = append(a.Steps, st)
		}
	}
	return a
}

func step(section string, i int, item *Node) *Step {
	m := item.Resolve()
	if m == nil || m.Kind != yamlsyntax.MappingNode {
		return nil
	}
	pairs := m.Pairs()
	if len(pairs) == 0 {
		return nil
	}
	s := &Step{Section: section, Index: i, Node: item}
	if item.Kind == yamlsyntax.AliasNode {
		s.Via = item
	}
	// Prefect pops the last key of the step mapping as the function name
	// (prefect.md §2.1). When inputs were indented at the function key's
	// level, the dotted key is the likelier intended function: prefer the
	// last key that looks like a dotted name.
	fn := len(pairs) - 1
	for j := len(pairs) - 1; j >= 0; j-- {
		if strings.Contains(pairs[j].KeyText(), ".") {
			fn = j
			break
		}
	}
	s.Function = pairs[fn].KeyText()
	s.FunctionKey = pairs[fn].Key
	s.Args = pairs[fn].Value
	for j, p := range pairs {
		if j != fn {
			s.Extra = append(s.Extra, p)
		}
	}
	if s.Args != nil && s.Args.Resolve() != nil && s.Args.Resolve().Kind == yamlsyntax.MappingNode {
		s.ID = field(s.Args, "id")
		s.Requires = field(s.Args, "requires")
	}
	return s
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	neg := i < 0
	if neg {
		i = -i
	}
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		n--
		b[n] = '-'
	}
	return string(b[n:])
}
