package pyflow

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestParseEntrypoint(t *testing.T) {
	cases := []struct {
		raw, path, module, fn string
		err                   bool
	}{
		{raw: "flows/etl.py:etl", path: "flows/etl.py", fn: "etl"},
		{raw: "flows.py:Pipelines.run", path: "flows.py", fn: "Pipelines.run"},
		{raw: `C:\proj\flows.py:etl`, path: `C:\proj\flows.py`, fn: "etl"},
		{raw: "a:b.py:etl", path: "a:b.py", fn: "etl"},
		{raw: "pkg.flows.etl", module: "pkg.flows", fn: "etl"},
		{raw: "flows.py", err: true},
		{raw: "flows/etl", err: true},
		{raw: "etl", err: true},
		{raw: "", err: true},
		{raw: "flows.py:", err: true},
		{raw: ":etl", err: true},
		{raw: "flows.py:my-flow", err: true},
		{raw: "flows.py:1st", err: true},
		{raw: "pkg..etl", err: true},
		{raw: "flows.py:class", err: true},
		{raw: "flows.py:etl-flow", err: true},
	}
	for _, c := range cases {
		ep, err := ParseEntrypoint(c.raw)
		if (err != nil) != c.err {
			t.Errorf("%q: err = %v", c.raw, err)
			continue
		}
		if err != nil {
			ee, ok := err.(*EntrypointError)
			if !ok || ee.Span.Start < 0 || ee.Span.End > len(c.raw) || ee.Message == "" {
				t.Errorf("%q: bad error %#v", c.raw, err)
			}
			continue
		}
		if ep.Path != c.path || ep.Module != c.module || ep.Func != c.fn {
			t.Errorf("%q: got %+v", c.raw, ep)
		}
		part := c.path + c.module
		if c.raw[ep.PathSpan.Start:ep.PathSpan.End] != part || c.raw[ep.FuncSpan.Start:ep.FuncSpan.End] != c.fn {
			t.Errorf("%q: spans %v %v", c.raw, ep.PathSpan, ep.FuncSpan)
		}
	}
}

const flowsPy = `from prefect import flow, task

@flow(name="etl-flow")
def etl(x: int = 1): pass

@task
def load(): pass

def helper(): pass

class Pipelines:
    @flow
    def run(self): pass

weekly = etl.with_options(name="weekly")
wrapped = flow(helper)
mystery = make_thing()
from .other import imported_flow
`

func TestResolveEntrypoint(t *testing.T) {
	root := writeFiles(t, map[string]string{
		"flows/etl.py":              flowsPy,
		"src/pkg/__init__.py":       "",
		"src/pkg/jobs.py":           "from prefect import flow\n@flow\ndef job(): pass\n",
		"flows/other.py":            "",
		".venv/lib/x.py":            "from prefect import flow\n@flow\ndef hidden(): pass\n",
		"node_modules/y.py":         "from prefect import flow\n@flow\ndef hidden(): pass\n",
		"deep/nested/dir/report.py": "from prefect import flow\n@flow\ndef report(): pass\n",
	})
	p := NewProject()
	cases := []struct {
		raw     string
		failure FailureKind
		fn      string
		suggest string
	}{
		{"flows/etl.py:etl", Resolved, "etl", ""},
		{"./flows/etl.py:Pipelines.run", Resolved, "Pipelines.run", ""},
		{"flows/etl.py:weekly", Resolved, "etl", ""},
		{"flows/etl.py:wrapped", Resolved, "helper", ""},
		{"flows/etl.py:mystery", NotStatic, "", ""},
		{"flows/etl.py:imported_flow", NotStatic, "", ""},
		{"flows/etl.py:load", NotAFlow, "load", ""},
		{"flows/etl.py:helper", NotAFlow, "helper", ""},
		{"flows/etl.py:etll", FunctionNotFound, "", "etl"},
		{"flows/etl.py:etl_flow", FunctionNotFound, "", "etl"},
		{"flows/etl.py:Pipelines.runn", FunctionNotFound, "", "Pipelines.run"},
		{"flow/etl.py:etl", FileNotFound, "", "flows/etl.py"},
		{"report.py:report", FileNotFound, "", "deep/nested/dir/report.py"},
		{"pkg.jobs.job", Resolved, "job", ""},
		{"pkg.missing.job", ModuleNotFound, "", ""},
	}
	for _, c := range cases {
		ep, err := ParseEntrypoint(c.raw)
		if err != nil {
			t.Fatalf("%q: %v", c.raw, err)
		}
		r := p.ResolveEntrypoint(root, ep)
		if r.Failure != c.failure {
			t.Errorf("%q: failure %v (%s), want %v", c.raw, r.Failure, r.Message, c.failure)
			continue
		}
		if r.Failure != Resolved && r.Message == "" {
			t.Errorf("%q: no message", c.raw)
		}
		if c.fn != "" && (r.Function == nil || r.Function.Qualname != c.fn) {
			t.Errorf("%q: function %+v", c.raw, r.Function)
		}
		if c.suggest != "" && (len(r.Suggestions) == 0 || r.Suggestions[0] != c.suggest) {
			t.Errorf("%q: suggestions %v, want first %q", c.raw, r.Suggestions, c.suggest)
		}
		if c.raw == "flows/etl.py:load" && !strings.Contains(r.Message, "task") {
			t.Errorf("task not called out: %s", r.Message)
		}
	}

	var eps []string
	for _, f := range p.FindFlows(root) {
		eps = append(eps, f.Entrypoint)
	}
	if got := strings.Join(eps, " "); got != "deep/nested/dir/report.py:report flows/etl.py:etl flows/etl.py:Pipelines.run src/pkg/jobs.py:job" {
		t.Errorf("FindFlows: %s", got)
	}
}

