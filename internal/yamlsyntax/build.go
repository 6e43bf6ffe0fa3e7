package yamlsyntax

import (
	"fmt"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/source"
	yaml "go.yaml.in/yaml/v4"
)

type builder struct {
	doc       *Document
	bomOffset int
	tooDeep   bool
	pre       *prebuiltList // the deployments list, converted in parts (see loadInParts)
	aliases   []*pendingAlias
	slab      []Node
	slabSize  int
	// slabMax caps the slabs of nodes and children (0: 1,024): a part's
	// builder (loadInParts) uses small ones, so that the unused ends of
	// its last slabs waste little.
	slabMax  int
	ptrSlab  []*Node
	pairSlab []Pair
	collSlab []collection
}

// children hands out a Content slice of length 0 and capacity n from a
// shared slab (capped, so an append never reaches a neighbour).
func (b *builder) children(n int) []*Node {
	if n > 64 {
		return make([]*Node, 0, n)
	}
	if len(b.ptrSlab) < n {
		b.ptrSlab = make([]*Node, max(64, b.slabLimit()))
	}
	s := b.ptrSlab[:0:n]
	b.ptrSlab = b.ptrSlab[n:]
	return s
}

// pairList is children for a mapping's effective pairs.
func (b *builder) pairList(n int) []Pair {
	if n > 64 {
		return make([]Pair, 0, n)
	}
	if len(b.pairSlab) < n {
		b.pairSlab = make([]Pair, 512)
	}
	s := b.pairSlab[:0:n]
	b.pairSlab = b.pairSlab[n:]
	return s
}

// newCollection hands out a collection from a slab (one allocation per
// 256 collections).
func (b *builder) newCollection() *collection {
	if len(b.collSlab) == 0 {
		b.collSlab = make([]collection, 256)
	}
	c := &b.collSlab[0]
	b.collSlab = b.collSlab[1:]
	return c
}

// newNode hands out nodes from slabs: one allocation per slab instead of
// one per node (slabs grow from 64 to 1,024 nodes, so that a small file
// does not pay for a large slab).
func (b *builder) newNode() *Node {
	if len(b.slab) == 0 {
		b.slabSize = min(max(2*b.slabSize, 64), b.slabLimit())
		b.slab = make([]Node, b.slabSize)
	}
	n := &b.slab[0]
	b.slab = b.slab[1:]
	return n
}

// joinParts takes in what the parts' builds found, in document order, at
// the point where the whole build would have found it.
func (b *builder) joinParts() {
	for _, p := range b.pre.parts {
		b.doc.Problems = append(b.doc.Problems, p.doc.Problems...)
		b.doc.Aliases = append(b.doc.Aliases, p.doc.Aliases...)
		for name, nodes := range p.doc.Anchors {
			b.doc.Anchors[name] = append(b.doc.Anchors[name], nodes...)
		}
		b.doc.Loadable = b.doc.Loadable && p.doc.Loadable
		b.aliases = append(b.aliases, p.aliases...)
	}
	b.pre = nil
}

func (b *builder) slabLimit() int {
	if b.slabMax > 0 {
		return b.slabMax
	}
	return 1024
}

type pendingAlias struct {
	node *Node
	name string
}

