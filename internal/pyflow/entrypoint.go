package pyflow

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/prefect-lsp/prefect-lsp/internal/textdist"

	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// Entrypoint is a parsed prefect.yaml `entrypoint` (prefect.md §6): either
// file form "path/to/file.py:func" (split at the last ':'; func may be
// "Class.method") or module form "pkg.mod.func" (split at the last '.').
type Entrypoint struct {
	Raw    string
	Path   string // file part; "" for module form
	Module string // module form: dotted module; "" for file form
	Func   string
	// PathSpan covers Path (or Module) and FuncSpan covers Func, as byte
	// offsets within Raw.
	PathSpan, FuncSpan source.Span
}

// IsModule reports whether the entrypoint is in module form.
func (e Entrypoint) IsModule() bool { return e.Module != "" }

// EntrypointError describes a malformed entrypoint; Span is a byte range
// within the raw string.
type EntrypointError struct {
	Message string
	Span    source.Span
}

func (e *EntrypointError) Error() string { return e.Message }

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if (i == 0 && !isIdentStart(r)) || (i > 0 && !isIdentContinue(r)) {
			return false
		}
	}
	return !keywords[s]
}

func isDottedIdentifier(s string) bool {
	for _, part := range strings.Split(s, ".") {
		if !isIdentifier(part) {
			return false
		}
	}
	return true
}

