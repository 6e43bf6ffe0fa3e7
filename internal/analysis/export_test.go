package analysis

// StandInBuiltFrom reports whether the stand-in document of next's edited
// deployment was built from prev's (yamlsyntax.Reparse shares the nodes
// before the item, so the first root key is the same node) rather than
// parsed again.
func StandInBuiltFrom(prev, next *Result) bool {
	if prev == nil || next == nil || prev.inc == nil || next.inc == nil || prev.inc.last == nil || next.inc.last == nil {
		return false
	}
	a, b := prev.inc.last.doc, next.inc.last.doc
	if a == nil || b == nil || a == b || a.Root == nil || b.Root == nil || len(a.Root.Content()) == 0 || len(b.Root.Content()) == 0 {
		return false
	}
	return a.Root.Content()[0] == b.Root.Content()[0]
}
