// Package config owns prefect-lsp's project configuration: the
// `[tool.prefect-lsp]` table of pyproject.toml or a prefect-lsp.toml (same
// keys), found by walking up from the prefect.yaml, and the editor settings
// that the language server layers on top. A broken file yields Problems with
// spans, never an error that stops analysis.
package config

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// FileNames are the configuration files looked for, nearest first; in one
// folder prefect-lsp.toml wins over pyproject.toml.
var FileNames = []string{"prefect-lsp.toml", "pyproject.toml"}

// Server says which Prefect API the project deploys to.
type Server string

const (
	ServerUnknown    Server = ""
	ServerCloud      Server = "cloud"
	ServerSelfHosted Server = "self-hosted"
)

// Config is the effective configuration for one prefect.yaml.
type Config struct {
	// Path is the configuration file used, "" when none.
	Path string
	// Root is the project root: the configuration file's folder, else the
	// prefect.yaml's folder.
	Root string
	// Rules maps a rule id to a severity name or "off".
	Rules map[string]string
	// Ignore maps a glob (relative to Root, matched against the
	// prefect.yaml path) to rule ids ignored there ("*" for all).
	Ignore map[string][]string
	// PrefectVersion is the Prefect version targeted, e.g. "3.4" ("" for
	// the newest).
	PrefectVersion string
	Server         Server
	// WorkPools maps a work pool name to its type, e.g. "k8s" → "kubernetes".
	WorkPools map[string]string
	// Files are extra glob patterns of prefect.yaml-like files.
	Files []string
}

// Problem is an error in a configuration file.
type Problem struct {
	Path    string
	Span    source.Span
	Message string
}

// raw is the TOML shape.
type raw struct {
	Rules          map[string]string   `toml:"rules"`
	Ignore         map[string][]string `toml:"per-file-ignores"`
	PrefectVersion string              `toml:"prefect-version"`
	Server         string              `toml:"server"`
	WorkPools      map[string]string   `toml:"work-pools"`
	Files          []string            `toml:"files"`
}

