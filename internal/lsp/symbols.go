package lsp

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

func (s *server) DocumentSymbol(ctx context.Context, p *protocol.DocumentSymbolParams) (protocol.DocumentSymbolResult, error) {
	snap := s.snapshot(ctx, p.TextDocument.URI)
	out := protocol.DocumentSymbolSlice{}
	if snap == nil {
		return out, nil
	}
	m := snap.Model()
	if m == nil || m.Root == nil {
		return out, nil
	}
	enc := s.encoding()
	sym := func(name, detail string, kind protocol.SymbolKind, full, sel source.Span, children []protocol.DocumentSymbol) protocol.DocumentSymbol {
		if name == "" {
			name = "(unnamed)"
		}
		if full.Start > sel.Start {
			full.Start = sel.Start
		}
		if full.End < sel.End {
			full.End = sel.End
		}
		d := protocol.DocumentSymbol{Name: name, Kind: kind, Range: toRange(snap.File, full, enc), SelectionRange: toRange(snap.File, sel, enc), Children: children}
		if detail != "" {
			d.Detail = &detail
		}
		return d
	}
	steps := func(a *prefectyaml.Action) []protocol.DocumentSymbol {
		var out []protocol.DocumentSymbol
		if a == nil {
			return nil
		}
		for _, st := range a.Steps {
			if st.Node == nil || st.Via != nil {
				continue
			}
			sel := st.Node.Span
			if st.FunctionKey != nil {
				sel = st.FunctionKey.Span
			}
			detail := ""
			if id, ok := st.ID.Str(); ok {
				detail = "id: " + id
			}
			out = append(out, sym(shortStep(st.Function), detail, protocol.SymbolKindFunction, st.Node.Span, sel, nil))
		}
		return out
	}
	section := func(a *prefectyaml.Action) *protocol.DocumentSymbol {
		if a == nil || a.Field.Key == nil {
			return nil
		}
		full := source.Span{Start: a.Field.Key.Span.Start, End: a.Field.ValueSpan().End}
		d := sym(a.Section, "", protocol.SymbolKindNamespace, full, a.Field.Key.Span, steps(a))
		return &d
	}
	for _, a := range []*prefectyaml.Action{m.Build, m.Push, m.Pull} {
		if d := section(a); d != nil {
			out = append(out, *d)
		}
	}
	if f := m.Definitions; f.Key != nil {
		var children []protocol.DocumentSymbol
		if f.Value != nil && f.Value.Kind == yamlsyntax.MappingNode {
			for i, content := 0, f.Value.Content(); i+1 < len(content); i += 2 {
				k, v := content[i], content[i+1]
				detail := ""
				if v.Anchor() != "" {
					detail = "&" + v.Anchor()
				}
				children = append(children, sym(keyText(k), detail, protocol.SymbolKindVariable, source.Span{Start: k.Span.Start, End: max(v.Span.End, k.Span.End)}, k.Span, nil))
			}
		}
		out = append(out, sym("definitions", "", protocol.SymbolKindNamespace, source.Span{Start: f.Key.Span.Start, End: f.ValueSpan().End}, f.Key.Span, children))
	}
	if f := m.DeploymentsKey; f.Key != nil {
		var children []protocol.DocumentSymbol
		for _, d := range m.Deployments {
			if d.Node == nil || d.Via != nil {
				continue
			}
			sel := d.Node.Span
			if d.Name.Key != nil {
				sel = d.Name.ValueSpan()
			}
			ep, _ := d.Entrypoint.Str()
			var kids []protocol.DocumentSymbol
			for _, a := range []*prefectyaml.Action{d.Build, d.Push, d.Pull} {
				if sd := section(a); sd != nil {
					kids = append(kids, *sd)
				}
			}
			children = append(children, sym(d.DisplayName(), ep, protocol.SymbolKindModule, d.Node.Span, sel, kids))
		}
		out = append(out, sym("deployments", "", protocol.SymbolKindNamespace, source.Span{Start: f.Key.Span.Start, End: f.ValueSpan().End}, f.Key.Span, children))
	}
	return out, nil
}

func shortStep(fn string) string {
	if i := strings.LastIndexByte(fn, '.'); i >= 0 {
		return fn[i+1:]
	}
	return fn
}

