// Package analysis is prefect-lsp's analysis core: the Rule and Diagnostic
// types, the Pass a rule runs on, and the runner that parses a prefect.yaml,
// builds its model, runs every enabled rule, applies suppression comments and
// configured severities, and returns sorted, deduplicated diagnostics with
// byte spans and fixes. It knows nothing of LSP; internal/lsp and
// internal/cli convert its results for their audiences.
//
// The rules themselves live in package rules (internal/analysis/rules), which
// holds the one explicit list of them.
package analysis

import (
	"fmt"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// Severity of a diagnostic. The zero value is Error.
type Severity int

const (
	Error Severity = iota
	Warning
	Information
	Hint
	// Off disables a rule (configuration only).
	Off
)

var severityNames = [...]string{"error", "warning", "information", "hint", "off"}

func (s Severity) String() string {
	if s >= 0 && int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity reads a severity name; "info" and "none" are accepted too.
func ParseSeverity(s string) (Severity, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "error":
		return Error, true
	case "warning", "warn":
		return Warning, true
	case "information", "info":
		return Information, true
	case "hint":
		return Hint, true
	case "off", "none", "disable", "disabled":
		return Off, true
	}
	return 0, false
}

// Category groups rules in docs and configuration.
type Category string

const (
	CategoryYAML      Category = "yaml"
	CategorySchema    Category = "structure"
	CategorySchedules Category = "schedules"
	CategorySteps     Category = "steps"
	CategoryTemplates Category = "templating"
	CategoryWorkPools Category = "work-pools"
	CategoryPython    Category = "flow-code"
	CategoryGuidance  Category = "guidance"
	CategoryConfig    Category = "configuration"
)

// Rule is one check. Rules are values listed explicitly in rules.All.
type Rule struct {
	// ID is stable and kebab-case: the diagnostic code, the suppression
	// name and the docs page name (docs/rules/<ID>.md).
	ID string
	// Summary is one line, used in hovers and in the docs index.
	Summary string
	// Doc is the markdown body of the rule's docs page: what, why, a bad
	// and a good example, how to fix, how to silence.
	Doc      string
	Severity Severity
	Category Category
	Run      func(*Pass)
	// Scope says what a rule's findings depend on, which decides what
	// incremental analysis may reuse after an edit (see RunIncremental).
	Scope Scope
	// Fingerprint, for a ScopeFile rule that compares deployments (e.g.
	// duplicate names), returns everything the rule reads from one
	// deployment, and the rule's findings must depend on the deployments
	// only through which of them have equal fingerprints. After an edit of
	// one deployment whose findings of the rule do not touch it, the
	// findings are reused when its fingerprint is unchanged or when neither
	// its old nor its new fingerprint is another deployment's. Nil means
	// the rule makes every edit a full analysis.
	Fingerprint func(d *prefectyaml.Deployment) string
}

// Scope classifies rules for incremental analysis.
type Scope int

const (
	// ScopeFile (the zero value, the safe default): findings may depend on
	// anything in the file; an edit re-runs the rule on the whole file
	// unless the rule has a Fingerprint.
	ScopeFile Scope = iota
	// ScopeDeployment: the rule's findings split into those about the file
	// without its deployments and those each deployment adds; what one
	// deployment adds depends only on that deployment's item (its text,
	// its index), the rest of the file outside the deployments list and
	// the project, never on the other deployments. Spans of what it adds
	// lie in that item or outside the deployments list.
	ScopeDeployment
)

// DocsURL is where the rule's page is published.
func (r *Rule) DocsURL() string { return DocsBaseURL + r.ID + ".md" }

// DocsBaseURL is the prefix of every rule's docs page.
const DocsBaseURL = "https://github.com/prefect-lsp/prefect-lsp/blob/main/docs/rules/"

// Tag marks diagnostics for clients that render them specially.
type Tag int

const (
	TagUnnecessary Tag = iota + 1
	TagDeprecated
)

// Related is another place that explains a diagnostic. Path is empty for
// the analysed file, else an absolute path.
type Related struct {
	Path    string
	Span    source.Span
	Message string
}

// Diagnostic is one finding, with byte spans into the analysed text.
type Diagnostic struct {
	RuleID   string
	Severity Severity
	Span     source.Span
	Message  string
	Related  []Related
	Fixes    []Fix
	Tags     []Tag
}

// Fix is one way to resolve a diagnostic: non-overlapping edits of the
// original text, never a re-encoding of the YAML.
type Fix struct {
	Title string
	Edits []source.Edit
	// Files holds edits of other files, e.g. a new serve script.
	Files []FileEdit
	// IsPreferred marks the one obvious fix.
	IsPreferred bool
	// Safe fixes may be applied without review (check --fix, fixAll).
	Safe bool
}

// FileEdit changes or creates another file. When Create is true, Content is
// the whole new file and Edits is empty.
type FileEdit struct {
	Path    string
	Create  bool
	Content string
	Edits   []source.Edit
}
