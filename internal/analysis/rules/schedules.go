package rules

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/schedule"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// Schedules and concurrency rules (prefect.md §1.2, §1.3, §8 #4, #5, #11).

// scheduleSelectors are the keys of which a schedule item needs exactly one.
var scheduleSelectors = []string{"cron", "interval", "rrule"}

// scheduleSchemaOwned reports whether a strict-schema error at path is one
// the schedule rules report themselves, with Prefect's own message: the
// exactly-one-selector constraint of a schedule item, and every check of
// an interval value (its type included, as ParseInterval explains it).
func scheduleSchemaOwned(path []string, k any) bool {
	item := scheduleItemPath(path)
	if item < 0 {
		return false
	}
	switch {
	case item == len(path):
		switch k := k.(type) {
		case *kind.Not:
			return true
		case *kind.Required:
			for _, m := range k.Missing {
				if !contains(scheduleSelectors, m) {
					return false
				}
			}
			return true
		}
	case item == len(path)-1 && path[item] == "interval":
		return true
	}
	return false
}

// scheduleItemPath returns the length of the prefix of path that names a
// schedule item (deployments/N/schedules/M or deployments/N/schedule), or
// -1.
func scheduleItemPath(path []string) int {
	if len(path) < 3 || path[0] != "deployments" {
		return -1
	}
	switch path[2] {
	case "schedule":
		return 3
	case "schedules":
		if len(path) >= 4 {
			return 4
		}
	}
	return -1
}

// scheduleName names a schedule item for messages.
func scheduleName(d *prefectyaml.Deployment, s *prefectyaml.Schedule) string {
	if s.Legacy {
		return fmt.Sprintf("the schedule of deployment %q", d.DisplayName())
	}
	return fmt.Sprintf("schedule %d of deployment %q", s.Index, d.DisplayName())
}

// andList renders names as "a", "b" and "c".
func andList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	if len(q) <= 1 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// fieldNode returns the node a field's value is written at (an alias
// resolved to its anchor) and the alias or merge site it was reached
// through, if any.
func fieldNode(s *prefectyaml.Schedule, f prefectyaml.Field) (n, via *yamlsyntax.Node) {
	n = f.Value.Resolve()
	switch {
	case f.Value != nil && f.Value.Kind == yamlsyntax.AliasNode:
		via = f.Value
	case f.Via != nil:
		via = f.Via
	default:
		via = s.Via
	}
	return n, via
}

// innerSpan maps a byte span within a scalar's decoded text back to the
// source: exact for single-line plain scalars and for quoted scalars whose
// source between the quotes equals the decoded text; otherwise the whole
// scalar.
func innerSpan(p *analysis.Pass, n *yamlsyntax.Node, in source.Span) source.Span {
	raw := p.Src.Slice(n.Span)
	body, off := "", 0
	switch n.Style {
	case yamlsyntax.Plain:
		body = raw
	case yamlsyntax.SingleQuoted, yamlsyntax.DoubleQuoted:
		if len(raw) >= 2 {
			body, off = raw[1:len(raw)-1], 1
		}
	}
	if body != n.Text || in.Start < 0 || in.End > len(body) || in.End < in.Start || in.Len() == 0 {
		return n.Span
	}
	return source.Span{Start: n.Span.Start + off + in.Start, End: n.Span.Start + off + in.End}
}

// requoted renders text in the quoting style of n (plain stays plain).
func requoted(n *yamlsyntax.Node, text string) string {
	switch n.Style {
	case yamlsyntax.DoubleQuoted:
		return doubleQuote(text)
	case yamlsyntax.SingleQuoted:
		return "'" + strings.ReplaceAll(text, "'", "''") + "'"
	}
	return text
}

// targetsPrefectBefore reports whether the configured Prefect version is
// certainly older than version (both dotted numbers). Components missing from
// the configured version match anything: "3.6" is not before "3.6.11".
func targetsPrefectBefore(p *analysis.Pass, version string) bool {
	if p.Config == nil || strings.TrimSpace(p.Config.PrefectVersion) == "" {
		return false
	}
	have := versionParts(p.Config.PrefectVersion)
	want := versionParts(version)
	for i := 0; i < len(have) && i < len(want); i++ {
		if have[i] != want[i] {
			return have[i] < want[i]
		}
	}
	return false
}

func versionParts(v string) []int {
	v = strings.TrimPrefix(strings.TrimSpace(v), "v")
	var out []int
	for _, part := range strings.Split(v, ".") {
		n := 0
		digits := 0
		for _, c := range part {
			if c < '0' || c > '9' || digits > 6 {
				break
			}
			n = n*10 + int(c-'0')
			digits++
		}
		if digits == 0 {
			break
		}
		out = append(out, n)
		if digits < len(part) { // "4rc1": stop after the number
			break
		}
	}
	return out
}

