package pyflow

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// typeExpr is a parsed annotation: a (normalised) name with arguments, a
// union, or a Literal.
type typeExpr struct {
	name     string // "int", "list", "union", "literal", "any", "none", ...
	args     []*typeExpr
	literals []any // for "literal": string, int64, float64, bool, nil
	ellipsis bool  // tuple[X, ...]
}

var anyType = &typeExpr{name: "any"}

// typeAliases maps typing names to the builtin they validate like.
var typeAliases = map[string]string{
	"List": "list", "Dict": "dict", "Tuple": "tuple", "Set": "set", "FrozenSet": "frozenset",
	"Sequence": "sequence", "MutableSequence": "list", "Iterable": "list", "Collection": "list",
	"AbstractSet": "set", "MutableSet": "set", "Mapping": "dict", "MutableMapping": "dict",
	"DefaultDict": "dict", "OrderedDict": "dict", "Deque": "list", "deque": "list", "defaultdict": "dict",
	"NoneType": "none", "Any": "any", "object": "any", "Optional": "optional", "Union": "union",
	"Literal": "literal", "Annotated": "annotated",
}

// annotationParser parses annotation source text.
type annotationParser struct {
	src   []byte
	toks  []Token
	pos   int
	depth int
}

// parsedAnnotations caches parseAnnotation: a project's flows have few
// distinct annotations, and every analysis checks every deployment's
// parameters against them. Parsed expressions are never modified.
var parsedAnnotations struct {
	sync.Mutex
	m map[string]*typeExpr
}

// maxParsedAnnotations bounds the cache; past it the cache starts over.
const maxParsedAnnotations = 4096

// parseAnnotation returns the parsed annotation ann, from the cache when
// it was parsed before.
func parseAnnotation(ann string) *typeExpr {
	parsedAnnotations.Lock()
	t, ok := parsedAnnotations.m[ann]
	parsedAnnotations.Unlock()
	if ok {
		return t
	}
	t = parseAnnotationText(ann)
	parsedAnnotations.Lock()
	if parsedAnnotations.m == nil || len(parsedAnnotations.m) >= maxParsedAnnotations {
		parsedAnnotations.m = map[string]*typeExpr{}
	}
	parsedAnnotations.m[strings.Clone(ann)] = t
	parsedAnnotations.Unlock()
	return t
}

func parseAnnotationText(ann string) *typeExpr {
	src := []byte(strings.TrimSpace(ann))
	if len(src) == 0 {
		return anyType
	}
	toks, problems := Tokenize(src)
	if len(problems) > 0 {
		return anyType
	}
	var sig []Token
	for _, t := range toks {
		switch t.Kind {
		case Comment, NL, Newline, Indent, Dedent:
			continue
		}
		sig = append(sig, t)
	}
	p := &annotationParser{src: src, toks: sig}
	t := p.union()
	if t == nil || p.peek().Kind != EndMarker {
		return anyType
	}
	return t
}

func (p *annotationParser) peek() Token {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return Token{Kind: EndMarker}
}

func (p *annotationParser) text(t Token) string { return string(p.src[t.Start:t.End]) }

func (p *annotationParser) isOp(op string) bool {
	t := p.peek()
	return t.Kind == Op && p.text(t) == op
}

func (p *annotationParser) union() *typeExpr {
	if p.depth > 50 {
		return nil
	}
	p.depth++
	defer func() { p.depth-- }()
	first := p.atom()
	if first == nil {
		return nil
	}
	if !p.isOp("|") {
		return first
	}
	u := &typeExpr{name: "union", args: []*typeExpr{first}}
	for p.isOp("|") {
		p.pos++
		next := p.atom()
		if next == nil {
			return nil
		}
		u.args = append(u.args, next)
	}
	return u
}

