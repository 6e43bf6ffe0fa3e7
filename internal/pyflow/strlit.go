package pyflow

import (
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/unicode/runenames"
)

// literalInfo describes a string literal token.
type literalInfo struct {
	raw, bytes, fstr bool
	body             string // text between the quotes
}

// splitLiteral splits the text of a String token into prefix flags and body.
func splitLiteral(text string) (literalInfo, bool) {
	q := strings.IndexAny(text, `"'`)
	if q < 0 {
		return literalInfo{}, false
	}
	ok, raw, bytes, fstr := stringPrefix([]byte(text[:q]))
	if !ok {
		return literalInfo{}, false
	}
	quote := text[q]
	n := 1
	if len(text)-q >= 6 && text[q+1] == quote && text[q+2] == quote {
		n = 3
	}
	if len(text)-q < 2*n {
		return literalInfo{}, false
	}
	return literalInfo{raw: raw, bytes: bytes, fstr: fstr, body: text[q+n : len(text)-n]}, true
}

// normalizeNewlines turns CRLF and CR into LF, as CPython does before
// tokenizing.
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// decodeStr returns the value of a (non-bytes, non-f) string literal body.
func decodeStr(body string, raw bool) string {
	body = normalizeNewlines(body)
	if raw || !strings.Contains(body, `\`) {
		return body
	}
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' || i+1 >= len(body) {
			b.WriteByte(c)
			continue
		}
		i++
		e := body[i]
		switch e {
		case '\n':
			// line continuation inside the literal
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(body) && j < i+3 && body[j] >= '0' && body[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(body[i:j], 8, 32)
			b.WriteRune(rune(v))
			i = j - 1
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+n < len(body) && isHex(body[i+1:i+1+n]) {
				v, _ := strconv.ParseUint(body[i+1:i+1+n], 16, 32)
				if v > utf8.MaxRune {
					v = utf8.RuneError
				}
				b.WriteRune(rune(v))
				i += n
			} else {
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		case 'N':
			if i+1 < len(body) && body[i+1] == '{' {
				if end := strings.IndexByte(body[i+2:], '}'); end >= 0 {
					name := body[i+2 : i+2+end]
					if r, ok := lookupRuneName(name); ok {
						b.WriteRune(r)
						i += 2 + end
						continue
					}
				}
			}
			b.WriteString(`\N`)
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String()
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !((c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'f')) {
			return false
		}
	}
	return s != ""
}

var (
	runeNamesOnce sync.Once
	runeNames     map[string]rune
)

// lookupRuneName resolves a \N{...} escape.
func lookupRuneName(name string) (rune, bool) {
	runeNamesOnce.Do(func() {
		runeNames = make(map[string]rune, 40000)
		for r := rune(0); r <= 0x3FFFF; r++ {
			if n := runenames.Name(r); n != "" && n[0] != '<' {
				runeNames[n] = r
			}
		}
	})
	name = strings.ToUpper(name)
	if r, ok := runeNames[name]; ok {
		return r, true
	}
	for _, p := range []string{"CJK UNIFIED IDEOGRAPH-", "CJK COMPATIBILITY IDEOGRAPH-"} {
		if strings.HasPrefix(name, p) {
			if v, err := strconv.ParseUint(name[len(p):], 16, 32); err == nil {
				return rune(v), true
			}
		}
	}
	return 0, false
}

// literalValue returns the value of a run of adjacent string literal tokens
// that form one str constant (implicit concatenation). It reports false when
// any part is an f-string or a bytes literal.
func literalValue(texts []string) (string, bool) {
	var b strings.Builder
	for _, t := range texts {
		info, ok := splitLiteral(t)
		if !ok || info.bytes || info.fstr {
			return "", false
		}
		b.WriteString(decodeStr(info.body, info.raw))
	}
	return b.String(), true
}

// StringLiteral decodes a run of adjacent string literal token texts (one
// implicitly concatenated str constant). It reports false for f-strings,
// bytes and anything that is not a string literal.
func StringLiteral(texts ...string) (string, bool) { return literalValue(texts) }
