package deployinfo

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// The edit functions below compute insertions and replacements in the
// original text of a prefect.yaml: existing lines, comments and styles are
// kept, new lines are indented like their neighbours, and a section that is
// missing is created. They return nil when the file's shape is too unusual
// to edit safely (flow-style sections with content, single-mapping actions,
// aliases).

// Step function names the edits write.
const (
	GitCloneStep        = "prefect.deployments.steps.git_clone"
	BuildDockerImage    = "prefect_docker.deployments.steps.build_docker_image"
	PushDockerImage     = "prefect_docker.deployments.steps.push_docker_image"
	PrefectDockerPin    = "prefect-docker>=0.3.1"
	BuildImageStepID    = "build-image"
	BuiltImageReference = "{{ build-image.image }}"
)

// AddGitClonePull adds a git_clone pull step for repository (and branch
// when not empty) to the pull section the deployment uses: its own when it
// has one, else the top level's; a new top-level section when the file has
// one deployment, else a new section in the deployment. A set_working_directory
// step that points at the deploying machine is replaced by the new step;
// otherwise the step goes first, so later steps run in the clone.
func AddGitClonePull(src *source.File, d *prefectyaml.Deployment, repository, branch string) []source.Edit {
	return AddGitClonePullReplacing(src, d, repository, branch, Describe(nil, d).LocalDirSteps)
}

// AddGitClonePullReplacing is AddGitClonePull with the set_working_directory
// steps to replace given (Info.LocalDirSteps of a DescribeAt that knew
// where the prefect.yaml is).
func AddGitClonePullReplacing(src *source.File, d *prefectyaml.Deployment, repository, branch string, local []*prefectyaml.Step) []source.Edit {
	lines := []string{"- " + GitCloneStep + ":", "    repository: " + yamlScalar(repository)}
	if branch != "" {
		lines = append(lines, "    branch: "+yamlScalar(branch))
	}
	replace := func(st *prefectyaml.Step) bool {
		for _, l := range local {
			if l.Node == st.Node {
				return true
			}
		}
		return false
	}
	return crlf(src, addSteps(src, d, "pull", lines, true, replace))
}

// AddDockerBuildPush adds a build_docker_image step (id build-image) and a
// push_docker_image step to the build and push sections the deployment uses
// (created when missing, as for AddGitClonePull), and sets
// work_pool.job_variables.image to "{{ build-image.image }}". imageName is
// the registry/repository to build (a placeholder the user completes is
// fine); dockerfile is "auto" (Prefect writes one) or a Dockerfile path.
func AddDockerBuildPush(src *source.File, d *prefectyaml.Deployment, imageName, dockerfile string) []source.Edit {
	if dockerfile == "" {
		dockerfile = "auto"
	}
	build := []string{
		"- " + BuildDockerImage + ":",
		"    id: " + BuildImageStepID,
		"    requires: " + PrefectDockerPin,
		"    image_name: " + yamlScalar(imageName),
		"    tag: latest",
		"    dockerfile: " + yamlScalar(dockerfile),
	}
	push := []string{
		"- " + PushDockerImage + ":",
		"    requires: " + PrefectDockerPin,
		`    image_name: "{{ build-image.image_name }}"`,
		`    tag: "{{ build-image.tag }}"`,
	}
	b := addSteps(src, d, "build", build, false, nil)
	p := addSteps(src, d, "push", push, false, nil)
	img := setJobVariable(src, d, "image", `"`+BuiltImageReference+`"`)
	if b == nil || p == nil || img == nil {
		return nil
	}
	if len(b) == 1 && len(p) == 1 && b[0].Span == p[0].Span && b[0].Span.Len() == 0 {
		// Both sections are created at the same place: one insertion.
		b = []source.Edit{{Span: b[0].Span, NewText: b[0].NewText + p[0].NewText}}
		p = nil
	}
	if source.Overlap(b, p) || source.Overlap(append(append([]source.Edit{}, b...), p...), img) {
		return nil
	}
	out := append(append(append([]source.Edit{}, b...), p...), img...)
	return crlf(src, out)
}

// AddDockerPush adds a push_docker_image step that pushes what the build
// step with id buildID built, to the push section the deployment uses
// (created when missing, as for AddGitClonePull).
func AddDockerPush(src *source.File, d *prefectyaml.Deployment, buildID string) []source.Edit {
	push := []string{
		"- " + PushDockerImage + ":",
		"    requires: " + PrefectDockerPin,
		`    image_name: "{{ ` + buildID + `.image_name }}"`,
		`    tag: "{{ ` + buildID + `.tag }}"`,
	}
	return crlf(src, addSteps(src, d, "push", push, false, nil))
}

