package analysis

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// Incremental analysis: an edit costs what changed, not the file.
//
// A full analysis (Run) of a file whose `deployments:` is a block list
// remembers where each item's text is (its region: from the line of its
// dash to the line of the next one), the anchors each item defines and the
// aliases it uses, and every finding as its rule reported it. When the next
// version of the text differs from this one only inside one item's region
// (after its dash), RunIncremental re-reads that item alone: it builds a
// stand-in document that is the file with every other item replaced by a
// one-line null item (so the item keeps its index and its columns, and the
// rest of the file keeps its text; line numbers differ, so a finding of the
// edited item that names a line is left to a full analysis), parses it
// once for the old text of the item and once for the new, and
// runs the ScopeDeployment rules on both. The findings of the old stand-in
// are removed from the remembered ones, those of the new stand-in added,
// and everything after the item shifted by the change in length. ScopeFile
// rules with a Fingerprint keep their findings while the item's fingerprint
// is unchanged and none of their findings touch the item.
//
// Correctness first: the fast path is taken only when it provably gives
// what Run gives, and falls back to Run otherwise — an edit outside the
// deployments list or across an item boundary, a stand-in that does not
// parse cleanly or whose list does not have the expected items, anchors
// defined in the item and aliased after it or aliases in the item to
// anchors of earlier items, a rule without a declared scope, findings that
// name line numbers when the line count changed, a change of configuration
// or environment, or any mismatch between what the old stand-in found and
// what the full analysis had found for the item.

// incState is what a Result keeps for RunIncremental.
type incState struct {
	src         *source.File // the text analysed
	path        string
	rules       []*Rule
	cfg         *config.Config
	cfgProblems []config.Problem
	env         *Env
	layout      *layout
	raw         []rawDiagnostic
	expanded    int // ExpandedSize of the whole document
	// fingerprints holds, for each ScopeFile rule with a Fingerprint (by
	// rule index), the fingerprint of every deployment of the list.
	fingerprints map[int][]string
	// last is what the stand-in of the item edited last found, reused as
	// the old stand-in when the next edit is in the same item (typing).
	last *lastItem
}

type lastItem struct {
	index int
	text  string // the item's region text
	found classified
	// doc is the item's stand-in document, from which the next edit's
	// stand-in is built (yamlsyntax.Reparse: its text differs from this
	// one's inside the item only).
	doc *yamlsyntax.Document
}

const noDeployment = "\x00none"

func fingerprintOf(r *Rule, d *prefectyaml.Deployment) string {
	if d == nil {
		return noDeployment
	}
	return r.Fingerprint(d)
}

// fingerprintsOf computes the fingerprints of every deployment of file for
// the ScopeFile rules that have one.
func fingerprintsOf(rules []*Rule, file *prefectyaml.File, n int) map[int][]string {
	out := map[int][]string{}
	for k, r := range rules {
		if r.Scope == ScopeDeployment || r.Fingerprint == nil {
			continue
		}
		fps := make([]string, n)
		for j := range fps {
			fps[j] = noDeployment
		}
		for _, d := range file.Deployments {
			if d.Index >= 0 && d.Index < n {
				fps[d.Index] = r.Fingerprint(d)
			}
		}
		out[k] = fps
	}
	return out
}

// layout is where the deployments list's items are in one version of the
// text.
type layout struct {
	indent  int   // column of the items' dashes
	starts  []int // start of each item's region: the start of its dash line
	end     int   // end of the last region: the line of the next top-level key, or the end of the text
	lines   []int // newlines in each region
	anchors [][]string
	aliases [][]string
	// tailAliases are the aliases used after the list.
	tailAliases []string
}

func (l *layout) regionEnd(i int) int {
	if i+1 < len(l.starts) {
		return l.starts[i+1]
	}
	return l.end
}

// region returns the item whose region holds off, or -1.
func (l *layout) region(off int) int {
	if off < l.starts[0] || off >= l.end {
		return -1
	}
	return sort.Search(len(l.starts), func(k int) bool { return l.starts[k] > off }) - 1
}

