package templating

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// pythonFinditer runs Prefect's expression through Python's re.finditer and
// returns, per input, the byte spans of each match and of its name group.
const pythonFinditer = `
import json, re, sys
rx = re.compile(r"({{\s*([\w\.\-\[\]$]+)\s*}})")
def b(s, i):
    return len(s[:i].encode("utf-8"))
out = []
for s in json.load(sys.stdin):
    out.append([[b(s, m.start(1)), b(s, m.end(1)), b(s, m.start(2)), b(s, m.end(2))] for m in rx.finditer(s)])
json.dump(out, sys.stdout)
`

func requirePython(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is required in CI for the differential test")
		}
		t.Skip("python3 not found")
	}
	return py
}

// pyAlphabet mixes the grammar's punctuation with ASCII and long-assigned
// Unicode letters, digits and spaces (stable across the Unicode versions of
// Go and Python), plus Python-only space characters U+001C..U+001F.
var pyAlphabet = []rune("{{}}{} \t\n$.-[]_aZ09|\"'()/:é漢٣\u00a0\u3000\u2028\x1c\x1f\u200b\u0301")

func randomStrings(n int, r *rand.Rand) []string {
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for range r.IntN(24) {
			b.WriteRune(pyAlphabet[r.IntN(len(pyAlphabet))])
		}
		out[i] = b.String()
	}
	return out
}

func TestFindMatchesPython(t *testing.T) {
	py := requirePython(t)
	inputs := []string{
		"", "{{ a }}", "{{{ a }}}", "{{ a }}}", "{{{{ a }}}}", "{{ a b }}", "{{a}}{{b}}", "{{ a }} {{ b }}",
		"{{ $A }}", "{{ prefect.blocks.secret.x-y }}", "{{ a | b }}", "{{ 'a' }}", "{{ f() }}", "{{foo}", "{foo}}",
		"{{\u3000é\u2028}}", "{{\x1cx\x1f}}", "{{\u200bx}}", "{{ ٣ }}", "{{ a\u0301 }}", "}}{{ x }}{{", "{{ {{ x }} }}",
		"image: {{ build-image.image }}:{{ tag }}", "{{ a[0].b-c$ }}", "{{\n  x\n}}",
	}
	r := rand.New(rand.NewPCG(1, 2))
	inputs = append(inputs, randomStrings(3000, r)...)
	in, err := json.Marshal(inputs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-c", pythonFinditer)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, stderr.String())
	}
	var want [][][4]int
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) != len(inputs) {
		t.Fatalf("python returned %d results for %d inputs", len(want), len(inputs))
	}
	for i, s := range inputs {
		if !utf8.ValidString(s) {
			t.Fatalf("generated invalid UTF-8 %q", s)
		}
		var w [][2]source.Span
		for _, m := range want[i] {
			w = append(w, [2]source.Span{{Start: m[0], End: m[1]}, {Start: m[2], End: m[3]}})
		}
		if got := findSpans(s); !reflect.DeepEqual(got, w) {
			t.Errorf("Find(%q) = %v, python re.finditer = %v", s, got, w)
		}
	}
}

// TestSpaceClassMatchesPython checks IsSpaceRune against every code point
// Python's `\s` matches, and a sample of IsNameRune against `\w`.
func TestCharClassesMatchPython(t *testing.T) {
	py := requirePython(t)
	out, err := exec.Command(py, "-c", `
import re, json, sys
sp = [c for c in range(0x110000) if re.match(r"\s", chr(c))]
w = [c for c in range(0x3000) if re.match(r"\w", chr(c))]
json.dump([sp, w], sys.stdout)`).Output()
	if err != nil {
		t.Fatal(err)
	}
	var sets [2][]rune
	if err := json.Unmarshal(out, &sets); err != nil {
		t.Fatal(err)
	}
	isSpace := map[rune]bool{}
	for _, r := range sets[0] {
		isSpace[r] = true
	}
	for r := rune(0); r < 0x110000; r++ {
		if IsSpaceRune(r) != isSpace[r] {
			t.Errorf("IsSpaceRune(%U) = %v, Python \\s says %v", r, IsSpaceRune(r), isSpace[r])
		}
	}
	// Below U+3000 Unicode assignments of letters and numbers have been
	// stable for decades, so Go's and Python's Unicode versions agree.
	isWord := map[rune]bool{}
	for _, r := range sets[1] {
		isWord[r] = true
	}
	for r := rune(0); r < 0x3000; r++ {
		want := isWord[r] || strings.ContainsRune(".-[]$", r)
		if IsNameRune(r) != want {
			t.Errorf("IsNameRune(%U) = %v, Python says %v", r, IsNameRune(r), want)
		}
	}
}
