// Package lsp is prefect-lsp's language server: LSP 3.18 over JSON-RPC
// (go.lsp.dev/{protocol,jsonrpc2,uri} v1.0.1, imported nowhere else).
//
// It owns the connection lifecycle, document synchronisation (incremental,
// version-guarded, applied in wire order), scheduling of analyses on
// immutable snapshots, publishing and pulling of diagnostics, code actions,
// hover, completion, navigation for YAML anchors, symbols, folding ranges,
// links and inlay hints. The analysis itself lives in internal/analysis;
// other packages add editor features through Feature (see features.go)
// without editing this package. All positions cross the boundary once,
// here: features see byte offsets and return byte spans.
//
// Nothing in this package writes to stdout except the transport.
package lsp
