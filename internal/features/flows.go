package features

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/pyflow"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// Flows connects a deployment to its Python flow in the editor: it
// completes entrypoints (every flow found in the project) and the flow's
// parameter names under `parameters:`, jumps from a parameter key to the
// parameter in the def, hovers on parameter keys (annotation, default and
// the docstring's description) and shows, as an inlay hint, the defaults of
// the parameters a deployment leaves unset.
type Flows struct{}

func (Flows) Name() string { return "flows" }

// Bounds of what the editor shows.
const (
	maxEntrypointItems = 500
	maxHintLen         = 60 // characters of an inlay hint label
	maxDefaultLen      = 24 // characters of one default within it
)

// ---- resolution ----

// flowOf resolves a deployment's literal entrypoint to its function (nil
// when it has none, is templated or does not resolve to a def).
func flowOf(s *lsp.Snapshot, d *prefectyaml.Deployment) (*pyflow.Function, pyflow.Resolution) {
	raw, ok := d.Entrypoint.Str()
	if !ok || strings.Contains(raw, "{{") || s.Root == "" {
		return nil, pyflow.Resolution{}
	}
	ep, err := pyflow.ParseEntrypoint(raw)
	if err != nil {
		return nil, pyflow.Resolution{}
	}
	res := rules.FlowProject(s.Env).ResolveEntrypoint(s.Root, ep)
	return res.Function, res
}

// callerParams are the parameters a deployment can set: all but *args,
// **kwargs and a method's implicit first parameter.
func callerParams(f *pyflow.Function) []pyflow.Param {
	ps := f.NamedParams()
	out := make([]pyflow.Param, 0, len(ps))
	for _, p := range ps {
		if p.Kind != pyflow.VarPositional && p.Kind != pyflow.VarKeyword {
			out = append(out, p)
		}
	}
	return out
}

// paramFields returns the deployment's `parameters` field and each
// schedule's.
func paramFields(d *prefectyaml.Deployment) []prefectyaml.Field {
	out := []prefectyaml.Field{d.Parameters}
	for _, sc := range d.Schedules {
		out = append(out, sc.Parameters)
	}
	return out
}

// paramKeyAt finds the parameter key under the cursor: the deployment and
// the key's node.
func paramKeyAt(s *lsp.Snapshot, off int) (*prefectyaml.Deployment, *yamlsyntax.Node) {
	d := deploymentAt(s.Model(), off)
	if d == nil {
		return nil, nil
	}
	for _, f := range paramFields(d) {
		n := f.Value.Resolve()
		if n == nil || n.Kind != yamlsyntax.MappingNode || !within(f.ValueSpan(), off) && !within(n.Span, off) {
			continue
		}
		for _, pair := range n.Pairs() {
			if within(pair.Key.Span, off) {
				return d, pair.Key
			}
		}
	}
	return nil, nil
}

// ---- hover and definition on parameter keys ----

