package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/prefect-lsp/prefect-lsp/schema"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// lightSchema is the part of a JSON Schema that quickCheck reads, built
// straight from the schema's JSON. Building it takes about a millisecond,
// where compiling prefect.schema.json with jsonschema (which first validates
// it against the 2020-12 meta-schema) takes 10–15 ms, so the first analysis
// of a fresh process needs no compiled schema unless a value violates the
// schema: jsonschema is then compiled to say how. The meta-schema check
// itself is a test (TestCompile in package schema).
//
// Absent keywords are zero values; a schema with a keyword quickCheck does
// not model is opaque, and quickCheck leaves it to jsonschema.
type lightSchema struct {
	pointer string // JSON pointer within its document, as jsonschema's Location writes it
	boolean *bool  // the schemas true and false
	opaque  bool

	types    []string
	hasConst bool
	constant any
	hasEnum  bool
	enum     []any

	ref, not            *lightSchema
	allOf, anyOf, oneOf []*lightSchema
	ifS, thenS, elseS   *lightSchema

	minLength, maxLength           *int
	pattern                        *regexp.Regexp
	minimum, maximum               *big.Rat
	exclusiveMinimum, exclusiveMax *big.Rat

	properties    map[string]*lightSchema
	additional    *lightSchema // additionalProperties (a boolean is a boolean schema)
	required      []string
	minProperties *int
	maxProperties *int

	items              *lightSchema // 2020-12 items (one schema for every item)
	minItems, maxItems *int
}

// annotationKeywords change nothing about validity.
var annotationKeywords = map[string]bool{
	"title": true, "description": true, "markdownDescription": true, "examples": true, "default": true,
	"deprecated": true, "readOnly": true, "writeOnly": true, "$comment": true, "$schema": true, "$defs": true,
	"definitions": true,
}

// lightDocument is a schema document's light schemas by JSON pointer.
type lightDocument struct {
	raw any
	at  map[string]*lightSchema
}

// loadLight builds the light schema of every subschema of a JSON Schema
// document, resolving "#/..." references within it.
func loadLight(text []byte) (*lightDocument, error) {
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(text))
	if err != nil {
		return nil, err
	}
	d := &lightDocument{raw: raw, at: map[string]*lightSchema{}}
	root := d.build(raw, "")
	if root == nil {
		return nil, fmt.Errorf("not a schema")
	}
	return d, nil
}

// schemaAt returns the light schema at a JSON pointer ("" is the root).
func (d *lightDocument) schemaAt(pointer string) *lightSchema { return d.at[pointer] }

// build returns the light schema of the value v found at pointer, building
// it (and everything under it) once.
func (d *lightDocument) build(v any, pointer string) *lightSchema {
	if s, ok := d.at[pointer]; ok {
		return s
	}
	s := &lightSchema{pointer: pointer}
	d.at[pointer] = s
	switch x := v.(type) {
	case bool:
		s.boolean = &x
		return s
	case map[string]any:
		d.fill(s, x)
		return s
	}
	s.opaque = true
	return s
}

// fill reads every keyword of an object schema.
func (d *lightDocument) fill(s *lightSchema, obj map[string]any) {
	sub := func(key string) *lightSchema {
		v, ok := obj[key]
		if !ok {
			return nil
		}
		return d.build(v, s.pointer+"/"+escapePointer(key))
	}
	list := func(key string) []*lightSchema {
		l, ok := obj[key].([]any)
		if !ok {
			s.opaque = true
			return nil
		}
		out := make([]*lightSchema, len(l))
		for i, v := range l {
			out[i] = d.build(v, s.pointer+"/"+key+"/"+strconv.Itoa(i))
		}
		return out
	}
	count := func(v any) *int {
		n, ok := v.(json.Number)
		if !ok {
			s.opaque = true
			return nil
		}
		i, err := strconv.Atoi(string(n))
		if err != nil {
			s.opaque = true
			return nil
		}
		return &i
	}
	bound := func(v any) *big.Rat {
		n, ok := v.(json.Number)
		if !ok {
			s.opaque = true
			return nil
		}
		r, ok := new(big.Rat).SetString(string(n))
		if !ok {
			s.opaque = true
			return nil
		}
		return r
	}
	for key, v := range obj {
		switch {
		case annotationKeywords[key], strings.HasPrefix(key, "x-"):
			// annotations, and our own extensions (x-docs, …)
		case key == "$id":
			if s.pointer != "" {
				s.opaque = true // a new base URI: references would resolve elsewhere
			}
		case key == "type":
			switch t := v.(type) {
			case string:
				s.types = []string{t}
			case []any:
				for _, e := range t {
					name, ok := e.(string)
					if !ok {
						s.opaque = true
					}
					s.types = append(s.types, name)
				}
			default:
				s.opaque = true
			}
		case key == "const":
			s.hasConst, s.constant = true, v
		case key == "enum":
			l, ok := v.([]any)
			if !ok {
				s.opaque = true
			}
			s.hasEnum, s.enum = true, l
		case key == "$ref":
			ref, _ := v.(string)
			target, ok := d.resolve(ref)
			if !ok {
				s.opaque = true
				continue
			}
			s.ref = target
		case key == "not":
			s.not = sub(key)
		case key == "allOf":
			s.allOf = list(key)
		case key == "anyOf":
			s.anyOf = list(key)
		case key == "oneOf":
			s.oneOf = list(key)
		case key == "if":
			s.ifS = sub(key)
		case key == "then":
			s.thenS = sub(key)
		case key == "else":
			s.elseS = sub(key)
		case key == "minLength":
			s.minLength = count(v)
		case key == "maxLength":
			s.maxLength = count(v)
		case key == "pattern":
			p, _ := v.(string)
			re, err := regexp.Compile(p)
			if err != nil {
				s.opaque = true
				continue
			}
			s.pattern = re
		case key == "minimum":
			s.minimum = bound(v)
		case key == "maximum":
			s.maximum = bound(v)
		case key == "exclusiveMinimum":
			s.exclusiveMinimum = bound(v)
		case key == "exclusiveMaximum":
			s.exclusiveMax = bound(v)
		case key == "properties":
			props, ok := v.(map[string]any)
			if !ok {
				s.opaque = true
				continue
			}
			s.properties = make(map[string]*lightSchema, len(props))
			for name, pv := range props {
				s.properties[name] = d.build(pv, s.pointer+"/properties/"+escapePointer(name))
			}
		case key == "additionalProperties":
			s.additional = sub(key)
		case key == "required":
			l, ok := v.([]any)
			if !ok {
				s.opaque = true
				continue
			}
			for _, e := range l {
				name, ok := e.(string)
				if !ok {
					s.opaque = true
				}
				s.required = append(s.required, name)
			}
		case key == "minProperties":
			s.minProperties = count(v)
		case key == "maxProperties":
			s.maxProperties = count(v)
		case key == "items":
			if _, ok := v.([]any); ok {
				s.opaque = true // the draft-07 tuple form
				continue
			}
			s.items = sub(key)
		case key == "minItems":
			s.minItems = count(v)
		case key == "maxItems":
			s.maxItems = count(v)
		default:
			// format, patternProperties, prefixItems, contains,
			// uniqueItems, unevaluated*, dependent*, $dynamicRef, …
			s.opaque = true
		}
	}
}