// severityUnlessConfigured sets d's severity when the user has not
// configured the rule's severity.
func severityUnlessConfigured(p *analysis.Pass, d *analysis.Diagnostic, sev analysis.Severity) {
	if p.Config == nil || p.Config.Rules[p.Rule.ID] == "" {
		d.Severity = sev
	}
}

func forEachSchedule(p *analysis.Pass, f func(d *prefectyaml.Deployment, s *prefectyaml.Schedule)) {
	for _, d := range p.File.Deployments {
		for _, s := range d.Schedules {
			f(d, s)
		}
	}
}

var ScheduleSelector = &analysis.Rule{
	ID:       "schedule-selector",
	Summary:  "a schedule item needs exactly one of cron, interval or rrule",
	Severity: analysis.Error,
	Category: analysis.CategorySchedules,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Checks that every schedule item sets exactly one of ` + "`cron`" + `, ` + "`interval`" + ` and
` + "`rrule`" + `, and reports empty items (` + "`- {}`" + `) in a ` + "`schedules`" + ` list.

## Why
Prefect's schedule model raises "Exactly one of 'cron', 'interval', or 'rrule'
must be provided" and ` + "`prefect deploy`" + ` then throws the whole file away, showing
only the field name ` + "`schedules`" + ` (prefect.md §1.3, §1.5). An empty item passes
validation but stops the deploy with "Unknown schedule type. Please provide a
valid schedule." A key set to null does not count.

## Example
` + "```yaml" + `
deployments:
  - name: etl
    schedules:
      - cron: "0 4 * * *"
        interval: 3600
` + "```" + `

` + "```yaml" + `
deployments:
  - name: etl
    schedules:
      - cron: "0 4 * * *"
      - interval: 3600
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore[schedule-selector]`" + ` on the line.`,
	Run: func(p *analysis.Pass) {
		forEachSchedule(p, func(d *prefectyaml.Deployment, s *prefectyaml.Schedule) {
			m := s.Node.Resolve()
			set := []prefectyaml.Field{}
			var names []string
			for i, f := range []prefectyaml.Field{s.Cron, s.Interval, s.RRule} {
				if f.Set() {
					set = append(set, f)
					names = append(names, scheduleSelectors[i])
				}
			}
			switch {
			case len(m.Pairs()) == 0:
				p.ReportNode(m, s.Via, "%s is empty: prefect deploy stops with \"Unknown schedule type. Please provide a valid schedule.\"; add cron, interval or rrule, or remove the item", scheduleName(d, s))
			case len(set) == 0:
				diag := p.Reportf(firstLine(p, m.Span), "%s has none of cron, interval or rrule; Prefect rejects the whole file (\"Exactly one of 'cron', 'interval', or 'rrule' must be provided\")", scheduleName(d, s))
				p.AddVia(diag, s.Via)
			case len(set) > 1:
				f := set[0] // report on the selector written last
				for _, g := range set[1:] {
					if g.Key.Span.Start > f.Key.Span.Start {
						f = g
					}
				}
				via := f.Via
				if via == nil {
					via = s.Via
				}
				p.ReportNode(f.Key, via, "%s sets both %s; Prefect rejects the whole file (\"Exactly one of 'cron', 'interval', or 'rrule' must be provided\"): keep one, or split them into separate schedule items", scheduleName(d, s), strings.Join(names, " and "))
			}
		})
	},
}

var InvalidCron = &analysis.Rule{
	ID:       "invalid-cron",
	Summary:  "a cron string Prefect rejects",
	Severity: analysis.Error,
	Category: analysis.CategorySchedules,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Checks ` + "`cron`" + ` values as Prefect's CronSchedule does (croniter): 5 fields (or 6
with seconds, 7 with year), names, ranges, steps, ` + "`L`" + `, ` + "`#`" + ` and the ` + "`@daily`" + `-style
aliases. Random and hashed fields (` + "`H`" + `, ` + "`R`" + `) are rejected. The offending field
is underlined.

## Why
An invalid cron fails with ` + "`Invalid cron string`" + ` or "Random and Hashed
expressions are unsupported" when ` + "`prefect deploy`" + ` builds the schedule
(prefect.md §1.3); an empty cron stops it with "Unknown schedule type".

## Example
` + "```yaml" + `
schedules:
  - cron: "0 25 * * *"
` + "```" + `

` + "```yaml" + `
schedules:
  - cron: "0 23 * * *"
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore[invalid-cron]`" + ` on the line (for values produced by templating).`,
	Run: func(p *analysis.Pass) {
		forEachSchedule(p, func(d *prefectyaml.Deployment, s *prefectyaml.Schedule) {
			n, via := fieldNode(s, s.Cron)
			if n == nil || n.Kind != yamlsyntax.ScalarNode || n.Tag() != yamlsyntax.TagStr {
				return // null is "not set"; other types are the schema's
			}
			if strings.Contains(n.Text, "{{") {
				return // a placeholder, resolved at deploy time
			}
			problem, span, ok := schedule.ValidateCron(n.Text)
			if ok {
				return
			}
			diag := p.Reportf(innerSpan(p, n, span), "invalid cron %s in %s: %s", doubleQuote(n.Text), scheduleName(d, s), problem)
			p.AddVia(diag, via)
		})
	},
}