func (Flows) Hover(ctx context.Context, s *lsp.Snapshot, off int) *lsp.HoverResult {
	d, key := paramKeyAt(s, off)
	if key == nil {
		return nil
	}
	f, res := flowOf(s, d)
	if f == nil {
		return nil
	}
	name := key.Resolve().Text
	prm := f.Param(name)
	if prm == nil {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**parameter** `%s` of flow `%s` (`%s`)\n\n```python\n%s\n```\n", name, f.DisplayFlowName(), rel(s.Root, res.File), paramText(*prm))
	if !prm.HasDefault {
		b.WriteString("\nRequired: it has no default.\n")
	}
	if desc := paramDescription(pyflow.CleanDocstring(f.Docstring), name); desc != "" {
		fmt.Fprintf(&b, "\n%s\n", desc)
	}
	return &lsp.HoverResult{Markdown: b.String(), Span: key.Span}
}

func (Flows) Definition(ctx context.Context, s *lsp.Snapshot, off int) []lsp.Location {
	d, key := paramKeyAt(s, off)
	if key == nil {
		return nil
	}
	f, res := flowOf(s, d)
	if f == nil || res.File == "" {
		return nil
	}
	if prm := f.Param(key.Resolve().Text); prm != nil {
		return []lsp.Location{{Path: res.File, Span: prm.NameSpan}}
	}
	return nil
}

// paramText renders "name: annotation = default".
func paramText(p pyflow.Param) string {
	t := p.Name
	if p.Annotation != "" {
		t += ": " + p.Annotation
	}
	if p.HasDefault {
		if p.Annotation != "" {
			t += " = " + p.Default
		} else {
			t += "=" + p.Default
		}
	}
	return t
}

var (
	sectionRE = regexp.MustCompile(`^(Args|Arguments|Parameters|Params|Keyword Args|Keyword Arguments|Other Parameters)\s*:?\s*$`)
	underline = regexp.MustCompile(`^-{3,}\s*$`)
	sphinxRE  = regexp.MustCompile(`^:param\s+(?:[^:]*\s)?(\w+)\s*:\s*(.*)$`)
)

// paramDescription extracts the description of parameter name from a
// cleaned docstring in Google (`Args:` / `name (type): text`), NumPy
// (`Parameters` / `----------` / `name : type` + indented text) or Sphinx
// (`:param name: text`) style; "" when not found.
func paramDescription(doc, name string) string {
	lines := strings.Split(doc, "\n")
	indentOf := func(l string) int { return len(l) - len(strings.TrimLeft(l, " \t")) }
	// collect joins the first line's text with the following lines that
	// are indented deeper than base.
	collect := func(first string, i, base int) string {
		parts := []string{strings.TrimSpace(first)}
		for j := i + 1; j < len(lines); j++ {
			l := lines[j]
			if strings.TrimSpace(l) == "" || indentOf(l) <= base {
				break
			}
			parts = append(parts, strings.TrimSpace(l))
		}
		return strings.TrimSpace(strings.Join(parts, " "))
	}
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if m := sphinxRE.FindStringSubmatch(t); m != nil && m[1] == name {
			return collect(m[2], i, indentOf(l))
		}
	}
	for i := 0; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if !sectionRE.MatchString(t) {
			continue
		}
		base := indentOf(lines[i])
		numpy := i+1 < len(lines) && underline.MatchString(strings.TrimSpace(lines[i+1]))
		start := i + 1
		if numpy {
			start = i + 2
		}
		for j := start; j < len(lines); j++ {
			l := lines[j]
			lt := strings.TrimSpace(l)
			if lt == "" {
				continue
			}
			ind := indentOf(l)
			if !numpy && ind <= base || numpy && j+1 < len(lines) && underline.MatchString(strings.TrimSpace(lines[j+1])) {
				break // the section ended
			}
			head, rest := lt, ""
			if numpy {
				if k := strings.Index(lt, ":"); k >= 0 {
					head = lt[:k]
				}
			} else if k := strings.Index(lt, ":"); k >= 0 {
				head, rest = lt[:k], lt[k+1:]
			} else {
				continue
			}
			head = strings.TrimSpace(head)
			if k := strings.IndexAny(head, " ("); k >= 0 {
				head = head[:k]
			}
			if strings.TrimLeft(head, "*") != name {
				continue
			}
			if numpy {
				return collect("", j, ind)
			}
			return collect(rest, j, ind)
		}
	}
	return ""
}

// ---- completion ----

func (Flows) Complete(ctx context.Context, s *lsp.Snapshot, off int) []lsp.CompletionItem {
	text := s.Text()
	if off < 0 || off > len(text) {
		return nil
	}
	ls := strings.LastIndexByte(text[:off], '\n') + 1
	le := len(text)
	if i := strings.IndexByte(text[off:], '\n'); i >= 0 {
		le = off + i
	}
	line := strings.TrimSuffix(text[ls:le], "\r")
	if items := entrypointCompletions(ctx, s, ls, line, off); items != nil {
		return items
	}
	return parameterCompletions(ctx, s, ls, line, off)
}

var entrypointLineRE = regexp.MustCompile(`^\s*(?:-\s+)*entrypoint:[ \t]*`)

