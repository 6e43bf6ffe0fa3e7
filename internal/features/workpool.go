package features

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/deployinfo"
	"github.com/prefect-lsp/prefect-lsp/internal/guidance"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/workpools"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// WorkPool hovers on a deployment's work_pool key or name (the pool type
// and where it came from, and the decision guide's recommendation) and on
// job_variables keys (the variable's meaning, type and default for the
// pool type), and completes job_variables keys for the pool type.
type WorkPool struct{}

func (WorkPool) Name() string { return "work-pool" }

func (WorkPool) Hover(ctx context.Context, s *lsp.Snapshot, off int) *lsp.HoverResult {
	d := deploymentAt(s.Model(), off)
	if d == nil || d.WorkPool == nil {
		return nil
	}
	wp := d.WorkPool
	if h := jobVariableHover(s, d, off); h != nil {
		return h
	}
	var span source.Span
	switch {
	case within(wp.Field.KeySpan(), off):
		span = wp.Field.KeySpan()
	case within(wp.Name.ValueSpan(), off) && wp.Name.Present():
		span = wp.Name.ValueSpan()
	default:
		return nil
	}
	cfg := s.Config()
	typ, src := deployinfo.PoolType(cfg, d)
	var b strings.Builder
	name, _ := wp.Name.Str()
	fmt.Fprintf(&b, "**Work pool `%s`**", name)
	if typ == "" {
		b.WriteString(" — type unknown. Tell prefect-lsp with `[tool.prefect-lsp.work-pools]` in pyproject.toml (e.g. `" + name + " = \"kubernetes\"`) to get type-specific checks.\n\n")
	} else {
		fmt.Fprintf(&b, " — type `%s` (%s).\n\n", typ, src)
		if t, ok := workpools.Lookup(typ); ok {
			fmt.Fprintf(&b, "%s\n\n", t.Summary)
		}
	}
	rec := deployinfo.Recommend(cfg, d)
	b.WriteString(guidance.Markdown(rec, d.DisplayName()))
	return &lsp.HoverResult{Markdown: b.String(), Span: span}
}

// poolTypeOf returns the deployment's pool type when it is known and
// catalogued.
func poolTypeOf(s *lsp.Snapshot, d *prefectyaml.Deployment) (*workpools.Type, string, bool) {
	name, src := deployinfo.PoolType(s.Config(), d)
	if name == "" {
		return nil, "", false
	}
	t, ok := workpools.Lookup(name)
	return t, src, ok
}

func jobVariableHover(s *lsp.Snapshot, d *prefectyaml.Deployment, off int) *lsp.HoverResult {
	jv := d.WorkPool.JobVariables
	if !within(jv.ValueSpan(), off) {
		return nil
	}
	for _, pr := range jv.Value.Pairs() {
		if pr.Via != nil || !within(pr.Key.Span, off) {
			continue
		}
		t, src, ok := poolTypeOf(s, d)
		if !ok {
			return nil
		}
		v, ok := t.Variable(pr.KeyText())
		if !ok {
			return nil
		}
		var b strings.Builder
		fmt.Fprintf(&b, "**Job variable `%s`** of `%s` pools (type from %s)\n\n", v.Name, t.Name, src)
		if v.Description != "" {
			fmt.Fprintf(&b, "%s\n\n", v.Description)
		}
		b.WriteString(variableFacts(v))
		return &lsp.HoverResult{Markdown: b.String(), Span: pr.Key.Span}
	}
	return nil
}

// variableFacts lists a job variable's type, allowed values and default.
func variableFacts(v *workpools.Variable) string {
	var b strings.Builder
	typ := v.Type
	if typ == "" {
		typ = "any"
	}
	if v.BlockType != "" {
		typ += " (" + v.BlockType + " block)"
	}
	fmt.Fprintf(&b, "- Type: `%s`\n", typ)
	if len(v.Enum) > 0 {
		fmt.Fprintf(&b, "- One of: `%s`\n", strings.Join(v.Enum, "`, `"))
	}
	if v.Default != nil {
		fmt.Fprintf(&b, "- Default: `%s`\n", defaultText(v.Default))
	} else {
		b.WriteString("- Default: none (the pool's base job template decides)\n")
	}
	if v.Pattern != "" {
		fmt.Fprintf(&b, "- Pattern: `%s`\n", v.Pattern)
	}
	if v.Newer {
		b.WriteString("- Newer variable: older servers' bundled templates may not list it\n")
	}
	return b.String()
}

