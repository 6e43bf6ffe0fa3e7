package schedule

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseIntervalTable(t *testing.T) {
	cases := []struct {
		in   any
		want time.Duration // 0 means a problem is expected
	}{
		{600, 10 * time.Minute},
		{1.5, 1500 * time.Millisecond},
		{int64(86400), 24 * time.Hour},
		{0, 0},
		{-5, 0},
		{true, 0},
		{nil, 0},
		{[]int{1}, 0},
		{math.NaN(), 0},
		{"PT10M", 10 * time.Minute},
		{"P1D", 24 * time.Hour},
		{"P1W", 7 * 24 * time.Hour},
		{"P1M", 30 * 24 * time.Hour},
		{"P1Y", 365 * 24 * time.Hour},
		{"01:02:03", time.Hour + 2*time.Minute + 3*time.Second},
		{"1 day, 01:00:00", 25 * time.Hour},
		{"-PT10M", 0},
		{"P0D", 0},
		{"P", 0},
		{"10", 0},
		{"pt10m", 0},
		{"00:60:00", 0},
	}
	for _, c := range cases {
		got, p := ParseInterval(c.in)
		if c.want == 0 {
			if p == "" {
				t.Errorf("ParseInterval(%#v) = %v, want a problem", c.in, got)
			}
			continue
		}
		if p != "" || got != c.want {
			t.Errorf("ParseInterval(%#v) = %v, %q; want %v", c.in, got, p, c.want)
		}
	}
}

// TestParseIntervalMatchesPydantic compares the string grammar with
// pydantic's TypeAdapter(timedelta) (the parser Prefect uses for interval).
func TestParseIntervalMatchesPydantic(t *testing.T) {
	inputs := []string{
		"PT10M", "P1D", "P1Y", "P1M", "P1W", "P1Y2M3W4DT5H6M7.5S", "PT0.5S", "pt10m", "P", "PT",
		"P1DT", "-PT10M", "+PT10M", "01:02:03", "1:2:3", "25:00:00", "00:60:00", "01:02",
		"01:02:03.5", "1 day, 01:02:03", "2 days, 01:02:03", "1 day 01:02:03", "1d", "10s",
		"P1.5D", "PT1.5H", "P0D", " PT10M", "PT10M ", "1 day", "-01:00:00", "100:00:00",
		"P1DT1H", "P1H", "PT1D", "1e3", "P2W3D", "01:02:03,5", "P1,5D", "PT10m", "1_000",
		"inf", "nan", "P1D1Y", "P1D1D", "PT1S1M", "P.5D", "P1.D", "P-1D", "--PT1M", "1 days",
		"1day", "1 d", "1d 01:02:03", "1d,01:02:03", "1 Day", "1 week", "01:02:3", "1:02:03",
		"001:02:03", "01:02:03.1234567", "01:02:03.", "01:02:60", "01", "1 day,",
		"1 day, 1:00:00", "1 day, 01:00", "1 day, 01", "PT36H", "10", "", "P1000000000D",
		"PT0.0000001S", "24:00", ":01:02", "12:30:00",
	}
	const script = `
import json, sys
from datetime import timedelta
from pydantic import TypeAdapter
ta = TypeAdapter(timedelta)
out = []
for s in json.load(sys.stdin):
    try:
        out.append(ta.validate_python(s) // timedelta(microseconds=1))
    except Exception:
        out.append(None)
print(json.dumps(out))
`
	var want []*int64
	runPython(t, script, []string{"pydantic"}, inputs, &want)
	agree := 0
	for i, s := range inputs {
		got, p := parseTimedeltaString(s)
		switch {
		case want[i] == nil && p != "":
			agree++
		case want[i] != nil && p == "" && got == time.Duration(*want[i])*time.Microsecond:
			agree++
		default:
			w := "error"
			if want[i] != nil {
				w = (time.Duration(*want[i]) * time.Microsecond).String()
			}
			t.Errorf("%q: pydantic %s, ours %v %q", s, w, got, p)
		}
	}
	t.Logf("timedelta grammar: %d/%d agree with pydantic", agree, len(inputs))
}

func TestParseIntervalMessages(t *testing.T) {
	_, p := ParseInterval("P1H")
	if !strings.Contains(p, "P1H") || !strings.Contains(p, "PT10M") {
		t.Errorf("message should quote the value and show a valid form: %q", p)
	}
}
