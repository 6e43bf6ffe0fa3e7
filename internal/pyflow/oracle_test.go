package pyflow

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
)

// requirePython returns the python3 path, failing in CI and skipping
// elsewhere when it is missing.
func requirePython(t testing.TB, modules ...string) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err == nil {
		for _, m := range modules {
			if out, err := exec.Command(py, "-c", "import "+m).CombinedOutput(); err != nil {
				err = fmt.Errorf("python module %s: %v: %s", m, err, out)
				if os.Getenv("CI") == "true" {
					t.Fatal(err)
				}
				t.Skip(err)
			}
		}
		return py
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("python3 is required in CI: %v", err)
	}
	t.Skipf("python3 not found: %v", err)
	return ""
}

type oracleParam struct {
	Name       string  `json:"name"`
	Kind       string  `json:"kind"`
	Annotation *string `json:"annotation"`
	Default    *string `json:"default"`
	NamePos    [2]int  `json:"name_pos"`
}

type oracleFunc struct {
	Qualname   string        `json:"qualname"`
	Name       string        `json:"name"`
	Class      string        `json:"class"`
	Async      bool          `json:"async"`
	Decorators []string      `json:"decorators"`
	Params     []oracleParam `json:"params"`
	Returns    *string       `json:"returns"`
	Docstring  *string       `json:"docstring"`
	Pos        [4]int        `json:"pos"`
}

type oracleResult struct {
	Path      string       `json:"path"`
	OK        bool         `json:"ok"`
	Error     string       `json:"error"`
	Encoding  string       `json:"encoding"`
	Functions []oracleFunc `json:"functions"`
}

// runOracle runs testdata/ast_oracle.py once over all paths.
func runOracle(t *testing.T, py string, paths []string) map[string]oracleResult {
	t.Helper()
	cmd := exec.Command(py, "testdata/ast_oracle.py")
	cmd.Stdin = strings.NewReader(strings.Join(paths, "\n") + "\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle failed: %v\n%s", err, stderr.String())
	}
	res := map[string]oracleResult{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<28)
	for sc.Scan() {
		var r oracleResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("bad oracle output: %v", err)
		}
		res[r.Path] = r
	}
	return res
}

// lineStarts returns byte offsets of line starts (1-based index) as
// CPython numbers lines (\n, \r\n, \r), with line 1 after any BOM.
func lineStarts(src []byte) []int {
	starts := []int{0, 0}
	if hasBOM(src) {
		starts[1] = 3
	}
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '\n':
			starts = append(starts, i+1)
		case '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			starts = append(starts, i+1)
		}
	}
	return starts
}

func offset(starts []int, line, col int) int {
	if line <= 0 || line >= len(starts) {
		return -1
	}
	return starts[line] + col
}

func ptr(s string, ok bool) *string {
	if !ok {
		return nil
	}
	return &s
}

func strp(s *string) string {
	if s == nil {
		return "<none>"
	}
	return fmt.Sprintf("%q", *s)
}

// compareWithOracle returns the differences between the scanner's view of
// src and the oracle's.
func compareWithOracle(src []byte, mod *Module, want oracleResult) []string {
	var diffs []string
	checkPos := want.Encoding == "utf-8" || want.Encoding == "utf-8-sig"
	starts := lineStarts(src)
	if len(mod.Functions) != len(want.Functions) {
		var got, exp []string
		for _, f := range mod.Functions {
			got = append(got, f.Qualname)
		}
		for _, f := range want.Functions {
			exp = append(exp, f.Qualname)
		}
		return []string{fmt.Sprintf("functions: got %d %v, want %d %v", len(got), trunc(got), len(exp), trunc(exp))}
	}
	for i, w := range want.Functions {
		g := mod.Functions[i]
		add := func(format string, args ...any) {
			diffs = append(diffs, w.Qualname+": "+fmt.Sprintf(format, args...))
		}
		if g.Qualname != w.Qualname || g.Name != w.Name || g.Class != w.Class || g.Async != w.Async {
			add("header got %q/%q/%q/%v want %q/%q/%q/%v", g.Qualname, g.Name, g.Class, g.Async, w.Qualname, w.Name, w.Class, w.Async)
			continue
		}
		if len(g.Decorators) != len(w.Decorators) {
			add("decorators got %d want %d %q", len(g.Decorators), len(w.Decorators), w.Decorators)
		} else {
			for j, d := range w.Decorators {
				gs := string(src[g.Decorators[j].Span.Start:g.Decorators[j].Span.End])
				if mod.Encoding == "" || checkPos {
					if gs != d {
						add("decorator %d got %q want %q", j, gs, d)
					}
				}
			}
		}
		if strp(ptr(g.Returns, g.Returns != "")) != strp(w.Returns) {
			add("returns got %q want %s", g.Returns, strp(w.Returns))
		}
		if strp(ptr(g.Docstring, g.HasDocstring)) != strp(w.Docstring) {
			add("docstring got %s want %s", trunc1(strp(ptr(g.Docstring, g.HasDocstring))), trunc1(strp(w.Docstring)))
		}
		if len(g.Params) != len(w.Params) {
			add("params got %d want %d", len(g.Params), len(w.Params))
		} else {
			for j, wp := range w.Params {
				gp := g.Params[j]
				if gp.Name != wp.Name || gp.Kind.String() != wp.Kind ||
					strp(ptr(gp.Annotation, gp.Annotation != "")) != strp(wp.Annotation) ||
					strp(ptr(gp.Default, gp.HasDefault)) != strp(wp.Default) {
					add("param %d got %s %s ann=%q def=%s want %s %s ann=%s def=%s", j,
						gp.Name, gp.Kind, gp.Annotation, strp(ptr(gp.Default, gp.HasDefault)),
						wp.Name, wp.Kind, strp(wp.Annotation), strp(wp.Default))
				}
				if checkPos && gp.NameSpan.Start != offset(starts, wp.NamePos[0], wp.NamePos[1]) {
					add("param %s name offset got %d want %d", gp.Name, gp.NameSpan.Start, offset(starts, wp.NamePos[0], wp.NamePos[1]))
				}
			}
		}
		if checkPos {
			ws, we := offset(starts, w.Pos[0], w.Pos[1]), offset(starts, w.Pos[2], w.Pos[3])
			if g.Span.Start != ws || g.Span.End != we {
				add("span got %v want {%d %d}", g.Span, ws, we)
			}
			if string(src[g.NameSpan.Start:g.NameSpan.End]) != g.Name {
				add("name span %v does not cover the name", g.NameSpan)
			}
		}
	}
	return diffs
}

