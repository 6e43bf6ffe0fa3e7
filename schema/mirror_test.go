package schema

import (
	"math/big"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/schemanav"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestIndexMirrorsCompiled walks every subschema jsonschema compiles from
// prefect.schema.json and checks that the schemanav schema at the same
// location has the same keywords, the same references and the same
// children, so that quick checks on Index() ask what jsonschema checks,
// and hovers show the same annotations.
func TestIndexMirrorsCompiled(t *testing.T) {
	root, err := Compile()
	if err != nil {
		t.Fatal(err)
	}
	if Navigable(root) != Index().Root() {
		t.Fatal("the compiled root is not the index's root")
	}
	seen := map[*jsonschema.Schema]bool{}
	count := 0
	same := func(s *jsonschema.Schema, what string, c *jsonschema.Schema, n *schemanav.Schema) {
		if (c == nil) != (n == nil) {
			t.Errorf("%s: %s: compiled %v, schemanav %v", s.Location, what, c != nil, n != nil)
			return
		}
		if c != nil && Navigable(c) != n {
			t.Errorf("%s: %s leads to %s in jsonschema but to %q in schemanav", s.Location, what, c.Location, n.Pointer)
		}
	}
	sameList := func(s *jsonschema.Schema, what string, c []*jsonschema.Schema, n []*schemanav.Schema) {
		if len(c) != len(n) {
			t.Errorf("%s: %s: %d compiled, %d in schemanav", s.Location, what, len(c), len(n))
			return
		}
		for i := range c {
			same(s, what, c[i], n[i])
		}
	}
	var walk func(s *jsonschema.Schema)
	walk = func(s *jsonschema.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		count++
		n := Navigable(s)
		if n == nil {
			t.Errorf("%s: no schemanav schema", s.Location)
			return
		}
		if n.Opaque {
			t.Errorf("%s: opaque to quick checks (a keyword schemanav does not model; teach it)", s.Location)
		}
		if (s.Bool != nil) != (n.Bool != nil) || (s.Bool != nil && *s.Bool != *n.Bool) {
			t.Errorf("%s: boolean schema differs", s.Location)
		}
		var types []string
		if s.Types != nil {
			types = s.Types.ToStrings()
		}
		nt := append([]string(nil), n.Types...)
		sort.Strings(types)
		sort.Strings(nt)
		if len(types)+len(nt) > 0 && !reflect.DeepEqual(types, nt) {
			t.Errorf("%s: types %v, schemanav %v", s.Location, types, nt)
		}
		if (s.Enum != nil) != n.HasEnum || (s.Enum != nil && !reflect.DeepEqual(s.Enum.Values, n.Enum)) {
			t.Errorf("%s: enum differs", s.Location)
		}
		if (s.Const != nil) != n.HasConst || (s.Const != nil && !reflect.DeepEqual(*s.Const, n.Const)) {
			t.Errorf("%s: const differs", s.Location)
		}
		if len(s.Required)+len(n.Required) > 0 && !reflect.DeepEqual(s.Required, n.Required) {
			t.Errorf("%s: required %v, schemanav %v", s.Location, s.Required, n.Required)
		}
		if (s.Pattern == nil) != (n.Pattern == nil) || (s.Pattern != nil && s.Pattern.String() != n.Pattern.String()) {
			t.Errorf("%s: pattern differs", s.Location)
		}
		ratEq := func(what string, a, b *big.Rat) {
			if (a == nil) != (b == nil) || (a != nil && a.Cmp(b) != 0) {
				t.Errorf("%s: %s differs", s.Location, what)
			}
		}
		ratEq("minimum", s.Minimum, n.Minimum)
		ratEq("maximum", s.Maximum, n.Maximum)
		ratEq("exclusiveMinimum", s.ExclusiveMinimum, n.ExclusiveMinimum)
		ratEq("exclusiveMaximum", s.ExclusiveMaximum, n.ExclusiveMaximum)
		intEq := func(what string, a, b *int) {
			if (a == nil) != (b == nil) || (a != nil && *a != *b) {
				t.Errorf("%s: %s differs", s.Location, what)
			}
		}
		intEq("minLength", s.MinLength, n.MinLength)
		intEq("maxLength", s.MaxLength, n.MaxLength)
		intEq("minProperties", s.MinProperties, n.MinProperties)
		intEq("maxProperties", s.MaxProperties, n.MaxProperties)
		intEq("minItems", s.MinItems, n.MinItems)
		intEq("maxItems", s.MaxItems, n.MaxItems)
		if s.Title != n.Title || s.Deprecated != n.Deprecated || (s.Default != nil) != n.HasDefault || len(s.Examples) != len(n.Examples) {
			t.Errorf("%s: annotations differ (title, deprecated, default or examples)", s.Location)
		}
		if s.Description != "" && n.Description == "" {
			t.Errorf("%s: description lost", s.Location)
		}
		same(s, "$ref", s.Ref, n.Ref)
		same(s, "not", s.Not, n.Not)
		same(s, "if", s.If, n.If)
		same(s, "then", s.Then, n.Then)
		same(s, "else", s.Else, n.Else)
		same(s, "items", s.Items2020, n.Items)
		sameList(s, "allOf", s.AllOf, n.AllOf)
		sameList(s, "anyOf", s.AnyOf, n.AnyOf)
		sameList(s, "oneOf", s.OneOf, n.OneOf)
		if len(s.Properties) != len(n.Properties) {
			t.Errorf("%s: %d properties, schemanav %d", s.Location, len(s.Properties), len(n.Properties))
		}
		for name, ps := range s.Properties {
			same(s, "properties/"+name, ps, n.Properties[name])
		}
		if len(s.PatternProperties) != len(n.PatternProperties) {
			t.Errorf("%s: %d patternProperties, schemanav %d", s.Location, len(s.PatternProperties), len(n.PatternProperties))
		}
		for re, ps := range s.PatternProperties {
			i := slices.IndexFunc(n.PatternProperties, func(pp schemanav.PatternProperty) bool { return pp.Pattern.String() == re.String() })
			if i < 0 {
				t.Errorf("%s: patternProperties %s missing in schemanav", s.Location, re)
				continue
			}
			same(s, "patternProperties/"+re.String(), ps, n.PatternProperties[i].Schema)
		}
		switch ap := s.AdditionalProperties.(type) {
		case nil:
			if n.AdditionalProperties != nil {
				t.Errorf("%s: additionalProperties only in schemanav", s.Location)
			}
		case bool:
			if n.AdditionalProperties == nil || n.AdditionalProperties.Bool == nil || *n.AdditionalProperties.Bool != ap {
				t.Errorf("%s: additionalProperties %v differs", s.Location, ap)
			}
		case *jsonschema.Schema:
			same(s, "additionalProperties", ap, n.AdditionalProperties)
		}
		for _, c := range []*jsonschema.Schema{s.Ref, s.Not, s.If, s.Then, s.Else, s.Items2020} {
			walk(c)
		}
		for _, l := range [][]*jsonschema.Schema{s.AllOf, s.AnyOf, s.OneOf} {
			for _, c := range l {
				walk(c)
			}
		}
		for _, c := range s.Properties {
			walk(c)
		}
		for _, c := range s.PatternProperties {
			walk(c)
		}
		if ap, ok := s.AdditionalProperties.(*jsonschema.Schema); ok {
			walk(ap)
		}
	}
	walk(root)
	if count < 100 {
		t.Fatalf("walked only %d subschemas", count)
	}
	dep, err := CompileDeployment()
	if err != nil || Navigable(dep) != Index().Lookup("/$defs/deployment") {
		t.Errorf("the deployment schema is not $defs/deployment")
	}
	t.Logf("%d compiled subschemas mirrored", count)
}
