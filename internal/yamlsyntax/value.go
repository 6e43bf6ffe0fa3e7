package yamlsyntax

import (
	"errors"
	"math/big"
)

// ErrTooLarge is returned by Value when a document expands past the limits.
var ErrTooLarge = errors.New("value too large once aliases are expanded")

// Value builds the JSON-like value PyYAML's safe_load returns for n:
// map[string]any (non-string keys turned into their text), []any, string,
// int64, float64 (for integers beyond int64), bool, nil, and Timestamp
// values rendered as their text. Aliases are expanded; merges applied.
func Value(n *Node) (any, error) {
	budget := MaxExpandedNodes
	return value(n, &budget, 0)
}

func value(n *Node, budget *int, depth int) (any, error) {
	*budget--
	if *budget < 0 || depth > MaxDepth+64 {
		return nil, ErrTooLarge
	}
	r := n.Resolve()
	if r == nil {
		return nil, nil
	}
	switch r.Kind {
	case MappingNode:
		pairs := r.effectivePairs()
		m := make(map[string]any, len(pairs))
		for _, p := range pairs {
			v, err := value(p.Value, budget, depth+1)
			if err != nil {
				return nil, err
			}
			m[p.KeyText()] = v
		}
		return m, nil
	case SequenceNode:
		content := r.Content()
		s := make([]any, 0, len(content))
		for _, c := range content {
			v, err := value(c, budget, depth+1)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	}
	switch v := r.scalarValue().(type) {
	case Timestamp:
		return v.Text, nil
	case *big.Int:
		f, _ := new(big.Float).SetInt(v).Float64()
		return f, nil
	default:
		return v, nil
	}
}
