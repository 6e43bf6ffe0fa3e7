package lsp

import (
	"context"
	"fmt"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

func (s *server) Hover(ctx context.Context, p *protocol.HoverParams) (*protocol.Hover, error) {
	if py := s.pythonSnapshot(ctx, p.TextDocument.URI); py != nil {
		return s.pythonHover(ctx, py, p), nil
	}
	snap := s.snapshot(ctx, p.TextDocument.URI)
	if snap == nil {
		return nil, nil
	}
	off := s.offsetOf(snap, p.Position)
	h := s.hover(ctx, snap, off)
	if h == nil || h.Markdown == "" {
		return nil, nil
	}
	out := &protocol.Hover{Contents: &protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: h.Markdown}}
	if !s.capsSnapshot().markdownHover {
		out.Contents = &protocol.MarkupContent{Kind: protocol.MarkupKindPlainText, Value: h.Markdown}
	}
	if h.Span != (source.Span{}) {
		r := toRange(snap.File, h.Span, s.encoding())
		out.Range = &r
	}
	return out, nil
}

// hover assembles the hover at off: a feature's answer or the schema's
// documentation of the key, then the rules flagged there, then an alias's
// anchored content.
func (s *server) hover(ctx context.Context, snap *Snapshot, off int) *HoverResult {
	var parts []string
	var span source.Span
	for _, f := range s.opts.Features {
		if hf, ok := f.(HoverFeature); ok {
			if h := safeCall(s, f, func() *HoverResult { return hf.Hover(ctx, snap, off) }); h != nil && h.Markdown != "" {
				parts = append(parts, h.Markdown)
				span = h.Span
				break
			}
		}
	}
	doc := snap.Doc()
	loc := locate(doc, off)
	if len(parts) == 0 && loc.Key != nil {
		if md := s.keyHover(loc.Path); md != "" {
			parts = append(parts, md)
			span = loc.Key.Span
		}
	}
	if res := snap.Result(); res != nil {
		for _, d := range res.Diagnostics {
			if !d.Span.Contains(off) {
				continue
			}
			r := s.ruleBy[d.RuleID]
			var b strings.Builder
			fmt.Fprintf(&b, "**%s**", d.RuleID)
			if r != nil && r.Summary != "" {
				fmt.Fprintf(&b, ": %s", r.Summary)
			}
			fmt.Fprintf(&b, "\n\n%s", d.Message)
			if r != nil {
				fmt.Fprintf(&b, "\n\n[Rule documentation](%s)", r.DocsURL())
			}
			parts = append(parts, b.String())
			if span == (source.Span{}) {
				span = d.Span
			}
		}
	}
	if md, sp := aliasHover(doc, off); md != "" {
		parts = append(parts, md)
		if span == (source.Span{}) {
			span = sp
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return &HoverResult{Markdown: strings.Join(parts, "\n\n---\n\n"), Span: span}
}

// keyHover documents the key at path from the schema.
func (s *server) keyHover(path []string) string {
	x := loadSchema()
	schemas := x.At(path)
	if len(schemas) == 0 {
		return ""
	}
	return x.Docs(schemas).Markdown(path[len(path)-1])
}

// aliasHover shows the anchored content of an alias, or the uses of an
// anchor.
func aliasHover(doc *yamlsyntax.Document, off int) (string, source.Span) {
	if doc == nil {
		return "", source.Span{}
	}
	for _, a := range doc.Aliases {
		if !a.Span.Contains(off) || a.Target() == nil {
			continue
		}
		t := a.Target()
		text := doc.File.Slice(source.Span{Start: t.AnchorSpan().Start, End: t.Span.End})
		if t.Span.Start < t.AnchorSpan().Start {
			text = doc.File.Slice(t.Span)
		}
		lines := strings.Split(dedent(text), "\n")
		if len(lines) > 40 {
			lines = append(lines[:40], "…")
		}
		return fmt.Sprintf("Alias of anchor `&%s` (line %d):\n\n```yaml\n%s\n```", a.Text, t.Line+1, strings.Join(lines, "\n")), a.Span
	}
	for name, defs := range doc.Anchors {
		for _, n := range defs {
			if n.AnchorSpan().Contains(off) {
				uses := 0
				for _, a := range doc.Aliases {
					if a.Target() == n {
						uses++
					}
				}
				return fmt.Sprintf("Anchor `&%s`, used by %d alias(es).", name, uses), n.AnchorSpan()
			}
		}
	}
	return "", source.Span{}
}

// dedent removes the common indentation of the lines after the first.
func dedent(s string) string {
	lines := strings.Split(s, "\n")
	minIndent := -1
	for _, l := range lines[1:] {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " "))
		if minIndent < 0 || n < minIndent {
			minIndent = n
		}
	}
	if minIndent <= 0 {
		return s
	}
	for i := 1; i < len(lines); i++ {
		if len(lines[i]) >= minIndent {
			lines[i] = lines[i][minIndent:]
		}
	}
	return strings.Join(lines, "\n")
}

// safeCall runs a feature, turning a panic into a log line and a zero
// result.
func safeCall[T any](s *server, f Feature, call func() T) (out T) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("feature panicked", "feature", f.Name(), "panic", r)
		}
	}()
	return call()
}
