package lsp

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
	"github.com/prefect-lsp/prefect-lsp/schema"
)

// schemaIndex walks the compiled prefect.yaml schema along YAML paths for
// hover and completion. Path segments are mapping keys, or "[]" for a
// sequence item. Extension keywords the compiler drops (x-docs,
// markdownDescription) are read from the raw JSON at the schema's location.
type schemaIndex struct {
	root *jsonschema.Schema
	raw  any
}

var loadSchema = sync.OnceValue(func() *schemaIndex {
	root, err := schema.Compile()
	if err != nil {
		return nil
	}
	var raw any
	_ = json.Unmarshal(schema.PrefectSchema, &raw)
	return &schemaIndex{root: root, raw: raw}
})

// expand returns s and every schema it stands for through $ref, allOf,
// anyOf and oneOf, depth first, without duplicates.
func expand(s *jsonschema.Schema) []*jsonschema.Schema {
	var out []*jsonschema.Schema
	seen := map[*jsonschema.Schema]bool{}
	var walk func(*jsonschema.Schema, int)
	walk = func(s *jsonschema.Schema, depth int) {
		if s == nil || seen[s] || depth > 16 {
			return
		}
		seen[s] = true
		out = append(out, s)
		walk(s.Ref, depth+1)
		for _, l := range [][]*jsonschema.Schema{s.AllOf, s.AnyOf, s.OneOf} {
			for _, c := range l {
				walk(c, depth+1)
			}
		}
	}
	walk(s, 0)
	return out
}

// at returns the schemas (with alternatives) describing the value at path.
func (x *schemaIndex) at(path []string) []*jsonschema.Schema {
	if x == nil {
		return nil
	}
	cur := []*jsonschema.Schema{x.root}
	for _, seg := range path {
		var next []*jsonschema.Schema
		for _, c := range cur {
			for _, s := range expand(c) {
				if ch := child(s, seg); ch != nil {
					next = append(next, ch)
				}
			}
		}
		if len(next) == 0 {
			return nil
		}
		cur = next
	}
	return cur
}

func child(s *jsonschema.Schema, seg string) *jsonschema.Schema {
	if seg == "[]" {
		if s.Items2020 != nil {
			return s.Items2020
		}
		if it, ok := s.Items.(*jsonschema.Schema); ok {
			return it
		}
		return nil
	}
	if p, ok := s.Properties[seg]; ok {
		return p
	}
	for re, p := range s.PatternProperties {
		if re.MatchString(seg) {
			return p
		}
	}
	if ap, ok := s.AdditionalProperties.(*jsonschema.Schema); ok {
		return ap
	}
	return nil
}

// propInfo is one key a mapping may hold.
type propInfo struct {
	Name   string
	Schema *jsonschema.Schema
}

// properties lists the keys allowed in the mapping at path, sorted by name.
func (x *schemaIndex) properties(path []string) []propInfo {
	seen := map[string]bool{}
	var out []propInfo
	for _, c := range x.at(path) {
		for _, s := range expand(c) {
			for name, p := range s.Properties {
				if !seen[name] {
					seen[name] = true
					out = append(out, propInfo{name, p})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// schemaDocs is what hovers and completion show about a schema.
type schemaDocs struct {
	Title, Description, Docs string
	Default                  string
	HasDefault               bool
	Enum                     []string
	Types                    []string
	Examples                 []string
}

// docs gathers the documentation of a value's schemas: the first title and
// description found (the property's own before its $ref's), every enum
// value and type of the alternatives.
func (x *schemaIndex) docs(schemas []*jsonschema.Schema) schemaDocs {
	var d schemaDocs
	enumSeen := map[string]bool{}
	typeSeen := map[string]bool{}
	for _, c := range schemas {
		for _, s := range expand(c) {
			raw := x.rawAt(s.Location)
			if d.Title == "" && s.Title != "" {
				d.Title = s.Title
			}
			if d.Description == "" {
				if md, ok := raw["markdownDescription"].(string); ok && md != "" {
					d.Description = md
				} else if s.Description != "" {
					d.Description = s.Description
				}
			}
			if d.Docs == "" {
				if u, ok := raw["x-docs"].(string); ok {
					d.Docs = u
				}
			}
			if !d.HasDefault && s.Default != nil {
				d.HasDefault = true
				d.Default = jsonText(*s.Default)
			}
			if len(d.Examples) == 0 {
				for _, e := range s.Examples {
					d.Examples = append(d.Examples, jsonText(e))
				}
			}
			if s.Enum != nil {
				for _, v := range s.Enum.Values {
					t := scalarText(v)
					if !enumSeen[t] {
						enumSeen[t] = true
						d.Enum = append(d.Enum, t)
					}
				}
			}
			if s.Const != nil {
				t := scalarText(*s.Const)
				if !enumSeen[t] {
					enumSeen[t] = true
					d.Enum = append(d.Enum, t)
				}
			}
			if s.Types != nil {
				for _, t := range s.Types.ToStrings() {
					if !typeSeen[t] {
						typeSeen[t] = true
						d.Types = append(d.Types, t)
					}
				}
			}
		}
	}
	return d
}

// rawAt returns the raw JSON object at a schema location
// ("<url>#/json/pointer").
func (x *schemaIndex) rawAt(loc string) map[string]any {
	_, frag, ok := strings.Cut(loc, "#")
	if !ok {
		m, _ := x.raw.(map[string]any)
		return m
	}
	if f, err := url.PathUnescape(frag); err == nil {
		frag = f
	}
	cur := x.raw
	for _, tok := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			cur = c[tok]
		case []any:
			i := 0
			_, _ = fmt.Sscan(tok, &i)
			if i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	m, _ := cur.(map[string]any)
	return m
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func scalarText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return "null"
	}
	return jsonText(v)
}

// markdown renders schema docs for a key.
func (d schemaDocs) markdown(key string) string {
	var b strings.Builder
	title := d.Title
	if title == "" {
		title = key
	}
	fmt.Fprintf(&b, "**%s**", title)
	if key != "" && title != key {
		fmt.Fprintf(&b, " (`%s`)", key)
	}
	b.WriteString("\n\n")
	if d.Description != "" {
		b.WriteString(d.Description + "\n\n")
	}
	if len(d.Enum) > 0 {
		vals := make([]string, 0, len(d.Enum))
		for _, e := range d.Enum {
			if e != "null" {
				vals = append(vals, "`"+e+"`")
			}
		}
		if len(vals) > 0 {
			b.WriteString("Allowed values: " + strings.Join(vals, ", ") + "\n\n")
		}
	}
	if d.HasDefault && d.Default != "null" {
		fmt.Fprintf(&b, "Default: `%s`\n\n", d.Default)
	}
	if d.Docs != "" {
		fmt.Fprintf(&b, "[Prefect docs](%s)\n", d.Docs)
	}
	return strings.TrimRight(b.String(), "\n")
}

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
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Span.Contains(off) && (k.Span.Len() > 0 || k.Span.Start == off) {
					l.Path = append(l.Path, keyText(k))
					l.Key = k
					l.Value = v
					return l
				}
				if v != nil && (v.Span.Contains(off) || v.AnchorSpan.Len() > 0 && v.AnchorSpan.Contains(off)) {
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
			for _, it := range n.Content {
				if it.Span.Contains(off) || it.AnchorSpan.Len() > 0 && it.AnchorSpan.Contains(off) {
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
