// Maps Node's process.platform/process.arch onto the VS Code platform targets
// for which a platform-specific VSIX (with a bundled prefect-lsp binary) is built.
// No `vscode` import: unit-tested under plain Node.

export const SUPPORTED_TARGETS = [
  "linux-x64",
  "linux-arm64",
  "darwin-x64",
  "darwin-arm64",
  "win32-x64",
  "win32-arm64",
] as const;

export type Target = (typeof SUPPORTED_TARGETS)[number];

/** The VSIX target for a Node platform/arch pair, or undefined when no binary is shipped for it. */
export function targetFor(platform: string, arch: string): Target | undefined {
  const candidate = `${platform}-${arch}`;
  return (SUPPORTED_TARGETS as readonly string[]).includes(candidate)
    ? (candidate as Target)
    : undefined;
}

/** File name of the server executable on the given platform. */
export function binaryFileName(platform: string): string {
  return platform === "win32" ? "prefect-lsp.exe" : "prefect-lsp";
}
