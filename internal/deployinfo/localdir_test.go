package deployinfo

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestClassifyDirectory(t *testing.T) {
	app := ParseImageLayout("Dockerfile", "FROM python:3.12\nWORKDIR /app\nCOPY . .\n")
	homeApp := ParseImageLayout("Dockerfile", "FROM python:3.12\nRUN useradd -m prefect\nWORKDIR /home/prefect/flows\n")
	unresolved := ParseImageLayout("Dockerfile", "FROM python:3.12\nWORKDIR $APP_HOME\n")
	for _, c := range []struct {
		dir  string
		ctx  DirContext
		want DirKind
	}{
		// Plainly on the deploying machine, image or not.
		{"/Users/me/flows", DirContext{HasImage: true}, DirWorkstation},
		{"/Volumes/Work/flows", DirContext{HasImage: true}, DirWorkstation},
		{`C:\Users\me\flows`, DirContext{HasImage: true}, DirWorkstation},
		{"c:/work", DirContext{HasImage: true}, DirWorkstation},
		{`\\server\share\flows`, DirContext{HasImage: true}, DirWorkstation},
		{"~/flows", DirContext{HasImage: true}, DirWorkstation},
		{"/mnt/c/work", DirContext{HasImage: true}, DirWorkstation},
		{"/var/folders/xy/T/tmp123", DirContext{HasImage: true}, DirWorkstation},
		{"/private/var/folders/xy/T", DirContext{HasImage: true}, DirWorkstation},
		{"/media/me/usb/flows", DirContext{HasImage: true}, DirWorkstation},
		{"/home/me/flows", DirContext{HasImage: true}, DirHome},
		{"/home/runner/work/repo/repo", DirContext{HasImage: true, Image: app}, DirHome},
		{"/root/flows", DirContext{HasImage: true}, DirHome},
		{"/tmp/flows", DirContext{HasImage: true, Image: app}, DirTemp},
		{"/var/tmp/build", DirContext{HasImage: true}, DirTemp},
		{"../shared", DirContext{HasImage: true}, DirOutsideProject},
		{"../../x", DirContext{}, DirOutsideProject},
		{`..\other`, DirContext{}, DirOutsideProject},
		{"flows/../../x", DirContext{}, DirOutsideProject},
		{"../x", DirContext{Depth: 1}, DirElsewhere},
		{"../../x", DirContext{Depth: 1}, DirOutsideProject},
		// Paths an image may hold.
		{"/opt/prefect/flows", DirContext{HasImage: true}, DirElsewhere},
		{"/app", DirContext{HasImage: true}, DirElsewhere},
		{"/srv/flows", DirContext{HasImage: true}, DirElsewhere},
		{"/home/prefect/flows", DirContext{HasImage: true, Image: homeApp}, DirElsewhere},
		{"/home/prefect/flows/sub", DirContext{HasImage: true, Image: homeApp}, DirElsewhere},
		{"/home/prefect", DirContext{HasImage: true, Image: homeApp}, DirElsewhere},
		{"/home/other/flows", DirContext{HasImage: true, Image: homeApp}, DirHome},
		{"/home/me/flows", DirContext{HasImage: true, Image: unresolved}, DirElsewhere},
		{"/Users/me/flows", DirContext{HasImage: true, Image: unresolved}, DirWorkstation},
		{"/home", DirContext{HasImage: true}, DirElsewhere},
		{"/root", DirContext{HasImage: true}, DirElsewhere},
		{"/tmp", DirContext{HasImage: true}, DirElsewhere},
		// Without an image, any absolute path but /opt/prefect.
		{"/app", DirContext{}, DirNoImage},
		{"/home/me/flows", DirContext{}, DirHome},
		{"/opt/prefect/flows", DirContext{}, DirElsewhere},
		// Never judged.
		{"flows", DirContext{}, DirElsewhere},
		{".", DirContext{}, DirElsewhere},
		{"{{ clone.directory }}", DirContext{}, DirElsewhere},
		{"$HOME/flows", DirContext{}, DirElsewhere},
		{"", DirContext{}, DirElsewhere},
	} {
		if got := ClassifyDirectory(c.dir, c.ctx); got != c.want {
			t.Errorf("ClassifyDirectory(%q, %+v) = %v, want %v", c.dir, c.ctx, got, c.want)
		}
	}
}