// entrypointCompletions proposes every flow of the project when the cursor
// is in an `entrypoint:` value.
func entrypointCompletions(ctx context.Context, s *lsp.Snapshot, ls int, line string, off int) []lsp.CompletionItem {
	text := s.Text()
	m := entrypointLineRE.FindStringIndex(line)
	if m == nil || off-ls < m[1] || s.Root == "" {
		return nil
	}
	// The replaced range: the value as typed, inside its quotes.
	vs, ve := ls+m[1], max(ls+m[1], ls+len(strings.TrimRight(line, " \t")))
	if i := strings.Index(text[vs:ve], " #"); i >= 0 {
		ve = vs + len(strings.TrimRight(text[vs:vs+i], " \t"))
	}
	if vs < ve && (text[vs] == '"' || text[vs] == '\'') {
		q := text[vs]
		vs++
		if ve > vs && text[ve-1] == q {
			ve--
		}
	}
	if off < vs || off > ve {
		return nil
	}
	// A dotted value without a path separator or colon may be the module
	// form ("pkg.mod.func"): offer it too, after the file forms.
	typed := text[vs:off]
	modules := strings.Contains(typed, ".") && !strings.ContainsAny(typed, `/\:`)
	project := rules.FlowProject(s.Env)
	flows := project.FindFlows(s.Root)
	items := make([]lsp.CompletionItem, 0, min(len(flows), maxEntrypointItems))
	var moduleItems []lsp.CompletionItem
	for i, fr := range flows {
		if len(items)+len(moduleItems) >= maxEntrypointItems || ctx.Err() != nil {
			break
		}
		f := fr.Function
		doc := "```python\n" + f.Signature() + "\n```"
		if ds := pyflow.CleanDocstring(f.Docstring); ds != "" {
			doc += "\n\n" + ds
		}
		item := lsp.CompletionItem{
			Detail:        f.DisplayFlowName(),
			Documentation: doc,
			Kind:          lsp.CompletionFunction,
			Replace:       source.Span{Start: vs, End: ve},
		}
		item.Label, item.InsertText, item.FilterText, item.SortText = fr.Entrypoint, fr.Entrypoint, fr.Entrypoint, fmt.Sprintf("0%04d", i)
		items = append(items, item)
		if !modules {
			continue
		}
		if m, ok := project.ModuleEntrypoint(s.Root, fr); ok {
			item.Label, item.InsertText, item.FilterText, item.SortText = m, m, m, fmt.Sprintf("1%04d", i)
			item.Documentation = "Module form of `" + fr.Entrypoint + "`: Prefect imports the module instead of reading the file, so it must be importable where the flow runs.\n\n" + doc
			moduleItems = append(moduleItems, item)
		}
	}
	return append(items, moduleItems...)
}

var (
	keyPrefixRE = regexp.MustCompile(`^([ \t]*)([A-Za-z_][A-Za-z0-9_]*)?$`)
	paramsKeyRE = regexp.MustCompile(`^[ \t]*(?:-[ \t]+)*parameters:[ \t]*(?:#.*)?$`)
)

