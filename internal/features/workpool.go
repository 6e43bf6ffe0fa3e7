package features

import (
	"context"
	"fmt"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/deployinfo"
	"github.com/prefect-lsp/prefect-lsp/internal/guidance"
	"github.com/prefect-lsp/prefect-lsp/internal/lsp"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/workpools"
)

// WorkPool hovers on a deployment's work_pool key or name: the pool type
// and where it came from, and the decision guide's recommendation.
type WorkPool struct{}

func (WorkPool) Name() string { return "work-pool" }

func (WorkPool) Hover(ctx context.Context, s *lsp.Snapshot, off int) *lsp.HoverResult {
	d := deploymentAt(s.Model(), off)
	if d == nil || d.WorkPool == nil {
		return nil
	}
	wp := d.WorkPool
	var span source.Span
	switch {
	case within(wp.Field.KeySpan(), off):
		span = wp.Field.KeySpan()
	case within(wp.Name.ValueSpan(), off) && wp.Name.Present():
		span = wp.Name.ValueSpan()
	default:
		return nil
	}
	cfg := configOf(s)
	typ, src := deployinfo.PoolType(cfg, d)
	var b strings.Builder
	name, _ := wp.Name.Str()
	fmt.Fprintf(&b, "**Work pool `%s`**", name)
	if typ == "" {
		b.WriteString(" — type unknown. Tell prefect-lsp with `[tool.prefect-lsp.work-pools]` in pyproject.toml (e.g. `" + name + " = \"kubernetes\"`) to get type-specific checks.\n\n")
	} else {
		fmt.Fprintf(&b, " — type `%s` (%s).\n\n", typ, src)
		if t, ok := workpools.Lookup(typ); ok {
			fmt.Fprintf(&b, "%s\n\n", t.Summary)
		}
	}
	rec := deployinfo.Recommend(cfg, d)
	b.WriteString(guidance.Markdown(rec, d.DisplayName()))
	return &lsp.HoverResult{Markdown: b.String(), Span: span}
}