func TestProjectCacheAndOverlay(t *testing.T) {
	root := writeFiles(t, map[string]string{"f.py": "def a(): pass\n"})
	path := filepath.Join(root, "f.py")
	p := NewProject()
	m1, err := p.Module(path)
	if err != nil || m1.Lookup("a") == nil {
		t.Fatal(err)
	}
	if m2, _ := p.Module(path); m2 != m1 {
		t.Error("unchanged file was re-parsed")
	}
	os.WriteFile(path, []byte("def b(): pass\n"), 0o644)
	future := time.Now().Add(time.Hour)
	os.Chtimes(path, future, future)
	if m3, _ := p.Module(path); m3 == m1 || m3.Lookup("b") == nil {
		t.Error("changed file was not re-parsed")
	}
	p.SetOverlay(path, 1, []byte("def c(): pass\n"))
	if m, _ := p.Module(path); m.Lookup("c") == nil {
		t.Error("overlay ignored")
	}
	p.SetOverlay(path, 2, []byte("def d(): pass\n"))
	if m, _ := p.Module(path); m.Lookup("d") == nil {
		t.Error("new overlay version ignored")
	}
	p.RemoveOverlay(path)
	if m, _ := p.Module(path); m.Lookup("b") == nil {
		t.Error("disk not used after RemoveOverlay")
	}
	if _, err := p.Module(filepath.Join(root, "missing.py")); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
	// Overlay for a file not on disk yet counts for resolution.
	p.SetOverlay(filepath.Join(root, "new.py"), 1, []byte("from prefect import flow\n@flow\ndef fresh(): pass\n"))
	ep, _ := ParseEntrypoint("new.py:fresh")
	if r := p.ResolveEntrypoint(root, ep); !r.OK() {
		t.Errorf("overlay-only file: %+v", r)
	}

	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				p.SetOverlay(path, int32(j), []byte("def e(): pass\n"))
				p.Module(path)
				p.FindFlows(root)
				if j%10 == 0 {
					p.RemoveOverlay(path)
				}
			}
		}(i)
	}
	wg.Wait()
}

// TestConcurrentReadsShareOneParse: callers that ask for the same file at
// once get the one module a single read parsed.
func TestConcurrentReadsShareOneParse(t *testing.T) {
	src := strings.Repeat("def f(a: int, b: str = 'x'):\n    return a\n\n", 2000)
	root := writeFiles(t, map[string]string{"big.py": src})
	path := filepath.Join(root, "big.py")
	for round := 0; round < 5; round++ {
		p := NewProject()
		const n = 8
		mods := make([]*Module, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				m, err := p.Module(path)
				if err != nil {
					t.Error(err)
				}
				mods[i] = m
			})
		}
		close(start)
		wg.Wait()
		for i, m := range mods {
			if m == nil || m != mods[0] {
				t.Fatalf("round %d: caller %d got module %p, caller 0 got %p: the file was parsed more than once", round, i, m, mods[0])
			}
		}
	}
}

