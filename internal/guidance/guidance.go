// Package guidance owns the serve / worker / push decision: from facts about
// one deployment (its work pool, image, pull steps, where Prefect runs) it
// says how the deployment runs today, which option of the decision guide in
// docs/choosing-infrastructure.md fits, whether a simpler one would do, and
// whether the infrastructure can reach the flow's code. It is a pure function
// of Facts: no I/O, no prefect.yaml model. Facts come from prefect.md §4, §5, §7.
package guidance

import (
	"fmt"
	"slices"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/workpools"
)

// Facts describe one deployment as the analysis sees it.
type Facts struct {
	PoolName string
	// PoolType is the pool's type string ("" when unknown); Decide infers it
	// from JobVariableKeys when empty.
	PoolType string
	// PoolTypeSource says where PoolType came from (config, name hint,
	// live lookup), for messages.
	PoolTypeSource string
	HasWorkPool    bool
	// JobVariableKeys are the work_pool.job_variables keys as written.
	JobVariableKeys []string
	// HasImage is true when job_variables.image is set.
	HasImage          bool
	HasBuildImageStep bool
	HasPushImageStep  bool
	// PullKinds lists the pull steps' kinds: "git", "storage", "block",
	// "set_working_directory", "shell", "other".
	PullKinds []string
	// LocalWorkingDirectory is true when a set_working_directory pull step
	// points at a path on the deploying machine (what prefect deploy writes by default).
	LocalWorkingDirectory bool
	HasSchedules          bool
	HasTriggers           bool
	// FlowServedInCode is true when the flow is run with flow.serve / prefect.serve.
	FlowServedInCode bool
	// SelfHosted and Cloud say where the Prefect API is; both false means unknown.
	SelfHosted, Cloud bool
}

// Mode is a way of running a deployment: one leaf of the decision guide.
type Mode string

const (
	ModeServe                  Mode = "serve"
	ModePushPool               Mode = "push-pool"
	ModeManagedPool            Mode = "managed-pool"
	ModeHybridServerlessWorker Mode = "hybrid-serverless-worker"
	ModeKubernetesWorker       Mode = "kubernetes-worker"
	ModeDockerWorker           Mode = "docker-worker"
	ModeProcessWorker          Mode = "process-worker"
	ModeUnknown                Mode = "unknown"
)

// Modes lists every leaf of the guide in the order the guide presents them.
var Modes = []Mode{ModeServe, ModeManagedPool, ModePushPool, ModeHybridServerlessWorker, ModeKubernetesWorker, ModeDockerWorker, ModeProcessWorker}

// Step is one question of the guide and the answer the facts give.
// Answers start with "Yes" or "No" (or "Unknown" where the facts stop).
type Step struct{ Question, Answer string }

// Code sources a Recommendation reports.
const (
	CodeFromImage     = "image"
	CodeFromGit       = "git"
	CodeFromStorage   = "storage"
	CodeFromLocalPath = "local path"
	CodeFromNowhere   = "none"
)

// Recommendation is what Decide concludes for one deployment.
type Recommendation struct {
	// Current is how the deployment runs today.
	Current Mode
	// Suggested is the leaf of the guide the facts lead to; equal to Current
	// when the current choice already fits.
	Suggested Mode
	// Path is the route through the guide's questions to Suggested.
	Path []Step
	// Reasons explain Current and Suggested in sentences.
	Reasons []string
	// Warnings are constraints the current setup breaks (push pool on a
	// self-hosted server, custom image on a managed pool, unreachable code).
	Warnings []string
	// WorkerNeeded is true when the current setup needs a worker polling the
	// pool (any pool that is neither push nor managed).
	WorkerNeeded bool
	// CodeSource is where the run gets the flow's code: "image", "git",
	// "storage", "local path" or "none".
	CodeSource string
	// CodeReachable is false when the run happens away from the deploying
	// machine and nothing brings the code there.
	CodeReachable bool
	// TradeOffs of the Suggested mode.
	TradeOffs []string
	// Simpler is true when Suggested needs fewer moving parts than Current.
	Simpler bool
	// PoolType is the pool type Decide worked with ("" if unknown) and
	// PoolTypeSource where it came from ("inferred from job_variables" when Decide inferred it).
	PoolType, PoolTypeSource string
}

