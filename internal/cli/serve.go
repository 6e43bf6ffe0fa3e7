package cli

import (
	"errors"
	"fmt"
	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
	"github.com/prefect-lsp/prefect-lsp/internal/features"
	"github.com/prefect-lsp/prefect-lsp/internal/pyflow"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"

	"github.com/prefect-lsp/prefect-lsp/internal/lsp"
)

// runServe runs the language server on the injected standard streams until
// the client exits or the process is interrupted.
func runServe(args []string, stdio Stdio) int {
	fs := newFlagSet("serve", "serve [--stdio] [--log-file FILE] [--log-level LEVEL]\n\nRun the language server over standard input and output (the only transport).", stdio)
	fs.Bool("stdio", true, "talk LSP over standard input and output (the default and only transport)")
	logFile := fs.String("log-file", "", "append the server log to FILE instead of standard error")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	cpuProfile := fs.String("cpu-profile", "", "write a Go CPU profile of the session to FILE (for performance work)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) > 0 {
		fmt.Fprintf(stdio.Err, "prefect-lsp serve: unexpected argument %q\n", pos[0])
		return ExitUsage
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stdio.Err, "prefect-lsp serve: unknown --log-level %q; use debug, info, warn or error\n", *logLevel)
		return ExitUsage
	}
	logOut := stdio.Err
	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			fmt.Fprintf(stdio.Err, "prefect-lsp serve: %v\n", err)
			return ExitUsage
		}
		defer f.Close()
		logOut = f
	}
	if f, ok := stdio.In.(*os.File); ok && isTerminal(f) {
		fmt.Fprintln(stdio.Err, "prefect-lsp: running the language server on standard input and output (for editors); run `prefect-lsp help` for the commands")
	}
	logger := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: level}))
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stdio.Err, "prefect-lsp serve: %v\n", err)
			return ExitUsage
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stdio.Err, "prefect-lsp serve: %v\n", err)
			return ExitUsage
		}
		defer pprof.StopCPUProfile()
	}
	ctx, cancel := signalContext()
	defer cancel()
	err = lsp.Serve(ctx, stdioConn{stdio}, lspOptions(logger))
	switch {
	case err == nil, ctx.Err() != nil:
		return ExitOK
	case errors.Is(err, lsp.ErrExitWithoutShutdown):
		// The LSP specification asks for status 1 here.
		return ExitFindings
	}
	logger.Error("language server stopped", "error", err)
	return ExitInternal
}

// lspOptions is the one place where the language server is configured:
// features (hovers, completion, navigation) and shared services are added
// here as their packages arrive.
func lspOptions(logger *slog.Logger) lsp.Options {
	flows := pyflow.NewProject()
	return lsp.Options{
		Logger:   logger,
		Version:  version(),
		Rules:    ruleSet(),
		Explain:  explainMarkdown,
		Features: features.All(),
		// One flow-code index for the whole session, shared by every
		// analysis; it re-reads a .py file when its mtime changes.
		EnvValues: map[string]any{rules.FlowProjectKey: flows},
		// A created, deleted or renamed file changes the project's list of
		// .py files (used for entrypoint suggestions and completion).
		FileChanged: func(string) { flows.InvalidateListings() },
		// With the client watching files, existence checks and module
		// freshness are answered from memory between changes.
		FilesWatched: func() { flows.TrustCache(true) },
	}
}

// stdioConn joins the injected streams into the io.ReadWriteCloser the
// server talks over. Close closes whichever streams can be closed.
type stdioConn struct{ s Stdio }

func (c stdioConn) Read(p []byte) (int, error)  { return c.s.In.Read(p) }
func (c stdioConn) Write(p []byte) (int, error) { return c.s.Out.Write(p) }
func (c stdioConn) Close() error {
	var errs []error
	if cl, ok := c.s.In.(io.Closer); ok {
		errs = append(errs, cl.Close())
	}
	if cl, ok := c.s.Out.(io.Closer); ok {
		errs = append(errs, cl.Close())
	}
	return errors.Join(errs...)
}
