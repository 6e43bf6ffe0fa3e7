// Command prefect-lsp is the language server and CI linter for Prefect's
// prefect.yaml. Everything it does lives in internal/cli; this file only
// wires the process's standard streams and exit code.
package main

import (
	"os"

	"github.com/prefect-lsp/prefect-lsp/internal/cli"
)

// version is set at build time:
//
//	go build -ldflags "-X main.version=v1.2.3" ./cmd/prefect-lsp
var version = ""

func main() {
	if version != "" {
		cli.Version = version
	}
	os.Exit(cli.Main(os.Args[1:], cli.Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
}
