package schedule

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/teambition/rrule-go"
)

// MaxRRuleLength is Prefect's limit on an rrule string (MAX_RRULE_LENGTH).
const MaxRRuleLength = 6500

// ValidateRRule checks an rrule schedule value the way Prefect does
// (prefect.md §1.3): either a JSON object string {"rrule": …, "timezone": …}
// (an RRuleSchedule dict, decoded by `prefect deploy`), or an RFC 5545
// recurrence string as dateutil.rrule.rrulestr accepts it — a bare
// "FREQ=…;…" rule, "RRULE:…", or several white-space separated lines of
// DTSTART, RRULE, RDATE, EXRULE and EXDATE, case-insensitive — of at most
// MaxRRuleLength characters.
//
// ok reports whether Prefect accepts the value. A non-empty problem with ok
// true is a warning: dateutil accepts the rule but it can never produce a
// date or is deprecated (for example BYMONTH=13, INTERVAL=0, or COUNT
// together with UNTIL); those bounds come from github.com/teambition/rrule-go.
func ValidateRRule(s string) (problem string, ok bool) {
	if len(s) > MaxRRuleLength {
		return fmt.Sprintf("rrule string is %d characters long; Prefect's maximum is %d", len(s), MaxRRuleLength), false
	}
	if json.Valid([]byte(s)) {
		return validateRRuleJSON(s)
	}
	return validateRRuleText(s)
}

func validateRRuleJSON(s string) (string, bool) {
	var obj map[string]any
	if err := json.Unmarshal([]byte(s), &obj); err != nil || obj == nil {
		return "rrule is JSON but not an object; give an RRULE string or a JSON object with \"rrule\" and optional \"timezone\"", false
	}
	for k := range obj {
		if k != "rrule" && k != "timezone" {
			return fmt.Sprintf("rrule JSON object has unknown key %q (allowed: \"rrule\", \"timezone\")", k), false
		}
	}
	inner, isStr := obj["rrule"].(string)
	if !isStr {
		return "rrule JSON object needs a string \"rrule\" key", false
	}
	if tz, has := obj["timezone"]; has && tz != nil {
		name, isStr := tz.(string)
		if !isStr {
			return "rrule JSON object's \"timezone\" must be a string", false
		}
		if p, _, ok := ValidateTimezone(name); !ok {
			return p, false
		}
	}
	if len(inner) > MaxRRuleLength {
		return fmt.Sprintf("rrule string is %d characters long; Prefect's maximum is %d", len(inner), MaxRRuleLength), false
	}
	return validateRRuleText(inner)
}

var tzidPattern = regexp.MustCompile(`(?i)TZID=([^:]+):`)

// rruleDate is a parsed date value: whether it carries a zone.
type rruleDate struct {
	t     time.Time
	aware bool
}

func validateRRuleText(s string) (string, bool) {
	// TZID names keep their original case for the zone lookup.
	tzids := map[string]string{}
	for _, m := range tzidPattern.FindAllStringSubmatch(s, -1) {
		tzids[strings.ToUpper(m[1])] = m[1]
	}
	up := strings.ToUpper(s)
	if strings.TrimSpace(up) == "" {
		return "rrule string is empty", false
	}
	lines := strings.Fields(up)
	if len(lines) == 1 && (!strings.Contains(up, ":") || strings.HasPrefix(up, "RRULE:")) {
		return checkRRuleValue(lines[0], nil, "RRULE")
	}
	var rrules, exrules []string
	var dtstart *rruleDate
	hasDates := false
	for _, line := range lines {
		name, value := "RRULE", line
		if i := strings.IndexByte(line, ':'); i >= 0 {
			name, value = line[:i], line[i+1:]
		}
		parms := strings.Split(name, ";")
		name, parms = parms[0], parms[1:]
		switch name {
		case "RRULE", "EXRULE":
			if len(parms) > 0 {
				return fmt.Sprintf("unsupported %s parameter %q", name, parms[0]), false
			}
			if name == "RRULE" {
				rrules = append(rrules, value)
			} else {
				exrules = append(exrules, value)
			}
		case "RDATE":
			for _, p := range parms {
				if p != "VALUE=DATE-TIME" {
					return fmt.Sprintf("unsupported RDATE parameter %q", p), false
				}
			}
			for _, d := range strings.Split(value, ",") {
				if _, p := parseRRuleDate(d, nil); p != "" {
					return "RDATE " + p, false
				}
			}
			hasDates = true
		case "EXDATE", "DTSTART":
			dates, p := parseRRuleDates(value, parms, tzids)
			if p != "" {
				return name + " " + p, false
			}
			if name == "EXDATE" {
				hasDates = true
				continue
			}
			if len(dates) != 1 {
				return fmt.Sprintf("DTSTART has %d values; give exactly one", len(dates)), false
			}
			dtstart = &dates[0]
		default:
			return fmt.Sprintf("unsupported property %q (allowed: DTSTART, RRULE, RDATE, EXRULE, EXDATE)", name), false
		}
	}
	if len(rrules) == 0 && len(exrules) == 0 && !hasDates {
		return "rrule string has no RRULE line", false
	}
	var warning string
	for _, r := range rrules {
		p, ok := checkRRuleValue(r, dtstart, "RRULE")
		if !ok {
			return p, false
		}
		if warning == "" {
			warning = p
		}
	}
	for _, r := range exrules {
		p, ok := checkRRuleValue(r, dtstart, "EXRULE")
		if !ok {
			return p, false
		}
		if warning == "" {
			warning = p
		}
	}
	return warning, true
}

