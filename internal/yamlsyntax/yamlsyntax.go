// Package yamlsyntax reads prefect.yaml the way Prefect does — PyYAML's
// safe_load, YAML 1.1 — while keeping the exact byte span of every key and
// value in the source text.
//
// It parses with go.yaml.in/yaml/v4's Node API, then:
//   - measures each node's extent in the text (the library reports only start
//     positions, in code points), for every scalar style and flow collections;
//   - resolves plain scalars with PyYAML's implicit resolvers (yes/no/on/off
//     booleans, 1.10 as a float, sexagesimal 1:30, octal 0755, timestamps);
//   - resolves aliases and `<<` merge keys as PyYAML's SafeConstructor does,
//     remembering the alias or merge site each value was reached through;
//   - reports what PyYAML would refuse (unhashable keys such as an unquoted
//     `{{ x }}`, unknown tags, several documents) and what it silently accepts
//     (duplicate keys) as Problems with spans;
//   - bounds time and memory on alias bombs, deep nesting and huge files;
//   - builds the tree of an edited version from the earlier one's when the
//     edit stays inside one deployment (Reparse), so that a keystroke in a
//     large file costs what changed.
//
// It knows nothing of Prefect's schema; see package prefectyaml for that.
package yamlsyntax

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/source"
	yaml "go.yaml.in/yaml/v4"
)

// Limits bound the work done on one document.
const (
	// MaxBytes is the largest document parsed; larger ones get one problem.
	MaxBytes = 16 << 20
	// MaxExpandedNodes bounds the number of nodes a document may stand for
	// once aliases are expanded (what PyYAML hands to Prefect, which then
	// walks it repeatedly). More than this is treated as an alias bomb.
	MaxExpandedNodes = 1_000_000
	// MaxDepth bounds nesting.
	MaxDepth = 1000
)

// Kind is the kind of a Node.
type Kind uint8

const (
	ScalarNode Kind = iota + 1
	MappingNode
	SequenceNode
	AliasNode
)

func (k Kind) String() string {
	switch k {
	case ScalarNode:
		return "scalar"
	case MappingNode:
		return "mapping"
	case SequenceNode:
		return "sequence"
	case AliasNode:
		return "alias"
	}
	return "node"
}

// Style is how a node is written.
type Style uint8

const (
	Plain Style = iota
	SingleQuoted
	DoubleQuoted
	Literal
	Folded
	Flow  // a flow collection: [..] or {..}
	Block // a block collection
)

// Node is one YAML node with exact spans.
//
// A node is 64 bytes: a large file has tens of thousands of them, and an
// open document keeps its tree. So its tag is a small index (Tag), its
// rare properties sit out of line (props), and a collection's entries
// share one field with a scalar's constructed value (derived).
type Node struct {
	Kind      Kind
	Style     Style
	flattened bool  // merges applied (see builder.flatten)
	tag       tagID // see Tag
	// Line is the zero-based line of Span.Start (int32, next to the small
	// fields, keeps a node 8 bytes smaller: a file of more than 2^31 lines
	// is far beyond MaxBytes).
	Line int32
	// Text is a scalar's decoded text (escapes processed, quotes removed).
	Text string
	// Span is the node's own extent: for a scalar its quotes or block header
	// and content, for a flow collection its brackets, for a block
	// collection its first to last entry. Anchor and tag are not included.
	Span source.Span
	// props holds the rare node properties (anchor, explicit tag, a tag
	// outside PyYAML's set, an alias's target): see Anchor, AnchorSpan,
	// TagSpan, Tag and Target.
	props *nodeProps
	// derived is, for a mapping or a sequence, its *collection (entries as
	// written, and a mapping's effective pairs after merges); for a scalar
	// its constructed value (nil for a string, which is Text).
	derived any
}

// collection is what a mapping or a sequence holds.
type collection struct {
	// content is, for a mapping, keys and values alternately as written
	// (merge keys included); for a sequence, its items.
	content []*Node
	// pairs is a mapping's effective pairs (see builder.flatten).
	pairs []Pair
}

