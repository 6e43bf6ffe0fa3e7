// Package deployinfo extracts what prefect-lsp knows about one deployment of
// a prefect.yaml for the work-pool rules, the decision guide (package
// guidance), hovers and `prefect-lsp explain`: the work pool's type and where
// that type came from, where the run gets the flow's code, and the facts the
// guide needs. It also writes the text of the guide's code actions: a
// flow.serve script, a git_clone pull step, docker build and push steps, a
// work pool, and a switch to a push pool, as edits of the original text.
//
// Facts come from prefect.md §2.2 (steps, the default pull step), §4 (pool
// types) and §5 (serve). The package reads no files except where a function
// says so (the project's .git directory for the repository URL; DescribeAt
// reads the Dockerfile of a deployment's image, see ImageLayout).
package deployinfo

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/guidance"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/steps"
	"github.com/prefect-lsp/prefect-lsp/internal/workpools"
)

// PoolType resolves a deployment's work-pool type, in order: the project
// configuration's work-pools table (pool name → type), then inference from
// the job_variables keys where exactly one type fits (workpools.Infer). It
// returns "" and "" when the type is unknown; then no rule may claim anything
// type-specific. A pool's name is never read as its type: names are
// arbitrary ("docker" may well be a kubernetes pool).
//
// source is "configuration (pyproject.toml work-pools)" (the file's base
// name; "configuration (work-pools setting)" when the table came from the
// editor) or "inferred from job_variables keys a, b".
func PoolType(cfg *config.Config, d *prefectyaml.Deployment) (typeName, source string) {
	if d == nil || d.WorkPool == nil {
		return "", ""
	}
	name := poolName(d)
	if cfg != nil && name != "" {
		if t, ok := cfg.WorkPools[name]; ok && strings.TrimSpace(t) != "" {
			return strings.TrimSpace(t), ConfigSource(cfg)
		}
	}
	keys := JobVariableKeys(d)
	if t, ok := workpools.Infer(keys); ok {
		return t, "inferred from job_variables keys " + strings.Join(telling(t, keys), ", ")
	}
	return "", ""
}

// ConfigSource names the configuration a pool type came from.
func ConfigSource(cfg *config.Config) string {
	if cfg != nil && cfg.Path != "" {
		return "configuration (" + filepath.Base(cfg.Path) + " work-pools)"
	}
	return "configuration (work-pools setting)"
}

// telling returns the keys that point at the type: known variables that are
// not shared by every type, at most three.
func telling(typeName string, keys []string) []string {
	t, _ := workpools.Lookup(typeName)
	base := map[string]bool{"name": true, "env": true, "labels": true, "command": true}
	var out []string
	seen := map[string]bool{}
	for _, k := range keys {
		head := k
		if i := strings.IndexByte(k, '.'); i > 0 {
			head = k[:i]
		}
		if base[head] || seen[head] || t == nil {
			continue
		}
		if _, ok := t.Variable(head); ok {
			seen[head] = true
			out = append(out, head)
		}
	}
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}

func poolName(d *prefectyaml.Deployment) string {
	if d.WorkPool == nil {
		return ""
	}
	if s, ok := d.WorkPool.Name.Str(); ok {
		return s
	}
	return d.WorkPool.Name.Text()
}

// JobVariableKeys are the work_pool.job_variables keys as written.
func JobVariableKeys(d *prefectyaml.Deployment) []string {
	if d == nil || d.WorkPool == nil {
		return nil
	}
	var keys []string
	for _, p := range d.WorkPool.JobVariables.Value.Pairs() {
		keys = append(keys, p.KeyText())
	}
	return keys
}

