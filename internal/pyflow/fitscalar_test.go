package pyflow

import (
	"encoding/json"
	"strings"
	"testing"
)

type fitCase struct {
	ann   string
	path  []PathStep
	value any    // as YAML reads the scalar
	text  string // the scalar as written
	want  ScalarFit
}

var (
	idx0 = []PathStep{{IsIndex: true}}
	keyA = []PathStep{{Key: "a"}}
)

// fitCases are checked against pydantic by TestFitScalarAgainstPydantic
// (all but the Open rows, which pydantic cannot judge without user code):
// Value is Accepted when validating the value succeeds; Text is Accepted
// when validating the text gives back the same string.
var fitCases = []fitCase{
	{"bool", nil, true, "yes", ScalarFit{Accepted, Rejected}},
	{"bool", nil, false, "off", ScalarFit{Accepted, Rejected}},
	{"int", nil, int64(1000), "1_000", ScalarFit{Accepted, Rejected}},
	{"float", nil, int64(90), "1:30", ScalarFit{Accepted, Rejected}},
	{"int", nil, int64(493), "0755", ScalarFit{Accepted, Rejected}},
	{"bool", nil, int64(90), "1:30", ScalarFit{Rejected, Rejected}},
	{"str", nil, false, "no", ScalarFit{Rejected, Accepted}},
	{"Optional[str]", nil, false, "no", ScalarFit{Rejected, Accepted}},
	{"str | None", nil, true, "on", ScalarFit{Rejected, Accepted}},
	{"Union[str, bool]", nil, false, "no", ScalarFit{Accepted, Accepted}},
	{"Union[int, str]", nil, int64(1000), "1_000", ScalarFit{Accepted, Accepted}},
	{"Literal['yes', 'no']", nil, false, "no", ScalarFit{Rejected, Accepted}},
	{"Literal[True, False]", nil, true, "yes", ScalarFit{Accepted, Rejected}},
	{"Literal[0, 1]", nil, false, "off", ScalarFit{Accepted, Rejected}},
	{"list[bool]", idx0, true, "yes", ScalarFit{Accepted, Rejected}},
	{"List[str]", idx0, true, "yes", ScalarFit{Rejected, Accepted}},
	{"dict[str, bool]", keyA, false, "off", ScalarFit{Accepted, Rejected}},
	{"Dict[str, str]", keyA, false, "off", ScalarFit{Rejected, Accepted}},
	{"dict[str, list[int]]", []PathStep{{Key: "a"}, {IsIndex: true}}, int64(1000), "1_000", ScalarFit{Accepted, Rejected}},
	{"list[int] | dict[str, str]", idx0, int64(1000), "1_000", ScalarFit{Accepted, Rejected}},
	{"list[int] | dict[str, str]", keyA, int64(1000), "1_000", ScalarFit{Rejected, Accepted}},
	{"int", keyA, int64(1000), "1_000", ScalarFit{Rejected, Rejected}},
	{"tuple[int, str]", []PathStep{{IsIndex: true, Index: 1}}, false, "no", ScalarFit{Rejected, Accepted}},
	{"tuple[int, str]", []PathStep{{IsIndex: true, Index: 0}}, int64(1000), "1_000", ScalarFit{Accepted, Rejected}},
	{"tuple[int, str]", []PathStep{{IsIndex: true, Index: 2}}, int64(1000), "1_000", ScalarFit{Rejected, Rejected}},
	{"tuple[bool, ...]", []PathStep{{IsIndex: true, Index: 3}}, true, "on", ScalarFit{Accepted, Rejected}},
	// Open: the flow's own type or an unconstrained one decides.
	{"", nil, true, "yes", ScalarFit{Open, Open}},
	{"Any", nil, true, "yes", ScalarFit{Open, Open}},
	{"MyModel", nil, true, "yes", ScalarFit{Open, Open}},
	{"datetime.datetime", nil, true, "yes", ScalarFit{Open, Open}},
	{"dict[str, Any]", keyA, false, "off", ScalarFit{Open, Open}},
	{"list", idx0, true, "yes", ScalarFit{Open, Open}},
	{"Union[bool, MyModel]", nil, true, "yes", ScalarFit{Accepted, Open}},
	{"not valid [", nil, true, "yes", ScalarFit{Open, Open}},
}

