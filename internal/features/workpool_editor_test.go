package features

import (
	"context"
	"strings"
	"testing"

	"github.com/prefect-lsp/prefect-lsp/internal/workpools"
)

// The pool type is inferred from task_definition_arn (only ecs has it).
const jobVarsYAML = `deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
    work_pool:
      name: aws
      job_variables:
        task_definition_arn: arn:aws:ecs:x
        cpu: 1024
        
`

func TestJobVariableHover(t *testing.T) {
	s := snapOf(t, jobVarsYAML, nil)
	ctx := context.Background()
	h := WorkPool{}.Hover(ctx, s, offOf(t, jobVarsYAML, "cpu", 1, 1))
	if h == nil {
		t.Fatal("no hover")
	}
	ecs, _ := workpools.Lookup("ecs")
	cpu, _ := ecs.Variable("cpu")
	for _, want := range []string{"**Job variable `cpu`**", "`ecs` pools", "inferred from job_variables keys", "- Type: `" + cpu.Type + "`", firstWords(cpu.Description)} {
		if !strings.Contains(h.Markdown, want) {
			t.Errorf("missing %q in\n%s", want, h.Markdown)
		}
	}
	if s.File.Slice(h.Span) != "cpu" {
		t.Errorf("span %q", s.File.Slice(h.Span))
	}
	// The pool name still gets the decision hover; values get nothing.
	if h := (WorkPool{}).Hover(ctx, s, offOf(t, jobVarsYAML, "aws", 1, 1)); h == nil || !strings.Contains(h.Markdown, "type `ecs`") {
		t.Errorf("pool hover: %+v", h)
	}
	if h := (WorkPool{}).Hover(ctx, s, offOf(t, jobVarsYAML, "1024", 1, 1)); h != nil {
		t.Errorf("value hover: %q", h.Markdown)
	}
	// Unknown type: no job-variable hover.
	text := strings.Replace(jobVarsYAML, "task_definition_arn: arn:aws:ecs:x", "image: x", 1)
	s = snapOf(t, text, nil)
	if h := (WorkPool{}).Hover(ctx, s, offOf(t, text, "cpu", 1, 1)); h != nil {
		t.Errorf("unknown type hover: %q", h.Markdown)
	}
}

func firstWords(s string) string {
	if len(s) > 20 {
		return s[:20]
	}
	return s
}

func TestJobVariableCompletion(t *testing.T) {
	ctx := context.Background()
	text := jobVarsYAML + "        mem"
	s := snapOf(t, text, nil)
	items := WorkPool{}.Complete(ctx, s, len(text))
	ecs, _ := workpools.Lookup("ecs")
	mem, ok := hasLabel(items, "memory")
	if !ok {
		t.Fatalf("no memory in %v", labels(items))
	}
	v, _ := ecs.Variable("memory")
	if !strings.HasPrefix(mem.Detail, v.Type) || !strings.Contains(mem.Documentation, firstWords(v.Description)) || s.File.Slice(mem.Replace) != "mem" {
		t.Errorf("memory item: %+v", mem)
	}
	// Keys already written are not offered again; the others all are.
	for _, have := range []string{"cpu", "task_definition_arn"} {
		if _, ok := hasLabel(items, have); ok {
			t.Errorf("%s offered again", have)
		}
	}
	if len(items) != len(ecs.Variables)-2 {
		t.Errorf("%d items for %d variables", len(items), len(ecs.Variables))
	}
	// Snippet shapes follow the variable's type.
	for _, it := range items {
		v, _ := ecs.Variable(it.Label)
		switch {
		case len(v.Enum) > 0:
			if !strings.Contains(it.InsertText, "${1|") {
				t.Errorf("%s: enum snippet %q", v.Name, it.InsertText)
			}
		case v.Type == "object":
			if it.InsertText != v.Name+":\n  $0" {
				t.Errorf("%s: object snippet %q", v.Name, it.InsertText)
			}
		}
	}
	// On the blank line of the original (document parses): same answer.
	s = snapOf(t, jobVarsYAML, nil)
	if items := (WorkPool{}).Complete(ctx, s, len(jobVarsYAML)-1); len(items) != len(ecs.Variables)-2 {
		t.Errorf("blank line: %d items", len(items))
	}
	// Not under env, not on a value, not outside job_variables.
	text = jobVarsYAML + "        env:\n          FO"
	s = snapOf(t, text, nil)
	if items := (WorkPool{}).Complete(ctx, s, len(text)); items != nil {
		t.Errorf("under env: %v", labels(items))
	}
	for _, at := range []int{offOf(t, jobVarsYAML, "1024", 1, 2), offOf(t, jobVarsYAML, "name: aws", 1, 2)} {
		if items := (WorkPool{}).Complete(ctx, snapOf(t, jobVarsYAML, nil), at); items != nil {
			t.Errorf("at %d: %v", at, labels(items))
		}
	}
}

func TestJobVariableKeyAt(t *testing.T) {
	for _, tc := range []struct {
		text string
		ok   bool
	}{
		{"work_pool:\n  job_variables:\n    |", true},
		{"work_pool:\n  job_variables:\n    im|", true},
		{"work_pool:\n  job_variables:  # vars\n    a: 1\n\n    # c\n    im|", true},
		{"work_pool:\n  job_variables:\n    env:\n      A|", false},
		{"work_pool:\n  job_variables:\n    a: |", false},
		{"work_pool:\n  name: x|", false},
		{"job_variables: {}\nx|", false},
	} {
		off := strings.Index(tc.text, "|")
		text := strings.Replace(tc.text, "|", "", 1)
		if _, ok := jobVariableKeyAt(text, off); ok != tc.ok {
			t.Errorf("%q: %v", tc.text, ok)
		}
	}
}
