package lsp

import (
	"context"
	"regexp"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// anchorRef is the anchor under the cursor with its uses.
type anchorRef struct {
	name   string
	anchor *yamlsyntax.Node   // the anchored node (nil for an alias with no target)
	uses   []*yamlsyntax.Node // alias nodes referring to it
}

// anchorAt finds the anchor or alias at off.
func anchorAt(doc *yamlsyntax.Document, off int) *anchorRef {
	if doc == nil {
		return nil
	}
	var target *yamlsyntax.Node
	name := ""
	for _, a := range doc.Aliases {
		if a.Span.Contains(off) {
			target, name = a.Target(), a.Text
			break
		}
	}
	if name == "" {
		for n, defs := range doc.Anchors {
			for _, d := range defs {
				if d.AnchorSpan().Len() > 0 && d.AnchorSpan().Contains(off) {
					target, name = d, n
				}
			}
		}
	}
	if name == "" {
		return nil
	}
	r := &anchorRef{name: name, anchor: target}
	for _, a := range doc.Aliases {
		if a.Text == name && (target == nil || a.Target() == target) {
			r.uses = append(r.uses, a)
		}
	}
	return r
}

// nameSpan is the span of the name without its "&" or "*".
func nameSpan(sp source.Span) source.Span {
	if sp.Len() > 1 {
		sp.Start++
	}
	return sp
}

func (s *server) Definition(ctx context.Context, p *protocol.DefinitionParams) (protocol.DefinitionResult, error) {
	snap := s.snapshot(ctx, p.TextDocument.URI)
	out := protocol.LocationSlice{}
	if snap == nil {
		return out, nil
	}
	off := s.offsetOf(snap, p.Position)
	if r := anchorAt(snap.Doc(), off); r != nil && r.anchor != nil {
		out = append(out, s.location(snap, Location{Span: r.anchor.AnchorSpan()}))
	}
	for _, f := range s.opts.Features {
		if df, ok := f.(DefinitionFeature); ok {
			for _, l := range safeCall(s, f, func() []Location { return df.Definition(ctx, snap, off) }) {
				out = append(out, s.location(snap, l))
			}
		}
	}
	return out, nil
}

func (s *server) References(ctx context.Context, p *protocol.ReferenceParams) ([]protocol.Location, error) {
	snap := s.snapshot(ctx, p.TextDocument.URI)
	out := []protocol.Location{}
	if snap == nil {
		return out, nil
	}
	off := s.offsetOf(snap, p.Position)
	if r := anchorAt(snap.Doc(), off); r != nil {
		if p.Context.IncludeDeclaration && r.anchor != nil {
			out = append(out, s.location(snap, Location{Span: r.anchor.AnchorSpan()}))
		}
		for _, a := range r.uses {
			out = append(out, s.location(snap, Location{Span: a.Span}))
		}
	}
	for _, f := range s.opts.Features {
		if rf, ok := f.(ReferencesFeature); ok {
			for _, l := range safeCall(s, f, func() []Location { return rf.References(ctx, snap, off, p.Context.IncludeDeclaration) }) {
				out = append(out, s.location(snap, l))
			}
		}
	}
	return out, nil
}

func (s *server) DocumentHighlight(ctx context.Context, p *protocol.DocumentHighlightParams) ([]protocol.DocumentHighlight, error) {
	snap := s.snapshot(ctx, p.TextDocument.URI)
	out := []protocol.DocumentHighlight{}
	if snap == nil {
		return out, nil
	}
	enc := s.encoding()
	r := anchorAt(snap.Doc(), s.offsetOf(snap, p.Position))
	if r == nil {
		return out, nil
	}
	if r.anchor != nil {
		out = append(out, protocol.DocumentHighlight{Range: toRange(snap.File, r.anchor.AnchorSpan(), enc), Kind: protocol.DocumentHighlightKindWrite})
	}
	for _, a := range r.uses {
		out = append(out, protocol.DocumentHighlight{Range: toRange(snap.File, a.Span, enc), Kind: protocol.DocumentHighlightKindRead})
	}
	return out, nil
}

func (s *server) PrepareRename(ctx context.Context, p *protocol.PrepareRenameParams) (protocol.PrepareRenameResult, error) {
	snap := s.snapshot(ctx, p.TextDocument.URI)
	if snap == nil {
		return nil, nil
	}
	off := s.offsetOf(snap, p.Position)
	r := anchorAt(snap.Doc(), off)
	if r == nil || r.anchor == nil {
		for _, f := range s.opts.Features {
			rf, ok := f.(RenameFeature)
			if !ok {
				continue
			}
			type prep struct {
				span source.Span
				name string
				ok   bool
			}
			got := safeCall(s, f, func() prep {
				sp, name, ok := rf.PrepareRename(ctx, snap, off)
				return prep{sp, name, ok}
			})
			if got.ok {
				return &protocol.PrepareRenamePlaceholder{Range: toRange(snap.File, got.span, s.encoding()), Placeholder: got.name}, nil
			}
		}
		return nil, nil
	}
	sp := r.anchor.AnchorSpan()
	for _, a := range r.uses {
		if a.Span.Contains(off) {
			sp = a.Span
		}
	}
	return &protocol.PrepareRenamePlaceholder{Range: toRange(snap.File, nameSpan(sp), s.encoding()), Placeholder: r.name}, nil
}

var anchorNameRE = regexp.MustCompile(`^[^\s,\[\]{}#&*!|>'"%@` + "`" + `][^\s,\[\]{}]*$`)

func (s *server) Rename(ctx context.Context, p *protocol.RenameParams) (*protocol.WorkspaceEdit, error) {
	snap := s.snapshot(ctx, p.TextDocument.URI)
	if snap == nil {
		return nil, nil
	}
	off := s.offsetOf(snap, p.Position)
	r := anchorAt(snap.Doc(), off)
	if r == nil || r.anchor == nil {
		return s.featureRename(ctx, snap, off, p.NewName)
	}
	if !anchorNameRE.MatchString(p.NewName) {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%q is not a valid YAML anchor name", p.NewName)
	}
	enc := s.encoding()
	edits := []protocol.TextEdit{{Range: toRange(snap.File, nameSpan(r.anchor.AnchorSpan()), enc), NewText: p.NewName}}
	for _, a := range r.uses {
		edits = append(edits, protocol.TextEdit{Range: toRange(snap.File, nameSpan(a.Span), enc), NewText: p.NewName})
	}
	return s.documentEdit(snap, edits), nil
}

// featureRename asks the rename features for edits of snap's document.
func (s *server) featureRename(ctx context.Context, snap *Snapshot, off int, newName string) (*protocol.WorkspaceEdit, error) {
	for _, f := range s.opts.Features {
		rf, ok := f.(RenameFeature)
		if !ok {
			continue
		}
		type prep struct{ ok bool }
		if !safeCall(s, f, func() prep { _, _, ok := rf.PrepareRename(ctx, snap, off); return prep{ok} }).ok {
			continue
		}
		type result struct {
			edits []source.Edit
			err   error
		}
		res := safeCall(s, f, func() result {
			e, err := rf.Rename(ctx, snap, off, newName)
			return result{e, err}
		})
		if res.err != nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s", res.err.Error())
		}
		enc := s.encoding()
		edits := make([]protocol.TextEdit, 0, len(res.edits))
		for _, e := range res.edits {
			edits = append(edits, protocol.TextEdit{Range: toRange(snap.File, e.Span, enc), NewText: e.NewText})
		}
		return s.documentEdit(snap, edits), nil
	}
	return nil, nil
}

