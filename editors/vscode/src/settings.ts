// Maps the VS Code settings under `prefect-lsp.*` onto the object the server
// receives for the `prefect-lsp` section of workspace/configuration.
//
// The server contract: { files, rules, workPools, prefectVersion, server,
// python: { enabled }, trace: { server } }. `path` is client-only and is never forwarded.
// Values of the wrong type are dropped (and reported) rather than forwarded,
// so a typo in settings.json cannot crash or confuse the server.
// No `vscode` import: unit-tested under plain Node.

export const SETTINGS_SECTION = "prefect-lsp";

export const RULE_SEVERITIES = ["error", "warning", "information", "hint", "off"] as const;
export type RuleSeverity = (typeof RULE_SEVERITIES)[number];

export const SERVER_KINDS = ["cloud", "self-hosted", "unknown"] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

export const TRACE_LEVELS = ["off", "messages", "verbose"] as const;
export type TraceLevel = (typeof TRACE_LEVELS)[number];

export interface ServerSettings {
  files: string[];
  rules: Record<string, RuleSeverity>;
  workPools: Record<string, string>;
  prefectVersion: string;
  server: ServerKind;
  python: { enabled: boolean };
  trace: { server: TraceLevel };
}

export interface SettingsProblem {
  key: string;
  message: string;
}

/** Reads one setting below `prefect-lsp.` (e.g. "rules", "trace.server"). */
export type ConfigReader = (key: string) => unknown;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function oneOf<T extends string>(
  allowed: readonly T[],
  value: unknown,
  fallback: T,
  key: string,
  problems: SettingsProblem[],
): T {
  if (value === undefined || value === null) {
    return fallback;
  }
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) {
    return value as T;
  }
  problems.push({
    key,
    message: `expected one of ${allowed.join(", ")}; got ${JSON.stringify(value)}`,
  });
  return fallback;
}

export function toServerSettings(read: ConfigReader): {
  settings: ServerSettings;
  problems: SettingsProblem[];
} {
  const problems: SettingsProblem[] = [];

  const files: string[] = [];
  const rawFiles = read("files");
  if (Array.isArray(rawFiles)) {
    rawFiles.forEach((entry, i) => {
      if (typeof entry === "string" && entry.trim() !== "") {
        files.push(entry.trim());
      } else {
        problems.push({ key: `files[${i}]`, message: "expected a non-empty glob string" });
      }
    });
  } else if (rawFiles !== undefined && rawFiles !== null) {
    problems.push({ key: "files", message: "expected an array of glob strings" });
  }

  const rules: Record<string, RuleSeverity> = {};
  const rawRules = read("rules");
  if (isPlainObject(rawRules)) {
    for (const [ruleId, severity] of Object.entries(rawRules)) {
      if (typeof severity === "string" && (RULE_SEVERITIES as readonly string[]).includes(severity)) {
        rules[ruleId] = severity as RuleSeverity;
      } else {
        problems.push({
          key: `rules.${ruleId}`,
          message: `expected one of ${RULE_SEVERITIES.join(", ")}; got ${JSON.stringify(severity)}`,
        });
      }
    }
  } else if (rawRules !== undefined && rawRules !== null) {
    problems.push({ key: "rules", message: "expected an object of rule id to severity" });
  }

  const workPools: Record<string, string> = {};
  const rawPools = read("workPools");
  if (isPlainObject(rawPools)) {
    for (const [pool, poolType] of Object.entries(rawPools)) {
      if (typeof poolType === "string" && poolType.trim() !== "") {
        workPools[pool] = poolType.trim();
      } else {
        problems.push({ key: `workPools.${pool}`, message: "expected a work-pool type string" });
      }
    }
  } else if (rawPools !== undefined && rawPools !== null) {
    problems.push({ key: "workPools", message: "expected an object of pool name to pool type" });
  }

  let prefectVersion = "";
  const rawVersion = read("prefectVersion");
  if (typeof rawVersion === "string") {
    prefectVersion = rawVersion.trim();
  } else if (rawVersion !== undefined && rawVersion !== null) {
    problems.push({ key: "prefectVersion", message: "expected a version string" });
  }

  const server = oneOf(SERVER_KINDS, read("server"), "unknown", "server", problems);
  let pythonEnabled = true;
  const rawPython = read("python.enabled");
  if (typeof rawPython === "boolean") {
    pythonEnabled = rawPython;
  } else if (rawPython !== undefined && rawPython !== null) {
    problems.push({ key: "python.enabled", message: `expected true or false; got ${JSON.stringify(rawPython)}` });
  }
  const traceServer = oneOf(TRACE_LEVELS, read("trace.server"), "off", "trace.server", problems);

  return {
    settings: {
      files,
      rules,
      workPools,
      prefectVersion,
      server,
      python: { enabled: pythonEnabled },
      trace: { server: traceServer },
    },
    problems,
  };
}

/** One item of a workspace/configuration request. */
export interface ConfigurationItemLike {
  section?: string;
  scopeUri?: string;
}

/**
 * The answer for one workspace/configuration item. Items for the
 * `prefect-lsp` section (or a sub-key such as `prefect-lsp.rules`) get the
 * mapped settings; any other item keeps the client's default answer.
 */
export function answerConfigurationItem(
  item: ConfigurationItemLike,
  defaultAnswer: unknown,
  read: ConfigReader,
): unknown {
  const section = item.section ?? "";
  if (section === SETTINGS_SECTION) {
    return toServerSettings(read).settings;
  }
  if (section.startsWith(`${SETTINGS_SECTION}.`)) {
    const subKey = section.slice(SETTINGS_SECTION.length + 1);
    if (subKey === "path") {
      return null; // client-only
    }
    let value: unknown = toServerSettings(read).settings;
    for (const part of subKey.split(".")) {
      value = isPlainObject(value) ? value[part] : undefined;
    }
    return value === undefined ? null : value;
  }
  return defaultAnswer;
}

/** Setting keys (below `prefect-lsp.`) whose change requires a server restart. */
export const RESTART_KEYS = ["path", "files", "python.enabled"] as const;
