package pydeploy

import (
	"strconv"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/pyflow"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// Value is a keyword argument's value as far as it is a literal. Known is
// false for anything computed (names, f-strings, arithmetic, calls other
// than the recognised constructors): such values are never judged.
//
// V holds nil, bool, int64, float64, string, []any, map[string]any (dicts
// with string keys; other dicts are unknown) or *Construct for a recognised
// constructor call (timedelta, Cron, Interval, RRule, DeploymentImage).
type Value struct {
	Known bool
	V     any
	Text  string
	Span  source.Span
	// Keys holds the spans of a top-level dict's keys (quotes included).
	Keys map[string]source.Span
}

// Construct is a call of a recognised constructor with literal arguments.
type Construct struct {
	Name   string // last dotted part: "timedelta", "Cron", ...
	Args   []Value
	Kwargs map[string]Value
}

// constructors are the calls read as literals.
var constructors = map[string]bool{
	"timedelta": true, "Cron": true, "Interval": true, "RRule": true,
	"DeploymentImage": true, "CronSchedule": true, "IntervalSchedule": true, "RRuleSchedule": true,
}

// maxDepth bounds nesting so that odd input cannot recurse deeply.
const maxDepth = 32

type litParser struct {
	src  []byte
	base int
	toks []pyflow.Token
	pos  int
	keys map[string]source.Span
}

// parseValue reads text (found at offset base of the file) as a literal.
func parseValue(text string, base int) Value {
	toks, _ := pyflow.Tokenize([]byte(text))
	var kept []pyflow.Token
	for _, t := range toks {
		switch t.Kind {
		case pyflow.NL, pyflow.Comment, pyflow.Newline, pyflow.Indent, pyflow.Dedent, pyflow.EndMarker:
			continue
		}
		kept = append(kept, t)
	}
	p := &litParser{src: []byte(text), base: base, toks: kept}
	v, ok := p.value(0)
	span := source.Span{Start: base, End: base + len(text)}
	if !ok || p.pos != len(p.toks) {
		return Value{Text: text, Span: span}
	}
	return Value{Known: true, V: v, Text: text, Span: span, Keys: p.keys}
}

func (p *litParser) peekText() string {
	if p.pos >= len(p.toks) {
		return ""
	}
	t := p.toks[p.pos]
	return string(p.src[t.Start:t.End])
}

func (p *litParser) isOp(s string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].Kind == pyflow.Op && p.peekText() == s
}

func (p *litParser) value(depth int) (any, bool) {
	if depth > maxDepth || p.pos >= len(p.toks) {
		return nil, false
	}
	t := p.toks[p.pos]
	text := p.peekText()
	switch t.Kind {
	case pyflow.String:
		var parts []string
		for p.pos < len(p.toks) && p.toks[p.pos].Kind == pyflow.String {
			parts = append(parts, p.peekText())
			p.pos++
		}
		s, ok := pyflow.StringLiteral(parts...)
		return s, ok
	case pyflow.Number:
		p.pos++
		return number(text)
	case pyflow.Op:
		switch text {
		case "-", "+":
			p.pos++
			if p.pos >= len(p.toks) || p.toks[p.pos].Kind != pyflow.Number {
				return nil, false
			}
			v, ok := number(p.peekText())
			p.pos++
			if !ok || text == "+" {
				return v, ok
			}
			switch n := v.(type) {
			case int64:
				return -n, true
			case float64:
				return -n, true
			}
			return nil, false
		case "[":
			p.pos++
			return p.sequence("]", depth)
		case "(":
			p.pos++
			return p.sequence(")", depth)
		case "{":
			p.pos++
			return p.dict(depth)
		}
		return nil, false
	case pyflow.Name:
		switch text {
		case "True":
			p.pos++
			return true, true
		case "False":
			p.pos++
			return false, true
		case "None":
			p.pos++
			return nil, true
		}
		// A dotted constructor call: datetime.timedelta(...), Cron(...).
		name := text
		p.pos++
		for p.isOp(".") && p.pos+1 < len(p.toks) && p.toks[p.pos+1].Kind == pyflow.Name {
			p.pos++
			name = p.peekText()
			p.pos++
		}
		if !constructors[name] || !p.isOp("(") {
			return nil, false
		}
		p.pos++
		return p.construct(name, depth)
	}
	return nil, false
}

