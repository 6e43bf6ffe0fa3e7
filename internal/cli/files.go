package cli

import (
	"fmt"
	"github.com/prefect-lsp/prefect-lsp/internal/pydeploy"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/prefect-lsp/prefect-lsp/internal/config"
)

// DefaultFileNames are the file names check and explain look for when
// walking a directory, besides the `files` globs of the configuration.
var DefaultFileNames = []string{"prefect.yaml", "prefect.yml"}

// skippedDirs are never walked into.
var skippedDirs = map[string]bool{
	".git": true, ".hg": true, ".svn": true,
	"node_modules": true, ".venv": true, "venv": true, "__pycache__": true,
	".tox": true, ".nox": true, ".mypy_cache": true, ".pytest_cache": true, ".ruff_cache": true,
}

// target is one file to analyse.
type target struct {
	// display is the path shown in reports: relative to the working
	// directory when the file lies under it, else as given.
	display string
	// abs is the absolute path (for stdin, the --stdin-filename's).
	abs   string
	stdin bool
}

// configCache loads each folder's configuration once.
type configCache struct {
	mu sync.Mutex
	m  map[string]*configEntry
}

type configEntry struct {
	once  sync.Once
	cfg   *config.Config
	probs []config.Problem
}

func (c *configCache) load(dir string) (*config.Config, []config.Problem) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]*configEntry{}
	}
	e := c.m[dir]
	if e == nil {
		e = &configEntry{}
		c.m[dir] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.cfg, e.probs = config.Load(dir) })
	return e.cfg, e.probs
}

// collector turns PATH arguments into targets.
type collector struct {
	wd      string
	configs *configCache
	seen    map[string]bool
	targets []target
	// problems are paths that could not be walked (exit 3).
	problems []string
}

// displayPath returns how to show abs in reports, given the argument it
// came from and the path below that argument.
func (c *collector) displayPath(arg, abs string) string {
	if rel, err := filepath.Rel(c.wd, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return rel
	}
	return abs
}

func (c *collector) add(arg, abs string) {
	if c.seen[abs] {
		return
	}
	c.seen[abs] = true
	c.targets = append(c.targets, target{display: c.displayPath(arg, abs), abs: abs})
}

// collect resolves one PATH argument. A missing path is a usage error.
func (c *collector) collect(arg string) error {
	abs, err := filepath.Abs(arg)
	if err != nil {
		return err
	}
	info, err := os.Stat(abs)
	if err != nil {
		if os.IsNotExist(err) {
			return fmt.Errorf("%s: no such file or directory", arg)
		}
		return err
	}
	if !info.IsDir() {
		c.add(arg, abs)
		return nil
	}
	walkErr := filepath.WalkDir(abs, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			c.problems = append(c.problems, fmt.Sprintf("%s: %v", c.displayPath(arg, path), err))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if path != abs && skippedDirs[d.Name()] {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		if c.wanted(path) || (!inHiddenDir(abs, path) && isPythonDeploymentFile(path)) {
			c.add(arg, path)
		}
		return nil
	})
	if walkErr != nil {
		c.problems = append(c.problems, walkErr.Error())
	}
	return nil
}

// wanted reports whether a file found while walking is a prefect.yaml: one
// of DefaultFileNames, or a match of the `files` globs of the configuration
// that applies to it. A glob without "/" matches the base name; others match
// the path relative to the configuration's folder ("**" spans folders).
func (c *collector) wanted(path string) bool {
	base := filepath.Base(path)
	for _, n := range DefaultFileNames {
		if base == n {
			return true
		}
	}
	cfg, _ := c.configs.load(filepath.Dir(path))
	if cfg == nil || len(cfg.Files) == 0 {
		return false
	}
	rel, err := filepath.Rel(cfg.Root, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = ""
	}
	rel = filepath.ToSlash(rel)
	for _, g := range cfg.Files {
		if !strings.Contains(g, "/") {
			if ok, _ := filepath.Match(g, base); ok {
				return true
			}
			continue
		}
		if rel != "" && config.MatchGlob(strings.TrimPrefix(g, "./"), rel) {
			return true
		}
	}
	return false
}

// isPythonDeploymentFile reports whether a .py file found while walking
// imports prefect and creates deployments (serve, deploy, to_deployment),
// so that `check DIR` covers Python deployment code too.
func isPythonDeploymentFile(path string) bool {
	if !strings.HasSuffix(path, ".py") {
		return false
	}
	info, err := os.Stat(path)
	if err != nil || info.Size() > maxPythonFileSize {
		return false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	text := string(data)
	return pydeploy.ImportsPrefect(text) && len(pydeploy.Deployments(path, text)) > 0
}

// maxPythonFileSize bounds the Python files read while walking folders.
const maxPythonFileSize = 2 << 20

// inHiddenDir reports whether path lies in a hidden folder (".cache",
// ".direnv", ...) or an installed-packages folder below root; Python files
// there are not the project's deployment code.
func inHiddenDir(root, path string) bool {
	rel, err := filepath.Rel(root, filepath.Dir(path))
	if err != nil || rel == "." {
		return false
	}
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		if strings.HasPrefix(part, ".") && part != ".." || part == "site-packages" {
			return true
		}
	}
	return false
}
