// Command bench measures prefect-lsp's editor latency over stdio, the way an
// editor drives it, on generated prefect.yaml files of several sizes:
//
//	go run ./internal/lsp/bench -bin path/to/prefect-lsp [-sizes 10,100,1000,5000] [-yls=false]
//
// For each size it starts a fresh server and reports initialize time,
// didOpen→publishDiagnostics for the server's first document, didChange→matching publish (p50/p95), hover
// and completion p95, a hover right after each of a second series of
// edits (1st req p50 and p95: the first request on a new version, which
// builds its tree from the earlier one's or, when it cannot, reads the
// whole file) with the edit p95 of that series (ed+req95), peak RSS
// (VmHWM from /proc/<pid>/status) and the server's page faults during
// each open (from /proc/<pid>/stat), next to a bare go.yaml.in/yaml/v4 parse of the same text into a yaml.Node, timed
// both in this warm process (best of five: the budget's basis) and as the
// first work of a new process (the like-for-like basis of a fresh server's
// first document, shown next to the verdicts). The edits start -settle
// after the open's diagnostics (a user types into a file some time after
// it is shown; the server collects the open's garbage in that time): with
// -settle 0 the first edits also pay for that collection. With
// -yls it runs yaml-language-server (npm; installed into a temporary folder
// when missing) with Prefect's official schema on the same files and
// prints the ratios. With -runs N each size is measured on N fresh servers
// and reported as the medians (peak RSS: the largest), so that one slow
// moment of a shared machine does not decide a verdict. It also prints what a page fault costs on the
// machine. Without -bin it serves internal/lsp in a child process of itself
// (-serve). It is not a test: timings are reported, never asserted.
package main

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	yaml "go.yaml.in/yaml/v4"

	"github.com/prefect-lsp/prefect-lsp/internal/benchgen"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp"
)