// The guide's questions, shared by Decide, Mermaid and the docs page.
const (
	QuestionCustomInfra = "Do runs need custom or per-run infrastructure (containers, cloud jobs, a cluster)?"
	QuestionManaged     = "On Prefect Cloud and happy to run on Prefect's machines with a stock image?"
	QuestionServerless  = "Should runs go to serverless containers?"
	QuestionCredentials = "May Prefect Cloud hold credentials for your cloud account?"
	QuestionKubernetes  = "Do you run a Kubernetes cluster for this?"
	QuestionDocker      = "Is there a Docker host for the runs?"
)

// GuidePath is the decision guide, relative to the repository root.
const GuidePath = "docs/choosing-infrastructure.md"

// GuideURL is where the decision guide is published; links in hovers and
// explain output point there (a path relative to the user's project would
// not resolve).
const GuideURL = "https://github.com/prefect-lsp/prefect-lsp/blob/main/" + GuidePath

// Anchors of the decision guide's sections (GitHub-style heading slugs).
const (
	AnchorDecision          = "the-decision-at-a-glance"
	AnchorServe             = "serving-a-flow"
	AnchorManagedPool       = "managed-work-pools"
	AnchorPushPool          = "push-work-pools"
	AnchorHybridServerless  = "serverless-work-pools-with-a-worker"
	AnchorKubernetesWorker  = "kubernetes-work-pools"
	AnchorDockerWorker      = "docker-work-pools"
	AnchorProcessWorker     = "process-work-pools"
	AnchorCodeReachability  = "getting-the-code-to-the-run"
	AnchorUnknownPoolType   = "when-the-pool-type-is-unknown"
	AnchorLegacyAgentPools  = "prefect-2-agent-pools"
	AnchorMixingApproaches  = "mixing-approaches"
	AnchorSelfHostedServers = "self-hosted-servers"
)

// ModeAnchor returns the guide section for a mode.
func ModeAnchor(m Mode) string {
	switch m {
	case ModeServe:
		return AnchorServe
	case ModeManagedPool:
		return AnchorManagedPool
	case ModePushPool:
		return AnchorPushPool
	case ModeHybridServerlessWorker:
		return AnchorHybridServerless
	case ModeKubernetesWorker:
		return AnchorKubernetesWorker
	case ModeDockerWorker:
		return AnchorDockerWorker
	case ModeProcessWorker:
		return AnchorProcessWorker
	}
	return AnchorUnknownPoolType
}

// GuideLink returns the guide's URL with the anchor of a mode.
func GuideLink(m Mode) string { return GuideURL + "#" + ModeAnchor(m) }

// ModeTitle is a short human name for a mode.
func ModeTitle(m Mode) string {
	switch m {
	case ModeServe:
		return "flow.serve() (no work pool, no worker)"
	case ModeManagedPool:
		return "Prefect Managed work pool"
	case ModePushPool:
		return "push work pool (no worker)"
	case ModeHybridServerlessWorker:
		return "serverless work pool with a worker"
	case ModeKubernetesWorker:
		return "Kubernetes work pool with a worker"
	case ModeDockerWorker:
		return "Docker work pool with a worker"
	case ModeProcessWorker:
		return "process work pool with a worker"
	}
	return "unknown"
}

// modeOfType maps a pool type to the mode it implements.
func modeOfType(t *workpools.Type) Mode {
	switch {
	case t == nil:
		return ModeUnknown
	case t.Kind == workpools.Push:
		return ModePushPool
	case t.Kind == workpools.Managed:
		return ModeManagedPool
	case t.Kind == workpools.Legacy:
		return ModeUnknown
	case t.Name == "kubernetes":
		return ModeKubernetesWorker
	case t.Name == "docker":
		return ModeDockerWorker
	case t.Name == "process":
		return ModeProcessWorker
	case t.Serverless:
		return ModeHybridServerlessWorker
	}
	return ModeUnknown
}

