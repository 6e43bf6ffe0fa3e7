// Package schemanav walks compiled JSON Schemas (santhosh-tekuri/jsonschema
// v6) along an instance path: which schemas apply at a key, which properties
// a mapping allows, and the titles, descriptions, defaults and enums that
// hovers, completion and "did you mean" messages are made of. It follows
// $ref and looks into allOf/anyOf/oneOf branches; it does not validate.
package schemanav

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Expand returns s and every schema it stands for through $ref, allOf,
// anyOf and oneOf (depth-first, deduplicated).
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
	}
	walk(s, 0)
	return out
}

// At returns the schemas that apply to the instance at path (object keys
// and array indexes as strings), expanded.
func At(root *jsonschema.Schema, path []string) []*jsonschema.Schema {
	cur := Expand(root)
	for _, tok := range path {
		var next []*jsonschema.Schema
		for _, s := range cur {
			next = append(next, child(s, tok)...)
		}
		var exp []*jsonschema.Schema
		seen := map[*jsonschema.Schema]bool{}
		for _, s := range next {
			for _, e := range Expand(s) {
				if !seen[e] {
					seen[e] = true
					exp = append(exp, e)
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
	if i, err := strconv.Atoi(tok); err == nil {
		if i < len(s.PrefixItems) {
			out = append(out, s.PrefixItems[i])
		} else if s.Items2020 != nil {
			out = append(out, s.Items2020)
		}
		switch it := s.Items.(type) {
		case *jsonschema.Schema:
			out = append(out, it)
		case []*jsonschema.Schema:
			if i < len(it) {
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

// Properties lists the named properties the schemas allow, sorted by name.
func Properties(schemas []*jsonschema.Schema) []Property {
	seen := map[string]bool{}
	var out []Property
	for _, s := range schemas {
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

// Info is what a schema says about a value, for hovers and completion.
type Info struct {
	Title, Description string
	Default            string // JSON text, "" when none
	Enum               []string
	Types              []string
	Deprecated         bool
	Examples           []string
}

// Describe merges the annotations of schemas (first non-empty wins).
func Describe(schemas []*jsonschema.Schema) Info {
	var in Info
	seenType := map[string]bool{}
	for _, s := range schemas {
		if in.Title == "" {
			in.Title = s.Title
		}
		if in.Description == "" {
			in.Description = s.Description
		}
		if in.Default == "" && s.Default != nil {
			in.Default = jsonText(*s.Default)
		}
		if s.Enum != nil && len(in.Enum) == 0 {
			for _, v := range s.Enum.Values {
				in.Enum = append(in.Enum, jsonText(v))
			}
		}
		if s.Const != nil && len(in.Enum) == 0 {
			in.Enum = append(in.Enum, jsonText(*s.Const))
		}
		if s.Types != nil {
			for _, t := range s.Types.ToStrings() {
				if !seenType[t] {
					seenType[t] = true
					in.Types = append(in.Types, t)
				}
			}
		}
		if s.Deprecated {
			in.Deprecated = true
		}
		if len(in.Examples) == 0 {
			for _, e := range s.Examples {
				in.Examples = append(in.Examples, jsonText(e))
			}
		}
	}
	return in
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
