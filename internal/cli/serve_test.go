package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func frame(body string) string {
	return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body)
}

// syncBuffer is a bytes.Buffer safe for the server's writer goroutine and
// the test's polling.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// session runs Main with args as a client would: each request waits for
// its response (want) before the next frame is sent.
func session(t *testing.T, args []string, steps []struct{ frame, want string }) (code int, out, errOut string) {
	t.Helper()
	inR, inW := io.Pipe()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- Main(args, Stdio{In: inR, Out: &stdout, Err: &stderr}) }()
	for _, st := range steps {
		if _, err := io.WriteString(inW, st.frame); err != nil {
			t.Fatalf("writing %q: %v", st.frame, err)
		}
		if st.want == "" {
			continue
		}
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(stdout.String(), st.want) {
			if time.Now().After(deadline) {
				inW.Close()
				t.Fatalf("no %s on stdout after %q:\n%s\nlog:\n%s", st.want, st.frame, stdout.String(), stderr.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	inW.Close()
	select {
	case code = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not stop after exit")
	}
	return code, stdout.String(), stderr.String()
}

// TestServeSession runs a whole LSP session over the injected streams:
// initialize, initialized, shutdown, exit.
func TestServeSession(t *testing.T) {
	steps := []struct{ frame, want string }{
		{frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}`), `"id":1`},
		{frame(`{"jsonrpc":"2.0","method":"initialized","params":{}}`), ""},
		{frame(`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`), `"id":2`},
		{frame(`{"jsonrpc":"2.0","method":"exit"}`), ""},
	}
	for _, args := range [][]string{{"serve"}, {"--stdio"}, {"serve", "--stdio", "--log-level", "debug"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errOut := session(t, args, steps)
			if code != ExitOK {
				t.Errorf("exit code %d, want 0; log:\n%s", code, errOut)
			}
			if !strings.Contains(out, `"capabilities"`) || !strings.Contains(out, `"version":"test"`) {
				t.Errorf("no initialize result with serverInfo.version on stdout:\n%s", out)
			}
		})
	}
}

// TestServeExitWithoutShutdown follows the LSP rule: status 1.
func TestServeExitWithoutShutdown(t *testing.T) {
	steps := []struct{ frame, want string }{
		{frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}`), `"id":1`},
		{frame(`{"jsonrpc":"2.0","method":"exit"}`), ""},
	}
	if code, _, errOut := session(t, []string{"serve"}, steps); code != ExitFindings {
		t.Errorf("exit code %d, want 1; log:\n%s", code, errOut)
	}
}

func TestExplainMarkdownForTheServer(t *testing.T) {
	cfg, probs := config.Load("../../examples")
	md := explainMarkdown("../../examples/prefect.yaml", "deployments:\n  - name: a\n    entrypoint: flows/etl.py:etl\n    work_pool:\n      name: k8s\n", cfg, probs)
	if !strings.Contains(md, "How deployment `a` runs") || !strings.Contains(md, "kubernetes") {
		t.Errorf("explain markdown:\n%s", md)
	}
	if md := explainMarkdown("x/prefect.yaml", "deployments: [\n", plainCfg(t), nil); !strings.Contains(md, "not valid YAML") {
		t.Errorf("broken file: %q", md)
	}
	// The server's configuration wins: the editor's work-pool setting names
	// the type of a pool the project's files do not know.
	plain, _ := config.Load(t.TempDir())
	text := "deployments:\n  - name: a\n    entrypoint: flows/etl.py:etl\n    work_pool:\n      name: pool-x\n"
	if md := explainMarkdown(filepath.Join(t.TempDir(), "prefect.yaml"), text, plain, nil); strings.Contains(md, "pool type `ecs`") {
		t.Fatalf("without the setting the type is unknown:\n%s", md)
	}
	withSetting := plain.Merge(&config.Settings{WorkPools: map[string]string{"pool-x": "ecs"}})
	if md := explainMarkdown(filepath.Join(t.TempDir(), "prefect.yaml"), text, withSetting, nil); !strings.Contains(md, "pool type `ecs`") {
		t.Errorf("the configuration's work pool type is not used:\n%s", md)
	}
}

// TestExplainMarkdownForPython: the server's explain command on a Python
// file explains its deployment calls, not the text as YAML.
func TestExplainMarkdownForPython(t *testing.T) {
	dir := t.TempDir()
	cfg, _ := config.Load(dir)
	cfg = cfg.Merge(&config.Settings{WorkPools: map[string]string{"k8s": "kubernetes"}})
	text := "from prefect import flow\n\n@flow\ndef etl():\n    pass\n\netl.deploy(name=\"nightly\", work_pool_name=\"k8s\", image=\"repo/etl:1\")\n"
	md := explainMarkdown(filepath.Join(dir, "deploy.py"), text, cfg, nil)
	if !strings.Contains(md, "How deployment `nightly` runs") || !strings.Contains(md, "kubernetes") || strings.Contains(md, "YAML") {
		t.Errorf("explain markdown for Python:\n%s", md)
	}
	if md := explainMarkdown(filepath.Join(dir, "util.py"), "import os\n", cfg, nil); !strings.Contains(md, "No deployments") {
		t.Errorf("Python without deployments: %q", md)
	}
}

func plainCfg(t *testing.T) *config.Config {
	cfg, _ := config.Load(t.TempDir())
	return cfg
}

// runMainEnv, set to 1, makes the test binary run Main on its own
// arguments and standard streams (see TestMain): the real program, started
// as a subprocess.
const runMainEnv = "PREFECT_LSP_TEST_RUN_MAIN"

// TestServeExitEndsProcessWithStdinOpen starts the server as a process of
// its own on real pipes, sends initialize (and shutdown), then exit, and
// keeps its standard input open: the process must end by itself, with
// status 0 after shutdown and 1 without. (The timeout only guards against
// a hang; nothing here measures time.)
func TestServeExitEndsProcessWithStdinOpen(t *testing.T) {
	initialize := frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}`)
	for _, tc := range []struct {
		name     string
		shutdown bool
		want     int
	}{
		{"after shutdown", true, ExitOK},
		{"without shutdown", false, ExitFindings},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "serve")
			cmd.Env = append(os.Environ(), runMainEnv+"=1")
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close() // only once the process has ended
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr syncBuffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			responses := make(chan string, 4)
			go readFrames(stdout, responses)
			call := func(msg, id string) {
				t.Helper()
				if _, err := io.WriteString(stdin, msg); err != nil {
					t.Fatalf("writing to the server: %v", err)
				}
				if id == "" {
					return
				}
				for {
					select {
					case body, ok := <-responses:
						if !ok {
							t.Fatalf("the server's output ended before the response %s; log:\n%s", id, stderr.String())
						}
						if strings.Contains(body, `"id":`+id+`,`) || strings.Contains(body, `"id":`+id+`}`) {
							return
						}
					case <-time.After(10 * time.Second):
						t.Fatalf("no response %s; log:\n%s", id, stderr.String())
					}
				}
			}
			call(initialize, "1")
			call(frame(`{"jsonrpc":"2.0","method":"initialized","params":{}}`), "")
			if tc.shutdown {
				call(frame(`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`), "2")
			}
			call(frame(`{"jsonrpc":"2.0","method":"exit"}`), "")

			waited := make(chan error, 1)
			go func() { waited <- cmd.Wait() }()
			select {
			case err := <-waited:
				code := 0
				var exitErr *exec.ExitError
				if errors.As(err, &exitErr) {
					code = exitErr.ExitCode()
				} else if err != nil {
					t.Fatal(err)
				}
				if code != tc.want {
					t.Errorf("exit status %d, want %d; log:\n%s", code, tc.want, stderr.String())
				}
				// The server waits a while for its connection to end
				// before giving up on it; exit must not need that.
				if strings.Contains(stderr.String(), "did not close") {
					t.Errorf("the connection did not end at exit; log:\n%s", stderr.String())
				}
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				<-waited
				t.Fatalf("the process did not end after exit while its standard input stayed open; log:\n%s", stderr.String())
			}
		})
	}
}

// readFrames sends the body of every LSP frame read from r to bodies, and
// closes bodies at the end of r.
func readFrames(r io.Reader, bodies chan<- string) {
	defer close(bodies)
	br := bufio.NewReader(r)
	for {
		length := -1
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimSpace(line)
			if line == "" {
				break
			}
			if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "Content-Length") {
				length, _ = strconv.Atoi(strings.TrimSpace(v))
			}
		}
		if length < 0 {
			return
		}
		body := make([]byte, length)
		if _, err := io.ReadFull(br, body); err != nil {
			return
		}
		bodies <- string(body)
	}
}