// Content returns, for a mapping, its keys and values alternately as
// written (merge keys included); for a sequence, its items; nil for other
// nodes. Aliases are not followed.
func (n *Node) Content() []*Node {
	if c, ok := n.derived.(*collection); ok {
		return c.content
	}
	return nil
}

// effectivePairs is a mapping's pairs after merges (nil for other nodes).
func (n *Node) effectivePairs() []Pair {
	if c, ok := n.derived.(*collection); ok {
		return c.pairs
	}
	return nil
}

// tagID is a Node's tag: one of PyYAML's (tagNames), or tagOther for any
// other, which props holds.
type tagID uint8

const (
	tagNone tagID = iota // an alias
	tagStr
	tagInt
	tagFloat
	tagBool
	tagNull
	tagTimestamp
	tagMerge
	tagValue
	tagBinary
	tagMap
	tagSeq
	tagOMap
	tagPairs
	tagSet
	tagOther
)

var tagNames = [...]string{
	tagNone: "", tagStr: TagStr, tagInt: TagInt, tagFloat: TagFloat, tagBool: TagBool,
	tagNull: TagNull, tagTimestamp: TagTimestamp, tagMerge: TagMerge, tagValue: TagValue,
	tagBinary: TagBinary, tagMap: TagMap, tagSeq: TagSeq, tagOMap: TagOMap, tagPairs: TagPairs,
	tagSet: TagSet,
}

// Tag is the resolved tag, as PyYAML's SafeLoader resolves it (a full
// "tag:yaml.org,2002:..." tag, or a local tag like "!Ref" as written; ""
// for an alias).
func (n *Node) Tag() string {
	if n.tag == tagOther {
		return n.props.tag
	}
	return tagNames[n.tag]
}

func (n *Node) setTag(t string) {
	for i, name := range tagNames {
		if name == t {
			n.tag = tagID(i)
			return
		}
	}
	n.tag = tagOther
	n.setProps(func(p *nodeProps) { p.tag = t })
}

type nodeProps struct {
	tag        string // a tag outside tagNames
	anchor     string
	anchorSpan source.Span
	tagSpan    source.Span
	target     *Node // an alias's anchored node
}

// Target is the anchored node an alias refers to (nil for other nodes and
// for an alias to an unknown anchor).
func (n *Node) Target() *Node {
	if n.props == nil {
		return nil
	}
	return n.props.target
}

// Anchor is the node's anchor name ("" if none).
func (n *Node) Anchor() string {
	if n.props == nil {
		return ""
	}
	return n.props.anchor
}

// AnchorSpan is the span of the node's "&name" (empty if none).
func (n *Node) AnchorSpan() source.Span {
	if n.props == nil {
		return source.Span{}
	}
	return n.props.anchorSpan
}

// TagSpan is the span of an explicit tag ("!!str"), empty when none.
func (n *Node) TagSpan() source.Span {
	if n.props == nil {
		return source.Span{}
	}
	return n.props.tagSpan
}

func (n *Node) setProps(f func(*nodeProps)) {
	if n.props == nil {
		n.props = &nodeProps{}
	}
	f(n.props)
}

// Pair is one effective entry of a mapping, after merge keys are applied.
type Pair struct {
	Key, Value *Node
	// Via is the node through which the pair was merged in (the value of a
	// "<<" key: an alias, a mapping or a sequence item), nil when the pair
	// is written in the mapping itself.
	Via *Node
}

// KeyText returns the pair's key as a string (the scalar's text).
func (p Pair) KeyText() string { return p.Key.Resolve().Text }

// Resolve follows an alias to its anchored node; other nodes return
// themselves.
func (n *Node) Resolve() *Node {
	for i := 0; n != nil && n.Kind == AliasNode && i < 64; i++ {
		n = n.Target()
	}
	return n
}

// IsNull reports whether n resolves to a null scalar.
func (n *Node) IsNull() bool {
	r := n.Resolve()
	return r == nil || (r.Kind == ScalarNode && r.Tag() == TagNull)
}

// IsString reports whether n resolves to a str scalar.
func (n *Node) IsString() bool {
	r := n.Resolve()
	return r != nil && r.Kind == ScalarNode && r.Tag() == TagStr
}

