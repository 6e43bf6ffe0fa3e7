package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/prefect-lsp/prefect-lsp/internal/deployinfo"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/guidance"
	"github.com/prefect-lsp/prefect-lsp/internal/pydeploy"
	"github.com/prefect-lsp/prefect-lsp/internal/pyflow"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// ExplainedDeployment is one item of `explain --format json`.
type ExplainedDeployment struct {
	Path       string `json:"path"`
	Line       int    `json:"line"` // 1-based line of the deployment
	Deployment string `json:"deployment"`
	WorkPool   string `json:"workPool"`
	PoolType   string `json:"poolType"`
	Entrypoint string `json:"entrypoint"`
	// EntrypointStatus says whether the entrypoint's function was found.
	EntrypointStatus string                  `json:"entrypointStatus"`
	Facts            guidance.Facts          `json:"facts"`
	Recommendation   guidance.Recommendation `json:"recommendation"`
}

func runExplain(args []string, stdio Stdio) int {
	fs := newFlagSet("explain", "explain [flags] [PATH...]\n\nFor each deployment of each prefect.yaml (and of each Python file that creates\ndeployments with serve/deploy): its work pool, entrypoint, how it runs\ntoday and the simplest option of the decision guide (serve, push or managed pool,\nworker) that fits.", stdio)
	format := fs.String("format", "text", "output format: text (markdown), json, or mermaid (one flowchart of the decision guide per deployment, its path highlighted)")
	mermaid := fs.Bool("mermaid", false, "text format: add the decision guide as a Mermaid flowchart with the path taken")
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return flagExit(err)
	}
	switch *format {
	case "text", "json", "mermaid":
	case "markdown":
		*format = "text"
	default:
		fmt.Fprintf(stdio.Err, "prefect-lsp explain: unknown --format %q; use text, json or mermaid\n", *format)
		return ExitUsage
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(stdio.Err, "prefect-lsp explain: %v\n", err)
		return ExitInternal
	}
	configs := &configCache{}
	col := &collector{wd: wd, configs: configs, seen: map[string]bool{}}
	for _, p := range paths {
		if p == "-" {
			fmt.Fprintln(stdio.Err, "prefect-lsp explain: standard input is not supported; give a path")
			return ExitUsage
		}
		if err := col.collect(p); err != nil {
			fmt.Fprintf(stdio.Err, "prefect-lsp explain: %v\n", err)
			return ExitUsage
		}
	}
	code := ExitOK
	for _, p := range col.problems {
		fmt.Fprintf(stdio.Err, "prefect-lsp explain: %s\n", p)
		code = ExitInternal
	}
	if len(col.targets) == 0 && len(col.problems) == 0 {
		fmt.Fprintf(stdio.Err, "prefect-lsp explain: no prefect.yaml or Python deployment file found in %s\n", strings.Join(paths, ", "))
	}
	ctx, cancel := signalContext()
	defer cancel()
	var items []ExplainedDeployment
	charts := 0
	for i, t := range col.targets {
		data, err := os.ReadFile(t.abs)
		if err != nil {
			fmt.Fprintf(stdio.Err, "prefect-lsp explain: %v\n", err)
			code = ExitInternal
			continue
		}
		cfg, probs := configs.load(filepath.Dir(t.abs))
		var explained []ExplainedDeployment
		if isPython(t.abs) {
			explained = explainPython(t, string(data), cfg)
		} else {
			res := analysis.Run(ctx, analysis.Input{Path: t.abs, Text: string(data), Config: cfg, ConfigProblems: probs}, nil)
			if res == nil {
				return ExitInternal
			}
			if msg := syntaxProblem(res.Doc); msg != "" {
				fmt.Fprintf(stdio.Err, "prefect-lsp explain: %s: the file is not valid YAML (%s); run `prefect-lsp check %s`\n", t.display, msg, t.display)
				if code == ExitOK {
					code = ExitFindings
				}
				continue
			}
			explained = explainFile(t, res, cfg)
		}
		items = append(items, explained...)
		if *format == "text" {
			if i > 0 {
				fmt.Fprintln(stdio.Out)
			}
			writeExplainText(stdio.Out, t, explained, *mermaid)
		}
		if *format == "mermaid" {
			for _, it := range explained {
				// Each chart is preceded by a Mermaid comment naming its
				// deployment; charts are separated by a blank line.
				if charts > 0 {
					fmt.Fprintln(stdio.Out)
				}
				charts++
				fmt.Fprintf(stdio.Out, "%%%% %s:%d deployment %q: %s\n", it.Path, it.Line, it.Deployment, guidance.ModeTitle(it.Recommendation.Suggested))
				fmt.Fprint(stdio.Out, ensureNewline(guidance.Mermaid(it.Recommendation)))
			}
		}
	}
	if *format == "json" {
		if items == nil {
			items = []ExplainedDeployment{}
		}
		enc := json.NewEncoder(stdio.Out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(items); err != nil {
			return ExitInternal
		}
	}
	return code
}

