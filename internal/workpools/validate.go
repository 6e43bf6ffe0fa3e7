package workpools

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Problem is one finding about a deployment's job_variables.
type Problem struct {
	// Path locates the offending value: Path[0] is the job_variables key as
	// written (a dotted key like "env.FOO" stays one element), later elements
	// descend into it.
	Path []string
	// Unknown is true when Path[0] is not a job variable of the pool type.
	Unknown bool
	// Message says what is wrong, without the path.
	Message string
}

// Validate checks job variables against the pool type's schema. Values must
// be JSON-like: nil, bool, string, any Go integer or float, []any and
// map[string]any. Placeholders ("{{ ... }}") are accepted for any variable.
// Problems come in a stable order; err is non-nil only for an unknown type or
// a broken schema.
func Validate(typeName string, jobVariables map[string]any) ([]Problem, error) {
	t, ok := Lookup(typeName)
	if !ok {
		return nil, fmt.Errorf("workpools: unknown work-pool type %q", typeName)
	}
	s, err := Schema(typeName)
	if err != nil {
		return nil, err
	}
	if jobVariables == nil {
		return nil, nil
	}
	verr := s.Validate(jobVariables)
	if verr == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(verr, &ve) {
		return nil, verr
	}
	w := walker{t: t, root: jobVariables, seen: map[string]bool{}}
	w.walk(ve)
	sort.SliceStable(w.out, func(i, j int) bool {
		return strings.Join(w.out[i].Path, "\x00") < strings.Join(w.out[j].Path, "\x00")
	})
	return w.out, nil
}

var printer = message.NewPrinter(language.English)

type walker struct {
	t    *Type
	root map[string]any
	out  []Problem
	seen map[string]bool
}

func (w *walker) emit(p Problem) {
	key := strings.Join(p.Path, "\x00")
	if w.seen[key] {
		return
	}
	w.seen[key] = true
	w.out = append(w.out, p)
}

func (w *walker) walk(e *jsonschema.ValidationError) {
	switch k := e.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		for _, name := range k.Properties {
			path := append(append([]string{}, e.InstanceLocation...), name)
			msg := "not a job variable of " + w.t.Name + " work pools"
			if len(path) > 1 {
				msg = "not an allowed key here"
			}
			w.emit(Problem{Path: path, Unknown: len(path) == 1, Message: msg})
		}
		return
	case *kind.AnyOf, *kind.OneOf:
		for _, c := range e.Causes {
			if deeper(c, len(e.InstanceLocation)) {
				w.walk(c)
				return
			}
		}
		w.emitAt(e)
		return
	}
	if len(e.Causes) == 0 {
		w.emitAt(e)
		return
	}
	for _, c := range e.Causes {
		w.walk(c)
	}
}

// deeper reports whether e or one of its causes is about a value below depth.
func deeper(e *jsonschema.ValidationError, depth int) bool {
	if len(e.InstanceLocation) > depth {
		return true
	}
	if _, ok := e.ErrorKind.(*kind.AdditionalProperties); ok {
		return true
	}
	for _, c := range e.Causes {
		if deeper(c, depth) {
			return true
		}
	}
	return false
}

func (w *walker) emitAt(e *jsonschema.ValidationError) {
	path := append([]string{}, e.InstanceLocation...)
	value, _ := lookupPath(w.root, path)
	if len(path) == 1 {
		if v, ok := w.t.Variable(path[0]); ok {
			w.emit(Problem{Path: path, Message: variableMessage(v, value, e)})
			return
		}
	}
	w.emit(Problem{Path: path, Message: leafMessage(e, value)})
}

// variableMessage explains why value does not fit v.
func variableMessage(v *Variable, value any, e *jsonschema.ValidationError) string {
	got := jsonType(value)
	if got == v.Type || (v.Type == "number" && got == "integer") {
		switch {
		case len(v.Enum) > 0:
			return fmt.Sprintf("expects one of %s, got %q", strings.Join(v.Enum, ", "), fmt.Sprint(value))
		case v.Pattern != "":
			return fmt.Sprintf("expects a string matching %s, got %q", v.Pattern, fmt.Sprint(value))
		}
		return leafMessage(firstLeaf(e), value)
	}
	want := article(v.Type)
	if v.BlockType != "" {
		want = "a " + v.BlockType + " block (a block reference or placeholder)"
	}
	if v.Type != "string" {
		want += " or a {{ placeholder }}"
	}
	if got == "string" {
		return fmt.Sprintf("expects %s, got the string %q", want, value)
	}
	return fmt.Sprintf("expects %s, got %s", want, article(got))
}

func firstLeaf(e *jsonschema.ValidationError) *jsonschema.ValidationError {
	for len(e.Causes) > 0 {
		e = e.Causes[0]
	}
	return e
}

func leafMessage(e *jsonschema.ValidationError, value any) string {
	if t, ok := e.ErrorKind.(*kind.Type); ok {
		return fmt.Sprintf("expects %s, got %s", strings.Join(t.Want, " or "), jsonType(value))
	}
	return e.ErrorKind.LocalizedString(printer)
}

func article(t string) string {
	switch t {
	case "integer", "object", "array":
		return "an " + t
	case "null":
		return "null"
	}
	return "a " + t
}

// jsonType names the JSON type of a JSON-like Go value.
func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "integer"
	case float32:
		if float32(int64(x)) == x {
			return "integer"
		}
		return "number"
	case float64:
		if float64(int64(x)) == x {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func lookupPath(root map[string]any, path []string) (any, bool) {
	var cur any = root
	for _, p := range path {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[p]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}