// build converts a yaml.Node. parentIndent is the column (in bytes from the
// line start) of the enclosing block collection, -1 at the top; flow is true
// inside a flow collection.
func (b *builder) build(y *yaml.Node, parentIndent int, flow bool, depth int) *Node {
	if depth > MaxDepth {
		if !b.tooDeep {
			b.tooDeep = true
			b.doc.problem(TooLarge, b.doc.startOf(y), fmt.Sprintf("nesting is deeper than %d levels; prefect-lsp stops here", MaxDepth))
			b.doc.Loadable = false
		}
		return nil
	}
	text := b.doc.File.Text()
	start := b.doc.offset(y.Line, y.Column)
	n := b.newNode()
	if y.Anchor != "" {
		n.setProps(func(p *nodeProps) { p.anchor = y.Anchor })
	}
	// Skip node properties: &anchor and !tag, in either order.
	i := start
	hasAnchor := y.Anchor != "" && y.Kind != yaml.AliasNode
	hasTag := y.Style&yaml.TaggedStyle != 0
	for i < len(text) && ((hasAnchor && text[i] == '&') || (hasTag && text[i] == '!')) {
		j := i
		if text[i] == '&' {
			j = i + 1 + len(y.Anchor)
			if j > len(text) {
				j = len(text)
			}
			n.setProps(func(p *nodeProps) { p.anchorSpan = source.Span{Start: i, End: j} })
			hasAnchor = false
		} else {
			for j < len(text) && !isSpace(text[j]) && !(flow && isFlowIndicator(text[j])) {
				j++
			}
			n.setProps(func(p *nodeProps) { p.tagSpan = source.Span{Start: i, End: j} })
			hasTag = false
		}
		i = skipSpaceAndComments(text, j, true)
	}
	if y.Kind != yaml.AliasNode && i != start {
		start = i
	}
	n.Line = int32(b.doc.File.LineOfHint(start, y.Line-1))
	if n.Anchor() != "" {
		b.doc.Anchors[n.Anchor()] = append(b.doc.Anchors[n.Anchor()], n)
	}
	switch y.Kind {
	case yaml.ScalarNode:
		n.Kind = ScalarNode
		n.Text = y.Value
		switch {
		case y.Style&yaml.DoubleQuotedStyle != 0:
			n.Style = DoubleQuoted
		case y.Style&yaml.SingleQuotedStyle != 0:
			n.Style = SingleQuoted
		case y.Style&yaml.LiteralStyle != 0:
			n.Style = Literal
		case y.Style&yaml.FoldedStyle != 0:
			n.Style = Folded
		}
		n.Span = source.Span{Start: start, End: max(start, b.scalarEnd(n, start, parentIndent, flow))}
		n.Text = sharedText(text, n)
		b.resolveScalar(n, y)
	case yaml.AliasNode:
		n.Kind = AliasNode
		n.Text = y.Value
		n.Span = source.Span{Start: start, End: start + 1 + len(y.Value)}
		if n.Span.End > len(text) {
			n.Span.End = len(text)
		}
		b.aliases = append(b.aliases, &pendingAlias{node: n, name: y.Value})
		b.doc.Aliases = append(b.doc.Aliases, n)
	case yaml.MappingNode, yaml.SequenceNode:
		if y.Kind == yaml.MappingNode {
			n.Kind = MappingNode
			n.tag = tagMap
		} else {
			n.Kind = SequenceNode
			n.tag = tagSeq
		}
		if y.Tag != "" && y.Style&yaml.TaggedStyle != 0 {
			n.setTag(longTag(y.Tag))
		}
		isFlow := y.Style&yaml.FlowStyle != 0
		childIndent := parentIndent
		if isFlow {
			n.Style = Flow
		} else {
			n.Style = Block
			childIndent = start - b.doc.File.LineStart(int(n.Line))
		}
		coll := b.newCollection()
		n.derived = coll
		if b.pre != nil && y == b.pre.seq {
			coll.content = b.pre.items
			b.joinParts()
		} else {
			coll.content = b.children(len(y.Content))
		}
		for i, c := range y.Content {
			child := b.build(c, childIndent, flow || isFlow, depth+1)
			if child == nil {
				return nil
			}
			coll.content = append(coll.content, child)
			// Nothing reads a converted subtree again (aliases resolve by
			// name): let a collection cycle during the build reclaim it,
			// so that a large file's two trees do not peak together.
			y.Content[i] = nil
		}
		end := start
		if len(coll.content) > 0 {
			end = coll.content[len(coll.content)-1].Span.End
		}
		if isFlow {
			end = flowEnd(text, start, end, len(coll.content) == 0)
		}
		if end < start {
			end = start
		}
		n.Span = source.Span{Start: start, End: end}
		if n.Kind == MappingNode {
			b.checkKeys(n)
		}
	}
	return n
}

