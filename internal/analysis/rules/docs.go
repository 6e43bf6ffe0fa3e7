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
