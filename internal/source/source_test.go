package source

import (
	"testing"
	"unicode/utf8"
)

func TestPositions(t *testing.T) {
	text := "\ufeffa: é\r\n日本: 😀x\n\tk: v\rlast"
	f := NewFile("t.yaml", text)
	cases := []struct {
		sub           string
		line, u16, u8 int
		u32           int
	}{
		{"a:", 0, 1, 3, 1}, // after the BOM
		{"é", 0, 4, 6, 4},
		{"日本", 1, 0, 0, 0},
		{"😀", 1, 4, 8, 4},
		{"x", 1, 6, 12, 5},
		{"k:", 2, 1, 1, 1},   // after a tab
		{"last", 3, 0, 0, 0}, // after a lone CR
	}
	for _, c := range cases {
		off := indexOf(text, c.sub)
		for _, enc := range []struct {
			e    Encoding
			want int
		}{{UTF16, c.u16}, {UTF8, c.u8}, {UTF32, c.u32}} {
			p := f.Position(off, enc.e)
			if p.Line != c.line || p.Character != enc.want {
				t.Errorf("%q %v: got %+v, want line %d char %d", c.sub, enc.e, p, c.line, enc.want)
			}
			if back := f.Offset(p, enc.e); back != off {
				t.Errorf("%q %v: offset round trip %d -> %+v -> %d", c.sub, enc.e, off, p, back)
			}
		}
	}
	if got := f.LineText(0); got != "\ufeffa: é" {
		t.Errorf("line 0 text %q", got)
	}
	if f.LineCount() != 4 {
		t.Errorf("line count %d", f.LineCount())
	}
	// Characters past the line end clamp to the line end; lines past the
	// end clamp to the text end; the middle of a surrogate pair maps to the
	// start of the character.
	if got := f.Offset(Position{Line: 0, Character: 99}, UTF16); got != f.LineEnd(0) {
		t.Errorf("clamp: %d", got)
	}
	if got := f.Offset(Position{Line: 99}, UTF16); got != len(text) {
		t.Errorf("clamp line: %d", got)
	}
	emoji := indexOf(text, "😀")
	if got := f.Offset(Position{Line: 1, Character: 5}, UTF16); got != emoji {
		t.Errorf("surrogate middle: %d want %d", got, emoji)
	}
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestApply(t *testing.T) {
	got, err := Apply("hello world", []Edit{{Span{6, 11}, "there"}, {Span{0, 0}, ">> "}})
	if err != nil || got != ">> hello there" {
		t.Fatalf("%q %v", got, err)
	}
	if _, err := Apply("abc", []Edit{{Span{0, 2}, "x"}, {Span{1, 3}, "y"}}); err == nil {
		t.Fatal("overlap not detected")
	}
	if _, err := Apply("abc", []Edit{{Span{2, 9}, "x"}}); err == nil {
		t.Fatal("out of range not detected")
	}
}

// FuzzPositions checks that offset → position → offset round-trips for
// every character boundary in every encoding and that conversions never
// panic or leave the text.
func FuzzPositions(f *testing.F) {
	for _, s := range []string{"", "a", "é\n", "\ufeffx: 1\r\n", "日本\r😀\n\t", "\xff\xfe\n\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		file := NewFile("f", s)
		for off := 0; off <= len(s); off++ {
			for _, enc := range []Encoding{UTF16, UTF8, UTF32} {
				p := file.Position(off, enc)
				back := file.Offset(p, enc)
				if back < 0 || back > len(s) {
					t.Fatalf("offset %d out of range", back)
				}
				boundary := off == len(s) || utf8.RuneStart(s[off])
				lineEnd := file.LineEnd(file.LineOf(off))
				if boundary && off <= lineEnd && back != off && validUpTo(s, off) {
					t.Fatalf("%q enc %v: %d -> %+v -> %d", s, enc, off, p, back)
				}
			}
		}
	})
}

func validUpTo(s string, off int) bool { return utf8.ValidString(s[:off]) }

func TestLineOfHint(t *testing.T) {
	for _, text := range []string{"", "a", "a\nb", "a\r\nb\rc\n", "\n\n\n", "é\n😀x\r\n"} {
		f := NewFile("t", text)
		for off := -1; off <= len(text)+1; off++ {
			for guess := -1; guess <= f.LineCount()+1; guess++ {
				if got, want := f.LineOfHint(off, guess), f.LineOf(off); got != want {
					t.Errorf("%q: LineOfHint(%d, %d) = %d, LineOf = %d", text, off, guess, got, want)
				}
			}
		}
	}
}

// lineStartsByHand is the line table by its definition: a line starts after
// every \n, every \r\n and every lone \r.
func lineStartsByHand(s string) []int {
	out := []int{0}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\n':
			out = append(out, i+1)
		case s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n':
			out = append(out, i+2)
			i++
		case s[i] == '\r':
			out = append(out, i+1)
		}
	}
	return out
}

// FuzzLineTable holds NewFile's fast paths to the definition.
func FuzzLineTable(f *testing.F) {
	for _, s := range []string{"", "\n", "a\nb", "a\r\nb\r", "\r\r\n\n", "x\n\n\n", "é\r\n\r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		file := NewFile("f", s)
		want := lineStartsByHand(s)
		if file.LineCount() != len(want) {
			t.Fatalf("%q: %d lines, want %d", s, file.LineCount(), len(want))
		}
		for i, start := range want {
			if got := file.LineStart(i); got != start {
				t.Fatalf("%q: line %d starts at %d, want %d", s, i, got, start)
			}
		}
	})
}

// FuzzEdit holds the derived line table of Edit to NewFile's.
func FuzzEdit(f *testing.F) {
	f.Add("a\nb\nc", 1, 3, "x\ny")
	f.Add("a\r\nb", 1, 2, "")
	f.Add("a\rb", 2, 2, "\n")
	f.Add("\n\n\n", 0, 3, "")
	f.Fuzz(func(t *testing.T, s string, a, b int, repl string) {
		m := len(s) + 1
		a, b = (a%m+m)%m, (b%m+m)%m
		if a > b {
			a, b = b, a
		}
		got := NewFile("f", s).Edit(Span{Start: a, End: b}, repl)
		want := NewFile("f", s[:a]+repl+s[b:])
		if got.Text() != want.Text() || got.LineCount() != want.LineCount() {
			t.Fatalf("%q [%d,%d) -> %q: %d lines, want %d", s, a, b, repl, got.LineCount(), want.LineCount())
		}
		for i := 0; i < want.LineCount(); i++ {
			if got.LineStart(i) != want.LineStart(i) {
				t.Fatalf("%q [%d,%d) -> %q: line %d at %d, want %d", s, a, b, repl, i, got.LineStart(i), want.LineStart(i))
			}
		}
	})
}