var rruleFreqs = map[string]rrule.Frequency{
	"YEARLY": rrule.YEARLY, "MONTHLY": rrule.MONTHLY, "WEEKLY": rrule.WEEKLY, "DAILY": rrule.DAILY,
	"HOURLY": rrule.HOURLY, "MINUTELY": rrule.MINUTELY, "SECONDLY": rrule.SECONDLY,
}

var rruleWeekdays = map[string]rrule.Weekday{
	"MO": rrule.MO, "TU": rrule.TU, "WE": rrule.WE, "TH": rrule.TH, "FR": rrule.FR, "SA": rrule.SA, "SU": rrule.SU,
}

// checkRRuleValue mirrors dateutil's _parse_rfc_rrule for one upper-cased
// rule ("RRULE:" prefix optional) and the rrule constructor's checks.
func checkRRuleValue(line string, dtstart *rruleDate, what string) (string, bool) {
	value := line
	if strings.Contains(line, ":") {
		parts := strings.Split(line, ":")
		if len(parts) != 2 {
			return fmt.Sprintf("%s %q has more than one \":\"", what, line), false
		}
		if parts[0] != "RRULE" {
			return fmt.Sprintf("%s %q: unknown name %q before \":\"", what, line, parts[0]), false
		}
		value = parts[1]
	}
	var opt rrule.ROption
	freqSet := false
	var until *rruleDate
	hasCount := false
	for _, pair := range strings.Split(value, ";") {
		kv := strings.Split(pair, "=")
		if len(kv) != 2 {
			if pair == "" {
				return fmt.Sprintf("%s %q has an empty part (stray \";\")", what, value), false
			}
			return fmt.Sprintf("%s part %q is not NAME=VALUE", what, pair), false
		}
		name, val := kv[0], kv[1]
		var err error
		switch name {
		case "FREQ":
			f, known := rruleFreqs[val]
			if !known {
				return fmt.Sprintf("invalid FREQ %q (YEARLY, MONTHLY, WEEKLY, DAILY, HOURLY, MINUTELY or SECONDLY)", val), false
			}
			opt.Freq, freqSet = f, true
		case "INTERVAL":
			opt.Interval, err = pyInt(val)
		case "COUNT":
			opt.Count, err = pyInt(val)
			hasCount = true
		case "BYSETPOS":
			opt.Bysetpos, err = pyInts(val)
			for _, p := range opt.Bysetpos {
				if p == 0 || p < -366 || p > 366 {
					return "BYSETPOS must be between 1 and 366, or between -366 and -1", false
				}
			}
		case "BYMONTH":
			opt.Bymonth, err = pyInts(val)
		case "BYMONTHDAY":
			opt.Bymonthday, err = pyInts(val)
		case "BYYEARDAY":
			opt.Byyearday, err = pyInts(val)
		case "BYEASTER":
			opt.Byeaster, err = pyInts(val)
		case "BYWEEKNO":
			opt.Byweekno, err = pyInts(val)
		case "BYHOUR":
			opt.Byhour, err = pyInts(val)
		case "BYMINUTE":
			opt.Byminute, err = pyInts(val)
		case "BYSECOND":
			opt.Bysecond, err = pyInts(val)
		case "UNTIL":
			d, p := parseRRuleDate(val, nil)
			if p != "" {
				return "invalid UNTIL: " + p, false
			}
			until = &d
			opt.Until = d.t
		case "WKST":
			w, known := rruleWeekdays[val]
			if !known {
				return fmt.Sprintf("invalid WKST %q (MO, TU, WE, TH, FR, SA or SU)", val), false
			}
			opt.Wkst = w
		case "BYDAY", "BYWEEKDAY":
			var p string
			opt.Byweekday, p = parseByDay(val)
			if p != "" {
				return fmt.Sprintf("invalid %s %q: %s", name, val, p), false
			}
		default:
			return fmt.Sprintf("unknown %s parameter %q", what, name), false
		}
		if err != nil {
			return fmt.Sprintf("invalid %s %q: not an integer list", name, val), false
		}
	}
	if !freqSet {
		return fmt.Sprintf("%s has no FREQ", what), false
	}
	// Without DTSTART dateutil starts "now" in UNTIL's zone, so only an
	// explicit DTSTART can disagree with UNTIL.
	if dtstart != nil && until != nil && until.aware != dtstart.aware {
		return "RRULE UNTIL values must be specified in UTC when DTSTART is timezone-aware (and without a zone when DTSTART has none)", false
	}
	if dtstart != nil {
		opt.Dtstart = dtstart.t
	}
	// Interval 0 is accepted by dateutil's constructor but never advances.
	if iv, found := findPart(value, "INTERVAL"); found {
		if n, err := pyInt(iv); err == nil && n <= 0 {
			return "INTERVAL must be at least 1; dateutil accepts it but the rule cannot advance", true
		}
	}
	if _, err := rrule.NewRRule(opt); err != nil {
		return "the rule can never produce a date: " + err.Error(), true
	}
	if hasCount && until != nil {
		return "COUNT together with UNTIL is deprecated by dateutil (RFC 5545 allows only one)", true
	}
	return "", true
}

