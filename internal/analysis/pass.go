package analysis

import (
	"context"
	"fmt"
	"sync"

	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// Pass is what a rule sees: one prefect.yaml, its model, and the project
// around it.
type Pass struct {
	Rule *Rule
	// Path is the prefect.yaml's absolute path (or the name given for
	// standard input); Root the project root that entrypoints and other
	// paths resolve against.
	Path, Root string
	Src        *source.File
	Doc        *yamlsyntax.Document
	File       *prefectyaml.File
	Config     *config.Config
	// Env carries the project services (flow code index, file system
	// view) shared by all passes of one run.
	Env *Env

	ctx   context.Context
	diags *[]*Diagnostic
	memo  *memo
	// focus is 1 + the index of the deployments item analysed alone (see
	// Skips); 0 when every item counts.
	focus int
}

// Skips reports whether the rule may leave item i of the deployments list
// out. It is true while an incremental analysis runs the rules on a
// stand-in document in which every item but one is a placeholder whose
// findings are discarded. Skipping is only an optimisation: a rule that
// never asks is still correct.
func (p *Pass) Skips(i int) bool { return p.focus > 0 && i != p.focus-1 }

// Context is cancelled when the analysis is superseded.
func (p *Pass) Context() context.Context { return p.ctx }

// Report adds a diagnostic of the pass's rule at span, with the rule's
// severity, and returns it so that the rule can attach fixes.
func (p *Pass) Report(span source.Span, msg string) *Diagnostic {
	d := &Diagnostic{RuleID: p.Rule.ID, Severity: p.Rule.Severity, Span: p.Src.Clamp(span), Message: msg}
	*p.diags = append(*p.diags, d)
	return d
}

// Reportf is Report with formatting.
func (p *Pass) Reportf(span source.Span, format string, args ...any) *Diagnostic {
	return p.Report(span, fmt.Sprintf(format, args...))
}

// ReportNode reports on a node's span; when the node was reached through an
// alias or merge (via), the diagnostic names that site as related
// information, so that the problem is shown where it can be fixed and where
// it is used.
func (p *Pass) ReportNode(n, via *yamlsyntax.Node, format string, args ...any) *Diagnostic {
	d := p.Reportf(n.Span, format, args...)
	p.AddVia(d, via)
	return d
}

// AddVia adds the alias or merge site as related information.
func (p *Pass) AddVia(d *Diagnostic, via *yamlsyntax.Node) {
	if via == nil {
		return
	}
	what := "used here"
	if via.Kind == yamlsyntax.AliasNode {
		what = fmt.Sprintf("used here through alias *%s", via.Text)
	} else {
		what = "merged in here"
	}
	d.Related = append(d.Related, Related{Span: via.Span, Message: what})
}

// Memo computes a value once per analysis run and shares it between rules
// (e.g. schema validation results, resolved pool types). Rules run
// concurrently: a rule asking for a value another rule is computing waits
// for it. f must not report (the value is not the asking rule's) and must
// not ask for its own key. When f panics, every rule asking for the value
// panics with the same value.
func (p *Pass) Memo(key string, f func() any) any {
	return p.memo.get(key, f)
}

// memo holds the values of Pass.Memo for one run.
type memo struct {
	mu sync.Mutex
	m  map[string]*memoEntry
}

type memoEntry struct {
	once     sync.Once
	v        any
	panicked any
}

func newMemo() *memo { return &memo{m: map[string]*memoEntry{}} }

func (m *memo) get(key string, f func() any) any {
	m.mu.Lock()
	e, ok := m.m[key]
	if !ok {
		e = &memoEntry{}
		m.m[key] = e
	}
	m.mu.Unlock()
	e.once.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				e.panicked = r
				panic(r)
			}
		}()
		e.v = f()
	})
	if e.panicked != nil {
		panic(e.panicked)
	}
	return e.v
}