// structural reports problems that make the document's structure
// uncertain or its analysis partial.
func structural(doc *yamlsyntax.Document) bool {
	if !doc.Loadable {
		return true
	}
	for _, p := range doc.Problems {
		if p.Kind != yamlsyntax.DuplicateKey {
			return true
		}
	}
	return false
}

// deploymentsList finds the root's `deployments:` key (written once, at
// column 0) and its block list.
func deploymentsList(doc *yamlsyntax.Document) (root *yamlsyntax.Node, keyIndex int, list *yamlsyntax.Node) {
	root = doc.Root
	if root == nil || root.Kind != yamlsyntax.MappingNode || root.Style != yamlsyntax.Block || root.Anchor() != "" || root.TagSpan() != (source.Span{}) {
		return nil, -1, nil
	}
	keyIndex = -1
	content := root.Content()
	for j := 0; j+1 < len(content); j += 2 {
		k := content[j]
		if k.Kind != yamlsyntax.ScalarNode {
			return nil, -1, nil
		}
		switch k.Text {
		case "deployments":
			if keyIndex >= 0 {
				return nil, -1, nil
			}
			keyIndex = j
		case "<<":
			return nil, -1, nil
		}
	}
	if keyIndex < 0 {
		return nil, -1, nil
	}
	list = content[keyIndex+1]
	if list.Kind != yamlsyntax.SequenceNode || list.Style != yamlsyntax.Block || list.Anchor() != "" || list.TagSpan() != (source.Span{}) {
		return nil, -1, nil
	}
	return root, keyIndex, list
}

// layoutOf measures the deployments list of a fully parsed document; nil
// when its shape does not allow incremental analysis.
func layoutOf(doc *yamlsyntax.Document) *layout {
	if structural(doc) {
		return nil
	}
	root, j, list := deploymentsList(doc)
	if list == nil || len(list.Content()) == 0 {
		return nil
	}
	f, text := doc.File, doc.File.Text()
	top := root.Content()
	key := top[j]
	if f.LineStart(int(key.Line)) != key.Span.Start || key.Style != yamlsyntax.Plain {
		return nil
	}
	l := &layout{indent: -1, end: len(text)}
	for _, item := range list.Content() {
		line := f.LineOf(item.Span.Start)
		if line <= int(key.Line) {
			return nil
		}
		ls := f.LineStart(line)
		prefix := strings.TrimRight(text[ls:item.Span.Start], " ")
		if !strings.HasSuffix(prefix, "-") || strings.TrimLeft(prefix[:len(prefix)-1], " ") != "" {
			return nil
		}
		if l.indent < 0 {
			l.indent = len(prefix) - 1
		} else if len(prefix)-1 != l.indent {
			return nil
		}
		if n := len(l.starts); n > 0 && l.starts[n-1] >= ls {
			return nil
		}
		l.starts = append(l.starts, ls)
	}
	if j+2 < len(top) {
		next := top[j+2]
		if f.LineStart(int(next.Line)) != next.Span.Start {
			return nil
		}
		l.end = next.Span.Start
	}
	if l.end <= l.starts[len(l.starts)-1] {
		return nil
	}
	n := len(l.starts)
	l.lines = make([]int, n)
	l.anchors = make([][]string, n)
	l.aliases = make([][]string, n)
	for k := range l.starts {
		l.lines[k] = strings.Count(text[l.starts[k]:l.regionEnd(k)], "\n")
	}
	for name, nodes := range doc.Anchors {
		for _, a := range nodes {
			if k := l.region(a.AnchorSpan().Start); k >= 0 {
				l.anchors[k] = append(l.anchors[k], name)
			}
		}
	}
	for _, a := range doc.Aliases {
		if k := l.region(a.Span.Start); k >= 0 {
			l.aliases[k] = append(l.aliases[k], a.Text)
		} else if a.Span.Start >= l.end {
			l.tailAliases = append(l.tailAliases, a.Text)
		}
	}
	return l
}

