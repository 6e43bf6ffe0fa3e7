package prefectyaml_test

import (
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/benchgen"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// TestParseFrom edits deployments of realistic files the way a user types
// (yamlsyntax.Reparse builds each version's tree from the last), and
// checks that the model ParseFrom builds from the last version's model is
// the model Parse builds, and that it copied the deployments the edit did
// not touch.
func TestParseFrom(t *testing.T) {
	for _, text := range []string{
		benchgen.Generate(benchgen.Realistic, 30).YAML,
		benchgen.Generate(benchgen.Small, 30).YAML,
		// A deployment that is an alias, and keys after the list (copied,
		// with moved spans, by Reparse).
		strings.Replace(benchgen.Generate(benchgen.Realistic, 8).YAML, "\ndeployments:\n", "\nproto: &proto\n  name: proto\n  entrypoint: flows/a.py:f\ndeployments:\n  - *proto\n", 1) + "trailing:\n  a: 1\nagain: *proto\n",
	} {
		rng := rand.New(rand.NewSource(int64(len(text))))
		prevDoc := yamlsyntax.ParseFile(source.NewFile("prefect.yaml", text))
		if prevDoc.Root == nil || len(prevDoc.Problems) > 0 {
			t.Fatalf("the file does not parse cleanly: %v", prevDoc.Problems)
		}
		prev := prefectyaml.Parse(prevDoc)
		n := len(prev.Deployments)
		reparsed, copied := 0, 0
		for e := 0; e < 40; e++ {
			// A character typed into a name of a random deployment.
			d := prev.Deployments[rng.Intn(n)]
			if !d.Name.Present() || d.Via != nil {
				continue
			}
			at := d.Name.Value.Span.End
			next := text[:at] + string(rune('a'+rng.Intn(26))) + text[at:]
			doc, ok := yamlsyntax.Reparse(prevDoc, source.NewFile("prefect.yaml", next))
			if !ok {
				continue
			}
			reparsed++
			got, want := prefectyaml.ParseFrom(doc, prev), prefectyaml.Parse(doc)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("edit %d (deployment %d): ParseFrom's model differs from Parse's", e, d.Index)
			}
			for i, nd := range got.Deployments {
				if nd.File() != got {
					t.Fatalf("deployment %d belongs to another file", i)
				}
				if i < len(prev.Deployments) && nd.Node == prev.Deployments[i].Node {
					copied++
				}
			}
			text, prevDoc, prev = next, doc, got
		}
		if reparsed < 20 || copied == 0 {
			t.Errorf("%d of 40 edits reparsed, %d deployments copied", reparsed, copied)
		}
	}
}
