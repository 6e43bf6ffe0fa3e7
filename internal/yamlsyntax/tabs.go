package yamlsyntax

import (
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// checkTabs reports tabs where PyYAML's scanner expects a token to start:
// unlike YAML 1.2 parsers, PyYAML skips only spaces between tokens, so
// "key:<TAB>value" or "[a,<TAB>b]" fails to load ("found character '\t' that
// cannot start any token").
func (b *builder) checkTabs() {
	text := b.doc.File.Text()
	if strings.IndexByte(text, '\t') < 0 {
		return
	}
	var skip []source.Span
	var collect func(n *Node)
	seen := map[*Node]bool{}
	collect = func(n *Node) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		if n.Kind == ScalarNode && n.Style != Plain {
			skip = append(skip, n.Span)
		}
		for _, c := range n.Content() {
			collect(c)
		}
	}
	collect(b.doc.Root)
	inSkip := func(i int) bool {
		for _, s := range skip {
			if s.Start <= i && i < s.End {
				return true
			}
		}
		return false
	}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '#':
			if i == 0 || isSpace(text[i-1]) {
				if !inSkip(i) {
					i = lineEndAt(text, i)
				}
			}
		case '\t':
			if inSkip(i) {
				continue
			}
			// Look back over blanks to the previous significant byte.
			j := i - 1
			for j >= 0 && (text[j] == ' ' || text[j] == '\t') {
				j--
			}
			if j >= 0 && text[j] != '\n' && text[j] != '\r' && text[j] != ':' && text[j] != '-' && text[j] != ',' && text[j] != '[' && text[j] != '{' && text[j] != '?' {
				continue
			}
			// Whatever follows decides: a tab before a line end or a
			// comment is harmless.
			k := i
			for k < len(text) && (text[k] == ' ' || text[k] == '\t') {
				k++
			}
			if k >= len(text) || text[k] == '\n' || text[k] == '\r' || text[k] == '#' {
				continue
			}
			if j >= 0 && text[j] == '-' && j > 0 && !isSpace(text[j-1]) {
				continue // inside a word such as "a-\tb"
			}
			if j >= 0 && text[j] == ':' && j+1 < len(text) && text[j+1] != ' ' && text[j+1] != '\t' {
				continue
			}
			b.doc.Loadable = false
			b.doc.problem(SyntaxError, source.Span{Start: i, End: i + 1}, "a tab cannot separate tokens in YAML as PyYAML reads it (\"found character '\\t' that cannot start any token\"); use spaces")
			return
		}
	}
}
