// Package steps is the catalogue of Prefect deployment steps: the built-in
// steps of prefect.deployments.steps and the integration steps of
// prefect-docker, prefect-aws, prefect-gcp and prefect-azure, with their
// parameters, outputs, required packages and typical action (prefect.md §2.2),
// plus the removed 2.10-era names and their replacements (prefect.md §2.1).
//
// A step in prefect.yaml is a one-key mapping from a fully-qualified function
// name to its keyword arguments; `id` and `requires` are reserved keywords
// (prefect.md §2.1). This package knows nothing about the prefect.yaml model:
// callers hand it names and decoded YAML values.
//
// Versions: Step.Since and Param.Since name the first release of the package
// in Step.Requires (of prefect itself when Requires is "") that has the step
// or parameter; "" means it predates what was checked (the move to the
// prefect.deployments.steps / prefect_*.deployments.steps names).
package steps

import (
	"slices"
	"strings"
)

// Step describes one deployment step function.
type Step struct {
	// Name is the canonical fully-qualified name, e.g.
	// "prefect.deployments.steps.git_clone".
	Name string
	// Short is the function name, e.g. "git_clone".
	Short string
	// Module is Name without Short, e.g. "prefect.deployments.steps".
	Module string
	// Aliases are other import paths Prefect accepts for the same function,
	// e.g. "prefect.deployments.steps.pull.git_clone".
	Aliases []string
	// Requires is the package to put in the step's `requires:` ("" for
	// steps that ship with prefect).
	Requires string
	// Summary is a one-line description.
	Summary string
	// Since is the first release with the step (see the package comment).
	Since string
	// Action is the section the step typically appears in: "build",
	// "push" or "pull".
	Action string
	// Kind is one of the Kind* constants.
	Kind string
	// Params are the keyword arguments in signature order.
	Params []Param
	// AcceptsExtraKwargs reports a **kwargs parameter: unknown keys are
	// passed through instead of raising TypeError.
	AcceptsExtraKwargs bool
	// ExtraKwargsNote says where extra keyword arguments go.
	ExtraKwargsNote string
	// Outputs are the keys of the returned dict, usable as
	// `{{ <step-id>.<key> }}` in later steps and the deployment.
	Outputs []Output
}

// Param is one keyword argument of a step.
type Param struct {
	Name string
	// Type is one of "string", "boolean", "integer", "array", "object",
	// "block" or "any".
	Type string
	// Elem is the type of array items or object values ("" when
	// unconstrained), e.g. "string" for list[str] and dict[str, str].
	Elem        string
	Description string
	Required    bool
	// Default is the Python default decoded as YAML would be (nil for
	// None); meaningless when Required.
	Default any
	// Enum lists the accepted values, when Prefect restricts them.
	Enum []string
	// Since is the first release with the parameter (see the package comment).
	Since string
}

// Output is one key of a step's returned dict.
type Output struct {
	Key, Description string
}

// Kind tags.
const (
	KindGit         = "git"
	KindStorage     = "storage"
	KindBlock       = "block"
	KindLocalDir    = "local-dir"
	KindShell       = "shell"
	KindDockerBuild = "docker-build"
	KindDockerPush  = "docker-push"
)

// Reserved step keywords (RESERVED_KEYWORDS in
// src/prefect/deployments/steps/core.py): removed before the call.
const (
	ReservedID       = "id"
	ReservedRequires = "requires"
)

// IsReserved reports whether key is a reserved step keyword.
func IsReserved(key string) bool { return key == ReservedID || key == ReservedRequires }

var (
	byName  = map[string]*Step{}
	removed = map[string]RemovedStep{}
)

func init() {
	for _, s := range catalog {
		s.Name = s.Module + "." + s.Short
		for _, n := range append([]string{s.Name}, s.Aliases...) {
			if _, dup := byName[n]; dup {
				panic("steps: duplicate name " + n)
			}
			byName[n] = s
		}
	}
	for _, r := range removedSteps {
		removed[r.Name] = r
	}
}

