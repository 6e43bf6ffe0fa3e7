// Package schema owns the JSON Schemas embedded in prefect-lsp. The main one,
// prefect.schema.json, describes prefect.yaml (draft 2020-12) more strictly
// than Prefect does: keys that Prefect silently drops are errors here, and
// every property carries a title, a description, a default, examples and an
// x-docs link for hovers and completion (facts from prefect.md §1).
package schema

import (
	"bytes"
	_ "embed" // prefect.schema.json
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/prefect-lsp/prefect-lsp/internal/schemanav"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// PrefectSchema is the text of prefect.schema.json.
//
//go:embed prefect.schema.json
var PrefectSchema []byte

// PrefectSchemaURL is the $id of PrefectSchema; error locations refer to it.
const PrefectSchemaURL = "https://github.com/prefect-lsp/prefect-lsp/schema/prefect.schema.json"

type compiledSchemas struct {
	root, deployment *jsonschema.Schema
	// deploymentProps are the schemas of each deployment property, so that
	// a deployment can be validated key by key.
	deploymentProps map[string]*jsonschema.Schema
}

var compiled = sync.OnceValues(func() (compiledSchemas, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(PrefectSchema))
	if err != nil {
		return compiledSchemas{}, fmt.Errorf("prefect.schema.json: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(PrefectSchemaURL, doc); err != nil {
		return compiledSchemas{}, fmt.Errorf("prefect.schema.json: %w", err)
	}
	root, err := c.Compile(PrefectSchemaURL)
	if err != nil {
		return compiledSchemas{}, err
	}
	dep, err := c.Compile(PrefectSchemaURL + "#/$defs/deployment")
	if err != nil {
		return compiledSchemas{}, err
	}
	props := map[string]*jsonschema.Schema{}
	for name := range dep.Properties {
		p, err := c.Compile(PrefectSchemaURL + "#/$defs/deployment/properties/" + name)
		if err != nil {
			return compiledSchemas{}, err
		}
		props[name] = p
	}
	return compiledSchemas{root: root, deployment: dep, deploymentProps: props}, nil
})

// Compile returns the compiled prefect.yaml schema. It is compiled once and
// shared; the result is safe for concurrent Validate calls. The schema uses
// no "format" keywords, so no formats need registering.
func Compile() (*jsonschema.Schema, error) {
	c, err := compiled()
	return c.root, err
}

// Index returns prefect.schema.json as schemanav reads it, for quick
// conformance checks and for walking it along YAML paths (hovers,
// completion, suggestions). It is built from prefect_gen.go, which
// TestIndexGenerated holds equal to schemanav.Load(PrefectSchema): no JSON
// is decoded and nothing is compiled, so a fresh process has it at once.
var Index = sync.OnceValue(func() *schemanav.Index {
	return schemanav.NewIndex(generatedPrefect())
})

// Navigable returns the schemanav schema at the same location as a schema
// compiled from prefect.schema.json (nil for any other schema).
func Navigable(s *jsonschema.Schema) *schemanav.Schema {
	if s == nil {
		return nil
	}
	loc := s.Location
	i := strings.IndexByte(loc, '#')
	if i < 0 || loc[:i] != PrefectSchemaURL {
		return nil
	}
	frag := loc[i+1:]
	if strings.IndexByte(frag, '%') >= 0 {
		// jsonschema writes each pointer token path-escaped.
		toks := strings.Split(frag, "/")
		for j, t := range toks {
			u, err := url.PathUnescape(t)
			if err != nil {
				return nil
			}
			toks[j] = u
		}
		frag = strings.Join(toks, "/")
	}
	return Index().Lookup(frag)
}

// DeploymentProperty returns the compiled schema of one deployment key
// (nil, false for keys a deployment does not allow). The deployment schema
// is an object of these properties with additionalProperties false, so a
// deployment can be validated key by key.
func DeploymentProperty(name string) (*jsonschema.Schema, bool) {
	c, err := compiled()
	if err != nil {
		return nil, false
	}
	p, ok := c.deploymentProps[name]
	return p, ok
}

// CompileDeployment returns the schema of one item of `deployments`
// ($defs/deployment), compiled with Compile's compiler, so that callers can
// validate deployments one by one (and cache unchanged ones).
func CompileDeployment() (*jsonschema.Schema, error) {
	c, err := compiled()
	return c.deployment, err
}
