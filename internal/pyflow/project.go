package pyflow

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// MaxProjectFiles bounds how many .py files FindFlows (and path
// suggestions) look at under one root.
const MaxProjectFiles = 5000

// maxFileSize is the largest Python file the project reads (bigger files are
// generated code, not flows).
const maxFileSize = 8 << 20

// Project caches parsed modules by absolute path. A file is re-parsed when
// its modification time or size changes, or, for an open editor buffer
// (overlay), when the buffer version changes. It is safe for concurrent use.
type Project struct {
	mu       sync.Mutex
	files    map[string]*diskEntry
	overlays map[string]*overlayEntry
	// listings caches the disk walk of pythonFiles per root until
	// InvalidateListings (a file was created, deleted or renamed).
	listings map[string][]string
	// trusted: the owner is told of every file change (InvalidateListings),
	// so existence checks and module freshness are cached too (stat and
	// fresh, both cleared by InvalidateListings).
	trusted bool
	stat    map[string]bool // path → is a regular file
	fresh   map[string]bool // disk modules checked since the last invalidation
	// gen counts invalidations, so that an answer read from the disk
	// before an invalidation is not cached after it.
	gen uint64
	// reading holds the disk reads in progress, by path.
	reading map[string]*pendingRead
}

// TrustCache tells the project that InvalidateListings will be called on
// every file creation, change, deletion or rename (a language server whose
// client watches files, or a one-shot run during which nothing changes).
// From then on it answers existence checks and module lookups from memory
// until the next InvalidateListings, instead of asking the file system on
// every analysis.
func (p *Project) TrustCache(trusted bool) {
	p.mu.Lock()
	p.trusted = trusted
	p.stat, p.fresh = nil, nil
	p.gen++
	p.mu.Unlock()
}

// InvalidateListings forgets the cached lists of .py files, and, for a
// project that trusts its cache (TrustCache), what it knows of files'
// existence and freshness. Call it when files are created, deleted or
// renamed, and, when trusting, when they change (the language server does
// on every watched-file event and save). An untrusting project re-reads a
// module whenever its modification time or size changes.
func (p *Project) InvalidateListings() {
	p.mu.Lock()
	p.listings = nil
	p.stat, p.fresh = nil, nil
	p.gen++
	p.mu.Unlock()
}

type diskEntry struct {
	mtime time.Time
	size  int64
	mod   *Module
}

type overlayEntry struct {
	version int32
	src     []byte
	mod     *Module // parsed lazily
}

// NewProject returns an empty cache.
func NewProject() *Project {
	return &Project{files: map[string]*diskEntry{}, overlays: map[string]*overlayEntry{}}
}

func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return filepath.Clean(path)
}

// SetOverlay makes src (an unsaved editor buffer at the given version) the
// content of path until RemoveOverlay.
func (p *Project) SetOverlay(path string, version int32, src []byte) {
	path = absPath(path)
	p.mu.Lock()
	defer p.mu.Unlock()
	if o := p.overlays[path]; o != nil && o.version == version && string(o.src) == string(src) {
		return
	}
	p.overlays[path] = &overlayEntry{version: version, src: append([]byte(nil), src...)}
}

// RemoveOverlay drops the overlay of path; the file on disk is used again.
func (p *Project) RemoveOverlay(path string) {
	path = absPath(path)
	p.mu.Lock()
	delete(p.overlays, path)
	p.mu.Unlock()
}

// Module returns the parsed module for path (overlay first, then disk).
// The error is the file system's (fs.ErrNotExist for a missing file).
func (p *Project) Module(path string) (*Module, error) {
	path = absPath(path)
	p.mu.Lock()
	if o := p.overlays[path]; o != nil {
		if o.mod == nil {
			o.mod = Parse(path, o.src)
		}
		m := o.mod
		p.mu.Unlock()
		return m, nil
	}
	if e := p.files[path]; e != nil && p.trusted && p.fresh[path] {
		p.mu.Unlock()
		return e.mod, nil
	}
	gen := p.gen
	// Concurrent analyses (and the rules of one analysis, on all cores)
	// often ask for the same file at once: one reads and parses it, the
	// others wait for its answer.
	if r := p.reading[path]; r != nil && r.gen == gen {
		p.mu.Unlock()
		<-r.done
		return r.mod, r.err
	}
	r := &pendingRead{gen: gen, done: make(chan struct{}), err: errReadFailed}
	if p.reading == nil {
		p.reading = map[string]*pendingRead{}
	}
	p.reading[path] = r
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		if p.reading[path] == r {
			delete(p.reading, path)
		}
		p.mu.Unlock()
		close(r.done)
	}()
	r.mod, r.err = p.readDisk(path, gen)
	return r.mod, r.err
}

