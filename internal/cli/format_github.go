package cli

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// writeGitHub writes GitHub Actions workflow commands, one per diagnostic:
//
//	::error file=prefect.yaml,line=3,col=5,endLine=3,endColumn=9,title=rule-id::message
//
// Lines and columns are 1-based; columns count characters; endColumn is
// the column of the last character of the span (inclusive, as annotations
// expect). Information and hints become notices.
func writeGitHub(w io.Writer, reports []*fileReport) error {
	bw := bufio.NewWriter(w)
	for _, r := range reports {
		for _, d := range r.diagnostics {
			rg := r.src.Range(d.Span, source.UTF32)
			endCol := rg.End.Character
			if rg.End.Line == rg.Start.Line && endCol <= rg.Start.Character {
				endCol = rg.Start.Character + 1
			}
			if endCol < 1 {
				endCol = 1
			}
			fmt.Fprintf(bw, "::%s file=%s,line=%d,col=%d,endLine=%d,endColumn=%d,title=%s::%s\n",
				githubLevel(d.Severity),
				githubProperty(filepath.ToSlash(r.target.display)),
				rg.Start.Line+1, rg.Start.Character+1, rg.End.Line+1, endCol,
				githubProperty(d.RuleID),
				githubData(d.Message+" ["+d.RuleID+"]"))
		}
	}
	return bw.Flush()
}

func githubLevel(s analysis.Severity) string {
	switch s {
	case analysis.Error:
		return "error"
	case analysis.Warning:
		return "warning"
	}
	return "notice"
}

// githubData escapes a workflow command's message.
func githubData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// githubProperty escapes a workflow command's property value.
func githubProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
