// Package schedule owns the checks Prefect applies to the values of a
// deployment schedule (prefect.md §1.3): cron strings as croniter accepts
// them, interval values as pydantic's timedelta parses them, RRULE strings as
// dateutil.rrule.rrulestr accepts them, IANA time zone names and anchor
// dates. Each validator reports a problem text in the user's terms and never
// panics on hostile input; work is bounded by the input length.
//
// Library choices: time zones use Go's time.LoadLocation with the embedded
// tzdata; RRULE values use github.com/teambition/rrule-go for the rule
// semantics after a line-level pass that mirrors dateutil's rrulestr (which
// is case-insensitive, splits on whitespace and knows EXRULE, none of which
// rrule-go does). Cron and timedelta grammars are hand-written: the Go cron
// libraries compared (adhocore/gronx, hashicorp/cronexpr, robfig/cron/v3)
// disagree with croniter on the meaning of the 6th and 7th fields, on
// wrap-around ranges such as APR-JAN, on "L5" (croniter) versus "5L", on
// "W" and on where "?" may appear, and github.com/sosodev/duration counts a
// month as 365/12 days, accepts "P" alone and overwrites repeated units where
// pydantic (speedate) uses 30-day months, rejects "P" and adds them up.
package schedule
