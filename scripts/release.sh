#!/usr/bin/env bash
# Builds a release: prefect-lsp for six platforms, and one platform-specific VS Code extension
# (VSIX) per platform with that platform's binary bundled.
#
#   scripts/release.sh [--version V] [--dist DIR] [--targets "linux-x64 win32-arm64"]
#                      [--skip-build] [--skip-vsix]
#
#   --version V    version stamped into the binaries (-X main.version=V) and, when V is plain
#                  semver (1.2.3), into the VSIX files; default: `git describe --tags`, minus a
#                  leading "v" (VSIX files then keep editors/vscode/package.json's version)
#   --dist DIR     output folder (default: dist/ at the repository root)
#   --targets T    subset of: linux-x64 linux-arm64 darwin-x64 darwin-arm64 win32-x64 win32-arm64
#   --skip-build   do not run `go build`; use the binaries already in DIR (same file names)
#   --skip-vsix    build the binaries only
#
# Output in DIR: prefect-lsp-<target>[.exe] per target, prefect-lsp-<target>-<version>.vsix per
# target, and SHA256SUMS. Binaries: CGO_ENABLED=0 go build -trimpath -ldflags "-s -w
# -X main.version=V" ./cmd/prefect-lsp. For each target in turn the binary is copied to
# editors/vscode/bin/<target>/ (alone), `vsce package --target <target>` runs, and the VSIX is
# checked to bundle exactly that binary; editors/vscode/bin/ is removed afterwards. Needs go, node and npm (vsce comes from
# editors/vscode's devDependencies; `npm ci` runs when node_modules is missing).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
all_targets="linux-x64 linux-arm64 darwin-x64 darwin-arm64 win32-x64 win32-arm64"
targets=$all_targets
dist=$root/dist
version=""
skip_build=0
skip_vsix=0

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--version) version=${2:?--version needs a value}; shift 2 ;;
	--version=*) version=${1#*=}; shift ;;
	--dist) dist=${2:?--dist needs a value}; shift 2 ;;
	--dist=*) dist=${1#*=}; shift ;;
	--targets) targets=${2:?--targets needs a value}; shift 2 ;;
	--targets=*) targets=${1#*=}; shift ;;
	--skip-build) skip_build=1; shift ;;
	--skip-vsix) skip_vsix=1; shift ;;
	-h|--help) usage ;;
	*) echo "release.sh: unknown argument $1" >&2; usage ;;
	esac
done

for t in $targets; do
	case " $all_targets " in *" $t "*) ;; *) echo "release.sh: unknown target $t" >&2; exit 2 ;; esac
done

if [ -z "$version" ]; then
	version=$(git -C "$root" describe --tags --always --dirty 2>/dev/null || echo dev)
	version=${version#v}
fi
case $version in *[!A-Za-z0-9._+-]*) echo "release.sh: bad version '$version'" >&2; exit 2 ;; esac

mkdir -p "$dist"
dist=$(cd "$dist" && pwd)

goos_of() { case $1 in linux-*) echo linux ;; darwin-*) echo darwin ;; win32-*) echo windows ;; esac; }
goarch_of() { case $1 in *-x64) echo amd64 ;; *-arm64) echo arm64 ;; esac; }
exe_of() { case $1 in win32-*) echo .exe ;; *) echo "" ;; esac; }

if [ "$skip_build" -eq 0 ]; then
	if [ ! -d "$root/cmd/prefect-lsp" ]; then
		echo "release.sh: $root/cmd/prefect-lsp does not exist" >&2
		exit 1
	fi
	for t in $targets; do
		out=$dist/prefect-lsp-$t$(exe_of "$t")
		echo "release.sh: go build $t -> $out" >&2
		(cd "$root" && CGO_ENABLED=0 GOOS=$(goos_of "$t") GOARCH=$(goarch_of "$t") \
			go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$out" ./cmd/prefect-lsp)
	done
fi
for t in $targets; do
	bin=$dist/prefect-lsp-$t$(exe_of "$t")
	[ -f "$bin" ] || { echo "release.sh: missing $bin" >&2; exit 1; }
done

# verify_vsix FILE ENTRY: the VSIX bundles exactly one binary, ENTRY.
verify_vsix() {
	local entries
	if command -v python3 >/dev/null 2>&1; then
		entries=$(python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$1")
	elif command -v unzip >/dev/null 2>&1; then
		entries=$(unzip -Z1 "$1")
	else
		echo "release.sh: cannot list $1 (no python3 or unzip); not verified" >&2
		return 0
	fi
	local bins
	bins=$(printf '%s\n' "$entries" | grep '^extension/bin/' || true)
	if [ "$bins" != "$2" ]; then
		echo "release.sh: $1 should bundle only $2, has: ${bins:-nothing}" >&2
		exit 1
	fi
}

if [ "$skip_vsix" -eq 0 ]; then
	ext=$root/editors/vscode
	# vsce accepts plain semver only; otherwise keep package.json's version.
	vsix_version_args=()
	vsix_version=$(node -p "require('$ext/package.json').version")
	if [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
		vsix_version=$version
		vsix_version_args=("$version" --no-git-tag-version --no-update-package-json)
	fi
	if [ ! -d "$ext/node_modules" ]; then
		(cd "$ext" && npm ci --no-audit --no-fund)
	fi
	(cd "$ext" && npm test)
	# One target at a time: vsce's --ignore-other-target-folders does not drop bin/<other-target>/,
	# so bin/ holds exactly the binary of the VSIX being packaged.
	trap 'rm -rf "$ext/bin"' EXIT
	for t in $targets; do
		rm -rf "$ext/bin"
		mkdir -p "$ext/bin/$t"
		cp "$dist/prefect-lsp-$t$(exe_of "$t")" "$ext/bin/$t/prefect-lsp$(exe_of "$t")"
		chmod 0755 "$ext/bin/$t/prefect-lsp$(exe_of "$t")"
		out=$dist/prefect-lsp-$t-$vsix_version.vsix
		echo "release.sh: vsce package --target $t -> $out" >&2
		(cd "$ext" && npx --no-install vsce package ${vsix_version_args[@]+"${vsix_version_args[@]}"} \
			--no-dependencies --target "$t" --out "$out")
		verify_vsix "$out" "extension/bin/$t/prefect-lsp$(exe_of "$t")"
	done
	rm -rf "$ext/bin"
fi

if command -v sha256sum >/dev/null 2>&1; then
	(cd "$dist" && rm -f SHA256SUMS && sha256sum prefect-lsp-* > SHA256SUMS)
else
	(cd "$dist" && rm -f SHA256SUMS && shasum -a 256 prefect-lsp-* > SHA256SUMS)
fi
echo "release.sh: done; artifacts in $dist" >&2
