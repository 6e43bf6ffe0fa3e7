package features

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/lsp"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/steps"
	"github.com/prefect-lsp/prefect-lsp/internal/templating"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// Step also completes step names on build, push and pull list items and
// navigates step ids: go-to-definition from `{{ build-image.image }}` to
// `id: build-image`, references of an id, and rename of an id together
// with every placeholder that refers to it.

// ---------------------------------------------------------------------------
// Step name completion.

// stepItemAt reports whether off is where a step's function name is typed:
// after "- " on an item of a build, push or pull sequence, before any ":".
// word is the typed name's span; section the owning key.
func stepItemAt(text string, off int) (word source.Span, section string, ok bool) {
	if off < 0 || off > len(text) {
		return source.Span{}, "", false
	}
	ls := strings.LastIndexByte(text[:off], '\n') + 1
	before := text[ls:off]
	i := 0
	for i < len(before) && before[i] == ' ' {
		i++
	}
	dashCol := i
	if !strings.HasPrefix(before[i:], "- ") {
		return source.Span{}, "", false
	}
	i++
	for i < len(before) && before[i] == ' ' {
		i++
	}
	typed := before[i:]
	if strings.HasPrefix(typed, "-") || strings.ContainsAny(typed, ": \t#'\"{[") {
		return source.Span{}, "", false // a nested sequence, a key or a value
	}
	word = source.Span{Start: ls + i, End: off}
	// Walk up to the key owning the sequence.
	for end := ls - 1; end > 0; {
		start := strings.LastIndexByte(text[:end], '\n') + 1
		line := strings.TrimRight(text[start:end], "\r")
		end = start - 1
		ind := 0
		for ind < len(line) && line[ind] == ' ' {
			ind++
		}
		if ind == len(line) || line[ind] == '#' || ind > dashCol {
			continue
		}
		rest := line[ind:]
		if ind == dashCol && strings.HasPrefix(rest, "-") {
			continue // another item of the same sequence
		}
		// Skip the item markers of an enclosing sequence ("  - pull:").
		col := ind
		for strings.HasPrefix(rest, "- ") {
			j := 1
			for j < len(rest) && rest[j] == ' ' {
				j++
			}
			rest, col = rest[j:], col+j
		}
		if col > dashCol {
			return source.Span{}, "", false
		}
		m := ownerKeyRE.FindStringSubmatch(rest)
		if m == nil {
			return source.Span{}, "", false
		}
		switch m[1] {
		case "build", "push", "pull":
			return word, m[1], true
		}
		return source.Span{}, "", false
	}
	return source.Span{}, "", false
}

var ownerKeyRE = regexp.MustCompile(`^([A-Za-z_][\w-]*)\s*:\s*(#.*)?$`)

// defaultStepID is the id a new step gets in the snippet: build-image and
// push-image for the docker steps (the names Prefect's docs use), else the
// function name with dashes.
func defaultStepID(st *steps.Step) string {
	switch st.Kind {
	case steps.KindDockerBuild:
		return "build-image"
	case steps.KindDockerPush:
		return "push-image"
	}
	return strings.ReplaceAll(st.Short, "_", "-")
}

// stepSnippet writes "fqn:" and, under it, the id and the required
// parameters as tab stops. Argument lines are indented relative to the
// line the item is typed on (argCol is their column, lineIndent that
// line's indentation), the way editors indent multi-line snippets.
func stepSnippet(st *steps.Step, argCol, lineIndent int) string {
	rel := argCol - lineIndent
	if rel < 1 {
		rel = 2
	}
	pad := strings.Repeat(" ", rel)
	var b strings.Builder
	b.WriteString(st.Name + ":")
	n := 1
	fmt.Fprintf(&b, "\n%sid: ${%d:%s}", pad, n, snippetEscape(defaultStepID(st)))
	n++
	for _, p := range st.Params {
		if !p.Required {
			continue
		}
		fmt.Fprintf(&b, "\n%s%s: ${%d}", pad, p.Name, n)
		n++
	}
	b.WriteString("$0")
	return b.String()
}

func snippetEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `$`, `\$`, `}`, `\}`).Replace(s)
}

