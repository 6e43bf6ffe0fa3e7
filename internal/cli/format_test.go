package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// syntheticReport builds a report by hand, so that the formats are tested on
// cases no rule produces today: wide and astral characters before a span, a
// span over several lines, an empty span at the end of the text, and
// messages with characters the github format must escape.
func syntheticReport() *fileReport {
	text := "name: café\n  - 😀: 1.10\nfirst: [a,\n  b]\n\tx: 中文 y\n"
	f := source.NewFile("fake", text)
	at := func(sub string, n int) source.Span {
		i := strings.Index(text, sub)
		return source.Span{Start: i, End: i + n}
	}
	return &fileReport{
		target: target{display: "dir/my prefect.yaml"},
		src:    f,
		diagnostics: []analysis.Diagnostic{
			{
				RuleID: "string-expected", Severity: analysis.Error, Span: at("1.10", 4),
				Message: "quote 1.10",
				Related: []analysis.Related{{Span: at("café", len("café")), Message: "named here"}},
				Fixes: []analysis.Fix{
					{Title: "Quote 1.10", Safe: true, Edits: []source.Edit{{Span: at("1.10", 4), NewText: `"1.10"`}}},
					{Title: "Make it 1.1", Edits: []source.Edit{{Span: at("1.10", 4), NewText: "1.1"}}},
				},
			},
			{RuleID: "multi-line", Severity: analysis.Warning, Span: source.Span{Start: strings.Index(text, "[a,"), End: strings.Index(text, "b]") + 2}, Message: "spans two lines"},
			{RuleID: "wide", Severity: analysis.Information, Span: at("y", 1), Message: "after a tab and wide characters"},
			{RuleID: "escapes", Severity: analysis.Hint, Span: source.Span{Start: len(text), End: len(text)}, Message: "100% sure: a, b\nsecond line\r"},
		},
	}
}

func TestFormatsOnSyntheticReport(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(*bytes.Buffer, []*fileReport) error
	}{
		{"synthetic.text", func(b *bytes.Buffer, r []*fileReport) error { return writeText(b, r, textOptions{}) }},
		{"synthetic.json", func(b *bytes.Buffer, r []*fileReport) error { return writeJSON(b, r) }},
		{"synthetic.github", func(b *bytes.Buffer, r []*fileReport) error { return writeGitHub(b, r) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b, []*fileReport{syntheticReport()}); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, b.String())
		})
	}
}

func TestJSONPositionsAreUTF16(t *testing.T) {
	got := jsonDiagnostics([]*fileReport{syntheticReport()})
	// "  - 😀: 1.10": 4 + 2 (a surrogate pair) + 2 = 8 UTF-16 code units.
	if r := got[0].Range; r.Start != (JSONPosition{1, 8}) || r.End != (JSONPosition{1, 12}) {
		t.Errorf("1.10 at %+v, want line 1 characters 8-12", r)
	}
	if r := got[1].Range; r.Start != (JSONPosition{2, 7}) || r.End != (JSONPosition{3, 4}) {
		t.Errorf("multi-line span at %+v", r)
	}
	// "\tx: 中文 y": tab, x, colon, space, two BMP characters, space = 7.
	if r := got[2].Range; r.Start != (JSONPosition{4, 7}) {
		t.Errorf("y at %+v, want character 7", r)
	}
	if len(got[0].Fixes) != 2 || got[0].Fixes[0].Edits[0].NewText != `"1.10"` {
		t.Errorf("fixes %+v", got[0].Fixes)
	}
	if got[1].Fixes == nil {
		t.Errorf("fixes must be [] rather than null")
	}
	sev := map[string]bool{}
	for _, d := range got {
		sev[d.Severity] = true
	}
	for _, s := range []string{"error", "warning", "information", "hint"} {
		if !sev[s] {
			t.Errorf("severity %q missing from %v", s, sev)
		}
	}
}

