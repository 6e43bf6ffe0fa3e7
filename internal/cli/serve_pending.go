package cli

import "fmt"

func runServe(args []string, stdio Stdio) int {
	fmt.Fprintln(stdio.Err, "serve: pending internal/lsp")
	return ExitInternal
}