func TestParseImageLayout(t *testing.T) {
	l := ParseImageLayout("Dockerfile", `# syntax=docker/dockerfile:1
ARG BASE=python:3.12
FROM ${BASE} AS build
WORKDIR /build
COPY requirements.txt .
RUN pip wheel -r requirements.txt -w /wheels

FROM prefecthq/prefect:3-python3.12
ENV APP_HOME=/home/app \
    OTHER=1
RUN useradd --create-home --shell /bin/bash app \
 && mkdir -p /data/cache
# a comment between instructions
COPY --from=build /wheels /wheels
WORKDIR ${APP_HOME}
COPY ["flows", "flows/"]
ADD --chown=app:app conf /etc/app
`)
	for _, d := range []string{"/build", "/home/app", "/home/app/flows", "/etc/app", "/wheels"} {
		if !slices.Contains(l.Dirs, d) {
			t.Errorf("Dirs %v lack %s", l.Dirs, d)
		}
	}
	for _, d := range []string{"/home/app", "/data/cache"} {
		if !slices.Contains(l.Named, d) {
			t.Errorf("Named %v lack %s", l.Named, d)
		}
	}
	if l.Workdir != "/home/app" || l.Unknown {
		t.Errorf("workdir %q unknown %v", l.Workdir, l.Unknown)
	}
	if !l.Has("/home/app/flows/etl", true) || l.Has("/home/me/flows", false) || !l.Has("/data/cache/x", false) {
		t.Errorf("Has: %+v", l)
	}
	// Relative WORKDIRs build on each other; FROM a stage keeps its WORKDIR.
	l = ParseImageLayout("Dockerfile", "FROM python AS base\nWORKDIR /srv\nWORKDIR app\nFROM base\nCOPY . code\n")
	if l.Workdir != "" || !slices.Contains(l.Dirs, "/srv/app/code") {
		t.Errorf("stages: %+v", l)
	}
	// A backtick escape directive (Windows images).
	l = ParseImageLayout("Dockerfile", "# escape=`\nFROM mcr.microsoft.com/windows\nWORKDIR `\n  /work\n")
	if l.Workdir != "/work" {
		t.Errorf("escape directive: %+v", l)
	}
}

func TestDescribeAtReadsTheDockerfile(t *testing.T) {
	root := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Dockerfile", "FROM python\nWORKDIR /home/app\n")
	write("docker/prod.Dockerfile", "FROM python\nWORKDIR /opt/flows\n")
	_, f := parse(t, `deployments:
- name: named-image
  pull:
  - prefect.deployments.steps.set_working_directory: {directory: /home/app/flows}
  work_pool: {name: k8s, job_variables: {image: acme/etl:1}}
- name: built
  build:
  - prefect_docker.deployments.steps.build_docker_image: {image_name: acme/etl, dockerfile: prod.Dockerfile, path: docker}
  pull:
  - prefect.deployments.steps.set_working_directory: {directory: /home/app/flows}
  work_pool: {name: k8s, job_variables: {image: acme/etl:1}}
- name: made-by-script
  pull:
  - prefect.deployments.steps.run_shell_script: {script: mkdir -p /tmp/work && cp -r /opt/src /tmp/work}
  - prefect.deployments.steps.set_working_directory: {directory: /tmp/work/src}
  work_pool: {name: k8s, job_variables: {image: acme/etl:1}}
`)
	w := Where{Root: root, Dir: root}
	if in := DescribeAt(nil, f.Deployments[0], w); len(in.LocalDirSteps) != 0 || in.Image == nil || in.Image.Workdir != "/home/app" {
		t.Errorf("the project's Dockerfile has WORKDIR /home/app: %+v", in)
	}
	in := DescribeAt(nil, f.Deployments[1], w)
	if len(in.LocalDirSteps) != 1 || in.LocalDirKinds[0] != DirHome || in.Image == nil || in.Image.Source != "docker/prod.Dockerfile" {
		t.Errorf("the build step's Dockerfile has no /home/app: %+v %+v", in, in.Image)
	}
	if in := DescribeAt(nil, f.Deployments[2], w); len(in.LocalDirSteps) != 0 {
		t.Errorf("an earlier step makes /tmp/work: %+v", in)
	}
	if in := Describe(nil, f.Deployments[0]); len(in.LocalDirSteps) != 1 {
		t.Errorf("without a location nothing is read: %+v", in)
	}
	// A prefect.yaml one folder below the root may climb one folder.
	_, g := parse(t, "deployments:\n- name: a\n  pull:\n  - prefect.deployments.steps.set_working_directory: {directory: ../flows}\n  - prefect.deployments.steps.set_working_directory: {directory: ../../elsewhere}\n  work_pool: {name: k8s}\n")
	sub := Where{Root: root, Dir: filepath.Join(root, "deploy")}
	if in := DescribeAt(nil, g.Deployments[0], sub); len(in.LocalDirSteps) != 1 || in.LocalDirKinds[0] != DirOutsideProject {
		t.Errorf("climbing from a subfolder: %+v", in)
	}
}

func FuzzParseImageLayout(f *testing.F) {
	for _, s := range []string{
		"FROM python\nWORKDIR /app\nCOPY . .\n",
		"# escape=`\nFROM x AS a\nWORKDIR ${A:-/w}\nRUN useradd -m u && mkdir -p /home/u/x\nFROM a\nCOPY [\"a\", \"b\"]\n",
		"ENV A=1 B=\"two words\"\nARG C\nWORKDIR $C\nADD --chown=a:b x ${A}\n",
		"RUN \\\n  adduser\nWORKDIR ${\n",
	} {
		f.Add(s, "/home/u/x")
	}
	f.Fuzz(func(t *testing.T, text, dir string) {
		l := ParseImageLayout("Dockerfile", text)
		l.Has("/"+dir, true)
		ClassifyDirectory(dir, DirContext{HasImage: true, Image: l, Depth: len(dir) % 3})
	})
}
