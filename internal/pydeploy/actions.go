package pydeploy

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// Actions returns the code actions for the deployment calls whose method
// name or arguments span touches: "Write this deployment to prefect.yaml"
// for a .deploy()/deploy(...) deployment whose name is a literal. The entry
// is added to the deployments: list of the project's prefect.yaml (the
// configuration root, else the .py file's folder), which is created when
// missing. Arguments that are not literals are left out of the entry and
// named in a comment so that nothing is silently lost.
func Actions(ctx context.Context, in analysis.Input, span source.Span) []analysis.Fix {
	text := in.Contents()
	if ctx.Err() != nil || !ImportsPrefect(text) {
		return nil
	}
	cfg := in.Config
	if cfg == nil {
		cfg, _ = config.Load(filepath.Dir(in.Path))
	}
	root := cfg.Root
	if root == "" {
		root = filepath.Dir(in.Path)
	}
	var out []analysis.Fix
	for _, d := range Deployments(in.Path, text) {
		if d.Mode != ModeDeploy || !overlaps(d.Call.Span, span) {
			continue
		}
		fix, ok := writeToYAML(in, root, d)
		if ok {
			out = append(out, fix)
		}
	}
	return out
}

func overlaps(a, b source.Span) bool { return a.Start <= b.End && b.Start <= a.End }

// yamlValue renders a literal as YAML (JSON is YAML); ok is false for
// values that have no YAML form (constructors).
func yamlValue(v any) (string, bool) {
	if !jsonLike(v) {
		return "", false
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", false
	}
	return string(b), true
}

func writeToYAML(in analysis.Input, root string, d *Deployment) (analysis.Fix, bool) {
	name := d.Name()
	if name == "" {
		return analysis.Fix{}, false
	}
	var entrypoint string
	var pull []string
	if d.FromSource != nil {
		ep := d.FromSource.Kwarg("entrypoint")
		if ep == nil || ep.StringValue == nil {
			return analysis.Fix{}, false
		}
		entrypoint = *ep.StringValue
		var src *string
		if k := d.FromSource.Kwarg("source"); k != nil {
			src = k.StringValue
		} else if len(d.FromSource.Args) > 0 {
			src = d.FromSource.Args[0].StringValue
		}
		if src == nil || sourceKind(d.FromSource) != "git" {
			return analysis.Fix{}, false
		}
		pull = append(pull, "- prefect.deployments.steps.git_clone:", "    repository: "+jsonString(*src))
	} else {
		if d.Flow == nil {
			return analysis.Fix{}, false
		}
		rel, err := filepath.Rel(root, in.Path)
		if err != nil || strings.HasPrefix(rel, "..") {
			rel = filepath.Base(in.Path)
		}
		entrypoint = filepath.ToSlash(rel) + ":" + d.Flow.Name
	}
	var b strings.Builder
	var skipped []string
	line := func(indent int, s string) { b.WriteString(strings.Repeat(" ", indent) + s + "\n") }
	line(0, "- name: "+jsonString(name))
	line(2, "entrypoint: "+jsonString(entrypoint))
	for _, k := range []string{"description", "version", "tags", "parameters", "concurrency_limit", "paused", "enforce_parameter_schema"} {
		if v, ok := d.Arg(k); ok {
			if y, ok := yamlValue(v.V); ok && v.Known {
				line(2, k+": "+y)
			} else {
				skipped = append(skipped, k)
			}
		}
	}
	var schedules []string
	for _, k := range []string{"cron", "interval", "rrule"} {
		if v, ok := d.Arg(k); ok {
			if secs, isNum := seconds(v.V); k == "interval" && isNum && v.Known {
				schedules = append(schedules, fmt.Sprintf("- interval: %v", secs))
			} else if y, ok := yamlValue(v.V); ok && v.Known {
				schedules = append(schedules, "- "+k+": "+y)
			} else {
				skipped = append(skipped, k)
			}
		}
	}
	if _, ok := d.Arg("schedules"); ok {
		skipped = append(skipped, "schedules")
	}
	if len(schedules) > 0 {
		line(2, "schedules:")
		for _, s := range schedules {
			line(2, s)
		}
	}
	pool, _ := d.Str("work_pool_name")
	image, hasImage := d.Arg("image")
	imageName := ""
	if hasImage {
		if s, ok := image.V.(string); ok && image.Known {
			imageName = s
		} else if c, ok := image.V.(*Construct); ok && image.Known && c.Name == "DeploymentImage" {
			if n, ok := c.Kwargs["name"]; ok {
				imageName, _ = n.V.(string)
			}
			if t, ok := c.Kwargs["tag"]; ok {
				if ts, ok := t.V.(string); ok && imageName != "" {
					imageName += ":" + ts
				}
			}
		}
		if imageName == "" {
			skipped = append(skipped, "image")
		}
	}
	jv, hasJV := d.Arg("job_variables")
	if pool != "" || hasJV || imageName != "" {
		line(2, "work_pool:")
		if pool != "" {
			line(4, "name: "+jsonString(pool))
		} else if _, ok := d.Arg("work_pool_name"); ok {
			skipped = append(skipped, "work_pool_name")
		}
		var vars []string
		if hasJV {
			if m, ok := jv.V.(map[string]any); ok && jv.Known && jsonLike(m) {
				keys := make([]string, 0, len(m))
				for k := range m {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					y, _ := yamlValue(m[k])
					vars = append(vars, jsonString(k)+": "+y)
				}
			} else {
				skipped = append(skipped, "job_variables")
			}
		}
		if imageName != "" {
			vars = append(vars, `image: "{{ build-image.image }}"`)
		}
		if len(vars) > 0 {
			line(4, "job_variables:")
			for _, v := range vars {
				line(6, v)
			}
		}
	}
	build, push := true, true
	if v, ok := d.Arg("build"); ok && v.Known && v.V == false {
		build = false
	}
	if v, ok := d.Arg("push"); ok && v.Known && v.V == false {
		push = false
	}
	if imageName != "" && build {
		repo, tag := imageName, "latest"
		if i := strings.LastIndex(imageName, ":"); i > strings.LastIndex(imageName, "/") {
			repo, tag = imageName[:i], imageName[i+1:]
		}
		line(2, "build:")
		line(2, "- prefect_docker.deployments.steps.build_docker_image:")
		line(6, "id: build-image")
		line(6, "requires: prefect-docker>=0.3.1")
		line(6, "image_name: "+jsonString(repo))
		line(6, "tag: "+jsonString(tag))
		line(6, "dockerfile: auto")
		if push {
			line(2, "push:")
			line(2, "- prefect_docker.deployments.steps.push_docker_image:")
			line(6, "requires: prefect-docker>=0.3.1")
			line(6, `image_name: "{{ build-image.image_name }}"`)
			line(6, `tag: "{{ build-image.tag }}"`)
		}
	} else if imageName != "" {
		// build=False: the image exists; name it directly.
		s := b.String()
		s = strings.Replace(s, `image: "{{ build-image.image }}"`, "image: "+jsonString(imageName), 1)
		b.Reset()
		b.WriteString(s)
	}
	if len(pull) > 0 {
		line(2, "pull:")
		for _, p := range pull {
			line(2, p)
		}
	}
	if len(skipped) > 0 {
		line(2, "# not literal in "+filepath.Base(in.Path)+", fill in: "+strings.Join(skipped, ", "))
	}
	entry := b.String()
	yamlPath := filepath.Join(root, "prefect.yaml")
	existing, err := readFile(in, yamlPath)
	title := fmt.Sprintf("Write deployment %q to prefect.yaml", name)
	if err != nil {
		content := "# prefect.yaml written by prefect-lsp from " + filepath.Base(in.Path) + "\nname: " + filepath.Base(root) + "\n\ndeployments:\n" + entry
		return analysis.Fix{Title: title, Files: []analysis.FileEdit{{Path: yamlPath, Create: true, Content: content}}}, true
	}
	edit, ok := appendDeployment(string(existing), entry)
	if !ok {
		return analysis.Fix{}, false
	}
	return analysis.Fix{Title: title, Files: []analysis.FileEdit{{Path: yamlPath, Edits: []source.Edit{edit}}}}, true
}

