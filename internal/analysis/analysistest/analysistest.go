// Package analysistest holds what the rule tests of prefect.yaml and of
// Python deployment code share: the "# want" expectations written as
// comments in golden files.
package analysistest

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// wantRE matches expectations written as comments (YAML and Python alike):
//
//	key: value  # want "regexp"
//	# want+1 "regexp"     (for the next line, e.g. inside a block scalar)
var wantRE = regexp.MustCompile(`#\s*want(\+\d+)?((?:\s+"(?:[^"\\]|\\.)*")+)`)
var quotedRE = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// Expectation is one expected diagnostic: its zero-based line and a
// regular expression its message must match.
type Expectation struct {
	Line int
	Re   *regexp.Regexp
	Raw  string
}

// ParseWants reads the expectations of a golden file's text.
func ParseWants(t testing.TB, text string) []Expectation {
	t.Helper()
	var out []Expectation
	for i, line := range strings.Split(text, "\n") {
		for _, m := range wantRE.FindAllStringSubmatch(line, -1) {
			target := i
			if m[1] != "" {
				n, _ := strconv.Atoi(m[1][1:])
				target += n
			}
			for _, q := range quotedRE.FindAllString(m[2], -1) {
				s, err := strconv.Unquote(q)
				if err != nil {
					t.Fatalf("line %d: bad want %s: %v", i+1, q, err)
				}
				re, err := regexp.Compile(s)
				if err != nil {
					t.Fatalf("line %d: bad want %s: %v", i+1, q, err)
				}
				out = append(out, Expectation{Line: target, Re: re, Raw: s})
			}
		}
	}
	return out
}
