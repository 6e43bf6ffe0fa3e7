package templating

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// ProblemKind classifies what Lint found.
type ProblemKind int

const (
	// NotAPlaceholder is text between `{{` and `}}` that does not match
	// Prefect's grammar (spaces inside the name, `|` filters, quotes, calls,
	// other characters); Prefect leaves it in the value literally.
	NotAPlaceholder ProblemKind = iota + 1
	// Unbalanced is a brace mismatch: `{{foo}`, `{foo}}`, `{{{ foo }}}`, or
	// a `{{` that is never closed.
	Unbalanced
	// BadBlockRef is a block placeholder without both a type slug and a
	// document name; Prefect raises "Invalid block placeholder format".
	BadBlockRef
	// BadVariableRef is `{{ prefect.variables. }}` with no variable name,
	// which Prefect silently resolves to the empty string.
	BadVariableRef
	// BadEnvRef is an environment placeholder whose name is empty or cannot
	// be an ordinary environment variable name.
	BadEnvRef
)

func (k ProblemKind) String() string {
	switch k {
	case NotAPlaceholder:
		return "not a placeholder"
	case Unbalanced:
		return "unbalanced braces"
	case BadBlockRef:
		return "bad block reference"
	case BadVariableRef:
		return "bad variable reference"
	case BadEnvRef:
		return "bad environment variable reference"
	}
	return "unknown"
}

// Problem is one finding of Lint. Span is a byte range within the linted
// string. When Fixable is true, replacing Span with Replacement gives the
// placeholder the author most likely meant.
type Problem struct {
	Span        source.Span
	Message     string
	Kind        ProblemKind
	Replacement string
	Fixable     bool
}

const (
	literalNote  = "Prefect leaves it in the value as literal text"
	allowedChars = "letters, digits, `_`, `.`, `-`, `[`, `]` and `$`"
)

