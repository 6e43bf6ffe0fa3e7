package yamlsyntax

import "strings"

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isFlowIndicator(c byte) bool {
	return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'
}

// skipSpaceAndComments skips blanks, and when newlines is true line breaks
// and comments too.
func skipSpaceAndComments(text string, i int, newlines bool) int {
	for i < len(text) {
		c := text[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case newlines && (c == '\n' || c == '\r'):
			i++
		case newlines && c == '#' && (i == 0 || isSpace(text[i-1])):
			for i < len(text) && text[i] != '\n' && text[i] != '\r' {
				i++
			}
		default:
			return i
		}
	}
	return i
}

// lineEndAt returns the offset of the line break at or after i.
func lineEndAt(text string, i int) int {
	for i < len(text) && text[i] != '\n' && text[i] != '\r' {
		i++
	}
	return i
}

// nextLine returns the start of the line after the one containing i.
func nextLine(text string, i int) int {
	i = lineEndAt(text, i)
	if i < len(text) && text[i] == '\r' {
		i++
	}
	if i < len(text) && text[i] == '\n' {
		i++
	}
	return i
}

// indentAt returns the number of leading spaces of the line starting at i
// and whether the line is blank (or only a comment when comments is true).
func indentAt(text string, i int) (indent int, blank, comment bool) {
	j := i
	for j < len(text) && text[j] == ' ' {
		j++
	}
	k := j
	for k < len(text) && text[k] == '\t' {
		k++
	}
	if k >= len(text) || text[k] == '\n' || text[k] == '\r' {
		return j - i, true, false
	}
	return j - i, false, text[k] == '#'
}

// scalarEnd measures a scalar starting at start.
func (b *builder) scalarEnd(n *Node, start, parentIndent int, flow bool) int {
	text := b.doc.File.Text()
	if start >= len(text) {
		return len(text)
	}
	switch n.Style {
	case DoubleQuoted:
		for i := start + 1; i < len(text); i++ {
			switch text[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
		return len(text)
	case SingleQuoted:
		for i := start + 1; i < len(text); i++ {
			if text[i] == '\'' {
				if i+1 < len(text) && text[i+1] == '\'' {
					i++
					continue
				}
				return i + 1
			}
		}
		return len(text)
	case Literal, Folded:
		return blockScalarEnd(text, start, parentIndent)
	}
	return plainEnd(text, start, n.Text, parentIndent, flow)
}

// blockScalarEnd returns the end of the last content line of a block scalar
// whose indicator is at start, or the end of the header when it is empty.
func blockScalarEnd(text string, start, parentIndent int) int {
	i := start + 1
	for i < len(text) && (text[i] == '-' || text[i] == '+' || (text[i] >= '1' && text[i] <= '9')) {
		i++
	}
	end := i
	line := nextLine(text, i)
	for line < len(text) {
		indent, blank, _ := indentAt(text, line)
		if !blank && indent <= parentIndent {
			break
		}
		if !blank {
			// A document marker at column 0 ends the scalar too.
			if parentIndent < 0 && indent == 0 && (strings.HasPrefix(text[line:], "---") || strings.HasPrefix(text[line:], "...")) {
				break
			}
			end = lineEndAt(text, line)
		}
		line = nextLine(text, line)
	}
	return end
}

// plainEnd measures a plain scalar, which may continue over several lines;
// the decoded value tells how many lines it folds.
func plainEnd(text string, start int, value string, parentIndent int, flow bool) int {
	i := start
	end := plainLineEnd(text, i, flow)
	got := len(strings.TrimRight(text[start:end], " \t"))
	want := len(value)
	if got >= want || end >= len(text) || (end < len(text) && text[end] != '\n' && text[end] != '\r') {
		return trimRightBlank(text, start, end)
	}
	// Continuation lines: each folds to a space, each blank line to "\n".
	last := end
	acc := got
	line := nextLine(text, end)
	breaks := 0
	for line < len(text) && acc < want {
		indent, blank, comment := indentAt(text, line)
		if blank {
			breaks++
			line = nextLine(text, line)
			continue
		}
		if comment || (!flow && indent <= parentIndent) {
			break
		}
		cs := skipSpaceAndComments(text, line, false)
		ce := plainLineEnd(text, cs, flow)
		seg := strings.TrimRight(text[cs:ce], " \t")
		if breaks > 0 {
			acc += breaks
		} else {
			acc++
		}
		breaks = 0
		acc += len(seg)
		last = cs + len(seg)
		if ce < len(text) && text[ce] != '\n' && text[ce] != '\r' {
			break
		}
		line = nextLine(text, line)
	}
	return last
}

func trimRightBlank(text string, start, end int) int {
	for end > start && (text[end-1] == ' ' || text[end-1] == '\t') {
		end--
	}
	return end
}

// plainLineEnd returns where a plain scalar stops on the line starting at i:
// a comment, ": " (a key), a line break, or in flow context a flow
// indicator.
func plainLineEnd(text string, i int, flow bool) int {
	for ; i < len(text); i++ {
		c := text[i]
		switch c {
		case '\n', '\r':
			return i
		case '#':
			if i > 0 && (text[i-1] == ' ' || text[i-1] == '\t') {
				return i
			}
		case ':':
			if i+1 >= len(text) || isSpace(text[i+1]) || (flow && isFlowIndicator(text[i+1])) {
				return i
			}
		case ',', '[', ']', '{', '}':
			if flow {
				return i
			}
		}
	}
	return i
}

// flowEnd finds the closing bracket of a flow collection starting at start
// whose last child ends at lastEnd.
func flowEnd(text string, start, lastEnd int, empty bool) int {
	i := lastEnd
	if empty {
		i = start + 1
	}
	for i < len(text) {
		i = skipSpaceAndComments(text, i, true)
		if i >= len(text) {
			break
		}
		switch text[i] {
		case ']', '}':
			return i + 1
		case ',', ':', '?':
			i++
		default:
			// Something unexpected (e.g. an implicit null's key text);
			// move on to the next significant character.
			i++
		}
	}
	return len(text)
}