// assignOrigins sets each finding's origin: the item its first span in the
// list lies in.
func (l *layout) assignOrigins(raw []rawDiagnostic) {
	for i := range raw {
		raw[i].origin = -1
		forEachSpan(raw[i].d, func(s *source.Span) bool {
			if k := l.region(s.Start); k >= 0 {
				raw[i].origin = k
				return false
			}
			return true
		})
	}
}

// forEachSpan calls f with every span of d in the analysed file (its own,
// related places in the file, fix edits of the file) until f returns false.
func forEachSpan(d *Diagnostic, f func(*source.Span) bool) {
	if !f(&d.Span) {
		return
	}
	for i := range d.Related {
		if d.Related[i].Path == "" && !f(&d.Related[i].Span) {
			return
		}
	}
	for i := range d.Fixes {
		for j := range d.Fixes[i].Edits {
			if !f(&d.Fixes[i].Edits[j].Span) {
				return
			}
		}
	}
}

// cloneDiagnostic copies d deeply enough that its spans can be changed.
func cloneDiagnostic(d *Diagnostic) *Diagnostic {
	c := *d
	c.Related = append([]Related(nil), d.Related...)
	if d.Fixes != nil {
		c.Fixes = make([]Fix, len(d.Fixes))
		for i, fx := range d.Fixes {
			fx.Edits = append([]source.Edit(nil), fx.Edits...)
			c.Fixes[i] = fx
		}
	}
	return &c
}

func diagKey(rule int, d *Diagnostic) string { return fmt.Sprintf("%d|%v", rule, *d) }

// RunIncremental analyses the input given the analysis of an earlier version
// of the same document (prev, from Run or RunIncremental). Its result is
// exactly what Run(ctx, in, rules) returns, computed from what changed when
// the change allows it. The result's Doc and File are nil when the fast
// path was taken: callers that need the syntax tree parse the text.
func RunIncremental(ctx context.Context, prev *Result, in Input, rules []*Rule) *Result {
	return RunIncrementalAround(ctx, prev, in, rules, nil)
}

// RunIncrementalAround is RunIncremental with the full analysis, when the
// edit needs one, run inside around (directly when around is nil): for a
// caller that prepares the process for the larger work, as the language
// server lowers its garbage collector's target while a whole file is read.
func RunIncrementalAround(ctx context.Context, prev *Result, in Input, rules []*Rule, around func(full func())) *Result {
	res, ok, why := runIncremental(ctx, prev, in, rules)
	if ok {
		return res
	}
	if around == nil {
		around = func(full func()) { full() }
	}
	around(func() { res = Run(ctx, in, rules) })
	if res != nil {
		res.FullBecause = why
		if res.inc == nil && prev != nil {
			// A version that cannot be analysed incrementally (a syntax
			// error while a key is being typed): the next edit starts
			// from the last one that could.
			res.lastGood = prev.inc
			if res.lastGood == nil {
				res.lastGood = prev.lastGood
			}
		}
	}
	return res
}

// standIn is one parsed stand-in document for an item.
type standIn struct {
	doc                  *yamlsyntax.Document
	file                 *prefectyaml.File
	dStart, dEnd, sStart int // where the item and the rest of the file are in the stand-in
	pEnd                 int // end of the text before the list's first item
	anchors, aliases     []string
}

const (
	zonePlaceholder = -1
	zoneP           = 0
	zoneD           = 1
	zoneS           = 2
)

// zone classifies a stand-in offset: a start offset belongs to the zone
// it opens, an end offset to the zone it closes.
func (s *standIn) zone(o int, isEnd bool) (zone, rel int) {
	if isEnd {
		switch {
		case o > s.dStart && o <= s.dEnd:
			return zoneD, o - s.dStart
		case o <= s.pEnd:
			return zoneP, o
		case o > s.sStart:
			return zoneS, o - s.sStart
		}
		return zonePlaceholder, 0
	}
	switch {
	case o >= s.dStart && o < s.dEnd:
		return zoneD, o - s.dStart
	case o < s.pEnd:
		return zoneP, o
	case o >= s.sStart:
		return zoneS, o - s.sStart
	}
	return zonePlaceholder, 0
}

