package steps

import (
	"cmp"
	"slices"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/textdist"
)

// maxCompare bounds the work of edit-distance comparisons on hostile input.
const maxCompare = 200

// Suggest returns up to three did-you-mean candidates for a step name that
// Lookup does not know, best first: the replacement of a removed name, steps
// with a similar function name in the same module, the same or a similar
// function name in another catalogued module (e.g.
// "prefect.deployments.steps.build_docker_image" →
// "prefect_docker.deployments.steps.build_docker_image"), and names within a
// few typos of the whole name. It returns nil for known names and when
// nothing is close.
func Suggest(fqn string) []string {
	fqn = normalize(fqn)
	if _, ok := byName[fqn]; ok || fqn == "" || len(fqn) > maxCompare {
		return nil
	}
	type cand struct {
		name  string
		score int
	}
	var cands []cand
	add := func(name string, score int) {
		for i := range cands {
			if cands[i].name == name {
				cands[i].score = min(cands[i].score, score)
				return
			}
		}
		cands = append(cands, cand{name, score})
	}
	if r, ok := removed[fqn]; ok {
		add(r.Replacement, 0)
	}
	mod, short := moduleOf(fqn), shortOf(fqn)
	lshort := strings.ToLower(short)
	// A removed function name in any module ("…git_clone_project").
	for _, r := range removedSteps {
		if shortOf(r.Name) == lshort {
			add(r.Replacement, 1)
		}
	}
	for name, s := range byName {
		d := distance(lshort, s.Short)
		sameModule := moduleOf(name) == mod
		switch {
		case sameModule && d <= typoBudget(s.Short):
			add(s.Name, 10+d)
		case !sameModule && d == 0:
			add(s.Name, 20)
		case !sameModule && d <= typoBudget(s.Short) && IsKnownModule(fqn):
			add(s.Name, 30+d)
		case (sameModule || IsKnownModule(fqn)) && partOf(lshort, s.Short):
			add(s.Name, 25)
		}
		if fd := distance(strings.ToLower(fqn), name); fd <= 3 {
			add(s.Name, 10+fd)
		}
	}
	slices.SortFunc(cands, func(a, b cand) int {
		if c := cmp.Compare(a.score, b.score); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	var out []string
	for _, c := range cands {
		if len(out) == 3 {
			break
		}
		out = append(out, c.name)
	}
	return out
}

// SuggestParam returns up to three parameter names of step close to name
// (case-insensitive edit distance), best first.
func SuggestParam(step *Step, name string) []string {
	if step == nil || name == "" || len(name) > maxCompare {
		return nil
	}
	type cand struct {
		name string
		d    int
	}
	var cands []cand
	lname := strings.ToLower(name)
	for _, p := range step.Params {
		d := distance(lname, p.Name)
		if d <= typoBudget(p.Name) || strings.Contains(p.Name, lname) && len(lname) >= 3 {
			cands = append(cands, cand{p.Name, d})
		}
	}
	slices.SortStableFunc(cands, func(a, b cand) int { return cmp.Compare(a.d, b.d) })
	var out []string
	for i := 0; i < len(cands) && i < 3; i++ {
		out = append(out, cands[i].name)
	}
	return out
}

// partOf reports whether every "_"-separated word of short (at least two
// words, or one of four or more letters used as a prefix) appears in target:
// "run_shell" and "build_image" are parts of "run_shell_script" and
// "build_docker_image".
func partOf(short, target string) bool {
	if short == "" || short == target {
		return false
	}
	if len(short) >= 4 && strings.HasPrefix(target, short) {
		return true
	}
	words := strings.Split(short, "_")
	if len(words) < 2 {
		return false
	}
	have := strings.Split(target, "_")
	for _, w := range words {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// typoBudget is how many edits still count as a typo of target.
func typoBudget(target string) int {
	return max(1, min(3, len(target)/3))
}

// distance is textdist.Distance, or maxCompare when either string is longer
// than maxCompare.
func distance(a, b string) int {
	if len(a) > maxCompare || len(b) > maxCompare {
		return maxCompare
	}
	return textdist.Distance(a, b)
}
