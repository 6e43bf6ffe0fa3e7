package features

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

const flowPy = `from prefect import flow, task


@flow(name="orders")
def load_orders(day: int, region: str = "eu", dry_run: bool = False, limit=None, *args, **kwargs):
    """Load the day's orders.

    Args:
        day (int): The day of the month,
            one-based.
        region: Where the shop runs.
    """


@flow
async def report(when: "datetime.date" = today(), title: str = 'It''s'):
    """Report.

    Parameters
    ----------
    when : date
        The report's date.
    title : str
        Its title.
    """


@task
def helper(x): ...


class Jobs:
    @flow
    def nightly(self, level: int = 3):
        """:param level: How thorough."""
`

// flowSnapshot writes flowPy to flows/etl.py under a fresh root and returns
// a snapshot of text as root/prefect.yaml.
func flowSnapshot(t *testing.T, text string) *lsp.Snapshot {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "flows"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "flows", "etl.py"), []byte(flowPy), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "prefect.yaml")
	return &lsp.Snapshot{Path: path, Root: root, File: source.NewFile(path, text), Env: &analysis.Env{}}
}

// cursor returns text with the "|" marker removed and its offset.
func cursor(marked string) (string, int) {
	i := strings.Index(marked, "|")
	return marked[:i] + marked[i+1:], i
}

func flowLabels(items []lsp.CompletionItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Label)
	}
	return out
}