// simplicity orders modes by moving parts you own (lower is simpler).
var simplicity = map[Mode]int{
	ModeServe: 0, ModeManagedPool: 1, ModePushPool: 2, ModeProcessWorker: 3,
	ModeDockerWorker: 4, ModeHybridServerlessWorker: 5, ModeKubernetesWorker: 6,
}

// Decide walks the decision guide with the facts of one deployment.
func Decide(f Facts) Recommendation {
	r := Recommendation{PoolType: f.PoolType, PoolTypeSource: f.PoolTypeSource}
	if r.PoolType == "" && f.HasWorkPool {
		if name, ok := workpools.Infer(f.JobVariableKeys); ok {
			r.PoolType, r.PoolTypeSource = name, "inferred from job_variables"
		}
	}
	var t *workpools.Type
	if r.PoolType != "" {
		if found, ok := workpools.Lookup(r.PoolType); ok {
			t = found
		}
	}
	d := decider{f: f, t: t, r: &r}
	d.current()
	d.walk()
	d.code()
	r.TradeOffs = tradeOffs(r.Suggested, f, t)
	if r.Current != ModeUnknown && r.Suggested != ModeUnknown && r.Suggested != r.Current {
		r.Simpler = simplicity[r.Suggested] < simplicity[r.Current]
	}
	return r
}

type decider struct {
	f Facts
	t *workpools.Type
	r *Recommendation
}

func (d *decider) reason(format string, args ...any) {
	d.r.Reasons = append(d.r.Reasons, fmt.Sprintf(format, args...))
}

func (d *decider) warn(format string, args ...any) {
	d.r.Warnings = append(d.r.Warnings, fmt.Sprintf(format, args...))
}

func (d *decider) step(q, a string, args ...any) {
	d.r.Path = append(d.r.Path, Step{Question: q, Answer: fmt.Sprintf(a, args...)})
}

// remotePull is true when a pull step fetches code from git or storage.
func (d *decider) remotePull() bool {
	for _, k := range d.f.PullKinds {
		if k == "git" || k == "storage" || k == "block" {
			return true
		}
	}
	return false
}

// ownImage is true when the deployment brings an image of its own.
func (d *decider) ownImage() bool {
	return d.f.HasImage || d.f.HasBuildImageStep || d.f.HasPushImageStep
}

func (d *decider) poolLabel() string {
	name := "the work pool"
	if d.f.PoolName != "" {
		name = fmt.Sprintf("work pool %q", d.f.PoolName)
	}
	if d.t != nil {
		name += fmt.Sprintf(" (type %s", d.t.Name)
		if d.r.PoolTypeSource != "" {
			name += ", " + d.r.PoolTypeSource
		}
		name += ")"
	}
	return name
}

func (d *decider) current() {
	f, r := d.f, d.r
	switch {
	case !f.HasWorkPool && f.FlowServedInCode:
		r.Current = ModeServe
		d.reason("The flow is served in code: a long-running process polls for runs and executes them as local subprocesses.")
	case !f.HasWorkPool:
		r.Current = ModeUnknown
		d.reason("The deployment names no work pool; prefect deploy will ask for one or fall back to PREFECT_DEPLOYMENTS_DEFAULT_WORK_POOL_NAME.")
	case d.t == nil:
		r.Current = ModeUnknown
		r.WorkerNeeded = true
		if r.PoolType != "" {
			d.reason("Pool type %q is not one prefect-lsp knows, so the advice stops early.", r.PoolType)
		} else {
			d.reason("The type of %s is not known; set it in the prefect-lsp config (or use a name that says it) for full advice.", d.poolLabel())
		}
	case d.t.Kind == workpools.Legacy:
		r.Current = ModeUnknown
		r.WorkerNeeded = true
		d.warn("%s is a Prefect 2 agent pool; prefect deploy refuses it. Create a worker-based pool instead.", capitalize(d.poolLabel()))
	default:
		r.Current = modeOfType(d.t)
		r.WorkerNeeded = d.t.NeedsWorker
		if r.WorkerNeeded {
			pool := "<pool>"
			if f.PoolName != "" {
				pool = "'" + f.PoolName + "'"
			}
			d.reason("%s needs a worker of type %s polling it: prefect worker start --pool %s.", capitalize(d.poolLabel()), d.t.Name, pool)
		} else {
			d.reason("%s needs no worker: Prefect Cloud starts each run.", capitalize(d.poolLabel()))
		}
	}
}

