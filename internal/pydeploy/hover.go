package pydeploy

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/guidance"
	"github.com/prefect-lsp/prefect-lsp/internal/pyflow"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/workpools"
)

// Facts returns the decision guide's facts for a Python deployment.
func Facts(cfg *config.Config, d *Deployment) guidance.Facts {
	name, t, src := pool(cfg, d)
	f := guidance.Facts{PoolName: name, PoolTypeSource: src, HasWorkPool: d.Mode == ModeDeploy && name != ""}
	if t != nil {
		f.PoolType = t.Name
	}
	if jv, ok := d.Arg("job_variables"); ok && jv.Known {
		if m, ok := jv.V.(map[string]any); ok {
			for k := range m {
				f.JobVariableKeys = append(f.JobVariableKeys, k)
			}
		}
	}
	if _, ok := d.Arg("image"); ok {
		f.HasImage = true
		build, bok := d.Arg("build")
		push, pok := d.Arg("push")
		f.HasBuildImageStep = !(bok && build.Known && build.V == false)
		f.HasPushImageStep = f.HasBuildImageStep && !(pok && push.Known && push.V == false)
	}
	if d.FromSource != nil {
		f.PullKinds = []string{sourceKind(d.FromSource)}
	}
	for _, k := range []string{"cron", "interval", "rrule", "schedule", "schedules"} {
		if v, ok := d.Arg(k); ok && v.Text != "None" && v.Text != "[]" {
			f.HasSchedules = true
		}
	}
	if _, ok := d.Arg("triggers"); ok {
		f.HasTriggers = true
	}
	f.FlowServedInCode = d.Mode == ModeServe
	if cfg != nil {
		f.SelfHosted = cfg.Server == config.ServerSelfHosted
		f.Cloud = cfg.Server == config.ServerCloud
	}
	return f
}

// sourceKind classifies from_source(source=...) like a pull step.
func sourceKind(c *pyflow.Call) string {
	var s *string
	if k := c.Kwarg("source"); k != nil {
		s = k.StringValue
	} else if len(c.Args) > 0 {
		s = c.Args[0].StringValue
	}
	if s == nil {
		return "other"
	}
	v := strings.ToLower(*s)
	switch {
	case strings.HasSuffix(v, ".git") || strings.Contains(v, "github.com") || strings.Contains(v, "gitlab") || strings.Contains(v, "bitbucket") || strings.HasPrefix(v, "git@"):
		return "git"
	case strings.Contains(v, "://"):
		return "storage"
	}
	return "other"
}

// HoverAt returns the hover for the method name of a deployment call at
// offset (`.serve`, `.deploy`, `.to_deployment`, or the bare `serve(` /
// `deploy(` that takes to_deployment objects): where the deployment lands
// in the decision guide and why, rendered as on the prefect.yaml work pool.
// ok is false everywhere else, so that Python language servers keep the
// rest of the file.
func HoverAt(ctx context.Context, in analysis.Input, offset int) (markdown string, span source.Span, ok bool) {
	if ctx.Err() != nil {
		return "", source.Span{}, false
	}
	mod := pyflow.Parse(in.Path, []byte(in.Contents()))
	if !importsPrefect(mod) {
		return "", source.Span{}, false
	}
	cfg := in.Config
	if cfg == nil {
		cfg, _ = config.Load(filepath.Dir(in.Path))
	}
	var hits []*Deployment
	for _, d := range scan(mod) {
		if contains(d.NameSpan, offset) || d.Group != nil && contains(d.Group.NameSpan, offset) {
			if contains(d.NameSpan, offset) {
				span = d.NameSpan
			} else {
				span = d.Group.NameSpan
			}
			hits = append(hits, d)
		}
	}
	if len(hits) == 0 {
		return "", source.Span{}, false
	}
	var b strings.Builder
	for i, d := range hits {
		if i > 0 {
			b.WriteString("\n\n---\n\n")
		}
		b.WriteString(describe(cfg, d))
	}
	return b.String(), span, true
}

func contains(s source.Span, off int) bool { return s.Start <= off && off <= s.End && s.End > s.Start }

// describe renders one deployment's place in the guide.
func describe(cfg *config.Config, d *Deployment) string {
	var b strings.Builder
	name := d.Name()
	display := name
	if display == "" {
		display = d.FlowName
	}
	switch d.Mode {
	case ModeServe:
		fmt.Fprintf(&b, "**Served deployment `%s`** — runs in the process that runs this script (no work pool, no worker).\n\n", display)
	case ModeDeploy:
		pn, t, src := pool(cfg, d)
		switch {
		case pn == "":
			fmt.Fprintf(&b, "**Deployment `%s`** — work pool not given as a literal (Prefect falls back to PREFECT_DEPLOYMENTS_DEFAULT_WORK_POOL_NAME).\n\n", display)
		case t == nil:
			fmt.Fprintf(&b, "**Deployment `%s`** on work pool `%s` — type unknown. Tell prefect-lsp with `[tool.prefect-lsp.work-pools]` in pyproject.toml (e.g. `%s = \"kubernetes\"`) to get type-specific checks.\n\n", display, pn, pn)
		default:
			fmt.Fprintf(&b, "**Deployment `%s`** on work pool `%s` — type `%s` (%s).\n\n", display, pn, t.Name, src)
			if wt, ok := workpools.Lookup(t.Name); ok {
				fmt.Fprintf(&b, "%s\n\n", wt.Summary)
			}
		}
	default:
		fmt.Fprintf(&b, "**Deployment object `%s`** — not handed to serve() or deploy() in this file.\n\n", display)
		return b.String()
	}
	rec := guidance.Decide(Facts(cfg, d))
	b.WriteString(guidance.Markdown(rec, display))
	return b.String()
}