func syntaxProblem(doc *yamlsyntax.Document) string {
	if doc == nil {
		return "empty"
	}
	for _, p := range doc.Problems {
		if p.Kind == yamlsyntax.SyntaxError {
			return strings.TrimPrefix(p.Message, "yaml: ")
		}
	}
	return ""
}

func writeExplainText(w io.Writer, t target, items []ExplainedDeployment, mermaid bool) {
	fmt.Fprintf(w, "# %s\n", t.display)
	if len(items) == 0 {
		fmt.Fprintln(w, "\nNo deployments.")
		return
	}
	for _, it := range items {
		fmt.Fprintf(w, "\n## %s (line %d)\n\n", it.Deployment, it.Line)
		writeDeploymentText(w, it, mermaid)
	}
}

// writeDeploymentText writes one deployment's facts and recommendation.
func writeDeploymentText(w io.Writer, it ExplainedDeployment, mermaid bool) {
	pool := it.WorkPool
	if pool == "" {
		pool = "(none)"
	}
	if it.PoolType != "" {
		pool += " — type " + it.PoolType
	}
	fmt.Fprintf(w, "- Work pool: %s\n", pool)
	ep := it.Entrypoint
	if ep == "" {
		ep = "(none)"
	}
	if it.EntrypointStatus != "" {
		ep += " — " + it.EntrypointStatus
	}
	fmt.Fprintf(w, "- Entrypoint: %s\n\n", ep)
	fmt.Fprint(w, guidance.Markdown(it.Recommendation, it.Deployment))
	if mermaid {
		fmt.Fprintf(w, "\n```mermaid\n%s```\n", ensureNewline(guidance.Mermaid(it.Recommendation)))
	}
}

func ensureNewline(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}

// explainFile builds the facts of every deployment and runs the decision
// guide on them.
func explainFile(t target, res *analysis.Result, cfg *config.Config) []ExplainedDeployment {
	var out []ExplainedDeployment
	if res.File == nil {
		return nil
	}
	for _, d := range res.File.Deployments {
		facts := deployinfo.Facts(cfg, d)
		entry, _ := d.Entrypoint.Str()
		status, served := entrypointStatus(cfg.Root, entry)
		facts.FlowServedInCode = served
		rec := guidance.Decide(facts)
		pos := res.Src.Position(d.Node.Span.Start, source.UTF32)
		out = append(out, ExplainedDeployment{
			Path:             t.display,
			Line:             pos.Line + 1,
			Deployment:       d.DisplayName(),
			WorkPool:         facts.PoolName,
			PoolType:         rec.PoolType,
			Entrypoint:       entry,
			EntrypointStatus: status,
			Facts:            facts,
			Recommendation:   rec,
		})
	}
	return out
}