// Lint reports placeholder near misses and malformed references in s, in
// order of position. It runs in time linear in len(s).
//
// Near misses (prefect.md §3: "Anything else … is not a placeholder and stays
// literal"): `{{ foo | default }}`, `{{ "x" }}`, `{{ a b }}`, `{{ func() }}`,
// `{{ }}`, `{{foo}`, `{foo}}`, `{{{ foo }}}` and a `{{` without `}}`.
// Malformed references inside real placeholders: `{{ prefect.blocks.secret }}`
// (fewer than type and name), `{{ prefect.variables. }}`, `{{ $ }}`.
func Lint(s string) []Problem {
	matches := Find(s)
	var probs []Problem

	for _, m := range matches {
		probs = append(probs, lintReference(m)...)
		// `{{{ x }}}`: a triple-brace (Handlebars) habit. Only the symmetric
		// form is reported: a lone extra "}" is common in JSON text.
		if m.Span.Start > 0 && s[m.Span.Start-1] == '{' && m.Span.End < len(s) && s[m.Span.End] == '}' {
			sp := source.Span{Start: m.Span.Start - 1, End: m.Span.End + 1}
			probs = append(probs, Problem{
				Span: sp,
				Kind: Unbalanced,
				Message: fmt.Sprintf("triple braces: Prefect replaces the inner `%s` and leaves the extra `{` and `}` in the value; use two braces on each side",
					m.Raw),
				Replacement: "{{ " + m.Name + " }}",
				Fixable:     true,
			})
		}
	}

	// Pass over every "{{" that does not start a placeholder.
	mi := 0
	closeAt := -2 // cached index of the next "}}" at or after some offset; -1: none left
	nextClose := func(from int) int {
		if closeAt == -1 || closeAt >= from {
			return closeAt
		}
		if j := strings.Index(s[from:], "}}"); j >= 0 {
			closeAt = from + j
		} else {
			closeAt = -1
		}
		return closeAt
	}
	var near []Problem
	pos := 0
	for pos < len(s) {
		j := strings.Index(s[pos:], "{{")
		if j < 0 {
			break
		}
		i := pos + j
		for mi < len(matches) && matches[mi].Span.End <= i {
			mi++
		}
		nextMatch := len(s)
		if mi < len(matches) {
			if matches[mi].Span.Start <= i {
				pos = matches[mi].Span.End
				continue
			}
			nextMatch = matches[mi].Span.Start
		}
		if i+1 == nextMatch {
			// "{" immediately before a placeholder: part of `{{{ x }}}` or
			// a stray brace; handled above.
			pos = i + 1
			continue
		}
		if end, name, ok := singleClose(s, i); ok {
			near = append(near, Problem{
				Span: source.Span{Start: i, End: end},
				Kind: Unbalanced,
				Message: fmt.Sprintf("`%s` is missing a closing brace; a placeholder needs `}}`, so %s",
					s[i:end], literalNote),
				Replacement: "{{ " + name + " }}",
				Fixable:     true,
			})
			pos = end
			continue
		}
		if c := nextClose(i + 2); c >= 0 && c+2 <= nextMatch {
			near = append(near, Problem{
				Span:    source.Span{Start: i, End: c + 2},
				Kind:    NotAPlaceholder,
				Message: explainNearMiss(s[i:c+2], s[i+2:c]),
			})
			pos = c + 2
			continue
		}
		near = append(near, Problem{
			Span:    source.Span{Start: i, End: i + 2},
			Kind:    Unbalanced,
			Message: "`{{` is never closed by `}}`; it is not a placeholder and " + literalNote,
		})
		pos = i + 2
	}

	// covered holds the spans already explained (placeholders and near
	// misses) in increasing order; the "}}" pass skips them.
	covered := mergeSpans(matches, near)

	// Pass over every "}}" outside what is covered: `{foo}}`.
	var opens []Problem
	ci := 0
	pos = 0
	for pos < len(s) {
		j := strings.Index(s[pos:], "}}")
		if j < 0 {
			break
		}
		c := pos + j
		for ci < len(covered) && covered[ci].End <= c {
			ci++
		}
		if ci < len(covered) && covered[ci].Start <= c {
			pos = covered[ci].End
			continue
		}
		if start, name, ok := singleOpen(s, c); ok && (ci == 0 || covered[ci-1].End <= start) {
			opens = append(opens, Problem{
				Span: source.Span{Start: start, End: c + 2},
				Kind: Unbalanced,
				Message: fmt.Sprintf("`%s` is missing an opening brace; a placeholder needs `{{`, so %s",
					s[start:c+2], literalNote),
				Replacement: "{{ " + name + " }}",
				Fixable:     true,
			})
		}
		pos = c + 2
	}

	probs = append(probs, near...)
	probs = append(probs, opens...)
	sortProblems(probs)
	return probs
}

// lintReference checks the name of a real placeholder.
func lintReference(m Placeholder) []Problem {
	switch m.Kind {
	case Block:
		if m.BlockType == "" || m.BlockName == "" {
			return []Problem{{
				Span: m.NameSpan,
				Kind: BadBlockRef,
				Message: fmt.Sprintf("Invalid block placeholder format: '%s'. Expected format: prefect.blocks.<block-type-slug>.<block-document-name> (Prefect raises this when it resolves the value)",
					m.Name),
			}}
		}
	case Variable:
		if m.VariableName == "" {
			return []Problem{{
				Span:    m.NameSpan,
				Kind:    BadVariableRef,
				Message: "`prefect.variables.` names no variable; Prefect resolves a missing variable to the empty string",
			}}
		}
	case Env:
		if m.EnvName == "" {
			return []Problem{{
				Span:    m.NameSpan,
				Kind:    BadEnvRef,
				Message: "`$` names no environment variable; Prefect replaces an unset variable with the empty string",
			}}
		}
		for _, r := range m.EnvName {
			if !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
				return []Problem{{
					Span: m.NameSpan,
					Kind: BadEnvRef,
					Message: fmt.Sprintf("environment variable name `%s` contains `%c`; Prefect reads the variable with exactly this name (no key paths), which is unlikely to be set, and an unset variable becomes the empty string",
						m.EnvName, r),
				}}
			}
		}
	}
	return nil
}