// buildStandIn builds the stand-in document of item i of src, whose
// deployments list l describes. from, when not nil, is a stand-in of the
// same item of another version: the document is built from it when
// yamlsyntax.Reparse can (the two texts differ inside the item only), so
// that the placeholders and the rest of the file are not read again.
func buildStandIn(path string, src *source.File, l *layout, i int, from *yamlsyntax.Document) *standIn {
	// Every other item is a one-line null item: the item keeps its index
	// and its columns, the stand-in stays small, and only its line numbers
	// differ from the full text's (findings that name a line are checked
	// for in runIncremental).
	placeholder := strings.Repeat(" ", l.indent) + "-\n"
	after := 0
	if i+1 < len(l.starts) {
		after = len(placeholder)
	}
	var b strings.Builder
	b.Grow(l.starts[0] + i*len(placeholder) + (l.regionEnd(i) - l.starts[i]) + after + src.Len() - l.end)
	b.WriteString(src.Slice(source.Span{Start: 0, End: l.starts[0]}))
	for range i {
		b.WriteString(placeholder)
	}
	s := &standIn{pEnd: l.starts[0], dStart: b.Len()}
	b.WriteString(src.Slice(source.Span{Start: l.starts[i], End: l.regionEnd(i)}))
	s.dEnd = b.Len()
	if after > 0 {
		b.WriteString(placeholder)
	}
	s.sStart = b.Len()
	b.WriteString(src.Slice(source.Span{Start: l.end, End: src.Len()}))
	f := source.NewFile(path, b.String())
	if from != nil {
		if doc, ok := yamlsyntax.Reparse(from, f); ok {
			s.doc = doc
			return s
		}
	}
	s.doc = yamlsyntax.ParseFile(f)
	return s
}

// check verifies that the stand-in has the structure of the full text: a
// clean parse, the list with the item where it was, the same top-level
// keys as other.
func (s *standIn) check(i, n int) bool {
	if structural(s.doc) {
		return false
	}
	root, _, list := deploymentsList(s.doc)
	if list == nil {
		return false
	}
	want := i + 1
	if i+1 < n {
		want++
	}
	items := list.Content()
	if len(items) != want {
		return false
	}
	item := items[i]
	if item.Span.Start < s.dStart || item.Span.End > s.dEnd {
		return false
	}
	for k := 0; k < i; k++ {
		if items[k].Span.End > s.dStart {
			return false
		}
	}
	if i+1 < n && items[i+1].Span.Start < s.dEnd {
		return false
	}
	_ = root
	for name, nodes := range s.doc.Anchors {
		for _, a := range nodes {
			if z, _ := s.zone(a.AnchorSpan().Start, false); z == zoneD {
				s.anchors = append(s.anchors, name)
			}
		}
	}
	for _, a := range s.doc.Aliases {
		if z, _ := s.zone(a.Span.Start, false); z == zoneD {
			s.aliases = append(s.aliases, a.Text)
		}
	}
	s.file = prefectyaml.Parse(s.doc)
	return true
}

func sameRootKeys(a, b *yamlsyntax.Document) bool {
	ca, cb := a.Root.Content(), b.Root.Content()
	if len(ca) != len(cb) {
		return false
	}
	for j := 0; j < len(ca); j += 2 {
		if ca[j].Text != cb[j].Text {
			return false
		}
	}
	return true
}

func (s *standIn) deployment(i int) *prefectyaml.Deployment {
	for _, d := range s.file.Deployments {
		if d.Index == i {
			return d
		}
	}
	return nil
}

// classified is a stand-in's findings, sorted out.
type classified struct {
	header   []string        // keys of findings outside the item (canonical offsets)
	item     []rawDiagnostic // findings touching the item, in full-text offsets
	expanded int             // ExpandedSize of the stand-in
}

