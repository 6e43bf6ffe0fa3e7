package cli

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// SARIF 2.1.0 output, the subset code-scanning tools read.

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	projectURL   = "https://github.com/prefect-lsp/prefect-lsp"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	ColumnKind  string            `json:"columnKind"`
	Results     []sarifResult     `json:"results"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool `json:"executionSuccessful"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name"`
	ShortDescription     sarifText          `json:"shortDescription"`
	FullDescription      sarifText          `json:"fullDescription"`
	HelpURI              string             `json:"helpUri"`
	Help                 sarifText          `json:"help"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	Properties           map[string]any     `json:"properties,omitempty"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID           string                 `json:"ruleId"`
	RuleIndex        int                    `json:"ruleIndex"`
	Level            string                 `json:"level"`
	Message          sarifText              `json:"message"`
	Locations        []sarifLocation        `json:"locations"`
	RelatedLocations []sarifRelatedLocation `json:"relatedLocations,omitempty"`
	Fixes            []sarifFix             `json:"fixes,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
}

type sarifRelatedLocation struct {
	ID               int                   `json:"id"`
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	Message          sarifText             `json:"message"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI string `json:"uri"`
}

// sarifRegion is 1-based; endColumn is the column after the last
// character; columns count UTF-16 code units (run.columnKind).
type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
}

type sarifFix struct {
	Description     sarifText             `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Replacements     []sarifReplacement    `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifRegion `json:"deletedRegion"`
	InsertedContent sarifText   `json:"insertedContent"`
}

// sarifLevel maps a severity to a SARIF level.
func sarifLevel(s analysis.Severity) string {
	switch s {
	case analysis.Error:
		return "error"
	case analysis.Warning:
		return "warning"
	}
	return "note"
}

// sarifURI turns a path into an artifact URI: a relative URI for relative
// paths (forward slashes, escaped), a file URI for absolute ones.
func sarifURI(path string) string {
	slash := filepath.ToSlash(path)
	if filepath.IsAbs(path) {
		return (&url.URL{Scheme: "file", Path: slash}).String()
	}
	return (&url.URL{Path: slash}).EscapedPath()
}

func sarifRegionOf(f *source.File, s source.Span) *sarifRegion {
	r := f.Range(s, source.UTF16)
	return &sarifRegion{
		StartLine: r.Start.Line + 1, StartColumn: r.Start.Character + 1,
		EndLine: r.End.Line + 1, EndColumn: r.End.Character + 1,
	}
}

// ruleDescription is the first paragraph of a rule doc's "What it does"
// section, else its summary.
func ruleDescription(r *analysis.Rule) string {
	doc := r.Doc
	if i := strings.Index(doc, "## What it does"); i >= 0 {
		doc = doc[i+len("## What it does"):]
	} else {
		return r.Summary
	}
	doc = strings.TrimLeft(doc, "\n")
	if i := strings.Index(doc, "\n\n"); i >= 0 {
		doc = doc[:i]
	}
	if i := strings.Index(doc, "\n#"); i >= 0 {
		doc = doc[:i]
	}
	doc = strings.Join(strings.Fields(doc), " ")
	if doc == "" {
		return r.Summary
	}
	return doc
}

func writeSARIF(w io.Writer, reports []*fileReport) error {
	all := ruleSet()
	index := map[string]int{}
	driver := sarifDriver{Name: "prefect-lsp", Version: version(), InformationURI: projectURL, Rules: []sarifRule{}}
	for i, r := range all {
		index[r.ID] = i
		driver.Rules = append(driver.Rules, sarifRule{
			ID:                   r.ID,
			Name:                 r.ID,
			ShortDescription:     sarifText{Text: r.Summary},
			FullDescription:      sarifText{Text: ruleDescription(r)},
			HelpURI:              r.DocsURL(),
			Help:                 sarifText{Text: r.Summary + " See " + r.DocsURL(), Markdown: r.Doc},
			DefaultConfiguration: sarifConfiguration{Level: sarifLevel(r.Severity)},
			Properties:           map[string]any{"category": string(r.Category), "tags": []string{string(r.Category)}},
		})
	}
	others := &otherFiles{}
	results := []sarifResult{}
	successful := true
	for _, rep := range reports {
		if len(rep.failures) > 0 {
			successful = false
		}
		uri := sarifURI(rep.target.display)
		for _, d := range rep.diagnostics {
			idx, ok := index[d.RuleID]
			if !ok {
				idx = -1
			}
			res := sarifResult{
				RuleID:    d.RuleID,
				RuleIndex: idx,
				Level:     sarifLevel(d.Severity),
				Message:   sarifText{Text: d.Message},
				Locations: []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{
					ArtifactLocation: sarifArtifactLocation{URI: uri},
					Region:           sarifRegionOf(rep.src, d.Span),
				}}},
			}
			for i, rel := range d.Related {
				loc := sarifPhysicalLocation{ArtifactLocation: sarifArtifactLocation{URI: uri}, Region: sarifRegionOf(rep.src, rel.Span)}
				if rel.Path != "" {
					loc = sarifPhysicalLocation{ArtifactLocation: sarifArtifactLocation{URI: sarifURI(relativeToWD(rel.Path))}}
					if f := others.get(rel.Path); f != nil {
						loc.Region = sarifRegionOf(f, rel.Span)
					}
				}
				res.RelatedLocations = append(res.RelatedLocations, sarifRelatedLocation{ID: i + 1, PhysicalLocation: loc, Message: sarifText{Text: rel.Message}})
			}
			for _, fx := range d.Fixes {
				if len(fx.Edits) == 0 {
					continue
				}
				change := sarifArtifactChange{ArtifactLocation: sarifArtifactLocation{URI: uri}}
				for _, e := range fx.Edits {
					change.Replacements = append(change.Replacements, sarifReplacement{
						DeletedRegion:   *sarifRegionOf(rep.src, e.Span),
						InsertedContent: sarifText{Text: e.NewText},
					})
				}
				res.Fixes = append(res.Fixes, sarifFix{Description: sarifText{Text: fx.Title}, ArtifactChanges: []sarifArtifactChange{change}})
			}
			results = append(results, res)
		}
	}
	log := sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{{
		Tool:        sarifTool{Driver: driver},
		Invocations: []sarifInvocation{{ExecutionSuccessful: successful}},
		ColumnKind:  "utf16CodeUnits",
		Results:     results,
	}}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}
