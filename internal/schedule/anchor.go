package schedule

import (
	"fmt"
	"strings"
	"time"
)

// ValidateAnchorDate checks an interval schedule's anchor_date string the
// way Prefect parses it (parse_datetime: pendulum's ISO 8601 parser on
// Python < 3.13, whenever's on 3.13+): a calendar date, optionally followed
// by "T" or a space and a time HH:MM[:SS[.fraction]], optionally followed by
// "Z" or a UTC offset (+HH:MM, +HHMM, +HH). A date alone means midnight.
// Without an offset the time is read in the schedule's timezone (or UTC).
func ValidateAnchorDate(s string) (problem string, ok bool) {
	if strings.TrimSpace(s) == "" {
		return "anchor_date is empty; use an ISO 8601 date-time such as 2024-01-01T09:00:00", false
	}
	if _, _, p := parseISODateTime(s); p != "" {
		return fmt.Sprintf("anchor_date %q is not an ISO 8601 date-time (%s); use e.g. 2024-01-01T09:00:00 or 2024-01-01T09:00:00+02:00", s, p), false
	}
	return "", true
}

// parseISODateTime parses the ISO 8601 extended forms listed on
// ValidateAnchorDate. aware reports whether a zone suffix was present.
func parseISODateTime(s string) (t time.Time, aware bool, problem string) {
	if len(s) > 64 {
		return time.Time{}, false, "too long"
	}
	if len(s) < 10 {
		return time.Time{}, false, "expected YYYY-MM-DD"
	}
	date, rest := s[:10], s[10:]
	d, err := time.Parse("2006-01-02", date)
	if err != nil {
		return time.Time{}, false, "the date part must be a real date YYYY-MM-DD"
	}
	if rest == "" {
		return d, false, ""
	}
	if rest[0] != 'T' && rest[0] != 't' && rest[0] != ' ' {
		return time.Time{}, false, "expected \"T\" or a space between date and time"
	}
	rest = rest[1:]
	// Split the zone suffix off.
	zone := ""
	switch {
	case strings.HasSuffix(rest, "Z") || strings.HasSuffix(rest, "z"):
		zone, rest = "Z", rest[:len(rest)-1]
	default:
		if i := strings.LastIndexAny(rest, "+-"); i > 0 {
			zone, rest = rest[i:], rest[:i]
		}
	}
	var layout string
	clock := rest
	frac := ""
	if i := strings.IndexAny(clock, ".,"); i >= 0 {
		clock, frac = clock[:i], clock[i+1:]
		if !allDigits(frac) || len(frac) > 9 {
			return time.Time{}, false, "bad fraction of a second"
		}
	}
	switch len(clock) {
	case 5:
		layout = "15:04"
	case 8:
		layout = "15:04:05"
	default:
		return time.Time{}, false, "the time must be HH:MM or HH:MM:SS"
	}
	if frac != "" && layout != "15:04:05" {
		return time.Time{}, false, "a fraction needs seconds"
	}
	ct, err := time.Parse(layout, clock)
	if err != nil {
		return time.Time{}, false, "the time must be a real time HH:MM:SS"
	}
	offset := 0
	if zone != "" && zone != "Z" {
		sign := 1
		if zone[0] == '-' {
			sign = -1
		}
		z := strings.ReplaceAll(zone[1:], ":", "")
		if !allDigits(z) || (len(z) != 2 && len(z) != 4) {
			return time.Time{}, false, "bad UTC offset (use +HH:MM)"
		}
		h := int(z[0]-'0')*10 + int(z[1]-'0')
		m := 0
		if len(z) == 4 {
			m = int(z[2]-'0')*10 + int(z[3]-'0')
		}
		if h > 23 || m > 59 {
			return time.Time{}, false, "bad UTC offset (use +HH:MM)"
		}
		offset = sign * (h*3600 + m*60)
	}
	loc := time.UTC
	if offset != 0 {
		loc = time.FixedZone("", offset)
	}
	t = time.Date(d.Year(), d.Month(), d.Day(), ct.Hour(), ct.Minute(), ct.Second(), 0, loc)
	return t, zone != "", ""
}
