// Package schemanav reads JSON Schemas into prefect-lsp's own model of them
// (Schema: the validation keywords quick conformance checks model, and the
// annotations hovers and completion show) and walks them along an instance
// path: which schemas apply at a key, which properties a mapping allows, and
// the titles, descriptions, defaults, enums and documentation links that
// hovers, completion and "did you mean" messages are made of. It follows
// $ref and looks into allOf/anyOf/oneOf branches and both arms of
// if/then/else. It does not validate: explaining a violation is
// jsonschema's job (package schema compiles the same document for that).
package schemanav

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Index is a schema document ready for path lookups.
type Index struct {
	doc  *Document
	root *Schema
}

// NewIndex indexes a document whose root schema is at pointer "".
func NewIndex(doc *Document) *Index {
	return &Index{doc: doc, root: doc.Lookup("")}
}

// Root returns the document's root schema.
func (x *Index) Root() *Schema {
	if x == nil {
		return nil
	}
	return x.root
}

// Lookup returns the schema at a JSON pointer of the document.
func (x *Index) Lookup(pointer string) *Schema {
	if x == nil {
		return nil
	}
	return x.doc.Lookup(pointer)
}

// Expand returns s and every schema it stands for through $ref, allOf,
// anyOf, oneOf and the then/else arms of a conditional (depth-first,
// deduplicated).
func Expand(s *Schema) []*Schema {
	var out []*Schema
	var walk func(*Schema, int)
	walk = func(s *Schema, depth int) {
		if s == nil || depth > 32 || slices.Contains(out, s) {
			return
		}
		out = append(out, s)
		walk(s.Ref, depth+1)
		for _, l := range [][]*Schema{s.AllOf, s.AnyOf, s.OneOf} {
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
func (x *Index) At(path []string) []*Schema {
	if x == nil || x.root == nil {
		return nil
	}
	cur := Expand(x.root)
	for _, tok := range path {
		var next []*Schema
		for _, s := range cur {
			for _, c := range child(s, tok) {
				for _, e := range Expand(c) {
					if !slices.Contains(next, e) {
						next = append(next, e)
					}
				}
			}
		}
		cur = next
		if len(cur) == 0 {
			return nil
		}
	}
	return cur
}

// child returns the schemas of a property or an item of s.
func child(s *Schema, tok string) []*Schema {
	var out []*Schema
	p, named := s.Properties[tok]
	if named {
		out = append(out, p)
	}
	for _, pp := range s.PatternProperties {
		if pp.Pattern.MatchString(tok) {
			out = append(out, pp.Schema)
			named = true
		}
	}
	if !named && s.AdditionalProperties != nil && s.AdditionalProperties.Bool == nil {
		out = append(out, s.AdditionalProperties)
	}
	if _, err := strconv.Atoi(tok); (tok == "[]" || err == nil) && s.Items != nil {
		out = append(out, s.Items)
	}
	return out
}

// Property is one property a mapping allows.
type Property struct {
	Name   string
	Schema *Schema
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
func (x *Index) Docs(schemas []*Schema) Docs {
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
			if d.Title == "" {
				d.Title = s.Title
			}
			if d.Description == "" {
				d.Description = s.Description
			}
			if d.DocsURL == "" {
				d.DocsURL = s.DocsURL
			}
			if !d.HasDefault && s.HasDefault {
				d.HasDefault, d.Default = true, jsonText(s.Default)
			}
			if len(d.Examples) == 0 {
				for _, e := range s.Examples {
					d.Examples = append(d.Examples, jsonText(e))
				}
			}
			for _, v := range s.Enum {
				addEnum(v)
			}
			if s.HasConst {
				addEnum(s.Const)
			}
			for _, t := range s.Types {
				if !typeSeen[t] {
					typeSeen[t] = true
					d.Types = append(d.Types, t)
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
