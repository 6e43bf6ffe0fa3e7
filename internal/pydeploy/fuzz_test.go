package pydeploy

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
func sprint(v any) string          { return fmt.Sprint(v) }

// FuzzAnalyze feeds odd Python to the scanner, Analyze, HoverAt and
// Actions: nothing may panic and every span must lie inside the text.
func FuzzAnalyze(f *testing.F) {
	f.Add(sample)
	f.Add("from prefect import flow\n@flow\ndef f(a: int): ...\nf.deploy(name='x', job_variables={'a': [1, {'b': (2,)}]}, interval=timedelta(-1)")
	f.Add("from prefect import deploy\ndeploy(*ds, **kw)\nx.to_deployment(name=f'{a}')\n")
	f.Add("import prefect\nflow.from_source(source=1).deploy(cron=Cron(), schedules=[Cron('x', timezone=1), RRule()])")
	cfg := &config.Config{Server: config.ServerSelfHosted, WorkPools: map[string]string{"x": "kubernetes", "p": "process", "c": "cloud-run:push"}}
	f.Fuzz(func(t *testing.T, text string) {
		in := analysis.Input{Path: "/fuzz/flows.py", Text: text, Config: cfg}
		res := Analyze(context.Background(), in)
		for _, d := range res.Diagnostics {
			if d.Span.Start < 0 || d.Span.End > len(text) || d.Span.Start > d.Span.End {
				t.Fatalf("span %v outside text of %d bytes", d.Span, len(text))
			}
			for _, fx := range d.Fixes {
				if _, err := source.Apply(text, fx.Edits); err != nil {
					t.Fatalf("fix %q: %v", fx.Title, err)
				}
			}
		}
		for _, off := range []int{0, len(text) / 2, len(text)} {
			HoverAt(context.Background(), in, off)
		}
		Actions(context.Background(), in, source.Span{Start: 0, End: len(text)})
	})
}
