// Package source owns every conversion between the three column units used in
// prefect-lsp: byte offsets into the exact document text (what every span in
// the project is), Unicode code points (what go.yaml.in/yaml/v4 reports in
// Node.Column and LoadError marks), and LSP positions (UTF-16 code units by
// default, UTF-8 bytes when the client negotiates it). It also owns the
// document text itself (File): an edited File shares its predecessor's text
// and keeps only the changed window (edited.go), so an editor's keystroke
// does not copy a large document.
//
// Lines end at "\n"; a "\r" before it belongs to the line ending, as do lone
// "\r" characters (YAML and LSP both treat CR, LF and CRLF as line breaks).
// A leading byte order mark is part of line 0 like any other text: its
// UTF-16 width is 1, so editors that keep the BOM in the buffer agree.
package source

import (
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Span is a half-open byte range [Start, End) into a File's text.
type Span struct {
	Start, End int
}

// Len returns the number of bytes covered by s.
func (s Span) Len() int { return s.End - s.Start }

// Contains reports whether the byte offset off lies inside s, with the end
// offset included so that a cursor just after a token still touches it.
func (s Span) Contains(off int) bool { return s.Start <= off && off <= s.End }

// Overlaps reports whether two spans share at least one byte, or touch when
// either is empty.
func (s Span) Overlaps(o Span) bool {
	if s.Len() == 0 || o.Len() == 0 {
		return s.Start <= o.End && o.Start <= s.End
	}
	return s.Start < o.End && o.Start < s.End
}

// IsValid reports whether s is a well-formed span.
func (s Span) IsValid() bool { return s.Start >= 0 && s.End >= s.Start }

// Encoding is the unit in which a Position's Character counts.
type Encoding int

const (
	// UTF16 counts UTF-16 code units: the LSP default.
	UTF16 Encoding = iota
	// UTF8 counts bytes.
	UTF8
	// UTF32 counts Unicode code points, as go.yaml.in/yaml/v4 columns do.
	UTF32
)

func (e Encoding) String() string {
	switch e {
	case UTF8:
		return "utf-8"
	case UTF32:
		return "utf-32"
	default:
		return "utf-16"
	}
}

// Position is a zero-based line and character in some Encoding.
type Position struct {
	Line, Character int
}

// Range is a pair of positions.
type Range struct {
	Start, End Position
}

// File is an immutable text with a line index. It is safe for concurrent use.
//
// A File made by Edit may hold its text as an earlier File plus one
// replaced window (see edited): every method answers from that, without
// copying the text, until Text is called.
type File struct {
	Name   string
	text   string
	lines  []int // byte offset of the start of each line
	loneCR bool  // a \r not followed by \n ends a line
	e      *edited
	memo   occurrences
}

// NewFile indexes text.
func NewFile(name, text string) *File {
	n := strings.Count(text, "\n")
	if strings.IndexByte(text, '\r') < 0 {
		// The common case: only \n ends lines. The table is sized once and
		// filled with IndexByte, so a 5 MB text costs no regrowth.
		lines := make([]int, 1, n+1)
		for off := 0; ; {
			i := strings.IndexByte(text[off:], '\n')
			if i < 0 {
				break
			}
			off += i + 1
			lines = append(lines, off)
		}
		return &File{Name: name, text: text, lines: lines}
	}
	f := &File{Name: name, text: text, lines: make([]int, 1, n+strings.Count(text, "\r")+1)}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			f.lines = append(f.lines, i+1)
		case '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			} else {
				f.loneCR = true
			}
			f.lines = append(f.lines, i+1)
		}
	}
	return f
}