func readFile(in analysis.Input, path string) ([]byte, error) {
	if in.Env != nil {
		return in.Env.Read(path)
	}
	return os.ReadFile(path)
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// appendDeployment inserts entry (a block sequence item at column 0) at the
// end of the top-level deployments: block sequence, or adds the key at the
// end of the file. It refuses flow-style or otherwise unusual lists.
func appendDeployment(text, entry string) (source.Edit, bool) {
	lines := strings.SplitAfter(text, "\n")
	off := 0
	for i, l := range lines {
		trimmed := strings.TrimRight(l, "\r\n")
		if strings.HasPrefix(trimmed, "deployments:") {
			rest := strings.TrimSpace(strings.TrimPrefix(trimmed, "deployments:"))
			if rest != "" && !strings.HasPrefix(rest, "#") {
				return source.Edit{}, false
			}
			// Find the end of the block and the items' indentation.
			end := off + len(l)
			indent := -1
			for _, m := range lines[i+1:] {
				mt := strings.TrimRight(m, "\r\n")
				st := strings.TrimLeft(mt, " ")
				if st == "" || strings.HasPrefix(st, "#") {
					end += len(m)
					continue
				}
				if len(mt) == len(st) && !strings.HasPrefix(st, "-") {
					break
				}
				if indent < 0 && strings.HasPrefix(st, "-") {
					indent = len(mt) - len(st)
				}
				end += len(m)
			}
			if indent < 0 {
				indent = 0
			}
			// Back up over trailing blank lines and comments at column 0.
			body := text[:end]
			trim := strings.TrimRight(body, " \t\r\n")
			insertAt := len(trim)
			if insertAt < len(body) {
				if j := strings.IndexByte(body[insertAt:], '\n'); j >= 0 {
					insertAt += j + 1
				} else {
					insertAt = len(body)
				}
			}
			prefix := ""
			if insertAt > 0 && text[insertAt-1] != '\n' {
				prefix = "\n"
			}
			return source.Edit{Span: source.Span{Start: insertAt, End: insertAt}, NewText: prefix + indentLines(entry, indent)}, true
		}
		off += len(l)
	}
	prefix := "\n"
	if text != "" && !strings.HasSuffix(text, "\n") {
		prefix = "\n\n"
	}
	return source.Edit{Span: source.Span{Start: len(text), End: len(text)}, NewText: prefix + "deployments:\n" + entry}, true
}

func indentLines(s string, n int) string {
	if n == 0 {
		return s
	}
	pad := strings.Repeat(" ", n)
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			b.WriteString(pad + l)
		}
	}
	return b.String()
}
