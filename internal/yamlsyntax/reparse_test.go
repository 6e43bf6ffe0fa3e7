package yamlsyntax

import (
	"fmt"
	"math/rand"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/benchgen"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

var reparseChecks int

// diffDocs compares two documents as dumpDoc would, without the text:
// it says where the first difference is, "" when there is none.
func diffDocs(a, b *Document) string {
	an, aid := walkOrder(a)
	bn, bid := walkOrder(b)
	if len(an) != len(bn) {
		return fmt.Sprintf("%d nodes, want %d", len(an), len(bn))
	}
	id := func(ids map[*Node]int, n *Node) int {
		if n == nil {
			return -1
		}
		if i, ok := ids[n]; ok {
			return i
		}
		return -2
	}
	same := func(x, y []*Node) bool {
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if id(aid, x[i]) != id(bid, y[i]) {
				return false
			}
		}
		return true
	}
	for i, x := range an {
		y := bn[i]
		if x.Kind != y.Kind || x.Style != y.Style || x.flattened != y.flattened || x.Line != y.Line || x.Tag() != y.Tag() || x.Text != y.Text || x.Span != y.Span {
			return fmt.Sprintf("node %d: %v %v flat=%v line=%d tag=%q text=%q span=%v, want %v %v flat=%v line=%d tag=%q text=%q span=%v", i, x.Kind, x.Style, x.flattened, x.Line, x.Tag(), x.Text, x.Span, y.Kind, y.Style, y.flattened, y.Line, y.Tag(), y.Text, y.Span)
		}
		if x.Anchor() != y.Anchor() || x.AnchorSpan() != y.AnchorSpan() || x.TagSpan() != y.TagSpan() || id(aid, x.Target()) != id(bid, y.Target()) {
			return fmt.Sprintf("node %d (%v): properties differ", i, x.Span)
		}
		if !same(x.Content(), y.Content()) {
			return fmt.Sprintf("node %d (%v): content differs", i, x.Span)
		}
		xp, yp := x.effectivePairs(), y.effectivePairs()
		if len(xp) != len(yp) {
			return fmt.Sprintf("node %d (%v): %d pairs, want %d", i, x.Span, len(xp), len(yp))
		}
		for j := range xp {
			if !same([]*Node{xp[j].Key, xp[j].Value, xp[j].Via}, []*Node{yp[j].Key, yp[j].Value, yp[j].Via}) {
				return fmt.Sprintf("node %d (%v): pair %d differs", i, x.Span, j)
			}
		}
		if _, coll := x.derived.(*collection); !coll && !reflect.DeepEqual(x.derived, y.derived) {
			return fmt.Sprintf("node %d (%v): value %v, want %v", i, x.Span, x.derived, y.derived)
		}
	}
	if a.Loadable != b.Loadable || !reflect.DeepEqual(a.Problems, b.Problems) {
		return fmt.Sprintf("loadable %v, problems %v; want %v, %v", a.Loadable, a.Problems, b.Loadable, b.Problems)
	}
	if !same(a.Aliases, b.Aliases) {
		return "aliases differ"
	}
	if len(a.Anchors) != len(b.Anchors) {
		return "anchors differ"
	}
	for name, defs := range a.Anchors {
		if !same(defs, b.Anchors[name]) {
			return fmt.Sprintf("anchor %q differs", name)
		}
	}
	return ""
}

// checkReparse compares what Reparse builds from prev for text with what
// ParseFile gives, checks that prev is left as it was, and returns the
// document to continue from (Reparse's when it built one).
func checkReparse(t *testing.T, name string, prev *Document, text string) (*Document, bool) {
	t.Helper()
	// The slower checks on every fourth call keep the tests quick.
	reparseChecks++
	thorough := reparseChecks%4 == 0
	var before string
	if thorough {
		before = dumpDoc(prev)
	}
	file := source.NewFile("prefect.yaml", text)
	got, ok := Reparse(prev, file)
	want := ParseFile(source.NewFile("prefect.yaml", text))
	if thorough && dumpDoc(prev) != before {
		t.Fatalf("%s: Reparse changed the earlier document", name)
	}
	if !ok {
		return want, false
	}
	if got.File != file {
		t.Fatalf("%s: the document is not of the new file", name)
	}
	if thorough {
		checkNestMarks(t, name, got)
		if n := expandedSize(got.Root, map[*Node]int{}); got.expanded != 0 && got.expanded != n {
			t.Fatalf("%s: expanded size %d, want %d", name, got.expanded, n)
		}
	}
	if diff := diffDocs(got, want); diff != "" {
		t.Fatalf("%s: %s\nold text:\n%s\nnew text:\n%s", name, diff, prev.File.Text(), text)
	}
	return got, true
}

