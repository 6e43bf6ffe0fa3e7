package schedule

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// maxIntervalDays is pydantic's limit: "durations may not exceed
// 999,999,999 days". time.Duration cannot hold that many days, so values
// that pydantic accepts but that exceed maxGoDuration are reported as a
// problem of their own (no schedule wants an interval of centuries).
const maxIntervalDays = 999_999_999

const maxGoDuration = time.Duration(math.MaxInt64)

// ParseInterval converts a schedule's interval value the way Prefect does
// (prefect.md §1.3): a number of seconds (int or float), or a string that
// pydantic's timedelta accepts: an ISO 8601 duration ("PT10M", "P1D",
// "P1W", "P1Y" = 365 days, "P1M" = 30 days), "[D day[s][,]] HH:MM[:SS[.f]]"
// or "N d". The interval must be greater than zero (IntervalSchedule's
// gt=0). problem is empty when v is acceptable. Booleans are refused
// (pydantic would read true as one second; that is never what was meant).
func ParseInterval(v any) (time.Duration, string) {
	switch x := v.(type) {
	case nil:
		return 0, "interval is empty; give a number of seconds or a duration such as \"PT10M\""
	case bool:
		return 0, fmt.Sprintf("interval must be a number of seconds or a duration string, not the boolean %v", x)
	case int:
		return secondsToDuration(float64(x))
	case int64:
		return secondsToDuration(float64(x))
	case int32:
		return secondsToDuration(float64(x))
	case uint64:
		return secondsToDuration(float64(x))
	case uint:
		return secondsToDuration(float64(x))
	case float64:
		return secondsToDuration(x)
	case float32:
		return secondsToDuration(float64(x))
	case string:
		d, p := parseTimedeltaString(x)
		if p != "" {
			return 0, fmt.Sprintf("interval %q is not a valid duration: %s; use seconds (600), ISO 8601 (\"PT10M\") or \"HH:MM:SS\"", x, p)
		}
		if d <= 0 {
			return 0, fmt.Sprintf("interval %q must be greater than zero", x)
		}
		return d, ""
	default:
		return 0, fmt.Sprintf("interval must be a number of seconds or a duration string, not %T", v)
	}
}

func secondsToDuration(s float64) (time.Duration, string) {
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return 0, "interval must be a finite number of seconds"
	}
	if math.Abs(s) > maxIntervalDays*86400 {
		return 0, "interval is too long: durations may not exceed 999,999,999 days"
	}
	if s <= 0 {
		return 0, fmt.Sprintf("interval must be greater than zero, got %v", s)
	}
	ns := s * 1e9
	if ns >= float64(maxGoDuration) {
		return 0, "interval is too long to be a useful schedule interval"
	}
	// timedelta keeps microseconds.
	d := time.Duration(math.Round(ns/1e3)) * time.Microsecond
	if d <= 0 {
		return 0, fmt.Sprintf("interval %v seconds rounds to zero", s)
	}
	return d, ""
}

// parseTimedeltaString follows pydantic-core's (speedate's) duration
// grammar. It returns a problem text instead of a duration on failure.
func parseTimedeltaString(s string) (time.Duration, string) {
	if len(s) > 256 {
		return 0, "too long"
	}
	neg := false
	body := s
	if body != "" && (body[0] == '+' || body[0] == '-') {
		neg = body[0] == '-'
		body = body[1:]
	}
	var micros float64
	var p string
	if strings.HasPrefix(body, "P") {
		micros, p = parseISODuration(body)
	} else {
		micros, p = parseDayTimeDuration(body)
	}
	if p != "" {
		return 0, p
	}
	if micros > maxIntervalDays*86400e6 {
		return 0, "durations may not exceed 999,999,999 days"
	}
	if micros*1e3 >= float64(maxGoDuration) {
		return 0, "too long to be a useful schedule interval"
	}
	d := time.Duration(micros) * time.Microsecond
	if neg {
		d = -d
	}
	return d, ""
}

