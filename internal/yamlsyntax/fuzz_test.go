package yamlsyntax

import "testing"

// FuzzParse: parsing never panics, every span lies inside the text, and the
// value builder terminates. Seeds: testdata/fuzz/FuzzParse (also fed to the
// PyYAML differential test).
func FuzzParse(f *testing.F) {
	f.Add("a: 1\n")
	f.Fuzz(func(t *testing.T, s string) {
		doc := Parse("fuzz.yaml", s)
		check := func(what string, a, b int) {
			if a < 0 || b > len(s) || b < a {
				t.Fatalf("%s span %d-%d outside text of %d bytes", what, a, b, len(s))
			}
		}
		for _, p := range doc.Problems {
			check("problem", p.Span.Start, p.Span.End)
		}
		seen := map[*Node]bool{}
		var walk func(n *Node)
		walk = func(n *Node) {
			if n == nil || seen[n] {
				return
			}
			seen[n] = true
			check(n.Kind.String(), n.Span.Start, n.Span.End)
			for _, c := range n.Content() {
				walk(c)
			}
			for _, p := range n.Pairs() {
				walk(p.Key)
				walk(p.Value)
			}
		}
		walk(doc.Root)
		if doc.Root != nil && doc.Loadable {
			_, _ = Value(doc.Root)
		}
	})
}
