package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

type textOptions struct {
	color bool
	quiet bool
	fix   bool
}

// ANSI styles of the text format.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[1;31m"
	ansiYellow = "\x1b[1;33m"
	ansiBlue   = "\x1b[1;34m"
	ansiCyan   = "\x1b[1;36m"
	ansiGreen  = "\x1b[1;32m"
)

type painter bool

func (p painter) paint(style, s string) string {
	if !p || s == "" {
		return s
	}
	return style + s + ansiReset
}

func severityStyle(s analysis.Severity) string {
	switch s {
	case analysis.Error:
		return ansiRed
	case analysis.Warning:
		return ansiYellow
	case analysis.Information:
		return ansiBlue
	}
	return ansiCyan
}

// maxSnippetColumns bounds the source line shown under a diagnostic; longer
// lines are shown as a window around the span.
const maxSnippetColumns = 160

// writeText writes the human format:
//
//	path:line:col: severity: message [rule-id]
//	   12 |   version: 1.10
//	      |            ^~~~
//	      = note: path:line:col: related message
//	      = fix: title
//
// Lines are 1-based; columns are 1-based and count Unicode characters.
func writeText(w io.Writer, reports []*fileReport, opts textOptions) error {
	bw := bufio.NewWriter(w)
	p := painter(opts.color)
	others := &otherFiles{}
	fixable := 0
	for _, r := range reports {
		for _, d := range r.diagnostics {
			start := r.src.Position(d.Span.Start, source.UTF32)
			fmt.Fprintf(bw, "%s:%d:%d: %s: %s %s\n",
				p.paint(ansiBold, sanitize(r.target.display)), start.Line+1, start.Character+1,
				p.paint(severityStyle(d.Severity), d.Severity.String()),
				sanitize(d.Message), p.paint(ansiDim, "["+d.RuleID+"]"))
			if hasSafeFix(d) {
				fixable++
			}
			if opts.quiet {
				continue
			}
			gutter := len(strconv.Itoa(start.Line + 1))
			line, under := snippet(r.src, d.Span)
			pad := strings.Repeat(" ", gutter)
			fmt.Fprintf(bw, " %s %s %s\n", p.paint(ansiBlue, strconv.Itoa(start.Line+1)), p.paint(ansiBlue, "|"), line)
			fmt.Fprintf(bw, " %s %s %s\n", pad, p.paint(ansiBlue, "|"), p.paint(severityStyle(d.Severity), under))
			for _, rel := range d.Related {
				fmt.Fprintf(bw, " %s %s note: %s: %s\n", pad, p.paint(ansiBlue, "="), others.location(r, rel), sanitize(rel.Message))
			}
			for _, f := range d.Fixes {
				kind := "fix"
				if f.Safe && len(f.Files) == 0 {
					kind = "fix (safe, --fix applies it)"
				}
				fmt.Fprintf(bw, " %s %s %s: %s\n", pad, p.paint(ansiBlue, "="), p.paint(ansiGreen, kind), sanitize(f.Title))
			}
		}
	}
	if !opts.quiet {
		writeSummary(bw, reports, fixable, opts, p)
	}
	return bw.Flush()
}

