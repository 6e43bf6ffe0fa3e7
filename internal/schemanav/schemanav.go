// Package schemanav walks compiled JSON Schemas (santhosh-tekuri/jsonschema
// v6) along an instance path: which schemas apply at a key, which
// properties a mapping allows, and the titles, descriptions, defaults, enums
// and documentation links that hovers, completion and "did you mean"
// messages are made of. It follows $ref and looks into allOf/anyOf/oneOf
// branches and both arms of if/then/else; it does not validate. Extension keywords the compiler drops
// (markdownDescription, x-docs) are read from the schema's raw JSON.
package schemanav

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Index is a compiled schema with its raw JSON.
type Index struct {
	root *jsonschema.Schema
	raw  any
}

// NewIndex pairs a compiled schema with the JSON text it was compiled from.
func NewIndex(root *jsonschema.Schema, rawJSON []byte) *Index {
	var raw any
	_ = json.Unmarshal(rawJSON, &raw)
	return &Index{root: root, raw: raw}
}

// Expand returns s and every schema it stands for through $ref, allOf,
// anyOf, oneOf and the then/else arms of a conditional (depth-first,
// deduplicated).
func Expand(s *jsonschema.Schema) []*jsonschema.Schema {
	var out []*jsonschema.Schema
	seen := map[*jsonschema.Schema]bool{}
	var walk func(*jsonschema.Schema, int)
	walk = func(s *jsonschema.Schema, depth int) {
		if s == nil || seen[s] || depth > 32 {
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
		// Either branch of a conditional may apply (the condition is
		// about the value, which At does not see).
		walk(s.Then, depth+1)
		walk(s.Else, depth+1)
	}
	walk(s, 0)
	return out
}

// At returns the schemas that apply to the instance at path, expanded.
// Segments are object keys, array indexes, or "[]" for any array item.
func (x *Index) At(path []string) []*jsonschema.Schema {
	if x == nil || x.root == nil {
		return nil
	}
	cur := Expand(x.root)
	for _, tok := range path {
		var exp []*jsonschema.Schema
		seen := map[*jsonschema.Schema]bool{}
		for _, s := range cur {
			for _, c := range child(s, tok) {
				for _, e := range Expand(c) {
					if !seen[e] {
						seen[e] = true
						exp = append(exp, e)
					}
				}
			}
		}
		cur = exp
		if len(cur) == 0 {
			return nil
		}
	}
	return cur
}

func child(s *jsonschema.Schema, tok string) []*jsonschema.Schema {
	var out []*jsonschema.Schema
	if p, ok := s.Properties[tok]; ok {
		out = append(out, p)
	}
	for re, p := range s.PatternProperties {
		if re.MatchString(tok) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		if ap, ok := s.AdditionalProperties.(*jsonschema.Schema); ok {
			out = append(out, ap)
		}
	}
	i, err := strconv.Atoi(tok)
	if tok == "[]" || err == nil {
		if err == nil && i < len(s.PrefixItems) {
			out = append(out, s.PrefixItems[i])
		} else if s.Items2020 != nil {
			out = append(out, s.Items2020)
		}
		switch it := s.Items.(type) {
		case *jsonschema.Schema:
			out = append(out, it)
		case []*jsonschema.Schema:
			if err == nil && i < len(it) {
				out = append(out, it[i])
			}
		}
	}
	return out
}

// Property is one property a mapping allows.
type Property struct {
	Name   string
	Schema *jsonschema.Schema
}

// Properties lists the named properties allowed in the mapping at path,
// sorted by name.
func (x *Index) Properties(path []string) []Property {
	seen := map[string]bool{}
	var out []Property
	for _, s := range x.At(path) {
		for name, p := range s.Properties {
			if !seen[name] {
				seen[name] = true
				out = append(out, Property{Name: name, Schema: p})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Docs is what a schema says about a value, for hovers and completion.
type Docs struct {
	Title       string
	Description string // markdownDescription when present, else description
	DocsURL     string // x-docs
	Default     string // JSON text
	HasDefault  bool
	Enum        []string // scalar texts, strings unquoted
	Types       []string
	Examples    []string // JSON texts
	Deprecated  bool
}

// Docs merges the documentation of a value's schemas: the first title,
// description and link found (a property's own before its $ref's), every
// enum value and type of the alternatives.
func (x *Index) Docs(schemas []*jsonschema.Schema) Docs {
	var d Docs
	enumSeen := map[string]bool{}
	typeSeen := map[string]bool{}
	addEnum := func(v any) {
		if t := scalarText(v); !enumSeen[t] {
			enumSeen[t] = true
			d.Enum = append(d.Enum, t)
		}
	}
	for _, c := range schemas {
		for _, s := range Expand(c) {
			raw := x.rawAt(s.Location)
			if d.Title == "" {
				d.Title = s.Title
			}
			if d.Description == "" {
				if md, ok := raw["markdownDescription"].(string); ok && md != "" {
					d.Description = md
				} else {
					d.Description = s.Description
				}
			}
			if d.DocsURL == "" {
				d.DocsURL, _ = raw["x-docs"].(string)
			}
			if !d.HasDefault && s.Default != nil {
				d.HasDefault, d.Default = true, jsonText(*s.Default)
			}
			if len(d.Examples) == 0 {
				for _, e := range s.Examples {
					d.Examples = append(d.Examples, jsonText(e))
				}
			}
			if s.Enum != nil {
				for _, v := range s.Enum.Values {
					addEnum(v)
				}
			}
			if s.Const != nil {
				addEnum(*s.Const)
			}
			if s.Types != nil {
				for _, t := range s.Types.ToStrings() {
					if !typeSeen[t] {
						typeSeen[t] = true
						d.Types = append(d.Types, t)
					}
				}
			}
			d.Deprecated = d.Deprecated || s.Deprecated
		}
	}
	return d
}

// Markdown renders the docs of a key for a hover.
func (d Docs) Markdown(key string) string {
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
	var vals []string
	for _, e := range d.Enum {
		if e != "null" {
			vals = append(vals, "`"+e+"`")
		}
	}
	if len(vals) > 0 {
		b.WriteString("Allowed values: " + strings.Join(vals, ", ") + "\n\n")
	}
	if d.HasDefault && d.Default != "null" {
		fmt.Fprintf(&b, "Default: `%s`\n\n", d.Default)
	}
	if d.DocsURL != "" {
		fmt.Fprintf(&b, "[Prefect docs](%s)\n", d.DocsURL)
	}
	return strings.TrimRight(b.String(), "\n")
}

// rawAt returns the raw JSON object at a schema location
// ("<url>#/json/pointer").
func (x *Index) rawAt(loc string) map[string]any {
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
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
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
