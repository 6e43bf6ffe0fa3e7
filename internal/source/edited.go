package source

import (
	"strings"
	"sync"
	"sync/atomic"
)

// edited is the text of a File made by Edit: base (a File that holds its
// text) with base[at:oldEnd] replaced by ins. Typing in one place keeps
// one small window over one base, so a keystroke in a large document
// costs what it changed, not a copy of the document.
type edited struct {
	// base is nil once the text is built (full): the File then holds no
	// earlier version's text. Readers load base first; when it is nil,
	// full is set.
	base       atomic.Pointer[File]
	n, lines   int // the text's length and line count
	at, oldEnd int
	ins        string
	delta      int   // len(ins) - (oldEnd - at)
	first      int   // base.lines[:first] start at or before at
	after      int   // base.lines[after:] start after oldEnd
	insLines   []int // starts of the lines that begin inside ins (offsets in the new text)
	once       sync.Once
	full       atomic.Pointer[File] // the text built, once Text was called
}

// src is the File to read from: the base (for the window's
// arithmetic) or, once the text is built, full.
func (e *edited) src() (base, full *File) {
	if b := e.base.Load(); b != nil {
		return b, nil
	}
	return nil, e.full.Load()
}

// lineStart is the start of line i (0 <= i < LineCount()).
func (f *File) lineStart(i int) int {
	e := f.e
	if e == nil {
		return f.lines[i]
	}
	b, m := e.src()
	if m != nil {
		return m.lines[i]
	}
	switch {
	case i < e.first:
		return b.lines[i]
	case i < e.first+len(e.insLines):
		return e.insLines[i-e.first]
	}
	return b.lines[i-e.first-len(e.insLines)+e.after] + e.delta
}

// byteAt is the byte at offset o (0 <= o < Len()).
func (f *File) byteAt(o int) byte {
	e := f.e
	if e == nil {
		return f.text[o]
	}
	b, m := e.src()
	if m != nil {
		return m.text[o]
	}
	switch {
	case o < e.at:
		return b.text[o]
	case o < e.at+len(e.ins):
		return e.ins[o-e.at]
	}
	return b.text[o-e.delta]
}

// slice is the text in [a, b) (0 <= a <= b <= Len()): a substring of the
// base or of the window when it lies in one of them.
func (f *File) slice(a, b int) string {
	e := f.e
	if e == nil {
		return f.text[a:b]
	}
	base, m := e.src()
	if m != nil {
		return m.text[a:b]
	}
	insEnd := e.at + len(e.ins)
	switch {
	case b <= e.at:
		return base.text[a:b]
	case a >= insEnd:
		return base.text[a-e.delta : b-e.delta]
	case a >= e.at && b <= insEnd:
		return e.ins[a-e.at : b-e.at]
	}
	var sb strings.Builder
	sb.Grow(b - a)
	if a < e.at {
		sb.WriteString(base.text[a:e.at])
	}
	sb.WriteString(e.ins[max(a, e.at)-e.at : min(b, insEnd)-e.at])
	if b > insEnd {
		sb.WriteString(base.text[max(a, insEnd)-e.delta : b-e.delta])
	}
	return sb.String()
}

// materialize builds an edited File's text and line table once (f itself
// when it holds them).
func (f *File) materialize() *File {
	e := f.e
	if e == nil {
		return f
	}
	e.once.Do(func() {
		b := e.base.Load()
		lines := make([]int, e.first, e.lines)
		copy(lines, b.lines[:e.first])
		lines = append(lines, e.insLines...)
		for _, l := range b.lines[e.after:] {
			lines = append(lines, l+e.delta)
		}
		e.full.Store(&File{Name: f.Name, text: b.text[:e.at] + e.ins + b.text[e.oldEnd:], lines: lines, loneCR: f.loneCR})
		// The earlier version's text is not needed any more: let it go
		// (an editor's next version is an edit of this text).
		e.base.Store(nil)
	})
	return e.full.Load()
}

