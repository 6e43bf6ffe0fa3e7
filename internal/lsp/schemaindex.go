package lsp

import (
	"github.com/prefect-lsp/prefect-lsp/internal/schemanav"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
	"github.com/prefect-lsp/prefect-lsp/schema"
)

// loadSchema returns the prefect.yaml schema index shared with the rules
// (internal/schemanav).
func loadSchema() *schemanav.Index { return schema.Index() }

// ---- YAML paths in a parsed document ----

// located is what sits at an offset of a parsed document.
type located struct {
	// Path leads to the value at the offset (for a key: to its value).
	Path []string
	// Key is the mapping key under the cursor, Value the scalar, alias or
	// collection whose own extent holds it (deepest).
	Key, Value *yamlsyntax.Node
}

func locate(doc *yamlsyntax.Document, off int) located {
	var l located
	if doc == nil || doc.Root == nil {
		return l
	}
	n := doc.Root
	for depth := 0; n != nil && depth < 200; depth++ {
		switch n.Kind {
		case yamlsyntax.MappingNode:
			var next *yamlsyntax.Node
			for i, content := 0, n.Content(); i+1 < len(content); i += 2 {
				k, v := content[i], content[i+1]
				if k.Span.Contains(off) && (k.Span.Len() > 0 || k.Span.Start == off) {
					l.Path = append(l.Path, keyText(k))
					l.Key = k
					l.Value = v
					return l
				}
				if v != nil && (v.Span.Contains(off) || v.AnchorSpan().Len() > 0 && v.AnchorSpan().Contains(off)) {
					l.Path = append(l.Path, keyText(k))
					next = v
					break
				}
			}
			if next == nil {
				l.Value = n
				return l
			}
			n = next
		case yamlsyntax.SequenceNode:
			var next *yamlsyntax.Node
			for _, it := range n.Content() {
				if it.Span.Contains(off) || it.AnchorSpan().Len() > 0 && it.AnchorSpan().Contains(off) {
					next = it
					break
				}
			}
			if next == nil {
				l.Value = n
				return l
			}
			l.Path = append(l.Path, "[]")
			n = next
		default:
			l.Value = n
			return l
		}
	}
	return l
}

func keyText(k *yamlsyntax.Node) string {
	if r := k.Resolve(); r != nil {
		return r.Text
	}
	return k.Text
}
