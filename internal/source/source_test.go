package source

import (
	"slices"
	"strings"
	"sync"
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
	f.Add("a\nb\nc", 1, 3, "x\ny", 0, 0, "")
	f.Add("a\r\nb", 1, 2, "", 0, 1, "\n")
	f.Add("a\rb", 2, 2, "\n", 3, 3, "q")
	f.Add("\n\n\n", 0, 3, "", 1, 1, "\r")
	f.Add("prefect-lsp: a\nb\nprefect-lsp:", 3, 5, "lsp:", 12, 20, "prefect-")
	f.Fuzz(func(t *testing.T, s string, a, b int, repl string, c, d int, repl2 string) {
		norm := func(a, b, n int) (int, int) {
			m := n + 1
			a, b = (a%m+m)%m, (b%m+m)%m
			if a > b {
				a, b = b, a
			}
			return a, b
		}
		a, b = norm(a, b, len(s))
		orig := NewFile("f", s)
		once := orig.Edit(Span{Start: a, End: b}, repl)
		want1 := s[:a] + repl + s[b:]
		// A second edit of the edited file (one window over the same base,
		// or a copy), checked before once builds its text.
		c, d = norm(c, d, len(want1))
		twice := once.Edit(Span{Start: c, End: d}, repl2)
		want2 := want1[:c] + repl2 + want1[d:]
		checkFile(t, twice, want2)
		checkFile(t, once, want1)
		// An edit of a file whose text is built.
		checkFile(t, once.Edit(Span{Start: c, End: d}, repl2), want2)
		// Changed describes each step.
		for _, pair := range [][2]*File{{orig, once}, {once, twice}, {orig, twice}} {
			x, y := pair[0], pair[1]
			tx, ty := NewFile("f", x.Text()).Text(), NewFile("f", y.Text()).Text()
			st, xe, ye := Changed(x, y)
			if st < 0 || st > xe || st > ye || xe > len(tx) || ye > len(ty) || tx[:st] != ty[:st] || tx[xe:] != ty[ye:] {
				t.Fatalf("Changed(%q, %q) = %d, %d, %d", tx, ty, st, xe, ye)
			}
		}
		// Text builds the edited file once; it still answers the same.
		_ = twice.Text()
		checkFile(t, twice, want2)
	})
}

func TestEditLargeWindowCopies(t *testing.T) {
	text := strings.Repeat("line\n", 40000)
	f := NewFile("f", text)
	typed := f
	want := text
	for i := 0; i < 50; i++ { // typing in one place: one small window
		typed = typed.Edit(Span{Start: 1000 + i, End: 1000 + i}, "x")
		want = want[:1000+i] + "x" + want[1000+i:]
	}
	if typed.e == nil || typed.e.base.Load() != f || len(typed.e.ins) > 100 {
		t.Fatalf("typing made a copy or a large window: %+v", typed.e)
	}
	// Edits far apart grow the window past maxWindow: a copy.
	far := typed.Edit(Span{Start: len(want) - 1, End: len(want)}, "y")
	wantFar := want[:len(want)-1] + "y"
	if far.e != nil && far.e.full.Load() == nil {
		t.Fatalf("a window of %d bytes was kept", len(far.e.ins))
	}
	checkFile(t, typed, want)
	checkFile(t, far, wantFar)
	// Once its text is built, an edited File holds no earlier text.
	if typed.e.base.Load() != nil {
		t.Fatal("a built File still refers to the text it was edited from")
	}
	// Once a File's text is built (checkFile asked for it), the next edit
	// is a window over that text, and Changed still compares windows.
	next := typed.Edit(Span{Start: 10, End: 10}, "z")
	if base, _, _ := sharedBase(typed, next); base == nil {
		t.Fatal("an edit of a built File does not share a base with it")
	}
	if base, _, _ := sharedBase(next, next.Edit(Span{Start: 11, End: 11}, "z")); base == nil {
		t.Fatal("typing on does not share a base")
	}
}