func main() {
	bin := flag.String("bin", "", "server binary (default: this program with -serve)")
	args := flag.String("args", "", "extra arguments for -bin, space separated (e.g. \"serve\")")
	sizes := flag.String("sizes", "10,100,1000,5000", "deployment counts")
	shapes := flag.String("shape", "realistic,small", "file shapes, comma separated: realistic (about 900 bytes a deployment) and/or small (about 270)")
	edits := flag.Int("edits", 30, "didChange samples per size")
	runs := flag.Int("runs", 1, "fresh servers per size: each column is the median of the runs (RSS and page faults: the largest), each parse the median of one taken next to each run; 3 or more give verdicts a noisy machine does not flip")
	queries := flag.Int("queries", 100, "hover and completion samples per size")
	yls := flag.Bool("yls", true, "also run yaml-language-server")
	ylsMax := flag.Int("yls-max", 1000, "largest size given to yaml-language-server")
	ylsTimeout := flag.Duration("yls-timeout", 3*time.Minute, "give up on one yaml-language-server measurement after this")
	schemaPath := flag.String("schema", "", "Prefect's prefect.yaml schema for yaml-language-server (default: ../shared/reference/data/prefect.yaml.schema.json)")
	serve := flag.Bool("serve", false, "serve LSP on stdio (used as the default server)")
	warmDoc := flag.Bool("warm-doc", false, "open a 2-deployment document first (the cold open column), so that the measured open is the fresh process's second document")
	settle := flag.Duration("settle", 300*time.Millisecond, "pause between the open's diagnostics and the first edit (0: none)")
	stderrPath := flag.String("server-stderr", "", "append the servers' standard error to this file (default: discarded)")
	parseOnce := flag.String("parse-once", "", "parse FILE once as the bare parse does, print the nanoseconds it took and exit (used for the fresh-process parse)")
	flag.Parse()
	if *stderrPath != "" {
		f, err := os.OpenFile(*stderrPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		must(err)
		defer f.Close()
		serverStderr = f
	}
	if *parseOnce != "" {
		b, err := os.ReadFile(*parseOnce)
		must(err)
		start := time.Now()
		var n yaml.Node
		_ = yaml.Unmarshal(b, &n)
		fmt.Println(time.Since(start).Nanoseconds())
		return
	}
	if *serve {
		err := lsp.Serve(context.Background(), lsp.StdioConn(), lsp.Options{Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
		if err != nil {
			os.Exit(1)
		}
		return
	}
	cmd := []string{*bin}
	if *bin == "" {
		self, err := os.Executable()
		must(err)
		cmd = []string{self, "-serve"}
	} else if *args != "" {
		cmd = append(cmd, strings.Fields(*args)...)
	}
	var ns []int
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		must(err)
		ns = append(ns, n)
	}
	var shapeList []benchgen.Shape
	for _, s := range strings.Split(*shapes, ",") {
		sh, err := benchgen.ParseShape(strings.TrimSpace(s))
		must(err)
		shapeList = append(shapeList, sh)
	}
	dir, err := os.MkdirTemp("", "lspbench")
	must(err)
	defer os.RemoveAll(dir)

	var ylsCmd []string
	if *yls {
		ylsCmd = findYLS(dir)
		if ylsCmd == nil {
			fmt.Println("yaml-language-server: unreachable (not on PATH and `npm install yaml-language-server` failed); skipped")
		}
		if *schemaPath == "" {
			*schemaPath = findSchema()
		}
	}

	fmt.Printf("server: %s\n", strings.Join(cmd, " "))
	if interp := elfInterpreter(cmd[0]); interp != "" {
		fmt.Printf("note: the server binary is dynamically linked (%s, a cgo build): its RSS includes the C library's pages; release builds are static (CGO_ENABLED=0, see the Makefile)\n", interp)
	}
	var results []result
	for _, shape := range shapeList {
		fmt.Printf("\nshape %s\n", shape)
		fmt.Printf("%-6s %8s %9s %10s %9s %10s %9s %9s %9s %9s %9s %9s %9s %9s %9s %8s %8s %9s %10s\n", "deps", "KiB", "parse", "new parse", "init", "cold open", "open", "reopen", "edit p50", "edit p95", "hover95", "compl95", "1st req", "1st p95", "ed+req95", "RSS MiB", "file MiB", "open flt", "reopen flt")
		for _, n := range ns {
			project := benchgen.Generate(shape, n)
			text := project.YAML
			path, err := project.WriteTo(projectDir(dir, shape, n))
			must(err)
			var rs []result
			for range max(1, *runs) {
				parse := bareParse(text)
				fresh := freshParse(path)
				r := run(cmd, path, text, otherProject(shape, n), *edits, *queries, nil, 2*time.Minute, *warmDoc, *settle)
				r.parse, r.freshParse = parse, fresh
				rs = append(rs, r)
			}
			r := combine(rs)
			r.shape, r.n, r.bytes = shape, n, len(text)
			results = append(results, r)
			fmt.Printf("%-6d %8.0f %9s %10s %9s %10s %9s %9s %9s %9s %9s %9s %9s %9s %9s %8.1f %8.1f %9s %10s\n", n, float64(len(text))/1024, ms(r.parse), ms(r.freshParse), ms(r.init), ms(r.cold), ms(r.open), ms(r.reopen), ms(r.editP50), ms(r.editP95), ms(r.hoverP95), ms(r.complP95), ms(r.firstReq), ms(r.firstReqP95), ms(r.editReqP95), float64(r.rssKB)/1024, float64(r.fileKB)/1024, count(r.openFaults), count(r.reopenFaults))
			if r.err != "" {
				fmt.Printf("       error: %s\n", r.err)
			}
		}
	}
	fmt.Println("\ntargets: open and edit p95 ≤ 3×parse + 5 ms; hover/completion p95 ≤ 5 ms at 1000; RSS < 40 MiB at 1000")
	fmt.Println("(open: the file as the first document of a fresh server, or after a 2-deployment document (cold open) with -warm-doc;")
	fmt.Println(" reopen: another file of the same size opened after the edits, in the running server;")
	fmt.Printf(" edit: didChange to its diagnostics, the first one %v after the open's diagnostics (-settle);\n", *settle)
	fmt.Println(" 1st req, 1st p95: a hover right after each edit's diagnostics, as many edits as -edits (at least 5): the first request on a new version builds its tree (from the earlier one's);")
	fmt.Println(" ed+req95: the edit p95 of those edits, each followed by its hover as an editor's requests follow a keystroke;")
	fmt.Println(" new parse: the bare parse as the first work of a new process, median of three;")
	fmt.Println(" RSS: the server's peak; file: of it, the pages of the binary (RssFile at the end of the run), the rest is the heap and the runtime;")
	fmt.Println(" flt: the server's minor page faults from didOpen to its diagnostics, each a 4 KiB page new to the process)")
	if us := pageFaultMicros(); us >= 0 {
		fmt.Printf("machine: a fresh 4 KiB page costs %.1f µs to fault in (first write to 64 MiB newly mapped)\n", us)
	}
	for _, r := range results {
		budget := 3*r.parse + 5*time.Millisecond
		fmt.Printf("  %-9s %5d deps: budget %s  open %s  reopen %s  edit p95 %s", r.shape, r.n, ms(budget), verdict(r.open, budget), verdict(r.reopen, budget), verdict(r.editP95, budget))
		if r.freshParse > 0 {
			// Like against like: a young process's first document next to
			// a young process's parse, both paying for fresh memory.
			fresh := 3*r.freshParse + 5*time.Millisecond
			fmt.Printf("  [against the new parse: budget %s, open %s]", ms(fresh), verdict(r.open, fresh))
		}
		fmt.Println()
	}
	if ylsCmd == nil {
		return
	}
	if _, err := os.Stat(*schemaPath); err != nil {
		fmt.Printf("\nyaml-language-server: schema %s not found; skipped\n", *schemaPath)
		return
	}
	fmt.Printf("\nyaml-language-server (%s) with %s, on the same files\n", strings.Join(ylsCmd, " "), *schemaPath)
	fmt.Printf("%-9s %-6s %9s %9s %9s %9s %8s %10s %10s\n", "shape", "deps", "init", "open", "edit p50", "edit p95", "RSS MiB", "open ×", "edit95 ×")
	for _, r := range results {
		if r.n > *ylsMax {
			fmt.Printf("%-9s %-6d skipped (-yls-max %d)\n", r.shape, r.n, *ylsMax)
			continue
		}
		path := filepath.Join(projectDir(dir, r.shape, r.n), "prefect.yaml")
		settings := map[string]any{"yaml": map[string]any{
			"validate": true, "hover": true, "completion": true,
			"schemas": map[string]any{string(uri.File(*schemaPath)): []string{"prefect.yaml"}},
		}}
		y := run(ylsCmd, path, benchgen.Generate(r.shape, r.n).YAML, otherProject(r.shape, r.n), min(*edits, 5), 5, settings, *ylsTimeout, *warmDoc, *settle)
		fmt.Printf("%-9s %-6d %9s %9s %9s %9s %8.1f %10s %10s\n", r.shape, r.n, ms(y.init), ms(y.open), ms(y.editP50), ms(y.editP95), float64(y.rssKB)/1024, ratio(y.open, r.open), ratio(y.editP95, r.editP95))
		if y.err != "" {
			fmt.Printf("       note: %s\n", y.err)
		}
	}
}

// projectDir is the folder of the generated project of n deployments of
// shape: its prefect.yaml and flow files.
func projectDir(dir string, shape benchgen.Shape, n int) string {
	return filepath.Join(dir, fmt.Sprintf("%s-%d", shape, n))
}

// otherProject is the second project whose file the bench opens in a
// running server (reopen): same shape and size, every deployment's text
// changed.
func otherProject(shape benchgen.Shape, n int) benchgen.Project {
	return benchgen.GenerateVariant(shape, n, "-b")
}

type result struct {
	shape              benchgen.Shape
	n, bytes           int
	parse, init, open  time.Duration
	freshParse         time.Duration // bare parse as a new process's first work
	cold               time.Duration // first document of a fresh process
	reopen             time.Duration // another file of the same size, opened later
	editP50, editP95   time.Duration
	hoverP95, complP95 time.Duration
	firstReq           time.Duration // p50 of a hover right after an edit
	firstReqP95        time.Duration // its p95
	editReqP95         time.Duration // edit p95 when each edit is followed by a hover
	rssKB              int
	fileKB             int // of rssKB, mapped files (the binary): RssFile at the end
	// openFaults and reopenFaults are the server's minor page faults
	// (fresh memory pages) between sending didOpen and receiving its
	// diagnostics; -1 when unknown.
	openFaults, reopenFaults int
	err                      string
}

// combine reports several runs of one size as one: the median of each
// time (an even count takes the upper middle), the largest peak RSS and
// page-fault counts, the first error.
func combine(rs []result) result {
	if len(rs) == 1 {
		return rs[0]
	}
	// times lists a result's times, the same fields in the same order.
	times := func(r *result) []*time.Duration {
		return []*time.Duration{&r.parse, &r.freshParse, &r.init, &r.cold, &r.open, &r.reopen, &r.editP50, &r.editP95, &r.hoverP95, &r.complP95, &r.firstReq, &r.firstReqP95, &r.editReqP95}
	}
	out := rs[0]
	for i, field := range times(&out) {
		v := make([]time.Duration, len(rs))
		for j := range rs {
			v[j] = *times(&rs[j])[i]
		}
		sort.Slice(v, func(a, b int) bool { return v[a] < v[b] })
		*field = v[len(v)/2]
	}
	for _, r := range rs[1:] {
		out.rssKB, out.fileKB = max(out.rssKB, r.rssKB), max(out.fileKB, r.fileKB)
		out.openFaults, out.reopenFaults = max(out.openFaults, r.openFaults), max(out.reopenFaults, r.reopenFaults)
		if out.err == "" {
			out.err = r.err
		}
	}
	return out
}

// serverStderr receives the servers' standard error (-server-stderr).
var serverStderr io.Writer

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
}

func ms(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000)
}