// sharedText returns a scalar's Text as a part of the file's text when it
// is written there as it reads (a plain or quoted scalar without escapes
// or folded lines), so that the document does not keep a copy of it.
func sharedText(text string, n *Node) string {
	s, e := n.Span.Start, n.Span.End
	if n.Style == DoubleQuoted || n.Style == SingleQuoted {
		s, e = s+1, e-1
	} else if n.Style != 0 {
		return n.Text
	}
	if e > len(text) || e-s != len(n.Text) || text[s:e] != n.Text {
		return n.Text
	}
	return text[s:e]
}

func longTag(t string) string {
	if strings.HasPrefix(t, "!!") {
		return "tag:yaml.org,2002:" + t[2:]
	}
	return t
}

// resolveScalar sets the tag and value PyYAML gives the scalar.
func (b *builder) resolveScalar(n *Node, y *yaml.Node) {
	explicit := y.Style&yaml.TaggedStyle != 0 && y.Tag != ""
	switch {
	case explicit && y.Tag == "!":
		n.tag = tagStr
	case explicit:
		n.setTag(longTag(y.Tag))
	case n.Style == Plain:
		n.setTag(ResolvePlain(n.Text))
	default:
		n.tag = tagStr
	}
	switch n.tag {
	case tagStr:
		return // the value is Text; see scalarValue (no allocation per string)
	case tagMerge, tagValue, tagBinary:
		n.derived = n.Text
		return
	}
	tag := n.Tag()
	v, ok := constructScalar(tag, n.Text)
	if !ok {
		b.doc.Loadable = false
		if strings.HasPrefix(tag, "tag:yaml.org,2002:") {
			b.doc.problem(LoadError, n.Span, fmt.Sprintf("PyYAML cannot read %q as %s", n.Text, strings.TrimPrefix(tag, "tag:yaml.org,2002:")))
		} else {
			b.doc.problem(LoadError, spanOr(n.TagSpan(), n.Span), fmt.Sprintf("unknown tag %q: PyYAML's safe_load, which Prefect uses, cannot construct it", tag))
		}
		n.derived = n.Text
		return
	}
	n.derived = v
}

func spanOr(a, b source.Span) source.Span {
	if a.Len() > 0 {
		return a
	}
	return b
}

// checkKeys reports unhashable keys (a mapping or sequence used as a key,
// typically an unquoted "{{ placeholder }}") and duplicate keys.
func (b *builder) checkKeys(n *Node) {
	var seen map[string]*Node // only for large mappings; small ones search linearly
	content := n.Content()
	if len(content) > 32 {
		seen = make(map[string]*Node, len(content)/2)
	}
	for i := 0; i+1 < len(content); i += 2 {
		k := content[i]
		if k.Kind == MappingNode || k.Kind == SequenceNode {
			b.doc.Loadable = false
			msg := fmt.Sprintf("a %s cannot be a mapping key: PyYAML fails with \"found unhashable key\"", k.Kind)
			if looksLikePlaceholder(b.doc.File.Slice(n.Span)) {
				msg = "unquoted \"{{ ... }}\" is a YAML flow mapping, not a string, and PyYAML fails with \"found unhashable key\"; quote the value, e.g. \"{{ $VAR }}\""
				b.doc.problem(LoadError, n.Span, msg)
			} else {
				b.doc.problem(LoadError, k.Span, msg)
			}
			continue
		}
		if k.Kind != ScalarNode || k.tag == tagMerge {
			continue
		}
		var prev *Node
		if seen != nil {
			key := keyString(k)
			prev = seen[key]
			seen[key] = k
		} else {
			for j := i - 2; j >= 0; j -= 2 {
				if p := content[j]; p.Kind == ScalarNode && p.tag != tagMerge && sameKey(p, k) {
					prev = p
					break
				}
			}
		}
		if prev != nil {
			b.doc.problem(DuplicateKey, k.Span, fmt.Sprintf("duplicate key %q: PyYAML keeps only the last value and drops the one on line %d without a word", k.Text, prev.Line+1), prev.Span)
		}
	}
}