func (p *annotationParser) atom() *typeExpr {
	t := p.peek()
	switch t.Kind {
	case String:
		p.pos++
		v, ok := literalValue([]string{p.text(t)})
		if !ok {
			return anyType
		}
		return parseAnnotation(v) // forward reference
	case Op:
		if p.text(t) == "..." {
			p.pos++
			return &typeExpr{name: "ellipsis"}
		}
		if p.text(t) == "(" {
			p.pos++
			if p.isOp(")") {
				p.pos++
				return &typeExpr{name: "emptytuple"}
			}
			return nil
		}
		return nil
	case Name:
	default:
		return nil
	}
	var parts []string
	for {
		t := p.peek()
		if t.Kind != Name {
			return nil
		}
		parts = append(parts, p.text(t))
		p.pos++
		if !p.isOp(".") {
			break
		}
		p.pos++
	}
	name := parts[len(parts)-1]
	if len(parts) > 1 {
		switch parts[0] {
		case "typing", "typing_extensions", "builtins", "collections", "t":
			// typing.List, collections.abc.Sequence, t.Optional, ...
		default:
			name = strings.Join(parts, ".") // unknown qualified type
		}
	}
	if a, ok := typeAliases[name]; ok {
		name = a
	}
	if name == "None" {
		name = "none"
	}
	te := &typeExpr{name: name}
	if p.isOp("[") {
		p.pos++
		if name == "literal" {
			if !p.literals(te) {
				return nil
			}
		} else {
			for !p.isOp("]") {
				if p.isOp("(") { // tuple[()]
					a := p.atom()
					if a == nil {
						return nil
					}
					te.args = append(te.args, a)
				} else {
					a := p.union()
					if a == nil {
						return nil
					}
					if a.name == "ellipsis" {
						te.ellipsis = true
					} else {
						te.args = append(te.args, a)
					}
				}
				if p.isOp(",") {
					p.pos++
					continue
				}
				if !p.isOp("]") {
					return nil
				}
			}
		}
		p.pos++ // ]
	}
	switch te.name {
	case "optional":
		if len(te.args) != 1 {
			return anyType
		}
		return &typeExpr{name: "union", args: []*typeExpr{te.args[0], {name: "none"}}}
	case "annotated":
		if len(te.args) == 0 {
			return anyType
		}
		return te.args[0]
	}
	return te
}

func (p *annotationParser) literals(te *typeExpr) bool {
	for !p.isOp("]") {
		neg := false
		if p.isOp("-") {
			neg = true
			p.pos++
		}
		t := p.peek()
		text := p.text(t)
		switch {
		case t.Kind == String && !neg:
			v, ok := literalValue([]string{text})
			if !ok {
				return false
			}
			te.literals = append(te.literals, v)
		case t.Kind == Number:
			clean := strings.ReplaceAll(text, "_", "")
			if i, err := strconv.ParseInt(clean, 0, 64); err == nil {
				if neg {
					i = -i
				}
				te.literals = append(te.literals, i)
			} else if f, err := strconv.ParseFloat(clean, 64); err == nil {
				if neg {
					f = -f
				}
				te.literals = append(te.literals, f)
			} else {
				return false
			}
		case t.Kind == Name && !neg && (text == "True" || text == "False"):
			te.literals = append(te.literals, text == "True")
		case t.Kind == Name && !neg && text == "None":
			te.literals = append(te.literals, nil)
		default:
			return false
		}
		p.pos++
		if p.isOp(",") {
			p.pos++
		} else if !p.isOp("]") {
			return false
		}
	}
	return true
}

// CheckValue reports whether value (as decoded from YAML: string, int64,
// float64, bool, nil, []any, map[string]any) would pass pydantic's lax-mode
// validation for the Python annotation (source text). Unknown types (custom
// classes, datetime, pydantic models, ...) and unparsable annotations are
// accepted. When ok is false, why explains the mismatch.
func CheckValue(annotation string, value any) (ok bool, why string) {
	v, why := Judge(annotation, value)
	return v != Rejected, why
}

// Verdict is how an annotation treats a value.
type Verdict int

