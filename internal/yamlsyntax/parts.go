package yamlsyntax

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"sync"

	yaml "go.yaml.in/yaml/v4"
)

// Loading a large file in parts. go.yaml.in's load is most of a large
// file's parse and runs on one core. A prefect.yaml's bulk is its
// top-level deployments list, whose items are independent of one another
// but for aliases; so the list's items are cut into parts, each part is
// loaded as a document of its own (the text before the list, then the
// part's items) on its own goroutine, and the parts' items are joined into
// the first part's tree. Every part is checked against the text's own
// layout; anything unusual (a failed load, an anchor that a later part
// could need, a structure that does not match the scan) makes ParseFile
// load the whole text at once, so the joined tree is the one the whole
// text gives.

// partsMinBytes is the least text a part gets: below twice that, a text
// is loaded whole.
const partsMinBytes = 128 << 10

// partsFor is the number of parts to load a text of size bytes in: one
// per core (at most 8), each of at least partsMinBytes. Tests replace it.
var partsFor = func(size int) int {
	return min(runtime.GOMAXPROCS(0), size/partsMinBytes, 8)
}

// listLayout is the top-level deployments list as a scan of the text's
// lines finds it.
type listLayout struct {
	keyLine int   // 0-based line of the "deployments:" key
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
func scanDeploymentsList(text string) (l listLayout, ok bool) {
	if strings.IndexByte(text, '\r') >= 0 {
		return l, false
	}
	const key = "deployments:"
	off, line := 0, 0
	found := false
	for off < len(text) {
		next, rest := lineAfter(text, off)
		if strings.HasPrefix(text[off:], key) && blankOrComment(text[off+len(key):next]) {
			found = true
			l.keyLine = line
			off, line = rest, line+1
			break
		}
		off, line = rest, line+1
	}
	if !found {
		return l, false
	}
	indent := -1
	l.end = len(text)
	for off < len(text) {
		next, rest := lineAfter(text, off)
		s := text[off:next]
		i := 0
		for i < len(s) && s[i] == ' ' {
			i++
		}
		switch {
		case i < len(s) && s[i] == '\t':
			return l, false
		case i == len(s) || s[i] == '#':
			// A blank or comment line belongs to no item.
		case indent < 0 || i == indent:
			if s[i] != '-' || (i+1 < len(s) && s[i+1] != ' ') {
				if indent < 0 {
					return l, false
				}
				l.end, l.endLine = off, line
				return l, len(l.items) > 0
			}
			indent = i
			l.items = append(l.items, off)
			l.lines = append(l.lines, line)
		case i < indent:
			l.end, l.endLine = off, line
			return l, true
		}
		off, line = rest, line+1
	}
	l.endLine = line
	return l, len(l.items) > 0
}

// lineAfter returns the end of the line at off (before its "\n") and the
// start of the next line.
func lineAfter(text string, off int) (end, next int) {
	j := strings.IndexByte(text[off:], '\n')
	if j < 0 {
		return len(text), len(text)
	}
	return off + j, off + j + 1
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

// loadInParts loads text in n parts as described above into a document
// node, or reports false when the text is not one to load that way (the
// caller then loads it whole).
//
// Part k is the text before the list and the part's items; the last part
// also has the text after the list, so it reads to the end as the whole
// text does. Every other part ends where an item ends, so a quote, a
// bracket or anything else an item leaves open fails that part's load:
// when every part loads, each item started where the whole text's parse
// starts it, and the trees agree.
func loadInParts(text string, n int) (*yaml.Node, bool) {
	l, ok := scanDeploymentsList(text)
	if !ok {
		return nil, false
	}
	// cut[k] is the first item of part k; parts get about equal text.
	cut := []int{0}
	span := l.end - l.items[0]
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
		return nil, false
	}
	cut = append(cut, len(l.items))
	parts := len(cut) - 1
	// A part's items may use anchors of the text before the list (each
	// part has it) but not of an earlier part.
	if hasAnchor(text[l.items[0]:l.items[cut[parts-1]]]) {
		return nil, false
	}
	head := text[:l.items[0]]
	roots := make([]*yaml.Node, parts)
	var wg sync.WaitGroup
	for k := range parts {
		to := len(text)
		if k+1 < parts {
			to = l.items[cut[k+1]]
		}
		r := io.MultiReader(strings.NewReader(head), strings.NewReader(text[l.items[cut[k]]:to]))
		load := func() { roots[k] = loadOne(r) }
		if k+1 == parts {
			load()
		} else {
			wg.Go(load)
		}
	}
	wg.Wait()
	var list *yaml.Node
	for k, root := range roots {
		if root == nil {
			return nil, false
		}
		seq, rest, ok := partList(root, l.keyLine)
		if !ok || len(seq.Content) != cut[k+1]-cut[k] {
			return nil, false
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
				return nil, false
			}
			shiftLines(item, shift)
		}
		if k == 0 {
			list = seq
		} else {
			list.Content = append(list.Content, seq.Content...)
		}
		if k+1 < parts {
			if len(rest) != 0 {
				return nil, false
			}
			continue
		}
		// The text after the list is the last part's; the first part's
		// tree takes it.
		for _, n := range rest {
			if n.Line-1+shift < l.endLine {
				return nil, false
			}
			shiftLines(n, shift)
		}
		m := roots[0].Content[0]
		m.Content = append(m.Content, rest...)
	}
	return roots[0], true
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
// the nodes of the pairs after it (the rest of the text, in the first
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