func looksLikePlaceholder(s string) bool {
	return strings.HasPrefix(strings.TrimSpace(s), "{{")
}

// sameKey reports whether two scalar keys are the same Python dict key.
func sameKey(a, b *Node) bool {
	as, aok := a.scalarValue().(string)
	bs, bok := b.scalarValue().(string)
	if aok || bok {
		return aok && bok && as == bs
	}
	return keyString(a) == keyString(b)
}

// keyString is the identity of a scalar key as a Python dict key: Python
// treats True == 1 and 1.0 == 1 as the same key.
func keyString(k *Node) string {
	switch v := k.scalarValue().(type) {
	case string:
		return "s:" + v
	case bool:
		if v {
			return "n:1"
		}
		return "n:0"
	case int64:
		return fmt.Sprintf("n:%d", v)
	case float64:
		if v == float64(int64(v)) {
			return fmt.Sprintf("n:%d", int64(v))
		}
		return fmt.Sprintf("n:%v", v)
	default:
		return fmt.Sprintf("%T:%v", v, v)
	}
}

func (b *builder) resolveAliases() {
	// PyYAML resolves an alias to the most recent anchor of that name
	// defined before it.
	for _, a := range b.aliases {
		defs := b.doc.Anchors[a.name]
		var target *Node
		for _, d := range defs {
			if d.Span.Start < a.node.Span.Start || d.AnchorSpan().Start < a.node.Span.Start {
				target = d
			}
		}
		if target == nil && len(defs) > 0 {
			target = defs[0]
		}
		if target == nil {
			b.doc.Loadable = false
			b.doc.problem(LoadError, a.node.Span, fmt.Sprintf("unknown alias *%s: no anchor &%s is defined before it", a.name, a.name))
			continue
		}
		a.node.setProps(func(p *nodeProps) { p.target = target })
	}
}

// expandedSize counts the nodes the document stands for with aliases
// expanded, memoised per node and capped.
func expandedSize(n *Node, memo map[*Node]int) int {
	if n == nil {
		return 0
	}
	// Only anchored nodes can be reached twice (through aliases): memoise
	// those; every other node is visited once.
	if n.Anchor() != "" {
		if v, ok := memo[n]; ok {
			return v
		}
		memo[n] = MaxExpandedNodes + 1 // a cycle counts as too large
	}
	size := 1
	if n.Kind == AliasNode {
		size = expandedSize(n.Target(), memo)
	} else {
		for _, c := range n.Content() {
			size += expandedSize(c, memo)
			if size > MaxExpandedNodes {
				break
			}
		}
	}
	if n.Anchor() != "" {
		memo[n] = size
	}
	return size
}

