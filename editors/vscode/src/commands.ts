// Command lines and request payloads used by the extension's commands.
// No `vscode` import: unit-tested under plain Node.

/** Server-side command (workspace/executeCommand) that renders a deployment explanation. */
export const EXPLAIN_SERVER_COMMAND = "prefect-lsp.explain";

/**
 * Client-side command ids. They must differ from EXPLAIN_SERVER_COMMAND:
 * vscode-languageclient registers every command the server advertises in
 * executeCommandProvider as a VS Code command of the same name.
 */
export const CLIENT_COMMANDS = {
  restartServer: "prefect-lsp.restartServer",
  showOutput: "prefect-lsp.showOutput",
  explainDeployment: "prefect-lsp.explainDeployment",
  checkWorkspace: "prefect-lsp.checkWorkspace",
} as const;

/** URI scheme of the read-only documents holding explain output. */
export const EXPLAIN_SCHEME = "prefect-lsp-explain";

/** Task type contributed in package.json (taskDefinitions) for `prefect-lsp check`. */
export const CHECK_TASK_TYPE = "prefect-lsp";

/** Problem matcher contributed in package.json; reads `check --format github` output. */
export const CHECK_PROBLEM_MATCHER = "$prefect-lsp";

export function explainRequestParams(documentUri: string): {
  command: string;
  arguments: { uri: string }[];
} {
  return { command: EXPLAIN_SERVER_COMMAND, arguments: [{ uri: documentUri }] };
}

/** Arguments for the CLI fallback when the server does not answer the explain command. */
export function explainCliArgs(filePath: string): string[] {
  // `explain --format text` prints markdown.
  return ["explain", "--format", "text", filePath];
}

/** Arguments for the "check workspace" task; paths empty = let the CLI discover files. */
export function checkCliArgs(paths: readonly string[] = []): string[] {
  return ["check", "--format", "github", ...paths];
}

/** Path (inside EXPLAIN_SCHEME) of the preview document for a given prefect.yaml path. */
export function explainDocumentPath(filePath: string): string {
  const base = filePath.split(/[\\/]/).filter((s) => s !== "").pop() ?? "prefect.yaml";
  return `/${base} — explained.md`;
}

/** True when explain output is usable markdown (the server may return null or a non-string). */
export function asExplainMarkdown(result: unknown): string | undefined {
  if (typeof result === "string" && result.trim() !== "") {
    return result;
  }
  if (
    typeof result === "object" &&
    result !== null &&
    typeof (result as { value?: unknown }).value === "string"
  ) {
    // Tolerate a MarkupContent-shaped answer.
    return (result as { value: string }).value;
  }
  return undefined;
}
