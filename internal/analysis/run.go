package analysis

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// Env holds services shared across analyses: how to read project files
// (open editor buffers win over the disk) and caches that rules fill.
type Env struct {
	// ReadFile reads a project file; nil means os.ReadFile.
	ReadFile func(path string) ([]byte, error)
	// Values holds long-lived shared services keyed by name (e.g. the flow
	// code index); packages that own a service define typed accessors.
	Values map[string]any
}

// Read reads a file through the environment.
func (e *Env) Read(path string) ([]byte, error) {
	if e != nil && e.ReadFile != nil {
		return e.ReadFile(path)
	}
	return os.ReadFile(path)
}

// Input is one analysis request.
type Input struct {
	Path string // absolute path of the prefect.yaml (or a display name)
	Text string
	// Config is the effective configuration; nil loads it from the disk
	// next to Path.
	Config         *config.Config
	ConfigProblems []config.Problem
	Env            *Env
	// File, when set, is the text with its line table (the language
	// server keeps one per document version, made by Edit without copying
	// the text on each keystroke): Text is then not read and may be empty.
	// Otherwise Text is the text.
	File *source.File
}

// Contents is the input's text.
func (in Input) Contents() string {
	if in.File != nil {
		return in.File.Text()
	}
	return in.Text
}

// Source is the input's text as a File named Path.
func (in Input) Source() *source.File {
	switch {
	case in.File == nil:
		return source.NewFile(in.Path, in.Text)
	case in.File.Name != in.Path:
		return source.NewFile(in.Path, in.File.Text())
	}
	return in.File
}

// Result is what an analysis produced.
type Result struct {
	Path        string
	Src         *source.File
	Doc         *yamlsyntax.Document
	File        *prefectyaml.File
	Config      *config.Config
	Diagnostics []Diagnostic
	// RuleErrors lists rules that panicked (a bug in prefect-lsp); the
	// analysis goes on without them.
	RuleErrors []string
	// FullBecause says why RunIncremental analysed the whole file (empty
	// after Run, or when the edit was analysed incrementally).
	FullBecause string

	// inc is what RunIncremental needs to analyse the next version of the
	// text from this one (nil when the file's shape does not allow it).
	inc *incState
	// lastGood, when inc is nil, is the state of the last earlier version
	// that had one.
	lastGood *incState
}

// Run analyses one prefect.yaml with the given rules. It checks ctx between
// rules and returns nil when cancelled.
func Run(ctx context.Context, in Input, rules []*Rule) *Result {
	cfg, cfgProblems := inputConfig(in)
	env := in.Env
	if env == nil {
		env = &Env{}
	}
	src := in.Source()
	doc := yamlsyntax.ParseFile(src)
	file := prefectyaml.Parse(doc)
	res := &Result{Path: in.Path, Src: doc.File, Doc: doc, File: file, Config: cfg}
	raw, errs, ok := runRules(ctx, in.Path, doc, file, cfg, cfgProblems, env, rules, nil, -1)
	if !ok {
		return nil
	}
	res.RuleErrors = errs
	if len(errs) == 0 {
		if lay := layoutOf(doc); lay != nil {
			lay.assignOrigins(raw)
			res.inc = &incState{src: src, path: in.Path, rules: rules, cfg: cfg, cfgProblems: cfgProblems, env: env, layout: lay, raw: raw, expanded: doc.ExpandedSize(), fingerprints: fingerprintsOf(rules, file, len(lay.starts))}
		}
	}
	finish(res, cfg, raw)
	return res
}

func inputConfig(in Input) (*config.Config, []config.Problem) {
	if in.Config == nil {
		return config.Load(filepath.Dir(in.Path))
	}
	return in.Config, in.ConfigProblems
}

// rawDiagnostic is a finding as its rule reported it, before configured
// severities, suppressions and deduplication. rule is the rule's index in
// the rule list, seq the order of reporting within one run of the rules,
// and origin the deployment (its index in the deployments list) the finding
// is about, or -1 for the rest of the file: findings are ordered by rule,
// origin and seq, so that reused and recomputed ones interleave the same
// way as in a full analysis.
type rawDiagnostic struct {
	d      *Diagnostic
	rule   int
	origin int
	seq    int
}

// runRules runs the enabled rules on one document; only, when not nil,
// selects the rules (by index) to run. ok is false when ctx is cancelled.
//
// The rules run on all cores: each takes the next rule not yet taken,
// and values the rules share (Pass.Memo) are computed once, by the first
// rule that asks. The findings are put in rule order, as one rule after
// the other would have reported them.
func runRules(ctx context.Context, path string, doc *yamlsyntax.Document, file *prefectyaml.File, cfg *config.Config, cfgProblems []config.Problem, env *Env, rules []*Rule, only func(i int) bool, focus int) (raw []rawDiagnostic, ruleErrors []string, ok bool) {
	shared := newMemo()
	shared.get("config-problems", func() any { return cfgProblems })
	off := disabledRules(path, cfg)
	type outcome struct {
		diags []*Diagnostic
		err   string
	}
	out := make([]outcome, len(rules))
	var next atomic.Int64
	work := func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= len(rules) || ctx.Err() != nil {
				return
			}
			r := rules[i]
			if off[r.ID] || off["*"] || (only != nil && !only(i)) {
				continue
			}
			p := &Pass{Rule: r, Path: path, Root: cfg.Root, Src: doc.File, Doc: doc, File: file, Config: cfg, Env: env, ctx: ctx, diags: &out[i].diags, memo: shared, focus: focus + 1}
			out[i].err = runRule(p)
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(rules)) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	if ctx.Err() != nil {
		return nil, nil, false
	}
	seq := 0
	for i, o := range out {
		if o.err != "" {
			ruleErrors = append(ruleErrors, o.err)
		}
		for _, d := range o.diags {
			raw = append(raw, rawDiagnostic{d: d, rule: i, origin: -1, seq: seq})
			seq++
		}
	}
	return raw, ruleErrors, true
}

