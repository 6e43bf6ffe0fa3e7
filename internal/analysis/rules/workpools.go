package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/deployinfo"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/workpools"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// poolInfo returns the deployment's work-pool facts, computed once per run.
func poolInfo(p *analysis.Pass, d *prefectyaml.Deployment) *deployinfo.Info {
	return p.Memo("deployinfo:"+strconv.Itoa(d.Index), func() any {
		w := deployinfo.Where{Root: p.Root, Dir: p.Root, ReadFile: p.Env.Read}
		if filepath.IsAbs(p.Path) {
			w.Dir = filepath.Dir(p.Path)
		}
		return deployinfo.DescribeAt(p.Config, d, w)
	}).(*deployinfo.Info)
}

// poolSpan is where pool findings go: the work pool's name, else the
// work_pool key, else the deployment's head.
func poolSpan(p *analysis.Pass, d *prefectyaml.Deployment) (source.Span, *yamlsyntax.Node) {
	if wp := d.WorkPool; wp != nil {
		if wp.Name.Present() {
			return wp.Name.ValueSpan(), wp.Name.Via
		}
		return wp.Field.KeySpan(), wp.Field.Via
	}
	return deploymentHead(p, d), d.Via
}

// typeLabel names a pool by type and type source: `kubernetes work pool "k8s"
// (type from configuration (pyproject.toml work-pools))`.
func typeLabel(in *deployinfo.Info) string {
	name := ""
	if in.PoolName != "" {
		name = fmt.Sprintf(" %q", in.PoolName)
	}
	src := in.PoolTypeSource
	if !strings.HasPrefix(src, "inferred") {
		src = "from " + src
	}
	return fmt.Sprintf("%s work pool%s (type %s)", in.PoolType, name, src)
}

// repositoryFor returns the git_clone repository URL and branch for the
// project: its git remote, else a placeholder.
func repositoryFor(p *analysis.Pass) (string, string) {
	v := p.Memo("git-remote", func() any {
		url, branch, ok := deployinfo.GitRemote(p.Root)
		if !ok {
			return [2]string{deployinfo.PlaceholderRepository, ""}
		}
		return [2]string{url, branch}
	}).([2]string)
	return v[0], v[1]
}

// dockerfileFor is the build step's dockerfile: the project's Dockerfile
// when there is one (dockerfile: auto would fail, prefect.md §8 #14), else auto.
func dockerfileFor(p *analysis.Pass) string {
	if p.Root != "" {
		if fi, err := os.Stat(filepath.Join(p.Root, "Dockerfile")); err == nil && !fi.IsDir() {
			return "Dockerfile"
		}
	}
	return "auto"
}

func imageNameFor(d *prefectyaml.Deployment) string {
	name := strings.TrimSuffix(strings.TrimPrefix(deployinfo.ServeFileName(d.DisplayName()), "serve_"), ".py")
	return "<registry>/" + strings.ReplaceAll(name, "_", "-")
}

// codeFixes are the quick fixes that bring the code to a remote run.
func codeFixes(p *analysis.Pass, d *prefectyaml.Deployment, in *deployinfo.Info) []analysis.Fix {
	var fixes []analysis.Fix
	repo, branch := repositoryFor(p)
	if e := deployinfo.AddGitClonePullReplacing(p.Src, d, repo, branch, in.LocalDirSteps); e != nil {
		title := "Add a git_clone pull step"
		if repo != deployinfo.PlaceholderRepository {
			title += " for " + repo
		}
		fixes = append(fixes, analysis.Fix{Title: title, Edits: e, IsPreferred: repo != deployinfo.PlaceholderRepository})
	}
	if in.Type != nil && in.Type.Kind != workpools.Managed && !in.OwnImage {
		if _, ok := in.Type.Variable("image"); ok {
			if e := deployinfo.AddDockerBuildPush(p.Src, d, imageNameFor(d), dockerfileFor(p)); e != nil {
				fixes = append(fixes, analysis.Fix{Title: "Add docker build and push steps", Edits: e})
			}
		}
	}
	return fixes
}