func TestEntrypointCompletion(t *testing.T) {
	for _, marked := range []string{
		"deployments:\n  - name: a\n    entrypoint: |\n",
		"deployments:\n  - name: a\n    entrypoint: flows/e|\n",
		"deployments:\n  - name: a\n    entrypoint: \"flows/|\"\n",
		"deployments:\n  - entrypoint: fl|tl.py  # keep\n",
	} {
		text, off := cursor(marked)
		s := flowSnapshot(t, text)
		items := Flows{}.Complete(context.Background(), s, off)
		ls := flowLabels(items)
		sort.Strings(ls)
		if got := strings.Join(ls, " "); got != "flows/etl.py:Jobs.nightly flows/etl.py:load_orders flows/etl.py:report" {
			t.Fatalf("%q: labels %q", marked, got)
		}
		var it lsp.CompletionItem
		for _, x := range items {
			if x.Label == "flows/etl.py:load_orders" {
				it = x
			}
		}
		if it.Detail != "orders" || !strings.Contains(it.Documentation, "def load_orders(day: int, region: str = \"eu\"") || !strings.Contains(it.Documentation, "Load the day's orders.") {
			t.Errorf("item %+v", it)
		}
		// Replacing the value leaves quotes and comments alone.
		applied, err := source.Apply(text, []source.Edit{{Span: it.Replace, NewText: it.InsertText}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(applied, "entrypoint: flows/etl.py:load_orders\n") && !strings.Contains(applied, `entrypoint: "flows/etl.py:load_orders"`) && !strings.Contains(applied, "entrypoint: flows/etl.py:load_orders  # keep\n") {
			t.Errorf("%q applied:\n%s", marked, applied)
		}
	}
	// A dotted value may be the module form: offered after the file forms,
	// for plain functions only.
	for _, marked := range []string{
		"deployments:\n  - name: a\n    entrypoint: flows.e|\n",
		"deployments:\n  - name: a\n    entrypoint: 'flows.etl.|'\n",
	} {
		text, off := cursor(marked)
		items := Flows{}.Complete(context.Background(), flowSnapshot(t, text), off)
		if got := strings.Join(flowLabels(items), " "); got != "flows/etl.py:load_orders flows/etl.py:report flows/etl.py:Jobs.nightly flows.etl.load_orders flows.etl.report" {
			t.Fatalf("%q: labels %q", marked, got)
		}
		it := items[len(items)-1]
		if it.SortText <= items[0].SortText || !strings.Contains(it.Documentation, "Module form of `flows/etl.py:report`") {
			t.Errorf("module item %+v", it)
		}
		applied, err := source.Apply(text, []source.Edit{{Span: it.Replace, NewText: it.InsertText}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(applied, "entrypoint: flows.etl.report\n") && !strings.Contains(applied, "entrypoint: 'flows.etl.report'\n") {
			t.Errorf("%q applied:\n%s", marked, applied)
		}
	}
	// Not in an entrypoint value: nothing.
	text, off := cursor("deployments:\n  - name: |\n")
	if items := (Flows{}).Complete(context.Background(), flowSnapshot(t, text), off); len(items) != 0 {
		t.Errorf("name value: %v", flowLabels(items))
	}
	text, off = cursor("deployments:\n  - name: a\n    |entrypoint: x\n")
	if items := (Flows{}).Complete(context.Background(), flowSnapshot(t, text), off); len(items) != 0 {
		t.Errorf("before the key: %v", flowLabels(items))
	}
}

func TestParameterCompletion(t *testing.T) {
	cases := []struct {
		marked string
		want   string
	}{
		{"deployments:\n  - name: a\n    entrypoint: flows/etl.py:load_orders\n    parameters:\n      region: us\n      |\n", "day dry_run limit"},
		{"deployments:\n  - name: a\n    entrypoint: flows/etl.py:load_orders\n    parameters:\n      region: us\n      d|\n    work_pool:\n      name: x\n", "day dry_run limit"},
		{"deployments:\n  - name: a\n    parameters:\n      |\n    entrypoint: flows/etl.py:load_orders\n", "day region dry_run limit"},
		{"deployments:\n  - name: a\n    entrypoint: flows/etl.py:load_orders\n    schedules:\n      - cron: '0 6 * * *'\n        parameters:\n          day: 2\n          |\n", "region dry_run limit"},
		{"deployments:\n  - name: a\n    entrypoint: flows/etl.py:Jobs.nightly\n    parameters:\n      |\n", "level"},
		// Not a key position, not under parameters, or no flow.
		{"deployments:\n  - name: a\n    entrypoint: flows/etl.py:load_orders\n    parameters:\n      region: |\n", ""},
		{"deployments:\n  - name: a\n    entrypoint: flows/etl.py:load_orders\n    |\n", ""},
		{"deployments:\n  - name: a\n    entrypoint: flows/etl.py:nope\n    parameters:\n      |\n", ""},
		{"deployments:\n  - name: a\n    entrypoint: flows/etl.py:load_orders\n    job_variables:\n      |\n", ""},
	}
	for _, c := range cases {
		text, off := cursor(c.marked)
		items := Flows{}.Complete(context.Background(), flowSnapshot(t, text), off)
		if got := strings.Join(flowLabels(items), " "); got != c.want {
			t.Errorf("%q: labels %q, want %q", c.marked, got, c.want)
		}
	}
	text, off := cursor("deployments:\n  - entrypoint: flows/etl.py:load_orders\n    parameters:\n      re|\n")
	items := Flows{}.Complete(context.Background(), flowSnapshot(t, text), off)
	byLabel := map[string]lsp.CompletionItem{}
	for _, it := range items {
		byLabel[it.Label] = it
	}
	r := byLabel["region"]
	if r.InsertText != `region: ${1:"eu"}` || !r.Snippet || r.Detail != `str = "eu"` || !strings.Contains(r.Documentation, "Where the shop runs.") {
		t.Errorf("region item %+v", r)
	}
	if got := text[r.Replace.Start:r.Replace.End]; got != "re" {
		t.Errorf("replaces %q", got)
	}
	if d := byLabel["day"]; d.InsertText != "day: ${1}" || d.Detail != "int (required)" {
		t.Errorf("day item %+v", d)
	}
	if d := byLabel["dry_run"]; d.InsertText != "dry_run: ${1:false}" {
		t.Errorf("dry_run item %+v", d)
	}
	if d := byLabel["limit"]; d.InsertText != "limit: ${1:null}" || d.Detail != "= None" {
		t.Errorf("limit item %+v", d)
	}
}

const paramsYAML = `deployments:
  - name: a
    entrypoint: flows/etl.py:load_orders
    parameters:
      day: 3
      region: us
  - name: b
    entrypoint: flows/etl.py:report
    parameters:
      title: x
  - name: c
    entrypoint: flows/etl.py:Jobs.nightly
    parameters: {level: 1}
`

func TestParameterHoverAndDefinition(t *testing.T) {
	s := flowSnapshot(t, paramsYAML)
	ctx := context.Background()
	py := filepath.Join(s.Root, "flows", "etl.py")
	for _, c := range []struct{ key, def, hover string }{
		{"day: 3", "day", "The day of the month, one-based."},
		{"region: us", "region", "Where the shop runs."},
		{"title: x", "title", "Its title."},
		{"level: 1", "level", "How thorough."},
	} {
		off := strings.Index(paramsYAML, c.key) + 1
		h := Flows{}.Hover(ctx, s, off)
		if h == nil || !strings.Contains(h.Markdown, c.hover) || !strings.Contains(h.Markdown, "`"+c.def+"`") {
			t.Errorf("%s: hover %+v", c.key, h)
		} else if got := s.File.Slice(h.Span); got != c.def {
			t.Errorf("%s: hover span %q", c.key, got)
		}
		locs := Flows{}.Definition(ctx, s, off)
		if len(locs) != 1 || locs[0].Path != py {
			t.Fatalf("%s: definition %+v", c.key, locs)
		}
		if got := flowPy[locs[0].Span.Start:locs[0].Span.End]; got != c.def {
			t.Errorf("%s: definition text %q", c.key, got)
		}
	}
	h := Flows{}.Hover(ctx, s, strings.Index(paramsYAML, "day: 3"))
	if h == nil || !strings.Contains(h.Markdown, "day: int") || !strings.Contains(h.Markdown, "Required") || !strings.Contains(h.Markdown, "`orders`") {
		t.Errorf("day hover %+v", h)
	}
	// Values and other keys: nothing.
	for _, at := range []string{"3\n", "us\n", "name: a", "entrypoint: flows/etl.py:report"} {
		off := strings.Index(paramsYAML, at)
		if h := (Flows{}).Hover(ctx, s, off); h != nil {
			t.Errorf("hover at %q: %+v", at, h)
		}
		if l := (Flows{}).Definition(ctx, s, off); l != nil {
			t.Errorf("definition at %q: %+v", at, l)
		}
	}
}

func TestDefaultsInlayHints(t *testing.T) {
	text := paramsYAML + `  - name: d
    entrypoint: flows/etl.py:load_orders  # no parameters key
  - name: e
    entrypoint: flows/etl.py:report
    parameters:
      when: 2024-01-01
      title: t
  - name: f
    entrypoint: flows/missing.py:x
`
	s := flowSnapshot(t, text)
	hints := Flows{}.InlayHints(context.Background(), s, source.Span{End: len(text)})
	var got []string
	for _, h := range hints {
		line := s.File.LineOf(h.Offset)
		before := s.File.Slice(source.Span{Start: s.File.LineStart(line), End: h.Offset})
		got = append(got, strings.TrimSpace(before)+" => "+h.Label)
		if !h.PaddingLeft || !strings.Contains(h.Tooltip, "```python") {
			t.Errorf("hint %+v", h)
		}
	}
	want := []string{
		// a sets day and region: dry_run and limit keep their defaults.
		"parameters: => dry_run=False, limit=None",
		// b leaves when unset (not a literal: shown as written).
		"parameters: => when=today()",
		// c sets level in a flow mapping: no hint. d has no parameters
		// key: after the entrypoint, before the comment.
		`entrypoint: flows/etl.py:load_orders => region="eu", dry_run=False, limit=None`,
		// e sets everything; f does not resolve.
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("hints:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A range covering only deployment d.
	start := strings.Index(text, "- name: d")
	only := Flows{}.InlayHints(context.Background(), s, source.Span{Start: start, End: start + 10})
	if len(only) != 1 || !strings.HasPrefix(only[0].Label, "region=") {
		t.Errorf("ranged hints %+v", only)
	}
}

func TestDefaultsHintIsBounded(t *testing.T) {
	root := t.TempDir()
	var b strings.Builder
	b.WriteString("from prefect import flow\n@flow\ndef big(")
	for i := 0; i < 40; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("p" + strings.Repeat("x", i%5) + "_" + string(rune('a'+i%26)) + ": str = '" + strings.Repeat("v", 50) + "'")
	}
	b.WriteString("): ...\n")
	if err := os.WriteFile(filepath.Join(root, "big.py"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	text := "deployments:\n  - name: a\n    entrypoint: big.py:big\n"
	path := filepath.Join(root, "prefect.yaml")
	s := &lsp.Snapshot{Path: path, Root: root, File: source.NewFile(path, text), Env: &analysis.Env{}}
	hints := Flows{}.InlayHints(context.Background(), s, source.Span{End: len(text)})
	if len(hints) != 1 || len([]rune(hints[0].Label)) > maxHintLen+20 || !strings.Contains(hints[0].Label, "more") {
		t.Fatalf("hints %+v", hints)
	}
}

func TestParamDescription(t *testing.T) {
	doc := "Summary.\n\nArgs:\n    a: First\n        continued.\n    b (int, optional): Second.\n\nReturns:\n    c: not a parameter.\n"
	for name, want := range map[string]string{"a": "First continued.", "b": "Second.", "c": "", "z": ""} {
		if got := paramDescription(doc, name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	numpy := "S.\n\nParameters\n----------\nx : int\n    The x.\ny\n    The y.\n\nReturns\n-------\nz : int\n    Not one.\n"
	for name, want := range map[string]string{"x": "The x.", "y": "The y.", "z": ""} {
		if got := paramDescription(numpy, name); got != want {
			t.Errorf("numpy %s: %q, want %q", name, got, want)
		}
	}
	if got := paramDescription(":param str q: The q.\n:returns: r", "q"); got != "The q." {
		t.Errorf("sphinx: %q", got)
	}
}

func TestYAMLDefault(t *testing.T) {
	for py, want := range map[string]string{"None": "null", "True": "true", "1_000": "1000", "-2.5": "-2.5", `"eu"`: `"eu"`, `'a"b'`: `"a\"b"`, "[]": "[]", "()": "[]"} {
		if got, ok := yamlDefault(py); !ok || got != want {
			t.Errorf("%s: %q %v, want %q", py, got, ok, want)
		}
	}
	for _, py := range []string{"today()", "Region.EU", `"a\n"`, `f"x"`, `"""doc"""`, "[1, x]"} {
		if got, ok := yamlDefault(py); ok {
			t.Errorf("%s: %q accepted", py, got)
		}
	}
}