func TestFitScalar(t *testing.T) {
	for _, c := range fitCases {
		if got := FitScalar(c.ann, c.path, c.value, c.text); got != c.want {
			t.Errorf("FitScalar(%q, %v, %#v, %q) = %+v, want %+v", c.ann, c.path, c.value, c.text, got, c.want)
		}
	}
}

func TestJudge(t *testing.T) {
	for _, c := range []struct {
		ann  string
		val  any
		want Verdict
	}{
		{"int", int64(1), Accepted},
		{"int", "x", Rejected},
		{"Any", "x", Open},
		{"MyModel", "x", Open},
		{"list[Any]", []any{"x"}, Open},
		{"list[int]", []any{int64(1), "x"}, Rejected},
		{"dict[str, MyModel]", map[string]any{"a": int64(1)}, Open},
		{"Union[int, MyModel]", int64(1), Accepted},
	} {
		if got, _ := Judge(c.ann, c.val); got != c.want {
			t.Errorf("Judge(%q, %#v) = %v, want %v", c.ann, c.val, got, c.want)
		}
	}
}

// place builds a value that holds leaf at path; only index 0 can be built
// (the oracle skips the tuple rows, whose other positions would be missing).
func place(path []PathStep, leaf any) (any, bool) {
	if len(path) == 0 {
		return leaf, true
	}
	inner, ok := place(path[1:], leaf)
	if !ok {
		return nil, false
	}
	if path[0].IsIndex {
		if path[0].Index != 0 {
			return nil, false
		}
		return []any{inner}, true
	}
	return map[string]any{path[0].Key: inner}, true
}

const fitScript = `
import sys, json, datetime, typing
from typing import *
from pydantic import TypeAdapter
ns = dict(globals())
for line in sys.stdin:
    case = json.loads(line)
    t = TypeAdapter(eval(case["ann"], ns))
    out = []
    try:
        t.validate_python(eval(case["val"]))
        out.append("1")
    except Exception as e:
        out.append("0" if type(e).__name__ == "ValidationError" else "E")
    try:
        got = t.validate_python(eval(case["text"]))
        for step in case["path"]:
            got = list(got)[step] if isinstance(step, int) else got[step]
        out.append("1" if type(got) is str and got == case["leaf"] else "0")
    except Exception as e:
        out.append("0" if type(e).__name__ == "ValidationError" else "E")
    print(" ".join(out))
    sys.stdout.flush()
`

func TestFitScalarAgainstPydantic(t *testing.T) {
	py := requirePython(t, "pydantic")
	var cases []fitCase
	var in strings.Builder
	for _, c := range fitCases {
		if c.want.Value == Open || c.want.Text == Open {
			continue
		}
		val, ok := place(c.path, c.value)
		if !ok || strings.HasPrefix(c.ann, "tuple[") {
			continue
		}
		text, _ := place(c.path, c.text)
		path := []any{}
		for _, s := range c.path {
			if s.IsIndex {
				path = append(path, s.Index)
			} else {
				path = append(path, s.Key)
			}
		}
		b, _ := json.Marshal(map[string]any{"ann": c.ann, "val": pyLiteral(val), "text": pyLiteral(text), "path": path, "leaf": c.text})
		in.Write(b)
		in.WriteByte('\n')
		cases = append(cases, c)
	}
	lines := runPydantic(t, py, fitScript, in.String(), len(cases))
	verdict := func(s string) Verdict {
		if s == "1" {
			return Accepted
		}
		return Rejected
	}
	for i, c := range cases {
		f := strings.Fields(lines[i])
		if len(f) != 2 || strings.Contains(lines[i], "E") {
			t.Errorf("oracle error for %q: %s", c.ann, lines[i])
			continue
		}
		if want := (ScalarFit{verdict(f[0]), verdict(f[1])}); want != c.want {
			t.Errorf("%q at %v, %#v / %q: pydantic says %+v, table says %+v", c.ann, c.path, c.value, c.text, want, c.want)
		}
	}
}
