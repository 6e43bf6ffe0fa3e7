package templating

import (
	"strings"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

func TestLint(t *testing.T) {
	type want struct {
		kind        ProblemKind
		span        string // the text the problem covers
		msg         string // substring of the message
		replacement string // "" when not fixable
	}
	cases := []struct {
		in   string
		want []want
	}{
		{"{{ build-image.image }}", nil},
		{"plain {text} with {braces}", nil},
		{`{"a": {"b": 1}}`, nil},
		{`{"a": {{ x }}}`, nil}, // a lone trailing "}" is common in JSON
		{"{{ foo | default }}", []want{{NotAPlaceholder, "{{ foo | default }}", "not Jinja", ""}}},
		{`{{ "x" }}`, []want{{NotAPlaceholder, `{{ "x" }}`, "quotes", ""}}},
		{"{{ a b }}", []want{{NotAPlaceholder, "{{ a b }}", "spaces inside the name", ""}}},
		{"{{ func() }}", []want{{NotAPlaceholder, "{{ func() }}", "function call", ""}}},
		{"{{ }}", []want{{NotAPlaceholder, "{{ }}", "empty placeholder", ""}}},
		{"{{ a/b }}", []want{{NotAPlaceholder, "{{ a/b }}", "contains `/`", ""}}},
		{"{{ a:b }}", []want{{NotAPlaceholder, "{{ a:b }}", "contains `:`", ""}}},
		{"{{foo}", []want{{Unbalanced, "{{foo}", "missing a closing brace", "{{ foo }}"}}},
		{"x {{ foo } y", []want{{Unbalanced, "{{ foo }", "missing a closing brace", "{{ foo }}"}}},
		{"{foo}}", []want{{Unbalanced, "{foo}}", "missing an opening brace", "{{ foo }}"}}},
		{"a-{ foo.bar }}-b", []want{{Unbalanced, "{ foo.bar }}", "missing an opening brace", "{{ foo.bar }}"}}},
		{"{{{ foo }}}", []want{{Unbalanced, "{{{ foo }}}", "triple braces", "{{ foo }}"}}},
		{"{{ foo", []want{{Unbalanced, "{{", "never closed", ""}}},
		{"{{ a b }} and {{ ok }} and {foo}}", []want{
			{NotAPlaceholder, "{{ a b }}", "spaces", ""},
			{Unbalanced, "{foo}}", "opening brace", "{{ foo }}"},
		}},
		{"{{foo} then {{ bar }}", []want{{Unbalanced, "{{foo}", "closing brace", "{{ foo }}"}}},
		{"{{ {{ x }} }}", []want{{Unbalanced, "{{", "never closed", ""}}},
		{"{{ prefect.blocks.secret }}", []want{{BadBlockRef, "prefect.blocks.secret", "Invalid block placeholder format: 'prefect.blocks.secret'", ""}}},
		{"{{ prefect.blocks.secret. }}", []want{{BadBlockRef, "prefect.blocks.secret.", "Expected format", ""}}},
		{"{{ prefect.blocks.secret.tok }}", nil},
		{"{{ prefect.variables. }}", []want{{BadVariableRef, "prefect.variables.", "empty string", ""}}},
		{"{{ $ }}", []want{{BadEnvRef, "$", "names no environment variable", ""}}},
		{"{{ $HOME.dir }}", []want{{BadEnvRef, "$HOME.dir", "contains `.`", ""}}},
		{"{{ $HOME }}", nil},
		{"{{ ctx.flow.name }}", nil},
	}
	for _, c := range cases {
		got := Lint(c.in)
		if len(got) != len(c.want) {
			t.Errorf("Lint(%q) = %+v, want %d problems", c.in, got, len(c.want))
			continue
		}
		for i, w := range c.want {
			g := got[i]
			if g.Kind != w.kind || c.in[g.Span.Start:g.Span.End] != w.span || !strings.Contains(g.Message, w.msg) {
				t.Errorf("Lint(%q)[%d] = {%v %q %q}, want {%v %q ~%q}", c.in, i, g.Kind, c.in[g.Span.Start:g.Span.End], g.Message, w.kind, w.span, w.msg)
			}
			if g.Fixable != (w.replacement != "") || g.Replacement != w.replacement {
				t.Errorf("Lint(%q)[%d] fix = %v %q, want %q", c.in, i, g.Fixable, g.Replacement, w.replacement)
			}
			if g.Kind == NotAPlaceholder || g.Kind == Unbalanced {
				if !strings.Contains(g.Message, "literal") && g.Kind != Unbalanced {
					t.Errorf("Lint(%q)[%d] message %q does not say the text stays literal", c.in, i, g.Message)
				}
			}
		}
	}
}

// TestLintFixesProducePlaceholders applies every fix and checks that the
// result is a real placeholder with no remaining problem at that spot.
func TestLintFixesProducePlaceholders(t *testing.T) {
	for _, in := range []string{"{{foo}", "{foo}}", "{{{ foo }}}", "x {{ a.b } y", "pre { $X }} post"} {
		var edits []source.Edit
		for _, p := range Lint(in) {
			if p.Fixable {
				edits = append(edits, source.Edit{Span: p.Span, NewText: p.Replacement})
			}
		}
		if len(edits) == 0 {
			t.Errorf("Lint(%q) offers no fix", in)
			continue
		}
		out, err := source.Apply(in, edits)
		if err != nil {
			t.Fatal(err)
		}
		if len(Find(out)) != 1 || len(Lint(out)) != 0 {
			t.Errorf("fixing %q gave %q: placeholders %v, problems %v", in, out, Find(out), Lint(out))
		}
	}
}

func TestLintLinearTime(t *testing.T) {
	// Adversarial inputs must finish quickly; correctness here is only that
	// the problems are well-formed (speed is covered by BenchmarkLint).
	for _, in := range []string{
		strings.Repeat("{{", 50000),
		strings.Repeat("}}", 50000),
		strings.Repeat("{{ a", 20000) + strings.Repeat("}}", 20000),
		strings.Repeat("a}}", 30000),
		strings.Repeat("{{ x }", 20000),
	} {
		for _, p := range Lint(in) {
			if p.Span.Start < 0 || p.Span.End > len(in) || p.Span.End <= p.Span.Start {
				t.Fatalf("bad span %v", p.Span)
			}
		}
	}
}

func BenchmarkLint(b *testing.B) {
	in := strings.Repeat("image: {{ build-image.image }} {{ a | b }} {foo}} ", 200)
	for b.Loop() {
		Lint(in)
	}
}

func BenchmarkFind(b *testing.B) {
	in := strings.Repeat("image: {{ build-image.image }} text {{ prefect.blocks.secret.x }} ", 200)
	for b.Loop() {
		Find(in)
	}
}