func ratio(a, b time.Duration) string {
	if a <= 0 || b <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f×", float64(a)/float64(b))
}

func verdict(d, budget time.Duration) string {
	if d <= 0 {
		return "n/a"
	}
	if d <= budget {
		return ms(d) + " ok"
	}
	return ms(d) + " OVER"
}

// freshParse is the median of three bare parses of path, each the first
// work of a new process (this program with -parse-once): what the parse
// costs with the young-heap page faults a fresh server's first document
// also pays. Zero when it cannot be measured.
func freshParse(path string) time.Duration {
	self, err := os.Executable()
	if err != nil {
		return 0
	}
	var ds []time.Duration
	for range 3 {
		out, err := exec.Command(self, "-parse-once", path).Output()
		if err != nil {
			return 0
		}
		ns, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
		if err != nil {
			return 0
		}
		ds = append(ds, time.Duration(ns))
	}
	slices.Sort(ds)
	return ds[1]
}

func bareParse(text string) time.Duration {
	var best time.Duration
	for i := 0; i < 5; i++ {
		start := time.Now()
		var n yaml.Node
		_ = yaml.Unmarshal([]byte(text), &n)
		d := time.Since(start)
		if best == 0 || d < best {
			best = d
		}
	}
	return best
}

// ---- the client ----