// Edit returns the file with the text of span sp replaced by repl. It
// gives exactly what NewFile gives for the new text, without copying the
// text: the result refers to f (or to f's own base) and the replaced
// window, and its line table is derived from the base's. A window that
// grows past maxWindow, or a carriage return at its edges, makes a copy.
func (f *File) Edit(sp Span, repl string) *File {
	sp = f.Clamp(sp)
	if f.e != nil {
		e := f.e
		b, m := e.src()
		if m != nil {
			return m.Edit(sp, repl) // its text is built: the base of the edit
		}
		// One window on the same base: the union of f's and this one.
		w0 := min(e.at, sp.Start)
		w1 := max(e.at+len(e.ins), sp.End)
		ins := f.slice(w0, sp.Start) + repl + f.slice(sp.End, w1)
		return b.editBase(f.Name, Span{Start: w0, End: w1 - e.delta}, ins)
	}
	return f.editBase(f.Name, sp, repl)
}

// maxWindow is the largest replaced window an edited File keeps: beyond
// it, Edit copies the text.
const maxWindow = 64 << 10

// editBase is Edit for a File that holds its text.
func (f *File) editBase(name string, sp Span, repl string) *File {
	// A \r before the edit and a \n after it (or the reverse, at the
	// edges) change how line ends pair up: leave those to NewFile.
	if strings.IndexByte(repl, '\r') >= 0 || sp.Start > 0 && f.text[sp.Start-1] == '\r' ||
		sp.End < len(f.text) && f.text[sp.End] == '\r' || sp.End > sp.Start && strings.IndexByte(f.text[sp.Start:sp.End], '\r') >= 0 {
		return NewFile(name, f.text[:sp.Start]+repl+f.text[sp.End:])
	}
	// Lines that start at or before sp.Start are unchanged; those that
	// start after sp.End move by the change in length.
	e := &edited{at: sp.Start, oldEnd: sp.End, ins: repl, delta: len(repl) - (sp.End - sp.Start)}
	e.base.Store(f)
	e.first = sort.SearchInts(f.lines, sp.Start+1) // lines[:first] start <= sp.Start
	e.after = sort.SearchInts(f.lines, sp.End+1)   // lines[after:] start > sp.End
	for off := 0; ; {
		i := strings.IndexByte(repl[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
		e.insLines = append(e.insLines, sp.Start+off)
	}
	e.n = len(f.text) + e.delta
	e.lines = e.first + len(e.insLines) + len(f.lines) - e.after
	d := &File{Name: name, loneCR: f.loneCR, e: e}
	if len(repl) > maxWindow {
		return d.materialize()
	}
	return d
}

// Text returns the whole text (for an edited File, building it once).
func (f *File) Text() string {
	if f.e != nil {
		return f.materialize().text
	}
	return f.text
}

// Len returns the length of the text in bytes.
func (f *File) Len() int {
	if f.e != nil {
		return f.e.n
	}
	return len(f.text)
}

// LineCount returns the number of lines (a final line without a newline
// counts; an empty text has one empty line).
func (f *File) LineCount() int {
	if f.e != nil {
		return f.e.lines
	}
	return len(f.lines)
}

// HasLoneCR reports whether a carriage return not followed by a newline
// ends a line somewhere in the text.
func (f *File) HasLoneCR() bool { return f.loneCR }

// Slice returns the text covered by s, clamped to the text.
func (f *File) Slice(s Span) string {
	s = f.Clamp(s)
	return f.slice(s.Start, s.End)
}

// Clamp limits s to the text.
func (f *File) Clamp(s Span) Span {
	n := f.Len()
	if s.Start < 0 {
		s.Start = 0
	}
	if s.Start > n {
		s.Start = n
	}
	if s.End < s.Start {
		s.End = s.Start
	}
	if s.End > n {
		s.End = n
	}
	return s
}

// LineStart returns the byte offset at which line (zero-based) starts; lines
// past the end map to the end of the text.
func (f *File) LineStart(line int) int {
	if line < 0 {
		return 0
	}
	if line >= f.LineCount() {
		return f.Len()
	}
	return f.lineStart(line)
}

// LineEnd returns the byte offset of the end of line's content, before its
// line break.
func (f *File) LineEnd(line int) int {
	if line < 0 {
		line = 0
	}
	n := f.LineCount()
	if line >= n {
		return f.Len()
	}
	end := f.Len()
	if line+1 < n {
		end = f.lineStart(line + 1)
	}
	for start := f.lineStart(line); end > start; end-- {
		if c := f.byteAt(end - 1); c != '\n' && c != '\r' {
			break
		}
	}
	return end
}

// LineText returns the content of line without its line break.
func (f *File) LineText(line int) string {
	return f.slice(f.LineStart(line), f.LineEnd(line))
}

// LineOf returns the zero-based line containing the byte offset off.
func (f *File) LineOf(off int) int {
	if off <= 0 {
		return 0
	}
	if off > f.Len() {
		off = f.Len()
	}
	if f.e == nil {
		return sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > off }) - 1
	}
	return sort.Search(f.LineCount(), func(i int) bool { return f.lineStart(i) > off }) - 1
}

