package pyflow

import (
	"regexp"
	"unicode"
	"unicode/utf8"

	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// Kind classifies a token, following the token types of Python's tokenize
// module.
type Kind uint8

const (
	// EndMarker ends the token stream.
	EndMarker Kind = iota
	// Name is an identifier or keyword.
	Name
	// Number is a numeric literal.
	Number
	// String is a whole string literal including its prefix and quotes
	// (f-strings are one token).
	String
	// Op is an operator or delimiter.
	Op
	// Newline ends a logical line.
	Newline
	// NL is a line break that does not end a logical line.
	NL
	// Comment runs from '#' to the end of the physical line.
	Comment
	// Indent opens an indented block.
	Indent
	// Dedent closes an indented block (zero width).
	Dedent
	// ErrorToken is a byte sequence that is not valid Python.
	ErrorToken
)

var kindNames = [...]string{"ENDMARKER", "NAME", "NUMBER", "STRING", "OP", "NEWLINE", "NL", "COMMENT", "INDENT", "DEDENT", "ERRORTOKEN"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "?"
}

// Token is one lexical token; Start and End are byte offsets into the source
// given to Tokenize (a leading byte order mark counts).
type Token struct {
	Kind       Kind
	Start, End int
}

// Span returns the token's byte span.
func (t Token) Span() source.Span { return source.Span{Start: t.Start, End: t.End} }

// Problem is a syntax problem found while reading a file. The scanner keeps
// going after a problem, so the rest of the file is still analysed.
type Problem struct {
	Span    source.Span
	Message string
}

// maxNesting bounds recursion (nested f-strings, lambdas, blocks) so hostile
// input cannot exhaust the stack.
const maxNesting = 200

var cookieRE = regexp.MustCompile(`^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)`)

// encodingCookie returns the declared source encoding (PEP 263) found in the
// first two lines of src, or "".
func encodingCookie(src []byte) string {
	start := 0
	if hasBOM(src) {
		start = 3
	}
	for line := 0; line < 2 && start < len(src); line++ {
		end := start
		for end < len(src) && src[end] != '\n' && src[end] != '\r' {
			end++
		}
		text := src[start:end]
		if m := cookieRE.FindSubmatch(text); m != nil {
			return string(m[1])
		}
		// The second line is only consulted when the first is blank or a comment.
		blank := true
		for _, c := range text {
			if c == '#' {
				break
			}
			if c != ' ' && c != '\t' && c != '\f' {
				blank = false
				break
			}
		}
		if !blank {
			return ""
		}
		start = end
		if start < len(src) && src[start] == '\r' {
			start++
		}
		if start < len(src) && src[start] == '\n' {
			start++
		}
	}
	return ""
}

func hasBOM(src []byte) bool {
	return len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF
}

type tokenizer struct {
	src      []byte
	pos      int
	toks     []Token
	problems []Problem
	indents  []int
	brackets []byte // open bracket characters
	// atLineStart is true when the next physical line begins a new logical line.
	atLineStart bool
	lineHasToks bool
}

// Tokenize splits src into Python tokens. It never fails: text that is not
// valid Python becomes ErrorToken tokens and problems. The token stream always
// ends with EndMarker.
func Tokenize(src []byte) ([]Token, []Problem) {
	t := &tokenizer{src: src, indents: []int{0}, atLineStart: true}
	if hasBOM(src) {
		t.pos = 3
	}
	// Flow modules run at about 0.3 tokens a byte (0.29 in the bench's
	// generated ones): a third of the length avoids regrowing the slice,
	// which a quarter did (allocating twice the tokens again).
	t.toks = make([]Token, 0, len(src)/3+16)
	t.run()
	return t.toks, t.problems
}

func (t *tokenizer) emit(k Kind, start, end int) {
	t.toks = append(t.toks, Token{Kind: k, Start: start, End: end})
}

func (t *tokenizer) problem(start, end int, msg string) {
	if len(t.problems) < 1000 {
		t.problems = append(t.problems, Problem{Span: source.Span{Start: start, End: end}, Message: msg})
	}
}

// newlineLen returns the length of the line break at i (1 or 2), or 0.
func (t *tokenizer) newlineLen(i int) int {
	if i >= len(t.src) {
		return 0
	}
	switch t.src[i] {
	case '\n':
		return 1
	case '\r':
		if i+1 < len(t.src) && t.src[i+1] == '\n' {
			return 2
		}
		return 1
	}
	return 0
}

func (t *tokenizer) run() {
	src := t.src
	for {
		if t.atLineStart && len(t.brackets) == 0 {
			if !t.lineStart() {
				break
			}
		}
		if t.pos >= len(src) {
			break
		}
		c := src[t.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\f':
			t.pos++
		case c == '#':
			start := t.pos
			for t.pos < len(src) && src[t.pos] != '\n' && src[t.pos] != '\r' {
				t.pos++
			}
			t.emit(Comment, start, t.pos)
		case c == '\n' || c == '\r':
			n := t.newlineLen(t.pos)
			if len(t.brackets) > 0 || !t.lineHasToks {
				t.emit(NL, t.pos, t.pos+n)
			} else {
				t.emit(Newline, t.pos, t.pos+n)
				t.lineHasToks = false
			}
			t.pos += n
			if len(t.brackets) > 0 {
				t.recoverBrackets()
			} else {
				t.atLineStart = true
			}
		case c == '\\':
			n := t.newlineLen(t.pos + 1)
			if n == 0 {
				if t.pos+1 >= len(src) {
					t.problem(t.pos, t.pos+1, "unexpected end of file after line continuation")
				} else {
					t.problem(t.pos, t.pos+1, "unexpected character after line continuation character")
				}
				t.emit(ErrorToken, t.pos, t.pos+1)
				t.pos++
				continue
			}
			t.pos += 1 + n
			// A continuation joins physical lines: no indentation processing.
		default:
			t.lineHasToks = true
			t.token()
		}
	}
	if t.lineHasToks {
		t.emit(Newline, len(src), len(src))
	}
	if len(t.brackets) > 0 {
		t.problem(len(src), len(src), "unexpected end of file: unclosed '"+string(t.brackets[len(t.brackets)-1])+"'")
	}
	for len(t.indents) > 1 {
		t.indents = t.indents[:len(t.indents)-1]
		t.emit(Dedent, len(src), len(src))
	}
	t.emit(EndMarker, len(src), len(src))
}

// lineStart measures indentation at the start of a logical line and emits
// INDENT/DEDENT tokens. Blank and comment-only lines are left to the main
// loop. It returns false at end of input.
func (t *tokenizer) lineStart() bool {
	src := t.src
	col := 0
	i := t.pos
	for i < len(src) {
		switch src[i] {
		case ' ':
			col++
		case '\t':
			col = (col/8 + 1) * 8
		case '\f':
			col = 0
		default:
			goto done
		}
		i++
	}
done:
	t.atLineStart = false
	if i >= len(src) {
		t.pos = i
		return false
	}
	c := src[i]
	if c == '#' || c == '\n' || c == '\r' {
		// Blank line: no indentation change.
		t.pos = i
		return true
	}
	top := t.indents[len(t.indents)-1]
	switch {
	case col > top:
		t.indents = append(t.indents, col)
		t.emit(Indent, t.pos, i)
	case col < top:
		for len(t.indents) > 1 && t.indents[len(t.indents)-1] > col {
			t.indents = t.indents[:len(t.indents)-1]
			t.emit(Dedent, i, i)
		}
		if t.indents[len(t.indents)-1] != col {
			t.problem(t.pos, i, "unindent does not match any outer indentation level")
		}
	}
	t.pos = i
	return true
}

// statementKeywords can never start a physical line inside brackets in valid
// code; seeing one there means a bracket was left open (the file is being
// edited), so the scanner closes the brackets to keep later lines usable.
var statementKeywords = map[string]bool{
	"def": true, "class": true, "return": true, "import": true, "pass": true, "raise": true,
	"while": true, "try": true, "except": true, "finally": true, "with": true, "global": true,
	"nonlocal": true, "del": true, "assert": true, "break": true, "continue": true, "elif": true,
}

// recoverBrackets is called at the start of a physical line inside brackets.
func (t *tokenizer) recoverBrackets() {
	src := t.src
	i := t.pos
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\f') {
		i++
	}
	j := i
	for j < len(src) && isIdentByte(src[j]) {
		j++
	}
	if j == i || j-i > 8 || !statementKeywords[string(src[i:j])] {
		return
	}
	if j < len(src) && src[j] >= utf8.RuneSelf {
		return
	}
	open := t.brackets[len(t.brackets)-1]
	t.problem(t.pos, i, "'"+string(open)+"' was never closed")
	t.brackets = t.brackets[:0]
	// End the logical line that the unclosed bracket swallowed.
	t.emit(Newline, t.pos, t.pos)
	t.lineHasToks = false
	t.atLineStart = true
}