type client struct {
	protocol.UnimplementedClient
	mu       sync.Mutex
	waiters  map[int32]chan struct{}
	seen     map[int32]bool
	settings any
}

func (c *client) PublishDiagnostics(_ context.Context, p *protocol.PublishDiagnosticsParams) error {
	v, ok := p.Version.Get()
	c.mu.Lock()
	defer c.mu.Unlock()
	if !ok {
		v = -1 // yaml-language-server sends no version
	}
	c.seen[v] = true
	for want, ch := range c.waiters {
		if want == v || v == -1 {
			close(ch)
			delete(c.waiters, want)
		}
	}
	return nil
}

func (c *client) wait(v int32) chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan struct{})
	c.waiters[v] = ch
	return ch
}

func (c *client) Configuration(_ context.Context, p *protocol.ConfigurationParams) ([]protocol.LSPAny, error) {
	out := make([]protocol.LSPAny, len(p.Items))
	for i, it := range p.Items {
		var v any = c.settings
		if m, ok := c.settings.(map[string]any); ok && it.Section != nil {
			v = m[*it.Section]
		}
		b, _ := json.Marshal(v)
		out[i] = protocol.LSPAny(b)
	}
	return out, nil
}

func (c *client) RegisterCapability(context.Context, *protocol.RegistrationParams) error { return nil }
func (c *client) WorkDoneProgressCreate(context.Context, *protocol.WorkDoneProgressCreateParams) error {
	return nil
}
func (c *client) LogMessage(context.Context, *protocol.LogMessageParams) error   { return nil }
func (c *client) ShowMessage(context.Context, *protocol.ShowMessageParams) error { return nil }

type pipes struct {
	io.Reader
	io.WriteCloser
}

func (p pipes) Close() error { return p.WriteCloser.Close() }