// checkNestMarks checks that every mark of d's nesting scan is the state
// a scan of the whole text is in at that offset.
func checkNestMarks(t *testing.T, name string, d *Document) {
	t.Helper()
	saved := nestMarkEvery
	nestMarkEvery = 1 // a mark at every step
	all, _ := checkNesting(d.File.Text())
	nestMarkEvery = saved
	at := map[int]nestMark{}
	for _, m := range all {
		at[m.off] = m
	}
	last := -1
	for _, m := range d.nest {
		if at[m.off] != m || m.off <= last {
			t.Fatalf("%s: nesting mark %+v, the scan has %+v there", name, m, at[m.off])
		}
		last = m.off
	}
}

// denseNestMarks makes the nesting scan leave marks close together, so
// that Reparse resumes it in small texts too.
func denseNestMarks(t *testing.T) {
	saved := nestMarkEvery
	nestMarkEvery = 97
	t.Cleanup(func() { nestMarkEvery = saved })
}

// itemOffsets returns the offsets of the lines of text that start an item
// of its top-level deployments list (two spaces, a dash, "name:").
func itemOffsets(text string) []int {
	var out []int
	i := strings.Index(text, "\ndeployments:\n")
	for i >= 0 {
		j := strings.Index(text[i:], "\n  - name:")
		if j < 0 {
			return out
		}
		out = append(out, i+j+1)
		i += j + 1
	}
	return out
}

// TestReparseTyping types keys, values and whole lines into items of
// realistic files, a character at a time, and deletes them again: every
// version must be built by Reparse (these edits are what it is for) and
// equal the whole parse.
func TestReparseTyping(t *testing.T) {
	denseNestMarks(t)
	texts := map[string]string{
		"realistic": benchgen.Generate(benchgen.Realistic, 12).YAML,
		"small":     benchgen.Generate(benchgen.Small, 12).YAML,
		"keys after": strings.Replace(benchgen.Generate(benchgen.Realistic, 12).YAML, "\ndeployments:\n", "\ndeployments:\n  # first\n\n", 1) +
			"extra:\n  a: 1\nother: *nightly\n",
	}
	// Keys the generated items do not have (a duplicate key is a
	// problem, which the whole parse reports).
	typed := []string{
		"    paused: false\n",
		"    labels: [etl, \"nightly\"]\n",
		"    build:\n      - prefect.deployments.steps.run_shell_script:\n          script: echo 'a'\n",
		"    job_overrides:\n      <<: *k8s_pool\n      when: 2024-01-01\n",
		"    extra_schedules:\n      - *nightly\n",
	}
	if testing.Short() || raceEnabled {
		delete(texts, "small")
		delete(texts, "keys after")
		typed = typed[2:4]
	}
	for name, text := range texts {
		items := itemOffsets(text)
		rng := rand.New(rand.NewSource(int64(len(text))))
		base := ParseFile(source.NewFile("prefect.yaml", text))
		if base.Root == nil || len(base.Problems) > 0 {
			t.Fatalf("%s: %v", name, base.Problems)
		}
		built, versions := 0, 0
		step := func(what, next string) {
			doc, ok := checkReparse(t, name+": "+what, base, next)
			versions++
			if ok {
				built++
			}
			// As the server does: the next version starts from the last
			// one that parsed cleanly.
			if len(doc.Problems) == 0 {
				base = doc
			}
		}
		for _, what := range typed {
			// Type as in an editor, at the end of the first line of a
			// random item: a line break, then the new line.
			what = "\n" + strings.TrimSuffix(what, "\n")
			k := rng.Intn(len(items) - 1)
			at := items[k] + strings.IndexByte(text[items[k]:], '\n')
			cur := text
			for i := 1; i <= len(what); i++ {
				next := cur[:at] + what[:i] + cur[at+i-1:]
				step(fmt.Sprintf("typing %q (%d)", what, i), next)
				cur = next
			}
			// Delete it again, a character at a time from the end.
			for i := len(what) - 1; i >= 0; i-- {
				next := cur[:at+i] + cur[at+i+1:]
				step(fmt.Sprintf("deleting %q (%d)", what, i), next)
				cur = next
			}
			if cur != text {
				t.Fatal("the text did not come back")
			}
		}
		// A version that does not parse cleanly (a key being typed, a
		// flow sequence not closed yet) is read whole; the others must
		// be built.
		if built < versions/2 {
			t.Errorf("%s: Reparse built %d of %d versions", name, built, versions)
		}
		t.Logf("%s: Reparse built %d of %d versions", name, built, versions)
	}
}