func (s *server) FoldingRanges(ctx context.Context, p *protocol.FoldingRangeParams) ([]protocol.FoldingRange, error) {
	snap := s.snapshot(ctx, p.TextDocument.URI)
	out := []protocol.FoldingRange{}
	if snap == nil {
		return out, nil
	}
	doc := snap.Doc()
	if doc == nil || doc.Root == nil {
		return out, nil
	}
	f := snap.File
	add := func(start, end int) {
		sl, el := f.LineOf(start), f.LineOf(max(start, end-1))
		if el > sl {
			out = append(out, protocol.FoldingRange{StartLine: uint32(sl), EndLine: uint32(el)})
		}
	}
	var walk func(n *yamlsyntax.Node, depth int)
	walk = func(n *yamlsyntax.Node, depth int) {
		if n == nil || depth > 200 {
			return
		}
		switch n.Kind {
		case yamlsyntax.MappingNode:
			for i, content := 0, n.Content(); i+1 < len(content); i += 2 {
				k, v := content[i], content[i+1]
				if v != nil && v.Kind != yamlsyntax.AliasNode {
					add(k.Span.Start, v.Span.End)
					walk(v, depth+1)
				}
			}
		case yamlsyntax.SequenceNode:
			for _, it := range n.Content() {
				if it.Kind == yamlsyntax.MappingNode || it.Kind == yamlsyntax.SequenceNode {
					add(it.Span.Start, it.Span.End)
				}
				walk(it, depth+1)
			}
		}
	}
	walk(doc.Root, 0)
	return out, nil
}

// pathKeys are keys whose string values name files or folders of the
// project, made clickable when they exist.
var pathKeys = map[string]bool{"requirements_file": true, "dockerfile": true, "directory": true, "path": true, "script_path": true}

func (s *server) DocumentLink(ctx context.Context, p *protocol.DocumentLinkParams) ([]protocol.DocumentLink, error) {
	snap := s.snapshot(ctx, p.TextDocument.URI)
	out := []protocol.DocumentLink{}
	if snap == nil {
		return out, nil
	}
	enc := s.encoding()
	root := snap.Root
	if root == "" {
		root = filepath.Dir(snap.Path)
	}
	add := func(sp source.Span, target, tip string) {
		var t uri.URI
		if strings.Contains(target, "://") {
			t = uri.URI(target)
		} else {
			t = uriOf(target)
		}
		l := protocol.DocumentLink{Range: toRange(snap.File, sp, enc), Target: &t}
		if tip != "" {
			l.Tooltip = &tip
		}
		out = append(out, l)
	}
	exists := func(rel string) (string, bool) {
		if rel == "" || strings.Contains(rel, "{{") || snap.Path == "" {
			return "", false
		}
		abs := rel
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(root, rel)
		}
		if _, err := os.Stat(abs); err != nil {
			if s.docs.byPath(abs) == nil {
				return "", false
			}
		}
		return abs, true
	}
	if m := snap.Model(); m != nil {
		for _, d := range m.Deployments {
			ep, ok := d.Entrypoint.Str()
			if !ok || d.Via != nil || d.Entrypoint.Via != nil {
				continue
			}
			file := ep
			if i := strings.LastIndexByte(ep, ':'); i > 0 {
				file = ep[:i]
			}
			if abs, ok := exists(file); ok {
				sp := d.Entrypoint.Value.Span
				vs := snap.File.Slice(sp)
				if j := strings.Index(vs, file); j >= 0 {
					sp = source.Span{Start: sp.Start + j, End: sp.Start + j + len(file)}
				}
				add(sp, abs, "Open the flow file")
			}
		}
	}
	if doc := snap.Doc(); doc != nil && doc.Root != nil {
		var walk func(n *yamlsyntax.Node, depth int)
		walk = func(n *yamlsyntax.Node, depth int) {
			if n == nil || depth > 200 {
				return
			}
			switch n.Kind {
			case yamlsyntax.MappingNode:
				for i, content := 0, n.Content(); i+1 < len(content); i += 2 {
					k, v := content[i], content[i+1]
					if v != nil && v.Kind == yamlsyntax.ScalarNode && v.IsString() && pathKeys[keyText(k)] {
						if abs, ok := exists(v.Text); ok {
							add(v.Span, abs, "")
						}
					}
					walk(v, depth+1)
				}
			case yamlsyntax.SequenceNode:
				for _, it := range n.Content() {
					walk(it, depth+1)
				}
			}
		}
		walk(doc.Root, 0)
	}
	for _, f := range s.opts.Features {
		if lf, ok := f.(LinkFeature); ok {
			for _, l := range safeCall(s, f, func() []Link { return lf.Links(ctx, snap) }) {
				add(l.Span, l.Target, l.Tooltip)
			}
		}
	}
	return out, nil
}

