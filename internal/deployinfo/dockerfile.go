package deployinfo

import (
	"encoding/json"
	"path"
	"slices"
	"strings"
)

// ImageLayout is what a Dockerfile says about the folders of the image it
// builds: its WORKDIRs, the destinations of COPY and ADD, and absolute paths
// its RUN commands name (mkdir, git clone, a user's home made by useradd).
// It is read without running anything; variables are substituted from the
// file's own ARG and ENV defaults.
type ImageLayout struct {
	// Source names the Dockerfile (as given to ReadImageLayout), or
	// "dockerfile: auto" for the one Prefect writes.
	Source string
	// Workdir is the last stage's WORKDIR ("" when the file sets none).
	Workdir string
	// Dirs are folders whose content the Dockerfile defines (WORKDIRs,
	// COPY/ADD destinations): anything under them may exist.
	Dirs []string
	// Named are absolute paths RUN commands name: they and their parents
	// exist, and so may what lies under them when they are at least two
	// levels deep (/home/app, not /home).
	Named []string
	// Unknown is true when a WORKDIR or destination could not be resolved
	// (an unset variable): the image may hold any folder.
	Unknown bool
}

// AutoImageLayout is the layout of the Dockerfile that build_docker_image
// writes for dockerfile: auto: the project copied to /opt/prefect/<folder>,
// which is also the WORKDIR (prefect_docker's generate_default_dockerfile).
func AutoImageLayout(projectDir string) *ImageLayout {
	dir := "/opt/prefect/" + path.Base(strings.ReplaceAll(projectDir, "\\", "/"))
	return &ImageLayout{Source: "dockerfile: auto", Workdir: dir, Dirs: []string{dir}}
}

// Has reports whether the image may hold the absolute folder dir. unknownOK
// says what an unresolved Dockerfile means for it.
func (l *ImageLayout) Has(dir string, unknownOK bool) bool {
	if l == nil {
		return false
	}
	if l.Unknown && unknownOK {
		return true
	}
	dir = path.Clean(dir)
	for _, d := range l.Dirs {
		if dir == d || within(dir, d) || within(d, dir) {
			return true
		}
	}
	for _, n := range l.Named {
		if dir == n || within(n, dir) || (within(dir, n) && strings.Count(n, "/") >= 2) {
			return true
		}
	}
	return false
}

// within reports whether p lies strictly under dir (both clean, absolute).
func within(p, dir string) bool {
	if dir == "/" {
		return p != "/"
	}
	return strings.HasPrefix(p, dir+"/")
}

// ParseImageLayout reads a Dockerfile's text.
func ParseImageLayout(source, text string) *ImageLayout {
	l := &ImageLayout{Source: source}
	vars := map[string]string{}
	stageWorkdir := map[string]string{}
	workdir := "/"
	stage := "" // the current stage's alias
	addDir := func(p string) {
		if p != "" && !slices.Contains(l.Dirs, p) {
			l.Dirs = append(l.Dirs, p)
		}
	}
	for _, in := range dockerInstructions(text) {
		switch in.cmd {
		case "FROM":
			f := strings.Fields(in.args)
			var image, alias string
			for i := 0; i < len(f); i++ {
				switch {
				case strings.HasPrefix(f[i], "--"):
				case strings.EqualFold(f[i], "AS") && i+1 < len(f):
					alias = strings.ToLower(f[i+1])
					i++
				case image == "":
					image = f[i]
				}
			}
			workdir = "/"
			if wd, ok := stageWorkdir[strings.ToLower(image)]; ok {
				workdir = wd
			} else if strings.Contains(image, "prefecthq/prefect") {
				workdir = "/opt/prefect"
			}
			l.Workdir = ""
			stage = alias
			if stage != "" {
				stageWorkdir[stage] = workdir
			}
		case "ARG":
			for _, kv := range strings.Fields(in.args) {
				name, def, hasDef := strings.Cut(kv, "=")
				if _, set := vars[name]; !set && hasDef {
					if v, ok := substitute(unquote(def), vars); ok {
						vars[name] = v
					}
				}
			}
		case "ENV":
			for name, v := range envPairs(in.args) {
				if s, ok := substitute(v, vars); ok {
					vars[name] = s
				}
			}
		case "WORKDIR":
			p, ok := substitute(unquote(strings.TrimSpace(in.args)), vars)
			if !ok || p == "" {
				l.Unknown = true
				continue
			}
			workdir = resolveIn(workdir, p)
			l.Workdir = workdir
			if stage != "" {
				stageWorkdir[stage] = workdir
			}
			addDir(workdir)
		case "COPY", "ADD":
			args := commandArgs(in.args)
			if len(args) < 2 {
				continue
			}
			dest, ok := substitute(args[len(args)-1], vars)
			if !ok || dest == "" {
				l.Unknown = true
				continue
			}
			addDir(resolveIn(workdir, dest))
		case "RUN":
			l.Named = append(l.Named, runPaths(in.args, vars)...)
		}
	}
	return l
}

// dockerInstruction is one instruction with its continuation lines joined.
type dockerInstruction struct {
	cmd, args string
}