func (d *decider) walk() {
	f, r, t := d.f, d.r, d.t
	// Question 1: custom or per-run infrastructure?
	switch {
	case r.Current == ModeServe:
		d.step(QuestionCustomInfra, "No: the flow is already served in code")
		r.Suggested = ModeServe
		return
	case f.HasWorkPool && t == nil:
		if d.ownImage() {
			d.step(QuestionCustomInfra, "Yes: the deployment uses a container image")
		} else {
			d.step(QuestionCustomInfra, "Unknown: the pool type is not known")
		}
		r.Suggested = ModeUnknown
		return
	case t != nil && t.Name == "process" && !d.ownImage() && d.remotePull():
		d.step(QuestionCustomInfra, "Yes: each run fetches its code afresh (remote pull step) on the worker's host")
		d.step(QuestionManaged, "No: nothing points at Prefect's machines")
		d.step(QuestionServerless, "No: runs are plain subprocesses")
		d.step(QuestionKubernetes, "No: the pool type is process")
		d.step(QuestionDocker, "No: runs need no container")
		d.reason("A process worker that pulls code per run is a fair fit; flow.from_source(...).serve() would do the same without a pool if you prefer Python over prefect.yaml.")
		r.Suggested = ModeProcessWorker
		return
	case !f.HasWorkPool || t.Kind == workpools.Legacy || t.Name == "process":
		if !d.ownImage() {
			if t != nil && t.Name == "process" {
				d.step(QuestionCustomInfra, "No: a process pool runs plain subprocesses on the worker's host")
				d.reason("serve runs the same subprocesses from one long-running process, with no work pool and no worker to keep alive.")
			} else {
				d.step(QuestionCustomInfra, "No: nothing in the deployment asks for containers or cloud jobs")
			}
			r.Suggested = ModeServe
			return
		}
		d.step(QuestionCustomInfra, "Yes: the deployment builds or names a container image")
		if t != nil && t.Name == "process" {
			d.warn("Process pools ignore container images: the run starts as a subprocess on the worker's host, not in the image.")
		}
		d.step(QuestionManaged, "No: the deployment brings its own image")
		d.step(QuestionServerless, "No: nothing points at a serverless service")
		d.step(QuestionKubernetes, "No: nothing points at Kubernetes")
		d.step(QuestionDocker, "Yes: an image needs a container runtime, and a Docker host is the nearest fit")
		r.Suggested = ModeDockerWorker
		return
	}
	d.step(QuestionCustomInfra, "Yes: %s pools start each run on infrastructure of its own", t.Name)

	// Question 2: Prefect Managed?
	if t.Kind == workpools.Managed {
		switch {
		case f.SelfHosted:
			d.step(QuestionManaged, "No: managed pools exist only on Prefect Cloud, and this project uses a self-hosted server")
			d.warn("%s is a Prefect Cloud managed pool, but the project is configured for a self-hosted server.", capitalize(d.poolLabel()))
			d.step(QuestionServerless, "Yes: the nearest fit for infrastructure you do not manage")
			d.step(QuestionCredentials, "No: a self-hosted server cannot use push pools")
			r.Suggested = ModeHybridServerlessWorker
			return
		case f.HasBuildImageStep || f.HasPushImageStep:
			d.step(QuestionManaged, "No: the deployment builds its own image, and managed pools run only Prefect's official images")
			d.warn("Managed pools run only Prefect's official images; the image this deployment builds will not be used. Install dependencies with the pip_packages job variable, or move to a push pool.")
			d.step(QuestionServerless, "Yes: the deployment already expects Prefect Cloud to start runs")
			d.step(QuestionCredentials, "Yes: the project already uses Prefect Cloud")
			r.Suggested = ModePushPool
			return
		}
		d.step(QuestionManaged, "Yes: the deployment uses a Prefect Managed pool")
		r.Suggested = ModeManagedPool
		return
	}
	d.step(QuestionManaged, "No: the deployment targets %s infrastructure", t.Name)

	// Question 3: serverless?
	if !t.Serverless {
		d.step(QuestionServerless, "No: %s is not a serverless target", t.Name)
		if t.Name == "kubernetes" {
			d.step(QuestionKubernetes, "Yes: the pool type is kubernetes")
			d.reason("Run the worker inside the cluster with Prefect's prefect-worker Helm chart, the recommended way to install it.")
			r.Suggested = ModeKubernetesWorker
			return
		}
		d.step(QuestionKubernetes, "No: the pool type is %s", t.Name)
		d.step(QuestionDocker, "Yes: the pool type is docker")
		r.Suggested = ModeDockerWorker
		return
	}
	d.step(QuestionServerless, "Yes: %s runs each flow in a serverless container or VM", t.Name)

	// Question 4: may Prefect Cloud hold credentials?
	if t.Kind == workpools.Push {
		if f.SelfHosted {
			d.step(QuestionCredentials, "No: push pools exist only on Prefect Cloud, and this project uses a self-hosted server")
			d.warn("%s is a push pool, which only Prefect Cloud can run; a self-hosted server needs the worker-based type%s.", capitalize(d.poolLabel()), hybridHint(t))
			r.Suggested = ModeHybridServerlessWorker
			return
		}
		d.step(QuestionCredentials, "Yes: the pool is a push pool, so Prefect Cloud already holds them")
		r.Suggested = ModePushPool
		return
	}
	switch {
	case t.PushVariant == "":
		d.step(QuestionCredentials, "No: %s has no push pool, so a worker is required", t.Name)
		r.Suggested = ModeHybridServerlessWorker
	case f.SelfHosted:
		d.step(QuestionCredentials, "No: push pools exist only on Prefect Cloud, and this project uses a self-hosted server")
		r.Suggested = ModeHybridServerlessWorker
	case f.Cloud:
		d.step(QuestionCredentials, "Yes: the project uses Prefect Cloud, where the %s push pool runs the same jobs", t.PushVariant)
		d.reason("The %s pool type submits the same jobs from Prefect Cloud, so no worker has to run around the clock; the cost is storing cloud credentials in Prefect Cloud.", t.PushVariant)
		r.Suggested = ModePushPool
	default:
		d.step(QuestionCredentials, "Yes, if the project uses Prefect Cloud and may store credentials there")
		d.reason("On Prefect Cloud, the %s pool type runs the same jobs without a worker; keep %s if you use a self-hosted server or credentials must stay in your account.", t.PushVariant, t.Name)
		r.Suggested = ModePushPool
	}
}