func TestTextUnderline(t *testing.T) {
	var b bytes.Buffer
	if err := writeText(&b, []*fileReport{syntheticReport()}, textOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	// The caret sits under 1.10: the emoji takes two terminal columns.
	if !strings.Contains(out, " 2 |   - 😀: 1.10\n   |         ^~~~\n") {
		t.Errorf("underline misplaced:\n%s", out)
	}
	// A tab in the line is kept in the underline so that it lines up, and
	// the two wide characters take four columns.
	if !strings.Contains(out, " 5 | \tx: 中文 y\n   | \t        ^\n") {
		t.Errorf("underline after a tab misplaced:\n%s", out)
	}
	if strings.Contains(out, "\r") || strings.Contains(out, "second line\n") {
		t.Errorf("control characters in messages must not reach the terminal:\n%q", out)
	}
}

func TestSnippetLongLine(t *testing.T) {
	line := strings.Repeat("a", 1000) + "TARGET" + strings.Repeat("b", 1000)
	f := source.NewFile("x", line)
	i := strings.Index(line, "TARGET")
	shown, under := snippet(f, source.Span{Start: i, End: i + 6})
	if len([]rune(shown)) > maxSnippetColumns+2 {
		t.Errorf("long line not windowed: %d characters", len([]rune(shown)))
	}
	col := strings.Index(under, "^")
	if col < 0 || !strings.HasPrefix(string([]rune(shown)[col:]), "TARGET") || !strings.HasSuffix(under, "^~~~~~") {
		t.Errorf("window lost the span:\n%s\n%s", shown, under)
	}
}

func TestGitHubEscaping(t *testing.T) {
	if got := githubData("50% a\r\nb"); got != "50%25 a%0D%0Ab" {
		t.Errorf("data escaped as %q", got)
	}
	if got := githubProperty("a:b,c%d\n"); got != "a%3Ab%2Cc%25d%0A" {
		t.Errorf("property escaped as %q", got)
	}
}

func TestSARIFStructure(t *testing.T) {
	useRules(t, goldenRules...)
	var b bytes.Buffer
	if err := writeSARIF(&b, []*fileReport{syntheticReport()}); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			ColumnKind string `json:"columnKind"`
			Tool       struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID                   string `json:"id"`
						HelpURI              string `json:"helpUri"`
						ShortDescription     struct{ Text string }
						FullDescription      struct{ Text string }
						DefaultConfiguration struct{ Level string }
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           sarifRegion
					}
				}
				Fixes []json.RawMessage
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || log.Runs[0].ColumnKind != "utf16CodeUnits" {
		t.Fatalf("bad envelope: %+v", log)
	}
	run := log.Runs[0]
	if len(run.Tool.Driver.Rules) != len(goldenRules) {
		t.Errorf("%d rules in metadata, want %d", len(run.Tool.Driver.Rules), len(goldenRules))
	}
	for _, r := range run.Tool.Driver.Rules {
		if !strings.HasPrefix(r.HelpURI, analysis.DocsBaseURL) || r.ShortDescription.Text == "" || r.FullDescription.Text == "" || r.DefaultConfiguration.Level == "" {
			t.Errorf("incomplete rule metadata %+v", r)
		}
	}
	res := run.Results[0]
	if res.RuleID != "string-expected" || run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID || res.Level != "error" {
		t.Errorf("result 0: %+v", res)
	}
	loc := res.Locations[0].PhysicalLocation
	if loc.ArtifactLocation.URI != "dir/my%20prefect.yaml" {
		t.Errorf("uri %q", loc.ArtifactLocation.URI)
	}
	if loc.Region != (sarifRegion{StartLine: 2, StartColumn: 9, EndLine: 2, EndColumn: 13}) {
		t.Errorf("region %+v, want 1-based UTF-16 2:9-2:13", loc.Region)
	}
	if len(res.Fixes) != 2 {
		t.Errorf("%d fixes, want 2", len(res.Fixes))
	}
	if run.Results[3].Level != "note" {
		t.Errorf("hints are notes, got %q", run.Results[3].Level)
	}
}
