package workpools

import (
	"sort"
	"strings"
	"sync"

	"github.com/prefect-lsp/prefect-lsp/internal/textdist"
)

// baseVariables are shared by every pool type and so say nothing about the type.
var baseVariables = map[string]bool{"name": true, "env": true, "labels": true, "command": true}

// variableKey turns a job_variables key as written into the variable it sets:
// dotted keys ("env.FOO") set their first segment.
func variableKey(k string) string {
	if i := strings.IndexByte(k, '.'); i > 0 {
		return k[:i]
	}
	return k
}

// Infer guesses the pool type from the job-variable keys a deployment sets.
// Keys unknown to every type are ignored. It answers only when exactly one
// type accepts all remaining keys and at least one key is not a shared base
// variable: task_definition_arn gives "ecs", image alone gives no answer.
// A push type with a worker-based twin (ecs:push) is never the answer: the
// twin (ecs) is, since their variables are the same.
func Infer(jobVariableKeys []string) (typeName string, ok bool) {
	memoKey := strings.Join(jobVariableKeys, "\x00")
	if v, hit := inferMemo.Load(memoKey); hit {
		r := v.(inferResult)
		return r.typeName, r.ok
	}
	typeName, ok = infer(jobVariableKeys)
	inferMemo.Store(memoKey, inferResult{typeName, ok})
	return typeName, ok
}

type inferResult struct {
	typeName string
	ok       bool
}

// inferMemo caches Infer by key list: a file's deployments usually share
// their job variables (often through one anchor).
var inferMemo sync.Map

var knownVariables = sync.OnceValue(func() map[string]bool {
	known := map[string]bool{}
	for _, t := range All() {
		for _, v := range t.Variables {
			known[v.Name] = true
		}
	}
	return known
})

func infer(jobVariableKeys []string) (typeName string, ok bool) {
	known := knownVariables()
	var keys []string
	distinctive := false
	for _, k := range jobVariableKeys {
		k = variableKey(k)
		if !known[k] {
			continue
		}
		keys = append(keys, k)
		if !baseVariables[k] {
			distinctive = true
		}
	}
	if !distinctive {
		return "", false
	}
	var candidates []string
	for _, t := range All() {
		if t.Kind == Legacy || t.HybridVariant != "" {
			continue
		}
		all := true
		for _, k := range keys {
			if _, has := t.Variable(k); !has {
				all = false
				break
			}
		}
		if all {
			candidates = append(candidates, t.Name)
		}
	}
	if len(candidates) != 1 {
		return "", false
	}
	return candidates[0], true
}

// SuggestVariable proposes job variables of typeName the user may have meant
// by unknown, best first: variables whose x-aliases name it (kubernetes cpu
// gives cpu_request and cpu_limit), then spelling and case variants
// (workingDir gives working_dir), then close edits. A dotted key suggests
// for its first segment and keeps the rest ("envs.FOO" gives "env.FOO").
// Nil when nothing is close or the type is unknown.
func SuggestVariable(typeName, unknown string) []string {
	t, ok := Lookup(typeName)
	if !ok || unknown == "" {
		return nil
	}
	head, rest := unknown, ""
	if i := strings.IndexByte(unknown, '.'); i > 0 {
		head, rest = unknown[:i], unknown[i:]
	}
	if _, valid := t.Variable(head); valid {
		return nil
	}
	norm := normalize(head)
	type scored struct {
		name  string
		score int
		order int
	}
	var hits []scored
	for i, v := range t.Variables {
		if v.Name == head {
			continue
		}
		best := -1
		for _, a := range v.Aliases {
			if normalize(a) == norm {
				best = 0
			}
		}
		nv := normalize(v.Name)
		switch {
		case best == 0:
		case nv == norm:
			best = 1
		case len(norm) >= 4 && strings.HasPrefix(nv, norm), len(nv) >= 6 && strings.HasPrefix(norm, nv):
			best = 2
		default:
			d := textdist.Distance(norm, nv)
			limit := 1
			if len(norm) >= 5 {
				limit = 2
			}
			if len(norm) >= 10 {
				limit = 3
			}
			if d <= limit {
				best = 2 + d
			}
		}
		if best >= 0 {
			hits = append(hits, scored{v.Name, best, i})
		}
	}
	sort.SliceStable(hits, func(a, b int) bool {
		if hits[a].score != hits[b].score {
			return hits[a].score < hits[b].score
		}
		return hits[a].order < hits[b].order
	})
	if len(hits) > 0 && hits[0].score <= 1 {
		// An alias or exact spelling variant beats edit-distance guesses.
		cut := 0
		for cut < len(hits) && hits[cut].score <= 1 {
			cut++
		}
		hits = hits[:cut]
	}
	if len(hits) > 3 {
		hits = hits[:3]
	}
	out := make([]string, 0, len(hits))
	for _, h := range hits {
		name := h.name
		if rest != "" {
			if v, _ := t.Variable(name); v.Type != "object" {
				continue
			}
			name += rest
		}
		out = append(out, name)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// normalize lowercases and drops '_', '-' and ' ' so that workingDir,
// working-dir and working_dir compare equal.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r == '_' || r == '-' || r == ' ' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
