package pyflow

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/benchgen"
)

// kinds renders a token stream compactly: NAME:def OP:( NEWLINE ...
func kinds(src string) string {
	toks, _ := Tokenize([]byte(src))
	var out []string
	for _, t := range toks {
		switch t.Kind {
		case Name, Op, Number, String, ErrorToken, Comment:
			out = append(out, t.Kind.String()+":"+src[t.Start:t.End])
		default:
			out = append(out, t.Kind.String())
		}
	}
	return strings.Join(out, " ")
}

func TestTokenize(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"def inside string", `x = "def f(): pass"` + "\n", `NAME:x OP:= STRING:"def f(): pass" NEWLINE ENDMARKER`},
		{"all prefixes", `rb'a' Br"b" u'c' F"d" fR'e' Rf"f" b'g'` + "\n",
			`STRING:rb'a' STRING:Br"b" STRING:u'c' STRING:F"d" STRING:fR'e' STRING:Rf"f" STRING:b'g' NEWLINE ENDMARKER`},
		{"not a prefix", `ur'x'` + "\n", `NAME:ur STRING:'x' NEWLINE ENDMARKER`},
		{"triple quotes with quotes", "s = '''a ' '' \n b'''\n", "NAME:s OP:= STRING:'''a ' '' \n b''' NEWLINE ENDMARKER"},
		{"escaped quote", `s = 'it\'s' + r"\"" ` + "\n", `NAME:s OP:= STRING:'it\'s' OP:+ STRING:r"\"" NEWLINE ENDMARKER`},
		{"continuation", "x = 1 + \\\n    2\n", "NAME:x OP:= NUMBER:1 OP:+ NUMBER:2 NEWLINE ENDMARKER"},
		{"brackets span lines", "f(a,\n  b)\nx\n", "NAME:f OP:( NAME:a OP:, NL NAME:b OP:) NEWLINE NAME:x NEWLINE ENDMARKER"},
		{"comment and blank", "# c\n\nx # d\n", "COMMENT:# c NL NL NAME:x COMMENT:# d NEWLINE ENDMARKER"},
		{"indent dedent", "if x:\n    y\nz\n", "NAME:if NAME:x OP:: NEWLINE INDENT NAME:y NEWLINE DEDENT NAME:z NEWLINE ENDMARKER"},
		{"tab is next multiple of 8", "if x:\n\ty\n        z\n", "NAME:if NAME:x OP:: NEWLINE INDENT NAME:y NEWLINE NAME:z NEWLINE DEDENT ENDMARKER"},
		{"CRLF", "a\r\n  b\r\n", "NAME:a NEWLINE INDENT NAME:b NEWLINE DEDENT ENDMARKER"},
		{"no final newline", "a", "NAME:a NEWLINE ENDMARKER"},
		{"BOM", "\ufeffa\n", "NAME:a NEWLINE ENDMARKER"},
		{"operators", "a **= b // c -> d := e != f ... @ g\n",
			"NAME:a OP:**= NAME:b OP:// NAME:c OP:-> NAME:d OP::= NAME:e OP:!= NAME:f OP:... OP:@ NAME:g NEWLINE ENDMARKER"},
		{"numbers", "0x1F 0o7 0b1 1_000.5e-3j .5 1. 1if\n", "NUMBER:0x1F NUMBER:0o7 NUMBER:0b1 NUMBER:1_000.5e-3j NUMBER:.5 NUMBER:1. NUMBER:1 NAME:if NEWLINE ENDMARKER"},
		{"unicode identifier", "café = 1\n", "NAME:café OP:= NUMBER:1 NEWLINE ENDMARKER"},
		{"f-string with nested quotes (3.12)", `f"{x["a"]}" + 'b'` + "\n", `STRING:f"{x["a"]}" OP:+ STRING:'b' NEWLINE ENDMARKER`},
		{"f-string nested f-string (3.12)", `f"{f"{1}"}"` + "\n", `STRING:f"{f"{1}"}" NEWLINE ENDMARKER`},
		{"f-string format spec with quote", `f"{x:'>10}"` + "\n", `STRING:f"{x:'>10}" NEWLINE ENDMARKER`},
		{"f-string braces", `f"{{}} {x!r:{w}}"` + "\n", `STRING:f"{{}} {x!r:{w}}" NEWLINE ENDMARKER`},
		{"f-string pre-3.12 fallback", `f'{'` + "\n", `STRING:f'{' NEWLINE ENDMARKER`},
		{"unterminated string", "s = 'abc\nx\n", "NAME:s OP:= ERRORTOKEN:'abc NEWLINE NAME:x NEWLINE ENDMARKER"},
		{"unterminated triple string recovers", "s = '''abc\ndef f(): pass\n", "NAME:s OP:= ERRORTOKEN:'''abc NEWLINE NAME:def NAME:f OP:( OP:) OP:: NAME:pass NEWLINE ENDMARKER"},
		{"unclosed bracket recovers at def", "x = f(\ndef g(): pass\n", "NAME:x OP:= NAME:f OP:( NL NEWLINE NAME:def NAME:g OP:( OP:) OP:: NAME:pass NEWLINE ENDMARKER"},
		{"form feed resets column", "a\n\f b\n", "NAME:a NEWLINE INDENT NAME:b NEWLINE DEDENT ENDMARKER"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := kinds(c.src); got != c.want {
				t.Errorf("\nsrc  %q\ngot  %s\nwant %s", c.src, got, c.want)
			}
		})
	}
}

