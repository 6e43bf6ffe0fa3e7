package pyflow

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
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

func parseAnnotation(ann string) *typeExpr {
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
	t := parseAnnotation(annotation)
	return check(t, value, 0)
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

func check(t *typeExpr, v any, depth int) (bool, string) {
	if depth > 50 {
		return true, ""
	}
	if i, isInt := v.(int); isInt {
		v = int64(i)
	}
	fail := func(expected string) (bool, string) {
		return false, fmt.Sprintf("expected %s, got %s", expected, describe(v))
	}
	switch t.name {
	case "any":
		return true, ""
	case "none":
		if v == nil {
			return true, ""
		}
		return fail("None")
	case "int":
		if laxInt(v) {
			return true, ""
		}
		return fail("an integer")
	case "float":
		if laxFloat(v) {
			return true, ""
		}
		return fail("a number")
	case "str", "bytes":
		if _, ok := v.(string); ok {
			return true, ""
		}
		return fail("a string")
	case "bool":
		if laxBool(v) {
			return true, ""
		}
		return fail("a boolean")
	case "union":
		var whys []string
		for _, a := range t.args {
			if ok, why := check(a, v, depth+1); ok {
				return true, ""
			} else {
				whys = append(whys, why)
			}
		}
		return false, strings.Join(dedupe(whys), "; or ")
	case "literal":
		for _, l := range t.literals {
			if literalEqual(l, v) {
				return true, ""
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
		if len(t.args) == 1 {
			for i, it := range items {
				if ok, why := check(t.args[0], it, depth+1); !ok {
					return false, fmt.Sprintf("item %d: %s", i, why)
				}
			}
		}
		return true, ""
	case "tuple":
		items, ok := v.([]any)
		if !ok {
			return fail("a list")
		}
		switch {
		case t.ellipsis && len(t.args) == 1:
			for i, it := range items {
				if ok, why := check(t.args[0], it, depth+1); !ok {
					return false, fmt.Sprintf("item %d: %s", i, why)
				}
			}
		case len(t.args) == 1 && t.args[0].name == "emptytuple":
			if len(items) != 0 {
				return fail("an empty list")
			}
		case len(t.args) > 0:
			if len(items) != len(t.args) {
				return false, fmt.Sprintf("expected a list of %d items, got %d", len(t.args), len(items))
			}
			for i, it := range items {
				if ok, why := check(t.args[i], it, depth+1); !ok {
					return false, fmt.Sprintf("item %d: %s", i, why)
				}
			}
		}
		return true, ""
	case "dict":
		m, ok := v.(map[string]any)
		if !ok {
			return fail("a mapping")
		}
		if len(t.args) == 2 {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if ok, why := check(t.args[0], k, depth+1); !ok {
					return false, fmt.Sprintf("key %q: %s", k, why)
				}
				if ok, why := check(t.args[1], m[k], depth+1); !ok {
					return false, fmt.Sprintf("value of %q: %s", k, why)
				}
			}
		}
		return true, ""
	}
	return true, ""
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