// run starts the server, opens path, edits it and queries it.
func run(cmdline []string, path, text string, other benchgen.Project, edits, queries int, settings any, timeout time.Duration, warmDoc bool, settle time.Duration) (r result) {
	r.openFaults, r.reopenFaults = -1, -1
	cmd := exec.Command(cmdline[0], cmdline[1:]...)
	stdin, err := cmd.StdinPipe()
	must(err)
	stdout, err := cmd.StdoutPipe()
	must(err)
	cmd.Stderr = io.Discard
	if serverStderr != nil {
		cmd.Stderr = serverStderr
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		r.err = err.Error()
		return r
	}
	defer func() {
		_ = stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
		}
	}()
	c := &client{waiters: map[int32]chan struct{}{}, seen: map[int32]bool{}, settings: settings}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ctx, conn, server := protocol.NewClient(ctx, c, jsonrpc2.NewStream(pipes{stdout, stdin}))
	defer conn.Close()
	call := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, timeout) }

	cctx, ccancel := call()
	caps := protocol.ClientCapabilities{
		// Like VS Code and Neovim: configuration and watched files.
		Workspace:    &protocol.WorkspaceClientCapabilities{Configuration: ptr(true), DidChangeWatchedFiles: &protocol.DidChangeWatchedFilesClientCapabilities{DynamicRegistration: ptr(true)}},
		TextDocument: &protocol.TextDocumentClientCapabilities{Completion: &protocol.CompletionClientCapabilities{CompletionItem: &protocol.ClientCompletionItemOptions{SnippetSupport: ptr(true)}}},
	}
	params := &protocol.InitializeParams{Capabilities: caps}
	params.WorkspaceFolders = protocol.NewNullable([]protocol.WorkspaceFolder{{URI: uri.File(filepath.Dir(path)), Name: "bench"}})
	if _, err := server.Initialize(cctx, params); err != nil {
		ccancel()
		r.err = "initialize: " + err.Error()
		return r
	}
	ccancel()
	r.init = time.Since(start)
	_ = server.Initialized(ctx, &protocol.InitializedParams{})
	if settings != nil {
		b, _ := json.Marshal(settings)
		_ = server.DidChangeConfiguration(ctx, &protocol.DidChangeConfigurationParams{Settings: protocol.LSPAny(b)})
		time.Sleep(200 * time.Millisecond)
	}
	u := uri.File(path)
	waitFor := func(ch chan struct{}) bool {
		select {
		case <-ch:
			return true
		case <-time.After(timeout):
			return false
		}
	}

	// The first document of a fresh process pays one-time initialisation
	// (schema compilation). Measure it on a small document of its own, then
	// measure the file the way a running server sees a newly opened one.
	if warmDoc {
		warm := c.wait(1000)
		tw := time.Now()
		_ = server.DidOpen(ctx, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: uri.File(filepath.Join(filepath.Dir(path), "warm-up", "prefect.yaml")), LanguageID: "yaml", Version: 1000, Text: benchgen.Generate(benchgen.Small, 2).YAML}})
		if !waitFor(warm) {
			r.err = fmt.Sprintf("no diagnostics within %s of the first didOpen", timeout)
			return r
		}
		r.cold = time.Since(tw)
	}

	// The clock starts when the message goes out: the client's own JSON
	// encoding of a large text (an editor does it in its own way) is not
	// the server's work.
	openParams, err := json.Marshal(&protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: u, LanguageID: "yaml", Version: 1, Text: text}})
	must(err)
	ch := c.wait(1)
	f0 := minorFaults(cmd.Process.Pid)
	t0 := time.Now()
	_ = conn.Notify(ctx, protocol.MethodTextDocumentDidOpen, json.RawMessage(openParams))
	if !waitFor(ch) {
		r.err = fmt.Sprintf("no diagnostics within %s of didOpen", timeout)
		r.rssKB, r.fileKB = peakRSS(cmd.Process.Pid), fileRSS(cmd.Process.Pid)
		return r
	}
	r.open = time.Since(t0)
	r.openFaults = faultsSince(cmd.Process.Pid, f0)
	time.Sleep(settle)

	// Edits toggle `country: no` ↔ `country: "no"` on the last line, so
	// that every version publishes a different set.
	lines := strings.Count(text, "\n")
	last := uint32(lines - 1)
	quoted := false
	// edit sends version v's toggle and waits for its diagnostics.
	edit := func(v int32) bool {
		var change protocol.TextDocumentContentChangeEvent
		if quoted {
			change = &protocol.TextDocumentContentChangePartial{Range: rng(last, 15, last, 19), Text: "no"}
		} else {
			change = &protocol.TextDocumentContentChangePartial{Range: rng(last, 15, last, 17), Text: `"no"`}
		}
		quoted = !quoted
		ch := c.wait(v)
		_ = server.DidChange(ctx, &protocol.DidChangeTextDocumentParams{
			TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}, Version: v},
			ContentChanges: []protocol.TextDocumentContentChangeEvent{change},
		})
		if !waitFor(ch) {
			r.err = fmt.Sprintf("no diagnostics within %s of didChange v%d", timeout, v)
			return false
		}
		return true
	}
	var samples []time.Duration
	for i := 0; i < edits; i++ {
		t0 := time.Now()
		if !edit(int32(2 + i)) {
			break
		}
		samples = append(samples, time.Since(t0))
	}
	r.editP50, r.editP95 = pct(samples, 50), pct(samples, 95)

	// Hover on the entrypoint key of the middle deployment; completion on
	// the key of its second line.
	mid := 0
	for range strings.Count(text, "\n  - name: ") / 2 {
		mid += strings.Index(text[mid:], "\n  - name: ") + 1
	}
	entry := mid + strings.Index(text[mid:], "\n    entrypoint:") + 1
	line := uint32(strings.Count(text[:mid], "\n"))
	entryLine := uint32(strings.Count(text[:entry], "\n"))
	var hs, cs []time.Duration
	for i := 0; i < queries; i++ {
		cctx, ccancel := call()
		t0 := time.Now()
		_, err := server.Hover(cctx, &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}, Position: protocol.Position{Line: entryLine, Character: 6}}})
		hs = append(hs, time.Since(t0))
		t0 = time.Now()
		_, err2 := server.Completion(cctx, &protocol.CompletionParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}, Position: protocol.Position{Line: line + 1, Character: 4}}})
		cs = append(cs, time.Since(t0))
		ccancel()
		if err != nil || err2 != nil {
			r.err = fmt.Sprintf("hover/completion: %v %v", err, err2)
			break
		}
	}
	r.hoverP95, r.complP95 = pct(hs, 95), pct(cs, 95)

	// The first request on an edited version: a hover right after each
	// edit's diagnostics, as an editor's follow-up requests (semantic
	// tokens, symbols, code actions) come. It pays for what the request
	// needs of the new version (its tree, for a hover).
	// The loop runs as many edits as the edit phase, so that its edit p95
	// (ed+req95) compares with that phase's: an editor's edits are
	// followed by requests, which keep the version's tree live.
	var firsts, followed []time.Duration
	for i := 0; i < max(5, edits) && r.err == ""; i++ {
		t0 := time.Now()
		if !edit(int32(2 + edits + i)) {
			break
		}
		followed = append(followed, time.Since(t0))
		cctx, ccancel := call()
		t0 = time.Now()
		_, err := server.Hover(cctx, &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}, Position: protocol.Position{Line: entryLine, Character: 6}}})
		firsts = append(firsts, time.Since(t0))
		ccancel()
		if err != nil {
			r.err = fmt.Sprintf("hover after an edit: %v", err)
		}
	}
	r.firstReq, r.firstReqP95, r.editReqP95 = pct(firsts, 50), pct(firsts, 95), pct(followed, 95)

	// Opening another file of the same size in the running server (new
	// text throughout, nothing cached for it): what an editor session sees
	// after its first file.
	// Closing clears the file's diagnostics with a publish that carries no
	// version; let it arrive before waiting for the next file's.
	cleared := c.wait(1999)
	_ = server.DidClose(ctx, &protocol.DidCloseTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}})
	select {
	case <-cleared:
	case <-time.After(time.Second):
	}
	otherPath, err := other.WriteTo(filepath.Join(filepath.Dir(path), "other"))
	must(err)
	otherParams, err := json.Marshal(&protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: uri.File(otherPath), LanguageID: "yaml", Version: 2000, Text: other.YAML}})
	must(err)
	ch = c.wait(2000)
	f0 = minorFaults(cmd.Process.Pid)
	t0 = time.Now()
	_ = conn.Notify(ctx, protocol.MethodTextDocumentDidOpen, json.RawMessage(otherParams))
	if waitFor(ch) {
		r.reopen = time.Since(t0)
		r.reopenFaults = faultsSince(cmd.Process.Pid, f0)
	}
	r.rssKB, r.fileKB = peakRSS(cmd.Process.Pid), fileRSS(cmd.Process.Pid)
	cctx, ccancel = call()
	_ = server.Shutdown(cctx)
	ccancel()
	_ = server.Exit(ctx)
	return r
}