func TestTokenizeProblems(t *testing.T) {
	for _, src := range []string{"x = 'abc\n", "s = '''abc\n", "f(\ndef g(): pass\n", "x = )\n", "a $ b\n", "if x:\n    a\n  b\n", "x \\ y\n"} {
		if _, problems := Tokenize([]byte(src)); len(problems) == 0 {
			t.Errorf("%q: expected a problem", src)
		}
	}
	for _, src := range []string{"x = 1\n", "f(a,\n b)\n", "s = '''\n'''\n", "x = f'{a!r}'\n"} {
		if _, problems := Tokenize([]byte(src)); len(problems) != 0 {
			t.Errorf("%q: unexpected problems %v", src, problems)
		}
	}
}

func TestEncodingCookie(t *testing.T) {
	cases := map[string]string{
		"# -*- coding: latin-1 -*-\n":                              "latin-1",
		"#!/usr/bin/env python\n# vim: set fileencoding=utf-8 :\n": "utf-8",
		"x = 1\n# coding: latin-1\n":                               "",
		"\ufeff# coding=utf-8\n":                                   "utf-8",
		"\n\n# coding: latin-1\n":                                  "",
	}
	for src, want := range cases {
		if got := encodingCookie([]byte(src)); got != want {
			t.Errorf("encodingCookie(%q) = %q, want %q", src, got, want)
		}
	}
}

func parseTestdata(t *testing.T, name string) *Module {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	m := Parse(name, src)
	if len(m.Problems) > 0 {
		t.Fatalf("%s: problems %v", name, m.Problems)
	}
	return m
}