func trunc(s []string) []string {
	if len(s) > 8 {
		return append(s[:8:8], "...")
	}
	return s
}

func trunc1(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

func stdlibFiles(t *testing.T, py string) []string {
	out, err := exec.Command(py, "-c", `import sysconfig;print(sysconfig.get_paths()["stdlib"])`).Output()
	if err != nil {
		t.Fatalf("locating the stdlib: %v", err)
	}
	root := strings.TrimSpace(string(out))
	var files []string
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && (d.Name() == "site-packages" || d.Name() == "dist-packages" || d.Name() == "__pycache__") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".py") && d.Type().IsRegular() {
			files = append(files, path)
		}
		return nil
	})
	return files
}

// TestDifferentialCPython compares the scanner with CPython's ast on every
// stdlib file and on testdata/*.py.
func TestDifferentialCPython(t *testing.T) {
	py := requirePython(t)
	files := stdlibFiles(t, py)
	if testing.Short() && len(files) > 300 {
		files = files[:300]
	}
	local, _ := filepath.Glob("testdata/*.py")
	for _, f := range local {
		abs, _ := filepath.Abs(f)
		files = append(files, abs)
	}
	// Parse on the Go side while the oracle runs.
	type parsed struct {
		src []byte
		mod *Module
	}
	mods := make([]parsed, len(files))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if src, err := os.ReadFile(files[i]); err == nil {
					mods[i] = parsed{src, Parse(files[i], src)}
				}
			}
		}()
	}
	go func() {
		for i := range files {
			next <- i
		}
		close(next)
	}()
	oracle := runOracle(t, py, files)
	wg.Wait()
	var agree, compared, pyFailed, scannerProblems int
	var failures []string
	for i, path := range files {
		want, ok := oracle[path]
		if !ok {
			t.Errorf("no oracle result for %s", path)
			continue
		}
		if !want.OK {
			pyFailed++
			continue
		}
		src, mod := mods[i].src, mods[i].mod
		if mod == nil {
			t.Fatalf("could not read %s", path)
		}
		compared++
		diffs := compareWithOracle(src, mod, want)
		if len(mod.Problems) > 0 {
			scannerProblems++
			diffs = append(diffs, fmt.Sprintf("scanner problems on a file CPython parses: %v", mod.Problems[0]))
		}
		if len(diffs) == 0 {
			agree++
			continue
		}
		if len(diffs) > 3 {
			diffs = append(diffs[:3], "...")
		}
		failures = append(failures, path+":\n    "+strings.Join(diffs, "\n    "))
	}
	sort.Strings(failures)
	rate := 100 * float64(agree) / float64(max(compared, 1))
	t.Logf("agreement with CPython %s ast: %d/%d files (%.2f%%); %d files CPython cannot parse were skipped; %d files with scanner problems",
		strings.TrimSpace(pyVersion(py)), agree, compared, rate, pyFailed, scannerProblems)
	for i, f := range failures {
		if i == 30 {
			t.Errorf("... and %d more", len(failures)-30)
			break
		}
		t.Errorf("disagreement: %s", f)
	}
}

func pyVersion(py string) string {
	out, _ := exec.Command(py, "-c", "import sys;print(sys.version.split()[0])").Output()
	return string(out)
}

func execPython(code string) (string, error) {
	out, err := exec.Command("python3", "-c", code).Output()
	return string(out), err
}
