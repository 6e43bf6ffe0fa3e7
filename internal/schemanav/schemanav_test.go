package schemanav

import (
	"bytes"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
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
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(testSchema)))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("mem://s.json", doc); err != nil {
		t.Fatal(err)
	}
	root, err := c.Compile("mem://s.json")
	if err != nil {
		t.Fatal(err)
	}
	return NewIndex(root, []byte(testSchema))
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
