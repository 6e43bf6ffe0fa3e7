package cli

import (
	"context"
	"fmt"
	"github.com/prefect-lsp/prefect-lsp/internal/pydeploy"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// maxFixRounds bounds --fix: fixes are applied, the file analysed again and
// the new safe fixes applied, until nothing changes or this many rounds ran.
const maxFixRounds = 5

// ruleSet returns the rules check runs; tests narrow it so that golden
// output does not change whenever a rule is added.
var ruleSet = rules.All

// stdinDisplayName is the path shown for standard input without
// --stdin-filename.
const stdinDisplayName = "<stdin>"

type checkOptions struct {
	format        string
	fix           bool
	stdinFilename string
	color         string
	minSeverity   analysis.Severity
	quiet         bool
}

// fileReport is the outcome of checking one file.
type fileReport struct {
	target target
	// src is the final text (after fixes); nil when the file could not be read.
	src         *source.File
	diagnostics []analysis.Diagnostic
	// fixed counts diagnostics resolved by --fix.
	fixed int
	// fixedText is the text after --fix when it changed.
	fixedText *string
	// failures are internal failures: rule panics, read or write errors.
	failures []string
}

func runCheck(args []string, stdio Stdio) int {
	var opts checkOptions
	var minSev string
	fs := newFlagSet("check", "check [flags] [PATH...]\n\nLint prefect.yaml files; PATH is a file, a directory (searched for prefect.yaml,\nprefect.yml and the configured `files` globs) or - for standard input.", stdio)
	fs.StringVar(&opts.format, "format", "text", "output format: text, json, sarif or github")
	fs.BoolVar(&opts.fix, "fix", false, "apply safe fixes in place (for -, print the fixed text) and report what remains")
	fs.StringVar(&opts.stdinFilename, "stdin-filename", "", "the path standard input stands for (finds its configuration and names it in reports)")
	fs.StringVar(&opts.color, "color", "auto", "colour the text format: auto, always or never (auto: on a terminal unless NO_COLOR is set)")
	fs.StringVar(&minSev, "min-severity", "hint", "report only diagnostics at least this severe: error, warning, information or hint")
	fs.StringVar(&minSev, "severity", "hint", "alias of --min-severity")
	fs.BoolVar(&opts.quiet, "quiet", false, "text format: leave out the source lines and the summary")
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return flagExit(err)
	}
	switch opts.format {
	case "text", "json", "sarif", "github":
	default:
		fmt.Fprintf(stdio.Err, "prefect-lsp check: unknown --format %q; use text, json, sarif or github\n", opts.format)
		return ExitUsage
	}
	switch opts.color {
	case "auto", "always", "never":
	default:
		fmt.Fprintf(stdio.Err, "prefect-lsp check: unknown --color %q; use auto, always or never\n", opts.color)
		return ExitUsage
	}
	sev, ok := analysis.ParseSeverity(minSev)
	if !ok || sev == analysis.Off {
		fmt.Fprintf(stdio.Err, "prefect-lsp check: unknown --min-severity %q; use error, warning, information or hint\n", minSev)
		return ExitUsage
	}
	opts.minSeverity = sev
	if len(paths) == 0 {
		paths = []string{"."}
	}
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(stdio.Err, "prefect-lsp check: %v\n", err)
		return ExitInternal
	}
	configs := &configCache{}
	col := &collector{wd: wd, configs: configs, seen: map[string]bool{}}
	stdinCount := 0
	for _, p := range paths {
		if p == "-" {
			stdinCount++
			if stdinCount > 1 {
				fmt.Fprintln(stdio.Err, "prefect-lsp check: - (standard input) may be given only once")
				return ExitUsage
			}
			col.targets = append(col.targets, stdinTarget(wd, opts.stdinFilename))
			continue
		}
		if err := col.collect(p); err != nil {
			fmt.Fprintf(stdio.Err, "prefect-lsp check: %v\n", err)
			return ExitUsage
		}
	}
	if opts.stdinFilename != "" && stdinCount == 0 {
		fmt.Fprintln(stdio.Err, "prefect-lsp check: --stdin-filename needs - among the paths")
		return ExitUsage
	}
	var stdinText string
	if stdinCount > 0 {
		data, err := io.ReadAll(io.LimitReader(stdio.In, maxInputBytes+1))
		if err != nil {
			fmt.Fprintf(stdio.Err, "prefect-lsp check: reading standard input: %v\n", err)
			return ExitInternal
		}
		stdinText = string(data)
	}
	if len(col.targets) == 0 && len(col.problems) == 0 {
		fmt.Fprintf(stdio.Err, "prefect-lsp check: no prefect.yaml found in %s\n", strings.Join(paths, ", "))
	}

	ctx, cancel := signalContext()
	defer cancel()
	reports := checkAll(ctx, col.targets, stdinText, configs, opts)

	failed := len(col.problems) > 0
	for _, p := range col.problems {
		fmt.Fprintf(stdio.Err, "prefect-lsp check: %s\n", p)
	}
	for _, r := range reports {
		for _, f := range r.failures {
			failed = true
			fmt.Fprintf(stdio.Err, "prefect-lsp check: internal error in %s: %s\n", r.target.display, f)
		}
		r.diagnostics = filterSeverity(r.diagnostics, opts.minSeverity)
	}

	out := stdio.Out
	if stdinCount > 0 && opts.fix {
		// The fixed text goes to standard output; the report to standard error.
		for _, r := range reports {
			if r.target.stdin && r.src != nil {
				io.WriteString(stdio.Out, r.src.Text())
			}
		}
		out = stdio.Err
	}
	color := opts.color == "always" || (opts.color == "auto" && isTerminal(out) && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb")
	var werr error
	switch opts.format {
	case "json":
		werr = writeJSON(out, reports)
	case "sarif":
		werr = writeSARIF(out, reports)
	case "github":
		werr = writeGitHub(out, reports)
	default:
		werr = writeText(out, reports, textOptions{color: color, quiet: opts.quiet, fix: opts.fix})
	}
	if werr != nil {
		fmt.Fprintf(stdio.Err, "prefect-lsp check: writing the report: %v\n", werr)
		return ExitInternal
	}
	if failed {
		return ExitInternal
	}
	for _, r := range reports {
		for _, d := range r.diagnostics {
			if d.Severity == analysis.Error || d.Severity == analysis.Warning {
				return ExitFindings
			}
		}
	}
	return ExitOK
}

