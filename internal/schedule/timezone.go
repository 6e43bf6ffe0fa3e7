package schedule

import (
	_ "embed" // tznames.txt
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // zone data inside the binary: results do not depend on the host

	"github.com/prefect-lsp/prefect-lsp/internal/textdist"
)

// tznames.txt lists the IANA zone names in Go's embedded tzdata (the same
// set as Python's zoneinfo.available_timezones()); TestZoneNamesMatchGoroot
// keeps it in step with the toolchain's lib/time/zoneinfo.zip.
//
//go:embed tznames.txt
var zoneNamesText string

var zoneNames = sync.OnceValue(func() []string {
	return strings.Fields(zoneNamesText)
})

var zoneNameSet = sync.OnceValue(func() map[string]bool {
	m := make(map[string]bool, len(zoneNames()))
	for _, n := range zoneNames() {
		m[n] = true
	}
	return m
})

// ZoneNames returns the known IANA zone names, sorted (for completion).
func ZoneNames() []string { return append([]string(nil), zoneNames()...) }

func loadZone(name string) (*time.Location, error) {
	if !zoneNameSet()[name] {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	return time.LoadLocation(name)
}

// loadable remembers which known zone names time.LoadLocation accepts.
var loadable sync.Map

// ValidateTimezone checks an IANA time zone name as Prefect's schedules do
// ('Invalid timezone: "<v>" (specify in IANA tzdata format, for example,
// America/New_York)', prefect.md §1.3). Names are case-sensitive. On failure
// suggestions holds up to three likely meant names, best first.
func ValidateTimezone(name string) (problem string, suggestions []string, ok bool) {
	if zoneNameSet()[name] {
		if v, hit := loadable.Load(name); hit {
			if v.(bool) {
				return "", nil, true
			}
		} else {
			_, err := time.LoadLocation(name) // reads tzdata: remember the answer
			loadable.Store(name, err == nil)
			if err == nil {
				return "", nil, true
			}
		}
	}
	if strings.TrimSpace(name) == "" {
		return "time zone is empty; use an IANA name such as America/New_York", nil, false
	}
	suggestions = suggestZones(name)
	problem = fmt.Sprintf("invalid time zone %q: specify an IANA tz database name, for example America/New_York", name)
	if len(suggestions) > 0 {
		problem += fmt.Sprintf("; did you mean %s?", strings.Join(suggestions, ", "))
	}
	return problem, suggestions, false
}

// zoneAbbreviations maps common abbreviations people write to the zone
// usually meant.
var zoneAbbreviations = map[string][]string{
	"PST": {"America/Los_Angeles"}, "PDT": {"America/Los_Angeles"},
	"MDT": {"America/Denver"}, "CST": {"America/Chicago"}, "CDT": {"America/Chicago"},
	"EDT": {"America/New_York"}, "BST": {"Europe/London"}, "CET": {"Europe/Paris", "CET"},
	"CEST": {"Europe/Paris"}, "IST": {"Asia/Kolkata"}, "JST": {"Asia/Tokyo"},
	"AEST": {"Australia/Sydney"}, "AEDT": {"Australia/Sydney"}, "Z": {"UTC"}, "UTC+0": {"UTC"},
}

func suggestZones(name string) []string {
	if len(name) > 128 {
		name = name[:128]
	}
	if s, ok := zoneAbbreviations[strings.ToUpper(strings.TrimSpace(name))]; ok {
		return s
	}
	norm := func(s string) string {
		return strings.ToLower(strings.NewReplacer(" ", "_", "-", "_").Replace(strings.TrimSpace(s)))
	}
	want := norm(name)
	type cand struct {
		name string
		dist int
	}
	var cands []cand
	for _, z := range zoneNames() {
		lz := strings.ToLower(z)
		if lz == want || norm(z) == want {
			return []string{z}
		}
		d := textdist.Distance(want, lz)
		// Also compare with the city part: "New York" → America/New_York.
		if i := strings.LastIndexByte(lz, '/'); i >= 0 {
			if cd := textdist.Distance(want, lz[i+1:]); cd < d {
				d = cd
			}
		}
		limit := 2
		if len(want) > 8 {
			limit = 3
		}
		if d <= limit {
			cands = append(cands, cand{z, d})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].dist < cands[j].dist })
	var out []string
	for _, c := range cands {
		if len(out) == 3 {
			break
		}
		out = append(out, c.name)
	}
	return out
}