// dockerInstructions splits a Dockerfile into instructions: comments and
// blank lines dropped, lines ending in the escape character (\, or the one
// an "# escape=" directive names) joined with the next.
func dockerInstructions(text string) []dockerInstruction {
	escape := byte('\\')
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for _, ln := range lines {
		t := strings.TrimSpace(ln)
		if !strings.HasPrefix(t, "#") {
			break
		}
		d := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(t[1:]), " ", ""))
		if strings.HasPrefix(d, "escape=") && len(d) == len("escape=")+1 {
			escape = d[len(d)-1]
		}
	}
	var out []dockerInstruction
	var cur strings.Builder
	flush := func() {
		s := strings.TrimSpace(cur.String())
		cur.Reset()
		if s == "" {
			return
		}
		cmd, args, _ := strings.Cut(s, " ")
		if i := strings.IndexAny(cmd, "\t"); i >= 0 {
			cmd, args = cmd[:i], cmd[i+1:]+" "+args
		}
		out = append(out, dockerInstruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)})
	}
	for _, ln := range lines {
		t := strings.TrimSpace(ln)
		if strings.HasPrefix(t, "#") {
			continue // a comment, also between continuation lines
		}
		if t != "" && t[len(t)-1] == escape {
			cur.WriteString(t[:len(t)-1])
			cur.WriteByte(' ')
			continue
		}
		cur.WriteString(t)
		flush()
	}
	flush()
	return out
}

// commandArgs splits COPY/ADD arguments: the JSON form, or words with the
// --flags dropped.
func commandArgs(s string) []string {
	s = strings.TrimSpace(s)
	var words []string
	for _, w := range strings.Fields(s) {
		if strings.HasPrefix(w, "--") && len(words) == 0 {
			continue
		}
		words = append(words, w)
	}
	rest := strings.Join(words, " ")
	if strings.HasPrefix(rest, "[") {
		var arr []string
		if json.Unmarshal([]byte(rest), &arr) == nil {
			return arr
		}
	}
	for i, w := range words {
		words[i] = unquote(w)
	}
	return words
}

// envPairs reads ENV's "k=v k2=v2" and legacy "k v" forms.
func envPairs(s string) map[string]string {
	out := map[string]string{}
	s = strings.TrimSpace(s)
	name, rest, _ := strings.Cut(s, " ")
	if !strings.Contains(name, "=") {
		out[name] = unquote(strings.TrimSpace(rest))
		return out
	}
	for _, kv := range splitWords(s) {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k] = unquote(v)
		}
	}
	return out
}

// splitWords splits at blanks outside quotes.
func splitWords(s string) []string {
	var out []string
	var cur strings.Builder
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
			cur.WriteByte(c)
		case c == '"' || c == '\'':
			quote = c
			cur.WriteByte(c)
		case c == ' ' || c == '\t':
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteByte(c)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

// substitute expands $NAME, ${NAME} and ${NAME:-default} from vars; ok is
// false when a variable is unknown.
func substitute(s string, vars map[string]string) (string, bool) {
	if !strings.Contains(s, "$") {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		var name, def string
		hasDef := false
		if s[i+1] == '{' {
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return "", false
			}
			inner := s[i+2 : i+end]
			if n, d, ok := strings.Cut(inner, ":-"); ok {
				name, def, hasDef = n, d, true
			} else {
				name = inner
			}
			i += end
		} else {
			j := i + 1
			for j < len(s) && (s[j] == '_' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			if j == i+1 {
				b.WriteByte('$')
				continue
			}
			name = s[i+1 : j]
			i = j - 1
		}
		v, ok := vars[name]
		switch {
		case ok:
			b.WriteString(v)
		case hasDef:
			b.WriteString(def)
		default:
			return "", false
		}
	}
	return b.String(), true
}

// resolveIn resolves p against the working directory wd.
func resolveIn(wd, p string) string {
	p = strings.ReplaceAll(p, "\\", "/")
	if !strings.HasPrefix(p, "/") {
		p = path.Join(wd, p)
	}
	return path.Clean(p)
}

// runPaths returns the absolute paths a RUN command names, and the home
// folders useradd/adduser create.
func runPaths(cmd string, vars map[string]string) []string {
	var out []string
	words := splitWords(cmd)
	for i, w := range words {
		w = strings.Trim(unquote(strings.TrimRight(w, ";&|)")), "\"'")
		if s, ok := substitute(w, vars); ok {
			w = s
		}
		if strings.HasPrefix(w, "/") && !strings.ContainsAny(w, "$*?") {
			out = append(out, path.Clean(w))
		}
		base := path.Base(w)
		if base != "useradd" && base != "adduser" {
			continue
		}
		// The user's name is the last word before the command ends.
		name := ""
		for _, a := range words[i+1:] {
			if a == "&&" || a == "||" || a == ";" || a == "|" {
				break
			}
			end := strings.HasSuffix(a, ";")
			a = strings.TrimRight(a, ";")
			if !strings.HasPrefix(a, "-") {
				name = unquote(a)
			}
			if end {
				break
			}
		}
		if name != "" && !strings.ContainsAny(name, "/$") {
			out = append(out, "/home/"+name)
		}
	}
	return out
}
