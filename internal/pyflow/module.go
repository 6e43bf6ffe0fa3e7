// Package pyflow reads Python source files without importing or running
// them, to find what prefect.yaml refers to: Prefect flows (functions
// decorated with @flow), their parameters, imports, and calls such as
// flow.serve(...) / flow.deploy(...). It owns a Python tokenizer, a light
// statement-level parser with byte spans (source.Span), a cache of parsed
// files (Project), entrypoint parsing and resolution, and CheckValue, which
// checks a YAML parameter value against a Python annotation the way
// pydantic's lax mode would.
//
// The scanner is tolerant: it extracts what parses, records Problems for the
// rest, never panics and runs in time linear in the input.
package pyflow

import (
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// Module is what the scanner extracted from one Python file.
type Module struct {
	Path string
	// Encoding is the declared source encoding (PEP 263 cookie), "" when
	// none was declared (UTF-8).
	Encoding string
	Imports  []Import
	// Functions holds all module-level and class-level defs (including defs
	// inside if/try/with/for/while/match blocks at those levels, which are
	// still module or class attributes), in source order. Functions nested in
	// functions are not listed.
	Functions   []*Function
	Assignments []Assignment
	Calls       []Call
	Problems    []Problem
}

// Import is one imported name. `import a.b as c` gives Module "a.b",
// Alias "c"; `from .x import y as z` gives Module ".x", Name "y", Alias "z".
type Import struct {
	Module string
	Name   string // "" for `import X`; "*" for a star import
	Alias  string
	Span   source.Span // the imported item (`flow as f`, `prefect.flows`)
}

// Bound returns the local name the import binds ("*" for a star import).
func (im Import) Bound() string {
	if im.Alias != "" {
		return im.Alias
	}
	if im.Name != "" {
		return im.Name
	}
	if i := strings.IndexByte(im.Module, '.'); i > 0 {
		return im.Module[:i]
	}
	return im.Module
}

// Target returns the dotted path the bound name refers to.
func (im Import) Target() string {
	if im.Name == "" {
		if im.Alias != "" {
			return im.Module
		}
		return im.Bound()
	}
	if strings.HasSuffix(im.Module, ".") {
		return im.Module + im.Name
	}
	return im.Module + "." + im.Name
}

// ParamKind is the kind of a function parameter.
type ParamKind int

// Parameter kinds, in the order they may appear in a signature.
const (
	PositionalOnly ParamKind = iota
	PositionalOrKeyword
	VarPositional
	KeywordOnly
	VarKeyword
)

func (k ParamKind) String() string {
	switch k {
	case PositionalOnly:
		return "positional-only"
	case PositionalOrKeyword:
		return "positional-or-keyword"
	case VarPositional:
		return "var-positional"
	case KeywordOnly:
		return "keyword-only"
	case VarKeyword:
		return "var-keyword"
	}
	return "?"
}

// Param is one parameter of a def. Annotation and Default are source text
// (redundant enclosing parentheses removed, as Python's AST positions do).
type Param struct {
	Name       string
	Kind       ParamKind
	Annotation string
	Default    string
	HasDefault bool
	// Span covers the whole parameter including any '*'/'**', annotation
	// and default; NameSpan only the name.
	Span, NameSpan source.Span
	// AnnotationSpan and DefaultSpan are empty spans when absent.
	AnnotationSpan, DefaultSpan source.Span
}

// Kwarg is a keyword argument of a call: `name="etl"`.
type Kwarg struct {
	Name  string
	Value string // source text of the value
	// Span covers `name=value`; ValueSpan the value.
	Span, ValueSpan source.Span
	// StringValue is the decoded value when Value is a plain string
	// literal (or an implicit concatenation of them), else nil.
	StringValue *string
}

// Arg is a positional argument (or *args / **kwargs splat) of a call.
type Arg struct {
	Value       string // source text, including a leading '*' or '**'
	Span        source.Span
	StringValue *string
}

// Decorator is one `@expr` line.
type Decorator struct {
	// Expr is the dotted callee (`prefect.flow` for `@prefect.flow(...)`),
	// or the whole expression text when it is not a dotted name or call.
	Expr string
	// Span covers the expression after '@'.
	Span   source.Span
	Called bool
	Args   []Arg
	Kwargs []Kwarg
	// Resolved is Expr with its first part resolved through the module's
	// imports (`f` -> `prefect.flow` after `from prefect import flow as f`);
	// equal to Expr when the head is not imported.
	Resolved string
}

// Kwarg returns the keyword argument with the given name, or nil.
func (d *Decorator) Kwarg(name string) *Kwarg { return findKwarg(d.Kwargs, name) }

func findKwarg(ks []Kwarg, name string) *Kwarg {
	for i := range ks {
		if ks[i].Name == name {
			return &ks[i]
		}
	}
	return nil
}

// Function is a def or async def at module or class level.
type Function struct {
	Name     string
	Qualname string // "func" or "Class.method" (nested classes: "A.B.m")
	Class    string // enclosing class qualname, "" at module level
	Async    bool
	// Span runs from `def` (or `async`) to the end of the body's last
	// statement, like Python's AST node; NameSpan covers the name.
	Span, NameSpan source.Span
	Decorators     []Decorator
	Params         []Param
	// Returns is the return annotation source text, "" when absent.
	Returns     string
	ReturnsSpan source.Span
	// Docstring is the decoded literal text of the body's first statement
	// when that is a string (not cleaned; see CleanDocstring).
	Docstring     string
	HasDocstring  bool
	DocstringSpan source.Span
	IsFlow        bool
	IsTask        bool
	// FlowName is the literal name in @flow(name="..."), "" if none.
	FlowName string
	// FlowDecorator is the index in Decorators of the flow (or task)
	// decorator, -1 when neither.
	FlowDecorator int
	// UnknownDecorators is true when a decorator could not be classified
	// (e.g. a project-specific wrapper that may itself create a flow).
	UnknownDecorators bool
}

// DisplayFlowName returns the flow name Prefect uses: the @flow(name=...)
// literal, else the function name with '_' replaced by '-'.
func (f *Function) DisplayFlowName() string {
	if f.FlowName != "" {
		return f.FlowName
	}
	return strings.ReplaceAll(f.Name, "_", "-")
}

// Param returns the parameter with the given name, or nil.
func (f *Function) Param(name string) *Param {
	for i := range f.Params {
		if f.Params[i].Name == name {
			return &f.Params[i]
		}
	}
	return nil
}

// NamedParams returns the parameters a caller (a deployment's
// parameters) can name: all of them except the implicit first parameter of
// a method (self or cls; not for a @staticmethod).
func (f *Function) NamedParams() []Param {
	ps := f.Params
	if f.Class != "" && len(ps) > 0 && (ps[0].Name == "self" || ps[0].Name == "cls") {
		static := false
		for _, dec := range f.Decorators {
			if dec.Expr == "staticmethod" {
				static = true
			}
		}
		if !static {
			ps = ps[1:]
		}
	}
	return ps
}

// AcceptsVarKeyword reports whether the function takes **kwargs.
func (f *Function) AcceptsVarKeyword() bool {
	for _, p := range f.Params {
		if p.Kind == VarKeyword {
			return true
		}
	}
	return false
}

// Signature renders the def line from source text, e.g.
// "def etl(x: int = 1, *, y: str) -> None".
func (f *Function) Signature() string {
	var b strings.Builder
	if f.Async {
		b.WriteString("async ")
	}
	b.WriteString("def ")
	b.WriteString(f.Name)
	b.WriteByte('(')
	star := false
	for i, p := range f.Params {
		if i > 0 {
			b.WriteString(", ")
		}
		switch p.Kind {
		case KeywordOnly:
			if !star {
				b.WriteString("*, ")
				star = true
			}
		case VarPositional:
			b.WriteByte('*')
			star = true
		case VarKeyword:
			b.WriteString("**")
		}
		b.WriteString(p.Name)
		if p.Annotation != "" {
			b.WriteString(": ")
			b.WriteString(oneLine(p.Annotation))
		}
		if p.HasDefault {
			if p.Annotation != "" {
				b.WriteString(" = ")
			} else {
				b.WriteByte('=')
			}
			b.WriteString(oneLine(p.Default))
		}
		if p.Kind == PositionalOnly && (i+1 == len(f.Params) || f.Params[i+1].Kind != PositionalOnly) {
			b.WriteString(", /")
		}
	}
	b.WriteByte(')')
	if f.Returns != "" {
		b.WriteString(" -> ")
		b.WriteString(oneLine(f.Returns))
	}
	return b.String()
}

// oneLine collapses runs of whitespace (including newlines) into one space.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\n\r\t") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// CleanDocstring removes the common indentation of a docstring, like
// inspect.cleandoc.
func CleanDocstring(doc string) string {
	lines := strings.Split(strings.ReplaceAll(doc, "\t", "        "), "\n")
	margin := -1
	for _, l := range lines[1:] {
		t := strings.TrimLeft(l, " ")
		if t == "" {
			continue
		}
		if ind := len(l) - len(t); margin < 0 || ind < margin {
			margin = ind
		}
	}
	lines[0] = strings.TrimLeft(lines[0], " ")
	if margin > 0 {
		for i := 1; i < len(lines); i++ {
			if len(lines[i]) >= margin {
				lines[i] = lines[i][margin:]
			} else {
				lines[i] = strings.TrimLeft(lines[i], " ")
			}
		}
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	return strings.Join(lines, "\n")
}

// Assignment is a module-level `name = value` (or `name: T = value`).
type Assignment struct {
	Target     string
	TargetSpan source.Span
	Value      string
	ValueSpan  source.Span
	// Callee is the dotted callee when Value is a call (`etl.with_options`),
	// with its arguments in Args and Kwargs.
	Callee string
	Args   []Arg
	Kwargs []Kwarg
}

// Call is a call of .serve/.deploy/.to_deployment/.from_source or a bare
// serve(...)/deploy(...) anywhere in the file.
type Call struct {
	Method string // "serve", "deploy", "to_deployment", "from_source"
	// Receiver is the expression before '.Method' ("" for a bare call).
	Receiver     string
	ReceiverSpan source.Span
	Span         source.Span // the whole call expression
	NameSpan     source.Span // the method name
	Args         []Arg
	Kwargs       []Kwarg
	// Scope is the qualname of the listed Function containing the call,
	// "" at module level.
	Scope string
}

// Kwarg returns the keyword argument with the given name, or nil.
func (c *Call) Kwarg(name string) *Kwarg { return findKwarg(c.Kwargs, name) }

// Kwarg returns the keyword argument with the given name, or nil.
func (a *Assignment) Kwarg(name string) *Kwarg { return findKwarg(a.Kwargs, name) }

// Lookup returns the function with the given qualname ("func" or
// "Class.method"); when a name is defined more than once the last
// definition wins, as at run time. It returns nil when there is none.
func (m *Module) Lookup(qualname string) *Function {
	for i := len(m.Functions) - 1; i >= 0; i-- {
		if m.Functions[i].Qualname == qualname {
			return m.Functions[i]
		}
	}
	return nil
}

// Flows returns the functions decorated as flows, in source order.
func (m *Module) Flows() []*Function {
	var out []*Function
	for _, f := range m.Functions {
		if f.IsFlow {
			out = append(out, f)
		}
	}
	return out
}

// Assignment returns the last module-level assignment to name, or nil.
func (m *Module) Assignment(name string) *Assignment {
	for i := len(m.Assignments) - 1; i >= 0; i-- {
		if m.Assignments[i].Target == name {
			return &m.Assignments[i]
		}
	}
	return nil
}

// ImportOf returns the import binding name at module level, or nil.
func (m *Module) ImportOf(name string) *Import {
	for i := len(m.Imports) - 1; i >= 0; i-- {
		if m.Imports[i].Bound() == name {
			return &m.Imports[i]
		}
	}
	return nil
}