// LineOfHint is LineOf for callers that can guess the line (a parser's
// mark, say): a right guess costs two comparisons instead of a search.
func (f *File) LineOfHint(off, guess int) int {
	n := f.LineCount()
	if guess >= 0 && guess < n && off >= f.lineStart(guess) && off <= f.Len() && (guess+1 == n || off < f.lineStart(guess+1)) {
		if off <= 0 {
			return 0
		}
		return guess
	}
	return f.LineOf(off)
}

// Position converts a byte offset into a Position in enc. An offset inside a
// multi-byte character or a line break is moved back to the character's start.
func (f *File) Position(off int, enc Encoding) Position {
	if off < 0 {
		off = 0
	}
	if off > f.Len() {
		off = f.Len()
	}
	line := f.LineOf(off)
	start := f.lineStart(line)
	end := f.LineEnd(line)
	if off > end {
		off = end
	}
	return Position{Line: line, Character: width(f.slice(start, off), enc)}
}

// Range converts a span into a Range in enc.
func (f *File) Range(s Span, enc Encoding) Range {
	s = f.Clamp(s)
	return Range{Start: f.Position(s.Start, enc), End: f.Position(s.End, enc)}
}

// Offset converts a Position in enc into a byte offset. Lines past the end map
// to the end of the text; characters past the end of a line map to the end of
// its content; a character in the middle of a surrogate pair or a multi-byte
// sequence maps to the start of that character.
func (f *File) Offset(p Position, enc Encoding) int {
	if p.Line < 0 {
		return 0
	}
	if p.Line >= f.LineCount() {
		return f.Len()
	}
	start := f.lineStart(p.Line)
	end := f.LineEnd(p.Line)
	if p.Character <= 0 {
		return start
	}
	text := f.slice(start, end)
	n := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		w := runeWidth(r, size, enc)
		if n+w > p.Character {
			return start + i
		}
		n += w
		i += size
		if n == p.Character {
			return start + i
		}
	}
	return end
}

// SpanOf converts a Range in enc into a byte span.
func (f *File) SpanOf(r Range, enc Encoding) Span {
	s := Span{Start: f.Offset(r.Start, enc), End: f.Offset(r.End, enc)}
	if s.End < s.Start {
		s.Start, s.End = s.End, s.Start
	}
	return s
}

// OffsetOfColumn converts a one-based line and one-based code-point column, as
// go.yaml.in/yaml/v4 reports them, into a byte offset.
func (f *File) OffsetOfColumn(line, column int) int {
	return f.Offset(Position{Line: line - 1, Character: column - 1}, UTF32)
}

func width(s string, enc Encoding) int {
	switch enc {
	case UTF8:
		return len(s)
	case UTF32:
		return utf8.RuneCountInString(s)
	}
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		n += runeWidth(r, size, UTF16)
		i += size
	}
	return n
}

func runeWidth(r rune, size int, enc Encoding) int {
	switch enc {
	case UTF8:
		return size
	case UTF32:
		return 1
	}
	if r == utf8.RuneError && size == 1 {
		return 1
	}
	return len(utf16.Encode([]rune{r}))
}