// normalize turns Prefect's "module:object" import form into "module.object"
// (import_object accepts both) and trims surrounding space.
func normalize(fqn string) string {
	fqn = strings.TrimSpace(fqn)
	if !strings.Contains(fqn, ".py:") {
		if i := strings.LastIndexByte(fqn, ':'); i >= 0 {
			fqn = fqn[:i] + "." + fqn[i+1:]
		}
	}
	return fqn
}

// Lookup finds a step by its canonical name or by any alias Prefect accepts
// (the defining submodule, e.g. "prefect.deployments.steps.pull.git_clone",
// or the "module:function" form). The step is shared: do not modify it.
func Lookup(fqn string) (*Step, bool) {
	s, ok := byName[normalize(fqn)]
	return s, ok
}

// All returns every catalogued step in a stable order (built-ins first).
// The steps are shared: callers must not modify them.
func All() []*Step {
	return slices.Clone(catalog)
}

// Param returns the named parameter of s.
func (s *Step) Param(name string) (*Param, bool) {
	for i := range s.Params {
		if s.Params[i].Name == name {
			return &s.Params[i], true
		}
	}
	return nil, false
}

// RequiredParams returns the names of the parameters without defaults.
func (s *Step) RequiredParams() []string {
	var out []string
	for _, p := range s.Params {
		if p.Required {
			out = append(out, p.Name)
		}
	}
	return out
}

// Output returns the named output of s.
func (s *Step) Output(key string) (*Output, bool) {
	for i := range s.Outputs {
		if s.Outputs[i].Key == key {
			return &s.Outputs[i], true
		}
	}
	return nil, false
}

// RemovedStep is a step name that no longer imports.
type RemovedStep struct {
	Name string
	// Replacement is the current fully-qualified name.
	Replacement string
	// Note says when it went away and what else changed.
	Note string
}

// Removed reports whether fqn is a removed step name and what replaces it.
func Removed(fqn string) (replacement string, ok bool) {
	r, ok := removed[normalize(fqn)]
	return r.Replacement, ok
}

// RemovedInfo returns the full record for a removed step name.
func RemovedInfo(fqn string) (RemovedStep, bool) {
	r, ok := removed[normalize(fqn)]
	return r, ok
}

// moduleOf returns fqn without its last dotted segment.
func moduleOf(fqn string) string {
	if i := strings.LastIndexByte(fqn, '.'); i >= 0 {
		return fqn[:i]
	}
	return ""
}

func shortOf(fqn string) string {
	return fqn[strings.LastIndexByte(fqn, '.')+1:]
}

// IsKnownModule reports whether the module part of fqn (everything before
// the last ".") is a current step module of prefect or of one of the
// catalogued integrations, so an unknown function name there is a mistake
// rather than a custom step.
func IsKnownModule(fqn string) bool {
	_, ok := knownModules[moduleOf(normalize(fqn))]
	return ok
}

// KnownModules returns the current step modules, sorted.
func KnownModules() []string {
	var out []string
	for m := range knownModules {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

// RemovedModule reports whether the module part of fqn is a removed 2.10-era
// step module, and which module replaced it.
func RemovedModule(fqn string) (replacement string, ok bool) {
	replacement, ok = removedModules[moduleOf(normalize(fqn))]
	return replacement, ok
}

// PackageOf returns the distribution that provides the module of fqn
// ("prefect", "prefect-docker", …), or "" when the module is unknown.
func PackageOf(fqn string) string {
	mod := moduleOf(normalize(fqn))
	if _, ok := knownModules[mod]; !ok {
		if _, ok := removedModules[mod]; !ok {
			return ""
		}
	}
	top, _, _ := strings.Cut(mod, ".")
	return strings.ReplaceAll(top, "_", "-")
}