var InvalidInterval = &analysis.Rule{
	ID:       "invalid-interval",
	Summary:  "an interval that is not a positive number of seconds or a duration",
	Severity: analysis.Error,
	Category: analysis.CategorySchedules,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Checks ` + "`interval`" + ` values: a number of seconds greater than 0, an ISO 8601
duration (` + "`PT10M`" + `, ` + "`P1D`" + `) or ` + "`HH:MM:SS`" + `. Duration strings need Prefect 3.6.11 or
later: with ` + "`prefect-version`" + ` configured older than that, a string is reported.

## Why
Prefect requires an interval greater than zero; a zero interval stops the
deploy with "Unknown schedule type", a negative one fails validation, and a
string that is no duration rejects the whole file (prefect.md §1.3). Before
3.6.11 a string interval crashed ` + "`prefect deploy`" + `.

## Example
` + "```yaml" + `
schedules:
  - interval: 10m
` + "```" + `

` + "```yaml" + `
schedules:
  - interval: 600  # or "PT10M" on Prefect 3.6.11+
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore[invalid-interval]`" + ` on the line.`,
	Run: func(p *analysis.Pass) {
		forEachSchedule(p, func(d *prefectyaml.Deployment, s *prefectyaml.Schedule) {
			n, via := fieldNode(s, s.Interval)
			if n == nil || n.IsNull() {
				return
			}
			where := scheduleName(d, s)
			var problem string
			switch {
			case n.Kind != yamlsyntax.ScalarNode:
				problem = fmt.Sprintf("interval in %s must be a number of seconds or a duration string such as \"PT10M\", not %s", where, article(n.TypeName()))
			default:
				switch v := n.Scalar().(type) {
				case yamlsyntax.Timestamp:
					problem = fmt.Sprintf("interval %s in %s is read by YAML as a date, not a duration; use a number of seconds or a duration such as \"PT10M\"", v.Text, where)
				case *big.Int:
					f, _ := new(big.Float).SetInt(v).Float64()
					_, problem = schedule.ParseInterval(f)
				case string:
					if strings.Contains(v, "{{") {
						return
					}
					_, problem = schedule.ParseInterval(v)
					if problem == "" && targetsPrefectBefore(p, "3.6.11") {
						problem = fmt.Sprintf("interval %s is a duration string, which needs Prefect 3.6.11 or later (configured: %s); older versions crash on it. Use a number of seconds", doubleQuote(v), p.Config.PrefectVersion)
					}
				default:
					_, problem = schedule.ParseInterval(v)
				}
				if problem != "" && !strings.Contains(problem, where) {
					problem += " (" + where + ")"
				}
			}
			if problem == "" {
				return
			}
			p.ReportNode(n, via, "%s", problem)
		})
	},
}

var InvalidRRule = &analysis.Rule{
	ID:       "invalid-rrule",
	Summary:  "an rrule string Prefect rejects, or one that never fires",
	Severity: analysis.Error,
	Category: analysis.CategorySchedules,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Checks ` + "`rrule`" + ` values as Prefect does with dateutil's rrulestr: an RFC 5545 rule
(` + "`FREQ=WEEKLY;BYDAY=MO`" + `, optionally with DTSTART, RDATE, EXRULE and EXDATE lines)
or a JSON object string with ` + "`rrule`" + ` and ` + "`timezone`" + `, at most 6500 characters.
Rules that dateutil accepts but that can never produce a date are warnings.

## Why
An invalid rule fails with ` + "`Invalid RRule string`" + ` when ` + "`prefect deploy`" + ` builds the
schedule (prefect.md §1.3).

## Example
` + "```yaml" + `
schedules:
  - rrule: "FREQ=WEEKLY;BYDAY=MONDAY"
` + "```" + `

` + "```yaml" + `
schedules:
  - rrule: "FREQ=WEEKLY;BYDAY=MO"
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore[invalid-rrule]`" + ` on the line.`,
	Run: func(p *analysis.Pass) {
		forEachSchedule(p, func(d *prefectyaml.Deployment, s *prefectyaml.Schedule) {
			n, via := fieldNode(s, s.RRule)
			if n == nil || n.Kind != yamlsyntax.ScalarNode || n.Tag() != yamlsyntax.TagStr || strings.Contains(n.Text, "{{") {
				return
			}
			problem, ok := schedule.ValidateRRule(n.Text)
			if problem == "" {
				return
			}
			diag := p.ReportNode(n, via, "%s (rrule of %s)", problem, scheduleName(d, s))
			if ok {
				severityUnlessConfigured(p, diag, analysis.Warning)
			}
		})
	},
}

