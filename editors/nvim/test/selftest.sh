#!/bin/sh
# Self-test of the Neovim plugin, runnable without the Go server:
#   1. test/unit.lua under headless Neovim (pure functions, and the 0.8-0.10 / 0.11 start paths
#      with the Neovim API stubbed, since only one Neovim version is installed at a time);
#   2. test/run.sh and test/explain.lua against test/fake_lsp.py (a stand-in server, needs python3): the happy path,
#      a file that must not attach, a `files` glob that must attach, a silent server (timeout),
#      and bad inputs.
# Usage: editors/nvim/test/selftest.sh   (env PREFECT_LSP_NVIM picks the nvim binary)
# Prints a closing "N passed, N failed" line; exits non-zero on any failure. Skips (exit 0) when
# nvim is missing, unless CI=true.
set -u
here=$(cd "$(dirname "$0")" && pwd)
plugin=$(dirname "$here")
nvim=${PREFECT_LSP_NVIM:-nvim}

if ! command -v "$nvim" >/dev/null 2>&1; then
	if [ "${CI:-}" = "true" ]; then echo "selftest: nvim not found" >&2; exit 1; fi
	echo "selftest: nvim not found, skipping"; exit 0
fi

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1" >&2; }

if "$nvim" --headless -u NONE -i NONE -n --cmd "set rtp^=$plugin" -c "luafile $here/unit.lua" </dev/null; then
	ok "unit.lua"
else
	bad "unit.lua"
fi

if ! command -v python3 >/dev/null 2>&1; then
	if [ "${CI:-}" = "true" ]; then bad "python3 missing: cannot run the fake-server e2e tests"; fi
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]; exit $?
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/prefect-lsp-selftest.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
ws=$work/ws
mkdir -p "$ws/deploy" "$ws/.git"
printf 'deployments:\n  - name: a\n    work_pol:\n      name: k8s\n' >"$ws/prefect.yaml"
cp "$ws/prefect.yaml" "$ws/values.yaml"
cp "$ws/prefect.yaml" "$ws/deploy/prod.yaml"
silent=$work/silent-server
printf '#!/bin/sh\nexec sleep 30\n' >"$silent"
chmod +x "$silent"

# check NAME PYTHON-EXPR: asserts on the JSON result (bound to r).
check() {
	if python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$work/r.json" "$2" 2>/dev/null; then
		ok "$1"
	else
		bad "$1: $2 (result: $(head -c 600 "$work/r.json" 2>/dev/null))"
	fi
}
run() {
	PREFECT_LSP_BIN=${BIN:-$here/fake_lsp.py} PREFECT_LSP_WORKSPACE=$ws PREFECT_LSP_RESULT=$work/r.json \
		"$here/run.sh" 2>"$work/stderr"
}

# Generous for the cases that succeed (a loaded CI machine), short for those that must time out.
export PREFECT_LSP_TIMEOUT_MS=20000
PREFECT_LSP_SETTINGS='{"server":"cloud","rules":{"x":"off"}}' run; status=$?
[ "$status" -eq 0 ] && ok "happy path exits 0" || bad "happy path exits 0 (got $status: $(cat "$work/stderr"))"
check "result ok" 'r["ok"] is True and r["errors"] == []'
check "filetype stays yaml" 'r["filetype"] == "yaml"'
check "root is the folder holding .git" 'r["client"]["root_dir"].endswith("/ws")'
check "diagnostic received" 'len(r["diagnostics"]) == 1 and r["diagnostics"][0]["code"] == "fake-rule"'
check "hover at the diagnostic" 'r["hover"]["position"] == {"line": 2, "character": 4} and "hover at 2:4" in r["hover"]["result"]["contents"]["value"]'
check "settings forwarded" '"\"server\": \"cloud\"" in r["hover"]["result"]["contents"]["value"] and "\"workPools\": {}" in r["hover"]["result"]["contents"]["value"]'
check "code action for the diagnostic" 'r["code_actions"][0]["result"][0]["kind"] == "quickfix" and r["code_actions"][0]["diagnostic"]["code"] == "fake-rule"'

PREFECT_LSP_HOVER=0:3 run
check "explicit hover position" '"hover at 0:3" in r["hover"]["result"]["contents"]["value"]'

PREFECT_LSP_TIMEOUT_MS=1500 PREFECT_LSP_FILE=values.yaml run; status=$?
[ "$status" -eq 1 ] && ok "plain YAML file: no attach, exit 1" || bad "plain YAML file: no attach, exit 1 (got $status)"
check "plain YAML file: reported" 'r["ok"] is False and "did not attach" in r["errors"][0]'

PREFECT_LSP_FILE=deploy/prod.yaml PREFECT_LSP_SETTINGS='{"files":["deploy/*.yaml"]}' run; status=$?
[ "$status" -eq 0 ] && ok "files glob attaches" || bad "files glob attaches (got $status)"

if PREFECT_LSP_BIN=$here/fake_lsp.py PREFECT_LSP_FILE=$ws/prefect.yaml "$nvim" --headless -u NONE -i NONE -n \
	--cmd "set rtp^=$plugin" -c "luafile $here/explain.lua" </dev/null 2>"$work/stderr"; then
	ok ":PrefectLspExplain shows the markdown"
else
	bad ":PrefectLspExplain shows the markdown ($(cat "$work/stderr"))"
fi

BIN=$silent PREFECT_LSP_TIMEOUT_MS=1500 run; status=$?
[ "$status" -eq 1 ] && ok "silent server: timeout exit 1" || bad "silent server: timeout exit 1 (got $status)"
check "silent server: reported" 'r["ok"] is False and "timeout" in r["errors"][0]'

PREFECT_LSP_BIN=$here/fake_lsp.py PREFECT_LSP_WORKSPACE=$ws "$here/run.sh" 2>/dev/null; status=$?
[ "$status" -eq 2 ] && ok "missing PREFECT_LSP_RESULT: exit 2" || bad "missing PREFECT_LSP_RESULT: exit 2 (got $status)"
PREFECT_LSP_HOVER=nope run; status=$?
[ "$status" -eq 2 ] && ok "bad PREFECT_LSP_HOVER: exit 2" || bad "bad PREFECT_LSP_HOVER: exit 2 (got $status)"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