func rng(l1, c1, l2, c2 uint32) protocol.Range {
	return protocol.Range{Start: protocol.Position{Line: l1, Character: c1}, End: protocol.Position{Line: l2, Character: c2}}
}

func ptr[T any](v T) *T { return &v }

func pct(s []time.Duration, p int) time.Duration {
	if len(s) == 0 {
		return 0
	}
	c := append([]time.Duration(nil), s...)
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	i := (len(c)*p + 99) / 100
	if i < 1 {
		i = 1
	}
	return c[i-1]
}

// minorFaults reads the minor page faults of pid so far (field 10 of
// /proc/PID/stat), or -1.
func minorFaults(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	// The command name (field 2) is parenthesised and may contain spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 8 {
		return -1
	}
	n, err := strconv.Atoi(f[7]) // field 10: minflt
	if err != nil {
		return -1
	}
	return n
}

// faultsSince is the number of minor faults of pid since the count before,
// or -1.
func faultsSince(pid, before int) int {
	now := minorFaults(pid)
	if before < 0 || now < 0 {
		return -1
	}
	return now - before
}

func count(n int) string {
	if n < 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

// peakRSS reads VmHWM (KiB) of pid and, for a wrapper such as node's
// launcher, its children.
func peakRSS(pid int) int { return statusKB(pid, "VmHWM:") }

// fileRSS reads RssFile (KiB), the resident pages of the binary and other
// mapped files, of pid and its children. A process rarely drops them, so
// read at the end of a run it is the part of the peak RSS that is not the
// heap and the runtime's own memory.
func fileRSS(pid int) int { return statusKB(pid, "RssFile:") }

// statusKB sums a KiB field of /proc/PID/status over pid and its children.
func statusKB(pid int, field string) int {
	total := 0
	pids := []int{pid}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid)); err == nil {
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				pids = append(pids, n)
			}
		}
	}
	for _, p := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p))
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, field) {
				n, _ := strconv.Atoi(strings.Fields(l)[1])
				total += n
			}
		}
	}
	return total
}