// Info is everything the work-pool rules know about one deployment.
type Info struct {
	Deployment *prefectyaml.Deployment
	// PoolName is work_pool.name ("" when absent or empty).
	PoolName string
	// PoolType and PoolTypeSource as PoolType returns them; Type is the
	// catalogue entry (nil when the type is unknown or not catalogued).
	PoolType, PoolTypeSource string
	Type                     *workpools.Type
	// Pull is the effective pull section (deployment-level wins), nil when
	// both levels omit it or set it to null.
	Pull *prefectyaml.Action
	// PullOmitted is true when Pull is nil: prefect deploy then writes a
	// pull step itself (prefect.md §2.2).
	PullOmitted bool
	// DefaultPullIsLocal is true when PullOmitted and the step prefect
	// deploy writes is set_working_directory to the deploying machine's
	// current directory (no image, no build_docker_image step).
	DefaultPullIsLocal bool
	// LocalDirSteps are explicit set_working_directory pull steps whose
	// directory is a path on the deploying machine (ClassifyDirectory), and
	// LocalDirKinds why, item by item.
	LocalDirSteps []*prefectyaml.Step
	LocalDirKinds []DirKind
	// Image is what the Dockerfile of the deployment's image says, nil when
	// it has none or it is not known (see imageLayoutFor).
	Image *ImageLayout
	// RemotePull is true when a pull step fetches code (git, storage, block);
	// CustomPull when a pull step is a shell script or an unknown function
	// that may do so.
	RemotePull, CustomPull bool
	// OwnImage is true when the deployment names or builds an image.
	OwnImage bool
	// BuildImageStep is the build_docker_image step, nil when none.
	BuildImageStep *prefectyaml.Step
	Facts          guidance.Facts
}

// Describe gathers the Info of a deployment; cfg may be nil. The
// prefect.yaml is taken to be at the configuration's root.
func Describe(cfg *config.Config, d *prefectyaml.Deployment) *Info {
	w := Where{}
	if cfg != nil {
		w.Root = cfg.Root
	}
	return DescribeAt(cfg, d, w)
}

// DescribeAt is Describe for a prefect.yaml at w; it reads the Dockerfile of
// the deployment's image there when it needs to judge a pull step's
// directory.
func DescribeAt(cfg *config.Config, d *prefectyaml.Deployment, w Where) *Info {
	in := &Info{Deployment: d}
	f := &in.Facts
	if cfg != nil {
		switch cfg.Server {
		case config.ServerCloud:
			f.Cloud = true
		case config.ServerSelfHosted:
			f.SelfHosted = true
		}
	}
	in.PoolName = poolName(d)
	f.PoolName = in.PoolName
	f.HasWorkPool = in.PoolName != ""
	in.PoolType, in.PoolTypeSource = PoolType(cfg, d)
	if t, ok := workpools.Lookup(in.PoolType); ok {
		in.Type = t
	}
	f.PoolType, f.PoolTypeSource = in.PoolType, in.PoolTypeSource
	f.JobVariableKeys = JobVariableKeys(d)
	if d.WorkPool != nil {
		f.HasImage = d.WorkPool.JobVariable("image").Set()
	}
	if a := d.Steps("build"); a != nil {
		for _, st := range a.Steps {
			if s, ok := steps.Lookup(st.Function); ok && s.Kind == steps.KindDockerBuild {
				f.HasBuildImageStep = true
				if in.BuildImageStep == nil {
					in.BuildImageStep = st
				}
			}
		}
	}
	if a := d.Steps("push"); a != nil {
		for _, st := range a.Steps {
			if s, ok := steps.Lookup(st.Function); ok && s.Kind == steps.KindDockerPush {
				f.HasPushImageStep = true
			}
		}
	}
	in.OwnImage = f.HasImage || f.HasBuildImageStep || f.HasPushImageStep
	in.Pull = effectivePull(d)
	in.PullOmitted = in.Pull == nil
	if in.PullOmitted {
		// _generate_default_pull_action: a build_docker_image step means the
		// code is in the image (dockerfile: auto copies it to /opt/prefect/<dir>);
		// an image in job_variables gets /opt/prefect (Prefect 3.6+); otherwise
		// the deploying machine's current directory.
		in.DefaultPullIsLocal = !in.OwnImage
		if in.DefaultPullIsLocal {
			f.PullKinds = append(f.PullKinds, "set_working_directory")
			f.LocalWorkingDirectory = true
		}
	} else {
		imageRead := false
		for i, st := range in.Pull.Steps {
			kind := "other"
			if s, ok := steps.Lookup(st.Function); ok {
				switch s.Kind {
				case steps.KindGit:
					kind = "git"
				case steps.KindStorage:
					kind = "storage"
				case steps.KindBlock:
					kind = "block"
				case steps.KindLocalDir:
					kind = "set_working_directory"
					dir, ok := st.Arg("directory").Str()
					if !ok {
						break
					}
					c := DirContext{HasImage: in.OwnImage, Depth: w.depth()}
					if in.OwnImage {
						if !imageRead {
							in.Image, imageRead = imageLayoutFor(w, in), true
						}
						c.Image = in.Image
					}
					if k := ClassifyDirectory(dir, c); k.Local() && !mentionedBefore(in.Pull.Steps[:i], dir) {
						f.LocalWorkingDirectory = true
						in.LocalDirSteps = append(in.LocalDirSteps, st)
						in.LocalDirKinds = append(in.LocalDirKinds, k)
					}
				case steps.KindShell:
					kind = "shell"
					if s.Short == "pip_install_requirements" {
						// Installs dependencies; fetches no flow code.
						kind = "other-known"
					}
				default:
					kind = "other-known"
				}
			}
			switch kind {
			case "git", "storage", "block":
				in.RemotePull = true
			case "shell", "other":
				in.CustomPull = true
			}
			if kind == "other-known" {
				// pip_install_requirements and friends fetch no code.
				continue
			}
			f.PullKinds = append(f.PullKinds, kind)
		}
	}
	f.HasSchedules = len(d.Schedules) > 0
	if tr := d.Triggers.Value.Resolve(); tr != nil && len(tr.Items()) > 0 {
		f.HasTriggers = true
	}
	return in
}