var InvalidTimezone = &analysis.Rule{
	ID:       "invalid-timezone",
	Summary:  "a schedule time zone that is not an IANA name",
	Severity: analysis.Error,
	Category: analysis.CategorySchedules,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Checks a schedule's ` + "`timezone`" + ` against the IANA time zone database
(case-sensitive), with "did you mean" quick fixes (` + "`america/new_york`" + ` →
` + "`America/New_York`" + `, ` + "`PST`" + ` → ` + "`America/Los_Angeles`" + `).

## Why
Prefect rejects other names: 'Invalid timezone: "<v>" (specify in IANA tzdata
format, for example, America/New_York)' (prefect.md §1.3).

## Example
` + "```yaml" + `
schedules:
  - cron: "0 9 * * *"
    timezone: Europe/Berlín
` + "```" + `

` + "```yaml" + `
schedules:
  - cron: "0 9 * * *"
    timezone: Europe/Berlin
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore[invalid-timezone]`" + ` on the line.`,
	Run: func(p *analysis.Pass) {
		forEachSchedule(p, func(d *prefectyaml.Deployment, s *prefectyaml.Schedule) {
			n, via := fieldNode(s, s.Timezone)
			if n == nil || n.Kind != yamlsyntax.ScalarNode || n.Tag() != yamlsyntax.TagStr || strings.Contains(n.Text, "{{") {
				return
			}
			problem, suggestions, ok := schedule.ValidateTimezone(n.Text)
			if ok {
				return
			}
			diag := p.ReportNode(n, via, "%s (timezone of %s)", problem, scheduleName(d, s))
			for i, sug := range suggestions {
				diag.Fixes = append(diag.Fixes, analysis.Fix{
					Title:       fmt.Sprintf("Change to %s", sug),
					Edits:       []source.Edit{{Span: n.Span, NewText: requoted(n, sug)}},
					IsPreferred: i == 0 && len(suggestions) == 1,
				})
			}
		})
	},
}

var UnquotedAnchorDate = &analysis.Rule{
	ID:       "unquoted-anchor-date",
	Summary:  "an unquoted anchor_date is a YAML timestamp, not the string Prefect expects",
	Severity: analysis.Warning,
	Category: analysis.CategorySchedules,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Reports an ` + "`anchor_date`" + ` written without quotes that YAML reads as a timestamp,
and quotes it.

## Why
Prefect's schedule item wants a string (prefect.md §1.3). With a timestamp
the item no longer matches that model; it validates only as a bare interval
schedule, which silently drops the item's ` + "`active`" + `, ` + "`slug`" + `, ` + "`parameters`" + ` and
` + "`replaces`" + ` keys.

## Example
` + "```yaml" + `
schedules:
  - interval: 3600
    anchor_date: 2024-01-01T09:00:00
    active: false
` + "```" + `

` + "```yaml" + `
schedules:
  - interval: 3600
    anchor_date: "2024-01-01T09:00:00"
    active: false
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore[unquoted-anchor-date]`" + ` on the line.`,
	Run: func(p *analysis.Pass) {
		forEachSchedule(p, func(d *prefectyaml.Deployment, s *prefectyaml.Schedule) {
			n, via := fieldNode(s, s.AnchorDate)
			if n == nil || n.Kind != yamlsyntax.ScalarNode || n.Tag() != yamlsyntax.TagTimestamp {
				return
			}
			raw := p.Src.Slice(n.Span)
			var dropped []string
			for _, f := range []struct {
				name string
				f    prefectyaml.Field
			}{{"active", s.Active}, {"slug", s.Slug}, {"parameters", s.Parameters}, {"replaces", s.Replaces}, {"day_or", s.DayOr}} {
				if f.f.Present() {
					dropped = append(dropped, f.name)
				}
			}
			msg := fmt.Sprintf("anchor_date %s is unquoted, so YAML reads it as a timestamp, not the string Prefect's schedule model expects; quote it: %s", raw, doubleQuote(raw))
			if len(dropped) > 0 {
				msg = fmt.Sprintf("anchor_date %s is unquoted, so YAML reads it as a timestamp and %s only validates as a bare schedule: Prefect silently drops its %s. Quote it: %s", raw, scheduleName(d, s), andList(dropped), doubleQuote(raw))
			}
			diag := p.ReportNode(n, via, "%s", msg)
			diag.Fixes = []analysis.Fix{{Title: fmt.Sprintf("Quote %s", raw), Edits: []source.Edit{{Span: n.Span, NewText: doubleQuote(raw)}}, IsPreferred: true, Safe: true}}
		})
	},
}

