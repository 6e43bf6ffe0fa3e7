package deployinfo

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/prefect-lsp/prefect-lsp/internal/prefectyaml"
	"github.com/prefect-lsp/prefect-lsp/internal/yamlsyntax"
)

// Where says where a prefect.yaml lives, for what its pull steps and build
// steps name on disk. The zero value knows nothing: Describe then reads no
// file.
type Where struct {
	// Root is the project root, Dir the prefect.yaml's folder (where
	// prefect deploy runs; Root when empty).
	Root, Dir string
	// ReadFile reads a project file (nil: os.ReadFile).
	ReadFile func(string) ([]byte, error)
}

func (w Where) dir() string {
	if w.Dir != "" {
		return w.Dir
	}
	return w.Root
}

func (w Where) read(p string) ([]byte, error) {
	if w.ReadFile != nil {
		return w.ReadFile(p)
	}
	return os.ReadFile(p)
}

// depth is how many folders the prefect.yaml's folder lies below the
// project root (0 when it is the root or either is unknown).
func (w Where) depth() int {
	if w.Root == "" || w.Dir == "" {
		return 0
	}
	rel, err := filepath.Rel(w.Root, w.Dir)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return 0
	}
	return strings.Count(filepath.ToSlash(rel), "/") + 1
}

// DirKind says whether a set_working_directory directory is on the machine
// that runs prefect deploy rather than where the flow runs, and why.
type DirKind int

const (
	// DirElsewhere: the directory may well exist where the flow runs (a
	// relative path inside the project, a placeholder, a folder the image
	// may hold).
	DirElsewhere DirKind = iota
	// DirWorkstation: a developer machine's folder no container has: a
	// macOS home (/Users/…) or volume, "~", a Windows drive or share, WSL's
	// /mnt/<drive>/, a removable medium (/media/…), macOS temporary folders.
	DirWorkstation
	// DirHome: a Linux home directory (/home/<user>/…, /root/…).
	DirHome
	// DirTemp: a temporary folder (/tmp/…, /var/tmp/…).
	DirTemp
	// DirOutsideProject: a relative path that climbs above the project
	// root, out of what a clone or an image of the project holds.
	DirOutsideProject
	// DirNoImage: another absolute path, while the deployment names no
	// image that could hold it (the pool's default image may still, when
	// its base job template sets a custom one).
	DirNoImage
)

// Local reports whether the directory is taken to be on the deploying machine.
func (k DirKind) Local() bool { return k != DirElsewhere }

// Reason says in a few words why a local directory is local ("" when the
// path says it by itself).
func (k DirKind) Reason() string {
	switch k {
	case DirHome:
		return "a home directory, which only the deploying machine has unless the image creates that user's home"
	case DirTemp:
		return "a temporary folder, which only the deploying machine has unless the image creates it"
	case DirOutsideProject:
		return "it climbs above the project root, out of what a clone of the repository or an image built from the project holds"
	}
	return ""
}

// DirContext is what ClassifyDirectory knows about the deployment.
type DirContext struct {
	// HasImage: the deployment names or builds an image.
	HasImage bool
	// Image is what the image's Dockerfile says (nil when unknown).
	Image *ImageLayout
	// Depth is how many folders the prefect.yaml lies below the project
	// root: a relative path may climb that far and stay in the project.
	Depth int
}

// ClassifyDirectory decides whether dir, the directory of a
// set_working_directory pull step, is on the deploying machine.
//
// Workstation folders, Linux home and temporary folders are local even when
// the deployment names an image, unless the image's Dockerfile creates them
// (a WORKDIR, a COPY destination, a path a RUN command names; a Dockerfile
// with unresolved variables may create any Linux folder). Without an image,
// any absolute path outside /opt/prefect is local (the run uses the pool's
// default image). A relative path is local when it climbs above the project
// root. Placeholders and $VARIABLES are never judged.
func ClassifyDirectory(dir string, c DirContext) DirKind {
	dir = strings.TrimSpace(dir)
	if dir == "" || strings.Contains(dir, "{{") || strings.Contains(dir, "$") {
		return DirElsewhere
	}
	kind, linux := hostKind(dir)
	slash := strings.ReplaceAll(dir, "\\", "/")
	if kind == DirElsewhere && !strings.HasPrefix(slash, "/") {
		if climbs(slash) > c.Depth {
			return DirOutsideProject
		}
		return DirElsewhere
	}
	clean := path.Clean(slash)
	if kind != DirElsewhere {
		if c.HasImage && strings.HasPrefix(slash, "/") && c.Image.Has(clean, linux) {
			return DirElsewhere
		}
		return kind
	}
	if c.HasImage || strings.HasPrefix(clean, "/opt/prefect") {
		return DirElsewhere
	}
	return DirNoImage
}

