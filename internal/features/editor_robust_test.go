package features

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// Every editor entry point at (nearly) every offset of the real corpus and
// of the test documents, whole and cut short, answers without panicking.
func TestEditorFeaturesNeverPanic(t *testing.T) {
	texts := []string{stepIDsYAML, placeholdersYAML, jobVarsYAML, "", "{{", "- {{ a.", "pull:\n  - ", "x: \"{{ $"}
	// The real corpus sits next to the repository (../shared/corpus/real).
	files, _ := filepath.Glob("../../../shared/corpus/real/*.yaml")
	if testing.Short() && len(files) > 8 {
		files = files[:8]
	}
	for _, f := range files {
		if data, err := os.ReadFile(f); err == nil {
			texts = append(texts, string(data))
		}
	}
	ctx := context.Background()
	for _, full := range texts {
		for _, text := range []string{full, full[:len(full)/2], full[:len(full)*2/3]} {
			s := snapOf(t, text, nil)
			for _, tok := range (Placeholder{}).SemanticTokens(ctx, s) {
				if tok.Span.Start < 0 || tok.Span.End > len(text) || tok.Span.Len() <= 0 {
					t.Fatalf("semantic token %v outside the text of\n%s", tok, text)
				}
			}
			step := 1
			if len(text) > 1000 {
				step = 29 // prime, so every column is hit somewhere
			}
			for off := 0; off <= len(text); off += step {
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Fatalf("panic at %d of\n%s\n: %v", off, text, r)
						}
					}()
					Placeholder{}.Hover(ctx, s, off)
					Placeholder{}.Complete(ctx, s, off)
					Step{}.Complete(ctx, s, off)
					Step{}.Definition(ctx, s, off)
					Step{}.References(ctx, s, off, true)
					Step{}.PrepareRename(ctx, s, off)
					_, _ = Step{}.Rename(ctx, s, off, "new-id")
					WorkPool{}.Hover(ctx, s, off)
					WorkPool{}.Complete(ctx, s, off)
				}()
			}
		}
	}
}