func findPart(value, name string) (string, bool) {
	found, out := false, ""
	for _, pair := range strings.Split(value, ";") {
		if k, v, ok := strings.Cut(pair, "="); ok && k == name {
			found, out = true, v
		}
	}
	return out, found
}

// pyInt parses like Python's int(): optional sign, digits, single
// underscores between digits, surrounding white space.
func pyInt(s string) (int, error) {
	t := strings.TrimSpace(s)
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if t == "" || t[0] == '_' || t[len(t)-1] == '_' || strings.Contains(t, "__") {
		return 0, fmt.Errorf("not an integer")
	}
	t = strings.ReplaceAll(t, "_", "")
	if !allDigits(t) || len(t) > 9 {
		return 0, fmt.Errorf("not an integer")
	}
	n, err := strconv.Atoi(t)
	if neg {
		n = -n
	}
	return n, err
}

func pyInts(s string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(s, ",") {
		n, err := pyInt(p)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// parseByDay accepts "MO", "+1MO", "-2FR" and "MO(+1)" items.
func parseByDay(val string) ([]rrule.Weekday, string) {
	var out []rrule.Weekday
	for _, w := range strings.Split(val, ",") {
		if w == "" {
			return nil, "empty weekday"
		}
		name, nStr := w, ""
		if i := strings.IndexByte(w, '('); i >= 0 {
			name = w[:i]
			inner := w[i+1:]
			if inner == "" {
				return nil, "bad weekday " + w
			}
			nStr = inner[:len(inner)-1]
			if nStr == "" {
				return nil, "bad weekday " + w
			}
		} else {
			i := 0
			for i < len(w) && strings.IndexByte("+-0123456789", w[i]) >= 0 {
				i++
			}
			nStr, name = w[:i], w[i:]
		}
		wd, known := rruleWeekdays[name]
		if !known {
			return nil, fmt.Sprintf("%q is not a weekday (MO, TU, WE, TH, FR, SA, SU)", name)
		}
		if nStr != "" {
			n, err := pyInt(nStr)
			if err != nil {
				return nil, fmt.Sprintf("%q is not a number", nStr)
			}
			if n == 0 {
				return nil, "a weekday's ordinal cannot be 0"
			}
			wd = wd.Nth(n)
		}
		out = append(out, wd)
	}
	return out, ""
}

// parseRRuleDates handles DTSTART/EXDATE values with TZID and VALUE params.
func parseRRuleDates(value string, parms []string, tzids map[string]string) ([]rruleDate, string) {
	var loc *time.Location
	valueSeen := false
	for _, p := range parms {
		if strings.HasPrefix(p, "TZID=") {
			orig, known := tzids[strings.TrimPrefix(p, "TZID=")]
			if !known {
				continue
			}
			if l, err := loadZone(orig); err == nil {
				loc = l
			}
			continue
		}
		if p != "VALUE=DATE-TIME" && p != "VALUE=DATE" {
			return nil, fmt.Sprintf("has unsupported parameter %q", p)
		}
		if valueSeen {
			return nil, "has a duplicate VALUE parameter"
		}
		valueSeen = true
	}
	var out []rruleDate
	for _, d := range strings.Split(value, ",") {
		rd, p := parseRRuleDate(d, loc)
		if p != "" {
			return nil, p
		}
		if loc != nil {
			if rd.aware {
				return nil, "specifies two time zones (TZID and a UTC/offset suffix)"
			}
			rd.aware = true
		}
		out = append(out, rd)
	}
	return out, ""
}

// parseRRuleDate accepts the date forms used in recurrence strings: RFC 5545
// basic (20240101, 20240101T090000, 20240101T090000Z) and ISO 8601 extended
// ones. dateutil's parser is far more lenient; other forms are reported.
func parseRRuleDate(s string, loc *time.Location) (rruleDate, string) {
	if loc == nil {
		loc = time.UTC
	}
	for _, layout := range []string{"20060102T150405Z", "20060102T150405", "20060102T1504", "20060102"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return rruleDate{t: t, aware: strings.HasSuffix(layout, "Z")}, ""
		}
	}
	if t, aware, p := parseISODateTime(s); p == "" {
		return rruleDate{t: t, aware: aware}, ""
	}
	return rruleDate{}, fmt.Sprintf("%q is not a date (use 20240101T090000 or 20240101T090000Z)", s)
}