// flatten computes every mapping's effective pairs, applying merge keys as
// PyYAML's SafeConstructor.flatten_mapping does.
func (b *builder) flatten(n *Node) {
	if n == nil || n.flattened {
		return
	}
	n.flattened = true
	switch n.Kind {
	case AliasNode:
		b.flatten(n.Target())
		return
	case SequenceNode:
		for _, c := range n.Content() {
			b.flatten(c)
		}
		return
	case MappingNode:
	case ScalarNode:
		if n.tag == tagValue {
			b.doc.Loadable = false
			b.doc.problem(LoadError, n.Span, "a plain \"=\" is YAML 1.1's value tag, which PyYAML's safe_load cannot construct; quote it")
		}
		return
	default:
		return
	}
	content := n.Content()
	for _, c := range content {
		b.flatten(c)
	}
	// Merged pairs come first, then the mapping's own; a mapping without
	// merge keys (the common case) needs no intermediate lists.
	var all []Pair
	hasMerge := false
	for i := 0; i+1 < len(content); i += 2 {
		k := content[i]
		if k.Kind == ScalarNode && k.tag == tagValue {
			k.tag = tagStr // PyYAML reads a "=" key as a string
		}
		if k.Kind == ScalarNode && k.tag == tagMerge {
			hasMerge = true
		}
	}
	if hasMerge {
		var own []Pair
		for i := 0; i+1 < len(content); i += 2 {
			k, v := content[i], content[i+1]
			if k.Kind == ScalarNode && k.tag == tagMerge {
				all = append(all, b.mergePairs(k, v)...)
				continue
			}
			own = append(own, Pair{Key: k, Value: v})
		}
		all = append(all, own...)
	} else {
		all = b.pairList(len(content) / 2)
		for i := 0; i+1 < len(content); i += 2 {
			all = append(all, Pair{Key: content[i], Value: content[i+1]})
		}
	}
	pairs := all[:0:len(all)]
	if hasMerge {
		pairs = make([]Pair, 0, len(all))
	}
	var index map[string]int // only for large mappings; small ones search linearly
	if len(all) > 16 {
		index = make(map[string]int, len(all))
	}
	for _, p := range all {
		kr := p.Key.Resolve()
		if kr == nil || kr.Kind != ScalarNode {
			continue
		}
		j, ok := -1, false
		var id string
		if index != nil {
			id = keyString(kr)
			j, ok = index[id]
		} else {
			for i := range pairs {
				if sameKey(pairs[i].Key.Resolve(), kr) {
					j, ok = i, true
					break
				}
			}
		}
		if ok {
			// Python keeps the first key object and the last value; when
			// both keys read the same, the later pair's spans are the
			// ones that count.
			if pairs[j].Key.Resolve().Text != kr.Text || pairs[j].Key.Resolve().Tag() != kr.Tag() {
				p.Key = pairs[j].Key
			}
			pairs[j] = p
			continue
		}
		if index != nil {
			index[id] = len(pairs)
		}
		pairs = append(pairs, p)
	}
	n.derived.(*collection).pairs = pairs
}

func (b *builder) mergePairs(key, v *Node) []Pair {
	r := v.Resolve()
	if r == nil {
		return nil
	}
	via := func(ps []Pair, site *Node) []Pair {
		out := make([]Pair, len(ps))
		for i, p := range ps {
			p.Via = site // the outermost merge site is where the reader looks
			out[i] = p
		}
		return out
	}
	switch r.Kind {
	case MappingNode:
		return via(r.effectivePairs(), v)
	case SequenceNode:
		var out []Pair
		// Earlier mappings in the list take precedence: PyYAML merges them
		// in reverse order.
		items := r.Content()
		for i := len(items) - 1; i >= 0; i-- {
			item := items[i]
			ir := item.Resolve()
			if ir == nil || ir.Kind != MappingNode {
				b.doc.Loadable = false
				at := item.Span
				if v.Kind == AliasNode {
					at = v.Span
				}
				b.doc.problem(LoadError, at, fmt.Sprintf("a merge key (<<) takes a mapping or a list of mappings, but this list holds %s", article(item.TypeName())), key.Span)
				return nil
			}
			out = append(out, via(ir.effectivePairs(), item)...)
		}
		return out
	}
	b.doc.Loadable = false
	b.doc.problem(LoadError, v.Span, fmt.Sprintf("a merge key (<<) takes a mapping or a list of mappings, but this is %s", article(v.TypeName())), key.Span)
	return nil
}

func article(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

// scalarValue is the constructed value of a scalar node: strings are not
// stored (they are the node's Text), so that the common case allocates
// nothing.
func (n *Node) scalarValue() any {
	if n.Kind != ScalarNode {
		return nil
	}
	if n.derived == nil && n.tag == tagStr {
		return n.Text
	}
	return n.derived
}