func (s *server) InlayHint(ctx context.Context, p *protocol.InlayHintParams) ([]protocol.InlayHint, error) {
	snap := s.snapshot(ctx, p.TextDocument.URI)
	out := []protocol.InlayHint{}
	if snap == nil {
		return out, nil
	}
	enc := s.encoding()
	span := snap.File.SpanOf(toSourceRange(p.Range), enc)
	for _, f := range s.opts.Features {
		hf, ok := f.(InlayHintFeature)
		if !ok {
			continue
		}
		for _, h := range safeCall(s, f, func() []InlayHint { return hf.InlayHints(ctx, snap, span) }) {
			ih := protocol.InlayHint{Position: toPosition(snap.File, h.Offset, enc), Label: protocol.String(h.Label), Kind: protocol.InlayHintKindType}
			if h.Parameter {
				ih.Kind = protocol.InlayHintKindParameter
			}
			if h.Tooltip != "" {
				ih.Tooltip = &protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: h.Tooltip}
			}
			if h.PaddingLeft {
				ih.PaddingLeft = ptr(true)
			}
			if h.PaddingRight {
				ih.PaddingRight = ptr(true)
			}
			out = append(out, ih)
		}
	}
	return out, nil
}

// hasSemanticTokens reports whether a feature supplies semantic tokens
// (the capability is advertised only then).
func (s *server) hasSemanticTokens() bool {
	for _, f := range s.opts.Features {
		if _, ok := f.(SemanticTokenFeature); ok {
			return true
		}
	}
	return false
}

// SemanticTokensFull encodes the features' tokens as LSP wants them: sorted,
// one line each, relative positions in the negotiated encoding.
func (s *server) SemanticTokensFull(ctx context.Context, p *protocol.SemanticTokensParams) (*protocol.SemanticTokens, error) {
	out := &protocol.SemanticTokens{Data: []uint32{}}
	snap := s.snapshot(ctx, p.TextDocument.URI)
	if snap == nil {
		return out, nil
	}
	var toks []SemanticToken
	for _, f := range s.opts.Features {
		if tf, ok := f.(SemanticTokenFeature); ok {
			toks = append(toks, safeCall(s, f, func() []SemanticToken { return tf.SemanticTokens(ctx, snap) })...)
		}
	}
	out.Data = encodeTokens(snap.File, toks, s.encoding())
	return out, nil
}

// encodeTokens sorts tokens, drops empty, multi-line, overlapping and
// unknown-type ones, and delta-encodes the rest.
func encodeTokens(f *source.File, toks []SemanticToken, enc source.Encoding) []uint32 {
	types := map[string]uint32{}
	for i, t := range tokenLegend {
		types[t] = uint32(i)
	}
	sort.SliceStable(toks, func(i, j int) bool { return toks[i].Span.Start < toks[j].Span.Start })
	data := make([]uint32, 0, 5*len(toks))
	prevLine, prevChar, lastEnd := 0, 0, -1
	for _, t := range toks {
		typ, ok := types[t.Type]
		if !ok || t.Span.Len() <= 0 || t.Span.Start < lastEnd || t.Span.Start < 0 || t.Span.End > f.Len() {
			continue
		}
		start, end := f.Position(t.Span.Start, enc), f.Position(t.Span.End, enc)
		if start.Line != end.Line || end.Character <= start.Character {
			continue
		}
		deltaLine := start.Line - prevLine
		deltaChar := start.Character
		if deltaLine == 0 {
			deltaChar -= prevChar
		}
		data = append(data, uint32(deltaLine), uint32(deltaChar), uint32(end.Character-start.Character), typ, 0)
		prevLine, prevChar, lastEnd = start.Line, start.Character, t.Span.End
	}
	return data
}

// ExecuteCommand runs prefect-lsp.explain: its argument is a document URI
// (a string, or an object with a "uri" field); the result is markdown.
func (s *server) ExecuteCommand(ctx context.Context, p *protocol.ExecuteCommandParams) (protocol.LSPAny, error) {
	if p.Command != CommandExplain || s.opts.Explain == nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "unknown command %q", p.Command)
	}
	if len(p.Arguments) == 0 {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s needs a document URI", CommandExplain)
	}
	var u string
	if err := json.Unmarshal(p.Arguments[0], &u); err != nil {
		var obj struct {
			URI string `json:"uri"`
		}
		if err := json.Unmarshal(p.Arguments[0], &obj); err != nil || obj.URI == "" {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: the argument is not a document URI", CommandExplain)
		}
		u = obj.URI
	}
	path := uriToPath(u)
	text := ""
	if snap := s.anySnapshot(ctx, uri.URI(u)); snap != nil {
		text = snap.Text()
	} else if data, err := s.env.Read(path); err == nil {
		text = string(data)
	} else {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "cannot read %s: %v", u, err)
	}
	cfg, probs, _ := s.projectConfig(path)
	md := s.opts.Explain(path, text, cfg, probs)
	b, err := json.Marshal(md)
	if err != nil {
		return nil, err
	}
	return protocol.LSPAny(b), nil
}
