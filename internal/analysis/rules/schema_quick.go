package rules

import (
	"math"
	"math/big"
	"unicode/utf8"

	"github.com/prefect-lsp/prefect-lsp/internal/schemanav"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// verdict is what quickCheck can tell about a value against a schema.
type verdict uint8

const (
	undecided verdict = iota // a keyword it does not model: ask jsonschema
	conforms
	violates
)

// and folds two keyword verdicts about one value: a violation of either is
// a violation, and either undecided leaves the value undecided.
func (v verdict) and(w verdict) verdict {
	switch {
	case v == violates || w == violates:
		return violates
	case v == undecided || w == undecided:
		return undecided
	}
	return conforms
}

// quickCheck decides, for the keywords our schemas use (type, enum, const,
// $ref, not, allOf, anyOf, oneOf, if/then/else, properties,
// patternProperties, additionalProperties, required, min/maxProperties,
// items, min/maxItems, min/maxLength, pattern, minimum/maximum and their
// exclusive forms), whether the YAML value conforms, walking the nodes
// directly, on schemas as schemanav reads them (schema.Index() and the
// work-pool schemas, built without compiling anything). Most values in a
// prefect.yaml conform, and for them no JSON value is built and jsonschema
// is neither compiled nor called; a value that violates the schema, or
// meets a keyword this does not model (Opaque), is validated by
// jsonschema, whose errors make the messages.
// TestQuickCheckAgreesWithJSONSchema holds the two together.
func quickCheck(s *schemanav.Schema, n *yamlsyntax.Node, depth int) verdict {
	if s == nil {
		return conforms
	}
	if depth > 64 {
		return undecided
	}
	if s.Bool != nil {
		if *s.Bool {
			return conforms
		}
		return violates
	}
	if s.Opaque {
		return undecided
	}
	r := n.Resolve()
	if r == nil {
		return undecided
	}
	jt, scalar := instanceType(r)
	if jt == "" {
		return undecided
	}
	out := conforms
	// add folds one keyword's verdict in; it reports true once the value
	// is known to violate the schema.
	add := func(v verdict) bool {
		out = out.and(v)
		return out == violates
	}
	if s.Types != nil && !typeAdmits(s.Types, jt) {
		return violates
	}
	if s.HasConst && add(equalJSON(r, jt, scalar, s.Const)) {
		return violates
	}
	if s.HasEnum {
		e := violates
		for _, want := range s.Enum {
			switch equalJSON(r, jt, scalar, want) {
			case conforms:
				e = conforms
			case undecided:
				if e == violates {
					e = undecided
				}
			}
			if e == conforms {
				break
			}
		}
		if add(e) {
			return violates
		}
	}
	if s.Ref != nil && add(quickCheck(s.Ref, r, depth+1)) {
		return violates
	}
	if s.Not != nil {
		switch quickCheck(s.Not, r, depth+1) {
		case conforms:
			return violates
		case undecided:
			out = undecided
		}
	}
	for _, sub := range s.AllOf {
		if add(quickCheck(sub, r, depth+1)) {
			return violates
		}
	}
	if len(s.AnyOf) > 0 {
		a := violates
		for _, sub := range s.AnyOf {
			v := quickCheck(sub, r, depth+1)
			if v == conforms {
				a = conforms
				break
			}
			if v == undecided {
				a = undecided
			}
		}
		if add(a) {
			return violates
		}
	}
	if len(s.OneOf) > 0 {
		matched, unsure := 0, false
		for _, sub := range s.OneOf {
			switch quickCheck(sub, r, depth+1) {
			case conforms:
				matched++
			case undecided:
				unsure = true
			}
		}
		switch {
		case unsure:
			out = undecided
		case matched != 1:
			return violates
		}
	}
	if s.If != nil {
		switch quickCheck(s.If, r, depth+1) {
		case conforms:
			if add(quickCheck(s.Then, r, depth+1)) {
				return violates
			}
		case violates:
			if add(quickCheck(s.Else, r, depth+1)) {
				return violates
			}
		default:
			out = undecided
		}
	}
	switch jt {
	case "string":
		str, _ := scalar.(string)
		if s.MinLength != nil || s.MaxLength != nil {
			l := utf8.RuneCountInString(str)
			if (s.MinLength != nil && l < *s.MinLength) || (s.MaxLength != nil && l > *s.MaxLength) {
				return violates
			}
		}
		if s.Pattern != nil && !s.Pattern.MatchString(str) {
			return violates
		}
	case "integer", "number":
		if s.Minimum != nil || s.Maximum != nil || s.ExclusiveMinimum != nil || s.ExclusiveMaximum != nil {
			x, ok := ratOf(scalar)
			if !ok {
				return undecided
			}
			if (s.Minimum != nil && x.Cmp(s.Minimum) < 0) || (s.Maximum != nil && x.Cmp(s.Maximum) > 0) ||
				(s.ExclusiveMinimum != nil && x.Cmp(s.ExclusiveMinimum) <= 0) || (s.ExclusiveMaximum != nil && x.Cmp(s.ExclusiveMaximum) >= 0) {
				return violates
			}
		}
	case "object":
		pairs := r.Pairs()
		if (s.MinProperties != nil && len(pairs) < *s.MinProperties) || (s.MaxProperties != nil && len(pairs) > *s.MaxProperties) {
			return violates
		}
		for _, name := range s.Required {
			if _, ok := r.Get(name); !ok {
				return violates
			}
		}
		for _, p := range pairs {
			if add(propertyVerdict(s, p.KeyText(), p.Value, depth+1)) {
				return violates
			}
		}
	case "array":
		items := r.Content()
		if (s.MinItems != nil && len(items) < *s.MinItems) || (s.MaxItems != nil && len(items) > *s.MaxItems) {
			return violates
		}
		if s.Items != nil {
			for _, it := range items {
				if add(quickCheck(s.Items, it, depth+1)) {
					return violates
				}
			}
		}
	}
	return out
}

// instanceType is the JSON type of the value PyYAML builds for r (as
// yamlsyntax.Value converts it), with the scalar value; "" when quickCheck
// leaves the value to jsonschema (big integers, infinities, NaN, binary).
func instanceType(r *yamlsyntax.Node) (string, any) {
	switch r.Kind {
	case yamlsyntax.MappingNode:
		return "object", nil
	case yamlsyntax.SequenceNode:
		return "array", nil
	case yamlsyntax.ScalarNode:
	default:
		return "", nil
	}
	v := r.Scalar()
	switch x := v.(type) {
	case string:
		if r.Tag() != yamlsyntax.TagStr {
			return "", nil
		}
		return "string", x
	case yamlsyntax.Timestamp:
		return "string", x.Text
	case bool:
		return "boolean", x
	case nil:
		if r.Tag() != yamlsyntax.TagNull {
			return "", nil
		}
		return "null", nil
	case int64:
		return "integer", x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", nil
		}
		if x == math.Trunc(x) {
			return "integer", x
		}
		return "number", x
	}
	return "", nil
}