// findYLS returns a command running yaml-language-server on stdio,
// installing it with npm into dir when it is not on PATH.
func findYLS(dir string) []string {
	if p, err := exec.LookPath("yaml-language-server"); err == nil {
		return []string{p, "--stdio"}
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return nil
	}
	prefix := filepath.Join(dir, "yls")
	cmd := exec.Command("npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", prefix, "yaml-language-server")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	fmt.Println("installing yaml-language-server with npm …")
	if err := cmd.Run(); err != nil {
		fmt.Printf("npm install failed: %v\n%s\n", err, out.String())
		return nil
	}
	bin := filepath.Join(prefix, "node_modules", ".bin", "yaml-language-server")
	if _, err := os.Stat(bin); err != nil {
		return nil
	}
	return []string{bin, "--stdio"}
}

func findSchema() string {
	wd, _ := os.Getwd()
	for d := wd; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "..", "shared", "reference", "data", "prefect.yaml.schema.json")
		if _, err := os.Stat(p); err == nil {
			return filepath.Clean(p)
		}
		if filepath.Dir(d) == d {
			return "../shared/reference/data/prefect.yaml.schema.json"
		}
	}
}

// elfInterpreter returns the dynamic loader an ELF executable asks for
// ("" for a static binary, or when it is not ELF).
func elfInterpreter(name string) string {
	path, err := exec.LookPath(name)
	if err != nil {
		return ""
	}
	f, err := elf.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b, err := io.ReadAll(p.Open())
			if err != nil {
				return "dynamic"
			}
			return strings.TrimRight(string(b), "\x00")
		}
	}
	return ""
}