// ParseEntrypoint splits an entrypoint string. Errors are *EntrypointError.
func ParseEntrypoint(raw string) (Entrypoint, error) {
	ep := Entrypoint{Raw: raw}
	whole := source.Span{Start: 0, End: len(raw)}
	if strings.TrimSpace(raw) == "" {
		return ep, &EntrypointError{Message: "entrypoint is empty; expected 'path/to/file.py:function_name' or 'module.function_name'", Span: whole}
	}
	if i := strings.LastIndexByte(raw, ':'); i >= 0 && !strings.Contains(raw, ".py:") && isDottedIdentifier(raw[:i]) && isDottedIdentifier(raw[i+1:]) {
		// Prefect loads a file only when the entrypoint contains ".py:";
		// otherwise "pkg.module:object" is imported as a module.
		ep.Module, ep.Func = raw[:i], raw[i+1:]
		ep.PathSpan = source.Span{Start: 0, End: i}
		ep.FuncSpan = source.Span{Start: i + 1, End: len(raw)}
		return ep, nil
	}
	if i := strings.LastIndexByte(raw, ':'); i >= 0 {
		ep.Path, ep.Func = raw[:i], raw[i+1:]
		ep.PathSpan = source.Span{Start: 0, End: i}
		ep.FuncSpan = source.Span{Start: i + 1, End: len(raw)}
		switch {
		case ep.Path == "":
			return ep, &EntrypointError{Message: fmt.Sprintf("entrypoint %q has no file path before ':'; expected 'path/to/file.py:%s'", raw, ep.Func), Span: ep.PathSpan}
		case ep.Func == "":
			return ep, &EntrypointError{Message: fmt.Sprintf("entrypoint %q has no function name after ':'; expected '%s:function_name'", raw, ep.Path), Span: ep.FuncSpan}
		case !isDottedIdentifier(ep.Func) && isDottedIdentifier(strings.ReplaceAll(ep.Func, "-", "_")):
			return ep, &EntrypointError{Message: fmt.Sprintf("%q is not a valid function name (it looks like a flow name); the entrypoint needs the Python function name, e.g. '%s'", ep.Func, strings.ReplaceAll(ep.Func, "-", "_")), Span: ep.FuncSpan}
		case !isDottedIdentifier(ep.Func):
			return ep, &EntrypointError{Message: fmt.Sprintf("%q is not a valid function name; the part after the last ':' must be 'function_name' or 'ClassName.method_name'", ep.Func), Span: ep.FuncSpan}
		}
		return ep, nil
	}
	if strings.HasSuffix(raw, ".py") || strings.ContainsAny(raw, `/\`) {
		return ep, &EntrypointError{Message: fmt.Sprintf("entrypoint %q has no function name; expected '%s:function_name'", raw, raw), Span: whole}
	}
	i := strings.LastIndexByte(raw, '.')
	if i < 0 {
		return ep, &EntrypointError{Message: fmt.Sprintf("entrypoint %q must be 'path/to/file.py:function_name' or 'package.module.function_name'", raw), Span: whole}
	}
	ep.Module, ep.Func = raw[:i], raw[i+1:]
	ep.PathSpan = source.Span{Start: 0, End: i}
	ep.FuncSpan = source.Span{Start: i + 1, End: len(raw)}
	if !isDottedIdentifier(ep.Module) {
		return ep, &EntrypointError{Message: fmt.Sprintf("%q is not a valid Python module path", ep.Module), Span: ep.PathSpan}
	}
	if !isIdentifier(ep.Func) {
		return ep, &EntrypointError{Message: fmt.Sprintf("%q is not a valid function name", ep.Func), Span: ep.FuncSpan}
	}
	return ep, nil
}

// FailureKind says why an entrypoint did not resolve to a flow.
type FailureKind int

const (
	// Resolved means the entrypoint names a flow.
	Resolved FailureKind = iota
	// FileNotFound: the file form's path does not exist under the root.
	FileNotFound
	// ModuleNotFound: the module form's module is not a file under root or
	// root/src (it may still be an installed package).
	ModuleNotFound
	// Unreadable: the file exists but could not be read.
	Unreadable
	// FunctionNotFound: no def (or assignment/import) with that name.
	FunctionNotFound
	// NotAFlow: the function exists but is not decorated with @flow
	// (Resolution.Function.IsTask tells whether it is a task).
	NotAFlow
	// NotStatic: the name exists but the scanner cannot tell statically
	// whether it is a flow (imported name, unknown decorator, assignment).
	NotStatic
)

func (k FailureKind) String() string {
	return [...]string{"resolved", "file-not-found", "module-not-found", "unreadable", "function-not-found", "not-a-flow", "not-static"}[k]
}

// Resolution is the result of ResolveEntrypoint.
type Resolution struct {
	Entrypoint Entrypoint
	File       string // absolute path of the file, when found
	Module     *Module
	Function   *Function
	// Assignment is set when the name is a module-level assignment such as
	// `x = etl.with_options(...)`; Function is then the underlying flow when
	// it could be identified.
	Assignment *Assignment
	Failure    FailureKind
	Message    string
	// Suggestions are close file paths (relative to root, forward slashes)
	// for FileNotFound/ModuleNotFound, or function qualnames for
	// FunctionNotFound, best first.
	Suggestions []string
}

// OK reports whether the entrypoint resolved to a flow.
func (r Resolution) OK() bool { return r.Failure == Resolved }

// ResolveEntrypoint finds the file (relative to root, the directory where
// `prefect deploy` runs) and the function an entrypoint names, without
// running any code.
func (p *Project) ResolveEntrypoint(root string, ep Entrypoint) Resolution {
	root = absPath(root)
	res := Resolution{Entrypoint: ep}
	if ep.IsModule() {
		rel := strings.ReplaceAll(ep.Module, ".", "/")
		var tried []string
		for _, base := range []string{"", "src/"} {
			for _, cand := range []string{base + rel + ".py", base + rel + "/__init__.py"} {
				tried = append(tried, cand)
				abs := filepath.Join(root, filepath.FromSlash(cand))
				if p.exists(abs) {
					res.File = abs
					return p.resolveFunction(res)
				}
			}
		}
		res.Failure = ModuleNotFound
		res.Message = fmt.Sprintf("module '%s' was not found in the project (looked for %s); it must be importable where the flow runs", ep.Module, strings.Join(tried[:3], ", "))
		res.Suggestions = p.suggestPaths(root, rel+".py")
		return res
	}
	path := ep.Path
	abs := path
	if !filepath.IsAbs(path) {
		abs = filepath.Join(root, filepath.FromSlash(path))
	}
	if !p.exists(abs) {
		res.Failure = FileNotFound
		res.Message = fmt.Sprintf("file '%s' does not exist (entrypoint paths are relative to the directory where `prefect deploy` runs: %s)", path, root)
		if strings.Contains(path, `\`) {
			alt := strings.ReplaceAll(path, `\`, "/")
			if p.exists(filepath.Join(root, filepath.FromSlash(alt))) {
				res.Suggestions = []string{alt}
				return res
			}
		}
		res.Suggestions = p.suggestPaths(root, path)
		return res
	}
	res.File = absPath(abs)
	return p.resolveFunction(res)
}

func (p *Project) resolveFunction(res Resolution) Resolution {
	ep := res.Entrypoint
	where := ep.Path
	if ep.IsModule() {
		where = ep.Module
	}
	mod, err := p.Module(res.File)
	if err != nil {
		res.Failure = Unreadable
		res.Message = fmt.Sprintf("cannot read '%s': %v", where, err)
		return res
	}
	res.Module = mod
	if f := mod.Lookup(ep.Func); f != nil {
		res.Function = f
		switch {
		case f.IsFlow:
		case f.IsTask:
			res.Failure = NotAFlow
			res.Message = fmt.Sprintf("'%s' is a task (@task), not a flow; a deployment entrypoint must name a function decorated with '@flow'", ep.Func)
		case f.UnknownDecorators:
			res.Failure = NotStatic
			res.Message = fmt.Sprintf("'%s' has a decorator the scanner cannot see through; it may or may not be a flow", ep.Func)
		default:
			res.Failure = NotAFlow
			res.Message = fmt.Sprintf("Function with name '%s' is not a flow. Make sure that it is decorated with '@flow'.", ep.Func)
		}
		return res
	}
	if !strings.Contains(ep.Func, ".") {
		if a := mod.Assignment(ep.Func); a != nil {
			res.Assignment = a
			if fn := flowBehindAssignment(mod, a); fn != nil {
				res.Function = fn
				return res
			}
			res.Failure = NotStatic
			res.Message = fmt.Sprintf("'%s' is assigned (%s = %s); the scanner cannot tell whether it is a flow", ep.Func, ep.Func, oneLine(a.Value))
			return res
		}
		if im := mod.ImportOf(ep.Func); im != nil {
			res.Failure = NotStatic
			res.Message = fmt.Sprintf("'%s' is imported from '%s'; the scanner does not follow imports", ep.Func, im.Module)
			return res
		}
	}
	res.Failure = FunctionNotFound
	res.Message = fmt.Sprintf("Flow function with name '%s' not found in '%s'.", ep.Func, where)
	res.Suggestions = suggestFunctions(mod, ep.Func)
	return res
}

// flowBehindAssignment identifies the flow of `x = fl.with_options(...)`,
// `x = flow(fn)` or `x = flow(name=...)(fn)`.
func flowBehindAssignment(mod *Module, a *Assignment) *Function {
	if recv, ok := strings.CutSuffix(a.Callee, ".with_options"); ok {
		if f := mod.Lookup(recv); f != nil && f.IsFlow {
			return f
		}
		if b := mod.Assignment(recv); b != nil && b != a {
			return flowBehindAssignment(mod, b)
		}
		return nil
	}
	if a.Callee == "" || len(a.Args) != 1 {
		return nil
	}
	head, rest, _ := strings.Cut(a.Callee, ".")
	resolved := a.Callee
	bound := false
	if im := mod.ImportOf(head); im != nil {
		bound = true
		resolved = im.Target()
		if rest != "" {
			resolved += "." + rest
		}
	}
	if kindOfDecorator(resolved, bound) != "flow" {
		return nil
	}
	if f := mod.Lookup(a.Args[0].Value); f != nil {
		return f
	}
	return nil
}

// suggestFunctions returns qualnames close to name, flows first.
func suggestFunctions(mod *Module, name string) []string {
	type cand struct {
		q    string
		d    int
		flow bool
	}
	var cands []cand
	seen := map[string]bool{}
	under := strings.ReplaceAll(name, "-", "_")
	for _, f := range mod.Functions {
		if seen[f.Qualname] {
			continue
		}
		seen[f.Qualname] = true
		d := -1
		switch {
		case f.IsFlow && f.DisplayFlowName() == name, strings.EqualFold(f.Qualname, name), f.Qualname == under:
			d = 0
		case strings.HasSuffix(f.Qualname, "."+name):
			d = 1
		default:
			if dist := textdist.Distance(strings.ToLower(f.Qualname), strings.ToLower(name)); dist <= max(2, utf8.RuneCountInString(name)/3) {
				d = dist
			}
		}
		if d >= 0 {
			cands = append(cands, cand{f.Qualname, d, f.IsFlow})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].d != cands[j].d {
			return cands[i].d < cands[j].d
		}
		return cands[i].flow && !cands[j].flow
	})
	var out []string
	for _, c := range cands {
		if len(out) == 3 {
			break
		}
		out = append(out, c.q)
	}
	if len(out) == 0 {
		// Nothing close: offer the flows of the file.
		for _, f := range mod.Flows() {
			if len(out) < 3 && !containsString(out, f.Qualname) {
				out = append(out, f.Qualname)
			}
		}
	}
	return out
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// suggestPaths returns .py files under root close to the missing path.
func (p *Project) suggestPaths(root, missing string) []string {
	missing = filepath.ToSlash(missing)
	missing = strings.TrimPrefix(missing, "./")
	base := pathBase(missing)
	type cand struct {
		rel string
		d   int
	}
	var cands []cand
	for _, rel := range p.pythonFiles(root) {
		d := -1
		switch {
		case strings.EqualFold(rel, missing):
			d = 0
		case pathBase(rel) == base:
			d = 1 + strings.Count(rel, "/")
		case strings.HasSuffix(rel, "/"+missing) || strings.HasSuffix(missing, "/"+rel):
			d = 1
		default:
			if dist := textdist.Distance(rel, missing); dist <= max(3, len(missing)/4) {
				d = 2 + dist
			}
		}
		if d >= 0 {
			cands = append(cands, cand{rel, d})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].d < cands[j].d })
	var out []string
	for _, c := range cands {
		if len(out) == 3 {
			break
		}
		out = append(out, c.rel)
	}
	return out
}

func pathBase(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}
