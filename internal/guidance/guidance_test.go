package guidance

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestDecideLeaves(t *testing.T) {
	cases := []struct {
		name               string
		f                  Facts
		current, suggested Mode
		worker, simpler    bool
		pathLen            int
		warn               string // substring of some warning; "" = no warnings
		reason             string // substring of some reason
	}{
		{
			name:    "served in code",
			f:       Facts{FlowServedInCode: true},
			current: ModeServe, suggested: ModeServe, pathLen: 1,
		},
		{
			name:    "process pool without custom infra -> serve",
			f:       Facts{HasWorkPool: true, PoolName: "local", PoolType: "process", PullKinds: []string{"set_working_directory"}, LocalWorkingDirectory: true},
			current: ModeProcessWorker, suggested: ModeServe, worker: true, simpler: true, pathLen: 1,
			reason: "no work pool and no worker to keep alive",
		},
		{
			name:    "process pool with an image -> docker worker",
			f:       Facts{HasWorkPool: true, PoolType: "process", HasBuildImageStep: true, HasPushImageStep: true},
			current: ModeProcessWorker, suggested: ModeDockerWorker, worker: true, pathLen: 5,
			warn: "Process pools ignore container images",
		},
		{
			name:    "process pool pulling code per run fits",
			f:       Facts{HasWorkPool: true, PoolType: "process", PullKinds: []string{"git"}},
			current: ModeProcessWorker, suggested: ModeProcessWorker, worker: true, pathLen: 5,
			reason: "from_source",
		},
		{
			name:    "no pool, nothing custom -> serve",
			f:       Facts{},
			current: ModeUnknown, suggested: ModeServe, pathLen: 1,
			reason: "names no work pool",
		},
		{
			name:    "ecs hybrid on Cloud -> push",
			f:       Facts{HasWorkPool: true, PoolType: "ecs", HasImage: true, HasBuildImageStep: true, HasPushImageStep: true, Cloud: true},
			current: ModeHybridServerlessWorker, suggested: ModePushPool, worker: true, simpler: true, pathLen: 4,
			reason: "ecs:push",
		},
		{
			name:    "cloud-run-v2 hybrid, server unknown -> push with condition",
			f:       Facts{HasWorkPool: true, PoolType: "cloud-run-v2", HasImage: true},
			current: ModeHybridServerlessWorker, suggested: ModePushPool, worker: true, simpler: true, pathLen: 4,
			reason: "keep cloud-run-v2 if you use a self-hosted server",
		},
		{
			name:    "ecs hybrid self-hosted -> stays with worker",
			f:       Facts{HasWorkPool: true, PoolType: "ecs", HasImage: true, SelfHosted: true},
			current: ModeHybridServerlessWorker, suggested: ModeHybridServerlessWorker, worker: true, pathLen: 4,
		},
		{
			name:    "vertex-ai has no push pool",
			f:       Facts{HasWorkPool: true, PoolType: "vertex-ai", HasImage: true, Cloud: true},
			current: ModeHybridServerlessWorker, suggested: ModeHybridServerlessWorker, worker: true, pathLen: 4,
		},
		{
			name:    "push pool on Cloud fits",
			f:       Facts{HasWorkPool: true, PoolType: "cloud-run:push", HasImage: true, Cloud: true},
			current: ModePushPool, suggested: ModePushPool, pathLen: 4,
		},
		{
			name:    "push pool on self-hosted server",
			f:       Facts{HasWorkPool: true, PoolType: "ecs:push", HasImage: true, SelfHosted: true},
			current: ModePushPool, suggested: ModeHybridServerlessWorker, pathLen: 4,
			warn: "worker-based type (ecs)",
		},
		{
			name:    "managed pool with git pull fits",
			f:       Facts{HasWorkPool: true, PoolType: "prefect:managed", PullKinds: []string{"git"}, Cloud: true},
			current: ModeManagedPool, suggested: ModeManagedPool, pathLen: 2,
		},
		{
			name:    "managed pool with own image -> push",
			f:       Facts{HasWorkPool: true, PoolType: "prefect:managed", HasBuildImageStep: true, HasPushImageStep: true, PullKinds: []string{"git"}},
			current: ModeManagedPool, suggested: ModePushPool, pathLen: 4,
			warn: "only Prefect's official images",
		},
		{
			name:    "managed pool on self-hosted",
			f:       Facts{HasWorkPool: true, PoolType: "prefect:managed", PullKinds: []string{"git"}, SelfHosted: true},
			current: ModeManagedPool, suggested: ModeHybridServerlessWorker, pathLen: 4,
			warn: "self-hosted server",
		},
		{
			name:    "kubernetes -> worker via helm",
			f:       Facts{HasWorkPool: true, PoolType: "kubernetes", HasImage: true, HasBuildImageStep: true, HasPushImageStep: true},
			current: ModeKubernetesWorker, suggested: ModeKubernetesWorker, worker: true, pathLen: 4,
			reason: "Helm chart",
		},
		{
			name:    "docker pool fits",
			f:       Facts{HasWorkPool: true, PoolType: "docker", HasImage: true, HasBuildImageStep: true},
			current: ModeDockerWorker, suggested: ModeDockerWorker, worker: true, pathLen: 5,
		},
		{
			name:    "pool type inferred from job variables",
			f:       Facts{HasWorkPool: true, JobVariableKeys: []string{"namespace", "image"}, HasImage: true},
			current: ModeKubernetesWorker, suggested: ModeKubernetesWorker, worker: true, pathLen: 4,
			reason: "inferred from job_variables",
		},
		{
			name:    "unknown pool type",
			f:       Facts{HasWorkPool: true, PoolName: "mystery", JobVariableKeys: []string{"image"}, HasImage: true},
			current: ModeUnknown, suggested: ModeUnknown, worker: true, pathLen: 1,
			reason: "not known",
		},
		{
			name:    "unrecognised pool type string",
			f:       Facts{HasWorkPool: true, PoolType: "snowpark-container-service", HasImage: true},
			current: ModeUnknown, suggested: ModeUnknown, worker: true, pathLen: 1,
			reason: "not one prefect-lsp knows",
		},
		{
			name:    "legacy agent pool",
			f:       Facts{HasWorkPool: true, PoolType: "prefect-agent"},
			current: ModeUnknown, suggested: ModeServe, worker: true, pathLen: 1,
			warn: "agent pool",
		},
	}
	seen := map[Mode]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Decide(c.f)
			if r.Current != c.current || r.Suggested != c.suggested {
				t.Fatalf("current/suggested = %s/%s, want %s/%s\n%+v", r.Current, r.Suggested, c.current, c.suggested, r)
			}
			if r.WorkerNeeded != c.worker {
				t.Errorf("WorkerNeeded = %v", r.WorkerNeeded)
			}
			if r.Simpler != c.simpler {
				t.Errorf("Simpler = %v", r.Simpler)
			}
			if len(r.Path) != c.pathLen {
				t.Errorf("path has %d steps, want %d: %+v", len(r.Path), c.pathLen, r.Path)
			}
			for _, s := range r.Path {
				if _, ok := nodeByQuestion(s.Question); !ok {
					t.Errorf("step question %q is not in the chart", s.Question)
				}
				if _, ok := answerIsYes(s.Answer); !ok && !strings.HasPrefix(s.Answer, "Unknown") {
					t.Errorf("answer %q does not start with Yes/No/Unknown", s.Answer)
				}
			}
			if c.warn == "" && len(r.Warnings) > 0 && c.f.PullKinds != nil {
				t.Errorf("unexpected warnings %v", r.Warnings)
			}
			if c.warn != "" && !containsSub(r.Warnings, c.warn) {
				t.Errorf("warnings %v lack %q", r.Warnings, c.warn)
			}
			if c.reason != "" && !containsSub(r.Reasons, c.reason) {
				t.Errorf("reasons %v lack %q", r.Reasons, c.reason)
			}
			if r.Suggested != ModeUnknown && len(r.TradeOffs) == 0 {
				t.Error("no trade-offs for a suggestion")
			}
			seen[r.Suggested] = true
		})
	}
	for _, m := range Modes {
		if !seen[m] {
			t.Errorf("no case reaches leaf %s", m)
		}
	}
}

