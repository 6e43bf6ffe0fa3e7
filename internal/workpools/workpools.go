// Package workpools owns prefect-lsp's knowledge of Prefect work-pool types:
// how each type runs flows (hybrid with a worker, push, managed, legacy agent),
// which integration package provides it, and the job variables it accepts.
//
// Job variables are never listed in Go: they are read from the JSON Schemas
// embedded by schema/workpools (one file per type), which are also what
// Schema compiles and Validate checks against. Facts come from prefect.md §4.
package workpools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"github.com/prefect-lsp/prefect-lsp/internal/schemanav"
	schemafs "github.com/prefect-lsp/prefect-lsp/schema/workpools"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Kind says how runs of a pool reach infrastructure (prefect.md §4.1).
type Kind int

const (
	// Hybrid pools need a worker of the same type polling the pool.
	Hybrid Kind = iota
	// Push pools (type ends in ":push") are submitted by Prefect Cloud; no worker.
	Push
	// Managed pools (type ends in ":managed") run on Prefect Cloud's own infrastructure.
	Managed
	// Legacy is the Prefect 2 agent pool, which prefect deploy refuses.
	Legacy
)

// String returns "hybrid", "push", "managed" or "legacy".
func (k Kind) String() string {
	switch k {
	case Hybrid:
		return "hybrid"
	case Push:
		return "push"
	case Managed:
		return "managed"
	case Legacy:
		return "legacy"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Type describes one work-pool type.
type Type struct {
	Name string // Prefect's type string, e.g. "ecs:push"
	Kind Kind
	// NeedsWorker is true when something you run (a worker, or an agent for
	// Legacy) must poll the pool.
	NeedsWorker bool
	// Serverless is true when runs land on infrastructure that scales to zero.
	Serverless bool
	// CloudOnly is true for pool types only Prefect Cloud offers.
	CloudOnly bool
	// RunsRemotely is true when flow runs happen away from the machine that
	// deploys (every type but process), so code must travel by image or pull step.
	RunsRemotely bool
	// Package is the Python package providing the worker ("prefect" for core,
	// "" when Prefect Cloud runs the pool).
	Package string
	// PushVariant is the push type with the same variables ("" if none).
	PushVariant string
	// HybridVariant is the worker-based type a push type mirrors ("" if none).
	HybridVariant string
	// Summary is one sentence on what the type does.
	Summary string
	// DocsURL points at Prefect's documentation for the type.
	DocsURL string
	// VariablesComplete is false when the pool's template is not published
	// (push, managed and agent pools live in Prefect Cloud), so Variables is a
	// best effort and an unknown key may still be valid.
	VariablesComplete bool
	// Variables are the job variables, in schema order (shared base variables first).
	Variables []Variable
}

// Variable is one job variable of a pool type, read from the type's schema.
type Variable struct {
	Name string
	// Type is the JSON type: "string", "integer", "number", "boolean",
	// "object" or "array". Block-valued variables are "object" with BlockType set.
	Type        string
	Description string
	Default     any // nil when the pool has no default
	Enum        []string
	// Required marks variables the pool must end up with; Prefect checks them
	// only when a flow run is created, so deployments may leave them to the pool.
	Required bool
	// BlockType names the Prefect block the variable takes, e.g. "AwsCredentials".
	BlockType string
	// Pattern is the regular expression a string value must match ("" if none).
	Pattern string
	// Newer marks variables of recent integration releases that older servers
	// do not list in their bundled templates.
	Newer bool
	// Aliases are words users write when they mean this variable.
	Aliases []string
}

// Variable returns the named variable of t.
func (t *Type) Variable(name string) (*Variable, bool) {
	for i := range t.Variables {
		if t.Variables[i].Name == name {
			return &t.Variables[i], true
		}
	}
	return nil, false
}

// meta is the part of a Type that is not about job variables.
type meta struct {
	name, pkg, push, hybrid, docs string
	kind                          Kind
	serverless                    bool
}

const (
	docsServerless = "https://docs.prefect.io/v3/how-to-guides/deployment_infra/serverless"
	docsAWS        = "https://docs.prefect.io/integrations/prefect-aws/index"
	docsGCP        = "https://docs.prefect.io/integrations/prefect-gcp/index"
	docsAzure      = "https://docs.prefect.io/integrations/prefect-azure/index"
)

var metas = []meta{
	{name: "process", kind: Hybrid, pkg: "prefect", docs: "https://docs.prefect.io/v3/how-to-guides/deployment_infra/run-flows-in-local-processes"},
	{name: "docker", kind: Hybrid, pkg: "prefect-docker", docs: "https://docs.prefect.io/v3/how-to-guides/deployment_infra/docker"},
	{name: "kubernetes", kind: Hybrid, pkg: "prefect-kubernetes", docs: "https://docs.prefect.io/v3/how-to-guides/deployment_infra/kubernetes"},
	{name: "ecs", kind: Hybrid, pkg: "prefect-aws", push: "ecs:push", serverless: true, docs: docsAWS},
	{name: "cloud-run", kind: Hybrid, pkg: "prefect-gcp", push: "cloud-run:push", serverless: true, docs: docsGCP},
	{name: "cloud-run-v2", kind: Hybrid, pkg: "prefect-gcp", push: "cloud-run-v2:push", serverless: true, docs: docsGCP},
	{name: "vertex-ai", kind: Hybrid, pkg: "prefect-gcp", serverless: true, docs: docsGCP},
	{name: "azure-container-instance", kind: Hybrid, pkg: "prefect-azure", push: "azure-container-instance:push", serverless: true, docs: docsAzure},
	{name: "coiled", kind: Hybrid, pkg: "prefect-coiled", push: "coiled:push", serverless: true, docs: "https://docs.prefect.io/v3/how-to-guides/deployment_infra/coiled"},
	{name: "ecs:push", kind: Push, hybrid: "ecs", serverless: true, docs: docsServerless},
	{name: "cloud-run:push", kind: Push, hybrid: "cloud-run", serverless: true, docs: docsServerless},
	{name: "cloud-run-v2:push", kind: Push, hybrid: "cloud-run-v2", serverless: true, docs: docsServerless},
	{name: "azure-container-instance:push", kind: Push, hybrid: "azure-container-instance", serverless: true, docs: docsServerless},
	{name: "modal:push", kind: Push, serverless: true, docs: "https://docs.prefect.io/v3/how-to-guides/deployment_infra/modal"},
	{name: "coiled:push", kind: Push, hybrid: "coiled", serverless: true, docs: "https://docs.prefect.io/v3/how-to-guides/deployment_infra/coiled"},
	{name: "prefect:managed", kind: Managed, serverless: true, docs: "https://docs.prefect.io/v3/how-to-guides/deployment_infra/managed"},
	{name: "prefect-agent", kind: Legacy, pkg: "prefect", docs: "https://docs.prefect.io/v3/resources/upgrade-agents-to-workers"},
}

// FileName returns the schema file name of a pool type ("ecs:push" -> "ecs_push.json").
func FileName(typeName string) string {
	return strings.ReplaceAll(typeName, ":", "_") + ".json"
}

type catalogue struct {
	types  []*Type
	byName map[string]*Type
}

var (
	loadOnce sync.Once
	loaded   catalogue
)

// load returns the catalogue. It comes from catalogue_gen.go, which
// TestCatalogueGenerated regenerates from the schema files with buildTypes
// and holds equal to them, so that a process needs no JSON decoding before
// its first answer.
func load() *catalogue {
	loadOnce.Do(func() {
		loaded.types = generatedTypes()
		loaded.byName = make(map[string]*Type, len(loaded.types))
		for _, t := range loaded.types {
			loaded.byName[t.Name] = t
		}
	})
	return &loaded
}

// buildTypes reads every catalogued type from its schema file.
func buildTypes() ([]*Type, error) {
	var out []*Type
	for _, m := range metas {
		t, err := buildType(m)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// Lookup returns the pool type with this exact type string.
func Lookup(name string) (*Type, bool) {
	t, ok := load().byName[name]
	return t, ok
}

// All returns every known pool type in catalogue order (hybrid first, then
// push, managed and legacy). Callers must not modify the result.
func All() []*Type { return load().types }

// Names returns every known type string in catalogue order.
func Names() []string {
	ts := All()
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}

// schemaDoc is the part of a schema file the catalogue reads.
type schemaDoc struct {
	Description string          `json:"description"`
	Properties  json.RawMessage `json:"properties"`
	Required    []string        `json:"x-pool-required"`
	Complete    *bool           `json:"x-variables-complete"`
}

type propertyDoc struct {
	Description string          `json:"description"`
	Type        json.RawMessage `json:"type"`
	AnyOf       []propertyDoc   `json:"anyOf"`
	Enum        []any           `json:"enum"`
	Pattern     string          `json:"pattern"`
	Default     any             `json:"default"`
	BlockType   string          `json:"x-block-type"`
	Newer       bool            `json:"x-newer"`
	Aliases     []string        `json:"x-aliases"`
	Ref         string          `json:"$ref"`
}

func buildType(m meta) (*Type, error) {
	raw, err := fs.ReadFile(schemafs.FS, FileName(m.name))
	if err != nil {
		return nil, fmt.Errorf("workpools: schema for %q: %w", m.name, err)
	}
	var doc schemaDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("workpools: %s: %w", FileName(m.name), err)
	}
	t := &Type{
		Name:              m.name,
		Kind:              m.kind,
		NeedsWorker:       m.kind == Hybrid || m.kind == Legacy,
		Serverless:        m.serverless,
		CloudOnly:         m.kind == Push || m.kind == Managed,
		RunsRemotely:      m.name != "process",
		Package:           m.pkg,
		PushVariant:       m.push,
		HybridVariant:     m.hybrid,
		Summary:           doc.Description,
		DocsURL:           m.docs,
		VariablesComplete: doc.Complete == nil || *doc.Complete,
	}
	required := map[string]bool{}
	for _, r := range doc.Required {
		required[r] = true
	}
	names, props, err := orderedObject(doc.Properties)
	if err != nil {
		return nil, fmt.Errorf("workpools: %s properties: %w", FileName(m.name), err)
	}
	for i, name := range names {
		var p propertyDoc
		if err := json.Unmarshal(props[i], &p); err != nil {
			return nil, fmt.Errorf("workpools: %s property %q: %w", FileName(m.name), name, err)
		}
		v := Variable{
			Name:        name,
			Description: p.Description,
			Default:     p.Default,
			Required:    required[name],
			BlockType:   p.BlockType,
			Newer:       p.Newer,
			Aliases:     p.Aliases,
		}
		core := p
		for _, alt := range p.AnyOf {
			if alt.Ref == "" && jsonTypes(alt.Type) != nil && jsonTypes(alt.Type)[0] != "null" {
				core = alt
				break
			}
		}
		for _, typ := range jsonTypes(core.Type) {
			if typ != "null" {
				v.Type = typ
				break
			}
		}
		if v.Type == "" {
			return nil, fmt.Errorf("workpools: %s property %q has no JSON type", FileName(m.name), name)
		}
		v.Pattern = core.Pattern
		for _, e := range core.Enum {
			if s, ok := e.(string); ok {
				v.Enum = append(v.Enum, s)
			}
		}
		t.Variables = append(t.Variables, v)
	}
	return t, nil
}

// jsonTypes reads a "type" keyword that is a string or a list of strings.
func jsonTypes(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return many
	}
	return nil
}

// orderedObject returns the keys and raw values of a JSON object in document order.
func orderedObject(raw json.RawMessage) ([]string, []json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, fmt.Errorf("not an object")
	}
	var keys []string
	var vals []json.RawMessage
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, nil, fmt.Errorf("object key is not a string")
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		keys = append(keys, key)
		vals = append(vals, v)
	}
	return keys, vals, nil
}