// hostKind recognises folders of the deploying machine by their path
// alone; linux is true for folders a Linux image could also have.
func hostKind(dir string) (kind DirKind, linux bool) {
	if strings.HasPrefix(dir, "~") {
		return DirWorkstation, false
	}
	if len(dir) >= 2 && dir[1] == ':' && (dir[0]|0x20 >= 'a' && dir[0]|0x20 <= 'z') && (len(dir) == 2 || dir[2] == '\\' || dir[2] == '/') {
		return DirWorkstation, false // C:\… or C:/…
	}
	if strings.HasPrefix(dir, `\\`) {
		return DirWorkstation, false // \\server\share
	}
	p := path.Clean(dir)
	if !strings.HasPrefix(p, "/") {
		return DirElsewhere, false
	}
	under := func(prefix string) bool { return strings.HasPrefix(p, prefix) && len(p) > len(prefix) }
	switch {
	case under("/Users/"), under("/Volumes/"), under("/var/folders/"), under("/private/var/folders/"), under("/private/tmp/"):
		return DirWorkstation, false
	case len(p) >= 7 && strings.HasPrefix(p, "/mnt/") && p[5] >= 'a' && p[5] <= 'z' && (len(p) == 6 || p[6] == '/'):
		return DirWorkstation, false // WSL's view of a Windows drive
	case under("/media/"), under("/run/media/"):
		return DirWorkstation, true
	case under("/home/"), under("/root/"):
		return DirHome, true
	case under("/tmp/"), under("/var/tmp/"):
		return DirTemp, true
	}
	return DirElsewhere, false
}

// climbs is how many folders a relative path climbs above its start.
func climbs(rel string) int {
	n := 0
	for _, seg := range strings.Split(path.Clean(rel), "/") {
		if seg != ".." {
			break
		}
		n++
	}
	return n
}

// imageLayoutFor reads the Dockerfile of the deployment's image: the one
// its build_docker_image step names (dockerfile, default "Dockerfile",
// inside the build context "path"), or, when it only names an image, the
// project's Dockerfiles (Dockerfile, Containerfile, Dockerfile.*,
// *.Dockerfile next to the prefect.yaml and at the project root). Nil when
// nothing is known.
func imageLayoutFor(w Where, in *Info) *ImageLayout {
	dir := w.dir()
	if b := in.BuildImageStep; b != nil {
		df := b.Arg("dockerfile")
		name := "Dockerfile"
		if df.Present() {
			s, ok := df.Str()
			if !ok || strings.Contains(s, "{{") {
				return &ImageLayout{Source: "dockerfile: " + df.Text(), Unknown: true}
			}
			name = s
		}
		if name == "auto" {
			if dir == "" {
				return nil
			}
			return AutoImageLayout(dir)
		}
		if dir == "" {
			return nil
		}
		context := dir
		if c, ok := b.Arg("path").Str(); ok && c != "" && !strings.Contains(c, "{{") {
			context = joinPath(dir, c)
		}
		p := joinPath(context, name)
		data, err := w.read(p)
		if err != nil {
			return &ImageLayout{Source: relTo(w.Root, p), Unknown: true}
		}
		return ParseImageLayout(relTo(w.Root, p), string(data))
	}
	if !in.Facts.HasImage || dir == "" {
		return nil
	}
	var merged *ImageLayout
	seen := map[string]bool{}
	for _, d := range []string{dir, w.Root} {
		if d == "" || seen[d] {
			continue
		}
		seen[d] = true
		for _, p := range dockerfilesIn(d) {
			data, err := w.read(p)
			if err != nil {
				continue
			}
			l := ParseImageLayout(relTo(w.Root, p), string(data))
			if merged == nil {
				merged = l
				continue
			}
			merged.Dirs = append(merged.Dirs, l.Dirs...)
			merged.Named = append(merged.Named, l.Named...)
			merged.Unknown = merged.Unknown || l.Unknown
		}
	}
	return merged
}

// dockerfilesIn lists the Dockerfiles in a folder, "Dockerfile" first.
func dockerfilesIn(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var first, rest []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() {
			continue
		}
		switch {
		case n == "Dockerfile" || n == "Containerfile":
			first = append(first, filepath.Join(dir, n))
		case IsDockerfileName(n):
			rest = append(rest, filepath.Join(dir, n))
		}
	}
	return append(first, rest...)
}

// IsDockerfileName reports whether a file's base name is one the analysis
// reads as a Dockerfile: Dockerfile, Containerfile, Dockerfile.*,
// Containerfile.* or *.Dockerfile (any case).
func IsDockerfileName(base string) bool {
	l := strings.ToLower(base)
	return l == "dockerfile" || l == "containerfile" ||
		strings.HasPrefix(l, "dockerfile.") || strings.HasSuffix(l, ".dockerfile") || strings.HasPrefix(l, "containerfile.")
}

func joinPath(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, filepath.FromSlash(p))
}

func relTo(root, p string) string {
	if root == "" {
		return p
	}
	if rel, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return p
}

// mentionsDir reports whether an earlier pull step names dir (or a folder
// it lies in): a shell script that creates it, a step that downloads there.
// Such a step may make the directory where the flow runs.
func mentionsDir(st *prefectyaml.Step, dir string) bool {
	if st == nil || st.Args == nil {
		return false
	}
	want := path.Clean(strings.ReplaceAll(strings.TrimSpace(dir), "\\", "/"))
	found := false
	budget := 1000
	var walk func(n *yamlsyntax.Node)
	walk = func(n *yamlsyntax.Node) {
		n = n.Resolve()
		budget--
		if n == nil || found || budget < 0 {
			return
		}
		if n.Kind == yamlsyntax.ScalarNode {
			if strings.Contains(n.Text, strings.TrimSpace(dir)) {
				found = true
				return
			}
			named := &ImageLayout{Named: runPaths(n.Text, nil)}
			if strings.HasPrefix(want, "/") && named.Has(want, false) {
				found = true
			}
			return
		}
		for _, c := range n.Content() {
			walk(c)
		}
	}
	walk(st.Args)
	return found
}