var CodeUnreachable = &analysis.Rule{
	ID:       "code-unreachable",
	Summary:  "the work pool runs flows away from this machine, but nothing brings the flow's code there",
	Severity: analysis.Warning,
	Category: analysis.CategoryWorkPools,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
For a deployment whose work pool runs flows away from the machine that runs
` + "`prefect deploy`" + ` (docker, kubernetes, serverless, push and managed pools), reports
when no image carries the code (no ` + "`job_variables.image`" + `, no
` + "`build_docker_image`" + ` step) and no pull step fetches it (` + "`git_clone`" + `,
` + "`pull_from_s3`" + ` and the other storage steps, ` + "`pull_with_block`" + `).

The pool's type comes from the ` + "`work-pools`" + ` table of the configuration
(` + "`[tool.prefect-lsp.work-pools]`" + ` in pyproject.toml, or the editor's
workPools setting), else from job_variables keys only one type has; when it
is unknown the rule says nothing.

## Why
` + "`prefect deploy`" + ` accepts such a deployment: when ` + "`pull`" + ` is omitted it writes a
` + "`set_working_directory`" + ` pull step with the deploying machine's current directory
(prefect.md §2.2, §5). The run then starts in a container or on another host
where that directory does not exist, and fails to load the flow.
` + "`flow.deploy()`" + ` refuses the same setup ("Either an image or remote storage
location must be provided", prefect.md §5); prefect.yaml has no such check.

## Example
` + "```yaml" + `
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
    work_pool:
      name: k8s          # kubernetes, says [tool.prefect-lsp.work-pools]
` + "```" + `

Fetch the code in a pull step (the quick fix uses the project's git remote):

` + "```yaml" + `
pull:
  - prefect.deployments.steps.git_clone:
      repository: https://github.com/acme/flows.git
      branch: main
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
    work_pool:
      name: k8s
` + "```" + `

or build and push an image that contains it (second quick fix):
` + "`build_docker_image`" + ` with ` + "`id: build-image`" + `, ` + "`push_docker_image`" + `, and
` + "`job_variables: {image: \"{{ build-image.image }}\"}`" + `.

A custom pull step (` + "`run_shell_script`" + ` or your own function) counts as a
way to fetch the code.

## How to silence
` + "`# prefect-lsp: ignore[code-unreachable]`" + ` on the work pool's name, e.g. when
the worker mounts the project directory at the same path.`,
	Run: func(p *analysis.Pass) {
		for _, d := range p.File.Deployments {
			in := poolInfo(p, d)
			t := in.Type
			if t == nil || !t.RunsRemotely || t.Kind == workpools.Legacy {
				continue
			}
			if in.RemotePull || in.CustomPull || len(in.LocalDirSteps) > 0 {
				continue
			}
			if in.OwnImage && t.Kind != workpools.Managed {
				continue
			}
			if t.Name == "docker" && d.WorkPool.JobVariable("volumes").Set() {
				continue // the directory may be mounted into the container
			}
			where := "runs flows in containers or on other hosts"
			if t.Kind == workpools.Push || t.Kind == workpools.Managed || t.Serverless {
				where = "runs flows on serverless infrastructure"
			}
			var why string
			switch {
			case in.PullOmitted:
				why = "the deployment has no image and no pull section, so prefect deploy adds a set_working_directory pull step with this machine's current directory, which the run will not find"
			case t.Kind == workpools.Managed && in.OwnImage:
				why = "managed pools run Prefect's official image, so the code must be fetched, and no pull step fetches it (git_clone, pull_from_*, pull_with_block)"
			default:
				why = "no image carries the code and no pull step fetches it (git_clone, pull_from_*, pull_with_block)"
			}
			span, via := poolSpan(p, d)
			diag := p.Reportf(span, "%s %s, but %s; add a git_clone pull step or build and push an image with the flow (unless the pool's base job template sets an image that contains it)", typeLabel(in), where, why)
			p.AddVia(diag, via)
			diag.Fixes = codeFixes(p, d, in)
		}
	},
}

var ImageNotPushed = &analysis.Rule{
	ID:       "image-not-pushed",
	Summary:  "the deployment builds an image that no step pushes, but its work pool pulls images from a registry",
	Severity: analysis.Warning,
	Category: analysis.CategoryWorkPools,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
For a deployment whose work pool starts runs on other infrastructure
(kubernetes, ECS, Cloud Run, Azure Container Instances, Vertex AI and the push
pools), reports a ` + "`build_docker_image`" + ` step with no ` + "`push_docker_image`" + `
step after it. Docker pools are left alone: their worker may share the Docker
daemon that built the image. The pool's type comes from the configuration or
from job_variables, as for code-unreachable.

## Why
` + "`build_docker_image`" + ` builds the image in the deploying machine's Docker daemon
and nothing else. The deployment is created with that image name, and every
run then fails to pull it (Kubernetes reports ErrImagePull /
ImagePullBackOff), unless the cluster happens to share the daemon (Docker
Desktop's Kubernetes, minikube with docker-env).

## Example
` + "```yaml" + `
build:
  - prefect_docker.deployments.steps.build_docker_image:
      id: build-image
      image_name: registry.example.com/etl
      tag: latest
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
    work_pool:
      name: k8s
      job_variables:
        image: "{{ build-image.image }}"
` + "```" + `

Push what was built (the quick fix adds the step):

` + "```yaml" + `
push:
  - prefect_docker.deployments.steps.push_docker_image:
      image_name: "{{ build-image.image_name }}"
      tag: "{{ build-image.tag }}"
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore[image-not-pushed]`" + ` on the work pool's name, e.g. for a
local cluster that shares the Docker daemon.`,
	Run: func(p *analysis.Pass) {
		for _, d := range p.File.Deployments {
			in := poolInfo(p, d)
			t := in.Type
			if t == nil || !t.RunsRemotely || t.Name == "docker" || t.Kind == workpools.Legacy || t.Kind == workpools.Managed {
				continue
			}
			if in.BuildImageStep == nil || in.Facts.HasPushImageStep {
				continue
			}
			image := "an image"
			if name, ok := in.BuildImageStep.Arg("image_name").Str(); ok && name != "" {
				image = fmt.Sprintf("%q", name)
			}
			fails := "runs cannot pull it"
			if t.Name == "kubernetes" {
				fails += " (ErrImagePull) unless the cluster shares this machine's Docker daemon"
			}
			span, via := poolSpan(p, d)
			diag := p.Reportf(span, "%s pulls images from a registry, but deployment %q builds %s with build_docker_image and no push_docker_image step pushes it, so %s; add a push step", typeLabel(in), d.DisplayName(), image, fails)
			p.AddVia(diag, via)
			diag.Related = append(diag.Related, analysis.Related{Span: in.BuildImageStep.FunctionKey.Span, Message: "the image is built here"})
			if id, ok := in.BuildImageStep.Arg("id").Str(); ok && id != "" && !strings.ContainsAny(id, "{} ") {
				if e := deployinfo.AddDockerPush(p.Src, d, id); e != nil {
					diag.Fixes = append(diag.Fixes, analysis.Fix{Title: "Add a push_docker_image step", Edits: e, IsPreferred: true})
				}
			}
		}
	},
}

var LocalWorkingDirectory = &analysis.Rule{
	ID:       "local-working-directory",
	Summary:  "a set_working_directory pull step points at a directory on the deploying machine, but the pool runs flows elsewhere",
	Severity: analysis.Warning,
	Category: analysis.CategoryWorkPools,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Reports a ` + "`set_working_directory`" + ` pull step whose directory is on the machine
that runs ` + "`prefect deploy`" + ` while the deployment's work pool runs flows in
containers or on other hosts. The pool's type comes from the configuration's
` + "`work-pools`" + ` table or from job_variables keys only one type has. When the
type is not known but the deployment names or builds its own image (and mounts
no ` + "`volumes`" + `), its runs start in containers of that image, and the folders
below are reported all the same.

These directories are on the deploying machine even when the deployment
names an image: home directories (` + "`/Users/…`" + `, ` + "`/home/<user>/…`" + `, ` + "`/root/…`" + `,
` + "`~`" + `), Windows drives and shares (` + "`C:\\…`" + `, WSL's ` + "`/mnt/c/…`" + `), macOS volumes,
removable media, temporary folders (` + "`/tmp/…`" + `, ` + "`/var/tmp/…`" + `, macOS
` + "`/var/folders/…`" + `) and relative paths that climb above the project root
(` + "`../shared`" + `). A folder the image's Dockerfile creates stays quiet: its
` + "`WORKDIR`" + `, a ` + "`COPY`" + ` or ` + "`ADD`" + ` destination, a path a ` + "`RUN`" + ` command names (the
home of a user it adds). The Dockerfile is the one the ` + "`build_docker_image`" + `
step names (` + "`dockerfile`" + ` inside the build context ` + "`path`" + `), or, when the
deployment only names an image, the project's Dockerfiles. A folder an earlier
pull step names (a script that creates it) stays quiet too.

When the deployment names no image, any absolute path outside
` + "`/opt/prefect`" + ` is reported: the run uses the pool's default image (its base job
template may still set one that has it, which the message mentions).

When ` + "`pull`" + ` is omitted, the step prefect deploy writes itself is reported by
[code-unreachable](code-unreachable.md) instead.

## Why
Pull steps run where the flow runs. A directory of the deploying machine
does not exist in the container, so the run fails with FileNotFoundError
(prefect.md §2.2, §8 #6; PrefectHQ/prefect#10285).

## Example
` + "```yaml" + `
pull:
  - prefect.deployments.steps.set_working_directory:
      directory: /Users/me/projects/flows
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
    work_pool:
      name: k8s
` + "```" + `

Fetch the code instead (quick fix):

` + "```yaml" + `
pull:
  - prefect.deployments.steps.git_clone:
      repository: https://github.com/acme/flows.git
` + "```" + `

When an image carries the code, point the step at the directory inside the
image: the Dockerfile's ` + "`WORKDIR`" + ` (quick fix), ` + "`/opt/prefect/<project>`" + ` for
images built with ` + "`dockerfile: auto`" + `.

## How to silence
` + "`# prefect-lsp: ignore[local-working-directory]`" + ` on the directory, e.g. when the
same path is mounted into the container.`,
	Run: func(p *analysis.Pass) {
		for _, d := range p.File.Deployments {
			in := poolInfo(p, d)
			t := in.Type
			if len(in.LocalDirSteps) == 0 || d.WorkPool == nil {
				continue
			}
			// A pool of unknown type that runs the deployment's own image
			// starts its runs in containers of that image: only the
			// folders no image has are claimed then.
			imageOnly := t == nil && in.OwnImage
			if !imageOnly && (t == nil || !t.RunsRemotely || t.Kind == workpools.Legacy) {
				continue
			}
			if (imageOnly || t.Name == "docker") && d.WorkPool.JobVariable("volumes").Set() {
				continue
			}
			where := typeLabel(in) + " runs flows in containers or on other hosts"
			if imageOnly {
				where = fmt.Sprintf("the deployment names an image, so work pool %q runs its flows in containers of that image", in.PoolName)
			}
			for i, st := range in.LocalDirSteps {
				kind := in.LocalDirKinds[i]
				if imageOnly && (kind == deployinfo.DirElsewhere || kind == deployinfo.DirNoImage) {
					continue
				}
				dir := st.Arg("directory")
				path, _ := dir.Str()
				msg := fmt.Sprintf("set_working_directory points at %q on the deploying machine, but %s, where the directory does not exist (FileNotFoundError at run time)", path, where)
				noImage := !in.OwnImage && (kind == deployinfo.DirNoImage || kind == deployinfo.DirHome || kind == deployinfo.DirTemp)
				if noImage {
					// The pool's own image may have it (a user's home made there).
					msg = fmt.Sprintf("set_working_directory points at %q, but %s runs flows in containers or on other hosts and the deployment names no image that has this directory (unless the pool's base job template sets one)", path, typeLabel(in))
				}
				if r := kind.Reason(); r != "" && !noImage {
					if !strings.HasPrefix(r, "it ") {
						r = "it is " + r
					}
					msg += "; " + r
				}
				var fixes []analysis.Fix
				if in.OwnImage {
					img := in.Image
					switch {
					case img != nil && img.Workdir != "" && img.Source == "dockerfile: auto":
						msg += "; point it at the directory inside the image (dockerfile: auto copies the project to " + img.Workdir + ")"
					case img != nil && img.Workdir != "":
						msg += fmt.Sprintf("; point it at the directory inside the image (%s sets WORKDIR %s)", img.Source, img.Workdir)
					default:
						msg += "; point it at the directory inside the image"
					}
					if img != nil && img.Workdir != "" && dir.Via == nil && dir.Value != nil && dir.Value.Kind == yamlsyntax.ScalarNode {
						title := "Use " + img.Workdir + " (the WORKDIR of " + img.Source + ")"
						if img.Source == "dockerfile: auto" {
							title = "Use " + img.Workdir + " (where dockerfile: auto copies the project)"
						}
						fixes = append(fixes, analysis.Fix{Title: title, Edits: []source.Edit{{Span: dir.Value.Span, NewText: img.Workdir}}, IsPreferred: true})
					}
				} else {
					msg += "; fetch the code with a git_clone pull step or build an image that contains it"
					fixes = codeFixes(p, d, in)
				}
				diag := p.Report(dir.ValueSpan(), msg)
				p.AddVia(diag, dir.Via)
				p.AddVia(diag, st.Via)
				diag.Fixes = fixes
			}
		}
	},
}

// jobVariablesValue decodes work_pool.job_variables (nil when not a mapping).
func jobVariablesValue(d *prefectyaml.Deployment) map[string]any {
	if d.WorkPool == nil || !d.WorkPool.JobVariables.Set() {
		return nil
	}
	v, err := yamlsyntax.Value(d.WorkPool.JobVariables.Value)
	if err != nil {
		return nil
	}
	m, _ := v.(map[string]any)
	return m
}

// jobVariableProblems validates job_variables against the pool type's
// schema once per deployment. Job variables the quick check finds
// conforming have no problems; only the others are validated (and their
// pool's schema compiled) by jsonschema, whose errors make the messages.
func jobVariableProblems(p *analysis.Pass, d *prefectyaml.Deployment) []workpools.Problem {
	compilePoolSchemas(p)
	return p.Memo("jobvar-problems:"+strconv.Itoa(d.Index), func() any {
		in := poolInfo(p, d)
		if in.Type == nil || jobVariablesConform(p, d) {
			return []workpools.Problem(nil)
		}
		m := jobVariablesValue(d)
		if m == nil {
			return []workpools.Problem(nil)
		}
		probs, err := workpools.Validate(in.Type.Name, m)
		if err != nil {
			return []workpools.Problem(nil)
		}
		return probs
	}).([]workpools.Problem)
}

// jobVariablesConform reports, once per deployment, whether its
// job_variables surely conform to its pool type's schema (quickCheck on the
// schema as schemanav reads it; false when that cannot tell).
func jobVariablesConform(p *analysis.Pass, d *prefectyaml.Deployment) bool {
	return p.Memo("jobvar-conform:"+strconv.Itoa(d.Index), func() any {
		if d.WorkPool == nil || !d.WorkPool.JobVariables.Set() {
			return false
		}
		in := poolInfo(p, d)
		if in.Type == nil {
			return false
		}
		nav := workpools.Navigable(in.Type.Name)
		return nav != nil && quickCheck(nav, d.WorkPool.JobVariables.Value, 0) == conforms
	}).(bool)
}

// compilePoolSchemas compiles, once per run, the job-variable schemas of
// the pool types of the deployments whose job_variables the quick check
// does not find conforming, the types in parallel (1-4 ms each the first
// time in a process): validation would otherwise compile them one after
// the other.
func compilePoolSchemas(p *analysis.Pass) {
	p.Memo("jobvar-schemas", func() any {
		ds := p.File.Deployments
		types := make([]string, len(ds))
		onAllCores(p, len(ds), func(i int) {
			d := ds[i]
			if p.Skips(d.Index) || d.WorkPool == nil || !d.WorkPool.JobVariables.Set() || jobVariablesConform(p, d) {
				return
			}
			if in := poolInfo(p, d); in.Type != nil {
				types[i] = in.Type.Name
			}
		})
		slices.Sort(types)
		types = slices.Compact(types)
		if len(types) > 0 && types[0] == "" {
			types = types[1:]
		}
		onAllCores(p, len(types), func(i int) { _, _ = workpools.Schema(types[i]) })
		return true
	})
}

// locateJobVariable finds the key and value nodes of a problem path.
func locateJobVariable(d *prefectyaml.Deployment, path []string) (key, value, via *yamlsyntax.Node) {
	n := d.WorkPool.JobVariables.Value
	for i, seg := range path {
		r := n.Resolve()
		if r == nil {
			return key, value, via
		}
		switch r.Kind {
		case yamlsyntax.MappingNode:
			pr, ok := r.Get(seg)
			if !ok {
				return key, value, via
			}
			key, value, n = pr.Key, pr.Value, pr.Value
			if pr.Via != nil {
				via = pr.Via
			}
		case yamlsyntax.SequenceNode:
			items := r.Content()
			idx, err := strconv.Atoi(seg)
			if err != nil || idx < 0 || idx >= len(items) {
				return key, value, via
			}
			key, value, n = nil, items[idx], items[idx]
		default:
			return key, value, via
		}
		_ = i
	}
	return key, value, via
}

// kubernetesTemplateOnly are Kubernetes job/pod settings that the default
// base job template has no variable for.
var kubernetesTemplateOnly = map[string]bool{
	"tolerations": true, "affinity": true, "node_selector": true, "nodeSelector": true,
	"volumes": true, "volume_mounts": true, "volumeMounts": true, "resources": true,
	"security_context": true, "securityContext": true, "init_containers": true,
	"sidecars": true, "priority_class_name": true, "host_network": true,
	"image_pull_secrets": true, "imagePullSecrets": true, "active_deadline_seconds": true,
	"gpu": true, "gpus": true, "node_pool": true,
}

var UnknownJobVariable = &analysis.Rule{
	ID:       "unknown-job-variable",
	Summary:  "a job variable the work pool's type does not define; the worker ignores it",
	Severity: analysis.Warning,
	Category: analysis.CategoryWorkPools,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Reports ` + "`work_pool.job_variables`" + ` keys that the pool type's default base job
template does not define, with a did-you-mean (kubernetes ` + "`cpu`" + ` →
` + "`cpu_request`" + ` / ` + "`cpu_limit`" + `). The type comes from the configuration's
` + "`work-pools`" + ` table or from job_variables keys only one type has; unknown types
are not checked. For push and managed pools, whose templates live in Prefect
Cloud and are not published, the finding is information only.

## Why
The server accepts any key (the templates' schemas allow extra properties)
and the worker drops a key that no placeholder of the pool's job template
uses, so a misspelt or invented variable silently does nothing
(prefect.md §1.2.1, §4.2, §8 #15).

## Example
` + "```yaml" + `
work_pool:
  name: k8s
  job_variables:
    cpu: "2"
` + "```" + `

` + "```yaml" + `
work_pool:
  name: k8s
  job_variables:
    cpu_request: "2"
` + "```" + `

Settings such as Kubernetes tolerations or affinity need a customised base
job template (` + "`prefect work-pool update --base-job-template`" + `) that declares
the variable; then silence this finding.

## How to silence
` + "`# prefect-lsp: ignore[unknown-job-variable]`" + ` on the key, or map the pool to
its type only when it uses the default template.`,
	Run: func(p *analysis.Pass) {
		for _, d := range p.File.Deployments {
			in := poolInfo(p, d)
			for _, pr := range jobVariableProblems(p, d) {
				if !pr.Unknown {
					continue
				}
				keyText := pr.Path[0]
				if in.Type.Name == "process" && keyText == "image" {
					continue // image-on-process-pool
				}
				key, _, via := locateJobVariable(d, pr.Path)
				if key == nil {
					continue
				}
				msg := fmt.Sprintf("%q is not a job variable of %s", keyText, typeLabel(in))
				sugg := workpools.SuggestVariable(in.Type.Name, keyText)
				if len(sugg) > 0 {
					msg += "; did you mean " + quoteList(sugg) + "?"
				}
				head := keyText
				if i := strings.IndexByte(head, '.'); i > 0 {
					head = head[:i]
				}
				switch {
				case in.Type.Name == "kubernetes" && kubernetesTemplateOnly[head]:
					msg += "; the default Kubernetes job template has no such variable: add it to a customised base job template (job_manifest) of the pool, or the worker ignores it"
				case !in.Type.VariablesComplete:
					msg += fmt.Sprintf("; %s templates live in Prefect Cloud, so check the pool's template before relying on it", in.Type.Name)
				default:
					msg += "; Prefect accepts it but the worker ignores it unless the pool's base job template was customised to use it"
				}
				diag := p.Report(key.Span, msg)
				if !in.Type.VariablesComplete && p.Config.Rules["unknown-job-variable"] == "" {
					diag.Severity = analysis.Information
				}
				p.AddVia(diag, via)
				if len(sugg) >= 1 && via == nil && key.Kind == yamlsyntax.ScalarNode && key.Style == yamlsyntax.Plain {
					for i, s := range sugg {
						diag.Fixes = append(diag.Fixes, analysis.Fix{Title: "Rename to " + s, Edits: []source.Edit{{Span: key.Span, NewText: s}}, IsPreferred: i == 0 && len(sugg) == 1})
					}
				}
			}
		}
	},
}

var JobVariableType = &analysis.Rule{
	ID:       "job-variable-type",
	Summary:  "a job variable of the wrong type or outside its allowed values; the server rejects the deployment",
	Severity: analysis.Error,
	Category: analysis.CategoryWorkPools,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Checks the values of ` + "`work_pool.job_variables`" + ` against the pool type's
variables: types (ECS ` + "`cpu`" + ` is an integer, Kubernetes ` + "`cpu_request`" + ` a
string), allowed values (` + "`image_pull_policy`" + `, ` + "`launch_type`" + `) and ` + "`env`" + `,
whose values must be strings. Placeholders (` + "`{{ ... }}`" + `) are accepted anywhere.
An unquoted value that PyYAML (YAML 1.1) reads as another type where the
variable wants its text (` + "`DEBUG: off`" + ` in ` + "`env`" + `) is
[yaml11-scalar](yaml11-scalar.md)'s finding, with the same safe quick fix,
and is not reported again here.
The type comes from the configuration's ` + "`work-pools`" + ` table or from
job_variables keys only one type has.

## Why
At ` + "`prefect deploy`" + ` the server validates job variables against the pool's
schema and refuses the deployment ("Error creating deployment: …", HTTP 422,
prefect.md §1.5, §4.2, §8 #15). YAML turns ` + "`PORT: 8080`" + ` into an integer, which
the ` + "`env`" + ` schema rejects.

## Example
` + "```yaml" + `
job_variables:
  env:
    PORT: 8080
    DEBUG: true
` + "```" + `

` + "```yaml" + `
job_variables:
  env:
    PORT: "8080"
    DEBUG: "true"
` + "```" + `

The quick fix quotes ` + "`env`" + ` values as written.

## How to silence
` + "`# prefect-lsp: ignore[job-variable-type]`" + ` on the value.`,
	Run: func(p *analysis.Pass) {
		yaml11Active := ruleActive(p, "yaml11-scalar")
		for _, d := range p.File.Deployments {
			in := poolInfo(p, d)
			probs := jobVariableProblems(p, d)
			if quoted := textLeaves(jobVariableLeafVerdicts(p, d)); len(quoted) > 0 && yaml11Active {
				// yaml11-scalar reports the unquoted values the schema
				// wants as text; judge the rest.
				if m, ok := withTextAt(jobVariablesValue(d), quoted).(map[string]any); ok {
					if again, err := workpools.Validate(in.Type.Name, m); err == nil {
						probs = again
					}
				}
			}
			for _, pr := range probs {
				if pr.Unknown {
					continue
				}
				key, value, via := locateJobVariable(d, pr.Path)
				if value == nil {
					continue
				}
				where := strings.Join(pr.Path, ".")
				msg := fmt.Sprintf("job variable %s of %s: %s", where, typeLabel(in), pr.Message)
				isEnv := strings.HasPrefix(pr.Path[0], "env.") || (pr.Path[0] == "env" && len(pr.Path) == 2)
				r := value.Resolve()
				scalar := r != nil && r.Kind == yamlsyntax.ScalarNode && !r.IsString()
				if isEnv && scalar {
					msg = fmt.Sprintf("env value %s of %s is %s, but environment variables must be strings; quote it: %s", where, typeLabel(in), article(describeType(value)), doubleQuote(p.Src.Slice(value.Span)))
				} else if isSurprise(r) {
					msg += fmt.Sprintf(" (PyYAML, which reads YAML 1.1, reads the unquoted %s as %s)", r.Text, yaml11Surprise(r))
				}
				_ = key
				diag := p.Report(value.Span, msg)
				if !in.Type.VariablesComplete && p.Config.Rules["job-variable-type"] == "" {
					diag.Severity = analysis.Warning
				}
				p.AddVia(diag, via)
				if isEnv && scalar && value.Kind == yamlsyntax.ScalarNode && via == nil && !value.IsNull() {
					diag.Fixes = append(diag.Fixes, analysis.Fix{Title: "Quote the value", Edits: []source.Edit{{Span: value.Span, NewText: doubleQuote(p.Src.Slice(value.Span))}}, IsPreferred: true, Safe: true})
				}
			}
		}
	},
}

var ImageOnProcessPool = &analysis.Rule{
	ID:       "image-on-process-pool",
	Summary:  "job_variables.image on a process work pool, which runs no containers",
	Severity: analysis.Warning,
	Category: analysis.CategoryWorkPools,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Reports ` + "`job_variables.image`" + ` when the work pool is a ` + "`process`" + ` pool (type from
the configuration's ` + "`work-pools`" + ` table or from job_variables keys only
process pools have).

## Why
A process worker starts each run as a subprocess on its own host; the
process template has no ` + "`image`" + ` variable, so the image is ignored and the run
uses whatever Python environment the worker has (prefect.md §4.1, §4.2).
` + "`flow.deploy()`" + ` refuses the same combination ("Work pool … does not support
custom Docker images", prefect.md §5).

## Example
` + "```yaml" + `
work_pool:
  name: local
  job_variables:
    image: acme/flows:latest
` + "```" + `

Use a ` + "`docker`" + ` (or other container) pool for the image, or drop the key:

` + "```yaml" + `
work_pool:
  name: local
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore[image-on-process-pool]`" + ` on the key.`,
	Run: func(p *analysis.Pass) {
		for _, d := range p.File.Deployments {
			in := poolInfo(p, d)
			if in.Type == nil || in.Type.Name != "process" {
				continue
			}
			img := d.WorkPool.JobVariable("image")
			if !img.Present() {
				continue
			}
			diag := p.Reportf(img.KeySpan(), "image is ignored by %s: process workers run flows as subprocesses on their own host, not in containers; use a docker or kubernetes pool for the image, or remove the key", typeLabel(in))
			p.AddVia(diag, img.Via)
			if e := removePair(p.Src, img); e != nil {
				diag.Fixes = append(diag.Fixes, analysis.Fix{Title: "Remove image", Edits: e})
			}
		}
	},
}

// removePair deletes a block mapping entry written on its own line(s).
func removePair(src *source.File, f prefectyaml.Field) []source.Edit {
	if f.Key == nil || f.Via != nil {
		return nil
	}
	line := src.LineOf(f.Key.Span.Start)
	start := src.LineStart(line)
	if strings.TrimSpace(src.Text()[start:f.Key.Span.Start]) != "" {
		return nil
	}
	endNode := f.Value
	if endNode == nil || endNode.Span.End <= f.Key.Span.End {
		endNode = f.Key
	}
	last := src.LineOf(endNode.Span.End)
	if endNode.Span.End > endNode.Span.Start && src.Text()[endNode.Span.End-1] == '\n' {
		last = src.LineOf(endNode.Span.End - 1)
	}
	end := src.LineStart(last + 1)
	return []source.Edit{{Span: source.Span{Start: start, End: end}}}
}

var WorkQueueOnPushPool = &analysis.Rule{
	ID:       "work-queue-on-push-pool",
	Summary:  "work_queue_name on a push or managed pool, where no worker polls queues",
	Severity: analysis.Information,
	Category: analysis.CategoryWorkPools,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Points out ` + "`work_queue_name`" + ` when the pool is a push pool (` + "`ecs:push`" + `, …) or
a Prefect Managed pool (type from the configuration's ` + "`work-pools`" + ` table).

## Why
Queues exist so that workers poll a subset of a pool's runs. Push and
managed pools have no worker: Prefect Cloud submits every run itself
(prefect.md §4.1), so a queue here only groups runs for a queue-level
concurrency limit or priority; ` + "`prefect deploy`" + ` creates the queue if it is
missing. Usually the key is left over from a worker-based setup.

## Example
` + "```yaml" + `
work_pool:
  name: ecs-push
  work_queue_name: etl-queue
` + "```" + `

` + "```yaml" + `
work_pool:
  name: ecs-push
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore[work-queue-on-push-pool]`" + ` on the key, when the queue's
concurrency limit is intended.`,
	Run: func(p *analysis.Pass) {
		for _, d := range p.File.Deployments {
			in := poolInfo(p, d)
			if in.Type == nil || (in.Type.Kind != workpools.Push && in.Type.Kind != workpools.Managed) {
				continue
			}
			q := d.WorkPool.WorkQueueName
			if !q.Set() {
				continue
			}
			diag := p.Reportf(q.KeySpan(), "%s has no worker polling queues: Prefect Cloud submits every run, so work_queue_name %q only matters for a queue concurrency limit or priority; remove it unless that is intended", typeLabel(in), q.Text())
			p.AddVia(diag, q.Via)
			if e := removePair(p.Src, q); e != nil {
				diag.Fixes = append(diag.Fixes, analysis.Fix{Title: "Remove work_queue_name", Edits: e})
			}
		}
	},
}

var ManagedPoolConstraints = &analysis.Rule{
	ID:       "managed-pool-constraints",
	Summary:  "a Prefect Managed pool with a custom image or image build steps",
	Severity: analysis.Warning,
	Category: analysis.CategoryWorkPools,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
For a ` + "`prefect:managed`" + ` pool (type from the configuration's ` + "`work-pools`" + `
table), reports ` + "`build_docker_image`" + ` / ` + "`push_docker_image`" + ` steps and an
` + "`image`" + ` job variable that is not an official ` + "`prefecthq/prefect`" + ` image.

## Why
Managed pools run only Prefect's official images; dependencies go in the
` + "`pip_packages`" + ` job variable, and ` + "`deploy()`" + ` switches image build and push off
for them (prefect.md §4.1, §5, §7). An image you build is never used; the
code must come from a pull step such as ` + "`git_clone`" + `. Runs are also limited
to 4 vCPU / 16 GB and 24 hours.

## Example
` + "```yaml" + `
build:
  - prefect_docker.deployments.steps.build_docker_image:
      image_name: acme/etl
deployments:
  - name: etl
    work_pool:
      name: managed
` + "```" + `

` + "```yaml" + `
pull:
  - prefect.deployments.steps.git_clone:
      repository: https://github.com/acme/flows.git
deployments:
  - name: etl
    work_pool:
      name: managed
      job_variables:
        pip_packages: ["pandas"]
` + "```" + `

## How to silence
` + "`# prefect-lsp: ignore[managed-pool-constraints]`" + ` on the step or key.`,
	Run: func(p *analysis.Pass) {
		for _, d := range p.File.Deployments {
			in := poolInfo(p, d)
			if in.Type == nil || in.Type.Kind != workpools.Managed {
				continue
			}
			if b := in.BuildImageStep; b != nil {
				diag := p.Reportf(b.FunctionKey.Span, "deployment %q uses %s, which runs only Prefect's official images: the image built here is never used; install dependencies with the pip_packages job variable and fetch the code with a pull step", d.DisplayName(), typeLabel(in))
				p.AddVia(diag, b.Via)
			}
			img := d.WorkPool.JobVariable("image")
			if s, ok := img.Str(); ok && !strings.Contains(s, "{{") && !strings.HasPrefix(s, "prefecthq/prefect") && !strings.HasPrefix(s, "docker.io/prefecthq/prefect") {
				diag := p.Reportf(img.ValueSpan(), "%s runs only Prefect's official images (prefecthq/prefect:…), not %q; use pip_packages for dependencies, or a push pool for your own image", typeLabel(in), s)
				p.AddVia(diag, img.Via)
			}
		}
	},
}

var CloudOnlyPool = &analysis.Rule{
	ID:       "cloud-only-pool",
	Summary:  "a push or managed work pool in a project configured for a self-hosted Prefect server",
	Severity: analysis.Error,
	Category: analysis.CategoryWorkPools,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Reports push pools (` + "`ecs:push`" + `, ` + "`cloud-run-v2:push`" + `, …) and
` + "`prefect:managed`" + ` pools when the configuration says
` + "`server = \"self-hosted\"`" + `. The type comes from the ` + "`work-pools`" + ` table.

## Why
Only Prefect Cloud submits runs of push pools and runs managed pools
(prefect.md §4.1, §7); a self-hosted server offers neither type, so nothing
would ever run the deployment.

## Example
` + "```toml" + `
[tool.prefect-lsp]
server = "self-hosted"
[tool.prefect-lsp.work-pools]
ecs = "ecs:push"
` + "```" + `

Use the worker-based type (` + "`ecs`" + `) and run a worker, or set
` + "`server = \"cloud\"`" + ` if the project deploys to Prefect Cloud.

## How to silence
` + "`# prefect-lsp: ignore[cloud-only-pool]`" + ` on the pool name.`,
	Run: func(p *analysis.Pass) {
		if p.Config == nil || p.Config.Server != config.ServerSelfHosted {
			return
		}
		for _, d := range p.File.Deployments {
			in := poolInfo(p, d)
			if in.Type == nil || !in.Type.CloudOnly {
				continue
			}
			alt := "a worker-based pool type"
			if in.Type.HybridVariant != "" {
				alt = "the worker-based type " + in.Type.HybridVariant + " with a worker"
			}
			span, via := poolSpan(p, d)
			diag := p.Reportf(span, "%s exists only on Prefect Cloud, but the configuration says server = \"self-hosted\"; use %s", typeLabel(in), alt)
			p.AddVia(diag, via)
		}
	},
}

var AgentPool = &analysis.Rule{
	ID:       "agent-pool",
	Summary:  "a Prefect 2 agent pool (prefect-agent), which prefect deploy refuses",
	Severity: analysis.Error,
	Category: analysis.CategoryWorkPools,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Reports deployments whose work pool has the legacy type ` + "`prefect-agent`" + `
(according to the configuration's ` + "`work-pools`" + ` table).

## Why
` + "`prefect deploy`" + ` fails with "Cannot create a project-style deployment with work
pool of type 'prefect-agent'." (prefect.md §1.2.1). Agents were replaced by
workers; create a worker-based pool (` + "`process`" + `, ` + "`docker`" + `, ` + "`kubernetes`" + `, …).

## Example
` + "```toml" + `
[tool.prefect-lsp.work-pools]
default-agent-pool = "prefect-agent"
` + "```" + `

` + "```sh" + `
prefect work-pool create local --type process
` + "```" + `

and name ` + "`local`" + ` in ` + "`work_pool.name`" + `.

## How to silence
` + "`# prefect-lsp: ignore[agent-pool]`" + ` on the pool name.`,
	Run: func(p *analysis.Pass) {
		for _, d := range p.File.Deployments {
			in := poolInfo(p, d)
			if in.Type == nil || in.Type.Kind != workpools.Legacy {
				continue
			}
			span, via := poolSpan(p, d)
			diag := p.Reportf(span, "%s is a Prefect 2 agent pool: prefect deploy fails with \"Cannot create a project-style deployment with work pool of type 'prefect-agent'\"; create a worker-based pool (prefect work-pool create NAME --type process) and use it here", typeLabel(in))
			p.AddVia(diag, via)
		}
	},
}

var MissingWorkPool = &analysis.Rule{
	ID:       "missing-work-pool",
	Summary:  "a deployment without a work pool; prefect --no-prompt deploy fails",
	Severity: analysis.Warning,
	Category: analysis.CategoryWorkPools,
	Scope:    analysis.ScopeDeployment,
	Doc: `## What it does
Reports deployments with no ` + "`work_pool.name`" + `.

## Why
Non-interactively ` + "`prefect deploy`" + ` fails with "A work pool is required to
deploy this flow. Please specify a work pool name via the '--pool' flag or in
your prefect.yaml file." unless ` + "`PREFECT_DEPLOYMENTS_DEFAULT_WORK_POOL_NAME`" + ` is
set (prefect.md §1.2.1). If the flow only needs a long-running process,
` + "`flow.serve()`" + ` needs no pool at all (prefect.md §5, §7).

## Example
` + "```yaml" + `
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
` + "```" + `

` + "```yaml" + `
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
    work_pool:
      name: local
` + "```" + `

Quick fixes: add a work pool (complete the name), or write
` + "`serve_<deployment>.py`" + ` that serves the flow with ` + "`flow.serve(...)`" + `, translated
from the deployment.

## How to silence
` + "`# prefect-lsp: ignore[missing-work-pool]`" + ` on the deployment's name, e.g. when
CI sets ` + "`PREFECT_DEPLOYMENTS_DEFAULT_WORK_POOL_NAME`" + `.`,
	Run: func(p *analysis.Pass) {
		for _, d := range p.File.Deployments {
			if d.WorkPool != nil && d.WorkPool.Name.Set() {
				continue
			}
			if !d.Name.Set() && !d.Entrypoint.Set() {
				continue // prefect init's blank entry: missing-name says it
			}
			diag := p.Reportf(deploymentHead(p, d), "deployment %q names no work pool: prefect --no-prompt deploy fails with \"A work pool is required to deploy this flow\" unless PREFECT_DEPLOYMENTS_DEFAULT_WORK_POOL_NAME is set; add work_pool: {name: ...}, or serve the flow with flow.serve()", d.DisplayName())
			p.AddVia(diag, d.Via)
			if e := deployinfo.AddWorkPool(p.Src, d, "<pool-name>"); e != nil {
				diag.Fixes = append(diag.Fixes, analysis.Fix{Title: "Add a work pool", Edits: e})
			}
			if fix, ok := serveFix(p, d, "Run this flow with flow.serve instead"); ok {
				diag.Fixes = append(diag.Fixes, fix)
			}
		}
	},
}

// serveFix creates serve_<deployment>.py next to the project root.
func serveFix(p *analysis.Pass, d *prefectyaml.Deployment, title string) (analysis.Fix, bool) {
	name, content, ok := deployinfo.ServeScriptFor(d)
	if !ok || p.Root == "" {
		return analysis.Fix{}, false
	}
	return analysis.Fix{
		Title: title + " (creates " + name + ")",
		Files: []analysis.FileEdit{{Path: filepath.Join(p.Root, name), Create: true, Content: content}},
	}, true
}
