// Decides which prefect-lsp executable the extension starts.
//
// Order (first hit wins):
//   1. the `prefect-lsp.path` setting, when the user set one. An explicit
//      setting that points at nothing is an error, never silently skipped;
//   2. the binary bundled in a platform-specific VSIX at
//      bin/<platform>-<arch>/prefect-lsp[.exe];
//   3. `prefect-lsp[.exe]` found on PATH.
//
// All file-system access goes through `isExecutableFile` so the logic is
// unit-tested under plain Node with a fake file system. No `vscode` import.

import * as fs from "node:fs";
import * as path from "node:path";
import { binaryFileName, targetFor } from "./platform";

export type BinarySource = "setting" | "bundled" | "path";

export interface BinaryLookup {
  /** Absolute path of the installed extension (context.extensionPath). */
  extensionPath: string;
  platform: string;
  arch: string;
  /** Value of the `prefect-lsp.path` setting ("" or undefined when unset). */
  configuredPath?: string;
  /** Workspace folder paths; the first resolves relative paths and ${workspaceFolder}. */
  workspaceFolders?: readonly string[];
  homeDir?: string;
  /** Value of the PATH environment variable. */
  envPath?: string;
  isExecutableFile(candidate: string): boolean;
}

export type BinaryResolution =
  | { ok: true; command: string; source: BinarySource; tried: string[] }
  | { ok: false; message: string; tried: string[] };

function pathApi(platform: string): path.PlatformPath {
  return platform === "win32" ? path.win32 : path.posix;
}

/** Expands ~, ${userHome} and ${workspaceFolder} in a user-supplied path. */
export function expandConfiguredPath(
  value: string,
  platform: string,
  homeDir?: string,
  workspaceFolders?: readonly string[],
): string {
  let out = value.trim();
  const p = pathApi(platform);
  if (homeDir) {
    out = out.replace(/\$\{userHome\}/g, homeDir);
    if (out === "~") {
      out = homeDir;
    } else if (out.startsWith("~/") || out.startsWith("~\\")) {
      out = p.join(homeDir, out.slice(2));
    }
  }
  const folder = workspaceFolders?.[0];
  if (folder) {
    out = out.replace(/\$\{workspaceFolder\}/g, folder);
  }
  return out;
}

function hasSeparator(value: string, platform: string): boolean {
  return platform === "win32" ? /[\\/]/.test(value) : value.includes("/");
}

/** Looks `name` up on PATH; returns the first executable hit. */
export function findOnPath(
  name: string,
  lookup: Pick<BinaryLookup, "platform" | "envPath" | "isExecutableFile">,
  tried: string[],
): string | undefined {
  const p = pathApi(lookup.platform);
  const delimiter = lookup.platform === "win32" ? ";" : ":";
  const names =
    lookup.platform === "win32" && !name.toLowerCase().endsWith(".exe") ? [`${name}.exe`] : [name];
  for (const rawDir of (lookup.envPath ?? "").split(delimiter)) {
    const dir = rawDir.trim().replace(/^"(.*)"$/, "$1");
    if (dir === "") {
      continue;
    }
    for (const n of names) {
      const candidate = p.join(dir, n);
      tried.push(candidate);
      if (lookup.isExecutableFile(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

export function resolveServerBinary(lookup: BinaryLookup): BinaryResolution {
  const tried: string[] = [];
  const p = pathApi(lookup.platform);

  const configured = (lookup.configuredPath ?? "").trim();
  if (configured !== "") {
    const expanded = expandConfiguredPath(
      configured,
      lookup.platform,
      lookup.homeDir,
      lookup.workspaceFolders,
    );
    if (!hasSeparator(expanded, lookup.platform)) {
      // A bare command name: resolve it on PATH.
      const hit = findOnPath(expanded, lookup, tried);
      if (hit) {
        return { ok: true, command: hit, source: "setting", tried };
      }
      return {
        ok: false,
        message: `prefect-lsp.path is "${configured}", but no executable of that name is on PATH.`,
        tried,
      };
    }
    let candidate = expanded;
    if (!p.isAbsolute(candidate)) {
      const base = lookup.workspaceFolders?.[0];
      if (base) {
        candidate = p.resolve(base, candidate);
      }
    }
    tried.push(candidate);
    if (lookup.isExecutableFile(candidate)) {
      return { ok: true, command: candidate, source: "setting", tried };
    }
    return {
      ok: false,
      message: `prefect-lsp.path is "${configured}", but ${candidate} is not an executable file.`,
      tried,
    };
  }

  const target = targetFor(lookup.platform, lookup.arch);
  if (target) {
    const bundled = p.join(lookup.extensionPath, "bin", target, binaryFileName(lookup.platform));
    tried.push(bundled);
    if (lookup.isExecutableFile(bundled)) {
      return { ok: true, command: bundled, source: "bundled", tried };
    }
  }

  const onPath = findOnPath("prefect-lsp", lookup, tried);
  if (onPath) {
    return { ok: true, command: onPath, source: "path", tried };
  }

  const platformNote = target
    ? `This installation has no bundled binary for ${target} (install the platform-specific extension build).`
    : `No bundled binary exists for ${lookup.platform}-${lookup.arch}.`;
  return {
    ok: false,
    message:
      `prefect-lsp executable not found. ${platformNote} ` +
      "Install prefect-lsp (e.g. `go install github.com/prefect-lsp/prefect-lsp/cmd/prefect-lsp@latest`) " +
      "and put it on PATH, or set the `prefect-lsp.path` setting.",
    tried,
  };
}

/**
 * Restores the execute bit on the bundled binary if an unzip step dropped it.
 * Returns true when the bundled binary exists and is executable afterwards.
 */
export function ensureBundledExecutable(extensionPath: string, platform: string, arch: string): boolean {
  const target = targetFor(platform, arch);
  if (!target || platform === "win32") {
    return false;
  }
  const bundled = path.join(extensionPath, "bin", target, binaryFileName(platform));
  try {
    if (!fs.statSync(bundled).isFile()) {
      return false;
    }
    if (!isExecutableFileOnDisk(bundled)) {
      fs.chmodSync(bundled, 0o755);
    }
    return isExecutableFileOnDisk(bundled);
  } catch {
    return false;
  }
}

/** Real-file-system check used by the extension: a regular file we may execute. */
export function isExecutableFileOnDisk(candidate: string): boolean {
  try {
    const stat = fs.statSync(candidate);
    if (!stat.isFile()) {
      return false;
    }
    if (process.platform === "win32") {
      return true;
    }
    fs.accessSync(candidate, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
