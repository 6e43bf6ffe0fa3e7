package schedule

import (
	"strings"
	"testing"
)

// rruleCases are checked against dateutil.rrule.rrulestr (what Prefect's
// validate_rrule_string calls) in TestValidateRRuleMatchesDateutil, and
// against the recorded expectation here when python3 is not available.
var rruleCases = []struct {
	in string
	ok bool
}{
	{"FREQ=DAILY", true},
	{"RRULE:FREQ=DAILY;INTERVAL=2", true},
	{"freq=weekly;byday=mo,we,fr", true},
	{"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=30", true},
	{"FREQ=MONTHLY;BYDAY=+1MO", true},
	{"FREQ=MONTHLY;BYDAY=-1FR", true},
	{"FREQ=MONTHLY;BYDAY=MO(+2)", true},
	{"FREQ=MONTHLY;BYMONTHDAY=-1", true},
	{"FREQ=YEARLY;BYMONTH=1,7;BYMONTHDAY=1", true},
	{"FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", true},
	{"FREQ=YEARLY;BYYEARDAY=100", true},
	{"FREQ=YEARLY;BYEASTER=0", true},
	{"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", true},
	{"FREQ=DAILY;COUNT=10", true},
	{"FREQ=DAILY;UNTIL=20300101T000000", true},
	{"FREQ=DAILY;UNTIL=20300101", true},
	{"FREQ=DAILY;WKST=SU", true},
	{"FREQ=HOURLY;INTERVAL=4;BYMINUTE=0", true},
	{"FREQ=MINUTELY;INTERVAL=15", true},
	{"FREQ=SECONDLY;INTERVAL=30", true},
	{"DTSTART:20240101T090000\nRRULE:FREQ=DAILY", true},
	{"DTSTART:20240101T090000Z\nRRULE:FREQ=DAILY;UNTIL=20250101T000000Z", true},
	{"DTSTART;TZID=America/New_York:20240101T090000\nRRULE:FREQ=WEEKLY;BYDAY=MO", true},
	{"DTSTART:20240101T090000\nRRULE:FREQ=DAILY\nEXRULE:FREQ=WEEKLY;BYDAY=SA,SU", true},
	{"DTSTART:20240101T090000\nRRULE:FREQ=DAILY\nEXDATE:20240102T090000", true},
	{"DTSTART:20240101T090000\nRDATE:20240105T090000", true},
	{"RRULE:FREQ=DAILY\nRRULE:FREQ=WEEKLY", true},
	{"FREQ=DAILY;INTERVAL=0", true},  // accepted; warned
	{"FREQ=YEARLY;BYMONTH=13", true}, // accepted; warned
	{"FREQ=DAILY;COUNT=5;UNTIL=20300101T000000", true},
	{`{"rrule": "FREQ=DAILY", "timezone": "Europe/Berlin"}`, true},
	{`{"rrule": "FREQ=DAILY"}`, true},
	{"", false},
	{"   ", false},
	{"FREQ=FORTNIGHTLY", false},
	{"INTERVAL=2", false},
	{"FREQ=DAILY;", false},
	{"FREQ=DAILY;INTERVAL=two", false},
	{"FREQ=DAILY;FOO=1", false},
	{"FREQ=DAILY;BYDAY=XX", false},
	{"FREQ=DAILY;BYDAY=", false},
	{"FREQ=MONTHLY;BYDAY=0MO", false},
	{"FREQ=DAILY;WKST=XX", false},
	{"FREQ=MONTHLY;BYSETPOS=0", false},
	{"FREQ=MONTHLY;BYSETPOS=400", false},
	{"FREQ=DAILY;UNTIL=notadate", false},
	{"FREQ=DAILY;UNTIL=20300101T000000Z", true}, // no DTSTART: dateutil starts now in UNTIL's zone
	{"DTSTART:20240101T090000Z\nRRULE:FREQ=DAILY;UNTIL=20250101T000000", false},
	{"RRULE;X=1:FREQ=DAILY", false},
	{"VEVENT:FREQ=DAILY\nRRULE:FREQ=DAILY", false},
	{"DTSTART:20240101T090000", false}, // no rule at all
	{"DTSTART:notadate\nRRULE:FREQ=DAILY", false},
	{"RRULE:FREQ=DAILY:X", false},
	{"FREQ=DAILY BYHOUR=9", false}, // white space splits lines
	{"FREQ=DAILY;INTERVAL=2=3", false},
	{`{"rrule": "FREQ=DAILY", "tz": "UTC"}`, false},
	{`{"timezone": "UTC"}`, false},
	{`{"rrule": "FREQ=NEVER"}`, false},
	{"FREQ=DAILY;BYHOUR=9;" + strings.Repeat("BYMINUTE=0;", 600) + "COUNT=1", false},
}

func TestValidateRRuleTable(t *testing.T) {
	for _, c := range rruleCases {
		p, ok := ValidateRRule(c.in)
		if ok != c.ok {
			t.Errorf("ValidateRRule(%q) = %v (%q), want %v", c.in, ok, p, c.ok)
		}
		if !ok && p == "" {
			t.Errorf("ValidateRRule(%q) rejected without a problem", c.in)
		}
	}
	if p, ok := ValidateRRule("FREQ=YEARLY;BYMONTH=13"); !ok || !strings.Contains(p, "bymonth") {
		t.Errorf("BYMONTH=13 should be accepted with a warning, got %v %q", ok, p)
	}
}

// TestValidateRRuleMatchesDateutil runs the same inputs through Prefect's
// check (dateutil.rrule.rrulestr, JSON objects decoded first, length limit)
// and reports the agreement.
func TestValidateRRuleMatchesDateutil(t *testing.T) {
	const script = `
import json, sys, warnings
warnings.simplefilter("ignore")
from dateutil.rrule import rrulestr
from dateutil import tz
def ok(s):
    try:
        obj = json.loads(s)
    except ValueError:
        obj = None
    if obj is not None:
        if not isinstance(obj, dict) or set(obj) - {"rrule", "timezone"} or not isinstance(obj.get("rrule"), str):
            return False
        if obj.get("timezone") is not None and tz.gettz(obj["timezone"]) is None:
            return False
        s = obj["rrule"]
    try:
        rrulestr(s, cache=True)
    except Exception:
        return False
    return len(s) <= 6500
print(json.dumps([ok(s) for s in json.load(sys.stdin)]))
`
	inputs := make([]string, len(rruleCases))
	for i, c := range rruleCases {
		inputs[i] = c.in
	}
	var want []bool
	runPython(t, script, []string{"dateutil"}, inputs, &want)
	agree := 0
	for i, s := range inputs {
		_, ok := ValidateRRule(s)
		if ok == want[i] {
			agree++
		} else {
			t.Errorf("%q: dateutil accepts=%v, ours=%v", s, want[i], ok)
		}
	}
	t.Logf("rrule: %d/%d cases agree with dateutil.rrule.rrulestr", agree, len(inputs))
}

func FuzzValidateRRule(f *testing.F) {
	for _, c := range rruleCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := ValidateRRule(s)
		if !ok && p == "" {
			t.Fatal("rejected without a problem")
		}
	})
}