func isIdentByte(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func isIdentStart(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
	}
	return unicode.IsLetter(r) || unicode.Is(unicode.Nl, r) || unicode.Is(unicode.Other_ID_Start, r)
}

func isIdentContinue(r rune) bool {
	if r < utf8.RuneSelf {
		return isIdentByte(byte(r))
	}
	return isIdentStart(r) || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc, unicode.Other_ID_Continue)
}

// identEnd returns the end of the identifier starting at i (i itself if none).
func identEnd(src []byte, i int) int {
	first := true
	for i < len(src) {
		r, n := rune(src[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(src[i:])
		}
		if (first && !isIdentStart(r)) || (!first && !isIdentContinue(r)) {
			break
		}
		first = false
		i += n
	}
	return i
}

// stringPrefix reports whether p (already known to be an identifier directly
// followed by a quote) is a valid string prefix and which flags it carries.
func stringPrefix(p []byte) (ok, raw, bytes, fstr bool) {
	if len(p) > 2 {
		return false, false, false, false
	}
	for _, c := range p {
		switch c | 0x20 {
		case 'r':
			if raw {
				return false, false, false, false
			}
			raw = true
		case 'b':
			if bytes {
				return false, false, false, false
			}
			bytes = true
		case 'f':
			if fstr {
				return false, false, false, false
			}
			fstr = true
		case 'u':
			if len(p) != 1 {
				return false, false, false, false
			}
		default:
			return false, false, false, false
		}
	}
	if bytes && fstr {
		return false, false, false, false
	}
	return true, raw, bytes, fstr
}

// operatorLen returns the length of the two- or three-character operator
// that rest starts with, or 0.
func operatorLen(rest []byte) int {
	if len(rest) >= 3 {
		switch string(rest[:3]) {
		case "**=", "//=", ">>=", "<<=", "...":
			return 3
		}
	}
	if len(rest) >= 2 {
		switch string(rest[:2]) {
		case "**", "//", ">>", "<<", "<=", ">=", "==", "!=", "->", ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=":
			return 2
		}
	}
	return 0
}

func (t *tokenizer) token() {
	src := t.src
	start := t.pos
	c := src[start]
	switch {
	case c == '"' || c == '\'':
		t.str(start, start)
		return
	case c >= '0' && c <= '9' || (c == '.' && start+1 < len(src) && src[start+1] >= '0' && src[start+1] <= '9'):
		t.pos = numberEnd(src, start)
		t.emit(Number, start, t.pos)
		return
	}
	if end := identEnd(src, start); end > start {
		if end < len(src) && (src[end] == '"' || src[end] == '\'') {
			if ok, _, _, _ := stringPrefix(src[start:end]); ok {
				t.str(start, end)
				return
			}
		}
		t.pos = end
		t.emit(Name, start, end)
		return
	}
	rest := src[start:]
	if n := operatorLen(rest); n > 0 {
		t.pos += n
		t.emit(Op, start, t.pos)
		return
	}
	switch c {
	case '(', '[', '{':
		if len(t.brackets) < 10000 {
			t.brackets = append(t.brackets, c)
		}
	case ')', ']', '}':
		if len(t.brackets) == 0 {
			t.problem(start, start+1, "unmatched '"+string(c)+"'")
		} else {
			open := t.brackets[len(t.brackets)-1]
			if closer(open) != c {
				t.problem(start, start+1, "closing parenthesis '"+string(c)+"' does not match opening parenthesis '"+string(open)+"'")
			}
			t.brackets = t.brackets[:len(t.brackets)-1]
		}
	case '+', '-', '*', '/', '%', '@', '&', '|', '^', '~', '<', '>', '=', '.', ',', ':', ';':
	default:
		r, n := utf8.DecodeRune(rest)
		t.pos += n
		t.emit(ErrorToken, start, t.pos)
		if r == utf8.RuneError && n == 1 {
			t.problem(start, t.pos, "invalid UTF-8 byte in source")
		} else {
			t.problem(start, t.pos, "invalid character '"+string(r)+"'")
		}
		return
	}
	t.pos++
	t.emit(Op, start, t.pos)
}

func closer(open byte) byte {
	switch open {
	case '(':
		return ')'
	case '[':
		return ']'
	}
	return '}'
}

func isDigitOrUnderscore(c byte, base int) bool {
	if c == '_' {
		return true
	}
	switch base {
	case 16:
		return (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'f')
	case 8:
		return c >= '0' && c <= '7'
	case 2:
		return c == '0' || c == '1'
	}
	return c >= '0' && c <= '9'
}

// numberEnd returns the end of the numeric literal starting at i.
func numberEnd(src []byte, i int) int {
	n := len(src)
	if src[i] == '0' && i+1 < n {
		base := 0
		switch src[i+1] | 0x20 {
		case 'x':
			base = 16
		case 'o':
			base = 8
		case 'b':
			base = 2
		}
		if base != 0 {
			j := i + 2
			for j < n && isDigitOrUnderscore(src[j], base) {
				j++
			}
			return j
		}
	}
	j := i
	for j < n && isDigitOrUnderscore(src[j], 10) {
		j++
	}
	if j < n && src[j] == '.' {
		j++
		for j < n && isDigitOrUnderscore(src[j], 10) {
			j++
		}
	}
	if j < n && src[j]|0x20 == 'e' {
		k := j + 1
		if k < n && (src[k] == '+' || src[k] == '-') {
			k++
		}
		if k < n && src[k] >= '0' && src[k] <= '9' {
			j = k
			for j < n && isDigitOrUnderscore(src[j], 10) {
				j++
			}
		}
	}
	if j < n && src[j]|0x20 == 'j' {
		j++
	}
	return j
}

// str lexes a string literal whose prefix starts at start and whose opening
// quote is at q.
func (t *tokenizer) str(start, q int) {
	_, raw, _, fstr := stringPrefix(t.src[start:q])
	end, ok := -1, false
	if fstr {
		end, ok = scanFString(t.src, q, raw, 0)
	}
	if !ok {
		end, ok = scanPlainString(t.src, q)
	}
	if !ok {
		t.problem(start, end, "unterminated string literal")
		t.pos = end
		t.emit(ErrorToken, start, end)
		return
	}
	t.pos = end
	t.emit(String, start, end)
}

// quoteAt returns the quote character and whether the literal at q is
// triple-quoted.
func quoteAt(src []byte, q int) (byte, bool) {
	c := src[q]
	return c, q+2 < len(src) && src[q+1] == c && src[q+2] == c
}

// scanPlainString scans a string body the way CPython's tokenizer does for
// ordinary strings (and for f-strings before 3.12): up to the matching quote,
// skipping backslash escapes. For an unterminated single-quoted string it
// returns the end of the line; for an unterminated triple-quoted string, the
// end of its first line, so the rest of the file is still tokenised.
func scanPlainString(src []byte, q int) (int, bool) {
	quote, triple := quoteAt(src, q)
	i := q + 1
	if triple {
		i = q + 3
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\\':
			i += 2
			if i <= len(src) && src[i-1] == '\r' && i < len(src) && src[i] == '\n' {
				i++
			}
			continue
		case c == quote:
			if !triple {
				return i + 1, true
			}
			if i+2 < len(src) && src[i+1] == quote && src[i+2] == quote {
				return i + 3, true
			}
		case (c == '\n' || c == '\r') && !triple:
			return i, false
		}
		i++
	}
	if triple {
		// Unterminated: stop at the end of the opening line.
		j := q + 3
		for j < len(src) && src[j] != '\n' && src[j] != '\r' {
			j++
		}
		return j, false
	}
	return len(src), false
}