// disabledRules returns the rules that the configuration turns off for
// path ("*" for all).
func disabledRules(path string, cfg *config.Config) map[string]bool {
	off := map[string]bool{}
	for id, s := range cfg.Rules {
		if sev, ok := ParseSeverity(s); ok && sev == Off {
			off[id] = true
		}
	}
	for _, id := range cfg.IgnoredRules(path) {
		off[id] = true
	}
	return off
}

// finish turns raw findings into the result's diagnostics: configured
// severities, suppression comments, deduplication (merging related
// information) and the order by position.
func finish(res *Result, cfg *config.Config, raw []rawDiagnostic) {
	sort.SliceStable(raw, func(i, j int) bool {
		a, b := raw[i], raw[j]
		if a.rule != b.rule {
			return a.rule < b.rule
		}
		if a.origin != b.origin {
			return a.origin < b.origin
		}
		return a.seq < b.seq
	})
	severities := map[string]Severity{}
	for id, s := range cfg.Rules {
		if sev, ok := ParseSeverity(s); ok {
			severities[id] = sev
		}
	}
	sup := parseSuppressions(res.Src)
	seen := map[string]int{}
	for _, r := range raw {
		d := *r.d
		if sev, ok := severities[d.RuleID]; ok {
			d.Severity = sev
		}
		if sup.Suppressed(d.RuleID, res.Src.LineOf(d.Span.Start)) {
			continue
		}
		key := fmt.Sprintf("%s|%d|%d|%s", d.RuleID, d.Span.Start, d.Span.End, d.Message)
		if i, ok := seen[key]; ok {
			res.Diagnostics[i].Related = appendRelated(res.Diagnostics[i].Related, d.Related)
			continue
		}
		seen[key] = len(res.Diagnostics)
		d.Related = append([]Related(nil), d.Related...)
		res.Diagnostics = append(res.Diagnostics, d)
	}
	sort.SliceStable(res.Diagnostics, func(i, j int) bool {
		a, b := res.Diagnostics[i], res.Diagnostics[j]
		if a.Span.Start != b.Span.Start {
			return a.Span.Start < b.Span.Start
		}
		if a.Span.End != b.Span.End {
			return a.Span.End < b.Span.End
		}
		return a.RuleID < b.RuleID
	})
}

func appendRelated(a, b []Related) []Related {
	for _, r := range b {
		dup := false
		for _, x := range a {
			if x == r {
				dup = true
				break
			}
		}
		if !dup {
			a = append(a, r)
		}
	}
	return a
}

func runRule(p *Pass) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprintf("rule %s panicked: %v\n%s", p.Rule.ID, r, debug.Stack())
		}
	}()
	p.Rule.Run(p)
	return ""
}

// Suppression comments:
//
//	key: value  # prefect-lsp: ignore[rule-id, other-rule] optional reason
//	# prefect-lsp: ignore[rule-id]          (on the line above)
//	# prefect-lsp: ignore-file[rule-id]     (anywhere: the whole file)
//
// "ignore" or "ignore-file" without brackets silences every rule.
var suppressionRE = regexp.MustCompile(`#\s*prefect-lsp:\s*(ignore-file|ignore)\b(?:\[([^\]]*)\])?`)

// Suppressions are the suppression comments of one file.
type Suppressions struct {
	file  map[string]bool
	lines map[int]map[string]bool
}

func parseSuppressions(f *source.File) Suppressions {
	return ParseSuppressions(f, nil)
}

// ParseSuppressions reads the suppression comments of f. comments, when not
// nil, limits them to those spans (e.g. a Python file's comment tokens, so
// that text inside string literals does not count); nil reads the whole
// text, as for YAML.
func ParseSuppressions(f *source.File, comments []source.Span) Suppressions {
	s := Suppressions{file: map[string]bool{}, lines: map[int]map[string]bool{}}
	if len(f.IndexAll("prefect-lsp:")) == 0 {
		// Found without reading the whole of an edited File's text.
		return s
	}
	text := f.Text()
	if comments == nil {
		comments = []source.Span{{Start: 0, End: len(text)}}
	}
	for _, c := range comments {
		for _, m := range suppressionRE.FindAllStringSubmatchIndex(text[c.Start:c.End], -1) {
			for i := range m {
				if m[i] >= 0 {
					m[i] += c.Start
				}
			}
			s.add(f, text, m)
		}
	}
	return s
}

func (s Suppressions) add(f *source.File, text string, m []int) {
	kind := text[m[2]:m[3]]
	ids := []string{"*"}
	if m[4] >= 0 {
		ids = nil
		for _, id := range strings.Split(text[m[4]:m[5]], ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
	}
	if kind == "ignore-file" {
		for _, id := range ids {
			s.file[id] = true
		}
		return
	}
	line := f.LineOf(m[0])
	targets := []int{line}
	// A comment alone on its line applies to the next line.
	if strings.TrimSpace(text[f.LineStart(line):m[0]]) == "" {
		targets = append(targets, line+1)
	}
	for _, l := range targets {
		if s.lines[l] == nil {
			s.lines[l] = map[string]bool{}
		}
		for _, id := range ids {
			s.lines[l][id] = true
		}
	}
}

// Suppressed reports whether rule id is silenced on a 0-based line.
func (s Suppressions) Suppressed(id string, line int) bool {
	if s.file[id] || s.file["*"] {
		return true
	}
	l := s.lines[line]
	return l[id] || l["*"]
}