func hybridHint(t *workpools.Type) string {
	if t.HybridVariant == "" {
		return ""
	}
	return " (" + t.HybridVariant + ")"
}

// code works out where the run gets the flow's code and whether it can.
func (d *decider) code() {
	f, r, t := d.f, d.r, d.t
	has := func(k string) bool { return slices.Contains(f.PullKinds, k) }
	switch {
	case has("git"):
		r.CodeSource = CodeFromGit
	case has("storage") || has("block"):
		r.CodeSource = CodeFromStorage
	case d.ownImage():
		r.CodeSource = CodeFromImage
	case f.LocalWorkingDirectory || has("set_working_directory") || r.Current == ModeServe:
		r.CodeSource = CodeFromLocalPath
	default:
		r.CodeSource = CodeFromNowhere
	}
	r.CodeReachable = true
	if r.Current == ModeServe || t == nil || !t.RunsRemotely {
		if t != nil && t.Name == "process" && r.CodeSource == CodeFromLocalPath {
			d.reason("The worker must run on this machine, or see the same path, to find the flow's code.")
		}
		return
	}
	custom := has("shell") || has("other")
	switch r.CodeSource {
	case CodeFromGit, CodeFromStorage:
		return
	case CodeFromImage:
		if t.Kind == workpools.Managed {
			if f.HasBuildImageStep || f.HasPushImageStep {
				r.CodeReachable = custom
				if !custom {
					d.warn("Managed pools run Prefect's official image, so code baked into your image never reaches the run; add a git_clone or pull_from_* pull step.")
				}
			}
			return
		}
		if f.HasBuildImageStep && !f.HasPushImageStep && t.Name != "docker" {
			d.warn("The image is built but never pushed; %s infrastructure pulls images from a registry, so add a push_docker_image step.", t.Name)
		}
		return
	case CodeFromLocalPath:
		if t.Name == "docker" && slices.Contains(f.JobVariableKeys, "volumes") && !f.LocalWorkingDirectory {
			return // the working directory may be a mounted volume
		}
	}
	if custom {
		d.reason("A custom pull step may fetch the code; prefect-lsp cannot tell.")
		return
	}
	r.CodeReachable = false
	where := "nothing brings the code there"
	if r.CodeSource == CodeFromLocalPath {
		where = "the pull step points at a directory on the deploying machine"
	}
	d.warn("Runs on %s pools happen away from this machine and %s: build an image that contains the flow, or add a git_clone / pull_from_* pull step.", t.Name, where)
}

