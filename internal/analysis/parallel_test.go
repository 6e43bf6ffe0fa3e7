package analysis

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// TestRulesRunConcurrently: the rules of one run share memo values
// computed once, a memo that panics fails every rule that asks for it and
// no other, and the findings come out in rule order and, within a rule,
// in the order it reported them, however the rules were scheduled.
func TestRulesRunConcurrently(t *testing.T) {
	doc := yamlsyntax.Parse("prefect.yaml", "name: x\n")
	file := prefectyaml.Parse(doc)
	var computed, boomed, running, most atomic.Int32
	var rules []*Rule
	const n = 24
	for i := range n {
		rules = append(rules, &Rule{ID: fmt.Sprintf("r%02d", i), Run: func(p *Pass) {
			now := running.Add(1)
			defer running.Add(-1)
			for {
				if m := most.Load(); now <= m || most.CompareAndSwap(m, now) {
					break
				}
			}
			// Rules take different times, so that later ones finish first.
			time.Sleep(time.Duration((n-i)%4) * time.Millisecond)
			v := p.Memo("shared", func() any {
				computed.Add(1)
				time.Sleep(2 * time.Millisecond)
				return 42
			}).(int)
			if i%5 == 3 {
				p.Memo("boom", func() any {
					boomed.Add(1)
					panic("memo failed")
				})
			}
			for _, what := range []string{"first", "second", "third"} {
				p.Reportf(source.Span{Start: 0, End: 1}, "%s %d", what, v)
			}
		}})
	}
	for round := range 20 {
		computed.Store(0)
		boomed.Store(0)
		raw, errs, ok := runRules(context.Background(), "/p/prefect.yaml", doc, file, &config.Config{Root: "/p"}, nil, &Env{}, rules, nil, -1)
		if !ok {
			t.Fatal("not ok")
		}
		if computed.Load() != 1 || boomed.Load() != 1 {
			t.Fatalf("round %d: shared memo computed %d times, panicking one %d times", round, computed.Load(), boomed.Load())
		}
		var want []string
		for i := range n {
			if i%5 == 3 {
				continue
			}
			for _, what := range []string{"first", "second", "third"} {
				want = append(want, fmt.Sprintf("r%02d %s 42", i, what))
			}
		}
		var got []string
		for j, r := range raw {
			got = append(got, r.d.RuleID+" "+r.d.Message)
			if r.seq != j || r.d.RuleID != rules[r.rule].ID {
				t.Fatalf("round %d: raw %d has seq %d, rule %d (%s)", round, j, r.seq, r.rule, r.d.RuleID)
			}
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("round %d: findings\n%s\nwant\n%s", round, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		var failed []string
		for _, e := range errs {
			if !strings.Contains(e, "memo failed") {
				t.Errorf("rule error without the memo's panic: %s", e)
			}
			failed = append(failed, strings.Fields(e)[1])
		}
		if got, want := strings.Join(failed, " "), "r03 r08 r13 r18 r23"; got != want {
			t.Fatalf("round %d: failed rules %q, want %q", round, got, want)
		}
	}
	if runtime.GOMAXPROCS(0) > 1 && most.Load() < 2 {
		t.Errorf("at most %d rule ran at a time on %d cores", most.Load(), runtime.GOMAXPROCS(0))
	}
}

// TestRulesStopWhenCancelled: a run cancelled while its rules run reports
// nothing and runs no rule after the cancellation.
func TestRulesStopWhenCancelled(t *testing.T) {
	doc := yamlsyntax.Parse("prefect.yaml", "name: x\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var after atomic.Int32
	var cancelled atomic.Bool
	var rules []*Rule
	for i := range 50 {
		rules = append(rules, &Rule{ID: fmt.Sprintf("r%02d", i), Run: func(p *Pass) {
			if cancelled.Load() {
				after.Add(1)
			}
			if i == 5 {
				cancelled.Store(true)
				cancel()
			}
		}})
	}
	_, _, ok := runRules(ctx, "/p/prefect.yaml", doc, prefectyaml.Parse(doc), &config.Config{Root: "/p"}, nil, &Env{}, rules, nil, -1)
	if ok {
		t.Error("a cancelled run reported its findings")
	}
	// A rule another worker had started before the cancellation may
	// finish; none starts after it.
	if n := after.Load(); n > int32(runtime.GOMAXPROCS(0)) {
		t.Errorf("%d rules started after the cancellation", n)
	}
}