// Scalar returns the constructed value of a scalar (string, int64,
// *big.Int, float64, bool, nil or Timestamp).
func (n *Node) Scalar() any {
	r := n.Resolve()
	if r == nil {
		return nil
	}
	return r.scalarValue()
}

// Pairs returns a mapping's effective entries, as PyYAML builds the dict:
// merged entries first, later keys overriding earlier ones while keeping the
// first position. For an alias it returns the target's pairs. Nil for
// non-mappings.
func (n *Node) Pairs() []Pair {
	r := n.Resolve()
	if r == nil || r.Kind != MappingNode {
		return nil
	}
	return r.effectivePairs()
}

// Get returns the effective entry for key.
func (n *Node) Get(key string) (Pair, bool) {
	for _, p := range n.Pairs() {
		if p.KeyText() == key {
			return p, true
		}
	}
	return Pair{}, false
}

// Items returns a sequence's items (aliases unresolved), or nil.
func (n *Node) Items() []*Node {
	r := n.Resolve()
	if r == nil || r.Kind != SequenceNode {
		return nil
	}
	return r.Content()
}

// TypeName names the node's PyYAML type for messages: "string", "integer",
// "float", "boolean", "null", "timestamp", "mapping", "sequence".
func (n *Node) TypeName() string {
	r := n.Resolve()
	if r == nil {
		return "null"
	}
	switch r.Kind {
	case MappingNode:
		return "mapping"
	case SequenceNode:
		return "sequence"
	}
	switch r.Tag() {
	case TagStr:
		return "string"
	case TagInt:
		return "integer"
	case TagFloat:
		return "float"
	case TagBool:
		return "boolean"
	case TagNull:
		return "null"
	case TagTimestamp:
		return "timestamp"
	case TagBinary:
		return "binary"
	}
	return r.Tag()
}

// Problem is something PyYAML would reject, or a YAML surprise worth
// reporting, found while reading the document.
type Problem struct {
	Kind    ProblemKind
	Span    source.Span
	Message string
	// Related points at other relevant places (the first of two duplicate
	// keys, the anchor of an alias).
	Related []source.Span
}

// ProblemKind classifies Problems.
type ProblemKind uint8

const (
	// SyntaxError: the text is not YAML; PyYAML fails to load the file.
	SyntaxError ProblemKind = iota + 1
	// LoadError: valid YAML that PyYAML's safe_load refuses (unhashable
	// key, unknown tag, several documents, bad merge).
	LoadError
	// DuplicateKey: PyYAML silently keeps the last value.
	DuplicateKey
	// TooLarge: a limit was hit; analysis is partial.
	TooLarge
)

// Document is a parsed prefect.yaml.
type Document struct {
	File *source.File
	// Root is the document's root node; nil when the text is empty, only
	// comments, or does not parse.
	Root     *Node
	Problems []Problem
	// Loadable reports whether PyYAML's safe_load would succeed.
	Loadable bool
	// Anchors maps each anchor name to the nodes defining it, in order.
	Anchors map[string][]*Node
	// Aliases lists every alias node.
	Aliases []*Node

	// expanded is ExpandedSize when the parse computed it (0: not).
	expanded int
	// nest is the nesting scan's marks over File's text (see nestScan).
	nest []nestMark
	// textRefs is, for a document that Reparse built, the indexes of the
	// deployments list's items from which on its nodes refer to the text
	// of a later version (see maxTextRefs); nil for a whole parse.
	textRefs []int
}

// Parse reads text. It never fails: problems are in Document.Problems.
func Parse(name, text string) *Document {
	return ParseFile(source.NewFile(name, text))
}

