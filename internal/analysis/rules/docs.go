package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
)

// DocPages renders docs/rules: one page per rule and README.md, the index.
func DocPages() map[string]string {
	pages := map[string]string{}
	byCat := map[analysis.Category][]*analysis.Rule{}
	for _, r := range All() {
		pages[r.ID+".md"] = RulePage(r)
		byCat[r.Category] = append(byCat[r.Category], r)
	}
	var b strings.Builder
	b.WriteString("# prefect-lsp rules\n\n<!-- Generated from the rule registry (internal/analysis/rules); do not edit. -->\n\n")
	b.WriteString("Silence a rule on one line with `# prefect-lsp: ignore[rule-id]` (on the line or the line above),\n")
	b.WriteString("in a whole file with `# prefect-lsp: ignore-file[rule-id]`, or configure it in `[tool.prefect-lsp.rules]`.\n")
	cats := make([]string, 0, len(byCat))
	for c := range byCat {
		cats = append(cats, string(c))
	}
	sort.Strings(cats)
	for _, c := range cats {
		fmt.Fprintf(&b, "\n## %s\n\n| rule | default | summary |\n|---|---|---|\n", c)
		for _, r := range byCat[analysis.Category(c)] {
			fmt.Fprintf(&b, "| [`%s`](%s.md) | %s | %s |\n", r.ID, r.ID, r.Severity, r.Summary)
		}
	}
	pages["README.md"] = b.String()
	return pages
}

// RulePage renders one rule's docs page.
func RulePage(r *analysis.Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n<!-- Generated from the rule registry (internal/analysis/rules); do not edit. -->\n\n", r.ID)
	fmt.Fprintf(&b, "%s.\n\n", upperFirst(r.Summary))
	fmt.Fprintf(&b, "- Default severity: **%s**\n- Category: %s\n\n", r.Severity, r.Category)
	b.WriteString(strings.TrimSpace(r.Doc))
	if what, ok := PythonChecks[r.ID]; ok {
		fmt.Fprintf(&b, "\n\n## In Python deployment code\n\n%s See [Python deployment code](../python.md).", what)
	}
	b.WriteString("\n\n## Configuration\n\n```toml\n[tool.prefect-lsp.rules]\n")
	fmt.Fprintf(&b, "%s = \"off\"   # or \"error\", \"warning\", \"information\", \"hint\"\n```\n", r.ID)
	return b.String()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// PythonChecks says, for each rule that package pydeploy also applies to
// Python deployment calls (flow.serve/flow.deploy/to_deployment), what it
// checks there; the rule pages include it. pydeploy's tests keep it in step
// with the rules it reports.
var PythonChecks = map[string]string{
	"code-unreachable":           "Also reported on `.deploy()`/`deploy(...)` with no `image=` whose flow does not come from `flow.from_source(...)` (and no `entrypoint_type=EntrypointType.MODULE_PATH`): Prefect raises \"Either an image or remote storage location must be provided when deploying a deployment\". The quick fix adds `image=`.",
	"image-not-pushed":           "Also reported on `push=False` when `.deploy()` builds the image (`build` is not `False`) for a pool whose runs start on other hosts; the quick fix removes `push=False`.",
	"cloud-only-pool":            "Also reported on the `work_pool_name=` of `.deploy()` when its type is a push or managed pool and the configuration says `server = \"self-hosted\"`.",
	"unknown-job-variable":       "Also reported on the keys of a literal `job_variables={...}` of `.deploy()`, with a rename to the closest variable.",
	"job-variable-type":          "Also reported on the literal values of `job_variables={...}` of `.deploy()`.",
	"invalid-cron":               "Also reported on `cron=` and on `Cron(...)` objects in `schedules=[...]` of `.serve()`, `.deploy()` and `.to_deployment()`.",
	"invalid-interval":           "Also reported on `interval=` (a number of seconds or a `timedelta`) and on `Interval(...)` objects.",
	"invalid-rrule":              "Also reported on `rrule=` and on `RRule(...)` objects.",
	"invalid-timezone":           "Also reported on the `timezone=` of `Cron`/`Interval`/`RRule` objects, with a fix to the closest zone.",
	"unknown-parameter":          "Also reported on the keys of a literal `parameters={...}` when the flow is defined in the same file, with a rename to the closest parameter.",
	"missing-required-parameter": "Also reported on a literal `parameters={...}` that leaves out a parameter without a default of a flow defined in the same file.",
	"parameter-type":             "Also reported on the literal values of `parameters={...}` against the flow's annotations.",
	"simpler-deployment-option":  "Also reported on `.deploy()` to a `process` pool (code not from `from_source`) where `.serve()` runs the flow without a work pool or worker, and on a serverless hybrid pool (`ecs`, `cloud-run`, ...) whose push variant needs no worker, unless the configuration says `server = \"self-hosted\"`.",
}