// TestReparseLastItem edits the last item and the text after the list,
// which Reparse reads again with it.
func TestReparseLastItem(t *testing.T) {
	denseNestMarks(t)
	text := benchgen.Generate(benchgen.Realistic, 8).YAML + "steps_after:\n  - prefect.deployments.steps.set_working_directory:\n      directory: /opt\nextra: &e\n  a: 1\nagain: *e\n"
	doc := ParseFile(source.NewFile("prefect.yaml", text))
	items := itemOffsets(text)
	lastLine := items[len(items)-1] + strings.IndexByte(text[items[len(items)-1]:], '\n') + 1
	for i, edit := range []struct {
		at   int
		with string
	}{
		{lastLine, "    labels: [a]\n"},
		{strings.Index(text, "/opt") + 4, "/flows"},
		{strings.Index(text, "again:"), "more: *e\n"},
		{strings.Index(text, "again:"), "other: &o {b: 2}\nuse: *o\n"},
		{len(text), "tail: *nightly\n"},
		{0, ""}, // the same text
	} {
		next := text[:edit.at] + edit.with + text[edit.at:]
		if _, ok := checkReparse(t, fmt.Sprintf("edit %d", i), doc, next); !ok {
			t.Errorf("edit %d (%q): not built by Reparse", i, edit.with)
		}
	}
}

// TestReparseRefuses lists edits Reparse must leave to the whole parse,
// each with the reason it gives.
func TestReparseRefuses(t *testing.T) {
	text := benchgen.Generate(benchgen.Realistic, 8).YAML
	items := itemOffsets(text)
	second := func(k int) int { return items[k] + strings.IndexByte(text[items[k]:], '\n') + 1 }
	ins := func(s string, at int, what string) string { return s[:at] + what + s[at:] }
	anchored := ins(ins(text, second(5), "    extra: *t\n"), second(2), "    labels: &t [a]\n")
	withAnchor := ins(text, second(1), "    labels: &t [a]\n")
	for _, c := range []struct {
		name, prev, next, why string
	}{
		{"an edit before the list", text, strings.Replace(text, "name: ", "name: x", 1), "before the first item"},
		{"a new item", text, ins(text, items[3], "  - name: new\n"), "items changed"},
		{"an item removed", text, text[:items[3]] + text[items[4]:], "items changed"},
		{"a dash removed", text, text[:items[3]+2] + text[items[3]+3:], "items changed"},
		{"an edit over two items", text, text[:second(2)] + "    x: 1\n  - name: new\n" + text[second(3):], "across items"},
		{"an edit of an item whose anchor is used later", anchored, ins(anchored, second(2), "    y: 2\n"), "anchor in the edited item"},
		{"an anchor typed in an item", text, ins(text, second(2), "    labels: &t [a]\n"), "anchor in the edited item"},
		{"an alias of an earlier item's anchor", withAnchor, ins(withAnchor, second(4)+len("    labels: &t [a]\n"), "    extra: *t\n"), "does not load alone"},
		{"an open quote", text, ins(text, second(2), "    description2: \"open\n"), "does not load alone"},
		{"a duplicate key", text, ins(text, second(2), "    name: again\n"), "item has problems"},
		{"an unknown alias", text, ins(text, second(2), "    extra: *nowhere\n"), "does not load alone"},
		{"a tab", text, ins(text, second(2), "    extra:\t[a]\n"), "a tab"},
		{"a second document", text, text + "---\na: 1\n", "does not load alone"},
		{"an earlier version with problems", ins(text, second(2), "    name: again\n"), text, "earlier version has problems"},
	} {
		prev := ParseFile(source.NewFile("prefect.yaml", c.prev))
		if _, why := reparse(prev, source.NewFile("prefect.yaml", c.next)); !strings.Contains(why, c.why) {
			t.Errorf("%s: Reparse says %q, want %q", c.name, why, c.why)
		}
	}
}

// TestReparseTextRefs: the nodes Reparse keeps refer to the texts of the
// versions that built them; edits that move down the list, item by item,
// would keep more and more of them, so it stops at maxTextRefs and the
// whole parse starts afresh.
func TestReparseTextRefs(t *testing.T) {
	denseNestMarks(t)
	text := benchgen.Generate(benchgen.Realistic, 12).YAML
	doc := ParseFile(source.NewFile("prefect.yaml", text))
	refused := false
	for k := 1; k <= 10; k++ {
		items := itemOffsets(text)
		at := items[k] + strings.IndexByte(text[items[k]:], '\n') + 1
		text = text[:at] + "    labels: [x]\n" + text[at:]
		next, ok := checkReparse(t, fmt.Sprintf("item %d", k), doc, text)
		if !ok {
			refused = true
			if len(next.textRefs) != 0 {
				t.Fatal("a whole parse has text references")
			}
		} else if len(next.textRefs) > maxTextRefs {
			t.Fatalf("%d text references", len(next.textRefs))
		}
		doc = next
	}
	if !refused {
		t.Error("never refused")
	}
	// Typing in one item, or moving up the list, keeps no more texts.
	for k := 9; k >= 2; k-- {
		items := itemOffsets(text)
		at := items[k] + strings.IndexByte(text[items[k]:], '\n') + 1
		for i := range 3 {
			text = text[:at] + "    x" + fmt.Sprint(i) + ": 1\n" + text[at:]
			var ok bool
			if doc, ok = checkReparse(t, "typing", doc, text); !ok {
				t.Fatalf("item %d, typing %d: refused", k, i)
			}
		}
	}
}