// singleClose matches `{{` space* name+ space* `}` not followed by another
// `}` at s[i:], returning the end offset and the name.
func singleClose(s string, i int) (int, string, bool) {
	k := skipSpace(s, i+2)
	ns := k
	k = skipName(s, k)
	if k == ns {
		return 0, "", false
	}
	name := s[ns:k]
	k = skipSpace(s, k)
	if k < len(s) && s[k] == '}' && (k+1 == len(s) || s[k+1] != '}') {
		return k + 1, name, true
	}
	return 0, "", false
}

// singleOpen matches `{` space* name+ space* ending at the `}}` at s[c:],
// where the `{` is not preceded by another `{`. It returns the start offset
// of the `{` and the name.
func singleOpen(s string, c int) (int, string, bool) {
	k := skipSpaceBack(s, c)
	ne := k
	k = skipNameBack(s, k)
	if k == ne {
		return 0, "", false
	}
	name := s[k:ne]
	k = skipSpaceBack(s, k)
	if k == 0 || s[k-1] != '{' || (k >= 2 && s[k-2] == '{') {
		return 0, "", false
	}
	return k - 1, name, true
}

func skipSpaceBack(s string, k int) int {
	for k > 0 {
		r, w := utf8.DecodeLastRuneInString(s[:k])
		if !IsSpaceRune(r) {
			break
		}
		k -= w
	}
	return k
}

func skipNameBack(s string, k int) int {
	for k > 0 {
		r, w := utf8.DecodeLastRuneInString(s[:k])
		if !IsNameRune(r) {
			break
		}
		k -= w
	}
	return k
}

// explainNearMiss says why raw (`{{` inner `}}`) is not a placeholder.
func explainNearMiss(raw, inner string) string {
	t := strings.TrimFunc(inner, IsSpaceRune)
	show := shorten(raw, 80)
	switch {
	case t == "":
		return fmt.Sprintf("`%s` is an empty placeholder; %s", show, literalNote)
	case strings.Contains(t, "|"):
		return fmt.Sprintf("`%s` uses a filter (`|`); Prefect placeholders are not Jinja and have no filters or defaults, so %s", show, literalNote)
	case strings.ContainsAny(t, `"'`):
		return fmt.Sprintf("`%s` contains quotes; Prefect placeholders are names, not expressions, so %s", show, literalNote)
	case strings.ContainsAny(t, "()"):
		return fmt.Sprintf("`%s` looks like a function call; Prefect placeholders are names, not expressions, so %s", show, literalNote)
	case strings.IndexFunc(t, IsSpaceRune) >= 0:
		return fmt.Sprintf("`%s` has spaces inside the name; a placeholder name may contain only %s, so %s", show, allowedChars, literalNote)
	}
	for _, r := range t {
		if !IsNameRune(r) {
			return fmt.Sprintf("`%s` contains `%c`; a placeholder name may contain only %s, so %s", show, r, allowedChars, literalNote)
		}
	}
	// Unreachable for text between "{{" and "}}" that failed to match, but
	// keep a truthful message rather than panic.
	return fmt.Sprintf("`%s` is not a placeholder; %s", show, literalNote)
}

func mergeSpans(matches []Placeholder, near []Problem) []source.Span {
	out := make([]source.Span, 0, len(matches)+len(near))
	i, j := 0, 0
	for i < len(matches) || j < len(near) {
		if j == len(near) || (i < len(matches) && matches[i].Span.Start < near[j].Span.Start) {
			out = append(out, matches[i].Span)
			i++
		} else {
			out = append(out, near[j].Span)
			j++
		}
	}
	return out
}

func sortProblems(p []Problem) {
	slices.SortStableFunc(p, func(a, b Problem) int {
		if c := cmp.Compare(a.Span.Start, b.Span.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.Span.End, b.Span.End)
	})
}

// shorten cuts s to at most max bytes on a rune boundary, marking the cut.
func shorten(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max - len("...")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
