package guidance

import (
	"fmt"
	"strings"
)

// node is one box of the guide's flowchart.
type node struct {
	id, label string
	question  string // "" for leaves
	mode      Mode   // leaves only
}

type edge struct {
	from, to string
	yes      bool
}

var chartNodes = []node{
	{id: "Q1", label: "Custom or per-run infrastructure?", question: QuestionCustomInfra},
	{id: "Q2", label: "Prefect Cloud and a stock image is enough?", question: QuestionManaged},
	{id: "Q3", label: "Serverless containers?", question: QuestionServerless},
	{id: "Q4", label: "May Prefect Cloud hold cloud credentials?", question: QuestionCredentials},
	{id: "Q5", label: "Kubernetes cluster?", question: QuestionKubernetes},
	{id: "Q6", label: "Docker host?", question: QuestionDocker},
	{id: "SERVE", label: "flow.serve(): no pool, no worker", mode: ModeServe},
	{id: "MANAGED", label: "prefect:managed pool", mode: ModeManagedPool},
	{id: "PUSH", label: "push pool, no worker: ecs:push, cloud-run-v2:push, azure-container-instance:push, modal:push, coiled:push", mode: ModePushPool},
	{id: "HYBRID", label: "serverless pool + worker: ecs, cloud-run-v2, vertex-ai, azure-container-instance, coiled", mode: ModeHybridServerlessWorker},
	{id: "K8S", label: "kubernetes pool + worker via Helm", mode: ModeKubernetesWorker},
	{id: "DOCKER", label: "docker pool + worker on the host", mode: ModeDockerWorker},
	{id: "PROCESS", label: "process pool + worker", mode: ModeProcessWorker},
}

// chartEdges in the order Mermaid numbers them for linkStyle.
var chartEdges = []edge{
	{"Q1", "SERVE", false},
	{"Q1", "Q2", true},
	{"Q2", "MANAGED", true},
	{"Q2", "Q3", false},
	{"Q3", "Q4", true},
	{"Q4", "PUSH", true},
	{"Q4", "HYBRID", false},
	{"Q3", "Q5", false},
	{"Q5", "K8S", true},
	{"Q5", "Q6", false},
	{"Q6", "DOCKER", true},
	{"Q6", "PROCESS", false},
}

func nodeByQuestion(q string) (string, bool) {
	for _, n := range chartNodes {
		if n.question != "" && n.question == q {
			return n.id, true
		}
	}
	return "", false
}

func nodeByMode(m Mode) (string, bool) {
	for _, n := range chartNodes {
		if n.question == "" && n.mode == m {
			return n.id, true
		}
	}
	return "", false
}

// answerIsYes reads a Step answer; ok is false for "Unknown…" answers.
func answerIsYes(a string) (yes, ok bool) {
	switch {
	case strings.HasPrefix(a, "Yes"):
		return true, true
	case strings.HasPrefix(a, "No"):
		return false, true
	}
	return false, false
}

// Mermaid renders the decision guide as a Mermaid flowchart with the
// recommendation's path highlighted: questions and edges taken are drawn
// bold, the suggested leaf filled, and the current leaf (when different)
// dashed. With an empty Recommendation it renders the plain guide.
func Mermaid(r Recommendation) string {
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	for _, n := range chartNodes {
		if n.question != "" {
			fmt.Fprintf(&b, "    %s{\"%s\"}\n", n.id, n.label)
		} else {
			fmt.Fprintf(&b, "    %s[\"%s\"]\n", n.id, n.label)
		}
	}
	for _, e := range chartEdges {
		label := "No"
		if e.yes {
			label = "Yes"
		}
		fmt.Fprintf(&b, "    %s -- %s --> %s\n", e.from, label, e.to)
	}

	var takenNodes []string
	var takenEdges []string
	for _, s := range r.Path {
		id, ok := nodeByQuestion(s.Question)
		if !ok {
			continue
		}
		takenNodes = append(takenNodes, id)
		yes, known := answerIsYes(s.Answer)
		if !known {
			continue
		}
		for i, e := range chartEdges {
			if e.from == id && e.yes == yes {
				takenEdges = append(takenEdges, fmt.Sprint(i))
			}
		}
	}
	b.WriteString("    classDef taken stroke:#2e7d32,stroke-width:3px\n")
	b.WriteString("    classDef suggested fill:#2e7d32,color:#ffffff,stroke:#1b5e20,stroke-width:3px\n")
	b.WriteString("    classDef current stroke:#c62828,stroke-width:2px,stroke-dasharray:5 5\n")
	if len(takenNodes) > 0 {
		fmt.Fprintf(&b, "    class %s taken\n", strings.Join(takenNodes, ","))
	}
	if id, ok := nodeByMode(r.Suggested); ok {
		fmt.Fprintf(&b, "    class %s suggested\n", id)
	}
	if r.Current != r.Suggested {
		if id, ok := nodeByMode(r.Current); ok {
			fmt.Fprintf(&b, "    class %s current\n", id)
		}
	}
	if len(takenEdges) > 0 {
		fmt.Fprintf(&b, "    linkStyle %s stroke:#2e7d32,stroke-width:3px\n", strings.Join(takenEdges, ","))
	}
	return b.String()
}