var InvalidAnchorDate = &analysis.Rule{
	ID:       "invalid-anchor-date",
	Summary:  "an anchor_date Prefect cannot parse, or one that a cron or rrule schedule ignores",
	Severity: analysis.Error,
	Category: analysis.CategorySchedules,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Checks that an interval schedule's ` + "`anchor_date`" + ` is an ISO 8601 date-time
(` + "`2024-01-01T09:00:00`" + `, optionally with ` + "`Z`" + ` or an offset), and warns when
` + "`anchor_date`" + ` is set on a cron or rrule schedule.

## Why
` + "`prefect deploy`" + ` parses the anchor date of an interval schedule and fails on
anything else; cron and rrule schedules never read it, so it has no effect
there (prefect.md §1.3).

## Example
` + "```yaml" + `
schedules:
  - interval: 3600
    anchor_date: "01/02/2024 09:00"
  - cron: "0 9 * * *"
    anchor_date: "2024-01-01T09:00:00"
` + "```" + `

` + "```yaml" + `
schedules:
  - interval: 3600
    anchor_date: "2024-01-02T09:00:00"
  - cron: "0 9 * * *"
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore[invalid-anchor-date]`" + ` on the line.`,
	Run: func(p *analysis.Pass) {
		forEachSchedule(p, func(d *prefectyaml.Deployment, s *prefectyaml.Schedule) {
			n, via := fieldNode(s, s.AnchorDate)
			if n == nil || n.Kind != yamlsyntax.ScalarNode || n.IsNull() {
				return
			}
			if !s.Interval.Set() {
				kind := ""
				if s.Cron.Set() {
					kind = "cron"
				} else if s.RRule.Set() {
					kind = "rrule"
				}
				if kind == "" {
					return
				}
				diag := p.ReportNode(n, via, "anchor_date has no effect on the %s schedule %s: Prefect uses it only for interval schedules; remove it", kind, scheduleName(d, s))
				severityUnlessConfigured(p, diag, analysis.Warning)
				diag.Tags = append(diag.Tags, analysis.TagUnnecessary)
				return
			}
			if n.Tag() != yamlsyntax.TagStr || strings.Contains(n.Text, "{{") {
				return // timestamps: unquoted-anchor-date; other types: the schema
			}
			if problem, ok := schedule.ValidateAnchorDate(n.Text); !ok {
				p.ReportNode(n, via, "%s (%s); prefect deploy fails when it parses it", problem, scheduleName(d, s))
			}
		})
	},
}

var ScheduleAndSchedules = &analysis.Rule{
	ID:       "schedule-and-schedules",
	Summary:  "a deployment with both the legacy schedule key and schedules",
	Severity: analysis.Error,
	Category: analysis.CategorySchedules,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Reports a deployment that has a non-empty legacy ` + "`schedule`" + ` and a ` + "`schedules`" + `
key (whatever its value).

## Why
` + "`prefect deploy`" + ` stops with "Both 'schedule' and 'schedules' keys are present in
the deployment configuration. Please use only use ` + "`schedules`" + `." (prefect.md
§1.2, §8 #5).

## Example
` + "```yaml" + `
deployments:
  - name: etl
    schedule:
      cron: "0 4 * * *"
    schedules: []
` + "```" + `

` + "```yaml" + `
deployments:
  - name: etl
    schedules:
      - cron: "0 4 * * *"
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore[schedule-and-schedules]`" + ` on the ` + "`schedule`" + ` line.`,
	Run: func(p *analysis.Pass) {
		for _, d := range p.File.Deployments {
			if !legacyScheduleSet(d) || !d.SchedulesKey.Present() {
				continue
			}
			diag := p.Reportf(d.Schedule.KeySpan(), "deployment %q has both schedule and schedules: prefect deploy stops with \"Both 'schedule' and 'schedules' keys are present in the deployment configuration. Please use only use `schedules`.\"; move the schedule into the schedules list", d.DisplayName())
			p.AddVia(diag, d.Schedule.Via)
			diag.Related = append(diag.Related, analysis.Related{Span: d.SchedulesKey.KeySpan(), Message: "schedules is here"})
			if fix, ok := removeEmptySchedulesFix(p, d); ok {
				diag.Fixes = append(diag.Fixes, fix)
			}
		}
	},
}

