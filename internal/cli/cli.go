// Package cli is prefect-lsp's command line: it parses arguments and
// dispatches to `check` (the CI linter and its text, json, sarif and github
// formats, with --fix), `serve` (the language server on standard input and
// output), `explain` (how each deployment runs, through the decision guide),
// `rules` and `version`. All output goes through the injected Stdio, so tests
// capture it; nothing here writes to the process's streams directly.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
)

// Stdio are the streams a command reads and writes.
type Stdio struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// Exit codes of every command.
const (
	// ExitOK: no error or warning was found.
	ExitOK = 0
	// ExitFindings: errors or warnings were found.
	ExitFindings = 1
	// ExitUsage: bad usage (unknown flag or command, missing path).
	ExitUsage = 2
	// ExitInternal: prefect-lsp failed (a rule panicked, a file could not be
	// read or written).
	ExitInternal = 3
)

// Version is the program's version; cmd/prefect-lsp sets it from -ldflags.
// When empty, the module version recorded by `go install` is used.
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

const usage = `prefect-lsp: language server and linter for Prefect's prefect.yaml

Usage:
  prefect-lsp check [flags] [PATH...]   lint prefect.yaml files (default PATH ".")
  prefect-lsp serve [--stdio]           run the language server on stdin/stdout
  prefect-lsp explain [PATH...]         how each deployment runs, and the simplest fitting option
  prefect-lsp rules [--format json]     list every rule
  prefect-lsp version                   print the version

Without a command (or with --stdio) prefect-lsp runs the language server.
Run "prefect-lsp <command> -h" for a command's flags.
Exit codes: 0 no error or warning, 1 errors or warnings found, 2 bad usage, 3 internal failure.
`

// Main runs the command line with args (without the program name) and
// returns the process exit code.
func Main(args []string, stdio Stdio) int {
	if stdio.In == nil {
		stdio.In = strings.NewReader("")
	}
	if stdio.Out == nil {
		stdio.Out = io.Discard
	}
	if stdio.Err == nil {
		stdio.Err = io.Discard
	}
	if len(args) == 0 {
		return runServe(nil, stdio)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "check":
		return runCheck(rest, stdio)
	case "serve", "lsp":
		return runServe(rest, stdio)
	case "--stdio", "-stdio":
		return runServe(args, stdio)
	case "explain":
		return runExplain(rest, stdio)
	case "rules":
		return runRules(rest, stdio)
	case "version", "--version", "-version", "-v":
		fmt.Fprintf(stdio.Out, "prefect-lsp %s\n", version())
		return ExitOK
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			return Main([]string{rest[0], "-h"}, stdio)
		}
		fmt.Fprint(stdio.Out, usage)
		return ExitOK
	}
	fmt.Fprintf(stdio.Err, "prefect-lsp: unknown command %q\n\n%s", cmd, usage)
	return ExitUsage
}

// newFlagSet returns a flag set that reports to stdio.Err and never exits.
func newFlagSet(name, synopsis string, stdio Stdio) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stdio.Err)
	fs.Usage = func() {
		fmt.Fprintf(stdio.Err, "Usage: prefect-lsp %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseInterleaved parses flags that may come before or after positional
// arguments (`check examples/ --format json`). A "--" ends the flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// flagExit converts a flag parsing error into an exit code: -h is success.
func flagExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	return ExitUsage
}

// signalContext is cancelled on SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
