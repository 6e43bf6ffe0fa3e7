package pyflow

import (
	"encoding/json"
	"fmt"
	"math"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
)

type valueCase struct {
	ann  string
	val  any
	want bool // derived from pydantic 2 TypeAdapter(ann).validate_python(val)
}

// policyCases state the scanner's choice where pydantic cannot answer
// without the user's code (custom or unparsable types): accept.
var policyCases = []valueCase{
	{"datetime.datetime", "not a date", true},
	{"MyModel", int64(1), true},
	{"not valid [", int64(1), true},
	{"", "x", true},
}

// valueCases were derived by running pydantic (see TestCheckValueAgainstPydantic,
// which re-checks every row when python3 and pydantic are available).
var valueCases = []valueCase{
	{"int", int64(5), true},
	{"int", "5", true},
	{"int", " 7\n", true},
	{"int", "+5", true},
	{"int", "-5", true},
	{"int", "5.0", true},
	{"int", "5.00", true},
	{"int", "5.", false},
	{"int", "5.5", false},
	{"int", "1_000", true},
	{"int", "1__0", false},
	{"int", "_1", false},
	{"int", "1e3", false},
	{"int", "0x10", false},
	{"int", "abc", false},
	{"int", "", false},
	{"int", 5.0, true},
	{"int", 5.5, false},
	{"int", 1.5e19, false},
	{"int", true, true},
	{"int", nil, false},
	{"int", []any{int64(1)}, false},
	{"float", int64(5), true},
	{"float", 5.5, true},
	{"float", "5.5", true},
	{"float", "1e3", true},
	{"float", " 1.5 ", true},
	{"float", ".5", true},
	{"float", "5.", true},
	{"float", "inf", true},
	{"float", "-Infinity", true},
	{"float", "nan", true},
	{"float", "1_0.5", true},
	{"float", "0x1", false},
	{"float", "1e", false},
	{"float", "abc", false},
	{"float", true, true},
	{"float", nil, false},
	{"str", "x", true},
	{"str", "", true},
	{"str", int64(5), false},
	{"str", 5.5, false},
	{"str", true, false},
	{"str", nil, false},
	{"bool", true, true},
	{"bool", "true", true},
	{"bool", "TRUE", true},
	{"bool", "yes", true},
	{"bool", "on", true},
	{"bool", "off", true},
	{"bool", "f", true},
	{"bool", "0", true},
	{"bool", "  true ", false},
	{"bool", "2", false},
	{"bool", int64(1), true},
	{"bool", int64(2), false},
	{"bool", 1.0, true},
	{"bool", 0.5, false},
	{"bool", nil, false},
	{"None", nil, true},
	{"None", int64(0), false},
	{"list", []any{int64(1), "a"}, true},
	{"list", "ab", false},
	{"list", map[string]any{"a": int64(1)}, false},
	{"List[int]", []any{int64(1), "2"}, true},
	{"List[int]", []any{int64(1), "x"}, false},
	{"typing.List[str]", []any{"a"}, true},
	{"list[str]", []any{int64(1)}, false},
	{"List[str]", "abc", false},
	{"List[Optional[int]]", []any{nil, int64(1)}, true},
	{"tuple", []any{int64(1)}, true},
	{"Tuple[int, str]", []any{int64(1), "a"}, true},
	{"Tuple[int, str]", []any{"1", "a"}, true},
	{"Tuple[int, str]", []any{int64(1), "a", "b"}, false},
	{"Tuple[int, str]", []any{int64(1), int64(2)}, false},
	{"Tuple[int, ...]", []any{int64(1), int64(2), int64(3)}, true},
	{"tuple[()]", []any{}, true},
	{"tuple[()]", []any{int64(1)}, false},
	{"set", []any{int64(1), int64(1)}, true},
	{"Set[int]", []any{"1"}, true},
	{"FrozenSet[str]", []any{"a"}, true},
	{"Sequence[int]", []any{int64(1)}, true},
	{"Sequence[str]", "abc", false},
	{"dict", map[string]any{"a": int64(1)}, true},
	{"dict", []any{}, false},
	{"Dict[str, int]", map[string]any{"a": "1"}, true},
	{"Dict[str, int]", map[string]any{"a": "x"}, false},
	{"Dict[int, str]", map[string]any{"1": "a"}, true},
	{"Dict[int, str]", map[string]any{"x": "a"}, false},
	{"dict[str, Any]", map[string]any{"a": []any{int64(1)}}, true},
	{"Mapping[str, int]", map[string]any{"a": int64(1)}, true},
	{"Optional[int]", nil, true},
	{"Optional[int]", "3", true},
	{"Optional[int]", "x", false},
	{"int | None", nil, true},
	{"int | None", int64(3), true},
	{"int | None", "x", false},
	{"Union[int, str]", "x", true},
	{"Union[int, str]", 3.5, false},
	{"Union[int, str]", nil, false},
	{"Literal['a', 'b']", "a", true},
	{"Literal['a', 'b']", "A", false},
	{"Literal[1]", 1.0, true},
	{"Literal[1]", "1", false},
	{"Literal[1]", true, true},
	{"Literal[True]", int64(1), true},
	{"Literal[-1]", int64(-1), true},
	{"Literal[None]", nil, true},
	{"Literal[1.5]", 1.5, true},
	{"Annotated[int, 'x']", "5", true},
	{"Annotated[int, 'x']", "a", false},
	{"'int'", "x", false},
	{`"Optional[List[int]]"`, []any{int64(1)}, true},
	{"Any", "anything", true},
	{"object", nil, true},
	{"datetime.datetime", "2024-01-01T00:00:00", true},
}

