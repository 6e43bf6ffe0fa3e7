package analysis_test

import (
	"context"
	"fmt"
	"math/rand"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
	"github.com/prefect-lsp/prefect-lsp/internal/benchgen"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/pyflow"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// crossDeploymentExtras adds to a generated file what ties deployments
// together beyond the shared header: an anchor defined in one deployment
// and aliased (and merged) in later ones, a duplicate name, a deployment
// that is an alias of another, step ids and their outputs, inline
// suppressions, legacy schedules and top-level steps after the list.
const crossDeploymentExtras = `  - name: anchored
    entrypoint: flows/flow_0.py:main
    parameters: &shared_params
      batch: 7
      region: eu-west-1
    work_pool: &local_pool
      name: local-process
    schedule:
      cron: "0 0 * * *"
  - name: uses-anchor
    entrypoint: flows/flow_1.py:main
    parameters:
      <<: *shared_params
      batch: 8
    work_pool: *local_pool
    build:
      - prefect.deployments.steps.run_shell_script:
          id: get-tag
          script: echo 1.0
    push:
      - prefect_docker.deployments.steps.push_docker_image:
          image_name: "{{ get-tag.stdout }}"
          tag: "{{ missing-step.tag }}"
  - name: anchored  # prefect-lsp: ignore[unknown-key]
    entrypoint: flows/flow_0.py:main
    unknown_key: 1
    schedules:
      - interval: 3600
        anchor_date: 2024-01-01
      - rrule: "FREQ=WEEKLY;BYDAY=XX"
  - name: yes
    version: 1.10
    entrypoint: flows/missing.py:main
    tags: [a, "{{ b }}", {c: d}]
`

const trailingSections = `pull:
  - prefect.deployments.steps.set_working_directory:
      directory: /opt/flows
`

type project struct {
	path, text string
	cfg        *config.Config
}

func projects(t testing.TB) []project {
	var out []project
	for _, c := range []struct {
		shape benchgen.Shape
		n     int
		extra bool
	}{{benchgen.Realistic, 6, true}, {benchgen.Realistic, 20, false}, {benchgen.Small, 8, true}} {
		dir := t.TempDir()
		p := benchgen.Generate(c.shape, c.n)
		path, err := p.WriteTo(dir)
		if err != nil {
			t.Fatal(err)
		}
		text := p.YAML
		if c.extra {
			// The generated list ends the file: append the extras to it,
			// then top-level sections after the list.
			if !strings.HasSuffix(text, "\n") {
				text += "\n"
			}
			text += crossDeploymentExtras + trailingSections
		}
		out = append(out, project{path: path, text: text, cfg: &config.Config{Root: filepath.Dir(path)}})
	}
	return out
}

// snippets are inserted at random places: YAML structure, anchors,
// aliases, merges, placeholders, schedules, names.
var snippets = []string{
	" ", "  ", "\n", "\n    ", "\n  - ", ":", ": ", "-", "- ", "#", " # prefect-lsp: ignore", "&", "&a ", "*", "*shared_params", "*local_pool", "*nightly",
	"<<: *k8s_pool\n", "<<: ", "{", "}", "[", "]", "'", "\"", "|", ">", "\t", "a", "1", "0", "x: 1\n", "    name: anchored\n",
	"{{ get-tag.stdout }}", "{{ ", " }}", "{{ prefect.blocks.secret.x }}", "cron: \"* * * * *\"", "interval: -5", "rrule: FREQ=DAILY",
	"timezone: Mars/Base", "anchor_date: 2024-13-01", "entrypoint: flows/flow_1.py:main\n", "name: etl-0001", "yes", "on", "0755", "1:30",
	"work_pool:\n      name: k8s\n", "schedules:\n      - cron: 0 1 * * *\n", "---\n", "...\n", "\"unterminated", "'", "? ", "!!str ", "!Ref ",
}

// randomEdit changes text the way a user (or a confused paste) would.
func randomEdit(rng *rand.Rand, text string) string {
	if text == "" {
		return snippets[rng.Intn(len(snippets))]
	}
	pos := rng.Intn(len(text) + 1)
	switch op := rng.Intn(10); {
	case op < 4: // insert a snippet
		return text[:pos] + snippets[rng.Intn(len(snippets))] + text[pos:]
	case op < 6: // delete a few characters
		end := min(len(text), pos+1+rng.Intn(8))
		return text[:pos] + text[end:]
	case op < 7: // delete a line
		ls := strings.LastIndexByte(text[:pos], '\n') + 1
		le := strings.IndexByte(text[pos:], '\n')
		if le < 0 {
			return text[:ls]
		}
		return text[:ls] + text[pos+le+1:]
	case op < 8: // copy a line elsewhere (possibly into another deployment)
		ls := strings.LastIndexByte(text[:pos], '\n') + 1
		le := strings.IndexByte(text[pos:], '\n')
		if le < 0 {
			return text
		}
		line := text[ls : pos+le+1]
		at := strings.LastIndexByte(text[:rng.Intn(len(text)+1)], '\n') + 1
		return text[:at] + line + text[at:]
	case op < 9: // replace one character
		if pos == len(text) {
			pos--
		}
		s := snippets[rng.Intn(len(snippets))]
		return text[:pos] + s[:1] + text[pos+1:]
	default: // delete a range that may cross deployment boundaries
		end := min(len(text), pos+rng.Intn(400))
		return text[:pos] + text[end:]
	}
}

type replayer struct {
	rules []*analysis.Rule
	env   *analysis.Env
	texts map[*analysis.Result]string // the text each result of step analysed
}

func newReplayer() *replayer {
	proj := pyflow.NewProject()
	return &replayer{rules: rules.All(), env: &analysis.Env{Values: map[string]any{rules.FlowProjectKey: proj}}, texts: map[*analysis.Result]string{}}
}

func (r *replayer) input(p project, text string) analysis.Input {
	return analysis.Input{Path: p.path, Text: text, Config: p.cfg, Env: r.env}
}

// step analyses text incrementally from prev and fully, and reports a
// difference.
func (r *replayer) step(t testing.TB, p project, prev *analysis.Result, text string) *analysis.Result {
	t.Helper()
	in := r.input(p, text)
	if prev != nil && prev.Src != nil && prev.Src.Name == p.path {
		// As the language server does: the new version is the previous
		// File edited (one window, no copy of the text), and the File is
		// the whole input.
		old, ok := r.texts[prev]
		if !ok {
			old = prev.Src.Text()
		}
		delete(r.texts, prev)
		a, oldEnd, newEnd := source.ChangedText(old, text)
		in.File = prev.Src.Edit(source.Span{Start: a, End: oldEnd}, text[a:newEnd])
		in.Text = ""
	}
	inc := analysis.RunIncremental(context.Background(), prev, in, r.rules)
	r.texts[inc] = text
	if testing.Verbose() && inc.FullBecause != "" {
		t.Logf("full analysis: %s", inc.FullBecause)
	}
	full := analysis.Run(context.Background(), r.input(p, text), r.rules)
	if !reflect.DeepEqual(inc.Diagnostics, full.Diagnostics) {
		t.Fatalf("incremental analysis (fast path %t) differs from a full analysis of:\n%s\n%s", inc.Incremental(), text, diff(inc.Diagnostics, full.Diagnostics))
	}
	if len(full.RuleErrors) > 0 {
		t.Fatalf("rule errors: %v", full.RuleErrors)
	}
	return inc
}

func diff(got, want []analysis.Diagnostic) string {
	var b strings.Builder
	for i := 0; i < max(len(got), len(want)); i++ {
		var g, w string
		if i < len(got) {
			g = fmt.Sprintf("%+v", got[i])
		}
		if i < len(want) {
			w = fmt.Sprintf("%+v", want[i])
		}
		if g != w {
			fmt.Fprintf(&b, "#%d\n  incremental: %s\n  full:        %s\n", i, g, w)
		}
	}
	return b.String()
}

// TestIncrementalEqualsFull replays thousands of random edits over
// realistic multi-deployment files and compares, after every edit, what
// the incremental path gives (the function the language server calls) with
// a full analysis of the same text. The fast path must be taken often
// enough for the comparison to mean something.
func TestIncrementalEqualsFull(t *testing.T) {
	edits := 3000
	if testing.Short() || raceEnabled {
		edits = 600
	}
	r := newReplayer()
	for pi, p := range projects(t) {
		rng := rand.New(rand.NewSource(int64(13 + pi)))
		prev := analysis.Run(context.Background(), r.input(p, p.text), r.rules)
		text, fast := p.text, 0
		n := edits / 3
		for e := 0; e < n; e++ {
			if e%8 == 7 {
				text = p.text // drifted far enough: start again from the real file
			}
			text = randomEdit(rng, text)
			prev = r.step(t, p, prev, text)
			if prev.Incremental() {
				fast++
			}
		}
		t.Logf("%s: %d of %d edits took the fast path", filepath.Base(filepath.Dir(p.path)), fast, n)
		// Most random edits break the YAML (a syntax error is analysed
		// whole); some must still take the fast path.
		if fast < n/50 {
			t.Errorf("only %d of %d edits took the fast path", fast, n)
		}
	}
}

// TestIncrementalTyping types and erases text inside deployments one
// character at a time, as an editor sends it, through anchors, aliases,
// merge keys, placeholders and schedules.
func TestIncrementalTyping(t *testing.T) {
	r := newReplayer()
	p := projects(t)[0]
	prev := analysis.Run(context.Background(), r.input(p, p.text), r.rules)
	text := p.text
	fast, steps := 0, 0
	for _, c := range []struct{ after, typed string }{
		{"name: uses-anchor\n", "    tags: [x, \"{{ get-tag.stdout }}\"]\n"},
		{"batch: 8\n", "      <<: *local_pool\n"},
		{"parameters: &shared_params\n", "      extra: &inner 5\n"},
		{"name: yes\n", "    schedules:\n      - cron: \"61 * * * *\"\n        timezone: Nowhere\n"},
		{"  - name: anchored  #", " dup"},
	} {
		at := strings.Index(text, c.after)
		if at < 0 {
			t.Fatalf("%q not in the file", c.after)
		}
		at += len(c.after)
		for k := 1; k <= len(c.typed); k++ {
			text2 := text[:at] + c.typed[:k] + text[at:]
			prev = r.step(t, p, prev, text2)
			steps++
			if prev.Incremental() {
				fast++
			}
		}
		text = text[:at] + c.typed + text[at:]
		for k := len(c.typed) - 1; k >= 0; k-- {
			text2 := text[:at] + c.typed[:k] + text[at+len(c.typed):]
			prev = r.step(t, p, prev, text2)
			steps++
			if prev.Incremental() {
				fast++
			}
		}
		text = text[:at] + text[at+len(c.typed):]
	}
	// A key being typed is a syntax error until its colon: those
	// keystrokes are analysed whole.
	if fast < steps/7 {
		t.Errorf("only %d of %d keystrokes took the fast path", fast, steps)
	}
}

// TestIncrementalStandInsBuiltFromTheLast types into one deployment of a
// realistic file: after the first keystroke, each one's stand-in (the
// deployment alone, with the file's other sections) is built from the
// previous keystroke's instead of parsed again, and the results still
// equal a full analysis (step compares them).
func TestIncrementalStandInsBuiltFromTheLast(t *testing.T) {
	r := newReplayer()
	p := projects(t)[1]
	prev := analysis.Run(context.Background(), r.input(p, p.text), r.rules)
	at := strings.Index(p.text, "name: etl-0010") + len("name: etl-0010")
	text := p.text
	typed := "-renamed"
	for k := 1; k <= len(typed); k++ {
		next := r.step(t, p, prev, text[:at]+typed[:k]+text[at:])
		if !next.Incremental() {
			t.Fatalf("keystroke %d was analysed whole: %s", k, next.FullBecause)
		}
		if k > 1 && !analysis.StandInBuiltFrom(prev, next) {
			t.Errorf("keystroke %d: the stand-in was parsed again", k)
		}
		prev = next
	}
}

// FuzzIncremental applies a fuzzed edit (offset, deleted length, inserted
// text) to a realistic file after a first, random edit and compares both
// paths.
func FuzzIncremental(f *testing.F) {
	f.Add(uint16(900), uint8(0), "x")
	f.Add(uint16(2000), uint8(3), "\n  - ")
	f.Add(uint16(3000), uint8(10), "*shared_params")
	f.Add(uint16(1500), uint8(1), "&a ")
	f.Add(uint16(4000), uint8(0), "{{ ")
	r := newReplayer()
	p := projects(f)[0]
	base := analysis.Run(context.Background(), r.input(p, p.text), r.rules)
	f.Fuzz(func(t *testing.T, at uint16, del uint8, ins string) {
		pos := int(at) % (len(p.text) + 1)
		end := min(len(p.text), pos+int(del))
		text := p.text[:pos] + ins + p.text[end:]
		next := r.step(t, p, base, text)
		// A second edit from the incremental result.
		if pos < len(text) {
			r.step(t, p, next, text[:pos]+text[pos+1:])
		}
	})
}

// TestIncrementalValueEdits edits values inside deployments (names,
// parameters, schedules, placeholders, pool names): nearly all of them
// must take the fast path, and all must equal a full analysis.
func TestIncrementalValueEdits(t *testing.T) {
	r := newReplayer()
	for pi, p := range projects(t) {
		rng := rand.New(rand.NewSource(int64(99 + pi)))
		prev := analysis.Run(context.Background(), r.input(p, p.text), r.rules)
		text := p.text
		first := strings.Index(text, "\ndeployments:\n") + len("\ndeployments:\n")
		last := strings.LastIndex(text, "\npull:\n")
		if last < first {
			last = len(text)
		}
		edits, fast := 150, 0
		if testing.Short() || raceEnabled {
			edits = 40
		}
		for e := 0; e < edits; e++ {
			// A value: after ": " on a line inside the list.
			var at int
			for tries := 0; tries < 100; tries++ {
				at = first + rng.Intn(last-first)
				ls := strings.LastIndexByte(text[:at], '\n') + 1
				le := strings.IndexByte(text[at:], '\n')
				if le <= 0 {
					continue // not at or past the line's end
				}
				line := text[ls : at+le]
				if c := strings.Index(line, ": "); c > 0 && ls+c+2 < at && !strings.ContainsAny(line, "&*{}[]\"'#|>") {
					break
				}
			}
			switch rng.Intn(3) {
			case 0:
				text = text[:at] + string(rune('a'+rng.Intn(26))) + text[at:]
			case 1:
				text = text[:at] + text[at+1:]
			default:
				text = text[:at] + "{{ get-tag.stdout }}" + text[at:]
			}
			prev = r.step(t, p, prev, text)
			if prev.Incremental() {
				fast++
			}
		}
		t.Logf("project %d: %d of %d value edits took the fast path", pi, fast, edits)
		if fast < edits*2/5 {
			t.Errorf("only %d of %d value edits took the fast path", fast, edits)
		}
	}
}

// TestIncrementalFindingsThatNameALine edits a deployment whose findings
// name a line of the file (a duplicate key, a duplicate step id) after
// other multi-line deployments: the stand-in's line numbers are not the
// file's, so such a finding must be worded as a full analysis words it.
func TestIncrementalFindingsThatNameALine(t *testing.T) {
	r := newReplayer()
	p := projects(t)[1] // realistic, 20 deployments of about 30 lines
	start := strings.LastIndex(p.text, "\n  - name: ") + 1
	entry := start + strings.Index(p.text[start:], "\n    entrypoint: ") + 1
	eol := entry + strings.IndexByte(p.text[entry:], '\n') + 1
	steps := "    pull:\n      - prefect.deployments.steps.run_shell_script:\n          id: same\n          script: echo 1\n      - prefect.deployments.steps.run_shell_script:\n          id: same\n          script: echo 2\n"
	for _, c := range []struct{ name, add string }{
		{"duplicate key", p.text[entry:eol]},
		{"duplicate step id", steps},
	} {
		t.Run(c.name, func(t *testing.T) {
			text := p.text[:eol] + c.add + p.text[eol:]
			prev := analysis.Run(context.Background(), r.input(p, p.text), r.rules)
			prev = r.step(t, p, prev, text)
			named := false
			for _, d := range prev.Diagnostics {
				named = named || strings.Contains(d.Message, "line")
			}
			if !named {
				t.Fatalf("no finding names a line; the test tests nothing: %v", prev.Diagnostics)
			}
			// Typing in the deployment while the finding stands.
			at := start + len("  - name: ")
			for _, k := range "xyz" {
				text = text[:at] + string(k) + text[at:]
				prev = r.step(t, p, prev, text)
			}
		})
	}
}

// BenchmarkEdit measures one edit of a value in a middle deployment of a
// realistic file, analysed incrementally (from the previous version's
// analysis, as the language server does) and fully, and reports the p50
// and p95 of the edits:
//
//	go test -run XXX -bench Edit -benchtime 200x ./internal/analysis
func BenchmarkEdit(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		p := benchgen.Generate(benchgen.Realistic, n)
		dir := b.TempDir()
		path, err := p.WriteTo(dir)
		if err != nil {
			b.Fatal(err)
		}
		pr := project{path: path, text: p.YAML, cfg: &config.Config{Root: dir}}
		at := strings.Index(p.YAML, fmt.Sprintf("name: etl-%04d", n/2)) + len("name: etl-")
		texts := []string{p.YAML[:at] + "x" + p.YAML[at:], p.YAML}
		for _, mode := range []string{"incremental", "full"} {
			b.Run(fmt.Sprintf("deployments=%d/%s", n, mode), func(b *testing.B) {
				r := newReplayer()
				prev := analysis.Run(context.Background(), r.input(pr, pr.text), r.rules)
				durations := make([]time.Duration, 0, b.N)
				fast := 0
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					text := texts[i%2]
					t0 := time.Now()
					if mode == "incremental" {
						// As the language server does: the previous
						// version's File edited, one window.
						// texts[0] has the x, texts[1] has not.
						in := r.input(pr, "")
						if i%2 == 0 {
							in.File = prev.Src.Edit(source.Span{Start: at, End: at}, "x")
						} else {
							in.File = prev.Src.Edit(source.Span{Start: at, End: at + 1}, "")
						}
						prev = analysis.RunIncremental(context.Background(), prev, in, r.rules)
						if prev.Incremental() {
							fast++
						}
					} else {
						analysis.Run(context.Background(), r.input(pr, text), r.rules)
					}
					durations = append(durations, time.Since(t0))
				}
				b.StopTimer()
				sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
				b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(durations[len(durations)*95/100].Microseconds())/1000, "p95-ms")
				if mode == "incremental" && fast < b.N {
					b.Fatalf("%d of %d edits took the fast path", fast, b.N)
				}
			})
		}
	}
}