// Find walks up from dir and returns the nearest configuration file that
// configures prefect-lsp ("" when none). A pyproject.toml without a
// [tool.prefect-lsp] table does not count, except that it still marks the
// project root (see FindRoot).
func Find(dir string) string {
	for d := dir; ; {
		for _, name := range FileNames {
			p := filepath.Join(d, name)
			data, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			if name == "pyproject.toml" && !strings.Contains(string(data), "tool.prefect-lsp") {
				continue
			}
			return p
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// Load reads the configuration for a prefect.yaml in dir. Problems describe
// errors in the file found; the returned Config is always usable.
func Load(dir string) (*Config, []Problem) {
	c := &Config{Root: dir}
	p := Find(dir)
	if p == "" {
		return c, nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return c, []Problem{{Path: p, Message: err.Error()}}
	}
	cfg, probs := Parse(p, string(data))
	cfg.Root = filepath.Dir(p)
	return cfg, probs
}

// Parse reads configuration text; path decides whether the keys sit under
// [tool.prefect-lsp] (pyproject.toml) or at the top (prefect-lsp.toml).
func Parse(path, text string) (*Config, []Problem) {
	c := &Config{Path: path, Root: filepath.Dir(path)}
	var r raw
	var md toml.MetaData
	var err error
	prefix := []string{}
	if filepath.Base(path) == "pyproject.toml" {
		var wrap struct {
			Tool struct {
				PrefectLSP raw `toml:"prefect-lsp"`
			} `toml:"tool"`
		}
		md, err = toml.Decode(text, &wrap)
		r = wrap.Tool.PrefectLSP
		prefix = []string{"tool", "prefect-lsp"}
	} else {
		md, err = toml.Decode(text, &r)
	}
	f := source.NewFile(path, text)
	var probs []Problem
	if err != nil {
		var pe toml.ParseError
		span := source.Span{}
		msg := err.Error()
		if errors.As(err, &pe) {
			off := f.Offset(source.Position{Line: pe.Position.Line - 1, Character: pe.Position.Col - 1}, source.UTF32)
			span = source.Span{Start: off, End: off + pe.Position.Len}
			if span.End <= span.Start {
				span.End = f.LineEnd(f.LineOf(off))
			}
			msg = pe.Message
		}
		return c, []Problem{{Path: path, Span: f.Clamp(span), Message: "invalid configuration: " + msg}}
	}
	for _, k := range md.Undecoded() {
		if len(k) <= len(prefix) || !hasPrefix(k, prefix) {
			continue
		}
		rel := k[len(prefix):]
		if len(rel) > 1 && (rel[0] == "rules" || rel[0] == "work-pools" || rel[0] == "per-file-ignores") {
			continue
		}
		probs = append(probs, Problem{Path: path, Span: findKey(text, rel[len(rel)-1]), Message: fmt.Sprintf("unknown prefect-lsp setting %q; expected one of rules, per-file-ignores, prefect-version, server, work-pools, files", strings.Join(rel, "."))})
	}
	c.Rules = r.Rules
	c.Ignore = r.Ignore
	c.PrefectVersion = r.PrefectVersion
	c.WorkPools = r.WorkPools
	c.Files = r.Files
	switch strings.ToLower(r.Server) {
	case "":
	case "cloud", "prefect-cloud":
		c.Server = ServerCloud
	case "self-hosted", "selfhosted", "oss", "server":
		c.Server = ServerSelfHosted
	default:
		probs = append(probs, Problem{Path: path, Span: findKey(text, "server"), Message: fmt.Sprintf("server = %q is not one of \"cloud\" or \"self-hosted\"", r.Server)})
	}
	return c, probs
}

func hasPrefix(k toml.Key, prefix []string) bool {
	for i, p := range prefix {
		if k[i] != p {
			return false
		}
	}
	return true
}

// findKey locates a key's first occurrence at a line start, for spans.
func findKey(text, key string) source.Span {
	for off := 0; off < len(text); {
		end := strings.IndexByte(text[off:], '\n')
		if end < 0 {
			end = len(text) - off
		}
		line := text[off : off+end]
		trimmed := strings.TrimLeft(line, " \t")
		if strings.HasPrefix(trimmed, key) || strings.HasPrefix(trimmed, `"`+key+`"`) {
			start := off + len(line) - len(trimmed)
			return source.Span{Start: start, End: off + len(line)}
		}
		off += end + 1
	}
	return source.Span{}
}

// Merge returns c with editor settings layered on top (settings win).
func (c *Config) Merge(s *Settings) *Config {
	if s == nil {
		return c
	}
	out := *c
	out.Rules = mergeMap(c.Rules, s.Rules)
	out.WorkPools = mergeMap(c.WorkPools, s.WorkPools)
	if s.PrefectVersion != "" {
		out.PrefectVersion = s.PrefectVersion
	}
	if sv := s.server(); sv != ServerUnknown {
		out.Server = sv
	}
	out.Files = append(append([]string{}, c.Files...), s.Files...)
	return &out
}

// server reads the editor's server setting. "unknown", which editors send
// by default, and anything unrecognised leave the project's choice alone.
func (s *Settings) server() Server {
	switch strings.ToLower(string(s.Server)) {
	case "cloud", "prefect-cloud":
		return ServerCloud
	case "self-hosted", "selfhosted", "oss", "server":
		return ServerSelfHosted
	}
	return ServerUnknown
}

// Equivalent reports whether layering s or o on a configuration gives the
// same result (an empty list or map is no setting at all, and "unknown" is
// no server).
func (s *Settings) Equivalent(o *Settings) bool {
	return slices.Equal(s.Files, o.Files) && maps.Equal(s.Rules, o.Rules) && maps.Equal(s.WorkPools, o.WorkPools) &&
		s.PrefectVersion == o.PrefectVersion && s.server() == o.server()
}

func mergeMap(a, b map[string]string) map[string]string {
	if len(b) == 0 {
		return a
	}
	out := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// Settings are the editor's `prefect-lsp` settings.
type Settings struct {
	Files          []string          `json:"files"`
	Rules          map[string]string `json:"rules"`
	WorkPools      map[string]string `json:"workPools"`
	PrefectVersion string            `json:"prefectVersion"`
	Server         Server            `json:"server"`
}

// IgnoredRules returns the rule ids per-file-ignores disables for the
// prefect.yaml at path ("*" means all).
func (c *Config) IgnoredRules(path string) []string {
	rel, err := filepath.Rel(c.Root, path)
	if err != nil {
		rel = path
	}
	rel = filepath.ToSlash(rel)
	var out []string
	keys := make([]string, 0, len(c.Ignore))
	for k := range c.Ignore {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, glob := range keys {
		if MatchGlob(glob, rel) {
			out = append(out, c.Ignore[glob]...)
		}
	}
	return out
}

// MatchGlob matches a slash-separated path against a glob with "**" for
// any number of folders.
func MatchGlob(glob, path string) bool {
	glob = filepath.ToSlash(glob)
	return matchParts(strings.Split(glob, "/"), strings.Split(path, "/"))
}

func matchParts(g, p []string) bool {
	for len(g) > 0 {
		if g[0] == "**" {
			for i := 0; i <= len(p); i++ {
				if matchParts(g[1:], p[i:]) {
					return true
				}
			}
			return false
		}
		if len(p) == 0 {
			return false
		}
		if ok, _ := filepath.Match(g[0], p[0]); !ok {
			return false
		}
		g, p = g[1:], p[1:]
	}
	return len(p) == 0
}
