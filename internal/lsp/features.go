package lsp

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// Snapshot is an immutable view of one open prefect.yaml at one version.
// Features receive it; it is safe for concurrent use.
type Snapshot struct {
	// URI is the document URI as the client sent it; Path its file path.
	URI  string
	Path string
	// Root is the project root (nearest configuration file's folder, else
	// the file's folder).
	Root    string
	Version int32
	// File is the text with its line table, for offset/position
	// conversion. After an edit it refers to the previous version's text
	// and the changed window (source.File.Edit): Text builds the whole
	// text once, when a request needs it.
	File *source.File
	// Env reads project files (open buffers win over the disk) and holds
	// shared services (Options.EnvValues).
	Env *analysis.Env

	parseOnce sync.Once
	doc       *yamlsyntax.Document
	model     *prefectyaml.File
	// base is the tree of an earlier version that this version's parse
	// starts from (yamlsyntax.Reparse): the last one that parsed
	// cleanly. Dropped once this version parses cleanly.
	base *yamlsyntax.Document
	// baseModel is base's model (prefectyaml.ParseFrom copies the
	// deployments whose nodes base shares with this version's tree).
	baseModel *prefectyaml.File
	// baseAge is how many versions without a request for a tree base has
	// been carried over (see maxBaseAge).
	baseAge int
	// parsed is doc, once parse has set it (under mu, for treeForNext).
	parsed *yamlsyntax.Document
	log    *slog.Logger // nil: no logging

	config func() *config.Config // the project configuration, editor settings included

	anMu   sync.Mutex // serialises analysis runs of this snapshot
	mu     sync.Mutex
	result *analysis.Result
	// prev is the analysis of an earlier version that this version's
	// analysis may start from (analysis.RunIncremental); dropped once this
	// version is analysed, so that results do not chain.
	prev *analysis.Result
}

// prevResult is what the next version's analysis may start from: this
// version's result, else the one this version would have started from.
func (s *Snapshot) prevResult() *analysis.Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.result != nil {
		return s.result
	}
	return s.prev
}

// maxBaseAge is how many versions without a request a tree is kept for
// the next request (an editor asks after every burst of keystrokes). A
// live tree is what a large file's memory is (about 10 bytes a byte of
// text), and every collection marks it: a client that does not ask is
// not made to pay for it while it types.
const maxBaseAge = 8

// treeForNext is the tree the next version's parse may start from, its
// model, and its age then: this version's when it parsed cleanly (by a
// request or by a whole analysis), else the one this version would have
// started from, unless no request has asked for a tree in maxBaseAge
// versions (nil, and dropped true).
func (s *Snapshot) treeForNext() (tree *yamlsyntax.Document, model *prefectyaml.File, age int, dropped bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if clean(s.parsed) {
		return s.parsed, s.model, 1, false
	}
	if s.result != nil && clean(s.result.Doc) {
		return s.result.Doc, s.result.File, 1, false
	}
	if s.base == nil || s.baseAge >= maxBaseAge {
		return nil, nil, 0, s.base != nil
	}
	return s.base, s.baseModel, s.baseAge + 1, false
}

// keepsTree reports whether d is the tree this version's parse would
// start from (so that it is not garbage).
func (s *Snapshot) keepsTree(d *yamlsyntax.Document) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.base == d
}

// clean reports whether d parsed without a problem (Reparse starts only
// from such a tree).
func clean(d *yamlsyntax.Document) bool {
	return d != nil && d.Root != nil && d.Loadable && len(d.Problems) == 0
}

// Text returns the document's text.
func (s *Snapshot) Text() string { return s.File.Text() }

// Doc returns the parsed YAML document (parsed once, lazily, or taken from
// the analysis of this version).
func (s *Snapshot) Doc() *yamlsyntax.Document {
	s.parse()
	return s.doc
}

// Model returns the typed prefect.yaml model.
func (s *Snapshot) Model() *prefectyaml.File {
	s.parse()
	return s.model
}

// Config returns the configuration the document is analysed with: the
// project's configuration file with the editor's settings on top. It does
// not wait for the analysis.
func (s *Snapshot) Config() *config.Config {
	if r := s.Result(); r != nil && r.Config != nil {
		return r.Config
	}
	if s.config != nil {
		if c := s.config(); c != nil {
			return c
		}
	}
	c, _ := config.Load(filepath.Dir(s.Path))
	return c
}

// Result returns the analysis of this version, nil when it has not finished.
func (s *Snapshot) Result() *analysis.Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.result
}

func (s *Snapshot) setResult(r *analysis.Result) {
	s.mu.Lock()
	s.result = r
	s.prev = nil
	s.mu.Unlock()
}

func (s *Snapshot) parse() {
	s.parseOnce.Do(func() {
		// An analysis of this version in flight parses the same text:
		// wait for it (it holds anMu while it runs) instead of parsing a
		// second time on the other core.
		s.anMu.Lock()
		s.anMu.Unlock()
		if r := s.Result(); r != nil && r.Doc != nil {
			s.doc, s.model = r.Doc, r.File
		} else {
			s.mu.Lock()
			base, baseModel := s.base, s.baseModel
			s.mu.Unlock()
			// After an edit inside one deployment, the tree is the
			// earlier one with that deployment read again: milliseconds
			// instead of a whole parse of a large file.
			start := time.Now()
			doc, reparsed := yamlsyntax.Reparse(base, s.File)
			if reparsed {
				s.doc, s.model = doc, prefectyaml.ParseFrom(doc, baseModel)
				if s.File.Len() >= heavyText {
					// A large tree is live again: the collector's target
					// follows what the last collection found live, as after
					// a whole read (heavyWork).
					memory.retune()
				}
			} else {
				memory.heavyWork(s.File.Len(), func() {
					s.doc = yamlsyntax.ParseFile(s.File)
					s.model = prefectyaml.Parse(s.doc)
				})
			}
			if s.log != nil {
				s.log.Debug("read the tree", "uri", s.URI, "version", s.Version, "bytes", s.File.Len(), "reparsed", reparsed, "took", time.Since(start))
			}
		}
		s.mu.Lock()
		s.parsed = s.doc
		if clean(s.doc) {
			s.base, s.baseModel = nil, nil
		} else {
			s.baseAge = 0 // the client asks: keep the last clean tree for it
		}
		s.mu.Unlock()
	})
}