// TestReparseRandomEdits replays random edits (structure, anchors,
// aliases, quotes, brackets, indentation, tabs) on the parts test's files
// and the corpus, each version reparsed from the last.
func TestReparseRandomEdits(t *testing.T) {
	denseNestMarks(t)
	texts := partsTexts()
	for _, f := range differentialInputs(t) {
		if strings.Contains(f, "corpus/real") {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			texts[f] = string(data)
		}
	}
	pieces := []string{"\n  - ", "\n- ", "\n", "-", ":", " ", "&a ", "*a", "*nightly", "\"", "'", "[", "]", "{", "}", "#", "|\n", "\t", "<<: *k8s_pool\n", "\ndeployments:\n", "\n---\n", "  ", "x", "1", "yes", "    k: v\n", "\n    "}
	rng := rand.New(rand.NewSource(7))
	edits := 40
	if testing.Short() || raceEnabled {
		edits = 12
	}
	built, total := 0, 0
	for name, base := range texts {
		text := base
		doc := ParseFile(source.NewFile("prefect.yaml", text))
		n := edits
		if strings.Contains(name, "corpus/real") {
			n = edits / 4
		}
		for i := range n {
			o := rng.Intn(len(text) + 1)
			end := min(len(text), o+rng.Intn(4))
			text = text[:o] + pieces[rng.Intn(len(pieces))] + text[end:]
			next, ok := checkReparse(t, fmt.Sprintf("%s, edit %d", name, i), doc, text)
			total++
			if ok {
				built++
			}
			if len(next.Problems) == 0 {
				doc = next // as the server does: the last version that parsed cleanly
			}
			if i%5 == 4 {
				text = base
				doc = ParseFile(source.NewFile("prefect.yaml", text))
			}
		}
	}
	if built < total/20 {
		t.Errorf("Reparse built only %d of %d versions", built, total)
	}
	t.Logf("Reparse built %d of %d versions", built, total)
}

// FuzzReparse: whatever an edit does, a document Reparse builds is the one
// the whole parse gives.
func FuzzReparse(f *testing.F) {
	for _, text := range partsTexts() {
		f.Add(text, uint16(len(text)/2), uint8(1), "x")
	}
	f.Fuzz(func(t *testing.T, text string, at uint16, del uint8, ins string) {
		denseNestMarks(t)
		prev := ParseFile(source.NewFile("prefect.yaml", text))
		o := int(at) % (len(text) + 1)
		end := min(len(text), o+int(del%16))
		checkReparse(t, "fuzz", prev, text[:o]+ins+text[end:])
	})
}

// BenchmarkReparse builds the tree after a keystroke in the middle item of
// realistic files, against the whole parse of the same text.
func BenchmarkReparse(b *testing.B) {
	for _, n := range []int{100, 1000, 5000} {
		text := benchgen.Generate(benchgen.Realistic, n).YAML
		items := itemOffsets(text)
		at := items[n/2] + strings.IndexByte(text[items[n/2]:], '\n')
		prev := ParseFile(source.NewFile("prefect.yaml", text))
		next := text[:at] + "\n    paused: false" + text[at:]
		b.Run(fmt.Sprintf("reparse/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := Reparse(prev, source.NewFile("prefect.yaml", next)); !ok {
					b.Fatal("refused")
				}
			}
		})
		b.Run(fmt.Sprintf("parse/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ParseFile(source.NewFile("prefect.yaml", next))
			}
		})
	}
}

// TestDiffDocs: the comparison the tests above rely on sees a difference.
func TestDiffDocs(t *testing.T) {
	text := benchgen.Generate(benchgen.Realistic, 4).YAML
	a := ParseFile(source.NewFile("prefect.yaml", text))
	if d := diffDocs(a, ParseFile(source.NewFile("prefect.yaml", text))); d != "" {
		t.Fatalf("the same text differs: %s", d)
	}
	for _, next := range []string{
		strings.Replace(text, "eu-west-1", "eu-west-2", 1),
		strings.Replace(text, "    concurrency_limit: 2\n", "    concurrency_limit: 2\n\n", 1),
		strings.Replace(text, "*nightly", "*hourly", 1),
		strings.Replace(text, "active: true", "active: yes", 1),
	} {
		if next == text {
			t.Fatal("the edit changed nothing")
		}
		if d := diffDocs(a, ParseFile(source.NewFile("prefect.yaml", next))); d == "" {
			t.Errorf("no difference found after an edit")
		}
	}
}
