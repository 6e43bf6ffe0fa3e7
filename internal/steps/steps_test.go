package steps

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	cases := []struct{ in, want string }{
		{"prefect.deployments.steps.git_clone", "prefect.deployments.steps.git_clone"},
		{"prefect.deployments.steps.pull.git_clone", "prefect.deployments.steps.git_clone"},
		{"prefect.deployments.steps.pull:git_clone", "prefect.deployments.steps.git_clone"},
		{" prefect.deployments.steps.run_shell_script ", "prefect.deployments.steps.run_shell_script"},
		{"prefect.deployments.steps.utility.pip_install_requirements", "prefect.deployments.steps.pip_install_requirements"},
		{"prefect_docker.deployments.steps.build_docker_image", "prefect_docker.deployments.steps.build_docker_image"},
		{"prefect_azure.deployments.steps.pull_from_azure_blob_storage", "prefect_azure.deployments.steps.pull_from_azure_blob_storage"},
		{"prefect.deployments.steps.get_clone", ""},
		{"prefect.projects.steps.git_clone_project", ""},
		{"my_pkg.steps.do_it", ""},
		{"", ""},
	}
	for _, c := range cases {
		got := ""
		if s, ok := Lookup(c.in); ok {
			got = s.Name
		}
		if got != c.want {
			t.Errorf("Lookup(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCatalogInvariants(t *testing.T) {
	kinds := []string{KindGit, KindStorage, KindBlock, KindLocalDir, KindShell, KindDockerBuild, KindDockerPush}
	types := []string{"string", "boolean", "integer", "array", "object", "block", "any"}
	all := All()
	if len(all) != 14 {
		t.Errorf("catalogue has %d steps, prefect.md §2.2 lists 14", len(all))
	}
	for _, s := range all {
		if s.Name != s.Module+"."+s.Short || s.Summary == "" || len(s.Outputs) == 0 {
			t.Errorf("%s: incomplete entry %+v", s.Name, s)
		}
		if !slices.Contains(kinds, s.Kind) || !slices.Contains([]string{"build", "push", "pull"}, s.Action) {
			t.Errorf("%s: bad kind %q or action %q", s.Name, s.Kind, s.Action)
		}
		if !IsKnownModule(s.Name) {
			t.Errorf("%s: module not known", s.Name)
		}
		if pkg := PackageOf(s.Name); (s.Requires == "" && pkg != "prefect") || (s.Requires != "" && pkg != s.Requires) {
			t.Errorf("%s: Requires %q but module belongs to %q", s.Name, s.Requires, pkg)
		}
		if s.AcceptsExtraKwargs != (s.ExtraKwargsNote != "") {
			t.Errorf("%s: extra kwargs flag and note disagree", s.Name)
		}
		seen := map[string]bool{}
		for _, p := range s.Params {
			if seen[p.Name] || IsReserved(p.Name) || p.Description == "" || !slices.Contains(types, p.Type) {
				t.Errorf("%s.%s: duplicate, reserved, undocumented or badly typed param %+v", s.Name, p.Name, p)
			}
			seen[p.Name] = true
			if p.Required && p.Default != nil {
				t.Errorf("%s.%s: required with a default", s.Name, p.Name)
			}
			if p.Default != nil {
				if ok, why := CheckArg(s, p.Name, p.Default); !ok {
					t.Errorf("%s.%s: default %v fails its own check: %s", s.Name, p.Name, p.Default, why)
				}
			}
		}
	}
}

// TestCatalogMatchesReference cross-checks parameter names, **kwargs and
// output keys against the table in prefect.md §2.2, an independent summary
// of Prefect's source.
func TestCatalogMatchesReference(t *testing.T) {
	path := os.Getenv("PREFECT_REFERENCE")
	if path == "" {
		path = "/work/shared/reference/prefect.md"
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("reference not available: %v", err)
	}
	text := string(data)
	start := strings.Index(text, "### 2.2")
	end := strings.Index(text, "### 2.3")
	if start < 0 || end < start {
		t.Fatal("prefect.md has no §2.2")
	}
	paren := regexp.MustCompile(`\([^()]*\)`)
	tick := regexp.MustCompile("`([^`]*)`")
	ident := regexp.MustCompile(`^([a-z_][a-z0-9_]*)\s*(?::|=|$)`)
	rows := 0
	for _, line := range strings.Split(text[start:end], "\n") {
		if !strings.HasPrefix(line, "| `prefect") {
			continue
		}
		cols := splitRow(line)
		if len(cols) < 5 {
			continue
		}
		rows++
		name := strings.Trim(strings.TrimSpace(cols[1]), "`")
		s, ok := Lookup(name)
		if !ok {
			t.Errorf("reference step %s is not catalogued", name)
			continue
		}
		params, kwargs := refNames(cols[2], paren, tick, ident)
		var mine []string
		for _, p := range s.Params {
			mine = append(mine, p.Name)
		}
		if !slices.Equal(params, mine) {
			t.Errorf("%s: params %v, reference %v", name, mine, params)
		}
		if kwargs != s.AcceptsExtraKwargs {
			t.Errorf("%s: AcceptsExtraKwargs %v, reference %v", name, s.AcceptsExtraKwargs, kwargs)
		}
		outs, _ := refNames(cols[3], paren, tick, ident)
		var myOuts []string
		for _, o := range s.Outputs {
			myOuts = append(myOuts, o.Key)
		}
		if !slices.Equal(outs, myOuts) {
			t.Errorf("%s: outputs %v, reference %v", name, myOuts, outs)
		}
	}
	if rows != len(All()) {
		t.Errorf("reference has %d step rows, catalogue %d steps", rows, len(All()))
	}
}

// splitRow splits a markdown table row at "|" outside backticks.
func splitRow(line string) []string {
	var cols []string
	inCode, last := false, 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '`':
			inCode = !inCode
		case '|':
			if !inCode {
				cols = append(cols, line[last:i])
				last = i + 1
			}
		}
	}
	return append(cols, line[last:])
}