const (
	// Rejected: pydantic's lax-mode validation fails.
	Rejected Verdict = iota
	// Open: only a part of the annotation that does not constrain the value
	// or that the scanner does not understand takes it (Any, object, custom
	// classes, datetime, pydantic models, an unparsable annotation), so what
	// the flow makes of it is unknown.
	Open
	// Accepted: a type the scanner models (int, str, bool, Literal, ...)
	// takes the value.
	Accepted
)

// Judge is CheckValue with the verdict's certainty: Accepted when a type
// the scanner knows takes the value, Open when only an unknown or
// unconstrained part of the annotation does. why explains a rejection.
func Judge(annotation string, value any) (Verdict, string) {
	return check(parseAnnotation(annotation), value, 0)
}

// PathStep is one step from a value into one of its parts: a mapping key
// (Key) or a sequence index (Index, with IsIndex set).
type PathStep struct {
	Key     string
	Index   int
	IsIndex bool
}

// ScalarFit says how an annotation treats one scalar written inside a
// parameter's value (see FitScalar).
type ScalarFit struct {
	// Value is the verdict on the scalar as YAML reads it.
	Value Verdict
	// Text is the verdict on the scalar's text kept as a string: Accepted
	// when a str (or a Literal holding that text) alternative takes it as
	// written, Rejected when every alternative that could hold it would
	// read it as something else (bool turns "yes" into True), Open when an
	// unknown or unconstrained part could take it.
	Text Verdict
}

// FitScalar judges one scalar at path inside a value of the annotation's
// type: value is what YAML reads (decoded as for CheckValue), text the
// scalar as written. The annotation's alternatives are followed along the
// path (list[X] items are X, dict[K, V] values are V, tuple positions, the
// branches of a union); a path the annotation has no place for rejects
// both readings. An empty annotation is Open on both.
func FitScalar(annotation string, path []PathStep, value any, text string) ScalarFit {
	if strings.TrimSpace(annotation) == "" {
		return ScalarFit{Value: Open, Text: Open}
	}
	alts := []*typeExpr{parseAnnotation(annotation)}
	for _, step := range path {
		var next []*typeExpr
		for _, t := range alts {
			next = elements(t, step, next, 0)
		}
		alts = next
		if len(alts) == 0 {
			return ScalarFit{}
		}
	}
	leaf := &typeExpr{name: "union", args: alts}
	fv, _ := check(leaf, value, 0)
	ft, _ := check(leaf, keptText(text), 0)
	return ScalarFit{Value: fv, Text: ft}
}

// keptText is a scalar's text that must stay a string: only str, bytes,
// a Literal holding it and unconstrained types take it (lax int, float and
// bool would read it as something else).
type keptText string

// elements appends the alternatives of t that a part of its value at step
// meets.
func elements(t *typeExpr, step PathStep, out []*typeExpr, depth int) []*typeExpr {
	if depth > 50 {
		return append(out, anyType)
	}
	switch t.name {
	case "any":
		return append(out, anyType)
	case "union":
		for _, a := range t.args {
			out = elements(a, step, out, depth+1)
		}
		return out
	case "list", "set", "frozenset", "sequence":
		if !step.IsIndex {
			return out
		}
		if len(t.args) == 1 {
			return append(out, t.args[0])
		}
		return append(out, anyType)
	case "tuple":
		if !step.IsIndex {
			return out
		}
		switch {
		case t.ellipsis && len(t.args) == 1:
			return append(out, t.args[0])
		case len(t.args) == 1 && t.args[0].name == "emptytuple":
			return out
		case len(t.args) == 0:
			return append(out, anyType)
		case step.Index >= 0 && step.Index < len(t.args):
			return append(out, t.args[step.Index])
		}
		return out
	case "dict":
		if step.IsIndex {
			return out
		}
		if len(t.args) == 2 {
			return append(out, t.args[1])
		}
		return append(out, anyType)
	case "none", "int", "float", "str", "bytes", "bool", "literal", "emptytuple", "ellipsis":
		return out // a scalar type has no parts
	}
	return append(out, t) // an unknown type: check keeps it Open
}