func defaultText(v any) string {
	if data, err := json.Marshal(v); err == nil {
		return string(data)
	}
	return fmt.Sprint(v)
}

// jobVariableKeyAt reports whether off is where a key of a job_variables
// mapping is typed: a line holding only a partial word, directly under a
// "job_variables:" line. It returns the typed word's span.
func jobVariableKeyAt(text string, off int) (source.Span, bool) {
	if off < 0 || off > len(text) {
		return source.Span{}, false
	}
	ls := strings.LastIndexByte(text[:off], '\n') + 1
	before := text[ls:off]
	ind := len(before) - len(strings.TrimLeft(before, " "))
	word := before[ind:]
	for _, r := range word {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return source.Span{}, false
		}
	}
	for end := ls - 1; end > 0; {
		start := strings.LastIndexByte(text[:end], '\n') + 1
		line := strings.TrimRight(text[start:end], "\r")
		end = start - 1
		li := len(line) - len(strings.TrimLeft(line, " "))
		if li == len(line) || line[li] == '#' || li >= ind {
			continue
		}
		m := ownerKeyRE.FindStringSubmatch(line[li:])
		return source.Span{Start: ls + ind, End: off}, m != nil && m[1] == "job_variables"
	}
	return source.Span{}, false
}

// deploymentBefore is the last deployment starting before off (the one a
// line being typed belongs to, even when the parse ended earlier).
func deploymentBefore(m *prefectyaml.File, off int) *prefectyaml.Deployment {
	if m == nil {
		return nil
	}
	var found *prefectyaml.Deployment
	for _, d := range m.Deployments {
		if d.Via == nil && d.Node.Span.Start <= off {
			found = d
		}
	}
	return found
}

func (WorkPool) Complete(ctx context.Context, s *lsp.Snapshot, off int) []lsp.CompletionItem {
	word, ok := jobVariableKeyAt(s.Text(), off)
	if !ok {
		return nil
	}
	m := s.Model()
	if m == nil || m.Root == nil {
		// The typed word makes the mapping invalid: parse without it.
		b := []byte(s.Text())
		for i := word.Start; i < word.End; i++ {
			b[i] = ' '
		}
		m = prefectyaml.Parse(yamlsyntax.Parse(s.Path, string(b)))
	}
	d := deploymentBefore(m, off)
	if d == nil || d.WorkPool == nil {
		return nil
	}
	t, src, ok := poolTypeOf(s, d)
	if !ok {
		return nil
	}
	have := map[string]bool{}
	for _, pr := range d.WorkPool.JobVariables.Value.Pairs() {
		if !within(pr.Key.Span, off) {
			have[pr.KeyText()] = true
		}
	}
	var items []lsp.CompletionItem
	for i, v := range t.Variables {
		if have[v.Name] {
			continue
		}
		detail := v.Type
		if v.Default != nil {
			detail += " = " + defaultText(v.Default)
		}
		doc := fmt.Sprintf("%s\n\n%s\n`%s` pool (type from %s)", v.Description, variableFacts(&t.Variables[i]), t.Name, src)
		items = append(items, lsp.CompletionItem{
			Label:         v.Name,
			Detail:        strings.TrimSpace(detail),
			Documentation: strings.TrimSpace(doc),
			Kind:          lsp.CompletionProperty,
			InsertText:    jobVariableSnippet(&t.Variables[i]),
			Snippet:       true,
			Replace:       word,
			FilterText:    v.Name,
			SortText:      fmt.Sprintf("0%03d", i),
		})
	}
	return items
}

// jobVariableSnippet writes "name: " shaped for the variable's type.
func jobVariableSnippet(v *workpools.Variable) string {
	var enum []string
	for _, e := range v.Enum {
		if e != "" && !strings.ContainsAny(e, ",|$}\\:#'\"") {
			enum = append(enum, e)
		}
	}
	switch {
	case len(enum) > 0:
		return v.Name + ": ${1|" + strings.Join(enum, ",") + "|}"
	case v.Type == "object":
		return v.Name + ":\n  $0"
	case v.Type == "array":
		return v.Name + ":\n  - $0"
	case v.Type == "boolean":
		return v.Name + ": ${1|true,false|}"
	}
	return v.Name + ": $0"
}