// refNames extracts the backticked identifiers of a table cell, ignoring
// parenthesised remarks; it stops at a **kwargs entry and reports it.
func refNames(cell string, paren, tick, ident *regexp.Regexp) ([]string, bool) {
	for prev := ""; prev != cell; {
		prev, cell = cell, paren.ReplaceAllString(cell, "")
	}
	var out []string
	for _, m := range tick.FindAllStringSubmatch(cell, -1) {
		tok := strings.TrimSpace(m[1])
		if strings.HasPrefix(tok, "**") {
			return out, true
		}
		if id := ident.FindStringSubmatch(tok); id != nil {
			out = append(out, id[1])
		}
	}
	return out, false
}

func TestRemoved(t *testing.T) {
	cases := []struct{ in, want string }{
		{"prefect.projects.steps.git_clone_project", "prefect.deployments.steps.git_clone"},
		{"prefect.deployments.steps.git_clone_project", "prefect.deployments.steps.git_clone"},
		{"prefect.deployments.steps.pull.git_clone_project", "prefect.deployments.steps.git_clone"},
		{"prefect_docker.projects.steps.build_docker_image", "prefect_docker.deployments.steps.build_docker_image"},
		{"prefect_aws.projects.steps.pull_project_from_s3", "prefect_aws.deployments.steps.pull_from_s3"},
		{"prefect_azure.projects.steps.push_project_to_azure_blob_storage", "prefect_azure.deployments.steps.push_to_azure_blob_storage"},
		{"prefect.deployments.steps.git_clone", ""},
		{"prefect.projects.steps.git_clone", ""},
	}
	for _, c := range cases {
		got, ok := Removed(c.in)
		if ok != (c.want != "") || got != c.want {
			t.Errorf("Removed(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
		if ok {
			if _, known := Lookup(got); !known {
				t.Errorf("replacement %q of %q is not catalogued", got, c.in)
			}
		}
	}
	for _, r := range removedSteps {
		if _, ok := RemovedModule(r.Name); !ok && !IsKnownModule(r.Name) {
			t.Errorf("removed step %s is in neither a removed nor a known module", r.Name)
		}
		if r.Note == "" {
			t.Errorf("removed step %s has no note", r.Name)
		}
	}
}

func TestModules(t *testing.T) {
	cases := []struct {
		in             string
		known, removed bool
		pkg            string
	}{
		{"prefect.deployments.steps.nope", true, false, "prefect"},
		{"prefect.deployments.steps.pull.nope", true, false, "prefect"},
		{"prefect_docker.deployments.steps.build_image", true, false, "prefect-docker"},
		{"prefect_gcp.deployments.steps:x", true, false, "prefect-gcp"},
		{"prefect.projects.steps.git_clone", false, true, "prefect"},
		{"prefect_aws.projects.steps.x", false, true, "prefect-aws"},
		{"my_company.steps.deploy", false, false, ""},
		{"nodots", false, false, ""},
	}
	for _, c := range cases {
		_, removed := RemovedModule(c.in)
		if IsKnownModule(c.in) != c.known || removed != c.removed || PackageOf(c.in) != c.pkg {
			t.Errorf("%q: known %v removed %v pkg %q; want %v %v %q", c.in, IsKnownModule(c.in), removed, PackageOf(c.in), c.known, c.removed, c.pkg)
		}
	}
	if len(KnownModules()) != len(knownModules) {
		t.Error("KnownModules incomplete")
	}
}

func TestSuggest(t *testing.T) {
	cases := []struct{ in, first string }{
		{"prefect.deployments.steps.get_clone", "prefect.deployments.steps.git_clone"},
		{"prefect.deployments.steps.gitclone", "prefect.deployments.steps.git_clone"},
		{"prefect.deployments.steps.run_shell", "prefect.deployments.steps.run_shell_script"},
		{"prefect.deployments.steps.set_working_dir", "prefect.deployments.steps.set_working_directory"},
		{"prefect.deployments.steps.pip_install", "prefect.deployments.steps.pip_install_requirements"},
		{"prefect.deployments.steps.run_shel_script", "prefect.deployments.steps.run_shell_script"},
		{"prefect.deployments.steps.build_docker_image", "prefect_docker.deployments.steps.build_docker_image"},
		{"prefect_docker.deployment.steps.build_docker_image", "prefect_docker.deployments.steps.build_docker_image"},
		{"prefect_docker.deployments.steps.build_image", "prefect_docker.deployments.steps.build_docker_image"},
		{"prefect.projects.steps.git_clone", "prefect.deployments.steps.git_clone"},
		{"prefect.projects.steps.git_clone_project", "prefect.deployments.steps.git_clone"},
		{"prefect_aws.deployments.steps.push_project_to_s3", "prefect_aws.deployments.steps.push_to_s3"},
		{"prefect_aws.deployments.steps.push_to_s4", "prefect_aws.deployments.steps.push_to_s3"},
		{"my_company.steps.deploy", ""},
		{"prefect.deployments.steps.git_clone", ""},
	}
	for _, c := range cases {
		got := Suggest(c.in)
		if c.first == "" {
			if c.in == "prefect.deployments.steps.git_clone" || c.in == "my_company.steps.deploy" {
				if len(got) != 0 {
					t.Errorf("Suggest(%q) = %v, want none", c.in, got)
				}
			}
			continue
		}
		if len(got) == 0 || got[0] != c.first {
			t.Errorf("Suggest(%q) = %v, want %q first", c.in, got, c.first)
		}
		if len(got) > 3 {
			t.Errorf("Suggest(%q) returned %d names", c.in, len(got))
		}
	}
	if got := Suggest(strings.Repeat("x.", 5000)); got != nil {
		t.Errorf("Suggest(long) = %v", got)
	}
}