// Changed returns the range that differs between two versions of a text:
// a[start:aEnd] became b[start:bEnd], and the rest is the same. When b was
// made from a by Edit (or both from one File), it compares only the edited
// windows; otherwise it compares the texts.
func Changed(a, b *File) (start, aEnd, bEnd int) {
	base, wa, wb := sharedBase(a, b)
	if base == nil {
		return ChangedText(a.Text(), b.Text())
	}
	// Outside the union of the windows (in base offsets) both are base.
	w0 := min(wa.at, wb.at)
	w1 := max(wa.oldEnd, wb.oldEnd)
	aEnd, bEnd = w1+wa.delta, w1+wb.delta
	ta, tb := a.slice(w0, aEnd), b.slice(w0, bEnd)
	p := commonPrefix(ta, tb)
	s := commonSuffix(ta[p:], tb[p:])
	return w0 + p, aEnd - s, bEnd - s
}

// ChangedText is Changed for two strings: a[start:aEnd] became
// b[start:bEnd], with the longest common prefix and then suffix kept.
func ChangedText(a, b string) (start, aEnd, bEnd int) {
	p := commonPrefix(a, b)
	s := commonSuffix(a[p:], b[p:])
	return p, len(a) - s, len(b) - s
}

// window is one File's replaced window over a base (the empty window for
// the base itself).
type window struct{ at, oldEnd, delta int }

func sharedBase(a, b *File) (*File, window, window) {
	of := func(f *File) (*File, window) {
		if f.e != nil {
			if m := f.e.full.Load(); m != nil {
				f = m // its text is built: the base of the next edit
			}
		}
		if f.e == nil {
			return f, window{at: len(f.text), oldEnd: 0}
		}
		b, m := f.e.src()
		if m != nil {
			return m, window{at: len(m.text), oldEnd: 0}
		}
		return b, window{at: f.e.at, oldEnd: f.e.oldEnd, delta: f.e.delta}
	}
	ba, wa := of(a)
	bb, wb := of(b)
	if ba != bb {
		return nil, window{}, window{}
	}
	return ba, wa, wb
}

// commonPrefix is the length of the longest common prefix of a and b. It
// compares 256-byte blocks with string equality (memeq) before bytes, so
// a 5 MB document costs a fraction of a millisecond.
func commonPrefix(a, b string) int {
	const block = 256
	n := min(len(a), len(b))
	p := 0
	for p+block <= n && a[p:p+block] == b[p:p+block] {
		p += block
	}
	for p < n && a[p] == b[p] {
		p++
	}
	return p
}

// commonSuffix is the length of the longest common suffix of a and b.
func commonSuffix(a, b string) int {
	const block = 256
	n := min(len(a), len(b))
	s := 0
	for s+block <= n && a[len(a)-s-block:len(a)-s] == b[len(b)-s-block:len(b)-s] {
		s += block
	}
	for s < n && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	return s
}

// occurrences memoizes, for a File that holds its text, where a string
// occurs in it.
type occurrences struct {
	mu sync.Mutex
	m  map[string][]int
}

// IndexAll returns the offsets of every occurrence of sub in the text
// (overlapping ones included), in order. For an edited File it searches
// only around the window, reusing the base's (memoized) occurrences
// elsewhere.
func (f *File) IndexAll(sub string) []int {
	if sub == "" {
		return nil
	}
	e := f.e
	if e == nil {
		f.memo.mu.Lock()
		defer f.memo.mu.Unlock()
		if got, ok := f.memo.m[sub]; ok {
			return got
		}
		out := indexAll(f.text, sub, 0)
		if f.memo.m == nil {
			f.memo.m = map[string][]int{}
		}
		f.memo.m[sub] = out
		return out
	}
	// An occurrence lies before the window, overlaps it (starts in
	// [lo, end)), or lies after it (a base occurrence after oldEnd).
	b, m := e.src()
	if m != nil {
		return m.IndexAll(sub)
	}
	lo, end := max(0, e.at-len(sub)+1), e.at+len(e.ins)
	base := b.IndexAll(sub)
	var out []int
	for _, o := range base {
		if o >= lo {
			break
		}
		out = append(out, o)
	}
	if hi := min(f.Len(), end+len(sub)-1); lo < hi {
		out = append(out, indexAll(f.slice(lo, hi), sub, lo)...)
	}
	for _, o := range base {
		if o >= e.oldEnd {
			out = append(out, o+e.delta)
		}
	}
	return out
}

// indexAll is every occurrence of sub in text, plus base.
func indexAll(text, sub string, base int) []int {
	var out []int
	for off := 0; ; {
		i := strings.Index(text[off:], sub)
		if i < 0 {
			return out
		}
		out = append(out, base+off+i)
		off += i + 1
	}
}
