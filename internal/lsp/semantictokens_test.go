package lsp

import (
	"reflect"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

func TestEncodeTokens(t *testing.T) {
	text := "a: \"{{ x }}\"\nb: \"é {{ y }}\"\nc: |\n  multi\n  line\n"
	f := source.NewFile("t", text)
	at := func(sub string, n int) int {
		off := -1
		for i := 0; i < n; i++ {
			off = indexFrom(text, sub, off+1)
		}
		return off
	}
	x := at("x", 1)
	y := at("y", 1)
	toks := []SemanticToken{
		{Span: source.Span{Start: y, End: y + 1}, Type: TokenMacro}, // out of order
		{Span: source.Span{Start: x, End: x + 1}, Type: TokenVariable},
		{Span: source.Span{Start: x, End: x + 1}, Type: TokenKeyword},                           // overlaps: dropped
		{Span: source.Span{Start: x + 2, End: x + 4}, Type: TokenOperator},                      // "}}"
		{Span: source.Span{Start: at("multi", 1), End: at("line", 1) + 4}, Type: TokenVariable}, // two lines: dropped
		{Span: source.Span{Start: 0, End: 1}, Type: "unknown"},                                  // not in the legend
		{Span: source.Span{Start: 2, End: 2}, Type: TokenVariable},                              // empty
	}
	got := encodeTokens(f, toks, source.UTF16)
	// x at line 0 char 7; "}}" at char 9; y at line 1: "b: \"é {{ " is 9 UTF-16 units.
	want := []uint32{
		0, 7, 1, 1, 0,
		0, 2, 2, 0, 0,
		1, 9, 1, 4, 0,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("UTF-16: got %v, want %v", got, want)
	}
	// In UTF-8 the é counts two.
	got = encodeTokens(f, toks, source.UTF8)
	if got[10] != 1 || got[11] != 10 {
		t.Errorf("UTF-8: y at %v, want line delta 1, char 10", got[10:12])
	}
}

func indexFrom(s, sub string, from int) int {
	for i := from; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