func TestParseTrickyFlows(t *testing.T) {
	m := parseTestdata(t, "tricky_flows.py")
	src, _ := os.ReadFile("testdata/tricky_flows.py")
	text := func(f *Function) string { return string(src[f.NameSpan.Start:f.NameSpan.End]) }

	var flows []string
	for _, f := range m.Flows() {
		flows = append(flows, f.Qualname+"="+f.DisplayFlowName())
	}
	want := "aliased=aliased etl=etl-flow dotted=dotted aliased_module=pf concat paren_decorator=paren-decorator Outer.static_flow=static Outer.Nested.deep=deep"
	if got := strings.Join(flows, " "); got != want {
		t.Errorf("flows\ngot  %s\nwant %s", got, want)
	}
	if d := m.Lookup("weird_spacing").Decorators[0]; d.Expr != "flow.__call__" || d.Called {
		t.Errorf("spaced dotted decorator: %+v", d)
	}
	if f := m.Lookup("a_task"); f == nil || !f.IsTask || f.IsFlow {
		t.Errorf("a_task should be a task: %+v", f)
	}
	if m.Lookup("inner") != nil || m.Lookup("Inner.not_listed") != nil || m.Lookup("not_a_function") != nil || m.Lookup("also_not_a_function") != nil {
		t.Error("nested functions or string contents were listed")
	}
	etl := m.Lookup("etl")
	if etl == nil || !etl.Async || text(etl) != "etl" {
		t.Fatalf("etl: %+v", etl)
	}
	if got := etl.Signature(); got != `async def etl(source: str, /, limit: int = 10, *args: int, mode: Literal["a", "b"] = "a", key=lambda a, b=(1, 2): (a, b), **kwargs: Dict[str, List[int]]) -> Dict[ str, int ]` {
		t.Errorf("signature: %s", got)
	}
	if etl.Docstring != "parenthesised docstring" {
		t.Errorf("docstring %q", etl.Docstring)
	}
	d := etl.Decorators[0]
	if d.Expr != "f" || d.Resolved != "prefect.flow" || !d.Called || len(d.Kwargs) != 3 {
		t.Errorf("decorator %+v", d)
	}
	if k := d.Kwarg("retries"); k == nil || k.Value != "3" || k.StringValue != nil || string(src[k.ValueSpan.Start:k.ValueSpan.End]) != "3" {
		t.Errorf("retries kwarg %+v", k)
	}
	if k := d.Kwarg("name"); k == nil || k.StringValue == nil || *k.StringValue != "etl-flow" || string(src[k.Span.Start:k.Span.End]) != `name="etl-flow"` {
		t.Errorf("name kwarg %+v", k)
	}
	kinds := []ParamKind{PositionalOnly, PositionalOrKeyword, VarPositional, KeywordOnly, KeywordOnly, VarKeyword}
	for i, p := range etl.Params {
		if p.Kind != kinds[i] {
			t.Errorf("param %s kind %v want %v", p.Name, p.Kind, kinds[i])
		}
		if string(src[p.NameSpan.Start:p.NameSpan.End]) != p.Name {
			t.Errorf("param %s name span %v", p.Name, p.NameSpan)
		}
		if p.HasDefault && string(src[p.DefaultSpan.Start:p.DefaultSpan.End]) != p.Default {
			t.Errorf("param %s default span", p.Name)
		}
		if p.Annotation != "" && string(src[p.AnnotationSpan.Start:p.AnnotationSpan.End]) != p.Annotation {
			t.Errorf("param %s annotation span", p.Name)
		}
	}
	if p := m.Lookup("dotted").Param("c"); p.Annotation != "int" || p.Default != "5" {
		t.Errorf("parenthesised annotation/default not unwrapped: %+v", p)
	}
	if p := m.Lookup("dotted").Param("d"); p.Default != "(6, 7)" {
		t.Errorf("tuple default lost its parentheses: %q", p.Default)
	}
	if f := m.Lookup("aliased"); f.Docstring != "single quoted docstring Aéé\t." {
		t.Errorf("escapes: %q", f.Docstring)
	}
	if f := m.Lookup("Outer.static_flow"); f.Class != "Outer" || f.FlowName != "static" {
		t.Errorf("static_flow %+v", f)
	}
	if f := m.Lookup("Outer.conditional"); f == nil || len(f.Params) != 2 {
		t.Errorf("Lookup should return the last definition: %+v", f)
	}
	for _, name := range []string{"one_liner", "not_doc_fstring", "not_doc_bytes", "not_doc_call"} {
		if f := m.Lookup(name); f == nil || f.HasDocstring {
			t.Errorf("%s: unexpected docstring %+v", name, f)
		}
	}
	if f := m.Lookup("semicolon_doc"); f.Docstring != "doc" {
		t.Errorf("semicolon_doc: %q", f.Docstring)
	}

	// Imports.
	var imps []string
	for _, im := range m.Imports {
		imps = append(imps, im.Bound()+"->"+im.Target())
	}
	if got := strings.Join(imps, " "); !strings.HasPrefix(got, "f->prefect.flow task->prefect.task prefect->prefect pf->prefect flow->prefect.flows.flow") {
		t.Errorf("imports: %s", got)
	}

	// Assignments.
	a := m.Assignment("other")
	if b := m.Assignment("deployment"); a == nil || b == nil || a.Callee != "f" || a.Value != "f(aliased)" || b.Value != a.Value {
		t.Errorf("chained assignment: %+v", a)
	}
	if a := m.Assignment("annotated"); a == nil || a.Callee != "dotted.to_deployment" || a.Kwarg("name") == nil {
		t.Errorf("annotated assignment: %+v", a)
	}
	first := m.Assignments[0]
	for _, as := range m.Assignments {
		if as.Target == "deployment" {
			first = as
			break
		}
	}
	if first.Callee != "etl.with_options" || *first.Kwarg("name").StringValue != "etl-weekly" {
		t.Errorf("with_options assignment: %+v", first)
	}

	// Calls.
	var calls []string
	for _, c := range m.Calls {
		calls = append(calls, c.Receiver+"."+c.Method)
	}
	wantCalls := `dotted.to_deployment etl.serve flow.from_source flow.from_source(
        source="https://github.com/org/repo.git",
        entrypoint="flows.py:etl",
    ).deploy prefect.serve dotted.to_deployment .serve etl.to_deployment`
	if got := strings.Join(calls, " "); got != wantCalls {
		t.Errorf("calls\ngot  %s\nwant %s", got, wantCalls)
	}
	for _, c := range m.Calls {
		if c.Method == "deploy" {
			if k := c.Kwarg("work_pool_name"); k == nil || *k.StringValue != "k8s" {
				t.Errorf("deploy kwargs %+v", c.Kwargs)
			}
		}
		if c.Method == "serve" && c.Receiver == "prefect" {
			if len(c.Args) != 2 || c.Args[0].Value != "deployment" || c.Kwarg("limit").Value != "5" {
				t.Errorf("prefect.serve args %+v", c)
			}
		}
		if got := string(src[c.Span.Start:c.Span.End]); !strings.HasSuffix(got, ")") || !strings.HasPrefix(got, c.Receiver) {
			t.Errorf("call span %q", got)
		}
	}
}

