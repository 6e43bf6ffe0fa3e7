package yamlsyntax

import (
	"io"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// Reading an edited text again. A keystroke in a large prefect.yaml
// changes one item of its deployments list; the editor's next request
// needs the new version's tree, which a whole parse takes tens of
// milliseconds to build. Reparse builds it from the tree of an earlier
// version instead: it loads only the edited item (as loadInParts loads a
// part: the text before the list, then the item), keeps the nodes before
// the item as they are, and copies the nodes after it with their spans
// and lines moved by the change in length. The merges of the new tree are
// recomputed for whatever is not shared, its anchors and aliases listed
// again, its aliases resolved as the whole parse resolves them.
//
// It gives up (and the caller parses the whole text) whenever it cannot
// be sure of giving what ParseFile gives: a change outside the list or
// across an item's dash, an earlier version or a new one with any
// problem, an anchor in the edited item, a tab anywhere, a text that the
// line scan of the list cannot judge, an item that does not load alone.

// maxTextRefs bounds how many versions' texts a reparsed tree may keep
// alive: a scalar's Text is a part of the text it was read from (see
// sharedText), and the nodes Reparse keeps refer to the texts of the
// versions that built them.
const maxTextRefs = 3

// Reparse returns the document of file built from prev, the document of
// an earlier version of its text, or ok false when it cannot (see above).
// prev is not changed: the two documents share nodes, and both stay valid.
func Reparse(prev *Document, file *source.File) (doc *Document, ok bool) {
	defer func() {
		// A panic here is a bug, never the text's fault: the whole
		// parse reads the text as usual.
		if recover() != nil {
			doc, ok = nil, false
		}
	}()
	d, why := reparse(prev, file)
	return d, why == ""
}

// reparse is Reparse; why says what made it give up ("" when it built).
func reparse(prev *Document, file *source.File) (_ *Document, why string) {
	if prev == nil || prev.Root == nil || !prev.Loadable || len(prev.Problems) > 0 || prev.File == nil {
		return nil, "the earlier version has problems"
	}
	old, text := prev.File.Text(), file.Text()
	if len(text) > MaxBytes || strings.IndexByte(text, '\t') >= 0 {
		return nil, "too large, or a tab"
	}
	// The change: old[p:oldEnd] became text[p:end] (source.Changed
	// compares only the edited windows of two versions of one file).
	p, oldEnd, end := source.Changed(prev.File, file)
	if p == oldEnd && p == end {
		d := *prev // the same text
		d.File = file
		return &d, ""
	}
	delta := len(text) - len(old)

	root := prev.Root
	if root.Kind != MappingNode || root.Style != Block || root.props != nil {
		return nil, "the root is not a plain block mapping"
	}
	rc := root.Content()
	di := -1 // the index of the deployments key in root's content
	for i := 0; i+1 < len(rc); i += 2 {
		k := rc[i]
		if k.Kind != ScalarNode || k.tag == tagMerge {
			return nil, "a merge or an odd key at the top" // rare, not worth the cases
		}
		if k.Text == "deployments" && k.Style == Plain {
			di = i
		}
	}
	if di < 0 {
		return nil, "no deployments key"
	}
	seq := rc[di+1]
	if seq.Kind != SequenceNode || seq.Style != Block || seq.props != nil {
		return nil, "the deployments list is not a plain block list"
	}
	items := seq.Content()

	l, ok := scanDeploymentsList(file)
	if !ok || len(l.items) != len(items) {
		return nil, "the list's items changed"
	}
	// k is the edited item: the change lies after its dash and within its
	// region (which, for the last item, runs to the end of the text).
	k := -1
	for j := range l.items {
		if l.items[j]+l.indent < p {
			k = j
		} else {
			break
		}
	}
	if k < 0 {
		return nil, "a change before the first item's dash"
	}
	last := k == len(items)-1
	regionEnd := len(text)
	if !last {
		regionEnd = l.items[k+1]
	}
	if end > regionEnd {
		return nil, "a change across items"
	}
	oldRegionEnd := regionEnd - delta
	// The scan must agree with the earlier tree: every item inside its
	// region (of the old text).
	oldStart := func(j int) int {
		if j <= k {
			return l.items[j]
		}
		return l.items[j] - delta
	}
	for j, it := range items {
		lo, hi := oldStart(j), len(old)
		if j+1 < len(items) {
			hi = oldStart(j + 1)
		} else if !last {
			hi = l.end - delta
		}
		if it.Span.Start < lo || it.Span.End > hi {
			return nil, "the line scan disagrees with the earlier tree"
		}
	}
	if !last && l.end-delta != listEnd(prev, seq) {
		return nil, "the list's end moved"
	}
	regionStart := l.items[k]
	// An anchor in the edited item could be aliased after it, or have
	// been (the last item's region runs to the end of the text).
	if !last && (hasAnchor(old[regionStart:oldRegionEnd]) || hasAnchor(text[regionStart:regionEnd])) {
		return nil, "an anchor in the edited item"
	}
	// The nesting check resumes at its last mark before the item and
	// stops where it is back in step with the earlier scan after it.
	from := 0
	for from+1 < len(prev.nest) && prev.nest[from+1].off <= regionStart {
		from++
	}
	var start nestMark
	if len(prev.nest) > 0 && prev.nest[from].off <= regionStart {
		start = prev.nest[from]
	} else {
		from = -1
	}
	var resume []nestMark
	for _, m := range prev.nest {
		if m.off >= oldRegionEnd {
			m.off += delta
			resume = append(resume, m)
		}
	}
	marks, nestErr := nestScan(text, start, resume)
	if nestErr != nil {
		return nil, "nesting too deep"
	}

	// Load the item (and, for the last one, the text after the list).
	head := text[:l.items[0]]
	y := loadOne(io.MultiReader(strings.NewReader(head), strings.NewReader(text[regionStart:regionEnd])))
	if y == nil {
		return nil, "the item does not load alone"
	}
	ySeq, rest, ok := partList(y, l.keyLine)
	if !ok || ySeq.Column-1 != l.indent || len(ySeq.Content) != 1 || !last && len(rest) != 0 {
		return nil, "the item does not load as one item"
	}
	shift := l.lines[k] - l.lines[0]
	nextLine := l.endLine
	if !last {
		nextLine = l.lines[k+1]
	}
	if line := ySeq.Content[0].Line - 1 + shift; line < l.lines[k] || line > nextLine {
		return nil, "the item is not where the scan puts it"
	}
	shiftLines(ySeq.Content[0], shift)
	for _, r := range rest {
		if r.Line-1+shift < l.endLine {
			return nil, "the text after the list is not where the scan puts it"
		}
		shiftLines(r, shift)
	}

	d := &Document{File: file, Anchors: map[string][]*Node{}, Loadable: true}
	d.nest = append(append(make([]nestMark, 0, max(from, 0)+len(marks)), prev.nest[:max(from, 0)]...), marks...)
	part := &builder{doc: d, bomOffset: bomLen(text), slabMax: 128}
	item := part.build(ySeq.Content[0], l.indent, false, 2)
	if item == nil || part.tooDeep {
		return nil, "the item is nested too deep"
	}
	var tail []*Node
	for _, r := range rest {
		n := part.build(r, 0, false, 1)
		if n == nil || part.tooDeep {
			return nil, "the text after the list is nested too deep"
		}
		tail = append(tail, n)
	}
	if len(d.Problems) > 0 || len(tail)%2 != 0 {
		return nil, "the item has problems"
	}
	newAnchors, newAliases := d.Anchors, d.Aliases
	if !last && len(newAnchors) > 0 {
		return nil, "an anchor in the edited item"
	}

	// The new tree: what precedes the item is shared, what follows it is
	// copied and moved.
	c := &copier{b: &builder{doc: d}, text: text, delta: delta, lines: int32(file.LineCount() - prev.File.LineCount()), remap: map[*Node]*Node{}}
	newItems := make([]*Node, 0, len(items))
	newItems = append(newItems, items[:k]...)
	newItems = append(newItems, item)
	for _, it := range items[k+1:] {
		newItems = append(newItems, c.copy(it))
	}
	nseq := c.b.newNode()
	*nseq = *seq
	nseq.flattened = false
	nseq.derived = &collection{content: newItems}
	nseq.Span.End = newItems[len(newItems)-1].Span.End

	nroot := c.b.newNode()
	*nroot = *root
	nroot.flattened = false
	content := make([]*Node, 0, len(rc)+len(tail))
	content = append(content, rc[:di+1]...)
	content = append(content, nseq)
	if last {
		// Everything after the list was read again with the item.
		content = append(content, tail...)
	} else {
		for _, n := range rc[di+2:] {
			content = append(content, c.copy(n))
		}
	}
	nroot.derived = &collection{content: content}
	nroot.Span.End = content[len(content)-1].Span.End
	d.Root = nroot

	// Anchors and aliases in document order: the shared ones before the
	// item, the item's (and, for the last, the tail's), the copied ones.
	d.Anchors = make(map[string][]*Node, len(prev.Anchors)+len(newAnchors))
	for name, defs := range prev.Anchors {
		for _, n := range defs {
			if n.Span.Start < regionStart {
				d.Anchors[name] = append(d.Anchors[name], n)
			} else if m := c.remap[n]; m != nil {
				d.Anchors[name] = append(d.Anchors[name], m)
			} else if n.Span.Start >= oldRegionEnd {
				return nil, "an anchor neither kept nor copied"
			}
		}
	}
	for name, defs := range newAnchors {
		d.Anchors[name] = append(d.Anchors[name], defs...)
	}
	d.Aliases = nil
	for _, a := range prev.Aliases {
		if a.Span.Start < regionStart {
			d.Aliases = append(d.Aliases, a)
		}
	}
	d.Aliases = append(d.Aliases, newAliases...)
	for _, a := range prev.Aliases {
		if a.Span.Start >= regionStart {
			if m := c.remap[a]; m != nil {
				d.Aliases = append(d.Aliases, m)
			}
		}
	}
	// The new aliases resolve as resolveAliases does, against every
	// anchor of the new tree.
	b := &builder{doc: d, aliases: part.aliases}
	b.resolveAliases()
	if len(d.Problems) > 0 {
		return nil, "an alias does not resolve"
	}
	b.checkKeys(nroot)
	if len(d.Aliases) > 0 {
		// The size is additive: the earlier document's, less what the
		// item (and for the last one the text after the list) stood for,
		// plus what it stands for now.
		oldPart, newPart := []*Node{items[k]}, []*Node{item}
		if last {
			oldPart, newPart = append(oldPart, rc[di+2:]...), append(newPart, tail...)
		}
		size := func(nodes []*Node) int {
			memo, n := map[*Node]int{}, 0
			for _, x := range nodes {
				n += expandedSize(x, memo)
			}
			return n
		}
		grown := size(newPart)
		if grown > MaxExpandedNodes {
			return nil, "aliases expand too far"
		}
		d.expanded = prev.ExpandedSize() - size(oldPart) + grown
		if d.expanded > MaxExpandedNodes {
			return nil, "aliases expand too far"
		}
	}
	b.flatten(nroot)
	if len(d.Problems) > 0 || !d.Loadable {
		return nil, "merges have problems"
	}
	d.textRefs = append(make([]int, 0, len(prev.textRefs)+1), prev.textRefs...)
	for len(d.textRefs) > 0 && d.textRefs[len(d.textRefs)-1] >= k {
		d.textRefs = d.textRefs[:len(d.textRefs)-1]
	}
	d.textRefs = append(d.textRefs, k)
	if len(d.textRefs) > maxTextRefs {
		return nil, "too many earlier texts kept"
	}
	return d, ""
}

// listEnd is where the text after the deployments list starts in prev's
// text (as the line scan finds it): the line of the next top-level key,
// else the end of the text.
func listEnd(prev *Document, seq *Node) int {
	rc := prev.Root.Content()
	for i := 0; i+1 < len(rc); i += 2 {
		if rc[i+1] == seq && i+2 < len(rc) {
			return prev.File.LineStart(int(rc[i+2].Line))
		}
	}
	return prev.File.Len()
}

// copier copies subtrees of a document into one of an edited text: spans
// and lines moved, merges left to be recomputed, aliases retargeted to the
// copies of their anchors.
type copier struct {
	b     *builder
	text  string // the new text
	delta int
	lines int32
	remap map[*Node]*Node // anchored and alias nodes to their copies
}

func (c *copier) copy(n *Node) *Node {
	m := c.b.newNode()
	*m = *n
	m.flattened = false
	m.Line += c.lines
	m.Span = c.move(n.Span)
	if n.props != nil {
		p := *n.props
		if p.anchor != "" {
			p.anchorSpan = c.move(p.anchorSpan)
			c.remap[n] = m
		}
		if p.tagSpan != (source.Span{}) {
			p.tagSpan = c.move(p.tagSpan)
		}
		if p.target != nil {
			if t := c.remap[p.target]; t != nil {
				p.target = t
			}
		}
		m.props = &p
	}
	if n.Kind == AliasNode {
		c.remap[n] = m
	}
	switch v := n.derived.(type) {
	case *collection:
		coll := c.b.newCollection()
		coll.content = c.b.children(len(v.content))
		for _, ch := range v.content {
			coll.content = append(coll.content, c.copy(ch))
		}
		m.derived = coll
	}
	if n.Kind == ScalarNode && n.Text != "" {
		// Refer to the new text, not to the one the node was read from.
		m.Text = sharedText(c.text, m)
	}
	return m
}

func (c *copier) move(s source.Span) source.Span {
	return source.Span{Start: s.Start + c.delta, End: s.End + c.delta}
}