// TestTrustCache: a trusting project answers existence and module lookups
// from memory until InvalidateListings; an untrusting one asks the disk
// every time.
func TestTrustCache(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "flows", "etl.py")
	ep := Entrypoint{Raw: "flows/etl.py:etl", Path: "flows/etl.py", Func: "etl"}
	write := func(src string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	trusting, plain := NewProject(), NewProject()
	trusting.TrustCache(true)
	for _, p := range []*Project{trusting, plain} {
		if r := p.ResolveEntrypoint(root, ep); r.Failure != FileNotFound {
			t.Fatalf("before the file exists: %v", r.Failure)
		}
	}
	if trusting.LooksLikePythonProject(root) || plain.LooksLikePythonProject(root) {
		t.Fatal("an empty folder looks like a Python project")
	}
	write("from prefect import flow\n\n@flow\ndef etl():\n    pass\n")
	if r := plain.ResolveEntrypoint(root, ep); !r.OK() {
		t.Errorf("untrusting project: %v %s", r.Failure, r.Message)
	}
	if r := trusting.ResolveEntrypoint(root, ep); r.Failure != FileNotFound {
		t.Errorf("trusting project saw the new file before being told: %v", r.Failure)
	}
	trusting.InvalidateListings()
	if r := trusting.ResolveEntrypoint(root, ep); !r.OK() {
		t.Errorf("after InvalidateListings: %v %s", r.Failure, r.Message)
	}
	if !trusting.LooksLikePythonProject(root) {
		t.Error("a folder with a .py file does not look like a Python project")
	}
	// A changed module is re-read after the change is reported.
	write("def etl():\n    pass\n")
	trusting.InvalidateListings()
	if r := trusting.ResolveEntrypoint(root, ep); r.Failure != NotAFlow {
		t.Errorf("after the decorator was removed: %v", r.Failure)
	}
}

func TestModuleEntrypoint(t *testing.T) {
	flow := "from prefect import flow\n\n@flow\ndef run():\n    pass\n\nclass Jobs:\n    @flow\n    def nightly(self):\n        pass\n"
	root := writeFiles(t, map[string]string{
		"flows/etl.py":         flow,
		"pkg/__init__.py":      flow,
		"src/lib/jobs.py":      flow,
		"src/lib2/jobs.py":     flow,
		"lib2/jobs.py":         flow, // shadows src/lib2/jobs.py for lib2.jobs
		"my-flows/etl.py":      flow,
		"class/etl.py":         flow,
		"top.py":               flow,
		"__init__.py":          flow,
		"flows/v1.2/ingest.py": flow,
		"flows/with_main.py":   flow,
	})
	p := NewProject()
	got := map[string]string{}
	for _, fr := range p.FindFlows(root) {
		if m, ok := p.ModuleEntrypoint(root, fr); ok {
			got[fr.Entrypoint] = m
			// The module form resolves to the same flow.
			ep, err := ParseEntrypoint(m)
			if err != nil {
				t.Fatalf("%s: %v", m, err)
			}
			if r := p.ResolveEntrypoint(root, ep); !r.OK() || r.File != fr.Path || r.Function.Qualname != fr.Function.Qualname {
				t.Errorf("%s resolves to %s %v, not %s", m, r.File, r.Function, fr.Entrypoint)
			}
		}
	}
	want := map[string]string{
		"flows/etl.py:run":       "flows.etl.run",
		"pkg/__init__.py:run":    "pkg.run",
		"src/lib/jobs.py:run":    "lib.jobs.run",
		"src/lib2/jobs.py:run":   "src.lib2.jobs.run", // lib2.jobs names lib2/jobs.py
		"lib2/jobs.py:run":       "lib2.jobs.run",
		"top.py:run":             "top.run",
		"flows/with_main.py:run": "flows.with_main.run",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: module form %q, want %q", k, got[k], v)
		}
	}
	for k, v := range got {
		if want[k] == "" {
			t.Errorf("%s: unexpected module form %q (methods, hyphens, keywords, dots in folders and the root __init__.py have none)", k, v)
		}
	}
}
