package schedule

import (
	"strings"
	"testing"
)

// Expectations follow croniter's expansion rules (croniter 6, the version
// Prefect 3 installs): its _expand, value_alias and HashExpander, plus
// Prefect's ban on random/hashed fields.
func TestValidateCronTable(t *testing.T) {
	cases := []struct {
		expr    string
		ok      bool
		bad     string // text of the field the span must cover ("" = whole)
		message string // substring of the problem
	}{
		{"0 0 * * *", true, "", ""},
		{"*/5 * * * *", true, "", ""},
		{"0 9 * * MON-FRI", true, "", ""},
		{"0 9 * * mon-fri", true, "", ""},
		{"0 0 1 JAN *", true, "", ""},
		{"0 0 * APR-JAN *", true, "", ""},   // wrap-around range
		{"0 0 * * FRI-MON", true, "", ""},   // wrap-around weekdays
		{"0 0 * * SUN-SUN", true, "", ""},   // equal bounds = whole cycle
		{"0 0 L * *", true, "", ""},         // last day of month
		{"0 0 1-L * *", true, "", ""},       // range up to the last day
		{"0 0 * * L5", true, "", ""},        // last Friday
		{"0 0 * * sat#1", true, "", ""},     // first Saturday
		{"0 0 * * 1#2,1#4", true, "", ""},   // 2nd and 4th Monday
		{"0 0 * * mon-wed#2", true, "", ""}, // range of nth weekdays
		{"0 0 ? * *", true, "", ""},
		{"0 0 * * ?", true, "", ""},
		{"@daily", true, "", ""},
		{"@ANNUALLY", true, "", ""},
		{"0 0 * * 7", true, "", ""},   // 7 = Sunday with 5 fields
		{"0 0 * * 1-7", true, "", ""}, // ends on Sunday
		{"0 0 0-5 * *", true, "", ""}, // croniter checks only the upper band
		{"10/15 * * * *", true, "", ""},
		{"0 0 * * * 30", true, "", ""},      // 6th field = seconds
		{"0 0 * * * 0 2030", true, "", ""},  // 7th field = year
		{"0 0 0 * * 0", true, "", ""},       // day 0 means 1 with 6 fields
		{"0  0\t* * *", true, "", ""},       // any white space separates
		{"0 0 * * mon#1,*", true, "", ""},   // "*" is outside the mixing rule
		{"0 0 * * mon#1,mon", true, "", ""}, // same day in both forms
		{"", false, "", "empty"},
		{"   ", false, "", "empty"},
		{"* * * *", false, "", "4 fields"},
		{"* * * * * * * *", false, "", "8 fields"},
		{"@reboot", false, "@reboot", "alias"},
		{" @daily", false, "@daily", "alias"},
		{"60 * * * *", false, "60", "out of range"},
		{"* 24 * * *", false, "24", "out of range"},
		{"0 0 32 * *", false, "32", "out of range"},
		{"0 0 0 * *", false, "0", "out of range"}, // day 0 not aliased with 5 fields
		{"0 0 * 13 *", false, "13", "out of range"},
		{"0 0 * * 8", false, "8", "out of range"},
		{"0 0 * * 7 0", false, "7", "out of range"}, // 7 not aliased with 6 fields
		{"0 0 * * * 60", false, "60", "out of range"},
		{"0 0 * * * 0 1960", false, "1960", "out of range"},
		{"0 0 * * * 0 2100", false, "2100", "out of range"},
		{"*/0 * * * *", false, "*/0", "step"},
		{"1-2-3 * * * *", false, "1-2-3", ""},
		{"-1 * * * *", false, "-1", "negative"},
		{"1,,2 * * * *", false, "1,,2", ""},
		{"0 0 * FOO *", false, "FOO", "month"},
		{"0 0 * * FUN", false, "FUN", "weekday"},
		{"0 0 15W * *", false, "15W", ""}, // croniter has no W
		{"0 0 * * 5L", false, "5L", ""},   // croniter spells it L5
		{"0 0 L * L", false, "L", ""},     // no bare L in the weekday field
		{"? 0 * * *", false, "?", "only allowed"},
		{"0 0 ?1 * *", false, "?1", "combined"},
		{"0 0 * * mon#6", false, "mon#6", "1 to 5"},
		{"0 0 * * mon#1,tue", false, "mon#1,tue", "mixes"},
		{"H * * * *", false, "H", "random and hashed"},
		{"0 H(0-5) * * *", false, "H(0-5)", "random and hashed"},
		{"R 0 * * *", false, "R", "random and hashed"},
		{"0 0 * * r/2", false, "r/2", "random and hashed"},
		{"0 0 * * * *", true, "", ""},
		{"0 0 1 * mon", true, "", ""},
		{"5 4 * * sun", true, "", ""},
		{"0 22 * * 1-5", true, "", ""},
		{"23 0-20/2 * * *", true, "", ""},
		{strings.Repeat("1,", 600) + "1 * * * *", false, "", "characters"},
	}
	for _, c := range cases {
		p, span, ok := ValidateCron(c.expr)
		if ok != c.ok {
			t.Errorf("ValidateCron(%q) ok=%v (%q), want %v", c.expr, ok, p, c.ok)
			continue
		}
		if ok {
			if p != "" {
				t.Errorf("ValidateCron(%q) ok with problem %q", c.expr, p)
			}
			continue
		}
		if !strings.Contains(p, c.message) {
			t.Errorf("ValidateCron(%q) problem %q does not mention %q", c.expr, p, c.message)
		}
		if !span.IsValid() || span.End > len(c.expr) {
			t.Errorf("ValidateCron(%q) span %v out of bounds", c.expr, span)
			continue
		}
		got := c.expr[span.Start:span.End]
		if c.bad == "" {
			if span.Start != 0 || span.End != len(c.expr) {
				t.Errorf("ValidateCron(%q) span covers %q, want the whole string", c.expr, got)
			}
		} else if got != c.bad {
			t.Errorf("ValidateCron(%q) span covers %q, want %q", c.expr, got, c.bad)
		}
	}
}

func FuzzValidateCron(f *testing.F) {
	for _, s := range []string{"0 0 * * *", "*/5 1-3 L * mon#2", "@daily", "0 0 * * * 0 2030", "a-b/c,d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, span, ok := ValidateCron(s)
		if ok == (p != "") {
			t.Fatalf("ok=%v with problem %q", ok, p)
		}
		if !span.IsValid() || span.End > len(s) {
			t.Fatalf("span %v outside %q", span, s)
		}
	})
}