// Feature is a plug-in that adds meaning to prefect.yaml in the editor:
// hovers, completions, navigation, inlay hints, links. A Feature
// implements any subset of HoverFeature, CompletionFeature,
// DefinitionFeature, ReferencesFeature, InlayHintFeature and
// LinkFeature. Offsets are bytes into Snapshot.Text; internal/lsp converts
// to and from LSP positions. Methods must be safe for concurrent use,
// honour ctx and return nil when they have nothing to say.
type Feature interface {
	// Name identifies the feature in logs.
	Name() string
}

// HoverFeature answers hovers. The first non-nil result in Options.Features
// order wins over the built-in hovers for keys; rule and alias hovers are
// appended after it.
type HoverFeature interface {
	Hover(ctx context.Context, s *Snapshot, offset int) *HoverResult
}

// CompletionFeature adds completion items at offset.
type CompletionFeature interface {
	Complete(ctx context.Context, s *Snapshot, offset int) []CompletionItem
}

// DefinitionFeature resolves go-to-definition at offset.
type DefinitionFeature interface {
	Definition(ctx context.Context, s *Snapshot, offset int) []Location
}

// ReferencesFeature finds references of the symbol at offset.
type ReferencesFeature interface {
	References(ctx context.Context, s *Snapshot, offset int, includeDeclaration bool) []Location
}

// RenameFeature renames the symbol at offset (e.g. a step id and every
// placeholder that refers to it). PrepareRename returns the span of the
// name under the cursor and its text, or ok=false when there is nothing to
// rename there; Rename returns edits of this document or an error saying why
// the new name is refused.
type RenameFeature interface {
	PrepareRename(ctx context.Context, s *Snapshot, offset int) (span source.Span, name string, ok bool)
	Rename(ctx context.Context, s *Snapshot, offset int, newName string) ([]source.Edit, error)
}

// InlayHintFeature supplies inlay hints within span.
type InlayHintFeature interface {
	InlayHints(ctx context.Context, s *Snapshot, span source.Span) []InlayHint
}

// SemanticTokenFeature supplies semantic tokens for the whole document
// (e.g. the parts of a "{{ }}" placeholder inside a string, which a YAML
// grammar colours as plain text). Tokens may come in any order; overlapping
// and multi-line ones are dropped.
type SemanticTokenFeature interface {
	SemanticTokens(ctx context.Context, s *Snapshot) []SemanticToken
}

// SemanticToken is one token: a byte span and one of the Token* types.
type SemanticToken struct {
	Span source.Span
	Type string
}

// The semantic token types a feature may use (the server's legend).
const (
	TokenOperator  = "operator"
	TokenVariable  = "variable"
	TokenProperty  = "property"
	TokenNamespace = "namespace"
	TokenMacro     = "macro"
	TokenKeyword   = "keyword"
)

// tokenLegend is the order of the token types on the wire.
var tokenLegend = []string{TokenOperator, TokenVariable, TokenProperty, TokenNamespace, TokenMacro, TokenKeyword}

// LinkFeature supplies document links (paths, URLs) for the whole document.
type LinkFeature interface {
	Links(ctx context.Context, s *Snapshot) []Link
}

// HoverResult is hover text in markdown over Span (a zero Span means "the
// word under the cursor").
type HoverResult struct {
	Markdown string
	Span     source.Span
}

// CompletionKind is the icon of a completion item.
type CompletionKind int

const (
	CompletionText CompletionKind = iota
	CompletionProperty
	CompletionValue
	CompletionEnumMember
	CompletionSnippet
	CompletionFile
	CompletionFunction
	CompletionReference
	CompletionKeyword
)

// CompletionItem is one proposal. InsertText replaces Replace (when Replace
// is the zero Span, the word before the cursor); with Snippet set it uses
// LSP snippet syntax ($1, ${2:default}, $0) and is sent as plain text with
// the placeholders stripped to clients without snippet support.
type CompletionItem struct {
	Label         string
	Detail        string
	Documentation string // markdown
	Kind          CompletionKind
	InsertText    string
	Snippet       bool
	Replace       source.Span
	SortText      string
	FilterText    string
	Preselect     bool
	Deprecated    bool
}

// Location is a span in a file: Path "" means the snapshot's own document.
type Location struct {
	Path string
	Span source.Span
}

// InlayHint is a label shown at Offset.
type InlayHint struct {
	Offset       int
	Label        string
	Tooltip      string // markdown
	Parameter    bool   // a parameter-name hint rather than a type hint
	PaddingLeft  bool
	PaddingRight bool
}

// Link makes Span clickable; Target is an absolute path or a URL.
type Link struct {
	Span    source.Span
	Target  string
	Tooltip string
}