// ParseFile is Parse for a text whose line table is already built.
func ParseFile(file *source.File) *Document {
	text := file.Text()
	d := &Document{File: file, Anchors: map[string][]*Node{}, Loadable: true}
	if len(text) > MaxBytes {
		d.problem(TooLarge, source.Span{Start: 0, End: 0}, fmt.Sprintf("file is %d MiB; prefect-lsp reads at most %d MiB", len(text)>>20, MaxBytes>>20))
		d.Loadable = false
		return d
	}
	marks, err := checkNesting(text)
	if err != nil {
		d.problem(TooLarge, source.Span{Start: err.off, End: err.off + 1}, err.msg)
		d.Loadable = false
		return d
	}
	d.nest = marks
	root, pre, ok := d.load(text)
	if !ok {
		return d
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return d
	}
	b := &builder{doc: d, bomOffset: bomLen(text), pre: pre}
	d.Root = b.build(root.Content[0], -1, false, 0)
	if d.Root == nil {
		return d
	}
	b.resolveAliases()
	if b.tooDeep {
		return d
	}
	if len(b.aliases) == 0 {
		// Without aliases the node count is bounded by the text's size.
	} else if n := expandedSize(d.Root, map[*Node]int{}); n > MaxExpandedNodes {
		d.problem(TooLarge, d.Root.Span, fmt.Sprintf("aliases expand this file to more than %d nodes (an alias bomb?); prefect-lsp stops here", MaxExpandedNodes))
		d.Loadable = false
		return d
	} else {
		d.expanded = n
	}
	b.flatten(d.Root)
	b.checkTabs()
	return d
}

// load loads text into a document node, in parts when it is large (see
// loadInParts: pre is then the deployments list, already converted). ok
// is false when there is nothing to build: no document, or an error that
// d now holds.
func (d *Document) load(text string) (root *yaml.Node, pre *prebuiltList, ok bool) {
	if n := partsFor(len(text)); n > 1 {
		if root, pre, ok := d.loadInParts(text, n); ok {
			return root, pre, true
		}
	}
	loader, err := yaml.NewLoader(strings.NewReader(text), yaml.WithUniqueKeys(false))
	if err != nil {
		d.problem(SyntaxError, source.Span{}, err.Error())
		d.Loadable = false
		return nil, nil, false
	}
	root = new(yaml.Node)
	if err := safeLoad(loader, root); err != nil {
		if !errors.Is(err, io.EOF) {
			d.syntaxError(err)
		}
		return nil, nil, false
	}
	// PyYAML's safe_load wants exactly one document.
	var next yaml.Node
	if err := safeLoad(loader, &next); err == nil {
		d.problem(LoadError, d.startOf(&next), "the file holds more than one YAML document (\"---\"); Prefect reads only single-document files and fails to load this one")
		d.Loadable = false
	} else if !errors.Is(err, io.EOF) {
		d.syntaxError(err)
	}
	return root, nil, true
}

func bomLen(text string) int {
	if strings.HasPrefix(text, "\ufeff") {
		return 3
	}
	return 0
}

func safeLoad(l *yaml.Loader, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: internal error: %v", r)
		}
	}()
	return l.Load(n)
}

func (d *Document) problem(k ProblemKind, s source.Span, msg string, related ...source.Span) {
	d.Problems = append(d.Problems, Problem{Kind: k, Span: s, Message: msg, Related: related})
}