func TestCodeReachability(t *testing.T) {
	cases := []struct {
		name      string
		f         Facts
		source    string
		reachable bool
	}{
		{"docker pool, local working dir, no image", Facts{HasWorkPool: true, PoolType: "docker", PullKinds: []string{"set_working_directory"}, LocalWorkingDirectory: true}, CodeFromLocalPath, false},
		{"k8s pool, nothing at all", Facts{HasWorkPool: true, PoolType: "kubernetes"}, CodeFromNowhere, false},
		{"push pool with git clone", Facts{HasWorkPool: true, PoolType: "ecs:push", PullKinds: []string{"git"}}, CodeFromGit, true},
		{"ecs with s3 pull", Facts{HasWorkPool: true, PoolType: "ecs", PullKinds: []string{"storage"}}, CodeFromStorage, true},
		{"ecs with block pull", Facts{HasWorkPool: true, PoolType: "ecs", PullKinds: []string{"block"}}, CodeFromStorage, true},
		{"k8s with built image and in-image workdir", Facts{HasWorkPool: true, PoolType: "kubernetes", HasImage: true, HasBuildImageStep: true, HasPushImageStep: true, PullKinds: []string{"set_working_directory"}}, CodeFromImage, true},
		{"process pool, local path", Facts{HasWorkPool: true, PoolType: "process", PullKinds: []string{"set_working_directory"}, LocalWorkingDirectory: true}, CodeFromLocalPath, true},
		{"serve", Facts{FlowServedInCode: true}, CodeFromLocalPath, true},
		{"managed without remote code", Facts{HasWorkPool: true, PoolType: "prefect:managed", PullKinds: []string{"set_working_directory"}, LocalWorkingDirectory: true}, CodeFromLocalPath, false},
		{"managed with own image only", Facts{HasWorkPool: true, PoolType: "prefect:managed", HasBuildImageStep: true, HasPushImageStep: true}, CodeFromImage, false},
		{"custom shell pull step is given the benefit of the doubt", Facts{HasWorkPool: true, PoolType: "kubernetes", PullKinds: []string{"shell"}}, CodeFromNowhere, true},
		{"docker with volume mount and in-container workdir", Facts{HasWorkPool: true, PoolType: "docker", JobVariableKeys: []string{"volumes"}, PullKinds: []string{"set_working_directory"}}, CodeFromLocalPath, true},
		{"unknown pool type is not judged", Facts{HasWorkPool: true, PoolName: "x"}, CodeFromNowhere, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Decide(c.f)
			if r.CodeSource != c.source || r.CodeReachable != c.reachable {
				t.Fatalf("code = %q reachable=%v, want %q %v (warnings %v)", r.CodeSource, r.CodeReachable, c.source, c.reachable, r.Warnings)
			}
			if !c.reachable && !containsSub(r.Warnings, "pull step") {
				t.Errorf("unreachable code must come with a warning naming the fix: %v", r.Warnings)
			}
			md := Markdown(r, "d")
			if !c.reachable && !strings.Contains(md, "#"+AnchorCodeReachability) {
				t.Errorf("markdown lacks code-reachability link:\n%s", md)
			}
		})
	}
}

