package lsp

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

func (s *server) CodeAction(ctx context.Context, p *protocol.CodeActionParams) ([]protocol.CommandOrCodeAction, error) {
	out := []protocol.CommandOrCodeAction{}
	snap := s.snapshot(ctx, p.TextDocument.URI)
	if snap == nil {
		snap = s.pythonSnapshot(ctx, p.TextDocument.URI)
	}
	if snap == nil {
		return out, nil
	}
	res := s.resultFor(ctx, snap)
	if res == nil {
		return out, nil
	}
	enc := s.encoding()
	span := snap.File.SpanOf(toSourceRange(p.Range), enc)
	want := func(kind protocol.CodeActionKind) bool {
		if len(p.Context.Only) == 0 {
			return true
		}
		for _, o := range p.Context.Only {
			if kind == o || strings.HasPrefix(string(kind), string(o)+".") {
				return true
			}
		}
		return false
	}
	converted := s.toDiagnostics(snap, res)
	if want(protocol.CodeActionKindQuickFix) {
		for i := range res.Diagnostics {
			d := &res.Diagnostics[i]
			if !d.Span.Overlaps(span) {
				continue
			}
			diag := []protocol.Diagnostic{converted[i]}
			for _, fix := range d.Fixes {
				edit := s.fixEdit(snap, fix)
				if edit == nil {
					continue
				}
				kind := protocol.CodeActionKindQuickFix
				out = append(out, &protocol.CodeAction{
					Title:       fix.Title,
					Kind:        &kind,
					Diagnostics: diag,
					IsPreferred: ptr(fix.IsPreferred || len(d.Fixes) == 1 && fix.Safe),
					Edit:        edit,
				})
			}
			if e, ok := ignoreEdit(snap, d.RuleID, d.Span.Start); ok {
				kind := protocol.CodeActionKindQuickFix
				out = append(out, &protocol.CodeAction{
					Title:       fmt.Sprintf("Ignore %s on this line", d.RuleID),
					Kind:        &kind,
					Diagnostics: diag,
					Edit:        s.documentEdit(snap, []protocol.TextEdit{{Range: toRange(snap.File, e.Span, enc), NewText: e.NewText}}),
				})
			}
		}
	}
	if want(protocol.CodeActionKindRefactorRewrite) {
		for _, fix := range s.moveActions(ctx, snap, span) {
			edit := s.fixEdit(snap, fix)
			if edit == nil {
				continue
			}
			kind := protocol.CodeActionKindRefactorRewrite
			out = append(out, &protocol.CodeAction{Title: fix.Title, Kind: &kind, Edit: edit})
		}
	}
	fixAllKind := protocol.CodeActionKind(CodeActionKindFixAll)
	if want(fixAllKind) {
		if edits := safeFixes(res); len(edits) > 0 {
			tes := make([]protocol.TextEdit, len(edits))
			for i, e := range edits {
				tes[i] = protocol.TextEdit{Range: toRange(snap.File, e.Span, enc), NewText: e.NewText}
			}
			out = append(out, &protocol.CodeAction{
				Title: "Fix all auto-fixable prefect-lsp problems",
				Kind:  &fixAllKind,
				Edit:  s.documentEdit(snap, tes),
			})
		}
	}
	return out, nil
}

// safeFixes collects the safe, single-file fixes of a result, skipping any
// that overlap one already taken, in document order.
func safeFixes(res *analysis.Result) []source.Edit {
	var taken []source.Edit
	for _, d := range res.Diagnostics {
		for _, f := range d.Fixes {
			if !f.Safe || len(f.Files) > 0 || len(f.Edits) == 0 {
				continue
			}
			if source.Overlap(taken, f.Edits) {
				continue
			}
			taken = append(taken, f.Edits...)
			break
		}
	}
	sort.SliceStable(taken, func(i, j int) bool { return taken[i].Span.Start < taken[j].Span.Start })
	return taken
}