// entrypointStatus checks "path.py:function" against the flow code under
// root: whether the function exists and is a @flow, and whether the file
// serves it (flow.serve / serve(...)).
func entrypointStatus(root, entry string) (status string, served bool) {
	i := strings.LastIndex(entry, ":")
	if entry == "" || i <= 0 {
		return "", false
	}
	file, fn := entry[:i], entry[i+1:]
	path := file
	if !filepath.IsAbs(path) {
		path = filepath.Join(root, filepath.FromSlash(file))
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("%s not found under %s", file, root), false
	}
	mod := pyflow.Parse(path, src)
	f := mod.Lookup(fn)
	if f == nil {
		return fmt.Sprintf("no function %s in %s", fn, file), false
	}
	for _, c := range mod.Calls {
		if c.Method == "serve" && (c.Receiver == f.Name || c.Receiver == "" || strings.HasPrefix(c.Receiver, f.Name+".")) {
			served = true
		}
	}
	if !f.IsFlow {
		if f.UnknownDecorators {
			return fmt.Sprintf("%s found, but its decorators were not recognised as @flow", fn), served
		}
		return fmt.Sprintf("%s found, but it is not a @flow", fn), served
	}
	return fmt.Sprintf("flow %q found", f.DisplayFlowName()), served
}

// explainMarkdown renders `explain` for one prefect.yaml and its current
// text: the language server's prefect-lsp.explain command.
func explainMarkdown(path, text string, cfg *config.Config, probs []config.Problem) string {
	if isPython(path) {
		items := explainPython(target{display: filepath.Base(path), abs: path}, text, cfg)
		if len(items) == 0 {
			return "No deployments in this file (no `serve`, `deploy` or `to_deployment` call on a flow of a module that imports prefect).\n"
		}
		return joinExplained(items)
	}
	res := analysis.Run(context.Background(), analysis.Input{Path: path, Text: text, Config: cfg, ConfigProblems: probs}, nil)
	if res == nil {
		return ""
	}
	if msg := syntaxProblem(res.Doc); msg != "" {
		return fmt.Sprintf("The file is not valid YAML (%s), so Prefect skips it; fix the syntax error first.\n", msg)
	}
	items := explainFile(target{display: filepath.Base(path), abs: path}, res, cfg)
	if len(items) == 0 {
		return "No deployments in this file.\n"
	}
	return joinExplained(items)
}

// joinExplained renders explained deployments as markdown, separated by rules.
func joinExplained(items []ExplainedDeployment) string {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteString("\n---\n\n")
		}
		writeDeploymentText(&b, it, false)
	}
	return b.String()
}

// explainPython builds the facts of the deployments a Python file creates
// (serve, deploy, to_deployment) and runs the decision guide on them.
func explainPython(t target, text string, cfg *config.Config) []ExplainedDeployment {
	if !pydeploy.ImportsPrefect(text) {
		return nil
	}
	src := source.NewFile(t.abs, text)
	var out []ExplainedDeployment
	for _, d := range pydeploy.Deployments(t.abs, text) {
		facts := pydeploy.Facts(cfg, d)
		rec := guidance.Decide(facts)
		name := d.Name()
		if name == "" {
			name = d.FlowName
		}
		entry := ""
		if d.Flow != nil {
			rel, err := filepath.Rel(cfg.Root, t.abs)
			if err != nil || strings.HasPrefix(rel, "..") {
				rel = filepath.Base(t.abs)
			}
			entry = filepath.ToSlash(rel) + ":" + d.Flow.Name
		}
		pos := src.Position(d.NameSpan.Start, source.UTF32)
		out = append(out, ExplainedDeployment{
			Path:           t.display,
			Line:           pos.Line + 1,
			Deployment:     name,
			WorkPool:       facts.PoolName,
			PoolType:       rec.PoolType,
			Entrypoint:     entry,
			Facts:          facts,
			Recommendation: rec,
		})
	}
	return out
}
