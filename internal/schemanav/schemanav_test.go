package schemanav

import (
	"strings"
	"testing"
)

const testSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "deployments": {"type": "array", "items": {"$ref": "#/$defs/deployment"}}
  },
  "$defs": {
    "deployment": {
      "type": "object",
      "properties": {
        "name": {"title": "Name", "description": "plain", "markdownDescription": "**md**", "x-docs": "https://example.com/name", "type": "string"},
        "paused": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": false, "description": "pause it"},
        "mode": {"enum": ["a", "b", null]}
      }
    }
  }
}`

func index(t *testing.T) *Index {
	t.Helper()
	doc, err := Load([]byte(testSchema))
	if err != nil {
		t.Fatal(err)
	}
	return NewIndex(doc)
}

func TestLoad(t *testing.T) {
	doc, err := Load([]byte(`{
  "type": ["object", "null"],
  "required": ["a"],
  "properties": {
    "a": {"$ref": "#/$defs/n"},
    "b": {"type": "string", "pattern": "^x", "minLength": 1, "x-docs": "https://d"},
    "c": {"format": "date"},
    "d": {"$ref": "other.json#/x"},
    "e~/f": true,
    "g": {"items": [{"type": "string"}]},
    "h": {"$ref": "#"}
  },
  "additionalProperties": false,
  "$defs": {"n": {"type": "integer", "minimum": 1, "exclusiveMaximum": 2.5, "enum": [1, 2], "default": 1, "examples": [2]}}
}`))
	if err != nil {
		t.Fatal(err)
	}
	root := doc.Lookup("")
	if strings.Join(root.Types, ",") != "object,null" || strings.Join(root.Required, ",") != "a" || root.Opaque {
		t.Fatalf("root: %+v", root)
	}
	n := doc.Lookup("/$defs/n")
	if root.Properties["a"].Ref != n || n.Minimum.RatString() != "1" || n.ExclusiveMaximum.RatString() != "5/2" || !n.HasEnum || len(n.Enum) != 2 || !n.HasDefault || len(n.Examples) != 1 {
		t.Errorf("$defs/n through $ref: %+v", n)
	}
	b := root.Properties["b"]
	if b.Pattern == nil || !b.Pattern.MatchString("xy") || *b.MinLength != 1 || b.DocsURL != "https://d" || b.Opaque {
		t.Errorf("b: %+v", b)
	}
	for _, name := range []string{"c", "d", "g"} {
		if !root.Properties[name].Opaque {
			t.Errorf("%s is not opaque", name)
		}
	}
	if e := doc.Lookup("/properties/e~0~1f"); e == nil || e.Bool == nil || !*e.Bool || root.Properties["e~/f"] != e {
		t.Errorf("e~/f: %+v", e)
	}
	if root.Properties["h"].Ref != root {
		t.Error("# does not resolve to the root")
	}
	if ap := root.AdditionalProperties; ap == nil || ap.Bool == nil || *ap.Bool {
		t.Errorf("additionalProperties: %+v", ap)
	}
	if _, err := Load([]byte(`[1]`)); err == nil {
		t.Error("an array loaded as a schema")
	}
	if _, err := Load([]byte(`{`)); err == nil {
		t.Error("broken JSON loaded")
	}
}

func TestAtAndProperties(t *testing.T) {
	x := index(t)
	for _, path := range [][]string{{"deployments", "0"}, {"deployments", "[]"}} {
		var names []string
		for _, p := range x.Properties(path) {
			names = append(names, p.Name)
		}
		if got := strings.Join(names, ","); got != "mode,name,paused" {
			t.Errorf("%v: properties %s", path, got)
		}
	}
	if x.At([]string{"nope"}) != nil {
		t.Error("unknown key has schemas")
	}
}

func TestDocs(t *testing.T) {
	x := index(t)
	d := x.Docs(x.At([]string{"deployments", "0", "name"}))
	if d.Title != "Name" || d.Description != "**md**" || d.DocsURL != "https://example.com/name" {
		t.Errorf("name docs: %+v", d)
	}
	md := d.Markdown("name")
	if !strings.Contains(md, "**Name** (`name`)") || !strings.Contains(md, "[Prefect docs](https://example.com/name)") {
		t.Errorf("markdown: %s", md)
	}
	p := x.Docs(x.At([]string{"deployments", "0", "paused"}))
	if !p.HasDefault || p.Default != "false" || strings.Join(p.Types, ",") != "boolean,null" {
		t.Errorf("paused docs: %+v", p)
	}
	m := x.Docs(x.At([]string{"deployments", "0", "mode"}))
	if strings.Join(m.Enum, ",") != "a,b,null" || strings.Contains(m.Markdown("mode"), "`null`") {
		t.Errorf("mode docs: %+v / %s", m, m.Markdown("mode"))
	}
}

func TestPatternProperties(t *testing.T) {
	doc, err := Load([]byte(`{
  "type": "object",
  "properties": {"env": {"type": "object"}},
  "patternProperties": {"^env\\.": {"type": "string"}, "^b": {"type": "integer"}},
  "additionalProperties": {"type": "boolean"}
}`))
	if err != nil {
		t.Fatal(err)
	}
	x := NewIndex(doc)
	root := doc.Lookup("")
	if root.Opaque || len(root.PatternProperties) != 2 || root.PatternProperties[0].Pattern.String() != "^b" {
		t.Fatalf("patternProperties: %+v", root.PatternProperties)
	}
	if s := doc.Lookup("/patternProperties/^env\\."); s == nil || s != root.PatternProperties[1].Schema {
		t.Errorf("the ^env\\. schema is not at its pointer: %+v", s)
	}
	for name, want := range map[string]string{"env.A": "string", "env": "object", "bx": "integer", "other": "boolean"} {
		got := x.At([]string{name})
		if len(got) != 1 || strings.Join(got[0].Types, ",") != want {
			t.Errorf("%s: %d schemas, first %+v; want one of type %s", name, len(got), got, want)
		}
	}
	if d, err := Load([]byte(`{"patternProperties": {"(": {}}}`)); err != nil || !d.Lookup("").Opaque {
		t.Errorf("a pattern that does not compile: err %v, not opaque", err)
	}
}