// AddWorkPool gives the deployment a work pool named name: a new work_pool
// mapping, or a name in an existing one.
func AddWorkPool(src *source.File, d *prefectyaml.Deployment, name string) []source.Edit {
	return crlf(src, addWorkPool(src, d, name))
}

func addWorkPool(src *source.File, d *prefectyaml.Deployment, name string) []source.Edit {
	if d.WorkPool == nil {
		return insertKey(src, d.Node, []string{"work_pool:", "  name: " + yamlScalar(name)}, "work_pool: {name: "+yamlScalar(name)+"}")
	}
	wp := d.WorkPool.Field
	v := wp.Value.Resolve()
	if wp.Value != nil && wp.Value.Kind == yamlsyntax.AliasNode {
		return nil
	}
	if v == nil || v.IsNull() {
		return replaceValue(src, wp, []string{"name: " + yamlScalar(name)})
	}
	if v.Kind != yamlsyntax.MappingNode || d.WorkPool.Name.Set() {
		return nil
	}
	if d.WorkPool.Name.Present() {
		return replaceValueInline(src, d.WorkPool.Name, yamlScalar(name))
	}
	return insertKey(src, v, []string{"name: " + yamlScalar(name)}, "name: "+yamlScalar(name))
}

// SwitchToPushPool renames the deployment's work pool to newName and adds a
// comment above work_pool with the command that creates a pool of pushType
// with its cloud resources (prefect.md §7). newName is the text for the user
// to complete (an editor may present it as a snippet placeholder).
func SwitchToPushPool(src *source.File, d *prefectyaml.Deployment, pushType, newName string) []source.Edit {
	if d.WorkPool == nil || !d.WorkPool.Name.Present() || d.WorkPool.Field.Via != nil || d.WorkPool.Name.Via != nil {
		return nil
	}
	name := replaceValueInline(src, d.WorkPool.Name, yamlScalar(newName))
	if name == nil {
		return nil
	}
	key := d.WorkPool.Field.Key
	line := src.LineOf(key.Span.Start)
	indent := strings.Repeat(" ", column(src, key.Span.Start))
	comment := indent + "# Create the pool with: prefect work-pool create " + shellWord(newName) + " --type " + pushType + " --provision-infra\n"
	start := src.LineStart(line)
	if strings.TrimSpace(src.Text()[start:key.Span.Start]) != "" {
		// work_pool is the first key after "- ": comment above the item.
		comment = strings.Repeat(" ", column(src, key.Span.Start)-2) + "# Create the pool with: prefect work-pool create " + shellWord(newName) + " --type " + pushType + " --provision-infra\n"
	}
	return crlf(src, append([]source.Edit{{Span: source.Span{Start: start, End: start}, NewText: comment}}, name...))
}

