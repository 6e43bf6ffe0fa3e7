package yamlsyntax

import (
	"os"
	"testing"
)

// TestValueSpans checks the exact source text of every value's span, for
// every scalar style and collection form.
func TestValueSpans(t *testing.T) {
	data, err := os.ReadFile("testdata/cases/styles.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := Parse("styles.yaml", string(data))
	if !doc.Loadable || doc.Root == nil {
		t.Fatalf("not loadable: %v", doc.Problems)
	}
	want := map[string]string{
		"plain":      "hello world",
		"multi":      "this is\n  a folded plain\n  scalar",
		"single":     "'it''s'",
		"double":     `"tab\tnew\nline \u00e9 \x41"`,
		"literal":    "|\n  line one\n    indented\n  line three",
		"folded":     ">-\n  folded\n  text\n\n  para",
		"keep":       "|+\n  kept",
		"strip":      "|2-\n    two",
		"flow":       `{a: 1, b: [x, "y", 'z'], c: {d: e}}`,
		"empty_flow": "{}",
		"empty_seq":  "[]",
		"nested":     "- - a\n  - b\n- k: v\n  k2: v2",
		"comment":    "value",
		"url":        "http://example.com:8080/path#frag",
	}
	for key, w := range want {
		p, ok := doc.Root.Get(key)
		if !ok {
			t.Errorf("key %q missing", key)
			continue
		}
		if got := doc.File.Slice(p.Value.Span); got != w {
			t.Errorf("%s: span text %q, want %q", key, got, w)
		}
		if got := doc.File.Slice(p.Key.Span); got != key {
			t.Errorf("key span text %q, want %q", got, key)
		}
	}
	flow, _ := doc.Root.Get("flow")
	b, _ := flow.Value.Get("b")
	items := b.Value.Items()
	for i, w := range []string{"x", `"y"`, "'z'"} {
		if got := doc.File.Slice(items[i].Span); got != w {
			t.Errorf("flow item %d: %q, want %q", i, got, w)
		}
	}
}

func TestNonASCIIPositions(t *testing.T) {
	text := "\ufeffé: &a ünï\n日本: *a\n😀: [x, \"y\"]\r\nk: v\r\n"
	doc := Parse("u.yaml", text)
	if !doc.Loadable {
		t.Fatalf("problems: %v", doc.Problems)
	}
	cases := map[string]string{"é": "ünï", "日本": "*a", "😀": `[x, "y"]`, "k": "v"}
	for k, w := range cases {
		p, ok := doc.Root.Get(k)
		if !ok {
			t.Fatalf("missing %q", k)
		}
		if got := doc.File.Slice(p.Value.Span); got != w {
			t.Errorf("%s: %q want %q", k, got, w)
		}
		if got := doc.File.Slice(p.Key.Span); got != k {
			t.Errorf("key %q: %q", k, got)
		}
	}
	p, _ := doc.Root.Get("日本")
	if p.Value.Resolve().Text != "ünï" {
		t.Errorf("alias resolves to %q", p.Value.Resolve().Text)
	}
	a, _ := doc.Root.Get("é")
	if got := doc.File.Slice(a.Value.AnchorSpan()); got != "&a" {
		t.Errorf("anchor span %q", got)
	}
}

func TestProblems(t *testing.T) {
	cases := []struct {
		text, kind, at string
	}{
		{"a: 1\na: 2\n", "dup", "a"},
		{"tags: [{{ $X }}, b]\n", "load", "{{ $X }}"},
		{"image: {{ $IMAGE_URI }}\n", "load", "{{ $IMAGE_URI }}"},
		{"a:\n b: 1\n  c: 2\n", "syntax", ":"},
		{"a: *nope\n", "syntax", "*nope"},
		{"a: 1\n---\nb: 2\n", "load", "---"},
		{"x: !Ref y\n", "load", "!Ref"},
		{"a: [\n", "syntax", ""},
	}
	for _, c := range cases {
		doc := Parse("p.yaml", c.text)
		if len(doc.Problems) == 0 {
			t.Errorf("%q: no problem reported", c.text)
			continue
		}
		p := doc.Problems[0]
		kind := map[ProblemKind]string{SyntaxError: "syntax", LoadError: "load", DuplicateKey: "dup", TooLarge: "large"}[p.Kind]
		if kind != c.kind {
			t.Errorf("%q: kind %s, want %s (%s)", c.text, kind, c.kind, p.Message)
		}
		if c.at != "" {
			if got := doc.File.Slice(p.Span); got != c.at {
				t.Errorf("%q: problem at %q, want %q (%s)", c.text, got, c.at, p.Message)
			}
		}
		if p.Span.End > len(c.text) || p.Span.Start < 0 || p.Span.End < p.Span.Start {
			t.Errorf("%q: bad span %v", c.text, p.Span)
		}
	}
}

func TestAliasBomb(t *testing.T) {
	text := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for i := 0; i < 9; i++ {
		name := string(rune('b' + i))
		text += name + ": &" + name + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
		prev = name
	}
	doc := Parse("bomb.yaml", text)
	found := false
	for _, p := range doc.Problems {
		if p.Kind == TooLarge {
			found = true
		}
	}
	if !found {
		t.Fatalf("alias bomb not reported: %v", doc.Problems)
	}
}

func TestDeepNesting(t *testing.T) {
	text := "a: "
	for i := 0; i < 5000; i++ {
		text += "["
	}
	doc := Parse("deep.yaml", text)
	if doc.Loadable || len(doc.Problems) == 0 {
		t.Fatal("deep nesting not reported")
	}
}