// checkFile compares every query of got with those of a File made by
// NewFile from want.
func checkFile(t *testing.T, got *File, want string) {
	t.Helper()
	w := NewFile("f", want)
	if got.Len() != len(want) || got.LineCount() != w.LineCount() || got.HasLoneCR() != w.HasLoneCR() {
		t.Fatalf("%q: len %d, %d lines, lone CR %t; want %d, %d, %t", want, got.Len(), got.LineCount(), got.HasLoneCR(), len(want), w.LineCount(), w.HasLoneCR())
	}
	for i := -1; i <= w.LineCount(); i++ {
		if got.LineStart(i) != w.LineStart(i) || got.LineEnd(i) != w.LineEnd(i) || got.LineText(i) != w.LineText(i) {
			t.Fatalf("%q: line %d is [%d,%d) %q, want [%d,%d) %q", want, i, got.LineStart(i), got.LineEnd(i), got.LineText(i), w.LineStart(i), w.LineEnd(i), w.LineText(i))
		}
		for _, enc := range []Encoding{UTF8, UTF16, UTF32} {
			for _, ch := range []int{0, 1, 2, 5, 1 << 20} {
				p := Position{Line: i, Character: ch}
				if got.Offset(p, enc) != w.Offset(p, enc) {
					t.Fatalf("%q: Offset(%v, %v) = %d, want %d", want, p, enc, got.Offset(p, enc), w.Offset(p, enc))
				}
			}
		}
	}
	for off := -1; off <= len(want)+1; off++ {
		if got.LineOf(off) != w.LineOf(off) || got.LineOfHint(off, 1) != w.LineOfHint(off, 1) {
			t.Fatalf("%q: LineOf(%d) = %d, want %d", want, off, got.LineOf(off), w.LineOf(off))
		}
		for _, enc := range []Encoding{UTF8, UTF16} {
			if got.Position(off, enc) != w.Position(off, enc) {
				t.Fatalf("%q: Position(%d) = %v, want %v", want, off, got.Position(off, enc), w.Position(off, enc))
			}
		}
		for _, n := range []int{0, 1, 3, len(want)} {
			sp := Span{Start: off, End: off + n}
			if got.Slice(sp) != w.Slice(sp) {
				t.Fatalf("%q: Slice(%v) = %q, want %q", want, sp, got.Slice(sp), w.Slice(sp))
			}
		}
	}
	for _, sub := range []string{"a", "aa", "\n", "prefect-lsp:"} {
		if g, x := got.IndexAll(sub), w.IndexAll(sub); !slices.Equal(g, x) {
			t.Fatalf("%q: IndexAll(%q) = %v, want %v", want, sub, g, x)
		}
	}
	if got.Text() != want {
		t.Fatalf("Text() = %q, want %q", got.Text(), want)
	}
}

// TestEditedFileConcurrentUse queries an edited File from several
// goroutines while one of them builds its text (run it with -race).
func TestEditedFileConcurrentUse(t *testing.T) {
	text := strings.Repeat("key: value\n", 5000)
	f := NewFile("f", text).Edit(Span{Start: 100, End: 105}, "other\nlines")
	want := NewFile("f", text[:100]+"other\nlines"+text[105:])
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				off := (g*7919 + i*104729) % want.Len()
				if g == 0 && i == 100 {
					_ = f.Text()
				}
				if f.LineOf(off) != want.LineOf(off) || f.Position(off, UTF16) != want.Position(off, UTF16) || f.Slice(Span{Start: off, End: off + 20}) != want.Slice(Span{Start: off, End: off + 20}) {
					t.Errorf("offset %d answers differently", off)
					return
				}
				if i%50 == 0 && (f.Len() != want.Len() || f.LineCount() != want.LineCount() || !slices.Equal(f.IndexAll("other"), want.IndexAll("other"))) {
					t.Errorf("length, line count or IndexAll answers differently")
					return
				}
			}
		}(g)
	}
	wg.Wait()
	if f.Text() != want.Text() {
		t.Fatal("Text differs")
	}
}