func TestBuiltButNotPushed(t *testing.T) {
	r := Decide(Facts{HasWorkPool: true, PoolType: "kubernetes", HasImage: true, HasBuildImageStep: true})
	if !containsSub(r.Warnings, "never pushed") {
		t.Errorf("warnings %v", r.Warnings)
	}
	r = Decide(Facts{HasWorkPool: true, PoolType: "docker", HasImage: true, HasBuildImageStep: true})
	if containsSub(r.Warnings, "never pushed") {
		t.Errorf("a local docker worker can use a local image: %v", r.Warnings)
	}
}

func TestServeTradeOffsFollowFacts(t *testing.T) {
	plain := Decide(Facts{FlowServedInCode: true})
	sched := Decide(Facts{FlowServedInCode: true, HasSchedules: true, HasTriggers: true})
	if containsSub(plain.TradeOffs, "pause_on_shutdown") || !containsSub(sched.TradeOffs, "pause_on_shutdown") || !containsSub(sched.TradeOffs, "Triggers") {
		t.Errorf("plain %v\nsched %v", plain.TradeOffs, sched.TradeOffs)
	}
}

func TestMermaidHighlightsPath(t *testing.T) {
	r := Decide(Facts{HasWorkPool: true, PoolType: "ecs", HasImage: true, Cloud: true})
	m := Mermaid(r)
	for _, want := range []string{
		"flowchart TD",
		"class Q1,Q2,Q3,Q4 taken",
		"class PUSH suggested",
		"class HYBRID current",
		"linkStyle 1,3,4,5 ",
	} {
		if !strings.Contains(m, want) {
			t.Errorf("mermaid lacks %q:\n%s", want, m)
		}
	}
	serve := Mermaid(Decide(Facts{HasWorkPool: true, PoolType: "process"}))
	if !strings.Contains(serve, "linkStyle 0 ") || !strings.Contains(serve, "class SERVE suggested") || !strings.Contains(serve, "class PROCESS current") {
		t.Errorf("serve chart:\n%s", serve)
	}
	plain := Mermaid(Recommendation{})
	if strings.Contains(plain, "linkStyle") || strings.Contains(plain, "class ") && strings.Contains(plain, " taken\n    class") {
		t.Errorf("empty recommendation should not highlight:\n%s", plain)
	}
	if strings.Count(plain, " --> ") != len(chartEdges) {
		t.Errorf("edge count mismatch:\n%s", plain)
	}
}

