package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/schemanav"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
	"github.com/prefect-lsp/prefect-lsp/schema"
)

var YAMLSyntax = &analysis.Rule{
	ID:       "yaml-syntax",
	Summary:  "the file is not valid YAML, so Prefect skips it entirely",
	Severity: analysis.Error,
	Category: analysis.CategoryYAML,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Reports YAML syntax errors at the exact place the parser stopped, including
tabs where PyYAML (the YAML reader Prefect uses) expects a token. An unquoted
value that starts with ` + "`*`" + `, such as the cron expression ` + "`* * * * *`" + `, is read as
an alias and fails to parse: it is reported on the whole value, with a safe
fix that quotes it.

## Why
` + "`prefect deploy`" + ` prints "Unable to read the specified config file ... Skipping." and goes
on as if the file did not exist (prefect.md §1.5), which usually ends in a
confusing "An entrypoint must be provided" error.

## Example
` + "```yaml" + `
deployments:
  - name: etl
     entrypoint: flows/etl.py:etl   # indented one space too far
` + "```" + `

Fix the indentation so that keys of one mapping line up:

` + "```yaml" + `
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
` + "```" + `

## How to silence
A file that does not parse cannot be analysed further; this rule cannot be
silenced with a comment.`,
	Run: func(p *analysis.Pass) {
		for _, pr := range p.Doc.Problems {
			if pr.Kind != yamlsyntax.SyntaxError {
				continue
			}
			if value, ok := starValue(p.Src, pr); ok {
				// "cron: * * * * *": the * starts an alias, not text.
				raw := p.Src.Slice(value)
				d := p.Reportf(value, "invalid YAML: a value that starts with * is read as an alias (*name), so %s is not text; quote it: %s. Prefect skips the whole file", raw, doubleQuote(raw))
				d.Fixes = append(d.Fixes, analysis.Fix{Title: "Quote " + raw, Edits: []source.Edit{{Span: value, NewText: doubleQuote(raw)}}, IsPreferred: true, Safe: true})
				continue
			}
			d := p.Reportf(pr.Span, "%s", yamlMessage(pr.Message, p.Src.Slice(pr.Span)))
			for _, r := range pr.Related {
				d.Related = append(d.Related, analysis.Related{Span: r, Message: "the construct that the error belongs to starts here"})
			}
		}
	},
}

// starValue recognises the alias error of an unquoted value that starts
// with "*" followed by something an alias name cannot hold ("* * * * *"),
// and returns that value's span: from the * to the end of the line, before
// a comment and trailing blanks.
func starValue(src *source.File, pr yamlsyntax.Problem) (source.Span, bool) {
	if !strings.Contains(pr.Message, "while scanning an alias") || len(pr.Related) == 0 {
		return source.Span{}, false
	}
	text := src.Text()
	at := pr.Related[0].Start
	if at < 0 || at >= len(text) || text[at] != '*' {
		return source.Span{}, false
	}
	// The value starts after the line's last "key: " or "- " before the
	// error ("*/5 * * * *" scans as the alias */5 first, then fails).
	line := src.LineOf(at)
	ls := src.LineStart(line)
	start := ls
	for i := ls; i < at; i++ {
		if (text[i] == ':' || text[i] == '-') && i+1 < len(text) && text[i+1] == ' ' && (text[i] == ':' || i == ls || text[i-1] == ' ') {
			start = i + 1
		}
	}
	for start < at && text[start] == ' ' {
		start++
	}
	if text[start] != '*' {
		return source.Span{}, false
	}
	end := src.LineEnd(line)
	if i := strings.Index(text[start:end], " #"); i >= 0 {
		end = start + i
	}
	for end > start && (text[end-1] == ' ' || text[end-1] == '\t') {
		end--
	}
	if end-start < 2 || strings.ContainsAny(text[start:end], "\"'") {
		return source.Span{}, false
	}
	return source.Span{Start: start, End: end}, true
}

// yamlMessage rephrases the YAML library's messages for users.
func yamlMessage(m, at string) string {
	m = strings.TrimPrefix(m, "yaml: ")
	switch {
	case strings.Contains(m, "cannot start any token") && strings.HasPrefix(at, "\t"):
		return "invalid YAML: a tab cannot indent or separate tokens in YAML; use spaces. Prefect skips the whole file"
	case strings.Contains(m, "tab") && strings.HasPrefix(m, "a tab"):
		return m
	case strings.Contains(m, "mapping values are not allowed in this context"):
		return "invalid YAML: a \"key: value\" is not allowed here (check the indentation, or quote a value that contains \": \"); Prefect skips the whole file"
	case strings.Contains(m, "did not find expected key"):
		return "invalid YAML: expected a key at this indentation (check that the keys of one mapping line up); Prefect skips the whole file"
	case strings.Contains(m, "did not find expected '-' indicator"):
		return "invalid YAML: expected a \"- \" list item at this indentation; Prefect skips the whole file"
	}
	return "invalid YAML: " + m + "; Prefect skips the whole file"
}

var YAMLLoad = &analysis.Rule{
	ID:       "yaml-load-error",
	Summary:  "valid YAML that PyYAML's safe_load refuses, so Prefect skips the file",
	Severity: analysis.Error,
	Category: analysis.CategoryYAML,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Reports YAML that parses but that PyYAML's ` + "`safe_load`" + ` (what Prefect uses) cannot
turn into data: several documents separated by ` + "`---`" + `, unknown tags such as
` + "`!Ref`" + `, aliases to anchors that are not defined before them, merge keys (` + "`<<`" + `)
whose value is not a mapping, and values PyYAML cannot construct.

## Why
Prefect then prints "Unable to read the specified config file" and skips the
file (prefect.md §1.5).

## Example
` + "```yaml" + `
deployments:
  - name: etl
    work_pool: *pool     # no "&pool" anchor before this line
` + "```" + `

Define the anchor first, usually under ` + "`definitions:`" + `:

` + "```yaml" + `
definitions:
  work_pools:
    k8s: &pool
      name: k8s
deployments:
  - name: etl
    work_pool: *pool
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore[yaml-load-error]`" + ` on the line, though Prefect will still fail.`,
	Run: func(p *analysis.Pass) {
		for _, pr := range p.Doc.Problems {
			if pr.Kind != yamlsyntax.LoadError || strings.Contains(pr.Message, "unquoted \"{{") {
				continue
			}
			d := p.Reportf(pr.Span, "%s", pr.Message)
			for _, r := range pr.Related {
				d.Related = append(d.Related, analysis.Related{Span: r, Message: "related"})
			}
		}
	},
}