func check(t *typeExpr, v any, depth int) (Verdict, string) {
	if depth > 50 {
		return Open, ""
	}
	if i, isInt := v.(int); isInt {
		v = int64(i)
	}
	fail := func(expected string) (Verdict, string) {
		return Rejected, fmt.Sprintf("expected %s, got %s", expected, describe(v))
	}
	accept := func(ok bool, expected string) (Verdict, string) {
		if ok {
			return Accepted, ""
		}
		return fail(expected)
	}
	if kt, isText := v.(keptText); isText {
		switch t.name {
		case "any", "union", "literal":
		case "str", "bytes":
			return Accepted, ""
		default:
			if _, known := knownTypes[t.name]; known {
				return fail("text kept as " + t.name)
			}
			return Open, ""
		}
		if t.name == "literal" {
			for _, l := range t.literals {
				if s, ok := l.(string); ok && s == string(kt) {
					return Accepted, ""
				}
			}
			return fail("one of the literals")
		}
	}
	switch t.name {
	case "any":
		return Open, ""
	case "none":
		return accept(v == nil, "None")
	case "int":
		return accept(laxInt(v), "an integer")
	case "float":
		return accept(laxFloat(v), "a number")
	case "str", "bytes":
		_, ok := v.(string)
		return accept(ok, "a string")
	case "bool":
		return accept(laxBool(v), "a boolean")
	case "union":
		best := Rejected
		var whys []string
		for _, a := range t.args {
			verdict, why := check(a, v, depth+1)
			if verdict > best {
				best = verdict
			}
			if verdict == Rejected {
				whys = append(whys, why)
			}
		}
		if best != Rejected {
			return best, ""
		}
		return Rejected, strings.Join(dedupe(whys), "; or ")
	case "literal":
		for _, l := range t.literals {
			if literalEqual(l, v) {
				return Accepted, ""
			}
		}
		var opts []string
		for _, l := range t.literals {
			opts = append(opts, pyRepr(l))
		}
		return fail("one of " + strings.Join(opts, ", "))
	case "list", "set", "frozenset", "sequence":
		items, ok := v.([]any)
		if !ok {
			return fail("a list")
		}
		if len(t.args) != 1 {
			return Accepted, ""
		}
		return checkItems(items, func(int) *typeExpr { return t.args[0] }, depth)
	case "tuple":
		items, ok := v.([]any)
		if !ok {
			return fail("a list")
		}
		switch {
		case t.ellipsis && len(t.args) == 1:
			return checkItems(items, func(int) *typeExpr { return t.args[0] }, depth)
		case len(t.args) == 1 && t.args[0].name == "emptytuple":
			return accept(len(items) == 0, "an empty list")
		case len(t.args) > 0:
			if len(items) != len(t.args) {
				return Rejected, fmt.Sprintf("expected a list of %d items, got %d", len(t.args), len(items))
			}
			return checkItems(items, func(i int) *typeExpr { return t.args[i] }, depth)
		}
		return Accepted, ""
	case "dict":
		m, ok := v.(map[string]any)
		if !ok {
			return fail("a mapping")
		}
		if len(t.args) != 2 {
			return Accepted, ""
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		worst := Accepted
		for _, k := range keys {
			verdict, why := check(t.args[0], k, depth+1)
			if verdict == Rejected {
				return Rejected, fmt.Sprintf("key %q: %s", k, why)
			}
			worst = min(worst, verdict)
			verdict, why = check(t.args[1], m[k], depth+1)
			if verdict == Rejected {
				return Rejected, fmt.Sprintf("value of %q: %s", k, why)
			}
			worst = min(worst, verdict)
		}
		return worst, ""
	}
	return Open, ""
}

// knownTypes are the type names check models; others are Open.
var knownTypes = map[string]struct{}{
	"none": {}, "int": {}, "float": {}, "str": {}, "bytes": {}, "bool": {}, "literal": {},
	"list": {}, "set": {}, "frozenset": {}, "sequence": {}, "tuple": {}, "dict": {}, "union": {},
	"emptytuple": {}, "ellipsis": {},
}

// checkItems checks each item against its type: Rejected at the first
// item that fails, else the least certain verdict.
func checkItems(items []any, typeOf func(int) *typeExpr, depth int) (Verdict, string) {
	worst := Accepted
	for i, it := range items {
		verdict, why := check(typeOf(i), it, depth+1)
		if verdict == Rejected {
			return Rejected, fmt.Sprintf("item %d: %s", i, why)
		}
		worst = min(worst, verdict)
	}
	return worst, ""
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if len(x) > 40 {
			x = x[:40] + "..."
		}
		return fmt.Sprintf("string %q", x)
	case keptText:
		return describe(string(x))
	case bool:
		return fmt.Sprintf("boolean %v", x)
	case int64, int:
		return fmt.Sprintf("integer %v", x)
	case float64:
		return fmt.Sprintf("number %v", x)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%T", v)
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return strconv.Quote(x)
	}
	return fmt.Sprint(v)
}