// Markdown renders a recommendation for hovers and `explain` output.
// deploymentName may be empty.
func Markdown(r Recommendation, deploymentName string) string {
	var b strings.Builder
	title := "How this deployment runs"
	if deploymentName != "" {
		title = fmt.Sprintf("How deployment `%s` runs", deploymentName)
	}
	fmt.Fprintf(&b, "**%s**\n\n", title)
	fmt.Fprintf(&b, "- Today: %s", ModeTitle(r.Current))
	if r.PoolType != "" {
		fmt.Fprintf(&b, " — pool type `%s`", r.PoolType)
		if r.PoolTypeSource != "" {
			fmt.Fprintf(&b, " (%s)", r.PoolTypeSource)
		}
	}
	b.WriteString("\n")
	switch {
	case r.Suggested == ModeUnknown:
		b.WriteString("- Suggested: not enough facts to say\n")
	case r.Suggested == r.Current:
		b.WriteString("- Suggested: keep it; it fits\n")
	case r.Simpler:
		fmt.Fprintf(&b, "- Simpler option: %s\n", ModeTitle(r.Suggested))
	default:
		fmt.Fprintf(&b, "- Suggested: %s\n", ModeTitle(r.Suggested))
	}
	if r.WorkerNeeded {
		b.WriteString("- Needs a worker: yes\n")
	} else {
		b.WriteString("- Needs a worker: no\n")
	}
	reach := "yes"
	if !r.CodeReachable {
		reach = "**no**"
	}
	fmt.Fprintf(&b, "- Code comes from: %s (reachable by the run: %s)\n", r.CodeSource, reach)
	if len(r.Warnings) > 0 {
		b.WriteString("\n**Problems**\n\n")
		for _, w := range r.Warnings {
			fmt.Fprintf(&b, "- %s\n", w)
		}
	}
	if len(r.Path) > 0 {
		b.WriteString("\n**Through the guide**\n\n")
		for i, s := range r.Path {
			fmt.Fprintf(&b, "%d. %s — %s\n", i+1, s.Question, s.Answer)
		}
	}
	if len(r.Reasons) > 0 {
		b.WriteString("\n**Why**\n\n")
		for _, s := range r.Reasons {
			fmt.Fprintf(&b, "- %s\n", s)
		}
	}
	if len(r.TradeOffs) > 0 && r.Suggested != ModeUnknown {
		fmt.Fprintf(&b, "\n**Trade-offs of %s**\n\n", ModeTitle(r.Suggested))
		for _, s := range r.TradeOffs {
			fmt.Fprintf(&b, "- %s\n", s)
		}
	}
	link := GuideLink(r.Suggested)
	if r.Suggested == ModeUnknown && r.Current != ModeUnknown {
		link = GuideLink(r.Current)
	}
	fmt.Fprintf(&b, "\nSee [Choosing infrastructure](%s).\n", link)
	if !r.CodeReachable {
		fmt.Fprintf(&b, "See [Getting the code to the run](%s#%s).\n", GuideURL, AnchorCodeReachability)
	}
	return b.String()
}