// legacyScheduleSet reports whether the legacy schedule key holds a
// non-empty mapping (Prefect's "truthy" test).
func legacyScheduleSet(d *prefectyaml.Deployment) bool {
	r := d.Schedule.Value.Resolve()
	return r != nil && r.Kind == yamlsyntax.MappingNode && len(r.Pairs()) > 0
}

// removeEmptySchedulesFix deletes a one-line empty "schedules:" entry.
func removeEmptySchedulesFix(p *analysis.Pass, d *prefectyaml.Deployment) (analysis.Fix, bool) {
	f := d.SchedulesKey
	if f.Via != nil || !schedulesEmpty(f) {
		return analysis.Fix{}, false
	}
	line := p.Src.LineOf(f.Key.Span.Start)
	if p.Src.LineOf(f.ValueSpan().End) != line || f.Value.Kind == yamlsyntax.AliasNode {
		return analysis.Fix{}, false
	}
	start := p.Src.LineStart(line)
	if strings.TrimSpace(p.Src.Text()[start:f.Key.Span.Start]) != "" {
		return analysis.Fix{}, false // a flow mapping or "- schedules:": leave it
	}
	end := p.Src.LineEnd(line)
	if end < p.Src.Len() {
		end++ // the newline
	}
	return analysis.Fix{Title: "Remove the empty schedules key", Edits: []source.Edit{{Span: source.Span{Start: start, End: end}}}, IsPreferred: true}, true
}

// schedulesEmpty reports whether schedules is null or an empty list.
func schedulesEmpty(f prefectyaml.Field) bool {
	if !f.Present() {
		return false
	}
	r := f.Value.Resolve()
	return r == nil || r.IsNull() || (r.Kind == yamlsyntax.SequenceNode && len(r.Content()) == 0)
}