// literalEqual follows Python equality as pydantic's Literal check does:
// True == 1, 1.0 == 1, but "1" != 1.
func literalEqual(lit, v any) bool {
	num := func(x any) (float64, bool) {
		switch n := x.(type) {
		case bool:
			if n {
				return 1, true
			}
			return 0, true
		case int64:
			return float64(n), true
		case float64:
			return n, true
		}
		return 0, false
	}
	if a, ok := num(lit); ok {
		b, ok := num(v)
		return ok && a == b
	}
	switch l := lit.(type) {
	case nil:
		return v == nil
	case string:
		s, ok := v.(string)
		return ok && s == l
	}
	return false
}

// validDigits reports whether s is digits with single underscores between
// them, as Python's int() accepts.
func validDigits(s string) bool {
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' {
			if s[i-1] == '_' {
				return false
			}
			continue
		}
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func laxInt(v any) bool {
	switch x := v.(type) {
	case int64, bool:
		return true
	case float64:
		return x == math.Trunc(x) && !math.IsInf(x, 0) && x >= -9223372036854775808 && x < 9223372036854775808
	case string:
		s := strings.TrimSpace(x)
		if s != "" && (s[0] == '+' || s[0] == '-') {
			s = s[1:]
		}
		intPart, frac, hasDot := strings.Cut(s, ".")
		if !validDigits(intPart) {
			return false
		}
		if hasDot {
			return frac != "" && strings.Trim(frac, "0") == ""
		}
		return true
	}
	return false
}

func laxFloat(v any) bool {
	switch x := v.(type) {
	case int64, bool, float64:
		return true
	case string:
		s := strings.TrimSpace(x)
		body := strings.TrimLeft(s, "+-")
		if len(s)-len(body) > 1 {
			return false
		}
		switch strings.ToLower(body) {
		case "inf", "infinity", "nan":
			return true
		}
		if strings.ContainsAny(body, "xXpP") || body == "" {
			return false
		}
		// Underscores only between digits.
		for i := 0; i < len(body); i++ {
			if body[i] == '_' && (i == 0 || i+1 == len(body) || !isDigit(body[i-1]) || !isDigit(body[i+1])) {
				return false
			}
		}
		clean := strings.ReplaceAll(body, "_", "")
		for i := 0; i < len(clean); i++ {
			c := clean[i]
			if !isDigit(c) && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-' {
				return false
			}
		}
		_, err := strconv.ParseFloat(clean, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return true
			}
			return false
		}
		return true
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func laxBool(v any) bool {
	switch x := v.(type) {
	case bool:
		return true
	case int64:
		return x == 0 || x == 1
	case float64:
		return x == 0 || x == 1
	case string:
		switch strings.ToLower(x) {
		case "0", "off", "f", "false", "n", "no", "1", "on", "t", "true", "y", "yes":
			return true
		}
	}
	return false
}