func TestCheckValue(t *testing.T) {
	for _, c := range append(valueCases[:len(valueCases):len(valueCases)], policyCases...) {
		ok, why := CheckValue(c.ann, c.val)
		if ok != c.want {
			t.Errorf("CheckValue(%q, %#v) = %v (%s), want %v", c.ann, c.val, ok, why, c.want)
		}
		if !ok && why == "" {
			t.Errorf("CheckValue(%q, %#v) gave no reason", c.ann, c.val)
		}
	}
}

func TestCheckValueMessage(t *testing.T) {
	_, why := CheckValue("Dict[str, List[int]]", map[string]any{"a": []any{int64(1), "x"}})
	if !strings.Contains(why, `value of "a"`) || !strings.Contains(why, "item 1") || !strings.Contains(why, `string "x"`) {
		t.Errorf("unhelpful message: %s", why)
	}
}

// pyLiteral renders a YAML-decoded value as a Python literal.
func pyLiteral(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		switch {
		case math.IsInf(x, 1):
			return "float('inf')"
		case math.IsInf(x, -1):
			return "float('-inf')"
		case math.IsNaN(x):
			return "float('nan')"
		}
		return "float(" + strconv.Quote(strconv.FormatFloat(x, 'g', -1, 64)) + ")"
	case string:
		b, _ := json.Marshal(x)
		return string(b)
	case []any:
		var parts []string
		for _, it := range x {
			parts = append(parts, pyLiteral(it))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, pyLiteral(k)+": "+pyLiteral(x[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	panic(fmt.Sprintf("unsupported %T", v))
}

const pydanticScript = `
import sys, json, datetime, typing
from typing import *
from pydantic import TypeAdapter
class MyModel: pass
ns = dict(globals())
for line in sys.stdin:
    case = json.loads(line)
    try:
        t = eval(case["ann"], ns)
        if isinstance(t, str):
            t = eval(t, ns)
        TypeAdapter(t).validate_python(eval(case["val"]))
        print("1")
    except Exception as e:
        if type(e).__name__ != "ValidationError":
            print("E " + type(e).__name__ + ": " + str(e).replace("\n", " "))
        else:
            print("0")
    sys.stdout.flush()
`

// TestCheckValueAgainstPydantic runs every row through pydantic's
// TypeAdapter and compares with CheckValue and the table.
func TestCheckValueAgainstPydantic(t *testing.T) {
	py := requirePython(t, "pydantic")
	var in strings.Builder
	cases := valueCases
	for _, c := range cases {
		b, _ := json.Marshal(map[string]string{"ann": c.ann, "val": pyLiteral(c.val)})
		in.Write(b)
		in.WriteByte('\n')
	}
	lines := runPydantic(t, py, pydanticScript, in.String(), len(cases))
	for i, c := range cases {
		if strings.HasPrefix(lines[i], "E ") {
			t.Errorf("oracle error for %q %s: %s", c.ann, pyLiteral(c.val), lines[i])
			continue
		}
		pyOK := lines[i] == "1"
		if pyOK != c.want {
			t.Errorf("table row %q %s says %v but pydantic says %v", c.ann, pyLiteral(c.val), c.want, pyOK)
		}
		if got, _ := CheckValue(c.ann, c.val); got != pyOK {
			t.Errorf("CheckValue(%q, %s) = %v, pydantic says %v", c.ann, pyLiteral(c.val), got, pyOK)
		}
	}
}

// runPydantic runs a Python oracle script on input (one JSON case a line) and
// returns its answers, one a case.
func runPydantic(t *testing.T, py, script, input string, n int) []string {
	t.Helper()
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = strings.NewReader(input)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pydantic oracle: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != n {
		t.Fatalf("oracle gave %d answers for %d cases:\n%s", len(lines), n, out)
	}
	return lines
}