// resolve finds the schema a "#/…" reference points at within the
// document; other references are not followed.
func (d *lightDocument) resolve(ref string) (*lightSchema, bool) {
	if ref == "#" {
		return d.build(d.raw, ""), true
	}
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	v := d.raw
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
	return d.build(v, ref[1:]), true
}

func escapePointer(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

// lightPrefect holds the light schemas of prefect.schema.json.
type lightPrefect struct {
	doc        *lightDocument
	root       *lightSchema
	deployment *lightSchema
}

// lightPrefectSchema returns the light schemas of prefect.schema.json, from
// schema_light_gen.go: TestLightSchemaGenerated holds that file equal to
// loadLight(schema.PrefectSchema), so no JSON is decoded at run time.
var lightPrefectSchema = sync.OnceValue(func() *lightPrefect {
	d := generatedLightDocument()
	return &lightPrefect{doc: d, root: d.schemaAt(""), deployment: d.schemaAt("/$defs/deployment")}
})

// Constructors for schema_light_gen.go.
func lightBool(b bool) *bool { return &b }
func lightInt(n int) *int    { return &n }
func lightRat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("lightRat: " + s)
	}
	return r
}

// lightOf returns the light schema of a schema compiled from
// prefect.schema.json (nil when there is none).
func lightOf(s *jsonschema.Schema) *lightSchema {
	lp := lightPrefectSchema()
	if lp == nil || s == nil {
		return nil
	}
	loc := s.Location
	i := strings.IndexByte(loc, '#')
	if i < 0 || loc[:i] != schema.PrefectSchemaURL {
		return nil
	}
	frag := loc[i+1:]
	if strings.IndexByte(frag, '%') >= 0 {
		// jsonschema writes each pointer token path-escaped.
		toks := strings.Split(frag, "/")
		for j, t := range toks {
			u, err := url.PathUnescape(t)
			if err != nil {
				return nil
			}
			toks[j] = u
		}
		frag = strings.Join(toks, "/")
	}
	return lp.doc.schemaAt(frag)
}

// deploymentProperty returns the light schema of one deployment key.
func (lp *lightPrefect) deploymentProperty(name string) (*lightSchema, bool) {
	if lp == nil || lp.deployment == nil || lp.deployment.opaque || lp.deployment.properties == nil {
		return nil, false
	}
	p, ok := lp.deployment.properties[name]
	return p, ok
}

// expand returns s and every schema it stands for through $ref, allOf,
// anyOf, oneOf and the then/else arms of a conditional, as
// schemanav.Expand does for compiled schemas.
func (s *lightSchema) expand() []*lightSchema {
	var out []*lightSchema
	var walk func(*lightSchema, int)
	walk = func(s *lightSchema, depth int) {
		if s == nil || depth > 32 || slices.Contains(out, s) {
			return
		}
		out = append(out, s)
		walk(s.ref, depth+1)
		for _, l := range [][]*lightSchema{s.allOf, s.anyOf, s.oneOf} {
			for _, c := range l {
				walk(c, depth+1)
			}
		}
		walk(s.thenS, depth+1)
		walk(s.elseS, depth+1)
	}
	walk(s, 0)
	return out
}

// at returns the light schemas that apply to the value at path (object
// keys, array indexes or "[]"), expanded, as schemanav.Index.At does for
// the compiled schema.
func (lp *lightPrefect) at(path []string) []*lightSchema {
	if lp == nil || lp.root == nil {
		return nil
	}
	cur := lp.root.expand()
	for _, tok := range path {
		var next []*lightSchema
		for _, s := range cur {
			for _, c := range s.child(tok) {
				for _, e := range c.expand() {
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
func (s *lightSchema) child(tok string) []*lightSchema {
	var out []*lightSchema
	if p, ok := s.properties[tok]; ok {
		out = append(out, p)
	} else if s.additional != nil && s.additional.boolean == nil {
		out = append(out, s.additional)
	}
	if _, err := strconv.Atoi(tok); (tok == "[]" || err == nil) && s.items != nil {
		out = append(out, s.items)
	}
	return out
}