// schemas holds each pool type's job_variables schema in its two forms,
// each made on first use: one per type at a time, and none waits for
// another type's.
var schemas sync.Map // type name → *typeSchemas

type typeSchemas struct {
	compileOnce sync.Once
	compiled    *jsonschema.Schema
	err         error

	navOnce sync.Once
	nav     *schemanav.Schema
}

// schemasOf returns the cache entry of a known pool type.
func schemasOf(typeName string) (*typeSchemas, bool) {
	if _, ok := Lookup(typeName); !ok {
		return nil, false
	}
	v, _ := schemas.LoadOrStore(typeName, &typeSchemas{})
	return v.(*typeSchemas), true
}

// Schema returns the compiled job_variables schema of a pool type. Results
// are cached; the returned schema is safe for concurrent Validate calls.
func Schema(typeName string) (*jsonschema.Schema, error) {
	c, ok := schemasOf(typeName)
	if !ok {
		return nil, fmt.Errorf("workpools: unknown work-pool type %q", typeName)
	}
	c.compileOnce.Do(func() { c.compiled, c.err = compileSchema(typeName) })
	return c.compiled, c.err
}

// Navigable returns the root of a pool type's job_variables schema as
// schemanav reads it (nil for an unknown type): a quick conformance check
// on it needs nothing compiled. Reading it (0.3-0.9 ms in a new process)
// is a fraction of Schema's compilation (1-4 ms), whose metaschema
// validation alone costs more; Schema is needed only to explain a
// violation.
func Navigable(typeName string) *schemanav.Schema {
	c, ok := schemasOf(typeName)
	if !ok {
		return nil
	}
	c.navOnce.Do(func() {
		raw, err := fs.ReadFile(schemafs.FS, FileName(typeName))
		if err != nil {
			return
		}
		if d, err := schemanav.Load(raw); err == nil {
			c.nav = d.Lookup("")
		}
	})
	return c.nav
}

func compileSchema(typeName string) (*jsonschema.Schema, error) {
	raw, err := fs.ReadFile(schemafs.FS, FileName(typeName))
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("workpools: %s: %w", FileName(typeName), err)
	}
	url := "https://prefect-lsp.dev/schema/workpools/" + FileName(typeName)
	c := jsonschema.NewCompiler()
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("workpools: %s: %w", FileName(typeName), err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("workpools: %s: %w", FileName(typeName), err)
	}
	return s, nil
}