// maxFStringNesting bounds nested f-strings and format specs (CPython
// allows a handful of levels).
const maxFStringNesting = 8

// scanFString scans an f-string following PEP 701 (Python 3.12): replacement
// fields may contain any string literal, including ones using the same quote.
// It reports false when the literal cannot be scanned that way; the caller
// then falls back to the pre-3.12 rule.
func scanFString(src []byte, q int, raw bool, depth int) (int, bool) {
	if depth > maxFStringNesting {
		return 0, false
	}
	quote, triple := quoteAt(src, q)
	i := q + 1
	if triple {
		i = q + 3
	}
	// Literal part.
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\\':
			i += 2
			continue
		case c == quote:
			if !triple {
				return i + 1, true
			}
			if i+2 < len(src) && src[i+1] == quote && src[i+2] == quote {
				return i + 3, true
			}
		case (c == '\n' || c == '\r') && !triple:
			return 0, false
		case c == '{':
			if i+1 < len(src) && src[i+1] == '{' {
				i += 2
				continue
			}
			j, ok := scanReplacementField(src, i+1, quote, triple, depth)
			if !ok {
				return 0, false
			}
			i = j
			continue
		}
		i++
	}
	return 0, false
}

// scanReplacementField scans from just after '{' to just after the matching
// '}'.
func scanReplacementField(src []byte, i int, quote byte, triple bool, depth int) (int, bool) {
	nest := 0
	for i < len(src) {
		c := src[i]
		switch {
		case (c == '\n' || c == '\r') && !triple:
			return 0, false
		case c == '\\':
			// Backslashes are not allowed in expressions before 3.12 and
			// only inside nested strings after.
			return 0, false
		case c == '"' || c == '\'':
			end, ok := -1, false
			// Find a prefix directly before the quote.
			p := i
			for p > 0 && isIdentByte(src[p-1]) && i-p < 2 {
				p--
			}
			okp, r, _, f := false, false, false, false
			if p < i && (p == 0 || !isIdentByte(src[p-1])) {
				okp, r, _, f = stringPrefix(src[p:i])
			}
			if okp && f {
				end, ok = scanFString(src, i, r, depth+1)
			} else {
				end, ok = scanPlainString(src, i)
			}
			if !ok {
				return 0, false
			}
			i = end
			continue
		case c == '(' || c == '[' || c == '{':
			nest++
		case c == ')' || c == ']':
			nest--
		case c == '}':
			if nest <= 0 {
				return i + 1, true
			}
			nest--
		case c == ':' && nest <= 0:
			return scanFormatSpec(src, i+1, quote, triple, depth)
		case c == '!' && nest <= 0 && i+1 < len(src) && src[i+1] != '=':
			// Conversion: !r, !s, !a then ':' or '}'.
		}
		i++
	}
	return 0, false
}

// scanFormatSpec scans a format spec up to and past the closing '}'.
func scanFormatSpec(src []byte, i int, quote byte, triple bool, depth int) (int, bool) {
	for i < len(src) {
		c := src[i]
		switch {
		case (c == '\n' || c == '\r') && !triple:
			return 0, false
		case c == quote:
			if !triple || (i+2 < len(src) && src[i+1] == quote && src[i+2] == quote) {
				return 0, false
			}
		case c == '\\':
			i += 2
			continue
		case c == '{':
			if depth > maxFStringNesting {
				return 0, false
			}
			j, ok := scanReplacementField(src, i+1, quote, triple, depth+1)
			if !ok {
				return 0, false
			}
			i = j
			continue
		case c == '}':
			return i + 1, true
		}
		i++
	}
	return 0, false
}
