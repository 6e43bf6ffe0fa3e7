package lsp

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/deployinfo"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// docStore holds the open documents. Every change publishes a new immutable
// map (copy on write), so a request can capture the whole view as of its
// arrival with one atomic load.
type docStore struct {
	mu  sync.Mutex // serialises writers
	cur atomic.Pointer[map[string]*Snapshot]
}

func newDocStore() *docStore {
	d := &docStore{}
	m := map[string]*Snapshot{}
	d.cur.Store(&m)
	return d
}

func (d *docStore) view() map[string]*Snapshot { return *d.cur.Load() }

func (d *docStore) get(uri string) *Snapshot { return d.view()[uri] }

// update replaces (or, with nil, removes) one document.
func (d *docStore) update(uri string, f func(old *Snapshot) *Snapshot) (old, now *Snapshot) {
	d.mu.Lock()
	defer d.mu.Unlock()
	cur := *d.cur.Load()
	old = cur[uri]
	now = f(old)
	if now == old {
		return old, now
	}
	next := make(map[string]*Snapshot, len(cur)+1)
	for k, v := range cur {
		next[k] = v
	}
	if now == nil {
		delete(next, uri)
	} else {
		next[uri] = now
	}
	d.cur.Store(&next)
	return old, now
}

// byPath finds an open document by file path.
func (d *docStore) byPath(path string) *Snapshot {
	for _, s := range d.view() {
		if s.Path == path {
			return s
		}
	}
	return nil
}

type viewKey struct{}

func withView(ctx context.Context, v map[string]*Snapshot) context.Context {
	return context.WithValue(ctx, viewKey{}, v)
}

// snapshot returns the document as of the request's arrival (or now). It is
// nil for Python files, which only the handlers of python.go serve.
func (s *server) snapshot(ctx context.Context, u uri.URI) *Snapshot {
	snap := s.anySnapshot(ctx, u)
	if snap != nil && isPython(snap.Path) {
		return nil
	}
	return snap
}

func (s *server) newSnapshot(u, root string, version int32, text string) *Snapshot {
	return s.newSnapshotOf(u, root, version, source.NewFile(uriToPath(u), text))
}

// newSnapshotOf is newSnapshot for a text whose source.File is at hand.
func (s *server) newSnapshotOf(u, root string, version int32, file *source.File) *Snapshot {
	path := uriToPath(u)
	if file.Name != path {
		file = source.NewFile(path, file.Text())
	}
	snap := &Snapshot{URI: u, Path: path, Root: root, Version: version, File: file, Env: s.env, log: s.log}
	snap.config = func() *config.Config {
		cfg, _, _ := s.projectConfig(path)
		return cfg
	}
	return snap
}

// rootFor returns the project root of a file (nearest configuration file's
// folder, else the file's folder).
func (s *server) rootFor(path string) string {
	if path == "" || !isYAML(path) {
		return filepath.Dir(path)
	}
	cfg, _, _ := s.projectConfig(path)
	return cfg.Root
}

// ---- notifications ----

func (s *server) DidOpen(ctx context.Context, p *protocol.DidOpenTextDocumentParams) error {
	td := p.TextDocument
	// A copy: the decoded URI shares the memory of the whole message (the
	// document's text included), which it would keep alive while open.
	u := strings.Clone(string(td.URI))
	snap := s.newSnapshot(u, s.rootFor(uriToPath(u)), td.Version, td.Text)
	s.docs.update(u, func(*Snapshot) *Snapshot { return snap })
	s.log.Debug("didOpen", "uri", u, "version", td.Version, "bytes", len(td.Text))
	s.sched.schedule(u, false)
	s.dependentsChanged(snap.Path, u)
	return nil
}

func (s *server) DidChange(ctx context.Context, p *protocol.DidChangeTextDocumentParams) error {
	u := strings.Clone(string(p.TextDocument.URI)) // see DidOpen
	v := p.TextDocument.Version
	enc := s.encoding()
	var problem error
	_, now := s.docs.update(u, func(old *Snapshot) *Snapshot {
		if old == nil {
			problem = fmt.Errorf("didChange for a document that is not open")
			return old
		}
		if v <= old.Version {
			problem = fmt.Errorf("ignoring version %d: document is already at version %d", v, old.Version)
			return old
		}
		file, err := applyChanges(old.File, p.ContentChanges, enc)
		if err != nil {
			problem = err
			return old
		}
		snap := s.newSnapshotOf(u, old.Root, v, file)
		// The analysis of this version starts from the last one of an
		// earlier version (incremental analysis).
		snap.prev = old.prevResult()
		// Its tree is built from the last clean one of an earlier version
		// when a request needs it (yamlsyntax.Reparse).
		var dropped bool
		snap.base, snap.baseModel, snap.baseAge, dropped = old.treeForNext()
		if dropped && file.Len() >= heavyText {
			memory.collectSoon() // a large tree nobody asked for is garbage now
		}
		return snap
	})
	if problem != nil {
		s.log.Warn("didChange", "uri", u, "version", v, "problem", problem)
		return nil
	}
	s.sched.schedule(u, true)
	s.dependentsChanged(now.Path, u)
	return nil
}

// applyChanges applies content changes in order, each to the result of the
// previous one.
func applyChanges(f *source.File, changes []protocol.TextDocumentContentChangeEvent, enc source.Encoding) (*source.File, error) {
	for i, c := range changes {
		switch c := c.(type) {
		case *protocol.TextDocumentContentChangeWholeDocument:
			f = source.NewFile(f.Name, c.Text)
		case *protocol.TextDocumentContentChangePartial:
			r := c.Range
			if r.End.Line < r.Start.Line || (r.End.Line == r.Start.Line && r.End.Character < r.Start.Character) {
				return nil, fmt.Errorf("change %d has a reversed range", i)
			}
			// The line table is derived from the previous one (Edit), so
			// a keystroke does not rescan a large document.
			f = f.Edit(f.SpanOf(toSourceRange(r), enc), c.Text)
		default:
			return nil, fmt.Errorf("change %d has an unknown shape", i)
		}
	}
	return f, nil
}