// pendingRead is a disk read of a module in progress.
type pendingRead struct {
	gen  uint64
	done chan struct{} // closed when mod and err are set
	mod  *Module
	err  error
}

// readDisk reads and parses the module at path unless the cached one is
// still current (same modification time and size).
func (p *Project) readDisk(path string, gen uint64) (*Module, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: errIsDir}
	}
	p.mu.Lock()
	if e := p.files[path]; e != nil && e.mtime.Equal(info.ModTime()) && e.size == info.Size() {
		p.markFresh(path, gen)
		p.mu.Unlock()
		return e.mod, nil
	}
	p.mu.Unlock()
	if info.Size() > maxFileSize {
		return nil, &fs.PathError{Op: "read", Path: path, Err: errTooLarge}
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	mod := Parse(path, src)
	p.mu.Lock()
	p.files[path] = &diskEntry{mtime: info.ModTime(), size: info.Size(), mod: mod}
	p.markFresh(path, gen)
	p.mu.Unlock()
	return mod, nil
}

type pyflowError string

func (e pyflowError) Error() string { return string(e) }

const (
	errIsDir    = pyflowError("is a directory")
	errTooLarge = pyflowError("file too large to scan")
	// errReadFailed is what waiters on a read get when it did not finish.
	errReadFailed = pyflowError("the read of this file failed")
)

// exists reports whether path is a regular file (or an overlay).
func (p *Project) exists(path string) bool {
	p.mu.Lock()
	_, ok := p.overlays[path]
	known, cached := p.stat[path]
	gen := p.gen
	p.mu.Unlock()
	if ok {
		return true
	}
	if cached {
		return known
	}
	info, err := os.Stat(path)
	ok = err == nil && !info.IsDir()
	p.mu.Lock()
	if p.trusted && p.gen == gen {
		if p.stat == nil {
			p.stat = map[string]bool{}
		}
		p.stat[path] = ok
	}
	p.mu.Unlock()
	return ok
}

// markFresh records (mu held) that the disk entry of path was checked,
// unless the project was invalidated since generation gen.
func (p *Project) markFresh(path string, gen uint64) {
	if !p.trusted || p.gen != gen {
		return
	}
	if p.fresh == nil {
		p.fresh = map[string]bool{}
	}
	p.fresh[path] = true
}

// LooksLikePythonProject reports whether root holds .py files or Python
// packaging files (pyproject.toml, setup.cfg, requirements.txt).
func (p *Project) LooksLikePythonProject(root string) bool {
	if root == "" {
		return false
	}
	if len(p.pythonFiles(root)) > 0 {
		return true
	}
	for _, name := range []string{"pyproject.toml", "setup.cfg", "requirements.txt"} {
		if p.exists(filepath.Join(absPath(root), name)) {
			return true
		}
	}
	return false
}

// skipDir reports whether a directory is never searched for flows.
func skipDir(name string) bool {
	switch name {
	case ".git", ".venv", "venv", "node_modules", "__pycache__", "site-packages", "dist-packages", ".tox", ".mypy_cache":
		return true
	}
	return strings.HasPrefix(name, ".") && name != "." && name != ".."
}