// shellWord quotes a word for a POSIX shell when needed.
func shellWord(s string) string {
	if s != "" && regexp.MustCompile(`^[A-Za-z0-9_./:=@%+-]+$`).MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// addSteps inserts step lines (written for a dash at column 0) into the
// section the deployment uses. first puts them before the existing steps;
// replace, when it matches an existing step, makes the lines replace that
// step instead.
func addSteps(src *source.File, d *prefectyaml.Deployment, section string, lines []string, first bool, replace func(*prefectyaml.Step) bool) []source.Edit {
	file := d.File()
	var own, top *prefectyaml.Action
	switch section {
	case "build":
		own, top = d.Build, file.Build
	case "push":
		own, top = d.Push, file.Push
	case "pull":
		own, top = d.Pull, file.Pull
	}
	switch {
	case own != nil:
		return editSection(src, own, lines, first, replace)
	case top != nil:
		return editSection(src, top, lines, first, replace)
	case len(file.Deployments) == 1 && file.Root != nil:
		return createTopSection(src, file, section, lines)
	}
	return insertKey(src, d.Node, append([]string{section + ":"}, indentLines(lines, 2)...), "")
}

// editSection adds step lines to an existing section.
func editSection(src *source.File, a *prefectyaml.Action, lines []string, first bool, replace func(*prefectyaml.Step) bool) []source.Edit {
	if a.SingleMapping || a.Field.Via != nil || (a.Field.Value != nil && a.Field.Value.Kind == yamlsyntax.AliasNode) {
		return nil
	}
	v := a.Field.Value.Resolve()
	if v == nil || v.IsNull() || (v.Kind == yamlsyntax.SequenceNode && len(v.Content()) == 0) {
		return replaceValue(src, a.Field, lines)
	}
	if v.Kind != yamlsyntax.SequenceNode || v.Style == yamlsyntax.Flow {
		return nil
	}
	items := v.Content()
	dash := dashColumn(src, items[0])
	if dash < 0 {
		return nil
	}
	text := indentLines(lines, dash)
	if replace != nil {
		for _, st := range a.Steps {
			if st.Via != nil || !replace(st) {
				continue
			}
			item := items[st.Index]
			start := src.LineStart(src.LineOf(item.Span.Start))
			end := lastLineEnd(src, item)
			return []source.Edit{{Span: source.Span{Start: start, End: end}, NewText: strings.Join(text, "\n")}}
		}
	}
	if first {
		start := src.LineStart(src.LineOf(items[0].Span.Start))
		return []source.Edit{{Span: source.Span{Start: start, End: start}, NewText: strings.Join(text, "\n") + "\n"}}
	}
	end := lastLineEnd(src, items[len(items)-1])
	return []source.Edit{{Span: source.Span{Start: end, End: end}, NewText: "\n" + strings.Join(text, "\n")}}
}

// createTopSection writes a new top-level section before the first of the
// sections that conventionally follow it (build, push, pull, deployments).
func createTopSection(src *source.File, file *prefectyaml.File, section string, lines []string) []source.Edit {
	order := []string{"build", "push", "pull", "deployments"}
	i := 0
	for i < len(order) && order[i] != section {
		i++
	}
	text := section + ":\n" + strings.Join(indentLines(lines, 0), "\n") + "\n"
	for _, next := range order[i+1:] {
		p, ok := file.Root.Get(next)
		if !ok || p.Via != nil {
			continue
		}
		start := src.LineStart(src.LineOf(p.Key.Span.Start))
		if column(src, p.Key.Span.Start) != 0 {
			continue
		}
		return []source.Edit{{Span: source.Span{Start: start, End: start}, NewText: text + "\n"}}
	}
	end := lastLineEnd(src, file.Root)
	return []source.Edit{{Span: source.Span{Start: end, End: end}, NewText: "\n" + strings.TrimSuffix(text, "\n")}}
}

// setJobVariable sets work_pool.job_variables.<name> to value (YAML text).
func setJobVariable(src *source.File, d *prefectyaml.Deployment, name, value string) []source.Edit {
	if d.WorkPool == nil {
		return insertKey(src, d.Node, []string{"work_pool:", "  job_variables:", "    " + name + ": " + value}, "")
	}
	wp := d.WorkPool.Field.Value
	if wp == nil || wp.Kind == yamlsyntax.AliasNode || d.WorkPool.Field.Via != nil {
		return nil
	}
	if wp.IsNull() {
		return replaceValue(src, d.WorkPool.Field, []string{"job_variables:", "  " + name + ": " + value})
	}
	if wp.Kind != yamlsyntax.MappingNode {
		return nil
	}
	jv := d.WorkPool.JobVariables
	if !jv.Present() {
		return insertKey(src, wp, []string{"job_variables:", "  " + name + ": " + value}, "job_variables: {"+name+": "+value+"}")
	}
	if jv.Via != nil || jv.Value.Kind == yamlsyntax.AliasNode {
		return nil
	}
	if existing := d.WorkPool.JobVariable(name); existing.Present() {
		if existing.Via != nil {
			return nil
		}
		return replaceValueInline(src, existing, value)
	}
	v := jv.Value.Resolve()
	if v == nil || v.IsNull() || (v.Kind == yamlsyntax.MappingNode && len(v.Content()) == 0) {
		return replaceValue(src, jv, []string{name + ": " + value})
	}
	if v.Kind != yamlsyntax.MappingNode {
		return nil
	}
	return insertKey(src, v, []string{name + ": " + value}, name+": "+value)
}

// insertKey adds a key to a mapping: block lines (relative to the
// mapping's key column) after its last entry, or flow text before the
// closing brace of a flow mapping ("" when flow mappings are not handled).
func insertKey(src *source.File, m *yamlsyntax.Node, lines []string, flow string) []source.Edit {
	m = m.Resolve()
	if m == nil || m.Kind != yamlsyntax.MappingNode || len(m.Content()) == 0 {
		return nil
	}
	if m.Style == yamlsyntax.Flow {
		if flow == "" {
			return nil
		}
		end := m.Span.End - 1
		if end < 0 || src.Text()[end] != '}' {
			return nil
		}
		return []source.Edit{{Span: source.Span{Start: end, End: end}, NewText: ", " + flow}}
	}
	col := column(src, m.Content()[0].Span.Start)
	end := lastLineEnd(src, m)
	return []source.Edit{{Span: source.Span{Start: end, End: end}, NewText: "\n" + strings.Join(indentLines(lines, col), "\n")}}
}

// replaceValue replaces a key's empty, null or empty-collection value with
// block lines indented two spaces deeper than the key.
func replaceValue(src *source.File, f prefectyaml.Field, lines []string) []source.Edit {
	if f.Key == nil || f.Via != nil {
		return nil
	}
	text := src.Text()
	colon := strings.IndexByte(text[f.Key.Span.End:], ':')
	if colon < 0 {
		return nil
	}
	start := f.Key.Span.End + colon + 1
	end := start
	if f.Value != nil && f.Value.Span.End > start && f.Value.Span.Start >= start {
		end = f.Value.Span.End
	}
	col := column(src, f.Key.Span.Start) + 2
	block := "\n" + strings.Join(indentLines(lines, col), "\n")
	lineEnd := src.LineEnd(src.LineOf(start))
	if end <= lineEnd && strings.TrimSpace(text[end:lineEnd]) != "" {
		// A comment follows: keep it on the key's line.
		del := start
		for del < end && text[del] == ' ' {
			del++
		}
		return []source.Edit{{Span: source.Span{Start: del, End: end}}, {Span: source.Span{Start: lineEnd, End: lineEnd}, NewText: block}}
	}
	return []source.Edit{{Span: source.Span{Start: start, End: end}, NewText: block}}
}

// replaceValueInline replaces a scalar value in place (or fills an empty one).
func replaceValueInline(src *source.File, f prefectyaml.Field, text string) []source.Edit {
	if f.Key == nil || f.Via != nil {
		return nil
	}
	v := f.Value
	if v != nil && v.Kind == yamlsyntax.ScalarNode && v.Span.End > v.Span.Start {
		return []source.Edit{{Span: v.Span, NewText: text}}
	}
	if v != nil && v.Kind != yamlsyntax.ScalarNode {
		return nil
	}
	t := src.Text()
	colon := strings.IndexByte(t[f.Key.Span.End:], ':')
	if colon < 0 {
		return nil
	}
	at := f.Key.Span.End + colon + 1
	return []source.Edit{{Span: source.Span{Start: at, End: at}, NewText: " " + text}}
}

// column is the byte column of off in its line (indentation is ASCII spaces).
func column(src *source.File, off int) int {
	return off - src.LineStart(src.LineOf(off))
}

// dashColumn finds the "-" of a block sequence item on the item's line.
func dashColumn(src *source.File, item *yamlsyntax.Node) int {
	text := src.Text()
	i := item.Span.Start - 1
	if item.Anchor() != "" && item.AnchorSpan().Start < item.Span.Start {
		i = item.AnchorSpan().Start - 1
	}
	for i >= 0 && text[i] == ' ' {
		i--
	}
	if i < 0 || text[i] != '-' {
		return -1
	}
	return column(src, i)
}

// lastLineEnd is the end (before the newline) of the last line a node's
// content occupies.
func lastLineEnd(src *source.File, n *yamlsyntax.Node) int {
	end := n.Span.End
	if end > n.Span.Start && end <= len(src.Text()) && src.Text()[end-1] == '\n' {
		end--
	}
	if end > n.Span.Start {
		end--
	}
	return src.LineEnd(src.LineOf(end))
}

func indentLines(lines []string, col int) []string {
	pad := strings.Repeat(" ", col)
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = pad + l
	}
	return out
}

var plainSafe = regexp.MustCompile(`^[A-Za-z_/<][A-Za-z0-9_./:@<>+=-]*$`)

var yaml11Words = map[string]bool{
	"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true,
	"true": true, "false": true, "null": true,
}

// yamlScalar writes s as a plain scalar when that reads back as the same
// string under YAML 1.1, else double-quoted.
func yamlScalar(s string) string {
	if plainSafe.MatchString(s) && !yaml11Words[strings.ToLower(s)] && !strings.Contains(s, ": ") && !strings.HasSuffix(s, ":") {
		return s
	}
	return strconv.Quote(s)
}

// crlf makes inserted line breaks match a file written with CRLF.
func crlf(src *source.File, edits []source.Edit) []source.Edit {
	if !strings.Contains(src.Text(), "\r\n") {
		return edits
	}
	for i := range edits {
		edits[i].NewText = strings.ReplaceAll(edits[i].NewText, "\n", "\r\n")
	}
	return edits
}
