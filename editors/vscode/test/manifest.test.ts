// Checks package.json against the code that relies on it, so a renamed
// setting, command or matcher cannot drift silently.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { CHECK_PROBLEM_MATCHER, CHECK_TASK_TYPE, CLIENT_COMMANDS, EXPLAIN_SERVER_COMMAND } from "../src/commands";
import { RULE_SEVERITIES, SERVER_KINDS, toServerSettings, TRACE_LEVELS } from "../src/settings";

const root = path.resolve(__dirname, "..", "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const props: Record<string, { enum?: string[]; additionalProperties?: { enum?: string[] } }> =
  pkg.contributes.configuration.properties;

test("every forwarded setting is declared, plus the client-only path", () => {
  const forwarded = Object.keys(toServerSettings(() => undefined).settings).flatMap((k) =>
    k === "trace" ? ["trace.server"] : k === "python" ? ["python.enabled"] : [k],
  );
  const declared = Object.keys(props).map((k) => k.replace(/^prefect-lsp\./, ""));
  assert.deepEqual(declared.sort(), [...forwarded, "path"].sort());
});

test("declared enums equal the values the settings mapper accepts", () => {
  assert.deepEqual(props["prefect-lsp.rules"].additionalProperties?.enum, [...RULE_SEVERITIES]);
  assert.deepEqual(props["prefect-lsp.server"].enum, [...SERVER_KINDS]);
  assert.deepEqual(props["prefect-lsp.trace.server"].enum, [...TRACE_LEVELS]);
});

test("contributed commands are exactly the client commands", () => {
  const ids: string[] = pkg.contributes.commands.map((c: { command: string }) => c.command).sort();
  assert.ok(!ids.includes(EXPLAIN_SERVER_COMMAND));
  assert.deepEqual(ids, [...Object.values(CLIENT_COMMANDS)].sort());
});

test("activation covers prefect.yaml workspaces, YAML and Python documents", () => {
  assert.ok(pkg.activationEvents.includes("workspaceContains:**/prefect.yaml"));
  assert.ok(pkg.activationEvents.includes("workspaceContains:**/prefect.yml"));
  assert.ok(pkg.activationEvents.includes("onLanguage:yaml"));
  assert.ok(pkg.activationEvents.includes("onLanguage:python"));
  assert.equal(pkg.main, "./out/extension.js");
});

test("engines.vscode is not older than @types/vscode (vsce refuses otherwise)", () => {
  const engine = String(pkg.engines.vscode).replace(/^\^/, "");
  const types = String(pkg.devDependencies["@types/vscode"]).replace(/^[\^~]/, "");
  const num = (v: string) => v.split(".").map(Number);
  const [e, t] = [num(engine), num(types)];
  assert.ok(e[0] > t[0] || (e[0] === t[0] && e[1] >= t[1]), `${engine} < ${types}`);
});

test("yamlValidation placeholder schema exists, parses and accepts anything", () => {
  const [entry] = pkg.contributes.yamlValidation;
  assert.deepEqual(entry.fileMatch, ["prefect.yaml", "prefect.yml"]);
  const schema = JSON.parse(fs.readFileSync(path.join(root, entry.url), "utf8"));
  for (const constraint of ["type", "properties", "required", "additionalProperties", "allOf", "anyOf", "oneOf", "$ref"]) {
    assert.equal(constraint in schema, false, `placeholder schema must not constrain (${constraint})`);
  }
});

test("task type and problem matcher names match the code", () => {
  assert.equal(pkg.contributes.taskDefinitions[0].type, CHECK_TASK_TYPE);
  assert.equal(`$${pkg.contributes.problemMatchers[0].name}`, CHECK_PROBLEM_MATCHER);
});

interface Matched {
  severity: string;
  file: string;
  line: string;
  column?: string;
  endLine?: string;
  endColumn?: string;
  code?: string;
  message: string;
}

function matchAnnotation(line: string): Matched | undefined {
  const matcher = pkg.contributes.problemMatchers[0];
  const p = matcher.pattern;
  const m = new RegExp(p.regexp).exec(line);
  if (!m) {
    return undefined;
  }
  return {
    severity: m[p.severity],
    file: m[p.file],
    line: m[p.line],
    column: m[p.column],
    endLine: m[p.endLine],
    endColumn: m[p.endColumn],
    code: m[p.code],
    message: m[p.message],
  };
}

test("problem matcher reads GitHub annotations with properties in any order", () => {
  assert.deepEqual(
    matchAnnotation("::error file=prefect.yaml,line=12,col=5,endLine=12,endColumn=9,title=work-pool-unknown::Work pool 'k8' is not defined"),
    {
      severity: "error",
      file: "prefect.yaml",
      line: "12",
      column: "5",
      endLine: "12",
      endColumn: "9",
      code: "work-pool-unknown",
      message: "Work pool 'k8' is not defined",
    },
  );
  assert.deepEqual(
    matchAnnotation("::warning title=schedule-timezone,col=3,line=4,file=deploy/prefect.yml::No timezone: uses UTC"),
    {
      severity: "warning",
      file: "deploy/prefect.yml",
      line: "4",
      column: "3",
      endLine: undefined,
      endColumn: undefined,
      code: "schedule-timezone",
      message: "No timezone: uses UTC",
    },
  );
  // As internal/cli's github formatter writes it (rule id in the message, ':' and ',' escaped in properties).
  assert.deepEqual(
    matchAnnotation("::notice file=sub%2Cdir/prefect.yaml,line=3,col=1,endLine=4,endColumn=2,title=pull-step::Use a pull step: see docs [pull-step]"),
    {
      severity: "notice",
      file: "sub%2Cdir/prefect.yaml",
      line: "3",
      column: "1",
      endLine: "4",
      endColumn: "2",
      code: "pull-step",
      message: "Use a pull step: see docs [pull-step]",
    },
  );
  const notice = matchAnnotation("::notice file=a/prefect.yaml,line=1::hint text");
  assert.equal(notice?.severity, "notice");
  assert.equal(notice?.column, undefined);
  assert.equal(notice?.message, "hint text");
});

test("problem matcher ignores lines that are not file annotations", () => {
  assert.equal(matchAnnotation("prefect.yaml:3:1: error: something"), undefined);
  assert.equal(matchAnnotation("::error::no file given"), undefined);
  assert.equal(matchAnnotation("::group::Checking"), undefined);
  assert.equal(matchAnnotation("::error file=x.yaml::no line"), undefined);
  // "endLine=" alone must not be read as "line=".
  assert.equal(matchAnnotation("::error file=x.yaml,endLine=3::m"), undefined);
});

test("only extension.ts imports vscode, so the other modules run under plain Node", () => {
  const srcDir = path.join(root, "src");
  for (const name of fs.readdirSync(srcDir)) {
    const text = fs.readFileSync(path.join(srcDir, name), "utf8");
    const importsVscode = /from\s+["']vscode["']|require\(["']vscode["']\)|from\s+["']vscode-languageclient/.test(
      text.replace(/import type [^;]+;/g, ""),
    );
    assert.equal(importsVscode, name === "extension.ts", name);
  }
});
