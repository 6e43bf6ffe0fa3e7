// Package templating owns Prefect's `{{ }}` placeholder grammar as it applies
// to a single decoded string value: finding placeholders exactly where Prefect
// finds them, classifying them (step output, block, variable, environment
// variable, runtime context) and linting near misses that Prefect silently
// leaves in the value as literal text.
//
// The grammar is Prefect's regular expression `{{\s*([\w\.\-\[\]$]+)\s*}}`
// from src/prefect/utilities/templating/__init__.py (prefect.md §3). It is not
// Jinja: there are no filters, expressions, quotes or calls. Find behaves like
// Python's re.finditer over that expression with Python's Unicode-aware `\w`
// and `\s` classes, so offsets agree with what Prefect would replace.
//
// Everything here works on one string; mapping spans back into YAML source
// bytes is done by the callers. All spans are byte offsets into the string.
package templating

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// Kind classifies a placeholder by the prefix of its name, in the order
// Prefect's determine_placeholder_type checks them (prefect.md §3).
type Kind int

const (
	// StepOutput is Prefect's STANDARD placeholder: `{{ step-id.key }}`,
	// a bare `{{ key }}` (step output or recipe input).
	StepOutput Kind = iota
	// Block is `{{ prefect.blocks.<type-slug>.<document-name>[.<key path>] }}`.
	Block
	// Variable is `{{ prefect.variables.<name> }}`.
	Variable
	// Env is `{{ $NAME }}`, an environment variable of the deploying process.
	Env
	// Context is `{{ ctx.* }}`, a STANDARD placeholder that Prefect keeps at
	// deploy time and the worker resolves per run (3.6.17+).
	Context
)

func (k Kind) String() string {
	switch k {
	case StepOutput:
		return "step output"
	case Block:
		return "block"
	case Variable:
		return "variable"
	case Env:
		return "environment variable"
	case Context:
		return "runtime context"
	}
	return "unknown"
}

// Name prefixes that decide a placeholder's Kind (prefect.md §3).
const (
	BlockPrefix    = "prefect.blocks."
	VariablePrefix = "prefect.variables."
	EnvPrefix      = "$"
	ContextPrefix  = "ctx."
)

// Placeholder is one match of Prefect's placeholder expression.
type Placeholder struct {
	// Raw is the whole match, braces included, e.g. "{{ build-image.image }}".
	Raw string
	// Name is the captured name without braces or surrounding whitespace.
	Name string
	Kind Kind
	// Span covers Raw within the searched string.
	Span source.Span
	// NameSpan covers Name within the searched string.
	NameSpan source.Span

	// StepID and OutputKey split a StepOutput name at its first ".":
	// "build-image.image" gives ("build-image", "image"); a bare "image"
	// gives ("", "image"). OutputKey may itself be a key path ("a.b[0]").
	StepID, OutputKey string

	// BlockType, BlockName and BlockPath split a Block name the way Prefect
	// does: every "prefect.blocks." is removed, then the rest is split at the
	// first two dots. A malformed reference leaves the missing parts empty.
	BlockType, BlockName, BlockPath string

	// VariableName is the variable a Variable placeholder reads (every
	// "prefect.variables." removed, as Prefect does).
	VariableName string

	// EnvName is the environment variable an Env placeholder reads (all
	// leading "$" removed, as Prefect's lstrip does).
	EnvName string

	// Whole reports that the placeholder is the entire string. Whole
	// placeholders are replaced by the raw value (any type); placeholders
	// embedded in text are converted to strings (prefect.md §3).
	Whole bool
}

// Find returns every placeholder in s, in order, exactly as Python's
// re.finditer(r"{{\s*([\w\.\-\[\]$]+)\s*}}", s) would report them. It runs in
// time linear in len(s). Invalid UTF-8 bytes count as neither word nor space
// characters.
func Find(s string) []Placeholder {
	var out []Placeholder
	pos := 0
	for pos < len(s) {
		j := strings.Index(s[pos:], "{{")
		if j < 0 {
			break
		}
		start := pos + j
		if p, ok := matchAt(s, start); ok {
			out = append(out, p)
			pos = p.Span.End
			continue
		}
		pos = start + 1
	}
	return out
}

// matchAt tries the expression anchored at s[start:], which begins with "{{".
// The name class and the space class are disjoint and exclude "}", so the
// greedy runs never need backtracking.
func matchAt(s string, start int) (Placeholder, bool) {
	k := skipSpace(s, start+2)
	nameStart := k
	k = skipName(s, k)
	if k == nameStart {
		return Placeholder{}, false
	}
	nameEnd := k
	k = skipSpace(s, k)
	if !strings.HasPrefix(s[k:], "}}") {
		return Placeholder{}, false
	}
	end := k + 2
	p := Placeholder{
		Raw:      s[start:end],
		Name:     s[nameStart:nameEnd],
		Span:     source.Span{Start: start, End: end},
		NameSpan: source.Span{Start: nameStart, End: nameEnd},
		Whole:    start == 0 && end == len(s),
	}
	classify(&p)
	return p, true
}

func classify(p *Placeholder) {
	name := p.Name
	switch {
	case strings.HasPrefix(name, BlockPrefix):
		p.Kind = Block
		parts := strings.SplitN(strings.ReplaceAll(name, BlockPrefix, ""), ".", 3)
		p.BlockType = parts[0]
		if len(parts) > 1 {
			p.BlockName = parts[1]
		}
		if len(parts) > 2 {
			p.BlockPath = parts[2]
		}
	case strings.HasPrefix(name, VariablePrefix):
		p.Kind = Variable
		p.VariableName = strings.ReplaceAll(name, VariablePrefix, "")
	case strings.HasPrefix(name, EnvPrefix):
		p.Kind = Env
		p.EnvName = strings.TrimLeft(name, EnvPrefix)
	case strings.HasPrefix(name, ContextPrefix):
		p.Kind = Context
	default:
		p.Kind = StepOutput
		if i := strings.IndexByte(name, '.'); i >= 0 {
			p.StepID, p.OutputKey = name[:i], name[i+1:]
		} else {
			p.OutputKey = name
		}
	}
}

// IsNameRune reports whether r may appear in a placeholder name: Python's
// Unicode `\w` (letters, numbers, "_") or one of ". - [ ] $".
func IsNameRune(r rune) bool {
	switch r {
	case '_', '.', '-', '[', ']', '$':
		return true
	}
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsNumber(r))
}

// IsSpaceRune reports whether r matches Python's Unicode `\s` (str.isspace):
// unlike Go's unicode.IsSpace it includes the separators U+001C..U+001F.
func IsSpaceRune(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, ' ',
		0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return 0x2000 <= r && r <= 0x200a
}

func skipSpace(s string, k int) int {
	for k < len(s) {
		r, w := decode(s, k)
		if !IsSpaceRune(r) {
			break
		}
		k += w
	}
	return k
}

func skipName(s string, k int) int {
	for k < len(s) {
		r, w := decode(s, k)
		if !IsNameRune(r) {
			break
		}
		k += w
	}
	return k
}

// decode returns the rune at s[k:]; an invalid byte decodes as RuneError of
// width 1, which is neither a name nor a space rune.
func decode(s string, k int) (rune, int) {
	if c := s[k]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[k:])
}
