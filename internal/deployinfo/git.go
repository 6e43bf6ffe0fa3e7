package deployinfo

import (
	"bufio"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// PlaceholderRepository is the repository URL written when the project has
// no git remote.
const PlaceholderRepository = "https://github.com/<owner>/<repository>.git"

// maxGitConfig bounds how much of .git/config is read.
const maxGitConfig = 1 << 20

// GitRemote reads the project's git remote from .git/config in root or the
// nearest parent folder (git is not run): the "origin" remote's URL, else
// the first remote's. SSH URLs (git@host:owner/repo.git, ssh://git@host/…)
// are turned into https URLs, which git_clone can fetch with an access
// token, and user names and passwords are dropped from https URLs so no
// credential is copied into prefect.yaml. branch is the checked-out branch
// from .git/HEAD ("" when detached or unknown). ok is false when there is no
// repository or remote.
func GitRemote(root string) (remote, branch string, ok bool) {
	gitDir := ""
	for d, i := root, 0; d != "" && i < 64; i++ {
		p := filepath.Join(d, ".git")
		if fi, err := os.Stat(p); err == nil {
			if fi.IsDir() {
				gitDir = p
			} else if data, err := readLimited(p); err == nil {
				// A worktree or submodule: "gitdir: <path>".
				if rest, found := strings.CutPrefix(strings.TrimSpace(data), "gitdir:"); found {
					g := strings.TrimSpace(rest)
					if !filepath.IsAbs(g) {
						g = filepath.Join(d, g)
					}
					gitDir = g
				}
			}
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	if gitDir == "" {
		return "", "", false
	}
	cfgText, err := readLimited(filepath.Join(gitDir, "config"))
	if err != nil {
		// Worktrees keep the config in the common dir.
		common, err2 := readLimited(filepath.Join(gitDir, "commondir"))
		if err2 != nil {
			return "", "", false
		}
		c := strings.TrimSpace(common)
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitDir, c)
		}
		if cfgText, err = readLimited(filepath.Join(c, "config")); err != nil {
			return "", "", false
		}
	}
	remote = parseRemote(cfgText)
	if remote == "" {
		return "", "", false
	}
	if head, err := readLimited(filepath.Join(gitDir, "HEAD")); err == nil {
		if ref, found := strings.CutPrefix(strings.TrimSpace(head), "ref: refs/heads/"); found {
			branch = ref
		}
	}
	return CleanRemoteURL(remote), branch, true
}

func readLimited(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	buf := make([]byte, maxGitConfig)
	n, _ := f.Read(buf)
	return string(buf[:n]), nil
}

// parseRemote returns the origin remote's url from git config text, else the
// first remote's.
func parseRemote(text string) string {
	var first, origin, section string
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64*1024), maxGitConfig)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			section = ""
			inner := strings.TrimSuffix(strings.TrimPrefix(line, "["), "]")
			if name, found := strings.CutPrefix(inner, "remote "); found {
				section = strings.Trim(strings.TrimSpace(name), `"`)
			}
			continue
		}
		if section == "" {
			continue
		}
		k, v, found := strings.Cut(line, "=")
		if !found || !strings.EqualFold(strings.TrimSpace(k), "url") {
			continue
		}
		v = strings.Trim(strings.TrimSpace(v), `"`)
		if first == "" {
			first = v
		}
		if section == "origin" && origin == "" {
			origin = v
		}
	}
	if origin != "" {
		return origin
	}
	return first
}

// CleanRemoteURL turns a git remote URL into one fit for git_clone's
// repository: scp-like and ssh:// URLs become https, credentials are removed.
func CleanRemoteURL(raw string) string {
	raw = strings.TrimSpace(raw)
	if !strings.Contains(raw, "://") {
		// scp-like: [user@]host:path
		if at := strings.IndexByte(raw, '@'); at >= 0 {
			if colon := strings.IndexByte(raw[at:], ':'); colon > 0 {
				host := raw[at+1 : at+colon]
				path := strings.TrimPrefix(raw[at+colon+1:], "/")
				return "https://" + host + "/" + path
			}
		}
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	if u.Scheme == "ssh" || u.Scheme == "git" || u.Scheme == "git+ssh" {
		u.Scheme = "https"
		u.Host = u.Hostname()
	}
	u.User = nil
	return u.String()
}
