package cli

import (
	"encoding/json"
	"io"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// JSONDiagnostic is one item of `check --format json`, a contract: 0-based
// lines, characters in UTF-16 code units (LSP conventions), severity one of
// error, warning, information, hint, and code the rule id.
type JSONDiagnostic struct {
	Path     string    `json:"path"`
	Range    JSONRange `json:"range"`
	Severity string    `json:"severity"`
	Code     string    `json:"code"`
	Message  string    `json:"message"`
	Fixes    []JSONFix `json:"fixes"`
}

// JSONRange is an LSP range.
type JSONRange struct {
	Start JSONPosition `json:"start"`
	End   JSONPosition `json:"end"`
}

// JSONPosition is an LSP position.
type JSONPosition struct {
	Line      int `json:"line"`
	Character int `json:"character"`
}

// JSONFix is one fix of a diagnostic: edits of the diagnostic's file, all
// against its original text.
type JSONFix struct {
	Title string     `json:"title"`
	Edits []JSONEdit `json:"edits"`
}

// JSONEdit replaces Range with NewText.
type JSONEdit struct {
	Range   JSONRange `json:"range"`
	NewText string    `json:"newText"`
}

func jsonRange(f *source.File, s source.Span) JSONRange {
	r := f.Range(s, source.UTF16)
	return JSONRange{
		Start: JSONPosition{Line: r.Start.Line, Character: r.Start.Character},
		End:   JSONPosition{Line: r.End.Line, Character: r.End.Character},
	}
}

// jsonDiagnostics converts the reports to the JSON contract.
func jsonDiagnostics(reports []*fileReport) []JSONDiagnostic {
	out := []JSONDiagnostic{}
	for _, r := range reports {
		for _, d := range r.diagnostics {
			out = append(out, JSONDiagnostic{
				Path:     r.target.display,
				Range:    jsonRange(r.src, d.Span),
				Severity: d.Severity.String(),
				Code:     d.RuleID,
				Message:  d.Message,
				Fixes:    jsonFixes(r.src, d),
			})
		}
	}
	return out
}

// jsonFixes lists the fixes that edit the diagnostic's own file; fixes that
// only change other files cannot be expressed in the contract and are left
// out.
func jsonFixes(f *source.File, d analysis.Diagnostic) []JSONFix {
	out := []JSONFix{}
	for _, fx := range d.Fixes {
		if len(fx.Edits) == 0 {
			continue
		}
		jf := JSONFix{Title: fx.Title, Edits: []JSONEdit{}}
		for _, e := range fx.Edits {
			jf.Edits = append(jf.Edits, JSONEdit{Range: jsonRange(f, e.Span), NewText: e.NewText})
		}
		out = append(out, jf)
	}
	return out
}

func writeJSON(w io.Writer, reports []*fileReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(jsonDiagnostics(reports))
}