// parameterCompletions proposes the flow's parameter names not yet set
// when the cursor is at a key of a `parameters:` mapping.
func parameterCompletions(ctx context.Context, s *lsp.Snapshot, ls int, line string, off int) []lsp.CompletionItem {
	text := s.Text()
	before := text[ls:off]
	m := keyPrefixRE.FindStringSubmatch(before)
	if m == nil {
		return nil
	}
	indent := len(m[1])
	// The identifier around the cursor is replaced.
	ws := off - len(m[2])
	we := off
	for we < len(text) && isIdentByte(text[we]) {
		we++
	}
	rest := strings.TrimSpace(text[we:min(ls+len(line), len(text))])
	if rest != "" && !strings.HasPrefix(rest, "#") {
		return nil // the key already has a value (or a colon)
	}
	// The parent line: the nearest line above with less indentation.
	parentStart := -1
	for p := ls; p > 0; {
		ps := strings.LastIndexByte(text[:p-1], '\n') + 1
		pl := strings.TrimSuffix(text[ps:p-1], "\r")
		p = ps
		t := strings.TrimLeft(pl, " \t")
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if len(pl)-len(t) < indent {
			if paramsKeyRE.MatchString(pl) {
				parentStart = ps + strings.Index(pl, "parameters:")
			}
			break
		}
		if ctx.Err() != nil {
			return nil
		}
	}
	if parentStart < 0 {
		return nil
	}
	model := s.Model()
	if strings.TrimSpace(line) != "" {
		// The line being typed may not parse: read the document with it
		// blanked (offsets before it are unchanged).
		patched := text[:ls] + strings.Repeat(" ", indent) + text[ls+len(line):]
		model = prefectyaml.Parse(yamlsyntax.Parse(s.Path, patched))
	}
	d, field := deploymentWithParamsKey(model, parentStart)
	if d == nil {
		return nil
	}
	f, _ := flowOf(s, d)
	if f == nil {
		return nil
	}
	present := map[string]bool{}
	if n := field.Value.Resolve(); n != nil && n.Kind == yamlsyntax.MappingNode {
		for _, p := range n.Pairs() {
			present[p.KeyText()] = true
		}
	}
	var items []lsp.CompletionItem
	for i, p := range callerParams(f) {
		if present[p.Name] {
			continue
		}
		detail := p.Annotation
		if p.HasDefault {
			detail = strings.TrimSpace(detail + " = " + p.Default)
		} else {
			detail = strings.TrimSpace(detail + " (required)")
		}
		snippet := p.Name + ": ${1}"
		if v, ok := yamlDefault(p.Default); p.HasDefault && ok {
			snippet = p.Name + ": ${1:" + escapeSnippet(v) + "}"
		}
		doc := "```python\n" + paramText(p) + "\n```"
		if desc := paramDescription(pyflow.CleanDocstring(f.Docstring), p.Name); desc != "" {
			doc += "\n\n" + desc
		}
		items = append(items, lsp.CompletionItem{
			Label:         p.Name,
			Detail:        detail,
			Documentation: doc,
			Kind:          lsp.CompletionProperty,
			InsertText:    snippet,
			Snippet:       true,
			Replace:       source.Span{Start: ws, End: we},
			SortText:      fmt.Sprintf("0%04d", i),
			Preselect:     i == 0,
		})
	}
	return items
}