// maxInputBytes bounds what is read from standard input; the analysis
// reports larger files itself (file-too-large), so this only stops runaway
// pipes.
const maxInputBytes = 64 << 20

func stdinTarget(wd, name string) target {
	if name == "" {
		return target{display: stdinDisplayName, abs: filepath.Join(wd, "prefect.yaml"), stdin: true}
	}
	abs := name
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(wd, name)
	}
	return target{display: name, abs: filepath.Clean(abs), stdin: true}
}

func filterSeverity(ds []analysis.Diagnostic, min analysis.Severity) []analysis.Diagnostic {
	out := ds[:0:0]
	for _, d := range ds {
		if d.Severity <= min {
			out = append(out, d)
		}
	}
	return out
}

// checkAll analyses the targets with a worker pool of GOMAXPROCS workers and
// returns the reports in the targets' order.
func checkAll(ctx context.Context, targets []target, stdinText string, configs *configCache, opts checkOptions) []*fileReport {
	reports := make([]*fileReport, len(targets))
	jobs := make(chan int)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	if workers > len(targets) {
		workers = len(targets)
	}
	all := ruleSet()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				reports[i] = checkOne(ctx, targets[i], stdinText, configs, all, opts.fix)
			}
		}()
	}
	for i := range targets {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return reports
}

// checkOne analyses one file, applying safe fixes first when fix is set.
func checkOne(ctx context.Context, t target, stdinText string, configs *configCache, all []*analysis.Rule, fix bool) *fileReport {
	rep := &fileReport{target: t}
	var text string
	if t.stdin {
		text = stdinText
	} else {
		data, err := os.ReadFile(t.abs)
		if err != nil {
			rep.failures = append(rep.failures, err.Error())
			return rep
		}
		text = string(data)
	}
	cfg, probs := configs.load(filepath.Dir(t.abs))
	analyse := func(text string) *analysis.Result {
		if isPython(t.abs) {
			return pydeploy.Analyze(ctx, analysis.Input{Path: t.abs, Text: text, Config: cfg})
		}
		return analysis.Run(ctx, analysis.Input{Path: t.abs, Text: text, Config: cfg, ConfigProblems: probs}, all)
	}
	original := text
	res := analyse(text)
	for round := 0; fix && res != nil && round < maxFixRounds; round++ {
		fixed, n := applySafeFixes(text, res.Diagnostics)
		if n == 0 || fixed == text {
			break
		}
		rep.failures = appendUnique(rep.failures, res.RuleErrors...)
		text = fixed
		rep.fixed += n
		res = analyse(text)
	}
	if res == nil { // cancelled
		rep.failures = append(rep.failures, "cancelled")
		return rep
	}
	rep.failures = appendUnique(rep.failures, res.RuleErrors...)
	rep.src = res.Src
	rep.diagnostics = res.Diagnostics
	if text != original {
		rep.fixedText = &text
		if !t.stdin {
			if err := writeFilePreservingMode(t.abs, text); err != nil {
				rep.failures = append(rep.failures, err.Error())
			}
		}
	}
	return rep
}

func appendUnique(list []string, more ...string) []string {
	for _, m := range more {
		dup := false
		for _, l := range list {
			if l == m {
				dup = true
				break
			}
		}
		if !dup {
			list = append(list, m)
		}
	}
	return list
}

// applySafeFixes applies, for each diagnostic, its first safe fix that only
// edits this file and does not overlap an edit already chosen. It returns
// the new text and how many fixes were applied.
func applySafeFixes(text string, ds []analysis.Diagnostic) (string, int) {
	var chosen []source.Edit
	n := 0
	for _, d := range ds {
		for _, f := range d.Fixes {
			if !f.Safe || len(f.Edits) == 0 || len(f.Files) > 0 {
				continue
			}
			if source.Overlap(chosen, f.Edits) {
				break
			}
			trial := append(append([]source.Edit{}, chosen...), f.Edits...)
			if _, err := source.Apply(text, trial); err != nil {
				break
			}
			chosen = trial
			n++
			break
		}
	}
	if n == 0 {
		return text, 0
	}
	out, err := source.Apply(text, chosen)
	if err != nil {
		return text, 0
	}
	return out, n
}

func writeFilePreservingMode(path, text string) error {
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		path = resolved
	}
	mode := os.FileMode(0o644)
	if info, err := os.Stat(path); err == nil {
		mode = info.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".prefect-lsp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(text); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	if err != nil {
		return false
	}
	return info.Mode()&os.ModeCharDevice != 0
}

// severityCounts counts diagnostics by severity.
func severityCounts(reports []*fileReport) (counts [4]int) {
	for _, r := range reports {
		for _, d := range r.diagnostics {
			if d.Severity >= 0 && int(d.Severity) < len(counts) {
				counts[d.Severity]++
			}
		}
	}
	return counts
}

// isPython reports whether a target is Python deployment code, checked by
// package pydeploy rather than as a prefect.yaml.
func isPython(path string) bool { return strings.HasSuffix(path, ".py") }
