package lsp

import (
	"context"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/prefect-lsp/prefect-lsp/internal/schemanav"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

func (s *server) Completion(ctx context.Context, p *protocol.CompletionParams) (protocol.CompletionResult, error) {
	snap := s.snapshot(ctx, p.TextDocument.URI)
	list := &protocol.CompletionList{Items: []protocol.CompletionItem{}}
	if snap == nil {
		return list, nil
	}
	off := s.offsetOf(snap, p.Position)
	items := s.complete(ctx, snap, off)
	c := s.capsSnapshot()
	enc := s.encoding()
	for i, it := range items {
		ci := protocol.CompletionItem{Label: it.Label, Kind: completionKind(it.Kind)}
		if it.Detail != "" {
			ci.Detail = protocol.NewOptional(it.Detail)
		}
		if it.Documentation != "" {
			kind := protocol.MarkupKindPlainText
			if c.markdownComplete {
				kind = protocol.MarkupKindMarkdown
			}
			ci.Documentation = &protocol.MarkupContent{Kind: kind, Value: it.Documentation}
		}
		text := it.InsertText
		if text == "" {
			text = it.Label
		}
		if it.Snippet && c.snippets {
			ci.InsertTextFormat = protocol.InsertTextFormatSnippet
		} else {
			ci.InsertTextFormat = protocol.InsertTextFormatPlainText
			if it.Snippet {
				text = stripSnippet(text)
			}
		}
		rep := it.Replace
		if rep == (source.Span{}) {
			rep = wordBefore(snap.Text(), off)
		}
		ci.TextEdit = &protocol.TextEdit{Range: toRange(snap.File, rep, enc), NewText: text}
		sort := it.SortText
		if sort == "" {
			sort = itoa(1000 + i)
		}
		ci.SortText = protocol.NewOptional(sort)
		if it.FilterText != "" {
			ci.FilterText = protocol.NewOptional(it.FilterText)
		}
		if it.Preselect {
			ci.Preselect = protocol.NewOptional(true)
		}
		if it.Deprecated {
			ci.Tags = []protocol.CompletionItemTag{protocol.CompletionItemTagDeprecated}
		}
		list.Items = append(list.Items, ci)
	}
	return list, nil
}

func completionKind(k CompletionKind) protocol.CompletionItemKind {
	switch k {
	case CompletionProperty:
		return protocol.CompletionItemKindProperty
	case CompletionValue:
		return protocol.CompletionItemKindValue
	case CompletionEnumMember:
		return protocol.CompletionItemKindEnumMember
	case CompletionSnippet:
		return protocol.CompletionItemKindSnippet
	case CompletionFile:
		return protocol.CompletionItemKindFile
	case CompletionFunction:
		return protocol.CompletionItemKindFunction
	case CompletionReference:
		return protocol.CompletionItemKindReference
	case CompletionKeyword:
		return protocol.CompletionItemKindKeyword
	}
	return protocol.CompletionItemKindText
}

var snippetRE = regexp.MustCompile(`\$\{\d+(?::([^}]*)|\|([^,}]*)[^}]*\|)?\}|\$\d+`)

// stripSnippet turns snippet syntax into plain text (placeholders keep
// their default text).
func stripSnippet(s string) string {
	return snippetRE.ReplaceAllStringFunc(s, func(m string) string {
		sm := snippetRE.FindStringSubmatch(m)
		if sm[1] != "" {
			return sm[1]
		}
		return sm[2]
	})
}

// wordBefore is the span of the key or value word ending at off.
func wordBefore(text string, off int) source.Span {
	if off > len(text) {
		off = len(text)
	}
	i := off
	for i > 0 {
		c := text[i-1]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':' || c == '-' && (i-1 == 0 || text[i-2] == ' ' || text[i-2] == '\n') || c == '[' || c == '{' || c == ',' || c == '"' || c == '\'' || c == '*' || c == '&' {
			break
		}
		i--
	}
	return source.Span{Start: i, End: off}
}

// complete gathers built-in and feature completions at off.
func (s *server) complete(ctx context.Context, snap *Snapshot, off int) []CompletionItem {
	var items []CompletionItem
	cc := completionContextAt(snap.Text(), off)
	if cc.alias {
		items = append(items, aliasCompletions(snap, off)...)
	} else if cc.valueOf != "" {
		items = append(items, valueCompletions(append(append([]string(nil), cc.path...), cc.valueOf))...)
	} else if !cc.inComment {
		items = append(items, keyCompletions(cc)...)
		items = append(items, snippetCompletions(cc)...)
	}
	for _, f := range s.opts.Features {
		if cf, ok := f.(CompletionFeature); ok {
			items = append(items, safeCall(s, f, func() []CompletionItem { return cf.Complete(ctx, snap, off) })...)
		}
	}
	return items
}

// completionContext is where the cursor is, read from the text's
// indentation so that it works while the file is being typed and does not
// parse.
type completionContext struct {
	// path leads to the mapping whose keys are completed (or, with
	// valueOf, that holds the key whose value is completed).
	path     []string
	valueOf  string
	siblings map[string]bool
	// newItem is true when the cursor starts a sequence item ("- ").
	newItem   bool
	inComment bool
	alias     bool
}

type lineShape struct {
	indent  int    // column of the first non-blank character
	dashes  []int  // columns of leading "- " markers
	keyCol  int    // column of the key, -1 when none
	key     string // the key
	rest    string // text after "key:"
	blank   bool
	comment bool
}

var keyRE = regexp.MustCompile(`^("[^"]*"|'[^']*'|[^\s#'"\[\]{},][^#:]*?|[^\s#'"\[\]{},])\s*:(\s|$)`)

func shapeOf(line string) lineShape {
	sh := lineShape{keyCol: -1}
	i := 0
	for i < len(line) && line[i] == ' ' {
		i++
	}
	sh.indent = i
	rest := line[i:]
	if strings.TrimSpace(rest) == "" {
		sh.blank = true
		return sh
	}
	if strings.HasPrefix(rest, "#") {
		sh.comment = true
		return sh
	}
	for strings.HasPrefix(rest, "- ") || rest == "-" {
		sh.dashes = append(sh.dashes, i)
		if rest == "-" {
			return sh
		}
		j := 2
		for j < len(rest) && rest[j] == ' ' {
			j++
		}
		i += j
		rest = rest[j:]
	}
	if m := keyRE.FindStringSubmatchIndex(rest); m != nil {
		sh.keyCol = i
		sh.key = strings.Trim(strings.TrimSpace(rest[m[2]:m[3]]), `"'`)
		sh.rest = strings.TrimSpace(rest[m[1]:])
	}
	return sh
}

func completionContextAt(text string, off int) completionContext {
	if off > len(text) {
		off = len(text)
	}
	ls := strings.LastIndexByte(text[:off], '\n') + 1
	le := strings.IndexByte(text[off:], '\n')
	if le < 0 {
		le = len(text)
	} else {
		le += off
	}
	before := strings.TrimRight(text[ls:off], "\r")
	cc := completionContext{siblings: map[string]bool{}}
	if i := strings.Index(before, "#"); i >= 0 && (i == 0 || before[i-1] == ' ') {
		cc.inComment = true
		return cc
	}
	if w := wordBefore(text, off); w.Start > 0 && text[w.Start-1] == '*' {
		cc.alias = true
		return cc
	}
	cur := shapeOf(before)
	// The column of the mapping whose key is typed.
	col := len(before) - len(strings.TrimLeft(before, " "))
	if len(cur.dashes) > 0 {
		last := cur.dashes[len(cur.dashes)-1]
		col = last + 2
		cc.newItem = cur.keyCol < 0 && strings.TrimSpace(before[last+1:]) == ""
	}
	if cur.keyCol >= 0 {
		// "key: |" → completing the value of key.
		cc.valueOf = cur.key
		col = cur.keyCol
	}
	// Walk upwards: siblings at col, then parents at smaller columns.
	var path []string
	level := col
	first := true
	// A new item's own dashes belong to the sequence at the dash column.
	if len(cur.dashes) > 0 {
		for range cur.dashes {
			path = append([]string{"[]"}, path...)
		}
		level = cur.dashes[0]
		first = false
	}
	seqLevel := len(cur.dashes) > 0 // looking for the owner of a sequence at level
	// Lines above the cursor, last first, without splitting the text; lines
	// indented deeper than the level looked for are skipped before parsing.
	for end := ls - 1; end > 0; {
		start := strings.LastIndexByte(text[:end], '\n') + 1
		raw := strings.TrimRight(text[start:end], "\r")
		end = start - 1
		ind := 0
		for ind < len(raw) && raw[ind] == ' ' {
			ind++
		}
		if ind == len(raw) || ind > level || raw[ind] == '#' {
			continue
		}
		if seqLevel && ind == level && raw[ind] == '-' {
			continue // another item of the same sequence
		}
		sh := shapeOf(raw)
		if sh.blank || sh.comment {
			continue
		}
		if seqLevel {
			// Items of the same sequence sit at level; its owner is a key
			// at level (indentless sequence) or left of it.
			if len(sh.dashes) > 0 && sh.dashes[0] == level {
				continue
			}
			if sh.indent > level {
				continue
			}
			if sh.keyCol >= 0 && sh.keyCol <= level && len(sh.dashes) == 0 {
				path = append([]string{sh.key}, path...)
				level = sh.keyCol
				seqLevel = false
				continue
			}
			if sh.keyCol >= 0 && len(sh.dashes) > 0 && sh.keyCol <= level {
				path = append([]string{sh.key}, path...)
				for range sh.dashes {
					path = append([]string{"[]"}, path...)
				}
				level = sh.dashes[0]
				continue
			}
			break
		}
		// Looking for siblings at level and the parent key left of it.
		if sh.keyCol == level {
			if first {
				cc.siblings[sh.key] = true
			}
			if len(sh.dashes) > 0 {
				// the mapping is an item of a sequence
				for range sh.dashes {
					path = append([]string{"[]"}, path...)
				}
				level = sh.dashes[0]
				seqLevel = true
				first = false
			}
			continue
		}
		if sh.indent > level || (sh.keyCol > level) {
			continue
		}
		if len(sh.dashes) > 0 && sh.keyCol < 0 {
			// "- scalar" items at a lower level: the cursor is below a
			// sequence of scalars, give up on precision.
			break
		}
		if sh.keyCol >= 0 && sh.keyCol < level {
			path = append([]string{sh.key}, path...)
			first = false
			if len(sh.dashes) > 0 {
				for range sh.dashes {
					path = append([]string{"[]"}, path...)
				}
				level = sh.dashes[0]
				seqLevel = true
			} else {
				level = sh.keyCol
			}
			continue
		}
		break
	}
	// Siblings after the cursor line, at the same column.
	for l := range strings.Lines(text[le:]) {
		sh := shapeOf(strings.TrimRight(l, "\r\n"))
		if sh.blank || sh.comment {
			continue
		}
		if sh.indent < col {
			break
		}
		if sh.keyCol == col && len(sh.dashes) == 0 {
			cc.siblings[sh.key] = true
		}
	}
	cc.path = path
	return cc
}

// keyCompletions proposes the schema's keys for the mapping at the cursor
// that are not written yet.
func keyCompletions(cc completionContext) []CompletionItem {
	x := loadSchema()
	var items []CompletionItem
	for _, p := range x.Properties(cc.path) {
		if cc.siblings[p.Name] {
			continue
		}
		d := x.Docs([]*schemanav.Schema{p.Schema})
		items = append(items, CompletionItem{
			Label:         p.Name,
			Detail:        d.Title,
			Documentation: d.Markdown(p.Name),
			Kind:          CompletionProperty,
			InsertText:    keySnippet(p.Name, d),
			Snippet:       true,
			SortText:      "1" + p.Name,
		})
	}
	return items
}

// keySnippet writes "key: " with a shape that fits the value's type.
func keySnippet(key string, d schemanav.Docs) string {
	var enum []string
	for _, e := range d.Enum {
		if e != "null" && !strings.ContainsAny(e, ",|$}\\") {
			enum = append(enum, e)
		}
	}
	if len(enum) > 0 {
		return key + ": ${1|" + strings.Join(enum, ",") + "|}"
	}
	has := func(t string) bool {
		for _, x := range d.Types {
			if x == t {
				return true
			}
		}
		return false
	}
	switch {
	case has("object") && !has("string") && !has("array"):
		return key + ":\n  $0"
	case has("array") && !has("string") && !has("object"):
		return key + ":\n  - $0"
	case has("boolean") && !has("string"):
		return key + ": ${1|true,false|}"
	}
	return key + ": $0"
}

// valueCompletions proposes enum and boolean values for the key at path.
func valueCompletions(path []string) []CompletionItem {
	x := loadSchema()
	schemas := x.At(path)
	if len(schemas) == 0 {
		return nil
	}
	d := x.Docs(schemas)
	var items []CompletionItem
	for i, e := range d.Enum {
		if e == "null" {
			continue
		}
		items = append(items, CompletionItem{Label: e, Kind: CompletionEnumMember, InsertText: yamlScalar(e), SortText: "0" + itoa(100+i), Documentation: d.Description})
	}
	if len(d.Enum) == 0 {
		for _, t := range d.Types {
			if t == "boolean" {
				items = append(items,
					CompletionItem{Label: "true", Kind: CompletionValue},
					CompletionItem{Label: "false", Kind: CompletionValue})
			}
		}
	}
	return items
}

// yamlScalar quotes a string when YAML 1.1 would read it as something else.
func yamlScalar(s string) string {
	if s == "" || strings.ContainsAny(s, ":#{}[],&*!|>'\"%@`") || strings.TrimSpace(s) != s {
		return strconv.Quote(s)
	}
	switch strings.ToLower(s) {
	case "y", "yes", "n", "no", "on", "off", "true", "false", "null", "~":
		return strconv.Quote(s)
	}
	return s
}

// snippetCompletions proposes whole structures: a deployment, schedule
// forms and pull/build/push steps, where they fit.
func snippetCompletions(cc completionContext) []CompletionItem {
	n := len(cc.path)
	last := func(i int) string {
		if n-i < 0 {
			return ""
		}
		return cc.path[n-i]
	}
	item := func(label, detail, body string) CompletionItem {
		prefix := ""
		if !cc.newItem && (n == 0 || last(1) != "[]") {
			prefix = "- "
		}
		return CompletionItem{Label: label, Detail: detail, Kind: CompletionSnippet, InsertText: prefix + body, Snippet: true, SortText: "2" + label, FilterText: label}
	}
	var items []CompletionItem
	inSeqItem := n >= 1 && last(1) == "[]"
	owner := ""
	if inSeqItem && n >= 2 {
		owner = last(2)
	}
	// A fresh item ("- |") or a blank line where the items go.
	if !inSeqItem && n >= 1 {
		owner = last(1)
	}
	if !(cc.newItem || (!inSeqItem && len(cc.siblings) == 0) || (inSeqItem && len(cc.siblings) == 0)) {
		return nil
	}
	switch owner {
	case "deployments":
		items = append(items, item("deployment", "a new deployment", deploymentSnippet))
	case "schedules":
		for _, f := range scheduleSnippets {
			items = append(items, item(f[0], f[1], f[2]))
		}
	case "build", "push", "pull":
		for _, st := range stepSnippets {
			if st.section == "" || strings.Contains(st.section, owner) {
				items = append(items, item(st.label, st.detail, st.body))
			}
		}
	}
	if n == 0 && !cc.siblings["deployments"] {
		items = append(items, CompletionItem{Label: "deployments", Detail: "deployments with one deployment", Kind: CompletionSnippet, InsertText: "deployments:\n  - " + strings.ReplaceAll(deploymentSnippet, "\n", "\n  "), Snippet: true, SortText: "2deployments"})
	}
	return items
}

const deploymentSnippet = `name: ${1:my-deployment}
  entrypoint: ${2:flows/flow.py:main}
  work_pool:
    name: ${3:my-pool}
  schedules:
    - cron: "${4:0 0 * * *}"
      timezone: ${5:UTC}$0`

var scheduleSnippets = [][3]string{
	{"cron schedule", "run on a cron expression", "cron: \"${1:0 0 * * *}\"\n  timezone: ${2:UTC}$0"},
	{"interval schedule", "run every N seconds", "interval: ${1:3600}$0"},
	{"rrule schedule", "run on an RFC 5545 recurrence rule", "rrule: \"${1:FREQ=WEEKLY;BYDAY=MO,WE,FR;BYHOUR=9}\"\n  timezone: ${2:UTC}$0"},
}

var stepSnippets = []struct{ label, detail, section, body string }{
	{"git_clone", "clone a git repository", "pull", "prefect.deployments.steps.git_clone:\n    repository: ${1:https://github.com/org/repo.git}\n    branch: ${2:main}$0"},
	{"set_working_directory", "change the working directory", "pull", "prefect.deployments.steps.set_working_directory:\n    directory: ${1:/opt/prefect/flows}$0"},
	{"pull_from_s3", "download the project from S3", "pull", "prefect_aws.deployments.steps.pull_from_s3:\n    bucket: ${1:my-bucket}\n    folder: ${2:project}$0"},
	{"push_to_s3", "upload the project to S3", "push", "prefect_aws.deployments.steps.push_to_s3:\n    bucket: ${1:my-bucket}\n    folder: ${2:project}$0"},
	{"run_shell_script", "run a shell script", "", "prefect.deployments.steps.run_shell_script:\n    id: ${1:script}\n    script: ${2:echo hello}$0"},
	{"pip_install_requirements", "install requirements.txt", "pull", "prefect.deployments.steps.pip_install_requirements:\n    requirements_file: ${1:requirements.txt}$0"},
	{"build_docker_image", "build a Docker image", "build", "prefect_docker.deployments.steps.build_docker_image:\n    id: ${1:build-image}\n    requires: prefect-docker>=0.3.0\n    image_name: ${2:org/image}\n    tag: ${3:latest}\n    dockerfile: ${4:auto}$0"},
	{"push_docker_image", "push the built image", "push", "prefect_docker.deployments.steps.push_docker_image:\n    requires: prefect-docker>=0.3.0\n    image_name: \"{{ ${1:build-image}.image_name }}\"\n    tag: \"{{ $1.tag }}\"$0"},
}

var anchorRE = regexp.MustCompile(`(?:^|[\s\[{,:])&([^\s,\[\]{}]+)`)

// aliasCompletions proposes the anchors defined before the cursor (read
// from the text: the file rarely parses while an alias is being typed).
func aliasCompletions(snap *Snapshot, off int) []CompletionItem {
	seen := map[string]bool{}
	var names []string
	for _, m := range anchorRE.FindAllStringSubmatch(snap.Text()[:min(off, len(snap.Text()))], -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			names = append(names, m[1])
		}
	}
	sort.Strings(names)
	var items []CompletionItem
	for _, n := range names {
		items = append(items, CompletionItem{Label: n, Kind: CompletionReference, Detail: "alias of &" + n})
	}
	return items
}
