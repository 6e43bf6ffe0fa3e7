// Package pydeploy applies prefect-lsp's deployment rules and decision guide
// to Python deployment code: `my_flow.serve(...)`, `serve(d1, d2)`,
// `my_flow.deploy(...)`, `flow.from_source(...).deploy(...)`, `deploy(d1,
// d2)` and `my_flow.to_deployment(...)` handed to serve or deploy. It reads
// the calls statically through package pyflow (never importing or running
// user code), keeps keyword arguments as literals where they are literals
// (strings, numbers, bools, None, lists and dicts of literals, timedelta,
// Cron/Interval/RRule and DeploymentImage calls) and leaves every computed
// value unjudged.
//
// It owns the Python side of the rules (Analyze, with the same rule IDs as
// the prefect.yaml rules), the hover on the deployment calls (HoverAt) and
// the actions that write a `.deploy()` call as a prefect.yaml entry
// (Actions). It knows nothing of LSP.
package pydeploy

import (
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/pyflow"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// Mode says how a deployment is created.
type Mode string

const (
	// ModeServe: flow.serve(...) or serve(flow.to_deployment(...)); the
	// process that runs the script executes the runs.
	ModeServe Mode = "serve"
	// ModeDeploy: flow.deploy(...) or deploy(flow.to_deployment(...)); a
	// work pool's worker (or push/managed infrastructure) runs them.
	ModeDeploy Mode = "deploy"
	// ModeUnused: a to_deployment(...) not handed to serve or deploy in this
	// module (nothing is judged that depends on the mode).
	ModeUnused Mode = "unknown"
)

// Deployment is one deployment created in Python.
type Deployment struct {
	Mode Mode
	// Call is the call that carries the deployment's own arguments
	// (.serve/.deploy/.to_deployment); NameSpan its method name.
	Call     pyflow.Call
	NameSpan source.Span
	// Group is the bare serve(...)/deploy(...) call a to_deployment was
	// passed to, nil otherwise. Its keyword arguments (work_pool_name,
	// image, build, push) apply to every deployment it takes.
	Group *pyflow.Call
	// Flow is the flow function the receiver names (nil when it is not a
	// flow of this module); FlowName the receiver's text.
	Flow     *pyflow.Function
	FlowName string
	// FromSource is the flow.from_source(...) call the receiver is (or is
	// assigned from), nil when none.
	FromSource *pyflow.Call
	// Args holds the keyword arguments of Call, then of Group for names
	// Call does not set.
	Args map[string]Value
	// ArgNames keeps the keyword argument names in source order.
	ArgNames []string
	// Unpacked is true when a **kwargs splat may set more arguments; rules
	// that need an argument's absence then say nothing.
	Unpacked bool
}

// Arg returns the named argument.
func (d *Deployment) Arg(name string) (Value, bool) {
	v, ok := d.Args[name]
	return v, ok
}

// Str returns the named argument when it is a string literal.
func (d *Deployment) Str(name string) (string, bool) {
	v, ok := d.Args[name]
	if !ok || !v.Known {
		return "", false
	}
	s, ok := v.V.(string)
	return s, ok
}

// Name is the deployment's name when it is a literal ("" otherwise).
func (d *Deployment) Name() string {
	if s, ok := d.Str("name"); ok {
		return s
	}
	if d.Call.Method != "to_deployment" && len(d.Call.Args) > 0 && d.Call.Args[0].StringValue != nil {
		return *d.Call.Args[0].StringValue
	}
	if d.Call.Method == "to_deployment" && len(d.Call.Args) > 0 && d.Call.Args[0].StringValue != nil {
		return *d.Call.Args[0].StringValue
	}
	return ""
}

// ImportsPrefect reports whether the Python text imports prefect (`import
// prefect`, `import prefect.x`, `from prefect... import ...`).
func ImportsPrefect(text string) bool {
	if !strings.Contains(text, "prefect") {
		return false
	}
	m := pyflow.Parse("", []byte(text))
	return importsPrefect(m)
}

func importsPrefect(m *pyflow.Module) bool {
	for _, im := range m.Imports {
		if im.Module == "prefect" || strings.HasPrefix(im.Module, "prefect.") {
			return true
		}
	}
	return false
}

// Deployments returns the deployments the Python text creates, in source
// order.
func Deployments(path, text string) []*Deployment {
	return scan(pyflow.Parse(path, []byte(text)))
}

func scan(m *pyflow.Module) []*Deployment {
	var out []*Deployment
	// Bare serve(...)/deploy(...) calls and what they take.
	groups := map[string]*pyflow.Call{}      // to_deployment variable -> group
	inline := map[source.Span]*pyflow.Call{} // inline to_deployment span -> group
	for i := range m.Calls {
		c := &m.Calls[i]
		if c.Receiver != "" || (c.Method != "serve" && c.Method != "deploy") {
			continue
		}
		if !bareIsPrefect(m, c.Method) {
			continue
		}
		for _, a := range c.Args {
			v := strings.TrimSpace(a.Value)
			if strings.HasPrefix(v, "*") {
				v = strings.TrimLeft(v, "*")
				if as := m.Assignment(v); as != nil {
					// deployments = [a.to_deployment(), ...]; serve(*deployments)
					for j := range m.Calls {
						if m.Calls[j].Method == "to_deployment" && within(as.ValueSpan, m.Calls[j].Span) {
							inline[m.Calls[j].Span] = c
						}
					}
				}
				continue
			}
			if isIdent(v) {
				groups[v] = c
				continue
			}
			for j := range m.Calls {
				if m.Calls[j].Method == "to_deployment" && within(a.Span, m.Calls[j].Span) {
					inline[m.Calls[j].Span] = c
				}
			}
		}
	}
	for i := range m.Calls {
		c := m.Calls[i]
		if c.Receiver == "" {
			continue
		}
		var d *Deployment
		switch c.Method {
		case "serve":
			d = &Deployment{Mode: ModeServe}
		case "deploy":
			d = &Deployment{Mode: ModeDeploy}
		case "to_deployment":
			d = &Deployment{Mode: ModeUnused}
			g := inline[c.Span]
			if g == nil {
				for _, as := range m.Assignments {
					if as.ValueSpan == c.Span {
						g = groups[as.Target]
					}
				}
			}
			if g != nil {
				d.Group = g
				d.Mode = Mode(g.Method)
			}
		default:
			continue
		}
		d.Call = c
		d.NameSpan = c.NameSpan
		resolveReceiver(m, d)
		if d.Flow == nil && d.FromSource == nil && !looksLikeFlow(m, c.Receiver) {
			continue
		}
		d.Args = map[string]Value{}
		addArgs(d, c.Kwargs, c.Args)
		if d.Group != nil {
			addArgs(d, d.Group.Kwargs, d.Group.Args)
		}
		out = append(out, d)
	}
	return out
}

func addArgs(d *Deployment, kws []pyflow.Kwarg, args []pyflow.Arg) {
	for _, a := range args {
		if strings.HasPrefix(strings.TrimSpace(a.Value), "**") {
			d.Unpacked = true
		}
	}
	for _, k := range kws {
		if _, ok := d.Args[k.Name]; ok {
			continue
		}
		d.Args[k.Name] = parseValue(k.Value, k.ValueSpan.Start)
		d.ArgNames = append(d.ArgNames, k.Name)
	}
}

// bareIsPrefect reports whether a bare serve/deploy is prefect's (imported
// from prefect or prefect.deployments).
func bareIsPrefect(m *pyflow.Module, name string) bool {
	im := m.ImportOf(name)
	if im == nil {
		return false
	}
	return im.Module == "prefect" || strings.HasPrefix(im.Module, "prefect.")
}

// resolveReceiver finds the flow and the from_source call behind the
// receiver of d.Call.
func resolveReceiver(m *pyflow.Module, d *Deployment) {
	recv := strings.TrimSpace(d.Call.Receiver)
	d.FlowName = recv
	if fs := fromSourceAt(m, d.Call.ReceiverSpan); fs != nil {
		d.FromSource = fs
		return
	}
	if isIdent(recv) {
		if f := m.Lookup(recv); f != nil && f.IsFlow {
			d.Flow = f
			return
		}
		if as := m.Assignment(recv); as != nil {
			if fs := fromSourceAt(m, as.ValueSpan); fs != nil {
				d.FromSource = fs
				return
			}
			// etl2 = etl.with_options(...)
			if strings.HasSuffix(as.Callee, ".with_options") {
				base := strings.TrimSuffix(as.Callee, ".with_options")
				if f := m.Lookup(base); f != nil && f.IsFlow {
					d.Flow = f
					d.FlowName = base
				}
			}
		}
	}
}

func fromSourceAt(m *pyflow.Module, span source.Span) *pyflow.Call {
	for i := range m.Calls {
		c := &m.Calls[i]
		if c.Method == "from_source" && c.Span == span {
			return c
		}
	}
	return nil
}

// looksLikeFlow keeps calls on receivers that may be flows defined
// elsewhere (imported names); method calls on unrelated objects named serve
// or deploy (app.serve(), server.deploy()) are not deployments unless the
// receiver is an imported name.
func looksLikeFlow(m *pyflow.Module, recv string) bool {
	recv = strings.TrimSpace(recv)
	if !isIdent(recv) {
		return false
	}
	im := m.ImportOf(recv)
	return im != nil && im.Module != "prefect" && !strings.HasPrefix(im.Module, "prefect.")
}

func within(outer, inner source.Span) bool {
	return outer.Start <= inner.Start && inner.End <= outer.End
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127 || i > 0 && r >= '0' && r <= '9' {
			continue
		}
		return false
	}
	return true
}
