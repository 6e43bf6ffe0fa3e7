package templating

import (
	"reflect"
	"regexp"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

func TestFindTable(t *testing.T) {
	type want struct {
		raw, name string
		kind      Kind
		start     int
		whole     bool
	}
	cases := []struct {
		in   string
		want []want
	}{
		{"", nil},
		{"plain text", nil},
		{"{{ build-image.image }}", []want{{"{{ build-image.image }}", "build-image.image", StepOutput, 0, true}}},
		{"{{image}}", []want{{"{{image}}", "image", StepOutput, 0, true}}},
		{"img:{{ tag }}-x", []want{{"{{ tag }}", "tag", StepOutput, 4, false}}},
		{"{{ prefect.blocks.secret.tok }}", []want{{"{{ prefect.blocks.secret.tok }}", "prefect.blocks.secret.tok", Block, 0, true}}},
		{"{{ prefect.variables.x }}", []want{{"{{ prefect.variables.x }}", "prefect.variables.x", Variable, 0, true}}},
		{"{{ $HOME }}/x", []want{{"{{ $HOME }}", "$HOME", Env, 0, false}}},
		{"{{ ctx.flow.name }}", []want{{"{{ ctx.flow.name }}", "ctx.flow.name", Context, 0, true}}},
		{"{{ a }}{{ b }}", []want{{"{{ a }}", "a", StepOutput, 0, false}, {"{{ b }}", "b", StepOutput, 7, false}}},
		{"{{{ a }}}", []want{{"{{ a }}", "a", StepOutput, 1, false}}},
		{"{{\n\ta[0].b\r\n}}", []want{{"{{\n\ta[0].b\r\n}}", "a[0].b", StepOutput, 0, true}}},
		{"{{ a b }}", nil},
		{"{{ a | default }}", nil},
		{`{{ "x" }}`, nil},
		{"{{ f() }}", nil},
		{"{{foo}", nil},
		{"{foo}}", nil},
		{"{{ }}", nil},
		{"{{ {{ x }} }}", []want{{"{{ x }}", "x", StepOutput, 3, false}}},
		{"{{ é.ü }}", []want{{"{{ é.ü }}", "é.ü", StepOutput, 0, true}}},
		{"{{\u3000x\u3000}}", []want{{"{{\u3000x\u3000}}", "x", StepOutput, 0, true}}},
		{"{{\x1cx}}", []want{{"{{\x1cx}}", "x", StepOutput, 0, true}}},
		{"{{\u200bx}}", nil}, // zero-width space is not \s in Python
		{"{{ x\xff }}", nil},
	}
	for _, c := range cases {
		got := Find(c.in)
		if len(got) != len(c.want) {
			t.Errorf("Find(%q) = %d placeholders %+v, want %d", c.in, len(got), got, len(c.want))
			continue
		}
		for i, w := range c.want {
			g := got[i]
			if g.Raw != w.raw || g.Name != w.name || g.Kind != w.kind || g.Span.Start != w.start || g.Whole != w.whole {
				t.Errorf("Find(%q)[%d] = %+v, want %+v", c.in, i, g, w)
			}
			if c.in[g.Span.Start:g.Span.End] != g.Raw || c.in[g.NameSpan.Start:g.NameSpan.End] != g.Name {
				t.Errorf("Find(%q)[%d]: spans %v/%v do not cover Raw/Name", c.in, i, g.Span, g.NameSpan)
			}
		}
	}
}

func TestClassifyFields(t *testing.T) {
	cases := []struct {
		in   string
		want Placeholder
	}{
		{"{{ build-image.image }}", Placeholder{StepID: "build-image", OutputKey: "image"}},
		{"{{ image }}", Placeholder{OutputKey: "image"}},
		{"{{ clone.directory.sub[0] }}", Placeholder{StepID: "clone", OutputKey: "directory.sub[0]"}},
		{"{{ prefect.blocks.secret.tok }}", Placeholder{BlockType: "secret", BlockName: "tok"}},
		{"{{ prefect.blocks.json.cfg.value.a[1].b }}", Placeholder{BlockType: "json", BlockName: "cfg", BlockPath: "value.a[1].b"}},
		{"{{ prefect.blocks.secret }}", Placeholder{BlockType: "secret"}},
		{"{{ prefect.variables.my_var }}", Placeholder{VariableName: "my_var"}},
		{"{{ $$HOME }}", Placeholder{EnvName: "HOME"}},
		{"{{ ctx.flow.name }}", Placeholder{}},
	}
	for _, c := range cases {
		got := Find(c.in)
		if len(got) != 1 {
			t.Fatalf("Find(%q) = %v", c.in, got)
		}
		g := got[0]
		sub := Placeholder{StepID: g.StepID, OutputKey: g.OutputKey, BlockType: g.BlockType, BlockName: g.BlockName,
			BlockPath: g.BlockPath, VariableName: g.VariableName, EnvName: g.EnvName}
		if !reflect.DeepEqual(sub, c.want) {
			t.Errorf("Find(%q) fields = %+v, want %+v", c.in, sub, c.want)
		}
	}
}

// goEquivalent is Prefect's expression written with explicit Unicode classes
// equal to Python's `\w` and `\s` (see IsNameRune/IsSpaceRune); it is the
// oracle for the hand-written scanner.
var goEquivalent = regexp.MustCompile(
	`\{\{[\t\n\v\f\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]*` +
		`([\p{L}\p{N}_.\-\[\]$]+)` +
		`[\t\n\v\f\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]*\}\}`)

func regexpSpans(s string) [][2]source.Span {
	var out [][2]source.Span
	for _, m := range goEquivalent.FindAllStringSubmatchIndex(s, -1) {
		out = append(out, [2]source.Span{{Start: m[0], End: m[1]}, {Start: m[2], End: m[3]}})
	}
	return out
}

func findSpans(s string) [][2]source.Span {
	var out [][2]source.Span
	for _, p := range Find(s) {
		out = append(out, [2]source.Span{p.Span, p.NameSpan})
	}
	return out
}

func FuzzFind(f *testing.F) {
	for _, s := range []string{"", "{{ a }}", "{{{ a }}}", "{{ a b }}", "x{{$A}}y{{ prefect.blocks.s.n }}", "{{\u3000é\u2028}}", "{{\xff}}", "{{ a }}}}{{"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps := Find(s)
		for _, p := range ps {
			if !p.Span.IsValid() || p.Span.End > len(s) || p.NameSpan.Start < p.Span.Start || p.NameSpan.End > p.Span.End {
				t.Fatalf("bad spans %+v in %q", p, s)
			}
			if s[p.Span.Start:p.Span.End] != p.Raw || s[p.NameSpan.Start:p.NameSpan.End] != p.Name {
				t.Fatalf("spans do not cover text: %+v in %q", p, s)
			}
		}
		if got, want := findSpans(s), regexpSpans(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("Find(%q) = %v, regexp = %v", s, got, want)
		}
		for _, pr := range Lint(s) {
			if !pr.Span.IsValid() || pr.Span.End > len(s) || pr.Message == "" {
				t.Fatalf("bad problem %+v in %q", pr, s)
			}
		}
	})
}