func TestMarkdown(t *testing.T) {
	r := Decide(Facts{HasWorkPool: true, PoolType: "process"})
	md := Markdown(r, "nightly")
	for _, want := range []string{"`nightly`", "Simpler option: flow.serve()", GuideURL + "#" + AnchorServe, "Through the guide", "Trade-offs"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

// TestGuideHasAnchors checks the docs page has a heading for every anchor
// constant, so hover links land somewhere.
func TestGuideHasAnchors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", GuidePath))
	if err != nil {
		t.Fatal(err)
	}
	slugs := map[string]bool{}
	heading := regexp.MustCompile(`(?m)^#{1,6}\s+(.+?)\s*$`)
	for _, m := range heading.FindAllStringSubmatch(string(raw), -1) {
		slugs[slug(m[1])] = true
	}
	for _, a := range []string{AnchorDecision, AnchorServe, AnchorManagedPool, AnchorPushPool, AnchorHybridServerless,
		AnchorKubernetesWorker, AnchorDockerWorker, AnchorProcessWorker, AnchorCodeReachability, AnchorUnknownPoolType,
		AnchorLegacyAgentPools, AnchorMixingApproaches, AnchorSelfHostedServers} {
		if !slugs[a] {
			t.Errorf("%s has no heading for anchor #%s", GuidePath, a)
		}
	}
	for _, m := range Modes {
		if !slugs[ModeAnchor(m)] {
			t.Errorf("mode %s anchor missing", m)
		}
	}
	if !strings.Contains(string(raw), "```mermaid") {
		t.Error("guide has no mermaid chart")
	}
	for _, n := range chartNodes {
		if n.question != "" && !strings.Contains(string(raw), n.question) {
			t.Errorf("guide does not ask %q", n.question)
		}
	}
}

// slug mimics GitHub's heading anchors: lower case, drop punctuation other
// than '-' and '_', spaces become '-'.
func slug(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	return b.String()
}

func containsSub(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// TestGuideChartMatchesCode keeps the docs page's flowchart identical to
// what Mermaid renders for an empty recommendation.
func TestGuideChartMatchesCode(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", GuidePath))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "```mermaid\n"+Mermaid(Recommendation{})+"```") {
		t.Error("the guide's mermaid block differs from Mermaid(Recommendation{}); regenerate it")
	}
}
