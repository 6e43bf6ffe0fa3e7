package schemanav

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schema is one (sub)schema of a JSON Schema document as prefect-lsp reads
// it: the validation keywords its quick conformance checks model, and the
// annotations hovers and completion show. References within the document
// are resolved (Ref points at the target). Absent keywords are zero
// values.
//
// A Schema does not validate and is not jsonschema's compilation: where a
// value must be explained, the document is compiled with jsonschema, whose
// schemas carry the same JSON pointers (package schema holds the two
// together in tests).
type Schema struct {
	// Pointer locates the schema in its document ("" is the root), as
	// jsonschema's Location writes it after the "#".
	Pointer string
	// Bool is set for the schemas true and false.
	Bool *bool
	// Opaque is true when the schema has a keyword that is not modelled
	// here (format, prefixItems, contains, uniqueItems, propertyNames,
	// unevaluated*, dependent*, $dynamicRef, a nested $id, a reference
	// out of the document, …): a quick check must leave it to a validator.
	Opaque bool

	Types    []string
	HasConst bool
	Const    any
	HasEnum  bool
	Enum     []any

	Ref, Not            *Schema
	AllOf, AnyOf, OneOf []*Schema
	If, Then, Else      *Schema

	MinLength, MaxLength               *int
	Pattern                            *regexp.Regexp
	Minimum, Maximum                   *big.Rat
	ExclusiveMinimum, ExclusiveMaximum *big.Rat

	Properties map[string]*Schema
	// PatternProperties are the patternProperties, sorted by pattern.
	PatternProperties []PatternProperty
	// AdditionalProperties is nil when absent; a boolean is a Bool schema.
	AdditionalProperties         *Schema
	Required                     []string
	MinProperties, MaxProperties *int

	// Items is the 2020-12 items keyword (one schema for every item).
	Items              *Schema
	MinItems, MaxItems *int

	// Annotations.
	Title string
	// Description is markdownDescription when present, else description.
	Description string
	// DocsURL is our x-docs extension: a page of Prefect's documentation.
	DocsURL    string
	HasDefault bool
	Default    any
	Examples   []any
	Deprecated bool
}

// PatternProperty is one entry of patternProperties: the schema of every
// property whose name matches Pattern (anywhere in the name, as JSON
// Schema's regular expressions are not anchored).
type PatternProperty struct {
	Pattern *regexp.Regexp
	Schema  *Schema
}

// Document is every schema of one JSON Schema document, by JSON pointer.
type Document struct {
	at map[string]*Schema
}

// NewDocument indexes schemas by their Pointer (for generated documents).
func NewDocument(schemas []*Schema) *Document {
	d := &Document{at: make(map[string]*Schema, len(schemas))}
	for _, s := range schemas {
		d.at[s.Pointer] = s
	}
	return d
}

// Lookup returns the schema at a JSON pointer ("" is the root).
func (d *Document) Lookup(pointer string) *Schema {
	if d == nil {
		return nil
	}
	return d.at[pointer]
}

// Schemas returns every schema of the document (in no particular order).
func (d *Document) Schemas() []*Schema {
	out := make([]*Schema, 0, len(d.at))
	for _, s := range d.at {
		out = append(out, s)
	}
	return out
}

// Helpers for documents generated as Go source.

// BoolOf returns a pointer to b.
func BoolOf(b bool) *bool { return &b }

// IntOf returns a pointer to n.
func IntOf(n int) *int { return &n }

// RatOf parses a rational number ("3", "-1/2"); it panics on a bad one.
func RatOf(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("schemanav: bad number " + s)
	}
	return r
}

// annotationKeywords change nothing about validity.
var annotationKeywords = map[string]bool{
	"$comment": true, "$schema": true, "$defs": true, "definitions": true, "readOnly": true, "writeOnly": true,
}

// Load reads a JSON Schema document and builds every schema reachable from
// its root, resolving "#/…" references within it.
func Load(text []byte) (*Document, error) {
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(text))
	if err != nil {
		return nil, err
	}
	l := &loader{raw: raw, doc: &Document{at: map[string]*Schema{}}}
	if _, ok := raw.(map[string]any); !ok {
		if _, ok := raw.(bool); !ok {
			return nil, fmt.Errorf("schemanav: a schema is an object or a boolean")
		}
	}
	l.build(raw, "")
	return l.doc, nil
}

type loader struct {
	raw any
	doc *Document
}

// build returns the schema of the value v found at pointer, building it
// (and everything under it) once.
func (l *loader) build(v any, pointer string) *Schema {
	if s, ok := l.doc.at[pointer]; ok {
		return s
	}
	s := &Schema{Pointer: pointer}
	l.doc.at[pointer] = s
	switch x := v.(type) {
	case bool:
		s.Bool = &x
	case map[string]any:
		l.fill(s, x)
	default:
		s.Opaque = true
	}
	return s
}