func tradeOffs(m Mode, f Facts, t *workpools.Type) []string {
	var out []string
	switch m {
	case ModeServe:
		out = append(out,
			"The serving process must stay up on a host you run; runs are subprocesses on that host.",
			"No per-run infrastructure: every run shares the host's CPU, memory and Python environment.",
			"Changing parameters, schedules or other metadata needs a restart of the serving process.")
		if f.HasSchedules {
			out = append(out, "Stopping the process pauses the schedules unless serve(pause_on_shutdown=False).")
		}
		if f.HasTriggers {
			out = append(out, "Triggers keep working with serve (it accepts triggers=[...]), but only while the process is up to run what they start.")
		}
	case ModeManagedPool:
		out = append(out,
			"Prefect Cloud only; no cloud account or worker needed.",
			"Only Prefect's official images; add dependencies with the pip_packages job variable.",
			"Limits: up to 4 vCPU / 16 GB per run, at most 24 hours per run, and a monthly compute quota.",
			"Code must come from a remote source (git_clone or pull_from_* pull step).")
	case ModePushPool:
		out = append(out,
			"Prefect Cloud only; no worker to run or pay for, infrastructure scales to zero.",
			"Prefect Cloud stores credentials for your cloud account in a block.",
			"The image must be pushed to a registry the cloud provider can pull from.",
			"Each run waits for a container to start (image pull and scheduling).")
	case ModeHybridServerlessWorker:
		out = append(out,
			"You run a worker all the time (for example a small ECS service or Cloud Run service); credentials stay in your account.",
			"Works with Prefect Cloud and self-hosted servers; infrastructure for runs scales to zero.",
			"Each run waits for a container to start (image pull and scheduling).")
	case ModeKubernetesWorker:
		out = append(out,
			"Install the worker with Prefect's prefect-worker Helm chart; you operate the cluster.",
			"Each run is a Kubernetes job: per-run resources via cpu_request / memory_limit or a custom job manifest.",
			"Pod start-up adds latency, more on autoscaled or serverless node pools (raise pod_watch_timeout_seconds).")
	case ModeDockerWorker:
		out = append(out,
			"One host with a Docker daemon runs the worker and every container; it does not scale beyond that host.",
			"Each run gets a fresh container from your image; images only need a registry if the worker runs elsewhere.")
	case ModeProcessWorker:
		out = append(out,
			"The worker host must have the flow's dependencies installed; runs are not isolated from each other.",
			"Compared to serve, a process pool adds a pool and a worker but lets one worker run many deployments with per-deployment job variables.")
	}
	return out
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
