package pyflow

import (
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"

	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

type scopeKind int

const (
	moduleScope scopeKind = iota
	classScope
	functionScope
)

type scope struct {
	kind   scopeKind
	prefix string // qualname prefix, "A.B." inside class B of class A
	class  string // enclosing class qualname
	record bool   // whether defs here are listed
}

type parser struct {
	src     []byte
	toks    []Token // without comments and NL
	match   []int32 // index of the matching bracket, -1 if none
	pos     int
	depth   int
	mod     *Module
	decoder *encoding.Decoder
}

// Parse scans a Python file. It never fails; syntax problems are listed in
// Module.Problems and everything that could be read is returned.
func Parse(filename string, src []byte) *Module {
	mod := &Module{Path: filename}
	all, problems := Tokenize(src)
	mod.Problems = problems
	p := &parser{src: src, mod: mod}
	if enc := encodingCookie(src); enc != "" {
		mod.Encoding = enc
		p.setEncoding(enc)
	}
	p.toks = all[:0] // filtered in place: all is not read again
	for _, t := range all {
		if t.Kind != Comment && t.Kind != NL {
			p.toks = append(p.toks, t)
		}
	}
	p.computeMatches()
	p.statements(&scope{kind: moduleScope, record: true}, false)
	p.findCalls()
	p.classify()
	return mod
}

func (p *parser) setEncoding(name string) {
	n := strings.ReplaceAll(strings.ToLower(name), "_", "-")
	switch n {
	case "utf-8", "utf8", "utf-8-sig":
		return
	case "latin-1", "latin1", "iso-8859-1", "iso8859-1", "l1", "latin", "cp819", "8859", "iso-latin-1":
		p.decoder = charmap.ISO8859_1.NewDecoder()
		return
	}
	if e, err := ianaindex.IANA.Encoding(n); err == nil && e != nil {
		p.decoder = e.NewDecoder()
		return
	}
	if e, err := htmlindex.Get(n); err == nil {
		p.decoder = e.NewDecoder()
		return
	}
	p.mod.Problems = append(p.mod.Problems, Problem{Message: "unknown source encoding '" + name + "'; reading as UTF-8"})
}

// text returns the decoded source text of a byte range.
func (p *parser) text(start, end int) string {
	b := p.src[start:end]
	if p.decoder != nil {
		if s, err := p.decoder.String(string(b)); err == nil {
			return s
		}
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func (p *parser) problem(start, end int, msg string) {
	if len(p.mod.Problems) < 1000 {
		p.mod.Problems = append(p.mod.Problems, Problem{Span: source.Span{Start: start, End: end}, Message: msg})
	}
}

func (p *parser) computeMatches() {
	p.match = make([]int32, len(p.toks))
	var stack []int32
	for i, t := range p.toks {
		p.match[i] = -1
		switch t.Kind {
		case Newline:
			stack = stack[:0]
		case Op:
			if t.End-t.Start != 1 {
				continue
			}
			switch c := p.src[t.Start]; c {
			case '(', '[', '{':
				stack = append(stack, int32(i))
			case ')', ']', '}':
				if len(stack) > 0 {
					o := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					if closer(p.src[p.toks[o].Start]) == c {
						p.match[o] = int32(i)
						p.match[i] = o
					}
				}
			}
		}
	}
}

func (p *parser) tok() Token { return p.toks[p.pos] }

func (p *parser) at(i int) Token {
	if i < 0 || i >= len(p.toks) {
		return Token{Kind: EndMarker}
	}
	return p.toks[i]
}

func (p *parser) tokText(i int) string {
	t := p.toks[i]
	return string(p.src[t.Start:t.End])
}

func (p *parser) isOp(i int, op string) bool {
	t := p.at(i)
	return t.Kind == Op && t.End-t.Start == len(op) && string(p.src[t.Start:t.End]) == op
}

func (p *parser) isName(i int, name string) bool {
	t := p.at(i)
	return t.Kind == Name && t.End-t.Start == len(name) && string(p.src[t.Start:t.End]) == name
}

func (p *parser) isOpener(i int) bool {
	t := p.toks[i]
	if t.Kind != Op || t.End-t.Start != 1 {
		return false
	}
	c := p.src[t.Start]
	return c == '(' || c == '[' || c == '{'
}

// lineEnd returns the index of the Newline or EndMarker ending the logical
// line that contains token i.
func (p *parser) lineEnd(i int) int {
	for i < len(p.toks) {
		k := p.toks[i].Kind
		if k == Newline || k == EndMarker {
			return i
		}
		i++
	}
	return len(p.toks) - 1
}

func (p *parser) consumeNewline() {
	if p.tok().Kind == Newline {
		p.pos++
	}
}

// findTop returns the index of the first operator op in [a, b) outside
// brackets and outside lambda parameter lists, or -1.
func (p *parser) findTop(a, b int, op string) int {
	lambdas := 0
	for i := a; i < b; i++ {
		t := p.toks[i]
		if t.Kind == Name && p.isName(i, "lambda") {
			lambdas++
			continue
		}
		if t.Kind != Op {
			continue
		}
		if p.isOpener(i) {
			if m := int(p.match[i]); m > i && m < b {
				i = m
			}
			continue
		}
		if lambdas > 0 && p.isOp(i, ":") {
			lambdas--
			continue
		}
		if lambdas > 0 {
			continue // inside a lambda's parameter list
		}
		if p.isOp(i, op) {
			return i
		}
	}
	return -1
}

// hasTopName reports whether keyword name occurs in [a, b) outside brackets.
func (p *parser) hasTopName(a, b int, name string) bool {
	for i := a; i < b; i++ {
		if p.isOpener(i) {
			if m := int(p.match[i]); m > i && m < b {
				i = m
			}
			continue
		}
		if p.isName(i, name) {
			return true
		}
	}
	return false
}

// splitTop splits [a, b) at top-level occurrences of op.
func (p *parser) splitTop(a, b int, op string) [][2]int {
	var out [][2]int
	for a <= b {
		i := p.findTop(a, b, op)
		if i < 0 {
			out = append(out, [2]int{a, b})
			break
		}
		out = append(out, [2]int{a, i})
		a = i + 1
	}
	return out
}

// exprRange removes redundant parentheses around [a, b), as Python's AST
// positions do (tuples, empty tuples and generator expressions keep theirs).
func (p *parser) exprRange(a, b int) (int, int) {
	for b-a >= 2 && p.isOp(a, "(") && int(p.match[a]) == b-1 {
		ia, ib := a+1, b-1
		if ia == ib || p.findTop(ia, ib, ",") >= 0 || p.hasTopName(ia, ib, "for") {
			break
		}
		a, b = ia, ib
	}
	return a, b
}

// span returns the byte span of tokens [a, b) (empty at the start of a when
// the range is empty).
func (p *parser) span(a, b int) source.Span {
	if b <= a {
		s := p.at(a).Start
		return source.Span{Start: s, End: s}
	}
	return source.Span{Start: p.toks[a].Start, End: p.toks[b-1].End}
}

func (p *parser) rangeText(a, b int) string {
	s := p.span(a, b)
	return p.text(s.Start, s.End)
}

// stringValue returns the decoded value when [a, b) is only str literals.
func (p *parser) stringValue(a, b int) *string {
	a, b = p.exprRange(a, b)
	if b <= a {
		return nil
	}
	texts := make([]string, 0, b-a)
	for i := a; i < b; i++ {
		if p.toks[i].Kind != String {
			return nil
		}
		t := p.toks[i]
		texts = append(texts, p.text(t.Start, t.End))
	}
	v, ok := literalValue(texts)
	if !ok {
		return nil
	}
	return &v
}

// statements parses statements until the end of the block (a Dedent, which
// it consumes, when nested) or the end of input.
func (p *parser) statements(sc *scope, nested bool) {
	for {
		switch p.tok().Kind {
		case EndMarker:
			return
		case Dedent:
			p.pos++
			if nested {
				return
			}
			continue
		case Newline:
			p.pos++
			continue
		case Indent:
			p.problem(p.tok().Start, p.tok().End, "unexpected indent")
			p.pos++
			p.block(sc)
			continue
		}
		p.statement(sc)
	}
}

// block parses an indented block after its Indent token.
func (p *parser) block(sc *scope) {
	if p.depth >= maxNesting {
		p.problem(p.tok().Start, p.tok().Start, "too many nested blocks")
		p.skipBlock()
		return
	}
	p.depth++
	p.statements(sc, true)
	p.depth--
}

// skipBlock consumes tokens up to and including the Dedent closing the
// current block, without recursion.
func (p *parser) skipBlock() {
	level := 1
	for level > 0 {
		switch p.tok().Kind {
		case EndMarker:
			return
		case Indent:
			level++
		case Dedent:
			level--
		}
		p.pos++
	}
}

func (p *parser) statement(sc *scope) {
	var decos []Decorator
	for p.isOp(p.pos, "@") {
		end := p.lineEnd(p.pos)
		decos = append(decos, p.decorator(p.pos+1, end))
		p.pos = end
		p.consumeNewline()
	}
	switch {
	case p.isName(p.pos, "def"), p.isName(p.pos, "async") && p.isName(p.pos+1, "def"):
		p.function(sc, decos)
		return
	case p.isName(p.pos, "class"):
		p.class(sc)
		return
	}
	if len(decos) > 0 {
		t := p.tok()
		p.problem(t.Start, t.End, "expected 'def' or 'class' after decorator")
	}
	if p.tok().Kind == Indent || p.tok().Kind == Dedent || p.tok().Kind == EndMarker {
		return
	}
	p.compoundOrSimple(sc)
}

var compoundKeywords = map[string]bool{
	"if": true, "elif": true, "else": true, "for": true, "while": true, "try": true,
	"except": true, "finally": true, "with": true,
}

func (p *parser) isCompound(i, end int) bool {
	t := p.toks[i]
	if t.Kind != Name {
		return false
	}
	word := p.tokText(i)
	switch {
	case compoundKeywords[word]:
		return true
	case word == "async":
		return p.isName(i+1, "for") || p.isName(i+1, "with")
	case word == "match" || word == "case":
		// Soft keywords: only a compound statement header ends with ':'.
		return end-1 > i+1 && p.isOp(end-1, ":")
	}
	return false
}

func (p *parser) compoundOrSimple(sc *scope) {
	end := p.lineEnd(p.pos)
	if !p.isCompound(p.pos, end) {
		p.simpleLine(sc, p.pos, end)
		return
	}
	colon := p.findTop(p.pos+1, end, ":")
	if colon < 0 {
		t := p.tok()
		p.problem(t.Start, p.at(end).Start, "expected ':'")
		p.pos = end
		p.consumeNewline()
		return
	}
	if colon == end-1 {
		p.pos = end
		p.body(sc, p.toks[colon])
		return
	}
	p.simpleLine(sc, colon+1, end)
}

// body parses an indented block after a header's ':' and Newline.
func (p *parser) body(sc *scope, colon Token) {
	p.consumeNewline()
	if p.tok().Kind != Indent {
		p.problem(colon.Start, colon.End, "expected an indented block")
		return
	}
	p.pos++
	p.block(sc)
}

// simpleLine handles the simple statements in [a, end) and consumes the
// line.
func (p *parser) simpleLine(sc *scope, a, end int) {
	if sc.kind == moduleScope {
		for _, r := range p.splitTop(a, end, ";") {
			p.simpleStatement(sc, r[0], r[1])
		}
	}
	p.pos = end
	p.consumeNewline()
}

func (p *parser) simpleStatement(sc *scope, a, b int) {
	if a >= b {
		return
	}
	switch {
	case p.isName(a, "import"):
		p.importStmt(a+1, b)
		return
	case p.isName(a, "from"):
		p.fromImport(a+1, b)
		return
	}
	// Assignment: NAME = [NAME = ...] value, or NAME: T = value.
	if p.toks[a].Kind != Name || a+1 >= b || keywords[p.tokText(a)] {
		return
	}
	var targets []int
	valueStart := -1
	switch {
	case p.isOp(a+1, "="):
		// a = b = value: every single-name segment before the last '=' is a
		// target.
		segStart := a
		for {
			i := p.findTop(segStart, b, "=")
			if i < 0 {
				break
			}
			if i == segStart+1 && p.toks[segStart].Kind == Name && !keywords[p.tokText(segStart)] {
				targets = append(targets, segStart)
			}
			valueStart = i + 1
			segStart = i + 1
		}
	case p.isOp(a+1, ":"):
		i := p.findTop(a+2, b, "=")
		if i < 0 {
			return
		}
		targets = append(targets, a)
		valueStart = i + 1
	default:
		return
	}
	va, vb := p.exprRange(valueStart, b)
	if va >= vb {
		return
	}
	for _, tg := range targets {
		as := Assignment{
			Target:     p.tokText(tg),
			TargetSpan: p.toks[tg].Span(),
			Value:      p.rangeText(va, vb),
			ValueSpan:  p.span(va, vb),
		}
		if callee, open, ok := p.dottedCall(va, vb); ok {
			as.Callee = callee
			as.Args, as.Kwargs = p.arguments(open+1, vb-1)
		}
		p.mod.Assignments = append(p.mod.Assignments, as)
	}
}

var keywords = map[string]bool{
	"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true, "async": true,
	"await": true, "break": true, "class": true, "continue": true, "def": true, "del": true, "elif": true,
	"else": true, "except": true, "finally": true, "for": true, "from": true, "global": true, "if": true,
	"import": true, "in": true, "is": true, "lambda": true, "nonlocal": true, "not": true, "or": true,
	"pass": true, "raise": true, "return": true, "try": true, "while": true, "with": true, "yield": true,
}

// dotted reads NAME(.NAME)* starting at i (not past b) and returns the text
// and the index after it.
func (p *parser) dotted(i, b int) (string, int) {
	var parts []string
	for i < b && p.toks[i].Kind == Name {
		parts = append(parts, p.tokText(i))
		if i+2 < b && p.isOp(i+1, ".") && p.toks[i+2].Kind == Name {
			i += 2
			continue
		}
		i++
		break
	}
	return strings.Join(parts, "."), i
}

// dottedCall reports whether [a, b) is `dotted.name(...)`, returning the
// callee and the index of '('.
func (p *parser) dottedCall(a, b int) (string, int, bool) {
	name, i := p.dotted(a, b)
	if name == "" || i >= b || !p.isOp(i, "(") || int(p.match[i]) != b-1 {
		return "", 0, false
	}
	return name, i, true
}

// arguments parses call arguments in [a, b).
func (p *parser) arguments(a, b int) ([]Arg, []Kwarg) {
	if a >= b {
		return nil, nil
	}
	var args []Arg
	var kwargs []Kwarg
	for _, r := range p.splitTop(a, b, ",") {
		x, y := r[0], r[1]
		if x >= y {
			continue
		}
		if p.toks[x].Kind == Name && y-x >= 2 && p.isOp(x+1, "=") {
			va, vb := p.exprRange(x+2, y)
			kwargs = append(kwargs, Kwarg{
				Name:        p.tokText(x),
				Value:       p.rangeText(va, vb),
				Span:        p.span(x, y),
				ValueSpan:   p.span(va, vb),
				StringValue: p.stringValue(va, vb),
			})
			continue
		}
		va, vb := x, y
		if !p.isOp(x, "*") && !p.isOp(x, "**") {
			va, vb = p.exprRange(x, y)
		}
		args = append(args, Arg{Value: p.rangeText(va, vb), Span: p.span(va, vb), StringValue: p.stringValue(va, vb)})
	}
	return args, kwargs
}

func (p *parser) importStmt(a, b int) {
	for _, r := range p.splitTop(a, b, ",") {
		x, y := r[0], r[1]
		name, i := p.dotted(x, y)
		if name == "" {
			continue
		}
		im := Import{Module: name, Span: p.span(x, y)}
		if i+1 < y && p.isName(i, "as") && p.toks[i+1].Kind == Name {
			im.Alias = p.tokText(i + 1)
		}
		p.mod.Imports = append(p.mod.Imports, im)
	}
}

func (p *parser) fromImport(a, b int) {
	mod := ""
	i := a
	for i < b && (p.isOp(i, ".") || p.isOp(i, "...")) {
		mod += p.tokText(i)
		i++
	}
	name, j := p.dotted(i, b)
	mod += name
	if mod == "" || !p.isName(j, "import") {
		return
	}
	x, y := j+1, b
	if x < y && p.isOp(x, "(") && int(p.match[x]) == y-1 {
		x, y = x+1, y-1
	}
	if x < y && p.isOp(x, "*") {
		p.mod.Imports = append(p.mod.Imports, Import{Module: mod, Name: "*", Span: p.span(x, x+1)})
		return
	}
	for _, r := range p.splitTop(x, y, ",") {
		s, e := r[0], r[1]
		if s >= e || p.toks[s].Kind != Name {
			continue
		}
		im := Import{Module: mod, Name: p.tokText(s), Span: p.span(s, e)}
		if s+2 < e && p.isName(s+1, "as") && p.toks[s+2].Kind == Name {
			im.Alias = p.tokText(s + 2)
		}
		p.mod.Imports = append(p.mod.Imports, im)
	}
}

// decorator parses the expression in [a, end) after '@'.
func (p *parser) decorator(a, end int) Decorator {
	x, y := p.exprRange(a, end)
	d := Decorator{Span: p.span(x, y)}
	if name, i := p.dotted(x, y); name != "" && i == y {
		d.Expr = name
	} else if callee, open, ok := p.dottedCall(x, y); ok {
		d.Expr = callee
		d.Called = true
		d.Args, d.Kwargs = p.arguments(open+1, y-1)
	} else {
		d.Expr = p.rangeText(x, y)
	}
	if x >= y {
		p.problem(p.at(a).Start, p.at(a).End, "expected an expression after '@'")
	}
	return d
}

// lastEnd returns the end offset of the last significant token before i.
func (p *parser) lastEnd(i int) int {
	i--
	for i > 0 {
		k := p.toks[i].Kind
		if k != Newline && k != Indent && k != Dedent && k != EndMarker {
			break
		}
		i--
	}
	if i < 0 {
		return 0
	}
	return p.toks[i].End
}

func (p *parser) function(sc *scope, decos []Decorator) {
	start := p.tok().Start
	f := &Function{Decorators: decos, FlowDecorator: -1}
	if p.isName(p.pos, "async") {
		f.Async = true
		p.pos++
	}
	p.pos++ // def
	end := p.lineEnd(p.pos)
	record := sc.record && sc.kind != functionScope
	inner := &scope{kind: functionScope}
	if p.at(p.pos).Kind != Name || p.pos >= end {
		t := p.at(p.pos)
		p.problem(t.Start, t.End, "expected a function name after 'def'")
		p.skipHeader(inner, end)
		return
	}
	f.Name = p.tokText(p.pos)
	f.NameSpan = p.tok().Span()
	f.Qualname = sc.prefix + f.Name
	f.Class = sc.class
	p.pos++
	if p.isOp(p.pos, "[") && int(p.match[p.pos]) > p.pos && int(p.match[p.pos]) < end {
		p.pos = int(p.match[p.pos]) + 1
	}
	if !p.isOp(p.pos, "(") {
		t := p.at(p.pos)
		p.problem(t.Start, t.End, "expected '(' after function name")
		if record {
			p.mod.Functions = append(p.mod.Functions, f)
		}
		p.skipHeader(inner, end)
		f.Span = source.Span{Start: start, End: p.lastEnd(p.pos)}
		return
	}
	close := int(p.match[p.pos])
	if close < 0 || close >= end {
		t := p.tok()
		p.problem(t.Start, t.End, "'(' was never closed")
		colon := p.findTop(p.pos+1, end, ":")
		close = end
		if colon >= 0 && colon == end-1 {
			close = colon
		}
		f.Params = p.params(p.pos+1, close)
		p.pos = close
	} else {
		f.Params = p.params(p.pos+1, close)
		p.pos = close + 1
	}
	if p.isOp(p.pos, "->") {
		colon := p.findTop(p.pos+1, end, ":")
		if colon < 0 {
			colon = end
		}
		ra, rb := p.exprRange(p.pos+1, colon)
		f.Returns = p.rangeText(ra, rb)
		f.ReturnsSpan = p.span(ra, rb)
		p.pos = colon
	}
	if record {
		p.mod.Functions = append(p.mod.Functions, f)
	}
	if !p.isOp(p.pos, ":") {
		t := p.at(p.pos)
		p.problem(t.Start, t.End, "expected ':'")
		p.pos = end
		p.consumeNewline()
		f.Span = source.Span{Start: start, End: p.lastEnd(p.pos)}
		return
	}
	colon := p.tok()
	p.pos++
	if p.tok().Kind == Newline {
		p.consumeNewline()
		if p.tok().Kind == Indent {
			p.pos++
			p.docstring(f)
			p.block(inner)
		} else {
			p.problem(colon.Start, colon.End, "expected an indented block")
		}
	} else {
		p.docstring(f)
		p.simpleLine(inner, p.pos, end)
	}
	f.Span = source.Span{Start: start, End: p.lastEnd(p.pos)}
}

// skipHeader recovers from a broken def/class header: it skips the line and
// an indented body if one follows.
func (p *parser) skipHeader(inner *scope, end int) {
	p.pos = end
	p.consumeNewline()
	if p.tok().Kind == Indent && p.isOp(end-1, ":") {
		p.pos++
		p.block(inner)
	}
}

// docstring records the docstring when the statement at p.pos is a lone
// string literal.
func (p *parser) docstring(f *Function) {
	end := p.lineEnd(p.pos)
	if semi := p.findTop(p.pos, end, ";"); semi >= 0 {
		end = semi
	}
	a, b := p.exprRange(p.pos, end)
	if v := p.stringValue(a, b); v != nil {
		f.Docstring = *v
		f.HasDocstring = true
		f.DocstringSpan = p.span(a, b)
	}
}

func (p *parser) class(sc *scope) {
	p.pos++ // class
	end := p.lineEnd(p.pos)
	if p.at(p.pos).Kind != Name || p.pos >= end {
		t := p.at(p.pos)
		p.problem(t.Start, t.End, "expected a class name after 'class'")
		p.skipHeader(&scope{kind: functionScope}, end)
		return
	}
	name := p.tokText(p.pos)
	inner := &scope{kind: classScope, prefix: sc.prefix + name + ".", class: sc.prefix + name, record: sc.record && sc.kind != functionScope}
	if sc.kind == functionScope {
		inner.kind = functionScope
	}
	colon := p.findTop(p.pos+1, end, ":")
	if colon < 0 {
		t := p.at(p.pos)
		p.problem(t.Start, t.End, "expected ':'")
		p.pos = end
		p.consumeNewline()
		return
	}
	p.pos = colon + 1
	if colon == end-1 {
		p.body(inner, p.toks[colon])
		return
	}
	p.simpleLine(inner, p.pos, end)
}

// params parses a parameter list in [a, b).
func (p *parser) params(a, b int) []Param {
	parts := p.splitTop(a, b, ",")
	out := make([]Param, 0, len(parts))
	kind := PositionalOrKeyword
	for _, r := range parts {
		x, y := r[0], r[1]
		if x >= y {
			continue
		}
		switch {
		case p.isOp(x, "/") && y == x+1:
			for i := range out {
				out[i].Kind = PositionalOnly
			}
			continue
		case p.isOp(x, "*") && y == x+1:
			kind = KeywordOnly
			continue
		}
		pm := Param{Kind: kind, Span: p.span(x, y)}
		n := x
		switch {
		case p.isOp(x, "*"):
			pm.Kind = VarPositional
			kind = KeywordOnly
			n++
		case p.isOp(x, "**"):
			pm.Kind = VarKeyword
			n++
		}
		if n >= y || p.toks[n].Kind != Name {
			t := p.toks[x]
			p.problem(t.Start, p.toks[y-1].End, "invalid parameter")
			continue
		}
		pm.Name = p.tokText(n)
		pm.NameSpan = p.toks[n].Span()
		i := n + 1
		eq := p.findTop(i, y, "=")
		if p.isOp(i, ":") {
			ae := y
			if eq >= 0 {
				ae = eq
			}
			aa, ab := p.exprRange(i+1, ae)
			pm.Annotation = p.rangeText(aa, ab)
			pm.AnnotationSpan = p.span(aa, ab)
		} else if i < y && i != eq {
			t := p.toks[i]
			p.problem(t.Start, t.End, "unexpected token in parameter list")
		}
		if eq >= 0 {
			da, db := p.exprRange(eq+1, y)
			pm.Default = p.rangeText(da, db)
			pm.DefaultSpan = p.span(da, db)
			pm.HasDefault = true
		}
		out = append(out, pm)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

var callMethods = map[string]bool{"serve": true, "deploy": true, "to_deployment": true, "from_source": true}

// findCalls records serve/deploy/to_deployment/from_source calls anywhere.
func (p *parser) findCalls() {
	for i := 1; i+1 < len(p.toks); i++ {
		t := p.toks[i]
		if t.Kind != Name || !callMethods[p.tokText(i)] || !p.isOp(i+1, "(") {
			continue
		}
		close := int(p.match[i+1])
		if close < 0 {
			continue
		}
		c := Call{Method: p.tokText(i), NameSpan: t.Span()}
		start := i
		if p.isOp(i-1, ".") {
			r := p.receiverStart(i - 2)
			if r < 0 {
				continue
			}
			c.Receiver = p.rangeText(r, i-1)
			c.ReceiverSpan = p.span(r, i-1)
			start = r
		} else {
			if c.Method != "serve" && c.Method != "deploy" {
				continue
			}
			if p.isName(i-1, "def") {
				continue
			}
		}
		c.Span = p.span(start, close+1)
		c.Args, c.Kwargs = p.arguments(i+2, close)
		c.Scope = p.scopeAt(c.Span.Start)
		p.mod.Calls = append(p.mod.Calls, c)
	}
}

// receiverStart walks back from token j (the end of the receiver) over a
// primary expression: names, attribute access, calls and subscripts.
func (p *parser) receiverStart(j int) int {
	for steps := 0; j >= 0 && steps < 10000; steps++ {
		t := p.toks[j]
		switch {
		case t.Kind == Op && (p.isOp(j, ")") || p.isOp(j, "]") || p.isOp(j, "}")):
			o := int(p.match[j])
			if o < 0 {
				return -1
			}
			// A trailer (call or subscript) continues the chain.
			prev := p.at(o - 1)
			if (p.isOp(o, "(") || p.isOp(o, "[")) && o > 0 && (prev.Kind == Name && !keywords[p.tokText(o-1)] || p.isOp(o-1, ")") || p.isOp(o-1, "]") || prev.Kind == String) {
				j = o - 1
				continue
			}
			return o
		case t.Kind == Name && !keywords[p.tokText(j)], t.Kind == String, t.Kind == Number:
			if t.Kind == Name && p.isOp(j-1, ".") && j >= 2 {
				j -= 2
				continue
			}
			return j
		default:
			return -1
		}
	}
	return -1
}

// scopeAt returns the qualname of the listed function containing offset.
// Listed functions never nest, so their spans are disjoint and sorted.
func (p *parser) scopeAt(off int) string {
	fs := p.mod.Functions
	i := sort.Search(len(fs), func(i int) bool { return fs[i].Span.Start > off }) - 1
	if i >= 0 && off < fs[i].Span.End {
		return fs[i].Qualname
	}
	return ""
}

// classify resolves decorators through imports and marks flows and tasks.
func (p *parser) classify() {
	bindings := map[string]string{}
	starPrefect := false
	for _, im := range p.mod.Imports {
		if im.Name == "*" {
			if im.Module == "prefect" || strings.HasPrefix(im.Module, "prefect.") {
				starPrefect = true
			}
			continue
		}
		bindings[im.Bound()] = im.Target()
	}
	_ = starPrefect
	for _, f := range p.mod.Functions {
		for i := range f.Decorators {
			d := &f.Decorators[i]
			d.Resolved = d.Expr
			head, rest, _ := strings.Cut(d.Expr, ".")
			bound, isBound := bindings[head]
			if isBound {
				d.Resolved = bound
				if rest != "" {
					d.Resolved += "." + rest
				}
			}
			switch kindOfDecorator(d.Resolved, isBound) {
			case "flow":
				if !f.IsFlow {
					f.IsFlow = true
					f.FlowDecorator = i
					if k := d.Kwarg("name"); k != nil && k.StringValue != nil {
						f.FlowName = *k.StringValue
					}
				}
			case "task":
				if !f.IsTask {
					f.IsTask = true
					if f.FlowDecorator < 0 {
						f.FlowDecorator = i
					}
				}
			case "":
				f.UnknownDecorators = true
			}
		}
		if f.IsFlow {
			f.IsTask = false
		}
	}
}

// knownDecorators are decorators that never turn a function into a flow.
var knownDecorators = map[string]bool{
	"staticmethod": true, "classmethod": true, "property": true, "abstractmethod": true,
	"abc.abstractmethod": true, "functools.wraps": true, "functools.cache": true,
	"functools.lru_cache": true, "functools.cached_property": true, "contextlib.contextmanager": true,
	"contextlib.asynccontextmanager": true, "typing.overload": true, "overload": true,
	"dataclasses.dataclass": true, "pytest.fixture": true,
}

// kindOfDecorator returns "flow", "task", "other" (known not to make a
// flow) or "" (unknown).
func kindOfDecorator(resolved string, bound bool) string {
	switch resolved {
	case "prefect.flow", "prefect.flows.flow":
		return "flow"
	case "prefect.task", "prefect.tasks.task":
		return "task"
	}
	if !bound {
		// Not imported (star import, import in another scope, or the file is
		// being edited): trust the conventional names.
		switch resolved {
		case "flow":
			return "flow"
		case "task":
			return "task"
		}
	}
	if knownDecorators[resolved] || strings.HasPrefix(resolved, "prefect.") || strings.HasSuffix(resolved, ".setter") ||
		strings.HasSuffix(resolved, ".getter") || strings.HasSuffix(resolved, ".deleter") {
		return "other"
	}
	return ""
}