// deploymentWithParamsKey finds the deployment whose (or whose schedule's)
// `parameters` key starts at off.
func deploymentWithParamsKey(m *prefectyaml.File, off int) (*prefectyaml.Deployment, prefectyaml.Field) {
	if m == nil {
		return nil, prefectyaml.Field{}
	}
	for _, d := range m.Deployments {
		if !within(d.Node.Span, off) {
			continue
		}
		for _, f := range paramFields(d) {
			if f.Key != nil && f.Key.Span.Start == off {
				return d, f
			}
		}
	}
	return nil, prefectyaml.Field{}
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func escapeSnippet(s string) string {
	return strings.NewReplacer(`\`, `\\`, `$`, `\$`, `}`, `\}`).Replace(s)
}

var numberRE = regexp.MustCompile(`^[-+]?(\d[\d_]*(\.\d*)?([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)$`)

// yamlDefault renders a Python literal default as the YAML value that
// means the same, false when the default is not a simple literal.
func yamlDefault(py string) (string, bool) {
	py = strings.TrimSpace(py)
	switch py {
	case "None":
		return "null", true
	case "True":
		return "true", true
	case "False":
		return "false", true
	case "[]", "{}", "()":
		if py == "()" {
			return "[]", true
		}
		return py, true
	}
	if numberRE.MatchString(py) {
		return strings.ReplaceAll(py, "_", ""), true
	}
	if v, ok := pyStringLiteral(py); ok {
		return yamlQuote(v), true
	}
	return "", false
}

// pyStringLiteral decodes a simple Python string literal without escapes
// or prefixes.
func pyStringLiteral(s string) (string, bool) {
	if len(s) < 2 || strings.ContainsRune(s, '\\') || strings.HasPrefix(s, `"""`) || strings.HasPrefix(s, `'''`) {
		return "", false
	}
	q := s[0]
	if q != '"' && q != '\'' || s[len(s)-1] != q || strings.IndexByte(s[1:len(s)-1], q) >= 0 {
		return "", false
	}
	return s[1 : len(s)-1], true
}

func yamlQuote(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

// ---- inlay hints ----

func (Flows) InlayHints(ctx context.Context, s *lsp.Snapshot, span source.Span) []lsp.InlayHint {
	m := s.Model()
	if m == nil {
		return nil
	}
	var out []lsp.InlayHint
	// Many deployments share an entrypoint: resolve each once.
	memo := map[string]*pyflow.Function{}
	for _, d := range m.Deployments {
		if ctx.Err() != nil {
			return out
		}
		if d.Node == nil || !d.Node.Span.Overlaps(span) && !span.Contains(d.Node.Span.Start) {
			continue
		}
		if h, ok := defaultsHint(s, d, memo); ok {
			out = append(out, h)
		}
	}
	return out
}

// defaultsHint shows the defaults of the parameters d leaves unset, after
// the `parameters:` key line, else after the entrypoint line.
func defaultsHint(s *lsp.Snapshot, d *prefectyaml.Deployment, memo map[string]*pyflow.Function) (lsp.InlayHint, bool) {
	text := s.Text()
	params := d.Parameters.Value.Resolve()
	if params != nil && params.Kind == yamlsyntax.ScalarNode && params.IsString() {
		return lsp.InlayHint{}, false // templated parameters
	}
	at := d.Parameters.Key
	if at == nil || d.Parameters.Via != nil {
		at = d.Entrypoint.Value
		if at == nil || d.Entrypoint.Via != nil {
			return lsp.InlayHint{}, false
		}
	}
	raw, _ := d.Entrypoint.Str()
	f, seen := memo[raw]
	if !seen {
		f, _ = flowOf(s, d)
		memo[raw] = f
	}
	if f == nil {
		return lsp.InlayHint{}, false
	}
	var parts, full []string
	for _, p := range callerParams(f) {
		if !p.HasDefault {
			continue
		}
		if _, ok := params.Get(p.Name); ok {
			continue
		}
		full = append(full, p.Name+"="+p.Default)
		parts = append(parts, p.Name+"="+clip(oneLine(p.Default), maxDefaultLen))
	}
	if len(parts) == 0 {
		return lsp.InlayHint{}, false
	}
	label := ""
	for i, p := range parts {
		next := label
		if i > 0 {
			next += ", "
		}
		next += p
		if len([]rune(next)) > maxHintLen {
			label += fmt.Sprintf(", +%d more", len(parts)-i)
			if i == 0 {
				label = fmt.Sprintf("%d defaults", len(parts))
			}
			break
		}
		label = next
	}
	// The end of the line the key (or value) is on, before any comment;
	// after the colon when a block mapping (or nothing) follows the key.
	end := lineEndBeforeComment(text, at.Span.End)
	if at == d.Parameters.Key {
		if v := d.Parameters.Value; v == nil || v.IsNull() || v.Line != at.Line {
			end = at.Span.End
			if end < len(text) && text[end] == ':' {
				end++
			}
		}
	}
	tip := "Defaults the deployment leaves unset (from the flow `" + f.DisplayFlowName() + "`):\n\n```python\n" + strings.Join(full, "\n") + "\n```"
	return lsp.InlayHint{Offset: end, Label: label, Tooltip: tip, PaddingLeft: true}, true
}

// lineEndBeforeComment returns the end of the line holding off, before a
// trailing " #" comment that starts at or after off and before trailing
// blanks.
func lineEndBeforeComment(text string, off int) int {
	le := strings.IndexByte(text[off:], '\n')
	if le < 0 {
		le = len(text)
	} else {
		le += off
	}
	if i := strings.Index(text[off:le], " #"); i >= 0 {
		le = off + i
	}
	for le > off && (text[le-1] == ' ' || text[le-1] == '\t' || text[le-1] == '\r') {
		le--
	}
	return le
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