func (s *server) DidSave(ctx context.Context, p *protocol.DidSaveTextDocumentParams) error {
	path := uriToPath(string(p.TextDocument.URI))
	if s.opts.FileChanged != nil {
		s.opts.FileChanged(path)
	}
	if isConfigFile(path) {
		s.configChanged()
	}
	return nil
}

func (s *server) DidClose(ctx context.Context, p *protocol.DidCloseTextDocumentParams) error {
	u := string(p.TextDocument.URI)
	old, _ := s.docs.update(u, func(*Snapshot) *Snapshot { return nil })
	s.sched.closed(u)
	if old != nil {
		// The disk content now wins again for files prefect.yaml reads.
		s.dependentsChanged(old.Path, u)
		if old.File.Len() >= heavyText {
			memory.collectSoon() // its tree is garbage now
		}
	}
	return nil
}

func (s *server) DidChangeWatchedFiles(ctx context.Context, p *protocol.DidChangeWatchedFilesParams) error {
	cfg := false
	for _, ev := range p.Changes {
		path := uriToPath(string(ev.URI))
		if path == "" {
			continue
		}
		if s.opts.FileChanged != nil {
			s.opts.FileChanged(path)
		}
		if isConfigFile(path) {
			cfg = true
			continue
		}
		s.dependentsChanged(path, "")
	}
	if cfg {
		s.configChanged()
	}
	return nil
}

// dependentsChanged re-analyses the open prefect.yaml files (other than
// except) that depend on the file at path.
func (s *server) dependentsChanged(path, except string) {
	if path == "" || isYAML(path) && !isConfigFile(path) {
		return
	}
	if isConfigFile(path) {
		s.configChanged()
		return
	}
	for u, snap := range s.docs.view() {
		if u == except || !isYAML(snap.Path) {
			continue
		}
		root := snap.Root
		if root == "" {
			root = filepath.Dir(snap.Path)
		}
		if s.dependsOn(snap.Path, root, path) {
			s.invalidate(u, "")
		}
	}
}

func (s *server) dependsOn(yamlPath, root, changed string) bool {
	if s.opts.DependsOn != nil {
		return s.opts.DependsOn(yamlPath, root, changed)
	}
	if strings.HasSuffix(changed, ".py") || deployinfo.IsDockerfileName(filepath.Base(changed)) {
		// Flow code, and the Dockerfiles local-working-directory reads.
		return within(root, changed)
	}
	return false
}

func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// readFile serves open buffers before the disk.
func (s *server) readFile(path string) ([]byte, error) {
	if snap := s.docs.byPath(path); snap != nil {
		return []byte(snap.Text()), nil
	}
	return os.ReadFile(path)
}

// ---- which documents are ours ----

func isYAML(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".yaml" || ext == ".yml"
}

func isConfigFile(path string) bool {
	for _, n := range config.FileNames {
		if filepath.Base(path) == n {
			return true
		}
	}
	return false
}

// projectConfig returns the effective configuration for a prefect.yaml at
// path: the project's file (an open buffer wins over the disk), with the
// editor settings of the enclosing workspace folder layered on top.
func (s *server) projectConfig(path string) (*config.Config, []config.Problem, settings) {
	dir := filepath.Dir(path)
	s.mu.Lock()
	cc, ok := s.cfgCache[dir]
	s.mu.Unlock()
	if !ok {
		p := config.Find(dir)
		if p != "" {
			if snap := s.docs.byPath(p); snap != nil {
				cc.cfg, cc.probs = config.Parse(p, snap.Text())
			}
		}
		if cc.cfg == nil {
			cc.cfg, cc.probs = config.Load(dir)
		}
		s.mu.Lock()
		s.cfgCache[dir] = cc
		s.mu.Unlock()
	}
	st := s.settingsFor(path)
	return cc.cfg.Merge(&st.Settings), cc.probs, st
}

// settingsFor returns the settings of the workspace folder holding path
// (the longest match), else the global ones.
func (s *server) settingsFor(path string) settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	best := ""
	for _, f := range s.folders {
		if within(f, path) && len(f) > len(best) {
			if _, ok := s.settings[f]; ok {
				best = f
			}
		}
	}
	if st, ok := s.settings[best]; ok {
		return st
	}
	return s.settings[""]
}

// handles reports whether the YAML file at path is a prefect.yaml:
// prefect.yaml / prefect.yml, or a match of the `files` globs (settings or
// project configuration), relative to the project root or a workspace
// folder, or against the base name.
func (s *server) handles(path string, cfg *config.Config) bool {
	base := filepath.Base(path)
	if base == "prefect.yaml" || base == "prefect.yml" {
		return true
	}
	if !isYAML(path) {
		return false
	}
	s.mu.Lock()
	folders := append([]string(nil), s.folders...)
	s.mu.Unlock()
	for _, g := range cfg.Files {
		if config.MatchGlob(g, base) {
			return true
		}
		for _, dir := range append([]string{cfg.Root}, folders...) {
			if rel, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(rel, "..") && config.MatchGlob(g, filepath.ToSlash(rel)) {
				return true
			}
		}
	}
	return false
}

// ---- URIs ----

func uriToPath(u string) string {
	if !strings.HasPrefix(u, "file:") {
		return ""
	}
	defer func() { _ = recover() }()
	return filepath.Clean(uri.URI(u).FsPath())
}

func uriOf(path string) uri.URI { return uri.File(path) }