func writeSummary(w io.Writer, reports []*fileReport, fixable int, opts textOptions, p painter) {
	counts := severityCounts(reports)
	total := counts[0] + counts[1] + counts[2] + counts[3]
	filesWith, fixedFiles, fixed := 0, 0, 0
	for _, r := range reports {
		if len(r.diagnostics) > 0 {
			filesWith++
		}
		if r.fixedText != nil {
			fixedFiles++
			fixed += r.fixed
		}
	}
	if opts.fix && fixed > 0 {
		fmt.Fprintf(w, "Fixed %s in %s.\n", plural(fixed, "problem", "problems"), plural(fixedFiles, "file", "files"))
	}
	checked := plural(len(reports), "file", "files")
	if total == 0 {
		fmt.Fprintf(w, "%s in %s checked.\n", p.paint(ansiGreen, "No problems"), checked)
		return
	}
	var parts []string
	for i, name := range [...][2]string{{"error", "errors"}, {"warning", "warnings"}, {"information", "information"}, {"hint", "hints"}} {
		if counts[i] > 0 {
			parts = append(parts, plural(counts[i], name[0], name[1]))
		}
	}
	fmt.Fprintf(w, "Found %s (%s) in %d of %s checked.", plural(total, "problem", "problems"), strings.Join(parts, ", "), filesWith, checked)
	if fixable > 0 {
		fmt.Fprintf(w, " %d fixable with --fix.", fixable)
	}
	fmt.Fprintln(w)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// hasSafeFix reports whether check --fix would consider a fix of d.
func hasSafeFix(d analysis.Diagnostic) bool {
	for _, f := range d.Fixes {
		if f.Safe && len(f.Edits) > 0 && len(f.Files) == 0 {
			return true
		}
	}
	return false
}

// snippet returns the line holding span's start, made printable, and an
// underline: a caret under the first character and tildes under the rest
// of the span on that line. Tabs are kept so that the underline lines up;
// wide characters count two columns.
func snippet(f *source.File, span source.Span) (line, underline string) {
	span = f.Clamp(span)
	ln := f.LineOf(span.Start)
	ls, le := f.LineStart(ln), f.LineEnd(ln)
	start := min(max(span.Start, ls), le)
	end := min(max(span.End, start), le)
	text := f.Text()
	// Window long lines around the span start.
	from, to := ls, le
	if utf8.RuneCountInString(text[ls:le]) > maxSnippetColumns {
		from = backRunes(text, ls, start, maxSnippetColumns/3)
		to = forwardRunes(text, from, le, maxSnippetColumns)
		end = min(end, to)
	}
	var lb, ub strings.Builder
	if from > ls {
		lb.WriteString("…")
		ub.WriteString(" ")
	}
	for i := from; i < to; {
		r, size := utf8.DecodeRuneInString(text[i:to])
		cols := runeColumns(r)
		shown := printable(r)
		lb.WriteString(shown)
		switch {
		case i < start:
			if r == '\t' {
				ub.WriteByte('\t')
			} else {
				ub.WriteString(strings.Repeat(" ", cols))
			}
		case i == start:
			ub.WriteString("^" + strings.Repeat("~", max(cols-1, 0)))
		case i < end:
			ub.WriteString(strings.Repeat("~", max(cols, 1)))
		}
		i += size
	}
	if to < le {
		lb.WriteString("…")
	}
	if start >= to { // the span starts at the end of the line
		ub.WriteString("^")
	}
	return lb.String(), strings.TrimRight(ub.String(), " \t")
}

func backRunes(text string, floor, off, n int) int {
	for ; n > 0 && off > floor; n-- {
		_, size := utf8.DecodeLastRuneInString(text[floor:off])
		off -= size
	}
	return off
}

func forwardRunes(text string, off, ceil, n int) int {
	for ; n > 0 && off < ceil; n-- {
		_, size := utf8.DecodeRuneInString(text[off:ceil])
		off += size
	}
	return off
}

// runeColumns is how many terminal columns r takes.
func runeColumns(r rune) int {
	if r == '\t' {
		return 1
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// printable replaces control characters (which could drive the terminal)
// by U+FFFD, keeping tabs.
func printable(r rune) string {
	if r == '\t' {
		return "\t"
	}
	if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
		return "\uFFFD"
	}
	return string(r)
}

// sanitize makes a message or path safe to print on a terminal.
func sanitize(s string) string {
	clean := true
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(" ")
		case r == '\t':
			b.WriteString(" ")
		default:
			b.WriteString(printable(r))
		}
	}
	return b.String()
}

// otherFiles reads files named by related information, once each.
type otherFiles struct {
	files map[string]*source.File
}

func (o *otherFiles) get(path string) *source.File {
	if o.files == nil {
		o.files = map[string]*source.File{}
	}
	if f, ok := o.files[path]; ok {
		return f
	}
	var f *source.File
	if data, err := os.ReadFile(path); err == nil {
		f = source.NewFile(path, string(data))
	}
	o.files[path] = f
	return f
}

// location is "path:line:col" of related information.
func (o *otherFiles) location(r *fileReport, rel analysis.Related) string {
	if rel.Path == "" {
		pos := r.src.Position(rel.Span.Start, source.UTF32)
		return fmt.Sprintf("%s:%d:%d", sanitize(r.target.display), pos.Line+1, pos.Character+1)
	}
	shown := relativeToWD(rel.Path)
	f := o.get(rel.Path)
	if f == nil {
		return sanitize(shown)
	}
	pos := f.Position(rel.Span.Start, source.UTF32)
	return fmt.Sprintf("%s:%d:%d", sanitize(shown), pos.Line+1, pos.Character+1)
}

// relativeToWD shows an absolute path relative to the working directory
// when it lies under it.
func relativeToWD(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	c := collector{wd: wd}
	return c.displayPath("", path)
}
