package yamlsyntax

import (
	"fmt"
	"maps"
	"math/rand"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/benchgen"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// walkOrder lists d's nodes in the order of a walk of the content from
// the root, with each node's index in it.
func walkOrder(d *Document) ([]*Node, map[*Node]int) {
	var order []*Node
	ids := map[*Node]int{}
	var walk func(n *Node)
	walk = func(n *Node) {
		if n == nil {
			return
		}
		if _, ok := ids[n]; ok {
			return
		}
		ids[n] = len(order)
		order = append(order, n)
		for _, c := range n.Content() {
			walk(c)
		}
	}
	walk(d.Root)
	return order, ids
}

// dumpDoc writes out everything a Document holds, nodes named by the
// order of a walk, so that two documents compare as text.
func dumpDoc(d *Document) string {
	var b strings.Builder
	order, ids := walkOrder(d)
	id := func(n *Node) string {
		if n == nil {
			return "-"
		}
		if i, ok := ids[n]; ok {
			return fmt.Sprint(i)
		}
		return "?"
	}
	for i, n := range order {
		fmt.Fprintf(&b, "%d: %v %v flat=%v line=%d tag=%q text=%q span=%v", i, n.Kind, n.Style, n.flattened, n.Line, n.Tag(), n.Text, n.Span)
		if n.props != nil {
			fmt.Fprintf(&b, " anchor=%q@%v tag@%v target=%s other-tag=%q", n.props.anchor, n.props.anchorSpan, n.props.tagSpan, id(n.props.target), n.props.tag)
		}
		b.WriteString(" content=[")
		for _, c := range n.Content() {
			b.WriteString(id(c) + " ")
		}
		b.WriteString("]")
		switch v := n.derived.(type) {
		case *collection:
			b.WriteString(" pairs=[")
			for _, p := range v.pairs {
				fmt.Fprintf(&b, "%s:%s/%s ", id(p.Key), id(p.Value), id(p.Via))
			}
			b.WriteString("]")
		case nil:
		default:
			fmt.Fprintf(&b, " value=%T(%v)", v, v)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "loadable=%v\n", d.Loadable)
	for _, p := range d.Problems {
		fmt.Fprintf(&b, "problem %v %v %q %v\n", p.Kind, p.Span, p.Message, p.Related)
	}
	for _, a := range d.Aliases {
		fmt.Fprintf(&b, "alias %s\n", id(a))
	}
	for _, name := range slices.Sorted(maps.Keys(d.Anchors)) {
		for _, n := range d.Anchors[name] {
			fmt.Fprintf(&b, "anchor %q %s\n", name, id(n))
		}
	}
	return b.String()
}

// parseWith parses text loading it in n parts (1: whole).
func parseWith(text string, n int) *Document {
	saved := partsFor
	defer func() { partsFor = saved }()
	partsFor = func(int) int { return n }
	return Parse("prefect.yaml", text)
}

// checkParts compares the document a text gives loaded in parts with the
// one it gives loaded whole, and reports whether the parts were used.
func checkParts(t *testing.T, name, text string, n int) bool {
	t.Helper()
	whole := dumpDoc(parseWith(text, 1))
	if got := dumpDoc(parseWith(text, n)); got != whole {
		gl, wl := strings.Split(got, "\n"), strings.Split(whole, "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s in %d parts: first difference at line %d:\nparts: %s\nwhole: %s\ntext:\n%s", name, n, i, gl[i], wl[i], text)
			}
		}
		t.Fatalf("%s in %d parts: %d dump lines, whole %d", name, n, len(gl), len(wl))
	}
	d := &Document{File: source.NewFile("prefect.yaml", text), Anchors: map[string][]*Node{}, Loadable: true}
	_, _, ok := d.loadInParts(text, n)
	return ok
}

