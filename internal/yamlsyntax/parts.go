package yamlsyntax

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/prefect-lsp/prefect-lsp/internal/source"
	yaml "go.yaml.in/yaml/v4"
)

// Loading a large file in parts. go.yaml.in's load and the conversion of
// its tree are most of a large file's parse, and the two trees are most of
// its peak memory. A prefect.yaml's bulk is its top-level deployments
// list, whose items are independent of one another but for aliases; so
// the list's items are cut into parts, each part is loaded as a document
// of its own (the text before the list, then the part's items) and its
// items are converted at once, by one worker per core; the converted
// items are joined in the first part's tree, of which only the text
// before the list is left to build. A part's go.yaml.in tree is garbage
// as soon as it is converted: at most one per worker is live.
//
// Every part is checked against the text's own layout; anything unusual
// (a failed load, an anchor that a later part could need, a structure
// that does not match the scan) makes ParseFile load the whole text at
// once, so the document is the one the whole text gives.

// partsMinBytes is the least text split into parts, and partBytes about
// the size of a part.
const (
	partsMinBytes = 256 << 10
	partBytes     = 64 << 10
)

// partsFor is the number of parts to load a text of size bytes in (1:
// whole). Tests replace it.
var partsFor = func(size int) int {
	if size < partsMinBytes {
		return 1
	}
	return min(size/partBytes, 64)
}

// partWorkers is how many parts load at once.
func partWorkers(parts int) int { return min(runtime.GOMAXPROCS(0), parts) }

// listLayout is the top-level deployments list as a scan of the text's
// lines finds it.
type listLayout struct {
	keyLine int   // 0-based line of the "deployments:" key
	indent  int   // the items' column (bytes; spaces before the "-")
	items   []int // offsets of the items' "-" lines (line starts)
	lines   []int // their 0-based lines
	end     int   // offset of the first line after the list
	endLine int
}

// scanDeploymentsList finds a top-level block "deployments:" list whose
// items start lines of their own at one indentation. ok is false when the
// text has none, or has what a line scan cannot judge safely (carriage
// returns, tabs in indentation, a key with properties or a value on the
// key's line).
func scanDeploymentsList(f *source.File) (l listLayout, ok bool) {
	if strings.IndexByte(f.Text(), '\r') >= 0 {
		return l, false
	}
	const key = "deployments:"
	n := f.LineCount()
	line := 0
	for line < n && !(strings.HasPrefix(f.LineText(line), key) && blankOrComment(f.LineText(line)[len(key):])) {
		line++
	}
	if line == n {
		return l, false
	}
	l.keyLine, l.indent = line, -1
	l.end, l.endLine = f.Len(), n
	for line++; line < n; line++ {
		s := f.LineText(line)
		i := len(s) - len(strings.TrimLeft(s, " "))
		switch {
		case i < len(s) && s[i] == '\t':
			return l, false
		case i == len(s) || s[i] == '#':
			// A blank or comment line belongs to no item.
		case l.indent < 0 || i == l.indent:
			if s[i] != '-' || (i+1 < len(s) && s[i+1] != ' ') {
				// Not an item: the list ends (or, first, is not one).
				l.end, l.endLine = f.LineStart(line), line
				return l, l.indent >= 0
			}
			l.indent = i
			l.items = append(l.items, f.LineStart(line))
			l.lines = append(l.lines, line)
		case i < l.indent:
			l.end, l.endLine = f.LineStart(line), line
			return l, true
		}
	}
	return l, len(l.items) > 0
}

func blankOrComment(s string) bool {
	s = strings.TrimLeft(s, " ")
	return s == "" || s[0] == '#'
}