// pythonFiles lists up to MaxProjectFiles .py files under root, as paths
// relative to root with forward slashes, sorted; overlays under root that
// are not on disk yet are included.
func (p *Project) pythonFiles(root string) []string {
	root = absPath(root)
	p.mu.Lock()
	disk, cached := p.listings[root]
	gen := p.gen
	p.mu.Unlock()
	if !cached {
		disk = walkPythonFiles(root)
		p.mu.Lock()
		if p.gen == gen { // not invalidated during the walk
			if p.listings == nil {
				p.listings = map[string][]string{}
			}
			p.listings[root] = disk
		}
		p.mu.Unlock()
	}
	seen := make(map[string]bool, len(disk))
	out := make([]string, 0, len(disk))
	for _, rel := range disk {
		seen[rel] = true
		out = append(out, rel)
	}
	p.mu.Lock()
	for path := range p.overlays {
		if rel, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(rel, "..") && strings.HasSuffix(rel, ".py") {
			rel = filepath.ToSlash(rel)
			if !seen[rel] && len(out) < MaxProjectFiles {
				out = append(out, rel)
			}
		}
	}
	p.mu.Unlock()
	sort.Strings(out)
	return out
}

// walkPythonFiles lists the .py files on disk under root.
func walkPythonFiles(root string) []string {
	var out []string
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if d != nil && d.IsDir() && path != root {
				return filepath.SkipDir
			}
			return nil
		}
		if len(out) >= MaxProjectFiles {
			return filepath.SkipAll
		}
		if d.IsDir() {
			if path != root && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), ".py") && d.Type().IsRegular() {
			if rel, err := filepath.Rel(root, path); err == nil {
				out = append(out, filepath.ToSlash(rel))
			}
		}
		return nil
	})
	return out
}

// FlowRef is one flow found in a project.
type FlowRef struct {
	// Entrypoint is "path/rel.py:func" (or "path.py:Class.method") relative
	// to the root given to FindFlows, with forward slashes.
	Entrypoint string
	Path       string // absolute file path
	Function   *Function
}

// ModuleEntrypoint is the flow's entrypoint in module form
// ("pkg.mod.func", which Prefect imports instead of reading a file), when one
// names the same flow from root: the flow is a plain function, not a method,
// and its file is a module under root or root/src whose folders and name
// are Python identifiers. Each candidate is checked by resolving it as an
// entrypoint would be.
func (p *Project) ModuleEntrypoint(root string, fr FlowRef) (string, bool) {
	colon := strings.LastIndexByte(fr.Entrypoint, ':') // as Prefect splits
	if colon < 0 {
		return "", false
	}
	file, fn := fr.Entrypoint[:colon], fr.Entrypoint[colon+1:]
	if strings.Contains(fn, ".") || !strings.HasSuffix(file, ".py") {
		return "", false
	}
	mod := strings.TrimSuffix(strings.TrimSuffix(file, ".py"), "/__init__")
	candidates := []string{mod}
	if rest, ok := strings.CutPrefix(mod, "src/"); ok {
		candidates = []string{rest, mod} // the src layout's import path first
	}
	for _, c := range candidates {
		if c == "" || c == "__init__" {
			continue
		}
		ep, err := ParseEntrypoint(strings.ReplaceAll(c, "/", ".") + "." + fn)
		if err != nil || !ep.IsModule() {
			continue
		}
		if res := p.ResolveEntrypoint(root, ep); res.OK() && res.File == fr.Path && res.Function != nil && fr.Function != nil && res.Function.Qualname == fr.Function.Qualname {
			return ep.Raw, true
		}
	}
	return "", false
}

// FindFlows returns every @flow function in *.py files under root (skipping
// VCS, virtualenv, cache and hidden directories; at most MaxProjectFiles
// files), sorted by entrypoint.
func (p *Project) FindFlows(root string) []FlowRef {
	root = absPath(root)
	var out []FlowRef
	for _, rel := range p.pythonFiles(root) {
		abs := filepath.Join(root, filepath.FromSlash(rel))
		mod, err := p.Module(abs)
		if err != nil {
			continue
		}
		for _, f := range mod.Flows() {
			if mod.Lookup(f.Qualname) != f {
				continue // redefined later; the last definition wins
			}
			out = append(out, FlowRef{Entrypoint: rel + ":" + f.Qualname, Path: abs, Function: f})
		}
	}
	return out
}
