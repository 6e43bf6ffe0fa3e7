package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
)

// RuleInfo is one item of `rules --format json`.
type RuleInfo struct {
	ID       string `json:"id"`
	Severity string `json:"severity"`
	Category string `json:"category"`
	Summary  string `json:"summary"`
	DocsURL  string `json:"docsUrl"`
}

func runRules(args []string, stdio Stdio) int {
	fs := newFlagSet("rules", "rules [--format text|json]\n\nList every rule with its default severity and summary.", stdio)
	format := fs.String("format", "text", "output format: text or json")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) > 0 {
		fmt.Fprintf(stdio.Err, "prefect-lsp rules: unexpected argument %q\n", pos[0])
		return ExitUsage
	}
	all := rules.All()
	switch *format {
	case "json":
		out := make([]RuleInfo, 0, len(all))
		for _, r := range all {
			out = append(out, RuleInfo{ID: r.ID, Severity: r.Severity.String(), Category: string(r.Category), Summary: r.Summary, DocsURL: r.DocsURL()})
		}
		enc := json.NewEncoder(stdio.Out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out); err != nil {
			return ExitInternal
		}
	case "text":
		tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSEVERITY\tCATEGORY\tSUMMARY")
		for _, r := range all {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Category, r.Summary)
		}
		if err := tw.Flush(); err != nil {
			return ExitInternal
		}
	default:
		fmt.Fprintf(stdio.Err, "prefect-lsp rules: unknown --format %q; use text or json\n", *format)
		return ExitUsage
	}
	return ExitOK
}