// fill reads every keyword of an object schema.
func (l *loader) fill(s *Schema, obj map[string]any) {
	sub := func(key string) *Schema {
		return l.build(obj[key], s.Pointer+"/"+escapePointer(key))
	}
	list := func(key string) []*Schema {
		items, ok := obj[key].([]any)
		if !ok {
			s.Opaque = true
			return nil
		}
		out := make([]*Schema, len(items))
		for i, v := range items {
			out[i] = l.build(v, s.Pointer+"/"+key+"/"+strconv.Itoa(i))
		}
		return out
	}
	count := func(v any) *int {
		n, ok := v.(json.Number)
		if !ok {
			s.Opaque = true
			return nil
		}
		i, err := strconv.Atoi(string(n))
		if err != nil {
			s.Opaque = true
			return nil
		}
		return &i
	}
	bound := func(v any) *big.Rat {
		n, ok := v.(json.Number)
		if !ok {
			s.Opaque = true
			return nil
		}
		r, ok := new(big.Rat).SetString(string(n))
		if !ok {
			s.Opaque = true
			return nil
		}
		return r
	}
	strs := func(v any) []string {
		items, ok := v.([]any)
		if !ok {
			s.Opaque = true
			return nil
		}
		out := make([]string, 0, len(items))
		for _, e := range items {
			str, ok := e.(string)
			if !ok {
				s.Opaque = true
			}
			out = append(out, str)
		}
		return out
	}
	for key, v := range obj {
		switch key {
		case "title":
			s.Title, _ = v.(string)
		case "description":
			if s.Description == "" {
				s.Description, _ = v.(string)
			}
		case "markdownDescription":
			if md, _ := v.(string); md != "" {
				s.Description = md
			}
		case "x-docs":
			s.DocsURL, _ = v.(string)
		case "default":
			s.HasDefault, s.Default = true, v
		case "examples":
			s.Examples, _ = v.([]any)
		case "deprecated":
			s.Deprecated, _ = v.(bool)
		case "$id":
			if s.Pointer != "" {
				s.Opaque = true // a new base URI: references would resolve elsewhere
			}
		case "type":
			switch t := v.(type) {
			case string:
				s.Types = []string{t}
			default:
				s.Types = strs(v)
			}
		case "const":
			s.HasConst, s.Const = true, v
		case "enum":
			items, ok := v.([]any)
			if !ok {
				s.Opaque = true
			}
			s.HasEnum, s.Enum = true, items
		case "$ref":
			ref, _ := v.(string)
			target, ok := l.resolve(ref)
			if !ok {
				s.Opaque = true
				continue
			}
			s.Ref = target
		case "not":
			s.Not = sub(key)
		case "allOf":
			s.AllOf = list(key)
		case "anyOf":
			s.AnyOf = list(key)
		case "oneOf":
			s.OneOf = list(key)
		case "if":
			s.If = sub(key)
		case "then":
			s.Then = sub(key)
		case "else":
			s.Else = sub(key)
		case "minLength":
			s.MinLength = count(v)
		case "maxLength":
			s.MaxLength = count(v)
		case "pattern":
			p, _ := v.(string)
			re, err := regexp.Compile(p)
			if err != nil {
				s.Opaque = true
				continue
			}
			s.Pattern = re
		case "minimum":
			s.Minimum = bound(v)
		case "maximum":
			s.Maximum = bound(v)
		case "exclusiveMinimum":
			s.ExclusiveMinimum = bound(v)
		case "exclusiveMaximum":
			s.ExclusiveMaximum = bound(v)
		case "properties":
			props, ok := v.(map[string]any)
			if !ok {
				s.Opaque = true
				continue
			}
			s.Properties = make(map[string]*Schema, len(props))
			for name, pv := range props {
				s.Properties[name] = l.build(pv, s.Pointer+"/properties/"+escapePointer(name))
			}
		case "patternProperties":
			pats, ok := v.(map[string]any)
			if !ok {
				s.Opaque = true
				continue
			}
			names := make([]string, 0, len(pats))
			for name := range pats {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				re, err := regexp.Compile(name)
				if err != nil {
					s.Opaque = true
					continue
				}
				s.PatternProperties = append(s.PatternProperties, PatternProperty{Pattern: re, Schema: l.build(pats[name], s.Pointer+"/patternProperties/"+escapePointer(name))})
			}
		case "additionalProperties":
			s.AdditionalProperties = sub(key)
		case "required":
			s.Required = strs(v)
		case "minProperties":
			s.MinProperties = count(v)
		case "maxProperties":
			s.MaxProperties = count(v)
		case "items":
			if _, ok := v.([]any); ok {
				s.Opaque = true // the draft-07 tuple form
				continue
			}
			s.Items = sub(key)
		case "minItems":
			s.MinItems = count(v)
		case "maxItems":
			s.MaxItems = count(v)
		default:
			if annotationKeywords[key] || strings.HasPrefix(key, "x-") {
				continue
			}
			s.Opaque = true
		}
	}
}

// resolve finds the schema a "#/…" reference points at within the
// document; other references are not followed.
func (l *loader) resolve(ref string) (*Schema, bool) {
	if ref == "#" {
		return l.build(l.raw, ""), true
	}
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	v := l.raw
	for _, tok := range strings.Split(ref[2:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[tok]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return l.build(v, ref[1:]), true
}

func escapePointer(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}