// documentEdit wraps edits of snap's document, versioned when the client
// supports documentChanges.
func (s *server) documentEdit(snap *Snapshot, edits []protocol.TextEdit) *protocol.WorkspaceEdit {
	if s.capsSnapshot().documentChanges {
		v := snap.Version
		els := make([]protocol.TextDocumentEditElement, len(edits))
		for i := range edits {
			els[i] = &edits[i]
		}
		return &protocol.WorkspaceEdit{DocumentChanges: []protocol.DocumentChange{&protocol.TextDocumentEdit{
			TextDocument: protocol.OptionalVersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uri.URI(snap.URI)}, Version: &v},
			Edits:        els,
		}}}
	}
	return &protocol.WorkspaceEdit{Changes: map[uri.URI][]protocol.TextEdit{uri.URI(snap.URI): edits}}
}

// location converts a feature Location (bytes, maybe in another file).
func (s *server) location(snap *Snapshot, l Location) protocol.Location {
	enc := s.encoding()
	if l.Path == "" || l.Path == snap.Path {
		return protocol.Location{URI: uri.URI(snap.URI), Range: toRange(snap.File, l.Span, enc)}
	}
	data, _ := s.env.Read(l.Path)
	f := source.NewFile(l.Path, string(data))
	return protocol.Location{URI: uriOf(l.Path), Range: toRange(f, l.Span, enc)}
}
