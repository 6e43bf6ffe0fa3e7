package schedule

import (
	"archive/zip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestValidateTimezone(t *testing.T) {
	for _, ok := range []string{"UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Etc/GMT+5", "EST5EDT"} {
		if p, _, good := ValidateTimezone(ok); !good {
			t.Errorf("ValidateTimezone(%q) rejected: %s", ok, p)
		}
	}
	cases := []struct{ in, suggest string }{
		{"america/new_york", "America/New_York"},
		{"America/New York", "America/New_York"},
		{"Europe/Berln", "Europe/Berlin"},
		{"New_York", "America/New_York"},
		{"PST", "America/Los_Angeles"},
		{"Local", ""},
		{"", ""},
		{"../etc/passwd", ""},
	}
	for _, c := range cases {
		p, sugg, ok := ValidateTimezone(c.in)
		if ok || p == "" {
			t.Errorf("ValidateTimezone(%q) accepted", c.in)
			continue
		}
		if c.suggest != "" && (len(sugg) == 0 || sugg[0] != c.suggest) {
			t.Errorf("ValidateTimezone(%q) suggestions %v, want %s first", c.in, sugg, c.suggest)
		}
	}
}

// TestZoneNamesMatchGoroot keeps tznames.txt equal to the zone list of the
// toolchain's embedded tzdata, and checks every name loads.
func TestZoneNamesMatchGoroot(t *testing.T) {
	names := ZoneNames()
	if !sort.StringsAreSorted(names) || len(names) < 400 {
		t.Fatalf("zone list unsorted or short: %d names", len(names))
	}
	for _, n := range names {
		if _, err := time.LoadLocation(n); err != nil {
			t.Errorf("listed zone %q does not load: %v", n, err)
		}
	}
	zr, err := zip.OpenReader(filepath.Join(runtime.GOROOT(), "lib", "time", "zoneinfo.zip"))
	if err != nil {
		t.Skipf("no GOROOT zoneinfo.zip: %v", err)
	}
	defer zr.Close()
	var fromZip []string
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, "/") {
			fromZip = append(fromZip, f.Name)
		}
	}
	sort.Strings(fromZip)
	if !slices.Equal(fromZip, names) {
		t.Errorf("tznames.txt differs from GOROOT zoneinfo.zip (%d vs %d names); regenerate it", len(names), len(fromZip))
		if os.Getenv("UPDATE_TZNAMES") == "1" {
			_ = os.WriteFile("tznames.txt", []byte(strings.Join(fromZip, "\n")+"\n"), 0o644)
		}
	}
}

func TestValidateAnchorDate(t *testing.T) {
	good := []string{"2024-01-01", "2024-01-01T09:00:00", "2024-01-01 09:00", "2024-01-01T09:00:00Z",
		"2024-01-01T09:00:00+02:00", "2024-01-01T09:00:00-0500", "2024-01-01T09:00:00.123456", "2024-02-29T00:00:00"}
	for _, s := range good {
		if p, ok := ValidateAnchorDate(s); !ok {
			t.Errorf("ValidateAnchorDate(%q) rejected: %s", s, p)
		}
	}
	bad := []string{"", "yesterday", "2024-13-01", "2023-02-29", "2024-01-01T25:00:00", "01/02/2024",
		"2024-01-01T09", "2024-01-01T09:00:00+25:00", "2024-01-01X09:00"}
	for _, s := range bad {
		if p, ok := ValidateAnchorDate(s); ok || p == "" {
			t.Errorf("ValidateAnchorDate(%q) accepted", s)
		}
	}
}
