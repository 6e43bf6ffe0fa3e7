#!/bin/sh
# End-to-end check of the Neovim plugin against a real prefect-lsp binary.
#
# Starts headless Neovim with only this plugin (nvim -u NONE), calls
# require("prefect_lsp").setup{ cmd = { $PREFECT_LSP_BIN, "serve" } }, opens a file in the
# workspace, waits for textDocument/publishDiagnostics (the first one, then until none arrives
# for PREFECT_LSP_SETTLE_MS), requests textDocument/hover at one position and
# textDocument/codeAction at each diagnostic's range, writes the results as JSON and exits.
#
# Inputs (environment):
#   PREFECT_LSP_BIN        required  path of the prefect-lsp binary (started as `BIN serve`)
#   PREFECT_LSP_WORKSPACE  required  directory holding the file to open
#   PREFECT_LSP_RESULT     required  path of the JSON file to write
#   PREFECT_LSP_FILE       optional  file to open, relative to the workspace (default prefect.yaml)
#   PREFECT_LSP_HOVER      optional  hover position "LINE:CHARACTER", 0-based LSP units (UTF-16);
#                                    default: start of the first diagnostic, else 0:0
#   PREFECT_LSP_SETTINGS   optional  JSON object for the `prefect-lsp` settings section,
#                                    e.g. '{"rules":{"some-rule":"off"},"server":"cloud"}'
#   PREFECT_LSP_TIMEOUT_MS optional  per-step timeout (default 15000)
#   PREFECT_LSP_SETTLE_MS  optional  quiet time after the last publish (default 500)
#   PREFECT_LSP_MAX_ACTIONS optional at most this many codeAction requests (default 20)
#   PREFECT_LSP_NVIM       optional  nvim executable (default: nvim on PATH)
#   PREFECT_LSP_LOG_DIR    optional  keep Neovim's state (lsp.log) here instead of a temp dir
#
# Output: the JSON file at PREFECT_LSP_RESULT, one object:
#   ok              true when every step finished before its timeout
#   errors          list of strings (empty when ok)
#   nvim_version    "0.7.2" etc.; strategy: "native" (0.11+), "start" (0.8-0.10), "start_client" (0.7)
#   file, uri       the opened file; filetype: its Neovim filetype (expected "yaml")
#   client          { name, root_dir, server_info, server_capabilities } (from initialize)
#   publish_count   number of publishDiagnostics received for the file
#   diagnostics     the last published LSP Diagnostic[] (raw: range, severity, code, source, data…)
#   hover           { position, result (Hover or null), error (ResponseError or null) }
#   code_actions    [{ diagnostic, result ((Command|CodeAction)[] or null), error }] in diagnostic order
#   lsp_log         path of Neovim's LSP log
# Note: Neovim's json_encode writes empty Lua tables as [] (e.g. an empty diagnostics list).
#
# Exit status: 0 all steps done; 1 timeout (no attach, no diagnostics, or a request unanswered);
# 2 bad inputs; other non-zero: Neovim failed. The whole run is bounded by `timeout` when that
# command exists. On failure the tail of the LSP log is copied to stderr.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
plugin=$(dirname "$here")

if [ -z "${PREFECT_LSP_BIN:-}" ] || [ -z "${PREFECT_LSP_WORKSPACE:-}" ] || [ -z "${PREFECT_LSP_RESULT:-}" ]; then
	echo "run.sh: PREFECT_LSP_BIN, PREFECT_LSP_WORKSPACE and PREFECT_LSP_RESULT are required" >&2
	exit 2
fi
if [ ! -x "$PREFECT_LSP_BIN" ]; then
	echo "run.sh: PREFECT_LSP_BIN=$PREFECT_LSP_BIN is not executable" >&2
	exit 2
fi
if [ ! -d "$PREFECT_LSP_WORKSPACE" ]; then
	echo "run.sh: PREFECT_LSP_WORKSPACE=$PREFECT_LSP_WORKSPACE is not a directory" >&2
	exit 2
fi
nvim=${PREFECT_LSP_NVIM:-nvim}
command -v "$nvim" >/dev/null 2>&1 || { echo "run.sh: $nvim not found" >&2; exit 2; }

# Absolute paths: Neovim changes nothing here, but the caller's cwd may differ from ours.
PREFECT_LSP_WORKSPACE=$(cd "$PREFECT_LSP_WORKSPACE" && pwd)
case $PREFECT_LSP_RESULT in /*) ;; *) PREFECT_LSP_RESULT=$(pwd)/$PREFECT_LSP_RESULT ;; esac
case $PREFECT_LSP_BIN in /*) ;; *) PREFECT_LSP_BIN=$(cd "$(dirname "$PREFECT_LSP_BIN")" && pwd)/$(basename "$PREFECT_LSP_BIN") ;; esac
export PREFECT_LSP_WORKSPACE PREFECT_LSP_RESULT PREFECT_LSP_BIN
rm -f "$PREFECT_LSP_RESULT"

# Isolate Neovim's state (LSP log, shada) from the user's.
if [ -n "${PREFECT_LSP_LOG_DIR:-}" ]; then
	state=$PREFECT_LSP_LOG_DIR
	mkdir -p "$state"
	cleanup() { :; }
else
	state=$(mktemp -d "${TMPDIR:-/tmp}/prefect-lsp-nvim.XXXXXX")
	cleanup() { rm -rf "$state"; }
fi
trap cleanup EXIT INT TERM
export XDG_STATE_HOME="$state/state" XDG_CACHE_HOME="$state/cache" XDG_DATA_HOME="$state/data" XDG_CONFIG_HOME="$state/config"

timeout_ms=${PREFECT_LSP_TIMEOUT_MS:-15000}
# Attach + diagnostics + hover + up to MAX_ACTIONS code actions, each bounded by timeout_ms.
limit=$(( (timeout_ms / 1000 + 1) * (3 + ${PREFECT_LSP_MAX_ACTIONS:-20}) + 10 ))
bound=""
if command -v timeout >/dev/null 2>&1; then
	bound="timeout -k 5 $limit"
fi

cd "$PREFECT_LSP_WORKSPACE"
set +e
# shellcheck disable=SC2086 # $bound is intentionally split
PREFECT_LSP_PLUGIN_DIR=$plugin PREFECT_LSP_E2E=$here/e2e.lua \
	$bound "$nvim" --headless -u NONE -i NONE -n \
	--cmd 'lua vim.opt.runtimepath:prepend(os.getenv("PREFECT_LSP_PLUGIN_DIR"))' \
	-c 'lua dofile(os.getenv("PREFECT_LSP_E2E"))' </dev/null >&2
status=$?
set -e

if [ "$status" -ne 0 ]; then
	[ "$status" -eq 124 ] && echo "run.sh: nvim did not finish within ${limit}s" >&2
	for log in "$state"/state/nvim/lsp.log "$state"/cache/nvim/lsp.log; do
		if [ -f "$log" ]; then
			echo "run.sh: tail of $log:" >&2
			tail -n 40 "$log" >&2
		fi
	done
	[ "$status" -eq 124 ] && status=1
fi
if [ "$status" -eq 0 ] && [ ! -s "$PREFECT_LSP_RESULT" ]; then
	echo "run.sh: nvim exited 0 but wrote no result" >&2
	status=1
fi
exit "$status"