func (d *Document) syntaxError(err error) {
	d.Loadable = false
	var le *yaml.LoadError
	if errors.As(err, &le) {
		off := d.offset(le.Mark.Line, le.Mark.Column)
		msg := le.Message
		if le.ContextMsg != "" {
			msg = le.ContextMsg + ": " + msg
		}
		s := source.Span{Start: off, End: tokenEnd(d.File.Text(), off)}
		var related []source.Span
		if le.ContextMark.Line > 0 && (le.ContextMark.Line != le.Mark.Line || le.ContextMark.Column != le.Mark.Column) {
			c := d.offset(le.ContextMark.Line, le.ContextMark.Column)
			related = append(related, source.Span{Start: c, End: tokenEnd(d.File.Text(), c)})
		}
		d.problem(SyntaxError, s, msg, related...)
		return
	}
	var les *yaml.LoadErrors
	if errors.As(err, &les) && len(les.Errors) > 0 {
		for _, e := range les.Errors {
			d.syntaxError(e)
		}
		return
	}
	d.problem(SyntaxError, source.Span{}, strings.TrimPrefix(err.Error(), "yaml: "))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// offset converts the library's one-based line and code-point column.
func (d *Document) offset(line, col int) int {
	if line <= 0 {
		return 0
	}
	if line > 1 || bomLen(d.File.Text()) == 0 {
		// Fast path for the common case, an ASCII line prefix: the column
		// (in code points) is the byte distance from the line start.
		start, end := d.File.LineStart(line-1), d.File.LineEnd(line-1)
		want := col - 1
		if want <= 0 {
			return start
		}
		if start+want <= end && isASCII(d.File.Text()[start:start+want]) {
			return start + want
		}
	}
	off := d.File.OffsetOfColumn(line, col)
	if line == 1 && bomLen(d.File.Text()) > 0 {
		off = d.File.OffsetOfColumn(line, col+1)
	}
	return off
}

func (d *Document) startOf(n *yaml.Node) source.Span {
	off := d.offset(n.Line, n.Column)
	return source.Span{Start: off, End: tokenEnd(d.File.Text(), off)}
}

// tokenEnd returns the end of the token starting at off: up to the next
// space or line end, at least one byte when not at a line end.
func tokenEnd(text string, off int) int {
	if off >= len(text) {
		return len(text)
	}
	i := off
	for i < len(text) && text[i] != ' ' && text[i] != '\t' && text[i] != '\n' && text[i] != '\r' {
		i++
	}
	if i == off && text[i] != '\n' && text[i] != '\r' {
		i++
	}
	return i
}

type nestingError struct {
	off int
	msg string
}

// checkNesting rejects documents nested deeper than MaxDepth before the YAML
// library recurses into them. It returns the scan's marks (see nestScan).
func checkNesting(text string) ([]nestMark, *nestingError) {
	return nestScan(text, nestMark{}, nil)
}

// nestMark is the state of checkNesting's scan at the top of its loop, at
// offset off: the scan from there depends on nothing else, so Reparse
// resumes it at the last mark before an edit instead of scanning the
// whole text again.
type nestMark struct {
	off, depth int
	quote      byte
}

// nestMarkEvery is about how far apart the scan leaves marks (tests set
// it lower).
var nestMarkEvery = 16 << 10

// nestScan runs checkNesting's scan over text from the state at, leaving
// a mark about every nestMarkEvery bytes. resume holds the marks of an
// earlier scan of a text whose remainder is this one's from the first of
// them on (offsets already in this text): when the scan reaches one of
// them in the same state, the rest is the earlier scan's, and it stops
// there (the earlier text passed).
func nestScan(text string, at nestMark, resume []nestMark) ([]nestMark, *nestingError) {
	var marks []nestMark
	depth, inQuote := at.depth, at.quote
	next := at.off
	for i := at.off; i < len(text); i++ {
		if i >= next {
			here := nestMark{off: i, depth: depth, quote: inQuote}
			for len(resume) > 0 && resume[0].off < i {
				resume = resume[1:]
			}
			if len(resume) > 0 && resume[0] == here {
				return append(marks, resume...), nil
			}
			marks = append(marks, here)
			next = i + nestMarkEvery
			if len(resume) > 0 {
				next = min(next, resume[0].off)
			}
		}
		c := text[i]
		if inQuote != 0 {
			if c == '\\' && inQuote == '"' {
				i++
			} else if c == inQuote {
				inQuote = 0
			}
			continue
		}
		switch c {
		case '[', '{':
			depth++
			if depth > MaxDepth {
				return nil, &nestingError{off: i, msg: fmt.Sprintf("flow collections are nested more than %d deep; prefect-lsp stops here", MaxDepth)}
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		case '#':
			for i < len(text) && text[i] != '\n' {
				i++
			}
		case '"':
			if depth > 0 {
				inQuote = c
			}
		case '\n':
			if depth == 0 {
				inQuote = 0
			}
		}
	}
	return marks, nil
}

// ExpandedSize counts the nodes the document stands for once aliases are
// expanded (capped just above MaxExpandedNodes). It is additive over the
// parts of a mapping or sequence, which lets incremental analysis bound the
// size of a document it did not parse whole.
func (d *Document) ExpandedSize() int {
	if d == nil || d.Root == nil {
		return 0
	}
	if d.expanded > 0 {
		return d.expanded
	}
	return expandedSize(d.Root, map[*Node]int{})
}

// EmptySequence returns a new sequence node with no items and no place in
// any text (for a check that takes a list as empty).
func EmptySequence() *Node {
	return &Node{Kind: SequenceNode, tag: tagSeq}
}
