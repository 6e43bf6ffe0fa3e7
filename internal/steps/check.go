package steps

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/prefect-lsp/prefect-lsp/internal/templating"
)

// CheckArg type-checks one decoded YAML value (string, int64, float64, bool,
// nil, []any or map[string]any; other Go integer types are accepted as
// integers) passed as keyword argument name to step. It returns ok=false and
// a one-sentence reason when Prefect would pass a value the step cannot use.
//
// A string that is one whole `{{ … }}` placeholder always passes: it resolves
// to a value of any type. A placeholder embedded in other text resolves to a
// string, so it passes only where a string is expected (prefect.md §3).
// Reserved keywords are checked too: `id` must be a string or integer,
// `requires` a string or a list of strings.
func CheckArg(step *Step, name string, value any) (ok bool, why string) {
	switch name {
	case ReservedID:
		switch value.(type) {
		case string:
			return true, ""
		}
		if _, isInt := asInt(value); isInt {
			return true, ""
		}
		return false, fmt.Sprintf("`id` should be a string naming the step, got %s", describe(value))
	case ReservedRequires:
		return checkRequires(value)
	}
	if step == nil {
		return true, ""
	}
	p, found := step.Param(name)
	if !found {
		if step.AcceptsExtraKwargs {
			return true, ""
		}
		why := fmt.Sprintf("`%s` is not a parameter of %s; Prefect would fail with a TypeError when the step runs", name, step.Short)
		if s := SuggestParam(step, name); len(s) > 0 {
			why += fmt.Sprintf(" (did you mean `%s`?)", s[0])
		} else {
			why += fmt.Sprintf(" (parameters: %s)", strings.Join(paramNames(step), ", "))
		}
		return false, why
	}
	return checkParam(step, p, value)
}

func paramNames(s *Step) []string {
	out := make([]string, len(s.Params))
	for i, p := range s.Params {
		out[i] = p.Name
	}
	return out
}

func checkRequires(value any) (bool, string) {
	switch v := value.(type) {
	case string:
		return true, ""
	case []any:
		for _, e := range v {
			if _, ok := e.(string); !ok {
				return false, fmt.Sprintf("`requires` list items must be package requirement strings, got %s", describe(e))
			}
		}
		return true, ""
	case nil:
		return true, ""
	}
	return false, fmt.Sprintf("`requires` must be a package requirement string or a list of them, got %s", describe(value))
}

func checkParam(step *Step, p *Param, value any) (bool, string) {
	if s, isStr := value.(string); isStr {
		if ps := templating.Find(s); len(ps) > 0 {
			if len(ps) == 1 && ps[0].Whole {
				return true, ""
			}
			if p.Type != "string" && p.Type != "any" {
				return false, fmt.Sprintf("`%s` expects %s, but text around the placeholder makes the value a string", p.Name, typePhrase(p))
			}
			return true, ""
		}
	}
	if value == nil {
		switch {
		case p.Required:
			return false, fmt.Sprintf("`%s` is required, and null passes Python None", p.Name)
		case p.Default != nil:
			return false, fmt.Sprintf("null replaces the default %s of `%s` with None; remove the key to use the default", pyRepr(p.Default), p.Name)
		}
		return true, ""
	}
	if ok, why := checkType(p.Name, p.Type, p.Elem, value); !ok {
		return false, why
	}
	if s, isStr := value.(string); isStr {
		if len(p.Enum) > 0 && !slices.Contains(p.Enum, s) {
			if p.Name == "build_backend" {
				return false, fmt.Sprintf("Invalid build_backend '%s'. Expected 'docker-py' or 'buildx'.", s)
			}
			return false, fmt.Sprintf("`%s` must be one of %s, got %q", p.Name, strings.Join(p.Enum, ", "), s)
		}
		if p.Name == "image_name" && step.Module == modDocker && strings.IndexFunc(s, unicode.IsSpace) >= 0 {
			return false, fmt.Sprintf("Invalid Docker image name '%s'. Image names cannot contain spaces.", s)
		}
	}
	return true, ""
}