func TestParseEncodings(t *testing.T) {
	m := parseTestdata(t, "latin1_flow.py")
	f := m.Lookup("latin_flow")
	if f == nil || f.FlowName != "café" || f.Docstring != "Résumé." || f.Params[0].Default != `"été"` {
		t.Errorf("latin-1: %+v", f)
	}
	m = parseTestdata(t, "bom_flow.py")
	if f := m.Lookup("bom_flow"); f == nil || !f.IsFlow || f.Docstring != "Döc" {
		t.Errorf("BOM: %+v", f)
	}
	m = parseTestdata(t, "crlf_flow.py")
	if f := m.Lookup("crlf_flow"); f == nil || f.FlowName != "crlf" || f.Docstring != "Doc\n    line two    joined." {
		t.Errorf("CRLF: %+v", f)
	}
}

// TestParseTolerant: files being edited still yield what parses.
func TestParseTolerant(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string // qualnames
	}{
		{"unclosed call before def", "from prefect import flow\nx = foo(\n@flow\ndef a(): pass\n", []string{"a"}},
		{"unclosed params", "def a(x, y\n    return 1\ndef b(): pass\n", []string{"a", "b"}},
		{"missing colon", "def a()\n    pass\ndef b(): pass\n", []string{"a", "b"}},
		{"unterminated docstring", "def a():\n    '''doc\n    return 1\ndef b(): pass\n", []string{"a", "b"}},
		{"bad dedent", "class A:\n    def m(self): pass\n  def n(self): pass\ndef b(): pass\n", []string{"A.m", "n", "b"}},
		{"lambda default in assignment", "x = lambda a=1: a\ndef b(): pass\n(\n", []string{"b"}},
		{"decorator without def", "@flow\nx = 1\ndef b(): pass\n", []string{"b"}},
		{"def without name", "def (x): pass\ndef b(): pass\n", []string{"b"}},
		{"empty", "", nil},
		{"only decorator", "@", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := Parse("x.py", []byte(c.src))
			var got []string
			for _, f := range m.Functions {
				got = append(got, f.Qualname)
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("got %v want %v", got, c.want)
			}
			if c.name == "lambda default in assignment" {
				if a := m.Assignment("x"); a == nil || a.Value != "lambda a=1: a" || m.Assignment("a") != nil {
					t.Errorf("lambda assignment: %+v", m.Assignments)
				}
			}
			if c.src != "" && len(m.Problems) == 0 {
				t.Errorf("expected problems")
			}
			checkSpans(t, m, len(c.src))
		})
	}
}