func (Step) Complete(ctx context.Context, s *lsp.Snapshot, off int) []lsp.CompletionItem {
	text := s.Text()
	word, section, ok := stepItemAt(text, off)
	if !ok {
		return nil
	}
	ls := strings.LastIndexByte(text[:off], '\n') + 1
	lineIndent := 0
	for ls+lineIndent < len(text) && text[ls+lineIndent] == ' ' {
		lineIndent++
	}
	argCol := word.Start - ls + 2
	var items []lsp.CompletionItem
	for i, st := range steps.All() {
		rank := "1"
		if st.Action == section {
			rank = "0"
		}
		pkg := st.Requires
		if pkg == "" {
			pkg = "prefect"
		}
		items = append(items, lsp.CompletionItem{
			Label:         st.Name,
			Detail:        pkg,
			Documentation: stepMarkdown(st),
			Kind:          lsp.CompletionFunction,
			InsertText:    stepSnippet(st, argCol, lineIndent),
			Snippet:       true,
			Replace:       word,
			FilterText:    st.Name,
			SortText:      fmt.Sprintf("0%s%03d", rank, i),
		})
	}
	return items
}

// ---------------------------------------------------------------------------
// Step id navigation.

func (Step) Definition(ctx context.Context, s *lsp.Snapshot, off int) []lsp.Location {
	def, at, _ := stepSymbolAt(s, off)
	if def == nil {
		return nil
	}
	sp, ok := idDefSpan(s.File, def)
	if !ok || sp == at {
		return nil
	}
	return []lsp.Location{{Span: sp}}
}

func (Step) References(ctx context.Context, s *lsp.Snapshot, off int, includeDeclaration bool) []lsp.Location {
	def, _, refs := stepSymbolAt(s, off)
	if def == nil {
		return nil
	}
	var out []lsp.Location
	if includeDeclaration {
		if sp, ok := idDefSpan(s.File, def); ok {
			out = append(out, lsp.Location{Span: sp})
		}
	}
	for _, r := range refs {
		if r.def == def {
			out = append(out, lsp.Location{Span: r.span})
		}
	}
	return out
}

// PrepareRename reports the step id under off and its span, for a rename.
func (Step) PrepareRename(ctx context.Context, s *lsp.Snapshot, off int) (span source.Span, name string, ok bool) {
	def, at, _ := stepSymbolAt(s, off)
	if def == nil {
		return source.Span{}, "", false
	}
	if _, ok := idDefSpan(s.File, def); !ok {
		return source.Span{}, "", false
	}
	return at, s.File.Slice(at), true
}

// stepIDRE is what a renamed step id may be: placeholder name characters
// without ".", "[", "]" or "$" (which would change how Prefect splits or
// classifies the placeholder), not starting with "-".
var stepIDRE = regexp.MustCompile(`^[\p{L}\p{N}_][\p{L}\p{N}_-]*$`)

// Rename renames the step id under off: its `id:` value and every
// placeholder that refers to that step. The new id must be usable in a
// placeholder; a plain-style id that YAML would read as another type
// (true, 123, null) is quoted.
func (Step) Rename(ctx context.Context, s *lsp.Snapshot, off int, newName string) ([]source.Edit, error) {
	def, _, refs := stepSymbolAt(s, off)
	if def == nil {
		return nil, nil
	}
	sp, ok := idDefSpan(s.File, def)
	if !ok {
		return nil, fmt.Errorf("the id of this step is written in a way prefect-lsp cannot edit exactly")
	}
	if !stepIDRE.MatchString(newName) || newName == "prefect" || newName == "ctx" {
		return nil, fmt.Errorf("%q cannot be a step id used in placeholders: use letters, digits, \"_\" and \"-\" (not \"prefect\" or \"ctx\", which start other placeholder kinds)", newName)
	}
	for _, r := range newName {
		if !templating.IsNameRune(r) {
			return nil, fmt.Errorf("%q cannot be used in a placeholder", newName)
		}
	}
	defText := newName
	if def.ID.Value.Style == yamlsyntax.Plain && yamlsyntax.ResolvePlain(newName) != yamlsyntax.TagStr {
		sp = def.ID.Value.Span
		defText = `"` + newName + `"`
	}
	edits := []source.Edit{{Span: sp, NewText: defText}}
	for _, r := range refs {
		if r.def == def {
			edits = append(edits, source.Edit{Span: r.span, NewText: newName})
		}
	}
	return edits, nil
}