// partsTexts are files with deployments lists of every shape the line
// scan must judge: generated projects and variants that break the split.
func partsTexts() map[string]string {
	real := benchgen.Generate(benchgen.Realistic, 12).YAML
	small := benchgen.Generate(benchgen.Small, 12).YAML
	texts := map[string]string{
		"realistic":             real,
		"realistic, many parts": benchgen.Generate(benchgen.Realistic, 80).YAML,
		"small":                 small,
		"bench":                 benchText(12),
		"indentless": "name: x\ndeployments:\n- name: a\n  entrypoint: a.py:f\n# note\n- name: b\n  tags: [x]\n-\n- name: c\n" +
			"  description: |\n    text\n- name: d\npull: []\n",
		"keys after":    strings.Replace(real, "\ndeployments:\n", "\ndeployments:\n  # first\n\n", 1) + "extra:\n  a: 1\nother: *nightly\n",
		"comment col 0": strings.ReplaceAll(small, "\n  - name:", "\n# item\n  - name:"),
	}
	at := func(s string, k int) int { // offset of the k-th item of s
		i := -1
		for range k + 1 {
			i += 1 + strings.Index(s[i+1:], "\n  - name:")
		}
		return i + 1
	}
	ins := func(s string, k int, what string) string { o := at(s, k); return s[:o] + what + s[o:] }
	texts["anchor early, used late"] = ins(ins(real, 9, "  - *dep2\n"), 2, "  - &dep2\n    name: anchored\n") + "later: *dep2\n"
	texts["redefined late, used in the rest"] = ins(real, 11, "  - name: z\n    schedules: [&nightly {interval: 7}]\n") + "rest: *nightly\n"
	texts["quote open into the rest"] = ins(real, 3, "  - name: \"a\n") + "k: v\"\n"
	texts["flow open into the next part"] = ins(real, 6, "  - tags: [a,\n") + "k: v]\n"
	texts["alias of a late anchor in the rest"] = ins(real, 10, "  - &late {name: late}\n") + "rest: *late\n"
	texts["redefined anchor"] = ins(ins(real, 9, "  - name: x\n    schedules: [&nightly {interval: 5}]\n"), 11, "  - name: y\n    schedules: [*nightly]\n")
	texts["problems in several parts"] = ins(ins(real, 9, "  - name: c\n    name: d\n    tags: !custom [x]\n"), 2, "  - name: a\n    name: b\n")
	texts["syntax error late"] = ins(real, 9, "  - name: [broken\n")
	texts["syntax error early"] = ins(real, 1, "  - name: \"open\n")
	texts["second document"] = real + "---\nname: two\n"
	texts["quoted over lines"] = ins(real, 6, "  - name: \"one\n  - two\"\n")
	texts["flow over lines"] = ins(real, 6, "  - tags: [a,\n  - b]\n")
	texts["plain over lines"] = ins(real, 6, "  - description: one\n  two\n")
	texts["unknown alias"] = ins(real, 7, "  - name: *nowhere\n")
	texts["duplicate list"] = real + "deployments:\n  - name: again\n"
	texts["tab"] = ins(real, 5, "  - name: t\n\t\n")
	texts["crlf"] = strings.ReplaceAll(real, "\n", "\r\n")
	texts["bom"] = "\ufeff" + real
	texts["tagged list"] = strings.Replace(real, "\ndeployments:\n", "\ndeployments: !!seq\n", 1)
	texts["anchored list"] = strings.Replace(real, "\ndeployments:\n", "\ndeployments: &all\n", 1) + "copy: *all\n"
	texts["less indented item"] = ins(real, 6, " - name: odd\n")
	texts["block scalar"] = ins(real, 6, "  - name: s\n    description: |\n      a\n\n      - b\n")
	return texts
}

func TestLoadInPartsEqualsWhole(t *testing.T) {
	used := map[string]bool{}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 4} {
		// The parts are loaded by one worker per core, in any order.
		runtime.GOMAXPROCS(procs)
		for name, text := range partsTexts() {
			for _, n := range []int{2, 3, 5, 40} {
				if checkParts(t, fmt.Sprintf("%s (%d cores)", name, procs), text, n) {
					used[name] = true
				}
			}
		}
	}
	// The split must be used where it can be, or this test tests nothing.
	for _, name := range []string{"realistic", "realistic, many parts", "small", "bench", "indentless", "keys after", "comment col 0", "redefined anchor", "redefined late, used in the rest", "problems in several parts", "bom"} {
		if !used[name] {
			t.Errorf("%s: never loaded in parts", name)
		}
	}
	for _, name := range []string{"syntax error late", "second document", "crlf", "tab", "tagged list", "anchored list", "anchor early, used late"} {
		if used[name] {
			t.Errorf("%s: loaded in parts", name)
		}
	}
}

// TestLoadInPartsRandomEdits compares parts and whole on thousands of
// random edits of a realistic file: list items, anchors, aliases, quotes,
// flow brackets and indentation changes anywhere in the text.
func TestLoadInPartsRandomEdits(t *testing.T) {
	base := benchgen.Generate(benchgen.Realistic, 10).YAML
	pieces := []string{"\n  - ", "\n- ", "\n", "-", ":", " ", "&a ", "*a", "*nightly", "\"", "'", "[", "]", "{", "}", "#", "|\n", "\t", "<<: *k8s_pool\n", "\ndeployments:\n", "\n---\n", "  "}
	rng := rand.New(rand.NewSource(1))
	edits := 3000
	if testing.Short() {
		edits = 300
	}
	usedParts := 0
	text := base
	for i := range edits {
		o := rng.Intn(len(text) + 1)
		end := min(len(text), o+rng.Intn(4))
		text = text[:o] + pieces[rng.Intn(len(pieces))] + text[end:]
		if checkParts(t, fmt.Sprintf("edit %d", i), text, 2+rng.Intn(3)) {
			usedParts++
		}
		if i%4 == 3 {
			text = base // keep the text close to a real file
		}
	}
	if usedParts < edits/10 {
		t.Errorf("only %d of %d edited texts were loaded in parts", usedParts, edits)
	}
}

func TestLoadInPartsCorpus(t *testing.T) {
	for _, f := range differentialInputs(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		if strings.Contains(f, "FuzzParse") {
			var ok bool
			if text, ok = decodeFuzzSeed(text); !ok {
				continue
			}
		}
		for _, n := range []int{2, 3} {
			checkParts(t, f, text, n)
		}
	}
}

// FuzzLoadInParts: a text loaded in parts gives the document it gives
// loaded whole.
func FuzzLoadInParts(f *testing.F) {
	for _, text := range partsTexts() {
		f.Add(text, uint8(2))
	}
	f.Fuzz(func(t *testing.T, text string, n uint8) {
		checkParts(t, "fuzz", text, 2+int(n%4))
	})
}
