import assert from "node:assert/strict";
import { test } from "node:test";
import { answerConfigurationItem, type ConfigReader, toServerSettings } from "../src/settings";

function reader(values: Record<string, unknown>): ConfigReader {
  return (key) => values[key];
}

const DEFAULTS = {
  files: [],
  rules: {},
  workPools: {},
  prefectVersion: "",
  server: "unknown",
  python: { enabled: true },
  trace: { server: "off" },
};

test("unset settings map to the documented defaults", () => {
  const { settings, problems } = toServerSettings(reader({}));
  assert.deepEqual(settings, DEFAULTS);
  assert.deepEqual(problems, []);
});

test("valid settings are forwarded, trimmed, and path is never forwarded", () => {
  const { settings, problems } = toServerSettings(
    reader({
      path: "/opt/prefect-lsp",
      files: [" deploy/*.yaml ", "ci/prefect-*.yml"],
      rules: { "schedule-timezone-missing": "off", "entrypoint-missing": "error" },
      workPools: { k8s: "kubernetes", ecs: " ecs " },
      prefectVersion: " 3.4.0 ",
      server: "self-hosted",
      "python.enabled": false,
      "trace.server": "verbose",
    }),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(settings, {
    files: ["deploy/*.yaml", "ci/prefect-*.yml"],
    rules: { "schedule-timezone-missing": "off", "entrypoint-missing": "error" },
    workPools: { k8s: "kubernetes", ecs: "ecs" },
    prefectVersion: "3.4.0",
    server: "self-hosted",
    python: { enabled: false },
    trace: { server: "verbose" },
  });
  assert.equal("path" in settings, false);
});

test("wrongly typed values are dropped and reported, the rest survives", () => {
  const { settings, problems } = toServerSettings(
    reader({
      files: ["ok.yaml", 3, ""],
      rules: { a: "fatal", b: "hint", c: 1 },
      workPools: { p: 7, q: "process" },
      prefectVersion: 3,
      server: "Cloud",
      "python.enabled": "no",
      "trace.server": true,
    }),
  );
  assert.deepEqual(settings.files, ["ok.yaml"]);
  assert.deepEqual(settings.rules, { b: "hint" });
  assert.deepEqual(settings.workPools, { q: "process" });
  assert.equal(settings.prefectVersion, "");
  assert.equal(settings.server, "unknown");
  assert.equal(settings.trace.server, "off");
  assert.equal(settings.python.enabled, true);
  assert.deepEqual(
    problems.map((p) => p.key).sort(),
    ["files[1]", "files[2]", "prefectVersion", "python.enabled", "rules.a", "rules.c", "server", "trace.server", "workPools.p"].sort(),
  );
});

test("non-object rules/workPools and non-array files are reported", () => {
  const { settings, problems } = toServerSettings(reader({ files: "x.yaml", rules: ["a"], workPools: "k8s" }));
  assert.deepEqual(settings.files, []);
  assert.deepEqual(settings.rules, {});
  assert.deepEqual(settings.workPools, {});
  assert.deepEqual(problems.map((p) => p.key), ["files", "rules", "workPools"]);
});

test("workspace/configuration: prefect-lsp section gets the mapped object", () => {
  const read = reader({ server: "cloud", path: "/x", rules: { r: "warning" } });
  const answer = answerConfigurationItem({ section: "prefect-lsp" }, { path: "/x", raw: true }, read);
  assert.deepEqual(answer, { ...DEFAULTS, server: "cloud", rules: { r: "warning" } });
});

test("workspace/configuration: sub-keys and other sections", () => {
  const read = reader({ server: "cloud", "trace.server": "messages", path: "/x" });
  assert.equal(answerConfigurationItem({ section: "prefect-lsp.server" }, null, read), "cloud");
  assert.equal(answerConfigurationItem({ section: "prefect-lsp.trace.server" }, null, read), "messages");
  assert.equal(answerConfigurationItem({ section: "prefect-lsp.path" }, "/x", read), null);
  assert.equal(answerConfigurationItem({ section: "prefect-lsp.nope" }, 1, read), null);
  assert.deepEqual(answerConfigurationItem({ section: "yaml" }, { schemas: {} }, read), { schemas: {} });
  assert.equal(answerConfigurationItem({}, "default", read), "default");
  // A section that merely starts with the same letters is not ours.
  assert.equal(answerConfigurationItem({ section: "prefect-lsp-other" }, 5, read), 5);
});