// effectivePull is the pull section Prefect uses for d: the deployment's
// own when set, else the top level's; nil when neither is set (null or
// omitted).
func effectivePull(d *prefectyaml.Deployment) *prefectyaml.Action {
	if d.Pull != nil && d.Pull.Field.Set() {
		return d.Pull
	}
	if top := d.File().Pull; top != nil && top.Field.Set() {
		return top
	}
	return nil
}

// Facts returns the decision guide's facts for a deployment.
// FlowServedInCode is left false; callers that read flow code set it.
func Facts(cfg *config.Config, d *prefectyaml.Deployment) guidance.Facts {
	return Describe(cfg, d).Facts
}

// Recommend runs the decision guide on a deployment.
func Recommend(cfg *config.Config, d *prefectyaml.Deployment) guidance.Recommendation {
	return guidance.Decide(Facts(cfg, d))
}

// IsDeployingMachinePath reports whether a set_working_directory directory
// names a place on the machine that runs prefect deploy rather than where
// the flow runs, knowing only whether the deployment has an image of its
// own (ClassifyDirectory with no Dockerfile and the prefect.yaml at the
// project root). Without an image the run uses the pool's default image,
// which may still be a custom one set in the pool's base job template;
// callers should say so.
func IsDeployingMachinePath(dir string, hasImage bool) bool {
	return ClassifyDirectory(dir, DirContext{HasImage: hasImage}).Local()
}

// mentionedBefore reports whether one of the earlier pull steps names dir.
func mentionedBefore(earlier []*prefectyaml.Step, dir string) bool {
	for _, st := range earlier {
		if mentionsDir(st, dir) {
			return true
		}
	}
	return false
}

// PoolLabel names the pool, its type and where the type came from, e.g.
// `work pool "k8s" (type kubernetes, configuration (pyproject.toml work-pools))`.
func (in *Info) PoolLabel() string {
	name := "the work pool"
	if in.PoolName != "" {
		name = fmt.Sprintf("work pool %q", in.PoolName)
	}
	if in.PoolType == "" {
		return name
	}
	return fmt.Sprintf("%s (type %s, %s)", name, in.PoolType, in.PoolTypeSource)
}

// sortedKeys returns a map's keys in order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
