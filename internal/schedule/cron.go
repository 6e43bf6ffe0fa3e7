package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// Cron field indexes in croniter order: a 6th field is seconds, a 7th is the
// year (croniter's default second_at_beginning=False, which Prefect uses).
const (
	cronMinute = iota
	cronHour
	cronDay
	cronMonth
	cronWeekday
	cronSecond
	cronYear
)

var cronFieldNames = [...]string{"minute", "hour", "day-of-month", "month", "day-of-week", "second", "year"}

var cronRanges = [...][2]int{{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 6}, {0, 59}, {1970, 2099}}

var cronMonthNames = map[string]int{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}

var cronWeekdayNames = map[string]int{"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}

// cronAliases are the @-forms croniter expands (matched on the whole,
// lower-cased string; "@reboot" is not one of them).
var cronAliases = map[string]bool{
	"@midnight": true, "@hourly": true, "@daily": true, "@weekly": true,
	"@monthly": true, "@yearly": true, "@annually": true,
}

// maxCronLen bounds the work on hostile input; real cron strings are short.
const maxCronLen = 1024

type cronField struct {
	text string
	span source.Span
}

// ValidateCron checks expr the way Prefect's CronSchedule does: croniter's
// is_valid with no hash id, then a ban on random ("R") and hashed ("H")
// fields. croniter accepts 5 fields (minute hour day month weekday), 6 (plus
// seconds) or 7 (plus year); month and weekday names; ranges (wrapping ones
// such as FRI-MON too), steps, lists; "L" as a day of month; "L<n>" (last
// given weekday) and "<day>#<n>" (n-th weekday) in the weekday field; "?"
// alone in the day fields; and the aliases @midnight, @hourly, @daily,
// @weekly, @monthly, @yearly and @annually.
//
// ok is true when Prefect would accept the value. Otherwise problem explains
// why and span locates the offending field within expr (the whole of expr
// when no single field is to blame).
func ValidateCron(expr string) (problem string, span source.Span, ok bool) {
	whole := source.Span{Start: 0, End: len(expr)}
	if len(expr) > maxCronLen {
		return fmt.Sprintf("cron string is %d characters long; that is not a cron expression", len(expr)), whole, false
	}
	if !utf8.ValidString(expr) {
		return "cron string is not valid UTF-8", whole, false
	}
	if cronAliases[strings.ToLower(expr)] {
		return "", whole, true
	}
	fields := splitCronFields(expr)
	if len(fields) == 0 {
		return "cron string is empty", whole, false
	}
	if len(fields) == 1 && strings.HasPrefix(fields[0].text, "@") {
		return fmt.Sprintf("unknown cron alias %q; croniter knows @midnight, @hourly, @daily, @weekly, @monthly, @yearly and @annually", fields[0].text), fields[0].span, false
	}
	if n := len(fields); n < 5 || n > 7 {
		return fmt.Sprintf("cron string has %d fields; croniter expects 5 (minute hour day month weekday), 6 (plus seconds) or 7 (plus seconds and year)", n), whole, false
	}
	// Random and hashed fields first: Prefect's message for them is the
	// clearer one, and hashed fields are invalid in croniter without a hash id.
	for _, f := range fields {
		if isRandomOrHashed(strings.ToLower(f.text)) {
			return fmt.Sprintf("random and hashed cron expressions (%q) are not supported by Prefect", f.text), f.span, false
		}
	}
	var nthWeekdays map[int]bool
	var plainWeekdays map[int]bool
	for i, f := range fields {
		p, nth, plain := checkCronField(i, strings.ToLower(f.text), len(fields))
		if p != "" {
			return fmt.Sprintf("%s field %q: %s", cronFieldNames[i], f.text, p), f.span, false
		}
		if i == cronWeekday {
			nthWeekdays, plainWeekdays = nth, plain
		}
	}
	if len(nthWeekdays) > 0 {
		mixed := false
		for d := range plainWeekdays {
			if !nthWeekdays[d] {
				mixed = true
			}
		}
		all := len(plainWeekdays)
		for d := range nthWeekdays {
			if !plainWeekdays[d] {
				all++
			}
		}
		if mixed && all != 7 {
			f := fields[cronWeekday]
			return fmt.Sprintf("day-of-week field %q mixes plain weekdays with \"#\"/\"L\" weekdays, which croniter does not support", f.text), f.span, false
		}
	}
	return "", whole, true
}

// splitCronFields splits on runs of white space like Python's str.split().
func splitCronFields(expr string) []cronField {
	var out []cronField
	start := -1
	for i, r := range expr {
		if unicode.IsSpace(r) {
			if start >= 0 {
				out = append(out, cronField{expr[start:i], source.Span{Start: start, End: i}})
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, cronField{expr[start:], source.Span{Start: start, End: len(expr)}})
	}
	return out
}

// isRandomOrHashed matches croniter's h/r expressions: h, r, h(a-b), h/n,
// h(a-b)/n (lower-cased).
func isRandomOrHashed(f string) bool {
	if f == "" || (f[0] != 'h' && f[0] != 'r') {
		return false
	}
	rest := f[1:]
	if strings.HasPrefix(rest, "(") {
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return false
		}
		a, b, found := strings.Cut(rest[1:end], "-")
		if !found || !allDigits(a) || !allDigits(b) {
			return false
		}
		rest = rest[end+1:]
	}
	if rest == "" {
		return true
	}
	return rest[0] == '/' && allDigits(rest[1:])
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkCronField validates one lower-cased field the way croniter expands
// it. For the weekday field it also returns the weekdays used with "#"/"L"
// and the plain ones, for croniter's "no mixing" rule.
func checkCronField(idx int, f string, nfields int) (problem string, nth, plain map[int]bool) {
	if strings.Contains(f, "?") {
		if f != "?" {
			return "\"?\" cannot be combined with other characters", nil, nil
		}
		if idx != cronDay && idx != cronWeekday {
			return "\"?\" is only allowed in the day-of-month and day-of-week fields", nil, nil
		}
		return "", nil, nil
	}
	lo, hi := cronRanges[idx][0], cronRanges[idx][1]
	// Elements are processed from a work list because ranges of "#"
	// weekdays (mon-wed#2) expand into several "#" elements.
	work := strings.Split(f, ",")
	seen := 0
	for len(work) > 0 {
		seen++
		if seen > 4096 {
			return "too many elements", nil, nil
		}
		e := work[len(work)-1]
		work = work[:len(work)-1]
		nthMark := "" // "" (none), "l" or the "#n" count
		if idx == cronWeekday {
			if head, n, isNth := splitNthWeekday(e); isNth {
				if head == "l" {
					e, nthMark = n, "l"
				} else {
					k, err := strconv.Atoi(n)
					if err != nil || k < 1 || k > 5 {
						return fmt.Sprintf("%q: the number after \"#\" must be 1 to 5", e), nil, nil
					}
					e, nthMark = head, n
				}
			}
		}
		t := e
		if strings.HasPrefix(t, "*/") {
			t = fmt.Sprintf("%d-%d%s", lo, hi, t[1:])
		}
		low, high, step, isRange := splitCronRange(t)
		if !isRange {
			if i := strings.LastIndexByte(e, '/'); i > 0 && i < len(e)-1 {
				low, high, step, isRange = splitCronRange(fmt.Sprintf("%s-%d/%s", e[:i], hi, e[i+1:]))
			}
		}
		if isRange {
			if idx == cronDay && high == "l" {
				high = "31"
			}
			lv, p := cronValue(idx, low)
			if p != "" {
				return p, nil, nil
			}
			hv, p := cronValue(idx, high)
			if p != "" {
				return p, nil, nil
			}
			if step == "" {
				step = "1"
			}
			if !allDigits(step) {
				return fmt.Sprintf("step %q is not a number", step), nil, nil
			}
			lv, hv = cronAlias(idx, lv, nfields), cronAlias(idx, hv, nfields)
			if max(lv, hv) > max(lo, hi) {
				return fmt.Sprintf("%q is out of range (%d-%d)", e, lo, hi), nil, nil
			}
			if n, err := strconv.Atoi(step); err != nil || n == 0 {
				return fmt.Sprintf("step %q must be a positive number", step), nil, nil
			}
			if idx == cronWeekday {
				// Record the covered weekdays for the mixing rule.
				if nth == nil {
					nth, plain = map[int]bool{}, map[int]bool{}
				}
				for _, d := range cronRangeValues(lv, hv, lo, hi, step) {
					if nthMark != "" {
						nth[d] = true
					} else {
						plain[d] = true
					}
				}
			}
			continue
		}
		if strings.HasPrefix(t, "-") {
			return "negative numbers are not allowed", nil, nil
		}
		if t == "*" {
			// croniter leaves "*" out of its weekday mixing rule.
			continue
		}
		if idx == cronDay && t == "l" {
			continue
		}
		v, p := cronValue(idx, t)
		if p != "" {
			return p, nil, nil
		}
		v = cronAlias(idx, v, nfields)
		if v < lo || v > hi {
			return fmt.Sprintf("%q is out of range (%d-%d)", e, lo, hi), nil, nil
		}
		if idx == cronWeekday {
			if nth == nil {
				nth, plain = map[int]bool{}, map[int]bool{}
			}
			if nthMark != "" {
				nth[v] = true
			} else {
				plain[v] = true
			}
		}
	}
	return "", nth, plain
}

// splitNthWeekday recognises croniter's "<day>#<n>" (day may be a number, a
// name or a name range) and "l<n>" forms.
func splitNthWeekday(e string) (head, n string, ok bool) {
	if h, num, found := strings.Cut(e, "#"); found {
		if h == "" || !allDigits(num) || strings.Contains(num, "#") {
			return "", "", false
		}
		for _, r := range h {
			if !(r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
				return "", "", false
			}
		}
		if strings.Contains(h, "-") {
			a, b, _ := strings.Cut(h, "-")
			_, okA := cronWeekdayNames[a]
			_, okB := cronWeekdayNames[b]
			_, okMA := cronMonthNames[a]
			_, okMB := cronMonthNames[b]
			if !(okA && okB) && !(okMA && okMB) {
				return "", "", false
			}
		}
		return h, num, true
	}
	if len(e) > 1 && e[0] == 'l' && allDigits(e[1:]) {
		return "l", e[1:], true
	}
	return "", "", false
}

// splitCronRange matches croniter's ^([^-]+)-([^-/]+)(/(\d+))?$.
func splitCronRange(t string) (low, high, step string, ok bool) {
	rangePart, stepPart, hasStep := strings.Cut(t, "/")
	if hasStep && !allDigits(stepPart) {
		return "", "", "", false
	}
	low, high, found := strings.Cut(rangePart, "-")
	if !found || low == "" || high == "" || strings.Contains(high, "-") {
		return "", "", "", false
	}
	return low, high, stepPart, true
}

// cronValue converts a number or a name valid in field idx.
func cronValue(idx int, s string) (int, string) {
	if allDigits(s) {
		if len(s) > 9 {
			return 0, fmt.Sprintf("%q is out of range (%d-%d)", s, cronRanges[idx][0], cronRanges[idx][1])
		}
		v, _ := strconv.Atoi(s)
		return v, ""
	}
	switch idx {
	case cronMonth:
		if v, ok := cronMonthNames[s]; ok {
			return v, ""
		}
		return 0, fmt.Sprintf("%q is not a month number or name (JAN-DEC)", s)
	case cronWeekday:
		if v, ok := cronWeekdayNames[s]; ok {
			return v, ""
		}
		return 0, fmt.Sprintf("%q is not a weekday number or name (SUN-SAT)", s)
	}
	if s == "" {
		return 0, "empty value"
	}
	return 0, fmt.Sprintf("%q is not a number", s)
}

// cronAlias applies croniter's value_alias: 0 means 1 in the day and month
// fields and 7 means Sunday, except in the field layouts where croniter
// turns that off.
func cronAlias(idx, v, nfields int) int {
	switch {
	case idx == cronDay && v == 0 && nfields == 6:
		return 1
	case idx == cronMonth && v == 0:
		return 0 // never aliased in any layout croniter accepts
	case idx == cronWeekday && v == 7 && nfields == 5:
		return 0
	}
	return v
}

// cronRangeValues lists the values of low-high/step, wrapping past the end
// of the field when low > high, as croniter does.
func cronRangeValues(low, high, lo, hi int, step string) []int {
	n, _ := strconv.Atoi(step)
	if n <= 0 {
		return nil
	}
	var out []int
	switch {
	case low < high:
		for v := low; v <= high; v += n {
			out = append(out, v)
		}
	case low == high:
		for v := lo; v <= hi; v += n {
			out = append(out, v)
		}
	default:
		for v := low; v <= hi; v += n {
			out = append(out, v)
		}
		for v := lo; v <= high; v += n {
			out = append(out, v)
		}
	}
	return out
}