func number(text string) (any, bool) {
	clean := strings.ReplaceAll(text, "_", "")
	if n, err := strconv.ParseInt(clean, 0, 64); err == nil {
		return n, true
	}
	if strings.ContainsAny(clean, "jJ") || strings.HasPrefix(clean, "0x") || strings.HasPrefix(clean, "0X") {
		return nil, false
	}
	if f, err := strconv.ParseFloat(clean, 64); err == nil {
		return f, true
	}
	return nil, false
}

func (p *litParser) sequence(closer string, depth int) (any, bool) {
	out := []any{}
	for {
		if p.isOp(closer) {
			p.pos++
			return out, true
		}
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		out = append(out, v)
		if p.isOp(",") {
			p.pos++
			continue
		}
		if !p.isOp(closer) {
			return nil, false
		}
	}
}

func (p *litParser) dict(depth int) (any, bool) {
	out := map[string]any{}
	for {
		if p.isOp("}") {
			p.pos++
			return out, true
		}
		if p.pos >= len(p.toks) {
			return nil, false
		}
		kstart := p.toks[p.pos].Start
		k, ok := p.value(depth + 1)
		ks, isStr := k.(string)
		if !ok || !isStr || !p.isOp(":") {
			return nil, false
		}
		if depth == 0 {
			if p.keys == nil {
				p.keys = map[string]source.Span{}
			}
			p.keys[ks] = source.Span{Start: p.base + kstart, End: p.base + p.toks[p.pos-1].End}
		}
		p.pos++
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		out[ks] = v
		if p.isOp(",") {
			p.pos++
			continue
		}
		if !p.isOp("}") {
			return nil, false
		}
	}
}

func (p *litParser) construct(name string, depth int) (any, bool) {
	c := &Construct{Name: name, Kwargs: map[string]Value{}}
	for {
		if p.isOp(")") {
			p.pos++
			return c, true
		}
		kw := ""
		if p.pos+1 < len(p.toks) && p.toks[p.pos].Kind == pyflow.Name && p.toks[p.pos+1].Kind == pyflow.Op && string(p.src[p.toks[p.pos+1].Start:p.toks[p.pos+1].End]) == "=" {
			kw = p.peekText()
			p.pos += 2
		}
		if p.pos >= len(p.toks) {
			return nil, false
		}
		start := p.toks[p.pos].Start
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		end := p.toks[p.pos-1].End
		val := Value{Known: true, V: v, Text: string(p.src[start:end]), Span: source.Span{Start: p.base + start, End: p.base + end}}
		if kw != "" {
			c.Kwargs[kw] = val
		} else {
			c.Args = append(c.Args, val)
		}
		if p.isOp(",") {
			p.pos++
			continue
		}
		if !p.isOp(")") {
			return nil, false
		}
	}
}

// seconds returns a timedelta's or a number's length in seconds.
func seconds(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case *Construct:
		if x.Name != "timedelta" {
			return 0, false
		}
		units := []float64{86400, 1, 1e-6, 1e-3, 60, 3600, 604800} // days, seconds, microseconds, milliseconds, minutes, hours, weeks
		names := []string{"days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks"}
		total := 0.0
		for i, a := range x.Args {
			if i >= len(units) {
				return 0, false
			}
			n, ok := seconds(a.V)
			if !ok {
				return 0, false
			}
			total += n * units[i]
		}
		for k, a := range x.Kwargs {
			i := indexOf(names, k)
			if i < 0 {
				return 0, false
			}
			n, ok := seconds(a.V)
			if !ok {
				return 0, false
			}
			total += n * units[i]
		}
		return total, true
	}
	return 0, false
}

func indexOf(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return -1
}