// classify sorts a stand-in's findings: those about placeholder items are
// dropped, those touching the item are mapped to the full text (item at
// itemStart, rest of the file at tailStart), the others keyed for
// comparison. ok is false when a finding does not fit the contract of
// ScopeDeployment.
func (s *standIn) classify(raw []rawDiagnostic, i, itemStart, tailStart int) (c classified, ok bool) {
	for _, r := range raw {
		if z, _ := s.zone(r.d.Span.Start, false); z == zonePlaceholder {
			continue
		}
		touches, bad := false, false
		canon := cloneDiagnostic(r.d)
		full := cloneDiagnostic(r.d)
		fullSpans := []*source.Span{}
		forEachSpan(full, func(sp *source.Span) bool { fullSpans = append(fullSpans, sp); return true })
		idx := 0
		forEachSpan(canon, func(sp *source.Span) bool {
			zs, rs := s.zone(sp.Start, false)
			ze, re := s.zone(sp.End, true)
			if sp.Start == sp.End {
				ze, re = zs, rs
			}
			if zs == zonePlaceholder || ze == zonePlaceholder {
				bad = true
				return false
			}
			if zs == zoneD || ze == zoneD {
				touches = true
			}
			base := func(z int) int {
				switch z {
				case zoneD:
					return itemStart
				case zoneS:
					return tailStart
				}
				return 0
			}
			fullSpans[idx].Start, fullSpans[idx].End = base(zs)+rs, base(ze)+re
			sp.Start, sp.End = zs<<40|rs, ze<<40|re
			idx++
			return true
		})
		if bad {
			return c, false
		}
		if touches {
			c.item = append(c.item, rawDiagnostic{d: full, rule: r.rule, origin: i, seq: r.seq})
		} else {
			c.header = append(c.header, diagKey(r.rule, canon))
		}
	}
	sort.Strings(c.header)
	return c, true
}

func touchesSpan(d *Diagnostic, lo, hi int) bool {
	t := false
	forEachSpan(d, func(s *source.Span) bool {
		if s.Start < hi && s.End > lo || s.Start == s.End && s.Start >= lo && s.Start < hi {
			t = true
			return false
		}
		return true
	})
	return t
}

