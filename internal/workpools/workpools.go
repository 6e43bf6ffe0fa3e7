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

// schemaDoc is the part of a schema file the catalogue reads, decoded in
// one pass.
type schemaDoc struct {
	Description string          `json:"description"`
	Properties  orderedProperty `json:"properties"`
	Required    []string        `json:"x-pool-required"`
	Complete    *bool           `json:"x-variables-complete"`
}

type propertyDoc struct {
	Description string        `json:"description"`
	Type        jsonTypes     `json:"type"`
	AnyOf       []propertyDoc `json:"anyOf"`
	Enum        []any         `json:"enum"`
	Pattern     string        `json:"pattern"`
	Default     any           `json:"default"`
	BlockType   string        `json:"x-block-type"`
	Newer       bool          `json:"x-newer"`
	Aliases     []string      `json:"x-aliases"`
	Ref         string        `json:"$ref"`
}

// orderedProperty is a "properties" object: the property schemas with
// their names in document order (the order completion and hovers list
// variables in).
type orderedProperty struct {
	names []string
	props map[string]propertyDoc
}

func (o *orderedProperty) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &o.props); err != nil {
		return err
	}
	names, err := objectKeys(b)
	if err != nil {
		return err
	}
	o.names = names
	return nil
}

// jsonTypes is a "type" keyword, written as a string or a list of strings.
type jsonTypes []string

func (t *jsonTypes) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*t = jsonTypes{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*t = many
	return nil
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
	t.Variables = make([]Variable, 0, len(doc.Properties.names))
	for _, name := range doc.Properties.names {
		p := doc.Properties.props[name]
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
			if alt.Ref == "" && len(alt.Type) > 0 && alt.Type[0] != "null" {
				core = alt
				break
			}
		}
		for _, typ := range core.Type {
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

// objectKeys returns the keys of the JSON object b (valid JSON, as
// json.Unmarshal has accepted it) in document order, without decoding the
// values.
func objectKeys(b []byte) ([]string, error) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, fmt.Errorf("not an object")
	}
	i++
	var keys []string
	for {
		i = skipSpace(b, i)
		if i < len(b) && b[i] == '}' {
			return keys, nil
		}
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
		end := stringEnd(b, i)
		if end < 0 {
			return nil, fmt.Errorf("bad object key at byte %d", i)
		}
		var key string
		if err := json.Unmarshal(b[i:end], &key); err != nil {
			return nil, err
		}
		keys = append(keys, key)
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return nil, fmt.Errorf("missing colon at byte %d", i)
		}
		i = skipValue(b, skipSpace(b, i+1))
		if i < 0 {
			return nil, fmt.Errorf("bad object value")
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the JSON string starting at b[i], or -1.
func stringEnd(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// skipValue returns the index after the JSON value starting at b[i], or -1.
func skipValue(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		switch b[i] {
		case '"':
			i = stringEnd(b, i)
			if i < 0 {
				return -1
			}
			if depth == 0 {
				return i
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth < 0 {
				return i // the end of the enclosing object: a scalar ended here
			}
			if depth == 0 {
				return i + 1
			}
		case ',':
			if depth == 0 {
				return i
			}
		}
		i++
	}
	return -1
}

var (
	schemaMu    sync.Mutex
	schemaCache = map[string]*jsonschema.Schema{}
)

// Schema returns the compiled job_variables schema of a pool type. Results
// are cached; the returned schema is safe for concurrent Validate calls.
func Schema(typeName string) (*jsonschema.Schema, error) {
	if _, ok := Lookup(typeName); !ok {
		return nil, fmt.Errorf("workpools: unknown work-pool type %q", typeName)
	}
	schemaMu.Lock()
	defer schemaMu.Unlock()
	if s, ok := schemaCache[typeName]; ok {
		return s, nil
	}
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
	schemaCache[typeName] = s
	return s, nil
}