func TestParse312FStrings(t *testing.T) {
	src := "from prefect import flow\n@flow(name=f\"{'x'}\")\ndef a(s=f\"{d[\"k\"]}\", t=f'{f'{1}'}'): \"doc\"\ndef b(): pass\n"
	m := Parse("x.py", []byte(src))
	if len(m.Problems) > 0 {
		t.Fatal(m.Problems)
	}
	f := m.Lookup("a")
	if f == nil || f.Params[0].Default != `f"{d["k"]}"` || f.Params[1].Default != `f'{f'{1}'}'` || f.Docstring != "doc" || !f.IsFlow || f.FlowName != "" {
		t.Errorf("%+v", f)
	}
	if m.Lookup("b") == nil {
		t.Error("b missing")
	}
}

func TestFlowDecoratorResolution(t *testing.T) {
	cases := []struct {
		src         string
		flow, task  bool
		unknown     bool
		displayName string
	}{
		{"from prefect import flow\n@flow\ndef my_fn(): pass\n", true, false, false, "my-fn"},
		{"from prefect import flow as f\n@f(name='x')\ndef my_fn(): pass\n", true, false, false, "x"},
		{"import prefect as pf\n@pf.flow()\ndef my_fn(): pass\n", true, false, false, "my-fn"},
		{"import prefect.flows\n@prefect.flows.flow\ndef my_fn(): pass\n", true, false, false, "my-fn"},
		{"from prefect import *\n@flow\ndef my_fn(): pass\n", true, false, false, "my-fn"},
		{"@flow\ndef my_fn(): pass\n", true, false, false, "my-fn"},
		{"from prefect import task\n@task\ndef my_fn(): pass\n", false, true, false, "my-fn"},
		{"from mylib import flow\n@flow\ndef my_fn(): pass\n", false, false, true, "my-fn"},
		{"from prefect import flow\n@flow(name=NAME)\ndef my_fn(): pass\n", true, false, false, "my-fn"},
		{"import functools\n@functools.lru_cache()\ndef my_fn(): pass\n", false, false, false, "my-fn"},
		{"@something.else_\ndef my_fn(): pass\n", false, false, true, "my-fn"},
		{"from prefect import flow, task\n@flow\n@task\ndef my_fn(): pass\n", true, false, false, "my-fn"},
	}
	for _, c := range cases {
		f := Parse("x.py", []byte(c.src)).Lookup("my_fn")
		if f == nil {
			t.Fatalf("%q: no function", c.src)
		}
		if f.IsFlow != c.flow || f.IsTask != c.task || f.UnknownDecorators != c.unknown || f.DisplayFlowName() != c.displayName {
			t.Errorf("%q: flow=%v task=%v unknown=%v name=%q", c.src, f.IsFlow, f.IsTask, f.UnknownDecorators, f.DisplayFlowName())
		}
	}
}

func TestCleanDocstring(t *testing.T) {
	if got := CleanDocstring("Summary.\n\n    Args:\n        x: thing\n    "); got != "Summary.\n\nArgs:\n    x: thing" {
		t.Errorf("%q", got)
	}
}