// hasAnchor reports whether s may define an anchor: an "&" that starts a
// token (after a blank, a line start or a flow indicator) and is followed
// by a name. It errs on the side of yes.
func hasAnchor(s string) bool {
	for i := strings.IndexByte(s, '&'); i >= 0; {
		if (i == 0 || strings.IndexByte(" \t\n[{,", s[i-1]) >= 0) && i+1 < len(s) && !isSpace(s[i+1]) {
			return true
		}
		j := strings.IndexByte(s[i+1:], '&')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// prebuiltList is the deployments list as the parts converted it.
type prebuiltList struct {
	seq   *yaml.Node // the list in the first part's tree, to be built from items
	items []*Node
	parts []*builder // the parts' builders, whose findings join the document's at seq
}

// loadInParts loads text in about n parts as described above: the
// document node to build (the first part's, with the text after the list
// from the last part) and the list's converted items. ok is false when
// the text is not one to load that way (the caller then loads it whole).
//
// Part k is the text before the list and the part's items; the last part
// also has the text after the list, so it reads to the end as the whole
// text does. Every other part ends where an item ends, so a quote, a
// bracket or anything else an item leaves open fails that part's load:
// when every part loads, each item started where the whole text's parse
// starts it, and the trees agree.
func (d *Document) loadInParts(text string, n int) (*yaml.Node, *prebuiltList, bool) {
	l, ok := scanDeploymentsList(d.File)
	if !ok {
		return nil, nil, false
	}
	head := text[:l.items[0]]
	span := l.end - l.items[0]
	// Each part reads the text before the list again: beyond two parts,
	// keep that within a quarter of the list.
	n = min(n, max(2, span/(4*len(head)+1)))
	// cut[k] is the first item of part k; parts get about equal text.
	cut := []int{0}
	for k, i := 1, 0; k < n; k++ {
		target := l.items[0] + span*k/n
		for i < len(l.items) && l.items[i] < target {
			i++
		}
		if i > cut[len(cut)-1] && i < len(l.items) {
			cut = append(cut, i)
		}
	}
	if len(cut) < 2 {
		return nil, nil, false
	}
	cut = append(cut, len(l.items))
	parts := len(cut) - 1
	// A part's items may use anchors of the text before the list (each
	// part has it) but not of an earlier part.
	if hasAnchor(text[l.items[0]:l.items[cut[parts-1]]]) {
		return nil, nil, false
	}
	type result struct {
		root  *yaml.Node // the first part's document
		seq   *yaml.Node // the first part's list
		rest  []*yaml.Node
		items []*Node
		b     *builder
	}
	results := make([]result, parts)
	var next atomic.Int64
	var failed atomic.Bool
	// part loads, checks and converts part k; false when it does not
	// load as the layout says.
	part := func(k int) bool {
		to := len(text)
		if k+1 < parts {
			to = l.items[cut[k+1]]
		}
		root := loadOne(io.MultiReader(strings.NewReader(head), strings.NewReader(text[l.items[cut[k]]:to])))
		if root == nil {
			return false
		}
		seq, rest, ok := partList(root, l.keyLine)
		if !ok || seq.Column-1 != l.indent || len(seq.Content) != cut[k+1]-cut[k] || k+1 < parts && len(rest) != 0 {
			return false
		}
		// Lines in part k are the text's lines less those of the parts
		// left out before it.
		shift := l.lines[cut[k]] - l.lines[0]
		for j, item := range seq.Content {
			first, last := l.lines[cut[k]+j], l.endLine
			if cut[k]+j+1 < len(l.items) {
				last = l.lines[cut[k]+j+1]
			}
			if line := item.Line - 1 + shift; line < first || line > last {
				return false
			}
			shiftLines(item, shift)
		}
		for _, y := range rest {
			if y.Line-1+shift < l.endLine {
				return false
			}
			shiftLines(y, shift)
		}
		// Convert the items as the whole document's build would (a list
		// item is at depth 2, under the root mapping and the list), each
		// part with a document of its own for what the build finds.
		b := &builder{doc: &Document{File: d.File, Anchors: map[string][]*Node{}, Loadable: true}, bomOffset: bomLen(text), slabMax: 128}
		items := make([]*Node, 0, len(seq.Content))
		for _, y := range seq.Content {
			item := b.build(y, l.indent, false, 2)
			if item == nil {
				return false
			}
			items = append(items, item)
		}
		r := &results[k]
		r.items, r.b, r.rest = items, b, rest
		if k == 0 {
			r.root, r.seq = root, seq
		}
		seq.Content = nil // converted: garbage from here on
		return true
	}
	work := func() {
		for !failed.Load() {
			k := int(next.Add(1) - 1)
			if k >= parts {
				return
			}
			if !safePart(part, k) {
				failed.Store(true)
			}
		}
	}
	var wg sync.WaitGroup
	for range partWorkers(parts) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	if failed.Load() {
		return nil, nil, false
	}
	pre := &prebuiltList{seq: results[0].seq, items: make([]*Node, 0, len(l.items))}
	for _, r := range results {
		pre.items = append(pre.items, r.items...)
		pre.parts = append(pre.parts, r.b)
	}
	// The text after the list is the last part's; the first part's tree
	// takes it.
	m := results[0].root.Content[0]
	m.Content = append(m.Content, results[parts-1].rest...)
	return results[0].root, pre, true
}

// safePart runs part(k) and reports false when it panics: the whole
// load then runs on the caller's goroutine, where a panic is handled as
// for any text.
func safePart(part func(int) bool, k int) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return part(k)
}

// loadOne loads one part; nil when it does not load cleanly as exactly
// one document.
func loadOne(r io.Reader) *yaml.Node {
	loader, err := yaml.NewLoader(r, yaml.WithUniqueKeys(false))
	if err != nil {
		return nil
	}
	var root, next yaml.Node
	if safeLoad(loader, &root) != nil || !errors.Is(safeLoad(loader, &next), io.EOF) {
		return nil
	}
	return &root
}

// partList finds, in a part's document, the block sequence under the
// plain "deployments" key of the top-level block mapping at keyLine, and
// the nodes of the pairs after it (the rest of the text, in the last
// part).
func partList(root *yaml.Node, keyLine int) (seq *yaml.Node, rest []*yaml.Node, ok bool) {
	if root.Kind != yaml.DocumentNode || len(root.Content) != 1 {
		return nil, nil, false
	}
	m := root.Content[0]
	if m.Kind != yaml.MappingNode || m.Style&yaml.FlowStyle != 0 {
		return nil, nil, false
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Line-1 != keyLine {
			continue
		}
		if k.Column != 1 || k.Value != "deployments" || k.Style != 0 || v.Kind != yaml.SequenceNode || v.Style != 0 || v.Anchor != "" {
			return nil, nil, false
		}
		return v, m.Content[i+2:], true
	}
	return nil, nil, false
}

// shiftLines adds d to the line of n and of every node under it.
func shiftLines(n *yaml.Node, d int) {
	n.Line += d
	for _, c := range n.Content {
		shiftLines(c, d)
	}
}