// checkType checks value against a catalogue type; elem constrains array
// items and object values.
func checkType(name, typ, elem string, value any) (bool, string) {
	switch typ {
	case "any", "":
		return true, ""
	case "string":
		if _, ok := value.(string); ok {
			return true, ""
		}
		return false, fmt.Sprintf("`%s` expects a string, got %s%s", name, describe(value), quoteHint(value))
	case "boolean":
		switch v := value.(type) {
		case bool:
			return true, ""
		case string:
			return false, fmt.Sprintf("`%s` expects a boolean, got the string %q, which Python treats as %s; write true or false unquoted", name, v, truthiness(v))
		}
		return false, fmt.Sprintf("`%s` expects a boolean (true or false), got %s", name, describe(value))
	case "integer":
		if _, ok := asInt(value); ok {
			return true, ""
		}
		return false, fmt.Sprintf("`%s` expects an integer, got %s", name, describe(value))
	case "array":
		switch v := value.(type) {
		case []any:
			if elem != "" {
				for i, e := range v {
					if ok, _ := checkType(name, elem, "", e); !ok && !isWholePlaceholder(e) {
						return false, fmt.Sprintf("`%s` item %d should be a %s, got %s%s", name, i+1, elem, describe(e), quoteHint(e))
					}
				}
			}
			return true, ""
		case string:
			return false, fmt.Sprintf("`%s` expects a list, got a string; Python would treat each character as an item (write `[%s]` or a YAML list)", name, v)
		}
		return false, fmt.Sprintf("`%s` expects a list, got %s", name, describe(value))
	case "object":
		switch v := value.(type) {
		case map[string]any:
			if elem != "" {
				for _, k := range sortedKeys(v) {
					if ok, _ := checkType(name, elem, "", v[k]); !ok && !isWholePlaceholder(v[k]) {
						return false, fmt.Sprintf("`%s.%s` should be a %s, got %s%s", name, k, elem, describe(v[k]), quoteHint(v[k]))
					}
				}
			}
			return true, ""
		case string:
			return false, fmt.Sprintf("`%s` expects a mapping or a block placeholder such as `{{ prefect.blocks.<type>.<name> }}`, got a plain string", name)
		}
		return false, fmt.Sprintf("`%s` expects a mapping, got %s", name, describe(value))
	case "block":
		switch value.(type) {
		case map[string]any:
			return true, ""
		case string:
			return false, fmt.Sprintf("`%s` expects a block reference such as `{{ prefect.blocks.github-credentials.<name> }}`, got a plain string", name)
		}
		return false, fmt.Sprintf("`%s` expects a block reference such as `{{ prefect.blocks.github-credentials.<name> }}`, got %s", name, describe(value))
	}
	return true, ""
}

func isWholePlaceholder(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	ps := templating.Find(s)
	return len(ps) == 1 && ps[0].Whole
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case uint64:
		return int64(n), true
	}
	return 0, false
}

// describe names a decoded YAML value for messages.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("the string %q", x)
	case bool:
		return fmt.Sprintf("the boolean %v", x)
	case float64:
		return "the number " + strconv.FormatFloat(x, 'g', -1, 64)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	if n, ok := asInt(v); ok {
		return fmt.Sprintf("the integer %d", n)
	}
	return fmt.Sprintf("a %T", v)
}

// quoteHint suggests quoting scalars that YAML decoded as non-strings.
func quoteHint(v any) string {
	switch v.(type) {
	case bool:
		return " (YAML reads true/false/yes/no/on/off as booleans; quote the value)"
	case float64:
		return " (YAML reads it as a number, so `1.10` becomes 1.1; quote the value)"
	}
	if _, ok := asInt(v); ok {
		return " (YAML reads it as a number; quote the value)"
	}
	return ""
}

func truthiness(s string) string {
	if s == "" {
		return "false"
	}
	return "true"
}

func typePhrase(p *Param) string {
	switch p.Type {
	case "boolean":
		return "a boolean"
	case "integer":
		return "an integer"
	case "array":
		return "a list"
	case "object":
		return "a mapping"
	case "block":
		return "a block reference"
	}
	return "a " + p.Type
}

// pyRepr renders a default value the way Python source would show it.
func pyRepr(v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return strconv.Quote(x)
	}
	return fmt.Sprint(v)
}