// equalJSON compares a value with a JSON value from the schema (enum or
// const): strings, booleans and null exactly; numbers and collections are
// left to jsonschema.
func equalJSON(r *yamlsyntax.Node, jt string, scalar, want any) verdict {
	switch w := want.(type) {
	case string:
		if jt != "string" {
			return violates
		}
		if scalar.(string) == w {
			return conforms
		}
		return violates
	case bool:
		if jt != "boolean" {
			return violates
		}
		if scalar.(bool) == w {
			return conforms
		}
		return violates
	case nil:
		if jt == "null" {
			return conforms
		}
		return violates
	}
	return undecided
}

func ratOf(v any) (*big.Rat, bool) {
	switch x := v.(type) {
	case int64:
		return new(big.Rat).SetInt64(x), true
	case float64:
		r := new(big.Rat)
		if r.SetFloat64(x) == nil {
			return nil, false
		}
		return r, true
	}
	return nil, false
}

// quickCheckTopLevel reports whether the document's top level, with
// "deployments" taken as an empty list (the deployments are checked one by
// one), surely conforms to the root schema, an object of known properties.
func quickCheckTopLevel(s *schemanav.Schema, root *yamlsyntax.Node) bool {
	if s == nil || s.Bool != nil || s.Opaque || s.Ref != nil || s.Not != nil || len(s.AllOf) > 0 || len(s.AnyOf) > 0 || len(s.OneOf) > 0 ||
		s.If != nil || s.HasEnum || s.HasConst || len(s.Required) > 0 || s.MinProperties != nil || s.MaxProperties != nil {
		return false
	}
	if s.Types != nil && !typeAdmits(s.Types, "object") {
		return false
	}
	empty := yamlsyntax.EmptySequence()
	for _, p := range root.Pairs() {
		name := p.KeyText()
		value := p.Value
		if name == "deployments" {
			value = empty
		}
		if propertyVerdict(s, name, value, 1) != conforms {
			return false
		}
	}
	return true
}

// propertyVerdict checks one property of an object against properties and
// every patternProperties entry its name matches or, for a name neither
// lists, additionalProperties.
func propertyVerdict(s *schemanav.Schema, name string, value *yamlsyntax.Node, depth int) verdict {
	out, named := conforms, false
	if ps, ok := s.Properties[name]; ok {
		out, named = quickCheck(ps, value, depth), true
	}
	for _, pp := range s.PatternProperties {
		if out != violates && pp.Pattern.MatchString(name) {
			out, named = out.and(quickCheck(pp.Schema, value, depth)), true
		}
	}
	if named {
		return out
	}
	// An absent additionalProperties (nil) admits anything.
	return quickCheck(s.AdditionalProperties, value, depth)
}