// fixEdit converts a fix into a WorkspaceEdit. Fixes that touch other files
// need documentChanges; new files also need the create resource operation.
// It returns nil when the client cannot apply the fix.
func (s *server) fixEdit(snap *Snapshot, fix analysis.Fix) *protocol.WorkspaceEdit {
	enc := s.encoding()
	c := s.capsSnapshot()
	own := make([]protocol.TextEdit, len(fix.Edits))
	for i, e := range fix.Edits {
		own[i] = protocol.TextEdit{Range: toRange(snap.File, e.Span, enc), NewText: e.NewText}
	}
	if len(fix.Files) == 0 {
		return s.documentEdit(snap, own)
	}
	if !c.documentChanges {
		return nil
	}
	var changes []protocol.DocumentChange
	if len(own) > 0 {
		changes = append(changes, s.documentEdit(snap, own).DocumentChanges...)
	}
	for _, fe := range fix.Files {
		u := uriOf(fe.Path)
		if fe.Create {
			if !c.createFiles {
				return nil
			}
			changes = append(changes, &protocol.CreateFile{Kind: "create", URI: u, Options: &protocol.CreateFileOptions{IgnoreIfExists: ptr(true)}})
			changes = append(changes, &protocol.TextDocumentEdit{
				TextDocument: protocol.OptionalVersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}},
				Edits:        []protocol.TextDocumentEditElement{&protocol.TextEdit{NewText: fe.Content}},
			})
			continue
		}
		data, err := s.env.Read(fe.Path)
		if err != nil {
			return nil
		}
		f := source.NewFile(fe.Path, string(data))
		var els []protocol.TextDocumentEditElement
		for _, e := range fe.Edits {
			els = append(els, &protocol.TextEdit{Range: toRange(f, e.Span, enc), NewText: e.NewText})
		}
		id := protocol.OptionalVersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}}
		if open := s.docs.get(string(u)); open != nil {
			v := open.Version
			id.Version = &v
		}
		changes = append(changes, &protocol.TextDocumentEdit{TextDocument: id, Edits: els})
	}
	return &protocol.WorkspaceEdit{DocumentChanges: changes}
}

var suppressRE = regexp.MustCompile(`#\s*prefect-lsp:\s*ignore\[([^\]]*)\]`)

// ignoreEdit inserts a suppression comment for rule on the line holding
// off: at the end of the line, or on a new line above when the line already
// carries a comment. An existing "# prefect-lsp: ignore[...]" list is
// extended instead. It refuses lines inside multi-line scalars, where a
// comment would change the value.
func ignoreEdit(snap *Snapshot, rule string, off int) (source.Edit, bool) {
	f := snap.File
	line := f.LineOf(off)
	start, end := f.LineStart(line), f.LineEnd(line)
	text := f.Text()[start:end]
	doc := snap.Doc()
	// An existing suppression on this line or alone on the line above.
	for _, l := range []int{line, line - 1} {
		if l < 0 {
			continue
		}
		ls, le := f.LineStart(l), f.LineEnd(l)
		lt := f.Text()[ls:le]
		if l != line && !strings.HasPrefix(strings.TrimSpace(lt), "#") {
			continue
		}
		if m := suppressRE.FindStringSubmatchIndex(lt); m != nil {
			if l == line && commentStart(lt) != m[0] {
				continue
			}
			ids := lt[m[2]:m[3]]
			sep := ", "
			if strings.TrimSpace(ids) == "" {
				sep = ""
			}
			return source.Edit{Span: source.Span{Start: ls + m[3], End: ls + m[3]}, NewText: sep + rule}, true
		}
	}
	comment := "# prefect-lsp: ignore[" + rule + "]"
	if commentStart(text) < 0 && !insideScalar(doc, end) {
		return source.Edit{Span: source.Span{Start: end, End: end}, NewText: "  " + comment}, true
	}
	if insideScalar(doc, start) {
		return source.Edit{}, false
	}
	indent := text[:len(text)-len(strings.TrimLeft(text, " \t"))]
	return source.Edit{Span: source.Span{Start: start, End: start}, NewText: indent + comment + lineBreak(f.Text())}, true
}

func lineBreak(text string) string {
	if strings.Contains(text, "\r\n") {
		return "\r\n"
	}
	return "\n"
}

// commentStart returns the offset of a "#" comment in a YAML line, or -1
// (quotes are skipped; a "#" counts only after a space or at the start).
func commentStart(line string) int {
	quote := byte(0)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				if quote == '\'' && i+1 < len(line) && line[i+1] == '\'' {
					i++
				} else {
					quote = 0
				}
			} else if c == '\\' && quote == '"' {
				i++
			}
		case c == '"' || c == '\'':
			if i == 0 || strings.ContainsRune(" \t:-[{,", rune(line[i-1])) {
				quote = c
			}
		case c == '#':
			if i == 0 || line[i-1] == ' ' || line[i-1] == '\t' {
				return i
			}
		}
	}
	return -1
}

// insideScalar reports whether off lies strictly inside a scalar spanning
// lines (block, quoted or plain), where a comment would become text.
func insideScalar(doc *yamlsyntax.Document, off int) bool {
	if doc == nil || doc.Root == nil {
		return false
	}
	found := false
	var walk func(n *yamlsyntax.Node, depth int)
	walk = func(n *yamlsyntax.Node, depth int) {
		if n == nil || found || depth > 200 {
			return
		}
		if n.Kind == yamlsyntax.ScalarNode {
			if n.Span.Start < off && off < n.Span.End {
				found = true
			}
			return
		}
		if n.Kind == yamlsyntax.AliasNode {
			return
		}
		if n.Span.End < off || n.Span.Start > off {
			if n.Style != yamlsyntax.Block {
				return
			}
		}
		for _, c := range n.Content() {
			walk(c, depth+1)
		}
	}
	walk(doc.Root, 0)
	return found
}