var LegacySchedule = &analysis.Rule{
	ID:       "legacy-schedule",
	Summary:  "the legacy single schedule key; prefer a schedules list",
	Severity: analysis.Hint,
	Category: analysis.CategorySchedules,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Suggests converting a legacy ` + "`schedule:`" + ` mapping into a one-item ` + "`schedules:`" + `
list, keeping its text and comments. ` + "`schedule: {}`" + ` and ` + "`schedule: null`" + `, which
` + "`prefect init`" + ` templates write, mean "no schedule" and are not reported.

## Why
Prefect still converts ` + "`schedule`" + ` into ` + "`schedules: [schedule]`" + `, but it is the
pre-2.16 form: it cannot hold several schedules and cannot be combined with
` + "`schedules`" + ` (prefect.md §1.2, §8 #5).

## Example
` + "```yaml" + `
deployments:
  - name: etl
    schedule:
      cron: "0 4 * * *"  # nightly
` + "```" + `

` + "```yaml" + `
deployments:
  - name: etl
    schedules:
      - cron: "0 4 * * *"  # nightly
` + "```" + `

## How to silence
The suggestion is a hint, as the legacy key still works; turn it off with
` + "`legacy-schedule = \"off\"`" + ` under ` + "`[rules]`" + `, or
` + "`# prefect-lsp: ignore[legacy-schedule]`" + ` on the line.`,
	Run: func(p *analysis.Pass) {
		for _, d := range p.File.Deployments {
			if !legacyScheduleSet(d) || d.SchedulesKey.Present() {
				continue
			}
			diag := p.Reportf(d.Schedule.KeySpan(), "deployment %q uses the legacy schedule key; write it as a schedules list, which can hold several schedules", d.DisplayName())
			p.AddVia(diag, d.Schedule.Via)
			if edits, ok := legacyToSchedulesEdits(p, d.Schedule); ok {
				diag.Fixes = append(diag.Fixes, analysis.Fix{Title: "Convert to a schedules list", Edits: edits, IsPreferred: true, Safe: true})
			}
		}
	},
}

// legacyToSchedulesEdits rewrites "schedule: <item>" as "schedules:" with
// the item as the only list entry, keeping the item's text: a block mapping
// gets "- " before its first key and two more spaces on its other lines; a
// flow mapping or an alias is wrapped in [ ].
func legacyToSchedulesEdits(p *analysis.Pass, f prefectyaml.Field) ([]source.Edit, bool) {
	if f.Via != nil || f.Key == nil || f.Key.Kind != yamlsyntax.ScalarNode || f.Key.Style != yamlsyntax.Plain {
		return nil, false
	}
	v := f.Value
	edits := []source.Edit{{Span: f.Key.Span, NewText: "schedules"}}
	props := v.Span.Start
	for _, s := range []source.Span{v.AnchorSpan(), v.TagSpan()} {
		if s.Len() > 0 && s.Start < props {
			props = s.Start
		}
	}
	if v.Kind == yamlsyntax.AliasNode || v.Style == yamlsyntax.Flow {
		edits = append(edits, source.Edit{Span: source.Span{Start: props, End: props}, NewText: "["}, source.Edit{Span: source.Span{Start: v.Span.End, End: v.Span.End}, NewText: "]"})
		return edits, true
	}
	if v.Kind != yamlsyntax.MappingNode || v.Style != yamlsyntax.Block || props != v.Span.Start {
		return nil, false // a block mapping with an anchor or tag: the anchor would move to the list
	}
	first := p.Src.LineOf(v.Span.Start)
	last := p.Src.LineOf(v.Span.End)
	if p.Src.LineOf(f.Key.Span.Start) == first {
		return nil, false
	}
	edits = append(edits, source.Edit{Span: source.Span{Start: v.Span.Start, End: v.Span.Start}, NewText: "- "})
	for line := first + 1; line <= last; line++ {
		start := p.Src.LineStart(line)
		if strings.TrimSpace(p.Src.LineText(line)) == "" {
			continue
		}
		edits = append(edits, source.Edit{Span: source.Span{Start: start, End: start}, NewText: "  "})
	}
	return edits, true
}

var SchedulesNotRemoved = &analysis.Rule{
	ID:       "schedules-not-removed",
	Summary:  "an empty schedules key does not delete a deployment's existing schedules",
	Severity: analysis.Information,
	Category: analysis.CategorySchedules,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Notes on ` + "`schedules: []`" + ` or an empty ` + "`schedules:`" + ` that this does not remove
schedules the deployment already has on the server.

## Why
Redeploying with an empty or missing ` + "`schedules`" + ` leaves the existing schedules in
place (prefect.md §1.2, §8 #11; PrefectHQ/prefect#23097). To remove them run
` + "`prefect deployment schedule clear <flow>/<deployment>`" + `. Giving schedules a
` + "`slug`" + ` lets redeploys update them in place instead of piling up new ones.

## Example
` + "```yaml" + `
deployments:
  - name: etl
    schedules: []
` + "```" + `

` + "```sh" + `
prefect deployment schedule clear etl-flow/etl
` + "```" + `

## How to silence
The note is a hint; turn it off with ` + "`schedules-not-removed = \"off\"`" + ` under ` + "`[rules]`" + `
or ` + "`# prefect-lsp: ignore[schedules-not-removed]`" + `.`,
	Run: func(p *analysis.Pass) {
		for _, d := range p.File.Deployments {
			if !schedulesEmpty(d.SchedulesKey) {
				continue
			}
			diag := p.Reportf(d.SchedulesKey.KeySpan(), "an empty schedules list does not delete the schedules deployment %q already has on the server (removing schedules from prefect.yaml never does); to remove them run `prefect deployment schedule clear <flow>/%s`", d.DisplayName(), d.DisplayName())
			p.AddVia(diag, d.SchedulesKey.Via)
		}
	},
}

var ConcurrencyLimit = &analysis.Rule{
	ID:       "concurrency-limit",
	Summary:  "a concurrency_limit mapping that prefect deploy cannot use, or one the targeted Prefect version does not know",
	Severity: analysis.Error,
	Category: analysis.CategorySchedules,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Checks what the schema cannot: a ` + "`concurrency_limit`" + ` mapping needs
` + "`collision_strategy`" + ` (prefect deploy passes an empty strategy otherwise and
fails) and ` + "`limit`" + ` (without it no limit is set and the strategy has no
effect). With ` + "`prefect-version`" + ` configured, it reports forms that version lacks:
` + "`concurrency_limit`" + ` needs 3.0, the mapping form 3.0.3, ` + "`grace_period_seconds`" + ` 3.6.6.
Types, ranges and strategy names are checked by wrong-type and invalid-value.

## Why
` + "`prefect deploy`" + ` turns the mapping into a limit and concurrency options; a
missing ` + "`collision_strategy`" + ` becomes null, which the options model rejects
("Input should be 'ENQUEUE' or 'CANCEL_NEW'") when the deployment is created
(prefect.md §1.2).

## Example
` + "```yaml" + `
concurrency_limit:
  limit: 2
` + "```" + `

` + "```yaml" + `
concurrency_limit:
  limit: 2
  collision_strategy: ENQUEUE
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore[concurrency-limit]`" + ` on the line.`,
	Run: func(p *analysis.Pass) {
		for _, d := range p.File.Deployments {
			f := d.ConcurrencyLimit
			if !f.Set() {
				continue
			}
			v := f.Value.Resolve()
			if targetsPrefectBefore(p, "3") {
				diag := p.Reportf(f.KeySpan(), "concurrency_limit needs Prefect 3.0 or later (configured: %s); Prefect 2 ignores it", p.Config.PrefectVersion)
				severityUnlessConfigured(p, diag, analysis.Warning)
				p.AddVia(diag, f.Via)
				continue
			}
			if v.Kind != yamlsyntax.MappingNode {
				continue
			}
			if targetsPrefectBefore(p, "3.0.3") {
				diag := p.Reportf(f.KeySpan(), "the mapping form of concurrency_limit needs Prefect 3.0.3 or later (configured: %s); write the limit as an integer", p.Config.PrefectVersion)
				p.AddVia(diag, f.Via)
				continue
			}
			if g, ok := v.Get("grace_period_seconds"); ok && !g.Value.IsNull() && targetsPrefectBefore(p, "3.6.6") {
				diag := p.Reportf(g.Key.Span, "grace_period_seconds needs Prefect 3.6.6 or later (configured: %s)", p.Config.PrefectVersion)
				p.AddVia(diag, f.Via)
			}
			if l, ok := v.Get("limit"); !ok || l.Value.IsNull() {
				diag := p.Reportf(f.KeySpan(), "concurrency_limit of deployment %q has no limit: Prefect sets no limit and the collision strategy has no effect; add limit: <number of runs>", d.DisplayName())
				severityUnlessConfigured(p, diag, analysis.Warning)
				p.AddVia(diag, f.Via)
			}
			if c, has := v.Get("collision_strategy"); !has || c.Value.IsNull() {
				diag := p.Reportf(f.KeySpan(), "concurrency_limit of deployment %q has no collision_strategy: prefect deploy passes it on as null and fails to create the deployment (\"Input should be 'ENQUEUE' or 'CANCEL_NEW'\"); add collision_strategy: ENQUEUE (wait) or CANCEL_NEW", d.DisplayName())
				p.AddVia(diag, f.Via)
				if edit, ok := addMappingKey(p, f, v, "collision_strategy", "ENQUEUE"); ok && !has {
					diag.Fixes = append(diag.Fixes, analysis.Fix{Title: "Add collision_strategy: ENQUEUE", Edits: []source.Edit{edit}, IsPreferred: true})
				}
			}
		}
	},
}

// addMappingKey inserts "key: value" into mapping m written in place at
// field f: after the last entry of a block mapping at its indentation, or
// before the closing brace of a flow mapping.
func addMappingKey(p *analysis.Pass, f prefectyaml.Field, m *yamlsyntax.Node, key, value string) (source.Edit, bool) {
	content := m.Content()
	if f.Via != nil || f.Value.Kind == yamlsyntax.AliasNode || len(content) == 0 {
		return source.Edit{}, false
	}
	if m.Style == yamlsyntax.Flow {
		end := m.Span.End - 1
		if end < 0 || p.Src.Text()[end] != '}' {
			return source.Edit{}, false
		}
		// Insert after the last value, before any spaces and the brace.
		last := content[len(content)-1]
		return source.Edit{Span: source.Span{Start: last.Span.End, End: last.Span.End}, NewText: ", " + key + ": " + value}, true
	}
	firstKey := content[0]
	line := p.Src.LineOf(firstKey.Span.Start)
	col := firstKey.Span.Start - p.Src.LineStart(line)
	if strings.TrimSpace(p.Src.Text()[p.Src.LineStart(line):firstKey.Span.Start]) != "" {
		return source.Edit{}, false
	}
	lastLine := p.Src.LineOf(content[len(content)-1].Span.End)
	at := p.Src.LineEnd(lastLine)
	return source.Edit{Span: source.Span{Start: at, End: at}, NewText: "\n" + strings.Repeat(" ", col) + key + ": " + value}, true
}