// parseISODuration parses "P[nY][nM][nW][nD][T[nH][nM][nS]]" where numbers
// may carry a "." or "," fraction; like speedate, units may repeat and add
// up, and date units after "T" (or time units before it) are errors.
func parseISODuration(s string) (float64, string) {
	if len(s) < 2 {
		return 0, "input is too short"
	}
	if s == "PT" {
		return 0, "input is too short"
	}
	var total float64
	inTime := false
	i := 1
	for i < len(s) {
		if s[i] == 'T' {
			if inTime {
				return 0, "unexpected second \"T\""
			}
			inTime = true
			i++
			continue
		}
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return 0, fmt.Sprintf("expected a number at %q", s[start:])
		}
		whole := s[start:i]
		frac := ""
		if i < len(s) && (s[i] == '.' || s[i] == ',') {
			i++
			fs := i
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
			frac = s[fs:i]
		}
		if i >= len(s) {
			return 0, fmt.Sprintf("number %q has no unit", s[start:])
		}
		n := parseDecimal(whole, frac)
		unit := s[i]
		i++
		var seconds float64
		if !inTime {
			switch unit {
			case 'Y':
				seconds = 365 * 86400
			case 'M':
				seconds = 30 * 86400
			case 'W':
				seconds = 7 * 86400
			case 'D':
				seconds = 86400
			default:
				return 0, fmt.Sprintf("unit %q is not valid before \"T\" (date part: Y, M, W, D)", unit)
			}
		} else {
			switch unit {
			case 'H':
				seconds = 3600
			case 'M':
				seconds = 60
			case 'S':
				seconds = 1
			default:
				return 0, fmt.Sprintf("unit %q is not valid after \"T\" (time part: H, M, S)", unit)
			}
		}
		total += n * seconds * 1e6
	}
	return math.Trunc(total), ""
}

func parseDecimal(whole, frac string) float64 {
	var v float64
	for i := 0; i < len(whole); i++ {
		v = v*10 + float64(whole[i]-'0')
	}
	scale := 0.1
	for i := 0; i < len(frac); i++ {
		v += float64(frac[i]-'0') * scale
		scale /= 10
	}
	return v
}

// parseDayTimeDuration parses "[N d|day|days][,][ ]HH:MM[:SS[.f]]" forms.
func parseDayTimeDuration(s string) (float64, string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	// A leading number followed by a day unit is a day count.
	j := i
	for j < len(s) && s[j] == ' ' {
		j++
	}
	if i > 0 && j < len(s) && (s[j] == 'd' || s[j] == 'D') {
		days := parseDecimal(s[:i], "")
		rest := s[j:]
		lower := strings.ToLower(rest)
		switch {
		case strings.HasPrefix(lower, "days"):
			rest = rest[4:]
		case strings.HasPrefix(lower, "day"):
			rest = rest[3:]
		default:
			rest = rest[1:]
		}
		rest = strings.TrimPrefix(rest, ",")
		rest = strings.TrimLeft(rest, " ")
		micros := days * 86400e6
		if rest == "" {
			return micros, ""
		}
		t, p := parseClock(rest)
		if p != "" {
			return 0, p
		}
		return micros + t, ""
	}
	if !strings.Contains(s, ":") {
		return 0, "expected a number of days (\"1 day\") or a clock time (\"HH:MM:SS\")"
	}
	return parseClock(s)
}

// parseClock parses "H+:MM[:SS[.f]]" (hours unbounded, minutes and seconds
// two digits below 60, fraction truncated to microseconds).
func parseClock(s string) (float64, string) {
	h, rest, found := strings.Cut(s, ":")
	if !found {
		return 0, "input is too short"
	}
	if h != "" && !allDigits(h) {
		return 0, "invalid character in hour"
	}
	if len(h) > 12 {
		return 0, "hour value is too large"
	}
	hours := parseDecimal(h, "")
	if len(rest) < 2 || !allDigits(rest[:2]) {
		return 0, "invalid character in minute"
	}
	minutes := parseDecimal(rest[:2], "")
	if minutes > 59 {
		return 0, "minute value is outside expected range of 0-59"
	}
	rest = rest[2:]
	var seconds, micros float64
	if rest != "" {
		if rest[0] != ':' {
			return 0, "invalid character after minute"
		}
		rest = rest[1:]
		if len(rest) < 2 || !allDigits(rest[:2]) {
			return 0, "invalid character in second"
		}
		seconds = parseDecimal(rest[:2], "")
		if seconds > 59 {
			return 0, "second value is outside expected range of 0-59"
		}
		rest = rest[2:]
		if rest != "" {
			if rest[0] != '.' && rest[0] != ',' {
				return 0, "invalid character after second"
			}
			frac := rest[1:]
			if frac == "" {
				return 0, "second fraction digits missing after \".\""
			}
			if !allDigits(frac) {
				return 0, "invalid digit in second fraction"
			}
			if len(frac) > 6 {
				frac = frac[:6]
			}
			micros = math.Trunc(parseDecimal("0", frac)*1e6 + 1e-6)
		}
	}
	return (hours*3600+minutes*60+seconds)*1e6 + micros, ""
}