var UnquotedPlaceholder = &analysis.Rule{
	ID:       "unquoted-placeholder",
	Summary:  "an unquoted {{ placeholder }} is a YAML mapping, and PyYAML fails to load the file",
	Severity: analysis.Error,
	Category: analysis.CategoryYAML,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Finds ` + "`{{ ... }}`" + ` placeholders written without quotes.

## Why
In YAML, ` + "`{`" + ` starts a flow mapping: ` + "`image: {{ $IMAGE }}`" + ` is a mapping whose key is
another mapping. PyYAML stops with "found unhashable key" and Prefect skips the
whole file (prefect.md §3).

## Example
` + "```yaml" + `
tags: [{{ $PROJECT }}, etl]
` + "```" + `

Quote every value that starts with ` + "`{{`" + `:

` + "```yaml" + `
tags: ["{{ $PROJECT }}", etl]
` + "```" + `

## How to silence
Not recommended: the file does not load. ` + "`# prefect-lsp: ignore[unquoted-placeholder]`" + `.`,
	Run: func(p *analysis.Pass) {
		for _, pr := range p.Doc.Problems {
			if pr.Kind != yamlsyntax.LoadError || !strings.Contains(pr.Message, "unquoted \"{{") {
				continue
			}
			text := p.Src.Slice(pr.Span)
			d := p.Reportf(pr.Span, "unquoted %s is a YAML flow mapping, not a string: PyYAML fails with \"found unhashable key\" and Prefect skips the whole file; quote it", text)
			if !strings.ContainsAny(text, "\n\r") {
				d.Fixes = append(d.Fixes, analysis.Fix{
					Title:       "Quote " + text,
					Edits:       []source.Edit{{Span: pr.Span, NewText: doubleQuote(text)}},
					IsPreferred: true,
					Safe:        true,
				})
			}
		}
	},
}

var DuplicateKey = &analysis.Rule{
	ID:       "duplicate-key",
	Summary:  "a key appears twice in one mapping; PyYAML silently keeps the last value",
	Severity: analysis.Warning,
	Category: analysis.CategoryYAML,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Reports a key written twice in the same mapping.

## Why
PyYAML keeps the last value and drops the first without a word, so half of
what you wrote has no effect.

## Example
` + "```yaml" + `
deployments:
  - name: etl
    entrypoint: flows/old.py:etl
    entrypoint: flows/etl.py:etl
` + "```" + `

Keep one of them.

## How to silence
` + "`# prefect-lsp: ignore[duplicate-key]`" + ` on the line of the second key.`,
	Run: func(p *analysis.Pass) {
		for _, pr := range p.Doc.Problems {
			if pr.Kind != yamlsyntax.DuplicateKey {
				continue
			}
			d := p.Reportf(pr.Span, "%s", pr.Message)
			for _, r := range pr.Related {
				d.Related = append(d.Related, analysis.Related{Span: r, Message: "first written here; this value is dropped"})
			}
			d.Tags = append(d.Tags, analysis.TagUnnecessary)
		}
	},
}

var FileTooLarge = &analysis.Rule{
	ID:       "file-too-large",
	Summary:  "the file exceeds prefect-lsp's limits (size, nesting or alias expansion)",
	Severity: analysis.Warning,
	Category: analysis.CategoryYAML,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Reports files that are larger than 16 MiB, nested deeper than 1,000 levels, or
whose aliases expand to more than a million nodes (an "alias bomb").

## Why
prefect-lsp bounds its time and memory on every input; beyond these limits it
stops analysing. Prefect itself would take a very long time or run out of
memory on such files.

## Example
` + "```yaml" + `
a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
# ... nine more levels: a billion nodes
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore-file[file-too-large]`" + `.`,
	Run: func(p *analysis.Pass) {
		for _, pr := range p.Doc.Problems {
			if pr.Kind == yamlsyntax.TooLarge {
				p.Reportf(pr.Span, "%s", pr.Message)
			}
		}
	},
}

var YAML11Scalar = &analysis.Rule{
	ID:       "yaml11-scalar",
	Summary:  "an unquoted value that YAML 1.1 (PyYAML) reads differently than it looks",
	Severity: analysis.Warning,
	Category: analysis.CategoryYAML,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Finds plain (unquoted) values that PyYAML, which reads YAML 1.1, turns into
something other than what most editors and YAML 1.2 tools show:

| written | PyYAML reads |
|---|---|
| ` + "`yes`, `no`, `on`, `off`, `Y`..." + ` | booleans (` + "`no`" + ` is ` + "`False`" + `) |
| ` + "`1:30`" + ` | the sexagesimal integer 90 |
| ` + "`0755`" + ` | the octal integer 493 |
| ` + "`1_000`" + ` | the integer 1000 |

Only values whose meaning is open are reported: parameters, job variables,
environment values, and fields that take free text as well as the type read
(` + "`interval: 1:30`" + `). A typed field means what YAML reads (` + "`paused: yes`" + ` is
true), and a string field is string-expected's finding.

Parameters are typed by the annotations of the entrypoint's flow, and job
variables by the schema of the pool's type (when the configuration or the
job variables tell it). A value the type takes as PyYAML reads it means what
was written: ` + "`yes`" + ` for a ` + "`bool`" + `, ` + "`1_000`" + ` for an ` + "`int`" + `, items of a
` + "`list[bool]`" + `, ` + "`stream_output: on`" + ` of a Kubernetes pool; no warning. A value
only the text fits (` + "`country: no`" + ` for a ` + "`str`" + `, an ` + "`env`" + ` value) is
reported here, with a safe quick fix, and parameter-type and
job-variable-type do not report it again. A value the type takes neither
way (` + "`1:30`" + ` for a ` + "`bool`" + `) is left to those rules. Where the type takes
both readings (` + "`str | bool`" + `) or is not known (no annotation, ` + "`Any`" + `, a
class of the project, an unknown pool type or variable), the warning stays.

## Why
Parameters, tags and environment values then carry a different value than
written (the "Norway problem": ` + "`country: no`" + ` becomes ` + "`False`" + `).

## Example
` + "```python" + `
@flow
def etl(country: str, start, full: bool = False): ...
` + "```" + `

` + "```yaml" + `
parameters:
  country: no     # a str: reported
  start: 1:30     # not annotated: reported
  full: yes       # a bool: means True, not reported
` + "```" + `

Quote them:

` + "```yaml" + `
parameters:
  country: "no"
  start: "1:30"
` + "```" + `

## How to silence
Write the value in its canonical form (` + "`false`, `90`" + `) or add
` + "`# prefect-lsp: ignore[yaml11-scalar]`" + `.`,
	Run: func(p *analysis.Pass) {
		idx := schema.Index()
		judged := readingJudgements(p)
		walkScalarPaths(p.Doc.Root, nil, func(n *yamlsyntax.Node, path []string) {
			if n.Style != yamlsyntax.Plain {
				return
			}
			why := yaml11Surprise(n)
			if why == "" {
				return
			}
			j, typed := judged[n]
			switch {
			case !typed && !surprisingAt(idx, path, n):
				return
			case typed && (j.verdict == readingMeant || j.verdict == readingNeither):
				return // the type says what the value means, or the typed rule reports it
			}
			raw := p.Src.Slice(n.Span)
			wantsText := typed && j.verdict == readingWantsText
			var d *analysis.Diagnostic
			if wantsText {
				d = p.Reportf(n.Span, "unquoted %q is read by PyYAML (YAML 1.1) as %s, but %s: quote it, %s", raw, why, j.what, doubleQuote(n.Text))
			} else {
				d = p.Reportf(n.Span, "unquoted %q is read by PyYAML (YAML 1.1) as %s; quote it if you mean the text %q", raw, why, raw)
			}
			if !strings.ContainsAny(raw, "\n\r") {
				d.Fixes = append(d.Fixes, analysis.Fix{
					Title:       fmt.Sprintf("Quote %q", raw),
					Edits:       []source.Edit{{Span: n.Span, NewText: doubleQuote(raw)}},
					IsPreferred: true,
					// The type takes only the text: quoting is what was meant.
					Safe: wantsText,
				})
			}
		})
	},
}

// surprisingAt reports whether PyYAML's reading of n matters at path: where
// the schema says the value is a boolean or a number (paused: yes), the
// value means what it reads as; where it must be a string, string-expected
// reports it already. Values the schema leaves open (parameters, job
// variables, env) are the ones to warn about.
func surprisingAt(idx *schemanav.Index, path []string, n *yamlsyntax.Node) bool {
	if idx == nil || len(path) == 0 {
		return true
	}
	schemas := idx.At(path)
	if len(schemas) == 0 {
		return true
	}
	read := "integer"
	if n.Tag() == yamlsyntax.TagBool {
		read = "boolean"
	}
	var types []string
	freeText := false // an alternative takes any string, not just a pattern
	for _, s := range schemas {
		if s.Opaque {
			return true
		}
		if s.Types == nil {
			if s.Ref != nil || len(s.AnyOf) > 0 || len(s.OneOf) > 0 || len(s.AllOf) > 0 || s.If != nil {
				continue // a combination: its expanded parts are in the list too
			}
			return true // an alternative takes any type
		}
		types = append(types, s.Types...)
		if slices.Contains(s.Types, "string") && s.Pattern == nil && !s.HasEnum && !s.HasConst {
			freeText = true
		}
	}
	// Both readings fit (interval: 1:30 is 90 seconds, or was "1:30" meant?).
	return freeText && typeAdmits(types, read)
}

// walkScalarPaths calls f for every scalar written in the document with
// its instance path (keys, "[]" for list items); merged mappings count at
// the path they are merged into, and aliases are skipped (their anchored
// node is visited where it is written). The path is only valid during the
// call (one buffer serves the whole walk).
func walkScalarPaths(n *yamlsyntax.Node, path []string, f func(*yamlsyntax.Node, []string)) {
	buf := append(make([]string, 0, 16), path...)
	var walk func(n *yamlsyntax.Node)
	walk = func(n *yamlsyntax.Node) {
		if n == nil || len(buf) > 200 {
			return
		}
		switch n.Kind {
		case yamlsyntax.ScalarNode:
			f(n, buf)
		case yamlsyntax.SequenceNode:
			buf = append(buf, "[]")
			for _, c := range n.Content() {
				walk(c)
			}
			buf = buf[:len(buf)-1]
		case yamlsyntax.MappingNode:
			for i, content := 0, n.Content(); i+1 < len(content); i += 2 {
				k, v := content[i], content[i+1]
				f(k, nil) // a key's own path is unknown to the schema
				if k.Kind == yamlsyntax.ScalarNode && k.Tag() == yamlsyntax.TagMerge {
					if v.Kind == yamlsyntax.SequenceNode {
						for _, item := range v.Content() {
							walk(item)
						}
					} else {
						walk(v)
					}
					continue
				}
				buf = append(buf, k.Text)
				walk(v)
				buf = buf[:len(buf)-1]
			}
		}
	}
	walk(n)
}

// yaml11Surprise explains how PyYAML reads a plain scalar when that differs
// from YAML 1.2's core schema, or returns "".
func yaml11Surprise(n *yamlsyntax.Node) string {
	switch n.Tag() {
	case yamlsyntax.TagBool:
		switch n.Text {
		case "true", "True", "TRUE", "false", "False", "FALSE":
			return ""
		}
		return fmt.Sprintf("the boolean %v", pyRepr(n.Scalar()))
	case yamlsyntax.TagInt:
		t := strings.TrimLeft(n.Text, "+-")
		if strings.Contains(t, ":") {
			return fmt.Sprintf("the sexagesimal (base 60) integer %v", n.Scalar())
		}
		if len(t) > 1 && t[0] == '0' && t[1] != 'x' && t[1] != 'b' {
			return fmt.Sprintf("the octal integer %v", n.Scalar())
		}
		if strings.Contains(t, "_") {
			return fmt.Sprintf("the integer %v", n.Scalar())
		}
	case yamlsyntax.TagFloat:
		if strings.Contains(n.Text, ":") {
			return fmt.Sprintf("the sexagesimal (base 60) float %v", n.Scalar())
		}
	}
	return ""
}

func pyRepr(v any) string {
	switch v := v.(type) {
	case bool:
		if v {
			return "True"
		}
		return "False"
	}
	return fmt.Sprint(v)
}

// walkScalars visits every scalar written in the document once (aliases
// are not followed: their targets are visited where they are written).
func walkScalars(n *yamlsyntax.Node, f func(*yamlsyntax.Node)) {
	if n == nil {
		return
	}
	switch n.Kind {
	case yamlsyntax.ScalarNode:
		f(n)
	case yamlsyntax.MappingNode, yamlsyntax.SequenceNode:
		for _, c := range n.Content() {
			walkScalars(c, f)
		}
	}
}

// doubleQuote renders s as a YAML double-quoted scalar.
func doubleQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

var ConfigError = &analysis.Rule{
	ID:       "config-error",
	Summary:  "the prefect-lsp configuration file next to this prefect.yaml has an error",
	Severity: analysis.Warning,
	Category: analysis.CategoryConfig,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Reports errors in the ` + "`[tool.prefect-lsp]`" + ` table of pyproject.toml or in
prefect-lsp.toml: TOML syntax errors, unknown settings and bad values.

## Why
A broken configuration is ignored (defaults apply), which is rarely what you
meant.

## Example
` + "```toml" + `
[tool.prefect-lsp]
sever = "self-hosted"   # typo: server
` + "```" + `

## How to silence
Fix the configuration file; ` + "`# prefect-lsp: ignore-file[config-error]`" + ` in the prefect.yaml.`,
	Run: func(p *analysis.Pass) {
		probs, _ := p.Memo("config-problems", func() any { return []config.Problem(nil) }).([]config.Problem)
		for _, pr := range probs {
			d := p.Reportf(source.Span{}, "%s: %s", pr.Path, pr.Message)
			d.Related = append(d.Related, analysis.Related{Path: pr.Path, Span: pr.Span, Message: pr.Message})
		}
	},
}

var TrailingComma = &analysis.Rule{
	ID:       "trailing-comma",
	Summary:  "a JSON-style trailing comma turns a value into a string",
	Severity: analysis.Warning,
	Category: analysis.CategoryYAML,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Finds unquoted block values that end with a comma, such as ` + "`number: 42,`" + `,
where the text before the comma is a number, a boolean or null.

## Why
YAML is not JSON: in a block mapping the comma is part of the value, so
` + "`42,`" + ` is the string "42,", not the number 42. Prefect's own docs once
carried this mistake (prefect.md §1.5). The flow then receives a string, or
the server rejects the parameter.

## Example
` + "```yaml" + `
parameters:
  number: 42,
  enabled: true,
` + "```" + `

` + "```yaml" + `
parameters:
  number: 42
  enabled: true
` + "```" + `

## How to silence
Quote the value if you do mean the text ("42,"), or add
` + "`# prefect-lsp: ignore[trailing-comma]`" + `.`,
	Run: func(p *analysis.Pass) {
		walkScalars(p.Doc.Root, func(n *yamlsyntax.Node) {
			if n.Style != yamlsyntax.Plain || n.Tag() != yamlsyntax.TagStr || len(n.Text) < 2 || !strings.HasSuffix(n.Text, ",") {
				return
			}
			if p.Src.LineOf(n.Span.Start) != p.Src.LineOf(n.Span.End) {
				return
			}
			bare := strings.TrimSpace(strings.TrimSuffix(n.Text, ","))
			tag := yamlsyntax.ResolvePlain(bare)
			if tag == yamlsyntax.TagStr || bare == "" {
				return
			}
			raw := p.Src.Slice(n.Span)
			d := p.Reportf(n.Span, "%s is the string %q: the trailing comma is part of a YAML block value (this is not JSON); write %s for the %s", raw, n.Text, bare, strings.TrimPrefix(tag, "tag:yaml.org,2002:"))
			d.Fixes = append(d.Fixes, analysis.Fix{
				Title:       "Remove the trailing comma",
				Edits:       []source.Edit{{Span: source.Span{Start: n.Span.End - 1, End: n.Span.End}, NewText: ""}},
				IsPreferred: true,
			})
		})
	},
}