func mentionsLine(d *Diagnostic) bool {
	if strings.Contains(d.Message, "line") {
		return true
	}
	for _, r := range d.Related {
		if strings.Contains(r.Message, "line") {
			return true
		}
	}
	return false
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func contains(list []string, name string) bool {
	for _, x := range list {
		if x == name {
			return true
		}
	}
	return false
}

func sameRuleList(a, b []*Rule) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func runIncremental(ctx context.Context, prev *Result, in Input, rules []*Rule) (*Result, bool, string) {
	if prev == nil || in.Config == nil || in.Env == nil {
		return nil, false, "no earlier analysis of a list of deployments to start from"
	}
	st := prev.inc
	if st == nil {
		st = prev.lastGood
	}
	if st == nil {
		return nil, false, "no earlier analysis of a list of deployments to start from"
	}
	if st.path != in.Path || st.env != in.Env || !sameRuleList(st.rules, rules) ||
		!reflect.DeepEqual(st.cfg, in.Config) || !reflect.DeepEqual(st.cfgProblems, in.ConfigProblems) {
		return nil, false, "the path, rules, configuration or environment changed"
	}
	oldSrc, newSrc := st.src, in.Source()
	if newSrc.Len() >= yamlsyntax.MaxBytes {
		return nil, false, "the text is too large"
	}
	if oldSrc.HasLoneCR() || newSrc.HasLoneCR() {
		// A lone \r ends a line for YAML and for the line table, but the
		// item regions and the placeholders count \n.
		return nil, false, "a lone carriage return ends a line"
	}
	// The changed range: old[p:oldEnd] became new[p:newEnd] (found from
	// the edited windows when the server's File was made by Edit).
	p, oldEnd, newEnd := source.Changed(oldSrc, newSrc)
	if p == oldEnd && p == newEnd {
		return nil, false, "the text is unchanged (something else changed)"
	}
	off := disabledRules(in.Path, in.Config)
	for _, r := range rules {
		if !off[r.ID] && !off["*"] && r.Scope != ScopeDeployment && r.Fingerprint == nil {
			return nil, false, "a rule compares deployments and has no fingerprint"
		}
	}
	delta := newEnd - oldEnd
	l := st.layout
	i := l.region(p)
	if i < 0 || p <= l.starts[i]+l.indent || oldEnd >= l.regionEnd(i) {
		return nil, false, "the edit is not inside one deployment"
	}
	n := len(l.starts)
	// The new layout.
	nl := &layout{indent: l.indent, end: l.end + delta, tailAliases: l.tailAliases}
	nl.starts = make([]int, n)
	copy(nl.starts, l.starts)
	for k := i + 1; k < n; k++ {
		nl.starts[k] += delta
	}
	// The per-item tables are shared with the earlier layout (which is
	// never changed) unless item i's entry changes.
	newItem := newSrc.Slice(source.Span{Start: nl.starts[i], End: nl.regionEnd(i)})
	nl.lines = l.lines
	if c := strings.Count(newItem, "\n"); c != l.lines[i] {
		nl.lines = append([]int(nil), l.lines...)
		nl.lines[i] = c
	}
	lineDelta := nl.lines[i] - l.lines[i]

	var cached *classified
	if st.last != nil && st.last.index == i && st.last.text == oldSrc.Slice(source.Span{Start: l.starts[i], End: l.regionEnd(i)}) {
		cached = &st.last.found
	}
	var olds *standIn
	var from *yamlsyntax.Document
	if cached == nil {
		olds = buildStandIn(in.Path, oldSrc, l, i, nil)
		if !olds.check(i, n) {
			return nil, false, "the edited deployment does not read as one clean list item"
		}
		from = olds.doc
	} else {
		from = st.last.doc
	}
	news := buildStandIn(in.Path, newSrc, nl, i, from)
	if !news.check(i, n) || olds != nil && !sameRootKeys(olds.doc, news.doc) {
		return nil, false, "the edited deployment does not read as one clean list item"
	}
	// Anchors the item defines must not be aliased after it; aliases it
	// uses must not name anchors of earlier items (the stand-in lacks them).
	for _, name := range append(append([]string(nil), l.anchors[i]...), news.anchors...) {
		if contains(l.tailAliases, name) {
			return nil, false, "an anchor of the edited deployment is aliased after it"
		}
		for k := i + 1; k < n; k++ {
			if contains(l.aliases[k], name) {
				return nil, false, "an anchor of the edited deployment is aliased after it"
			}
		}
	}
	for _, name := range append(append([]string(nil), l.aliases[i]...), news.aliases...) {
		for k := 0; k < i; k++ {
			if contains(l.anchors[k], name) {
				return nil, false, "the edited deployment aliases an anchor of an earlier one"
			}
		}
	}
	ne := news.doc.ExpandedSize()
	oe := ne
	if cached != nil {
		oe = cached.expanded
	} else {
		oe = olds.doc.ExpandedSize()
	}
	expanded := st.expanded - oe + ne
	if oe > yamlsyntax.MaxExpandedNodes || ne > yamlsyntax.MaxExpandedNodes || expanded > yamlsyntax.MaxExpandedNodes {
		return nil, false, "aliases expand the file close to the limit"
	}
	// File-scoped rules keep their findings while the item's fingerprint
	// holds, or while neither its old nor its new fingerprint is shared
	// with another deployment (the rule compares fingerprints).
	nd := news.deployment(i)
	fileScoped := map[int]bool{}
	fingerprints := map[int][]string{}
	for k, r := range rules {
		if r.Scope == ScopeDeployment || r.Fingerprint == nil {
			continue
		}
		fps := st.fingerprints[k]
		if len(fps) != n {
			return nil, false, "no fingerprints of the deployments"
		}
		was, now := fps[i], fingerprintOf(r, nd)
		if olds != nil && fingerprintOf(r, olds.deployment(i)) != was {
			return nil, false, "the deployment in isolation differs from the full analysis"
		}
		if was != now {
			for j, fp := range fps {
				if j != i && (fp == was || fp == now) {
					return nil, false, "the edit changes what a cross-deployment rule compares"
				}
			}
			fps = append([]string(nil), fps...)
			fps[i] = now
		}
		fingerprints[k] = fps
		if !off[r.ID] && !off["*"] {
			fileScoped[k] = true
		}
	}
	deploymentScoped := func(k int) bool { return rules[k].Scope == ScopeDeployment }
	newRaw, errs, ok := runRules(ctx, in.Path, news.doc, news.file, in.Config, in.ConfigProblems, in.Env, rules, deploymentScoped, i)
	if !ok {
		return nil, true, ""
	}
	if len(errs) > 0 {
		return nil, false, "a rule failed"
	}
	var oc classified
	ok1 := true
	if cached != nil {
		oc = *cached
	} else {
		oldRaw, errs, ok := runRules(ctx, in.Path, olds.doc, olds.file, in.Config, in.ConfigProblems, in.Env, rules, deploymentScoped, i)
		if !ok {
			return nil, true, ""
		}
		if len(errs) > 0 {
			return nil, false, "a rule failed"
		}
		oc, ok1 = olds.classify(oldRaw, i, l.starts[i], l.end)
	}
	nc, ok2 := news.classify(newRaw, i, nl.starts[i], nl.end)
	nc.expanded = ne
	if !ok1 || !ok2 || !equalStrings(oc.header, nc.header) {
		return nil, false, "the edit changes findings outside the deployment"
	}
	for _, r := range nc.item {
		if mentionsLine(r.d) {
			// The stand-in's line numbers are not the file's.
			return nil, false, "a finding of the edited deployment names a line"
		}
	}
	// What the full analysis found for the item must be what the old
	// stand-in found.
	lo, hi := l.starts[i], l.regionEnd(i)
	var removed []string
	var kept []rawDiagnostic
	for _, r := range st.raw {
		if !touchesSpan(r.d, lo, hi) {
			kept = append(kept, r)
			continue
		}
		if fileScoped[r.rule] || r.origin != i {
			return nil, false, "a finding of a cross-deployment rule touches the edited deployment"
		}
		removed = append(removed, diagKey(r.rule, r.d))
	}
	found := make([]string, len(oc.item))
	for k, r := range oc.item {
		found[k] = diagKey(r.rule, r.d)
	}
	sort.Strings(removed)
	sort.Strings(found)
	if !equalStrings(removed, found) {
		return nil, false, "the deployment's findings in isolation differ from those of the full analysis"
	}
	raw := make([]rawDiagnostic, 0, len(kept)+len(nc.item))
	for _, r := range kept {
		if lineDelta != 0 && mentionsLine(r.d) {
			return nil, false, "the line count changed and a finding names a line"
		}
		shift := false
		forEachSpan(r.d, func(s *source.Span) bool {
			if s.End >= hi {
				shift = true
				return false
			}
			return true
		})
		if shift && delta != 0 {
			d := cloneDiagnostic(r.d)
			forEachSpan(d, func(s *source.Span) bool {
				if s.Start >= hi {
					s.Start += delta
				}
				if s.End >= hi {
					s.End += delta
				}
				return true
			})
			r.d = d
		}
		raw = append(raw, r)
	}
	raw = append(raw, nc.item...)

	nl.anchors, nl.aliases = l.anchors, l.aliases
	if !equalStrings(l.anchors[i], news.anchors) {
		nl.anchors = append([][]string(nil), l.anchors...)
		nl.anchors[i] = news.anchors
	}
	if !equalStrings(l.aliases[i], news.aliases) {
		nl.aliases = append([][]string(nil), l.aliases...)
		nl.aliases[i] = news.aliases
	}
	res := &Result{Path: in.Path, Src: newSrc, Config: in.Config}
	res.inc = &incState{src: newSrc, path: in.Path, rules: rules, cfg: st.cfg, cfgProblems: st.cfgProblems, env: st.env, layout: nl, raw: append([]rawDiagnostic(nil), raw...), expanded: expanded, fingerprints: fingerprints,
		last: &lastItem{index: i, text: newItem, found: nc, doc: news.doc}}
	finish(res, in.Config, raw)
	return res, true, ""
}

// Incremental reports whether the result was computed from an earlier one
// (RunIncremental's fast path) rather than by a full analysis.
func (r *Result) Incremental() bool { return r != nil && r.inc != nil && r.Doc == nil }
