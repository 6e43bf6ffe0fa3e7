// Text and tooltip of the status-bar item that shows the server's state.
// No `vscode` import: unit-tested under plain Node.

import type { BinarySource } from "./serverBinary";

export type ServerPhase = "idle" | "starting" | "running" | "stopped" | "failed";

export interface StatusDetail {
  command?: string;
  source?: BinarySource;
  serverVersion?: string;
  message?: string;
}

export interface StatusPresentation {
  text: string;
  tooltip: string;
  isError: boolean;
}

const SOURCE_LABEL: Record<BinarySource, string> = {
  setting: "from the prefect-lsp.path setting",
  bundled: "bundled with the extension",
  path: "found on PATH",
};

export function statusPresentation(phase: ServerPhase, detail: StatusDetail = {}): StatusPresentation {
  const lines: string[] = [];
  let text: string;
  switch (phase) {
    case "idle":
      text = "$(circle-outline) Prefect";
      lines.push("prefect-lsp starts when a prefect.yaml is opened.");
      break;
    case "starting":
      text = "$(loading~spin) Prefect";
      lines.push("prefect-lsp is starting…");
      break;
    case "running":
      text = "$(check) Prefect";
      lines.push(`prefect-lsp${detail.serverVersion ? ` ${detail.serverVersion}` : ""} is running.`);
      break;
    case "stopped":
      text = "$(circle-slash) Prefect";
      lines.push("prefect-lsp is stopped. Run “Prefect: Restart Language Server” to start it.");
      break;
    case "failed":
      text = "$(error) Prefect";
      lines.push("prefect-lsp could not run.");
      break;
  }
  if (detail.message) {
    lines.push(detail.message);
  }
  if (detail.command) {
    lines.push(
      `Binary: ${detail.command}${detail.source ? ` (${SOURCE_LABEL[detail.source]})` : ""}`,
    );
  }
  lines.push("Click to show the output.");
  return { text, tooltip: lines.join("\n"), isError: phase === "failed" };
}