// checkSpans verifies every span lies within the text and is well formed.
func checkSpans(t testing.TB, m *Module, n int) {
	t.Helper()
	bad := func(what string, s interface{ IsValid() bool }, start, end int) {
		if !s.IsValid() || start < 0 || end > n {
			t.Fatalf("%s span {%d %d} outside text of %d bytes", what, start, end, n)
		}
	}
	for _, f := range m.Functions {
		bad("function", f.Span, f.Span.Start, f.Span.End)
		bad("name", f.NameSpan, f.NameSpan.Start, f.NameSpan.End)
		for _, p := range f.Params {
			for _, s := range []struct{ a, b int }{{p.Span.Start, p.Span.End}, {p.NameSpan.Start, p.NameSpan.End}, {p.AnnotationSpan.Start, p.AnnotationSpan.End}, {p.DefaultSpan.Start, p.DefaultSpan.End}} {
				bad("param", p.Span, s.a, s.b)
				if s.b < s.a {
					t.Fatalf("inverted param span")
				}
			}
		}
		for _, d := range f.Decorators {
			bad("decorator", d.Span, d.Span.Start, d.Span.End)
			for _, k := range d.Kwargs {
				bad("kwarg", k.Span, k.Span.Start, k.Span.End)
				bad("kwarg value", k.ValueSpan, k.ValueSpan.Start, k.ValueSpan.End)
			}
		}
	}
	for _, c := range m.Calls {
		bad("call", c.Span, c.Span.Start, c.Span.End)
		bad("receiver", c.ReceiverSpan, c.ReceiverSpan.Start, c.ReceiverSpan.End)
		for _, k := range c.Kwargs {
			bad("call kwarg", k.Span, k.Span.Start, k.Span.End)
		}
	}
	for _, a := range m.Assignments {
		bad("assignment", a.ValueSpan, a.ValueSpan.Start, a.ValueSpan.End)
		bad("target", a.TargetSpan, a.TargetSpan.Start, a.TargetSpan.End)
	}
	for _, im := range m.Imports {
		bad("import", im.Span, im.Span.Start, im.Span.End)
	}
	for _, p := range m.Problems {
		bad("problem", p.Span, p.Span.Start, p.Span.End)
	}
}

func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/fuzz/*.py")
	more, _ := filepath.Glob("testdata/*.py")
	for _, p := range append(seeds, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("def f(:\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		m := Parse("fuzz.py", src)
		checkSpans(t, m, len(src))
		for _, fn := range m.Functions {
			_ = fn.Signature()
			_ = m.Lookup(fn.Qualname)
		}
		toks, _ := Tokenize(src)
		last := 0
		for _, tk := range toks {
			if tk.Start < 0 || tk.End > len(src) || tk.End < tk.Start || tk.Start < last && tk.Kind != Dedent && tk.Kind != EndMarker && tk.Kind != Newline {
				t.Fatalf("bad token %v after %d", tk, last)
			}
			if tk.End > last {
				last = tk.End
			}
		}
		if toks[len(toks)-1].Kind != EndMarker {
			t.Fatal("no ENDMARKER")
		}
	})
}

func BenchmarkParse(b *testing.B) {
	// A large, syntax-rich file: the biggest stdlib module when python3 is
	// around, else the test data repeated.
	var src []byte
	if out, err := execPython("import sysconfig;print(sysconfig.get_paths()['stdlib'])"); err == nil {
		src, _ = os.ReadFile(filepath.Join(strings.TrimSpace(out), "typing.py"))
	}
	if len(src) == 0 {
		one, _ := os.ReadFile("testdata/tricky_flows.py")
		src = []byte(strings.Repeat(string(one)+"\n", 50))
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Parse("bench.py", src)
	}
}

// BenchmarkParseFlowModules parses the flow files of a generated project
// (internal/benchgen), small modules as a project's entrypoints name: the
// first analysis of a prefect.yaml reads each of them.
func BenchmarkParseFlowModules(b *testing.B) {
	files := benchgen.Generate(benchgen.Realistic, benchgen.FlowModules).Files
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	srcs := make([][]byte, len(names))
	size := 0
	for i, name := range names {
		srcs[i] = []byte(files[name])
		size += len(srcs[i])
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for i, name := range names {
			Parse(name, srcs[i])
		}
	}
}

// TestParse312Syntax covers syntax newer than the CPython used as oracle.
func TestParse312Syntax(t *testing.T) {
	src := "type Alias[T] = list[T]\nclass Box[T: (int, str) = int]:\n    def get[U](self, u: U) -> T: ...\ndef first[T, *Ts, **P](xs: list[T], *a: *Ts) -> T:\n    '''doc'''\n"
	m := Parse("x.py", []byte(src))
	if len(m.Problems) > 0 {
		t.Fatal(m.Problems)
	}
	if f := m.Lookup("Box.get"); f == nil || len(f.Params) != 2 || f.Params[1].Annotation != "U" || f.Returns != "T" {
		t.Errorf("Box.get: %+v", f)
	}
	if f := m.Lookup("first"); f == nil || f.Docstring != "doc" || f.Params[1].Annotation != "*Ts" || f.Params[1].Kind != VarPositional {
		t.Errorf("first: %+v", f)
	}
}
